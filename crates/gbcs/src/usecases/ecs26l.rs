//! ECS26l: read the ESME's billing calendar (all periodicities). DLMS GET of class 22 `0-0:15.0.0.255`
//! attribute 4 (`execution_time`), see [`super::billing_calendar`].

use super::billing_calendar::{self, OBJECT};
use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS26l";
/// The ECS26l message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x00D9);

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
pub fn ecs26l_read_billing_calendar(h: &CommandHeader) -> GeneralSigning {
    common::dlms_get_command(h, MESSAGE_CODE, OBJECT)
}

/// Decodes the command: the object read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::dlms_read(apdu, NAME, &[OBJECT]).map(DecodedCommand::Ecs26l)
}

/// Decodes the response: the calendar's entries, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    billing_calendar::decode_read_response(content)
}
