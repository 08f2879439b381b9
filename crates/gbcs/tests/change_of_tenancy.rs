//! DUIS 3.2 Restrict Access for Change of Tenancy (ECS12 on the ESME, GCS09 on the GPF): each
//! builder against the RTDS commands byte for byte (with the ACB MAC), every RTDS command
//! decoding strictly to its parameters, every RTDS response (SUCCESS and ERROR) decoding and
//! classifying, and commands outside the use cases' formats refused.
//!
//! The RTDS vectors are generated independently of the DUIS templates: the ECS12 vector
//! restricts from 2014-03-27T15:45:32Z (as its template), the GCS09 vector from the ZigBee
//! instant `0x1FC66E20` (2016-11-22), not its template's 2015-02-01: each test uses the
//! vector's own values.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, apdu, check_command};
use gbcs::usecases::{
    self, CommandDecodeError, CommandHeader, DecodedCommand, Failure, ResponseOutcome,
    ResponseValue, TenancyChange, classify_response, decode_command, decode_response,
};
use gbcs::{Eui64, GeneralSigning, UtcDateTime};

const SUPPLIER: u64 = 0x90b3_d51f_3001_0000;
const ESME: u64 = 0x00db_1234_5678_90a0;
const GPF: u64 = 0x00db_1234_5678_90a3;

fn h(recip: u64, counter: u64) -> CommandHeader {
    CommandHeader::new(Eui64::from_u64(SUPPLIER), Eui64::from_u64(recip), counter)
}

fn ecs12_restriction() -> UtcDateTime {
    UtcDateTime::new(2014, 3, 27, 15, 45, 32).unwrap()
}

fn gcs09_change() -> TenancyChange {
    TenancyChange {
        // The RTDS issuer event id: the ZigBee UTC time of 2015-01-01T00:00:00Z.
        issuer_event_id: usecases::issuer_event_id(UtcDateTime::new(2015, 1, 1, 0, 0, 0).unwrap())
            .unwrap(),
        restriction: UtcDateTime::from_zigbee_utc(0x1FC6_6E20).unwrap(),
    }
}

#[test]
fn builders_reproduce_the_rtds_commands() {
    let ks = Keystore::load();
    for (counter, kind) in [(1000, "SUCCESS"), (1002, "ERROR")] {
        let file = format!("ECS12_3.2_{kind}_COMMAND_GBCS.HEX");
        let b = usecases::ecs12_restrict_access(&h(ESME, counter), ecs12_restriction());
        check_command(&ks, "3.2_ECS12", &file, b);
    }
    let c = gcs09_change();
    assert_eq!(
        c.restriction,
        UtcDateTime::new(2016, 11, 22, 0, 0, 0)
            .unwrap()
            .plus_seconds(u32::try_from(c.restriction.to_unix() % 86_400).unwrap())
            .unwrap()
    );
    let b =
        usecases::gcs09_restrict_access(&h(GPF, 1000), c.issuer_event_id, c.restriction).unwrap();
    check_command(&ks, "3.2_GCS09", "GCS09_3.2_SUCCESS_COMMAND_GBCS.HEX", b);
}

#[test]
fn rtds_commands_decode_to_their_parameters() {
    for kind in ["SUCCESS", "ERROR"] {
        let a = apdu("3.2_ECS12", &format!("ECS12_3.2_{kind}_COMMAND_GBCS.HEX"));
        assert_eq!(
            decode_command(&a).unwrap(),
            DecodedCommand::Ecs12(ecs12_restriction())
        );
    }
    let a = apdu("3.2_GCS09", "GCS09_3.2_SUCCESS_COMMAND_GBCS.HEX");
    assert_eq!(
        decode_command(&a).unwrap(),
        DecodedCommand::Gcs09(gcs09_change())
    );
}

#[test]
fn rtds_responses_decode_and_classify() {
    for (dir, stem) in [("3.2_ECS12", "ECS12_3.2"), ("3.2_GCS09", "GCS09_3.2")] {
        let a = apdu(dir, &format!("{stem}_SUCCESS_RESPONSE_GBCS.HEX"));
        let code = a.message_code();
        assert_eq!(
            decode_response(code, &a.content).unwrap(),
            ResponseOutcome::Success(ResponseValue::Done),
            "{stem}"
        );
        assert!(!classify_response(code, &a.content).is_failure(), "{stem}");
    }
    let a = apdu("3.2_ECS12", "ECS12_3.2_ERROR_RESPONSE_GBCS.HEX");
    let code = a.message_code();
    assert_eq!(
        decode_response(code, &a.content).unwrap(),
        ResponseOutcome::Failure(Failure::Dlms {
            index: 0,
            result: 1
        })
    );
    assert!(classify_response(code, &a.content).is_failure());
}

#[test]
fn builder_output_decodes_to_the_builder_parameters() {
    let t = UtcDateTime::new(2031, 12, 31, 23, 59, 59).unwrap();
    let b = usecases::ecs12_restrict_access(&h(ESME, 1 << 40), t);
    assert_eq!(decode_command(&b).unwrap(), DecodedCommand::Ecs12(t));
    let b = usecases::gcs09_restrict_access(&h(GPF, 9), 7, t).unwrap();
    assert_eq!(
        decode_command(&b).unwrap(),
        DecodedCommand::Gcs09(TenancyChange {
            issuer_event_id: 7,
            restriction: t
        })
    );
    // The ZigBee epoch itself means "now" in ZSE: not a restriction instant.
    let epoch = UtcDateTime::new(2000, 1, 1, 0, 0, 0).unwrap();
    assert!(usecases::gcs09_restrict_access(&h(GPF, 9), 7, epoch).is_err());
    let before = UtcDateTime::new(1999, 12, 31, 0, 0, 0).unwrap();
    assert!(usecases::gcs09_restrict_access(&h(GPF, 9), 7, before).is_err());
}

#[test]
fn commands_outside_the_formats_do_not_decode() {
    let bad = |a: &GeneralSigning, uc: &str| match decode_command(a) {
        Err(CommandDecodeError::Format { use_case, .. }) if use_case == uc => {}
        Err(CommandDecodeError::Payload(_)) => {}
        other => panic!("{uc}: {other:?}"),
    };
    let t = ecs12_restriction();
    // ECS12 with a wildcard in the date (the month "not specified").
    let mut a = usecases::ecs12_restrict_access(&h(ESME, 9), t);
    let date = [0x07, 0xDE, 0x03, 0x1B];
    let at = a.content.windows(4).position(|w| w == date).unwrap() + 2;
    a.content[at] = 0xFF;
    bad(&a, "ECS12");
    // ECS12 whose counter is not the invoke id.
    let mut a = usecases::ecs12_restrict_access(&h(ESME, 9), t);
    a.counter = 10;
    bad(&a, "ECS12");
    // GCS09 with another change control.
    let mut a = usecases::gcs09_restrict_access(&h(GPF, 9), 7, t).unwrap();
    let n = a.content.len();
    a.content[n - 3] = 0x03;
    bad(&a, "GCS09");
    // GCS09 implemented "now" (0).
    let mut a = usecases::gcs09_restrict_access(&h(GPF, 9), 7, t).unwrap();
    let n = a.content.len();
    a.content[n - 8..n - 4].copy_from_slice(&[0; 4]);
    bad(&a, "GCS09");
    // GCS09 one byte short.
    let mut a = usecases::gcs09_restrict_access(&h(GPF, 9), 7, t).unwrap();
    a.content.pop();
    bad(&a, "GCS09");
}
