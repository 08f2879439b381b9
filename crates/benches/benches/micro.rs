//! Micro-benchmarks of every step a request takes through opendcc:
//! `cargo bench -p benches` (or `cargo bench -p benches -- GROUP` for one group).
//!
//! Under `cargo test --all-targets` each benchmark runs once as a smoke test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use benches::{
    ACB, CHF, DeviceFixture, ESME, SUPPLIER, UserSigner, duis_templates, ecs52,
    read_firmware_request, rtds_messages,
};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use dcc::store::{RequestRecord, Store, WanJob};

fn duis(c: &mut Criterion) {
    let user = UserSigner::generate().unwrap();
    let signed = user.sign(&read_firmware_request(1000)).unwrap();
    let bytes = signed.as_bytes();
    let mut g = c.benchmark_group("duis");
    g.bench_function("parse_request", |b| {
        b.iter(|| duis::parse_request(black_box(bytes)).unwrap())
    });
    g.bench_function("schema_validate_request", |b| {
        b.iter(|| duis_schema::validate_request(black_box(bytes)).unwrap())
    });
    g.finish();
}

fn xmldsig(c: &mut Criterion) {
    let user = UserSigner::generate().unwrap();
    let unsigned = read_firmware_request(1000);
    let signed = user.sign(&unsigned).unwrap();
    let mut g = c.benchmark_group("xmldsig");
    g.bench_function("c14n_without_signature", |b| {
        b.iter(|| {
            xmldsig::canonicalize_without_signature(
                black_box(signed.as_bytes()),
                xmldsig::C14nMethod::Exclusive,
            )
            .unwrap()
        })
    });
    g.bench_function("verify_request", |b| {
        b.iter(|| xmldsig::verify(black_box(signed.as_bytes()), &user.public_sec1).unwrap())
    });
    g.bench_function("sign_request", |b| {
        b.iter(|| user.signer.sign(black_box(&unsigned)).unwrap())
    });
    g.finish();

    // Every DUIS template of the corpus: per-document sign and verify, the documents timed
    // against Smart DCC's Java tool in BENCHMARKS.md.
    let templates = duis_templates().unwrap();
    if templates.is_empty() {
        eprintln!("duis-templates: corpus not found, skipped");
        return;
    }
    let signed: Vec<String> = templates
        .iter()
        .map(|(_, t)| user.sign(t).unwrap())
        .collect();
    let n = u64::try_from(templates.len()).unwrap();
    let mut g = c.benchmark_group("duis_templates");
    g.throughput(Throughput::Elements(n));
    g.bench_function("sign_all", |b| {
        b.iter(|| {
            for (_, t) in &templates {
                black_box(user.signer.sign(t).unwrap());
            }
        })
    });
    g.bench_function("verify_all", |b| {
        b.iter(|| {
            for s in &signed {
                black_box(xmldsig::verify(s.as_bytes(), &user.public_sec1).unwrap());
            }
        })
    });
    g.bench_function("schema_validate_all", |b| {
        b.iter(|| {
            for s in &signed {
                duis_schema::validate_request(black_box(s.as_bytes())).unwrap();
            }
        })
    });
    g.finish();
}

