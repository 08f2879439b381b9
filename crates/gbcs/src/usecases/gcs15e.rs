//! GCS15e: read GSME billing data log (prepayment credits). ZSE Prepayment Get Top Up Log: the
//! period's start in the GBZ from-date-time, its end (ZigBee UTCTime) and the number of records
//! (5) in the payload. The device answers with a plaintext Publish Top Up Log, or NOT_FOUND when
//! no top-up falls in the period.

use super::common::{self, CommandHeader};
use super::logs_common::{self, CLUSTER_PREPAYMENT, GET_TOP_UP_LOG, LogPeriod};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS15e";
/// Number of top-up records asked for.
pub const NUMBER_OF_RECORDS: u8 = 5;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS15E,
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
pub fn gcs15e_read_prepayment_credits_log(
    h: &CommandHeader,
    period: &LogPeriod,
) -> Result<GeneralSigning, BuildError> {
    let mut payload = logs_common::zigbee_time(period.end).to_le_bytes().to_vec();
    payload.push(NUMBER_OF_RECORDS);
    logs_common::from_dated_command(
        h,
        MessageCode::GCS15E,
        CLUSTER_PREPAYMENT,
        period.start,
        GET_TOP_UP_LOG,
        payload,
    )
}

/// Decodes the command: the period.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let (from, payload) =
        logs_common::decode_single(apdu, NAME, CLUSTER_PREPAYMENT, GET_TOP_UP_LOG, true)?;
    let [e0, e1, e2, e3, NUMBER_OF_RECORDS] = payload[..] else {
        return Err(common::bad(NAME, "payload is not (end, 5 records)"));
    };
    let start = from.ok_or(common::bad(NAME, "no from-date-time"))?;
    logs_common::zigbee_period(NAME, start, u32::from_le_bytes([e0, e1, e2, e3]))
        .map(DecodedCommand::Gcs15e)
}

/// Decodes the response: the top-up log or NOT_FOUND, or the failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    logs_common::gbz_log_response(content)
}
