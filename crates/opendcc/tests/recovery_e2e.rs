//! SMKI recovery on the demo's emulated devices: `opendcc smki recovery start` for the supplier
//! places every device holding its trust anchor in Recovery (the gateway then refuses normal
//! requests to them with E5), the emulated WAN carries the CS02b command signed by the DCC's
//! Recovery key, and each device that answers success becomes Recovered: its supplier anchor is
//! the replacement certificate, normal requests are served again, and critical commands signed
//! with the replacement key execute while those signed with the compromised key do not.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;

const SUPPLIER: &str = "supplier-a";
const SUPPLIER_EUI_HEX: &str = "90b3d51f30010000";
const DISABLE_ESME: &str = "ECS43_7.2_SUCCESS_REQUEST_DUIS.XML";

fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn cli_ok(demo: &Demo, args: &[&str]) -> String {
    let out = demo.cli(args, None);
    assert!(
        out.status.success(),
        "opendcc {args:?}: {}\n{}",
        stderr_of(&out),
        stdout_of(&out)
    );
    stdout_of(&out)
}

fn recovery_status(demo: &Demo) -> String {
    let data = demo.data_dir();
    cli_ok(
        demo,
        &["smki", "recovery", "status", "--data", path_str(&data)],
    )
}

fn status_line_of(status: &str, id: &str) -> Option<String> {
    status
        .lines()
        .find(|l| l.starts_with(id))
        .map(str::to_string)
}

/// `opendcc smki recovery start --data DATA --party PARTY REST...`.
fn recovery_start(demo: &Demo, party: &str, rest: &[&str]) -> std::process::Output {
    let data = demo.data_dir();
    let mut args = vec![
        "smki",
        "recovery",
        "start",
        "--data",
        path_str(&data),
        "--party",
        party,
    ];
    args.extend_from_slice(rest);
    demo.cli(&args, None)
}

/// Waits (bounded) until `opendcc smki recovery status` shows device `id` Recovered.
fn wait_recovered(demo: &Demo, id: &str, what: &str) {
    demo.wait_until(Duration::from_secs(30), what, || {
        status_line_of(&recovery_status(demo), id).is_some_and(|l| l.ends_with("Recovered"))
    });
}

/// The device's supplier digital-signing trust anchor (hex public key).
fn supplier_ds_anchor(demo: &Demo, id: &str) -> String {
    demo.device_state(id)["trust_anchors"]["Supplier"]["ds_public"]
        .as_str()
        .expect("hex key")
        .to_string()
}

/// CV 4 to `target`, then CV 5 with the pre-command signed by `key_file`; returns the final
/// DUIS response delivered for it.
fn critical(demo: &Demo, sink: &ResponseSink, target: &str, key_file: &Path) -> DuisResponse {
    let cv4 = demo.signed_request(DISABLE_ESME, SUPPLIER, target, None);
    let r = demo.submit(SUPPLIER, &cv4).duis();
    r.assert_code("I0", &cv4.rid);
    let signed = sign_precommand(&gbcs_payload(&r), key_file);
    let xml = cv5_request_xml(
        &cv4.rid,
        &text_of(&cv4.xml, "ServiceReference").expect("ServiceReference"),
        &text_of(&cv4.xml, "ServiceReferenceVariant").expect("ServiceReferenceVariant"),
        &signed,
    );
    let cv5 = Prepared {
        rid: cv4.rid.clone(),
        counter: cv4.counter,
        xml: demo.sign(SUPPLIER, &xml),
    };
    demo.submit(SUPPLIER, &cv5)
        .duis()
        .assert_code("I99", &cv5.rid);
    demo.delivered(sink, &cv5.rid)
}