fn gbcs(c: &mut Criterion) {
    let f = DeviceFixture::new().unwrap();
    let mut g = c.benchmark_group("gbcs");
    g.bench_function("build_ecs52", |b| b.iter(|| ecs52(black_box(7)).encode()));
    g.bench_function("decode_protected_command", |b| {
        b.iter(|| gbcs::frame::Frame::decode(black_box(&f.command)).unwrap())
    });
    g.bench_function("acb_mac_wrap_command", |b| {
        b.iter_batched(
            || ecs52(7),
            |apdu| gbcs::crypto::wrap_command(apdu, &f.acb_ka, &f.esme_ka).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.finish();

    let msgs = rtds_messages().unwrap();
    if msgs.is_empty() {
        eprintln!("rtds: corpus not found, skipped");
        return;
    }
    let decodable: Vec<&Vec<u8>> = msgs
        .iter()
        .map(|(_, b)| b)
        .filter(|b| gbcs::frame::Frame::decode(b).is_ok())
        .collect();
    eprintln!(
        "rtds: {} messages, {} decode as GBCS frames",
        msgs.len(),
        decodable.len()
    );
    let mut g = c.benchmark_group("rtds");
    g.throughput(Throughput::Elements(u64::try_from(msgs.len()).unwrap()));
    g.bench_function("frame_decode_all", |b| {
        b.iter(|| {
            for (_, m) in &msgs {
                let _ = black_box(gbcs::frame::Frame::decode(m));
            }
        })
    });
    g.finish();
}

fn devices(c: &mut Criterion) {
    let f = DeviceFixture::new().unwrap();
    let mut g = c.benchmark_group("devices");
    g.bench_function("load_keys", |b| b.iter(|| f.device().unwrap()));
    g.bench_function("handle_ecs52", |b| {
        b.iter_batched(
            || f.device().unwrap(),
            |mut d| {
                let r = d.handle(&f.command, f.now);
                assert!(r.response.is_some());
                r
            },
            BatchSize::SmallInput,
        )
    });
    // What the WAN does around every command: the device's state, its event log full after a
    // few hundred commands, read from and written back to the database as JSON.
    let mut d = f.device().unwrap();
    for counter in 1..=300 {
        let cmd = gbcs::crypto::wrap_command(ecs52(counter), &f.acb_ka, &f.esme_ka)
            .unwrap()
            .encode();
        assert!(d.handle(&cmd, f.now).response.is_some());
    }
    let json = serde_json::to_string(d.state()).unwrap();
    eprintln!(
        "device state after 300 commands: {} bytes of JSON",
        json.len()
    );
    g.bench_function("state_json_roundtrip", |b| {
        b.iter(|| {
            let s: devices::DeviceState = serde_json::from_str(black_box(&json)).unwrap();
            serde_json::to_string(&s).unwrap()
        })
    });
    // The same in the compact stored form, as the WAN does it now: body and counters read (not
    // the event log), then the counters and one event encoded, and the body encoded to compare.
    let body = devices::stored::encode_body(d.state()).unwrap();
    let counters = devices::stored::encode_counters(d.state()).unwrap();
    let event = d.state().event_log.last().unwrap().clone();
    eprintln!(
        "the same state stored compactly: body {} bytes, counters {} bytes, an event {} bytes",
        body.len(),
        counters.len(),
        devices::stored::encode_event(&event).unwrap().len()
    );
    g.bench_function("state_compact_roundtrip", |b| {
        b.iter(|| {
            let mut s = devices::stored::decode_state(
                black_box(&body),
                black_box(&counters),
                devices::EventLog::default(),
            )
            .unwrap();
            s.event_log.push(event.clone());
            let b2 = devices::stored::encode_body(&s).unwrap();
            let c2 = devices::stored::encode_counters(&s).unwrap();
            let e: Vec<_> = s
                .event_log
                .unsaved()
                .map(|e| devices::stored::encode_event(e).unwrap())
                .collect();
            (b2 == body, c2, e)
        })
    });
    g.finish();
}

fn store(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let db = store::SqliteStore::open(&dir.path().join("bench.sqlite")).unwrap();
    let user = UserSigner::generate().unwrap();
    let ack = user.sign(&read_firmware_request(1)).unwrap();
    let command = DeviceFixture::new().unwrap().command;
    let now = time::OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
    let mut counter = 0u64;
    let mut g = c.benchmark_group("store");
    // What the gateway commits for one acknowledged CV 1 request: the WAN job, the counter and
    // the request record with its signed answer (SQLite WAL, synchronous=FULL: one fsync).
    g.bench_function("ack_transaction", |b| {
        b.iter(|| {
            counter += 1;
            db.transaction(|tx| {
                tx.enqueue_wan(&WanJob {
                    id: 0,
                    originator: SUPPLIER,
                    counter,
                    target: ESME,
                    chf: CHF,
                    kind: dcc::store::JobKind::Service(duis::Srv::V11_2),
                    command: command.clone(),
                    attempts: 0,
                    due_at: 0,
                    deadline_at: 30_000,
                })?;
                tx.set_request_counter(SUPPLIER, ESME, counter)?;
                tx.next_dcc_counter(ACB)?;
                tx.record_request(&RequestRecord {
                    originator: SUPPLIER,
                    target: ESME,
                    counter,
                    srv: duis::Srv::V11_2,
                    command_variant: 1,
                    received_at: now,
                    response_code: "I99".into(),
                    response: Some(ack.clone()),
                })?;
                Ok(())
            })
            .unwrap()
        })
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! {
    name = micro;
    config = config();
    targets = duis, xmldsig, gbcs, devices, store
}
criterion_main!(micro);
