//! The emulated device: identity, keys, state, and the GBCS command pipeline.

use std::sync::Arc;

use eui::Eui64;
use gbcs::crypto::{DerivedKey, KdfContext, KdfMode};
use gbcs::{
    AlertCode, Cra, Frame, GeneralCiphering, GeneralSigning, KaPrivateKey, MessageCode, OtherInfo,
    OtherInfoExt, PublicKey, SignatureField, SigningKey, UtcDateTime,
};
use serde::{Deserialize, Serialize};

use crate::alerts::{self, ALERT_FORMAT_INVALID};
use crate::anchors::{PublicKeyBytes, RemotePartyRole, TrustAnchor};
use crate::error::DeviceError;
use crate::exec::Execution;
use crate::kind::{DeviceKind, UseCase};
use crate::state::{DeviceState, Event, EventKind, Refusal, SupplyState, hex_bytes};

/// Who a device is and the private keys it holds. The DCC issues the matching SMKI device
/// certificates from [`EmulatedDevice::ds_public_key`] and [`EmulatedDevice::ka_public_key`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceIdentity {
    /// The device's EUI-64 (its GBCS system title).
    pub eui: Eui64,
    /// What kind of device it is.
    pub kind: DeviceKind,
    /// Digital signing private key, PKCS#8 DER (P-256).
    #[serde(with = "hex_bytes")]
    pub ds_private_pkcs8: Vec<u8>,
    /// Key agreement private key, PKCS#8 DER (P-256).
    #[serde(with = "hex_bytes")]
    pub ka_private_pkcs8: Vec<u8>,
}

impl std::fmt::Debug for DeviceIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceIdentity")
            .field("eui", &self.eui)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// What the device did with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The command passed every check and was executed; `success` is false when the device
    /// answered with a failure (for example removing a device that is not in the log).
    Executed {
        /// The use case.
        message_code: MessageCode,
        /// Whether execution succeeded.
        success: bool,
    },
    /// The command was authentic, but this device does not implement the use case or its
    /// content does not have the use case's format; the device answered "not supported" where
    /// the payload type allows it.
    NotSupported {
        /// The message code.
        message_code: MessageCode,
    },
    /// The command was refused before execution.
    Refused(Refusal),
    /// Not a command: an out-of-band event (power outage or restoration).
    Event,
}

/// The device's answer to one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The GBCS response, if one is due: CRA 2, the command's counter, titles swapped; MAC'd
    /// (DD) for non-critical commands, signed (DF) for signed commands.
    pub response: Option<Vec<u8>>,
    /// GBCS alerts raised while handling the input.
    pub alerts: Vec<Vec<u8>>,
    /// Whether [`EmulatedDevice::state`] changed (the caller should persist it): a handled
    /// message is always logged, so it is whether the event log grew. A caller storing the
    /// state in parts ([`crate::stored`]) finds what changed by comparing their encodings.
    pub state_changed: bool,
    /// What happened.
    pub outcome: Outcome,
}

/// A communications hub's power-outage notification ("last gasp").
///
/// GBCS defines no alert code for the loss of power at the communications hub: the CHF reports it
/// to its CSP, and the DCC raises the DUIS DCC alert AD1 (`PowerOutageEvent`: comms hub id and
/// start date-time). This is the data the WAN emulation needs to do the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PowerOutageNotice {
    /// The communications hub.
    pub comms_hub: Eui64,
    /// When power was lost, by the hub's clock.
    pub start: UtcDateTime,
}

/// An emulated smart-metering device. Pure: every input carries the current true time, and
/// nothing is read from the environment (ECDSA signing draws its nonce inside aws-lc-rs).
pub struct EmulatedDevice {
    pub(crate) identity: DeviceIdentity,
    pub(crate) keys: Arc<DeviceKeys>,
    pub(crate) state: DeviceState,
    /// Alerts the command being executed raises (drained into its reply).
    pub(crate) pending_alerts: Vec<AlertCode>,
    /// Use-case alerts (framed) the command being executed raises (drained into its reply).
    pub(crate) pending_frames: Vec<Vec<u8>>,
    /// The signing key CS02d placed (`config.credentials.signing`), parsed; the device signs
    /// with it instead of its manufactured key.
    pub(crate) placed_ds: Option<Arc<SigningKey>>,
    /// The device's own certificates, when the emulation handed them over (CS02e,
    /// `crate::credential_details`); not part of the stored state.
    pub(crate) own_certificates: Option<crate::credential_details::OwnCertificates>,
}

