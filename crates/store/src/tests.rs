use super::*;
use dcc::error::DccError;
use dcc::model::CspRegion;
use time::macros::{date, datetime};

use store_tests::{device, user};

#[test]
fn everything_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dcc.sqlite");
    {
        let s = SqliteStore::open(&path).unwrap();
        s.transaction(|tx| {
            tx.put_user(&user(1))?;
            tx.put_device(&device(7))?;
            tx.set_request_counter(Eui64::from_u64(1), Eui64::from_u64(7), u64::MAX)?;
            tx.put_premises(&Premises {
                uprn: "100".into(),
                postcode: "m22 0rr".into(),
                address_identifier: "1".into(),
                region: CspRegion::Central,
                mpan: Some("1900000000001".into()),
                mprn: Some("1234567".into()),
            })?;
            tx.put_registration(&Registration {
                mpxn: "1900000000001".into(),
                role: RegistrationRole::ImportSupplier,
                party: Eui64::from_u64(1),
                from: date!(2020 - 01 - 01),
                to: None,
            })?;
            tx.record_request(&RequestRecord {
                originator: Eui64::from_u64(1),
                target: Eui64::from_u64(7),
                counter: u64::MAX,
                srv: duis::Srv::V8_2,
                command_variant: 8,
                received_at: datetime!(2026-01-01 0:00 UTC),
                response_code: "I0".into(),
                response: Some("<x/>".into()),
            })?;
            Ok(())
        })
        .unwrap();
    }
    let s = SqliteStore::open(&path).unwrap();
    s.transaction(|tx| {
        assert_eq!(tx.user(Eui64::from_u64(1))?, Some(user(1)));
        assert_eq!(tx.user_by_name("user1")?, Some(user(1)));
        assert_eq!(tx.device(Eui64::from_u64(7))?, Some(device(7)));
        assert_eq!(tx.devices_at("100")?, vec![device(7)]);
        assert_eq!(
            tx.request_counter(Eui64::from_u64(1), Eui64::from_u64(7))?
                .last,
            Some(u64::MAX)
        );
        assert_eq!(tx.highest_counter(Eui64::from_u64(1))?, Some(u64::MAX));
        assert_eq!(tx.premises_by_postcode("M220RR")?.len(), 1);
        assert_eq!(tx.registrations("1900000000001")?.len(), 1);
        let r = tx
            .request(Eui64::from_u64(1), Eui64::from_u64(7), u64::MAX)?
            .unwrap();
        assert_eq!(r.response_code, "I0");
        Ok(())
    })
    .unwrap();
}

/// A database from before per-target counters: each originator's counter becomes its floor
/// for every target, and the tables keyed by RequestID keep their rows under the new keys.
#[test]
fn per_originator_counters_migrate_to_floors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    let (u, acb) = (Eui64::from_u64(1), Eui64::from_u64(0xACB));
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let tx = conn.unchecked_transaction().unwrap();
        let before = crate::MIGRATIONS
            .iter()
            .position(|m| m.contains("precommands_by_target"))
            .unwrap();
        for m in &crate::MIGRATIONS[..before] {
            tx.execute_batch(m).unwrap();
        }
        tx.pragma_update(None, "user_version", i64::try_from(before).unwrap())
            .unwrap();
        tx.execute(
            "INSERT INTO counters (originator, last) VALUES (?1, 500), (?2, ?3)",
            rusqlite::params![u.to_string(), acb.to_string(), u64::MAX as i64],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO requests VALUES (?1, 500, ?2, '4.1.1', 4, '2026-01-01T00:00:00Z', 'I0', NULL)",
            rusqlite::params![u.to_string(), Eui64::from_u64(7).to_string()],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO precommands VALUES (?1, 500, ?2, '4.1.1', x'00', 0, 0)",
            rusqlite::params![u.to_string(), Eui64::from_u64(7).to_string()],
        )
        .unwrap();
        tx.commit().unwrap();
    }
    let s = SqliteStore::open(&path).unwrap();
    s.transaction(|tx| {
        for t in [Eui64::from_u64(7), Eui64::from_u64(8)] {
            let c = tx.request_counter(u, t)?;
            assert_eq!((c.last, c.floor, c.highest()), (None, Some(500), Some(500)));
        }
        assert_eq!(
            tx.request_counter(acb, Eui64::from_u64(7))?.floor,
            Some(u64::MAX)
        );
        assert!(tx.request(u, Eui64::from_u64(7), 500)?.is_some());
        assert!(tx.precommand(u, Eui64::from_u64(7), 500)?.is_some());
        assert!(tx.precommand(u, Eui64::from_u64(8), 500)?.is_none());
        Ok(())
    })
    .unwrap();
}

