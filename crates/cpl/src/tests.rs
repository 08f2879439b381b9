use super::*;
use proptest::prelude::*;
use time::macros::date;

const NOW: i64 = 1_780_000_000; // 2026-05-28

fn cert(kind: CertificateKind, issued: Date, expires: Date) -> Certificate {
    Certificate {
        kind,
        reference: format!("{kind}-1"),
        issued,
        expires,
    }
}

fn certs(t: ProductType) -> Vec<Certificate> {
    required_certificates(t)
        .iter()
        .map(|k| cert(*k, date!(2024 - 01 - 01), date!(2030 - 01 - 01)))
        .collect()
}

fn key(t: ProductType) -> ModelKey {
    ModelKey {
        product_type: t,
        manufacturer: "ACME".into(),
        model: format!("{t}-1"),
        hardware_version: "1.0".into(),
    }
}

fn supplier() -> Party {
    Party::Supplier("supplier".into())
}

fn other() -> Party {
    Party::Other("network operator".into())
}

fn listed(t: ProductType) -> Cpl {
    let mut cpl = Cpl::new();
    cpl.add_model(
        &other(),
        NewModel {
            key: key(t),
            certificates: certs(t),
            firmware: vec![("1.0".into(), firmware_hash(b"image", b"1.0"))],
        },
        NOW,
    )
    .unwrap();
    cpl
}

#[test]
fn any_party_adds_a_model_with_valid_certificates_and_everyone_is_notified() {
    for &t in ProductType::ALL {
        let cpl = listed(t);
        let m = cpl.get(&key(t)).unwrap();
        assert!(m.is_active());
        assert_eq!(m.firmware.len(), 1);
        assert_eq!(m.firmware[0].cites_cpa, None);
    }
    let mut cpl = Cpl::new();
    let n = cpl
        .add_model(
            &Party::Dcc,
            NewModel {
                key: key(ProductType::Ihd),
                certificates: certs(ProductType::Ihd),
                firmware: vec![],
            },
            NOW,
        )
        .unwrap();
    assert_eq!(n.model, key(ProductType::Ihd));
    assert!(n.change.contains("model added"));
}

#[test]
fn refusals_of_add_model() {
    let t = ProductType::Esme;
    let add = |certificates: Vec<Certificate>| {
        Cpl::new().add_model(
            &other(),
            NewModel {
                key: key(t),
                certificates,
                firmware: vec![],
            },
            NOW,
        )
    };
    // Missing DLMS.
    let mut c = certs(t);
    c.retain(|c| c.kind != CertificateKind::DlmsCosem);
    assert!(matches!(
        add(c),
        Err(CplError::MissingCertificate {
            kind: CertificateKind::DlmsCosem,
            ..
        })
    ));
    // Expired.
    let mut c = certs(t);
    c[0].expires = date!(2025 - 01 - 01);
    assert!(matches!(add(c), Err(CplError::CertificateNotValid { .. })));
    // Not yet issued.
    let mut c = certs(t);
    c[0].issued = date!(2027 - 01 - 01);
    assert!(matches!(add(c), Err(CplError::CertificateNotValid { .. })));
    // Duplicate.
    let mut c = certs(t);
    c.push(c[0].clone());
    assert!(matches!(add(c), Err(CplError::DuplicateCertificate(_))));
    // CPA longer than six years.
    let mut c = certs(t);
    let cpa = c
        .iter_mut()
        .find(|c| c.kind == CertificateKind::Cpa)
        .unwrap();
    cpa.issued = date!(2022 - 01 - 01);
    cpa.expires = date!(2028 - 01 - 02);
    assert!(matches!(add(c), Err(CplError::CpaTooLong { .. })));
    // DLMS on a GSME.
    let err = Cpl::new()
        .add_model(
            &other(),
            NewModel {
                key: key(ProductType::Gsme),
                certificates: certs(ProductType::Esme),
                firmware: vec![],
            },
            NOW,
        )
        .unwrap_err();
    assert!(matches!(err, CplError::UnexpectedCertificate { .. }));
    // Empty reference.
    let mut c = certs(t);
    c[0].reference = " ".into();
    assert!(matches!(add(c), Err(CplError::BadField { .. })));
    // Already listed.
    let mut cpl = listed(t);
    let err = cpl
        .add_model(
            &other(),
            NewModel {
                key: key(t),
                certificates: certs(t),
                firmware: vec![],
            },
            NOW,
        )
        .unwrap_err();
    assert!(matches!(err, CplError::AlreadyListed(_)));
    // Bad firmware version, duplicate firmware.
    for fw in [
        vec![("".to_string(), [0; 32])],
        vec![("123456789".to_string(), [0; 32])],
        vec![("1".to_string(), [0; 32]), ("1".to_string(), [1; 32])],
    ] {
        let err = Cpl::new()
            .add_model(
                &other(),
                NewModel {
                    key: key(t),
                    certificates: certs(t),
                    firmware: fw,
                },
                NOW,
            )
            .unwrap_err();
        assert!(
            matches!(
                err,
                CplError::BadFirmwareVersion(_) | CplError::FirmwareListed { .. }
            ),
            "{err}"
        );
    }
    // Bad key fields.
    let mut k = key(t);
    k.model = "a/b".into();
    let err = Cpl::new()
        .add_model(
            &other(),
            NewModel {
                key: k,
                certificates: certs(t),
                firmware: vec![],
            },
            NOW,
        )
        .unwrap_err();
    assert!(matches!(err, CplError::BadField { .. }));
}

