//! Device alerts: the alert code, the alert's own identity, and — for the outcome of a
//! future-dated command (alert codes `8F66` executed, `8F67` failed) — the originating command's
//! identity and what the device reports about it.
//!
//! [`decode_alert`] takes a whole alert frame as the device sent it (a MAC'd `DD` General-Ciphering
//! frame, or a signed `DF` General-Signing APDU). It is pure and never panics.
//!
//! # Alert payload layouts (as the 93 RTDS 4.5.0 alert vectors show them)
//!
//! ```text
//! DLMS   0F <invoke-id 4> <date-time: 00 = absent>
//!           structure { long-unsigned alert-code,
//!                       octet-string(12) COSEM date-time,
//!                       alert-specific elements … }
//!        future-dated outcome: one more element, an octet-string(19):
//!           message-code(2) ‖ originator-counter(8) ‖ class-id(2) ‖ OBIS(6) ‖ attribute(1)
//!           — the COSEM attribute (an activation date-time) whose instruction was executed;
//!           the date-time element is the execution time.
//! GBZ    01 09 <component-count 1> <alert-code 2> <UTC seconds since 2000, 4>, then ZCL
//!           components (GCS53), use-case bytes (FDRA, MIIWA) or nothing (GCA, GNCA);
//!        future-dated outcome: 0E ‖ message-code(2) ‖ originator-counter(8) ‖ cluster(2) ‖
//!           ZCL frame-control(1) ‖ ZCL command(1) of the component that was executed.
//! ASN.1  SEQUENCE { INTEGER alert-code, GeneralizedTime, alert-specific elements … }
//!        future-dated outcome of CS06 (alert message code 00CA):
//!           … INTEGER originator-counter, SEQUENCE { INTEGER status, OCTET STRING(4) }
//!        future-dated outcome of CS02b / CS02g (alert message codes 00CB, 0124):
//!           … ExecutionOutcome, as in the CS02b response ([`crate::credentials`]):
//!           SEQUENCE { INTEGER seq-number (= originator counter), INTEGER replacement-mode,
//!                      SEQUENCE OF seq-number-change, SEQUENCE OF replacement-outcome }
//! ```
//!
//! # Instruction number (DUIS `FutureDatedDeviceAlertMessage`)
//!
//! A future-dated command may hold several future-dated instructions, and the device raises one
//! outcome alert per instruction (ECS01a: 6, ECS08: 9, GCS01a: 5, GCS05: 6 …). DUIS wants the
//! DCC to say which one an alert reports on (`InstructionNumber`) and how many there are
//! (`TotalCommandInstructions`); [`FutureDatedOutcome::instruction_position`] derives both from
//! the originating command:
//!
//! * DLMS: the instructions are the command's SETs whose value is a 12-byte octet string (an
//!   activation/execution date-time); the alert names the attribute;
//! * GBZ: the instructions are the command's components, except the Calendar cluster's Publish
//!   Day Profiles / Week Profiles / Seasons (commands 1, 2, 3), which the Publish Calendar
//!   component activates and which raise no alert of their own; the alert names cluster,
//!   frame type and command (the first matching component is taken). Only the frame-type bits of
//!   the frame control are compared: the RTDS GCS05 alerts report `01` for Calendar components
//!   the command sent with `09`;
//! * ASN.1 (CS06, CS02b, CS02g): one instruction.
//!
//! In every RTDS future-dated scenario the instruction count equals the number of outcome alert
//! vectors and their counters rise in instruction order (checked by `tests/alerts.rs`).

use eui::Eui64;

use crate::asn1::{TAG_GENERALIZED_TIME, TAG_INTEGER, TAG_NULL, TAG_OCTET_STRING, TAG_SEQUENCE};
use crate::asn1::{Tlv, TlvValue};
use crate::axdr::Data;
use crate::codes::{AlertCode, Cra, MessageCode};
use crate::credentials::{ExecutionOutcome, UpdateSecurityCredentialsResponse};
use crate::datetime::UtcDateTime;
use crate::dlms::{AccessRequest, CosemDescriptor, DataNotification, RequestSpec};
use crate::error::DecodeError;
use crate::frame::{Frame, GeneralSigning, OtherInfoExt, SignatureField};
use crate::gbz::{GbzAlertBody, GbzBody, GbzPayload};
use crate::payload::Payload;

