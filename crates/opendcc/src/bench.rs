//! `opendcc bench load`: a bounded load generator for a running demo DCC, on loopback only.
//!
//! It addresses the named demo devices as one user, or, in a world with generated premises
//! (`opendcc demo --premises N`), their ESMEs, GSMEs, CHFs and GPFs round robin (all, or
//! `--devices K` of premises spread evenly over the world, [`generated_targets`]), each request
//! signed and sent by the device's registered supplier: one sender per supplier, each with its
//! own TLS identity and Receive Response Service.
//!
//! It pre-signs N DUIS requests before the timed window (unique counters, strictly increasing
//! per user, starting above anything used before: epoch milliseconds × 1000, or above the user's
//! highest counter for any target in the demo's database if that is higher; request i gets
//! `base + 1024 i`, the gaps being for resends), runs a Receive Response Service per user on
//! `127.0.0.1:0` and registers it as that user's response URL, sends the requests with a fixed
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
//! attempt). Non-device requests (all to the DCC) may arrive in any order
//! (`dcc::gateway::check_non_device_counter`), so they need no resend. Critical requests (command variant 4, then the signed pre-command as variant 5) run
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

use dcc::model::DeviceType;

use crate::client::{self, element_text};
use crate::manifest::{Manifest, UserEntry};
use opendcc::backend::ToolStore;
use opendcc::config::StoreConfig;
use opendcc::world_gen;

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
    #[error(
        "--devices must be between 1 and {0} (the generated premises' ESMEs, GSMEs, CHFs and GPFs)"
    )]
    Devices(usize),
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
    /// Supply Status on meters, 11.2 on hubs, 4.1.1 Read Import Registers on GPFs, round robin
    /// over the devices.
    Reads,
    /// Critical requests: 7.2 Disable Supply and 7.1 Enable Supply on ESMEs (variant 4, then the
    /// signed pre-command as variant 5).
    Critical,
    /// Non-device requests answered synchronously: 8.2 Read Inventory (command variant 8).
    NonDevice,
    /// 60 % reads, 30 % non-device, 10 % critical.
    Mixed,
    /// Critical tariff updates: 1.1.1 Update Import Tariff (Primary Element) on ESMEs, a
    /// two-rate time-of-use tariff with its prices ([`TARIFF_BODY`]; variant 4, then the signed
    /// pre-command as variant 5), each through to the delivered device response.
    Tariff,
}

/// The 1.1.1 body of the `tariff` mix: a day of two rates (rate 1 from midnight, rate 2 from
/// 16:00) every day of the year, no blocks, a standing charge and two prices.
const TARIFF_BODY: &str = concat!(
    "<sr:UpdateImportTariffPrimaryElement><sr:ElecTariffElements>",
    "<sr:CurrencyUnits>GBP</sr:CurrencyUnits><sr:SwitchingTable>",
    "<sr:DayProfiles><sr:DayProfile><sr:DayName>1</sr:DayName>",
    "<sr:ProfileSchedule><sr:StartTime>00:00:00.00Z</sr:StartTime>",
    "<sr:TOUTariffAction>1</sr:TOUTariffAction></sr:ProfileSchedule>",
    "<sr:ProfileSchedule><sr:StartTime>16:00:00.00Z</sr:StartTime>",
    "<sr:TOUTariffAction>2</sr:TOUTariffAction></sr:ProfileSchedule>",
    "</sr:DayProfile></sr:DayProfiles>",
    "<sr:WeekProfiles><sr:WeekProfile><sr:WeekName>1</sr:WeekName>",
    "<sr:ReferencedDayName index=\"1\">1</sr:ReferencedDayName>",
    "<sr:ReferencedDayName index=\"2\">1</sr:ReferencedDayName>",
    "<sr:ReferencedDayName index=\"3\">1</sr:ReferencedDayName>",
    "<sr:ReferencedDayName index=\"4\">1</sr:ReferencedDayName>",
    "<sr:ReferencedDayName index=\"5\">1</sr:ReferencedDayName>",
    "<sr:ReferencedDayName index=\"6\">1</sr:ReferencedDayName>",
    "<sr:ReferencedDayName index=\"7\">1</sr:ReferencedDayName>",
    "</sr:WeekProfile></sr:WeekProfiles>",
    "<sr:Seasons><sr:Season><sr:SeasonName>all</sr:SeasonName><sr:SeasonStartDate>",
    "<sr:Year><sr:NonSpecifiedYear/></sr:Year>",
    "<sr:Month><sr:SpecifiedMonth>01</sr:SpecifiedMonth></sr:Month>",
    "<sr:DayOfMonth><sr:SpecifiedDayOfMonth>01</sr:SpecifiedDayOfMonth></sr:DayOfMonth>",
    "<sr:DayOfWeek><sr:NonSpecifiedDayOfWeek/></sr:DayOfWeek>",
    "</sr:SeasonStartDate><sr:ReferencedWeekName>1</sr:ReferencedWeekName></sr:Season>",
    "</sr:Seasons></sr:SwitchingTable>",
    "<sr:SpecialDays><sr:SpecialDay><sr:Date><sr:Year><sr:NonSpecifiedYear/></sr:Year>",
    "<sr:Month><sr:SpecifiedMonth>12</sr:SpecifiedMonth></sr:Month>",
    "<sr:DayOfMonth><sr:SpecifiedDayOfMonth>25</sr:SpecifiedDayOfMonth></sr:DayOfMonth>",
    "<sr:DayOfWeek><sr:NonSpecifiedDayOfWeek/></sr:DayOfWeek></sr:Date>",
    "<sr:ReferencedDayName>1</sr:ReferencedDayName></sr:SpecialDay></sr:SpecialDays>",
    "<sr:ThresholdMatrix>",
    "<sr:Thresholds index=\"1\"><sr:BlockThreshold index=\"1\">4294967295</sr:BlockThreshold></sr:Thresholds>",
    "<sr:Thresholds index=\"2\"><sr:BlockThreshold index=\"1\">4294967295</sr:BlockThreshold></sr:Thresholds>",
    "<sr:Thresholds index=\"3\"><sr:BlockThreshold index=\"1\">4294967295</sr:BlockThreshold></sr:Thresholds>",
    "<sr:Thresholds index=\"4\"><sr:BlockThreshold index=\"1\">4294967295</sr:BlockThreshold></sr:Thresholds>",
    "<sr:Thresholds index=\"5\"><sr:BlockThreshold index=\"1\">4294967295</sr:BlockThreshold></sr:Thresholds>",
    "<sr:Thresholds index=\"6\"><sr:BlockThreshold index=\"1\">4294967295</sr:BlockThreshold></sr:Thresholds>",
    "<sr:Thresholds index=\"7\"><sr:BlockThreshold index=\"1\">4294967295</sr:BlockThreshold></sr:Thresholds>",
    "<sr:Thresholds index=\"8\"><sr:BlockThreshold index=\"1\">4294967295</sr:BlockThreshold></sr:Thresholds>",
    "</sr:ThresholdMatrix></sr:ElecTariffElements>",
    "<sr:PriceElements><sr:ElectricityPriceElements>",
    "<sr:StandingCharge>20000</sr:StandingCharge>",
    "<sr:StandingChargeScale>-5</sr:StandingChargeScale><sr:PriceScale>-5</sr:PriceScale>",
    "<sr:TOUTariff><sr:TOUPrice index=\"1\">2121</sr:TOUPrice>",
    "<sr:TOUPrice index=\"2\">3127</sr:TOUPrice></sr:TOUTariff>",
    "</sr:ElectricityPriceElements></sr:PriceElements>",
    "</sr:UpdateImportTariffPrimaryElement>",
);

