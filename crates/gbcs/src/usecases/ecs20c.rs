//! ECS20c: read ESME billing data log (billing calendar triggered): the primary and secondary element logs. A protected range read (see [`super::logs_common`]): the device answers
//! with the log entries in the period, encrypted to the requester.

use super::common::CommandHeader;
use super::logs_common::{self, LogPeriod};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS20c";
/// The data protection object the log is read through.
pub const PROTECTION: [u8; 6] = logs_common::OBIS_PROTECTION_BILLING_CALENDAR;
/// The profile buffers read.
pub const BUFFERS: &[[u8; 6]] = &[
    logs_common::OBIS_BILLING_CALENDAR_LOG,
    logs_common::OBIS_BILLING_CALENDAR_LOG_TWIN,
];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS20C,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command for the period.
pub fn ecs20c_read_billing_data_log_calendar(
    h: &CommandHeader,
    period: &LogPeriod,
) -> GeneralSigning {
    logs_common::protected_range_command(h, MessageCode::ECS20C, PROTECTION, BUFFERS, period)
}

/// Decodes the command: the buffers and the period.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    logs_common::decode_protected_range(apdu, NAME, PROTECTION, BUFFERS).map(DecodedCommand::Ecs20c)
}

/// Decodes the response: the protected block, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    logs_common::protected_response(content)
}