#[test]
fn recovery_replaces_the_supplier_anchor_on_every_device() {
    let demo = Demo::start_fast(&[]);
    let sink = demo.response_sink();
    demo.set_response_url(SUPPLIER, sink.url());
    let data = demo.data_dir();

    // The fresh world installed the DCC's Recovery anchor on the devices, and lodged the
    // Recovery certificate.
    let before = demo.device_state(premises1::ESME);
    let recovery_anchor = &before["trust_anchors"]["Recovery"];
    assert_eq!(
        recovery_anchor["eui"], "90-B3-D5-1F-30-00-00-01",
        "{before}"
    );
    let recovery_pem = data.join("pki/recovery-ds.pem");
    assert_eq!(
        hex::encode(cert_public_key(&recovery_pem).as_sec1()),
        recovery_anchor["ds_public"].as_str().expect("hex key")
    );
    let old_supplier_ds = before["trust_anchors"]["Supplier"]["ds_public"].clone();

    // Hold premises 1's hub off the WAN, so that its devices stay in Recovery for a while.
    demo.wan_fault(premises1::CHF, "no-wan");
    let out = recovery_start(&demo, &demo.user_eui(SUPPLIER), &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = stdout_of(&out);
    assert!(
        out.contains(&format!("{}: Recovery", premises1::ESME)),
        "{out}"
    );
    assert!(
        out.contains(&format!("{}: Recovery", premises1::GSME)),
        "{out}"
    );
    let status = recovery_status(&demo);
    assert_eq!(
        status_line_of(&status, premises1::ESME).as_deref(),
        Some(format!("{} ESME Recovery", premises1::ESME).as_str()),
        "{status}"
    );

    // Normal traffic to a device in Recovery is refused by the gateway: E5 (SMI status).
    let p = demo.signed_request(tpl::READ_FIRMWARE_ESME, SUPPLIER, premises1::ESME, None);
    demo.submit(SUPPLIER, &p).duis().assert_code("E5", &p.rid);
    // The anchor is not replaced yet: nothing reached the device.
    assert_eq!(
        demo.device_state(premises1::ESME)["trust_anchors"]["Supplier"]["ds_public"],
        old_supplier_ds
    );

    // A device at another premises, reachable, is Recovered already or soon.
    let other_esme = "00-DB-12-34-56-78-91-A0";
    wait_recovered(&demo, other_esme, "premises 2's ESME Recovered");

    // The hub comes back: premises 1's devices get their commands and become Recovered.
    demo.wan_fault(premises1::CHF, "clear");
    wait_recovered(&demo, premises1::ESME, "premises 1's ESME Recovered");
    wait_recovered(&demo, premises1::GSME, "premises 1's GSME Recovered");

    // The device's supplier DS anchor is now the replacement certificate's key; KA unchanged.
    let replacement_pem: PathBuf = data.join(format!("pki/recovery/{SUPPLIER_EUI_HEX}-ds.pem"));
    let replacement_key: PathBuf =
        data.join(format!("pki/private/recovery/{SUPPLIER_EUI_HEX}-ds.key"));
    assert!(out.contains(path_str(&replacement_pem)), "{out}");
    let after = demo.device_state(premises1::ESME);
    assert_eq!(
        after["trust_anchors"]["Supplier"]["ds_public"]
            .as_str()
            .expect("hex key"),
        hex::encode(cert_public_key(&replacement_pem).as_sec1())
    );
    assert_ne!(
        after["trust_anchors"]["Supplier"]["ds_public"],
        old_supplier_ds
    );
    assert_eq!(
        after["trust_anchors"]["Supplier"]["ka_public"],
        before["trust_anchors"]["Supplier"]["ka_public"]
    );

    // Normal traffic is served again.
    let (p, r) = demo.device_request(
        &sink,
        SUPPLIER,
        tpl::READ_FIRMWARE_ESME,
        premises1::ESME,
        None,
    );
    r.assert_code("I0", &p.rid);

    // A critical command signed with the compromised key no longer executes on the meter …
    let old_key = demo.user_file(SUPPLIER, "signing.key");
    let r = critical(&demo, &sink, premises1::ESME, &old_key);
    assert_ne!(r.code(), "I0", "{}", r.xml);
    assert_eq!(demo.device_state(premises1::ESME)["supply"], "Enabled");
    // … one signed with the replacement key does.
    let r = critical(&demo, &sink, premises1::ESME, &replacement_key);
    assert_eq!(r.code(), "I0", "{}", r.xml);
    assert_eq!(demo.device_state(premises1::ESME)["supply"], "Disabled");

    // The replacement certificate is lodged in the SMKI repository.
    let lodged = demo.query(
        "SELECT COUNT(*) FROM smki_certificates WHERE subject_eui LIKE '%' || ?1 || '%'",
        &["90-B3-D5-1F-30-01-00-00"],
    );
    assert!(lodged[0][0].parse::<u32>().unwrap_or(0) >= 2, "{lodged:?}");
}

#[test]
fn recovery_start_refuses_bad_input_and_changes_nothing() {
    let demo = Demo::start_fast(&[]);
    let quiet = demo.snapshot();
    for (party, why) in [
        ("not-an-eui", "--party"),
        ("90-B3-D5-1F-30-99-99-99", "no device holds"),
    ] {
        let out = recovery_start(&demo, party, &[]);
        assert!(!out.status.success());
        assert!(stderr_of(&out).contains(why), "{}", stderr_of(&out));
    }
    // A replacement certificate for another party.
    let other = demo.user_file("supplier-b", "signing.pem");
    let out = recovery_start(
        &demo,
        &demo.user_eui(SUPPLIER),
        &["--replacement-cert", path_str(&other)],
    );
    assert!(!out.status.success());
    assert!(stderr_of(&out).contains("is for"), "{}", stderr_of(&out));
    demo.snapshot()
        .assert_unchanged(&quiet, "refused recovery starts");
    assert!(recovery_status(&demo).contains("no device is in Recovery"));
}

#[test]
fn zaz1_world_recovers_with_the_zaz1_recovery_key() {
    let folder = corpus().join("zaz1");
    assert!(
        folder.join("Z1-recovery-ds.pem").is_file(),
        "{} holds no ZAZ1 material (set OPENDCC_CORPUS)",
        folder.display()
    );
    let demo = Demo::start_fast(&["--zaz1", path_str(&folder)]);
    let data = demo.data_dir();
    let esme = premises1::ESME;
    let state = demo.device_state(esme);
    assert_eq!(
        state["trust_anchors"]["Recovery"]["ds_public"]
            .as_str()
            .expect("a Recovery anchor"),
        hex::encode(cert_public_key(&folder.join("Z1-recovery-ds.pem")).as_sec1()),
        "the ZAZ1 Recovery key is the devices' Recovery anchor"
    );
    let out = recovery_start(&demo, "90-B3-D5-1F-30-01-00-00", &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    wait_recovered(&demo, esme, "the ZAZ1 ESME Recovered");
    let replacement = data.join(format!("pki/recovery/{SUPPLIER_EUI_HEX}-ds.pem"));
    assert_eq!(
        supplier_ds_anchor(&demo, esme),
        hex::encode(cert_public_key(&replacement).as_sec1())
    );
}

/// A supplier DS certificate for supplier-a issued by `oca`, written to `dir/name.pem`.
fn supplier_cert(oca: &smki::Ca, dir: &Path, name: &str) -> (PathBuf, [u8; 65]) {
    let key = smki::KeyPair::generate_with_os_rng().expect("key");
    let now = time::OffsetDateTime::now_utc();
    let der = oca
        .issue_organisation(&smki::OrgCertRequest {
            common_name: None,
            eui: eui64("90-B3-D5-1F-30-01-00-00"),
            role: smki::RemotePartyRole::Supplier,
            usage: smki::KeyUsage::DigitalSignature,
            public_key: key.public_key(),
            serial: smki::Serial::random_with_os_rng().expect("serial"),
            not_before: now - time::Duration::days(1),
            not_after: now + time::Duration::days(30),
        })
        .expect("certificate");
    let path = dir.join(format!("{name}.pem"));
    std::fs::write(&path, smki::cert_to_pem(&der).expect("PEM")).expect("write");
    (path, key.public_key().to_sec1_uncompressed())
}

#[test]
fn a_given_replacement_certificate_must_come_from_the_dccs_oca() {
    let demo = Demo::start_fast(&[]);
    let data = demo.data_dir();
    let scratch = demo.scratch_dir();
    let read = |p: &str| std::fs::read_to_string(data.join(p)).expect("world file");
    let oca = smki::Ca::from_parts(
        smki::CaKind::Oca,
        smki::KeyPair::from_pkcs8_pem(&read("pki/private/org-issuing.key")).expect("OCA key"),
        smki::cert_from_pem(&read("pki/org-issuing.pem")).expect("OCA cert"),
    )
    .expect("the world's OCA");
    let start = |cert: &Path| {
        recovery_start(
            &demo,
            "90-B3-D5-1F-30-01-00-00",
            &["--replacement-cert", path_str(cert)],
        )
    };

    // From another PKI's OCA: refused, nothing changed.
    let foreign = smki::Pki::generate_with_os_rng(
        time::OffsetDateTime::now_utc(),
        &smki::PkiNames::default(),
    )
    .expect("a foreign PKI");
    let (bad, _) = supplier_cert(&foreign.oca, &scratch, "foreign");
    let quiet = demo.snapshot();
    let out = start(&bad);
    assert!(!out.status.success());
    assert!(
        stderr_of(&out).contains("not issued by this DCC's OCA"),
        "{}",
        stderr_of(&out)
    );
    demo.snapshot()
        .assert_unchanged(&quiet, "a foreign replacement certificate");

    // From the world's OCA: the devices end up holding it.
    let (good, public) = supplier_cert(&oca, &scratch, "good");
    let out = start(&good);
    assert!(out.status.success(), "{}", stderr_of(&out));
    wait_recovered(&demo, premises1::ESME, "the ESME Recovered");
    assert_eq!(
        supplier_ds_anchor(&demo, premises1::ESME),
        hex::encode(public)
    );
}
