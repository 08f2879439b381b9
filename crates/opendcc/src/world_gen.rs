//! A large demo world (`opendcc demo --premises N`): the four named demo premises and N − 4
//! generated ones, each with a CHF, GPF, ESME and GSME, one in [`HAN_EVERY`] also with a PPMID,
//! HCALCS and IHD, spread over the three CSP regions, registered to the demo's suppliers and
//! network operators, every GBCS device with SMKI DS and KA certificates from the DCA (rolling
//! over as the SEC requires).
//!
//! Nothing per device is kept outside the database, and nothing per device is held in memory
//! while serving:
//! - a generated device's private keys are derived from the world's vault secret
//!   (`pki/private/device-vault.secret`): HKDF-SHA256(secret, EUI ‖ usage ‖ attempt) taken as a
//!   P-256 scalar, the next attempt when out of range ([`derive_key`]); [`GeneratedVault`]
//!   answers for one device at a time, with a bounded cache;
//! - a device that has received no command has no state row: its state is the installed state
//!   computed from its kind, the world's creation time and its trust anchors
//!   ([`GeneratedVault::installed_state`]), recorded once in `generated.json`.
//!
//! The layout is a pure function of the premises' index ([`premises`], [`locate`]): premises `i`
//! has the EUIs `GEN_BASE + 8 i + slot`, slot in the [`DEVICE_ORDER`](crate::world::DEVICE_ORDER) order
//! (ESME, GSME, CHF, GPF, PPMID, HCALCS, IHD).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use dcc::model::{CspRegion, Device, DeviceType, Premises, Registration, RegistrationRole};
use dcc::store::{InventoryTx as _, Store};
use devices::{DeviceIdentity, DeviceState, TrustAnchor, TrustAnchors};
use eui::Eui64;
use serde::{Deserialize, Serialize};
use smki::{CaKind, KeyPair, KeyUsage, Serial};
use smki_service::issuance::IssuingCa;
use smki_service::{CertRecord, Environment, SmkiTx};
use store::SqliteStore;
use time::OffsetDateTime;

use crate::world::{device_kind, installed_device, smki_err, write_file, write_secret};

/// The first generated device EUI (clear of the demo's `00-DB-12-34-56-78-…` devices).
pub const GEN_BASE: u64 = 0x00DB_2000_0000_0000;
/// EUIs per generated premises.
pub const STRIDE: u64 = 8;
/// One generated premises in this many has a HAN (PPMID, HCALCS, IHD).
pub const HAN_EVERY: u64 = 4;
/// The named demo premises; `--premises N` generates N minus these.
pub const NAMED_PREMISES: u64 = 4;
/// What a generated world records about itself.
pub const SPEC_FILE: &str = "generated.json";
/// The vault secret's file name in `pki/private/`.
pub const SECRET_FILE: &str = "device-vault.secret";
/// The most generated premises (the EUI block and the UPRN, MPAN and MPRN forms hold this many).
pub const MAX_GENERATED: u64 = 100_000_000;

/// Device types of a generated premises, by slot: the named premises' order.
const SLOTS: &[DeviceType] = crate::world::DEVICE_ORDER;

/// Suppliers and network operators of generated premises, by demo user name.
pub const SUPPLIERS: [&str; 2] = ["supplier-a", "supplier-b"];
pub const DISTRIBUTOR: &str = "distributor";
pub const TRANSPORTER: &str = "transporter";

/// One generated premises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenPremises {
    pub index: u64,
    pub uprn: String,
    pub postcode: String,
    pub address: String,
    pub region: CspRegion,
    pub mpan: String,
    pub mprn: String,
    /// Index into [`SUPPLIERS`]: the premises' electricity and gas supplier.
    pub supplier: usize,
    pub han: bool,
}

/// The MPAN check digit of the 12 digits before it (primes 3, 5, 7, 13, … 43; sum mod 11 mod
/// 10).
pub fn mpan_check_digit(first12: &[u8; 12]) -> u8 {
    const PRIMES: [u32; 12] = [3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43];
    let sum: u32 = first12
        .iter()
        .zip(PRIMES)
        .map(|(d, p)| u32::from(*d) * p)
        .sum();
    u8::try_from(sum % 11 % 10).unwrap_or(0)
}

/// Whether a 13-digit MPAN core's check digit is right.
pub fn mpan_valid(mpan: &str) -> bool {
    let d: Vec<u8> = mpan.bytes().map(|b| b.wrapping_sub(b'0')).collect();
    if d.len() != 13 || d.iter().any(|&x| x > 9) {
        return false;
    }
    let mut first = [0u8; 12];
    first.copy_from_slice(&d[..12]);
    mpan_check_digit(&first) == d[12]
}

