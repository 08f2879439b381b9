//! GCS38: read GSME firmware version. GBZ Read Attributes on Metering attribute 0x0206.

use super::common::{self, CLUSTER_METERING, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS38";
/// The attributes read: firmware version (GBCS Metering 0x0206).
pub const ATTRIBUTES: [u16; 1] = [0x0206];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS38,
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
pub fn gcs38_read_firmware_version(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    common::gbz_read_command(h, MessageCode::GCS38, CLUSTER_METERING, &ATTRIBUTES)
}

/// Decodes the command: the attributes read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::zcl_read(apdu, NAME, CLUSTER_METERING, &ATTRIBUTES).map(DecodedCommand::Gcs38)
}

/// Decodes the response: the firmware version, or the ZCL failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::gbz_plain_read_response(content, |r| match &r[..] {
        [rec] if rec.id == 0x0206 && rec.data_type == 0x41 => {
            Ok(ResponseValue::FirmwareVersion(rec.value.clone()))
        }
        _ => Err(ResponseDecodeError::Format("no firmware version record")),
    })
}
