//! DUIS 6.5, 6.27, 6.2.1, 6.12, 6.2.5 on the emulated ESME: ECS29a–d write the voltage
//! configuration (ECS29a/b and ECS29e/f reset the voltage event counters), ECS34 the
//! instantaneous power thresholds, ECS26b / ECS26k / ECS26f read them back (the defaults before
//! any write). Each command built with its `gbcs` builder and MAC'd as the DCC does; the
//! response verified as its recipient would, shaped like the RTDS RESPONSE vector and decoded;
//! the state survives the stored form. A fault on the object the RTDS ERROR vector fails on
//! answers like that vector and changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::config::power_quality::{DEFAULT_PHASE, DEFAULT_POWER_THRESHOLDS, DEFAULT_RMS};
use devices::{DeviceFault, DeviceKind, EmulatedDevice, EventLog, Outcome};
use gbcs::axdr::Data;
use gbcs::dlms::CosemDescriptor;
use gbcs::usecases::voltage::{self, Variant};
use gbcs::usecases::{
    self, CommandHeader, Limit, PhaseVoltage, PowerThresholds, ResponseOutcome, ResponseValue,
    RmsVoltageSettings, VoltageConfig,
};
use gbcs::{Cra, Frame, GeneralSigning};

fn header(orig: &Party, dev: &EmulatedDevice, counter: u64) -> CommandHeader {
    CommandHeader::new(orig.eui, dev.eui(), counter)
}

/// Feeds `wan`; checks the outcome, the response's framing and its likeness to the RTDS
/// vector `dir/file`; returns the decoded outcome.
fn exchange(
    w: &World,
    dev: &mut EmulatedDevice,
    wan: &[u8],
    dir: &str,
    file: &str,
    success: bool,
) -> ResponseOutcome {
    let cmd = Frame::decode(wan).unwrap().apdu().clone();
    let reply = dev.handle(wan, w.now);
    assert_eq!(
        reply.outcome,
        Outcome::Executed {
            message_code: cmd.message_code(),
            success
        },
        "{file}"
    );
    let bytes = reply.response.expect("a response");
    let resp = open(&bytes, dev, w.party(cmd.originator));
    assert_eq!(resp.cra, Cra::Response);
    assert_eq!(resp.counter, cmd.counter);
    if success {
        assert_same_structure(&bytes, &rtds(dir, file), file);
        usecases::decode_response(cmd.message_code(), &resp.content).unwrap()
    } else {
        ResponseOutcome::Failure(assert_failure_like_rtds(&bytes, dir, file))
    }
}

fn config(phases: usize, base: u32) -> VoltageConfig {
    let l = |threshold| Limit {
        threshold,
        period: 60,
    };
    VoltageConfig {
        rms: RmsVoltageSettings {
            extreme_over: l(base + 60),
            extreme_under: l(base - 50),
            sag: l(base - 20),
            swell: l(base + 20),
        },
        phases: (0..phases as u32)
            .map(|p| PhaseVoltage {
                over: base + 30 + p,
                under: base - 30 - p,
                period: 900,
            })
            .collect(),
    }
}

fn read(w: &World, dev: &mut EmulatedDevice, uc: &str, counter: u64) -> Vec<Data> {
    let h = header(&w.network_operator, dev, counter);
    let (cmd, dir, file) = match uc {
        "ECS26b" => (
            usecases::ecs26b_read_voltage_configuration(&h).unwrap(),
            "6.2.1_ECS26b",
            "ECS26b_6.2.1_SUCCESS_RESPONSE_GBCS.HEX",
        ),
        "ECS26k" => (
            usecases::ecs26k_read_voltage_configuration(&h).unwrap(),
            "6.2.1_ECS26k",
            "ECS26k_6.2.1_SUCCESS_RESPONSE_GBCS.HEX",
        ),
        _ => (
            usecases::ecs26f_read_power_thresholds(&CommandHeader::new(
                w.supplier.eui,
                dev.eui(),
                counter,
            ))
            .unwrap(),
            "6.2.5_ECS26f",
            "ECS26f_6.2.5_SUCCESS_RESPONSE_GBCS.HEX",
        ),
    };
    let wan = w.wan(cmd, dev);
    match exchange(w, dev, &wan, dir, file, true) {
        ResponseOutcome::Success(ResponseValue::DlmsValues(v)) => v,
        other => panic!("{uc}: {other:?}"),
    }
}

