//! 6.8 / 6.2.3 on the emulated ESME (ECS30, ECS30a, ECS26d, ECS26l): the calendar written is
//! the one read back, in the RTDS RESPONSE layouts; a DLMS fault on the schedule answers like
//! the RTDS ERROR vectors and changes nothing; entries outside the GBCS ranges are refused as
//! not supported and change nothing; the billing data log follows the written calendar.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::{DeviceFault, DeviceKind, EmulatedDevice, Outcome};
use gbcs::usecases::billing_calendar::{
    self, BillingTime, ElecBillingCalendar, ElecPeriodicity, ExecutionTime,
};
use gbcs::usecases::{self, CommandHeader, ResponseOutcome, ResponseValue};
use gbcs::{Cra, Frame, UtcDateTime};

fn header(w: &World, dev: &EmulatedDevice, counter: u64) -> CommandHeader {
    CommandHeader::new(w.supplier.eui, dev.eui(), counter)
}

fn cal(hour: u8, p: ElecPeriodicity) -> Vec<ExecutionTime> {
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

/// Feeds `wan`, expects success, checks the layout against the RTDS vector and returns the
/// decoded outcome.
fn run(w: &World, dev: &mut EmulatedDevice, wan: &[u8], dir: &str, file: &str) -> ResponseValue {
    let cmd = Frame::decode(wan).unwrap().apdu().clone();
    let reply = dev.handle(wan, w.now);
    assert_eq!(
        reply.outcome,
        Outcome::Executed {
            message_code: cmd.message_code(),
            success: true
        },
        "{file}"
    );
    let bytes = reply.response.unwrap();
    let resp = open(&bytes, dev, w.party(cmd.originator));
    assert_eq!(resp.cra, Cra::Response);
    assert_eq!(resp.counter, cmd.counter);
    assert_same_structure(&bytes, &rtds(dir, file), file);
    match usecases::decode_response(cmd.message_code(), &resp.content).unwrap() {
        ResponseOutcome::Success(v) => v,
        f => panic!("{file}: {f:?}"),
    }
}

/// ECS26l, or ECS26d for a one-entry calendar (the RTDS vectors' layouts).
fn read(w: &World, dev: &mut EmulatedDevice, counter: u64, one: bool) -> Vec<ExecutionTime> {
    let h = header(w, dev, counter);
    let (cmd, dir, file) = if one {
        (
            usecases::ecs26d_read_billing_calendar(&h),
            "6.2.3_ECS26d",
            "ECS26d_6.2.3_SUCCESS_RESPONSE_GBCS.HEX",
        )
    } else {
        (
            usecases::ecs26l_read_billing_calendar(&h),
            "6.2.3_ECS26l",
            "ECS26l_6.2.3_SUCCESS_RESPONSE_GBCS.HEX",
        )
    };
    let wan = w.wan(cmd, dev);
    match run(w, dev, &wan, dir, file) {
        ResponseValue::BillingCalendar(e) => e,
        v => panic!("{v:?}"),
    }
}

#[test]
fn a_new_esme_reads_monthly_on_the_first_at_midnight() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let wan = w.wan(
        usecases::ecs26d_read_billing_calendar(&header(&w, &dev, 1001)),
        &dev,
    );
    let v = run(
        &w,
        &mut dev,
        &wan,
        "6.2.3_ECS26d",
        "ECS26d_6.2.3_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(
        v,
        ResponseValue::BillingCalendar(cal(0, ElecPeriodicity::Monthly(1)))
    );
}

