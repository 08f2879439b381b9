//! DSP future dating on the real SQLite store: a held WAN job (`WanQueue::hold_wan`) is not due
//! before its time, blocks none of its device's other commands until then, is due at its time
//! (before later commands of its device), survives a reopen, and is handed out once.
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
fn a_held_job_is_due_only_at_its_time_and_blocks_nothing_before() {
    let s = SqliteStore::in_memory().unwrap();
    let (held, later, other) = s
        .transaction(|tx| {
            let held = tx.hold_wan(&job(7, 1, 10_000))?;
            let later = tx.enqueue_wan(&job(7, 2, 100))?;
            let other = tx.enqueue_wan(&job(8, 3, 100))?;
            Ok((held, later, other))
        })
        .unwrap();
    // Before its time: not due, and the device's later immediate command is.
    assert_eq!(due(&s, 100), vec![later, other]);
    assert_eq!(due(&s, 9_999), vec![later, other]);
    // At its time it is due, and goes before the device's later command still queued.
    assert_eq!(due(&s, 10_000), vec![held, other]);
    // Sent and answered: the device's next command follows.
    s.transaction(|tx| Ok(tx.finish_wan_job(held, "answered")?))
        .unwrap();
    assert_eq!(due(&s, 10_000), vec![later, other]);
    assert_eq!(s.transaction(|tx| Ok(tx.pending_wan_jobs()?)).unwrap(), 2);
}

#[test]
fn a_held_job_once_tried_keeps_its_place_in_the_device_order() {
    let s = SqliteStore::in_memory().unwrap();
    let (held, later) = s
        .transaction(|tx| {
            Ok((
                tx.hold_wan(&job(7, 1, 1_000))?,
                tx.enqueue_wan(&job(7, 2, 2_000))?,
            ))
        })
        .unwrap();
    // Tried at its time and lost: retried later; meanwhile the device's later command waits.
    s.transaction(|tx| Ok(tx.retry_wan_job(held, 1, 3_000)?))
        .unwrap();
    assert_eq!(due(&s, 2_500), Vec::<i64>::new());
    assert_eq!(due(&s, 3_000), vec![held]);
    s.transaction(|tx| Ok(tx.finish_wan_job(held, "answered")?))
        .unwrap();
    assert_eq!(due(&s, 3_000), vec![later]);
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
