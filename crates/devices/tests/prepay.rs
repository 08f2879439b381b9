//! 1.5 Update Meter Balance on the devices (ECS04a, ECS04b on the ESME; GCS40a–d on the GSME)
//! and the prepayment behaviour (`devices::prepay`): credit running out on the simulated clock
//! disables the supply with the GBCS alerts, credit added arms it, the button enables it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::future::FutureAction;
use devices::{
    Channel, DeviceFault, DeviceKind, DeviceState, EmulatedDevice, Outcome, SupplyState,
};
use gbcs::usecases::{self, BalanceAdjustment, CommandHeader, CreditAdjustment};
use gbcs::{AlertCode, Cra, Frame, Payload, UtcDateTime};

fn header(orig: &Party, dev: &EmulatedDevice, counter: u64) -> CommandHeader {
    CommandHeader::new(orig.eui, dev.eui(), counter)
}

fn ch(dev: &EmulatedDevice) -> Channel {
    if dev.kind() == DeviceKind::Gsme {
        Channel::GasVolume
    } else {
        Channel::ActiveImport
    }
}

/// The prepayment meter balance at `t`.
fn balance(dev: &EmulatedDevice, t: UtcDateTime) -> i64 {
    let s = dev.state();
    s.instantaneous
        .balance_with_debt(&s.metering, ch(dev), t.to_unix(), &s.debt, &s.prepay)
}

/// Sends a critical command at `now`; returns whether it succeeded, the response and alerts.
fn send(
    w: &World,
    dev: &mut EmulatedDevice,
    pre: gbcs::GeneralSigning,
    now: UtcDateTime,
) -> (bool, Vec<u8>, Vec<Vec<u8>>) {
    let wan = w.critical(pre, &w.supplier, dev);
    let reply = dev.handle(&wan, now);
    let Outcome::Executed { success, .. } = reply.outcome else {
        panic!("not executed: {:?}", reply.outcome)
    };
    (success, reply.response.unwrap(), reply.alerts)
}

fn alert_codes(alerts: &[Vec<u8>], dev: &EmulatedDevice, w: &World) -> Vec<AlertCode> {
    alerts
        .iter()
        .map(|b| {
            let a = open(b, dev, &w.supplier);
            assert_eq!(a.cra, Cra::Alert);
            match a.payload() {
                Payload::DataNotification(n) => n.alert_code().unwrap(),
                Payload::Gbz(gbcs::gbz::GbzPayload::Alert { alert_code, .. }) => alert_code,
                p => panic!("not an alert payload: {p:?}"),
            }
        })
        .collect()
}

fn gcs40(
    dev: &EmulatedDevice,
    w: &World,
    counter: u64,
    a: BalanceAdjustment,
) -> gbcs::GeneralSigning {
    usecases::gcs40_update_meter_balance(
        &header(&w.supplier, dev, counter),
        &CreditAdjustment {
            issuer_event_id: 0x1C37_4A80,
            adjustment: a,
        },
    )
    .unwrap()
}

#[test]
fn ecs04a_adjusts_and_ecs04b_resets_the_esme_balance_answering_as_rtds() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let t = w.now.plus_seconds(3_600).unwrap();
    let before = balance(&dev, t);
    let pre = usecases::ecs04a_adjust_meter_balance(&header(&w.supplier, &dev, 1003), 1_200_000);
    let (ok, resp, _) = send(&w, &mut dev, pre, t);
    assert!(ok);
    assert_same_structure(
        &resp,
        &rtds("1.5_ECS04a", "ECS04a_1.5_SUCCESS_RESPONSE_GBCS.HEX"),
        "ECS04a",
    );
    assert_eq!(balance(&dev, t), before + 1_200_000);
    // Earlier reads (a daily log of yesterday) do not count it.
    assert_eq!(balance(&dev, w.now), 10_000_000);
    // A negative adjustment takes credit away.
    let pre = usecases::ecs04a_adjust_meter_balance(&header(&w.supplier, &dev, 1004), -200_000);
    assert!(send(&w, &mut dev, pre, t).0);
    assert_eq!(balance(&dev, t), before + 1_000_000);
    // Reset: zero now, then falling with the consumption.
    let pre = usecases::ecs04b_reset_meter_balance(&header(&w.supplier, &dev, 1005));
    let (ok, resp, _) = send(&w, &mut dev, pre, t);
    assert!(ok);
    assert_same_structure(
        &resp,
        &rtds("1.5_ECS04b", "ECS04b_1.5_SUCCESS_RESPONSE_GBCS.HEX"),
        "ECS04b",
    );
    assert_eq!(balance(&dev, t), 0);
    assert!(balance(&dev, t.plus_seconds(600).unwrap()) < 0);
    assert_eq!(dev.state().payment.emergency_credit_activated_at, None);
    // The prepayment credits log (4.4.5) holds the credit added; the adjustment that took
    // credit away and the reset are no credits.
    assert_eq!(credits_logged(&dev), [(t.to_unix(), 1_200_000)]);
}

