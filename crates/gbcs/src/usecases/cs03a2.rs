//! CS03A2 (Method A Join (non Meter): an HCALCS (DUIS 8.7.1, the supplier signs) or a PPMID (8.7.2, the DCC's ACB originates and signs it) joins the ESME). The shapes and the rules
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

const NAME: &str = "CS03A2";

/// The device types this use case may name as the other device.
pub const OTHER_TYPES: &[JoinDeviceType] = &[JoinDeviceType::Esme];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: han_join::CS03A2,
    device_types: &[DeviceType::Hcalcs, DeviceType::Ppmid],
    originators: &[R::Supplier, R::AccessControlBroker],
    critical: true,
    dcc_originated: false,
    dcc_signs: true,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// Builds the pre-command (signed by the supplier, or by the ACB that originates it): the
/// HCALCS or PPMID joins the ESME `esme` (Method A, the other device's side).
pub fn cs03a2_join_non_meter(h: &CommandHeader, esme: Eui64) -> Result<GeneralSigning, BuildError> {
    let c = JoinCommand {
        method: JoinMethod::MethodAResponder,
        other_device: esme,
        other_type: JoinDeviceType::Esme,
        ka_certificate: None,
    };
    han_join::join_apdu(h, han_join::CS03A2, &c, true)
}

/// Decodes the command (strict: [`han_join`]'s layout, this use case's method).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    han_join::decode_join(
        apdu,
        NAME,
        han_join::CS03A2,
        JoinMethod::MethodAResponder,
        han_join::ALL_TYPES,
    )
    .map(DecodedCommand::Cs03a2)
}

/// Decodes the response: 0 done, any other code a failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    han_join::decode_response(content)
}
