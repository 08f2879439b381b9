//! DCCKI certificates as rustls (webpki, aws-lc-rs provider) sees them: what the user gateway
//! accepts as client certificates and what clients accept as its server certificate.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use common::TestRng;
use rustls::RootCertStore;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::ClientCertVerifier;
use smki::{
    Eui64, KeyPair, KeyUsage, OrgCertRequest, Pki, PkiNames, RemotePartyRole, Serial,
    TlsClientCertRequest, TlsServerCertRequest,
};
use time::{Duration, OffsetDateTime, macros::datetime};

const NOW: OffsetDateTime = datetime!(2026-06-01 12:00:00 UTC);

fn unix(t: OffsetDateTime) -> UnixTime {
    UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        u64::try_from(t.unix_timestamp()).unwrap(),
    ))
}

fn cert(der: &[u8]) -> CertificateDer<'static> {
    CertificateDer::from(der.to_vec())
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn roots(ders: &[&[u8]]) -> Arc<RootCertStore> {
    let mut r = RootCertStore::empty();
    for d in ders {
        r.add(cert(d)).unwrap();
    }
    Arc::new(r)
}

struct Fixture {
    pki: Pki,
    client: Vec<u8>,
    server: Vec<u8>,
    org: Vec<u8>,
}

fn fixture() -> Fixture {
    let mut rng = TestRng::new(21);
    let pki = Pki::generate(&mut rng, NOW, &PkiNames::default()).unwrap();
    let client = pki
        .dccki_issuing
        .issue_tls_client(&TlsClientCertRequest {
            eui: Eui64::from_u64(0x90B3_D51F_3001_0000),
            organisation: "Acme Energy Ltd".to_owned(),
            public_key: KeyPair::generate(&mut rng).public_key(),
            serial: Serial::random(&mut rng),
            not_before: NOW - Duration::days(1),
            not_after: NOW + Duration::days(365),
        })
        .unwrap();
    let server = pki
        .dccki_issuing
        .issue_tls_server(&TlsServerCertRequest {
            common_name: "localhost".to_owned(),
            dns_names: vec!["localhost".to_owned()],
            ip_addresses: vec![IpAddr::V4(Ipv4Addr::LOCALHOST)],
            public_key: KeyPair::generate(&mut rng).public_key(),
            serial: Serial::random(&mut rng),
            not_before: NOW - Duration::days(1),
            not_after: NOW + Duration::days(365),
        })
        .unwrap();
    let org = pki
        .oca
        .issue_organisation(&OrgCertRequest {
            common_name: Some("Acme Energy Ltd".to_owned()),
            eui: Eui64::from_u64(0x90B3_D51F_3001_0000),
            role: RemotePartyRole::Supplier,
            usage: KeyUsage::DigitalSignature,
            public_key: KeyPair::generate(&mut rng).public_key(),
            serial: Serial::random(&mut rng),
            not_before: NOW - Duration::days(1),
            not_after: NOW + Duration::days(365),
        })
        .unwrap();
    Fixture {
        pki,
        client,
        server,
        org,
    }
}

fn client_verifier(trust: &[&[u8]]) -> Arc<dyn ClientCertVerifier> {
    WebPkiClientVerifier::builder_with_provider(roots(trust), provider())
        .build()
        .unwrap()
}

#[test]
fn dccki_client_certificate_is_accepted_by_webpki() {
    let f = fixture();
    let v = client_verifier(&[f.pki.dccki_root.cert_der()]);
    v.verify_client_cert(
        &cert(&f.client),
        &[cert(f.pki.dccki_issuing.cert_der())],
        unix(NOW),
    )
    .unwrap();
    assert_eq!(
        smki::tls_client_eui(&f.client).unwrap(),
        Eui64::from_u64(0x90B3_D51F_3001_0000)
    );
}

