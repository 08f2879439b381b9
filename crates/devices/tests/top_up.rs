//! 2.2 Top Up Device on the emulated meters (CS01a on the ESME, CS01b on the GSME) and UTRN
//! entry at the keypad: a UTRN built from the supplier's key for the meter is accepted once and
//! adds its value to the meter balance; replayed (in a new command or at the keypad), for
//! another meter, below the counter window or beyond its reach, it is refused with its alert and
//! nothing changes; answers have the RTDS SUCCESS and ERROR vectors' layouts.

#![allow(clippy::unwrap_used)]

mod common;

use common::{
    ESME, GSME, Party, World, assert_failure_like_rtds, assert_same_structure, open, rtds,
};
use devices::top_up::{TopUpOutcome, TopUpRefusal, TopUpSource, UTRN_COUNTER_CACHE};
use devices::{Channel, DeviceKind, EmulatedDevice, Outcome, Reply};
use gbcs::Frame;
use gbcs::usecases::{self, CommandHeader, TopUp};
use gbcs::utrn::{self, ValueClass};

/// A UTRN from `supplier` for `dev`.
fn token(supplier: &Party, dev: &EmulatedDevice, n: u64, class: ValueClass, value: u16) -> String {
    utrn::build(
        &supplier.ka,
        dev.ka_public_key().unwrap().key(),
        supplier.eui,
        dev.eui(),
        n << 32,
        class,
        value,
    )
    .unwrap()
}

/// The CS01a / CS01b command carrying `utrn`, frame counter `counter`.
fn command(w: &World, dev: &EmulatedDevice, counter: u64, utrn: &str) -> Vec<u8> {
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), counter);
    let t = TopUp::new(utrn).unwrap();
    let apdu = match dev.kind() {
        DeviceKind::Esme => usecases::cs01a_apply_prepayment_top_up(&h, &t),
        _ => usecases::cs01b_apply_prepayment_top_up(&h, &t).unwrap(),
    };
    w.wan(apdu, dev)
}

fn balance(dev: &EmulatedDevice, t: i64) -> i64 {
    let s = dev.state();
    let ch = match dev.kind() {
        DeviceKind::Esme => Channel::ActiveImport,
        _ => Channel::GasVolume,
    };
    s.instantaneous
        .balance_with_debt(&s.metering, ch, t, &s.debt, &s.prepay)
}

fn alert_codes(w: &World, dev: &EmulatedDevice, reply: &Reply) -> Vec<u16> {
    reply
        .alerts
        .iter()
        .map(|a| {
            let apdu = open(a, dev, &w.supplier);
            gbcs::alerts::decode_alert_apdu(
                &apdu,
                matches!(Frame::decode(a), Ok(Frame::Ciphered(_))),
            )
            .unwrap()
            .alert_code
            .0
        })
        .collect()
}

/// A meter with £20 of credit: room below the maximum meter balance (£100, the RTDS
/// configuration) for the top-ups these tests enter.
fn meter(w: &World, kind: DeviceKind, eui: u64) -> EmulatedDevice {
    let mut dev = w.device(kind, eui);
    dev.state_mut().instantaneous.prepayment.credit = 2_000_000;
    dev
}

fn dir_of(dev: &EmulatedDevice) -> (&'static str, &'static str) {
    match dev.kind() {
        DeviceKind::Esme => ("2.2_CS01a", "CS01a_2.2"),
        _ => ("2.2_CS01b", "CS01b_2.2"),
    }
}

/// Sends a command that must be accepted: the RTDS SUCCESS layout, no alert.
fn accepted(w: &World, dev: &mut EmulatedDevice, counter: u64, utrn: &str) {
    let wan = command(w, dev, counter, utrn);
    let reply = dev.handle(&wan, w.now);
    assert!(
        matches!(reply.outcome, Outcome::Executed { success: true, .. }),
        "{utrn}: {:?}",
        reply.outcome
    );
    assert!(reply.alerts.is_empty());
    let (dir, stem) = dir_of(dev);
    assert_same_structure(
        &reply.response.unwrap(),
        &rtds(dir, &format!("{stem}_SUCCESS_RESPONSE_GBCS.HEX")),
        utrn,
    );
}

