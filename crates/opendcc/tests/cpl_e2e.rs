//! The Certified Products List end to end on a running demo: the demo's models listed, `opendcc
//! cpl` changes made as a party and refused as another (nothing changed), pre-notification
//! and commissioning only of listed models (12.2 E120204, 8.1.1 E5), the Deployed Products
//! List, and expiry suspending the devices of the model and their dependants.

mod common;

use common::*;

fn cpl(demo: &Demo, args: &[&str]) -> (bool, String) {
    let data = demo.data_dir().display().to_string();
    let mut all = vec!["cpl", args[0], "--data", data.as_str()];
    all.extend_from_slice(&args[1..]);
    let out = demo.cli(&all, None);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

const ESME_ENTRY: &str = "ESME/AB01/010A030B/1";

fn pre_notification_of(id: &str, model: &str) -> String {
    format!(
        "<sr:DevicePrenotification><sr:DeviceID>{id}</sr:DeviceID>\
         <sr:DeviceManufacturer>AB01</sr:DeviceManufacturer>\
         <sr:DeviceModel>{model}</sr:DeviceModel><sr:DeviceType>ESME</sr:DeviceType>\
         <sr:SMETSCHTSVersion>SMETS V5.0</sr:SMETSCHTSVersion>\
         <sr:FirmwareVersion>0002012F</sr:FirmwareVersion><sr:ESMEVariant>A</sr:ESMEVariant>\
         </sr:DevicePrenotification>"
    )
}

#[test]
fn the_cpl_lists_the_demo_models_and_only_they_enter_the_inventory() {
    let demo = Demo::start();
    let (ok, list) = cpl(&demo, &["list"]);
    assert!(ok, "{list}");
    for entry in [
        ESME_ENTRY,
        "GSME/AB02/020B0401/1",
        "CHF/106C/433100AC/1",
        "GPF/106C/433100AC/1",
        "PPMID/AB03/03000001/1",
        "HCALCS/AB04/04000001/1",
        "IHD/AB05/05000001/1",
    ] {
        assert!(
            list.contains(&format!("{entry}: Active")),
            "{entry} in {list}"
        );
    }
    let (ok, shown) = cpl(&demo, &["show", "--entry", ESME_ENTRY]);
    assert!(ok && shown.contains("firmware 0002012F sha256"), "{shown}");
    assert!(shown.contains("DLMS/COSEM certificate"), "{shown}");

    // A model not on the CPL is not pre-notified: E120204, nothing changed.
    let before = demo.snapshot();
    let r = demo.non_device(
        "supplier-a",
        tpl::PRE_NOTIFICATION,
        Some(&pre_notification_of(spare::ESME, "0BADBEEF")),
    );
    assert_eq!(r.code(), "E120204");
    before.assert_unchanged(&demo.snapshot(), "pre-notifying a model not on the CPL");

    // Another party adds it (any SEC Party may, with valid certificates)...
    let (ok, out) = cpl(
        &demo,
        &[
            "add",
            "--as",
            "other-user",
            "--type",
            "ESME",
            "--manufacturer",
            "AB01",
            "--model",
            "0BADBEEF",
            "--hardware",
            "2",
            "--cert",
            "zigbee:Z-1:2025-01-01:2035-01-01",
            "--cert",
            "dlms:D-1:2025-01-01:2035-01-01",
            "--cert",
            "cpa:C-1:2025-01-01:2031-01-01",
            "--firmware",
            &format!("0002012F:{}", "ab".repeat(32)),
        ],
    );
    assert!(ok, "{out}");
    assert!(out.contains("notified to"), "{out}");
    // ... and then it is.
    let r = demo.non_device(
        "supplier-a",
        tpl::PRE_NOTIFICATION,
        Some(&pre_notification_of(spare::ESME, "0BADBEEF")),
    );
    assert_eq!(r.code(), "I99");
    // Every party was told.
    for party in ["supplier-b", "distributor", "other-user"] {
        let (ok, notices) = cpl(&demo, &["notices", "--party", party]);
        assert!(ok && notices.contains("0BADBEEF"), "{party}: {notices}");
    }
}

#[test]
fn who_may_change_what_and_refusals_change_nothing() {
    let demo = Demo::start();
    let before = demo.snapshot();
    let refusals: [(&[&str], &str); 6] = [
        (
            &[
                "add-firmware",
                "--as",
                "distributor",
                "--entry",
                ESME_ENTRY,
                "--firmware",
                "00030000:00",
            ],
            "64 hex",
        ),
        (
            &[
                "add-firmware",
                "--as",
                "distributor",
                "--entry",
                ESME_ENTRY,
                "--firmware",
                "00030000:",
            ],
            "--firmware",
        ),
        (
            &[
                "add-firmware",
                "--as",
                "other-user",
                "--entry",
                ESME_ENTRY,
                "--firmware",
                "00030000:0000000000000000000000000000000000000000000000000000000000000000",
            ],
            "only a supplier",
        ),
        (
            &[
                "add-firmware",
                "--as",
                "supplier-a",
                "--entry",
                "CHF/106C/433100AC/1",
                "--firmware",
                "00030000:0000000000000000000000000000000000000000000000000000000000000000",
            ],
            "only the DCC",
        ),
        (
            &[
                "add",
                "--as",
                "supplier-a",
                "--type",
                "GSME",
                "--manufacturer",
                "X",
                "--model",
                "Y",
                "--hardware",
                "1",
                "--cert",
                "zigbee:Z:2020-01-01:2021-01-01",
                "--cert",
                "cpa:C:2020-01-01:2026-01-01",
            ],
            "not valid",
        ),
        (
            &[
                "status",
                "--as",
                "other-user",
                "--entry",
                ESME_ENTRY,
                "--withdraw",
                "no",
            ],
            "only a supplier",
        ),
    ];
    for (args, want) in refusals {
        let (ok, out) = cpl(&demo, args);
        assert!(!ok, "{args:?} refused: {out}");
        assert!(out.contains(want), "{args:?}: {out}");
    }
    let (ok, out) = cpl(
        &demo,
        &[
            "add-firmware",
            "--as",
            "nobody",
            "--entry",
            ESME_ENTRY,
            "--firmware",
            &format!("1:{}", "00".repeat(32)),
        ],
    );
    assert!(!ok && out.contains("no such user"), "{out}");
    before.assert_unchanged(&demo.snapshot(), "refused CPL changes");

    // The supplier adds a firmware version, citing the model's CPA certificate; the DCC a hub's.
    let (ok, out) = cpl(
        &demo,
        &[
            "add-firmware",
            "--as",
            "supplier-a",
            "--entry",
            ESME_ENTRY,
            "--firmware",
            &format!("00030000:{}", "01".repeat(32)),
        ],
    );
    assert!(ok, "{out}");
    let (ok, out) = cpl(
        &demo,
        &[
            "add-firmware",
            "--as",
            "DCC",
            "--entry",
            "CHF/106C/433100AC/1",
            "--firmware",
            &format!("00020000:{}", "02".repeat(32)),
        ],
    );
    assert!(ok, "{out}");
    let (_, shown) = cpl(&demo, &["show", "--entry", ESME_ENTRY]);
    assert!(
        shown.contains("firmware 00030000") && shown.contains("under CPA DEMO-CPA-AB01-010A030B"),
        "{shown}"
    );
    let (ok, out) = cpl(
        &demo,
        &[
            "add-hardware",
            "--as",
            "supplier-b",
            "--entry",
            ESME_ENTRY,
            "--hardware",
            "2",
        ],
    );
    assert!(ok, "{out}");
    let (_, shown) = cpl(&demo, &["show", "--entry", "ESME/AB01/010A030B/2"]);
    assert!(
        shown.contains("listed under the original CPA certificate DEMO-CPA-AB01-010A030B"),
        "{shown}"
    );
}

#[test]
fn the_dpl_and_expiry_suspend_the_devices_of_the_model() {
    let demo = Demo::start();
    let (ok, dpl) = cpl(&demo, &["dpl"]);
    assert!(ok, "{dpl}");
    assert!(dpl.starts_with("systems,models"), "{dpl}");
    assert!(
        dpl.contains(
            "CHF 106C 433100AC 00010001; GPF 106C 433100AC 00010001; ESME AB01 010A030B 0002012F"
        ),
        "{dpl}"
    );
    let (ok, json) = cpl(&demo, &["dpl", "--json"]);
    assert!(ok && json.trim_start().starts_with('['), "{json}");

    // Commissioning a listed model is planned as ever...
    let p = demo.signed_request(
        "ECS70Commission_8.1.1_SUCCESS_REQUEST_DUIS.XML",
        "supplier-a",
        premises1::ESME,
        None,
    );
    let r = demo.submit("supplier-a", &p).duis();
    assert_ne!(r.code(), "E5");
    // ... until a supplier withdraws the ESME model's certification: then the DCC commissions
    // no such meter.
    let (ok, out) = cpl(
        &demo,
        &[
            "status",
            "--as",
            "supplier-a",
            "--entry",
            ESME_ENTRY,
            "--withdraw",
            "lab finding",
        ],
    );
    assert!(ok, "{out}");
    let p = demo.signed_request(
        "ECS70Commission_8.1.1_SUCCESS_REQUEST_DUIS.XML",
        "supplier-a",
        premises1::ESME,
        None,
    );
    let r = demo.submit("supplier-a", &p).duis();
    assert_eq!(r.code(), "E5");

    // Nothing has expired today; in 2040 every demo model's CPA certificate has.
    let (ok, out) = cpl(&demo, &["expire"]);
    assert!(ok && out.contains("0 entr(ies) expired"), "{out}");
    let (ok, out) = cpl(&demo, &["expire", "--at", "2040-01-01"]);
    assert!(ok, "{out}");
    assert!(
        out.contains(&format!("{}: Suspended", premises1::ESME)),
        "{out}"
    );
    assert!(
        out.contains(&format!("{}: Suspended", premises1::CHF)),
        "{out}"
    );
    let r = demo.read_device("supplier-a", premises1::ESME);
    assert_eq!(r.inventory()[0].get("DeviceStatus"), Some("Suspended"));
    let (_, notices) = cpl(&demo, &["notices", "--party", "supplier-a"]);
    assert!(notices.contains("Suspended"), "{notices}");
    let (_, dpl) = cpl(&demo, &["dpl"]);
    assert_eq!(
        dpl.trim(),
        "systems,models",
        "no system is enrolled any more"
    );
    let (_, bad) = cpl(&demo, &["expire", "--at", "2040-13-01"]);
    assert!(bad.contains("YYYY-MM-DD"), "{bad}");
}

/// One plain HTTP/1.1 GET (`Connection: close`): (status, content type, body).
fn get(url: &str) -> (u16, String, String) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("a plain-HTTP URL");
    let (host, path) = rest.split_once('/').expect("a URL with a path");
    let mut s = std::net::TcpStream::connect(host).expect("connecting to the publications");
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .expect("setting a read timeout");
    write!(
        s,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("sending the request");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("reading the answer");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP head");
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
    (status, ct, body.to_string())
}

#[test]
fn the_lists_are_published_on_their_own_endpoint() {
    if std::env::var("OPENDCC_E2E_BACKEND").as_deref() == Ok("postgres") {
        return; // `opendcc demo`'s flag; the served processes take `publication_listen`.
    }
    let demo = Demo::start_with(DemoOptions {
        plain_http: false,
        extra_args: vec!["--publication-listen".into(), "127.0.0.1:0".into()],
    });
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(demo.manifest_path()).expect("reading demo.json"),
    )
    .expect("demo.json");
    let base = manifest["publication_url"]
        .as_str()
        .expect("demo.json names the publication endpoint")
        .to_string();
    let (status, ct, body) = get(&format!("{base}cpl"));
    assert_eq!((status, ct.as_str()), (200, "application/json"), "{body}");
    let entries: serde_json::Value = serde_json::from_str(&body).expect("CPL JSON");
    let entries = entries.as_array().expect("a list");
    assert_eq!(entries.len(), 7);
    assert!(entries.iter().any(|e| {
        e["key"]["model"] == "010A030B"
            && e["firmware"][0]["version"] == "0002012F"
            && e["firmware"][0]["hash"]
                .as_str()
                .is_some_and(|h| h.len() == 64)
    }));
    let (status, ct, body) = get(&format!("{base}cpl.csv"));
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/csv"), "{ct}");
    assert!(body.contains("ESME,AB01,010A030B,1,Active,"), "{body}");
    let (status, _, body) = get(&format!("{base}dpl"));
    assert_eq!(status, 200);
    let dpl: serde_json::Value = serde_json::from_str(&body).expect("DPL JSON");
    assert!(dpl.as_array().is_some_and(|a| !a.is_empty()), "{body}");
    let (status, _, body) = get(&format!("{base}dpl.csv"));
    assert!(
        status == 200 && body.starts_with("systems,models"),
        "{body}"
    );
    assert_eq!(get(&format!("{base}nothing")).0, 404);
    // Not in the SMKI repository.
    let smki = manifest["smki_url"].as_str().expect("smki_url").to_string();
    assert_eq!(get(&format!("{smki}cpl")).0, 404);
}
