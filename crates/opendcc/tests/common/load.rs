#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Load and its accounting, shared by the kill -9 durability test (`durability.rs`, one
//! `opendcc demo`) and the faults test across processes (`scaleout_faults.rs`, several `opendcc
//! serve` on PostgreSQL and NATS): concurrent senders of signed command variant 1 reads over
//! plain HTTP to one or more gateways, a Receive Response Service recording every POST, and the
//! judgement of what was answered:
//!
//! * every request the DCC acknowledged (HTTP 200 with I99), and every request cut by a fault
//!   that the DCC's own record says it committed with I99, gets exactly one final response: one
//!   delivery id carries a response to its RequestID;
//! * repeats of a delivery id are allowed only as byte-identical copies (delivery is at least
//!   once with an idempotency key);
//! * no request the DCC refused, no request cut before its commit, no counter never sent is
//!   answered.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
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

/// Senders at once.
pub const CONCURRENCY: usize = 16;
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a sender waits after a DCC fault (503) before its next request.
const REFUSED_PAUSE: Duration = Duration::from_millis(500);
/// The bound on waiting for the answers (a broken build must not hang); larger runs get a
/// second per 20 requests beyond it.
const FINISH_LIMIT: Duration = Duration::from_secs(90);

/// How a run is shaped: a test's defaults, or the soak's (`OPENDCC_SOAK_REQUESTS`,
/// `OPENDCC_SOAK_KILLS`, `OPENDCC_SOAK_SEED`).
pub struct Shape {
    pub requests: usize,
    pub kills: usize,
    pub seed: u64,
}

impl Shape {
    pub fn from_env(requests: u64, kills: u64) -> Self {
        let var = |name: &str, default: u64| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(default)
        };
        Shape {
            requests: usize::try_from(var("OPENDCC_SOAK_REQUESTS", requests))
                .expect("a request count"),
            kills: usize::try_from(var("OPENDCC_SOAK_KILLS", kills))
                .expect("a kill count")
                .max(1),
            seed: var("OPENDCC_SOAK_SEED", 0),
        }
    }

    /// How many acknowledgements fault `k` (1-based) waits for: the `k`-th of `kills + 2` equal
    /// shares of the requests, moved by up to a quarter share either way when a seed is given
    /// (the soak's random fault points; seed 0, the tests', exactly).
    pub fn kill_after_acks(&self, k: usize) -> usize {
        let share = self.requests / (self.kills + 2);
        let base = share * k;
        if self.seed == 0 || share < 4 {
            return base;
        }
        // SplitMix64 of (seed, k): a reproducible jitter per fault.
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

    pub fn finish_limit(&self) -> Duration {
        FINISH_LIMIT + Duration::from_secs((self.requests / 20) as u64)
    }
}

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
pub fn element<'a>(xml: &'a str, local: &str) -> Option<&'a str> {
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
// The Receive Response Service

#[derive(Debug, Clone)]
pub struct Post {
    pub delivery_id: String,
    pub body: String,
}

