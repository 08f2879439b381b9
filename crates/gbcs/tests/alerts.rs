//! Every RTDS 4.5.0 alert vector decodes with `gbcs::alerts::decode_alert`, its alert code is the
//! one in its file name, future-dated outcomes carry the originating command's identity and find
//! their instruction in that command, and hostile bytes give typed errors, never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use gbcs::alerts::{
    AlertDecodeError, AlertDetail, AlertFamily, AlertTime, FutureDatedInstruction,
    FutureDatedResult, InstructionError, InstructionPosition, decode_alert,
};
use gbcs::dlms::CosemDescriptor;
use gbcs::{AlertCode, Eui64, Frame, GeneralSigning, MessageCode, UtcDateTime};
use proptest::prelude::*;

fn alert_vectors() -> Vec<PathBuf> {
    common::all_vectors()
        .into_iter()
        .filter(|p| {
            p.file_name()
                .and_then(|f| f.to_str())
                .is_some_and(|f| f.contains("_ALERT") && f.ends_with("_GBCS.HEX"))
        })
        .collect()
}

fn name(p: &std::path::Path) -> String {
    p.file_name().unwrap().to_str().unwrap().to_string()
}

/// The CODE field of `<UC>_<SRV>_<CODE>_…_ALERT…`: `Some(code)`, or `None` for `NA`.
fn code_in_name(file: &str) -> Option<u16> {
    let field = file.split('_').nth(2).unwrap();
    if field == "NA" {
        None
    } else {
        Some(u16::from_str_radix(field, 16).expect("hex alert code in name"))
    }
}

/// Alerts whose name says `NA` although the payload carries a code (documented exceptions).
const NA_EXCEPTIONS: [(&str, u16); 2] = [
    ("CCS08_NA_NA_ALERT_GBCS.HEX", 0x8F8A),
    ("DBCH04_6.28_NA_SUCCESS_ALERT_DBCH09_GBCS.HEX", 0x8F2A),
];

fn apdu(bytes: &[u8]) -> GeneralSigning {
    match Frame::decode(bytes).unwrap() {
        Frame::Ciphered(c) => c.apdu,
        Frame::Signing(s) => s,
    }
}

fn eui(s: &str) -> Eui64 {
    let b = hex::decode(s).unwrap();
    Eui64(b.try_into().unwrap())
}

