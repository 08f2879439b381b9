//! ECS23: read ESME network data (single phase): RMS voltage over- and under-voltage counters (value, scaler/unit), the average RMS voltage profile `1-0:32.24.0.255` over a range and its capture period.
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

const NAME: &str = "ECS23";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x0039);
/// The requests, in order.
pub const ITEMS: [Item; 6] = [
    Item::Get(CosemDescriptor::new(3, [1, 0, 32, 32, 0, 4], 2)),
    Item::Get(CosemDescriptor::new(3, [1, 0, 32, 32, 0, 4], 3)),
    Item::Get(CosemDescriptor::new(3, [1, 0, 32, 36, 0, 4], 2)),
    Item::Get(CosemDescriptor::new(3, [1, 0, 32, 36, 0, 4], 3)),
    Item::Range(CosemDescriptor::new(7, [1, 0, 32, 24, 0, 0xFF], 2)),
    Item::Get(CosemDescriptor::new(7, [1, 0, 32, 24, 0, 0xFF], 4)),
];

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
pub fn ecs23_read_network_data(
    h: &CommandHeader,
    period: ReadPeriod,
) -> Result<GeneralSigning, BuildError> {
    reads_common::get_list_command(h, MESSAGE_CODE, &ITEMS, Some(period))
}

/// Decodes the command: exactly [`ITEMS`], ranges over one period that does not end before it starts.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    reads_common::decode_get_list(apdu, NAME, &ITEMS).map(DecodedCommand::Ecs23)
}

/// Decodes the response: the values, one per request, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    reads_common::get_list_response(content, ITEMS.len())
}
