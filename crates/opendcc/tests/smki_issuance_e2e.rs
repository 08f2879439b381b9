//! The SMKI service interface end to end, through the real `opendcc` binary over loopback TLS:
//! a subscriber makes a key and CSR, submits it, and the certificate verifies with `openssl`
//! against the demo's CA files; eligibility refusals name their rule; a non-subscriber is
//! refused until the operator's entry step admits it; a batch of 500 device CSRs is processed
//! in the background with progress and per-CSR results; fetch and search; forecasts; plain
//! HTTP offers no SMKI service.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{
    Demo, json_path, manifest_json, openssl_available, openssl_verify, premises1 as p1, run_cli,
    stderr_of, stdout_of,
};

/// `openssl verify` of `leaf` against the `HIERARCHY_root` and `HIERARCHY_issuing` files that
/// `demo.json`'s `smki` object names (`org`, `device`).
fn chains_to(smki: &serde_json::Value, hierarchy: &str, leaf: &Path) -> Result<(), String> {
    openssl_verify(
        &json_path(&smki[format!("{hierarchy}_root")]),
        &json_path(&smki[format!("{hierarchy}_issuing")]),
        &[],
        leaf,
    )
}

fn cli(args: &[&str]) -> Output {
    run_cli(args, None)
}

fn ok(o: &Output, what: &str) -> String {
    assert!(
        o.status.success(),
        "{what} failed: {}{}",
        stdout_of(o),
        stderr_of(o)
    );
    stdout_of(o)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `opendcc smki CMD --manifest M --user USER REST...`; CMD may be several words
/// (`batch status`, `submit --test`).
fn as_user(m: &str, user: &str, cmd: &str, rest: &[&str]) -> Output {
    let mut args = vec!["smki"];
    args.extend(cmd.split_whitespace());
    args.extend(["--manifest", m, "--user", user]);
    args.extend_from_slice(rest);
    cli(&args)
}

/// `opendcc smki subscriber admit` of `party` as a SEC Party (the operator's entry step).
/// On `demo`'s DCC (`--data DIR`, or `--manifest FILE` on PostgreSQL).
fn admit(demo: &Demo, party: &str, name: &str, evidence: &str, rest: &[&str]) -> Output {
    let data = demo.data_dir();
    let mut args = vec![
        "smki",
        "subscriber",
        "admit",
        "--data",
        s(&data),
        "--party",
        party,
        "--kind",
        "sec-party",
        "--name",
        name,
        "--evidence",
        evidence,
    ];
    args.extend_from_slice(rest);
    demo.cli(&args, None)
}

/// `opendcc smki csr --key KEY SUBJECT... --out OUT`, which must succeed.
fn make_csr(key: &Path, subject: &[&str], out: &Path, what: &str) {
    let mut args = vec!["smki", "csr", "--key", s(key)];
    args.extend_from_slice(subject);
    args.extend(["--out", s(out)]);
    ok(&cli(&args), what);
}

/// `opendcc smki keygen` into `dir/k.pem`, then the supplier's key-agreement organisation CSR
/// `dir/org.csr`: (key, csr).
fn supplier_key_and_csr(dir: &Path, supplier: &str) -> (PathBuf, PathBuf) {
    let key = dir.join("k.pem");
    ok(&cli(&["smki", "keygen", "--out", s(&key)]), "keygen");
    let csr_path = dir.join("org.csr");
    make_csr(
        &key,
        &[
            "--org",
            supplier,
            "--role",
            "02",
            "--cn",
            "SUPPLIER A",
            "--usage",
            "ka",
        ],
        &csr_path,
        "csr",
    );
    (key, csr_path)
}

#[test]
fn subscriber_issuance_refusals_and_batch() {
    let demo = Demo::start();
    let m = demo.manifest_path();
    let m = s(&m);
    let dir = tempfile::tempdir().unwrap();
    let smki = manifest_json(&demo)["smki"].clone();
    let supplier = demo.user_eui("supplier-a");

    // Organisation certificate: keygen -> csr -> submit over TLS -> openssl verify.
    let (key, csr) = supplier_key_and_csr(dir.path(), &supplier);
    let cert = dir.path().join("org.pem");
    let out = ok(
        &as_user(m, "supplier-a", "submit", &["--out", s(&cert), s(&csr)]),
        "submit",
    );
    assert!(out.contains("BEGIN CERTIFICATE"), "{out}");
    let org = smki::OrgCertificate::from_pem(&std::fs::read_to_string(&cert).unwrap()).unwrap();
    assert_eq!(org.eui().to_string(), supplier);
    assert_eq!(org.key_usage(), smki::KeyUsage::KeyAgreement);
    if openssl_available() {
        chains_to(&smki, "org", &cert).unwrap();
    }

    // Device certificate for the supplier's commissioned ESME.
    let dcsr = dir.path().join("dev.csr");
    make_csr(&key, &["--device", p1::ESME], &dcsr, "device csr");
    let dcert = dir.path().join("dev.pem");
    ok(
        &as_user(m, "supplier-a", "submit", &["--out", s(&dcert), s(&dcsr)]),
        "device submit",
    );
    if openssl_available() {
        chains_to(&smki, "device", &dcert).unwrap();
    }
    let serial = {
        let c =
            smki::DeviceCertificate::from_pem(&std::fs::read_to_string(&dcert).unwrap()).unwrap();
        smki_service::model::serial_hex_of_bytes(c.serial())
    };
    let fetched = ok(
        &as_user(m, "other-user", "fetch", &["--serial", &serial]),
        "fetch",
    );
    assert_eq!(
        fetched.trim(),
        std::fs::read_to_string(&dcert).unwrap().trim()
    );
    let found = ok(
        &as_user(m, "other-user", "search", &["--eui", p1::ESME]),
        "search",
    );
    assert!(found.contains(&serial), "{found}");

    // Refusals name their rule, and store nothing.
    let o = as_user(m, "supplier-b", "submit", &[s(&dcsr)]);
    assert!(!o.status.success());
    assert!(
        stderr_of(&o).contains("HTTP 403") && stderr_of(&o).contains("device-electricity-supplier"),
        "{}",
        stderr_of(&o)
    );
    let o = as_user(m, "other-user", "submit", &[s(&csr)]);
    assert!(
        stderr_of(&o).contains("organisation-own-id"),
        "{}",
        stderr_of(&o)
    );
    let bad = dir.path().join("bad.csr");
    std::fs::write(
        &bad,
        b"-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n",
    )
    .unwrap();
    let o = as_user(m, "supplier-a", "submit", &[s(&bad)]);
    assert!(
        stderr_of(&o).contains("HTTP 400") && stderr_of(&o).contains("rule csr"),
        "{}",
        stderr_of(&o)
    );

    // Bodies are size-bounded: an oversized single request is refused before it is read.
    let fat = dir.path().join("fat.csr");
    std::fs::write(&fat, vec![b'A'; 20 * 1024]).unwrap();
    let o = as_user(m, "supplier-a", "submit", &[s(&fat)]);
    assert!(
        stderr_of(&o).contains("HTTP 413") && stderr_of(&o).contains("limit"),
        "{}",
        stderr_of(&o)
    );

    // A party that has not passed the entry step is refused; the operator admits it; then it is served.
    let other = demo.user_eui("other-user");
    assert_eq!(
        demo.execute("DELETE FROM smki_subscribers WHERE eui = ?1", &[&other]),
        1
    );
    let ocsr = dir.path().join("other.csr");
    make_csr(&key, &["--org", &other, "--role", "7F"], &ocsr, "csr");
    let o = as_user(m, "other-user", "submit", &[s(&ocsr)]);
    assert!(
        stderr_of(&o).contains("authorised-subscriber"),
        "{}",
        stderr_of(&o)
    );
    let data = demo.data_dir();
    let admitted = ok(
        &admit(
            &demo,
            &other,
            "Other User",
            "RA case 7",
            &["--operator", "alice"],
        ),
        "admit",
    );
    assert!(admitted.contains("admitted"), "{admitted}");
    let o = admit(&demo, &other, "x", "y", &[]);
    assert!(
        stderr_of(&o).contains("already an Authorised Subscriber"),
        "{}",
        stderr_of(&o)
    );
    let list = ok(
        &demo.cli(&["smki", "subscriber", "list", "--data", s(&data)], None),
        "list",
    );
    assert!(list.contains(&other) && list.contains("alice"), "{list}");
    ok(
        &as_user(m, "other-user", "submit", &[s(&ocsr)]),
        "submit after admission",
    );

    // A batch of 500 device CSRs, some of which are refused.
    let unknown = common::UNKNOWN_DEVICE;
    let targets: [(&str, Option<&str>); 10] = [
        (p1::ESME, None),
        (p1::GSME, None),
        (p1::PPMID, None),
        (p1::HCALCS, None),
        (p1::CHF, Some("device-hub")),
        (p1::GPF, Some("device-hub")),
        (p1::IHD, Some("device-type")),
        (unknown, Some("device-inventory")),
        ("00-DB-12-34-56-78-91-A0", None),
        ("00-DB-12-34-56-78-91-A1", None),
    ];
    let bdir = dir.path().join("batch");
    let euis: Vec<&str> = targets.iter().map(|(eui, _)| *eui).collect();
    write_device_csrs(&bdir, &euis, 500, smki::KeyUsage::DigitalSignature);
    let results = dir.path().join("results.json");
    let o = as_user(
        m,
        "supplier-a",
        "batch submit",
        &["--results", s(&results), s(&bdir)],
    );
    let err = stderr_of(&o);
    ok(&o, "batch submit");
    assert!(err.contains("500 CSRs submitted"), "{err}");
    assert!(
        err.contains("progress") || err.contains("/500"),
        "no progress shown: {err}"
    );
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&results).unwrap()).unwrap();
    let r = r.as_array().unwrap();
    assert_eq!(r.len(), 500);
    let mut issued = 0;
    for (i, item) in r.iter().enumerate() {
        assert_eq!(item["index"].as_u64(), Some(i as u64));
        match targets[i % targets.len()].1 {
            None => {
                assert!(item["serial"].is_string(), "{i}: {item}");
                issued += 1;
            }
            Some(rule) => assert!(
                item["refused"].as_str().unwrap().contains(rule),
                "{i}: {item}"
            ),
        }
    }
    assert_eq!(issued, 300);
    // Per-CSR results are retrievable later, and a serial from them fetches a certificate.
    let id = 1;
    let status = ok(
        &as_user(m, "supplier-a", "batch status", &["--id", &id.to_string()]),
        "status",
    );
    let st: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(
        (
            st["done"].as_u64(),
            st["issued"].as_u64(),
            st["finished"].as_bool()
        ),
        (Some(500), Some(300), Some(true))
    );
    let o = as_user(m, "supplier-b", "batch status", &["--id", "1"]);
    assert!(
        stderr_of(&o).contains("HTTP 404"),
        "another subscriber's batch is not visible"
    );
    let some = r[0]["serial"].as_str().unwrap();
    let pem = ok(
        &as_user(m, "supplier-a", "fetch", &["--serial", some]),
        "fetch",
    );
    let c = smki::DeviceCertificate::from_pem(&pem).unwrap();
    assert_eq!(c.eui().to_string(), p1::ESME);

    // Over 49,999 CSRs are refused before anything is sent.
    let one = std::fs::read_to_string(bdir.join("00000.pem")).unwrap();
    let huge = dir.path().join("huge.pem");
    std::fs::write(&huge, one.repeat(50_000)).unwrap();
    let o = as_user(m, "supplier-a", "batch submit", &[s(&huge)]);
    assert!(!o.status.success());
    assert!(
        stderr_of(&o).contains("batch-size") && stderr_of(&o).contains("49999"),
        "{}",
        stderr_of(&o)
    );

    // Forecasts: accepted in March, June, September and December only.
    let now = time::OffsetDateTime::now_utc();
    let f = dir.path().join("forecast.json");
    let months = smki_service::forecasts::window(now);
    let list: Vec<serde_json::Value> = match &months {
        Ok(ms) => ms
            .iter()
            .map(|m| serde_json::json!({"month": m.to_string(), "count": 1000}))
            .collect(),
        Err(_) => (1..=6)
            .map(|i| serde_json::json!({"month": format!("2030-{i:02}"), "count": 1}))
            .collect(),
    };
    std::fs::write(&f, serde_json::json!({ "months": list }).to_string()).unwrap();
    let o = as_user(m, "supplier-a", "forecast submit", &[s(&f)]);
    match months {
        Ok(ms) => {
            ok(&o, "forecast submit");
            let rep = ok(&as_user(m, "supplier-a", "forecast report", &[]), "report");
            let rep: serde_json::Value = serde_json::from_str(&rep).unwrap();
            let first = rep
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["month"] == ms[0].to_string())
                .unwrap();
            assert_eq!(first["forecast"].as_u64(), Some(1000));
        }
        Err(_) => assert!(
            stderr_of(&o).contains("forecast-window"),
            "{}",
            stderr_of(&o)
        ),
    }
}

