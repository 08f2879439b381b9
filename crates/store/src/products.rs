//! The Certified Products List (`dcc::store::CplTx`): one row per entry, its body JSON, and
//! the notices of its changes, one row per SEC Party.

use rusqlite::params;

use crate::{SqliteTx, err, from_json, json};
use dcc::store::{CplTx, StoreError};
use eui::Eui64;

impl CplTx for SqliteTx<'_> {
    fn cpl_models(&mut self) -> Result<Vec<cpl::DeviceModel>, StoreError> {
        let mut st = self
            .tx
            .prepare_cached("SELECT body FROM cpl_models ORDER BY key")
            .map_err(err)?;
        let rows = st.query_map([], |r| r.get::<_, String>(0)).map_err(err)?;
        rows.map(|r| r.map_err(err).and_then(|b| from_json(&b)))
            .collect()
    }

    fn put_cpl_model(&mut self, m: &cpl::DeviceModel) -> Result<(), StoreError> {
        self.execute(
            "INSERT OR REPLACE INTO cpl_models (key, body) VALUES (?1, ?2)",
            params![m.key.id(), json(m)?],
        )
        .map_err(err)?;
        Ok(())
    }

    fn put_cpl_notice(&mut self, party: Eui64, n: &cpl::Notice) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO cpl_notices (party, at, body) VALUES (?1, ?2, ?3)",
            params![party.to_string(), n.at, json(n)?],
        )
        .map_err(err)?;
        Ok(())
    }

    fn cpl_notices(&mut self, party: Eui64) -> Result<Vec<cpl::Notice>, StoreError> {
        let mut st = self
            .tx
            .prepare_cached("SELECT body FROM cpl_notices WHERE party = ?1 ORDER BY id")
            .map_err(err)?;
        let rows = st
            .query_map([party.to_string()], |r| r.get::<_, String>(0))
            .map_err(err)?;
        rows.map(|r| r.map_err(err).and_then(|b| from_json(&b)))
            .collect()
    }
}
