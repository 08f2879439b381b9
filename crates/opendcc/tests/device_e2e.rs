//! End-to-end tests of a device request's whole path through the demo: acknowledged at once
//! (I99), transformed and carried over the emulated SM WAN to the emulated meter, and the meter's
//! answer delivered as a DCC-signed DUIS response to the user's Receive Response Service.
//!
//! These are the real-socket, real-process smoke tests of the family (TLS or HTTP listener,
//! HTTP delivery, restarts). The behaviour of each device service, WAN faults, retries,
//! deadlines and failure answers are tested on the simulated clock in `crates/harness`.

mod common;

use std::time::Duration;

use common::*;

/// A demo with a fast emulated WAN and fast delivery retries.
fn fast_demo() -> Demo {
    Demo::start_fast(&[])
}

/// `opendcc wan fault --data DIR --chf CHF FAULT`.
fn wan_fault(demo: &Demo, chf: &str, fault: &str) {
    demo.wan_fault(chf, fault);
}

#[test]
fn read_firmware_answer_is_delivered_to_the_receive_response_service() {
    let demo = fast_demo();
    let sink = demo.response_sink();
    demo.set_response_url("supplier-a", sink.url());

    let p = demo.signed_request(tpl::READ_FIRMWARE_ESME, "supplier-a", premises1::ESME, None);
    demo.submit("supplier-a", &p)
        .duis()
        .assert_code("I99", &p.rid);

    let d = sink.wait_for(DELIVERY_WAIT, |d| d.body.contains(&p.rid));
    assert_eq!(d.path, "/rrs");
    assert!(d.content_type.starts_with("application/xml"), "{d:?}");
    assert!(d.delivery_id.is_some(), "deliveries carry their id");
    let r = DuisResponse::checked(&d.body, &demo.dcc_signing_cert());
    r.assert_code("I0", &p.rid);
    assert_eq!(r.service_reference_variant(), Some("11.2"));
    let payload = r
        .find_any("GBCSPayload")
        .unwrap_or_else(|| panic!("the device's answer carries a GBCS payload: {}", r.xml));
    assert!(!payload.trimmed_text().is_empty());

    // The outbox records the delivery: to supplier-a, at the first attempt.
    let delivered = || {
        demo.query(
            "SELECT 1 FROM outbox WHERE delivered_at IS NOT NULL AND document LIKE '%' || ?1 || '%'",
            &[&p.rid],
        )
        .len()
            == 1
    };
    demo.wait_until(DELIVERY_WAIT, "the outbox records the delivery", delivered);
    let rows = demo.query(
        "SELECT recipient, delivered_at IS NOT NULL, attempts FROM outbox \
         WHERE document LIKE '%' || ?1 || '%'",
        &[&p.rid],
    );
    assert_eq!(
        rows,
        vec![vec![
            demo.user_eui("supplier-a"),
            "1".to_string(),
            "1".to_string()
        ]]
    );
    // Nothing else was delivered to anyone.
    assert_eq!(sink.received().len(), 1, "{:#?}", sink.received());
}

#[test]
fn an_undelivered_answer_survives_a_restart() {
    let mut demo = fast_demo();
    let sink = demo.response_sink();
    sink.refuse_next(u64::MAX);
    demo.set_response_url("supplier-a", sink.url());

    let p = demo.signed_request(tpl::READ_FIRMWARE_ESME, "supplier-a", premises1::ESME, None);
    demo.submit("supplier-a", &p)
        .duis()
        .assert_code("I99", &p.rid);
    // The device answered and the DCC tried to deliver (and was refused).
    demo.wait_until(DELIVERY_WAIT, "a delivery attempt", || sink.refused() >= 1);
    assert!(sink.received().is_empty());

    assert!(demo.stop().success());
    sink.refuse_next(0);
    demo.restart();

    let d = sink.wait_for(DELIVERY_WAIT, |d| d.body.contains(&p.rid));
    DuisResponse::checked(&d.body, &demo.dcc_signing_cert()).assert_code("I0", &p.rid);
    assert_eq!(sink.received().len(), 1, "{:#?}", sink.received());
}

