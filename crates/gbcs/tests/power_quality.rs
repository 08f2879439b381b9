//! DUIS 6.5 Update Device Configuration (Voltage) (ECS29a–d), 6.27 RMS Voltage Counter Reset
//! (ECS29e, ECS29f), 6.2.1 Read Device Configuration (Voltage) (ECS26b, ECS26k), 6.12 Update
//! Device Configuration (Instantaneous Power Threshold) (ECS34) and 6.2.5 its read (ECS26f):
//! each builder against the RTDS commands byte for byte (with the ACB MAC), every RTDS command
//! decoding strictly to its parameters, every RTDS response (SUCCESS and ERROR) decoding and
//! classifying, and values outside the rules refused by builder and decoder alike.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, apdu, check_command};
use gbcs::axdr::Data;
use gbcs::usecases::voltage::{self, Variant};
use gbcs::usecases::{
    self, CommandHeader, DecodedCommand, Failure, Limit, PhaseVoltage, PowerThresholds,
    ResponseOutcome, ResponseValue, RmsVoltageSettings, VoltageConfig, classify_response,
    decode_command, decode_response,
};
use gbcs::{Eui64, GeneralSigning};

const SUPPLIER: u64 = 0x90b3_d51f_3001_0000;
const NETWORK_OPERATOR: u64 = 0x90b3_d51f_3002_0000;
const ESME: u64 = 0x00db_1234_5678_90a0;

fn h(orig: u64, counter: u64) -> CommandHeader {
    CommandHeader::new(Eui64::from_u64(orig), Eui64::from_u64(ESME), counter)
}

fn limit(threshold: u32) -> Limit {
    Limit {
        threshold,
        period: 30,
    }
}

/// The RTDS settings (the DUIS templates' values).
fn rtds_config(phases: usize) -> VoltageConfig {
    let p = |over, under| PhaseVoltage {
        over,
        under,
        period: 30,
    };
    let mut all = vec![p(264, 200), p(126, 96), p(126, 96)];
    all.truncate(phases);
    VoltageConfig {
        rms: RmsVoltageSettings {
            extreme_over: limit(287),
            extreme_under: limit(180),
            sag: limit(216),
            swell: limit(253),
        },
        phases: all,
    }
}

fn thresholds() -> PowerThresholds {
    PowerThresholds {
        low_medium: 2300,
        medium_high: 4600,
    }
}

type Build = fn(&CommandHeader) -> GeneralSigning;

#[test]
fn builders_reproduce_the_rtds_commands() {
    let ks = Keystore::load();
    let sets: [(&str, Variant, [u64; 2]); 4] = [
        ("6.5_ECS29a", Variant::Ecs29a, [1203, 1204]),
        ("6.5_ECS29b", Variant::Ecs29b, [1203, 1204]),
        ("6.5_ECS29c", Variant::Ecs29c, [1200, 1202]),
        ("6.5_ECS29d", Variant::Ecs29d, [1200, 1202]),
    ];
    for (dir, v, counters) in sets {
        for (counter, kind) in counters.into_iter().zip(["SUCCESS", "ERROR"]) {
            let file = format!("{}_6.5_{kind}_COMMAND_GBCS.HEX", v.name());
            let c = rtds_config(v.phases());
            let b = voltage::set_voltage_command(&h(NETWORK_OPERATOR, counter), v, &c).unwrap();
            check_command(&ks, dir, &file, b);
        }
    }
    let resets: [(&str, &str, Build); 2] = [
        ("6.27_ECS29e", "ECS29e", |h| {
            usecases::ecs29e_reset_rms_voltage_counters(h)
        }),
        ("6.27_ECS29f", "ECS29f", |h| {
            usecases::ecs29f_reset_rms_voltage_counters(h)
        }),
    ];
    for (dir, name, build) in resets {
        for (counter, kind) in [(1200, "SUCCESS"), (1201, "ERROR")] {
            let file = format!("{name}_6.27_{kind}_COMMAND_GBCS.HEX");
            check_command(&ks, dir, &file, build(&h(NETWORK_OPERATOR, counter)));
        }
    }
    let reads: [(&str, &str, &str, [u64; 2], Build); 3] = [
        ("6.2.1_ECS26b", "ECS26b", "6.2.1", [1000, 1005], |h| {
            usecases::ecs26b_read_voltage_configuration(h).unwrap()
        }),
        ("6.2.1_ECS26k", "ECS26k", "6.2.1", [1000, 1002], |h| {
            usecases::ecs26k_read_voltage_configuration(h).unwrap()
        }),
        ("6.2.5_ECS26f", "ECS26f", "6.2.5", [1000, 1002], |h| {
            usecases::ecs26f_read_power_thresholds(h).unwrap()
        }),
    ];
    for (dir, name, srv, counters, build) in reads {
        for (counter, kind) in counters.into_iter().zip(["SUCCESS", "ERROR"]) {
            let file = format!("{name}_{srv}_{kind}_COMMAND_GBCS.HEX");
            check_command(&ks, dir, &file, build(&h(SUPPLIER, counter)));
        }
    }
    for (counter, kind) in [(1001, "SUCCESS"), (1002, "ERROR")] {
        let file = format!("ECS34_6.12_{kind}_COMMAND_GBCS.HEX");
        let b = usecases::ecs34_set_power_thresholds(&h(SUPPLIER, counter), &thresholds()).unwrap();
        check_command(&ks, "6.12_ECS34", &file, b);
    }
}

