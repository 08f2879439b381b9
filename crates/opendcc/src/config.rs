//! `opendcc serve --config FILE`: the TOML configuration of a served DCC, checked whole before
//! anything starts, and the one place that turns its `store` into the DCC's storage
//! ([`StoreConfig::open`]).
//!
//! ```toml
//! store = "sqlite:/var/lib/opendcc"     # or "postgres://…" (its keys and certificates in `data`)
//! queue = "embedded"                    # or "nats://HOST:PORT" (NATS JetStream); default embedded
//! queue_prefix = "opendcc"              # with nats: the deployment's streams, consumers, bucket
//! queue_partitions = 16                 # with nats: the hubs' partitions (fixed per deployment)
//! listen = "127.0.0.1:8079"             # the DUIS listener (role gateway)
//! smki_listen = "127.0.0.1:8083"        # the SMKI repository listener (role smki)
//! publication_listen = "127.0.0.1:8084" # the CPL/DPL publication endpoint (optional)
//! manifest = "/var/lib/opendcc/demo.json"   # written by the gateway once it listens
//! roles = ["gateway", "wan", "devices", "delivery", "scheduler", "smki"]
//! # Read only when a world is made in an empty sqlite: directory (as opendcc demo's flags):
//! # premises = 1000                    # the world's size
//! # registrations = ["1234567:GS:90-B3-D5-1F-30-03-00-00"]   # MPXN:ROLE:EUI, in place of the default party
//! connect_timeout_secs = 60             # how long PostgreSQL and NATS may stay away at start
//! ```
//!
//! Relative paths (the store's directory, `manifest`, `data`) are read from the configuration
//! file's directory.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use store::SqliteStore;
use store_pg::PgStore;

use crate::backend::ToolStore;
use crate::registrations::RegistrationChange;

/// What one `serve` process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The DUIS listener (and the SMKI service interface on the same port): the gateway.
    Gateway,
    /// The WAN runner: the core's dispatcher in real time over the emulated SM WAN.
    Wan,
    /// The emulated devices; with the emulated SM WAN they answer inside the WAN runner's
    /// transactions, so they go with `wan`.
    Devices,
    /// The outbox worker: responses and alerts to the users' Receive Response Services.
    Delivery,
    /// The DCC's schedules (DUIS 5.1) made in real time.
    Scheduler,
    /// The SMKI's background work (CRL/ARL publication, DCA roll-over, issuance batches) and the
    /// SMKI repository listener.
    Smki,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Gateway,
        Role::Wan,
        Role::Devices,
        Role::Delivery,
        Role::Scheduler,
        Role::Smki,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Gateway => "gateway",
            Role::Wan => "wan",
            Role::Devices => "devices",
            Role::Delivery => "delivery",
            Role::Scheduler => "scheduler",
            Role::Smki => "smki",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where the DCC's state lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// `sqlite:DIR`: `DIR/opendcc.sqlite`, the world's keys and certificates beside it (what
    /// `opendcc demo --data DIR` makes).
    Sqlite(PathBuf),
    /// `postgres://…` (or `postgresql://…`): a PostgreSQL database (`opendcc migrate` moves a world there).
    Postgres(String),
}

impl StoreConfig {
    /// Parses `sqlite:DIR` (a relative DIR is taken from `base`) or `postgres://…`.
    pub fn parse(s: &str, base: &Path) -> Result<Self, String> {
        if let Some(dir) = s.strip_prefix("sqlite:") {
            if dir.trim().is_empty() {
                return Err(format!(
                    "store {s:?}: name the directory, as in \"sqlite:/var/lib/opendcc\""
                ));
            }
            return Ok(StoreConfig::Sqlite(base.join(dir)));
        }
        for scheme in ["postgres://", "postgresql://"] {
            if let Some(rest) = s.strip_prefix(scheme) {
                if rest.is_empty() {
                    return Err(format!(
                        "store {s:?}: name the server and database, as in \
                         \"postgres://opendcc@db.example/opendcc\""
                    ));
                }
                return Ok(StoreConfig::Postgres(s.to_string()));
            }
        }
        Err(format!(
            "store {s:?}: a store is \"sqlite:DIR\" (a SQLite database in DIR) or \
             \"postgres://…\" (PostgreSQL)"
        ))
    }

    /// The store as a configuration names it (`sqlite:` and an absolute directory, or the
    /// PostgreSQL URL as given): what the manifest records for the client tools.
    pub fn locator(&self) -> String {
        match self {
            StoreConfig::Sqlite(dir) => format!("sqlite:{}", dir.display()),
            StoreConfig::Postgres(url) => url.clone(),
        }
    }

    /// [`StoreConfig::locator`] with a password in a PostgreSQL URL hidden, for messages.
    pub fn redacted(&self) -> String {
        match self {
            StoreConfig::Sqlite(_) => self.locator(),
            StoreConfig::Postgres(url) => redact_password(url),
        }
    }

    /// Opens a `sqlite:` store (the embedded DCC, and the tools that only it has); a PostgreSQL
    /// store is opened by [`StoreConfig::open_postgres`], and by [`StoreConfig::open_tools`] for
    /// the tools every backend serves.
    pub fn open(&self) -> Result<SqliteStore, String> {
        match self {
            StoreConfig::Sqlite(dir) => {
                crate::migrate::check_not_moved(dir)?;
                let db = dir.join(crate::world::DB);
                if !db.is_file() {
                    return Err(format!(
                        "{} holds no DCC database (run `opendcc demo --data {}` or `opendcc \
                         serve` with this store first)",
                        dir.display(),
                        dir.display()
                    ));
                }
                SqliteStore::open(&db).map_err(|e| format!("{}: {e}", db.display()))
            }
            StoreConfig::Postgres(_) => Err(format!(
                "store {:?}: this command works on a SQLite store (sqlite:DIR) only",
                self.redacted()
            )),
        }
    }