/// Sends a command that must be refused by the meter with `alert`: the RTDS ERROR layout, and
/// nothing but the log and the counters changes.
fn refused(w: &World, dev: &mut EmulatedDevice, counter: u64, utrn: &str, alert: u16) {
    let before = dev.state().top_ups.clone();
    let balance_before = balance(dev, w.now.to_unix());
    let wan = command(w, dev, counter, utrn);
    let reply = dev.handle(&wan, w.now);
    assert!(
        matches!(reply.outcome, Outcome::Executed { success: false, .. }),
        "{utrn}: {:?}",
        reply.outcome
    );
    assert_eq!(alert_codes(w, dev, &reply), [alert], "{utrn}");
    let (dir, stem) = dir_of(dev);
    let response = reply.response.unwrap();
    if dev.kind() == DeviceKind::Esme || alert == 0x8F63 {
        assert_failure_like_rtds(&response, dir, &format!("{stem}_ERROR_RESPONSE_GBCS.HEX"));
    }
    assert_eq!(dev.state().top_ups, before, "{utrn}");
    assert_eq!(balance(dev, w.now.to_unix()), balance_before, "{utrn}");
}

#[test]
fn a_utrn_is_accepted_once_and_credits_the_balance() {
    let w = World::new();
    for kind in [DeviceKind::Esme, DeviceKind::Gsme] {
        let mut dev = meter(&w, kind, if kind == DeviceKind::Esme { ESME } else { GSME });
        let t = w.now.to_unix();
        let before = balance(&dev, t);
        let u = token(&w.supplier, &dev, 3, ValueClass::Pounds, 10);
        accepted(&w, &mut dev, 3 << 32, &u);
        // £10 = 1,000,000 × 10⁻⁵ GBP, from now on.
        assert_eq!(balance(&dev, t), before + 1_000_000);
        assert_eq!(balance(&dev, t - 1), before);
        let s = &dev.state().top_ups;
        assert_eq!(s.counters, [3 << 32]);
        assert_eq!(s.accepted.len(), 1);
        assert_eq!(s.accepted[0].source, TopUpSource::Remote);
        // Replayed in a new command (a new frame counter): a duplicate.
        refused(&w, &mut dev, (3 << 32) + 1, &u, 0x8F51);
        // A second UTRN in pennies.
        let u2 = token(&w.supplier, &dev, 4, ValueClass::Pennies, 1250);
        accepted(&w, &mut dev, 4 << 32, &u2);
        assert_eq!(balance(&dev, t), before + 1_000_000 + 1_250_000);
    }
}

#[test]
fn a_utrn_for_another_meter_or_altered_is_not_authentic() {
    let w = World::new();
    let mut esme = meter(&w, DeviceKind::Esme, ESME);
    let gsme = meter(&w, DeviceKind::Gsme, GSME);
    let for_gsme = token(&w.supplier, &gsme, 3, ValueClass::Pounds, 10);
    refused(&w, &mut esme, 3 << 32, &for_gsme, 0x8F63);
    // Another supplier's key.
    let other = Party::new(0x90b3_d51f_3003_0000);
    let u = utrn::build(
        &other.ka,
        esme.ka_public_key().unwrap().key(),
        w.supplier.eui,
        esme.eui(),
        3 << 32,
        ValueClass::Pounds,
        10,
    )
    .unwrap();
    refused(&w, &mut esme, 4 << 32, &u, 0x8F63);
    // Twenty digits that are no token (the RTDS CS01b ERROR vector's), and a value changed
    // with the check digit made good.
    refused(&w, &mut esme, 5 << 32, "12345678910121314156", 0x8F63);
    let good = token(&w.supplier, &esme, 3, ValueClass::Pounds, 10);
    let mut p = utrn::Ptut::parse(&good).unwrap();
    p.value = 99;
    refused(&w, &mut esme, 6 << 32, &p.to_utrn().unwrap(), 0x8F63);
    // The good one still works.
    accepted(&w, &mut esme, 7 << 32, &good);
}

