//! 6.15.1 Update Security Credentials (KRP) end to end: the supplier gets a new organisation
//! digital-signing certificate from the SMKI service (a CSR, issued by the world's organisation
//! CA and lodged in the repository), replaces its trust anchor on the ESME with 6.15.1 through
//! the critical flow (CV 4 pre-command, the supplier's signature with its current key, CV 5,
//! correlated), and afterwards a command signed with the old key is refused by the meter (a
//! security log entry) while one signed with the new key is obeyed; the anchor survives a
//! restart. A certificate from another PKI is refused by the meter, one of another party by
//! the DCC, and nothing changes.
//!
//! 6.17 Issue Security Credentials then 6.15.2 Update Security Credentials (Device): the meter
//! generates a new key pair and answers with its certificate signing request; the supplier has
//! the SMKI service issue the Device certificate (lodged in the repository); 6.15.2 places it;
//! the meter's answers are signed with the new key from then on (and verify under the
//! repository's certificate), across a restart. One from another PKI is refused by the meter
//! and nothing changes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use dcc::store::Store as _;
use gbcs::GeneralSigning;
use gbcs::usecases::{ResponseOutcome, ResponseValue, decode_response};
use harness::{Harness, premises1};
use smki_service::{Environment, SmkiStore as _, SmkiTx};

const SUPPLIER: &str = "supplier-a";
const KRP: &str = "CS02bSupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML";
const DISABLE: &str = "ECS43_7.2_SUCCESS_REQUEST_DUIS.XML";

fn b64(d: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(d)
}

/// A critical request whose body is replaced by `body` (when given); the pre-command signed by
/// `sign` (the supplier's current GBCS key unless given). Returns the request's RequestID, or
/// the DCC's refusal of CV 4.
fn critical(
    h: &mut Harness,
    template: &str,
    srv: &str,
    body: Option<&str>,
    sign: Option<&gbcs::SigningKey>,
) -> Result<String, String> {
    let p = h.request(template, SUPPLIER, premises1::ESME);
    let xml = match body {
        Some(b) => harness::with_body(&p.xml, b),
        None => p.xml.clone(),
    };
    let a = h.send(&h.sign(SUPPLIER, &xml));
    if a.code.map(|c| c.as_str()) != Some("I0") {
        return Err(a.body);
    }
    let pre = harness::precommand_of(&a);
    let signed = match sign {
        Some(k) => GeneralSigning::decode(&pre)
            .unwrap()
            .sign(k)
            .unwrap()
            .encode(),
        None => h.sign_precommand(SUPPLIER, &pre),
    };
    let a = h.send(&h.sign(SUPPLIER, &harness::cv5_request(&p.rid, srv, &signed)));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    Ok(p.rid)
}

/// The KRP body replacing the supplier's DS cell with `cert`, certification path `path`.
fn krp_body(cert: &[u8], path: &[u8]) -> String {
    format!(
        "<sr:UpdateSecurityCredentialsKRP><sr:RemotePartyRole>Supplier</sr:RemotePartyRole>\
         <sr:RemotePartyFloorSeqNumber>0</sr:RemotePartyFloorSeqNumber>\
         <sr:ReplacementCertificates><sr:SupplierOrNetworkOperatorCertificates>\
         <sr:DigitalSigningCertificate>{}</sr:DigitalSigningCertificate>\
         </sr:SupplierOrNetworkOperatorCertificates></sr:ReplacementCertificates>\
         <sr:CertificationPathCertificates><sr:Certificate>{}</sr:Certificate>\
         </sr:CertificationPathCertificates>\
         <sr:ApplyTimeBasedCPVChecks>true</sr:ApplyTimeBasedCPVChecks>\
         </sr:UpdateSecurityCredentialsKRP>",
        b64(cert),
        b64(path)
    )
}

