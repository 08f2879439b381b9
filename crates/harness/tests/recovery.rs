//! Recovery jobs on the WAN queue (`dcc::dispatch::recovery`, driven over the emulated WAN): the device's verified success moves it from
//! Recovery to Recovered; a refusal, a failure, an unverifiable answer or no delivery before the
//! deadline leave it in Recovery; no DUIS response is produced for any of them.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use dcc::dispatch::{Attempt, DispatchConfig, Dispatcher, Driver};
use dcc::gateway::{Clock, unix_ms};
use dcc::model::{DeviceStatus, DeviceType};
use dcc::store::{InventoryTx as _, Store};
use devices::{DeviceKind, DeviceState, RemotePartyRole, TrustAnchor};
use eui::Eui64;
use gbcs::SigningKey;
use gbcs::credentials::{KEY_USAGE_DS, RecoveryCommand, Replacement, TrustAnchorCell, role};
use harness::SimClock;
use harness::parts::{device, identity, key, response_signer, trust_anchor, wan_driver, wan_job};
use smki::{KeyPair, KeyUsage, Pki, PkiNames};
use store::SqliteStore;
use time::{Duration, OffsetDateTime};
use wan::{EmulatedWan, EmulatorTx as _, WanFault};

const RECOVERY: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x00, 0x00, 0x01]);
const SUPPLIER: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0x00, 0x00]);
const ACB: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x00, 0x00, 0x02]);
const ESME: Eui64 = Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA0]);
const CHF: Eui64 = Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA2]);

fn signing(k: &KeyPair) -> SigningKey {
    SigningKey::from_der(&k.to_pkcs8_der().unwrap()).unwrap()
}

struct World {
    store: Arc<SqliteStore>,
    clock: SimClock,
    wan: Driver<SqliteStore, EmulatedWan>,
    recovery: SigningKey,
    pki: Pki,
}

/// An ESME in Recovery (and its hub), trusting `RECOVERY`; with its DS certificate lodged when
/// `lodge_cert`.
fn world(lodge_cert: bool) -> World {
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let now = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
    let clock = SimClock::starting_at(now);
    let pki = Pki::generate_with_os_rng(now, &PkiNames::default()).unwrap();
    let (rec_ds, rec_ka, sup_ds, sup_ka, acb_ds, acb_ka) =
        (key(), key(), key(), key(), key(), key());
    let (esme_ds, esme_ka, chf_ds, chf_ka) = (key(), key(), key(), key());
    let anchors = devices::TrustAnchors::new()
        .with(
            RemotePartyRole::Recovery,
            trust_anchor(RECOVERY, &rec_ds, &rec_ka),
        )
        .with(
            RemotePartyRole::Supplier,
            trust_anchor(SUPPLIER, &sup_ds, &sup_ka),
        )
        .with(
            RemotePartyRole::AccessControlBroker,
            trust_anchor(ACB, &acb_ds, &acb_ka),
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
        identity(ESME, DeviceKind::Esme, &esme_ds, &esme_ka),
        identity(CHF, DeviceKind::Chf, &chf_ds, &chf_ka),
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
                tx.put_device(&device(id, t, status, CHF, None, None))?;
                let state = DeviceState::new(kind, installed, anchors.clone());
                wan::emulated::put_state(tx, id, &state)?;
            }
            if lodge_cert {
                tx.put_device_cert(ESME, "ds", &esme_cert)?;
            }
            Ok(())
        })
        .unwrap();
    let wan = wan_driver(
        store.clone(),
        identities,
        Dispatcher::new(response_signer(), ACB, DispatchConfig::default()),
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
                Ok(tx.enqueue_wan(&wan_job(
                    RECOVERY,
                    counter,
                    ESME,
                    CHF,
                    dcc::store::JobKind::SmkiRecovery,
                    command.clone(),
                    now,
                ))?)
            })
            .unwrap()
    }

    fn status(&self) -> DeviceStatus {
        self.store
            .transaction(|tx| Ok(tx.device(ESME)?.unwrap().status))
            .unwrap()
    }

    fn supplier_anchor(&self) -> TrustAnchor {
        let state: DeviceState = self
            .store
            .transaction_in(|tx| wan::emulated::stored_state(tx, ESME))
            .unwrap()
            .unwrap();
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
    w.clock.advance(std::time::Duration::from_secs(10));
    assert!(matches!(
        w.wan.attempt(job, w.clock.now()).unwrap(),
        Attempt::GaveUp(_)
    ));
    assert_eq!(w.status(), DeviceStatus::Recovery);
    w.assert_finished_quietly();
}
