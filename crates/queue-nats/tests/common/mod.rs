//! Shared set-up of the JetStream tests: the server's address, a prefix of each test's own, and
//! clean-up of its streams whatever the test did.

#![allow(dead_code)]

pub mod own_server;

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use eui::Eui64;
use queue_nats::{Queue, QueueConfig, WanNotice};

pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// The NATS server the tests use: `OPENDCC_TEST_NATS`, else 127.0.0.1:4222 (test.sh makes sure
/// it answers, with JetStream).
pub fn nats_url() -> String {
    std::env::var("OPENDCC_TEST_NATS").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

/// A prefix no other test (of this run or another) uses.
pub fn unique_prefix(name: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "t{}_{}_{}_{}",
        std::process::id(),
        nanos,
        N.fetch_add(1, Ordering::Relaxed),
        name
    )
}

/// A test's configuration: its own prefix, short lease and ack times so that failover happens
/// within a test's patience.
pub fn config(name: &str) -> QueueConfig {
    QueueConfig {
        url: nats_url(),
        prefix: unique_prefix(name),
        partitions: 4,
        ack_wait: Duration::from_secs(30),
        lease_ttl: Duration::from_secs(2),
        ..QueueConfig::default()
    }
}

/// Connects, or fails the test saying what is missing.
pub async fn connect(config: &QueueConfig) -> Queue {
    match Queue::connect(config.clone()).await {
        Ok(q) => q,
        Err(e) => panic!(
            "NATS with JetStream must answer at {} for these tests (test.sh starts it through \
             scripts/services.sh; OPENDCC_TEST_NATS sets another address): {e}",
            config.url
        ),
    }
}

/// Runs `body` with a queue on its own prefix, then deletes the prefix's streams and buckets,
/// also when `body` failed or panicked.
pub async fn with_queue<F, Fut>(config: QueueConfig, body: F) -> TestResult
where
    F: FnOnce(Queue, QueueConfig) -> Fut,
    Fut: Future<Output = TestResult> + Send + 'static,
{
    let queue = connect(&config).await;
    let outcome = tokio::spawn(body(queue.clone(), config)).await;
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

pub fn hub(n: u64) -> Eui64 {
    Eui64::from_u64(0x00db_0000_0000_0000 + n)
}

pub fn wan(job: i64, chf: Eui64) -> WanNotice {
    WanNotice {
        job,
        attempt: 0,
        chf,
        target: Eui64::from_u64(chf.to_u64() + 1),
        due_at: 0,
    }
}

/// Waits up to `limit` for `check` to hold, looking every 50 ms: for what must happen.
pub async fn eventually<F, Fut>(limit: Duration, what: &str, mut check: F)
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
