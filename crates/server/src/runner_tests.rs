//! The runners wake on signals and due times, not on a short poll: with tokio's clock paused,
//! a queued WAN command is dispatched and an outbox document offered without the clock moving
//! at all when their wake-up is signalled; a retry is made exactly when it falls due; and the
//! safety tick still finds work no one signalled. (A blocking task holds the paused clock
//! still while it runs, so the store's transactions take no virtual time.) Real sockets would
//! let the paused clock jump while they wait, so the test that delivers over HTTP runs on the
//! real clock, with a safety tick of an hour: only the signal can make it pass.

use std::sync::Arc;
use std::time::Duration;

use dcc::DccError;
use dcc::dispatch::{DeviceNetwork, DispatchConfig, Dispatcher, Driver, HubReport, Transmission};
use dcc::gateway::{Clock, ResponseSigner, unix_ms};
use dcc::model::User;
use dcc::store::{JobKind, OutboxItem, Store, WanJob};
use eui::Eui64;
use store::SqliteStore;
use time::OffsetDateTime;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::delivery::{self, DeliveryPolicy};
use crate::dispatch::{self, RunnerConfig};
use crate::wake::{Wake, Wakeups};

const SUPPLIER: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0x00, 0x00]);
const DCC: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x00, 0x00, 0x02]);
const ESME: Eui64 = Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA0]);
const CHF: Eui64 = Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA2]);
const HOUR: Duration = Duration::from_secs(3600);

/// Unix time that follows tokio's clock (paused in these tests).
struct TokioClock {
    start: Instant,
    at_start: OffsetDateTime,
}

