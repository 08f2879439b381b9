//! GCS16b: read GSME prepayment daily read log: the last 31 daily prepayment snapshots. A GBZ snapshot read (see [`super::logs_common`]): the device answers
//! each offset with an encrypted snapshot, or NOT_FOUND when it holds none in the period.
//!
//! Sent to the GSME for a known remote party, and to the GPF (which answers from its copy of the
//! GSME's data) for an unknown remote party: the ACB's command carrying the party's certificate
//! ([`super::for_unknown_remote_party`]), as the RTDS `GCS16b_4.14_URP_SUCCESS` vector shows.

use super::common::CommandHeader;
use super::logs_common::{self, LogPeriod};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS16b";
/// The clusters read, in component order.
pub const CLUSTERS: &[u16] = &[logs_common::CLUSTER_PREPAYMENT];
/// Snapshot offsets read per cluster.
pub const OFFSETS: u8 = 31;
/// The snapshot cause asked for.
pub const CAUSE: u32 = logs_common::SNAPSHOT_CAUSE_GENERAL;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS16B,
    device_types: &[DeviceType::Gsme, DeviceType::Gpf],
    originators: &[R::Supplier, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// Builds the command for the period.
pub fn gcs16b_read_prepayment_daily_read_log(
    h: &CommandHeader,
    period: &LogPeriod,
) -> Result<GeneralSigning, BuildError> {
    logs_common::snapshot_command(h, MessageCode::GCS16B, CLUSTERS, OFFSETS, period, CAUSE)
}

/// Decodes the command: the snapshot requests and the period.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    logs_common::decode_snapshot(apdu, NAME, CLUSTERS, OFFSETS, CAUSE).map(DecodedCommand::Gcs16b)
}

/// Decodes the response: each offset's snapshot or NOT_FOUND, or the failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    logs_common::gbz_log_response(content)
}
