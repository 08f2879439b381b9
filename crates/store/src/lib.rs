//! Embedded storage for opendcc: SQLite in WAL mode behind the core's [`dcc::store::Store`] trait.
//!
//! One database file holds everything the DCC must not forget: users and their certificates, the
//! anti-replay counters, the Smart Metering Inventory, premises and registration data, and the
//! record of every request. `synchronous=FULL` makes each committed transaction durable before
//! the gateway acknowledges anything that depends on it.
//!
//! **Group commit** (`group.rs`): there is one connection, behind a mutex. A transaction runs as
//! a `SAVEPOINT` inside the open *batch* (one SQLite `BEGIN IMMEDIATE` transaction); while other
//! threads are waiting for the connection (up to 64 transactions a batch) it leaves the batch
//! open for them and sleeps until the batch's single `COMMIT` (one `fsync`) has returned, so a
//! caller still gets `Ok` only once its changes are durable. A failed `COMMIT` fails every
//! transaction of the batch that depends on it; a refused transaction (its closure returned
//! `Err`) changes nothing, and waits for the batch too when it may have read earlier members'
//! uncommitted rows; one that read only committed rows and changed none returns at once. A panic
//! in a closure rolls back its savepoint, lets the batch go on and resumes in the caller.
//! [`SqliteStore::commits`] counts the `COMMIT`s, [`SqliteStore::transaction_stats`] what each
//! call site's transactions cost. A closure the caller declares read-only ([`Store::read`]) runs
//! on a read-only connection of its own (`readers.rs`) on a snapshot of what was committed, and
//! does not hold the writer.
//!
//! [`SqliteTx`] implements each of the core's per-aggregate traits (`UsersTx`, `InventoryTx`,
//! `RequestsTx`, `WanQueue`, `Outbox`) and the WAN emulation's `wan::EmulatorTx`, so an emulated
//! device's change of state commits in the same transaction as the DCC's record of its answer.
//! `store_pg::PgStore` implements the same traits on PostgreSQL (the same tables, under the same
//! migration versions); a NATS JetStream store (the WAN queue and the outbox) is to implement the
//! queue traits later. What the traits mean is tested once, against both (`store-tests`).

use std::path::Path;

use dcc::error::DccError;
use dcc::model::smi::StatusChange;
use dcc::model::{Device, OrgCertRecord, Premises, Registration, RegistrationRole, User};
use dcc::store::{
    InventoryTx, JobKind, Outbox, OutboxItem, PendingPreCommand, RequestCounter, RequestRecord,
    RequestsTx, Store, StoreError, UsersTx, WanJob, WanQueue,
};
use eui::Eui64;
use rusqlite::{Connection, OptionalExtension, params};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use wan::{DeviceStateWrite, StoredDeviceState, WanFault};

pub use dcc::store::{OperatorAuditEntry, OperatorAuditTx};

mod group;
mod products;
mod readers;
pub use group::SiteStats;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod group_tests;
mod operator;
mod schedules;
mod smki;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod smki_ca_tests;

/// Migrations, applied in order; `PRAGMA user_version` records how many have run.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE users (
    eui TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    roles TEXT NOT NULL,
    response_url TEXT,
    suspended INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE org_certs (
    serial TEXT PRIMARY KEY,
    issuer TEXT NOT NULL,
    subject_eui TEXT NOT NULL,
    role INTEGER NOT NULL,
    public_key BLOB NOT NULL,
    der BLOB NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE counters (
    originator TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    uprn TEXT,
    body TEXT NOT NULL
);
CREATE INDEX devices_uprn ON devices(uprn);
CREATE TABLE device_certs (
    id TEXT NOT NULL,
    usage TEXT NOT NULL,
    der BLOB NOT NULL,
    PRIMARY KEY (id, usage)
);
CREATE TABLE premises (
    uprn TEXT PRIMARY KEY,
    postcode TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX premises_postcode ON premises(postcode);
CREATE TABLE registrations (
    mpxn TEXT NOT NULL,
    role TEXT NOT NULL,
    party TEXT NOT NULL,
    from_date TEXT NOT NULL,
    to_date TEXT,
    PRIMARY KEY (mpxn, role, from_date)
);
CREATE TABLE requests (
    originator TEXT NOT NULL,
    counter INTEGER NOT NULL,
    target TEXT NOT NULL,
    srv TEXT NOT NULL,
    command_variant INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    response_code TEXT NOT NULL,
    response TEXT,
    PRIMARY KEY (originator, counter, command_variant)
);
"#,
    r#"
CREATE TABLE wan_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    originator TEXT NOT NULL,
    counter INTEGER NOT NULL,
    target TEXT NOT NULL,
    chf TEXT NOT NULL,
    srv TEXT NOT NULL,
    command BLOB NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at INTEGER NOT NULL,
    deadline_at INTEGER NOT NULL,
    outcome TEXT
);
CREATE INDEX wan_jobs_due ON wan_jobs(due_at) WHERE outcome IS NULL;
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient TEXT NOT NULL,
    kind TEXT NOT NULL,
    reference TEXT NOT NULL,
    document TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    delivered_at INTEGER,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox(next_at) WHERE delivered_at IS NULL;
CREATE INDEX outbox_recipient ON outbox(recipient, id);
CREATE TABLE device_state (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL
);
CREATE TABLE precommands (
    originator TEXT NOT NULL,
    counter INTEGER NOT NULL,
    target TEXT NOT NULL,
    srv TEXT NOT NULL,
    precommand BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (originator, counter)
);
"#,
    r#"
CREATE TABLE wan_faults (
    chf TEXT PRIMARY KEY,
    mode TEXT NOT NULL,
    param INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE wan_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chf TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
);
"#,
    r#"
CREATE INDEX wan_jobs_device ON wan_jobs(target, id) WHERE outcome IS NULL;
"#,
    // The SMKI service: its certificate authorities and its repository (see `smki.rs`).
    r#"
CREATE TABLE smki_cas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    environment TEXT NOT NULL,
    cert_der BLOB NOT NULL,
    key_pkcs8 BLOB,
    created_at INTEGER NOT NULL,
    issued_count INTEGER NOT NULL DEFAULT 0,
    retired_at INTEGER,
    destroyed_at INTEGER,
    destruction_record TEXT
);
CREATE TABLE smki_certificates (
    serial TEXT PRIMARY KEY,
    serial_decimal TEXT NOT NULL,
    environment TEXT NOT NULL,
    kind TEXT NOT NULL,
    usage TEXT NOT NULL,
    subject_eui TEXT,
    role INTEGER,
    subscriber TEXT,
    issuer_ca INTEGER REFERENCES smki_cas(id),
    public_key BLOB NOT NULL,
    issued_at INTEGER NOT NULL,
    not_after INTEGER NOT NULL,
    status TEXT NOT NULL,
    revoked_at INTEGER,
    revocation_reason TEXT,
    der BLOB NOT NULL
);
CREATE INDEX smki_certificates_subject ON smki_certificates(subject_eui, environment);
CREATE INDEX smki_certificates_key ON smki_certificates(public_key);
"#,
    // SMKI revocation lists (CRL / ARL) as published, and the SMKI audit log (PMA actions,
    // revocations, publications, roll-overs): task H-CA, see `smki.rs`.
    r#"
