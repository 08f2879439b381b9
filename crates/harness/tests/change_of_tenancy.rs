//! DUIS 3.2 Restrict Access for Change of Tenancy end to end on the simulated clock: the
//! supplier restricts the ESME from an instant; after the DCC restarts, an Other User's
//! unknown-remote-party read of the daily consumption log (4.17, its own certificate in
//! `KAPublicSecurityCredentials`) answers nothing from before the instant, while the supplier's
//! own read still answers everything. A request for a GSME (the gas side goes to the GPF) is
//! refused and changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use base64::Engine;
use gbcs::PublicKey;
use harness::{Harness, premises1, set_text};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const DAY: i64 = 86_400;
const SUPPLIER: &str = "supplier-a";
const OTHER: &str = "other-user";
const LOG: &str = "ECS66_4.17_SUCCESS_REQUEST_DUIS.XML";

fn rfc3339(t: i64) -> String {
    OffsetDateTime::from_unix_timestamp(t)
        .unwrap()
        .format(&Rfc3339)
        .unwrap()
}

/// The daily consumption log of the last ten days as `user` reads it (`urp`: with its own
/// certificate, through the ACB): the number of entries the rendered MMC holds.
fn log_entries(h: &mut Harness, user: &str, urp: bool) -> usize {
    let now = h.now().unix_timestamp();
    let p = h.request(LOG, user, premises1::ESME);
    let xml = set_text(&p.xml, "StartDateTime", &rfc3339(now - 10 * DAY));
    let xml = set_text(&xml, "EndDateTime", &rfc3339(now));
    let xml = if urp {
        let (cert, _) = h.user_ka(user);
        let b64 = base64::engine::general_purpose::STANDARD.encode(cert);
        xml.replacen(
            "</sr:ReadLogPeriod>",
            &format!(
                "</sr:ReadLogPeriod><sr:KAPublicSecurityCredentials>{b64}</sr:KAPublicSecurityCredentials>"
            ),
            1,
        )
    } else {
        xml
    };
    let a = h.send(&h.sign(user, &xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    let r = h.response_for(user, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    let (_, ka) = h.user_ka(user);
    let device_ka = PublicKey::from_certificate_der(&h.device_cert(premises1::ESME, "ka")).unwrap();
    let m = mmc::render(
        &bytes,
        &mmc::Context {
            service_reference: Some("4.17"),
            service_reference_variant: Some("4.17"),
            keys: Some(mmc::Keys {
                requester_ka: &ka,
                device_ka: &device_ka,
            }),
        },
    )
    .unwrap();
    assert!(!m.sealed, "{:?}\n{}", m.notes, m.xml);
    m.xml.matches("<ra:LogEntry>").count()
}

/// The supplier's 3.2 request for `device` from `template`, restricting from `at`; the code
/// delivered (or the synchronous refusal's).
fn restrict(h: &mut Harness, template: &str, device: &str, at: i64) -> Option<String> {
    let p = h.request(template, SUPPLIER, device);
    let xml = set_text(&p.xml, "RestrictionDateTime", &rfc3339(at));
    let a = h.send(&h.sign(SUPPLIER, &xml));
    if a.code.map(|c| c.as_str()) != Some("I99") {
        return a.code.map(|c| c.as_str().to_owned());
    }
    h.run_until_idle();
    h.response_for(SUPPLIER, &p.rid).and_then(|r| r.code())
}

#[test]
fn other_users_read_nothing_from_before_the_restriction_the_supplier_everything() {
    let mut h = Harness::new_world();
    h.advance(Duration::from_secs(8 * 86_400));
    // The harness starts at the wall clock: go on to 18:00 UTC (evening in local time, winter
    // or summer), so that how many midnights follow the cut below does not depend on the time
    // of day the test runs at.
    h.advance_to_time_of_day(18 * 3_600);
    let before_other = log_entries(&mut h, OTHER, true);
    let before_supplier = log_entries(&mut h, SUPPLIER, false);
    assert!(before_other >= 7, "a week of daily entries: {before_other}");
    assert_eq!(before_supplier, before_other);

    let cut = h.now().unix_timestamp() - 3 * DAY - DAY / 2;
    assert_eq!(
        restrict(
            &mut h,
            "ECS12_3.2_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            cut
        )
        .as_deref(),
        Some("I0")
    );
    h.restart();
    assert_eq!(
        h.device_state(premises1::ESME)["tenancy_restriction"],
        serde_json::json!(cut)
    );
    // The three midnights after the cut remain for the Other User; the supplier sees all.
    assert_eq!(log_entries(&mut h, OTHER, true), 3);
    assert_eq!(log_entries(&mut h, SUPPLIER, false), before_supplier);
}

#[test]
fn a_gsme_is_refused_and_nothing_changes() {
    let mut h = Harness::new_world();
    let now = h.now().unix_timestamp();
    let code = restrict(
        &mut h,
        "GCS09_3.2_SUCCESS_REQUEST_DUIS.XML",
        premises1::GSME,
        now,
    );
    assert_eq!(code.as_deref(), Some("E11"));
    assert!(h.device_state(premises1::GSME)["tenancy_restriction"].is_null());
    assert_eq!(h.pending_commands(), 0);
}

#[test]
fn the_gpf_keeps_the_gas_restriction_across_a_restart() {
    let mut h = Harness::new_world();
    let at = h.now().unix_timestamp() - DAY;
    assert_eq!(
        restrict(
            &mut h,
            "GCS09_3.2_SUCCESS_REQUEST_DUIS.XML",
            premises1::GPF,
            at
        )
        .as_deref(),
        Some("I0")
    );
    h.restart();
    assert_eq!(
        h.device_state(premises1::GPF)["tenancy_restriction"],
        serde_json::json!(at)
    );
}
