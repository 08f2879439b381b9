//! Durability across `kill -9`: the real `opendcc demo` binary takes a few hundred command
//! variant 1 reads from 16 concurrent senders, is killed with SIGKILL while commands are queued
//! on the emulated WAN and responses wait in the outbox, and is restarted on the same data
//! directory. A Receive Response Service in this process records every POST.
//!
//! What is asserted, precisely:
//!
//! * every request the DCC acknowledged (HTTP 200 with a signed I99) gets exactly one final
//!   response: exactly one delivery id carries a response to its RequestID;
//! * delivery is at least once with an idempotency key: the DCC may POST the same delivery again
//!   (a crash between the user's 2xx and the DCC's record of it, or a repeat while running), so
//!   repeats of a delivery id are counted and reported, and allowed only as byte-identical copies
//!   of the first POST with that id;
//! * no request the DCC refused, and no request never sent, is answered;
//! * a request cut by the kill (its connection broke before any answer) is answered exactly once
//!   if the DCC had committed it before dying (its record in the `requests` table, read after the
//!   restart, says I99), and not at all otherwise; how many there were is reported;
//! * nothing is delivered for a RequestID this test did not send;
//! * SQLite's `PRAGMA integrity_check` says `ok` afterwards (on PostgreSQL, every table reads).
//!
//! With `OPENDCC_E2E_BACKEND=postgres` the DCC is the helpers' PostgreSQL + NATS JetStream shape
//! (a front and a back process, `common::PgServed`), every process killed and restarted at once.
//!
//! The soak (`scripts/kill9-soak.sh`) runs this same test larger: 10,000 requests and several
//! kills at reproducible random points (`OPENDCC_SOAK_REQUESTS`, `OPENDCC_SOAK_KILLS`,
//! `OPENDCC_SOAK_SEED`).
//!
//! The device's verdict (I0, or E20/E21) is not the subject here: any final response counts.
//! No wall-clock assertions: every wait is bounded only to keep a broken build from hanging.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::load::{Expected, Load, Post, Sender, Shape, final_request_ids, serve_rrs};
use common::{Demo, DemoOptions};

/// A kill comes only once at least this many requests have been answered (so that the kill finds
/// answered, acknowledged-but-unanswered and unsent requests alike).
const KILL_AFTER_FINALS: usize = 5;

/// The DCC under test (every process of it, on PostgreSQL and NATS).
fn launch() -> Demo {
    Demo::start_with(DemoOptions {
        plain_http: true,
        extra_args: [
            // Commands stay on the WAN long enough for the kill to find some queued; failed
            // deliveries are retried soon; the device time-out outlasts a restart.
            "--wan-latency-ms",
            "100,100,100",
            "--delivery-backoff-ms",
            "100",
            "--device-timeout-ms",
            "120000",
        ]
        .map(String::from)
        .to_vec(),
    })
}

fn duis_url(demo: &Demo) -> String {
    demo.manifest().duis_url.trim_end_matches('/').to_string()
}

/// The response code the DCC recorded for `counter` (read-only, after the restart).
fn recorded_code(demo: &Demo, originator: &str, counter: u64) -> Option<String> {
    demo.query(
        "SELECT response_code FROM requests WHERE originator = ?1 AND counter = ?2",
        &[originator, &counter.to_string()],
    )
    .into_iter()
    .next()
    .map(|row| row[0].clone())
}

#[test]
fn acknowledged_requests_are_answered_exactly_once_across_kill_9() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    let mut demo = launch();
    let posts = Arc::new(Mutex::new(Vec::<Post>::new()));
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let rrs_url = format!("http://{}/", listener.local_addr().unwrap());
    rt.spawn(serve_rrs(listener, posts.clone()));
    demo.set_response_url("supplier-a", &rrs_url);

    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(demo.manifest_path()).unwrap()).unwrap();
    let shape = Shape::from_env(240, 1);
    let requests = shape.requests;
    let load = Load::new(
        Sender::of_manifest_user(&manifest, "supplier-a", 1_000),
        requests,
    );
    let originator = load.sender.originator.clone();
    load.gateways.set(0, &duis_url(&demo));

    // Runs 1..=kills, each killed with SIGKILL mid-run, then the last run on the same data.
    let mut kills: Vec<(usize, usize)> = Vec::new(); // (acks, answered) at each kill
    for k in 1..=shape.kills {
        let run = rt.spawn(load.clone().drive());
        let target = shape.kill_after_acks(k);
        let deadline = Instant::now() + shape.finish_limit();
        while load.acks() < target
            || final_request_ids(&posts.lock().unwrap()).len() < KILL_AFTER_FINALS
        {
            assert!(
                Instant::now() < deadline,
                "run {k} made too little progress to be killed mid-run"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        demo.kill9(); // SIGKILL, every process
        load.stop.store(true, Ordering::SeqCst);
        rt.block_on(run).unwrap();
        let finals_at_kill = final_request_ids(&posts.lock().unwrap()).len();
        let acked_at_kill = load.acks();
        if k == 1 {
            assert!(
                finals_at_kill < acked_at_kill,
                "the kill must leave acknowledged work unanswered ({finals_at_kill} of {acked_at_kill} answered)"
            );
        }
        kills.push((acked_at_kill, finals_at_kill));
        // Cut requests were handed back to no one: they are judged by the DCC's own record below.
        assert!(load.left() > 0, "kill {k} came after everything was sent");
        // The next run: same data directory, a new port; the response URL is in the database.
        demo.restart();
        load.gateways.set(0, &duis_url(&demo));
        load.stop.store(false, Ordering::SeqCst);
    }
    rt.block_on(load.clone().drive());

    // Which requests must be answered: acknowledged ones, and cut ones the DCC had committed.
    let expected = Expected::of(&load, |c| recorded_code(&demo, &originator, c));
    expected.wait_for_answers(&posts, shape.finish_limit());
    // Let any late repeat arrive before judging.
    std::thread::sleep(Duration::from_millis(500));
    demo.kill9();
    // The database survived every kill whole.
    let check = if demo.on_postgres() {
        // PostgreSQL recovers from its own write-ahead log; every table still reads.
        for table in ["requests", "outbox", "wan_jobs", "counters"] {
            demo.query(&format!("SELECT count(*) FROM {table}"), &[]);
        }
        "every table reads"
    } else {
        let check: String = rusqlite::Connection::open(demo.db_path())
            .unwrap()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "PRAGMA integrity_check");
        "integrity_check ok"
    };
    let summary = expected.check(&posts.lock().unwrap());
    eprintln!(
        "durability: {requests} requests, {} kill -9s (acks, answered at each: {kills:?}); \
         {summary}; {check}",
        kills.len(),
    );
}