#[test]
fn the_counter_window() {
    let w = World::new();
    let mut dev = meter(&w, DeviceKind::Esme, ESME);
    // UTRNs 20 to 30 accepted: the cache keeps the highest ten, 21 to 30.
    for n in 20..=30u64 {
        let u = token(&w.supplier, &dev, n, ValueClass::Pennies, 1);
        accepted(&w, &mut dev, n << 32, &u);
    }
    let cache: Vec<u64> = (21..=30).map(|n| n << 32).collect();
    assert_eq!(dev.state().top_ups.counters, cache);
    assert_eq!(cache.len(), UTRN_COUNTER_CACHE);
    // Below the window: never used, but older than the lowest remembered.
    let old = token(&w.supplier, &dev, 19, ValueClass::Pennies, 1);
    refused(&w, &mut dev, 100 << 32, &old, 0x8F51);
    // 20 was used and has left the cache: refused all the same.
    let used = token(&w.supplier, &dev, 20, ValueClass::Pennies, 1);
    refused(&w, &mut dev, 101 << 32, &used, 0x8F51);
    // Within the window, out of order: 40, then 35.
    for (frame, n) in [(200u64, 40u64), (201, 35)] {
        let u = token(&w.supplier, &dev, n, ValueClass::Pennies, 1);
        accepted(&w, &mut dev, frame << 32, &u);
    }
    // Beyond the reach of ten bits: 1024 counters above the lowest remembered.
    let far = token(&w.supplier, &dev, 23 + 1024, ValueClass::Pennies, 1);
    refused(&w, &mut dev, 300 << 32, &far, 0x8F63);
}

#[test]
fn keypad_entry_adds_credit_locally_once() {
    let w = World::new();
    for (kind, eui) in [(DeviceKind::Esme, ESME), (DeviceKind::Gsme, GSME)] {
        let mut dev = meter(&w, kind, eui);
        let t = w.now.to_unix();
        let before = balance(&dev, t);
        let u = token(&w.supplier, &dev, 8, ValueClass::Pounds, 5);
        let (outcome, reply) = dev.enter_utrn(&u, w.now).unwrap();
        assert_eq!(
            outcome,
            TopUpOutcome::Accepted {
                amount: 500_000,
                counter: 8 << 32
            }
        );
        assert_eq!(reply.outcome, Outcome::Event);
        assert!(reply.state_changed);
        assert_eq!(alert_codes(&w, &dev, &reply), [0x810E]);
        assert_eq!(balance(&dev, t), before + 500_000);
        assert_eq!(dev.state().top_ups.accepted[0].source, TopUpSource::Keypad);
        // Typed again: a duplicate, nothing changes.
        let (outcome, reply) = dev.enter_utrn(&u, w.now).unwrap();
        assert_eq!(outcome, TopUpOutcome::Refused(TopUpRefusal::Duplicate));
        assert_eq!(alert_codes(&w, &dev, &reply), [0x8F51]);
        assert_eq!(balance(&dev, t), before + 500_000);
        // And sent over the WAN: a duplicate too.
        refused(&w, &mut dev, 9 << 32, &u, 0x8F51);
        // A typing error: the check digit catches it.
        let mut typo = u.clone().into_bytes();
        typo[5] = if typo[5] == b'0' { b'1' } else { b'0' };
        let (outcome, _) = dev
            .enter_utrn(std::str::from_utf8(&typo).unwrap(), w.now)
            .unwrap();
        assert_eq!(outcome, TopUpOutcome::Refused(TopUpRefusal::NotAToken));
    }
    // Only meters take UTRNs.
    let mut chf = w.device(DeviceKind::Chf, 0x00db_1234_5678_90a2);
    assert!(chf.enter_utrn("73946144332040217315", w.now).is_err());
}

#[test]
fn the_gsme_answers_the_value_and_credit_remaining() {
    let w = World::new();
    let mut dev = meter(&w, DeviceKind::Gsme, GSME);
    let u = token(&w.supplier, &dev, 6, ValueClass::Pennies, 1250);
    let wan = command(&w, &dev, 6 << 32, &u);
    let reply = dev.handle(&wan, w.now);
    let resp = open(&reply.response.unwrap(), &dev, &w.supplier);
    let outcome = usecases::decode_response(resp.message_code(), &resp.content).unwrap();
    let usecases::ResponseOutcome::Success(usecases::ResponseValue::TopUp(r)) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(r.value, 1_250_000);
    let credit = balance(&dev, w.now.to_unix());
    assert_eq!(i64::from(r.credit_remaining), credit);
    // A duplicate: result 2, no values.
    let wan = command(&w, &dev, 7 << 32, &u);
    let reply = dev.handle(&wan, w.now);
    let resp = open(&reply.response.unwrap(), &dev, &w.supplier);
    assert_eq!(
        usecases::decode_response(resp.message_code(), &resp.content).unwrap(),
        usecases::ResponseOutcome::Failure(usecases::Failure::Result { code: 2 })
    );
}

