//! Group commit (`group.rs`) on a real SQLite database in a temporary directory.
//!
//! A batch is formed deterministically: the first member's closure, holding the connection,
//! waits until every other member has asked for it (the store's count of arrivals), so that all
//! of them run in the one open transaction before anyone commits.

use std::sync::Arc;
use std::sync::mpsc;
use std::thread;

use super::*;

fn user(n: u64) -> User {
    User {
        eui: Eui64::from_u64(n),
        name: format!("user{n}"),
        roles: vec![duis::UserRole::ImportSupplier],
        response_url: None,
        suspended: false,
    }
}

fn refused() -> DccError {
    DccError::from(StoreError("refused by the closure".into()))
}

fn open() -> (tempfile::TempDir, Arc<SqliteStore>) {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(&dir.path().join("dcc.sqlite")).unwrap();
    (dir, Arc::new(s))
}

fn users(s: &SqliteStore) -> Vec<u64> {
    let mut v: Vec<u64> = s
        .transaction(|tx| Ok(tx.users()?))
        .unwrap()
        .iter()
        .map(|u| u.eui.to_u64())
        .collect();
    v.sort_unstable();
    v
}

type Member = Box<dyn FnOnce(&mut SqliteTx<'_>) -> Result<(), DccError> + Send>;

/// Runs `members` as one batch: member 0 takes the connection first and, inside its closure,
/// waits for all the others to be waiting for it. Returns each member's result (`None` if its
/// thread panicked).
fn batch(s: &Arc<SqliteStore>, members: Vec<Member>) -> Vec<Option<Result<(), DccError>>> {
    let n = members.len();
    let mut members = members.into_iter();
    let first = members.next().unwrap();
    let (inside_tx, inside) = mpsc::channel();
    let mut handles = Vec::new();
    {
        let s2 = Arc::clone(s);
        let s3 = Arc::clone(s);
        handles.push(thread::spawn(move || {
            s2.transaction_in(|tx| {
                let r = first(tx);
                inside_tx.send(()).unwrap();
                while s3.db.arriving() < n - 1 {
                    thread::yield_now();
                }
                r
            })
        }));
    }
    inside.recv().unwrap();
    for m in members {
        let s2 = Arc::clone(s);
        handles.push(thread::spawn(move || s2.transaction_in(|tx| m(tx))));
    }
    handles.into_iter().map(|h| h.join().ok()).collect()
}

fn insert(n: u64) -> Member {
    Box::new(move |tx| Ok(tx.put_user(&user(n))?))
}

#[test]
fn many_threads_all_commit_and_are_all_visible() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dcc.sqlite");
    let s = Arc::new(SqliteStore::open(&path).unwrap());
    let before = s.commits();
    let handles: Vec<_> = (0..16u64)
        .map(|t| {
            let s = Arc::clone(&s);
            thread::spawn(move || {
                for i in 0..25u64 {
                    let n = t * 100 + i + 1;
                    s.transaction(|tx| Ok(tx.put_user(&user(n))?)).unwrap();
                    // A read of what was just acknowledged sees it.
                    assert!(
                        s.transaction(|tx| Ok(tx.user(Eui64::from_u64(n))?))
                            .unwrap()
                            .is_some()
                    );
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let commits = s.commits() - before;
    assert!((1..=400).contains(&commits), "{commits} commits");
    drop(s);
    let s = SqliteStore::open(&path).unwrap();
    let expected: Vec<u64> = (0..16u64)
        .flat_map(|t| (0..25u64).map(move |i| t * 100 + i + 1))
        .collect();
    let mut expected = expected;
    expected.sort_unstable();
    assert_eq!(users(&s), expected);
}

#[test]
fn one_commit_covers_a_whole_batch() {
    let (_dir, s) = open();
    let before = s.commits();
    let results = batch(&s, (1..=8).map(insert).collect());
    assert!(results.iter().all(|r| matches!(r, Some(Ok(())))));
    assert_eq!(s.commits() - before, 1);
    assert_eq!(users(&s), (1..=8).collect::<Vec<_>>());
}

#[test]
fn a_refused_member_changes_nothing_and_the_others_commit() {
    let (_dir, s) = open();
    let before = s.commits();
    let results = batch(
        &s,
        vec![
            insert(1),
            insert(2),
            Box::new(|tx| {
                tx.put_user(&user(3))?;
                Err(refused())
            }),
            insert(4),
        ],
    );
    assert!(matches!(results[0], Some(Ok(()))));
    assert!(matches!(results[1], Some(Ok(()))));
    // The refusal is the closure's own: its batch committed.
    match &results[2] {
        Some(Err(DccError::Internal(e))) => {
            assert!(e.to_string().contains("refused by the closure"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(results[3], Some(Ok(()))));
    assert_eq!(s.commits() - before, 1);
    assert_eq!(users(&s), vec![1, 2, 4]);
}

#[test]
fn a_failed_commit_fails_every_member_and_stores_nothing() {
    let (_dir, s) = open();
    let before = s.commits();
    let results = batch(
        &s,
        vec![
            insert(1),
            insert(2),
            // A foreign-key violation deferred to COMMIT: the batch's COMMIT fails.
            Box::new(|tx| {
                tx.tx
                    .execute_batch(
                        "PRAGMA defer_foreign_keys = ON;
                         INSERT INTO smki_batch_items (batch_id, idx, csr) VALUES (999, 0, x'00');",
                    )
                    .map_err(err)?;
                Ok(())
            }),
            insert(4),
        ],
    );
    for r in &results {
        match r {
            Some(Err(DccError::Internal(e))) => {
                assert!(e.to_string().contains("commit failed"), "{e}")
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(s.commits(), before);
    assert_eq!(users(&s), Vec::<u64>::new());
    // The store goes on working.
    s.transaction(|tx| Ok(tx.put_user(&user(5))?)).unwrap();
    assert_eq!(users(&s), vec![5]);
}

#[test]
fn a_refusal_that_read_a_failed_batch_is_a_store_error() {
    let (_dir, s) = open();
    let results = batch(
        &s,
        vec![
            insert(1),
            Box::new(|tx| {
                tx.tx
                    .execute_batch(
                        "PRAGMA defer_foreign_keys = ON;
                         INSERT INTO smki_batch_items (batch_id, idx, csr) VALUES (999, 0, x'00');",
                    )
                    .map_err(err)?;
                Ok(())
            }),
        ],
    );
    assert!(results.iter().all(|r| matches!(r, Some(Err(_)))));
    // A third member that refuses after reading the batch's uncommitted rows is told of the
    // failure, not given a refusal resting on rows that were never stored.
    let results = batch(
        &s,
        vec![
            Box::new(|tx| {
                tx.put_user(&user(1))?;
                tx.tx
                    .execute_batch(
                        "PRAGMA defer_foreign_keys = ON;
                         INSERT INTO smki_batch_items (batch_id, idx, csr) VALUES (999, 0, x'00');",
                    )
                    .map_err(err)?;
                Ok(())
            }),
            Box::new(|tx| {
                assert!(tx.user(Eui64::from_u64(1))?.is_some());
                Err(refused())
            }),
        ],
    );
    for r in &results {
        match r {
            Some(Err(DccError::Internal(e))) => {
                assert!(e.to_string().contains("commit failed"), "{e}")
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(users(&s), Vec::<u64>::new());
}

#[test]
fn a_panicking_member_does_not_hang_the_others() {
    let (_dir, s) = open();
    let before = s.commits();
    let results = batch(
        &s,
        vec![
            insert(1),
            Box::new(|tx| {
                tx.put_user(&user(2))?;
                panic!("a closure panics");
            }),
            insert(3),
            insert(4),
        ],
    );
    assert!(results[1].is_none(), "the panic reaches its caller");
    for i in [0, 2, 3] {
        assert!(matches!(results[i], Some(Ok(()))), "{i}: {:?}", results[i]);
    }
    assert_eq!(s.commits() - before, 1);
    assert_eq!(users(&s), vec![1, 3, 4]);
    // The panicking member is the last of its batch: it commits for the first, then panics.
    let results = batch(
        &s,
        vec![
            insert(5),
            Box::new(|tx| {
                tx.put_user(&user(6))?;
                panic!("the last member panics");
            }),
        ],
    );
    assert!(matches!(results[0], Some(Ok(()))));
    assert!(results[1].is_none());
    assert_eq!(users(&s), vec![1, 3, 4, 5]);
    s.transaction(|tx| Ok(tx.put_user(&user(7))?)).unwrap();
    assert_eq!(users(&s), vec![1, 3, 4, 5, 7]);
}

#[test]
fn a_checkpoint_commits_the_open_batch_first() {
    let (_dir, s) = open();
    let (inside_tx, inside) = mpsc::channel();
    let s2 = Arc::clone(&s);
    let s3 = Arc::clone(&s);
    let member = thread::spawn(move || {
        s2.transaction(|tx| {
            tx.put_user(&user(1))?;
            inside_tx.send(()).unwrap();
            while s3.db.arriving() < 1 {
                thread::yield_now();
            }
            Ok(())
        })
    });
    inside.recv().unwrap();
    // Runs outside any transaction: it ends the batch the member left open for it.
    assert!(s.checkpoint_truncate().unwrap());
    member.join().unwrap().unwrap();
    assert_eq!(users(&s), vec![1]);
}

#[test]
fn a_read_of_committed_state_returns_before_its_batch_ends() {
    let (_dir, s) = open();
    s.transaction(|tx| Ok(tx.put_user(&user(1))?)).unwrap();
    let (inside_tx, inside) = mpsc::channel();
    let (returned_tx, returned) = mpsc::channel();
    let (s2, s3) = (Arc::clone(&s), Arc::clone(&s));
    // The reader saw only committed rows and changed none: nothing of its answer waits on the
    // batch's COMMIT, so it returns while the writer that joined its batch is still running.
    let reader = thread::spawn(move || {
        let r = s2.transaction(|tx| {
            let found = tx.user(Eui64::from_u64(1))?.is_some();
            inside_tx.send(()).unwrap();
            while s3.db.arriving() < 1 {
                thread::yield_now();
            }
            Ok(found)
        });
        returned_tx.send(()).unwrap();
        r
    });
    inside.recv().unwrap();
    let s4 = Arc::clone(&s);
    let writer = thread::spawn(move || {
        s4.transaction(|tx| {
            tx.put_user(&user(2))?;
            // Fails (rather than hangs) if the reader waited for this batch to end.
            returned
                .recv_timeout(std::time::Duration::from_secs(120))
                .map_err(|_| StoreError("the read waited for the batch".into()))?;
            Ok(())
        })
    });
    assert!(reader.join().unwrap().unwrap());
    writer.join().unwrap().unwrap();
    assert_eq!(users(&s), vec![1, 2]);
}