/// Which payload codec the alert uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertFamily {
    /// DLMS Data-Notification (`0F …`): ESME and comms hub alerts.
    Dlms,
    /// GBZ (`01 09 …`): gas device alerts.
    Gbz,
    /// ASN.1 DER (`30 …`): CS02b/g, CS06, CS09, CCS08, GCS62 alerts.
    Asn1,
}

/// How the device protected the alert frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AlertProtection {
    /// The frame came in a General-Ciphering (`DD`) wrapper with a MAC (non-critical alerts).
    pub mac: bool,
    /// The General-Signing APDU carries an ECDSA signature (critical alerts).
    pub signed: bool,
}

/// A time stamp as the alert payload carries it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AlertTime {
    /// 12-byte COSEM date-time (DLMS alerts).
    Cosem([u8; 12]),
    /// ZigBee UTC time: seconds since 2000-01-01 00:00:00 UTC (GBZ alerts).
    ZigbeeUtc(u32),
    /// GeneralizedTime content bytes, `YYYYMMDDHHMMSSZ` (ASN.1 alerts).
    Generalized(Vec<u8>),
}

impl AlertTime {
    /// The instant in UTC, where the value is a complete, valid time.
    pub fn to_utc(&self) -> Option<UtcDateTime> {
        match self {
            AlertTime::Cosem(b) => UtcDateTime::from_cosem(b),
            AlertTime::ZigbeeUtc(s) => UtcDateTime::from_zigbee_utc(*s),
            AlertTime::Generalized(b) => UtcDateTime::from_generalized_time(b),
        }
    }
}

/// The alert-specific part of the payload (after the alert code and time stamp) of an alert that
/// is not a future-dated outcome. Typed as far as the generic codecs go; the DCC forwards the
/// whole frame to users unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AlertDetail {
    /// DLMS: the notification structure's elements after the alert code and the date-time.
    Dlms(Vec<Data>),
    /// GBZ: what follows the alert code and time stamp.
    Gbz(GbzAlertBody),
    /// ASN.1: the top SEQUENCE's elements after the alert code and the GeneralizedTime.
    Asn1(Vec<Tlv>),
}

/// Whether the future-dated command was executed (from the alert code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FutureDatedResult {
    /// `8F66`: executed successfully.
    Executed,
    /// `8F67`: failed.
    Failed,
}

impl FutureDatedResult {
    /// From the alert code, if it is a future-dated outcome code.
    pub const fn from_alert_code(code: AlertCode) -> Option<Self> {
        match code.0 {
            0x8F66 => Some(Self::Executed),
            0x8F67 => Some(Self::Failed),
            _ => None,
        }
    }

    /// The GBCS alert code (`8F66` / `8F67`): DUIS `FutureDatedAlertCode`.
    pub const fn alert_code(self) -> AlertCode {
        match self {
            Self::Executed => AlertCode(0x8F66),
            Self::Failed => AlertCode(0x8F67),
        }
    }
}

/// The GBCS identity of the command a future-dated outcome alert reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OriginatingCommand {
    /// Who sent the command (the alert's recipient). With `target` and `counter` this gives the
    /// DUIS RequestID `originator:target:counter` of a user-originated command. For a command the
    /// DCC originated itself (e.g. CS02b by TransCoS) it is the DCC role and `counter` is the
    /// DCC's counter, which the DCC maps back to the user's request.
    pub originator: Eui64,
    /// The device the command was for (the alert's originator).
    pub target: Eui64,
    /// The command's originator counter (GBCS transaction id without the CRA flag).
    pub counter: u64,
    /// The command's message code: carried in DLMS and GBZ outcomes. For ASN.1 outcomes it is
    /// derived (CS06 alert `00CA` → `0012`; CS02b/g from the replacement mode: mode `m` ≤ 9 →
    /// `0100 + m`, 10 → `0125`, 11 → `0126`, as every RTDS CS02b/g pair shows); `None` when it
    /// cannot be derived.
    pub message_code: Option<MessageCode>,
}

/// What a future-dated outcome alert says about the instruction that was (or failed to be)
/// executed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FutureDatedInstruction {
    /// DLMS: the COSEM attribute (activation date-time) of the executed instruction.
    Dlms(CosemDescriptor),
    /// GBZ: the executed component's cluster and ZCL header.
    Gbz {
        /// ZCL cluster id.
        cluster: u16,
        /// ZCL frame control.
        frame_control: u8,
        /// ZCL command id.
        command: u8,
    },
    /// CS06 firmware activation.
    FirmwareActivation {
        /// The device's status integer (`0` on the RTDS success vector, `2` on the failure one).
        status: i64,
        /// The 4-byte octet string that follows (the firmware version the device reports).
        firmware_version: Vec<u8>,
    },
    /// CS02b / CS02g: the credentials update's execution outcome.
    CredentialsUpdate(ExecutionOutcome),
}

