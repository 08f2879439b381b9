//! `opendcc bench load`: a bounded load generator for a running demo DCC, on loopback only.
//!
//! It pre-signs N DUIS requests (unique counters, strictly increasing, starting above anything
//! used before: epoch milliseconds × 1000, or above the user's highest counter for any target in
//! the demo's database if that is higher; request i gets `base + 1024 i`, the gaps being for
//! resends), runs its own Receive Response Service on
//! `127.0.0.1:0` and registers it as the user's response URL, sends the requests with a fixed
//! concurrency or at a target rate, and waits (bounded) for the final responses. It reports what
//! was sent, acknowledged and completed, errors by DUIS response code or HTTP status, rates and
//! latency percentiles, and the fraction of this machine's single-core crypto ceiling that the
//! run achieved.
//!
//! The DCC accepts a user's RequestID counters in increasing order per target
//! (`dcc::gateway::check_counter`), so requests in flight to different devices never refuse one
//! another, whatever order they arrive in. Two requests in flight to the same target can still
//! reach the counter check in the other order; the later one is then refused (HTTP 409) having
//! changed nothing, and a real DCC User has to sign it again with a fresh counter for that
//! target, as this generator does (`replay_resends` counts it; latency is from the first
//! attempt). Critical requests (command variant 4, then the signed pre-command as variant 5) run
//! one flow at a time per device, because a device accepts a sender's GBCS counters only in
//! increasing order too.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use duis::Endpoint;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

use crate::client::{self, element_text};
use crate::manifest::{Manifest, UserEntry};

/// The largest run the generator accepts.
pub const MAX_REQUESTS: usize = 1_000_000;
/// How many times a request refused as a replay (HTTP 409) is signed again and resent.
const MAX_REPLAY_RESENDS: u32 = 64;
/// How long one HTTP exchange may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(60);
/// Request `i` is pre-signed with counter `base + i × STRIDE`; the gaps hold the counters of
/// resends, so that a resend does not overtake (and so invalidate) requests not yet sent.
const STRIDE: u64 = 1024;

/// What went wrong setting up or running a load test.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{0}")]
    Setup(String),
    #[error(
        "the DCC at {0} is not on a loopback address: the load generator runs on loopback only"
    )]
    NotLoopback(String),
    #[error("--requests must be between 1 and {MAX_REQUESTS}")]
    Requests,
    #[error("--concurrency must be between 1 and 4096")]
    Concurrency,
    #[error("--rate must be a positive number of requests per second")]
    Rate,
    #[error("the manifest lists none of the devices the {0} mix needs")]
    NoTargets(&'static str),
    #[error("signing a request: {0}")]
    Signing(String),
    #[error("Receive Response Service: {0}")]
    Listener(String),
    #[error("crypto ceiling: {0}")]
    Crypto(String),
}

/// Which requests a run sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mix {
    /// Non-critical device reads (command variant 1): 11.2 Read Firmware Version and 7.4 Read
    /// Supply Status, round robin over the demo devices.
    Reads,
    /// Critical requests: 7.2 Disable Supply and 7.1 Enable Supply on ESMEs (variant 4, then the
    /// signed pre-command as variant 5).
    Critical,
    /// Non-device requests answered synchronously: 8.2 Read Inventory (command variant 8).
    NonDevice,
    /// 60 % reads, 30 % non-device, 10 % critical.
    Mixed,
}

impl Mix {
    fn name(self) -> &'static str {
        match self {
            Self::Reads => "reads",
            Self::Critical => "critical",
            Self::NonDevice => "non-device",
            Self::Mixed => "mixed",
        }
    }

    /// The kind of request number `i` of a run.
    fn kind_of(self, i: usize) -> Kind {
        match self {
            Self::Reads => Kind::Read,
            Self::Critical => Kind::Critical,
            Self::NonDevice => Kind::NonDevice,
            Self::Mixed => match i % 10 {
                0 => Kind::Critical,
                1..=3 => Kind::NonDevice,
                _ => Kind::Read,
            },
        }
    }

    /// The share of each kind in the mix (read, critical, non-device).
    fn shares(self) -> [(Kind, f64); 3] {
        match self {
            Self::Reads => [
                (Kind::Read, 1.0),
                (Kind::Critical, 0.0),
                (Kind::NonDevice, 0.0),
            ],
            Self::Critical => [
                (Kind::Read, 0.0),
                (Kind::Critical, 1.0),
                (Kind::NonDevice, 0.0),
            ],
            Self::NonDevice => [
                (Kind::Read, 0.0),
                (Kind::Critical, 0.0),
                (Kind::NonDevice, 1.0),
            ],
            Self::Mixed => [
                (Kind::Read, 0.6),
                (Kind::Critical, 0.1),
                (Kind::NonDevice, 0.3),
            ],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Read,
    Critical,
    NonDevice,
}

/// `opendcc bench load` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct LoadArgs {
    /// demo.json of the running DCC (its `duis_url` must be a loopback address).
    #[arg(long)]
    pub manifest: PathBuf,
    /// The demo's data directory, to register the generator's Receive Response Service
    /// (default: the directory holding the manifest).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// How many requests to send (at most 1 000 000).
    #[arg(long)]
    pub requests: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Target rate in requests per second (open loop, still at most `--concurrency` in flight);
    /// latencies are then measured from each request's scheduled time.
    #[arg(long)]
    pub rate: Option<f64>,
    #[arg(long, value_enum, default_value = "reads")]
    pub mix: Mix,
    /// The user (as in demo.json) who signs and sends.
    #[arg(long, default_value = "supplier-a")]
    pub user: String,
    /// End with one JSON object on standard output (the text report goes to standard error).
    #[arg(long)]
    pub json: bool,
    /// Upper bound on the whole run: sending stops and the wait for final responses ends then.
    #[arg(long, default_value_t = 600, value_name = "SECONDS")]
    pub max_seconds: u64,
    /// Time spent measuring each crypto operation for the ceiling.
    #[arg(long, default_value_t = 400, value_name = "MS")]
    pub ceiling_ms: u64,
}

// ---------------------------------------------------------------------------------------------
// Crypto ceiling

/// Single-core rates of the server's crypto operations (aws-lc-rs, through `gbcs`).
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct CryptoRates {
    /// ECDSA P-256 / SHA-256 verifications per second.
    pub verify_per_s: f64,
    /// ECDSA P-256 / SHA-256 signatures per second.
    pub sign_per_s: f64,
    /// Static ECDH P-256 plus the GBCS KDF per second.
    pub ecdh_per_s: f64,
    /// Loading a device's two PKCS#8 private keys (DS, KA) per second.
    pub key_load_per_s: f64,
}

