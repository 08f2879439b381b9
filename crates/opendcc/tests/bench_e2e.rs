//! `opendcc bench load` against a running demo of a small generated world (`--premises 14`: the
//! four named premises and ten generated ones): every generated ESME, GSME, CHF and GPF is
//! addressed round robin, each by its registered supplier (two senders, two Receive Response
//! Services), and every request completes; the named devices still can be addressed alone.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use common::*;

const GENERATED: u64 = 10;
/// The first generated device EUI (`world_gen::GEN_BASE`), as a number.
const GEN_BASE: u64 = 0x00DB_2000_0000_0000;

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

fn eui(v: u64) -> String {
    v.to_be_bytes()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join("-")
}

/// Runs `bench load` with `extra` arguments and returns its JSON report.
fn bench(demo: &Demo, extra: &[&str]) -> serde_json::Value {
    let manifest = demo.manifest_path();
    let mut args = vec![
        "bench",
        "load",
        "--manifest",
        path_str(&manifest),
        "--json",
        "--ceiling-ms",
        "5",
        "--max-seconds",
        "240",
    ];
    args.extend_from_slice(extra);
    let out = run_cli_within(&args, None, Duration::from_secs(300));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "bench load {extra:?} failed: {stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("report {stdout:?}: {e}"))
}

fn u(r: &serde_json::Value, key: &str) -> u64 {
    r[key].as_u64().unwrap_or_else(|| panic!("{key} in {r}"))
}

/// Every request sent, acknowledged and completed, nothing lost, refused or misdirected.
fn assert_all_completed(r: &serde_json::Value, requests: u64) {
    assert_eq!(u(r, "sent"), requests, "{r}");
    assert_eq!(u(r, "acked"), requests, "{r}");
    assert_eq!(u(r, "completed"), requests, "{r}");
    assert_eq!(r["errors"], serde_json::json!({}), "{r}");
    for key in [
        "missing_final",
        "unmatched_final",
        "duplicate_final",
        "misdelivered",
        "final_without_ack",
    ] {
        assert_eq!(u(r, key), 0, "{key}: {r}");
    }
}

#[test]
fn bench_load_reads_a_generated_world_round_robin_as_each_devices_supplier() {
    let demo = Demo::start_with(DemoOptions {
        extra_args: vec!["--premises".into(), (GENERATED + 4).to_string()],
        ..DemoOptions::default()
    });
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(demo.manifest_path()).expect("reading demo.json"),
    )
    .expect("demo.json is JSON");
    assert_eq!(manifest["generated_premises"], serde_json::json!(GENERATED));
    let supplier_a = demo.user_eui("supplier-a");
    let supplier_b = demo.user_eui("supplier-b");

    // 60 reads over the 40 devices: the first 20 (premises 0 to 4) twice (11.2, then 7.4 on the
    // meters). Supplier-a has premises 0, 2, 4, 6 and 8.
    let r = bench(&demo, &["--requests", "60", "--concurrency", "8"]);
    assert_all_completed(&r, 60);
    assert_eq!(u(&r, "generated_premises"), GENERATED);
    assert_eq!(u(&r, "devices"), 4 * GENERATED);
    assert_eq!(
        r["users"],
        serde_json::json!({"supplier-a": 20 + 12, "supplier-b": 20 + 8})
    );
    // Who sent what to which device, as the DCC recorded it.
    let rows = demo.query(
        "SELECT originator, target, srv FROM requests WHERE command_variant = 1",
        &[],
    );
    assert_eq!(rows.len(), 60);
    let mut addressed = BTreeSet::new();
    let mut by_device: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in &rows {
        let (originator, target, srv) = (&row[0], row[1].to_uppercase(), &row[2]);
        by_device
            .entry(target.clone())
            .or_default()
            .push(srv.clone());
        addressed.insert(target.clone());
        let v = u64::from_str_radix(&target.replace('-', ""), 16).expect("an EUI");
        let premises = (v - GEN_BASE) / 8;
        let slot = (v - GEN_BASE) % 8;
        assert!(premises < GENERATED && slot < 4, "{target}");
        // Generated premises alternate between the two suppliers, supplier-a first.
        let expected = if premises.is_multiple_of(2) {
            &supplier_a
        } else {
            &supplier_b
        };
        assert!(originator.eq_ignore_ascii_case(expected), "{row:?}");
    }
    let every: BTreeSet<String> = (0..GENERATED)
        .flat_map(|p| (0..4).map(move |s| eui(GEN_BASE + 8 * p + s)))
        .collect();
    assert_eq!(addressed, every);
    // Premises 0's ESME was read twice: 11.2, then 7.4; its CHF twice for 11.2, its GPF twice
    // for 4.1.1; premises 9's ESME (request 36) once.
    let mut esme = by_device[&eui(GEN_BASE)].clone();
    esme.sort();
    assert_eq!(esme, ["11.2", "7.4"]);
    assert_eq!(by_device[&eui(GEN_BASE + 2)], ["11.2", "11.2"]);
    assert_eq!(by_device[&eui(GEN_BASE + 3)], ["4.1.1", "4.1.1"]);
    assert_eq!(by_device[&eui(GEN_BASE + 8 * 9)], ["11.2"]);

    // Critical flows on two premises' ESMEs, one of each supplier: the pre-commands are signed
    // by each device's own supplier.
    let r = bench(
        &demo,
        &[
            "--mix",
            "critical",
            "--devices",
            "8",
            "--requests",
            "4",
            "--concurrency",
            "2",
        ],
    );
    assert_all_completed(&r, 4);
    assert_eq!(
        r["users"],
        serde_json::json!({"supplier-a": 2, "supplier-b": 2})
    );

    // One supplier's premises only.
    let r = bench(
        &demo,
        &[
            "--user",
            "supplier-b",
            "--requests",
            "10",
            "--concurrency",
            "4",
        ],
    );
    assert_all_completed(&r, 10);
    assert_eq!(u(&r, "devices"), 20);
    assert_eq!(r["users"], serde_json::json!({"supplier-b": 10}));

    // The named devices, as before, by supplier-a.
    let r = bench(
        &demo,
        &["--named", "--requests", "16", "--concurrency", "4"],
    );
    assert_all_completed(&r, 16);
    assert_eq!(u(&r, "generated_premises"), 0);
    assert_eq!(u(&r, "devices"), 16);
    assert_eq!(r["users"], serde_json::json!({"supplier-a": 16}));
}
