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
//! * SQLite's `PRAGMA integrity_check` says `ok` afterwards.
//!
//! The soak (`scripts/kill9-soak.sh`) runs this same test larger: 10,000 requests and several
//! kills at reproducible random points (`OPENDCC_SOAK_REQUESTS`, `OPENDCC_SOAK_KILLS`,
//! `OPENDCC_SOAK_SEED`).
//!
//! The device's verdict (I0, or E20/E21) is not the subject here: any final response counts.
//! No wall-clock assertions: every wait is bounded only to keep a broken build from hanging.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

const BIN: &str = env!("CARGO_BIN_EXE_opendcc");
const CONCURRENCY: usize = 16;
/// A kill comes only once at least this many requests have been answered (so that the kill finds
/// answered, acknowledged-but-unanswered and unsent requests alike).
const KILL_AFTER_FINALS: usize = 5;
const START_LIMIT: Duration = Duration::from_secs(120);
/// The bound on waiting for the answers (a broken build must not hang); the soak's larger runs
/// get a second per 20 requests beyond it.
const FINISH_LIMIT: Duration = Duration::from_secs(90);

/// How the run is shaped: the test's defaults (240 requests, one kill), or the soak's
/// (`scripts/kill9-soak.sh`: `OPENDCC_SOAK_REQUESTS`, `OPENDCC_SOAK_KILLS`, `OPENDCC_SOAK_SEED`).
struct Shape {
    requests: usize,
    kills: usize,
    seed: u64,
}

impl Shape {
    fn from_env() -> Self {
        let var = |name: &str, default: u64| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(default)
        };
        Shape {
            requests: usize::try_from(var("OPENDCC_SOAK_REQUESTS", 240)).unwrap(),
            kills: usize::try_from(var("OPENDCC_SOAK_KILLS", 1))
                .unwrap()
                .max(1),
            seed: var("OPENDCC_SOAK_SEED", 0),
        }
    }

    /// How many acknowledgements kill `k` (1-based) waits for: the `k`-th of `kills + 2` equal
    /// shares of the requests, moved by up to a quarter share either way when a seed is given
    /// (the soak's random kill points; seed 0, the test's, kills at exactly one third).
    fn kill_after_acks(&self, k: usize) -> usize {
        let share = self.requests / (self.kills + 2);
        let base = share * k;
        if self.seed == 0 || share < 4 {
            return base;
        }
        // SplitMix64 of (seed, k): a reproducible jitter per kill.
        let mut z = self
            .seed
            .wrapping_add(0x9E37_79B9_7F4A_7C15_u64.wrapping_mul(k as u64));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let quarter = (share / 4) as u64;
        let jitter = (z % (2 * quarter + 1)) as i64 - quarter as i64;
        usize::try_from(base as i64 + jitter).unwrap_or(base)
    }

    fn finish_limit(&self) -> Duration {
        FINISH_LIMIT + Duration::from_secs((self.requests / 20) as u64)
    }
}
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// The demo premises 1 to 4 (ESME, GSME, CHF, GPF at each).
fn read_targets() -> Vec<(String, &'static str, &'static str)> {
    let mut t = Vec::new();
    for p in ["90", "91", "92", "93"] {
        for k in 0..4 {
            let id = format!("00-DB-12-34-56-78-{p}-A{k}");
            t.push((id.clone(), "11.2", "<sr:ReadFirmwareVersion/>"));
            if k < 2 {
                t.push((id, "7.4", "<sr:ReadSupplyStatus/>"));
            }
        }
    }
    t
}

fn request_xml(rid: &str, srv: &str, body: &str) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4">"#,
            "<sr:Header><sr:RequestID>{rid}</sr:RequestID><sr:CommandVariant>1</sr:CommandVariant>",
            "<sr:ServiceReference>{srv}</sr:ServiceReference>",
            "<sr:ServiceReferenceVariant>{srv}</sr:ServiceReferenceVariant></sr:Header>",
            "<sr:Body>{body}</sr:Body></sr:Request>"
        ),
        rid = rid,
        srv = srv,
        body = body
    )
}

/// The text of the first `<…:name>` element.
fn element<'a>(xml: &'a str, local: &str) -> Option<&'a str> {
    for prefix in ["<sr:", "<"] {
        let open = format!("{prefix}{local}>");
        if let Some(start) = xml.find(&open) {
            let rest = &xml[start + open.len()..];
            return rest.find('<').map(|end| rest[..end].trim());
        }
    }
    None
}

fn counter_of(rid: &str) -> Option<u64> {
    rid.rsplit(':').next()?.parse().ok()
}

// ---------------------------------------------------------------------------------------------
// The demo process