/// Records every POST (its delivery id and body) and answers 200.
pub async fn serve_rrs(listener: tokio::net::TcpListener, posts: Arc<Mutex<Vec<Post>>>) {
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

/// Final responses (not alerts) by RequestID counter → the distinct delivery ids carrying them.
pub fn final_request_ids(posts: &[Post]) -> BTreeMap<u64, Vec<String>> {
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

// ---------------------------------------------------------------------------------------------
// Sending

/// How the DCC answered one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    NotSent,
    /// HTTP 200 with I99; the counter it was accepted with.
    Acked(u64),
    /// A definite refusal (anything else but a replay, which is resent with a fresh counter):
    /// the HTTP status, the DUIS response code if any, and the counter.
    Refused {
        status: u16,
        code: String,
        counter: u64,
    },
    /// The connection failed before any answer (a kill); the counter it carried.
    Cut(u64),
}

/// One DCC user's signed requests, each with a fresh counter.
pub struct Sender {
    signer: xmldsig::XmlSigner,
    pub originator: String,
    next_counter: AtomicU64,
    /// Every counter a request was sent with → request index.
    pub counters: Mutex<HashMap<u64, usize>>,
}

impl Sender {
    pub fn new(signer: xmldsig::XmlSigner, originator: String, first_counter: u64) -> Sender {
        Sender {
            signer,
            originator,
            next_counter: AtomicU64::new(first_counter),
            counters: Mutex::new(HashMap::new()),
        }
    }

    /// The sender of the user `name` in a manifest (its `users`, with key and certificate
    /// files).
    pub fn of_manifest_user(manifest: &serde_json::Value, name: &str, first: u64) -> Sender {
        let user = manifest["users"]
            .as_array()
            .expect("the manifest's users")
            .iter()
            .find(|u| u["name"] == name)
            .expect("the user is in the manifest");
        let read = |key: &str| {
            std::fs::read_to_string(user[key].as_str().expect("a path")).expect("reading")
        };
        let cert_der =
            xmldsig::certificate_pem_to_der(&read("signing_cert")).expect("a certificate");
        let (issuer_serial, _) = xmldsig::issuer_serial_of_cert(&cert_der).expect("its issuer");
        Sender::new(
            xmldsig::XmlSigner::from_pkcs8_pem(&read("signing_key"), issuer_serial)
                .expect("a signing key"),
            user["eui"].as_str().expect("an EUI").to_string(),
            first,
        )
    }

    fn signed(&self, index: usize, counter: u64) -> String {
        let targets = read_targets();
        let (target, srv, body) = &targets[index % targets.len()];
        let rid = format!("{}:{target}:{counter}", self.originator);
        self.counters.lock().unwrap().insert(counter, index);
        self.signer.sign(&request_xml(&rid, srv, body)).unwrap()
    }

    /// Sends request `index`, resending with a fresh counter after a replay refusal.
    async fn send(&self, http: &reqwest::Client, url: &str, index: usize) -> Outcome {
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
                Err(_) => return Outcome::Cut(counter),
            };
            let status = resp.status().as_u16();
            let Ok(text) = resp.text().await else {
                return Outcome::Cut(counter);
            };
            if status == 409 {
                continue;
            }
            return match (status, element(&text, "ResponseCode")) {
                (200, Some("I99")) => Outcome::Acked(counter),
                (status, code) => Outcome::Refused {
                    status,
                    code: code.unwrap_or("-").to_string(),
                    counter,
                },
            };
        }
        Outcome::Refused {
            status: 409,
            code: "replayed 100 times".into(),
            counter: 0,
        }
    }
}

/// The gateways' DUIS URLs (plain HTTP), by slot: a slot is emptied when a request to it is cut
/// (its process is gone) and filled again by the test when it restarts.
#[derive(Default)]
pub struct Gateways(Mutex<Vec<Option<String>>>);

impl Gateways {
    pub fn set(&self, slot: usize, url: &str) {
        let mut g = self.0.lock().unwrap();
        if g.len() <= slot {
            g.resize(slot + 1, None);
        }
        g[slot] = Some(url.trim_end_matches('/').to_string());
    }

    /// The `n`-th gateway still up (round robin), if any.
    fn pick(&self, n: usize) -> Option<(usize, String)> {
        let g = self.0.lock().unwrap();
        let up: Vec<(usize, &String)> = g
            .iter()
            .enumerate()
            .filter_map(|(i, u)| u.as_ref().map(|u| (i, u)))
            .collect();
        if up.is_empty() {
            return None;
        }
        let (i, u) = up[n % up.len()];
        Some((i, u.clone()))
    }

    fn down(&self, slot: usize, url: &str) {
        let mut g = self.0.lock().unwrap();
        if g[slot].as_deref() == Some(url) {
            g[slot] = None;
        }
    }
}

/// What the senders share: the requests left (taken from the end), what happened to each, the
/// acknowledgements so far, and the flag that stops them.
pub struct Load {
    pub sender: Arc<Sender>,
    pub gateways: Arc<Gateways>,
    pub queue: Mutex<Vec<usize>>,
    pub results: Mutex<Vec<Outcome>>,
    pub acks: AtomicUsize,
    pub stop: AtomicBool,
    /// How long each sender waits between its requests, in milliseconds (0: none).
    pub pace_ms: AtomicU64,
}

impl Load {
    pub fn new(sender: Sender, requests: usize) -> Arc<Load> {
        Arc::new(Load {
            sender: Arc::new(sender),
            gateways: Arc::new(Gateways::default()),
            queue: Mutex::new((0..requests).rev().collect()),
            results: Mutex::new(vec![Outcome::NotSent; requests]),
            acks: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            pace_ms: AtomicU64::new(0),
        })
    }

    pub fn acks(&self) -> usize {
        self.acks.load(Ordering::SeqCst)
    }

    pub fn left(&self) -> usize {
        self.queue.lock().unwrap().len()
    }

