//! CS03C (Method C Join: the GSME joins a PPMID (DUIS 8.7.1, the supplier signs) or a PPMID joins the GSME (8.7.2, the ACB originates and signs); the command carries the other device's SMKI KA certificate). The shapes and the rules
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

const NAME: &str = "CS03C";

/// The device types this use case may name as the other device.
pub const OTHER_TYPES: &[JoinDeviceType] = &[JoinDeviceType::Gsme, JoinDeviceType::Ppmid];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: han_join::CS03C,
    device_types: &[DeviceType::Gsme, DeviceType::Ppmid],
    originators: &[R::Supplier, R::AccessControlBroker],
    critical: true,
    dcc_originated: false,
    dcc_signs: true,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// Builds the pre-command (signed by the supplier, or by the ACB that originates it): the
/// device joins `other` (a PPMID for a GSME, the GSME for a PPMID), whose SMKI key-agreement
/// certificate is `ka_certificate` (DER).
pub fn cs03c_join_method_c(
    h: &CommandHeader,
    other: Eui64,
    other_type: JoinDeviceType,
    ka_certificate: &[u8],
) -> Result<GeneralSigning, BuildError> {
    if !OTHER_TYPES.contains(&other_type) {
        return Err(BuildError::OutOfRange("CS03C joins a GSME or a PPMID"));
    }
    let c = JoinCommand {
        method: JoinMethod::MethodC,
        other_device: other,
        other_type,
        ka_certificate: Some(ka_certificate.to_vec()),
    };
    han_join::join_apdu(h, han_join::CS03C, &c, true)
}

/// Decodes the command (strict: [`han_join`]'s layout, this use case's method).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    han_join::decode_join(
        apdu,
        NAME,
        han_join::CS03C,
        JoinMethod::MethodC,
        han_join::ALL_TYPES,
    )
    .map(DecodedCommand::Cs03c)
}

/// Decodes the response: 0 done, any other code a failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    han_join::decode_response(content)
}
