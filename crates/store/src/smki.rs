//! The SMKI service's storage ([`smki_service::SmkiTx`]) on the same SQLite database as the
//! DCC core: one file, and one transaction where an SMKI operation changes what the gateway
//! trusts.

use eui::Eui64;
use rusqlite::types::ToSqlOutput;
use rusqlite::{OptionalExtension, ToSql, params};
use smki::CaKind;
use smki_service::audit::AuditEntry;
use smki_service::model::{ca_kind_from_name, ca_kind_name};
use smki_service::publication::{ListKind, RevocationList};
use smki_service::{
    CaRecord, CertKind, CertRecord, CertStatus, CertUsage, Environment, SmkiStore, SmkiTx,
    StoreError as SmkiStoreError,
};

use dcc::store::{InventoryTx, UsersTx};
use smki_service::batch::{BatchRecord, ItemOutcome, ItemResult};
use smki_service::forecasts::YearMonth;
use smki_service::subscribers::{PartyKind, Subscriber};

use crate::{SqliteStore, SqliteTx, parse_eui};

fn serr(e: impl std::fmt::Display) -> SmkiStoreError {
    SmkiStoreError(e.to_string())
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Reads a whole row as a tuple of its columns, in `SELECT` order.
fn tuple<T>(r: &rusqlite::Row<'_>) -> rusqlite::Result<T>
where
    T: for<'a> TryFrom<&'a rusqlite::Row<'a>, Error = rusqlite::Error>,
{
    T::try_from(r)
}

fn eui_of(s: &str) -> Result<Eui64, SmkiStoreError> {
    parse_eui(s).map_err(|e| SmkiStoreError(e.0))
}

/// `Ok` where a statement changed exactly one row, else the error `missing` words.
fn one_row(n: usize, missing: impl FnOnce() -> String) -> Result<(), SmkiStoreError> {
    if n == 1 {
        Ok(())
    } else {
        Err(SmkiStoreError(missing()))
    }
}

impl SqliteTx<'_> {
    /// Runs a cached statement; a database error becomes the SMKI store's error.
    fn smki_execute<P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
    ) -> Result<usize, SmkiStoreError> {
        self.execute(sql, params).map_err(serr)
    }

    /// The one row `sql` selects, if any: read by `row`, then converted by `convert`.
    fn smki_row<R, T, P, F, G>(
        &self,
        sql: &str,
        params: P,
        row: F,
        convert: G,
    ) -> Result<Option<T>, SmkiStoreError>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<R>,
        G: FnOnce(R) -> Result<T, SmkiStoreError>,
    {
        self.query_row(sql, params, row)
            .optional()
            .map_err(serr)?
            .map(convert)
            .transpose()
    }

    /// Every row `sql` selects, in its order: each read by `row`, then converted by `convert`.
    fn smki_rows<R, T, P, F, G>(
        &self,
        sql: &str,
        params: P,
        row: F,
        mut convert: G,
    ) -> Result<Vec<T>, SmkiStoreError>
    where
        P: rusqlite::Params,
        F: FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<R>,
        G: FnMut(R) -> Result<T, SmkiStoreError>,
    {
        let mut st = self.tx.prepare_cached(sql).map_err(serr)?;
        let rows = st.query_map(params, row).map_err(serr)?;
        rows.map(|r| r.map_err(serr).and_then(&mut convert))
            .collect()
    }

    /// The certificates `condition` (the SQL after `WHERE`) selects.
    fn certs_where<P: rusqlite::Params>(
        &self,
        condition: &str,
        params: P,
    ) -> Result<Vec<CertRecord>, SmkiStoreError> {
        self.smki_rows(
            &format!("SELECT {CERT_COLUMNS} FROM smki_certificates WHERE {condition}"),
            params,
            tuple,
            to_cert,
        )
    }
}

