//! DUIS 6.13 Read Event or Security Log, the CHF's logs (ECS35c event log, ECS35d security log,
//! sent by the ACB), the ESME's power event log (ECS35e) and its ALCS / auxiliary controller
//! event log (ECS35f, ECS35g) against the RTDS 4.5.0 vectors: every COMMAND decodes to its
//! period and the builder reproduces it byte for byte (with the ACB MAC); every RESPONSE
//! decodes strictly (SUCCESS to the entries, ERROR to the DLMS failure) and the device's
//! encoding of the decoded entries is the RTDS bytes; other shapes are refused.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, vector};
use gbcs::usecases::event_logs_common::{
    ALCS_ACTION_HCALCS_MESSAGE, ALCS_ACTION_ON, ALCS_OUTCOME_SUCCESS, ALCS_OUTCOME_UNKNOWN,
    alcs_entries_compact_array, entries_compact_array, power_entries_compact_array,
};
use gbcs::usecases::logs_common::{build_log_read, period_of};
use gbcs::usecases::{
    CommandHeader, DecodedCommand, Failure, ResponseOutcome, ResponseValue, classify_response,
    decode_command, decode_response, ecs35a, ecs35e, ecs35f, ecs35g,
};
use gbcs::{Frame, GeneralSigning, wrap_command};

fn apdu(dir: &str, file: &str) -> GeneralSigning {
    Frame::decode(&vector(dir, file)).unwrap().apdu().clone()
}

const CASES: [&str; 5] = ["ECS35c", "ECS35d", "ECS35e", "ECS35f", "ECS35g"];

#[test]
fn commands_decode_to_their_period_and_the_builder_reproduces_them() {
    let ks = Keystore::load();
    for uc in CASES {
        let dir = format!("6.13_{uc}");
        for kind in ["SUCCESS", "ERROR"] {
            let file = format!("{uc}_6.13_{kind}_COMMAND_GBCS.HEX");
            let a = apdu(&dir, &file);
            let d = decode_command(&a).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(d.spec().name, uc);
            let ok = matches!(
                (&d, uc),
                (DecodedCommand::Ecs35c(_), "ECS35c")
                    | (DecodedCommand::Ecs35d(_), "ECS35d")
                    | (DecodedCommand::Ecs35e(_), "ECS35e")
                    | (DecodedCommand::Ecs35f(_), "ECS35f")
                    | (DecodedCommand::Ecs35g(_), "ECS35g")
            );
            assert!(ok, "{file}: {d:?}");
            let period = period_of(&d).unwrap();
            assert!(period.start < period.end, "{file}");
            let h = CommandHeader::of(&a);
            let built = build_log_read(a.message_code(), &h, &period)
                .unwrap()
                .unwrap();
            let peer = ks.ka_public.get(&a.recipient).unwrap();
            let wan = wrap_command(built, ks.acb_ka(), peer).unwrap().encode();
            assert_eq!(
                hex::encode_upper(wan),
                hex::encode_upper(vector(&dir, &file)),
                "{file}"
            );
        }
    }
}