#[test]
fn a_command_queued_on_the_wan_survives_a_restart() {
    let mut demo = fast_demo();
    let sink = demo.response_sink();
    demo.set_response_url("supplier-a", sink.url());
    wan_fault(&demo, premises1::CHF, "no-wan");

    let p = demo.signed_request(tpl::READ_FIRMWARE_ESME, "supplier-a", premises1::ESME, None);
    demo.submit("supplier-a", &p)
        .duis()
        .assert_code("I99", &p.rid);
    let counter = p.counter.to_string();
    let attempts = || {
        demo.query(
            "SELECT attempts FROM wan_jobs WHERE counter = ?1 AND outcome IS NULL",
            &[&counter],
        )
    };
    demo.wait_until(DELIVERY_WAIT, "the command is being retried", || {
        attempts()
            .first()
            .and_then(|r| r[0].parse::<u64>().ok())
            .is_some_and(|n| n >= 1)
    });

    assert!(demo.stop().success());
    wan_fault(&demo, premises1::CHF, "clear");
    demo.restart();

    let d = sink.wait_for(DELIVERY_WAIT, |d| d.body.contains(&p.rid));
    DuisResponse::checked(&d.body, &demo.dcc_signing_cert()).assert_code("I0", &p.rid);
}

// ---------------------------------------------------------------------------------------------
// Each device service through /api/v1/serviceS

mod t {
    pub const FIRMWARE_ESME: &str = "ECS52_11.2_SUCCESS_REQUEST_DUIS.XML";
    pub const FIRMWARE_GSME: &str = "GCS38_11.2_SUCCESS_REQUEST_DUIS.XML";
    pub const FIRMWARE_PPMID: &str = "CS08_11.2_SUCCESS_REQUEST_DUIS.XML";
    pub const SUPPLY_ESME: &str = "ECS45_7.4_SUCCESS_REQUEST_DUIS.XML";
    pub const REGISTERS_ESME: &str = "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML";
}

/// The firmware version a device's state holds (hex in the JSON).
fn state_firmware(demo: &Demo, id: &str) -> Vec<u8> {
    let hex = demo.device_state(id)["firmware_version"]
        .as_str()
        .expect("firmware_version is a hex string")
        .to_string();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Checks the GBCS header of a device's answer: a response from `device` to `recipient` carrying
/// the command's use case and counter.
fn assert_answer_header(a: &GbcsAnswer, use_case: &str, device: &str, recipient: &str) {
    let apdu = a.apdu();
    assert_eq!(apdu.cra, gbcs::Cra::Response, "{apdu:?}");
    assert_eq!(
        a.use_case(),
        Some(use_case),
        "message code {:?}",
        apdu.message_code()
    );
    assert_eq!(apdu.originator, eui64(device), "sent by the device");
    assert_eq!(apdu.recipient, eui64(recipient), "addressed to {recipient}");
}

/// Checks that an answer to a command the DCC sent on a user's behalf names that user and the
/// counter of the user's request.
fn assert_on_behalf_of(a: &GbcsAnswer, user: &str, counter: u64) {
    assert_eq!(
        a.apdu().other_info.ext,
        gbcs::OtherInfoExt::RemotePartyCounter {
            remote_party: eui64(user),
            remote_party_counter: counter,
        }
    );
}

#[test]
fn read_firmware_version_on_esme_gsme_and_ppmid() {
    let demo = fast_demo();
    let sink = demo.response_sink();
    demo.set_response_url("supplier-a", sink.url());
    let supplier = demo.user_eui("supplier-a");
    let supplier_ka = demo.user_file("supplier-a", "ka.key");

    // ESME: ECS52, DLMS, MAC'd for the supplier.
    let (p, r) = demo.device_request(&sink, "supplier-a", t::FIRMWARE_ESME, premises1::ESME, None);
    r.assert_code("I0", &p.rid);
    assert_eq!(r.service_reference_variant(), Some("11.2"));
    let a = GbcsAnswer::of(&r);
    assert_answer_header(&a, "ECS52", premises1::ESME, &supplier);
    assert_eq!(
        a.apdu().counter,
        p.counter,
        "the answer carries the request's counter"
    );
    a.assert_mac_verifies(&supplier_ka, &demo.device_cert_path(premises1::ESME, "ka"));
    assert_eq!(a.dlms_results(), vec![0], "the Get succeeded");
    assert_eq!(
        a.dlms_data(),
        vec![gbcs::axdr::Data::OctetString(state_firmware(
            &demo,
            premises1::ESME
        ))]
    );

    // GSME: GCS38, GBZ, attribute 0x0206 (current firmware version).
    let (p, r) = demo.device_request(&sink, "supplier-a", t::FIRMWARE_GSME, premises1::GSME, None);
    r.assert_code("I0", &p.rid);
    let a = GbcsAnswer::of(&r);
    assert_answer_header(&a, "GCS38", premises1::GSME, &supplier);
    a.assert_mac_verifies(&supplier_ka, &demo.device_cert_path(premises1::GSME, "ka"));
    let attrs = a.zcl_attributes();
    assert_eq!(
        attrs.get(&0x0206),
        Some(&Some(state_firmware(&demo, premises1::GSME))),
        "{attrs:?}"
    );

    // PPMID: CS08, sent (unsigned, as in the RTDS) by the DCC's Access Control Broker on the
    // supplier's behalf, so the PPMID answers the ACB, MAC'd for it, naming the supplier and its
    // request counter.
    let (p, r) = demo.device_request(
        &sink,
        "supplier-a",
        t::FIRMWARE_PPMID,
        premises1::PPMID,
        None,
    );
    r.assert_code("I0", &p.rid);
    let a = GbcsAnswer::of(&r);
    assert_answer_header(&a, "CS08", premises1::PPMID, DCC_EUI);
    a.assert_mac_verifies(
        &demo
            .data_dir()
            .join("pki")
            .join("private")
            .join("acb-ka.key"),
        &demo.device_cert_path(premises1::PPMID, "ka"),
    );
    assert_on_behalf_of(&a, &supplier, p.counter);
    let gbcs::Payload::Asn1(tlvs) = a.apdu().payload() else {
        panic!("CS08 answers ASN.1: {:?}", a.apdu().payload());
    };
    let expected = gbcs::asn1::Tlv::constructed(
        gbcs::asn1::TAG_SEQUENCE,
        vec![
            gbcs::asn1::Tlv::primitive(
                gbcs::asn1::TAG_OCTET_STRING,
                state_firmware(&demo, premises1::PPMID),
            ),
            gbcs::asn1::Tlv::primitive(gbcs::asn1::TAG_INTEGER, vec![0]),
        ],
    );
    assert_eq!(tlvs, vec![expected]);

    // Three answers, each delivered once, each with its own delivery id.
    let received = sink.received();
    assert_eq!(received.len(), 3, "{received:#?}");
    let mut ids: Vec<_> = received.iter().map(|d| d.delivery_id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "distinct delivery ids: {ids:?}");
}

/// The active import register (Wh) a meter's state gives at unix time `t`.
fn active_import_at(state: &serde_json::Value, t: i64) -> u64 {
    let m: devices::Metering = serde_json::from_value(state["metering"].clone())
        .unwrap_or_else(|e| panic!("metering: {e}: {state}"));
    m.active_import_wh(t)
}

fn unix_now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs(),
    )
    .expect("seconds fit i64")
}

