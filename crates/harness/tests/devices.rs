//! Device services end to end in one process on a simulated clock: the gateway acknowledges,
//! the core's dispatcher carries the command over the emulated WAN to the emulated device, and
//! the device's answer reaches the user's Receive Response Service as a DCC-signed, schema-valid
//! DUIS response. Latency, retries and deadlines are simulated time: nothing sleeps.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use dcc::gateway::Answer;
use gbcs::axdr::Data;
use gbcs::{Cra, Frame, Payload};
use harness::{DEVICE_TIMEOUT, Delivered, Harness, RETRY_INTERVAL, premises1};
use wan::WanFault;

const SUPPLIER: &str = "supplier-a";

mod t {
    pub const FIRMWARE_ESME: &str = "ECS52_11.2_SUCCESS_REQUEST_DUIS.XML";
    pub const FIRMWARE_GSME: &str = "GCS38_11.2_SUCCESS_REQUEST_DUIS.XML";
    pub const SUPPLY_ESME: &str = "ECS45_7.4_SUCCESS_REQUEST_DUIS.XML";
    pub const SUPPLY_GSME: &str = "GCS33_7.4_SUCCESS_REQUEST_DUIS.XML";
    pub const REGISTERS_ESME: &str = "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML";
    pub const HAN_ADD: &str = "CCS01_8.11_SUCCESS_REQUEST_DUIS.XML";
    pub const HAN_REMOVE: &str = "CCS02_8.11_SUCCESS_REQUEST_DUIS.XML";
    pub const DISABLE_ESME: &str = "ECS43_7.2_SUCCESS_REQUEST_DUIS.XML";
    pub const ENABLE_ESME: &str = "ECS42_7.1_SUCCESS_REQUEST_DUIS.XML";
}

fn assert_acknowledged(a: &Answer) {
    assert_eq!(a.http_status, 200, "{}", a.body);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
}

/// Sends a device request and runs the DCC until it has answered; the delivered response.
/// The supplier's answer to `rid` is I0 once `latency` has passed, and not a millisecond sooner.
fn assert_i0_after(h: &mut Harness, rid: &str, latency: Duration) {
    h.advance(latency - Duration::from_millis(1));
    assert!(
        h.response_for(SUPPLIER, rid).is_none(),
        "not before the latency, {latency:?}"
    );
    h.advance(Duration::from_millis(1));
    assert_eq!(
        h.response_for(SUPPLIER, rid)
            .and_then(|r| r.code())
            .as_deref(),
        Some("I0")
    );
}

fn answered(h: &mut Harness, template: &str, target: &str) -> (u64, Delivered) {
    let (p, a) = h.device_request(SUPPLIER, template, target);
    assert_acknowledged(&a);
    h.run_until_idle();
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .unwrap_or_else(|| panic!("no response delivered for {}", p.rid));
    (p.counter, r)
}

/// The device's answer in a delivered response.
fn device_answer(r: &Delivered) -> gbcs::GeneralSigning {
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    Frame::decode(&bytes).expect("a GBCS frame").apdu().clone()
}

fn dlms(apdu: &gbcs::GeneralSigning) -> gbcs::dlms::AccessResponse {
    match apdu.payload() {
        Payload::AccessResponse(r) => r,
        other => panic!("not a DLMS Access-Response: {other:?}"),
    }
}