#[test]
fn responses_decode_strictly_and_the_device_encoding_is_the_rtds_bytes() {
    for uc in CASES {
        let dir = format!("6.13_{uc}");
        let a = apdu(&dir, &format!("{uc}_6.13_SUCCESS_RESPONSE_GBCS.HEX"));
        let r = decode_response(a.message_code(), &a.content).unwrap();
        assert!(!classify_response(a.message_code(), &a.content).is_failure());
        let encoded = match (uc, &r) {
            ("ECS35c" | "ECS35d", ResponseOutcome::Success(ResponseValue::EventLogEntries(e))) => {
                assert!(e.len() >= 10, "{uc}: {}", e.len());
                assert_eq!(e[0].time, 0x1C35_F900);
                if uc == "ECS35c" {
                    assert_eq!(e[0].code, 0x8154);
                    assert_eq!(e[0].data.as_deref(), Some(&[0x00, 0x9B][..]));
                } else {
                    assert_eq!(e[0].code, 0x8F12);
                    assert!(e.iter().all(|x| x.data.is_none()));
                }
                entries_compact_array(uc == "ECS35c", e)
            }
            ("ECS35e", ResponseOutcome::Success(ResponseValue::PowerEventLogEntries(e))) => {
                assert_eq!(e.len(), 33);
                assert_eq!((e[0].time, e[0].code, e[0].value), (0x1C35_F900, 0x8002, 1));
                assert_eq!(e[32].code, 0x8F58);
                power_entries_compact_array(e)
            }
            (
                "ECS35f" | "ECS35g",
                ResponseOutcome::Success(ResponseValue::AlcsEventLogEntries(e)),
            ) => {
                assert_eq!(e.len(), 25);
                // Switch 2 commanded on over the HAN (outcome not yet known), then the HCALCS's
                // message with the outcome, the same HAN command id.
                assert_eq!(
                    (e[0].switch, e[0].action, e[0].outcome, e[0].han_command_id),
                    (2, ALCS_ACTION_ON, ALCS_OUTCOME_UNKNOWN, 0x548E_2480)
                );
                assert_eq!(
                    (e[1].switch, e[1].action, e[1].outcome, e[1].han_command_id),
                    (
                        2,
                        ALCS_ACTION_HCALCS_MESSAGE,
                        ALCS_OUTCOME_SUCCESS,
                        0x548E_2480
                    )
                );
                alcs_entries_compact_array(e)
            }
            (_, o) => panic!("{uc}: {o:?}"),
        };
        assert!(
            hex::encode_upper(&a.content).contains(&hex::encode_upper(encoded.encode())),
            "{uc}: the device's encoding is the RTDS bytes"
        );
        let err = apdu(&dir, &format!("{uc}_6.13_ERROR_RESPONSE_GBCS.HEX"));
        let r = decode_response(err.message_code(), &err.content).unwrap();
        assert_eq!(
            r,
            ResponseOutcome::Failure(Failure::Dlms {
                index: 0,
                result: 1
            }),
            "{uc}"
        );
    }
}

fn get_response(d: gbcs::axdr::Data) -> Vec<u8> {
    gbcs::dlms::AccessResponse {
        invoke_id: gbcs::dlms::long_invoke_id(1),
        date_time: Vec::new(),
        request_specs: None,
        data: vec![d],
        results: vec![gbcs::dlms::ResponseSpec::Get(0)],
    }
    .encode()
}

#[test]
fn other_shapes_are_refused() {
    // An event log answer is not a power or ALCS log answer.
    let a = apdu("6.13_ECS35a", "ECS35a_6.13_SUCCESS_RESPONSE_GBCS.HEX");
    assert!(decode_response(ecs35e::CODE, &a.content).is_err());
    assert!(decode_response(ecs35f::CODE, &a.content).is_err());
    // A power log answer is not an event log answer.
    let e = apdu("6.13_ECS35e", "ECS35e_6.13_SUCCESS_RESPONSE_GBCS.HEX");
    assert!(decode_response(ecs35a::CODE, &e.content).is_err());
    // Truncated records and out-of-range switches are refused, not panicked on.
    let cols = |c: &[u8]| {
        gbcs::axdr::TypeDescription::Structure(
            c.iter()
                .map(|&t| gbcs::axdr::TypeDescription::Simple(t))
                .collect(),
        )
    };
    let bad = gbcs::axdr::Data::CompactArray {
        description: cols(&[0x06, 0x12, 0x06]),
        contents: vec![0, 0, 0, 1, 0x80, 0x02, 0, 0],
    };
    assert!(decode_response(ecs35e::CODE, &get_response(bad)).is_err());
    let switch6 = gbcs::axdr::Data::CompactArray {
        description: cols(&[0x06, 0x12, 0x16, 0x06]),
        contents: vec![0, 0, 0, 1, 6, 0x11, 0, 0, 0, 0, 0],
    };
    assert!(decode_response(ecs35g::CODE, &get_response(switch6)).is_err());
    // Empty: a success with no entries.
    let empty = decode_response(ecs35g::CODE, &get_response(alcs_entries_compact_array(&[])));
    assert_eq!(
        empty.unwrap(),
        ResponseOutcome::Success(ResponseValue::AlcsEventLogEntries(Vec::new()))
    );
    // ECS35f's command re-labelled as ECS35e: wrong buffer, refused.
    let mut c = apdu("6.13_ECS35f", "ECS35f_6.13_SUCCESS_COMMAND_GBCS.HEX");
    c.other_info.message_code = ecs35e::CODE;
    assert!(decode_command(&c).is_err());
}
