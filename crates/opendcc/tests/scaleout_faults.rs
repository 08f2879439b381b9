//! Faults across processes (issue 14): a DCC served by four `opendcc serve --config` processes on
//! one PostgreSQL database and NATS JetStream, each of them the test's own (a PostgreSQL cluster
//! made with `initdb` and a nats-server, each on a free loopback port with its own directory,
//! `common::procs`), so that restarting them disturbs no other test — two fronts, each a gateway
//! and a delivery worker (the first also the scheduler and the SMKI), and two backs, each a WAN
//! runner with the emulated devices — takes a few hundred command variant 1 reads from 16
//! concurrent senders spread over both gateways (plain HTTP), and while the load runs, in turn:
//!
//! 1. the second front (a gateway) is killed with SIGKILL: the other gateway goes on taking
//!    requests; it is restarted;
//! 2. a WAN worker is killed with SIGKILL: answers go on coming; it is restarted;
//! 3. the first front (a delivery worker, with the scheduler and the SMKI) is killed with
//!    SIGKILL: the other delivery worker goes on delivering; it is restarted (its advisory locks
//!    went with its connections);
//! 4. NATS is stopped: device requests are refused with the DCC fault (HTTP 503, no DUIS code),
//!    and NATS is restarted: requests are accepted again;
//! 5. PostgreSQL is stopped (a fast shutdown: every session ended) for 2 s and until a request
//!    is refused with the DCC fault, and it is started again: the DCC takes requests again by
//!    itself, and the first front takes its roles' advisory locks again.
//!
//! Then what `durability.rs` asserts (`common::load`): every request acknowledged (or cut and
//! committed with I99, by the database's own record) is answered exactly once by delivery id,
//! repeats of a delivery id only as byte-identical copies, nothing refused or cut before its
//! commit answered; and every refusal is the DCC fault (or E11); and all four processes still
//! run.
//!
//! Before the load, PostgreSQL and NATS down at start: `serve` waits for them, logging each
//! failed attempt and its retry, up to `connect_timeout_secs`: with 0 it fails at once with an
//! error naming the server; with 2 it gives up after 2 s saying so; SIGTERM during the wait ends
//! it cleanly; and the first front, started while both are down, serves once they are back.
//!
//! The soak (`scripts/scaleout-soak.sh`) runs this test larger: `OPENDCC_SOAK_REQUESTS`,
//! `OPENDCC_SOAK_SEED` (the fault points moved at random), `OPENDCC_SOAK_SEND_SECS`.
//!
//! Every wait is bounded (a broken build must not hang) and waits only for what must happen.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::load::{Expected, Load, Outcome, Post, Sender, Shape, final_request_ids, serve_rrs};
use common::procs::{OwnNats, OwnPostgres, Served, kill9, path_str};
use common::{run_cli, stderr_of};

/// How long the DCC may take to recover from one fault (leases and acknowledgement waits run
/// out, processes restart).
const RECOVER: Duration = Duration::from_secs(90);
/// How long the senders take over their requests (paced), at the least
/// (`OPENDCC_SOAK_SEND_SECS` for the soak).
const SEND_FOR: Duration = Duration::from_secs(20);
/// How long PostgreSQL stays down at least (every process meets the outage: the gateways, the WAN
/// workers, the delivery workers, the sweepers and the advisory locks' keeper).
const PG_OUTAGE: Duration = Duration::from_secs(2);
/// How much of the sending the last fault (PostgreSQL's) leaves at the least.
const LAST_SLACK: Duration = Duration::from_secs(5);
/// The serve tuning of every process: commands stay on the WAN a while (faults find some in
/// flight), failed deliveries are retried soon.
const TUNING: [&str; 4] = [
    "--wan-latency-ms",
    "60,60,60",
    "--delivery-backoff-ms",
    "100",
];

