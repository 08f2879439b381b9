//! The backend-neutral storage suite (`store-tests`) on PostgreSQL: each case on a fresh schema,
//! dropped at its end.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

store_tests::suite!(common::TestDb::new());
