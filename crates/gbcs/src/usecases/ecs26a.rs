//! ECS26a: read ESME prepayment configuration: debt recovery rates and periods, emergency credit, credit thresholds, suspend-debt settings and the disablement threshold.
//! DLMS GET list (see [`super::reads_common`]); the answer is the values, one per request.

use super::common::CommandHeader;
use super::reads_common::{self, Item};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS26a";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x003B);
/// The requests, in order.
pub const ITEMS: [Item; 18] = [
    Item::Get(CosemDescriptor::new(113, [0, 0, 19, 20, 1, 0xFF], 5)),
    Item::Get(CosemDescriptor::new(11, [0, 0, 11, 0, 2, 0xFF], 2)),
    Item::Get(CosemDescriptor::new(113, [0, 0, 19, 20, 1, 0xFF], 8)),
    Item::Get(CosemDescriptor::new(113, [0, 0, 19, 20, 1, 0xFF], 5)),
    Item::Get(CosemDescriptor::new(113, [0, 0, 19, 20, 2, 0xFF], 5)),
    Item::Get(CosemDescriptor::new(113, [0, 0, 19, 20, 2, 0xFF], 8)),
    Item::Get(CosemDescriptor::new(113, [0, 0, 19, 20, 2, 0xFF], 5)),
    Item::Get(CosemDescriptor::new(113, [0, 0, 19, 20, 3, 0xFF], 13)),
    Item::Get(CosemDescriptor::new(9000, [0, 0, 94, 44, 2, 10], 2)),
    Item::Get(CosemDescriptor::new(21, [0, 0, 16, 0, 1, 0xFF], 2)),
    Item::Get(CosemDescriptor::new(9000, [0, 0, 94, 44, 2, 20], 2)),
    Item::Get(CosemDescriptor::new(111, [0, 0, 19, 0, 0, 0xFF], 16)),
    Item::Get(CosemDescriptor::new(111, [0, 0, 19, 0, 0, 0xFF], 18)),
    Item::Get(CosemDescriptor::new(111, [0, 0, 19, 0, 0, 0xFF], 19)),
    Item::Get(CosemDescriptor::new(112, [0, 0, 19, 10, 1, 0xFF], 9)),
    Item::Get(CosemDescriptor::new(112, [0, 0, 19, 10, 1, 0xFF], 10)),
    Item::Get(CosemDescriptor::new(10, [0, 0, 12, 0, 1, 0xFF], 2)),
    Item::Get(CosemDescriptor::new(111, [0, 0, 19, 0, 0, 0xFF], 11)),
];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn ecs26a_read_prepayment_configuration(
    h: &CommandHeader,
) -> Result<GeneralSigning, BuildError> {
    reads_common::get_list_command(h, MESSAGE_CODE, &ITEMS, None)
}

/// Decodes the command: exactly [`ITEMS`].
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    reads_common::decode_get_list(apdu, NAME, &ITEMS).map(DecodedCommand::Ecs26a)
}

/// Decodes the response: the values, one per request, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    reads_common::get_list_response(content, ITEMS.len())
}
