//! The SMKI service's storage ([`smki_service::SmkiTx`]) on the same PostgreSQL database (and
//! transaction) as the DCC core's data, as the SQLite store keeps it.

use dcc::store::{InventoryTx, StoreError, UsersTx};
use eui::Eui64;
use postgres::Row;
use smki::CaKind;
use smki_service::audit::AuditEntry;
use smki_service::batch::{BatchRecord, ItemOutcome, ItemResult};
use smki_service::forecasts::YearMonth;
use smki_service::model::{ca_kind_from_name, ca_kind_name};
use smki_service::publication::{ListKind, RevocationList};
use smki_service::subscribers::{PartyKind, Subscriber};
use smki_service::{
    CaRecord, CertKind, CertRecord, CertStatus, CertUsage, Environment, SmkiTx,
    StoreError as SmkiStoreError,
};

use crate::core::parse_eui;
use crate::{Params, PgTx, col};

fn serr(e: impl std::fmt::Display) -> SmkiStoreError {
    SmkiStoreError(e.to_string())
}

fn s(e: StoreError) -> SmkiStoreError {
    SmkiStoreError(e.0)
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn c<'a, T: postgres::types::FromSql<'a>>(r: &'a Row, i: usize) -> Result<T, SmkiStoreError> {
    col(r, i).map_err(s)
}

fn eui_of(v: &str) -> Result<Eui64, SmkiStoreError> {
    parse_eui(v).map_err(s)
}

/// `Ok` where a statement changed exactly one row, else the error `missing` words.
fn one_row(n: u64, missing: impl FnOnce() -> String) -> Result<(), SmkiStoreError> {
    if n == 1 {
        Ok(())
    } else {
        Err(SmkiStoreError(missing()))
    }
}

impl PgTx<'_> {
    fn smki_exec(&mut self, sql: &str, params: Params<'_>) -> Result<u64, SmkiStoreError> {
        self.exec(sql, params).map_err(s)
    }

    fn smki_rows<T>(
        &mut self,
        sql: &str,
        params: Params<'_>,
        convert: impl Fn(&Row) -> Result<T, SmkiStoreError>,
    ) -> Result<Vec<T>, SmkiStoreError> {
        self.rows(sql, params)
            .map_err(s)?
            .iter()
            .map(convert)
            .collect()
    }

    fn smki_opt<T>(
        &mut self,
        sql: &str,
        params: Params<'_>,
        convert: impl Fn(&Row) -> Result<T, SmkiStoreError>,
    ) -> Result<Option<T>, SmkiStoreError> {
        self.opt(sql, params)
            .map_err(s)?
            .as_ref()
            .map(convert)
            .transpose()
    }

    fn certs_where(
        &mut self,
        condition: &str,
        params: Params<'_>,
    ) -> Result<Vec<CertRecord>, SmkiStoreError> {
        self.smki_rows(
            &format!("SELECT {CERT_COLUMNS} FROM smki_certificates WHERE {condition}"),
            params,
            to_cert,
        )
    }

    /// `INSERT` a `smki_certificates` row, replacing one with the same serial if `replace`.
    fn write_certificate(&mut self, c: &CertRecord, replace: bool) -> Result<(), SmkiStoreError> {
        let on_conflict = if replace {
            " ON CONFLICT (serial) DO UPDATE SET serial_decimal = excluded.serial_decimal, \
             environment = excluded.environment, kind = excluded.kind, usage = excluded.usage, \
             subject_eui = excluded.subject_eui, role = excluded.role, \
             subscriber = excluded.subscriber, issuer_ca = excluded.issuer_ca, \
             public_key = excluded.public_key, issued_at = excluded.issued_at, \
             not_after = excluded.not_after, status = excluded.status, \
             revoked_at = excluded.revoked_at, revocation_reason = excluded.revocation_reason, \
             der = excluded.der"
        } else {
            ""
        };
        self.smki_exec(
            &format!(
                "INSERT INTO smki_certificates ({CERT_COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)\
                 {on_conflict}"
            ),
            &[
                &c.serial,
                &c.serial_decimal,
                &c.environment.as_str(),
                &c.kind.as_str(),
                &c.usage.as_str(),
                &c.subject_eui.map(|e| e.to_string()),
                &c.role.map(i64::from),
                &c.subscriber.map(|e| e.to_string()),
                &c.issuer_ca,
                &c.public_key,
                &c.issued_at,
                &c.not_after,
                &c.status.as_str(),
                &c.revoked_at,
                &c.revocation_reason,
                &c.der,
            ],
        )?;
        Ok(())
    }
}

