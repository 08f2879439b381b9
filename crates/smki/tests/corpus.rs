//! Parsing the real ZAZ1 organisation and RTDS device certificates of the reference corpus,
//! and reading back what this crate issues.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{TestRng, corpus};
use proptest::prelude::*;
use smki::{
    DeviceCertRequest, DeviceCertificate, Eui64, KeyPair, KeyUsage, OrgCertRequest, OrgCertificate,
    Pki, PkiNames, PublicKey, RemotePartyRole, Serial, SmkiError, TlsClientCertRequest,
    cert_from_pem, tls_client_eui, verify_issued_by,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn zaz1(name: &str) -> String {
    read(&corpus().join("zaz1").join(name))
}

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

#[test]
fn zaz1_supplier_certificate() {
    let c = OrgCertificate::from_pem(&zaz1("Z1-supplier-ds.pem")).unwrap();
    assert_eq!(c.common_name(), Some("GITTESTSUPPLIER"));
    assert_eq!(c.eui(), "90-B3-D5-1F-30-01-00-00".parse::<Eui64>().unwrap());
    assert_eq!(c.role(), RemotePartyRole::Supplier);
    assert_eq!(c.serial(), hex("4fbc525201a1d7586c1bc1c4734deb9f"));
    assert_eq!(
        c.serial_decimal(),
        "105986833131214866166891566273223584671"
    );
    assert_eq!(c.issuer(), "CN=Z1,OU=07");
    assert_eq!(
        c.subject(),
        "2.5.4.45=#03090090b3d51f30010000,OU=02,CN=GITTESTSUPPLIER"
    );
    assert_eq!(c.not_before(), datetime!(2015-10-30 00:00:00 UTC));
    assert_eq!(c.not_after(), datetime!(2025-10-29 23:59:59 UTC));
    assert!(c.is_valid_at(datetime!(2020-01-01 00:00:00 UTC)));
    assert!(!c.is_valid_at(datetime!(2025-10-30 00:00:00 UTC)));
    assert_eq!(c.key_usage(), KeyUsage::DigitalSignature);
    assert_eq!(c.subject_key_id(), Some(&hex("44899792d196f4b8")[..]));
    assert_eq!(c.authority_key_id(), Some(&hex("4f5688d7ec933be2")[..]));
    assert_eq!(
        c.public_key_sec1().to_vec(),
        hex(
            "0430c2ab5a0d131726ffbda80e79294cc37534432a3e424405b97a3aba0ffc79dc\
             e729b2517563cb7d95827e4c50b48cba3d87d5893c51b96d87c345e3717f8c1e"
        )
    );
    // SMKI key identifiers are RFC 5280 method (2) over the public point.
    assert_eq!(
        c.public_key().key_identifier().to_vec(),
        hex("44899792d196f4b8")
    );
}

#[test]
fn every_zaz1_pem_certificate() {
    let dir = corpus().join("zaz1");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if !name.ends_with(".pem") || name.ends_with(".key.pem") {
            continue;
        }
        let pem = read(&path);
        let parsed = OrgCertificate::from_pem(&pem);
        if name.contains("pre-1.4.1") {
            // Its OU is the decimal "137": not a two-hex-digit role.
            assert_eq!(
                parsed.err(),
                Some(SmkiError::InvalidRole("137".into())),
                "{name}"
            );
            continue;
        }
        let c = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
        seen += 1;
        assert_eq!(c.issuer(), "CN=Z1,OU=07", "{name}");
        assert_eq!(c.key_usage(), KeyUsage::DigitalSignature, "{name}");
        let want_role = if name.starts_with("xml-sign-") {
            RemotePartyRole::XmlSigning
        } else if name.starts_with("dsp-xml-sign-") || name.contains("dSPXmlSign") {
            RemotePartyRole::DspXmlSigning
        } else if name.contains("supplier") {
            RemotePartyRole::Supplier
        } else if name.contains("networkOperator") {
            RemotePartyRole::NetworkOperator
        } else if name.contains("accessControlBroker") {
            RemotePartyRole::AccessControlBroker
        } else if name.contains("recovery") {
            RemotePartyRole::Recovery
        } else if name.contains("transitionalCoS") {
            RemotePartyRole::TransitionalCoS
        } else if name.contains("wanProvider") {
            RemotePartyRole::WanProvider
        } else {
            panic!("unexpected file {name}")
        };
        assert_eq!(c.role(), want_role, "{name}");
        if let Some(ski) = c.subject_key_id() {
            assert_eq!(ski, c.public_key().key_identifier(), "{name}");
        }
        // The matching DER PKCS#8 private key.
        let key_path = dir.join(name.replace(".pem", ".key"));
        if key_path.exists() {
            let key = KeyPair::from_pkcs8_der(&std::fs::read(&key_path).unwrap()).unwrap();
            assert_eq!(&key.public_key(), c.public_key(), "{name}");
            // And it re-encodes to a key that loads back the same.
            let again = KeyPair::from_pkcs8_der(&key.to_pkcs8_der().unwrap()).unwrap();
            assert_eq!(again, key);
        }
    }
    assert!(
        seen >= 18,
        "only {seen} certificates found in {}",
        dir.display()
    );
    let dsp = OrgCertificate::from_pem(&zaz1("dsp-xml-sign-90B3D51F30000002-ds.pem")).unwrap();
    let key = KeyPair::from_pkcs8_pem(&zaz1("dsp-xml-sign-90B3D51F30000002-ds.key.pem")).unwrap();
    assert_eq!(&key.public_key(), dsp.public_key());
    assert_eq!(dsp.role(), RemotePartyRole::DspXmlSigning);
    assert_eq!(dsp.role().to_ou(), "89");
    assert_eq!(dsp.eui(), Eui64::from_u64(0x90B3_D51F_3000_0002));
}

