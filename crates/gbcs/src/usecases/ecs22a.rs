//! ECS22a: read ESME export profile data (active and reactive export, half-hourly): a GET of the export profile buffer `0-0:99.1.1.255` with a range.
//! DLMS GET list (see [`super::reads_common`]); the answer is the values, one per request.

use super::common::CommandHeader;
use super::reads_common::{self, Item, ReadPeriod};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS22a";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x0036);
/// The requests, in order.
pub const ITEMS: [Item; 1] = [Item::Range(CosemDescriptor::new(
    7,
    [0, 0, 99, 1, 1, 0xFF],
    2,
))];

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

/// Builds the command for `period`.
pub fn ecs22a_read_export_profile_data(
    h: &CommandHeader,
    period: ReadPeriod,
) -> Result<GeneralSigning, BuildError> {
    reads_common::get_list_command(h, MESSAGE_CODE, &ITEMS, Some(period))
}

/// Decodes the command: exactly [`ITEMS`], ranges over one period that does not end before it starts.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    reads_common::decode_get_list(apdu, NAME, &ITEMS).map(DecodedCommand::Ecs22a)
}

/// Decodes the response: the values, one per request, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    reads_common::get_list_response(content, ITEMS.len())
}