fn to_list(r: &Row) -> Result<RevocationList, SmkiStoreError> {
    let k: String = c(r, 1)?;
    Ok(RevocationList {
        id: c(r, 0)?,
        kind: ListKind::from_name(&k)
            .ok_or_else(|| SmkiStoreError(format!("unknown list kind {k:?}")))?,
        environment: c::<String>(r, 2)?.parse().map_err(serr)?,
        issuer_ca: c(r, 3)?,
        number: u64::try_from(c::<i64>(r, 4)?).map_err(serr)?,
        this_update: c(r, 5)?,
        next_update: c(r, 6)?,
        der: c(r, 7)?,
    })
}

const CA_COLUMNS: &str = "id, kind, environment, cert_der, key_pkcs8, created_at, issued_count, \
                          retired_at, destroyed_at, destruction_record";

fn to_ca(r: &Row) -> Result<CaRecord, SmkiStoreError> {
    Ok(CaRecord {
        id: c(r, 0)?,
        kind: ca_kind_from_name(&c::<String>(r, 1)?).map_err(serr)?,
        environment: c::<String>(r, 2)?.parse().map_err(serr)?,
        cert_der: c(r, 3)?,
        key_pkcs8: c(r, 4)?,
        created_at: c(r, 5)?,
        issued_count: u64::try_from(c::<i64>(r, 6)?).map_err(serr)?,
        retired_at: c(r, 7)?,
        destroyed_at: c(r, 8)?,
        destruction_record: c(r, 9)?,
    })
}

const CERT_COLUMNS: &str = "serial, serial_decimal, environment, kind, usage, subject_eui, role, \
     subscriber, issuer_ca, public_key, issued_at, not_after, status, revoked_at, \
     revocation_reason, der";

fn to_cert(r: &Row) -> Result<CertRecord, SmkiStoreError> {
    let eui = |v: Option<String>| v.as_deref().map(eui_of).transpose();
    Ok(CertRecord {
        serial: c(r, 0)?,
        serial_decimal: c(r, 1)?,
        environment: c::<String>(r, 2)?.parse().map_err(serr)?,
        kind: c::<String>(r, 3)?.parse().map_err(serr)?,
        usage: c::<String>(r, 4)?.parse().map_err(serr)?,
        subject_eui: eui(c(r, 5)?)?,
        role: c::<Option<i64>>(r, 6)?
            .map(u8::try_from)
            .transpose()
            .map_err(serr)?,
        subscriber: eui(c(r, 7)?)?,
        issuer_ca: c(r, 8)?,
        public_key: c(r, 9)?,
        issued_at: c(r, 10)?,
        not_after: c(r, 11)?,
        status: c::<String>(r, 12)?.parse().map_err(serr)?,
        revoked_at: c(r, 13)?,
        revocation_reason: c(r, 14)?,
        der: c(r, 15)?,
    })
}

const SUBSCRIBER_COLUMNS: &str = "eui, kind, name, admitted_at, admitted_by, evidence";

fn to_subscriber(r: &Row) -> Result<Subscriber, SmkiStoreError> {
    Ok(Subscriber {
        eui: eui_of(&c::<String>(r, 0)?)?,
        kind: c::<String>(r, 1)?
            .parse::<PartyKind>()
            .map_err(SmkiStoreError)?,
        name: c(r, 2)?,
        admitted_at: c(r, 3)?,
        admitted_by: c(r, 4)?,
        evidence: c(r, 5)?,
    })
}

const BATCH_COLUMNS: &str =
    "id, subscriber, environment, submitted_at, total, done, issued, refused, finished_at";

