//! What a served DCC asks of its store beyond the traits the core (`dcc::store::Store`), the
//! emulated WAN (`wan::EmulatorTx`, on the store's transactions) and the SMKI
//! (`smki_service::SmkiStore`) define: the few things only a backend knows how to do.
//! `opendcc serve` runs its roles over any store that has all of these (`serve::run_roles`);
//! [`store::SqliteStore`] and [`store_pg::PgStore`] do.
//!
//! The operator's and the client tools' few writes (a user's Receive Response Service, a
//! counter floor) go through [`ToolStore`], which every backend has, so that a tool opens
//! whichever store a configuration or manifest names ([`crate::config::StoreConfig::open_tools`]).

use dcc::DccError;
use dcc::model::Device;
use dcc::store::{OperatorAuditTx, Store};
use eui::Eui64;
use store::SqliteStore;
use store_pg::PgStore;

pub trait ServedStore: dcc::store::Store + smki_service::SmkiStore {
    /// After the SMKI destroyed a CA's key in the store: make the overwritten rows unrecoverable
    /// from the store's own files (SQLite: a `TRUNCATE` checkpoint of the WAL). `Ok(false)`:
    /// not complete now (another reader held it), done by a later one.
    fn purge_destroyed_keys(&self) -> Result<bool, String>;

    /// The inventory's devices whose EUI is not in `[from, to]`: a large generated world's
    /// manifest lists its named devices without reading the generated ones.
    fn devices_outside(&self, from: Eui64, to: Eui64) -> Result<Vec<Device>, String>;

    /// `OPENDCC_TX_STATS=1`: at shutdown, log where the store's time went (nothing if the
    /// store does not count it).
    fn log_transaction_stats(&self) {}
}

impl ServedStore for SqliteStore {
    fn purge_destroyed_keys(&self) -> Result<bool, String> {
        self.checkpoint_truncate().map_err(|e| e.to_string())
    }

    fn devices_outside(&self, from: Eui64, to: Eui64) -> Result<Vec<Device>, String> {
        SqliteStore::devices_outside(self, from, to).map_err(|e| e.to_string())
    }

    /// One line per call site that opened transactions: how many, and how long (and how much
    /// CPU) each held the connection.
    fn log_transaction_stats(&self) {
        for (site, s) in self.transaction_stats() {
            let us = |d: std::time::Duration| d.as_secs_f64() * 1e6;
            let n = s.count.max(1) as f64;
            tracing::info!(
                site,
                count = s.count,
                held_ms = format!("{:.1}", us(s.held) / 1e3),
                held_mean_us = format!("{:.1}", us(s.held) / n),
                held_max_us = format!("{:.0}", us(s.held_max)),
                held_cpu_mean_us = format!("{:.1}", us(s.held_cpu) / n),
                total_mean_us = format!("{:.1}", us(s.total) / n),
                "transactions"
            );
        }
    }
}

impl ServedStore for PgStore {
    /// PostgreSQL has no equivalent of SQLite's `secure_delete` and `TRUNCATE` checkpoint: the
    /// destroyed key's row is rewritten (`VACUUM FULL` of the CA table, which writes the table
    /// anew and removes the old file), but the server's write-ahead log keeps the old bytes
    /// until it recycles its segments, and a backup keeps them for ever. Say so once per purge.
    fn purge_destroyed_keys(&self) -> Result<bool, String> {
        self.vacuum_full("smki_cas").map_err(|e| e.to_string())?;
        tracing::warn!(
            server = self.server(),
            "a destroyed CA key is gone from the table; PostgreSQL's write-ahead log and any \
             backup still hold its old bytes until they are recycled"
        );
        Ok(true)
    }

    fn devices_outside(&self, from: Eui64, to: Eui64) -> Result<Vec<Device>, String> {
        PgStore::devices_outside(self, from, to).map_err(|e| e.to_string())
    }
}

/// A transaction of any backend, with the operator's audit log beside the core's aggregates.
pub trait OperatorTx: dcc::store::Tx + OperatorAuditTx {}

impl<T: dcc::store::Tx + OperatorAuditTx + ?Sized> OperatorTx for T {}

/// What the operator's and client tools need of a store, behind a trait object so that a tool
/// need not know which backend the configuration named.
pub trait ToolStore: Send + Sync {
    /// Runs `f` in one transaction (committed if it returns `Ok`).
    fn operator_transaction(
        &self,
        f: &mut dyn FnMut(&mut dyn OperatorTx) -> Result<(), DccError>,
    ) -> Result<(), DccError>;
}

impl<S> ToolStore for S
where
    S: Store,
    for<'t> S::Tx<'t>: OperatorAuditTx,
{
    fn operator_transaction(
        &self,
        f: &mut dyn FnMut(&mut dyn OperatorTx) -> Result<(), DccError>,
    ) -> Result<(), DccError> {
        self.transaction_in(|tx| f(tx))
    }
}
