//! Each command builder reproduces the RTDS vector of its use case byte for byte: pre-commands
//! exactly, and WAN commands including the ACB MAC (ACB KA key from the corpus keystore, RTDS
//! counters and titles injected). For critical use cases the RTDS user signature is applied to our
//! pre-command, and must verify against the user's DS certificate.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, vector};
use gbcs::usecases::{self, CommandHeader, DeviceLogAddition};
use gbcs::{Eui64, Frame, GeneralSigning, SignatureField, UtcDateTime, wrap_command};

const SUPPLIER: u64 = 0x90b3_d51f_3001_0000;
const NETWORK_OPERATOR: u64 = 0x90b3_d51f_3002_0000;
const ACB: u64 = 0x90b3_d51f_3000_0002;
const ESME: u64 = 0x00db_1234_5678_90a0;
const GSME: u64 = 0x00db_1234_5678_90a1;
const CHF: u64 = 0x00db_1234_5678_90a2;
const GPF: u64 = 0x00db_1234_5678_90a3;
const PPMID: u64 = 0x00db_1234_5678_90a4;

fn h(orig: u64, recip: u64, counter: u64) -> CommandHeader {
    CommandHeader::new(Eui64::from_u64(orig), Eui64::from_u64(recip), counter)
}

fn wan(ks: &Keystore, apdu: GeneralSigning) -> Vec<u8> {
    let peer = ks
        .ka_public
        .get(&apdu.recipient)
        .expect("recipient KA certificate");
    wrap_command(apdu, ks.acb_ka(), peer)
        .expect("wrap")
        .encode()
}

/// Non-critical: the built command, wrapped with the ACB MAC, equals the RTDS COMMAND.
fn check_command(ks: &Keystore, dir: &str, file: &str, built: GeneralSigning) {
    assert_eq!(
        built.signature,
        SignatureField::Unsigned,
        "{file}: non-critical command must carry 00"
    );
    assert_eq!(
        hex::encode_upper(wan(ks, built)),
        hex::encode_upper(vector(dir, file)),
        "{file}"
    );
}

/// Critical: the built pre-command equals the RTDS PRECOMMAND; with the RTDS signature it verifies
/// against the originator's DS certificate, and wrapped it equals the RTDS COMMAND.
fn check_critical(ks: &Keystore, dir: &str, stem: &str, built: GeneralSigning) {
    assert!(built.is_precommand());
    let pre = vector(dir, &format!("{stem}_PRECOMMAND_GBCS.HEX"));
    assert_eq!(
        hex::encode_upper(built.encode()),
        hex::encode_upper(&pre),
        "{stem} precommand"
    );
    let rtds_cmd = vector(dir, &format!("{stem}_COMMAND_GBCS.HEX"));
    let Ok(Frame::Ciphered(c)) = Frame::decode(&rtds_cmd) else {
        panic!("{stem}: command not DD")
    };
    let SignatureField::Signed(sig) = c.apdu.signature else {
        panic!("{stem}: command not signed")
    };
    let signed = built.with_signature(sig);
    signed
        .verify_signature(ks.ds_public.get(&signed.originator).expect("DS cert"))
        .expect("user signature over our pre-command");
    assert_eq!(
        hex::encode_upper(wan(ks, signed)),
        hex::encode_upper(rtds_cmd),
        "{stem} command"
    );
}

#[test]
fn ecs52_read_firmware_version() {
    let ks = Keystore::load();
    let b = usecases::ecs52_read_firmware_version(&h(SUPPLIER, ESME, 1000));
    check_command(&ks, "11.2_ECS52", "ECS52_11.2_SUCCESS_COMMAND_GBCS.HEX", b);
    let b = usecases::ecs52_read_firmware_version(&h(SUPPLIER, ESME, 1002));
    check_command(&ks, "11.2_ECS52", "ECS52_11.2_ERROR_COMMAND_GBCS.HEX", b);
}

#[test]
fn gcs38_read_firmware_version() {
    let ks = Keystore::load();
    let b = usecases::gcs38_read_firmware_version(&h(SUPPLIER, GSME, 1000)).unwrap();
    check_command(&ks, "11.2_GCS38", "GCS38_11.2_SUCCESS_COMMAND_GBCS.HEX", b);
}

