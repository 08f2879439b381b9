//! A deterministic test harness for opendcc: the gateway, the core's dispatcher
//! (`dcc::dispatch`), the emulated SM WAN and devices, and delivery to in-process Receive
//! Response Services, all in ONE process on a simulated clock and a real SQLite store in a
//! temporary directory.
//!
//! Nothing sleeps. WAN latency and retries are due times: [`Harness::advance`] moves the clock
//! from one due time to the next (a transmission arriving at its hub, a retry falling due, a
//! delivery backoff ending) and does at each what the runtime workers would do, so a test of a
//! 30-second deadline runs in milliseconds and always the same way.
//!
//! The world is the demo's (`opendcc::world`): the same users, premises, devices, keys,
//! certificates and registrations `opendcc demo` serves.

// future dating: device actions falling due, commands queued as the gateway queues them
pub mod future;
pub mod parts;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dcc::dispatch::{DispatchConfig, Dispatcher, Driver};
use dcc::gateway::{Answer, Clock, Gateway, Inbound, Limits, unix_ms};
use dcc::schedule::Scheduler;
use dcc::store::{OutboxItem, Store};
use eui::Eui64;
use opendcc::world::{self, World};
use server::delivery::{DeliveryPolicy, Recipient};
use store::SqliteStore;
use time::OffsetDateTime;
use wan::{EmulatedWan, EmulatorTx as _, WanConfig, WanFault};

/// The DCC's EUI-64 (the RequestID target of non-device requests, the originator of DCC alerts).
pub const DCC_EUI: Eui64 = world::DCC_EUI;

/// How long the DCC waits for a device before giving up (the gateway's deadline for a job).
pub const DEVICE_TIMEOUT: Duration = Duration::from_secs(30);
/// The WAN retry interval the harness's DCC uses.
pub const RETRY_INTERVAL: Duration = Duration::from_millis(500);
/// Simulated time after which [`Harness::run_until_idle`] declares the system stuck.
const IDLE_LIMIT: Duration = Duration::from_secs(3600);

/// Premises 1 of the demo world (UPRN 100000000001, Central region) and its devices.
pub mod premises1 {
    pub const UPRN: &str = "100000000001";
    pub const MPAN: &str = "1900000000018";
    pub const MPRN: &str = "1234567";
    pub const ESME: &str = "00-DB-12-34-56-78-90-A0";
    pub const GSME: &str = "00-DB-12-34-56-78-90-A1";
    pub const CHF: &str = "00-DB-12-34-56-78-90-A2";
    pub const GPF: &str = "00-DB-12-34-56-78-90-A3";
    pub const PPMID: &str = "00-DB-12-34-56-78-90-A4";
}

/// A clock the test moves.
#[derive(Debug, Clone)]
pub struct SimClock(Arc<Mutex<OffsetDateTime>>);

impl SimClock {
    pub fn starting_at(t: OffsetDateTime) -> Self {
        Self(Arc::new(Mutex::new(t)))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, OffsetDateTime> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn set(&self, t: OffsetDateTime) {
        *self.lock() = t;
    }

    pub fn advance(&self, d: Duration) {
        let mut t = self.lock();
        *t += d;
    }
}

impl Clock for SimClock {
    fn now(&self) -> OffsetDateTime {
        *self.lock()
    }
}

/// A document a user's Receive Response Service accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The outbox entry's id (the `x-opendcc-delivery-id` a real service would see).
    pub delivery_id: i64,
    /// `response`, `alert` or `dcc-alert`.
    pub kind: String,
    pub xml: String,
}

impl Delivered {
    /// `Header/ResponseCode`.
    pub fn code(&self) -> Option<String> {
        element_text(&self.xml, "ResponseCode")
    }

    /// `Header/RequestID`.
    pub fn request_id(&self) -> Option<String> {
        element_text(&self.xml, "RequestID")
    }

    /// The GBCS payload (the device's answer), decoded.
    pub fn gbcs_payload(&self) -> Option<Vec<u8>> {
        use base64::Engine as _;
        let b64 = element_text(&self.xml, "GBCSPayload")?;
        let clean: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
        base64::engine::general_purpose::STANDARD.decode(clean).ok()
    }
}

/// The service reference of a service reference variant: its first two numbers (`6.15.1` →
/// `6.15`, `7.2` → `7.2`).
pub fn service_reference(variant: &str) -> String {
    variant.split('.').take(2).collect::<Vec<_>>().join(".")
}

