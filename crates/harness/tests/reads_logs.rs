//! Log reads end to end on the simulated clock: a DUIS request for a period goes through the
//! gateway, the dispatcher and the emulated WAN to the emulated meter, whose daily read log has
//! grown with the clock; the supplier receives I0 with the device's entries for exactly that
//! period (still encrypted to the supplier: the DCC passes them through unread). The prepayment
//! daily read log (4.14) holds a snapshot of the meter balance at each midnight, which the
//! supplier opens with its own key: the balance 4.18 reads, falling by each day's standing
//! charge and consumption. A period that ends before it starts is refused at once and nothing
//! is sent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use devices::{Channel, DeviceState};
use gbcs::usecases::{GbzLogPart, ResponseOutcome, ResponseValue, decode_response};
use gbcs::{Frame, PublicKey};
use harness::{Delivered, Harness, premises1, set_text};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const SUPPLIER: &str = "supplier-a";
const DAY: i64 = 86_400;

fn rfc3339(t: i64) -> String {
    OffsetDateTime::from_unix_timestamp(t)
        .unwrap()
        .format(&Rfc3339)
        .unwrap()
}

/// Sends `template` for `target` with the period `[start, end]`; the synchronous answer and the
/// RequestID.
fn send(
    h: &mut Harness,
    template: &str,
    target: &str,
    start: i64,
    end: i64,
) -> (dcc::gateway::Answer, String) {
    let p = h.request(template, SUPPLIER, target);
    let xml = set_text(&p.xml, "StartDateTime", &rfc3339(start));
    let xml = set_text(&xml, "EndDateTime", &rfc3339(end));
    let signed = h.sign(SUPPLIER, &xml);
    (h.send(&signed), p.rid)
}

fn read(h: &mut Harness, template: &str, target: &str, start: i64, end: i64) -> Delivered {
    let (a, rid) = send(h, template, target, start, end);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    let r = h.response_for(SUPPLIER, &rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    r
}

fn outcome(r: &Delivered) -> ResponseOutcome {
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    let apdu = Frame::decode(&bytes).unwrap().apdu().clone();
    decode_response(apdu.message_code(), &apdu.content).unwrap()
}

/// Snapshots the GSME found in the period (encrypted parts), and NOT_FOUND parts.
fn snapshots(r: &Delivered) -> (usize, usize) {
    let ResponseOutcome::Success(ResponseValue::GbzLog(parts)) = outcome(r) else {
        panic!("{:?}", outcome(r))
    };
    let found = parts
        .iter()
        .filter(|p| matches!(p, GbzLogPart::Protected { .. }))
        .count();
    (found, parts.len() - found)
}

fn installed_at(h: &Harness, id: &str) -> i64 {
    h.device_state(id)["metering"]["installed_at"]
        .as_i64()
        .expect("installed_at")
}

#[test]
fn the_gas_daily_read_log_grows_with_the_clock_and_reads_exactly_the_period() {
    let mut h = Harness::new_world();
    h.advance(Duration::from_secs(3 * 86_400 + 3_600));
    let now = h.now().unix_timestamp();
    let installed = installed_at(&h, premises1::GSME);
    let expected = devices::reads::logs::daily_captures(installed, now, i64::MIN, i64::MAX, 731);
    assert!(expected.len() >= 3, "{expected:?}");
    let t = "GCS16a_4.6.1_SUCCESS_REQUEST_DUIS.XML";
    let r = read(&mut h, t, premises1::GSME, now - 30 * DAY, now);
    assert_eq!(snapshots(&r), (expected.len(), 31 - expected.len()));
    // Exactly the period: only the last capture.
    let last = *expected.last().unwrap();
    let r = read(&mut h, t, premises1::GSME, last, now);
    assert_eq!(snapshots(&r), (1, 30));
    // Before installation: nothing, a success.
    let r = read(
        &mut h,
        t,
        premises1::GSME,
        installed - 30 * DAY,
        installed - DAY,
    );
    assert_eq!(snapshots(&r), (0, 31));
    // A day later there is one snapshot more.
    h.advance(Duration::from_secs(86_400));
    let later = h.now().unix_timestamp();
    let r = read(&mut h, t, premises1::GSME, now - 30 * DAY, later);
    assert_eq!(snapshots(&r).0, expected.len() + 1);
}

#[test]
fn the_electricity_daily_read_log_comes_back_protected() {
    let mut h = Harness::new_world();
    h.advance(Duration::from_secs(2 * 86_400));
    let now = h.now().unix_timestamp();
    let r = read(
        &mut h,
        "ECS21a_4.6.1_SINGLE_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
        now - 10 * DAY,
        now,
    );
    assert!(matches!(
        outcome(&r),
        ResponseOutcome::Success(ResponseValue::Protected(_))
    ));
}

#[test]
fn a_period_ending_before_it_starts_is_refused_and_nothing_is_sent() {
    let mut h = Harness::new_world();
    let now = h.now().unix_timestamp();
    let before = h.device_state(premises1::ESME);
    let (a, rid) = send(
        &mut h,
        "ECS21a_4.6.1_SINGLE_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
        now,
        now - DAY,
    );
    assert_eq!(a.http_status, 400, "{}", a.body);
    assert!(
        a.body.contains("EndDateTime before StartDateTime"),
        "{}",
        a.body
    );
    h.run_until_idle();
    assert!(h.response_for(SUPPLIER, &rid).is_none());
    assert_eq!(
        h.device_state(premises1::ESME),
        before,
        "the meter saw nothing"
    );
}

/// A device's state as the emulated WAN keeps it.
fn state_of(h: &Harness, id: &str) -> DeviceState {
    serde_json::from_value(h.device_state(id)).expect("a device state")
}

/// The delivered answer of `device` rendered as MMC with the supplier's KA key.
fn render(h: &Harness, r: &Delivered, device: &str, srv: &str) -> mmc::Rendered {
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    let (_, ka) = h.user_ka(SUPPLIER);
    let device_ka = PublicKey::from_certificate_der(&h.device_cert(device, "ka")).unwrap();
    mmc::render(
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
    .unwrap()
}

fn leaf<'a>(xml: &'a str, name: &str) -> &'a str {
    let open = format!("<ra:{name}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no {name} in {xml}"))
        + open.len();
    let end = xml[start..].find('<').unwrap() + start;
    &xml[start..end]
}