#[test]
fn every_zaz1_keystore_entry() {
    let text = zaz1("keystore.json");
    let ks: BTreeMap<String, BTreeMap<String, BTreeMap<String, serde_json::Value>>> =
        serde_json::from_str(&text).unwrap();
    let mut n = 0;
    let mut roles = std::collections::BTreeSet::new();
    for (eui, usages) in &ks {
        for (usage, entries) in usages {
            for (serial, entry) in entries {
                let name = entry["name"].as_str().unwrap();
                let c = OrgCertificate::from_pem(entry["certificate"].as_str().unwrap())
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(c.eui().to_hex(), *eui, "{name}");
                assert_eq!(c.serial_decimal(), serial, "{name}");
                let role = u8::try_from(entry["role"].as_u64().unwrap()).unwrap();
                assert_eq!(c.role().code(), role, "{name}");
                roles.insert(c.role());
                let want = match usage.as_str() {
                    "digitalSignature" => KeyUsage::DigitalSignature,
                    "keyAgreement" => KeyUsage::KeyAgreement,
                    other => panic!("usage {other}"),
                };
                assert_eq!(c.key_usage(), want, "{name}");
                if let Some(k) = entry.get("privateKey").and_then(|v| v.as_str()) {
                    let key = KeyPair::from_pkcs8_pem(k).unwrap();
                    assert_eq!(&key.public_key(), c.public_key(), "{name}");
                }
                n += 1;
            }
        }
    }
    assert!(n >= 30, "{n} entries");
    // The keystore uses every named role except root/issuing authority.
    for r in [
        RemotePartyRole::Recovery,
        RemotePartyRole::Supplier,
        RemotePartyRole::NetworkOperator,
        RemotePartyRole::AccessControlBroker,
        RemotePartyRole::TransitionalCoS,
        RemotePartyRole::WanProvider,
        RemotePartyRole::LoadController,
        RemotePartyRole::OtherUser,
        RemotePartyRole::XmlSigning,
        RemotePartyRole::DspXmlSigning,
    ] {
        assert!(roles.contains(&r), "{r} not seen");
    }
}

