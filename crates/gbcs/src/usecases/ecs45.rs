//! ECS45: read ESME supply status. DLMS GET class 70 `0-0:96.3.10.255` attribute 3 (control
//! state).

use super::common::{self, CommandHeader, DlmsRead, OBIS_DISCONNECT_CONTROL};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
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
    let content = common::dlms(h, vec![RequestSpec::Get(CONTROL_STATE)], vec![Data::Null]);
    common::apdu(h, MessageCode::ECS45, content, false)
}

/// Decodes the command: the objects read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let objects = common::dlms_get_objects(apdu, NAME, &[CONTROL_STATE])?;
    Ok(DecodedCommand::Ecs45(DlmsRead { objects }))
}

/// Decodes the response: the control state, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    match common::dlms_response(content, 1)? {
        Err(f) => Ok(ResponseOutcome::Failure(f)),
        Ok(r) => match r.data.first() {
            Some(Data::Enum(v)) => Ok(ResponseOutcome::Success(ResponseValue::ControlState(*v))),
            _ => Err(ResponseDecodeError::Format("control state is not an enum")),
        },
    }
}
