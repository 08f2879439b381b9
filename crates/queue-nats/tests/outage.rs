//! NATS down mid-run: a nats-server of the test's own (on a free loopback port, its JetStream in
//! a temporary directory) is stopped and started again. While it is down every call fails with
//! `QueueError::Unavailable` (never a panic, and at once for a publish); once it is back the
//! client has reconnected on its own and nothing published before the outage is lost.
//!
//! Needs the `nats-server` binary (Debian's package; `scripts/services.sh` installs it), or its
//! path in `OPENDCC_NATS_SERVER`.

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{TestResult, eventually, hub, wan};
use queue_nats::{Lane, Queue, QueueConfig, QueueError};

/// A nats-server with JetStream, killed when dropped.
struct OwnServer {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
    jetstream: bool,
}

impl OwnServer {
    fn start() -> Self {
        Self::start_with(true)
    }

    /// With JetStream (`-js`) or without.
    fn start_with(jetstream: bool) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free loopback port: {e}"));
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        let mut s = Self {
            child: None,
            port,
            dir,
            jetstream,
        };
        s.restart();
        s
    }

    fn restart(&mut self) {
        let bin = std::env::var("OPENDCC_NATS_SERVER").unwrap_or_else(|_| "nats-server".into());
        let mut command = Command::new(&bin);
        if self.jetstream {
            command.arg("-js");
        }
        let port = self.port.to_string();
        let child = command
            .args(["-a", "127.0.0.1", "-p", &port, "-sd"])
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "this test runs a nats-server of its own and cannot start {bin:?}: {e} \
                     (install Debian's nats-server, as scripts/services.sh does, or set \
                     OPENDCC_NATS_SERVER)"
                )
            });
        self.child = Some(child);
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        self.stop();
    }
}

const PATIENCE: Duration = Duration::from_secs(30);

/// Connects once the test's own server listens (it takes a moment to start).
async fn connect_when_listening(config: &QueueConfig) -> Result<Queue, QueueError> {
    let start = tokio::time::Instant::now();
    loop {
        match Queue::connect(config.clone()).await {
            Err(e) if e.is_unavailable() && start.elapsed() < PATIENCE => {
                // Refused until the server listens.
                if tcp_answers(config).await {
                    return Err(e);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            other => return other,
        }
    }
}

async fn tcp_answers(config: &QueueConfig) -> bool {
    let addr = config.url.trim_start_matches("nats://");
    tokio::net::TcpStream::connect(addr).await.is_ok()
}

#[tokio::test]
async fn while_nats_is_down_calls_fail_as_unavailable_and_nothing_published_is_lost() -> TestResult
{
    let mut server = OwnServer::start();
    let config = QueueConfig {
        url: server.url(),
        prefix: common::unique_prefix("outage"),
        partitions: 2,
        ..QueueConfig::default()
    };
    let q = connect_when_listening(&config).await?;

    let before = wan(1, hub(1));
    let p = q.partition_of(before.chf);
    q.publish_wan(&before).await?;
    let mut c = q.wan_partition(p).await?;

    server.stop();
    eventually(PATIENCE, "the client seeing the connection drop", || {
        let down = q.check_available().is_err();
        async move { down }
    })
    .await;
    let during = wan(2, hub(1));
    let e = q
        .publish_wan(&during)
        .await
        .err()
        .ok_or("published while NATS was down")?;
    assert!(e.is_unavailable(), "{e:?}");
    let e = q
        .wan_partition(p)
        .await
        .err()
        .ok_or("a consumer while NATS was down")?;
    assert!(e.is_unavailable(), "{e:?}");
    let e = c
        .take(1, Duration::from_secs(2))
        .await
        .err()
        .ok_or("took while NATS was down")?;
    assert!(e.is_unavailable(), "{e:?}");

    server.restart();
    eventually(PATIENCE, "the client reconnecting on its own", || {
        let up = q.is_connected();
        async move { up }
    })
    .await;
    // The producer (or the sweeper) publishes what it could not.
    q.publish_wan(&during).await?;
    let mut got = Vec::new();
    let start = tokio::time::Instant::now();
    while got.len() < 2 && start.elapsed() < PATIENCE {
        // The consumer's subscription was dropped by the failed take and opens again here.
        match c.take(10, Duration::from_secs(1)).await {
            Ok(taken) => {
                for t in taken {
                    got.push(t.notice().job);
                    t.ack().await?;
                }
            }
            Err(e) if e.is_unavailable() => {}
            Err(e) => return Err(e.into()),
        }
    }
    got.sort_unstable();
    assert_eq!(got, [1, 2], "nothing lost");
    assert_eq!(q.pending(Lane::Wan).await?, 0);
    q.delete_layout().await?;
    Ok(())
}

#[tokio::test]
async fn a_server_without_jetstream_is_refused_as_unavailable_and_says_why() {
    let server = OwnServer::start_with(false);
    let config = QueueConfig {
        url: server.url(),
        prefix: common::unique_prefix("nojs"),
        ..QueueConfig::default()
    };
    match connect_when_listening(&config).await {
        Ok(_) => panic!("connected to a server without JetStream"),
        Err(e) => {
            assert!(e.is_unavailable(), "{e:?}");
            assert!(e.to_string().contains("JetStream"), "{e}");
        }
    }
}