/// The prepayment credits log: (time, amount) of each entry, none from a UTRN.
fn credits_logged(dev: &EmulatedDevice) -> Vec<(i64, i64)> {
    dev.state()
        .credits_log
        .entries
        .iter()
        .map(|e| {
            assert_eq!(e.utrn, None);
            (e.at, e.amount)
        })
        .collect()
}

#[test]
fn gcs40_adjusts_and_resets_each_gsme_balance_apart() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    let t = w.now.plus_seconds(7_200).unwrap();
    let before = balance(&dev, t);
    let credit_mode = |dev: &EmulatedDevice| {
        let s = dev.state();
        balance(dev, t) - s.prepay.added_by(t.to_unix())
            + s.prepay.credit_mode_added_by(t.to_unix())
    };
    let (ok, resp, _) = {
        let pre = gcs40(&dev, &w, 1001, BalanceAdjustment::PrepaymentAdjust(23_130));
        send(&w, &mut dev, pre, t)
    };
    assert!(ok);
    assert_same_structure(
        &resp,
        &rtds("1.5_GCS40a", "GCS40a_1.5_SUCCESS_RESPONSE_GBCS.HEX"),
        "GCS40a",
    );
    assert_eq!(balance(&dev, t), before + 23_130);
    assert_eq!(
        credit_mode(&dev),
        before,
        "the credit mode balance is apart"
    );
    let (ok, _, _) = {
        let pre = gcs40(
            &dev,
            &w,
            1002,
            BalanceAdjustment::CreditModeAdjust(5_000_000),
        );
        send(&w, &mut dev, pre, t)
    };
    assert!(ok);
    assert_eq!(credit_mode(&dev), before + 5_000_000);
    assert_eq!(balance(&dev, t), before + 23_130);
    let (ok, _, _) = {
        let pre = gcs40(&dev, &w, 1003, BalanceAdjustment::CreditModeReset);
        send(&w, &mut dev, pre, t)
    };
    assert!(ok);
    assert_eq!(credit_mode(&dev), 0);
    assert_eq!(balance(&dev, t), before + 23_130);
    let (ok, resp, _) = {
        let pre = gcs40(&dev, &w, 1004, BalanceAdjustment::PrepaymentReset);
        send(&w, &mut dev, pre, t)
    };
    assert!(ok);
    assert_same_structure(
        &resp,
        &rtds("1.5_GCS40b", "GCS40b_1.5_SUCCESS_RESPONSE_GBCS.HEX"),
        "GCS40b",
    );
    assert_eq!(balance(&dev, t), 0);
    // Only the prepayment credit is a credit of the prepayment credits log.
    assert_eq!(credits_logged(&dev), [(t.to_unix(), 23_130)]);
}

#[test]
fn meter_balance_faults_fail_as_rtds_and_change_nothing() {
    let w = World::new();
    let core = |s: &DeviceState| {
        let mut s = s.clone();
        s.last_counters.clear();
        s.event_log = Default::default();
        s
    };
    let mut esme = w.device(DeviceKind::Esme, ESME);
    esme.state_mut().faults.insert(DeviceFault::MeterBalance);
    let before = core(esme.state());
    let pre = usecases::ecs04a_adjust_meter_balance(&header(&w.supplier, &esme, 1004), 1_200_000);
    let (ok, resp, _) = send(&w, &mut esme, pre, w.now);
    assert!(!ok);
    assert_failure_like_rtds(&resp, "1.5_ECS04a", "ECS04a_1.5_ERROR_RESPONSE_GBCS.HEX");
    let pre = usecases::ecs04b_reset_meter_balance(&header(&w.supplier, &esme, 1005));
    let (ok, resp, _) = send(&w, &mut esme, pre, w.now);
    assert!(!ok);
    assert_failure_like_rtds(&resp, "1.5_ECS04b", "ECS04b_1.5_ERROR_RESPONSE_GBCS.HEX");
    assert_eq!(core(esme.state()).prepay, before.prepay);
    assert_eq!(core(esme.state()).instantaneous, before.instantaneous);

    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    gsme.state_mut().faults.insert(DeviceFault::MeterBalance);
    let before = core(gsme.state());
    for (i, (uc, a)) in [
        ("GCS40a", BalanceAdjustment::PrepaymentAdjust(23_130)),
        ("GCS40b", BalanceAdjustment::PrepaymentReset),
        ("GCS40c", BalanceAdjustment::CreditModeAdjust(5_000_000)),
        ("GCS40d", BalanceAdjustment::CreditModeReset),
    ]
    .into_iter()
    .enumerate()
    {
        let pre = gcs40(&gsme, &w, 1010 + i as u64, a);
        let (ok, resp, _) = send(&w, &mut gsme, pre, w.now);
        assert!(!ok, "{uc}");
        assert_failure_like_rtds(
            &resp,
            &format!("1.5_{uc}"),
            &format!("{uc}_1.5_ERROR_RESPONSE_GBCS.HEX"),
        );
    }
    assert_eq!(gsme.state().prepay, before.prepay);

    // A pre-command signed by another party than the supplier is refused: nothing changes.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let before = dev.state().prepay.clone();
    let pre = usecases::ecs04a_adjust_meter_balance(&header(&w.supplier, &dev, 1003), 1_200_000);
    let wan = w.critical(pre, &w.rogue, &dev);
    let reply = dev.handle(&wan, w.now);
    assert!(
        matches!(reply.outcome, Outcome::Refused(_)),
        "{:?}",
        reply.outcome
    );
    assert_eq!(dev.state().prepay, before);
}

