//! What the GBCS join and unjoin use cases (GBCS 13.7; DUIS 8.7 Join Service, 8.8 Unjoin
//! Service) share: their ASN.1 shapes, as the RTDS vectors show them.
//!
//! * Join (CS03A1 `0x000D`, CS03A2 `0x00AB`, CS03B `0x000E`, CS03C `0x00AF`): the content is
//!   `SEQUENCE { joinMethodAndRole INTEGER, otherDeviceEntityIdentifier OCTET STRING (8),
//!   otherDeviceType INTEGER, otherDeviceKeyAgreementCertificate Certificate OPTIONAL }`; the
//!   certificate is present in CS03C (Method C) only.
//! * Unjoin (CS04AC `0x000F`, CS04B `0x0010`): the content is the other device's entity
//!   identifier, `OCTET STRING (8)`.
//! * Both answer `INTEGER` responseCode: 0 success, any other a failure named as
//!   [`JOIN_RESPONSE_NAMES`] and [`UNJOIN_RESPONSE_NAMES`] say.
//!
//! Methods and device types, each with the vectors it rests on: join method 0 (Method A, the
//! meter initiates: CS03A1), 1 (Method A, the non-meter responds: CS03A2), 2 (Method B: CS03B),
//! 3 (Method C: CS03C); device type 0 GSME (CS03CNonCritical), 1 ESME (CS03A2), 3 a Type 2
//! device (IHD or CAD, CS03B), 4 HCALCS (CS03A1), 5 PPMID (CS03CCritical, CS03A1 ERROR).

use eui::Eui64;

use super::common::{self, CommandHeader};
use super::{CommandDecodeError, Failure, ResponseDecodeError, ResponseOutcome, ResponseValue};
use crate::asn1::{TAG_INTEGER, TAG_OCTET_STRING, TAG_SEQUENCE, Tlv, TlvValue};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

/// CS03A1 Method A Join (Meter).
pub const CS03A1: MessageCode = MessageCode(0x000D);
/// CS03B Method B Join.
pub const CS03B: MessageCode = MessageCode(0x000E);
/// CS03A2 Method A Join (non Meter).
pub const CS03A2: MessageCode = MessageCode(0x00AB);
/// CS03C Method C Join.
pub const CS03C: MessageCode = MessageCode(0x00AF);
/// CS04AC Method A or C Unjoin.
pub const CS04AC: MessageCode = MessageCode(0x000F);
/// CS04B Method B Unjoin.
pub const CS04B: MessageCode = MessageCode(0x0010);

/// responseCode success.
pub const RESPONSE_SUCCESS: u8 = 0;
/// responseCode names, as the MMC schema lists them (`StatusASN1`, "Join commands 8.7.1 &
/// 8.7.2" and "Unjoin commands 8.8.1, 8.8.2", in order from 1); the RTDS ERROR vectors bear
/// them out: CS03A1 3 (the device joined as an HCALCS in the SUCCESS scenario, then named a
/// PPMID), CS03CNonCritical 11 (a Method C join without a certificate), CS04AC and CS04B 1 (a
/// device `0303…03` never joined).
pub const JOIN_RESPONSE_NAMES: [&str; 14] = [
    "success",
    "invalidMessageCodeForJoinMethodAndRole",
    "invalidJoinMethodAndRole",
    "incompatibleWithExistingEntry",
    "deviceLogFull",
    "writeFailure",
    "keyAgreementNoResources",
    "keyAgreementUnknownIssuer",
    "keyAgreementUnsupportedSuite",
    "keyAgreementBadMessage",
    "keyAgreementBadKeyConfirm",
    "invalidOrMissingCertificate",
    "noPartnerLinkKeyReceived",
    "noCBKEResponse",
];
/// Unjoin responseCode names (see [`JOIN_RESPONSE_NAMES`]).
pub const UNJOIN_RESPONSE_NAMES: [&str; 3] =
    ["success", "otherDeviceNotInDeviceLog", "otherFailure"];
/// Join: the method and role do not fit the device or the other device's type.
pub const RESPONSE_INVALID_JOIN_METHOD_AND_ROLE: u8 = 2;
/// Join: the device log holds the other device with another type or method.
pub const RESPONSE_INCOMPATIBLE_WITH_EXISTING_ENTRY: u8 = 3;
/// Join: the device log is full.
pub const RESPONSE_DEVICE_LOG_FULL: u8 = 4;
/// Join: a Method C join without (or with an unusable) KA certificate.
pub const RESPONSE_INVALID_OR_MISSING_CERTIFICATE: u8 = 11;
/// Unjoin: the other device is not in the device log.
pub const RESPONSE_NOT_IN_DEVICE_LOG: u8 = 1;

