//! SMKI revocation, CRL/ARL publication, PMA powers and DCA roll-over, end to end: the real
//! `opendcc` binary, its operator commands (`opendcc smki ...`) and `openssl` as the
//! independent judge of the published lists.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{DCC_EUI, Demo, DemoOptions, body, openssl, premises1, tpl};

/// A demo whose SMKI worker ticks only at start (publishing the first CRL and ARL before it
/// serves), so that each later publication in the test is the operator's.
fn demo() -> Demo {
    let demo = Demo::start_with(DemoOptions {
        extra_args: vec!["--smki-tick-ms".into(), "3600000".into()],
        ..DemoOptions::default()
    });
    assert!(demo.data_dir().join("smki/crl.pem").exists());
    assert!(demo.data_dir().join("smki/arl.pem").exists());
    demo
}

/// `opendcc ARGS` on `demo`'s DCC (`--data DIR` as `--manifest FILE` on PostgreSQL).
fn cli(demo: &Demo, args: &[&str]) -> String {
    let out = demo.cli(args, None);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "opendcc {args:?} failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

fn cli_fails(demo: &Demo, args: &[&str]) -> String {
    let out = demo.cli(args, None);
    assert!(!out.status.success(), "opendcc {args:?} should have failed");
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// A certificate's serial as the SMKI service writes it (canonical hex: no leading zeros, so a
/// serial whose first byte is below 0x10 has an odd number of digits).
fn serial_hex(cert: &Path) -> String {
    let der = common::cert_der(cert);
    let c = smki::OrgCertificate::from_der(&der).unwrap();
    smki_service::model::serial_hex_of_bytes(c.serial())
}

/// `opendcc smki revoke` of `serial` for `reason`, asked by a subscriber (`Some(eui)`) or by the
/// PMA (`None`).
fn revoke_args<'a>(
    d: &'a str,
    serial: &'a str,
    reason: &'a str,
    by: Option<&'a str>,
) -> Vec<&'a str> {
    let mut args = vec![
        "smki", "revoke", "--data", d, "--serial", serial, "--reason", reason,
    ];
    match by {
        Some(eui) => args.extend(["--by", eui]),
        None => args.push("--as-pma"),
    }
    args
}

fn data(demo: &Demo) -> String {
    demo.data_dir().to_str().unwrap().to_string()
}

fn read_inventory(demo: &Demo, user: &str) -> common::Reply {
    let p = demo.signed_request(
        tpl::READ_INVENTORY,
        user,
        DCC_EUI,
        Some(&body::read_inventory_device(premises1::ESME)),
    );
    demo.submit(user, &p)
}

#[test]
fn revoked_certificate_is_refused_once_the_crl_is_published() {
    let demo = demo();
    let d = data(&demo);
    let user = demo.user("supplier-a").clone();
    assert_eq!(read_inventory(&demo, "supplier-a").duis().code(), "I0");

    let serial = serial_hex(&user.signing_cert);
    // Another subscriber may not revoke it; a device certificate is never revoked.
    let other = demo.user_eui("supplier-b");
    let e = cli_fails(
        &demo,
        &revoke_args(&d, &serial, "key-compromise", Some(&other)),
    );
    assert!(e.contains("is not the subscriber"), "{e}");
    let out = cli(
        &demo,
        &revoke_args(&d, &serial, "key-compromise", Some(&user.eui)),
    );
    assert!(out.contains("revoked"), "{out}");

    // Revoked, but no CRL lists it yet: still accepted.
    assert_eq!(read_inventory(&demo, "supplier-a").duis().code(), "I0");

    let out = cli(&demo, &["smki", "publish-crl", "--data", &d]);
    assert!(
        out.contains("1 revoked certificate(s) listed, 1 newly refused"),
        "{out}"
    );
    // The same user's next request is refused: its signing certificate is revoked.
    read_inventory(&demo, "supplier-a").assert_refused(401, "signing certificate has been revoked");
    assert!(
        demo.log().contains("signing certificate has been revoked"),
        "the refusal names its rule in the log"
    );
    // Everyone else carries on.
    assert_eq!(read_inventory(&demo, "supplier-b").duis().code(), "I0");

    let audit = cli(&demo, &["smki", "audit", "--data", &d]);
    assert!(
        audit.contains(&format!(
            "{} revoke {serial} reason=key-compromise",
            user.eui
        )),
        "{audit}"
    );
    assert!(audit.contains("PMA publish-crl CRL #2"), "{audit}");
}

