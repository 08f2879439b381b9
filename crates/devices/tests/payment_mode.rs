//! 1.6 Update Payment Mode on the emulated meters (`devices::payment_mode`): ECS02/ECS03 on the
//! ESME and GCS02/GCS03 on the GSME switch the mode at once, answered like the RTDS RESPONSE
//! vectors; a future-dated switch is held and applied at its time with the 8F66 outcome alert(s)
//! framed like the RTDS 8F66 vectors; a cancellation drops it; a faulty meter answers like the
//! RTDS ERROR vectors and changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::payment_mode::PaymentModeState;
use devices::{DeviceFault, DeviceKind, EmulatedDevice, Outcome};
use gbcs::usecases::{self, Activation, CommandHeader, credit_charge_entries};
use gbcs::{Frame, MessageCode, UtcDateTime};

fn h(w: &World, dev: &EmulatedDevice, counter: u64) -> CommandHeader {
    CommandHeader::new(w.supplier.eui, dev.eui(), counter)
}

fn later(t: UtcDateTime, secs: i64) -> UtcDateTime {
    UtcDateTime::from_unix(t.to_unix() + secs).unwrap()
}

/// The command switching `dev` to credit (`None`) or prepayment with (disabled, emergency,
/// threshold).
fn switch(
    w: &World,
    dev: &EmulatedDevice,
    counter: u64,
    to: Option<(bool, bool, i32)>,
    act: Activation,
) -> Vec<u8> {
    let hd = h(w, dev, counter);
    let esme = dev.eui().to_u64() == ESME;
    let pre = match (esme, to) {
        (true, None) => usecases::ecs02_update_payment_mode_credit(
            &hd,
            &credit_charge_entries(false, false, false, false),
            act,
        ),
        (true, Some((d, e, t))) => usecases::ecs03_update_payment_mode_prepayment(
            &hd,
            t,
            &credit_charge_entries(true, false, d, e),
            act,
        ),
        (false, None) => usecases::gcs02_update_payment_mode_credit(&hd, 0x1C37_4A80, act).unwrap(),
        (false, Some((d, e, t))) => usecases::gcs03_update_payment_mode_prepayment(
            &hd,
            0x1C37_4A80,
            act,
            d,
            e,
            u32::from_le_bytes(t.to_le_bytes()),
        )
        .unwrap(),
    };
    w.critical(pre, &w.supplier, dev)
}

/// Sends `wan`; the answer is a success shaped like the RTDS vector; no alert.
fn ok(w: &World, dev: &mut EmulatedDevice, wan: &[u8], dir: &str, file: &str, now: UtcDateTime) {
    let cmd = Frame::decode(wan).unwrap().apdu().clone();
    let reply = dev.handle(wan, now);
    assert_eq!(
        reply.outcome,
        Outcome::Executed {
            message_code: cmd.message_code(),
            success: true
        },
        "{file}"
    );
    assert!(reply.alerts.is_empty());
    let bytes = reply.response.unwrap();
    assert_same_structure(&bytes, &rtds(dir, file), file);
    let resp = open(&bytes, dev, &w.supplier);
    let outcome = usecases::decode_response(cmd.message_code(), &resp.content).unwrap();
    assert!(!outcome.is_failure(), "{file}: {outcome:?}");
}

#[test]
fn immediate_switches_change_the_mode_and_answer_like_the_rtds() {
    let w = World::new();
    for (kind, eui, uc) in [
        (DeviceKind::Esme, ESME, ["ECS03", "ECS02"]),
        (DeviceKind::Gsme, GSME, ["GCS03", "GCS02"]),
    ] {
        let mut dev = w.device(kind, eui);
        assert_eq!(dev.state().payment_mode, PaymentModeState::installed(kind));
        let sfx = if kind == DeviceKind::Esme {
            "IMMEDIATE_SINGLE_SUCCESS"
        } else {
            "IMMEDIATE_SUCCESS"
        };
        let wan = switch(
            &w,
            &dev,
            1000,
            Some((true, false, 556_677)),
            Activation::Now,
        );
        let f = format!("{}_1.6_{sfx}_RESPONSE_GBCS.HEX", uc[0]);
        ok(&w, &mut dev, &wan, &format!("1.6_{}", uc[0]), &f, w.now);
        let pm = dev.state().payment_mode;
        assert!(!pm.credit);
        assert_eq!(pm.disablement_threshold, 556_677);
        assert!(pm.suspend_debt_disabled);
        // Both meters keep SuspendDebtEmergency: the GSME from its configuration bit, the ESME
        // from its credit/charge entries (none from 19.10.2).
        assert!(!pm.suspend_debt_emergency);
        let wan = switch(&w, &dev, 1001, None, Activation::Now);
        let f = format!("{}_1.6_{sfx}_RESPONSE_GBCS.HEX", uc[1]);
        ok(&w, &mut dev, &wan, &format!("1.6_{}", uc[1]), &f, w.now);
        let now = dev.state().payment_mode;
        assert!(now.credit);
        assert_eq!(
            now.disablement_threshold, 556_677,
            "credit keeps the threshold"
        );
    }
}

