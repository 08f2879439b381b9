//! ECS35c: read the CHF event log; the ACB sends it on the requester's behalf (DUIS 6.13). A plain range read of the log's buffer (see
//! [`super::event_logs_common`]); the device answers with the entries in the period.

use super::common::CommandHeader;
use super::event_logs_common;
use super::logs_common::{self, LogPeriod};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS35c";
/// The message code.
pub const CODE: MessageCode = MessageCode(0x0093);
/// The log read (the CHF's event log, as the ESME's).
pub const LOG: [u8; 6] = event_logs_common::OBIS_EVENT_LOG;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: CODE,
    device_types: &[DeviceType::Chf],
    originators: &[R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command for the period.
pub fn ecs35c_read_chf_event_log(h: &CommandHeader, period: &LogPeriod) -> GeneralSigning {
    logs_common::range_command(h, CODE, LOG, period)
}

/// Decodes the command: the log and the period.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    logs_common::decode_range(apdu, NAME, LOG).map(DecodedCommand::Ecs35c)
}

/// Decodes the response: the entries, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    event_logs_common::response(content)
}