/// Crypto operations the server process performs for one request.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct OpCounts {
    pub verify: f64,
    pub sign: f64,
    pub ecdh: f64,
    pub key_load: f64,
}

impl OpCounts {
    /// What the demo DCC process does per request of each kind (the emulated devices run in the
    /// same process):
    ///
    /// * CV 1 read: XML signature verify; ACB MAC (ECDH); XML sign of the I99 acknowledgement;
    ///   then on the WAN: the device's keys loaded from its vault, the device's MAC check (ECDH)
    ///   and its response MAC (ECDH), and the DCC's XML sign of the final response.
    ///   Total 1 verify, 2 signs, 3 ECDH, 1 key load.
    /// * critical (CV 4 + CV 5): CV 4: XML verify, XML sign of the pre-command response; CV 5:
    ///   XML verify, GBCS verify of the user's pre-command signature, ACB MAC (ECDH), XML sign of
    ///   the I99; device: key load, MAC check (ECDH), GBCS verify of the user's signature, GBCS
    ///   sign of its response; DCC: XML sign of the final response. Total 4 verifies, 4 signs,
    ///   2 ECDH, 1 key load.
    /// * non-device (CV 8, 8.2 Read Inventory): XML verify, XML sign. Total 1 verify, 1 sign.
    ///
    /// TLS handshakes are left out: connections are kept alive, one per concurrent sender.
    fn of(kind: Kind) -> Self {
        match kind {
            Kind::Read => Self {
                verify: 1.0,
                sign: 2.0,
                ecdh: 3.0,
                key_load: 1.0,
            },
            Kind::Critical => Self {
                verify: 4.0,
                sign: 4.0,
                ecdh: 2.0,
                key_load: 1.0,
            },
            Kind::NonDevice => Self {
                verify: 1.0,
                sign: 1.0,
                ecdh: 0.0,
                key_load: 0.0,
            },
        }
    }

    /// The average per request of a mix.
    pub fn for_mix(mix: Mix) -> Self {
        mix.shares()
            .iter()
            .fold(Self::default(), |acc, (kind, share)| {
                let k = Self::of(*kind);
                Self {
                    verify: acc.verify + share * k.verify,
                    sign: acc.sign + share * k.sign,
                    ecdh: acc.ecdh + share * k.ecdh,
                    key_load: acc.key_load + share * k.key_load,
                }
            })
    }

    /// Seconds of one core per request at `rates`.
    pub fn seconds(&self, rates: &CryptoRates) -> f64 {
        let per = |n: f64, rate: f64| if rate > 0.0 { n / rate } else { 0.0 };
        per(self.verify, rates.verify_per_s)
            + per(self.sign, rates.sign_per_s)
            + per(self.ecdh, rates.ecdh_per_s)
            + per(self.key_load, rates.key_load_per_s)
    }

    /// Requests per second one core could sustain doing nothing but this crypto.
    pub fn ceiling_per_s(&self, rates: &CryptoRates) -> f64 {
        let s = self.seconds(rates);
        if s > 0.0 { 1.0 / s } else { f64::INFINITY }
    }
}

/// Runs `op` repeatedly on this thread for about `budget` and returns operations per second.
// Precision loss only above 2^53 operations.
#[allow(clippy::cast_precision_loss)]
fn rate_of(budget: Duration, mut op: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    // Warm up (page in code, fill caches).
    for _ in 0..16 {
        op()?;
    }
    let start = Instant::now();
    let mut n: u64 = 0;
    while start.elapsed() < budget || n < 32 {
        for _ in 0..16 {
            op()?;
        }
        n += 16;
    }
    let secs = start.elapsed().as_secs_f64();
    Ok(n as f64 / secs)
}

