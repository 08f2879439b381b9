//! Group commit: the store's transactions share `COMMIT`s (and so `fsync`s) when several are
//! waiting for the one connection, without weakening what a caller is promised.
//!
//! There is one SQLite connection behind a mutex, as before. A caller takes the mutex; if no
//! *batch* (one SQLite write transaction) is open it opens one with `BEGIN IMMEDIATE`; it runs its
//! closure inside a `SAVEPOINT`, released if the closure returns `Ok` and rolled back (then
//! released) otherwise, so a refused closure changes nothing, exactly as when each closure had a
//! transaction of its own. Then:
//!
//! * if other threads are waiting for the mutex (an atomic count of arrivals) and the batch has
//!   fewer than [`BATCH_CAP`] members, it leaves the batch open, releases the mutex for the next
//!   arrival to run its closure in the same transaction, and sleeps on the batch's own condition
//!   variable until the batch has ended (reading the outcome there, without taking the mutex
//!   again);
//! * otherwise it ends the batch: one `COMMIT` (one `fsync` with `synchronous=FULL`) for every
//!   member, then wakes them all.
//!
//! **Durability is unchanged**: a member whose result depends on the batch (it changed a row and
//! returned `Ok`, or earlier members of its batch had changed rows it may have read) returns only
//! after the batch's `COMMIT` has returned. If the `COMMIT` fails (or SQLite rolls the whole
//! transaction back under a closure, as it does after an I/O error or a full disk), every such
//! member gets an error and nothing of the batch is stored; none was acknowledged.
//!
//! **A refused closure** (`Err`) waits for its batch too when earlier members had changed rows
//! (the strict choice: its refusal may rest on their state); if that batch then fails, the caller
//! gets the store's error rather than a refusal based on state that never existed. A closure that
//! saw only committed rows (no earlier member of its batch had changed any) and keeps no change
//! of its own (it was refused, or it only read) returns at once: nothing of its answer waits on
//! the `COMMIT`.
//! Whether a closure changed anything is SQLite's count of rows inserted, updated or deleted
//! (`sqlite3_total_changes`): the store's closures change the database only with such statements.
//!
//! **A panicking closure** is caught: its savepoint is rolled back, the batch goes on (it is
//! committed for the others if the panicking thread was to end it), and the panic resumes in the
//! caller. The mutex is never poisoned by a closure.
//!
//! Work that must run outside any transaction (`checkpoint_truncate`) or reads of the connection
//! outside the trait (`devices_outside`) take the connection with [`Db::exclusive`], which first
//! commits an open batch for its members.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, Location, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::SqliteTx;

/// Most closures one batch (one `COMMIT`) takes: bounds how long its first member waits.
pub(crate) const BATCH_CAP: usize = 64;

/// The connection and its batches.
pub(crate) struct Db {
    state: Mutex<Conn>,
    /// Each call site's time from asking for the connection to returning ([`SiteStats::total`]),
    /// kept apart from the connection's mutex: a member that waited for its batch's `COMMIT`
    /// records it without taking that mutex again.
    totals: Mutex<HashMap<&'static Location<'static>, Duration>>,
    /// Threads between asking for the mutex and getting it (not those woken by `ended`).
    arriving: AtomicUsize,
    /// `COMMIT`s that succeeded since the store was opened.
    commits: AtomicU64,
}

/// What the mutex guards.
pub(crate) struct Conn {
    pub(crate) conn: Connection,
    /// The open batch, if any.
    batch: Option<Batch>,
    /// What each call site's transactions cost (kept under the mutex, so counting costs no
    /// extra synchronisation).
    stats: HashMap<&'static Location<'static>, SiteStats>,
}

/// What the transactions opened from one place in the code cost since the store was opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SiteStats {
    /// Transactions run.
    pub count: u64,
    /// Time the closures held the connection (their own work, savepoint included).
    pub held: Duration,
    /// The longest one of them held it.
    pub held_max: Duration,
    /// CPU time of the holding thread while it held the connection (`held` less preemption and
    /// waits for I/O; zero where the platform cannot tell).
    pub held_cpu: Duration,
    /// Time from asking for the connection to returning (waiting for the mutex, holding it,
    /// and waiting for the batch's `COMMIT`).
    pub total: Duration,
}

