//! GCS15c: read GSME billing data log (billing calendar triggered): the last twelve metering and prepayment snapshots. A GBZ snapshot read (see [`super::logs_common`]): the device answers
//! each offset with an encrypted snapshot, or NOT_FOUND when it holds none in the period.

use super::common::{CLUSTER_METERING, CommandHeader};
use super::logs_common::{self, LogPeriod};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS15c";
/// The clusters read, in component order.
pub const CLUSTERS: &[u16] = &[CLUSTER_METERING, logs_common::CLUSTER_PREPAYMENT];
/// Snapshot offsets read per cluster.
pub const OFFSETS: u8 = 12;
/// The snapshot cause asked for.
pub const CAUSE: u32 = logs_common::SNAPSHOT_CAUSE_BILLING_PERIOD;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS15C,
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
pub fn gcs15c_read_billing_data_log_calendar(
    h: &CommandHeader,
    period: &LogPeriod,
) -> Result<GeneralSigning, BuildError> {
    logs_common::snapshot_command(h, MessageCode::GCS15C, CLUSTERS, OFFSETS, period, CAUSE)
}

/// Decodes the command: the snapshot requests and the period.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    logs_common::decode_snapshot(apdu, NAME, CLUSTERS, OFFSETS, CAUSE).map(DecodedCommand::Gcs15c)
}

/// Decodes the response: each offset's snapshot or NOT_FOUND, or the failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    logs_common::gbz_log_response(content)
}
