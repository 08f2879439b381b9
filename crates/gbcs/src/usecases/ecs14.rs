//! ECS14: disable privacy PIN protection on an ESME (DUIS 3.5). DLMS SET, as the RTDS vector:
//! class 1 `0-0:94.44.3.1` attribute 2 (the privacy PIN) ← the empty octet string. The ESME
//! answers the SET.

use super::common::{self, CommandHeader};
use super::settings_common;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS14";
/// The privacy PIN (class 1, attribute 2).
pub const PRIVACY_PIN: CosemDescriptor = CosemDescriptor::new(1, [0, 0, 94, 44, 3, 1], 2);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS14,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn ecs14_disable_privacy_pin(h: &CommandHeader) -> GeneralSigning {
    settings_common::dlms_set_command(
        h,
        MessageCode::ECS14,
        vec![(PRIVACY_PIN, Data::OctetString(Vec::new()))],
    )
}

/// Decodes the command: the SET must clear the PIN (empty octet string).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    match &settings_common::dlms_set(apdu, NAME, &[PRIVACY_PIN])?[..] {
        [Data::OctetString(pin)] if pin.is_empty() => Ok(DecodedCommand::Ecs14),
        _ => Err(common::bad(NAME, "the privacy PIN is not set empty")),
    }
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
