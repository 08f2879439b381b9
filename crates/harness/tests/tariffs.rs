//! Family 1 tariffs and prices on the ESME end to end on a simulated clock: a critical write
//! (CV 4 pre-command, the supplier's signature, CV 5) carried to the emulated meter, then the
//! read services showing what it changed, across a restart of the DCC.
//!
//! * 1.1.1 Update Import Tariff (Primary Element) and 1.2.1 Update Price (Primary Element)
//!   written now: 4.11.1 Read Tariff (Primary Element) shows the new prices, thresholds and
//!   standing charge after a restart.
//! * A future-dated 1.1.1 whose calendar switches to TOU rate 3 at 16:00: held by the meter,
//!   made at its time with one 8F66 alert per component (six) delivered to the supplier for the
//!   request; 4.1.2's TOU registers then follow it: rate 3 advances from 16:00 and rate 1 stops.
//! * A tariff the DCC refuses (two switching times at once; a past execution time) changes
//!   nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use dcc::gateway::Answer;
use gbcs::PublicKey;
use harness::{Delivered, Harness, premises1};
use time::format_description::well_known::Rfc3339;

const SUPPLIER: &str = "supplier-a";
const ESME: &str = premises1::ESME;

fn acknowledged(a: &Answer) {
    assert_eq!(a.http_status, 200, "{}", a.body);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
}

