//! DUIS 8.9 Read Device Log on the emulated devices: CS07 answers a device's device log,
//! CCS04/CCS05 and CCS06 the CHF's whitelist with each device's last addition, CCS07 the CHF's
//! current and historic logs; answers shaped like the RTDS vectors and decoded by the catalogue;
//! a device that cannot read its logs answers as the RTDS ERROR vectors, and nothing changes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::{DeviceFault, DeviceKind, DeviceLogEntry, EmulatedDevice, Outcome};
use gbcs::usecases::han_logs::{self, HanLogEntry};
use gbcs::usecases::{self, CommandHeader, DeviceLogAddition, ResponseOutcome, ResponseValue};
use gbcs::{Eui64, Frame, GeneralSigning};

fn on_behalf(w: &World, dev: u64, counter: u64) -> CommandHeader {
    CommandHeader::on_behalf_of(
        w.acb.eui,
        Eui64::from_u64(dev),
        counter,
        w.supplier.eui,
        counter - 300,
    )
}

/// Sends `apdu` and returns the raw reply and its decoded outcome.
fn send(
    w: &World,
    dev: &mut EmulatedDevice,
    apdu: GeneralSigning,
    success: bool,
) -> (Vec<u8>, ResponseOutcome) {
    let wan = w.wan(apdu, dev);
    let cmd = Frame::decode(&wan).unwrap().apdu().clone();
    let reply = dev.handle(&wan, w.now);
    assert_eq!(
        reply.outcome,
        Outcome::Executed {
            message_code: cmd.message_code(),
            success
        }
    );
    let bytes = reply.response.expect("a response");
    let resp = open(&bytes, dev, w.party(cmd.originator));
    let outcome = usecases::decode_response(cmd.message_code(), &resp.content).unwrap();
    (bytes, outcome)
}

fn joined(device: u64, device_type: u8) -> DeviceLogEntry {
    DeviceLogEntry {
        device: Eui64::from_u64(device),
        install_code: Vec::new(),
        join_time_period: 0,
        key_type: device_type,
        entry_flags: 0,
    }
}

#[test]
fn cs07_answers_the_devices_a_meter_has_joined() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    let entries = [
        (0x0102_0304_0506_0708, 3),
        (0x00DB_1234_5678_9099, 3),
        (0x00DB_1234_5678_9097, 5),
    ];
    dev.state_mut().device_log = entries.iter().map(|(d, t)| joined(*d, *t)).collect();
    let before = dev.state().device_log.clone();
    let (bytes, outcome) = send(
        &w,
        &mut dev,
        usecases::cs07_read_device_join_details(&CommandHeader::new(
            w.supplier.eui,
            Eui64::from_u64(GSME),
            1001,
        )),
        true,
    );
    assert_same_structure(
        &bytes,
        &rtds("8.9_CS07", "CS07_8.9_SUCCESS_RESPONSE_GBCS.HEX"),
        "CS07",
    );
    let expected: Vec<HanLogEntry> = entries
        .iter()
        .map(|(d, t)| HanLogEntry {
            device: Eui64::from_u64(*d),
            device_type: *t,
        })
        .collect();
    assert_eq!(
        outcome,
        ResponseOutcome::Success(ResponseValue::HanJoinDetails(expected))
    );
    assert_eq!(dev.state().device_log, before, "a read changes nothing");

    // A meter that cannot read its log: read failure, no log.
    dev.state_mut().faults.insert(DeviceFault::Logs);
    let (bytes, _) = send(
        &w,
        &mut dev,
        usecases::cs07_read_device_join_details(&on_behalf(&w, GSME, 1301)),
        false,
    );
    assert_failure_like_rtds(&bytes, "8.9_CS07", "CS07_8.9_ERROR_RESPONSE_GBCS.HEX");
    assert_eq!(dev.state().device_log, before);
}

fn chf_with_devices(w: &World, devices: &[u64]) -> EmulatedDevice {
    let mut chf = w.device(DeviceKind::Chf, CHF);
    for (i, d) in devices.iter().enumerate() {
        let add = DeviceLogAddition::new(
            Eui64::from_u64(*d),
            format!("install code {i:02}").into_bytes(),
            90,
        );
        let counter = 1200 + i as u64;
        send(
            w,
            &mut chf,
            usecases::ccs01_add_device_to_chf_device_log(&on_behalf(w, CHF, counter), &add),
            true,
        );
    }
    chf
}

