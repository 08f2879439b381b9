//! ECS35f: read the ESME ALCS event log (the form for ESMEs of GBCS before 4.0; ECS35g the later one) (DUIS 6.13). A plain range read of the log's buffer (see
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

const NAME: &str = "ECS35f";
/// The message code.
pub const CODE: MessageCode = MessageCode(0x00BA);
/// The log read (the ALCS event log).
pub const LOG: [u8; 6] = event_logs_common::OBIS_ALCS_EVENT_LOG;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier, R::NetworkOperator],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command for the period.
pub fn ecs35f_read_alcs_event_log(h: &CommandHeader, period: &LogPeriod) -> GeneralSigning {
    logs_common::range_command(h, CODE, LOG, period)
}

/// Decodes the command: the log and the period.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    logs_common::decode_range(apdu, NAME, LOG).map(DecodedCommand::Ecs35f)
}

/// Decodes the response: the entries, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    event_logs_common::alcs_response(content)
}