#[test]
fn import_registers_are_passed_through_encrypted_for_the_supplier() {
    let demo = fast_demo();
    let sink = demo.response_sink();
    demo.set_response_url("supplier-a", sink.url());
    let supplier = demo.user_eui("supplier-a");
    let supplier_ka = demo.user_file("supplier-a", "ka.key");
    let device_ka = demo.device_cert_path(premises1::ESME, "ka");
    let state = demo.device_state(premises1::ESME);

    let before = unix_now();
    let (p, r) = demo.device_request(
        &sink,
        "supplier-a",
        t::REGISTERS_ESME,
        premises1::ESME,
        None,
    );
    let after = unix_now() + 1;
    r.assert_code("I0", &p.rid);
    assert_eq!(r.service_reference_variant(), Some("4.1.1"));
    let a = GbcsAnswer::of(&r);
    assert_answer_header(&a, "ECS17b", premises1::ESME, &supplier);
    // The MAC over the whole answer verifies with keys only the meter and the supplier hold:
    // the DCC passed the answer through unchanged.
    a.assert_mac_verifies(&supplier_ka, &device_ka);
    assert_eq!(a.dlms_results(), vec![0]);

    // The registers travel encrypted: {protection parameters, protected block}.
    let data = a.dlms_data();
    let [gbcs::axdr::Data::Structure(parts)] = data.as_slice() else {
        panic!("ECS17b answers one structure: {data:?}");
    };
    let [
        gbcs::axdr::Data::Array(_),
        gbcs::axdr::Data::OctetString(block),
    ] = parts.as_slice()
    else {
        panic!("{{protection parameters, protected block}}: {parts:?}");
    };
    let ctx = gbcs::KdfContext {
        originator: eui64(premises1::ESME),
        mode: gbcs::KdfMode::PayloadEncryption,
        counter: a.apdu().counter,
        recipient: eui64(&supplier),
    };
    let device_ka_public = cert_public_key(&device_ka);
    let key = ka_private_key(&supplier_ka)
        .derive(&device_ka_public, &ctx)
        .expect("deriving the payload key");
    let plain = gbcs::decrypt_payload(&key, eui64(premises1::ESME), block)
        .expect("the registers decrypt with supplier-a's key");
    // Nobody else can read them: supplier-b's key-agreement key derives another key.
    let other = ka_private_key(&demo.user_file("supplier-b", "ka.key"))
        .derive(&device_ka_public, &ctx)
        .expect("deriving");
    assert!(gbcs::decrypt_payload(&other, eui64(premises1::ESME), block).is_err());

    let registers = gbcs::axdr::Data::decode(&plain).expect("the plaintext is A-XDR");
    let gbcs::axdr::Data::Structure(outer) = &registers else {
        panic!("{registers:?}");
    };
    let [gbcs::axdr::Data::Structure(inner)] = outer.as_slice() else {
        panic!("{registers:?}");
    };
    let [
        gbcs::axdr::Data::DoubleLongUnsigned(active),
        gbcs::axdr::Data::Structure(active_unit),
        gbcs::axdr::Data::DoubleLongUnsigned(_reactive),
        gbcs::axdr::Data::Structure(_),
    ] = inner.as_slice()
    else {
        panic!("{{active, scaler-unit, reactive, scaler-unit}}: {registers:?}");
    };
    // Wh (unit 30), scaler 0.
    assert_eq!(
        active_unit,
        &vec![gbcs::axdr::Data::Integer(0), gbcs::axdr::Data::Enum(30)]
    );
    let (low, high) = (
        active_import_at(&state, before),
        active_import_at(&state, after),
    );
    assert!(
        (low..=high).contains(&u64::from(*active)),
        "active import {active} Wh outside [{low}, {high}]"
    );
}