/// A DUIS 5.4 command variant 5 request (unsigned): request `rid`'s pre-command, `signed` (the
/// GBCS bytes the user signed), for service reference variant `variant`.
pub fn cv5_request(rid: &str, variant: &str, signed: &[u8]) -> String {
    use base64::Engine as _;
    format!(
        concat!(
            r#"<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4">"#,
            "<sr:Header><sr:RequestID>{}</sr:RequestID><sr:CommandVariant>5</sr:CommandVariant>",
            "<sr:ServiceReference>{}</sr:ServiceReference>",
            "<sr:ServiceReferenceVariant>{}</sr:ServiceReferenceVariant></sr:Header>",
            "<sr:Body><sr:SignedPreCommand><sr:GBCSPayload>{}</sr:GBCSPayload></sr:SignedPreCommand>",
            "</sr:Body></sr:Request>"
        ),
        rid,
        service_reference(variant),
        variant,
        base64::engine::general_purpose::STANDARD.encode(signed)
    )
}

/// The GBCS pre-command in the DCC's synchronous answer to a critical request (command variant
/// 4). Panics if it carries none.
pub fn precommand_of(answer: &Answer) -> Vec<u8> {
    Delivered {
        delivery_id: 0,
        kind: "response".into(),
        xml: answer.body.clone(),
    }
    .gbcs_payload()
    .unwrap_or_else(|| panic!("a pre-command in\n{}", answer.body))
}

/// `xml` (a request) with its `sr:Body` replaced by `body` (the body's content).
pub fn with_body(xml: &str, body: &str) -> String {
    let (Some(a), Some(z)) = (xml.find("<sr:Body>"), xml.find("</sr:Body>")) else {
        panic!("no sr:Body in\n{xml}");
    };
    let z = z + "</sr:Body>".len();
    format!("{}<sr:Body>{body}</sr:Body>{}", &xml[..a], &xml[z..])
}

/// The text of the first element named `local` (any prefix).
pub fn element_text(xml: &str, local: &str) -> Option<String> {
    let root = duis::xml::parse_element(xml.as_bytes(), &duis::ParseLimits::default()).ok()?;
    fn walk(e: &duis::Element, local: &str) -> Option<String> {
        if e.name == local {
            return Some(e.trimmed_text().to_string());
        }
        e.children.iter().find_map(|c| walk(c, local))
    }
    walk(&root, local)
}

/// The in-process Receive Response Services: one per user URL `inproc://<name>`.
#[derive(Debug, Default)]
struct Inbox {
    received: HashMap<String, Vec<Delivered>>,
    /// Deliveries to refuse before accepting again (per URL).
    refuse: HashMap<String, u32>,
    refused: u32,
}

impl Recipient for Inbox {
    fn receive(&mut self, url: Option<&str>, item: &OutboxItem) -> Result<(), String> {
        let Some(url) = url else {
            return Err("the user has no Receive Response Service URL".into());
        };
        if let Some(n) = self.refuse.get_mut(url)
            && *n > 0
        {
            *n -= 1;
            self.refused += 1;
            return Err(format!("{url}: HTTP 503"));
        }
        self.received
            .entry(url.to_string())
            .or_default()
            .push(Delivered {
                delivery_id: item.id,
                kind: item.kind.clone(),
                xml: item.document.clone(),
            });
        Ok(())
    }
}

/// A request ready to send.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub rid: String,
    pub counter: u64,
    pub xml: String,
}

/// The whole DCC in one process on a simulated clock.
pub struct Harness {
    _root: tempfile::TempDir,
    world: World,
    clock: SimClock,
    store: Arc<SqliteStore>,
    gateway: Gateway<SqliteStore, SimClock>,
    driver: Driver<SqliteStore, EmulatedWan>,
    /// The DCC's scheduler (5.1 schedules), run at each due time like the other workers.
    scheduler: Scheduler,
    /// Transmissions on the air: (arrival, unix ms; job id; device).
    on_air: Vec<(i64, i64, Eui64)>,
    inbox: Inbox,
    delivery: DeliveryPolicy,
    counter: u64,
    dcc_cert: Vec<u8>,
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The reference corpus: `$OPENDCC_CORPUS`, else `shared/corpus` beside the repository.
pub fn corpus() -> PathBuf {
    match std::env::var_os("OPENDCC_CORPUS") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpus"
        )),
    }
}

