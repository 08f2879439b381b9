//! Local delivery (command variants 2, 3, 6 and 7) on the simulated clock: the DCC returns the
//! protected command to the user in `LocalCommand` (I0, synchronously); with CV 2 and 6 nothing
//! goes over the SM WAN, with CV 3 and 7 the same command is sent too. The returned command is
//! one the device obeys when an installer hands it over on site, and only once (its counter is
//! spent); a device refuses a command for another device. A DSP future-dated request cannot be
//! returned for local delivery (E12) and changes nothing. 8.13 Return Local Command Response:
//! the device's answer, handed back by the user whose command it was, becomes the DUIS response
//! to the original request, once; anything else (twice, another user's, a tampered or foreign
//! response, a request not returned for local delivery) gets an E0813xx code and changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use base64::Engine as _;
use gbcs::{Cra, Frame};
use harness::{DCC_EUI, Harness, element_text, premises1, set_text};

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

/// The critical 7.2 Disable Supply to the GSME: CV 4, the supplier's signature, then the signed
/// pre-command with command variant `cv` (6 or 7); the RequestID and the answer.
fn disable_gas_supply(h: &mut Harness, cv: u8) -> (harness::Prepared, dcc::gateway::Answer) {
    let p = h.request(
        "GCS32_7.2_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        premises1::GSME,
    );
    let a = h.send(&h.sign(SUPPLIER, &p.xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I0"), "{}", a.body);
    let pre = local_command(&a.body);
    let signed = h.sign_precommand(SUPPLIER, &pre);
    let a = h.send(&h.sign(SUPPLIER, &signed_precommand_request(&p.rid, cv, &signed)));
    (p, a)
}

#[test]
fn cv7_returns_the_signed_critical_command_and_sends_it_over_the_wan() {
    let mut h = Harness::new_world();
    let (p, a) = disable_gas_supply(&mut h, 7);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I0"), "{}", a.body);
    h.check_signed(&a.body);
    assert!(a.body.contains("LocalCommand"), "{}", a.body);
    assert_eq!(
        h.pending_commands(),
        1,
        "the same command goes over the SM WAN"
    );
    let command = local_command(&a.body);
    let apdu = Frame::decode(&command).unwrap().apdu().clone();
    assert_eq!(apdu.counter, p.counter);
    assert_eq!(apdu.message_code(), gbcs::MessageCode::GCS32);
    h.run_until_idle();
    assert_eq!(responses(&h, &p.rid), vec!["I0".to_string()]);
    assert_ne!(h.device_state(premises1::GSME)["supply"], "Enabled");
    // The WAN copy was obeyed: the local copy is a replay.
    assert!(h.deliver_locally(premises1::GSME, &command).is_none());
}

#[test]
fn a_device_refuses_a_command_for_another_device() {
    let mut h = Harness::new_world();
    let (_, a) = disable_gas_supply(&mut h, 6);
    let command = local_command(&a.body);
    let mut esme = h.device_state(premises1::ESME);
    assert!(h.deliver_locally(premises1::ESME, &command).is_none());
    // Nothing changed but the security record of the refusal.
    let mut after = h.device_state(premises1::ESME);
    let refused = after["event_log"].as_array_mut().unwrap().pop().unwrap();
    assert_eq!(
        refused["kind"]["CommandRefused"]["refusal"], "NotForThisDevice",
        "{refused}"
    );
    esme["event_log"]
        .as_array_mut()
        .unwrap()
        .truncate(after["event_log"].as_array().unwrap().len());
    assert_eq!(after, esme, "nothing else changed");
    // The GSME it is for still obeys it.
    assert!(h.deliver_locally(premises1::GSME, &command).is_some());
}

/// An 8.13 request from `user` returning `response`, naming `original` if given; signed, sent.
fn return_response(
    h: &mut Harness,
    user: &str,
    original: Option<&str>,
    response: &[u8],
) -> dcc::gateway::Answer {
    let p = h.request(
        "8.13_RETURN_LOCAL_COMMAND_RESPONSE_CS06_REQUEST_DUIS.XML",
        user,
        &DCC_EUI.to_string(),
    );
    let mut xml = set_text(
        &p.xml,
        "DeviceGBCSResponse",
        &base64::engine::general_purpose::STANDARD.encode(response),
    );
    match original {
        Some(o) => xml = set_text(&xml, "OriginalRequestID", o),
        None => {
            let a = xml.find("<sr:OriginalRequestID>").unwrap();
            let b = xml.find("</sr:OriginalRequestID>").unwrap() + "</sr:OriginalRequestID>".len();
            xml.replace_range(a..b, "");
        }
    }
    h.send(&h.sign(user, &xml))
}

fn code(a: &dcc::gateway::Answer) -> Option<&'static str> {
    a.code.map(|c| c.as_str())
}

#[test]
fn the_response_to_a_cv2_read_is_returned_once_as_the_duis_response() {
    let mut h = Harness::new_world();
    let (p, a) = read(&mut h, READ_NOW, "2");
    let command = local_command(&a.body);
    let response = h.deliver_locally(premises1::ESME, &command).unwrap();

    // Not the user's: another supplier cannot return it, and that changes nothing.
    let other = return_response(&mut h, "supplier-b", Some(&p.rid), &response);
    assert_eq!(code(&other), Some("E081301"), "{}", other.body);

    // The user returns it: the DUIS response to the original request, as over the WAN.
    let r = return_response(&mut h, SUPPLIER, Some(&p.rid), &response);
    assert_eq!(code(&r), Some("I0"), "{}", r.body);
    h.check_signed(&r.body);
    assert_eq!(
        element_text(&r.body, "RequestID").as_deref(),
        Some(p.rid.as_str())
    );
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(element_text(&r.body, "GBCSPayload").unwrap().trim())
            .unwrap(),
        response
    );

    // Twice: refused, with or without the OriginalRequestID.
    let again = return_response(&mut h, SUPPLIER, Some(&p.rid), &response);
    assert_eq!(code(&again), Some("E081302"), "{}", again.body);
    let again = return_response(&mut h, SUPPLIER, None, &response);
    assert_eq!(code(&again), Some("E081302"), "{}", again.body);
    // Across a restart too; and nothing reaches the user's inbox for it.
    h.restart();
    let again = return_response(&mut h, SUPPLIER, Some(&p.rid), &response);
    assert_eq!(code(&again), Some("E081302"), "{}", again.body);
    h.run_until_idle();
    assert!(responses(&h, &p.rid).is_empty());
}

