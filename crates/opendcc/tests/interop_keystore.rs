//! SMKI repository interoperability: Smart DCC's npm `@smartdcc/dccboxed-keystore`, installed
//! from npm by name and used unchanged, finds a demo device's and a demo user's certificates in
//! opendcc's repository (`smki_url` of `demo.json`, DCC Boxed's port-8083 interface).
//!
//! A small node script of our own drives the package: its `BoxedKeyStore.query` (the device's
//! digital-signing and key-agreement certificates, by EUI: `certificatesearch` for status `I`,
//! then `retrievecertificate` by serial) and its `search` / `query` functions (the user's
//! organisation certificates by `CertificateSubjectName` and role, then each again by serial).
//! The test compares what the package returns with the certificate files of the demo world.
//!
//! Without node/npm (or without the registry) the test is skipped with a message, except under
//! `CI=true`, where that is a failure (as the other interoperability tests do).

mod interop;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use interop::*;

const SCRIPT: &str = r#"'use strict';
const { BoxedKeyStore, KeyUsage } = require('@smartdcc/dccboxed-keystore');
const { search, query } = require('@smartdcc/dccboxed-keystore/dist/certificateSearch');

async function main() {
  const [url, device, user, role, status] = process.argv.slice(2);
  const store = await BoxedKeyStore.new(url);
  try {
    for (const [name, usage] of [['DS', KeyUsage.digitalSignature], ['KA', KeyUsage.keyAgreement]]) {
      const found = (await store.query({ eui: device, keyUsage: usage, lookup: 'certificate' })) || [];
      for (const c of found) {
        console.log(`device ${name} ${c.certificate.raw.toString('base64')}`);
      }
    }
  } finally {
    await store.cleanup();
  }
  for (const usage of ['DS', 'KA']) {
    const found = await search(
      { q: { CertificateSubjectName: user }, CertificateRole: role, CertificateUsage: usage, CertificateStatus: status },
      url,
    );
    for (const r of found) {
      console.log(`user ${usage} ${r.x509.raw.toString('base64')}`);
      const again = await query(BigInt('0x' + r.x509.serialNumber).toString(16), url);
      console.log(`serial ${usage} ${again ? again.x509.raw.toString('base64') : 'none'}`);
    }
  }
  const absent = await search(
    { q: { CertificateSubjectAltName: 'ff-ff-ff-ff-ff-ff-ff-fe' }, CertificateUsage: 'DS', CertificateStatus: 'I' },
    url,
  );
  console.log(`absent ${absent.length}`);
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
"#;

/// The `node_modules` folder holding `@smartdcc/dccboxed-keystore`, installed from npm; `None`
/// when node, npm or the registry is missing and the test is to be skipped (a failure under CI).
fn keystore_modules() -> Option<PathBuf> {
    if !have("node", "--version") || !have("npm", "--version") {
        skip_or_fail("node and npm are needed");
        return None;
    }
    match npm_install_keystore() {
        Ok(p) => Some(p),
        Err(e) => {
            skip_or_fail(&e);
            None
        }
    }
}

/// The base64 body of a PEM certificate file (what node's `raw.toString('base64')` prints).
fn pem_body(path: &Path) -> String {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.lines()
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .map(str::trim)
        .collect()
}

#[test]
fn dccboxed_keystore_finds_demo_device_and_user_certificates() {
    let Some(node_modules) = keystore_modules() else {
        return;
    };
    let root = tempfile::tempdir().expect("temporary directory");
    let data = root.path().join("data");
    let demo = Demo::start(&data, &root.path().join("demo.log"), &[]).expect("starting the demo");
    let url = demo
        .manifest
        .smki_url
        .clone()
        .expect("demo.json names smki_url");
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
        "{url}"
    );

    // A device with SMKI certificates, and a supplier.
    let device = demo
        .manifest
        .devices
        .iter()
        .find(|d| {
            data.join("devices")
                .join(hex(&d.id))
                .join("ds.pem")
                .is_file()
        })
        .expect("a demo device with certificates");
    let ddir = data.join("devices").join(hex(&device.id));
    let user = demo
        .manifest
        .users
        .iter()
        .find(|u| u.name == "supplier-a")
        .expect("supplier-a");
    let udir = data.join("users").join(&user.name);

    let started = std::time::Instant::now();
    let stdout = probe(
        root.path(),
        &node_modules,
        &demo,
        &url,
        &device.id,
        &user.eui,
        "I",
    );
    // The whole exchange (several searches and retrievals) is well inside SEC's 30 s target.
    assert!(started.elapsed() < Duration::from_secs(30));
    let lines: BTreeSet<&str> = stdout.lines().collect();
    report(&format!(
        "dccboxed-keystore against {url}: {} lines",
        lines.len()
    ));
    for (what, file) in [
        ("device DS", ddir.join("ds.pem")),
        ("device KA", ddir.join("ka.pem")),
        ("user DS", udir.join("signing.pem")),
        ("user KA", udir.join("ka.pem")),
        ("serial DS", udir.join("signing.pem")),
        ("serial KA", udir.join("ka.pem")),
    ] {
        let expected = format!("{what} {}", pem_body(&file));
        assert!(
            lines.contains(expected.as_str()),
            "the keystore did not return {what} ({}):\n{stdout}",
            file.display()
        );
    }
    // Exactly one of each: the test certificate of the same user is not in the live repository.
    for what in ["device DS ", "device KA ", "user DS ", "user KA "] {
        assert_eq!(
            lines.iter().filter(|l| l.starts_with(what)).count(),
            1,
            "{what}:\n{stdout}"
        );
    }
    assert!(lines.contains("absent 0"), "{stdout}");
}

