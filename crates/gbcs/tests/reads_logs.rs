//! The log-read use cases (ECS20a–d, ECS21a–c, ECS66, GCS15b–e, GCS16a–b, GCS61) against the
//! RTDS 4.5.0 vectors: every COMMAND decodes to the period its request asked for, and the
//! builder given that period reproduces the COMMAND byte for byte (with the ACB MAC); every
//! RESPONSE (SUCCESS, ERROR, NOT_FOUND) decodes and classifies; the protected blocks decrypt with
//! the requester's KA key.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, rtds_dir, vector};
use gbcs::crypto::{KdfContext, KdfMode, decrypt_payload};
use gbcs::frame::OtherInfoExt;
use gbcs::usecases::logs_common::{build_log_read, period_of};
use gbcs::usecases::{
    CommandHeader, DecodedCommand, Failure, GbzLogPart, LogPeriod, ResponseClass, ResponseOutcome,
    ResponseValue, by_message_code, classify_response, decode_command, decode_response,
};
use gbcs::{Frame, GeneralSigning, MessageCode, UtcDateTime, wrap_command};

const DIRS: [&str; 15] = [
    "4.4.2_ECS20b",
    "4.4.2_GCS15b",
    "4.4.3_ECS20c",
    "4.4.3_GCS15c",
    "4.4.4_ECS20a",
    "4.4.4_GCS15d",
    "4.4.5_ECS20d",
    "4.4.5_GCS15e",
    "4.6.1_ECS21a",
    "4.6.1_GCS16a",
    "4.6.2_ECS21c",
    "4.14_ECS21b",
    "4.14_GCS16b",
    "4.17_ECS66",
    "4.17_GCS61",
];

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
    Frame::decode(&vector(dir, file)).unwrap().apdu().clone()
}

