//! End-to-end tests of the DUIS User Gateway: the real `opendcc demo` binary on a fresh world per
//! test, spoken to over mutually authenticated TLS with signed DUIS requests built from the public
//! templates.
//!
//! Successes are checked through the signed, schema-valid DUIS responses and, where the service
//! changes the inventory, through a later Read Inventory. Every refusal is checked for its HTTP
//! status (plain text before authentication, a signed DUIS response with an E-code after) and for
//! leaving the whole database unchanged.

mod common;

use std::collections::BTreeSet;

use common::*;

fn ids(r: &DuisResponse) -> BTreeSet<String> {
    r.inventory().iter().map(|d| d.id().to_string()).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------------------------
// 8.2 Read Inventory

#[test]
fn read_inventory_by_device_id() {
    let demo = Demo::start();
    let before = demo.snapshot();
    let p = demo.signed_request(
        tpl::READ_INVENTORY,
        "supplier-a",
        DCC_EUI,
        Some(&body::read_inventory_device(premises1::CHF)),
    );
    let r = demo.submit("supplier-a", &p).duis();
    r.assert_code("I0", &p.rid);
    assert_eq!(r.service_reference_variant(), Some("8.2"));
    let devices = r.inventory();
    assert_eq!(devices.len(), 1, "one device asked for: {}", r.xml);
    let chf = &devices[0];
    assert_eq!(chf.id(), premises1::CHF);
    assert_eq!(chf.get("DeviceType"), Some("CHF"));
    assert_eq!(chf.get("DeviceStatus"), Some("Commissioned"));
    assert_eq!(chf.get("UPRN"), Some(premises1::UPRN));
    assert_eq!(chf.get("CSPRegion"), Some("Central"));
    assert_eq!(
        chf.get("PropertyFilter"),
        Some(
            format!(
                "PostCode={};AddressIdentifier={}",
                premises1::POSTCODE,
                premises1::ADDRESS
            )
            .as_str()
        )
    );
    // An accepted request advances the originator's counter and is recorded.
    let after = demo.snapshot();
    assert_eq!(before.counter_of(&demo.user_eui("supplier-a")), None);
    assert_eq!(
        after.counter_of(&demo.user_eui("supplier-a")),
        Some(p.counter)
    );
    assert_eq!(
        after.table("requests").len(),
        before.table("requests").len() + 1
    );
}

#[test]
fn read_inventory_by_uprn_mpxn_and_property_filter() {
    let demo = Demo::start();
    let all = set(&premises1::ALL);

    let r = demo.non_device(
        "supplier-a",
        tpl::READ_INVENTORY,
        Some(&body::read_inventory_uprn(premises1::UPRN)),
    );
    assert_eq!(r.code(), "I0");
    assert_eq!(ids(&r), all, "by UPRN");
    for d in r.inventory() {
        assert_eq!(d.get("UPRN"), Some(premises1::UPRN), "{}", d.id());
    }
    let esme = r
        .inventory()
        .into_iter()
        .find(|d| d.id() == premises1::ESME)
        .expect("the ESME is listed");
    assert_eq!(esme.get("DeviceType"), Some("ESME"));
    assert_eq!(esme.get("ImportMPxN"), Some(premises1::MPAN));

    for mpxn in [premises1::MPAN, premises1::MPRN] {
        let r = demo.non_device(
            "distributor",
            tpl::READ_INVENTORY,
            Some(&body::read_inventory_mpxn(mpxn)),
        );
        assert_eq!(r.code(), "I0");
        assert_eq!(ids(&r), all, "by MPxN {mpxn}");
    }

    let r = demo.non_device(
        "other-user",
        tpl::READ_INVENTORY,
        Some(&body::read_inventory_address(
            premises1::POSTCODE,
            premises1::ADDRESS,
        )),
    );
    assert_eq!(r.code(), "I0");
    assert_eq!(ids(&r), all, "by PropertyFilter");

    // Another premises answers with its own devices only.
    let r = demo.non_device(
        "supplier-a",
        tpl::READ_INVENTORY,
        Some(&body::read_inventory_uprn(premises2::UPRN)),
    );
    let other = ids(&r);
    assert_eq!(other.len(), 7, "premises 2 has a HAN: {other:?}");
    assert!(other.is_disjoint(&all));

    // Nothing matches: a DUIS error, and nothing changes.
    let before = demo.snapshot();
    let r = demo.non_device(
        "supplier-a",
        tpl::READ_INVENTORY,
        Some(&body::read_inventory_uprn("999999999999")),
    );
    assert_eq!(r.code(), "E080201");
    before.assert_unchanged(&demo.snapshot(), "a Read Inventory that matched nothing");
}

#[test]
fn responses_not_signed_by_the_dcc_are_rejected_by_the_harness() {
    let demo = Demo::start();
    let r = demo.read_device("supplier-a", premises1::ESME);
    let dcc = demo.dcc_signing_cert();
    let (_, dcc_key) = xmldsig::issuer_serial_of_cert(&dcc).expect("DCC certificate");
    assert!(xmldsig::verify(r.xml.as_bytes(), &dcc_key).is_ok());

    // The response code changed after signing.
    let forged = r.xml.replacen(
        "<sr:ResponseCode>I0</sr:ResponseCode>",
        "<sr:ResponseCode>E1</sr:ResponseCode>",
        1,
    );
    assert_ne!(forged, r.xml);
    assert!(xmldsig::verify(forged.as_bytes(), &dcc_key).is_err());
    assert!(std::panic::catch_unwind(|| DuisResponse::checked(&forged, &dcc)).is_err());

    // Re-signed by a user instead of the DCC.
    let unsigned = xmldsig::remove_enveloped_signature(&r.xml).expect("response parses");
    let by_user = demo.sign("supplier-a", &unsigned);
    assert!(std::panic::catch_unwind(|| DuisResponse::checked(&by_user, &dcc)).is_err());

    // Validly signed by the DCC's key but not schema-valid is rejected too: the schema check is
    // independent of the signature (a request is not a response).
    let p = demo.signed_request(tpl::READ_INVENTORY, "supplier-a", DCC_EUI, None);
    assert!(duis_schema::validate_response(p.xml.as_bytes()).is_err());
}

// ---------------------------------------------------------------------------------------------
// 12.2 Device Pre-notification and 8.4 Update Inventory

#[test]
fn pre_notification_adds_a_pending_device() {
    let demo = Demo::start();
    let r = demo.read_device("supplier-a", spare::ESME);
    assert_eq!(
        r.code(),
        "E080201",
        "the spare ESME is not in the inventory yet"
    );

    let r = demo.non_device(
        "supplier-a",
        tpl::PRE_NOTIFICATION,
        Some(&body::pre_notification(spare::ESME, "ESME")),
    );
    assert_eq!(r.code(), "I99");
    assert_eq!(r.service_reference_variant(), Some("12.2"));

    let r = demo.read_device("supplier-a", spare::ESME);
    assert_eq!(r.code(), "I0");
    let d = &r.inventory()[0];
    assert_eq!(d.id(), spare::ESME);
    assert_eq!(d.get("DeviceType"), Some("ESME"));
    assert_eq!(d.get("DeviceStatus"), Some("Pending"));
    assert_eq!(d.get("DeviceManufacturer"), Some("AB01"));
    assert_eq!(d.get("DeviceModel"), Some("010A030B"));
    assert_eq!(
        d.get("UPRN"),
        None,
        "a pending device belongs to no premises"
    );

    // Pre-notifying it again is refused and changes nothing.
    let before = demo.snapshot();
    let r = demo.non_device(
        "supplier-a",
        tpl::PRE_NOTIFICATION,
        Some(&body::pre_notification(spare::ESME, "ESME")),
    );
    assert_eq!(r.code(), "E120201");
    before.assert_unchanged(&demo.snapshot(), "a second pre-notification");

    // A device with no SMKI certificates cannot be pre-notified.
    let r = demo.non_device(
        "supplier-a",
        tpl::PRE_NOTIFICATION,
        Some(&body::pre_notification(UNKNOWN_DEVICE, "ESME")),
    );
    assert_eq!(r.code(), "E120203");
    before.assert_unchanged(
        &demo.snapshot(),
        "pre-notifying a device without certificates",
    );
}

#[test]
fn update_inventory_pending_to_installed_not_commissioned() {
    let demo = Demo::start();
    let r = demo.non_device(
        "supplier-a",
        tpl::PRE_NOTIFICATION,
        Some(&body::pre_notification(spare::ESME, "ESME")),
    );
    assert_eq!(r.code(), "I99");

    let r = demo.non_device(
        "supplier-a",
        tpl::UPDATE_INVENTORY,
        Some(&body::update_status(
            spare::ESME,
            "InstalledNotCommissioned",
        )),
    );
    assert_eq!(r.code(), "I99");
    assert_eq!(r.service_reference_variant(), Some("8.4"));

    let r = demo.read_device("supplier-a", spare::ESME);
    assert_eq!(
        r.inventory()[0].get("DeviceStatus"),
        Some("InstalledNotCommissioned")
    );

    // The same change again is not a transition the SEC allows.
    let before = demo.snapshot();
    let r = demo.non_device(
        "supplier-a",
        tpl::UPDATE_INVENTORY,
        Some(&body::update_status(
            spare::ESME,
            "InstalledNotCommissioned",
        )),
    );
    assert_eq!(r.code(), "E080405");
    before.assert_unchanged(&demo.snapshot(), "a refused status change");
}

#[test]
fn update_inventory_changes_a_hub_status() {
    let demo = Demo::start();
    let r = demo.non_device(
        "supplier-a",
        tpl::UPDATE_INVENTORY,
        Some(&body::update_hub_status(premises1::CHF, "Withdrawn")),
    );
    assert_eq!(r.code(), "I99");
    let r = demo.read_device("supplier-a", premises1::CHF);
    assert_eq!(r.inventory()[0].get("DeviceStatus"), Some("Withdrawn"));

    // Withdrawn → Commissioned is not allowed; a hub status on a meter is the wrong form.
    let before = demo.snapshot();
    let r = demo.non_device(
        "supplier-a",
        tpl::UPDATE_INVENTORY,
        Some(&body::update_hub_status(premises1::CHF, "Commissioned")),
    );
    assert_eq!(r.code(), "E080405");
    let r = demo.non_device(
        "supplier-a",
        tpl::UPDATE_INVENTORY,
        Some(&body::update_hub_status(premises1::ESME, "Withdrawn")),
    );
    assert_eq!(r.code(), "E11");
    before.assert_unchanged(&demo.snapshot(), "refused hub status changes");
}

#[test]
fn update_inventory_deletes_a_pending_device() {
    let demo = Demo::start();
    let r = demo.non_device(
        "supplier-a",
        tpl::PRE_NOTIFICATION,
        Some(&body::pre_notification(spare::GSME, "GSME")),
    );
    assert_eq!(r.code(), "I99");
    assert_eq!(demo.read_device("supplier-a", spare::GSME).code(), "I0");

    let r = demo.non_device(
        "supplier-a",
        tpl::UPDATE_INVENTORY,
        Some(&body::delete_device(spare::GSME)),
    );
    assert_eq!(r.code(), "I99");
    assert_eq!(
        demo.read_device("supplier-a", spare::GSME).code(),
        "E080201",
        "the deleted device is gone"
    );
    let quoted = format!("{:?}", spare::GSME);
    assert!(
        !demo
            .snapshot()
            .table("devices")
            .iter()
            .any(|row| row.starts_with(&quoted)),
        "no devices row for the deleted device"
    );

    // An installed device cannot be deleted.
    let before = demo.snapshot();
    let r = demo.non_device(
        "supplier-a",
        tpl::UPDATE_INVENTORY,
        Some(&body::delete_device(premises1::GSME)),
    );
    assert_eq!(r.code(), "E080405");
    before.assert_unchanged(&demo.snapshot(), "deleting an installed device");
}

// ---------------------------------------------------------------------------------------------
// 12.1 Request WAN Matrix

fn region(r: &DuisResponse) -> String {
    assert_eq!(r.code(), "I0", "{}", r.xml);
    let m = r
        .find_any("DSPWANMatrixResponse")
        .unwrap_or_else(|| panic!("no DSPWANMatrixResponse: {}", r.xml));
    assert_eq!(m.text_of(&["CSPRegionResponseCode"]), Some("I0"));
    assert_eq!(m.text_of(&["CoverageAvailability"]), Some("true"));
    m.text_of(&["CSPRegion"]).expect("CSPRegion").to_string()
}

#[test]
fn wan_matrix_by_address_and_by_uprn() {
    let demo = Demo::start();
    // The template's own address (premises 1, Manchester).
    let r = demo.non_device("supplier-a", tpl::WAN_MATRIX, None);
    assert_eq!(region(&r), "Central");
    assert_eq!(r.service_reference_variant(), Some("12.1"));
    assert_eq!(
        r.find_any("Request")
            .and_then(|q| q.text_of(&["PartialAddress", "PostCode"])),
        Some(premises1::POSTCODE),
        "the response repeats the query"
    );

    let r = demo.non_device(
        "distributor",
        tpl::WAN_MATRIX,
        Some(&body::wan_matrix_uprn(premises2::UPRN)),
    );
    assert_eq!(region(&r), "North", "Edinburgh");
    let r = demo.non_device(
        "transporter",
        tpl::WAN_MATRIX,
        Some(&body::wan_matrix_uprn(premises3::UPRN)),
    );
    assert_eq!(region(&r), "South", "London");
    let r = demo.non_device(
        "other-user",
        tpl::WAN_MATRIX,
        Some(&body::wan_matrix_address(
            premises2::POSTCODE,
            premises2::ADDRESS,
        )),
    );
    assert_eq!(region(&r), "North");

    // Addresses the DCC has no premises for: the region follows the postcode area.
    for (postcode, expected) in [
        ("AB10 1XG", "North"),
        ("LS1 4AP", "North"),
        ("CV1 5FB", "Central"),
        ("BS1 4DJ", "South"),
        ("SW1A 1AA", "South"),
    ] {
        let r = demo.non_device(
            "supplier-b",
            tpl::WAN_MATRIX,
            Some(&body::wan_matrix_address(postcode, "1")),
        );
        assert_eq!(region(&r), expected, "{postcode}");
    }

    // A UPRN the DCC does not know.
    let before = demo.snapshot();
    let r = demo.non_device(
        "supplier-a",
        tpl::WAN_MATRIX,
        Some(&body::wan_matrix_uprn("999999999999")),
    );
    assert_eq!(r.code(), "E120101");
    before.assert_unchanged(&demo.snapshot(), "a WAN matrix request for an unknown UPRN");
}

// ---------------------------------------------------------------------------------------------
// Refusals before authentication: HTTP 4xx, plain text, nothing changes

/// A signed 12.2 pre-notification of the spare ESME: accepted, it would add a device.
fn state_changing_request(demo: &Demo, user: &str) -> Prepared {
    demo.signed_request(
        tpl::PRE_NOTIFICATION,
        user,
        DCC_EUI,
        Some(&body::pre_notification(spare::ESME, "ESME")),
    )
}

/// Sends `body`, expects `status` with `reason`, and checks that nothing changed.
fn assert_refused_unchanged(
    demo: &Demo,
    tls_user: &str,
    endpoint: Endpoint,
    body: impl Into<Vec<u8>>,
    status: u16,
    reason: &str,
) {
    let before = demo.snapshot();
    let reply = demo.send(tls_user, endpoint, body);
    reply.assert_refused(status, reason);
    before.assert_unchanged(&demo.snapshot(), reason);
}

#[test]
fn tampered_signed_content_is_refused() {
    let demo = Demo::start();
    let p = state_changing_request(&demo, "supplier-a");
    // One byte of the signed body content: the model 010A030B becomes 010A030C.
    let at = p.xml.find("010A030B").expect("the model is in the request") + 7;
    let mut tampered = p.xml.clone().into_bytes();
    tampered[at] = b'C';
    assert_refused_unchanged(
        &demo,
        "supplier-a",
        Endpoint::NonDevice,
        tampered,
        401,
        "XML signature is invalid",
    );
    // The untampered request goes through: the byte was the only fault.
    assert_eq!(demo.submit("supplier-a", &p).duis().code(), "I99");
}

#[test]
fn unsigned_request_is_refused() {
    let demo = Demo::start();
    let p = demo.prepare(
        tpl::PRE_NOTIFICATION,
        "supplier-a",
        DCC_EUI,
        Some(&body::pre_notification(spare::ESME, "ESME")),
    );
    assert_refused_unchanged(
        &demo,
        "supplier-a",
        Endpoint::NonDevice,
        p.xml,
        401,
        "request is not signed",
    );
}

#[test]
fn signer_unknown_to_the_dcc_is_refused() {
    let demo = Demo::start();
    let p = demo.prepare(
        tpl::PRE_NOTIFICATION,
        "supplier-a",
        DCC_EUI,
        Some(&body::pre_notification(spare::ESME, "ESME")),
    );
    // Same issuer name and subject EUI as supplier-a's certificate, from another SMKI.
    let signed = foreign_signer(&demo.user_eui("supplier-a"))
        .sign(&p.xml)
        .expect("signing");
    assert_refused_unchanged(
        &demo,
        "supplier-a",
        Endpoint::NonDevice,
        signed,
        401,
        "no SMKI organisation certificate",
    );
}

#[test]
fn signer_who_is_not_the_originator_is_refused() {
    let demo = Demo::start();
    // The distributor's RequestID, signed with supplier-a's key, sent over the distributor's TLS.
    let p = demo.prepare(
        tpl::PRE_NOTIFICATION,
        "distributor",
        DCC_EUI,
        Some(&body::pre_notification(spare::ESME, "ESME")),
    );
    let signed = demo.sign("supplier-a", &p.xml);
    assert_refused_unchanged(
        &demo,
        "distributor",
        Endpoint::NonDevice,
        signed,
        401,
        "signing certificate belongs to",
    );
}

#[test]
fn tls_identity_that_is_not_the_originator_is_refused() {
    let demo = Demo::start();
    let p = state_changing_request(&demo, "supplier-a");
    assert_refused_unchanged(
        &demo,
        "distributor",
        Endpoint::NonDevice,
        p.xml.clone(),
        403,
        "is not the RequestID originator",
    );
    assert_eq!(demo.submit("supplier-a", &p).duis().code(), "I99");
}

#[test]
fn replayed_and_lower_counters_are_refused() {
    let demo = Demo::start();
    let supplier = demo.user_eui("supplier-a");
    // Far enough above 0 for a counter below the non-device window.
    let mut first = demo.prepare_with_counter(
        tpl::READ_INVENTORY,
        "supplier-a",
        DCC_EUI,
        Some(&body::read_inventory_device(premises1::ESME)),
        2 * dcc::gateway::NON_DEVICE_WINDOW + demo.next_counter(),
    );
    first.xml = demo.sign("supplier-a", &first.xml);
    demo.submit("supplier-a", &first)
        .duis()
        .assert_code("I0", &first.rid);
    assert_eq!(demo.snapshot().counter_of(&supplier), Some(first.counter));

    // The very same document again.
    assert_refused_unchanged(
        &demo,
        "supplier-a",
        Endpoint::NonDevice,
        first.xml.clone(),
        409,
        "was accepted before",
    );
    // A new request (that would change state) with the same counter, and with one too far
    // below it (non-device counters may arrive out of order, but only within
    // `NON_DEVICE_WINDOW`).
    let too_old = first.counter - dcc::gateway::NON_DEVICE_WINDOW;
    for (counter, why) in [
        (first.counter, "was accepted before"),
        (too_old, "is not greater than"),
    ] {
        let mut p = demo.prepare_with_counter(
            tpl::PRE_NOTIFICATION,
            "supplier-a",
            DCC_EUI,
            Some(&body::pre_notification(spare::ESME, "ESME")),
            counter,
        );
        p.xml = demo.sign("supplier-a", &p.xml);
        assert_refused_unchanged(&demo, "supplier-a", Endpoint::NonDevice, p.xml, 409, why);
    }
    assert_eq!(demo.snapshot().counter_of(&supplier), Some(first.counter));
    // One just below it, never used: accepted once, without lowering the pair's counter.
    let mut lower = demo.prepare_with_counter(
        tpl::READ_INVENTORY,
        "supplier-a",
        DCC_EUI,
        Some(&body::read_inventory_device(premises1::ESME)),
        first.counter - 1,
    );
    lower.xml = demo.sign("supplier-a", &lower.xml);
    demo.submit("supplier-a", &lower)
        .duis()
        .assert_code("I0", &lower.rid);
    assert_refused_unchanged(
        &demo,
        "supplier-a",
        Endpoint::NonDevice,
        lower.xml.clone(),
        409,
        "was accepted before",
    );
    assert_eq!(demo.snapshot().counter_of(&supplier), Some(first.counter));
    // Other users' counters are their own.
    let r = demo.non_device(
        "distributor",
        tpl::READ_INVENTORY,
        Some(&body::read_inventory_device(premises1::ESME)),
    );
    assert_eq!(r.code(), "I0");
}

#[test]
fn malformed_xml_is_refused() {
    let demo = Demo::start();
    let p = state_changing_request(&demo, "supplier-a");
    let half = p.xml.len() / 2;
    for (what, body) in [
        ("truncated", p.xml.as_bytes()[..half].to_vec()),
        ("not XML", b"this is not XML at all".to_vec()),
        ("empty", Vec::new()),
        (
            "mismatched tags",
            p.xml
                .replacen("</sr:Header>", "</sr:Headers>", 1)
                .into_bytes(),
        ),
    ] {
        let before = demo.snapshot();
        let reply = demo.send("supplier-a", Endpoint::NonDevice, body);
        assert_eq!(reply.status, 400, "{what}: {}", reply.body);
        reply.assert_refused(400, "request is not well-formed XML");
        before.assert_unchanged(&demo.snapshot(), what);
    }
}

/// A billion-laughs document wrapped around a DUIS request.
fn billion_laughs(request: &str) -> String {
    let mut dtd = String::from("<!DOCTYPE sr:Request [\n<!ENTITY lol \"lol\">\n");
    for i in 1..=9 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        dtd.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    dtd.push_str("]>\n");
    let body = request.replacen("010A030B", "&lol9;", 1);
    let decl_end = body.find("?>").map_or(0, |i| i + 2);
    format!("{}\n{}{}", &body[..decl_end], dtd, &body[decl_end..])
}

#[test]
fn dtd_xxe_and_entity_expansion_are_refused() {
    let demo = Demo::start();
    let xxe = corpus_text("duis-samples/duis-xxe.xml");
    assert!(xxe.contains("<!DOCTYPE") || xxe.contains("<!ENTITY"));
    assert_refused_unchanged(
        &demo,
        "supplier-a",
        Endpoint::NonDevice,
        xxe.clone(),
        400,
        "document type or entity declarations are not accepted",
    );
    assert_refused_unchanged(
        &demo,
        "supplier-a",
        Endpoint::SendCommand,
        xxe,
        400,
        "document type or entity declarations are not accepted",
    );
    let p = demo.prepare(
        tpl::PRE_NOTIFICATION,
        "supplier-a",
        DCC_EUI,
        Some(&body::pre_notification(spare::ESME, "ESME")),
    );
    let started = std::time::Instant::now();
    assert_refused_unchanged(
        &demo,
        "supplier-a",
        Endpoint::NonDevice,
        billion_laughs(&p.xml),
        400,
        "document type or entity declarations are not accepted",
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "the billion laughs were refused without being expanded"
    );
}

#[test]
fn schema_invalid_request_is_refused() {
    let demo = Demo::start();
    let p = demo.prepare(
        tpl::PRE_NOTIFICATION,
        "supplier-a",
        DCC_EUI,
        Some(&body::pre_notification(spare::ESME, "ESME")),
    );
    // Without its ServiceReference (a required header element), signed properly.
    let start = p
        .xml
        .find("<sr:ServiceReference>")
        .expect("ServiceReference");
    let end = p
        .xml
        .find("</sr:ServiceReference>")
        .expect("ServiceReference end")
        + "</sr:ServiceReference>".len();
    let without = format!("{}{}", &p.xml[..start], &p.xml[end..]);
    let signed = demo.sign("supplier-a", &without);
    assert_refused_unchanged(
        &demo,
        "supplier-a",
        Endpoint::NonDevice,
        signed,
        400,
        "does not conform to the DUIS schema",
    );
    // A DeviceID that is not an EUI-64.
    let bad = set_text(&p.xml, "DeviceID", "00-DB-12-34-56-78-99");
    let signed = demo.sign("supplier-a", &bad);
    assert_refused_unchanged(
        &demo,
        "supplier-a",
        Endpoint::NonDevice,
        signed,
        400,
        "does not conform to the DUIS schema",
    );
}

#[test]
fn oversized_body_is_refused() {
    let demo = Demo::start();
    let p = state_changing_request(&demo, "supplier-a");
    // A signed request padded with a comment to 300 KiB.
    let pad = format!("<!--{}-->", "x".repeat(300 * 1024));
    let big = p
        .xml
        .replacen("<sr:Header>", &format!("{pad}<sr:Header>"), 1);
    assert!(big.len() > 300 * 1024);
    assert_refused_unchanged(
        &demo,
        "supplier-a",
        Endpoint::NonDevice,
        big,
        413,
        "exceeds the limit",
    );
    // The listener is still serving.
    assert_eq!(demo.submit("supplier-a", &p).duis().code(), "I99");
}

#[test]
fn body_limit_is_exact() {
    let demo = Demo::start();
    // The limit, as the DCC states it.
    let p = state_changing_request(&demo, "supplier-a");
    let huge = format!("{}<!--{}-->", p.xml, "x".repeat(1024 * 1024));
    let reply = demo.send("supplier-a", Endpoint::NonDevice, huge);
    reply.assert_refused(413, "exceeds the limit of ");
    let limit: usize = reply
        .body
        .split("exceeds the limit of ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no limit in {:?}", reply.body));
    assert!(
        limit >= 64 * 1024,
        "room for the largest DUIS requests: {limit}"
    );

    // A signed request padded (inside the signed content) to exactly `size` bytes.
    let padded = |size: usize| -> Prepared {
        let mut q = demo.prepare(
            tpl::PRE_NOTIFICATION,
            "supplier-a",
            DCC_EUI,
            Some(&body::pre_notification(spare::ESME, "ESME")),
        );
        let unsigned = q.xml.clone();
        let with_pad = |n: usize| {
            unsigned.replacen(
                "<sr:Header>",
                &format!("<!--{}--><sr:Header>", "x".repeat(n)),
                1,
            )
        };
        let probe = demo.sign("supplier-a", &with_pad(0)).len();
        assert!(size > probe);
        q.xml = demo.sign("supplier-a", &with_pad(size - probe));
        assert_eq!(
            q.xml.len(),
            size,
            "signatures of this key have a fixed length"
        );
        q
    };
    let over = padded(limit + 1);
    let before = demo.snapshot();
    demo.submit("supplier-a", &over)
        .assert_refused(413, "exceeds the limit");
    before.assert_unchanged(&demo.snapshot(), "a request one byte over the limit");
    let at = padded(limit);
    demo.submit("supplier-a", &at)
        .duis()
        .assert_code("I99", &at.rid);
}

