//! The SMKI service's revocation, publication, PMA and roll-over rules (crate `smki-service`)
//! on the real SQLite store: what the gateway's tables show after each step.

use dcc::model::{OrgCertRecord, User};
use dcc::store::Store;
use duis::UserRole;
use eui::Eui64;
use smki::{CaKind, KeyPair, KeyUsage, OrgCertRequest, Pki, PkiNames, RemotePartyRole, Serial};
use smki_service::pma::{self, PmaAction, PmaError};
use smki_service::publication::{self, ListKind};
use smki_service::revocation::{self, Reason, Requester, RevocationError};
use smki_service::rollover::{self, Fresh, RolloverReason};
use smki_service::schedule::{self, ListDue};
use smki_service::{
    CaRecord, CertKind, CertRecord, CertStatus, Environment, SmkiStore, SmkiTx,
    StoreError as SmkiStoreError,
};
use time::macros::datetime;

use crate::SqliteStore;

const ENV: Environment = Environment::Live;
const ALICE: u64 = 0x90B3_D51F_3001_0000;
const BOB: u64 = 0x90B3_D51F_3002_0000;

struct World {
    store: SqliteStore,
    pki: Pki,
    /// Hex serial and decimal serial of Alice's signing certificate.
    alice_cert: (String, String),
    device_serial: String,
    oca_serial: String,
    t0: i64,
    _dir: tempfile::TempDir,
}

fn ms(t: time::OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap()
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.sqlite")).unwrap();
    let now = datetime!(2026-01-10 08:00 UTC);
    let t0 = ms(now);
    let pki = Pki::generate_with_os_rng(now, &PkiNames::default()).unwrap();
    let alice_key = KeyPair::generate_with_os_rng().unwrap();
    let der = pki
        .oca
        .issue_organisation(&OrgCertRequest {
            common_name: Some("ALICE ENERGY".into()),
            eui: Eui64::from_u64(ALICE),
            role: RemotePartyRole::Supplier,
            usage: KeyUsage::DigitalSignature,
            public_key: alice_key.public_key(),
            serial: Serial::random_with_os_rng().unwrap(),
            not_before: now,
            not_after: now + time::Duration::days(365),
        })
        .unwrap();
    let dev = pki
        .dca
        .issue_device(&smki::DeviceCertRequest {
            eui: Eui64::from_u64(0x00DB_1234_5678_90A0),
            usage: KeyUsage::DigitalSignature,
            public_key: KeyPair::generate_with_os_rng().unwrap().public_key(),
            serial: Serial::random_with_os_rng().unwrap(),
            not_before: now,
        })
        .unwrap();
    let org = smki::OrgCertificate::from_der(&der).unwrap();
    store
        .transaction(|tx| {
            for (eui, name) in [(ALICE, "alice"), (BOB, "bob")] {
                tx.put_user(&User {
                    eui: Eui64::from_u64(eui),
                    name: name.into(),
                    roles: vec![UserRole::ImportSupplier],
                    response_url: None,
                    suspended: false,
                })?;
            }
            tx.put_org_cert(&OrgCertRecord {
                serial: org.serial_decimal().to_string(),
                issuer: org.issuer().to_string(),
                subject_eui: org.eui(),
                role: org.role().code(),
                public_key: org.public_key_sec1().to_vec(),
                der: der.clone(),
                revoked: false,
            })?;
            Ok(())
        })
        .unwrap();
    let alice = CertRecord::organisation(&der, ENV, t0).unwrap();
    let device = CertRecord::device(&dev, ENV, t0).unwrap();
    let oca_cert = CertRecord::authority(pki.oca.cert_der(), CertKind::Authority, ENV, t0).unwrap();
    store
        .smki_transaction(|tx| -> Result<(), SmkiStoreError> {
            for ca in [&pki.org_root, &pki.oca, &pki.device_root, &pki.dca] {
                tx.put_ca(&CaRecord::new(ca, ENV, t0).unwrap())?;
                if ca.kind() != CaKind::Oca {
                    tx.put_certificate(
                        &CertRecord::authority(ca.cert_der(), CertKind::Authority, ENV, t0)
                            .unwrap(),
                    )?;
                }
            }
            tx.put_certificate(&oca_cert)?;
            tx.put_certificate(&alice)?;
            tx.put_certificate(&device)?;
            Ok(())
        })
        .unwrap();
    World {
        store,
        pki,
        alice_cert: (alice.serial, alice.serial_decimal),
        device_serial: device.serial,
        oca_serial: oca_cert.serial,
        t0,
        _dir: dir,
    }
}

fn gateway_revoked(w: &World) -> bool {
    let serial = w.alice_cert.1.clone();
    w.store
        .transaction(|tx| Ok(tx.org_cert(&serial)?))
        .unwrap()
        .unwrap()
        .revoked
}

