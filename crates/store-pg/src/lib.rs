//! PostgreSQL storage for opendcc: the core's [`dcc::store::Store`] traits, the WAN emulation's
//! `wan::EmulatorTx` and the SMKI service's [`smki_service::SmkiStore`], on one PostgreSQL
//! database that several gateway processes share.
//!
//! Each method means what the SQLite store's (`store::SqliteStore`) does; the schema is the same
//! tables under the same migration versions (`migrations.rs`), in PostgreSQL types.
//!
//! **Transactions.** [`Store::transaction`] runs its closure in a `READ COMMITTED` transaction
//! with explicit locks where several processes could otherwise step on one another:
//!
//! - the anti-replay counter of an (originator, target) pair: [`dcc::store::UsersTx::request_counter`] in a
//!   writing transaction takes a transaction-scoped advisory lock on the pair, so that every
//!   transaction that reads a pair's counter to decide on a RequestID runs after the previous one
//!   committed and sees its counter (each counter is accepted at most once, in order, whatever the
//!   number of gateways);
//! - the DCC's own counters ([`dcc::store::UsersTx::next_dcc_counter`]) are one `INSERT … ON CONFLICT DO
//!   UPDATE … RETURNING` (row-locked, saturating at 2⁶⁴−1);
//! - queue reads in a writing transaction lock what they return (`FOR UPDATE SKIP LOCKED`: two
//!   transactions polling at once never get the same WAN job, outbox item, schedule or hub
//!   event), and a WAN job read by id in a writing transaction is locked (`FOR UPDATE`), so two
//!   attempts at one job run one after the other;
//! - hub events are taken with `UPDATE … RETURNING`, scheduled runs with `DELETE … RETURNING`,
//!   a device's event count with an upsert `RETURNING`;
//! - the SMKI CAs and batches read in a transaction are locked (`FOR UPDATE`): issuance counts
//!   certificates on its CA's row (the count decides the roll-over), and a batch's progress is
//!   rewritten from what was read.
//!
//! [`Store::read`] runs in a `REPEATABLE READ READ ONLY` transaction: one snapshot, and a change
//! the closure tries fails. Unlike SQLite, a statement that fails (a duplicate key) fails the
//! whole PostgreSQL transaction: the closure must return the error, as every caller does (one
//! that carries on and returns `Ok` gets an error saying nothing was committed).
//!
//! **Connections** come from a small pool of the store's own ([`PgOptions::pool_size`], 8 by
//! default), opened on demand; a connection that failed (closed, or a `FATAL` from the server)
//! is closed and a new one opened next time. PostgreSQL being down is a [`StoreError`] naming the
//! server (its password redacted), never a panic. Connections are not encrypted (no TLS yet):
//! for a database on the same host or a private network.
//!
//! **Runtimes.** The synchronous `postgres` client drives a Tokio runtime of its own and panics if
//! used on a thread that is running asynchronous tasks: call the store from plain threads or
//! `tokio::task::spawn_blocking`. Dropping the store closes its connections on a thread of its
//! own, so dropping it anywhere is safe.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use dcc::error::DccError;
use dcc::store::{Store, StoreError};
use postgres::types::ToSql;
use postgres::{Client, IsolationLevel, NoTls, Row, Statement, Transaction};

mod core;
mod emulator;
mod import;
mod migrations;
mod products;
mod smki;

pub use crate::import::Imported;
pub use dcc::store::{OperatorAuditEntry, OperatorAuditTx};

/// How a [`PgStore`] connects.
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// A PostgreSQL schema to keep everything in (created if absent, and the only one on each
    /// connection's `search_path`); `None`: the connection's default `search_path`. Letters,
    /// digits and `_`, starting with a letter or `_`, at most 63.
    pub schema: Option<String>,
    /// At most this many connections open at once (at least 1).
    pub pool_size: usize,
    /// How long a transaction waits for a free connection before it fails.
    pub acquire_timeout: Duration,
    /// How long opening a connection may take (unless the URL says `connect_timeout`).
    pub connect_timeout: Duration,
}

