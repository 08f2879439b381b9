//! DSP future dating on the real SQLite store: a held WAN job (`WanQueue::hold_wan`) survives a
//! reopen and is handed out once. (How a held job is ordered is in the backend-neutral suite,
//! `store-tests`.)
#![allow(clippy::unwrap_used)] // tests may unwrap

use dcc::store::{JobKind, Store, WanJob};
use eui::Eui64;
use store::SqliteStore;

fn job(target: u64, counter: u64, due_at: i64) -> WanJob {
    WanJob {
        id: 0,
        originator: Eui64::from_u64(1),
        counter,
        target: Eui64::from_u64(target),
        chf: Eui64::from_u64(99),
        kind: JobKind::Service(duis::Srv::V4_1_1),
        command: vec![1, 2, 3],
        attempts: 0,
        due_at,
        deadline_at: due_at + 30_000,
    }
}

fn due(s: &SqliteStore, now: i64) -> Vec<i64> {
    s.transaction(|tx| Ok(tx.due_wan_jobs(now, 10)?))
        .unwrap()
        .iter()
        .map(|j| j.id)
        .collect()
}

#[test]
fn a_held_job_survives_a_reopen_and_is_due_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dcc.sqlite");
    let held = {
        let s = SqliteStore::open(&path).unwrap();
        s.transaction(|tx| Ok(tx.hold_wan(&job(7, 1, 5_000))?))
            .unwrap()
    };
    let s = SqliteStore::open(&path).unwrap();
    assert!(due(&s, 4_999).is_empty());
    assert_eq!(due(&s, 5_000), vec![held]);
    s.transaction(|tx| Ok(tx.finish_wan_job(held, "answered")?))
        .unwrap();
    drop(s);
    let s = SqliteStore::open(&path).unwrap();
    assert!(
        due(&s, 1_000_000).is_empty(),
        "finished: never handed out again"
    );
}
