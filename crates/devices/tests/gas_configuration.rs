//! 6.6 / 6.7 / 6.2.8 on the emulated GSME (GCS23, GCS24, GCS24a, GCS21a): a new GSME reads
//! the RTDS GCS21a SUCCESS values; what GCS23 and GCS24 / GCS24a write GCS21a reads back; a
//! fault answers like the RTDS ERROR vectors and changes nothing; a zero value is refused and
//! changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::{DeviceFault, DeviceKind, EmulatedDevice, Outcome};
use gbcs::usecases::gas_configuration::{GasConversion, GasFlow, SUPPLY_LOCKED, SUPPLY_UNCHANGED};
use gbcs::usecases::{self, CommandHeader, ResponseOutcome, ResponseValue};
use gbcs::{Cra, Frame};

fn header(w: &World, dev: &EmulatedDevice, counter: u64) -> CommandHeader {
    CommandHeader::new(w.supplier.eui, dev.eui(), counter)
}

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
    assert_same_structure(&bytes, &rtds(dir, file), file);
    match usecases::decode_response(cmd.message_code(), &resp.content).unwrap() {
        ResponseOutcome::Success(v) => v,
        f => panic!("{file}: {f:?}"),
    }
}

fn read(w: &World, dev: &mut EmulatedDevice, counter: u64) -> ResponseValue {
    let wan = w.wan(
        usecases::gcs21a_read_gas_configuration(&header(w, dev, counter)).unwrap(),
        dev,
    );
    run(
        w,
        dev,
        &wan,
        "6.2.8_GCS21a",
        "GCS21a_6.2.8_SUCCESS_RESPONSE_GBCS.HEX",
    )
}

fn rtds_read() -> ResponseValue {
    let b = rtds("6.2.8_GCS21a", "GCS21a_6.2.8_SUCCESS_RESPONSE_GBCS.HEX");
    let a = Frame::decode(&b).unwrap().apdu().clone();
    match usecases::decode_response(a.message_code(), &a.content).unwrap() {
        ResponseOutcome::Success(v) => v,
        f => panic!("{f:?}"),
    }
}

/// The attribute records of a GCS21a answer, per component.
fn records(v: &ResponseValue) -> Vec<Vec<u8>> {
    let ResponseValue::Components(cs) = v else {
        panic!("{v:?}")
    };
    cs.iter()
        .map(|c| match &c.body {
            gbcs::gbz::GbzBody::Plain { zcl, .. } => zcl.payload.clone(),
            b => panic!("{b:?}"),
        })
        .collect()
}

fn flow(threshold: u16, divisor: u16) -> GasFlow {
    GasFlow {
        issuer_event_id: 7,
        threshold,
        divisor,
        stabilisation_period: 60,
        measurement_period: 300,
        tamper_state: SUPPLY_LOCKED,
        depletion_state: SUPPLY_UNCHANGED,
    }
}

#[test]
fn a_new_gsme_reads_the_rtds_values() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    assert_eq!(read(&w, &mut dev, 1001), rtds_read());
}