impl SqliteStore {
    /// Copies every WAL page into the database file and truncates the WAL to zero bytes
    /// (`PRAGMA wal_checkpoint(TRUNCATE)`), so that page images of overwritten rows (a
    /// destroyed CA key) do not remain in the `-wal` file. Returns whether the checkpoint
    /// completed (`false`: another connection was reading; try again later).
    pub fn checkpoint_truncate(&self) -> Result<bool, SmkiStoreError> {
        let g = self.db.exclusive().map_err(SmkiStoreError)?;
        let conn = &g.conn;
        let (busy, _log, _done): (i64, i64, i64) = conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], tuple)
            .map_err(serr)?;
        Ok(busy == 0)
    }
}

impl SqliteStore {
    /// Sets this connection's page cache to `kib` KiB (`PRAGMA cache_size = -kib`; SQLite's
    /// default is 2,000 KiB). Building a large world raises it while it writes millions of
    /// rows into randomly keyed indexes, and puts the default back after.
    pub fn set_page_cache_kib(&self, kib: u32) -> Result<(), SmkiStoreError> {
        let g = self.db.exclusive().map_err(SmkiStoreError)?;
        g.conn
            .pragma_update(None, "cache_size", -i64::from(kib))
            .map_err(serr)
    }

    /// The inventory's devices whose EUI is not in `[from, to]` (a large generated world lists
    /// its few named devices without reading the million generated ones).
    pub fn devices_outside(
        &self,
        from: eui::Eui64,
        to: eui::Eui64,
    ) -> Result<Vec<dcc::model::Device>, SmkiStoreError> {
        let g = self.db.exclusive().map_err(SmkiStoreError)?;
        let conn = &g.conn;
        let mut st = conn
            .prepare_cached("SELECT body FROM devices WHERE id < ?1 OR id > ?2 ORDER BY id")
            .map_err(serr)?;
        let rows = st
            .query_map([from.to_string(), to.to_string()], |r| {
                r.get::<_, String>(0)
            })
            .map_err(serr)?;
        rows.map(|r| {
            r.map_err(serr).and_then(|b| {
                serde_json::from_str(&b).map_err(|e| SmkiStoreError(format!("device: {e}")))
            })
        })
        .collect()
    }
}

impl SmkiStore for SqliteStore {
    fn smki_transaction<T, E: From<SmkiStoreError>>(
        &self,
        f: impl FnOnce(&mut dyn SmkiTx) -> Result<T, E>,
    ) -> Result<T, E> {
        self.db.run(|tx| f(tx), |e| E::from(SmkiStoreError(e)))
    }
}

/// A `smki_revocation_lists` row: id, kind, environment, issuer, number, this/next update, DER.
type ListRow = (i64, String, String, i64, i64, i64, i64, Vec<u8>);

fn to_list(r: ListRow) -> Result<RevocationList, SmkiStoreError> {
    let (id, k, e, issuer_ca, number, this_update, next_update, der) = r;
    Ok(RevocationList {
        id,
        kind: ListKind::from_name(&k)
            .ok_or_else(|| SmkiStoreError(format!("unknown list kind {k:?}")))?,
        environment: e.parse().map_err(serr)?,
        issuer_ca,
        number: u64::try_from(number).map_err(serr)?,
        this_update,
        next_update,
        der,
    })
}