#[test]
fn unknown_path_and_method_are_refused() {
    let demo = Demo::start();
    let p = state_changing_request(&demo, "supplier-a");
    let before = demo.snapshot();
    let reply = demo.post("supplier-a", "/api/v1/serviceX", p.xml.clone().into_bytes());
    reply.assert_refused(404, "no such endpoint");
    let reply = demo.raw(
        "supplier-a",
        reqwest::Method::GET,
        Endpoint::NonDevice.path(),
        None,
        Vec::new(),
    );
    reply.assert_refused(405, "DUIS requests are POSTed");
    let reply = demo.raw(
        "supplier-a",
        reqwest::Method::PUT,
        Endpoint::NonDevice.path(),
        Some("application/xml"),
        p.xml.clone().into_bytes(),
    );
    reply.assert_refused(405, "DUIS requests are POSTed");
    before.assert_unchanged(&demo.snapshot(), "an unknown path or method");
    assert_eq!(demo.submit("supplier-a", &p).duis().code(), "I99");
}

#[test]
fn request_that_says_it_is_not_xml_is_refused_with_415() {
    let demo = Demo::start();
    let p = state_changing_request(&demo, "supplier-a");
    let before = demo.snapshot();
    for content_type in [
        "text/plain",
        "application/json",
        "application/x-www-form-urlencoded",
    ] {
        let reply = demo.raw(
            "supplier-a",
            reqwest::Method::POST,
            Endpoint::NonDevice.path(),
            Some(content_type),
            p.xml.clone().into_bytes(),
        );
        reply.assert_refused(415, "unsupported content type");
        assert!(reply.body.contains(content_type), "{}", reply.body);
    }
    before.assert_unchanged(&demo.snapshot(), "requests that are not XML");
    // application/xml with a charset parameter is XML.
    let reply = demo.raw(
        "supplier-a",
        reqwest::Method::POST,
        Endpoint::NonDevice.path(),
        Some("application/xml; charset=utf-8"),
        p.xml.clone().into_bytes(),
    );
    reply.duis().assert_code("I99", &p.rid);
    // So is text/xml, and (for DCC Boxed tooling) a request that names no type at all.
    for content_type in [Some("text/xml"), None] {
        let q = demo.signed_request(
            tpl::READ_INVENTORY,
            "supplier-a",
            DCC_EUI,
            Some(&body::read_inventory_device(premises1::ESME)),
        );
        let reply = demo.raw(
            "supplier-a",
            reqwest::Method::POST,
            Endpoint::NonDevice.path(),
            content_type,
            q.xml.clone().into_bytes(),
        );
        reply.duis().assert_code("I0", &q.rid);
    }
}

