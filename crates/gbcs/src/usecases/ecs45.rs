//! ECS45: read ESME supply status. DLMS GET class 70 `0-0:96.3.10.255` attribute 3 (control
//! state).

use super::common::{self, CommandHeader, OBIS_DISCONNECT_CONTROL};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS45";
/// The disconnect control state.
pub const CONTROL_STATE: CosemDescriptor = CosemDescriptor::new(70, OBIS_DISCONNECT_CONTROL, 3);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS45,
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
pub fn ecs45_read_supply_status(h: &CommandHeader) -> GeneralSigning {
    common::dlms_get_command(h, MessageCode::ECS45, CONTROL_STATE)
}

/// Decodes the command: the objects read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::dlms_read(apdu, NAME, &[CONTROL_STATE]).map(DecodedCommand::Ecs45)
}

/// Decodes the response: the control state, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_value_response(content, "control state is not an enum", |d| match d {
        Data::Enum(v) => Some(ResponseValue::ControlState(*v)),
        _ => None,
    })
}
