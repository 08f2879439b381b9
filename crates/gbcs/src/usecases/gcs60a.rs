//! GCS60a: read meter balance for GSME, the variant the GPF can answer (same payload as GCS60): GBZ Read Attributes on Metering `0x0A00` (the meter balance) and Prepayment `0x0001` (credit remaining), both answered in plaintext.

use super::common;
use super::common::CommandHeader;
use super::reads_inst_common as ri;
use super::reads_inst_common::CLUSTER_PREPAYMENT;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS60a";
/// The message code.
pub const CODE: MessageCode = MessageCode(0x012A);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: CODE,
    device_types: &[DeviceType::Gsme, DeviceType::Gpf],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// The components read: cluster and attributes.
pub const READS: [ri::ClusterAttributes; 2] = [
    (common::CLUSTER_METERING, &[0x0A00]),
    (CLUSTER_PREPAYMENT, &[0x0001]),
];

/// Builds the command.
pub fn gcs60a_read_meter_balance(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    ri::gbz_multi_read_command(h, CODE, &READS)
}

/// Decodes the command: the components read (exactly the use case's).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    ri::decode_gbz_multi_read(apdu, NAME, &READS).map(DecodedCommand::Gcs60a)
}

/// Decodes the response: each component's records or protected block, or the first failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    ri::gbz_multi_read_response(content, READS.len())
}