#[test]
fn concurrent_copies_of_one_request_are_accepted_once() {
    let demo = Demo::start();
    let p = state_changing_request(&demo, "supplier-a");
    let replies = demo.send_concurrently(
        "supplier-a",
        Endpoint::NonDevice,
        vec![p.xml.clone().into_bytes(); 8],
    );
    let accepted: Vec<&Reply> = replies.iter().filter(|r| r.status == 200).collect();
    assert_eq!(accepted.len(), 1, "{replies:#?}");
    accepted[0].duis().assert_code("I99", &p.rid);
    for r in replies.iter().filter(|r| r.status != 200) {
        r.assert_refused(409, "was accepted before");
    }
    let snap = demo.snapshot();
    assert_eq!(
        snap.counter_of(&demo.user_eui("supplier-a")),
        Some(p.counter)
    );
    assert_eq!(
        snap.rows_with("devices", &format!("{:?}", spare::ESME))
            .len(),
        1
    );

    // Distinct requests from several users at once all go through.
    let users = [
        "supplier-a",
        "supplier-b",
        "distributor",
        "transporter",
        "other-user",
    ];
    let mut expected = Vec::new();
    for user in users {
        let q = demo.signed_request(
            tpl::READ_INVENTORY,
            user,
            DCC_EUI,
            Some(&body::read_inventory_uprn(premises1::UPRN)),
        );
        // Each over its own user's TLS identity.
        expected.push((user, q));
    }
    let replies: Vec<(String, Reply)> = std::thread::scope(|s| {
        let handles: Vec<_> = expected
            .iter()
            .map(|(user, q)| {
                let demo = &demo;
                s.spawn(move || (q.rid.clone(), demo.submit(user, q)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("request thread"))
            .collect()
    });
    for (rid, reply) in replies {
        reply.duis().assert_code("I0", &rid);
    }
}

// ---------------------------------------------------------------------------------------------
// Refusals after authentication: HTTP 200, a signed DUIS response with an E-code

/// Sends a signed request and expects a signed DUIS refusal with `code`, changing nothing.
fn assert_duis_refusal(demo: &Demo, tls_user: &str, endpoint: Endpoint, p: &Prepared, code: &str) {
    let before = demo.snapshot();
    let r = demo.send(tls_user, endpoint, p.xml.clone()).duis();
    r.assert_code(code, &p.rid);
    before.assert_unchanged(&demo.snapshot(), code);
}

#[test]
fn role_not_eligible_is_e2() {
    let demo = Demo::start();
    // 8.3 Decommission Device is for suppliers; the gas transporter may not send it.
    let p = demo.signed_request(
        tpl::DECOMMISSION,
        "transporter",
        DCC_EUI,
        Some(&format!(
            "<sr:DecommissionDevice><sr:DeviceID>{}</sr:DeviceID></sr:DecommissionDevice>",
            premises1::GSME
        )),
    );
    assert_duis_refusal(&demo, "transporter", Endpoint::NonDevice, &p, "E2");
}

#[test]
fn device_not_registered_to_the_requester_is_e4() {
    let demo = Demo::start();
    // supplier-b is a supplier, but not registered at premises 1.
    let p = demo.signed_request(tpl::READ_FIRMWARE_ESME, "supplier-b", premises1::ESME, None);
    assert_eq!(p.endpoint(), Endpoint::SendCommand);
    assert_duis_refusal(&demo, "supplier-b", Endpoint::SendCommand, &p, "E4");

    let p = demo.signed_request(
        tpl::UPDATE_INVENTORY,
        "supplier-b",
        DCC_EUI,
        Some(&body::update_hub_status(premises1::CHF, "Withdrawn")),
    );
    assert_duis_refusal(&demo, "supplier-b", Endpoint::NonDevice, &p, "E4");

    // The same requests from the registered supplier are accepted.
    let p = demo.signed_request(tpl::READ_FIRMWARE_ESME, "supplier-a", premises1::ESME, None);
    demo.submit("supplier-a", &p)
        .duis()
        .assert_code("I99", &p.rid);
}

#[test]
fn unknown_device_is_e19() {
    let demo = Demo::start();
    let p = demo.signed_request(tpl::READ_FIRMWARE_ESME, "supplier-a", UNKNOWN_DEVICE, None);
    assert_duis_refusal(&demo, "supplier-a", Endpoint::SendCommand, &p, "E19");

    let p = demo.signed_request(
        tpl::UPDATE_INVENTORY,
        "supplier-a",
        DCC_EUI,
        Some(&body::update_status(UNKNOWN_DEVICE, "Pending")),
    );
    assert_duis_refusal(&demo, "supplier-a", Endpoint::NonDevice, &p, "E19");
}

#[test]
fn non_device_request_to_the_send_command_endpoint_is_e13() {
    let demo = Demo::start();
    let p = state_changing_request(&demo, "supplier-a");
    assert_eq!(p.endpoint(), Endpoint::NonDevice);
    assert_duis_refusal(&demo, "supplier-a", Endpoint::SendCommand, &p, "E13");
    assert_duis_refusal(&demo, "supplier-a", Endpoint::Transform, &p, "E13");
    // A device request on the non-device endpoint.
    let d = demo.signed_request(tpl::READ_FIRMWARE_ESME, "supplier-a", premises1::ESME, None);
    assert_duis_refusal(&demo, "supplier-a", Endpoint::NonDevice, &d, "E13");
    // On the right endpoint it is accepted.
    assert_eq!(demo.submit("supplier-a", &p).duis().code(), "I99");
}

// ---------------------------------------------------------------------------------------------
// TLS

fn assert_handshake_refused(probe: &TlsProbe, what: &str) {
    match probe {
        TlsProbe::Failed { tls, message } => {
            assert!(
                matches!(tls, Some(rustls::Error::AlertReceived(_))),
                "{what}: expected the server to end the handshake with a TLS alert, got {message}"
            );
        }
        other => panic!("{what}: the connection should have failed, got {other:?}"),
    }
}

#[test]
fn connection_without_client_certificate_fails_the_handshake() {
    let demo = Demo::start();
    let p = state_changing_request(&demo, "supplier-a");
    let before = demo.snapshot();
    let probe = demo.tls_probe(None, p.xml.as_bytes());
    assert_handshake_refused(&probe, "no client certificate");
    if let TlsProbe::Failed { tls, .. } = &probe {
        assert_eq!(
            tls.as_ref(),
            Some(&rustls::Error::AlertReceived(
                rustls::AlertDescription::CertificateRequired
            ))
        );
    }
    before.assert_unchanged(
        &demo.snapshot(),
        "a connection without a client certificate",
    );
    // With the user's own certificate the same probe gets an HTTP answer.
    let probe = demo.tls_probe(
        Some(&TlsIdentity::of(demo.user("supplier-a"))),
        p.xml.as_bytes(),
    );
    assert_eq!(probe.http_status(), Some(200), "{probe:?}");
}

#[test]
fn client_certificate_from_another_ca_fails_the_handshake() {
    let demo = Demo::start();
    let p = state_changing_request(&demo, "supplier-a");
    let before = demo.snapshot();
    let intruder = foreign_tls_identity(&demo.user_eui("supplier-a"), "supplier-a");
    let probe = demo.tls_probe(Some(&intruder), p.xml.as_bytes());
    assert_handshake_refused(&probe, "a client certificate from another CA");
    before.assert_unchanged(&demo.snapshot(), "a client certificate from another CA");
    // The listener still serves its own users.
    assert_eq!(demo.submit("supplier-a", &p).duis().code(), "I99");
}

#[test]
fn client_presenting_its_leaf_certificate_alone_is_accepted() {
    let demo = Demo::start();
    let full = TlsIdentity::of(demo.user("supplier-a"));
    let leaf = rustls_pemfile::certs(&mut full.chain_pem.as_bytes())
        .next()
        .expect("a certificate")
        .expect("PEM");
    let leaf_only = TlsIdentity {
        chain_pem: smki::cert_to_pem(leaf.as_ref()).expect("PEM"),
        key_pem: full.key_pem.clone(),
    };
    let p = demo.signed_request(
        tpl::READ_INVENTORY,
        "supplier-a",
        DCC_EUI,
        Some(&body::read_inventory_device(premises1::ESME)),
    );
    let probe = demo.tls_probe(Some(&leaf_only), p.xml.as_bytes());
    assert_eq!(probe.http_status(), Some(200), "{probe:?}");
}

// ---------------------------------------------------------------------------------------------
// Property: no change to signed character data gets through

mod tampering {
    use super::*;
    use proptest::prelude::*;

    /// Byte offsets of the character data (text nodes, whitespace included) between the root's
    /// start tag and the signature.
    fn text_offsets(xml: &str) -> Vec<usize> {
        let start = xml.find("<sr:Request").expect("root");
        let start = start + xml[start..].find('>').expect("root start tag end") + 1;
        let end = xml.find("<ds:Signature").expect("signature");
        let mut out = Vec::new();
        let mut in_tag = false;
        for (i, b) in xml.as_bytes()[start..end].iter().enumerate() {
            match b {
                b'<' => in_tag = true,
                b'>' => in_tag = false,
                _ if !in_tag => out.push(start + i),
                _ => {}
            }
        }
        out
    }

    /// A different character of the same kind (whitespace stays whitespace, but never CR, which
    /// XML reads as LF).
    fn replacement(original: u8, pick: u8) -> u8 {
        if original.is_ascii_whitespace() {
            let choices: Vec<u8> = [b' ', b'\t', b'\n']
                .into_iter()
                .filter(|&c| c != original)
                .collect();
            choices[usize::from(pick) % choices.len()]
        } else {
            let choices: Vec<u8> = (b'0'..=b'9')
                .chain(b'A'..=b'Z')
                .chain(b'a'..=b'z')
                .filter(|&c| c != original)
                .collect();
            choices[usize::from(pick) % choices.len()]
        }
    }

    #[test]
    fn any_change_to_signed_text_is_refused_and_changes_nothing() {
        let demo = Demo::start();
        let p = state_changing_request(&demo, "supplier-a");
        let offsets = text_offsets(&p.xml);
        assert!(offsets.len() > 50, "the request has character data");
        let config = ProptestConfig {
            cases: 24,
            failure_persistence: None,
            ..ProptestConfig::default()
        };
        proptest!(config, |(index in 0..offsets.len(), pick in any::<u8>())| {
            let at = offsets[index];
            let mut tampered = p.xml.clone().into_bytes();
            tampered[at] = replacement(tampered[at], pick);
            let before = demo.snapshot();
            let reply = demo.send("supplier-a", Endpoint::NonDevice, tampered);
            prop_assert!(
                reply.status == 400 || reply.status == 401,
                "byte {} changed: HTTP {} {}", at, reply.status, reply.body
            );
            prop_assert!(reply.content_type.starts_with("text/plain"));
            prop_assert_eq!(before.changed_tables(&demo.snapshot()), Vec::<String>::new());
        });
        // The original still goes through.
        assert_eq!(demo.submit("supplier-a", &p).duis().code(), "I99");
    }
}