/// The outcome of a future-dated command (alert `8F66` / `8F67`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FutureDatedOutcome {
    /// Executed or failed.
    pub result: FutureDatedResult,
    /// The command reported on.
    pub command: OriginatingCommand,
    /// When the device executed (or tried to execute) it, as the alert carries it.
    pub execution_time: Option<AlertTime>,
    /// Which instruction, and the instruction-specific report.
    pub instruction: FutureDatedInstruction,
}

/// Which instruction of the originating command an outcome alert reports on: DUIS
/// `InstructionNumber` and `TotalCommandInstructions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InstructionPosition {
    /// 1-based instruction number.
    pub number: u16,
    /// Number of future-dated instructions in the command.
    pub total: u16,
}

/// Why [`FutureDatedOutcome::instruction_position`] could not place the alert.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstructionError {
    /// The APDU given is not a command.
    #[error("the originating message is not a command")]
    NotACommand,
    /// The command's counter is not the one the alert reports on.
    #[error("command counter {found} is not the alert's {expected}")]
    CounterMismatch {
        /// The counter the alert names.
        expected: u64,
        /// The command's counter.
        found: u64,
    },
    /// The command's message code is not the one the alert reports on.
    #[error("command message code {found} is not the alert's {expected}")]
    MessageCodeMismatch {
        /// The code the alert names.
        expected: MessageCode,
        /// The command's code.
        found: MessageCode,
    },
    /// The command's payload is not of the alert's kind (DLMS / GBZ / ASN.1).
    #[error("the command payload does not match the alert's payload family")]
    PayloadMismatch,
    /// No future-dated instruction of the command matches the alert.
    #[error("no future-dated instruction of the command matches the alert")]
    NoMatchingInstruction,
    /// More instructions than DUIS `unsignedShort` can count.
    #[error("too many instructions")]
    TooManyInstructions,
}

/// A decoded device alert.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DecodedAlert {
    /// The GBCS alert code from the payload.
    pub alert_code: AlertCode,
    /// The alert's GBCS message code (other-information).
    pub message_code: MessageCode,
    /// The alert's own originator counter (the counter of a device alert's DUIS ResponseID).
    pub counter: u64,
    /// The device that raised it.
    pub originator: Eui64,
    /// Who it is addressed to (a user, or a DCC role such as the Access Control Broker).
    pub recipient: Eui64,
    /// Supplementary remote party from other-information, if any (ECS100 via the ACB, ECS200).
    pub supplementary_remote_party: Option<Eui64>,
    /// Supplementary remote-party counter from other-information, if any.
    pub supplementary_remote_party_counter: Option<u64>,
    /// The alert's time stamp from the payload, if it carries one.
    pub date_time: Option<AlertTime>,
    /// The 12-byte date-time of the General-Signing header, if present (none in the RTDS).
    pub header_date_time: Option<[u8; 12]>,
    /// Payload family.
    pub family: AlertFamily,
    /// MAC / signature.
    pub protection: AlertProtection,
    /// For `8F66` / `8F67`: the typed outcome.
    pub future_dated: Option<FutureDatedOutcome>,
    /// For other alerts: the alert-specific part of the payload; `None` for future-dated ones.
    pub detail: Option<AlertDetail>,
}

/// Why an alert frame could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlertDecodeError {
    /// The bytes are not a well-formed `DD`/`DF` GBCS frame.
    #[error("alert frame: {0}")]
    Frame(#[from] DecodeError),
    /// The frame is a command or a response.
    #[error("not an alert (CRA {0:?})")]
    NotAnAlert(Cra),
    /// The content is none of the alert payload forms.
    #[error("content is not a DLMS, GBZ or ASN.1 alert payload")]
    UnrecognisedPayload,
    /// The payload has the family's shape but no alert code where the family puts it.
    #[error("{family:?} alert payload: {reason}")]
    MalformedPayload {
        /// The payload family.
        family: AlertFamily,
        /// What is wrong.
        reason: &'static str,
    },
    /// A future-dated outcome alert (`8F66`/`8F67`) whose outcome block is malformed. The alert
    /// code is given so that a caller can still forward the frame as a plain device alert.
    #[error("future-dated outcome alert {alert_code}: {reason}")]
    MalformedOutcome {
        /// The alert code.
        alert_code: AlertCode,
        /// The payload family.
        family: AlertFamily,
        /// What is wrong.
        reason: &'static str,
    },
}

