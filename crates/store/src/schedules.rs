//! `dcc::store::SchedulesTx` on SQLite: tables `schedules` and `schedule_runs`.

use dcc::store::{ScheduleRecord, SchedulesTx, StoreError};
use duis::Srv;
use eui::Eui64;
use rusqlite::{OptionalExtension, params};

use crate::{SqliteTx, err, parse_eui};

const COLS: &str = "SELECT id, owner, device, srv, details, created_counter, created_at, \
                    next_run_at, last_run_at FROM schedules";

type Row = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
);

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

fn record(r: Row) -> Result<ScheduleRecord, StoreError> {
    let (id, owner, device, srv, details, created_counter, created_at, next_run_at, last_run_at) =
        r;
    Ok(ScheduleRecord {
        id: u64::try_from(id).map_err(err)?,
        owner: parse_eui(&owner)?,
        device: parse_eui(&device)?,
        srv: Srv::parse(&srv).ok_or_else(|| StoreError(format!("schedule {id}: srv {srv:?}")))?,
        details,
        created_counter: created_counter as u64,
        created_at,
        next_run_at,
        last_run_at,
    })
}

fn id(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(err)
}

impl SqliteTx<'_> {
    /// The `schedule_id` a statement on `schedule_runs` returns for a RequestID (`sql` binds
    /// originator, target and counter as `?1`–`?3`), if any.
    fn schedule_run_id(
        &self,
        sql: &str,
        originator: Eui64,
        target: Eui64,
        counter: u64,
    ) -> Result<Option<u64>, StoreError> {
        let v: Option<i64> = self
            .query_row(
                sql,
                params![originator.to_string(), target.to_string(), counter as i64],
                |r| r.get(0),
            )
            .optional()
            .map_err(err)?;
        v.map(|v| u64::try_from(v).map_err(err)).transpose()
    }
}

impl SchedulesTx for SqliteTx<'_> {
    fn insert_schedule(&mut self, s: &ScheduleRecord) -> Result<u64, StoreError> {
        self.execute(
            "INSERT INTO schedules (owner, device, srv, details, created_counter, created_at, \
             next_run_at, last_run_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                s.owner.to_string(),
                s.device.to_string(),
                s.srv.as_str(),
                s.details,
                s.created_counter as i64,
                s.created_at,
                s.next_run_at,
                s.last_run_at
            ],
        )
        .map_err(err)?;
        u64::try_from(self.tx.last_insert_rowid()).map_err(err)
    }

    fn schedule(&mut self, sid: u64) -> Result<Option<ScheduleRecord>, StoreError> {
        self.query_row(&format!("{COLS} WHERE id = ?1"), [id(sid)?], row)
            .optional()
            .map_err(err)?
            .map(record)
            .transpose()
    }

    fn delete_schedule(&mut self, sid: u64) -> Result<bool, StoreError> {
        let n = self
            .execute("DELETE FROM schedules WHERE id = ?1", [id(sid)?])
            .map_err(err)?;
        Ok(n > 0)
    }

    fn due_schedules(
        &mut self,
        now_ms: i64,
        limit: usize,
    ) -> Result<Vec<ScheduleRecord>, StoreError> {
        let mut st = self
            .tx
            .prepare_cached(&format!(
                "{COLS} WHERE next_run_at IS NOT NULL AND next_run_at <= ?1 \
                 ORDER BY next_run_at, id LIMIT ?2"
            ))
            .map_err(err)?;
        let rows = st
            .query_map(params![now_ms, limit as i64], row)
            .map_err(err)?;
        rows.map(|r| r.map_err(err).and_then(record)).collect()
    }

    fn schedule_ran(
        &mut self,
        sid: u64,
        run_at: i64,
        next_run_at: Option<i64>,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE schedules SET last_run_at = ?2, next_run_at = ?3 WHERE id = ?1",
            params![id(sid)?, run_at, next_run_at],
        )
        .map_err(err)?;
        Ok(())
    }

    fn record_scheduled_run(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
        schedule_id: u64,
    ) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO schedule_runs (originator, target, counter, schedule_id) \
             VALUES (?1, ?2, ?3, ?4)",
            params![
                originator.to_string(),
                target.to_string(),
                counter as i64,
                id(schedule_id)?
            ],
        )
        .map_err(err)?;
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
             WHERE originator = ?1 AND target = ?2 AND counter = ?3",
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
            "DELETE FROM schedule_runs WHERE originator = ?1 AND target = ?2 AND counter = ?3 \
             RETURNING schedule_id",
            originator,
            target,
            counter,
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::SqliteStore;
    use dcc::store::Store as _;

    fn record(owner: u64, next: Option<i64>) -> ScheduleRecord {
        ScheduleRecord {
            id: 0,
            owner: Eui64::from_u64(owner),
            device: Eui64::from_u64(0xA0),
            srv: Srv::V4_16,
            details: "<x/>".into(),
            created_counter: 7,
            created_at: 1,
            next_run_at: next,
            last_run_at: None,
        }
    }

    #[test]
    fn schedules_are_kept_found_when_due_and_their_runs_taken_once() {
        let s = SqliteStore::in_memory().unwrap();
        s.transaction(|tx| {
            let a = tx.insert_schedule(&record(1, Some(200)))?;
            let b = tx.insert_schedule(&record(2, Some(100)))?;
            let c = tx.insert_schedule(&record(3, None))?;
            assert!(a >= 1 && b > a && c > b);
            let due: Vec<u64> = tx.due_schedules(150, 10)?.iter().map(|r| r.id).collect();
            assert_eq!(due, [b]);
            let due: Vec<u64> = tx.due_schedules(1_000, 10)?.iter().map(|r| r.id).collect();
            assert_eq!(due, [b, a], "earliest first; finished ones never");
            tx.schedule_ran(b, 100, Some(300))?;
            let r = tx.schedule(b)?.unwrap();
            assert_eq!((r.last_run_at, r.next_run_at), (Some(100), Some(300)));
            assert_eq!(r.owner, Eui64::from_u64(2));
            let d = Eui64::from_u64(0xA0);
            tx.record_scheduled_run(Eui64::from_u64(2), d, 55, b)?;
            // The same counter for another target is another run.
            assert_eq!(
                tx.take_scheduled_run(Eui64::from_u64(2), Eui64::from_u64(0xA1), 55)?,
                None
            );
            assert_eq!(tx.scheduled_run(Eui64::from_u64(2), d, 55)?, Some(b));
            assert_eq!(
                tx.scheduled_run(Eui64::from_u64(2), d, 55)?,
                Some(b),
                "a look keeps it"
            );
            assert_eq!(tx.take_scheduled_run(Eui64::from_u64(2), d, 55)?, Some(b));
            assert_eq!(tx.scheduled_run(Eui64::from_u64(2), d, 55)?, None);
            assert_eq!(tx.take_scheduled_run(Eui64::from_u64(2), d, 55)?, None);
            assert!(tx.delete_schedule(a)?);
            assert!(!tx.delete_schedule(a)?);
            assert!(tx.schedule(a)?.is_none());
            Ok(())
        })
        .unwrap();
    }
}
