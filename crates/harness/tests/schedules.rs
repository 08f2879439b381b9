//! DCC schedules end to end on the simulated clock: 5.1 Create Schedule, the DCC's scheduler
//! making each run at its time (4.16 Read Active Power Import on the ESME, answered as a
//! `DSPScheduledMessage` naming the schedule), 5.2 Read Schedule and 5.3 Delete Schedule for
//! the owner only, refusals that change nothing, crashes (nothing run twice, a missed run made
//! once) and the removal of a schedule whose owner is no longer registered (DCC alert).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use dcc::model::{Registration, RegistrationRole};
use dcc::store::Store as _;
use harness::{DCC_EUI, Delivered, Harness, Prepared, element_text, premises1, set_text};
use time::{Date, OffsetDateTime};

const SUPPLIER: &str = "supplier-a";
const OTHER_SUPPLIER: &str = "supplier-b";
const CREATE: &str = "ECS21a_5.1._DCC_SCHEDULED_REQUEST_DUIS.XML";
const READ: &str = "5.2_READ_SCHEDULE_REQUEST_DUIS.XML";
const DELETE: &str = "5.3_DELETE_SCHEDULE_REQUEST_DUIS.XML";
const DAY: Duration = Duration::from_secs(86_400);

/// The synchronous answer's code and document.
struct View {
    code: Option<String>,
    body: String,
}

impl View {
    fn of(a: &dcc::gateway::Answer) -> Self {
        Self {
            code: a.code.map(|c| c.as_str().to_string()),
            body: a.body.clone(),
        }
    }
}

/// A `CreateSchedule` body for 4.16 on premises 1's ESME (any variant / element given).
fn schedule_body(start: Date, exec: &str, srv: (&str, &str), element: &str) -> String {
    format!(
        "<sr:CreateSchedule><sr:ScheduleFrequency>Daily</sr:ScheduleFrequency>\
         <sr:ScheduleStartDate>{start}</sr:ScheduleStartDate>\
         <sr:ScheduleExecutionStartTime>{exec}</sr:ScheduleExecutionStartTime>\
         <sr:DSPScheduledServiceReference>{}</sr:DSPScheduledServiceReference>\
         <sr:DSPScheduledServiceReferenceVariant>{}</sr:DSPScheduledServiceReferenceVariant>\
         <sr:DeviceID>{}</sr:DeviceID>{element}</sr:CreateSchedule>",
        srv.0,
        srv.1,
        premises1::ESME
    )
}

fn power_body(start: Date, exec: &str) -> String {
    schedule_body(
        start,
        exec,
        ("4.16", "4.16"),
        "<sr:DSPReadActivePowerImport/>",
    )
}

fn with_body(xml: &str, open: &str, close: &str, body: &str) -> String {
    let a = xml.find(open).unwrap();
    let b = xml.find(close).unwrap() + close.len();
    format!("{}{body}{}", &xml[..a], &xml[b..])
}

fn create(h: &mut Harness, user: &str, body: &str) -> (Prepared, View) {
    let p = h.request(CREATE, user, &DCC_EUI.to_string());
    let xml = with_body(&p.xml, "<sr:CreateSchedule>", "</sr:CreateSchedule>", body);
    let signed = h.sign(user, &xml);
    let a = h.send(&signed);
    (p, View::of(&a))
}

fn by_id(h: &mut Harness, user: &str, template: &str, id: &str) -> View {
    let p = h.request(template, user, &DCC_EUI.to_string());
    let xml = set_text(&p.xml, "DSPScheduleID", id);
    let signed = h.sign(user, &xml);
    let a = h.send(&signed);
    View::of(&a)
}

fn tomorrow(h: &Harness) -> Date {
    h.now().date().next_day().unwrap()
}

/// The runs of schedule `id` delivered to `user`, in order.
fn runs(h: &Harness, user: &str, id: &str) -> Vec<Delivered> {
    h.delivered_to(user)
        .into_iter()
        .filter(|d| {
            d.kind == "response"
                && d.xml.contains("DSPScheduledMessage")
                && element_text(&d.xml, "DSPScheduleID").as_deref() == Some(id)
        })
        .collect()
}

