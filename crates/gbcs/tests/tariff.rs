//! Family 1 tariffs and prices on the ESME (1.1.1 ECS01a, 1.1.2 ECS01c, 1.2.1 ECS01b, 1.2.2
//! ECS01d) against the RTDS 4.5.0 vectors: every COMMAND and PRECOMMAND decodes strictly to the
//! use case's parameters (the activation as the vector's name says); the builder, given those
//! parameters and the vector's counter, reproduces the PRECOMMAND byte for byte, the RTDS user
//! signature verifies over it and wrapped it equals the RTDS COMMAND; every RESPONSE decodes (SUCCESS
//! done, ERROR the request the RTDS shows failing); the 8F66 alerts name the use case's
//! activation-time objects, one each, in the order of the SETs.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, rtds_dir, vector};
use gbcs::dlms::{CosemDescriptor, DataNotification};
use gbcs::usecases::{
    self, Activation, CommandHeader, DecodedCommand, Failure, ResponseOutcome, ResponseValue,
    classify_response, decode_command, decode_response, ecs01a, ecs01b, ecs01c, ecs01d,
};
use gbcs::{Eui64, Frame, GeneralSigning, SignatureField, UtcDateTime, wrap_command};

const DIRS: [(&str, usize); 4] = [
    ("1.1.1_ECS01a", 19),
    ("1.2.1_ECS01b", 2),
    ("1.1.2_ECS01c", 6),
    ("1.2.2_ECS01d", 0),
];

