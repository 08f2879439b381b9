//! The SMKI service's issuance on a real store (each backend): entry step, single issuance (org
//! and device, with eligibility refusals), environments kept apart, batches with per-CSR results,
//! forecasts and the demand report, the DCA's roll-over at its certificate limit.

use dcc::model::{
    CspRegion, Device, DeviceStatus, DeviceType, Premises, Registration, RegistrationRole, User,
};
use dcc::store::{Store, Tx};
use duis::UserRole;
use eui::Eui64;
use smki::csr::{build_device_csr, build_organisation_csr};
use smki::{KeyPair, KeyUsage, PkiNames, RemotePartyRole, Serial};
use smki_service::batch::{self, ItemOutcome};
use smki_service::forecasts::{self, YearMonth};
use smki_service::issuance::{self, IssueError};
use smki_service::subscribers::{self, Application, EntryError, PartyKind};
use smki_service::{CaRecord, CertKind, Environment, SmkiStore, SmkiTx, StoreError};
use time::macros::datetime;
use time::{Date, OffsetDateTime};

/// The gas supplier of [`issuance_world`] (an Authorised Subscriber).
pub const GAS: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0, 0]);
const OTHER: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x06, 0, 0]);
const STRANGER: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x09, 0, 0]);
const DCC: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x00, 0, 2]);
/// The commissioned gas meter of [`issuance_world`], registered to [`GAS`].
pub const GSME: Eui64 = Eui64([0, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA1]);
const CHF: Eui64 = Eui64([0, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA2]);

/// The time [`issuance_world`] is made at.
pub fn issuance_now() -> OffsetDateTime {
    now()
}

fn now() -> OffsetDateTime {
    datetime!(2026-12-04 12:00 UTC)
}

fn ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap()
}

fn device(id: Eui64, t: DeviceType, status: DeviceStatus, mpxn: Option<&str>) -> Device {
    Device {
        id,
        device_type: t,
        status,
        manufacturer: "ACME".into(),
        model: "M1".into(),
        firmware_version: None,
        smets_chts_version: None,
        esme_variant: None,
        uprn: Some("1".into()),
        chf: Some(CHF),
        mpxn: mpxn.map(str::to_owned),
        date_commissioned: None,
        gbcs_version: None,
    }
}

/// A live CA record holding `ca`'s certificate and key, in operation since `created_at`.
fn live_ca(ca: &smki::Ca, created_at: i64) -> CaRecord {
    CaRecord::new(ca, Environment::Live, created_at).unwrap()
}

/// Users, premises, devices, the live OCA and DCA and three Authorised Subscribers in `s` (what
/// the issuance cases start from), for tests of a backend of its own.
pub fn issuance_world<S: Store + SmkiStore>(s: &S) -> smki::Pki {
    world(s)
}

/// Users, premises, devices, the live OCA and DCA and three Authorised Subscribers in `s`.
fn world<S: Store + SmkiStore>(s: &S) -> smki::Pki {
    let pki = smki::Pki::generate_with_os_rng(now(), &PkiNames::default()).unwrap();
    s.transaction(|tx: &mut dyn Tx| {
        for (eui, name, roles) in [
            (GAS, "gas", vec![UserRole::GasSupplier]),
            (OTHER, "other", vec![UserRole::OtherUser]),
        ] {
            tx.put_user(&User {
                eui,
                name: name.into(),
                roles,
                response_url: None,
                suspended: false,
            })?;
        }
        tx.put_premises(&Premises {
            uprn: "1".into(),
            postcode: "M22 0RR".into(),
            address_identifier: "1".into(),
            region: CspRegion::Central,
            mpan: Some("1900000000018".into()),
            mprn: Some("1234567".into()),
        })?;
        tx.put_registration(&Registration {
            mpxn: "1234567".into(),
            role: RegistrationRole::GasSupplier,
            party: GAS,
            from: Date::from_calendar_date(2020, time::Month::January, 1).unwrap(),
            to: None,
        })?;
        tx.put_device(&device(
            GSME,
            DeviceType::Gsme,
            DeviceStatus::Commissioned,
            Some("1234567"),
        ))?;
        tx.put_device(&device(
            CHF,
            DeviceType::Chf,
            DeviceStatus::Commissioned,
            None,
        ))?;
        Ok(())
    })
    .unwrap();
    s.smki_transaction(|tx: &mut dyn SmkiTx| -> Result<(), StoreError> {
        for ca in [&pki.oca, &pki.dca] {
            // In operation since "now": not due for roll-over.
            tx.put_ca(&live_ca(ca, ms(now())))?;
        }
        Ok(())
    })
    .unwrap();
    for (eui, kind) in [
        (GAS, PartyKind::SecParty),
        (OTHER, PartyKind::SecParty),
        (DCC, PartyKind::Dcc),
    ] {
        admit(s, eui, kind).unwrap();
    }
    pki
}

