//! DUIS 3.3 Clear Event Log (CS11 on the GSME, ECS15a and ECS15c on the ESME): each builder
//! against the RTDS commands byte for byte (with the ACB MAC), every RTDS command decoding
//! strictly, every RTDS response (SUCCESS and ERROR) decoding and classifying, and commands
//! outside the use cases' formats refused.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, apdu, check_command};
use gbcs::usecases::{
    self, CommandDecodeError, CommandHeader, DecodedCommand, Failure, ResponseOutcome,
    ResponseValue, classify_response, decode_command, decode_response,
};
use gbcs::{Eui64, GeneralSigning};

const SUPPLIER: u64 = 0x90b3_d51f_3001_0000;
const ESME: u64 = 0x00db_1234_5678_90a0;
const GSME: u64 = 0x00db_1234_5678_90a1;

fn h(recip: u64, counter: u64) -> CommandHeader {
    CommandHeader::new(Eui64::from_u64(SUPPLIER), Eui64::from_u64(recip), counter)
}

#[test]
fn builders_reproduce_the_rtds_commands() {
    let ks = Keystore::load();
    for (counter, kind) in [(1000, "SUCCESS"), (1001, "ERROR")] {
        let b = usecases::cs11_clear_event_log(&h(GSME, counter)).unwrap();
        check_command(
            &ks,
            "3.3_CS11",
            &format!("CS11_3.3_{kind}_COMMAND_GBCS.HEX"),
            b,
        );
        let b = usecases::ecs15a_clear_event_log(&h(ESME, counter));
        check_command(
            &ks,
            "3.3_ECS15a",
            &format!("ECS15a_3.3_{kind}_COMMAND_GBCS.HEX"),
            b,
        );
        let b = usecases::ecs15c_clear_event_log(&h(ESME, counter));
        check_command(
            &ks,
            "3.3_ECS15c",
            &format!("ECS15c_3.3_{kind}_COMMAND_GBCS.HEX"),
            b,
        );
    }
}

#[test]
fn rtds_commands_decode() {
    for kind in ["SUCCESS", "ERROR"] {
        for (dir, stem, want) in [
            ("3.3_CS11", "CS11_3.3", DecodedCommand::Cs11),
            ("3.3_ECS15a", "ECS15a_3.3", DecodedCommand::Ecs15a),
            ("3.3_ECS15c", "ECS15c_3.3", DecodedCommand::Ecs15c),
        ] {
            let a = apdu(dir, &format!("{stem}_{kind}_COMMAND_GBCS.HEX"));
            assert_eq!(decode_command(&a).unwrap(), want, "{stem} {kind}");
        }
    }
}

#[test]
fn rtds_responses_decode_and_classify() {
    let dlms = Failure::Dlms {
        index: 0,
        result: 1,
    };
    for (dir, stem, failure) in [
        ("3.3_CS11", "CS11_3.3", Failure::Result { code: 0 }),
        ("3.3_ECS15a", "ECS15a_3.3", dlms),
        ("3.3_ECS15c", "ECS15c_3.3", dlms),
    ] {
        let a = apdu(dir, &format!("{stem}_SUCCESS_RESPONSE_GBCS.HEX"));
        let code = a.message_code();
        assert_eq!(
            decode_response(code, &a.content).unwrap(),
            ResponseOutcome::Success(ResponseValue::Done),
            "{stem}"
        );
        assert!(!classify_response(code, &a.content).is_failure(), "{stem}");
        let a = apdu(dir, &format!("{stem}_ERROR_RESPONSE_GBCS.HEX"));
        assert_eq!(
            decode_response(code, &a.content).unwrap(),
            ResponseOutcome::Failure(failure),
            "{stem}"
        );
        assert!(classify_response(code, &a.content).is_failure(), "{stem}");
    }
}

#[test]
fn commands_outside_the_formats_do_not_decode() {
    let bad = |a: &GeneralSigning, uc: &str| match decode_command(a) {
        Err(CommandDecodeError::Format { use_case, .. }) if use_case == uc => {}
        Err(CommandDecodeError::Payload(_)) => {}
        other => panic!("{uc}: {other:?}"),
    };
    // CS11 clearing another log (the security log, 4).
    let mut a = usecases::cs11_clear_event_log(&h(GSME, 9)).unwrap();
    let n = a.content.len();
    assert_eq!(a.content[n - 1], 0x03);
    a.content[n - 1] = 0x04;
    bad(&a, "CS11");
    // ECS15a with a non-zero reset parameter.
    let mut a = usecases::ecs15a_clear_event_log(&h(ESME, 9));
    let n = a.content.len();
    assert_eq!(a.content[n - 2..], [0x0F, 0x00]);
    a.content[n - 1] = 1;
    bad(&a, "ECS15a");
    // ECS15c whose counter is not the invoke id.
    let mut a = usecases::ecs15c_clear_event_log(&h(ESME, 9));
    a.counter = 10;
    bad(&a, "ECS15c");
}