    /// Connects to a `postgres://` store (its schema brought up to date). Never call it on an
    /// asynchronous runtime's thread: the PostgreSQL client runs a runtime of its own.
    pub fn open_postgres(&self) -> Result<PgStore, String> {
        match self {
            StoreConfig::Postgres(url) => PgStore::connect(url).map_err(|e| e.to_string()),
            StoreConfig::Sqlite(_) => Err(format!("store {:?} is not PostgreSQL", self.locator())),
        }
    }

    /// One attempt of `serve`'s at start to connect to a `postgres://` store (its schema brought
    /// up to date), telling a server that is not there yet ([`StartError::Transient`]: nothing
    /// answers, or it is starting, shutting down or full) from one that answered no
    /// ([`StartError::Fatal`]: a bad URL, a refused login, no such database, a failed
    /// migration). Never call it on an asynchronous runtime's thread.
    pub fn try_open_postgres(&self) -> Result<PgStore, StartError> {
        let StoreConfig::Postgres(url) = self else {
            return Err(StartError::Fatal(format!(
                "store {:?} is not PostgreSQL",
                self.locator()
            )));
        };
        // A connection of its own first, whose error says whether to wait: the store's own
        // error is a message only.
        self.probe_postgres(url)?;
        PgStore::connect(url).map_err(|e| match self.probe_postgres(url) {
            // It went away between the probe and the store's connection.
            Err(StartError::Transient(_)) => StartError::Transient(e.to_string()),
            _ => StartError::Fatal(e.to_string()),
        })
    }

    fn probe_postgres(&self, url: &str) -> Result<(), StartError> {
        let shown = self.redacted();
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e| StartError::Fatal(format!("PostgreSQL URL {shown}: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(PROBE_TIMEOUT);
        }
        match config.connect(postgres::NoTls) {
            Ok(client) => {
                drop(client);
                Ok(())
            }
            Err(e) => {
                let why = format!(
                    "PostgreSQL at {shown} is unreachable or refused the connection: {}",
                    store_pg::describe(&e)
                );
                Err(if pg_error_is_transient(&e) {
                    StartError::Transient(why)
                } else {
                    StartError::Fatal(why)
                })
            }
        }
    }

    /// Opens the store, whichever backend, for the operator's and client tools (`user
    /// response-url`, `user counter`, `bench load`).
    pub fn open_tools(&self) -> Result<Arc<dyn ToolStore>, String> {
        Ok(match self {
            StoreConfig::Sqlite(_) => Arc::new(self.open()?),
            StoreConfig::Postgres(_) => Arc::new(self.open_postgres()?),
        })
    }
}

/// How long one attempt to connect to PostgreSQL at start may take (unless the URL says
/// `connect_timeout`).
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Why `serve` could not reach a service at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartError {
    /// Not there yet (nothing answers, or it is starting up, shutting down or out of
    /// connections): worth trying again.
    Transient(String),
    /// It answered, and no: trying again would give the same answer.
    Fatal(String),
}

/// Whether a failed PostgreSQL connection is worth another try: no answer at all (refused,
/// unreachable, timed out, closed), or the server's SQLSTATE class 08 (connection exception),
/// 53 (insufficient resources: too many connections) or 57P0x (shutting down, starting up).
fn pg_error_is_transient(e: &postgres::Error) -> bool {
    match e.as_db_error() {
        None => true,
        Some(d) => {
            let code = d.code().code();
            code.starts_with("08") || code.starts_with("53") || code.starts_with("57P0")
        }
    }
}

/// The store the manifest at `path` records (a relative `sqlite:` directory is taken from the
/// manifest's directory).
pub fn manifest_store(path: &Path) -> Result<StoreConfig, String> {
    let m = crate::manifest::Manifest::load(path)?;
    let Some(store) = m.store else {
        return Err(format!(
            "manifest {} records no store (an older opendcc wrote it: restart the DCC to \
             rewrite it, or give --data DIR)",
            path.display()
        ));
    };
    StoreConfig::parse(&store, path.parent().unwrap_or(Path::new(".")))
        .map_err(|e| format!("manifest {}: {e}", path.display()))
}

/// Which DCC an operator's command works on: its data directory, or the manifest of a running
/// one (the store and the world's directory it records).
#[derive(clap::Args, Debug, Clone)]
#[group(required = true, multiple = false)]
pub struct DccArg {
    /// The DCC's data directory (its SQLite store, as `opendcc demo --data DIR`).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// The DCC's manifest (`demo.json`, as `opendcc demo` or `opendcc serve` writes it): the
    /// store it records, SQLite or PostgreSQL.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
}

impl DccArg {
    /// The store alone (the tools that need none of the world's files).
    pub fn store(&self) -> Result<StoreConfig, String> {
        match (&self.data, &self.manifest) {
            (Some(dir), _) => Ok(StoreConfig::Sqlite(dir.clone())),
            (None, Some(m)) => manifest_store(m),
            (None, None) => Err("give --data DIR or --manifest FILE".into()),
        }
    }