#[test]
fn every_rtds_certificate() {
    let dir = corpus().join("rtds").join("keystore");
    let (mut devices, mut orgs) = (0, 0);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if !name.ends_with(".pem") {
            continue;
        }
        let pem = read(&path);
        if !pem.contains("BEGIN CERTIFICATE") {
            // fffffffffffffffe-ka.pem is a bare public key.
            assert!(PublicKey::from_spki_pem(&pem).is_ok(), "{name}");
            assert!(matches!(
                DeviceCertificate::from_pem(&pem),
                Err(SmkiError::Pem(_))
            ));
            continue;
        }
        // One corpus quirk: the file named for the WAN provider's KA certificate holds
        // Supplier 2's (90b3d51f30030000) KA certificate.
        let eui: Eui64 = if name == "90b3d51f30000007-ka.pem" {
            "90b3d51f30030000".parse().unwrap()
        } else {
            name[..16].parse().unwrap()
        };
        let usage = if name.ends_with("-ka.pem") {
            KeyUsage::KeyAgreement
        } else {
            KeyUsage::DigitalSignature
        };
        if name.starts_with("00db") {
            let c = DeviceCertificate::from_pem(&pem).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(c.eui(), eui, "{name}");
            assert_eq!(c.key_usage(), usage, "{name}");
            assert_eq!(c.issuer(), "CN=E357", "{name}");
            assert_eq!(c.not_after(), datetime!(9999-12-31 23:59:59 UTC), "{name}");
            assert_eq!(
                c.hw_type(),
                smki::profile::oid::SMKI_DEVICE_HW_TYPE,
                "{name}"
            );
            assert_eq!(c.serial().len(), 16, "{name}");
            assert_eq!(c.subject_key_id().map(<[u8]>::len), Some(8), "{name}");
            // Not an organisation certificate: no EUI in the subject.
            assert!(OrgCertificate::from_pem(&pem).is_err(), "{name}");
            devices += 1;
        } else {
            let c = OrgCertificate::from_pem(&pem).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(c.eui(), eui, "{name}");
            assert_eq!(c.key_usage(), usage, "{name}");
            assert!(DeviceCertificate::from_pem(&pem).is_err(), "{name}");
            orgs += 1;
        }
    }
    assert_eq!(devices, 400);
    assert!(orgs >= 15, "{orgs}");
    let c = DeviceCertificate::from_pem(&read(&dir.join("00db123456789001-ds.pem"))).unwrap();
    assert_eq!(c.serial(), hex("71c56392ce9985dd1b78be2eb23d610b"));
    assert_eq!(c.authority_key_id(), Some(&hex("47d40af3412904a0")[..]));
    assert_eq!(c.not_before(), datetime!(2016-04-06 00:00:00 UTC));
}

fn issued_world() -> (Pki, TestRng, OffsetDateTime) {
    let mut rng = TestRng::new(11);
    let now = datetime!(2026-01-01 12:00:00 UTC);
    let pki = Pki::generate(&mut rng, now, &PkiNames::default()).unwrap();
    (pki, rng, now)
}

