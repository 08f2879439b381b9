//! Building blocks for tests that drive the core's dispatcher over the emulated WAN directly,
//! one attempt at a time, without the gateway: keys, trust anchors, device identities and
//! inventory rows, a response signer, the driver, and WAN jobs to queue.

use std::sync::Arc;

use dcc::dispatch::{Dispatcher, Driver};
use dcc::gateway::ResponseSigner;
use dcc::model::{Device, DeviceStatus, DeviceType};
use dcc::store::{JobKind, WanJob};
use devices::{DeviceIdentity, DeviceKind, PublicKeyBytes, TrustAnchor};
use eui::Eui64;
use smki::KeyPair;
use store::SqliteStore;
use wan::emulated::EmulatedDevices;
use wan::{EmulatedWan, WanConfig};

/// How long a queued job may take before its deadline, in milliseconds.
pub const JOB_DEADLINE_MS: i64 = 5_000;

/// A fresh P-256 key pair.
pub fn key() -> KeyPair {
    KeyPair::generate_with_os_rng().expect("generating a key pair")
}

/// A key pair's private key as PKCS #8 DER.
pub fn pkcs8(key: &KeyPair) -> Vec<u8> {
    key.to_pkcs8_der().expect("encoding a private key").to_vec()
}

/// A key pair's public key, SEC1 uncompressed.
pub fn sec1(key: &KeyPair) -> [u8; 65] {
    key.public_key().to_sec1_uncompressed()
}

/// The trust anchor a device holds for `eui`: its signing and key-agreement public keys.
pub fn trust_anchor(eui: Eui64, ds: &KeyPair, ka: &KeyPair) -> TrustAnchor {
    TrustAnchor {
        eui,
        ds_public: PublicKeyBytes::from_sec1(&sec1(ds)).expect("a P-256 public key"),
        ka_public: PublicKeyBytes::from_sec1(&sec1(ka)).expect("a P-256 public key"),
    }
}

/// An emulated device's identity: its EUI, kind and private keys.
pub fn identity(eui: Eui64, kind: DeviceKind, ds: &KeyPair, ka: &KeyPair) -> DeviceIdentity {
    DeviceIdentity {
        eui,
        kind,
        ds_private_pkcs8: pkcs8(ds),
        ka_private_pkcs8: pkcs8(ka),
    }
}

/// The inventory row of a device behind `chf`.
pub fn device(
    id: Eui64,
    device_type: DeviceType,
    status: DeviceStatus,
    chf: Eui64,
    uprn: Option<&str>,
    mpxn: Option<&str>,
) -> Device {
    Device {
        id,
        device_type,
        status,
        manufacturer: "m".into(),
        model: "m".into(),
        firmware_version: None,
        smets_chts_version: None,
        esme_variant: None,
        uprn: uprn.map(Into::into),
        chf: Some(chf),
        mpxn: mpxn.map(Into::into),
        date_commissioned: None,
        gbcs_version: None,
    }
}

/// A DCC response signer with a fresh key (its issuer `CN=TEST,OU=07`, serial 1).
pub fn response_signer() -> Arc<dyn ResponseSigner> {
    let is = xmldsig::IssuerSerial::new("CN=TEST,OU=07", "1").expect("an issuer and serial");
    Arc::new(xmldsig::XmlSigner::from_pkcs8_der(&pkcs8(&key()), is).expect("an XML signer"))
}

/// The dispatcher driving `identities` over an emulated WAN with no latency.
pub fn wan_driver(
    store: Arc<SqliteStore>,
    identities: Vec<DeviceIdentity>,
    dispatcher: Dispatcher,
) -> Driver<SqliteStore, EmulatedWan> {
    Driver::new(
        store,
        Arc::new(EmulatedWan::new(
            EmulatedDevices::new(identities),
            WanConfig {
                latency_ms: [0, 0, 0],
            },
        )),
        dispatcher,
    )
}

/// A job carrying `command` to `target` behind `chf`, due at `now_ms`, with its deadline
/// [`JOB_DEADLINE_MS`] later.
pub fn wan_job(
    originator: Eui64,
    counter: u64,
    target: Eui64,
    chf: Eui64,
    kind: JobKind,
    command: Vec<u8>,
    now_ms: i64,
) -> WanJob {
    WanJob {
        id: 0,
        originator,
        counter,
        target,
        chf,
        kind,
        command,
        attempts: 0,
        due_at: now_ms,
        deadline_at: now_ms + JOB_DEADLINE_MS,
    }
}