fn smki<T>(w: &World, f: impl FnOnce(&mut dyn SmkiTx) -> Result<T, SmkiStoreError>) -> T {
    w.store.smki_transaction(f).unwrap()
}

/// Runs `f` (a service rule with its own error type) in one SMKI transaction that must succeed.
fn committed<T, E: From<SmkiStoreError> + std::fmt::Debug>(
    w: &World,
    f: impl FnOnce(&mut dyn SmkiTx) -> Result<T, E>,
) -> T {
    w.store.smki_transaction(f).unwrap()
}

#[test]
fn revocation_takes_effect_at_the_gateway_when_the_crl_is_published() {
    let w = world();
    let t = w.t0 + 60_000;
    let serial = w.alice_cert.0.clone();
    // First CRL (nothing revoked yet).
    let first = committed(&w, |tx| {
        publication::publish(tx, ListKind::Crl, ENV, t, "DCC")
    });
    assert_eq!(first.list.number, 1);
    assert!(first.listed.is_empty());
    let r = w
        .store
        .smki_transaction(|tx| schedule::list_due_now(tx, ListKind::Crl, ENV, t + 1000));
    assert_eq!(r, Ok(None));

    // Refusals, each naming its rule and changing nothing.
    let try_revoke = |serial: &str, by: Requester| {
        w.store.smki_transaction(|tx| {
            revocation::revoke(tx, serial, Reason::KeyCompromise, by, t + 1000)
        })
    };
    let bob = Requester::Subscriber(Eui64::from_u64(BOB));
    let alice = Requester::Subscriber(Eui64::from_u64(ALICE));
    assert!(matches!(
        try_revoke(&serial, bob),
        Err(RevocationError::NotEntitled { .. })
    ));
    let e = try_revoke(&w.device_serial, Requester::Pma).unwrap_err();
    assert!(matches!(e, RevocationError::DeviceCertificate(_)));
    assert!(
        e.to_string()
            .contains("device certificates are never revoked")
    );
    assert!(matches!(
        try_revoke("ABCDEF", Requester::Pma),
        Err(RevocationError::NoSuchCertificate(_))
    ));
    assert!(matches!(
        try_revoke("xyz", Requester::Pma),
        Err(RevocationError::BadSerial(_))
    ));
    assert!(matches!(
        try_revoke(&w.oca_serial, alice),
        Err(RevocationError::CaNeedsPma(_))
    ));
    assert!(
        smki(&w, |tx| tx.audit_log()).len() == 1,
        "refusals are not recorded as actions"
    );

    // The subscriber revokes its own certificate (serial in lower case, leading zero).
    let c = try_revoke(&format!("0{}", serial.to_lowercase()), alice).unwrap();
    assert_eq!(c.status, CertStatus::Revoked);
    assert!(matches!(
        try_revoke(&serial, Requester::Pma),
        Err(RevocationError::AlreadyRevoked(_))
    ));
    // Not yet on a published CRL: the gateway still accepts it; the CRL is due at once.
    assert!(!gateway_revoked(&w));
    let due = committed(&w, |tx| {
        schedule::list_due_now(tx, ListKind::Crl, ENV, t + 2000)
    });
    assert_eq!(
        due,
        Some(ListDue::Revocations {
            serials: vec![serial.clone()],
            deadline: t + 1000 + schedule::REVOCATION_PUBLISH_WITHIN_MS
        })
    );

    let p = committed(&w, |tx| {
        publication::publish(tx, ListKind::Crl, ENV, t + 2000, "DCC")
    });
    assert_eq!(p.list.number, 2);
    assert_eq!(p.listed, vec![serial.clone()]);
    assert_eq!(p.newly_refused, vec![w.alice_cert.1.clone()]);
    assert!(gateway_revoked(&w));
    let parsed = smki::ParsedCrl::parse(&p.list.der).unwrap();
    parsed.verify_signed_by(w.pki.oca.cert_der()).unwrap();
    assert_eq!(
        parsed.revoked[0].reason,
        Some(smki::ReasonCode::KeyCompromise)
    );
    assert_eq!(parsed.number, Some(2));
    let due = committed(&w, |tx| {
        schedule::list_due_now(tx, ListKind::Crl, ENV, t + 3000)
    });
    assert_eq!(due, None);
    // 12 hours later it is due again though nothing changed, and still lists the certificate.
    let later = p.list.this_update + schedule::CRL_PERIOD_MS;
    let due = committed(&w, |tx| {
        schedule::list_due_now(tx, ListKind::Crl, ENV, later)
    });
    assert_eq!(due, Some(ListDue::Periodic));
    let p3 = committed(&w, |tx| {
        publication::publish(tx, ListKind::Crl, ENV, later, "DCC")
    });
    assert_eq!(p3.listed, vec![serial.clone()]);
    assert!(p3.newly_refused.is_empty());

    let log = smki(&w, |tx| tx.audit_log());
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["publish-crl", "revoke", "publish-crl", "publish-crl"]
    );
    assert_eq!(log[1].actor, Eui64::from_u64(ALICE).to_string());
    assert_eq!(log[1].reason.as_deref(), Some("key-compromise"));
}

