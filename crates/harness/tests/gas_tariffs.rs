//! 1.2.1 Update Price (Primary Element) on the GSME end to end on a simulated clock: the
//! critical write (CV 4 pre-command GCS01b, the supplier's signature, CV 5) carried to the
//! emulated gas meter, then 4.11.1 Read Tariff (GCS21f) showing the new standing charge and
//! price after a restart of the DCC.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use dcc::gateway::Answer;
use gbcs::PublicKey;
use harness::{Delivered, Harness, premises1};

const SUPPLIER: &str = "supplier-a";
const GSME: &str = premises1::GSME;

fn acknowledged(a: &Answer) {
    assert_eq!(a.http_status, 200, "{}", a.body);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
}

fn cv5(rid: &str, srv: &str, payload: &[u8]) -> String {
    use base64::Engine as _;
    format!(
        concat!(
            r#"<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4">"#,
            "<sr:Header><sr:RequestID>{}</sr:RequestID><sr:CommandVariant>5</sr:CommandVariant>",
            "<sr:ServiceReference>{}</sr:ServiceReference>",
            "<sr:ServiceReferenceVariant>{}</sr:ServiceReferenceVariant></sr:Header>",
            "<sr:Body><sr:SignedPreCommand><sr:GBCSPayload>{}</sr:GBCSPayload></sr:SignedPreCommand>",
            "</sr:Body></sr:Request>"
        ),
        rid,
        &srv[..3],
        srv,
        base64::engine::general_purpose::STANDARD.encode(payload)
    )
}

/// The device's answer rendered as MMC (opened with the supplier's key).
fn render(h: &Harness, r: &Delivered, srv: &str) -> String {
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    let (_, ka) = h.user_ka(SUPPLIER);
    let device_ka = PublicKey::from_certificate_der(&h.device_cert(GSME, "ka")).unwrap();
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
    let p = h.request(template, SUPPLIER, GSME);
    let a = h.send(&h.sign(SUPPLIER, &edit(&p.xml)));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I0"), "{}", a.body);
    h.check_signed(&a.body);
    let pre = Delivered {
        delivery_id: 0,
        kind: "response".into(),
        xml: a.body.clone(),
    }
    .gbcs_payload()
    .expect("a pre-command");
    let signed = h.sign_precommand(SUPPLIER, &pre);
    let a = h.send(&h.sign(SUPPLIER, &cv5(&p.rid, srv, &signed)));
    acknowledged(&a);
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

/// A non-critical read of the GSME, answered I0, rendered.
fn read(h: &mut Harness, template: &str, srv: &str) -> String {
    let (p, a) = h.device_request(SUPPLIER, template, GSME);
    acknowledged(&a);
    h.run_until_idle();
    let r = h.response_for(SUPPLIER, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    render(h, &r, srv)
}

fn tariff_read(h: &mut Harness) -> String {
    read(h, "GCS21f_4.11.1_SUCCESS_REQUEST_DUIS.XML", "4.11.1")
}

#[test]
fn written_gas_prices_read_back_across_a_restart() {
    let mut h = Harness::new_world();
    let before = tariff_read(&mut h);
    assert!(!before.contains(">23456<"), "{before}");
    assert!(!before.contains(">10321<"), "{before}");
    update(
        &mut h,
        "GCS01b_1.2.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML",
        "1.2.1",
        |x| x.replace(">22465<", ">23456<").replace(">9600<", ">10321<"),
        false,
        "UpdatePricePrimaryElementRsp",
    );
    h.restart();
    let after = tariff_read(&mut h);
    assert!(after.contains(">23456<"), "{after}");
    assert!(after.contains(">10321<"), "{after}");
}
