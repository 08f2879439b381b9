//! End-to-end tests of the `opendcc` command line around a running demo: user administration,
//! restart and resumption, the plain-HTTP listener, and the client's sign and send commands.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use common::*;

const RRS_URL: &str = "https://127.0.0.1:9999/rrs";

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

// ---------------------------------------------------------------------------------------------
// opendcc user response-url

#[test]
fn response_url_takes_effect_in_the_database_at_once_and_in_demo_json_on_restart() {
    let mut demo = Demo::start();
    let data = demo.data_dir();
    assert_eq!(demo.user("supplier-a").response_url, None);
    let before = demo.snapshot();
    let supplier = format!("{:?}", demo.user_eui("supplier-a"));
    let quoted_url = format!("{RRS_URL:?}");
    assert!(before.rows_with("users", &quoted_url).is_empty());

    let out = demo.cli(
        &[
            "user",
            "response-url",
            "--data",
            path_str(&data),
            "--user",
            "supplier-a",
            RRS_URL,
        ],
        None,
    );
    assert!(
        out.status.success(),
        "exit {}: {}",
        out.status,
        stderr_of(&out)
    );
    assert_eq!(
        stdout_of(&out).trim(),
        format!("supplier-a: Receive Response Service is now {RRS_URL}")
    );

    // The running demo's database has it: only supplier-a's users row changed.
    let after = demo.snapshot();
    assert_eq!(after.changed_tables(&before), vec!["users".to_string()]);
    let rows = after.rows_with("users", &quoted_url);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].starts_with(&supplier), "{}", rows[0]);
    let others_before: Vec<&String> = before
        .table("users")
        .iter()
        .filter(|r| !r.starts_with(&supplier))
        .collect();
    let others_after: Vec<&String> = after
        .table("users")
        .iter()
        .filter(|r| !r.starts_with(&supplier))
        .collect();
    assert_eq!(others_before, others_after);
    // The demo keeps serving.
    assert_eq!(demo.read_device("supplier-a", premises1::ESME).code(), "I0");

    // A new URL replaces the old one.
    let second = "http://127.0.0.1:9998/other";
    let out = demo.cli(
        &[
            "user",
            "response-url",
            "--data",
            path_str(&data),
            "--user",
            "supplier-a",
            second,
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr_of(&out));

    // demo.json on the next start says so.
    assert!(demo.stop().success());
    demo.restart();
    assert_eq!(
        demo.user("supplier-a").response_url.as_deref(),
        Some(second)
    );
    assert_eq!(demo.user("supplier-b").response_url, None);
}

