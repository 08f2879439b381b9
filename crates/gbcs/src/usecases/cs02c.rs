//! CS02c "Issue Security Credentials" (DUIS 6.17, GBCS 13.4; message code 0x000A): the supplier
//! asks the device to generate a new key pair for one key usage and to answer with a PKCS#10
//! certificate signing request for it, which the SMKI service certifies as a Device certificate
//! (placed on the device by CS02d, [`super::cs02d`]). Critical: the builder returns the
//! pre-command, which the supplier signs.
//!
//! As the RTDS vectors show them:
//!
//! ```text
//! command  ::= SEQUENCE { keyUsage BIT STRING }   -- 03 02 07 80 digitalSignature,
//!                                                 -- 03 02 03 08 keyAgreement
//! response ::= CHOICE { certificationRequest CertificationRequest,  -- RFC 2986
//!                       responseCode INTEGER }                      -- [`response_code`]
//! CertificationRequest: version 0, an empty subject, the P-256 subjectPublicKeyInfo, one
//! attribute extensionRequest { keyUsage (critical), subjectAltName (critical) holding one
//! otherName hardwareModuleName { hwType, hwSerialNum = the device's EUI-64 } },
//! ecdsa-with-SHA256, signed with the new private key (proof of possession).
//! ```

use eui::Eui64;

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, Failure, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::asn1::{TAG_INTEGER, TAG_SEQUENCE, Tlv, TlvValue};
use crate::codes::MessageCode;
use crate::credentials::{KEY_USAGE_DS, KEY_USAGE_KA, key_usage_of, key_usage_tlv};
use crate::crypto::PublicKey;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "CS02c";

/// The message code of CS02c.
pub const CS02C: MessageCode = MessageCode(0x000A);

/// The response codes of CS02c and CS02d (one list, as the MMC `StatusASN1` names them for
/// 6.15.2 and 6.17). `invalidKeyUsage` is 3 in both RTDS ERROR vectors (CS02c asking for a
/// keyAgreement pair, CS02d carrying a nonRepudiation certificate); the other values are
/// opendcc's reading of the MMC list's order (6.15.2's codes 1–7, then 6.17's two).
pub mod response_code {
    /// `success`.
    pub const SUCCESS: u8 = 0;
    /// `invalidCertificate`.
    pub const INVALID_CERTIFICATE: u8 = 1;
    /// `wrongDeviceIdentity`.
    pub const WRONG_DEVICE_IDENTITY: u8 = 2;
    /// `invalidKeyUsage`.
    pub const INVALID_KEY_USAGE: u8 = 3;
    /// `noCorrespondingKeyPairGenerated`.
    pub const NO_CORRESPONDING_KEY_PAIR_GENERATED: u8 = 4;
    /// `wrongPublicKey`.
    pub const WRONG_PUBLIC_KEY: u8 = 5;
    /// `certificateStorageFailed`.
    pub const CERTIFICATE_STORAGE_FAILED: u8 = 6;
    /// `privateKeyChangeFailed`.
    pub const PRIVATE_KEY_CHANGE_FAILED: u8 = 7;
    /// `keyPairGenerationFailed`.
    pub const KEY_PAIR_GENERATION_FAILED: u8 = 8;
    /// `cRProductionFailed`.
    pub const CR_PRODUCTION_FAILED: u8 = 9;
    /// `other`.
    pub const OTHER: u8 = 127;