/// The (capture time, meter balance, emergency credit) of each `LogEntry` of a rendered 4.14
/// answer, oldest first.
fn prepay_entries(xml: &str) -> Vec<(i64, i64, i64)> {
    let mut out: Vec<(i64, i64, i64)> = xml
        .split("<ra:LogEntry>")
        .skip(1)
        .map(|e| {
            let e = &e[..e.find("</ra:LogEntry>").unwrap()];
            for zero in [
                "AccumulatedDebtRegister",
                "PaymentDebtRegister",
                "TimeDebtRegisters1",
                "TimeDebtRegisters2",
            ] {
                assert_eq!(leaf(e, zero), "0", "{zero}: no debt is modelled");
            }
            let t = OffsetDateTime::parse(leaf(e, "Timestamp"), &Rfc3339).unwrap();
            (
                t.unix_timestamp(),
                leaf(e, "MeterBalance").parse().unwrap(),
                leaf(e, "EmergencyCreditBalance").parse().unwrap(),
            )
        })
        .collect();
    out.sort_unstable();
    out
}

/// A 4.14 read of `device` over `[start, end]`, opened by the supplier: its entries.
fn prepay_read(h: &mut Harness, device: &str, start: i64, end: i64) -> Vec<(i64, i64, i64)> {
    let template = if device == premises1::ESME {
        "ECS21b_4.14_KRP_SUCCESS_REQUEST_DUIS.XML"
    } else {
        "GCS16b_4.14_KRP_SUCCESS_REQUEST_DUIS.XML"
    };
    let r = read(h, template, device, start, end);
    let x = render(h, &r, device, "4.14");
    assert!(!x.sealed, "{:?}\n{}", x.notes, x.xml);
    assert!(
        x.xml
            .contains("ReadPrepaymentDailyReadLogRsp MessageSuccess=\"true\""),
        "{}",
        x.xml
    );
    prepay_entries(&x.xml)
}

