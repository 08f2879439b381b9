//! Profile reads end to end on the simulated clock: a 4.8.2 request for the last hours reaches
//! the ESME, whose answer (the half-hours asked for, no more) reaches the supplier as I0; a
//! period ending before it starts is refused at once and queues nothing; 4.8.1's protected
//! answer passes through the DCC unread.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use gbcs::axdr::Data;
use gbcs::usecases::{ResponseOutcome, ResponseValue};
use gbcs::{Frame, Payload};
use harness::{Harness, premises1, set_text};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const SUPPLIER: &str = "supplier-a";
const REACTIVE: &str = "ECS22c_4.8.2_SUCCESS_REQUEST_DUIS.XML";
const ACTIVE: &str = "ECS22b_4.8.1_SINGLE_SUCCESS_REQUEST_DUIS.XML";

fn text(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

/// The template with the period set, signed and sent; (RequestID, HTTP status, code).
fn send_period(
    h: &mut Harness,
    template: &str,
    start: OffsetDateTime,
    end: OffsetDateTime,
) -> (String, u16, Option<String>) {
    let p = h.request(template, SUPPLIER, premises1::ESME);
    let xml = set_text(&p.xml, "StartDateTime", &text(start));
    let xml = set_text(&xml, "EndDateTime", &text(end));
    let signed = h.sign(SUPPLIER, &xml);
    let a = h.send(&signed);
    (p.rid, a.http_status, a.code.map(|c| c.as_str().to_string()))
}

#[test]
fn a_reactive_profile_read_returns_the_half_hours_asked_for() {
    let mut h = Harness::new_world();
    let t0 = h.now();
    h.advance(Duration::from_secs(3 * 3600));
    // Half-hour boundaries from the first one after t0 + 30 min up to t0 + 2 h.
    let start = t0 + Duration::from_secs(1800);
    let end = t0 + Duration::from_secs(7200);
    let (rid, status, code) = send_period(&mut h, REACTIVE, start, end);
    assert_eq!((status, code.as_deref()), (200, Some("I99")));
    h.run_until_idle();
    let r = h.response_for(SUPPLIER, &rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    h.check_signed(&r.xml);
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    let apdu = Frame::decode(&bytes).unwrap().apdu().clone();
    let Payload::AccessResponse(resp) = apdu.payload() else {
        panic!("not DLMS")
    };
    let Some(Data::CompactArray { contents, .. }) = resp.data.first() else {
        panic!("no profile: {:?}", resp.data)
    };
    let entries = contents.len() / 8;
    let boundaries = |a: i64, b: i64| (a..=b).filter(|t| t % 1800 == 0).count();
    assert_eq!(
        entries,
        boundaries(start.unix_timestamp(), end.unix_timestamp()),
        "exactly the half-hours in the period"
    );
    assert!(entries >= 3);
}

#[test]
fn a_period_ending_before_it_starts_is_refused_and_queues_nothing() {
    let mut h = Harness::new_world();
    let now = h.now();
    let before = h.pending_commands();
    let (rid, status, code) = send_period(&mut h, REACTIVE, now, now - Duration::from_secs(3600));
    assert_eq!(status, 400, "{code:?}");
    assert_eq!(h.pending_commands(), before);
    h.run_until_idle();
    assert!(h.response_for(SUPPLIER, &rid).is_none());
}

#[test]
fn the_active_import_profile_passes_through_encrypted() {
    let mut h = Harness::new_world();
    let t0 = h.now();
    h.advance(Duration::from_secs(2 * 3600));
    let now = h.now();
    let (rid, status, _) = send_period(&mut h, ACTIVE, t0, now);
    assert_eq!(status, 200);
    h.run_until_idle();
    let r = h.response_for(SUPPLIER, &rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    let apdu = Frame::decode(&bytes).unwrap().apdu().clone();
    assert!(matches!(
        gbcs::usecases::decode_response(apdu.message_code(), &apdu.content),
        Ok(ResponseOutcome::Success(ResponseValue::Protected(_)))
    ));
}
