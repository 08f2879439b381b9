//! CS04AC Method A or C Unjoin: the device forgets `other`, a device it joined by Method A or C
//! (DUIS 8.8.1 to an ESME, GSME or HCALCS, the supplier signs; 8.8.2 to a PPMID, the DCC's ACB
//! originates and signs). The shapes are [`super::han_join`]'s.

use eui::Eui64;

use super::common::CommandHeader;
use super::han_join;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::frame::GeneralSigning;

const NAME: &str = "CS04AC";

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: han_join::CS04AC,
    device_types: &[
        DeviceType::Esme,
        DeviceType::Gsme,
        DeviceType::Hcalcs,
        DeviceType::Ppmid,
    ],
    originators: &[R::Supplier, R::AccessControlBroker],
    critical: true,
    dcc_originated: false,
    dcc_signs: true,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// Builds the pre-command (signed by the supplier, or by the ACB that originates it).
pub fn cs04ac_unjoin(h: &CommandHeader, other: Eui64) -> GeneralSigning {
    super::common::apdu(h, han_join::CS04AC, han_join::unjoin_content(other), true)
}

/// Decodes the command: the device to unjoin.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    han_join::decode_unjoin(apdu, NAME, han_join::CS04AC).map(DecodedCommand::Cs04ac)
}

/// Decodes the response: 0 done, any other code a failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    han_join::decode_response(content)
}