/// Measures the crypto rates on this thread (one core).
pub fn measure_crypto(budget: Duration) -> Result<CryptoRates, BenchError> {
    let crypto = |e: &dyn std::fmt::Display| BenchError::Crypto(e.to_string());
    let pkcs8 = |k: &smki::KeyPair| -> Result<Vec<u8>, BenchError> {
        k.to_pkcs8_der().map(|d| d.to_vec()).map_err(|e| crypto(&e))
    };
    let ds = smki::KeyPair::generate_with_os_rng().map_err(|e| crypto(&e))?;
    let ka = smki::KeyPair::generate_with_os_rng().map_err(|e| crypto(&e))?;
    let peer = smki::KeyPair::generate_with_os_rng().map_err(|e| crypto(&e))?;
    let (ds_der, ka_der) = (pkcs8(&ds)?, pkcs8(&ka)?);
    let signing = gbcs::crypto::SigningKey::from_der(&ds_der).map_err(|e| crypto(&e))?;
    let public = signing.public_key().map_err(|e| crypto(&e))?;
    let agreement = gbcs::crypto::KaPrivateKey::from_der(&ka_der).map_err(|e| crypto(&e))?;
    let peer_public = gbcs::crypto::PublicKey::from_sec1(&peer.public_key().to_sec1_uncompressed())
        .map_err(|e| crypto(&e))?;
    // A message the size of a canonical SignedInfo.
    let message = vec![0x5a_u8; 700];
    let sig = signing.sign(&message).map_err(|e| crypto(&e))?;
    let apdu = gbcs::usecases::ecs52_read_firmware_version(&gbcs::usecases::CommandHeader::new(
        eui::Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0x00, 0x00]),
        eui::Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA0]),
        1,
    ));
    let ctx = gbcs::crypto::KdfContext::for_mac(&apdu);
    let verify_per_s = rate_of(budget, || {
        gbcs::crypto::verify_signature(&public, &message, &sig).map_err(|e| e.to_string())
    })
    .map_err(|e| crypto(&e))?;
    let sign_per_s = rate_of(budget, || {
        signing
            .sign(&message)
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .map_err(|e| crypto(&e))?;
    let ecdh_per_s = rate_of(budget, || {
        agreement
            .derive(&peer_public, &ctx)
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .map_err(|e| crypto(&e))?;
    let key_load_per_s = rate_of(budget, || {
        gbcs::crypto::SigningKey::from_der(&ds_der).map_err(|e| e.to_string())?;
        gbcs::crypto::KaPrivateKey::from_der(&ka_der).map_err(|e| e.to_string())?;
        Ok(())
    })
    .map_err(|e| crypto(&e))?;
    Ok(CryptoRates {
        verify_per_s,
        sign_per_s,
        ecdh_per_s,
        key_load_per_s,
    })
}

// ---------------------------------------------------------------------------------------------
// Statistics

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

/// Nearest-rank percentiles of `samples` (milliseconds); all zero when there are none.
pub fn percentiles(samples: &[f64]) -> Percentiles {
    let mut s: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return Percentiles::default();
    }
    s.sort_by(f64::total_cmp);
    let at = |p: f64| -> f64 {
        // Nearest rank: ceil(p × n), 1-based.
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let rank = (p * s.len() as f64).ceil() as usize;
        let i = rank.clamp(1, s.len()) - 1;
        s.get(i).copied().unwrap_or(0.0)
    };
    Percentiles {
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
        max: s.last().copied().unwrap_or(0.0),
    }
}

// ---------------------------------------------------------------------------------------------
// Requests

/// The devices of the demo world a mix addresses.
#[derive(Debug, Clone)]
struct Targets {
    /// (device id, request template) pairs for reads.
    reads: Vec<(String, ReadTemplate)>,
    /// ESMEs for critical flows.
    critical: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
enum ReadTemplate {
    FirmwareVersion,
    SupplyStatus,
}

/// The demo premises 1 to 4: device ids `00-DB-12-34-56-78-PP-AK` (premises 1 uses the RTDS
/// ids), with K = 0 ESME, 1 GSME, 2 CHF, 3 GPF.
const PREMISES: [&str; 4] = ["90", "91", "92", "93"];
const ESMES: [&str; 4] = [
    "00-DB-12-34-56-78-90-A0",
    "00-DB-12-34-56-78-91-A0",
    "00-DB-12-34-56-78-92-A0",
    "00-DB-12-34-56-78-93-A0",
];
const PREMISES1_CHF: &str = "00-DB-12-34-56-78-90-A2";

impl Targets {
    fn from_manifest(m: &Manifest, mix: Mix) -> Result<Self, BenchError> {
        let present = |id: &str| m.device(id).is_some();
        let esmes: Vec<String> = ESMES
            .iter()
            .filter(|id| present(id))
            .map(|s| (*s).to_string())
            .collect();
        // In the mixed load, critical flows take the ESMEs of premises 2 to 4 and reads leave
        // them alone: a read accepted between a critical flow's CV 4 and CV 5 on the same device
        // would carry a higher GBCS counter than the signed pre-command, which the device then
        // refuses as a replay.
        let critical: Vec<String> = match mix {
            Mix::Mixed => esmes.iter().skip(1).cloned().collect(),
            _ => esmes,
        };
        let mut reads = Vec::new();
        for p in PREMISES {
            let id = |k: u8| format!("00-DB-12-34-56-78-{p}-A{k}");
            let esme = id(0);
            if present(&esme) && !(mix == Mix::Mixed && critical.contains(&esme)) {
                reads.push((esme.clone(), ReadTemplate::FirmwareVersion));
                reads.push((esme, ReadTemplate::SupplyStatus));
            }
            let gsme = id(1);
            if present(&gsme) {
                reads.push((gsme.clone(), ReadTemplate::FirmwareVersion));
                reads.push((gsme, ReadTemplate::SupplyStatus));
            }
            for k in [2, 3] {
                let d = id(k);
                if present(&d) {
                    reads.push((d, ReadTemplate::FirmwareVersion));
                }
            }
        }
        let t = Self { reads, critical };
        let needs_reads = matches!(mix, Mix::Reads | Mix::Mixed);
        let needs_critical = matches!(mix, Mix::Critical | Mix::Mixed);
        if (needs_reads && t.reads.is_empty()) || (needs_critical && t.critical.is_empty()) {
            return Err(BenchError::NoTargets(mix.name()));
        }
        Ok(t)
    }
}

/// An unsigned DUIS request.
fn request_xml(rid: &str, cv: u8, srv: &str, body: &str) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4">"#,
            "<sr:Header><sr:RequestID>{rid}</sr:RequestID>",
            "<sr:CommandVariant>{cv}</sr:CommandVariant>",
            "<sr:ServiceReference>{srv}</sr:ServiceReference>",
            "<sr:ServiceReferenceVariant>{srv}</sr:ServiceReferenceVariant></sr:Header>",
            "<sr:Body>{body}</sr:Body></sr:Request>"
        ),
        rid = rid,
        cv = cv,
        srv = srv,
        body = body
    )
}

/// What request number `i` is, before its counter is chosen.
#[derive(Debug, Clone)]
struct Plan {
    kind: Kind,
    target: String,
    cv: u8,
    srv: &'static str,
    body: String,
    endpoint: Endpoint,
}

fn plan(i: usize, mix: Mix, targets: &Targets, dcc_eui: &str) -> Plan {
    match mix.kind_of(i) {
        Kind::Read => {
            let (target, template) = targets
                .reads
                .get(i % targets.reads.len().max(1))
                .cloned()
                .unwrap_or_else(|| (ESMES[0].to_string(), ReadTemplate::FirmwareVersion));
            let (srv, body) = match template {
                ReadTemplate::FirmwareVersion => ("11.2", "<sr:ReadFirmwareVersion/>"),
                ReadTemplate::SupplyStatus => ("7.4", "<sr:ReadSupplyStatus/>"),
            };
            Plan {
                kind: Kind::Read,
                target,
                cv: 1,
                srv,
                body: body.to_string(),
                endpoint: Endpoint::SendCommand,
            }
        }
        Kind::Critical => {
            // The n-th critical request of the run: devices in turn, each alternately disabled
            // and enabled.
            let n = if mix == Mix::Mixed { i / 10 } else { i };
            let devices = targets.critical.len().max(1);
            let target = targets
                .critical
                .get(n % devices)
                .cloned()
                .unwrap_or_else(|| ESMES[0].to_string());
            let (srv, body) = if (n / devices).is_multiple_of(2) {
                ("7.2", "<sr:DisableSupply/>")
            } else {
                ("7.1", "<sr:EnableSupply/>")
            };
            Plan {
                kind: Kind::Critical,
                target,
                cv: 4,
                srv,
                body: body.to_string(),
                endpoint: Endpoint::Transform,
            }
        }
        Kind::NonDevice => {
            let device = ESMES.get(i % ESMES.len()).copied().unwrap_or(PREMISES1_CHF);
            Plan {
                kind: Kind::NonDevice,
                target: dcc_eui.to_string(),
                cv: 8,
                srv: "8.2",
                body: format!(
                    "<sr:ReadInventory><sr:DeviceID>{device}</sr:DeviceID></sr:ReadInventory>"
                ),
                endpoint: Endpoint::NonDevice,
            }
        }
    }
}

/// Signs requests as one user.
struct Signer {
    xml: xmldsig::XmlSigner,
    /// The user's SMKI signing key, PEM (signs pre-commands).
    key_pem: String,
    originator: String,
}

