//! The core's aggregates (`dcc::store::{UsersTx, InventoryTx, RequestsTx, WanQueue, Outbox,
//! SchedulesTx}`) on PostgreSQL, and the operator's audit log.
//!
//! Values are stored as the SQLite store stores them: EUI-64s as their dashed text, RequestID
//! counters (u64) in `BIGINT` bit for bit (so comparisons of counters are made in Rust, never by
//! SQL on the bit patterns), dates as `YYYY-MM-DD`, times of day as RFC 3339, unix milliseconds
//! as `BIGINT`, inventory rows as JSON.

use dcc::model::smi::StatusChange;
use dcc::model::{Device, OrgCertRecord, Premises, Registration, RegistrationRole, User};
use dcc::store::{
    InventoryTx, JobKind, OperatorAuditEntry, Outbox, OutboxItem, PendingPreCommand,
    RequestCounter, RequestRecord, RequestsTx, ScheduleRecord, SchedulesTx, StoreError, UsersTx,
    WanJob, WanQueue,
};
use duis::Srv;
use eui::Eui64;
use postgres::Row;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::{PgTx, col, err};

/// The `counters` row of an originator's floor (its counter over every target).
const FLOOR: &str = "*";

/// A u64 counter as stored (bit for bit in a BIGINT).
fn c64(v: u64) -> i64 {
    v as i64
}

/// A stored counter back as u64.
fn u64_of(v: i64) -> u64 {
    v as u64
}

pub(crate) fn parse_eui(s: &str) -> Result<Eui64, StoreError> {
    s.parse().map_err(err)
}

fn parse_srv(s: &str) -> Result<Srv, StoreError> {
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

fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(err)
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(err)
}

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn small<T: TryFrom<i64>>(v: i64, what: &str) -> Result<T, StoreError> {
    T::try_from(v).map_err(|_| StoreError(format!("stored {what} {v} out of range")))
}

