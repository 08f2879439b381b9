//! The request life cycle at the User Gateway: every check in order, then the service, with every
//! state change in one transaction that commits before the answer leaves.
//!
//! Order of checks (each failure maps through [`DccError::outcome`]):
//!
//! 1. size limit;
//! 2. well-formed XML with no DTD or entity declarations;
//! 3. DUIS schema;
//! 4. XML signature against the SMKI organisation certificate named by `X509IssuerSerial`,
//!    whose subject EUI must be the RequestID originator and (over TLS) the client's identity;
//! 5. RequestID counter strictly greater than the last accepted from that originator;
//! 6. eligibility: service matrix (role), endpoint and command variant, body element (all from
//!    [`duis::Srv::info`] alone), registration data for the device on the request's date
//!    ([`crate::registration`]), the device's SMI status;
//! 7. the service itself: [`crate::catalogue::service`] and its [`crate::services::Plan`]
//!    (a variant the catalogue lacks is E12), then what the plan says (answer, pre-command back
//!    to the user, or a command on the SM WAN queue), and the request's record.

use std::sync::Arc;

use duis::{Endpoint, Request, ResponseCode};
use eui::Eui64;
use time::OffsetDateTime;

use crate::catalogue::{self, DccCrypto};
use crate::eligibility;
use crate::error::{
    AuthError, AuthzError, DccError, InternalError, SchemaError, ServiceError, TransportError,
};
use crate::model::Device;
use crate::registration;
use crate::render;
use crate::services::{self, DeviceRequest, DeviceService, NonDeviceRequest, Plan};
use crate::store::{JobKind, PendingPreCommand, RequestRecord, Store, Tx, WanJob};

/// Where time comes from (injected so that tests control it).
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// Which flavour of DUIS responses the DCC writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Dialect {
    /// DUIS 5.4 throughout.
    #[default]
    Duis54,
    /// As DCC Boxed: DUIS 5.4, except where the tooling built for DCC Boxed validates with the
    /// DUIS 5.1 schema and the two differ (12.1's WAN matrix).
    DccBoxed,
}

/// Limits applied before anything is parsed.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_body_bytes: usize,
    /// How long the DCC waits for a device to answer before telling the user E21.
    pub device_response_timeout_ms: i64,
}

impl Default for Limits {
    fn default() -> Self {
        // The largest DUIS request (11.1 Update Firmware, tariffs with 48 blocks) is a few tens of
        // kilobytes; anything near this size is not a service request.
        Self {
            max_body_bytes: 256 * 1024,
            device_response_timeout_ms: 30_000,
        }
    }
}

/// One request as it arrived.
#[derive(Debug, Clone, Copy)]
pub struct Inbound<'a> {
    pub endpoint: Endpoint,
    /// The EUI of the DCCKI client certificate, when the connection was mutually authenticated
    /// TLS; `None` on the loopback-only plain-HTTP listener.
    pub tls_identity: Option<Eui64>,
    pub body: &'a [u8],
}

/// The synchronous answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub http_status: u16,
    pub content_type: &'static str,
    pub body: String,
    /// The RequestID, once known.
    pub request_id: Option<String>,
    /// The DUIS response code, if a DUIS response was given.
    pub code: Option<ResponseCode>,
    /// The error, if the request was refused.
    pub error: Option<DccError>,
    /// The commands the request put on the SM WAN queue (or held there), committed before the
    /// answer is returned: the dispatcher has work, and a shared queue announces each.
    pub wan_jobs: Vec<QueuedJob>,
}

impl Answer {
    /// Whether the request put a command on the SM WAN queue (or held one there).
    pub fn wan_queued(&self) -> bool {
        !self.wan_jobs.is_empty()
    }
}

/// A command the gateway queued for the SM WAN, as a notice of it names it (attempts 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuedJob {
    /// `WanJob::id`.
    pub id: i64,
    /// The Communications Hub Function that reaches the device.
    pub chf: Eui64,
    /// The device.
    pub target: Eui64,
    /// When its first attempt is due (unix milliseconds; a held command's execution time).
    pub due_at: i64,
}

