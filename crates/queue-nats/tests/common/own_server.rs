//! A nats-server of the test's own (on a free loopback port, its JetStream in a temporary
//! directory), for tests that stop it or that must not share the machine's server.
//!
//! Needs the `nats-server` binary (Debian's package; `scripts/services.sh` installs it), or its
//! path in `OPENDCC_NATS_SERVER`.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use queue_nats::{Queue, QueueConfig, QueueError};

/// A nats-server with JetStream, killed when dropped.
pub struct OwnServer {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
    jetstream: bool,
}

impl OwnServer {
    pub fn start() -> Self {
        Self::start_with(true)
    }

    /// With JetStream (`-js`) or without.
    pub fn start_with(jetstream: bool) -> Self {
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

    pub fn restart(&mut self) {
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

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        self.stop();
    }
}

pub const PATIENCE: Duration = Duration::from_secs(30);

/// Connects once the test's own server listens (it takes a moment to start).
pub async fn connect_when_listening(config: &QueueConfig) -> Result<Queue, QueueError> {
    let start = tokio::time::Instant::now();
    loop {
        match Queue::connect(config.clone()).await {
            Err(e) if e.is_unavailable() && start.elapsed() < PATIENCE => {
                // Refused until the server listens. If it listens now, it may have started
                // between the attempt and this look: its answer to one more attempt is the
                // answer (a server without JetStream stays unavailable).
                if tcp_answers(config).await {
                    return Queue::connect(config.clone()).await;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            other => return other,
        }
    }
}

pub async fn tcp_answers(config: &QueueConfig) -> bool {
    let addr = config.url.trim_start_matches("nats://");
    tokio::net::TcpStream::connect(addr).await.is_ok()
}