#[test]
fn the_page_cache_is_set_for_the_connection() {
    let s = SqliteStore::in_memory().unwrap();
    let size = |s: &SqliteStore| -> i64 {
        s.db.exclusive()
            .unwrap()
            .conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .unwrap()
    };
    s.set_page_cache_kib(64 * 1024).unwrap();
    assert_eq!(size(&s), -65_536);
    s.set_page_cache_kib(2_000).unwrap();
    assert_eq!(size(&s), -2_000);
}

/// A data directory from before the compact form keeps its devices' JSON rows: read as they
/// are, and replaced by the compact form (events included) at the device's next write.
#[test]
fn device_state_stored_as_json_is_read_and_moves_to_the_compact_form() {
    use wan::EmulatorTx as _;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    let (id, other) = (Eui64::from_u64(5), Eui64::from_u64(6));
    let installed = gbcs::UtcDateTime::from_unix(1_700_000_000).unwrap();
    let mut old = devices::DeviceState::new(
        devices::DeviceKind::Esme,
        installed,
        devices::TrustAnchors::new(),
    );
    old.last_counters.insert(Eui64::from_u64(0xACB), 77);
    for at in 0..5 {
        old.event_log.push(devices::Event {
            at,
            kind: devices::EventKind::PowerLost,
        });
    }
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let tx = conn.unchecked_transaction().unwrap();
        let before = crate::MIGRATIONS
            .iter()
            .position(|m| m.contains("device_body"))
            .unwrap();
        for m in &crate::MIGRATIONS[..before] {
            tx.execute_batch(m).unwrap();
        }
        tx.pragma_update(None, "user_version", i64::try_from(before).unwrap())
            .unwrap();
        for d in [id, other] {
            tx.execute(
                "INSERT INTO device_state (id, state) VALUES (?1, ?2)",
                rusqlite::params![d.to_string(), serde_json::to_string(&old).unwrap()],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    let s = SqliteStore::open(&path).unwrap();
    s.transaction_in(|tx| {
        assert!(matches!(
            tx.device_state(id)?,
            Some(StoredDeviceState::Json(_))
        ));
        let mut state = wan::emulated::stored_state(tx, id)?.unwrap();
        assert_eq!(state, old);
        state.next_alert_counter = 9;
        wan::emulated::put_state(tx, id, &state)?;
        assert!(matches!(
            tx.device_state(id)?,
            Some(StoredDeviceState::Compact { .. })
        ));
        assert_eq!(tx.device_events(id)?.len(), 5, "the log moved with it");
        assert_eq!(wan::emulated::stored_state(tx, id)?.unwrap(), state);
        // The other device is still JSON, and both are listed once.
        assert_eq!(wan::emulated::stored_state(tx, other)?.unwrap(), old);
        assert_eq!(tx.device_state_ids()?, [id, other]);
        Ok(())
    })
    .unwrap();
    let json_rows: i64 =
        s.db.exclusive()
            .unwrap()
            .conn
            .query_row("SELECT COUNT(*) FROM device_state", [], |r| r.get(0))
            .unwrap();
    assert_eq!(json_rows, 1);
}

/// `Store::read` on a database file runs on the read-only connections (what it may and may not
/// do is in the backend-neutral suite, `store-tests`), not as one of the writer's transactions.
#[test]
fn reads_run_on_the_read_connections_not_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(&dir.path().join("dcc.sqlite")).unwrap();
    assert!(
        s.readers.is_some(),
        "a store on a file has read connections"
    );
    assert_eq!(s.read(|tx| Ok(tx.user(Eui64::from_u64(1))?)).unwrap(), None);
    s.transaction(|tx| Ok(tx.put_user(&user(1))?)).unwrap();
    assert_eq!(
        s.read(|tx| Ok(tx.user(Eui64::from_u64(1))?)).unwrap(),
        Some(user(1))
    );
    assert!(s.read(|tx| Ok(tx.put_user(&user(2))?)).is_err());
    // Reads are not the writer's transactions: only the one above was counted against it.
    let counted: u64 = s.transaction_stats().iter().map(|(_, st)| st.count).sum();
    assert_eq!(counted, 1);
}

#[test]
fn a_panicking_read_leaves_its_connection_usable() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(&dir.path().join("dcc.sqlite")).unwrap();
    s.transaction(|tx| Ok(tx.put_user(&user(1))?)).unwrap();
    for _ in 0..readers::READERS {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            s.read(|_tx| -> Result<(), DccError> { panic!("boom") })
        }));
        assert!(r.is_err());
    }
    for _ in 0..2 * readers::READERS {
        assert_eq!(
            s.read(|tx| Ok(tx.user(Eui64::from_u64(1))?)).unwrap(),
            Some(user(1))
        );
    }
}

#[test]
fn an_in_memory_store_reads_through_its_one_connection() {
    let s = SqliteStore::in_memory().unwrap();
    s.transaction(|tx| Ok(tx.put_user(&user(1))?)).unwrap();
    assert_eq!(
        s.read(|tx| Ok(tx.user(Eui64::from_u64(1))?)).unwrap(),
        Some(user(1))
    );
}