impl Signer {
    fn new(user: &UserEntry) -> Result<Self, BenchError> {
        let read = |p: &Path| {
            std::fs::read_to_string(p)
                .map_err(|e| BenchError::Setup(format!("reading {}: {e}", p.display())))
        };
        let key_pem = read(&user.signing_key)?;
        let cert_der =
            client::pem_cert_der(&read(&user.signing_cert)?).map_err(BenchError::Setup)?;
        let (issuer_serial, _) = xmldsig::issuer_serial_of_cert(&cert_der)
            .map_err(|e| BenchError::Setup(format!("signing certificate: {e}")))?;
        let xml = xmldsig::XmlSigner::from_pkcs8_pem(&key_pem, issuer_serial)
            .map_err(|e| BenchError::Setup(format!("signing key: {e}")))?;
        Ok(Self {
            xml,
            key_pem,
            originator: user.eui.clone(),
        })
    }

    fn signed(&self, p: &Plan, counter: u64) -> Result<String, BenchError> {
        let rid = format!("{}:{}:{counter}", self.originator, p.target);
        self.xml
            .sign(&request_xml(&rid, p.cv, p.srv, &p.body))
            .map_err(|e| BenchError::Signing(e.to_string()))
    }
}

// ---------------------------------------------------------------------------------------------
// The run's shared state

/// What happened to one request.
#[derive(Debug, Clone, Default)]
struct Outcome {
    start: Option<Instant>,
    acked_at: Option<Instant>,
    /// Expects a final response delivered to the Receive Response Service.
    awaits_final: bool,
    completed_at: Option<Instant>,
    failed: bool,
}

#[derive(Default)]
struct Shared {
    outcomes: Vec<Outcome>,
    /// RequestID (target, counter) → request index (a resent request has several).
    by_counter: HashMap<(String, u64), usize>,
    /// The highest counter sent (or given to a resend) per target.
    max_sent: HashMap<String, u64>,
    errors: BTreeMap<String, u64>,
    /// Final responses received for no request of this run (earlier runs' leftovers).
    unmatched_final: u64,
    /// Final responses for a request that already had one (distinct delivery ids).
    duplicate_final: u64,
    alerts: u64,
    /// Delivery ids seen, and how many POSTs repeated one.
    delivery_ids: HashSet<String>,
    repeated_deliveries: u64,
    posts: u64,
    replay_resends: u64,
    http_requests: u64,
    sent: u64,
}

impl Shared {
    fn error(&mut self, key: String) {
        *self.errors.entry(key).or_insert(0) += 1;
    }

    /// Records `counter` as sent to `target`.
    fn sent_to(&mut self, target: &str, counter: u64) {
        let max = self.max_sent.entry(target.to_string()).or_insert(counter);
        *max = (*max).max(counter);
    }

    /// A counter for a resend to `target`: just above every counter sent to it so far, and so
    /// (but for more than `STRIDE - 1` resends in one gap) below those of the requests to it not
    /// sent yet. Counters of other targets do not matter (the DCC checks them per target).
    fn resend_counter(&mut self, target: &str) -> u64 {
        let next = self.max_sent.get(target).map_or(0, |m| m.saturating_add(1));
        self.sent_to(target, next);
        next
    }
}

struct Run {
    shared: Mutex<Shared>,
    next: AtomicUsize,
    progress: indicatif::ProgressBar,
}

/// The pre-signed counter of request `i`.
fn counter_of(base: u64, i: usize) -> u64 {
    base.saturating_add(u64::try_from(i).unwrap_or(u64::MAX).saturating_mul(STRIDE))
}

impl Run {
    fn with<T>(&self, f: impl FnOnce(&mut Shared) -> T) -> Option<T> {
        self.shared.lock().ok().map(|mut s| f(&mut s))
    }

