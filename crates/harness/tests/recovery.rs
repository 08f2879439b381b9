//! Recovery jobs on the WAN queue (`dcc::dispatch::recovery`, driven over the emulated WAN): the device's verified success moves it from
//! Recovery to Recovered; a refusal, a failure, an unverifiable answer or no delivery before the
//! deadline leave it in Recovery; no DUIS response is produced for any of them.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use dcc::dispatch::{Attempt, DispatchConfig, Dispatcher, Driver};
use dcc::gateway::{Clock, ResponseSigner, unix_ms};
use dcc::model::{Device, DeviceStatus, DeviceType};
use dcc::store::{InventoryTx as _, Store, WanJob};
use devices::{DeviceIdentity, DeviceKind, DeviceState, RemotePartyRole, TrustAnchor};
use eui::Eui64;
use gbcs::SigningKey;
use gbcs::credentials::{KEY_USAGE_DS, RecoveryCommand, Replacement, TrustAnchorCell, role};
use smki::{KeyPair, KeyUsage, Pki, PkiNames};
use store::SqliteStore;
use time::{Duration, OffsetDateTime};
use wan::emulated::EmulatedDevices;
use wan::{EmulatedWan, EmulatorTx as _, WanConfig, WanFault};

const RECOVERY: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x00, 0x00, 0x01]);
const SUPPLIER: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0x00, 0x00]);
const ACB: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x00, 0x00, 0x02]);
const ESME: Eui64 = Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA0]);
const CHF: Eui64 = Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA2]);

struct TestClock(Mutex<OffsetDateTime>);

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

fn key() -> KeyPair {
    KeyPair::generate_with_os_rng().unwrap()
}

fn signing(k: &KeyPair) -> SigningKey {
    SigningKey::from_der(&k.to_pkcs8_der().unwrap()).unwrap()
}

fn anchor(eui: Eui64, ds: &KeyPair, ka: &KeyPair) -> TrustAnchor {
    devices_anchor(
        eui,
        &ds.public_key().to_sec1_uncompressed(),
        &ka.public_key().to_sec1_uncompressed(),
    )
}

fn devices_anchor(eui: Eui64, ds: &[u8; 65], ka: &[u8; 65]) -> TrustAnchor {
    TrustAnchor {
        eui,
        ds_public: devices::PublicKeyBytes::from_sec1(ds).unwrap(),
        ka_public: devices::PublicKeyBytes::from_sec1(ka).unwrap(),
    }
}

struct World {
    store: Arc<SqliteStore>,
    clock: Arc<TestClock>,
    wan: Driver<SqliteStore, EmulatedWan>,
    recovery: SigningKey,
    pki: Pki,
}