/// Postcodes are compared without spaces, upper case.
pub fn normalise_postcode(p: &str) -> String {
    p.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

const USER_COLS: &str = "SELECT eui, name, roles, response_url, suspended FROM users";

fn to_user(r: &Row) -> Result<User, StoreError> {
    Ok(User {
        eui: parse_eui(&col::<String>(r, 0)?)?,
        name: col(r, 1)?,
        roles: roles_from_text(&col::<String>(r, 2)?)?,
        response_url: col(r, 3)?,
        suspended: col(r, 4)?,
    })
}

fn to_org_cert(r: &Row) -> Result<OrgCertRecord, StoreError> {
    Ok(OrgCertRecord {
        serial: col(r, 0)?,
        issuer: col(r, 1)?,
        subject_eui: parse_eui(&col::<String>(r, 2)?)?,
        role: small(col(r, 3)?, "role")?,
        public_key: col(r, 4)?,
        der: col(r, 5)?,
        revoked: col(r, 6)?,
    })
}

const ORG_CERT_COLS: &str =
    "SELECT serial, issuer, subject_eui, role, public_key, der, revoked FROM org_certs";

impl UsersTx for PgTx<'_> {
    fn user(&mut self, eui: Eui64) -> Result<Option<User>, StoreError> {
        self.opt(&format!("{USER_COLS} WHERE eui = $1"), &[&eui.to_string()])?
            .as_ref()
            .map(to_user)
            .transpose()
    }

    fn user_by_name(&mut self, name: &str) -> Result<Option<User>, StoreError> {
        self.opt(&format!("{USER_COLS} WHERE name = $1"), &[&name])?
            .as_ref()
            .map(to_user)
            .transpose()
    }

    fn users(&mut self) -> Result<Vec<User>, StoreError> {
        self.rows(&format!("{USER_COLS} ORDER BY name COLLATE \"C\""), &[])?
            .iter()
            .map(to_user)
            .collect()
    }

    fn put_user(&mut self, u: &User) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO users (eui, name, roles, response_url, suspended) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (eui) DO UPDATE SET name = excluded.name, roles = excluded.roles,
               response_url = excluded.response_url, suspended = excluded.suspended",
            &[
                &u.eui.to_string(),
                &u.name,
                &roles_to_text(&u.roles),
                &u.response_url,
                &u.suspended,
            ],
        )?;
        Ok(())
    }

    fn org_cert(&mut self, serial: &str) -> Result<Option<OrgCertRecord>, StoreError> {
        self.opt(&format!("{ORG_CERT_COLS} WHERE serial = $1"), &[&serial])?
            .as_ref()
            .map(to_org_cert)
            .transpose()
    }

    fn put_org_cert(&mut self, c: &OrgCertRecord) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO org_certs (serial, issuer, subject_eui, role, public_key, der, revoked)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (serial) DO UPDATE SET issuer = excluded.issuer,
               subject_eui = excluded.subject_eui, role = excluded.role,
               public_key = excluded.public_key, der = excluded.der, revoked = excluded.revoked",
            &[
                &c.serial,
                &c.issuer,
                &c.subject_eui.to_string(),
                &i64::from(c.role),
                &c.public_key,
                &c.der,
                &c.revoked,
            ],
        )?;
        Ok(())
    }

    fn org_certs_of(&mut self, eui: Eui64) -> Result<Vec<OrgCertRecord>, StoreError> {
        self.rows(
            &format!("{ORG_CERT_COLS} WHERE subject_eui = $1 ORDER BY serial COLLATE \"C\""),
            &[&eui.to_string()],
        )?
        .iter()
        .map(to_org_cert)
        .collect()
    }

    fn is_test_certificate_key(&mut self, public_key: &[u8]) -> Result<bool, StoreError> {
        let r = self.one(
            "SELECT EXISTS (SELECT 1 FROM smki_certificates \
             WHERE public_key = $1 AND environment = 'test')",
            &[&public_key],
        )?;
        col(&r, 0)
    }

    fn request_counter(
        &mut self,
        originator: Eui64,
        target: Eui64,
    ) -> Result<RequestCounter, StoreError> {
        let (o, t) = (originator.to_string(), target.to_string());
        if !self.read_only {
            // Whoever reads a pair's counter to decide on a RequestID holds the pair until it
            // commits: the next one waits, then reads what this one wrote (READ COMMITTED takes
            // a new snapshot per statement). A row lock cannot do this for a pair with no row
            // yet.
            self.exec(
                "SELECT pg_advisory_xact_lock(hashtextextended('opendcc-counter:' || $1 || ':' || $2, 0))",
                &[&o, &t],
            )?;
        }
        let rows = self.rows(
            "SELECT target, last FROM counters WHERE originator = $1 AND target IN ($2, $3)",
            &[&o, &t, &FLOOR],
        )?;
        let mut out = RequestCounter::default();
        for r in &rows {
            let t: String = col(r, 0)?;
            let last = Some(u64_of(col(r, 1)?));
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
        let rows = self.rows(
            "SELECT last FROM counters WHERE originator = $1",
            &[&originator.to_string()],
        )?;
        let mut highest = None;
        for r in &rows {
            highest = highest.max(Some(u64_of(col(r, 0)?)));
        }
        Ok(highest)
    }

    fn reset_counter_floor(&mut self, originator: Eui64, value: u64) -> Result<(), StoreError> {
        let o = originator.to_string();
        self.exec(
            "UPDATE counters SET last = $2 WHERE originator = $1",
            &[&o, &c64(value)],
        )?;
        self.put_counter(&o, FLOOR, value)
    }

    fn next_dcc_counter(&mut self, originator: Eui64) -> Result<u64, StoreError> {
        // One statement, locking the row: exact with any number of writers. In the stored bit
        // pattern, 2⁶⁴−1 is −1 (it stays) and 2⁶³−1 is followed by 2⁶³ (i64::MIN).
        let r = self.one(
            "INSERT INTO counters (originator, target, last) VALUES ($1, $2, 1)
             ON CONFLICT (originator, target) DO UPDATE SET last = CASE
                 WHEN counters.last = -1 THEN -1
                 WHEN counters.last = 9223372036854775807 THEN -9223372036854775808
                 ELSE counters.last + 1 END
             RETURNING last",
            &[&originator.to_string(), &FLOOR],
        )?;
        Ok(u64_of(col(&r, 0)?))
    }
}

