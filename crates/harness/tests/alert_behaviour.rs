//! DUIS 6.22 Configure Alert Behaviour and 6.2.10 Read Event and Alert Behaviours end to end
//! on the simulated clock: the supplier's (or network operator's) request reaches the meter,
//! the meter answers I0, 6.2.10 reads back what 6.22 wrote (the GBCS defaults before), across
//! a DCC restart; the meter behaves by it (an alert configured off no longer reaches the DCC,
//! one configured on does); bad requests are refused and change nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gbcs::usecases::{
    EventConfiguration, FilterBits, ResponseOutcome, ResponseValue, decode_response,
};
use gbcs::utrn::{self, ValueClass};
use gbcs::{Frame, PublicKey};
use harness::{Harness, element_text, premises1, set_text};

const SUPPLIER: &str = "supplier-a";
const DISTRIBUTOR: &str = "distributor";
const READ_ESME: &str = "ECS25r1_6.2.10_SUCCESS_REQUEST_DUIS.XML";
const READ_ESME_NO: &str = "ECS25r2_6.2.10_SUCCESS_REQUEST_DUIS.XML";
const READ_GSME: &str = "GCS20r_6.2.10_SUCCESS_REQUEST_DUIS.XML";
const WRITE_ESME: &str = "ECS25a_6.22_SUCCESS_REQUEST_DUIS.XML";
const WRITE_ESME_NO: &str = "ECS25b3_6.22_SUCCESS_REQUEST_DUIS.XML";
const WRITE_GSME: &str = "GCS20_6.22_SUCCESS_REQUEST_DUIS.XML";

