//! Families 1 and 2 (prepayment and payment mode: 1.7 ECS05, 2.5 ECS09 and GCS06) against the
//! RTDS 4.5.0 vectors: each builder reproduces the RTDS PRECOMMAND byte for byte (SUCCESS and
//! ERROR counters), the RTDS user signature over it verifies and the wrapped command equals the
//! RTDS COMMAND; every RTDS COMMAND and PRECOMMAND decodes strictly to the use case's
//! parameters; every RESPONSE decodes and is classified (SUCCESS done, ERROR the device's
//! failure).

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, rtds_dir, vector};
use gbcs::usecases::{
    self, CommandHeader, DecodedCommand, Failure, ResponseOutcome, ResponseValue,
    SelectEmergencyCredit, classify_response, decode_command, decode_response,
};
use gbcs::{Eui64, Frame, GeneralSigning, SignatureField, wrap_command};

const SUPPLIER: u64 = 0x90b3_d51f_3001_0000;
const ESME: u64 = 0x00db_1234_5678_90a0;
const GSME: u64 = 0x00db_1234_5678_90a1;

fn h(orig: u64, recip: u64, counter: u64) -> CommandHeader {
    CommandHeader::new(Eui64::from_u64(orig), Eui64::from_u64(recip), counter)
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

/// The built pre-command equals the RTDS PRECOMMAND; with the RTDS signature it verifies
/// against the supplier's DS certificate, and wrapped it equals the RTDS COMMAND.
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

#[test]
fn activate_emergency_credit_builders_are_byte_exact() {
    let ks = Keystore::load();
    for (stem, counter) in [("SUCCESS", 1000), ("ERROR", 1001)] {
        check_critical(
            &ks,
            "2.5_ECS09",
            &format!("ECS09_2.5_{stem}"),
            usecases::ecs09_activate_emergency_credit(&h(SUPPLIER, ESME, counter)),
        );
        check_critical(
            &ks,
            "2.5_GCS06",
            &format!("GCS06_2.5_{stem}"),
            usecases::gcs06_activate_emergency_credit(&h(SUPPLIER, GSME, counter)).unwrap(),
        );
    }
}

/// Every COMMAND and PRECOMMAND of `dir` decodes to `expected`.
fn check_commands(dir: &str, expected: &DecodedCommand) {
    let mut names = files(dir, "COMMAND");
    names.extend(files(dir, "PRECOMMAND"));
    for file in names {
        let a = apdu(dir, &file);
        let decoded = decode_command(&a).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(&decoded, expected, "{file}");
        assert_eq!(decoded.spec().message_code, a.message_code(), "{file}");
        assert!(decoded.spec().critical, "{file}");
    }
}

/// Every RESPONSE of `dir`: SUCCESS decodes to `success`, ERROR to `failure`, and the
/// classification agrees.
fn check_responses(dir: &str, success: &ResponseOutcome, failure: &ResponseOutcome) {
    for file in files(dir, "RESPONSE") {
        let a = apdu(dir, &file);
        let code = a.message_code();
        let outcome = decode_response(code, &a.content).unwrap_or_else(|e| panic!("{file}: {e}"));
        let error = file.contains("ERROR");
        assert_eq!(&outcome, if error { failure } else { success }, "{file}");
        assert_eq!(
            classify_response(code, &a.content).is_failure(),
            error,
            "{file}"
        );
    }
}

#[test]
fn reset_tariff_block_counter_matrix_is_byte_exact_and_decodes() {
    let ks = Keystore::load();
    for (stem, counter) in [("SUCCESS", 1000), ("ERROR", 1001)] {
        check_critical(
            &ks,
            "1.7_ECS05",
            &format!("ECS05_1.7_{stem}"),
            usecases::ecs05_reset_tariff_block_counter_matrix(&h(SUPPLIER, ESME, counter)),
        );
    }
    check_commands("1.7_ECS05", &DecodedCommand::Ecs05);
    check_responses(
        "1.7_ECS05",
        &ResponseOutcome::Success(ResponseValue::Done),
        &ResponseOutcome::Failure(Failure::Dlms {
            index: 0,
            result: 1,
        }),
    );
    // Another script of the table, or the disconnect script table's.
    let hd = h(SUPPLIER, ESME, 9);
    let mut a = usecases::ecs05_reset_tariff_block_counter_matrix(&hd);
    let last = a.content.len() - 1;
    a.content[last] = 0x64;
    assert!(decode_command(&a).is_err());
    let mut a = usecases::ecs43_disable_supply(&hd);
    a.other_info = gbcs::OtherInfo::code(gbcs::MessageCode::ECS05);
    assert!(decode_command(&a).is_err());
}

#[test]
fn activate_emergency_credit_vectors_decode() {
    check_commands("2.5_ECS09", &DecodedCommand::Ecs09);
    check_commands(
        "2.5_GCS06",
        &DecodedCommand::Gcs06(SelectEmergencyCredit {
            issue_date_time: 0,
            originating_device: 0,
        }),
    );
    let done = ResponseOutcome::Success(ResponseValue::Done);
    check_responses(
        "2.5_ECS09",
        &done,
        &ResponseOutcome::Failure(Failure::Dlms {
            index: 0,
            result: 1,
        }),
    );
    check_responses(
        "2.5_GCS06",
        &done,
        &ResponseOutcome::Failure(Failure::ZclDefaultResponse {
            command: 0x00,
            status: 0xC0,
        }),
    );
}

#[test]
fn activate_emergency_credit_decoders_are_strict() {
    let hd = h(SUPPLIER, ESME, 9);
    // ECS09 with another parameter, or relabelled as another use case's payload.
    let mut a = usecases::ecs09_activate_emergency_credit(&hd);
    let last = a.content.len() - 1;
    a.content[last] = 1;
    assert!(decode_command(&a).is_err());
    let mut a = usecases::ecs43_disable_supply(&hd);
    a.other_info = gbcs::OtherInfo::code(gbcs::MessageCode::ECS09);
    assert!(decode_command(&a).is_err());
    // GCS06 with a short payload, or another command of the cluster.
    let good = usecases::gcs06_activate_emergency_credit(&h(SUPPLIER, GSME, 9)).unwrap();
    let mut a = good.clone();
    a.content.pop();
    assert!(decode_command(&a).is_err());
    let mut a = good.clone();
    // The ZCL command id follows frame control and sequence, 3 bytes before the payload.
    let at = a.content.len() - 6;
    a.content[at] = 0x01;
    assert!(decode_command(&a).is_err());
    assert!(decode_command(&good).is_ok());
}

/// The debt update every RTDS 2.3 ECS07 vector carries.
fn rtds_esme_debt() -> usecases::EsmeDebtUpdate {
    usecases::EsmeDebtUpdate {
        time_debt_rates: [3, 15],
        time_debt_price_scales: [-1, -1],
        time_debt_periods: [86_400, 86_400],
        debt_recovery_per_payment: 1000,
        payment_debt_adjustment: 50_000,
        time_debt_adjustments: [30_000, 15_000],
    }
}

/// The three Change Debt commands every RTDS 2.3 GCS04 vector carries.
fn rtds_gsme_debts() -> [usecases::ChangeDebt; 3] {
    let d = |amount, recovery_method, amount_type, frequency, recovery_amount, pct| {
        usecases::ChangeDebt {
            issuer_event_id: 0x1C37_4A80,
            label: Vec::new(),
            amount,
            recovery_method,
            amount_type,
            start_time: 0,
            collection_time: 0,
            frequency,
            recovery_amount,
            balance_percentage: pct,
        }
    };
    [
        d(1_000_000, 0, 1, 1, 50_000, 0),
        d(500_000, 0, 3, 0, 50_000, 0),
        d(1_000_000, 1, 5, 1, 0, 100),
    ]
}

#[test]
fn update_debt_builders_are_byte_exact() {
    let ks = Keystore::load();
    for (stem, esme_counter, gsme_counter) in [("SUCCESS", 1001, 1000), ("ERROR", 1004, 1005)] {
        check_critical(
            &ks,
            "2.3_ECS07",
            &format!("ECS07_2.3_{stem}"),
            usecases::ecs07_update_debt(&h(SUPPLIER, ESME, esme_counter), &rtds_esme_debt()),
        );
        check_critical(
            &ks,
            "2.3_GCS04",
            &format!("GCS04_2.3_{stem}"),
            usecases::gcs04_update_debt(&h(SUPPLIER, GSME, gsme_counter), &rtds_gsme_debts())
                .unwrap(),
        );
    }
}

#[test]
fn update_debt_vectors_decode() {
    check_commands("2.3_ECS07", &DecodedCommand::Ecs07(rtds_esme_debt()));
    check_commands(
        "2.3_GCS04",
        &DecodedCommand::Gcs04(Box::new(rtds_gsme_debts())),
    );
    let done = ResponseOutcome::Success(ResponseValue::Done);
    check_responses(
        "2.3_ECS07",
        &done,
        &ResponseOutcome::Failure(Failure::Dlms {
            index: 8,
            result: 1,
        }),
    );
    check_responses(
        "2.3_GCS04",
        &done,
        &ResponseOutcome::Failure(Failure::ZclDefaultResponse {
            command: 0x02,
            status: 0xC0,
        }),
    );
}

#[test]
fn update_debt_decoders_are_strict() {
    let hd = h(SUPPLIER, ESME, 9);
    let good = usecases::ecs07_update_debt(&hd, &rtds_esme_debt());
    assert!(decode_command(&good).is_ok());
    // The activation parameter is not 0.
    let mut a = good.clone();
    let i = a
        .content
        .windows(4)
        .position(|w| w == [0x0F, 0x00, 0x0F, 0x00])
        .unwrap();
    a.content[i + 1] = 1;
    assert!(decode_command(&a).is_err());
    // Another use case's payload relabelled.
    let mut a = usecases::ecs09_activate_emergency_credit(&hd);
    a.other_info = gbcs::OtherInfo::code(gbcs::MessageCode::ECS07);
    assert!(decode_command(&a).is_err());
    // GCS04: a label over 12 octets cannot be built; a truncated payload or one command fewer
    // does not decode.
    let hg = h(SUPPLIER, GSME, 9);
    let mut long = rtds_gsme_debts();
    long[0].label = vec![b'x'; 13];
    assert!(usecases::gcs04_update_debt(&hg, &long).is_err());
    let mut labelled = rtds_gsme_debts();
    labelled[1].label = b"ARREARS".to_vec();
    let a = usecases::gcs04_update_debt(&hg, &labelled).unwrap();
    assert_eq!(
        decode_command(&a).unwrap(),
        DecodedCommand::Gcs04(Box::new(labelled))
    );
    let good = usecases::gcs04_update_debt(&hg, &rtds_gsme_debts()).unwrap();
    let mut a = good.clone();
    a.content.pop();
    assert!(decode_command(&a).is_err());
    let mut a = usecases::gcs06_activate_emergency_credit(&hg).unwrap();
    a.other_info = gbcs::OtherInfo::code(gbcs::MessageCode::GCS04);
    assert!(decode_command(&a).is_err());
}