/// The time the held prepayment event falls due (true time).
fn held_event(dev: &EmulatedDevice) -> Option<i64> {
    dev.state()
        .future_actions
        .iter()
        .find(|a| a.action == FutureAction::Prepayment)
        .map(|a| a.at - dev.state().clock_offset_secs)
}

#[test]
fn credit_running_out_disables_the_supply_at_its_time_and_credit_added_arms_it() {
    for (kind, eui) in [(DeviceKind::Esme, ESME), (DeviceKind::Gsme, GSME)] {
        let w = World::new();
        let mut dev = w.device(kind, eui);
        // No non-disablement period (the calendars have their own test).
        dev.state_mut().reads.prepayment.schedule.clear();
        dev.state_mut()
            .reads
            .gas_tariff
            .calendars
            .retain(|c| c.calendar_type != 3);
        let threshold = i64::from(dev.state().payment_mode.disablement_threshold);
        let add = |dev: &EmulatedDevice, c, v| {
            if kind == DeviceKind::Esme {
                usecases::ecs04a_adjust_meter_balance(&header(&w.supplier, dev, c), v)
            } else {
                gcs40(dev, &w, c, BalanceAdjustment::PrepaymentAdjust(v))
            }
        };
        // 50p of credit left: below the emergency credit threshold (ESME £1, GSME £2), which
        // makes the emergency credit available, and below the low credit threshold (£5).
        let (ok, _, alerts) = {
            let pre = add(&dev, 1001, -9_950_000);
            send(&w, &mut dev, pre, w.now)
        };
        assert!(ok);
        assert_eq!(balance(&dev, w.now), 50_000);
        assert_eq!(
            alert_codes(&alerts, &dev, &w),
            vec![AlertCode(0x8119), AlertCode(0x810D)],
            "{kind:?}"
        );
        // The event is held for when the balance reaches the disablement threshold (the RTDS
        // configuration's: ESME −£5, GSME −£50).
        let at = held_event(&dev).expect("a held prepayment event");
        assert!(balance(&dev, UtcDateTime::from_unix(at - 1).unwrap()) > threshold);
        assert!(balance(&dev, UtcDateTime::from_unix(at).unwrap()) <= threshold);
        assert_eq!(dev.next_future_action_at(), Some(at));
        // Just before: nothing; at its time: supply disabled, 8F0F to the supplier.
        let early = dev.tick(UtcDateTime::from_unix(at - 1).unwrap()).unwrap();
        assert!(early.is_empty());
        assert_eq!(dev.state().supply, SupplyState::Enabled);
        let due = UtcDateTime::from_unix(at).unwrap();
        let alerts = dev.tick(due).unwrap();
        assert_eq!(
            alert_codes(&alerts, &dev, &w),
            vec![AlertCode(0x8F0F)],
            "{kind:?}"
        );
        assert!(matches!(
            Frame::decode(&alerts[0]).unwrap(),
            Frame::Signing(_)
        ));
        assert_eq!(dev.state().supply, SupplyState::Disabled);
        assert!(dev.state().prepay.disabled_for_credit);
        // Overnight: the consumption has stopped, only the standing charge runs.
        let morning = due.plus_seconds(8 * 3600).unwrap();
        let m = &dev.state().metering;
        assert_eq!(
            m.register(ch(&dev), morning.to_unix()),
            m.register(ch(&dev), at)
        );
        assert!(dev.tick(morning).unwrap().is_empty(), "once");
        // Credit added in the morning: armed, not enabled; the button enables it.
        let (ok, _, _) = {
            let pre = add(&dev, 1002, 500_000);
            send(&w, &mut dev, pre, morning)
        };
        assert!(ok);
        assert_eq!(dev.state().supply, SupplyState::Armed, "{kind:?}");
        assert!(!dev.state().prepay.disabled_for_credit);
        assert!(balance(&dev, morning) > threshold);
        let press = morning.plus_seconds(60).unwrap();
        assert!(dev.state_mut().press_supply_button(press));
        assert_eq!(dev.state().supply, SupplyState::Enabled);
        // The event was held as if the button had been pressed at the top-up (at its
        // earliest); pressed later, the meter looks again then and holds it further on.
        let early = held_event(&dev).unwrap();
        assert!(early > morning.to_unix());
        let alerts = dev.tick(UtcDateTime::from_unix(early).unwrap()).unwrap();
        assert!(alerts.is_empty(), "{kind:?}: not yet out of credit");
        assert_eq!(dev.state().supply, SupplyState::Enabled);
        assert!(held_event(&dev).unwrap() > early);
    }
}