CREATE TABLE smki_revocation_lists (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    environment TEXT NOT NULL,
    issuer_ca INTEGER NOT NULL REFERENCES smki_cas(id),
    number INTEGER NOT NULL,
    this_update INTEGER NOT NULL,
    next_update INTEGER NOT NULL,
    der BLOB NOT NULL,
    UNIQUE (kind, environment, number)
);
CREATE TABLE smki_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    reason TEXT,
    detail TEXT
);
CREATE INDEX smki_certificates_status ON smki_certificates(status, environment, kind);
"#,
    // SMKI Authorised Subscribers, batched CSRs and device certificate forecasts (H-ISS).
    r#"
CREATE TABLE smki_subscribers (
    eui TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    admitted_at INTEGER NOT NULL,
    admitted_by TEXT NOT NULL,
    evidence TEXT NOT NULL
);
CREATE TABLE smki_batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subscriber TEXT NOT NULL,
    environment TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    total INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    issued INTEGER NOT NULL DEFAULT 0,
    refused INTEGER NOT NULL DEFAULT 0,
    finished_at INTEGER
);
CREATE INDEX smki_batches_open ON smki_batches(id) WHERE finished_at IS NULL;
CREATE TABLE smki_batch_items (
    batch_id INTEGER NOT NULL REFERENCES smki_batches(id),
    idx INTEGER NOT NULL,
    csr BLOB NOT NULL,
    serial TEXT,
    refusal TEXT,
    PRIMARY KEY (batch_id, idx)
);
CREATE INDEX smki_batch_items_pending ON smki_batch_items(batch_id, idx)
    WHERE serial IS NULL AND refusal IS NULL;
CREATE TABLE smki_forecasts (
    subscriber TEXT NOT NULL,
    month TEXT NOT NULL,
    count INTEGER NOT NULL,
    submitted_at INTEGER NOT NULL,
    PRIMARY KEY (subscriber, month)
);
CREATE INDEX smki_certificates_subscriber ON smki_certificates(subscriber, kind, issued_at);
"#,
    // A device's report on a command it was sent (a future-dated outcome alert) names the
    // command by originator, recipient and counter.
    r#"
CREATE INDEX wan_jobs_sent ON wan_jobs(originator, counter, target);
"#,
    // Future dating: a DSP future-dated command is held until its due time (`hold_wan`).
    r#"
ALTER TABLE wan_jobs ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
"#,
    // DCC schedules (5.1) and the runs made for them.
    r#"
CREATE TABLE schedules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT NOT NULL,
    device TEXT NOT NULL,
    srv TEXT NOT NULL,
    details TEXT NOT NULL,
    created_counter INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    next_run_at INTEGER,
    last_run_at INTEGER
);
CREATE INDEX schedules_due ON schedules(next_run_at) WHERE next_run_at IS NOT NULL;
CREATE TABLE schedule_runs (
    originator TEXT NOT NULL,
    counter INTEGER NOT NULL,
    schedule_id INTEGER NOT NULL,
    PRIMARY KEY (originator, counter)
) WITHOUT ROWID;
"#,
    // The operator's actions on the DCC's own records, such as resetting a user's RequestID
    // counter floor (`operator.rs`).
    r#"
CREATE TABLE operator_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
"#,
    // Anti-replay counters per (originator, target) (`dcc::gateway::check_counter`). The
    // per-originator counters become each originator's floor (target `*`): a counter at or
    // below it stays refused for every target, and the DCC's own originator counters (ACB,
    // DCC alerts) go on from it. A counter may now be used once per target, so the tables keyed
    // by a RequestID's originator and counter are keyed by its target too.
    r#"
CREATE TABLE request_counters (
    originator TEXT NOT NULL,
    target TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (originator, target)
) WITHOUT ROWID;
INSERT INTO request_counters (originator, target, last) SELECT originator, '*', last FROM counters;
DROP TABLE counters;
ALTER TABLE request_counters RENAME TO counters;
CREATE TABLE requests_by_target (
    originator TEXT NOT NULL,
    counter INTEGER NOT NULL,
    target TEXT NOT NULL,
    srv TEXT NOT NULL,
    command_variant INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    response_code TEXT NOT NULL,
    response TEXT,
    PRIMARY KEY (originator, target, counter, command_variant)
);
INSERT INTO requests_by_target SELECT originator, counter, target, srv, command_variant,
    received_at, response_code, response FROM requests;
DROP TABLE requests;
ALTER TABLE requests_by_target RENAME TO requests;
CREATE TABLE precommands_by_target (
    originator TEXT NOT NULL,
    counter INTEGER NOT NULL,
    target TEXT NOT NULL,
    srv TEXT NOT NULL,
    precommand BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (originator, target, counter)
);
INSERT INTO precommands_by_target SELECT originator, counter, target, srv, precommand,
    created_at, used FROM precommands;
DROP TABLE precommands;
ALTER TABLE precommands_by_target RENAME TO precommands;
CREATE TABLE schedule_runs_by_target (
    originator TEXT NOT NULL,
    target TEXT NOT NULL,
    counter INTEGER NOT NULL,
    schedule_id INTEGER NOT NULL,
    PRIMARY KEY (originator, target, counter)
) WITHOUT ROWID;
INSERT INTO schedule_runs_by_target (originator, target, counter, schedule_id)
    SELECT r.originator, COALESCE(s.device, ''), r.counter, r.schedule_id
    FROM schedule_runs r LEFT JOIN schedules s ON s.id = r.schedule_id;
DROP TABLE schedule_runs;
ALTER TABLE schedule_runs_by_target RENAME TO schedule_runs;
"#,
    // Emulated devices' state in the compact form (`devices::stored`), in parts written apart:
    // the body (rewritten only when it changes), the counters (after every command, with how
    // many events the device has ever logged) and the event log as rows (appended, the oldest
    // dropped). `device_state` keeps JSON rows stored before, each until its device's next write.
    r#"
