//! ECS26f: read the ESME's instantaneous power thresholds (class 21 `0-0:16.0.0.255` attribute 2). DLMS GET list (see [`super::reads_common`]); the answer is the values, one
//! per request ([`super::voltage`] names the objects).

use super::common::CommandHeader;
use super::reads_common::{self, Item};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS26f";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x0040);
/// The requests, in order.
pub const ITEMS: [Item; 1] = [Item::Get(super::voltage::POWER_THRESHOLDS)];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn ecs26f_read_power_thresholds(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    reads_common::get_list_command(h, MESSAGE_CODE, &ITEMS, None)
}

/// Decodes the command: exactly [`ITEMS`].
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    reads_common::decode_get_list(apdu, NAME, &ITEMS).map(DecodedCommand::Ecs26f)
}

/// Decodes the response: the values, one per request, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    reads_common::get_list_response(content, ITEMS.len())
}
