//! `opendcc serve --config FILE`, and `opendcc demo` through it: the one code path that opens
//! a DCC's world and store and starts the roles a configuration lists (the demo is a serve of
//! every role on a `sqlite:` store).
//!
//! What each role starts:
//!
//! | role | runs |
//! |---|---|
//! | `gateway` | the DUIS listener (`listen`) with the SMKI service interface on the same port; writes the manifest once it listens |
//! | `wan` + `devices` | the WAN runner (`server::dispatch`): the core's dispatcher over the emulated SM WAN and its devices |
//! | `delivery` | the outbox worker (`server::delivery`) |
//! | `scheduler` | the DCC's schedules in real time (`server::schedules`) |
//! | `smki` | the SMKI worker (CRL/ARL, DCA roll-over), the issuance batch worker, the SMKI repository listener (`smki_listen`) |
//!
//! Roles in different processes find each other's work in the store: a worker is woken at once
//! by a signal from its own process, and by its safety tick (`server::wake::SAFETY_TICK`, 1 s)
//! for work another process made.
//!
//! With `queue = "nats://…"` the work passes through NATS JetStream instead (`server::nats`,
//! chosen in one place, [`run_roles`]): the process connects at start (a server that does not
//! answer is waited for, as PostgreSQL is: [`wait_for`]), the gateway refuses requests for the SM WAN as a DCC fault
//! while NATS is down and announces each command it queued, the `wan` role takes the notices of
//! the hub partitions it holds, `delivery` the outbox's notices, and every process runs a
//! sweeper that announces again whatever has been due a while (what the scheduler and the
//! operator's tools queue is announced so, within a few seconds).
//!
//! On a `sqlite:` store each role runs in at most one process at a time: a process holds an
//! exclusive lock on `DIR/locks/ROLE.lock` for each of its roles, and one that finds a role's
//! lock held refuses to start. SQLite itself makes two processes on one database safe (WAL,
//! `BEGIN IMMEDIATE` batches that wait for each other's write lock, snapshots for reads), but
//! two WAN runners would carry the same device's command at once and two delivery workers
//! would deliver the same document twice: running any number of a role is for a shared queue.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dcc::gateway::{Gateway, Limits, SystemClock};
use opendcc::backend::ServedStore;
use opendcc::config::{QueueConfig, Role, ServeConfig, StartError, StoreConfig};
use opendcc::world::{self, World};
use server::Transport;

use crate::{Tuning, smki_ops, smki_repo, zaz1};

/// `opendcc demo --data DIR …`: every role, on the SQLite store in `DIR`, the manifest at
/// `DIR/demo.json`.
pub fn demo_config(
    data: &Path,
    listen: std::net::SocketAddr,
    smki_listen: std::net::SocketAddr,
    publication_listen: Option<std::net::SocketAddr>,
    plain_http: bool,
    premises: Option<u64>,
    registrations: Vec<opendcc::registrations::RegistrationChange>,
) -> ServeConfig {
    ServeConfig {
        store: StoreConfig::Sqlite(data.to_path_buf()),
        queue: QueueConfig::Embedded,
        data: data.to_path_buf(),
        listen: Some(listen),
        smki_listen: Some(smki_listen),
        publication_listen,
        manifest: Some(data.join("demo.json")),
        roles: Role::ALL.into_iter().collect(),
        plain_http,
        premises,
        registrations,
        connect_timeout: opendcc::config::DEFAULT_CONNECT_TIMEOUT,
    }
}

/// Exclusive locks held for as long as the process runs (released when the files close).
struct Locks {
    _files: Vec<File>,
}

fn lock_path(dir: &Path, name: &str) -> PathBuf {
    dir.join("locks").join(format!("{name}.lock"))
}

/// Opens (creating) a lock file and locks it exclusively, waiting for it if `wait`; `Ok(None)`
/// if it is held elsewhere and not `wait`.
fn lock(path: &Path, wait: bool) -> Result<Option<File>, String> {
    use rustix::fs::{FlockOperation, flock};
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let op = if wait {
        FlockOperation::LockExclusive
    } else {
        FlockOperation::NonBlockingLockExclusive
    };
    match flock(&file, op) {
        Ok(()) => Ok(Some(file)),
        Err(e) if e == rustix::io::Errno::WOULDBLOCK => Ok(None),
        Err(e) => Err(format!("locking {}: {e}", path.display())),
    }
}

