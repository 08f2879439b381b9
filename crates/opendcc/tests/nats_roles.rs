//! The DCC's roles over NATS JetStream in one process (`server::nats`), on a real demo world
//! (SQLite in a temporary directory), real emulated devices and a real nats-server: a device
//! read goes from the DUIS listener through a WAN notice to the WAN runner, and its response
//! through an outbox notice to the user's Receive Response Service; a WAN worker that dies
//! before acknowledging leaves its notices to another, which answers each request exactly once;
//! with NATS down the gateway refuses device requests as a DCC fault and commits nothing, and
//! what it accepted before the outage is answered after it; a WAN worker shut down gracefully
//! hands the notices it held back at once, to be answered by another long before JetStream's
//! acknowledgement wait, and so does a delivery worker stopped in the middle of a POST.
//!
//! NATS with JetStream must answer at `OPENDCC_TEST_NATS` (default nats://127.0.0.1:4222;
//! test.sh starts it through scripts/services.sh); each test uses a stream prefix of its own
//! and deletes it at the end. The outage and hand-back tests run a nats-server of their own (`nats-server` on
//! the PATH, or `OPENDCC_NATS_SERVER`).

mod common;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::procs::OwnNats;
use common::{
    ResponseSink, cert_der, premises1, request_id, set_text, signer, start_response_sink, template,
    tpl,
};
use dcc::dispatch::{DispatchConfig, Dispatcher, Driver, Noticed};
use dcc::gateway::{Clock, Gateway, Limits, SystemClock};
use dcc::store::Store;
use eui::Eui64;
use opendcc::world::{self, World};
use queue_nats::{Lane, PartitionedConsumer, Queue, QueueConfig};
use store::SqliteStore;
use tokio::sync::watch;
use wan::EmulatedWan;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn nats_url() -> String {
    std::env::var("OPENDCC_TEST_NATS").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

/// A prefix of the test's own, short acknowledgement and lease times.
fn config(name: &str, url: String) -> QueueConfig {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    QueueConfig {
        url,
        prefix: format!(
            "r{}_{nanos}_{}_{name}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ),
        partitions: 4,
        ack_wait: Duration::from_secs(2),
        lease_ttl: Duration::from_secs(2),
        ..QueueConfig::default()
    }
}

const SUPPLIER: &str = "supplier-a";

/// A plain-HTTP client (reqwest needs a TLS set-up even so; no process-wide provider is
/// installed).
fn http_client() -> reqwest::Client {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .build()
        .expect("an HTTP client")
}

/// One DCC: its world, store and queue, the DUIS listener (plain HTTP on loopback, the
/// gateway asking NATS before a request for the SM WAN and announcing the jobs it queued), the
/// WAN driver over the emulated devices, and supplier-a's Receive Response Service.
struct Dcc {
    world: World,
    store: Arc<SqliteStore>,
    queue: Queue,
    duis: String,
    driver: Arc<Driver<SqliteStore, EmulatedWan>>,
    sink: ResponseSink,
    supplier: Eui64,
    counter: AtomicU64,
    stop: watch::Sender<bool>,
    tasks: tokio::task::JoinSet<()>,
    _root: tempfile::TempDir,
}

impl Dcc {
    async fn start(queue: Queue) -> Dcc {
        let root = tempfile::tempdir().expect("a temporary directory");
        let dir = root.path().join("data");
        let (world, store) = tokio::task::spawn_blocking(move || {
            let world = World::open_or_create_with(&dir, None).expect("the demo world");
            let store = Arc::new(world.open_store().expect("the world's database"));
            (world, store)
        })
        .await
        .expect("making the world");
        let sink = start_response_sink().await;
        let url = sink.url().to_string();
        let supplier = store
            .transaction(|tx| {
                let mut u = tx
                    .user_by_name(SUPPLIER)?
                    .expect("supplier-a is a demo user");
                u.response_url = Some(url.clone());
                tx.put_user(&u)?;
                Ok(u.eui)
            })
            .expect("registering the Receive Response Service");
        let signer: Arc<dyn dcc::gateway::ResponseSigner> =
            Arc::new(world.xml_signer().expect("the DCC's signer"));
        let gateway = Gateway::new(
            store.clone(),
            SystemClock,
            signer.clone(),
            Arc::new(world.dcc_crypto().expect("the DCC's keys")),
            Limits::default(),
        )
        .with_wan_admission(Arc::new(server::nats::QueueAdmission(queue.clone())));
        let driver = Arc::new(Driver::new(
            store.clone(),
            Arc::new(EmulatedWan::new(
                world
                    .emulated_devices(&*store)
                    .expect("the emulated devices"),
                wan::WanConfig::default(),
            )),
            Dispatcher::new(signer, world::DCC_EUI, DispatchConfig::default()),
        ));
        let transport = server::Transport::PlainHttp;
        let listener = server::bind("127.0.0.1:0".parse().expect("an address"), &transport)
            .await
            .expect("binding the DUIS listener");
        let duis = format!("http://{}", listener.local_addr().expect("its address"));
        let (stop, rx) = watch::channel(false);
        let mut tasks = tokio::task::JoinSet::new();
        let announcer = server::Announcer::Queue(Box::new(queue.clone()));
        tasks.spawn(async move {
            let _ = server::serve_with_smki(
                Arc::new(gateway),
                listener,
                transport,
                None,
                server::ListenerLimits::default(),
                announcer,
                rx,
            )
            .await;
        });
        Dcc {
            world,
            store,
            queue,
            duis,
            driver,
            sink,
            supplier,
            counter: AtomicU64::new(
                u64::try_from(
                    SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .map(|d| d.as_millis())
                        .unwrap_or(1),
                )
                .unwrap_or(1)
                    * 1000,
            ),
            stop,
            tasks,
            _root: root,
        }
    }

    fn shutdown(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }

    fn start_wan(&mut self, worker: &str) {
        let runner = server::nats::run_wan(
            self.driver.clone(),
            Arc::new(SystemClock),
            self.queue.clone(),
            worker.to_string(),
            server::dispatch::RunnerConfig::default(),
            self.shutdown(),
        );
        self.tasks.spawn(runner);
    }

    fn start_delivery(&mut self) {
        let runner = server::nats::run_delivery(
            self.store.clone(),
            Arc::new(SystemClock),
            http_client(),
            server::delivery::DeliveryPolicy::default(),
            self.queue.clone(),
            self.shutdown(),
        );
        self.tasks.spawn(runner);
    }

    fn start_sweeper(&mut self) {
        let runner = server::nats::run_sweeper(
            self.store.clone(),
            Arc::new(SystemClock),
            self.queue.clone(),
            server::nats::SweepConfig {
                every: Duration::from_millis(500),
                older_than: Duration::from_secs(1),
                ..server::nats::SweepConfig::default()
            },
            self.shutdown(),
        );
        self.tasks.spawn(runner);
    }

    /// 11.2 Read Firmware Version of premises 1's ESME from supplier-a, signed and POSTed to
    /// the DUIS listener: its RequestID, and the HTTP status and body of the answer.
    async fn read_firmware(&self) -> (String, u16, String) {
        let counter = self.counter.fetch_add(1, Ordering::SeqCst);
        let rid = request_id(&self.supplier.to_string(), premises1::ESME, counter);
        let xml = set_text(&template(tpl::READ_FIRMWARE_ESME), "RequestID", &rid);
        let dir = world::user_dir(self.world.dir(), SUPPLIER);
        let key = std::fs::read_to_string(dir.join("signing.key")).expect("the user's key");
        let signed = signer(&key, &cert_der(&dir.join("signing.pem")))
            .sign(&xml)
            .expect("signing");
        let resp = http_client()
            .post(format!("{}/api/v1/serviceS", self.duis))
            .header("content-type", "application/xml")
            .body(signed)
            .send()
            .await
            .expect("the DUIS listener answers");
        let status = resp.status().as_u16();
        let body = resp.text().await.expect("the answer's body");
        (rid, status, body)
    }

    /// What the store holds that a request changes: the supplier's highest counter, the open
    /// WAN jobs, the outbox.
    fn snapshot(&self) -> (Option<u64>, usize, usize) {
        let supplier = self.supplier;
        self.store
            .read(|tx| {
                Ok((
                    tx.highest_counter(supplier)?,
                    tx.pending_wan_jobs()?,
                    tx.outbox_for(supplier, 1000)?.len(),
                ))
            })
            .expect("reading the store")
    }

    /// The supplier's delivered responses with this RequestID in the sink.
    fn delivered(&self, rid: &str) -> Vec<String> {
        self.sink
            .received()
            .into_iter()
            .filter(|d| {
                d.body
                    .contains(&format!("<sr:RequestID>{rid}</sr:RequestID>"))
            })
            .map(|d| d.body)
            .collect()
    }

    /// Waits until the WAN and outbox streams hold nothing (every notice acted on and
    /// acknowledged), no WAN job is open and every outbox item is delivered.
    async fn drained(&self) {
        let (q, store, supplier) = (self.queue.clone(), self.store.clone(), self.supplier);
        eventually(Duration::from_secs(60), "the queues drained", move || {
            let (q, store) = (q.clone(), store.clone());
            async move {
                let wan = q.pending(Lane::Wan).await.ok() == Some(0);
                let outbox = q.pending(Lane::Outbox).await.ok() == Some(0);
                let done = store
                    .read(|tx| {
                        Ok(tx.pending_wan_jobs()? == 0
                            && tx
                                .outbox_for(supplier, 1000)?
                                .iter()
                                .all(|o| o.delivered_at.is_some()))
                    })
                    .unwrap_or(false);
                wan && outbox && done
            }
        })
        .await;
    }

    async fn stop(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
    }
}

/// Waits up to `limit` for `check` to hold, looking every 50 ms.
async fn eventually<F, Fut>(limit: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let until = tokio::time::Instant::now() + limit;
    loop {
        if check().await {
            return;
        }
        assert!(
            tokio::time::Instant::now() < until,
            "{what}: not within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn connect(cfg: &QueueConfig) -> Queue {
    match Queue::connect(cfg.clone()).await {
        Ok(q) => q,
        Err(e) => panic!(
            "NATS with JetStream must answer at {} for these tests (test.sh starts it through \
             scripts/services.sh; OPENDCC_TEST_NATS sets another address): {e}",
            cfg.url
        ),
    }
}

/// Runs `body` with a DCC on a queue of its own prefix, then deletes the prefix's streams,
/// also when `body` failed or panicked.
async fn with_dcc<F, Fut>(cfg: QueueConfig, body: F) -> TestResult
where
    F: FnOnce(Dcc) -> Fut,
    Fut: Future<Output = TestResult> + Send + 'static,
{
    let queue = connect(&cfg).await;
    let dcc = Dcc::start(queue.clone()).await;
    let outcome = tokio::spawn(body(dcc)).await;
    let cleaned = queue.delete_layout().await;
    match outcome {
        Ok(result) => {
            result?;
            cleaned?;
            Ok(())
        }
        Err(e) => match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => Err(e.into()),
        },
    }
}

fn code(doc: &str) -> &str {
    let start = doc
        .find("<sr:ResponseCode>")
        .map(|i| i + "<sr:ResponseCode>".len())
        .unwrap_or(0);
    let len = doc[start..].find('<').unwrap_or(0);
    &doc[start..start + len]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_read_goes_through_nats_to_the_users_receive_response_service() -> TestResult {
    with_dcc(config("read", nats_url()), |mut dcc| async move {
        dcc.start_wan("wan-1");
        dcc.start_delivery();
        let (rid, status, body) = dcc.read_firmware().await;
        assert_eq!((status, code(&body)), (200, "I99"), "{body}");
        let sink = &dcc.sink;
        eventually(
            Duration::from_secs(60),
            "the meter's answer delivered",
            || {
                let found = sink
                    .received()
                    .iter()
                    .any(|d| d.body.contains(&rid) && code(&d.body) == "I0");
                async move { found }
            },
        )
        .await;
        dcc.drained().await;
        let delivered = dcc.delivered(&rid);
        assert_eq!(delivered.len(), 1, "delivered once");
        assert!(delivered[0].contains("GBCSPayload"), "{}", delivered[0]);
        dcc.stop().await;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wan_worker_that_dies_before_acknowledging_leaves_its_notices_to_another() -> TestResult {
    with_dcc(config("failover", nats_url()), |mut dcc| async move {
        dcc.start_delivery();
        // Two reads of one meter: its commands must reach it in order, each once.
        let (first, s1, b1) = dcc.read_firmware().await;
        let (second, s2, b2) = dcc.read_firmware().await;
        assert_eq!((s1, code(&b1), s2, code(&b2)), (200, "I99", 200, "I99"));

        // A worker takes both notices, makes the first attempt (committed: the meter answered,
        // the response is in the outbox), and dies before acknowledging either.
        let mut doomed = PartitionedConsumer::wan(&dcc.queue, "doomed").await?;
        let mut taken = Vec::new();
        let until = tokio::time::Instant::now() + Duration::from_secs(30);
        while taken.len() < 2 {
            assert!(tokio::time::Instant::now() < until, "the two notices");
            taken.extend(doomed.take(2, Duration::from_millis(500)).await?);
        }
        taken.sort_by_key(|t| t.notice().job);
        let n = taken[0].notice().clone();
        let d = dcc.driver.clone();
        let made = tokio::task::spawn_blocking(move || {
            d.attempt_noticed(n.job, n.attempt, SystemClock.now())
        })
        .await??;
        assert!(
            matches!(
                made,
                Noticed::Made {
                    attempt: dcc::dispatch::Attempt::Answered,
                    ..
                }
            ),
            "{made:?}"
        );
        drop(taken);
        drop(doomed);

        // Another worker: once the dead one's leases and acknowledgement times ran out, it is
        // handed both notices again; the first is found answered already, the second answered.
        // The response the dead worker committed was never announced: the sweeper announces it.
        dcc.start_wan("survivor");
        dcc.start_sweeper();
        dcc.drained().await;
        let (a, b) = (dcc.delivered(&first), dcc.delivered(&second));
        assert_eq!(
            (a.len(), b.len()),
            (1, 1),
            "each answered and delivered once"
        );
        assert_eq!(
            (code(&a[0]), code(&b[0])),
            ("I0", "I0"),
            "neither refused by the meter as a replay"
        );
        let responses = {
            let supplier = dcc.supplier;
            dcc.store
                .read(|tx| Ok(tx.outbox_for(supplier, 1000)?))?
                .into_iter()
                .filter(|o| o.kind == "response")
                .count()
        };
        assert_eq!(responses, 2, "one response per request in the outbox");
        dcc.stop().await;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_nats_down_the_gateway_refuses_device_requests_as_a_dcc_fault_and_commits_nothing()
-> TestResult {
    let mut server = OwnNats::start();
    let cfg = config("down", server.url());
    // The server takes a moment to listen.
    let mut queue = None;
    for _ in 0..100 {
        if let Ok(q) = Queue::connect(cfg.clone()).await {
            queue = Some(q);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let queue = queue.expect("the test's own nats-server answers");
    let mut dcc = Dcc::start(queue.clone()).await;

    // Accepted before the outage, while no WAN runner runs: its notice waits in JetStream.
    let (before_outage, status, body) = dcc.read_firmware().await;
    assert_eq!((status, code(&body)), (200, "I99"), "{body}");

    server.stop();
    let q = queue.clone();
    eventually(Duration::from_secs(30), "the client sees NATS down", || {
        let down = !q.is_connected();
        async move { down }
    })
    .await;
    let before = dcc.snapshot();
    let (_, status, body) = dcc.read_firmware().await;
    // The one mapping's DCC fault: 503, a plain-text reason, no DUIS response code.
    let fault = dcc::DccError::from(dcc::error::InternalError::QueueUnavailable(String::new()));
    assert_eq!(status, fault.outcome().http_status, "{body}");
    assert_eq!(status, 503);
    assert!(body.contains("work queue is unavailable"), "{body}");
    assert_eq!(dcc.snapshot(), before, "nothing committed");

    // Back up: requests are accepted again (the refused one consumed nothing).
    server.restart();
    eventually(Duration::from_secs(60), "the client reconnected", || {
        let up = q.is_connected();
        async move { up }
    })
    .await;
    let (after_outage, status, body) = dcc.read_firmware().await;
    assert_eq!((status, code(&body)), (200, "I99"), "{body}");
    assert_eq!(dcc.snapshot().1, before.1 + 1, "one WAN job queued");

    // None lost: both accepted requests are answered, each once.
    dcc.start_wan("wan-1");
    dcc.start_delivery();
    dcc.start_sweeper();
    dcc.drained().await;
    for rid in [&before_outage, &after_outage] {
        let d = dcc.delivered(rid);
        assert_eq!(d.len(), 1, "{rid} delivered once");
        assert_eq!(code(&d[0]), "I0");
    }
    dcc.stop().await;
    Ok(())
}

/// Connects once the test's own nats-server listens (it takes a moment to start).
async fn connect_own(cfg: &QueueConfig) -> Queue {
    for _ in 0..100 {
        if let Ok(q) = Queue::connect(cfg.clone()).await {
            return q;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    connect(cfg).await
}

/// How many notices of `lane`'s partitions are delivered and not settled.
async fn ack_pending(queue: &Queue, partitions: u32) -> usize {
    let mut n = 0;
    for p in 0..partitions {
        n += queue
            .consumer_state(Lane::Wan, Some(p))
            .await
            .map(|s| s.ack_pending)
            .unwrap_or(0);
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wan_worker_shut_down_gracefully_hands_its_notices_back_at_once() -> TestResult {
    let server = OwnNats::start();
    // JetStream's acknowledgement wait as in production: a notice left unsettled would come
    // back only after it.
    let cfg = QueueConfig {
        ack_wait: Duration::from_secs(30),
        ..config("handback", server.url())
    };
    let partitions = cfg.partitions;
    let queue = connect_own(&cfg).await;
    let mut dcc = Dcc::start(queue.clone()).await;
    dcc.start_delivery();

    // Worker "slow": a WAN whose transit time is 30 s, one command at a time. It takes the
    // first of two reads of one meter (waiting for its transit time) and has the second
    // prefetched.
    let slow = Arc::new(Driver::new(
        dcc.store.clone(),
        Arc::new(EmulatedWan::new(
            dcc.world.emulated_devices(&*dcc.store)?,
            wan::WanConfig {
                latency_ms: [30_000; 3],
            },
        )),
        Dispatcher::new(
            Arc::new(dcc.world.xml_signer()?),
            world::DCC_EUI,
            DispatchConfig::default(),
        ),
    ));
    let (stop_slow, slow_rx) = watch::channel(false);
    let slow_runner = tokio::spawn(server::nats::run_wan(
        slow,
        Arc::new(SystemClock),
        queue.clone(),
        "slow".to_string(),
        server::dispatch::RunnerConfig {
            concurrency: 1,
            ..server::dispatch::RunnerConfig::default()
        },
        slow_rx,
    ));
    let q = queue.clone();
    eventually(
        Duration::from_secs(20),
        "worker slow holding every partition",
        || {
            let q = q.clone();
            async move {
                q.leases(Lane::Wan)
                    .await
                    .is_ok_and(|l| l.len() == 4 && l.values().all(|w| w == "slow"))
            }
        },
    )
    .await;
    let (first, s1, b1) = dcc.read_firmware().await;
    let (second, s2, b2) = dcc.read_firmware().await;
    assert_eq!((s1, code(&b1), s2, code(&b2)), (200, "I99", 200, "I99"));
    eventually(
        Duration::from_secs(20),
        "worker slow holding both notices",
        || {
            let q = q.clone();
            async move { ack_pending(&q, partitions).await == 2 }
        },
    )
    .await;

    // A graceful shutdown: it does not wait for its transit time, and hands both back.
    let stopped = tokio::time::Instant::now();
    let _ = stop_slow.send(true);
    slow_runner.await?;
    assert!(
        stopped.elapsed() < Duration::from_secs(5),
        "the shutdown waited {:?}",
        stopped.elapsed()
    );

    // Another worker answers both, each once, far sooner than the acknowledgement wait.
    dcc.start_wan("quick");
    let sink = &dcc.sink;
    let (f, s) = (&first, &second);
    eventually(
        Duration::from_secs(10),
        "both reads answered after the hand-back",
        || {
            let received = sink.received();
            let done = [f, s].iter().all(|rid| {
                received
                    .iter()
                    .any(|d| d.body.contains(rid.as_str()) && code(&d.body) == "I0")
            });
            async move { done }
        },
    )
    .await;
    assert!(stopped.elapsed() < Duration::from_secs(15));
    dcc.drained().await;
    for rid in [&first, &second] {
        assert_eq!(dcc.delivered(rid).len(), 1, "{rid} delivered once");
    }
    dcc.stop().await;
    queue.delete_layout().await?;
    Ok(())
}

/// Sets supplier-a's Receive Response Service URL.
fn set_response_url(dcc: &Dcc, url: &str) {
    let url = url.to_string();
    dcc.store
        .transaction(|tx| {
            let mut u = tx
                .user_by_name(SUPPLIER)?
                .expect("supplier-a is a demo user");
            u.response_url = Some(url.clone());
            tx.put_user(&u)?;
            Ok(())
        })
        .expect("setting the Receive Response Service URL");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_worker_shut_down_mid_post_hands_its_notice_back_at_once() -> TestResult {
    let server = OwnNats::start();
    let cfg = QueueConfig {
        ack_wait: Duration::from_secs(30),
        ..config("posting", server.url())
    };
    let queue = connect_own(&cfg).await;
    let mut dcc = Dcc::start(queue.clone()).await;
    // A Receive Response Service that accepts connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let silent_url = format!("http://{}/rrs", silent.local_addr()?);
    let accepted = Arc::new(AtomicU64::new(0));
    let counted = accepted.clone();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((conn, _)) = silent.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            held.push(conn);
        }
    });
    set_response_url(&dcc, &silent_url);

    // Worker "stuck": its POST waits for an answer that does not come (its time-out: a minute).
    let (stop_stuck, stuck_rx) = watch::channel(false);
    let stuck = tokio::spawn(server::nats::run_delivery(
        dcc.store.clone(),
        Arc::new(SystemClock),
        http_client(),
        server::delivery::DeliveryPolicy {
            request_timeout: Duration::from_secs(60),
            ..server::delivery::DeliveryPolicy::default()
        },
        queue.clone(),
        stuck_rx,
    ));
    dcc.start_wan("wan-1");
    let (rid, status, body) = dcc.read_firmware().await;
    assert_eq!((status, code(&body)), (200, "I99"), "{body}");
    let a = accepted.clone();
    eventually(Duration::from_secs(30), "the stuck POST under way", || {
        let n = a.load(Ordering::SeqCst);
        async move { n > 0 }
    })
    .await;

    // A graceful shutdown: the POST is abandoned after its grace and the notice handed back.
    let stopped = tokio::time::Instant::now();
    let _ = stop_stuck.send(true);
    stuck.await?;
    assert!(
        stopped.elapsed() < Duration::from_secs(6),
        "the shutdown waited {:?}",
        stopped.elapsed()
    );

    // Another worker delivers it, once, far sooner than the acknowledgement wait.
    set_response_url(&dcc, dcc.sink.url());
    dcc.start_delivery();
    let sink = &dcc.sink;
    let r = &rid;
    eventually(Duration::from_secs(10), "the answer delivered", || {
        let found = sink
            .received()
            .iter()
            .any(|d| d.body.contains(r.as_str()) && code(&d.body) == "I0");
        async move { found }
    })
    .await;
    assert!(stopped.elapsed() < Duration::from_secs(16));
    dcc.drained().await;
    assert_eq!(dcc.delivered(&rid).len(), 1, "delivered once here");
    holder.abort();
    dcc.stop().await;
    queue.delete_layout().await?;
    Ok(())
}
