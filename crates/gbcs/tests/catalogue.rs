//! The service catalogue against the RTDS 4.5.0 vectors: every COMMAND and PRECOMMAND of the 14
//! catalogued use cases decodes to the parameters its DUIS request carried, builder output
//! decodes back to the builder's parameters, every RESPONSE (SUCCESS and ERROR) decodes and is
//! classified as success or failure, and the two defects of issue 11 (CS08 protection, GCS32
//! issuer event id) are pinned to the vectors.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, rtds_dir, vector};
use gbcs::crypto::{KdfContext, KdfMode, decrypt_payload};
use gbcs::gbz::{GbzBody, GbzPayload};
use gbcs::usecases::{
    self, ALL, AuxLoadAction, AuxLoadCommand, ChangeSupply, ClockValidity, CommandDecodeError,
    CommandHeader, DecodedCommand, DeviceLogAddition, DeviceType, DlmsRead, Failure,
    RemotePartyRole, ResponseClass, ResponseOutcome, ResponseValue, ZclRead, by_message_code,
    classify_response, decode_command, decode_response, supported_on,
};
use gbcs::{
    Eui64, Frame, GeneralSigning, MessageCode, Payload, SignatureField, UtcDateTime, wrap_command,
};

const SUPPLIER: u64 = 0x90b3_d51f_3001_0000;
const ACB: u64 = 0x90b3_d51f_3000_0002;
const ESME: u64 = 0x00db_1234_5678_90a0;
const GSME: u64 = 0x00db_1234_5678_90a1;
const PPMID: u64 = 0x00db_1234_5678_90a4;
const HCALCS: u64 = 0x00db_1234_5678_90a5;

/// The RTDS directories of the catalogued use cases.
const DIRS: [&str; 30] = [
    "11.2_ECS52",
    "11.2_GCS38",
    "11.2_CS08",
    "7.4_ECS45",
    "7.4_GCS33",
    "4.1.1_ECS17b",
    "4.1.1_GCS13a",
    "7.1_ECS42",
    "7.2_ECS43",
    "7.2_GCS32",
    "7.3_ECS44",
    "7.3_GCS39",
    "7.5_ECS47Activate",
    "7.6_ECS47Deactivate",
    "7.8_ECS47Reset",
    "7.7_ECS61a",
    "7.13_ECS47a",
    "7.12_ECS38",
    "7.9_ECS62Add",
    "7.10_ECS62Remove",
    "7.11_ECS61c",
    "7.14_ECS61d",
    "7.15_ECS61e",
    "7.16_ECS47e",
    "6.11_ECS70",
    "8.1.1_ECS70Commission",
    "6.11_GCS28",
    "8.1.1_GCS28Commission",
    "8.11_CCS01",
    "8.11_CCS02",
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
    let b = vector(dir, file);
    match Frame::decode(&b) {
        Ok(f) => f.apdu().clone(),
        // Pre-commands are bare General-Signing APDUs without a signature field.
        Err(_) => GeneralSigning::decode(&b).unwrap(),
    }
}

fn t(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> UtcDateTime {
    UtcDateTime::new(y, mo, d, h, mi, s).unwrap()
}

#[test]
fn the_registry_lists_each_use_case_once_with_its_metadata() {
    // Each message code once (the registry grows with every family of use cases).
    let mut codes: Vec<u16> = ALL.iter().map(|s| s.message_code.0).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), ALL.len());
    for s in ALL {
        assert_eq!(by_message_code(s.message_code).unwrap().name, s.name);
        assert_eq!(s.message_code.use_case(), Some(s.name), "{}", s.name);
        assert!(!s.device_types.is_empty() && !s.originators.is_empty());
        // Nothing the DCC originates here is critical, and the DCC signs none of them.
        assert!(!(s.dcc_originated && s.critical), "{}", s.name);
        // Except the transitional CoS party's CS02b (DUIS 6.23): the DCC signs it as that party;
        // and the joins and unjoin the ACB sends a PPMID (8.7.2, 8.8.2), signed by the ACB.
        assert_eq!(
            s.dcc_signs,
            ["CS02bSupplierByTransCoS", "CS03A2", "CS03C", "CS04AC"].contains(&s.name),
            "{}",
            s.name
        );
        if s.dcc_originated {
            assert_eq!(s.originators, &[RemotePartyRole::AccessControlBroker]);
        }
    }
    let critical: Vec<&str> = ALL.iter().filter(|s| s.critical).map(|s| s.name).collect();
    assert_eq!(
        critical,
        [
            "CS03A1",
            "CS03A2",
            "CS03C",
            "CS04AC",
            "ECS42",
            "ECS43",
            "GCS32",
            "ECS44",
            "GCS39",
            "ECS47",
            "ECS47a",
            "ECS38",
            "ECS47e",
            "ECS70",
            "GCS28",
            "CS02bSupplierBySupplier",
            "CS02bNOByNO",
            "CS02gLoadControllerBySupplier",
            "CS02bSupplierByTransCoS",
            "CS02c",
            "CS02d",
            "CS02e",
            "ECS05",
            "ECS28a",
            "ECS48",
            "ECS81",
            "ECS46a",
            "ECS46c",
            "ECS46d",
            "ECS09",
            "GCS06",
            "ECS02",
            "ECS03",
            "GCS02",
            "GCS03",
            "ECS07",
            "GCS04",
            "ECS08",
            "ECS08a",
            "GCS05",
            "ECS01a",
            "ECS01c",
            "ECS01b",
            "ECS01d",
            "GCS01a",
            "GCS01b",
            "ECS04a",
            "ECS04b",
            "GCS40a",
            "GCS40b",
            "GCS40c",
            "GCS40d",
            "ECS30",
            "ECS30a",
            "GCS25",
            "GCS25a",
            "GCS23",
            "GCS24",
            "GCS24a",
            "CS06",
        ]
    );
    assert!(supported_on(MessageCode::GCS13A, DeviceType::Gpf).is_some());
    assert!(supported_on(MessageCode::GCS38, DeviceType::Gpf).is_none());
    assert!(supported_on(MessageCode::ECS52, DeviceType::Chf).is_some());
    assert!(supported_on(MessageCode::ECS45, DeviceType::Chf).is_none());
    assert!(supported_on(MessageCode::CS08, DeviceType::Hcalcs).is_some());
    assert!(supported_on(MessageCode::CCS01, DeviceType::Ihd).is_none());
    assert!(by_message_code(MessageCode(0xFFF0)).is_none());
}