/// Decodes a whole alert frame (`DD …` MAC'd or `DF …` signed). Pure; never panics. Checks no
/// MAC or signature (the caller verifies them with the keys it holds).
pub fn decode_alert(frame: &[u8]) -> Result<DecodedAlert, AlertDecodeError> {
    let (apdu, mac) = match Frame::decode(frame)? {
        Frame::Ciphered(c) => (c.apdu, true),
        Frame::Signing(s) => (s, false),
    };
    decode_alert_apdu(&apdu, mac)
}

/// The supplementary remote party an APDU's other-information names, and its counter where the
/// form carries one.
pub fn supplementary_remote_party(ext: &OtherInfoExt) -> (Option<Eui64>, Option<u64>) {
    match ext {
        OtherInfoExt::RemotePartyCounter {
            remote_party,
            remote_party_counter,
        }
        | OtherInfoExt::OriginatorCounter {
            remote_party,
            remote_party_counter,
            ..
        }
        | OtherInfoExt::Certificate {
            remote_party,
            remote_party_counter,
            ..
        } => (Some(*remote_party), Some(*remote_party_counter)),
        OtherInfoExt::RemoteParty { remote_party } => (Some(*remote_party), None),
        OtherInfoExt::None | OtherInfoExt::Unrecognised(_) => (None, None),
    }
}

/// As [`decode_alert`], from an already decoded General-Signing APDU; `mac` says whether it came
/// in a MAC'd `DD` wrapper.
pub fn decode_alert_apdu(
    apdu: &GeneralSigning,
    mac: bool,
) -> Result<DecodedAlert, AlertDecodeError> {
    if apdu.cra != Cra::Alert {
        return Err(AlertDecodeError::NotAnAlert(apdu.cra));
    }
    let body = match Payload::decode(Cra::Alert, &apdu.content) {
        Payload::DataNotification(n) => dlms_alert(&n, apdu)?,
        Payload::Gbz(g) => gbz_alert(g, apdu)?,
        Payload::Asn1(t) => asn1_alert(&t, apdu)?,
        Payload::AccessRequest(_) | Payload::AccessResponse(_) | Payload::Raw(_) => {
            return Err(AlertDecodeError::UnrecognisedPayload);
        }
    };
    let (supplementary_remote_party, supplementary_remote_party_counter) =
        supplementary_remote_party(&apdu.other_info.ext);
    Ok(DecodedAlert {
        alert_code: body.code,
        message_code: apdu.message_code(),
        counter: apdu.counter,
        originator: apdu.originator,
        recipient: apdu.recipient,
        supplementary_remote_party,
        supplementary_remote_party_counter,
        date_time: body.time,
        header_date_time: apdu.date_time,
        family: body.family,
        protection: AlertProtection {
            mac,
            signed: matches!(apdu.signature, SignatureField::Signed(_)),
        },
        future_dated: body.future_dated,
        detail: body.detail,
    })
}

struct Body {
    code: AlertCode,
    family: AlertFamily,
    time: Option<AlertTime>,
    future_dated: Option<FutureDatedOutcome>,
    detail: Option<AlertDetail>,
}

impl Body {
    fn plain(
        code: AlertCode,
        family: AlertFamily,
        time: Option<AlertTime>,
        detail: AlertDetail,
    ) -> Self {
        Self {
            code,
            family,
            time,
            future_dated: None,
            detail: Some(detail),
        }
    }

    fn outcome(
        code: AlertCode,
        family: AlertFamily,
        time: Option<AlertTime>,
        result: FutureDatedResult,
        command: OriginatingCommand,
        instruction: FutureDatedInstruction,
    ) -> Self {
        Self {
            code,
            family,
            time: time.clone(),
            future_dated: Some(FutureDatedOutcome {
                result,
                command,
                execution_time: time,
                instruction,
            }),
            detail: None,
        }
    }
}