impl Default for PgOptions {
    fn default() -> Self {
        Self {
            schema: None,
            pool_size: 8,
            acquire_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// The PostgreSQL store: a pool of connections to one database (and schema).
pub struct PgStore {
    pool: Pool,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/db` or the
    /// `key=value` form), brings its schema up to date and keeps the connection for the pool.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, PgOptions::default())
    }

    /// [`PgStore::connect`] with everything in the PostgreSQL schema `schema` (created if
    /// absent): several stores on one database that do not see one another (tests).
    pub fn connect_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        Self::connect_with(
            url,
            PgOptions {
                schema: Some(schema.to_owned()),
                ..PgOptions::default()
            },
        )
    }

    /// [`PgStore::connect`] with options.
    pub fn connect_with(url: &str, options: PgOptions) -> Result<Self, StoreError> {
        let shown = redact(url);
        if let Some(s) = &options.schema {
            check_schema_name(s)?;
        }
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e| StoreError(format!("PostgreSQL URL {shown}: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(options.connect_timeout);
        }
        if config.get_application_name().is_none() {
            config.application_name("opendcc");
        }
        let pool = Pool {
            config,
            shown,
            schema: options.schema,
            max: options.pool_size.max(1),
            acquire_timeout: options.acquire_timeout,
            state: Mutex::new(PoolState {
                idle: Vec::new(),
                open: 0,
            }),
            freed: Condvar::new(),
        };
        let store = Self { pool };
        {
            let mut guard = store.pool.get()?;
            let conn = guard.conn()?;
            migrate(&mut conn.client, store.pool.schema.as_deref())
                .map_err(|e| store.pool.fail("migrating the schema", &e))?;
        }
        Ok(store)
    }

    /// The schema's migration version (the highest applied).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        let mut guard = self.pool.get()?;
        let conn = guard.conn()?;
        let row = conn
            .client
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                &[],
            )
            .map_err(|e| self.pool.fail("reading the schema version", &e))?;
        row.try_get(0)
            .map_err(|e| self.pool.fail("reading the schema version", &e))
    }

    /// Applies any migration not applied yet (as [`PgStore::connect`] does); returns the
    /// schema version. Applying them again changes nothing.
    pub fn migrate(&self) -> Result<i64, StoreError> {
        {
            let mut guard = self.pool.get()?;
            let conn = guard.conn()?;
            migrate(&mut conn.client, self.pool.schema.as_deref())
                .map_err(|e| self.pool.fail("migrating the schema", &e))?;
        }
        self.schema_version()
    }

    /// Drops the store's schema and everything in it (tests: a schema made for one test).
    /// Refused for a store without a schema of its own.
    pub fn drop_schema(self) -> Result<(), StoreError> {
        let Some(schema) = self.pool.schema.clone() else {
            return Err(StoreError(
                "this store has no schema of its own to drop".into(),
            ));
        };
        let mut guard = self.pool.get()?;
        let conn = guard.conn()?;
        conn.client
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", quote(&schema)))
            .map_err(|e| self.pool.fail("dropping the schema", &e))
    }

    /// Rewrites `table` (`VACUUM FULL`: a new file without the old row versions, the old file
    /// removed), so that rows it overwrote or deleted are no longer in the table's files (the
    /// write-ahead log keeps them until its segments are recycled).
    pub fn vacuum_full(&self, table: &str) -> Result<(), StoreError> {
        let mut guard = self.pool.get()?;
        let conn = guard.conn()?;
        // VACUUM cannot run inside a transaction: on the pooled connection, in autocommit.
        let out = conn
            .client
            .batch_execute(&format!("VACUUM FULL {}", quote(table)));
        match out {
            Ok(()) => Ok(()),
            Err(e) => {
                guard.broken = fatal(&e);
                Err(self.pool.fail("vacuuming", &e))
            }
        }
    }

    /// Takes the advisory lock named `name` (in this store's database and schema) on a
    /// connection of its own, held until the returned [`HeldLock`] is dropped or the process
    /// ends (PostgreSQL releases a dead session's locks); `Ok(None)` if another session holds
    /// it. For what must run in one process at a time across every process on the database.
    ///
    /// A restart of PostgreSQL (or anything else that ends the lock's session) releases it
    /// too: [`PgStore::keep_lock`], called every few seconds, finds that out and takes the lock
    /// again, or says another process has it now.
    pub fn try_hold_lock(&self, name: &str) -> Result<Option<HeldLock>, StoreError> {
        let key = format!(
            "opendcc:{}:{name}",
            self.pool.schema.as_deref().unwrap_or("")
        );
        Ok(self.take_lock(&key)?.map(|(conn, pid)| HeldLock {
            conn: Some(conn),
            name: name.to_string(),
            key,
            pid,
        }))
    }

    /// The advisory lock `key` on a new connection, with the session's server process id; `None`
    /// if another session holds it.
    fn take_lock(&self, key: &str) -> Result<Option<(Conn, i32)>, StoreError> {
        let mut conn = self.pool.open_conn()?;
        let got = conn
            .client
            .query_one(
                "SELECT pg_try_advisory_lock(hashtextextended($1, 0)), pg_backend_pid()",
                &[&key],
            )
            .and_then(|r| Ok((r.try_get::<_, bool>(0)?, r.try_get::<_, i32>(1)?)));
        match got {
            Ok((true, pid)) => Ok(Some((conn, pid))),
            Ok((false, _)) => {
                drop_conns(vec![conn]);
                Ok(None)
            }
            Err(e) => {
                drop_conns(vec![conn]);
                Err(self.pool.fail("taking an advisory lock", &e))
            }
        }
    }

    /// Checks that `lock`'s session is still alive (a round trip on its connection) and, if it
    /// is not (PostgreSQL restarted, the session was terminated), takes the lock again on a new
    /// connection: [`Kept::Held`], [`Kept::Retaken`], or [`Kept::Lost`] when another process
    /// took it meanwhile. An error is PostgreSQL still unreachable (try again later). Call it
    /// from a plain thread, as every method of the store.
    pub fn keep_lock(&self, lock: &mut HeldLock) -> Result<Kept, StoreError> {
        if let Some(c) = lock.conn.as_mut()
            && !c.client.is_closed()
            && c.client.simple_query("SELECT 1").is_ok()
        {
            return Ok(Kept::Held);
        }
        drop_conns(lock.conn.take().into_iter().collect());
        match self.take_lock(&lock.key)? {
            Some((conn, pid)) => {
                lock.conn = Some(conn);
                lock.pid = pid;
                Ok(Kept::Retaken)
            }
            None => Ok(Kept::Lost),
        }
    }

    /// How many connections are open (idle or in use) and how many are idle.
    pub fn connections(&self) -> (usize, usize) {
        let st = self.pool.lock();
        (st.open, st.idle.len())
    }

    /// The server the store connects to, with any password redacted (for messages).
    pub fn server(&self) -> &str {
        &self.pool.shown
    }

    /// The inventory's devices whose EUI is not in `[from, to]` (as
    /// `store::SqliteStore::devices_outside`).
    pub fn devices_outside(
        &self,
        from: eui::Eui64,
        to: eui::Eui64,
    ) -> Result<Vec<dcc::model::Device>, StoreError> {
        self.run(true, |tx| tx.devices_outside(from, to), |e| e)
    }

    /// Runs `f` in a transaction on a pooled connection: `READ COMMITTED` (writing), or
    /// `REPEATABLE READ READ ONLY`; committed if `f` returns `Ok`, rolled back otherwise.
    fn run<T, E>(
        &self,
        read_only: bool,
        f: impl FnOnce(&mut PgTx<'_>) -> Result<T, E>,
        fail: impl Fn(StoreError) -> E,
    ) -> Result<T, E> {
        let mut guard = self.pool.get().map_err(&fail)?;
        let conn = guard.conn().map_err(&fail)?;
        let (out, broken) = self.run_on(conn, read_only, f, fail);
        guard.broken = broken;
        out
    }

    /// [`PgStore::run`] on one connection; also says whether the connection is done for.
    fn run_on<T, E>(
        &self,
        conn: &mut Conn,
        read_only: bool,
        f: impl FnOnce(&mut PgTx<'_>) -> Result<T, E>,
        fail: impl Fn(StoreError) -> E,
    ) -> (Result<T, E>, bool) {
        let Conn { client, stmts } = conn;
        let builder = if read_only {
            client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
        } else {
            client
                .build_transaction()
                .isolation_level(IsolationLevel::ReadCommitted)
        };
        let tx = match builder.start() {
            Ok(tx) => tx,
            Err(e) => {
                let error = fail(self.pool.fail("beginning a transaction", &e));
                return (Err(error), fatal(&e));
            }
        };
        let mut ptx = PgTx {
            tx,
            stmts,
            read_only,
            broken: false,
            failed: None,
        };
        let out = f(&mut ptx);
        let PgTx {
            tx, broken, failed, ..
        } = ptx;
        // A closure that went on after a failed statement and returned `Ok`: PostgreSQL would
        // answer its COMMIT with a rollback; say so rather than report a commit.
        let out = match (out, failed) {
            (Ok(_), Some(first)) => Err(fail(StoreError(format!(
                "nothing was committed: a statement failed earlier in the transaction ({first})"
            )))),
            (out, _) => out,
        };
        let ended = match &out {
            Ok(_) => tx.commit().map_err(|e| ("committing", e)),
            // The server rolls back what it had if the rollback cannot be sent.
            Err(_) => tx.rollback().map_err(|e| ("rolling back", e)),
        };
        match (out, ended) {
            (Ok(v), Ok(())) => (Ok(v), broken),
            (Ok(_), Err((doing, e))) => (Err(fail(self.pool.fail(doing, &e))), broken || fatal(&e)),
            (Err(error), Ok(())) => (Err(error), broken),
            (Err(error), Err((_, e))) => (Err(error), broken || fatal(&e)),
        }
    }
}

impl Store for PgStore {
    type Tx<'t> = PgTx<'t>;

    #[track_caller]
    fn transaction_in<T>(
        &self,
        f: impl FnOnce(&mut PgTx<'_>) -> Result<T, DccError>,
    ) -> Result<T, DccError> {
        self.run(false, f, DccError::from)
    }

    #[track_caller]
    fn read_in<T>(
        &self,
        f: impl FnOnce(&mut PgTx<'_>) -> Result<T, DccError>,
    ) -> Result<T, DccError> {
        self.run(true, f, DccError::from)
    }
}

impl smki_service::SmkiStore for PgStore {
    fn smki_transaction<T, E: From<smki_service::StoreError>>(
        &self,
        f: impl FnOnce(&mut dyn smki_service::SmkiTx) -> Result<T, E>,
    ) -> Result<T, E> {
        self.run(
            false,
            |tx| f(tx),
            |e| E::from(smki_service::StoreError(e.0)),
        )
    }
}

/// One transaction of the store: every aggregate of the core (`dcc::store::Tx`), the WAN
/// emulation's state (`wan::EmulatorTx`) and the SMKI service's (`smki_service::SmkiTx`).
pub struct PgTx<'c> {
    tx: Transaction<'c>,
    /// The connection's prepared statements, by SQL text.
    stmts: &'c mut HashMap<String, Statement>,
    /// A `Store::read`: nothing is locked (`FOR UPDATE` is refused in a read-only
    /// transaction, and a snapshot needs none).
    read_only: bool,
    /// A statement failed in a way that leaves the connection unusable (see [`fatal`]).
    broken: bool,
    /// The first statement that failed: PostgreSQL then refuses the rest of the transaction,
    /// and it cannot commit even if the closure returns `Ok`.
    failed: Option<String>,
}

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

impl PgTx<'_> {
    /// The prepared statement for `sql` (prepared once per connection).
    fn stmt(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(s) = self.stmts.get(sql) {
            return Ok(s.clone());
        }
        let s = self.tx.prepare(sql).map_err(|e| self.failed(e))?;
        self.stmts.insert(sql.to_owned(), s.clone());
        Ok(s)
    }

    fn exec(&mut self, sql: &str, params: Params<'_>) -> Result<u64, StoreError> {
        let s = self.stmt(sql)?;
        self.tx.execute(&s, params).map_err(|e| self.failed(e))
    }

    fn rows(&mut self, sql: &str, params: Params<'_>) -> Result<Vec<Row>, StoreError> {
        let s = self.stmt(sql)?;
        self.tx.query(&s, params).map_err(|e| self.failed(e))
    }

    fn opt(&mut self, sql: &str, params: Params<'_>) -> Result<Option<Row>, StoreError> {
        let s = self.stmt(sql)?;
        self.tx.query_opt(&s, params).map_err(|e| self.failed(e))
    }

    fn one(&mut self, sql: &str, params: Params<'_>) -> Result<Row, StoreError> {
        let s = self.stmt(sql)?;
        self.tx.query_one(&s, params).map_err(|e| self.failed(e))
    }

    /// The storage error for `e`; notes whether the connection is done for.
    fn failed(&mut self, e: postgres::Error) -> StoreError {
        self.broken |= fatal(&e);
        let error = db(e);
        if self.failed.is_none() {
            self.failed = Some(error.0.clone());
        }
        error
    }

    /// ` FOR UPDATE SKIP LOCKED` in a writing transaction (a claim), nothing in a read.
    fn skip_locked(&self) -> &'static str {
        if self.read_only {
            ""
        } else {
            " FOR UPDATE SKIP LOCKED"
        }
    }

    /// ` FOR UPDATE` in a writing transaction, nothing in a read.
    fn for_update(&self) -> &'static str {
        if self.read_only { "" } else { " FOR UPDATE" }
    }
}

/// Column `i` of a row, converted; a mismatch is an error, not a panic.
fn col<'a, T: postgres::types::FromSql<'a>>(r: &'a Row, i: usize) -> Result<T, StoreError> {
    r.try_get(i).map_err(db)
}

/// Whether an error leaves the connection unusable: closed, a `FATAL` or `PANIC` from the
/// server (it closes the connection after sending it), or no answer from the server at all (an
/// I/O or protocol failure; a value that did not convert is counted too, which costs only a
/// new connection).
fn fatal(e: &postgres::Error) -> bool {
    e.is_closed()
        || e.as_db_error()
            .is_none_or(|d| matches!(d.severity(), "FATAL" | "PANIC"))
}

fn db(e: postgres::Error) -> StoreError {
    StoreError(format!("PostgreSQL: {}", describe(&e)))
}

/// A PostgreSQL error in full: the server's message, SQLSTATE and detail where it sent them
/// (the client's `Display` says only "db error"), or the client's error with its causes.
pub fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => {
            let mut s = format!("{} {}: {}", d.severity(), d.code().code(), d.message());
            if let Some(detail) = d.detail() {
                s.push_str(&format!(" ({detail})"));
            }
            s
        }
        None => {
            let mut s = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(cause) = source {
                let c = cause.to_string();
                if !s.contains(&c) {
                    s.push_str(&format!(": {c}"));
                }
                source = cause.source();
            }
            s
        }
    }
}

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

/// A session-level advisory lock ([`PgStore::try_hold_lock`]), released when dropped (its
/// connection closed).
pub struct HeldLock {
    conn: Option<Conn>,
    name: String,
    key: String,
    pid: i32,
}

impl HeldLock {
    /// The lock's name, as given to [`PgStore::try_hold_lock`].
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The server process of the lock's session (the last one that took it).
    pub fn pid(&self) -> i32 {
        self.pid
    }
}

/// What [`PgStore::keep_lock`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// Its session is alive: still held.
    Held,
    /// Its session had ended (the lock with it); taken again on a new one.
    Retaken,
    /// Its session had ended and another process holds the lock now.
    Lost,
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        drop_conns(self.conn.take().into_iter().collect());
    }
}

/// One pooled connection and its prepared statements.
struct Conn {
    client: Client,
    stmts: HashMap<String, Statement>,
}

struct PoolState {
    idle: Vec<Conn>,
    /// Connections open: idle, and lent out.
    open: usize,
}

struct Pool {
    config: postgres::Config,
    /// The URL as shown in messages (password redacted).
    shown: String,
    schema: Option<String>,
    max: usize,
    acquire_timeout: Duration,
    state: Mutex<PoolState>,
    freed: Condvar,
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A storage error for a PostgreSQL failure while `doing` something.
    fn fail(&self, doing: &str, e: &postgres::Error) -> StoreError {
        let closed = if e.is_closed() {
            " (the connection is closed)"
        } else {
            ""
        };
        StoreError(format!(
            "PostgreSQL at {}: {doing}: {}{closed}",
            self.shown,
            describe(e)
        ))
    }

    /// A connection: an idle one, a new one while fewer than `max` are open, or the first
    /// one freed within the acquire timeout.
    fn get(&self) -> Result<Lent<'_>, StoreError> {
        let deadline = Instant::now() + self.acquire_timeout;
        let mut st = self.lock();
        loop {
            while let Some(c) = st.idle.pop() {
                if c.client.is_closed() {
                    st.open = st.open.saturating_sub(1);
                    drop_conns(vec![c]);
                    continue;
                }
                return Ok(Lent {
                    pool: self,
                    conn: Some(c),
                    broken: false,
                });
            }
            if st.open < self.max {
                st.open += 1;
                drop(st);
                return match self.open_conn() {
                    Ok(c) => Ok(Lent {
                        pool: self,
                        conn: Some(c),
                        broken: false,
                    }),
                    Err(e) => {
                        self.lock().open -= 1;
                        self.freed.notify_one();
                        Err(e)
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(StoreError(format!(
                    "PostgreSQL at {}: every one of the {} pooled connections stayed busy for {:?}",
                    self.shown, self.max, self.acquire_timeout
                )));
            }
            st = self
                .freed
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn open_conn(&self) -> Result<Conn, StoreError> {
        let mut client = self.config.connect(NoTls).map_err(|e| {
            StoreError(format!(
                "PostgreSQL at {} is unreachable or refused the connection: {}",
                self.shown,
                describe(&e)
            ))
        })?;
        // The server's notices ("relation … already exists, skipping" from the migrations) are
        // not worth a log line each; warnings and errors still come.
        client
            .batch_execute("SET client_min_messages TO warning")
            .map_err(|e| self.fail("setting the session", &e))?;
        if let Some(s) = &self.schema {
            client
                .batch_execute(&format!("SET search_path TO {}", quote(s)))
                .map_err(|e| self.fail("setting the search path", &e))?;
        }
        Ok(Conn {
            client,
            stmts: HashMap::new(),
        })
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.lock().idle);
        drop_conns(idle);
    }
}

/// Closes connections on a thread of their own: a `postgres::Client` closes itself by running
/// its own runtime, which panics on a thread that is running asynchronous tasks.
fn drop_conns(conns: Vec<Conn>) {
    if conns.is_empty() {
        return;
    }
    let slot = Mutex::new(Some(conns));
    let closed = std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("pg-close".into())
            .spawn_scoped(s, || {
                drop(slot.lock().unwrap_or_else(PoisonError::into_inner).take());
            })
            .map(|h| h.join().is_ok())
            .unwrap_or(false)
    });
    if !closed {
        // No thread for it: leave them to the process's end rather than risk a panic here.
        if let Some(c) = slot.lock().unwrap_or_else(PoisonError::into_inner).take() {
            std::mem::forget(c);
        }
    }
}

/// A connection lent out of the pool; back in the pool when dropped (closed ones are dropped).
struct Lent<'p> {
    pool: &'p Pool,
    conn: Option<Conn>,
    /// The connection failed in a way that leaves it unusable: closed rather than given back.
    broken: bool,
}

impl Lent<'_> {
    fn conn(&mut self) -> Result<&mut Conn, StoreError> {
        self.conn
            .as_mut()
            .ok_or_else(|| StoreError("pooled connection missing".into()))
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        let Some(c) = self.conn.take() else { return };
        if self.broken || c.client.is_closed() {
            self.pool.lock().open -= 1;
            drop_conns(vec![c]);
        } else {
            self.pool.lock().idle.push(c);
        }
        self.pool.freed.notify_one();
    }
}

/// Applies the migrations not applied yet, in one transaction under an advisory lock (two
/// processes starting at once: the second waits, then finds them applied).
fn migrate(client: &mut Client, schema: Option<&str>) -> Result<(), postgres::Error> {
    let mut tx = client.transaction()?;
    let key = format!("opendcc-migrations:{}", schema.unwrap_or(""));
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        &[&key],
    )?;
    if let Some(s) = schema {
        tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {}", quote(s)))?;
    }
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version BIGINT PRIMARY KEY,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )?;
    let applied: Vec<i64> = tx
        .query("SELECT version FROM schema_migrations", &[])?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    for (version, sql) in (1i64..).zip(migrations::MIGRATIONS) {
        if applied.contains(&version) {
            continue;
        }
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&version],
        )?;
    }
    tx.commit()
}

/// The newest migration version this build knows.
pub const SCHEMA_VERSION: i64 = migrations::MIGRATIONS.len() as i64;

fn check_schema_name(s: &str) -> Result<(), StoreError> {
    let mut chars = s.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s.len() <= 63;
    if ok {
        Ok(())
    } else {
        Err(StoreError(format!(
            "PostgreSQL schema name {s:?}: letters, digits and _ only, starting with a letter or _, at most 63"
        )))
    }
}

/// A checked schema name as an SQL identifier.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A connection URL or `key=value` string with its password replaced by `***`.
pub fn redact(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let authority = match authority.rsplit_once('@') {
            Some((userinfo, hosts)) => match userinfo.split_once(':') {
                Some((user, _)) => format!("{user}:***@{hosts}"),
                None => format!("{userinfo}@{hosts}"),
            },
            None => authority.to_owned(),
        };
        let tail = match tail.split_once('?') {
            Some((path, query)) => {
                let query: Vec<String> = query
                    .split('&')
                    .map(|kv| match kv.split_once('=') {
                        Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                        _ => kv.to_owned(),
                    })
                    .collect();
                format!("{path}?{}", query.join("&"))
            }
            None => tail.to_owned(),
        };
        format!("{scheme}://{authority}{tail}")
    } else {
        // key=value form: a quoted password may hold spaces.
        let mut out = String::new();
        let mut rest = url;
        while let Some(i) = rest.find("password") {
            let (before, after) = rest.split_at(i);
            out.push_str(before);
            let after_key = &after["password".len()..];
            let trimmed = after_key.trim_start();
            if let Some(v) = trimmed.strip_prefix('=') {
                out.push_str("password=***");
                let v = v.trim_start();
                rest = if let Some(q) = v.strip_prefix('\'') {
                    let mut end = q.len();
                    let mut escaped = false;
                    for (j, c) in q.char_indices() {
                        if escaped {
                            escaped = false;
                        } else if c == '\\' {
                            escaped = true;
                        } else if c == '\'' {
                            end = j + 1;
                            break;
                        }
                    }
                    &q[end..]
                } else {
                    let end = v.find(char::is_whitespace).unwrap_or(v.len());
                    &v[end..]
                };
            } else {
                out.push_str("password");
                rest = after_key;
            }
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact("postgres://dcc:s3cret@db.example:5432/dcc"),
            "postgres://dcc:***@db.example:5432/dcc"
        );
        assert_eq!(
            redact("postgresql://p%40ss:x@h/db?sslmode=disable&password=two"),
            "postgresql://p%40ss:***@h/db?sslmode=disable&password=***"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1:5432/test"),
            "postgres://postgres@127.0.0.1:5432/test"
        );
        assert_eq!(
            redact("host=h user=u password=abc dbname=d"),
            "host=h user=u password=*** dbname=d"
        );
        assert_eq!(
            redact("host=h password = 'a b\\'c' dbname=d"),
            "host=h password=*** dbname=d"
        );
    }
}
