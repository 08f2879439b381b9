//! 2.2 Top Up Device end to end on the simulated clock: the supplier builds a UTRN for its
//! meter (`gbcs::utrn`, its key-agreement key and the meter's KA certificate from the SMKI
//! repository), sends it in the 2.2 request (CS01a to the ESME), the meter accepts it once and
//! 4.18 shows the balance up by its value, across a restart of the DCC; the same UTRN replayed
//! in a new request is refused by the meter, with the 0x8F51 alert to the supplier, and nothing
//! changes; a UTRN for another meter (0x8F63) and one below the counter window (0x8F51) are
//! refused alike. The consumer types a UTRN at the GSME's keypad: credit added, the 0x810E
//! alert to the supplier; typed again, refused. A meter whose credit ran out overnight is topped
//! up in the morning: 4.18 goes from below zero to above it, by the top-up.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use dcc::gateway::Answer;
use gbcs::utrn::{self, ValueClass};
use gbcs::{Frame, PublicKey};
use harness::{Delivered, Harness, element_text, premises1, set_text};

const SUPPLIER: &str = "supplier-a";
const TEMPLATE: &str = "CS01a_2.2_SUCCESS_REQUEST_DUIS.XML";

fn acknowledged(a: &Answer) {
    assert_eq!(a.http_status, 200, "{}", a.body);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
}

/// The supplier's UTRN number `n` (counter `n` × 2³²) of `pence` for `device`.
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

/// Sends 2.2 with `utrn` to the ESME; the meter's answer.
fn top_up(h: &mut Harness, utrn: &str) -> Delivered {
    let p = h.request(TEMPLATE, SUPPLIER, premises1::ESME);
    let xml = set_text(&p.xml, "UTRN", utrn);
    let a = h.send(&h.sign(SUPPLIER, &xml));
    acknowledged(&a);
    h.run_until_idle();
    h.response_for(SUPPLIER, &p.rid)
        .expect("the meter's answer")
}

/// 4.18 on the ESME: the meter balance (10⁻⁵ GBP).
fn meter_balance(h: &mut Harness) -> i64 {
    let (p, a) = h.device_request(
        SUPPLIER,
        "ECS82_4.18_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
    );
    acknowledged(&a);
    h.run_until_idle();
    let r = h.response_for(SUPPLIER, &p.rid).expect("a response");
    let bytes = r.gbcs_payload().expect("the device's answer");
    match Frame::decode(&bytes).unwrap().apdu().payload() {
        gbcs::Payload::AccessResponse(a) => match a.data[..] {
            [gbcs::axdr::Data::DoubleLong(v)] => i64::from(v),
            ref other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

/// The alert codes delivered to the supplier so far.
fn alerts(h: &Harness) -> Vec<String> {
    h.delivered_to(SUPPLIER)
        .into_iter()
        .filter(|d| d.kind == "alert")
        .filter_map(|d| element_text(&d.xml, "AlertCode"))
        .collect()
}

fn top_ups(h: &Harness, device: &str) -> serde_json::Value {
    h.device_state(device)["top_ups"].clone()
}

/// The balance moves only with consumption between two close reads (≤ 1p).
fn about(actual: i64, expected: i64) {
    assert!(
        (actual - expected).abs() <= 1000,
        "balance {actual}, expected about {expected}"
    );
}

#[test]
fn a_utrn_credits_the_meter_once_and_replays_are_refused() {
    let mut h = Harness::new_world();
    // £20: room below the maximum meter balance (£100) for the top-ups.
    set_credit(&h, 2_000_000);
    let before = meter_balance(&mut h);
    let u = token(&h, premises1::ESME, 3, 1250);
    let r = top_up(&mut h, &u);
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    assert_eq!(
        top_ups(&h, premises1::ESME)["accepted"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // £12.50 on the balance, read back after a restart of the DCC.
    h.restart();
    about(meter_balance(&mut h), before + 1_250_000);
    assert!(alerts(&h).is_empty(), "{:?}", alerts(&h));

    // The same UTRN in a new request: the meter refuses it, 0x8F51, nothing changes.
    let state = top_ups(&h, premises1::ESME);
    let balance = meter_balance(&mut h);
    let r = top_up(&mut h, &u);
    assert_ne!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    assert_eq!(alerts(&h), ["8F51"]);
    assert_eq!(top_ups(&h, premises1::ESME), state);
    about(meter_balance(&mut h), balance);

    // A UTRN for the GSME sent to the ESME: not authentic.
    let for_gsme = token(&h, premises1::GSME, 4, 500);
    let r = top_up(&mut h, &for_gsme);
    assert_ne!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    assert_eq!(alerts(&h), ["8F51", "8F63"]);
    assert_eq!(top_ups(&h, premises1::ESME), state);

    // UTRN 2 (issued before 3, never used): below the window the meter keeps, refused.
    let old = token(&h, premises1::ESME, 2, 500);
    let r = top_up(&mut h, &old);
    assert_ne!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    assert_eq!(alerts(&h), ["8F51", "8F63", "8F51"]);
    assert_eq!(top_ups(&h, premises1::ESME), state);
    about(meter_balance(&mut h), balance);

    // UTRN 5 is good.
    let five = token(&h, premises1::ESME, 5, 100);
    let r = top_up(&mut h, &five);
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    about(meter_balance(&mut h), balance + 100_000);
}

#[test]
fn a_utrn_typed_at_the_keypad_adds_credit_locally_once() {
    let mut h = Harness::new_world();
    set_credit_of(&h, premises1::GSME, 2_000_000);
    let u = token(&h, premises1::GSME, 7, 2000);
    h.enter_utrn(premises1::GSME, &u);
    h.run_until_idle();
    let accepted = top_ups(&h, premises1::GSME)["accepted"].clone();
    assert_eq!(accepted.as_array().unwrap().len(), 1, "{accepted}");
    assert_eq!(accepted[0]["amount"], 2_000_000);
    assert_eq!(accepted[0]["source"], "Keypad");
    assert_eq!(alerts(&h), ["810E"]);
    // Typed again: refused, 0x8F51, nothing credited.
    h.enter_utrn(premises1::GSME, &u);
    h.run_until_idle();
    assert_eq!(alerts(&h), ["810E", "8F51"]);
    assert_eq!(top_ups(&h, premises1::GSME)["accepted"], accepted);
}

/// Sets the ESME's prepayment credit now in its stored state (as an operator's tool would), so
/// that it runs out within the test.
fn set_credit(h: &Harness, credit: i64) {
    set_credit_of(h, premises1::ESME, credit);
}

/// [`set_credit`] for any meter.
fn set_credit_of(h: &Harness, device: &str, credit: i64) {
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

#[test]
fn a_meter_out_of_credit_overnight_is_topped_up_in_the_morning() {
    let mut h = Harness::new_world();
    // 10p of credit in the evening; by the morning the consumption has taken it below zero.
    set_credit(&h, 10_000);
    h.advance(std::time::Duration::from_secs(12 * 3600));
    let morning = meter_balance(&mut h);
    assert!(morning < 0, "{morning}");
    // £5 from a UTRN: the balance is back above zero, by exactly the top-up.
    let u = token(&h, premises1::ESME, 9, 500);
    let r = top_up(&mut h, &u);
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let after = meter_balance(&mut h);
    about(after, morning + 500_000);
    assert!(after > 0, "{after}");
}