/// 4.18 on the ESME: the meter balance now.
fn meter_balance(h: &mut Harness) -> i64 {
    let p = h.request(
        "ECS82_4.18_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        premises1::ESME,
    );
    let a = h.send(&h.sign(SUPPLIER, &p.xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
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

#[test]
fn the_prepayment_daily_read_log_snapshots_the_meter_balance_every_midnight() {
    let mut h = Harness::new_world();
    let start = h.now().unix_timestamp();
    // To a local midnight four days on: 4.18 is read at that midnight.
    let midnight = devices::reads::logs::local_midnight_at_or_before(start + 4 * DAY);
    h.advance(Duration::from_secs(
        u64::try_from(midnight - start).unwrap(),
    ));
    let at_midnight = meter_balance(&mut h);
    let now = h.now().unix_timestamp();
    for (device, ch) in [
        (premises1::ESME, Channel::ActiveImport),
        (premises1::GSME, Channel::GasVolume),
    ] {
        let state = state_of(&h, device);
        assert_eq!(state.clock_offset_secs, 0);
        let installed = state.metering.installed_at;
        let captures =
            devices::reads::logs::daily_captures(installed, now, i64::MIN, i64::MAX, 731);
        assert!(captures.len() >= 4, "{captures:?}");
        assert_eq!(*captures.last().unwrap(), midnight);
        let c = &state.instantaneous;
        let balance = |t: i64| c.meter_balance(&state.metering, ch, t);
        // Every midnight since installation, each the balance model's values then.
        let all = prepay_read(&mut h, device, now - 30 * DAY, now);
        let expect: Vec<(i64, i64, i64)> = captures
            .iter()
            .map(|&m| {
                let ec = state.payment.emergency_credit_activated_at;
                let kind = match ch {
                    Channel::GasVolume => devices::DeviceKind::Gsme,
                    _ => devices::DeviceKind::Esme,
                };
                let limit = devices::prepay::PrepayLimits::of(&state, kind).emergency_credit_limit;
                (
                    m,
                    balance(m),
                    c.credits(&state.metering, ch, m, ec, limit).1,
                )
            })
            .collect();
        assert_eq!(all, expect, "{device}");
        // The balance falls by each day's standing charge and the cost of its consumption.
        let p = &c.prepayment;
        let price = match ch {
            Channel::GasVolume => p.gas_price_per_m3,
            _ => p.electricity_price_per_kwh,
        };
        for w in captures.windows(2) {
            let [a, b] = w else { unreachable!() };
            let used = state.metering.consumed(ch, *a, *b);
            let cost = i64::try_from(u64::from(price) * used / 1000).unwrap();
            let fell = balance(*a) - balance(*b);
            assert!(
                (fell - cost - i64::from(p.standing_charge_per_day)).abs() <= 1,
                "{device}: fell {fell}, cost {cost}"
            );
            assert!(cost > 0, "{device}: consumption between {a} and {b}");
        }
        if device == premises1::ESME {
            // What 4.18 read at the last midnight (a moment after it, over the WAN).
            let last = all.last().unwrap().1;
            assert!(
                (0..1000).contains(&(last - at_midnight)),
                "snapshot {last}, 4.18 {at_midnight}"
            );
        }
        // Exactly the period asked for, bounds included.
        let (a, b) = (captures[1], captures[2]);
        assert_eq!(prepay_read(&mut h, device, a, b), expect[1..3], "{device}");
        // A period holding no midnight, and one before installation: no entries, a success.
        assert!(
            prepay_read(&mut h, device, a + 1, b - 1).is_empty(),
            "{device}"
        );
        assert!(prepay_read(&mut h, device, installed - 30 * DAY, installed - DAY).is_empty());
    }
    // Offsets beyond the log: the GSME answers NOT_FOUND for them.
    let r = read(
        &mut h,
        "GCS16b_4.14_KRP_SUCCESS_REQUEST_DUIS.XML",
        premises1::GSME,
        now - 30 * DAY,
        now,
    );
    let found = state_of(&h, premises1::GSME).metering.installed_at;
    let n = devices::reads::logs::daily_captures(found, now, i64::MIN, i64::MAX, 731).len();
    assert_eq!(snapshots(&r), (n, 31 - n));
    // A day later, one snapshot more, the earlier ones unchanged.
    let before = prepay_read(&mut h, premises1::ESME, now - 30 * DAY, now);
    h.advance(Duration::from_secs(86_400));
    let later = h.now().unix_timestamp();
    let after = prepay_read(&mut h, premises1::ESME, now - 30 * DAY, later);
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after[..before.len()], before[..]);
}