/// `n` device CSRs, each with a fresh key, for `euis` in turn: `dir/00000.pem`, ...
fn write_device_csrs(dir: &Path, euis: &[&str], n: usize, usage: smki::KeyUsage) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let k = smki::KeyPair::generate_with_os_rng().unwrap();
        let eui = euis[i % euis.len()].parse().unwrap();
        let der = smki::csr::build_device_csr(&k, eui, usage).unwrap();
        std::fs::write(
            dir.join(format!("{i:05}.pem")),
            smki::csr::csr_to_pem(&der).unwrap(),
        )
        .unwrap();
    }
}

/// A submitted batch is stored durably: stopping the DCC mid-batch and starting it again
/// resumes the work, and every CSR ends with exactly one result. An organisation CSR in a batch
/// is refused with its rule.
#[test]
fn batch_survives_a_restart() {
    let mut demo = Demo::start();
    let m = demo.manifest_path();
    let m = s(&m).to_owned();
    let dir = tempfile::tempdir().unwrap();
    let bdir = dir.path().join("batch");
    write_device_csrs(
        &bdir,
        &[p1::ESME, p1::GSME, p1::PPMID, p1::HCALCS],
        1000,
        smki::KeyUsage::KeyAgreement,
    );
    let k = smki::KeyPair::generate_with_os_rng().unwrap();
    let org = smki::csr::build_organisation_csr(
        &k,
        None,
        demo.user_eui("supplier-a").parse().unwrap(),
        smki::RemotePartyRole::Supplier,
        smki::KeyUsage::DigitalSignature,
    )
    .unwrap();
    std::fs::write(bdir.join("99999.pem"), smki::csr::csr_to_pem(&org).unwrap()).unwrap();
    let o = as_user(&m, "supplier-a", "batch submit", &["--no-wait", s(&bdir)]);
    let answer = ok(&o, "batch submit --no-wait");
    let v: serde_json::Value = serde_json::from_str(answer.trim()).unwrap();
    let id = v["batch"].as_i64().unwrap().to_string();
    assert_eq!(v["total"].as_u64(), Some(1001));
    demo.stop();
    let done_at_stop: i64 = demo.query("SELECT done FROM smki_batches WHERE id = ?1", &[&id])[0][0]
        .parse()
        .unwrap();
    eprintln!("{done_at_stop} of 1001 done when the DCC stopped");
    demo.restart();
    let m = demo.manifest_path();
    let m = s(&m).to_owned();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    loop {
        let st = ok(
            &as_user(&m, "supplier-a", "batch status", &["--id", &id]),
            "status",
        );
        let st: serde_json::Value = serde_json::from_str(&st).unwrap();
        if st["finished"].as_bool() == Some(true) {
            assert_eq!(
                (
                    st["done"].as_u64(),
                    st["issued"].as_u64(),
                    st["refused"].as_u64()
                ),
                (Some(1001), Some(1000), Some(1))
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "batch did not finish: {st}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let r = ok(
        &as_user(&m, "supplier-a", "batch results", &["--id", &id]),
        "results",
    );
    let r: serde_json::Value = serde_json::from_str(&r).unwrap();
    let r = r.as_array().unwrap();
    assert_eq!(r.len(), 1001);
    let mut serials: Vec<&str> = r.iter().filter_map(|i| i["serial"].as_str()).collect();
    serials.sort_unstable();
    serials.dedup();
    assert_eq!(
        serials.len(),
        1000,
        "one distinct certificate per device CSR"
    );
    assert!(
        r[1000]["refused"]
            .as_str()
            .unwrap()
            .contains("device certificate requests only"),
        "{}",
        r[1000]
    );
    let lodged: i64 = demo.query(
        "SELECT count(*) FROM smki_certificates WHERE kind = 'device' AND subscriber = ?1",
        &[&demo.user_eui("supplier-a")],
    )[0][0]
        .parse()
        .unwrap();
    assert_eq!(
        lodged, 1000,
        "each CSR lodged exactly once across the restart"
    );
}

#[test]
fn plain_http_offers_no_smki_service() {
    use std::io::{Read, Write};
    let demo = Demo::start_plain_http();
    let url = demo.manifest().duis_url.clone();
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut sock = std::net::TcpStream::connect(&addr).unwrap();
    let body = "x";
    write!(
        sock,
        "POST /smki/v1/csr HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    sock.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(answer.contains("DCCKI client certificate"), "{answer}");
    // The CLI refuses too, before connecting.
    let m = demo.manifest_path();
    let o = as_user(s(&m), "supplier-a", "search", &["--eui", p1::ESME]);
    assert!(
        stderr_of(&o).contains("mutually authenticated TLS"),
        "{}",
        stderr_of(&o)
    );
}

/// The SMKI test service (`--test`, `/smki/test/v1/`): its certificates say so (TEST issuer,
/// test policy), chain to the test roots and not the live ones, and live in the test
/// repository only; the live service's certificates never appear in it.
#[test]
fn the_test_service_issues_test_certificates_only() {
    let demo = Demo::start();
    let m = demo.manifest_path();
    let m = s(&m);
    let dir = tempfile::tempdir().unwrap();
    let supplier = demo.user_eui("supplier-a");
    let (_key, csr) = supplier_key_and_csr(dir.path(), &supplier);
    let cert = dir.path().join("test-org.pem");
    ok(
        &as_user(
            m,
            "supplier-a",
            "submit --test",
            &["--out", s(&cert), s(&csr)],
        ),
        "submit to the test service",
    );
    let pem = std::fs::read_to_string(&cert).unwrap();
    // openssl's reading of it: a TEST issuer and the test policy.
    let text = Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in"])
        .arg(&cert)
        .output()
        .expect("running openssl x509");
    let text = stdout_of(&text);
    let issuer = text
        .lines()
        .find(|l| l.trim_start().starts_with("Issuer:"))
        .unwrap_or_default();
    assert!(
        issuer.contains("TEST"),
        "a test certificate says so: {text}"
    );
    assert!(
        text.contains(&smki_service::test_service::TEST_POLICY.to_string()),
        "the certificate carries the test policy: {text}"
    );
    let pki = demo.data_dir().join("pki");
    let live = manifest_json(&demo)["smki"].clone();
    if openssl_available() {
        openssl_verify(
            &pki.join("test").join("org-root.pem"),
            &pki.join("test").join("org-issuing.pem"),
            &[],
            &cert,
        )
        .unwrap();
        assert!(
            chains_to(&live, "org", &cert).is_err(),
            "a test certificate does not chain to the live roots"
        );
    }
    let serial = {
        let c = smki::OrgCertificate::from_pem(&pem).unwrap();
        smki_service::model::serial_hex_of_bytes(c.serial())
    };
    // In the test repository, not the live one.
    let fetched = ok(
        &as_user(m, "other-user", "fetch --test", &["--serial", &serial]),
        "fetch from the test service",
    );
    assert_eq!(fetched.trim(), pem.trim());
    let live_fetch = as_user(m, "other-user", "fetch", &["--serial", &serial]);
    assert!(!live_fetch.status.success(), "not in the live repository");
    assert!(
        stderr_of(&live_fetch).contains("404"),
        "{}",
        stderr_of(&live_fetch)
    );
    let found = ok(
        &as_user(m, "other-user", "search --test", &["--eui", &supplier]),
        "search the test service",
    );
    let v: serde_json::Value = serde_json::from_str(&found).unwrap();
    let serials: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["serial"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(serials.contains(&serial), "{found}");
    let live_serial = {
        let c = smki::OrgCertificate::from_pem(
            &std::fs::read_to_string(&demo.user("supplier-a").signing_cert).unwrap(),
        )
        .unwrap();
        smki_service::model::serial_hex_of_bytes(c.serial())
    };
    assert!(
        !serials.contains(&live_serial),
        "the test service never answers with live certificates: {found}"
    );
}
