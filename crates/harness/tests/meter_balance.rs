//! 1.5 Update Meter Balance end to end on a simulated clock (CV 4 pre-command, the supplier's
//! signature, CV 5), and the prepayment behaviour it drives (`devices::prepay`):
//!
//! * every 1.5 form on the ESME (ECS04a, ECS04b) and the GSME (GCS40a–d) is answered I0 and
//!   rendered `UpdateMeterBalanceRsp`; 4.18 Read Meter Balance and 4.3 Read Prepay Values show
//!   the balances written, across a restart of the DCC;
//! * a prepayment ESME left with little credit in the evening runs out overnight: at its time
//!   on the simulated clock its supply is disabled and the supplier gets the alerts (8119
//!   emergency credit available at once, 8F0F credit below the disablement threshold at the
//!   time); in the morning 1.5 adds credit: the supply is armed, not enabled, until the
//!   consumer presses the button; the reads show the balance;
//! * bad input: a value out of range (refused by the DUIS parser, no pre-command), a device
//!   type that has no meter balance (E11), a pre-command signed with another key than the
//!   supplier's: nothing changes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use dcc::gateway::Answer;
use gbcs::PublicKey;
use harness::{Delivered, Harness, premises1, set_text};
use time::OffsetDateTime;

const SUPPLIER: &str = "supplier-a";

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

/// The CV 4 request of `template` for `target` with `AdjustMeterBalance` set to `adjust`: its
/// request id and the DCC's synchronous answer.
fn cv4(h: &mut Harness, template: &str, target: &str, adjust: Option<i64>) -> (String, Answer) {
    let p = h.request(template, SUPPLIER, target);
    let xml = match adjust {
        Some(v) => set_text(&p.xml, "AdjustMeterBalance", &v.to_string()),
        None => p.xml.clone(),
    };
    let a = h.send(&h.sign(SUPPLIER, &xml));
    (p.rid, a)
}

