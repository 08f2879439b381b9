//! Moving a world from SQLite into PostgreSQL (`opendcc migrate --from sqlite:DIR --to
//! postgres://…`).
//!
//! Both backends keep the same tables, with the same columns, under the same migration
//! versions, so a world moves table by table: every row of every table, read from one
//! consistent SQLite snapshot, is copied (`COPY … FROM STDIN BINARY`) into an **empty**
//! PostgreSQL schema at the same version, in one PostgreSQL transaction, and each identity
//! column's sequence is then moved past the highest id copied. Either the whole world arrives
//! or nothing does. Nothing is inferred: a table or column that one side has and the other
//! lacks, a value whose SQLite type does not fit the PostgreSQL column, or a target that
//! already holds rows is an error that names it, and the target is left as it was.

use std::path::Path;

use dcc::store::StoreError;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use crate::{PgStore, SCHEMA_VERSION, quote};

/// What [`PgStore::import_sqlite`] copied: each table and its rows, in the order copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub tables: Vec<(String, u64)>,
}

impl Imported {
    /// Rows copied in all.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// A PostgreSQL column's type, as far as the copy needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int8,
    Int4,
    Int2,
    Bool,
    Float8,
    Text,
    Bytea,
}

impl Kind {
    fn of(data_type: &str) -> Option<Self> {
        Some(match data_type {
            "bigint" => Kind::Int8,
            "integer" => Kind::Int4,
            "smallint" => Kind::Int2,
            "boolean" => Kind::Bool,
            "double precision" => Kind::Float8,
            "text" => Kind::Text,
            "bytea" => Kind::Bytea,
            _ => return None,
        })
    }

    fn pg_type(self) -> Type {
        match self {
            Kind::Int8 => Type::INT8,
            Kind::Int4 => Type::INT4,
            Kind::Int2 => Type::INT2,
            Kind::Bool => Type::BOOL,
            Kind::Float8 => Type::FLOAT8,
            Kind::Text => Type::TEXT,
            Kind::Bytea => Type::BYTEA,
        }
    }

    /// SQLite's value as this column's PostgreSQL value (`None`: it does not fit).
    fn convert(self, v: ValueRef<'_>) -> Option<Box<dyn ToSql + Sync>> {
        Some(match (self, v) {
            (Kind::Int8, ValueRef::Null) => Box::new(None::<i64>),
            (Kind::Int4, ValueRef::Null) => Box::new(None::<i32>),
            (Kind::Int2, ValueRef::Null) => Box::new(None::<i16>),
            (Kind::Bool, ValueRef::Null) => Box::new(None::<bool>),
            (Kind::Float8, ValueRef::Null) => Box::new(None::<f64>),
            (Kind::Text, ValueRef::Null) => Box::new(None::<String>),
            (Kind::Bytea, ValueRef::Null) => Box::new(None::<Vec<u8>>),
            (Kind::Int8, ValueRef::Integer(i)) => Box::new(i),
            (Kind::Int4, ValueRef::Integer(i)) => Box::new(i32::try_from(i).ok()?),
            (Kind::Int2, ValueRef::Integer(i)) => Box::new(i16::try_from(i).ok()?),
            (Kind::Bool, ValueRef::Integer(i @ (0 | 1))) => Box::new(i == 1),
            (Kind::Float8, ValueRef::Integer(i)) => Box::new(i as f64),
            (Kind::Float8, ValueRef::Real(f)) => Box::new(f),
            (Kind::Text, ValueRef::Text(t)) => Box::new(std::str::from_utf8(t).ok()?.to_owned()),
            (Kind::Bytea, ValueRef::Blob(b)) => Box::new(b.to_vec()),
            _ => return None,
        })
    }
}