// ---------------------------------------------------------------------------------------------
// Faults on the WAN and at the user's end

#[test]
fn an_endpoint_not_yet_listening_gets_the_answer_once_it_is_up_exactly_once() {
    let demo = fast_demo();
    // Nothing listens there yet: every delivery attempt is refused at the TCP level.
    let addr = unused_loopback_addr();
    demo.set_response_url("supplier-a", &format!("http://{addr}/rrs"));

    let p = demo.signed_request(t::SUPPLY_ESME, "supplier-a", premises1::ESME, None);
    demo.submit("supplier-a", &p)
        .duis()
        .assert_code("I99", &p.rid);
    let outbox = || {
        demo.query(
            "SELECT delivered_at IS NOT NULL, attempts, last_error IS NOT NULL FROM outbox \
             WHERE reference = ?1",
            &[&p.rid],
        )
    };
    demo.wait_until(DELIVERY_WAIT, "two refused delivery attempts", || {
        outbox()
            .first()
            .and_then(|r| r[1].parse::<u64>().ok())
            .is_some_and(|n| n >= 2)
    });
    let row = outbox();
    assert_eq!(
        row[0][0], "0",
        "not delivered while nothing listens: {row:?}"
    );
    assert_eq!(row[0][2], "1", "the failure is recorded: {row:?}");

    // The service comes up on that address.
    let sink = demo.response_sink_at(addr);
    let r = demo.delivered(&sink, &p.rid);
    r.assert_code("I0", &p.rid);
    demo.wait_until(DELIVERY_WAIT, "the outbox records the delivery", || {
        outbox().first().map(|r| r[0].as_str()) == Some("1")
    });
    let attempts: u64 = outbox()[0][1].parse().expect("attempts");
    assert!(
        attempts > 2,
        "refused twice, then accepted: {attempts} attempts"
    );

    // Exactly once: no further POST of the same delivery.
    std::thread::sleep(Duration::from_millis(300));
    let received = sink.received();
    assert_eq!(received.len(), 1, "{received:#?}");
    let id = received[0].delivery_id.clone().expect("a delivery id");
    let row_id = demo.query("SELECT id FROM outbox WHERE reference = ?1", &[&p.rid]);
    assert_eq!(
        row_id,
        vec![vec![id]],
        "the delivery id names the outbox row"
    );
}