CREATE TABLE device_body (
    id TEXT PRIMARY KEY,
    body BLOB NOT NULL
);
CREATE TABLE device_counters (
    id TEXT PRIMARY KEY,
    counters BLOB NOT NULL,
    events INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE device_events (
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    event BLOB NOT NULL,
    PRIMARY KEY (id, seq)
) WITHOUT ROWID;
"#,
    // The WAN poll (`due_wan_jobs`) takes the oldest unfinished commands in id order, a few at
    // a time: this index walks them in that order instead of sorting every due command, which
    // under a backlog cost more than the commands themselves.
    r#"
CREATE INDEX wan_jobs_open ON wan_jobs(id) WHERE outcome IS NULL;
"#,
    // A device keeps several logs apart (event, security, ALCS: `devices::LogKind`): each event
    // row carries its log's number, each log keeps its newest events, and a device that clears
    // a log has its rows replaced. Rows stored before count as the event log's (a clear rewrites
    // them by their kind).
    r#"
ALTER TABLE device_events ADD COLUMN log INTEGER NOT NULL DEFAULT 0;
CREATE INDEX device_events_log ON device_events(id, log, seq);
"#,
    // The SMI status history (`dcc::smi`): one row per change of a device's status, numbered
    // per device; `from_status` NULL when the device entered the inventory; `cause` a service
    // reference variant or `dcc:<process>`, `by_party` the user's EUI-64 or `DCC`.
    r#"
CREATE TABLE device_status_history (
    device TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    cause TEXT NOT NULL,
    by_party TEXT NOT NULL,
    PRIMARY KEY (device, seq)
);
"#,
    // The Certified Products List (`cpl`, `dcc::products`): one row per entry (its key
    // `TYPE/manufacturer/model/hardware`, the entry as JSON), and the notices of its changes,
    // one row per SEC Party told.
    r#"
CREATE TABLE cpl_models (
    key TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE cpl_notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    party TEXT NOT NULL,
    at INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX cpl_notices_party ON cpl_notices(party, id);
"#,
];

/// The `counters` row of an originator's floor (its counter over every target).
const FLOOR: &str = "*";

/// The SQLite store.
pub struct SqliteStore {
    db: group::Db,
    /// Read-only connections for [`Store::read`] (none for an in-memory database, which no
    /// second connection can open: its reads go through `db`).
    readers: Option<readers::Readers>,
}

impl SqliteStore {
    /// Opens (creating if need be) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(err)?;
        let mut s = Self::init(conn)?;
        s.readers = Some(readers::Readers::new(path));
        Ok(s)
    }

    /// A private in-memory database (for unit tests of code above the store).
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory().map_err(err)?)
    }

    fn init(mut conn: Connection) -> Result<Self, StoreError> {
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(err)?;
        // Deleted and overwritten content is zeroed in the file (a destroyed CA key must not
        // linger in free pages); see `checkpoint_truncate` for the WAL.
        conn.pragma_update(None, "secure_delete", "ON")
            .map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err)?;
        // Every statement the store runs stays compiled (there are about forty).
        conn.set_prepared_statement_cache_capacity(128);
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(err)?;
        let tx = conn.transaction().map_err(err)?;
        for (i, m) in MIGRATIONS.iter().enumerate() {
            let n = i64::try_from(i).map_err(err)? + 1;
            if n > version {
                tx.execute_batch(m).map_err(err)?;
                tx.pragma_update(None, "user_version", n).map_err(err)?;
            }
        }
        tx.commit().map_err(err)?;
        Ok(Self {
            db: group::Db::new(conn),
            readers: None,
        })
    }

    /// Successful commits (each one `fsync` of the WAL) since the store was opened; with group
    /// commit one covers every transaction of its batch.
    pub fn commits(&self) -> u64 {
        self.db.commits()
    }

    /// What the transactions opened from each place in the code have cost since the store was
    /// opened (how many, how long their closures held the connection, how long their callers
    /// waited in all), most time held first: where the one connection's time goes.
    pub fn transaction_stats(&self) -> Vec<(String, group::SiteStats)> {
        self.db
            .stats()
            .into_iter()
            .map(|(at, s)| (format!("{}:{}", at.file(), at.line()), s))
            .collect()
    }
}

impl Store for SqliteStore {
    type Tx<'t> = SqliteTx<'t>;

    #[track_caller]
    fn transaction_in<T>(
        &self,
        f: impl FnOnce(&mut SqliteTx<'_>) -> Result<T, DccError>,
    ) -> Result<T, DccError> {
        self.db.run(f, |e| DccError::from(StoreError(e)))
    }

    #[track_caller]
    fn read_in<T>(
        &self,
        f: impl FnOnce(&mut SqliteTx<'_>) -> Result<T, DccError>,
    ) -> Result<T, DccError> {
        match &self.readers {
            Some(r) => r.run(f, |e| DccError::from(StoreError(e))),
            None => self.db.run(f, |e| DccError::from(StoreError(e))),
        }
    }
}

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

/// One transaction of the store: every aggregate of the core (`dcc::store::Tx`) and the WAN
/// emulation's state (`wan::EmulatorTx`), committed together. With group commit it is a savepoint
/// of the batch's SQLite transaction (see `group`), kept or rolled back on its own.
pub struct SqliteTx<'c> {
    pub(crate) tx: &'c Connection,
}

impl SqliteTx<'_> {
    /// Runs a statement from the connection's statement cache (compiled once per connection).
    fn execute<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.tx.prepare_cached(sql)?.execute(params)
    }

    /// Queries one row with a cached statement.
    fn query_row<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        self.tx.prepare_cached(sql)?.query_row(params, f)
    }
}

fn parse_eui(s: &str) -> Result<Eui64, StoreError> {
    s.parse().map_err(err)
}

fn parse_srv(s: &str) -> Result<duis::Srv, StoreError> {
    s.parse().map_err(err)
}

fn roles_to_text(roles: &[duis::UserRole]) -> String {
    roles
        .iter()
        .map(|r| r.as_code())
        .collect::<Vec<_>>()
        .join(",")
}

fn roles_from_text(s: &str) -> Result<Vec<duis::UserRole>, StoreError> {
    s.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<duis::UserRole>().map_err(err))
        .collect()
}

fn date_text(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn parse_date(s: &str) -> Result<Date, StoreError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, &fmt).map_err(err)
}