    fn finished_one(&self) {
        self.progress.inc(1);
        if let Some((a, c, e)) = self.with(|s| {
            let acked = s.outcomes.iter().filter(|o| o.acked_at.is_some()).count();
            let completed = s
                .outcomes
                .iter()
                .filter(|o| o.completed_at.is_some())
                .count();
            (acked, completed, s.errors.values().sum::<u64>())
        }) {
            self.progress
                .set_message(format!("acked {a}, completed {c}, errors {e}"));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The Receive Response Service

async fn receive(run: Arc<Run>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let delivery = req
        .headers()
        .get(server::delivery::DELIVERY_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = match Limited::new(req.into_body(), 4 * 1024 * 1024)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            let mut r = Response::new(Full::new(Bytes::from_static(b"too large\n")));
            *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return r;
        }
    };
    let now = Instant::now();
    let text = String::from_utf8_lossy(&body);
    let is_alert = text.contains("DeviceAlertMessage") || text.contains("DCCAlertMessage");
    let code = element_text(&text, "ResponseCode")
        .map(str::trim)
        .unwrap_or("-")
        .to_string();
    // `originator:target:counter`: counters are unique per target, not overall.
    let request = element_text(&text, "RequestID").and_then(|rid| {
        let mut parts = rid.trim().split(':');
        let (_, target, counter) = (parts.next()?, parts.next()?, parts.next()?);
        Some((target.to_string(), counter.parse::<u64>().ok()?))
    });
    let mut newly_done = false;
    run.with(|s| {
        s.posts += 1;
        if let Some(id) = &delivery
            && !s.delivery_ids.insert(id.clone())
        {
            s.repeated_deliveries += 1;
            return;
        }
        if is_alert {
            s.alerts += 1;
            return;
        }
        let Some(i) = request.and_then(|r| s.by_counter.get(&r).copied()) else {
            s.unmatched_final += 1;
            return;
        };
        let Some(o) = s.outcomes.get_mut(i) else {
            s.unmatched_final += 1;
            return;
        };
        if o.completed_at.is_some() {
            s.duplicate_final += 1;
            return;
        }
        o.completed_at = Some(now);
        // Counted as done here only if the acknowledgement came first.
        newly_done = o.awaits_final;
        if code != "I0" {
            o.failed = true;
            s.error(format!("final {code}"));
        }
    });
    if newly_done {
        run.finished_one();
    }
    Response::new(Full::new(Bytes::new()))
}

async fn serve_rrs(listener: tokio::net::TcpListener, run: Arc<Run>) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let run = run.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| {
                let run = run.clone();
                async move { Ok::<_, Infallible>(receive(run, req).await) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(tcp), svc)
                .await;
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Sending

struct Sender {
    http: reqwest::Client,
    base_url: String,
    signer: Arc<Signer>,
    /// One critical flow at a time per device.
    device_locks: HashMap<String, Arc<tokio::sync::Mutex<()>>>,
}

/// The synchronous answer to one POST.
struct Answer {
    status: u16,
    body: String,
}

impl Sender {
    async fn post(&self, endpoint: Endpoint, body: String) -> Result<Answer, String> {
        let url = format!("{}{}", self.base_url, endpoint.path());
        let resp = self
            .http
            .post(&url)
            .header("content-type", "application/xml")
            .timeout(HTTP_TIMEOUT)
            .body(body)
            .send()
            .await
            .map_err(|e| format!("transport: {e}"))?;
        let status = resp.status().as_u16();
        let body = resp.text().await.map_err(|e| format!("transport: {e}"))?;
        Ok(Answer { status, body })
    }

    /// Sends `plan` signed with `counter`; on a replay refusal (409) signs it again with a fresh
    /// counter and resends. Returns the answer and the counter it was accepted with.
    async fn send_fresh(
        &self,
        run: &Run,
        index: usize,
        p: &Plan,
        mut body: String,
        mut counter: u64,
    ) -> Result<(Answer, u64), String> {
        let mut resends = 0;
        loop {
            run.with(|s| {
                s.http_requests += 1;
                s.by_counter.insert((p.target.clone(), counter), index);
                s.sent_to(&p.target, counter);
            });
            let answer = self.post(p.endpoint, body).await?;
            if answer.status != 409 || resends >= MAX_REPLAY_RESENDS {
                return Ok((answer, counter));
            }
            resends += 1;
            counter = run
                .with(|s| {
                    s.replay_resends += 1;
                    s.resend_counter(&p.target)
                })
                .ok_or("state lock poisoned")?;
            let signer = self.signer.clone();
            let p2 = p.clone();
            body = tokio::task::spawn_blocking(move || signer.signed(&p2, counter))
                .await
                .map_err(|e| format!("signing task: {e}"))?
                .map_err(|e| e.to_string())?;
        }
    }

    /// One request, to its synchronous end (acknowledged or refused).
    async fn one(&self, run: &Run, index: usize, p: &Plan, body: String, counter: u64) {
        let result = match p.kind {
            Kind::Critical => {
                let lock = self.device_locks.get(&p.target).cloned();
                let _guard = match &lock {
                    Some(l) => Some(l.lock().await),
                    None => None,
                };
                self.critical(run, index, p, body, counter).await
            }
            _ => self
                .send_fresh(run, index, p, body, counter)
                .await
                .map(|(a, _)| a),
        };
        let now = Instant::now();
        let verdict = match &result {
            Ok(a) if a.status == 200 => {
                let code = element_text(&a.body, "ResponseCode")
                    .map(str::trim)
                    .unwrap_or("");
                match (p.kind, code) {
                    (Kind::NonDevice, "I0") => Verdict::Done,
                    (Kind::Read | Kind::Critical, "I99") => Verdict::Acked,
                    (_, c) => {
                        Verdict::Error(format!("DUIS {}", if c.is_empty() { "?" } else { c }))
                    }
                }
            }
            Ok(a) => match element_text(&a.body, "ResponseCode") {
                Some(c) => Verdict::Error(format!("DUIS {} (HTTP {})", c.trim(), a.status)),
                None => Verdict::Error(format!("HTTP {}", a.status)),
            },
            Err(e) => Verdict::Error(e.split(':').next().unwrap_or("transport").to_string()),
        };
        let mut done = false;
        run.with(|s| {
            if let Verdict::Error(k) = &verdict {
                s.error(k.clone());
            }
            if let Some(o) = s.outcomes.get_mut(index) {
                match &verdict {
                    Verdict::Done => {
                        o.acked_at = Some(now);
                        o.completed_at = Some(now);
                        done = true;
                    }
                    Verdict::Acked => {
                        o.acked_at = Some(now);
                        // The final response may already have arrived.
                        o.awaits_final = true;
                        done = o.completed_at.is_some();
                    }
                    Verdict::Error(_) => {
                        o.failed = true;
                        done = true;
                    }
                }
            }
        });
        if done {
            run.finished_one();
        }
    }

    /// A critical flow: CV 4 to the transform endpoint, the pre-command signed, CV 5 to the
    /// send-command endpoint. Returns the CV 5 answer (or the CV 4 refusal).
    async fn critical(
        &self,
        run: &Run,
        index: usize,
        p: &Plan,
        body: String,
        counter: u64,
    ) -> Result<Answer, String> {
        let (answer, _) = self.send_fresh(run, index, p, body, counter).await?;
        let code = element_text(&answer.body, "ResponseCode").map(str::trim);
        if answer.status != 200 || code != Some("I0") {
            return Ok(answer);
        }
        let signer = self.signer.clone();
        let precommand = answer.body;
        let cv5 = tokio::task::spawn_blocking(move || {
            client::signed_precommand_request(&precommand, &signer.key_pem)
                .and_then(|x| signer.xml.sign(&x).map_err(|e| e.to_string()))
        })
        .await
        .map_err(|e| format!("signing task: {e}"))?
        .map_err(|e| format!("pre-command: {e}"))?;
        run.with(|s| s.http_requests += 1);
        self.post(Endpoint::SendCommand, cv5).await
    }
}

enum Verdict {
    /// Answered in full synchronously (non-device).
    Done,
    /// Acknowledged (I99): a final response will be delivered.
    Acked,
    Error(String),
}

// ---------------------------------------------------------------------------------------------
// The run

/// The result of a run, as printed with `--json`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub mix: Mix,
    pub requests: usize,
    pub concurrency: usize,
    pub target_rate: Option<f64>,
    pub sent: u64,
    pub acked: u64,
    pub completed: u64,
    /// By `DUIS <code>` (synchronous refusals), `final <code>` (final responses other than I0),
    /// `HTTP <status>` or `transport`.
    pub errors: BTreeMap<String, u64>,
    pub http_requests: u64,
    pub replay_resends: u64,
    pub alerts: u64,
    pub posts_received: u64,
    pub repeated_deliveries: u64,
    pub duplicate_final: u64,
    pub unmatched_final: u64,
    /// Acknowledged requests whose final response did not arrive within the run's time bound.
    pub missing_final: u64,
    /// Final responses for requests whose synchronous answer was not an acknowledgement (e.g.
    /// the connection failed after the DCC had accepted the request).
    pub final_without_ack: u64,
    pub elapsed_s: f64,
    pub ack_per_s: f64,
    pub e2e_per_s: f64,
    pub ack_ms: Percentiles,
    pub e2e_ms: Percentiles,
    pub p50_ack_ms: f64,
    pub p99_ack_ms: f64,
    pub p50_e2e_ms: f64,
    pub p99_e2e_ms: f64,
    pub crypto: CryptoRates,
    pub ops_per_request: OpCounts,
    pub crypto_ceiling_per_s: f64,
    pub ceiling_fraction: f64,
}

fn is_loopback_url(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| match u.host_str() {
        Some("localhost") => true,
        Some(h) => h
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    })
}

/// Runs `opendcc bench load`.
pub fn run(args: &LoadArgs) -> Result<(), String> {
    let report = load(args).map_err(|e| e.to_string())?;
    eprintln!("{}", text_report(&report));
    eprintln!(
        "note: {}'s Receive Response Service URL still names the generator's listener, now closed \
         (set it again with `opendcc user response-url`)",
        args.user
    );
    if args.json {
        let json = serde_json::to_string(&report).map_err(|e| e.to_string())?;
        println!("{json}");
    }
    Ok(())
}

fn load(args: &LoadArgs) -> Result<Report, BenchError> {
    if args.requests == 0 || args.requests > MAX_REQUESTS {
        return Err(BenchError::Requests);
    }
    if args.concurrency == 0 || args.concurrency > 4096 {
        return Err(BenchError::Concurrency);
    }
    if let Some(r) = args.rate
        && !(r.is_finite() && r > 0.0)
    {
        return Err(BenchError::Rate);
    }
    let manifest = Manifest::load(&args.manifest).map_err(BenchError::Setup)?;
    if !is_loopback_url(&manifest.duis_url) {
        return Err(BenchError::NotLoopback(manifest.duis_url.clone()));
    }
    let data = match &args.data {
        Some(d) => d.clone(),
        None => args
            .manifest
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(".")),
    };
    let user = manifest
        .user(&args.user)
        .map_err(BenchError::Setup)?
        .clone();
    let targets = Targets::from_manifest(&manifest, args.mix)?;
    let deadline = Instant::now() + Duration::from_secs(args.max_seconds);

