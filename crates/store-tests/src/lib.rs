//! Backend-neutral tests of opendcc's storage traits: the core's (`dcc::store`), the WAN
//! emulation's (`wan::EmulatorTx`) and the SMKI service's (`smki_service::SmkiTx`), written once
//! and run against every store (`store::SqliteStore` in the `store` crate's tests,
//! `store_pg::PgStore` in `store-pg`'s).
//!
//! The SMKI service's issuance (`issuance.rs`), revocation, publication, PMA powers and roll-over
//! (`smki_ca.rs`) over a store are here too: it is where the SMKI
//! tables meet the core's.
//!
//! Each case is a function taking a fresh, empty store; [`suite!`] writes one `#[test]` per case
//! for a backend, given an expression that makes a store (anything that dereferences to one, so
//! that a backend can drop what it made for the test when the guard goes).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use dcc::error::{AuthzError, DccError};
use dcc::model::{
    CspRegion, Device, DeviceStatus, DeviceType, EsmeVariant, OrgCertRecord, Premises,
    Registration, RegistrationRole, User,
};
use dcc::store::{
    JobKind, OutboxItem, PendingPreCommand, RequestCounter, RequestRecord, ScheduleRecord, Store,
    WanJob,
};
use duis::{Srv, UserRole};
use eui::Eui64;
use smki::CaKind;
use smki_service::audit::AuditEntry;
use smki_service::batch::{BatchRecord, ItemOutcome};
use smki_service::forecasts::YearMonth;
use smki_service::subscribers::{PartyKind, Subscriber};
use smki_service::{
    CaRecord, CertKind, CertRecord, CertStatus, CertUsage, Environment, ListKind, RevocationList,
    SmkiStore, StoreError as SmkiStoreError,
};
use time::macros::{date, datetime};
use wan::{DeviceStateWrite, EmulatorTx, StoredDeviceState, WanFault};

mod issuance;
mod products;
pub mod smki_ca;
pub use issuance::*;
pub use products::*;
pub use smki_ca::*;

/// What every store under test is: the core's store whose transactions also hold the WAN
/// emulation's state, and the SMKI service's store.
pub trait TestStore: Store + SmkiStore
where
    for<'t> <Self as Store>::Tx<'t>: EmulatorTx,
{
}

impl<S> TestStore for S
where
    S: Store + SmkiStore,
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
}

/// One `#[test]` per case of the suite, each on a store made by `$make` (an expression whose
/// value dereferences to the store; it is dropped at the end of the test).
#[macro_export]
macro_rules! suite {
    ($make:expr) => {
        $crate::suite!(@cases $make;
            everything_round_trips,
            failed_transaction_changes_nothing,
            a_panicking_closure_changes_nothing_and_the_store_goes_on,
            duplicate_request_record_is_refused,
            one_counter_may_be_recorded_once_per_target,
            delete_device_reports_whether_it_existed,
            status_history_is_kept_per_device_in_order_and_rolls_back,
            put_device_puts_its_pending_certificates_in_use,
            a_device_gets_its_commands_in_the_order_they_were_accepted,
            a_held_job_is_due_only_at_its_time_and_blocks_nothing_before,
            a_held_job_once_tried_keeps_its_place_in_the_device_order,
            a_devices_oldest_open_job_is_found_due_or_not,
            wan_jobs_are_found_retried_finished_and_counted,
            counters_are_kept_per_originator_and_target_above_a_floor,
            dcc_counters_are_one_per_originator_and_saturate,
            due_outbox_ids_are_the_due_items_in_order,
            outbox_items_are_delivered_retried_and_listed,
            reads_see_what_was_committed_and_cannot_write,
            schedules_are_kept_found_when_due_and_their_runs_taken_once,
            device_state_parts_are_written_apart_and_the_log_is_bounded,
            each_log_is_bounded_apart_and_a_replacing_write_clears_durably,
            wan_faults_and_hub_events,
            smki_insert_refuses_a_serial_already_lodged_and_put_replaces_it,
            smki_cas_and_certificates_round_trip_and_roll_back,
            smki_the_latest_published_revocation_list_is_served_per_kind_and_environment,
            smki_subscribers_batches_and_forecasts,
            smki_gateway_copies_participants_and_the_audit_log,
            entry_step_records_and_refuses_duplicates,
            single_issuance_org_and_device,
            refusals_store_nothing,
            test_service_never_issues_with_live_cas,
            batch_with_per_csr_results,
            forecasts_and_demand_report,
            single_issuance_rolls_the_dca_over_at_100000_certificates,
            a_batch_never_takes_the_dca_past_its_limit,
            the_live_service_never_issues_from_a_ca_carrying_the_test_policy,
            revocation_takes_effect_at_the_gateway_when_the_crl_is_published,
            pma_suspends_and_force_revokes_and_every_action_is_recorded,
            dca_rolls_over_after_three_months_without_subscriber_action,
            // The Certified Products List (`products.rs`).
            cpl_entries_and_notices_round_trip,
            cpl_changes_notify_every_party_and_refusals_write_nothing,
            cpl_expiry_suspends_the_models_devices_and_their_dependants,
        );
    };
    (@cases $make:expr; $($case:ident),+ $(,)?) => {
        $(
            #[test]
            fn $case() {
                let store = $make;
                $crate::$case(&*store);
            }
        )+
    };
}

// --- shared values ---

pub fn user(n: u64) -> User {
    User {
        eui: Eui64::from_u64(n),
        name: format!("user{n}"),
        roles: vec![UserRole::ImportSupplier, UserRole::GasSupplier],
        response_url: Some("https://127.0.0.1:9/rrs".into()),
        suspended: false,
    }
}

