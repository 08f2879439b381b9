//! 6.8 Update Device Configuration (Billing Calendar) and 6.2.3 Read Device Configuration
//! (Billing Calendar) on the ESME (ECS30, ECS30a, ECS26d, ECS26l) against the RTDS 4.5.0
//! vectors: each builder, fed the DUIS template's values through the one DUIS-to-GBCS rule
//! (`billing_calendar::ElecBillingCalendar::entries`), reproduces the RTDS PRECOMMAND / COMMAND
//! byte for byte; every RTDS COMMAND and PRECOMMAND decodes strictly to those entries; every
//! RESPONSE decodes and is classified (SUCCESS done or the entries read, ERROR the device's
//! failure); the decoders refuse what is not the use case's.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, vector};
use gbcs::usecases::billing_calendar::{
    BillingTime, ElecBillingCalendar, ElecPeriodicity, ExecutionTime,
};
use gbcs::usecases::{
    self, CommandHeader, DecodedCommand, ResponseOutcome, ResponseValue, classify_response,
    decode_command, decode_response,
};
use gbcs::{Eui64, Frame, GeneralSigning, SignatureField, wrap_command};

const SUPPLIER: u64 = 0x90b3_d51f_3001_0000;
const ESME: u64 = 0x00db_1234_5678_90a0;

fn h(counter: u64) -> CommandHeader {
    CommandHeader::new(Eui64::from_u64(SUPPLIER), Eui64::from_u64(ESME), counter)
}

fn apdu(dir: &str, file: &str) -> GeneralSigning {
    let b = vector(dir, file);
    match Frame::decode(&b) {
        Ok(f) => f.apdu().clone(),
        Err(_) => GeneralSigning::decode(&b).unwrap(),
    }
}

fn at(hour: u8, periodicity: ElecPeriodicity) -> Vec<ExecutionTime> {
    ElecBillingCalendar {
        time: BillingTime {
            hour,
            minute: 0,
            second: 0,
            hundredths: 0,
        },
        periodicity,
    }
    .entries()
    .unwrap()
}

/// (dir, stem, counter, entries): the DUIS templates' calendars (SUCCESS) and the ERROR
/// vectors' (monthly on the 1st at 00:00 for ECS30, daily at 00:00 for ECS30a).
fn sets() -> Vec<(&'static str, &'static str, u64, Vec<ExecutionTime>)> {
    vec![
        (
            "6.8_ECS30",
            "ECS30_6.8_SUCCESS",
            1001,
            at(12, ElecPeriodicity::Monthly(1)),
        ),
        (
            "6.8_ECS30",
            "ECS30_6.8_ERROR",
            1003,
            at(0, ElecPeriodicity::Monthly(1)),
        ),
        (
            "6.8_ECS30a",
            "ECS30a_6.8_SUCCESS",
            1003,
            at(
                0,
                ElecPeriodicity::Quarterly {
                    day: 1,
                    start_month: 1,
                },
            ),
        ),
        (
            "6.8_ECS30a",
            "ECS30a_6.8_ERROR",
            1006,
            at(0, ElecPeriodicity::Daily),
        ),
    ]
}

#[test]
fn set_builders_reproduce_the_rtds_precommands_and_commands() {
    let ks = Keystore::load();
    for (dir, stem, counter, entries) in sets() {
        let built = if dir.ends_with("ECS30a") {
            usecases::ecs30a_set_billing_calendar(&h(counter), &entries).unwrap()
        } else {
            usecases::ecs30_set_billing_calendar(&h(counter), &entries).unwrap()
        };
        assert!(built.is_precommand());
        let pre = vector(dir, &format!("{stem}_PRECOMMAND_GBCS.HEX"));
        assert_eq!(
            hex::encode_upper(built.encode()),
            hex::encode_upper(&pre),
            "{stem}"
        );
        let rtds_cmd = vector(dir, &format!("{stem}_COMMAND_GBCS.HEX"));
        let Ok(Frame::Ciphered(c)) = Frame::decode(&rtds_cmd) else {
            panic!("{stem}: command not DD")
        };
        let SignatureField::Signed(sig) = c.apdu.signature else {
            panic!("{stem}: not signed")
        };
        let signed = built.with_signature(sig);
        signed
            .verify_signature(ks.ds_public.get(&signed.originator).unwrap())
            .unwrap();
        let peer = ks.ka_public.get(&signed.recipient).unwrap();
        let wrapped = wrap_command(signed, ks.acb_ka(), peer).unwrap().encode();
        assert_eq!(
            hex::encode_upper(wrapped),
            hex::encode_upper(rtds_cmd),
            "{stem}"
        );
        for kind in ["PRECOMMAND", "COMMAND"] {
            let d = decode_command(&apdu(dir, &format!("{stem}_{kind}_GBCS.HEX"))).unwrap();
            let expected = if dir.ends_with("ECS30a") {
                DecodedCommand::Ecs30a(entries.clone())
            } else {
                DecodedCommand::Ecs30(entries.clone())
            };
            assert_eq!(d, expected, "{stem} {kind}");
        }
        // The RTDS calendars are ones DUIS can state.
        assert!(ElecBillingCalendar::from_entries(&entries).is_some());
    }
}