type CaRow = (
    i64,
    String,
    String,
    Vec<u8>,
    Option<Vec<u8>>,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

const CA_COLUMNS: &str = "id, kind, environment, cert_der, key_pkcs8, created_at, issued_count, \
                          retired_at, destroyed_at, destruction_record";

/// A CA's values for the `smki_cas` columns after `id`, in [`CA_COLUMNS`] order.
fn ca_values(ca: &CaRecord) -> rusqlite::Result<[ToSqlOutput<'_>; 9]> {
    Ok([
        ca_kind_name(ca.kind).to_sql()?,
        ca.environment.as_str().to_sql()?,
        ca.cert_der.to_sql()?,
        ca.key_pkcs8.to_sql()?,
        ca.created_at.to_sql()?,
        ToSqlOutput::from(count(ca.issued_count)),
        ca.retired_at.to_sql()?,
        ca.destroyed_at.to_sql()?,
        ca.destruction_record.to_sql()?,
    ])
}

fn to_ca(r: CaRow) -> Result<CaRecord, SmkiStoreError> {
    let (id, kind, env, cert_der, key_pkcs8, created_at, issued, retired_at, destroyed_at, rec) = r;
    Ok(CaRecord {
        id,
        kind: ca_kind_from_name(&kind).map_err(serr)?,
        environment: env.parse().map_err(serr)?,
        cert_der,
        key_pkcs8,
        created_at,
        issued_count: u64::try_from(issued).map_err(serr)?,
        retired_at,
        destroyed_at,
        destruction_record: rec,
    })
}

const CERT_COLUMNS: &str = "serial, serial_decimal, environment, kind, usage, subject_eui, role, \
     subscriber, issuer_ca, public_key, issued_at, not_after, status, revoked_at, \
     revocation_reason, der";

impl SqliteTx<'_> {
    /// `verb` (`INSERT` or `INSERT OR REPLACE`) a `smki_certificates` row.
    fn write_certificate(&self, verb: &str, c: &CertRecord) -> Result<(), SmkiStoreError> {
        self.smki_execute(
            &format!(
                "{verb} INTO smki_certificates ({CERT_COLUMNS}) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
            ),
            params![
                c.serial,
                c.serial_decimal,
                c.environment.as_str(),
                c.kind.as_str(),
                c.usage.as_str(),
                c.subject_eui.map(|e| e.to_string()),
                c.role,
                c.subscriber.map(|e| e.to_string()),
                c.issuer_ca,
                c.public_key,
                c.issued_at,
                c.not_after,
                c.status.as_str(),
                c.revoked_at,
                c.revocation_reason,
                c.der,
            ],
        )?;
        Ok(())
    }
}

/// A `smki_certificates` row, in [`CERT_COLUMNS`] order.
type CertRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Vec<u8>,
    i64,
    i64,
    String,
    Option<i64>,
    Option<String>,
    Vec<u8>,
);

fn to_cert(r: CertRow) -> Result<CertRecord, SmkiStoreError> {
    let (
        serial,
        serial_decimal,
        env,
        kind,
        usage,
        subject,
        role,
        subscriber,
        issuer_ca,
        public_key,
        issued_at,
        not_after,
        status,
        revoked_at,
        reason,
        der,
    ) = r;
    let eui = |s: Option<String>| s.as_deref().map(eui_of).transpose();
    Ok(CertRecord {
        serial,
        serial_decimal,
        environment: env.parse().map_err(serr)?,
        kind: kind.parse().map_err(serr)?,
        usage: usage.parse().map_err(serr)?,
        subject_eui: eui(subject)?,
        role: role.map(u8::try_from).transpose().map_err(serr)?,
        subscriber: eui(subscriber)?,
        issuer_ca,
        public_key,
        issued_at,
        not_after,
        status: status.parse().map_err(serr)?,
        revoked_at,
        revocation_reason: reason,
        der,
    })
}

const SUBSCRIBER_COLUMNS: &str = "eui, kind, name, admitted_at, admitted_by, evidence";

fn to_subscriber(
    r: (String, String, String, i64, String, String),
) -> Result<Subscriber, SmkiStoreError> {
    let (eui, kind, name, admitted_at, admitted_by, evidence) = r;
    Ok(Subscriber {
        eui: eui_of(&eui)?,
        kind: kind.parse::<PartyKind>().map_err(SmkiStoreError)?,
        name,
        admitted_at,
        admitted_by,
        evidence,
    })
}

type BatchRow = (i64, String, String, i64, i64, i64, i64, i64, Option<i64>);

const BATCH_COLUMNS: &str =
    "id, subscriber, environment, submitted_at, total, done, issued, refused, finished_at";

