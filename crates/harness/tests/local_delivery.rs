//! Local delivery (command variants 2, 3 and 6) on the simulated clock: the DCC returns the protected
//! command to the user in `LocalCommand` (I0, synchronously); with CV 2 nothing goes over the
//! SM WAN, with CV 3 the same command is sent too. The returned command is one the device obeys
//! when an installer hands it over on site, and only once (its counter is spent). A DSP
//! future-dated request cannot be returned for local delivery (E12) and changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use base64::Engine as _;
use gbcs::{Cra, Frame};
use harness::{Harness, element_text, premises1, set_text};

const SUPPLIER: &str = "supplier-a";
const READ_NOW: &str = "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML";
const DSP_FUTURE_DATED: &str = "ECS17b_4.1.1_DSP_FUTURE_DATED_REQUEST_DUIS.XML";

/// 4.1.1 from the supplier to premises 1's ESME with command variant `cv`, signed and sent.
fn read(h: &mut Harness, template: &str, cv: &str) -> (harness::Prepared, dcc::gateway::Answer) {
    let p = h.request(template, SUPPLIER, premises1::ESME);
    let xml = set_text(&p.xml, "CommandVariant", cv);
    let signed = h.sign(SUPPLIER, &xml);
    let a = h.send(&signed);
    (p, a)
}

/// The `GBCSPayload` of an answer (`LocalCommand` or `PreCommand`).
fn local_command(body: &str) -> Vec<u8> {
    let b64 = element_text(body, "GBCSPayload").expect("a LocalCommand GBCSPayload");
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .unwrap()
}

fn responses(h: &Harness, rid: &str) -> Vec<String> {
    h.delivered_to(SUPPLIER)
        .into_iter()
        .filter(|d| d.kind == "response" && d.request_id().as_deref() == Some(rid))
        .map(|d| d.code().unwrap())
        .collect()
}

#[test]
fn cv2_returns_the_command_for_local_delivery_and_sends_nothing() {
    let mut h = Harness::new_world();
    let (p, a) = read(&mut h, READ_NOW, "2");
    assert_eq!(a.code.map(|c| c.as_str()), Some("I0"), "{}", a.body);
    h.check_signed(&a.body);
    assert!(a.body.contains("LocalCommand"), "{}", a.body);
    assert_eq!(h.pending_commands(), 0, "nothing goes over the SM WAN");

    // The command is the user's 4.1.1 (ECS17b) to the ESME with the RequestID counter, MAC'd.
    let command = local_command(&a.body);
    let frame = Frame::decode(&command).unwrap();
    assert!(matches!(frame, Frame::Ciphered(_)), "MAC'd for the device");
    let apdu = frame.apdu();
    assert_eq!(apdu.cra, Cra::Command);
    assert_eq!(apdu.counter, p.counter);
    assert_eq!(apdu.originator, h.user_eui(SUPPLIER));
    assert_eq!(apdu.recipient.to_string(), premises1::ESME);
    assert_eq!(apdu.message_code(), gbcs::MessageCode::ECS17B);

    // Handed over on site, the device obeys it once.
    let answer = h
        .deliver_locally(premises1::ESME, &command)
        .expect("the device answers the locally delivered command");
    let response = Frame::decode(&answer).unwrap();
    assert_eq!(response.apdu().cra, Cra::Response);
    assert_eq!(response.apdu().counter, p.counter);
    assert!(
        h.deliver_locally(premises1::ESME, &command).is_none(),
        "a second delivery is a replay the device refuses"
    );

    // The DCC delivers nothing for it, however long we wait; the RequestID is spent.
    h.advance(Duration::from_secs(3600));
    assert!(responses(&h, &p.rid).is_empty());
    let again = h.send(&h.sign(SUPPLIER, &set_text(&p.xml, "CommandVariant", "2")));
    assert_ne!(again.code.map(|c| c.as_str()), Some("I0"), "{}", again.body);
}