#[test]
fn pma_suspends_and_force_revokes_and_every_action_is_recorded() {
    let w = world();
    let t = w.t0 + 1000;
    let alice = Eui64::from_u64(ALICE);
    let act = |a: PmaAction| w.store.smki_transaction(|tx| pma::perform(tx, &a, t));
    let suspended = || {
        w.store
            .transaction(|tx| Ok(tx.user(alice)?))
            .unwrap()
            .unwrap()
            .suspended
    };
    act(PmaAction::Suspend { participant: alice }).unwrap();
    assert!(suspended());
    assert_eq!(
        act(PmaAction::Suspend { participant: alice }),
        Err(PmaError::AlreadySuspended(alice))
    );
    let nobody = Eui64::from_u64(0x1234);
    assert_eq!(
        act(PmaAction::Suspend {
            participant: nobody
        }),
        Err(PmaError::UnknownParticipant(nobody))
    );
    act(PmaAction::Unsuspend { participant: alice }).unwrap();
    assert!(!suspended());
    assert_eq!(
        act(PmaAction::Unsuspend { participant: alice }),
        Err(PmaError::NotSuspended(alice))
    );
    // The PMA may revoke any organisation certificate, and the OCA's (listed on the ARL).
    act(PmaAction::ForceRevoke {
        serial: w.alice_cert.0.clone(),
        reason: Reason::UnreliableModule,
    })
    .unwrap();
    act(PmaAction::ForceRevoke {
        serial: w.oca_serial.clone(),
        reason: Reason::KeyCompromise,
    })
    .unwrap();
    let arl_due = committed(&w, |tx| schedule::list_due_now(tx, ListKind::Arl, ENV, t));
    assert_eq!(arl_due, Some(ListDue::First));
    let arl = committed(&w, |tx| {
        publication::publish(tx, ListKind::Arl, ENV, t, "PMA")
    });
    assert_eq!(arl.listed, vec![w.oca_serial.clone()]);
    let parsed = smki::ParsedCrl::parse(&arl.list.der).unwrap();
    parsed.verify_signed_by(w.pki.org_root.cert_der()).unwrap();
    assert_eq!(
        parsed.revoked[0].reason,
        Some(smki::ReasonCode::CaCompromise)
    );
    // Every organisation certificate the revoked OCA issued is refused by the gateway from now.
    assert_eq!(arl.newly_refused, vec![w.alice_cert.1.clone()]);
    assert!(gateway_revoked(&w));

    let log = smki(&w, |tx| tx.audit_log());
    let lines: Vec<(String, String, String)> = log
        .iter()
        .map(|e| (e.actor.clone(), e.action.clone(), e.target.clone()))
        .collect();
    assert_eq!(
        lines,
        [
            ("PMA".into(), "suspend".into(), alice.to_string()),
            ("PMA".into(), "unsuspend".into(), alice.to_string()),
            ("PMA".into(), "force-revoke".into(), w.alice_cert.0.clone()),
            ("PMA".into(), "force-revoke".into(), w.oca_serial.clone()),
            ("PMA".into(), "publish-arl".into(), "ARL #1".into()),
        ]
    );
    assert_eq!(log[2].reason.as_deref(), Some("unreliable-module"));
}