pub fn device(n: u64) -> Device {
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

/// A WAN command for device `target` from originator 1.
pub fn job(target: u64, counter: u64, due_at: i64) -> WanJob {
    WanJob {
        id: 0,
        originator: Eui64::from_u64(1),
        counter,
        target: Eui64::from_u64(target),
        chf: Eui64::from_u64(99),
        kind: JobKind::Service(Srv::V11_2),
        command: vec![1, 2, 3],
        attempts: 0,
        due_at,
        deadline_at: due_at + 30_000,
    }
}

fn due<S: Store>(s: &S, now: i64) -> Vec<i64> {
    s.transaction(|tx| Ok(tx.due_wan_jobs(now, 10)?))
        .unwrap()
        .iter()
        .map(|j| j.id)
        .collect()
}

fn outbox_item(reference: &str, next_at: i64) -> OutboxItem {
    OutboxItem {
        id: 0,
        recipient: Eui64::from_u64(1),
        kind: "response".into(),
        reference: reference.into(),
        document: "<x/>".into(),
        created_at: 0,
        attempts: 0,
        next_at,
        delivered_at: None,
        last_error: None,
    }
}

fn request_record(target: u64, counter: u64, cv: u8) -> RequestRecord {
    RequestRecord {
        originator: Eui64::from_u64(1),
        target: Eui64::from_u64(target),
        counter,
        srv: Srv::V4_1_1,
        command_variant: cv,
        received_at: datetime!(2026-01-01 0:00 UTC),
        response_code: "I0".into(),
        response: None,
    }
}

// --- the core's aggregates ---

/// Every aggregate's rows read back as written, counters above 2⁶³−1 included.
pub fn everything_round_trips<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    let premises = Premises {
        uprn: "100".into(),
        postcode: "m22 0rr".into(),
        address_identifier: "1".into(),
        region: CspRegion::Central,
        mpan: Some("1900000000001".into()),
        mprn: Some("1234567".into()),
    };
    let registration = |role, from, to| Registration {
        mpxn: "1900000000001".into(),
        role,
        party: Eui64::from_u64(1),
        from,
        to,
    };
    let cert = |serial: &str, eui: u64| OrgCertRecord {
        serial: serial.into(),
        issuer: "CN=OCA".into(),
        subject_eui: Eui64::from_u64(eui),
        role: 3,
        public_key: vec![4; 65],
        der: vec![0x30, 1],
        revoked: false,
    };
    s.transaction(|tx| {
        tx.put_user(&user(2))?;
        tx.put_user(&user(1))?;
        tx.put_device(&device(7))?;
        tx.put_device(&device(6))?;
        tx.set_request_counter(Eui64::from_u64(1), Eui64::from_u64(7), u64::MAX)?;
        tx.put_premises(&premises)?;
        tx.put_registration(&registration(
            RegistrationRole::ImportSupplier,
            date!(2020 - 01 - 01),
            Some(date!(2021 - 01 - 01)),
        ))?;
        tx.put_registration(&registration(
            RegistrationRole::ImportSupplier,
            date!(2021 - 01 - 02),
            None,
        ))?;
        tx.put_org_cert(&cert("20", 1))?;
        tx.put_org_cert(&cert("10", 1))?;
        tx.put_org_cert(&cert("30", 2))?;
        tx.put_device_cert(Eui64::from_u64(7), "ka", b"ka-der")?;
        tx.put_device_cert(Eui64::from_u64(7), "ds", b"ds-der")?;
        tx.record_request(&RequestRecord {
            originator: Eui64::from_u64(1),
            target: Eui64::from_u64(7),
            counter: u64::MAX,
            srv: Srv::V8_2,
            command_variant: 8,
            received_at: datetime!(2026-01-01 0:00 UTC),
            response_code: "I0".into(),
            response: Some("<x/>".into()),
        })?;
        Ok(())
    })
    .unwrap();
    s.transaction(|tx| {
        assert_eq!(tx.user(Eui64::from_u64(1))?, Some(user(1)));
        assert_eq!(tx.user(Eui64::from_u64(3))?, None);
        assert_eq!(tx.user_by_name("user1")?, Some(user(1)));
        assert_eq!(tx.users()?, vec![user(1), user(2)], "by name");
        // A user written again is replaced.
        let mut u = user(1);
        u.suspended = true;
        u.response_url = None;
        u.roles = vec![UserRole::ExportSupplier];
        tx.put_user(&u)?;
        assert_eq!(tx.user(Eui64::from_u64(1))?, Some(u));
        assert_eq!(tx.device(Eui64::from_u64(7))?, Some(device(7)));
        assert_eq!(tx.devices()?, vec![device(6), device(7)], "by EUI");
        assert_eq!(tx.devices_at("100")?, vec![device(6), device(7)]);
        assert!(tx.devices_at("101")?.is_empty());
        assert_eq!(
            tx.request_counter(Eui64::from_u64(1), Eui64::from_u64(7))?
                .last,
            Some(u64::MAX)
        );
        assert_eq!(tx.highest_counter(Eui64::from_u64(1))?, Some(u64::MAX));
        assert_eq!(tx.premises("100")?, Some(premises.clone()));
        assert_eq!(tx.premises_by_postcode("M220RR")?, vec![premises.clone()]);
        assert_eq!(tx.premises_by_postcode(" m22 0rr")?.len(), 1);
        let regs = tx.registrations("1900000000001")?;
        assert_eq!(
            regs,
            vec![
                registration(
                    RegistrationRole::ImportSupplier,
                    date!(2020 - 01 - 01),
                    Some(date!(2021 - 01 - 01)),
                ),
                registration(
                    RegistrationRole::ImportSupplier,
                    date!(2021 - 01 - 02),
                    None
                ),
            ]
        );
        assert_eq!(tx.org_cert("10")?, Some(cert("10", 1)));
        assert_eq!(tx.org_cert("11")?, None);
        let of_1: Vec<String> = tx
            .org_certs_of(Eui64::from_u64(1))?
            .into_iter()
            .map(|c| c.serial)
            .collect();
        assert_eq!(of_1, ["10", "20"]);
        let mut revoked = cert("10", 1);
        revoked.revoked = true;
        tx.put_org_cert(&revoked)?;
        assert_eq!(tx.org_cert("10")?, Some(revoked));
        assert!(!tx.is_test_certificate_key(&[4; 65])?);
        assert_eq!(
            tx.device_certs(Eui64::from_u64(7))?,
            [b"ds-der".to_vec(), b"ka-der".to_vec()],
            "by usage"
        );
        assert_eq!(
            tx.device_cert(Eui64::from_u64(7), "ka")?,
            Some(b"ka-der".to_vec())
        );
        tx.put_device_cert(Eui64::from_u64(7), "ka", b"ka-2")?;
        assert_eq!(
            tx.device_cert(Eui64::from_u64(7), "ka")?,
            Some(b"ka-2".to_vec())
        );
        assert_eq!(tx.device_cert(Eui64::from_u64(8), "ka")?, None);
        let r = tx
            .request(Eui64::from_u64(1), Eui64::from_u64(7), u64::MAX)?
            .unwrap();
        assert_eq!(
            (r.response_code.as_str(), r.response.as_deref(), r.srv),
            ("I0", Some("<x/>"), Srv::V8_2)
        );
        assert_eq!(r.received_at, datetime!(2026-01-01 0:00 UTC));
        assert_eq!(
            tx.request(Eui64::from_u64(1), Eui64::from_u64(8), u64::MAX)?,
            None
        );
        Ok(())
    })
    .unwrap();
}

pub fn failed_transaction_changes_nothing<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    let r: Result<(), DccError> = s.transaction(|tx| {
        tx.put_user(&user(2))?;
        tx.set_request_counter(Eui64::from_u64(2), Eui64::from_u64(7), 5)?;
        tx.enqueue_wan(&job(7, 5, 0))?;
        Err(AuthzError::UnknownDevice("x".into()).into())
    });
    assert!(r.is_err());
    s.transaction(|tx| {
        assert_eq!(tx.user(Eui64::from_u64(2))?, None);
        assert_eq!(tx.highest_counter(Eui64::from_u64(2))?, None);
        assert_eq!(tx.pending_wan_jobs()?, 0);
        Ok(())
    })
    .unwrap();
}

pub fn a_panicking_closure_changes_nothing_and_the_store_goes_on<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    s.transaction(|tx| Ok(tx.put_user(&user(1))?)).unwrap();
    for _ in 0..10 {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            s.transaction(|tx| -> Result<(), DccError> {
                tx.put_user(&user(2))?;
                panic!("boom")
            })
        }));
        assert!(r.is_err());
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            s.read(|_tx| -> Result<(), DccError> { panic!("boom") })
        }));
        assert!(r.is_err());
    }
    for _ in 0..10 {
        assert_eq!(
            s.read(|tx| Ok(tx.user(Eui64::from_u64(1))?)).unwrap(),
            Some(user(1))
        );
        assert_eq!(
            s.transaction(|tx| Ok(tx.user(Eui64::from_u64(2))?))
                .unwrap(),
            None
        );
    }
}