    /// The store and the world's directory.
    pub fn operator(&self) -> Result<OperatorDcc, String> {
        match (&self.data, &self.manifest) {
            (Some(dir), _) => Ok(OperatorDcc {
                store: StoreConfig::Sqlite(dir.clone()),
                data: dir.clone(),
            }),
            (None, Some(m)) => OperatorDcc::of_manifest(m),
            (None, None) => Err("give --data DIR or --manifest FILE".into()),
        }
    }
}

/// The DCC an operator's command works on: its store, and the world's directory (keys,
/// certificates, the SMKI's published lists), which on a `sqlite:` store is the store's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorDcc {
    pub store: StoreConfig,
    pub data: PathBuf,
}

impl OperatorDcc {
    /// What the manifest at `path` records: its store, and the world's directory (`data`; a
    /// manifest without it names a `sqlite:` store, whose directory it is).
    pub fn of_manifest(path: &Path) -> Result<OperatorDcc, String> {
        let store = manifest_store(path)?;
        let recorded = crate::manifest::Manifest::load(path)?.data;
        let data = match (recorded, &store) {
            (Some(d), _) => path.parent().unwrap_or(Path::new(".")).join(d),
            (None, StoreConfig::Sqlite(dir)) => dir.clone(),
            (None, StoreConfig::Postgres(_)) => {
                return Err(format!(
                    "manifest {} records no world directory (an older opendcc wrote it: \
                     restart the DCC to rewrite it)",
                    path.display()
                ));
            }
        };
        Ok(OperatorDcc { store, data })
    }

    /// The world in [`OperatorDcc::data`] (an error if there is none).
    pub fn world(&self) -> Result<crate::world::World, String> {
        crate::world::open_existing(&self.data)
    }
}

/// Opens `$cfg` (a [`StoreConfig`]), whichever backend, binds `$s` to a reference to it and
/// evaluates `$body` (a `Result<_, String>`, generic code over `S: ServedStore` whose
/// transactions are `wan::EmulatorTx`), for the operator's commands that work on every backend.
#[macro_export]
macro_rules! on_store {
    ($cfg:expr, |$s:ident| $body:expr) => {
        match $cfg {
            c @ $crate::config::StoreConfig::Sqlite(_) => c.open().and_then(|opened| {
                let $s = &opened;
                $body
            }),
            c @ $crate::config::StoreConfig::Postgres(_) => c.open_postgres().and_then(|opened| {
                let $s = &opened;
                $body
            }),
        }
    };
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// How work passes between the roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueConfig {
    /// The store's own tables (`wan_jobs`, `outbox`), as `opendcc demo` uses them.
    Embedded,
    /// `nats://…`: NATS JetStream carries notices of the store's queue rows between processes
    /// (`queue-nats`): every process of a deployment names the same server, prefix and
    /// partition count.
    Nats {
        url: String,
        /// What the deployment's streams, consumers and lease bucket are named after.
        prefix: String,
        /// How many partitions the hubs are spread over.
        partitions: u32,
    },
}

impl QueueConfig {
    pub fn parse(s: &str) -> Result<Self, String> {
        if s == "embedded" {
            return Ok(QueueConfig::Embedded);
        }
        if let Some(rest) = s.strip_prefix("nats://")
            && !rest.is_empty()
        {
            return Ok(QueueConfig::nats(s));
        }
        Err(format!(
            "queue {s:?}: a queue is \"embedded\" (the store's own tables) or \"nats://HOST:PORT\" \
             (NATS JetStream)"
        ))
    }

    /// NATS JetStream at `url`, with the default prefix and partition count.
    pub fn nats(url: &str) -> Self {
        let d = queue_nats::QueueConfig::default();
        QueueConfig::Nats {
            url: url.to_string(),
            prefix: d.prefix,
            partitions: d.partitions,
        }
    }

    /// The `queue-nats` configuration of a `nats://` queue (`None` for the embedded one).
    pub fn nats_config(&self) -> Option<queue_nats::QueueConfig> {
        match self {
            QueueConfig::Embedded => None,
            QueueConfig::Nats {
                url,
                prefix,
                partitions,
            } => Some(queue_nats::QueueConfig {
                url: url.clone(),
                prefix: prefix.clone(),
                partitions: *partitions,
                ..queue_nats::QueueConfig::default()
            }),
        }
    }

    /// Whether the queue's configuration can be used (checked without a server): an error
    /// naming what is wrong if not.
    pub fn check_available(&self) -> Result<(), String> {
        match self.nats_config() {
            None => Ok(()),
            Some(c) => c.validate().map_err(|e| format!("queue {:?}: {e}", c.url)),
        }
    }
}

/// A checked `serve` configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeConfig {
    pub store: StoreConfig,
    pub queue: QueueConfig,
    /// The world's keys and certificates (the `sqlite:` store's directory).
    pub data: PathBuf,
    /// The DUIS listener (role gateway).
    pub listen: Option<SocketAddr>,
    /// The SMKI repository listener (role smki).
    pub smki_listen: Option<SocketAddr>,
    /// The publication endpoint (the Certified and Deployed Products Lists), if any.
    pub publication_listen: Option<SocketAddr>,
    /// Where the gateway writes `demo.json`.
    pub manifest: Option<PathBuf>,
    pub roles: BTreeSet<Role>,
    /// Plain HTTP on the DUIS listener (loopback only).
    pub plain_http: bool,
    /// The size of a world made in an empty `sqlite:` directory (as `opendcc demo --premises`).
    pub premises: Option<u64>,
    /// Registration changes for a world made in an empty `sqlite:` directory (as `opendcc demo
    /// --registration`).
    pub registrations: Vec<RegistrationChange>,
    /// How long `serve` waits at start for PostgreSQL, and then for NATS, to answer, retrying
    /// (each its own wait); zero: a service that does not answer at the first attempt is an
    /// error at once.
    pub connect_timeout: Duration,
}