#[test]
fn every_rtds_alert_decodes_with_the_code_in_its_name() {
    let vectors = alert_vectors();
    assert_eq!(vectors.len(), 93, "RTDS 4.5.0 has 93 alert vectors");
    let mut families = BTreeMap::new();
    let mut future_dated = 0;
    for p in &vectors {
        let file = name(p);
        let bytes = common::read_hex(p);
        let a = decode_alert(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        match code_in_name(&file) {
            Some(c) => assert_eq!(a.alert_code, AlertCode(c), "{file}"),
            None => {
                let (_, c) = NA_EXCEPTIONS
                    .iter()
                    .find(|(f, _)| *f == file)
                    .unwrap_or_else(|| panic!("{file}: NA without documented exception"));
                assert_eq!(a.alert_code, AlertCode(*c), "{file}");
            }
        }
        let g = apdu(&bytes);
        assert_eq!(a.counter, g.counter, "{file}");
        assert_eq!(a.originator, g.originator, "{file}");
        assert_eq!(a.recipient, g.recipient, "{file}");
        assert_eq!(a.message_code, g.message_code(), "{file}");
        assert_eq!(a.originator.0[..3], [0x00, 0xdb, 0x12], "{file}: device");
        assert!(
            a.date_time.is_some(),
            "{file}: every RTDS alert is time-stamped"
        );
        assert_eq!(
            a.protection.mac,
            bytes[0] == 0xDD,
            "{file}: MAC'd iff DD frame"
        );
        assert_ne!(a.protection.mac, a.protection.signed, "{file}");
        let fd = FutureDatedResult::from_alert_code(a.alert_code).is_some();
        assert_eq!(a.future_dated.is_some(), fd, "{file}");
        assert_eq!(a.detail.is_none(), fd, "{file}");
        if let Some(o) = &a.future_dated {
            future_dated += 1;
            assert_eq!(o.result.alert_code(), a.alert_code, "{file}");
            assert_eq!(o.command.originator, a.recipient, "{file}");
            assert_eq!(o.command.target, a.originator, "{file}");
            assert!(o.command.message_code.is_some(), "{file}");
            assert_eq!(o.execution_time, a.date_time, "{file}");
            assert!(
                o.execution_time.as_ref().unwrap().to_utc().is_some(),
                "{file}: execution time is a valid instant"
            );
        }
        *families.entry(format!("{:?}", a.family)).or_insert(0) += 1;
    }
    assert_eq!(future_dated, 64);
    assert_eq!(families["Dlms"], 62);
    assert_eq!(families["Gbz"], 20);
    assert_eq!(families["Asn1"], 11);
}

/// For each FUTURE_DATED command with outcome alerts: the alerts name its counter and message
/// code, every alert finds its instruction, the instruction count equals the number of alert
/// vectors, and the alert counters rise in instruction order.
#[test]
fn future_dated_alerts_find_their_instruction_in_the_originating_command() {
    let mut groups: BTreeMap<PathBuf, Vec<(u64, InstructionPosition, String)>> = BTreeMap::new();
    for p in alert_vectors() {
        let file = name(&p);
        let a = decode_alert(&common::read_hex(&p)).unwrap();
        let Some(o) = a.future_dated else { continue };
        let dir = p.parent().unwrap();
        let command = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|c| name(c).ends_with("_COMMAND_GBCS.HEX") && name(c).contains("FUTURE_DATED"))
            .map(|c| (c.clone(), apdu(&common::read_hex(&c))))
            .find(|(_, c)| c.counter == o.command.counter)
            .unwrap_or_else(|| panic!("{file}: no FUTURE_DATED command with counter"));
        assert_eq!(
            Some(command.1.message_code()),
            o.command.message_code,
            "{file}"
        );
        assert_eq!(command.1.originator, o.command.originator, "{file}");
        assert_eq!(command.1.recipient, o.command.target, "{file}");
        let pos = o
            .instruction_position(&command.1)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        groups
            .entry(command.0)
            .or_default()
            .push((a.counter, pos, file));
    }
    assert_eq!(
        groups.len(),
        24,
        "future-dated commands with outcome alerts"
    );
    for (command, mut alerts) in groups {
        alerts.sort_by_key(|(counter, _, _)| *counter);
        let n = u16::try_from(alerts.len()).unwrap();
        // 8F66 and 8F67 vectors of CS02b/CS02g/CS06 belong to different commands (counters).
        for (i, (_, pos, file)) in alerts.iter().enumerate() {
            assert_eq!(pos.total, n, "{}: {file}", command.display());
            assert_eq!(
                usize::from(pos.number),
                i + 1,
                "{}: {file}",
                command.display()
            );
        }
    }
}

#[test]
fn dlms_outcome_ecs01a_currency_unit() {
    let bytes = common::vector(
        "1.1.1_ECS01a",
        "ECS01a_1.1.1_8F66_FUTURE_DATED_TOU_BLOCK_SUCCESS_ALERT_CURRENCY_UNIT_GBCS.HEX",
    );
    let a = decode_alert(&bytes).unwrap();
    assert_eq!(a.family, AlertFamily::Dlms);
    assert_eq!(a.message_code, MessageCode(0x00CC));
    assert_eq!(a.counter, 2014);
    let o = a.future_dated.unwrap();
    assert_eq!(o.result, FutureDatedResult::Executed);
    assert_eq!(o.command.counter, 1008);
    assert_eq!(o.command.message_code, Some(MessageCode(0x0019)));
    assert_eq!(o.command.originator, eui("90b3d51f30010000"));
    assert_eq!(o.command.target, eui("00db1234567890a0"));
    assert_eq!(
        o.instruction,
        FutureDatedInstruction::Dlms(CosemDescriptor::new(9000, [0, 0, 94, 44, 2, 0], 6))
    );
    assert_eq!(
        o.execution_time.unwrap().to_utc(),
        UtcDateTime::new(2030, 1, 15, 9, 0, 0)
    );
    let command = apdu(&common::vector(
        "1.1.1_ECS01a",
        "ECS01a_1.1.1_FUTURE_DATED_TOU_BLOCK_SUCCESS_COMMAND_GBCS.HEX",
    ));
    let o = decode_alert(&bytes).unwrap().future_dated.unwrap();
    assert_eq!(
        o.instruction_position(&command),
        Ok(InstructionPosition {
            number: 3,
            total: 6
        })
    );
}