fn admit<S: SmkiStore>(
    s: &S,
    eui: Eui64,
    kind: PartyKind,
) -> Result<subscribers::Subscriber, EntryError> {
    s.smki_transaction(|tx| {
        subscribers::admit(
            tx,
            &Application {
                eui,
                kind,
                name: format!("party {eui}"),
                operator: "ra-operator".into(),
                evidence: "RA case 42".into(),
            },
            ms(now()),
        )
    })
}

fn issue<S: SmkiStore>(
    s: &S,
    env: Environment,
    who: Eui64,
    csr: &[u8],
) -> Result<issuance::Issued, IssueError> {
    issue_at(s, env, who, csr, now())
}

fn issue_at<S: SmkiStore>(
    s: &S,
    env: Environment,
    who: Eui64,
    csr: &[u8],
    at: OffsetDateTime,
) -> Result<issuance::Issued, IssueError> {
    s.smki_transaction(|tx| {
        issuance::issue(tx, env, who, csr, Serial::random_with_os_rng().unwrap(), at)
    })
}

/// The gas supplier's digital-signing organisation CSR on `k`.
fn gas_org_csr(k: &KeyPair, common_name: Option<&str>) -> Vec<u8> {
    build_organisation_csr(
        k,
        common_name,
        GAS,
        RemotePartyRole::Supplier,
        KeyUsage::DigitalSignature,
    )
    .unwrap()
}

pub fn entry_step_records_and_refuses_duplicates<S: Store + SmkiStore>(s: &S) {
    world(s);
    let list = s.smki_transaction(|tx| tx.subscribers()).unwrap();
    assert_eq!(list.len(), 3);
    let g = list.iter().find(|x| x.eui == GAS).unwrap();
    assert_eq!(g.admitted_by, "ra-operator");
    assert_eq!(g.admitted_at, ms(now()));
    assert!(matches!(
        admit(s, GAS, PartyKind::SecParty),
        Err(EntryError::AlreadyAdmitted(_))
    ));
    assert!(matches!(
        admit(s, STRANGER, PartyKind::Dcc),
        Err(EntryError::SecondDcc(_))
    ));
    assert_eq!(
        s.smki_transaction(|tx| tx.subscribers()).unwrap().len(),
        3,
        "nothing stored on refusal"
    );
}

pub fn single_issuance_org_and_device<S: Store + SmkiStore>(s: &S) {
    let pki = world(s);
    let k = KeyPair::generate_with_os_rng().unwrap();
    let csr = gas_org_csr(&k, Some("GAS CO"));
    let t0 = std::time::Instant::now();
    let got = issue(s, Environment::Live, GAS, &csr).unwrap();
    assert!(
        t0.elapsed().as_secs() < 30,
        "single requests within the 30-second target"
    );
    smki::verify_issued_by(&got.record.der, pki.oca.cert_der()).unwrap();
    let cert = smki::OrgCertificate::from_der(&got.record.der).unwrap();
    assert_eq!(cert.eui(), GAS);
    assert_eq!(cert.public_key(), &k.public_key());
    assert!(got.record.der.len() <= smki::csr::limits::ORG_CERT_DER_MAX);
    let stored = s
        .smki_transaction(|tx| tx.certificate(&got.record.serial))
        .unwrap()
        .unwrap();
    assert_eq!(stored.subscriber, Some(GAS));
    assert_eq!(stored.kind, CertKind::Organisation);
    let oca = s
        .smki_transaction(|tx| tx.ca(stored.issuer_ca.unwrap()))
        .unwrap()
        .unwrap();
    assert_eq!(oca.issued_count, 1);

    // The gas supplier may have its commissioned GSME's certificate; another party may not.
    let dk = KeyPair::generate_with_os_rng().unwrap();
    let dcsr = build_device_csr(&dk, GSME, KeyUsage::KeyAgreement).unwrap();
    let d = issue(s, Environment::Live, GAS, &dcsr).unwrap();
    smki::verify_issued_by(&d.record.der, pki.dca.cert_der()).unwrap();
    assert_eq!(
        smki::DeviceCertificate::from_der(&d.record.der)
            .unwrap()
            .eui(),
        GSME
    );
    let e = issue(s, Environment::Live, OTHER, &dcsr).unwrap_err();
    assert!(e.to_string().contains("device-gas-supplier"), "{e}");
    // Hubs: the DCC only.
    let hub = build_device_csr(&dk, CHF, KeyUsage::DigitalSignature).unwrap();
    assert!(
        issue(s, Environment::Live, GAS, &hub)
            .unwrap_err()
            .to_string()
            .contains("device-hub")
    );
    issue(s, Environment::Live, DCC, &hub).unwrap();
    // Someone else's organisation EUI.
    let e = issue(s, Environment::Live, OTHER, &csr).unwrap_err();
    assert!(e.to_string().contains("organisation-own-id"), "{e}");
}