/// Postcode letters for the unit (those real inward codes use).
const UNIT_LETTERS: &[u8; 20] = b"ABDEFGHJLNPQRSTUWXYZ";

/// Premises `i` (0-based among the generated ones).
pub fn premises(i: u64) -> GenPremises {
    // Region, postcode areas and distributors (the MPAN's first two digits).
    let (region, areas, distributors): (CspRegion, &[&str], &[u64]) = match i % 3 {
        0 => (CspRegion::North, &["EH", "NE", "AB"], &[15, 16, 17, 18, 23]),
        1 => (CspRegion::Central, &["B", "LE", "CF"], &[11, 13, 14, 21]),
        _ => (CspRegion::South, &["SW", "BN", "EX"], &[10, 12, 19, 20, 22]),
    };
    // Unique within the region: unit (400) × sector (10) × district (99) × area (3).
    let j = i / 3;
    let unit = j % 400;
    let sector = (j / 400) % 10;
    let district = 1 + (j / 4000) % 99;
    let area = areas[((j / 396_000) % areas.len() as u64) as usize];
    let postcode = format!(
        "{area}{district} {sector}{}{}",
        char::from(UNIT_LETTERS[(unit / 20) as usize]),
        char::from(UNIT_LETTERS[(unit % 20) as usize])
    );
    let dist = distributors[((i / 3) % distributors.len() as u64) as usize];
    let body = format!("{dist:02}{i:010}");
    let mut digits = [0u8; 12];
    for (d, b) in digits.iter_mut().zip(body.bytes()) {
        *d = b - b'0';
    }
    let mpan = format!("{body}{}", mpan_check_digit(&digits));
    GenPremises {
        index: i,
        uprn: format!("2{i:011}"),
        postcode,
        address: format!("{} Generated Street", i % 200 + 1),
        region,
        mpan,
        mprn: format!("7{i:09}"),
        supplier: (i % 2) as usize,
        han: i.is_multiple_of(HAN_EVERY),
    }
}

impl GenPremises {
    /// The premises' devices (EUI and type), in slot order.
    pub fn devices(&self) -> impl Iterator<Item = (Eui64, DeviceType)> + use<> {
        let base = GEN_BASE + self.index * STRIDE;
        let n = if self.han { SLOTS.len() } else { 4 };
        (0..n).map(move |s| (Eui64::from_u64(base + s as u64), SLOTS[s]))
    }

    pub fn chf(&self) -> Eui64 {
        Eui64::from_u64(GEN_BASE + self.index * STRIDE + 2)
    }

    /// The supplier (demo user name).
    pub fn supplier_name(&self) -> &'static str {
        SUPPLIERS[self.supplier]
    }
}

/// The generated premises index and type of `eui`, if it is a device of a world of `count`
/// generated premises.
pub fn locate(eui: Eui64, count: u64) -> Option<(u64, DeviceType)> {
    let v = eui.to_u64().checked_sub(GEN_BASE)?;
    let (i, slot) = (v / STRIDE, v % STRIDE);
    if i >= count {
        return None;
    }
    let han = i.is_multiple_of(HAN_EVERY);
    let t = *SLOTS.get(slot as usize)?;
    (slot < 4 || han).then_some((i, t))
}

/// The last EUI of the generated block (for queries that leave it out).
pub fn last_eui(count: u64) -> Eui64 {
    Eui64::from_u64(GEN_BASE + count.max(1) * STRIDE - 1)
}

/// Emulated (GBCS) devices in `count` generated premises.
pub fn emulated_count(count: u64) -> u64 {
    count * 4 + count.div_ceil(HAN_EVERY) * 2
}

/// All devices (IHDs included) in `count` generated premises.
pub fn device_count(count: u64) -> u64 {
    count * 4 + count.div_ceil(HAN_EVERY) * 3
}

fn usage_byte(usage: KeyUsage) -> u8 {
    if usage == KeyUsage::KeyAgreement {
        2
    } else {
        1
    }
}

/// A generated device's private scalar for `usage`: HKDF-SHA256 (salt `opendcc device vault
/// v1`) of the vault secret, info EUI ‖ usage (1 DS, 2 KA) ‖ attempt, the first attempt in range
/// as a P-256 scalar (almost always the first).
fn derive_scalar<T>(
    secret: &[u8],
    eui: Eui64,
    usage: KeyUsage,
    take: impl Fn(&[u8]) -> Option<T>,
) -> Result<T, String> {
    let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"opendcc device vault v1"), secret);
    for attempt in 0u8..=255 {
        let mut info = [0u8; 10];
        info[..8].copy_from_slice(&eui.0);
        info[8] = usage_byte(usage);
        info[9] = attempt;
        let mut okm = smki::zeroize::Zeroizing::new([0u8; 32]);
        hk.expand(&info, okm.as_mut())
            .map_err(|e| format!("device vault: {e}"))?;
        if let Some(k) = take(okm.as_ref()) {
            return Ok(k);
        }
    }
    Err(format!("device vault: no key for {eui}"))
}

