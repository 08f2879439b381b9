//! Device failures against the RTDS 4.5.0 ERROR vectors: for every catalogued use case with an
//! ERROR RESPONSE vector, a device put in the situation the vector represents (a hardware fault
//! injected through `DeviceState::faults`, a clock interval it is outside of, a full or missing
//! device-log entry) answers with the same layout: same frame form, same result kinds and codes
//! per request, same ZCL commands and statuses, same ASN.1 result, and the same `gbcs` decoding
//! (the encrypted GCS13a answer is compared after decryption). A failing command changes nothing.
//! ASN.1 commands a device does not implement get no response and a `0x8F1E` alert.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::{DeviceFault, DeviceKind, DeviceState, EmulatedDevice, Outcome, SupplyState};
use gbcs::usecases::{
    self, CommandHeader, DeviceLogAddition, Failure, ResponseOutcome, ResponseValue,
};
use gbcs::{AlertCode, Cra, Eui64, Frame, GeneralSigning, MessageCode, Payload, UtcDateTime};

/// The RTDS directories of the catalogued use cases (as `gbcs/tests/catalogue.rs`).
const DIRS: [&str; 34] = [
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
    "2.5_ECS09",
    "2.5_GCS06",
    "1.7_ECS05",
    "2.3_ECS07",
    "2.3_GCS04",
];

fn header(orig: &Party, dev: &EmulatedDevice, counter: u64) -> CommandHeader {
    CommandHeader::new(orig.eui, dev.eui(), counter)
}

fn on_behalf(w: &World, dev: &EmulatedDevice, counter: u64) -> CommandHeader {
    CommandHeader::on_behalf_of(w.acb.eui, dev.eui(), counter, w.supplier.eui, counter)
}

/// A device answer to a failing command.
struct Failed {
    device: EmulatedDevice,
    /// The device state before the command, less what every accepted command changes (the
    /// counter and the event log).
    before: DeviceState,
    response: Vec<u8>,
    /// The command's originator (the response's recipient).
    recipient: Eui64,
}

/// What an accepted command may change even when it fails.
fn core(s: &DeviceState) -> DeviceState {
    let mut s = s.clone();
    s.last_counters.clear();
    s.event_log = Default::default();
    s
}

/// Feeds `wan` to `device`, which must execute it and report failure, with no alert.
fn run(w: &World, mut device: EmulatedDevice, wan: &[u8]) -> Failed {
    let cmd = Frame::decode(wan).unwrap().apdu().clone();
    let before = core(device.state());
    let reply = device.handle(wan, w.now);
    assert_eq!(
        reply.outcome,
        Outcome::Executed {
            message_code: cmd.message_code(),
            success: false
        }
    );
    assert!(reply.alerts.is_empty(), "a failure answer, no alert");
    let response = reply.response.expect("a failure answer");
    let resp = open(&response, &device, w.party(cmd.originator));
    assert_eq!(resp.cra, Cra::Response);
    assert_eq!(resp.counter, cmd.counter);
    assert_eq!(resp.other_info, cmd.other_info);
    Failed {
        device,
        before,
        response,
        recipient: cmd.originator,
    }
}

fn faulty(w: &World, kind: DeviceKind, eui: u64, fault: DeviceFault) -> EmulatedDevice {
    let mut dev = w.device(kind, eui);
    dev.state_mut().faults.insert(fault);
    dev
}