#[test]
fn gcs23_and_gcs24_write_what_gcs21a_reads() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    let c = GasConversion {
        issuer_event_id: 7,
        conversion_factor: 102_264,
        calorific_value: 400,
    };
    let pre = usecases::gcs23_update_gas_conversion(&header(&w, &dev, 1002), &c).unwrap();
    let wan = w.critical(pre, &w.supplier, &dev);
    let v = run(
        &w,
        &mut dev,
        &wan,
        "6.6_GCS23",
        "GCS23_6.6_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(v, ResponseValue::Done);
    let f = flow(61_680, 10_000);
    let pre = usecases::gcs24a_update_gas_flow(&header(&w, &dev, 1003), &f).unwrap();
    let wan = w.critical(pre, &w.supplier, &dev);
    let v = run(
        &w,
        &mut dev,
        &wan,
        "6.7_GCS24a",
        "GCS24a_6.7_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(v, ResponseValue::Done);
    let r = records(&read(&w, &mut dev, 1004));
    // Price: CV trailing 0x10, unit 1, CV 400, CF trailing 0x50, CF 102264.
    let mut price = vec![
        0x06, 0x03, 0, 0x18, 0x10, 0x05, 0x03, 0, 0x30, 1, 0x04, 0x03, 0, 0x23,
    ];
    price.extend_from_slice(&400u32.to_le_bytes());
    price.extend_from_slice(&[0x03, 0x03, 0, 0x18, 0x50, 0x02, 0x03, 0, 0x23]);
    price.extend_from_slice(&102_264u32.to_le_bytes());
    assert_eq!(r[0], price);
    let mut metering = vec![0x13, 0x0B, 0, 0x21, 0x10, 0x27, 0x12, 0x0B, 0, 0x21, 1, 0];
    metering.extend_from_slice(&[0x11, 0x0B, 0, 0x30, 1, 0x10, 0x0B, 0, 0x21, 0xF0, 0xF0]);
    metering.extend_from_slice(&[0x14, 0x0B, 0, 0x20, 60, 0x15, 0x0B, 0, 0x21, 0x2C, 0x01]);
    assert_eq!(r[1], metering);
    assert_eq!(dev.state().config.site.gas.gas_flow, Some(f));
    assert_eq!(dev.state().config.site.gas.gas_conversion, Some(c));
}

#[test]
fn faults_fail_like_the_rtds_and_change_nothing() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    dev.state_mut().faults.insert(DeviceFault::ZclCommand {
        cluster: 0x0700,
        command: 0x03,
    });
    let c = GasConversion {
        issuer_event_id: 7,
        conversion_factor: 123_456,
        calorific_value: 123,
    };
    let pre = usecases::gcs23_update_gas_conversion(&header(&w, &dev, 1004), &c).unwrap();
    let wan = w.critical(pre, &w.supplier, &dev);
    let before = dev.state().config.clone();
    let reply = dev.handle(&wan, w.now);
    assert!(matches!(
        reply.outcome,
        Outcome::Executed { success: false, .. }
    ));
    assert_failure_like_rtds(
        &reply.response.unwrap(),
        "6.6_GCS23",
        "GCS23_6.6_ERROR_RESPONSE_GBCS.HEX",
    );
    assert_eq!(dev.state().config, before);
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    dev.state_mut()
        .faults
        .insert(DeviceFault::MeteringAttribute(0x0B14));
    let wan = w.wan(
        usecases::gcs21a_read_gas_configuration(&header(&w, &dev, 1003)).unwrap(),
        &dev,
    );
    let reply = dev.handle(&wan, w.now);
    assert!(matches!(
        reply.outcome,
        Outcome::Executed { success: false, .. }
    ));
    assert_failure_like_rtds(
        &reply.response.unwrap(),
        "6.2.8_GCS21a",
        "GCS21a_6.2.8_ERROR_RESPONSE_GBCS.HEX",
    );
}

#[test]
fn zero_values_are_refused_and_change_nothing() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    let before = dev.state().config.clone();
    let c = GasConversion {
        issuer_event_id: 7,
        conversion_factor: 0,
        calorific_value: 400,
    };
    let pre = usecases::gcs23_update_gas_conversion(&header(&w, &dev, 1002), &c).unwrap();
    let wan = w.critical(pre, &w.supplier, &dev);
    let reply = dev.handle(&wan, w.now);
    assert!(matches!(
        reply.outcome,
        Outcome::Executed { success: false, .. }
    ));
    let pre = usecases::gcs24_update_gas_flow(&header(&w, &dev, 1003), &flow(0, 1)).unwrap();
    let wan = w.critical(pre, &w.supplier, &dev);
    let reply = dev.handle(&wan, w.now);
    assert!(matches!(
        reply.outcome,
        Outcome::Executed { success: false, .. }
    ));
    assert_eq!(dev.state().config, before);
    assert_eq!(read(&w, &mut dev, 1004), rtds_read());
}
