//! Families 1 and 2 (prepayment and payment mode) end to end on a simulated clock: a critical
//! write (CV 4 pre-command, the supplier's signature, CV 5) carried to the emulated meter, then
//! the read services showing what it changed, across a restart of the DCC (every command loads
//! the meter's state from the database and stores it back).
//!
//! 2.5 Activate Emergency Credit: before it, 4.3 Read Prepay Values shows no emergency credit;
//! after it, the whole emergency credit limit, then the limit less what the consumption drew
//! from it once the credit ran out, while 4.18 shows the meter balance going below zero.
//!
//! 1.6 Update Payment Mode: the meter switches to prepayment then credit (ESME and GSME), the
//! mode, threshold and suspend-debt settings read back from its stored state across a restart;
//! a future-dated switch is held by the meter and made at its time, with the 8F66 outcome
//! alert delivered to the supplier for the request.
//!
//! 2.3 Update Debt: 4.3 shows the debts written (ECS07, GCS04), read back across a restart, the
//! time-based ones recovering at their rates over simulated hours; a top-up typed at the GSME's
//! keypad after it pays a quarter of itself (the per-payment rate written) towards the
//! payment-based debt, which 4.3 shows falling by that much, and the rest is credit.
//!
//! 1.7 Reset Tariff Block Counter Matrix: 4.1.3 (the ESME's TOU-with-blocks matrix) reads zero
//! after it, then advances with the simulated consumption; 4.1.2's TOU registers are not reset.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use dcc::gateway::Answer;
use gbcs::{Frame, PublicKey};
use harness::{Delivered, Harness, premises1};

const SUPPLIER: &str = "supplier-a";
const DAY: Duration = Duration::from_secs(86_400);

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

/// A critical request: CV 4 (the pre-command, I0), the supplier's signature, CV 5 (I99); the
/// meter's answer delivered.
fn critical(h: &mut Harness, template: &str, srv: &str, target: &str) -> Delivered {
    critical_with(h, template, srv, target, |x| x.to_string())
}