#[test]
fn read_firmware_version_on_the_esme_reaches_the_supplier() {
    let mut h = Harness::new_world();
    let (counter, r) = answered(&mut h, t::FIRMWARE_ESME, premises1::ESME);
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    assert_eq!(r.kind, "response");
    let apdu = device_answer(&r);
    assert_eq!(apdu.cra, Cra::Response);
    assert_eq!(apdu.originator, premises1::ESME.parse().unwrap());
    assert_eq!(apdu.recipient, h.user_eui(SUPPLIER));
    assert_eq!(
        apdu.counter, counter,
        "the answer carries the request's counter"
    );
    let a = dlms(&apdu);
    assert_eq!(
        a.results.iter().map(|s| s.result()).collect::<Vec<_>>(),
        vec![0]
    );
    let fw = h.device_state(premises1::ESME)["firmware_version"]
        .as_str()
        .unwrap()
        .to_ascii_lowercase();
    match a.data.as_slice() {
        [Data::OctetString(v)] => {
            let hex: String = v.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(hex, fw);
        }
        other => panic!("{other:?}"),
    }
    // Exactly one document for the supplier; nothing for anyone else.
    assert_eq!(h.delivered_to(SUPPLIER).len(), 1);
    assert!(h.delivered_to("supplier-b").is_empty());
    assert_eq!(h.pending_commands(), 0);
}

#[test]
fn read_firmware_on_the_gsme_and_supply_status_on_both_meters() {
    let mut h = Harness::new_world();
    let (_, r) = answered(&mut h, t::FIRMWARE_GSME, premises1::GSME);
    assert_eq!(r.code().as_deref(), Some("I0"));
    assert_eq!(
        device_answer(&r).originator,
        premises1::GSME.parse().unwrap()
    );

    let (_, r) = answered(&mut h, t::SUPPLY_ESME, premises1::ESME);
    assert_eq!(r.code().as_deref(), Some("I0"));
    // DLMS disconnect control state 1: connected.
    assert_eq!(dlms(&device_answer(&r)).data, vec![Data::Enum(1)]);

    let (_, r) = answered(&mut h, t::SUPPLY_GSME, premises1::GSME);
    assert_eq!(r.code().as_deref(), Some("I0"));
    assert_eq!(h.delivered_to(SUPPLIER).len(), 3);
}

#[test]
fn import_registers_are_answered() {
    let mut h = Harness::new_world();
    let (_, r) = answered(&mut h, t::REGISTERS_ESME, premises1::ESME);
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let a = dlms(&device_answer(&r));
    assert!(a.results.iter().all(|s| s.result() == 0), "{a:?}");
}

#[test]
fn the_answer_takes_the_regions_latency() {
    let mut h = Harness::new_world();
    let (p, a) = h.device_request(SUPPLIER, t::FIRMWARE_ESME, premises1::ESME);
    assert_acknowledged(&a);
    // Premises 1 is in the Central region (25 ms).
    assert_i0_after(&mut h, &p.rid, Duration::from_millis(25));
}

#[test]
fn lost_transmissions_are_retried_until_the_answer_gets_through() {
    let mut h = Harness::new_world();
    h.wan_fault(premises1::CHF, Some(WanFault::Drop(2)));
    let (p, a) = h.device_request(SUPPLIER, t::FIRMWARE_ESME, premises1::ESME);
    assert_acknowledged(&a);
    let start = h.now();
    // Two transmissions lost: the first retry comes after the retry interval.
    h.advance(RETRY_INTERVAL);
    assert!(h.response_for(SUPPLIER, &p.rid).is_none());
    h.run_until_idle();
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .expect("answered in the end");
    assert_eq!(r.code().as_deref(), Some("I0"));
    assert!(
        h.now() - start >= 2 * RETRY_INTERVAL,
        "two retries took their time"
    );
}

#[test]
fn an_unreachable_hub_is_reported_with_e20_at_the_deadline() {
    let mut h = Harness::new_world();
    h.wan_fault(premises1::CHF, Some(WanFault::NoWan));
    let before = h.device_state(premises1::ESME);
    let (p, a) = h.device_request(SUPPLIER, t::FIRMWARE_ESME, premises1::ESME);
    assert_acknowledged(&a);
    h.advance(DEVICE_TIMEOUT - Duration::from_secs(1));
    assert!(
        h.response_for(SUPPLIER, &p.rid).is_none(),
        "nothing before the deadline"
    );
    assert_eq!(h.pending_commands(), 1, "still trying");
    h.advance(Duration::from_secs(2));
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .expect("E20 at the deadline");
    assert_eq!(r.code().as_deref(), Some("E20"), "{}", r.xml);
    assert!(r.gbcs_payload().is_none(), "no device answer to pass on");
    assert_eq!(h.pending_commands(), 0);
    assert_eq!(
        h.device_state(premises1::ESME),
        before,
        "the meter never saw it"
    );
}