/// Takes the lock of each role in `dir`, or says which role another process already runs.
fn lock_roles(dir: &Path, roles: &BTreeSet<Role>) -> Result<Locks, String> {
    let mut files = Vec::new();
    for role in roles {
        let path = lock_path(dir, role.name());
        match lock(&path, false)? {
            Some(f) => files.push(f),
            None => {
                return Err(format!(
                    "role {:?} already runs in another process on {} (it holds {}): on a \
                     SQLite store each role runs in one process at a time",
                    role.name(),
                    dir.display(),
                    path.display()
                ));
            }
        }
    }
    Ok(Locks { _files: files })
}

/// On PostgreSQL, any number of gateways share the database (its anti-replay counters are
/// exact across them), and with the NATS queue any number of WAN runners (with their devices)
/// and delivery workers too (JetStream hands each notice to one of them, and the attempt's
/// transaction checks the row it names); every other role runs in one process at a time across
/// the database, which holds an advisory lock for each (released when the process ends, however
/// it ends). Without NATS, several WAN runners or delivery workers polling one queue would
/// carry a device's command, or deliver a document, twice.
///
/// A role whose lock another process holds is not refused: this process stands by for it
/// ([`Standby`]) and takes it over when that lock is released (its holder stopped, or died and
/// its session with it), so that any number of processes of every role may be started and a
/// lost machine's scheduler or SMKI worker is replaced without an operator. Returns the locks
/// taken and the roles stood by for.
fn lock_roles_pg(
    store: &store_pg::PgStore,
    queue: &QueueConfig,
    roles: &BTreeSet<Role>,
) -> Result<(Vec<store_pg::HeldLock>, BTreeSet<Role>), String> {
    let shared = |r: Role| match queue {
        QueueConfig::Embedded => r == Role::Gateway,
        QueueConfig::Nats { .. } => {
            matches!(
                r,
                Role::Gateway | Role::Wan | Role::Devices | Role::Delivery
            )
        }
    };
    let mut held = Vec::new();
    let mut standby = BTreeSet::new();
    for role in roles.iter().filter(|r| !shared(**r)) {
        match store
            .try_hold_lock(role.name())
            .map_err(|e| e.to_string())?
        {
            Some(lock) => held.push(lock),
            None => {
                tracing::info!(
                    role = role.name(),
                    "the role runs in another process on this database: standing by, to take \
                     it over when that process stops"
                );
                standby.insert(*role);
            }
        }
    }
    Ok((held, standby))
}

/// The roles a process on PostgreSQL stands by for (another process holds their advisory
/// locks), and how it takes them over: every [`LOCK_CHECK`] it tries each lock, and once it
/// holds one it hands the lock to the keeper ([`keep_locks`]) and opens the role's gate, which
/// starts the role's workers. Empty on SQLite, where a role held elsewhere is refused.
pub(crate) struct Standby {
    roles: BTreeSet<Role>,
    take: Arc<dyn Fn(&'static str) -> Result<Option<store_pg::HeldLock>, String> + Send + Sync>,
    keeper: std::sync::mpsc::Sender<store_pg::HeldLock>,
}

/// Whether a role's workers may start: at once, or (a role stood by for) once this process
/// holds the role's lock.
#[derive(Clone)]
struct Gate(Option<tokio::sync::watch::Receiver<bool>>);

impl Gate {
    const OPEN: Gate = Gate(None);

    /// Waits until the role is this process's; `false` if the process is shutting down first.
    async fn opened(mut self, mut shutdown: tokio::sync::watch::Receiver<bool>) -> bool {
        let Some(gate) = self.0.as_mut() else {
            return true;
        };
        tokio::select! {
            taken = gate.wait_for(|open| *open) => taken.is_ok(),
            _ = shutdown.wait_for(|stop| *stop) => false,
        }
    }
}

/// Runs `task` once `gates` are all open; nothing (and `Ok`) if the process shuts down first.
async fn gated(
    gates: Vec<Gate>,
    shutdown: tokio::sync::watch::Receiver<bool>,
    task: impl Future<Output = Result<(), String>>,
) -> Result<(), String> {
    for gate in gates {
        if !gate.opened(shutdown.clone()).await {
            return Ok(());
        }
    }
    task.await
}

/// The gate of each role stood by for, with the task that tries its lock.
fn standby_gates(
    standby: Option<Standby>,
    shutdown: &tokio::sync::watch::Receiver<bool>,
    tasks: &mut tokio::task::JoinSet<Result<(), String>>,
) -> std::collections::BTreeMap<Role, Gate> {
    let mut gates = std::collections::BTreeMap::new();
    let Some(standby) = standby else {
        return gates;
    };
    for role in standby.roles {
        let (open, gate) = tokio::sync::watch::channel(false);
        gates.insert(role, Gate(Some(gate)));
        let (take, keeper, mut shutdown) = (
            standby.take.clone(),
            standby.keeper.clone(),
            shutdown.clone(),
        );
        tasks.spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(LOCK_CHECK) => {}
                    _ = shutdown.wait_for(|stop| *stop) => return Ok(()),
                }
                let take = take.clone();
                let tried = tokio::task::spawn_blocking(move || take(role.name()))
                    .await
                    .map_err(|e| format!("trying the {} lock: {e}", role.name()))?;
                match tried {
                    Ok(Some(lock)) => {
                        keeper
                            .send(lock)
                            .map_err(|_| "the advisory locks' keeper has stopped".to_string())?;
                        tracing::info!(
                            role = role.name(),
                            "the process that ran the role has stopped: taking it over"
                        );
                        let _ = open.send(true);
                        return Ok(());
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(
                        role = role.name(),
                        error = %e,
                        "trying the role's advisory lock failed; trying again"
                    ),
                }
            }
        });
    }
    gates
}

