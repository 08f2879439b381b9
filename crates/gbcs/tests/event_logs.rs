//! DUIS 6.13 Read Event or Security Log on the ESME (ECS35a event log, ECS35b security log)
//! against the RTDS 4.5.0 vectors: every COMMAND decodes to its period and the builder
//! reproduces it byte for byte (with the ACB MAC); every RESPONSE decodes (SUCCESS to the
//! entries, ERROR to the DLMS failure); the device's compact array round-trips; other shapes
//! are refused.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, vector};
use gbcs::usecases::event_logs_common::entries_compact_array;
use gbcs::usecases::logs_common::{build_log_read, period_of};
use gbcs::usecases::{
    CommandHeader, DecodedCommand, EventLogEntry, Failure, LogPeriod, ResponseOutcome,
    ResponseValue, classify_response, decode_command, decode_response, ecs35a, ecs35b,
};
use gbcs::{Frame, GeneralSigning, UtcDateTime, wrap_command};

fn apdu(dir: &str, file: &str) -> GeneralSigning {
    Frame::decode(&vector(dir, file)).unwrap().apdu().clone()
}

const CASES: [(&str, &str); 2] = [("6.13_ECS35a", "ECS35a"), ("6.13_ECS35b", "ECS35b")];

fn rtds_period() -> LogPeriod {
    // 2014-12-31T00:00:00Z .. 2015-01-01T00:00:00Z, as the DUIS templates.
    LogPeriod {
        start: UtcDateTime::new(2014, 12, 31, 0, 0, 0).unwrap(),
        end: UtcDateTime::new(2015, 1, 1, 0, 0, 0).unwrap(),
    }
}

#[test]
fn commands_decode_to_their_period_and_the_builder_reproduces_them() {
    let ks = Keystore::load();
    for (dir, uc) in CASES {
        for kind in ["SUCCESS", "ERROR"] {
            let file = format!("{uc}_6.13_{kind}_COMMAND_GBCS.HEX");
            let a = apdu(dir, &file);
            let d = decode_command(&a).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(d.spec().name, uc);
            match (&d, uc) {
                (DecodedCommand::Ecs35a(_), "ECS35a") | (DecodedCommand::Ecs35b(_), "ECS35b") => {}
                _ => panic!("{file}: {d:?}"),
            }
            let period = period_of(&d).unwrap();
            assert_eq!(period, rtds_period(), "{file}");
            let h = CommandHeader::of(&a);
            let built = build_log_read(a.message_code(), &h, &period)
                .unwrap()
                .unwrap();
            let peer = ks.ka_public.get(&a.recipient).unwrap();
            let wan = wrap_command(built, ks.acb_ka(), peer).unwrap().encode();
            assert_eq!(
                hex::encode_upper(wan),
                hex::encode_upper(vector(dir, &file)),
                "{file}"
            );
        }
    }
}

#[test]
fn responses_decode_to_the_entries_or_the_failure() {
    for (dir, uc) in CASES {
        let a = apdu(dir, &format!("{uc}_6.13_SUCCESS_RESPONSE_GBCS.HEX"));
        let r = decode_response(a.message_code(), &a.content).unwrap();
        let ResponseOutcome::Success(ResponseValue::EventLogEntries(e)) = r else {
            panic!("{uc}: {r:?}")
        };
        assert!(!classify_response(a.message_code(), &a.content).is_failure());
        assert!(e.len() >= 30, "{uc}: {}", e.len());
        assert!(e.windows(2).all(|w| w[0].time <= w[1].time), "{uc}");
        assert_eq!(e[0].time, 0x1C35_F900, "{uc}");
        if uc == "ECS35a" {
            assert_eq!(e[0].code, 0x8F01);
            assert_eq!(e[0].data.as_deref(), Some(&[][..]));
            // 8154: a command received and actioned; its data the message code.
            let x = e.iter().find(|x| x.code == 0x8154).unwrap();
            assert_eq!(x.data.as_deref(), Some(&[0x00, 0x9B][..]));
        } else {
            assert_eq!(e[0].code, 0x8F0C);
            assert!(e.iter().all(|x| x.data.is_none()));
        }
        let err = apdu(dir, &format!("{uc}_6.13_ERROR_RESPONSE_GBCS.HEX"));
        let r = decode_response(err.message_code(), &err.content).unwrap();
        assert_eq!(
            r,
            ResponseOutcome::Failure(Failure::Dlms {
                index: 0,
                result: 1
            }),
            "{uc}"
        );
        assert!(classify_response(err.message_code(), &err.content).is_failure());
    }
}