impl TokioClock {
    fn new() -> Self {
        Self {
            start: Instant::now(),
            at_start: OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> OffsetDateTime {
        self.at_start + (Instant::now() - self.start)
    }
}

struct Unsigned;

impl ResponseSigner for Unsigned {
    fn sign(&self, unsigned: &str) -> Result<String, DccError> {
        Ok(unsigned.to_string())
    }
}

/// A WAN that never reaches a hub, with no transit time: each attempt is a retry until the
/// job's deadline, then given up (E20) with a response to the user.
struct NoHubs;

impl DeviceNetwork<SqliteStore> for NoHubs {
    fn transit_time(
        &self,
        _: &mut <SqliteStore as Store>::Tx<'_>,
        _: &WanJob,
    ) -> Result<Duration, DccError> {
        Ok(Duration::ZERO)
    }

    fn transmit(
        &self,
        _: &mut <SqliteStore as Store>::Tx<'_>,
        _: &WanJob,
        _: OffsetDateTime,
    ) -> Result<Transmission, DccError> {
        Ok(Transmission::Unreachable)
    }

    fn hub_reports(
        &self,
        _: &mut <SqliteStore as Store>::Tx<'_>,
        _: OffsetDateTime,
    ) -> Result<Vec<HubReport>, DccError> {
        Ok(Vec::new())
    }
}

struct Dcc {
    store: Arc<SqliteStore>,
    clock: Arc<TokioClock>,
    wakeups: Wakeups,
    _stop: watch::Sender<bool>,
}

impl Dcc {
    /// The dispatcher's runner with `safety_tick`, retrying every 500 ms.
    fn dispatching(safety_tick: Duration) -> Self {
        let store = Arc::new(SqliteStore::in_memory().unwrap());
        let clock = Arc::new(TokioClock::new());
        let wakeups = Wakeups::new();
        let (stop, rx) = watch::channel(false);
        let driver = Arc::new(Driver::new(
            store.clone(),
            Arc::new(NoHubs),
            Dispatcher::new(
                Arc::new(Unsigned),
                DCC,
                DispatchConfig {
                    retry_interval: Duration::from_millis(500),
                    ..DispatchConfig::default()
                },
            ),
        ));
        tokio::spawn(dispatch::run(
            driver,
            clock.clone(),
            RunnerConfig {
                safety_tick,
                concurrency: 8,
            },
            wakeups.clone(),
            rx,
        ));
        Self {
            store,
            clock,
            wakeups,
            _stop: stop,
        }
    }

    /// The delivery worker with `safety_tick`, backing off 100 ms after a first failure.
    fn delivering(safety_tick: Duration) -> Self {
        let store = Arc::new(SqliteStore::in_memory().unwrap());
        let clock = Arc::new(TokioClock::new());
        let wakeups = Wakeups::new();
        let (stop, rx) = watch::channel(false);
        tokio::spawn(delivery::run(
            store.clone(),
            clock.clone(),
            http_client(),
            DeliveryPolicy {
                base_backoff: Duration::from_millis(100),
                max_backoff: HOUR,
                safety_tick,
                ..DeliveryPolicy::default()
            },
            wakeups.outbox.clone(),
            rx,
        ));
        Self {
            store,
            clock,
            wakeups,
            _stop: stop,
        }
    }

    fn now_ms(&self) -> i64 {
        unix_ms(self.clock.now())
    }

    /// Queues a command, due now, given up `deadline_ms` from now.
    fn queue(&self, deadline_ms: i64) {
        let now = self.now_ms();
        let job = WanJob {
            id: 0,
            originator: SUPPLIER,
            counter: 42,
            target: ESME,
            chf: CHF,
            kind: JobKind::Service(duis::Srv::V11_2),
            command: vec![0xDD, 0x00],
            attempts: 0,
            due_at: now,
            deadline_at: now + deadline_ms,
        };
        self.store
            .transaction(|tx| Ok(tx.enqueue_wan(&job)?))
            .unwrap();
    }

    fn pending(&self) -> usize {
        self.store
            .transaction(|tx| Ok(tx.pending_wan_jobs()?))
            .unwrap()
    }

    fn user(&self, eui: Eui64, response_url: Option<String>) {
        let user = User {
            eui,
            name: format!("user {eui}"),
            roles: Vec::new(),
            response_url,
            suspended: false,
        };
        self.store
            .transaction(|tx| Ok(tx.put_user(&user)?))
            .unwrap();
    }

    /// Puts a document for `recipient` in the outbox, due now; returns its id.
    fn push(&self, recipient: Eui64, document: &str) -> i64 {
        let now = self.now_ms();
        let item = OutboxItem {
            id: 0,
            recipient,
            kind: "response".into(),
            reference: "r".into(),
            document: document.into(),
            created_at: now,
            attempts: 0,
            next_at: now,
            delivered_at: None,
            last_error: None,
        };
        self.store
            .transaction(|tx| Ok(tx.push_outbox(&item)?))
            .unwrap()
    }

    fn item(&self, id: i64) -> OutboxItem {
        item(&self.store, id)
    }

    /// Waits until `done` holds, on a blocking thread: tokio's paused clock stays still
    /// meanwhile, so only work the runner does at this instant can make it hold. Fails after
    /// 30 s of real time (a hang guard, not a measure).
    async fn until(&self, what: &str, done: impl Fn(&SqliteStore) -> bool + Send + 'static) {
        let s = self.store.clone();
        let ok = tokio::task::spawn_blocking(move || {
            let end = std::time::Instant::now() + Duration::from_secs(30);
            while std::time::Instant::now() < end {
                if done(&s) {
                    return true;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            done(&s)
        })
        .await
        .unwrap();
        assert!(ok, "{what}");
    }

    /// Lets the runner start and go to sleep: its first look found nothing, and it next looks
    /// at its safety tick (an hour away), so any later look is a wake-up's.
    async fn settle() {
        tokio::time::sleep(Duration::from_secs(10)).await;
    }
}

/// A plain HTTP client (its TLS configuration names the crypto provider, as the DCC's does).
fn http_client() -> reqwest::Client {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .build()
        .unwrap()
}

fn item(store: &SqliteStore, id: i64) -> OutboxItem {
    store
        .transaction(|tx| Ok(tx.outbox_item(id)?))
        .unwrap()
        .unwrap()
}

/// Waits for `wake`, failing if it takes 1 ms of (paused) time.
async fn within_1ms(wake: &Wake, what: &str) {
    tokio::time::timeout(Duration::from_millis(1), wake.wait())
        .await
        .unwrap_or_else(|_| panic!("{what} did not happen without time passing"));
}

#[tokio::test(start_paused = true)]
async fn a_signalled_command_is_dispatched_without_waiting_for_a_tick() {
    let dcc = Dcc::dispatching(HOUR);
    Dcc::settle().await;
    // Given up at its first attempt (its deadline is now): the user's E20 is in the outbox.
    dcc.queue(0);
    let start = Instant::now();
    dcc.wakeups.wan.signal();
    within_1ms(&dcc.wakeups.outbox, "the dispatch").await;
    assert_eq!(Instant::now(), start, "the clock did not move");
    assert_eq!(dcc.pending(), 0);
    let out = dcc
        .store
        .transaction(|tx| Ok(tx.outbox_for(SUPPLIER, 10)?))
        .unwrap();
    assert_eq!(out.len(), 1);
    assert!(
        out[0].document.contains("<sr:ResponseCode>E20<"),
        "{}",
        out[0].document
    );
}

#[tokio::test(start_paused = true)]
async fn a_retry_is_made_when_it_falls_due() {
    let dcc = Dcc::dispatching(HOUR);
    Dcc::settle().await;
    // Attempts at 0 and 500 ms are retries; the one at the deadline, 700 ms, gives up.
    dcc.queue(700);
    let start = Instant::now();
    dcc.wakeups.wan.signal();
    tokio::time::timeout(Duration::from_secs(5), dcc.wakeups.outbox.wait())
        .await
        .expect("given up at the deadline");
    let took = Instant::now() - start;
    assert!(
        took >= Duration::from_millis(700) && took < Duration::from_millis(750),
        "{took:?}"
    );
    assert_eq!(dcc.pending(), 0);
}

#[tokio::test(start_paused = true)]
async fn the_safety_tick_finds_a_command_no_one_signalled() {
    let tick = Duration::from_millis(250);
    let dcc = Dcc::dispatching(tick);
    Dcc::settle().await;
    dcc.queue(0);
    let start = Instant::now();
    tokio::time::timeout(Duration::from_secs(5), dcc.wakeups.outbox.wait())
        .await
        .expect("found on the safety tick");
    assert!(Instant::now() - start <= tick);
    assert_eq!(dcc.pending(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_signalled_document_is_offered_without_waiting_for_a_tick_and_retried_when_due() {
    let dcc = Dcc::delivering(HOUR);
    Dcc::settle().await;
    // The user has no Receive Response Service: each offer fails, with no I/O, and is
    // recorded; the next is due after the backoff (100 ms).
    dcc.user(SUPPLIER, None);
    let id = dcc.push(SUPPLIER, "<doc/>");
    let start = Instant::now();
    dcc.wakeups.outbox.signal();
    dcc.until("offered on the signal", move |s| item(s, id).attempts >= 1)
        .await;
    assert_eq!(Instant::now(), start, "the clock did not move");
    tokio::time::sleep(Duration::from_millis(100)).await;
    dcc.until("offered again after the backoff", move |s| {
        item(s, id).attempts >= 2
    })
    .await;
    assert_eq!(Instant::now() - start, Duration::from_millis(100));
    assert!(dcc.item(id).last_error.is_some());
}

#[tokio::test(start_paused = true)]
async fn the_safety_tick_finds_a_document_no_one_signalled() {
    let tick = Duration::from_millis(250);
    let dcc = Dcc::delivering(tick);
    Dcc::settle().await;
    dcc.user(SUPPLIER, None);
    let id = dcc.push(SUPPLIER, "<doc/>");
    let start = Instant::now();
    tokio::time::timeout(Duration::from_secs(5), async {
        while dcc.item(id).attempts < 1 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("offered on the safety tick");
    assert!(Instant::now() - start <= tick + Duration::from_millis(10));
}

/// A Receive Response Service on a real socket: each document POSTed to it is sent on `tx`.
async fn receive_response_service(tx: tokio::sync::mpsc::UnboundedSender<String>) -> String {
    use http_body_util::BodyExt as _;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let tx = tx.clone();
                        async move {
                            let body = req.into_body().collect().await?.to_bytes();
                            let _ = tx.send(String::from_utf8_lossy(&body).into_owned());
                            Ok::<_, hyper::Error>(hyper::Response::new(http_body_util::Full::new(
                                bytes::Bytes::new(),
                            )))
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tcp), svc)
                    .await;
            });
        }
    });
    format!("http://{addr}/")
}

#[tokio::test]
async fn a_signalled_document_is_delivered_over_http_without_waiting_for_a_tick() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let url = receive_response_service(tx).await;
    let dcc = Dcc::delivering(HOUR);
    dcc.user(SUPPLIER, Some(url));
    let recorded = |id: i64| {
        let store = dcc.store.clone();
        async move {
            tokio::time::timeout(Duration::from_secs(30), async {
                while item(&store, id).delivered_at.is_none() {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            })
            .await
            .expect("the delivery recorded");
        }
    };
    // The worker's first look delivers a first document (queued before the test first awaits,
    // so before the worker, spawned on this one thread, first runs). Once that is recorded the worker
    // sleeps until a signal or its tick (an hour): a delivery that succeeded changes nothing
    // it waits for.
    let first = dcc.push(SUPPLIER, "<first/>");
    let got = tokio::time::timeout(Duration::from_secs(30), rx.recv()).await;
    assert_eq!(got.expect("the first look").as_deref(), Some("<first/>"));
    recorded(first).await;
    let id = dcc.push(SUPPLIER, "<doc/>");
    dcc.wakeups.outbox.signal();
    let got = tokio::time::timeout(Duration::from_secs(30), rx.recv())
        .await
        .expect("delivered on the signal, not the hour's tick");
    assert_eq!(got.as_deref(), Some("<doc/>"));
    recorded(id).await;
}
