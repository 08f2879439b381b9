//! 6.21 Request Handover of DCC Controlled Device end to end: a device whose supplier and
//! network operator cells the DCC holds (its ACB's keys, as `opendcc demo --zaz1
//! --dcc-controlled` makes one) refuses the supplier's own commands; the incoming supplier asks
//! for the handover with its certificates (CV 1; the DCC originates and signs the CS02b as the
//! ACB), the device places them, and from then on the supplier's commands are obeyed while the
//! DCC's key in the supplier's role is refused (a second 6.21: the device refuses it, nothing
//! changes). A certificate of the wrong key usage is refused by the DCC, one from another PKI
//! by the device, and nothing changes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use harness::{Harness, premises1};

const SUPPLIER: &str = "supplier-a";
const HANDOVER: &str = "CS02bSupplierBySupplierHandover_6.21_SUCCESS_REQUEST_DUIS.XML";
const DISABLE: &str = "ECS43_7.2_SUCCESS_REQUEST_DUIS.XML";

fn b64(d: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(d)
}

fn pem_file(h: &Harness, path: &str) -> Vec<u8> {
    let pem = std::fs::read_to_string(h.world_dir().join(path)).unwrap();
    smki::cert_from_pem(&pem).unwrap()
}

/// The supplier's organisation certificates (DS, KA) and the organisation CA's.
fn supplier_certificates(h: &Harness) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    (
        pem_file(h, &format!("users/{SUPPLIER}/signing.pem")),
        pem_file(h, &format!("users/{SUPPLIER}/ka.pem")),
        pem_file(h, "pki/org-issuing.pem"),
    )
}

/// The 6.21 body handing the supplier's cells over to `ds` and `ka`, certification path `path`.
fn handover_body(ds: &[u8], ka: &[u8], path: &[u8]) -> String {
    format!(
        "<sr:RequestHandoverOfDCCControlledDevice>\
         <sr:RemotePartyRole>Supplier</sr:RemotePartyRole>\
         <sr:RemotePartyFloorSeqNumber>0</sr:RemotePartyFloorSeqNumber>\
         <sr:RemotePartyPrepaymentTopUpFloorSeqNumber>0</sr:RemotePartyPrepaymentTopUpFloorSeqNumber>\
         <sr:ReplacementCertificates>\
         <sr:DigitalSigningCertificate>{}</sr:DigitalSigningCertificate>\
         <sr:KeyAgreementCertificate>{}</sr:KeyAgreementCertificate>\
         </sr:ReplacementCertificates>\
         <sr:CertificationPathCertificates><sr:Certificate>{}</sr:Certificate>\
         </sr:CertificationPathCertificates>\
         <sr:ApplyTimeBasedCPVChecks>true</sr:ApplyTimeBasedCPVChecks>\
         </sr:RequestHandoverOfDCCControlledDevice>",
        b64(ds),
        b64(ka),
        b64(path)
    )
}

/// A 6.21 request with `body` (CV 1): the gateway's refusal, or the answer delivered once the
/// DCC and the device are done (its response code).
fn handover(h: &mut Harness, body: &str) -> Result<String, String> {
    let p = h.request(HANDOVER, SUPPLIER, premises1::ESME);
    let xml = harness::with_body(&p.xml, body);
    let answer = h.send(&h.sign(SUPPLIER, &xml));
    if answer.code.map(|c| c.as_str()) != Some("I99") {
        return Err(answer.body);
    }
    h.run_until_idle();
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .expect("the DCC's or the device's answer");
    Ok(r.code().unwrap_or_default())
}

/// A 7.2 (critical, signed with the supplier's key): the response code delivered.
fn disable_supply(h: &mut Harness) -> String {
    let p = h.request(DISABLE, SUPPLIER, premises1::ESME);
    let a = h.send(&h.sign(SUPPLIER, &p.xml));
    h.return_signed_precommand(SUPPLIER, &p.rid, "7.2", &a);
    h.run_until_idle();
    h.response_for(SUPPLIER, &p.rid)
        .expect("an answer")
        .code()
        .unwrap_or_default()
}

/// The device's anchor cell of `role`: its DS public key (hex).
fn anchor(h: &Harness, role: &str) -> String {
    h.device_state(premises1::ESME)["trust_anchors"][role]["ds_public"]
        .as_str()
        .unwrap_or_else(|| panic!("no {role} cell"))
        .to_lowercase()
}

