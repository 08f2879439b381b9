//! CS06 "Activate Firmware" (DUIS 11.3, message code 0x0012): the supplier has the ESME or GSME
//! (or the Communications Hub) run a firmware image it already holds (distributed by CS05a/b,
//! [`crate::firmware`]) and verified; the image is named by its manufacturer image hash.
//! Critical: the builder returns the pre-command, which the supplier signs.
//!
//! As the RTDS `11.3_CS06` vectors show it:
//!
//! ```text
//! command   SEQUENCE { manufacturerImageHash OCTET STRING (SIZE(32)),
//!                      originatorCounter     INTEGER,          -- = the command's counter
//!                      executionDateTime     GeneralizedTime OPTIONAL }
//! response  NULL                                 -- future dated (or cancelled): acknowledged
//!         | SEQUENCE { activationStatus INTEGER, firmwareVersion OCTET STRING (SIZE(4)) }
//! alert     8F66/8F67 (message code 00CA): SEQUENCE { alert code, executionDateTime,
//!           originatorCounter, SEQUENCE { activationStatus, firmwareVersion } }
//! ```
//!
//! `executionDateTime`: absent immediate; `99991231235959Z` (DUIS's 3000-12-31) cancels a held
//! activation; else the instant the device activates the image. `activationStatus` ([`status`],
//! the MMC `ActivateImageResponseCode` enumeration): 0 success (the firmware version then the one
//! now running), 1 no image held, 2 hash mismatch (an image is held, not with that hash), 3
//! activation failure; the RTDS IMMEDIATE_ERROR response carries 1, the FUTURE_DATED_ERROR alert
//! 2.

use super::common::{self, CommandHeader};
use super::{
    Activation, CommandDecodeError, DecodedCommand, DeviceType, Failure, PayloadKind,
    RemotePartyRole as R, ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::asn1::{
    TAG_GENERALIZED_TIME, TAG_INTEGER, TAG_NULL, TAG_OCTET_STRING, TAG_SEQUENCE, Tlv, TlvValue,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "CS06";

/// The message code of CS06.
pub const CS06: MessageCode = MessageCode(0x0012);

/// The message code of the CS06 future-dated outcome alert (8F66/8F67).
pub const CS06_ALERT: MessageCode = MessageCode(0x00CA);

/// `activationStatus` values (module documentation).
pub mod status {
    /// The image was activated: the reported version now runs.
    pub const SUCCESS: u8 = 0;
    /// The device holds no image pending activation.
    pub const NO_IMAGE_HELD: u8 = 1;
    /// The device holds an image, but its hash is not the command's.
    pub const HASH_MISMATCH: u8 = 2;
    /// The image could not be activated.
    pub const ACTIVATION_FAILURE: u8 = 3;

    /// The MMC `ASN1Status` name of a status.
    pub fn name(status: i64) -> &'static str {
        match status {
            0 => "success",
            1 => "noImageHeld",
            2 => "hashMismatch",
            3 => "activationFailure",
            _ => "notKnown",
        }
    }
}

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: CS06,
    device_types: &[DeviceType::Esme, DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// A decoded CS06 command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActivateFirmware {
    /// The manufacturer image hash of the image to activate.
    pub image_hash: [u8; 32],
    /// When: now, at an instant, or cancel the held activation.
    pub activation: Activation,
}

/// The device's answer to an activation done (or refused) at once, and the outcome block of
/// its 8F66/8F67 alert.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActivationResult {
    /// `activationStatus` ([`status`]).
    pub status: u8,
    /// The firmware version running after the command (4 octets).
    pub firmware_version: Vec<u8>,
}

impl ActivationResult {
    /// `SEQUENCE { INTEGER status, OCTET STRING version }`.
    pub fn to_tlv(&self) -> Tlv {
        Tlv::constructed(
            TAG_SEQUENCE,
            vec![
                Tlv::primitive(TAG_INTEGER, vec![self.status]),
                Tlv::primitive(TAG_OCTET_STRING, self.firmware_version.clone()),
            ],
        )
    }

    /// The response content.
    pub fn encode(&self) -> Vec<u8> {
        self.to_tlv().encode()
    }

    fn from_tlv(t: &Tlv) -> Option<Self> {
        let TlvValue::Constructed(c) = &t.value else {
            return None;
        };
        if t.tag.as_slice() != [TAG_SEQUENCE] {
            return None;
        }
        let [s, v] = &c[..] else { return None };
        Some(Self {
            status: common::small_integer(s)?,
            firmware_version: common::primitive(v, TAG_OCTET_STRING)?.to_vec(),
        })
    }
}

/// The response content of a future-dated (or cancelling) CS06: an ASN.1 NULL.
pub fn acknowledged_content() -> Vec<u8> {
    Tlv::primitive(TAG_NULL, Vec::new()).encode()
}