#[test]
fn pma_suspension_refuses_a_participant_until_lifted_and_is_audited() {
    let demo = demo();
    let d = data(&demo);
    let eui = demo.user_eui("supplier-b");
    assert_eq!(read_inventory(&demo, "supplier-b").duis().code(), "I0");
    cli(
        &demo,
        &["smki", "suspend", "--data", &d, "--participant", &eui],
    );
    assert_eq!(read_inventory(&demo, "supplier-b").duis().code(), "E3");
    let e = cli_fails(
        &demo,
        &["smki", "suspend", "--data", &d, "--participant", &eui],
    );
    assert!(e.contains("already suspended"), "{e}");
    cli(
        &demo,
        &["smki", "unsuspend", "--data", &d, "--participant", &eui],
    );
    assert_eq!(read_inventory(&demo, "supplier-b").duis().code(), "I0");
    let audit = cli(&demo, &["smki", "audit", "--data", &d]);
    let lines: Vec<&str> = audit.lines().filter(|l| l.contains(&eui)).collect();
    assert_eq!(lines.len(), 2, "{audit}");
    assert!(lines[0].contains(&format!("PMA suspend {eui}")), "{audit}");
    assert!(
        lines[1].contains(&format!("PMA unsuspend {eui}")),
        "{audit}"
    );
}

/// `openssl verify` with the organisation chain and the published lists.
fn verify_with_lists(
    root: &Path,
    oca: &Path,
    crl: &Path,
    arl: &Path,
    leaf: &Path,
) -> Result<(), String> {
    common::openssl_verify(root, oca, &[crl, arl], leaf)
}

#[test]
fn openssl_checks_the_published_crl_and_arl() {
    if common::skip_without_openssl() {
        return;
    }
    let demo = demo();
    let d = data(&demo);
    let m = common::manifest_json(&demo);
    let path = common::json_path;
    let (root, oca) = (
        path(&m["smki"]["org_root"]),
        path(&m["smki"]["org_issuing"]),
    );
    let crl = demo.data_dir().join("smki/crl.pem");
    let arl = demo.data_dir().join("smki/arl.pem");

    // The lists verify under their issuers.
    openssl(
        &["crl", "-noout", "-verify", "-CAfile"],
        &[&oca, Path::new("-in"), &crl],
    )
    .expect("the CRL verifies with the OCA");
    openssl(
        &["crl", "-noout", "-verify", "-CAfile"],
        &[&root, Path::new("-in"), &arl],
    )
    .expect("the ARL verifies with the root");
    assert!(
        openssl(
            &["crl", "-noout", "-verify", "-CAfile"],
            &[&root, Path::new("-in"), &crl]
        )
        .is_err(),
        "the CRL is not the root's"
    );

    // Every user's organisation certificates chain, with the CRL and ARL checked.
    let users: Vec<serde_json::Value> = m["users"].as_array().unwrap().clone();
    for u in &users {
        for key in ["signing_cert", "ka_cert"] {
            verify_with_lists(&root, &oca, &crl, &arl, &path(&u[key]))
                .unwrap_or_else(|e| panic!("{}: {e}", u[key]));
        }
    }

    // Revoke one, publish: openssl now rejects it, and only it.
    let victim = path(&users[0]["signing_cert"]);
    let serial = serial_hex(&victim);
    cli(&demo, &revoke_args(&d, &serial, "unreliable-module", None));
    cli(&demo, &["smki", "publish-crl", "--data", &d]);
    let text = openssl(&["crl", "-noout", "-text", "-in"], &[&crl]).unwrap();
    assert!(text.contains(&serial), "{text}");
    assert!(text.contains("Cessation Of Operation"), "{text}");
    assert!(text.contains("X509v3 CRL Number"), "{text}");
    let e = verify_with_lists(&root, &oca, &crl, &arl, &victim).unwrap_err();
    assert!(e.contains("certificate revoked"), "{e}");
    verify_with_lists(&root, &oca, &crl, &arl, &path(&users[1]["signing_cert"]))
        .expect("an unrevoked certificate still verifies");

    // The PMA revokes the OCA itself: the ARL lists it and every chain through it fails.
    let oca_serial = smki_service::CertRecord::authority(
        &common::cert_der(&oca),
        smki_service::CertKind::Authority,
        smki_service::Environment::Live,
        0,
    )
    .unwrap()
    .serial;
    let e = cli_fails(
        &demo,
        &revoke_args(
            &d,
            &oca_serial,
            "key-compromise",
            Some(&demo.user_eui("supplier-b")),
        ),
    );
    assert!(
        e.contains("only the PMA may revoke a CA certificate"),
        "{e}"
    );
    cli(&demo, &revoke_args(&d, &oca_serial, "key-compromise", None));
    assert_eq!(read_inventory(&demo, "supplier-b").duis().code(), "I0");
    let out = cli(&demo, &["smki", "publish-crl", "--data", &d, "--arl"]);
    assert!(out.contains("published ARL #2"), "{out}");
    // Every certificate under the revoked OCA is refused at the gateway too.
    read_inventory(&demo, "supplier-b").assert_refused(401, "signing certificate has been revoked");
    let e =
        verify_with_lists(&root, &oca, &crl, &arl, &path(&users[1]["signing_cert"])).unwrap_err();
    assert!(e.contains("certificate revoked"), "{e}");
}

