//! GCS61: read gas daily consumption log (GPF). ZSE Metering Get Sampled Data: sample id 1,
//! the earliest sample time (the period's start), sample type 0 (consumption delivered) and the
//! number of daily samples (the days from the period's first to its last, at most
//! [`MAX_SAMPLES`]). The device answers with an encrypted Get Sampled Data Response, or
//! NOT_FOUND when it holds no sample in the period.

use super::common::{self, CLUSTER_METERING, CommandHeader};
use super::logs_common::{self, GET_SAMPLED_DATA, LogPeriod};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::datetime::UtcDateTime;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS61";
/// The sample id of the daily consumption log.
pub const SAMPLE_ID: u16 = 1;
/// Sample type: consumption delivered.
pub const SAMPLE_TYPE: u8 = 0;
/// The daily consumption log's capacity (samples).
pub const MAX_SAMPLES: u16 = 731;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS61,
    device_types: &[DeviceType::Gpf],
    originators: &[R::Supplier, R::NetworkOperator, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// The number of daily samples a period covers: its days, first and last included, 1 to
/// [`MAX_SAMPLES`].
pub fn samples(period: &LogPeriod) -> u16 {
    let day = |t: UtcDateTime| t.to_unix().div_euclid(86_400);
    let n = day(period.end) - day(period.start) + 1;
    u16::try_from(n.clamp(1, i64::from(MAX_SAMPLES))).unwrap_or(MAX_SAMPLES)
}

/// Builds the command for the period.
pub fn gcs61_read_daily_consumption_log(
    h: &CommandHeader,
    period: &LogPeriod,
) -> Result<GeneralSigning, BuildError> {
    let mut payload = SAMPLE_ID.to_le_bytes().to_vec();
    payload.extend_from_slice(&logs_common::zigbee_time(period.start).to_le_bytes());
    payload.push(SAMPLE_TYPE);
    payload.extend_from_slice(&samples(period).to_le_bytes());
    logs_common::immediate_command(
        h,
        MessageCode::GCS61,
        CLUSTER_METERING,
        GET_SAMPLED_DATA,
        payload,
    )
}

/// Decodes the command: the period (from the earliest sample time over the samples asked for).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let (_, payload) =
        logs_common::decode_single(apdu, NAME, CLUSTER_METERING, GET_SAMPLED_DATA, false)?;
    let [i0, i1, s0, s1, s2, s3, SAMPLE_TYPE, n0, n1] = payload[..] else {
        return Err(common::bad(
            NAME,
            "payload is not (id, start, type 0, samples)",
        ));
    };
    let n = u16::from_le_bytes([n0, n1]);
    if u16::from_le_bytes([i0, i1]) != SAMPLE_ID || n == 0 || n > MAX_SAMPLES {
        return Err(common::bad(
            NAME,
            "sample id or number of samples out of range",
        ));
    }
    let start = u32::from_le_bytes([s0, s1, s2, s3]);
    let end = start.saturating_add((u32::from(n) - 1) * 86_400);
    logs_common::zigbee_period(NAME, start, end).map(DecodedCommand::Gcs61)
}

/// Decodes the response: the encrypted samples or NOT_FOUND, or the failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    logs_common::gbz_log_response(content)
}
