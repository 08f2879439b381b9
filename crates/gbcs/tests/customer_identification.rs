//! DUIS 9.1 Request Customer Identification Number (ECS50, GCS36): each builder against the
//! RTDS commands byte for byte (the ACB originating for the Other User, with the ACB MAC), every
//! RTDS command decoding strictly to its CIN, every RTDS response (SUCCESS and ERROR) decoding
//! and classifying, and commands outside the use cases' formats refused.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, apdu, check_command};
use gbcs::usecases::{
    self, Cin, CinUpdate, CommandHeader, DecodedCommand, Failure, ResponseOutcome, ResponseValue,
    classify_response, decode_command, decode_response,
};
use gbcs::{Eui64, UtcDateTime};

const ACB: u64 = 0x90b3_d51f_3000_0002;
const OTHER_USER: u64 = 0x90b3_d51f_3001_0000;
const ESME: u64 = 0x00db_1234_5678_90a0;
const GSME: u64 = 0x00db_1234_5678_90a1;

/// The ACB's command (counter `counter`) for the Other User's request `user_counter`.
fn h(recip: u64, counter: u64, user_counter: u64) -> CommandHeader {
    CommandHeader::on_behalf_of(
        Eui64::from_u64(ACB),
        Eui64::from_u64(recip),
        counter,
        Eui64::from_u64(OTHER_USER),
        user_counter,
    )
}

fn cin() -> Cin {
    Cin::new(b"1234").unwrap()
}

/// The RTDS issuer event id: the ZigBee UTC time of 2015-01-01T00:00:00Z.
fn rtds_event_id() -> u32 {
    usecases::issuer_event_id(UtcDateTime::new(2015, 1, 1, 0, 0, 0).unwrap()).unwrap()
}

#[test]
fn builders_reproduce_the_rtds_commands() {
    let ks = Keystore::load();
    for (counter, user_counter, kind) in [(0x514, 1000, "SUCCESS"), (0x515, 1001, "ERROR")] {
        let b = usecases::ecs50_send_cin(&h(ESME, counter, user_counter), cin());
        check_command(
            &ks,
            "9.1_ECS50",
            &format!("ECS50_9.1_{kind}_COMMAND_GBCS.HEX"),
            b,
        );
        let b = usecases::gcs36_send_cin(&h(GSME, counter, user_counter), rtds_event_id(), cin())
            .unwrap();
        check_command(
            &ks,
            "9.1_GCS36",
            &format!("GCS36_9.1_{kind}_COMMAND_GBCS.HEX"),
            b,
        );
    }
}

#[test]
fn rtds_commands_decode_to_their_cin() {
    for kind in ["SUCCESS", "ERROR"] {
        let a = apdu("9.1_ECS50", &format!("ECS50_9.1_{kind}_COMMAND_GBCS.HEX"));
        assert_eq!(decode_command(&a).unwrap(), DecodedCommand::Ecs50(cin()));
        let a = apdu("9.1_GCS36", &format!("GCS36_9.1_{kind}_COMMAND_GBCS.HEX"));
        assert_eq!(
            decode_command(&a).unwrap(),
            DecodedCommand::Gcs36(CinUpdate {
                issuer_event_id: rtds_event_id(),
                cin: cin()
            })
        );
    }
}

#[test]
fn rtds_responses_decode_and_classify() {
    let cases = [
        (
            "9.1_ECS50",
            "ECS50_9.1",
            Failure::Dlms {
                index: 0,
                result: 1,
            },
        ),
        (
            "9.1_GCS36",
            "GCS36_9.1",
            Failure::ZclDefaultResponse {
                command: 0x06,
                status: 0xC0,
            },
        ),
    ];
    for (dir, stem, failure) in cases {
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
fn commands_outside_the_format_do_not_decode() {
    let h = h(ESME, 7, 8);
    // A CIN that is not four digits, built by hand around the builders.
    for bad in [&b"12a4"[..], b"123", b"12345"] {
        let mut a = usecases::ecs50_send_cin(&h, cin());
        let at = a.content.windows(4).position(|w| w == b"1234").unwrap();
        a.content
            .splice(at - 1..at + 4, [&[bad.len() as u8][..], bad].concat());
        assert!(decode_command(&a).is_err(), "{bad:?}");
        let mut g = usecases::gcs36_send_cin(&h, 1, cin()).unwrap();
        let at = g.content.windows(4).position(|w| w == b"1234").unwrap();
        g.content
            .splice(at - 1..at + 4, [&[bad.len() as u8][..], bad].concat());
        assert!(decode_command(&g).is_err(), "{bad:?}");
    }
    // Not immediate (an implementation time) is not GCS36's format.
    let mut g = usecases::gcs36_send_cin(&h, 1, cin()).unwrap();
    let at = g.content.windows(4).position(|w| w == b"1234").unwrap();
    g.content[at - 9] = 1;
    assert!(decode_command(&g).is_err());
}
