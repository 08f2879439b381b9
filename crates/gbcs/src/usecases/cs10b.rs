//! CS10b: read a ZigBee device's security log (DUIS 6.13; the GSME). A ZSE Get Event Log (Events
//! cluster) of every event in the period (see [`super::event_logs_common`]); the device
//! answers with a Publish Event Log, or a Default Response NOT_FOUND when the period holds
//! none.

use super::common::CommandHeader;
use super::event_logs_common::{self as el};
use super::logs_common::{self, LogPeriod};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "CS10b";
/// The message code.
pub const CODE: MessageCode = MessageCode(0x00A1);
/// The ZSE log read.
pub const LOG_ID: u8 = el::LOG_ID_SECURITY_EVENT;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: CODE,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier, R::NetworkOperator],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// Builds the command for the period.
pub fn cs10b_read_security_log(
    h: &CommandHeader,
    period: &LogPeriod,
) -> Result<GeneralSigning, BuildError> {
    el::gbz_command(h, CODE, LOG_ID, period)
}

/// Decodes the command: the period.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    el::decode_gbz_command(apdu, NAME, LOG_ID).map(DecodedCommand::Cs10b)
}

/// Decodes the response: the Publish Event Log or NOT_FOUND, or the Default Response failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    logs_common::gbz_log_response(content)
}