/// A DUIS request template from the corpus with its placeholder signature removed.
pub fn template(name: &str) -> String {
    let path = corpus().join("duis-templates").join(name);
    let text = read(&path);
    xmldsig::remove_enveloped_signature(&text)
        .unwrap_or_else(|e| panic!("template {name}: removing the placeholder signature: {e}"))
}

/// Replaces the text of the first `<prefix:local>` element with `value`.
pub fn set_text(xml: &str, local: &str, value: &str) -> String {
    let open = xml
        .find(&format!(":{local}>"))
        .unwrap_or_else(|| panic!("no <{local}> in the document"))
        + local.len()
        + 2;
    let close = open
        + xml[open..]
            .find('<')
            .unwrap_or_else(|| panic!("<{local}> has no end"));
    format!("{}{}{}", &xml[..open], value, &xml[close..])
}

fn eui(s: &str) -> Eui64 {
    s.parse()
        .unwrap_or_else(|e| panic!("{s:?} is not an EUI-64: {e}"))
}

impl Harness {
    /// The demo world (users with in-process Receive Response Services, premises, hubs, meters,
    /// registrations, device keys) in a new temporary directory, the clock at the world's birth.
    pub fn new_world() -> Harness {
        Self::new_world_of(None)
    }

    /// A world of `premises` premises (the four named demo premises and `premises − 4`
    /// generated ones; `None`: the demo world alone), as [`Harness::new_world`].
    pub fn new_world_of(premises: Option<u64>) -> Harness {
        Self::new_world_as(&world::WorldOptions {
            premises,
            registrations: Vec::new(),
        })
    }

    /// A world made as `options` say (its size, registration changes), as
    /// [`Harness::new_world`].
    pub fn new_world_as(options: &world::WorldOptions) -> Harness {
        let root = tempfile::tempdir().expect("a temporary directory");
        let world =
            World::open_or_create_as(&root.path().join("data"), options).expect("the demo world");
        let store = Arc::new(world.open_store().expect("the world's database"));
        let start = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .expect("whole seconds");
        let clock = SimClock::starting_at(start);
        // Every user gets an in-process Receive Response Service.
        store
            .transaction(|tx| {
                for mut u in tx.users()? {
                    u.response_url = Some(format!("inproc://{}", u.name));
                    tx.put_user(&u)?;
                }
                Ok(())
            })
            .expect("setting response URLs");
        let (gateway, driver, scheduler) = Self::workers(&world, &store, &clock);
        let dcc_cert = xmldsig::certificate_pem_to_der(&read(
            &world.dir().join("pki").join("dcc-xml-signing.pem"),
        ))
        .expect("the DCC's XML signing certificate");
        Harness {
            _root: root,
            world,
            clock,
            store,
            gateway,
            driver,
            scheduler,
            on_air: Vec::new(),
            inbox: Inbox::default(),
            delivery: DeliveryPolicy {
                base_backoff: Duration::from_millis(200),
                ..DeliveryPolicy::default()
            },
            counter: u64::try_from(unix_ms(start)).unwrap_or(1) * 1000,
            dcc_cert,
        }
    }

    /// The gateway and the dispatcher's driver over the world's store, as the demo binary
    /// wires them.
    fn workers(
        world: &World,
        store: &Arc<SqliteStore>,
        clock: &SimClock,
    ) -> (
        Gateway<SqliteStore, SimClock>,
        Driver<SqliteStore, EmulatedWan>,
        Scheduler,
    ) {
        let signer: Arc<dyn dcc::gateway::ResponseSigner> =
            Arc::new(world.xml_signer().expect("the DCC's XML signer"));
        let dcc_crypto = Arc::new(world.dcc_crypto().expect("the DCC's GBCS keys"));
        let timeout_ms = i64::try_from(DEVICE_TIMEOUT.as_millis()).unwrap_or(i64::MAX);
        let scheduler = Scheduler::new(signer.clone(), dcc_crypto.clone(), DCC_EUI, timeout_ms);
        let gateway = Gateway::new(
            store.clone(),
            clock.clone(),
            signer.clone(),
            dcc_crypto,
            Limits {
                device_response_timeout_ms: timeout_ms,
                ..Limits::default()
            },
        );
        let network = EmulatedWan::new(
            world
                .emulated_devices(store.as_ref())
                .expect("the emulated devices' keys"),
            WanConfig::default(),
        );
        let driver = Driver::new(
            store.clone(),
            Arc::new(network),
            Dispatcher::new(
                signer,
                DCC_EUI,
                DispatchConfig {
                    retry_interval: RETRY_INTERVAL,
                    ..DispatchConfig::default()
                },
            ),
        );
        (gateway, driver, scheduler)
    }