/// An ESME in Recovery (and its hub), trusting `RECOVERY`; with its DS certificate lodged when
/// `lodge_cert`.
fn world(lodge_cert: bool) -> World {
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let now = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
    let clock = Arc::new(TestClock(Mutex::new(now)));
    let pki = Pki::generate_with_os_rng(now, &PkiNames::default()).unwrap();
    let (rec_ds, rec_ka, sup_ds, sup_ka, acb_ds, acb_ka) =
        (key(), key(), key(), key(), key(), key());
    let (esme_ds, esme_ka, chf_ds, chf_ka) = (key(), key(), key(), key());
    let anchors = devices::TrustAnchors::new()
        .with(
            RemotePartyRole::Recovery,
            anchor(RECOVERY, &rec_ds, &rec_ka),
        )
        .with(
            RemotePartyRole::Supplier,
            anchor(SUPPLIER, &sup_ds, &sup_ka),
        )
        .with(
            RemotePartyRole::AccessControlBroker,
            anchor(ACB, &acb_ds, &acb_ka),
        );
    let esme_cert = pki
        .dca
        .issue_device(&smki::DeviceCertRequest {
            eui: ESME,
            usage: KeyUsage::DigitalSignature,
            public_key: esme_ds.public_key(),
            serial: smki::Serial::random_with_os_rng().unwrap(),
            not_before: now - Duration::days(1),
        })
        .unwrap();
    let installed = gbcs::UtcDateTime::from_unix(now.unix_timestamp()).unwrap();
    let identities = vec![
        DeviceIdentity {
            eui: ESME,
            kind: DeviceKind::Esme,
            ds_private_pkcs8: esme_ds.to_pkcs8_der().unwrap().to_vec(),
            ka_private_pkcs8: esme_ka.to_pkcs8_der().unwrap().to_vec(),
        },
        DeviceIdentity {
            eui: CHF,
            kind: DeviceKind::Chf,
            ds_private_pkcs8: chf_ds.to_pkcs8_der().unwrap().to_vec(),
            ka_private_pkcs8: chf_ka.to_pkcs8_der().unwrap().to_vec(),
        },
    ];
    store
        .transaction_in(|tx| {
            for (id, t, kind, status) in [
                (
                    ESME,
                    DeviceType::Esme,
                    DeviceKind::Esme,
                    DeviceStatus::Recovery,
                ),
                (
                    CHF,
                    DeviceType::Chf,
                    DeviceKind::Chf,
                    DeviceStatus::Commissioned,
                ),
            ] {
                tx.put_device(&Device {
                    id,
                    device_type: t,
                    status,
                    manufacturer: "m".into(),
                    model: "m".into(),
                    firmware_version: None,
                    smets_chts_version: None,
                    esme_variant: None,
                    uprn: None,
                    chf: Some(CHF),
                    mpxn: None,
                    date_commissioned: None,
                })?;
                let state = DeviceState::new(kind, installed, anchors.clone());
                tx.put_device_state(id, &serde_json::to_string(&state).unwrap())?;
            }
            if lodge_cert {
                tx.put_device_cert(ESME, "ds", &esme_cert)?;
            }
            Ok(())
        })
        .unwrap();
    let xml_key = key();
    let is = xmldsig::IssuerSerial::new("CN=TEST,OU=07", "1").unwrap();
    let signer: Arc<dyn ResponseSigner> =
        Arc::new(xmldsig::XmlSigner::from_pkcs8_der(&xml_key.to_pkcs8_der().unwrap(), is).unwrap());
    let wan = Driver::new(
        store.clone(),
        Arc::new(EmulatedWan::new(
            EmulatedDevices::new(identities),
            WanConfig {
                latency_ms: [0, 0, 0],
            },
        )),
        Dispatcher::new(signer, ACB, DispatchConfig::default()),
    );
    World {
        store,
        clock,
        wan,
        recovery: signing(&rec_ds),
        pki,
    }
}

impl World {
    fn replacement(&self, role: smki::RemotePartyRole) -> Vec<u8> {
        let now = self.clock.now();
        self.pki
            .oca
            .issue_organisation(&smki::OrgCertRequest {
                common_name: None,
                eui: SUPPLIER,
                role,
                usage: KeyUsage::DigitalSignature,
                public_key: key().public_key(),
                serial: smki::Serial::random_with_os_rng().unwrap(),
                not_before: now - Duration::days(1),
                not_after: now + Duration::days(30),
            })
            .unwrap()
    }

    fn queue(&self, signer: &SigningKey, cert: Vec<u8>, target_role: u8) -> i64 {
        let counter = 77;
        let command = RecoveryCommand {
            recovery: RECOVERY,
            device: ESME,
            counter,
            replacements: vec![Replacement {
                certificate: cert,
                target: TrustAnchorCell::new(target_role, KEY_USAGE_DS),
            }],
            other_changes: None,
            new_floor: None,
            apply_time_based_cpv_checks: None,
            certification_path: vec![],
        }
        .build(signer)
        .unwrap()
        .encode();
        let now = unix_ms(self.clock.now());
        self.store
            .transaction(|tx| {
                Ok(tx.enqueue_wan(&WanJob {
                    id: 0,
                    originator: RECOVERY,
                    counter,
                    target: ESME,
                    chf: CHF,
                    kind: dcc::store::JobKind::SmkiRecovery,
                    command: command.clone(),
                    attempts: 0,
                    due_at: now,
                    deadline_at: now + 5_000,
                })?)
            })
            .unwrap()
    }