struct Demo {
    child: Child,
    duis_url: String,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn launch(data: &Path, log: &Path) -> Demo {
    let manifest = data.join("demo.json");
    let _ = std::fs::remove_file(&manifest);
    let log_file = std::fs::File::create(log).unwrap();
    let child = Command::new(BIN)
        .arg("demo")
        .arg("--data")
        .arg(data)
        .args(["--listen", "127.0.0.1:0", "--plain-http"])
        .args(["--smki-listen", "127.0.0.1:0"])
        // Commands stay on the WAN long enough for the kill to find some queued; failed
        // deliveries are retried soon; the device time-out outlasts a restart.
        .args(["--wan-latency-ms", "100,100,100"])
        .args(["--delivery-backoff-ms", "100"])
        .args(["--device-timeout-ms", "120000"])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().unwrap())
        .stderr(log_file)
        .spawn()
        .expect("starting opendcc demo");
    let mut demo = Demo {
        child,
        duis_url: String::new(),
    };
    let deadline = Instant::now() + START_LIMIT;
    while !manifest.exists() {
        if let Some(status) = demo.child.try_wait().unwrap() {
            panic!(
                "opendcc demo exited ({status}):\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        assert!(
            Instant::now() < deadline,
            "no demo.json within {START_LIMIT:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    demo.duis_url = m["duis_url"]
        .as_str()
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    demo
}

// ---------------------------------------------------------------------------------------------
// The Receive Response Service

#[derive(Debug, Clone)]
struct Post {
    delivery_id: String,
    body: String,
}

async fn serve_rrs(listener: tokio::net::TcpListener, posts: Arc<Mutex<Vec<Post>>>) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let posts = posts.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req: Request<Incoming>| {
                let posts = posts.clone();
                async move {
                    let delivery_id = req
                        .headers()
                        .get("x-opendcc-delivery-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    let body = req.into_body().collect().await.map(|b| b.to_bytes());
                    if let Ok(body) = body {
                        posts.lock().unwrap().push(Post {
                            delivery_id,
                            body: String::from_utf8_lossy(&body).into_owned(),
                        });
                    }
                    Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
                }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(tcp), svc)
                .await;
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Sending

/// How the DCC answered one request.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sync {
    NotSent,
    /// HTTP 200 with I99; the counter it was accepted with.
    Acked(u64),
    /// A definite refusal (anything else but a replay, which is resent with a fresh counter).
    Refused(String),
    /// The connection failed before any answer (the kill); the counter it carried.
    Cut(u64),
}

struct Sender {
    signer: xmldsig::XmlSigner,
    originator: String,
    next_counter: AtomicU64,
    /// Every counter a request was sent with → request index.
    counters: Mutex<HashMap<u64, usize>>,
}

impl Sender {
    fn signed(&self, index: usize, counter: u64) -> String {
        let targets = read_targets();
        let (target, srv, body) = &targets[index % targets.len()];
        let rid = format!("{}:{target}:{counter}", self.originator);
        self.counters.lock().unwrap().insert(counter, index);
        self.signer.sign(&request_xml(&rid, srv, body)).unwrap()
    }

    /// Sends request `index`, resending with a fresh counter after a replay refusal.
    async fn send(&self, http: &reqwest::Client, url: &str, index: usize) -> Sync {
        for _ in 0..100 {
            let counter = self.next_counter.fetch_add(1, Ordering::SeqCst);
            let body = self.signed(index, counter);
            let resp = http
                .post(format!("{url}/api/v1/serviceS"))
                .header("content-type", "application/xml")
                .timeout(HTTP_TIMEOUT)
                .body(body)
                .send()
                .await;
            let resp = match resp {
                Ok(r) => r,
                Err(_) => return Sync::Cut(counter),
            };
            let status = resp.status().as_u16();
            let Ok(text) = resp.text().await else {
                return Sync::Cut(counter);
            };
            if status == 409 {
                continue;
            }
            return match (status, element(&text, "ResponseCode")) {
                (200, Some("I99")) => Sync::Acked(counter),
                (s, code) => Sync::Refused(format!("HTTP {s} {}", code.unwrap_or("-"))),
            };
        }
        Sync::Refused("replayed 100 times".into())
    }
}

/// Runs senders over `indices` until they are done or `stop` is raised; returns what happened.
async fn drive(
    sender: Arc<Sender>,
    url: String,
    queue: Arc<Mutex<Vec<usize>>>,
    results: Arc<Mutex<Vec<Sync>>>,
    acks: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
) {
    // Plain HTTP on loopback; reqwest still wants a TLS configuration.
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth();
    let http = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .build()
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (sender, url, queue, results, acks, stop, http) = (
            sender.clone(),
            url.clone(),
            queue.clone(),
            results.clone(),
            acks.clone(),
            stop.clone(),
            http.clone(),
        );
        tasks.spawn(async move {
            loop {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Some(i) = queue.lock().unwrap().pop() else {
                    break;
                };
                let outcome = sender.send(&http, &url, i).await;
                if matches!(outcome, Sync::Acked(_)) {
                    acks.fetch_add(1, Ordering::SeqCst);
                }
                let cut = matches!(outcome, Sync::Cut(_));
                results.lock().unwrap()[i] = outcome;
                if cut {
                    // The server is gone: stop this sender (the rest is sent after the restart).
                    break;
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
}

fn set_response_url(data: &Path, url: &str) {
    let out = Command::new(BIN)
        .args(["user", "response-url", "--data"])
        .arg(data)
        .args(["--user", "supplier-a", url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The response code the DCC recorded for `counter` (read-only, after the restart).
fn recorded_code(db: &Path, originator: &str, counter: u64) -> Option<String> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.query_row(
        "SELECT response_code FROM requests WHERE originator = ?1 AND counter = ?2",
        rusqlite::params![originator, i64::try_from(counter).unwrap()],
        |r| r.get::<_, String>(0),
    )
    .ok()
}

#[test]
fn acknowledged_requests_are_answered_exactly_once_across_kill_9() {
    let root = tempfile::Builder::new()
        .prefix("opendcc-durability-")
        .tempdir()
        .unwrap();
    let data: PathBuf = root.path().join("data");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    let mut demo = launch(&data, &root.path().join("demo-1.log"));
    let posts = Arc::new(Mutex::new(Vec::<Post>::new()));
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let rrs_url = format!("http://{}/", listener.local_addr().unwrap());
    rt.spawn(serve_rrs(listener, posts.clone()));
    set_response_url(&data, &rrs_url);

    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("demo.json")).unwrap()).unwrap();
    let user = manifest["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "supplier-a")
        .unwrap()
        .clone();
    let key_pem = std::fs::read_to_string(user["signing_key"].as_str().unwrap()).unwrap();
    let cert_pem = std::fs::read_to_string(user["signing_cert"].as_str().unwrap()).unwrap();
    let cert_der = xmldsig::certificate_pem_to_der(&cert_pem).unwrap();
    let (issuer_serial, _) = xmldsig::issuer_serial_of_cert(&cert_der).unwrap();
    let originator = user["eui"].as_str().unwrap().to_string();
    let sender = Arc::new(Sender {
        signer: xmldsig::XmlSigner::from_pkcs8_pem(&key_pem, issuer_serial).unwrap(),
        originator: originator.clone(),
        next_counter: AtomicU64::new(1_000),
        counters: Mutex::new(HashMap::new()),
    });

    // Requests are taken from the end of the queue: index 0 first.
    let shape = Shape::from_env();
    let requests = shape.requests;
    let queue = Arc::new(Mutex::new((0..requests).rev().collect::<Vec<usize>>()));
    let results = Arc::new(Mutex::new(vec![Sync::NotSent; requests]));
    let acks = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));

    // Runs 1..=kills, each killed with SIGKILL mid-run, then the last run on the same data.
    let mut kills: Vec<(usize, usize)> = Vec::new(); // (acks, answered) at each kill
    for k in 1..=shape.kills {
        let run = rt.spawn(drive(
            sender.clone(),
            demo.duis_url.clone(),
            queue.clone(),
            results.clone(),
            acks.clone(),
            stop.clone(),
        ));
        let target = shape.kill_after_acks(k);
        let deadline = Instant::now() + shape.finish_limit();
        while acks.load(Ordering::SeqCst) < target
            || final_request_ids(&posts.lock().unwrap()).len() < KILL_AFTER_FINALS
        {
            assert!(
                Instant::now() < deadline,
                "run {k} made too little progress to be killed mid-run"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        demo.child.kill().unwrap(); // SIGKILL
        demo.child.wait().unwrap();
        stop.store(true, Ordering::SeqCst);
        rt.block_on(run).unwrap();
        let finals_at_kill = final_request_ids(&posts.lock().unwrap()).len();
        let acked_at_kill = acks.load(Ordering::SeqCst);
        if k == 1 {
            assert!(
                finals_at_kill < acked_at_kill,
                "the kill must leave acknowledged work unanswered ({finals_at_kill} of {acked_at_kill} answered)"
            );
        }
        kills.push((acked_at_kill, finals_at_kill));
        // Cut requests were handed back to no one: they are judged by the DCC's own record below.
        assert!(
            !queue.lock().unwrap().is_empty(),
            "kill {k} came after everything was sent"
        );
        // The next run: same data directory, a new port; the response URL is in the database.
        demo = launch(&data, &root.path().join(format!("demo-{}.log", k + 1)));
        stop.store(false, Ordering::SeqCst);
    }
    rt.block_on(drive(
        sender.clone(),
        demo.duis_url.clone(),
        queue.clone(),
        results.clone(),
        acks.clone(),
        stop.clone(),
    ));
    let results = results.lock().unwrap().clone();
    assert!(
        results.iter().all(|r| *r != Sync::NotSent),
        "every request was sent"
    );

    // Which requests must be answered: acknowledged ones, and cut ones the DCC had committed.
    let db = data.join("opendcc.sqlite");
    let mut expected: BTreeMap<u64, usize> = BTreeMap::new(); // counter → index
    let mut forbidden: Vec<u64> = Vec::new(); // counters that must get no answer
    let (mut cut_committed, mut cut_lost, mut refused) = (0, 0, 0);
    for (i, r) in results.iter().enumerate() {
        match r {
            Sync::Acked(c) => {
                expected.insert(*c, i);
            }
            Sync::Cut(c) => match recorded_code(&db, &originator, *c).as_deref() {
                Some("I99") => {
                    cut_committed += 1;
                    expected.insert(*c, i);
                }
                Some(other) => panic!("a cut request was recorded with {other}"),
                None => {
                    cut_lost += 1;
                    forbidden.push(*c);
                }
            },
            Sync::Refused(why) => {
                refused += 1;
                eprintln!("request {i} refused: {why}");
            }
            Sync::NotSent => unreachable!(),
        }
    }
    // Every counter ever sent that was neither accepted nor committed must stay unanswered
    // (replay refusals, refusals, cut requests that never reached the database).
    let all_counters: Vec<u64> = sender.counters.lock().unwrap().keys().copied().collect();
    forbidden.extend(all_counters.iter().filter(|c| !expected.contains_key(c)));

    // Wait (bounded) for every expected final response.
    let deadline = Instant::now() + shape.finish_limit();
    loop {
        let answered = final_request_ids(&posts.lock().unwrap());
        let missing: Vec<u64> = expected
            .keys()
            .filter(|c| !answered.contains_key(*c))
            .copied()
            .collect();
        if missing.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} acknowledged requests got no final response, e.g. counter {:?}",
            missing.len(),
            missing.first()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Let any late repeat arrive before judging.
    std::thread::sleep(Duration::from_millis(500));
    drop(demo);
    // The database survived every kill whole.
    let check: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok", "PRAGMA integrity_check");
    let posts = posts.lock().unwrap().clone();

    // Repeats of a delivery id: allowed only as exact copies.
    let mut by_delivery: HashMap<&str, &str> = HashMap::new();
    let mut repeats = 0;
    for p in &posts {
        assert!(!p.delivery_id.is_empty(), "every POST names its delivery");
        match by_delivery.get(p.delivery_id.as_str()) {
            Some(first) => {
                repeats += 1;
                assert_eq!(
                    *first, p.body,
                    "delivery {} repeated with different content",
                    p.delivery_id
                );
            }
            None => {
                by_delivery.insert(&p.delivery_id, &p.body);
            }
        }
    }
    // Exactly one delivery per answered request, and only for requests that may be answered.
    let finals = final_request_ids(&posts);
    for (counter, deliveries) in &finals {
        assert!(
            expected.contains_key(counter),
            "counter {counter} was answered but never acknowledged nor committed ({})",
            if forbidden.contains(counter) {
                "refused or cut before the commit"
            } else {
                "not sent by this test"
            }
        );
        assert_eq!(
            deliveries.len(),
            1,
            "counter {counter} answered by several deliveries: {deliveries:?}"
        );
    }
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    for d in by_delivery.values() {
        let kind = if d.contains("AlertMessage") {
            "alert"
        } else {
            "response"
        };
        let code = element(d, "ResponseCode").unwrap_or("-");
        *codes.entry(format!("{kind} {code}")).or_default() += 1;
    }
    eprintln!(
        "durability: {requests} requests, {} kill -9s (acks, answered at each: {kills:?}); \
         acked {} · cut and committed {cut_committed} · cut before commit {cut_lost} · refused \
         {refused}; {} POSTs, {} distinct deliveries, {repeats} repeated delivery ids; codes \
         {codes:?}; integrity_check ok",
        kills.len(),
        results
            .iter()
            .filter(|r| matches!(r, Sync::Acked(_)))
            .count(),
        posts.len(),
        by_delivery.len(),
    );
}

/// Final responses (not alerts) by RequestID counter → the distinct delivery ids carrying them.
fn final_request_ids(posts: &[Post]) -> BTreeMap<u64, Vec<String>> {
    let mut out: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for p in posts {
        if p.body.contains("AlertMessage") {
            continue;
        }
        let Some(counter) = element(&p.body, "RequestID").and_then(counter_of) else {
            continue;
        };
        let ids = out.entry(counter).or_default();
        if !ids.contains(&p.delivery_id) {
            ids.push(p.delivery_id.clone());
        }
    }
    out
}
