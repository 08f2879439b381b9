//! What the ESME does to its supply on its own, end to end on the simulated clock: a load
//! limit event (import power over the 6.4.1 threshold for the load limit period, from the
//! metering simulation's daily load shape) alerts the supplier (0x8F01) and, when 6.4.1 set
//! the load limit supply state to `Disable`, disables then arms the supply (0x8F33), which a
//! 7.4 read shows, and enables it again at the end of the load limit restoration period if it
//! is still armed (0x8F34); with `Unchanged` the supply stays on and the event is still counted
//! (4.15).
//! A supply tamper (the harness's simulation input, the WAN's `tamper:` hub event) alerts the
//! supplier (0x8F3F) and, when 6.25 set the supply tamper state to `Locked`, locks the supply
//! (0x81BE): the consumer's button does nothing, a 7.1 enable restores it; with `Unchanged`
//! the supply stays as it was.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use dcc::gateway::Answer;
use gbcs::Frame;
use gbcs::Payload;
use gbcs::axdr::Data;
use harness::{Delivered, Harness, premises1};

const SUPPLIER: &str = "supplier-a";
const LL_IMMEDIATE: &str = "ECS28a_6.4.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML";
const TAMPER_STATE: &str = "ECS81_6.25_SUCCESS_REQUEST_DUIS.XML";
const SUPPLY_READ: &str = "ECS45_7.4_SUCCESS_REQUEST_DUIS.XML";
const ENABLE: &str = "ECS42_7.1_SUCCESS_REQUEST_DUIS.XML";
const ARM: &str = "ECS44_7.3_SUCCESS_REQUEST_DUIS.XML";

fn acknowledged(a: &Answer) {
    assert_eq!(a.http_status, 200, "{}", a.body);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
}

/// A critical request of the supplier to the ESME from `template` with `edits`, through CV 4
/// and 5; the meter's answer (I0).
fn critical(h: &mut Harness, template: &str, variant: &str, edits: &[(&str, &str)]) -> Delivered {
    let p = h.request(template, SUPPLIER, premises1::ESME);
    let mut xml = p.xml.clone();
    for (name, text) in edits {
        xml = harness::set_text(&xml, name, text);
    }
    let a = h.send(&h.sign(SUPPLIER, &xml));
    h.return_signed_precommand(SUPPLIER, &p.rid, variant, &a);
    h.advance(Duration::from_secs(5));
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .expect("the meter's answer");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    r
}

