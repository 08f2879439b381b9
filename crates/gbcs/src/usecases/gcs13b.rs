//! GCS13b: read GSME block counters: GBZ Read Attributes on Metering (current no-tier block 1-4 summation delivered, divisor, multiplier, unit of measure); the device answers encrypted to the requester.

use super::common::{self, CLUSTER_METERING, CommandHeader, ReadOutcome};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS13b";
/// The message code.
pub const CODE: MessageCode = MessageCode(0x00B8);

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

/// The attributes read.
pub const ATTRIBUTES: [u16; 7] = [0x0700, 0x0701, 0x0702, 0x0703, 0x0302, 0x0301, 0x0300];

/// Builds the command.
pub fn gcs13b_read_block_counters(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    common::gbz_read_command(h, CODE, CLUSTER_METERING, &ATTRIBUTES)
}

/// Decodes the command: the attributes read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::zcl_read(apdu, NAME, CLUSTER_METERING, &ATTRIBUTES).map(DecodedCommand::Gcs13b)
}

/// Decodes the response: the protected block (only the requester can open it), or a plaintext
/// ZCL failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    match common::gbz_read_response(content)? {
        ReadOutcome::Failed(f) => Ok(ResponseOutcome::Failure(f)),
        ReadOutcome::Protected(p) => Ok(ResponseOutcome::Success(ResponseValue::Protected(p))),
        ReadOutcome::Records(r) => Ok(ResponseOutcome::Success(ResponseValue::Attributes(r))),
    }
}