/// A DER INTEGER's content octets for a non-negative value.
fn uint_bytes(v: u64) -> Vec<u8> {
    let b = v.to_be_bytes();
    let first = b.iter().position(|&x| x != 0).unwrap_or(7);
    let mut out = b[first..].to_vec();
    if out.first().is_some_and(|&x| x & 0x80 != 0) {
        out.insert(0, 0);
    }
    out
}

/// The command content for `counter`.
pub fn content(
    image_hash: &[u8; 32],
    counter: u64,
    activation: Activation,
) -> Result<Vec<u8>, BuildError> {
    let mut fields = vec![
        Tlv::primitive(TAG_OCTET_STRING, image_hash.to_vec()),
        Tlv::primitive(TAG_INTEGER, uint_bytes(counter)),
    ];
    if let Some(t) = super::cs02b::execution_date_time(activation)? {
        fields.push(Tlv::primitive(TAG_GENERALIZED_TIME, t));
    }
    Ok(Tlv::constructed(TAG_SEQUENCE, fields).encode())
}

/// Builds the pre-command activating the image with `image_hash` (the supplier signs it).
pub fn cs06_activate_firmware(
    h: &CommandHeader,
    image_hash: &[u8; 32],
    activation: Activation,
) -> Result<GeneralSigning, BuildError> {
    Ok(common::apdu(
        h,
        CS06,
        content(image_hash, h.counter, activation)?,
        true,
    ))
}

/// Decodes the command: exactly the DER the builder makes (hash of 32 octets, the counter equal
/// to the command's, a GeneralizedTime if any), nothing else.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    if apdu.message_code() != CS06 {
        return Err(common::bad(NAME, "message code"));
    }
    let top = Tlv::decode(&apdu.content)?;
    let (TlvValue::Constructed(fields), [TAG_SEQUENCE]) = (&top.value, top.tag.as_slice()) else {
        return Err(common::bad(NAME, "content is not a SEQUENCE"));
    };
    let (hash, time) = match &fields[..] {
        [h, _] => (h, None),
        [h, _, t] => (h, Some(t)),
        _ => return Err(common::bad(NAME, "two or three members")),
    };
    let image_hash: [u8; 32] = common::primitive(hash, TAG_OCTET_STRING)
        .and_then(|b| b.try_into().ok())
        .ok_or(common::bad(NAME, "manufacturerImageHash is not 32 octets"))?;
    let activation = match time {
        None => Activation::Now,
        Some(t) => {
            let b = common::primitive(t, TAG_GENERALIZED_TIME).ok_or(common::bad(
                NAME,
                "executionDateTime is not a GeneralizedTime",
            ))?;
            if b == super::cs02b::CANCEL_GENERALIZED_TIME {
                Activation::Cancel
            } else {
                crate::UtcDateTime::from_generalized_time(b)
                    .map(Activation::At)
                    .ok_or(common::bad(NAME, "executionDateTime"))?
            }
        }
    };
    // The counter bound to the command's, and canonical DER throughout.
    let rebuilt = content(&image_hash, apdu.counter, activation)
        .map_err(|_| common::bad(NAME, "executionDateTime"))?;
    if rebuilt != apdu.content {
        return Err(common::bad(
            NAME,
            "originatorCounter is not the command's counter, or not DER",
        ));
    }
    Ok(DecodedCommand::Cs06(ActivateFirmware {
        image_hash,
        activation,
    }))
}

/// Decodes the response: NULL (held or cancelled: done), or the activation result, status 0 a
/// success with the version now running.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let top = Tlv::decode(content)?;
    if top.tag.as_slice() == [TAG_NULL] {
        return match &top.value {
            TlvValue::Primitive(v) if v.is_empty() => {
                Ok(ResponseOutcome::Success(ResponseValue::Done))
            }
            _ => Err(ResponseDecodeError::Format("NULL with content")),
        };
    }
    let r = ActivationResult::from_tlv(&top).ok_or(ResponseDecodeError::Format(
        "not SEQUENCE { INTEGER activationStatus, OCTET STRING firmwareVersion }",
    ))?;
    if r.status == status::SUCCESS {
        Ok(ResponseOutcome::Success(ResponseValue::FirmwareVersion(
            r.firmware_version,
        )))
    } else {
        Ok(ResponseOutcome::Failure(Failure::Result { code: r.status }))
    }
}

/// The content of the 8F66/8F67 alert for a held activation: the alert code, the execution
/// time it was held for (GeneralizedTime content), the command's counter and the result.
pub fn future_dated_alert_content(
    alert_code: u16,
    execution_time: &[u8],
    counter: u64,
    result: &ActivationResult,
) -> Vec<u8> {
    Tlv::constructed(
        TAG_SEQUENCE,
        vec![
            Tlv::primitive(TAG_INTEGER, uint_bytes(u64::from(alert_code))),
            Tlv::primitive(TAG_GENERALIZED_TIME, execution_time.to_vec()),
            Tlv::primitive(TAG_INTEGER, uint_bytes(counter)),
            result.to_tlv(),
        ],
    )
    .encode()
}
