//! ECS21c: read electricity daily read log (export only); the export supplier is no trust anchor of the meter, so the ACB originates it (as in the RTDS). A plain range read (see [`super::logs_common`]): the device answers
//! with a compact array of the entries in the period (time, value), empty when there are none.

use super::common::CommandHeader;
use super::logs_common::{self, LogPeriod};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS21c";
/// The log read.
pub const LOG: [u8; 6] = logs_common::OBIS_EXPORT_DAILY_READ_LOG;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS21C,
    device_types: &[DeviceType::Esme],
    originators: &[R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command for the period.
pub fn ecs21c_read_export_daily_read_log(h: &CommandHeader, period: &LogPeriod) -> GeneralSigning {
    logs_common::range_command(h, MessageCode::ECS21C, LOG, period)
}

/// Decodes the command: the log and the period.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    logs_common::decode_range(apdu, NAME, LOG).map(DecodedCommand::Ecs21c)
}

/// Decodes the response: the entries, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    logs_common::range_response(content)
}
