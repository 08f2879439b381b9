//! The SMKI service's revocation, publication, PMA and roll-over rules (crate `smki-service`)
//! on a real store (each backend): what the gateway's tables show after each step.

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

const ENV: Environment = Environment::Live;
const ALICE: u64 = 0x90B3_D51F_3001_0000;
const BOB: u64 = 0x90B3_D51F_3002_0000;

/// Alice and Bob's SMKI world on a store: the PKI, Alice's organisation certificate and a
/// device certificate lodged, the gateway's copies recorded.
pub struct World<'s, S> {
    pub store: &'s S,
    pub pki: Pki,
    /// Hex serial and decimal serial of Alice's signing certificate.
    alice_cert: (String, String),
    device_serial: String,
    oca_serial: String,
    /// The world's birth (unix ms).
    pub t0: i64,
}

fn ms(t: time::OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap()
}

pub fn world<S: Store + SmkiStore>(store: &S) -> World<'_, S> {
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
    }
}

fn gateway_revoked<S: Store + SmkiStore>(w: &World<'_, S>) -> bool {
    let serial = w.alice_cert.1.clone();
    w.store
        .transaction(|tx| Ok(tx.org_cert(&serial)?))
        .unwrap()
        .unwrap()
        .revoked
}

/// Runs `f` in one SMKI transaction that must succeed.
pub fn smki<S: SmkiStore, T>(
    w: &World<'_, S>,
    f: impl FnOnce(&mut dyn SmkiTx) -> Result<T, SmkiStoreError>,
) -> T {
    w.store.smki_transaction(f).unwrap()
}

/// Runs `f` (a service rule with its own error type) in one SMKI transaction that must succeed.
fn committed<S: SmkiStore, T, E: From<SmkiStoreError> + std::fmt::Debug>(
    w: &World<'_, S>,
    f: impl FnOnce(&mut dyn SmkiTx) -> Result<T, E>,
) -> T {
    w.store.smki_transaction(f).unwrap()
}

/// A fresh key and serial for a roll-over.
pub fn fresh() -> Result<Fresh, smki::SmkiError> {
    Ok(Fresh {
        key: KeyPair::generate_with_os_rng()?,
        serial: Serial::random_with_os_rng()?,
    })
}

pub fn revocation_takes_effect_at_the_gateway_when_the_crl_is_published<S: Store + SmkiStore>(
    s: &S,
) {
    let w = world(s);
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

pub fn pma_suspends_and_force_revokes_and_every_action_is_recorded<S: Store + SmkiStore>(s: &S) {
    let w = world(s);
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

pub fn dca_rolls_over_after_three_months_without_subscriber_action<S: Store + SmkiStore>(s: &S) {
    let w = world(s);
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