fn command_of(
    apdu: &GeneralSigning,
    counter: u64,
    code: Option<MessageCode>,
) -> OriginatingCommand {
    OriginatingCommand {
        originator: apdu.recipient,
        target: apdu.originator,
        counter,
        message_code: code,
    }
}

fn dlms_alert(n: &DataNotification, apdu: &GeneralSigning) -> Result<Body, AlertDecodeError> {
    let family = AlertFamily::Dlms;
    let malformed = |reason| AlertDecodeError::MalformedPayload { family, reason };
    let Data::Structure(items) = &n.body else {
        return Err(malformed("notification body is not a structure"));
    };
    let code = n
        .alert_code()
        .ok_or(malformed("first element is not a long-unsigned alert code"))?;
    let mut rest = items.get(1..).unwrap_or(&[]);
    let time = match rest.first() {
        Some(Data::OctetString(b)) => <[u8; 12]>::try_from(b.as_slice()).ok(),
        Some(Data::DateTime(dt)) => Some(*dt),
        _ => None,
    }
    .map(|dt| {
        rest = rest.get(1..).unwrap_or(&[]);
        AlertTime::Cosem(dt)
    });
    let Some(result) = FutureDatedResult::from_alert_code(code) else {
        return Ok(Body::plain(
            code,
            family,
            time,
            AlertDetail::Dlms(rest.to_vec()),
        ));
    };
    let bad = |reason| AlertDecodeError::MalformedOutcome {
        alert_code: code,
        family,
        reason,
    };
    let [Data::OctetString(block)] = rest else {
        return Err(bad("expected one octet-string after the execution time"));
    };
    let b: &[u8; 19] = block
        .as_slice()
        .try_into()
        .map_err(|_| bad("outcome block is not 19 bytes"))?;
    let [
        m0,
        m1,
        c0,
        c1,
        c2,
        c3,
        c4,
        c5,
        c6,
        c7,
        k0,
        k1,
        o0,
        o1,
        o2,
        o3,
        o4,
        o5,
        index,
    ] = *b;
    let descriptor = CosemDescriptor::new(
        u16::from_be_bytes([k0, k1]),
        [o0, o1, o2, o3, o4, o5],
        index,
    );
    let command = command_of(
        apdu,
        u64::from_be_bytes([c0, c1, c2, c3, c4, c5, c6, c7]),
        Some(MessageCode(u16::from_be_bytes([m0, m1]))),
    );
    Ok(Body::outcome(
        code,
        family,
        time,
        result,
        command,
        FutureDatedInstruction::Dlms(descriptor),
    ))
}

fn gbz_alert(g: GbzPayload, apdu: &GeneralSigning) -> Result<Body, AlertDecodeError> {
    let family = AlertFamily::Gbz;
    let GbzPayload::Alert {
        alert_code,
        timestamp,
        body,
        ..
    } = g
    else {
        return Err(AlertDecodeError::MalformedPayload {
            family,
            reason: "GBZ payload is not an alert",
        });
    };
    let time = Some(AlertTime::ZigbeeUtc(timestamp));
    let Some(result) = FutureDatedResult::from_alert_code(alert_code) else {
        return Ok(Body::plain(
            alert_code,
            family,
            time,
            AlertDetail::Gbz(body),
        ));
    };
    let GbzAlertBody::FutureDated(f) = body else {
        return Err(AlertDecodeError::MalformedOutcome {
            alert_code,
            family,
            reason: "expected a 14-byte future-dated outcome block",
        });
    };
    Ok(Body::outcome(
        alert_code,
        family,
        time,
        result,
        command_of(apdu, f.originator_counter, Some(f.message_code)),
        FutureDatedInstruction::Gbz {
            cluster: f.cluster,
            frame_control: f.frame_control,
            command: f.command,
        },
    ))
}

/// The content octets of a primitive element with the one-byte tag `tag`.
fn primitive(t: &Tlv, tag: u8) -> Option<&[u8]> {
    match &t.value {
        TlvValue::Primitive(b) if t.tag == [tag] => Some(b),
        _ => None,
    }
}

/// The children of a constructed element with the one-byte tag `tag`.
fn children(t: &Tlv, tag: u8) -> Option<&[Tlv]> {
    match &t.value {
        TlvValue::Constructed(c) if t.tag == [tag] => Some(c),
        _ => None,
    }
}

