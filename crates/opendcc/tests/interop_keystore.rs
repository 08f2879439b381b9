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
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use interop::*;

const SCRIPT: &str = r#"'use strict';
const { BoxedKeyStore, KeyUsage } = require('@smartdcc/dccboxed-keystore');
const { search, query } = require('@smartdcc/dccboxed-keystore/dist/certificateSearch');

async function main() {
  const [url, device, user, role] = process.argv.slice(2);
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
      { q: { CertificateSubjectName: user }, CertificateRole: role, CertificateUsage: usage, CertificateStatus: 'I' },
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
    if !have("node", "--version") || !have("npm", "--version") {
        skip_or_fail("node and npm are needed");
        return;
    }
    let node_modules = match npm_install_keystore() {
        Ok(p) => p,
        Err(e) => {
            skip_or_fail(&e);
            return;
        }
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

    let script = root.path().join("keystore-probe.js");
    std::fs::write(&script, SCRIPT).expect("writing the script");
    let started = std::time::Instant::now();
    let out = run(
        Command::new("node")
            .arg(&script)
            .arg(&url)
            .arg(device.id.to_ascii_lowercase())
            .arg(user.eui.to_ascii_lowercase())
            .arg("2")
            .env("NODE_PATH", &node_modules),
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

/// `00-DB-12-...` → `00db12...` (the devices/ folder name).
fn hex(id: &str) -> String {
    id.chars()
        .filter(char::is_ascii_hexdigit)
        .collect::<String>()
        .to_ascii_lowercase()
}
