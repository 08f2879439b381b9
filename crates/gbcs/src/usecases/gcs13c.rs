//! GCS13c: read GSME register (TOU): GBZ Read Attributes on Metering (divisor, multiplier, unit of measure, current tier 1-4 summation delivered); the device answers encrypted to the requester.

use super::common::{self, CLUSTER_METERING, CommandHeader, ReadOutcome};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS13c";
/// The message code.
pub const CODE: MessageCode = MessageCode(0x00B6);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: CODE,
    device_types: &[DeviceType::Gsme, DeviceType::Gpf],
    originators: &[R::Supplier, R::NetworkOperator],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// The attributes read.
pub const ATTRIBUTES: [u16; 7] = [0x0302, 0x0301, 0x0300, 0x0100, 0x0102, 0x0104, 0x0106];

/// Builds the command.
pub fn gcs13c_read_tou_registers(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    common::gbz_read_command(h, CODE, CLUSTER_METERING, &ATTRIBUTES)
}

/// Decodes the command: the attributes read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::zcl_read(apdu, NAME, CLUSTER_METERING, &ATTRIBUTES).map(DecodedCommand::Gcs13c)
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