#[test]
fn ecs30_and_ecs30a_write_what_ecs26d_and_ecs26l_read() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let monthly = cal(12, ElecPeriodicity::Monthly(1));
    let pre = usecases::ecs30_set_billing_calendar(&header(&w, &dev, 1001), &monthly).unwrap();
    let wan = w.critical(pre, &w.supplier, &dev);
    let v = run(
        &w,
        &mut dev,
        &wan,
        "6.8_ECS30",
        "ECS30_6.8_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(v, ResponseValue::Done);
    assert_eq!(read(&w, &mut dev, 1002, true), monthly);
    assert_eq!(dev.state().billing_calendar.day_of_month, 1);

    let quarterly = cal(
        0,
        ElecPeriodicity::Quarterly {
            day: 15,
            start_month: 1,
        },
    );
    let pre = usecases::ecs30a_set_billing_calendar(&header(&w, &dev, 1003), &quarterly).unwrap();
    let wan = w.critical(pre, &w.supplier, &dev);
    let v = run(
        &w,
        &mut dev,
        &wan,
        "6.8_ECS30a",
        "ECS30a_6.8_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(v, ResponseValue::Done);
    assert_eq!(read(&w, &mut dev, 1004, false), quarterly);
    assert_eq!(dev.state().billing_calendar.period_months, 3);
    assert_eq!(dev.state().billing_calendar.day_of_month, 15);

    // Across a restart (the stored form).
    let body = devices::stored::encode_body(dev.state()).unwrap();
    let mut again = w.device(DeviceKind::Esme, ESME);
    let counters = devices::stored::encode_counters(dev.state()).unwrap();
    let restored = devices::stored::decode_state(&body, &counters, Default::default()).unwrap();
    *again.state_mut() = restored;
    assert_eq!(read(&w, &mut again, 1005, false), quarterly);
}

#[test]
fn a_faulty_schedule_fails_like_the_rtds_and_changes_nothing() {
    let w = World::new();
    let o = billing_calendar::OBJECT;
    let fault = DeviceFault::DlmsObject {
        class: o.class_id,
        obis: o.instance,
        attribute: o.index,
    };
    for (dir, file, set) in [
        (
            "6.8_ECS30",
            "ECS30_6.8_ERROR_RESPONSE_GBCS.HEX",
            Some(false),
        ),
        (
            "6.8_ECS30a",
            "ECS30a_6.8_ERROR_RESPONSE_GBCS.HEX",
            Some(true),
        ),
        ("6.2.3_ECS26d", "ECS26d_6.2.3_ERROR_RESPONSE_GBCS.HEX", None),
        ("6.2.3_ECS26l", "ECS26l_6.2.3_ERROR_RESPONSE_GBCS.HEX", None),
    ] {
        let mut dev = w.device(DeviceKind::Esme, ESME);
        dev.state_mut().faults.insert(fault);
        let h = header(&w, &dev, 1003);
        let wan = match set {
            Some(false) => w.critical(
                usecases::ecs30_set_billing_calendar(&h, &cal(0, ElecPeriodicity::Monthly(1)))
                    .unwrap(),
                &w.supplier,
                &dev,
            ),
            Some(true) => w.critical(
                usecases::ecs30a_set_billing_calendar(&h, &cal(0, ElecPeriodicity::Daily)).unwrap(),
                &w.supplier,
                &dev,
            ),
            None if dir.ends_with('d') => w.wan(usecases::ecs26d_read_billing_calendar(&h), &dev),
            None => w.wan(usecases::ecs26l_read_billing_calendar(&h), &dev),
        };
        let before = dev.state().config.clone();
        let cal_before = dev.state().billing_calendar;
        let reply = dev.handle(&wan, w.now);
        assert!(
            matches!(reply.outcome, Outcome::Executed { success: false, .. }),
            "{file}: {:?}",
            reply.outcome
        );
        assert_failure_like_rtds(&reply.response.unwrap(), dir, file);
        assert_eq!(dev.state().config, before, "{file}");
        assert_eq!(dev.state().billing_calendar, cal_before, "{file}");
    }
}

#[test]
fn entries_outside_the_gbcs_ranges_are_refused_and_change_nothing() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let good = cal(12, ElecPeriodicity::Monthly(1));
    for (i, (from, to)) in [
        ("0905FFFFFF01FF", "0905FFFFFF1DFF"), // day 29
        ("09040C000000", "091800000000"),     // not a 4-octet time
        ("09040C000000", "0904180000 00"),    // hour 24
        ("0905FFFFFF01FF", "0905FFFF0D01FF"), // month 13
        ("0905FFFFFF01FF", "0905FFFFFF0101"), // day of month and of week
    ]
    .into_iter()
    .enumerate()
    {
        let mut pre =
            usecases::ecs30_set_billing_calendar(&header(&w, &dev, 2000 + i as u64), &good)
                .unwrap();
        let hex = hex::encode_upper(&pre.content);
        assert!(hex.contains(from), "{from}");
        pre.content = hex::decode(hex.replace(from, &to.replace(' ', ""))).unwrap();
        let wan = w.critical(pre, &w.supplier, &dev);
        let before = dev.state().config.clone();
        let reply = dev.handle(&wan, w.now);
        assert!(
            matches!(reply.outcome, Outcome::NotSupported { .. }),
            "{to}: {:?}",
            reply.outcome
        );
        assert_eq!(dev.state().config, before, "{to}");
    }
}