/// [`ServeConfig::connect_timeout`] unless `connect_timeout_secs` says otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(60);

/// The file as written; every key not listed here is refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    store: String,
    queue: Option<String>,
    data: Option<PathBuf>,
    listen: Option<String>,
    smki_listen: Option<String>,
    publication_listen: Option<String>,
    manifest: Option<PathBuf>,
    roles: Vec<Role>,
    #[serde(default)]
    plain_http: bool,
    premises: Option<u64>,
    #[serde(default)]
    registrations: Vec<String>,
    queue_prefix: Option<String>,
    queue_partitions: Option<u32>,
    connect_timeout_secs: Option<u64>,
}

fn address(key: &str, s: &str) -> Result<SocketAddr, String> {
    s.parse().map_err(|_| {
        format!("{key} = {s:?}: an address is IP:PORT, as in \"127.0.0.1:8079\" or \"[::1]:0\"")
    })
}

fn quoted_roles() -> String {
    Role::ALL
        .iter()
        .map(|r| format!("{:?}", r.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl ServeConfig {
    /// Reads and checks the configuration file at `path`.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("reading the configuration {}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::parse(&text, base).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses and checks a configuration; relative paths are taken from `base`.
    pub fn parse(text: &str, base: &Path) -> Result<Self, String> {
        // An unknown key or role is named with its line, and the valid ones listed.
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())?;
        let store = StoreConfig::parse(&raw.store, base)?;
        let mut queue = QueueConfig::parse(raw.queue.as_deref().unwrap_or("embedded"))?;
        match &mut queue {
            QueueConfig::Nats {
                prefix, partitions, ..
            } => {
                if let Some(p) = raw.queue_prefix {
                    *prefix = p;
                }
                if let Some(n) = raw.queue_partitions {
                    *partitions = n;
                }
            }
            QueueConfig::Embedded => {
                if raw.queue_prefix.is_some() || raw.queue_partitions.is_some() {
                    return Err(
                        "queue_prefix and queue_partitions are for queue = \"nats://…\"".into(),
                    );
                }
            }
        }
        queue.check_available()?;
        let mut roles = BTreeSet::new();
        for r in &raw.roles {
            if !roles.insert(*r) {
                return Err(format!("roles: {:?} is listed twice", r.name()));
            }
        }
        if roles.is_empty() {
            return Err(format!(
                "roles is empty: list what this process runs, of {}",
                quoted_roles()
            ));
        }
        let has = |r: Role| roles.contains(&r);
        if has(Role::Wan) && !has(Role::Devices) {
            return Err(
                "role \"wan\" needs \"devices\" in the same process: the emulated SM WAN \
                        is this build's only network, and its devices answer inside the WAN \
                        runner's transactions"
                    .into(),
            );
        }
        if has(Role::Devices) && !has(Role::Wan) {
            return Err(
                "role \"devices\" needs \"wan\" in the same process: the emulated devices \
                        are reached only through the WAN runner"
                    .into(),
            );
        }
        let listen = raw
            .listen
            .as_deref()
            .map(|s| address("listen", s))
            .transpose()?;
        let smki_listen = raw
            .smki_listen
            .as_deref()
            .map(|s| address("smki_listen", s))
            .transpose()?;
        let publication_listen = raw
            .publication_listen
            .as_deref()
            .map(|s| address("publication_listen", s))
            .transpose()?;
        let manifest = raw.manifest.map(|m| base.join(m));
        if has(Role::Gateway) {
            if listen.is_none() {
                return Err(
                    "role \"gateway\" needs listen = \"IP:PORT\" (the DUIS listener)".into(),
                );
            }
            if manifest.is_none() {
                return Err(
                    "role \"gateway\" needs manifest = \"FILE\" (where it writes \
                            demo.json for the client tools once it listens)"
                        .into(),
                );
            }
        } else {
            for (key, given) in [
                ("listen", listen.is_some()),
                ("manifest", manifest.is_some()),
                ("plain_http", raw.plain_http),
            ] {
                if given {
                    return Err(format!(
                        "{key} is the gateway's (the DUIS listener and the manifest that names \
                         it), but roles has no \"gateway\""
                    ));
                }
            }
        }
        match (has(Role::Smki), smki_listen.is_some()) {
            (true, false) => {
                return Err(
                    "role \"smki\" needs smki_listen = \"IP:PORT\" (the SMKI repository listener)"
                        .into(),
                );
            }
            (false, true) => {
                return Err(
                    "smki_listen is the smki role's repository listener, but roles has no \"smki\""
                        .into(),
                );
            }
            _ => {}
        }
        let data = match (&store, raw.data) {
            (StoreConfig::Sqlite(dir), None) => dir.clone(),
            (StoreConfig::Sqlite(dir), Some(d)) => {
                if base.join(&d) != *dir {
                    return Err(format!(
                        "data = {:?}: with store = \"sqlite:DIR\" the world's keys and \
                         certificates are in DIR ({}); leave data out",
                        d.display(),
                        dir.display()
                    ));
                }
                dir.clone()
            }
            (StoreConfig::Postgres(_), Some(d)) => base.join(d),
            (StoreConfig::Postgres(_), None) => {
                return Err(
                    "a postgres store needs data = \"DIR\": the directory of the world's \
                            keys and certificates"
                        .into(),
                );
            }
        };
        let registrations = raw
            .registrations
            .iter()
            .map(|r| r.parse().map_err(|e| format!("registrations: {e}")))
            .collect::<Result<Vec<RegistrationChange>, String>>()?;
        crate::registrations::check_distinct(&registrations)?;
        if !registrations.is_empty() && matches!(store, StoreConfig::Postgres(_)) {
            return Err(
                "registrations are read when a world is made in an empty sqlite: directory; a \
                 postgres store's world is made elsewhere (opendcc demo --registration, then \
                 opendcc migrate)"
                    .into(),
            );
        }
        if raw.connect_timeout_secs.is_some()
            && matches!(store, StoreConfig::Sqlite(_))
            && queue == QueueConfig::Embedded
        {
            return Err(
                "connect_timeout_secs is how long PostgreSQL or NATS may take to answer at \
                 start, but this configuration has neither (store = \"sqlite:…\", queue = \
                 \"embedded\")"
                    .into(),
            );
        }
        Ok(ServeConfig {
            store,
            queue,
            data,
            listen,
            smki_listen,
            publication_listen,
            manifest,
            roles,
            plain_http: raw.plain_http,
            premises: raw.premises,
            registrations,
            connect_timeout: raw
                .connect_timeout_secs
                .map_or(DEFAULT_CONNECT_TIMEOUT, Duration::from_secs),
        })
    }

    pub fn runs(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "/etc/opendcc";

    fn parse(text: &str) -> Result<ServeConfig, String> {
        ServeConfig::parse(text, Path::new(BASE))
    }

    fn err(text: &str) -> String {
        match parse(text) {
            Ok(c) => panic!("accepted {text:?} as {c:?}"),
            Err(e) => e,
        }
    }

    const ALL_ROLES: &str = r#"
        store = "sqlite:/var/lib/opendcc"
        queue = "embedded"
        listen = "127.0.0.1:8079"
        smki_listen = "127.0.0.1:8083"
        manifest = "/var/lib/opendcc/demo.json"
        roles = ["gateway", "wan", "devices", "delivery", "scheduler", "smki"]
    "#;

    #[test]
    fn a_full_configuration_parses() {
        let c = parse(ALL_ROLES).unwrap();
        assert_eq!(
            c.store,
            StoreConfig::Sqlite(PathBuf::from("/var/lib/opendcc"))
        );
        assert_eq!(c.queue, QueueConfig::Embedded);
        assert_eq!(c.data, PathBuf::from("/var/lib/opendcc"));
        assert_eq!(c.listen, Some("127.0.0.1:8079".parse().unwrap()));
        assert_eq!(c.smki_listen, Some("127.0.0.1:8083".parse().unwrap()));
        assert_eq!(
            c.manifest,
            Some(PathBuf::from("/var/lib/opendcc/demo.json"))
        );
        assert_eq!(c.roles, Role::ALL.into_iter().collect());
        assert!(!c.plain_http);
        assert_eq!(c.premises, None);
        assert_eq!(c.store.locator(), "sqlite:/var/lib/opendcc");
    }

    #[test]
    fn relative_paths_are_read_from_the_configuration_files_directory() {
        let c = parse(
            r#"
            store = "sqlite:data"
            listen = "127.0.0.1:0"
            manifest = "data/demo.json"
            roles = ["gateway"]
            "#,
        )
        .unwrap();
        assert_eq!(
            c.store,
            StoreConfig::Sqlite(PathBuf::from("/etc/opendcc/data"))
        );
        assert_eq!(c.data, PathBuf::from("/etc/opendcc/data"));
        assert_eq!(
            c.manifest,
            Some(PathBuf::from("/etc/opendcc/data/demo.json"))
        );
        // No queue: the embedded one.
        assert_eq!(c.queue, QueueConfig::Embedded);
    }

    #[test]
    fn a_process_may_run_any_separable_subset_of_the_roles() {
        let c = parse(
            r#"
            store = "sqlite:/d"
            roles = ["wan", "devices", "scheduler"]
            "#,
        )
        .unwrap();
        assert_eq!(
            c.roles,
            [Role::Wan, Role::Devices, Role::Scheduler]
                .into_iter()
                .collect()
        );
        assert_eq!(c.listen, None);
        assert_eq!(c.manifest, None);
        for only in ["delivery", "scheduler"] {
            let c = parse(&format!("store = \"sqlite:/d\"\nroles = [\"{only}\"]")).unwrap();
            assert_eq!(c.roles.len(), 1);
        }
        let c = parse("store = \"sqlite:/d\"\nsmki_listen = \"127.0.0.1:0\"\nroles = [\"smki\"]")
            .unwrap();
        assert_eq!(c.roles, [Role::Smki].into_iter().collect());
    }

    #[test]
    fn postgres_and_nats_parse_and_say_what_this_build_lacks() {
        let c = parse(
            r#"
            store = "postgres://dcc:s3cret@db.example:5432/opendcc"
            queue = "nats://nats.example:4222"
            data = "/srv/opendcc"
            roles = ["delivery"]
            "#,
        )
        .unwrap();
        assert_eq!(
            c.store,
            StoreConfig::Postgres("postgres://dcc:s3cret@db.example:5432/opendcc".into())
        );
        assert_eq!(c.queue, QueueConfig::nats("nats://nats.example:4222"));
        assert_eq!(c.data, PathBuf::from("/srv/opendcc"));
        let e = c.store.open().err().unwrap();
        assert!(e.contains("SQLite store (sqlite:DIR) only"), "{e}");
        assert!(e.contains("dcc:***@db.example"), "{e}");
        assert!(!e.contains("s3cret"), "{e}");
        assert!(matches!(
            StoreConfig::parse("postgresql://h/db", Path::new("/")),
            Ok(StoreConfig::Postgres(_))
        ));
    }

    #[test]
    fn connect_timeout_secs_bounds_the_wait_for_postgres_and_nats_at_start() {
        let pg = "store = \"postgres://h/db\"\ndata = \"/d\"\nroles = [\"delivery\"]\n";
        assert_eq!(parse(pg).unwrap().connect_timeout, DEFAULT_CONNECT_TIMEOUT);
        let c = parse(&format!("{pg}connect_timeout_secs = 5")).unwrap();
        assert_eq!(c.connect_timeout, Duration::from_secs(5));
        let c = parse(&format!("{pg}connect_timeout_secs = 0")).unwrap();
        assert_eq!(c.connect_timeout, Duration::ZERO);
        let nats = "store = \"sqlite:/d\"\nqueue = \"nats://h:1\"\nroles = [\"delivery\"]\n";
        let c = parse(&format!("{nats}connect_timeout_secs = 7")).unwrap();
        assert_eq!(c.connect_timeout, Duration::from_secs(7));
        let e = err("store = \"sqlite:/d\"\nroles = [\"delivery\"]\nconnect_timeout_secs = 7");
        assert!(e.contains("connect_timeout_secs is how long"), "{e}");
        let e = err(&format!("{pg}connect_timeout_secs = -1"));
        assert!(e.contains("connect_timeout_secs"), "{e}");
    }

    #[test]
    fn postgres_not_answering_at_start_is_transient_and_a_bad_url_fatal() {
        // A loopback port nothing listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let store = StoreConfig::Postgres(format!("postgres://u:pw@127.0.0.1:{port}/db"));
        match store.try_open_postgres() {
            Err(StartError::Transient(e)) => {
                assert!(
                    e.starts_with(&format!(
                        "PostgreSQL at postgres://u:***@127.0.0.1:{port}/db is unreachable or \
                         refused the connection: "
                    )),
                    "{e}"
                );
                assert!(!e.contains("pw"), "{e}");
            }
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("connected to nothing"),
        }
        let bad = StoreConfig::Postgres("postgres://h:notaport/db".into());
        assert!(matches!(
            bad.try_open_postgres(),
            Err(StartError::Fatal(e)) if e.starts_with("PostgreSQL URL postgres://h:notaport/db")
        ));
    }

    #[test]
    fn a_missing_sqlite_database_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let e = StoreConfig::Sqlite(dir.path().to_path_buf())
            .open()
            .err()
            .unwrap();
        assert!(e.contains("holds no DCC database"), "{e}");
    }

    #[test]
    fn every_bad_input_gets_its_own_error() {
        let cases: &[(&str, &str)] = &[
            // Unknown key.
            (
                "store = \"sqlite:/d\"\nroles = [\"delivery\"]\nlisten_on = \"x\"",
                "unknown field `listen_on`, expected one of `store`, `queue`, `data`, `listen`",
            ),
            // Unknown role, with the valid ones listed.
            (
                "store = \"sqlite:/d\"\nroles = [\"delivery\", \"transformer\"]",
                "unknown variant `transformer`",
            ),
            (
                "store = \"sqlite:/d\"\nroles = [\"transformer\"]",
                "expected one of `gateway`, `wan`, `devices`, `delivery`, `scheduler`, `smki`",
            ),
            // Missing keys.
            ("roles = [\"delivery\"]", "missing field `store`"),
            ("store = \"sqlite:/d\"", "missing field `roles`"),
            // Stores.
            (
                "store = \"mysql://h/db\"\nroles = [\"delivery\"]",
                "store \"mysql://h/db\": a store is \"sqlite:DIR\" (a SQLite database in DIR) or \"postgres://…\" (PostgreSQL)",
            ),
            (
                "store = \"/var/lib/opendcc\"\nroles = [\"delivery\"]",
                "a store is \"sqlite:DIR\"",
            ),
            (
                "store = \"sqlite:\"\nroles = [\"delivery\"]",
                "store \"sqlite:\": name the directory",
            ),
            (
                "store = \"postgres://\"\nroles = [\"delivery\"]",
                "name the server and database",
            ),
            (
                "store = \"postgres://h/db\"\nroles = [\"delivery\"]",
                "a postgres store needs data = \"DIR\"",
            ),
            (
                "store = \"sqlite:/d\"\ndata = \"/elsewhere\"\nroles = [\"delivery\"]",
                "with store = \"sqlite:DIR\" the world's keys and certificates are in DIR (/d); leave data out",
            ),
            // Queues.
            (
                "store = \"sqlite:/d\"\nqueue = \"kafka://k\"\nroles = [\"delivery\"]",
                "queue \"kafka://k\": a queue is \"embedded\" (the store's own tables) or \"nats://HOST:PORT\" (NATS JetStream)",
            ),
            (
                "store = \"sqlite:/d\"\nqueue = \"nats://\"\nroles = [\"delivery\"]",
                "a queue is \"embedded\"",
            ),
            // Roles.
            (
                "store = \"sqlite:/d\"\nroles = []",
                "roles is empty: list what this process runs, of \"gateway\", \"wan\"",
            ),
            (
                "store = \"sqlite:/d\"\nroles = [\"delivery\", \"delivery\"]",
                "roles: \"delivery\" is listed twice",
            ),
            (
                "store = \"sqlite:/d\"\nroles = [\"wan\"]",
                "role \"wan\" needs \"devices\" in the same process",
            ),
            (
                "store = \"sqlite:/d\"\nroles = [\"devices\", \"delivery\"]",
                "role \"devices\" needs \"wan\" in the same process",
            ),
            // Listeners a role needs, and listeners no role uses.
            (
                "store = \"sqlite:/d\"\nmanifest = \"m.json\"\nroles = [\"gateway\"]",
                "role \"gateway\" needs listen = \"IP:PORT\"",
            ),
            (
                "store = \"sqlite:/d\"\nlisten = \"127.0.0.1:0\"\nroles = [\"gateway\"]",
                "role \"gateway\" needs manifest = \"FILE\"",
            ),
            (
                "store = \"sqlite:/d\"\nroles = [\"smki\"]",
                "role \"smki\" needs smki_listen = \"IP:PORT\"",
            ),
            (
                "store = \"sqlite:/d\"\nlisten = \"127.0.0.1:0\"\nroles = [\"delivery\"]",
                "listen is the gateway's",
            ),
            (
                "store = \"sqlite:/d\"\nmanifest = \"m.json\"\nroles = [\"delivery\"]",
                "manifest is the gateway's",
            ),
            (
                "store = \"sqlite:/d\"\nplain_http = true\nroles = [\"delivery\"]",
                "plain_http is the gateway's",
            ),
            (
                "store = \"sqlite:/d\"\nsmki_listen = \"127.0.0.1:0\"\nroles = [\"delivery\"]",
                "smki_listen is the smki role's repository listener, but roles has no \"smki\"",
            ),
            (
                "store = \"sqlite:/d\"\nlisten = \"localhost:8079\"\nmanifest = \"m\"\nroles = [\"gateway\"]",
                "listen = \"localhost:8079\": an address is IP:PORT",
            ),
            (
                "store = \"sqlite:/d\"\nsmki_listen = \"8083\"\nroles = [\"smki\"]",
                "smki_listen = \"8083\": an address is IP:PORT",
            ),
            // Wrong types.
            ("store = 5\nroles = [\"delivery\"]", "invalid type"),
            ("store = \"sqlite:/d\"\nroles = \"gateway\"", "invalid type"),
            (
                "store = \"sqlite:/d\"\nroles = [\"delivery\"]\npremises = -1",
                "premises",
            ),
            // Registration changes: each MPXN:ROLE:EUI, one party per MPxN and role, and only
            // for a world made in a sqlite: directory.
            (
                "store = \"sqlite:/d\"\nroles = [\"delivery\"]\nregistrations = [\"1234567:XX:90-B3-D5-1F-30-03-00-00\"]",
                "registrations: \"1234567:XX:90-B3-D5-1F-30-03-00-00\": unknown registration role \"XX\": one of IS, ES, GS, ED, GT",
            ),
            (
                "store = \"sqlite:/d\"\nroles = [\"delivery\"]\nregistrations = [\"1234567:GS\"]",
                "registrations: \"1234567:GS\" is not MPXN:ROLE:EUI",
            ),
            (
                "store = \"sqlite:/d\"\nroles = [\"delivery\"]\nregistrations = [\"1234567:GS:90-B3-D5-1F-30-03-00\"]",
                "is not an EUI-64",
            ),
            (
                "store = \"sqlite:/d\"\nroles = [\"delivery\"]\nregistrations = [\"1234567:GS:90-B3-D5-1F-30-03-00-00\", \"1234567:GS:90-B3-D5-1F-30-01-00-00\"]",
                "both name the GasSupplier of 1234567",
            ),
            (
                "store = \"sqlite:/d\"\nroles = [\"delivery\"]\nregistrations = \"1234567:GS:90-B3-D5-1F-30-03-00-00\"",
                "invalid type",
            ),
            (
                "store = \"postgres://u@h/db\"\ndata = \"/d\"\nroles = [\"delivery\"]\nregistrations = [\"1234567:GS:90-B3-D5-1F-30-03-00-00\"]",
                "registrations are read when a world is made in an empty sqlite: directory",
            ),
            // Not TOML.
            ("store = sqlite:/d", "store = sqlite:/d"),
        ];
        for (text, want) in cases {
            let e = err(text);
            assert!(e.contains(want), "{text:?}\n  gave: {e}\n  want: {want}");
        }
    }

    #[test]
    fn registrations_parse_in_order() {
        let c = parse(
            "store = \"sqlite:/d\"\nroles = [\"delivery\"]\nregistrations = [\"1234567:GS:90-B3-D5-1F-30-03-00-00\", \"1900000000018:IS:90b3d51f30030000\"]",
        )
        .unwrap();
        let shown: Vec<String> = c.registrations.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "1234567:GS:90-B3-D5-1F-30-03-00-00",
                "1900000000018:IS:90-B3-D5-1F-30-03-00-00"
            ]
        );
        assert!(parse(ALL_ROLES).unwrap().registrations.is_empty());
    }

    #[test]
    fn load_prefixes_errors_with_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dcc.toml");
        let e = ServeConfig::load(&path).unwrap_err();
        assert!(e.starts_with("reading the configuration "), "{e}");
        std::fs::write(&path, "store = \"sqlite:d\"\nroles = []").unwrap();
        let e = ServeConfig::load(&path).unwrap_err();
        assert!(
            e.starts_with(&format!("{}: roles is empty", path.display())),
            "{e}"
        );
        std::fs::write(&path, "store = \"sqlite:d\"\nroles = [\"delivery\"]").unwrap();
        let c = ServeConfig::load(&path).unwrap();
        assert_eq!(c.store, StoreConfig::Sqlite(dir.path().join("d")));
    }

    #[test]
    fn the_documented_example_parses() {
        let base = Path::new("/srv/opendcc/docs");
        let c = ServeConfig::parse(include_str!("../../../docs/serve.example.toml"), base).unwrap();
        assert_eq!(
            c.store,
            StoreConfig::Sqlite(PathBuf::from("/srv/opendcc/docs/../demo-data"))
        );
        assert_eq!(c.roles, Role::ALL.into_iter().collect());
        assert_eq!(c.listen, Some("127.0.0.1:8079".parse().unwrap()));
        assert_eq!(c.smki_listen, Some("127.0.0.1:8083".parse().unwrap()));
    }

    #[test]
    fn passwords_are_hidden_in_messages_only() {
        let s = StoreConfig::Postgres("postgres://u:pw@h:5432/db?sslmode=require".into());
        assert_eq!(s.redacted(), "postgres://u:***@h:5432/db?sslmode=require");
        assert_eq!(s.locator(), "postgres://u:pw@h:5432/db?sslmode=require");
        let s = StoreConfig::Postgres("postgres://u@h/db".into());
        assert_eq!(s.redacted(), "postgres://u@h/db");
    }

    #[test]
    fn a_nats_queue_takes_its_prefix_and_partitions() {
        let c = parse(
            "store = \"sqlite:d\"\nqueue = \"nats://127.0.0.1:4222\"\nqueue_prefix = \"dcc_1\"\n\
             queue_partitions = 8\nroles = [\"delivery\"]",
        )
        .unwrap();
        assert_eq!(
            c.queue,
            QueueConfig::Nats {
                url: "nats://127.0.0.1:4222".into(),
                prefix: "dcc_1".into(),
                partitions: 8,
            }
        );
        let q = c.queue.nats_config().unwrap();
        assert_eq!((q.prefix.as_str(), q.partitions), ("dcc_1", 8));
        assert!(c.queue.check_available().is_ok());
        assert!(QueueConfig::Embedded.nats_config().is_none());
        assert_eq!(
            parse("store = \"sqlite:d\"\nqueue = \"nats://h:1\"\nroles = [\"wan\", \"devices\"]")
                .unwrap()
                .queue,
            QueueConfig::nats("nats://h:1")
        );
        let e = err("store = \"sqlite:d\"\nqueue_prefix = \"x\"\nroles = [\"delivery\"]");
        assert!(
            e.contains("queue_prefix and queue_partitions are for"),
            "{e}"
        );
        let e = err(
            "store = \"sqlite:d\"\nqueue = \"nats://h:1\"\nqueue_prefix = \"a.b\"\nroles = [\"delivery\"]",
        );
        assert!(e.contains("prefix \"a.b\""), "{e}");
        let e = err(
            "store = \"sqlite:d\"\nqueue = \"nats://h:1\"\nqueue_partitions = 0\nroles = [\"delivery\"]",
        );
        assert!(e.contains("partitions 0"), "{e}");
    }

    /// A manifest recording `store` and, if given, `data`, written in a new directory.
    fn manifest_with(store: &str, data: Option<&str>) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let mut m = serde_json::json!({
            "duis_url": "http://127.0.0.1:1",
            "tls_ca": "ca.pem",
            "dcc": {"eui": "90-B3-D5-1F-30-00-00-02", "xml_signing_cert": "x.pem"},
            "smki": {"org_root": "a", "org_issuing": "b", "device_root": "c",
                     "device_issuing": "d", "dccki_root": "e"},
            "users": [],
            "devices": [],
            "store": store,
        });
        if let Some(d) = data {
            m["data"] = serde_json::Value::from(d);
        }
        let path = dir.path().join("demo.json");
        std::fs::write(&path, m.to_string()).unwrap();
        (dir, path)
    }

    #[test]
    fn an_operator_command_finds_the_store_and_the_world_through_the_manifest() {
        let pg = "postgres://postgres@127.0.0.1:5432/opendcc";
        // PostgreSQL: the world's directory is the one the manifest records (relative to it).
        let (dir, m) = manifest_with(pg, Some("world"));
        let arg = DccArg {
            data: None,
            manifest: Some(m.clone()),
        };
        assert_eq!(
            arg.operator().unwrap(),
            OperatorDcc {
                store: StoreConfig::Postgres(pg.into()),
                data: dir.path().join("world"),
            }
        );
        // A manifest from before `data` was recorded: SQLite's directory is the store's own;
        // on PostgreSQL it is an error that says what to do.
        let (_d, m) = manifest_with("sqlite:/var/lib/opendcc", None);
        assert_eq!(
            OperatorDcc::of_manifest(&m).unwrap().data,
            PathBuf::from("/var/lib/opendcc")
        );
        let (_d, m) = manifest_with(pg, None);
        let e = OperatorDcc::of_manifest(&m).unwrap_err();
        assert!(
            e.contains("records no world directory") && e.contains("restart the DCC"),
            "{e}"
        );
        // `--data DIR` is the SQLite store in DIR, and DIR the world.
        let arg = DccArg {
            data: Some("/srv/dcc".into()),
            manifest: None,
        };
        assert_eq!(
            arg.operator().unwrap(),
            OperatorDcc {
                store: StoreConfig::Sqlite("/srv/dcc".into()),
                data: "/srv/dcc".into(),
            }
        );
    }
}