fn t(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> UtcDateTime {
    UtcDateTime::new(y, mo, d, h, mi, s).unwrap()
}

fn p(start: UtcDateTime, end: UtcDateTime) -> LogPeriod {
    LogPeriod { start, end }
}

/// The period each RTDS command carries (the DUIS templates' ReadLogPeriod where RTDS ships one
/// that matches; GBZ ends past 2136 are the clamped `FFFFFFFE`).
fn expected_period(dir: &str, file: &str) -> LogPeriod {
    let zigbee_max = UtcDateTime::from_zigbee_utc(0xFFFF_FFFE).unwrap();
    match dir {
        "4.4.2_ECS20b" => p(t(2014, 10, 2, 9, 0, 0), t(2015, 3, 1, 9, 0, 0)),
        "4.4.3_ECS20c" => p(t(2014, 11, 2, 9, 0, 0), t(2015, 3, 1, 9, 0, 0)),
        "4.4.4_ECS20a" => p(t(2014, 12, 22, 9, 30, 0), t(2015, 1, 1, 0, 0, 0)),
        "4.4.5_ECS20d" => p(t(2014, 12, 27, 9, 0, 0), t(2015, 1, 1, 0, 0, 0)),
        "4.6.1_ECS21a" => p(t(2014, 3, 9, 0, 0, 0), t(2014, 3, 11, 0, 0, 0)),
        "4.6.2_ECS21c" => p(t(2014, 11, 30, 9, 0, 0), t(2015, 1, 1, 0, 0, 0)),
        "4.14_ECS21b" => p(t(2014, 12, 25, 23, 30, 0), t(2015, 1, 1, 0, 0, 0)),
        "4.17_ECS66" => p(t(2014, 12, 1, 9, 0, 0), t(2014, 12, 5, 11, 5, 0)),
        "4.4.2_GCS15b" => p(t(2014, 12, 1, 0, 0, 0), t(2015, 11, 1, 0, 0, 0)),
        // The RTDS GCS15c command does not carry its template's period.
        "4.4.3_GCS15c" if file.contains("SUCCESS") => {
            p(t(2015, 1, 1, 0, 0, 1), t(2016, 1, 1, 0, 0, 1))
        }
        "4.4.3_GCS15c" => p(t(2014, 12, 1, 0, 0, 0), t(2015, 11, 1, 0, 0, 0)),
        "4.4.4_GCS15d" if file.contains("ERROR") => {
            p(t(2014, 12, 1, 0, 0, 0), t(2014, 12, 31, 0, 0, 0))
        }
        "4.4.4_GCS15d" if file.contains("NOT_FOUND") => {
            p(t(2014, 12, 31, 0, 0, 0), t(2014, 12, 31, 18, 0, 0))
        }
        "4.4.4_GCS15d" => p(t(2014, 12, 1, 0, 0, 0), t(2020, 12, 31, 0, 0, 0)),
        "4.4.5_GCS15e" if file.contains("NOT_FOUND") => p(t(2030, 12, 31, 0, 0, 0), zigbee_max),
        "4.4.5_GCS15e" => p(t(2014, 12, 1, 0, 0, 0), zigbee_max),
        "4.6.1_GCS16a" if file.contains("ERROR") => {
            p(t(2014, 12, 29, 0, 0, 4), t(2016, 1, 1, 0, 0, 3))
        }
        "4.6.1_GCS16a" => p(t(2014, 12, 30, 0, 0, 4), t(2016, 1, 1, 0, 0, 3)),
        "4.14_GCS16b" => p(t(2014, 12, 29, 23, 0, 0), t(2015, 1, 1, 0, 0, 0)),
        // Get Sampled Data: first day and 11 / 731 daily samples.
        "4.17_GCS61" if file.contains("NOT_FOUND") => {
            p(t(2030, 12, 22, 0, 0, 0), t(2031, 1, 1, 0, 0, 0))
        }
        "4.17_GCS61" => p(t(2014, 12, 22, 0, 0, 0), t(2016, 12, 21, 0, 0, 0)),
        _ => unreachable!("{dir}"),
    }
}

#[test]
fn every_command_decodes_to_its_period_and_the_builder_reproduces_it() {
    let ks = Keystore::load();
    let mut n = 0;
    for dir in DIRS {
        for file in files(dir, "COMMAND") {
            let a = apdu(dir, &file);
            let decoded = decode_command(&a).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(decoded.spec().message_code, a.message_code(), "{file}");
            let period = period_of(&decoded).unwrap();
            assert_eq!(period, expected_period(dir, &file), "{file}");
            let h = CommandHeader::of(&a);
            let build = |h: &CommandHeader| build_log_read(a.message_code(), h, &period).unwrap();
            let built = match &a.other_info.ext {
                // Unknown remote party: the ACB sends the user's KA certificate; the payload is
                // built for that user, bound to the ACB's counter.
                OtherInfoExt::Certificate {
                    remote_party,
                    certificate,
                    ..
                } => {
                    let facts = gbcs::credentials::unknown_remote_party_certificate(certificate)
                        .unwrap_or_else(|e| panic!("{file}: {e}"));
                    assert_eq!(facts.subject_eui, *remote_party, "{file}");
                    gbcs::usecases::for_unknown_remote_party(&h, certificate.clone(), build)
                        .unwrap()
                }
                _ => build(&h).unwrap(),
            };
            let peer = ks.ka_public.get(&a.recipient).unwrap();
            let wan = wrap_command(built, ks.acb_ka(), peer).unwrap().encode();
            assert_eq!(
                hex::encode_upper(wan),
                hex::encode_upper(vector(dir, &file)),
                "{file}"
            );
            n += 1;
        }
    }
    assert_eq!(n, 37);
}

#[test]
fn commands_of_another_shape_do_not_decode() {
    // ECS20b's command under ECS20c's message code: the protection object and buffers differ.
    let mut a = apdu(
        "4.4.2_ECS20b",
        "ECS20b_4.4.2_SINGLE_SUCCESS_COMMAND_GBCS.HEX",
    );
    a.other_info.message_code = MessageCode::ECS20C;
    assert!(decode_command(&a).is_err());
    // A protected read whose protection parameters are bound to another counter.
    let mut a = apdu(
        "4.6.1_ECS21a",
        "ECS21a_4.6.1_SINGLE_SUCCESS_COMMAND_GBCS.HEX",
    );
    a.counter += 1;
    assert!(decode_command(&a).is_err());
    // GCS16a's 31 snapshot requests read as GCS15c (12 + 12).
    let mut a = apdu("4.6.1_GCS16a", "GCS16a_4.6.1_SUCCESS_COMMAND_GBCS.HEX");
    a.other_info.message_code = MessageCode::GCS15C;
    assert!(decode_command(&a).is_err());
    // GCS15d without its from-date-time.
    let mut a = apdu("4.4.4_GCS15d", "GCS15d_4.4.4_SUCCESS_COMMAND_GBCS.HEX");
    a.content[3] = 0x01;
    assert!(decode_command(&a).is_err());
}

fn decrypt(ks: &Keystore, a: &GeneralSigning, requester: gbcs::Eui64, block: &[u8]) -> Vec<u8> {
    let ctx = KdfContext {
        originator: a.originator,
        mode: KdfMode::PayloadEncryption,
        counter: a.counter,
        recipient: requester,
    };
    let ka = ks.ka_private.get(&requester).unwrap().first().unwrap();
    let key = ka
        .derive(ks.ka_public.get(&a.originator).unwrap(), &ctx)
        .unwrap();
    decrypt_payload(&key, a.originator, block).unwrap()
}

#[test]
fn every_response_decodes_and_classifies() {
    let ks = Keystore::load();
    let mut n = 0;
    for dir in DIRS {
        for file in files(dir, "RESPONSE") {
            let a = apdu(dir, &file);
            let code = a.message_code();
            let outcome =
                decode_response(code, &a.content).unwrap_or_else(|e| panic!("{file}: {e}"));
            let class = classify_response(code, &a.content);
            let error = file.contains("ERROR");
            assert_eq!(outcome.is_failure(), error, "{file}: {outcome:?}");
            assert_eq!(class.is_failure(), error, "{file}");
            match outcome {
                ResponseOutcome::Failure(f) => match f {
                    Failure::Dlms { index: 0, result } => assert_eq!(result, 1, "{file}"),
                    Failure::ZclDefaultResponse { status, .. } => {
                        assert_eq!(status, 0xC0, "{file}")
                    }
                    f => panic!("{file}: {f:?}"),
                },
                ResponseOutcome::Success(ResponseValue::Protected(block)) => {
                    let requester = a.other_info.remote_party().unwrap_or(a.recipient);
                    if ks.ka_private.contains_key(&requester) && !file.contains("URP") {
                        let plain = decrypt(&ks, &a, requester, &block);
                        assert!(!plain.is_empty(), "{file}");
                    }
                }
                ResponseOutcome::Success(ResponseValue::LogEntries(entries)) => {
                    // Entries in time order, one value each (time, register).
                    assert!(!entries.is_empty(), "{file}");
                    assert!(entries.windows(2).all(|w| w[0].time < w[1].time), "{file}");
                    assert!(entries.iter().all(|e| e.values.len() == 1), "{file}");
                }
                ResponseOutcome::Success(ResponseValue::GbzLog(parts)) => {
                    assert!(!parts.is_empty(), "{file}");
                    if file.contains("NOT_FOUND") {
                        assert!(
                            parts
                                .iter()
                                .all(|p| matches!(p, GbzLogPart::NotFound { .. })),
                            "{file}"
                        );
                    }
                }
                other => panic!("{file}: {other:?}"),
            }
            n += 1;
        }
    }
    assert_eq!(n, 37);
}

#[test]
fn plain_log_entries_are_read_from_the_compact_array() {
    let a = apdu("4.4.5_ECS20d", "ECS20d_4.4.5_SUCCESS_RESPONSE_GBCS.HEX");
    let Ok(ResponseOutcome::Success(ResponseValue::LogEntries(e))) =
        decode_response(a.message_code(), &a.content)
    else {
        panic!()
    };
    assert_eq!(e.len(), 5);
    // 2014-12-31T00:00:00Z, value 95.
    assert_eq!(e[0].time, 0x1C32_0480);
    assert_eq!(e[0].values, vec![95]);
    // An empty compact array is a success with no entries (the answer for an empty period).
    let empty = gbcs::usecases::logs_common::entries_compact_array(2, &[]);
    let r = gbcs::dlms::AccessResponse {
        invoke_id: gbcs::dlms::long_invoke_id(1),
        date_time: Vec::new(),
        request_specs: None,
        data: vec![empty],
        results: vec![gbcs::dlms::ResponseSpec::Get(0)],
    }
    .encode();
    assert_eq!(
        decode_response(MessageCode::ECS21C, &r).unwrap(),
        ResponseOutcome::Success(ResponseValue::LogEntries(Vec::new()))
    );
    assert_eq!(
        classify_response(MessageCode::ECS21C, &r),
        ResponseClass::Success
    );
}

#[test]
fn the_family_is_catalogued() {
    for dir in DIRS {
        let a = apdu(dir, &files(dir, "COMMAND")[0]);
        let spec = by_message_code(a.message_code()).unwrap();
        assert!(!spec.critical && !spec.dcc_originated, "{dir}");
        assert!(
            matches!(
                decode_command(&a).unwrap(),
                DecodedCommand::Ecs20a(_)
                    | DecodedCommand::Ecs20b(_)
                    | DecodedCommand::Ecs20c(_)
                    | DecodedCommand::Ecs20d(_)
                    | DecodedCommand::Ecs21a(_)
                    | DecodedCommand::Ecs21b(_)
                    | DecodedCommand::Ecs21c(_)
                    | DecodedCommand::Ecs66(_)
                    | DecodedCommand::Gcs15b(_)
                    | DecodedCommand::Gcs15c(_)
                    | DecodedCommand::Gcs15d(_)
                    | DecodedCommand::Gcs15e(_)
                    | DecodedCommand::Gcs16a(_)
                    | DecodedCommand::Gcs16b(_)
                    | DecodedCommand::Gcs61(_)
            ),
            "{dir}"
        );
    }
}

/// Prints the decrypted plaintext of every protected response (run with `--ignored
/// --nocapture` to see what the RTDS devices log).
#[test]
#[ignore]
fn dump_plaintexts() {
    let ks = Keystore::load();
    for dir in DIRS {
        for file in files(dir, "RESPONSE") {
            let a = apdu(dir, &file);
            let requester = a.other_info.remote_party().unwrap_or(a.recipient);
            if !ks.ka_private.contains_key(&requester) {
                continue;
            }
            let blocks: Vec<Vec<u8>> = match decode_response(a.message_code(), &a.content) {
                Ok(ResponseOutcome::Success(ResponseValue::Protected(b))) => vec![b],
                Ok(ResponseOutcome::Success(ResponseValue::GbzLog(parts))) => parts
                    .into_iter()
                    .filter_map(|p| match p {
                        GbzLogPart::Protected { block, .. } => Some(block),
                        _ => None,
                    })
                    .collect(),
                _ => continue,
            };
            for b in blocks {
                let ctx = KdfContext {
                    originator: a.originator,
                    mode: KdfMode::PayloadEncryption,
                    counter: a.counter,
                    recipient: requester,
                };
                let ka = ks.ka_private.get(&requester).unwrap().first().unwrap();
                let key = ka
                    .derive(ks.ka_public.get(&a.originator).unwrap(), &ctx)
                    .unwrap();
                let Ok(plain) = decrypt_payload(&key, a.originator, &b) else {
                    println!("{file}: does not decrypt with the requester's key");
                    continue;
                };
                println!("{file}: {}", hex::encode(&plain));
                if let Ok(d) = gbcs::axdr::Data::decode(&plain) {
                    println!("  {d:?}");
                }
            }
        }
    }
}