    fn status(&self) -> DeviceStatus {
        self.store
            .transaction(|tx| Ok(tx.device(ESME)?.unwrap().status))
            .unwrap()
    }

    fn supplier_anchor(&self) -> TrustAnchor {
        let json = self
            .store
            .transaction_in(|tx| Ok(tx.device_state(ESME)?.unwrap()))
            .unwrap();
        let state: DeviceState = serde_json::from_str(&json).unwrap();
        state
            .trust_anchors
            .get(RemotePartyRole::Supplier)
            .unwrap()
            .clone()
    }

    /// Nothing pending, and no DUIS response for the Recovery party.
    fn assert_finished_quietly(&self) {
        let (pending, outbox) = self
            .store
            .transaction(|tx| Ok((tx.pending_wan_jobs()?, tx.outbox_for(RECOVERY, 10)?)))
            .unwrap();
        assert_eq!(pending, 0);
        assert!(outbox.is_empty(), "{outbox:?}");
    }
}

#[test]
fn verified_success_makes_the_device_recovered() {
    let w = world(true);
    let cert = w.replacement(smki::RemotePartyRole::Supplier);
    let job = w.queue(&w.recovery, cert.clone(), role::SUPPLIER);
    assert_eq!(
        w.wan.attempt(job, w.clock.now()).unwrap(),
        Attempt::Answered
    );
    assert_eq!(w.status(), DeviceStatus::Recovered);
    assert!(devices::anchor_holds(&w.supplier_anchor(), &cert));
    w.assert_finished_quietly();
}

#[test]
fn refused_failed_or_unverifiable_answers_leave_the_device_in_recovery() {
    // Signed by another key: the device refuses (no response).
    let w = world(true);
    let before = w.supplier_anchor();
    let rogue = signing(&key());
    let job = w.queue(
        &rogue,
        w.replacement(smki::RemotePartyRole::Supplier),
        role::SUPPLIER,
    );
    assert!(matches!(
        w.wan.attempt(job, w.clock.now()).unwrap(),
        Attempt::GaveUp(_)
    ));
    assert_eq!(w.status(), DeviceStatus::Recovery);
    assert_eq!(w.supplier_anchor(), before);
    w.assert_finished_quietly();

    // A replacement the device cannot make (the root cell): it answers failure.
    let w = world(true);
    let job = w.queue(
        &w.recovery,
        w.replacement(smki::RemotePartyRole::Supplier),
        role::ROOT,
    );
    assert_eq!(
        w.wan.attempt(job, w.clock.now()).unwrap(),
        Attempt::Answered
    );
    assert_eq!(w.status(), DeviceStatus::Recovery);
    w.assert_finished_quietly();

    // A success the DCC cannot verify (no device DS certificate lodged).
    let w = world(false);
    let job = w.queue(
        &w.recovery,
        w.replacement(smki::RemotePartyRole::Supplier),
        role::SUPPLIER,
    );
    assert_eq!(
        w.wan.attempt(job, w.clock.now()).unwrap(),
        Attempt::Answered
    );
    assert_eq!(w.status(), DeviceStatus::Recovery);
    w.assert_finished_quietly();
}

#[test]
fn undelivered_by_the_deadline_leaves_the_device_in_recovery() {
    let w = world(true);
    w.store
        .transaction_in(|tx| Ok(tx.set_wan_fault(CHF, Some(WanFault::NoWan))?))
        .unwrap();
    let job = w.queue(
        &w.recovery,
        w.replacement(smki::RemotePartyRole::Supplier),
        role::SUPPLIER,
    );
    assert!(matches!(
        w.wan.attempt(job, w.clock.now()).unwrap(),
        Attempt::Retry { .. }
    ));
    *w.clock.0.lock().unwrap() += Duration::seconds(10);
    assert!(matches!(
        w.wan.attempt(job, w.clock.now()).unwrap(),
        Attempt::GaveUp(_)
    ));
    assert_eq!(w.status(), DeviceStatus::Recovery);
    w.assert_finished_quietly();
}