#[test]
fn critical_use_cases_are_exactly_those_with_precommand_vectors() {
    for dir in DIRS {
        let has_pre = std::fs::read_dir(rtds_dir().join(dir)).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .contains("PRECOMMAND")
        });
        let code = apdu(dir, &files(dir, "COMMAND")[0]).message_code();
        let s = by_message_code(code).unwrap();
        assert_eq!(s.critical && !s.dcc_signs, has_pre, "{dir}");
    }
}

/// What each RTDS command (and pre-command) decodes to.
fn expected_command(dir: &str, file: &str) -> DecodedCommand {
    let error = file.contains("ERROR");
    match dir {
        "11.2_ECS52" => DecodedCommand::Ecs52(DlmsRead {
            objects: vec![usecases::ecs52::FIRMWARE_VERSION],
        }),
        "7.4_ECS45" => DecodedCommand::Ecs45(DlmsRead {
            objects: vec![usecases::ecs45::CONTROL_STATE],
        }),
        "11.2_GCS38" => DecodedCommand::Gcs38(ZclRead {
            cluster: 0x0702,
            attributes: vec![0x0206],
        }),
        "7.4_GCS33" => DecodedCommand::Gcs33(ZclRead {
            cluster: 0x0702,
            attributes: vec![0x0205, 0x0014],
        }),
        "4.1.1_GCS13a" => DecodedCommand::Gcs13a(ZclRead {
            cluster: 0x0702,
            attributes: vec![0x0302, 0x0301, 0x0300, 0x0000],
        }),
        "11.2_CS08" => DecodedCommand::Cs08,
        "4.1.1_ECS17b" => DecodedCommand::Ecs17b(usecases::ProtectedRead {
            objects: vec![usecases::ecs17b::IMPORT_REGISTERS],
        }),
        "7.1_ECS42" => DecodedCommand::Ecs42(usecases::ScriptExecution { script: 51 }),
        "7.2_ECS43" => DecodedCommand::Ecs43(usecases::ScriptExecution { script: 52 }),
        "7.2_GCS32" => DecodedCommand::Gcs32(ChangeSupply {
            provider_id: 0,
            issuer_event_id: 0x1C37_4A80,
            request_date_time: 0,
            implementation_date_time: 0,
            proposed_supply_status: 0,
            supply_control_bits: 1,
        }),
        "7.3_ECS44" => DecodedCommand::Ecs44(usecases::ScriptExecution { script: 54 }),
        // DUIS: index 1 Duration 30; index 3 Duration 60; index 5.
        "7.5_ECS47Activate" => DecodedCommand::Ecs47(AuxLoadCommand {
            index: 1,
            action: AuxLoadAction::Activate { duration: 30 },
        }),
        "7.6_ECS47Deactivate" => DecodedCommand::Ecs47(AuxLoadCommand {
            index: 3,
            action: AuxLoadAction::Deactivate { duration: 60 },
        }),
        "7.8_ECS47Reset" => DecodedCommand::Ecs47(AuxLoadCommand {
            index: 5,
            action: AuxLoadAction::Reset,
        }),
        // DUIS: 2015-01-03T00:00:00Z to 01:00:00Z; controller, level and input by variant.
        "7.13_ECS47a" => {
            let (index, level, input) =
                if file.contains("ALCS_ACTIVATE") || file.contains("APC_OUTPUT") {
                    (5, 100, false)
                } else if file.contains("ALCS_DEACTIVATE") {
                    (1, 0, false)
                } else {
                    (3, 50, true)
                };
            DecodedCommand::Ecs47a(usecases::AuxControllerState {
                index,
                start: t(2015, 1, 3, 0, 0, 0),
                end: t(2015, 1, 3, 1, 0, 0),
                level,
                input_from_controlled_load: input,
            })
        }
        "7.12_ECS38" => DecodedCommand::Ecs38(900),
        // DUIS: all five controllers named.
        "7.9_ECS62Add" | "7.10_ECS62Remove" => DecodedCommand::Ecs62(usecases::BoostAssociation {
            add: dir == "7.9_ECS62Add",
            controllers: [true; 5],
        }),
        // DUIS: ReadLogPeriod 2014-12-25T23:00:00Z to 2015-01-01T00:00:00Z.
        "7.11_ECS61c" => DecodedCommand::Ecs61c(usecases::LogPeriod {
            start: t(2014, 12, 25, 23, 0, 0),
            end: t(2015, 1, 1, 0, 0, 0),
        }),
        // DUIS: 2015-01-03T00:00:00Z to 01:00:00Z; APC 3 at 50 from its input, APC 5 at 100.
        "7.16_ECS47e" => {
            let (index, level, input) = if file.contains("APC_INPUT") {
                (3, 50, true)
            } else {
                (5, 100, false)
            };
            DecodedCommand::Ecs47e(usecases::AuxControllerState {
                index,
                start: t(2015, 1, 3, 0, 0, 0),
                end: t(2015, 1, 3, 1, 0, 0),
                level,
                input_from_controlled_load: input,
            })
        }
        "7.14_ECS61d" => DecodedCommand::Ecs61d(DlmsRead {
            objects: usecases::ecs61d::OBJECTS.to_vec(),
        }),
        "7.15_ECS61e" => DecodedCommand::Ecs61e(DlmsRead {
            objects: usecases::ecs61e::OBJECTS.to_vec(),
        }),
        "7.7_ECS61a" => DecodedCommand::Ecs61a(DlmsRead {
            objects: usecases::ecs61a::OBJECTS.to_vec(),
        }),
        "7.3_GCS39" => DecodedCommand::Gcs39(ChangeSupply {
            provider_id: 0,
            issuer_event_id: 0x1C37_4A80,
            request_date_time: 0,
            implementation_date_time: 0,
            proposed_supply_status: 1,
            supply_control_bits: 1,
        }),
        // DUIS: CurrentDateTime 2014-12-31T23:59:10Z, TolerancePeriod 60.
        "6.11_ECS70" | "8.1.1_ECS70Commission" => DecodedCommand::Ecs70(ClockValidity {
            start: t(2014, 12, 31, 23, 59, 10),
            end: t(2015, 1, 1, 0, 0, 10),
        }),
        // DUIS: 2014-12-31T23:30:00Z, TolerancePeriod 3600; the ERROR vectors an interval in
        // the device's future.
        "6.11_GCS28" | "8.1.1_GCS28Commission" if error => DecodedCommand::Gcs28(ClockValidity {
            start: t(2015, 1, 1, 1, 0, 0),
            end: t(2015, 1, 1, 2, 0, 0),
        }),
        "6.11_GCS28" | "8.1.1_GCS28Commission" => DecodedCommand::Gcs28(ClockValidity {
            start: t(2014, 12, 31, 23, 30, 0),
            end: t(2015, 1, 1, 0, 30, 0),
        }),
        "8.11_CCS01" => DecodedCommand::Ccs01(DeviceLogAddition::new(
            Eui64::from_u64(ESME),
            b"0123456789ABCDEF".to_vec(),
            90,
        )),
        "8.11_CCS02" => DecodedCommand::Ccs02(Eui64::from_u64(ESME)),
        _ => panic!("{dir}"),
    }
}