pub fn duplicate_request_record_is_refused<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    let rec = request_record(2, 3, 8);
    s.transaction(|tx| Ok(tx.record_request(&rec)?)).unwrap();
    assert!(s.transaction(|tx| Ok(tx.record_request(&rec)?)).is_err());
    // Another command variant of the same RequestID is another record; the highest is read.
    let mut cv5 = request_record(2, 3, 5);
    cv5.response_code = "I99".into();
    s.transaction(|tx| Ok(tx.record_request(&cv5)?)).unwrap();
    let r = s
        .read(|tx| Ok(tx.request(Eui64::from_u64(1), Eui64::from_u64(2), 3)?))
        .unwrap()
        .unwrap();
    assert_eq!((r.command_variant, r.response_code.as_str()), (8, "I0"));
}

pub fn one_counter_may_be_recorded_once_per_target<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    let pre = |target: u64| PendingPreCommand {
        originator: Eui64::from_u64(1),
        counter: 9,
        target: Eui64::from_u64(target),
        srv: Srv::V4_1_1,
        precommand: vec![target as u8],
        created_at: 0,
        used: false,
    };
    s.transaction(|tx| {
        for t in [0xA, 0xB] {
            tx.record_request(&request_record(t, 9, 4))?;
            tx.put_precommand(&pre(t))?;
        }
        tx.use_precommand(Eui64::from_u64(1), Eui64::from_u64(0xA), 9)?;
        let a = tx
            .precommand(Eui64::from_u64(1), Eui64::from_u64(0xA), 9)?
            .unwrap();
        let b = tx
            .precommand(Eui64::from_u64(1), Eui64::from_u64(0xB), 9)?
            .unwrap();
        assert!(a.used && !b.used);
        assert_eq!(b, pre(0xB));
        assert_eq!(
            tx.precommand(Eui64::from_u64(1), Eui64::from_u64(0xC), 9)?,
            None
        );
        Ok(())
    })
    .unwrap();
    // The same one twice for the same target is refused.
    assert!(
        s.transaction(|tx| Ok(tx.record_request(&request_record(0xA, 9, 4))?))
            .is_err()
    );
    assert!(
        s.transaction(|tx| Ok(tx.put_precommand(&pre(0xA))?))
            .is_err()
    );
}

pub fn delete_device_reports_whether_it_existed<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    s.transaction(|tx| {
        tx.put_device(&device(9))?;
        assert!(tx.delete_device(Eui64::from_u64(9))?);
        assert!(!tx.delete_device(Eui64::from_u64(9))?);
        assert_eq!(tx.device(Eui64::from_u64(9))?, None);
        Ok(())
    })
    .unwrap();
}

/// A device's SMI status history: appended in order, per device, with its cause and actor,
/// and gone with a transaction that failed.
pub fn status_history_is_kept_per_device_in_order_and_rolls_back<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    use dcc::model::smi::{DccProcess, SmiActor, SmiCause, StatusChange};
    let user = Eui64::from_u64(0x90b3_d51f_3001_0000);
    let change = |d: u64, from, to, cause, by, min: u8| StatusChange {
        device: Eui64::from_u64(d),
        at: datetime!(2026-12-07 10:00:00.123 UTC) + time::Duration::minutes(i64::from(min)),
        from,
        to,
        cause,
        by,
    };
    let a = change(
        9,
        None,
        DeviceStatus::Pending,
        SmiCause::Service(Srv::V12_2),
        SmiActor::User(user),
        0,
    );
    let b = change(
        9,
        Some(DeviceStatus::Pending),
        DeviceStatus::Whitelisted,
        SmiCause::Service(Srv::V8_11),
        SmiActor::User(user),
        1,
    );
    let c = change(
        9,
        Some(DeviceStatus::Whitelisted),
        DeviceStatus::Suspended,
        SmiCause::Process(DccProcess::CplExpiry),
        SmiActor::Dcc,
        2,
    );
    let other = change(
        8,
        None,
        DeviceStatus::Pending,
        SmiCause::Service(Srv::V12_2),
        SmiActor::Dcc,
        0,
    );
    s.transaction(|tx| {
        tx.push_status_change(&a)?;
        tx.push_status_change(&other)?;
        tx.push_status_change(&b)?;
        Ok(())
    })
    .unwrap();
    let _ = s.transaction(|tx| {
        tx.push_status_change(&c)?;
        Err::<(), _>(DccError::from(AuthzError::UnknownDevice(
            "rolled back".into(),
        )))
    });
    s.transaction(|tx| {
        assert_eq!(
            tx.status_history(Eui64::from_u64(9))?,
            vec![a.clone(), b.clone()]
        );
        assert_eq!(tx.status_history(Eui64::from_u64(8))?, vec![other.clone()]);
        assert_eq!(tx.status_history(Eui64::from_u64(7))?, vec![]);
        tx.push_status_change(&c)?;
        assert_eq!(
            tx.status_history(Eui64::from_u64(9))?,
            vec![a.clone(), b.clone(), c.clone()]
        );
        Ok(())
    })
    .unwrap();
}

/// The SMKI repository's certificates of a device are pending until the device is in the
/// inventory, then in use.
pub fn put_device_puts_its_pending_certificates_in_use<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    let id = Eui64::from_u64(7);
    let mut pending = smki_cert("AB", id, CertUsage::DigitalSigning);
    pending.status = CertStatus::Pending;
    let mut other = smki_cert("CD", Eui64::from_u64(8), CertUsage::DigitalSigning);
    other.status = CertStatus::Pending;
    s.smki_transaction(|tx| {
        tx.put_certificate(&pending)?;
        tx.put_certificate(&other)
    })
    .unwrap();
    s.transaction(|tx| Ok(tx.put_device(&device(7))?)).unwrap();
    let status = |serial: &str| {
        s.smki_transaction(|tx| tx.certificate(serial))
            .unwrap()
            .unwrap()
            .status
    };
    assert_eq!(status("AB"), CertStatus::InUse);
    assert_eq!(status("CD"), CertStatus::Pending);
}

pub fn a_device_gets_its_commands_in_the_order_they_were_accepted<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    s.transaction(|tx| {
        // A (older) waits for a retry; B (newer, same device) is due now; C is another device's.
        let a = tx.enqueue_wan(&job(7, 1, 500))?;
        let b = tx.enqueue_wan(&job(7, 2, 100))?;
        let c = tx.enqueue_wan(&job(8, 3, 100))?;
        let due: Vec<i64> = tx.due_wan_jobs(200, 10)?.iter().map(|j| j.id).collect();
        assert_eq!(due, vec![c], "B must not overtake A");
        let due: Vec<i64> = tx.due_wan_jobs(600, 10)?.iter().map(|j| j.id).collect();
        assert_eq!(due, vec![a, c]);
        let due: Vec<i64> = tx.due_wan_jobs(600, 1)?.iter().map(|j| j.id).collect();
        assert_eq!(due, vec![a], "at most the limit, oldest first");
        tx.finish_wan_job(a, "answered")?;
        let due: Vec<i64> = tx.due_wan_jobs(600, 10)?.iter().map(|j| j.id).collect();
        assert_eq!(due, vec![b, c]);
        Ok(())
    })
    .unwrap();
    // The same through a read.
    let due: Vec<i64> = s
        .read(|tx| Ok(tx.due_wan_jobs(600, 10)?))
        .unwrap()
        .iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(due.len(), 2);
}

