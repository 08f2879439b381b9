//! 9.1 Request Customer Identification Number end to end on the simulated clock: an Other User
//! asks; the DCC's Access Control Broker sends the meter the CIN (ECS50 to an ESME, GCS36 to a
//! GSME) on their behalf; the meter keeps and shows it (`DeviceState::config.local`); the Other
//! User's response carries the meter's answer and the CIN (`CINMessage`). The CIN is the same
//! each time it is asked for, across a restart; other device types and other roles are refused
//! and change nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use harness::{Harness, element_text, premises1};

const OTHER_USER: &str = "other-user";
const ESME_TEMPLATE: &str = "ECS50_9.1_SUCCESS_REQUEST_DUIS.XML";
const GSME_TEMPLATE: &str = "GCS36_9.1_SUCCESS_REQUEST_DUIS.XML";

/// 9.1 to `target`: the CIN in the response delivered.
fn request_cin(h: &mut Harness, template: &str, target: &str) -> String {
    let (p, a) = h.device_request(OTHER_USER, template, target);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    let r = h
        .response_for(OTHER_USER, &p.rid)
        .unwrap_or_else(|| panic!("no response for {}", p.rid));
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    assert!(r.xml.contains("CINMessage"), "{}", r.xml);
    assert!(r.gbcs_payload().is_some(), "{}", r.xml);
    element_text(&r.xml, "CustomerIdentificationNumber").expect("a CIN")
}

fn shown(h: &Harness, id: &str) -> Option<String> {
    h.device_state(id)["config"]["local"]["customer_identification_number"]
        .as_str()
        .map(str::to_string)
}

#[test]
fn the_meter_shows_the_cin_the_other_user_is_told() {
    let mut h = Harness::new_world();
    assert_eq!(shown(&h, premises1::ESME), None);
    let cin = request_cin(&mut h, ESME_TEMPLATE, premises1::ESME);
    assert_eq!(cin.len(), 4);
    assert!(cin.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(shown(&h, premises1::ESME).as_deref(), Some(cin.as_str()));

    let gas = request_cin(&mut h, GSME_TEMPLATE, premises1::GSME);
    assert_eq!(shown(&h, premises1::GSME).as_deref(), Some(gas.as_str()));

    // Stable: after a restart the meter still shows it, and asking again gives the same CIN.
    h.restart();
    assert_eq!(shown(&h, premises1::ESME).as_deref(), Some(cin.as_str()));
    assert_eq!(request_cin(&mut h, ESME_TEMPLATE, premises1::ESME), cin);
    assert_eq!(request_cin(&mut h, GSME_TEMPLATE, premises1::GSME), gas);
}

#[test]
fn other_devices_and_roles_are_refused() {
    let mut h = Harness::new_world();
    for target in [premises1::CHF, premises1::GPF] {
        let (_, a) = h.device_request(OTHER_USER, ESME_TEMPLATE, target);
        assert_eq!(a.code.map(|c| c.as_str()), Some("E11"), "{}", a.body);
    }
    // Only an Other User may ask (the service matrix).
    let (_, a) = h.device_request("supplier-a", ESME_TEMPLATE, premises1::ESME);
    assert_ne!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    assert_eq!(h.pending_commands(), 0);
    h.run_until_idle();
    assert_eq!(shown(&h, premises1::ESME), None);
    assert_eq!(shown(&h, premises1::GSME), None);
}

#[test]
fn a_cin_returned_for_local_delivery_is_shown_once_handed_over() {
    use base64::Engine as _;
    let mut h = Harness::new_world();
    let p = h.request(ESME_TEMPLATE, OTHER_USER, premises1::ESME);
    let xml = harness::set_text(&p.xml, "CommandVariant", "2");
    let a = h.send(&h.sign(OTHER_USER, &xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I0"), "{}", a.body);
    assert_eq!(h.pending_commands(), 0);
    let command = base64::engine::general_purpose::STANDARD
        .decode(element_text(&a.body, "GBCSPayload").unwrap().trim())
        .unwrap();
    assert_eq!(shown(&h, premises1::ESME), None);
    assert!(h.deliver_locally(premises1::ESME, &command).is_some());
    let cin = shown(&h, premises1::ESME).expect("the CIN shown");
    // The same CIN as over the SM WAN.
    assert_eq!(request_cin(&mut h, ESME_TEMPLATE, premises1::ESME), cin);
}