/// How often a process on PostgreSQL checks that its roles' advisory locks are still held.
const LOCK_CHECK: std::time::Duration = std::time::Duration::from_secs(2);

/// Keeps the roles' advisory locks for as long as the process runs, on a thread of its own:
/// every [`LOCK_CHECK`] each lock's session is checked, and one that ended (PostgreSQL
/// restarted) is taken again once PostgreSQL answers. If another process took it meanwhile (it
/// started the role while this one's session was gone), this process logs it and exits with
/// status 1, as after a crash, so that the role does not run twice; restarted, it stands by as
/// any second process of the role does.
///
/// Locks taken later (a role stood by for, taken over) arrive through `later`.
fn keep_locks(
    store: Arc<store_pg::PgStore>,
    mut locks: Vec<store_pg::HeldLock>,
    later: Option<std::sync::mpsc::Receiver<store_pg::HeldLock>>,
) -> Result<(), String> {
    if locks.is_empty() && later.is_none() {
        return Ok(());
    }
    std::thread::Builder::new()
        .name("pg-locks".into())
        .spawn(move || {
            let mut unreachable = false;
            loop {
                std::thread::sleep(LOCK_CHECK);
                if let Some(later) = &later {
                    locks.extend(later.try_iter());
                }
                for lock in &mut locks {
                    match store.keep_lock(lock) {
                        Ok(store_pg::Kept::Held) => unreachable = false,
                        Ok(store_pg::Kept::Retaken) => {
                            unreachable = false;
                            tracing::info!(
                                role = lock.name(),
                                "the role's advisory lock had gone with its PostgreSQL session; \
                                 taken again"
                            );
                        }
                        Ok(store_pg::Kept::Lost) => {
                            tracing::error!(
                                role = lock.name(),
                                "the role's advisory lock went with its PostgreSQL session and \
                                 another process holds it now: stopping, so that the role does \
                                 not run twice"
                            );
                            std::process::exit(1);
                        }
                        Err(e) => {
                            if !unreachable {
                                tracing::warn!(
                                    role = lock.name(),
                                    error = %e,
                                    "checking the role's advisory lock failed; it is taken again \
                                     when PostgreSQL answers"
                                );
                            }
                            unreachable = true;
                        }
                    }
                }
            }
        })
        .map(|_| ())
        .map_err(|e| format!("starting the advisory locks' keeper: {e}"))
}