    eprintln!(
        "measuring the crypto ceiling ({} ms per operation, one core)…",
        args.ceiling_ms
    );
    let rates = measure_crypto(Duration::from_millis(args.ceiling_ms))?;
    let ops = OpCounts::for_mix(args.mix);
    let ceiling = ops.ceiling_per_s(&rates);

    let signer = Arc::new(Signer::new(&user)?);
    // Start above any counter used before (tools built for DCC Boxed use epoch milliseconds).
    let now_ms = u64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis()),
    )
    .unwrap_or(u64::MAX / 2_000);
    let last = highest_counter(&data, &user.eui)?;
    let base = now_ms.saturating_mul(1000).max(last.saturating_add(1));
    let n = args.requests;
    let plans: Vec<Plan> = (0..n)
        .map(|i| plan(i, args.mix, &targets, &manifest.dcc.eui))
        .collect();
    eprintln!("signing {n} requests…");
    let bodies = presign(&signer, &plans, base)?;
    let run_state = Arc::new(Run {
        shared: Mutex::new(Shared {
            outcomes: vec![Outcome::default(); n],
            ..Shared::default()
        }),
        next: AtomicUsize::new(0),
        progress: indicatif::ProgressBar::new(u64::try_from(n).unwrap_or(0)),
    });
    run_state.progress.set_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} done ({per_sec}) {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );

    let http = client::http_client(&manifest, (!manifest.plain_http).then_some(&user))
        .map_err(BenchError::Setup)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| BenchError::Setup(format!("starting the async runtime: {e}")))?;
    let sender = Arc::new(Sender {
        http,
        base_url: manifest.duis_url.trim_end_matches('/').to_string(),
        signer: signer.clone(),
        device_locks: targets
            .critical
            .iter()
            .map(|d| (d.clone(), Arc::new(tokio::sync::Mutex::new(()))))
            .collect(),
    });
    let bodies = Arc::new(Mutex::new(bodies.into_iter().map(Some).collect::<Vec<_>>()));
    let plans = Arc::new(plans);
    let (start, sent_end) = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(|e| BenchError::Listener(e.to_string()))?;
        let addr = listener
            .local_addr()
            .map_err(|e| BenchError::Listener(e.to_string()))?;
        let rrs = tokio::spawn(serve_rrs(listener, run_state.clone()));
        let url = format!("http://{addr}/");
        let (d, u, url2) = (data.clone(), args.user.clone(), url.clone());
        tokio::task::spawn_blocking(move || register_response_url(&d, &u, &url2))
            .await
            .map_err(|e| BenchError::Setup(e.to_string()))??;
        eprintln!(
            "Receive Response Service on {url}, registered for {}",
            args.user
        );

        let start = Instant::now();
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..args.concurrency.min(n) {
            let (run, sender, plans, bodies) = (
                run_state.clone(),
                sender.clone(),
                plans.clone(),
                bodies.clone(),
            );
            let rate = args.rate;
            workers.spawn(async move {
                loop {
                    let i = run.next.fetch_add(1, Ordering::Relaxed);
                    if i >= plans.len() || Instant::now() >= deadline {
                        break;
                    }
                    let scheduled = match rate {
                        Some(r) => {
                            #[allow(clippy::cast_precision_loss)]
                            let at = start + Duration::from_secs_f64(i as f64 / r);
                            tokio::time::sleep_until(at.into()).await;
                            at
                        }
                        None => Instant::now(),
                    };
                    let body = bodies
                        .lock()
                        .ok()
                        .and_then(|mut b| b.get_mut(i).and_then(Option::take));
                    let (Some(body), Some(p)) = (body, plans.get(i)) else {
                        break;
                    };
                    let counter = counter_of(base, i);
                    run.with(|s| {
                        s.sent += 1;
                        if let Some(o) = s.outcomes.get_mut(i) {
                            o.start = Some(scheduled);
                        }
                    });
                    sender.one(&run, i, p, body, counter).await;
                }
            });
        }
        while workers.join_next().await.is_some() {}
        let sent_end = Instant::now();
        // Wait, bounded, for the final responses of acknowledged requests.
        loop {
            let waiting = run_state
                .with(|s| {
                    s.outcomes
                        .iter()
                        .filter(|o| o.awaits_final && o.completed_at.is_none())
                        .count()
                })
                .unwrap_or(0);
            if waiting == 0 || Instant::now() >= deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        rrs.abort();
        Ok::<_, BenchError>((start, sent_end))
    })?;
    run_state.progress.finish_and_clear();
    let _ = sent_end;
    let s = run_state
        .shared
        .lock()
        .map_err(|_| BenchError::Setup("state lock poisoned".into()))?;
    Ok(summarise(args, &s, start, rates, ops, ceiling))
}

