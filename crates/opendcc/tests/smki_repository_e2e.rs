//! The SMKI repository of a running demo (`smki_url`, DCC Boxed's port-8083 interface) and the
//! separation of test and live (SEC H4), driven over loopback against the real binary.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use smki_service::{CertRecord, Environment};

/// One HTTP/1.1 exchange (`Connection: close`): (status, content type, body).
fn http(method: &str, url: &str, body: &str) -> (u16, String, Vec<u8>) {
    let rest = url.strip_prefix("http://").expect("a plain-HTTP URL");
    let (host, path) = rest.split_once('/').expect("a URL with a path");
    let mut s = TcpStream::connect(host).expect("connecting to the repository");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("setting a read timeout");
    write!(
        s,
        "{method} /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/xml\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("sending the request");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("reading the answer");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status code");
    let ct = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type:")
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_default();
    (status, ct, raw[split + 4..].to_vec())
}

/// The repository's certificate search service at `base` (live or test) asked with `request`.
fn search_at(base: &str, request: &str) -> (u16, String, Vec<u8>) {
    http(
        "POST",
        &format!("{base}services/certificatesearch"),
        request,
    )
}

/// The repository's retrieve-certificate service at `base` (live or test) asked for `serial`.
fn retrieve_at(base: &str, serial: &str) -> (u16, String, Vec<u8>) {
    http(
        "POST",
        &format!("{base}services/retrievecertificate"),
        &retrieve(serial),
    )
}

/// The demo's (live, test) repository URLs from `demo.json`.
fn repository_urls(demo: &Demo) -> (String, String) {
    let m = demo.manifest();
    (
        m.smki_url.clone().expect("smki_url in demo.json"),
        m.smki_test_url.clone().expect("smki_test_url in demo.json"),
    )
}

fn search_by_name(eui: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><CertificateSearchRequest>\
         <CertificateSubjectName>{}</CertificateSubjectName></CertificateSearchRequest>",
        eui.to_ascii_lowercase()
    )
}

fn retrieve(serial: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><CertificateDataRequest>\
         <CertificateSerial>{}</CertificateSerial></CertificateDataRequest>",
        serial.to_ascii_lowercase()
    )
}