#[test]
fn rollover_destroys_the_old_dca_key_and_issues_a_new_dca() {
    let demo = demo();
    let d = data(&demo);
    let key_file = demo.data_dir().join("pki/private/device-issuing.key");
    let old = smki::KeyPair::from_pkcs8_pem(&std::fs::read_to_string(&key_file).unwrap()).unwrap();
    let old_pkcs8 = old.to_pkcs8_der().unwrap().to_vec();
    let out = cli(&demo, &["smki", "rollover", "--data", &d]);
    assert!(out.contains("not due"), "{out}");
    assert!(key_file.exists());
    let out = cli(&demo, &["smki", "rollover", "--data", &d, "--force"]);
    assert!(
        out.contains("rolled over (forced by the operator)"),
        "{out}"
    );
    assert!(out.contains("public key SHA-256"), "{out}");
    assert!(
        !key_file.exists(),
        "the world's copy of the old DCA key is destroyed"
    );

    // Nowhere in the database files either.
    if demo.on_postgres() {
        eprintln!(
            "skipped on PostgreSQL: the byte search of the database files (the server's \
             write-ahead log keeps the old key's bytes until it is recycled, as the README \
             says; the SQLite file in the data directory is the world maker's, not the DCC's)"
        );
    } else {
        let db = demo.db_path();
        for f in [db.clone(), PathBuf::from(format!("{}-wal", db.display()))] {
            if let Ok(bytes) = std::fs::read(&f) {
                assert!(
                    !bytes.windows(old_pkcs8.len()).any(|w| w == old_pkcs8),
                    "old DCA key still in {}",
                    f.display()
                );
            }
        }
    }
    let rows = demo.query(
        "SELECT key_pkcs8 IS NULL, destroyed_at IS NOT NULL, destruction_record FROM smki_cas \
         WHERE kind = 'dca' AND environment = 'live' ORDER BY id",
        &[],
    );
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0][0], "1");
    assert_eq!(rows[0][1], "1");
    assert_eq!(rows[1][0], "0", "the new DCA holds its key");

    // The new DCA certificate chains to the device root.
    let dev_root = common::json_path(&common::manifest_json(&demo)["smki"]["device_root"]);
    if common::openssl_available() {
        let new_dca = demo.data_dir().join("smki/dca.pem");
        openssl(
            &["verify", "-x509_strict", "-CAfile"],
            &[&dev_root, &new_dca],
        )
        .expect("the new DCA verifies under the device root");
    }
    let audit = cli(&demo, &["smki", "audit", "--data", &d]);
    assert!(audit.contains("PMA rollover DCA #"), "{audit}");
    // The gateway carries on, and the world restarts without the destroyed key.
    assert_eq!(read_inventory(&demo, "supplier-a").duis().code(), "I0");
    let mut demo = demo;
    assert!(demo.stop().success());
    demo.restart();
    assert_eq!(read_inventory(&demo, "supplier-a").duis().code(), "I0");
    assert_eq!(
        demo.query(
            "SELECT count(*) FROM smki_cas WHERE kind = 'dca' AND environment = 'live' AND key_pkcs8 IS NOT NULL",
            &[]
        )[0][0],
        "1"
    );
}