#[test]
fn every_rtds_command_and_precommand_decodes_to_its_parameters() {
    let mut n = 0;
    for dir in DIRS {
        let mut names = files(dir, "COMMAND");
        if std::fs::read_dir(rtds_dir().join(dir)).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .contains("PRECOMMAND")
        }) {
            names.extend(files(dir, "PRECOMMAND"));
        }
        for file in names {
            let a = apdu(dir, &file);
            let decoded = decode_command(&a).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(decoded, expected_command(dir, &file), "{file}");
            assert_eq!(decoded.spec().message_code, a.message_code(), "{file}");
            n += 1;
        }
    }
    assert!(n >= 40, "{n} vectors");
}

#[test]
fn builder_output_decodes_to_the_builder_parameters() {
    let h = CommandHeader::new(Eui64::from_u64(SUPPLIER), Eui64::from_u64(GSME), 77);
    let start = t(2030, 6, 1, 12, 0, 0);
    let b = usecases::gcs28_set_clock(&h, start, 300).unwrap();
    assert_eq!(
        decode_command(&b).unwrap(),
        DecodedCommand::Gcs28(ClockValidity {
            start,
            end: t(2030, 6, 1, 12, 5, 0)
        })
    );
    let b = usecases::ecs70_set_clock(&h, start, 0).unwrap();
    assert_eq!(
        decode_command(&b).unwrap(),
        DecodedCommand::Ecs70(ClockValidity { start, end: start })
    );
    let b = usecases::gcs32_disable_supply(&h, 0xDEAD_BEEF).unwrap();
    let DecodedCommand::Gcs32(c) = decode_command(&b).unwrap() else {
        panic!()
    };
    assert_eq!(c.issuer_event_id, 0xDEAD_BEEF);
    let add = DeviceLogAddition::new(Eui64::from_u64(0x1234), vec![9; 16], 3600);
    let b = usecases::ccs01_add_device_to_chf_device_log(&h, &add);
    assert_eq!(decode_command(&b).unwrap(), DecodedCommand::Ccs01(add));
    let b = usecases::ccs02_remove_device_from_chf_device_log(&h, Eui64::from_u64(7));
    assert_eq!(
        decode_command(&b).unwrap(),
        DecodedCommand::Ccs02(Eui64::from_u64(7))
    );
    // A counter beyond 24 bits still binds the invoke id and the protection parameters.
    let h = CommandHeader::new(Eui64::from_u64(SUPPLIER), Eui64::from_u64(ESME), 1 << 40);
    let b = usecases::ecs17b_read_import_energy_registers(&h);
    assert!(matches!(decode_command(&b), Ok(DecodedCommand::Ecs17b(_))));
}