fn open_store(data: &Path) -> Result<store::SqliteStore, BenchError> {
    let db = data.join(crate::world::DB);
    if !db.is_file() {
        return Err(BenchError::Setup(format!(
            "{} holds no demo database (give the demo's --data DIR)",
            data.display()
        )));
    }
    store::SqliteStore::open(&db).map_err(|e| BenchError::Setup(e.to_string()))
}

/// Points `user`'s Receive Response Service at `url` (read by the DCC at delivery time). Quiet,
/// unlike `opendcc user response-url`, so that `--json` output stays one JSON object.
fn register_response_url(data: &Path, user: &str, url: &str) -> Result<(), BenchError> {
    use dcc::store::Store as _;
    open_store(data)?
        .transaction(|tx| {
            let mut u = tx
                .user_by_name(user)?
                .ok_or_else(|| dcc::error::AuthzError::UnknownUser(user.to_string()))?;
            u.response_url = Some(url.to_string());
            tx.put_user(&u)?;
            Ok(())
        })
        .map_err(|e| BenchError::Setup(format!("registering the response URL: {e}")))
}

/// The highest RequestID counter the DCC accepted from `user_eui` for any target, or its floor
/// (0 if none), read from the demo's database: the run's counters start above it, so that every
/// pre-signed request is fresh for whichever target it names.
fn highest_counter(data: &Path, user_eui: &str) -> Result<u64, BenchError> {
    use dcc::store::Store as _;
    let store = open_store(data)?;
    let eui: eui::Eui64 = user_eui
        .parse()
        .map_err(|e| BenchError::Setup(format!("user EUI {user_eui}: {e}")))?;
    store
        .transaction(|tx| Ok(tx.highest_counter(eui)?))
        .map(|c| c.unwrap_or(0))
        .map_err(|e| BenchError::Setup(format!("reading the highest counter: {e}")))
}