    /// A crash and restart of the DCC: everything in memory is lost (transmissions on the air
    /// included), the database is opened again and new workers start on it. The users'
    /// Receive Response Services and the clock carry on.
    pub fn restart(&mut self) {
        self.on_air.clear();
        let store = Arc::new(self.world.open_store().expect("reopening the database"));
        let (gateway, driver, scheduler) = Self::workers(&self.world, &store, &self.clock);
        self.gateway = gateway;
        self.driver = driver;
        self.scheduler = scheduler;
        self.store = store;
    }

    /// The DCC is down for `d` (a crash, then nothing runs: no gateway, no dispatcher, no
    /// scheduler), then restarts ([`Self::restart`]); what fell due meanwhile happens on the next
    /// step.
    pub fn down_for(&mut self, d: Duration) {
        self.on_air.clear();
        self.clock.advance(d);
        self.restart();
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The world's data directory.
    pub fn world_dir(&self) -> &std::path::Path {
        self.world.dir()
    }

    pub fn store(&self) -> &Arc<SqliteStore> {
        &self.store
    }

    /// The DCC's Certified Products List expiry run as at `at` (`dcc::products::expire`, as
    /// the served scheduler makes it at each tick), with this harness's scheduler withdrawing
    /// the suspended devices' schedules.
    pub fn expire_cpl(&mut self, at: OffsetDateTime) -> dcc::products::ExpiryOutcome {
        let scheduler = &self.scheduler;
        self.store
            .transaction(|tx| dcc::products::expire(tx, at, Some(scheduler)))
            .expect("the CPL expiry")
    }

    /// A user's EUI-64, by name (`supplier-a`, `network-operator`, …).
    pub fn user_eui(&self, name: &str) -> Eui64 {
        self.store
            .transaction(|tx| Ok(tx.user_by_name(name)?))
            .expect("reading users")
            .unwrap_or_else(|| panic!("no user {name:?} in the world"))
            .eui
    }

    fn user_dir(&self, name: &str) -> PathBuf {
        self.world.dir().join("users").join(name)
    }

    /// `template` with a fresh RequestID `user:target:counter` (unsigned).
    pub fn request(&mut self, template_name: &str, user: &str, target: &str) -> Prepared {
        // Above every counter the DCC accepted from the user, whatever the target (its
        // scheduled runs take counters from the same space): one order for all the harness's
        // requests, which the per-(originator, target) rule accepts too.
        let eui = self.user_eui(user);
        let last = self
            .store
            .transaction(|tx| Ok(tx.highest_counter(eui)?))
            .expect("reading counters")
            .unwrap_or(0);
        self.counter = (self.counter + 1).max(last + 1);
        let rid = format!("{}:{target}:{}", self.user_eui(user), self.counter);
        Prepared {
            xml: set_text(&template(template_name), "RequestID", &rid),
            rid,
            counter: self.counter,
        }
    }

    /// Signs an unsigned request with `user`'s SMKI organisation (XML signing) key.
    pub fn sign(&self, user: &str, unsigned: &str) -> String {
        let d = self.user_dir(user);
        let cert = xmldsig::certificate_pem_to_der(&read(&d.join("signing.pem")))
            .expect("the user's signing certificate");
        let (issuer_serial, _) =
            xmldsig::issuer_serial_of_cert(&cert).expect("the user's signing certificate parses");
        xmldsig::XmlSigner::from_pkcs8_pem(&read(&d.join("signing.key")), issuer_serial)
            .expect("the user's signing key")
            .sign(unsigned)
            .expect("signing the request")
    }

    /// `user`'s key-agreement certificate (DER) and private key: what devices protect what
    /// they send the user with (and what an unknown remote party puts in
    /// `KAPublicSecurityCredentials`).
    pub fn user_ka(&self, user: &str) -> (Vec<u8>, gbcs::KaPrivateKey) {
        let d = self.user_dir(user);
        let cert = xmldsig::certificate_pem_to_der(&read(&d.join("ka.pem")))
            .expect("the user's key-agreement certificate");
        let der = smki::KeyPair::from_pkcs8_pem(&read(&d.join("ka.key")))
            .and_then(|k| k.to_pkcs8_der().map(|d| d.to_vec()))
            .expect("the user's key-agreement key");
        let key = gbcs::KaPrivateKey::from_der(&der).expect("a GBCS key-agreement key");
        (cert, key)
    }

    /// Signs a GBCS pre-command with `user`'s GBCS signing key (what a user does between
    /// command variants 4 and 5).
    pub fn sign_precommand(&self, user: &str, precommand: &[u8]) -> Vec<u8> {
        let der = smki::KeyPair::from_pkcs8_pem(&read(&self.user_dir(user).join("signing.key")))
            .and_then(|k| k.to_pkcs8_der().map(|d| d.to_vec()))
            .expect("the user's signing key");
        let key = gbcs::crypto::SigningKey::from_der(&der).expect("a GBCS signing key");
        gbcs::GeneralSigning::decode(precommand)
            .expect("a pre-command")
            .sign(&key)
            .expect("signing the pre-command")
            .encode()
    }

    /// Sends a (signed) request to the endpoint its command variant calls for, at the current
    /// simulated time, as the gateway receives it from the listener.
    pub fn send(&mut self, xml: &str) -> Answer {
        let endpoint = duis::parse_request(xml.as_bytes())
            .map(|r| r.header.command_variant.endpoint())
            .unwrap_or(duis::Endpoint::SendCommand);
        let answer = self.gateway.handle(Inbound {
            endpoint,
            tls_identity: None,
            body: xml.as_bytes(),
        });
        // The DCC's workers see at once what the request queued.
        self.settle();
        answer
    }

    /// The second half of the critical flow: `answer` is the DCC's answer to `user`'s critical
    /// request `rid` (command variant 4), which must be I0, signed and schema-valid, carrying
    /// a GBCS pre-command; the pre-command is signed with `user`'s GBCS key and sent back as
    /// command variant 5 for `variant`, which the DCC must acknowledge (I99). The caller then
    /// runs the world and reads the device's answer. Panics on any other answer.
    pub fn return_signed_precommand(
        &mut self,
        user: &str,
        rid: &str,
        variant: &str,
        answer: &Answer,
    ) {
        assert_eq!(
            answer.code.map(|c| c.as_str()),
            Some("I0"),
            "{}",
            answer.body
        );
        self.check_signed(&answer.body);
        let pre = precommand_of(answer);
        assert!(
            gbcs::GeneralSigning::decode(&pre).is_ok_and(|g| g.is_precommand()),
            "not a pre-command: {}",
            answer.body
        );
        let signed = self.sign_precommand(user, &pre);
        let a = self.send(&self.sign(user, &cv5_request(rid, variant, &signed)));
        assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    }

    /// A device request from `user` for `target`, signed and sent; the synchronous answer.
    pub fn device_request(
        &mut self,
        user: &str,
        template_name: &str,
        target: &str,
    ) -> (Prepared, Answer) {
        let p = self.request(template_name, user, target);
        let signed = self.sign(user, &p.xml);
        let a = self.send(&signed);
        (p, a)
    }

    /// Verifies a document the DCC signed: its XML signature (the DCC's XML signing
    /// certificate) and the DUIS response schema. Panics if either fails.
    pub fn check_signed(&self, xml: &str) {
        xmldsig::verify_with_certificate(xml.as_bytes(), &self.dcc_cert)
            .unwrap_or_else(|e| panic!("the DCC's signature does not verify: {e}\n{xml}"));
        duis_schema::validate_response(xml.as_bytes())
            .unwrap_or_else(|e| panic!("not schema-valid: {e}\n{xml}"));
    }

    /// Everything `user`'s Receive Response Service accepted, oldest first; each checked
    /// (signature and schema).
    pub fn delivered_to(&self, user: &str) -> Vec<Delivered> {
        let docs = self
            .inbox
            .received
            .get(&format!("inproc://{user}"))
            .cloned()
            .unwrap_or_default();
        for d in &docs {
            self.check_signed(&d.xml);
        }
        docs
    }

    /// The response delivered to `user` for RequestID `rid`, if any.
    pub fn response_for(&self, user: &str, rid: &str) -> Option<Delivered> {
        self.delivered_to(user)
            .into_iter()
            .find(|d| d.kind == "response" && d.request_id().as_deref() == Some(rid))
    }

    /// Makes `user`'s Receive Response Service refuse its next `n` deliveries.
    pub fn refuse_next(&mut self, user: &str, n: u32) {
        self.inbox.refuse.insert(format!("inproc://{user}"), n);
    }

    /// Deliveries refused so far.
    pub fn refused(&self) -> u32 {
        self.inbox.refused
    }

    /// An emulated device's persistent state (as JSON, whatever its stored form).
    pub fn device_state(&self, id: &str) -> serde_json::Value {
        let id = eui(id);
        let state = self
            .store
            .transaction_in(|tx| wan::emulated::stored_state(tx, id))
            .expect("reading device state")
            .unwrap_or_else(|| panic!("{id} has no emulated state"));
        serde_json::to_value(&state).expect("device state as JSON")
    }

    /// The consumer presses an emulated meter's button now
    /// ([`devices::DeviceState::press_supply_button`]: an armed supply is enabled), as
    /// `opendcc device button` does. Returns whether the supply was armed.
    pub fn press_supply_button(&mut self, id: &str) -> bool {
        let id = eui(id);
        let devices = self
            .world
            .emulated_devices(self.store.as_ref())
            .expect("the emulated devices' keys");
        let now = gbcs::UtcDateTime::from_unix(self.now().unix_timestamp()).expect("clock");
        self.store
            .transaction_in(|tx| {
                let Some(mut state) = devices.state(tx, id)? else {
                    return Ok(false);
                };
                let enabled = state.press_supply_button(now);
                if enabled {
                    wan::emulated::put_state(tx, id, &state)?;
                }
                Ok(enabled)
            })
            .expect("pressing the supply button")
    }

    /// Makes an emulated device DCC-controlled, as `opendcc demo --zaz1 --dcc-controlled` makes
    /// one: the DCC holds its supplier and network operator cells (its ACB's keys are in them),
    /// which 6.21 hands over to the incoming supplier or network operator.
    pub fn make_dcc_controlled(&mut self, id: &str) {
        let id = eui(id);
        let devices = self
            .world
            .emulated_devices(self.store.as_ref())
            .expect("the emulated devices' keys");
        self.store
            .transaction_in(|tx| {
                let Some(mut state) = devices.state(tx, id)? else {
                    return Ok(());
                };
                let acb = state
                    .trust_anchors
                    .get(devices::RemotePartyRole::AccessControlBroker)
                    .cloned()
                    .expect("the device's ACB cells");
                state
                    .trust_anchors
                    .set(devices::RemotePartyRole::Supplier, acb.clone());
                state
                    .trust_anchors
                    .set(devices::RemotePartyRole::NetworkOperator, acb);
                wan::emulated::put_state(tx, id, &state)
            })
            .expect("making the device DCC-controlled");
    }

    /// Lets an emulated device's clock drift: its clock reads true time plus `offset_secs`
    /// from now on ([`devices::DeviceState::clock_offset_secs`]), until a clock
    /// synchronisation sets it right.
    pub fn set_clock_offset(&mut self, id: &str, offset_secs: i64) {
        let id = eui(id);
        let devices = self
            .world
            .emulated_devices(self.store.as_ref())
            .expect("the emulated devices' keys");
        self.store
            .transaction_in(|tx| {
                let Some(mut state) = devices.state(tx, id)? else {
                    return Ok(());
                };
                state.clock_offset_secs = offset_secs;
                wan::emulated::put_state(tx, id, &state)
            })
            .expect("drifting the device clock");
    }

    /// Hands `frame` to an emulated device directly, as an installer's local delivery does
    /// (CV 2, 3, 6, 7 return the command to the user for that): the device verifies, executes,
    /// keeps its new state and answers; the DCC sees none of it. Returns the device's response
    /// frame, if it answered.
    pub fn deliver_locally(&self, target: &str, frame: &[u8]) -> Option<Vec<u8>> {
        let id = eui(target);
        let devices = self
            .world
            .emulated_devices(self.store.as_ref())
            .expect("the emulated devices' keys");
        let now = self.clock.now();
        self.store
            .transaction_in(|tx| devices.deliver(tx, id, frame, now))
            .expect("delivering to the device")
            .response
    }

    /// A device's SMKI certificate (DER) for one usage (`ds` or `ka`), as the repository holds
    /// it.
    pub fn device_cert(&self, id: &str, usage: &str) -> Vec<u8> {
        let id = eui(id);
        self.store
            .transaction(|tx| Ok(tx.device_cert(id, usage)?))
            .expect("reading device certificates")
            .unwrap_or_else(|| panic!("{id} has no {usage} certificate"))
    }

    /// Injects (or clears) a fault on the WAN path to a hub.
    pub fn wan_fault(&mut self, chf: &str, fault: Option<WanFault>) {
        let chf = eui(chf);
        self.store
            .transaction_in(|tx| Ok(tx.set_wan_fault(chf, fault)?))
            .expect("setting a WAN fault");
    }

    /// Queues an out-of-band event at a hub (`power-outage`, `power-restored`).
    pub fn hub_event(&mut self, chf: &str, kind: &str) {
        let chf = eui(chf);
        let now = unix_ms(self.now());
        self.store
            .transaction_in(|tx| Ok(tx.push_wan_event(chf, kind, now)?))
            .expect("queuing a hub event");
        self.settle();
    }

    /// The consumer types `utrn` at an emulated meter's keypad now, as `opendcc device utrn`
    /// does: a WAN event at the meter's hub ([`wan::emulated::utrn_event`]), so that the meter's
    /// alert (credit added locally, or the refusal's) reaches the DCC as its other alerts do.
    pub fn enter_utrn(&mut self, id: &str, utrn: &str) {
        let device = eui(id);
        self.push_hub_event(
            device,
            &wan::emulated::utrn_event(device, utrn),
            "queuing the keypad entry",
        );
    }

    /// The consumer presses an emulated ESME's boost button now, as `opendcc device boost`
    /// does: a WAN event at the meter's hub ([`wan::emulated::boost_event`]), so that the WAN
    /// holds the boost's end and runs it at its time ([`devices::EmulatedDevice::press_boost_button`]:
    /// a boost of the associated controllers starts, or the one in force ends).
    pub fn press_boost_button(&mut self, id: &str) {
        let device = eui(id);
        self.push_hub_event(
            device,
            &wan::emulated::boost_event(device),
            "queuing the boost button press",
        );
    }

    /// Makes the site's RMS voltage at an emulated ESME `volts` from now on (`None`: back to
    /// the metering simulation's), as a WAN event at its hub ([`wan::emulated::voltage_event`]),
    /// so that the WAN runs the meter's power quality evaluations at their times.
    pub fn set_simulated_voltage(&mut self, id: &str, volts: Option<u32>) {
        let device = eui(id);
        self.push_hub_event(
            device,
            &wan::emulated::voltage_event(device, volts),
            "queuing the voltage change",
        );
    }

    /// Someone tampers with an emulated ESME now, as `opendcc device tamper` does: a WAN event
    /// at its hub ([`wan::emulated::tamper_event`]), so that the meter's alerts (tamper detected,
    /// the supply locked when its supply tamper state says so) reach the DCC as its others do.
    pub fn tamper(&mut self, id: &str) {
        let device = eui(id);
        self.push_hub_event(
            device,
            &wan::emulated::tamper_event(device),
            "queuing the tamper",
        );
    }

    /// Queues the simulation input `kind` at `device`'s hub as a WAN event now (`what`, for
    /// a panic), and does what is due.
    fn push_hub_event(&mut self, device: Eui64, kind: &str, what: &str) {
        let chf = self
            .store
            .transaction(|tx| Ok(tx.device(device)?))
            .expect("reading the inventory")
            .and_then(|d| d.chf)
            .unwrap_or_else(|| panic!("{device} is not behind a hub"));
        let now = unix_ms(self.now());
        self.store
            .transaction_in(|tx| Ok(tx.push_wan_event(chf, kind, now)?))
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        self.settle();
    }

    /// Commands not finished yet.
    pub fn pending_commands(&self) -> usize {
        self.driver.pending().expect("reading the WAN queue")
    }

    /// Does everything due at the current time, until nothing more is.
    fn settle(&mut self) {
        loop {
            let now = self.clock.now();
            let now_ms = unix_ms(now);
            let mut progressed = self.driver.hub_reports(now).expect("hub reports") > 0;
            if self
                .scheduler
                .run_all_due(&*self.store, now)
                .expect("the scheduler")
                .handled()
                > 0
            {
                progressed = true;
            }
            let (arrived, flying): (Vec<_>, Vec<_>) =
                self.on_air.drain(..).partition(|(at, _, _)| *at <= now_ms);
            self.on_air = flying;
            for (_, job, _) in arrived {
                self.driver.attempt(job, now).expect("a WAN attempt");
                progressed = true;
            }
            for job in self.driver.poll_due(now).expect("the WAN queue") {
                if self.on_air.iter().any(|(_, _, d)| *d == job.target) {
                    continue;
                }
                let transit = self.driver.transit_time(&job).expect("transit time");
                let at = now_ms.saturating_add(i64::try_from(transit.as_millis()).unwrap_or(0));
                self.on_air.push((at, job.id, job.target));
                progressed = true;
            }
            let offered = server::delivery::deliver_due(
                &*self.store,
                now_ms,
                &self.delivery,
                &mut self.inbox,
            )
            .expect("delivery");
            if offered > 0 {
                progressed = true;
            }
            if !progressed {
                break;
            }
        }
    }

    /// The next time something falls due (unix ms), if anything will; the schedules' next runs
    /// and the devices' held actions count only with `schedules` (they never end: a prepayment
    /// meter always holds its next event, `devices::prepay`; so being idle ignores them).
    fn next_event(&self, schedules: bool) -> Option<i64> {
        let flying = self.on_air.iter().map(|(at, _, _)| *at).min();
        let queued = self
            .driver
            .poll_due(OffsetDateTime::from_unix_timestamp(4_000_000_000).expect("a far date"))
            .expect("the WAN queue")
            .into_iter()
            .filter(|j| !self.on_air.iter().any(|(_, _, d)| *d == j.target))
            .map(|j| j.due_at)
            .min();
        let outbox = self
            .store
            .transaction(|tx| Ok(tx.due_outbox(i64::MAX, 1024)?))
            .expect("the outbox")
            .into_iter()
            .map(|o| o.next_at)
            .min();
        let scheduled = schedules
            .then(|| {
                self.store
                    .transaction(|tx| Ok(tx.due_schedules(i64::MAX, 1)?))
                    .expect("the schedules")
                    .into_iter()
                    .filter_map(|s| s.next_run_at)
                    .min()
            })
            .flatten();
        // Future dating: a device's held instruction falling due.
        let device_action = schedules.then(|| self.next_device_action()).flatten();
        [flying, queued, outbox, device_action, scheduled]
            .into_iter()
            .flatten()
            .min()
    }

    fn jump_to(&mut self, t_ms: i64) {
        let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(t_ms) * 1_000_000)
            .expect("a representable time");
        if t > self.clock.now() {
            self.clock.set(t);
        }
    }

