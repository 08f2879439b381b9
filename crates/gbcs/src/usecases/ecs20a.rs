//! ECS20a: read ESME billing data log (payment-based debt payments). A plain range read (see [`super::logs_common`]): the device answers
//! with a compact array of the entries in the period (time, value), empty when there are none.

use super::common::CommandHeader;
use super::logs_common::{self, LogPeriod};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS20a";
/// The log read.
pub const LOG: [u8; 6] = logs_common::OBIS_DEBT_PAYMENTS_LOG;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS20A,
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
pub fn ecs20a_read_debt_payments_log(h: &CommandHeader, period: &LogPeriod) -> GeneralSigning {
    logs_common::range_command(h, MessageCode::ECS20A, LOG, period)
}

/// Decodes the command: the log and the period.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    logs_common::decode_range(apdu, NAME, LOG).map(DecodedCommand::Ecs20a)
}

/// Decodes the response: the entries, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    logs_common::range_response(content)
}