#[test]
fn gbz_outcome_gcs01a_price_matrix() {
    let bytes = common::vector(
        "1.1.1_GCS01a",
        "GCS01a_1.1.1_8F66_FUTURE_DATED_BLOCK_SUCCESS_ALERT_PUBLISH_PRICE_MATRIX_GBCS.HEX",
    );
    let a = decode_alert(&bytes).unwrap();
    assert_eq!(a.family, AlertFamily::Gbz);
    assert_eq!(a.message_code, MessageCode(0x00CD));
    let o = a.future_dated.unwrap();
    assert_eq!(o.result, FutureDatedResult::Executed);
    assert_eq!(o.command.counter, 1005);
    assert_eq!(o.command.message_code, Some(MessageCode(0x006B)));
    assert_eq!(o.command.target, eui("00db1234567890a1"));
    assert_eq!(
        o.instruction,
        FutureDatedInstruction::Gbz {
            cluster: 0x0700,
            frame_control: 0x09,
            command: 0x05
        }
    );
    assert_eq!(o.execution_time, Some(AlertTime::ZigbeeUtc(0x3881_8890)));
    let command = apdu(&common::vector(
        "1.1.1_GCS01a",
        "GCS01a_1.1.1_FUTURE_DATED_BLOCK_SUCCESS_COMMAND_GBCS.HEX",
    ));
    assert_eq!(
        o.instruction_position(&command),
        Ok(InstructionPosition {
            number: 5,
            total: 5
        })
    );
}

#[test]
fn asn1_outcomes_cs06_and_cs02b() {
    let a = decode_alert(&common::vector(
        "11.3_CS06",
        "CS06_11.3_8F67_FUTURE_DATED_ERROR_ALERT_GBCS.HEX",
    ))
    .unwrap();
    assert_eq!(a.family, AlertFamily::Asn1);
    let o = a.future_dated.unwrap();
    assert_eq!(o.result, FutureDatedResult::Failed);
    assert_eq!(o.command.counter, 1004);
    assert_eq!(o.command.message_code, Some(MessageCode(0x0012)));
    assert_eq!(
        o.instruction,
        FutureDatedInstruction::FirmwareActivation {
            status: 2,
            firmware_version: vec![0x01, 0x23, 0xAB, 0xCF]
        }
    );
    assert_eq!(
        o.execution_time.unwrap().to_utc(),
        UtcDateTime::new(2030, 1, 1, 0, 0, 0)
    );

    let a = decode_alert(&common::vector(
        "6.15.1_CS02bSupplierBySupplier",
        "CS02bSupplierBySupplier_6.15.1_8F67_FUTURE_DATED_ERROR_ALERT_GBCS.HEX",
    ))
    .unwrap();
    let o = a.future_dated.unwrap();
    assert_eq!(o.result, FutureDatedResult::Failed);
    assert_eq!(o.command.counter, 1004);
    assert_eq!(o.command.message_code, Some(MessageCode(0x0102)));
    let FutureDatedInstruction::CredentialsUpdate(x) = &o.instruction else {
        panic!("credentials outcome expected");
    };
    assert_eq!(x.seq_number, 1004);
    assert_eq!(x.mode, 2);
    assert_eq!(x.outcomes.len(), 3);
    assert_eq!(
        x.outcomes.iter().map(|r| r.status).collect::<Vec<_>>(),
        [0, 10, 0]
    );
    assert!(!x.all_succeeded());

    let a = decode_alert(&common::vector(
        "6.23_CS02bSupplierByTransCoS",
        "CS02bSupplierByTransCoS_6.23_8F66_FUTURE_DATED_SUCCESS_ALERT_GBCS.HEX",
    ))
    .unwrap();
    let o = a.future_dated.unwrap();
    assert_eq!(o.command.counter, 6002);
    assert_eq!(o.command.originator, eui("90b3d51f30000004"));
    assert_eq!(o.command.message_code, Some(MessageCode(0x0107)));
}