/// Sends `xml` signed by `user`; runs the DCC until idle; the meter's answer (I0), decoded.
fn answered(h: &mut Harness, user: &str, rid: &str, xml: &str) -> ResponseValue {
    let a = h.send(&h.sign(user, xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    let r = h.response_for(user, rid).expect("the meter's answer");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let frame = Frame::decode(&r.gbcs_payload().expect("a GBCS payload")).unwrap();
    let apdu = frame.apdu();
    match decode_response(apdu.message_code(), &apdu.content).unwrap() {
        ResponseOutcome::Success(v) => v,
        other => panic!("{other:?}"),
    }
}

/// `template` to `device` as `user`, answered I0.
fn run(h: &mut Harness, user: &str, template: &str, device: &str) -> ResponseValue {
    let p = h.request(template, user, device);
    answered(h, user, &p.rid, &p.xml)
}

/// Whether `code` is on in filter `i` of an ESME read.
fn esme_on(v: &ResponseValue, i: usize, code: u16) -> bool {
    let ResponseValue::DlmsValues(values) = v else {
        panic!("{v:?}")
    };
    FilterBits::from_data(&values[i])
        .expect("a 256-bit filter")
        .get((code & 0xFF) as u8)
}

/// A GSME code's configuration in a GCS20r read.
fn gsme_config(v: &ResponseValue, code: u16) -> EventConfiguration {
    let ResponseValue::EventConfigurations(c) = v else {
        panic!("{v:?}")
    };
    EventConfiguration(c.iter().find(|(k, _)| *k == code).expect("reported").1)
}

fn behaviour(h: &Harness, device: &str) -> serde_json::Value {
    h.device_state(device)["config"]["alert_behaviour"].clone()
}

fn alerts(h: &Harness) -> Vec<String> {
    h.delivered_to(SUPPLIER)
        .into_iter()
        .filter(|d| d.kind == "alert")
        .filter_map(|d| element_text(&d.xml, "AlertCode"))
        .collect()
}

fn token(h: &Harness, device: &str, n: u64, pence: u16) -> String {
    let (_, ka) = h.user_ka(SUPPLIER);
    let meter = PublicKey::from_certificate_der(&h.device_cert(device, "ka")).unwrap();
    utrn::build(
        &ka,
        &meter,
        h.user_eui(SUPPLIER),
        device.parse().unwrap(),
        n << 32,
        ValueClass::Pennies,
        pence,
    )
    .unwrap()
}

#[test]
fn esme_write_then_read_back_across_a_restart() {
    let mut h = Harness::new_world();
    let esme = premises1::ESME;
    // The GBCS defaults first: 0x810E sent, 0x81B7 not.
    let v = run(&mut h, SUPPLIER, READ_ESME, esme);
    assert!(esme_on(&v, 0, 0x810E));
    assert!(!esme_on(&v, 0, 0x81B7));
    // The template: 0x810D on, 0x810E off, 0x81B7 on.
    run(&mut h, SUPPLIER, WRITE_ESME, esme);
    h.restart();
    let v = run(&mut h, SUPPLIER, READ_ESME, esme);
    for (code, want) in [(0x810D, true), (0x810E, false), (0x81B7, true)] {
        assert_eq!(esme_on(&v, 0, code), want, "{code:04X}");
    }
    // The other filters are as they were (HAN: 0x810D on by default).
    assert!(esme_on(&v, 1, 0x810D));
    // The network operator's logging filter, by the distributor.
    let v = run(&mut h, DISTRIBUTOR, READ_ESME_NO, esme);
    assert!(esme_on(&v, 1, 0x8014));
    let p = h.request(WRITE_ESME_NO, DISTRIBUTOR, esme);
    let body = set_text(&p.xml, "x8014", "Disable");
    answered(&mut h, DISTRIBUTOR, &p.rid, &body);
    h.restart();
    let v = run(&mut h, DISTRIBUTOR, READ_ESME_NO, esme);
    // The template turns 0x8015 off; 0x8014 is off as written; the WAN filter is untouched.
    assert!(!esme_on(&v, 1, 0x8014));
    assert!(!esme_on(&v, 1, 0x8015));
    assert!(esme_on(&v, 0, 0x8014));
}

#[test]
fn gsme_alert_configured_off_is_not_delivered_and_on_again_is() {
    let mut h = Harness::new_world();
    let gsme = premises1::GSME;
    let v = run(&mut h, SUPPLIER, READ_GSME, gsme);
    assert!(gsme_config(&v, 0x810E).wan());
    // Typed at the keypad: 0x810E (credit added locally) reaches the supplier.
    let u = token(&h, gsme, 7, 100);
    h.enter_utrn(gsme, &u);
    h.run_until_idle();
    assert_eq!(alerts(&h), ["810E"]);
    // 0x810E's WAN alert off (the template's first WANAlert is 0x810E's).
    let p = h.request(WRITE_GSME, SUPPLIER, gsme);
    let off = set_text(&p.xml, "WANAlert", "Disable");
    answered(&mut h, SUPPLIER, &p.rid, &off);
    h.restart();
    let v = run(&mut h, SUPPLIER, READ_GSME, gsme);
    assert!(!gsme_config(&v, 0x810E).wan());
    assert!(gsme_config(&v, 0x81AA).han());
    assert_eq!(
        gsme_config(&v, 0x8161),
        EventConfiguration::new(false, false, true, true)
    );
    let u = token(&h, gsme, 8, 100);
    h.enter_utrn(gsme, &u);
    h.run_until_idle();
    assert_eq!(alerts(&h), ["810E"], "no alert while configured off");
    assert_eq!(
        h.device_state(gsme)["top_ups"]["accepted"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "the top-up itself still happens"
    );
    // On again.
    let p = h.request(WRITE_GSME, SUPPLIER, gsme);
    answered(&mut h, SUPPLIER, &p.rid, &p.xml);
    let u = token(&h, gsme, 9, 100);
    h.enter_utrn(gsme, &u);
    h.run_until_idle();
    assert_eq!(alerts(&h), ["810E", "810E"]);
}

#[test]
fn bad_requests_are_refused_and_change_nothing() {
    let mut h = Harness::new_world();
    let esme = premises1::ESME;
    let before = behaviour(&h, esme);
    // An unknown (critical) alert code: the schema refuses it.
    let p = h.request(WRITE_ESME, SUPPLIER, esme);
    let bad = p.xml.replace("x810D", "x8F30");
    let a = h.send(&h.sign(SUPPLIER, &bad));
    assert_ne!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    // A value outside Enable / Disable.
    let p = h.request(WRITE_ESME, SUPPLIER, esme);
    let bad = set_text(&p.xml, "x810D", "On");
    let a = h.send(&h.sign(SUPPLIER, &bad));
    assert_ne!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    // Gas settings for the ESME.
    let p = h.request(WRITE_GSME, SUPPLIER, esme);
    let a = h.send(&h.sign(SUPPLIER, &p.xml));
    assert_ne!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    // The supplier writing the network operator's filter.
    let p = h.request(WRITE_ESME_NO, SUPPLIER, esme);
    let a = h.send(&h.sign(SUPPLIER, &p.xml));
    assert_ne!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    assert_eq!(behaviour(&h, esme), before);
}