/// The device's failure in the situation the ERROR vector of `dir` represents.
fn scenario(w: &World, dir: &str) -> Failed {
    match dir {
        "11.2_ECS52" => {
            let dev = faulty(w, DeviceKind::Esme, ESME, DeviceFault::FirmwareVersion);
            let wan = w.wan(
                usecases::ecs52_read_firmware_version(&header(&w.supplier, &dev, 1002)),
                &dev,
            );
            run(w, dev, &wan)
        }
        "11.2_GCS38" => {
            let dev = faulty(w, DeviceKind::Gsme, GSME, DeviceFault::FirmwareVersion);
            let cmd = usecases::gcs38_read_firmware_version(&header(&w.supplier, &dev, 1002));
            let wan = w.wan(cmd.unwrap(), &dev);
            run(w, dev, &wan)
        }
        "11.2_CS08" => {
            let dev = faulty(w, DeviceKind::Ppmid, PPMID, DeviceFault::FirmwareVersion);
            let wan = w.wan(
                usecases::cs08_read_firmware_version(&on_behalf(w, &dev, 1301)),
                &dev,
            );
            run(w, dev, &wan)
        }
        "7.4_ECS45" => {
            let dev = faulty(w, DeviceKind::Esme, ESME, DeviceFault::SupplyStatus);
            let wan = w.wan(
                usecases::ecs45_read_supply_status(&header(&w.supplier, &dev, 1002)),
                &dev,
            );
            run(w, dev, &wan)
        }
        "7.4_GCS33" => {
            let dev = faulty(w, DeviceKind::Gsme, GSME, DeviceFault::SupplyStatus);
            let cmd = usecases::gcs33_read_supply_status(&header(&w.supplier, &dev, 1002));
            let wan = w.wan(cmd.unwrap(), &dev);
            run(w, dev, &wan)
        }
        "4.1.1_ECS17b" => {
            let dev = faulty(w, DeviceKind::Esme, ESME, DeviceFault::ImportRegisters);
            let wan = w.wan(
                usecases::ecs17b_read_import_energy_registers(&header(&w.supplier, &dev, 1001)),
                &dev,
            );
            run(w, dev, &wan)
        }
        "4.1.1_GCS13a" => {
            let dev = faulty(
                w,
                DeviceKind::Gsme,
                GSME,
                DeviceFault::MeteringAttribute(0x0302),
            );
            let cmd = usecases::gcs13a_read_import_register(&header(&w.supplier, &dev, 1002));
            let wan = w.wan(cmd.unwrap(), &dev);
            run(w, dev, &wan)
        }
        "7.1_ECS42" | "7.2_ECS43" | "7.3_ECS44" => {
            let mut dev = faulty(w, DeviceKind::Esme, ESME, DeviceFault::SupplySwitch);
            let pre = match dir {
                "7.1_ECS42" => {
                    dev.state_mut().supply = SupplyState::Disabled;
                    usecases::ecs42_enable_supply(&header(&w.supplier, &dev, 1001))
                }
                "7.3_ECS44" => {
                    dev.state_mut().supply = SupplyState::Disabled;
                    usecases::ecs44_arm_supply(&header(&w.supplier, &dev, 1001))
                }
                _ => usecases::ecs43_disable_supply(&header(&w.supplier, &dev, 1001)),
            };
            let wan = w.critical(pre, &w.supplier, &dev);
            run(w, dev, &wan)
        }
        "1.7_ECS05" => {
            let dev = faulty(w, DeviceKind::Esme, ESME, DeviceFault::BlockCounterReset);
            let pre =
                usecases::ecs05_reset_tariff_block_counter_matrix(&header(&w.supplier, &dev, 1001));
            let wan = w.critical(pre, &w.supplier, &dev);
            run(w, dev, &wan)
        }
        "2.5_ECS09" => {
            let dev = faulty(w, DeviceKind::Esme, ESME, DeviceFault::EmergencyCredit);
            let pre = usecases::ecs09_activate_emergency_credit(&header(&w.supplier, &dev, 1001));
            let wan = w.critical(pre, &w.supplier, &dev);
            run(w, dev, &wan)
        }
        "2.3_ECS07" => {
            let dev = faulty(w, DeviceKind::Esme, ESME, DeviceFault::Debt);
            let pre = usecases::ecs07_update_debt(&header(&w.supplier, &dev, 1004), &esme_debt());
            let wan = w.critical(pre, &w.supplier, &dev);
            run(w, dev, &wan)
        }
        "2.3_GCS04" => {
            let dev = faulty(w, DeviceKind::Gsme, GSME, DeviceFault::Debt);
            let pre = usecases::gcs04_update_debt(&header(&w.supplier, &dev, 1005), &gsme_debts());
            let wan = w.critical(pre.unwrap(), &w.supplier, &dev);
            run(w, dev, &wan)
        }
        "2.5_GCS06" => {
            let dev = faulty(w, DeviceKind::Gsme, GSME, DeviceFault::EmergencyCredit);
            let pre = usecases::gcs06_activate_emergency_credit(&header(&w.supplier, &dev, 1001));
            let wan = w.critical(pre.unwrap(), &w.supplier, &dev);
            run(w, dev, &wan)
        }
        "7.2_GCS32" => {
            let dev = faulty(w, DeviceKind::Gsme, GSME, DeviceFault::SupplySwitch);
            let pre = usecases::gcs32_disable_supply(&header(&w.supplier, &dev, 1001), 0x1C37_4A80);
            let wan = w.critical(pre.unwrap(), &w.supplier, &dev);
            run(w, dev, &wan)
        }
        "7.5_ECS47Activate" | "7.6_ECS47Deactivate" | "7.8_ECS47Reset" => {
            use usecases::{AuxLoadAction as A, AuxLoadCommand};
            let c = match dir {
                "7.5_ECS47Activate" => AuxLoadCommand {
                    index: 1,
                    action: A::Activate { duration: 30 },
                },
                "7.6_ECS47Deactivate" => AuxLoadCommand {
                    index: 3,
                    action: A::Deactivate { duration: 60 },
                },
                _ => AuxLoadCommand {
                    index: 5,
                    action: A::Reset,
                },
            };
            // The duration object faulty (SET 1, ACTION 250); for a reset, the script table.
            let o = c
                .duration_object()
                .unwrap_or(usecases::ecs47::EXECUTE_SCRIPT);
            let mut dev = faulty(
                w,
                DeviceKind::Esme,
                ESME,
                DeviceFault::DlmsObject {
                    class: o.class_id,
                    obis: o.instance,
                    attribute: o.index,
                },
            );
            // Switch 5 overridden, so that a failed reset visibly keeps it.
            dev.state_mut()
                .aux_loads
                .apply(5, A::Activate { duration: 0 }, w.now.to_unix());
            let pre = usecases::ecs47_auxiliary_load(&header(&w.supplier, &dev, 1003), c);
            let wan = w.critical(pre.unwrap(), &w.supplier, &dev);
            run(w, dev, &wan)
        }
        "7.12_ECS38" => {
            let o = usecases::ecs38::OBJECT;
            let dev = faulty(
                w,
                DeviceKind::Esme,
                ESME,
                DeviceFault::DlmsObject {
                    class: o.class_id,
                    obis: o.instance,
                    attribute: o.index,
                },
            );
            let pre =
                usecases::ecs38_set_randomised_offset_limit(&header(&w.supplier, &dev, 1003), 900);
            let wan = w.critical(pre.unwrap(), &w.supplier, &dev);
            run(w, dev, &wan)
        }
        "7.7_ECS61a" => {
            // RTDS: switch 4's output state cannot be read (hardware-fault), 5's not executed.
            let o = usecases::ecs61a::output_state(4);
            let dev = faulty(
                w,
                DeviceKind::Esme,
                ESME,
                DeviceFault::DlmsObject {
                    class: o.class_id,
                    obis: o.instance,
                    attribute: o.index,
                },
            );
            let read =
                usecases::ecs61a_read_auxiliary_load_switch_data(&header(&w.supplier, &dev, 1003));
            let wan = w.wan(read, &dev);
            run(w, dev, &wan)
        }
        "7.9_ECS62Add" | "7.10_ECS62Remove" => {
            // RTDS: controller 4's association cannot be set (hardware-fault), 5's not executed.
            let o = usecases::ecs62::association(4);
            let mut dev = faulty(
                w,
                DeviceKind::Esme,
                ESME,
                DeviceFault::DlmsObject {
                    class: o.class_id,
                    obis: o.instance,
                    attribute: o.index,
                },
            );
            let add = dir == "7.9_ECS62Add";
            // Removing changes associations that are there.
            dev.state_mut().aux_controllers.boost = [!add; 5];
            let cmd = usecases::ecs62_set_boost_association(
                &header(&w.supplier, &dev, 1003),
                usecases::BoostAssociation {
                    add,
                    controllers: [true; 5],
                },
            );
            let wan = w.wan(cmd.unwrap(), &dev);
            run(w, dev, &wan)
        }
        "7.16_ECS47e" => {
            // RTDS: the limit's end cannot be set (hardware-fault), the script not executed.
            let [_, end] = usecases::ecs47e::objects(3);
            let dev = faulty(
                w,
                DeviceKind::Esme,
                ESME,
                DeviceFault::DlmsObject {
                    class: end.class_id,
                    obis: end.instance,
                    attribute: end.index,
                },
            );
            let pre = usecases::ecs47e_limit_apc_level(
                &CommandHeader::new(w.load_controller.eui, dev.eui(), 9004),
                usecases::AuxControllerState {
                    index: 3,
                    start: w.now,
                    end: w.now.plus_seconds(3600).unwrap(),
                    level: 50,
                    input_from_controlled_load: true,
                },
            );
            let wan = w.critical(pre.unwrap(), &w.load_controller, &dev);
            run(w, dev, &wan)
        }
        "7.11_ECS61c" | "7.14_ECS61d" | "7.15_ECS61e" => {
            // RTDS: controller 4's association (ECS61c), controller 3's description (ECS61d),
            // controller 5's HCALCS identity (ECS61e) cannot be read, the rest not executed.
            let o = match dir {
                "7.11_ECS61c" => usecases::ecs62::association(4),
                "7.14_ECS61d" => usecases::ecs61a::description(3),
                _ => usecases::ecs61a::hcalcs_id(5),
            };
            let dev = faulty(
                w,
                DeviceKind::Esme,
                ESME,
                DeviceFault::DlmsObject {
                    class: o.class_id,
                    obis: o.instance,
                    attribute: o.index,
                },
            );
            let h = header(&w.supplier, &dev, 1002);
            let cmd = match dir {
                "7.11_ECS61c" => usecases::ecs61c_read_boost_function_data(
                    &h,
                    &usecases::LogPeriod {
                        start: w.now,
                        end: w.now,
                    },
                ),
                "7.14_ECS61d" => usecases::ecs61d_read_auxiliary_controller_configuration(&h),
                _ => usecases::ecs61e_read_auxiliary_controller_operational(&h),
            };
            let wan = w.wan(cmd, &dev);
            run(w, dev, &wan)
        }
        "7.3_GCS39" => {
            let mut dev = faulty(w, DeviceKind::Gsme, GSME, DeviceFault::SupplySwitch);
            dev.state_mut().supply = SupplyState::Disabled;
            let pre = usecases::gcs39_arm_supply(&header(&w.supplier, &dev, 1005), 0x1C37_4A80);
            let wan = w.critical(pre.unwrap(), &w.supplier, &dev);
            run(w, dev, &wan)
        }
        "6.11_ECS70" | "8.1.1_ECS70Commission" => {
            let mut dev = w.device(DeviceKind::Esme, ESME);
            dev.state_mut().clock_offset_secs = 42;
            // An interval entirely in the device's future.
            let start = w.now.plus_seconds(600).unwrap();
            let pre = usecases::ecs70_set_clock(&header(&w.supplier, &dev, 1002), start, 60);
            let wan = w.critical(pre.unwrap(), &w.supplier, &dev);
            run(w, dev, &wan)
        }
        "6.11_GCS28" | "8.1.1_GCS28Commission" => {
            let dev = w.device(DeviceKind::Gsme, GSME);
            // RTDS: 2015-01-01T01:00:00Z..02:00:00Z with the device at 2015-01-01T00:00:00Z.
            let start = w.now.plus_seconds(3600).unwrap();
            let pre = usecases::gcs28_set_clock(&header(&w.supplier, &dev, 1002), start, 3600);
            let wan = w.critical(pre.unwrap(), &w.supplier, &dev);
            run(w, dev, &wan)
        }
        "8.11_CCS01" => {
            let mut dev = w.device(DeviceKind::Chf, CHF);
            dev.state_mut().device_log = (0..devices::DEVICE_LOG_CAPACITY as u64)
                .map(|i| devices::DeviceLogEntry {
                    device: Eui64::from_u64(0x1000 + i),
                    install_code: vec![7; 16],
                    join_time_period: 60,
                    key_type: 1,
                    entry_flags: 0,
                })
                .collect();
            let add =
                DeviceLogAddition::new(Eui64::from_u64(ESME), b"0123456789ABCDEF".to_vec(), 90);
            let wan = w.wan(
                usecases::ccs01_add_device_to_chf_device_log(&on_behalf(w, &dev, 1303), &add),
                &dev,
            );
            run(w, dev, &wan)
        }
        "8.11_CCS02" => {
            let dev = w.device(DeviceKind::Chf, CHF);
            let wan = w.wan(
                usecases::ccs02_remove_device_from_chf_device_log(
                    &on_behalf(w, &dev, 1303),
                    Eui64::from_u64(ESME),
                ),
                &dev,
            );
            run(w, dev, &wan)
        }
        _ => panic!("no failure scenario for {dir}"),
    }
}

