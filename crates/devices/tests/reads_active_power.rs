//! ECS17c (4.16 Read Active Power Import) on an emulated ESME: the answer has the RTDS
//! response's structure, decodes as a success, and reports the metering model's instantaneous
//! demand at the time of the read (changing with the load shape's half hour, zero once the
//! supply is disabled); a GSME does not hold the object.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::metering::Channel;
use devices::{DeviceKind, EmulatedDevice, Outcome};
use gbcs::usecases::{self, ActivePowerImport, CommandHeader, ResponseOutcome, ResponseValue};
use gbcs::{Frame, UtcDateTime};

const DIR: &str = "4.16_ECS17c";

fn read(
    w: &World,
    dev: &mut EmulatedDevice,
    counter: u64,
    at: UtcDateTime,
) -> (Vec<u8>, ResponseOutcome) {
    let cmd = usecases::ecs17c_read_active_power_import(&CommandHeader::new(
        w.supplier.eui,
        dev.eui(),
        counter,
    ));
    let wan = w.wan(cmd, dev);
    let reply = dev.handle(&wan, at);
    let bytes = reply.response.expect("a response");
    let resp = open(&bytes, dev, &w.supplier);
    assert_eq!(resp.counter, counter);
    let success = matches!(reply.outcome, Outcome::Executed { success: true, .. });
    let outcome = usecases::decode_response(resp.message_code(), &resp.content).unwrap();
    assert_eq!(success, !outcome.is_failure());
    (bytes, outcome)
}

fn power(o: &ResponseOutcome) -> ActivePowerImport {
    match o {
        ResponseOutcome::Success(ResponseValue::ActivePowerImport(p)) => *p,
        other => panic!("not an active power import: {other:?}"),
    }
}

fn at(h: u8, m: u8) -> UtcDateTime {
    UtcDateTime::new(2015, 1, 1, h, m, 0).unwrap()
}

#[test]
fn esme_reports_the_metering_models_demand_at_the_time_of_the_read() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let (bytes, o) = read(&w, &mut dev, 1000, at(3, 10));
    assert_same_structure(
        &bytes,
        &rtds(DIR, "ECS17c_4.16_SUCCESS_RESPONSE_GBCS.HEX"),
        "ECS17c",
    );
    let night = power(&o);
    let model = |t: UtcDateTime, d: &EmulatedDevice| {
        d.state()
            .metering
            .demand_w(Channel::ActiveImport, t.to_unix())
    };
    assert_eq!(night.power, model(at(3, 10), &dev));
    assert_eq!(
        (night.scaler, night.unit, night.second),
        (0, 27, night.power)
    );
    assert!(night.power > 0, "the supply flows from installation");
    let evening = power(&read(&w, &mut dev, 1001, at(18, 10)).1);
    assert_eq!(evening.power, model(at(18, 10), &dev));
    assert_ne!(
        evening.power, night.power,
        "the load shape differs by half hour"
    );
}

#[test]
fn no_demand_once_the_supply_is_disabled() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let pre = usecases::ecs43_disable_supply(&CommandHeader::new(w.supplier.eui, dev.eui(), 999));
    let wan = w.critical(pre, &w.supplier, &dev);
    let r = dev.handle(&wan, at(12, 0));
    assert!(matches!(r.outcome, Outcome::Executed { success: true, .. }));
    let p = power(&read(&w, &mut dev, 1000, at(12, 5)).1);
    assert_eq!(p.power, 0);
}

#[test]
fn a_gas_meter_does_not_hold_the_object() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    let cmd = usecases::ecs17c_read_active_power_import(&CommandHeader::new(
        w.supplier.eui,
        dev.eui(),
        1000,
    ));
    let wan = w.wan(cmd, &dev);
    let reply = dev.handle(&wan, at(3, 0));
    assert!(
        !matches!(reply.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        reply.outcome
    );
    if let Some(b) = reply.response {
        assert!(Frame::decode(&b).is_ok());
    }
}