/// Runs the roles `cfg` lists until SIGINT or SIGTERM. This is where a served DCC's backend is
/// chosen: the world's files and the store, as the configuration names them. A `sqlite:`
/// directory that holds no world gets a new one, made as `opendcc demo` makes it
/// (`World::open_or_create_as`, with the configuration's `premises` and `registrations`; one
/// process at a time makes it). A PostgreSQL store, and then a NATS queue, that does not answer
/// at start is waited for ([`wait_for`]), up to `connect_timeout_secs`.
pub fn run(cfg: &ServeConfig, tuning: Tuning) -> Result<(), String> {
    cfg.queue.check_available()?;
    match &cfg.store {
        StoreConfig::Sqlite(dir) => {
            let options = world::WorldOptions {
                premises: cfg.premises,
                registrations: cfg.registrations.clone(),
            };
            // What cannot make a world is refused before its directory is made.
            World::check_options(dir, &options)?;
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let world = {
                let _making = lock(&lock_path(dir, "world"), true)?;
                World::open_or_create_as(dir, &options)?
            };
            let _locks = lock_roles(world.dir(), &cfg.roles)?;
            let opened = StoreConfig::Sqlite(world.dir().to_path_buf());
            let store = Arc::new(opened.open()?);
            // The repository listener has a connection of its own: its reads do not wait
            // behind the gateway's and the workers' writes.
            let repository = if cfg.runs(Role::Smki) {
                Arc::new(opened.open()?)
            } else {
                store.clone()
            };
            let rt = crate::runtime()?;
            let signalled = install_shutdown_signal(&rt);
            run_roles(
                cfg, tuning, rt, signalled, &world, &opened, store, repository, None,
            )
        }
        StoreConfig::Postgres(_) => {
            // Its world is made elsewhere (`opendcc demo`, then `opendcc migrate`); the keys
            // and certificates are read from `data`.
            let world = world::open_existing(&cfg.data)?;
            let rt = crate::runtime()?;
            // SIGINT or SIGTERM while PostgreSQL is awaited ends the process cleanly.
            let mut signalled = install_shutdown_signal(&rt);
            let service = format!("PostgreSQL at {}", cfg.store.redacted());
            let attempt = || {
                // The PostgreSQL client runs a runtime of its own: each attempt is made on a
                // thread of its own, never on this runtime's.
                let store = cfg.store.clone();
                let (tx, rx) = tokio::sync::oneshot::channel();
                let spawned =
                    std::thread::Builder::new()
                        .name("pg-connect".into())
                        .spawn(move || {
                            let _ = tx.send(store.try_open_postgres());
                        });
                async move {
                    if let Err(e) = spawned {
                        return Err(StartError::Fatal(format!(
                            "starting a thread to connect to PostgreSQL: {e}"
                        )));
                    }
                    rx.await.unwrap_or_else(|_| {
                        Err(StartError::Fatal(
                            "the thread connecting to PostgreSQL ended without an answer".into(),
                        ))
                    })
                }
            };
            let Some(store) = rt.block_on(wait_for(
                &service,
                cfg.connect_timeout,
                &mut signalled,
                attempt,
            ))?
            else {
                return Ok(());
            };
            let store = Arc::new(store);
            let (locks, standing_by) = lock_roles_pg(&store, &cfg.queue, &cfg.roles)?;
            let standby = if standing_by.is_empty() {
                keep_locks(store.clone(), locks, None)?;
                None
            } else {
                let (keeper, later) = std::sync::mpsc::channel();
                keep_locks(store.clone(), locks, Some(later))?;
                let taker = store.clone();
                Some(Standby {
                    roles: standing_by,
                    take: Arc::new(move |name| {
                        taker.try_hold_lock(name).map_err(|e| e.to_string())
                    }),
                    keeper,
                })
            };
            run_roles(
                cfg,
                tuning,
                rt,
                signalled,
                &world,
                &cfg.store,
                store.clone(),
                store,
                standby,
            )
        }
    }
}