#[test]
fn ccs05_and_ccs06_answer_the_chf_whitelist() {
    let w = World::new();
    let mut chf = chf_with_devices(&w, &[ESME, GSME]);
    let clock = chf.device_time(w.now);
    for (i, (dir, stem, build)) in [
        (
            "8.9_CCS05CCS04",
            "CCS05CCS04",
            usecases::ccs05_read_chf_device_log as fn(&CommandHeader) -> GeneralSigning,
        ),
        ("8.9_CCS06", "CCS06", usecases::ccs06_read_chf_device_log),
    ]
    .into_iter()
    .enumerate()
    {
        let h = on_behalf(&w, CHF, 1300 + i as u64);
        let (bytes, outcome) = send(&w, &mut chf, build(&h), true);
        assert_same_structure(
            &bytes,
            &rtds(dir, &format!("{stem}_8.9_SUCCESS_RESPONSE_GBCS.HEX")),
            stem,
        );
        let ResponseOutcome::Success(ResponseValue::ActiveDevices(devices)) = outcome else {
            panic!("{stem}: {outcome:?}")
        };
        let ids: Vec<Eui64> = devices.iter().map(|d| d.device).collect();
        assert_eq!(ids, [Eui64::from_u64(ESME), Eui64::from_u64(GSME)]);
        assert!(
            devices
                .iter()
                .all(|d| d.last_communication_at() == Some(clock))
        );
    }
    // A hub that cannot read its log: hardware-fault.
    chf.state_mut().faults.insert(DeviceFault::Logs);
    let (bytes, _) = send(
        &w,
        &mut chf,
        usecases::ccs06_read_chf_device_log(&on_behalf(&w, CHF, 1311)),
        false,
    );
    assert_failure_like_rtds(&bytes, "8.9_CCS06", "CCS06_8.9_ERROR_RESPONSE_GBCS.HEX");
    let (bytes, _) = send(
        &w,
        &mut chf,
        usecases::ccs05_read_chf_device_log(&on_behalf(&w, CHF, 1312)),
        false,
    );
    assert_failure_like_rtds(
        &bytes,
        "8.9_CCS05CCS04",
        "CCS05CCS04_8.9_ERROR_RESPONSE_GBCS.HEX",
    );
}

#[test]
fn ccs07_answers_the_current_and_historic_logs() {
    let w = World::new();
    let ppmid = 0x00DB_1234_5678_90A4;
    let mut chf = chf_with_devices(&w, &[ESME, GSME, GPF, ppmid]);
    for (i, d) in [GPF, ppmid].into_iter().enumerate() {
        send(
            &w,
            &mut chf,
            usecases::ccs02_remove_device_from_chf_device_log(
                &on_behalf(&w, CHF, 1250 + i as u64),
                Eui64::from_u64(d),
            ),
            true,
        );
    }
    let (bytes, outcome) = send(
        &w,
        &mut chf,
        usecases::ccs07_read_chf_device_logs(&on_behalf(&w, CHF, 1300)),
        true,
    );
    assert_same_structure(
        &bytes,
        &rtds("8.9_CCS07", "CCS07_8.9_SUCCESS_RESPONSE_GBCS.HEX"),
        "CCS07",
    );
    let ResponseOutcome::Success(ResponseValue::ChfDeviceLogs(logs)) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(logs.current.extended_pan_id, chf.eui().0);
    let current: Vec<(Eui64, Vec<u8>)> = logs
        .current
        .entries
        .iter()
        .map(|e| (e.device, e.security_details.clone()))
        .collect();
    assert_eq!(
        current,
        [
            (
                Eui64::from_u64(ESME),
                han_logs::security_details(b"install code 00")
            ),
            (
                Eui64::from_u64(GSME),
                han_logs::security_details(b"install code 01")
            ),
        ]
    );
    // The removed devices, with the security details they had.
    let historic: Vec<(Eui64, Vec<u8>)> = logs
        .historic
        .entries
        .iter()
        .map(|e| (e.device, e.security_details.clone()))
        .collect();
    assert_eq!(
        historic,
        [
            (
                Eui64::from_u64(GPF),
                han_logs::security_details(b"install code 02")
            ),
            (
                Eui64::from_u64(ppmid),
                han_logs::security_details(b"install code 03")
            ),
        ]
    );
    let history = chf.state().han_logs.clone();

    // Added back: no longer historic.
    let add = DeviceLogAddition::new(Eui64::from_u64(GPF), b"again".to_vec(), 90);
    send(
        &w,
        &mut chf,
        usecases::ccs01_add_device_to_chf_device_log(&on_behalf(&w, CHF, 1301), &add),
        true,
    );
    let (_, outcome) = send(
        &w,
        &mut chf,
        usecases::ccs07_read_chf_device_logs(&on_behalf(&w, CHF, 1302)),
        true,
    );
    let ResponseOutcome::Success(ResponseValue::ChfDeviceLogs(logs)) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(logs.current.entries.len(), 3);
    assert_eq!(logs.historic.entries.len(), 1);

    // A hub that cannot read its current log: hardware-fault, the historic one not read.
    chf.state_mut().faults.insert(DeviceFault::Logs);
    let (bytes, _) = send(
        &w,
        &mut chf,
        usecases::ccs07_read_chf_device_logs(&on_behalf(&w, CHF, 1303)),
        false,
    );
    assert_failure_like_rtds(&bytes, "8.9_CCS07", "CCS07_8.9_ERROR_RESPONSE_GBCS.HEX");
    assert_ne!(chf.state().han_logs, history, "the GPF was added back");
    assert_eq!(chf.state().han_logs.historic.len(), 1);
}

