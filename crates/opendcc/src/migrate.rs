//! `opendcc migrate --from sqlite:DIR --to postgres://…`: moves a world from its SQLite
//! database into an empty PostgreSQL database (`store_pg::PgStore::import_sqlite`: every table,
//! from one snapshot, in one transaction, or nothing). The world's keys and certificates stay
//! in DIR: a served DCC on the PostgreSQL store names DIR as its `data`.

use std::path::Path;

use crate::config::StoreConfig;
use crate::world;

/// Runs the migration and prints what was copied.
pub fn run(from: &str, to: &str) -> Result<(), String> {
    let here = Path::new(".");
    let from = StoreConfig::parse(from, here)?;
    let to = StoreConfig::parse(to, here)?;
    let StoreConfig::Sqlite(dir) = &from else {
        return Err(format!(
            "--from {:?}: a migration reads a SQLite store (sqlite:DIR)",
            from.redacted()
        ));
    };
    if !matches!(to, StoreConfig::Postgres(_)) {
        return Err(format!(
            "--to {:?}: a migration writes a PostgreSQL store (postgres://…)",
            to.locator()
        ));
    }
    world::open_existing(dir)?;
    // Opening the SQLite store brings its file to this build's schema version.
    drop(from.open()?);
    let pg = to.open_postgres()?;
    let imported = pg
        .import_sqlite(&dir.join(world::DB))
        .map_err(|e| e.to_string())?;
    let mut out = String::new();
    for (table, rows) in &imported.tables {
        out.push_str(&format!("{table:<28} {rows:>10}\n"));
    }
    out.push_str(&format!(
        "{} rows in {} tables copied from {} to {}\n\
         serve it with store = {:?} and data = {:?}",
        imported.rows(),
        imported.tables.len(),
        from.locator(),
        to.redacted(),
        to.redacted(),
        dir.display().to_string()
    ));
    crate::out(&out)
}