#[test]
fn emergency_credit_in_use_is_drawn_then_exhausted_and_ends_with_a_top_up() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.state_mut().reads.prepayment.schedule.clear();
    let pre = usecases::ecs04a_adjust_meter_balance(&header(&w.supplier, &dev, 1000), -9_950_000);
    let (_, _, alerts) = send(&w, &mut dev, pre, w.now);
    // The credit is below the emergency credit threshold (£1): the emergency credit is
    // available; and below the low credit threshold (£5).
    assert_eq!(
        alert_codes(&alerts, &dev, &w),
        vec![AlertCode(0x8119), AlertCode(0x810D)]
    );
    let pre = usecases::ecs09_activate_emergency_credit(&header(&w.supplier, &dev, 1001));
    assert!(send(&w, &mut dev, pre, w.now).0);
    assert!(dev.state().payment.emergency_credit_activated_at.is_some());
    // Disabled only once the emergency credit (£25, the configured limit) is exhausted too:
    // 81AA then 8F0F.
    let at = held_event(&dev).unwrap();
    assert!(at - w.now.to_unix() > 86_400, "days of emergency credit");
    let alerts = dev.tick(UtcDateTime::from_unix(at).unwrap()).unwrap();
    assert_eq!(
        alert_codes(&alerts, &dev, &w),
        vec![AlertCode(0x81AA), AlertCode(0x8F0F)]
    );
    assert_eq!(dev.state().supply, SupplyState::Disabled);
    // A top-up repays the emergency credit drawn, which ends; the supply is armed.
    let t = UtcDateTime::from_unix(at + 3600).unwrap();
    let pre = usecases::ecs04a_adjust_meter_balance(&header(&w.supplier, &dev, 1002), 4_000_000);
    assert!(send(&w, &mut dev, pre, t).0);
    assert_eq!(dev.state().payment.emergency_credit_activated_at, None);
    assert_eq!(dev.state().supply, SupplyState::Armed);
    let b = balance(&dev, t);
    assert!(
        (1_400_000..1_500_000).contains(&b),
        "£40 less the £25 drawn: {b}"
    );
}

#[test]
fn a_credit_mode_meter_does_nothing_of_the_sort() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.state_mut().payment_mode.credit = true;
    let pre = usecases::ecs04b_reset_meter_balance(&header(&w.supplier, &dev, 1000));
    let (ok, _, alerts) = send(&w, &mut dev, pre, w.now);
    assert!(ok);
    assert!(alerts.is_empty());
    assert_eq!(held_event(&dev), None);
    let later = w.now.plus_seconds(10 * 86_400).unwrap();
    assert!(dev.tick(later).unwrap().is_empty());
    assert_eq!(dev.state().supply, SupplyState::Enabled);
}

/// The configured low credit threshold (ESME £5, GSME £5): `0x810D` once, at the instant credit
/// plus emergency credit falls below it.
#[test]
fn low_credit_is_alerted_when_credit_falls_below_the_configured_threshold() {
    for (kind, eui) in [(DeviceKind::Esme, ESME), (DeviceKind::Gsme, GSME)] {
        let w = World::new();
        let mut dev = w.device(kind, eui);
        dev.state_mut().reads.prepayment.schedule.clear();
        let low = dev.prepay_limits().low_credit_threshold;
        assert_eq!(low, 500_000);
        // £8 of credit: the first event is the low credit alert.
        let to_8 = |dev: &mut EmulatedDevice, c| {
            let pre = if kind == DeviceKind::Esme {
                usecases::ecs04a_adjust_meter_balance(&header(&w.supplier, dev, c), -9_200_000)
            } else {
                gcs40(dev, &w, c, BalanceAdjustment::PrepaymentAdjust(-9_200_000))
            };
            let (ok, _, alerts) = send(&w, dev, pre, w.now);
            assert!(ok && alerts.is_empty());
        };
        to_8(&mut dev, 1000);
        let at = held_event(&dev).expect("held");
        assert!(balance(&dev, UtcDateTime::from_unix(at - 1).unwrap()) >= low);
        assert!(balance(&dev, UtcDateTime::from_unix(at).unwrap()) < low);
        let alerts = dev.tick(UtcDateTime::from_unix(at).unwrap()).unwrap();
        assert_eq!(
            alert_codes(&alerts, &dev, &w),
            vec![AlertCode(0x810D)],
            "{kind:?}"
        );
        // A new low credit threshold (2.1) moves the event: £2 now.
        let mut dev = w.device(kind, eui);
        match kind {
            DeviceKind::Esme => dev.state_mut().reads.prepayment.low_credit_threshold = 200_000,
            _ => {
                dev.state_mut()
                    .reads
                    .gas_tariff
                    .set_prepayment_value(0x0031, 200_000);
            }
        }
        dev.state_mut().reads.prepayment.schedule.clear();
        to_8(&mut dev, 1000);
        let events: Vec<i64> = (0..3)
            .filter_map(|_| {
                let at = held_event(&dev)?;
                let alerts = dev.tick(UtcDateTime::from_unix(at).unwrap()).unwrap();
                alert_codes(&alerts, &dev, &w)
                    .contains(&AlertCode(0x810D))
                    .then_some(at)
            })
            .collect();
        let at = *events.first().expect("810D raised");
        assert!(balance(&dev, UtcDateTime::from_unix(at).unwrap()) < 200_000);
        assert!(balance(&dev, UtcDateTime::from_unix(at - 1).unwrap()) >= 200_000);
    }
}