/// [`critical`] with the request's XML changed by `edit`.
fn critical_with(
    h: &mut Harness,
    template: &str,
    srv: &str,
    target: &str,
    edit: impl Fn(&str) -> String,
) -> Delivered {
    let p = h.request(template, SUPPLIER, target);
    let a = h.send(&h.sign(SUPPLIER, &edit(&p.xml)));
    h.return_signed_precommand(SUPPLIER, &p.rid, srv, &a);
    h.run_until_idle();
    h.response_for(SUPPLIER, &p.rid)
        .expect("the meter's answer")
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

/// 4.3 Read Prepay Values: (credit remaining, emergency credit remaining) as the MMC renders
/// them (`MeterBalance`, `EmergencyCreditBalance`).
fn prepay_values(h: &mut Harness, device: &str) -> (i64, i64) {
    let template = if device == premises1::ESME {
        "ECS19_4.3_SUCCESS_REQUEST_DUIS.XML"
    } else {
        "GCS14_4.3_SUCCESS_RELIABLE_GSME_REQUEST_DUIS.XML"
    };
    let r = read(h, template, device);
    let xml = render(h, &r, device, "4.3");
    (
        leaf(&xml, "MeterBalance"),
        leaf(&xml, "EmergencyCreditBalance"),
    )
}

/// 4.18 on the ESME: the meter balance.
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

fn activated_at(h: &Harness, device: &str) -> Option<i64> {
    h.device_state(device)["payment"]["emergency_credit_activated_at"].as_i64()
}

#[test]
fn activated_emergency_credit_is_shown_by_the_prepayment_reads() {
    let mut h = Harness::new_world();
    for (device, template, use_case) in [
        (
            premises1::ESME,
            "ECS09_2.5_SUCCESS_REQUEST_DUIS.XML",
            "ECS09",
        ),
        (
            premises1::GSME,
            "GCS06_2.5_SUCCESS_REQUEST_DUIS.XML",
            "GCS06",
        ),
    ] {
        // Half a day of credit left.
        set_credit(&h, device, 25_000);
        let (credit, emergency) = prepay_values(&mut h, device);
        assert!(credit > 0, "{device}: {credit}");
        assert_eq!(emergency, 0, "{device}: not activated");
        assert_eq!(activated_at(&h, device), None);

        let r = critical(&mut h, template, "2.5", device);
        assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
        h.check_signed(&r.xml);
        let bytes = r.gbcs_payload().expect("the meter's answer");
        let a = Frame::decode(&bytes).unwrap().apdu().clone();
        assert_eq!(a.message_code().use_case(), Some(use_case));
        let xml = render(&h, &r, device, "2.5");
        assert!(xml.contains("ActivateEmergencyCreditRsp"), "{xml}");
        let at = activated_at(&h, device).expect("activated");

        // The DCC restarts: the meter's state is read back from the database.
        h.restart();
        assert_eq!(activated_at(&h, device), Some(at));
        let (_, emergency) = prepay_values(&mut h, device);
        // The configured limit: the ESME's ECS26a £25, the GSME's ZSE £10.
        let limit = if device == premises1::ESME {
            2_500_000
        } else {
            1_000_000
        };
        assert_eq!(emergency, limit, "{device}: the whole limit");

        // A day on, the credit has run out and the consumption since draws on the emergency
        // credit.
        h.advance(DAY);
        let (credit, emergency) = prepay_values(&mut h, device);
        assert_eq!(credit, 0, "{device}");
        assert!(
            (1..limit).contains(&emergency),
            "{device}: drawn, {emergency}"
        );
        if device == premises1::ESME {
            let balance = meter_balance(&mut h);
            assert!(balance < 0, "{balance}");
            // Drawn what the balance lacks (the 4.18 read comes seconds after the 4.3 one).
            let lacks = limit + balance;
            assert!(
                (emergency - lacks).abs() < 1_000,
                "{emergency} against {lacks}"
            );
        }
        assert_eq!(activated_at(&h, device), Some(at), "activated once");
    }
}

/// The values of every `element` of a rendered answer (`<ra:element index="…">v</ra:element>`).
fn values(xml: &str, element: &str) -> Vec<u64> {
    xml.split(&format!("<ra:{element} "))
        .skip(1)
        .map(|part| {
            let v = &part[part.find('>').unwrap() + 1..];
            v[..v.find('<').unwrap()].trim().parse().unwrap()
        })
        .collect()
}

fn block_counters(h: &mut Harness) -> Vec<u64> {
    let r = read(h, "ECS17e_4.1.3_SUCCESS_REQUEST_DUIS.XML", premises1::ESME);
    let v = values(
        &render(h, &r, premises1::ESME, "4.1.3"),
        "RegisterMatrixTOUValue",
    );
    assert!(!v.is_empty());
    v
}

fn import_register(h: &Harness, at: i64) -> u64 {
    let m: devices::Metering =
        serde_json::from_value(h.device_state(premises1::ESME)["metering"].clone()).unwrap();
    m.register(devices::Channel::ActiveImport, at)
}

#[test]
fn reset_block_counters_read_zero_then_advance() {
    let mut h = Harness::new_world();
    h.advance(DAY);
    let before: u64 = block_counters(&mut h).iter().sum();
    assert!(before > 0, "a day of consumption in the blocks");

    let r = critical(
        &mut h,
        "ECS05_1.7_SUCCESS_REQUEST_DUIS.XML",
        "1.7",
        premises1::ESME,
    );
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    h.check_signed(&r.xml);
    let xml = render(&h, &r, premises1::ESME, "1.7");
    assert!(xml.contains("ResetTariffBlockCounterMatrixRsp"), "{xml}");
    let at = h.device_state(premises1::ESME)["payment"]["block_counters_reset_at"]
        .as_i64()
        .expect("reset");

    // Across a restart of the DCC, the counters count from the reset: (almost) nothing yet,
    // the few seconds of the read's own round trip.
    h.restart();
    let just_after: u64 = block_counters(&mut h).iter().sum();
    let now = h.now().unix_timestamp();
    assert!(just_after < before / 100, "{just_after} against {before}");
    assert!(now - at < 60);

    // Six hours of simulated consumption later: exactly the consumption since the reset.
    h.advance(Duration::from_secs(6 * 3600));
    let counters = block_counters(&mut h);
    let since = import_register(&h, h.now().unix_timestamp()) - import_register(&h, at);
    assert!(since > 0);
    let sum: u64 = counters.iter().sum();
    // The read reaches the meter seconds after h.now() was taken: a few Wh at most.
    assert!(sum >= since && sum - since < 20, "{sum} against {since}");

    // The TOU registers (4.1.2) still count from installation.
    let r = read(
        &mut h,
        "ECS17d_4.1.2_SINGLE_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
    );
    let tou: u64 = values(
        &render(&h, &r, premises1::ESME, "4.1.2"),
        "TOUPrimaryRegisterValue",
    )
    .iter()
    .sum();
    assert!(tou > before, "{tou} against {before}");
}

/// 4.3 Read Prepay Values: (time-based debt 1, time-based debt 2, payment-based debt) as the
/// MMC renders them.
fn debts(h: &mut Harness, device: &str) -> [i64; 3] {
    let template = if device == premises1::ESME {
        "ECS19_4.3_SUCCESS_REQUEST_DUIS.XML"
    } else {
        "GCS14_4.3_SUCCESS_RELIABLE_GSME_REQUEST_DUIS.XML"
    };
    let r = read(h, template, device);
    let xml = render(h, &r, device, "4.3");
    [
        leaf(&xml, "TimeDebtRegister1"),
        leaf(&xml, "TimeDebtRegister2"),
        leaf(&xml, "PaymentDebtRegister"),
    ]
}

#[test]
fn updated_debt_recovers_over_simulated_hours_across_a_restart() {
    let mut h = Harness::new_world();
    // The templates' debts: ESME 300 and 150 recovered at 30p and £1.50 a day, 500 by
    // payment; GSME 1 000 000 at 50 000 a day, 500 000 at 50 000 an hour, 1 000 000 by
    // payment.
    // Tolerance: the reads reach the meter seconds after the simulated instant they are taken
    // at (the GSME's second debt recovers about 14 a second).
    for (device, template, use_case, at_update, half_day, tolerance) in [
        (
            premises1::ESME,
            "ECS07_2.3_SUCCESS_REQUEST_DUIS.XML",
            "ECS07",
            [30_000, 15_000, 50_000],
            [15_000, 0, 50_000],
            100,
        ),
        (
            premises1::GSME,
            "GCS04_2.3_SUCCESS_REQUEST_DUIS.XML",
            "GCS04",
            [1_000_000, 500_000, 1_000_000],
            [975_000, 0, 1_000_000],
            2_000,
        ),
    ] {
        assert_eq!(debts(&mut h, device), [0, 0, 0], "{device}: no debt yet");
        let r = critical(&mut h, template, "2.3", device);
        assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
        h.check_signed(&r.xml);
        let bytes = r.gbcs_payload().expect("the meter's answer");
        let a = Frame::decode(&bytes).unwrap().apdu().clone();
        assert_eq!(a.message_code().use_case(), Some(use_case));
        let xml = render(&h, &r, device, "2.3");
        assert!(xml.contains("UpdateDebtRsp"), "{xml}");

        // The DCC restarts: the meter's debt is read back from the database.
        h.restart();
        let state = h.device_state(device);
        let registers: Vec<i64> = state["debt"]["registers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        assert_eq!(registers, at_update, "{device}");
        let now = debts(&mut h, device);
        for (got, want) in now.iter().zip(at_update) {
            assert!(
                (want - got).abs() < tolerance,
                "{device}: {now:?} against {at_update:?}"
            );
        }

        // Half a day on, the time-based debts have recovered at their rates (the second one
        // entirely), the payment-based debt is untouched.
        h.advance(DAY / 2);
        let later = debts(&mut h, device);
        for (got, want) in later.iter().zip(half_day) {
            assert!(
                (want - got).abs() < tolerance,
                "{device}: {later:?} against {half_day:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 1.6 Update Payment Mode.

fn payment_mode(h: &Harness, device: &str) -> serde_json::Value {
    h.device_state(device)["payment_mode"].clone()
}

/// A 1.6 request from a template with its `ExecutionDateTime` set (or the template's), through
/// CV 4 and 5; the meter's answer (I0) rendered as `UpdatePaymentModeRsp`.
fn update_payment_mode(h: &mut Harness, template: &str, device: &str, at: Option<&str>) -> String {
    let p = h.request(template, SUPPLIER, device);
    let xml = match at {
        Some(t) => harness::set_text(&p.xml, "ExecutionDateTime", t),
        None => p.xml.clone(),
    };
    let a = h.send(&h.sign(SUPPLIER, &xml));
    h.return_signed_precommand(SUPPLIER, &p.rid, "1.6", &a);
    if at.is_some() {
        // Not until idle: that would run the clock on to the held switch's time.
        h.advance(Duration::from_secs(5));
    } else {
        h.run_until_idle();
    }
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .expect("the meter's answer");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    h.check_signed(&r.xml);
    let xml = render(h, &r, device, "1.6");
    assert!(xml.contains("UpdatePaymentModeRsp"), "{xml}");
    p.rid
}

#[test]
fn payment_mode_switches_and_reads_back_across_a_restart() {
    let mut h = Harness::new_world();
    for (device, prepay, credit, threshold) in [
        (
            premises1::ESME,
            "ECS03_1.6_IMMEDIATE_SINGLE_SUCCESS_REQUEST_DUIS.XML",
            "ECS02_1.6_IMMEDIATE_SINGLE_SUCCESS_REQUEST_DUIS.XML",
            556_677,
        ),
        (
            premises1::GSME,
            "GCS03_1.6_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
            "GCS02_1.6_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
            0,
        ),
    ] {
        update_payment_mode(&mut h, prepay, device, None);
        let pm = payment_mode(&h, device);
        assert_eq!(pm["credit"], false, "{device}");
        assert_eq!(pm["disablement_threshold"], threshold, "{device}");
        update_payment_mode(&mut h, credit, device, None);
        h.restart();
        let pm = payment_mode(&h, device);
        assert_eq!(pm["credit"], true, "{device}: credit after the restart");
        assert_eq!(pm["disablement_threshold"], threshold, "{device}");
    }
}

#[test]
fn a_future_dated_payment_mode_switch_is_made_at_its_time() {
    use time::format_description::well_known::Rfc3339;
    let mut h = Harness::new_world();
    for (device, template) in [
        (
            premises1::GSME,
            "GCS02_1.6_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML",
        ),
        (
            premises1::ESME,
            "ECS02_1.6_FUTURE_DATED_TWIN_SUCCESS_REQUEST_DUIS.XML",
        ),
    ] {
        assert_eq!(payment_mode(&h, device)["credit"], false, "{device}");
        let at = (h.now() + Duration::from_secs(3600))
            .format(&Rfc3339)
            .unwrap();
        let rid = update_payment_mode(&mut h, template, device, Some(&at));
        assert_eq!(payment_mode(&h, device)["credit"], false, "{device}: held");
        let alerts = |h: &Harness| {
            h.delivered_to(SUPPLIER)
                .into_iter()
                .filter(|d| {
                    d.xml.contains("FutureDatedDeviceAlertMessage")
                        && d.request_id().as_deref() == Some(rid.as_str())
                })
                .collect::<Vec<_>>()
        };
        assert!(alerts(&h).is_empty());
        h.restart();
        h.advance(Duration::from_secs(3700));
        assert_eq!(
            payment_mode(&h, device)["credit"],
            true,
            "{device}: switched"
        );
        let got = alerts(&h);
        assert_eq!(got.len(), 1, "{device}: {got:#?}");
        assert_eq!(
            harness::element_text(&got[0].xml, "FutureDatedAlertCode").as_deref(),
            Some("8F66")
        );
    }
}

/// The supplier's UTRN number `n` (counter `n` × 2³²) of `pence` for `device`.
fn token(h: &Harness, device: &str, n: u64, pence: u16) -> String {
    let (_, ka) = h.user_ka(SUPPLIER);
    let meter = PublicKey::from_certificate_der(&h.device_cert(device, "ka")).unwrap();
    gbcs::utrn::build(
        &ka,
        &meter,
        h.user_eui(SUPPLIER),
        device.parse().unwrap(),
        n << 32,
        gbcs::utrn::ValueClass::Pennies,
        pence,
    )
    .unwrap()
}

#[test]
fn a_top_up_after_the_debt_update_recovers_its_share_of_the_payment_based_debt() {
    let mut h = Harness::new_world();
    let device = premises1::GSME;
    // £20 of credit: room below the maximum meter balance for the top-up.
    set_credit(&h, device, 2_000_000);
    // The template's debts (payment-based £10), a quarter of each payment recovering it.
    let r = critical_with(
        &mut h,
        "GCS04_2.3_SUCCESS_REQUEST_DUIS.XML",
        "2.3",
        device,
        |x| harness::set_text(x, "DebtRecoveryPerPayment", "2500"),
    );
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    assert_eq!(h.device_state(device)["debt"]["per_payment"], 2500);
    h.advance(Duration::from_secs(60));
    let [_, _, payment_debt] = debts(&mut h, device);
    assert_eq!(payment_debt, 1_000_000);
    let (before, _) = prepay_values(&mut h, device);

    // £20 typed at the keypad (the GSME's cap, £10 a week, allows the £5).
    let u = token(&h, device, 3, 2000);
    h.enter_utrn(device, &u);
    h.run_until_idle();
    h.restart();
    let [_, _, payment_debt] = debts(&mut h, device);
    assert_eq!(payment_debt, 500_000, "a quarter of £20 recovered");
    let (after, _) = prepay_values(&mut h, device);
    // £15 credit; the time-based debts recover about 14 a second meanwhile.
    assert!(
        (after - (before + 1_500_000)).abs() < 2_000,
        "balance {after}, before {before}"
    );

    // Typed again: refused, nothing recovered.
    h.enter_utrn(device, &u);
    h.run_until_idle();
    let [_, _, payment_debt] = debts(&mut h, device);
    assert_eq!(payment_debt, 500_000);
}
