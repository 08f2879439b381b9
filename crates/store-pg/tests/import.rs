//! Moving a world from SQLite into PostgreSQL (`PgStore::import_sqlite`): every row arrives,
//! ids go on from where they were, and a target that is not empty, a file at another schema
//! version or a column with no place gets an error and leaves the target as it was.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::path::{Path, PathBuf};

use common::TestDb;
use dcc::model::{OrgCertRecord, Premises};
use dcc::store::{
    InventoryTx as _, OperatorAuditEntry, OperatorAuditTx as _, Outbox as _, ScheduleRecord,
    SchedulesTx as _, Store, UsersTx as _, WanQueue as _,
};
use duis::Srv;
use eui::Eui64;
use store::SqliteStore;
use store_tests::{device, job, user};

/// A SQLite world with a row in most tables, counters above 2⁶³−1 included.
fn sqlite_world(dir: &Path) -> PathBuf {
    let path = dir.join("opendcc.sqlite");
    let s = SqliteStore::open(&path).unwrap();
    s.transaction_in(|tx| {
        for n in 1..=3 {
            tx.put_user(&user(n))?;
        }
        tx.put_org_cert(&OrgCertRecord {
            serial: "1234".into(),
            issuer: "CN=Z1".into(),
            subject_eui: Eui64::from_u64(1),
            role: 1,
            public_key: vec![4; 65],
            der: vec![0x30, 1, 2],
            revoked: false,
        })?;
        for n in 10..=12 {
            tx.put_device(&device(n))?;
            tx.put_device_cert(Eui64::from_u64(n), "ds", &[n as u8; 40])?;
        }
        tx.put_premises(&Premises {
            uprn: "100".into(),
            postcode: "AB1 2CD".into(),
            address_identifier: "1".into(),
            region: dcc::model::CspRegion::North,
            mpan: Some("1900000000001".into()),
            mprn: None,
        })?;
        tx.set_request_counter(Eui64::from_u64(1), Eui64::from_u64(10), u64::MAX - 1)?;
        tx.next_dcc_counter(Eui64::from_u64(0xDCC))?;
        let id = tx.enqueue_wan(&job(10, 5, 1_000))?;
        tx.retry_wan_job(id, 1, 2_000)?;
        let done = tx.enqueue_wan(&job(11, 6, 1_000))?;
        tx.finish_wan_job(done, "answered")?;
        tx.push_outbox(&dcc::store::OutboxItem {
            id: 0,
            recipient: Eui64::from_u64(1),
            kind: "response".into(),
            reference: "r1".into(),
            document: "<x/>".into(),
            created_at: 5,
            attempts: 0,
            next_at: 5,
            delivered_at: None,
            last_error: None,
        })?;
        tx.insert_schedule(&ScheduleRecord {
            id: 0,
            owner: Eui64::from_u64(1),
            device: Eui64::from_u64(10),
            srv: Srv::V4_16,
            details: "<x/>".into(),
            created_counter: u64::MAX,
            created_at: 1,
            next_run_at: Some(10),
            last_run_at: None,
        })?;
        tx.append_operator_audit(&OperatorAuditEntry {
            at: 7,
            actor: "op".into(),
            action: "counter-floor-reset".into(),
            target: "1".into(),
            detail: "old=1 new=2".into(),
        })?;
        Ok(())
    })
    .unwrap();
    path
}

/// What the tests compare between the two stores.
fn snapshot<S: Store>(s: &S) -> String
where
    for<'t> S::Tx<'t>: dcc::store::OperatorAuditTx,
{
    s.transaction_in(|tx| {
        let users = tx.users()?;
        let devices = tx.devices()?;
        let certs: Vec<_> = (10..=12)
            .map(|n| tx.device_certs(Eui64::from_u64(n)))
            .collect::<Result<_, _>>()?;
        let counter = tx.request_counter(Eui64::from_u64(1), Eui64::from_u64(10))?;
        let jobs = tx.pending_wan_jobs()?;
        let due = tx.due_wan_jobs(10_000, 10)?;
        let outbox = tx.outbox_for(Eui64::from_u64(1), 10)?;
        let schedule = tx.due_schedules(100, 10)?;
        let audit = tx.operator_audit_log()?;
        let premises = tx.premises("100")?;
        let cert = tx.org_cert("1234")?;
        Ok(format!(
            "{users:?}\n{devices:?}\n{certs:?}\n{counter:?}\n{jobs}\n{due:?}\n{outbox:?}\n\
             {schedule:?}\n{audit:?}\n{premises:?}\n{cert:?}"
        ))
    })
    .unwrap()
}

#[test]
fn a_world_moves_whole_and_its_ids_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_world(dir.path());
    let before = snapshot(&SqliteStore::open(&path).unwrap());
    let db = TestDb::new();
    let imported = db.import_sqlite(&path).unwrap();
    assert!(imported.rows() >= 15, "{imported:?}");
    assert!(
        imported.tables.iter().any(|(t, n)| t == "users" && *n == 3),
        "{imported:?}"
    );
    assert_eq!(snapshot(&*db), before);
    // New rows get ids after the copied ones, and the DCC's counters go on.
    let (job_id, item_id, dcc) = db
        .transaction(|tx| {
            Ok((
                tx.enqueue_wan(&job(12, 7, 1_000))?,
                tx.push_outbox(&dcc::store::OutboxItem {
                    id: 0,
                    recipient: Eui64::from_u64(1),
                    kind: "response".into(),
                    reference: "r2".into(),
                    document: "<y/>".into(),
                    created_at: 6,
                    attempts: 0,
                    next_at: 6,
                    delivered_at: None,
                    last_error: None,
                })?,
                tx.next_dcc_counter(Eui64::from_u64(0xDCC))?,
            ))
        })
        .unwrap();
    assert_eq!((job_id, item_id, dcc), (3, 2, 2));
}

#[test]
fn a_target_that_holds_rows_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_world(dir.path());
    let db = TestDb::new();
    db.transaction(|tx| Ok(tx.put_user(&user(99))?)).unwrap();
    let before = snapshot(&*db);
    let e = db.import_sqlite(&path).unwrap_err().0;
    assert!(
        e.contains("already holds rows") && e.contains("users"),
        "{e}"
    );
    assert_eq!(snapshot(&*db), before);
}

#[test]
fn a_file_at_another_schema_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_world(dir.path());
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 13)
        .unwrap();
    let db = TestDb::new();
    let e = db.import_sqlite(&path).unwrap_err().0;
    assert!(e.contains("schema version 13"), "{e}");
    assert!(
        db.transaction(|tx| Ok(tx.users()?)).unwrap().is_empty(),
        "nothing copied"
    );
}

#[test]
fn a_column_with_no_place_stops_the_copy_and_nothing_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_world(dir.path());
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("ALTER TABLE wan_jobs ADD COLUMN extra TEXT")
        .unwrap();
    let db = TestDb::new();
    let e = db.import_sqlite(&path).unwrap_err().0;
    assert!(e.contains("wan_jobs.extra"), "{e}");
    // Tables copied before wan_jobs were rolled back with the rest.
    assert!(db.transaction(|tx| Ok(tx.users()?)).unwrap().is_empty());
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let db = TestDb::new();
    let e = db
        .import_sqlite(Path::new("/nonexistent/opendcc.sqlite"))
        .unwrap_err()
        .0;
    assert!(e.contains("/nonexistent/opendcc.sqlite"), "{e}");
}