/// The emergency credit is offered (`0x8119`) only below the configured emergency credit
/// threshold; the emergency credit drawn is the configured limit.
#[test]
fn emergency_credit_follows_its_configured_threshold_and_limit() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.state_mut().reads.prepayment.schedule.clear();
    dev.state_mut().reads.prepayment.low_credit_threshold = 0;
    // £1.50 left, the threshold £1: not offered yet.
    let pre = usecases::ecs04a_adjust_meter_balance(&header(&w.supplier, &dev, 1000), -9_850_000);
    let (_, _, alerts) = send(&w, &mut dev, pre, w.now);
    assert!(alert_codes(&alerts, &dev, &w).is_empty());
    let at = held_event(&dev).unwrap();
    assert!(balance(&dev, UtcDateTime::from_unix(at).unwrap()) < 100_000);
    assert!(balance(&dev, UtcDateTime::from_unix(at - 1).unwrap()) >= 100_000);
    let alerts = dev.tick(UtcDateTime::from_unix(at).unwrap()).unwrap();
    assert_eq!(alert_codes(&alerts, &dev, &w), vec![AlertCode(0x8119)]);
    // Activated: the configured limit (a £7 limit written as 2.1 would) is what remains.
    dev.state_mut().reads.prepayment.emergency_credit_limit = 700_000;
    let t = UtcDateTime::from_unix(at).unwrap();
    let pre = usecases::ecs09_activate_emergency_credit(&header(&w.supplier, &dev, 1001));
    assert!(send(&w, &mut dev, pre, t).0);
    let s = dev.state();
    let (_, ec) = s.instantaneous.credits(
        &s.metering,
        Channel::ActiveImport,
        t.to_unix(),
        s.payment.emergency_credit_activated_at,
        dev.prepay_limits().emergency_credit_limit,
    );
    assert_eq!(ec, 700_000);
}

/// A non-disablement period (the ESME's RTDS calendar: weekdays 18:00 to 08:00, weekends and
/// special days; the GSME's friendly credit calendar: in winter on weekdays 18:00 to 08:00
/// too) keeps the supply on overnight; the disablement follows when it ends.
#[test]
fn a_non_disablement_period_defers_the_disablement_to_its_end() {
    for (kind, eui) in [(DeviceKind::Esme, ESME), (DeviceKind::Gsme, GSME)] {
        let w = World::new();
        // 2015-01-01 is a Thursday in the winter calendar's validity (GMT: local is UTC).
        let mut dev = w.device(kind, eui);
        let thursday_19 = w.now.plus_seconds(19 * 3600).unwrap();
        let friday_08 = w.now.plus_seconds(32 * 3600).unwrap();
        assert!(!dev.non_disablement_at(w.now.plus_seconds(12 * 3600).unwrap().to_unix()));
        assert!(dev.non_disablement_at(thursday_19.to_unix()));
        assert!(dev.non_disablement_at(friday_08.to_unix() - 1));
        assert!(!dev.non_disablement_at(friday_08.to_unix()));
        // Out of credit at Thursday 19:00: £10 below the disablement threshold, no emergency
        // credit.
        let t = thursday_19;
        let threshold = i64::from(dev.state().payment_mode.disablement_threshold);
        let target = threshold - 1_000_000;
        let v = i32::try_from(target - balance(&dev, t)).unwrap();
        let pre = if kind == DeviceKind::Esme {
            usecases::ecs04a_adjust_meter_balance(&header(&w.supplier, &dev, 1000), v)
        } else {
            gcs40(&dev, &w, 1000, BalanceAdjustment::PrepaymentAdjust(v))
        };
        let (ok, _, alerts) = send(&w, &mut dev, pre, t);
        assert!(ok);
        assert_eq!(balance(&dev, t), target);
        assert!(!alert_codes(&alerts, &dev, &w).contains(&AlertCode(0x8F0F)));
        assert_eq!(
            dev.state().supply,
            SupplyState::Enabled,
            "{kind:?}: kept on overnight"
        );
        assert_eq!(held_event(&dev), Some(friday_08.to_unix()), "{kind:?}");
        let night = dev
            .tick(UtcDateTime::from_unix(friday_08.to_unix() - 3600).unwrap())
            .unwrap();
        assert!(!alert_codes(&night, &dev, &w).contains(&AlertCode(0x8F0F)));
        assert_eq!(dev.state().supply, SupplyState::Enabled);
        let alerts = dev.tick(friday_08).unwrap();
        assert_eq!(alert_codes(&alerts, &dev, &w), vec![AlertCode(0x8F0F)]);
        assert_eq!(dev.state().supply, SupplyState::Disabled);
    }
}