fn u32s(v: &[u32]) -> Vec<Data> {
    v.iter().map(|x| Data::DoubleLongUnsigned(*x)).collect()
}

fn limiters(r: &RmsVoltageSettings) -> Vec<u32> {
    r.limits()
        .iter()
        .flat_map(|l| [l.threshold, l.period])
        .collect()
}

fn poly(rms: &RmsVoltageSettings, p: &[PhaseVoltage]) -> Vec<Data> {
    let mut v = limiters(rms);
    v.extend([
        p[0].over, p[0].under, p[1].under, p[1].over, p[2].under, p[2].over,
    ]);
    u32s(&v)
}

fn reloaded(dev: &EmulatedDevice) -> devices::DeviceState {
    let s = dev.state();
    let body = devices::stored::encode_body(s).unwrap();
    let counters = devices::stored::encode_counters(s).unwrap();
    devices::stored::decode_state(&body, &counters, EventLog::default()).unwrap()
}

#[test]
fn reads_answer_the_defaults_before_any_write() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let mut single = limiters(&DEFAULT_RMS);
    single.extend([DEFAULT_PHASE.over, DEFAULT_PHASE.under]);
    assert_eq!(read(&w, &mut dev, "ECS26b", 1000), u32s(&single));
    assert_eq!(
        read(&w, &mut dev, "ECS26k", 1001),
        poly(&DEFAULT_RMS, &[DEFAULT_PHASE; 3])
    );
    assert_eq!(
        read(&w, &mut dev, "ECS26f", 1002),
        vec![Data::Array(u32s(&[
            DEFAULT_POWER_THRESHOLDS.low_medium,
            DEFAULT_POWER_THRESHOLDS.medium_high
        ]))]
    );
}

#[test]
fn each_voltage_write_is_read_back_and_survives_the_stored_form() {
    for (v, dir) in [
        (Variant::Ecs29a, "6.5_ECS29a"),
        (Variant::Ecs29b, "6.5_ECS29b"),
        (Variant::Ecs29c, "6.5_ECS29c"),
        (Variant::Ecs29d, "6.5_ECS29d"),
    ] {
        let w = World::new();
        let mut dev = w.device(DeviceKind::Esme, ESME);
        dev.state_mut().reads.network.sags = [3, 4, 5];
        dev.state_mut().reads.network.swells = [6, 7, 8];
        let c = config(v.phases(), 240);
        let cmd =
            voltage::set_voltage_command(&header(&w.network_operator, &dev, 1200), v, &c).unwrap();
        let wan = w.wan(cmd, &dev);
        let file = format!("{}_6.5_SUCCESS_RESPONSE_GBCS.HEX", v.name());
        assert_eq!(
            exchange(&w, &mut dev, &wan, dir, &file, true),
            ResponseOutcome::Success(ResponseValue::Done)
        );
        let mut phases = [DEFAULT_PHASE; 3];
        phases[..c.phases.len()].copy_from_slice(&c.phases);
        assert_eq!(read(&w, &mut dev, "ECS26k", 1201), poly(&c.rms, &phases));
        let mut single = limiters(&c.rms);
        single.extend([c.phases[0].over, c.phases[0].under]);
        assert_eq!(read(&w, &mut dev, "ECS26b", 1202), u32s(&single));
        let pq = &dev.state().config.power_quality;
        assert_eq!(pq.phases, phases);
        // ECS29a resets L1's counters, ECS29b every phase's; ECS29c/d keep them.
        let n = &dev.state().reads.network;
        let expected = match v {
            Variant::Ecs29a => ([0, 4, 5], [0, 7, 8]),
            Variant::Ecs29b => ([0; 3], [0; 3]),
            _ => ([3, 4, 5], [6, 7, 8]),
        };
        assert_eq!((n.sags, n.swells), expected, "{v:?}");
        assert_eq!(reloaded(&dev).config, dev.state().config);
    }
}

