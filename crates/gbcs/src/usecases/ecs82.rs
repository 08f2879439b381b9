//! ECS82: read meter balance for ESME: class 112 `0.0.19.10.0.255` attribute 2 (the meter balance, a double-long). DLMS GETs.

use super::common::CommandHeader;
use super::reads_inst_common as ri;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS82";
/// The message code.
pub const CODE: MessageCode = MessageCode(0x0069);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// The meter balance.
pub const METER_BALANCE: CosemDescriptor = CosemDescriptor::new(112, [0, 0, 19, 10, 0, 255], 2);

/// The objects read, in request order.
pub const OBJECTS: [CosemDescriptor; 1] = [METER_BALANCE];

/// Builds the command.
pub fn ecs82_read_meter_balance(h: &CommandHeader) -> GeneralSigning {
    ri::dlms_get_many(h, CODE, &OBJECTS)
}

/// Decodes the command: the objects read (exactly the use case's).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    ri::decode_dlms_get_many(apdu, NAME, &OBJECTS).map(DecodedCommand::Ecs82)
}

/// Decodes the response: the values in request order, or the first DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    ri::dlms_values_response(content, OBJECTS.len())
}