impl PgTx<'_> {
    fn put_counter(
        &mut self,
        originator: &str,
        target: &str,
        counter: u64,
    ) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO counters (originator, target, last) VALUES ($1, $2, $3)
             ON CONFLICT (originator, target) DO UPDATE SET last = excluded.last",
            &[&originator, &target, &c64(counter)],
        )?;
        Ok(())
    }

    /// The inventory's devices whose EUI is not in `[from, to]`.
    pub fn devices_outside(&mut self, from: Eui64, to: Eui64) -> Result<Vec<Device>, StoreError> {
        // EUIs as stored (dashed upper-case hex) sort as the numbers do; compared in the C
        // collation, whatever the database's.
        self.rows(
            "SELECT body FROM devices WHERE id COLLATE \"C\" < $1 OR id COLLATE \"C\" > $2 \
             ORDER BY id COLLATE \"C\"",
            &[&from.to_string(), &to.to_string()],
        )?
        .iter()
        .map(|r| from_json(&col::<String>(r, 0)?))
        .collect()
    }
}

fn bodies<T: serde::de::DeserializeOwned>(rows: &[Row]) -> Result<Vec<T>, StoreError> {
    rows.iter()
        .map(|r| from_json(&col::<String>(r, 0)?))
        .collect()
}

impl InventoryTx for PgTx<'_> {
    fn device(&mut self, id: Eui64) -> Result<Option<Device>, StoreError> {
        self.opt("SELECT body FROM devices WHERE id = $1", &[&id.to_string()])?
            .map(|r| from_json(&col::<String>(&r, 0)?))
            .transpose()
    }

    fn devices_at(&mut self, uprn: &str) -> Result<Vec<Device>, StoreError> {
        let rows = self.rows(
            "SELECT body FROM devices WHERE uprn = $1 ORDER BY id COLLATE \"C\"",
            &[&uprn],
        )?;
        bodies(&rows)
    }

    fn devices(&mut self) -> Result<Vec<Device>, StoreError> {
        let rows = self.rows("SELECT body FROM devices ORDER BY id COLLATE \"C\"", &[])?;
        bodies(&rows)
    }

    fn put_device(&mut self, d: &Device) -> Result<(), StoreError> {
        let id = d.id.to_string();
        self.exec(
            "INSERT INTO devices (id, uprn, body) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET uprn = excluded.uprn, body = excluded.body",
            &[&id, &d.uprn, &json(d)?],
        )?;
        // SMKI repository: a device's certificates are pending (`P`) until the device is in the
        // inventory, then in use (`I`); same transaction.
        self.exec(
            "UPDATE smki_certificates SET status = 'I' \
             WHERE subject_eui = $1 AND kind = 'device' AND status = 'P'",
            &[&id],
        )?;
        Ok(())
    }

    fn delete_device(&mut self, id: Eui64) -> Result<bool, StoreError> {
        let n = self.exec("DELETE FROM devices WHERE id = $1", &[&id.to_string()])?;
        Ok(n > 0)
    }

    fn push_status_change(&mut self, c: &StatusChange) -> Result<(), StoreError> {
        // The device's inventory row is written in the same transaction, so concurrent changes
        // of one device's status queue on its row lock; the numbering follows.
        self.exec(
            "INSERT INTO device_status_history \
                 (device, seq, at, from_status, to_status, cause, by_party) \
             SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6 \
             FROM device_status_history WHERE device = $1",
            &[
                &c.device.to_string(),
                &c.at_ms(),
                &c.from.map(|s| s.as_str()),
                &c.to.as_str(),
                &c.cause.to_string(),
                &c.by.to_string(),
            ],
        )?;
        Ok(())
    }

    fn status_history(&mut self, id: Eui64) -> Result<Vec<StatusChange>, StoreError> {
        self.rows(
            "SELECT at, from_status, to_status, cause, by_party \
             FROM device_status_history WHERE device = $1 ORDER BY seq",
            &[&id.to_string()],
        )?
        .iter()
        .map(|r| {
            let from: Option<String> = col(r, 1)?;
            StatusChange::from_stored(
                id,
                col(r, 0)?,
                from.as_deref(),
                &col::<String>(r, 2)?,
                &col::<String>(r, 3)?,
                &col::<String>(r, 4)?,
            )
            .map_err(err)
        })
        .collect()
    }

    fn device_certs(&mut self, id: Eui64) -> Result<Vec<Vec<u8>>, StoreError> {
        self.rows(
            "SELECT der FROM device_certs WHERE id = $1 ORDER BY usage COLLATE \"C\"",
            &[&id.to_string()],
        )?
        .iter()
        .map(|r| col(r, 0))
        .collect()
    }

    fn device_cert(&mut self, id: Eui64, usage: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.opt(
            "SELECT der FROM device_certs WHERE id = $1 AND usage = $2",
            &[&id.to_string(), &usage],
        )?
        .map(|r| col(&r, 0))
        .transpose()
    }

    fn put_device_cert(&mut self, id: Eui64, usage: &str, der: &[u8]) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO device_certs (id, usage, der) VALUES ($1, $2, $3)
             ON CONFLICT (id, usage) DO UPDATE SET der = excluded.der",
            &[&id.to_string(), &usage, &der],
        )?;
        Ok(())
    }

    fn premises(&mut self, uprn: &str) -> Result<Option<Premises>, StoreError> {
        self.opt("SELECT body FROM premises WHERE uprn = $1", &[&uprn])?
            .map(|r| from_json(&col::<String>(&r, 0)?))
            .transpose()
    }

    fn premises_by_postcode(&mut self, postcode: &str) -> Result<Vec<Premises>, StoreError> {
        let rows = self.rows(
            "SELECT body FROM premises WHERE postcode = $1 ORDER BY uprn COLLATE \"C\"",
            &[&normalise_postcode(postcode)],
        )?;
        bodies(&rows)
    }

    fn put_premises(&mut self, p: &Premises) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO premises (uprn, postcode, body) VALUES ($1, $2, $3)
             ON CONFLICT (uprn) DO UPDATE SET postcode = excluded.postcode, body = excluded.body",
            &[&p.uprn, &normalise_postcode(&p.postcode), &json(p)?],
        )?;
        Ok(())
    }

    fn registrations(&mut self, mpxn: &str) -> Result<Vec<Registration>, StoreError> {
        let rows = self.rows(
            "SELECT mpxn, role, party, from_date, to_date FROM registrations WHERE mpxn = $1 \
             ORDER BY from_date COLLATE \"C\", role COLLATE \"C\"",
            &[&mpxn],
        )?;
        rows.iter()
            .map(|r| {
                Ok(Registration {
                    mpxn: col(r, 0)?,
                    role: col::<String>(r, 1)?
                        .parse::<RegistrationRole>()
                        .map_err(err)?,
                    party: parse_eui(&col::<String>(r, 2)?)?,
                    from: parse_date(&col::<String>(r, 3)?)?,
                    to: col::<Option<String>>(r, 4)?
                        .as_deref()
                        .map(parse_date)
                        .transpose()?,
                })
            })
            .collect()
    }

    fn put_registration(&mut self, r: &Registration) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO registrations (mpxn, role, party, from_date, to_date) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (mpxn, role, from_date) DO UPDATE SET party = excluded.party,
               to_date = excluded.to_date",
            &[
                &r.mpxn,
                &r.role.as_str(),
                &r.party.to_string(),
                &date_text(r.from),
                &r.to.map(date_text),
            ],
        )?;
        Ok(())
    }
}