impl Mix {
    fn name(self) -> &'static str {
        match self {
            Self::Reads => "reads",
            Self::Critical => "critical",
            Self::NonDevice => "non-device",
            Self::Mixed => "mixed",
            Self::Tariff => "tariff",
        }
    }

    /// The kind of request number `i` of a run.
    fn kind_of(self, i: usize) -> Kind {
        match self {
            Self::Reads => Kind::Read,
            Self::Critical | Self::Tariff => Kind::Critical,
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
            Self::Critical | Self::Tariff => [
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
    /// Another DUIS endpoint of the same DCC (a gateway process of its own, `opendcc serve`
    /// with the gateway role on the same store), as a loopback base URL; repeatable. The
    /// requests are spread over the manifest's gateway and these, each device's always to the
    /// same one (chosen by the device's id), so that a device's counters arrive in order.
    #[arg(long = "gateway", value_name = "URL")]
    pub gateways: Vec<String>,
    /// The DCC's data directory (a SQLite store), to register the generator's Receive Response
    /// Service and read the users' counters (default: the manifest's `store`, or for a manifest
    /// that records none, the directory holding it).
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
    /// The user (as in demo.json) who signs and sends to the named devices (default
    /// supplier-a). In a world with generated premises, each device's registered supplier sends
    /// (one sender per supplier, each with its own TLS identity and Receive Response Service);
    /// with --user, only that supplier's premises are addressed.
    #[arg(long)]
    pub user: Option<String>,
    /// In a world with generated premises: address this many of their ESMEs, GSMEs, CHFs and
    /// GPFs, of premises spread evenly over the world (default: all of them), round robin.
    #[arg(long, value_name = "K")]
    pub devices: Option<usize>,
    /// Address the named demo devices even when the world has generated premises.
    #[arg(long, conflicts_with = "devices")]
    pub named: bool,
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
    ///   Total 1 verify, 2 signs, 3 ECDH, 1 key load. The ECDH and the key load are done at a
    ///   pair's (a device's) first contact only while the DCC keeps that device's secrets and
    ///   keys (the last 65,536): counting them every time, as here, is the conservative ceiling.
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
    // A key keeps the ECDH secret of each peer it has met (`KaPrivateKey::derive`), so the
    // point multiplication is timed on a freshly parsed key each time, less the parse.
    let ka_parse_per_s = rate_of(budget, || {
        gbcs::crypto::KaPrivateKey::from_der(&ka_der)
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .map_err(|e| crypto(&e))?;
    let parse_and_ecdh_per_s = rate_of(budget, || {
        gbcs::crypto::KaPrivateKey::from_der(&ka_der)
            .and_then(|k| k.derive(&peer_public, &ctx))
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .map_err(|e| crypto(&e))?;
    let ecdh_secs = (1.0 / parse_and_ecdh_per_s - 1.0 / ka_parse_per_s).max(f64::EPSILON);
    let ecdh_per_s = 1.0 / ecdh_secs;
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

/// A device a run addresses, and who sends to it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    id: String,
    device_type: DeviceType,
    /// Index into the run's users ([`Targets::users`]).
    user: usize,
}

impl Target {
    /// ESMEs and GSMEs answer 7.4 Read Supply Status as well as 11.2.
    fn is_meter(&self) -> bool {
        matches!(self.device_type, DeviceType::Esme | DeviceType::Gsme)
    }
}

/// The devices a mix addresses and the users who send to them.
#[derive(Debug, Clone)]
struct Targets {
    /// The users who sign and send (names as in demo.json); each has its own TLS identity and
    /// its own Receive Response Service.
    users: Vec<String>,
    /// The named devices: (device, request template) pairs in turn.
    reads: Vec<(Target, ReadTemplate)>,
    /// A generated world: devices in turn, 11.2 on even passes over them and, for meters, 7.4
    /// on odd ones.
    devices: Vec<Target>,
    /// ESMEs for critical flows.
    critical: Vec<Target>,
    /// The devices 8.2 Read Inventory asks about (the request goes to the DCC).
    inventory: Vec<Target>,
    /// Generated premises in the world (0: the named devices are addressed).
    generated_premises: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReadTemplate {
    FirmwareVersion,
    SupplyStatus,
    /// 4.1.1 Read Import Registers: a GPF's read (11.2 is not a GPF service; its firmware is
    /// the hub's).
    ImportRegisters,
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

/// Devices addressed per generated premises: ESME, GSME, CHF, GPF (slots 0 to 3; the HAN
/// devices of one premises in four are left out).
const PER_PREMISES: usize = 4;

/// `m` of `n` items spread evenly: item `⌊j n / m⌋` for `j` in `0..m` (`m ≤ n`).
fn spread(n: u64, m: u64) -> impl Iterator<Item = u64> {
    (0..m).map(move |j| {
        u64::try_from(u128::from(j) * u128::from(n) / u128::from(m.max(1))).unwrap_or(u64::MAX)
    })
}

/// The devices of a world of `premises` generated premises that a run addresses: `k` (default:
/// all) ESMEs, GSMEs, CHFs and GPFs of evenly spread premises, each premises' four together in
/// that order, and who sends to each: the premises' registered supplier (with `only`, the
/// premises of that supplier alone). Returns the sending users (in `world_gen::SUPPLIERS`
/// order) and the devices.
fn generated_targets(
    premises: u64,
    k: Option<usize>,
    only: Option<&str>,
) -> Result<(Vec<String>, Vec<Target>), BenchError> {
    if let Some(u) = only
        && !world_gen::SUPPLIERS.contains(&u)
    {
        return Err(BenchError::Setup(format!(
            "{u} is the supplier of no generated premises (they are registered to {})",
            world_gen::SUPPLIERS.join(" and ")
        )));
    }
    // The premises a run may address, by position: all of them, or those of one supplier.
    let restricted: Option<Vec<u64>> = only.map(|u| {
        (0..premises)
            .filter(|&i| world_gen::premises(i).supplier_name() == u)
            .collect()
    });
    let candidates = restricted
        .as_ref()
        .map_or(premises, |r| u64::try_from(r.len()).unwrap_or(u64::MAX));
    let available = usize::try_from(candidates)
        .unwrap_or(usize::MAX)
        .saturating_mul(PER_PREMISES);
    let k = k.unwrap_or(available);
    if k == 0 || k > available {
        return Err(BenchError::Devices(available));
    }
    let m = u64::try_from(k.div_ceil(PER_PREMISES)).unwrap_or(u64::MAX);
    let mut users: Vec<String> = Vec::new();
    let mut targets = Vec::with_capacity(k);
    for j in spread(candidates, m) {
        let i = match &restricted {
            Some(r) => usize::try_from(j)
                .ok()
                .and_then(|j| r.get(j).copied())
                .unwrap_or(0),
            None => j,
        };
        let p = world_gen::premises(i);
        let name = p.supplier_name();
        let user = match users.iter().position(|u| u == name) {
            Some(u) => u,
            None => {
                users.push(name.to_string());
                users.len() - 1
            }
        };
        for (id, device_type) in p.devices().take(PER_PREMISES) {
            if targets.len() < k {
                targets.push(Target {
                    id: id.to_string(),
                    device_type,
                    user,
                });
            }
        }
    }
    // Users in `SUPPLIERS` order, whichever premises came first.
    let order: Vec<usize> = world_gen::SUPPLIERS
        .iter()
        .filter_map(|s| users.iter().position(|u| u == s))
        .collect();
    let renumber: HashMap<usize, usize> = order
        .iter()
        .enumerate()
        .map(|(new, old)| (*old, new))
        .collect();
    for t in &mut targets {
        t.user = renumber.get(&t.user).copied().unwrap_or(t.user);
    }
    let users = order
        .iter()
        .filter_map(|o| users.get(*o).cloned())
        .collect();
    Ok((users, targets))
}

impl Targets {
    /// The named demo devices present in the manifest, all sent to by `user`.
    fn named(m: &Manifest, mix: Mix, user: &str) -> Result<Self, BenchError> {
        let present = |id: &str| m.device(id).is_some();
        let target = |id: &str, device_type| Target {
            id: id.to_string(),
            device_type,
            user: 0,
        };
        let esmes: Vec<Target> = ESMES
            .iter()
            .filter(|id| present(id))
            .map(|id| target(id, DeviceType::Esme))
            .collect();
        // In the mixed load, critical flows take the ESMEs of premises 2 to 4 and reads leave
        // them alone: a read accepted between a critical flow's CV 4 and CV 5 on the same device
        // would carry a higher GBCS counter than the signed pre-command, which the device then
        // refuses as a replay.
        let critical: Vec<Target> = match mix {
            Mix::Mixed => esmes.iter().skip(1).cloned().collect(),
            _ => esmes,
        };
        let mut reads = Vec::new();
        for p in PREMISES {
            let id = |k: u8| format!("00-DB-12-34-56-78-{p}-A{k}");
            let esme = id(0);
            if present(&esme) && !(mix == Mix::Mixed && critical.iter().any(|c| c.id == esme)) {
                let t = target(&esme, DeviceType::Esme);
                reads.push((t.clone(), ReadTemplate::FirmwareVersion));
                reads.push((t, ReadTemplate::SupplyStatus));
            }
            let gsme = id(1);
            if present(&gsme) {
                let t = target(&gsme, DeviceType::Gsme);
                reads.push((t.clone(), ReadTemplate::FirmwareVersion));
                reads.push((t, ReadTemplate::SupplyStatus));
            }
            for (k, device_type, template) in [
                (2, DeviceType::Chf, ReadTemplate::FirmwareVersion),
                (3, DeviceType::Gpf, ReadTemplate::ImportRegisters),
            ] {
                let d = id(k);
                if present(&d) {
                    reads.push((target(&d, device_type), template));
                }
            }
        }
        let t = Self {
            users: vec![user.to_string()],
            reads,
            devices: Vec::new(),
            critical,
            inventory: ESMES
                .iter()
                .map(|id| target(id, DeviceType::Esme))
                .collect(),
            generated_premises: 0,
        };
        t.check(mix)
    }

    /// `k` devices (default: all) of the generated premises of a world of `premises`, each sent
    /// to by its registered supplier (with `only`, that supplier's premises alone). In the mixed
    /// load critical flows take the ESMEs and reads the other devices, as with the named ones.
    fn generated(
        premises: u64,
        mix: Mix,
        k: Option<usize>,
        only: Option<&str>,
    ) -> Result<Self, BenchError> {
        let (users, all) = generated_targets(premises, k, only)?;
        // Only the lists the mix uses (a world may have a million devices).
        let critical: Vec<Target> = if matches!(mix, Mix::Critical | Mix::Tariff | Mix::Mixed) {
            all.iter()
                .filter(|t| t.device_type == DeviceType::Esme)
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        let devices: Vec<Target> = match mix {
            Mix::Mixed => all
                .iter()
                .filter(|t| t.device_type != DeviceType::Esme)
                .cloned()
                .collect(),
            Mix::Reads => all.clone(),
            Mix::Critical | Mix::Tariff | Mix::NonDevice => Vec::new(),
        };
        let inventory = if matches!(mix, Mix::NonDevice | Mix::Mixed) {
            all
        } else {
            Vec::new()
        };
        let t = Self {
            users,
            reads: Vec::new(),
            devices,
            critical,
            inventory,
            generated_premises: premises,
        };
        t.check(mix)
    }

    fn check(self, mix: Mix) -> Result<Self, BenchError> {
        let needs_reads = matches!(mix, Mix::Reads | Mix::Mixed);
        let needs_critical = matches!(mix, Mix::Critical | Mix::Tariff | Mix::Mixed);
        if (needs_reads && self.reads.is_empty() && self.devices.is_empty())
            || (needs_critical && self.critical.is_empty())
        {
            return Err(BenchError::NoTargets(mix.name()));
        }
        Ok(self)
    }

    /// How many distinct devices the mix addresses (with 8.2 Read Inventory: asks about).
    fn device_count(&self, mix: Mix) -> usize {
        let mut ids: HashSet<&str> = HashSet::new();
        if matches!(mix, Mix::NonDevice | Mix::Mixed) {
            ids.extend(self.inventory.iter().map(|t| t.id.as_str()));
        }
        if matches!(mix, Mix::Reads | Mix::Mixed) {
            ids.extend(self.reads.iter().map(|(t, _)| t.id.as_str()));
            ids.extend(self.devices.iter().map(|t| t.id.as_str()));
        }
        if matches!(mix, Mix::Critical | Mix::Tariff | Mix::Mixed) {
            ids.extend(self.critical.iter().map(|t| t.id.as_str()));
        }
        ids.len()
    }
}

/// The service reference of a service reference variant: its first two parts (4.1 for 4.1.1,
/// 11.2 for 11.2).
fn service_reference(srv: &str) -> &str {
    match srv.match_indices('.').nth(1) {
        Some((at, _)) => &srv[..at],
        None => srv,
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
            "<sr:ServiceReference>{sr}</sr:ServiceReference>",
            "<sr:ServiceReferenceVariant>{srv}</sr:ServiceReferenceVariant></sr:Header>",
            "<sr:Body>{body}</sr:Body></sr:Request>"
        ),
        rid = rid,
        cv = cv,
        sr = service_reference(srv),
        srv = srv,
        body = body
    )
}

/// What request number `i` is, before its counter is chosen.
#[derive(Debug, Clone)]
struct Plan {
    kind: Kind,
    target: String,
    /// Index into the run's users: who signs and sends it.
    user: usize,
    cv: u8,
    srv: &'static str,
    body: String,
    endpoint: Endpoint,
}

fn plan(i: usize, mix: Mix, targets: &Targets, dcc_eui: &str) -> Plan {
    match mix.kind_of(i) {
        Kind::Read => {
            let (target, template) = if targets.reads.is_empty() {
                // Devices in turn; a meter is read for 11.2 on even passes, 7.4 on odd ones, a
                // CHF for 11.2, a GPF for 4.1.1.
                let n = targets.devices.len().max(1);
                let t = targets.devices.get(i % n).cloned();
                let template = match &t {
                    Some(t) if t.device_type == DeviceType::Gpf => ReadTemplate::ImportRegisters,
                    Some(t) if t.is_meter() && (i / n) % 2 == 1 => ReadTemplate::SupplyStatus,
                    _ => ReadTemplate::FirmwareVersion,
                };
                (t, template)
            } else {
                match targets.reads.get(i % targets.reads.len()) {
                    Some((t, template)) => (Some(t.clone()), *template),
                    None => (None, ReadTemplate::FirmwareVersion),
                }
            };
            let target = target.unwrap_or_else(|| Target {
                id: ESMES[0].to_string(),
                device_type: DeviceType::Esme,
                user: 0,
            });
            let (srv, body) = match template {
                ReadTemplate::FirmwareVersion => ("11.2", "<sr:ReadFirmwareVersion/>"),
                ReadTemplate::SupplyStatus => ("7.4", "<sr:ReadSupplyStatus/>"),
                ReadTemplate::ImportRegisters => {
                    ("4.1.1", "<sr:ReadInstantaneousImportRegisters/>")
                }
            };
            Plan {
                kind: Kind::Read,
                target: target.id,
                user: target.user,
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
            let (target, user) = targets
                .critical
                .get(n % devices)
                .map_or_else(|| (ESMES[0].to_string(), 0), |t| (t.id.clone(), t.user));
            let (srv, body) = if mix == Mix::Tariff {
                ("1.1.1", TARIFF_BODY)
            } else if (n / devices).is_multiple_of(2) {
                ("7.2", "<sr:DisableSupply/>")
            } else {
                ("7.1", "<sr:EnableSupply/>")
            };
            Plan {
                kind: Kind::Critical,
                target,
                user,
                cv: 4,
                srv,
                body: body.to_string(),
                endpoint: Endpoint::Transform,
            }
        }
        Kind::NonDevice => {
            let (device, user) = targets
                .inventory
                .get(i % targets.inventory.len().max(1))
                .map_or((PREMISES1_CHF, 0), |t| (t.id.as_str(), t.user));
            Plan {
                kind: Kind::NonDevice,
                target: dcc_eui.to_string(),
                user,
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
    /// RequestID (user, target, counter) → request index (a resent request has several).
    by_counter: HashMap<(usize, String, u64), usize>,
    /// The highest counter sent (or given to a resend) per user and target.
    max_sent: HashMap<(usize, String), u64>,
    errors: BTreeMap<String, u64>,
    /// Final responses received for no request of this run (earlier runs' leftovers).
    unmatched_final: u64,
    /// Final responses for a request that already had one (distinct delivery ids).
    duplicate_final: u64,
    /// Responses delivered to one user's Receive Response Service for another user's request.
    misdelivered: u64,
    /// Requests sent (resends included) by gateway base URL.
    by_gateway: BTreeMap<String, u64>,
    alerts: u64,
    /// Delivery ids seen, and how many POSTs repeated one.
    delivery_ids: HashSet<String>,
    repeated_deliveries: u64,
    posts: u64,
    replay_resends: u64,
    http_requests: u64,
    sent: u64,
    /// Outcomes with `acked_at`, and with `completed_at` (kept as they are set, for the
    /// progress line: counting them on each completion was quadratic in the run's length).
    acked: u64,
    completed: u64,
}

impl Shared {
    fn mark_acked(o: &mut Outcome, acked: &mut u64, now: Instant) {
        if o.acked_at.is_none() {
            *acked += 1;
        }
        o.acked_at = Some(now);
    }

    fn mark_completed(o: &mut Outcome, completed: &mut u64, now: Instant) {
        if o.completed_at.is_none() {
            *completed += 1;
        }
        o.completed_at = Some(now);
    }

    fn error(&mut self, key: String) {
        *self.errors.entry(key).or_insert(0) += 1;
    }

    /// Records `counter` as sent by `user` to `target`.
    fn sent_to(&mut self, user: usize, target: &str, counter: u64) {
        let max = self
            .max_sent
            .entry((user, target.to_string()))
            .or_insert(counter);
        *max = (*max).max(counter);
    }

    /// A counter for a resend by `user` to `target`: just above every counter it sent to that
    /// target so far, and so (but for more than `STRIDE - 1` resends in one gap) below those of
    /// its requests to it not sent yet. Counters of other targets and users do not matter (the
    /// DCC checks them per originator and target).
    fn resend_counter(&mut self, user: usize, target: &str) -> u64 {
        let next = self
            .max_sent
            .get(&(user, target.to_string()))
            .map_or(0, |m| m.saturating_add(1));
        self.sent_to(user, target, next);
        next
    }
}

struct Run {
    shared: Mutex<Shared>,
    /// The sending users' EUIs (RequestID originators), by user index.
    originators: Vec<String>,
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
        if let Some((a, c, e)) =
            self.with(|s| (s.acked, s.completed, s.errors.values().sum::<u64>()))
        {
            self.progress
                .set_message(format!("acked {a}, completed {c}, errors {e}"));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The Receive Response Service

/// The Receive Response Service of the run's user number `user`.
async fn receive(run: Arc<Run>, user: usize, req: Request<Incoming>) -> Response<Full<Bytes>> {
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
    // `originator:target:counter`: counters are unique per originator and target, not overall.
    let request = element_text(&text, "RequestID").and_then(|rid| {
        let mut parts = rid.trim().split(':');
        let (originator, target, counter) = (parts.next()?, parts.next()?, parts.next()?);
        Some((
            originator.to_string(),
            target.to_string(),
            counter.parse::<u64>().ok()?,
        ))
    });
    let own = run.originators.get(user).map(String::as_str);
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
        let Some((originator, target, counter)) = request else {
            s.unmatched_final += 1;
            return;
        };
        if !own.is_some_and(|o| o.eq_ignore_ascii_case(&originator)) {
            s.misdelivered += 1;
            return;
        }
        let Some(i) = s.by_counter.get(&(user, target, counter)).copied() else {
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
        Shared::mark_completed(o, &mut s.completed, now);
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

async fn serve_rrs(listener: tokio::net::TcpListener, run: Arc<Run>, user: usize) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let run = run.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| {
                let run = run.clone();
                async move { Ok::<_, Infallible>(receive(run, user, req).await) }
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
    /// By user: each with its own TLS client identity.
    http: Vec<reqwest::Client>,
    /// The DUIS endpoints' base URLs: the manifest's first, then `--gateway`s.
    base_urls: Vec<String>,
    /// By user.
    signers: Vec<Arc<Signer>>,
    /// One critical flow at a time per device.
    device_locks: HashMap<String, Arc<tokio::sync::Mutex<()>>>,
}

/// The synchronous answer to one POST.
struct Answer {
    status: u16,
    body: String,
}

impl Sender {
    async fn post(
        &self,
        user: usize,
        target: &str,
        endpoint: Endpoint,
        body: String,
    ) -> Result<Answer, String> {
        let base = gateway_for(&self.base_urls, target).ok_or("no gateway")?;
        let url = format!("{base}{}", endpoint.path());
        let http = self.http.get(user).ok_or("no such user")?;
        let resp = http
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
        let gateway = gateway_for(&self.base_urls, &p.target)
            .unwrap_or_default()
            .to_string();
        loop {
            run.with(|s| {
                s.http_requests += 1;
                *s.by_gateway.entry(gateway.clone()).or_insert(0) += 1;
                s.by_counter
                    .insert((p.user, p.target.clone(), counter), index);
                s.sent_to(p.user, &p.target, counter);
            });
            let answer = self.post(p.user, &p.target, p.endpoint, body).await?;
            if answer.status != 409 || resends >= MAX_REPLAY_RESENDS {
                return Ok((answer, counter));
            }
            resends += 1;
            counter = run
                .with(|s| {
                    s.replay_resends += 1;
                    s.resend_counter(p.user, &p.target)
                })
                .ok_or("state lock poisoned")?;
            let signer = self.signers.get(p.user).ok_or("no such user")?.clone();
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
                        Shared::mark_acked(o, &mut s.acked, now);
                        Shared::mark_completed(o, &mut s.completed, now);
                        done = true;
                    }
                    Verdict::Acked => {
                        Shared::mark_acked(o, &mut s.acked, now);
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
        let signer = self.signers.get(p.user).ok_or("no such user")?.clone();
        let precommand = answer.body;
        let cv5 = tokio::task::spawn_blocking(move || {
            client::signed_precommand_request(&precommand, &signer.key_pem)
                .and_then(|x| signer.xml.sign(&x).map_err(|e| e.to_string()))
        })
        .await
        .map_err(|e| format!("signing task: {e}"))?
        .map_err(|e| format!("pre-command: {e}"))?;
        run.with(|s| s.http_requests += 1);
        self.post(p.user, &p.target, Endpoint::SendCommand, cv5)
            .await
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
    /// Generated premises in the world whose devices were addressed (0: the named devices).
    pub generated_premises: u64,
    /// Devices in the round robin (a run of fewer requests addresses only the first ones).
    pub devices: usize,
    /// Requests by sending user.
    pub users: BTreeMap<String, u64>,
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
    /// Responses for one user's requests delivered to another user's Receive Response Service.
    pub misdelivered: u64,
    /// Requests sent (resends included) through each gateway, by its base URL.
    pub gateways: BTreeMap<String, u64>,
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

/// The gateway a target's requests go to: always the same one for a target (FNV-1a of its id),
/// so that one device's requests, whose counters must arrive in order, never race each other
/// through two gateways.
fn gateway_for<'a>(base_urls: &'a [String], target: &str) -> Option<&'a str> {
    let hash = target.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let n = u64::try_from(base_urls.len()).ok().filter(|&n| n > 0)?;
    let i = usize::try_from(hash % n).ok()?;
    base_urls.get(i).map(String::as_str)
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
    for user in report.users.keys() {
        eprintln!(
            "note: {user}'s Receive Response Service URL still names the generator's listener, \
             now closed (set it again with `opendcc user response-url`)"
        );
    }
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
    let base_urls: Vec<String> = std::iter::once(&manifest.duis_url)
        .chain(&args.gateways)
        .map(|u| u.trim_end_matches('/').to_string())
        .collect();
    if let Some(u) = base_urls.iter().find(|u| !is_loopback_url(u)) {
        return Err(BenchError::NotLoopback(u.clone()));
    }
    let manifest_dir = args
        .manifest
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let store_config = match (&args.data, &manifest.store) {
        (Some(d), _) => StoreConfig::Sqlite(d.clone()),
        (None, Some(s)) => StoreConfig::parse(s, &manifest_dir).map_err(BenchError::Setup)?,
        (None, None) => StoreConfig::Sqlite(manifest_dir.clone()),
    };
    let generated = generated_premises(&manifest, &store_config)?;
    let store = store_config.open_tools().map_err(BenchError::Setup)?;
    let targets = if generated == 0 || args.named {
        if args.devices.is_some() {
            return Err(BenchError::Setup(
                "--devices needs a world with generated premises (opendcc demo --premises N)"
                    .into(),
            ));
        }
        Targets::named(
            &manifest,
            args.mix,
            args.user.as_deref().unwrap_or("supplier-a"),
        )?
    } else {
        Targets::generated(generated, args.mix, args.devices, args.user.as_deref())?
    };
    let users: Vec<UserEntry> = targets
        .users
        .iter()
        .map(|u| manifest.user(u).cloned())
        .collect::<Result<_, _>>()
        .map_err(BenchError::Setup)?;
    let deadline = Instant::now() + Duration::from_secs(args.max_seconds);

    eprintln!(
        "measuring the crypto ceiling ({} ms per operation, one core)…",
        args.ceiling_ms
    );
    let rates = measure_crypto(Duration::from_millis(args.ceiling_ms))?;
    let ops = OpCounts::for_mix(args.mix);
    let ceiling = ops.ceiling_per_s(&rates);

    let signers: Vec<Arc<Signer>> = users
        .iter()
        .map(|u| Signer::new(u).map(Arc::new))
        .collect::<Result<_, _>>()?;
    // Start above any counter used before (tools built for DCC Boxed use epoch milliseconds).
    let now_ms = u64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis()),
    )
    .unwrap_or(u64::MAX / 2_000);
    let mut bases = Vec::with_capacity(users.len());
    for u in &users {
        let last = highest_counter(&*store, &u.eui)?;
        bases.push(now_ms.saturating_mul(1000).max(last.saturating_add(1)));
    }
    let n = args.requests;
    let plans: Vec<Plan> = (0..n)
        .map(|i| plan(i, args.mix, &targets, &manifest.dcc.eui))
        .collect();
    let mut per_user: BTreeMap<String, u64> = BTreeMap::new();
    for p in &plans {
        if let Some(u) = targets.users.get(p.user) {
            *per_user.entry(u.clone()).or_insert(0) += 1;
        }
    }
    let device_count = targets.device_count(args.mix);
    if generated > 0 && !args.named {
        eprintln!(
            "{device_count} devices of {generated} generated premises, sent to by {}",
            targets.users.join(", ")
        );
    }
    eprintln!("signing {n} requests…");
    let bodies = presign(&signers, &plans, &bases)?;
    let run_state = Arc::new(Run {
        originators: users.iter().map(|u| u.eui.clone()).collect(),
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

    let http = users
        .iter()
        .map(|u| client::http_client(&manifest, (!manifest.plain_http).then_some(u)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(BenchError::Setup)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| BenchError::Setup(format!("starting the async runtime: {e}")))?;
    let sender = Arc::new(Sender {
        http,
        base_urls,
        signers,
        device_locks: targets
            .critical
            .iter()
            .map(|d| (d.id.clone(), Arc::new(tokio::sync::Mutex::new(()))))
            .collect(),
    });
    let bodies = Arc::new(Mutex::new(bodies.into_iter().map(Some).collect::<Vec<_>>()));
    let plans = Arc::new(plans);
    let (start, sent_end) = rt.block_on(async {
        // One Receive Response Service per user, each registered as that user's.
        let mut services = Vec::new();
        for (index, name) in targets.users.iter().enumerate() {
            let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
                .await
                .map_err(|e| BenchError::Listener(e.to_string()))?;
            let addr = listener
                .local_addr()
                .map_err(|e| BenchError::Listener(e.to_string()))?;
            services.push(tokio::spawn(serve_rrs(listener, run_state.clone(), index)));
            let url = format!("http://{addr}/");
            let (st, u, url2) = (store.clone(), name.clone(), url.clone());
            tokio::task::spawn_blocking(move || register_response_url(&*st, &u, &url2))
                .await
                .map_err(|e| BenchError::Setup(e.to_string()))??;
            eprintln!("Receive Response Service on {url}, registered for {name}");
        }

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
            let bases = bases.clone();
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
                    let counter = counter_of(bases.get(p.user).copied().unwrap_or(0), i);
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
        for rrs in services {
            rrs.abort();
        }
        Ok::<_, BenchError>((start, sent_end))
    })?;
    run_state.progress.finish_and_clear();
    let _ = sent_end;
    let s = run_state
        .shared
        .lock()
        .map_err(|_| BenchError::Setup("state lock poisoned".into()))?;
    let mut report = summarise(args, &s, start, rates, ops, ceiling);
    report.generated_premises = targets.generated_premises;
    report.devices = device_count;
    report.users = per_user;
    Ok(report)
}

/// Points `user`'s Receive Response Service at `url` (read by the DCC at delivery time). Quiet,
/// unlike `opendcc user response-url`, so that `--json` output stays one JSON object.
fn register_response_url(store: &dyn ToolStore, user: &str, url: &str) -> Result<(), BenchError> {
    store
        .operator_transaction(&mut |tx| {
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
fn highest_counter(store: &dyn ToolStore, user_eui: &str) -> Result<u64, BenchError> {
    let eui: eui::Eui64 = user_eui
        .parse()
        .map_err(|e| BenchError::Setup(format!("user EUI {user_eui}: {e}")))?;
    let mut highest = None;
    store
        .operator_transaction(&mut |tx| {
            highest = tx.highest_counter(eui)?;
            Ok(())
        })
        .map_err(|e| BenchError::Setup(format!("reading the highest counter: {e}")))?;
    Ok(highest.unwrap_or(0))
}

/// Generated premises in the world: from the manifest, else (a manifest written before it was
/// recorded) from the world in the SQLite store's directory.
fn generated_premises(manifest: &Manifest, store: &StoreConfig) -> Result<u64, BenchError> {
    match (manifest.generated_premises, store) {
        (Some(n), _) => Ok(n),
        (None, StoreConfig::Postgres(_)) => Err(BenchError::Setup(
            "the manifest records no generated_premises: restart the DCC to rewrite it".into(),
        )),
        (None, StoreConfig::Sqlite(data)) => crate::world::open_existing(data)
            .and_then(|w| w.generated_premises())
            .map_err(BenchError::Setup),
    }
}

fn presign(
    signers: &[Arc<Signer>],
    plans: &[Plan],
    bases: &[u64],
) -> Result<Vec<String>, BenchError> {
    // Two threads: the load generator shares the machine with the DCC, which is idle now.
    let half = plans.len().div_ceil(2);
    std::thread::scope(|scope| {
        let handles: Vec<_> = plans
            .chunks(half.max(1))
            .enumerate()
            .map(|(c, chunk)| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .enumerate()
                        .map(|(j, p)| {
                            let (Some(signer), Some(base)) =
                                (signers.get(p.user), bases.get(p.user))
                            else {
                                return Err(BenchError::Signing("no signer for a user".into()));
                            };
                            signer.signed(p, counter_of(*base, c * half + j))
                        })
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
        generated_premises: 0,
        devices: 0,
        users: BTreeMap::new(),
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
        misdelivered: s.misdelivered,
        gateways: s.by_gateway.clone(),
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
    let users: Vec<String> = r.users.iter().map(|(u, n)| format!("{u} {n}")).collect();
    let _ = writeln!(
        out,
        "{} devices{} · requests by {}",
        r.devices,
        if r.generated_premises > 0 {
            format!(" of {} generated premises", r.generated_premises)
        } else {
            " (the named demo devices)".to_string()
        },
        users.join(", ")
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
        "deliveries: {} POSTs, {} repeated delivery ids, {} alerts, {} duplicate finals, {} unmatched, {} misdelivered, {} missing, {} without ack",
        r.posts_received,
        r.repeated_deliveries,
        r.alerts,
        r.duplicate_final,
        r.unmatched_final,
        r.misdelivered,
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
    fn a_device_always_goes_to_the_same_gateway_and_devices_spread_over_all() {
        let urls: Vec<String> = (0..4).map(|i| format!("http://127.0.0.1:{i}")).collect();
        let devices: Vec<String> = (0..400)
            .map(|i| format!("00-DB-12-34-00-00-{i:04X}"))
            .collect();
        let mut used = BTreeMap::new();
        for d in &devices {
            let g = gateway_for(&urls, d).unwrap();
            assert_eq!(gateway_for(&urls, d), Some(g), "{d} moved");
            *used.entry(g).or_insert(0) += 1;
        }
        assert_eq!(used.len(), 4, "{used:?}");
        assert!(used.values().all(|&n| n > 60), "uneven: {used:?}");
        assert_eq!(gateway_for(&urls[..1], "x"), Some(urls[0].as_str()));
        assert_eq!(gateway_for(&[], "x"), None);
    }

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
        let t = |id: &str, device_type| Target {
            id: id.into(),
            device_type,
            user: 0,
        };
        let targets = Targets {
            users: vec!["supplier-a".into()],
            reads: vec![(
                t("00-DB-12-34-56-78-90-A1", DeviceType::Gsme),
                ReadTemplate::SupplyStatus,
            )],
            devices: Vec::new(),
            critical: vec![t("00-DB-12-34-56-78-91-A0", DeviceType::Esme)],
            inventory: vec![t(ESMES[0], DeviceType::Esme)],
            generated_premises: 0,
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
            ("4.1.1", 1, "<sr:ReadInstantaneousImportRegisters/>"),
            ("7.2", 4, "<sr:DisableSupply/>"),
            ("1.1.1", 4, TARIFF_BODY),
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
            assert_eq!(
                service_reference(srv),
                match srv {
                    "4.1.1" => "4.1",
                    "1.1.1" => "1.1",
                    _ => srv,
                }
            );
            assert!(xml.contains(&format!(
                "<sr:ServiceReference>{}</sr:ServiceReference>",
                service_reference(srv)
            )));
            assert_eq!(req.header.command_variant as u8, cv);
            if srv == "1.1.1" {
                // The tariff mix's body is a tariff the DCC accepts.
                let t = duis::bodies::UpdateImportTariffPrimary::parse(&req.body).unwrap();
                assert!(t.execution_date_time.is_none() && t.currency_gbp);
            }
        }
    }

    #[test]
    fn the_tariff_mix_sends_1_1_1_as_a_critical_flow() {
        let dcc = "00-00-00-00-00-00-00-02";
        let targets = Targets {
            users: Vec::new(),
            reads: Vec::new(),
            devices: Vec::new(),
            critical: vec![Target {
                id: "00-DB-12-34-56-78-91-A0".into(),
                device_type: DeviceType::Esme,
                user: 0,
            }],
            inventory: Vec::new(),
            generated_premises: 0,
        };
        for i in 0..3 {
            let p = plan(i, Mix::Tariff, &targets, dcc);
            assert_eq!((p.kind, p.cv, p.srv), (Kind::Critical, 4, "1.1.1"));
            assert_eq!(p.endpoint, Endpoint::Transform);
            assert_eq!(p.body, TARIFF_BODY);
        }
    }

    #[test]
    fn resends_go_just_above_the_highest_counter_sent_to_the_same_target() {
        let base = 1_000_000;
        let mut s = Shared::default();
        s.sent_to(0, "A", counter_of(base, 5));
        s.sent_to(0, "A", counter_of(base, 2));
        s.sent_to(0, "B", counter_of(base, 7));
        // Another user's counters, far above, to the same target.
        s.sent_to(1, "A", counter_of(base * 1000, 8));
        let first = s.resend_counter(0, "A");
        let second = s.resend_counter(0, "A");
        assert_eq!(first, counter_of(base, 5) + 1);
        assert_eq!(second, first + 1);
        // Requests 6 and later (handed out but not sent) keep counters above the resends.
        assert!(second < counter_of(base, 6));
        // Another target's counters do not move A's.
        assert_eq!(s.resend_counter(0, "B"), counter_of(base, 7) + 1);
        s.sent_to(0, "A", counter_of(base, 9));
        assert_eq!(s.resend_counter(0, "A"), counter_of(base, 9) + 1);
        assert_eq!(s.resend_counter(1, "A"), counter_of(base * 1000, 8) + 1);
        assert_eq!(counter_of(base, 3), base + 3 * STRIDE);
    }

    fn gen_id(premises: u64, slot: u64) -> String {
        eui::Eui64::from_u64(world_gen::GEN_BASE + world_gen::STRIDE * premises + slot).to_string()
    }

    #[test]
    fn a_small_generated_world_is_addressed_whole_each_device_by_its_supplier() {
        let (users, targets) = generated_targets(10, None, None).unwrap();
        assert_eq!(users, ["supplier-a", "supplier-b"]);
        assert_eq!(targets.len(), 40);
        for (j, t) in targets.iter().enumerate() {
            let (p, slot) = ((j / 4) as u64, (j % 4) as u64);
            assert_eq!(t.id, gen_id(p, slot));
            let located = world_gen::locate(t.id.parse().unwrap(), 10).unwrap();
            assert_eq!(located, (p, t.device_type));
            // Generated premises alternate between the two suppliers.
            assert_eq!(users[t.user], world_gen::premises(p).supplier_name());
            assert_eq!(t.user, (p % 2) as usize);
        }
        let types: Vec<DeviceType> = targets[..4].iter().map(|t| t.device_type).collect();
        assert_eq!(
            types,
            [
                DeviceType::Esme,
                DeviceType::Gsme,
                DeviceType::Chf,
                DeviceType::Gpf
            ]
        );
    }

    #[test]
    fn k_devices_are_spread_evenly_over_the_world() {
        // 10 devices of 250 premises: three premises, a third of the world apart.
        let (users, targets) = generated_targets(250, Some(10), None).unwrap();
        let ids: Vec<String> = targets.iter().map(|t| t.id.clone()).collect();
        let mut expected = Vec::new();
        for p in [0, 83, 166] {
            for slot in 0..4 {
                expected.push(gen_id(p, slot));
            }
        }
        expected.truncate(10);
        assert_eq!(ids, expected);
        assert_eq!(users, ["supplier-a", "supplier-b"]);
        let senders: Vec<&str> = targets.iter().map(|t| users[t.user].as_str()).collect();
        assert_eq!(&senders[..4], ["supplier-a"; 4]);
        assert_eq!(&senders[4..8], ["supplier-b"; 4]);
        assert_eq!(&senders[8..], ["supplier-a"; 2]);
        // A million devices: every premises once, in order.
        let (_, all) = generated_targets(250_000, None, None).unwrap();
        assert_eq!(all.len(), 1_000_000);
        assert_eq!(all[999_999].id, gen_id(249_999, 3));
        // 100,000 of them: one premises in ten.
        let (_, some) = generated_targets(250_000, Some(100_000), None).unwrap();
        assert_eq!(some.len(), 100_000);
        assert_eq!(some[4].id, gen_id(10, 0));
        assert_eq!(some[99_996].id, gen_id(249_990, 0));
        let distinct: HashSet<&str> = some.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(distinct.len(), 100_000);
    }

    #[test]
    fn one_supplier_can_be_chosen_and_bad_sizes_are_refused() {
        let (users, targets) = generated_targets(10, None, Some("supplier-b")).unwrap();
        assert_eq!(users, ["supplier-b"]);
        assert_eq!(targets.len(), 20);
        assert!(targets.iter().all(|t| t.user == 0));
        assert_eq!(targets[0].id, gen_id(1, 0));
        assert_eq!(targets[19].id, gen_id(9, 3));
        let (_, two) = generated_targets(10, Some(8), Some("supplier-a")).unwrap();
        // Two of supplier-a's five premises (0, 2, 4, 6, 8), spread: 0 and 4.
        assert_eq!(two[0].id, gen_id(0, 0));
        assert_eq!(two[4].id, gen_id(4, 0));
        assert!(generated_targets(10, None, Some("distributor")).is_err());
        assert!(matches!(
            generated_targets(10, Some(41), None),
            Err(BenchError::Devices(40))
        ));
        assert!(matches!(
            generated_targets(10, Some(0), None),
            Err(BenchError::Devices(40))
        ));
    }

    #[test]
    fn a_generated_world_is_read_round_robin_by_each_devices_supplier() {
        let targets = Targets::generated(3, Mix::Reads, None, None).unwrap();
        let dcc = "90-B3-D5-1F-30-00-00-02";
        let k = targets.devices.len();
        assert_eq!(k, 12);
        for i in 0..3 * k {
            let p = plan(i, Mix::Reads, &targets, dcc);
            let t = &targets.devices[i % k];
            assert_eq!((p.target.as_str(), p.user), (t.id.as_str(), t.user));
            // Meters: 11.2, then 7.4 on the next pass; hubs: 11.2 always; GPFs: 4.1.1.
            let expected = if t.device_type == DeviceType::Gpf {
                "4.1.1"
            } else if t.is_meter() && (i / k) % 2 == 1 {
                "7.4"
            } else {
                "11.2"
            };
            assert_eq!(p.srv, expected, "request {i}");
        }
        // The mixed load: critical flows on the ESMEs, reads on the other devices.
        let mixed = Targets::generated(3, Mix::Mixed, None, None).unwrap();
        assert_eq!(mixed.critical.len(), 3);
        assert!(
            mixed
                .devices
                .iter()
                .all(|t| t.device_type != DeviceType::Esme)
        );
        let c = plan(0, Mix::Mixed, &mixed, dcc);
        assert_eq!(
            (c.kind, c.target.as_str()),
            (Kind::Critical, gen_id(0, 0).as_str())
        );
        let c = plan(10, Mix::Mixed, &mixed, dcc);
        assert_eq!((c.target.as_str(), c.user), (gen_id(1, 0).as_str(), 1));
        // Non-device: 8.2 about a generated device, to the DCC, by its supplier.
        let non_device = Targets::generated(3, Mix::NonDevice, None, None).unwrap();
        let n = plan(1, Mix::NonDevice, &non_device, dcc);
        assert_eq!((n.target.as_str(), n.user), (dcc, 0));
        assert!(n.body.contains(&gen_id(0, 1)));
        assert_eq!(targets.device_count(Mix::Reads), 12);
        assert_eq!(mixed.device_count(Mix::Mixed), 12);
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
