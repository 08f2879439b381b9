//! DUIS 8.9 Read Device Log (CS07, CCS04/CCS05, CCS06, CCS07): each builder against the RTDS
//! commands byte for byte (with the ACB MAC), every RTDS command decoding strictly, every RTDS
//! response (SUCCESS and ERROR) decoding and classifying, the device's encoders reproducing the
//! RTDS responses' contents, and commands outside the use cases' formats refused.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, apdu, check_command};
use gbcs::Eui64;
use gbcs::axdr::Data;
use gbcs::usecases::han_logs::{self, BACKUP_CURRENT};
use gbcs::usecases::{
    self, CommandHeader, DecodedCommand, Failure, HanLogEntry, ResponseClass, ResponseOutcome,
    ResponseValue, classify_response, decode_command, decode_response,
};

const SUPPLIER: u64 = 0x90b3_d51f_3001_0000;
const ACB: u64 = 0x90b3_d51f_3000_0002;
const GSME: u64 = 0x00db_1234_5678_90a1;
const CHF: u64 = 0x00db_1234_5678_90a2;

fn acb(recipient: u64, counter: u64, user_counter: u64) -> CommandHeader {
    CommandHeader::on_behalf_of(
        Eui64::from_u64(ACB),
        Eui64::from_u64(recipient),
        counter,
        Eui64::from_u64(SUPPLIER),
        user_counter,
    )
}

#[test]
fn builders_reproduce_the_rtds_commands() {
    let ks = Keystore::load();
    let b = usecases::cs07_read_device_join_details(&CommandHeader::new(
        Eui64::from_u64(SUPPLIER),
        Eui64::from_u64(GSME),
        1001,
    ));
    check_command(&ks, "8.9_CS07", "CS07_8.9_SUCCESS_COMMAND_GBCS.HEX", b);
    let b = usecases::cs07_read_device_join_details(&acb(GSME, 1301, 1002));
    check_command(&ks, "8.9_CS07", "CS07_8.9_ERROR_COMMAND_GBCS.HEX", b);
    for (scenario, counter, user) in [("SUCCESS", 1300, 1000), ("ERROR", 1301, 1001)] {
        let h = acb(CHF, counter, user);
        check_command(
            &ks,
            "8.9_CCS05CCS04",
            &format!("CCS05CCS04_8.9_{scenario}_COMMAND_GBCS.HEX"),
            usecases::ccs05_read_chf_device_log(&h),
        );
        check_command(
            &ks,
            "8.9_CCS06",
            &format!("CCS06_8.9_{scenario}_COMMAND_GBCS.HEX"),
            usecases::ccs06_read_chf_device_log(&h),
        );
        check_command(
            &ks,
            "8.9_CCS07",
            &format!("CCS07_8.9_{scenario}_COMMAND_GBCS.HEX"),
            usecases::ccs07_read_chf_device_logs(&h),
        );
    }
}

#[test]
fn rtds_commands_decode_to_their_use_cases() {
    for (dir, stem, expected) in [
        ("8.9_CS07", "CS07", DecodedCommand::Cs07),
        ("8.9_CCS05CCS04", "CCS05CCS04", DecodedCommand::Ccs05),
        ("8.9_CCS06", "CCS06", DecodedCommand::Ccs06),
        ("8.9_CCS07", "CCS07", DecodedCommand::Ccs07),
    ] {
        for scenario in ["SUCCESS", "ERROR"] {
            let a = apdu(dir, &format!("{stem}_8.9_{scenario}_COMMAND_GBCS.HEX"));
            assert_eq!(decode_command(&a).unwrap(), expected, "{stem} {scenario}");
        }
    }
}

fn response(dir: &str, file: &str) -> (gbcs::MessageCode, Vec<u8>) {
    let a = apdu(dir, file);
    (a.message_code(), a.content)
}

