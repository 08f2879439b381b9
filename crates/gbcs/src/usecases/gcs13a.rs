//! GCS13a: read GSME consumption register. GBZ Read Attributes on Metering (divisor, multiplier,
//! unit of measure, current summation delivered); the device answers encrypted to the requester.

use super::common::{self, AttributeRecord, CLUSTER_METERING, CommandHeader, ReadOutcome};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, Failure, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS13a";
/// The attributes read.
pub const ATTRIBUTES: [u16; 4] = [0x0302, 0x0301, 0x0300, 0x0000];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS13A,
    device_types: &[DeviceType::Gsme, DeviceType::Gpf],
    originators: &[R::Supplier, R::NetworkOperator],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn gcs13a_read_import_register(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    common::gbz_read_command(h, MessageCode::GCS13A, CLUSTER_METERING, &ATTRIBUTES)
}

/// Decodes the command: the attributes read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::zcl_read(apdu, NAME, CLUSTER_METERING, &ATTRIBUTES).map(DecodedCommand::Gcs13a)
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

/// Decodes the decrypted plaintext of the protected block (Read Attributes Response records):
/// the records, or the first failed one.
pub fn decode_plaintext(
    plain: &[u8],
) -> Result<Result<Vec<AttributeRecord>, Failure>, ResponseDecodeError> {
    common::read_attribute_records(plain)
}