/// The GSME's friendly credit calendar by season, weekday and special day (local time).
#[test]
fn the_gsme_friendly_credit_calendar_follows_its_seasons_and_special_days() {
    let w = World::new();
    let dev = w.device(DeviceKind::Gsme, GSME);
    let at = |y, mo, d, h, mi| UtcDateTime::new(y, mo, d, h, mi, 0).unwrap().to_unix();
    // Summer (from 29 March: week 2), a Tuesday: day 2, friendly until 07:00 and from 17:00
    // BST (06:00 and 16:00 UTC).
    assert!(dev.non_disablement_at(at(2015, 7, 7, 5, 59)));
    assert!(!dev.non_disablement_at(at(2015, 7, 7, 6, 0)));
    assert!(!dev.non_disablement_at(at(2015, 7, 7, 15, 59)));
    assert!(dev.non_disablement_at(at(2015, 7, 7, 16, 0)));
    // A winter Saturday (week 1): day 3, friendly again from 14:00.
    assert!(!dev.non_disablement_at(at(2015, 1, 10, 13, 59)));
    assert!(dev.non_disablement_at(at(2015, 1, 10, 14, 0)));
    // Christmas Day 2015, a Friday, is a special day (day 3): friendly from 14:00, where a
    // Friday would wait until 18:00.
    assert!(dev.non_disablement_at(at(2015, 12, 25, 14, 30)));
    assert!(!dev.non_disablement_at(at(2015, 12, 18, 14, 30)));
    // Without the calendar, never.
    let mut bare = w.device(DeviceKind::Gsme, GSME);
    bare.state_mut()
        .reads
        .gas_tariff
        .calendars
        .retain(|c| c.calendar_type != 3);
    assert!(!bare.non_disablement_at(at(2015, 1, 10, 20, 0)));
}

/// 2.1's device side: an update writes the one field of each concept the behaviour uses.
#[test]
fn an_update_writes_the_one_field_of_each_concept_the_behaviour_uses() {
    use devices::prepay_config::{OutOfRange, PrepayConfigChange};
    let w = World::new();
    for (kind, eui) in [(DeviceKind::Esme, ESME), (DeviceKind::Gsme, GSME)] {
        let mut dev = w.device(kind, eui);
        let c = PrepayConfigChange {
            low_credit_threshold: Some(300_000),
            emergency_credit_limit: Some(1_500_000),
            emergency_credit_threshold: Some(250_000),
            max_meter_balance: Some(20_000_000),
            max_credit_threshold: Some(7_000_000),
            ..PrepayConfigChange::default()
        };
        assert_eq!(c.check(kind), Ok(()));
        dev.apply_prepay_config(&c);
        let l = dev.prepay_limits();
        assert_eq!(l.low_credit_threshold, 300_000, "{kind:?}");
        assert_eq!(l.emergency_credit_limit, 1_500_000);
        assert_eq!(l.emergency_credit_threshold, 250_000);
        assert_eq!(l.max_meter_balance, 20_000_000);
        assert_eq!(l.max_credit_threshold, 7_000_000);
        let bad = PrepayConfigChange {
            max_meter_balance: Some(-1),
            ..PrepayConfigChange::default()
        };
        assert_eq!(
            bad.check(DeviceKind::Gsme),
            Err(OutOfRange("maximum meter balance"))
        );
    }
}

