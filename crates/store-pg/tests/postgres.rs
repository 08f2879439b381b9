//! What only PostgreSQL shows: several stores (as several gateway processes would have) on one
//! schema used from many threads at once, migrations run twice and at once, the pool, and a
//! server that is not there.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may unwrap

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier, Mutex};

use common::TestDb;
use dcc::error::{AuthError, DccError};
use dcc::store::{InventoryTx as _, JobKind, RequestRecord, Store, UsersTx as _, WanJob};
use eui::Eui64;
use store_pg::{Kept, OperatorAuditTx as _, PgOptions, PgStore, SCHEMA_VERSION};
use time::macros::datetime;
use wan::EmulatorTx as _;

const USER: u64 = 0x90B3_D51F_3001_0000;
const METER: u64 = 0x00DB_1234_5678_90A0;

fn replay(counter: u64, last: u64) -> DccError {
    AuthError::Replay {
        originator: Eui64::from_u64(USER).to_string(),
        counter,
        last,
    }
    .into()
}

/// The device rule (`dcc::gateway::check_counter`) in one transaction, as the gateway applies
/// it: a counter is accepted only above the pair's last one; `log` gets it, inside the
/// transaction, when it is accepted.
fn send_device_request(
    store: &PgStore,
    counter: u64,
    log: &Mutex<Vec<u64>>,
) -> Result<bool, DccError> {
    let (o, t) = (Eui64::from_u64(USER), Eui64::from_u64(METER));
    let r = store.transaction(|tx| {
        let seen = tx.request_counter(o, t)?;
        if let Some(h) = seen.highest()
            && counter <= h
        {
            return Err(replay(counter, h));
        }
        tx.set_request_counter(o, t, counter)?;
        // Still holding the pair: the log's order is the commit order.
        log.lock().unwrap().push(counter);
        Ok(())
    });
    match r {
        Ok(()) => Ok(true),
        Err(DccError::Authentication(AuthError::Replay { .. })) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Device requests from one user to one meter sent by four threads on two stores, every
/// counter by every thread: each counter is accepted at most once, in increasing order, and the
/// last one is accepted.
#[test]
fn device_counters_stay_exact_with_two_gateways_and_many_threads() {
    let db = TestDb::new();
    let other = Arc::new(db.another());
    let log = Arc::new(Mutex::new(Vec::new()));
    const N: u64 = 60;
    std::thread::scope(|s| {
        for i in 0..4 {
            let (log, other) = (log.clone(), other.clone());
            let db = &db;
            s.spawn(move || {
                let store: &PgStore = if i % 2 == 0 { db } else { &other };
                for c in 1..=N {
                    send_device_request(store, c, &log).unwrap();
                }
            });
        }
    });
    let log = log.lock().unwrap().clone();
    assert!(
        log.windows(2).all(|w| w[0] < w[1]),
        "accepted in increasing order, each once: {log:?}"
    );
    assert_eq!(log.last(), Some(&N));
    let last = db
        .read(|tx| {
            Ok(tx
                .request_counter(Eui64::from_u64(USER), Eui64::from_u64(METER))?
                .last)
        })
        .unwrap();
    assert_eq!(last, Some(N));
}

/// The non-device rule (`dcc::gateway::check_non_device_counter`: each RequestID accepted once,
/// in any order): every thread sends every counter, in an order of its own; exactly the
/// counters sent are accepted, each once, and no transaction fails for any other reason.
#[test]
fn non_device_counters_are_each_accepted_once_with_two_gateways() {
    let db = TestDb::new();
    let other = Arc::new(db.another());
    let accepted = Arc::new(Mutex::new(Vec::new()));
    const N: u64 = 40;
    let (o, t) = (Eui64::from_u64(USER), Eui64::from_u64(METER));
    std::thread::scope(|s| {
        for i in 0..4u64 {
            let (accepted, other) = (accepted.clone(), other.clone());
            let db = &db;
            s.spawn(move || {
                let store: &PgStore = if i % 2 == 0 { db } else { &other };
                let mut order: Vec<u64> = (1..=N).collect();
                order.rotate_left(usize::try_from(i * N / 4).unwrap());
                if i % 2 == 1 {
                    order.reverse();
                }
                for c in order {
                    let r = store.transaction(|tx| {
                        let seen = tx.request_counter(o, t)?;
                        if tx.request(o, t, c)?.is_some() {
                            return Err(replay(c, seen.last.unwrap_or(0)));
                        }
                        tx.record_request(&RequestRecord {
                            originator: o,
                            target: t,
                            counter: c,
                            srv: duis::Srv::V8_2,
                            command_variant: 8,
                            received_at: datetime!(2026-01-01 0:00 UTC),
                            response_code: "I0".into(),
                            response: None,
                        })?;
                        tx.set_request_counter(o, t, seen.last.map_or(c, |l| l.max(c)))?;
                        Ok(())
                    });
                    match r {
                        Ok(()) => accepted.lock().unwrap().push(c),
                        Err(DccError::Authentication(AuthError::Replay { .. })) => {}
                        Err(e) => panic!("counter {c}: {e}"),
                    }
                }
            });
        }
    });
    let mut accepted = accepted.lock().unwrap().clone();
    accepted.sort_unstable();
    assert_eq!(accepted, (1..=N).collect::<Vec<_>>());
    let last = db.read(|tx| Ok(tx.request_counter(o, t)?.last)).unwrap();
    assert_eq!(last, Some(N));
}

/// The DCC's own counters (the ACB's) taken by many transactions at once on two stores: every
/// value once, none skipped.
#[test]
fn dcc_counters_are_exact_under_concurrency() {
    let db = TestDb::new();
    let other = Arc::new(db.another());
    let taken = Arc::new(Mutex::new(Vec::new()));
    let acb = Eui64::from_u64(0xACB);
    std::thread::scope(|s| {
        for i in 0..4 {
            let (taken, other) = (taken.clone(), other.clone());
            let db = &db;
            s.spawn(move || {
                let store: &PgStore = if i % 2 == 0 { db } else { &other };
                for _ in 0..50 {
                    let n = store
                        .transaction(|tx| Ok(tx.next_dcc_counter(acb)?))
                        .unwrap();
                    taken.lock().unwrap().push(n);
                }
            });
        }
    });
    let mut taken = taken.lock().unwrap().clone();
    taken.sort_unstable();
    assert_eq!(taken, (1..=200).collect::<Vec<u64>>());
}

fn job(target: u64, counter: u64) -> WanJob {
    WanJob {
        id: 0,
        originator: Eui64::from_u64(USER),
        counter,
        target: Eui64::from_u64(target),
        chf: Eui64::from_u64(99),
        kind: JobKind::Service(duis::Srv::V11_2),
        command: vec![1],
        attempts: 0,
        due_at: 0,
        deadline_at: 1_000,
    }
}

/// Two transactions polling the WAN queue at once (on two stores) never get the same job, nor
/// a device's later job while its oldest is held by the other; a read passes over nothing.
#[test]
fn two_claims_of_due_wan_jobs_never_return_the_same_job() {
    let db = TestDb::new();
    let other = db.another();
    let (all, second_of_first) = db
        .transaction(|tx| {
            let mut ids = Vec::new();
            for d in 1..=12 {
                ids.push(tx.enqueue_wan(&job(d, d))?);
            }
            let second = tx.enqueue_wan(&job(1, 100))?;
            Ok((ids, second))
        })
        .unwrap();
    let claimed = Barrier::new(2);
    let looked = Barrier::new(2);
    let (first, second) = std::thread::scope(|s| {
        let a = s.spawn(|| {
            db.transaction(|tx| {
                let mine: Vec<i64> = tx.due_wan_jobs(0, 6)?.iter().map(|j| j.id).collect();
                claimed.wait();
                // Held until the other has polled.
                looked.wait();
                Ok(mine)
            })
            .unwrap()
        });
        let b = s.spawn(|| {
            claimed.wait();
            let theirs: Vec<i64> = other
                .transaction(|tx| Ok(tx.due_wan_jobs(0, 100)?))
                .unwrap()
                .iter()
                .map(|j| j.id)
                .collect();
            // A read takes no locks and skips nothing.
            let read = other.read(|tx| Ok(tx.due_wan_jobs(0, 100)?)).unwrap();
            assert_eq!(read.len(), 12);
            looked.wait();
            theirs
        });
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(first, all[..6].to_vec(), "oldest first");
    assert_eq!(second, all[6..].to_vec(), "the rest, none of the first's");
    assert!(!second.contains(&second_of_first));
    let a: BTreeSet<i64> = first.into_iter().collect();
    let b: BTreeSet<i64> = second.into_iter().collect();
    assert!(a.is_disjoint(&b));
}

/// Hub events taken by several transactions at once: each is returned once.
#[test]
fn hub_events_are_taken_once_by_concurrent_takers() {
    let db = TestDb::new();
    let other = Arc::new(db.another());
    let hub = Eui64::from_u64(0x99);
    let pushed: Vec<i64> = db
        .transaction_in(|tx| {
            (0..100)
                .map(|i| Ok(tx.push_wan_event(hub, "power-outage", i)?))
                .collect()
        })
        .unwrap();
    let taken = Arc::new(Mutex::new(Vec::new()));
    std::thread::scope(|s| {
        for i in 0..4 {
            let (taken, other) = (taken.clone(), other.clone());
            let db = &db;
            s.spawn(move || {
                let store: &PgStore = if i % 2 == 0 { db } else { &other };
                loop {
                    let got = store
                        .transaction_in(|tx| Ok(tx.take_wan_events(7)?))
                        .unwrap();
                    if got.is_empty() {
                        break;
                    }
                    taken.lock().unwrap().extend(got.into_iter().map(|e| e.0));
                }
            });
        }
    });
    let mut taken = taken.lock().unwrap().clone();
    taken.sort_unstable();
    assert_eq!(taken, pushed);
}

/// Migrations: applied once, then nothing to do; several processes starting at once on a new
/// schema all succeed and the schema is migrated once.
#[test]
fn migrations_run_once_even_when_stores_start_together() {
    let schema = common::fresh_schema();
    let stores: Vec<PgStore> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(|| common::open(&schema))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for store in &stores {
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(
            store.migrate().unwrap(),
            SCHEMA_VERSION,
            "again: nothing to do"
        );
    }
    assert_eq!(SCHEMA_VERSION, 17, "the SQLite store's migration count");
    let mut client = postgres::Client::connect(&common::url(), postgres::NoTls).unwrap();
    let rows: i64 = client
        .query_one(
            &format!("SELECT COUNT(*) FROM \"{schema}\".schema_migrations"),
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(rows, SCHEMA_VERSION);
    let mut stores = stores.into_iter();
    if let Some(first) = stores.next() {
        drop(stores);
        first.drop_schema().unwrap();
    }
}

/// Nothing listens there: a clear error naming the server, its password hidden, and no panic.
#[test]
fn an_unreachable_server_is_a_clear_error() {
    let url = "postgres://opendcc:s3cret@127.0.0.1:1/test";
    let e = match PgStore::connect(url) {
        Ok(_) => panic!("connected to a port nothing listens on"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("unreachable"), "{e}");
    assert!(e.contains("postgres://opendcc:***@127.0.0.1:1/test"), "{e}");
    assert!(!e.contains("s3cret"), "{e}");
    // A URL that is not one.
    let e = PgStore::connect("postgres://a:b@[::1")
        .map(|_| ())
        .unwrap_err();
    assert!(!e.to_string().contains(":b@"), "{e}");
    // A schema name that would need quoting is refused before anything is sent.
    let e = PgStore::connect_schema(&common::url(), "a;DROP")
        .map(|_| ())
        .unwrap_err();
    assert!(e.to_string().contains("schema name"), "{e}");
}

/// A pool of one: a transaction waits for the connection, and gives up with a clear error
/// after the acquire timeout.
#[test]
fn the_pool_lends_each_connection_to_one_transaction_at_a_time() {
    let db = TestDb::new();
    let small = PgStore::connect_with(
        &common::url(),
        PgOptions {
            schema: Some(db.schema.clone()),
            pool_size: 1,
            acquire_timeout: std::time::Duration::from_millis(300),
            ..PgOptions::default()
        },
    )
    .unwrap();
    assert_eq!(small.connections(), (1, 1));
    let holding = Barrier::new(2);
    let done = Barrier::new(2);
    std::thread::scope(|s| {
        s.spawn(|| {
            small
                .transaction(|_tx| {
                    holding.wait();
                    done.wait();
                    Ok(())
                })
                .unwrap();
        });
        holding.wait();
        let e = small.read(|tx| Ok(tx.users()?)).unwrap_err();
        assert!(e.to_string().contains("stayed busy"), "{e}");
        done.wait();
    });
    assert_eq!(small.read(|tx| Ok(tx.users()?)).unwrap(), vec![]);
    assert_eq!(small.connections(), (1, 1));
}

/// A connection the server closed (a restart, an administrator) fails the transaction that
/// finds it, with an error and no panic, and is replaced for the next.
#[test]
fn a_closed_connection_is_dropped_and_replaced() {
    let db = TestDb::new();
    let app = format!("opendcc_{}", db.schema);
    let store = PgStore::connect_with(
        &format!("{}?application_name={app}", common::url()),
        PgOptions {
            schema: Some(db.schema.clone()),
            pool_size: 2,
            ..PgOptions::default()
        },
    )
    .unwrap();
    store
        .transaction(|tx| Ok(tx.put_user(&store_tests::user(1))?))
        .unwrap();
    let mut admin = postgres::Client::connect(&common::url(), postgres::NoTls).unwrap();
    let killed: i64 = admin
        .query_one(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE application_name = $1",
            &[&app],
        )
        .unwrap()
        .get(0);
    assert!(killed >= 1);
    let mut failures = 0;
    let mut found = None;
    for _ in 0..3 {
        match store.read(|tx| Ok(tx.user(Eui64::from_u64(1))?)) {
            Ok(u) => {
                found = u;
                break;
            }
            Err(e) => {
                assert!(e.to_string().contains("PostgreSQL"), "{e}");
                failures += 1;
            }
        }
    }
    assert!(
        failures <= 1,
        "only the transaction that found it closed fails"
    );
    assert_eq!(found, Some(store_tests::user(1)));
}

/// The operator's audit log and the inventory listing the binary uses beside the traits.
#[test]
fn operator_audit_and_devices_outside_a_range() {
    let db = TestDb::new();
    db.transaction_in(|tx| {
        tx.reset_counter_floor(Eui64::from_u64(USER), 1000)?;
        tx.append_operator_audit(&store_pg::OperatorAuditEntry {
            at: 1,
            actor: "ops".into(),
            action: "counter-floor-reset".into(),
            target: Eui64::from_u64(USER).to_string(),
            detail: format!("old={} new=1000", u64::MAX),
        })?;
        for n in [0x10, 0x20, 0x30, 0x40] {
            tx.put_device(&store_tests::device(n))?;
        }
        Ok(())
    })
    .unwrap();
    let log = db.read_in(|tx| Ok(tx.operator_audit_log()?)).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].detail, format!("old={} new=1000", u64::MAX));
    let outside: Vec<Eui64> = db
        .devices_outside(Eui64::from_u64(0x20), Eui64::from_u64(0x30))
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(outside, [Eui64::from_u64(0x10), Eui64::from_u64(0x40)]);
}

/// Dropping a store on a thread that runs asynchronous tasks (a server shutting down) does
/// not panic: its connections are closed on a thread of their own.
#[test]
fn a_store_can_be_dropped_inside_an_async_runtime() {
    let db = TestDb::new();
    let store = db.another();
    store.read(|tx| Ok(tx.users()?)).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async move { drop(store) });
}

/// Unlike SQLite, PostgreSQL refuses the rest of a transaction after a failed statement: a
/// closure that goes on and returns `Ok` gets an error, and nothing it did is committed.
#[test]
fn a_failed_statement_fails_the_whole_transaction() {
    let db = TestDb::new();
    let record = RequestRecord {
        originator: Eui64::from_u64(USER),
        target: Eui64::from_u64(METER),
        counter: 1,
        srv: duis::Srv::V8_2,
        command_variant: 8,
        received_at: datetime!(2026-01-01 0:00 UTC),
        response_code: "I0".into(),
        response: None,
    };
    db.transaction(|tx| Ok(tx.record_request(&record)?))
        .unwrap();
    let r = db.transaction(|tx| {
        tx.put_user(&store_tests::user(1))?;
        assert!(tx.record_request(&record).is_err(), "a duplicate");
        Ok(())
    });
    let e = r.unwrap_err().to_string();
    assert!(e.contains("nothing was committed"), "{e}");
    assert_eq!(
        db.read(|tx| Ok(tx.user(Eui64::from_u64(1))?)).unwrap(),
        None
    );
    // The connection is fine for the next transaction.
    db.transaction(|tx| Ok(tx.put_user(&store_tests::user(1))?))
        .unwrap();
}

/// Two SMKI batch workers (on two stores) on one batch: each CSR is issued once, the batch's
/// progress and the DCA's count are exact.
#[test]
fn two_batch_workers_on_one_batch_issue_each_csr_once() {
    use smki::{KeyPair, KeyUsage, Serial};
    use smki_service::batch;
    use smki_service::{Environment, SmkiStore as _};
    let db = TestDb::new();
    let other = Arc::new(db.another());
    store_tests::issuance_world(&*db);
    let now = store_tests::issuance_now();
    let k = KeyPair::generate_with_os_rng().unwrap();
    let csrs: Vec<Vec<u8>> = (0..24)
        .map(|_| {
            smki::csr::build_device_csr(&k, store_tests::GSME, KeyUsage::DigitalSignature).unwrap()
        })
        .collect();
    let at = now.unix_timestamp() * 1000;
    let b = db
        .smki_transaction(|tx| batch::submit(tx, Environment::Live, store_tests::GAS, &csrs, at))
        .unwrap();
    std::thread::scope(|s| {
        for i in 0..2 {
            let other = other.clone();
            let db = &db;
            s.spawn(move || {
                let store: &PgStore = if i == 0 { db } else { &other };
                let mut serial = || Serial::random_with_os_rng();
                for _ in 0..50 {
                    let p = store
                        .smki_transaction(|tx| {
                            batch::process_chunk(tx, b.id, 3, 1, &mut serial, now)
                        })
                        .unwrap()
                        .unwrap();
                    if p.finished() {
                        return;
                    }
                }
                panic!("the batch never finished");
            });
        }
    });
    let (done, certs, dca) = db
        .smki_transaction(|tx| -> Result<_, smki_service::StoreError> {
            let b = tx.batch(b.id)?.unwrap();
            let certs = tx.certificates_by_subject(store_tests::GSME)?.len();
            let dca = tx
                .current_ca(smki::CaKind::Dca, Environment::Live)?
                .unwrap();
            Ok(((b.done, b.issued, b.refused), certs, dca.issued_count))
        })
        .unwrap();
    assert_eq!(done, (24, 24, 0));
    assert_eq!(certs, 24, "one certificate per CSR");
    assert_eq!(dca, 24);
}

/// The outbox and the DCC's schedules are claimed the same way: two transactions polling at
/// once get disjoint items, and a run that moved a schedule on is seen by the next poll.
#[test]
fn two_claims_of_due_outbox_items_and_schedules_are_disjoint() {
    use dcc::store::{OutboxItem, ScheduleRecord};
    let db = TestDb::new();
    let other = db.another();
    db.transaction(|tx| {
        for i in 0..10 {
            tx.push_outbox(&OutboxItem {
                id: 0,
                recipient: Eui64::from_u64(USER),
                kind: "response".into(),
                reference: format!("r{i}"),
                document: "<x/>".into(),
                created_at: 0,
                attempts: 0,
                next_at: i,
                delivered_at: None,
                last_error: None,
            })?;
            tx.insert_schedule(&ScheduleRecord {
                id: 0,
                owner: Eui64::from_u64(USER),
                device: Eui64::from_u64(METER),
                srv: duis::Srv::V4_16,
                details: "<x/>".into(),
                created_counter: 1,
                created_at: 0,
                next_run_at: Some(i),
                last_run_at: None,
            })?;
        }
        Ok(())
    })
    .unwrap();
    let claimed = Barrier::new(2);
    let looked = Barrier::new(2);
    let ((o1, s1), (o2, s2)) = std::thread::scope(|s| {
        let a = s.spawn(|| {
            db.transaction(|tx| {
                let o = tx.due_outbox_ids(100, 4)?;
                let sc: Vec<u64> = tx.due_schedules(100, 4)?.iter().map(|r| r.id).collect();
                // The first schedule run: moved on past the poll's time.
                tx.schedule_ran(sc[0], 0, Some(1_000))?;
                claimed.wait();
                looked.wait();
                Ok((o, sc))
            })
            .unwrap()
        });
        let b = s.spawn(|| {
            claimed.wait();
            let r = other
                .transaction(|tx| {
                    let o = tx.due_outbox_ids(100, 100)?;
                    let sc: Vec<u64> = tx.due_schedules(100, 100)?.iter().map(|r| r.id).collect();
                    Ok((o, sc))
                })
                .unwrap();
            looked.wait();
            r
        });
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!((o1.len(), o2.len()), (4, 6));
    assert_eq!((s1.len(), s2.len()), (4, 6));
    assert!(o1.iter().all(|id| !o2.contains(id)));
    assert!(s1.iter().all(|id| !s2.contains(id)));
    // After the first committed, its run is not due again; the other three are.
    let due: Vec<u64> = other
        .transaction(|tx| Ok(tx.due_schedules(100, 100)?))
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(due.len(), 9);
    assert!(!due.contains(&s1[0]));
}

#[test]
fn an_advisory_lock_is_held_by_one_store_until_dropped() {
    let db = TestDb::new();
    let other = db.another();
    let held = db.try_hold_lock("wan").unwrap().expect("free at first");
    assert!(
        other.try_hold_lock("wan").unwrap().is_none(),
        "held elsewhere"
    );
    // Another name, and the same name in another schema, are other locks.
    assert!(other.try_hold_lock("delivery").unwrap().is_some());
    let elsewhere = TestDb::new();
    assert!(elsewhere.try_hold_lock("wan").unwrap().is_some());
    drop(held);
    assert!(
        other.try_hold_lock("wan").unwrap().is_some(),
        "released on drop"
    );
}

/// Ends a server session as a restart of PostgreSQL would, and waits (bounded) until it is gone
/// (its locks with it).
fn terminate_session(pid: i32) {
    let mut admin = postgres::Client::connect(&common::url(), postgres::NoTls).unwrap();
    admin
        .execute("SELECT pg_terminate_backend($1)", &[&pid])
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while admin
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
            &[&pid],
        )
        .unwrap()
        .get::<_, i64>(0)
        > 0
    {
        assert!(
            std::time::Instant::now() < deadline,
            "session {pid} lives on"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn an_advisory_lock_whose_session_ended_is_taken_again_or_found_lost() {
    let db = TestDb::new();
    let other = db.another();
    let mut held = db
        .try_hold_lock("scheduler")
        .unwrap()
        .expect("free at first");
    assert_eq!(db.keep_lock(&mut held).unwrap(), Kept::Held);

    // Its session ends (as in a restart of PostgreSQL): nobody else wanted it, taken again.
    let first = held.pid();
    terminate_session(first);
    assert_eq!(db.keep_lock(&mut held).unwrap(), Kept::Retaken);
    assert_ne!(held.pid(), first);
    assert!(
        other.try_hold_lock("scheduler").unwrap().is_none(),
        "held again"
    );
    assert_eq!(db.keep_lock(&mut held).unwrap(), Kept::Held);

    // Its session ends and another process takes the lock first: lost.
    terminate_session(held.pid());
    let _theirs = other
        .try_hold_lock("scheduler")
        .unwrap()
        .expect("free once the session ended");
    assert_eq!(db.keep_lock(&mut held).unwrap(), Kept::Lost);
}

#[test]
fn vacuum_full_rewrites_a_table() {
    let db = TestDb::new();
    db.vacuum_full("smki_cas").unwrap();
    let e = db.vacuum_full("no_such_table").unwrap_err().0;
    assert!(e.contains("no_such_table"), "{e}");
}
