//! ECS24: read ESME tariff (primary element): tariff identifier, switching table, special days, register blocks, price scale, standing charge and the block/TOU price matrices.
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

const NAME: &str = "ECS24";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x003A);
/// The requests, in order.
pub const ITEMS: [Item; 17] = [
    Item::Get(CosemDescriptor::new(3, [0, 0, 94, 44, 1, 7], 2)),
    Item::Get(CosemDescriptor::new(3, [0, 0, 94, 44, 1, 7], 3)),
    Item::Get(CosemDescriptor::new(20, [0, 0, 13, 0, 0, 0xFF], 3)),
    Item::Get(CosemDescriptor::new(20, [0, 0, 13, 0, 0, 0xFF], 4)),
    Item::Get(CosemDescriptor::new(20, [0, 0, 13, 0, 0, 0xFF], 5)),
    Item::Get(CosemDescriptor::new(11, [0, 0, 11, 0, 0, 0xFF], 2)),
    Item::Get(CosemDescriptor::new(21, [0, 0, 16, 0, 11, 0xFF], 2)),
    Item::Get(CosemDescriptor::new(21, [0, 0, 16, 0, 12, 0xFF], 2)),
    Item::Get(CosemDescriptor::new(21, [0, 0, 16, 0, 13, 0xFF], 2)),
    Item::Get(CosemDescriptor::new(21, [0, 0, 16, 0, 14, 0xFF], 2)),
    Item::Get(CosemDescriptor::new(21, [0, 0, 16, 0, 15, 0xFF], 2)),
    Item::Get(CosemDescriptor::new(21, [0, 0, 16, 0, 16, 0xFF], 2)),
    Item::Get(CosemDescriptor::new(21, [0, 0, 16, 0, 17, 0xFF], 2)),
    Item::Get(CosemDescriptor::new(21, [0, 0, 16, 0, 18, 0xFF], 2)),
    Item::Get(CosemDescriptor::new(9000, [0, 0, 94, 44, 2, 0], 2)),
    Item::Get(CosemDescriptor::new(113, [0, 0, 19, 20, 4, 0xFF], 5)),
    Item::Get(CosemDescriptor::new(113, [0, 0, 19, 20, 0, 0xFF], 5)),
];

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
pub fn ecs24_read_tariff_primary(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    reads_common::get_list_command(h, MESSAGE_CODE, &ITEMS, None)
}

/// Decodes the command: exactly [`ITEMS`].
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    reads_common::decode_get_list(apdu, NAME, &ITEMS).map(DecodedCommand::Ecs24)
}

/// Decodes the response: the values, one per request, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    reads_common::get_list_response(content, ITEMS.len())
}