/// DSP future dating: a held job is not due before its time, blocks none of its device's other
/// commands until then, and is due at its time before later commands of its device.
pub fn a_held_job_is_due_only_at_its_time_and_blocks_nothing_before<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    let (held, later, other) = s
        .transaction(|tx| {
            let held = tx.hold_wan(&job(7, 1, 10_000))?;
            let later = tx.enqueue_wan(&job(7, 2, 100))?;
            let other = tx.enqueue_wan(&job(8, 3, 100))?;
            Ok((held, later, other))
        })
        .unwrap();
    assert_eq!(due(s, 100), vec![later, other]);
    assert_eq!(due(s, 9_999), vec![later, other]);
    assert_eq!(due(s, 10_000), vec![held, other]);
    s.transaction(|tx| Ok(tx.finish_wan_job(held, "answered")?))
        .unwrap();
    assert_eq!(due(s, 10_000), vec![later, other]);
    assert_eq!(s.transaction(|tx| Ok(tx.pending_wan_jobs()?)).unwrap(), 2);
}

pub fn a_held_job_once_tried_keeps_its_place_in_the_device_order<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
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
    assert_eq!(due(s, 2_500), Vec::<i64>::new());
    assert_eq!(due(s, 3_000), vec![held]);
    s.transaction(|tx| Ok(tx.finish_wan_job(held, "answered")?))
        .unwrap();
    assert_eq!(due(s, 3_000), vec![later]);
}

/// `oldest_open_wan_job`: the device's oldest unfinished command, due or not (a retry waiting
/// for its time is still the oldest), a held one counting from its due time.
pub fn a_devices_oldest_open_job_is_found_due_or_not<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    let (held, first, second, other) = s
        .transaction(|tx| {
            Ok((
                tx.hold_wan(&job(7, 1, 10_000))?,
                tx.enqueue_wan(&job(7, 2, 100))?,
                tx.enqueue_wan(&job(7, 3, 100))?,
                tx.enqueue_wan(&job(8, 4, 100))?,
            ))
        })
        .unwrap();
    let oldest = |target: u64, now: i64| {
        s.read(|tx| Ok(tx.oldest_open_wan_job(Eui64::from_u64(target), now)?))
            .unwrap()
    };
    assert_eq!(
        oldest(7, 100),
        Some(first),
        "the held job counts from its time"
    );
    assert_eq!(oldest(7, 10_000), Some(held));
    assert_eq!(oldest(8, 100), Some(other));
    assert_eq!(oldest(9, 100), None, "a device with nothing queued");
    s.transaction(|tx| {
        tx.retry_wan_job(first, 1, 5_000)?;
        Ok(tx.finish_wan_job(held, "answered")?)
    })
    .unwrap();
    assert_eq!(
        oldest(7, 200),
        Some(first),
        "a retry not yet due is still the oldest"
    );
    s.transaction(|tx| Ok(tx.finish_wan_job(first, "answered")?))
        .unwrap();
    assert_eq!(oldest(7, 200), Some(second));
}

pub fn wan_jobs_are_found_retried_finished_and_counted<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    s.transaction(|tx| {
        assert_eq!(tx.next_wan_due_after(0)?, None);
        let mut recovery = job(7, u64::MAX, 100);
        recovery.kind = JobKind::SmkiRecovery;
        let a = tx.enqueue_wan(&recovery)?;
        let b = tx.enqueue_wan(&job(8, 5, 300))?;
        let mut read = tx.wan_job(a)?.unwrap();
        recovery.id = a;
        assert_eq!(read, recovery);
        assert_eq!(tx.pending_wan_jobs()?, 2);
        assert_eq!(tx.next_wan_due_after(100)?, Some(300));
        assert_eq!(tx.next_wan_due_after(0)?, Some(100));
        tx.retry_wan_job(a, 3, 900)?;
        read = tx.wan_job(a)?.unwrap();
        assert_eq!((read.attempts, read.due_at), (3, 900));
        assert_eq!(tx.next_wan_due_after(300)?, Some(900));
        // The command sent with a GBCS originator, recipient and counter, finished or not.
        let sent = tx
            .sent_command(Eui64::from_u64(1), Eui64::from_u64(8), 5)?
            .unwrap();
        assert_eq!(sent.id, b);
        assert_eq!(
            tx.sent_command(Eui64::from_u64(1), Eui64::from_u64(8), 6)?,
            None
        );
        tx.finish_wan_job(b, "answered")?;
        assert_eq!(tx.wan_job(b)?, None, "finished: off the queue");
        assert_eq!(
            tx.sent_command(Eui64::from_u64(1), Eui64::from_u64(8), 5)?
                .map(|j| j.id),
            Some(b),
            "still found as sent"
        );
        // A later command with the same counter is the one found.
        let c = tx.enqueue_wan(&job(8, 5, 400))?;
        assert_eq!(
            tx.sent_command(Eui64::from_u64(1), Eui64::from_u64(8), 5)?
                .map(|j| j.id),
            Some(c)
        );
        assert_eq!(tx.pending_wan_jobs()?, 2);
        Ok(())
    })
    .unwrap();
}

pub fn counters_are_kept_per_originator_and_target_above_a_floor<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    let (u, a, b) = (
        Eui64::from_u64(1),
        Eui64::from_u64(0xA),
        Eui64::from_u64(0xB),
    );
    s.transaction(|tx| {
        assert_eq!(tx.request_counter(u, a)?, RequestCounter::default());
        tx.set_request_counter(u, a, 10)?;
        tx.set_request_counter(u, b, 3)?;
        let at_a = tx.request_counter(u, a)?;
        assert_eq!(
            (at_a.last, at_a.floor, at_a.highest()),
            (Some(10), None, Some(10))
        );
        assert_eq!(tx.request_counter(u, b)?.last, Some(3));
        // Another originator's counters are its own.
        assert_eq!(
            tx.request_counter(Eui64::from_u64(2), a)?,
            RequestCounter::default()
        );
        assert_eq!(tx.highest_counter(u)?, Some(10));
        // Counters above 2⁶³−1 still compare as u64.
        tx.set_request_counter(u, b, u64::MAX - 1)?;
        assert_eq!(tx.highest_counter(u)?, Some(u64::MAX - 1));
        // The operator's reset: every target and the floor, down as well as up.
        tx.reset_counter_floor(u, 7)?;
        for t in [a, b] {
            let c = tx.request_counter(u, t)?;
            assert_eq!((c.last, c.floor), (Some(7), Some(7)));
        }
        // A target never used before is below the floor too.
        let fresh = tx.request_counter(u, Eui64::from_u64(0xC))?;
        assert_eq!((fresh.last, fresh.highest()), (None, Some(7)));
        assert_eq!(tx.highest_counter(u)?, Some(7));
        // A user with no counter yet gets a floor.
        let other = Eui64::from_u64(3);
        tx.reset_counter_floor(other, 7)?;
        assert_eq!(tx.highest_counter(other)?, Some(7));
        Ok(())
    })
    .unwrap();
    // The same through a read.
    let c = s.read(|tx| Ok(tx.request_counter(u, a)?)).unwrap();
    assert_eq!((c.last, c.floor), (Some(7), Some(7)));
}

