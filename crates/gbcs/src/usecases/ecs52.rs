//! ECS52: read ESME (or CHF) firmware version. DLMS GET class 1 `0-0:0.2.1.255` attribute 2.

use super::common::{self, CommandHeader, DlmsRead, OBIS_FIRMWARE};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
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
    let content = common::dlms(
        h,
        vec![RequestSpec::Get(FIRMWARE_VERSION)],
        vec![Data::Null],
    );
    common::apdu(h, MessageCode::ECS52, content, false)
}

/// Decodes the command: the objects read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let objects = common::dlms_get_objects(apdu, NAME, &[FIRMWARE_VERSION])?;
    Ok(DecodedCommand::Ecs52(DlmsRead { objects }))
}

/// Decodes the response: the firmware version, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    match common::dlms_response(content, 1)? {
        Err(f) => Ok(ResponseOutcome::Failure(f)),
        Ok(r) => match r.data.first() {
            Some(Data::OctetString(v)) => Ok(ResponseOutcome::Success(
                ResponseValue::FirmwareVersion(v.clone()),
            )),
            _ => Err(ResponseDecodeError::Format(
                "firmware version is not an octet-string",
            )),
        },
    }
}
