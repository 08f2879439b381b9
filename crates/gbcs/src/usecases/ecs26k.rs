//! ECS26k: read the polyphase ESME's voltage configuration: the four RMS voltage limiters' thresholds and periods, each phase's average RMS over- and under-voltage thresholds. DLMS GET list (see [`super::reads_common`]); the answer is the values, one
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

const NAME: &str = "ECS26k";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x00C6);
/// The requests, in order.
pub const ITEMS: [Item; 14] = super::voltage::READ_POLY_PHASE;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier, R::NetworkOperator, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn ecs26k_read_voltage_configuration(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    reads_common::get_list_command(h, MESSAGE_CODE, &ITEMS, None)
}

/// Decodes the command: exactly [`ITEMS`].
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    reads_common::decode_get_list(apdu, NAME, &ITEMS).map(DecodedCommand::Ecs26k)
}

/// Decodes the response: the values, one per request, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    reads_common::get_list_response(content, ITEMS.len())
}