fn schedules_in_store(h: &Harness) -> usize {
    h.store()
        .transaction(|tx| Ok(tx.due_schedules(i64::MAX, 1000)?))
        .unwrap()
        .len()
}

/// The moment `hh:mm` UTC on `d`.
fn at(d: Date, h: u8, m: u8) -> OffsetDateTime {
    d.with_hms(h, m, 0).unwrap().assume_utc()
}

fn advance_to(h: &mut Harness, t: OffsetDateTime) {
    let d = t - h.now();
    assert!(d.is_positive(), "{t} is not ahead of {}", h.now());
    h.advance(d.try_into().unwrap());
}

fn check_run(h: &Harness, d: &Delivered) {
    assert_eq!(d.code().as_deref(), Some("I0"));
    let rid = d.request_id().unwrap();
    let supplier = h.user_eui(SUPPLIER).to_string();
    assert!(
        rid.starts_with(&format!("{supplier}:{}:", premises1::ESME)),
        "{rid}"
    );
    assert_eq!(
        element_text(&d.xml, "ServiceReferenceVariant").as_deref(),
        Some("4.16")
    );
    // The device's ECS17c answer: the active power import, as the gbcs catalogue reads it.
    let frame = gbcs::Frame::decode(&d.gbcs_payload().unwrap()).unwrap();
    let apdu = frame.apdu();
    assert_eq!(apdu.message_code(), gbcs::MessageCode::ECS17C);
    let outcome = gbcs::usecases::decode_response(apdu.message_code(), &apdu.content).unwrap();
    assert!(
        matches!(
            outcome,
            gbcs::usecases::ResponseOutcome::Success(
                gbcs::usecases::ResponseValue::ActivePowerImport(_)
            )
        ),
        "{outcome:?}"
    );
}

#[test]
fn a_daily_schedule_runs_exactly_once_a_day() {
    let mut h = Harness::new_world();
    let start = tomorrow(&h);
    let (_, a) = create(&mut h, SUPPLIER, &power_body(start, "02:00:00Z"));
    assert_eq!(a.code.as_deref(), Some("I0"), "{}", a.body);
    let id = element_text(&a.body, "DSPScheduleID").unwrap();
    h.check_signed(&a.body);
    // Nothing before the start date.
    advance_to(&mut h, at(start, 1, 59));
    assert!(runs(&h, SUPPLIER, &id).is_empty());
    for day in 1..=3u32 {
        advance_to(
            &mut h,
            at(start, 2, 30) + time::Duration::days(i64::from(day) - 1),
        );
        let r = runs(&h, SUPPLIER, &id);
        assert_eq!(r.len(), day as usize, "day {day}");
        check_run(&h, r.last().unwrap());
    }
    // A whole day more in small steps: one more run.
    for _ in 0..24 {
        h.advance(Duration::from_secs(3600));
    }
    let r = runs(&h, SUPPLIER, &id);
    assert_eq!(r.len(), 4);
    let mut rids: Vec<String> = r.iter().map(|d| d.request_id().unwrap()).collect();
    rids.sort();
    rids.dedup();
    assert_eq!(rids.len(), 4, "each run has its own RequestID");
    // The user's own requests still go through after the runs took counters.
    let (_, a) = h.device_request(
        SUPPLIER,
        "ECS17c_4.16_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
    );
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"));
}

