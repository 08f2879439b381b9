//! Log reads end to end on the simulated clock: a DUIS request for a period goes through the
//! gateway, the dispatcher and the emulated WAN to the emulated meter, whose daily read log has
//! grown with the clock; the supplier receives I0 with the device's entries for exactly that
//! period (still encrypted to the supplier: the DCC passes them through unread). A period that
//! ends before it starts is refused at once and nothing is sent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use gbcs::Frame;
use gbcs::usecases::{GbzLogPart, ResponseOutcome, ResponseValue, decode_response};
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