#[test]
fn non_future_dated_alerts_keep_their_detail() {
    let a = decode_alert(&common::vector("NA_GCS62", "GCS62_NA_8071_ALERT_GBCS.HEX")).unwrap();
    assert_eq!(a.family, AlertFamily::Asn1);
    assert!(a.protection.mac);
    let Some(AlertDetail::Asn1(rest)) = &a.detail else {
        panic!("ASN.1 detail expected")
    };
    assert_eq!(rest.len(), 1);

    let a = decode_alert(&common::vector(
        "NA_ECS100",
        "ECS100_NA_8F85_SUPPLEMENTARY_REMOTE_PARTY_ALERT_GBCS.HEX",
    ))
    .unwrap();
    assert_eq!(a.supplementary_remote_party, Some(eui("90b3d51f30010000")));
    assert_eq!(a.supplementary_remote_party_counter, Some(200_000));
    assert!(matches!(a.detail, Some(AlertDetail::Dlms(ref v)) if v.len() == 1));

    let a = decode_alert(&common::vector(
        "NA_GCA-ZigBee",
        "GCA-ZigBee_NA_8F30_ALERT_GBCS.HEX",
    ))
    .unwrap();
    assert_eq!(a.family, AlertFamily::Gbz);
    assert!(a.date_time.unwrap().to_utc().is_some());
}

#[test]
fn instruction_position_rejects_the_wrong_command() {
    let alert = decode_alert(&common::vector(
        "1.1.1_ECS01a",
        "ECS01a_1.1.1_8F66_FUTURE_DATED_TOU_BLOCK_SUCCESS_ALERT_PRICE_MATRIX_GBCS.HEX",
    ))
    .unwrap()
    .future_dated
    .unwrap();
    let mut command = apdu(&common::vector(
        "1.1.1_ECS01a",
        "ECS01a_1.1.1_FUTURE_DATED_TOU_BLOCK_SUCCESS_COMMAND_GBCS.HEX",
    ));
    let response = apdu(&common::vector(
        "1.1.1_ECS01a",
        "ECS01a_1.1.1_FUTURE_DATED_TOU_BLOCK_SUCCESS_RESPONSE_GBCS.HEX",
    ));
    assert_eq!(
        alert.instruction_position(&response),
        Err(InstructionError::NotACommand)
    );
    command.counter += 1;
    assert!(matches!(
        alert.instruction_position(&command),
        Err(InstructionError::CounterMismatch { .. })
    ));
    command.counter -= 1;
    let gcs = apdu(&common::vector(
        "1.1.1_GCS01a",
        "GCS01a_1.1.1_FUTURE_DATED_BLOCK_SUCCESS_COMMAND_GBCS.HEX",
    ));
    let mut other = gcs.clone();
    other.counter = command.counter;
    assert!(matches!(
        alert.instruction_position(&other),
        Err(InstructionError::MessageCodeMismatch { .. })
    ));
    other.other_info = command.other_info.clone();
    assert_eq!(
        alert.instruction_position(&other),
        Err(InstructionError::PayloadMismatch)
    );
    // The same command without the price-matrix activation has no instruction to match.
    let gbcs::Payload::AccessRequest(mut r) = command.payload() else {
        panic!("DLMS command expected")
    };
    let FutureDatedInstruction::Dlms(d) = &alert.instruction else {
        panic!("DLMS outcome expected")
    };
    let keep: Vec<bool> = r
        .specs
        .iter()
        .map(|s| *s != gbcs::dlms::RequestSpec::Set(*d))
        .collect();
    r.specs = r
        .specs
        .into_iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(s, _)| s)
        .collect();
    r.data = r
        .data
        .into_iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(s, _)| s)
        .collect();
    command.content = r.encode();
    assert_eq!(
        alert.instruction_position(&command),
        Err(InstructionError::NoMatchingInstruction)
    );
}

#[test]
fn commands_responses_and_garbage_give_typed_errors() {
    let command = common::vector("11.2_ECS52", "ECS52_11.2_SUCCESS_COMMAND_GBCS.HEX");
    assert!(matches!(
        decode_alert(&command),
        Err(AlertDecodeError::NotAnAlert(gbcs::Cra::Command))
    ));
    assert!(matches!(decode_alert(&[]), Err(AlertDecodeError::Frame(_))));
    assert!(matches!(
        decode_alert(&[0x00, 0x01, 0x02]),
        Err(AlertDecodeError::Frame(_))
    ));
    for p in alert_vectors() {
        let bytes = common::read_hex(&p);
        for cut in [1, 5, 20, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                matches!(decode_alert(&bytes[..cut]), Err(AlertDecodeError::Frame(_))),
                "{} cut at {cut}",
                name(&p)
            );
        }
    }
}