/// Runs the script against `url`: the device's certificates by EUI, the supplier's (role 2)
/// with status `status` by organisation EUI. Its standard output.
fn probe(
    dir: &Path,
    node_modules: &Path,
    demo: &Demo,
    url: &str,
    device: &str,
    user: &str,
    status: &str,
) -> String {
    let script = dir.join("keystore-probe.js");
    std::fs::write(&script, SCRIPT).expect("writing the script");
    let out = run(
        Command::new("node")
            .arg(&script)
            .arg(url)
            .arg(device.to_ascii_lowercase())
            .arg(user.to_ascii_lowercase())
            .arg("2")
            .arg(status)
            .env("NODE_PATH", node_modules),
        Duration::from_secs(120),
        "node",
    )
    .expect("running node");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the keystore script failed:\n{stdout}\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        demo.log_text()
    );
    stdout
}

/// A ZAZ1 world (`--zaz1 keystore.json`) serves its certificates too: the keystore finds the
/// RTDS ESME's device certificates and the ZAZ1 supplier's signing certificate (ZAZ1's
/// organisation certificates are past their end of validity, so the repository reports them
/// `E`, and the search asks for that status).
#[test]
fn dccboxed_keystore_finds_zaz1_world_certificates() {
    let Some(node_modules) = keystore_modules() else {
        return;
    };
    let pkgs = match fetch_packages() {
        Ok(p) => p,
        Err(e) => {
            skip_or_fail(&e);
            return;
        }
    };
    let root = tempfile::tempdir().expect("temporary directory");
    let data = root.path().join("data");
    let demo = Demo::start(
        &data,
        &root.path().join("demo.log"),
        &["--zaz1", &pkgs.keystore_json.display().to_string()],
    )
    .expect("starting the ZAZ1 demo");
    let url = demo.manifest.smki_url.clone().expect("smki_url");
    let supplier = demo
        .manifest
        .users
        .iter()
        .find(|u| u.name == "supplier")
        .expect("the ZAZ1 supplier");
    let esme = "00-DB-12-34-56-78-90-A0";
    let ddir = data.join("devices").join(hex(esme));
    let signing = pem_body(&supplier.signing_cert);
    let status = if cert_expired(&supplier.signing_cert) {
        "E"
    } else {
        "I"
    };
    let stdout = probe(
        root.path(),
        &node_modules,
        &demo,
        &url,
        esme,
        &supplier.eui,
        status,
    );
    let lines: BTreeSet<&str> = stdout.lines().collect();
    for expected in [
        format!("device DS {}", pem_body(&ddir.join("ds.pem"))),
        format!("device KA {}", pem_body(&ddir.join("ka.pem"))),
        format!("user DS {signing}"),
        format!("serial DS {signing}"),
    ] {
        assert!(
            lines.contains(expected.as_str()),
            "missing {expected:.40}…:\n{stdout}"
        );
    }
}

/// Whether a certificate file's end of validity has passed (`openssl`-free: via the SMKI parser).
fn cert_expired(pem: &Path) -> bool {
    let text = std::fs::read_to_string(pem).expect("reading the certificate");
    let c = smki::OrgCertificate::from_pem(&text).expect("an organisation certificate");
    c.not_after() < time::OffsetDateTime::now_utc()
}

/// `00-DB-12-...` → `00db12...` (the devices/ folder name).
fn hex(id: &str) -> String {
    id.chars()
        .filter(char::is_ascii_hexdigit)
        .collect::<String>()
        .to_ascii_lowercase()
}