/// A device's two private keys, parsed. Parsing costs as much as a signature, and the
/// key-agreement key keeps the shared secrets of the peers it has met
/// ([`KaPrivateKey::derive`]), so a caller that meets the same device often keeps its
/// `DeviceKeys` and hands them to [`EmulatedDevice::with_keys`].
pub struct DeviceKeys {
    pub(crate) ds: SigningKey,
    pub(crate) ka: KaPrivateKey,
}

impl std::fmt::Debug for DeviceKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceKeys(..)")
    }
}

impl DeviceKeys {
    /// The keys of `identity`. Fails if a private key is not a P-256 key.
    pub fn of(identity: &DeviceIdentity) -> Result<Self, DeviceError> {
        Ok(Self {
            ds: SigningKey::from_der(&identity.ds_private_pkcs8)?,
            ka: KaPrivateKey::from_der(&identity.ka_private_pkcs8)?,
        })
    }
}

impl std::fmt::Debug for EmulatedDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatedDevice")
            .field("identity", &self.identity)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// A command that passed every check.
pub(crate) struct Accepted<'a> {
    pub(crate) apdu: &'a GeneralSigning,
    pub(crate) originator: &'a TrustAnchor,
    pub(crate) use_case: Option<UseCase>,
    pub(crate) signed: bool,
    /// The unknown remote party the ACB sent the command for (certificate other-information).
    pub(crate) urp: Option<UnknownRemoteParty>,
}

/// An unknown remote party a command is for: the answer's sensitive blocks are encrypted to its
/// certificate's key, and the answer carries the 26-byte other-information.
pub(crate) struct UnknownRemoteParty {
    /// The supplementary remote party (the requester).
    pub(crate) party: Eui64,
    /// Its request counter (supplementary remote-party counter).
    pub(crate) party_counter: u64,
    /// The key-agreement key of its certificate.
    pub(crate) ka_public: PublicKey,
    /// The supplementary originator counter of the answer (enters the payload-encryption KDF).
    pub(crate) originator_counter: u64,
    /// The device's originator counter after this one.
    pub(crate) next_originator_counter: u64,
}

impl EmulatedDevice {
    /// A device from its identity and stored state. Fails if a private key is not a P-256 key.
    pub fn new(identity: DeviceIdentity, state: DeviceState) -> Result<Self, DeviceError> {
        let keys = Arc::new(DeviceKeys::of(&identity)?);
        Ok(Self::with_keys(identity, keys, state))
    }

    /// A device from its identity, its keys as [`DeviceKeys::of`] parsed them from that
    /// identity, and its stored state.
    pub fn with_keys(identity: DeviceIdentity, keys: Arc<DeviceKeys>, state: DeviceState) -> Self {
        // A placed key that does not parse cannot have been placed (CS02d parses it first):
        // the manufactured key stays in use.
        let placed_ds = state
            .config
            .credentials
            .signing
            .as_ref()
            .and_then(|p| SigningKey::from_der(&p.private_pkcs8).ok())
            .map(Arc::new);
        Self {
            identity,
            keys,
            state,
            pending_alerts: Vec::new(),
            pending_frames: Vec::new(),
            placed_ds,
            own_certificates: None,
        }
    }

    /// The key the device signs with: the one CS02d placed, else the manufactured one.
    pub(crate) fn ds_key(&self) -> &SigningKey {
        self.placed_ds.as_deref().unwrap_or(&self.keys.ds)
    }

    /// The device's parsed keys (to keep for the next [`Self::with_keys`]).
    pub fn keys(&self) -> &Arc<DeviceKeys> {
        &self.keys
    }