/// A DER INTEGER of one to eight content octets, signed.
fn der_int(t: &Tlv) -> Option<i64> {
    let b = primitive(t, TAG_INTEGER)?;
    let (&first, _) = b.split_first()?;
    if b.len() > 8 {
        return None;
    }
    let init: i64 = if first & 0x80 != 0 { -1 } else { 0 };
    Some(b.iter().fold(init, |acc, &x| (acc << 8) | i64::from(x)))
}

/// A non-negative DER INTEGER that fits in 64 bits (nine octets allowed for a leading zero).
fn der_uint(t: &Tlv) -> Option<u64> {
    let b = primitive(t, TAG_INTEGER)?;
    let (&first, tail) = b.split_first()?;
    if first & 0x80 != 0 {
        return None;
    }
    let digits = if first == 0 && !tail.is_empty() {
        tail
    } else {
        b
    };
    if digits.len() > 8 {
        return None;
    }
    Some(
        digits
            .iter()
            .fold(0u64, |acc, &x| (acc << 8) | u64::from(x)),
    )
}

/// Alert message code of the CS06 future-dated outcome alert, and the CS06 command's code.
const CS06_ALERT: MessageCode = MessageCode(0x00CA);
const CS06_COMMAND: MessageCode = MessageCode(0x0012);

/// The CS02b/CS02g command message code for a credentials replacement mode (RTDS pairs:
/// 2 → 0102, 7 → 0107, 10 → 0125, 11 → 0126).
fn cs02_message_code(mode: u8) -> Option<MessageCode> {
    match mode {
        0..=9 => Some(MessageCode(0x0100 + u16::from(mode))),
        10 => Some(MessageCode(0x0125)),
        11 => Some(MessageCode(0x0126)),
        _ => None,
    }
}

fn asn1_alert(tlvs: &[Tlv], apdu: &GeneralSigning) -> Result<Body, AlertDecodeError> {
    let family = AlertFamily::Asn1;
    let malformed = |reason| AlertDecodeError::MalformedPayload { family, reason };
    let [top] = tlvs else {
        return Err(malformed("expected exactly one top-level element"));
    };
    let items = children(top, TAG_SEQUENCE).ok_or(malformed("top element is not a SEQUENCE"))?;
    let code = items
        .first()
        .and_then(der_uint)
        .and_then(|v| u16::try_from(v).ok())
        .map(AlertCode)
        .ok_or(malformed("first element is not an INTEGER alert code"))?;
    let mut rest = items.get(1..).unwrap_or(&[]);
    let time = rest
        .first()
        .and_then(|t| primitive(t, TAG_GENERALIZED_TIME))
        .map(|b| {
            let t = AlertTime::Generalized(b.to_vec());
            rest = rest.get(1..).unwrap_or(&[]);
            t
        });
    let Some(result) = FutureDatedResult::from_alert_code(code) else {
        return Ok(Body::plain(
            code,
            family,
            time,
            AlertDetail::Asn1(rest.to_vec()),
        ));
    };
    let bad = |reason| AlertDecodeError::MalformedOutcome {
        alert_code: code,
        family,
        reason,
    };
    let (counter, message_code, instruction) = match rest {
        // CS06: INTEGER counter, SEQUENCE { INTEGER status, OCTET STRING version }.
        [counter, outcome] => {
            let counter = der_uint(counter).ok_or(bad("originator counter"))?;
            let fields = children(outcome, TAG_SEQUENCE).ok_or(bad("activation outcome"))?;
            let [status, version] = fields else {
                return Err(bad("activation outcome must have two elements"));
            };
            let status = der_int(status).ok_or(bad("activation status"))?;
            let firmware_version = primitive(version, TAG_OCTET_STRING)
                .ok_or(bad("firmware version"))?
                .to_vec();
            let mc = (apdu.message_code() == CS06_ALERT).then_some(CS06_COMMAND);
            (
                counter,
                mc,
                FutureDatedInstruction::FirmwareActivation {
                    status,
                    firmware_version,
                },
            )
        }
        // CS02b/g: ExecutionOutcome, decoded with the CS02b response codec.
        [outcome] => {
            let wrapped = Tlv::constructed(
                TAG_SEQUENCE,
                vec![Tlv::primitive(TAG_NULL, Vec::new()), outcome.clone()],
            );
            let o = UpdateSecurityCredentialsResponse::decode(&wrapped.encode())
                .ok()
                .and_then(|r| r.outcome)
                .ok_or(bad("credentials update execution outcome"))?;
            (
                o.seq_number,
                cs02_message_code(o.mode),
                FutureDatedInstruction::CredentialsUpdate(o),
            )
        }
        _ => return Err(bad("unknown ASN.1 future-dated outcome layout")),
    };
    Ok(Body::outcome(
        code,
        family,
        time,
        result,
        command_of(apdu, counter, message_code),
        instruction,
    ))
}