#[test]
fn a_future_dated_switch_is_held_applied_at_its_time_and_alerted() {
    let w = World::new();
    for (kind, eui, dir, rtds_alerts) in [
        (
            DeviceKind::Gsme,
            GSME,
            "1.6_GCS03",
            vec!["GCS03_1.6_8F66_FUTURE_DATED_SUCCESS_ALERT_CHANGE_PAYMENT_MODE_GBCS.HEX"],
        ),
        (
            DeviceKind::Esme,
            ESME,
            "1.6_ECS03",
            vec![
                "ECS03_1.6_8F66_FUTURE_DATED_TWIN_SUCCESS_ALERT_DISABLEMENT_THRESHOLD_GBCS.HEX",
                "ECS03_1.6_8F66_FUTURE_DATED_TWIN_SUCCESS_ALERT_PAYMENT_MODE_GBCS.HEX",
            ],
        ),
    ] {
        let mut dev = w.device(kind, eui);
        // To credit first, then prepayment at a time ahead.
        let wan = switch(&w, &dev, 1000, None, Activation::Now);
        dev.handle(&wan, w.now);
        assert!(dev.state().payment_mode.credit);
        let at = later(w.now, 3600);
        let wan = switch(&w, &dev, 1001, Some((false, true, 42)), Activation::At(at));
        let reply = dev.handle(&wan, w.now);
        assert!(matches!(
            reply.outcome,
            Outcome::Executed { success: true, .. }
        ));
        assert!(dev.state().payment_mode.credit, "held, not applied");
        assert_eq!(dev.next_future_action_at(), Some(at.to_unix()));
        assert!(dev.tick(later(at, -1)).unwrap().is_empty());
        let alerts = dev.tick(later(at, 5)).unwrap();
        let pm = dev.state().payment_mode;
        assert!(!pm.credit);
        assert_eq!(pm.disablement_threshold, 42);
        assert_eq!(alerts.len(), rtds_alerts.len(), "{dir}");
        for (ours, theirs) in alerts.iter().zip(&rtds_alerts) {
            let theirs = rtds(dir, theirs);
            assert_eq!(frame_shape(ours), frame_shape(&theirs), "{dir}");
            let o = open(ours, &dev, &w.supplier);
            let Frame::Signing(t) = Frame::decode(&theirs).unwrap() else {
                panic!()
            };
            assert_eq!(o.content.len(), t.content.len(), "{dir}: payload length");
            assert_eq!(o.other_info, t.other_info, "{dir}: message code");
            let decoded = gbcs::alerts::decode_alert(ours).unwrap();
            let outcome = decoded.future_dated.expect("a future-dated outcome");
            assert_eq!(outcome.command.counter, 1001);
        }
        assert!(
            dev.tick(later(at, 7200)).unwrap().is_empty(),
            "exactly once"
        );
    }
}

#[test]
fn a_cancellation_drops_the_held_switch() {
    let w = World::new();
    for (kind, eui) in [(DeviceKind::Esme, ESME), (DeviceKind::Gsme, GSME)] {
        let mut dev = w.device(kind, eui);
        let at = later(w.now, 3600);
        let wan = switch(&w, &dev, 1000, None, Activation::At(at));
        dev.handle(&wan, w.now);
        // The held switch (beside the prepayment event, devices::prepay).
        let held = |dev: &EmulatedDevice| {
            dev.state()
                .future_actions
                .iter()
                .filter(|a| a.action != devices::future::FutureAction::Prepayment)
                .count()
        };
        assert_eq!(held(&dev), 1);
        let wan = switch(&w, &dev, 1001, None, Activation::Cancel);
        let reply = dev.handle(&wan, w.now);
        assert!(matches!(
            reply.outcome,
            Outcome::Executed { success: true, .. }
        ));
        assert_eq!(held(&dev), 0);
        assert!(dev.tick(later(at, 5)).unwrap().is_empty());
        assert!(!dev.state().payment_mode.credit, "still prepayment");
    }
}

#[test]
fn a_faulty_meter_answers_like_the_rtds_error_and_changes_nothing() {
    let w = World::new();
    for (kind, eui, dir, file, fault, code) in [
        (
            DeviceKind::Esme,
            ESME,
            "1.6_ECS02",
            "ECS02_1.6_IMMEDIATE_SINGLE_ERROR_RESPONSE_GBCS.HEX",
            DeviceFault::DlmsObject {
                class: 111,
                obis: [0, 1, 19, 0, 0, 0xFF],
                attribute: 11,
            },
            MessageCode::ECS02,
        ),
        (
            DeviceKind::Gsme,
            GSME,
            "1.6_GCS02",
            "GCS02_1.6_IMMEDIATE_ERROR_RESPONSE_GBCS.HEX",
            DeviceFault::ZclCommand {
                cluster: 0x0705,
                command: 0x06,
            },
            MessageCode::GCS02,
        ),
    ] {
        let mut dev = w.device(kind, eui);
        dev.state_mut().faults.insert(fault);
        let before = dev.state().payment_mode;
        let wan = switch(&w, &dev, 1000, None, Activation::Now);
        let reply = dev.handle(&wan, w.now);
        assert_eq!(
            reply.outcome,
            Outcome::Executed {
                message_code: code,
                success: false
            }
        );
        let bytes = reply.response.unwrap();
        assert_same_structure(&bytes, &rtds(dir, file), file);
        let resp = open(&bytes, &dev, &w.supplier);
        let expected = usecases::decode_response(code, &rtds_apdu_content(dir, file)).unwrap();
        assert_eq!(
            usecases::decode_response(code, &resp.content).unwrap(),
            expected
        );
        assert_eq!(dev.state().payment_mode, before);
    }
}

fn rtds_apdu_content(dir: &str, file: &str) -> Vec<u8> {
    Frame::decode(&rtds(dir, file))
        .unwrap()
        .apdu()
        .content
        .clone()
}