impl RequestsTx for PgTx<'_> {
    fn record_request(&mut self, r: &RequestRecord) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO requests (originator, counter, target, srv, command_variant, received_at, response_code, response)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &r.originator.to_string(),
                &c64(r.counter),
                &r.target.to_string(),
                &r.srv.as_str(),
                &i64::from(r.command_variant),
                &r.received_at.format(&Rfc3339).map_err(err)?,
                &r.response_code,
                &r.response,
            ],
        )?;
        Ok(())
    }

    fn request(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
    ) -> Result<Option<RequestRecord>, StoreError> {
        let row = self.opt(
            "SELECT target, srv, command_variant, received_at, response_code, response FROM requests
             WHERE originator = $1 AND target = $2 AND counter = $3
             ORDER BY command_variant DESC LIMIT 1",
            &[&originator.to_string(), &target.to_string(), &c64(counter)],
        )?;
        row.map(|r| {
            Ok(RequestRecord {
                originator,
                target: parse_eui(&col::<String>(&r, 0)?)?,
                counter,
                srv: parse_srv(&col::<String>(&r, 1)?)?,
                command_variant: small(col(&r, 2)?, "command variant")?,
                received_at: OffsetDateTime::parse(&col::<String>(&r, 3)?, &Rfc3339)
                    .map_err(err)?,
                response_code: col(&r, 4)?,
                response: col(&r, 5)?,
            })
        })
        .transpose()
    }

    fn put_precommand(&mut self, p: &PendingPreCommand) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO precommands (originator, counter, target, srv, precommand, created_at, used)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &p.originator.to_string(),
                &c64(p.counter),
                &p.target.to_string(),
                &p.srv.as_str(),
                &p.precommand,
                &p.created_at,
                &p.used,
            ],
        )?;
        Ok(())
    }

    fn precommand(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
    ) -> Result<Option<PendingPreCommand>, StoreError> {
        // Locked in a writing transaction: a pre-command is used once.
        let sql = format!(
            "SELECT target, srv, precommand, created_at, used FROM precommands
             WHERE originator = $1 AND target = $2 AND counter = $3{}",
            self.for_update()
        );
        let row = self.opt(
            &sql,
            &[&originator.to_string(), &target.to_string(), &c64(counter)],
        )?;
        row.map(|r| {
            Ok(PendingPreCommand {
                originator,
                counter,
                target: parse_eui(&col::<String>(&r, 0)?)?,
                srv: parse_srv(&col::<String>(&r, 1)?)?,
                precommand: col(&r, 2)?,
                created_at: col(&r, 3)?,
                used: col(&r, 4)?,
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
        self.exec(
            "UPDATE precommands SET used = TRUE WHERE originator = $1 AND target = $2 AND counter = $3",
            &[&originator.to_string(), &target.to_string(), &c64(counter)],
        )?;
        Ok(())
    }
}

const WAN_COLS: &str = "SELECT id, originator, counter, target, chf, srv, command, attempts, due_at, deadline_at FROM wan_jobs";

fn to_wan_job(r: &Row) -> Result<WanJob, StoreError> {
    let id: i64 = col(r, 0)?;
    let srv: String = col(r, 5)?;
    Ok(WanJob {
        id,
        originator: parse_eui(&col::<String>(r, 1)?)?,
        counter: u64_of(col(r, 2)?),
        target: parse_eui(&col::<String>(r, 3)?)?,
        chf: parse_eui(&col::<String>(r, 4)?)?,
        kind: JobKind::parse(&srv)
            .ok_or_else(|| StoreError(format!("WAN job {id}: unknown kind {srv:?}")))?,
        command: col(r, 6)?,
        attempts: small(col(r, 7)?, "attempts")?,
        due_at: col(r, 8)?,
        deadline_at: col(r, 9)?,
    })
}

impl PgTx<'_> {
    fn insert_wan_job(&mut self, j: &WanJob, held: bool) -> Result<i64, StoreError> {
        let r = self.one(
            "INSERT INTO wan_jobs (originator, counter, target, chf, srv, command, attempts, due_at, deadline_at, held)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            &[
                &j.originator.to_string(),
                &c64(j.counter),
                &j.target.to_string(),
                &j.chf.to_string(),
                &j.kind.as_str(),
                &j.command,
                &i64::from(j.attempts),
                &j.due_at,
                &j.deadline_at,
                &held,
            ],
        )?;
        col(&r, 0)
    }
}

impl WanQueue for PgTx<'_> {
    fn enqueue_wan(&mut self, j: &WanJob) -> Result<i64, StoreError> {
        self.insert_wan_job(j, false)
    }

    fn hold_wan(&mut self, j: &WanJob) -> Result<i64, StoreError> {
        self.insert_wan_job(j, true)
    }

    fn due_wan_jobs(&mut self, now_ms: i64, n: usize) -> Result<Vec<WanJob>, StoreError> {
        // Each device's oldest unfinished command (a held one counts from its due time), if
        // due, in id order along `wan_jobs_open`. In a writing transaction what is returned is
        // locked and what another transaction holds is passed over (its device's later
        // commands too: they are not their device's oldest).
        let sql = format!(
            "{WAN_COLS} WHERE outcome IS NULL AND due_at <= $1
               AND id = (SELECT MIN(w.id) FROM wan_jobs w WHERE w.target = wan_jobs.target
                         AND w.outcome IS NULL AND (NOT w.held OR w.due_at <= $1))
             ORDER BY id LIMIT $2{}",
            self.skip_locked()
        );
        self.rows(&sql, &[&now_ms, &limit(n)])?
            .iter()
            .map(to_wan_job)
            .collect()
    }

    fn wan_job(&mut self, id: i64) -> Result<Option<WanJob>, StoreError> {
        // Locked in a writing transaction: two attempts at one job run one after the other.
        let sql = format!(
            "{WAN_COLS} WHERE id = $1 AND outcome IS NULL{}",
            self.for_update()
        );
        self.opt(&sql, &[&id])?.as_ref().map(to_wan_job).transpose()
    }

    fn oldest_open_wan_job(
        &mut self,
        target: Eui64,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        let r = self.one(
            "SELECT MIN(id) FROM wan_jobs WHERE target = $1 AND outcome IS NULL
               AND (NOT held OR due_at <= $2)",
            &[&target.to_string(), &now_ms],
        )?;
        col(&r, 0)
    }

    fn sent_command(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
    ) -> Result<Option<WanJob>, StoreError> {
        self.opt(
            &format!(
                "{WAN_COLS} WHERE originator = $1 AND target = $2 AND counter = $3
                 ORDER BY id DESC LIMIT 1"
            ),
            &[&originator.to_string(), &target.to_string(), &c64(counter)],
        )?
        .as_ref()
        .map(to_wan_job)
        .transpose()
    }

    fn retry_wan_job(&mut self, id: i64, attempts: u32, due_at: i64) -> Result<(), StoreError> {
        self.exec(
            // Once tried, a held job is an ordinary one, first in its device's order.
            "UPDATE wan_jobs SET attempts = $2, due_at = $3, held = FALSE WHERE id = $1",
            &[&id, &i64::from(attempts), &due_at],
        )?;
        Ok(())
    }

    fn finish_wan_job(&mut self, id: i64, outcome: &str) -> Result<(), StoreError> {
        self.exec(
            "UPDATE wan_jobs SET outcome = $2 WHERE id = $1",
            &[&id, &outcome],
        )?;
        Ok(())
    }

    fn pending_wan_jobs(&mut self) -> Result<usize, StoreError> {
        let r = self.one("SELECT COUNT(*) FROM wan_jobs WHERE outcome IS NULL", &[])?;
        usize::try_from(col::<i64>(&r, 0)?).map_err(err)
    }

    fn next_wan_due_after(&mut self, now_ms: i64) -> Result<Option<i64>, StoreError> {
        let r = self.one(
            "SELECT MIN(due_at) FROM wan_jobs WHERE outcome IS NULL AND due_at > $1",
            &[&now_ms],
        )?;
        col(&r, 0)
    }
}