#[test]
fn rtds_commands_decode_to_their_parameters() {
    for kind in ["SUCCESS", "ERROR"] {
        let d = |dir: &str, name: &str, srv: &str| {
            decode_command(&apdu(dir, &format!("{name}_{srv}_{kind}_COMMAND_GBCS.HEX"))).unwrap()
        };
        assert_eq!(
            d("6.5_ECS29a", "ECS29a", "6.5"),
            DecodedCommand::Ecs29a(Box::new(rtds_config(1)))
        );
        assert_eq!(
            d("6.5_ECS29b", "ECS29b", "6.5"),
            DecodedCommand::Ecs29b(Box::new(rtds_config(3)))
        );
        assert_eq!(
            d("6.5_ECS29c", "ECS29c", "6.5"),
            DecodedCommand::Ecs29c(Box::new(rtds_config(1)))
        );
        assert_eq!(
            d("6.5_ECS29d", "ECS29d", "6.5"),
            DecodedCommand::Ecs29d(Box::new(rtds_config(3)))
        );
        assert_eq!(d("6.27_ECS29e", "ECS29e", "6.27"), DecodedCommand::Ecs29e);
        assert_eq!(d("6.27_ECS29f", "ECS29f", "6.27"), DecodedCommand::Ecs29f);
        assert_eq!(
            d("6.12_ECS34", "ECS34", "6.12"),
            DecodedCommand::Ecs34(thresholds())
        );
        assert!(matches!(
            d("6.2.1_ECS26b", "ECS26b", "6.2.1"),
            DecodedCommand::Ecs26b(r) if r.items.len() == 10 && r.period.is_none()
        ));
        assert!(matches!(
            d("6.2.1_ECS26k", "ECS26k", "6.2.1"),
            DecodedCommand::Ecs26k(r) if r.items.len() == 14 && r.period.is_none()
        ));
        assert!(matches!(
            d("6.2.5_ECS26f", "ECS26f", "6.2.5"),
            DecodedCommand::Ecs26f(r) if r.items.len() == 1
        ));
    }
}

fn u32s(v: &[u32]) -> Vec<Data> {
    v.iter().map(|x| Data::DoubleLongUnsigned(*x)).collect()
}