#[test]
fn only_suppliers_add_meter_versions_and_only_the_dcc_hub_versions() {
    let mut cpl = listed(ProductType::Esme);
    let k = key(ProductType::Esme);
    for p in [Party::Dcc, other()] {
        assert!(matches!(
            cpl.add_firmware(&p, &k, "2.0", [2; 32], NOW),
            Err(CplError::VersionsAreSuppliers { .. })
        ));
        assert!(matches!(
            cpl.add_hardware_version(&p, &k, "2.0", &[], NOW),
            Err(CplError::VersionsAreSuppliers { .. })
        ));
    }
    let n = cpl
        .add_firmware(&supplier(), &k, "2.0", [2; 32], NOW)
        .unwrap();
    assert!(n.change.contains("2.0"));
    let f = cpl.get(&k).unwrap().firmware_version("2.0").unwrap();
    assert_eq!(f.cites_cpa.as_deref(), Some("CPA-1"));
    assert!(matches!(
        cpl.add_firmware(&supplier(), &k, "2.0", [2; 32], NOW),
        Err(CplError::FirmwareListed { .. })
    ));
    cpl.add_hardware_version(&supplier(), &k, "2.0", &[("1.0".into(), [1; 32])], NOW)
        .unwrap();
    let hw = cpl
        .get(&ModelKey {
            hardware_version: "2.0".into(),
            ..k.clone()
        })
        .unwrap();
    assert_eq!(hw.cites_cpa.as_deref(), Some("CPA-1"));
    assert_eq!(hw.certificates, cpl.get(&k).unwrap().certificates);
    assert!(matches!(
        cpl.add_hardware_version(&supplier(), &k, "2.0", &[], NOW),
        Err(CplError::AlreadyListed(_))
    ));

    let mut hub = listed(ProductType::Chf);
    let h = key(ProductType::Chf);
    assert!(matches!(
        hub.add_firmware(&supplier(), &h, "2.0", [2; 32], NOW),
        Err(CplError::HubVersionsAreTheDccs { .. })
    ));
    hub.add_firmware(&Party::Dcc, &h, "2.0", [2; 32], NOW)
        .unwrap();
    // Not listed.
    let mut unknown = key(ProductType::Chf);
    unknown.model = "nope".into();
    assert!(matches!(
        hub.add_firmware(&Party::Dcc, &unknown, "2.0", [2; 32], NOW),
        Err(CplError::NotListed(_))
    ));
}