fn user_row(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<(String, String, String, Option<String>, bool)> {
    <(String, String, String, Option<String>, bool)>::try_from(r)
}

fn to_user(
    (eui, name, roles, response_url, suspended): (String, String, String, Option<String>, bool),
) -> Result<User, StoreError> {
    Ok(User {
        eui: parse_eui(&eui)?,
        name,
        roles: roles_from_text(&roles)?,
        response_url,
        suspended,
    })
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(err)
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(err)
}

const USER_COLS: &str = "SELECT eui, name, roles, response_url, suspended FROM users";

impl UsersTx for SqliteTx<'_> {
    fn user(&mut self, eui: Eui64) -> Result<Option<User>, StoreError> {
        self.query_row(
            &format!("{USER_COLS} WHERE eui = ?1"),
            [eui.to_string()],
            user_row,
        )
        .optional()
        .map_err(err)?
        .map(to_user)
        .transpose()
    }

    fn user_by_name(&mut self, name: &str) -> Result<Option<User>, StoreError> {
        self.query_row(&format!("{USER_COLS} WHERE name = ?1"), [name], user_row)
            .optional()
            .map_err(err)?
            .map(to_user)
            .transpose()
    }

    fn users(&mut self) -> Result<Vec<User>, StoreError> {
        let mut st = self
            .tx
            .prepare_cached(&format!("{USER_COLS} ORDER BY name"))
            .map_err(err)?;
        let rows = st.query_map([], user_row).map_err(err)?;
        rows.map(|r| r.map_err(err).and_then(to_user)).collect()
    }

    fn put_user(&mut self, u: &User) -> Result<(), StoreError> {
        self.execute(
                "INSERT INTO users (eui, name, roles, response_url, suspended) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(eui) DO UPDATE SET name = excluded.name, roles = excluded.roles,
                   response_url = excluded.response_url, suspended = excluded.suspended",
                params![
                    u.eui.to_string(),
                    u.name,
                    roles_to_text(&u.roles),
                    u.response_url,
                    u.suspended
                ],
            )
            .map_err(err)?;
        Ok(())
    }

    fn org_cert(&mut self, serial: &str) -> Result<Option<OrgCertRecord>, StoreError> {
        let row = self
            .query_row(
                "SELECT serial, issuer, subject_eui, role, public_key, der, revoked FROM org_certs WHERE serial = ?1",
                [serial],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, u8>(3)?,
                        r.get::<_, Vec<u8>>(4)?,
                        r.get::<_, Vec<u8>>(5)?,
                        r.get::<_, bool>(6)?,
                    ))
                },
            )
            .optional()
            .map_err(err)?;
        row.map(|(serial, issuer, eui, role, public_key, der, revoked)| {
            Ok(OrgCertRecord {
                serial,
                issuer,
                subject_eui: parse_eui(&eui)?,
                role,
                public_key,
                der,
                revoked,
            })
        })
        .transpose()
    }

    fn put_org_cert(&mut self, c: &OrgCertRecord) -> Result<(), StoreError> {
        self.execute(
                "INSERT OR REPLACE INTO org_certs (serial, issuer, subject_eui, role, public_key, der, revoked)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    c.serial,
                    c.issuer,
                    c.subject_eui.to_string(),
                    c.role,
                    c.public_key,
                    c.der,
                    c.revoked
                ],
            )
            .map_err(err)?;
        Ok(())
    }

    fn org_certs_of(&mut self, eui: Eui64) -> Result<Vec<OrgCertRecord>, StoreError> {
        let mut st = self
            .tx
            .prepare_cached("SELECT serial FROM org_certs WHERE subject_eui = ?1 ORDER BY serial")
            .map_err(err)?;
        let serials: Vec<String> = st
            .query_map([eui.to_string()], |r| r.get(0))
            .map_err(err)?
            .collect::<Result<_, _>>()
            .map_err(err)?;
        drop(st);
        let mut out = Vec::with_capacity(serials.len());
        for s in serials {
            if let Some(c) = self.org_cert(&s)? {
                out.push(c);
            }
        }
        Ok(out)
    }

    fn is_test_certificate_key(&mut self, public_key: &[u8]) -> Result<bool, StoreError> {
        self.query_row(
            "SELECT EXISTS (SELECT 1 FROM smki_certificates \
             WHERE public_key = ?1 AND environment = 'test')",
            [public_key],
            |r| r.get(0),
        )
        .map_err(err)
    }

    fn request_counter(
        &mut self,
        originator: Eui64,
        target: Eui64,
    ) -> Result<RequestCounter, StoreError> {
        let target = target.to_string();
        let mut st = self
            .tx
            .prepare_cached(
                "SELECT target, last FROM counters WHERE originator = ?1 AND target IN (?2, ?3)",
            )
            .map_err(err)?;
        let rows = st
            .query_map(params![originator.to_string(), target, FLOOR], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .map_err(err)?;
        let mut out = RequestCounter::default();
        for row in rows {
            let (t, last) = row.map_err(err)?;
            // Counters are u64; SQLite integers are i64: stored bit for bit.
            let last = Some(last as u64);
            if t == FLOOR {
                out.floor = last;
            } else {
                out.last = last;
            }
        }
        Ok(out)
    }

    fn set_request_counter(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
    ) -> Result<(), StoreError> {
        self.put_counter(&originator.to_string(), &target.to_string(), counter)
    }

    fn highest_counter(&mut self, originator: Eui64) -> Result<Option<u64>, StoreError> {
        // MAX over the i64 bit patterns would put counters above 2⁶³−1 below the rest.
        let mut st = self
            .tx
            .prepare_cached("SELECT last FROM counters WHERE originator = ?1")
            .map_err(err)?;
        let rows = st
            .query_map([originator.to_string()], |r| r.get::<_, i64>(0))
            .map_err(err)?;
        let mut highest = None;
        for v in rows {
            highest = highest.max(Some(v.map_err(err)? as u64));
        }
        Ok(highest)
    }

    fn reset_counter_floor(&mut self, originator: Eui64, value: u64) -> Result<(), StoreError> {
        let o = originator.to_string();
        self.execute(
            "UPDATE counters SET last = ?2 WHERE originator = ?1",
            params![o, value as i64],
        )
        .map_err(err)?;
        self.put_counter(&o, FLOOR, value)
    }

    fn next_dcc_counter(&mut self, originator: Eui64) -> Result<u64, StoreError> {
        let o = originator.to_string();
        let last: Option<i64> = self
            .query_row(
                "SELECT last FROM counters WHERE originator = ?1 AND target = ?2",
                params![o, FLOOR],
                |r| r.get(0),
            )
            .optional()
            .map_err(err)?;
        let next = last.map_or(1, |l| (l as u64).saturating_add(1));
        self.put_counter(&o, FLOOR, next)?;
        Ok(next)
    }
}

impl SqliteTx<'_> {
    fn put_counter(
        &mut self,
        originator: &str,
        target: &str,
        counter: u64,
    ) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO counters (originator, target, last) VALUES (?1, ?2, ?3)
                 ON CONFLICT(originator, target) DO UPDATE SET last = excluded.last",
            params![originator, target, counter as i64],
        )
        .map_err(err)?;
        Ok(())
    }
}

