//! ECS39a: set the import MPAN on an ESME (DUIS 6.20.1). DLMS SET, as the RTDS vectors: class 1
//! `0-0:94.44.34.11` attribute 2 ← the MPAN as an octet string of ASCII digits: 13 bytes, or 26
//! for a twin element meter (the primary MPAN followed by the secondary one). The ESME answers
//! the SET. ECS40 reads it back; ECS39b sets the export MPAN ([`EXPORT_MPAN`]).

use super::common::CommandHeader;
use super::settings_common;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS39a";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x004C);
/// The import MPAN (class 1, attribute 2): one MPAN, or a twin element meter's two.
pub const IMPORT_MPAN: CosemDescriptor = CosemDescriptor::new(1, [0, 0, 94, 44, 34, 11], 2);
/// The export MPAN (class 1, attribute 2).
pub const EXPORT_MPAN: CosemDescriptor = CosemDescriptor::new(1, [1, 0, 0, 0, 2, 0xFF], 2);
/// The length of an MPAN (DUIS `MPAN`: 13 characters).
pub const MPAN_LEN: usize = 13;
/// The longest MPRN (DUIS `MPRN`: 1 to 10 characters).
pub const MAX_MPRN: usize = 10;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Whether `b` is an MPAN: 13 ASCII digits.
pub fn is_mpan(b: &[u8]) -> bool {
    b.len() == MPAN_LEN && b.iter().all(u8::is_ascii_digit)
}

/// Whether `b` is an MPRN: 1 to 10 ASCII digits.
pub fn is_mprn(b: &[u8]) -> bool {
    (1..=MAX_MPRN).contains(&b.len()) && b.iter().all(u8::is_ascii_digit)
}

/// An ESME's import MPAN value: one MPAN, or a twin element meter's primary and secondary
/// MPANs, as the ESME holds it (the octet string ECS39a writes and ECS40 reads).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImportMpans(Vec<u8>);

impl ImportMpans {
    /// The value for `primary` and, on a twin element meter, `secondary` (13 digits each).
    pub fn new(primary: &[u8], secondary: Option<&[u8]>) -> Result<Self, BuildError> {
        let mut v = primary.to_vec();
        if let Some(s) = secondary {
            v.extend_from_slice(s);
        }
        Self::from_bytes(&v).ok_or(BuildError::OutOfRange("import MPAN"))
    }

    /// The value an octet string holds, if it is one MPAN or two.
    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        let ok = match b.len() {
            MPAN_LEN => is_mpan(b),
            n if n == 2 * MPAN_LEN => is_mpan(&b[..MPAN_LEN]) && is_mpan(&b[MPAN_LEN..]),
            _ => false,
        };
        ok.then(|| Self(b.to_vec()))
    }

    /// The octet string.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The primary MPAN.
    pub fn primary(&self) -> &[u8] {
        self.0.get(..MPAN_LEN).unwrap_or(&self.0)
    }

    /// The secondary MPAN of a twin element meter.
    pub fn secondary(&self) -> Option<&[u8]> {
        self.0.get(MPAN_LEN..).filter(|s| !s.is_empty())
    }
}

/// Builds the command.
pub fn ecs39a_set_import_mpan(h: &CommandHeader, mpans: &ImportMpans) -> GeneralSigning {
    settings_common::dlms_set_command(
        h,
        MESSAGE_CODE,
        vec![(IMPORT_MPAN, Data::OctetString(mpans.as_bytes().to_vec()))],
    )
}

/// Decodes the command: the MPAN(s) set.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let data = settings_common::dlms_set(apdu, NAME, &[IMPORT_MPAN])?;
    match &data[..] {
        [Data::OctetString(b)] => ImportMpans::from_bytes(b)
            .map(DecodedCommand::Ecs39a)
            .ok_or(super::common::bad(
                NAME,
                "not one or two MPANs of 13 digits",
            )),
        _ => Err(super::common::bad(NAME, "one octet string expected")),
    }
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    super::common::dlms_done_response(content, 1)
}
