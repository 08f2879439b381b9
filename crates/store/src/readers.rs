//! Read-only connections for pure lookups, beside the one writing connection (`group`).
//!
//! WAL lets readers run while the writer holds its transaction open: a lookup that needs no
//! change and may see only committed rows (a certificate before verifying a signature, the due
//! WAN commands, the due outbox documents, a Receive Response Service URL) runs here, on its own
//! connection, in a `BEGIN` … `COMMIT` of its own (one consistent snapshot of what was committed
//! when it began), and does not hold the writer's connection at all. Each connection is opened
//! read-only (`SQLITE_OPEN_READ_ONLY`, and `query_only` as well), so a closure that tries to
//! write fails instead of writing outside group commit.
//!
//! What a reader sees is the state as of the last `COMMIT` before it began. A caller that must see
//! its own or a batch's uncommitted changes, or must change something depending on what it read,
//! uses a transaction of the writer instead.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};

use rusqlite::{Connection, OpenFlags};

use crate::SqliteTx;

/// How many read-only connections a store keeps (opened on first use).
pub(crate) const READERS: usize = 4;

pub(crate) struct Readers {
    path: PathBuf,
    conns: Vec<Mutex<Option<Connection>>>,
    next: AtomicUsize,
}

impl Readers {
    pub(crate) fn new(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            conns: (0..READERS).map(|_| Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
        }
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.pragma_update(None, "query_only", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.set_prepared_statement_cache_capacity(128);
        Ok(conn)
    }

    /// Runs `f` on a free read-only connection (or waits for one), in a read transaction of
    /// its own.
    pub(crate) fn run<T, E>(
        &self,
        f: impl FnOnce(&mut SqliteTx<'_>) -> Result<T, E>,
        fail: impl Fn(String) -> E,
    ) -> Result<T, E> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let n = self.conns.len();
        // A connection whose closure panicked is still usable (its read is ended below).
        let mut guard: Option<MutexGuard<'_, Option<Connection>>> = None;
        for i in 0..n {
            match self.conns[(start + i) % n].try_lock() {
                Ok(g) => guard = Some(g),
                Err(TryLockError::Poisoned(p)) => guard = Some(p.into_inner()),
                Err(TryLockError::WouldBlock) => continue,
            }
            break;
        }
        let mut g = match guard {
            Some(g) => g,
            None => self.conns[start % n]
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        };
        if g.is_none() {
            *g = Some(self.open().map_err(|e| fail(e.to_string()))?);
        }
        let Some(conn) = g.as_ref() else {
            return Err(fail("read connection missing".into()));
        };
        if !conn.is_autocommit() {
            // A read left open by a panic in an earlier closure.
            conn.execute_batch("ROLLBACK")
                .map_err(|e| fail(e.to_string()))?;
        }
        conn.prepare_cached("BEGIN")
            .and_then(|mut s| s.execute([]))
            .map_err(|e| fail(e.to_string()))?;
        let out = f(&mut SqliteTx { tx: conn });
        // A read transaction has nothing to commit; ending it releases the snapshot (so that
        // checkpoints can go on past it).
        let end = conn
            .prepare_cached("COMMIT")
            .and_then(|mut s| s.execute([]));
        let r = out?;
        end.map_err(|e| fail(e.to_string()))?;
        Ok(r)
    }
}
