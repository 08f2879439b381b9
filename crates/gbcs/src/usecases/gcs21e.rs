//! GCS21e: read a GSME's identity (DUIS 6.2.4; the form for GSMEs of GBCS before 4.0; GCS21m the later one). GBZ Read Attributes in two
//! components, as the RTDS vectors: Basic: manufacturer name `0x0004`, model identifier `0x0005`, hardware version `0x0003`; Metering: supply depletion
//! state `0x0608`, supply tamper state `0x0607`.

use super::reads_inst_common::{self, ClusterAttributes};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS21e";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x009E);
/// The ZCL Basic cluster.
pub const CLUSTER_BASIC: u16 = 0x0000;
/// The components read: Basic, then Metering.
pub const READS: [ClusterAttributes; 2] = [
    (CLUSTER_BASIC, &[0x0004, 0x0005, 0x0003]),
    (super::common::CLUSTER_METERING, &[0x0608, 0x0607]),
];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier, R::NetworkOperator, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn gcs21e_read_identity(h: &super::CommandHeader) -> Result<GeneralSigning, BuildError> {
    reads_inst_common::gbz_multi_read_command(h, MESSAGE_CODE, &READS)
}

/// Decodes the command: the attributes read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    reads_inst_common::decode_gbz_multi_read(apdu, NAME, &READS).map(DecodedCommand::Gcs21e)
}

/// Decodes the response: each component's records, or the first failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    reads_inst_common::gbz_multi_read_response(content, READS.len())
}