#[test]
fn status_changes_are_suppliers_notices() {
    let mut cpl = listed(ProductType::Gsme);
    let k = key(ProductType::Gsme);
    let withdraw = || StatusChange::Withdrawn {
        reason: "lab finding".into(),
    };
    assert!(matches!(
        cpl.change_status(&other(), &k, withdraw(), NOW),
        Err(CplError::StatusChangeNotAllowed { .. })
    ));
    assert!(matches!(
        cpl.change_status(&Party::Dcc, &k, withdraw(), NOW),
        Err(CplError::StatusChangeNotAllowed { .. })
    ));
    cpl.change_status(&supplier(), &k, withdraw(), NOW).unwrap();
    assert_eq!(cpl.get(&k).unwrap().status, Status::Withdrawn);
    assert!(matches!(
        cpl.change_status(&supplier(), &k, withdraw(), NOW),
        Err(CplError::NoChange(_))
    ));
    // No versions added to a withdrawn model.
    assert!(matches!(
        cpl.add_firmware(&supplier(), &k, "9", [0; 32], NOW),
        Err(CplError::NotActive { .. })
    ));
    // Renewal must be CPA and valid.
    let zig = cert(
        CertificateKind::ZigBee,
        date!(2026 - 01 - 01),
        date!(2031 - 01 - 01),
    );
    assert!(matches!(
        cpl.change_status(&supplier(), &k, StatusChange::Renewed(zig), NOW),
        Err(CplError::RenewalNotCpa(_))
    ));
    let mut cpa = cert(
        CertificateKind::Cpa,
        date!(2026 - 01 - 01),
        date!(2032 - 01 - 01),
    );
    cpa.reference = "CPA-2".into();
    cpl.change_status(&supplier(), &k, StatusChange::Renewed(cpa), NOW)
        .unwrap();
    let m = cpl.get(&k).unwrap();
    assert!(m.is_active());
    assert_eq!(
        m.certificate(CertificateKind::Cpa).unwrap().reference,
        "CPA-2"
    );
    assert_eq!(m.certificates.len(), 2);
    // An IHD has no CPA certificate to renew.
    let mut ihd = listed(ProductType::Ihd);
    let cpa = cert(
        CertificateKind::Cpa,
        date!(2026 - 01 - 01),
        date!(2032 - 01 - 01),
    );
    assert!(matches!(
        ihd.change_status(
            &supplier(),
            &key(ProductType::Ihd),
            StatusChange::Renewed(cpa),
            NOW
        ),
        Err(CplError::UnexpectedCertificate { .. })
    ));
}

#[test]
fn expiry_follows_the_cpa_certificate() {
    let mut cpl = listed(ProductType::Esme);
    cpl.add_model(
        &other(),
        NewModel {
            key: key(ProductType::Ihd),
            certificates: certs(ProductType::Ihd),
            firmware: vec![],
        },
        NOW,
    )
    .unwrap();
    assert!(cpl.expired_at(NOW).is_empty());
    let later = 1_893_456_000; // 2030-01-01
    let expired: Vec<_> = cpl
        .expired_at(later)
        .iter()
        .map(|m| m.key.clone())
        .collect();
    assert_eq!(expired, vec![key(ProductType::Esme)]);
    let notices = cpl.expire(later);
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].by, Party::Dcc);
    assert_eq!(
        cpl.get(&key(ProductType::Esme)).unwrap().status,
        Status::Expired
    );
    assert!(cpl.expired_at(later).is_empty());
    assert!(cpl.expire(later).is_empty());
}

fn device(id: u64, t: DeviceType, model: &str, chf: u64, status: DeviceStatus) -> Device {
    Device {
        id: Eui64::from_u64(id),
        device_type: t,
        status,
        manufacturer: "ACME".into(),
        model: model.into(),
        firmware_version: Some("1.0".into()),
        smets_chts_version: None,
        esme_variant: None,
        uprn: None,
        chf: Some(Eui64::from_u64(chf)),
        mpxn: None,
        date_commissioned: None,
        gbcs_version: None,
    }
}