pub fn refusals_store_nothing<S: Store + SmkiStore>(s: &S) {
    world(s);
    let k = KeyPair::generate_with_os_rng().unwrap();
    let csr = build_organisation_csr(
        &k,
        None,
        STRANGER,
        RemotePartyRole::OtherUser,
        KeyUsage::DigitalSignature,
    )
    .unwrap();
    let e = issue(s, Environment::Live, STRANGER, &csr).unwrap_err();
    assert!(e.to_string().contains("authorised-subscriber"), "{e}");
    assert!(e.is_requesters_fault());
    let e = issue(s, Environment::Live, GAS, b"garbage").unwrap_err();
    assert!(e.to_string().starts_with("rule csr"), "{e}");
    let n = s
        .smki_transaction(|tx| tx.certificates_by_subject(STRANGER))
        .unwrap();
    assert!(n.is_empty());
}

pub fn test_service_never_issues_with_live_cas<S: Store + SmkiStore>(s: &S) {
    world(s);
    let k = KeyPair::generate_with_os_rng().unwrap();
    let csr = gas_org_csr(&k, None);
    let e = issue(s, Environment::Test, GAS, &csr).unwrap_err();
    assert!(
        matches!(
            e,
            IssueError::NoIssuingCa {
                environment: Environment::Test,
                ..
            }
        ),
        "{e}"
    );
}

pub fn batch_with_per_csr_results<S: Store + SmkiStore>(s: &S) {
    let pki = world(s);
    let k = KeyPair::generate_with_os_rng().unwrap();
    let mut csrs = Vec::new();
    for i in 0..30 {
        let csr = match i % 3 {
            0 => build_device_csr(&k, GSME, KeyUsage::DigitalSignature).unwrap(),
            1 => build_device_csr(&k, CHF, KeyUsage::DigitalSignature).unwrap(), // refused: hub
            _ => b"not a csr".to_vec(),
        };
        csrs.push(csr);
    }
    let b = s
        .smki_transaction(|tx| batch::submit(tx, Environment::Live, GAS, &csrs, ms(now())))
        .unwrap();
    assert_eq!((b.total, b.done), (30, 0));
    let mut serial = || Serial::random_with_os_rng();
    let mut last = None;
    for _ in 0..10 {
        let p = s
            .smki_transaction(|tx| batch::process_chunk(tx, b.id, 7, 2, &mut serial, now()))
            .unwrap()
            .unwrap();
        assert!(p.done <= p.total);
        if p.finished() {
            last = Some(p);
            break;
        }
    }
    let p = last.unwrap();
    assert_eq!((p.done, p.issued, p.refused), (30, 10, 20));
    let results = s.smki_transaction(|tx| tx.batch_results(b.id)).unwrap();
    assert_eq!(results.len(), 30);
    for r in &results {
        match (r.index % 3, &r.outcome) {
            (0, ItemOutcome::Issued(serial)) => {
                let c = s
                    .smki_transaction(|tx| tx.certificate(serial))
                    .unwrap()
                    .unwrap();
                smki::verify_issued_by(&c.der, pki.dca.cert_der()).unwrap();
            }
            (1, ItemOutcome::Refused(why)) => assert!(why.contains("device-hub"), "{why}"),
            (2, ItemOutcome::Refused(why)) => assert!(why.starts_with("rule csr"), "{why}"),
            other => panic!("unexpected {other:?}"),
        }
    }
    // The CA counts, and the store holds, the ten issued and nothing else: the certificates
    // the workers signed for the refused hub CSRs were dropped.
    let (gsme, chf) = s
        .smki_transaction(|tx| {
            Ok::<_, smki_service::StoreError>((
                tx.certificates_by_subject(GSME)?.len(),
                tx.certificates_by_subject(CHF)?.len(),
            ))
        })
        .unwrap();
    assert_eq!((gsme, chf), (10, 0));
    // Non-subscribers and oversize batches are refused at submission, storing nothing.
    let e = s
        .smki_transaction(|tx| batch::submit(tx, Environment::Live, STRANGER, &csrs, 0))
        .unwrap_err();
    assert!(e.to_string().contains("authorised-subscriber"));
    let big = vec![Vec::new(); batch::MAX_BATCH + 1];
    let e = s
        .smki_transaction(|tx| batch::submit(tx, Environment::Live, GAS, &big, 0))
        .unwrap_err();
    assert!(
        e.to_string().contains("batch-size") && e.to_string().contains("50000"),
        "{e}"
    );
    assert_eq!(
        s.smki_transaction(|tx| tx.unfinished_batches()).unwrap(),
        Vec::<i64>::new()
    );
}

