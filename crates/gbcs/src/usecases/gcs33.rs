//! GCS33: read GSME supply status. GBZ Read Attributes on Metering: 0x0205 (remaining battery
//! life, days) and 0x0014 (supply status).

use super::common::{self, CLUSTER_METERING, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS33";
/// The attributes read.
pub const ATTRIBUTES: [u16; 2] = [0x0205, 0x0014];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS33,
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
pub fn gcs33_read_supply_status(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    common::gbz_read_command(h, MessageCode::GCS33, CLUSTER_METERING, &ATTRIBUTES)
}

/// Decodes the command: the attributes read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::zcl_read(apdu, NAME, CLUSTER_METERING, &ATTRIBUTES).map(DecodedCommand::Gcs33)
}

/// Decodes the response: the attribute values, or the ZCL failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::gbz_plain_read_response(content, |r| Ok(ResponseValue::Attributes(r)))
}
