//! GCS15d: read GSME billing data log (payment-based debt payments). ZSE Prepayment Get Debt
//! Repayment Log: the period's start in the GBZ from-date-time, its end (ZigBee UTCTime), the
//! number of debts (10) and the debt type (2) in the payload. The device answers with an
//! encrypted Publish Debt Log, or NOT_FOUND when no payment falls in the period.

use super::common::{self, CommandHeader};
use super::logs_common::{self, CLUSTER_PREPAYMENT, GET_DEBT_REPAYMENT_LOG, LogPeriod};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS15d";
/// Number of debt repayments asked for.
pub const NUMBER_OF_DEBTS: u8 = 10;
/// Debt type asked for (as the RTDS commands).
pub const DEBT_TYPE: u8 = 2;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS15D,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// Builds the command for the period.
pub fn gcs15d_read_debt_payments_log(
    h: &CommandHeader,
    period: &LogPeriod,
) -> Result<GeneralSigning, BuildError> {
    let mut payload = logs_common::zigbee_time(period.end).to_le_bytes().to_vec();
    payload.extend_from_slice(&[NUMBER_OF_DEBTS, DEBT_TYPE]);
    logs_common::from_dated_command(
        h,
        MessageCode::GCS15D,
        CLUSTER_PREPAYMENT,
        period.start,
        GET_DEBT_REPAYMENT_LOG,
        payload,
    )
}

/// Decodes the command: the period.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let (from, payload) =
        logs_common::decode_single(apdu, NAME, CLUSTER_PREPAYMENT, GET_DEBT_REPAYMENT_LOG, true)?;
    let [e0, e1, e2, e3, NUMBER_OF_DEBTS, DEBT_TYPE] = payload[..] else {
        return Err(common::bad(
            NAME,
            "payload is not (end, 10 debts, debt type 2)",
        ));
    };
    let start = from.ok_or(common::bad(NAME, "no from-date-time"))?;
    logs_common::zigbee_period(NAME, start, u32::from_le_bytes([e0, e1, e2, e3]))
        .map(DecodedCommand::Gcs15d)
}

/// Decodes the response: the encrypted log or NOT_FOUND, or the failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    logs_common::gbz_log_response(content)
}