fn sqlite_type(v: ValueRef<'_>) -> &'static str {
    match v {
        ValueRef::Null => "NULL",
        ValueRef::Integer(_) => "INTEGER",
        ValueRef::Real(_) => "REAL",
        ValueRef::Text(_) => "TEXT",
        ValueRef::Blob(_) => "BLOB",
    }
}

struct Column {
    name: String,
    kind: Kind,
    identity: bool,
}

impl PgStore {
    /// Copies the world in the SQLite database at `sqlite` into this store, which must be
    /// empty; see the module documentation. The SQLite database must be at this build's
    /// schema version (opening it once with this build's `SqliteStore` brings it there); it is
    /// only read, from one snapshot, so a DCC may still be running on it (what it commits
    /// after the snapshot is not copied).
    pub fn import_sqlite(&self, sqlite: &Path) -> Result<Imported, StoreError> {
        let shown = sqlite.display();
        let src = Connection::open_with_flags(
            sqlite,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError(format!("{shown}: {e}")))?;
        let lite = |e: rusqlite::Error| StoreError(format!("{shown}: {e}"));
        // One snapshot for every table.
        src.execute_batch("BEGIN").map_err(lite)?;
        let version: i64 = src
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(lite)?;
        if version != SCHEMA_VERSION {
            return Err(StoreError(format!(
                "{shown} is at schema version {version}, this build's is {SCHEMA_VERSION}: \
                 open it once with this build of opendcc (it migrates SQLite files on opening) \
                 and migrate again"
            )));
        }
        let mut lite_tables: Vec<String> = {
            let mut st = src
                .prepare(
                    "SELECT name FROM sqlite_schema WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                )
                .map_err(lite)?;
            let rows = st.query_map([], |r| r.get(0)).map_err(lite)?;
            rows.collect::<Result<_, _>>().map_err(lite)?
        };

        let mut guard = self.pool.get()?;
        let conn = guard.conn()?;
        let pool = &self.pool;
        let pg = |doing: &str, e: postgres::Error| pool.fail(doing, &e);
        let mut tx = conn
            .client
            .transaction()
            .map_err(|e| pg("beginning the import", e))?;
        let target_version: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                &[],
            )
            .and_then(|r| r.try_get(0))
            .map_err(|e| pg("reading the schema version", e))?;
        if target_version != SCHEMA_VERSION {
            return Err(StoreError(format!(
                "{} is at schema version {target_version}, this build's is {SCHEMA_VERSION}",
                pool.shown
            )));
        }
        let tables: Vec<String> = tx
            .query(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 AND table_name <> 'schema_migrations' ORDER BY table_name",
                &[],
            )
            .map_err(|e| pg("listing the tables", e))?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()
            .map_err(|e| pg("listing the tables", e))?;
        lite_tables.retain(|t| !tables.contains(t));
        if let Some(extra) = lite_tables.first() {
            return Err(StoreError(format!(
                "{shown} has a table {extra:?} that {} has not: nothing was copied",
                pool.shown
            )));
        }
        for t in &tables {
            let any: bool = tx
                .query_one(&format!("SELECT EXISTS (SELECT 1 FROM {})", quote(t)), &[])
                .and_then(|r| r.try_get(0))
                .map_err(|e| pg("checking the target is empty", e))?;
            if any {
                return Err(StoreError(format!(
                    "{} already holds rows (in {t:?}): a world is copied into an empty \
                     database or schema only; nothing was copied",
                    pool.shown
                )));
            }
        }

        let mut imported = Imported { tables: Vec::new() };
        for t in &tables {
            let columns = pg_columns(&mut tx, t)
                .map_err(|e| pg("reading the columns", e))?
                .into_iter()
                .map(|(name, data_type, identity)| match Kind::of(&data_type) {
                    Some(kind) => Ok(Column {
                        name,
                        kind,
                        identity,
                    }),
                    // Every type the migrations use is known; a new one is added to `Kind`.
                    None => Err(StoreError(format!(
                        "column {t}.{name} has PostgreSQL type {data_type}, which the import \
                         does not know: nothing was copied"
                    ))),
                })
                .collect::<Result<Vec<_>, _>>()?;
            let lite_columns: Vec<String> = {
                let mut st = src
                    .prepare(&format!("SELECT name FROM pragma_table_info({})", sq(t)))
                    .map_err(lite)?;
                let rows = st.query_map([], |r| r.get(0)).map_err(lite)?;
                rows.collect::<Result<_, _>>().map_err(lite)?
            };
            if lite_columns.is_empty() {
                return Err(StoreError(format!(
                    "{shown} has no table {t:?}: nothing was copied"
                )));
            }
            for c in &lite_columns {
                if !columns.iter().any(|p| &p.name == c) {
                    return Err(StoreError(format!(
                        "{shown}: column {t}.{c} has no place in {}: nothing was copied",
                        pool.shown
                    )));
                }
            }
            for c in &columns {
                if !lite_columns.contains(&c.name) {
                    return Err(StoreError(format!(
                        "{shown} has no column {t}.{}: nothing was copied",
                        c.name
                    )));
                }
            }
            let names: Vec<String> = columns.iter().map(|c| quote(&c.name)).collect();
            let types: Vec<Type> = columns.iter().map(|c| c.kind.pg_type()).collect();
            let sink = tx
                .copy_in(&format!(
                    "COPY {} ({}) FROM STDIN BINARY",
                    quote(t),
                    names.join(", ")
                ))
                .map_err(|e| pg("starting a copy", e))?;
            let mut writer = BinaryCopyInWriter::new(sink, &types);
            let mut st = src
                .prepare(&format!(
                    "SELECT {} FROM {} ORDER BY rowid",
                    names.join(", "),
                    quote(t)
                ))
                .or_else(|_| {
                    // A table without rowid: its own order.
                    src.prepare(&format!("SELECT {} FROM {}", names.join(", "), quote(t)))
                })
                .map_err(lite)?;
            let mut rows = st.query([]).map_err(lite)?;
            let mut n = 0u64;
            while let Some(row) = rows.next().map_err(lite)? {
                let mut values: Vec<Box<dyn ToSql + Sync>> = Vec::with_capacity(columns.len());
                for (i, c) in columns.iter().enumerate() {
                    let v = row.get_ref(i).map_err(lite)?;
                    let Some(value) = c.kind.convert(v) else {
                        return Err(StoreError(format!(
                            "{shown}: row {} of {t}: column {} holds a {} value that does not \
                             fit PostgreSQL's {:?}: nothing was copied",
                            n + 1,
                            c.name,
                            sqlite_type(v),
                            c.kind
                        )));
                    };
                    values.push(value);
                }
                let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| &**v).collect();
                writer
                    .write(&refs)
                    .map_err(|e| pg(&format!("copying {t}"), e))?;
                n += 1;
            }
            writer
                .finish()
                .map_err(|e| pg(&format!("copying {t}"), e))?;
            for c in columns.iter().filter(|c| c.identity) {
                tx.execute(
                    &format!(
                        "SELECT setval(pg_get_serial_sequence($1, $2), m) \
                         FROM (SELECT MAX({}) AS m FROM {}) x WHERE m IS NOT NULL",
                        quote(&c.name),
                        quote(t)
                    ),
                    &[&quote(t), &c.name],
                )
                .map_err(|e| pg("moving an identity past the copied ids", e))?;
            }
            imported.tables.push((t.clone(), n));
        }
        tx.commit().map_err(|e| pg("committing the import", e))?;
        Ok(imported)
    }
}

/// A table's columns in PostgreSQL: name, `information_schema` data type, identity.
fn pg_columns(
    tx: &mut postgres::Transaction<'_>,
    table: &str,
) -> Result<Vec<(String, String, bool)>, postgres::Error> {
    let rows = tx.query(
        "SELECT column_name::text, data_type::text, is_identity::text \
         FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        &[&table],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let name: String = r.try_get(0)?;
        let data_type: String = r.try_get(1)?;
        let identity: String = r.try_get(2)?;
        out.push((name, data_type, identity == "YES"));
    }
    Ok(out)
}

/// An SQLite string literal.
fn sq(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}