#[test]
fn a_fault_injected_through_the_cli_makes_the_device_fail_and_the_user_is_told_e100() {
    let demo = fast_demo();
    let sink = demo.response_sink();
    demo.set_response_url("supplier-a", sink.url());

    // Bad input changes nothing: an unknown fault, a device the demo does not emulate.
    let err = demo
        .device_fault(premises1::ESME, "melted")
        .expect_err("an unknown fault is refused");
    assert!(err.contains("firmware-version"), "{err}");
    let err = demo
        .device_fault("00-00-00-00-00-00-00-01", "firmware-version")
        .expect_err("a device the demo does not emulate is refused");
    assert!(err.contains("not an emulated device"), "{err}");
    assert_eq!(
        demo.device_state(premises1::ESME)["faults"],
        serde_json::json!([])
    );

    let out = demo
        .device_fault(premises1::ESME, "firmware-version")
        .expect("the fault is injected");
    assert!(out.contains("FirmwareVersion"), "{out}");
    let (p, r) = demo.device_request(&sink, "supplier-a", t::FIRMWARE_ESME, premises1::ESME, None);
    r.assert_code("E100", &p.rid);
    let a = GbcsAnswer::of(&r);
    assert_eq!(
        a.dlms_results(),
        vec![1],
        "the Get failed with hardware-fault"
    );

    demo.device_fault(premises1::ESME, "clear")
        .expect("the faults are cleared");
    let (p, r) = demo.device_request(&sink, "supplier-a", t::FIRMWARE_ESME, premises1::ESME, None);
    r.assert_code("I0", &p.rid);
}

#[test]
fn the_boost_button_pressed_through_the_cli_starts_a_boost_and_a_second_press_ends_it() {
    let demo = fast_demo();
    let sink = demo.response_sink();
    demo.set_response_url("supplier-a", sink.url());
    // Bad input changes nothing: a device with no boost button, one not in the inventory.
    let err = demo
        .device_boost(premises1::GSME)
        .expect_err("a GSME has no boost button");
    assert!(err.contains("not an ESME"), "{err}");
    let err = demo
        .device_boost("00-00-00-00-00-00-00-01")
        .expect_err("not in the inventory");
    assert!(err.contains("not in the inventory"), "{err}");
    // 7.9 as the template: all five controllers.
    let (p, r) = demo.device_request(
        &sink,
        "supplier-a",
        "ECS62Add_7.9_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
        None,
    );
    r.assert_code("I0", &p.rid);
    let out = demo.device_boost(premises1::ESME).expect("pressed");
    assert!(out.contains("boost button pressed"), "{out}");
    let boost = || demo.device_state(premises1::ESME)["boost"].clone();
    demo.wait_until(DELIVERY_WAIT, "the WAN hands the press to the ESME", || {
        !boost()["active"].is_null()
    });
    assert_eq!(
        boost()["active"]["controllers"],
        serde_json::json!([true, true, true, true, true])
    );
    // A second press ends it: logged.
    demo.device_boost(premises1::ESME).expect("pressed again");
    demo.wait_until(DELIVERY_WAIT, "the second press ends the boost", || {
        boost()["active"].is_null()
    });
    assert_eq!(
        boost()["log"].as_array().map(Vec::len),
        Some(1),
        "{}",
        boost()
    );
}

#[test]
fn the_site_voltage_set_through_the_cli_reaches_the_esme() {
    let demo = fast_demo();
    // Bad input changes nothing: a GSME, a device not in the inventory, a voltage that is not one.
    let err = demo
        .device_voltage(premises1::GSME, "250")
        .expect_err("a GSME has no voltage to set");
    assert!(err.contains("not an ESME"), "{err}");
    let err = demo
        .device_voltage("00-00-00-00-00-00-00-01", "250")
        .expect_err("not in the inventory");
    assert!(err.contains("not in the inventory"), "{err}");
    let err = demo
        .device_voltage(premises1::ESME, "high")
        .expect_err("not a voltage");
    assert!(err.contains("volts"), "{err}");
    let simulated = || {
        demo.device_state(premises1::ESME)["config"]["power_quality"]["simulated_voltage"].clone()
    };
    assert!(simulated().is_null());
    let out = demo.device_voltage(premises1::ESME, "250").expect("queued");
    assert!(out.contains("voltage change queued"), "{out}");
    demo.wait_until(
        DELIVERY_WAIT,
        "the WAN hands the voltage to the ESME",
        || simulated()["volts"] == 250,
    );
    demo.device_voltage(premises1::ESME, "normal")
        .expect("queued");
    demo.wait_until(DELIVERY_WAIT, "back to normal", || simulated().is_null());
}
