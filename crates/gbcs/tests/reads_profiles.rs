//! The read use cases of DUIS 4.8 (profile data), 4.10 (network data), 4.11 (tariff), 4.13
//! (prepayment configuration) and 14.1 (record gas network data) against the RTDS 4.5.0
//! vectors: each builder reproduces its RTDS COMMAND byte for byte (ACB MAC included), every
//! RTDS COMMAND decodes to the DUIS request's parameters, every RTDS RESPONSE (SUCCESS, ERROR,
//! NOT_FOUND) decodes and classifies; the protected answers decrypt (requester's KA key) to the
//! layouts the emulated devices produce.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, rtds_dir, vector};
use gbcs::axdr::Data;
use gbcs::crypto::{KdfContext, KdfMode, decrypt_payload};
use gbcs::gbz::{GbzBody, GbzPayload};
use gbcs::usecases::{
    self, CommandHeader, DecodedCommand, Failure, ReadPeriod, ResponseClass, ResponseOutcome,
    ResponseValue, SampledData, classify_response, decode_command, decode_response,
};
use gbcs::{Eui64, Frame, GeneralSigning, Payload, UtcDateTime, wrap_command};

const ESME: u64 = 0x00db_1234_5678_90a0;

const DIRS: [&str; 13] = [
    "4.11.1_GCS21f",
    "4.13_GCS21b",
    "4.8.1_ECS22b",
    "4.8.1_GCS17",
    "4.8.2_ECS22c",
    "4.8.3_ECS22a",
    "4.10_ECS23",
    "4.10_ECS23b",
    "4.10_GCS18",
    "4.11.1_ECS24",
    "4.11.2_ECS24b",
    "4.13_ECS26a",
    "14.1_GCS31",
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
    match Frame::decode(&vector(dir, file)).unwrap() {
        Frame::Ciphered(c) => c.apdu,
        Frame::Signing(s) => s,
    }
}

fn t(s: &str) -> UtcDateTime {
    let p = |a: usize, b: usize| s[a..b].parse::<u8>().unwrap();
    UtcDateTime::new(
        s[0..4].parse().unwrap(),
        p(5, 7),
        p(8, 10),
        p(11, 13),
        p(14, 16),
        0,
    )
    .unwrap()
}

fn period(a: &str, b: &str) -> ReadPeriod {
    ReadPeriod::new(t(a), t(b)).unwrap()
}

/// Builds with the vector's own header (counter, titles, on-behalf-of), wraps with the ACB MAC
/// and compares with the vector.
fn check(ks: &Keystore, dir: &str, file: &str, build: impl Fn(&CommandHeader) -> GeneralSigning) {
    let v = apdu(dir, file);
    let built = build(&CommandHeader::of(&v));
    let peer = ks.ka_public.get(&built.recipient).unwrap();
    let wire = wrap_command(built, ks.acb_ka(), peer).unwrap().encode();
    assert_eq!(
        hex::encode_upper(wire),
        hex::encode_upper(vector(dir, file)),
        "{dir}/{file}"
    );
}

/// The DUIS periods of the RTDS templates.
fn template_period(dir: &str) -> ReadPeriod {
    match dir {
        "4.8.1_ECS22b" => period("2014-12-31T00:00", "2015-01-01T00:00"),
        "4.8.1_GCS17" => period("2014-12-30T00:00", "2015-01-01T00:00"),
        "4.8.2_ECS22c" => period("2014-10-01T09:00", "2014-10-02T09:00"),
        "4.8.3_ECS22a" => period("2014-10-01T09:30", "2014-10-02T09:30"),
        "4.10_ECS23" | "4.10_ECS23b" => period("2014-12-29T23:59", "2015-01-01T00:00"),
        "4.10_GCS18" => period("2014-12-31T20:00", "2015-01-01T00:00"),
        _ => unreachable!(),
    }
}