struct Batch {
    members: usize,
    /// Rows changed by members whose closures returned `Ok` (what the `COMMIT` makes durable).
    changes: u64,
    /// Where the members asleep until the batch ends learn its outcome.
    done: Arc<Done>,
}

/// A batch's outcome, for the members waiting for it: each sleeps on the batch's own
/// condition variable and reads the outcome there, without taking the connection's mutex
/// again (so the members woken by a `COMMIT` do not queue for the connection behind the next
/// batch's members).
#[derive(Default)]
struct Done {
    outcome: Mutex<Option<Result<(), String>>>,
    ended: Condvar,
}

impl Done {
    fn set(&self, outcome: Result<(), String>) {
        let mut o = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        *o = Some(outcome);
        self.ended.notify_all();
    }

    fn wait(&self) -> Result<(), String> {
        let mut o = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(outcome) = o.as_ref() {
                return outcome.clone();
            }
            o = self.ended.wait(o).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

const LOCK_POISONED: &str = "database lock poisoned";

impl Db {
    pub(crate) fn new(conn: Connection) -> Self {
        Self {
            state: Mutex::new(Conn {
                conn,
                batch: None,
                stats: HashMap::new(),
            }),
            totals: Mutex::new(HashMap::new()),
            arriving: AtomicUsize::new(0),
            commits: AtomicU64::new(0),
        }
    }

    /// Successful `COMMIT`s (each one `fsync` of the WAL) since the store was opened.
    pub(crate) fn commits(&self) -> u64 {
        self.commits.load(Ordering::SeqCst)
    }

    /// What each call site's transactions cost so far, busiest (most time held) first.
    pub(crate) fn stats(&self) -> Vec<(&'static Location<'static>, SiteStats)> {
        let mut v: Vec<_> = match self.state.lock() {
            Ok(g) => g.stats.iter().map(|(k, v)| (*k, *v)).collect(),
            Err(_) => Vec::new(),
        };
        let totals = self.totals.lock().unwrap_or_else(PoisonError::into_inner);
        for (site, s) in &mut v {
            s.total = totals.get(site).copied().unwrap_or_default();
        }
        v.sort_by_key(|s| std::cmp::Reverse(s.1.held));
        v
    }

    /// Threads waiting for the connection (for tests that form a batch deterministically).
    #[cfg(test)]
    pub(crate) fn arriving(&self) -> usize {
        self.arriving.load(Ordering::SeqCst)
    }

    fn lock(&self) -> Result<MutexGuard<'_, Conn>, String> {
        self.arriving.fetch_add(1, Ordering::SeqCst);
        let g = self.state.lock();
        self.arriving.fetch_sub(1, Ordering::SeqCst);
        g.map_err(|_| LOCK_POISONED.to_string())
    }

    /// The connection outside any transaction: an open batch is committed first (its members
    /// learn the outcome as usual).
    pub(crate) fn exclusive(&self) -> Result<MutexGuard<'_, Conn>, String> {
        let mut g = self.lock()?;
        // The batch's members get its outcome; the caller here only needs the connection free.
        let _ = self.end_batch(&mut g, true);
        Ok(g)
    }