pub fn dcc_counters_are_one_per_originator_and_saturate<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    let acb = Eui64::from_u64(0xACB);
    s.transaction(|tx| {
        assert_eq!(tx.next_dcc_counter(acb)?, 1);
        assert_eq!(tx.next_dcc_counter(acb)?, 2);
        // It is the originator's floor: the same whatever the target.
        assert_eq!(tx.request_counter(acb, Eui64::from_u64(9))?.floor, Some(2));
        // Across 2⁶³ as well.
        tx.reset_counter_floor(acb, (1 << 63) - 1)?;
        assert_eq!(tx.next_dcc_counter(acb)?, 1 << 63);
        assert_eq!(tx.next_dcc_counter(acb)?, (1 << 63) + 1);
        tx.reset_counter_floor(acb, u64::MAX - 1)?;
        assert_eq!(tx.next_dcc_counter(acb)?, u64::MAX);
        assert_eq!(tx.next_dcc_counter(acb)?, u64::MAX);
        Ok(())
    })
    .unwrap();
}

pub fn due_outbox_ids_are_the_due_items_in_order<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    s.transaction(|tx| {
        for at in [30, 10, 20, 10, 99] {
            tx.push_outbox(&outbox_item(&format!("r{at}"), at))?;
        }
        let first = tx.due_outbox_ids(50, 1)?[0];
        tx.outbox_delivered(first, 40)?;
        Ok(())
    })
    .unwrap();
    let (items, ids) = s
        .read(|tx| Ok((tx.due_outbox(50, 10)?, tx.due_outbox_ids(50, 10)?)))
        .unwrap();
    assert_eq!(ids, items.iter().map(|o| o.id).collect::<Vec<_>>());
    // Delivered and not yet due left out; next_at, then id.
    let refs: Vec<_> = items.iter().map(|o| o.reference.as_str()).collect();
    assert_eq!(refs, ["r10", "r20", "r30"]);
    assert_eq!(s.read(|tx| Ok(tx.due_outbox_ids(50, 2)?)).unwrap().len(), 2);
}

pub fn outbox_items_are_delivered_retried_and_listed<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    s.transaction(|tx| {
        assert_eq!(tx.next_outbox_after(0)?, None);
        let a = tx.push_outbox(&outbox_item("a", 10))?;
        let b = tx.push_outbox(&outbox_item("b", 10))?;
        let mut other = outbox_item("c", 10);
        other.recipient = Eui64::from_u64(2);
        tx.push_outbox(&other)?;
        let mut item = outbox_item("a", 10);
        item.id = a;
        assert_eq!(tx.outbox_item(a)?, Some(item));
        assert_eq!(tx.outbox_item(a + 1_000)?, None);
        tx.outbox_retry(a, 1, 500, "refused: 503")?;
        let read = tx.outbox_item(a)?.unwrap();
        assert_eq!(
            (read.attempts, read.next_at, read.last_error.as_deref()),
            (1, 500, Some("refused: 503"))
        );
        assert_eq!(tx.next_outbox_after(10)?, Some(500));
        tx.outbox_delivered(a, 600)?;
        let read = tx.outbox_item(a)?.unwrap();
        assert_eq!(
            (read.attempts, read.delivered_at, read.last_error),
            (2, Some(600), None)
        );
        // Delivered once: a second report changes nothing.
        tx.outbox_delivered(a, 700)?;
        assert_eq!(tx.outbox_item(a)?.unwrap().delivered_at, Some(600));
        assert_eq!(tx.next_outbox_after(10)?, None);
        let listed: Vec<i64> = tx
            .outbox_for(Eui64::from_u64(1), 10)?
            .iter()
            .map(|o| o.id)
            .collect();
        assert_eq!(listed, [b, a], "newest first, the recipient's only");
        assert_eq!(tx.outbox_for(Eui64::from_u64(1), 1)?.len(), 1);
        Ok(())
    })
    .unwrap();
}

pub fn reads_see_what_was_committed_and_cannot_write<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    assert_eq!(s.read(|tx| Ok(tx.user(Eui64::from_u64(1))?)).unwrap(), None);
    s.transaction(|tx| Ok(tx.put_user(&user(1))?)).unwrap();
    assert_eq!(
        s.read(|tx| Ok(tx.user(Eui64::from_u64(1))?)).unwrap(),
        Some(user(1))
    );
    // A change attempted in a read fails, and nothing is changed.
    let refused = s.read(|tx| Ok(tx.put_user(&user(2))?));
    assert!(refused.is_err(), "{refused:?}");
    let refused = s.read_in(|tx| Ok(tx.set_wan_fault(Eui64::from_u64(99), Some(WanFault::NoWan))?));
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(
        s.transaction(|tx| Ok(tx.user(Eui64::from_u64(2))?))
            .unwrap(),
        None
    );
    assert_eq!(
        s.transaction_in(|tx| Ok(tx.wan_fault(Eui64::from_u64(99))?))
            .unwrap(),
        None
    );
}

fn schedule(owner: u64, next: Option<i64>) -> ScheduleRecord {
    ScheduleRecord {
        id: 0,
        owner: Eui64::from_u64(owner),
        device: Eui64::from_u64(0xA0),
        srv: Srv::V4_16,
        details: "<x/>".into(),
        created_counter: u64::MAX,
        created_at: 1,
        next_run_at: next,
        last_run_at: None,
    }
}

pub fn schedules_are_kept_found_when_due_and_their_runs_taken_once<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    s.transaction(|tx| {
        let a = tx.insert_schedule(&schedule(1, Some(200)))?;
        let b = tx.insert_schedule(&schedule(2, Some(100)))?;
        let c = tx.insert_schedule(&schedule(3, None))?;
        assert!(a >= 1 && b > a && c > b);
        let mut read = tx.schedule(a)?.unwrap();
        read.id = 0;
        assert_eq!(read, schedule(1, Some(200)));
        let due: Vec<u64> = tx.due_schedules(150, 10)?.iter().map(|r| r.id).collect();
        assert_eq!(due, [b]);
        let due: Vec<u64> = tx.due_schedules(1_000, 10)?.iter().map(|r| r.id).collect();
        assert_eq!(due, [b, a], "earliest first; finished ones never");
        tx.schedule_ran(b, 100, Some(300))?;
        let r = tx.schedule(b)?.unwrap();
        assert_eq!((r.last_run_at, r.next_run_at), (Some(100), Some(300)));
        assert_eq!(r.owner, Eui64::from_u64(2));
        let d = Eui64::from_u64(0xA0);
        tx.record_scheduled_run(Eui64::from_u64(2), d, 55, b)?;
        // The same counter for another target is another run.
        assert_eq!(
            tx.take_scheduled_run(Eui64::from_u64(2), Eui64::from_u64(0xA1), 55)?,
            None
        );
        assert_eq!(tx.scheduled_run(Eui64::from_u64(2), d, 55)?, Some(b));
        assert_eq!(
            tx.scheduled_run(Eui64::from_u64(2), d, 55)?,
            Some(b),
            "a look keeps it"
        );
        assert_eq!(tx.take_scheduled_run(Eui64::from_u64(2), d, 55)?, Some(b));
        assert_eq!(tx.scheduled_run(Eui64::from_u64(2), d, 55)?, None);
        assert_eq!(tx.take_scheduled_run(Eui64::from_u64(2), d, 55)?, None);
        assert!(tx.delete_schedule(a)?);
        assert!(!tx.delete_schedule(a)?);
        assert!(tx.schedule(a)?.is_none());
        Ok(())
    })
    .unwrap();
}