const OUTBOX_COLS: &str = "SELECT id, recipient, kind, reference, document, created_at, attempts, next_at, delivered_at, last_error FROM outbox";

fn to_outbox(r: &Row) -> Result<OutboxItem, StoreError> {
    Ok(OutboxItem {
        id: col(r, 0)?,
        recipient: parse_eui(&col::<String>(r, 1)?)?,
        kind: col(r, 2)?,
        reference: col(r, 3)?,
        document: col(r, 4)?,
        created_at: col(r, 5)?,
        attempts: small(col(r, 6)?, "attempts")?,
        next_at: col(r, 7)?,
        delivered_at: col(r, 8)?,
        last_error: col(r, 9)?,
    })
}

impl Outbox for PgTx<'_> {
    fn push_outbox(&mut self, o: &OutboxItem) -> Result<i64, StoreError> {
        let r = self.one(
            "INSERT INTO outbox (recipient, kind, reference, document, created_at, attempts, next_at, delivered_at, last_error)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            &[
                &o.recipient.to_string(),
                &o.kind,
                &o.reference,
                &o.document,
                &o.created_at,
                &i64::from(o.attempts),
                &o.next_at,
                &o.delivered_at,
                &o.last_error,
            ],
        )?;
        col(&r, 0)
    }

    fn due_outbox(&mut self, now_ms: i64, n: usize) -> Result<Vec<OutboxItem>, StoreError> {
        let sql = format!(
            "{OUTBOX_COLS} WHERE delivered_at IS NULL AND next_at <= $1 ORDER BY next_at, id LIMIT $2{}",
            self.skip_locked()
        );
        self.rows(&sql, &[&now_ms, &limit(n)])?
            .iter()
            .map(to_outbox)
            .collect()
    }

    fn due_outbox_ids(&mut self, now_ms: i64, n: usize) -> Result<Vec<i64>, StoreError> {
        let sql = format!(
            "SELECT id FROM outbox WHERE delivered_at IS NULL AND next_at <= $1 ORDER BY next_at, id LIMIT $2{}",
            self.skip_locked()
        );
        self.rows(&sql, &[&now_ms, &limit(n)])?
            .iter()
            .map(|r| col(r, 0))
            .collect()
    }

    fn next_outbox_after(&mut self, now_ms: i64) -> Result<Option<i64>, StoreError> {
        let r = self.one(
            "SELECT MIN(next_at) FROM outbox WHERE delivered_at IS NULL AND next_at > $1",
            &[&now_ms],
        )?;
        col(&r, 0)
    }

    fn outbox_item(&mut self, id: i64) -> Result<Option<OutboxItem>, StoreError> {
        self.opt(&format!("{OUTBOX_COLS} WHERE id = $1"), &[&id])?
            .as_ref()
            .map(to_outbox)
            .transpose()
    }

    fn outbox_delivered(&mut self, id: i64, at_ms: i64) -> Result<(), StoreError> {
        self.exec(
            "UPDATE outbox SET delivered_at = $2, attempts = attempts + 1, last_error = NULL \
             WHERE id = $1 AND delivered_at IS NULL",
            &[&id, &at_ms],
        )?;
        Ok(())
    }

    fn outbox_retry(
        &mut self,
        id: i64,
        attempts: u32,
        next_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        self.exec(
            "UPDATE outbox SET attempts = $2, next_at = $3, last_error = $4 WHERE id = $1",
            &[&id, &i64::from(attempts), &next_at, &error],
        )?;
        Ok(())
    }

    fn outbox_for(&mut self, recipient: Eui64, n: usize) -> Result<Vec<OutboxItem>, StoreError> {
        self.rows(
            &format!("{OUTBOX_COLS} WHERE recipient = $1 ORDER BY id DESC LIMIT $2"),
            &[&recipient.to_string(), &limit(n)],
        )?
        .iter()
        .map(to_outbox)
        .collect()
    }
}

