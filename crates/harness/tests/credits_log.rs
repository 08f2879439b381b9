//! 4.4.5 Retrieve Billing Data Log (Prepayment Credits) shows the credits the meter accepted:
//! on the ESME (ECS20d) and the GSME (GCS15e), a UTRN top-up sent by DUIS (2.2) and one typed
//! at the keypad appear with the time the meter accepted them and their value (10⁻⁵ GBP); a
//! UTRN replayed in a new 2.2 request, which the meter refuses, does not; a period that holds
//! only one of them returns only that one; the log survives a restart of the DCC.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use gbcs::utrn::{self, ValueClass};
use gbcs::{Frame, PublicKey};
use harness::{Delivered, Harness, premises1, set_text};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const SUPPLIER: &str = "supplier-a";

fn rfc3339(t: i64) -> String {
    OffsetDateTime::from_unix_timestamp(t)
        .unwrap()
        .format(&Rfc3339)
        .unwrap()
}

/// The supplier's UTRN number `n` of `pence` for `device`.
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

/// Sends `xml` (prepared for `rid`) and waits for the device's answer.
fn send(h: &mut Harness, xml: &str, rid: &str) -> Delivered {
    let a = h.send(&h.sign(SUPPLIER, xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    h.response_for(SUPPLIER, rid).expect("the meter's answer")
}

/// 2.2 with `utrn` to `device` (CS01a to the ESME, CS01b to the GSME): the answer's code.
fn top_up(h: &mut Harness, device: &str, utrn: &str) -> Option<String> {
    let template = if device == premises1::ESME {
        "CS01a_2.2_SUCCESS_REQUEST_DUIS.XML"
    } else {
        "CS01b_2.2_SUCCESS_REQUEST_DUIS.XML"
    };
    let p = h.request(template, SUPPLIER, device);
    let xml = set_text(&p.xml, "UTRN", utrn);
    send(h, &xml, &p.rid).code()
}

/// The times (true time) of the top-ups `device` accepted, in order.
fn accepted_at(h: &Harness, device: &str) -> Vec<i64> {
    h.device_state(device)["top_ups"]["accepted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["at"].as_i64().unwrap())
        .collect()
}

/// 4.4.5 on `device` over `[start, end]`, rendered by the supplier: (time, amount) of each
/// `LogEntry`, oldest first.
fn credits(h: &mut Harness, device: &str, start: i64, end: i64) -> Vec<(i64, i64)> {
    let template = if device == premises1::ESME {
        "ECS20d_4.4.5_SUCCESS_REQUEST_DUIS.XML"
    } else {
        "GCS15e_4.4.5_SUCCESS_REQUEST_DUIS.XML"
    };
    let p = h.request(template, SUPPLIER, device);
    let xml = set_text(&p.xml, "StartDateTime", &rfc3339(start));
    let xml = set_text(&xml, "EndDateTime", &rfc3339(end));
    let r = send(h, &xml, &p.rid);
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let bytes = r.gbcs_payload().expect("the device's answer");
    Frame::decode(&bytes).expect("a GBCS frame");
    let (_, ka) = h.user_ka(SUPPLIER);
    let device_ka = PublicKey::from_certificate_der(&h.device_cert(device, "ka")).unwrap();
    let x = mmc::render(
        &bytes,
        &mmc::Context {
            service_reference: Some("4.4"),
            service_reference_variant: Some("4.4.5"),
            keys: Some(mmc::Keys {
                requester_ka: &ka,
                device_ka: &device_ka,
            }),
        },
    )
    .unwrap();
    assert!(
        x.xml.contains("RetrieveBillingDataLogPrepaymentCreditsRsp"),
        "{}",
        x.xml
    );
    let mut out: Vec<(i64, i64)> = x
        .xml
        .split("<ra:LogEntry>")
        .skip(1)
        .map(|e| {
            let e = &e[..e.find("</ra:LogEntry>").unwrap()];
            let leaf = |name: &str| {
                let open = format!("<ra:{name}>");
                let s = e.find(&open).unwrap_or_else(|| panic!("no {name} in {e}")) + open.len();
                e[s..s + e[s..].find('<').unwrap()].to_string()
            };
            let t = OffsetDateTime::parse(&leaf("Timestamp"), &Rfc3339).unwrap();
            (t.unix_timestamp(), leaf("Amount").parse().unwrap())
        })
        .collect();
    out.sort_unstable();
    out
}

fn now(h: &Harness) -> i64 {
    h.now().unix_timestamp()
}

/// A UTRN sent by DUIS and one typed at the keypad, then the first replayed: the log holds the
/// two accepted top-ups, with the times the meter accepted them and their values.
fn two_top_ups_and_a_replay(device: &str) {
    let mut h = Harness::new_world();
    let start = now(&h);
    assert_eq!(credits(&mut h, device, start - 3600, start), []);

    let remote = token(&h, device, 3, 1250);
    assert_eq!(top_up(&mut h, device, &remote).as_deref(), Some("I0"));
    h.advance(Duration::from_secs(3600));
    let keypad = token(&h, device, 4, 500);
    h.enter_utrn(device, &keypad);
    h.run_until_idle();
    h.advance(Duration::from_secs(3600));
    // Replayed in a new request: refused, nothing logged.
    assert_ne!(top_up(&mut h, device, &remote).as_deref(), Some("I0"));
    // Typed again: refused alike.
    h.enter_utrn(device, &keypad);
    h.run_until_idle();

    let at = accepted_at(&h, device);
    assert_eq!(at.len(), 2, "{at:?}");
    assert!(start <= at[0] && at[0] + 3600 <= at[1], "{at:?}");
    let end = now(&h);
    assert_eq!(
        credits(&mut h, device, start, end),
        [(at[0], 1_250_000), (at[1], 500_000)]
    );
    // A period holding only the keypad top-up.
    assert_eq!(credits(&mut h, device, at[0] + 1, end), [(at[1], 500_000)]);
    // The log survives a restart of the DCC.
    h.restart();
    assert_eq!(
        credits(&mut h, device, start, end),
        [(at[0], 1_250_000), (at[1], 500_000)]
    );
}

#[test]
fn the_esme_credits_log_shows_the_top_ups_it_accepted() {
    two_top_ups_and_a_replay(premises1::ESME);
}

#[test]
fn the_gsme_credits_log_shows_the_top_ups_it_accepted() {
    two_top_ups_and_a_replay(premises1::GSME);
}
