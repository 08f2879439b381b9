//! DUIS family 6 limits (6.4.1 ECS28a, 6.4.2 ECS28b) against the RTDS 4.5.0 vectors: each
//! builder, fed the DUIS template's values, reproduces the RTDS PRECOMMAND (critical) or
//! COMMAND (non-critical) byte for byte; every RTDS COMMAND and PRECOMMAND decodes strictly to
//! those values; every RESPONSE decodes and is classified (SUCCESS done, ERROR the device's
//! failure); the decoders refuse what is not the use case's.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, rtds_dir, vector};
use gbcs::usecases::payment_mode::Activation;
use gbcs::usecases::{
    self, CommandHeader, DecodedCommand, LoadLimitSettings, ResponseOutcome, ResponseValue,
    classify_response, decode_command, decode_response,
};
use gbcs::{Eui64, Frame, GeneralSigning, SignatureField, UtcDateTime, wrap_command};

const SUPPLIER: u64 = 0x90b3_d51f_3001_0000;
const ESME: u64 = 0x00db_1234_5678_90a0;

fn h(counter: u64) -> CommandHeader {
    CommandHeader::new(Eui64::from_u64(SUPPLIER), Eui64::from_u64(ESME), counter)
}

fn files(dir: &str, kind: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(rtds_dir().join(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f.ends_with(&format!("_{kind}_GBCS.HEX")))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "{dir}: no {kind} vectors");
    v
}

fn apdu(dir: &str, file: &str) -> GeneralSigning {
    let b = vector(dir, file);
    match Frame::decode(&b) {
        Ok(f) => f.apdu().clone(),
        Err(_) => GeneralSigning::decode(&b).unwrap(),
    }
}

fn check_critical(ks: &Keystore, dir: &str, stem: &str, built: GeneralSigning) {
    assert!(built.is_precommand());
    let pre = vector(dir, &format!("{stem}_PRECOMMAND_GBCS.HEX"));
    assert_eq!(
        hex::encode_upper(built.encode()),
        hex::encode_upper(&pre),
        "{stem} precommand"
    );
    let rtds_cmd = vector(dir, &format!("{stem}_COMMAND_GBCS.HEX"));
    let Ok(Frame::Ciphered(c)) = Frame::decode(&rtds_cmd) else {
        panic!("{stem}: command not DD")
    };
    let SignatureField::Signed(sig) = c.apdu.signature else {
        panic!("{stem}: command not signed")
    };
    let signed = built.with_signature(sig);
    signed
        .verify_signature(ks.ds_public.get(&signed.originator).expect("DS cert"))
        .expect("user signature over our pre-command");
    let peer = ks.ka_public.get(&signed.recipient).expect("KA cert");
    let wrapped = wrap_command(signed, ks.acb_ka(), peer).unwrap().encode();
    assert_eq!(
        hex::encode_upper(wrapped),
        hex::encode_upper(rtds_cmd),
        "{stem} command"
    );
}

fn check_command(ks: &Keystore, dir: &str, file: &str, built: GeneralSigning) {
    assert_eq!(built.signature, SignatureField::Unsigned, "{file}");
    let peer = ks.ka_public.get(&built.recipient).expect("KA cert");
    let wrapped = wrap_command(built, ks.acb_ka(), peer).unwrap().encode();
    assert_eq!(
        hex::encode_upper(wrapped),
        hex::encode_upper(vector(dir, file)),
        "{file}"
    );
}

fn check_responses(dir: &str) {
    for file in files(dir, "RESPONSE") {
        let a = apdu(dir, &file);
        let code = a.message_code();
        let outcome = decode_response(code, &a.content).unwrap_or_else(|e| panic!("{file}: {e}"));
        let error = file.contains("ERROR");
        if error {
            assert!(matches!(outcome, ResponseOutcome::Failure(_)), "{file}");
        } else {
            assert_eq!(
                outcome,
                ResponseOutcome::Success(ResponseValue::Done),
                "{file}"
            );
        }
        assert_eq!(
            classify_response(code, &a.content).is_failure(),
            error,
            "{file}"
        );
    }
}

const LL: &str = "6.4.1_ECS28a";