/// A generated device's private key for `usage` ([`derive_scalar`]).
pub fn derive_key(secret: &[u8], eui: Eui64, usage: KeyUsage) -> Result<KeyPair, String> {
    derive_scalar(secret, eui, usage, |b| KeyPair::from_scalar_bytes(b).ok())
}

/// The PKCS#8 DER of [`derive_key`]'s key pair, its public half computed by aws-lc: what a
/// device's identity is made of at its first contact, on the WAN's path.
pub fn derive_key_pkcs8(
    secret: &[u8],
    eui: Eui64,
    usage: KeyUsage,
) -> Result<smki::zeroize::Zeroizing<Vec<u8>>, String> {
    derive_scalar(secret, eui, usage, |b| {
        KeyPair::pkcs8_der_from_scalar_bytes(b).ok()
    })
}

/// The public half of [`derive_key`], computed by aws-lc (what building a world needs: several
/// times faster than making the key pair).
pub fn derive_public_key(
    secret: &[u8],
    eui: Eui64,
    usage: KeyUsage,
) -> Result<smki::PublicKey, String> {
    derive_scalar(secret, eui, usage, |b| {
        smki::PublicKey::from_scalar_bytes(b).ok()
    })
}

/// The trust anchors generated devices are installed with, by party.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GenAnchors {
    /// Users by name (the suppliers and network operators).
    pub users: HashMap<String, TrustAnchor>,
    pub acb: TrustAnchor,
    pub recovery: TrustAnchor,
    /// The SMKI Organisation root's Root cell ([`TrustAnchor::root`]); `None` in a world
    /// generated before devices held one (its devices then check certification paths as they
    /// did: see `devices::recovery`).
    #[serde(default)]
    pub root: Option<TrustAnchor>,
}

/// What `generated.json` records.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GenSpec {
    /// Generated premises.
    pub premises: u64,
    /// When the devices were installed (unix seconds: the world's creation).
    pub installed: i64,
    pub anchors: GenAnchors,
}

impl GenSpec {
    /// The installed state of a generated device (no row in the store until it changes).
    pub fn installed_state(&self, eui: Eui64) -> Option<DeviceState> {
        let (i, t) = locate(eui, self.premises)?;
        let kind = device_kind(t)?;
        let p = premises(i);
        let operator = if matches!(t, DeviceType::Gsme | DeviceType::Gpf) {
            TRANSPORTER
        } else {
            DISTRIBUTOR
        };
        let anchors = TrustAnchors::new()
            .with(
                devices::RemotePartyRole::Supplier,
                self.anchors.users.get(p.supplier_name())?.clone(),
            )
            .with(
                devices::RemotePartyRole::NetworkOperator,
                self.anchors.users.get(operator)?.clone(),
            )
            .with(
                devices::RemotePartyRole::AccessControlBroker,
                self.anchors.acb.clone(),
            )
            .with(
                devices::RemotePartyRole::Recovery,
                self.anchors.recovery.clone(),
            );
        let anchors = match &self.anchors.root {
            Some(root) => anchors.with(devices::RemotePartyRole::Root, root.clone()),
            None => anchors,
        };
        let installed = gbcs::UtcDateTime::from_unix(self.installed)?;
        Some(DeviceState::installed_in_a_home(kind, installed, anchors))
    }
}

/// Identities kept by the vault's cache, at most (two generations of half this).
const CACHE: usize = 65_536;

/// The key store of a generated world: each device's identity derived on demand from the
/// vault secret, the most recently used kept in a bounded cache.
pub struct GeneratedVault {
    secret: smki::zeroize::Zeroizing<Vec<u8>>,
    spec: GenSpec,
    /// (current, previous) generations: a hit in the previous one moves to the current one;
    /// when the current one is full it becomes the previous one.
    cache: Mutex<(
        HashMap<Eui64, DeviceIdentity>,
        HashMap<Eui64, DeviceIdentity>,
    )>,
}

impl GeneratedVault {
    pub fn new(secret: Vec<u8>, spec: GenSpec) -> Self {
        Self {
            secret: smki::zeroize::Zeroizing::new(secret),
            spec,
            cache: Mutex::new((HashMap::new(), HashMap::new())),
        }
    }