/// The device's answer rendered as MMC (opened with the supplier's key).
fn render(h: &Harness, r: &Delivered, srv: &str) -> String {
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    let (_, ka) = h.user_ka(SUPPLIER);
    let device_ka = PublicKey::from_certificate_der(&h.device_cert(ESME, "ka")).unwrap();
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

/// A 1.1 / 1.2 request (the template edited by `edit`) through CV 4 and 5; the request id and
/// the meter's answer (I0) rendered as `element`. `held`: future-dated (the clock is not run on
/// to the held update's time).
fn update(
    h: &mut Harness,
    template: &str,
    srv: &str,
    edit: impl Fn(&str) -> String,
    held: bool,
    element: &str,
) -> String {
    let p = h.request(template, SUPPLIER, ESME);
    let a = h.send(&h.sign(SUPPLIER, &edit(&p.xml)));
    h.return_signed_precommand(SUPPLIER, &p.rid, srv, &a);
    if held {
        h.advance(Duration::from_secs(5));
    } else {
        h.run_until_idle();
    }
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .expect("the meter's answer");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let xml = render(h, &r, srv);
    assert!(xml.contains(element), "{xml}");
    p.rid
}

/// A non-critical read of the ESME, answered I0, rendered.
fn read(h: &mut Harness, template: &str, srv: &str) -> String {
    let (p, a) = h.device_request(SUPPLIER, template, ESME);
    acknowledged(&a);
    h.run_until_idle();
    let r = h.response_for(SUPPLIER, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    render(h, &r, srv)
}

/// The text of the `name` element with `index="i"`.
fn indexed(xml: &str, name: &str, i: usize) -> i64 {
    let open = format!("<ra:{name} index=\"{i}\">");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no {name} {i} in {xml}"))
        + open.len();
    let end = xml[start..].find('<').unwrap() + start;
    xml[start..end].parse().unwrap()
}

fn tariff_read(h: &mut Harness) -> String {
    read(h, "ECS24_4.11.1_SUCCESS_REQUEST_DUIS.XML", "4.11.1")
}

#[test]
fn a_written_tariff_and_prices_read_back_across_a_restart() {
    let mut h = Harness::new_world();
    let before = tariff_read(&mut h);
    assert_ne!(indexed(&before, "TariffTOUPrice", 1), 2345);
    update(
        &mut h,
        "ECS01a_1.1.1_IMMEDIATE_BLOCK_SUCCESS_REQUEST_DUIS.XML",
        "1.1.1",
        |x| {
            x.replace(">1361<", ">2345<")
                .replace(">20000</sr:BlockThreshold>", ">25000</sr:BlockThreshold>")
        },
        false,
        "UpdateImportTariffPrimaryElementRsp",
    );
    h.restart();
    let after = tariff_read(&mut h);
    // Block 1 of rate 1, and rate 1's second threshold.
    assert!(after.contains(">2345<"), "{after}");
    assert!(after.contains(">25000<"), "{after}");
    // 1.2.1: new TOU prices and standing charge.
    update(
        &mut h,
        "ECS01b_1.2.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML",
        "1.2.1",
        |x| {
            x.replace(">3221<", ">3333<")
                .replace(">20000</sr:StandingCharge>", ">17000</sr:StandingCharge>")
        },
        false,
        "UpdatePricePrimaryElementRsp",
    );
    h.restart();
    let after = tariff_read(&mut h);
    assert_eq!(indexed(&after, "TariffTOUPrice", 1), 3333, "{after}");
    assert!(after.contains("<ra:StandingCharge>17000<"), "{after}");
    // A tariff with two switching times at once does not conform (the DCC refuses it as it does
    // a schema violation): nothing changes.
    let p = h.request(
        "ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        ESME,
    );
    let bad = p.xml.replacen("07:00:00.00Z", "00:00:00.00Z", 1);
    let a = h.send(&h.sign(SUPPLIER, &bad));
    assert_ne!(a.http_status, 200, "{}", a.body);
    assert!(a.body.contains("two switching times"), "{}", a.body);
    h.run_until_idle();
    let body = |x: &str| x[x.find("<ra:Body>").unwrap()..].to_owned();
    assert_eq!(body(&tariff_read(&mut h)), body(&after));
}

/// The day profiles of a template replaced by three that run TOU rate 1 from midnight and TOU
/// rate 3 from 16:00.
fn switch_at_four(xml: &str) -> String {
    let a = xml.find("<sr:DayProfiles>").unwrap();
    let b = xml.find("</sr:DayProfiles>").unwrap() + "</sr:DayProfiles>".len();
    let day = |n: u8| {
        format!(
            "<sr:DayProfile><sr:DayName>{n}</sr:DayName><sr:ProfileSchedule><sr:StartTime>00:00:00.00Z</sr:StartTime><sr:TOUTariffAction>1</sr:TOUTariffAction></sr:ProfileSchedule><sr:ProfileSchedule><sr:StartTime>16:00:00.00Z</sr:StartTime><sr:TOUTariffAction>3</sr:TOUTariffAction></sr:ProfileSchedule></sr:DayProfile>"
        )
    };
    format!(
        "{}<sr:DayProfiles>{}{}{}</sr:DayProfiles>{}",
        &xml[..a],
        day(1),
        day(2),
        day(3),
        &xml[b..]
    )
}

fn tou(h: &mut Harness) -> (i64, i64) {
    let x = read(h, "ECS17d_4.1.2_SINGLE_SUCCESS_REQUEST_DUIS.XML", "4.1.2");
    (
        indexed(&x, "TOUPrimaryRegisterValue", 1),
        indexed(&x, "TOUPrimaryRegisterValue", 3),
    )
}

#[test]
fn a_future_dated_tariff_is_made_at_its_time_and_the_tou_registers_follow_it() {
    let mut h = Harness::new_world();
    // To 10:00 UTC of the next day, whatever time the harness started at.
    let now = h.now();
    let ten =
        (now + Duration::from_secs(86_400)).replace_time(time::Time::from_hms(10, 0, 0).unwrap());
    h.advance((ten - now).try_into().unwrap());
    let at = ten + Duration::from_secs(2 * 3600);
    let before = h.device_state(ESME)["reads"]["tariff"].clone();
    let rid = update(
        &mut h,
        "ECS01a_1.1.1_FUTURE_DATED_TOU_BLOCK_SUCCESS_REQUEST_DUIS.XML",
        "1.1.1",
        |x| {
            harness::set_text(
                &switch_at_four(x),
                "ExecutionDateTime",
                &at.format(&Rfc3339).unwrap(),
            )
        },
        true,
        "UpdateImportTariffPrimaryElementRsp",
    );
    assert_eq!(h.device_state(ESME)["reads"]["tariff"], before, "held");
    // A past execution time is refused (E12) and changes nothing.
    let p = h.request(
        "ECS01a_1.1.1_FUTURE_DATED_TOU_BLOCK_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        ESME,
    );
    let past = harness::set_text(&p.xml, "ExecutionDateTime", "2020-01-01T00:00:00Z");
    let a = h.send(&h.sign(SUPPLIER, &past));
    assert_eq!(a.code.map(|c| c.as_str()), Some("E12"), "{}", a.body);
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
    // 15:55: the new tariff is in force (from 12:00), rate 3 not yet.
    h.advance(Duration::from_secs(5 * 3600 + 55 * 60) - Duration::from_secs(5));
    assert_ne!(h.device_state(ESME)["reads"]["tariff"], before, "made");
    let got = alerts(&h);
    assert_eq!(got.len(), 6, "one per component: {got:#?}");
    for g in &got {
        assert_eq!(
            harness::element_text(&g.xml, "FutureDatedAlertCode").as_deref(),
            Some("8F66")
        );
    }
    let (r1_a, r3_a) = tou(&mut h);
    assert_eq!(r3_a, 0, "no rate 3 before 16:00");
    // 17:00: rate 3 has the hour since 16:00, rate 1 only the minutes before it.
    let now = h.now();
    let five = now.replace_time(time::Time::from_hms(17, 0, 0).unwrap());
    h.advance((five - now).try_into().unwrap());
    let (r1_b, r3_b) = tou(&mut h);
    assert!(r3_b > 0, "rate 3 advanced after 16:00");
    assert!(
        r1_b - r1_a < r3_b,
        "rate 1 stopped at 16:00: {r1_a} -> {r1_b}, rate 3 {r3_b}"
    );
}