/// A new organisation DS certificate for the supplier from the SMKI service (CSR, issuance by
/// the world's OCA, lodged in the repository), made known to the gateway; and its key.
fn new_certificate(h: &Harness) -> (Vec<u8>, gbcs::SigningKey) {
    let eui = h.user_eui(SUPPLIER);
    let key = smki::KeyPair::generate_with_os_rng().unwrap();
    let csr = smki::csr::build_organisation_csr(
        &key,
        None,
        eui,
        smki::RemotePartyRole::Supplier,
        smki::KeyUsage::DigitalSignature,
    )
    .unwrap();
    let now = h.now();
    let issued = h
        .store()
        .smki_transaction(|tx: &mut dyn SmkiTx| {
            smki_service::issuance::issue(
                tx,
                Environment::Live,
                eui,
                &csr,
                smki::Serial::random_with_os_rng().unwrap(),
                now,
            )
        })
        .unwrap();
    let der = issued.record.der.clone();
    let record = opendcc::world::org_record(&der).unwrap();
    h.store()
        .transaction(|tx| Ok(tx.put_org_cert(&record)?))
        .unwrap();
    let signing = gbcs::SigningKey::from_der(&key.to_pkcs8_der().unwrap()).unwrap();
    (der, signing)
}

fn oca(h: &Harness) -> Vec<u8> {
    let pem = std::fs::read_to_string(h.world_dir().join("pki/org-issuing.pem")).unwrap();
    smki::cert_from_pem(&pem).unwrap()
}