    /// The MMC `ASN1Status` name of a code (`notKnown` for any other).
    pub fn name(code: u8) -> &'static str {
        match code {
            SUCCESS => "success",
            INVALID_CERTIFICATE => "invalidCertificate",
            WRONG_DEVICE_IDENTITY => "wrongDeviceIdentity",
            INVALID_KEY_USAGE => "invalidKeyUsage",
            NO_CORRESPONDING_KEY_PAIR_GENERATED => "noCorrespondingKeyPairGenerated",
            WRONG_PUBLIC_KEY => "wrongPublicKey",
            CERTIFICATE_STORAGE_FAILED => "certificateStorageFailed",
            PRIVATE_KEY_CHANGE_FAILED => "privateKeyChangeFailed",
            KEY_PAIR_GENERATION_FAILED => "keyPairGenerationFailed",
            CR_PRODUCTION_FAILED => "cRProductionFailed",
            OTHER => "other",
            _ => "notKnown",
        }
    }
}

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: CS02C,
    device_types: &[DeviceType::Esme, DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// The command content: `SEQUENCE { keyUsage }` for [`KEY_USAGE_DS`] or [`KEY_USAGE_KA`].
pub fn content(key_usage: u8) -> Result<Vec<u8>, BuildError> {
    if key_usage != KEY_USAGE_DS && key_usage != KEY_USAGE_KA {
        return Err(BuildError::OutOfRange(
            "key usage (digitalSignature or keyAgreement)",
        ));
    }
    Ok(Tlv::constructed(TAG_SEQUENCE, vec![key_usage_tlv(key_usage)]).encode())
}

/// Builds the pre-command (the supplier signs it).
pub fn cs02c_issue_security_credentials(
    h: &CommandHeader,
    key_usage: u8,
) -> Result<GeneralSigning, BuildError> {
    Ok(common::apdu(h, CS02C, content(key_usage)?, true))
}

/// Decodes the command: the key usage asked for (exactly the DS or KA bit, DER-minimal).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    if apdu.message_code() != CS02C {
        return Err(common::bad(NAME, "message code"));
    }
    let top = Tlv::decode(&apdu.content)?;
    let usage = match (&top.value, top.tag.as_slice()) {
        (TlvValue::Constructed(c), [TAG_SEQUENCE]) => match c.as_slice() {
            [k] => key_usage_of(k).map_err(|_| common::bad(NAME, "key usage"))?,
            _ => return Err(common::bad(NAME, "not SEQUENCE { keyUsage }")),
        },
        _ => return Err(common::bad(NAME, "not SEQUENCE { keyUsage }")),
    };
    if (usage != KEY_USAGE_DS && usage != KEY_USAGE_KA)
        || content(usage).ok().as_deref() != Some(&apdu.content[..])
    {
        return Err(common::bad(NAME, "key usage"));
    }
    Ok(DecodedCommand::Cs02c(usage))
}

/// What a device's certificate signing request asks to be certified (checked: its structure,
/// and its signature under its own key).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeviceCsr {
    /// The request, DER, as the device sent it.
    pub der: Vec<u8>,
    /// The device (the hardwareModuleName's hwSerialNum).
    pub eui: Eui64,
    /// The key usage requested ([`KEY_USAGE_DS`] or [`KEY_USAGE_KA`]).
    pub key_usage: u8,
    /// The new public key.
    pub public_key: PublicKey,
}

const OID_EXTENSION_REQUEST: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x0E];
pub(crate) const OID_KEY_USAGE: &[u8] = &[0x55, 0x1D, 0x0F];
pub(crate) const OID_SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1D, 0x11];
const OID_HARDWARE_MODULE_NAME: &[u8] = &[0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x04];
const OID_ECDSA_SHA256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02];

fn csr_bad(why: &'static str) -> ResponseDecodeError {
    ResponseDecodeError::Format(why)
}

pub(crate) fn children<'a>(
    t: &'a Tlv,
    tag: u8,
    why: &'static str,
) -> Result<&'a [Tlv], ResponseDecodeError> {
    match (&t.value, t.tag.as_slice()) {
        (TlvValue::Constructed(c), [x]) if *x == tag => Ok(c),
        _ => Err(csr_bad(why)),
    }
}

pub(crate) fn prim<'a>(
    t: &'a Tlv,
    tag: u8,
    why: &'static str,
) -> Result<&'a [u8], ResponseDecodeError> {
    common::primitive(t, tag).ok_or(csr_bad(why))
}