#[test]
fn commands_not_in_their_use_case_format_do_not_decode() {
    let h = CommandHeader::new(Eui64::from_u64(SUPPLIER), Eui64::from_u64(ESME), 5);
    // ECS45 content relabelled ECS43.
    let mut a = usecases::ecs45_read_supply_status(&h);
    a.other_info = gbcs::OtherInfo::code(MessageCode::ECS43);
    assert!(matches!(
        decode_command(&a),
        Err(CommandDecodeError::Format {
            use_case: "ECS43",
            ..
        })
    ));
    // ECS42's script in an ECS43.
    let mut a = usecases::ecs42_enable_supply(&h);
    a.other_info = gbcs::OtherInfo::code(MessageCode::ECS43);
    assert!(decode_command(&a).is_err());
    // Invoke id not bound to the counter.
    let mut a = usecases::ecs52_read_firmware_version(&h);
    a.counter = 6;
    assert!(decode_command(&a).is_err());
    // ECS17b protection parameters naming another device.
    let mut a = usecases::ecs17b_read_import_energy_registers(&h);
    a.recipient = Eui64::from_u64(GSME);
    assert!(decode_command(&a).is_err());
    // Truncated payload.
    let mut a = usecases::ccs02_remove_device_from_chf_device_log(&h, Eui64::from_u64(1));
    a.content.pop();
    assert!(matches!(
        decode_command(&a),
        Err(CommandDecodeError::Payload(_))
    ));
    // GCS32 proposing supply ON.
    let mut a = usecases::gcs32_disable_supply(&h, 1).unwrap();
    let n = a.content.len();
    a.content[n - 2] = 0x02;
    assert!(decode_command(&a).is_err());
    // GCS32 (proposing OFF) relabelled GCS39; a GCS39 with an implementation date-time;
    // ECS43's script in an ECS44.
    let mut a = usecases::gcs32_disable_supply(&h, 1).unwrap();
    a.other_info = gbcs::OtherInfo::code(MessageCode::GCS39);
    assert!(decode_command(&a).is_err());
    let a = usecases::gcs39_arm_supply(&h, 1).unwrap();
    assert!(matches!(decode_command(&a), Ok(DecodedCommand::Gcs39(_))));
    let mut dated = a.clone();
    let n = dated.content.len();
    dated.content[n - 3] = 0x01;
    assert!(decode_command(&dated).is_err());
    let mut a = usecases::ecs43_disable_supply(&h);
    a.other_info = gbcs::OtherInfo::code(MessageCode::ECS44);
    assert!(decode_command(&a).is_err());
    // ECS47: a switch outside 1..5 is not built; the duration object of another switch, the
    // activate script with the deactivate duration object, a reset with a duration: refused.
    let act = |index| AuxLoadCommand {
        index,
        action: AuxLoadAction::Activate { duration: 5 },
    };
    assert!(usecases::ecs47_auxiliary_load(&h, act(0)).is_err());
    assert!(usecases::ecs47_auxiliary_load(&h, act(6)).is_err());
    for i in 1..=5 {
        for action in [
            AuxLoadAction::Activate { duration: 9 },
            AuxLoadAction::Deactivate { duration: 0 },
            AuxLoadAction::Reset,
        ] {
            let c = AuxLoadCommand { index: i, action };
            let b = usecases::ecs47_auxiliary_load(&h, c).unwrap();
            assert_eq!(decode_command(&b).unwrap(), DecodedCommand::Ecs47(c));
        }
    }
    let mut a = usecases::ecs47_auxiliary_load(&h, act(2)).unwrap();
    let at = a.content.iter().position(|&b| b == 118).unwrap(); // 0-0:94.44.118.1
    a.content[at] = 119;
    assert!(decode_command(&a).is_err());
    let mut a = usecases::ecs47_auxiliary_load(&h, act(2)).unwrap();
    let n = a.content.len();
    a.content[n - 1] = 0x12; // deactivate script, activate duration object
    assert!(decode_command(&a).is_err());
    let mut a = usecases::ecs47_auxiliary_load(&h, act(2)).unwrap();
    let n = a.content.len();
    a.content[n - 1] = 0x20; // reset with a SET
    assert!(decode_command(&a).is_err());
    // ECS38: a limit over 1799 s is neither built nor decoded.
    assert!(usecases::ecs38_set_randomised_offset_limit(&h, 1800).is_err());
    let mut a = usecases::ecs38_set_randomised_offset_limit(&h, 1799).unwrap();
    assert_eq!(decode_command(&a).unwrap(), DecodedCommand::Ecs38(1799));
    let n = a.content.len();
    a.content[n - 1] = 0x08; // 0x0708 = 1800
    assert!(decode_command(&a).is_err());
    // ECS62: a command naming no controller is not built; mixed add/remove does not decode.
    let none = usecases::BoostAssociation {
        add: true,
        controllers: [false; 5],
    };
    assert!(usecases::ecs62_set_boost_association(&h, none).is_err());
    let some = usecases::BoostAssociation {
        add: false,
        controllers: [false, true, false, true, false],
    };
    let mut a = usecases::ecs62_set_boost_association(&h, some).unwrap();
    assert_eq!(decode_command(&a).unwrap(), DecodedCommand::Ecs62(some));
    let n = a.content.len();
    a.content[n - 1] = 0xFF; // the second one added
    assert!(decode_command(&a).is_err());
    let mut a = usecases::ecs62_set_boost_association(&h, some).unwrap();
    let at = a.content.iter().position(|&b| b == 6).unwrap(); // 0-0:94.44.6.2 → 6.4
    a.content[at + 1] = 4;
    assert!(decode_command(&a).is_err(), "the same controller twice");
    // ECS61c: a range over another restricting object does not decode.
    let p = usecases::LogPeriod {
        start: t(2020, 1, 1, 0, 0, 0),
        end: t(2020, 1, 2, 0, 0, 0),
    };
    let a = usecases::ecs61c_read_boost_function_data(&h, &p);
    assert_eq!(decode_command(&a).unwrap(), DecodedCommand::Ecs61c(p));
    let mut bad = a.clone();
    let at = bad
        .content
        .windows(2)
        .position(|w| w == [100, 0xFF])
        .unwrap();
    bad.content[at] = 101;
    assert!(decode_command(&bad).is_err());
    // GCS28 interval ending before it starts.
    let a = usecases::gcs28_set_clock(&h, t(2020, 1, 1, 0, 0, 0), 10).unwrap();
    let mut swapped = a.clone();
    let c = &mut swapped.content;
    let (s, e) = (c[4..19].to_vec(), c[21..36].to_vec());
    c[4..19].copy_from_slice(&e);
    c[21..36].copy_from_slice(&s);
    assert!(decode_command(&swapped).is_err());
    assert!(decode_command(&a).is_ok());
    // Unknown use case; not a command.
    let mut a = usecases::ecs52_read_firmware_version(&h);
    a.other_info = gbcs::OtherInfo::code(MessageCode(0xFFF0));
    assert_eq!(
        decode_command(&a),
        Err(CommandDecodeError::UnknownUseCase(MessageCode(0xFFF0)))
    );
    let mut a = usecases::ecs52_read_firmware_version(&h);
    a.cra = gbcs::Cra::Response;
    assert!(matches!(
        decode_command(&a),
        Err(CommandDecodeError::NotACommand(_))
    ));
}

