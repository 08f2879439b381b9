//! The Certified Products List's storage (`dcc::store::CplTx`) and the DCC's use of it
//! (`dcc::products`), on any backend.

use cpl::{
    Certificate, CertificateKind, CplError, ModelKey, NewModel, Party, ProductType, Status,
    firmware_hash, required_certificates,
};
use dcc::model::{DeviceStatus, DeviceType, Premises, Registration, RegistrationRole};
use dcc::products;
use dcc::store::Store;
use eui::Eui64;
use time::macros::{date, datetime};

use crate::{TestStore, device, user};

fn key(t: ProductType, model: &str) -> ModelKey {
    ModelKey {
        product_type: t,
        manufacturer: "1234".into(),
        model: model.into(),
        hardware_version: "1".into(),
    }
}

fn new_model(t: ProductType, model: &str, cpa_expires: time::Date) -> NewModel {
    NewModel {
        key: key(t, model),
        certificates: required_certificates(t)
            .iter()
            .map(|k| Certificate {
                kind: *k,
                reference: format!("{k}-{model}"),
                issued: date!(2024 - 01 - 01),
                expires: if *k == CertificateKind::Cpa {
                    cpa_expires
                } else {
                    date!(2030 - 01 - 01)
                },
            })
            .collect(),
        firmware: vec![("00010203".into(), firmware_hash(b"img", b"00010203"))],
    }
}

const NOW: i64 = 1_780_000_000;

pub fn cpl_entries_and_notices_round_trip<S: TestStore>(store: &S)
where
    for<'t> <S as Store>::Tx<'t>: wan::EmulatorTx,
{
    let mut cpl = cpl::Cpl::new();
    let n = cpl
        .add_model(
            &Party::Dcc,
            new_model(ProductType::Esme, "ABCD", date!(2029 - 12 - 31)),
            NOW,
        )
        .unwrap();
    let m = cpl.models().next().unwrap().clone();
    store
        .transaction(|tx| {
            tx.put_cpl_model(&m)?;
            tx.put_cpl_model(&m)?;
            tx.put_cpl_notice(Eui64::from_u64(1), &n)?;
            Ok(())
        })
        .unwrap();
    let (models, notices, none) = store
        .transaction(|tx| {
            Ok((
                tx.cpl_models()?,
                tx.cpl_notices(Eui64::from_u64(1))?,
                tx.cpl_notices(Eui64::from_u64(2))?,
            ))
        })
        .unwrap();
    assert_eq!(models, vec![m]);
    assert_eq!(notices, vec![n]);
    assert!(none.is_empty());
}

pub fn cpl_changes_notify_every_party_and_refusals_write_nothing<S: TestStore>(store: &S)
where
    for<'t> <S as Store>::Tx<'t>: wan::EmulatorTx,
{
    store
        .transaction(|tx| {
            tx.put_user(&user(1))?;
            tx.put_user(&user(2))?;
            Ok(())
        })
        .unwrap();
    let ok = store
        .transaction(|tx| {
            products::change(tx, |cpl| {
                let n = cpl.add_model(
                    &Party::Other("x".into()),
                    new_model(ProductType::Gsme, "G", date!(2029 - 12 - 31)),
                    NOW,
                )?;
                Ok(((), vec![n]))
            })
        })
        .unwrap();
    assert!(ok.is_ok());
    // A supplier adds firmware; another party may not.
    let refused = store
        .transaction(|tx| {
            products::change(tx, |cpl| {
                let n = cpl.add_firmware(
                    &Party::Other("x".into()),
                    &key(ProductType::Gsme, "G"),
                    "2",
                    [0; 32],
                    NOW,
                )?;
                Ok(((), vec![n]))
            })
        })
        .unwrap();
    assert!(matches!(
        refused,
        Err(CplError::VersionsAreSuppliers { .. })
    ));
    let party = store
        .transaction(|tx| products::party_of(tx, "user1"))
        .unwrap();
    assert_eq!(party, Some(Party::Supplier("user1".into())));
    let (models, n1, n2) = store
        .transaction(|tx| {
            Ok((
                tx.cpl_models()?,
                tx.cpl_notices(Eui64::from_u64(1))?,
                tx.cpl_notices(Eui64::from_u64(2))?,
            ))
        })
        .unwrap();
    assert_eq!(models.len(), 1);
    assert_eq!(models[0].firmware.len(), 1);
    assert_eq!(n1.len(), 1);
    assert_eq!(n1, n2);

    // 11.1's hash check against the listed firmware of a device's model.
    let mut gsme = device(5);
    gsme.device_type = DeviceType::Gsme;
    gsme.model = "G".into();
    let (good, bad, unlisted) = store
        .transaction(|tx| {
            Ok((
                products::firmware_hash_matches(tx, &gsme, "00010203", b"img", b"00010203")?,
                products::firmware_hash_matches(tx, &gsme, "00010203", b"imh", b"00010203")?,
                products::firmware_hash_matches(tx, &gsme, "9", b"img", b"9")?,
            ))
        })
        .unwrap();
    assert_eq!(good, Ok(true));
    assert_eq!(bad, Ok(false));
    assert!(matches!(unlisted, Err(CplError::FirmwareNotListed { .. })));
}

