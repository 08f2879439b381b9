//! Processes the end-to-end tests run: `opendcc serve --config FILE` ([`Served`]), killed with
//! SIGKILL ([`kill9`]), and a nats-server with JetStream of a test's own ([`OwnNats`]), to stop
//! and start again without disturbing other tests.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::BIN;

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

/// How long a process may take to make or open its world and start its roles.
pub const START: Duration = Duration::from_secs(120);
pub const STOP: Duration = Duration::from_secs(30);

/// A running `opendcc serve --config FILE`; killed on drop (its log printed if the test fails).
pub struct Served {
    pub child: Option<Child>,
    pub log: PathBuf,
}

impl Served {
    /// Writes `config` to `root/NAME.toml` and starts `serve` with it.
    pub fn start(root: &Path, name: &str, config: &str) -> Served {
        Served::start_with(root, name, config, &[])
    }

    /// As [`Served::start`], with more arguments to `serve` (its tuning flags).
    pub fn start_with(root: &Path, name: &str, config: &str, args: &[&str]) -> Served {
        let file = root.join(format!("{name}.toml"));
        std::fs::write(&file, config).expect("writing the configuration");
        let log = root.join(format!("{name}.log"));
        let log_file = std::fs::File::create(&log).expect("creating the log");
        let child = Command::new(BIN)
            .args(["serve", "--config"])
            .arg(&file)
            .args(args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("cloning the log handle"))
            .stderr(log_file)
            .spawn()
            .expect("starting opendcc serve");
        Served {
            child: Some(child),
            log,
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Waits (bounded) until `ready` holds, failing if the process exits first.
    pub fn wait_until(&mut self, what: &str, ready: impl Fn(&Served) -> bool) {
        let deadline = Instant::now() + START;
        loop {
            if ready(self) {
                return;
            }
            let child = self.child.as_mut().expect("running");
            if let Some(status) = child.try_wait().expect("waiting for serve") {
                panic!(
                    "opendcc serve exited ({status}) before {what}:\n{}",
                    self.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "no {what} within {START:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// SIGTERM, and the exit status (bounded).
    pub fn stop(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        let pid = rustix::process::Pid::from_raw(
            i32::try_from(child.id()).expect("process ids fit in i32"),
        )
        .expect("a child's pid is positive");
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("sending SIGTERM");
        let deadline = Instant::now() + STOP;
        loop {
            if let Some(status) = child.try_wait().expect("waiting for serve") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "serve did not exit within {STOP:?} of SIGTERM:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            eprintln!("{}:\n{}", self.log.display(), self.log());
        }
    }
}

/// SIGKILL: the process ends at once, holding whatever it held (its leases run out, its
/// unacknowledged notices come back to another worker).
pub fn kill9(served: &mut Served) {
    let mut child = served.child.take().expect("running");
    child.kill().expect("SIGKILL");
    child.wait().expect("reaping the killed process");
}

/// A nats-server with JetStream of the test's own, killed when dropped.
pub struct OwnNats {
    child: Option<Child>,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl OwnNats {
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        let mut s = Self {
            child: None,
            port,
            dir: tempfile::tempdir().expect("a temporary directory"),
        };
        s.restart();
        s
    }

    pub fn restart(&mut self) {
        let bin = std::env::var("OPENDCC_NATS_SERVER").unwrap_or_else(|_| "nats-server".into());
        let child = Command::new(&bin)
            .args([
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-sd",
            ])
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

impl Drop for OwnNats {
    fn drop(&mut self) {
        self.stop();
    }
}
