//! The operator's actions on the DCC's own records, each written to `operator_audit` in the
//! transaction that makes it: resetting a user's RequestID counter floor.

use rusqlite::params;

use crate::{SqliteTx, err};
use dcc::store::{OperatorAuditEntry, OperatorAuditTx, StoreError};

impl OperatorAuditTx for SqliteTx<'_> {
    fn append_operator_audit(&mut self, e: &OperatorAuditEntry) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO operator_audit (at, actor, action, target, detail) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![e.at, e.actor, e.action, e.target, e.detail],
        )
        .map_err(err)?;
        Ok(())
    }

    fn operator_audit_log(&mut self) -> Result<Vec<OperatorAuditEntry>, StoreError> {
        let mut st = self
            .tx
            .prepare_cached(
                "SELECT at, actor, action, target, detail FROM operator_audit ORDER BY id",
            )
            .map_err(err)?;
        let rows = st
            .query_map([], |r| {
                Ok(OperatorAuditEntry {
                    at: r.get(0)?,
                    actor: r.get(1)?,
                    action: r.get(2)?,
                    target: r.get(3)?,
                    detail: r.get(4)?,
                })
            })
            .map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::SqliteStore;
    use dcc::store::{Store, UsersTx};
    use eui::Eui64;

    #[test]
    fn a_counter_floor_at_the_top_can_be_reset_and_is_audited() {
        let store = SqliteStore::in_memory().unwrap();
        let user = Eui64::from_u64(0x90B3_D51F_3001_0000);
        let meter = Eui64::from_u64(0x00DB_1234_5678_90A0);
        store
            .transaction_in(|tx| Ok(tx.set_request_counter(user, meter, u64::MAX)?))
            .unwrap();
        let floor = store
            .transaction_in(|tx| Ok(tx.highest_counter(user)?))
            .unwrap();
        assert_eq!(floor, Some(u64::MAX));
        store
            .transaction_in(|tx| {
                tx.reset_counter_floor(user, 1000)?;
                tx.append_operator_audit(&OperatorAuditEntry {
                    at: 1,
                    actor: "ops".into(),
                    action: "counter-floor-reset".into(),
                    target: user.to_string(),
                    detail: format!("old={} new=1000", u64::MAX),
                })?;
                Ok(())
            })
            .unwrap();
        assert_eq!(
            store
                .transaction_in(|tx| Ok(tx.highest_counter(user)?))
                .unwrap(),
            Some(1000)
        );
        let log = store
            .transaction_in(|tx| Ok(tx.operator_audit_log()?))
            .unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].detail, format!("old={} new=1000", u64::MAX));
        // A user with no counter yet gets one.
        let other = Eui64::from_u64(0x90B3_D51F_3001_0001);
        store
            .transaction_in(|tx| Ok(tx.reset_counter_floor(other, 7)?))
            .unwrap();
        assert_eq!(
            store
                .transaction_in(|tx| Ok(tx.highest_counter(other)?))
                .unwrap(),
            Some(7)
        );
    }
}