#[test]
fn builders_match_every_rtds_command() {
    let ks = Keystore::load();
    let rtds_now = t("2015-01-01T00:00");
    for dir in DIRS {
        for f in files(dir, "COMMAND") {
            if f.contains("NOT_FOUND") && dir == "4.8.1_GCS17" {
                continue; // another period, checked below
            }
            let p = || template_period(dir);
            match dir {
                "4.8.1_ECS22b" => check(&ks, dir, &f, |h| {
                    usecases::ecs22b_read_active_import_profile_data(h, p())
                }),
                "4.8.1_GCS17" => check(&ks, dir, &f, |h| {
                    usecases::gcs17_read_profile_data(h, p()).unwrap()
                }),
                "4.8.2_ECS22c" => check(&ks, dir, &f, |h| {
                    usecases::ecs22c_read_reactive_import_profile_data(h, p()).unwrap()
                }),
                "4.8.3_ECS22a" => check(&ks, dir, &f, |h| {
                    usecases::ecs22a_read_export_profile_data(h, p()).unwrap()
                }),
                "4.10_ECS23" => check(&ks, dir, &f, |h| {
                    usecases::ecs23_read_network_data(h, p()).unwrap()
                }),
                "4.10_ECS23b" => check(&ks, dir, &f, |h| {
                    usecases::ecs23b_read_network_data(h, p()).unwrap()
                }),
                "4.10_GCS18" => check(&ks, dir, &f, |h| {
                    usecases::gcs18_read_network_data(h, p()).unwrap()
                }),
                "4.11.1_ECS24" => check(&ks, dir, &f, |h| {
                    usecases::ecs24_read_tariff_primary(h).unwrap()
                }),
                "4.11.2_ECS24b" => check(&ks, dir, &f, |h| {
                    usecases::ecs24b_read_tariff_secondary(h).unwrap()
                }),
                "4.11.1_GCS21f" => {
                    check(&ks, dir, &f, |h| usecases::gcs21f_read_tariff(h).unwrap())
                }
                "4.13_GCS21b" => check(&ks, dir, &f, |h| {
                    usecases::gcs21b_read_prepayment_configuration(h).unwrap()
                }),
                "4.13_ECS26a" => check(&ks, dir, &f, |h| {
                    usecases::ecs26a_read_prepayment_configuration(h).unwrap()
                }),
                "14.1_GCS31" => {
                    let event = usecases::gcs32::issuer_event_id(rtds_now).unwrap();
                    check(&ks, dir, &f, |h| {
                        usecases::gcs31_start_network_data_sampling(h, event).unwrap()
                    })
                }
                _ => unreachable!(),
            }
        }
    }
    // GCS17 NOT_FOUND asks for the first half of 2013 (plus one half-hour), where the RTDS GSME
    // holds no profile.
    check(
        &ks,
        "4.8.1_GCS17",
        "GCS17_4.8.1_NOT_FOUND_COMMAND_GBCS.HEX",
        |h| {
            usecases::gcs17_read_profile_data(h, period("2013-01-01T00:00", "2013-07-01T00:30"))
                .unwrap()
        },
    );
}

