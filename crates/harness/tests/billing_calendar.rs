//! 6.8 Update Device Configuration (Billing Calendar) and 6.2.3 Read Device Configuration
//! (Billing Calendar) on the ESME end to end on the simulated clock: the write goes through the
//! critical flow (CV 4 pre-command, the supplier's signature, CV 5), the meter keeps the
//! calendar, a 6.2.3 read returns what was written, across a restart of the DCC, and the
//! billing data log (4.4.3) then snapshots at the new calendar's instants. A calendar outside
//! the DUIS/GBCS ranges, or for the wrong fuel, is refused at once and changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use gbcs::usecases::billing_calendar::{
    BillingTime, ElecBillingCalendar, ElecPeriodicity, ExecutionTime,
};
use gbcs::usecases::{ResponseOutcome, ResponseValue};
use gbcs::{Frame, PublicKey};
use harness::{Delivered, Harness, premises1, set_text};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const SUPPLIER: &str = "supplier-a";
const SET: &str = "ECS30_6.8_SUCCESS_REQUEST_DUIS.XML";
const READ: &str = "ECS26d_6.2.3_SUCCESS_REQUEST_DUIS.XML";
const BILLING_LOG: &str = "ECS20c_4.4.3_SINGLE_SUCCESS_REQUEST_DUIS.XML";
const DAY: i64 = 86_400;

/// 6.8 from the ECS30 template with its calendar replaced by `calendar` (the
/// `ElectricityBillingCalendar`'s content): the critical flow, the meter's answer delivered.
fn set_calendar(h: &mut Harness, calendar: &str) -> Delivered {
    let p = h.request(SET, SUPPLIER, premises1::ESME);
    let xml = p.xml.replace(
        "<sr:BillingTime>12:00:00.00Z</sr:BillingTime>\n        <sr:Monthly>1</sr:Monthly>",
        calendar,
    );
    assert!(xml.contains(calendar));
    let a = h.send(&h.sign(SUPPLIER, &xml));
    h.return_signed_precommand(SUPPLIER, &p.rid, "6.8", &a);
    h.run_until_idle();
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .expect("the meter's answer");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    r
}

/// A 6.8 request the DCC refuses at once.
fn refused(h: &mut Harness, calendar: &str) {
    let p = h.request(SET, SUPPLIER, premises1::ESME);
    let xml = p.xml.replace(
        "<sr:ElectricityBillingCalendar>\n        <sr:BillingTime>12:00:00.00Z</sr:BillingTime>\n        <sr:Monthly>1</sr:Monthly>\n      </sr:ElectricityBillingCalendar>",
        calendar,
    );
    assert!(xml.contains(calendar));
    let a = h.send(&h.sign(SUPPLIER, &xml));
    assert_ne!(a.http_status, 200, "{calendar}: {}", a.body);
}