#[test]
fn a_response_that_does_not_answer_the_returned_command_is_refused() {
    let mut h = Harness::new_world();
    let (p, a) = read(&mut h, READ_NOW, "2");
    let command = local_command(&a.body);
    let response = h.deliver_locally(premises1::ESME, &command).unwrap();
    // Named against another request of the user's (sent over the WAN, not returned).
    let (p1, a1) = read(&mut h, READ_NOW, "1");
    assert_eq!(code(&a1), Some("I99"), "{}", a1.body);
    let r = return_response(&mut h, SUPPLIER, Some(&p1.rid), &response);
    assert_eq!(code(&r), Some("E081301"), "{}", r.body);
    // A request that does not exist.
    let missing = format!(
        "{}:{}:{}",
        h.user_eui(SUPPLIER),
        premises1::ESME,
        p.counter + 1000
    );
    let r = return_response(&mut h, SUPPLIER, Some(&missing), &response);
    assert_eq!(code(&r), Some("E081301"), "{}", r.body);
    // Not a GBCS response at all, or the command itself.
    let r = return_response(&mut h, SUPPLIER, Some(&p.rid), &[0xDD, 0, 1]);
    assert_eq!(code(&r), Some("E081303"), "{}", r.body);
    let r = return_response(&mut h, SUPPLIER, Some(&p.rid), &command);
    assert_eq!(code(&r), Some("E081303"), "{}", r.body);
    // The real one is still accepted once.
    let r = return_response(&mut h, SUPPLIER, Some(&p.rid), &response);
    assert_eq!(code(&r), Some("I0"), "{}", r.body);
}

#[test]
fn the_signed_response_to_a_cv6_command_is_verified_and_returned() {
    let mut h = Harness::new_world();
    let (p, a) = disable_gas_supply(&mut h, 6);
    assert_eq!(code(&a), Some("I0"), "{}", a.body);
    let command = local_command(&a.body);
    let response = h.deliver_locally(premises1::GSME, &command).unwrap();
    assert!(
        matches!(Frame::decode(&response).unwrap(), Frame::Signing(_)),
        "a signed command is answered signed"
    );
    // A tampered signature does not verify.
    let mut tampered = response.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    let r = return_response(&mut h, SUPPLIER, Some(&p.rid), &tampered);
    assert_eq!(code(&r), Some("E081303"), "{}", r.body);
    // Without OriginalRequestID: the response's header names the request.
    let r = return_response(&mut h, SUPPLIER, None, &response);
    assert_eq!(code(&r), Some("I0"), "{}", r.body);
    assert_eq!(
        element_text(&r.body, "RequestID").as_deref(),
        Some(p.rid.as_str())
    );
    let r = return_response(&mut h, SUPPLIER, None, &response);
    assert_eq!(code(&r), Some("E081302"), "{}", r.body);
}

#[test]
fn a_cv3_response_returned_before_the_wan_copy_arrives_answers_once() {
    let mut h = Harness::new_world();
    let (p, a) = read(&mut h, READ_NOW, "3");
    let command = local_command(&a.body);
    // The installer is quicker than the SM WAN.
    let response = h.deliver_locally(premises1::ESME, &command).unwrap();
    let r = return_response(&mut h, SUPPLIER, Some(&p.rid), &response);
    assert_eq!(code(&r), Some("I0"), "{}", r.body);
    h.run_until_idle();
    assert_eq!(h.pending_commands(), 0);
    assert!(
        responses(&h, &p.rid).is_empty(),
        "the WAN copy is not sent: the user was answered once"
    );
}
