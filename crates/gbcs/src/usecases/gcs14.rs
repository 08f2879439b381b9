//! GCS14: read GSME prepayment registers: GBZ Read Attributes on Price (price trailing digit, currency; plaintext answer) and on Prepayment (accumulated debt, emergency credit remaining, credit remaining, debt registers 3, 1, 2; answered encrypted to the requester).

use super::common::CommandHeader;
use super::reads_inst_common as ri;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;

use super::reads_inst_common::{CLUSTER_PREPAYMENT, CLUSTER_PRICE};
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS14";
/// The message code.
pub const CODE: MessageCode = MessageCode(0x0075);

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
    (CLUSTER_PRICE, &[0x0617, 0x0616]),
    (
        CLUSTER_PREPAYMENT,
        &[0x0005, 0x0002, 0x0001, 0x0231, 0x0211, 0x0221],
    ),
];

/// Builds the command.
pub fn gcs14_read_prepayment_registers(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    ri::gbz_multi_read_command(h, CODE, &READS)
}

/// Decodes the command: the components read (exactly the use case's).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    ri::decode_gbz_multi_read(apdu, NAME, &READS).map(DecodedCommand::Gcs14)
}

/// Decodes the response: each component's records or protected block, or the first failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    ri::gbz_multi_read_response(content, READS.len())
}
