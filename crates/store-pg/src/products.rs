//! The Certified Products List (`dcc::store::CplTx`) on PostgreSQL: the same rows as SQLite's.

use dcc::store::{CplTx, StoreError};
use eui::Eui64;

use crate::{PgTx, col, err};

fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(err)
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(err)
}

impl CplTx for PgTx<'_> {
    fn cpl_models(&mut self) -> Result<Vec<cpl::DeviceModel>, StoreError> {
        self.rows(
            "SELECT body FROM cpl_models ORDER BY key COLLATE \"C\"",
            &[],
        )?
        .iter()
        .map(|r| from_json(&col::<String>(r, 0)?))
        .collect()
    }

    fn put_cpl_model(&mut self, m: &cpl::DeviceModel) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO cpl_models (key, body) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET body = excluded.body",
            &[&m.key.id(), &json(m)?],
        )?;
        Ok(())
    }

    fn put_cpl_notice(&mut self, party: Eui64, n: &cpl::Notice) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO cpl_notices (party, at, body) VALUES ($1, $2, $3)",
            &[&party.to_string(), &n.at, &json(n)?],
        )?;
        Ok(())
    }

    fn cpl_notices(&mut self, party: Eui64) -> Result<Vec<cpl::Notice>, StoreError> {
        self.rows(
            "SELECT body FROM cpl_notices WHERE party = $1 ORDER BY id",
            &[&party.to_string()],
        )?
        .iter()
        .map(|r| from_json(&col::<String>(r, 0)?))
        .collect()
    }
}
