//! CS03A1 (Method A Join (Meter), DUIS 8.7.1: the ESME joins an HCALCS or a PPMID; critical, the supplier signs). The shapes and the rules
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

const NAME: &str = "CS03A1";

/// The device types this use case may name as the other device.
pub const OTHER_TYPES: &[JoinDeviceType] = &[JoinDeviceType::Hcalcs, JoinDeviceType::Ppmid];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: han_join::CS03A1,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// Builds the pre-command: the ESME joins `other`, an HCALCS or a PPMID (Method A, the meter's
/// side).
pub fn cs03a1_join_meter(
    h: &CommandHeader,
    other: Eui64,
    other_type: JoinDeviceType,
) -> Result<GeneralSigning, BuildError> {
    if !OTHER_TYPES.contains(&other_type) {
        return Err(BuildError::OutOfRange("CS03A1 joins an HCALCS or a PPMID"));
    }
    let c = JoinCommand {
        method: JoinMethod::MethodAInitiator,
        other_device: other,
        other_type,
        ka_certificate: None,
    };
    han_join::join_apdu(h, han_join::CS03A1, &c, true)
}

/// Decodes the command (strict: [`han_join`]'s layout, this use case's method).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    han_join::decode_join(
        apdu,
        NAME,
        han_join::CS03A1,
        JoinMethod::MethodAInitiator,
        han_join::ALL_TYPES,
    )
    .map(DecodedCommand::Cs03a1)
}

/// Decodes the response: 0 done, any other code a failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    han_join::decode_response(content)
}
