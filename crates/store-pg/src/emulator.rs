//! The WAN emulation's state (`wan::EmulatorTx`) on PostgreSQL: emulated devices' state in its
//! compact parts (`device_body`, `device_counters`, `device_events`; older JSON rows in
//! `device_state`), injected faults and queued hub events.

use dcc::store::StoreError;
use eui::Eui64;
use wan::{DeviceStateWrite, StoredDeviceState, WanFault};

use crate::core::parse_eui;
use crate::{PgTx, col, err};

impl wan::EmulatorTx for PgTx<'_> {
    fn device_state(&mut self, id: Eui64) -> Result<Option<StoredDeviceState>, StoreError> {
        let key = id.to_string();
        let compact = self.opt(
            "SELECT b.body, c.counters FROM device_body b
                 JOIN device_counters c ON c.id = b.id WHERE b.id = $1",
            &[&key],
        )?;
        if let Some(r) = compact {
            return Ok(Some(StoredDeviceState::Compact {
                body: col(&r, 0)?,
                counters: col(&r, 1)?,
            }));
        }
        self.opt("SELECT state FROM device_state WHERE id = $1", &[&key])?
            .map(|r| Ok(StoredDeviceState::Json(col(&r, 0)?)))
            .transpose()
    }

    fn device_events(&mut self, id: Eui64) -> Result<Vec<Vec<u8>>, StoreError> {
        self.rows(
            "SELECT event FROM device_events WHERE id = $1 ORDER BY seq",
            &[&id.to_string()],
        )?
        .iter()
        .map(|r| col(r, 0))
        .collect()
    }

    fn write_device_state(
        &mut self,
        id: Eui64,
        w: &DeviceStateWrite<'_>,
    ) -> Result<(), StoreError> {
        let key = id.to_string();
        if let Some(body) = w.body {
            self.exec(
                "INSERT INTO device_body (id, body) VALUES ($1, $2)
                     ON CONFLICT (id) DO UPDATE SET body = excluded.body",
                &[&key, &body],
            )?;
            // A state stored as JSON before the compact form is replaced by it.
            self.exec("DELETE FROM device_state WHERE id = $1", &[&key])?;
        }
        let appended = i64::try_from(w.events.len()).map_err(err)?;
        // How many events the device has logged, these included (the row is locked by the
        // statement that counts them).
        let logged: i64 = match w.counters {
            Some(counters) => {
                let r = self.one(
                    "INSERT INTO device_counters (id, counters, events) VALUES ($1, $2, $3)
                         ON CONFLICT (id) DO UPDATE
                         SET counters = excluded.counters,
                             events = device_counters.events + excluded.events
                         RETURNING events",
                    &[&key, &counters, &appended],
                )?;
                col(&r, 0)?
            }
            None if appended == 0 && !w.replace_events => return Ok(()),
            None => {
                let r = self
                    .opt(
                        "UPDATE device_counters SET events = events + $2 WHERE id = $1
                             RETURNING events",
                        &[&key, &appended],
                    )?
                    .ok_or_else(|| err(format!("device {id}: events without stored counters")))?;
                col(&r, 0)?
            }
        };
        if appended == 0 && !w.replace_events {
            return Ok(());
        }
        if w.replace_events {
            self.exec("DELETE FROM device_events WHERE id = $1", &[&key])?;
        }
        let first = logged - appended;
        for (seq, (log, event)) in (first..).zip(w.events) {
            self.exec(
                "INSERT INTO device_events (id, seq, event, log) VALUES ($1, $2, $3, $4)",
                &[&key, &seq, event, &i16::from(*log)],
            )?;
        }
        let keep = i64::try_from(w.keep_events).map_err(err)?;
        // Those of a log beyond its newest `keep` go (there can be some only once more than
        // `keep` were logged in all).
        if logged > keep {
            let mut logs: Vec<u8> = w.events.iter().map(|(l, _)| *l).collect();
            logs.sort_unstable();
            logs.dedup();
            for log in logs {
                self.exec(
                    "DELETE FROM device_events WHERE id = $1 AND log = $2 AND seq < (
                         SELECT seq FROM device_events WHERE id = $1 AND log = $2
                         ORDER BY seq DESC LIMIT 1 OFFSET $3)",
                    &[&key, &i16::from(log), &(keep - 1)],
                )?;
            }
        }
        Ok(())
    }

    fn device_state_ids(&mut self) -> Result<Vec<Eui64>, StoreError> {
        self.rows(
            "SELECT id FROM (SELECT id FROM device_body UNION SELECT id FROM device_state) ids \
             ORDER BY id COLLATE \"C\"",
            &[],
        )?
        .iter()
        .map(|r| parse_eui(&col::<String>(r, 0)?))
        .collect()
    }

    fn wan_fault(&mut self, chf: Eui64) -> Result<Option<WanFault>, StoreError> {
        let row = self.opt(
            "SELECT mode, param FROM wan_faults WHERE chf = $1",
            &[&chf.to_string()],
        )?;
        match row {
            None => Ok(None),
            Some(r) => Ok(WanFault::from_parts(&col::<String>(&r, 0)?, col(&r, 1)?)),
        }
    }

    fn set_wan_fault(&mut self, chf: Eui64, fault: Option<WanFault>) -> Result<(), StoreError> {
        match fault {
            None => {
                self.exec("DELETE FROM wan_faults WHERE chf = $1", &[&chf.to_string()])?;
            }
            Some(f) => {
                let (mode, param) = f.to_parts();
                self.exec(
                    "INSERT INTO wan_faults (chf, mode, param) VALUES ($1, $2, $3)
                         ON CONFLICT (chf) DO UPDATE SET mode = excluded.mode, param = excluded.param",
                    &[&chf.to_string(), &mode, &param],
                )?;
            }
        }
        Ok(())
    }

    fn push_wan_event(&mut self, chf: Eui64, kind: &str, at_ms: i64) -> Result<i64, StoreError> {
        let r = self.one(
            "INSERT INTO wan_events (chf, kind, created_at) VALUES ($1, $2, $3) RETURNING id",
            &[&chf.to_string(), &kind, &at_ms],
        )?;
        col(&r, 0)
    }

    fn take_wan_events(&mut self, limit: usize) -> Result<Vec<(i64, Eui64, String)>, StoreError> {
        let n = i64::try_from(limit).unwrap_or(i64::MAX);
        // Taken in one statement: events another transaction is taking are passed over, so each
        // is returned once however many take at a time.
        let rows = self.rows(
            "UPDATE wan_events SET done = TRUE WHERE id IN (
                 SELECT id FROM wan_events WHERE NOT done ORDER BY id LIMIT $1
                 FOR UPDATE SKIP LOCKED)
             RETURNING id, chf, kind",
            &[&n],
        )?;
        let mut out = rows
            .iter()
            .map(|r| Ok((col(r, 0)?, parse_eui(&col::<String>(r, 1)?)?, col(r, 2)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        out.sort_by_key(|e| e.0);
        Ok(out)
    }
}