/// An ECS08 configuration: a £3 low credit threshold, £4 emergency credit limit, £2 emergency
/// credit threshold, £60 maximum meter balance, £20 maximum credit threshold, one
/// non-disablement period every day from 20:00 to 07:30, any year.
fn ecs08_config(activation: usecases::Activation) -> usecases::EsmePrepayConfig {
    let every = [true; 7];
    let any = |m, d| [0xFF, 0xFF, m, d, 0xFF];
    let e = |start, h, m| usecases::NonDisablementEntry {
        start,
        switch_time: [h, m, 0, 0],
        days_of_week: every,
        special_days: vec![false; 5],
        begin: any(1, 1),
        end: any(12, 31),
    };
    usecases::EsmePrepayConfig {
        activation,
        debt_recovery_rate_cap: 30,
        debt_recovery_rate_cap_period: usecases::ecs08::DEBT_RECOVERY_RATE_CAP_PERIOD,
        emergency_credit_limit: 400_000,
        emergency_credit_threshold: 200_000,
        low_credit_threshold: 300_000,
        max_meter_balance: 6_000_000,
        max_credit_threshold: 2_000_000,
        special_days: Vec::new(),
        schedule: vec![e(true, 20, 0), e(false, 7, 30)],
    }
}

#[test]
fn ecs08_writes_the_configuration_at_once_or_at_its_time_and_a_cancellation_drops_it() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    // Immediate: written, answered like the RTDS response, and the behaviour uses it.
    let pre = usecases::ecs08_update_prepay_configuration(
        &header(&w.supplier, &dev, 1000),
        &ecs08_config(usecases::Activation::Now),
    )
    .unwrap();
    let (ok, resp, alerts) = send(&w, &mut dev, pre, w.now);
    assert!(ok);
    assert!(alerts.is_empty());
    let wrapped = Frame::decode(&resp).unwrap();
    let rtds_resp = rtds("2.1_ECS08", "ECS08_2.1_IMMEDIATE_SUCCESS_RESPONSE_GBCS.HEX");
    assert!(
        !gbcs::usecases::decode_response(gbcs::MessageCode(0x001F), &wrapped.apdu().content)
            .unwrap()
            .is_failure()
    );
    assert_same_structure(&resp, &rtds_resp, "ECS08");
    let l = dev.prepay_limits();
    assert_eq!(
        (
            l.low_credit_threshold,
            l.emergency_credit_limit,
            l.emergency_credit_threshold,
            l.max_meter_balance,
            l.max_credit_threshold
        ),
        (300_000, 400_000, 200_000, 6_000_000, 2_000_000)
    );
    let p = &dev.state().reads.prepayment;
    assert_eq!(
        (p.debt_recovery_rate_cap, p.debt_recovery_cap_period),
        (30, 604_800)
    );
    assert_eq!(p.schedule.len(), 2);
    // Every night from 20:00 to 07:30 (2015-01-01 is GMT).
    assert!(dev.non_disablement_at(w.now.to_unix() + 21 * 3600));
    assert!(!dev.non_disablement_at(w.now.to_unix() + 12 * 3600));

    // Future-dated: held, nothing written yet; at its time written, nine 8F66 alerts.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let at = w.now.plus_seconds(3 * 86_400).unwrap();
    let pre = usecases::ecs08_update_prepay_configuration(
        &header(&w.supplier, &dev, 1000),
        &ecs08_config(usecases::Activation::At(at)),
    )
    .unwrap();
    let (ok, _, _) = send(&w, &mut dev, pre, w.now);
    assert!(ok);
    assert_eq!(dev.prepay_limits().low_credit_threshold, 500_000, "not yet");
    assert_eq!(dev.next_future_action_at(), Some(at.to_unix()));
    let alerts = dev.tick(at).unwrap();
    let codes = alert_codes(&alerts, &dev, &w);
    assert_eq!(codes, vec![AlertCode(0x8F66); 9]);
    assert_eq!(dev.prepay_limits().low_credit_threshold, 300_000);
    assert_eq!(
        dev.next_future_action_at(),
        held_event(&dev),
        "only prepayment events"
    );

    // Cancelled: the held update is dropped, nothing is written.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let pre = usecases::ecs08_update_prepay_configuration(
        &header(&w.supplier, &dev, 1000),
        &ecs08_config(usecases::Activation::At(at)),
    )
    .unwrap();
    assert!(send(&w, &mut dev, pre, w.now).0);
    let pre = usecases::ecs08_update_prepay_configuration(
        &header(&w.supplier, &dev, 1001),
        &ecs08_config(usecases::Activation::Cancel),
    )
    .unwrap();
    assert!(send(&w, &mut dev, pre, w.now).0);
    assert!(dev.tick(at).unwrap().is_empty());
    assert_eq!(dev.prepay_limits().low_credit_threshold, 500_000);

    // A faulty object (the RTDS ERROR vector's: the emergency credit threshold's activation
    // time): the RTDS ERROR shape, nothing written.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.state_mut().faults.insert(DeviceFault::DlmsObject {
        class: 9000,
        obis: [0, 0, 94, 44, 128, 3],
        attribute: 6,
    });
    let before = dev.state().reads.prepayment.clone();
    let pre = usecases::ecs08_update_prepay_configuration(
        &header(&w.supplier, &dev, 1000),
        &ecs08_config(usecases::Activation::Now),
    )
    .unwrap();
    let (ok, resp, _) = send(&w, &mut dev, pre, w.now);
    assert!(!ok);
    assert_failure_like_rtds(
        &resp,
        "2.1_ECS08",
        "ECS08_2.1_IMMEDIATE_ERROR_RESPONSE_GBCS.HEX",
    );
    assert_eq!(dev.state().reads.prepayment, before);
}

