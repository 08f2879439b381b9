//! ECS26m: read an ESME's identity (the form for ESMEs of GBCS 4.0 and later; ECS26e the earlier one) (DUIS 6.2.4). DLMS GET of class 1 attribute 2 of the meter variant, the model, the manufacturer and the supply tamper state ([`super::ecs26e`]'s
//! objects), as the RTDS vectors.

use super::common::{self, CommandHeader};
use super::ecs26e::{MANUFACTURER, METER_VARIANT, MODEL, SUPPLY_TAMPER_STATE};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS26m";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x00F9);
/// The objects read, in order.
pub const OBJECTS: [CosemDescriptor; 4] = [METER_VARIANT, MODEL, MANUFACTURER, SUPPLY_TAMPER_STATE];

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
pub fn ecs26m_read_identity(h: &CommandHeader) -> GeneralSigning {
    super::reads_inst_common::dlms_get_many(h, MESSAGE_CODE, &OBJECTS)
}

/// Decodes the command: the objects read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::dlms_read(apdu, NAME, &OBJECTS).map(DecodedCommand::Ecs26m)
}

/// Decodes the response: the values in request order, or the first DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    super::reads_inst_common::dlms_values_response(content, OBJECTS.len())
}