/// The outcome each RTDS response decodes to.
fn check_response(dir: &str, file: &str, outcome: &ResponseOutcome) {
    use ResponseOutcome::{Failure as F, Success as S};
    let error = file.contains("ERROR");
    let fw = vec![0x01, 0x23, 0xAB, 0xCD];
    match (dir, outcome) {
        ("11.2_ECS52", S(ResponseValue::FirmwareVersion(v))) if !error => assert_eq!(*v, fw),
        ("11.2_GCS38", S(ResponseValue::FirmwareVersion(v))) if !error => assert_eq!(*v, fw),
        ("11.2_CS08", S(ResponseValue::FirmwareVersion(v))) if !error => assert_eq!(*v, fw),
        ("11.2_CS08", F(Failure::Result { code: 1 })) if error => {}
        (
            "11.2_ECS52"
            | "7.4_ECS45"
            | "7.1_ECS42"
            | "7.2_ECS43"
            | "7.3_ECS44"
            | "8.11_CCS02"
            | "7.5_ECS47Activate"
            | "7.6_ECS47Deactivate"
            | "7.8_ECS47Reset",
            f,
        ) if error => {
            assert_eq!(
                *f,
                F(Failure::Dlms {
                    index: 0,
                    result: 1
                })
            )
        }
        (
            "4.1.1_ECS17b",
            F(Failure::Dlms {
                index: 0,
                result: 1,
            }),
        ) if error => {}
        ("7.4_ECS45", S(ResponseValue::ControlState(1))) => {}
        (
            "11.2_GCS38",
            F(Failure::ZclAttribute {
                attribute: 0x0206,
                status: 0xC0,
            }),
        ) => {}
        (
            "7.4_GCS33",
            F(Failure::ZclAttribute {
                attribute: 0x0014,
                status: 0xC0,
            }),
        ) => {}
        ("7.4_GCS33", S(ResponseValue::Attributes(r))) => {
            assert_eq!(r.len(), 2);
            assert_eq!((r[1].id, &r[1].value[..]), (0x0014, &[0x02][..]));
        }
        ("4.1.1_ECS17b" | "4.1.1_GCS13a", S(ResponseValue::Protected(b))) => {
            assert_eq!(b[0], 0x31)
        }
        (
            "7.1_ECS42"
            | "7.2_ECS43"
            | "7.3_ECS44"
            | "8.11_CCS01"
            | "8.11_CCS02"
            | "7.5_ECS47Activate"
            | "7.6_ECS47Deactivate"
            | "7.8_ECS47Reset"
            | "7.13_ECS47a"
            | "7.12_ECS38",
            S(ResponseValue::Done),
        ) => {}
        // ALCS deactivate: the start cannot be set; APC input: the end.
        ("7.13_ECS47a", F(Failure::Dlms { index, result: 1 })) if error => {
            assert_eq!(*index, usize::from(file.contains("APC_INPUT")), "{file}")
        }
        (
            "7.12_ECS38",
            F(Failure::Dlms {
                index: 0,
                result: 1,
            }),
        ) if error => {}
        ("7.7_ECS61a", S(ResponseValue::DlmsValues(v))) if !error => {
            use gbcs::axdr::Data;
            assert_eq!(v.len(), 17);
            assert_eq!(v[0], Data::VisibleString(b"ALCS_1_Description".to_vec()));
            assert_eq!(
                v[6],
                Data::OctetString(vec![0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0x97])
            );
            assert!(v[12..].iter().all(|d| *d == Data::Boolean(0xFF)));
        }
        (
            "7.7_ECS61a",
            F(Failure::Dlms {
                index: 15,
                result: 1,
            }),
        ) if error => {}
        ("7.9_ECS62Add" | "7.10_ECS62Remove" | "7.16_ECS47e", S(ResponseValue::Done)) if !error => {
        }
        // APC input: the limit's end cannot be set.
        (
            "7.16_ECS47e",
            F(Failure::Dlms {
                index: 1,
                result: 1,
            }),
        ) if error => {}
        // Controller 4's association cannot be set (hardware-fault), 5's not executed.
        (
            "7.9_ECS62Add" | "7.10_ECS62Remove",
            F(Failure::Dlms {
                index: 3,
                result: 1,
            }),
        ) if error => {}
        ("7.11_ECS61c", S(ResponseValue::DlmsValues(v))) if !error => {
            use gbcs::axdr::Data;
            assert_eq!(v.len(), 7);
            assert_eq!(v[0], Data::Boolean(0xFF));
            assert!(matches!(v[1], Data::CompactArray { .. }));
            assert!(v[2..].iter().all(|d| *d == Data::Boolean(0xFF)));
        }
        (
            "7.11_ECS61c",
            F(Failure::Dlms {
                index: 5,
                result: 1,
            }),
        ) if error => {}
        ("7.14_ECS61d", S(ResponseValue::DlmsValues(v))) if !error => {
            use gbcs::axdr::Data;
            assert_eq!(v.len(), 7);
            assert_eq!(v[0], Data::VisibleString(b"ALCS_1_Description".to_vec()));
            assert!(matches!(&v[6], Data::Array(a) if a.len() == 6));
        }
        (
            "7.14_ECS61d",
            F(Failure::Dlms {
                index: 2,
                result: 1,
            }),
        ) if error => {}
        ("7.15_ECS61e", S(ResponseValue::DlmsValues(v))) if !error => {
            use gbcs::axdr::Data;
            assert_eq!(v.len(), 10);
            assert_eq!(
                v[5],
                Data::Utf8String(usecases::ecs61e::operational_state_json(0, 0))
            );
            assert_eq!(
                v[9],
                Data::Utf8String(usecases::ecs61e::operational_state_json(100, 100))
            );
        }
        (
            "7.15_ECS61e",
            F(Failure::Dlms {
                index: 4,
                result: 1,
            }),
        ) if error => {}
        ("7.3_GCS39", S(ResponseValue::SupplyStatus(s))) => {
            assert_eq!(
                (
                    s.provider_id,
                    s.issuer_event_id,
                    s.implementation_date_time,
                    s.supply_status
                ),
                (0, 0x1C37_4A80, 0, 1)
            );
        }
        (
            "7.3_GCS39",
            F(Failure::ZclDefaultResponse {
                command: 0x0B,
                status: 0xC0,
            }),
        ) => {}
        ("7.2_GCS32", S(ResponseValue::SupplyStatus(s))) => {
            assert_eq!(
                (
                    s.provider_id,
                    s.issuer_event_id,
                    s.implementation_date_time,
                    s.supply_status
                ),
                (0, 0x1C37_4A80, 0, 0)
            );
        }
        (
            "7.2_GCS32",
            F(Failure::ZclDefaultResponse {
                command: 0x0B,
                status: 0xC0,
            }),
        ) => {}
        ("6.11_ECS70" | "8.1.1_ECS70Commission", S(ResponseValue::ClockSet { device_time })) => {
            assert_eq!(*device_time, t(2015, 1, 1, 0, 0, 0))
        }
        (
            "6.11_ECS70" | "8.1.1_ECS70Commission",
            F(Failure::Dlms {
                index: 3,
                result: 1,
            }),
        ) => {}
        ("6.11_GCS28" | "8.1.1_GCS28Commission", S(ResponseValue::ClockSet { device_time })) => {
            assert_eq!(*device_time, t(2014, 12, 31, 23, 30, 0))
        }
        ("6.11_GCS28" | "8.1.1_GCS28Commission", F(Failure::Result { code: 2 })) => {}
        (
            "8.11_CCS01",
            F(Failure::Dlms {
                index: 1,
                result: 1,
            }),
        ) => {}
        _ => panic!("{file}: unexpected {outcome:?}"),
    }
}

