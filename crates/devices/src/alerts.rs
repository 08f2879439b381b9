//! Alerts the devices raise, framed as the RTDS alert vectors show them.
//!
//! Alert codes used (GBCS alert code table; names as listed there):
//!
//! | situation | code | name |
//! |---|---|---|
//! | bytes that are no GBCS message; authentic command whose content is not the use case's format; authentic ASN.1 command of a use case the device does not implement (no response: ASN.1 has no generic failure answer) | `0x8F1E` | Integrity check of content or format of command failed |
//! | MAC missing or wrong, signature missing or wrong | `0x8F3D` | Trusted Source Authentication Failure |
//! | originator unknown, or not in a role allowed for the use case | `0x8F30` | Source Does not have Authority for Command |
//! | counter not greater than the last accepted (replay) | `0x8F53` | Failed Authentication or Authorisation not covered by other codes |
//! | ESME power back after an outage (ECS80) | `0x8F35` / `0x8F36` | Supply Outage Restored (outage < 3 min / ≥ 3 min) |
//!
//! `0x8F60` ("Unusual numbers of malformed, out-of-order or unexpected Commands") is a threshold
//! alert over many such events and is not raised for a single replay.
//!
//! Framing: codes `0x8Fxx` are critical: General-Signing only (DF), signed with the device's DS
//! key. Other codes are non-critical: DD-wrapped and MAC'd with the device's KA private key × the
//! recipient's KA public key (KDF mode 03). The general alerts carry message code `0x1000`
//! (Generic Critical Alert) or `0x1001` (Generic Non Critical Alert); their payload is a DLMS
//! Data-Notification `{alert code, COSEM date-time}` on DLMS devices (ESME, CHF) and a GBZ alert
//! header with no components on ZigBee devices, as `GCA-DLMS_NA_8F30_ALERT`,
//! `GCA-ZigBee_NA_8F30_ALERT`, `GNCA-*_NA_810E_ALERT` show. Security alerts go to the supplier
//! (as the RTDS general alerts do), or to the ACB on devices that have no supplier anchor (CHF).

use gbcs::axdr::Data;
use gbcs::crypto::KdfContext;
use gbcs::dlms::{DataNotification, long_invoke_id};
use gbcs::gbz::{GBZ_PROFILE, GbzAlertBody, GbzPayload};
use gbcs::{
    AlertCode, Cra, GeneralCiphering, GeneralSigning, MessageCode, OtherInfo, SignatureField,
    UtcDateTime,
};

use crate::anchors::TrustAnchor;
use crate::device::EmulatedDevice;
use crate::error::DeviceError;
use crate::state::EventKind;

/// Integrity check of content or format of command failed.
pub const ALERT_FORMAT_INVALID: AlertCode = AlertCode(0x8F1E);
/// Trusted Source Authentication Failure.
pub const ALERT_AUTHENTICATION_FAILURE: AlertCode = AlertCode(0x8F3D);
/// Source Does not have Authority for Command.
pub const ALERT_NO_AUTHORITY: AlertCode = AlertCode(0x8F30);
/// Failed Authentication or Authorisation not covered by other codes (used for replays).
pub const ALERT_REPLAY: AlertCode = AlertCode(0x8F53);
/// Supply Outage Restored.
pub const ALERT_OUTAGE_RESTORED: AlertCode = AlertCode(0x8F35);
/// Supply Outage Restored - Outage >= 3 minutes.
pub const ALERT_OUTAGE_RESTORED_LONG: AlertCode = AlertCode(0x8F36);

/// Message code of the Generic Critical Alert.
pub const MESSAGE_GCA: MessageCode = MessageCode(0x1000);
/// Message code of the Generic Non Critical Alert.
pub const MESSAGE_GNCA: MessageCode = MessageCode(0x1001);
/// Message code of ECS80 (supply outage restore alert from ESME).
pub const MESSAGE_ECS80: MessageCode = MessageCode(0x0067);

/// Whether GBCS treats an alert code as critical (signed rather than MAC'd).
pub const fn is_critical(code: AlertCode) -> bool {
    code.0 & 0xFF00 == 0x8F00
}

/// The security alert a refusal raises (none for a message not for this device or not a
/// command); the security log records the refusal under the same code (DUIS 6.13, ECS35b).
pub(crate) fn refusal_alert(refusal: crate::state::Refusal) -> Option<AlertCode> {
    use crate::state::Refusal;
    match refusal {
        Refusal::NotForThisDevice | Refusal::NotACommand => None,
        Refusal::Malformed | Refusal::CredentialsCommandInvalid => Some(ALERT_FORMAT_INVALID),
        Refusal::NotMacProtected
        | Refusal::MacInvalid
        | Refusal::SignatureMissing
        | Refusal::SignatureInvalid => Some(ALERT_AUTHENTICATION_FAILURE),
        Refusal::UnknownOriginator | Refusal::OriginatorNotAuthorised => Some(ALERT_NO_AUTHORITY),
        Refusal::Replay { .. } => Some(ALERT_REPLAY),
    }
}