fn serial_of(pem: &Path) -> String {
    CertRecord::organisation(&cert_der(pem), Environment::Live, 0)
        .expect("an organisation certificate")
        .serial
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn repository_publishes_live_and_test_apart() {
    let demo = Demo::start();
    let (live, test) = repository_urls(&demo);
    assert!(live.starts_with("http://127.0.0.1:") && live.ends_with('/'));
    assert_eq!(test, format!("{live}test/"));
    let data = demo.data_dir();
    let user = demo.user("supplier-a").clone();
    let udir = data.join("users/supplier-a");
    let live_serial = serial_of(&user.signing_cert);
    let test_serial = serial_of(&udir.join("test-signing.pem"));
    let ka_serial = serial_of(&udir.join("ka.pem"));

    // Search: the live repository has the user's live certificates (signing and key agreement),
    // the test repository its test certificate, and neither has the other's.
    let started = Instant::now();
    let (st, ct, body) = search_at(&live, &search_by_name(&user.eui));
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "SEC's 30-second target"
    );
    assert_eq!(
        (st, ct.as_str()),
        (200, "application/xml"),
        "{}",
        text(&body)
    );
    let body = text(&body);
    assert!(body.contains(&format!("<CertificateSerial>{live_serial}</CertificateSerial><CertificateUsage>DS</CertificateUsage><CertificateStatus>I</CertificateStatus><CertificateRole>2</CertificateRole>")), "{body}");
    assert!(
        body.contains(&format!(
            "<CertificateSerial>{ka_serial}</CertificateSerial><CertificateUsage>KA<"
        )),
        "{body}"
    );
    assert!(
        !body.contains(&test_serial),
        "a test certificate in the live repository: {body}"
    );
    let (st, _, body) = search_at(&test, &search_by_name(&user.eui));
    let body = text(&body);
    assert_eq!(st, 200, "{body}");
    assert!(body.contains(&test_serial), "{body}");
    assert!(
        !body.contains(&live_serial),
        "a live certificate in the test repository: {body}"
    );

    // Retrieve: each repository by serial, only its own certificates.
    let (st, _, body) = retrieve_at(&live, &live_serial);
    assert_eq!(st, 200);
    let body = text(&body);
    assert!(
        body.contains("<CertificateSubjectName>90-b3-d5-1f-30-01-00-00</CertificateSubjectName>"),
        "{body}"
    );
    let (st, _, body) = retrieve_at(&live, &test_serial);
    assert_eq!(
        (st, body.len()),
        (402, 0),
        "the live repository retrieved a test certificate"
    );
    let (st, _, _) = retrieve_at(&test, &test_serial);
    assert_eq!(st, 200);

    // Nothing found is 402 with no body; a request that is not one is 401.
    let (st, _, body) = search_at(&live, &search_by_name("ff-ff-ff-ff-ff-ff-ff-fe"));
    assert_eq!((st, body.len()), (402, 0));
    let (st, _, body) = search_at(
        &live,
        "<CertificateSearchRequest><Nonsense>1</Nonsense></CertificateSearchRequest>",
    );
    assert_eq!(st, 401);
    assert!(text(&body).contains("Nonsense"), "{}", text(&body));

    // Published material: CA certificates, each certificate by serial, documents.
    let (st, ct, der) = http("GET", &format!("{live}ca/oca.der"), "");
    assert_eq!((st, ct.as_str()), (200, "application/pkix-cert"));
    assert_eq!(der, cert_der(&data.join("pki/org-issuing.pem")));
    let (st, _, test_oca) = http("GET", &format!("{test}ca/oca.der"), "");
    assert_eq!(st, 200);
    assert_ne!(test_oca, der);
    assert_eq!(test_oca, cert_der(&data.join("pki/test/org-issuing.pem")));
    assert!(
        test_oca.windows(4).any(|w| w == b"TEST"),
        "the test OCA says so"
    );
    smki::verify_issued_by(&cert_der(&udir.join("test-signing.pem")), &test_oca)
        .expect("the test certificate chains to the test OCA");
    assert!(smki::verify_issued_by(&cert_der(&udir.join("test-signing.pem")), &der).is_err());
    let (st, _, pem) = http("GET", &format!("{live}ca/device-root.pem"), "");
    assert_eq!(st, 200);
    assert_eq!(
        text(&pem),
        std::fs::read_to_string(data.join("pki/device-root.pem")).unwrap()
    );
    let (st, _, listing) = http("GET", &format!("{live}ca/"), "");
    assert_eq!(st, 200);
    assert_eq!(text(&listing).lines().count(), 6, "{}", text(&listing));
    let (st, _, cert) = http(
        "GET",
        &format!("{live}certificates/{}", live_serial.to_ascii_lowercase()),
        "",
    );
    assert_eq!(st, 200);
    assert_eq!(cert, cert_der(&user.signing_cert));
    let (st, _, _) = http("GET", &format!("{live}certificates/{test_serial}"), "");
    assert_eq!(st, 404);
    let (st, _, list) = http("GET", &format!("{live}documents/"), "");
    assert_eq!(st, 200);
    assert!(text(&list).contains("repository-policy.md"));
    let (st, _, doc) = http("GET", &format!("{live}documents/repository-policy.md"), "");
    assert_eq!(st, 200);
    assert!(text(&doc).contains("## Who may lodge"));
    // The live service published its first CRL and ARL before the demo served; the test
    // repository holds no list of the live service's.
    for list in ["crl", "arl"] {
        let (st, ct, body) = http("GET", &format!("{live}{list}"), "");
        assert_eq!(
            (st, ct.as_str()),
            (200, "application/pkix-crl"),
            "{}",
            text(&body)
        );
        let (st, _, body) = http("GET", &format!("{test}{list}"), "");
        assert_eq!(st, 404, "{}", text(&body));
    }
    // Read-only: nothing can be lodged over the network.
    for (method, path) in [
        ("PUT", "certificates/AB"),
        ("POST", "certificates/AB"),
        ("POST", "ca/oca.der"),
        ("DELETE", "crl"),
    ] {
        let (st, _, _) = http(method, &format!("{live}{path}"), "<x/>");
        assert_eq!(st, 405, "{method} {path}");
    }
    let (st, _, _) = http("GET", &format!("{live}services/certificatesearch"), "");
    assert_eq!(st, 405);
    assert_eq!(http("POST", &format!("{live}lodge"), "<x/>").0, 404);
    assert_eq!(http("GET", &format!("{live}ca/nonsense.pem"), "").0, 404);
}

fn device_statuses(url: &str, id: &str) -> Vec<String> {
    let (st, _, body) = search_at(
        url,
        &format!(
            "<CertificateSearchRequest><CertificateSubjectAltName>{}</CertificateSubjectAltName>\
             </CertificateSearchRequest>",
            id.to_ascii_lowercase()
        ),
    );
    assert_eq!(st, 200, "{}", text(&body));
    text(&body)
        .split("<CertificateStatus>")
        .skip(1)
        .filter_map(|s| s.split('<').next().map(str::to_string))
        .collect()
}