#[test]
fn the_billing_log_follows_the_written_calendar() {
    let mut w = World::new();
    w.now = UtcDateTime::new(2015, 3, 10, 9, 0, 0).unwrap();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.state_mut().metering.installed_at =
        UtcDateTime::new(2015, 1, 5, 0, 0, 0).unwrap().to_unix();
    let pre = usecases::ecs30a_set_billing_calendar(
        &header(&w, &dev, 1001),
        &cal(12, ElecPeriodicity::Daily),
    )
    .unwrap();
    let wan = w.critical(pre, &w.supplier, &dev);
    run(
        &w,
        &mut dev,
        &wan,
        "6.8_ECS30a",
        "ECS30a_6.8_SUCCESS_RESPONSE_GBCS.HEX",
    );
    let gas = &dev.state().config.site.gas;
    let now = UtcDateTime::new(2015, 3, 12, 13, 0, 0).unwrap().to_unix();
    let installed = dev.state().metering.installed_at;
    let t = |d: u8, h: u8| UtcDateTime::new(2015, 3, d, h, 0, 0).unwrap().to_unix();
    let all = gas.billing_captures(
        dev.state().billing_calendar,
        installed,
        now,
        i64::MIN,
        i64::MAX,
        12,
    );
    let feb = UtcDateTime::new(2015, 2, 1, 0, 0, 0).unwrap().to_unix();
    assert_eq!(all, vec![feb, t(1, 0), t(10, 12), t(11, 12), t(12, 12)]);
}

// ---------------------------------------------------------------------------------------------
// The GSME: GCS25, GCS25a, GCS21d, GCS21k.

use gbcs::usecases::gas_billing_calendar::{GasBillingPeriod, GasPeriodicity};

fn read_gas(w: &World, dev: &mut EmulatedDevice, counter: u64) -> GasBillingPeriod {
    let wan = w.wan(
        usecases::gcs21k_read_billing_calendar(&header(w, dev, counter)).unwrap(),
        dev,
    );
    match run(
        w,
        dev,
        &wan,
        "6.2.3_GCS21k",
        "GCS21k_6.2.3_SUCCESS_RESPONSE_GBCS.HEX",
    ) {
        ResponseValue::GasBillingPeriod(p) => p,
        v => panic!("{v:?}"),
    }
}