#[test]
fn a_restart_runs_nothing_twice_and_a_run_missed_while_down_once() {
    let mut h = Harness::new_world();
    let start = tomorrow(&h);
    let (_, a) = create(&mut h, SUPPLIER, &power_body(start, "02:00:00Z"));
    let id = element_text(&a.body, "DSPScheduleID").unwrap();
    // At the run's time the command is queued (and put on the air); the DCC crashes then.
    advance_to(&mut h, at(start, 2, 0));
    assert_eq!(h.pending_commands(), 1);
    h.restart();
    h.run_until_idle();
    assert_eq!(
        runs(&h, SUPPLIER, &id).len(),
        1,
        "answered once, not run again"
    );
    // Down from 03:00 on the first day until noon on the third: two runs fell due meanwhile.
    advance_to(&mut h, at(start, 3, 0));
    h.down_for(Duration::from_secs(2 * 86_400 + 9 * 3600));
    h.advance(Duration::from_secs(60));
    assert_eq!(
        runs(&h, SUPPLIER, &id).len(),
        2,
        "the missed runs made once"
    );
    // And the timetable carries on.
    advance_to(&mut h, at(start, 2, 30) + time::Duration::days(3));
    let r = runs(&h, SUPPLIER, &id);
    assert_eq!(r.len(), 3);
    for d in &r {
        check_run(&h, d);
    }
}

#[test]
fn only_the_owner_reads_or_deletes_a_schedule() {
    let mut h = Harness::new_world();
    let start = tomorrow(&h);
    let body = power_body(start, "04:00:00Z");
    let (_, a) = create(&mut h, SUPPLIER, &body);
    let id = element_text(&a.body, "DSPScheduleID").unwrap();

    let other = by_id(&mut h, OTHER_SUPPLIER, READ, &id);
    assert_eq!(other.code.as_deref(), Some("E050202"), "{}", other.body);
    assert!(!other.body.contains("DSPScheduleDetails"));
    let other = by_id(&mut h, OTHER_SUPPLIER, DELETE, &id);
    assert_eq!(other.code.as_deref(), Some("E050302"));

    let own = by_id(&mut h, SUPPLIER, READ, &id);
    assert_eq!(own.code.as_deref(), Some("I0"), "{}", own.body);
    h.check_signed(&own.body);
    assert_eq!(element_text(&own.body, "DSPScheduleID"), Some(id.clone()));
    assert_eq!(
        element_text(&own.body, "ScheduleStartDate"),
        Some(start.to_string())
    );
    assert_eq!(
        element_text(&own.body, "DeviceID").as_deref(),
        Some(premises1::ESME)
    );

    // The other user's delete changed nothing: the schedule still runs.
    advance_to(&mut h, at(start, 4, 30));
    assert_eq!(runs(&h, SUPPLIER, &id).len(), 1);

    let del = by_id(&mut h, SUPPLIER, DELETE, &id);
    assert_eq!(del.code.as_deref(), Some("I0"));
    h.advance(3 * DAY);
    assert_eq!(runs(&h, SUPPLIER, &id).len(), 1, "no run after the delete");
    assert_eq!(
        by_id(&mut h, SUPPLIER, READ, &id).code.as_deref(),
        Some("E050201")
    );
    assert_eq!(
        by_id(&mut h, SUPPLIER, DELETE, &id).code.as_deref(),
        Some("E050301")
    );
}