    /// The device's identity (with its private keys, for persistence).
    pub fn identity(&self) -> &DeviceIdentity {
        &self.identity
    }

    /// The device's EUI-64.
    pub fn eui(&self) -> Eui64 {
        self.identity.eui
    }

    /// The device's kind.
    pub fn kind(&self) -> DeviceKind {
        self.identity.kind
    }

    /// The device's digital signing public key (of the key CS02d placed, once placed).
    pub fn ds_public_key(&self) -> Result<PublicKeyBytes, DeviceError> {
        Ok(self.ds_key().public_key()?.into())
    }

    /// The device's key agreement public key.
    pub fn ka_public_key(&self) -> Result<PublicKeyBytes, DeviceError> {
        Ok(self.keys.ka.public_key()?.into())
    }

    /// The persistent state.
    pub fn state(&self) -> &DeviceState {
        &self.state
    }

    /// Mutable access to the state (fault injection, mirroring a GSME into its GPF, tests).
    pub fn state_mut(&mut self) -> &mut DeviceState {
        &mut self.state
    }

    /// Consumes the device, returning its state.
    pub fn into_state(self) -> DeviceState {
        self.state
    }

    /// Sets (or replaces) the trust anchor for `role`; returns the previous one.
    pub fn set_trust_anchor(
        &mut self,
        role: RemotePartyRole,
        anchor: TrustAnchor,
    ) -> Option<TrustAnchor> {
        self.state.trust_anchors.set(role, anchor)
    }

    /// Removes the trust anchor for `role`.
    pub fn remove_trust_anchor(&mut self, role: RemotePartyRole) -> Option<TrustAnchor> {
        self.state.trust_anchors.remove(role)
    }

    /// The device clock at true time `now`.
    pub fn device_time(&self, now: UtcDateTime) -> UtcDateTime {
        UtcDateTime::from_unix(now.to_unix().saturating_add(self.state.clock_offset_secs))
            .unwrap_or(now)
    }

    pub(crate) fn log(&mut self, now: UtcDateTime, kind: EventKind) {
        // DUIS 6.22: an event configured not to be logged leaves no entry.
        if let EventKind::AlertRaised { alert_code, .. } | EventKind::AlertNotSent { alert_code } =
            kind
            && !alerts::is_critical(gbcs::AlertCode(alert_code))
            && !self
                .state
                .config
                .alert_behaviour
                .logs(self.configurable(), alert_code)
        {
            return;
        }
        let at = self.device_time(now).to_unix();
        self.state.event_log.push(Event { at, kind });
    }

    /// Handles one message received from the SM WAN (or HAN) at true time `now`.
    ///
    /// Checks, in order, stopping at the first failure: the bytes decode as a GBCS message; the
    /// recipient is this device; it is a command; it carries the ACB MAC and the MAC verifies
    /// (this device's KA private key × the ACB's KA public key, KDF naming the originator); the
    /// originator is a trust anchor in a role allowed for the use case; critical use cases carry
    /// a signature, and any signature verifies against the originator's DS key; the counter is
    /// greater than the last accepted from that originator. A refused command changes nothing
    /// but the event log (and the alert counter when an alert is raised); the counter is stored
    /// only for accepted commands.
    pub fn handle(&mut self, frame: &[u8], now: UtcDateTime) -> Reply {
        // Every message handled is logged (executed, not supported, refused, or its response
        // not sent), so a log entry is the sign of a change: no copy of the state to compare.
        let pushed = self.state.event_log.pushed();
        // Future dating: instructions held for a time the clock has reached run first (their
        // outcome alerts go out with this reply), so a command never sees a stale state.
        let mut alerts = self.tick(now).unwrap_or_default();
        let (response, outcome) = self.process(frame, now, &mut alerts);
        // Prepayment (crate::prepay): what a command carried out changed may bring the next
        // event forward, or make one due now (a failed or refused one changes nothing).
        if matches!(outcome, Outcome::Executed { success: true, .. }) {
            alerts.extend(self.prepayment_refresh(now));
            // Load limiting (crate::load_limit): the same for the next load limit event.
            self.load_limit_refresh(now);
        }
        Reply {
            response,
            alerts,
            state_changed: self.state.event_log.pushed() != pushed,
            outcome,
        }
    }

