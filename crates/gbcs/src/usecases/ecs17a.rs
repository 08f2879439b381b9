//! ECS17a: read ESME energy registers (export energy): active and reactive export registers (class 3 `1.0.2.8.0.255` and `1.0.4.8.0.255`, value and scaler-unit). DLMS GETs.

use super::common::CommandHeader;
use super::reads_inst_common as ri;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS17a";
/// The message code.
pub const CODE: MessageCode = MessageCode(0x0026);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier, R::NetworkOperator, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Active export energy register, value.
pub const ACTIVE_EXPORT: CosemDescriptor = CosemDescriptor::new(3, [1, 0, 2, 8, 0, 255], 2);
/// Its scaler and unit.
pub const ACTIVE_EXPORT_SCALER: CosemDescriptor = CosemDescriptor::new(3, [1, 0, 2, 8, 0, 255], 3);
/// Reactive export energy register, value.
pub const REACTIVE_EXPORT: CosemDescriptor = CosemDescriptor::new(3, [1, 0, 4, 8, 0, 255], 2);
/// Its scaler and unit.
pub const REACTIVE_EXPORT_SCALER: CosemDescriptor =
    CosemDescriptor::new(3, [1, 0, 4, 8, 0, 255], 3);

/// The objects read, in request order.
pub const OBJECTS: [CosemDescriptor; 4] = [
    ACTIVE_EXPORT,
    ACTIVE_EXPORT_SCALER,
    REACTIVE_EXPORT,
    REACTIVE_EXPORT_SCALER,
];

/// Builds the command.
pub fn ecs17a_read_export_energy_registers(h: &CommandHeader) -> GeneralSigning {
    ri::dlms_get_many(h, CODE, &OBJECTS)
}

/// Decodes the command: the objects read (exactly the use case's).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    ri::decode_dlms_get_many(apdu, NAME, &OBJECTS).map(DecodedCommand::Ecs17a)
}

/// Decodes the response: the values in request order, or the first DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    ri::dlms_values_response(content, OBJECTS.len())
}