/// Asked before the gateway accepts a request that will send a command over the SM WAN: an
/// error refuses it as a DCC fault ([`InternalError::QueueUnavailable`]) before anything is
/// committed. A shared queue's broker being down is such a fault.
pub trait WanAdmission: Send + Sync + 'static {
    fn admit(&self) -> Result<(), String>;
}

/// Signs DUIS responses with the DCC's XML signing key.
pub trait ResponseSigner: Send + Sync + 'static {
    fn sign(&self, unsigned: &str) -> Result<String, DccError>;
}

impl<T: ResponseSigner + ?Sized> ResponseSigner for Arc<T> {
    fn sign(&self, unsigned: &str) -> Result<String, DccError> {
        (**self).sign(unsigned)
    }
}

impl ResponseSigner for xmldsig::XmlSigner {
    fn sign(&self, unsigned: &str) -> Result<String, DccError> {
        xmldsig::XmlSigner::sign(self, unsigned)
            .map_err(|e| DccError::Internal(InternalError::Signing(e.to_string())))
    }
}

/// The User Gateway's request processing, free of sockets.
pub struct Gateway<S: Store, C: Clock> {
    store: Arc<S>,
    clock: C,
    signer: Arc<dyn ResponseSigner>,
    dcc: Arc<DccCrypto>,
    limits: Limits,
    dialect: Dialect,
    admission: Option<Arc<dyn WanAdmission>>,
}

/// What a request that passed authentication carries through the rest of the checks.
struct Authenticated {
    request: Request,
    /// The signer's SMKI digital-signing public key (SEC1): also checks GBCS signatures on the
    /// user's signed pre-commands.
    signer_key: Vec<u8>,
}

impl<S: Store, C: Clock> Gateway<S, C> {
    pub fn new(
        store: Arc<S>,
        clock: C,
        signer: Arc<dyn ResponseSigner>,
        dcc: Arc<DccCrypto>,
        limits: Limits,
    ) -> Self {
        Self {
            store,
            clock,
            signer,
            dcc,
            limits,
            dialect: Dialect::default(),
            admission: None,
        }
    }

    /// Asks `admission` before accepting each request that sends a command over the SM WAN
    /// (CV 1, 3, 5, 7): one it refuses is answered as a DCC fault and nothing is committed.
    pub fn with_wan_admission(mut self, admission: Arc<dyn WanAdmission>) -> Self {
        self.admission = Some(admission);
        self
    }