/// 7.4 on the ESME: the disconnect-control state (0 disconnected, 1 connected, 2 ready for
/// reconnection).
fn supply(h: &mut Harness) -> Data {
    let (p, a) = h.device_request(SUPPLIER, SUPPLY_READ, premises1::ESME);
    acknowledged(&a);
    h.advance(Duration::from_secs(5));
    let r = h.response_for(SUPPLIER, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    match Frame::decode(&bytes).unwrap().apdu().payload() {
        Payload::AccessResponse(r) => r.data.into_iter().next().expect("a state"),
        other => panic!("not DLMS: {other:?}"),
    }
}

/// The GBCS alert codes the supplier has been sent (device alerts), in order.
fn supplier_alerts(h: &Harness) -> Vec<String> {
    h.delivered_to(SUPPLIER)
        .into_iter()
        .filter(|d| d.kind == "alert")
        .filter_map(|d| harness::element_text(&d.xml, "AlertCode"))
        .collect()
}

fn event_log(h: &Harness) -> String {
    h.device_state(premises1::ESME)["event_log"].to_string()
}

/// A threshold the meter's import demand crosses only in the evening peak (the two half
/// hours from 17:30 UTC, at 1.9 times the average rate; 1.8 either side of them).
fn evening_peak_threshold(h: &Harness) -> String {
    let rate = h.device_state(premises1::ESME)["metering"]["active_wh_per_hour"]
        .as_u64()
        .expect("the import rate");
    (rate * 1850 / 1000).to_string()
}

/// Writes the load limiting settings at noon (UTC), then runs the clock past the evening peak:
/// returns the supplier's alerts from then on, and the load limit counter before the peak (the
/// counter counts the runs over the threshold since installation, earlier evenings included).
fn through_the_evening_peak(
    h: &mut Harness,
    supply_state: &str,
    restoration_secs: &str,
) -> (Vec<String>, u64) {
    h.advance_to_time_of_day(12 * 3600);
    let threshold = evening_peak_threshold(h);
    critical(
        h,
        LL_IMMEDIATE,
        "6.4.1",
        &[
            ("LoadLimitPowerThreshold", &threshold),
            ("LoadLimitPeriod", "300"),
            ("LoadLimitSupplyState", supply_state),
            ("LoadLimitRestorationPeriod", restoration_secs),
        ],
    );
    let counted = load_limit_counter(h);
    let before = supplier_alerts(h).len();
    assert_eq!(supply(h), Data::Enum(1), "connected before the peak");
    // 17:34: the demand has been over the threshold for four minutes only.
    h.advance_to_time_of_day(17 * 3600 + 34 * 60);
    assert_eq!(supplier_alerts(h).len(), before, "no event yet");
    h.advance_to_time_of_day(19 * 3600);
    (supplier_alerts(h).split_off(before), counted)
}

/// 4.15's load limit counter.
fn load_limit_counter(h: &mut Harness) -> u64 {
    let (p, a) = h.device_request(
        SUPPLIER,
        "ECS27_4.15_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
    );
    acknowledged(&a);
    h.advance(Duration::from_secs(5));
    let r = h.response_for(SUPPLIER, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    let data = match Frame::decode(&bytes).unwrap().apdu().payload() {
        Payload::AccessResponse(r) => r.data,
        other => panic!("not DLMS: {other:?}"),
    };
    match data.get(1) {
        Some(Data::DoubleLongUnsigned(n)) => u64::from(*n),
        other => panic!("no counter: {other:?}"),
    }
}

#[test]
fn a_load_limit_event_disables_then_arms_the_supply_when_6_4_1_says_disable() {
    let mut h = Harness::new_world();
    // A restoration period of two hours: still armed at 19:00.
    let (alerts, counted) = through_the_evening_peak(&mut h, "Disable", "7200");
    assert_eq!(alerts, ["8F01", "8F33"], "over the threshold, then armed");
    assert_eq!(supply(&mut h), Data::Enum(2), "ready for reconnection");
    let log = event_log(&h);
    assert!(
        log.contains(r#"{"SupplyChanged":{"from":"Enabled","to":"Disabled"}}"#)
            && log.contains(r#"{"SupplyChanged":{"from":"Disabled","to":"Armed"}}"#),
        "{log}"
    );
    assert!(log.contains(r#""alert_code":36609"#), "8F01 logged: {log}");
    assert_eq!(load_limit_counter(&mut h), counted + 1);
    // The consumer enables it again (so the end of the restoration period finds nothing to
    // restore: no 0x8F34); the next evening's peak is another event.
    assert!(h.press_supply_button(premises1::ESME));
    assert_eq!(supply(&mut h), Data::Enum(1));
    h.restart();
    h.advance(Duration::from_secs(86_400));
    assert_eq!(supply(&mut h), Data::Enum(2), "the next evening's event");
    let alerts = supplier_alerts(&h);
    assert_eq!(alerts.iter().filter(|c| c.as_str() == "8F33").count(), 2);
    assert!(!alerts.iter().any(|c| c == "8F34"), "{alerts:?}");
}

#[test]
fn the_supply_armed_by_a_load_limit_event_is_enabled_again_after_the_restoration_period() {
    let mut h = Harness::new_world();
    // A restoration period of ten minutes: the demand, over the threshold again once the supply
    // is back, makes another event five minutes later, each one armed then restored.
    let (alerts, _) = through_the_evening_peak(&mut h, "Disable", "600");
    assert!(alerts.len() >= 6, "{alerts:?}");
    assert_eq!(
        alerts[..6],
        ["8F01", "8F33", "8F34", "8F01", "8F33", "8F34"],
        "armed, restored after the period, and again while the peak lasts"
    );
    let log = event_log(&h);
    assert!(
        log.contains(r#"{"SupplyChanged":{"from":"Armed","to":"Enabled"}}"#),
        "{log}"
    );
    // Once the peak is over, the supply stays on.
    h.advance_to_time_of_day(23 * 3600);
    assert_eq!(supply(&mut h), Data::Enum(1), "connected after the peak");
}

#[test]
fn a_load_limit_event_leaves_the_supply_on_when_6_4_1_says_unchanged() {
    let mut h = Harness::new_world();
    let (alerts, counted) = through_the_evening_peak(&mut h, "Unchanged", "30");
    assert_eq!(alerts, ["8F01"], "alerted, the supply left on");
    assert_eq!(supply(&mut h), Data::Enum(1), "still connected");
    assert!(!event_log(&h).contains("SupplyChanged"));
    assert_eq!(load_limit_counter(&mut h), counted + 1, "counted");
}

#[test]
fn a_tamper_locks_the_supply_when_6_25_says_locked_and_only_a_remote_enable_restores_it() {
    let mut h = Harness::new_world();
    critical(&mut h, TAMPER_STATE, "6.25", &[]);
    let before = supplier_alerts(&h).len();
    h.tamper(premises1::ESME);
    h.run_until_idle();
    assert_eq!(
        supplier_alerts(&h).split_off(before),
        ["8F3F", "81BE"],
        "tamper detected, the supply locked"
    );
    assert_eq!(supply(&mut h), Data::Enum(0), "disconnected");
    let log = event_log(&h);
    assert!(
        log.contains(r#"{"SupplyChanged":{"from":"Enabled","to":"Disabled"}}"#),
        "{log}"
    );
    // Locked: the consumer's button does nothing, across a restart; a 7.1 enable restores it.
    h.restart();
    assert!(!h.press_supply_button(premises1::ESME));
    assert_eq!(supply(&mut h), Data::Enum(0));
    critical(&mut h, ENABLE, "7.1", &[]);
    assert_eq!(supply(&mut h), Data::Enum(1), "enabled remotely");
}

#[test]
fn a_tamper_leaves_the_supply_as_it_was_when_6_25_says_unchanged() {
    let mut h = Harness::new_world();
    critical(
        &mut h,
        TAMPER_STATE,
        "6.25",
        &[("SupplyTamperState", "Unchanged")],
    );
    let before = supplier_alerts(&h).len();
    h.tamper(premises1::ESME);
    h.run_until_idle();
    assert_eq!(supplier_alerts(&h).split_off(before), ["8F3F"]);
    assert_eq!(supply(&mut h), Data::Enum(1), "still connected");
    // Armed, tampered with: still armed.
    critical(&mut h, ARM, "7.3", &[]);
    h.tamper(premises1::ESME);
    h.run_until_idle();
    assert_eq!(supply(&mut h), Data::Enum(2));
}