#[test]
fn every_rtds_response_decodes_and_is_classified() {
    let ks = Keystore::load();
    let mut n = 0;
    for dir in DIRS {
        for file in files(dir, "RESPONSE") {
            let a = apdu(dir, &file);
            let code = a.message_code();
            let outcome =
                decode_response(code, &a.content).unwrap_or_else(|e| panic!("{file}: {e}"));
            check_response(dir, &file, &outcome);
            let class = classify_response(code, &a.content);
            // Encrypted reads carry their outcome inside the block: the DCC sees success.
            let protected = matches!(
                outcome,
                ResponseOutcome::Success(ResponseValue::Protected(_))
            );
            assert_eq!(
                class.is_failure(),
                file.contains("ERROR") && !protected,
                "{file}: {class:?}"
            );
            assert_eq!(class.is_failure(), outcome.is_failure(), "{file}");
            if dir == "4.1.1_GCS13a" {
                let plain = decrypt_gcs13a(&ks, &a);
                let records = usecases::gcs13a::decode_plaintext(&plain).unwrap();
                assert_eq!(
                    records.is_err(),
                    file.contains("ERROR"),
                    "{file}: {records:?}"
                );
            }
            n += 1;
        }
    }
    assert_eq!(n, 68);
}

/// Decrypts a GCS13a response's protected component with the supplier KA key.
fn decrypt_gcs13a(ks: &Keystore, a: &GeneralSigning) -> Vec<u8> {
    let Payload::Gbz(GbzPayload::Components { components, .. }) = a.payload() else {
        panic!("not GBZ")
    };
    let GbzBody::Encrypted { protected, .. } = &components[0].body else {
        panic!("not encrypted")
    };
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
    decrypt_payload(&key, a.originator, protected).unwrap()
}