    /// Writes responses in `dialect`.
    pub fn with_dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = dialect;
        self
    }

    pub fn store(&self) -> &Arc<S> {
        &self.store
    }

    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// The DCC's DUIS response signer.
    pub fn signer(&self) -> Arc<dyn ResponseSigner> {
        self.signer.clone()
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Processes one request to its synchronous answer. Never panics on any input.
    pub fn handle(&self, inbound: Inbound<'_>) -> Answer {
        let now = self.clock.now();
        let auth = match self.authenticate(inbound) {
            Ok(a) => a,
            Err(e) => return self.refuse(e, None, now),
        };
        match self.authorise_and_execute(inbound, &auth, now) {
            Ok((code, body, wan_jobs)) => Answer {
                http_status: 200,
                content_type: "application/xml",
                body,
                request_id: Some(auth.request.header.request_id.to_string()),
                code: Some(code),
                error: None,
                wan_jobs,
            },
            Err(e) => self.refuse(e, Some(&auth), now),
        }
    }

    fn refuse(&self, error: DccError, auth: Option<&Authenticated>, now: OffsetDateTime) -> Answer {
        let request_id = auth.map(|a| a.request.header.request_id.to_string());
        let outcome = error.outcome();
        if let (Some(code), Some(auth)) = (outcome.code, auth) {
            match render::header_only(&auth.request, code, now).and_then(|u| self.signer.sign(&u)) {
                Ok(body) => {
                    return Answer {
                        http_status: outcome.http_status,
                        content_type: "application/xml",
                        body,
                        request_id,
                        code: Some(code),
                        error: Some(error),
                        wan_jobs: Vec::new(),
                    };
                }
                Err(sign_err) => return self.refuse(sign_err, None, now),
            }
        }
        Answer {
            http_status: outcome.http_status,
            content_type: "text/plain; charset=utf-8",
            body: format!("{error}\n"),
            request_id,
            code: None,
            error: Some(error),
            wan_jobs: Vec::new(),
        }
    }

    /// Steps 1–4: everything before the DCC knows the request is really from its originator.
    fn authenticate(&self, inbound: Inbound<'_>) -> Result<Authenticated, DccError> {
        let body = inbound.body;
        if body.len() > self.limits.max_body_bytes {
            return Err(TransportError::BodyTooLarge {
                size: body.len(),
                limit: self.limits.max_body_bytes,
            }
            .into());
        }
        reject_dtd(body)?;
        duis_schema::validate_request(body).map_err(schema_error)?;
        let request = duis::parse_request(body).map_err(parse_error)?;
        // Parsed once: its signature's description names the certificate, and it is verified
        // below without being parsed again.
        let signed = xmldsig::SignedDocument::parse(body).map_err(dsig_error)?;
        let info = signed.info();
        let serial = info.issuer_serial.serial.clone();
        // Committed state is enough (and the writer's connection is not held up by it).
        let (cert, test_key) = self.store.read(|tx| {
            let cert = tx.org_cert(&serial)?;
            // The DCC is live: it refuses the key of any SMKI test certificate (SEC H4).
            let test_key = match &cert {
                Some(c) => tx.is_test_certificate_key(&c.public_key)?,
                None => false,
            };
            Ok((cert, test_key))
        })?;
        let cert = match cert {
            Some(c) if xmldsig::issuer_names_match(&c.issuer, &info.issuer_serial.issuer_name) => c,
            _ => {
                return Err(AuthError::UnknownSigner {
                    issuer: info.issuer_serial.issuer_name.clone(),
                    serial,
                }
                .into());
            }
        };
        let key = xmldsig::VerifyingKey::from_sec1(&cert.public_key).map_err(dsig_error)?;
        signed.verify(&key).map_err(dsig_error)?;
        if cert.revoked {
            return Err(AuthError::RevokedCertificate.into());
        }
        if test_key {
            return Err(AuthError::TestKeyInLive.into());
        }
        let originator = request.header.request_id.originator;
        if cert.subject_eui != originator {
            return Err(AuthError::SignerMismatch {
                cert: cert.subject_eui.to_string(),
                originator: originator.to_string(),
            }
            .into());
        }
        if let Some(tls) = inbound.tls_identity
            && tls != originator
        {
            return Err(AuthError::TlsIdentityMismatch {
                tls: tls.to_string(),
                originator: originator.to_string(),
            }
            .into());
        }
        Ok(Authenticated {
            request,
            signer_key: cert.public_key,
        })
    }

    /// Steps 5–7 in one transaction: nothing changes unless everything succeeds. Returns the
    /// code, the signed answer and the commands queued for the SM WAN.
    fn authorise_and_execute(
        &self,
        inbound: Inbound<'_>,
        auth: &Authenticated,
        now: OffsetDateTime,
    ) -> Result<(ResponseCode, String, Vec<QueuedJob>), DccError> {
        let req = &auth.request;
        let rid = req.header.request_id;
        let cv = req.header.command_variant;
        if !cv.is_non_device() {
            // The ACB's ECDH with the device's key (its MAC key's shared secret, kept per
            // device) computed here rather than inside the transaction: `catalogue::protect`
            // there then costs a KDF. Nothing depends on it: the transaction reads the
            // certificate again, and any failure here is met there.
            let der = self
                .store
                .read(|tx| Ok(tx.device_cert(rid.target, "ka")?))
                .ok()
                .flatten();
            if let Some(key) =
                der.and_then(|d| gbcs::crypto::PublicKey::from_certificate_der(&d).ok())
            {
                let _ = self.dcc.acb_ka.prepare(&key);
            }
        }
        // A command sent over the SM WAN (CV 1, 5) is acknowledged with I99, a document that
        // depends only on the request and `now`: signed here, before the transaction, so that
        // the signature (canonicalisation and ECDSA) does not hold the store. Used only if the
        // transaction's answer is exactly that document; any other answer is signed inside.
        if cv.sends_via_wan()
            && let Some(admission) = &self.admission
        {
            admission.admit().map_err(InternalError::QueueUnavailable)?;
        }
        let presigned = if cv.sends_via_wan() && !cv.returns_for_local_delivery() {
            let unsigned = render::header_only(req, ResponseCode::I99, now)?;
            let signed = self.signer.sign(&unsigned)?;
            Some((unsigned, signed))
        } else {
            None
        };
        self.store.transaction(|tx| {
            let mut wan_jobs = Vec::new();
            let accepted_counter = check_counter(tx, req)?;
            let user = tx
                .user(rid.originator)?
                .ok_or_else(|| AuthzError::UnknownUser(rid.originator.to_string()))?;
            // The matrix row alone says who may send it, how, and with which body.
            let srv = req.header.service_reference_variant;
            let variant = srv.info();
            if variant.service_reference != req.header.service_reference
                || !variant.accepts_body(req.header.command_variant, &req.body.name)
            {
                return Err(AuthzError::BodyMismatch {
                    srv,
                    found: format!("{} / {}", req.header.service_reference, req.body.name),
                }
                .into());
            }
            eligibility::check_command_variant(
                variant,
                req.header.command_variant,
                inbound.endpoint,
            )?;
            let roles = eligibility::eligible_roles(&user, variant)?;
            let (code, unsigned) = if variant.non_device {
                let plan = catalogue::non_device_service(srv)?.plan(&mut NonDeviceRequest {
                    tx: &mut *tx,
                    request: req,
                    user: &user,
                    roles: &roles,
                    now,
                    dialect: self.dialect,
                    dcc: &self.dcc,
                })?;
                match plan {
                    Plan::Answer { code, document } => (code, document),
                    other => {
                        return Err(InternalError::Render(format!(
                            "non-device service {srv} planned a device command: {other:?}"
                        ))
                        .into());
                    }
                }
            } else {
                let device = tx
                    .device(rid.target)?
                    .ok_or_else(|| AuthzError::UnknownDevice(rid.target.to_string()))?;
                // The service (E12 if the DCC does not implement it) and the device types it
                // serves (E11 for any other) before registration: a request that can never
                // apply to the device is refused as such, whoever is registered.
                let service = catalogue::device_service(srv)?;
                if !service.device_types().contains(&device.device_type) {
                    return Err(services::wrong_type(srv, device.device_type));
                }
                let day = now.date();
                let parties = registration::load(tx, &device, day)?;
                let acting_role =
                    eligibility::check_registration(&user, &roles, &device, &parties, day)?;
                crate::smi::check_addressable(variant.id, &device)?;
                self.device_request(tx, auth, service, acting_role, &device, now, &mut wan_jobs)?
            };
            let signed = match presigned {
                Some((u, s)) if u == unsigned => s,
                _ => self.signer.sign(&unsigned)?,
            };
            tx.set_request_counter(rid.originator, rid.target, accepted_counter)?;
            tx.record_request(&RequestRecord {
                originator: rid.originator,
                target: rid.target,
                counter: rid.counter,
                srv,
                command_variant: req.header.command_variant as u8,
                received_at: now,
                response_code: code.as_str().to_string(),
                response: Some(signed.clone()),
            })?;
            Ok((code, signed, wan_jobs))
        })
    }

    /// A device request: the service's plan (or, for a signed pre-command, the check that it
    /// answers the pending pre-command), then either the pre-command back to the user (CV 4) or
    /// the protected command on the SM WAN queue, acknowledged with I99 (the device's answer is
    /// delivered later). A command put on the queue is added to `wan_jobs`.
    #[allow(clippy::too_many_arguments)]
    fn device_request(
        &self,
        tx: &mut dyn Tx,
        auth: &Authenticated,
        service: &dyn DeviceService,
        acting_role: duis::UserRole,
        device: &Device,
        now: OffsetDateTime,
        wan_jobs: &mut Vec<QueuedJob>,
    ) -> Result<(ResponseCode, String), DccError> {
        let req = &auth.request;
        let rid = req.header.request_id;
        let cv = req.header.command_variant;
        let srv = req.header.service_reference_variant;
        let variant = srv.info();
        let device_ka = device_ka_key(tx, device)?;
        // Only devices of Certified Products List models are commissioned (seed 003 para 292).
        if srv == duis::Srv::V8_1_1 {
            crate::products::require_listed(tx, device, srv)?;
        }
        let plan = if cv.is_signed_pre_command() {
            let pending = tx.precommand(rid.originator, rid.target, rid.counter)?;
            // The user signs pre-commands with an SMKI digital-signing key of theirs: the one
            // that signed the XML, or another (ZAZ1 users have one for XML, one for GBCS).
            let mut keys = vec![auth.signer_key.clone()];
            keys.extend(
                tx.org_certs_of(rid.originator)?
                    .into_iter()
                    .filter(|c| !c.revoked)
                    .map(|c| c.public_key),
            );
            let plan =
                catalogue::plan_signed_precommand(req, device, pending.as_ref(), &keys, now)?;
            tx.use_precommand(rid.originator, rid.target, rid.counter)?;
            plan
        } else {
            // 8.7 Join, 8.8 Unjoin: the other device as the inventory and SMKI know it.
            let han_peer = match service.han_peer_id(req)? {
                Some(id) => Some(services::han_join::lookup(&mut *tx, id)?),
                None => None,
            };
            let acb = self.dcc.acb;
            let mut dcc_counter = || -> Result<u64, DccError> { Ok(tx.next_dcc_counter(acb)?) };
            let mut r = DeviceRequest {
                request: req,
                device,
                acting_role,
                dcc: &self.dcc,
                dcc_counter: &mut dcc_counter,
                now,
                han_peer,
            };
            // Service acceptance (the DCC's own data) before the transform.
            service.accept(&r)?;
            catalogue::plan_device(service, &mut r)?
        };
        let (command, held) = match plan {
            Plan::PreCommand(pre) => {
                let bytes = pre.encode();
                tx.put_precommand(&PendingPreCommand {
                    originator: rid.originator,
                    counter: rid.counter,
                    target: device.id,
                    srv,
                    precommand: bytes.clone(),
                    created_at: unix_ms(now),
                    used: false,
                })?;
                let header = duis::ResponseHeader::new(
                    rid,
                    ResponseCode::I0,
                    duis::ResponseDateTime::from_datetime(now)
                        .map_err(|e| InternalError::Render(e.to_string()))?,
                );
                let doc = duis::pre_command_response(&header, variant, GBCS_VERSION, &bytes)
                    .map_err(|e| InternalError::Render(e.to_string()))?;
                return Ok((ResponseCode::I0, doc));
            }
            Plan::Command { command, .. } => (command, None),
            Plan::Held {
                command,
                execute_at,
                ..
            } => (command, Some(execute_at)),
            Plan::Answer { code, document } => return Ok((code, document)),
        };
        if held.is_some() && cv.returns_for_local_delivery() {
            // A command the DCC holds until its execution time cannot also be handed to the
            // user now: DSP future dating is for commands the DCC sends (CV 1, 5).
            return Err(AuthzError::CommandVariant {
                cv: cv.value(),
                srv,
            }
            .into());
        }
        let wan_command = catalogue::protect(command, &self.dcc, &device_ka)?;
        // Local delivery (CV 2 and 6; with the SM WAN too, 3 and 7): the user receives the
        // protected command, exactly as the DCC would send it, to deliver to the device on site.
        let local = cv
            .returns_for_local_delivery()
            .then(|| -> Result<String, DccError> {
                let header = duis::ResponseHeader::new(
                    rid,
                    ResponseCode::I0,
                    duis::ResponseDateTime::from_datetime(now)
                        .map_err(|e| InternalError::Render(e.to_string()))?,
                );
                duis::local_command_response(&header, variant, &wan_command)
                    .map_err(|e| InternalError::Render(e.to_string()).into())
            })
            .transpose()?;
        if !cv.sends_via_wan()
            && let Some(doc) = local
        {
            return Ok((ResponseCode::I0, doc));
        }
        let chf = device.chf.unwrap_or(device.id);
        let now_ms = unix_ms(now);
        let timeout = self.limits.device_response_timeout_ms;
        let (due_at, deadline_at) = match held {
            Some(at) => crate::dispatch::hold::due_and_deadline(at, timeout),
            None => (now_ms, now_ms + timeout),
        };
        let job = WanJob {
            id: 0,
            originator: rid.originator,
            counter: rid.counter,
            target: device.id,
            chf,
            kind: JobKind::Service(srv),
            command: wan_command,
            attempts: 0,
            due_at,
            deadline_at,
        };
        let id = if held.is_some() {
            // DSP future dated: due at the execution time, outside the device's order until
            // then (`dispatch::hold`).
            tx.hold_wan(&job)?
        } else {
            tx.enqueue_wan(&job)?
        };
        wan_jobs.push(QueuedJob {
            id,
            chf,
            target: device.id,
            due_at,
        });
        if let Some(doc) = local {
            return Ok((ResponseCode::I0, doc));
        }
        Ok((
            ResponseCode::I99,
            render::header_only(req, ResponseCode::I99, now)?,
        ))
    }
}