#[test]
fn rtds_responses_decode_and_classify() {
    let done = || ResponseOutcome::Success(ResponseValue::Done);
    let limiters = [287, 30, 180, 30, 216, 30, 253, 30];
    let cases: Vec<(&str, &str, ResponseOutcome, usize, u8)> = vec![
        ("6.5_ECS29a", "ECS29a_6.5", done(), 11, 1),
        ("6.5_ECS29b", "ECS29b_6.5", done(), 21, 1),
        ("6.5_ECS29c", "ECS29c_6.5", done(), 6, 1),
        ("6.5_ECS29d", "ECS29d_6.5", done(), 14, 1),
        ("6.27_ECS29e", "ECS29e_6.27", done(), 0, 1),
        ("6.27_ECS29f", "ECS29f_6.27", done(), 4, 1),
        ("6.12_ECS34", "ECS34_6.12", done(), 0, 1),
        (
            "6.2.1_ECS26b",
            "ECS26b_6.2.1",
            ResponseOutcome::Success(ResponseValue::DlmsValues(u32s(
                &[&limiters[..], &[264, 200]].concat(),
            ))),
            8,
            1,
        ),
        (
            "6.2.1_ECS26k",
            "ECS26k_6.2.1",
            ResponseOutcome::Success(ResponseValue::DlmsValues(u32s(
                &[&limiters[..], &[126, 96, 96, 126, 96, 126]].concat(),
            ))),
            12,
            1,
        ),
        (
            "6.2.5_ECS26f",
            "ECS26f_6.2.5",
            ResponseOutcome::Success(ResponseValue::DlmsValues(vec![Data::Array(u32s(&[
                2300, 4600,
            ]))])),
            0,
            1,
        ),
    ];
    for (dir, stem, success, index, result) in cases {
        let a = apdu(dir, &format!("{stem}_SUCCESS_RESPONSE_GBCS.HEX"));
        let code = a.message_code();
        assert_eq!(
            decode_response(code, &a.content).unwrap(),
            success,
            "{stem}"
        );
        assert!(!classify_response(code, &a.content).is_failure(), "{stem}");
        let a = apdu(dir, &format!("{stem}_ERROR_RESPONSE_GBCS.HEX"));
        assert_eq!(
            decode_response(code, &a.content).unwrap(),
            ResponseOutcome::Failure(Failure::Dlms { index, result }),
            "{stem}"
        );
        assert!(classify_response(code, &a.content).is_failure(), "{stem}");
    }
}

#[test]
fn values_outside_the_rules_are_refused_by_builder_and_decoder() {
    let hd = h(NETWORK_OPERATOR, 1203);
    let good = rtds_config(1);
    let mut bad = Vec::new();
    let mut c = good.clone();
    c.rms.sag.threshold = 170; // below the extreme under-voltage threshold
    bad.push(c);
    let mut c = good.clone();
    c.phases[0].under = 264; // not below over
    bad.push(c);
    let mut c = good.clone();
    c.rms.swell.period = 0;
    bad.push(c);
    let mut c = good.clone();
    c.phases[0].period = voltage::MAX_PERIOD + 1;
    bad.push(c);
    for c in &bad {
        assert!(c.check().is_err(), "{c:?}");
        assert!(voltage::set_voltage_command(&hd, Variant::Ecs29a, c).is_err());
        // A command carrying it (built by hand) is refused by the decoder.
        let good_cmd = voltage::set_voltage_command(&hd, Variant::Ecs29a, &good).unwrap();
        let mut req = gbcs::dlms::AccessRequest::decode(&good_cmd.content).unwrap();
        for (i, f) in Variant::Ecs29a.slots().iter().enumerate() {
            let want = match f {
                voltage::Field::Period(_) => c.phases[0].period,
                voltage::Field::Over(_) => c.phases[0].over,
                voltage::Field::Under(_) => c.phases[0].under,
                voltage::Field::LimitThreshold(l) => c.rms.limits()[*l].threshold,
                voltage::Field::LimitPeriod(l) => c.rms.limits()[*l].period,
                _ => continue,
            };
            req.data[i] = Data::DoubleLongUnsigned(want);
        }
        let mut cmd = good_cmd.clone();
        cmd.content = req.encode();
        assert!(decode_command(&cmd).is_err(), "{c:?}");
    }
    // Wrong phase count for the variant.
    assert!(voltage::set_voltage_command(&hd, Variant::Ecs29b, &good).is_err());
    assert!(voltage::set_voltage_command(&hd, Variant::Ecs29c, &rtds_config(3)).is_err());
    // Power thresholds out of order or zero.
    for (low_medium, medium_high) in [(4600, 2300), (0, 10), (100, 100)] {
        let t = PowerThresholds {
            low_medium,
            medium_high,
        };
        assert!(usecases::ecs34_set_power_thresholds(&h(SUPPLIER, 1001), &t).is_err());
        let mut cmd =
            usecases::ecs34_set_power_thresholds(&h(SUPPLIER, 1001), &thresholds()).unwrap();
        let mut req = gbcs::dlms::AccessRequest::decode(&cmd.content).unwrap();
        req.data[0] = usecases::ecs34::thresholds_value(&t);
        cmd.content = req.encode();
        assert!(decode_command(&cmd).is_err());
    }
}