    fn process(
        &mut self,
        bytes: &[u8],
        now: UtcDateTime,
        alerts: &mut Vec<Vec<u8>>,
    ) -> (Option<Vec<u8>>, Outcome) {
        let Ok(frame) = Frame::decode(bytes) else {
            return self.refuse(Refusal::Malformed, None, now, alerts);
        };
        let apdu = frame.apdu();
        if apdu.recipient != self.identity.eui {
            return self.refuse(Refusal::NotForThisDevice, Some(apdu), now, alerts);
        }
        if apdu.cra != Cra::Command {
            return self.refuse(Refusal::NotACommand, Some(apdu), now, alerts);
        }
        if apdu.message_code() == gbcs::credentials::CS02B_BY_RECOVERY {
            // Authorised by the Recovery key's signature alone (the RTDS vector has no ACB MAC).
            return self.recover(apdu, now, alerts);
        }
        let ciphered = match &frame {
            Frame::Ciphered(c) => c,
            Frame::Signing(_) => {
                return self.refuse(Refusal::NotMacProtected, Some(apdu), now, alerts);
            }
        };
        if !self.mac_verifies(ciphered) {
            return self.refuse(Refusal::MacInvalid, Some(apdu), now, alerts);
        }
        let use_case = UseCase::for_device(apdu.message_code(), self.identity.kind);
        let anchors = &self.state.trust_anchors;
        if anchors.by_eui(apdu.originator).is_none() {
            return self.refuse(Refusal::UnknownOriginator, Some(apdu), now, alerts);
        }
        let allowed: Vec<RemotePartyRole> = match use_case {
            Some(uc) => uc.allowed_roles().to_vec(),
            None => anchors.roles_of(apdu.originator).collect(),
        };
        let Some(originator) = anchors.find(apdu.originator, &allowed).cloned() else {
            return self.refuse(Refusal::OriginatorNotAuthorised, Some(apdu), now, alerts);
        };
        let signed = match &apdu.signature {
            SignatureField::Signed(_) => {
                if apdu.verify_signature(originator.ds_public.key()).is_err() {
                    return self.refuse(Refusal::SignatureInvalid, Some(apdu), now, alerts);
                }
                true
            }
            SignatureField::Unsigned | SignatureField::Absent => {
                if use_case.is_some_and(UseCase::is_critical) {
                    return self.refuse(Refusal::SignatureMissing, Some(apdu), now, alerts);
                }
                false
            }
        };
        if let Some(&last) = self.state.last_counters.get(&apdu.originator)
            && apdu.counter <= last
        {
            let refusal = Refusal::Replay {
                last_accepted: last,
            };
            return self.refuse(refusal, Some(apdu), now, alerts);
        }
        let urp = match self.unknown_remote_party(apdu) {
            Ok(urp) => urp,
            Err(refusal) => return self.refuse(refusal, Some(apdu), now, alerts),
        };
        self.state
            .last_counters
            .insert(apdu.originator, apdu.counter);
        if let Some(u) = &urp {
            self.state.next_alert_counter = u.next_originator_counter;
        }
        let accepted = Accepted {
            apdu,
            originator: &originator,
            use_case,
            signed,
            urp,
        };
        self.execute_and_answer(&accepted, now, alerts)
    }