#[test]
fn issued_certificates_read_back() {
    let (pki, mut rng, now) = issued_world();
    let key = KeyPair::generate(&mut rng);
    let serial = Serial::random(&mut rng);
    let req = OrgCertRequest {
        common_name: Some("Acme, \"Energy\"".to_owned()),
        eui: Eui64::from_u64(0x90B3_D51F_3001_0000),
        role: RemotePartyRole::XmlSigning,
        usage: KeyUsage::DigitalSignature,
        public_key: key.public_key(),
        serial,
        not_before: now,
        not_after: datetime!(2118-01-01 00:00:00 UTC),
    };
    let der = pki.oca.issue_organisation(&req).unwrap();
    let c = OrgCertificate::from_der(&der).unwrap();
    assert_eq!(c.common_name(), Some("Acme, \"Energy\""));
    assert_eq!(c.eui(), req.eui);
    assert_eq!(c.role(), RemotePartyRole::XmlSigning);
    assert_eq!(c.serial(), serial.bytes());
    assert_eq!(c.serial_decimal(), serial.to_decimal());
    assert_eq!(c.issuer(), "CN=OD1,OU=07");
    assert_eq!(c.issuer(), pki.oca.subject_rfc2253().unwrap());
    assert_eq!(
        c.subject(),
        "2.5.4.45=#03090090b3d51f30010000,OU=87,CN=Acme\\, \\\"Energy\\\""
    );
    assert_eq!(c.not_before(), now);
    assert_eq!(c.not_after(), req.not_after);
    assert_eq!(c.public_key(), &key.public_key());
    assert_eq!(
        c.subject_key_id(),
        Some(&key.public_key().key_identifier()[..])
    );
    assert_eq!(c.authority_key_id(), Some(&pki.oca.key_id()[..]));
    assert_eq!(c.der(), der);
    verify_issued_by(&der, pki.oca.cert_der()).unwrap();
    // By the bare key (a device's Root cell): the OCA's certificate verifies under the root's
    // key, not under another key; a certificate whose signature was altered does not verify.
    smki::verify_signed_by_key(pki.oca.cert_der(), &pki.org_root.key().public_key()).unwrap();
    smki::verify_signed_by_key(&der, &pki.oca.key().public_key()).unwrap();
    assert!(
        smki::verify_signed_by_key(pki.oca.cert_der(), &pki.device_root.key().public_key())
            .is_err()
    );
    let mut altered = pki.oca.cert_der().to_vec();
    if let Some(last) = altered.last_mut() {
        *last ^= 1;
    }
    assert!(smki::verify_signed_by_key(&altered, &pki.org_root.key().public_key()).is_err());
    assert!(
        smki::verify_signed_by_key(b"not a certificate", &pki.org_root.key().public_key()).is_err()
    );

    let dev_key = KeyPair::generate(&mut rng);
    let der = pki
        .dca
        .issue_device(&DeviceCertRequest {
            eui: Eui64::from_u64(0x00DB_1234_5678_90A0),
            usage: KeyUsage::KeyAgreement,
            public_key: dev_key.public_key(),
            serial: Serial::random(&mut rng),
            not_before: now,
        })
        .unwrap();
    let d = DeviceCertificate::from_der(&der).unwrap();
    assert_eq!(d.eui(), Eui64::from_u64(0x00DB_1234_5678_90A0));
    assert_eq!(d.key_usage(), KeyUsage::KeyAgreement);
    assert_eq!(d.public_key(), &dev_key.public_key());
    assert_eq!(d.not_after(), datetime!(9999-12-31 23:59:59 UTC));
    assert_eq!(d.issuer(), "CN=OD1D");

    let der = pki
        .dccki_issuing
        .issue_tls_client(&TlsClientCertRequest {
            eui: Eui64::from_u64(0x90B3_D51F_3001_0000),
            organisation: "Acme".to_owned(),
            public_key: key.public_key(),
            serial: Serial::random(&mut rng),
            not_before: now,
            not_after: now + Duration::days(30),
        })
        .unwrap();
    assert_eq!(
        tls_client_eui(&der).unwrap(),
        Eui64::from_u64(0x90B3_D51F_3001_0000)
    );
    // Organisation and device certificates name no user in a CN.
    assert!(tls_client_eui(&cert_from_pem(&zaz1("Z1-supplier-ds.pem")).unwrap()).is_err());
    assert!(tls_client_eui(pki.oca.cert_der()).is_err());
}