/// The templates' settings: 6900 W, 300 s, 30 s; `Disable` but for the future-dated one.
fn settings(stem: &str) -> LoadLimitSettings {
    let activation = if stem.contains("CANCELLATION") {
        Activation::Cancel
    } else if stem.contains("FUTURE_DATED") {
        Activation::At(UtcDateTime::new(2030, 1, 15, 9, 0, 0).unwrap())
    } else {
        Activation::Now
    };
    LoadLimitSettings {
        activation,
        disable_supply: !stem.contains("FUTURE_DATED"),
        power_threshold: 6900,
        period: 300,
        restoration_period: 30,
    }
}

const LL_STEMS: [(&str, u64); 4] = [
    ("ECS28a_6.4.1_IMMEDIATE_SUCCESS", 1002),
    ("ECS28a_6.4.1_CANCELLATION_SUCCESS", 1003),
    ("ECS28a_6.4.1_FUTURE_DATED_SUCCESS", 1004),
    ("ECS28a_6.4.1_IMMEDIATE_ERROR", 1005),
];

#[test]
fn ecs28a_builder_is_byte_exact() {
    let ks = Keystore::load();
    for (stem, counter) in LL_STEMS {
        let b = usecases::ecs28a_update_load_limiting_settings(&h(counter), &settings(stem));
        check_critical(&ks, LL, stem, b);
    }
}

#[test]
fn ecs28a_commands_decode_and_responses_classify() {
    let mut names = files(LL, "COMMAND");
    names.extend(files(LL, "PRECOMMAND"));
    for file in names {
        let a = apdu(LL, &file);
        let d = decode_command(&a).unwrap_or_else(|e| panic!("{file}: {e}"));
        let stem = LL_STEMS
            .iter()
            .map(|(s, _)| *s)
            .find(|s| file.starts_with(&format!("{s}_")))
            .unwrap();
        assert_eq!(d, DecodedCommand::Ecs28a(settings(stem)), "{file}");
        assert!(d.spec().critical);
    }
    check_responses(LL);
}

#[test]
fn ecs28a_decoder_refuses_other_shapes() {
    let s = settings("IMMEDIATE");
    let good = usecases::ecs28a_update_load_limiting_settings(&h(7), &s);
    assert!(decode_command(&good).is_ok());
    // A supply state boolean other than 00/FF.
    let mut bad = good.clone();
    let i = bad
        .content
        .windows(2)
        .position(|w| w == [0x03, 0xFF])
        .unwrap();
    bad.content[i + 1] = 0x01;
    assert!(decode_command(&bad).is_err());
    // Activation times that differ.
    let mut bad = good.clone();
    let n = bad.content.len();
    bad.content[n - 3] = 0x7F;
    assert!(decode_command(&bad).is_err());
    // Not bound to the counter.
    let mut other = usecases::ecs28a_update_load_limiting_settings(&h(8), &s);
    other.counter = 7;
    assert!(decode_command(&other).is_err());
}

const LC: &str = "6.4.2_ECS28b";

#[test]
fn ecs28b_builder_is_byte_exact_and_decodes() {
    let ks = Keystore::load();
    for (stem, counter) in [("SUCCESS", 1000), ("ERROR", 1001)] {
        let file = format!("ECS28b_6.4.2_{stem}_COMMAND_GBCS.HEX");
        check_command(
            &ks,
            LC,
            &file,
            usecases::ecs28b_reset_load_limit_counter(&h(counter)),
        );
        let d = decode_command(&apdu(LC, &file)).unwrap();
        assert_eq!(d, DecodedCommand::Ecs28b);
        assert!(!d.spec().critical);
    }
    check_responses(LC);
}

const NETWORK_OPERATOR: u64 = 0x90b3_d51f_3002_0000;

fn hn(counter: u64) -> CommandHeader {
    CommandHeader::new(
        Eui64::from_u64(NETWORK_OPERATOR),
        Eui64::from_u64(ESME),
        counter,
    )
}

const MD: &str = "6.18.1_ECS37";

#[test]
fn ecs37_builder_is_byte_exact_and_decodes() {
    let ks = Keystore::load();
    // The template: 17:00 to 22:00 UTC.
    let p = usecases::MaxDemandPeriod {
        start: [17, 0, 0, 0],
        end: [22, 0, 0, 0],
    };
    for (stem, counter) in [("SUCCESS", 1203), ("ERROR", 1204)] {
        let file = format!("ECS37_6.18.1_{stem}_COMMAND_GBCS.HEX");
        check_command(
            &ks,
            MD,
            &file,
            usecases::ecs37_set_max_demand_period(&hn(counter), &p),
        );
        let d = decode_command(&apdu(MD, &file)).unwrap();
        assert_eq!(d, DecodedCommand::Ecs37(p));
        assert!(!d.spec().critical);
    }
    check_responses(MD);
    // Another shape: one entry only.
    let mut bad = usecases::ecs37_set_max_demand_period(&hn(5), &p);
    let i = bad
        .content
        .windows(2)
        .position(|w| w == [0x01, 0x02])
        .unwrap();
    bad.content[i + 1] = 0x01;
    assert!(decode_command(&bad).is_err());
}