pub fn cpl_expiry_suspends_the_models_devices_and_their_dependants<S: TestStore>(store: &S)
where
    for<'t> <S as Store>::Tx<'t>: wan::EmulatorTx,
{
    let hub = Eui64::from_u64(99);
    store
        .transaction(|tx| {
            tx.put_user(&user(1))?;
            tx.put_premises(&Premises {
                uprn: "100".into(),
                postcode: "AB1 2CD".into(),
                address_identifier: "1".into(),
                region: dcc::model::CspRegion::North,
                mpan: Some("1900000000001".into()),
                mprn: None,
            })?;
            tx.put_registration(&Registration {
                mpxn: "1900000000001".into(),
                role: RegistrationRole::ImportSupplier,
                party: Eui64::from_u64(1),
                from: date!(2020 - 01 - 01),
                to: None,
            })?;
            let mut chf = device(99);
            chf.device_type = DeviceType::Chf;
            chf.model = "HUB".into();
            chf.esme_variant = None;
            chf.mpxn = None;
            tx.put_device(&chf)?;
            tx.put_device(&device(1))?;
            let mut elsewhere = device(2);
            elsewhere.chf = Some(Eui64::from_u64(98));
            elsewhere.model = "OTHER".into();
            tx.put_device(&elsewhere)?;
            products::change(tx, |cpl| {
                let a = cpl.add_model(
                    &Party::Dcc,
                    new_model(ProductType::Chf, "HUB", date!(2027 - 01 - 01)),
                    NOW,
                )?;
                let b = cpl.add_model(
                    &Party::Dcc,
                    new_model(ProductType::Esme, "OTHER", date!(2029 - 01 - 01)),
                    NOW,
                )?;
                Ok(((), vec![a, b]))
            })?
            .unwrap();
            Ok(())
        })
        .unwrap();
    let before = store
        .transaction(|tx| products::expire(tx, datetime!(2026-12-31 00:00 UTC), None))
        .unwrap();
    assert!(before.expired.is_empty());
    let out = store
        .transaction(|tx| products::expire(tx, datetime!(2027-01-01 00:00 UTC), None))
        .unwrap();
    assert_eq!(out.expired, vec![key(ProductType::Chf, "HUB")]);
    assert_eq!(out.suspended, vec![Eui64::from_u64(1), hub]);
    assert!(
        out.informed
            .contains(&(Eui64::from_u64(1), Eui64::from_u64(1)))
    );
    let (d1, d2, h, models, notices) = store
        .transaction(|tx| {
            Ok((
                tx.device(Eui64::from_u64(1))?.unwrap(),
                tx.device(Eui64::from_u64(2))?.unwrap(),
                tx.device(hub)?.unwrap(),
                tx.cpl_models()?,
                tx.cpl_notices(Eui64::from_u64(1))?,
            ))
        })
        .unwrap();
    assert_eq!(d1.status, DeviceStatus::Suspended);
    assert_eq!(h.status, DeviceStatus::Suspended);
    assert_eq!(d2.status, DeviceStatus::Commissioned);
    let hub_entry = models.iter().find(|m| m.key.model == "HUB").unwrap();
    assert_eq!(hub_entry.status, Status::Expired);
    assert!(notices.iter().any(|n| n.change.contains("Suspended")));
    // Run again: nothing more.
    let again = store
        .transaction(|tx| products::expire(tx, datetime!(2027-06-01 00:00 UTC), None))
        .unwrap();
    assert_eq!(again, products::ExpiryOutcome::default());
}