#[test]
fn cs08_read_firmware_version() {
    let ks = Keystore::load();
    let hdr = CommandHeader::on_behalf_of(
        Eui64::from_u64(ACB),
        Eui64::from_u64(PPMID),
        1300,
        Eui64::from_u64(SUPPLIER),
        1000,
    );
    let b = usecases::cs08_read_firmware_version(&hdr);
    check_command(&ks, "11.2_CS08", "CS08_11.2_SUCCESS_COMMAND_GBCS.HEX", b);
}

#[test]
fn supply_status_reads() {
    let ks = Keystore::load();
    let b = usecases::ecs45_read_supply_status(&h(SUPPLIER, ESME, 1000));
    check_command(&ks, "7.4_ECS45", "ECS45_7.4_SUCCESS_COMMAND_GBCS.HEX", b);
    let b = usecases::gcs33_read_supply_status(&h(SUPPLIER, GSME, 1001)).unwrap();
    check_command(&ks, "7.4_GCS33", "GCS33_7.4_SUCCESS_COMMAND_GBCS.HEX", b);
}

#[test]
fn import_register_reads() {
    let ks = Keystore::load();
    let b = usecases::ecs17b_read_import_energy_registers(&h(SUPPLIER, ESME, 1000));
    check_command(
        &ks,
        "4.1.1_ECS17b",
        "ECS17b_4.1.1_SINGLE_SUCCESS_COMMAND_GBCS.HEX",
        b,
    );
    let b = usecases::ecs17b_read_import_energy_registers(&h(NETWORK_OPERATOR, ESME, 1200));
    check_command(
        &ks,
        "4.1.1_ECS17b",
        "ECS17b_4.1.1_TWIN_SUCCESS_COMMAND_GBCS.HEX",
        b,
    );
    let b = usecases::gcs13a_read_import_register(&h(SUPPLIER, GPF, 1000)).unwrap();
    check_command(
        &ks,
        "4.1.1_GCS13a",
        "GCS13a_4.1.1_SUCCESS_RELIABLE_GSME_COMMAND_GBCS.HEX",
        b,
    );
    let b = usecases::gcs13a_read_import_register(&h(SUPPLIER, GPF, 1001)).unwrap();
    check_command(
        &ks,
        "4.1.1_GCS13a",
        "GCS13a_4.1.1_SUCCESS_RELIABLE_GPF_COMMAND_GBCS.HEX",
        b,
    );
    let b = usecases::gcs13a_read_import_register(&h(SUPPLIER, GSME, 1001)).unwrap();
    check_command(
        &ks,
        "4.1.1_GCS13a",
        "GCS13a_4.1.1_SUCCESS_UNRELIABLE_COMMAND_GBCS.HEX",
        b,
    );
}

#[test]
fn supply_enable_disable_are_critical() {
    let ks = Keystore::load();
    check_critical(
        &ks,
        "7.1_ECS42",
        "ECS42_7.1_SUCCESS",
        usecases::ecs42_enable_supply(&h(SUPPLIER, ESME, 1000)),
    );
    check_critical(
        &ks,
        "7.2_ECS43",
        "ECS43_7.2_SUCCESS",
        usecases::ecs43_disable_supply(&h(SUPPLIER, ESME, 1000)),
    );
    // Issuer event id: 2015-01-01T00:00:00Z in ZigBee UTC time.
    let event = UtcDateTime::new(2015, 1, 1, 0, 0, 0)
        .unwrap()
        .to_zigbee_utc()
        .unwrap();
    let b = usecases::gcs32_disable_supply(&h(SUPPLIER, GSME, 1000), event).unwrap();
    check_critical(&ks, "7.2_GCS32", "GCS32_7.2_SUCCESS", b);
}