impl InventoryTx for SqliteTx<'_> {
    fn device(&mut self, id: Eui64) -> Result<Option<Device>, StoreError> {
        let body: Option<String> = self
            .query_row(
                "SELECT body FROM devices WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()
            .map_err(err)?;
        body.map(|b| from_json(&b)).transpose()
    }

    fn devices_at(&mut self, uprn: &str) -> Result<Vec<Device>, StoreError> {
        let mut st = self
            .tx
            .prepare_cached("SELECT body FROM devices WHERE uprn = ?1 ORDER BY id")
            .map_err(err)?;
        let rows = st
            .query_map([uprn], |r| r.get::<_, String>(0))
            .map_err(err)?;
        rows.map(|r| r.map_err(err).and_then(|b| from_json(&b)))
            .collect()
    }

    fn devices(&mut self) -> Result<Vec<Device>, StoreError> {
        let mut st = self
            .tx
            .prepare_cached("SELECT body FROM devices ORDER BY id")
            .map_err(err)?;
        let rows = st.query_map([], |r| r.get::<_, String>(0)).map_err(err)?;
        rows.map(|r| r.map_err(err).and_then(|b| from_json(&b)))
            .collect()
    }

    fn put_device(&mut self, d: &Device) -> Result<(), StoreError> {
        self.execute(
            "INSERT OR REPLACE INTO devices (id, uprn, body) VALUES (?1, ?2, ?3)",
            params![d.id.to_string(), d.uprn, json(d)?],
        )
        .map_err(err)?;
        // SMKI repository: a device's certificates are pending (`P`) until the device is in the
        // inventory, then in use (`I`); same transaction.
        self.execute(
            "UPDATE smki_certificates SET status = 'I' \
             WHERE subject_eui = ?1 AND kind = 'device' AND status = 'P'",
            [d.id.to_string()],
        )
        .map_err(err)?;
        Ok(())
    }

    fn delete_device(&mut self, id: Eui64) -> Result<bool, StoreError> {
        let n = self
            .execute("DELETE FROM devices WHERE id = ?1", [id.to_string()])
            .map_err(err)?;
        Ok(n > 0)
    }

    fn push_status_change(&mut self, c: &StatusChange) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO device_status_history \
                 (device, seq, at, from_status, to_status, cause, by_party) \
             SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5, ?6 \
             FROM device_status_history WHERE device = ?1",
            params![
                c.device.to_string(),
                c.at_ms(),
                c.from.map(|s| s.as_str()),
                c.to.as_str(),
                c.cause.to_string(),
                c.by.to_string()
            ],
        )
        .map_err(err)?;
        Ok(())
    }

    fn status_history(&mut self, id: Eui64) -> Result<Vec<StatusChange>, StoreError> {
        type Row = (i64, Option<String>, String, String, String);
        let mut st = self
            .tx
            .prepare_cached(
                "SELECT at, from_status, to_status, cause, by_party \
                 FROM device_status_history WHERE device = ?1 ORDER BY seq",
            )
            .map_err(err)?;
        let rows = st
            .query_map([id.to_string()], |r| {
                Ok::<Row, _>((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .map_err(err)?;
        rows.map(|r| {
            let (at, from, to, cause, by) = r.map_err(err)?;
            StatusChange::from_stored(id, at, from.as_deref(), &to, &cause, &by).map_err(err)
        })
        .collect()
    }

    fn device_certs(&mut self, id: Eui64) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut st = self
            .tx
            .prepare_cached("SELECT der FROM device_certs WHERE id = ?1 ORDER BY usage")
            .map_err(err)?;
        let rows = st
            .query_map([id.to_string()], |r| r.get::<_, Vec<u8>>(0))
            .map_err(err)?;
        rows.map(|r| r.map_err(err)).collect()
    }

    fn device_cert(&mut self, id: Eui64, usage: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.query_row(
            "SELECT der FROM device_certs WHERE id = ?1 AND usage = ?2",
            params![id.to_string(), usage],
            |r| r.get(0),
        )
        .optional()
        .map_err(err)
    }

    fn put_device_cert(&mut self, id: Eui64, usage: &str, der: &[u8]) -> Result<(), StoreError> {
        self.execute(
            "INSERT OR REPLACE INTO device_certs (id, usage, der) VALUES (?1, ?2, ?3)",
            params![id.to_string(), usage, der],
        )
        .map_err(err)?;
        Ok(())
    }

    fn premises(&mut self, uprn: &str) -> Result<Option<Premises>, StoreError> {
        let body: Option<String> = self
            .query_row("SELECT body FROM premises WHERE uprn = ?1", [uprn], |r| {
                r.get(0)
            })
            .optional()
            .map_err(err)?;
        body.map(|b| from_json(&b)).transpose()
    }

    fn premises_by_postcode(&mut self, postcode: &str) -> Result<Vec<Premises>, StoreError> {
        let key = normalise_postcode(postcode);
        let mut st = self
            .tx
            .prepare_cached("SELECT body FROM premises WHERE postcode = ?1 ORDER BY uprn")
            .map_err(err)?;
        let rows = st
            .query_map([key], |r| r.get::<_, String>(0))
            .map_err(err)?;
        rows.map(|r| r.map_err(err).and_then(|b| from_json(&b)))
            .collect()
    }

    fn put_premises(&mut self, p: &Premises) -> Result<(), StoreError> {
        self.execute(
            "INSERT OR REPLACE INTO premises (uprn, postcode, body) VALUES (?1, ?2, ?3)",
            params![p.uprn, normalise_postcode(&p.postcode), json(p)?],
        )
        .map_err(err)?;
        Ok(())
    }

    fn registrations(&mut self, mpxn: &str) -> Result<Vec<Registration>, StoreError> {
        let mut st = self
            .tx
            .prepare_cached(
                "SELECT mpxn, role, party, from_date, to_date FROM registrations WHERE mpxn = ?1 ORDER BY from_date",
            )
            .map_err(err)?;
        let rows = st
            .query_map([mpxn], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })
            .map_err(err)?;
        rows.map(|r| {
            let (mpxn, role, party, from, to) = r.map_err(err)?;
            Ok(Registration {
                mpxn,
                role: role.parse::<RegistrationRole>().map_err(err)?,
                party: parse_eui(&party)?,
                from: parse_date(&from)?,
                to: to.as_deref().map(parse_date).transpose()?,
            })
        })
        .collect()
    }

    fn put_registration(&mut self, r: &Registration) -> Result<(), StoreError> {
        self.execute(
                "INSERT OR REPLACE INTO registrations (mpxn, role, party, from_date, to_date) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    r.mpxn,
                    r.role.as_str(),
                    r.party.to_string(),
                    date_text(r.from),
                    r.to.map(date_text)
                ],
            )
            .map_err(err)?;
        Ok(())
    }
}