#[test]
fn the_device_encoding_matches_the_rtds_bytes_and_round_trips() {
    for (dir, uc) in CASES {
        let a = apdu(dir, &format!("{uc}_6.13_SUCCESS_RESPONSE_GBCS.HEX"));
        let Ok(ResponseOutcome::Success(ResponseValue::EventLogEntries(e))) =
            decode_response(a.message_code(), &a.content)
        else {
            panic!()
        };
        let encoded = entries_compact_array(uc == "ECS35a", &e).encode();
        let hex_a = hex::encode_upper(&a.content);
        assert!(
            hex_a.contains(&hex::encode_upper(&encoded)),
            "{uc}: the compact array is the RTDS bytes"
        );
    }
    let entries = vec![
        EventLogEntry {
            time: 5,
            code: 0x8154,
            data: Some(vec![0, 0x9B]),
        },
        EventLogEntry {
            time: 9,
            code: 0x8F32,
            data: Some(Vec::new()),
        },
    ];
    let r = |d| {
        gbcs::dlms::AccessResponse {
            invoke_id: gbcs::dlms::long_invoke_id(1),
            date_time: Vec::new(),
            request_specs: None,
            data: vec![d],
            results: vec![gbcs::dlms::ResponseSpec::Get(0)],
        }
        .encode()
    };
    let back = decode_response(ecs35a::CODE, &r(entries_compact_array(true, &entries))).unwrap();
    assert_eq!(
        back,
        ResponseOutcome::Success(ResponseValue::EventLogEntries(entries.clone()))
    );
    let sec: Vec<EventLogEntry> = entries
        .iter()
        .map(|e| EventLogEntry {
            data: None,
            ..e.clone()
        })
        .collect();
    let back = decode_response(ecs35b::CODE, &r(entries_compact_array(false, &sec))).unwrap();
    assert_eq!(
        back,
        ResponseOutcome::Success(ResponseValue::EventLogEntries(sec))
    );
    // Empty: a success with no entries.
    let back = decode_response(ecs35b::CODE, &r(entries_compact_array(false, &[]))).unwrap();
    assert_eq!(
        back,
        ResponseOutcome::Success(ResponseValue::EventLogEntries(Vec::new()))
    );
    // Truncated contents are refused, not panicked on.
    let bad = gbcs::axdr::Data::CompactArray {
        description: gbcs::axdr::TypeDescription::Structure(vec![
            gbcs::axdr::TypeDescription::Simple(0x06),
            gbcs::axdr::TypeDescription::Simple(0x12),
            gbcs::axdr::TypeDescription::Simple(0x09),
        ]),
        contents: vec![0, 0, 0, 1, 0x81, 0x54, 5, 1],
    };
    assert!(decode_response(ecs35a::CODE, &r(bad)).is_err());
}

#[test]
fn another_log_does_not_decode_as_ecs35a() {
    // The security log's command re-labelled as ECS35a: wrong buffer, refused.
    let mut a = apdu("6.13_ECS35b", "ECS35b_6.13_SUCCESS_COMMAND_GBCS.HEX");
    a.other_info.message_code = ecs35a::CODE;
    assert!(decode_command(&a).is_err());
}

const GBZ_CASES: [(&str, &str); 2] = [("6.13_CS10a", "CS10a"), ("6.13_CS10b", "CS10b")];

#[test]
fn zigbee_commands_decode_and_rebuild_and_responses_decode() {
    use gbcs::usecases::GbzLogPart;
    use gbcs::usecases::event_logs_common::{parse_publish_event_log, publish_event_log_payload};
    let ks = Keystore::load();
    for (dir, uc) in GBZ_CASES {
        for kind in ["SUCCESS", "ERROR", "NOT_FOUND"] {
            let file = format!("{uc}_6.13_{kind}_COMMAND_GBCS.HEX");
            let a = apdu(dir, &file);
            let d = decode_command(&a).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(d.spec().name, uc);
            let period = period_of(&d).unwrap();
            let h = CommandHeader::of(&a);
            let built = build_log_read(a.message_code(), &h, &period)
                .unwrap()
                .unwrap();
            let peer = ks.ka_public.get(&a.recipient).unwrap();
            let wan = wrap_command(built, ks.acb_ka(), peer).unwrap().encode();
            assert_eq!(
                hex::encode_upper(wan),
                hex::encode_upper(vector(dir, &file)),
                "{file}"
            );
            let file = format!("{uc}_6.13_{kind}_RESPONSE_GBCS.HEX");
            let r = apdu(dir, &file);
            let out = decode_response(r.message_code(), &r.content).unwrap();
            assert_eq!(out.is_failure(), kind == "ERROR", "{file}: {out:?}");
            match (kind, out) {
                ("SUCCESS", ResponseOutcome::Success(ResponseValue::GbzLog(parts))) => {
                    let [
                        GbzLogPart::Plain {
                            payload,
                            command: 1,
                            cluster: 0x0709,
                        },
                    ] = &parts[..]
                    else {
                        panic!("{file}: {parts:?}")
                    };
                    let e = parse_publish_event_log(payload).unwrap();
                    assert_eq!(e.len(), 32, "{file}");
                    assert_eq!(e[0].time, 0x1C35_F900);
                    let log_id = if uc == "CS10a" { 3 } else { 4 };
                    assert_eq!(&publish_event_log_payload(log_id, &e), payload, "{file}");
                }
                ("NOT_FOUND", ResponseOutcome::Success(ResponseValue::GbzLog(parts))) => {
                    assert!(matches!(parts[..], [GbzLogPart::NotFound { .. }]));
                }
                ("ERROR", ResponseOutcome::Failure(_)) => {}
                (_, o) => panic!("{file}: {o:?}"),
            }
        }
    }
    // The event log's command is not the security log's.
    let mut a = apdu("6.13_CS10a", "CS10a_6.13_SUCCESS_COMMAND_GBCS.HEX");
    a.other_info.message_code = gbcs::usecases::cs10b::CODE;
    assert!(decode_command(&a).is_err());
}