#[test]
fn cv3_returns_the_command_and_sends_the_same_over_the_wan() {
    let mut h = Harness::new_world();
    let (p, a) = read(&mut h, READ_NOW, "3");
    assert_eq!(a.code.map(|c| c.as_str()), Some("I0"), "{}", a.body);
    h.check_signed(&a.body);
    let command = local_command(&a.body);
    assert_eq!(Frame::decode(&command).unwrap().apdu().counter, p.counter);
    h.run_until_idle();
    assert_eq!(responses(&h, &p.rid), vec!["I0".to_string()]);
    // The WAN copy reached the device first: the local copy is a replay.
    assert!(h.deliver_locally(premises1::ESME, &command).is_none());
}

#[test]
fn a_dsp_future_dated_request_is_not_returned_for_local_delivery() {
    let mut h = Harness::new_world();
    let p = h.request(DSP_FUTURE_DATED, SUPPLIER, premises1::ESME);
    let at = h.now() + Duration::from_secs(3600);
    let xml = set_text(
        &set_text(&p.xml, "CommandVariant", "2"),
        "ExecutionDateTime",
        &at.format(&time::format_description::well_known::Rfc3339)
            .unwrap(),
    );
    let a = h.send(&h.sign(SUPPLIER, &xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("E12"), "{}", a.body);
    assert_eq!(h.pending_commands(), 0);
    // Nothing changed: the same RequestID is still free for a request that may be returned.
    let p2 = h.request(READ_NOW, SUPPLIER, premises1::ESME);
    let rid_xml = set_text(&p2.xml, "RequestID", &p.rid);
    let ok = h.send(&h.sign(SUPPLIER, &set_text(&rid_xml, "CommandVariant", "2")));
    assert_eq!(ok.code.map(|c| c.as_str()), Some("I0"), "{}", ok.body);
}

/// A 7.2 signed pre-command with command variant `cv` (6: local delivery only).
fn signed_precommand_request(rid: &str, cv: u8, payload: &[u8]) -> String {
    format!(
        concat!(
            r#"<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4">"#,
            "<sr:Header><sr:RequestID>{}</sr:RequestID><sr:CommandVariant>{}</sr:CommandVariant>",
            "<sr:ServiceReference>7.2</sr:ServiceReference>",
            "<sr:ServiceReferenceVariant>7.2</sr:ServiceReferenceVariant></sr:Header>",
            "<sr:Body><sr:SignedPreCommand><sr:GBCSPayload>{}</sr:GBCSPayload></sr:SignedPreCommand>",
            "</sr:Body></sr:Request>"
        ),
        rid,
        cv,
        base64::engine::general_purpose::STANDARD.encode(payload)
    )
}

#[test]
fn cv6_returns_the_signed_critical_command_which_the_meter_obeys_on_site() {
    let mut h = Harness::new_world();
    let p = h.request(
        "GCS32_7.2_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        premises1::GSME,
    );
    let a = h.send(&h.sign(SUPPLIER, &p.xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I0"), "{}", a.body);
    let pre = local_command(&a.body);
    let signed = h.sign_precommand(SUPPLIER, &pre);
    let a = h.send(&h.sign(SUPPLIER, &signed_precommand_request(&p.rid, 6, &signed)));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I0"), "{}", a.body);
    h.check_signed(&a.body);
    assert!(a.body.contains("LocalCommand"), "{}", a.body);
    assert_eq!(h.pending_commands(), 0, "nothing goes over the SM WAN");
    let command = local_command(&a.body);
    // The user's signature travels with it: the GSME closes its valve when handed it.
    assert_eq!(h.device_state(premises1::GSME)["supply"], "Enabled");
    assert!(h.deliver_locally(premises1::GSME, &command).is_some());
    assert_ne!(h.device_state(premises1::GSME)["supply"], "Enabled");
    h.advance(Duration::from_secs(3600));
    assert!(responses(&h, &p.rid).is_empty());
}
