//! DUIS 6.22 / 6.2.10 on the emulated meters: ECS25a…ECS25b3 and GCS20 configure which alerts
//! an ESME / GSME raises and logs, ECS25r1 / ECS25r2 / GCS20r read it back (the GBCS defaults
//! before). Each command built with its `gbcs` builder and protected as the DCC does; the
//! answers are the RTDS RESPONSE vectors' content byte for byte; the state survives the stored
//! form; the device raises and logs by it; injected faults answer as the RTDS ERROR vectors and
//! change nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::{DeviceError, DeviceFault, DeviceKind, EmulatedDevice, EventKind, EventLog, Outcome};
use gbcs::usecases::{
    self, AlertBehaviourChange, AlertFilter, CommandHeader, DecodedCommand, EventConfiguration,
    GasAlertBehaviour,
};
use gbcs::{AlertCode, Frame, GeneralSigning};

fn header(orig: &Party, dev: &EmulatedDevice, counter: u64) -> CommandHeader {
    CommandHeader::new(orig.eui, dev.eui(), counter)
}

/// The RTDS command `dir/file`, decoded.
fn rtds_command(dir: &str, file: &str) -> DecodedCommand {
    usecases::decode_command(Frame::decode(&rtds(dir, file)).unwrap().apdu()).unwrap()
}

/// Sends `cmd`; the answer's content is the RTDS RESPONSE's, byte for byte.
fn exchange(
    w: &World,
    dev: &mut EmulatedDevice,
    cmd: GeneralSigning,
    dir: &str,
    file: &str,
    success: bool,
) {
    let code = cmd.message_code();
    let reply = dev.handle(&w.wan(cmd, dev), w.now);
    assert_eq!(
        reply.outcome,
        Outcome::Executed {
            message_code: code,
            success
        },
        "{file}"
    );
    let bytes = reply.response.expect("a response");
    let ours = Frame::decode(&bytes).unwrap().apdu().content.clone();
    let theirs = Frame::decode(&rtds(dir, file))
        .unwrap()
        .apdu()
        .content
        .clone();
    assert_eq!(hex::encode_upper(ours), hex::encode_upper(theirs), "{file}");
    if !success {
        assert_failure_like_rtds(&bytes, dir, file);
    }
}

fn reloaded(dev: &EmulatedDevice) -> devices::DeviceState {
    let s = dev.state();
    let body = devices::stored::encode_body(s).unwrap();
    let counters = devices::stored::encode_counters(s).unwrap();
    devices::stored::decode_state(&body, &counters, EventLog::default()).unwrap()
}

fn esme_change(stem: &str, kind: &str) -> AlertBehaviourChange {
    match rtds_command(
        &format!("6.22_{stem}"),
        &format!("{stem}_6.22_{kind}_COMMAND_GBCS.HEX"),
    ) {
        DecodedCommand::AlertBehaviour(c) => c,
        other => panic!("{other:?}"),
    }
}

fn gas_change(kind: &str) -> GasAlertBehaviour {
    match rtds_command("6.22_GCS20", &format!("GCS20_6.22_{kind}_COMMAND_GBCS.HEX")) {
        DecodedCommand::Gcs20(b) => b,
        other => panic!("{other:?}"),
    }
}

fn write(h: &CommandHeader, c: &AlertBehaviourChange) -> GeneralSigning {
    match c.filter {
        AlertFilter::SupplierWan => usecases::ecs25a_set_alert_behaviour(h, c),
        AlertFilter::SupplierHan => usecases::ecs25a1_set_alert_behaviour(h, c),
        AlertFilter::SupplierAudible => usecases::ecs25a2_set_alert_behaviour(h, c),
        AlertFilter::SupplierLogging => usecases::ecs25a3_set_alert_behaviour(h, c),
        AlertFilter::NetworkWan => usecases::ecs25b_set_alert_behaviour(h, c),
        AlertFilter::NetworkLogging => usecases::ecs25b3_set_alert_behaviour(h, c),
    }
    .unwrap()
}

