//! Processes the end-to-end tests run: `opendcc serve --config FILE` ([`Served`]), killed with
//! SIGKILL ([`kill9`]), and a nats-server with JetStream ([`OwnNats`]) and a PostgreSQL cluster
//! ([`OwnPostgres`]) of a test's own, to stop and start again without disturbing other tests.

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

/// A PostgreSQL cluster of the test's own: `initdb` into a temporary directory, `postgres` on a
/// free loopback port with trust authentication (superuser `postgres`), stopped, started again
/// or killed on demand, and removed when dropped. A test that restarts it disturbs no other test
/// (the machine's PostgreSQL is left alone).
///
/// The binaries are `initdb` and `postgres` from `OPENDCC_PG_BIN` (a directory), else `PATH`,
/// else the newest `/usr/lib/postgresql/VERSION/bin`. PostgreSQL refuses to run as root: run as
/// root (CI), the cluster is the `postgres` system user's (its directory handed over with
/// `chown`, its processes started with that user's uid and gid).
pub struct OwnPostgres {
    postmaster: Option<Child>,
    pub port: u16,
    bin: PathBuf,
    /// The `postgres` user's uid and gid when run as root.
    owner: Option<(u32, u32)>,
    dir: tempfile::TempDir,
}

impl OwnPostgres {
    /// A new cluster, started (it accepts connections when this returns).
    pub fn start() -> Self {
        let bin = pg_bin_dir();
        let owner = if rustix::process::getuid().is_root() {
            Some(system_user("postgres"))
        } else {
            None
        };
        let dir = tempfile::Builder::new()
            .prefix("opendcc-pg-")
            .tempdir()
            .expect("a temporary directory");
        if owner.is_some() {
            let status = Command::new("chown")
                .arg("postgres:postgres")
                .arg(dir.path())
                .status()
                .expect("running chown");
            assert!(
                status.success(),
                "chown postgres {}: {status}",
                dir.path().display()
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        let mut pg = Self {
            postmaster: None,
            port,
            bin,
            owner,
            dir,
        };
        let out = pg
            .command("initdb")
            .arg("-D")
            .arg(pg.data())
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .output()
            .expect("running initdb");
        assert!(
            out.status.success(),
            "initdb {}: {}\n{}{}",
            pg.data().display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        pg.restart();
        pg
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("postgres.log")
    }

    /// The server's log so far (every start appends to it).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// A command running the cluster's binary `name`, as the `postgres` user when run as root.
    fn command(&self, name: &str) -> Command {
        use std::os::unix::process::CommandExt;
        let mut c = Command::new(self.bin.join(name));
        if let Some((uid, gid)) = self.owner {
            c.uid(uid).gid(gid);
        }
        c.stdin(Stdio::null());
        c
    }

    /// Starts the server (if it is not running) and waits until it accepts connections. After
    /// [`OwnPostgres::kill`] a start may find the killed server's backends still attached to its
    /// shared memory for a moment: it is tried again until they are gone.
    pub fn restart(&mut self) {
        if self.postmaster.is_some() {
            return;
        }
        let deadline = Instant::now() + START;
        loop {
            let log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.log_path())
                .expect("opening the server's log");
            let child = self
                .command("postgres")
                .arg("-D")
                .arg(self.data())
                .args(["-p", &self.port.to_string()])
                .args(["-c", "listen_addresses=127.0.0.1"])
                .arg("-c")
                .arg(format!(
                    "unix_socket_directories={}",
                    self.dir.path().display()
                ))
                // A test's cluster: a process restart keeps what was written (the kernel has
                // it), and nothing here survives a machine's crash anyway.
                .args(["-c", "fsync=off", "-c", "max_connections=200"])
                .stdout(log.try_clone().expect("cloning the log handle"))
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| {
                    panic!(
                        "starting {}: {e} (PostgreSQL's server binaries: install postgresql, or \
                         set OPENDCC_PG_BIN)",
                        self.bin.join("postgres").display()
                    )
                });
            self.postmaster = Some(child);
            loop {
                if self.accepts() {
                    return;
                }
                let exited = self
                    .postmaster
                    .as_mut()
                    .and_then(|c| c.try_wait().expect("waiting for postgres"));
                if let Some(status) = exited {
                    self.postmaster = None;
                    assert!(
                        Instant::now() < deadline,
                        "postgres exited ({status}) at start:\n{}",
                        self.log()
                    );
                    std::thread::sleep(Duration::from_millis(200));
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "postgres did not accept connections within {START:?}:\n{}",
                    self.log()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    /// Whether the server accepts a connection now.
    pub fn accepts(&self) -> bool {
        postgres::Client::connect(&self.url("postgres"), postgres::NoTls).is_ok()
    }

    /// A fast shutdown (SIGINT: sessions ended, a checkpoint written), waited for.
    pub fn stop(&mut self) {
        let Some(mut child) = self.postmaster.take() else {
            return;
        };
        let pid = rustix::process::Pid::from_raw(
            i32::try_from(child.id()).expect("process ids fit in i32"),
        )
        .expect("a child's pid is positive");
        rustix::process::kill_process(pid, rustix::process::Signal::INT)
            .expect("sending SIGINT to postgres");
        let deadline = Instant::now() + STOP;
        while child.try_wait().expect("waiting for postgres").is_none() {
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "postgres did not stop within {STOP:?} of SIGINT:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL to the postmaster: it ends at once (its backends end when they notice; a
    /// [`OwnPostgres::restart`] recovers from the write-ahead log).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.postmaster.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The URL of database `db` as the superuser.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// Creates database `db` and returns its URL.
    pub fn create_database(&self, db: &str) -> String {
        let mut c = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .expect("connecting to the test's PostgreSQL");
        c.batch_execute(&format!("CREATE DATABASE {db}"))
            .expect("creating a database");
        self.url(db)
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        // An immediate shutdown (SIGQUIT: the postmaster ends its backends, then itself), so
        // that nothing of the cluster outlives its directory; SIGKILL if that takes long.
        if let Some(mut child) = self.postmaster.take() {
            if let Some(pid) = i32::try_from(child.id())
                .ok()
                .and_then(rustix::process::Pid::from_raw)
            {
                let _ = rustix::process::kill_process(pid, rustix::process::Signal::QUIT);
            }
            let deadline = Instant::now() + Duration::from_secs(10);
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            eprintln!("{}:\n{}", self.log_path().display(), self.log());
        }
    }
}

/// The directory of PostgreSQL's server binaries: `OPENDCC_PG_BIN`, else that of `initdb` on
/// `PATH` (symbolic links followed, so that `postgres` is the same version's), else the newest
/// `/usr/lib/postgresql/VERSION/bin`.
fn pg_bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("OPENDCC_PG_BIN") {
        return PathBuf::from(dir);
    }
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("initdb"))
            .find(|f| f.is_file())
            .and_then(|f| std::fs::canonicalize(f).ok())
            .and_then(|f| f.parent().map(Path::to_path_buf))
            .filter(|d| d.join("postgres").is_file())
    });
    if let Some(dir) = on_path {
        return dir;
    }
    let newest = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .max_by_key(|(v, _)| *v);
    match newest {
        Some((_, bin)) => bin,
        None => panic!(
            "this test runs a PostgreSQL cluster of its own and finds no initdb (on PATH or in \
             /usr/lib/postgresql/*/bin): install postgresql, as scripts/services.sh does, or set \
             OPENDCC_PG_BIN"
        ),
    }
}

/// The uid and gid of system user `name` (`/etc/passwd`).
fn system_user(name: &str) -> (u32, u32) {
    let passwd = std::fs::read_to_string("/etc/passwd").expect("reading /etc/passwd");
    passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() > 3 && f[0] == name)
        .and_then(|f| Some((f[2].parse().ok()?, f[3].parse().ok()?)))
        .unwrap_or_else(|| {
            panic!(
                "run as root, this test runs PostgreSQL as the {name:?} system user (PostgreSQL \
                 refuses root), and /etc/passwd has none: install postgresql"
            )
        })
}