#[test]
fn every_rtds_command_decodes_to_its_parameters() {
    for dir in DIRS {
        for f in files(dir, "COMMAND") {
            let d = decode_command(&apdu(dir, &f)).unwrap_or_else(|e| panic!("{f}: {e}"));
            let expect_period = |p: Option<ReadPeriod>| {
                assert_eq!(p, Some(template_period(dir)), "{f}");
            };
            match (dir, d) {
                ("4.8.1_ECS22b", DecodedCommand::Ecs22b(p)) => expect_period(Some(p)),
                ("4.8.2_ECS22c", DecodedCommand::Ecs22c(r))
                | ("4.8.3_ECS22a", DecodedCommand::Ecs22a(r))
                | ("4.10_ECS23", DecodedCommand::Ecs23(r))
                | ("4.10_ECS23b", DecodedCommand::Ecs23b(r)) => expect_period(r.period),
                ("4.11.1_ECS24", DecodedCommand::Ecs24(r))
                | ("4.11.2_ECS24b", DecodedCommand::Ecs24b(r))
                | ("4.13_ECS26a", DecodedCommand::Ecs26a(r)) => assert_eq!(r.period, None),
                ("4.11.1_GCS21f", DecodedCommand::Gcs21f(r)) => {
                    assert_eq!(r.reads, usecases::gcs21f::READS)
                }
                ("4.13_GCS21b", DecodedCommand::Gcs21b(r)) => {
                    assert_eq!(r.reads, usecases::gcs21b::READS)
                }
                ("4.8.1_GCS17", DecodedCommand::Gcs17(g)) => {
                    assert_eq!(g.sample_id, 0);
                    if !f.contains("NOT_FOUND") {
                        assert_eq!(g.earliest_sample_time, 473_212_800);
                        assert_eq!(g.number_of_samples, 97);
                    }
                }
                ("4.10_GCS18", DecodedCommand::Gcs18(g)) => {
                    assert_eq!((g.sample_id, g.number_of_samples), (2, 41));
                }
                ("14.1_GCS31", DecodedCommand::Gcs31(s)) => {
                    assert_eq!(s.issuer_event_id, 0x1C37_4A80);
                    assert_eq!(
                        (s.sample_request_interval, s.max_number_of_samples),
                        (360, 41)
                    );
                }
                (_, d) => panic!("{f}: decoded as {d:?}"),
            }
        }
    }
}

#[test]
fn a_range_ending_before_it_starts_is_not_a_command() {
    assert!(ReadPeriod::new(t("2015-01-02T00:00"), t("2015-01-01T00:00")).is_none());
    // Swap from and to in the RTDS ECS22c command's range: the decoder refuses it.
    let mut v = apdu("4.8.2_ECS22c", "ECS22c_4.8.2_SUCCESS_COMMAND_GBCS.HEX");
    let from = 465_469_200u32.to_be_bytes();
    let to = 465_555_600u32.to_be_bytes();
    let c = hex::encode(&v.content);
    let swapped = c
        .replacen(&hex::encode(from), "XXXXXXXX", 1)
        .replacen(&hex::encode(to), &hex::encode(from), 1)
        .replacen("XXXXXXXX", &hex::encode(to), 1);
    v.content = hex::decode(swapped).unwrap();
    assert!(decode_command(&v).is_err());
    // The same for the protected ECS22b's COSEM date-times.
    let h = CommandHeader::new(Eui64::from_u64(1), Eui64::from_u64(ESME), 7);
    let good = usecases::ecs22b_read_active_import_profile_data(
        &h,
        period("2014-12-31T00:00", "2015-01-01T00:00"),
    );
    let c = hex::encode(&good.content).replace("07de0c1fff", "07e00101ff");
    let mut bad = good.clone();
    bad.content = hex::decode(c).unwrap();
    assert!(decode_command(&good).is_ok());
    assert!(decode_command(&bad).is_err());
}

#[test]
fn every_rtds_response_decodes_and_classifies() {
    let mut n = 0;
    for dir in DIRS {
        for f in files(dir, "RESPONSE") {
            let a = apdu(dir, &f);
            let out = decode_response(a.message_code(), &a.content)
                .unwrap_or_else(|e| panic!("{f}: {e}"));
            let class = classify_response(a.message_code(), &a.content);
            let failure = f.contains("ERROR") || f.contains("NOT_FOUND");
            assert_eq!(out.is_failure(), failure, "{f}: {out:?}");
            assert_eq!(class.is_failure(), failure, "{f}: {class:?}");
            if f.contains("NOT_FOUND") && (dir.contains("GCS17") || dir.contains("GCS18")) {
                assert_eq!(
                    out,
                    ResponseOutcome::Failure(Failure::ZclDefaultResponse {
                        command: 0x08,
                        status: 0x8B
                    }),
                    "{f}"
                );
            }
            if !failure {
                match (dir, &out) {
                    (
                        "4.8.1_ECS22b" | "4.8.1_GCS17" | "4.10_GCS18",
                        ResponseOutcome::Success(ResponseValue::Protected(_)),
                    ) => {}
                    ("14.1_GCS31", ResponseOutcome::Success(ResponseValue::SampleId(2))) => {}
                    ("4.11.1_GCS21f", ResponseOutcome::Success(ResponseValue::Components(c))) => {
                        assert_eq!(c.len(), 10)
                    }
                    ("4.13_GCS21b", ResponseOutcome::Success(ResponseValue::Components(c))) => {
                        assert_eq!(c.len(), 10)
                    }
                    (_, ResponseOutcome::Success(ResponseValue::DlmsValues(v))) => {
                        assert!(!v.is_empty(), "{f}")
                    }
                    _ => panic!("{f}: {out:?}"),
                }
            }
            assert_ne!(class, ResponseClass::Unknown);
            n += 1;
        }
    }
    assert_eq!(n, 32);
}