    /// Runs `f` in the current batch (opening one if none is open) and returns once its outcome
    /// is durable; see the module documentation. `fail` makes the caller's error from the
    /// store's own. Its cost is counted against the caller's location ([`Db::stats`]).
    #[track_caller]
    pub(crate) fn run<T, E>(
        &self,
        f: impl FnOnce(&mut SqliteTx<'_>) -> Result<T, E>,
        fail: impl Fn(String) -> E,
    ) -> Result<T, E> {
        let site = Location::caller();
        let asked = Instant::now();
        let mut g = self.lock().map_err(&fail)?;
        let took = Instant::now();
        let cpu_took = thread_cpu();
        match &g.batch {
            Some(_) => {}
            None => {
                if !g.conn.is_autocommit() {
                    // A transaction left open by a failed ROLLBACK: discard it.
                    g.conn
                        .execute_batch("ROLLBACK")
                        .map_err(|e| fail(e.to_string()))?;
                }
                cached(&g.conn, "BEGIN IMMEDIATE").map_err(|e| fail(e.to_string()))?;
                g.batch = Some(Batch {
                    members: 0,
                    changes: 0,
                    done: Arc::new(Done::default()),
                });
            }
        }
        let dirty_before = g.batch.as_ref().is_some_and(|b| b.changes > 0);
        if let Err(e) = cached(&g.conn, "SAVEPOINT member") {
            let _ = self.end_batch(&mut g, false);
            return Err(fail(e.to_string()));
        }
        let before = g.conn.total_changes();
        let out = catch_unwind(AssertUnwindSafe(|| f(&mut SqliteTx { tx: &g.conn })));
        let changed = g.conn.total_changes().saturating_sub(before);
        let kept = matches!(out, Ok(Ok(_)));
        let held = took.elapsed();
        let held_cpu = thread_cpu().saturating_sub(cpu_took);
        let lost = if g.conn.is_autocommit() {
            // SQLite rolled the whole transaction back under the closure (I/O error, full disk):
            // every member of the batch loses its changes.
            Some("the transaction was rolled back by the database".to_string())
        } else {
            let end = if kept {
                cached(&g.conn, "RELEASE member")
            } else {
                cached(&g.conn, "ROLLBACK TO member")
                    .and_then(|()| cached(&g.conn, "RELEASE member"))
            };
            end.err().map(|e| e.to_string())
        };
        if let Some(e) = lost {
            let _ = self.end_batch(&mut g, false);
            return match out {
                Err(panic) => resume_unwind(panic),
                Ok(_) => Err(fail(e)),
            };
        }
        let Some(batch) = g.batch.as_mut() else {
            // Unreachable: only `end_batch` closes a batch, and it was not called.
            return Err(fail("group commit: the batch vanished".into()));
        };
        batch.members += 1;
        if kept {
            batch.changes += changed;
        }
        let members = batch.members;
        // The commit decides this member's result if it changed rows it keeps, or if it may
        // have read rows changed by earlier members.
        let depends = (kept && changed > 0) || dirty_before;
        let go_on = members < BATCH_CAP && self.arriving.load(Ordering::SeqCst) > 0;
        // `Ok(None)`: decided; `Ok(Some(done))`: wait for the batch to end.
        let decided: Result<Option<Arc<Done>>, String> = if !go_on {
            self.end_batch(&mut g, true).map(|()| None)
        } else if !depends || out.is_err() {
            // Nothing of this member's result waits on the commit (or it panicked): the next
            // arrival carries the batch on.
            Ok(None)
        } else {
            Ok(Some(batch.done.clone()))
        };
        let st = g.stats.entry(site).or_default();
        st.count += 1;
        st.held += held;
        st.held_max = st.held_max.max(held);
        st.held_cpu += held_cpu;
        drop(g);
        let outcome = match decided {
            Ok(Some(done)) => done.wait(),
            Ok(None) => Ok(()),
            Err(e) => Err(e),
        };
        *self
            .totals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(site)
            .or_default() += asked.elapsed();
        match out {
            Err(panic) => resume_unwind(panic),
            Ok(r) => match outcome {
                Err(e) if depends => Err(fail(e)),
                _ => r,
            },
        }
    }

    /// Ends the open batch, if any: `COMMIT` (if `commit`) or `ROLLBACK`, then wakes its members.
    /// Returns the batch's outcome (`Ok` if there was none).
    fn end_batch(&self, g: &mut Conn, commit: bool) -> Result<(), String> {
        let Some(batch) = g.batch.take() else {
            return Ok(());
        };
        let res = if commit {
            match cached(&g.conn, "COMMIT") {
                Ok(()) => {
                    self.commits.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                }
                Err(e) => Err(format!("commit failed: {e}")),
            }
        } else {
            Err("the transaction was rolled back".to_string())
        };
        if res.is_err() && !g.conn.is_autocommit() {
            // A failed COMMIT (a deferred constraint, an I/O error) leaves the transaction open.
            // If this fails too, the next batch tries again before its BEGIN.
            let _ = g.conn.execute_batch("ROLLBACK");
        }
        batch.done.set(res.clone());
        res
    }
}

/// Runs a statement without parameters from the connection's statement cache.
fn cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

/// CPU time of the calling thread so far.
#[cfg(unix)]
fn thread_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

#[cfg(not(unix))]
fn thread_cpu() -> Duration {
    Duration::ZERO
}