/// A future that completes at the first SIGINT or SIGTERM after it was made.
type Signalled = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Installs the SIGINT and SIGTERM handlers on `rt` (from here on either is a clean shutdown,
/// where before it ended the process as the default action does).
fn install_shutdown_signal(rt: &tokio::runtime::Runtime) -> Signalled {
    let _in = rt.enter();
    Box::pin(shutdown_signal())
}

/// The waits between attempts to reach a service at start: 1 s, 2 s, 4 s, then every 5 s.
fn retry_delay(attempt: u32) -> Duration {
    Duration::from_secs(1u64 << attempt.saturating_sub(1).min(3)).min(Duration::from_secs(5))
}

/// Tries `attempt` until it connects, fails for good ([`StartError::Fatal`]), or has failed for
/// `timeout` ([`StartError::Transient`] each time; every failure logged as a warning naming
/// `service` and the failure, with the next retry); `Ok(None)` (logged as shutting down) if
/// SIGINT or SIGTERM came first.
/// A zero `timeout` is one attempt.
async fn wait_for<T, A, F>(
    service: &str,
    timeout: Duration,
    signalled: &mut Signalled,
    mut attempt: A,
) -> Result<Option<T>, String>
where
    A: FnMut() -> F,
    F: Future<Output = Result<T, StartError>>,
{
    let started = Instant::now();
    // No deadline for a timeout past the clock's range: wait as long as it takes.
    let deadline = started.checked_add(timeout);
    let mut attempts = 0u32;
    loop {
        attempts = attempts.saturating_add(1);
        let outcome = tokio::select! {
            _ = &mut *signalled => break,
            outcome = attempt() => outcome,
        };
        let why = match outcome {
            Ok(connected) => {
                if attempts > 1 {
                    tracing::info!(
                        service,
                        attempts,
                        waited_s = started.elapsed().as_secs(),
                        "connected at last"
                    );
                }
                return Ok(Some(connected));
            }
            Err(StartError::Fatal(e)) => return Err(e),
            Err(StartError::Transient(why)) => why,
        };
        let now = Instant::now();
        let left = deadline.map(|d| d.saturating_duration_since(now));
        if timeout.is_zero() {
            return Err(format!("{why} (not retried: connect_timeout_secs = 0)"));
        }
        if left.is_some_and(|l| l.is_zero()) {
            return Err(format!(
                "{why} (still so after {attempts} attempts over {} s: connect_timeout_secs = {})",
                started.elapsed().as_secs(),
                timeout.as_secs()
            ));
        }
        let delay = left.map_or(retry_delay(attempts), |l| retry_delay(attempts).min(l));
        tracing::warn!(
            service,
            error = why,
            attempt = attempts,
            retry_in_ms = delay.as_millis() as u64,
            gives_up_in_s = left.map(|l| l.as_secs()),
            "not answering at start; retrying"
        );
        tokio::select! {
            _ = &mut *signalled => break,
            _ = tokio::time::sleep(delay) => {}
        }
    }
    tracing::info!("shutting down");
    Ok(None)
}

/// Starts the roles `cfg` lists over `store` (`repository` for the SMKI repository listener)
/// and runs them until SIGINT or SIGTERM. `opened` is the store as the manifest records it.
/// The workers of a role in `standby` start once this process has taken the role over.
#[allow(clippy::too_many_arguments)]
fn run_roles<S>(
    cfg: &ServeConfig,
    tuning: Tuning,
    rt: tokio::runtime::Runtime,
    mut signalled: Signalled,
    world: &World,
    opened: &StoreConfig,
    store: Arc<S>,
    repository: Arc<S>,
    standby: Option<Standby>,
) -> Result<(), String>
where
    S: ServedStore,
    for<'t> S::Tx<'t>: wan::EmulatorTx,
{
    let roles: Vec<&str> = cfg.roles.iter().map(|r| r.name()).collect();
    tracing::info!(
        store = %opened.redacted(),
        roles = roles.join(","),
        "opening the DCC"
    );
    let device_timeout_ms = i64::from(tuning.device_timeout_ms);
    // The one place the queue is chosen: NATS JetStream if configured, else the store's tables
    // with the in-process wake-ups.
    let queue = match cfg.queue.nats_config() {
        Some(c) => {
            let url = c.url.clone();
            let service = format!("NATS JetStream at {url}");
            let attempt = || {
                let c = c.clone();
                let url = url.clone();
                async move {
                    queue_nats::Queue::connect(c).await.map_err(|e| {
                        let why = format!(
                            "queue {url:?}: {e} (NATS with JetStream must answer there: \
                             nats-server -js)"
                        );
                        match e {
                            queue_nats::QueueError::Unavailable { .. } => {
                                StartError::Transient(why)
                            }
                            _ => StartError::Fatal(why),
                        }
                    })
                }
            };
            let Some(q) = rt.block_on(wait_for(
                &service,
                cfg.connect_timeout,
                &mut signalled,
                attempt,
            ))?
            else {
                return Ok(());
            };
            tracing::info!(url, prefix = q.config().prefix, "NATS JetStream connected");
            Some(q)
        }
        None => None,
    };

    let gateway = if cfg.runs(Role::Gateway) {
        let dialect = if zaz1::world_kind(world.dir()).ok().flatten() == Some(true) {
            // A ZAZ1 world is a drop-in for DCC Boxed: answer as its tooling expects.
            dcc::gateway::Dialect::DccBoxed
        } else {
            dcc::gateway::Dialect::Duis54
        };
        let transport = if cfg.plain_http {
            Transport::PlainHttp
        } else {
            Transport::Tls(server::tls_config(&world.tls_material()?).map_err(|e| e.to_string())?)
        };
        let gateway = Gateway::new(
            store.clone(),
            SystemClock,
            Arc::new(world.xml_signer()?),
            Arc::new(world.dcc_crypto()?),
            Limits {
                device_response_timeout_ms: device_timeout_ms,
                ..Limits::default()
            },
        )
        .with_dialect(dialect);
        let gateway = match &queue {
            Some(q) => {
                gateway.with_wan_admission(Arc::new(server::nats::QueueAdmission(q.clone())))
            }
            None => gateway,
        };
        Some((Arc::new(gateway), transport))
    } else {
        None
    };
    let stands_by = |r: Role| standby.as_ref().is_some_and(|s| s.roles.contains(&r));
    if cfg.runs(Role::Smki) && !stands_by(Role::Smki) {
        // Lists due at start (the first CRL and ARL of a new world) are published before serving
        // (by a process taking the role over, when its worker first runs).
        smki_ops::startup(world.dir(), &*store, &SystemClock);
    }
    let devices = if cfg.runs(Role::Wan) {
        Some(world.emulated_devices(&*store)?)
    } else {
        None
    };
    let scheduler = if cfg.runs(Role::Scheduler) {
        Some(Arc::new(dcc::schedule::Scheduler::new(
            Arc::new(world.xml_signer()?),
            Arc::new(world.dcc_crypto()?),
            world::DCC_EUI,
            device_timeout_ms,
        )))
    } else {
        None
    };
    let wan_signer = if cfg.runs(Role::Wan) {
        Some(world.xml_signer()?)
    } else {
        None
    };
    let delivery_http = if cfg.runs(Role::Delivery) {
        Some(crate::delivery_client(world)?)
    } else {
        None
    };
    // What the manifest lists is read from the store before the runtime starts (a store's
    // calls never run on the runtime's threads); the listeners' addresses are filled in once
    // they are bound.
    let manifest_base = if gateway.is_some() && cfg.listen.is_some() && cfg.manifest.is_some() {
        Some(world.manifest_from(&*store, "", cfg.plain_http)?)
    } else {
        None
    };
    let stands_by_smki = stands_by(Role::Smki);
    let listener_limits = tuning.listener_limits();
    crate::check_fd_limit(&listener_limits);
    rt.block_on(async move {
        let (tx, rx) = tokio::sync::watch::channel(false);
        // Listeners first, so that the manifest names the ports really bound.
        let duis = match (gateway, cfg.listen) {
            (Some((gateway, transport)), Some(listen)) => {
                let listener = server::bind(listen, &transport)
                    .await
                    .map_err(|e| e.to_string())?;
                Some((gateway, transport, listener))
            }
            _ => None,
        };
        let repository_listener = match cfg.smki_listen {
            Some(addr) if cfg.runs(Role::Smki) => Some(smki_repo::bind(addr, world.dir()).await?),
            _ => None,
        };
        // The publication endpoint (CPL, DPL): bound like the repository, served apart.
        let publication_listener = match cfg.publication_listen {
            Some(addr) => Some(
                smki_repo::bind(addr, world.dir())
                    .await
                    .map_err(|e| format!("publication endpoint: {e}"))?,
            ),
            None => None,
        };
        if let (Some((_, _, listener)), Some(path), Some(mut manifest)) =
            (&duis, &cfg.manifest, manifest_base)
        {
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            let scheme = if cfg.plain_http { "http" } else { "https" };
            manifest.duis_url = format!("{scheme}://{addr}");
            if let Some((_, _, url)) = &repository_listener {
                manifest.smki_test_url = Some(format!("{url}test/"));
                manifest.smki_url = Some(url.clone());
            }
            if let Some((_, _, url)) = &publication_listener {
                manifest.publication_url = Some(url.clone());
            }
            manifest.store = Some(opened.locator());
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            manifest.write(path)?;
            tracing::info!(
                %addr,
                manifest = %path.display(),
                plain_http = cfg.plain_http,
                "DCC serving DUIS"
            );
        }
        // The handlers were installed before the roles were prepared: a SIGTERM since is a
        // clean shutdown once they start.
        tokio::spawn(async move {
            signalled.await;
            tracing::info!("shutting down");
            let _ = tx.send(true);
        });
        let clock = Arc::new(SystemClock);
        // The workers sleep until signalled (or their due times, or the safety tick): the
        // gateway wakes the dispatcher, the dispatcher and the scheduler the delivery worker.
        let wakeups = server::Wakeups::new();
        let mut workers = tokio::task::JoinSet::new();
        let gates = standby_gates(standby, &rx, &mut workers);
        let gate = |roles: &[Role]| -> Vec<Gate> {
            roles
                .iter()
                .map(|r| gates.get(r).cloned().unwrap_or(Gate::OPEN))
                .collect()
        };
        if let (Some(devices), Some(signer)) = (devices, wan_signer) {
            tracing::info!(
                devices = devices.len(),
                "emulated SM WAN up (North, Central, South)"
            );
            let network = Arc::new(wan::EmulatedWan::new(
                devices,
                wan::WanConfig {
                    latency_ms: tuning.wan_latency_ms.0,
                },
            ));
            let dispatcher = dcc::dispatch::Dispatcher::new(
                Arc::new(signer),
                world::DCC_EUI,
                dcc::dispatch::DispatchConfig {
                    retry_interval: std::time::Duration::from_millis(u64::from(
                        tuning.wan_retry_ms,
                    )),
                    // A poll returns the commands on the air too (each device's oldest
                    // unfinished one): room for as many again that can start.
                    batch: dcc::dispatch::DispatchConfig::default()
                        .batch
                        .max(tuning.wan_concurrency.saturating_mul(4)),
                },
            );
            let driver = Arc::new(dcc::dispatch::Driver::new(
                store.clone(),
                network,
                dispatcher,
            ));
            let runner = server::dispatch::RunnerConfig {
                concurrency: tuning.wan_concurrency.max(1),
                ..server::dispatch::RunnerConfig::default()
            };
            match &queue {
                Some(q) => {
                    workers.spawn(server_task(server::nats::run_wan(
                        driver,
                        clock.clone(),
                        q.clone(),
                        worker_name("wan"),
                        runner,
                        rx.clone(),
                    )));
                }
                None => {
                    workers.spawn(gated(
                        gate(&[Role::Wan, Role::Devices]),
                        rx.clone(),
                        server_task(server::dispatch::run(
                            driver,
                            clock.clone(),
                            runner,
                            wakeups.clone(),
                            rx.clone(),
                        )),
                    ));
                }
            }
        }
        if let Some(scheduler) = scheduler {
            workers.spawn(gated(
                gate(&[Role::Scheduler]),
                rx.clone(),
                server_task(server::schedules::run(
                    scheduler,
                    store.clone(),
                    clock.clone(),
                    server::schedules::DEFAULT_TICK,
                    wakeups.clone(),
                    rx.clone(),
                )),
            ));
        }
        if let Some(http) = delivery_http {
            let policy = server::delivery::DeliveryPolicy {
                base_backoff: std::time::Duration::from_millis(u64::from(
                    tuning.delivery_backoff_ms,
                )),
                ..server::delivery::DeliveryPolicy::default()
            };
            match &queue {
                Some(q) => {
                    workers.spawn(server_task(server::nats::run_delivery(
                        store.clone(),
                        clock.clone(),
                        http,
                        policy,
                        q.clone(),
                        rx.clone(),
                    )));
                }
                None => {
                    workers.spawn(gated(
                        gate(&[Role::Delivery]),
                        rx.clone(),
                        server_task(server::delivery::run(
                            store.clone(),
                            clock.clone(),
                            http,
                            policy,
                            wakeups.outbox.clone(),
                            rx.clone(),
                        )),
                    ));
                }
            }
        }
        if let Some(q) = &queue {
            workers.spawn(server_task(server::nats::run_sweeper(
                store.clone(),
                clock.clone(),
                q.clone(),
                server::nats::SweepConfig::default(),
                rx.clone(),
            )));
        }
        if let Some((listener, transport, _)) = repository_listener {
            let smki_worker = {
                let (dir, store, took_over) =
                    (world.dir().to_path_buf(), store.clone(), stands_by_smki);
                let tick =
                    std::time::Duration::from_millis(u64::from(tuning.smki_tick_ms.max(100)));
                let rx = rx.clone();
                async move {
                    if took_over {
                        // What the process that ran the role left due is published first.
                        let (dir, store) = (dir.clone(), store.clone());
                        tokio::task::spawn_blocking(move || {
                            smki_ops::startup(&dir, &*store, &SystemClock);
                        })
                        .await
                        .map_err(|e| format!("the SMKI start-up: {e}"))?;
                    }
                    smki_ops::run_worker(dir, store, Arc::new(SystemClock), tick, rx).await;
                    Ok(())
                }
            };
            workers.spawn(gated(gate(&[Role::Smki]), rx.clone(), smki_worker));
            workers.spawn(smki_repo::serve(
                repository,
                listener,
                transport,
                listener_limits,
                rx.clone(),
            ));
            workers.spawn(gated(
                gate(&[Role::Smki]),
                rx.clone(),
                server_task(server::smki_api::run_batch_worker(
                    store.clone(),
                    rx.clone(),
                )),
            ));
        }
        if let Some((listener, transport, url)) = publication_listener {
            tracing::info!(%url, "publishing the Certified and Deployed Products Lists");
            let store = store.clone();
            let rx = rx.clone();
            workers.spawn(async move {
                server::publication::serve(store, listener, transport, listener_limits, rx)
                    .await
                    .map_err(|e| e.to_string())
            });
        }
        if let Some((gateway, transport, listener)) = duis {
            let smki: Arc<dyn server::smki_api::SmkiHandler> =
                Arc::new(server::smki_api::SmkiServices::new(store.clone()));
            let wan = match &queue {
                Some(q) => server::Announcer::Queue(Box::new(q.clone())),
                None => server::Announcer::Wake(wakeups.wan.clone()),
            };
            let rx = rx.clone();
            workers.spawn(async move {
                server::serve_with_smki(
                    gateway,
                    listener,
                    transport,
                    Some(smki),
                    listener_limits,
                    wan,
                    rx,
                )
                .await
                .map_err(|e| e.to_string())
            });
        }
        drop(rx);
        tracing::info!(roles = roles.join(","), "roles running");
        let mut outcome = Ok(());
        while let Some(done) = workers.join_next().await {
            let result = done
                .map_err(|e| format!("a role's task failed: {e}"))
                .and_then(|r| r);
            if let Err(e) = result
                && outcome.is_ok()
            {
                outcome = Err(e);
            }
        }
        if std::env::var_os("OPENDCC_TX_STATS").is_some() {
            store.log_transaction_stats();
        }
        outcome
    })
}

/// A name for this process's `role` worker, unique among the deployment's processes (the
/// partitions' leases are held under it).
fn worker_name(role: &str) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{role}-{host}-{}-{nanos}", std::process::id())
}