#[test]
fn gcs25_writes_what_gcs21k_reads_and_the_gas_billing_log_follows() {
    let mut w = World::new();
    w.now = UtcDateTime::new(2015, 3, 10, 9, 0, 0).unwrap();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    dev.state_mut().metering.installed_at =
        UtcDateTime::new(2015, 1, 5, 0, 0, 0).unwrap().to_unix();
    // Never written: monthly on the 1st at midnight.
    let p0 = read_gas(&w, &mut dev, 1000);
    assert_eq!(p0.periodicity(), Some(GasPeriodicity::Monthly));
    // Daily from 2015-03-10 06:00 UTC (06:00 local in March).
    let start = (UtcDateTime::new(2015, 3, 10, 6, 0, 0).unwrap().to_unix() - 946_684_800) as u32;
    let period = GasBillingPeriod::from_duis(0x1C37_4A80, start, GasPeriodicity::Daily);
    let pre = usecases::gcs25_set_billing_calendar(&header(&w, &dev, 1001), &period).unwrap();
    let wan = w.critical(pre, &w.supplier, &dev);
    let v = run(
        &w,
        &mut dev,
        &wan,
        "6.8_GCS25",
        "GCS25_6.8_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(v, ResponseValue::Done);
    assert_eq!(read_gas(&w, &mut dev, 1002), period);
    let t = |d: u8, h: u8| UtcDateTime::new(2015, 3, d, h, 0, 0).unwrap().to_unix();
    let all = dev.state().config.site.gas.billing_captures(
        dev.state().billing_calendar,
        dev.state().metering.installed_at,
        t(12, 7),
        i64::MIN,
        i64::MAX,
        12,
    );
    let feb = UtcDateTime::new(2015, 2, 1, 0, 0, 0).unwrap().to_unix();
    assert_eq!(all, vec![feb, t(1, 0), t(11, 6), t(12, 6)]);
}

#[test]
fn a_faulty_gsme_fails_like_the_rtds_and_changes_nothing() {
    let w = World::new();
    for (dir, file, command) in [
        ("6.8_GCS25", "GCS25_6.8_ERROR_RESPONSE_GBCS.HEX", 0x01),
        ("6.8_GCS25a", "GCS25a_6.8_ERROR_RESPONSE_GBCS.HEX", 0x01),
        ("6.2.3_GCS21d", "GCS21d_6.2.3_ERROR_RESPONSE_GBCS.HEX", 0x0B),
        ("6.2.3_GCS21k", "GCS21k_6.2.3_ERROR_RESPONSE_GBCS.HEX", 0x0B),
    ] {
        let mut dev = w.device(DeviceKind::Gsme, GSME);
        dev.state_mut().faults.insert(DeviceFault::ZclCommand {
            cluster: 0x0700,
            command,
        });
        let h = header(&w, &dev, 1003);
        let period = GasBillingPeriod::from_duis(1, 0, GasPeriodicity::Quarterly);
        let wan = match dir {
            "6.8_GCS25" => w.critical(
                usecases::gcs25_set_billing_calendar(&h, &period).unwrap(),
                &w.supplier,
                &dev,
            ),
            "6.8_GCS25a" => w.critical(
                usecases::gcs25a_set_billing_calendar(&h, &period).unwrap(),
                &w.supplier,
                &dev,
            ),
            "6.2.3_GCS21d" => w.wan(usecases::gcs21d_read_billing_calendar(&h).unwrap(), &dev),
            _ => w.wan(usecases::gcs21k_read_billing_calendar(&h).unwrap(), &dev),
        };
        let before = dev.state().config.clone();
        let reply = dev.handle(&wan, w.now);
        assert!(
            matches!(reply.outcome, Outcome::Executed { success: false, .. }),
            "{file}: {:?}",
            reply.outcome
        );
        assert_failure_like_rtds(&reply.response.unwrap(), dir, file);
        assert_eq!(dev.state().config, before, "{file}");
    }
}

#[test]
fn an_esme_does_not_take_the_gas_calendar_nor_a_gsme_the_electricity_one() {
    let w = World::new();
    let mut esme = w.device(DeviceKind::Esme, ESME);
    let period = GasBillingPeriod::from_duis(1, 0, GasPeriodicity::Monthly);
    let pre = usecases::gcs25a_set_billing_calendar(&header(&w, &esme, 1001), &period).unwrap();
    let wan = w.critical(pre, &w.supplier, &esme);
    let before = esme.state().config.clone();
    let reply = esme.handle(&wan, w.now);
    assert!(!matches!(
        reply.outcome,
        Outcome::Executed { success: true, .. }
    ));
    assert_eq!(esme.state().config, before);
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    let pre = usecases::ecs30a_set_billing_calendar(
        &header(&w, &gsme, 1001),
        &cal(0, ElecPeriodicity::Daily),
    )
    .unwrap();
    let wan = w.critical(pre, &w.supplier, &gsme);
    let before = gsme.state().config.clone();
    let reply = gsme.handle(&wan, w.now);
    assert!(!matches!(
        reply.outcome,
        Outcome::Executed { success: true, .. }
    ));
    assert_eq!(gsme.state().config, before);
}