/// 1.5 from `template` (its adjustment replaced by `adjust`): CV 4, the supplier's signature,
/// CV 5; the meter's answer, rendered `UpdateMeterBalanceRsp`.
fn update(h: &mut Harness, template: &str, target: &str, adjust: Option<i64>) -> Delivered {
    let (rid, a) = cv4(h, template, target, adjust);
    h.return_signed_precommand(SUPPLIER, &rid, "1.5", &a);
    h.run_until_idle();
    let r = h.response_for(SUPPLIER, &rid).expect("the meter's answer");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let xml = render(h, &r, target, "1.5");
    assert!(xml.contains("UpdateMeterBalanceRsp"), "{xml}");
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

/// 4.18 Read Meter Balance, rendered: the ESME's `MeterBalance`; the GSME's (credit mode)
/// `MeterBalance` and prepayment mode balance.
fn meter_balance(h: &mut Harness, device: &str) -> String {
    let template = if device == premises1::ESME {
        "ECS82_4.18_SUCCESS_REQUEST_DUIS.XML"
    } else {
        "GCS60_4.18_SUCCESS_REQUEST_DUIS.XML"
    };
    let r = read(h, template, device);
    render(h, &r, device, "4.18")
}

/// 4.3 Read Prepay Values: the credit remaining (`MeterBalance`).
fn credit_remaining(h: &mut Harness, device: &str) -> i64 {
    let template = if device == premises1::ESME {
        "ECS19_4.3_SUCCESS_REQUEST_DUIS.XML"
    } else {
        "GCS14_4.3_SUCCESS_RELIABLE_GSME_REQUEST_DUIS.XML"
    };
    let r = read(h, template, device);
    leaf(&render(h, &r, device, "4.3"), "MeterBalance")
}

fn supply(h: &Harness, device: &str) -> String {
    h.device_state(device)["supply"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The alert codes delivered to the supplier so far.
fn alert_codes(h: &Harness) -> Vec<String> {
    h.delivered_to(SUPPLIER)
        .into_iter()
        .filter(|d| d.kind == "alert")
        .filter_map(|d| harness::element_text(&d.xml, "AlertCode"))
        .collect()
}

/// Moves the clock on to the next `hour`:00 UTC.
fn advance_to_hour(h: &mut Harness, hour: u8) -> OffsetDateTime {
    let now = h.now();
    let mut t = now.date().with_hms(hour, 0, 0).unwrap().assume_utc();
    if t <= now {
        t += time::Duration::days(1);
    }
    h.advance((t - now).try_into().unwrap());
    t
}

#[test]
fn every_form_of_1_5_writes_the_balance_the_reads_show_across_a_restart() {
    let mut h = Harness::new_world();
    // ESME: ECS04a adds £12 (the template's value) to the balance 4.18 reads.
    let esme = premises1::ESME;
    let before = leaf(&meter_balance(&mut h, esme), "MeterBalance");
    update(&mut h, "ECS04a_1.5_SUCCESS_REQUEST_DUIS.XML", esme, None);
    h.restart();
    let after = leaf(&meter_balance(&mut h, esme), "MeterBalance");
    // A few seconds' consumption between the reads.
    assert!(
        (after - before - 1_200_000).abs() < 100,
        "{before} → {after}"
    );
    let credit = credit_remaining(&mut h, esme);
    assert!(
        (credit - after).abs() < 100,
        "4.3 agrees: {credit} against {after}"
    );
    // ECS04b resets it (the template's CreditMode form: the ESME has one balance).
    update(&mut h, "ECS04b_1.5_SUCCESS_REQUEST_DUIS.XML", esme, None);
    h.restart();
    let reset = leaf(&meter_balance(&mut h, esme), "MeterBalance");
    assert!((-100..=0).contains(&reset), "{reset}");

    // GSME: the prepayment mode balance (GCS40a, b) and the credit mode one (GCS40c, d) apart.
    let gsme = premises1::GSME;
    let xml = meter_balance(&mut h, gsme);
    let credit_mode = leaf(&xml, "MeterBalance");
    let prepay = credit_remaining(&mut h, gsme);
    update(&mut h, "GCS40a_1.5_SUCCESS_REQUEST_DUIS.XML", gsme, None);
    update(&mut h, "GCS40c_1.5_SUCCESS_REQUEST_DUIS.XML", gsme, None);
    h.restart();
    let p = credit_remaining(&mut h, gsme);
    assert!((p - prepay - 23_130).abs() < 100, "{prepay} → {p}");
    let c = leaf(&meter_balance(&mut h, gsme), "MeterBalance");
    assert!(
        (c - credit_mode - 5_000_000).abs() < 100,
        "{credit_mode} → {c}"
    );
    update(&mut h, "GCS40d_1.5_SUCCESS_REQUEST_DUIS.XML", gsme, None);
    h.restart();
    assert_eq!(leaf(&meter_balance(&mut h, gsme), "MeterBalance"), 0);
    let p2 = credit_remaining(&mut h, gsme);
    assert!(
        (p2 - p).abs() < 100,
        "the prepayment balance is apart: {p} → {p2}"
    );
    update(&mut h, "GCS40b_1.5_SUCCESS_REQUEST_DUIS.XML", gsme, None);
    assert_eq!(credit_remaining(&mut h, gsme), 0);
}

#[test]
fn a_prepayment_meter_runs_out_of_credit_overnight_and_is_topped_up_in_the_morning() {
    let mut h = Harness::new_world();
    let esme = premises1::ESME;
    advance_to_hour(&mut h, 21);
    // Leave the balance at −£4.50, 50p above the disablement threshold (−£5, the RTDS
    // configuration's): 1.5 takes away the rest.
    let balance = leaf(&meter_balance(&mut h, esme), "MeterBalance");
    update(
        &mut h,
        "ECS04a_1.5_SUCCESS_REQUEST_DUIS.XML",
        esme,
        Some(-450_000 - balance),
    );
    assert_eq!(credit_remaining(&mut h, esme), 0);
    assert_eq!(supply(&h, esme), "Enabled");
    // Below the emergency credit threshold (£1): the emergency credit is available (8119), and
    // below the low credit threshold (£5, 810D), at once.
    assert_eq!(
        alert_codes(&h),
        vec!["8119".to_string(), "810D".to_string()]
    );

    // The night: the credit runs out at its time on the simulated clock (the DCC restarts
    // in between: the meter holds the event in its stored state).
    h.advance(Duration::from_secs(3600));
    assert_eq!(supply(&h, esme), "Enabled", "not yet");
    h.restart();
    let morning = advance_to_hour(&mut h, 7);
    assert_eq!(supply(&h, esme), "Disabled");
    assert_eq!(
        alert_codes(&h),
        vec!["8119".to_string(), "810D".to_string(), "8F0F".to_string()]
    );
    // The disablement happened in the night, when the credit ran out: logged then.
    let log = h.device_state(esme)["event_log"].to_string();
    assert!(log.contains("SupplyChanged"), "{log}");
    // Overnight nothing more was consumed: no credit, the balance below the threshold by the
    // standing charge only.
    assert_eq!(credit_remaining(&mut h, esme), 0);
    let night = leaf(&meter_balance(&mut h, esme), "MeterBalance");
    assert!(
        (-530_000..-500_000).contains(&night),
        "standing charge only: {night}"
    );
    assert_eq!(h.now().hour(), morning.hour());

    // The morning: £10 added through 1.5: armed (not enabled), the button enables it.
    update(
        &mut h,
        "ECS04a_1.5_SUCCESS_REQUEST_DUIS.XML",
        esme,
        Some(1_000_000),
    );
    assert_eq!(supply(&h, esme), "Armed");
    h.restart();
    let b = leaf(&meter_balance(&mut h, esme), "MeterBalance");
    assert!((1_000_000 + night - b).abs() < 200, "{night} + £10 → {b}");
    let credit = credit_remaining(&mut h, esme);
    assert!((credit - b).abs() < 200, "4.3 agrees: {credit} against {b}");
    assert!(h.press_supply_button(esme));
    assert_eq!(supply(&h, esme), "Enabled");
    // The consumption resumes: the balance falls again.
    h.advance(Duration::from_secs(3600));
    let later = leaf(&meter_balance(&mut h, esme), "MeterBalance");
    assert!(later < b - 1_000, "{b} → {later}");
    assert_eq!(supply(&h, esme), "Enabled");
    assert_eq!(alert_codes(&h).len(), 3, "nothing more");
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let mut h = Harness::new_world();
    let esme = premises1::ESME;
    let state = |h: &Harness| h.device_state(esme)["prepay"].clone();
    let before = state(&h);
    // A value out of xs:int: refused by the DCC's parser (no pre-command).
    let (_, a) = cv4(
        &mut h,
        "ECS04a_1.5_SUCCESS_REQUEST_DUIS.XML",
        esme,
        Some(2_147_483_648),
    );
    assert_ne!(a.code.map(|c| c.as_str()), Some("I0"), "{}", a.body);
    // A device that has no meter balance: E11.
    let (_, a) = cv4(
        &mut h,
        "ECS04a_1.5_SUCCESS_REQUEST_DUIS.XML",
        premises1::CHF,
        None,
    );
    assert_eq!(a.code.map(|c| c.as_str()), Some("E11"), "{}", a.body);
    // A pre-command signed with another key than the supplier's: not carried out.
    let (rid, a) = cv4(&mut h, "ECS04a_1.5_SUCCESS_REQUEST_DUIS.XML", esme, None);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I0"), "{}", a.body);
    let signed = h.sign_precommand("distributor", &harness::precommand_of(&a));
    let answer = h.send(&h.sign(SUPPLIER, &harness::cv5_request(&rid, "1.5", &signed)));
    h.run_until_idle();
    let delivered = h.response_for(SUPPLIER, &rid);
    assert!(
        answer.code.map(|c| c.as_str()) != Some("I99")
            || delivered.is_some_and(|d| d.code().as_deref() != Some("I0")),
        "{}",
        answer.body
    );
    assert_eq!(state(&h), before);
}