fn refusals(h: &Harness) -> usize {
    h.device_state(premises1::ESME)["event_log"]
        .to_string()
        .matches("CommandRefused")
        .count()
}

fn public_key_hex(cert: &[u8]) -> String {
    gbcs::PublicKey::from_certificate_der(cert)
        .unwrap()
        .as_sec1()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn six_21_hands_a_dcc_controlled_device_over_to_the_supplier() {
    let mut h = Harness::new_world();
    let supplier_before = anchor(&h, "Supplier");
    h.make_dcc_controlled(premises1::ESME);
    let acb = anchor(&h, "AccessControlBroker");
    assert_eq!(anchor(&h, "Supplier"), acb, "the DCC holds the cells");
    assert_eq!(anchor(&h, "NetworkOperator"), acb);
    // DCC-controlled: the supplier's own command is refused by the device.
    let refused = refusals(&h);
    assert_eq!(disable_supply(&mut h), "E21");
    assert_eq!(refusals(&h), refused + 1);
    assert_eq!(h.device_state(premises1::ESME)["supply"], "Enabled");

    let (ds, ka, path) = supplier_certificates(&h);
    assert_eq!(
        handover(&mut h, &handover_body(&ds, &ka, &path)),
        Ok("I0".into())
    );
    let placed = anchor(&h, "Supplier");
    assert_eq!(placed, public_key_hex(&ds), "the supplier's key");
    assert_eq!(placed, supplier_before);
    assert_eq!(
        anchor(&h, "NetworkOperator"),
        acb,
        "only the supplier's cells"
    );

    // The DCC's key in the supplier's role is refused now: a second handover changes nothing.
    let refused = refusals(&h);
    // The device does not answer a command it refuses: the DCC reports E21.
    let again = handover(&mut h, &handover_body(&ds, &ka, &path));
    assert_eq!(again, Ok("E21".into()));
    assert_eq!(refusals(&h), refused + 1, "refused by the device");
    assert_eq!(anchor(&h, "Supplier"), placed);

    // The supplier's commands are obeyed, across a restart.
    h.restart();
    assert_eq!(disable_supply(&mut h), "I0");
    assert_eq!(h.device_state(premises1::ESME)["supply"], "Disabled");
}

#[test]
fn a_handover_with_a_wrong_or_foreign_certificate_changes_nothing() {
    let mut h = Harness::new_world();
    h.make_dcc_controlled(premises1::ESME);
    let acb = anchor(&h, "AccessControlBroker");
    let (ds, ka, path) = supplier_certificates(&h);
    // The key-agreement certificate in the signing slot (the wrong key usage): the DCC refuses.
    let e = handover(&mut h, &handover_body(&ka, &ka, &path)).unwrap_err();
    assert!(e.contains("wrong key usage"), "{e}");
    assert_eq!(anchor(&h, "Supplier"), acb);
    // A signing certificate from another PKI: the device refuses to place it.
    let other = smki::Pki::generate_with_os_rng(h.now(), &smki::PkiNames::default()).unwrap();
    let key = smki::KeyPair::generate_with_os_rng().unwrap();
    let foreign = other
        .oca
        .issue_organisation(&smki::OrgCertRequest {
            common_name: None,
            eui: h.user_eui(SUPPLIER),
            role: smki::RemotePartyRole::Supplier,
            usage: smki::KeyUsage::DigitalSignature,
            public_key: key.public_key(),
            serial: smki::Serial::random_with_os_rng().unwrap(),
            not_before: h.now() - time::Duration::days(1),
            not_after: h.now() + time::Duration::days(30),
        })
        .unwrap();
    let got = handover(&mut h, &handover_body(&foreign, &ka, &path));
    // The device answers that the command failed: E100.
    assert_eq!(got, Ok("E100".into()));
    assert_eq!(anchor(&h, "Supplier"), acb, "nothing placed");
    assert_eq!(anchor(&h, "NetworkOperator"), acb);
    // The supplier is still refused; a good handover still works.
    assert_eq!(disable_supply(&mut h), "E21");
    assert_eq!(
        handover(&mut h, &handover_body(&ds, &ka, &path)),
        Ok("I0".into())
    );
    assert_eq!(anchor(&h, "Supplier"), public_key_hex(&ds));
}