#[test]
fn generic_classification_of_payloads_outside_the_catalogue() {
    // A DLMS response with an object-undefined result (the "not supported" answer).
    let b = hex::decode("DA200003E800000100010104").unwrap();
    assert_eq!(
        classify_response(MessageCode(0xFFF0), &b),
        ResponseClass::Failure(Failure::Dlms {
            index: 0,
            result: 4
        })
    );
    let b = hex::decode("DA200003E800000100010100").unwrap();
    assert_eq!(
        classify_response(MessageCode(0xFFF0), &b),
        ResponseClass::Success
    );
    // ZCL Default Response UNSUP_GENERAL_COMMAND.
    let b = hex::decode("010901010702000508000B0082").unwrap();
    assert_eq!(
        classify_response(MessageCode::GCS38, &b),
        ResponseClass::Failure(Failure::ZclDefaultResponse {
            command: 0,
            status: 0x82
        })
    );
    // A success Default Response is not a failure.
    let b = hex::decode("010901010702000508000B0B00").unwrap();
    assert_eq!(
        classify_response(MessageCode(0xFFF0), &b),
        ResponseClass::Success
    );
    // Unknown ASN.1 and garbage.
    assert_eq!(
        classify_response(MessageCode(0xFFF0), &[0x05, 0x00]),
        ResponseClass::Unknown
    );
    assert_eq!(
        classify_response(MessageCode::CS08, &[0xFF]),
        ResponseClass::Unknown
    );
}