/// Rebuilds a signed alert APDU around `content` (other fields from a real alert).
fn with_content(content: Vec<u8>) -> Vec<u8> {
    let mut a = apdu(&common::vector(
        "11.3_CS06",
        "CS06_11.3_8F66_FUTURE_DATED_SUCCESS_ALERT_GBCS.HEX",
    ));
    a.content = content;
    a.encode()
}

#[test]
fn malformed_payloads_and_outcomes_give_typed_errors() {
    // Not a payload any alert family uses.
    assert_eq!(
        decode_alert(&with_content(vec![0xD9, 0x00])),
        Err(AlertDecodeError::UnrecognisedPayload)
    );
    // DLMS notification whose body is not a structure.
    let dlms = vec![0x0F, 0x20, 0, 0, 1, 0x00, 0x12, 0x8F, 0x66];
    assert!(matches!(
        decode_alert(&with_content(dlms)),
        Err(AlertDecodeError::MalformedPayload {
            family: AlertFamily::Dlms,
            ..
        })
    ));
    // DLMS 8F66 with an 18-byte outcome block.
    let mut dlms = vec![
        0x0F, 0x20, 0, 0, 1, 0x00, 0x02, 0x03, 0x12, 0x8F, 0x66, 0x09, 0x0C,
    ];
    dlms.extend([0x07, 0xEE, 1, 15, 0xFF, 9, 0, 0, 0, 0x80, 0, 0xFF]);
    dlms.extend([0x09, 18]);
    dlms.extend([0u8; 18]);
    assert_eq!(
        decode_alert(&with_content(dlms)),
        Err(AlertDecodeError::MalformedOutcome {
            alert_code: AlertCode(0x8F66),
            family: AlertFamily::Dlms,
            reason: "outcome block is not 19 bytes"
        })
    );
    // GBZ 8F67 without the outcome block.
    let gbz = vec![
        0x01, 0x09, 0x01, 0x8F, 0x67, 0x1C, 0x37, 0x4A, 0x80, 0x00, 0x05,
    ];
    assert!(matches!(
        decode_alert(&with_content(gbz)),
        Err(AlertDecodeError::MalformedOutcome {
            family: AlertFamily::Gbz,
            ..
        })
    ));
    // ASN.1 alert whose code is negative, and one whose outcome is of no known layout.
    assert!(matches!(
        decode_alert(&with_content(vec![0x30, 0x03, 0x02, 0x01, 0x80])),
        Err(AlertDecodeError::MalformedPayload {
            family: AlertFamily::Asn1,
            ..
        })
    ));
    assert!(matches!(
        decode_alert(&with_content(vec![
            0x30, 0x05, 0x02, 0x03, 0x00, 0x8F, 0x66
        ])),
        Err(AlertDecodeError::MalformedOutcome {
            family: AlertFamily::Asn1,
            ..
        })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn decode_alert_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = decode_alert(&bytes);
    }

    #[test]
    fn decode_alert_never_panics_on_alert_shaped_content(
        content in proptest::collection::vec(any::<u8>(), 0..200),
        prefix in prop_oneof![
            Just(vec![0x0Fu8, 0x20, 0, 0, 1, 0x00, 0x02]),
            Just(vec![0x01u8, 0x09, 0x01, 0x8F, 0x66]),
            Just(vec![0x30u8]),
        ],
    ) {
        let mut c = prefix;
        c.extend(content);
        let _ = decode_alert(&with_content(c));
    }

    #[test]
    fn one_byte_changes_in_rtds_alerts_never_panic(i in 0usize..93, pos in any::<usize>(), b in any::<u8>()) {
        let vectors = alert_vectors();
        let mut bytes = common::read_hex(&vectors[i % vectors.len()]);
        let at = pos % bytes.len();
        bytes[at] = b;
        let _ = decode_alert(&bytes);
    }
}
