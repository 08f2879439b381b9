//! 2.1 Update Prepay Configuration end to end on the simulated clock (DUIS in, the emulated
//! meters' behaviour out): the configuration written by 2.1 (ECS08/ECS08a on the ESME, GCS05
//! on the GSME) is what 4.13 reads, across a restart of the DCC; the prepayment behaviour uses
//! it (the low credit alert 810D and the emergency credit offer 8119 at their moments, a top-up
//! above the maximum credit threshold refused with 8F5B); a future-dated update is held by the
//! meter and written at its time with the 8F66 outcome alert; a cancellation drops one still
//! held. The non-disablement period's effect overnight is tested on the device
//! (`crates/devices/tests/prepay.rs`), not here.
//!
//! The template's values (DUIS `UpdatePrepayConfigElectricity`): low credit threshold 200000,
//! emergency credit limit 300000, emergency credit threshold 100000, maximum meter balance
//! 5000000, maximum credit threshold 1000000, debt recovery rate cap 30.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use dcc::gateway::Answer;
use gbcs::utrn::{self, ValueClass};
use gbcs::{Frame, PublicKey};
use harness::{Delivered, Harness, premises1};

const SUPPLIER: &str = "supplier-a";
const HOUR: Duration = Duration::from_secs(3600);

fn acknowledged(a: &Answer) {
    assert_eq!(a.http_status, 200, "{}", a.body);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
}