#[test]
fn read_builders_reproduce_the_rtds_commands() {
    let ks = Keystore::load();
    for (dir, stem, counter) in [
        ("6.2.3_ECS26d", "ECS26d_6.2.3_SUCCESS", 1001),
        ("6.2.3_ECS26d", "ECS26d_6.2.3_ERROR", 1002),
        ("6.2.3_ECS26l", "ECS26l_6.2.3_SUCCESS", 1001),
        ("6.2.3_ECS26l", "ECS26l_6.2.3_ERROR", 1002),
    ] {
        let built = if dir.ends_with("ECS26l") {
            usecases::ecs26l_read_billing_calendar(&h(counter))
        } else {
            usecases::ecs26d_read_billing_calendar(&h(counter))
        };
        assert_eq!(built.signature, SignatureField::Unsigned);
        let peer = ks.ka_public.get(&built.recipient).unwrap();
        let wrapped = wrap_command(built, ks.acb_ka(), peer).unwrap().encode();
        let file = format!("{stem}_COMMAND_GBCS.HEX");
        assert_eq!(
            hex::encode_upper(wrapped),
            hex::encode_upper(vector(dir, &file)),
            "{stem}"
        );
        let d = decode_command(&apdu(dir, &file)).unwrap();
        assert!(
            matches!(d, DecodedCommand::Ecs26d(_) | DecodedCommand::Ecs26l(_)),
            "{d:?}"
        );
    }
}

#[test]
fn every_response_decodes_and_classifies() {
    let monthly = at(12, ElecPeriodicity::Monthly(1));
    let quarterly = at(
        12,
        ElecPeriodicity::Quarterly {
            day: 1,
            start_month: 1,
        },
    );
    for (dir, stem, success) in [
        ("6.8_ECS30", "ECS30_6.8_SUCCESS", Some(ResponseValue::Done)),
        ("6.8_ECS30", "ECS30_6.8_ERROR", None),
        (
            "6.8_ECS30a",
            "ECS30a_6.8_SUCCESS",
            Some(ResponseValue::Done),
        ),
        ("6.8_ECS30a", "ECS30a_6.8_ERROR", None),
        (
            "6.2.3_ECS26d",
            "ECS26d_6.2.3_SUCCESS",
            Some(ResponseValue::BillingCalendar(monthly)),
        ),
        ("6.2.3_ECS26d", "ECS26d_6.2.3_ERROR", None),
        (
            "6.2.3_ECS26l",
            "ECS26l_6.2.3_SUCCESS",
            Some(ResponseValue::BillingCalendar(quarterly)),
        ),
        ("6.2.3_ECS26l", "ECS26l_6.2.3_ERROR", None),
    ] {
        let a = apdu(dir, &format!("{stem}_RESPONSE_GBCS.HEX"));
        let outcome = decode_response(a.message_code(), &a.content).unwrap();
        match success {
            Some(v) => assert_eq!(outcome, ResponseOutcome::Success(v), "{stem}"),
            None => assert!(outcome.is_failure(), "{stem}: {outcome:?}"),
        }
        let class = classify_response(a.message_code(), &a.content);
        assert_eq!(
            matches!(class, usecases::ResponseClass::Failure(_)),
            stem.contains("ERROR"),
            "{stem}: {class:?}"
        );
    }
}

