//! CS02d "Update Device Certificates on Device" (DUIS 6.15.2, GBCS 13.5; message code 0x000B):
//! the supplier places on the device the Device certificate the SMKI service issued for the key
//! pair the device generated (CS02c, [`super::cs02c`]); from then on the device signs with that
//! key. Critical: the builder returns the pre-command, which the supplier signs.
//!
//! As the RTDS vectors show them: the command content is the certificate itself (one DER
//! SEQUENCE); the response content is `INTEGER` responseCode, 0 success (RTDS SUCCESS),
//! otherwise a failure ([`super::cs02c::response_code`]: `invalidKeyUsage` in the RTDS ERROR
//! vector, whose certificate is for nonRepudiation).

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, Failure, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::asn1::{TAG_INTEGER, Tlv};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "CS02d";

/// The message code of CS02d.
pub const CS02D: MessageCode = MessageCode(0x000B);

/// responseCode success.
pub const RESPONSE_CODE_SUCCESS: u8 = super::cs02c::response_code::SUCCESS;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: CS02D,
    device_types: &[DeviceType::Esme, DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// Builds the pre-command placing `certificate` (DER; the supplier signs the pre-command).
pub fn cs02d_update_device_certificate(
    h: &CommandHeader,
    certificate: &[u8],
) -> Result<GeneralSigning, BuildError> {
    if !crate::frame::is_single_der_sequence(certificate) {
        return Err(BuildError::OutOfRange(
            "device certificate is not one DER SEQUENCE",
        ));
    }
    Ok(common::apdu(h, CS02D, certificate.to_vec(), true))
}

/// Decodes the command: the certificate (one DER SEQUENCE; what it certifies is the device's
/// check).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    if apdu.message_code() != CS02D {
        return Err(common::bad(NAME, "message code"));
    }
    if !crate::frame::is_single_der_sequence(&apdu.content) {
        return Err(common::bad(NAME, "not one DER certificate"));
    }
    Ok(DecodedCommand::Cs02d(apdu.content.clone()))
}

/// Decodes the response: `INTEGER` 0 done, any other code a failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let top = Tlv::decode(content)?;
    if top.tag.as_slice() != [TAG_INTEGER] {
        return Err(ResponseDecodeError::Format(
            "response code is not an INTEGER",
        ));
    }
    match common::small_integer(&top) {
        Some(RESPONSE_CODE_SUCCESS) => Ok(ResponseOutcome::Success(ResponseValue::Done)),
        Some(code) => Ok(ResponseOutcome::Failure(Failure::Result { code })),
        None => Err(ResponseDecodeError::Format("response code")),
    }
}

/// What a Device certificate certifies, as the DCC checks a 6.15.2 request's certificate before
/// sending it (the device makes its own checks, the issuer's signature among them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCertificateFacts {
    /// The device (the subjectAltName's one hardwareModuleName's hwSerialNum).
    pub eui: eui::Eui64,
    /// The keyUsage octet.
    pub key_usage: u8,
    /// The subject public key.
    pub public_key: crate::crypto::PublicKey,
}

impl DeviceCertificateFacts {
    /// Reads a Device certificate (DER, exactly one): its EUI, key usage and public key.
    pub fn decode(der: &[u8]) -> Result<Self, ResponseDecodeError> {
        use super::cs02c::{OID_KEY_USAGE, OID_SUBJECT_ALT_NAME, children, hw_serial, prim};
        let bad = ResponseDecodeError::Format;
        let top = Tlv::decode(der)?;
        let [tbs, _, _] = children(&top, crate::asn1::TAG_SEQUENCE, "certificate")? else {
            return Err(bad("certificate"));
        };
        let fields = children(tbs, crate::asn1::TAG_SEQUENCE, "tbsCertificate")?;
        let ext = fields
            .iter()
            .find(|t| t.first_tag_byte() == Some(0xA3))
            .ok_or(bad("extensions (missing)"))?;
        let [list] = children(ext, 0xA3, "extensions")? else {
            return Err(bad("extensions"));
        };
        let (mut eui, mut key_usage) = (None, None);
        for e in children(list, crate::asn1::TAG_SEQUENCE, "extensions")? {
            let f = children(e, crate::asn1::TAG_SEQUENCE, "extension")?;
            let (Some(id), Some(value)) = (f.first(), f.last()) else {
                return Err(bad("extension"));
            };
            let inner = || -> Result<Tlv, ResponseDecodeError> {
                Ok(Tlv::decode(prim(value, 0x04, "extension value")?)?)
            };
            match prim(id, 0x06, "extension id")? {
                OID_KEY_USAGE => {
                    key_usage = Some(
                        crate::credentials::key_usage_of(&inner()?)
                            .map_err(|_| bad("key usage"))?,
                    )
                }
                OID_SUBJECT_ALT_NAME => eui = Some(hw_serial(&inner()?)?),
                _ => {}
            }
        }
        Ok(Self {
            eui: eui.ok_or(bad("subjectAltName hardwareModuleName (missing)"))?,
            key_usage: key_usage.ok_or(bad("key usage (missing)"))?,
            public_key: crate::crypto::PublicKey::from_certificate_der(der)
                .map_err(|_| bad("subject public key"))?,
        })
    }
}

/// The response content: `INTEGER code`.
pub fn response_content(code: u8) -> Vec<u8> {
    Tlv::primitive(TAG_INTEGER, vec![code]).encode()
}