/// The name of a join (`unjoin` false) or unjoin responseCode, `notKnown` for another value.
pub fn response_name(code: u8, unjoin: bool) -> &'static str {
    let names: &[&'static str] = if unjoin {
        &UNJOIN_RESPONSE_NAMES
    } else {
        &JOIN_RESPONSE_NAMES
    };
    names.get(usize::from(code)).copied().unwrap_or("notKnown")
}

/// Every device type a join may name: the decoders take any (the device answers
/// [`RESPONSE_INVALID_JOIN_METHOD_AND_ROLE`] for one it does not join); the builders only the use
/// case's.
pub const ALL_TYPES: &[JoinDeviceType] = &[
    JoinDeviceType::Gsme,
    JoinDeviceType::Esme,
    JoinDeviceType::Type2,
    JoinDeviceType::Hcalcs,
    JoinDeviceType::Ppmid,
];

/// `joinMethodAndRole`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JoinMethod {
    /// Method A, the meter's side (CS03A1).
    MethodAInitiator,
    /// Method A, the other device's side (CS03A2).
    MethodAResponder,
    /// Method B (CS03B).
    MethodB,
    /// Method C (CS03C).
    MethodC,
}

impl JoinMethod {
    /// The INTEGER value.
    pub const fn code(self) -> u8 {
        match self {
            Self::MethodAInitiator => 0,
            Self::MethodAResponder => 1,
            Self::MethodB => 2,
            Self::MethodC => 3,
        }
    }

    /// The method an INTEGER value stands for.
    pub const fn from_code(c: u8) -> Option<Self> {
        Some(match c {
            0 => Self::MethodAInitiator,
            1 => Self::MethodAResponder,
            2 => Self::MethodB,
            3 => Self::MethodC,
            _ => return None,
        })
    }
}

/// `otherDeviceType`: the device a join names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JoinDeviceType {
    /// Gas Smart Metering Equipment.
    Gsme,
    /// Electricity Smart Metering Equipment.
    Esme,
    /// A Type 2 device (IHD, CAD): joined by Method B.
    Type2,
    /// HAN Connected Auxiliary Load Control Switch.
    Hcalcs,
    /// Prepayment Interface Device.
    Ppmid,
}

impl JoinDeviceType {
    /// The INTEGER value.
    pub const fn code(self) -> u8 {
        match self {
            Self::Gsme => 0,
            Self::Esme => 1,
            Self::Type2 => 3,
            Self::Hcalcs => 4,
            Self::Ppmid => 5,
        }
    }

    /// The device type an INTEGER value stands for.
    pub const fn from_code(c: u8) -> Option<Self> {
        Some(match c {
            0 => Self::Gsme,
            1 => Self::Esme,
            3 => Self::Type2,
            4 => Self::Hcalcs,
            5 => Self::Ppmid,
            _ => return None,
        })
    }
}

/// What a join command asks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JoinCommand {
    /// The method and this device's role in it.
    pub method: JoinMethod,
    /// The device to join.
    pub other_device: Eui64,
    /// Its type.
    pub other_type: JoinDeviceType,
    /// Its key-agreement certificate (DER, one SEQUENCE): Method C only.
    pub ka_certificate: Option<Vec<u8>>,
}

fn small(v: u8) -> Tlv {
    Tlv::primitive(TAG_INTEGER, vec![v])
}

/// The join content.
pub(crate) fn join_content(c: &JoinCommand) -> Result<Vec<u8>, BuildError> {
    let mut fields = vec![
        small(c.method.code()),
        Tlv::primitive(TAG_OCTET_STRING, c.other_device.0.to_vec()),
        small(c.other_type.code()),
    ];
    match (&c.ka_certificate, c.method) {
        (Some(cert), JoinMethod::MethodC) => {
            let t = Tlv::decode(cert)
                .map_err(|_| BuildError::OutOfRange("KA certificate is not DER"))?;
            if t.tag.as_slice() != [TAG_SEQUENCE] || !crate::frame::is_single_der_sequence(cert) {
                return Err(BuildError::OutOfRange(
                    "KA certificate is not one DER SEQUENCE",
                ));
            }
            fields.push(t);
        }
        (Some(_), _) => {
            return Err(BuildError::OutOfRange(
                "only a Method C join carries a certificate",
            ));
        }
        (None, _) => {}
    }
    let content = Tlv::constructed(TAG_SEQUENCE, fields).encode();
    Ok(content)
}