/// The anti-replay rule on a RequestID's counter, written once: refuses (`AuthError::Replay`,
/// HTTP 409, nothing changed) a counter at or below the last one accepted from the same originator for the same
/// target, or at or below the originator's floor (see `store::RequestCounter`), and returns the
/// counter to record as that pair's last once the request is accepted.
///
/// Scope: per (originator, target). The DUIS text available to this project (the DUIS 5.4 XSD,
/// whose `RequestIDType` is `originator:target:counter` with a counter of 0 to 2⁶⁴−1 and no
/// annotation; the DUIS templates and the SEC papers in `../shared/seeds`) does not say
/// whether the counter must increase per originator or per originator and target. The devices
/// check the GBCS originator counter (which, for a user-originated command, is the RequestID
/// counter) per originator, and a device only ever sees the commands addressed to it, which
/// is the same as per (originator, target); so the DCC checks the same scope, and a user
/// sending to many devices in parallel does not have its requests refused for overtaking one
/// another. Consequence: a counter accepted for one target may still be used once for
/// another target (never twice for the same one).
///
/// A signed pre-command (CV 5, 6, 7) carries the counter of the critical request (CV 4) it
/// answers: that one reuse is expected while the pre-command awaits its signature (whether it
/// really answers it, same device and service, is the service step's check, refused with E12);
/// any other reuse is a replay.
///
/// Non-device requests (CV 8) have their own rule, [`check_non_device_counter`].
fn check_counter(tx: &mut dyn Tx, req: &Request) -> Result<u64, DccError> {
    let rid = req.header.request_id;
    if req.header.command_variant.is_non_device() {
        return check_non_device_counter(tx, rid);
    }
    let answers_precommand = req.header.command_variant.is_signed_pre_command()
        && tx
            .precommand(rid.originator, rid.target, rid.counter)?
            .is_some_and(|p| !p.used);
    let seen = tx.request_counter(rid.originator, rid.target)?;
    match seen.highest() {
        Some(last) if rid.counter <= last && !answers_precommand => Err(AuthError::Replay {
            originator: rid.originator.to_string(),
            counter: rid.counter,
            last,
        }
        .into()),
        _ => Ok(seen.last.map_or(rid.counter, |l| l.max(rid.counter))),
    }
}