fn read_calendar(h: &mut Harness) -> Vec<ExecutionTime> {
    let (p, a) = h.device_request(SUPPLIER, READ, premises1::ESME);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    let r = h.response_for(SUPPLIER, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let apdu = Frame::decode(&r.gbcs_payload().unwrap())
        .unwrap()
        .apdu()
        .clone();
    // ECS26l to a GBCS 4.0 ESME (the world's), else ECS26d.
    assert!(matches!(
        apdu.message_code().use_case(),
        Some("ECS26d" | "ECS26l")
    ));
    match gbcs::usecases::decode_response(apdu.message_code(), &apdu.content).unwrap() {
        ResponseOutcome::Success(ResponseValue::BillingCalendar(e)) => e,
        other => panic!("{other:?}"),
    }
}

fn rfc3339(t: i64) -> String {
    OffsetDateTime::from_unix_timestamp(t)
        .unwrap()
        .format(&Rfc3339)
        .unwrap()
}

/// The billing data log's snapshot times in `[start, end]` (4.4.3, rendered as MMC with the
/// supplier's key).
fn billing_snapshots(h: &mut Harness, start: i64, end: i64) -> Vec<i64> {
    let p = h.request(BILLING_LOG, SUPPLIER, premises1::ESME);
    let xml = set_text(&p.xml, "StartDateTime", &rfc3339(start));
    let xml = set_text(&xml, "EndDateTime", &rfc3339(end));
    let a = h.send(&h.sign(SUPPLIER, &xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    let r = h.response_for(SUPPLIER, &p.rid).expect("a response");
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    let (_, ka) = h.user_ka(SUPPLIER);
    let device_ka = PublicKey::from_certificate_der(&h.device_cert(premises1::ESME, "ka")).unwrap();
    let rendered = mmc::render(
        &bytes,
        &mmc::Context {
            service_reference: Some("4.4.3"),
            service_reference_variant: Some("4.4.3"),
            keys: Some(mmc::Keys {
                requester_ka: &ka,
                device_ka: &device_ka,
            }),
        },
    )
    .unwrap();
    let entries = rendered
        .xml
        .split("ESMEBillingDataLogEntry>")
        .filter_map(|part| {
            let a = part.find("Timestamp>")? + "Timestamp>".len();
            let b = a + part[a..].find('<')?;
            Some(
                OffsetDateTime::parse(&part[a..b], &Rfc3339)
                    .unwrap()
                    .unix_timestamp(),
            )
        })
        .collect::<Vec<_>>();
    let mut v = entries;
    v.dedup();
    v
}

fn entries(hour: u8, p: ElecPeriodicity) -> Vec<ExecutionTime> {
    ElecBillingCalendar {
        time: BillingTime {
            hour,
            minute: 0,
            second: 0,
            hundredths: 0,
        },
        periodicity: p,
    }
    .entries()
    .unwrap()
}

#[test]
fn a_daily_calendar_is_read_back_across_a_restart_and_the_billing_log_follows_it() {
    let mut h = Harness::new_world();
    // A new meter: monthly on the 1st at local midnight.
    assert_eq!(
        read_calendar(&mut h),
        entries(0, ElecPeriodicity::Monthly(1))
    );
    h.advance_to_time_of_day(9 * 3600);
    let written_at = h.now().unix_timestamp();
    let r = set_calendar(
        &mut h,
        "<sr:BillingTime>12:00:00.00Z</sr:BillingTime><sr:Daily/>",
    );
    let apdu = Frame::decode(&r.gbcs_payload().unwrap())
        .unwrap()
        .apdu()
        .clone();
    assert!(matches!(
        apdu.message_code().use_case(),
        Some("ECS30" | "ECS30a")
    ));
    let daily = entries(12, ElecPeriodicity::Daily);
    assert_eq!(read_calendar(&mut h), daily);
    h.restart();
    assert_eq!(read_calendar(&mut h), daily, "after a restart");

    // Three days on (09:00 again): a snapshot at 12:00 on the day of the write and the two
    // after it (12:00 UK time: UTC in winter, an hour earlier in UTC in summer).
    h.advance(Duration::from_secs(3 * DAY as u64));
    let now = h.now().unix_timestamp();
    let snaps = billing_snapshots(&mut h, written_at, now);
    assert_eq!(snaps.len(), 3, "{snaps:?}");
    let day0 = written_at - written_at.rem_euclid(DAY);
    for (k, t) in snaps.iter().enumerate() {
        let noon = day0 + k as i64 * DAY + 12 * 3600;
        assert!(*t == noon || *t == noon - 3600, "{k}: {t} vs {noon}");
    }

    // Monthly on the 15th at midnight: read back, and the log's next snapshot is the 15th's.
    set_calendar(
        &mut h,
        "<sr:BillingTime>00:00:00.00Z</sr:BillingTime><sr:Monthly>15</sr:Monthly>",
    );
    assert_eq!(
        read_calendar(&mut h),
        entries(0, ElecPeriodicity::Monthly(15))
    );
    let changed_at = h.now().unix_timestamp();
    h.advance(Duration::from_secs(40 * DAY as u64));
    let now = h.now().unix_timestamp();
    let snaps = billing_snapshots(&mut h, changed_at, now);
    assert!(!snaps.is_empty());
    for t in &snaps {
        let d = OffsetDateTime::from_unix_timestamp(*t + 3600).unwrap();
        // Local midnight on the 15th: 00:00 UTC in winter, 23:00 UTC on the 14th in summer.
        assert!(
            (d.day() == 15 && d.hour() == 1) || (d.day() == 15 && d.hour() == 0),
            "{d}"
        );
    }
}

#[test]
fn bad_calendars_are_refused_and_change_nothing() {
    let mut h = Harness::new_world();
    let before = read_calendar(&mut h);
    for bad in [
        // Day 29 (DUIS BillingCalendarDayOfMonth is 1–28), day of week 8, hour 24.
        "<sr:ElectricityBillingCalendar><sr:BillingTime>00:00:00.00Z</sr:BillingTime><sr:Monthly>29</sr:Monthly></sr:ElectricityBillingCalendar>",
        "<sr:ElectricityBillingCalendar><sr:BillingTime>00:00:00.00Z</sr:BillingTime><sr:Weekly>8</sr:Weekly></sr:ElectricityBillingCalendar>",
        "<sr:ElectricityBillingCalendar><sr:BillingTime>24:00:00.00Z</sr:BillingTime><sr:Daily/></sr:ElectricityBillingCalendar>",
        // The gas calendar to an ESME.
        "<sr:GasBillingCalendar><sr:BillingPeriodStart>2015-02-01T00:00:00.00Z</sr:BillingPeriodStart><sr:Periodicity>Monthly</sr:Periodicity></sr:GasBillingCalendar>",
    ] {
        refused(&mut h, bad);
    }
    h.run_until_idle();
    assert_eq!(read_calendar(&mut h), before);
}

/// 6.8 on the GSME (GCS25/GCS25a) from its template with `Periodicity` set, then 6.2.3 back
/// (GCS21d/GCS21k).
fn gas_set(h: &mut Harness, periodicity: &str) {
    let p = h.request(
        "GCS25_6.8_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        premises1::GSME,
    );
    let xml = set_text(&p.xml, "Periodicity", periodicity);
    let a = h.send(&h.sign(SUPPLIER, &xml));
    h.return_signed_precommand(SUPPLIER, &p.rid, "6.8", &a);
    h.run_until_idle();
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .expect("the meter's answer");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
}

fn gas_read(h: &mut Harness) -> gbcs::usecases::gas_billing_calendar::GasBillingPeriod {
    let (p, a) = h.device_request(
        SUPPLIER,
        "GCS21d_6.2.3_SUCCESS_REQUEST_DUIS.XML",
        premises1::GSME,
    );
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    let r = h.response_for(SUPPLIER, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let apdu = Frame::decode(&r.gbcs_payload().unwrap())
        .unwrap()
        .apdu()
        .clone();
    match gbcs::usecases::decode_response(apdu.message_code(), &apdu.content).unwrap() {
        ResponseOutcome::Success(ResponseValue::GasBillingPeriod(p)) => p,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_gas_calendar_is_read_back_across_a_restart() {
    use gbcs::usecases::gas_billing_calendar::GasPeriodicity;
    let mut h = Harness::new_world();
    assert_eq!(
        gas_read(&mut h).periodicity(),
        Some(GasPeriodicity::Monthly)
    );
    gas_set(&mut h, "Weekly");
    let p = gas_read(&mut h);
    assert_eq!(p.periodicity(), Some(GasPeriodicity::Weekly));
    // 2015-02-01T00:00:00Z, the template's BillingPeriodStart, in ZigBee time.
    assert_eq!(p.start, 0x1C60_2900);
    h.restart();
    assert_eq!(gas_read(&mut h), p, "after a restart");
    gas_set(&mut h, "SixMonthly");
    assert_eq!(
        gas_read(&mut h).periodicity(),
        Some(GasPeriodicity::SixMonthly)
    );
}