#[test]
fn response_url_refuses_unknown_users_and_bad_urls() {
    let demo = Demo::start();
    let data = demo.data_dir();
    let data_s = path_str(&data);
    let before = demo.snapshot();
    let cases: [(&str, &str, &str); 5] = [
        ("nobody", RRS_URL, "no user named \"nobody\""),
        ("supplier-a", "not a url", "is not a URL"),
        (
            "supplier-a",
            "ftp://127.0.0.1/rrs",
            "a Receive Response Service URL is http:// or https:// with a host",
        ),
        (
            "supplier-a",
            "file:///etc/passwd",
            "a Receive Response Service URL is http:// or https:// with a host",
        ),
        ("supplier-a", "", "is not a URL"),
    ];
    for (user, url, message) in cases {
        let out = demo.cli(
            &[
                "user",
                "response-url",
                "--data",
                data_s,
                "--user",
                user,
                url,
            ],
            None,
        );
        assert!(!out.status.success(), "{user} {url:?} was accepted");
        let err = stderr_of(&out);
        assert!(
            err.starts_with("opendcc: ") && err.contains(message),
            "{user} {url:?}: expected {message:?}, got {err:?}"
        );
        assert!(stdout_of(&out).is_empty(), "{}", stdout_of(&out));
    }
    before.assert_unchanged(&demo.snapshot(), "refused response-url commands");

    // A directory with no world in it.
    let empty = demo.scratch_dir();
    let out = run_cli(
        &[
            "user",
            "response-url",
            "--data",
            path_str(&empty),
            "--user",
            "supplier-a",
            RRS_URL,
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(
        stderr_of(&out).contains("holds no demo world"),
        "{}",
        stderr_of(&out)
    );
    assert!(
        !empty.join("opendcc.sqlite").exists(),
        "no database is created"
    );
}

// ---------------------------------------------------------------------------------------------
// Restart

/// Every file under `dir`, by relative path.
fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("reading a directory") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path
                    .strip_prefix(base)
                    .expect("under base")
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).expect("reading a file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn restart_resumes_the_world() {
    let mut demo = Demo::start();
    let data = demo.data_dir();
    let r = demo.non_device(
        "supplier-a",
        tpl::PRE_NOTIFICATION,
        Some(&body::pre_notification(spare::ESME, "ESME")),
    );
    assert_eq!(r.code(), "I99");
    let kept = demo.signed_request(
        tpl::READ_INVENTORY,
        "supplier-a",
        DCC_EUI,
        Some(&body::read_inventory_device(spare::ESME)),
    );
    demo.submit("supplier-a", &kept)
        .duis()
        .assert_code("I0", &kept.rid);

    let pki = files_under(&data.join("pki"));
    let users = files_under(&data.join("users"));
    let devices = files_under(&data.join("devices"));
    assert!(pki.len() >= 6 && users.len() >= 5 * 4 && !devices.is_empty());
    let dcc_cert = demo.dcc_signing_cert();
    let before = demo.snapshot();
    let first_pid = demo.pid();

    let status = demo.stop();
    assert!(status.success(), "SIGTERM is a clean shutdown: {status}");
    demo.restart();
    assert_ne!(demo.pid(), first_pid);
    assert!(demo.log().contains("--- run 2 ---"));

    // Same authorities, keys and certificates; same database.
    assert_eq!(files_under(&data.join("pki")), pki, "pki/ unchanged");
    assert_eq!(files_under(&data.join("users")), users, "users/ unchanged");
    assert_eq!(
        files_under(&data.join("devices")),
        devices,
        "devices/ unchanged"
    );
    assert_eq!(demo.dcc_signing_cert(), dcc_cert);
    let resumed = demo.snapshot();
    for table in [
        "users",
        "org_certs",
        "counters",
        "devices",
        "device_certs",
        "premises",
        "registrations",
        "requests",
    ] {
        assert_eq!(
            resumed.table(table),
            before.table(table),
            "{table} after restart"
        );
    }
    // demo.json lists the pre-notified device.
    let entry = demo
        .manifest()
        .device(spare::ESME)
        .expect("the pre-notified device is in demo.json");
    assert_eq!(entry.status, "Pending");

    // The replay counter is still enforced.
    let before = demo.snapshot();
    demo.send("supplier-a", Endpoint::NonDevice, kept.xml.clone())
        .assert_refused(409, "was accepted before");
    before.assert_unchanged(&demo.snapshot(), "a replay after restart");

    // And the world answers as before.
    let r = demo.read_device("supplier-a", spare::ESME);
    assert_eq!(r.inventory()[0].get("DeviceStatus"), Some("Pending"));
    assert_eq!(demo.read_device("distributor", premises1::CHF).code(), "I0");
}

#[test]
fn sigterm_ends_the_demo_even_with_an_idle_keep_alive_connection() {
    let mut demo = Demo::start();
    // Leaves a pooled keep-alive connection open.
    assert_eq!(demo.read_device("supplier-a", premises1::ESME).code(), "I0");
    let status = demo.terminate_within(Duration::from_secs(10));
    assert!(
        status.is_some_and(|s| s.success()),
        "the demo did not exit within 10 s of SIGTERM while a client held an idle connection:\n{}",
        demo.log()
    );
}

// ---------------------------------------------------------------------------------------------
// --plain-http

#[test]
fn plain_http_on_loopback_needs_no_client_certificate() {
    let demo = Demo::start_plain_http();
    assert!(demo.manifest().plain_http);
    assert!(
        demo.manifest().duis_url.starts_with("http://127.0.0.1:"),
        "{}",
        demo.manifest().duis_url
    );
    // The harness's client has no TLS at all here; signatures are still required.
    let r = demo.read_device("supplier-a", premises1::ESME);
    assert_eq!(r.code(), "I0");
    let r = demo.non_device(
        "supplier-a",
        tpl::PRE_NOTIFICATION,
        Some(&body::pre_notification(spare::ESME, "ESME")),
    );
    assert_eq!(r.code(), "I99");
    let p = demo.prepare(
        tpl::READ_INVENTORY,
        "supplier-a",
        DCC_EUI,
        Some(&body::read_inventory_device(premises1::ESME)),
    );
    let before = demo.snapshot();
    demo.send("supplier-a", Endpoint::NonDevice, p.xml)
        .assert_refused(401, "request is not signed");
    before.assert_unchanged(&demo.snapshot(), "an unsigned request over plain HTTP");

    // The CLI client talks to it too (it reads plain_http from demo.json).
    let manifest = demo.manifest_path();
    let unsigned = demo.prepare(
        tpl::READ_INVENTORY,
        "distributor",
        DCC_EUI,
        Some(&body::read_inventory_device(premises1::GSME)),
    );
    let file = demo.scratch_file("read.xml", &unsigned.xml);
    let out = run_cli(
        &[
            "client",
            "send",
            "--manifest",
            path_str(&manifest),
            "--user",
            "distributor",
            "--sign",
            path_str(&file),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    DuisResponse::checked(stdout_of(&out).trim_end(), &demo.dcc_signing_cert())
        .assert_code("I0", &unsigned.rid);
}

#[test]
fn plain_http_refuses_to_listen_beyond_loopback() {
    let dir = tempfile::tempdir().expect("temporary directory");
    for listen in ["0.0.0.0:0", "[::]:0"] {
        let out = run_cli_within(
            &[
                "demo",
                "--data",
                path_str(dir.path()),
                "--listen",
                listen,
                "--plain-http",
            ],
            None,
            Duration::from_secs(120),
        );
        assert!(!out.status.success(), "plain HTTP on {listen} was served");
        let err = stderr_of(&out);
        assert!(
            err.contains(&format!("refusing to serve plain HTTP on {listen}"))
                && err.contains("loopback addresses only"),
            "{listen}: {err}"
        );
        assert!(
            !dir.path().join("demo.json").exists(),
            "no demo.json is written for a listener that never started"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// opendcc client sign / send

#[test]
fn client_sign_produces_a_signature_the_dcc_accepts() {
    let demo = Demo::start();
    let manifest = demo.manifest_path();
    let supplier_cert = cert_der(&demo.user("supplier-a").signing_cert);

    // From a file.
    let unsigned = demo.prepare(
        tpl::READ_INVENTORY,
        "supplier-a",
        DCC_EUI,
        Some(&body::read_inventory_uprn(premises1::UPRN)),
    );
    let file = demo.scratch_file("unsigned.xml", &unsigned.xml);
    let out = run_cli(
        &[
            "client",
            "sign",
            "--manifest",
            path_str(&manifest),
            "--user",
            "supplier-a",
            path_str(&file),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    let signed = stdout_of(&out);
    xmldsig::verify_with_certificate(signed.trim_end().as_bytes(), &supplier_cert)
        .expect("client sign's output verifies against supplier-a's certificate");
    let r = demo
        .send(
            "supplier-a",
            Endpoint::NonDevice,
            signed.trim_end().to_string(),
        )
        .duis();
    r.assert_code("I0", &unsigned.rid);
    assert_eq!(r.inventory().len(), premises1::ALL.len());

    // From standard input.
    let unsigned = demo.prepare(
        tpl::PRE_NOTIFICATION,
        "supplier-a",
        DCC_EUI,
        Some(&body::pre_notification(spare::PPMID, "PPMID")),
    );
    let out = run_cli(
        &[
            "client",
            "sign",
            "--manifest",
            path_str(&manifest),
            "--user",
            "supplier-a",
            "-",
        ],
        Some(&unsigned.xml),
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    let signed = stdout_of(&out);
    let r = demo
        .send(
            "supplier-a",
            Endpoint::NonDevice,
            signed.trim_end().to_string(),
        )
        .duis();
    r.assert_code("I99", &unsigned.rid);
    assert_eq!(
        demo.read_device("supplier-a", spare::PPMID).inventory()[0].get("DeviceStatus"),
        Some("Pending")
    );

    // Signed as another user, the DCC refuses it (signer is not the originator).
    let unsigned = demo.prepare(
        tpl::READ_INVENTORY,
        "supplier-a",
        DCC_EUI,
        Some(&body::read_inventory_uprn(premises1::UPRN)),
    );
    let out = run_cli(
        &[
            "client",
            "sign",
            "--manifest",
            path_str(&manifest),
            "--user",
            "supplier-b",
            "-",
        ],
        Some(&unsigned.xml),
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    demo.send(
        "supplier-a",
        Endpoint::NonDevice,
        stdout_of(&out).trim_end().to_string(),
    )
    .assert_refused(401, "signing certificate belongs to");

    // Errors are precise.
    let out = run_cli(
        &[
            "client",
            "sign",
            "--manifest",
            path_str(&manifest),
            "--user",
            "nobody",
            path_str(&file),
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(
        stderr_of(&out).contains("no user \"nobody\" in the manifest"),
        "{}",
        stderr_of(&out)
    );
    let missing = demo.scratch_dir().join("missing.xml");
    let out = run_cli(
        &[
            "client",
            "sign",
            "--manifest",
            path_str(&manifest),
            "--user",
            "supplier-a",
            path_str(&missing),
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(
        stderr_of(&out).contains("missing.xml"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn client_send_signs_routes_and_prints_the_verified_answer() {
    let demo = Demo::start();
    let manifest = demo.manifest_path();
    let send = |user: &str, file: &Path, sign: bool| {
        let mut args = vec![
            "client",
            "send",
            "--manifest",
            path_str(&manifest),
            "--user",
            user,
        ];
        if sign {
            args.push("--sign");
        }
        args.push(path_str(file));
        run_cli(&args, None)
    };
    let dcc = demo.dcc_signing_cert();

    // A non-device request: /api/v1/serviceD.
    let unsigned = demo.prepare(
        tpl::PRE_NOTIFICATION,
        "supplier-a",
        DCC_EUI,
        Some(&body::pre_notification(spare::ESME, "ESME")),
    );
    let file = demo.scratch_file("prenotify.xml", &unsigned.xml);
    let out = send("supplier-a", &file, true);
    assert!(out.status.success(), "{}", stderr_of(&out));
    DuisResponse::checked(stdout_of(&out).trim_end(), &dcc).assert_code("I99", &unsigned.rid);
    assert_eq!(
        demo.read_device("supplier-a", spare::ESME).inventory()[0].get("DeviceStatus"),
        Some("Pending")
    );

    // An authorisation refusal is still a DUIS answer over HTTP 200.
    let unsigned = demo.prepare(tpl::READ_FIRMWARE_ESME, "supplier-b", premises1::ESME, None);
    let file = demo.scratch_file("not-registered.xml", &unsigned.xml);
    let out = send("supplier-b", &file, true);
    assert!(out.status.success(), "{}", stderr_of(&out));
    DuisResponse::checked(stdout_of(&out).trim_end(), &dcc).assert_code("E4", &unsigned.rid);

    // Unsigned, without --sign: the DCC refuses it and the command fails.
    let unsigned = demo.prepare(
        tpl::READ_INVENTORY,
        "supplier-a",
        DCC_EUI,
        Some(&body::read_inventory_device(premises1::ESME)),
    );
    let file = demo.scratch_file("unsigned.xml", &unsigned.xml);
    let before = demo.snapshot();
    let out = send("supplier-a", &file, false);
    assert!(!out.status.success());
    assert!(
        stderr_of(&out).contains("the DCC answered HTTP 401"),
        "{}",
        stderr_of(&out)
    );
    assert!(
        stdout_of(&out).contains("request is not signed"),
        "{}",
        stdout_of(&out)
    );
    before.assert_unchanged(&demo.snapshot(), "an unsigned request from the CLI");

    // Signed and sent as another user than the RequestID's originator: refused.
    let out = send("distributor", &file, true);
    assert!(!out.status.success());
    assert!(
        stderr_of(&out).contains("the DCC answered HTTP 401"),
        "{}",
        stderr_of(&out)
    );
    assert!(
        stdout_of(&out).contains("signing certificate belongs to"),
        "{}",
        stdout_of(&out)
    );
    before.assert_unchanged(&demo.snapshot(), "requests refused from the CLI");

    // Last (its answer arrives in the background): a device request goes to
    // /api/v1/serviceS and is acknowledged.
    let unsigned = demo.prepare(tpl::READ_FIRMWARE_ESME, "supplier-a", premises1::ESME, None);
    let file = demo.scratch_file("firmware.xml", &unsigned.xml);
    let out = send("supplier-a", &file, true);
    assert!(out.status.success(), "{}", stderr_of(&out));
    DuisResponse::checked(stdout_of(&out).trim_end(), &dcc).assert_code("I99", &unsigned.rid);
}

// ---------------------------------------------------------------------------------------------
// opendcc user counter

fn read_inventory_with_counter(demo: &Demo, counter: u64) -> Prepared {
    let mut p = demo.prepare_with_counter(
        tpl::READ_INVENTORY,
        "supplier-a",
        DCC_EUI,
        Some(&body::read_inventory_device(premises1::ESME)),
        counter,
    );
    p.xml = demo.sign("supplier-a", &p.xml);
    p
}

#[test]
fn a_user_locked_out_by_the_top_counter_is_let_back_in_by_the_operator_audited() {
    let demo = Demo::start();
    let data = demo.data_dir();
    let supplier = demo.user_eui("supplier-a");
    let counter_cli = |more: &[&str]| {
        let mut args = vec![
            "user",
            "counter",
            "--data",
            path_str(&data),
            "--user",
            "supplier-a",
        ];
        args.extend_from_slice(more);
        demo.cli(&args, None)
    };

    // A request with the counter 2^64-1 is accepted; after it, no counter is greater.
    let top = read_inventory_with_counter(&demo, u64::MAX);
    demo.submit("supplier-a", &top)
        .duis()
        .assert_code("I0", &top.rid);
    let locked = read_inventory_with_counter(&demo, u64::MAX);
    demo.submit("supplier-a", &locked)
        .assert_refused(409, "was accepted before");

    let out = counter_cli(&[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stdout_of(&out).trim(),
        format!("supplier-a ({supplier}): counter floor {}", u64::MAX)
    );
    assert!(demo.query("SELECT * FROM operator_audit", &[]).is_empty());

    let out = counter_cli(&["--set", "1000", "--by", "alice"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains(&format!("counter floor {} -> 1000", u64::MAX)),
        "{}",
        stdout_of(&out)
    );
    // Audited: who, when, what, old and new.
    let rows = demo.query(
        "SELECT actor, action, target, detail, at FROM operator_audit",
        &[],
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        rows[0][..4],
        [
            "alice".to_string(),
            "counter-floor-reset".to_string(),
            supplier.clone(),
            format!("user=supplier-a old={} new=1000", u64::MAX),
        ]
    );
    assert!(
        rows[0][4].parse::<i64>().unwrap_or(0) > 1_700_000_000_000,
        "{rows:?}"
    );

    // At once, on the running DCC: the floor is 1000.
    let at_floor = read_inventory_with_counter(&demo, 1000);
    demo.submit("supplier-a", &at_floor)
        .assert_refused(409, "is not greater than");
    let above = read_inventory_with_counter(&demo, 1001);
    demo.submit("supplier-a", &above)
        .duis()
        .assert_code("I0", &above.rid);

    // An unknown user is refused and nothing is recorded.
    let out = demo.cli(
        &[
            "user",
            "counter",
            "--data",
            path_str(&data),
            "--user",
            "nobody",
            "--set",
            "1",
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(
        stderr_of(&out).contains("no user named"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(
        demo.query("SELECT count(*) FROM operator_audit", &[]),
        [["1".to_string()]]
    );
}
