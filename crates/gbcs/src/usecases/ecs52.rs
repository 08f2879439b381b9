//! ECS52: read ESME (or CHF) firmware version. DLMS GET class 1 `0-0:0.2.1.255` attribute 2.

use super::common::{self, CommandHeader, OBIS_FIRMWARE};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS52";
/// The firmware identifier (value attribute).
pub const FIRMWARE_VERSION: CosemDescriptor = CosemDescriptor::new(1, OBIS_FIRMWARE, 2);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS52,
    device_types: &[DeviceType::Esme, DeviceType::Chf],
    originators: &[R::Supplier, R::NetworkOperator, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn ecs52_read_firmware_version(h: &CommandHeader) -> GeneralSigning {
    common::dlms_get_command(h, MessageCode::ECS52, FIRMWARE_VERSION)
}

/// Decodes the command: the objects read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::dlms_read(apdu, NAME, &[FIRMWARE_VERSION]).map(DecodedCommand::Ecs52)
}

/// Decodes the response: the firmware version, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_value_response(
        content,
        "firmware version is not an octet-string",
        |d| match d {
            Data::OctetString(v) => Some(ResponseValue::FirmwareVersion(v.clone())),
            _ => None,
        },
    )
}
