//! Every credential of the demo world chains to the DCC's own authorities, as `openssl verify`
//! (an independent implementation) sees it, and carries the SMKI profile's identity.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Command;

use common::Demo;

fn verify(root: &Path, issuing: &Path, leaf: &Path) -> Result<(), String> {
    common::openssl_verify(root, issuing, &[], leaf)
}

fn subject(cert: &Path) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-subject", "-nameopt", "RFC2253", "-in"])
        .arg(cert)
        .output()
        .expect("run openssl");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn every_demo_credential_verifies_with_openssl() {
    if common::skip_without_openssl() {
        return;
    }
    let demo = Demo::start();
    let m = common::manifest_json(&demo);
    let path = common::json_path;
    let smki = &m["smki"];
    let (org_root, org_ica) = (path(&smki["org_root"]), path(&smki["org_issuing"]));
    let (dev_root, dev_ica) = (path(&smki["device_root"]), path(&smki["device_issuing"]));
    let dccki_root = path(&smki["dccki_root"]);
    let dccki_ica = demo.data_dir().join("pki/dccki-issuing.pem");
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut check = |r: Result<(), String>| {
        checked += 1;
        if let Err(e) = r {
            failures.push(e);
        }
    };

    check(verify(
        &org_root,
        &org_ica,
        &path(&m["dcc"]["xml_signing_cert"]),
    ));
    check(verify(
        &dccki_root,
        &dccki_ica,
        &demo.data_dir().join("pki/server-tls.pem"),
    ));
    for u in m["users"].as_array().unwrap() {
        for key in ["signing_cert", "ka_cert"] {
            let cert = path(&u[key]);
            check(verify(&org_root, &org_ica, &cert));
            let s = subject(&cert);
            let eui_hex = u["eui"].as_str().unwrap().replace('-', "");
            // SMKI organisation profile: OU = remote party role, x500UniqueIdentifier = EUI-64.
            assert!(s.contains("OU="), "{s}");
            assert!(
                s.to_uppercase().contains(&eui_hex.to_uppercase()),
                "subject {s} carries the EUI {eui_hex}"
            );
        }
        check(verify(&dccki_root, &dccki_ica, &path(&u["tls_cert"])));
    }
    let mut devices = 0;
    for d in m["devices"].as_array().unwrap() {
        for key in ["ds_cert", "ka_cert"] {
            if let Some(p) = d[key].as_str() {
                check(verify(&dev_root, &dev_ica, Path::new(p)));
                devices += 1;
            }
        }
    }
    assert!(devices >= 36, "device certificates checked: {devices}");
    assert!(
        failures.is_empty(),
        "{} of {checked} chains failed:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // And a certificate from the wrong hierarchy does not pass: the check can fail.
    assert!(verify(&dev_root, &dev_ica, &path(&m["users"][0]["signing_cert"])).is_err());
}