#[test]
fn decoders_refuse_what_is_not_the_use_case() {
    // ECS30 carries one entry: ECS30a's quarterly calendar under ECS30's code is refused,
    // and the builders refuse it too.
    let quarterly = at(
        0,
        ElecPeriodicity::Quarterly {
            day: 1,
            start_month: 1,
        },
    );
    assert!(usecases::ecs30_set_billing_calendar(&h(1), &quarterly).is_err());
    assert!(usecases::ecs30a_set_billing_calendar(&h(1), &[]).is_err());
    let mut pre = apdu("6.8_ECS30a", "ECS30a_6.8_SUCCESS_PRECOMMAND_GBCS.HEX");
    pre.other_info.message_code = usecases::ecs30::MESSAGE_CODE;
    assert!(decode_command(&pre).is_err());
    // Values outside the GBCS ranges: day 29, hour 24, a year, day of month and week both.
    let base = vector("6.8_ECS30", "ECS30_6.8_SUCCESS_PRECOMMAND_GBCS.HEX");
    let hex = hex::encode_upper(&base);
    for (from, to) in [
        ("0C0000000905FFFFFF01FF", "0C0000000905FFFFFF1DFF"),
        ("0C0000000905FFFFFF01FF", "180000000905FFFFFF01FF"),
        ("0C0000000905FFFFFF01FF", "0C000000090507EAFF01FF"),
        ("0C0000000905FFFFFF01FF", "0C0000000905FFFFFF0101"),
        ("0C0000000905FFFFFF01FF", "0C0000000905FFFF0D01FF"),
    ] {
        assert!(hex.contains(from));
        let bad = hex::decode(hex.replace(from, to)).unwrap();
        let a = GeneralSigning::decode(&bad).unwrap();
        assert!(decode_command(&a).is_err(), "{to}");
    }
}

// ---------------------------------------------------------------------------------------------
// The GSME: GCS25, GCS25a, GCS21d, GCS21k.

use gbcs::usecases::gas_billing_calendar::{GasBillingPeriod, GasPeriodicity};

const GSME: u64 = 0x00db_1234_5678_90a1;
/// The issuer event id of the RTDS GSME vectors (2015-01-01T00:00:00Z).
const ISSUER_EVENT_ID: u32 = 0x1C37_4A80;
/// 2015-02-01T00:00:00Z in ZigBee time.
const FEB_2015: u32 = 0x1C60_2900;

fn hg(counter: u64) -> CommandHeader {
    CommandHeader::new(Eui64::from_u64(SUPPLIER), Eui64::from_u64(GSME), counter)
}

#[test]
fn gas_set_builders_reproduce_the_rtds_precommands_and_commands() {
    let ks = Keystore::load();
    let p = |start, per| GasBillingPeriod::from_duis(ISSUER_EVENT_ID, start, per);
    for (dir, stem, counter, period) in [
        (
            "6.8_GCS25",
            "GCS25_6.8_SUCCESS",
            1002,
            p(FEB_2015, GasPeriodicity::Monthly),
        ),
        (
            "6.8_GCS25",
            "GCS25_6.8_ERROR",
            1004,
            p(FEB_2015, GasPeriodicity::Monthly),
        ),
        (
            "6.8_GCS25a",
            "GCS25a_6.8_SUCCESS",
            1004,
            p(ISSUER_EVENT_ID, GasPeriodicity::SixMonthly),
        ),
        (
            "6.8_GCS25a",
            "GCS25a_6.8_ERROR",
            1007,
            p(FEB_2015, GasPeriodicity::Quarterly),
        ),
    ] {
        let a = dir.ends_with('a');
        let built = if a {
            usecases::gcs25a_set_billing_calendar(&hg(counter), &period).unwrap()
        } else {
            usecases::gcs25_set_billing_calendar(&hg(counter), &period).unwrap()
        };
        assert!(built.is_precommand());
        let pre = vector(dir, &format!("{stem}_PRECOMMAND_GBCS.HEX"));
        assert_eq!(
            hex::encode_upper(built.encode()),
            hex::encode_upper(&pre),
            "{stem}"
        );
        let rtds_cmd = vector(dir, &format!("{stem}_COMMAND_GBCS.HEX"));
        let Ok(Frame::Ciphered(c)) = Frame::decode(&rtds_cmd) else {
            panic!("{stem}: command not DD")
        };
        let SignatureField::Signed(sig) = c.apdu.signature else {
            panic!("{stem}: not signed")
        };
        let signed = built.with_signature(sig);
        let peer = ks.ka_public.get(&signed.recipient).unwrap();
        let wrapped = wrap_command(signed, ks.acb_ka(), peer).unwrap().encode();
        assert_eq!(
            hex::encode_upper(wrapped),
            hex::encode_upper(rtds_cmd),
            "{stem}"
        );
        for kind in ["PRECOMMAND", "COMMAND"] {
            let d = decode_command(&apdu(dir, &format!("{stem}_{kind}_GBCS.HEX"))).unwrap();
            let expected = if a {
                DecodedCommand::Gcs25a(period)
            } else {
                DecodedCommand::Gcs25(period)
            };
            assert_eq!(d, expected, "{stem} {kind}");
        }
    }
}

