//! SMKI issuance: one device CSR through the pure issuance path (criterion), and one batch of
//! 50,000 device CSRs submitted and processed in transactions of `batch::CHUNK` CSRs (what the
//! server's background worker uses) on a SQLite file store
//! (measured once: wall time and peak resident memory, `VmHWM`).
//!
//! Run: `cargo bench -p benches --bench smki_batch` (set `SMKI_BATCH_SIZE` to change 50,000).

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark set-up

use std::time::Instant;

use criterion::{Criterion, criterion_group};
use dcc::model::{Device, DeviceStatus, DeviceType, User};
use dcc::store::{Store, Tx};
use eui::Eui64;
use smki::{KeyPair, KeyUsage, PkiNames, Serial};
use smki_service::subscribers::{PartyKind, Subscriber};
use smki_service::{CaRecord, Environment, SmkiStore, SmkiTx, StoreError, batch, issuance};
use store::SqliteStore;
use time::OffsetDateTime;

const SUBSCRIBER: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0, 0]);

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// CPU time (user + system) this process has used so far, in seconds (`/proc/self/stat`,
/// clock ticks of 1/100 s): on a shared machine, a figure the other processes move less than
/// wall time.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(0.0)
}

fn device_eui(i: usize) -> Eui64 {
    Eui64::from_u64(0x00DB_0000_0000_0000 + i as u64)
}

/// A store with live OCA/DCA, an admitted subscriber and `n` pending ESMEs in the inventory.
fn world(path: &std::path::Path, n: usize) -> SqliteStore {
    let now = OffsetDateTime::now_utc();
    let s = SqliteStore::open(path).unwrap();
    let pki = smki::Pki::generate_with_os_rng(now, &PkiNames::default()).unwrap();
    s.transaction(|tx: &mut dyn Tx| {
        tx.put_user(&User {
            eui: SUBSCRIBER,
            name: "supplier".into(),
            roles: vec![duis::UserRole::ImportSupplier],
            response_url: None,
            suspended: false,
        })?;
        for i in 0..n {
            tx.put_device(&Device {
                id: device_eui(i),
                device_type: DeviceType::Esme,
                status: DeviceStatus::Pending,
                manufacturer: "ACME".into(),
                model: "M1".into(),
                firmware_version: None,
                smets_chts_version: None,
                esme_variant: None,
                uprn: None,
                chf: None,
                mpxn: None,
                date_commissioned: None,
                gbcs_version: None,
            })?;
        }
        Ok(())
    })
    .unwrap();
    s.smki_transaction(|tx: &mut dyn SmkiTx| -> Result<(), StoreError> {
        for ca in [&pki.oca, &pki.dca] {
            // In operation since now: not due for roll-over during the run.
            let since = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap();
            tx.put_ca(&CaRecord::new(ca, Environment::Live, since).unwrap())?;
        }
        tx.put_subscriber(&Subscriber {
            eui: SUBSCRIBER,
            kind: PartyKind::SecParty,
            name: "supplier".into(),
            admitted_at: 0,
            admitted_by: "bench".into(),
            evidence: "bench".into(),
        })
    })
    .unwrap();
    s
}

fn fifty_thousand() {
    // `cargo bench` passes `--bench`: the measurement, 50,000 CSRs. Under `cargo test` (the test
    // suite runs every target, in a debug build) it is a smoke run of 1,000, which still goes
    // through submission, the background path and the checks below.
    let measuring = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("SMKI_BATCH_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if measuring { 50_000 } else { 1_000 });
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let store = world(&dir.path().join("smki.sqlite"), n);
    let setup = t.elapsed();
    let t = Instant::now();
    let csrs: Vec<Vec<u8>> = (0..n)
        .map(|i| {
            let k = KeyPair::generate_with_os_rng().unwrap();
            smki::csr::build_device_csr(&k, device_eui(i), KeyUsage::DigitalSignature).unwrap()
        })
        .collect();
    let generate = t.elapsed();
    let hwm_before = vm_hwm_kib();
    let now = OffsetDateTime::now_utc();
    let t = Instant::now();
    let r = store.smki_transaction(|tx| batch::submit(tx, Environment::Live, SUBSCRIBER, &csrs, 0));
    let b = if n > batch::MAX_BATCH {
        println!(
            "smki batch of {n}: refused at submission: {}",
            r.unwrap_err()
        );
        // Measure the processing of the largest batch allowed plus one more batch of the rest.
        let first = store
            .smki_transaction(|tx| {
                batch::submit(
                    tx,
                    Environment::Live,
                    SUBSCRIBER,
                    &csrs[..batch::MAX_BATCH],
                    0,
                )
            })
            .unwrap();
        let second = store
            .smki_transaction(|tx| {
                batch::submit(
                    tx,
                    Environment::Live,
                    SUBSCRIBER,
                    &csrs[batch::MAX_BATCH..],
                    0,
                )
            })
            .unwrap();
        vec![first.id, second.id]
    } else {
        vec![r.unwrap().id]
    };
    let submit = t.elapsed();
    let t = Instant::now();
    let cpu = cpu_seconds();
    let mut serial = Serial::random_with_os_rng;
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let (mut issued, mut refused) = (0u64, 0u64);
    for id in b {
        loop {
            let p = store
                .smki_transaction(|tx| {
                    batch::process_chunk(tx, id, batch::CHUNK, threads, &mut serial, now)
                })
                .unwrap()
                .unwrap();
            if p.finished() {
                issued += u64::from(p.issued);
                refused += u64::from(p.refused);
                break;
            }
        }
    }
    let process = t.elapsed();
    let process_cpu = cpu_seconds() - cpu;
    let hwm_after = vm_hwm_kib();
    assert_eq!(issued, n as u64, "every CSR issued ({refused} refused)");
    println!(
        "smki batch of {n} device CSRs: setup {:.1} s, CSR generation {:.1} s, submit {:.2} s, \
         processing on {threads} threads {:.2} s ({:.0} CSRs/s, {:.0} µs each; CPU {:.2} s, {:.0} µs each), \
         issued {issued}, refused {refused}, \
         peak RSS (VmHWM) {} MiB before submit, {} MiB after processing",
        setup.as_secs_f64(),
        generate.as_secs_f64(),
        submit.as_secs_f64(),
        process.as_secs_f64(),
        n as f64 / process.as_secs_f64(),
        process.as_secs_f64() * 1e6 / n as f64,
        process_cpu,
        process_cpu * 1e6 / n as f64,
        hwm_before / 1024,
        hwm_after / 1024,
    );
}

fn single(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = world(&dir.path().join("one.sqlite"), 1);
    let k = KeyPair::generate_with_os_rng().unwrap();
    let csr = smki::csr::build_device_csr(&k, device_eui(0), KeyUsage::DigitalSignature).unwrap();
    let now = OffsetDateTime::now_utc();
    c.bench_function(
        "smki/issue one device CSR (parse, PoP, eligibility, sign, lodge, commit)",
        |b| {
            b.iter(|| {
                store
                    .smki_transaction(|tx| {
                        issuance::issue(
                            tx,
                            Environment::Live,
                            SUBSCRIBER,
                            &csr,
                            Serial::random_with_os_rng().unwrap(),
                            now,
                        )
                    })
                    .unwrap()
            });
        },
    );
    c.bench_function("smki/parse + proof of possession of one CSR", |b| {
        b.iter(|| smki::CertificationRequest::from_der(&csr).unwrap());
    });
}

criterion_group!(
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = single
);

fn main() {
    fifty_thousand();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