    /// The vault of the world in `dir`, if it has generated premises.
    pub fn open(dir: &Path) -> Result<Option<Self>, String> {
        let spec_path = dir.join(SPEC_FILE);
        if !spec_path.exists() {
            return Ok(None);
        }
        let spec: GenSpec = serde_json::from_slice(
            &std::fs::read(&spec_path).map_err(|e| format!("{}: {e}", spec_path.display()))?,
        )
        .map_err(|e| format!("{}: {e}", spec_path.display()))?;
        let secret_path = dir.join("pki").join("private").join(SECRET_FILE);
        let text = std::fs::read_to_string(&secret_path)
            .map_err(|e| format!("{}: {e}", secret_path.display()))?;
        let secret =
            hex::decode(text.trim()).map_err(|e| format!("{}: {e}", secret_path.display()))?;
        Ok(Some(Self::new(secret, spec)))
    }

    pub fn spec(&self) -> &GenSpec {
        &self.spec
    }

    /// Derives a device's identity (no cache).
    pub fn derive_identity(&self, eui: Eui64) -> Option<DeviceIdentity> {
        let (_, t) = locate(eui, self.spec.premises)?;
        let kind = device_kind(t)?;
        let der = |usage| -> Option<Vec<u8>> {
            Some(derive_key_pkcs8(&self.secret, eui, usage).ok()?.to_vec())
        };
        Some(DeviceIdentity {
            eui,
            kind,
            ds_private_pkcs8: der(KeyUsage::DigitalSignature)?,
            ka_private_pkcs8: der(KeyUsage::KeyAgreement)?,
        })
    }

    /// How many identities the cache holds now.
    pub fn cached(&self) -> usize {
        let c = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        c.0.len() + c.1.len()
    }
}

impl wan::emulated::DeviceVault for GeneratedVault {
    fn knows(&self, id: Eui64) -> bool {
        locate(id, self.spec.premises).is_some_and(|(_, t)| device_kind(t).is_some())
    }

    fn identity(&self, id: Eui64) -> Option<DeviceIdentity> {
        {
            let mut c = self
                .cache
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(i) = c.0.get(&id) {
                return Some(i.clone());
            }
            if let Some(i) = c.1.remove(&id) {
                c.0.insert(id, i.clone());
                return Some(i);
            }
        }
        let identity = self.derive_identity(id)?;
        let mut c = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if c.0.len() >= CACHE / 2 {
            let full = std::mem::take(&mut c.0);
            c.1 = full;
        }
        c.0.insert(id, identity.clone());
        Some(identity)
    }

    fn installed_state(&self, id: Eui64) -> Option<DeviceState> {
        self.spec.installed_state(id)
    }

    fn len(&self) -> usize {
        usize::try_from(emulated_count(self.spec.premises)).unwrap_or(usize::MAX)
    }
}

/// A certificate signed for a generated device: its EUI, usage and repository record (which
/// holds the DER).
type Signed = (Eui64, KeyUsage, CertRecord);

/// `id`'s certificate for `usage` from `ca`, with its repository record (lodged for the DCC at
/// `at`, unix ms). The record is made from what was signed, not by parsing the certificate back
/// (a test checks they agree).
fn issue(
    ca: &IssuingCa,
    secret: &[u8],
    id: Eui64,
    usage: KeyUsage,
    serial: Serial,
    now: OffsetDateTime,
    at: i64,
) -> Result<Signed, String> {
    let public_key = derive_public_key(secret, id, usage)?;
    let req = smki::csr::CertificationRequest {
        subject: smki::csr::CsrSubject::Device { eui: id },
        usage,
        public_key,
    };
    let der = smki_service::issuance::sign(ca, &req, serial, now).map_err(|e| e.to_string())?;
    let rec = CertRecord {
        serial: smki_service::model::serial_hex_of_bytes(&serial.bytes()),
        serial_decimal: serial.to_decimal(),
        environment: Environment::Live,
        kind: smki_service::CertKind::Device,
        usage: if usage == KeyUsage::KeyAgreement {
            smki_service::CertUsage::KeyAgreement
        } else {
            smki_service::CertUsage::DigitalSigning
        },
        subject_eui: Some(id),
        role: None,
        subscriber: Some(crate::world::DCC_EUI),
        issuer_ca: Some(ca.record.id),
        public_key: public_key.to_sec1_uncompressed().to_vec(),
        issued_at: at,
        not_after: DEVICE_NOT_AFTER_MS,
        status: smki_service::CertStatus::InUse,
        revoked_at: None,
        revocation_reason: None,
        der,
    };
    Ok((id, usage, rec))
}

/// A device certificate's notAfter, 9999-12-31T23:59:59Z, in unix milliseconds.
const DEVICE_NOT_AFTER_MS: i64 = 253_402_300_799_000;

/// The database's page cache while a world is built (KiB), and SQLite's default.
const BUILD_PAGE_CACHE_KIB: u32 = 64 * 1024;
const DEFAULT_PAGE_CACHE_KIB: u32 = 2_000;

/// Certificates per chunk at most (each chunk: certificates signed in parallel, then one
/// transaction).
const CHUNK_CERTS: u64 = 16_384;