const SCHEDULE_COLS: &str = "SELECT id, owner, device, srv, details, created_counter, created_at, \
                             next_run_at, last_run_at FROM schedules";

fn to_schedule(r: &Row) -> Result<ScheduleRecord, StoreError> {
    let id: i64 = col(r, 0)?;
    let srv: String = col(r, 3)?;
    Ok(ScheduleRecord {
        id: u64::try_from(id).map_err(err)?,
        owner: parse_eui(&col::<String>(r, 1)?)?,
        device: parse_eui(&col::<String>(r, 2)?)?,
        srv: Srv::parse(&srv).ok_or_else(|| StoreError(format!("schedule {id}: srv {srv:?}")))?,
        details: col(r, 4)?,
        created_counter: u64_of(col(r, 5)?),
        created_at: col(r, 6)?,
        next_run_at: col(r, 7)?,
        last_run_at: col(r, 8)?,
    })
}

fn schedule_id(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(err)
}

impl PgTx<'_> {
    /// The `schedule_id` a statement on `schedule_runs` returns for a RequestID (`sql` binds
    /// originator, target and counter as `$1`–`$3`), if any.
    fn schedule_run_id(
        &mut self,
        sql: &str,
        originator: Eui64,
        target: Eui64,
        counter: u64,
    ) -> Result<Option<u64>, StoreError> {
        let row = self.opt(
            sql,
            &[&originator.to_string(), &target.to_string(), &c64(counter)],
        )?;
        row.map(|r| u64::try_from(col::<i64>(&r, 0)?).map_err(err))
            .transpose()
    }
}

