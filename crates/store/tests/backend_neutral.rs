//! The backend-neutral storage suite (`store-tests`) on SQLite: each case on a fresh database
//! file (so that `Store::read` runs on the read-only connections, as in service).
#![allow(clippy::unwrap_used)] // tests may unwrap

use store::SqliteStore;

/// A store on a database file in a temporary directory, removed with it.
struct Sqlite {
    store: SqliteStore,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for Sqlite {
    type Target = SqliteStore;

    fn deref(&self) -> &SqliteStore {
        &self.store
    }
}

fn sqlite() -> Sqlite {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("dcc.sqlite")).unwrap();
    Sqlite { store, _dir: dir }
}

store_tests::suite!(sqlite());