/// The Calendar cluster, whose Publish Day Profiles / Week Profiles / Seasons (commands 1-3) the
/// Publish Calendar activates: they raise no outcome alert of their own.
const CALENDAR_CLUSTER: u16 = 0x0707;
const CALENDAR_PROFILE_COMMANDS: [u8; 3] = [1, 2, 3];
/// ZCL frame-control frame-type bits (global / cluster-specific).
const ZCL_FRAME_TYPE: u8 = 0x03;

impl FutureDatedOutcome {
    /// Which future-dated instruction of `command` (the originating command's General-Signing
    /// APDU, as the DCC sent it) this outcome reports on, and how many there are (the module
    /// documentation says what counts as an instruction). Checks the counter and, where known,
    /// the message code first.
    pub fn instruction_position(
        &self,
        command: &GeneralSigning,
    ) -> Result<InstructionPosition, InstructionError> {
        if command.cra != Cra::Command {
            return Err(InstructionError::NotACommand);
        }
        if command.counter != self.command.counter {
            return Err(InstructionError::CounterMismatch {
                expected: self.command.counter,
                found: command.counter,
            });
        }
        if let Some(expected) = self.command.message_code
            && expected != command.message_code()
        {
            return Err(InstructionError::MessageCodeMismatch {
                expected,
                found: command.message_code(),
            });
        }
        let (index, total) = match (&self.instruction, command.payload()) {
            (FutureDatedInstruction::Dlms(d), Payload::AccessRequest(r)) => {
                let sets = future_dated_sets(&r);
                (sets.iter().position(|c| c == d), sets.len())
            }
            (
                FutureDatedInstruction::Gbz {
                    cluster,
                    frame_control,
                    command: id,
                },
                Payload::Gbz(GbzPayload::Components { components, .. }),
            ) => {
                let instructions: Vec<(u16, u8, u8)> = components
                    .iter()
                    .map(|c| match &c.body {
                        GbzBody::Plain { zcl, .. } => (c.cluster, zcl.frame_control, zcl.command),
                        GbzBody::Encrypted {
                            frame_control,
                            command,
                            ..
                        } => (c.cluster, *frame_control, *command),
                    })
                    .filter(|(cl, _, cmd)| {
                        !(*cl == CALENDAR_CLUSTER && CALENDAR_PROFILE_COMMANDS.contains(cmd))
                    })
                    .collect();
                // The RTDS GCS05 alerts report Calendar components with frame control 01 where
                // the command sent 09 (direction bit differs): match the frame type only.
                let wanted = (*cluster, *frame_control & ZCL_FRAME_TYPE, *id);
                (
                    instructions
                        .iter()
                        .position(|(cl, fc, cmd)| (*cl, *fc & ZCL_FRAME_TYPE, *cmd) == wanted),
                    instructions.len(),
                )
            }
            (
                FutureDatedInstruction::FirmwareActivation { .. }
                | FutureDatedInstruction::CredentialsUpdate(_),
                Payload::Asn1(_),
            ) => (Some(0), 1),
            _ => return Err(InstructionError::PayloadMismatch),
        };
        let index = index.ok_or(InstructionError::NoMatchingInstruction)?;
        let number = index
            .checked_add(1)
            .and_then(|n| u16::try_from(n).ok())
            .ok_or(InstructionError::TooManyInstructions)?;
        let total = u16::try_from(total).map_err(|_| InstructionError::TooManyInstructions)?;
        Ok(InstructionPosition { number, total })
    }
}

/// The SETs of a DLMS command whose value is a 12-byte octet string or a date-time (activation
/// date-times), in command order.
fn future_dated_sets(r: &AccessRequest) -> Vec<CosemDescriptor> {
    r.specs
        .iter()
        .zip(r.data.iter())
        .filter_map(|(s, d)| match (s, d) {
            (RequestSpec::Set(c), Data::OctetString(b)) if b.len() == 12 => Some(*c),
            (RequestSpec::Set(c), Data::DateTime(_)) => Some(*c),
            _ => None,
        })
        .collect()
}