fn to_batch(r: &Row) -> Result<BatchRecord, SmkiStoreError> {
    let n =
        |i: usize| -> Result<u32, SmkiStoreError> { u32::try_from(c::<i64>(r, i)?).map_err(serr) };
    Ok(BatchRecord {
        id: c(r, 0)?,
        subscriber: eui_of(&c::<String>(r, 1)?)?,
        environment: c::<String>(r, 2)?.parse().map_err(serr)?,
        submitted_at: c(r, 3)?,
        total: n(4)?,
        done: n(5)?,
        issued: n(6)?,
        refused: n(7)?,
        finished_at: c(r, 8)?,
    })
}

/// A (subscriber, month, count) row: a forecast, or the certificates issued in a month.
fn to_month_count(r: &Row) -> Result<(Eui64, YearMonth, u64), SmkiStoreError> {
    let m: String = c(r, 1)?;
    Ok((
        eui_of(&c::<String>(r, 0)?)?,
        YearMonth::parse(&m).ok_or_else(|| SmkiStoreError(format!("bad month {m:?}")))?,
        u64::try_from(c::<i64>(r, 2)?).map_err(serr)?,
    ))
}

fn outcome_of(serial: Option<String>, refusal: Option<String>) -> ItemOutcome {
    match (serial, refusal) {
        (Some(s), _) => ItemOutcome::Issued(s),
        (None, Some(r)) => ItemOutcome::Refused(r),
        (None, None) => ItemOutcome::Pending,
    }
}