impl RequestsTx for SqliteTx<'_> {
    fn record_request(&mut self, r: &RequestRecord) -> Result<(), StoreError> {
        self.execute(
                "INSERT INTO requests (originator, counter, target, srv, command_variant, received_at, response_code, response)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    r.originator.to_string(),
                    r.counter as i64,
                    r.target.to_string(),
                    r.srv.as_str(),
                    r.command_variant,
                    r.received_at.format(&Rfc3339).map_err(err)?,
                    r.response_code,
                    r.response
                ],
            )
            .map_err(err)?;
        Ok(())
    }

    fn request(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
    ) -> Result<Option<RequestRecord>, StoreError> {
        let row = self
            .query_row(
                "SELECT target, srv, command_variant, received_at, response_code, response FROM requests
                 WHERE originator = ?1 AND target = ?2 AND counter = ?3
                 ORDER BY command_variant DESC LIMIT 1",
                params![originator.to_string(), target.to_string(), counter as i64],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, u8>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<String>>(5)?,
                    ))
                },
            )
            .optional()
            .map_err(err)?;
        row.map(|(target, srv, cv, at, code, response)| {
            Ok(RequestRecord {
                originator,
                target: parse_eui(&target)?,
                counter,
                srv: parse_srv(&srv)?,
                command_variant: cv,
                received_at: OffsetDateTime::parse(&at, &Rfc3339).map_err(err)?,
                response_code: code,
                response,
            })
        })
        .transpose()
    }

    fn put_precommand(&mut self, p: &PendingPreCommand) -> Result<(), StoreError> {
        self.execute(
                "INSERT INTO precommands (originator, counter, target, srv, precommand, created_at, used)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    p.originator.to_string(),
                    p.counter as i64,
                    p.target.to_string(),
                    p.srv.as_str(),
                    p.precommand,
                    p.created_at,
                    p.used
                ],
            )
            .map_err(err)?;
        Ok(())
    }

    fn precommand(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
    ) -> Result<Option<PendingPreCommand>, StoreError> {
        let row = self
            .query_row(
                "SELECT target, srv, precommand, created_at, used FROM precommands
                 WHERE originator = ?1 AND target = ?2 AND counter = ?3",
                params![originator.to_string(), target.to_string(), counter as i64],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Vec<u8>>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, bool>(4)?,
                    ))
                },
            )
            .optional()
            .map_err(err)?;
        row.map(|(target, srv, precommand, created_at, used)| {
            Ok(PendingPreCommand {
                originator,
                counter,
                target: parse_eui(&target)?,
                srv: parse_srv(&srv)?,
                precommand,
                created_at,
                used,
            })
        })
        .transpose()
    }

    fn use_precommand(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE precommands SET used = 1 WHERE originator = ?1 AND target = ?2 AND counter = ?3",
            params![originator.to_string(), target.to_string(), counter as i64],
        )
        .map_err(err)?;
        Ok(())
    }
}

impl SqliteTx<'_> {
    fn insert_wan_job(&mut self, j: &WanJob, held: bool) -> Result<i64, StoreError> {
        self.execute(
                "INSERT INTO wan_jobs (originator, counter, target, chf, srv, command, attempts, due_at, deadline_at, held)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    j.originator.to_string(),
                    j.counter as i64,
                    j.target.to_string(),
                    j.chf.to_string(),
                    j.kind.as_str(),
                    j.command,
                    j.attempts,
                    j.due_at,
                    j.deadline_at,
                    held
                ],
            )
            .map_err(err)?;
        Ok(self.tx.last_insert_rowid())
    }
}

impl WanQueue for SqliteTx<'_> {
    fn enqueue_wan(&mut self, j: &WanJob) -> Result<i64, StoreError> {
        self.insert_wan_job(j, false)
    }

    fn hold_wan(&mut self, j: &WanJob) -> Result<i64, StoreError> {
        self.insert_wan_job(j, true)
    }

    fn due_wan_jobs(&mut self, now_ms: i64, limit: usize) -> Result<Vec<WanJob>, StoreError> {
        let mut st = self.tx.prepare_cached(&due_wan_jobs_sql()).map_err(err)?;
        let rows = st
            .query_map(params![now_ms, limit as i64], wan_row)
            .map_err(err)?;
        rows.map(|r| r.map_err(err).and_then(to_wan_job)).collect()
    }

    fn wan_job(&mut self, id: i64) -> Result<Option<WanJob>, StoreError> {
        self.query_row(
            &format!("{WAN_COLS} WHERE id = ?1 AND outcome IS NULL"),
            [id],
            wan_row,
        )
        .optional()
        .map_err(err)?
        .map(to_wan_job)
        .transpose()
    }

    fn oldest_open_wan_job(
        &mut self,
        target: Eui64,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        self.query_row(
            "SELECT MIN(id) FROM wan_jobs WHERE target = ?1 AND outcome IS NULL
               AND (held = 0 OR due_at <= ?2)",
            params![target.to_string(), now_ms],
            |r| r.get(0),
        )
        .map_err(err)
    }

    fn sent_command(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
    ) -> Result<Option<WanJob>, StoreError> {
        // A user's command carries the RequestID's originator and counter as its GBCS ones;
        // commands the DCC originates under its own counter are not found this way.
        self.query_row(
            &format!(
                "{WAN_COLS} WHERE originator = ?1 AND target = ?2 AND counter = ?3
                 ORDER BY id DESC LIMIT 1"
            ),
            params![originator.to_string(), target.to_string(), counter as i64],
            wan_row,
        )
        .optional()
        .map_err(err)?
        .map(to_wan_job)
        .transpose()
    }

    fn retry_wan_job(&mut self, id: i64, attempts: u32, due_at: i64) -> Result<(), StoreError> {
        self.execute(
            // Once tried, a held job is an ordinary one, first in its device's order.
            "UPDATE wan_jobs SET attempts = ?2, due_at = ?3, held = 0 WHERE id = ?1",
            params![id, attempts, due_at],
        )
        .map_err(err)?;
        Ok(())
    }

    fn finish_wan_job(&mut self, id: i64, outcome: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE wan_jobs SET outcome = ?2 WHERE id = ?1",
            params![id, outcome],
        )
        .map_err(err)?;
        Ok(())
    }

    fn pending_wan_jobs(&mut self) -> Result<usize, StoreError> {
        let n: i64 = self
            .query_row(
                "SELECT COUNT(*) FROM wan_jobs WHERE outcome IS NULL",
                [],
                |r| r.get(0),
            )
            .map_err(err)?;
        usize::try_from(n).map_err(err)
    }

    fn next_wan_due_after(&mut self, now_ms: i64) -> Result<Option<i64>, StoreError> {
        self.query_row(
            "SELECT MIN(due_at) FROM wan_jobs WHERE outcome IS NULL AND due_at > ?1",
            [now_ms],
            |r| r.get(0),
        )
        .map_err(err)
    }
}

