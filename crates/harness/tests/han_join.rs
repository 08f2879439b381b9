//! 8.7 Join Service and 8.8 Unjoin Service end to end: the supplier has its ESME join the
//! premises' PPMID (8.7.1, CS03A1, critical: pre-command, signature, CV 5) and the PPMID join
//! the ESME (8.7.2, CS03A2, which the DCC's ACB originates and signs); both devices' HAN device
//! logs then hold each other, and the supplier receives the devices' successful answers. 8.8.1 and 8.8.2 unjoin them and the
//! logs are empty again. Joining a device the inventory does not hold (E080702) or one the
//! ESME does not join (the CHF: E080721) is refused and nothing changes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use dcc::store::Store as _;
use harness::{Harness, premises1};

const SUPPLIER: &str = "supplier-a";

fn log_of(h: &Harness, id: &str) -> Vec<String> {
    let s = h.device_state(id);
    s["device_log"]
        .as_array()
        .unwrap_or_else(|| panic!("no device_log in {s}"))
        .iter()
        .map(|e| {
            e["device"]
                .to_string()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_uppercase()
        })
        .collect()
}

fn with_other(xml: &str, other: &str) -> String {
    harness::set_text(xml, "OtherDeviceID", other)
}

/// A critical join or unjoin through CV 4 and CV 5; the device's answer delivered.
fn critical(h: &mut Harness, template: &str, srv: &str, target: &str, other: &str) -> String {
    let p = h.request(template, SUPPLIER, target);
    let a = h.send(&h.sign(SUPPLIER, &with_other(&p.xml, other)));
    h.return_signed_precommand(SUPPLIER, &p.rid, srv, &a);
    h.run_until_idle();
    answered(h, &p.rid)
}

/// The device's answer to `rid`, delivered to the supplier: I0, a GBCS response reporting
/// success (responseCode 0); its use case.
fn answered(h: &Harness, rid: &str) -> String {
    let d = h.response_for(SUPPLIER, rid).expect("the device's answer");
    assert_eq!(d.code().as_deref(), Some("I0"), "{}", d.xml);
    let payload = d.gbcs_payload().expect("a GBCS payload");
    let apdu = gbcs::Frame::decode(&payload)
        .expect("a GBCS response")
        .apdu()
        .clone();
    let out = gbcs::usecases::decode_response(apdu.message_code(), &apdu.content).unwrap();
    assert_eq!(
        out,
        gbcs::usecases::ResponseOutcome::Success(gbcs::usecases::ResponseValue::Done)
    );
    apdu.message_code()
        .use_case()
        .unwrap_or_default()
        .to_string()
}

fn non_critical(h: &mut Harness, template: &str, target: &str, other: &str) -> String {
    let p = h.request(template, SUPPLIER, target);
    let a = h.send(&h.sign(SUPPLIER, &with_other(&p.xml, other)));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    answered(h, &p.rid)
}

fn eui_hex(id: &str) -> String {
    id.replace('-', "")
}

#[test]
fn an_esme_and_a_ppmid_join_and_unjoin() {
    let mut h = Harness::new_world();
    let (esme, ppmid) = (premises1::ESME, premises1::PPMID);
    let before_esme = log_of(&h, esme);
    let before_ppmid = log_of(&h, ppmid);
    assert!(
        !before_esme.iter().any(|d| d.contains(&eui_hex(ppmid))),
        "{before_esme:?}"
    );

    let xml = critical(
        &mut h,
        "CS03A1_8.7.1_SUCCESS_REQUEST_DUIS.XML",
        "8.7.1",
        esme,
        ppmid,
    );
    assert_eq!(xml, "CS03A1");
    let joined = log_of(&h, esme);
    assert!(
        joined.iter().any(|d| d.contains(&eui_hex(ppmid))),
        "{joined:?}"
    );
    let xml = non_critical(
        &mut h,
        "CS03A2NonCritical_8.7.2_SUCCESS_REQUEST_DUIS.XML",
        ppmid,
        esme,
    );
    assert_eq!(xml, "CS03A2");
    assert!(log_of(&h, ppmid).iter().any(|d| d.contains(&eui_hex(esme))));

    let xml = critical(
        &mut h,
        "CS04ACCritical_8.8.1_SUCCESS_REQUEST_DUIS.XML",
        "8.8.1",
        esme,
        ppmid,
    );
    assert_eq!(xml, "CS04AC");
    assert_eq!(log_of(&h, esme), before_esme);
    non_critical(
        &mut h,
        "CS04ACNonCritical_8.8.2_SUCCESS_REQUEST_DUIS.XML",
        ppmid,
        esme,
    );
    assert_eq!(log_of(&h, ppmid), before_ppmid);
}

#[test]
fn joining_an_unknown_or_incompatible_device_is_refused() {
    let mut h = Harness::new_world();
    let esme = premises1::ESME;
    let before = h.device_state(esme);
    for (other, code) in [
        ("00-DB-12-34-56-78-90-FF", "E080702"),
        (premises1::CHF, "E080721"),
    ] {
        let p = h.request("CS03A1_8.7.1_SUCCESS_REQUEST_DUIS.XML", SUPPLIER, esme);
        let a = h.send(&h.sign(SUPPLIER, &with_other(&p.xml, other)));
        assert_eq!(a.code.map(|c| c.as_str()), Some(code), "{}", a.body);
        h.check_signed(&a.body);
    }
    h.run_until_idle();
    assert_eq!(h.device_state(esme)["device_log"], before["device_log"]);
}

/// A whitelisted PPMID joined to its ESME (8.7.1) is Commissioned in the Smart Metering
/// Inventory, the change in its history caused by 8.7.1 and made by the supplier.
#[test]
fn a_whitelisted_ppmid_joined_to_its_esme_is_commissioned() {
    use dcc::model::DeviceStatus;
    use dcc::model::smi::{SmiActor, SmiCause};
    let mut h = Harness::new_world();
    let (esme, ppmid) = (premises1::ESME, premises1::PPMID);
    let id: eui::Eui64 = ppmid.parse().unwrap();
    h.store()
        .transaction(|tx| {
            let mut d = tx.device(id)?.unwrap();
            d.status = DeviceStatus::Whitelisted;
            tx.put_device(&d)?;
            Ok(())
        })
        .unwrap();
    critical(
        &mut h,
        "CS03A1_8.7.1_SUCCESS_REQUEST_DUIS.XML",
        "8.7.1",
        esme,
        ppmid,
    );
    let (status, history) = h
        .store()
        .transaction(|tx| Ok((tx.device(id)?.unwrap().status, tx.status_history(id)?)))
        .unwrap();
    assert_eq!(status, DeviceStatus::Commissioned);
    let last = history.last().expect("a history entry");
    assert_eq!(last.from, Some(DeviceStatus::Whitelisted));
    assert_eq!(last.to, DeviceStatus::Commissioned);
    assert_eq!(last.cause, SmiCause::Service(duis::Srv::V8_7_1));
    assert_eq!(last.by, SmiActor::User(h.user_eui(SUPPLIER)));
}