const MR: &str = "6.18.2_ECS57";

#[test]
fn ecs57_builder_is_byte_exact_and_decodes() {
    let ks = Keystore::load();
    let all = usecases::MaxDemandResets {
        import: true,
        configurable: true,
        export: true,
    };
    let some = usecases::MaxDemandResets {
        configurable: true,
        ..Default::default()
    };
    for (stem, counter, r) in [
        ("ALL_OPTIONALS_SUCCESS", 1200, all),
        ("SOME_OPTIONALS_SUCCESS", 1201, some),
        ("ALL_OPTIONALS_ERROR", 1202, all),
    ] {
        let file = format!("ECS57_6.18.2_{stem}_COMMAND_GBCS.HEX");
        check_command(
            &ks,
            MR,
            &file,
            usecases::ecs57_reset_max_demand(&hn(counter), &r).unwrap(),
        );
        let d = decode_command(&apdu(MR, &file)).unwrap();
        assert_eq!(d, DecodedCommand::Ecs57(r), "{file}");
    }
    check_responses(MR);
    assert!(usecases::ecs57_reset_max_demand(&hn(1), &Default::default()).is_err());
}

#[test]
fn ecs48_and_ecs81_builders_are_byte_exact_and_decode() {
    let ks = Keystore::load();
    for (stem, counter) in [("SUCCESS", 1000), ("ERROR", 1002)] {
        check_critical(
            &ks,
            "6.26_ECS48",
            &format!("ECS48_6.26_{stem}"),
            usecases::ecs48_set_daily_block_counter_reset(&h(counter), true),
        );
    }
    for (stem, counter) in [("SUCCESS", 1000), ("ERROR", 1001)] {
        check_critical(
            &ks,
            "6.25_ECS81",
            &format!("ECS81_6.25_{stem}"),
            usecases::ecs81_set_supply_tamper_state(&h(counter), true),
        );
    }
    for (dir, expected) in [
        ("6.26_ECS48", DecodedCommand::Ecs48(true)),
        ("6.25_ECS81", DecodedCommand::Ecs81(true)),
    ] {
        let mut names = files(dir, "COMMAND");
        names.extend(files(dir, "PRECOMMAND"));
        for file in names {
            let d = decode_command(&apdu(dir, &file)).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(d, expected, "{file}");
            assert!(d.spec().critical);
        }
        check_responses(dir);
    }
    for v in [true, false] {
        let b = usecases::ecs48_set_daily_block_counter_reset(&h(9), v);
        assert_eq!(decode_command(&b).unwrap(), DecodedCommand::Ecs48(v));
        let b = usecases::ecs81_set_supply_tamper_state(&h(9), v);
        assert_eq!(decode_command(&b).unwrap(), DecodedCommand::Ecs81(v));
    }
}

#[test]
fn ecs26c_builder_is_byte_exact_and_decodes() {
    let ks = Keystore::load();
    let dir = "6.2.2_ECS26c";
    for (stem, counter) in [("SUCCESS", 1001), ("ERROR", 1003)] {
        let file = format!("ECS26c_6.2.2_{stem}_COMMAND_GBCS.HEX");
        check_command(
            &ks,
            dir,
            &file,
            usecases::ecs26c_read_randomisation(&h(counter)),
        );
        let d = decode_command(&apdu(dir, &file)).unwrap();
        assert!(matches!(d, DecodedCommand::Ecs26c(_)));
        assert!(!d.spec().critical);
    }
    for file in files(dir, "RESPONSE") {
        let a = apdu(dir, &file);
        let outcome = decode_response(a.message_code(), &a.content).unwrap();
        assert_eq!(outcome.is_failure(), file.contains("ERROR"), "{file}");
    }
}