#[test]
fn bad_schedules_are_refused_and_change_nothing() {
    let mut h = Harness::new_world();
    let today = h.now().date();
    let yesterday = today.previous_day().unwrap();
    let cases = [
        // A start date in the past.
        (power_body(yesterday, "02:00:00Z"), "E050102"),
        // An end date before the start.
        (
            power_body(tomorrow(&h), "02:00:00Z").replace(
                "</sr:ScheduleStartDate>",
                &format!("</sr:ScheduleStartDate><sr:ScheduleEndDate>{today}</sr:ScheduleEndDate>"),
            ),
            "E050102",
        ),
        // A variant the DCC does not schedule (4.2 is not DCC-scheduled in the matrix).
        (
            schedule_body(
                tomorrow(&h),
                "02:00:00Z",
                ("4.2", "4.2"),
                "<sr:DSPReadInstantaneousExportRegisters/>",
            ),
            "E050101",
        ),
        // The element of another variant.
        (
            schedule_body(
                tomorrow(&h),
                "02:00:00Z",
                ("4.16", "4.16"),
                "<sr:DSPReadLoadLimitData/>",
            ),
            "E050101",
        ),
        // A reference that is not the variant's.
        (
            schedule_body(
                tomorrow(&h),
                "02:00:00Z",
                ("4.15", "4.16"),
                "<sr:DSPReadActivePowerImport/>",
            ),
            "E050101",
        ),
    ];
    for (body, code) in cases {
        let (_, a) = create(&mut h, SUPPLIER, &body);
        assert_eq!(a.code.as_deref(), Some(code), "{body}\n{}", a.body);
    }
    // A user not registered for the device: as the scheduled request itself would be (E4).
    let body = power_body(tomorrow(&h), "02:00:00Z");
    let (_, a) = create(&mut h, OTHER_SUPPLIER, &body);
    assert_eq!(a.code.as_deref(), Some("E4"), "{}", a.body);
    // A user whose roles may not send the variant (a gas transporter and 4.16): E2.
    let (_, a) = create(&mut h, "transporter", &body);
    assert_eq!(a.code.as_deref(), Some("E2"), "{}", a.body);
    assert_eq!(schedules_in_store(&h), 0);
    h.advance(2 * DAY);
    assert!(
        h.delivered_to(SUPPLIER)
            .iter()
            .all(|d| !d.xml.contains("DSPScheduledMessage"))
    );
}

#[test]
fn a_schedule_whose_owner_is_no_longer_registered_stops_with_a_dcc_alert() {
    let mut h = Harness::new_world();
    let start = tomorrow(&h);
    let (_, a) = create(&mut h, SUPPLIER, &power_body(start, "02:00:00Z"));
    let id = element_text(&a.body, "DSPScheduleID").unwrap();
    advance_to(&mut h, at(start, 3, 0));
    assert_eq!(runs(&h, SUPPLIER, &id).len(), 1);

    // Change of supplier: supplier-b is the import supplier from the day after.
    let change = start.next_day().unwrap();
    let a_eui = h.user_eui(SUPPLIER);
    let b_eui = h.user_eui(OTHER_SUPPLIER);
    h.store()
        .transaction(|tx| {
            for r in tx.registrations(premises1::MPAN)? {
                if r.role == RegistrationRole::ImportSupplier && r.party == a_eui {
                    tx.put_registration(&Registration {
                        to: Some(start),
                        ..r
                    })?;
                }
            }
            tx.put_registration(&Registration {
                mpxn: premises1::MPAN.into(),
                role: RegistrationRole::ImportSupplier,
                party: b_eui,
                from: change,
                to: None,
            })?;
            Ok(())
        })
        .unwrap();

    advance_to(&mut h, at(change, 3, 0));
    assert_eq!(
        runs(&h, SUPPLIER, &id).len(),
        1,
        "no run for a former supplier"
    );
    let alerts: Vec<Delivered> = h
        .delivered_to(SUPPLIER)
        .into_iter()
        .filter(|d| d.kind == "dcc-alert")
        .collect();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let alert = &alerts[0].xml;
    assert_eq!(element_text(alert, "DCCAlertCode").as_deref(), Some("N12"));
    assert!(alert.contains("DSPScheduleRemoval"));
    assert_eq!(element_text(alert, "DSPScheduleID"), Some(id.clone()));
    assert_eq!(
        element_text(alert, "DeviceID").as_deref(),
        Some(premises1::ESME)
    );
    assert_eq!(schedules_in_store(&h), 0);
    assert_eq!(
        by_id(&mut h, SUPPLIER, READ, &id).code.as_deref(),
        Some("E050201")
    );
    // Nothing more, ever.
    h.advance(3 * DAY);
    assert_eq!(runs(&h, SUPPLIER, &id).len(), 1);
    assert_eq!(
        h.delivered_to(SUPPLIER)
            .iter()
            .filter(|d| d.kind == "dcc-alert")
            .count(),
        1
    );
    assert!(
        h.delivered_to(OTHER_SUPPLIER)
            .iter()
            .all(|d| !d.xml.contains("DSPScheduled"))
    );
}