#[test]
fn counter_resets_and_power_thresholds() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.state_mut().reads.network.sags = [3, 4, 5];
    dev.state_mut().reads.network.swells = [6, 7, 8];
    let before = dev.state().config.clone();
    let cmd = usecases::ecs29e_reset_rms_voltage_counters(&header(&w.network_operator, &dev, 1200));
    let wan = w.wan(cmd, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "6.27_ECS29e",
        "ECS29e_6.27_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    let n = &dev.state().reads.network;
    assert_eq!((n.sags, n.swells), ([0, 4, 5], [0, 7, 8]));
    let cmd = usecases::ecs29f_reset_rms_voltage_counters(&header(&w.network_operator, &dev, 1201));
    let wan = w.wan(cmd, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "6.27_ECS29f",
        "ECS29f_6.27_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    let n = &dev.state().reads.network;
    assert_eq!((n.sags, n.swells), ([0; 3], [0; 3]));
    assert_eq!(dev.state().config, before, "a reset changes no setting");

    let t = PowerThresholds {
        low_medium: 1000,
        medium_high: 7000,
    };
    let cmd = usecases::ecs34_set_power_thresholds(&header(&w.supplier, &dev, 1202), &t).unwrap();
    let wan = w.wan(cmd, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "6.12_ECS34",
        "ECS34_6.12_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    assert_eq!(
        read(&w, &mut dev, "ECS26f", 1203),
        vec![Data::Array(u32s(&[1000, 7000]))]
    );
    assert_eq!(reloaded(&dev).config.power_quality.power_thresholds, t);
}

fn fault(o: CosemDescriptor) -> DeviceFault {
    DeviceFault::DlmsObject {
        class: o.class_id,
        obis: o.instance,
        attribute: o.index,
    }
}

#[test]
fn faults_answer_like_the_rtds_errors_and_change_nothing() {
    type Build = Box<dyn Fn(&World, &EmulatedDevice) -> GeneralSigning>;
    let set = |v: Variant| -> Build {
        Box::new(move |w, d| {
            voltage::set_voltage_command(
                &header(&w.network_operator, d, 1200),
                v,
                &config(v.phases(), 240),
            )
            .unwrap()
        })
    };
    let cases: Vec<(&str, &str, CosemDescriptor, Build)> = vec![
        (
            "6.5_ECS29a",
            "ECS29a_6.5",
            Variant::Ecs29a.slots()[11].object(),
            set(Variant::Ecs29a),
        ),
        (
            "6.5_ECS29b",
            "ECS29b_6.5",
            Variant::Ecs29b.slots()[21].object(),
            set(Variant::Ecs29b),
        ),
        (
            "6.5_ECS29c",
            "ECS29c_6.5",
            Variant::Ecs29c.slots()[6].object(),
            set(Variant::Ecs29c),
        ),
        (
            "6.5_ECS29d",
            "ECS29d_6.5",
            Variant::Ecs29d.slots()[14].object(),
            set(Variant::Ecs29d),
        ),
        (
            "6.27_ECS29e",
            "ECS29e_6.27",
            voltage::RESET_SINGLE_PHASE[0].object(),
            Box::new(|w, d| {
                usecases::ecs29e_reset_rms_voltage_counters(&header(&w.network_operator, d, 1200))
            }),
        ),
        (
            "6.27_ECS29f",
            "ECS29f_6.27",
            voltage::RESET_POLY_PHASE[4].object(),
            Box::new(|w, d| {
                usecases::ecs29f_reset_rms_voltage_counters(&header(&w.network_operator, d, 1200))
            }),
        ),
        (
            "6.12_ECS34",
            "ECS34_6.12",
            voltage::POWER_THRESHOLDS,
            Box::new(|w, d| {
                usecases::ecs34_set_power_thresholds(
                    &header(&w.supplier, d, 1200),
                    &PowerThresholds {
                        low_medium: 1,
                        medium_high: 2,
                    },
                )
                .unwrap()
            }),
        ),
        (
            "6.2.1_ECS26b",
            "ECS26b_6.2.1",
            usecases::ecs26b::ITEMS[8].object(),
            Box::new(|w, d| {
                usecases::ecs26b_read_voltage_configuration(&header(&w.supplier, d, 1200)).unwrap()
            }),
        ),
        (
            "6.2.1_ECS26k",
            "ECS26k_6.2.1",
            usecases::ecs26k::ITEMS[12].object(),
            Box::new(|w, d| {
                usecases::ecs26k_read_voltage_configuration(&header(&w.supplier, d, 1200)).unwrap()
            }),
        ),
        (
            "6.2.5_ECS26f",
            "ECS26f_6.2.5",
            voltage::POWER_THRESHOLDS,
            Box::new(|w, d| {
                usecases::ecs26f_read_power_thresholds(&header(&w.supplier, d, 1200)).unwrap()
            }),
        ),
    ];
    for (dir, stem, object, build) in cases {
        let w = World::new();
        let mut dev = w.device(DeviceKind::Esme, ESME);
        dev.state_mut().reads.network.sags = [3, 4, 5];
        dev.state_mut().faults.insert(fault(object));
        let before = (
            dev.state().config.clone(),
            dev.state().reads.network.clone(),
        );
        let wan = w.wan(build(&w, &dev), &dev);
        let file = format!("{stem}_ERROR_RESPONSE_GBCS.HEX");
        exchange(&w, &mut dev, &wan, dir, &file, false);
        assert_eq!(
            (
                dev.state().config.clone(),
                dev.state().reads.network.clone()
            ),
            before,
            "{stem}: nothing changed"
        );
    }
}

#[test]
fn a_command_with_values_outside_the_rules_is_refused() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let good = config(1, 240);
    let cmd = voltage::set_voltage_command(
        &header(&w.network_operator, &dev, 1200),
        Variant::Ecs29c,
        &good,
    )
    .unwrap();
    // Swap the under- and over-voltage thresholds (requests 0 and 1) by hand.
    let mut req = gbcs::dlms::AccessRequest::decode(&cmd.content).unwrap();
    req.data.swap(0, 1);
    let mut bad = cmd.clone();
    bad.content = req.encode();
    let before = dev.state().config.clone();
    let wan = w.wan(bad, &dev);
    let reply = dev.handle(&wan, w.now);
    assert!(
        !matches!(reply.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        reply.outcome
    );
    assert_eq!(dev.state().config, before);
}

#[test]
fn the_power_thresholds_set_the_band_an_ihd_shows() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    // Find an instant with some demand (the load shape's half hours differ).
    let t = (0..48)
        .map(|i| w.now.plus_seconds(i * 1800).unwrap())
        .find(|t| {
            dev.state_mut().config.power_quality.power_thresholds = PowerThresholds {
                low_medium: 1,
                medium_high: 2,
            };
            dev.power_band(*t) == 2
        })
        .expect("some demand in a day");
    dev.state_mut().config.power_quality.power_thresholds = PowerThresholds {
        low_medium: u32::MAX - 1,
        medium_high: u32::MAX,
    };
    assert_eq!(dev.power_band(t), 0);
    dev.state_mut().config.power_quality.power_thresholds = PowerThresholds {
        low_medium: 1,
        medium_high: u32::MAX,
    };
    assert_eq!(dev.power_band(t), 1);
}