fn error_files(dir: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(corpus_root().join("rtds/RTDS-4.5.0").join(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f.ends_with("_ERROR_RESPONSE_GBCS.HEX"))
        .collect();
    v.sort();
    v
}

/// Decrypts the protected block of a device's encrypted answer as its recipient.
fn decrypt_ours(w: &World, f: &Failed) -> Vec<u8> {
    let resp: GeneralSigning = Frame::decode(&f.response).unwrap().apdu().clone();
    decrypt_with(
        &w.party(f.recipient).ka,
        f.device.ka_public_key().unwrap().key(),
        &resp,
        &protected_block(&resp),
    )
}

/// Checks the device's failure for `dir` against each of its ERROR vectors; returns the decoded
/// failure.
fn check(dir: &str) -> Failure {
    let files = error_files(dir);
    assert!(!files.is_empty(), "{dir}: no ERROR vector");
    let w = World::new();
    let f = scenario(&w, dir);
    // A failing command changes nothing but the counter and the event log.
    assert_eq!(core(f.device.state()), f.before, "{dir}: state unchanged");
    let mut failure = None;
    for file in &files {
        let got = if dir == "4.1.1_GCS13a" {
            // The outcome is inside the encrypted block: compare it decrypted.
            assert_same_structure(&f.response, &rtds(dir, file), file);
            let theirs = Frame::decode(&rtds(dir, file)).unwrap().apdu().clone();
            let theirs = rtds_decrypt(&theirs, &protected_block(&theirs));
            let ours = decrypt_ours(&w, &f);
            assert_eq!(zcl_records(&ours), zcl_records(&theirs), "{file}: records");
            let ours = usecases::gcs13a::decode_plaintext(&ours).unwrap();
            assert_eq!(ours, usecases::gcs13a::decode_plaintext(&theirs).unwrap());
            ours.expect_err("a failed record")
        } else if matches!(
            dir,
            "7.7_ECS61a" | "7.11_ECS61c" | "7.14_ECS61d" | "7.15_ECS61e"
        ) {
            // The values read before the fault are this emulation's (no descriptions, no
            // calendar: see `EmulatedDevice::aux_load_value`), not the RTDS meter's: the frame,
            // the results and the failure are compared.
            let theirs = rtds(dir, file);
            assert_eq!(frame_shape(&f.response), frame_shape(&theirs), "{file}");
            let outcome = |b: &[u8]| {
                let a = Frame::decode(b).unwrap().apdu().clone();
                let Payload::AccessResponse(r) = a.payload() else {
                    panic!("{file}: not DLMS")
                };
                (
                    r.results,
                    usecases::decode_response(a.message_code(), &a.content).unwrap(),
                )
            };
            let (ours, theirs) = (outcome(&f.response), outcome(&theirs));
            assert_eq!(ours, theirs, "{file}");
            match ours.1 {
                usecases::ResponseOutcome::Failure(f) => f,
                other => panic!("{file}: {other:?}"),
            }
        } else {
            assert_failure_like_rtds(&f.response, dir, file)
        };
        if let Some(prev) = failure {
            assert_eq!(prev, got, "{file}");
        }
        failure = Some(got);
    }
    failure.unwrap()
}

#[test]
fn every_catalogued_error_vector_has_a_device_failure_scenario() {
    let mut n = 0;
    for dir in DIRS {
        let files = error_files(dir);
        assert!(
            !files.is_empty(),
            "{dir}: every catalogued use case has an ERROR vector"
        );
        check(dir);
        n += files.len();
    }
    assert_eq!(n, 34);
}

#[test]
fn ecs70_outside_the_interval_fails_at_the_time_read_as_rtds() {
    for dir in ["6.11_ECS70", "8.1.1_ECS70Commission"] {
        assert_eq!(
            check(dir),
            Failure::Dlms {
                index: 3,
                result: 1
            }
        );
    }
}

#[test]
fn ccs01_with_a_full_log_fails_at_the_join_timeout_as_rtds() {
    assert_eq!(
        check("8.11_CCS01"),
        Failure::Dlms {
            index: 1,
            result: 1
        }
    );
    let w = World::new();
    let f = scenario(&w, "8.11_CCS01");
    let resp = Frame::decode(&f.response).unwrap().apdu().clone();
    assert_eq!(
        payload_shape(Cra::Response, &resp.content),
        "DA invoke=20 dt=0 specs=None data=[null,null,null] results=[Action(0), Set(1), Set(250)]"
    );
    assert!(
        !f.device
            .state()
            .device_log
            .iter()
            .any(|e| e.device == Eui64::from_u64(ESME)),
        "the refused device is not logged"
    );
}

#[test]
fn firmware_faults_fail_ecs52_gcs38_cs08_as_rtds() {
    assert_eq!(
        check("11.2_ECS52"),
        Failure::Dlms {
            index: 0,
            result: 1
        }
    );
    assert_eq!(
        check("11.2_GCS38"),
        Failure::ZclAttribute {
            attribute: 0x0206,
            status: 0xC0
        }
    );
    assert_eq!(check("11.2_CS08"), Failure::Result { code: 1 });
    // The CHF answers ECS52 the same way.
    let w = World::new();
    let dev = faulty(&w, DeviceKind::Chf, CHF, DeviceFault::FirmwareVersion);
    let wan = w.wan(
        usecases::ecs52_read_firmware_version(&header(&w.supplier, &dev, 7)),
        &dev,
    );
    let f = run(&w, dev, &wan);
    let resp = Frame::decode(&f.response).unwrap().apdu().clone();
    assert_eq!(
        payload_shape(Cra::Response, &resp.content),
        payload_shape(
            Cra::Response,
            &Frame::decode(&rtds("11.2_ECS52", "ECS52_11.2_ERROR_RESPONSE_GBCS.HEX"))
                .unwrap()
                .apdu()
                .content
        )
    );
}

#[test]
fn supply_status_faults_fail_ecs45_and_gcs33_as_rtds() {
    assert_eq!(
        check("7.4_ECS45"),
        Failure::Dlms {
            index: 0,
            result: 1
        }
    );
    assert_eq!(
        check("7.4_GCS33"),
        Failure::ZclAttribute {
            attribute: 0x0014,
            status: 0xC0
        }
    );
}

#[test]
fn register_faults_fail_ecs17b_and_gcs13a_as_rtds() {
    assert_eq!(
        check("4.1.1_ECS17b"),
        Failure::Dlms {
            index: 0,
            result: 1
        }
    );
    assert_eq!(
        check("4.1.1_GCS13a"),
        Failure::ZclAttribute {
            attribute: 0x0302,
            status: 0xC0
        }
    );
    // The DCC cannot see inside: the encrypted answer classifies as success for it.
    let w = World::new();
    let f = scenario(&w, "4.1.1_GCS13a");
    let resp = Frame::decode(&f.response).unwrap().apdu().clone();
    assert!(matches!(
        usecases::decode_response(MessageCode::GCS13A, &resp.content).unwrap(),
        ResponseOutcome::Success(ResponseValue::Protected(_))
    ));
    // A register fault on a gas device fails the summation record only.
    let dev = faulty(&w, DeviceKind::Gpf, GPF, DeviceFault::ImportRegisters);
    let cmd = usecases::gcs13a_read_import_register(&header(&w.supplier, &dev, 9));
    let wan = w.wan(cmd.unwrap(), &dev);
    let f = run(&w, dev, &wan);
    let plain = decrypt_ours(&w, &f);
    assert_eq!(
        zcl_records(&plain),
        [
            (0x0302, 0, Some(0x22)),
            (0x0301, 0, Some(0x22)),
            (0x0300, 0, Some(0x30)),
            (0x0000, 0xC0, None)
        ]
    );
}

#[test]
fn switch_faults_fail_ecs42_ecs43_gcs32_as_rtds_and_leave_the_supply() {
    for dir in ["7.1_ECS42", "7.2_ECS43", "7.3_ECS44"] {
        assert_eq!(
            check(dir),
            Failure::Dlms {
                index: 0,
                result: 1
            },
            "{dir}"
        );
    }
    assert_eq!(
        check("7.2_GCS32"),
        Failure::ZclDefaultResponse {
            command: usecases::gcs32::CHANGE_SUPPLY,
            status: 0xC0
        }
    );
    assert_eq!(
        check("7.3_GCS39"),
        Failure::ZclDefaultResponse {
            command: usecases::gcs32::CHANGE_SUPPLY,
            status: 0xC0
        }
    );
    let w = World::new();
    assert_eq!(
        scenario(&w, "7.2_GCS32").device.state().supply,
        SupplyState::Enabled
    );
    for dir in ["7.3_ECS44", "7.3_GCS39"] {
        assert_eq!(
            scenario(&w, dir).device.state().supply,
            SupplyState::Disabled,
            "{dir}: not armed"
        );
    }
    assert_eq!(
        scenario(&w, "7.1_ECS42").device.state().supply,
        SupplyState::Disabled
    );
}

#[test]
fn a_block_counter_reset_fault_fails_ecs05_as_rtds_and_resets_nothing() {
    assert_eq!(
        check("1.7_ECS05"),
        Failure::Dlms {
            index: 0,
            result: 1
        }
    );
    let w = World::new();
    let f = scenario(&w, "1.7_ECS05");
    assert_eq!(f.device.state().payment.block_counters_reset_at, None);
}

#[test]
fn emergency_credit_faults_fail_ecs09_gcs06_as_rtds_and_activate_nothing() {
    assert_eq!(
        check("2.5_ECS09"),
        Failure::Dlms {
            index: 0,
            result: 1
        }
    );
    assert_eq!(
        check("2.5_GCS06"),
        Failure::ZclDefaultResponse {
            command: usecases::gcs06::SELECT_AVAILABLE_EMERGENCY_CREDIT,
            status: 0xC0
        }
    );
    let w = World::new();
    for dir in ["2.5_ECS09", "2.5_GCS06"] {
        let f = scenario(&w, dir);
        assert_eq!(
            f.device.state().payment.emergency_credit_activated_at,
            None,
            "{dir}"
        );
    }
}

fn esme_debt() -> usecases::EsmeDebtUpdate {
    usecases::EsmeDebtUpdate {
        time_debt_rates: [3, 15],
        time_debt_price_scales: [-1, -1],
        time_debt_periods: [86_400, 86_400],
        debt_recovery_per_payment: 1000,
        payment_debt_adjustment: 50_000,
        time_debt_adjustments: [30_000, 15_000],
    }
}

fn gsme_debts() -> [usecases::ChangeDebt; 3] {
    let d = |amount, recovery_method, amount_type, frequency, recovery_amount, pct| {
        usecases::ChangeDebt {
            issuer_event_id: 0x1C37_4A80,
            label: Vec::new(),
            amount,
            recovery_method,
            amount_type,
            start_time: 0,
            collection_time: 0,
            frequency,
            recovery_amount,
            balance_percentage: pct,
        }
    };
    [
        d(1_000_000, 0, 1, 1, 50_000, 0),
        d(500_000, 0, 3, 0, 50_000, 0),
        d(1_000_000, 1, 5, 1, 0, 100),
    ]
}

#[test]
fn debt_faults_fail_ecs07_gcs04_as_rtds_and_change_no_debt() {
    assert_eq!(
        check("2.3_ECS07"),
        Failure::Dlms {
            index: 8,
            result: 1
        }
    );
    assert_eq!(
        check("2.3_GCS04"),
        Failure::ZclDefaultResponse {
            command: usecases::gcs04::CHANGE_DEBT,
            status: 0xC0
        }
    );
    let w = World::new();
    for dir in ["2.3_ECS07", "2.3_GCS04"] {
        let f = scenario(&w, dir);
        assert_eq!(f.device.state().debt, Default::default(), "{dir}");
    }
    // A Change Debt naming another debt's amount type is refused INVALID_VALUE and changes
    // nothing.
    let dev = w.device(DeviceKind::Gsme, GSME);
    let mut debts = gsme_debts();
    debts[1].amount_type = 0;
    let pre = usecases::gcs04_update_debt(&header(&w.supplier, &dev, 1005), &debts);
    let wan = w.critical(pre.unwrap(), &w.supplier, &dev);
    let f = run(&w, dev, &wan);
    assert_eq!(core(f.device.state()), f.before);
}

#[test]
fn clock_and_device_log_failures_match_rtds() {
    for dir in ["6.11_GCS28", "8.1.1_GCS28Commission"] {
        assert_eq!(check(dir), Failure::Result { code: 2 }, "{dir}");
    }
    assert_eq!(
        check("8.11_CCS02"),
        Failure::Dlms {
            index: 0,
            result: 1
        }
    );
}

#[test]
fn removing_a_fault_restores_the_use_case() {
    let w = World::new();
    let mut dev = faulty(&w, DeviceKind::Esme, ESME, DeviceFault::SupplySwitch);
    let pre = usecases::ecs43_disable_supply(&header(&w.supplier, &dev, 1));
    let r = dev.handle(&w.critical(pre, &w.supplier, &dev), w.now);
    assert!(matches!(
        r.outcome,
        Outcome::Executed { success: false, .. }
    ));
    assert_eq!(dev.state().supply, SupplyState::Enabled);
    dev.state_mut().faults.clear();
    let pre = usecases::ecs43_disable_supply(&header(&w.supplier, &dev, 2));
    let r = dev.handle(&w.critical(pre, &w.supplier, &dev), w.now);
    assert!(matches!(r.outcome, Outcome::Executed { success: true, .. }));
    assert_eq!(dev.state().supply, SupplyState::Disabled);
    // Faults only touch the use cases that need the faulty part.
    dev.state_mut().faults.insert(DeviceFault::FirmwareVersion);
    let wan = w.wan(
        usecases::ecs45_read_supply_status(&header(&w.supplier, &dev, 3)),
        &dev,
    );
    let r = dev.handle(&wan, w.now);
    assert!(matches!(r.outcome, Outcome::Executed { success: true, .. }));
}

#[test]
fn faults_are_persisted_as_plain_serde_data() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    dev.state_mut().faults.insert(DeviceFault::SupplyStatus);
    dev.state_mut()
        .faults
        .insert(DeviceFault::MeteringAttribute(0x0302));
    let json = serde_json::to_value(dev.state()).unwrap();
    assert_eq!(
        json["faults"],
        serde_json::json!(["SupplyStatus", {"MeteringAttribute": 770}])
    );
    let back: DeviceState = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(&back, dev.state());
    // State stored before faults existed loads with none.
    let mut old = json;
    old.as_object_mut().unwrap().remove("faults");
    let back: DeviceState = serde_json::from_value(old).unwrap();
    assert!(back.faults.is_empty());
}