    /// The unknown remote party a command is for, if its other-information carries a
    /// certificate (the 424/425-byte form): only the ACB sends that form (else the originator
    /// is not authorised); the certificate must be a key-agreement certificate
    /// ([`gbcs::credentials::unknown_remote_party_certificate`]; else the command is malformed).
    /// The ACB is the device's trust anchor and vouches for the party: the certificate's key is
    /// used only to encrypt the answer to. The answer's supplementary originator counter is the
    /// device's next originator counter (shared with its alerts, so strictly increasing), taken
    /// when the command is accepted.
    fn unknown_remote_party(
        &self,
        apdu: &GeneralSigning,
    ) -> Result<Option<UnknownRemoteParty>, Refusal> {
        let OtherInfoExt::Certificate {
            remote_party,
            remote_party_counter,
            certificate,
        } = &apdu.other_info.ext
        else {
            return Ok(None);
        };
        let from_acb = self
            .state
            .trust_anchors
            .get(RemotePartyRole::AccessControlBroker)
            .is_some_and(|a| a.eui == apdu.originator);
        if !from_acb {
            return Err(Refusal::OriginatorNotAuthorised);
        }
        let facts = gbcs::credentials::unknown_remote_party_certificate(certificate)
            .map_err(|_| Refusal::Malformed)?;
        let (originator_counter, next_originator_counter) =
            self.take_alert_counter().map_err(|_| Refusal::Malformed)?;
        Ok(Some(UnknownRemoteParty {
            party: *remote_party,
            party_counter: *remote_party_counter,
            ka_public: facts.public_key,
            originator_counter,
            next_originator_counter,
        }))
    }

    /// The key a sensitive block of the answer to `cmd` is encrypted with (GBCS payload
    /// encryption, the one place the devices derive it): to the command's originator (ECDH with
    /// its KA key, KDF with this device as originator, the command's counter, the originator as
    /// recipient), or, for an unknown remote party, to the party (ECDH with its certificate's
    /// key, KDF with the supplementary originator counter and the party as recipient).
    pub(crate) fn payload_key(&self, cmd: &Accepted<'_>) -> Option<DerivedKey> {
        let (peer, counter, recipient) = match &cmd.urp {
            Some(u) => (&u.ka_public, u.originator_counter, u.party),
            None => (
                cmd.originator.ka_public.key(),
                cmd.apdu.counter,
                cmd.apdu.originator,
            ),
        };
        let ctx = KdfContext {
            originator: self.identity.eui,
            mode: KdfMode::PayloadEncryption,
            counter,
            recipient,
        };
        self.keys.ka.derive(peer, &ctx).ok()
    }

    fn mac_verifies(&self, c: &GeneralCiphering) -> bool {
        let Some(acb) = self
            .state
            .trust_anchors
            .get(RemotePartyRole::AccessControlBroker)
        else {
            return false;
        };
        self.keys
            .ka
            .derive(acb.ka_public.key(), &KdfContext::for_mac(&c.apdu))
            .and_then(|key| c.verify_mac(&key))
            .is_ok()
    }

    pub(crate) fn refuse(
        &mut self,
        refusal: Refusal,
        apdu: Option<&GeneralSigning>,
        now: UtcDateTime,
        alerts: &mut Vec<Vec<u8>>,
    ) -> (Option<Vec<u8>>, Outcome) {
        self.log(
            now,
            EventKind::CommandRefused {
                refusal,
                originator: apdu.map(|a| a.originator),
                counter: apdu.map(|a| a.counter),
            },
        );
        let alert = alerts::refusal_alert(refusal);
        if let Some(code) = alert {
            alerts.extend(self.security_alert(code, now));
        }
        (None, Outcome::Refused(refusal))
    }

    /// Raises a Generic (Non) Critical Alert carrying `code` at true time `now`: fault injection
    /// (tamper, meter integrity, …) or any device event the WAN emulation wants to report. It goes
    /// to the supplier, or to the ACB on devices without a supplier anchor (CHF); critical codes
    /// (`0x8Fxx`) are signed, others MAC'd. A non-critical alert configured off for the WAN
    /// (DUIS 6.22, [`crate::config::alert_behaviour`]) is not raised:
    /// [`DeviceError::AlertDisabled`].
    pub fn raise_alert(
        &mut self,
        code: AlertCode,
        now: UtcDateTime,
    ) -> Result<Vec<u8>, DeviceError> {
        // DUIS 6.22: an alert configured off is not raised (critical ones always are).
        if !alerts::is_critical(code)
            && !self
                .state
                .config
                .alert_behaviour
                .sends(self.configurable(), code.0)
        {
            return Err(DeviceError::AlertDisabled(code.0));
        }
        let recipient = self.alert_recipient()?;
        self.general_alert(code, &recipient, now)
    }