#[test]
fn auxiliary_load_switch_commands_are_critical() {
    use usecases::{AuxLoadAction as A, AuxLoadCommand};
    let ks = Keystore::load();
    for (dir, stem, counter, index, action) in [
        (
            "7.5_ECS47Activate",
            "SUCCESS",
            1000,
            1,
            A::Activate { duration: 30 },
        ),
        (
            "7.5_ECS47Activate",
            "ERROR",
            1003,
            1,
            A::Activate { duration: 30 },
        ),
        (
            "7.6_ECS47Deactivate",
            "SUCCESS",
            1001,
            3,
            A::Deactivate { duration: 60 },
        ),
        (
            "7.6_ECS47Deactivate",
            "ERROR",
            1004,
            3,
            A::Deactivate { duration: 60 },
        ),
        ("7.8_ECS47Reset", "SUCCESS", 1002, 5, A::Reset),
        ("7.8_ECS47Reset", "ERROR", 1005, 5, A::Reset),
    ] {
        let (variant, srv) = dir.split_once('_').map(|(s, v)| (v, s)).unwrap();
        let b = usecases::ecs47_auxiliary_load(
            &h(SUPPLIER, ESME, counter),
            AuxLoadCommand { index, action },
        )
        .unwrap();
        check_critical(&ks, dir, &format!("{variant}_{srv}_{stem}"), b);
    }
}

#[test]
fn ecs61a_read_auxiliary_load_switch_data() {
    let ks = Keystore::load();
    for (file, counter) in [
        ("ECS61a_7.7_ALL_OPTIONALS_SUCCESS_COMMAND_GBCS.HEX", 1002),
        ("ECS61a_7.7_ALL_OPTIONALS_ERROR_COMMAND_GBCS.HEX", 1003),
    ] {
        let b = usecases::ecs61a_read_auxiliary_load_switch_data(&h(SUPPLIER, ESME, counter));
        check_command(&ks, "7.7_ECS61a", file, b);
    }
}

#[test]
fn ecs47a_set_auxiliary_controller_state_is_critical() {
    let ks = Keystore::load();
    let t = |h| UtcDateTime::new(2015, 1, 3, h, 0, 0).unwrap();
    for (variant, counter, index, level, input) in [
        ("ALCS_ACTIVATE_SUCCESS", 1004, 5, 100, false),
        ("ALCS_DEACTIVATE_SUCCESS", 1003, 1, 0, false),
        ("ALCS_DEACTIVATE_ERROR", 1008, 1, 0, false),
        ("APC_INPUT_SUCCESS", 1001, 3, 50, true),
        ("APC_INPUT_ERROR", 1006, 3, 50, true),
        ("APC_OUTPUT_SUCCESS", 1002, 5, 100, false),
    ] {
        let b = usecases::ecs47a_set_auxiliary_controller_state(
            &h(SUPPLIER, ESME, counter),
            usecases::AuxControllerState {
                index,
                start: t(0),
                end: t(1),
                level,
                input_from_controlled_load: input,
            },
        )
        .unwrap();
        check_critical(&ks, "7.13_ECS47a", &format!("ECS47a_7.13_{variant}"), b);
    }
}

#[test]
fn ecs62_boost_button_associations() {
    let ks = Keystore::load();
    for (dir, file, counter, add) in [
        ("7.9_ECS62Add", "ECS62Add_7.9_SUCCESS", 1000, true),
        ("7.9_ECS62Add", "ECS62Add_7.9_ERROR", 1003, true),
        ("7.10_ECS62Remove", "ECS62Remove_7.10_SUCCESS", 1002, false),
        ("7.10_ECS62Remove", "ECS62Remove_7.10_ERROR", 1004, false),
    ] {
        let b = usecases::ecs62_set_boost_association(
            &h(SUPPLIER, ESME, counter),
            usecases::BoostAssociation {
                add,
                controllers: [true; 5],
            },
        )
        .unwrap();
        check_command(&ks, dir, &format!("{file}_COMMAND_GBCS.HEX"), b);
    }
}