impl Outbox for SqliteTx<'_> {
    fn push_outbox(&mut self, o: &OutboxItem) -> Result<i64, StoreError> {
        self.execute(
                "INSERT INTO outbox (recipient, kind, reference, document, created_at, attempts, next_at, delivered_at, last_error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    o.recipient.to_string(),
                    o.kind,
                    o.reference,
                    o.document,
                    o.created_at,
                    o.attempts,
                    o.next_at,
                    o.delivered_at,
                    o.last_error
                ],
            )
            .map_err(err)?;
        Ok(self.tx.last_insert_rowid())
    }

    fn due_outbox(&mut self, now_ms: i64, limit: usize) -> Result<Vec<OutboxItem>, StoreError> {
        let mut st = self
            .tx
            .prepare_cached(&format!(
                "{OUTBOX_COLS} WHERE delivered_at IS NULL AND next_at <= ?1 ORDER BY next_at, id LIMIT ?2"
            ))
            .map_err(err)?;
        let rows = st
            .query_map(params![now_ms, limit as i64], outbox_row)
            .map_err(err)?;
        rows.map(|r| r.map_err(err).and_then(to_outbox)).collect()
    }

    fn due_outbox_ids(&mut self, now_ms: i64, limit: usize) -> Result<Vec<i64>, StoreError> {
        // Read from the partial index `outbox_due` alone (next_at and the rowid).
        let mut st = self
            .tx
            .prepare_cached(
                "SELECT id FROM outbox WHERE delivered_at IS NULL AND next_at <= ?1 ORDER BY next_at, id LIMIT ?2",
            )
            .map_err(err)?;
        let rows = st
            .query_map(params![now_ms, limit as i64], |r| r.get(0))
            .map_err(err)?;
        rows.map(|r| r.map_err(err)).collect()
    }

    fn next_outbox_after(&mut self, now_ms: i64) -> Result<Option<i64>, StoreError> {
        self.query_row(
            "SELECT MIN(next_at) FROM outbox WHERE delivered_at IS NULL AND next_at > ?1",
            [now_ms],
            |r| r.get(0),
        )
        .map_err(err)
    }

    fn outbox_item(&mut self, id: i64) -> Result<Option<OutboxItem>, StoreError> {
        self.query_row(&format!("{OUTBOX_COLS} WHERE id = ?1"), [id], outbox_row)
            .optional()
            .map_err(err)?
            .map(to_outbox)
            .transpose()
    }

    fn outbox_delivered(&mut self, id: i64, at_ms: i64) -> Result<(), StoreError> {
        self.execute(
                "UPDATE outbox SET delivered_at = ?2, attempts = attempts + 1, last_error = NULL WHERE id = ?1 AND delivered_at IS NULL",
                params![id, at_ms],
            )
            .map_err(err)?;
        Ok(())
    }

    fn outbox_retry(
        &mut self,
        id: i64,
        attempts: u32,
        next_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE outbox SET attempts = ?2, next_at = ?3, last_error = ?4 WHERE id = ?1",
            params![id, attempts, next_at, error],
        )
        .map_err(err)?;
        Ok(())
    }

    fn outbox_for(
        &mut self,
        recipient: Eui64,
        limit: usize,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        let mut st = self
            .tx
            .prepare_cached(&format!(
                "{OUTBOX_COLS} WHERE recipient = ?1 ORDER BY id DESC LIMIT ?2"
            ))
            .map_err(err)?;
        let rows = st
            .query_map(params![recipient.to_string(), limit as i64], outbox_row)
            .map_err(err)?;
        rows.map(|r| r.map_err(err).and_then(to_outbox)).collect()
    }
}