#[test]
fn a_device_that_never_answers_is_reported_with_e21() {
    let mut h = Harness::new_world();
    h.wan_fault(premises1::CHF, Some(WanFault::Drop(1_000_000)));
    let (p, a) = h.device_request(SUPPLIER, t::FIRMWARE_ESME, premises1::ESME);
    assert_acknowledged(&a);
    h.run_until_idle();
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .expect("E21 at the deadline");
    assert_eq!(r.code().as_deref(), Some("E21"), "{}", r.xml);
}

#[test]
fn commands_to_one_device_keep_their_order_behind_a_slow_one() {
    let mut h = Harness::new_world();
    h.wan_fault(premises1::CHF, Some(WanFault::Drop(3)));
    let (first, _) = h.device_request(SUPPLIER, t::FIRMWARE_ESME, premises1::ESME);
    let (second, _) = h.device_request(SUPPLIER, t::SUPPLY_ESME, premises1::ESME);
    h.run_until_idle();
    let order: Vec<String> = h
        .delivered_to(SUPPLIER)
        .iter()
        .filter_map(Delivered::request_id)
        .collect();
    assert_eq!(order, vec![first.rid, second.rid]);
    assert!(
        h.delivered_to(SUPPLIER)
            .iter()
            .all(|d| d.code().as_deref() == Some("I0")),
        "the meter refused neither as a replay"
    );
}

#[test]
fn han_device_log_add_then_remove_and_a_failed_remove_is_a_failure_code() {
    let mut h = Harness::new_world();
    assert_eq!(
        h.device_state(premises1::CHF)["device_log"],
        serde_json::json!([])
    );
    let (_, r) = answered(&mut h, t::HAN_ADD, premises1::CHF);
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let log = h.device_state(premises1::CHF)["device_log"].clone();
    assert_eq!(log.as_array().map(Vec::len), Some(1), "{log}");
    assert_eq!(log[0]["device"], premises1::ESME);

    let (_, r) = answered(&mut h, t::HAN_REMOVE, premises1::CHF);
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    assert_eq!(
        h.device_state(premises1::CHF)["device_log"],
        serde_json::json!([])
    );

    // Removing it again: the hub answers that it failed. The user is told so (not I0), and
    // still gets the hub's own answer.
    let (_, r) = answered(&mut h, t::HAN_REMOVE, premises1::CHF);
    assert_eq!(r.code().as_deref(), Some("E100"), "{}", r.xml);
    let a = dlms(&device_answer(&r));
    assert!(a.results.iter().any(|s| s.result() != 0), "{a:?}");
    assert_eq!(
        h.device_state(premises1::CHF)["device_log"],
        serde_json::json!([])
    );
}

#[test]
fn a_refused_delivery_is_retried_until_accepted() {
    let mut h = Harness::new_world();
    h.refuse_next(SUPPLIER, 2);
    let (_, r) = answered(&mut h, t::FIRMWARE_ESME, premises1::ESME);
    assert_eq!(r.code().as_deref(), Some("I0"));
    assert_eq!(h.refused(), 2);
    assert_eq!(h.delivered_to(SUPPLIER).len(), 1, "accepted once");
}

/// A critical request: CV 4 (pre-command, I0), the supplier's signature, CV 5 (I99), the
/// meter's answer delivered.
fn critical(h: &mut Harness, template: &str, srv: &str) -> Delivered {
    let (p, a) = h.device_request(SUPPLIER, template, premises1::ESME);
    h.return_signed_precommand(SUPPLIER, &p.rid, srv, &a);
    h.run_until_idle();
    h.response_for(SUPPLIER, &p.rid)
        .expect("the meter's answer")
}