fn to_batch(r: BatchRow) -> Result<BatchRecord, SmkiStoreError> {
    let (id, sub, env, submitted_at, total, done, issued, refused, finished_at) = r;
    let n = |v: i64| u32::try_from(v).map_err(serr);
    Ok(BatchRecord {
        id,
        subscriber: eui_of(&sub)?,
        environment: env.parse().map_err(serr)?,
        submitted_at,
        total: n(total)?,
        done: n(done)?,
        issued: n(issued)?,
        refused: n(refused)?,
        finished_at,
    })
}

/// A (subscriber, month, count) row: a forecast, or the certificates issued in a month.
fn to_month_count(r: (String, String, i64)) -> Result<(Eui64, YearMonth, u64), SmkiStoreError> {
    let (s, m, n) = r;
    Ok((
        eui_of(&s)?,
        YearMonth::parse(&m).ok_or_else(|| SmkiStoreError(format!("bad month {m:?}")))?,
        u64::try_from(n).map_err(serr)?,
    ))
}

fn month_text(m: YearMonth) -> String {
    m.to_string()
}

fn dcc_err(e: dcc::store::StoreError) -> SmkiStoreError {
    SmkiStoreError(e.0)
}

impl SmkiTx for SqliteTx<'_> {
    fn put_subscriber(&mut self, s: &Subscriber) -> Result<(), SmkiStoreError> {
        self.smki_execute(
            &format!(
                "INSERT INTO smki_subscribers ({SUBSCRIBER_COLUMNS}) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
            ),
            params![
                s.eui.to_string(),
                s.kind.as_str(),
                s.name,
                s.admitted_at,
                s.admitted_by,
                s.evidence
            ],
        )?;
        Ok(())
    }

    fn subscriber(&mut self, eui: Eui64) -> Result<Option<Subscriber>, SmkiStoreError> {
        self.smki_row(
            &format!("SELECT {SUBSCRIBER_COLUMNS} FROM smki_subscribers WHERE eui = ?1"),
            [eui.to_string()],
            tuple,
            to_subscriber,
        )
    }

    fn subscribers(&mut self) -> Result<Vec<Subscriber>, SmkiStoreError> {
        self.smki_rows(
            &format!("SELECT {SUBSCRIBER_COLUMNS} FROM smki_subscribers ORDER BY eui"),
            [],
            tuple,
            to_subscriber,
        )
    }

    fn dcc_user(&mut self, eui: Eui64) -> Result<Option<dcc::model::User>, SmkiStoreError> {
        UsersTx::user(self, eui).map_err(dcc_err)
    }

    fn smi_device(&mut self, eui: Eui64) -> Result<Option<dcc::model::Device>, SmkiStoreError> {
        InventoryTx::device(self, eui).map_err(dcc_err)
    }

    fn smi_premises(&mut self, uprn: &str) -> Result<Option<dcc::model::Premises>, SmkiStoreError> {
        InventoryTx::premises(self, uprn).map_err(dcc_err)
    }

    fn smi_registrations(
        &mut self,
        mpxn: &str,
    ) -> Result<Vec<dcc::model::Registration>, SmkiStoreError> {
        InventoryTx::registrations(self, mpxn).map_err(dcc_err)
    }

    fn put_batch(&mut self, b: &BatchRecord, csrs: &[Vec<u8>]) -> Result<i64, SmkiStoreError> {
        self.smki_execute(
            "INSERT INTO smki_batches (subscriber, environment, submitted_at, total, done, issued, \
             refused, finished_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                b.subscriber.to_string(),
                b.environment.as_str(),
                b.submitted_at,
                b.total,
                b.done,
                b.issued,
                b.refused,
                b.finished_at
            ],
        )?;
        let id = self.tx.last_insert_rowid();
        let mut st = self
            .tx
            .prepare_cached("INSERT INTO smki_batch_items (batch_id, idx, csr) VALUES (?1, ?2, ?3)")
            .map_err(serr)?;
        for (i, csr) in csrs.iter().enumerate() {
            st.execute(params![id, i64::try_from(i).map_err(serr)?, csr])
                .map_err(serr)?;
        }
        Ok(id)
    }

    fn batch(&mut self, id: i64) -> Result<Option<BatchRecord>, SmkiStoreError> {
        self.smki_row(
            &format!("SELECT {BATCH_COLUMNS} FROM smki_batches WHERE id = ?1"),
            [id],
            tuple,
            to_batch,
        )
    }

    fn update_batch(&mut self, b: &BatchRecord) -> Result<(), SmkiStoreError> {
        let n = self.smki_execute(
            "UPDATE smki_batches SET done = ?2, issued = ?3, refused = ?4, finished_at = ?5 \
             WHERE id = ?1",
            params![b.id, b.done, b.issued, b.refused, b.finished_at],
        )?;
        one_row(n, || format!("no batch with id {}", b.id))
    }

    fn unfinished_batches(&mut self) -> Result<Vec<i64>, SmkiStoreError> {
        self.smki_rows(
            "SELECT id FROM smki_batches WHERE finished_at IS NULL ORDER BY id",
            [],
            |r| r.get(0),
            Ok,
        )
    }

    fn pending_batch_items(
        &mut self,
        id: i64,
        limit: usize,
    ) -> Result<Vec<(u32, Vec<u8>)>, SmkiStoreError> {
        self.smki_rows(
            "SELECT idx, csr FROM smki_batch_items WHERE batch_id = ?1 AND serial IS NULL \
             AND refusal IS NULL ORDER BY idx LIMIT ?2",
            params![id, i64::try_from(limit).unwrap_or(i64::MAX)],
            tuple,
            Ok,
        )
    }

    fn set_batch_item(
        &mut self,
        id: i64,
        index: u32,
        outcome: &ItemOutcome,
    ) -> Result<(), SmkiStoreError> {
        let (serial, refusal) = match outcome {
            ItemOutcome::Pending => (None, None),
            ItemOutcome::Issued(s) => (Some(s.as_str()), None),
            ItemOutcome::Refused(r) => (None, Some(r.as_str())),
        };
        self.smki_execute(
            "UPDATE smki_batch_items SET serial = ?3, refusal = ?4 WHERE batch_id = ?1 AND idx = ?2",
            params![id, index, serial, refusal],
        )?;
        Ok(())
    }

    fn batch_results(&mut self, id: i64) -> Result<Vec<ItemResult>, SmkiStoreError> {
        self.smki_rows(
            "SELECT idx, serial, refusal FROM smki_batch_items WHERE batch_id = ?1 ORDER BY idx",
            [id],
            tuple,
            |(index, serial, refusal): (u32, Option<String>, Option<String>)| {
                Ok(ItemResult {
                    index,
                    outcome: match (serial, refusal) {
                        (Some(s), _) => ItemOutcome::Issued(s),
                        (None, Some(r)) => ItemOutcome::Refused(r),
                        (None, None) => ItemOutcome::Pending,
                    },
                })
            },
        )
    }

    fn put_forecast(
        &mut self,
        subscriber: Eui64,
        month: YearMonth,
        count: u64,
        submitted_at: i64,
    ) -> Result<(), SmkiStoreError> {
        self.smki_execute(
            "INSERT OR REPLACE INTO smki_forecasts (subscriber, month, count, submitted_at) \
             VALUES (?1, ?2, ?3, ?4)",
            params![
                subscriber.to_string(),
                month_text(month),
                i64::try_from(count).map_err(serr)?,
                submitted_at
            ],
        )?;
        Ok(())
    }

    fn forecasts(&mut self) -> Result<Vec<(Eui64, YearMonth, u64)>, SmkiStoreError> {
        self.smki_rows(
            "SELECT subscriber, month, count FROM smki_forecasts ORDER BY subscriber, month",
            [],
            tuple,
            to_month_count,
        )
    }

    fn device_certs_issued_by_month(
        &mut self,
        env: Environment,
    ) -> Result<Vec<(Eui64, YearMonth, u64)>, SmkiStoreError> {
        self.smki_rows(
            "SELECT subscriber, strftime('%Y-%m', issued_at / 1000, 'unixepoch') AS m, count(*) \
             FROM smki_certificates WHERE kind = 'device' AND environment = ?1 \
             AND subscriber IS NOT NULL GROUP BY subscriber, m ORDER BY subscriber, m",
            [env.as_str()],
            tuple,
            to_month_count,
        )
    }

    fn certificates_by_subject(&mut self, eui: Eui64) -> Result<Vec<CertRecord>, SmkiStoreError> {
        self.certs_where(
            "subject_eui = ?1 ORDER BY environment, issued_at, serial",
            [eui.to_string()],
        )
    }

    fn put_ca(&mut self, ca: &CaRecord) -> Result<i64, SmkiStoreError> {
        self.smki_execute(
            "INSERT INTO smki_cas (kind, environment, cert_der, key_pkcs8, created_at, \
             issued_count, retired_at, destroyed_at, destruction_record) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            rusqlite::params_from_iter(ca_values(ca).map_err(serr)?),
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    fn update_ca(&mut self, ca: &CaRecord) -> Result<(), SmkiStoreError> {
        let values = ca_values(ca).map_err(serr)?;
        let n = self.smki_execute(
            "UPDATE smki_cas SET kind = ?2, environment = ?3, cert_der = ?4, key_pkcs8 = ?5, \
             created_at = ?6, issued_count = ?7, retired_at = ?8, destroyed_at = ?9, \
             destruction_record = ?10 WHERE id = ?1",
            rusqlite::params_from_iter(std::iter::once(ToSqlOutput::from(ca.id)).chain(values)),
        )?;
        one_row(n, || format!("no CA with id {}", ca.id))
    }

    fn ca(&mut self, id: i64) -> Result<Option<CaRecord>, SmkiStoreError> {
        self.smki_row(
            &format!("SELECT {CA_COLUMNS} FROM smki_cas WHERE id = ?1"),
            [id],
            tuple,
            to_ca,
        )
    }

    fn cas(&mut self, kind: CaKind, env: Environment) -> Result<Vec<CaRecord>, SmkiStoreError> {
        self.smki_rows(
            &format!(
                "SELECT {CA_COLUMNS} FROM smki_cas WHERE kind = ?1 AND environment = ?2 \
                 ORDER BY id"
            ),
            params![ca_kind_name(kind), env.as_str()],
            tuple,
            to_ca,
        )
    }

    fn put_certificate(&mut self, c: &CertRecord) -> Result<(), SmkiStoreError> {
        self.write_certificate("INSERT OR REPLACE", c)
    }

    fn insert_certificate(&mut self, c: &CertRecord) -> Result<(), SmkiStoreError> {
        // A plain INSERT checks the serial's uniqueness before it writes anything, so SQLite
        // keeps no statement journal for it (OR REPLACE may delete a row part-way through and
        // must be able to undo that): about a tenth of a batch's storage cost.
        self.write_certificate("INSERT", c)
    }

    fn certificate(&mut self, serial_hex: &str) -> Result<Option<CertRecord>, SmkiStoreError> {
        self.smki_row(
            &format!("SELECT {CERT_COLUMNS} FROM smki_certificates WHERE serial = ?1"),
            [serial_hex],
            tuple,
            to_cert,
        )
    }

    fn certificates_of(
        &mut self,
        eui: Eui64,
        env: Environment,
        usage: Option<CertUsage>,
    ) -> Result<Vec<CertRecord>, SmkiStoreError> {
        self.certs_where(
            "subject_eui = ?1 AND environment = ?2 AND (?3 IS NULL OR usage = ?3) \
             ORDER BY issued_at, serial",
            params![eui.to_string(), env.as_str(), usage.map(CertUsage::as_str)],
        )
    }

    fn set_certificate_status(
        &mut self,
        serial_hex: &str,
        status: CertStatus,
    ) -> Result<(), SmkiStoreError> {
        let n = self.smki_execute(
            "UPDATE smki_certificates SET status = ?2 WHERE serial = ?1",
            params![serial_hex, status.as_str()],
        )?;
        one_row(n, || format!("no certificate with serial {serial_hex}"))
    }

    // --- revocation, CRL/ARL publication, DCA roll-over, PMA powers (task H-CA) ---

    fn revoked_certificates(
        &mut self,
        env: Environment,
        kind: CertKind,
    ) -> Result<Vec<CertRecord>, SmkiStoreError> {
        self.certs_where(
            "status = 'R' AND environment = ?1 AND kind = ?2 ORDER BY serial",
            params![env.as_str(), kind.as_str()],
        )
    }

    fn certificates_of_kind(
        &mut self,
        env: Environment,
        kind: CertKind,
    ) -> Result<Vec<CertRecord>, SmkiStoreError> {
        self.certs_where(
            "environment = ?1 AND kind = ?2 ORDER BY serial",
            params![env.as_str(), kind.as_str()],
        )
    }

    fn put_revocation_list(&mut self, l: &RevocationList) -> Result<i64, SmkiStoreError> {
        self.smki_execute(
            "INSERT INTO smki_revocation_lists (kind, environment, issuer_ca, number, \
             this_update, next_update, der) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                l.kind.as_str(),
                l.environment.as_str(),
                l.issuer_ca,
                count(l.number),
                l.this_update,
                l.next_update,
                l.der,
            ],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    fn latest_revocation_list(
        &mut self,
        kind: ListKind,
        env: Environment,
    ) -> Result<Option<RevocationList>, SmkiStoreError> {
        self.smki_row(
            "SELECT id, kind, environment, issuer_ca, number, this_update, next_update, der \
             FROM smki_revocation_lists WHERE kind = ?1 AND environment = ?2 \
             ORDER BY number DESC LIMIT 1",
            params![kind.as_str(), env.as_str()],
            tuple,
            to_list,
        )
    }

    fn mark_gateway_cert_revoked(&mut self, serial_decimal: &str) -> Result<bool, SmkiStoreError> {
        let n = self.smki_execute(
            "UPDATE org_certs SET revoked = 1 WHERE serial = ?1 AND revoked = 0",
            [serial_decimal],
        )?;
        Ok(n > 0)
    }

    fn set_participant_suspended(
        &mut self,
        eui: Eui64,
        suspended: bool,
    ) -> Result<Option<bool>, SmkiStoreError> {
        let was: Option<bool> = self.smki_row(
            "SELECT suspended FROM users WHERE eui = ?1",
            [eui.to_string()],
            |r| r.get(0),
            Ok,
        )?;
        if was.is_some() {
            self.smki_execute(
                "UPDATE users SET suspended = ?2 WHERE eui = ?1",
                params![eui.to_string(), suspended],
            )?;
        }
        Ok(was)
    }

    fn append_audit(&mut self, e: &AuditEntry) -> Result<(), SmkiStoreError> {
        self.smki_execute(
            "INSERT INTO smki_audit (at, actor, action, target, reason, detail) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![e.at, e.actor, e.action, e.target, e.reason, e.detail],
        )?;
        Ok(())
    }

    fn audit_log(&mut self) -> Result<Vec<AuditEntry>, SmkiStoreError> {
        self.smki_rows(
            "SELECT at, actor, action, target, reason, detail FROM smki_audit ORDER BY id",
            [],
            tuple,
            |(at, actor, action, target, reason, detail)| {
                Ok(AuditEntry {
                    at,
                    actor,
                    action,
                    target,
                    reason,
                    detail,
                })
            },
        )
    }
}