#[test]
fn the_worker_publishes_the_crl_promptly_after_a_revocation() {
    let demo = Demo::start_with(DemoOptions {
        extra_args: vec!["--smki-tick-ms".into(), "200".into()],
        ..DemoOptions::default()
    });
    let d = data(&demo);
    let user = demo.user("supplier-a").clone();
    assert_eq!(read_inventory(&demo, "supplier-a").duis().code(), "I0");
    let first = std::fs::read_to_string(demo.data_dir().join("smki/crl.pem")).unwrap();
    cli(
        &demo,
        &revoke_args(
            &d,
            &serial_hex(&user.signing_cert),
            "key-compromise",
            Some(&user.eui),
        ),
    );
    // No operator publication: the worker's next tick publishes and the gateway refuses.
    demo.wait_until(
        std::time::Duration::from_secs(20),
        "the worker's CRL",
        || read_inventory(&demo, "supplier-a").status == 401,
    );
    // The file is written just after the database commits.
    let crl = demo.data_dir().join("smki/crl.pem");
    demo.wait_until(
        std::time::Duration::from_secs(5),
        "crl.pem rewritten",
        || std::fs::read_to_string(&crl).is_ok_and(|now| now != first),
    );
    let audit = cli(&demo, &["smki", "audit", "--data", &d]);
    assert!(audit.contains("DCC publish-crl CRL #2"), "{audit}");
}

/// The world's DCA record: (id, created_at).
fn current_dca(demo: &Demo) -> (String, i64) {
    let rows = demo.query(
        "SELECT id, created_at FROM smki_cas WHERE kind = 'dca' AND environment = 'live' AND key_pkcs8 IS NOT NULL \
         AND retired_at IS NULL",
        &[],
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    (rows[0][0].clone(), rows[0][1].parse().unwrap())
}

fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[test]
fn the_worker_follows_the_schedule_at_both_roll_over_limits() {
    let demo = demo();
    let d = data(&demo);
    let (dca, created) = current_dca(&demo);
    let crl_at: i64 = demo.query(
        "SELECT this_update FROM smki_revocation_lists WHERE kind = 'crl' ORDER BY number DESC",
        &[],
    )[0][0]
        .parse()
        .unwrap();
    let tick = |ms: i64| cli(&demo, &["smki", "tick", "--data", &d, "--at", &rfc3339(ms)]);
    // 12 hours after the last CRL, a new one though nothing changed; nothing else is due.
    assert_eq!(tick(crl_at + 12 * 3_600_000 - 1000).trim(), "nothing due");
    let out = tick(crl_at + 12 * 3_600_000);
    assert!(out.contains("published CRL #2"), "{out}");
    assert!(!out.contains("ARL"), "{out}");

    // Three calendar months after the DCA began: one millisecond short is not due.
    let limit = smki_service::schedule::add_months(created, 3).unwrap();
    let out = tick(limit - 1);
    assert!(!out.contains("rolled"), "{out}");
    assert_eq!(current_dca(&demo).0, dca);
    let out = tick(limit);
    assert!(
        out.contains("rolled the DCA over (3 months of operation)"),
        "{out}"
    );
    let (second, second_created) = current_dca(&demo);
    assert_ne!(second, dca);
    assert_eq!(second_created, limit);

    // 100,000 certificates: 99,999 is not due, 100,000 is (the count comes from issuance).
    let set_count = |n: u64| {
        demo.execute(
            "UPDATE smki_cas SET issued_count = ?1 WHERE id = ?2",
            &[&n.to_string(), &second.to_string()],
        );
    };
    set_count(99_999);
    let out = tick(limit + 1000);
    assert!(!out.contains("rolled"), "{out}");
    set_count(100_000);
    let out = tick(limit + 2000);
    assert!(
        out.contains("rolled the DCA over (100000 certificates issued)"),
        "{out}"
    );
    assert_ne!(current_dca(&demo).0, second);
    let audit = cli(&demo, &["smki", "audit", "--data", &d]);
    assert_eq!(audit.matches(" DCC rollover DCA #").count(), 2, "{audit}");
}