impl SmkiTx for PgTx<'_> {
    fn put_subscriber(&mut self, sub: &Subscriber) -> Result<(), SmkiStoreError> {
        self.smki_exec(
            &format!(
                "INSERT INTO smki_subscribers ({SUBSCRIBER_COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6)"
            ),
            &[
                &sub.eui.to_string(),
                &sub.kind.as_str(),
                &sub.name,
                &sub.admitted_at,
                &sub.admitted_by,
                &sub.evidence,
            ],
        )?;
        Ok(())
    }

    fn subscriber(&mut self, eui: Eui64) -> Result<Option<Subscriber>, SmkiStoreError> {
        self.smki_opt(
            &format!("SELECT {SUBSCRIBER_COLUMNS} FROM smki_subscribers WHERE eui = $1"),
            &[&eui.to_string()],
            to_subscriber,
        )
    }

    fn subscribers(&mut self) -> Result<Vec<Subscriber>, SmkiStoreError> {
        self.smki_rows(
            &format!(
                "SELECT {SUBSCRIBER_COLUMNS} FROM smki_subscribers ORDER BY eui COLLATE \"C\""
            ),
            &[],
            to_subscriber,
        )
    }

    fn dcc_user(&mut self, eui: Eui64) -> Result<Option<dcc::model::User>, SmkiStoreError> {
        UsersTx::user(self, eui).map_err(s)
    }

    fn smi_device(&mut self, eui: Eui64) -> Result<Option<dcc::model::Device>, SmkiStoreError> {
        InventoryTx::device(self, eui).map_err(s)
    }

    fn smi_premises(&mut self, uprn: &str) -> Result<Option<dcc::model::Premises>, SmkiStoreError> {
        InventoryTx::premises(self, uprn).map_err(s)
    }

    fn smi_registrations(
        &mut self,
        mpxn: &str,
    ) -> Result<Vec<dcc::model::Registration>, SmkiStoreError> {
        InventoryTx::registrations(self, mpxn).map_err(s)
    }

    fn put_batch(&mut self, b: &BatchRecord, csrs: &[Vec<u8>]) -> Result<i64, SmkiStoreError> {
        let r = self
            .one(
                "INSERT INTO smki_batches (subscriber, environment, submitted_at, total, done, \
                 issued, refused, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                &[
                    &b.subscriber.to_string(),
                    &b.environment.as_str(),
                    &b.submitted_at,
                    &i64::from(b.total),
                    &i64::from(b.done),
                    &i64::from(b.issued),
                    &i64::from(b.refused),
                    &b.finished_at,
                ],
            )
            .map_err(s)?;
        let id: i64 = c(&r, 0)?;
        for (i, csr) in csrs.iter().enumerate() {
            self.smki_exec(
                "INSERT INTO smki_batch_items (batch_id, idx, csr) VALUES ($1, $2, $3)",
                &[&id, &i64::try_from(i).map_err(serr)?, csr],
            )?;
        }
        Ok(id)
    }

    fn batch(&mut self, id: i64) -> Result<Option<BatchRecord>, SmkiStoreError> {
        // Locked: a batch read in a transaction is rewritten from what was read (its progress),
        // so two workers on one batch take its chunks one after the other.
        let sql = format!(
            "SELECT {BATCH_COLUMNS} FROM smki_batches WHERE id = $1{}",
            self.for_update()
        );
        self.smki_opt(&sql, &[&id], to_batch)
    }

    fn update_batch(&mut self, b: &BatchRecord) -> Result<(), SmkiStoreError> {
        let n = self.smki_exec(
            "UPDATE smki_batches SET done = $2, issued = $3, refused = $4, finished_at = $5 \
             WHERE id = $1",
            &[
                &b.id,
                &i64::from(b.done),
                &i64::from(b.issued),
                &i64::from(b.refused),
                &b.finished_at,
            ],
        )?;
        one_row(n, || format!("no batch with id {}", b.id))
    }

    fn unfinished_batches(&mut self) -> Result<Vec<i64>, SmkiStoreError> {
        self.smki_rows(
            "SELECT id FROM smki_batches WHERE finished_at IS NULL ORDER BY id",
            &[],
            |r| c(r, 0),
        )
    }

    fn pending_batch_items(
        &mut self,
        id: i64,
        limit: usize,
    ) -> Result<Vec<(u32, Vec<u8>)>, SmkiStoreError> {
        self.smki_rows(
            "SELECT idx, csr FROM smki_batch_items WHERE batch_id = $1 AND serial IS NULL \
             AND refusal IS NULL ORDER BY idx LIMIT $2",
            &[&id, &i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| Ok((u32::try_from(c::<i64>(r, 0)?).map_err(serr)?, c(r, 1)?)),
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
            ItemOutcome::Issued(v) => (Some(v.as_str()), None),
            ItemOutcome::Refused(v) => (None, Some(v.as_str())),
        };
        self.smki_exec(
            "UPDATE smki_batch_items SET serial = $3, refusal = $4 WHERE batch_id = $1 AND idx = $2",
            &[&id, &i64::from(index), &serial, &refusal],
        )?;
        Ok(())
    }

    fn batch_results(&mut self, id: i64) -> Result<Vec<ItemResult>, SmkiStoreError> {
        self.smki_rows(
            "SELECT idx, serial, refusal FROM smki_batch_items WHERE batch_id = $1 ORDER BY idx",
            &[&id],
            |r| {
                Ok(ItemResult {
                    index: u32::try_from(c::<i64>(r, 0)?).map_err(serr)?,
                    outcome: outcome_of(c(r, 1)?, c(r, 2)?),
                })
            },
        )
    }

    fn put_forecast(
        &mut self,
        subscriber: Eui64,
        month: YearMonth,
        n: u64,
        submitted_at: i64,
    ) -> Result<(), SmkiStoreError> {
        self.smki_exec(
            "INSERT INTO smki_forecasts (subscriber, month, count, submitted_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (subscriber, month) DO UPDATE \
             SET count = excluded.count, submitted_at = excluded.submitted_at",
            &[
                &subscriber.to_string(),
                &month.to_string(),
                &i64::try_from(n).map_err(serr)?,
                &submitted_at,
            ],
        )?;
        Ok(())
    }

    fn forecasts(&mut self) -> Result<Vec<(Eui64, YearMonth, u64)>, SmkiStoreError> {
        self.smki_rows(
            "SELECT subscriber, month, count FROM smki_forecasts \
             ORDER BY subscriber COLLATE \"C\", month COLLATE \"C\"",
            &[],
            to_month_count,
        )
    }

    fn device_certs_issued_by_month(
        &mut self,
        env: Environment,
    ) -> Result<Vec<(Eui64, YearMonth, u64)>, SmkiStoreError> {
        self.smki_rows(
            "SELECT subscriber, m, count(*) FROM (SELECT subscriber, \
             to_char(to_timestamp(issued_at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM') AS m \
             FROM smki_certificates WHERE kind = 'device' AND environment = $1 \
             AND subscriber IS NOT NULL) issued GROUP BY subscriber, m \
             ORDER BY subscriber COLLATE \"C\", m COLLATE \"C\"",
            &[&env.as_str()],
            to_month_count,
        )
    }

    fn certificates_by_subject(&mut self, eui: Eui64) -> Result<Vec<CertRecord>, SmkiStoreError> {
        self.certs_where(
            "subject_eui = $1 ORDER BY environment COLLATE \"C\", issued_at, serial COLLATE \"C\"",
            &[&eui.to_string()],
        )
    }

    fn put_ca(&mut self, ca: &CaRecord) -> Result<i64, SmkiStoreError> {
        let r = self
            .one(
                "INSERT INTO smki_cas (kind, environment, cert_der, key_pkcs8, created_at, \
                 issued_count, retired_at, destroyed_at, destruction_record) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                &[
                    &ca_kind_name(ca.kind),
                    &ca.environment.as_str(),
                    &ca.cert_der,
                    &ca.key_pkcs8,
                    &ca.created_at,
                    &count(ca.issued_count),
                    &ca.retired_at,
                    &ca.destroyed_at,
                    &ca.destruction_record,
                ],
            )
            .map_err(s)?;
        c(&r, 0)
    }

    fn update_ca(&mut self, ca: &CaRecord) -> Result<(), SmkiStoreError> {
        let n = self.smki_exec(
            "UPDATE smki_cas SET kind = $2, environment = $3, cert_der = $4, key_pkcs8 = $5, \
             created_at = $6, issued_count = $7, retired_at = $8, destroyed_at = $9, \
             destruction_record = $10 WHERE id = $1",
            &[
                &ca.id,
                &ca_kind_name(ca.kind),
                &ca.environment.as_str(),
                &ca.cert_der,
                &ca.key_pkcs8,
                &ca.created_at,
                &count(ca.issued_count),
                &ca.retired_at,
                &ca.destroyed_at,
                &ca.destruction_record,
            ],
        )?;
        one_row(n, || format!("no CA with id {}", ca.id))
    }

    fn ca(&mut self, id: i64) -> Result<Option<CaRecord>, SmkiStoreError> {
        // Locked: a CA read in a transaction may be rewritten from what was read (its count of
        // certificates issued, which decides its roll-over).
        let sql = format!(
            "SELECT {CA_COLUMNS} FROM smki_cas WHERE id = $1{}",
            self.for_update()
        );
        self.smki_opt(&sql, &[&id], to_ca)
    }

    fn cas(&mut self, kind: CaKind, env: Environment) -> Result<Vec<CaRecord>, SmkiStoreError> {
        let sql = format!(
            "SELECT {CA_COLUMNS} FROM smki_cas WHERE kind = $1 AND environment = $2 \
             ORDER BY id{}",
            self.for_update()
        );
        self.smki_rows(&sql, &[&ca_kind_name(kind), &env.as_str()], to_ca)
    }

    fn put_certificate(&mut self, cert: &CertRecord) -> Result<(), SmkiStoreError> {
        self.write_certificate(cert, true)
    }

    fn insert_certificate(&mut self, cert: &CertRecord) -> Result<(), SmkiStoreError> {
        self.write_certificate(cert, false)
    }

    fn certificate(&mut self, serial_hex: &str) -> Result<Option<CertRecord>, SmkiStoreError> {
        self.smki_opt(
            &format!("SELECT {CERT_COLUMNS} FROM smki_certificates WHERE serial = $1"),
            &[&serial_hex],
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
            "subject_eui = $1 AND environment = $2 AND ($3::TEXT IS NULL OR usage = $3) \
             ORDER BY issued_at, serial COLLATE \"C\"",
            &[
                &eui.to_string(),
                &env.as_str(),
                &usage.map(CertUsage::as_str),
            ],
        )
    }

    fn set_certificate_status(
        &mut self,
        serial_hex: &str,
        status: CertStatus,
    ) -> Result<(), SmkiStoreError> {
        let n = self.smki_exec(
            "UPDATE smki_certificates SET status = $2 WHERE serial = $1",
            &[&serial_hex, &status.as_str()],
        )?;
        one_row(n, || format!("no certificate with serial {serial_hex}"))
    }

    fn revoked_certificates(
        &mut self,
        env: Environment,
        kind: CertKind,
    ) -> Result<Vec<CertRecord>, SmkiStoreError> {
        self.certs_where(
            "status = 'R' AND environment = $1 AND kind = $2 ORDER BY serial COLLATE \"C\"",
            &[&env.as_str(), &kind.as_str()],
        )
    }

    fn certificates_of_kind(
        &mut self,
        env: Environment,
        kind: CertKind,
    ) -> Result<Vec<CertRecord>, SmkiStoreError> {
        self.certs_where(
            "environment = $1 AND kind = $2 ORDER BY serial COLLATE \"C\"",
            &[&env.as_str(), &kind.as_str()],
        )
    }

    fn put_revocation_list(&mut self, l: &RevocationList) -> Result<i64, SmkiStoreError> {
        let r = self
            .one(
                "INSERT INTO smki_revocation_lists (kind, environment, issuer_ca, number, \
                 this_update, next_update, der) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                &[
                    &l.kind.as_str(),
                    &l.environment.as_str(),
                    &l.issuer_ca,
                    &count(l.number),
                    &l.this_update,
                    &l.next_update,
                    &l.der,
                ],
            )
            .map_err(s)?;
        c(&r, 0)
    }

    fn latest_revocation_list(
        &mut self,
        kind: ListKind,
        env: Environment,
    ) -> Result<Option<RevocationList>, SmkiStoreError> {
        self.smki_opt(
            "SELECT id, kind, environment, issuer_ca, number, this_update, next_update, der \
             FROM smki_revocation_lists WHERE kind = $1 AND environment = $2 \
             ORDER BY number DESC LIMIT 1",
            &[&kind.as_str(), &env.as_str()],
            to_list,
        )
    }

    fn mark_gateway_cert_revoked(&mut self, serial_decimal: &str) -> Result<bool, SmkiStoreError> {
        let n = self.smki_exec(
            "UPDATE org_certs SET revoked = TRUE WHERE serial = $1 AND NOT revoked",
            &[&serial_decimal],
        )?;
        Ok(n > 0)
    }

    fn set_participant_suspended(
        &mut self,
        eui: Eui64,
        suspended: bool,
    ) -> Result<Option<bool>, SmkiStoreError> {
        let was: Option<bool> = self.smki_opt(
            "SELECT suspended FROM users WHERE eui = $1 FOR UPDATE",
            &[&eui.to_string()],
            |r| c(r, 0),
        )?;
        if was.is_some() {
            self.smki_exec(
                "UPDATE users SET suspended = $2 WHERE eui = $1",
                &[&eui.to_string(), &suspended],
            )?;
        }
        Ok(was)
    }

    fn append_audit(&mut self, e: &AuditEntry) -> Result<(), SmkiStoreError> {
        self.smki_exec(
            "INSERT INTO smki_audit (at, actor, action, target, reason, detail) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&e.at, &e.actor, &e.action, &e.target, &e.reason, &e.detail],
        )?;
        Ok(())
    }

    fn audit_log(&mut self) -> Result<Vec<AuditEntry>, SmkiStoreError> {
        self.smki_rows(
            "SELECT at, actor, action, target, reason, detail FROM smki_audit ORDER BY id",
            &[],
            |r| {
                Ok(AuditEntry {
                    at: c(r, 0)?,
                    actor: c(r, 1)?,
                    action: c(r, 2)?,
                    target: c(r, 3)?,
                    reason: c(r, 4)?,
                    detail: c(r, 5)?,
                })
            },
        )
    }
}