// 8.12 Restore HAN Device Log.

#[test]
fn ccs03_restores_the_chf_whitelist_and_network() {
    let w = World::new();
    let mut chf = chf_with_devices(&w, &[ESME, GPF]);
    let restore = usecases::RestorePan {
        extended_pan_id: [0, 0, 0, 0, 0, 0, 1, 0x40],
        entries: vec![
            usecases::PanBackupEntry {
                device: Eui64::from_u64(ESME),
                security_details: vec![6; 16],
            },
            usecases::PanBackupEntry {
                device: Eui64::from_u64(GSME),
                security_details: vec![5; 16],
            },
        ],
    };
    // A hub that cannot restore: hardware-fault, nothing changes.
    let fault = DeviceFault::DlmsObject {
        class: 104,
        obis: gbcs::usecases::OBIS_ZIGBEE_NETWORK_CONTROL,
        attribute: 5,
    };
    chf.state_mut().faults.insert(fault);
    let before = chf.state().clone();
    let (bytes, _) = send(
        &w,
        &mut chf,
        usecases::ccs03_restore_chf_device_log(&on_behalf(&w, CHF, 1303), &restore),
        false,
    );
    assert_failure_like_rtds(
        &bytes,
        "8.12.1_CCS03",
        "CCS03_8.12.1_ERROR_RESPONSE_GBCS.HEX",
    );
    assert_eq!(chf.state().device_log, before.device_log);
    assert_eq!(chf.state().han_logs, before.han_logs);
    chf.state_mut().faults.remove(&fault);

    let (bytes, outcome) = send(
        &w,
        &mut chf,
        usecases::ccs03_restore_chf_device_log(&on_behalf(&w, CHF, 1304), &restore),
        true,
    );
    assert_same_structure(
        &bytes,
        &rtds("8.12.1_CCS03", "CCS03_8.12.1_SUCCESS_RESPONSE_GBCS.HEX"),
        "CCS03",
    );
    assert_eq!(outcome, ResponseOutcome::Success(ResponseValue::Done));
    // Read back: the restored network and devices with their details; the GPF, not restored,
    // is historic.
    let (_, outcome) = send(
        &w,
        &mut chf,
        usecases::ccs07_read_chf_device_logs(&on_behalf(&w, CHF, 1305)),
        true,
    );
    let ResponseOutcome::Success(ResponseValue::ChfDeviceLogs(logs)) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(logs.current.extended_pan_id, restore.extended_pan_id);
    assert_eq!(logs.current.entries, restore.entries);
    let historic: Vec<Eui64> = logs.historic.entries.iter().map(|e| e.device).collect();
    assert_eq!(historic, [Eui64::from_u64(GPF)]);
}

#[test]
fn gcs59_restores_the_gpf_device_log() {
    let w = World::new();
    let mut gpf = w.device(DeviceKind::Gpf, GPF);
    let log = vec![
        HanLogEntry {
            device: Eui64::from_u64(0x0011_2233_4455_6677),
            device_type: 5,
        },
        HanLogEntry {
            device: Eui64::from_u64(0x8899_AABB_CCDD_EEFF),
            device_type: 6,
        },
    ];
    let acb = |counter| CommandHeader::new(w.acb.eui, Eui64::from_u64(GPF), counter);
    // A GPF that cannot write its log: write failure for each, nothing changes.
    gpf.state_mut().faults.insert(DeviceFault::Logs);
    let (_, outcome) = send(
        &w,
        &mut gpf,
        usecases::gcs59_restore_gpf_device_log(&acb(1299), &log),
        false,
    );
    assert_eq!(
        outcome,
        ResponseOutcome::Failure(gbcs::usecases::Failure::Result { code: 5 })
    );
    assert!(gpf.state().device_log.is_empty());
    gpf.state_mut().faults.remove(&DeviceFault::Logs);

    let (bytes, outcome) = send(
        &w,
        &mut gpf,
        usecases::gcs59_restore_gpf_device_log(&acb(1300), &log),
        true,
    );
    assert_same_structure(
        &bytes,
        &rtds("8.12.2_GCS59", "GCS59_8.12.2_SUCCESS_RESPONSE_GBCS.HEX"),
        "GCS59",
    );
    assert_eq!(
        outcome,
        ResponseOutcome::Success(ResponseValue::DeviceLogRestored(log.clone()))
    );
    // CS07 reads it back.
    let (_, outcome) = send(
        &w,
        &mut gpf,
        usecases::cs07_read_device_join_details(&on_behalf(&w, GPF, 1301)),
        true,
    );
    assert_eq!(
        outcome,
        ResponseOutcome::Success(ResponseValue::HanJoinDetails(log))
    );
}
