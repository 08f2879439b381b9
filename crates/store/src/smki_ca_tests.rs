//! The DCA roll-over on the real SQLite store: the destroyed key is gone from the database files
//! (SQLite's own; the service's rules on every backend are in `store-tests`).

use dcc::model::{OrgCertRecord, User};
use dcc::store::Store;
use duis::UserRole;
use eui::Eui64;
use smki::{CaKind, KeyPair, KeyUsage, OrgCertRequest, Pki, PkiNames, RemotePartyRole, Serial};
use smki_service::rollover::{self, Fresh};
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
        t0,
        _dir: dir,
    }
}

fn smki<T>(w: &World, f: impl FnOnce(&mut dyn SmkiTx) -> Result<T, SmkiStoreError>) -> T {
    w.store.smki_transaction(f).unwrap()
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