impl wan::EmulatorTx for SqliteTx<'_> {
    fn device_state(&mut self, id: Eui64) -> Result<Option<StoredDeviceState>, StoreError> {
        let key = id.to_string();
        let compact = self
            .query_row(
                "SELECT b.body, c.counters FROM device_body b
                     JOIN device_counters c ON c.id = b.id WHERE b.id = ?1",
                [&key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(err)?;
        if let Some((body, counters)) = compact {
            return Ok(Some(StoredDeviceState::Compact { body, counters }));
        }
        let json: Option<String> = self
            .query_row(
                "SELECT state FROM device_state WHERE id = ?1",
                [&key],
                |r| r.get(0),
            )
            .optional()
            .map_err(err)?;
        Ok(json.map(StoredDeviceState::Json))
    }

    fn device_events(&mut self, id: Eui64) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut st = self
            .tx
            .prepare_cached("SELECT event FROM device_events WHERE id = ?1 ORDER BY seq")
            .map_err(err)?;
        let rows = st
            .query_map([id.to_string()], |r| r.get::<_, Vec<u8>>(0))
            .map_err(err)?;
        rows.map(|r| r.map_err(err)).collect()
    }

    fn write_device_state(
        &mut self,
        id: Eui64,
        w: &DeviceStateWrite<'_>,
    ) -> Result<(), StoreError> {
        let key = id.to_string();
        if let Some(body) = w.body {
            self.execute(
                "INSERT INTO device_body (id, body) VALUES (?1, ?2)
                     ON CONFLICT(id) DO UPDATE SET body = excluded.body",
                params![key, body],
            )
            .map_err(err)?;
            // A state stored as JSON before the compact form is replaced by it.
            self.execute("DELETE FROM device_state WHERE id = ?1", [&key])
                .map_err(err)?;
        }
        let appended = i64::try_from(w.events.len()).map_err(err)?;
        // How many events the device has logged, these included.
        let logged: i64 = match w.counters {
            Some(counters) => self
                .query_row(
                    "INSERT INTO device_counters (id, counters, events) VALUES (?1, ?2, ?3)
                         ON CONFLICT(id) DO UPDATE
                         SET counters = excluded.counters, events = events + excluded.events
                         RETURNING events",
                    params![key, counters, appended],
                    |r| r.get(0),
                )
                .map_err(err)?,
            None if appended == 0 && !w.replace_events => return Ok(()),
            None => self
                .query_row(
                    "UPDATE device_counters SET events = events + ?2 WHERE id = ?1
                         RETURNING events",
                    params![key, appended],
                    |r| r.get(0),
                )
                .optional()
                .map_err(err)?
                .ok_or_else(|| err(format!("device {id}: events without stored counters")))?,
        };
        if appended == 0 && !w.replace_events {
            return Ok(());
        }
        if w.replace_events {
            self.execute("DELETE FROM device_events WHERE id = ?1", [&key])
                .map_err(err)?;
        }
        let first = logged - appended;
        for (seq, (log, event)) in (first..).zip(w.events) {
            self.execute(
                "INSERT INTO device_events (id, seq, event, log) VALUES (?1, ?2, ?3, ?4)",
                params![key, seq, event, log],
            )
            .map_err(err)?;
        }
        let keep = i64::try_from(w.keep_events).map_err(err)?;
        // Those of a log beyond its newest `keep` go (there can be some only once more than
        // `keep` were logged in all).
        if logged > keep {
            let mut logs: Vec<u8> = w.events.iter().map(|(l, _)| *l).collect();
            logs.sort_unstable();
            logs.dedup();
            for log in logs {
                self.execute(
                    "DELETE FROM device_events WHERE id = ?1 AND log = ?2 AND seq < (
                         SELECT seq FROM device_events WHERE id = ?1 AND log = ?2
                         ORDER BY seq DESC LIMIT 1 OFFSET ?3)",
                    params![key, log, keep - 1],
                )
                .map_err(err)?;
            }
        }
        Ok(())
    }

    fn device_state_ids(&mut self) -> Result<Vec<Eui64>, StoreError> {
        let mut st = self
            .tx
            .prepare_cached(
                "SELECT id FROM device_body UNION SELECT id FROM device_state ORDER BY id",
            )
            .map_err(err)?;
        let rows = st.query_map([], |r| r.get::<_, String>(0)).map_err(err)?;
        rows.map(|r| r.map_err(err).and_then(|s| parse_eui(&s)))
            .collect()
    }

    fn wan_fault(&mut self, chf: Eui64) -> Result<Option<WanFault>, StoreError> {
        let row: Option<(String, i64)> = self
            .query_row(
                "SELECT mode, param FROM wan_faults WHERE chf = ?1",
                [chf.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(err)?;
        Ok(row.and_then(|(mode, param)| WanFault::from_parts(&mode, param)))
    }

    fn set_wan_fault(&mut self, chf: Eui64, fault: Option<WanFault>) -> Result<(), StoreError> {
        match fault {
            None => {
                self.execute("DELETE FROM wan_faults WHERE chf = ?1", [chf.to_string()])
                    .map_err(err)?;
            }
            Some(f) => {
                let (mode, param) = f.to_parts();
                self.execute(
                        "INSERT INTO wan_faults (chf, mode, param) VALUES (?1, ?2, ?3)
                         ON CONFLICT(chf) DO UPDATE SET mode = excluded.mode, param = excluded.param",
                        params![chf.to_string(), mode, param],
                    )
                    .map_err(err)?;
            }
        }
        Ok(())
    }

    fn push_wan_event(&mut self, chf: Eui64, kind: &str, at_ms: i64) -> Result<i64, StoreError> {
        self.execute(
            "INSERT INTO wan_events (chf, kind, created_at) VALUES (?1, ?2, ?3)",
            params![chf.to_string(), kind, at_ms],
        )
        .map_err(err)?;
        Ok(self.tx.last_insert_rowid())
    }

    fn take_wan_events(&mut self, limit: usize) -> Result<Vec<(i64, Eui64, String)>, StoreError> {
        let mut st = self
            .tx
            .prepare_cached(
                "SELECT id, chf, kind FROM wan_events WHERE done = 0 ORDER BY id LIMIT ?1",
            )
            .map_err(err)?;
        let rows: Vec<(i64, String, String)> = st
            .query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(err)?
            .collect::<Result<_, _>>()
            .map_err(err)?;
        drop(st);
        let mut out = Vec::with_capacity(rows.len());
        for (id, chf, kind) in rows {
            self.execute("UPDATE wan_events SET done = 1 WHERE id = ?1", [id])
                .map_err(err)?;
            out.push((id, parse_eui(&chf)?, kind));
        }
        Ok(out)
    }
}

/// Each device's oldest unfinished command that is due at `?1`, in id order, at most `?2`
/// (`WanQueue::due_wan_jobs`; walks the `wan_jobs_open` index).
fn due_wan_jobs_sql() -> String {
    format!(
        "{WAN_COLS} WHERE outcome IS NULL AND due_at <= ?1
           AND id = (SELECT MIN(w.id) FROM wan_jobs w WHERE w.target = wan_jobs.target AND w.outcome IS NULL
                     AND (w.held = 0 OR w.due_at <= ?1))
         ORDER BY id LIMIT ?2"
    )
}

const WAN_COLS: &str = "SELECT id, originator, counter, target, chf, srv, command, attempts, due_at, deadline_at FROM wan_jobs";

type WanRow = (
    i64,
    String,
    i64,
    String,
    String,
    String,
    Vec<u8>,
    u32,
    i64,
    i64,
);

/// Reads a row selected with the matching column list (rusqlite converts rows to tuples).
fn wan_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WanRow> {
    WanRow::try_from(r)
}

fn to_wan_job(
    (id, originator, counter, target, chf, srv, command, attempts, due_at, deadline_at): WanRow,
) -> Result<WanJob, StoreError> {
    Ok(WanJob {
        id,
        originator: parse_eui(&originator)?,
        counter: counter as u64,
        target: parse_eui(&target)?,
        chf: parse_eui(&chf)?,
        kind: JobKind::parse(&srv)
            .ok_or_else(|| StoreError(format!("WAN job {id}: unknown kind {srv:?}")))?,
        command,
        attempts,
        due_at,
        deadline_at,
    })
}

const OUTBOX_COLS: &str = "SELECT id, recipient, kind, reference, document, created_at, attempts, next_at, delivered_at, last_error FROM outbox";

type OutboxRow = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    u32,
    i64,
    Option<i64>,
    Option<String>,
);

/// Reads a row selected with the matching column list (rusqlite converts rows to tuples).
fn outbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    OutboxRow::try_from(r)
}

fn to_outbox(
    (
        id,
        recipient,
        kind,
        reference,
        document,
        created_at,
        attempts,
        next_at,
        delivered_at,
        last_error,
    ): OutboxRow,
) -> Result<OutboxItem, StoreError> {
    Ok(OutboxItem {
        id,
        recipient: parse_eui(&recipient)?,
        kind,
        reference,
        document,
        created_at,
        attempts,
        next_at,
        delivered_at,
        last_error,
    })
}

/// Postcodes are compared without spaces, upper case.
pub fn normalise_postcode(p: &str) -> String {
    p.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests;
