//! Where the tests find PostgreSQL, and a schema of their own for each test.
#![allow(dead_code)] // each test file uses part of it

use std::sync::atomic::{AtomicU64, Ordering};

use store_pg::PgStore;

/// The server the tests use: `OPENDCC_TEST_PG`, or the local one.
pub fn url() -> String {
    std::env::var("OPENDCC_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A schema name no other test (or run) uses.
pub fn fresh_schema() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "opendcc_test_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A store on a fresh schema, dropped (with everything in it) when the guard goes.
pub struct TestDb {
    store: Option<PgStore>,
    pub schema: String,
}

impl TestDb {
    pub fn new() -> Self {
        let schema = fresh_schema();
        Self {
            store: Some(open(&schema)),
            schema,
        }
    }

    /// Another store (another pool, as another gateway process would have) on the same schema.
    pub fn another(&self) -> PgStore {
        open(&self.schema)
    }
}

/// A store on `schema`; a test fails, saying why, when PostgreSQL cannot be reached.
pub fn open(schema: &str) -> PgStore {
    let url = url();
    match PgStore::connect_schema(&url, schema) {
        Ok(s) => s,
        Err(e) => panic!(
            "the PostgreSQL tests need a server: ./test.sh starts one on 127.0.0.1:5432 \
             (scripts/services.sh), or set OPENDCC_TEST_PG to its URL \
             (default postgres://postgres@127.0.0.1:5432/test): {e}"
        ),
    }
}

impl std::ops::Deref for TestDb {
    type Target = PgStore;

    fn deref(&self) -> &PgStore {
        match &self.store {
            Some(s) => s,
            None => unreachable!("the store is taken only on drop"),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(s) = self.store.take() {
            let _ = s.drop_schema();
        }
    }
}
