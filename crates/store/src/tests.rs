use super::*;
use dcc::error::{AuthzError, DccError};
use dcc::model::{CspRegion, DeviceStatus, DeviceType, EsmeVariant};
use duis::UserRole;
use time::macros::{date, datetime};

fn user(n: u64) -> User {
    User {
        eui: Eui64::from_u64(n),
        name: format!("user{n}"),
        roles: vec![UserRole::ImportSupplier, UserRole::GasSupplier],
        response_url: Some("https://127.0.0.1:9/rrs".into()),
        suspended: false,
    }
}

fn device(n: u64) -> Device {
    Device {
        id: Eui64::from_u64(n),
        device_type: DeviceType::Esme,
        status: DeviceStatus::Commissioned,
        manufacturer: "1234".into(),
        model: "ABCD".into(),
        firmware_version: Some("00010203".into()),
        smets_chts_version: None,
        esme_variant: Some(EsmeVariant::A),
        uprn: Some("100".into()),
        chf: Some(Eui64::from_u64(99)),
        mpxn: Some("1900000000001".into()),
        date_commissioned: Some(date!(2024 - 01 - 02)),
        gbcs_version: None,
    }
}

#[test]
fn everything_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dcc.sqlite");
    {
        let s = SqliteStore::open(&path).unwrap();
        s.transaction(|tx| {
            tx.put_user(&user(1))?;
            tx.put_device(&device(7))?;
            tx.set_last_counter(Eui64::from_u64(1), u64::MAX)?;
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
        assert_eq!(tx.last_counter(Eui64::from_u64(1))?, Some(u64::MAX));
        assert_eq!(tx.premises_by_postcode("M220RR")?.len(), 1);
        assert_eq!(tx.registrations("1900000000001")?.len(), 1);
        let r = tx.request(Eui64::from_u64(1), u64::MAX)?.unwrap();
        assert_eq!(r.response_code, "I0");
        Ok(())
    })
    .unwrap();
}

#[test]
fn failed_transaction_changes_nothing() {
    let s = SqliteStore::in_memory().unwrap();
    let r: Result<(), DccError> = s.transaction(|tx| {
        tx.put_user(&user(2))?;
        tx.set_last_counter(Eui64::from_u64(2), 5)?;
        Err(AuthzError::UnknownDevice("x".into()).into())
    });
    assert!(r.is_err());
    s.transaction(|tx| {
        assert_eq!(tx.user(Eui64::from_u64(2))?, None);
        assert_eq!(tx.last_counter(Eui64::from_u64(2))?, None);
        Ok(())
    })
    .unwrap();
}

#[test]
fn duplicate_request_record_is_refused() {
    let s = SqliteStore::in_memory().unwrap();
    let rec = RequestRecord {
        originator: Eui64::from_u64(1),
        target: Eui64::from_u64(2),
        counter: 3,
        srv: duis::Srv::V8_2,
        command_variant: 8,
        received_at: datetime!(2026-01-01 0:00 UTC),
        response_code: "I0".into(),
        response: None,
    };
    s.transaction(|tx| Ok(tx.record_request(&rec)?)).unwrap();
    assert!(s.transaction(|tx| Ok(tx.record_request(&rec)?)).is_err());
}

#[test]
fn delete_device_reports_whether_it_existed() {
    let s = SqliteStore::in_memory().unwrap();
    s.transaction(|tx| {
        tx.put_device(&device(9))?;
        assert!(tx.delete_device(Eui64::from_u64(9))?);
        assert!(!tx.delete_device(Eui64::from_u64(9))?);
        Ok(())
    })
    .unwrap();
}

fn job(target: u64, due_at: i64) -> dcc::store::WanJob {
    dcc::store::WanJob {
        id: 0,
        originator: Eui64::from_u64(1),
        counter: 1,
        target: Eui64::from_u64(target),
        chf: Eui64::from_u64(99),
        kind: dcc::store::JobKind::Service(duis::Srv::V11_2),
        command: vec![1, 2, 3],
        attempts: 0,
        due_at,
        deadline_at: due_at + 1000,
    }
}

#[test]
fn a_device_gets_its_commands_in_the_order_they_were_accepted() {
    let s = SqliteStore::in_memory().unwrap();
    s.transaction(|tx| {
        // A (older) waits for a retry; B (newer, same device) is due now; C is another device's.
        let a = tx.enqueue_wan(&job(7, 500))?;
        let b = tx.enqueue_wan(&job(7, 100))?;
        let c = tx.enqueue_wan(&job(8, 100))?;
        let due: Vec<i64> = tx.due_wan_jobs(200, 10)?.iter().map(|j| j.id).collect();
        assert_eq!(due, vec![c], "B must not overtake A");
        let due: Vec<i64> = tx.due_wan_jobs(600, 10)?.iter().map(|j| j.id).collect();
        assert_eq!(due, vec![a, c]);
        tx.finish_wan_job(a, "answered")?;
        let due: Vec<i64> = tx.due_wan_jobs(600, 10)?.iter().map(|j| j.id).collect();
        assert_eq!(due, vec![b, c]);
        Ok(())
    })
    .unwrap();
}
