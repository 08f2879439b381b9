//! CS03B (Method B Join, DUIS 8.7.2: the meter joins a Type 2 device (IHD, CAD); not critical, MAC only). The shapes and the rules
//! they rest on are [`super::han_join`]'s.

use eui::Eui64;

use super::common::CommandHeader;
use super::han_join::{self, JoinCommand, JoinDeviceType, JoinMethod};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "CS03B";

/// The device types this use case may name as the other device.
pub const OTHER_TYPES: &[JoinDeviceType] = &[JoinDeviceType::Type2];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: han_join::CS03B,
    device_types: &[DeviceType::Esme, DeviceType::Gsme],
    originators: &[R::Supplier, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// Builds the command (not critical): the meter joins the Type 2 device `other`.
pub fn cs03b_join_type2(h: &CommandHeader, other: Eui64) -> Result<GeneralSigning, BuildError> {
    let c = JoinCommand {
        method: JoinMethod::MethodB,
        other_device: other,
        other_type: JoinDeviceType::Type2,
        ka_certificate: None,
    };
    han_join::join_apdu(h, han_join::CS03B, &c, false)
}

/// Decodes the command (strict: [`han_join`]'s layout, this use case's method).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    han_join::decode_join(
        apdu,
        NAME,
        han_join::CS03B,
        JoinMethod::MethodB,
        han_join::ALL_TYPES,
    )
    .map(DecodedCommand::Cs03b)
}

/// Decodes the response: 0 done, any other code a failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    han_join::decode_response(content)
}