#[test]
fn rtds_responses_decode() {
    let (code, content) = response("8.9_CS07", "CS07_8.9_SUCCESS_RESPONSE_GBCS.HEX");
    let ResponseOutcome::Success(ResponseValue::HanJoinDetails(log)) =
        decode_response(code, &content).unwrap()
    else {
        panic!()
    };
    let e = |id: u64, t: u8| HanLogEntry {
        device: Eui64::from_u64(id),
        device_type: t,
    };
    assert_eq!(
        log,
        vec![
            e(0x0102_0304_0506_0708, 3),
            e(0x00DB_1234_5678_9099, 3),
            e(0x00DB_1234_5678_9097, 5)
        ]
    );
    // The device's encoder gives the same content.
    assert_eq!(han_logs::encode_join_details(Ok(&log)), content);
    let (code, content) = response("8.9_CS07", "CS07_8.9_ERROR_RESPONSE_GBCS.HEX");
    assert_eq!(
        decode_response(code, &content).unwrap(),
        ResponseOutcome::Failure(Failure::Result { code: 1 })
    );
    assert_eq!(
        han_logs::encode_join_details(Err(han_logs::READ_FAILURE)),
        content
    );

    for (dir, stem) in [("8.9_CCS05CCS04", "CCS05CCS04"), ("8.9_CCS06", "CCS06")] {
        let (code, content) = response(dir, &format!("{stem}_8.9_SUCCESS_RESPONSE_GBCS.HEX"));
        let ResponseOutcome::Success(ResponseValue::ActiveDevices(devices)) =
            decode_response(code, &content).unwrap()
        else {
            panic!("{stem}")
        };
        assert_eq!(devices.len(), 2);
        assert_eq!(devices[0].device, Eui64::from_u64(0x00DB_1234_5678_90A0));
        assert_eq!(devices[0].status, 0xC8);
        assert_eq!(devices[0].average_rssi, -50);
        assert_eq!(
            devices[1].last_communication_at().unwrap().to_unix(),
            1_420_069_200
        );
        assert_eq!(
            Data::Array(devices.iter().map(|d| d.to_data()).collect()),
            han_logs::active_devices_data(&devices)
        );
        let (code, content) = response(dir, &format!("{stem}_8.9_ERROR_RESPONSE_GBCS.HEX"));
        assert!(matches!(
            decode_response(code, &content).unwrap(),
            ResponseOutcome::Failure(Failure::Dlms { index: 0, .. })
        ));
    }

    let (code, content) = response("8.9_CCS07", "CCS07_8.9_SUCCESS_RESPONSE_GBCS.HEX");
    let ResponseOutcome::Success(ResponseValue::ChfDeviceLogs(logs)) =
        decode_response(code, &content).unwrap()
    else {
        panic!()
    };
    assert_eq!(logs.current.extended_pan_id, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(logs.current.entries.len(), 2);
    assert_eq!(logs.historic.entries.len(), 2);
    assert_eq!(
        logs.current.entries[1].device,
        Eui64::from_u64(0x00DB_1234_5678_90A1)
    );
    assert_eq!(logs.current.entries[0].security_details.len(), 16);
    let (code, content) = response("8.9_CCS07", "CCS07_8.9_ERROR_RESPONSE_GBCS.HEX");
    assert!(matches!(
        decode_response(code, &content).unwrap(),
        ResponseOutcome::Failure(Failure::Dlms {
            index: 0,
            result: 1
        })
    ));

    // Every response classifies.
    for (dir, stem) in [
        ("8.9_CS07", "CS07"),
        ("8.9_CCS05CCS04", "CCS05CCS04"),
        ("8.9_CCS06", "CCS06"),
        ("8.9_CCS07", "CCS07"),
    ] {
        for scenario in ["SUCCESS", "ERROR"] {
            let a = apdu(dir, &format!("{stem}_8.9_{scenario}_RESPONSE_GBCS.HEX"));
            let c = classify_response(a.message_code(), &a.content);
            assert_eq!(
                c == ResponseClass::Success,
                scenario == "SUCCESS",
                "{stem} {scenario}: {c:?}"
            );
        }
    }
}

#[test]
fn commands_outside_the_formats_are_refused() {
    let h = acb(CHF, 1300, 1000);
    // CS07 with content other than NULL.
    let mut a = usecases::cs07_read_device_join_details(&h);
    a.content = vec![0x05, 0x01, 0x00];
    assert!(decode_command(&a).is_err());
    // CCS07 with a parameter.
    let mut a = usecases::ccs07_read_chf_device_logs(&h);
    let n = a.content.len();
    a.content[n - 1] = 0x01;
    assert!(decode_command(&a).is_err());
    // CCS06 reading another attribute.
    let mut a = usecases::ccs06_read_chf_device_log(&h);
    let pos = a.content.len() - 3;
    assert_eq!(a.content[pos], BACKUP_CURRENT.index);
    a.content[pos] = 3;
    assert!(decode_command(&a).is_err());
}

// 8.12 Restore HAN Device Log.

const GPF: u64 = 0x00db_1234_5678_90a3;

fn rtds_restore() -> usecases::RestorePan {
    let details = |last: u8| {
        let mut d = hex::decode("83FED3407A939723A5C639B26916D500").unwrap();
        d[15] = last;
        d
    };
    usecases::RestorePan {
        extended_pan_id: [0, 0, 0, 0, 0, 0, 1, 0x40],
        entries: vec![
            usecases::PanBackupEntry {
                device: Eui64::from_u64(0x00DB_1234_5678_90A0),
                security_details: details(6),
            },
            usecases::PanBackupEntry {
                device: Eui64::from_u64(0x00DB_1234_5678_90A1),
                security_details: details(5),
            },
        ],
    }
}

fn rtds_gpf_log() -> Vec<HanLogEntry> {
    vec![
        HanLogEntry {
            device: Eui64::from_u64(0x0011_2233_4455_6677),
            device_type: 5,
        },
        HanLogEntry {
            device: Eui64::from_u64(0x8899_AABB_CCDD_EEFF),
            device_type: 6,
        },
    ]
}

#[test]
fn restore_builders_reproduce_the_rtds_commands_and_decode_strictly() {
    let ks = Keystore::load();
    let restore = rtds_restore();
    for (scenario, counter, user) in [("SUCCESS", 1302, 1002), ("ERROR", 1303, 1003)] {
        let b = usecases::ccs03_restore_chf_device_log(&acb(CHF, counter, user), &restore);
        check_command(
            &ks,
            "8.12.1_CCS03",
            &format!("CCS03_8.12.1_{scenario}_COMMAND_GBCS.HEX"),
            b,
        );
        let a = apdu(
            "8.12.1_CCS03",
            &format!("CCS03_8.12.1_{scenario}_COMMAND_GBCS.HEX"),
        );
        assert_eq!(
            decode_command(&a).unwrap(),
            DecodedCommand::Ccs03(restore.clone())
        );
    }
    let log = rtds_gpf_log();
    let h = CommandHeader::new(Eui64::from_u64(ACB), Eui64::from_u64(GPF), 1300);
    check_command(
        &ks,
        "8.12.2_GCS59",
        "GCS59_8.12.2_SUCCESS_COMMAND_GBCS.HEX",
        usecases::gcs59_restore_gpf_device_log(&h, &log),
    );
    let a = apdu("8.12.2_GCS59", "GCS59_8.12.2_SUCCESS_COMMAND_GBCS.HEX");
    assert_eq!(
        decode_command(&a).unwrap(),
        DecodedCommand::Gcs59(log.clone())
    );

    // Outside the formats: a device named twice, short security details.
    let mut twice = log.clone();
    twice.push(log[0]);
    assert!(decode_command(&usecases::gcs59_restore_gpf_device_log(&h, &twice)).is_err());
    let mut short = restore.clone();
    short.entries[0].security_details.truncate(8);
    assert!(
        decode_command(&usecases::ccs03_restore_chf_device_log(
            &acb(CHF, 1, 1),
            &short
        ))
        .is_err()
    );
    let mut twice = restore;
    twice.entries.push(twice.entries[0].clone());
    assert!(
        decode_command(&usecases::ccs03_restore_chf_device_log(
            &acb(CHF, 1, 1),
            &twice
        ))
        .is_err()
    );
}

#[test]
fn restore_responses_decode() {
    let (code, content) = response("8.12.1_CCS03", "CCS03_8.12.1_SUCCESS_RESPONSE_GBCS.HEX");
    assert_eq!(
        decode_response(code, &content).unwrap(),
        ResponseOutcome::Success(ResponseValue::Done)
    );
    let (code, content) = response("8.12.1_CCS03", "CCS03_8.12.1_ERROR_RESPONSE_GBCS.HEX");
    assert!(matches!(
        decode_response(code, &content).unwrap(),
        ResponseOutcome::Failure(Failure::Dlms { index: 0, .. })
    ));
    let (code, content) = response("8.12.2_GCS59", "GCS59_8.12.2_SUCCESS_RESPONSE_GBCS.HEX");
    assert_eq!(
        decode_response(code, &content).unwrap(),
        ResponseOutcome::Success(ResponseValue::DeviceLogRestored(rtds_gpf_log()))
    );
    let outcomes: Vec<(HanLogEntry, u8)> = rtds_gpf_log().into_iter().map(|e| (e, 0)).collect();
    assert_eq!(usecases::gcs59::encode_response(&outcomes), content);
    let mut failed = outcomes;
    failed[1].1 = 4;
    assert_eq!(
        decode_response(code, &usecases::gcs59::encode_response(&failed)).unwrap(),
        ResponseOutcome::Failure(Failure::Result { code: 4 })
    );
}