#[test]
fn gas_reads_and_every_gas_response() {
    let ks = Keystore::load();
    for (dir, stem, counter) in [
        ("6.2.3_GCS21d", "GCS21d_6.2.3_SUCCESS", 1001),
        ("6.2.3_GCS21d", "GCS21d_6.2.3_ERROR", 1003),
        ("6.2.3_GCS21k", "GCS21k_6.2.3_SUCCESS", 1001),
        ("6.2.3_GCS21k", "GCS21k_6.2.3_ERROR", 1004),
    ] {
        let built = if dir.ends_with('k') {
            usecases::gcs21k_read_billing_calendar(&hg(counter)).unwrap()
        } else {
            usecases::gcs21d_read_billing_calendar(&hg(counter)).unwrap()
        };
        let peer = ks.ka_public.get(&built.recipient).unwrap();
        let wrapped = wrap_command(built, ks.acb_ka(), peer).unwrap().encode();
        let file = format!("{stem}_COMMAND_GBCS.HEX");
        assert_eq!(
            hex::encode_upper(wrapped),
            hex::encode_upper(vector(dir, &file)),
            "{stem}"
        );
        assert!(matches!(
            decode_command(&apdu(dir, &file)).unwrap(),
            DecodedCommand::Gcs21d | DecodedCommand::Gcs21k
        ));
    }
    let weekly = GasBillingPeriod {
        issuer_event_id: ISSUER_EVENT_ID,
        start: 0x1A56_1700,
        duration: 1,
        duration_type: 0x22,
    };
    let six = GasBillingPeriod {
        duration: 6,
        duration_type: 0x23,
        ..weekly
    };
    for (dir, stem, success) in [
        ("6.8_GCS25", "GCS25_6.8_SUCCESS", Some(ResponseValue::Done)),
        ("6.8_GCS25", "GCS25_6.8_ERROR", None),
        (
            "6.8_GCS25a",
            "GCS25a_6.8_SUCCESS",
            Some(ResponseValue::Done),
        ),
        ("6.8_GCS25a", "GCS25a_6.8_ERROR", None),
        (
            "6.2.3_GCS21d",
            "GCS21d_6.2.3_SUCCESS",
            Some(ResponseValue::GasBillingPeriod(weekly)),
        ),
        ("6.2.3_GCS21d", "GCS21d_6.2.3_ERROR", None),
        (
            "6.2.3_GCS21k",
            "GCS21k_6.2.3_SUCCESS",
            Some(ResponseValue::GasBillingPeriod(six)),
        ),
        ("6.2.3_GCS21k", "GCS21k_6.2.3_ERROR", None),
    ] {
        let a = apdu(dir, &format!("{stem}_RESPONSE_GBCS.HEX"));
        let outcome = decode_response(a.message_code(), &a.content).unwrap();
        match success {
            Some(v) => assert_eq!(outcome, ResponseOutcome::Success(v), "{stem}"),
            None => assert!(outcome.is_failure(), "{stem}: {outcome:?}"),
        }
    }
    // A period DUIS cannot state (two weeks) is refused by the builder.
    let bad = GasBillingPeriod {
        duration: 2,
        duration_type: 0x22,
        ..weekly
    };
    assert!(usecases::gcs25a_set_billing_calendar(&hg(1), &bad).is_err());
}