fn presign(signer: &Arc<Signer>, plans: &[Plan], base: u64) -> Result<Vec<String>, BenchError> {
    // Two threads: the load generator shares the machine with the DCC, which is idle now.
    let half = plans.len().div_ceil(2);
    std::thread::scope(|scope| {
        let handles: Vec<_> = plans
            .chunks(half.max(1))
            .enumerate()
            .map(|(c, chunk)| {
                let signer = signer.clone();
                scope.spawn(move || {
                    chunk
                        .iter()
                        .enumerate()
                        .map(|(j, p)| signer.signed(p, counter_of(base, c * half + j)))
                        .collect::<Result<Vec<String>, BenchError>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(plans.len());
        for h in handles {
            let part = h
                .join()
                .map_err(|_| BenchError::Signing("a signing thread panicked".into()))??;
            out.extend(part);
        }
        Ok(out)
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summarise(
    args: &LoadArgs,
    s: &Shared,
    start: Instant,
    crypto: CryptoRates,
    ops: OpCounts,
    ceiling: f64,
) -> Report {
    let mut ack_lat = Vec::new();
    let mut e2e_lat = Vec::new();
    let (mut acked, mut completed, mut missing, mut unacked_final) = (0u64, 0u64, 0u64, 0u64);
    let mut last_ack = start;
    let mut last_done = start;
    for o in &s.outcomes {
        let Some(t0) = o.start else { continue };
        if let Some(a) = o.acked_at {
            acked += 1;
            ack_lat.push(ms(a.saturating_duration_since(t0)));
            last_ack = last_ack.max(a);
        }
        if let Some(c) = o.completed_at {
            if o.acked_at.is_some() {
                completed += 1;
                e2e_lat.push(ms(c.saturating_duration_since(t0)));
                last_done = last_done.max(c);
            } else {
                unacked_final += 1;
            }
        } else if o.awaits_final {
            missing += 1;
        }
    }
    let per_s = |count: u64, end: Instant| {
        let secs = end.saturating_duration_since(start).as_secs_f64();
        #[allow(clippy::cast_precision_loss)]
        let count = count as f64;
        if secs > 0.0 { count / secs } else { 0.0 }
    };
    let ack_ms = percentiles(&ack_lat);
    let e2e_ms = percentiles(&e2e_lat);
    let e2e_per_s = per_s(completed, last_done);
    Report {
        mix: args.mix,
        requests: args.requests,
        concurrency: args.concurrency,
        target_rate: args.rate,
        sent: s.sent,
        acked,
        completed,
        errors: s.errors.clone(),
        http_requests: s.http_requests,
        replay_resends: s.replay_resends,
        alerts: s.alerts,
        posts_received: s.posts,
        repeated_deliveries: s.repeated_deliveries,
        duplicate_final: s.duplicate_final,
        unmatched_final: s.unmatched_final,
        missing_final: missing,
        final_without_ack: unacked_final,
        elapsed_s: last_done
            .max(last_ack)
            .saturating_duration_since(start)
            .as_secs_f64(),
        ack_per_s: per_s(acked, last_ack),
        e2e_per_s,
        ack_ms,
        e2e_ms,
        p50_ack_ms: ack_ms.p50,
        p99_ack_ms: ack_ms.p99,
        p50_e2e_ms: e2e_ms.p50,
        p99_e2e_ms: e2e_ms.p99,
        crypto,
        ops_per_request: ops,
        crypto_ceiling_per_s: ceiling,
        ceiling_fraction: if ceiling.is_finite() && ceiling > 0.0 {
            e2e_per_s / ceiling
        } else {
            0.0
        },
    }
}

fn text_report(r: &Report) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "mix {} · {} requests · concurrency {}{}",
        r.mix.name(),
        r.requests,
        r.concurrency,
        r.target_rate
            .map(|x| format!(" · target {x} req/s"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "sent {} · acked {} · completed {} · HTTP requests {} (replay resends {})",
        r.sent, r.acked, r.completed, r.http_requests, r.replay_resends
    );
    if r.errors.is_empty() {
        let _ = writeln!(out, "errors: none");
    } else {
        let list: Vec<String> = r.errors.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        let _ = writeln!(out, "errors: {}", list.join(", "));
    }
    let _ = writeln!(
        out,
        "deliveries: {} POSTs, {} repeated delivery ids, {} alerts, {} duplicate finals, {} unmatched, {} missing, {} without ack",
        r.posts_received,
        r.repeated_deliveries,
        r.alerts,
        r.duplicate_final,
        r.unmatched_final,
        r.missing_final,
        r.final_without_ack
    );
    let _ = writeln!(
        out,
        "ack: {:.1}/s · p50 {:.1} ms · p95 {:.1} · p99 {:.1} · max {:.1}",
        r.ack_per_s, r.ack_ms.p50, r.ack_ms.p95, r.ack_ms.p99, r.ack_ms.max
    );
    let _ = writeln!(
        out,
        "end to end: {:.1}/s · p50 {:.1} ms · p95 {:.1} · p99 {:.1} · max {:.1}",
        r.e2e_per_s, r.e2e_ms.p50, r.e2e_ms.p95, r.e2e_ms.p99, r.e2e_ms.max
    );
    let _ = writeln!(
        out,
        "crypto, one core: {:.0} verify/s, {:.0} sign/s, {:.0} ECDH+KDF/s, {:.0} device key loads/s",
        r.crypto.verify_per_s, r.crypto.sign_per_s, r.crypto.ecdh_per_s, r.crypto.key_load_per_s
    );
    let _ = write!(
        out,
        "per request {:.2} verify, {:.2} sign, {:.2} ECDH, {:.2} key load → ceiling {:.0} req/s; achieved {:.1} % of it",
        r.ops_per_request.verify,
        r.ops_per_request.sign,
        r.ops_per_request.ecdh,
        r.ops_per_request.key_load,
        r.crypto_ceiling_per_s,
        r.ceiling_fraction * 100.0
    );
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let s: Vec<f64> = (1..=100).map(f64::from).collect();
        let p = percentiles(&s);
        assert_eq!(p.p50, 50.0);
        assert_eq!(p.p95, 95.0);
        assert_eq!(p.p99, 99.0);
        assert_eq!(p.max, 100.0);
        assert_eq!(percentiles(&[]), Percentiles::default());
        assert_eq!(percentiles(&[7.0]).p99, 7.0);
    }

    #[test]
    fn op_counts_of_the_mixed_load_are_the_weighted_average() {
        let m = OpCounts::for_mix(Mix::Mixed);
        assert!((m.verify - (0.6 + 0.4 + 0.3)).abs() < 1e-9);
        assert!((m.sign - (1.2 + 0.4 + 0.3)).abs() < 1e-9);
        assert!((m.ecdh - (1.8 + 0.2)).abs() < 1e-9);
        assert_eq!(OpCounts::for_mix(Mix::Reads), OpCounts::of(Kind::Read));
    }

    #[test]
    fn ceiling_is_the_inverse_of_crypto_time_per_request() {
        let rates = CryptoRates {
            verify_per_s: 1000.0,
            sign_per_s: 2000.0,
            ecdh_per_s: 4000.0,
            key_load_per_s: 0.0,
        };
        let ops = OpCounts {
            verify: 1.0,
            sign: 2.0,
            ecdh: 4.0,
            key_load: 1.0,
        };
        // 1 ms + 1 ms + 1 ms (unmeasured key loads count nothing).
        assert!((ops.ceiling_per_s(&rates) - 1000.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn mixes_plan_the_right_kinds_endpoints_and_targets() {
        let targets = Targets {
            reads: vec![("00-DB-12-34-56-78-90-A1".into(), ReadTemplate::SupplyStatus)],
            critical: vec!["00-DB-12-34-56-78-91-A0".into()],
        };
        let dcc = "90-B3-D5-1F-30-00-00-02";
        let kinds: Vec<Kind> = (0..10)
            .map(|i| plan(i, Mix::Mixed, &targets, dcc).kind)
            .collect();
        assert_eq!(kinds.iter().filter(|k| **k == Kind::Critical).count(), 1);
        assert_eq!(kinds.iter().filter(|k| **k == Kind::NonDevice).count(), 3);
        let r = plan(5, Mix::Reads, &targets, dcc);
        assert_eq!((r.cv, r.srv, r.endpoint), (1, "7.4", Endpoint::SendCommand));
        let c = plan(0, Mix::Critical, &targets, dcc);
        assert_eq!((c.cv, c.endpoint), (4, Endpoint::Transform));
        assert_eq!(c.target, "00-DB-12-34-56-78-91-A0");
        let n = plan(0, Mix::NonDevice, &targets, dcc);
        assert_eq!(
            (n.cv, n.endpoint, n.target.as_str()),
            (8, Endpoint::NonDevice, dcc)
        );
    }

    #[test]
    fn requests_are_valid_duis() {
        for srv_body in [
            ("11.2", 1, "<sr:ReadFirmwareVersion/>"),
            ("7.2", 4, "<sr:DisableSupply/>"),
            (
                "8.2",
                8,
                "<sr:ReadInventory><sr:DeviceID>00-DB-12-34-56-78-90-A0</sr:DeviceID></sr:ReadInventory>",
            ),
        ] {
            let (srv, cv, body) = srv_body;
            let xml = request_xml(
                "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:17",
                cv,
                srv,
                body,
            );
            // Unsigned, so only the structure up to the signature is checked.
            let req = duis::parse_request(xml.as_bytes()).unwrap();
            assert_eq!(req.header.service_reference_variant.as_str(), srv);
            assert_eq!(req.header.command_variant as u8, cv);
        }
    }

    #[test]
    fn resends_go_just_above_the_highest_counter_sent_to_the_same_target() {
        let base = 1_000_000;
        let mut s = Shared::default();
        s.sent_to("A", counter_of(base, 5));
        s.sent_to("A", counter_of(base, 2));
        s.sent_to("B", counter_of(base, 7));
        let first = s.resend_counter("A");
        let second = s.resend_counter("A");
        assert_eq!(first, counter_of(base, 5) + 1);
        assert_eq!(second, first + 1);
        // Requests 6 and later (handed out but not sent) keep counters above the resends.
        assert!(second < counter_of(base, 6));
        // Another target's counters do not move A's.
        assert_eq!(s.resend_counter("B"), counter_of(base, 7) + 1);
        s.sent_to("A", counter_of(base, 9));
        assert_eq!(s.resend_counter("A"), counter_of(base, 9) + 1);
        assert_eq!(counter_of(base, 3), base + 3 * STRIDE);
    }

    #[test]
    fn only_loopback_urls_are_accepted() {
        assert!(is_loopback_url("https://127.0.0.1:8079"));
        assert!(is_loopback_url("http://[::1]:1/"));
        assert!(is_loopback_url("https://localhost:8079"));
        assert!(!is_loopback_url("https://10.0.0.1:8079"));
        assert!(!is_loopback_url("https://example.invalid"));
        assert!(!is_loopback_url("not a url"));
    }

    #[test]
    fn crypto_rates_are_measured_and_positive() {
        let r = measure_crypto(Duration::from_millis(5)).unwrap();
        for x in [r.verify_per_s, r.sign_per_s, r.ecdh_per_s, r.key_load_per_s] {
            assert!(x.is_finite() && x > 0.0);
        }
    }
}
