//! 1.1.1 Update Import Tariff (Primary Element) and 1.2.1 Update Price (Primary Element) on the
//! GSME end to end on a simulated clock: the critical write (CV 4 pre-command GCS01a or GCS01b,
//! the supplier's signature, CV 5) carried to the emulated gas meter, then 4.11.1 Read Tariff
//! (GCS21f) showing the new tariff after a restart of the DCC; a future-dated 1.1.1 held by the
//! meter until its time, then made with one 8F66 alert per dated command; a cancellation
//! dropping a held one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use time::format_description::well_known::Rfc3339;

use dcc::gateway::Answer;
use gbcs::PublicKey;
use harness::{Delivered, Harness, premises1};

const SUPPLIER: &str = "supplier-a";
const GSME: &str = premises1::GSME;

fn acknowledged(a: &Answer) {
    assert_eq!(a.http_status, 200, "{}", a.body);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
}

/// The device's answer rendered as MMC (opened with the supplier's key).
fn render(h: &Harness, r: &Delivered, srv: &str) -> String {
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    let (_, ka) = h.user_ka(SUPPLIER);
    let device_ka = PublicKey::from_certificate_der(&h.device_cert(GSME, "ka")).unwrap();
    let x = mmc::render(
        &bytes,
        &mmc::Context {
            service_reference: Some(srv),
            service_reference_variant: Some(srv),
            keys: Some(mmc::Keys {
                requester_ka: &ka,
                device_ka: &device_ka,
            }),
        },
    )
    .unwrap();
    assert!(!x.sealed, "{:?}\n{}", x.notes, x.xml);
    x.xml
}

/// A 1.1 / 1.2 request (the template edited by `edit`) through CV 4 and 5; the request id and
/// the meter's answer (I0) rendered as `element`. `held`: future-dated (the clock is not run on
/// to the held update's time).
fn update(
    h: &mut Harness,
    template: &str,
    srv: &str,
    edit: impl Fn(&str) -> String,
    held: bool,
    element: &str,
) -> String {
    let p = h.request(template, SUPPLIER, GSME);
    let a = h.send(&h.sign(SUPPLIER, &edit(&p.xml)));
    h.return_signed_precommand(SUPPLIER, &p.rid, srv, &a);
    if held {
        h.advance(Duration::from_secs(5));
    } else {
        h.run_until_idle();
    }
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .expect("the meter's answer");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let xml = render(h, &r, srv);
    assert!(xml.contains(element), "{xml}");
    p.rid
}

