//! Critical device services with the harness, as supplier-a: the command variant 4 request
//! answered with its pre-command ([`request_precommand`]), the pre-command signed with the
//! supplier's GBCS key and sent back as command variant 5 ([`good_cv5`], or any payload with
//! [`cv5`]), and the device's signed answer delivered to the Receive Response Service
//! ([`run_critical`]).

use super::*;

/// The user the critical helpers act as.
pub const SUPPLIER: &str = "supplier-a";

/// A critical request from supplier-a answered with its pre-command.
pub struct Critical {
    pub cv4: Prepared,
    pub service_reference: String,
    pub srv: String,
    /// The pre-command bytes the DCC returned.
    pub precommand: Vec<u8>,
}

/// Sends the command variant 4 request of `template` to `target`; checks the pre-command.
pub fn request_precommand(
    demo: &Demo,
    template_name: &str,
    target: &str,
    use_case: &str,
) -> Critical {
    request_precommand_with(demo, template_name, target, use_case, None)
}

/// As [`request_precommand`], with `body` in place of the template's.
pub fn request_precommand_with(
    demo: &Demo,
    template_name: &str,
    target: &str,
    use_case: &str,
    body: Option<&str>,
) -> Critical {
    let cv4 = demo.signed_request(template_name, SUPPLIER, target, body);
    assert_eq!(cv4.endpoint(), Endpoint::Transform);
    let r = demo.submit(SUPPLIER, &cv4).duis();
    r.assert_code("I0", &cv4.rid);
    let precommand = gbcs_payload(&r);
    let apdu = gbcs::GeneralSigning::decode(&precommand).expect("the pre-command decodes");
    assert!(apdu.is_precommand(), "{apdu:?}");
    assert_eq!(apdu.message_code().use_case(), Some(use_case));
    assert_eq!(
        apdu.counter, cv4.counter,
        "the pre-command carries the counter"
    );
    Critical {
        service_reference: text_of(&cv4.xml, "ServiceReference").expect("ServiceReference"),
        srv: text_of(&cv4.xml, "ServiceReferenceVariant").expect("ServiceReferenceVariant"),
        cv4,
        precommand,
    }
}

/// A command variant 5 request for `rid` carrying `payload` as its GBCS payload, XML-signed by
/// supplier-a.
pub fn cv5(demo: &Demo, c: &Critical, rid: &str, payload: &[u8]) -> Prepared {
    let xml = cv5_request_xml(rid, &c.service_reference, &c.srv, payload);
    let counter = rid
        .rsplit(':')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a counter");
    Prepared {
        rid: rid.to_string(),
        counter,
        xml: demo.sign(SUPPLIER, &xml),
    }
}

/// The correctly signed command variant 5 request of a critical request.
pub fn good_cv5(demo: &Demo, c: &Critical) -> Prepared {
    let signed = sign_precommand(&c.precommand, &demo.user_file(SUPPLIER, "signing.key"));
    cv5(demo, c, &c.cv4.rid, &signed)
}

/// Runs a critical request to the device's answer: CV 4, CV 5 (I99), the answer delivered,
/// signed by the device.
pub fn run_critical(
    demo: &Demo,
    sink: &ResponseSink,
    template_name: &str,
    target: &str,
    use_case: &str,
) -> GbcsAnswer {
    run_critical_with(demo, sink, template_name, target, use_case, None)
}

/// As [`run_critical`], with `body` in place of the template's.
pub fn run_critical_with(
    demo: &Demo,
    sink: &ResponseSink,
    template_name: &str,
    target: &str,
    use_case: &str,
    body: Option<&str>,
) -> GbcsAnswer {
    run_critical_to(demo, sink, template_name, target, use_case, body, "I0")
}

/// As [`run_critical_with`], the answer delivered with response code `code` (`E100` when the
/// device reports that the command failed).
pub fn run_critical_to(
    demo: &Demo,
    sink: &ResponseSink,
    template_name: &str,
    target: &str,
    use_case: &str,
    body: Option<&str>,
    code: &str,
) -> GbcsAnswer {
    critical_response(demo, sink, template_name, target, use_case, body, code).1
}

/// As [`run_critical_to`], also returning the delivered DUIS response (for its MMC form,
/// [`Demo::decode_mmc`]).
pub fn critical_response(
    demo: &Demo,
    sink: &ResponseSink,
    template_name: &str,
    target: &str,
    use_case: &str,
    body: Option<&str>,
    code: &str,
) -> (DuisResponse, GbcsAnswer) {
    let c = request_precommand_with(demo, template_name, target, use_case, body);
    let p = good_cv5(demo, &c);
    assert_eq!(p.endpoint(), Endpoint::SendCommand);
    demo.submit(SUPPLIER, &p).duis().assert_code("I99", &p.rid);
    let r = demo.delivered(sink, &p.rid);
    r.assert_code(code, &p.rid);
    let a = GbcsAnswer::of(&r);
    assert_eq!(a.use_case(), Some(use_case));
    assert_eq!(a.apdu().counter, p.counter);
    a.assert_signed_by(&demo.device_cert_path(target, "ds"));
    (r, a)
}