/// How far below the highest counter accepted from an originator for the same target a
/// non-device request's counter may be and still be accepted (once): [`check_non_device_counter`].
///
/// 2³²: users commonly draw counters from the clock (the load generator: epoch milliseconds ×
/// 1,000, then steps of 1,024 per request), so the window is wide in counter units: over an
/// hour of such clock counters, or four million requests at the generator's step. Completeness
/// does not rest on it (every accepted RequestID is recorded and looked up), only how far back
/// a never-used counter is still taken.
pub const NON_DEVICE_WINDOW: u64 = 1 << 32;

/// The anti-replay rule for non-device requests (CV 8), written once: each RequestID is
/// accepted at most once, in any order, within a window. A counter is refused (HTTP 409,
/// nothing changed) if it is at or below the originator's floor, if it is [`NON_DEVICE_WINDOW`]
/// or more below the highest counter accepted from the originator for the same target, or if a
/// request with the same `originator:target:counter` was already accepted (the record of every
/// accepted request, `RequestsTx::request`, which is never pruned; refused as
/// `AuthError::CounterReused`, the others as `AuthError::Replay`). Returns the counter to
/// record as the pair's highest.
///
/// Why not strictly increasing, as for device requests: a device request's counter becomes the
/// GBCS originator counter of the command, which the device accepts only in increasing order,
/// so the DCC must not let one overtake another. A non-device request reaches no device, and
/// all of a user's non-device requests have the DCC as their target: under the strict rule a
/// user sending them in parallel would have every request that overtook another refused as a
/// replay. Replay protection stays complete (no RequestID is accepted twice, whatever the
/// window) while parallel requests arrive in any order.
fn check_non_device_counter(tx: &mut dyn Tx, rid: duis::RequestId) -> Result<u64, DccError> {
    let seen = tx.request_counter(rid.originator, rid.target)?;
    let replay = |last: u64| -> DccError {
        AuthError::Replay {
            originator: rid.originator.to_string(),
            counter: rid.counter,
            last,
        }
        .into()
    };
    if let Some(floor) = seen.floor
        && rid.counter <= floor
    {
        return Err(replay(floor));
    }
    let highest = seen.last.unwrap_or(0);
    let too_old = highest
        .checked_sub(NON_DEVICE_WINDOW)
        .is_some_and(|oldest_refused| rid.counter <= oldest_refused);
    if too_old {
        return Err(replay(highest));
    }
    if tx
        .request(rid.originator, rid.target, rid.counter)?
        .is_some()
    {
        return Err(AuthError::CounterReused {
            originator: rid.originator.to_string(),
            target: rid.target.to_string(),
            counter: rid.counter,
        }
        .into());
    }
    Ok(seen.last.map_or(rid.counter, |l| l.max(rid.counter)))
}

