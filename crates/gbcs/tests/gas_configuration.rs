//! 6.6 Update Device Configuration (Gas Conversion), 6.7 (Gas Flow) and 6.2.8 Read Device
//! Configuration (Gas) on the GSME (GCS23, GCS24, GCS24a, GCS21a) against the RTDS 4.5.0
//! vectors: builders byte-exact on the PRECOMMAND / COMMAND, commands decode to the DUIS
//! template's values, every RESPONSE decodes and classifies, decoders refuse what is not the
//! use case's.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, vector};
use gbcs::usecases::gas_configuration::{GasConversion, GasFlow, SUPPLY_UNCHANGED};
use gbcs::usecases::{
    self, CommandHeader, DecodedCommand, ResponseOutcome, classify_response, decode_command,
    decode_response,
};
use gbcs::{Eui64, Frame, GeneralSigning, SignatureField, wrap_command};

const SUPPLIER: u64 = 0x90b3_d51f_3001_0000;
const GSME: u64 = 0x00db_1234_5678_90a1;
const ISSUER: u32 = 0x1C37_4A80;

fn h(counter: u64) -> CommandHeader {
    CommandHeader::new(Eui64::from_u64(SUPPLIER), Eui64::from_u64(GSME), counter)
}

fn apdu(dir: &str, file: &str) -> GeneralSigning {
    let b = vector(dir, file);
    match Frame::decode(&b) {
        Ok(f) => f.apdu().clone(),
        Err(_) => GeneralSigning::decode(&b).unwrap(),
    }
}

fn conversion(conversion_factor: u32, calorific_value: u32) -> GasConversion {
    GasConversion {
        issuer_event_id: ISSUER,
        conversion_factor,
        calorific_value,
    }
}

fn flow(divisor: u16) -> GasFlow {
    GasFlow {
        issuer_event_id: ISSUER,
        threshold: 61680,
        divisor,
        stabilisation_period: 60,
        measurement_period: 300,
        tamper_state: SUPPLY_UNCHANGED,
        depletion_state: SUPPLY_UNCHANGED,
    }
}

fn check_signed(dir: &str, stem: &str, built: GeneralSigning, expected: &DecodedCommand) {
    let ks = Keystore::load();
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
        assert_eq!(&d, expected, "{stem} {kind}");
    }
}

#[test]
fn set_builders_reproduce_the_rtds_vectors() {
    for (stem, counter, c) in [
        ("GCS23_6.6_SUCCESS", 1000, conversion(102_264, 400)),
        ("GCS23_6.6_ERROR", 1004, conversion(123_456, 123)),
    ] {
        let built = usecases::gcs23_update_gas_conversion(&h(counter), &c).unwrap();
        check_signed("6.6_GCS23", stem, built, &DecodedCommand::Gcs23(c));
    }
    let f = flow(1);
    let built = usecases::gcs24_update_gas_flow(&h(1002), &f).unwrap();
    check_signed(
        "6.7_GCS24",
        "GCS24_6.7_SUCCESS",
        built,
        &DecodedCommand::Gcs24(f),
    );
    let f = flow(10_000);
    let built = usecases::gcs24a_update_gas_flow(&h(1002), &f).unwrap();
    check_signed(
        "6.7_GCS24a",
        "GCS24a_6.7_SUCCESS",
        built,
        &DecodedCommand::Gcs24a(f),
    );
    // A flow out of its GBCS range, or with the other use case's divisor, is not built.
    let mut bad = flow(1);
    bad.stabilisation_period = 0;
    assert!(usecases::gcs24_update_gas_flow(&h(1), &bad).is_err());
    assert!(usecases::gcs24_update_gas_flow(&h(1), &flow(10_000)).is_err());
    assert!(usecases::gcs24a_update_gas_flow(&h(1), &flow(1)).is_err());
}

#[test]
fn read_builder_reproduces_the_rtds_commands() {
    let ks = Keystore::load();
    for (stem, counter) in [("GCS21a_6.2.8_SUCCESS", 1001), ("GCS21a_6.2.8_ERROR", 1003)] {
        let built = usecases::gcs21a_read_gas_configuration(&h(counter)).unwrap();
        assert_eq!(built.signature, SignatureField::Unsigned);
        let peer = ks.ka_public.get(&built.recipient).unwrap();
        let wrapped = wrap_command(built, ks.acb_ka(), peer).unwrap().encode();
        let file = format!("{stem}_COMMAND_GBCS.HEX");
        assert_eq!(
            hex::encode_upper(wrapped),
            hex::encode_upper(vector("6.2.8_GCS21a", &file)),
            "{stem}"
        );
        let d = decode_command(&apdu("6.2.8_GCS21a", &file)).unwrap();
        assert!(matches!(d, DecodedCommand::Gcs21a(_)), "{d:?}");
    }
}

#[test]
fn every_response_decodes_and_classifies() {
    for (dir, stem) in [
        ("6.6_GCS23", "GCS23_6.6_SUCCESS"),
        ("6.6_GCS23", "GCS23_6.6_ERROR"),
        ("6.7_GCS24", "GCS24_6.7_SUCCESS"),
        ("6.7_GCS24a", "GCS24a_6.7_SUCCESS"),
        ("6.2.8_GCS21a", "GCS21a_6.2.8_SUCCESS"),
        ("6.2.8_GCS21a", "GCS21a_6.2.8_ERROR"),
    ] {
        let a = apdu(dir, &format!("{stem}_RESPONSE_GBCS.HEX"));
        let outcome = decode_response(a.message_code(), &a.content).unwrap();
        assert_eq!(
            outcome.is_failure(),
            stem.contains("ERROR"),
            "{stem}: {outcome:?}"
        );
        if stem.starts_with("GCS2") && !stem.starts_with("GCS21a") && !stem.contains("ERROR") {
            assert!(matches!(outcome, ResponseOutcome::Success(_)));
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
    // A GCS24 body under the GCS24a code (divisor 1) is refused, and vice versa.
    let a = apdu("6.7_GCS24", "GCS24_6.7_SUCCESS_PRECOMMAND_GBCS.HEX");
    let mut b = a.clone();
    b.content = apdu("6.7_GCS24a", "GCS24a_6.7_SUCCESS_PRECOMMAND_GBCS.HEX").content;
    assert!(decode_command(&b).is_err());
    // A truncated conversion is refused.
    let mut c = apdu("6.6_GCS23", "GCS23_6.6_SUCCESS_PRECOMMAND_GBCS.HEX");
    c.content.pop();
    assert!(decode_command(&c).is_err());
    // A read set with the GCS23 code is refused.
    let mut d = apdu("6.2.8_GCS21a", "GCS21a_6.2.8_SUCCESS_COMMAND_GBCS.HEX");
    d.other_info.message_code = gbcs::usecases::gcs23::MESSAGE_CODE;
    assert!(decode_command(&d).is_err());
    let _ = a;
}