/// Waits (bounded) until `done` holds.
fn wait_for(what: &str, limit: Duration, done: impl Fn() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "no {what} within {limit:?}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// One `serve` process of the deployment and what restarts it.
struct Role {
    name: &'static str,
    config: String,
    manifest: Option<std::path::PathBuf>,
    served: Served,
    starts: usize,
}

impl Role {
    fn start(root: &Path, name: &'static str, config: String, manifest: Option<&str>) -> Role {
        let mut r = Role::launch(root, name, config, manifest);
        r.wait_ready();
        r
    }

    /// Starts the process without waiting for it to serve.
    fn launch(root: &Path, name: &'static str, config: String, manifest: Option<&str>) -> Role {
        let manifest = manifest.map(|m| root.join(format!("run/{m}.json")));
        let served = Served::start_with(root, name, &config, &TUNING);
        Role {
            name,
            config,
            manifest,
            served,
            starts: 1,
        }
    }

    /// Waits until the process serves: its manifest written (a gateway), or its roles running.
    fn wait_ready(&mut self) {
        match self.manifest.clone() {
            Some(m) => self.served.wait_until("the manifest", |_| m.exists()),
            None => self
                .served
                .wait_until("its roles", |s| s.log().contains("roles running")),
        }
    }

    /// The gateway's DUIS URL, from its manifest.
    fn duis_url(&self) -> String {
        let m = self.manifest.as_ref().expect("a gateway");
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(m).unwrap()).unwrap();
        v["duis_url"].as_str().unwrap().to_string()
    }

    fn kill9(&mut self) {
        kill9(&mut self.served);
        if let Some(m) = &self.manifest {
            let _ = std::fs::remove_file(m);
        }
    }

    fn restart(&mut self, root: &Path) {
        self.starts += 1;
        let name = format!("{}-{}", self.name, self.starts);
        self.served = Served::start_with(root, &name, &self.config, &TUNING);
        self.wait_ready();
    }
}

/// The response code PostgreSQL recorded for a counter of `originator`'s.
fn recorded_code(db: &str, originator: &str, counter: u64) -> Option<String> {
    let mut c = postgres::Client::connect(db, postgres::NoTls).unwrap();
    c.query_opt(
        "SELECT response_code FROM requests WHERE originator = $1 AND counter = $2",
        &[&originator, &i64::try_from(counter).unwrap()],
    )
    .unwrap()
    .map(|r| r.get::<_, String>(0))
}

/// The requests refused so far as the DCC fault (HTTP 503, no DUIS response code).
fn refused_faults(load: &Load) -> usize {
    load.results
        .lock()
        .unwrap()
        .iter()
        .filter(|r| matches!(r, Outcome::Refused { status: 503, .. }))
        .count()
}

/// The refusals so far, by HTTP status and response code.
fn refusals(load: &Load) -> std::collections::BTreeMap<(u16, String), usize> {
    let mut out = std::collections::BTreeMap::new();
    for r in load.results.lock().unwrap().iter() {
        if let Outcome::Refused { status, code, .. } = r {
            *out.entry((*status, code.clone())).or_default() += 1;
        }
    }
    out
}