/// A non-critical read of the GSME, answered I0, rendered.
fn read(h: &mut Harness, template: &str, srv: &str) -> String {
    let (p, a) = h.device_request(SUPPLIER, template, GSME);
    acknowledged(&a);
    h.run_until_idle();
    let r = h.response_for(SUPPLIER, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    render(h, &r, srv)
}

fn tariff_read(h: &mut Harness) -> String {
    read(h, "GCS21f_4.11.1_SUCCESS_REQUEST_DUIS.XML", "4.11.1")
}

#[test]
fn written_gas_prices_read_back_across_a_restart() {
    let mut h = Harness::new_world();
    let before = tariff_read(&mut h);
    assert!(!before.contains(">23456<"), "{before}");
    assert!(!before.contains(">10321<"), "{before}");
    update(
        &mut h,
        "GCS01b_1.2.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML",
        "1.2.1",
        |x| x.replace(">22465<", ">23456<").replace(">9600<", ">10321<"),
        false,
        "UpdatePricePrimaryElementRsp",
    );
    h.restart();
    let after = tariff_read(&mut h);
    assert!(after.contains(">23456<"), "{after}");
    assert!(after.contains(">10321<"), "{after}");
}

#[test]
fn a_written_gas_tariff_reads_back_across_a_restart() {
    let mut h = Harness::new_world();
    let before = tariff_read(&mut h);
    assert!(!before.contains(">23456<"), "{before}");
    assert!(!before.contains(">10987<"), "{before}");
    let calendar_before = h.device_state(GSME)["reads"]["gas_tariff"].clone();
    update(
        &mut h,
        "GCS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML",
        "1.1.1",
        |x| {
            x.replace(">22465<", ">23456<")
                .replace(">10200<", ">10987<")
                // Day profile 4 on TOU rate 3.
                .replace("<sr:TOUTariffAction>4<", "<sr:TOUTariffAction>3<")
        },
        false,
        "UpdateImportTariffPrimaryElementRsp",
    );
    assert_ne!(
        h.device_state(GSME)["reads"]["gas_tariff"],
        calendar_before,
        "the calendar and prices written"
    );
    h.restart();
    let after = tariff_read(&mut h);
    let day4 = "<ra:DayName>4</ra:DayName><ra:TOUTariffAction>3</ra:TOUTariffAction>";
    let flat = |x: &str| x.split_whitespace().collect::<String>();
    assert!(!flat(&before).contains(day4), "{before}");
    assert!(flat(&after).contains(day4), "the calendar written: {after}");
    assert!(after.contains(">23456<"), "{after}");
    assert!(after.contains(">10987<"), "{after}");
    // A TOU action naming a rate with no price is refused at the gateway and changes nothing.
    let p = h.request(
        "GCS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        GSME,
    );
    let bad = p
        .xml
        .replace("<sr:TOUPrice index=\"4\">11000</sr:TOUPrice>", "");
    let state = h.device_state(GSME);
    let a = h.send(&h.sign(SUPPLIER, &bad));
    assert_eq!(a.http_status, 400, "{}", a.body);
    h.run_until_idle();
    assert_eq!(h.device_state(GSME), state);
}

/// The 8F66 alerts delivered to the supplier for request `rid`.
fn alerts(h: &Harness, rid: &str) -> Vec<Delivered> {
    h.delivered_to(SUPPLIER)
        .into_iter()
        .filter(|d| {
            d.xml.contains("FutureDatedDeviceAlertMessage")
                && d.request_id().as_deref() == Some(rid)
        })
        .collect()
}

#[test]
fn a_future_dated_gas_tariff_is_made_at_its_time_with_its_alerts() {
    let mut h = Harness::new_world();
    let at = h.now() + Duration::from_secs(2 * 3600);
    let before = h.device_state(GSME)["reads"]["gas_tariff"].clone();
    let rid = update(
        &mut h,
        "GCS01a_1.1.1_FUTURE_DATED_BLOCK_SUCCESS_REQUEST_DUIS.XML",
        "1.1.1",
        |x| {
            harness::set_text(x, "ExecutionDateTime", &at.format(&Rfc3339).unwrap())
                .replace(">2000000<", ">2500000<")
        },
        true,
        "UpdateImportTariffPrimaryElementRsp",
    );
    assert_eq!(h.device_state(GSME)["reads"]["gas_tariff"], before, "held");
    assert!(alerts(&h, &rid).is_empty());
    // The meter shows thresholds in its display unit (the multiplier 1 and divisor 1000 GBCS
    // carries): 2500000 is 2500.
    let threshold = ">2500</ra:BlockThreshold>";
    let read = tariff_read(&mut h);
    assert!(!read.contains(threshold), "{read}");
    // A past execution time is refused (E12) and changes nothing.
    let p = h.request(
        "GCS01a_1.1.1_FUTURE_DATED_BLOCK_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        GSME,
    );
    let past = harness::set_text(&p.xml, "ExecutionDateTime", "2020-01-01T00:00:00Z");
    let a = h.send(&h.sign(SUPPLIER, &past));
    assert_eq!(a.code.map(|c| c.as_str()), Some("E12"), "{}", a.body);
    h.restart();
    h.advance(Duration::from_secs(2 * 3600 + 60));
    assert_ne!(h.device_state(GSME)["reads"]["gas_tariff"], before, "made");
    // One 8F66 per command carrying the start time (as the RTDS FUTURE_DATED_BLOCK alerts):
    // Publish Calendar, Special Days, Tariff Information, Block Thresholds, Price Matrix.
    let got = alerts(&h, &rid);
    assert_eq!(got.len(), 5, "{got:#?}");
    for g in &got {
        assert_eq!(
            harness::element_text(&g.xml, "FutureDatedAlertCode").as_deref(),
            Some("8F66")
        );
    }
    let read = tariff_read(&mut h);
    assert!(read.contains(threshold), "{read}");
    assert!(read.contains(">54794<"), "{read}");
}

#[test]
fn a_cancelled_gas_tariff_is_never_made() {
    let mut h = Harness::new_world();
    let at = h.now() + Duration::from_secs(2 * 3600);
    let before = h.device_state(GSME)["reads"]["gas_tariff"].clone();
    let rid = update(
        &mut h,
        "GCS01a_1.1.1_FUTURE_DATED_BLOCK_SUCCESS_REQUEST_DUIS.XML",
        "1.1.1",
        |x| harness::set_text(x, "ExecutionDateTime", &at.format(&Rfc3339).unwrap()),
        true,
        "UpdateImportTariffPrimaryElementRsp",
    );
    h.run_until_idle();
    update(
        &mut h,
        "GCS01a_1.1.1_CANCELLATION_BLOCK_SUCCESS_REQUEST_DUIS.XML",
        "1.1.1",
        |x| x.to_owned(),
        false,
        "UpdateImportTariffPrimaryElementRsp",
    );
    h.advance(Duration::from_secs(3 * 3600));
    assert_eq!(
        h.device_state(GSME)["reads"]["gas_tariff"],
        before,
        "cancelled"
    );
    assert!(alerts(&h, &rid).is_empty());
}
