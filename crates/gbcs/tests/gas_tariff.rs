//! Family 1 tariffs and prices on the GSME (1.1.1 GCS01a, 1.2.1 GCS01b) against the RTDS 4.5.0
//! vectors: every COMMAND and PRECOMMAND decodes strictly (the activation as the vector's name
//! says); the builder, given the decoded parameters and the vector's counter, reproduces the
//! PRECOMMAND byte for byte, the RTDS user signature verifies over it and wrapped it equals the
//! RTDS COMMAND; every RESPONSE decodes (SUCCESS done, ERROR the command the RTDS shows failing);
//! the 8F66 alerts name the commands that carry a start time, one each, in order.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, rtds_dir, vector};
use gbcs::gbz::{GbzAlertBody, GbzPayload};
use gbcs::usecases::gas_tariff::{
    PUBLISH_BLOCK_THRESHOLDS, PUBLISH_CALENDAR, PUBLISH_PRICE_MATRIX, PUBLISH_SPECIAL_DAYS,
    PUBLISH_TARIFF_INFORMATION,
};
use gbcs::usecases::{
    self, Activation, CommandHeader, DecodedCommand, Failure, ResponseOutcome, ResponseValue,
    classify_response, decode_command, decode_response,
};
use gbcs::{Eui64, Frame, GeneralSigning, SignatureField, UtcDateTime, wrap_command};

const DIRS: [(&str, u8); 2] = [("1.1.1_GCS01a", 0x06), ("1.2.1_GCS01b", 0x04)];

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
        DecodedCommand::Gcs01a(t) => t.issue.activation,
        DecodedCommand::Gcs01b(p) => p.issue.activation,
        other => panic!("{other:?}"),
    }
}