#[test]
fn ecs61c_read_boost_function_data() {
    let ks = Keystore::load();
    let period = usecases::LogPeriod {
        start: UtcDateTime::new(2014, 12, 25, 23, 0, 0).unwrap(),
        end: UtcDateTime::new(2015, 1, 1, 0, 0, 0).unwrap(),
    };
    for (file, counter) in [
        ("ECS61c_7.11_SUCCESS_COMMAND_GBCS.HEX", 1001),
        ("ECS61c_7.11_ERROR_COMMAND_GBCS.HEX", 1002),
    ] {
        let b = usecases::ecs61c_read_boost_function_data(&h(SUPPLIER, ESME, counter), &period);
        check_command(&ks, "7.11_ECS61c", file, b);
    }
}

#[test]
fn ecs61d_and_ecs61e_read_auxiliary_controller_data() {
    let ks = Keystore::load();
    // SUCCESS: the ACB on the supplier's behalf (RequestID counter 1000); ERROR: the supplier.
    let on_behalf = CommandHeader::on_behalf_of(
        Eui64::from_u64(ACB),
        Eui64::from_u64(ESME),
        1300,
        Eui64::from_u64(SUPPLIER),
        1000,
    );
    let b = usecases::ecs61d_read_auxiliary_controller_configuration(&on_behalf);
    check_command(
        &ks,
        "7.14_ECS61d",
        "ECS61d_7.14_SUCCESS_COMMAND_GBCS.HEX",
        b,
    );
    let b = usecases::ecs61d_read_auxiliary_controller_configuration(&h(SUPPLIER, ESME, 1002));
    check_command(&ks, "7.14_ECS61d", "ECS61d_7.14_ERROR_COMMAND_GBCS.HEX", b);
    for (file, counter) in [
        ("ECS61e_7.15_SUCCESS_COMMAND_GBCS.HEX", 1001),
        ("ECS61e_7.15_ERROR_COMMAND_GBCS.HEX", 1002),
    ] {
        let b = usecases::ecs61e_read_auxiliary_controller_operational(&h(SUPPLIER, ESME, counter));
        check_command(&ks, "7.15_ECS61e", file, b);
    }
}

#[test]
fn ecs47e_limit_apc_level_is_critical_and_the_load_controllers() {
    const LOAD_CONTROLLER: u64 = 0x90b3_d51f_3001_0008;
    let ks = Keystore::load();
    let t = |h| UtcDateTime::new(2015, 1, 3, h, 0, 0).unwrap();
    for (variant, counter, index, level, input) in [
        ("APC_INPUT_SUCCESS", 9001, 3, 50, true),
        ("APC_INPUT_ERROR", 9004, 3, 50, true),
        ("APC_OUTPUT_SUCCESS", 9002, 5, 100, false),
    ] {
        let b = usecases::ecs47e_limit_apc_level(
            &h(LOAD_CONTROLLER, ESME, counter),
            usecases::AuxControllerState {
                index,
                start: t(0),
                end: t(1),
                level,
                input_from_controlled_load: input,
            },
        )
        .unwrap();
        check_critical(&ks, "7.16_ECS47e", &format!("ECS47e_7.16_{variant}"), b);
    }
}

#[test]
fn ecs38_set_randomised_offset_limit_is_critical() {
    let ks = Keystore::load();
    for (stem, counter) in [("ECS38_7.12_SUCCESS", 1001), ("ECS38_7.12_ERROR", 1003)] {
        let b =
            usecases::ecs38_set_randomised_offset_limit(&h(SUPPLIER, ESME, counter), 900).unwrap();
        check_critical(&ks, "7.12_ECS38", stem, b);
    }
}

#[test]
fn arm_supply_is_critical() {
    let ks = Keystore::load();
    check_critical(
        &ks,
        "7.3_ECS44",
        "ECS44_7.3_SUCCESS",
        usecases::ecs44_arm_supply(&h(SUPPLIER, ESME, 1000)),
    );
    check_critical(
        &ks,
        "7.3_ECS44",
        "ECS44_7.3_ERROR",
        usecases::ecs44_arm_supply(&h(SUPPLIER, ESME, 1001)),
    );
    // Issuer event id: 2015-01-01T00:00:00Z in ZigBee UTC time, whatever the counter.
    let event = UtcDateTime::new(2015, 1, 1, 0, 0, 0)
        .unwrap()
        .to_zigbee_utc()
        .unwrap();
    for (stem, counter) in [("GCS39_7.3_SUCCESS", 1000), ("GCS39_7.3_ERROR", 1005)] {
        let b = usecases::gcs39_arm_supply(&h(SUPPLIER, GSME, counter), event).unwrap();
        check_critical(&ks, "7.3_GCS39", stem, b);
    }
}