#[test]
fn several_processes_on_postgres_and_nats_answer_every_acknowledged_request_once_across_faults() {
    let shape = Shape::from_env(240, 5);
    let mut nats = OwnNats::start();
    let mut pg = OwnPostgres::start();
    let root = tempfile::Builder::new()
        .prefix("opendcc-faults-")
        .tempdir()
        .unwrap();
    let root = root.path();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    // A world made on SQLite, as `opendcc demo` makes it.
    let mut maker = Served::start(
        root,
        "maker",
        "store = \"sqlite:data\"\nroles = [\"delivery\"]\n",
    );
    maker.wait_until("its roles", |s| s.log().contains("roles running"));
    assert!(maker.stop().success());

    let checking = Instant::now();
    at_start_postgres_is_waited_for_up_to_connect_timeout_secs(root);
    eprintln!(
        "faults: serve with no PostgreSQL checked in {:.1}s",
        checking.elapsed().as_secs_f64()
    );

    let db = pg.create_database("dcc");
    let from = format!("sqlite:{}", path_str(&root.join("data")));
    let moved = run_cli(&["migrate", "--from", &from, "--to", &db], None);
    assert!(moved.status.success(), "migrate: {}", stderr_of(&moved));

    let nats_url = nats.url();
    let config = |roles: &[&str], manifest: Option<&str>| {
        let mut c = format!(
            "store = {db:?}\ndata = \"data\"\nqueue = {nats_url:?}\nqueue_prefix = \"faults\"\n"
        );
        if roles.contains(&"gateway") {
            c.push_str("listen = \"127.0.0.1:0\"\nplain_http = true\n");
        }
        if roles.contains(&"smki") {
            c.push_str("smki_listen = \"127.0.0.1:0\"\n");
        }
        if let Some(m) = manifest {
            c.push_str(&format!("manifest = \"run/{m}.json\"\n"));
        }
        let quoted: Vec<String> = roles.iter().map(|r| format!("{r:?}")).collect();
        c.push_str(&format!("roles = [{}]\n", quoted.join(", ")));
        c
    };
    // The first front starts while PostgreSQL and NATS are both down: it waits for each in
    // turn, saying so, and serves once they are back.
    let checking = Instant::now();
    pg.stop();
    nats.stop();
    let mut front1 = Role::launch(
        root,
        "front1",
        config(&["gateway", "delivery", "scheduler", "smki"], Some("one")),
        Some("one"),
    );
    let retrying = |service: &str| {
        let service = service.to_string();
        move |s: &Served| {
            s.log().lines().any(|l| {
                l.contains("not answering at start; retrying") && l.contains(service.as_str())
            })
        }
    };
    front1
        .served
        .wait_until("PostgreSQL awaited", retrying("PostgreSQL at postgres://"));
    pg.restart();
    front1
        .served
        .wait_until("NATS awaited", retrying("NATS JetStream at nats://"));
    assert!(!front1.served.log().contains("roles running"));
    nats.restart();
    front1.wait_ready();
    let log = front1.served.log();
    assert_eq!(
        log.matches("connected at last").count(),
        2,
        "PostgreSQL, then NATS:\n{log}"
    );
    eprintln!(
        "faults: the first front waited for PostgreSQL and NATS, serving {:.1}s after its start",
        checking.elapsed().as_secs_f64()
    );
    let mut front2 = Role::start(
        root,
        "front2",
        config(&["gateway", "delivery"], Some("two")),
        Some("two"),
    );
    let mut back1 = Role::start(root, "back1", config(&["wan", "devices"], None), None);
    let mut back2 = Role::start(root, "back2", config(&["wan", "devices"], None), None);

    // supplier-a's Receive Response Service, registered through the first manifest.
    let posts = Arc::new(Mutex::new(Vec::<Post>::new()));
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let rrs_url = format!("http://{}/", listener.local_addr().unwrap());
    rt.spawn(serve_rrs(listener, posts.clone()));
    let one = front1.manifest.clone().unwrap();
    let set = run_cli(
        &[
            "user",
            "response-url",
            "--manifest",
            path_str(&one),
            "--user",
            "supplier-a",
            &rrs_url,
        ],
        None,
    );
    assert!(set.status.success(), "response-url: {}", stderr_of(&set));

    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&one).unwrap()).unwrap();
    let load = Load::new(
        Sender::of_manifest_user(&manifest, "supplier-a", 10_000),
        shape.requests,
    );
    let originator = load.sender.originator.clone();
    load.gateways.set(0, &front1.duis_url());
    load.gateways.set(1, &front2.duis_url());
    // Paced so that sending takes about SEND_FOR: every fault finds requests still coming.
    let send_for = std::env::var("OPENDCC_SOAK_SEND_SECS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(SEND_FOR, Duration::from_secs);
    let pace = send_for.as_millis() as usize * common::load::CONCURRENCY / shape.requests.max(1);
    load.pace_ms.store(pace as u64, Ordering::SeqCst);
    let run = rt.spawn(load.clone().drive());

    let finals = || final_request_ids(&posts.lock().unwrap()).len();
    let started = Instant::now();
    let mut log: Vec<String> = Vec::new();
    let mut note = |what: String, load: &Load, answered: usize| {
        let line = format!(
            "{:>6.1}s {what}: acked {} answered {answered} refused {:?} left {}",
            started.elapsed().as_secs_f64(),
            load.acks(),
            refusals(load),
            load.left()
        );
        eprintln!("faults: {line}");
        log.push(line);
    };
    // Each fault waits for its share of the acknowledgements (moved at random by the soak's
    // seed), then proves the others carry on before the victim returns.
    // The last fault must leave requests to come after it (the DCC is seen to take them again),
    // and a share of the acknowledgements may be most of what is left to send, the refusals
    // being sent too: it comes at its share or once only LAST_SLACK of the sending is left.
    let slack =
        (shape.requests as u128 * LAST_SLACK.as_millis() / send_for.as_millis().max(1)) as usize;
    let at = |k: usize| {
        let last = k == 5;
        wait_for(
            &format!(
                "{} acknowledgements before fault {k}",
                shape.kill_after_acks(k)
            ),
            shape.finish_limit(),
            || {
                (load.acks() >= shape.kill_after_acks(k) || (last && load.left() <= slack))
                    && finals() >= 5
            },
        )
    };

    // 1. A gateway (the second front, with its delivery worker).
    at(1);
    front2.kill9();
    note("gateway front2 killed".into(), &load, finals());
    let acks = load.acks();
    wait_for("acknowledgements by the other gateway", RECOVER, || {
        load.acks() >= acks + 5
    });
    front2.restart(root);
    load.gateways.set(1, &front2.duis_url());
    note("gateway front2 back".into(), &load, finals());

    // 2. A WAN worker.
    at(2);
    back1.kill9();
    note("WAN worker back1 killed".into(), &load, finals());
    let answered = finals();
    wait_for("answers while a WAN worker is down", RECOVER, || {
        finals() >= answered + 5
    });
    back1.restart(root);
    note("WAN worker back1 back".into(), &load, finals());

    // 3. A delivery worker (the first front: a gateway, the scheduler and the SMKI too).
    at(3);
    front1.kill9();
    note("delivery worker front1 killed".into(), &load, finals());
    let answered = finals();
    wait_for("deliveries by the other delivery worker", RECOVER, || {
        finals() >= answered + 5
    });
    front1.restart(root);
    load.gateways.set(0, &front1.duis_url());
    note("delivery worker front1 back".into(), &load, finals());

    // 4. NATS: down (device requests refused as a DCC fault), then back.
    at(4);
    nats.stop();
    note("NATS stopped".into(), &load, finals());
    let refused = refused_faults(&load);
    wait_for("a request refused while NATS is down", RECOVER, || {
        refused_faults(&load) > refused
    });
    nats.restart();
    note("NATS restarted".into(), &load, finals());
    let acks = load.acks();
    wait_for("acknowledgements after NATS returned", RECOVER, || {
        load.acks() > acks
    });
    note(
        "NATS back: requests acknowledged again".into(),
        &load,
        finals(),
    );

    // 5. PostgreSQL: stopped (every session ended) for PG_OUTAGE and until a request is refused
    //    as a DCC fault, then started again.
    at(5);
    let refused = refused_faults(&load);
    pg.stop();
    let down = Instant::now();
    note("PostgreSQL stopped".into(), &load, finals());
    wait_for(
        "a request refused while PostgreSQL is down",
        RECOVER,
        || refused_faults(&load) > refused,
    );
    std::thread::sleep(PG_OUTAGE.saturating_sub(down.elapsed()));
    pg.restart();
    note(
        format!(
            "PostgreSQL started again ({} refused as a DCC fault while it was down)",
            refused_faults(&load) - refused
        ),
        &load,
        finals(),
    );
    let acks = load.acks();
    wait_for(
        "acknowledgements after PostgreSQL returned",
        RECOVER,
        || load.acks() > acks,
    );
    note(
        "PostgreSQL back: requests acknowledged again".into(),
        &load,
        finals(),
    );
    // The scheduler's and the SMKI's advisory locks went with their sessions: taken again.
    front1
        .served
        .wait_until("the roles' advisory locks taken again", |s| {
            s.log().matches("advisory lock had gone").count() >= 2
        });
    note(
        "the scheduler's and SMKI's locks taken again".into(),
        &load,
        finals(),
    );

    rt.block_on(run).unwrap();
    note("every request sent".into(), &load, finals());
    assert!(!load.stop.load(Ordering::SeqCst));

    // Every refusal is the DCC fault (HTTP 503, no DUIS response code) but the device-type
    // refusals every run has (E11: a read the target's device type does not take, whichever the
    // process), and none is answered (below).
    let expected = Expected::of(&load, |c| recorded_code(&db, &originator, c));
    for (status, code) in expected.refused.keys() {
        assert!(
            matches!((*status, code.as_str()), (503, "-") | (200, "E11")),
            "a refusal neither the DCC fault nor E11: HTTP {status} {code}"
        );
    }
    assert!(
        expected.refused.contains_key(&(503, "-".to_string())),
        "requests were refused as a DCC fault while NATS was down"
    );
    expected.wait_for_answers(&posts, shape.finish_limit());
    note(
        "every acknowledged request answered".into(),
        &load,
        finals(),
    );
    let summary = expected.check(&posts.lock().unwrap());
    // No process gave up: each fault's survivors, and each restarted process, still serve.
    for role in [&mut front1, &mut front2, &mut back1, &mut back2] {
        let child = role.served.child.as_mut().expect("running");
        assert!(
            child.try_wait().unwrap().is_none(),
            "{} exited:\n{}",
            role.name,
            role.served.log()
        );
    }
    eprintln!(
        "scaleout faults: {} requests, seed {}; {summary}\n{}",
        shape.requests,
        shape.seed,
        log.join("\n")
    );
}