// --- the WAN emulation's state ---

fn device_write<'a>(
    body: Option<&'a [u8]>,
    counters: Option<&'a [u8]>,
    events: &'a [(u8, Vec<u8>)],
) -> DeviceStateWrite<'a> {
    DeviceStateWrite {
        body,
        counters,
        events,
        keep_events: 3,
        replace_events: false,
    }
}

/// Each log (the number an event row carries) keeps its newest `keep_events` whatever the
/// others hold; a write that replaces the events (a device that cleared a log) leaves exactly
/// the events it gives, in the same transaction (a failed one leaves the log as it was), and
/// later writes append after them; a reopened store reads the same.
pub fn each_log_is_bounded_apart_and_a_replacing_write_clears_durably<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    let id = Eui64::from_u64(6);
    let (event, security) = (|n: u8| (0, vec![n]), |n: u8| (1, vec![n]));
    let bytes = |rows: &[(u8, Vec<u8>)]| rows.iter().map(|(_, e)| e.clone()).collect::<Vec<_>>();
    s.transaction_in(|tx| {
        tx.write_device_state(
            id,
            &device_write(Some(b"b"), Some(b"c"), &[security(1), event(2)]),
        )?;
        // Five more event-log entries: the event log keeps its newest three, the security
        // log's one stays.
        tx.write_device_state(
            id,
            &device_write(None, None, &[event(3), event(4), event(5)]),
        )?;
        tx.write_device_state(id, &device_write(None, None, &[event(6), event(7)]))?;
        assert_eq!(
            tx.device_events(id)?,
            bytes(&[security(1), event(5), event(6), event(7)])
        );
        Ok(())
    })
    .unwrap();
    // A replacing write whose transaction fails changes nothing.
    let failed: Result<(), DccError> = s.transaction_in(|tx| {
        tx.write_device_state(
            id,
            &DeviceStateWrite {
                replace_events: true,
                ..device_write(None, Some(b"c2"), &[security(1), security(8)])
            },
        )?;
        Err(AuthzError::UnknownDevice("abandoned".into()).into())
    });
    assert!(failed.is_err());
    s.transaction_in(|tx| {
        assert_eq!(
            tx.device_events(id)?,
            bytes(&[security(1), event(5), event(6), event(7)])
        );
        // The event log cleared: its rows go, the security log's stay, the clear is recorded.
        tx.write_device_state(
            id,
            &DeviceStateWrite {
                replace_events: true,
                ..device_write(None, Some(b"c2"), &[security(1), security(8)])
            },
        )?;
        assert_eq!(tx.device_events(id)?, bytes(&[security(1), security(8)]));
        tx.write_device_state(id, &device_write(None, None, &[event(9)]))?;
        // A replacement with nothing to keep and nothing new, the counters unchanged.
        tx.write_device_state(
            Eui64::from_u64(7),
            &device_write(Some(b"b"), Some(b"c"), &[event(1)]),
        )?;
        tx.write_device_state(
            Eui64::from_u64(7),
            &DeviceStateWrite {
                replace_events: true,
                ..device_write(None, None, &[])
            },
        )?;
        Ok(())
    })
    .unwrap();
    s.read_in(|tx| {
        assert_eq!(
            tx.device_events(id)?,
            bytes(&[security(1), security(8), event(9)])
        );
        assert!(tx.device_events(Eui64::from_u64(7))?.is_empty());
        Ok(())
    })
    .unwrap();
}

/// A device's state is written in parts: the body only when given, the counters, and events
/// appended to a log that keeps the newest `keep_events`.
pub fn device_state_parts_are_written_apart_and_the_log_is_bounded<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    let id = Eui64::from_u64(5);
    let ev = |n: u8| (0, vec![n]);
    let refused = s.transaction_in(|tx| {
        assert_eq!(tx.device_state(id)?, None);
        Ok(tx.write_device_state(id, &device_write(None, None, &[ev(0)]))?)
    });
    assert!(refused.is_err(), "events of a device with no counters");
    s.transaction_in(|tx| {
        tx.write_device_state(id, &device_write(Some(b"b1"), Some(b"c1"), &[ev(1), ev(2)]))?;
        tx.write_device_state(id, &device_write(None, Some(b"c2"), &[ev(3)]))?;
        tx.write_device_state(id, &device_write(None, None, &[ev(4), ev(5)]))?;
        assert_eq!(
            tx.device_state(id)?,
            Some(StoredDeviceState::Compact {
                body: b"b1".to_vec(),
                counters: b"c2".to_vec()
            })
        );
        assert_eq!(tx.device_events(id)?, [ev(3).1, ev(4).1, ev(5).1]);
        tx.write_device_state(id, &device_write(Some(b"b2"), None, &[]))?;
        assert_eq!(
            tx.device_state(id)?,
            Some(StoredDeviceState::Compact {
                body: b"b2".to_vec(),
                counters: b"c2".to_vec()
            })
        );
        assert_eq!(tx.device_events(id)?, [ev(3).1, ev(4).1, ev(5).1]);
        tx.write_device_state(
            Eui64::from_u64(4),
            &device_write(Some(b"x"), Some(b"y"), &[]),
        )?;
        assert_eq!(tx.device_state_ids()?, [Eui64::from_u64(4), id]);
        assert!(tx.device_events(Eui64::from_u64(4))?.is_empty());
        Ok(())
    })
    .unwrap();
}

pub fn wan_faults_and_hub_events<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    let (h1, h2) = (Eui64::from_u64(0x91), Eui64::from_u64(0x92));
    s.transaction_in(|tx| {
        assert_eq!(tx.wan_fault(h1)?, None);
        tx.set_wan_fault(h1, Some(WanFault::Drop(3)))?;
        tx.set_wan_fault(h2, Some(WanFault::Delay(250)))?;
        assert_eq!(tx.wan_fault(h1)?, Some(WanFault::Drop(3)));
        tx.set_wan_fault(h1, Some(WanFault::NoWan))?;
        assert_eq!(tx.wan_fault(h1)?, Some(WanFault::NoWan));
        tx.set_wan_fault(h1, None)?;
        assert_eq!(tx.wan_fault(h1)?, None);
        assert_eq!(tx.wan_fault(h2)?, Some(WanFault::Delay(250)));
        let a = tx.push_wan_event(h1, "power-outage", 10)?;
        let b = tx.push_wan_event(h2, "power-restored", 20)?;
        let c = tx.push_wan_event(h1, "power-restored", 30)?;
        assert_eq!(
            tx.take_wan_events(2)?,
            [
                (a, h1, "power-outage".to_string()),
                (b, h2, "power-restored".to_string())
            ]
        );
        assert_eq!(
            tx.take_wan_events(10)?,
            [(c, h1, "power-restored".to_string())]
        );
        assert!(tx.take_wan_events(10)?.is_empty(), "each taken once");
        Ok(())
    })
    .unwrap();
}

// --- the SMKI service's storage ---

fn ca(kind: CaKind) -> CaRecord {
    CaRecord {
        id: 0,
        kind,
        environment: Environment::Live,
        cert_der: vec![1, 2, 3],
        key_pkcs8: Some(vec![9; 10]),
        created_at: 1_000,
        issued_count: 0,
        retired_at: None,
        destroyed_at: None,
        destruction_record: None,
    }
}