fn files(dir: &str, kind: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(rtds_dir().join(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| {
            f.ends_with(&format!("_{kind}_GBCS.HEX"))
                || (kind == "ALERT" && f.contains("_ALERT_") && f.ends_with("_GBCS.HEX"))
        })
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

fn expected_activation(file: &str) -> Activation {
    if file.contains("FUTURE_DATED") {
        Activation::At(UtcDateTime::new(2030, 1, 15, 9, 0, 0).unwrap())
    } else if file.contains("CANCELLATION") {
        Activation::Cancel
    } else {
        Activation::Now
    }
}

fn activation(d: &DecodedCommand) -> Activation {
    match d {
        DecodedCommand::Ecs01a(t) => t.activation,
        DecodedCommand::Ecs01b(p) => p.activation,
        DecodedCommand::Ecs01c(t) => t.activation,
        DecodedCommand::Ecs01d(p) => p.activation,
        other => panic!("{other:?}"),
    }
}

fn rebuild(d: &DecodedCommand, h: &CommandHeader) -> GeneralSigning {
    match d {
        DecodedCommand::Ecs01a(t) => usecases::ecs01a_update_import_tariff_primary(h, t),
        DecodedCommand::Ecs01b(p) => usecases::ecs01b_update_price_primary(h, p),
        DecodedCommand::Ecs01c(t) => usecases::ecs01c_update_import_tariff_secondary(h, t),
        DecodedCommand::Ecs01d(p) => usecases::ecs01d_update_price_secondary(h, p),
        other => panic!("{other:?}"),
    }
}

#[test]
fn esme_tariff_vectors_decode_and_rebuild_byte_exact() {
    let ks = Keystore::load();
    for (dir, _) in DIRS {
        for kind in ["COMMAND", "PRECOMMAND"] {
            for file in files(dir, kind) {
                let a = apdu(dir, &file);
                let d = decode_command(&a).unwrap_or_else(|e| panic!("{file}: {e}"));
                assert!(d.spec().critical);
                assert_eq!(d.spec().message_code, a.message_code(), "{file}");
                assert_eq!(activation(&d), expected_activation(&file), "{file}");
            }
        }
        for file in files(dir, "PRECOMMAND") {
            let pre = apdu(dir, &file);
            let d = decode_command(&pre).unwrap();
            let h = CommandHeader::new(pre.originator, pre.recipient, pre.counter);
            let built = rebuild(&d, &h);
            assert!(built.is_precommand());
            assert_eq!(
                hex::encode_upper(built.encode()),
                hex::encode_upper(vector(dir, &file)),
                "{file}"
            );
            let cmd_file = file.replace("PRECOMMAND", "COMMAND");
            let rtds_cmd = vector(dir, &cmd_file);
            let Ok(Frame::Ciphered(c)) = Frame::decode(&rtds_cmd) else {
                panic!("{cmd_file}: not DD")
            };
            let SignatureField::Signed(sig) = c.apdu.signature else {
                panic!("{cmd_file}: not signed")
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
                "{cmd_file}"
            );
        }
    }
}

#[test]
fn esme_tariff_vectors_carry_what_the_templates_say() {
    let a = apdu(
        "1.1.1_ECS01a",
        "ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_PRECOMMAND_GBCS.HEX",
    );
    let DecodedCommand::Ecs01a(t) = decode_command(&a).unwrap() else {
        panic!()
    };
    assert_eq!(t.prices.prices.len(), 80);
    assert_eq!(t.prices.prices[0], (vec![1], 2121));
    assert_eq!(t.prices.prices[1], (vec![2], 3127));
    assert_eq!(t.calendar.seasons.len(), 2);
    assert_eq!(t.calendar.days[0].actions[1].start_time, [7, 0, 0, 0]);
    assert_eq!(t.calendar.days[0].actions[1].selector, 3);
    assert!(t.thresholds.iter().all(|v| v == &[u32::MAX]));
    let a = apdu(
        "1.1.1_ECS01a",
        "ECS01a_1.1.1_IMMEDIATE_BLOCK_SUCCESS_PRECOMMAND_GBCS.HEX",
    );
    let DecodedCommand::Ecs01a(t) = decode_command(&a).unwrap() else {
        panic!()
    };
    assert_eq!(t.thresholds[0], [10_000, 20_000, u32::MAX]);
    let a = apdu(
        "1.2.2_ECS01d",
        "ECS01d_1.2.2_IMMEDIATE_SUCCESS_PRECOMMAND_GBCS.HEX",
    );
    let DecodedCommand::Ecs01d(p) = decode_command(&a).unwrap() else {
        panic!()
    };
    let prices: Vec<i16> = p.prices.prices.iter().map(|(_, v)| *v).collect();
    assert_eq!(prices, [1010, 1120, 1230, 1340]);
}

#[test]
fn esme_tariff_responses_decode() {
    for (dir, failing) in DIRS {
        for file in files(dir, "RESPONSE") {
            let a = apdu(dir, &file);
            let code = a.message_code();
            let outcome = decode_response(code, &a.content).unwrap();
            let error = file.contains("ERROR");
            let expected = if error {
                ResponseOutcome::Failure(Failure::Dlms {
                    index: failing,
                    result: 1,
                })
            } else {
                ResponseOutcome::Success(ResponseValue::Done)
            };
            assert_eq!(outcome, expected, "{file}");
            assert_eq!(classify_response(code, &a.content).is_failure(), error);
        }
    }
}

#[test]
fn future_dated_alerts_name_each_activation_object_once_in_order() {
    for (dir, objects) in [
        ("1.1.1_ECS01a", &ecs01a::ACTIVATIONS[..]),
        ("1.2.1_ECS01b", &ecs01b::ACTIVATIONS[..]),
        ("1.1.2_ECS01c", &ecs01c::ACTIVATIONS[..]),
        ("1.2.2_ECS01d", &ecs01d::ACTIVATIONS[..]),
    ] {
        let mut named: Vec<(u64, CosemDescriptor)> = files(dir, "ALERT")
            .iter()
            .map(|f| {
                let a = GeneralSigning::decode(&vector(dir, f)).unwrap();
                let n = DataNotification::decode(&a.content).unwrap();
                let gbcs::axdr::Data::Structure(items) = &n.body else {
                    panic!("{f}")
                };
                let gbcs::axdr::Data::OctetString(block) = &items[2] else {
                    panic!("{f}")
                };
                assert_eq!(block.len(), 19, "{f}");
                let d = CosemDescriptor::new(
                    u16::from_be_bytes([block[10], block[11]]),
                    block[12..18].try_into().unwrap(),
                    block[18],
                );
                (a.counter, d)
            })
            .collect();
        named.sort_by_key(|(c, _)| *c);
        let named: Vec<CosemDescriptor> = named.into_iter().map(|(_, d)| d).collect();
        assert_eq!(named, objects, "{dir}");
    }
}

#[test]
fn esme_tariff_decoders_are_strict() {
    let a = apdu(
        "1.1.1_ECS01a",
        "ECS01a_1.1.1_IMMEDIATE_BLOCK_SUCCESS_PRECOMMAND_GBCS.HEX",
    );
    let DecodedCommand::Ecs01a(mut t) = decode_command(&a).unwrap() else {
        panic!()
    };
    let h = CommandHeader::new(Eui64::from_u64(1), Eui64::from_u64(2), 9);
    // Four thresholds for one rate.
    t.thresholds[0] = vec![1, 2, 3, 4];
    assert!(decode_command(&usecases::ecs01a_update_import_tariff_primary(&h, &t)).is_err());
    t.thresholds[0] = vec![];
    assert!(decode_command(&usecases::ecs01a_update_import_tariff_primary(&h, &t)).is_err());
    t.thresholds[0] = vec![5];
    assert!(decode_command(&usecases::ecs01a_update_import_tariff_primary(&h, &t)).is_ok());
    // Two different activation times.
    let mut b = usecases::ecs01a_update_import_tariff_primary(&h, &t);
    let last = b.content.len() - 1;
    b.content[last - 4] = 0x01;
    assert!(decode_command(&b).is_err());
    // A price index of two octets.
    let p = usecases::ecs01d::SecondaryPrices {
        prices: usecases::tariff::UnitCharge {
            commodity_scale: 0,
            price_scale: -5,
            commodity: (3, [1, 20, 1, 8, 0, 0xFF], 2),
            prices: vec![(vec![1, 2], 5)],
        },
        activation: Activation::Now,
    };
    assert!(decode_command(&usecases::ecs01d_update_price_secondary(&h, &p)).is_err());
    // Another use case's pre-command is not this one.
    let a = apdu(
        "1.2.1_ECS01b",
        "ECS01b_1.2.1_IMMEDIATE_BLOCK_SUCCESS_PRECOMMAND_GBCS.HEX",
    );
    let mut other = a.clone();
    other.other_info.message_code = gbcs::MessageCode::ECS01D;
    assert!(decode_command(&other).is_err());
}