#[test]
fn a_simulated_voltage_is_checked_against_the_thresholds_in_force() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    // 0x8002 on for the network operator's WAN alerts (off by default; DUIS 6.22, ECS25b).
    let wan = gbcs::usecases::AlertFilter::NetworkWan;
    let mut bits = dev.state().config.alert_behaviour.filter(wan);
    bits.set(0x02, true);
    dev.state_mut().config.alert_behaviour.set_filter(wan, bits);
    assert!(dev.set_simulated_voltage(Some(250), w.now));
    // Every evaluation for an hour: none crosses the defaults (over 264 V, swell 253 V).
    let mut t = w.now;
    let mut alerts = Vec::new();
    for _ in 0..120 {
        t = t.plus_seconds(30).unwrap();
        alerts.extend(dev.tick(t).unwrap());
    }
    assert!(alerts.is_empty());
    dev.state_mut().config.power_quality.phases[0].over = 245;
    for _ in 0..60 {
        t = t.plus_seconds(30).unwrap();
        alerts.extend(dev.tick(t).unwrap());
    }
    assert_eq!(alerts.len(), 1, "one alert for a lasting excursion");
    let a = gbcs::alerts::decode_alert(&alerts[0]).unwrap();
    assert_eq!(a.alert_code, gbcs::AlertCode(0x8002));
    assert_eq!(a.recipient, w.network_operator.eui);
    assert_eq!(dev.state().reads.network.swells[0], 1);
    // A GSME has no voltage to simulate.
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    assert!(!gsme.set_simulated_voltage(Some(250), w.now));
}