/// The one alert a reply carries: its APDU (signature checked) and alert code.
fn single_alert(reply: &devices::Reply, dev: &EmulatedDevice, w: &World) -> Option<AlertCode> {
    assert_eq!(reply.alerts.len(), 1);
    assert!(matches!(
        Frame::decode(&reply.alerts[0]).unwrap(),
        Frame::Signing(_)
    ));
    let a = open(&reply.alerts[0], dev, &w.supplier);
    assert_eq!(a.cra, Cra::Alert);
    match a.payload() {
        Payload::DataNotification(n) => n.alert_code(),
        Payload::Gbz(gbcs::gbz::GbzPayload::Alert { alert_code, .. }) => Some(alert_code),
        p => panic!("not an alert payload: {p:?}"),
    }
}

#[test]
fn asn1_commands_a_device_does_not_implement_get_no_response_and_an_8f1e_alert() {
    let w = World::new();
    // CS08 (ACB, on behalf of a user) to a GSME: a ZigBee device, GBZ alert.
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    let wan = w.wan(
        usecases::cs08_read_firmware_version(&on_behalf(&w, &gsme, 1300)),
        &gsme,
    );
    let r = gsme.handle(&wan, w.now);
    assert_eq!(
        r.outcome,
        Outcome::NotSupported {
            message_code: MessageCode::CS08
        }
    );
    assert_eq!(r.response, None);
    assert_eq!(single_alert(&r, &gsme, &w), Some(AlertCode(0x8F1E)));

    // GCS28 (critical, signed by the supplier) to an ESME: a DLMS device, Data-Notification.
    let mut esme = w.device(DeviceKind::Esme, ESME);
    let pre = usecases::gcs28_set_clock(&header(&w.supplier, &esme, 5), w.now, 60).unwrap();
    let r = esme.handle(&w.critical(pre, &w.supplier, &esme), w.now);
    assert_eq!(
        r.outcome,
        Outcome::NotSupported {
            message_code: MessageCode::GCS28
        }
    );
    assert_eq!(r.response, None);
    assert_eq!(single_alert(&r, &esme, &w), Some(AlertCode(0x8F1E)));
    assert!(!esme.state().commissioned);

    // DLMS and GBZ use cases keep their generic "not supported" answer and raise nothing.
    let wan = w.wan(
        usecases::gcs33_read_supply_status(&header(&w.supplier, &esme, 6)).unwrap(),
        &esme,
    );
    let r = esme.handle(&wan, w.now);
    assert!(r.response.is_some());
    assert!(r.alerts.is_empty());
}