    /// Runs [`CONCURRENCY`] senders until every request is sent or `stop` is raised; a sender
    /// whose gateway is gone tries the others, and waits while none is up.
    pub async fn drive(self: Arc<Load>) {
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
        for task in 0..CONCURRENCY {
            let (load, http) = (self.clone(), http.clone());
            tasks.spawn(async move {
                let mut n = task;
                while !load.stop.load(Ordering::SeqCst) {
                    let Some((slot, url)) = load.gateways.pick(n) else {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        continue;
                    };
                    n += 1;
                    let Some(i) = load.queue.lock().unwrap().pop() else {
                        break;
                    };
                    let outcome = load.sender.send(&http, &url, i).await;
                    if matches!(outcome, Outcome::Acked(_)) {
                        load.acks.fetch_add(1, Ordering::SeqCst);
                    }
                    if matches!(outcome, Outcome::Cut(_)) {
                        load.gateways.down(slot, &url);
                    }
                    // A DCC fault says "try later": this sender waits a moment, as a user's
                    // system would, rather than spend the requests left on an outage.
                    let fault = matches!(outcome, Outcome::Refused { status: 503, .. });
                    load.results.lock().unwrap()[i] = outcome;
                    if fault {
                        tokio::time::sleep(REFUSED_PAUSE).await;
                    }
                    let pace = load.pace_ms.load(Ordering::SeqCst);
                    if pace > 0 {
                        tokio::time::sleep(Duration::from_millis(pace)).await;
                    }
                }
            });
        }
        while tasks.join_next().await.is_some() {}
    }
}

/// Which requests must be answered and which must not.
pub struct Expected {
    /// Counter → request index: acknowledged, or cut and committed with I99.
    pub answered: BTreeMap<u64, usize>,
    /// Counters that must get no answer.
    pub forbidden: Vec<u64>,
    pub acked: usize,
    pub cut_committed: usize,
    pub cut_lost: usize,
    /// Refusals: (HTTP status, response code) → how many.
    pub refused: BTreeMap<(u16, String), usize>,
}

impl Expected {
    /// Judges every request sent; `recorded` reads the response code the DCC recorded for a
    /// counter (its `requests` table), for the requests cut by a fault.
    pub fn of(load: &Load, recorded: impl Fn(u64) -> Option<String>) -> Expected {
        let results = load.results.lock().unwrap().clone();
        assert!(
            results.iter().all(|r| *r != Outcome::NotSent),
            "every request was sent"
        );
        let mut e = Expected {
            answered: BTreeMap::new(),
            forbidden: Vec::new(),
            acked: 0,
            cut_committed: 0,
            cut_lost: 0,
            refused: BTreeMap::new(),
        };
        for (i, r) in results.iter().enumerate() {
            match r {
                Outcome::Acked(c) => {
                    e.acked += 1;
                    e.answered.insert(*c, i);
                }
                Outcome::Cut(c) => match recorded(*c).as_deref() {
                    Some("I99") => {
                        e.cut_committed += 1;
                        e.answered.insert(*c, i);
                    }
                    Some(other) => panic!("a cut request was recorded with {other}"),
                    None => e.cut_lost += 1,
                },
                Outcome::Refused { status, code, .. } => {
                    *e.refused.entry((*status, code.clone())).or_default() += 1;
                }
                Outcome::NotSent => unreachable!(),
            }
        }
        // Every counter ever sent that was neither accepted nor committed must stay unanswered
        // (replay refusals, refusals, cut requests that never reached the database).
        let sent: Vec<u64> = load
            .sender
            .counters
            .lock()
            .unwrap()
            .keys()
            .copied()
            .collect();
        e.forbidden
            .extend(sent.iter().filter(|c| !e.answered.contains_key(c)));
        e
    }

    /// Waits (bounded by `limit`) until every request that must be answered is.
    pub fn wait_for_answers(&self, posts: &Mutex<Vec<Post>>, limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            let answered = final_request_ids(&posts.lock().unwrap());
            let missing: Vec<u64> = self
                .answered
                .keys()
                .filter(|c| !answered.contains_key(*c))
                .copied()
                .collect();
            if missing.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} acknowledged requests got no final response, e.g. counter {:?}",
                missing.len(),
                missing.first()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Checks every POST: repeats of a delivery id only as exact copies, exactly one delivery
    /// per answered request and none for a forbidden one. Returns a summary line.
    pub fn check(&self, posts: &[Post]) -> String {
        let mut by_delivery: HashMap<&str, &str> = HashMap::new();
        let mut repeats = 0;
        for p in posts {
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
        for (counter, deliveries) in &final_request_ids(posts) {
            assert!(
                self.answered.contains_key(counter),
                "counter {counter} was answered but never acknowledged nor committed ({})",
                if self.forbidden.contains(counter) {
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
        format!(
            "acked {} · cut and committed {} · cut before commit {} · refused {:?}; {} POSTs, \
             {} distinct deliveries, {repeats} repeated delivery ids; codes {codes:?}",
            self.acked,
            self.cut_committed,
            self.cut_lost,
            self.refused,
            posts.len(),
            by_delivery.len(),
        )
    }
}