#[test]
fn other_certificates_are_refused_as_clients() {
    let f = fixture();
    let v = client_verifier(&[f.pki.dccki_root.cert_der()]);
    let inter = [cert(f.pki.dccki_issuing.cert_der())];

    // An organisation certificate from the OCA (webpki stops at its critical policies).
    assert!(
        v.verify_client_cert(&cert(&f.org), &[cert(f.pki.oca.cert_der())], unix(NOW))
            .is_err()
    );

    // A DCCKI client certificate from another PKI with the same CA names: the names chain
    // to our root, the signatures do not.
    let mut rng = TestRng::new(22);
    let foreign = Pki::generate(&mut rng, NOW, &PkiNames::default()).unwrap();
    let foreign_client = foreign
        .dccki_issuing
        .issue_tls_client(&TlsClientCertRequest {
            eui: Eui64::from_u64(0x90B3_D51F_3001_0000),
            organisation: "Acme Energy Ltd".to_owned(),
            public_key: KeyPair::generate(&mut rng).public_key(),
            serial: Serial::random(&mut rng),
            not_before: NOW - Duration::days(1),
            not_after: NOW + Duration::days(365),
        })
        .unwrap();
    let e = v
        .verify_client_cert(
            &cert(&foreign_client),
            &[cert(foreign.dccki_issuing.cert_der())],
            unix(NOW),
        )
        .unwrap_err();
    let e = format!("{e:?}");
    assert!(
        e.contains("BadSignature") || e.contains("UnknownIssuer"),
        "{e}"
    );

    // Without the issuing CA the chain cannot be built.
    assert!(
        v.verify_client_cert(&cert(&f.client), &[], unix(NOW))
            .is_err()
    );

    // A server certificate is not for clients (extended key usage).
    assert!(
        v.verify_client_cert(&cert(&f.server), &inter, unix(NOW))
            .is_err()
    );

    // Outside the validity period.
    assert!(
        v.verify_client_cert(&cert(&f.client), &inter, unix(NOW + Duration::days(400)))
            .is_err()
    );

    // A tampered client certificate.
    let mut bad = f.client.clone();
    let pos = bad.windows(4).position(|w| w == b"Acme").unwrap();
    bad[pos] = b'B';
    assert!(
        v.verify_client_cert(&cert(&bad), &inter, unix(NOW))
            .is_err()
    );
}

/// Why DCCKI certificates carry no certificatePolicies: webpki refuses the critical one SMKI
/// certificates have, even when their own root is trusted.
#[test]
fn webpki_refuses_smki_critical_policies() {
    let f = fixture();
    let v = client_verifier(&[f.pki.org_root.cert_der()]);
    let e = v
        .verify_client_cert(&cert(&f.org), &[cert(f.pki.oca.cert_der())], unix(NOW))
        .unwrap_err();
    assert!(
        format!("{e:?}").contains("UnsupportedCriticalExtension"),
        "{e:?}"
    );
}

#[test]
fn dccki_server_certificate_is_accepted_by_webpki() {
    let f = fixture();
    let v = WebPkiServerVerifier::builder_with_provider(
        roots(&[f.pki.dccki_root.cert_der()]),
        provider(),
    )
    .build()
    .unwrap();
    let inter = [cert(f.pki.dccki_issuing.cert_der())];
    for name in ["localhost", "127.0.0.1"] {
        v.verify_server_cert(
            &cert(&f.server),
            &inter,
            &ServerName::try_from(name).unwrap(),
            &[],
            unix(NOW),
        )
        .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    }
    assert!(
        v.verify_server_cert(
            &cert(&f.server),
            &inter,
            &ServerName::try_from("dcc.example.test").unwrap(),
            &[],
            unix(NOW),
        )
        .is_err()
    );
    // A client certificate is no server certificate.
    assert!(
        v.verify_server_cert(
            &cert(&f.client),
            &inter,
            &ServerName::try_from("localhost").unwrap(),
            &[],
            unix(NOW),
        )
        .is_err()
    );
}