#[test]
fn device_certificates_are_pending_until_the_device_is_in_the_inventory() {
    let demo = Demo::start();
    let (url, _) = repository_urls(&demo);
    assert_eq!(device_statuses(&url, premises1::ESME), ["I", "I"]);
    assert_eq!(device_statuses(&url, spare::ESME), ["P", "P"]);
    // 12.2 pre-notification adds the spare ESME to the inventory.
    let r = demo.non_device(
        "supplier-a",
        tpl::PRE_NOTIFICATION,
        Some(&body::pre_notification(spare::ESME, "ESME")),
    );
    assert!(matches!(r.code(), "I0" | "I99"), "{}", r.code());
    assert_eq!(device_statuses(&url, spare::ESME), ["I", "I"]);
}

/// `opendcc smki test-certificate --data DATA --user USER REST...` (`--manifest FILE` on
/// PostgreSQL).
fn test_certificate(demo: &Demo, user: &str, rest: &[&str]) -> std::process::Output {
    let data = demo.data_dir();
    let mut args = vec![
        "smki",
        "test-certificate",
        "--data",
        data.to_str().expect("a UTF-8 path"),
        "--user",
        user,
    ];
    args.extend_from_slice(rest);
    demo.cli(&args, None)
}

#[test]
fn live_gateway_refuses_the_key_of_a_test_certificate() {
    let demo = Demo::start();
    // Every demo user already holds a test certificate, on a key of its own: live is unaffected.
    assert_eq!(demo.read_device("supplier-a", premises1::ESME).code(), "I0");
    assert_eq!(demo.read_device("supplier-b", premises1::ESME).code(), "I0");

    // The SMKI test service issues supplier-a a test certificate on its LIVE signing key.
    let data = demo.data_dir();
    let key = demo.user("supplier-a").signing_key.clone();
    let out_pem = data.join("users/supplier-a/test-on-live-key.pem");
    let out = test_certificate(
        &demo,
        "supplier-a",
        &[
            "--key",
            key.to_str().unwrap(),
            "--out",
            out_pem.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let serial = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(serial, serial_of(&out_pem));
    smki::verify_issued_by(
        &cert_der(&out_pem),
        &cert_der(&data.join("pki/test/org-issuing.pem")),
    )
    .expect("issued by the test OCA");

    // From now on the live gateway refuses supplier-a's live-signed requests (signature/PKI
    // refusal: HTTP 401, nothing changed), while supplier-b, whose keys are distinct, goes on.
    let p = demo.signed_request(
        tpl::READ_INVENTORY,
        "supplier-a",
        DCC_EUI,
        Some(&body::read_inventory_device(premises1::ESME)),
    );
    let before = demo.snapshot();
    demo.submit("supplier-a", &p)
        .assert_refused(401, "key of an SMKI test certificate");
    before.assert_unchanged(&demo.snapshot(), "test key refused");
    assert_eq!(demo.read_device("supplier-b", premises1::ESME).code(), "I0");

    // The test certificate is in the test repository, not the live one.
    let (live, test) = repository_urls(&demo);
    let (st, _, _) = retrieve_at(&test, &serial);
    assert_eq!(st, 200);
    let (st, _, _) = retrieve_at(&live, &serial);
    assert_eq!(st, 402);

    // The test service refuses an unknown user, changing nothing.
    let out = test_certificate(&demo, "nobody", &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no demo user \"nobody\""));
}

/// The DER inside a one-block PEM file.
fn pem_file_der(path: &Path) -> Vec<u8> {
    use base64::Engine as _;
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("base64 PEM body")
}

#[test]
fn the_latest_published_crl_and_arl_are_served() {
    let demo = Demo::start();
    let (live, test) = repository_urls(&demo);
    let dir = demo.data_dir();
    // The demo's SMKI worker publishes a first CRL and ARL before it serves.
    let first_crl = pem_file_der(&dir.join("smki/crl.pem"));
    let (st, ct, body) = http("GET", &format!("{live}crl"), "");
    assert_eq!(
        (st, ct.as_str(), &body),
        (200, "application/pkix-crl", &first_crl)
    );
    assert_eq!(
        http("GET", &format!("{live}arl"), "").2,
        pem_file_der(&dir.join("smki/arl.pem"))
    );
    // A CRL published now (by the operator) is what the repository serves next.
    let out = demo.cli(
        &[
            "smki",
            "publish-crl",
            "--data",
            dir.to_str().expect("a UTF-8 path"),
        ],
        None,
    );
    assert!(out.status.success(), "publish-crl: {}", stderr_of(&out));
    let second_crl = pem_file_der(&dir.join("smki/crl.pem"));
    assert_ne!(second_crl, first_crl, "a new CRL was published");
    assert_eq!(http("GET", &format!("{live}crl"), "").2, second_crl);
    // The test repository serves only the test service's lists: none published.
    assert_eq!(http("GET", &format!("{test}crl"), "").0, 404);
    assert_eq!(http("GET", &format!("{test}arl"), "").0, 404);
}