/// The requester's key opens a protected answer.
fn decrypt(ks: &Keystore, a: &GeneralSigning, block: &[u8]) -> Vec<u8> {
    let ctx = KdfContext {
        originator: a.originator,
        mode: KdfMode::PayloadEncryption,
        counter: a.counter,
        recipient: a.recipient,
    };
    let ka = ks.ka_private.get(&a.recipient).unwrap().first().unwrap();
    let key = ka
        .derive(ks.ka_public.get(&a.originator).unwrap(), &ctx)
        .unwrap();
    decrypt_payload(&key, a.originator, block).unwrap()
}

#[test]
fn protected_profiles_open_to_the_layouts_devices_send() {
    let ks = Keystore::load();
    // ECS22b: the profile buffer, a compact array of (UTC time, active import Wh) per half-hour.
    for f in [
        "ECS22b_4.8.1_SINGLE_SUCCESS_RESPONSE_GBCS.HEX",
        "ECS22b_4.8.1_TWIN_SUCCESS_RESPONSE_GBCS.HEX",
    ] {
        let a = apdu("4.8.1_ECS22b", f);
        let Ok(ResponseOutcome::Success(ResponseValue::Protected(block))) =
            decode_response(a.message_code(), &a.content)
        else {
            panic!("{f}")
        };
        let plain = decrypt(&ks, &a, &block);
        let d = Data::decode(&plain).unwrap();
        let Data::Structure(m) = d else { panic!("{f}") };
        let [
            Data::CompactArray {
                description,
                contents,
            },
        ] = &m[..]
        else {
            panic!("{f}")
        };
        let columns = if f.contains("TWIN") { 3 } else { 2 };
        assert_eq!(
            *description,
            gbcs::axdr::TypeDescription::Structure(vec![
                gbcs::axdr::TypeDescription::Simple(6);
                columns
            ])
        );
        // 49 half-hours from 2014-12-31T00:00 to 2015-01-01T00:00 inclusive, first stamped at
        // the start.
        assert_eq!(contents.len(), 49 * 4 * columns, "{f}");
        assert_eq!(contents[..4], 473_299_200u32.to_be_bytes());
    }
    for (dir, f) in [
        ("4.8.1_GCS17", "GCS17_4.8.1_SUCCESS_RESPONSE_GBCS.HEX"),
        ("4.10_GCS18", "GCS18_4.10_SUCCESS_RESPONSE_GBCS.HEX"),
    ] {
        let a = apdu(dir, f);
        let Payload::Gbz(GbzPayload::Components { components, .. }) = a.payload() else {
            panic!("{f}")
        };
        let GbzBody::Encrypted { protected, .. } = &components[0].body else {
            panic!("{f}")
        };
        let plain = decrypt(&ks, &a, protected);
        let s = SampledData::decode(&plain).unwrap();
        let (start, interval, n) = if dir == "4.8.1_GCS17" {
            (473_212_800, 1800, 97)
        } else {
            (473_371_200, 360, 41)
        };
        assert_eq!(
            (
                s.sample_start_time,
                s.sample_request_interval,
                s.samples.len()
            ),
            (start, interval, n),
            "{f}"
        );
    }
}