fn storage(e: impl std::fmt::Display) -> dcc::DccError {
    dcc::error::InternalError::Storage(e.to_string()).into()
}

/// Generates `count` premises into the new world's store: inventory, premises, registrations,
/// and every GBCS device's DS and KA certificates from the DCA (lodged in the SMKI repository,
/// the DCA rolling over at 100,000 certificates), in chunks: the certificates of a chunk are
/// signed on every core, then written in one transaction. Writes the vault secret and
/// `generated.json`.
pub fn generate(
    dir: &Path,
    store: &SqliteStore,
    count: u64,
    anchors: GenAnchors,
    now: OffsetDateTime,
) -> Result<GenSpec, String> {
    if count > MAX_GENERATED {
        return Err(format!(
            "at most {} premises can be generated",
            MAX_GENERATED + NAMED_PREMISES
        ));
    }
    let secret = KeyPair::generate_with_os_rng()
        .map_err(smki_err)?
        .to_scalar_bytes();
    write_secret(
        &dir.join("pki").join("private").join(SECRET_FILE),
        hex::encode(secret.as_ref()).as_bytes(),
    )?;
    let spec = GenSpec {
        premises: count,
        installed: now.unix_timestamp(),
        anchors,
    };
    let total = device_count(count);
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr_with_hz(4),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} devices, {per_sec}, ETA {eta}",
        )
        .map_err(|e| e.to_string())?,
    );
    bar.set_message("generating premises");
    let started = std::time::Instant::now();
    let at = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).map_err(|e| e.to_string())?;
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let since = time::macros::date!(2020 - 01 - 01);
    let user_eui = |name: &str| -> Result<Eui64, String> {
        spec.anchors
            .users
            .get(name)
            .map(|a| a.eui)
            .ok_or_else(|| format!("no anchor for {name}"))
    };
    let parties = Parties {
        suppliers: [user_eui(SUPPLIERS[0])?, user_eui(SUPPLIERS[1])?],
        distributor: user_eui(DISTRIBUTOR)?,
        transporter: user_eui(TRANSPORTER)?,
        now,
        since,
    };
    // A writer thread commits each chunk while the next one is signed; the rendezvous channel
    // holds no chunk itself, so at most two are in memory (one signed, one being written).
    let (jobs_tx, jobs_rx) = std::sync::mpsc::sync_channel::<Job>(0);
    // A larger page cache while millions of rows go into randomly keyed indexes (certificate
    // serials and public keys); SQLite's default again after.
    store
        .set_page_cache_kib(BUILD_PAGE_CACHE_KIB)
        .map_err(|e| e.to_string())?;
    std::thread::scope(|s| -> Result<(), String> {
        let progress = Progress {
            bar: &bar,
            total,
            started,
            last_line: std::time::Instant::now(),
            done: 0,
        };
        let writer = s.spawn(|| write_chunks(store, &parties, jobs_rx, progress));
        let signed = sign_chunks(store, secret.as_ref(), count, now, at, threads, &jobs_tx);
        drop(jobs_tx);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err("the database writer panicked".into()));
        // A writer's failure stops the signing too: its error is the one to report.
        written.and(signed)
    })?;
    store
        .set_page_cache_kib(DEFAULT_PAGE_CACHE_KIB)
        .map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    tracing::info!(
        premises = count,
        devices = total,
        seconds = started.elapsed().as_secs_f64(),
        "generated premises"
    );
    write_file(
        &dir.join(SPEC_FILE),
        serde_json::to_string(&spec)
            .map_err(|e| e.to_string())?
            .as_bytes(),
    )?;
    Ok(spec)
}

/// Who generated premises are registered to, and since when.
struct Parties {
    suppliers: [Eui64; 2],
    distributor: Eui64,
    transporter: Eui64,
    now: OffsetDateTime,
    since: time::Date,
}

/// What the signing thread hands the database writer.
enum Job {
    /// A chunk: its premises, their devices' certificates and the DCA's record counting them
    /// (one transaction).
    Write {
        premises: Vec<GenPremises>,
        certs: Vec<Signed>,
        ca: Box<smki_service::CaRecord>,
    },
    /// Everything sent before is committed: answered on the channel (before the DCA is
    /// loaded again, which may roll it over).
    Sync(std::sync::mpsc::SyncSender<()>),
}

/// The progress bar, or without a terminal a line every 10 s.
struct Progress<'a> {
    bar: &'a indicatif::ProgressBar,
    total: u64,
    started: std::time::Instant,
    last_line: std::time::Instant,
    done: u64,
}

impl Progress<'_> {
    fn add(&mut self, devices: u64) {
        self.done += devices;
        self.bar.inc(devices);
        if !self.bar.is_hidden() || self.last_line.elapsed().as_secs() < 10 {
            return;
        }
        self.last_line = std::time::Instant::now();
        let done = self.done;
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let rate = done as f64 / secs;
        eprintln!(
            "generating premises: {done}/{} devices, {rate:.0}/s, ETA {:.0} s",
            self.total,
            self.total.saturating_sub(done) as f64 / rate.max(1e-3)
        );
    }
}