#[test]
fn fresh_meters_read_the_gbcs_defaults() {
    let w = World::new();
    let mut esme = w.device(DeviceKind::Esme, ESME);
    let cmd = usecases::ecs25r1_read_alert_behaviours(&header(&w.supplier, &esme, 1000));
    exchange(
        &w,
        &mut esme,
        cmd,
        "6.2.10_ECS25r1",
        "ECS25r1_6.2.10_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    let cmd = usecases::ecs25r2_read_alert_behaviours(&header(&w.network_operator, &esme, 1200));
    exchange(
        &w,
        &mut esme,
        cmd,
        "6.2.10_ECS25r2",
        "ECS25r2_6.2.10_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    let cmd = usecases::gcs20r_read_alert_behaviours(&header(&w.supplier, &gsme, 1000)).unwrap();
    exchange(
        &w,
        &mut gsme,
        cmd,
        "6.2.10_GCS20r",
        "GCS20r_6.2.10_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
}

#[test]
fn esme_writes_answer_as_rtds_and_read_back_across_a_restart() {
    let w = World::new();
    for (stem, from, counter) in [
        ("ECS25a", &w.supplier, 1000),
        ("ECS25a1", &w.supplier, 1000),
        ("ECS25a2", &w.supplier, 1000),
        ("ECS25a3", &w.supplier, 1000),
        ("ECS25b", &w.network_operator, 1200),
        ("ECS25b3", &w.network_operator, 1200),
    ] {
        let mut dev = w.device(DeviceKind::Esme, ESME);
        let change = esme_change(stem, "SUCCESS");
        let before = dev.state().config.alert_behaviour.filter(change.filter);
        let cmd = write(&header(from, &dev, counter), &change);
        exchange(
            &w,
            &mut dev,
            cmd,
            &format!("6.22_{stem}"),
            &format!("{stem}_6.22_SUCCESS_RESPONSE_GBCS.HEX"),
            true,
        );
        let after = dev.state().config.alert_behaviour.filter(change.filter);
        for (code, on) in &change.settings {
            assert_eq!(after.get((*code & 0xFF) as u8), *on, "{stem} {code:04X}");
        }
        // Nothing else changed.
        for low in 0..=u8::MAX {
            if !change
                .settings
                .iter()
                .any(|(c, _)| (*c & 0xFF) as u8 == low)
            {
                assert_eq!(after.get(low), before.get(low), "{stem} {low:02X}");
            }
        }
        let back = reloaded(&dev);
        assert_eq!(
            back.config.alert_behaviour,
            dev.state().config.alert_behaviour
        );
        // Read back on a device restored from the stored form.
        let mut restarted = w.device(DeviceKind::Esme, ESME);
        *restarted.state_mut() = back;
        let (read, party, n) = if change.filter.page() == 0x81 {
            (
                usecases::ecs25r1_read_alert_behaviours(&header(&w.supplier, &restarted, 5000)),
                &w.supplier,
                AlertFilter::SUPPLIER
                    .iter()
                    .position(|f| *f == change.filter),
            )
        } else {
            (
                usecases::ecs25r2_read_alert_behaviours(&header(
                    &w.network_operator,
                    &restarted,
                    5000,
                )),
                &w.network_operator,
                AlertFilter::NETWORK_OPERATOR
                    .iter()
                    .position(|f| *f == change.filter),
            )
        };
        let reply = restarted.handle(&w.wan(read, &restarted), w.now);
        let resp = open(&reply.response.unwrap(), &restarted, party);
        let outcome = usecases::decode_response(resp.message_code(), &resp.content).unwrap();
        let gbcs::usecases::ResponseOutcome::Success(gbcs::usecases::ResponseValue::DlmsValues(v)) =
            outcome
        else {
            panic!("{outcome:?}")
        };
        assert_eq!(v[n.unwrap()], after.to_data(), "{stem}");
    }
}

#[test]
fn gcs20_answers_as_rtds_and_reads_back() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    let b = gas_change("SUCCESS");
    let cmd = usecases::gcs20_set_alert_behaviour(&header(&w.supplier, &dev, 1000), &b).unwrap();
    exchange(
        &w,
        &mut dev,
        cmd,
        "6.22_GCS20",
        "GCS20_6.22_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    let state = reloaded(&dev).config.alert_behaviour;
    for (code, c) in b.settings() {
        assert_eq!(state.gsme_configuration(code), Some(c), "{code:04X}");
    }
    let cmd = usecases::gcs20r_read_alert_behaviours(&header(&w.supplier, &dev, 1001)).unwrap();
    let reply = dev.handle(&w.wan(cmd, &dev), w.now);
    let resp = open(&reply.response.unwrap(), &dev, &w.supplier);
    let outcome = usecases::decode_response(resp.message_code(), &resp.content).unwrap();
    let gbcs::usecases::ResponseOutcome::Success(
        gbcs::usecases::ResponseValue::EventConfigurations(v),
    ) = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(v.len(), 44);
    assert!(v.contains(&(0x810E, 0x08)));
    assert!(v.contains(&(0x8161, EventConfiguration::new(false, false, true, true).0)));
}

#[test]
fn faults_answer_as_the_rtds_error_vectors_and_change_nothing() {
    let w = World::new();
    // ECS25a.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let change = esme_change("ECS25a", "ERROR");
    dev.state_mut()
        .faults
        .insert(DeviceFault::parse("dlms-object:1/0.30.97.98.11.255/2").unwrap());
    let cmd = write(&header(&w.supplier, &dev, 1001), &change);
    exchange(
        &w,
        &mut dev,
        cmd,
        "6.22_ECS25a",
        "ECS25a_6.22_ERROR_RESPONSE_GBCS.HEX",
        false,
    );
    assert_eq!(dev.state().config.alert_behaviour, Default::default());
    // ECS25r1: the audible alarm filter faulty.
    dev.state_mut()
        .faults
        .insert(DeviceFault::parse("dlms-object:1/0.30.97.98.17.255/2").unwrap());
    let cmd = usecases::ecs25r1_read_alert_behaviours(&header(&w.supplier, &dev, 1002));
    exchange(
        &w,
        &mut dev,
        cmd,
        "6.2.10_ECS25r1",
        "ECS25r1_6.2.10_ERROR_RESPONSE_GBCS.HEX",
        false,
    );
    // GCS20: the second component fails, the first applies.
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    dev.state_mut()
        .faults
        .insert(DeviceFault::parse("zcl-command:0x0708/0x04").unwrap());
    let b = gas_change("ERROR");
    let cmd = usecases::gcs20_set_alert_behaviour(&header(&w.supplier, &dev, 1001), &b).unwrap();
    exchange(
        &w,
        &mut dev,
        cmd,
        "6.22_GCS20",
        "GCS20_6.22_ERROR_RESPONSE_GBCS.HEX",
        false,
    );
    let s = &dev.state().config.alert_behaviour;
    assert_eq!(s.gsme_configuration(0x81AA), Some(b.groups[0].0));
    assert_eq!(s.gsme_configuration(0x810E), Some(EventConfiguration(0x08)));
    assert!(!s.gsme.contains_key(&0x8161));
    // GCS20r.
    dev.state_mut()
        .faults
        .insert(DeviceFault::parse("zcl-command:0x0708/0x05").unwrap());
    let cmd = usecases::gcs20r_read_alert_behaviours(&header(&w.supplier, &dev, 1002)).unwrap();
    exchange(
        &w,
        &mut dev,
        cmd,
        "6.2.10_GCS20r",
        "GCS20r_6.2.10_ERROR_RESPONSE_GBCS.HEX",
        false,
    );
}

fn alert_logged(dev: &EmulatedDevice, code: u16) -> bool {
    dev.state()
        .event_log
        .iter()
        .any(|e| matches!(e.kind, EventKind::AlertRaised { alert_code, .. } if alert_code == code))
}

#[test]
fn the_meters_raise_and_log_by_the_configuration() {
    let w = World::new();
    // ESME: 0x810E off for the WAN; critical alerts are not configurable.
    let mut esme = w.device(DeviceKind::Esme, ESME);
    // 0x81A0 is sent and logged by default, 0x810E sent but not logged.
    assert!(esme.raise_alert(AlertCode(0x81A0), w.now).is_ok());
    assert!(alert_logged(&esme, 0x81A0));
    assert!(esme.raise_alert(AlertCode(0x810E), w.now).is_ok());
    assert!(!alert_logged(&esme, 0x810E));
    let off = AlertBehaviourChange {
        filter: AlertFilter::SupplierWan,
        settings: vec![(0x810E, false), (0x81A0, false)],
    };
    let cmd = write(&header(&w.supplier, &esme, 2000), &off);
    let reply = esme.handle(&w.wan(cmd, &esme), w.now);
    assert!(matches!(
        reply.outcome,
        Outcome::Executed { success: true, .. }
    ));
    let mut esme = {
        let mut d = w.device(DeviceKind::Esme, ESME);
        *d.state_mut() = reloaded(&esme);
        d
    };
    let n = esme.state().event_log.iter().count();
    assert!(matches!(
        esme.raise_alert(AlertCode(0x810E), w.now),
        Err(DeviceError::AlertDisabled(0x810E))
    ));
    assert!(matches!(
        esme.raise_alert(AlertCode(0x81A0), w.now),
        Err(DeviceError::AlertDisabled(0x81A0))
    ));
    assert_eq!(esme.state().event_log.iter().count(), n, "nothing logged");
    assert!(esme.raise_alert(AlertCode(0x810D), w.now).is_ok());
    assert!(esme.raise_alert(AlertCode(0x8F30), w.now).is_ok());
    // Logging off for 0x81A0, on for 0x810E: both still raised, only 0x810E logged.
    let nolog = AlertBehaviourChange {
        filter: AlertFilter::SupplierLogging,
        settings: vec![(0x810E, true), (0x81A0, false)],
    };
    let mut fresh = w.device(DeviceKind::Esme, ESME);
    let cmd = write(&header(&w.supplier, &fresh, 2000), &nolog);
    assert!(matches!(
        fresh.handle(&w.wan(cmd, &fresh), w.now).outcome,
        Outcome::Executed { success: true, .. }
    ));
    assert!(fresh.raise_alert(AlertCode(0x81A0), w.now).is_ok());
    assert!(!alert_logged(&fresh, 0x81A0));
    assert!(fresh.raise_alert(AlertCode(0x810E), w.now).is_ok());
    assert!(alert_logged(&fresh, 0x810E));
    // GSME: GCS20 turns 0x810E's WAN alert off.
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    assert!(gsme.raise_alert(AlertCode(0x810E), w.now).is_ok());
    let b = GasAlertBehaviour {
        issuer_event_id: 1,
        groups: vec![(
            EventConfiguration::new(false, true, true, false),
            vec![0x810E],
        )],
    };
    let cmd = usecases::gcs20_set_alert_behaviour(&header(&w.supplier, &gsme, 2000), &b).unwrap();
    assert!(matches!(
        gsme.handle(&w.wan(cmd, &gsme), w.now).outcome,
        Outcome::Executed { success: true, .. }
    ));
    assert!(matches!(
        gsme.raise_alert(AlertCode(0x810E), w.now),
        Err(DeviceError::AlertDisabled(0x810E))
    ));
}