#[test]
fn critical_disable_then_enable_supply() {
    let mut h = Harness::new_world();
    assert_eq!(h.device_state(premises1::ESME)["supply"], "Enabled");
    let esme_ds = h.device_cert(premises1::ESME, "ds");

    let r = critical(&mut h, t::DISABLE_ESME, "7.2");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let a = device_answer(&r);
    assert_eq!(a.originator, premises1::ESME.parse().unwrap());
    assert_eq!(a.message_code().use_case(), Some("ECS43"));
    a.verify_signature(&gbcs::PublicKey::from_certificate_der(&esme_ds).unwrap())
        .expect("signed by the ESME");
    assert_eq!(
        dlms(&a)
            .results
            .iter()
            .map(|s| s.result())
            .collect::<Vec<_>>(),
        vec![0]
    );
    assert_eq!(h.device_state(premises1::ESME)["supply"], "Disabled");
    let (_, r) = answered(&mut h, t::SUPPLY_ESME, premises1::ESME);
    assert_eq!(
        dlms(&device_answer(&r)).data,
        vec![Data::Enum(0)],
        "disconnected"
    );

    let r = critical(&mut h, t::ENABLE_ESME, "7.1");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    assert_eq!(device_answer(&r).message_code().use_case(), Some("ECS42"));
    assert_eq!(h.device_state(premises1::ESME)["supply"], "Enabled");
    let (_, r) = answered(&mut h, t::SUPPLY_ESME, premises1::ESME);
    assert_eq!(
        dlms(&device_answer(&r)).data,
        vec![Data::Enum(1)],
        "connected"
    );

    // The meter logged both changes.
    let log = h.device_state(premises1::ESME)["event_log"].to_string();
    assert!(
        log.contains(r#"{"SupplyChanged":{"from":"Enabled","to":"Disabled"}}"#),
        "{log}"
    );
    assert!(
        log.contains(r#"{"SupplyChanged":{"from":"Disabled","to":"Enabled"}}"#),
        "{log}"
    );
}

#[test]
fn a_power_outage_alerts_the_distributor_and_the_import_supplier_with_ad1() {
    let mut h = Harness::new_world();
    assert!(h.device_state(premises1::CHF)["power_outage_since"].is_null());
    h.hub_event(premises1::CHF, "power-outage");
    h.run_until_idle();
    for user in ["distributor", SUPPLIER] {
        let docs = h.delivered_to(user);
        assert_eq!(docs.len(), 1, "{user}: {docs:#?}");
        let d = &docs[0];
        assert_eq!(d.kind, "dcc-alert");
        assert_eq!(
            harness::element_text(&d.xml, "DCCAlertCode").as_deref(),
            Some("AD1")
        );
        assert_eq!(
            harness::element_text(&d.xml, "CommsHubDeviceID").as_deref(),
            Some(premises1::CHF)
        );
        assert_eq!(
            harness::element_text(&d.xml, "MPxN").as_deref(),
            Some(premises1::MPAN)
        );
    }
    for user in ["supplier-b", "transporter", "other-user"] {
        assert!(h.delivered_to(user).is_empty(), "{user} hears nothing");
    }
    assert!(h.device_state(premises1::CHF)["power_outage_since"].is_i64());

    // Restored: the outage ends at the hub.
    h.hub_event(premises1::CHF, "power-restored");
    h.run_until_idle();
    assert!(h.device_state(premises1::CHF)["power_outage_since"].is_null());
}

#[test]
fn an_injected_delay_adds_latency() {
    let mut h = Harness::new_world();
    h.wan_fault(premises1::CHF, Some(WanFault::Delay(2_000)));
    let (p, a) = h.device_request(SUPPLIER, t::FIRMWARE_ESME, premises1::ESME);
    assert_acknowledged(&a);
    // Central region latency (25 ms) plus the injected 2 s.
    assert_i0_after(&mut h, &p.rid, Duration::from_millis(2_025));
}