/// Defect (a): CS08's protection. The RTDS CS08 commands are originated by the ACB on the
/// supplier's behalf (18-byte other-information: supplementary remote party = the supplier,
/// supplementary counter = the DUIS RequestID counter), with a DCC-chosen counter (1300, 1301),
/// and are NOT signed (signature field `00`): the ACB only MACs them.
#[test]
fn cs08_is_unsigned_and_its_wrapped_command_is_the_rtds_command() {
    let ks = Keystore::load();
    assert!(usecases::cs08::SPEC.dcc_originated);
    assert!(!usecases::cs08::SPEC.dcc_signs);
    for (file, counter, device, user_counter) in [
        ("CS08_11.2_SUCCESS_COMMAND_GBCS.HEX", 1300, PPMID, 1000),
        ("CS08_11.2_ERROR_COMMAND_GBCS.HEX", 1301, HCALCS, 1001),
    ] {
        let rtds = vector("11.2_CS08", file);
        assert_eq!(apdu("11.2_CS08", file).signature, SignatureField::Unsigned);
        let h = CommandHeader::on_behalf_of(
            Eui64::from_u64(ACB),
            Eui64::from_u64(device),
            counter,
            Eui64::from_u64(SUPPLIER),
            user_counter,
        );
        let built = usecases::cs08_read_firmware_version(&h);
        assert_eq!(built.signature, SignatureField::Unsigned);
        let peer = ks.ka_public.get(&built.recipient).unwrap();
        let wire = wrap_command(built, ks.acb_ka(), peer).unwrap().encode();
        assert_eq!(hex::encode_upper(wire), hex::encode_upper(rtds), "{file}");
    }
}

fn duis_request_counter(template: &str) -> u64 {
    let xml = std::fs::read_to_string(common::corpus_root().join("duis-templates").join(template))
        .unwrap();
    let start = xml.find("<sr:RequestID>").unwrap() + "<sr:RequestID>".len();
    let end = xml[start..].find("</sr:RequestID>").unwrap() + start;
    xml[start..end].rsplit(':').next().unwrap().parse().unwrap()
}

/// Defect (b): the GCS32 Issuer Event ID. The DUIS template (RequestID counter 1000, no dates)
/// and the RTDS vectors (counters 1000 and 1005) carry `80 4A 37 1C`: the ZigBee UTC time of the
/// RTDS reference clock 2015-01-01T00:00:00Z, independent of the counter.
#[test]
fn gcs32_issuer_event_id_is_the_zigbee_utc_time_of_the_request() {
    let counter = duis_request_counter("GCS32_7.2_SUCCESS_REQUEST_DUIS.XML");
    assert_eq!(counter, 1000);
    let rtds_now = t(2015, 1, 1, 0, 0, 0);
    let id = usecases::issuer_event_id(rtds_now).unwrap();
    assert_eq!(id.to_le_bytes(), [0x80, 0x4A, 0x37, 0x1C]);
    let h = CommandHeader::new(Eui64::from_u64(SUPPLIER), Eui64::from_u64(GSME), counter);
    let pre = usecases::gcs32_disable_supply(&h, id).unwrap();
    assert_eq!(
        hex::encode_upper(pre.encode()),
        hex::encode_upper(vector("7.2_GCS32", "GCS32_7.2_SUCCESS_PRECOMMAND_GBCS.HEX"))
    );
    // The ERROR vector has another counter and the same issuer event id.
    let h = CommandHeader::new(Eui64::from_u64(SUPPLIER), Eui64::from_u64(GSME), 1005);
    let pre = usecases::gcs32_disable_supply(&h, id).unwrap();
    assert_eq!(
        pre.encode(),
        vector("7.2_GCS32", "GCS32_7.2_ERROR_PRECOMMAND_GBCS.HEX")
    );
    // The counter-derived rule the DCC used does not reproduce the vector.
    let old = u32::try_from(counter & 0x7FFF_FFFF).unwrap();
    assert_ne!(old, id);
    assert_eq!(usecases::issuer_event_id(t(1999, 12, 31, 23, 59, 59)), None);
}