pub fn smki_cert(serial: &str, eui: Eui64, usage: CertUsage) -> CertRecord {
    CertRecord {
        serial: serial.into(),
        serial_decimal: "1".into(),
        environment: Environment::Live,
        kind: CertKind::Device,
        usage,
        subject_eui: Some(eui),
        role: None,
        subscriber: None,
        issuer_ca: None,
        public_key: vec![4; 65],
        issued_at: 5,
        not_after: 10,
        status: CertStatus::InUse,
        revoked_at: None,
        revocation_reason: None,
        der: vec![0x30],
    }
}

pub fn smki_insert_refuses_a_serial_already_lodged_and_put_replaces_it<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    let eui = Eui64::from_u64(0x00DB_1234_5678_90A0);
    let first = smki_cert("AB", eui, CertUsage::DigitalSigning);
    let mut second = smki_cert("AB", eui, CertUsage::KeyAgreement);
    second.der = vec![0x31];
    s.smki_transaction(|tx| tx.insert_certificate(&first))
        .unwrap();
    let e = s.smki_transaction(|tx| tx.insert_certificate(&second));
    assert!(e.is_err());
    let now = s.smki_transaction(|tx| tx.certificate("AB")).unwrap();
    assert_eq!(now, Some(first), "the lodged certificate is left as it was");
    s.smki_transaction(|tx| tx.put_certificate(&second))
        .unwrap();
    let now = s.smki_transaction(|tx| tx.certificate("AB")).unwrap();
    assert_eq!(now, Some(second));
}

pub fn smki_cas_and_certificates_round_trip_and_roll_back<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    let eui = Eui64::from_u64(0x00DB_1234_5678_90A0);
    let id = s
        .smki_transaction(|tx| -> Result<i64, SmkiStoreError> {
            let id = tx.put_ca(&ca(CaKind::Dca))?;
            tx.put_ca(&ca(CaKind::Oca))?;
            tx.put_certificate(&smki_cert("AB", eui, CertUsage::DigitalSigning))?;
            tx.put_certificate(&smki_cert("CD", eui, CertUsage::KeyAgreement))?;
            Ok(id)
        })
        .unwrap();
    s.smki_transaction(|tx| -> Result<(), SmkiStoreError> {
        let mut c = tx.ca(id)?.unwrap();
        assert!(c.is_current());
        assert_eq!(tx.cas(CaKind::Dca, Environment::Live)?.len(), 1);
        assert!(tx.cas(CaKind::Dca, Environment::Test)?.is_empty());
        assert_eq!(
            tx.current_ca(CaKind::Dca, Environment::Live)?.map(|c| c.id),
            Some(id)
        );
        c.key_pkcs8 = None;
        c.issued_count = 7;
        tx.update_ca(&c)?;
        assert_eq!(tx.ca(id)?, Some(c.clone()));
        let mut missing = c;
        missing.id += 1_000;
        assert!(tx.update_ca(&missing).is_err());
        Ok(())
    })
    .unwrap();
    s.smki_transaction(|tx| -> Result<(), SmkiStoreError> {
        assert_eq!(tx.certificates_of(eui, Environment::Live, None)?.len(), 2);
        assert!(tx.certificates_of(eui, Environment::Test, None)?.is_empty());
        let ka = tx.certificates_of(eui, Environment::Live, Some(CertUsage::KeyAgreement))?;
        assert_eq!(ka, [smki_cert("CD", eui, CertUsage::KeyAgreement)]);
        tx.set_certificate_status("AB", CertStatus::NotInUse)?;
        let serials: Vec<String> = tx
            .certificates_by_subject(eui)?
            .into_iter()
            .map(|c| c.serial)
            .collect();
        assert_eq!(serials, ["AB", "CD"]);
        assert_eq!(
            tx.certificates_of_kind(Environment::Live, CertKind::Device)?
                .len(),
            2
        );
        Ok(())
    })
    .unwrap();
    assert!(
        s.smki_transaction(|tx| tx.set_certificate_status("EF", CertStatus::NotInUse))
            .is_err()
    );
    // A failed transaction leaves nothing behind.
    let r = s.smki_transaction(|tx| -> Result<(), SmkiStoreError> {
        tx.set_certificate_status("AB", CertStatus::Revoked)?;
        Err(SmkiStoreError("abandon".into()))
    });
    assert!(r.is_err());
    let c = s
        .smki_transaction(|tx| tx.certificate("AB"))
        .unwrap()
        .unwrap();
    assert_eq!(c.status, CertStatus::NotInUse);
    // Revoked ones are listed by serial.
    s.smki_transaction(|tx| -> Result<(), SmkiStoreError> {
        tx.set_certificate_status("CD", CertStatus::Revoked)?;
        let revoked = tx.revoked_certificates(Environment::Live, CertKind::Device)?;
        assert_eq!(revoked.len(), 1);
        assert_eq!(revoked[0].serial, "CD");
        Ok(())
    })
    .unwrap();
    // A test certificate's key is known to the gateway as one.
    let mut test = smki_cert("EE", eui, CertUsage::DigitalSigning);
    test.environment = Environment::Test;
    test.public_key = vec![7; 65];
    s.smki_transaction(|tx| tx.put_certificate(&test)).unwrap();
    assert!(
        s.read(|tx| Ok(tx.is_test_certificate_key(&[7; 65])?))
            .unwrap()
    );
    assert!(
        !s.read(|tx| Ok(tx.is_test_certificate_key(&[4; 65])?))
            .unwrap()
    );
}

pub fn smki_the_latest_published_revocation_list_is_served_per_kind_and_environment<S: TestStore>(
    s: &S,
) where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    s.smki_transaction(|tx| -> Result<(), SmkiStoreError> {
        let ca = |environment| CaRecord {
            id: 0,
            kind: CaKind::Oca,
            environment,
            cert_der: vec![0x30, 0x00],
            key_pkcs8: None,
            created_at: 0,
            issued_count: 0,
            retired_at: None,
            destroyed_at: None,
            destruction_record: None,
        };
        let live = tx.put_ca(&ca(Environment::Live))?;
        let test = tx.put_ca(&ca(Environment::Test))?;
        let list = |kind, environment, issuer_ca, number: u64, der: &[u8]| RevocationList {
            id: 0,
            kind,
            environment,
            issuer_ca,
            number,
            this_update: 1_000 * i64::try_from(number).unwrap_or(0),
            next_update: 1_000_000,
            der: der.to_vec(),
        };
        let der_of = |l: Option<RevocationList>| l.map(|l| l.der);
        assert_eq!(
            der_of(tx.latest_revocation_list(ListKind::Crl, Environment::Live)?),
            None
        );
        tx.put_revocation_list(&list(ListKind::Crl, Environment::Live, live, 1, b"one"))?;
        let two =
            tx.put_revocation_list(&list(ListKind::Crl, Environment::Live, live, 2, b"two"))?;
        tx.put_revocation_list(&list(ListKind::Arl, Environment::Test, test, 1, b"arl"))?;
        let mut expected = list(ListKind::Crl, Environment::Live, live, 2, b"two");
        expected.id = two;
        assert_eq!(
            tx.latest_revocation_list(ListKind::Crl, Environment::Live)?,
            Some(expected)
        );
        assert_eq!(
            der_of(tx.latest_revocation_list(ListKind::Arl, Environment::Live)?),
            None
        );
        assert_eq!(
            der_of(tx.latest_revocation_list(ListKind::Arl, Environment::Test)?),
            Some(b"arl".to_vec())
        );
        Ok(())
    })
    .unwrap();
}

