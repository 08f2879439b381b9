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