    fn alert_recipient(&self) -> Result<TrustAnchor, DeviceError> {
        [
            RemotePartyRole::Supplier,
            RemotePartyRole::AccessControlBroker,
        ]
        .into_iter()
        .find_map(|r| self.state.trust_anchors.get(r).cloned())
        .ok_or(DeviceError::MissingTrustAnchor(
            RemotePartyRole::AccessControlBroker,
        ))
    }

    /// Raises a general alert to the supplier (or, on devices without one, the ACB); logs it.
    pub(crate) fn security_alert(&mut self, code: AlertCode, now: UtcDateTime) -> Option<Vec<u8>> {
        match self.raise_alert(code, now) {
            Ok(bytes) => Some(bytes),
            Err(DeviceError::AlertDisabled(_)) => None,
            Err(_) => {
                self.log(now, EventKind::AlertNotSent { alert_code: code.0 });
                None
            }
        }
    }

    fn execute_and_answer(
        &mut self,
        cmd: &Accepted<'_>,
        now: UtcDateTime,
        alerts: &mut Vec<Vec<u8>>,
    ) -> (Option<Vec<u8>>, Outcome) {
        let code = cmd.apdu.message_code();
        let execution = self.execute(cmd, now);
        for alert in std::mem::take(&mut self.pending_alerts) {
            alerts.extend(self.security_alert(alert, now));
        }
        alerts.append(&mut self.pending_frames);
        let (content, date_time, outcome) = match execution {
            Execution::Done {
                content,
                date_time,
                success,
            } => {
                self.log(
                    now,
                    EventKind::CommandExecuted {
                        message_code: code.0,
                        originator: cmd.apdu.originator,
                        counter: cmd.apdu.counter,
                        success,
                    },
                );
                let outcome = Outcome::Executed {
                    message_code: code,
                    success,
                };
                (Some(content), date_time, outcome)
            }
            Execution::NotSupported {
                content,
                bad_format,
            } => {
                self.log(
                    now,
                    EventKind::CommandNotSupported {
                        message_code: code.0,
                        originator: cmd.apdu.originator,
                        counter: cmd.apdu.counter,
                    },
                );
                // GBCS and RTDS give DLMS and GBZ commands a generic failure answer (DLMS
                // object-undefined, ZCL UNSUP_*), but ASN.1 payloads only use-case specific
                // responses: the corpus has no ERROR, NOT_FOUND or NA_ vector of an ASN.1 use
                // case sent to a device that does not implement it (its ASN.1 ERROR vectors are
                // all the use case's own result codes). Such a command gets no response; like
                // a command whose content is not its use case's format, it raises 0x8F1E
                // ("Integrity check of content or format of command failed") so that the
                // requester learns it was not processed.
                if bad_format || content.is_none() {
                    alerts.extend(self.security_alert(ALERT_FORMAT_INVALID, now));
                }
                let outcome = Outcome::NotSupported { message_code: code };
                (content, None, outcome)
            }
        };
        let response = content.and_then(|c| {
            let r = self.protect_response(cmd, c, date_time);
            if r.is_none() {
                self.log(
                    now,
                    EventKind::ResponseNotSent {
                        message_code: code.0,
                    },
                );
            }
            r
        });
        (response, outcome)
    }