pub fn forecasts_and_demand_report<S: Store + SmkiStore>(s: &S) {
    world(s);
    let months = forecasts::window(now()).unwrap();
    let f: Vec<(YearMonth, u64)> = months.iter().map(|m| (*m, 100)).collect();
    s.smki_transaction(|tx| forecasts::submit(tx, GAS, &f, now()))
        .unwrap();
    // Wrong months, wrong window, non-subscriber.
    let e = s
        .smki_transaction(|tx| forecasts::submit(tx, GAS, &f[1..], now()))
        .unwrap_err();
    assert!(e.to_string().contains("forecast-months"));
    let jan = datetime!(2027-01-10 00:00 UTC);
    let e = s
        .smki_transaction(|tx| forecasts::submit(tx, GAS, &f, jan))
        .unwrap_err();
    assert!(e.to_string().contains("forecast-window"));
    let e = s
        .smki_transaction(|tx| forecasts::submit(tx, STRANGER, &f, now()))
        .unwrap_err();
    assert!(e.to_string().contains("forecast-subscriber"));
    // Demand: one device certificate issued in January 2027.
    let k = KeyPair::generate_with_os_rng().unwrap();
    let csr = build_device_csr(&k, GSME, KeyUsage::DigitalSignature).unwrap();
    issue_at(s, Environment::Live, GAS, &csr, jan).unwrap();
    let r = s
        .smki_transaction(|tx| forecasts::report(tx, Environment::Live))
        .unwrap();
    let janline = r.iter().find(|l| l.month == months[0]).unwrap();
    assert_eq!((janline.forecast, janline.issued), (Some(100), 1));
    assert_eq!(janline.percent(), Some(1));
    assert_eq!(r.len(), 6);
}

/// Lodges the world's Device Root (with its key) so the service can certify a new DCA, and
/// sets the current DCA's certificate count; returns the DCA's id.
fn dca_at_count<S: SmkiStore>(s: &S, pki: &smki::Pki, issued: u64) -> i64 {
    s.smki_transaction(|tx: &mut dyn SmkiTx| -> Result<i64, StoreError> {
        tx.put_ca(&live_ca(&pki.device_root, 0))?;
        let mut dca = tx.cas(smki::CaKind::Dca, Environment::Live)?.pop().unwrap();
        dca.issued_count = issued;
        // Made "now": only the certificate count can make it due.
        dca.created_at = ms(now());
        tx.update_ca(&dca)?;
        Ok(dca.id)
    })
    .unwrap()
}

fn live_dcas<S: SmkiStore>(s: &S) -> Vec<CaRecord> {
    s.smki_transaction(|tx| tx.cas(smki::CaKind::Dca, Environment::Live))
        .unwrap()
}