/// A join pre-command (critical form: the originator, a supplier or the ACB, signs it).
pub(crate) fn join_apdu(
    h: &CommandHeader,
    code: MessageCode,
    c: &JoinCommand,
    critical: bool,
) -> Result<GeneralSigning, BuildError> {
    Ok(common::apdu(h, code, join_content(c)?, critical))
}

/// Decodes a join command's content strictly: exactly the layout [`join_content`] makes, with
/// `method`, and a device type `allowed`.
pub(crate) fn decode_join(
    apdu: &GeneralSigning,
    name: &'static str,
    code: MessageCode,
    method: JoinMethod,
    allowed: &[JoinDeviceType],
) -> Result<JoinCommand, CommandDecodeError> {
    let bad = |why| common::bad(name, why);
    if apdu.message_code() != code {
        return Err(bad("message code"));
    }
    let top = Tlv::decode(&apdu.content)?;
    let TlvValue::Constructed(children) = &top.value else {
        return Err(bad("content is not a SEQUENCE"));
    };
    if top.tag.as_slice() != [TAG_SEQUENCE] {
        return Err(bad("content is not a SEQUENCE"));
    }
    let (m, id, t, cert) = match &children[..] {
        [m, id, t] => (m, id, t, None),
        [m, id, t, c] => (m, id, t, Some(c)),
        _ => return Err(bad("join has three or four members")),
    };
    let m = common::small_integer(m)
        .and_then(JoinMethod::from_code)
        .ok_or(bad("joinMethodAndRole"))?;
    if m != method {
        return Err(bad("joinMethodAndRole is not this use case's"));
    }
    let other_device = common::primitive(id, TAG_OCTET_STRING)
        .and_then(Eui64::from_slice)
        .ok_or(bad("otherDeviceEntityIdentifier is not eight octets"))?;
    let other_type = common::small_integer(t)
        .and_then(JoinDeviceType::from_code)
        .filter(|t| allowed.contains(t))
        .ok_or(bad("otherDeviceType is not one this use case joins"))?;
    let ka_certificate = cert.map(Tlv::encode);
    let c = JoinCommand {
        method,
        other_device,
        other_type,
        ka_certificate,
    };
    // Strict: the content is exactly what the builder makes of what it says.
    match join_content(&c) {
        Ok(again) if again == apdu.content => Ok(c),
        _ => Err(bad("not the canonical join content")),
    }
}

/// The unjoin content.
pub(crate) fn unjoin_content(other: Eui64) -> Vec<u8> {
    Tlv::primitive(TAG_OCTET_STRING, other.0.to_vec()).encode()
}

/// Decodes an unjoin command's content strictly: one OCTET STRING of eight octets.
pub(crate) fn decode_unjoin(
    apdu: &GeneralSigning,
    name: &'static str,
    code: MessageCode,
) -> Result<Eui64, CommandDecodeError> {
    let bad = |why| common::bad(name, why);
    if apdu.message_code() != code {
        return Err(bad("message code"));
    }
    let top = Tlv::decode(&apdu.content)?;
    let id = common::primitive(&top, TAG_OCTET_STRING)
        .and_then(Eui64::from_slice)
        .ok_or(bad("content is not an eight-octet OCTET STRING"))?;
    if unjoin_content(id) != apdu.content {
        return Err(bad("not the canonical unjoin content"));
    }
    Ok(id)
}

/// Decodes a join or unjoin response: `INTEGER` 0 done, any other code a failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let top = Tlv::decode(content)?;
    if top.tag.as_slice() != [TAG_INTEGER] {
        return Err(ResponseDecodeError::Format(
            "response code is not an INTEGER",
        ));
    }
    match common::small_integer(&top) {
        Some(RESPONSE_SUCCESS) => Ok(ResponseOutcome::Success(ResponseValue::Done)),
        Some(code) => Ok(ResponseOutcome::Failure(Failure::Result { code })),
        None => Err(ResponseDecodeError::Format("response code")),
    }
}

/// The response content: `INTEGER code`.
pub fn response_content(code: u8) -> Vec<u8> {
    small(code).encode()
}