/// A non-critical read, answered I0.
fn read(h: &mut Harness, template: &str, target: &str) -> Delivered {
    let (p, a) = h.device_request(SUPPLIER, template, target);
    acknowledged(&a);
    h.run_until_idle();
    let r = h.response_for(SUPPLIER, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    r
}

/// The device's answer rendered as MMC (opened with the supplier's key).
fn render(h: &Harness, r: &Delivered, device: &str, srv: &str) -> String {
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    let (_, ka) = h.user_ka(SUPPLIER);
    let device_ka = PublicKey::from_certificate_der(&h.device_cert(device, "ka")).unwrap();
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

fn leaf(xml: &str, name: &str) -> i64 {
    let open = format!("<ra:{name}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no {name} in {xml}"))
        + open.len();
    let end = xml[start..].find('<').unwrap() + start;
    xml[start..end].parse().unwrap()
}

/// Sets a meter's prepayment credit now in its stored state (as an operator's tool would), so
/// that the credit runs out within the test.
fn set_credit(h: &Harness, device: &str, credit: i64) {
    use dcc::store::Store as _;
    let now = h.now().unix_timestamp();
    let id: eui::Eui64 = device.parse().unwrap();
    h.store()
        .transaction_in(|tx| {
            let mut state = wan::emulated::stored_state(tx, id)?.expect("an emulated device");
            state.instantaneous.prepayment.credit = credit;
            state.instantaneous.prepayment.credit_since = Some(now);
            wan::emulated::put_state(tx, id, &state)?;
            Ok(())
        })
        .unwrap();
}

/// A 2.1 request from `template` (its `ExecutionDateTime` set to `at`, if given) through CV 4
/// and 5; the request id, once the meter's answer (I0) is delivered.
fn update_prepay_config(h: &mut Harness, template: &str, device: &str, at: Option<&str>) -> String {
    let p = h.request(template, SUPPLIER, device);
    let xml = match at {
        Some(t) => harness::set_text(&p.xml, "ExecutionDateTime", t),
        None => p.xml.clone(),
    };
    let a = h.send(&h.sign(SUPPLIER, &xml));
    h.return_signed_precommand(SUPPLIER, &p.rid, "2.1", &a);
    // Not until idle: that would run the clock on to a held update's time.
    h.advance(Duration::from_secs(5));
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .expect("the meter's answer");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    h.check_signed(&r.xml);
    p.rid
}

/// 4.13 on the ESME, rendered.
fn read_config(h: &mut Harness) -> String {
    let r = read(
        h,
        "ECS26a_4.13_SINGLE_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
    );
    render(h, &r, premises1::ESME, "4.13")
}

fn alert_codes(h: &Harness) -> Vec<String> {
    h.delivered_to(SUPPLIER)
        .into_iter()
        .filter(|d| d.kind == "alert")
        .filter_map(|d| harness::element_text(&d.xml, "AlertCode"))
        .collect()
}

fn future_dated_alerts(h: &Harness, rid: &str) -> Vec<String> {
    h.delivered_to(SUPPLIER)
        .into_iter()
        .filter(|d| {
            d.xml.contains("FutureDatedDeviceAlertMessage")
                && d.request_id().as_deref() == Some(rid)
        })
        .filter_map(|d| harness::element_text(&d.xml, "FutureDatedAlertCode"))
        .collect()
}

#[test]
fn a_2_1_write_reads_back_in_4_13_across_a_restart() {
    let mut h = Harness::new_world();
    let before = read_config(&mut h);
    assert_eq!(leaf(&before, "LowCreditThreshold"), 500_000, "{before}");
    update_prepay_config(
        &mut h,
        "ECS08_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
        None,
    );
    h.restart();
    let xml = read_config(&mut h);
    assert_eq!(leaf(&xml, "LowCreditThreshold"), 200_000, "{xml}");
    assert_eq!(leaf(&xml, "EmergencyCreditLimit"), 300_000, "{xml}");
    assert_eq!(leaf(&xml, "EmergencyCreditThreshold"), 100_000, "{xml}");
    assert_eq!(leaf(&xml, "MaxCreditMaxMeterBalance"), 5_000_000, "{xml}");
    assert_eq!(leaf(&xml, "CreditMaxCreditThreshold"), 1_000_000, "{xml}");
    assert_eq!(leaf(&xml, "DebtRecoveryRateCap"), 30, "{xml}");
    // The disablement threshold 1.6 wrote is not 2.1's: unchanged (the RTDS −£5).
    assert_eq!(leaf(&xml, "DisablementThreshold"), -500_000, "{xml}");
}

#[test]
fn the_low_credit_alert_follows_the_written_threshold() {
    let mut h = Harness::new_world();
    // The hours below follow the load shape from noon UTC.
    h.advance_to_time_of_day(12 * 3_600);
    let esme = premises1::ESME;
    update_prepay_config(
        &mut h,
        "ECS08_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
        esme,
        None,
    );
    // £2.50 of credit: above the written low credit threshold (£2), below the old (£5): no
    // alert yet; the emergency credit threshold (£1) is not reached either.
    set_credit(&h, esme, 250_000);
    // A command makes the meter look again (4.13 read).
    read_config(&mut h);
    assert!(
        !alert_codes(&h).contains(&"810D".to_string()),
        "{:?}",
        alert_codes(&h)
    );
    // 500 Wh/h at 25p/kWh and 50p a day: about 14.6p an hour; below £2 after about 3.4 h.
    h.advance(3 * HOUR);
    assert!(
        !alert_codes(&h).contains(&"810D".to_string()),
        "{:?}",
        alert_codes(&h)
    );
    h.advance(HOUR);
    assert_eq!(
        alert_codes(&h).iter().filter(|c| *c == "810D").count(),
        1,
        "{:?}",
        alert_codes(&h)
    );
}

#[test]
fn a_future_dated_2_1_is_written_at_its_time_with_8f66_and_a_cancellation_drops_it() {
    use time::format_description::well_known::Rfc3339;
    let mut h = Harness::new_world();
    let esme = premises1::ESME;
    let at = (h.now() + HOUR).format(&Rfc3339).unwrap();
    let rid = update_prepay_config(
        &mut h,
        "ECS08_2.1_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML",
        esme,
        Some(&at),
    );
    let xml = read_config(&mut h);
    assert_eq!(leaf(&xml, "LowCreditThreshold"), 500_000, "held: {xml}");
    assert!(future_dated_alerts(&h, &rid).is_empty());
    h.restart();
    h.advance(HOUR + Duration::from_secs(100));
    let xml = read_config(&mut h);
    assert_eq!(leaf(&xml, "LowCreditThreshold"), 200_000, "written: {xml}");
    let got = future_dated_alerts(&h, &rid);
    assert!(!got.is_empty());
    assert!(got.iter().all(|c| c == "8F66"), "{got:?}");

    // Held then cancelled: nothing written at its time.
    let mut h = Harness::new_world();
    let at = (h.now() + HOUR).format(&Rfc3339).unwrap();
    update_prepay_config(
        &mut h,
        "ECS08_2.1_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML",
        esme,
        Some(&at),
    );
    update_prepay_config(
        &mut h,
        "ECS08_2.1_CANCELLATION_SUCCESS_REQUEST_DUIS.XML",
        esme,
        None,
    );
    h.advance(2 * HOUR);
    let xml = read_config(&mut h);
    assert_eq!(
        leaf(&xml, "LowCreditThreshold"),
        500_000,
        "cancelled: {xml}"
    );
}

/// The supplier's UTRN number `n` (counter `n` × 2³²) of `pence` for the ESME.
fn token(h: &Harness, n: u64, pence: u16) -> String {
    let (_, ka) = h.user_ka(SUPPLIER);
    let device = premises1::ESME;
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

/// Sends 2.2 with `utrn` to the ESME; the meter's answer.
fn top_up(h: &mut Harness, utrn: &str) -> Delivered {
    let p = h.request(
        "CS01a_2.2_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        premises1::ESME,
    );
    let xml = harness::set_text(&p.xml, "UTRN", utrn);
    let a = h.send(&h.sign(SUPPLIER, &xml));
    acknowledged(&a);
    h.run_until_idle();
    h.response_for(SUPPLIER, &p.rid)
        .expect("the meter's answer")
}

/// 4.18 on the ESME: the meter balance (10⁻⁵ GBP).
fn meter_balance(h: &mut Harness) -> i64 {
    let r = read(h, "ECS82_4.18_SUCCESS_REQUEST_DUIS.XML", premises1::ESME);
    let bytes = r.gbcs_payload().expect("the device's answer");
    match Frame::decode(&bytes).unwrap().apdu().payload() {
        gbcs::Payload::AccessResponse(a) => match a.data[..] {
            [gbcs::axdr::Data::DoubleLong(v)] => i64::from(v),
            ref other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_top_up_above_the_written_maximum_credit_threshold_is_refused_with_8f5b() {
    let mut h = Harness::new_world();
    let esme = premises1::ESME;
    update_prepay_config(
        &mut h,
        "ECS08_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
        esme,
        None,
    );
    set_credit(&h, esme, 2_000_000);
    let before = meter_balance(&mut h);
    // £12.50: above the written maximum credit threshold (£10): refused, the balance as it was.
    let u = token(&h, 3, 1250);
    let r = top_up(&mut h, &u);
    assert_ne!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    assert!(
        alert_codes(&h).contains(&"8F5B".to_string()),
        "{:?}",
        alert_codes(&h)
    );
    let after = meter_balance(&mut h);
    assert!((before - after).abs() <= 1_000, "{before} → {after}");
    // £10 is accepted (the same counter was not used up by the refusal).
    let u = token(&h, 3, 1000);
    let r = top_up(&mut h, &u);
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let credited = meter_balance(&mut h);
    assert!(
        (credited - after - 1_000_000).abs() <= 1_000,
        "{after} → {credited}"
    );
}

#[test]
fn emergency_credit_is_offered_below_the_written_threshold() {
    let mut h = Harness::new_world();
    // The hours below follow the load shape from noon UTC.
    h.advance_to_time_of_day(12 * 3_600);
    let esme = premises1::ESME;
    update_prepay_config(
        &mut h,
        "ECS08_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
        esme,
        None,
    );
    // £1.50 of credit: above the written emergency credit threshold (£1).
    set_credit(&h, esme, 150_000);
    read_config(&mut h);
    let offered = |h: &Harness| alert_codes(h).iter().filter(|c| *c == "8119").count();
    assert_eq!(offered(&h), 0, "{:?}", alert_codes(&h));
    // About 14.6p an hour: below £1 after about 3.4 h.
    h.advance(3 * HOUR);
    assert_eq!(offered(&h), 0, "{:?}", alert_codes(&h));
    h.advance(HOUR);
    assert_eq!(offered(&h), 1, "{:?}", alert_codes(&h));
}

#[test]
fn a_gcs05_write_is_what_the_gas_meter_holds_across_a_restart() {
    let mut h = Harness::new_world();
    let gsme = premises1::GSME;
    update_prepay_config(
        &mut h,
        "GCS05_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
        gsme,
        None,
    );
    h.restart();
    let attrs = h.device_state(gsme)["reads"]["gas_tariff"]["prepayment_attributes"].clone();
    let value = |id: u16| {
        attrs
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .map(|a| a["value"].as_i64().unwrap())
    };
    // The GCS05 template's values (gbcs' tests: the RTDS pre-commands carry them).
    assert_eq!(
        value(0x0031),
        Some(5_000_000),
        "low credit warning: {attrs}"
    );
    assert_eq!(value(0x0010), Some(10_000_000), "emergency credit limit");
    assert_eq!(value(0x0011), Some(100_000), "emergency credit threshold");
    assert_eq!(value(0x0021), Some(25_000_000), "maximum credit limit");
    assert_eq!(value(0x0022), Some(25_000_000), "maximum credit per top-up");
    assert_eq!(value(0x0006), Some(100_000), "overall debt cap");
}
