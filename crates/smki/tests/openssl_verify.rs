//! Every certificate type, checked by an independent implementation: `openssl verify` must
//! accept each chain (also with `-x509_strict`), and refuse tampered or misplaced ones.
//! Needs the `openssl` command line tool (Debian package `openssl`).

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::TestRng;
use smki::{
    Ca, DeviceCertRequest, Eui64, KeyPair, KeyUsage, OrgCertRequest, Pki, PkiNames,
    RemotePartyRole, Serial, TlsClientCertRequest, TlsServerCertRequest, cert_to_pem,
    verify_issued_by,
};
use time::{Duration, OffsetDateTime};

struct World {
    pki: Pki,
    dir: tempfile::TempDir,
    rng: TestRng,
    now: OffsetDateTime,
}

impl World {
    fn new(seed: u64) -> Self {
        let mut rng = TestRng::new(seed);
        let now = OffsetDateTime::now_utc();
        let pki = Pki::generate(&mut rng, now, &PkiNames::default()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let w = Self { pki, dir, rng, now };
        for (name, ca) in [
            ("org-root", &w.pki.org_root),
            ("oca", &w.pki.oca),
            ("device-root", &w.pki.device_root),
            ("dca", &w.pki.dca),
            ("dccki-root", &w.pki.dccki_root),
            ("dccki-ca", &w.pki.dccki_issuing),
        ] {
            w.write(&format!("{name}.pem"), ca.cert_der());
        }
        w
    }

    fn write(&self, name: &str, der: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, cert_to_pem(der).unwrap()).unwrap();
        p
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn key(&mut self) -> KeyPair {
        KeyPair::generate(&mut self.rng)
    }

    fn serial(&mut self) -> Serial {
        Serial::random(&mut self.rng)
    }

    fn org(
        &mut self,
        cn: Option<&str>,
        eui: u64,
        role: RemotePartyRole,
        usage: KeyUsage,
    ) -> Vec<u8> {
        let req = OrgCertRequest {
            common_name: cn.map(str::to_owned),
            eui: Eui64::from_u64(eui),
            role,
            usage,
            public_key: self.key().public_key(),
            serial: self.serial(),
            not_before: self.now - Duration::hours(1),
            not_after: self.now + Duration::days(365),
        };
        self.pki.oca.issue_organisation(&req).unwrap()
    }

    fn device(&mut self, eui: u64, usage: KeyUsage) -> Vec<u8> {
        let req = DeviceCertRequest {
            eui: Eui64::from_u64(eui),
            usage,
            public_key: self.key().public_key(),
            serial: self.serial(),
            not_before: self.now - Duration::hours(1),
        };
        self.pki.dca.issue_device(&req).unwrap()
    }

    fn tls_server(&mut self) -> Vec<u8> {
        let req = TlsServerCertRequest {
            common_name: "localhost".to_owned(),
            dns_names: vec!["localhost".to_owned(), "dcc.example.test".to_owned()],
            ip_addresses: vec![
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(Ipv6Addr::LOCALHOST),
            ],
            public_key: self.key().public_key(),
            serial: self.serial(),
            not_before: self.now - Duration::hours(1),
            not_after: self.now + Duration::days(365),
        };
        self.pki.dccki_issuing.issue_tls_server(&req).unwrap()
    }

    fn tls_client(&mut self, eui: u64) -> Vec<u8> {
        let req = TlsClientCertRequest {
            eui: Eui64::from_u64(eui),
            organisation: "Acme Energy Ltd".to_owned(),
            public_key: self.key().public_key(),
            serial: self.serial(),
            not_before: self.now - Duration::hours(1),
            not_after: self.now + Duration::days(365),
        };
        self.pki.dccki_issuing.issue_tls_client(&req).unwrap()
    }
}

fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("the openssl command line tool must be installed (Debian: openssl)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `openssl verify -CAfile root -untrusted issuing leaf`, plain and strict, plus extra args.
fn assert_verifies(root: &Path, issuing: &Path, leaf: &Path, extra: &[&str]) {
    for strict in [false, true] {
        let mut args = vec!["verify"];
        if strict {
            args.push("-x509_strict");
        }
        args.extend_from_slice(extra);
        args.extend_from_slice(&["-CAfile", s(root), "-untrusted", s(issuing), s(leaf)]);
        let (ok, text) = openssl(&args);
        assert!(ok, "openssl {args:?} failed:\n{text}");
        assert_eq!(text.trim(), format!("{}: OK", s(leaf)), "{args:?}");
    }
}

fn assert_rejected(root: &Path, issuing: &Path, leaf: &Path) -> String {
    let (ok, text) = openssl(&[
        "verify",
        "-CAfile",
        s(root),
        "-untrusted",
        s(issuing),
        s(leaf),
    ]);
    assert!(!ok, "openssl accepted {}:\n{text}", s(leaf));
    text
}

#[test]
fn every_certificate_type_verifies_with_openssl() {
    let mut w = World::new(1);
    let org_root = w.path("org-root.pem");
    let oca = w.path("oca.pem");
    let leaves = [
        (
            "org-supplier-ds.pem",
            w.org(
                Some("ACME ENERGY"),
                0x90B3_D51F_3001_0000,
                RemotePartyRole::Supplier,
                KeyUsage::DigitalSignature,
            ),
        ),
        (
            "org-supplier-ka.pem",
            w.org(
                Some("ACME ENERGY"),
                0x90B3_D51F_3001_0000,
                RemotePartyRole::Supplier,
                KeyUsage::KeyAgreement,
            ),
        ),
        (
            "org-acb-ds.pem",
            w.org(
                None,
                0x90B3_D51F_3000_0002,
                RemotePartyRole::AccessControlBroker,
                KeyUsage::DigitalSignature,
            ),
        ),
        (
            "org-xml-sign.pem",
            w.org(
                None,
                0x90B3_D51F_3001_0000,
                RemotePartyRole::XmlSigning,
                KeyUsage::DigitalSignature,
            ),
        ),
        (
            "org-dsp-xml-sign.pem",
            w.org(
                None,
                0x90B3_D51F_3000_0002,
                RemotePartyRole::DspXmlSigning,
                KeyUsage::DigitalSignature,
            ),
        ),
        (
            "org-other-user.pem",
            w.org(
                Some("MDR"),
                0x90B3_D51F_3001_0009,
                RemotePartyRole::OtherUser,
                KeyUsage::KeyAgreement,
            ),
        ),
    ];
    for (name, der) in &leaves {
        let leaf = w.write(name, der);
        assert_verifies(&org_root, &oca, &leaf, &[]);
        verify_issued_by(der, w.pki.oca.cert_der()).unwrap();
    }

    let device_root = w.path("device-root.pem");
    let dca = w.path("dca.pem");
    for (name, der) in [
        (
            "device-ds.pem",
            w.device(0x00DB_1234_5678_90A0, KeyUsage::DigitalSignature),
        ),
        (
            "device-ka.pem",
            w.device(0x00DB_1234_5678_90A0, KeyUsage::KeyAgreement),
        ),
    ] {
        let leaf = w.write(name, &der);
        assert_verifies(&device_root, &dca, &leaf, &[]);
        verify_issued_by(&der, w.pki.dca.cert_der()).unwrap();
    }

    let dccki_root = w.path("dccki-root.pem");
    let dccki_ca = w.path("dccki-ca.pem");
    let server = w.tls_server();
    let server_pem = w.write("tls-server.pem", &server);
    assert_verifies(
        &dccki_root,
        &dccki_ca,
        &server_pem,
        &["-purpose", "sslserver"],
    );
    assert_verifies(
        &dccki_root,
        &dccki_ca,
        &server_pem,
        &["-verify_hostname", "localhost"],
    );
    assert_verifies(
        &dccki_root,
        &dccki_ca,
        &server_pem,
        &["-verify_ip", "127.0.0.1"],
    );
    let client = w.tls_client(0x90B3_D51F_3001_0000);
    let client_pem = w.write("tls-client.pem", &client);
    assert_verifies(
        &dccki_root,
        &dccki_ca,
        &client_pem,
        &["-purpose", "sslclient"],
    );

    // Purposes are enforced: the client certificate is no server certificate and vice versa.
    let (ok, _) = openssl(&[
        "verify",
        "-purpose",
        "sslserver",
        "-CAfile",
        s(&dccki_root),
        "-untrusted",
        s(&dccki_ca),
        s(&client_pem),
    ]);
    assert!(
        !ok,
        "client certificate accepted as a TLS server certificate"
    );
    let (ok, _) = openssl(&[
        "verify",
        "-purpose",
        "sslclient",
        "-CAfile",
        s(&dccki_root),
        "-untrusted",
        s(&dccki_ca),
        s(&server_pem),
    ]);
    assert!(
        !ok,
        "server certificate accepted as a TLS client certificate"
    );

    // CA certificates themselves chain up.
    verify_issued_by(w.pki.oca.cert_der(), w.pki.org_root.cert_der()).unwrap();
    verify_issued_by(w.pki.org_root.cert_der(), w.pki.org_root.cert_der()).unwrap();
    assert_verifies(&org_root, &org_root, &oca, &[]);
}

#[test]
fn tampered_and_misplaced_certificates_are_refused() {
    let mut w = World::new(2);
    let der = w.org(
        Some("ACME ENERGY"),
        0x90B3_D51F_3001_0000,
        RemotePartyRole::Supplier,
        KeyUsage::DigitalSignature,
    );

    // Change the subject's name in the signed part: ACME -> ACMF.
    let pos = der.windows(4).position(|w| w == b"ACME").unwrap();
    let mut tampered = der.clone();
    tampered[pos + 3] = b'F';
    let leaf = w.write("tampered.pem", &tampered);
    let text = assert_rejected(&w.path("org-root.pem"), &w.path("oca.pem"), &leaf);
    assert!(text.contains("signature"), "{text}");
    assert_eq!(
        verify_issued_by(&tampered, w.pki.oca.cert_der()),
        Err(smki::SmkiError::BadSignature)
    );

    // Flip a bit in the signature value itself (its last byte).
    let mut bad_sig = der.clone();
    *bad_sig.last_mut().unwrap() ^= 0x01;
    let leaf = w.write("bad-sig.pem", &bad_sig);
    assert_rejected(&w.path("org-root.pem"), &w.path("oca.pem"), &leaf);
    assert!(verify_issued_by(&bad_sig, w.pki.oca.cert_der()).is_err());

    // The right profile under the wrong hierarchy.
    let leaf = w.write("good.pem", &der);
    assert_rejected(&w.path("device-root.pem"), &w.path("dca.pem"), &leaf);
    assert_rejected(&w.path("dccki-root.pem"), &w.path("dccki-ca.pem"), &leaf);
    assert!(matches!(
        verify_issued_by(&der, w.pki.dca.cert_der()),
        Err(smki::SmkiError::IssuerNameMismatch { .. })
    ));

    // A CA with the same name but another key: names match, key ids and signature do not.
    let mut rng = TestRng::new(99);
    let other = Pki::generate(&mut rng, w.now, &PkiNames::default()).unwrap();
    assert_eq!(
        verify_issued_by(&der, other.oca.cert_der()),
        Err(smki::SmkiError::KeyIdentifierMismatch)
    );
    // A leaf is no issuer.
    let leaf2 = w.org(
        None,
        1,
        RemotePartyRole::Supplier,
        KeyUsage::DigitalSignature,
    );
    assert_eq!(
        verify_issued_by(&der, &leaf2),
        Err(smki::SmkiError::IssuerNotCa)
    );
}

#[test]
fn profiles_look_like_the_corpus_to_openssl() {
    let mut w = World::new(3);
    let der = w.org(
        Some("ACME ENERGY"),
        0x90B3_D51F_3001_0000,
        RemotePartyRole::Supplier,
        KeyUsage::DigitalSignature,
    );
    let p = w.write("org.pem", &der);
    let (ok, text) = openssl(&["x509", "-in", s(&p), "-noout", "-text"]);
    assert!(ok, "{text}");
    assert!(text.contains("Issuer: OU = 07, CN = OD1"), "{text}");
    assert!(
        text.contains(
            "Subject: CN = ACME ENERGY, OU = 02, x500UniqueIdentifier = #03090090B3D51F30010000"
        ),
        "{text}"
    );
    assert!(
        text.contains("X509v3 Key Usage: critical\n                Digital Signature\n"),
        "{text}"
    );
    assert!(text.contains("X509v3 Certificate Policies: critical\n                Policy: 1.2.826.0.1.8641679.1.2.1.4"), "{text}");
    assert!(
        text.contains("Signature Algorithm: ecdsa-with-SHA256"),
        "{text}"
    );
    assert!(text.contains("ASN1 OID: prime256v1"), "{text}");

    let der = w.device(0x00DB_1234_5678_9001, KeyUsage::KeyAgreement);
    let p = w.write("device.pem", &der);
    let (ok, text) = openssl(&["x509", "-in", s(&p), "-noout", "-text"]);
    assert!(ok, "{text}");
    assert!(text.contains("Issuer: CN = OD1D"), "{text}");
    assert!(
        text.contains("Not After : Dec 31 23:59:59 9999 GMT"),
        "{text}"
    );
    assert!(
        text.contains("X509v3 Subject Alternative Name: critical"),
        "{text}"
    );
    assert!(text.contains("Key Agreement"), "{text}");
    // Same SAN bytes as RTDS 00db123456789001-ka.pem (hwType + hwSerialNum).
    let (ok, asn1) = openssl(&["asn1parse", "-in", s(&p)]);
    assert!(ok);
    assert!(
        asn1.contains(
            "3029A02706082B06010505070804A01B3019060D2A863A0001848FB90F01020201040800DB123456789001"
        ),
        "{asn1}"
    );

    let der = w.tls_client(0x90B3_D51F_3001_0000);
    let p = w.write("client.pem", &der);
    let (ok, text) = openssl(&["x509", "-in", s(&p), "-noout", "-text"]);
    assert!(ok, "{text}");
    assert!(
        text.contains("Subject: CN = 90-B3-D5-1F-30-01-00-00, O = Acme Energy Ltd"),
        "{text}"
    );
    assert!(text.contains("TLS Web Client Authentication"), "{text}");
    assert!(!text.contains("Policies"), "{text}");

    let (ok, text) = openssl(&["x509", "-in", s(&w.path("org-root.pem")), "-noout", "-text"]);
    assert!(ok);
    assert!(text.contains("CA:TRUE, pathlen:1"), "{text}");
    assert!(text.contains("Certificate Sign, CRL Sign"), "{text}");
    let (ok, text) = openssl(&["x509", "-in", s(&w.path("dca.pem")), "-noout", "-text"]);
    assert!(ok);
    assert!(text.contains("CA:TRUE, pathlen:0"), "{text}");
}

#[test]
fn wrong_ca_for_the_profile_is_refused() {
    let mut w = World::new(4);
    let pk = w.key().public_key();
    let now = w.now;
    let org = OrgCertRequest {
        common_name: None,
        eui: Eui64::from_u64(1),
        role: RemotePartyRole::Supplier,
        usage: KeyUsage::DigitalSignature,
        public_key: pk,
        serial: w.serial(),
        not_before: now,
        not_after: now + Duration::days(1),
    };
    for ca in [&w.pki.org_root, &w.pki.dca, &w.pki.dccki_issuing] {
        assert!(matches!(
            ca.issue_organisation(&org),
            Err(smki::SmkiError::WrongCa { .. })
        ));
    }
    let dev = DeviceCertRequest {
        eui: Eui64::from_u64(1),
        usage: KeyUsage::DigitalSignature,
        public_key: pk,
        serial: w.serial(),
        not_before: now,
    };
    assert!(w.pki.oca.issue_device(&dev).is_err());
    let spec = smki::CaSpec {
        common_name: "X".into(),
        serial: w.serial(),
        not_before: now,
        not_after: now + Duration::days(1),
    };
    let k = w.key();
    assert!(w.pki.oca.issue_subordinate(&spec, k).is_err());
    // CA roles are not for end entities; times must be ordered.
    let mut bad = org.clone();
    bad.role = RemotePartyRole::IssuingAuthority;
    assert!(w.pki.oca.issue_organisation(&bad).is_err());
    let mut bad = org;
    bad.not_after = bad.not_before;
    assert!(w.pki.oca.issue_organisation(&bad).is_err());
    // A reloaded CA issues the same (deterministic signatures).
    let again = Ca::from_parts(
        w.pki.oca.kind(),
        w.pki.oca.key().clone(),
        w.pki.oca.cert_der().to_vec(),
    )
    .unwrap();
    let mut ok_req = OrgCertRequest {
        common_name: Some("X".into()),
        eui: Eui64::from_u64(7),
        role: RemotePartyRole::NetworkOperator,
        usage: KeyUsage::KeyAgreement,
        public_key: pk,
        serial: w.serial(),
        not_before: now,
        not_after: now + Duration::days(1),
    };
    assert_eq!(
        again.issue_organisation(&ok_req).unwrap(),
        w.pki.oca.issue_organisation(&ok_req).unwrap()
    );
    ok_req.common_name = None;
    assert_ne!(
        again.issue_organisation(&ok_req).unwrap(),
        w.pki
            .oca
            .issue_organisation(&{
                let mut r = ok_req.clone();
                r.common_name = Some("X".into());
                r
            })
            .unwrap()
    );
    // A key that is not the CA's is refused on reload.
    assert_eq!(
        Ca::from_parts(w.pki.oca.kind(), w.key(), w.pki.oca.cert_der().to_vec()).err(),
        Some(smki::SmkiError::CaKeyMismatch)
    );
    // The kind must fit the certificate: an OCA is not a root, a root is not an OCA.
    assert!(
        Ca::from_parts(
            smki::CaKind::OrganisationRoot,
            w.pki.oca.key().clone(),
            w.pki.oca.cert_der().to_vec()
        )
        .is_err()
    );
    assert!(
        Ca::from_parts(
            smki::CaKind::Oca,
            w.pki.org_root.key().clone(),
            w.pki.org_root.cert_der().to_vec()
        )
        .is_err()
    );
    // An end-entity certificate is no CA, even with its own key.
    let leaf_key = w.key();
    let leaf = w
        .pki
        .oca
        .issue_organisation(&OrgCertRequest {
            public_key: leaf_key.public_key(),
            ..ok_req
        })
        .unwrap();
    assert_eq!(
        Ca::from_parts(smki::CaKind::Oca, leaf_key, leaf).err(),
        Some(smki::SmkiError::IssuerNotCa)
    );
    // Reloading a root and issuing a new subordinate from it works and chains.
    let root = Ca::from_parts(
        smki::CaKind::OrganisationRoot,
        w.pki.org_root.key().clone(),
        w.pki.org_root.cert_der().to_vec(),
    )
    .unwrap();
    let spec = smki::CaSpec {
        common_name: "OD2".into(),
        serial: w.serial(),
        not_before: now,
        not_after: now + Duration::days(10),
    };
    let k = w.key();
    let oca2 = root.issue_subordinate(&spec, k).unwrap();
    assert_eq!(oca2.kind(), smki::CaKind::Oca);
    assert_eq!(oca2.subject_rfc2253().unwrap(), "CN=OD2,OU=07");
    verify_issued_by(oca2.cert_der(), w.pki.org_root.cert_der()).unwrap();
}