impl DeviceCsr {
    /// Decodes and checks a device's certificate signing request (module documentation).
    pub fn decode(der: &[u8]) -> Result<Self, ResponseDecodeError> {
        let top = Tlv::decode(der)?;
        if top.encode() != der {
            return Err(csr_bad("certification request is not DER"));
        }
        let [info, alg, sig] = children(&top, TAG_SEQUENCE, "certification request")? else {
            return Err(csr_bad("certification request"));
        };
        let [version, subject, spki, attributes] =
            children(info, TAG_SEQUENCE, "certificationRequestInfo")?
        else {
            return Err(csr_bad("certificationRequestInfo"));
        };
        if common::small_integer(version) != Some(0) {
            return Err(csr_bad("certification request version"));
        }
        if !children(subject, TAG_SEQUENCE, "subject")?.is_empty() {
            return Err(csr_bad("a device request's subject is empty"));
        }
        let public_key = PublicKey::from_spki_der(&spki.encode())
            .map_err(|_| csr_bad("subjectPublicKeyInfo (P-256)"))?;
        let [attribute] = children(attributes, 0xA0, "attributes")? else {
            return Err(csr_bad("one attribute (extensionRequest)"));
        };
        let [oid, values] = children(attribute, TAG_SEQUENCE, "attribute")? else {
            return Err(csr_bad("attribute"));
        };
        if prim(oid, 0x06, "attribute type")? != OID_EXTENSION_REQUEST {
            return Err(csr_bad("the attribute is not extensionRequest"));
        }
        let [extensions] = children(values, 0x31, "extensionRequest values")? else {
            return Err(csr_bad("one extensionRequest value"));
        };
        let mut key_usage = None;
        let mut eui = None;
        for e in children(extensions, TAG_SEQUENCE, "extensions")? {
            let [id, critical, value] = children(e, TAG_SEQUENCE, "extension")? else {
                return Err(csr_bad("extension (critical)"));
            };
            if prim(critical, 0x01, "extension criticality")? != [0xFF] {
                return Err(csr_bad("extension not critical"));
            }
            let inner = Tlv::decode(prim(value, 0x04, "extension value")?)?;
            match prim(id, 0x06, "extension id")? {
                OID_KEY_USAGE if key_usage.is_none() => {
                    key_usage = Some(key_usage_of(&inner).map_err(|_| csr_bad("key usage"))?);
                }
                OID_SUBJECT_ALT_NAME if eui.is_none() => eui = Some(hw_serial(&inner)?),
                _ => return Err(csr_bad("extension (keyUsage, subjectAltName)")),
            }
        }
        let key_usage = key_usage.ok_or(csr_bad("key usage (missing)"))?;
        if key_usage != KEY_USAGE_DS && key_usage != KEY_USAGE_KA {
            return Err(csr_bad("key usage"));
        }
        let eui = eui.ok_or(csr_bad("subjectAltName (missing)"))?;
        let [alg_oid] = children(alg, TAG_SEQUENCE, "signature algorithm")? else {
            return Err(csr_bad("signature algorithm"));
        };
        if prim(alg_oid, 0x06, "signature algorithm")? != OID_ECDSA_SHA256 {
            return Err(csr_bad("signature algorithm (ecdsa-with-SHA256)"));
        }
        let signature = match prim(sig, 0x03, "signature")? {
            [0, s @ ..] => s,
            _ => return Err(csr_bad("signature bit string")),
        };
        crate::crypto::verify_der_signature(&public_key, &info.encode(), signature)
            .map_err(|_| csr_bad("the request's signature (proof of possession)"))?;
        Ok(Self {
            der: der.to_vec(),
            eui,
            key_usage,
            public_key,
        })
    }
}

/// The hwSerialNum of a subjectAltName holding exactly one hardwareModuleName.
pub(crate) fn hw_serial(san: &Tlv) -> Result<Eui64, ResponseDecodeError> {
    let [other] = children(san, TAG_SEQUENCE, "subjectAltName")? else {
        return Err(csr_bad("one subjectAltName name"));
    };
    let [oid, value] = children(other, 0xA0, "otherName")? else {
        return Err(csr_bad("otherName"));
    };
    if prim(oid, 0x06, "otherName type")? != OID_HARDWARE_MODULE_NAME {
        return Err(csr_bad("otherName is not a hardwareModuleName"));
    }
    let [module] = children(value, 0xA0, "otherName value")? else {
        return Err(csr_bad("hardwareModuleName"));
    };
    let [hw_type, serial] = children(module, TAG_SEQUENCE, "hardwareModuleName")? else {
        return Err(csr_bad("hardwareModuleName"));
    };
    prim(hw_type, 0x06, "hwType")?;
    let b: [u8; 8] = prim(serial, 0x04, "hwSerialNum")?
        .try_into()
        .map_err(|_| csr_bad("hwSerialNum (an EUI-64)"))?;
    Ok(Eui64(b))
}

/// Decodes the response: the checked request, or the device's response code.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let top = Tlv::decode(content)?;
    if top.tag.as_slice() == [TAG_INTEGER] {
        return match common::small_integer(&top) {
            Some(code) => Ok(ResponseOutcome::Failure(Failure::Result { code })),
            None => Err(csr_bad("response code")),
        };
    }
    Ok(ResponseOutcome::Success(
        ResponseValue::CertificateSigningRequest(Box::new(DeviceCsr::decode(content)?)),
    ))
}

/// The response content of a failure: `INTEGER code`.
pub fn failure_content(code: u8) -> Vec<u8> {
    Tlv::primitive(TAG_INTEGER, vec![code]).encode()
}