/// `serve` on a PostgreSQL that is not there: with `connect_timeout_secs = 0` an error naming the
/// server at once; with 2, an attempt and its retry logged each time, then the error after about
/// 2 s; and SIGTERM while it waits is a clean exit.
fn at_start_postgres_is_waited_for_up_to_connect_timeout_secs(root: &Path) {
    let port = common::unused_loopback_addr().port();
    let server = format!("PostgreSQL at postgres://opendcc@127.0.0.1:{port}/dcc");
    let nowhere = |timeout: Option<u64>| {
        let mut c = format!(
            "store = \"postgres://opendcc@127.0.0.1:{port}/dcc\"\ndata = \"data\"\n\
             roles = [\"delivery\"]\n"
        );
        if let Some(t) = timeout {
            c.push_str(&format!("connect_timeout_secs = {t}\n"));
        }
        c
    };
    let file = root.join("nowhere.toml");

    std::fs::write(&file, nowhere(Some(0))).unwrap();
    let out = run_cli(&["serve", "--config", path_str(&file)], None);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains(&format!(
            "{server} is unreachable or refused the connection: "
        )) && err.contains("(not retried: connect_timeout_secs = 0)")
            && !err.contains("retrying")
            && !err.contains("panicked"),
        "{err}"
    );

    std::fs::write(&file, nowhere(Some(2))).unwrap();
    let began = Instant::now();
    let out = run_cli(&["serve", "--config", path_str(&file)], None);
    let took = began.elapsed();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains(&format!(
            "{server} is unreachable or refused the connection: "
        )) && err.contains("attempts over 2 s: connect_timeout_secs = 2)")
            && !err.contains("panicked"),
        "{err}"
    );
    assert!(
        err.matches("not answering at start; retrying").count() >= 2,
        "{err}"
    );
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(30),
        "gave up after {took:?}"
    );

    // The default wait (60 s), ended by SIGTERM.
    let mut waiting = Served::start(root, "nowhere-default", &nowhere(None));
    waiting.wait_until("a retry", |s| {
        s.log().contains("not answering at start; retrying")
    });
    let status = waiting.stop();
    assert!(status.success(), "{status}:\n{}", waiting.log());
    assert!(waiting.log().contains("shutting down"), "{}", waiting.log());
}
