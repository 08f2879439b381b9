//! `opendcc migrate --from sqlite:DIR --to postgres://…`: moves a world from its SQLite
//! database into an empty PostgreSQL database (`store_pg::PgStore::import_sqlite`: every table,
//! from one snapshot, in one transaction, or nothing). The world's keys and certificates stay
//! in DIR: a served DCC on the PostgreSQL store names DIR as its `data`.
//!
//! A successful migration marks DIR as moved (`DIR/moved.json`: the target database's URL
//! without its password, and the time). From then on DIR's `opendcc.sqlite` is a stale copy of
//! the world, and nothing opens it as the DCC's store ([`check_not_moved`]: `serve` and `demo`
//! on `sqlite:DIR`, the tools and operator commands given `--data DIR`, a second migration):
//! each refuses, naming where the world went. DIR's keys and certificates are still read as the
//! PostgreSQL-served DCC's `data`.

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
    // Opening the SQLite store brings its file to this build's schema version (and refuses a
    // directory moved already).
    drop(from.open()?);
    let pg = to.open_postgres()?;
    let imported = pg
        .import_sqlite(&dir.join(world::DB))
        .map_err(|e| e.to_string())?;
    mark_moved(dir, &to).map_err(|e| {
        format!(
            "the world was copied to {}, but marking {} as moved failed: {e} (nothing stops a \
             tool from working on its stale SQLite file: do not give it as --data or \
             sqlite:DIR again)",
            to.redacted(),
            dir.display()
        )
    })?;
    let mut out = String::new();
    for (table, rows) in &imported.tables {
        out.push_str(&format!("{table:<28} {rows:>10}\n"));
    }
    out.push_str(&format!(
        "{} rows in {} tables copied from {} to {}\n\
         serve it with store = {:?} and data = {:?}\n\
         {} is marked as moved ({MOVED}): its SQLite file is no longer opened as the DCC's store",
        imported.rows(),
        imported.tables.len(),
        from.locator(),
        to.redacted(),
        to.redacted(),
        dir.display().to_string(),
        dir.display()
    ));
    crate::out(&out)
}

/// The file that marks a world's directory as moved to PostgreSQL.
pub const MOVED: &str = "moved.json";

/// What `DIR/moved.json` records.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Moved {
    /// The PostgreSQL database the world was moved into, without a password.
    pub to: String,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// A `postgres://` URL without the password of its user information, if any.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{scheme}://{user}@{host}{path}")
        }
        None => url.to_string(),
    }
}

/// Writes `DIR/moved.json` (through a temporary file and a rename: whole or not at all).
fn mark_moved(dir: &Path, to: &StoreConfig) -> Result<(), String> {
    let at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| e.to_string())?;
    let moved = Moved {
        to: without_password(&to.locator()),
        at,
    };
    let text = serde_json::to_string_pretty(&moved).map_err(|e| e.to_string())?;
    let path = dir.join(MOVED);
    let tmp = dir.join(format!("{MOVED}.tmp"));
    std::fs::write(&tmp, format!("{text}\n")).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))
}

/// An error if `dir` is a world's directory moved to PostgreSQL (`DIR/moved.json`): its SQLite
/// file is then a stale copy, and opening it as the DCC's store would split the world in two.
/// Called wherever DIR's SQLite store is opened as the DCC's; reading DIR's keys and
/// certificates as a PostgreSQL-served DCC's `data` does not call it.
pub fn check_not_moved(dir: &Path) -> Result<(), String> {
    let path = dir.join(MOVED);
    if !path.exists() {
        return Ok(());
    }
    let recorded = std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str::<Moved>(&t).map_err(|e| e.to_string()));
    let whence = match recorded {
        Ok(m) => format!("was moved to PostgreSQL ({}) at {}", m.to, m.at),
        Err(e) => format!(
            "was moved to PostgreSQL ({} is unreadable: {e})",
            path.display()
        ),
    };
    Err(format!(
        "{} {whence} by `opendcc migrate`: its {} is a stale copy and is not opened as the DCC's \
         store. Work on the DCC through its manifest (--manifest FILE, as the PostgreSQL-served \
         DCC writes it) or its PostgreSQL store (store = \"postgres://…\" with data = {:?}); \
         {} says where the world went",
        dir.display(),
        world::DB,
        dir.display().to_string(),
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_names_the_database_without_its_password_and_refuses_the_directory() {
        assert_eq!(
            without_password("postgres://dcc:secret@db.example:5432/opendcc"),
            "postgres://dcc@db.example:5432/opendcc"
        );
        assert_eq!(
            without_password("postgres://dcc@db/opendcc"),
            "postgres://dcc@db/opendcc"
        );
        assert_eq!(without_password("postgres://db/x"), "postgres://db/x");
        let dir = tempfile::tempdir().expect("a temporary directory");
        assert_eq!(check_not_moved(dir.path()), Ok(()));
        let to = StoreConfig::Postgres("postgres://dcc:secret@db/opendcc".into());
        mark_moved(dir.path(), &to).expect("marking");
        let text = std::fs::read_to_string(dir.path().join(MOVED)).expect("the mark");
        assert!(!text.contains("secret"), "{text}");
        let e = check_not_moved(dir.path()).expect_err("moved");
        assert!(
            e.contains("moved to PostgreSQL (postgres://dcc@db/opendcc) at "),
            "{e}"
        );
        assert!(e.contains("--manifest"), "{e}");
        assert!(!e.contains("secret"), "{e}");
    }
}
