//! 6.11 Synchronise Clock end to end on the simulated clock: a meter whose clock drifted
//! (`DeviceState::clock_offset_secs`) is set right by the critical flow (CV 4 pre-command, the
//! supplier's signature, CV 5), ECS70 on the ESME and GCS28 on the GSME, when the command
//! arrives inside the request's validity interval (`CurrentDateTime` to `CurrentDateTime +
//! TolerancePeriod`); outside it the meter refuses and its clock stays as it was. The setting
//! survives a restart of the DCC.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use gbcs::usecases::{ResponseOutcome, ResponseValue};
use harness::{Delivered, Harness, premises1, set_text};
use time::format_description::well_known::Rfc3339;

const SUPPLIER: &str = "supplier-a";
const ESME_TEMPLATE: &str = "ECS70_6.11_SUCCESS_REQUEST_DUIS.XML";
const GSME_TEMPLATE: &str = "GCS28_6.11_SUCCESS_REQUEST_DUIS.XML";

/// 6.11 with the validity interval starting `from_now_secs` from now and lasting `tolerance`
/// seconds, through the whole critical flow; the response delivered for it.
fn synchronise(
    h: &mut Harness,
    template: &str,
    target: &str,
    from_now_secs: i64,
    tolerance: u32,
) -> Delivered {
    let p = h.request(template, SUPPLIER, target);
    let start = h.now() + time::Duration::seconds(from_now_secs);
    let xml = set_text(&p.xml, "CurrentDateTime", &start.format(&Rfc3339).unwrap());
    let xml = set_text(&xml, "TolerancePeriod", &tolerance.to_string());
    let a = h.send(&h.sign(SUPPLIER, &xml));
    h.return_signed_precommand(SUPPLIER, &p.rid, "6.11", &a);
    h.run_until_idle();
    h.response_for(SUPPLIER, &p.rid)
        .unwrap_or_else(|| panic!("no response for {}", p.rid))
}

/// The device time a set-clock answer reports (ECS70 or GCS28, decoded by the catalogue).
fn device_time(r: &Delivered) -> i64 {
    let bytes = r.gbcs_payload().expect("the device's answer");
    let apdu = gbcs::Frame::decode(&bytes).unwrap().apdu().clone();
    match gbcs::usecases::decode_response(apdu.message_code(), &apdu.content).unwrap() {
        ResponseOutcome::Success(ResponseValue::ClockSet { device_time }) => device_time.to_unix(),
        other => panic!("{other:?}"),
    }
}

fn offset(h: &Harness, id: &str) -> i64 {
    h.device_state(id)["clock_offset_secs"].as_i64().unwrap()
}

#[test]
fn a_drifted_esme_clock_is_set_right_inside_the_validity_interval() {
    let mut h = Harness::new_world();
    h.set_clock_offset(premises1::ESME, 600);
    assert_eq!(offset(&h, premises1::ESME), 600);

    // An interval that ended before the command arrives: refused, the clock stays drifted.
    let r = synchronise(&mut h, ESME_TEMPLATE, premises1::ESME, -7200, 60);
    assert_ne!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    assert_eq!(offset(&h, premises1::ESME), 600);
    // One that starts after it arrives: refused too.
    let r = synchronise(&mut h, ESME_TEMPLATE, premises1::ESME, 7200, 60);
    assert_ne!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    assert_eq!(offset(&h, premises1::ESME), 600);

    // The interval around now: the meter's clock is exact and it says so.
    let r = synchronise(&mut h, ESME_TEMPLATE, premises1::ESME, -60, 3600);
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let shown = device_time(&r);
    assert!((shown - h.now().unix_timestamp()).abs() < 60, "{shown}");
    assert_eq!(offset(&h, premises1::ESME), 0);

    // Across a restart the clock stays right.
    h.restart();
    h.advance(Duration::from_secs(60));
    assert_eq!(offset(&h, premises1::ESME), 0);
}

#[test]
fn a_drifted_gsme_clock_is_set_right_and_a_late_command_refused() {
    let mut h = Harness::new_world();
    h.set_clock_offset(premises1::GSME, -900);
    let r = synchronise(&mut h, GSME_TEMPLATE, premises1::GSME, -7200, 3600);
    assert_ne!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    assert_eq!(offset(&h, premises1::GSME), -900);
    let r = synchronise(&mut h, GSME_TEMPLATE, premises1::GSME, -10, 3600);
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let shown = device_time(&r);
    assert!((shown - h.now().unix_timestamp()).abs() < 60, "{shown}");
    assert_eq!(offset(&h, premises1::GSME), 0);
    h.restart();
    assert_eq!(offset(&h, premises1::GSME), 0);
}

#[test]
fn bad_requests_change_nothing() {
    let mut h = Harness::new_world();
    h.set_clock_offset(premises1::ESME, 120);
    // A tolerance above 86 400 s is not a valid body; 6.11 to a hub is the wrong device type.
    let p = h.request(ESME_TEMPLATE, SUPPLIER, premises1::ESME);
    let a = h.send(&h.sign(SUPPLIER, &set_text(&p.xml, "TolerancePeriod", "86401")));
    assert_ne!(a.code.map(|c| c.as_str()), Some("I0"), "{}", a.body);
    let p = h.request(ESME_TEMPLATE, SUPPLIER, premises1::CHF);
    let a = h.send(&h.sign(SUPPLIER, &p.xml));
    assert_ne!(a.code.map(|c| c.as_str()), Some("I0"), "{}", a.body);
    assert_eq!(h.pending_commands(), 0);
    assert_eq!(offset(&h, premises1::ESME), 120);
}