#[test]
fn set_clock_and_commissioning() {
    let ks = Keystore::load();
    // DUIS SynchroniseClock: CurrentDateTime 2014-12-31T23:59:10Z, TolerancePeriod 60.
    let now = UtcDateTime::new(2014, 12, 31, 23, 59, 10).unwrap();
    for (dir, stem) in [
        ("6.11_ECS70", "ECS70_6.11_SUCCESS"),
        ("8.1.1_ECS70Commission", "ECS70Commission_8.1.1_SUCCESS"),
    ] {
        check_critical(
            &ks,
            dir,
            stem,
            usecases::ecs70_set_clock(&h(SUPPLIER, ESME, 1000), now, 60).unwrap(),
        );
    }
    // GSME: 2014-12-31T23:30:00Z, TolerancePeriod 3600.
    let now = UtcDateTime::new(2014, 12, 31, 23, 30, 0).unwrap();
    for (dir, stem) in [
        ("6.11_GCS28", "GCS28_6.11_SUCCESS"),
        ("8.1.1_GCS28Commission", "GCS28Commission_8.1.1_SUCCESS"),
    ] {
        check_critical(
            &ks,
            dir,
            stem,
            usecases::gcs28_set_clock(&h(SUPPLIER, GSME, 1000), now, 3600).unwrap(),
        );
    }
}

#[test]
fn chf_device_log_add_and_remove() {
    let ks = Keystore::load();
    let hdr = CommandHeader::on_behalf_of(
        Eui64::from_u64(ACB),
        Eui64::from_u64(CHF),
        1302,
        Eui64::from_u64(SUPPLIER),
        1002,
    );
    let add = DeviceLogAddition::new(Eui64::from_u64(ESME), b"0123456789ABCDEF".to_vec(), 90);
    let b = usecases::ccs01_add_device_to_chf_device_log(&hdr, &add);
    check_command(&ks, "8.11_CCS01", "CCS01_8.11_SUCCESS_COMMAND_GBCS.HEX", b);
    let b = usecases::ccs02_remove_device_from_chf_device_log(&hdr, Eui64::from_u64(ESME));
    check_command(&ks, "8.11_CCS02", "CCS02_8.11_SUCCESS_COMMAND_GBCS.HEX", b);
}

#[test]
fn a_different_counter_changes_the_mac() {
    let ks = Keystore::load();
    let b = usecases::ecs52_read_firmware_version(&h(SUPPLIER, ESME, 1001));
    assert_ne!(
        wan(&ks, b),
        vector("11.2_ECS52", "ECS52_11.2_SUCCESS_COMMAND_GBCS.HEX")
    );
}

#[test]
fn dcc_signed_command_verifies_with_the_dcc_ds_certificate() {
    let ks = Keystore::load();
    let acb = Eui64::from_u64(ACB);
    let hdr = CommandHeader::on_behalf_of(
        acb,
        Eui64::from_u64(PPMID),
        1300,
        Eui64::from_u64(SUPPLIER),
        1000,
    );
    let signed = usecases::cs08_read_firmware_version(&hdr)
        .sign(ks.ds_private.get(&acb).expect("ACB DS key"))
        .unwrap();
    signed
        .verify_signature(ks.ds_public.get(&acb).unwrap())
        .unwrap();
    // Someone else's certificate does not verify it.
    assert!(
        signed
            .verify_signature(ks.ds_public.get(&Eui64::from_u64(SUPPLIER)).unwrap())
            .is_err()
    );
    let wire = wan(&ks, signed.clone());
    let Frame::Ciphered(c) = Frame::decode(&wire).unwrap() else {
        panic!()
    };
    assert_eq!(c.apdu, signed);
}
