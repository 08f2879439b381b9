//! Future dating on the simulated clock. DSP future dated (4.1.1 with an `ExecutionDateTime`):
//! acknowledged at once with I99, held by the DCC, sent at the execution time, answered exactly
//! once (across a restart too), without blocking the device's other commands meanwhile; a past
//! execution time is refused (E12) and nothing is queued.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use harness::{Delivered, Harness, premises1, set_text};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const SUPPLIER: &str = "supplier-a";
const DSP_FUTURE_DATED: &str = "ECS17b_4.1.1_DSP_FUTURE_DATED_REQUEST_DUIS.XML";
const READ_NOW: &str = "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML";

fn xs(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

/// A signed DSP future-dated 4.1.1 from `user` to premises 1's ESME, executing at `at`.
fn future_read(h: &mut Harness, user: &str, at: OffsetDateTime) -> (String, dcc::gateway::Answer) {
    let p = h.request(DSP_FUTURE_DATED, user, premises1::ESME);
    let xml = set_text(&p.xml, "ExecutionDateTime", &xs(at));
    let signed = h.sign(user, &xml);
    let a = h.send(&signed);
    (p.rid, a)
}

/// A 7.2 signed pre-command (CV 5), with an `ExecutionDateTime` if `at` is given.
fn signed_precommand_request(rid: &str, payload: &[u8], at: Option<&str>) -> String {
    use base64::Engine as _;
    let at = at
        .map(|t| format!("<sr:ExecutionDateTime>{t}</sr:ExecutionDateTime>"))
        .unwrap_or_default();
    format!(
        concat!(
            r#"<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4">"#,
            "<sr:Header><sr:RequestID>{}</sr:RequestID><sr:CommandVariant>5</sr:CommandVariant>",
            "<sr:ServiceReference>7.2</sr:ServiceReference>",
            "<sr:ServiceReferenceVariant>7.2</sr:ServiceReferenceVariant></sr:Header>",
            "<sr:Body><sr:SignedPreCommand>{}<sr:GBCSPayload>{}</sr:GBCSPayload></sr:SignedPreCommand>",
            "</sr:Body></sr:Request>"
        ),
        rid,
        at,
        base64::engine::general_purpose::STANDARD.encode(payload)
    )
}

fn responses(h: &Harness, user: &str, rid: &str) -> Vec<String> {
    h.delivered_to(user)
        .into_iter()
        .filter(|d| d.kind == "response" && d.request_id().as_deref() == Some(rid))
        .map(|d| d.code().unwrap())
        .collect()
}

#[test]
fn a_dsp_future_dated_read_is_held_until_its_time_and_answered_once() {
    let mut h = Harness::new_world();
    let at = h.now() + Duration::from_secs(3600);
    let (rid, a) = future_read(&mut h, SUPPLIER, at);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    assert_eq!(h.pending_commands(), 1);
    // Just before the execution time: nothing sent, nothing delivered.
    h.advance(Duration::from_secs(3599));
    assert!(responses(&h, SUPPLIER, &rid).is_empty());
    assert_eq!(h.pending_commands(), 1);
    // Past it: the device's answer, once.
    h.advance(Duration::from_secs(2));
    assert_eq!(responses(&h, SUPPLIER, &rid), vec!["I0".to_string()]);
    h.advance(Duration::from_secs(3600));
    assert_eq!(responses(&h, SUPPLIER, &rid), vec!["I0".to_string()]);
    assert_eq!(h.pending_commands(), 0);
}

#[test]
fn a_restart_while_held_still_answers_once_at_the_time() {
    let mut h = Harness::new_world();
    let at = h.now() + Duration::from_secs(600);
    let (rid, a) = future_read(&mut h, SUPPLIER, at);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"));
    h.advance(Duration::from_secs(300));
    h.restart();
    h.advance(Duration::from_secs(299));
    assert!(responses(&h, SUPPLIER, &rid).is_empty());
    h.advance(Duration::from_secs(2));
    // A restart just after the answer went out changes nothing either.
    h.restart();
    h.run_until_idle();
    assert_eq!(responses(&h, SUPPLIER, &rid), vec!["I0".to_string()]);
}

#[test]
fn a_held_read_does_not_block_the_meters_other_commands() {
    let mut h = Harness::new_world();
    let at = h.now() + Duration::from_secs(3600);
    let (held, _) = future_read(&mut h, SUPPLIER, at);
    // The distributor reads the same meter now: answered at once.
    let (p, a) = h.device_request("distributor", READ_NOW, premises1::ESME);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"));
    h.advance(Duration::from_secs(1));
    assert_eq!(responses(&h, "distributor", &p.rid), vec!["I0".to_string()]);
    assert!(responses(&h, SUPPLIER, &held).is_empty());
    h.advance(Duration::from_secs(3600));
    assert_eq!(responses(&h, SUPPLIER, &held), vec!["I0".to_string()]);
}

#[test]
fn a_past_or_present_execution_time_is_refused_and_changes_nothing() {
    let mut h = Harness::new_world();
    let p = h.request(DSP_FUTURE_DATED, SUPPLIER, premises1::ESME);
    for at in [h.now() - Duration::from_secs(1), h.now()] {
        let xml = set_text(&p.xml, "ExecutionDateTime", &xs(at));
        let a = h.send(&h.sign(SUPPLIER, &xml));
        assert_eq!(a.code.map(|c| c.as_str()), Some("E12"), "{}", a.body);
        assert!(
            a.error
                .as_ref()
                .is_some_and(|e| e.to_string().contains("ExecutionDateTime")),
            "{:?}",
            a.error
        );
    }
    assert_eq!(h.pending_commands(), 0);
    h.run_until_idle();
    assert!(h.delivered_to(SUPPLIER).is_empty());
    // Nothing was recorded, not even the counter: the same request corrected is accepted.
    let xml = set_text(
        &p.xml,
        "ExecutionDateTime",
        &xs(h.now() + Duration::from_secs(60)),
    );
    let a = h.send(&h.sign(SUPPLIER, &xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.advance(Duration::from_secs(61));
    assert_eq!(responses(&h, SUPPLIER, &p.rid), vec!["I0".to_string()]);
}

#[test]
fn an_execution_time_for_a_variant_that_cannot_be_future_dated_is_refused() {
    // 7.2 Disable Supply (pattern No): its signed pre-command (CV 5) may carry an
    // ExecutionDateTime by the schema, but the matrix does not let it be future dated.
    let mut h = Harness::new_world();
    let p = h.request(
        "GCS32_7.2_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        premises1::GSME,
    );
    let a = h.send(&h.sign(SUPPLIER, &p.xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I0"), "{}", a.body);
    let pre = Delivered {
        delivery_id: 0,
        kind: "response".into(),
        xml: a.body.clone(),
    }
    .gbcs_payload()
    .expect("a pre-command");
    let signed = h.sign_precommand(SUPPLIER, &pre);
    let at = xs(h.now() + Duration::from_secs(60));
    let cv5 = signed_precommand_request(&p.rid, &signed, Some(&at));
    let a = h.send(&h.sign(SUPPLIER, &cv5));
    assert_eq!(a.code.map(|c| c.as_str()), Some("E12"), "{}", a.body);
    assert_eq!(h.pending_commands(), 0);
    // Without it, the same signed pre-command is accepted and sent at once.
    let cv5 = signed_precommand_request(&p.rid, &signed, None);
    let a = h.send(&h.sign(SUPPLIER, &cv5));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
}

/// Device future dated: a GCS32 carrying an implementation date-time an hour ahead (queued as
/// the gateway would: 7.2 cannot be future dated through DUIS, but the GSME honours the time).
fn queue_future_close(h: &mut Harness, at: OffsetDateTime) -> String {
    let p = h.request(
        "GCS32_7.2_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        premises1::GSME,
    );
    let header = gbcs::usecases::CommandHeader::new(
        h.user_eui(SUPPLIER),
        premises1::GSME.parse().unwrap(),
        p.counter,
    );
    let zigbee = gbcs::UtcDateTime::from_unix(at.unix_timestamp())
        .unwrap()
        .to_zigbee_utc()
        .unwrap();
    let pre = gbcs::usecases::gcs32_disable_supply_at(&header, 0x1C37_4A80, zigbee).unwrap();
    h.queue_command(SUPPLIER, premises1::GSME, duis::Srv::V7_2, p.counter, pre);
    p.rid
}

fn valve(h: &Harness) -> String {
    h.device_state(premises1::GSME)["supply"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_device_future_dated_gcs32_is_acknowledged_then_reported_at_its_time() {
    let mut h = Harness::new_world();
    let at = h.now() + Duration::from_secs(3600);
    let rid = queue_future_close(&mut h, at);
    // The device's acknowledgement: the Supply Status Response, at once; the valve still open.
    h.advance(Duration::from_secs(1));
    assert_eq!(responses(&h, SUPPLIER, &rid), vec!["I0".to_string()]);
    assert_eq!(valve(&h), "Enabled");
    h.advance(Duration::from_secs(3597));
    assert_eq!(valve(&h), "Enabled");
    let alerts = |h: &Harness| {
        h.delivered_to(SUPPLIER)
            .into_iter()
            .filter(|d| d.xml.contains("FutureDatedDeviceAlertMessage"))
            .collect::<Vec<_>>()
    };
    assert!(alerts(&h).is_empty());
    // At the time: the valve closes and the supplier gets the outcome, once, for its request.
    h.restart();
    h.advance(Duration::from_secs(5));
    assert_eq!(valve(&h), "Disabled");
    let got = alerts(&h);
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0].request_id().as_deref(), Some(rid.as_str()));
    assert_eq!(
        harness::element_text(&got[0].xml, "FutureDatedAlertCode").as_deref(),
        Some("8F66")
    );
    h.restart();
    h.run_until_idle();
    assert_eq!(alerts(&h).len(), 1, "exactly once");
}