/// The database writer: each chunk in one transaction, in the order sent.
fn write_chunks(
    store: &SqliteStore,
    parties: &Parties,
    jobs: std::sync::mpsc::Receiver<Job>,
    mut progress: Progress<'_>,
) -> Result<(), String> {
    for job in jobs {
        let (premises, certs, ca) = match job {
            Job::Sync(done) => {
                // The signer may have gone (it failed); nothing then waits for the answer.
                let _ = done.send(());
                continue;
            }
            Job::Write {
                premises,
                certs,
                ca,
            } => (premises, certs, ca),
        };
        store
            .transaction_in(|tx| {
                for (id, usage, rec) in &certs {
                    SmkiTx::put_certificate(tx, rec).map_err(storage)?;
                    let name = if *usage == KeyUsage::KeyAgreement {
                        "ka"
                    } else {
                        "ds"
                    };
                    tx.put_device_cert(*id, name, &rec.der)?;
                }
                SmkiTx::update_ca(tx, &ca).map_err(storage)?;
                for p in &premises {
                    put_premises(tx, p, parties)?;
                }
                Ok(())
            })
            .map_err(|e| e.to_string())?;
        progress.add(premises.iter().map(|p| p.devices().count() as u64).sum());
    }
    Ok(())
}

/// Signs the certificates of `count` premises' devices, a chunk at a time on `threads` threads,
/// and sends each chunk to the writer. The DCA is loaded (and rolled over when due: 100,000
/// certificates or 3 months) at the start and whenever the one in use is full, after the
/// writer has committed everything before.
fn sign_chunks(
    store: &SqliteStore,
    secret: &[u8],
    count: u64,
    now: OffsetDateTime,
    at: i64,
    threads: usize,
    jobs: &std::sync::mpsc::SyncSender<Job>,
) -> Result<(), String> {
    let stopped = || "the database writer stopped".to_string();
    let mut current: Option<IssuingCa> = None;
    let mut next = 0u64;
    while next < count {
        let ca = match current.take() {
            Some(ca) => ca,
            None => {
                let (done_tx, done_rx) = std::sync::mpsc::sync_channel(1);
                jobs.send(Job::Sync(done_tx)).map_err(|_| stopped())?;
                done_rx.recv().map_err(|_| stopped())?;
                store
                    .transaction_in(|tx| {
                        let stx: &mut dyn SmkiTx = tx;
                        IssuingCa::load(stx, CaKind::Dca, Environment::Live, now).map_err(storage)
                    })
                    .map_err(|e| format!("the issuing device CA: {e}"))?
            }
        };
        let room = smki_service::rollover::MAX_ISSUED.saturating_sub(ca.record.issued_count);
        let mut chunk = Vec::new();
        let mut certs = 0;
        while next < count {
            let p = premises(next);
            let n = p
                .devices()
                .filter(|(_, t)| device_kind(*t).is_some())
                .count() as u64
                * 2;
            if certs + n > room.min(CHUNK_CERTS) {
                break;
            }
            certs += n;
            chunk.push(p);
            next += 1;
        }
        if chunk.is_empty() {
            // Not enough room on this DCA for one premises: roll it over at the next load.
            let mut r = ca.record.clone();
            r.issued_count = smki_service::rollover::MAX_ISSUED;
            jobs.send(Job::Write {
                premises: Vec::new(),
                certs: Vec::new(),
                ca: Box::new(r),
            })
            .map_err(|_| stopped())?;
            continue;
        }
        let todo: Vec<(Eui64, KeyUsage)> = chunk
            .iter()
            .flat_map(GenPremises::devices)
            .filter(|(_, t)| device_kind(*t).is_some())
            .flat_map(|(id, _)| {
                [
                    (id, KeyUsage::DigitalSignature),
                    (id, KeyUsage::KeyAgreement),
                ]
            })
            .collect();
        let per = todo.len().div_ceil(threads).max(1);
        let signed: Vec<Result<Vec<Signed>, String>> = std::thread::scope(|s| {
            let handles: Vec<_> = todo
                .chunks(per)
                .map(|part| {
                    let ca = &ca;
                    s.spawn(move || {
                        let mut out = Vec::with_capacity(part.len());
                        for &(id, usage) in part {
                            let serial = Serial::random_with_os_rng().map_err(smki_err)?;
                            out.push(issue(ca, secret, id, usage, serial, now, at)?);
                        }
                        Ok(out)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err("a signer panicked".into())))
                .collect()
        });
        let mut certs = Vec::with_capacity(todo.len());
        for part in signed {
            certs.extend(part?);
        }
        let mut ca = ca;
        ca.record.issued_count = ca.record.issued_count.saturating_add(certs.len() as u64);
        jobs.send(Job::Write {
            premises: chunk,
            certs,
            ca: Box::new(ca.record.clone()),
        })
        .map_err(|_| stopped())?;
        // The same DCA signs the next chunk, counted as the writer will have stored it; a full
        // one is loaded again (rolled over) once the writer has caught up.
        if ca.record.issued_count < smki_service::rollover::MAX_ISSUED {
            current = Some(ca);
        }
    }
    Ok(())
}

fn put_premises(
    tx: &mut store::SqliteTx<'_>,
    p: &GenPremises,
    parties: &Parties,
) -> Result<(), dcc::DccError> {
    let Parties {
        now,
        since,
        distributor,
        transporter,
        ..
    } = *parties;
    let supplier = parties.suppliers[p.supplier];
    tx.put_premises(&Premises {
        uprn: p.uprn.clone(),
        postcode: p.postcode.clone(),
        address_identifier: p.address.clone(),
        region: p.region,
        mpan: Some(p.mpan.clone()),
        mprn: Some(p.mprn.clone()),
    })?;
    let chf = p.chf();
    for (id, t) in p.devices() {
        let mpxn = match t {
            DeviceType::Esme => Some(p.mpan.clone()),
            DeviceType::Gsme | DeviceType::Gpf => Some(p.mprn.clone()),
            _ => None,
        };
        let d: Device = installed_device(id, t, &p.uprn, chf, mpxn, now);
        tx.put_device(&d)?;
    }
    for (mpxn, role, party) in [
        (&p.mpan, RegistrationRole::ImportSupplier, supplier),
        (
            &p.mpan,
            RegistrationRole::ElectricityDistributor,
            distributor,
        ),
        (&p.mprn, RegistrationRole::GasSupplier, supplier),
        (&p.mprn, RegistrationRole::GasTransporter, transporter),
    ] {
        tx.put_registration(&Registration {
            mpxn: mpxn.clone(),
            role,
            party,
            from: since,
            to: None,
        })?;
    }
    Ok(())
}

/// The named demo devices and the first generated premises' devices (a large world's manifest
/// lists these, not a million).
pub fn listed_devices<S: crate::backend::ServedStore>(
    store: &S,
    count: u64,
) -> Result<Vec<Device>, String> {
    if count == 0 {
        return store
            .transaction(|tx| Ok(tx.devices()?))
            .map_err(|e| e.to_string());
    }
    let mut out = store.devices_outside(Eui64::from_u64(GEN_BASE), last_eui(count))?;
    let first: Vec<Eui64> = (0..count.min(12))
        .flat_map(|i| premises(i).devices().map(|(id, _)| id).collect::<Vec<_>>())
        .collect();
    let more = store
        .transaction(|tx| {
            let mut v = Vec::new();
            for id in &first {
                if let Some(d) = tx.device(*id)? {
                    v.push(d);
                }
            }
            Ok(v)
        })
        .map_err(|e| e.to_string())?;
    out.extend(more);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_unique_and_spread() {
        let mut uprns = std::collections::HashSet::new();
        let mut postcodes = std::collections::HashSet::new();
        let mut mpans = std::collections::HashSet::new();
        let mut mprns = std::collections::HashSet::new();
        let mut regions = [0u32; 3];
        for i in 0..300_000 {
            let p = premises(i);
            assert!(uprns.insert(p.uprn.clone()));
            assert!(postcodes.insert(p.postcode.clone()), "{}", p.postcode);
            assert!(mpans.insert(p.mpan.clone()));
            assert!(mprns.insert(p.mprn.clone()));
            assert!(mpan_valid(&p.mpan), "{}", p.mpan);
            assert_eq!(p.uprn.len(), 12);
            assert_eq!(
                dcc::model::region_for_postcode(&p.postcode),
                Some(p.region),
                "{}",
                p.postcode
            );
            regions[match p.region {
                CspRegion::North => 0,
                CspRegion::Central => 1,
                _ => 2,
            }] += 1;
            for (id, t) in p.devices() {
                assert_eq!(locate(id, 300_000), Some((i, t)));
            }
        }
        assert_eq!(regions, [100_000; 3]);
        // Clear of the demo's devices and of the IHD-less slots.
        assert_eq!(locate(Eui64::from_u64(0x00DB_1234_5678_90A0), 10), None);
        assert_eq!(locate(Eui64::from_u64(GEN_BASE + 8 + 4), 10), None);
        assert_eq!(
            locate(Eui64::from_u64(GEN_BASE + 4), 10),
            Some((0, DeviceType::Ppmid))
        );
        assert_eq!(locate(Eui64::from_u64(GEN_BASE + 10 * 8), 10), None);
        assert_eq!(device_count(5), 5 * 4 + 2 * 3);
    }

    #[test]
    fn keys_are_derived_deterministically_per_device_and_usage() {
        let s = [7u8; 32];
        let e = Eui64::from_u64(GEN_BASE);
        let a = derive_key(&s, e, KeyUsage::DigitalSignature).unwrap();
        let b = derive_key(&s, e, KeyUsage::DigitalSignature).unwrap();
        let c = derive_key(&s, e, KeyUsage::KeyAgreement).unwrap();
        let d = derive_key(&[8u8; 32], e, KeyUsage::DigitalSignature).unwrap();
        assert_eq!(a.to_scalar_bytes(), b.to_scalar_bytes());
        assert_ne!(a.to_scalar_bytes(), c.to_scalar_bytes());
        assert_ne!(a.to_scalar_bytes(), d.to_scalar_bytes());
    }

    /// A DCA (of the test service) in a fresh in-memory store, loaded as the generator loads
    /// the live one.
    fn a_dca(now: OffsetDateTime) -> IssuingCa {
        let mut draw = || {
            Ok((
                KeyPair::generate_with_os_rng()?,
                Serial::random_with_os_rng()?,
            ))
        };
        let pki = smki_service::test_service::generate_test_pki(now, &mut draw).unwrap();
        let store = SqliteStore::in_memory().unwrap();
        store
            .transaction_in(|tx| {
                let stx: &mut dyn SmkiTx = tx;
                // Created now: not due for roll-over (which the test service cannot do here).
                let at = now.unix_timestamp() * 1000;
                let rec = smki_service::CaRecord::new(&pki.dca, Environment::Test, at).unwrap();
                stx.put_ca(&rec).map_err(storage)?;
                IssuingCa::load(stx, CaKind::Dca, Environment::Test, now).map_err(storage)
            })
            .unwrap()
    }

    #[test]
    fn issued_certificates_are_the_old_paths_byte_for_byte() {
        let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
        let at = now.unix_timestamp() * 1000;
        let ca = a_dca(now);
        let secret = [0x5Au8; 32];
        for i in 0..24u64 {
            let id = Eui64::from_u64(GEN_BASE + i);
            for usage in [KeyUsage::DigitalSignature, KeyUsage::KeyAgreement] {
                let serial = Serial::random_with_os_rng().unwrap();
                let (eui, u, rec) = issue(&ca, &secret, id, usage, serial, now, at).unwrap();
                assert_eq!((eui, u), (id, usage));
                // The path this replaced: the key pair made by `p256`, the record parsed back
                // from the certificate.
                let key = derive_key(&secret, id, usage).unwrap();
                let req = smki::csr::CertificationRequest {
                    subject: smki::csr::CsrSubject::Device { eui: id },
                    usage,
                    public_key: key.public_key(),
                };
                let der = smki_service::issuance::sign(&ca, &req, serial, now).unwrap();
                assert_eq!(rec.der, der, "{id} {usage:?}");
                let mut old = CertRecord::device(&der, Environment::Live, at).unwrap();
                old.subscriber = Some(crate::world::DCC_EUI);
                old.issuer_ca = Some(ca.record.id);
                assert_eq!(rec, old, "{id} {usage:?}");
                // Issued by the DCA, for the key the vault derives.
                smki::verify_issued_by(&rec.der, &ca.record.cert_der).unwrap();
                assert_eq!(
                    rec.public_key,
                    key.public_key().to_sec1_uncompressed().to_vec()
                );
            }
        }
    }

    #[test]
    fn derived_public_keys_are_the_derived_keys() {
        let s = [9u8; 32];
        for i in 0..50 {
            let e = Eui64::from_u64(GEN_BASE + i);
            for usage in [KeyUsage::DigitalSignature, KeyUsage::KeyAgreement] {
                assert_eq!(
                    derive_public_key(&s, e, usage).unwrap(),
                    derive_key(&s, e, usage).unwrap().public_key()
                );
            }
        }
    }

    #[test]
    fn derived_pkcs8_is_the_derived_keys() {
        let s = [9u8; 32];
        for i in 0..50 {
            let e = Eui64::from_u64(GEN_BASE + i);
            for usage in [KeyUsage::DigitalSignature, KeyUsage::KeyAgreement] {
                assert_eq!(
                    *derive_key_pkcs8(&s, e, usage).unwrap(),
                    *derive_key(&s, e, usage).unwrap().to_pkcs8_der().unwrap()
                );
            }
        }
    }

    #[test]
    fn mpan_check_digit_matches_a_known_mpan() {
        // A published example MPAN core.
        assert!(mpan_valid("1200023305967"));
        assert!(!mpan_valid("1200023305968"));
    }
}