    /// Frames a response: signed (DF) if the command was signed, else MAC'd (DD) with this
    /// device's KA private key × the originator's KA public key.
    pub(crate) fn protect_response(
        &self,
        cmd: &Accepted<'_>,
        content: Vec<u8>,
        date_time: Option<[u8; 12]>,
    ) -> Option<Vec<u8>> {
        let apdu = GeneralSigning {
            cra: Cra::Response,
            counter: cmd.apdu.counter,
            originator: self.identity.eui,
            recipient: cmd.apdu.originator,
            date_time,
            other_info: match &cmd.urp {
                // The 26-byte form: the party, its counter and the counter the encryption used.
                Some(u) => OtherInfo {
                    message_code: cmd.apdu.message_code(),
                    ext: OtherInfoExt::OriginatorCounter {
                        remote_party: u.party,
                        remote_party_counter: u.party_counter,
                        originator_counter: u.originator_counter,
                    },
                },
                None => cmd.apdu.other_info.clone(),
            },
            content,
            signature: SignatureField::Unsigned,
        };
        if cmd.signed {
            apdu.sign(self.ds_key()).ok().map(|a| a.encode())
        } else {
            let key = self
                .keys
                .ka
                .derive(cmd.originator.ka_public.key(), &KdfContext::for_mac(&apdu))
                .ok()?;
            GeneralCiphering::protect(apdu, &key)
                .ok()
                .map(|c| c.encode())
        }
    }

    /// The CHF loses power at true time `now`: records the outage and returns the notice from
    /// which the DCC raises AD1. Only a CHF can send it.
    pub fn power_outage_alert(
        &mut self,
        now: UtcDateTime,
    ) -> Result<PowerOutageNotice, DeviceError> {
        if self.identity.kind != DeviceKind::Chf {
            return Err(DeviceError::NotSupported {
                operation: "power outage alert",
                kind: self.identity.kind,
            });
        }
        self.power_lost(now);
        let start = self.device_time(now);
        Ok(PowerOutageNotice {
            comms_hub: self.identity.eui,
            start,
        })
    }

    /// The device loses power at true time `now` (registers stop advancing). No alert: a
    /// device without power sends nothing. Returns false if an outage was already running.
    pub fn power_lost(&mut self, now: UtcDateTime) -> bool {
        if self.state.power_outage_since.is_some() {
            return false;
        }
        self.state.power_outage_since = Some(self.device_time(now).to_unix());
        self.sync_flow(now);
        self.log(now, EventKind::PowerLost);
        true
    }

    /// Power comes back at true time `now`. An ESME raises the ECS80 "supply outage restored"
    /// alert (0x8F36 for outages of three minutes or more, else 0x8F35) to its network operator,
    /// signed, as the RTDS vector `ECS80_NA_8F36_ALERT` shows.
    pub fn power_restored(&mut self, now: UtcDateTime) -> Reply {
        let mut alerts = Vec::new();
        // The state changes exactly when an outage was running (it ends, and is logged).
        let outage = self.state.power_outage_since.take();
        if let Some(start) = outage {
            self.sync_flow(now);
            self.log(
                now,
                EventKind::PowerRestored {
                    outage_start: start,
                },
            );
            if self.identity.kind == DeviceKind::Esme {
                let code = alerts::outage_restored_code(start, self.device_time(now).to_unix());
                let built = self
                    .state
                    .trust_anchors
                    .get(RemotePartyRole::NetworkOperator)
                    .cloned()
                    .ok_or(DeviceError::MissingTrustAnchor(
                        RemotePartyRole::NetworkOperator,
                    ))
                    .and_then(|no| self.outage_restored_alert(code, start, &no, now));
                match built {
                    Ok(a) => alerts.push(a),
                    Err(_) => self.log(now, EventKind::AlertNotSent { alert_code: code.0 }),
                }
            }
        }
        Reply {
            response: None,
            alerts,
            state_changed: outage.is_some(),
            outcome: Outcome::Event,
        }
    }

    /// Makes the register flow match supply state and power.
    pub(crate) fn sync_flow(&mut self, now: UtcDateTime) {
        let flowing = self.state.supply == SupplyState::Enabled
            && self.state.power_outage_since.is_none()
            && matches!(
                self.identity.kind,
                DeviceKind::Esme | DeviceKind::Gsme | DeviceKind::Gpf
            );
        self.state.metering.set_flowing(flowing, now.to_unix());
    }

    /// Changes the supply state, logging and folding the registers.
    pub(crate) fn set_supply(&mut self, to: SupplyState, now: UtcDateTime) {
        let from = self.state.supply;
        if from != to {
            self.state.supply = to;
            self.sync_flow(now);
            self.log(now, EventKind::SupplyChanged { from, to });
        }
    }
}
