//! ECS15a: clear the ESME event log (`0-0:99.98.0.255`) on an ESME (DUIS 3.3). DLMS ACTION, as the RTDS vector: class 7
//! (profile generic) method 1 (`reset`) with integer 0. The ESME answers the ACTION. The
//! security log is never cleared by a user.

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS15a";
/// The reset method of the event log (class 7, method 1).
pub const EVENT_LOG: CosemDescriptor = CosemDescriptor::new(7, [0, 0, 99, 98, 0, 0xFF], 1);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS15A,
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
pub fn ecs15a_clear_event_log(h: &CommandHeader) -> GeneralSigning {
    common::fixed_action(h, MessageCode::ECS15A, EVENT_LOG, Data::Integer(0), false)
}

/// Decodes the command: the reset of the event log, nothing else.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::decode_fixed_action(
        apdu,
        NAME,
        EVENT_LOG,
        &Data::Integer(0),
        "the reset parameter is not integer 0",
    )?;
    Ok(DecodedCommand::Ecs15a)
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
