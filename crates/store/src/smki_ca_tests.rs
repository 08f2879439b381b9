//! The DCA roll-over on the real SQLite store: the destroyed key is gone from the database files
//! (SQLite's own; the service's rules on every backend are in `store-tests`, whose world this
//! test uses).

use smki_service::rollover;
use smki_service::{CertKind, CertRecord, CertStatus, Environment, StoreError as SmkiStoreError};
use store_tests::smki_ca::{fresh, smki, world};

use crate::SqliteStore;

const ENV: Environment = Environment::Live;

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn dca_rolls_over_at_100000_certificates_and_its_key_is_gone_from_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.sqlite")).unwrap();
    let w = world(&store);
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
    store.checkpoint_truncate().unwrap();
    let db_path = dir.path().join("t.sqlite");
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
    assert!(store.checkpoint_truncate().unwrap());
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