fn supplier_ds_anchor(h: &Harness) -> String {
    h.device_state(premises1::ESME)["trust_anchors"]["Supplier"]["ds_public"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn device_answer(h: &Harness, rid: &str) -> GeneralSigning {
    let r = h.response_for(SUPPLIER, rid).expect("the meter's answer");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    gbcs::Frame::decode(&r.gbcs_payload().unwrap())
        .unwrap()
        .apdu()
        .clone()
}

fn refusals(h: &Harness) -> usize {
    h.device_state(premises1::ESME)["event_log"]
        .to_string()
        .matches("SignatureInvalid")
        .count()
}

#[test]
fn supplier_replaces_its_anchor_then_the_old_key_is_refused_and_the_new_obeyed() {
    let mut h = Harness::new_world();
    let old_anchor = supplier_ds_anchor(&h);
    let (cert, new_key) = new_certificate(&h);
    let path = oca(&h);
    let rid = critical(&mut h, KRP, "6.15.1", Some(&krp_body(&cert, &path)), None).unwrap();
    let a = device_answer(&h, &rid);
    assert!(matches!(
        decode_response(a.message_code(), &a.content).unwrap(),
        ResponseOutcome::Success(ResponseValue::CredentialsReplaced(_))
    ));
    let new_anchor = supplier_ds_anchor(&h);
    assert_ne!(new_anchor, old_anchor);
    let hex: String = new_key
        .public_key()
        .unwrap()
        .as_sec1()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(new_anchor.to_lowercase(), hex);

    // The old key: the meter refuses (security log), the supply stays on.
    let before = refusals(&h);
    let rid = critical(&mut h, DISABLE, "7.2", None, None).unwrap();
    // The meter does not answer a command it refuses: the DCC reports E21.
    let r = h.response_for(SUPPLIER, &rid).expect("the DCC's answer");
    assert_eq!(r.code().as_deref(), Some("E21"), "{}", r.xml);
    assert_eq!(refusals(&h), before + 1);
    assert_ne!(h.device_state(premises1::ESME)["supply"], "Disabled");

    // The new key: obeyed, across a restart.
    h.restart();
    assert_eq!(supplier_ds_anchor(&h), new_anchor);
    let rid = critical(&mut h, DISABLE, "7.2", None, Some(&new_key)).unwrap();
    let a = device_answer(&h, &rid);
    assert_eq!(a.message_code().use_case(), Some("ECS43"));
    assert_eq!(h.device_state(premises1::ESME)["supply"], "Disabled");
}

#[test]
fn a_certificate_from_another_pki_or_party_changes_nothing() {
    let mut h = Harness::new_world();
    let before = supplier_ds_anchor(&h);
    let path = oca(&h);
    // Another PKI: the meter refuses the replacement (its issuer is not the path's).
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
    let rid = critical(
        &mut h,
        KRP,
        "6.15.1",
        Some(&krp_body(&foreign, &path)),
        None,
    )
    .unwrap();
    let r = h.response_for(SUPPLIER, &rid).expect("the meter's answer");
    let a = gbcs::Frame::decode(&r.gbcs_payload().unwrap())
        .unwrap()
        .apdu()
        .clone();
    assert!(matches!(
        decode_response(a.message_code(), &a.content).unwrap(),
        ResponseOutcome::Failure(_)
    ));
    assert_eq!(supplier_ds_anchor(&h), before);
    // Another party's certificate: refused by the DCC, nothing sent.
    let nobody = other
        .oca
        .issue_organisation(&smki::OrgCertRequest {
            common_name: None,
            eui: eui::Eui64::from_u64(0x90b3_d51f_3001_9999),
            role: smki::RemotePartyRole::Supplier,
            usage: smki::KeyUsage::DigitalSignature,
            public_key: key.public_key(),
            serial: smki::Serial::random_with_os_rng().unwrap(),
            not_before: h.now() - time::Duration::days(1),
            not_after: h.now() + time::Duration::days(30),
        })
        .unwrap();
    let e = critical(&mut h, KRP, "6.15.1", Some(&krp_body(&nobody, &path)), None).unwrap_err();
    assert!(e.contains("not the requester"), "{e}");
    assert_eq!(supplier_ds_anchor(&h), before);
}

const COS: &str = "CS02bSupplierByTransCoS_6.23_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML";

/// The 6.23 body replacing the supplier's DS cell with `cert`, certification path `path`.
fn cos_body(cert: &[u8], path: &[u8]) -> String {
    format!(
        "<sr:UpdateSecurityCredentialsCoS>\
         <sr:SupplierFloorSeqNumber>0</sr:SupplierFloorSeqNumber>\
         <sr:SupplierReplacementCertificates>\
         <sr:DigitalSigningCertificate>{}</sr:DigitalSigningCertificate>\
         </sr:SupplierReplacementCertificates>\
         <sr:CertificationPathCertificates><sr:Certificate>{}</sr:Certificate>\
         </sr:CertificationPathCertificates>\
         <sr:ApplyTimeBasedCPVChecks>true</sr:ApplyTimeBasedCPVChecks>\
         <sr:ImportMPxN>1312345678333</sr:ImportMPxN>\
         </sr:UpdateSecurityCredentialsCoS>",
        b64(cert),
        b64(path)
    )
}

/// Sends a 6.23 request with `body` (CV 1: the DCC's transitional CoS party signs); returns
/// its RequestID, or the DCC's refusal.
fn cos(h: &mut Harness, body: &str) -> Result<String, String> {
    let p = h.request(COS, SUPPLIER, premises1::ESME);
    let a = p.xml.find("<sr:Body>").unwrap();
    let z = p.xml.find("</sr:Body>").unwrap() + "</sr:Body>".len();
    let xml = format!("{}<sr:Body>{body}</sr:Body>{}", &p.xml[..a], &p.xml[z..]);
    let a = h.send(&h.sign(SUPPLIER, &xml));
    if a.code.map(|c| c.as_str()) != Some("I99") {
        return Err(a.body);
    }
    h.run_until_idle();
    Ok(p.rid)
}

/// 6.23: the DCC's transitional CoS party replaces the supplier's anchor with the incoming
/// supplier's certificate (here the supplier organisation's new key); afterwards the outgoing
/// key is refused by the meter and the incoming obeyed, across a restart.
#[test]
fn trans_cos_hands_over_the_supplier_anchor() {
    let mut h = Harness::new_world();
    let old_anchor = supplier_ds_anchor(&h);
    let (cert, new_key) = new_certificate(&h);
    let path = oca(&h);
    let rid = cos(&mut h, &cos_body(&cert, &path)).unwrap();
    let a = device_answer(&h, &rid);
    assert_eq!(a.message_code().use_case(), Some("CS02bSupplierByTransCoS"));
    assert!(matches!(
        decode_response(a.message_code(), &a.content).unwrap(),
        ResponseOutcome::Success(ResponseValue::CredentialsReplaced(_))
    ));
    assert_ne!(supplier_ds_anchor(&h), old_anchor);

    // The outgoing key: refused by the meter (E21), the supply stays on.
    let before = refusals(&h);
    let rid = critical(&mut h, DISABLE, "7.2", None, None).unwrap();
    let r = h.response_for(SUPPLIER, &rid).expect("the DCC's answer");
    assert_eq!(r.code().as_deref(), Some("E21"), "{}", r.xml);
    assert_eq!(refusals(&h), before + 1);
    assert_ne!(h.device_state(premises1::ESME)["supply"], "Disabled");

    // The incoming key: obeyed, across a restart.
    h.restart();
    let rid = critical(&mut h, DISABLE, "7.2", None, Some(&new_key)).unwrap();
    let a = device_answer(&h, &rid);
    assert_eq!(a.message_code().use_case(), Some("ECS43"));
    assert_eq!(h.device_state(premises1::ESME)["supply"], "Disabled");
}

/// 6.23 with a certificate of the wrong role is refused by the DCC, one from another PKI by the
/// meter; nothing changes.
#[test]
fn trans_cos_bad_certificates_change_nothing() {
    let mut h = Harness::new_world();
    let before = supplier_ds_anchor(&h);
    let path = oca(&h);
    // The OCA's own certificate (not a supplier's): refused by the DCC.
    let e = cos(&mut h, &cos_body(&path, &path)).unwrap_err();
    assert!(e.contains("UpdateSecurityCredentialsCoS"), "{e}");
    // Another PKI: the meter refuses.
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
    let rid = cos(&mut h, &cos_body(&foreign, &path)).unwrap();
    let r = h.response_for(SUPPLIER, &rid).expect("the meter's answer");
    let a = gbcs::Frame::decode(&r.gbcs_payload().unwrap())
        .unwrap()
        .apdu()
        .clone();
    assert!(matches!(
        decode_response(a.message_code(), &a.content).unwrap(),
        ResponseOutcome::Failure(_)
    ));
    assert_eq!(supplier_ds_anchor(&h), before);
}

const ISSUE: &str = "CS02c_6.17_SUCCESS_REQUEST_DUIS.XML";
const PLACE: &str = "CS02d_6.15.2_SUCCESS_REQUEST_DUIS.XML";

fn place_body(cert: &[u8]) -> String {
    format!(
        "<sr:UpdateSecurityCredentialsDevice><sr:DeviceCertificate>{}</sr:DeviceCertificate>\
         </sr:UpdateSecurityCredentialsDevice>",
        b64(cert)
    )
}

/// The meter's DS key as the DCC's copy of its certificate has it.
fn meter_ds_key(h: &Harness) -> gbcs::PublicKey {
    gbcs::PublicKey::from_certificate_der(&h.device_cert(premises1::ESME, "ds")).unwrap()
}

/// 6.17 through the critical flow: the meter's certificate signing request, its answer
/// verified under `key`.
fn issue_csr(h: &mut Harness, key: &gbcs::PublicKey) -> gbcs::usecases::DeviceCsr {
    let rid = critical(h, ISSUE, "6.17", None, None).unwrap();
    let a = device_answer(h, &rid);
    a.verify_signature(key).unwrap();
    match decode_response(a.message_code(), &a.content).unwrap() {
        ResponseOutcome::Success(ResponseValue::CertificateSigningRequest(c)) => *c,
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_meter_issues_new_credentials_and_signs_with_them_once_placed() {
    let mut h = Harness::new_world();
    let old = meter_ds_key(&h);
    let csr = issue_csr(&mut h, &old);
    assert_eq!(csr.eui, premises1::ESME.parse::<eui::Eui64>().unwrap());
    assert_ne!(csr.public_key, old);

    // The SMKI service issues the Device certificate from the request and lodges it.
    let supplier = h.user_eui(SUPPLIER);
    let now = h.now();
    let issued = h
        .store()
        .smki_transaction(|tx: &mut dyn SmkiTx| {
            smki_service::issuance::issue(
                tx,
                Environment::Live,
                supplier,
                &csr.der,
                smki::Serial::random_with_os_rng().unwrap(),
                now,
            )
        })
        .unwrap();
    let cert = issued.record.der.clone();
    let lodged = h
        .store()
        .smki_transaction(|tx: &mut dyn SmkiTx| tx.certificate(&issued.record.serial))
        .unwrap()
        .expect("the certificate is in the repository");
    assert_eq!(lodged.der, cert);
    assert_eq!(lodged.subject_eui, Some(csr.eui));
    let new = gbcs::PublicKey::from_certificate_der(&lodged.der).unwrap();
    assert_eq!(new, csr.public_key);

    // 6.15.2 places it: the meter's answer is signed with the new key already.
    let rid = critical(&mut h, PLACE, "6.15.2", Some(&place_body(&cert)), None).unwrap();
    let a = device_answer(&h, &rid);
    a.verify_signature(&new).unwrap();
    assert!(a.verify_signature(&old).is_err());
    assert_eq!(
        decode_response(a.message_code(), &a.content).unwrap(),
        ResponseOutcome::Success(ResponseValue::Done)
    );
    // The DCC's copy of the meter's DS certificate is the new one.
    assert_eq!(h.device_cert(premises1::ESME, "ds"), cert);

    // The next answer, after a restart, verifies under the repository's certificate.
    h.restart();
    let rid = critical(&mut h, DISABLE, "7.2", None, None).unwrap();
    let a = device_answer(&h, &rid);
    assert_eq!(a.message_code().use_case(), Some("ECS43"));
    a.verify_signature(&new).unwrap();
    assert!(a.verify_signature(&old).is_err());

    // 6.24.2 retrieves the placed certificate from the meter, signed with the new key.
    let body = "<sr:RetrieveDeviceSecurityCredentialsDevice><sr:CredentialType>Digital Signature</sr:CredentialType></sr:RetrieveDeviceSecurityCredentialsDevice>";
    let rid = critical(&mut h, DEVICE_READ, "6.24.2", Some(body), None).unwrap();
    let a = device_answer(&h, &rid);
    a.verify_signature(&new).unwrap();
    assert_eq!(
        decode_response(a.message_code(), &a.content).unwrap(),
        ResponseOutcome::Success(ResponseValue::DeviceCertificate(cert))
    );
}

#[test]
fn a_device_certificate_from_another_pki_is_refused_and_nothing_changes() {
    let mut h = Harness::new_world();
    let old = meter_ds_key(&h);
    let old_cert = h.device_cert(premises1::ESME, "ds");
    let csr = issue_csr(&mut h, &old);
    let other = smki::Pki::generate_with_os_rng(h.now(), &smki::PkiNames::default()).unwrap();
    let foreign = other
        .dca
        .issue_device(&smki::DeviceCertRequest {
            eui: csr.eui,
            usage: smki::KeyUsage::DigitalSignature,
            public_key: smki::PublicKey::from_sec1(csr.public_key.as_sec1()).unwrap(),
            serial: smki::Serial::random_with_os_rng().unwrap(),
            not_before: h.now(),
        })
        .unwrap();
    let credentials = h.device_state(premises1::ESME)["config"]["credentials"].clone();
    let rid = critical(&mut h, PLACE, "6.15.2", Some(&place_body(&foreign)), None).unwrap();
    // The meter's refusal: the DCC reports its failure (E100) with its answer.
    let r = h.response_for(SUPPLIER, &rid).expect("the meter's answer");
    assert_eq!(r.code().as_deref(), Some("E100"), "{}", r.xml);
    let a = gbcs::Frame::decode(&r.gbcs_payload().unwrap())
        .unwrap()
        .apdu()
        .clone();
    a.verify_signature(&old).unwrap();
    assert_eq!(
        decode_response(a.message_code(), &a.content).unwrap(),
        ResponseOutcome::Failure(gbcs::usecases::Failure::Result {
            code: gbcs::usecases::cs02c::response_code::INVALID_CERTIFICATE
        })
    );
    assert_eq!(
        h.device_state(premises1::ESME)["config"]["credentials"],
        credentials
    );
    assert_eq!(h.device_cert(premises1::ESME, "ds"), old_cert);
    // Another device's certificate: refused by the DCC, nothing sent.
    let theirs = h.device_cert(premises1::GSME, "ds");
    let e = critical(&mut h, PLACE, "6.15.2", Some(&place_body(&theirs)), None).unwrap_err();
    assert!(e.contains("DeviceCertificate"), "{e}");
    let rid = critical(&mut h, DISABLE, "7.2", None, None).unwrap();
    device_answer(&h, &rid).verify_signature(&old).unwrap();
}

// ---------------------------------------------------------------------------------------------
// 6.24.1 / 6.24.2 Retrieve Device Security Credentials

const KRP_READ: &str = "CS02aMAC_6.24.1_SUCCESS_REQUEST_DUIS.XML";
const DEVICE_READ: &str = "CS02e_6.24.2_SUCCESS_REQUEST_DUIS.XML";

/// Sends a 6.24.1 request with `body` (the template's when `None`; CV 1); its RequestID once the
/// device answered, or the DCC's refusal.
fn retrieve_krp(h: &mut Harness, target: &str, body: Option<&str>) -> Result<String, String> {
    let p = h.request(KRP_READ, SUPPLIER, target);
    let xml = match body {
        Some(b) => harness::with_body(&p.xml, b),
        None => p.xml.clone(),
    };
    let a = h.send(&h.sign(SUPPLIER, &xml));
    if a.code.map(|c| c.as_str()) != Some("I99") {
        return Err(a.body);
    }
    h.run_until_idle();
    Ok(p.rid)
}

/// The credential details the meter answered to a 6.24.1 request.
fn details(h: &Harness, rid: &str) -> gbcs::credentials::CredentialDetailsResponse {
    let a = device_answer(h, rid);
    // The ACB's own MAC'd CS02f (the world's ESME is of a GBCS 4.0 model).
    assert_eq!(a.message_code().use_case(), Some("CS02f"));
    match decode_response(a.message_code(), &a.content).unwrap() {
        ResponseOutcome::Success(ResponseValue::CredentialDetails(d)) => *d,
        o => panic!("{o:?}"),
    }
}

/// The SMKI repository's certificates of `eui` (DER).
fn repository(h: &Harness, eui: eui::Eui64) -> Vec<Vec<u8>> {
    h.store()
        .smki_transaction(|tx: &mut dyn SmkiTx| tx.certificates_by_subject(eui))
        .unwrap()
        .into_iter()
        .map(|r| r.der)
        .collect()
}

/// The repository's certificate of `eui` whose subject key identifier is `key_id`.
fn in_repository(h: &Harness, eui: eui::Eui64, key_id: [u8; 8]) -> Option<Vec<u8>> {
    repository(h, eui)
        .into_iter()
        .find(|d| gbcs::credentials::certificate_facts(d).is_ok_and(|f| f.key_id == key_id))
}

/// 6.24.1 reads the meter's trust anchor cells: the supplier's (DS, KA, prepayment top-up KA)
/// and the network operator's, each the key of a certificate of that party in the SMKI
/// repository; after the supplier replaces its DS certificate with 6.15.1, the next read shows
/// the new certificate's key identifier (the KA cells unchanged); the current seq number is the
/// counter of the supplier's last command.
#[test]
fn retrieve_replace_and_retrieve_again_shows_the_new_certificate() {
    let mut h = Harness::new_world();
    let supplier = h.user_eui(SUPPLIER);
    let rid = retrieve_krp(&mut h, premises1::ESME, None).unwrap();
    let d = details(&h, &rid);
    assert_eq!(
        d.0.iter().map(|p| (p.role, p.status)).collect::<Vec<_>>(),
        [(2, 0), (3, 0)]
    );
    let sup = d.0[0].held.clone().unwrap();
    assert_eq!(
        sup.cells
            .iter()
            .map(|c| (c.key_usage, c.cell_usage))
            .collect::<Vec<_>>(),
        [(0x80, None), (0x08, None), (0x08, Some(1))]
    );
    for c in &sup.cells {
        assert_eq!(c.subject, supplier.0);
        assert!(
            in_repository(&h, supplier, c.key_id).is_some(),
            "the supplier's cell {c:?} is no certificate of the repository"
        );
    }
    let no = d.0[1].held.clone().unwrap();
    let no_eui = eui::Eui64(no.cells[0].subject);
    assert_ne!(no_eui, supplier);
    for c in &no.cells {
        assert!(in_repository(&h, no_eui, c.key_id).is_some(), "{c:?}");
    }

    // 6.15.1: the supplier's new DS certificate.
    let (cert, _) = new_certificate(&h);
    let path = oca(&h);
    let krp = critical(&mut h, KRP, "6.15.1", Some(&krp_body(&cert, &path)), None).unwrap();
    let krp_counter: u64 = krp.rsplit(':').next().unwrap().parse().unwrap();
    let rid = retrieve_krp(&mut h, premises1::ESME, None).unwrap();
    let after = details(&h, &rid).0[0].held.clone().unwrap();
    let new = gbcs::credentials::certificate_facts(&cert).unwrap();
    assert_eq!(after.cells[0].key_id.to_vec(), new.key_id);
    assert_ne!(after.cells[0].key_id, sup.cells[0].key_id);
    assert_eq!(after.cells[0].subject, new.subject_eui.0);
    assert_eq!(
        in_repository(&h, supplier, after.cells[0].key_id),
        Some(cert.clone())
    );
    assert_eq!(after.cells[1..], sup.cells[1..]);
    assert!(after.seq_number >= krp_counter, "{after:?}");
}

/// 6.24.2 (critical): the meter answers its own DS and KA certificates, the SMKI repository's;
/// the same after a restart.
#[test]
fn retrieve_the_meters_own_certificates() {
    let mut h = Harness::new_world();
    let esme: eui::Eui64 = premises1::ESME.parse().unwrap();
    for (ty, usage) in [("Digital Signature", "ds"), ("Key Agreement", "ka")] {
        let body = format!(
            "<sr:RetrieveDeviceSecurityCredentialsDevice><sr:CredentialType>{ty}</sr:CredentialType></sr:RetrieveDeviceSecurityCredentialsDevice>"
        );
        let rid = critical(&mut h, DEVICE_READ, "6.24.2", Some(&body), None).unwrap();
        let r = h.response_for(SUPPLIER, &rid).expect("the meter's answer");
        assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
        let a = GeneralSigning::decode(&r.gbcs_payload().unwrap()).unwrap();
        let ResponseOutcome::Success(ResponseValue::DeviceCertificate(der)) =
            decode_response(a.message_code(), &a.content).unwrap()
        else {
            panic!()
        };
        assert_eq!(der, h.device_cert(premises1::ESME, usage));
        assert!(repository(&h, esme).contains(&der));
        h.restart();
    }
}

/// Refusals: a role the device holds no cell of in this form (the load controller, to a GSME:
/// CS02a) is E11; an unknown role or
/// credential type a schema-invalid request; nothing is sent.
#[test]
fn retrieving_credentials_refuses_bad_requests() {
    let mut h = Harness::new_world();
    let before = h.pending_commands();
    let lc = "<sr:RetrieveDeviceSecurityCredentialsKRP><sr:RemotePartyRole>LoadController</sr:RemotePartyRole></sr:RetrieveDeviceSecurityCredentialsKRP>";
    let e = retrieve_krp(&mut h, premises1::GSME, Some(lc)).unwrap_err();
    assert!(e.contains("E11"), "{e}");
    let bad = "<sr:RetrieveDeviceSecurityCredentialsKRP><sr:RemotePartyRole>Installer</sr:RemotePartyRole></sr:RetrieveDeviceSecurityCredentialsKRP>";
    assert!(retrieve_krp(&mut h, premises1::ESME, Some(bad)).is_err());
    let bad = "<sr:RetrieveDeviceSecurityCredentialsDevice><sr:CredentialType>TLS</sr:CredentialType></sr:RetrieveDeviceSecurityCredentialsDevice>";
    assert!(critical(&mut h, DEVICE_READ, "6.24.2", Some(bad), None).is_err());
    assert_eq!(h.pending_commands(), before);
    assert!(h.delivered_to(SUPPLIER).is_empty());
}