#[test]
fn a_meter_holding_the_supplier_prepayment_key_verifies_with_it_alone() {
    let w = World::new();
    let mut dev = meter(&w, DeviceKind::Esme, ESME);
    // The supplier's prepayment key, installed as the meter's prepayment top-up anchor.
    let prepayment = Party::new(common::SUPPLIER);
    dev.state_mut().top_ups.supplier_prepayment_ka =
        Some(prepayment.ka.public_key().unwrap().into());
    // A UTRN MAC'd with the supplier's ordinary key-agreement key is not authentic now.
    let ordinary = token(&w.supplier, &dev, 3, ValueClass::Pounds, 10);
    refused(&w, &mut dev, 3 << 32, &ordinary, 0x8F63);
    // One from the prepayment key is credited.
    let good = token(&prepayment, &dev, 3, ValueClass::Pounds, 10);
    accepted(&w, &mut dev, 4 << 32, &good);
    assert_eq!(dev.state().top_ups.accepted.len(), 1);
}

#[test]
fn a_top_up_above_the_maximum_credit_threshold_or_meter_balance_is_refused() {
    let w = World::new();
    for kind in [DeviceKind::Esme, DeviceKind::Gsme] {
        let mut dev = meter(&w, kind, if kind == DeviceKind::Esme { ESME } else { GSME });
        // The maximum credit threshold is £50 on both (RTDS ECS26a / GCS21b): £60 is refused,
        // 0x8F5B, nothing changes, and the counter is not used up.
        let u = token(&w.supplier, &dev, 3, ValueClass::Pounds, 60);
        refused(&w, &mut dev, 3 << 32, &u, 0x8F5B);
        // £20 of credit, a £100 maximum meter balance: £50 is accepted, then another £40
        // would take the balance to £110: refused, 0x8F47.
        let t = w.now.to_unix();
        let before = balance(&dev, t);
        let u = token(&w.supplier, &dev, 4, ValueClass::Pounds, 50);
        accepted(&w, &mut dev, 4 << 32, &u);
        assert_eq!(balance(&dev, t), before + 5_000_000);
        let u = token(&w.supplier, &dev, 5, ValueClass::Pounds, 40);
        refused(&w, &mut dev, 5 << 32, &u, 0x8F47);
        // £30 fits exactly.
        let u = token(&w.supplier, &dev, 6, ValueClass::Pounds, 30);
        accepted(&w, &mut dev, 6 << 32, &u);
        assert_eq!(balance(&dev, t), 10_000_000, "{kind:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// The payment-based debt (2.3) recovered from the payments.

use devices::reads::payment::{DebtState, DebtUpdate, Payments};

const DAY: i64 = 86_400;
const WEEK: i64 = 7 * DAY;

/// `dev`'s balance at `t`, the debts paid from it (the payments' share included), and its
/// debt registers.
fn paid(dev: &EmulatedDevice, t: i64) -> (i64, [i64; 3]) {
    let s = dev.state();
    let l = dev.prepay_limits();
    let p = Payments {
        payments: &s.top_ups.accepted,
        cap: l.debt_recovery_cap,
        cap_period: l.debt_recovery_cap_period,
    };
    let ch = match dev.kind() {
        DeviceKind::Esme => Channel::ActiveImport,
        _ => Channel::GasVolume,
    };
    (
        s.instantaneous
            .balance_paid(&s.metering, ch, t, (&s.debt, &p), &s.prepay),
        s.debt
            .registers_paid(t, s.instantaneous.prepayment.debts, &p),
    )
}

/// A meter whose payment-based debt was set to `debt` a minute before `w.now`, `per_payment`
/// of each payment recovering it, the cap `cap` a week.
fn indebted(w: &World, kind: DeviceKind, debt: i64, per_payment: u16, cap: i64) -> EmulatedDevice {
    let mut dev = meter(w, kind, if kind == DeviceKind::Esme { ESME } else { GSME });
    let s = dev.state_mut();
    match kind {
        DeviceKind::Esme => {
            s.reads.prepayment.debt_recovery_rate_cap = u16::try_from(cap).unwrap();
            s.reads.prepayment.debt_recovery_cap_period = 604_800;
        }
        _ => assert!(
            s.reads
                .gas_tariff
                .set_prepayment_value(devices::reads::gas_tariff::ZSE_OVERALL_DEBT_CAP, cap)
        ),
    }
    let mut d = DebtState::default();
    d.update(
        &DebtUpdate {
            amounts: [(0, true), (0, true), (debt, true)],
            rates: [0, 0],
            periods: [0, 0],
            per_payment,
        },
        w.now.to_unix() - 60,
        [0; 3],
    );
    s.debt = d;
    dev
}

fn at(t: i64) -> gbcs::UtcDateTime {
    gbcs::UtcDateTime::from_unix(t).unwrap()
}

#[test]
fn a_quarter_of_each_top_up_recovers_the_payment_based_debt_and_the_rest_is_credit() {
    let w = World::new();
    for kind in [DeviceKind::Esme, DeviceKind::Gsme] {
        let mut dev = indebted(&w, kind, 1_000_000, 2_500, 60_000);
        let t = w.now.to_unix();
        let (before, debts) = paid(&dev, t);
        assert_eq!(debts, [0, 0, 1_000_000]);
        // £2 by WAN: £0.50 to the debt, £1.50 credit.
        let u = token(&w.supplier, &dev, 3, ValueClass::Pennies, 200);
        accepted(&w, &mut dev, 3 << 32, &u);
        assert_eq!(
            paid(&dev, t),
            (before + 150_000, [0, 0, 950_000]),
            "{kind:?}"
        );
        assert_eq!(paid(&dev, t - 1), (before, [0, 0, 1_000_000]));
        // Replayed: refused, nothing recovered.
        refused(&w, &mut dev, (3 << 32) + 1, &u, 0x8F51);
        assert_eq!(paid(&dev, t), (before + 150_000, [0, 0, 950_000]));
        // A 1.5 adjustment is the supplier's correction, not a payment: all credit.
        dev.credit_added(100_000, None, at(t + 10)).unwrap();
        let (b, d) = paid(&dev, t + 10);
        assert_eq!(d, [0, 0, 950_000]);
        assert!((b - (before + 250_000)).abs() < 1_000, "{b} {before}");
    }
}

#[test]
fn the_payment_based_debt_never_goes_below_zero() {
    let w = World::new();
    let mut dev = indebted(&w, DeviceKind::Gsme, 30_000, 2_500, 1_000_000);
    let t = w.now.to_unix();
    let (before, _) = paid(&dev, t);
    let u = token(&w.supplier, &dev, 3, ValueClass::Pennies, 200);
    accepted(&w, &mut dev, 3 << 32, &u);
    // £0.30 of debt left: that much recovered, £1.70 credit.
    assert_eq!(paid(&dev, t), (before + 170_000, [0, 0, 0]));
    let u = token(&w.supplier, &dev, 4, ValueClass::Pennies, 200);
    let (o, _) = dev.enter_utrn(&u, at(t + 60)).unwrap();
    assert!(matches!(o, TopUpOutcome::Accepted { .. }), "{o:?}");
    let (b, d) = paid(&dev, t + 60);
    assert_eq!(d, [0, 0, 0]);
    assert!((b - (before + 370_000)).abs() < 1_000, "{b} {before}");
}

#[test]
fn the_rate_cap_limits_recovery_within_a_period_and_the_next_period_recovers_again() {
    let w = World::new();
    let mut dev = indebted(&w, DeviceKind::Esme, 1_000_000, 2_500, 60_000);
    let updated = w.now.to_unix() - 60;
    let u = token(&w.supplier, &dev, 3, ValueClass::Pennies, 200);
    dev.enter_utrn(&u, at(updated + DAY)).unwrap();
    assert_eq!(paid(&dev, updated + DAY).1, [0, 0, 950_000]);
    // The same week: the cap (£0.60) leaves £0.10 to recover.
    let u = token(&w.supplier, &dev, 4, ValueClass::Pennies, 200);
    let (b0, _) = paid(&dev, updated + 2 * DAY - 1);
    dev.enter_utrn(&u, at(updated + 2 * DAY)).unwrap();
    let (b1, d) = paid(&dev, updated + 2 * DAY);
    assert_eq!(d, [0, 0, 940_000]);
    assert!((b1 - (b0 + 190_000)).abs() < 1_000, "{b1} {b0}");
    // The next week (counted from the update): a quarter again.
    let u = token(&w.supplier, &dev, 5, ValueClass::Pennies, 200);
    dev.enter_utrn(&u, at(updated + WEEK + 1)).unwrap();
    assert_eq!(paid(&dev, updated + WEEK + 1).1, [0, 0, 890_000]);
}