#[test]
fn pem_helpers() {
    let pem = zaz1("Z1-supplier-ds.pem");
    let der = cert_from_pem(&pem).unwrap();
    let again = smki::cert_to_pem(&der).unwrap();
    assert_eq!(cert_from_pem(&again).unwrap(), der);
    assert!(matches!(
        cert_from_pem(&zaz1("dsp-xml-sign-90B3D51F30000002-ds.key.pem")),
        Err(SmkiError::Pem(_))
    ));
    assert!(matches!(cert_from_pem("nonsense"), Err(SmkiError::Pem(_))));
    // Trailing bytes after the certificate are refused.
    let mut long = der.clone();
    long.push(0);
    assert!(matches!(
        OrgCertificate::from_der(&long),
        Err(SmkiError::MalformedCertificate(_))
    ));
}

fn corpus_ders() -> Vec<Vec<u8>> {
    [
        corpus().join("zaz1/Z1-supplier-ds.pem"),
        corpus().join("rtds/keystore/00db123456789001-ka.pem"),
    ]
    .iter()
    .map(|p| cert_from_pem(&read(p)).unwrap())
    .collect()
}

/// An organisation certificate issued here, and its issuer's certificate.
fn issued_pair() -> &'static (Vec<u8>, Vec<u8>) {
    static PAIR: std::sync::OnceLock<(Vec<u8>, Vec<u8>)> = std::sync::OnceLock::new();
    PAIR.get_or_init(|| {
        let (pki, mut rng, now) = issued_world();
        let der = pki
            .oca
            .issue_organisation(&OrgCertRequest {
                common_name: Some("ACME".to_owned()),
                eui: Eui64::from_u64(0x90B3_D51F_3001_0000),
                role: RemotePartyRole::Supplier,
                usage: KeyUsage::DigitalSignature,
                public_key: KeyPair::generate(&mut rng).public_key(),
                serial: Serial::random(&mut rng),
                not_before: now,
                not_after: now + Duration::days(365),
            })
            .unwrap();
        (der, pki.oca.cert_der().to_vec())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Corrupting or truncating a real certificate never panics any reader.
    #[test]
    fn mutated_corpus_certificates_never_panic(which in 0usize..2, pos in any::<usize>(), xor in 1u8..=255, cut in any::<bool>()) {
        let ders = corpus_ders();
        let original = &ders[which];
        let mut der = original.clone();
        let i = pos % der.len();
        if cut {
            der.truncate(i);
        } else {
            der[i] ^= xor;
        }
        let _ = OrgCertificate::from_der(&der);
        let _ = DeviceCertificate::from_der(&der);
        let _ = tls_client_eui(&der);
        let _ = verify_issued_by(&der, original);
        let _ = verify_issued_by(original, &der);
    }

    /// No single-byte change to an issued certificate survives the chain check.
    #[test]
    fn mutated_issued_certificates_never_verify(pos in any::<usize>(), xor in 1u8..=255) {
        let (der, issuer) = issued_pair();
        let mut bad = der.clone();
        let i = pos % bad.len();
        bad[i] ^= xor;
        prop_assert!(verify_issued_by(&bad, issuer).is_err());
        let _ = OrgCertificate::from_der(&bad);
    }

    #[test]
    fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = OrgCertificate::from_der(&b);
        let _ = DeviceCertificate::from_der(&b);
        let _ = tls_client_eui(&b);
        let _ = verify_issued_by(&b, &b);
    }
}

#[test]
fn unmutated_issued_certificate_verifies() {
    let (der, issuer) = issued_pair();
    verify_issued_by(der, issuer).unwrap();
}

/// Exhaustively: no single-bit flip (four bit positions per byte) anywhere in an issued
/// certificate, signed part or not, survives the chain check.
#[test]
fn no_bit_flip_survives_the_chain_check() {
    let (der, issuer) = issued_pair();
    for i in 0..der.len() {
        for x in [0x01u8, 0x20, 0x40, 0x80] {
            let mut bad = der.clone();
            bad[i] ^= x;
            assert!(
                verify_issued_by(&bad, issuer).is_err(),
                "flip {x:#04x} at byte {i} still verifies"
            );
        }
    }
}
