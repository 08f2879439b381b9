//! ECS26e: read an ESME's identity (DUIS 6.2.4, the form for ESMEs of GBCS before 4.0; ECS26m
//! is the later one). DLMS GET, as the RTDS vectors, of class 1 attribute 2 of: the device
//! identifier (`0-0:96.1.1.255`, the EUI-64), the meter variant (`0-0:96.1.2.255`), the model
//! (`0-0:96.1.4.255`), the manufacturer (`0-0:96.1.6.255`) (octet strings), and the supply
//! tamper state (`0-0:94.44.0.4`, a boolean: locked).

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS26e";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x003F);
/// The device identifier (the EUI-64).
pub const DEVICE_ID: CosemDescriptor = CosemDescriptor::new(1, [0, 0, 96, 1, 1, 0xFF], 2);
/// The meter variant (one letter).
pub const METER_VARIANT: CosemDescriptor = CosemDescriptor::new(1, [0, 0, 96, 1, 2, 0xFF], 2);
/// The model type.
pub const MODEL: CosemDescriptor = CosemDescriptor::new(1, [0, 0, 96, 1, 4, 0xFF], 2);
/// The manufacturer identifier.
pub const MANUFACTURER: CosemDescriptor = CosemDescriptor::new(1, [0, 0, 96, 1, 6, 0xFF], 2);
/// The supply tamper state (true: locked).
pub const SUPPLY_TAMPER_STATE: CosemDescriptor = CosemDescriptor::new(1, [0, 0, 94, 44, 0, 4], 2);
/// The objects read, in order.
pub const OBJECTS: [CosemDescriptor; 5] = [
    DEVICE_ID,
    METER_VARIANT,
    MODEL,
    MANUFACTURER,
    SUPPLY_TAMPER_STATE,
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

/// Builds the command.
pub fn ecs26e_read_identity(h: &CommandHeader) -> GeneralSigning {
    super::reads_inst_common::dlms_get_many(h, MESSAGE_CODE, &OBJECTS)
}

/// Decodes the command: the objects read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::dlms_read(apdu, NAME, &OBJECTS).map(DecodedCommand::Ecs26e)
}

/// Decodes the response: the values in request order, or the first DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    super::reads_inst_common::dlms_values_response(content, OBJECTS.len())
}