/// A worker that ends with nothing to report, as a task of the role set.
async fn server_task(f: impl Future<Output = ()>) -> Result<(), String> {
    f.await;
    Ok(())
}

/// SIGINT or SIGTERM: the handlers are installed when this is called (not when the future is
/// first polled), so that no signal between the call and the first poll is lost.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate());
        let int = signal(SignalKind::interrupt());
        async move {
            match (term, int) {
                (Ok(mut term), Ok(mut int)) => {
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async move {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_come_after_1_2_and_4_s_then_every_5_s() {
        let secs: Vec<u64> = (1..=6).map(|n| retry_delay(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 5, 5, 5]);
        assert_eq!(retry_delay(u32::MAX), Duration::from_secs(5));
    }

    fn never() -> Signalled {
        Box::pin(std::future::pending())
    }

    /// `wait_for` over `outcomes` (then "still down" for ever): its result and how many attempts
    /// it made.
    fn run<T>(
        timeout: Duration,
        signalled: &mut Signalled,
        outcomes: Vec<Result<T, StartError>>,
    ) -> (Result<Option<T>, String>, usize) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let outcomes = std::sync::Mutex::new(outcomes.into_iter());
        let tried = std::sync::atomic::AtomicUsize::new(0);
        let out = rt.block_on(wait_for("the service", timeout, signalled, || {
            tried.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let next = outcomes.lock().unwrap().next();
            async move { next.unwrap_or(Err(StartError::Transient("still down".into()))) }
        }));
        (out, tried.into_inner())
    }

    #[test]
    fn a_service_not_there_yet_is_tried_again_until_it_answers() {
        let (out, tried) = run(
            Duration::from_secs(30),
            &mut never(),
            vec![Err(StartError::Transient("refused".into())), Ok(7)],
        );
        assert_eq!((out, tried), (Ok(Some(7)), 2));
    }

    #[test]
    fn a_refusal_is_an_error_at_once_and_a_zero_timeout_is_one_attempt() {
        let (out, tried) = run(
            Duration::from_secs(30),
            &mut never(),
            vec![Err::<(), _>(StartError::Fatal("no such database".into()))],
        );
        assert_eq!((out, tried), (Err("no such database".into()), 1));
        let (out, tried) = run::<()>(Duration::ZERO, &mut never(), vec![]);
        assert_eq!(
            (out, tried),
            (
                Err("still down (not retried: connect_timeout_secs = 0)".into()),
                1
            )
        );
    }

    #[test]
    fn the_wait_gives_up_after_the_timeout_saying_how_long() {
        let began = Instant::now();
        let (out, tried) = run::<()>(Duration::from_secs(1), &mut never(), vec![]);
        assert!(began.elapsed() >= Duration::from_secs(1));
        assert_eq!(tried, 2);
        assert_eq!(
            out,
            Err("still down (still so after 2 attempts over 1 s: connect_timeout_secs = 1)".into())
        );
    }

    #[test]
    fn a_shutdown_signal_ends_the_wait() {
        let mut signalled: Signalled = Box::pin(async {});
        let (out, _) = run::<()>(Duration::from_secs(60), &mut signalled, vec![]);
        assert_eq!(out, Ok(None));
    }
}