impl SchedulesTx for PgTx<'_> {
    fn insert_schedule(&mut self, s: &ScheduleRecord) -> Result<u64, StoreError> {
        let r = self.one(
            "INSERT INTO schedules (owner, device, srv, details, created_counter, created_at, \
             next_run_at, last_run_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            &[
                &s.owner.to_string(),
                &s.device.to_string(),
                &s.srv.as_str(),
                &s.details,
                &c64(s.created_counter),
                &s.created_at,
                &s.next_run_at,
                &s.last_run_at,
            ],
        )?;
        u64::try_from(col::<i64>(&r, 0)?).map_err(err)
    }

    fn schedule(&mut self, sid: u64) -> Result<Option<ScheduleRecord>, StoreError> {
        self.opt(
            &format!("{SCHEDULE_COLS} WHERE id = $1"),
            &[&schedule_id(sid)?],
        )?
        .as_ref()
        .map(to_schedule)
        .transpose()
    }

    fn delete_schedule(&mut self, sid: u64) -> Result<bool, StoreError> {
        let n = self.exec("DELETE FROM schedules WHERE id = $1", &[&schedule_id(sid)?])?;
        Ok(n > 0)
    }

    fn due_schedules(&mut self, now_ms: i64, n: usize) -> Result<Vec<ScheduleRecord>, StoreError> {
        let sql = format!(
            "{SCHEDULE_COLS} WHERE next_run_at IS NOT NULL AND next_run_at <= $1 \
             ORDER BY next_run_at, id LIMIT $2{}",
            self.skip_locked()
        );
        self.rows(&sql, &[&now_ms, &limit(n)])?
            .iter()
            .map(to_schedule)
            .collect()
    }

    fn schedule_ran(
        &mut self,
        sid: u64,
        run_at: i64,
        next_run_at: Option<i64>,
    ) -> Result<(), StoreError> {
        self.exec(
            "UPDATE schedules SET last_run_at = $2, next_run_at = $3 WHERE id = $1",
            &[&schedule_id(sid)?, &run_at, &next_run_at],
        )?;
        Ok(())
    }

    fn record_scheduled_run(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
        sid: u64,
    ) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO schedule_runs (originator, target, counter, schedule_id) \
             VALUES ($1, $2, $3, $4)",
            &[
                &originator.to_string(),
                &target.to_string(),
                &c64(counter),
                &schedule_id(sid)?,
            ],
        )?;
        Ok(())
    }

    fn scheduled_run(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
    ) -> Result<Option<u64>, StoreError> {
        self.schedule_run_id(
            "SELECT schedule_id FROM schedule_runs \
             WHERE originator = $1 AND target = $2 AND counter = $3",
            originator,
            target,
            counter,
        )
    }

    fn take_scheduled_run(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
    ) -> Result<Option<u64>, StoreError> {
        self.schedule_run_id(
            "DELETE FROM schedule_runs WHERE originator = $1 AND target = $2 AND counter = $3 \
             RETURNING schedule_id",
            originator,
            target,
            counter,
        )
    }
}

impl dcc::store::OperatorAuditTx for PgTx<'_> {
    fn append_operator_audit(&mut self, e: &OperatorAuditEntry) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO operator_audit (at, actor, action, target, detail) \
             VALUES ($1, $2, $3, $4, $5)",
            &[&e.at, &e.actor, &e.action, &e.target, &e.detail],
        )?;
        Ok(())
    }

    fn operator_audit_log(&mut self) -> Result<Vec<OperatorAuditEntry>, StoreError> {
        self.rows(
            "SELECT at, actor, action, target, detail FROM operator_audit ORDER BY id",
            &[],
        )?
        .iter()
        .map(|r| {
            Ok(OperatorAuditEntry {
                at: col(r, 0)?,
                actor: col(r, 1)?,
                action: col(r, 2)?,
                target: col(r, 3)?,
                detail: col(r, 4)?,
            })
        })
        .collect()
    }
}