#[test]
fn listing_and_firmware_hash() {
    let cpl = listed(ProductType::Esme);
    assert!(
        cpl.listing(DeviceType::Esme, "ACME", "ESME-1", Some("1.0"))
            .is_ok()
    );
    assert!(
        cpl.listing(DeviceType::Esme, "ACME", "ESME-1", None)
            .is_ok()
    );
    assert!(matches!(
        cpl.listing(DeviceType::Esme, "ACME", "ESME-1", Some("2.0")),
        Err(CplError::FirmwareNotListed { .. })
    ));
    assert!(matches!(
        cpl.listing(DeviceType::Gsme, "ACME", "ESME-1", None),
        Err(CplError::NotListed(_))
    ));
    assert!(matches!(
        cpl.listing(DeviceType::Cad, "ACME", "ESME-1", None),
        Err(CplError::NotListed(_))
    ));
    let k = key(ProductType::Esme);
    assert!(
        cpl.firmware_hash_matches(&k, "1.0", b"image", b"1.0")
            .unwrap()
    );
    assert!(
        !cpl.firmware_hash_matches(&k, "1.0", b"imagf", b"1.0")
            .unwrap()
    );
    assert!(
        !cpl.firmware_hash_matches(&k, "1.0", b"image", b"1.1")
            .unwrap()
    );
    assert!(matches!(
        cpl.firmware_hash_matches(&k, "3", b"image", b"3"),
        Err(CplError::FirmwareNotListed { .. })
    ));
    // The known SHA-256 of "abc".
    assert_eq!(
        hex::encode(firmware_hash(b"ab", b"c")),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(parse_hash(&"00".repeat(32)).unwrap(), [0; 32]);
    assert!(parse_hash("zz").is_err());
}

#[test]
fn read_inventory_statuses_follow_the_list() {
    let mut cpl = listed(ProductType::Esme);
    let mut d = device(1, DeviceType::Esme, "ESME-1", 9, DeviceStatus::Commissioned);
    assert_eq!(
        cpl.statuses(&d),
        (Some(Status::Active), Some(Status::Active))
    );
    // A firmware version the list does not hold: the model is Active, the version unlisted.
    d.firmware_version = Some("2.0".into());
    assert_eq!(cpl.statuses(&d), (Some(Status::Active), None));
    // No firmware version known: none reported.
    d.firmware_version = None;
    assert_eq!(cpl.statuses(&d), (Some(Status::Active), None));
    // A model the list does not hold.
    let other_model = device(2, DeviceType::Gsme, "GSME-9", 9, DeviceStatus::Commissioned);
    assert_eq!(cpl.statuses(&other_model), (None, None));
    // Once the CPA certificate expires, model and firmware report Expired.
    cpl.expire(1_893_456_000);
    d.firmware_version = Some("1.0".into());
    assert_eq!(
        cpl.statuses(&d),
        (Some(Status::Expired), Some(Status::Expired))
    );
}

#[test]
fn suspension_takes_the_hubs_dependants() {
    use DeviceStatus::*;
    let devices = vec![
        device(1, DeviceType::Chf, "CHF-1", 1, Commissioned),
        device(2, DeviceType::Esme, "ESME-1", 1, Commissioned),
        device(3, DeviceType::Esme, "ESME-1", 9, Commissioned),
        device(4, DeviceType::Gsme, "GSME-1", 9, Commissioned),
        device(5, DeviceType::Esme, "ESME-1", 9, Decommissioned),
    ];
    let ids = |v: Vec<&Device>| v.iter().map(|d| d.id.to_u64()).collect::<Vec<_>>();
    assert_eq!(
        ids(devices_to_suspend(&[key(ProductType::Chf)], &devices)),
        vec![1, 2]
    );
    assert_eq!(
        ids(devices_to_suspend(&[key(ProductType::Esme)], &devices)),
        vec![2, 3]
    );
}

#[test]
fn key_text_round_trips_and_refuses() {
    let k = key(ProductType::Ppmid);
    assert_eq!(ModelKey::parse(&k.id()).unwrap(), k);
    assert!(matches!(
        ModelKey::parse("ESME/a/b"),
        Err(CplError::BadKey(_))
    ));
    assert!(matches!(
        ModelKey::parse("XX/a/b/c"),
        Err(CplError::UnknownProductType(_))
    ));
    assert!(matches!(
        ModelKey::parse("ESME/a//c"),
        Err(CplError::BadField { .. })
    ));
    let cpl = listed(ProductType::Esme);
    let models: Vec<DeviceModel> = cpl.models().cloned().collect();
    let json = serde_json::to_string(&models).unwrap();
    let back: Vec<DeviceModel> = serde_json::from_str(&json).unwrap();
    assert_eq!(Cpl::from_models(back), cpl);
}

#[test]
fn dpl_counts_enrolled_systems_only() {
    use DeviceStatus::*;
    let devices = vec![
        device(1, DeviceType::Chf, "CHF-1", 1, Commissioned),
        device(2, DeviceType::Esme, "ESME-1", 1, Commissioned),
        device(3, DeviceType::Chf, "CHF-1", 3, Commissioned),
        device(4, DeviceType::Esme, "ESME-1", 3, Commissioned),
        device(5, DeviceType::Chf, "CHF-1", 5, Commissioned),
        device(6, DeviceType::Esme, "ESME-1", 5, InstalledNotCommissioned),
        device(7, DeviceType::Chf, "CHF-1", 7, Commissioned),
    ];
    let dpl = deployed_products(&devices);
    assert_eq!(dpl.len(), 1);
    assert_eq!(dpl[0].systems, 2);
    assert_eq!(dpl[0].models[0].device_type, DeviceType::Chf);
    assert_eq!(dpl[0].models[1].device_type, DeviceType::Esme);
}

fn arb_device() -> impl Strategy<Value = Device> {
    (
        0u64..20,
        prop::sample::select(vec![
            DeviceType::Chf,
            DeviceType::Gpf,
            DeviceType::Esme,
            DeviceType::Gsme,
            DeviceType::Ppmid,
            DeviceType::Ihd,
        ]),
        prop::sample::select(vec!["A", "B"]),
        0u64..4,
        prop::bool::weighted(0.9),
    )
        .prop_map(|(id, t, m, chf, ok)| {
            let status = if ok {
                DeviceStatus::Commissioned
            } else {
                DeviceStatus::InstalledNotCommissioned
            };
            device(id, t, m, chf, status)
        })
}

proptest! {
    /// The DPL does not depend on the inventory's order, and counts no more systems than hubs.
    #[test]
    fn dpl_is_order_free(mut devices in prop::collection::vec(arb_device(), 0..30), seed in any::<u64>()) {
        let a = deployed_products(&devices);
        let n = devices.len();
        if n > 1 {
            devices.swap(0, (seed as usize) % n);
            devices.reverse();
        }
        prop_assert_eq!(deployed_products(&devices), a.clone());
        let hubs: std::collections::BTreeSet<_> = devices.iter().filter_map(|d| d.chf).collect();
        prop_assert!(a.iter().map(|c| c.systems).sum::<usize>() <= hubs.len());
    }

    /// The hash check accepts exactly the image and identifier the hash was made from.
    #[test]
    fn hash_check_is_exact(image in prop::collection::vec(any::<u8>(), 0..64), other in prop::collection::vec(any::<u8>(), 0..64)) {
        let mut cpl = Cpl::new();
        let k = key(ProductType::Gsme);
        cpl.add_model(&other_party(), NewModel { key: k.clone(), certificates: certs(ProductType::Gsme), firmware: vec![("V1".into(), firmware_hash(&image, b"V1"))] }, NOW).unwrap();
        prop_assert!(cpl.firmware_hash_matches(&k, "V1", &image, b"V1").unwrap());
        prop_assert_eq!(cpl.firmware_hash_matches(&k, "V1", &other, b"V1").unwrap(), other == image);
    }

    /// A model is accepted only on a day inside every certificate's validity.
    #[test]
    fn add_model_needs_every_certificate_valid(days in prop::collection::vec(-3000i64..3000, 3)) {
        let base = date!(2026 - 05 - 28);
        let mut c = certs(ProductType::Esme);
        for (cert, d) in c.iter_mut().zip(&days) {
            let shift = time::Duration::days(*d);
            cert.issued = base.saturating_add(shift).saturating_sub(time::Duration::days(1000));
            cert.expires = base.saturating_add(shift).saturating_add(time::Duration::days(1000));
        }
        let ok = c.iter().all(|c| c.valid_on(base));
        let r = Cpl::new().add_model(&other_party(), NewModel { key: key(ProductType::Esme), certificates: c, firmware: vec![] }, NOW);
        prop_assert_eq!(r.is_ok(), ok);
    }
}

fn other_party() -> Party {
    other()
}