/// The GBCS version the DCC's pre-commands are written for.
pub const GBCS_VERSION: &str = "4.0";

/// Milliseconds since the Unix epoch.
pub fn unix_ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The device's key-agreement public key, from its SMKI certificate in the repository.
fn device_ka_key(tx: &mut dyn Tx, device: &Device) -> Result<gbcs::crypto::PublicKey, DccError> {
    let der = tx
        .device_cert(device.id, "ka")?
        .ok_or_else(|| ServiceError::NoDeviceCertificate(device.id.to_string()))?;
    gbcs::crypto::PublicKey::from_certificate_der(&der).map_err(|e| {
        InternalError::Signing(format!("device {} KA certificate: {e}", device.id)).into()
    })
}

/// Refuses documents with a document type declaration or entity declarations anywhere before
/// any parser sees them (XXE, billion laughs).
pub fn reject_dtd(body: &[u8]) -> Result<(), DccError> {
    let has = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    if has(b"<!DOCTYPE") || has(b"<!ENTITY") {
        return Err(SchemaError::Dtd.into());
    }
    Ok(())
}

fn schema_error(e: duis_schema::SchemaError) -> DccError {
    match e {
        duis_schema::SchemaError::Malformed { .. }
        | duis_schema::SchemaError::Unsupported { .. }
        | duis_schema::SchemaError::NoRoot => SchemaError::Malformed(e.to_string()).into(),
        other => SchemaError::Invalid(other.to_string()).into(),
    }
}

fn parse_error(e: duis::ParseError) -> DccError {
    SchemaError::Invalid(e.to_string()).into()
}

fn dsig_error(e: xmldsig::DsigError) -> DccError {
    match e {
        xmldsig::DsigError::NoSignature => AuthError::Unsigned.into(),
        other => AuthError::BadSignature(other.to_string()).into(),
    }
}