fn rebuild(d: &DecodedCommand, h: &CommandHeader) -> GeneralSigning {
    match d {
        DecodedCommand::Gcs01a(t) => usecases::gcs01a_update_import_tariff(h, t).unwrap(),
        DecodedCommand::Gcs01b(p) => usecases::gcs01b_update_price(h, p).unwrap(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn gsme_tariff_vectors_decode_and_rebuild_byte_exact() {
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
fn gsme_tariff_vectors_carry_what_the_templates_say() {
    let a = apdu(
        "1.1.1_GCS01a",
        "GCS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_PRECOMMAND_GBCS.HEX",
    );
    let DecodedCommand::Gcs01a(t) = decode_command(&a).unwrap() else {
        panic!()
    };
    assert_eq!(t.issue.issuer_event_id, 0x1C37_4A80);
    assert_eq!(t.calendar.days.len(), 4);
    assert_eq!(t.calendar.days[1].entries, [(0, 2)]);
    assert_eq!(t.calendar.weeks[1].days, [3, 3, 3, 3, 3, 4, 4]);
    assert_eq!(
        t.calendar.seasons,
        [([0xFF, 3, 20, 0xFF], 1), ([0xFF, 6, 21, 0xFF], 2)]
    );
    assert_eq!(t.calendar.special_days.len(), 10);
    assert_eq!(t.prices.information.currency, 826);
    assert_eq!(t.prices.information.standing_charge, 22_465);
    assert_eq!(t.prices.information.price_tiers_in_use, 4);
    assert!(t.prices.block_thresholds.is_none());
    assert_eq!(t.prices.matrix.sub_payload_control, 1);
    assert_eq!(
        t.prices.matrix.prices,
        [(1, 9600), (2, 10200), (3, 10750), (4, 11000)]
    );
    let a = apdu(
        "1.1.1_GCS01a",
        "GCS01a_1.1.1_FUTURE_DATED_BLOCK_SUCCESS_PRECOMMAND_GBCS.HEX",
    );
    let DecodedCommand::Gcs01a(t) = decode_command(&a).unwrap() else {
        panic!()
    };
    let b = t.prices.block_thresholds.as_ref().unwrap();
    assert_eq!(b.tiers, [(0, vec![1_000_000, 2_000_000, 3_000_000])]);
    assert_eq!(t.prices.information.tariff_type, 0x10);
    assert_eq!(t.prices.information.block_thresholds_in_use, 3);
    assert!(t.calendar.special_days.is_empty());
}

#[test]
fn gsme_tariff_responses_decode() {
    for (dir, failing) in DIRS {
        for file in files(dir, "RESPONSE") {
            let a = apdu(dir, &file);
            let code = a.message_code();
            let outcome = decode_response(code, &a.content).unwrap();
            let error = file.contains("ERROR");
            let expected = if error {
                ResponseOutcome::Failure(Failure::ZclDefaultResponse {
                    command: failing,
                    status: 0xC0,
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
fn future_dated_alerts_name_each_dated_command_once_in_order() {
    for (dir, commands) in [
        (
            "1.1.1_GCS01a",
            &[
                (0x0707, PUBLISH_CALENDAR),
                (0x0707, PUBLISH_SPECIAL_DAYS),
                (0x0700, PUBLISH_TARIFF_INFORMATION),
                (0x0700, PUBLISH_BLOCK_THRESHOLDS),
                (0x0700, PUBLISH_PRICE_MATRIX),
            ][..],
        ),
        (
            "1.2.1_GCS01b",
            &[
                (0x0700, PUBLISH_TARIFF_INFORMATION),
                (0x0700, PUBLISH_PRICE_MATRIX),
            ][..],
        ),
    ] {
        let mut named: Vec<(u64, (u16, u8))> = files(dir, "ALERT")
            .iter()
            .map(|f| {
                let a = GeneralSigning::decode(&vector(dir, f)).unwrap();
                let GbzPayload::Alert {
                    body: GbzAlertBody::FutureDated(o),
                    ..
                } = GbzPayload::decode_alert(&a.content).unwrap()
                else {
                    panic!("{f}")
                };
                assert_eq!(o.frame_control, 0x09, "{f}");
                (a.counter, (o.cluster, o.command))
            })
            .collect();
        named.sort_by_key(|(c, _)| *c);
        let named: Vec<(u16, u8)> = named.into_iter().map(|(_, d)| d).collect();
        assert_eq!(named, commands, "{dir}");
    }
}

#[test]
fn gsme_tariff_decoders_are_strict() {
    let a = apdu(
        "1.1.1_GCS01a",
        "GCS01a_1.1.1_FUTURE_DATED_BLOCK_SUCCESS_PRECOMMAND_GBCS.HEX",
    );
    let DecodedCommand::Gcs01a(t) = decode_command(&a).unwrap() else {
        panic!()
    };
    let h = CommandHeader::new(Eui64::from_u64(1), Eui64::from_u64(2), 9);
    let good = usecases::gcs01a_update_import_tariff(&h, &t).unwrap();
    assert!(decode_command(&good).is_ok());
    // One command with another start time.
    let mut b = good.clone();
    let n = b.content.len();
    b.content[n - 30] ^= 1;
    assert!(decode_command(&b).is_err());
    // A trailing byte in the last command.
    let mut b = good.clone();
    b.content.push(0);
    assert!(decode_command(&b).is_err());
    // Too many block thresholds for one tier.
    let mut bad = t.clone();
    bad.prices.block_thresholds.as_mut().unwrap().tiers[0].1 = vec![1; 16];
    assert!(usecases::gcs01a_update_import_tariff(&h, &bad).is_err());
    // Another use case's message code.
    let mut other = good.clone();
    other.other_info.message_code = gbcs::MessageCode::GCS01B;
    assert!(decode_command(&other).is_err());
    // A price update carries no block thresholds.
    let p = usecases::GasPriceUpdate {
        issue: t.issue,
        prices: t.prices.clone(),
    };
    assert!(usecases::gcs01b_update_price(&h, &p).is_err());
}