fn fresh() -> Result<Fresh, smki::SmkiError> {
    Ok(Fresh {
        key: KeyPair::generate_with_os_rng()?,
        serial: Serial::random_with_os_rng()?,
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn dca_rolls_over_at_100000_certificates_and_its_key_is_gone_from_the_files() {
    let w = world();
    let old_key = w.pki.dca.key().to_pkcs8_der().unwrap().to_vec();
    let scalar = w.pki.dca.key().to_scalar_bytes();
    let t = w.t0 + 5_000;
    let dca = smki(&w, |tx| {
        Ok(rollover::current_dca_for_issue(tx, ENV, t, || panic!("not due")).unwrap())
    });
    let after = smki(&w, |tx| Ok(rollover::record_issue(tx, dca.id).unwrap()));
    assert_eq!(after.issued_count, 1);
    // 99,999 issued: still not due.
    let mut at_limit = after.clone();
    at_limit.issued_count = rollover::MAX_ISSUED - 1;
    smki(&w, |tx| tx.update_ca(&at_limit));
    let same = smki(&w, |tx| {
        Ok(rollover::current_dca_for_issue(tx, ENV, t, || panic!("not due")).unwrap())
    });
    assert_eq!(same.id, dca.id);
    // The 100,000th certificate: the next issue rolls over first.
    smki(&w, |tx| Ok(rollover::record_issue(tx, dca.id).unwrap()));
    w.store.checkpoint_truncate().unwrap();
    let db_path = w._dir.path().join("t.sqlite");
    let before = std::fs::read(&db_path).unwrap();
    assert!(
        contains(&before, &old_key),
        "the test must be able to see the key before"
    );
    let new = smki(&w, |tx| {
        Ok(rollover::current_dca_for_issue(tx, ENV, t + 1, fresh).unwrap())
    });
    assert_ne!(new.id, dca.id);
    assert_eq!(new.issued_count, 0);
    assert!(new.is_current());
    smki::verify_issued_by(&new.cert_der, w.pki.device_root.cert_der()).unwrap();
    let old = smki(&w, |tx| tx.ca(dca.id)).unwrap();
    assert_eq!(old.key_pkcs8, None);
    assert_eq!(old.retired_at, Some(t + 1));
    assert_eq!(old.destroyed_at, Some(t + 1));
    let record = old.destruction_record.clone().unwrap();
    assert!(record.contains("100000 certificates issued"), "{record}");
    assert!(record.contains("public key SHA-256"), "{record}");
    assert_eq!(
        smki(&w, |tx| rollover::current_dca(tx, ENV)
            .map_err(|e| SmkiStoreError(e.to_string())))
        .unwrap()
        .id,
        new.id
    );
    let old_cert = CertRecord::authority(&old.cert_der, CertKind::Authority, ENV, 0).unwrap();
    assert_eq!(
        smki(&w, |tx| tx.certificate(&old_cert.serial))
            .unwrap()
            .status,
        CertStatus::NotInUse
    );
    let log = smki(&w, |tx| tx.audit_log());
    assert_eq!(log.last().unwrap().action, "rollover");
    assert_eq!(log.last().unwrap().actor, "DCC");

    // Destroyed: neither the PKCS#8 nor the bare scalar is anywhere in the database files.
    assert!(w.store.checkpoint_truncate().unwrap());
    let mut files = vec![db_path.clone()];
    for ext in ["-wal", "-shm", "-journal"] {
        let p = db_path.with_file_name(format!("t.sqlite{ext}"));
        if p.exists() {
            files.push(p);
        }
    }
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        assert!(
            !contains(&bytes, &old_key),
            "old DCA key still in {}",
            f.display()
        );
        assert!(
            !contains(&bytes, scalar.as_slice()),
            "old DCA scalar still in {}",
            f.display()
        );
    }
}

#[test]
fn dca_rolls_over_after_three_months_without_subscriber_action() {
    let w = world();
    let limit = schedule::add_months(w.t0, 3).unwrap();
    let due = committed(&w, |tx| schedule::due(tx, ENV, limit - 1));
    assert!(due.rollover.is_none());
    let due = committed(&w, |tx| schedule::due(tx, ENV, limit));
    let (ca, reason) = due.rollover.unwrap();
    assert_eq!(reason, RolloverReason::Age);
    let r = smki(&w, |tx| {
        Ok(rollover::roll_over(tx, ENV, limit, reason, fresh().unwrap()).unwrap())
    });
    assert_eq!(r.old.id, ca.id);
    assert!(
        r.old
            .destruction_record
            .unwrap()
            .contains("3 months of operation")
    );
    // The new DCA issues device certificates that chain to the device root.
    let key = KeyPair::from_pkcs8_der(r.new.key_pkcs8.as_deref().unwrap()).unwrap();
    let dca = smki::Ca::from_parts(CaKind::Dca, key, r.new.cert_der.clone()).unwrap();
    let dev = dca
        .issue_device(&smki::DeviceCertRequest {
            eui: Eui64::from_u64(0x00DB_1234_5678_90A1),
            usage: KeyUsage::KeyAgreement,
            public_key: KeyPair::generate_with_os_rng().unwrap().public_key(),
            serial: Serial::random_with_os_rng().unwrap(),
            not_before: time::OffsetDateTime::from_unix_timestamp(limit / 1000).unwrap(),
        })
        .unwrap();
    smki::verify_issued_by(&dev, &r.new.cert_der).unwrap();
    // Not due again straight away; with no current DCA left, roll-over is refused.
    let due = committed(&w, |tx| schedule::due(tx, ENV, limit + 1));
    assert!(due.rollover.is_none());
}