fn descriptions(all: bool) -> usecases::AuxDescriptions {
    usecases::AuxDescriptions(if all {
        vec![
            (1, b"ALCS_1_Description".to_vec()),
            (2, b"HCALCS_2_Description".to_vec()),
            (3, b"ALCS_3_Description".to_vec()),
            (4, b"ALCS_4_Description".to_vec()),
            (5, b"ALCS_5_Description".to_vec()),
        ]
    } else {
        vec![
            (2, b"Label2".to_vec()),
            (3, b"Label3".to_vec()),
            (4, b"Label4".to_vec()),
        ]
    })
}

#[test]
fn ecs46a_builder_is_byte_exact_and_decodes() {
    let ks = Keystore::load();
    let dir = "6.14.1_ECS46a";
    for (stem, counter, all) in [
        ("ALL_OPTIONALS_SUCCESS", 1000, true),
        ("SOME_OPTIONALS_SUCCESS", 1002, false),
        ("ALL_OPTIONALS_ERROR", 1006, true),
    ] {
        let b = usecases::ecs46a_update_aux_descriptions(&h(counter), &descriptions(all)).unwrap();
        check_critical(&ks, dir, &format!("ECS46a_6.14.1_{stem}"), b);
    }
    let mut names = files(dir, "COMMAND");
    names.extend(files(dir, "PRECOMMAND"));
    for file in names {
        let d = decode_command(&apdu(dir, &file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let all = file.contains("ALL_OPTIONALS");
        assert_eq!(d, DecodedCommand::Ecs46a(descriptions(all)), "{file}");
    }
    check_responses(dir);
    // Out of range: no switch 6, no empty or over-long text, increasing order.
    for bad in [
        vec![(6, b"x".to_vec())],
        vec![(1, Vec::new())],
        vec![(1, vec![b'a'; 23])],
        vec![(2, b"a".to_vec()), (1, b"b".to_vec())],
        vec![(1, vec![0x07])],
    ] {
        assert!(
            usecases::ecs46a_update_aux_descriptions(&h(1), &usecases::AuxDescriptions(bad))
                .is_err()
        );
    }
}

#[test]
fn ecs46c_builder_is_byte_exact_and_decodes() {
    let ks = Keystore::load();
    let dir = "6.14.2_ECS46c";
    let hc = [0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0x97];
    for (stem, counter) in [
        ("IMMEDIATE_SOME_OPTIONALS_SUCCESS", 1006),
        ("FUTURE_DATED_ALL_OPTIONALS_SUCCESS", 1007),
        ("CANCELLATION_ALL_OPTIONALS_SUCCESS", 1008),
        ("FUTURE_DATED_ALL_OPTIONALS_ERROR", 1009),
    ] {
        let name = format!("ECS46c_6.14.2_{stem}");
        let DecodedCommand::Ecs46c(d) =
            decode_command(&apdu(dir, &format!("{name}_PRECOMMAND_GBCS.HEX"))).unwrap()
        else {
            panic!("{stem}")
        };
        let c = decode_command(&apdu(dir, &format!("{name}_COMMAND_GBCS.HEX"))).unwrap();
        assert_eq!(c, DecodedCommand::Ecs46c(d.clone()));
        assert!(c.spec().critical);
        let activation = if stem.starts_with("CANCELLATION") {
            Activation::Cancel
        } else if stem.starts_with("FUTURE") {
            Activation::At(UtcDateTime::new(2030, 1, 15, 9, 0, 0).unwrap())
        } else {
            Activation::Now
        };
        assert_eq!(d.activation, activation, "{stem}");
        let switches: Vec<(u8, [u8; 8])> = if stem.starts_with("IMMEDIATE") {
            vec![(1, [0; 8]), (2, hc)]
        } else {
            (1..=5)
                .map(|n| (n, if n == 2 { hc } else { [0; 8] }))
                .collect()
        };
        assert_eq!(d.switches, switches, "{stem}");
        assert_eq!((d.special_days.len(), d.schedule.len()), (4, 6));
        let b = usecases::ecs46c_update_aux_scheduler(&h(counter), &d).unwrap();
        check_critical(&ks, dir, &name, b);
        // Out of range: no switch 6, switches increasing, entries well formed.
        let mut bad = d.clone();
        bad.switches = vec![(6, [0; 8])];
        assert!(usecases::ecs46c_update_aux_scheduler(&h(1), &bad).is_err());
        let mut bad = d.clone();
        bad.switches.reverse();
        assert!(
            bad.switches.len() < 2 || usecases::ecs46c_update_aux_scheduler(&h(1), &bad).is_err()
        );
        let mut bad = d.clone();
        bad.schedule.push(gbcs::axdr::Data::Unsigned(1));
        assert!(usecases::ecs46c_update_aux_scheduler(&h(1), &bad).is_err());
    }
    check_responses(dir);
}

#[test]
fn ecs46d_builder_is_byte_exact_and_decodes() {
    let ks = Keystore::load();
    let dir = "6.14.3_ECS46d";
    let a6 = 0x00db_1234_5678_90a6;
    for (stem, counter, esme) in [
        ("IMMEDIATE_ALCS_SUCCESS", 1000, ESME),
        ("IMMEDIATE_ALCS_ERROR", 1003, ESME),
        ("IMMEDIATE_APC_INPUT_SUCCESS", 1004, ESME),
        ("IMMEDIATE_APC_OUTPUT_SUCCESS", 1005, ESME),
        ("IMMEDIATE_APC_OUTPUT_ERROR", 1008, ESME),
        ("FUTURE_DATED_APC_OUTPUT_SUCCESS", 1002, a6),
        ("CANCELLATION_APC_OUTPUT_SUCCESS", 1003, a6),
    ] {
        let name = format!("ECS46d_6.14.3_{stem}");
        let DecodedCommand::Ecs46d(d) =
            decode_command(&apdu(dir, &format!("{name}_PRECOMMAND_GBCS.HEX"))).unwrap()
        else {
            panic!("{stem}")
        };
        let c = decode_command(&apdu(dir, &format!("{name}_COMMAND_GBCS.HEX"))).unwrap();
        assert_eq!(c, DecodedCommand::Ecs46d(d.clone()));
        assert!(c.spec().critical);
        let activation = if stem.starts_with("CANCELLATION") {
            Activation::Cancel
        } else if stem.starts_with("FUTURE") {
            Activation::At(UtcDateTime::new(2030, 4, 1, 9, 0, 0).unwrap())
        } else {
            Activation::Now
        };
        assert_eq!(d.activation, activation, "{stem}");
        assert_eq!(d.schedule.len(), 10, "{stem}");
        // Each entry names a controller, its level and whether an APC's input.
        let actions: Vec<usecases::ControllerAction> = d
            .schedule
            .iter()
            .map(|e| match e {
                gbcs::axdr::Data::Structure(f) => match f[3] {
                    gbcs::axdr::Data::LongUnsigned(s) => {
                        usecases::ControllerAction::of_selector(s).unwrap()
                    }
                    _ => panic!(),
                },
                _ => panic!(),
            })
            .collect();
        let on = if stem.contains("ALCS") { 100 } else { 50 };
        for (i, a) in actions.iter().enumerate() {
            assert_eq!(usize::from(a.controller), i / 2 + 1, "{stem}");
            assert_eq!(a.level, if i % 2 == 0 { 0 } else { on }, "{stem}");
            assert_eq!(a.input_from_controlled_load, stem.contains("INPUT"));
        }
        let hdr = CommandHeader::new(Eui64::from_u64(SUPPLIER), Eui64::from_u64(esme), counter);
        let b = usecases::ecs46d_set_aux_calendar(&hdr, &d).unwrap();
        check_critical(&ks, dir, &name, b);
        // An entry that names no controller action, or of another shape, is refused.
        let mut bad = d.clone();
        if let gbcs::axdr::Data::Structure(f) = &mut bad.schedule[0] {
            f[3] = gbcs::axdr::Data::LongUnsigned(0x0101);
        }
        assert!(usecases::ecs46d_set_aux_calendar(&h(1), &bad).is_err());
        let mut bad = d.clone();
        bad.special_days.push(gbcs::axdr::Data::Unsigned(1));
        assert!(usecases::ecs46d_set_aux_calendar(&h(1), &bad).is_err());
        // An ECS46c is not an ECS46d.
        let s = usecases::AuxScheduler {
            activation: d.activation,
            switches: vec![],
            special_days: d.special_days.clone(),
            schedule: d.schedule.clone(),
        };
        let c = usecases::ecs46c_update_aux_scheduler(&h(1), &s).unwrap();
        assert!(matches!(decode_command(&c), Ok(DecodedCommand::Ecs46c(_))));
    }
    check_responses(dir);
}