/// Sanity: the scenario times are what the RTDS vectors assume.
#[test]
fn the_world_clock_is_the_rtds_device_time() {
    assert_eq!(
        World::new().now,
        UtcDateTime::new(2015, 1, 1, 0, 0, 0).unwrap()
    );
}

/// ECS47a: the RTDS has two ERROR vectors, each its own fault: the ALCS deactivation's start
/// cannot be set (SET 1, SET 250, ACTION 250), the APC input's end (SET 0, SET 1, ACTION 250).
#[test]
fn ecs47a_faults_fail_as_each_rtds_error_vector_and_change_nothing() {
    let w = World::new();
    let t = |h| UtcDateTime::new(2015, 1, 3, h, 0, 0).unwrap();
    for (file, index, level, input, object, counter) in [
        (
            "ECS47a_7.13_ALCS_DEACTIVATE_ERROR_RESPONSE_GBCS.HEX",
            1,
            0,
            false,
            0,
            1008,
        ),
        (
            "ECS47a_7.13_APC_INPUT_ERROR_RESPONSE_GBCS.HEX",
            3,
            50,
            true,
            1,
            1006,
        ),
    ] {
        let o = usecases::AuxControllerState::objects(index)[object];
        let dev = faulty(
            &w,
            DeviceKind::Esme,
            ESME,
            DeviceFault::DlmsObject {
                class: o.class_id,
                obis: o.instance,
                attribute: o.index,
            },
        );
        let pre = usecases::ecs47a_set_auxiliary_controller_state(
            &header(&w.supplier, &dev, counter),
            usecases::AuxControllerState {
                index,
                start: t(0),
                end: t(1),
                level,
                input_from_controlled_load: input,
            },
        )
        .unwrap();
        let wan = w.critical(pre, &w.supplier, &dev);
        let f = run(&w, dev, &wan);
        assert_eq!(core(f.device.state()), f.before, "{file}: state unchanged");
        assert_eq!(
            assert_failure_like_rtds(&f.response, "7.13_ECS47a", file),
            Failure::Dlms {
                index: object,
                result: 1
            },
            "{file}"
        );
    }
}