pub fn smki_subscribers_batches_and_forecasts<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    let sub = |n: u64| Subscriber {
        eui: Eui64::from_u64(n),
        kind: PartyKind::SecParty,
        name: format!("party {n}"),
        admitted_at: 5,
        admitted_by: "ops".into(),
        evidence: "letter".into(),
    };
    let (a, b) = (Eui64::from_u64(0x20), Eui64::from_u64(0x10));
    s.smki_transaction(|tx| -> Result<(), SmkiStoreError> {
        tx.put_subscriber(&sub(0x20))?;
        tx.put_subscriber(&sub(0x10))?;
        assert_eq!(tx.subscriber(a)?, Some(sub(0x20)));
        assert_eq!(tx.subscriber(Eui64::from_u64(0x30))?, None);
        assert_eq!(tx.subscribers()?, [sub(0x10), sub(0x20)], "by EUI");
        Ok(())
    })
    .unwrap();
    assert!(
        s.smki_transaction(|tx| tx.put_subscriber(&sub(0x20)))
            .is_err(),
        "admitted once"
    );
    let batch = BatchRecord {
        id: 0,
        subscriber: a,
        environment: Environment::Live,
        submitted_at: 7,
        total: 3,
        done: 0,
        issued: 0,
        refused: 0,
        finished_at: None,
    };
    let csrs = vec![vec![1u8], vec![2u8], vec![3u8]];
    let id = s
        .smki_transaction(|tx| tx.put_batch(&batch, &csrs))
        .unwrap();
    s.smki_transaction(|tx| -> Result<(), SmkiStoreError> {
        let mut stored = tx.batch(id)?.unwrap();
        let mut expected = batch.clone();
        expected.id = id;
        assert_eq!(stored, expected);
        assert_eq!(tx.unfinished_batches()?, [id]);
        assert_eq!(
            tx.pending_batch_items(id, 2)?,
            [(0, vec![1u8]), (1, vec![2u8])]
        );
        tx.set_batch_item(id, 0, &ItemOutcome::Issued("AB".into()))?;
        tx.set_batch_item(id, 1, &ItemOutcome::Refused("no".into()))?;
        assert_eq!(tx.pending_batch_items(id, 10)?, [(2, vec![3u8])]);
        let results: Vec<ItemOutcome> = tx
            .batch_results(id)?
            .into_iter()
            .map(|r| r.outcome)
            .collect();
        assert_eq!(
            results,
            [
                ItemOutcome::Issued("AB".into()),
                ItemOutcome::Refused("no".into()),
                ItemOutcome::Pending
            ]
        );
        stored.done = 3;
        stored.issued = 2;
        stored.refused = 1;
        stored.finished_at = Some(99);
        tx.update_batch(&stored)?;
        assert_eq!(tx.batch(id)?, Some(stored.clone()));
        assert!(tx.unfinished_batches()?.is_empty());
        stored.id += 1_000;
        assert!(tx.update_batch(&stored).is_err());
        Ok(())
    })
    .unwrap();
    let m = |year, month| YearMonth { year, month };
    s.smki_transaction(|tx| -> Result<(), SmkiStoreError> {
        tx.put_forecast(a, m(2026, 2), 10, 1)?;
        tx.put_forecast(a, m(2026, 1), 5, 1)?;
        tx.put_forecast(b, m(2026, 3), 1, 1)?;
        tx.put_forecast(a, m(2026, 2), 12, 2)?;
        assert_eq!(
            tx.forecasts()?,
            [(b, m(2026, 3), 1), (a, m(2026, 1), 5), (a, m(2026, 2), 12)]
        );
        // Device certificates issued per subscriber and month (UTC).
        let issued = |serial: &str, subscriber, at: i64, env| {
            let mut c = smki_cert(serial, Eui64::from_u64(7), CertUsage::DigitalSigning);
            c.subscriber = Some(subscriber);
            c.issued_at = at;
            c.environment = env;
            c
        };
        let jan = 1_767_225_600_000; // 2026-01-01T00:00:00Z
        tx.insert_certificate(&issued("01", a, jan - 1, Environment::Live))?;
        tx.insert_certificate(&issued("02", a, jan, Environment::Live))?;
        tx.insert_certificate(&issued("03", a, jan + 1_000, Environment::Live))?;
        tx.insert_certificate(&issued("04", b, jan, Environment::Live))?;
        tx.insert_certificate(&issued("05", b, jan, Environment::Test))?;
        assert_eq!(
            tx.device_certs_issued_by_month(Environment::Live)?,
            [(b, m(2026, 1), 1), (a, m(2025, 12), 1), (a, m(2026, 1), 2)]
        );
        Ok(())
    })
    .unwrap();
}

pub fn smki_gateway_copies_participants_and_the_audit_log<S: TestStore>(s: &S)
where
    for<'t> <S as Store>::Tx<'t>: EmulatorTx,
{
    s.transaction(|tx| {
        tx.put_user(&user(1))?;
        tx.put_device(&device(7))?;
        tx.put_org_cert(&OrgCertRecord {
            serial: "123".into(),
            issuer: "CN=OCA".into(),
            subject_eui: Eui64::from_u64(1),
            role: 3,
            public_key: vec![4; 65],
            der: vec![0x30],
            revoked: false,
        })?;
        Ok(())
    })
    .unwrap();
    s.smki_transaction(|tx| -> Result<(), SmkiStoreError> {
        assert_eq!(tx.dcc_user(Eui64::from_u64(1))?, Some(user(1)));
        assert_eq!(tx.smi_device(Eui64::from_u64(7))?, Some(device(7)));
        assert_eq!(tx.smi_premises("100")?, None);
        assert!(tx.smi_registrations("1900000000001")?.is_empty());
        assert!(tx.mark_gateway_cert_revoked("123")?);
        assert!(!tx.mark_gateway_cert_revoked("123")?, "already revoked");
        assert!(!tx.mark_gateway_cert_revoked("124")?);
        assert_eq!(
            tx.set_participant_suspended(Eui64::from_u64(1), true)?,
            Some(false)
        );
        assert_eq!(
            tx.set_participant_suspended(Eui64::from_u64(1), true)?,
            Some(true)
        );
        assert_eq!(
            tx.set_participant_suspended(Eui64::from_u64(2), true)?,
            None
        );
        tx.append_audit(&AuditEntry::new(
            1,
            "pma",
            "suspend",
            "00-00-00-00-00-00-00-01",
        ))?;
        let mut second = AuditEntry::new(2, "pma", "revoke", "AB");
        second.reason = Some("compromise".into());
        second.detail = Some("d".into());
        tx.append_audit(&second)?;
        let log = tx.audit_log()?;
        assert_eq!(log.len(), 2);
        assert_eq!(log[1], second);
        Ok(())
    })
    .unwrap();
    s.transaction(|tx| {
        assert!(tx.org_cert("123")?.unwrap().revoked);
        assert!(tx.user(Eui64::from_u64(1))?.unwrap().suspended);
        Ok(())
    })
    .unwrap();
}