#[test]
fn transactions_are_counted_by_call_site() {
    let s = SqliteStore::in_memory().unwrap();
    let put = |n| s.transaction(|tx| Ok(tx.put_user(&user(n))?)).unwrap();
    put(1);
    put(2);
    put(3);
    let line_put = line!() - 4;
    s.transaction(|tx| Ok(tx.users()?)).unwrap();
    let line_users = line!() - 1;
    let sites = s.transaction_stats();
    let count = |line: u32| {
        sites
            .iter()
            .find(|(site, _)| site.ends_with(&format!("tests.rs:{line}")))
            .map(|(_, st)| st.count)
    };
    assert_eq!(count(line_put), Some(3), "{sites:?}");
    assert_eq!(count(line_users), Some(1), "{sites:?}");
    assert!(sites.iter().all(|(_, st)| st.held <= st.total), "{sites:?}");
}

#[test]
fn the_wan_poll_walks_the_open_commands_in_order_instead_of_sorting_every_due_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    drop(SqliteStore::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let plan: Vec<String> = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {}", crate::due_wan_jobs_sql()))
        .unwrap()
        .query_map(rusqlite::params![0, 8], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(plan.iter().any(|p| p.contains("wan_jobs_open")), "{plan:?}");
    assert!(
        !plan.iter().any(|p| p.contains("ORDER BY")),
        "no sort of the due commands: {plan:?}"
    );
}

/// Event rows stored before the logs were told apart (no log column) still load, each into its
/// log by kind; counted as the event log's in the store, they are put right when the device
/// next clears a log, so clearing the event log leaves the security entries among them.
#[test]
fn untagged_event_rows_of_an_older_database_load_and_a_clear_keeps_their_security_entries() {
    use devices::{Event, EventKind, LogKind};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dcc.sqlite");
    let id = Eui64::from_u64(0x00DB_1234_5678_90A0);
    let at = gbcs::UtcDateTime::from_unix(1_700_000_000).unwrap();
    let state = devices::DeviceState::new(devices::DeviceKind::Esme, at, Default::default());
    let executed = Event {
        at: 1,
        kind: EventKind::CommandExecuted {
            message_code: 0x0059,
            originator: id,
            counter: 1,
            success: true,
        },
    };
    let refused = Event {
        at: 2,
        kind: EventKind::CommandRefused {
            refusal: devices::Refusal::MacInvalid,
            originator: None,
            counter: None,
        },
    };
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let tx = conn.unchecked_transaction().unwrap();
        let before = crate::MIGRATIONS
            .iter()
            .position(|m| m.contains("ADD COLUMN log"))
            .unwrap();
        for m in &crate::MIGRATIONS[..before] {
            tx.execute_batch(m).unwrap();
        }
        tx.pragma_update(None, "user_version", i64::try_from(before).unwrap())
            .unwrap();
        let key = id.to_string();
        tx.execute(
            "INSERT INTO device_body (id, body) VALUES (?1, ?2)",
            rusqlite::params![key, devices::stored::encode_body(&state).unwrap()],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO device_counters (id, counters, events) VALUES (?1, ?2, 2)",
            rusqlite::params![key, devices::stored::encode_counters(&state).unwrap()],
        )
        .unwrap();
        for (seq, e) in [&executed, &refused].into_iter().enumerate() {
            tx.execute(
                "INSERT INTO device_events (id, seq, event) VALUES (?1, ?2, ?3)",
                rusqlite::params![
                    key,
                    i64::try_from(seq).unwrap(),
                    devices::stored::encode_event(e).unwrap()
                ],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    let s = SqliteStore::open(&path).unwrap();
    s.transaction_in(|tx| {
        let mut loaded = wan::emulated::stored_state(tx, id)?.unwrap();
        let log = |s: &devices::DeviceState, l| s.event_log.log(l).cloned().collect::<Vec<_>>();
        assert_eq!(
            log(&loaded, LogKind::Event),
            std::slice::from_ref(&executed)
        );
        assert_eq!(
            log(&loaded, LogKind::Security),
            std::slice::from_ref(&refused)
        );
        // The event log cleared (as a device does it, with the log read).
        let mut fresh = devices::stored::decode_state(
            &devices::stored::encode_body(&loaded).unwrap(),
            &devices::stored::encode_counters(&loaded).unwrap(),
            devices::EventLog::default(),
        )
        .unwrap();
        assert!(fresh.event_log.clear(LogKind::Event));
        wan::emulated::put_state(tx, id, &fresh)?;
        loaded = wan::emulated::stored_state(tx, id)?.unwrap();
        assert!(log(&loaded, LogKind::Event).is_empty());
        assert_eq!(
            log(&loaded, LogKind::Security),
            std::slice::from_ref(&refused)
        );
        Ok(())
    })
    .unwrap();
}