pub fn single_issuance_rolls_the_dca_over_at_100000_certificates<S: Store + SmkiStore>(s: &S) {
    let pki = world(s);
    let old = dca_at_count(s, &pki, 99_999);
    let k = KeyPair::generate_with_os_rng().unwrap();
    let csr = build_device_csr(&k, GSME, KeyUsage::DigitalSignature).unwrap();
    // The 100,000th certificate still comes from the old DCA.
    let last = issue(s, Environment::Live, GAS, &csr).unwrap();
    assert_eq!(last.record.issuer_ca, Some(old));
    smki::verify_issued_by(&last.record.der, pki.dca.cert_der()).unwrap();
    let dcas = live_dcas(s);
    assert_eq!(dcas.len(), 1, "not rolled over before the limit");
    assert_eq!(dcas[0].issued_count, 100_000);
    // The next request rolls the DCA over first, with no action by the subscriber.
    let next = issue(s, Environment::Live, GAS, &csr).unwrap();
    let dcas = live_dcas(s);
    assert_eq!(dcas.len(), 2, "{dcas:?}");
    let (retired, current) = (&dcas[0], &dcas[1]);
    assert_eq!(retired.id, old);
    assert!(retired.retired_at.is_some() && retired.destroyed_at.is_some());
    assert_eq!(retired.key_pkcs8, None, "the old DCA key is destroyed");
    assert!(current.is_current());
    assert_eq!(current.issued_count, 1);
    assert_eq!(next.record.issuer_ca, Some(current.id));
    smki::verify_issued_by(&next.record.der, &current.cert_der).unwrap();
    assert!(smki::verify_issued_by(&next.record.der, pki.dca.cert_der()).is_err());
    smki::verify_issued_by(&current.cert_der, pki.device_root.cert_der()).unwrap();
}

pub fn a_batch_never_takes_the_dca_past_its_limit<S: Store + SmkiStore>(s: &S) {
    let pki = world(s);
    let old = dca_at_count(s, &pki, 99_990);
    let k = KeyPair::generate_with_os_rng().unwrap();
    let csrs: Vec<Vec<u8>> = (0..25)
        .map(|_| build_device_csr(&k, GSME, KeyUsage::DigitalSignature).unwrap())
        .collect();
    let b = s
        .smki_transaction(|tx| batch::submit(tx, Environment::Live, GAS, &csrs, ms(now())))
        .unwrap();
    let mut serial = || Serial::random_with_os_rng();
    let mut rounds = 0;
    loop {
        let p = s
            .smki_transaction(|tx| batch::process_chunk(tx, b.id, 200, 2, &mut serial, now()))
            .unwrap()
            .unwrap();
        rounds += 1;
        if p.finished() {
            assert_eq!((p.issued, p.refused), (25, 0));
            break;
        }
        assert!(rounds < 5, "the batch finishes");
    }
    assert_eq!(rounds, 2, "the first chunk stops at the limit");
    let dcas = live_dcas(s);
    assert_eq!(dcas.len(), 2);
    assert_eq!(
        dcas[0].issued_count, 100_000,
        "exactly at the limit, never past"
    );
    assert_eq!(dcas[1].issued_count, 15);
    let results = s.smki_transaction(|tx| tx.batch_results(b.id)).unwrap();
    let issuers: Vec<i64> = results
        .iter()
        .map(|r| match &r.outcome {
            ItemOutcome::Issued(serial) => s
                .smki_transaction(|tx| tx.certificate(serial))
                .unwrap()
                .unwrap()
                .issuer_ca
                .unwrap(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(issuers[..10].iter().all(|&i| i == old));
    assert!(issuers[10..].iter().all(|&i| i == dcas[1].id));
}

pub fn the_live_service_never_issues_from_a_ca_carrying_the_test_policy<S: Store + SmkiStore>(
    s: &S,
) {
    world(s);
    // A test-policy OCA wrongly recorded as live, newer than the real one: the live service
    // refuses to issue from it rather than issue a test certificate.
    let mut draw = || {
        Ok((
            KeyPair::generate_with_os_rng()?,
            Serial::random_with_os_rng()?,
        ))
    };
    let test = smki_service::test_service::generate_test_pki(now(), &mut draw).unwrap();
    s.smki_transaction(|tx: &mut dyn SmkiTx| -> Result<i64, StoreError> {
        tx.put_ca(&live_ca(&test.oca, 0))
    })
    .unwrap();
    let k = KeyPair::generate_with_os_rng().unwrap();
    let csr = gas_org_csr(&k, Some("GAS CO"));
    let e = issue(s, Environment::Live, GAS, &csr).unwrap_err();
    assert!(e.to_string().contains("rule live-never-test"), "{e}");
    let lodged = s
        .smki_transaction(|tx| tx.certificates_of(GAS, Environment::Live, None))
        .unwrap();
    assert!(lodged.is_empty(), "nothing lodged: {lodged:?}");
}
