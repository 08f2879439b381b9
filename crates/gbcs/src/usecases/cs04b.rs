//! CS04B Method B Unjoin (DUIS 8.8.2 to an ESME or GSME): the meter forgets the Type 2 device
//! `other`; not critical, MAC only. The shapes are [`super::han_join`]'s.

use eui::Eui64;

use super::common::CommandHeader;
use super::han_join;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::frame::GeneralSigning;

const NAME: &str = "CS04B";

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: han_join::CS04B,
    device_types: &[DeviceType::Esme, DeviceType::Gsme],
    originators: &[R::Supplier, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn cs04b_unjoin(h: &CommandHeader, other: Eui64) -> GeneralSigning {
    super::common::apdu(h, han_join::CS04B, han_join::unjoin_content(other), false)
}

/// Decodes the command: the device to unjoin.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    han_join::decode_unjoin(apdu, NAME, han_join::CS04B).map(DecodedCommand::Cs04b)
}

/// Decodes the response: 0 done, any other code a failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    han_join::decode_response(content)
}