/// 0x8F36 for outages of three minutes or more, else 0x8F35.
pub(crate) fn outage_restored_code(start: i64, end: i64) -> AlertCode {
    if end.saturating_sub(start) >= 180 {
        ALERT_OUTAGE_RESTORED_LONG
    } else {
        ALERT_OUTAGE_RESTORED
    }
}

fn cosem(t: UtcDateTime) -> Data {
    t.to_cosem().to_octet_string()
}

impl EmulatedDevice {
    pub(crate) fn take_alert_counter(&self) -> Result<(u64, u64), DeviceError> {
        let c = self.state.next_alert_counter;
        let next = c.checked_add(1).ok_or(DeviceError::CounterExhausted)?;
        Ok((c, next))
    }

    /// The payload of a general alert (and of DLMS alerts with extra members).
    pub(crate) fn alert_content(
        &self,
        code: AlertCode,
        counter: u64,
        device_time: UtcDateTime,
        extra: Vec<Data>,
    ) -> Result<Vec<u8>, DeviceError> {
        if self.identity.kind.is_dlms() {
            let mut body = vec![Data::LongUnsigned(code.0), cosem(device_time)];
            body.extend(extra);
            Ok(DataNotification {
                invoke_id: long_invoke_id(counter),
                date_time: Vec::new(),
                body: Data::Structure(body),
            }
            .encode())
        } else {
            let timestamp = device_time
                .to_zigbee_utc()
                .ok_or(DeviceError::Build("alert timestamp before 2000"))?;
            GbzPayload::Alert {
                profile: GBZ_PROFILE,
                component_count: 0,
                alert_code: code,
                timestamp,
                body: GbzAlertBody::Raw(Vec::new()),
            }
            .encode()
            .map_err(|_| DeviceError::Build("GBZ alert"))
        }
    }

    /// Frames, protects and counts an alert; logs it.
    pub(crate) fn emit_alert(
        &mut self,
        code: AlertCode,
        message_code: MessageCode,
        recipient: &TrustAnchor,
        content: Vec<u8>,
        counters: (u64, u64),
        now: UtcDateTime,
    ) -> Result<Vec<u8>, DeviceError> {
        let signed = is_critical(code);
        self.emit_alert_as(
            code,
            message_code,
            recipient,
            content,
            counters,
            now,
            signed,
        )
    }

    /// [`Self::emit_alert`], signed (`signed`) or MAC'd whatever the code (a use case's own
    /// alert, such as DBCH09's 8F2A, is MAC'd as its RTDS vector).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn emit_alert_as(
        &mut self,
        code: AlertCode,
        message_code: MessageCode,
        recipient: &TrustAnchor,
        content: Vec<u8>,
        (counter, next): (u64, u64),
        now: UtcDateTime,
        signed: bool,
    ) -> Result<Vec<u8>, DeviceError> {
        let apdu = GeneralSigning {
            cra: Cra::Alert,
            counter,
            originator: self.identity.eui,
            recipient: recipient.eui,
            date_time: None,
            other_info: OtherInfo::code(message_code),
            content,
            signature: SignatureField::Unsigned,
        };
        let bytes = if signed {
            apdu.sign(self.ds_key())?.encode()
        } else {
            let key = self
                .keys
                .ka
                .derive(recipient.ka_public.key(), &KdfContext::for_mac(&apdu))?;
            GeneralCiphering::protect(apdu, &key)?.encode()
        };
        self.state.next_alert_counter = next;
        self.log(
            now,
            EventKind::AlertRaised {
                alert_code: code.0,
                counter,
            },
        );
        Ok(bytes)
    }

    /// A Generic Critical / Non Critical Alert carrying `code`, to `recipient`.
    pub(crate) fn general_alert(
        &mut self,
        code: AlertCode,
        recipient: &TrustAnchor,
        now: UtcDateTime,
    ) -> Result<Vec<u8>, DeviceError> {
        let (counter, next) = self.take_alert_counter()?;
        let content = self.alert_content(code, counter, self.device_time(now), Vec::new())?;
        let message_code = if is_critical(code) {
            MESSAGE_GCA
        } else {
            MESSAGE_GNCA
        };
        self.emit_alert(code, message_code, recipient, content, (counter, next), now)
    }

    /// ECS80: supply outage restored, with outage start and end (device clock).
    pub(crate) fn outage_restored_alert(
        &mut self,
        code: AlertCode,
        outage_start: i64,
        recipient: &TrustAnchor,
        now: UtcDateTime,
    ) -> Result<Vec<u8>, DeviceError> {
        let (counter, next) = self.take_alert_counter()?;
        let end = self.device_time(now);
        let start = UtcDateTime::from_unix(outage_start)
            .ok_or(DeviceError::Build("outage start out of range"))?;
        let content = self.alert_content(code, counter, end, vec![cosem(start), cosem(end)])?;
        self.emit_alert(
            code,
            MESSAGE_ECS80,
            recipient,
            content,
            (counter, next),
            now,
        )
    }
}