    /// Moves the clock forward by `d`, doing at each due time on the way what the DCC's workers
    /// would do then.
    pub fn advance(&mut self, d: Duration) {
        let end = self.clock.now() + d;
        let end_ms = unix_ms(end);
        self.settle();
        while let Some(next) = self.next_event(true) {
            if next > end_ms {
                break;
            }
            let now_ms = unix_ms(self.clock.now());
            self.jump_to(next.max(now_ms + 1));
            self.settle();
        }
        self.clock.set(end);
        self.settle();
    }

    /// Moves the clock forward ([`Self::advance`]) to the next time `seconds` after midnight UTC
    /// (now, if it is that time): the harness starts at the wall clock, and a test whose outcome
    /// depends on the meters' daily load shape or on midnights must not depend on the hour it
    /// runs at.
    pub fn advance_to_time_of_day(&mut self, seconds: u64) {
        const DAY: i64 = 86_400;
        let since_midnight = self.clock.now().unix_timestamp().rem_euclid(DAY);
        let target = i64::try_from(seconds % 86_400).unwrap_or(0);
        let wait = (target - since_midnight).rem_euclid(DAY);
        self.advance(Duration::from_secs(wait.unsigned_abs()));
    }

    /// Runs until every queued command is finished and every document delivered (or refused
    /// for good). Panics if that takes more than an hour of simulated time.
    pub fn run_until_idle(&mut self) {
        let start = self.clock.now();
        loop {
            self.settle();
            let Some(next) = self.next_event(false) else {
                return;
            };
            assert!(
                self.clock.now() - start < IDLE_LIMIT,
                "not idle after {IDLE_LIMIT:?} of simulated time: {} commands pending",
                self.pending_commands()
            );
            let now_ms = unix_ms(self.clock.now());
            self.jump_to(next.max(now_ms + 1));
        }
    }
}
