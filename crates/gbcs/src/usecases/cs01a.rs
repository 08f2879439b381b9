//! CS01a: apply a prepayment top-up to an ESME (DUIS 2.2). Non-critical (GBCS: SME.C.NC, with
//! the UTRN's own protection, [`crate::utrn`]). DLMS ACTION on the token gateway (class 115,
//! `0-0:19.40.0.255`) method 1 `enter`, the UTRN's 20 ASCII digits as an octet-string. The ESME
//! answers the action's result: `success` when it accepted the UTRN, `hardware-fault` (1, as in
//! the RTDS ERROR vector) when it refused it.

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "CS01a";
/// The token gateway (class 115), method 1 `enter`.
pub const TOKEN_GATEWAY_ENTER: CosemDescriptor =
    CosemDescriptor::new(115, [0, 0, 19, 40, 0, 0xFF], 1);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::CS01A,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// A UTRN as a top-up command carries it: exactly 20 ASCII digits (whether it is a valid token
/// is for the meter to find out).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TopUp {
    /// The 20 digits.
    pub utrn: String,
}

impl TopUp {
    /// From the 20 digits; `None` otherwise.
    pub fn new(utrn: &str) -> Option<Self> {
        (utrn.len() == crate::utrn::UTRN_DIGITS && utrn.bytes().all(|b| b.is_ascii_digit()))
            .then(|| Self { utrn: utrn.into() })
    }

    pub(crate) fn from_bytes(b: &[u8]) -> Option<Self> {
        std::str::from_utf8(b).ok().and_then(Self::new)
    }
}

/// Builds the command.
pub fn cs01a_apply_prepayment_top_up(h: &CommandHeader, top_up: &TopUp) -> GeneralSigning {
    common::fixed_action(
        h,
        MessageCode::CS01A,
        TOKEN_GATEWAY_ENTER,
        Data::OctetString(top_up.utrn.as_bytes().to_vec()),
        false,
    )
}

/// Decodes the command: the token gateway `enter` with a 20-digit UTRN.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(
        apdu,
        NAME,
        &[crate::dlms::RequestSpec::Action(TOKEN_GATEWAY_ENTER)],
    )?;
    match &req.data[..] {
        [Data::OctetString(b)] => TopUp::from_bytes(b)
            .map(DecodedCommand::Cs01a)
            .ok_or_else(|| common::bad(NAME, "the token is not 20 decimal digits")),
        _ => Err(common::bad(NAME, "the token is not an octet-string")),
    }
}

/// Decodes the response: accepted, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