/// A GCS05 configuration: £3 low credit, £4 emergency credit limit, £2 threshold, £60 maximum
/// meter balance, £20 maximum credit per top-up; a friendly credit calendar of three day
/// profiles and two weeks (the RTDS vectors' shape).
fn gcs05_config(activation: usecases::Activation) -> usecases::GasPrepayConfig {
    use gbcs::usecases::gas_tariff::{GasCalendarUpdate, GasDay, GasWeek, Issue};
    usecases::GasPrepayConfig {
        issue: Issue {
            issuer_event_id: 0x1C37_4A80,
            activation,
        },
        debt_recovery_rate_cap: 100_000,
        emergency_credit_limit: 400_000,
        emergency_credit_threshold: 200_000,
        low_credit_threshold: 300_000,
        max_meter_balance: 6_000_000,
        max_credit_threshold: 2_000_000,
        calendar: GasCalendarUpdate {
            issuer_calendar_id: 0x1C37_4A80,
            days: (1..=3)
                .map(|id| GasDay {
                    id,
                    entries: vec![(0, 1), (8 * 60, 0), (18 * 60, 1)],
                })
                .collect(),
            weeks: vec![
                GasWeek {
                    id: 1,
                    days: [1, 1, 1, 1, 1, 3, 3],
                },
                GasWeek {
                    id: 2,
                    days: [2, 2, 2, 2, 2, 3, 3],
                },
            ],
            seasons: vec![([115, 1, 1, 0xFF], 1)],
            special_days: vec![([0xFF, 12, 25, 0xFF], 1)],
        },
    }
}

#[test]
fn gcs05_writes_the_gas_configuration_at_once_or_at_its_time_and_a_fault_changes_nothing() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    let pre = usecases::gcs05_update_prepay_configuration(
        &header(&w.supplier, &dev, 1000),
        &gcs05_config(usecases::Activation::Now),
    )
    .unwrap();
    let (ok, resp, alerts) = send(&w, &mut dev, pre, w.now);
    assert!(ok);
    assert!(alerts.is_empty());
    let l = dev.prepay_limits();
    assert_eq!(
        (
            l.low_credit_threshold,
            l.emergency_credit_limit,
            l.emergency_credit_threshold,
            l.max_meter_balance,
            l.max_credit_threshold
        ),
        (300_000, 400_000, 200_000, 6_000_000, 2_000_000)
    );
    let g = &dev.state().reads.gas_tariff;
    assert_eq!(g.prepayment_value(0x0006), Some(100_000));
    assert!(
        g.calendars
            .iter()
            .any(|c| c.calendar_type == 3 && c.days.len() == 3)
    );
    let _ = resp;

    // Future-dated: six 8F66 alerts at its time (the RTDS GCS05 8F66 vectors).
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    let at = w.now.plus_seconds(86_400).unwrap();
    let pre = usecases::gcs05_update_prepay_configuration(
        &header(&w.supplier, &dev, 1000),
        &gcs05_config(usecases::Activation::At(at)),
    )
    .unwrap();
    let (ok, resp, _) = send(&w, &mut dev, pre, w.now);
    assert!(ok);
    assert_same_structure(
        &resp,
        &rtds(
            "2.1_GCS05",
            "GCS05_2.1_FUTURE_DATED_SUCCESS_RESPONSE_GBCS.HEX",
        ),
        "GCS05",
    );
    assert_eq!(dev.prepay_limits().low_credit_threshold, 500_000, "not yet");
    let alerts = dev.tick(at).unwrap();
    assert_eq!(alert_codes(&alerts, &dev, &w), vec![AlertCode(0x8F66); 6]);
    assert_eq!(dev.prepay_limits().low_credit_threshold, 300_000);

    // A faulty command (the RTDS ERROR vector's: Publish Seasons): HARDWARE_FAILURE, the rest
    // FAILURE, nothing written.
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    dev.state_mut().faults.insert(DeviceFault::ZclCommand {
        cluster: 0x0707,
        command: 0x03,
    });
    let before = dev.state().reads.gas_tariff.clone();
    let pre = usecases::gcs05_update_prepay_configuration(
        &header(&w.supplier, &dev, 1000),
        &gcs05_config(usecases::Activation::Now),
    )
    .unwrap();
    let (ok, resp, _) = send(&w, &mut dev, pre, w.now);
    assert!(!ok);
    assert_failure_like_rtds(
        &resp,
        "2.1_GCS05",
        "GCS05_2.1_FUTURE_DATED_ERROR_RESPONSE_GBCS.HEX",
    );
    assert_eq!(dev.state().reads.gas_tariff, before);
}
