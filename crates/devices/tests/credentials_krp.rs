//! 6.15.1 Update Security Credentials (KRP) on an emulated ESME: the supplier replaces its own
//! trust anchor (CS02bSupplierBySupplier) with a certificate the SMKI organisation CA issued;
//! afterwards a command signed with the old key is refused (security log entry and alert) and
//! one signed with the new key obeyed. A certificate from another PKI, of the wrong role, or a
//! cell of another party changes nothing.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use devices::{
    DeviceKind, EmulatedDevice, EventKind, LogKind, Outcome, Refusal, RemotePartyRole, anchor_holds,
};
use gbcs::credentials::{STATUS_BAD_CERTIFICATE, UpdateSecurityCredentialsResponse};
use gbcs::usecases::{self, Activation, CommandHeader, KrpCredentials, KrpParty};
use gbcs::{Cra, Frame, SigningKey};

fn new_pki() -> smki::Pki {
    smki::Pki::generate_with_os_rng(time::OffsetDateTime::now_utc(), &smki::PkiNames::default())
        .unwrap()
}

/// A fresh key and its organisation certificate for `eui` in `role` with `usage`.
fn org_cert(
    pki: &smki::Pki,
    eui: u64,
    role: smki::RemotePartyRole,
    usage: smki::KeyUsage,
) -> (Vec<u8>, SigningKey) {
    let key = smki::KeyPair::generate_with_os_rng().unwrap();
    let now = time::OffsetDateTime::now_utc();
    let der = pki
        .oca
        .issue_organisation(&smki::OrgCertRequest {
            common_name: None,
            eui: gbcs::Eui64::from_u64(eui),
            role,
            usage,
            public_key: key.public_key(),
            serial: smki::Serial::random_with_os_rng().unwrap(),
            not_before: now - time::Duration::days(1),
            not_after: now + time::Duration::days(365),
        })
        .unwrap();
    (
        der,
        SigningKey::from_der(&key.to_pkcs8_der().unwrap()).unwrap(),
    )
}

fn krp(party: KrpParty, ds: Vec<u8>, path: Vec<u8>) -> KrpCredentials {
    KrpCredentials {
        party,
        floor: Some(0),
        top_up_floor: None,
        ds: Some(ds),
        ka: None,
        ka_top_up: None,
        certification_path: vec![path],
        apply_time_based_cpv_checks: true,
        activation: Activation::Now,
    }
}

fn send(
    w: &World,
    dev: &mut EmulatedDevice,
    signer: &Party,
    counter: u64,
    c: &KrpCredentials,
) -> devices::Reply {
    let h = CommandHeader::new(signer.eui, dev.eui(), counter);
    let pre = usecases::cs02b_update_security_credentials(&h, c).unwrap();
    let bytes = w.critical(pre, signer, dev);
    dev.handle(&bytes, w.now)
}

fn response(dev: &EmulatedDevice, bytes: &[u8]) -> UpdateSecurityCredentialsResponse {
    let Frame::Signing(apdu) = Frame::decode(bytes).unwrap() else {
        panic!("a signed response")
    };
    assert_eq!(apdu.cra, Cra::Response);
    apdu.verify_signature(dev.ds_public_key().unwrap().key())
        .unwrap();
    UpdateSecurityCredentialsResponse::decode(&apdu.content).unwrap()
}

#[test]
fn supplier_replaces_its_anchor_old_key_refused_new_key_obeyed() {
    let w = World::new();
    let pki = new_pki();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let (cert, new_key) = org_cert(
        &pki,
        SUPPLIER,
        smki::RemotePartyRole::Supplier,
        smki::KeyUsage::DigitalSignature,
    );
    let c = krp(
        KrpParty::Supplier,
        cert.clone(),
        pki.oca.cert_der().to_vec(),
    );
    let r = send(&w, &mut dev, &w.supplier, 1000, &c);
    assert!(
        matches!(r.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        r.outcome
    );
    let resp_bytes = r.response.unwrap();
    let o = response(&dev, &resp_bytes).outcome.unwrap();
    assert!(o.all_succeeded());
    assert_eq!(o.seq_number, 1000);
    assert_eq!(o.seq_number_changes.len(), 1);
    let anchor = dev
        .state()
        .trust_anchors
        .get(RemotePartyRole::Supplier)
        .unwrap()
        .clone();
    assert!(anchor_holds(&anchor, &cert));
    assert_eq!(
        anchor.ka_public,
        w.supplier.anchor().ka_public,
        "KA untouched"
    );
    assert!(dev.state().event_log.iter().any(|e| matches!(
        e.kind,
        EventKind::CommandExecuted {
            message_code: 0x0102,
            success: true,
            ..
        }
    ) && e.kind.log() == LogKind::Security));

    // The old key is refused: security log entry and an alert.
    let esme = dev.eui();
    let pre = || usecases::ecs43_disable_supply(&CommandHeader::new(w.supplier.eui, esme, 1001));
    let old = w.critical(pre(), &w.supplier, &dev);
    let r = dev.handle(&old, w.now);
    assert_eq!(r.outcome, Outcome::Refused(Refusal::SignatureInvalid));
    assert!(!r.alerts.is_empty());
    assert!(dev.state().event_log.iter().any(|e| matches!(
        e.kind,
        EventKind::CommandRefused {
            refusal: Refusal::SignatureInvalid,
            ..
        }
    ) && e.kind.log() == LogKind::Security));
    // The new key is obeyed.
    let signed = pre().sign(&new_key).unwrap();
    let r = dev.handle(&w.wan(signed, &dev), w.now);
    assert!(
        matches!(r.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        r.outcome
    );
}

#[test]
fn bad_certificates_change_nothing() {
    let w = World::new();
    let pki = new_pki();
    let other = new_pki();
    let path = pki.oca.cert_der().to_vec();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let before = dev.state().trust_anchors.clone();
    // From another PKI: not issued by the certification path's CA.
    let (foreign, _) = org_cert(
        &other,
        SUPPLIER,
        smki::RemotePartyRole::Supplier,
        smki::KeyUsage::DigitalSignature,
    );
    let r = send(
        &w,
        &mut dev,
        &w.supplier,
        1000,
        &krp(KrpParty::Supplier, foreign, path.clone()),
    );
    assert!(matches!(
        r.outcome,
        Outcome::Executed { success: false, .. }
    ));
    let o = response(&dev, &r.response.unwrap()).outcome.unwrap();
    assert_eq!(o.outcomes[0].status, devices::STATUS_CERTIFICATION_PATH);
    assert_eq!(dev.state().trust_anchors, before);
    // Of the wrong role (a network operator's certificate for the supplier's cell).
    let (wrong, _) = org_cert(
        &pki,
        SUPPLIER,
        smki::RemotePartyRole::NetworkOperator,
        smki::KeyUsage::DigitalSignature,
    );
    let r = send(
        &w,
        &mut dev,
        &w.supplier,
        1001,
        &krp(KrpParty::Supplier, wrong, path.clone()),
    );
    let o = response(&dev, &r.response.unwrap()).outcome.unwrap();
    assert_eq!(o.outcomes[0].status, STATUS_BAD_CERTIFICATE);
    assert_eq!(dev.state().trust_anchors, before);
    // The network operator may not send the supplier's mode: its role is not the use case's.
    let (good, _) = org_cert(
        &pki,
        SUPPLIER,
        smki::RemotePartyRole::Supplier,
        smki::KeyUsage::DigitalSignature,
    );
    let r = send(
        &w,
        &mut dev,
        &w.network_operator,
        1002,
        &krp(KrpParty::Supplier, good.clone(), path.clone()),
    );
    assert_eq!(
        r.outcome,
        Outcome::Refused(Refusal::OriginatorNotAuthorised)
    );
    assert_eq!(dev.state().trust_anchors, before);
    // Future dated: acknowledged and held, nothing changes until its time.
    let mut dated = krp(KrpParty::Supplier, good, path);
    dated.activation = Activation::At(gbcs::UtcDateTime::new(2030, 1, 15, 0, 0, 0).unwrap());
    let r = send(&w, &mut dev, &w.supplier, 1003, &dated);
    assert!(matches!(r.outcome, Outcome::Executed { success: true, .. }));
    assert_eq!(response(&dev, &r.response.unwrap()).outcome, None);
    assert_eq!(dev.state().trust_anchors, before);
    assert_eq!(held_credentials(&dev), 1);
}

#[test]
fn network_operator_replaces_its_own_anchor() {
    let w = World::new();
    let pki = new_pki();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    let (cert, _) = org_cert(
        &pki,
        NETWORK_OPERATOR,
        smki::RemotePartyRole::NetworkOperator,
        smki::KeyUsage::DigitalSignature,
    );
    let (ka, _) = org_cert(
        &pki,
        NETWORK_OPERATOR,
        smki::RemotePartyRole::NetworkOperator,
        smki::KeyUsage::KeyAgreement,
    );
    let mut c = krp(
        KrpParty::NetworkOperator,
        cert.clone(),
        pki.oca.cert_der().to_vec(),
    );
    c.ka = Some(ka.clone());
    let r = send(&w, &mut dev, &w.network_operator, 1200, &c);
    assert!(
        matches!(r.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        r.outcome
    );
    // Answered like the RTDS CS02bNOByNO response (two cells replaced, the floor reported).
    assert_same_structure(
        r.response.as_ref().unwrap(),
        &rtds(
            "6.15.1_CS02bNOByNO",
            "CS02bNOByNO_6.15.1_SUCCESS_RESPONSE_GBCS.HEX",
        ),
        "CS02bNOByNO",
    );
    let anchor = dev
        .state()
        .trust_anchors
        .get(RemotePartyRole::NetworkOperator)
        .unwrap();
    assert!(anchor_holds(anchor, &cert));
    assert!(anchor_holds(anchor, &ka));
}

/// The RTDS supplier's anchor (keystore certificates).
fn rtds_supplier() -> devices::TrustAnchor {
    let key = |f: &str| {
        gbcs::credentials::certificate_facts(&pem(f))
            .unwrap()
            .public_key
            .into()
    };
    devices::TrustAnchor {
        eui: gbcs::Eui64::from_u64(SUPPLIER),
        ds_public: key("90b3d51f30010000-ds.pem"),
        ka_public: key("90b3d51f30010000-ka.pem"),
    }
}

/// The RTDS supplier-signed COMMAND of `stem` (its ACB MAC replaced by the test world's ACB's,
/// the device's RTDS keys not being in the keystore) on an ESME trusting the RTDS supplier.
fn rtds_command(w: &World, dev: &mut EmulatedDevice, dir: &str, stem: &str) -> devices::Reply {
    dev.set_trust_anchor(RemotePartyRole::Supplier, rtds_supplier());
    let Frame::Ciphered(c) =
        Frame::decode(&rtds(dir, &format!("{stem}_COMMAND_GBCS.HEX"))).unwrap()
    else {
        panic!()
    };
    dev.handle(&w.wan(c.apdu, dev), w.now)
}

#[test]
fn rtds_supplier_commands_are_executed_and_answered_like_the_rtds_responses() {
    let w = World::new();
    let dir = "6.15.1_CS02bSupplierBySupplier";
    // IMMEDIATE SUCCESS: the DS, KA and prepayment top-up KA cells replaced.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let stem = "CS02bSupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS";
    let u = rtds_success(&w, &mut dev, dir, stem);
    let s = dev.state();
    let anchor = s.trust_anchors.get(RemotePartyRole::Supplier).unwrap();
    assert!(anchor_holds(anchor, &u.replacements[0].certificate));
    assert!(anchor_holds(anchor, &u.replacements[1].certificate));
    let top_up = gbcs::credentials::certificate_facts(&u.replacements[2].certificate)
        .unwrap()
        .public_key;
    assert_eq!(
        s.top_ups.supplier_prepayment_ka.as_ref().unwrap().key(),
        &top_up,
        "the prepayment top-up cell"
    );

    // IMMEDIATE ERROR: the KA certificate is not issued by the certification path's CA;
    // nothing changes, answered like the RTDS ERROR response.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let stem = "CS02bSupplierBySupplier_6.15.1_IMMEDIATE_ERROR";
    let r = rtds_command(&w, &mut dev, dir, stem);
    let before = dev.state().trust_anchors.clone();
    assert!(
        matches!(r.outcome, Outcome::Executed { success: false, .. }),
        "{:?}",
        r.outcome
    );
    let ours = r.response.unwrap();
    assert_same_structure(
        &ours,
        &rtds(dir, &format!("{stem}_RESPONSE_GBCS.HEX")),
        stem,
    );
    let o = response(&dev, &ours).outcome.unwrap();
    assert_eq!(o.outcomes[1].status, devices::STATUS_CERTIFICATION_PATH);
    assert_eq!(dev.state().trust_anchors, before);
    assert_eq!(dev.state().top_ups.supplier_prepayment_ka, None);
}

/// CS02g: the load controller's cells take a load controller's certificate or a supplier's (the
/// RTDS scenario), and no other role's: the DCC passes the certificates through (6.15.1), the
/// device refuses the command (`badCertificate`) and nothing changes.
#[test]
fn load_controller_cells_take_a_load_controllers_or_a_suppliers_certificate_only() {
    let w = World::new();
    let pki = new_pki();
    let path = pki.oca.cert_der().to_vec();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let before = dev.state().trust_anchors.clone();
    let counters = dev.state().last_counters.clone();
    // A network operator's certificate for the load controller's DS cell: refused.
    let (wrong, _) = org_cert(
        &pki,
        NETWORK_OPERATOR,
        smki::RemotePartyRole::NetworkOperator,
        smki::KeyUsage::DigitalSignature,
    );
    let r = send(
        &w,
        &mut dev,
        &w.supplier,
        1000,
        &krp(KrpParty::LoadController, wrong, path.clone()),
    );
    assert!(
        matches!(r.outcome, Outcome::Executed { success: false, .. }),
        "{:?}",
        r.outcome
    );
    let o = response(&dev, &r.response.unwrap()).outcome.unwrap();
    assert_eq!(o.outcomes[0].status, STATUS_BAD_CERTIFICATE);
    assert_eq!(dev.state().trust_anchors, before, "nothing replaced");
    assert_eq!(
        dev.state().last_counters.get(&w.load_controller.eui),
        counters.get(&w.load_controller.eui),
        "no floor applied"
    );
    // An ACB's or a WAN provider's: refused too.
    for (counter, role) in [
        (1001, smki::RemotePartyRole::AccessControlBroker),
        (1002, smki::RemotePartyRole::WanProvider),
    ] {
        let (wrong, _) = org_cert(
            &pki,
            LOAD_CONTROLLER,
            role,
            smki::KeyUsage::DigitalSignature,
        );
        let r = send(
            &w,
            &mut dev,
            &w.supplier,
            counter,
            &krp(KrpParty::LoadController, wrong, path.clone()),
        );
        let o = response(&dev, &r.response.unwrap()).outcome.unwrap();
        assert_eq!(o.outcomes[0].status, STATUS_BAD_CERTIFICATE, "{role:?}");
        assert_eq!(dev.state().trust_anchors, before, "{role:?}");
    }
    // A load controller's: replaced.
    let (lc, _) = org_cert(
        &pki,
        LOAD_CONTROLLER,
        smki::RemotePartyRole::LoadController,
        smki::KeyUsage::DigitalSignature,
    );
    let r = send(
        &w,
        &mut dev,
        &w.supplier,
        1003,
        &krp(KrpParty::LoadController, lc.clone(), path.clone()),
    );
    assert!(
        matches!(r.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        r.outcome
    );
    let anchor = dev
        .state()
        .trust_anchors
        .get(RemotePartyRole::LoadController)
        .unwrap();
    assert!(anchor_holds(anchor, &lc));
    // A supplier's: replaced, the supplier the cell's new subject.
    let (sup, _) = org_cert(
        &pki,
        SUPPLIER,
        smki::RemotePartyRole::Supplier,
        smki::KeyUsage::DigitalSignature,
    );
    let r = send(
        &w,
        &mut dev,
        &w.supplier,
        1004,
        &krp(KrpParty::LoadController, sup.clone(), path),
    );
    assert!(
        matches!(r.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        r.outcome
    );
    let s = dev.state();
    let anchor = s
        .trust_anchors
        .get(RemotePartyRole::LoadController)
        .unwrap();
    assert!(anchor_holds(anchor, &sup));
    assert_eq!(anchor.eui, w.supplier.eui);
    assert_eq!(
        s.trust_anchors.get(RemotePartyRole::Supplier),
        before.get(RemotePartyRole::Supplier),
        "the supplier's own cells untouched"
    );
}

/// The RTDS CS02g IMMEDIATE SUCCESS command (the supplier's own certificates for the load
/// controller's cells): executed, answered like the RTDS response.
#[test]
fn rtds_cs02g_puts_the_suppliers_certificates_into_the_load_controllers_cells() {
    let w = World::new();
    let dir = "6.15.1_CS02gLoadControllerBySupplier";
    let stem = "CS02gLoadControllerBySupplier_6.15.1_IMMEDIATE_SUCCESS";
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let u = rtds_success(&w, &mut dev, dir, stem);
    let anchor = dev
        .state()
        .trust_anchors
        .get(RemotePartyRole::LoadController)
        .unwrap();
    assert_eq!(anchor.eui, gbcs::Eui64::from_u64(SUPPLIER));
    for rep in &u.replacements {
        assert!(anchor_holds(anchor, &rep.certificate));
    }
}

/// The DCC's transitional change-of-supplier party (RTDS 90-B3-D5-1F-30-00-00-04).
const TRANS_COS: u64 = 0x90b3_d51f_3000_0004;
/// The incoming supplier.
const NEW_SUPPLIER: u64 = 0x90b3_d51f_3003_0000;

/// An ESME whose anchors include the transitional CoS party.
fn cos_device(w: &World, trans_cos: &Party) -> EmulatedDevice {
    let identity = devices::DeviceIdentity {
        eui: gbcs::Eui64::from_u64(ESME),
        kind: DeviceKind::Esme,
        ds_private_pkcs8: pkcs8(),
        ka_private_pkcs8: pkcs8(),
    };
    let anchors = w
        .anchors()
        .with(RemotePartyRole::TransitionalCos, trans_cos.anchor());
    EmulatedDevice::new(
        identity,
        devices::DeviceState::new(DeviceKind::Esme, w.now, anchors),
    )
    .unwrap()
}

/// DUIS 6.23 (CS02bSupplierByTransCoS): the DCC, as transitional CoS party, replaces the
/// outgoing supplier's anchor with the incoming supplier's certificate; the outgoing
/// supplier's commands are refused afterwards, the incoming supplier's obeyed.
#[test]
fn trans_cos_hands_the_supplier_cells_to_the_new_supplier() {
    let w = World::new();
    let pki = new_pki();
    let trans_cos = Party::new(TRANS_COS);
    let mut dev = cos_device(&w, &trans_cos);
    let (cert, new_key) = org_cert(
        &pki,
        NEW_SUPPLIER,
        smki::RemotePartyRole::Supplier,
        smki::KeyUsage::DigitalSignature,
    );
    let c = krp(
        KrpParty::SupplierByTransCoS,
        cert.clone(),
        pki.oca.cert_der().to_vec(),
    );
    let r = send(&w, &mut dev, &trans_cos, 6001, &c);
    assert!(
        matches!(r.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        r.outcome
    );
    let o = response(&dev, &r.response.unwrap()).outcome.unwrap();
    assert!(o.all_succeeded());
    assert_eq!(o.seq_number, 6001);
    let anchor = dev
        .state()
        .trust_anchors
        .get(RemotePartyRole::Supplier)
        .unwrap()
        .clone();
    assert!(anchor_holds(&anchor, &cert));
    assert_eq!(anchor.eui, gbcs::Eui64::from_u64(NEW_SUPPLIER));
    let esme = dev.eui();
    // The outgoing supplier is refused.
    let old = w.critical(
        usecases::ecs43_disable_supply(&CommandHeader::new(w.supplier.eui, esme, 1001)),
        &w.supplier,
        &dev,
    );
    let r = dev.handle(&old, w.now);
    assert!(matches!(r.outcome, Outcome::Refused(_)), "{:?}", r.outcome);
    // The incoming supplier is obeyed.
    let pre = usecases::ecs43_disable_supply(&CommandHeader::new(
        gbcs::Eui64::from_u64(NEW_SUPPLIER),
        esme,
        1,
    ));
    let r = dev.handle(&w.wan(pre.sign(&new_key).unwrap(), &dev), w.now);
    assert!(
        matches!(r.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        r.outcome
    );
}

/// The transitional CoS update signed by anyone but the transitional CoS party, with a
/// certificate of the wrong role, or from another PKI, changes nothing.
#[test]
fn trans_cos_bad_input_changes_nothing() {
    let w = World::new();
    let pki = new_pki();
    let other = new_pki();
    let trans_cos = Party::new(TRANS_COS);
    let mut dev = cos_device(&w, &trans_cos);
    let before = dev.state().trust_anchors.clone();
    let path = pki.oca.cert_der().to_vec();
    let (good, _) = org_cert(
        &pki,
        NEW_SUPPLIER,
        smki::RemotePartyRole::Supplier,
        smki::KeyUsage::DigitalSignature,
    );
    // Signed by the outgoing supplier instead of the transitional CoS party.
    let r = send(
        &w,
        &mut dev,
        &w.supplier,
        1000,
        &krp(KrpParty::SupplierByTransCoS, good, path.clone()),
    );
    assert!(matches!(r.outcome, Outcome::Refused(_)), "{:?}", r.outcome);
    // A network operator's certificate in the supplier's cell.
    let (wrong, _) = org_cert(
        &pki,
        NEW_SUPPLIER,
        smki::RemotePartyRole::NetworkOperator,
        smki::KeyUsage::DigitalSignature,
    );
    let r = send(
        &w,
        &mut dev,
        &trans_cos,
        6001,
        &krp(KrpParty::SupplierByTransCoS, wrong, path.clone()),
    );
    assert!(
        matches!(r.outcome, Outcome::Executed { success: false, .. }),
        "{:?}",
        r.outcome
    );
    let o = response(&dev, &r.response.unwrap()).outcome.unwrap();
    assert!(!o.all_succeeded());
    // From another PKI.
    let (foreign, _) = org_cert(
        &other,
        NEW_SUPPLIER,
        smki::RemotePartyRole::Supplier,
        smki::KeyUsage::DigitalSignature,
    );
    let r = send(
        &w,
        &mut dev,
        &trans_cos,
        6002,
        &krp(KrpParty::SupplierByTransCoS, foreign, path),
    );
    assert!(
        matches!(r.outcome, Outcome::Executed { success: false, .. }),
        "{:?}",
        r.outcome
    );
    assert_eq!(dev.state().trust_anchors, before);
}

/// Device future dating of CS02b (6.15.1 FUTURE_DATED, CANCELLATION): the RTDS command for
/// 2030-01-15 is acknowledged (no outcome, as the RTDS response) and held, nothing replaced; at
/// its time the device replaces the cells and raises the signed 8F66 alert to the supplier,
/// framed as the RTDS alert, carrying the execution outcome. A cancellation drops the held
/// command: nothing is replaced and no alert raised.
#[test]
fn future_dated_supplier_command_is_held_executed_at_its_time_or_cancelled() {
    use gbcs::alerts::{FutureDatedInstruction, decode_alert};
    let w = World::new();
    let dir = "6.15.1_CS02bSupplierBySupplier";
    let due = gbcs::UtcDateTime::new(2030, 1, 15, 0, 0, 1).unwrap();
    let stem = "CS02bSupplierBySupplier_6.15.1_FUTURE_DATED_SUCCESS";
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let r = rtds_command(&w, &mut dev, dir, stem);
    assert!(
        matches!(r.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        r.outcome
    );
    let ours = r.response.unwrap();
    assert_same_structure(
        &ours,
        &rtds(dir, &format!("{stem}_RESPONSE_GBCS.HEX")),
        stem,
    );
    assert_eq!(response(&dev, &ours).outcome, None, "acknowledged only");
    let before = dev.state().trust_anchors.clone();
    assert_eq!(
        before.get(RemotePartyRole::Supplier),
        Some(&rtds_supplier())
    );
    assert_eq!(held_credentials(&dev), 1);
    // Not yet due: nothing happens.
    dev.tick(w.now).unwrap();
    assert_eq!(held_credentials(&dev), 1);
    assert_eq!(dev.state().trust_anchors, before);

    let alerts: Vec<Vec<u8>> = dev
        .tick(due)
        .unwrap()
        .into_iter()
        .filter(|a| decode_alert(a).is_ok_and(|a| a.future_dated.is_some()))
        .collect();
    assert_eq!(alerts.len(), 1);
    assert_same_structure(
        &alerts[0],
        &rtds(
            dir,
            "CS02bSupplierBySupplier_6.15.1_8F66_FUTURE_DATED_SUCCESS_ALERT_GBCS.HEX",
        ),
        "8F66",
    );
    let alert = decode_alert(&alerts[0]).unwrap();
    assert_eq!(alert.alert_code.0, 0x8F66);
    assert_eq!(alert.message_code.0, 0x00CB);
    assert_eq!(alert.recipient, gbcs::Eui64::from_u64(SUPPLIER));
    let outcome = alert.future_dated.unwrap();
    assert_eq!(outcome.command.counter, 1001);
    let FutureDatedInstruction::CredentialsUpdate(o) = outcome.instruction else {
        panic!()
    };
    assert!(o.all_succeeded());
    let Frame::Signing(apdu) = Frame::decode(&alerts[0]).unwrap() else {
        panic!("a signed alert")
    };
    apdu.verify_signature(dev.ds_public_key().unwrap().key())
        .unwrap();
    assert_ne!(
        dev.state().trust_anchors.get(RemotePartyRole::Supplier),
        Some(&rtds_supplier()),
        "replaced at its time"
    );
    assert_eq!(held_credentials(&dev), 0);

    // Held, then cancelled: nothing replaced at the time, no alert.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    rtds_command(&w, &mut dev, dir, stem);
    let cancel = "CS02bSupplierBySupplier_6.15.1_CANCELLATION_SUCCESS";
    let r = rtds_command(&w, &mut dev, dir, cancel);
    assert!(
        matches!(r.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        r.outcome
    );
    let ours = r.response.unwrap();
    assert_same_structure(
        &ours,
        &rtds(dir, &format!("{cancel}_RESPONSE_GBCS.HEX")),
        cancel,
    );
    assert_eq!(held_credentials(&dev), 0);
    assert!(
        dev.tick(due)
            .unwrap()
            .iter()
            .all(|a| { decode_alert(a).is_ok_and(|a| a.future_dated.is_none()) })
    );
    assert_eq!(
        dev.state().trust_anchors.get(RemotePartyRole::Supplier),
        Some(&rtds_supplier())
    );
}

/// The CS02b/CS02g commands the device holds.
fn held_credentials(dev: &EmulatedDevice) -> usize {
    dev.state()
        .future_actions
        .iter()
        .filter(|a| matches!(a.action, devices::future::FutureAction::Credentials(_)))
        .count()
}

/// Runs the RTDS SUCCESS COMMAND `stem` in `dir` on `dev` (as [`rtds_command`]): executed,
/// every cell replaced, answered with the RTDS response's structure. Returns the command's
/// decoded content.
fn rtds_success(
    w: &World,
    dev: &mut EmulatedDevice,
    dir: &str,
    stem: &str,
) -> gbcs::credentials::UpdateSecurityCredentials {
    let r = rtds_command(w, dev, dir, stem);
    assert!(
        matches!(r.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        r.outcome
    );
    let ours = r.response.unwrap();
    assert_same_structure(
        &ours,
        &rtds(dir, &format!("{stem}_RESPONSE_GBCS.HEX")),
        stem,
    );
    assert!(response(dev, &ours).outcome.unwrap().all_succeeded());
    rtds_credentials(dir, stem)
}

/// The decoded CS02b / CS02g content of the RTDS COMMAND `stem` in `dir`.
fn rtds_credentials(dir: &str, stem: &str) -> gbcs::credentials::UpdateSecurityCredentials {
    let Frame::Ciphered(c) =
        Frame::decode(&rtds(dir, &format!("{stem}_COMMAND_GBCS.HEX"))).unwrap()
    else {
        panic!()
    };
    let usecases::DecodedCommand::Cs02b(u) = usecases::decode_command(&c.apdu).unwrap() else {
        panic!()
    };
    u.content
}

/// The RTDS root's Root cell, checked against the RTDS CS02g SUCCESS command's path certificate
/// (Z1): its key identifier is Z1's authority key identifier and Z1's signature verifies under it.
fn rtds_root() -> devices::TrustAnchor {
    let key = devices::PublicKeyBytes::from_sec1(&hex_decode(RTDS_ROOT_SEC1)).unwrap();
    let usc = rtds_credentials(
        "6.15.1_CS02gLoadControllerBySupplier",
        "CS02gLoadControllerBySupplier_6.15.1_IMMEDIATE_SUCCESS",
    );
    let z1 = &usc.certification_path[0];
    let kid = gbcs::credentials::key_identifier(key.key());
    assert_eq!(kid, [0x48, 0xCF, 0x1B, 0x32, 0x69, 0x7C, 0x46, 0x69]);
    assert!(z1.windows(8).any(|w| w == kid), "Z1's authority key id");
    let smki_key = smki::PublicKey::from_sec1(key.as_sec1()).unwrap();
    smki::verify_signed_by_key(z1, &smki_key).unwrap();
    devices::TrustAnchor::root(key)
}

/// GBCS certification path validation against the Root cell: the RTDS CS02g IMMEDIATE ERROR
/// command's path certificate (Z1) carries a signature that does not verify under the RTDS root,
/// so an ESME holding the root refuses every replacement with status 10 (certification path) as
/// the RTDS ERROR response does, and nothing changes; the SUCCESS command (the same certificates,
/// Z1 intact) still succeeds.
#[test]
fn rtds_cs02g_error_path_certificate_not_signed_by_the_root_is_refused() {
    let w = World::new();
    let dir = "6.15.1_CS02gLoadControllerBySupplier";
    let stem = "CS02gLoadControllerBySupplier_6.15.1_IMMEDIATE_ERROR";
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.set_trust_anchor(RemotePartyRole::Root, rtds_root());
    dev.set_trust_anchor(RemotePartyRole::Supplier, rtds_supplier());
    let before = dev.state().trust_anchors.clone();
    let r = rtds_command(&w, &mut dev, dir, stem);
    assert!(
        matches!(r.outcome, Outcome::Executed { success: false, .. }),
        "{:?}",
        r.outcome
    );
    let ours = r.response.unwrap();
    assert_same_structure(
        &ours,
        &rtds(dir, &format!("{stem}_RESPONSE_GBCS.HEX")),
        stem,
    );
    let o = response(&dev, &ours).outcome.unwrap();
    assert!(!o.outcomes.is_empty());
    for cell in &o.outcomes {
        assert_eq!(cell.status, devices::STATUS_CERTIFICATION_PATH, "{cell:?}");
    }
    // The RTDS ERROR response reports the same statuses.
    let Frame::Signing(theirs) =
        Frame::decode(&rtds(dir, &format!("{stem}_RESPONSE_GBCS.HEX"))).unwrap()
    else {
        panic!("a signed response")
    };
    let theirs = UpdateSecurityCredentialsResponse::decode(&theirs.content)
        .unwrap()
        .outcome
        .unwrap();
    let statuses = |o: &gbcs::credentials::ExecutionOutcome| {
        o.outcomes.iter().map(|c| c.status).collect::<Vec<_>>()
    };
    assert_eq!(statuses(&o), statuses(&theirs));
    assert_eq!(dev.state().trust_anchors, before);

    // Without the Root cell (state from an older world) the path certificate is not checked:
    // the same command is executed.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let r = rtds_command(&w, &mut dev, dir, stem);
    assert!(
        matches!(r.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        r.outcome
    );

    // The SUCCESS command, on an ESME holding the root: executed.
    let stem = "CS02gLoadControllerBySupplier_6.15.1_IMMEDIATE_SUCCESS";
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.set_trust_anchor(RemotePartyRole::Root, rtds_root());
    let r = rtds_command(&w, &mut dev, dir, stem);
    assert!(
        matches!(r.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        r.outcome
    );
    let o = response(&dev, &r.response.unwrap()).outcome.unwrap();
    assert!(o.all_succeeded());
    let usc = rtds_credentials(dir, stem);
    let anchor = dev
        .state()
        .trust_anchors
        .get(RemotePartyRole::LoadController)
        .unwrap();
    for rep in &usc.replacements {
        assert!(anchor_holds(anchor, &rep.certificate));
    }
}

/// A path CA the device's root did not issue (another PKI's OCA, which did issue the
/// replacement): refused with status 10, nothing changed; the same replacement from the root's
/// own OCA is accepted. The Root cell originates nothing: it is never a command's originator.
#[test]
fn path_ca_not_issued_by_the_root_is_refused() {
    let w = World::new();
    let pki = new_pki();
    let other = new_pki();
    let root =
        devices::PublicKeyBytes::from_sec1(&pki.org_root.key().public_key().to_sec1_uncompressed())
            .unwrap();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.set_trust_anchor(
        RemotePartyRole::Root,
        devices::TrustAnchor::root(root.clone()),
    );
    let before = dev.state().trust_anchors.clone();
    // Issued by the other PKI's OCA, whose certificate is the path: the replacement is issued by
    // the path certificate, but the path certificate is not issued by the device's root.
    let (foreign, _) = org_cert(
        &other,
        SUPPLIER,
        smki::RemotePartyRole::Supplier,
        smki::KeyUsage::DigitalSignature,
    );
    let foreign_path = other.oca.cert_der().to_vec();
    smki::verify_issued_by(&foreign, &foreign_path).unwrap();
    let r = send(
        &w,
        &mut dev,
        &w.supplier,
        1000,
        &krp(KrpParty::Supplier, foreign, foreign_path.clone()),
    );
    assert!(
        matches!(r.outcome, Outcome::Executed { success: false, .. }),
        "{:?}",
        r.outcome
    );
    let o = response(&dev, &r.response.unwrap()).outcome.unwrap();
    assert_eq!(o.outcomes[0].status, devices::STATUS_CERTIFICATION_PATH);
    assert_eq!(dev.state().trust_anchors, before);
    // The root's own OCA in the path as well does not help a certificate it did not issue.
    let (foreign, _) = org_cert(
        &other,
        SUPPLIER,
        smki::RemotePartyRole::Supplier,
        smki::KeyUsage::DigitalSignature,
    );
    let mut c = krp(KrpParty::Supplier, foreign, foreign_path);
    c.certification_path.push(pki.oca.cert_der().to_vec());
    let r = send(&w, &mut dev, &w.supplier, 1001, &c);
    let o = response(&dev, &r.response.unwrap()).outcome.unwrap();
    assert_eq!(o.outcomes[0].status, devices::STATUS_CERTIFICATION_PATH);
    assert_eq!(dev.state().trust_anchors, before);

    // Issued by the root's OCA: replaced.
    let (cert, _) = org_cert(
        &pki,
        SUPPLIER,
        smki::RemotePartyRole::Supplier,
        smki::KeyUsage::DigitalSignature,
    );
    let r = send(
        &w,
        &mut dev,
        &w.supplier,
        1002,
        &krp(
            KrpParty::Supplier,
            cert.clone(),
            pki.oca.cert_der().to_vec(),
        ),
    );
    assert!(
        matches!(r.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        r.outcome
    );
    let s = dev.state();
    assert!(anchor_holds(
        s.trust_anchors.get(RemotePartyRole::Supplier).unwrap(),
        &cert
    ));
    // The Root cell stays, and is no originator.
    let root_anchor = s.trust_anchors.get(RemotePartyRole::Root).unwrap();
    assert_eq!(root_anchor.ds_public, root);
    assert!(s.trust_anchors.by_eui(root_anchor.eui).is_none());
    assert_eq!(s.trust_anchors.roles_of(root_anchor.eui).count(), 0);
}

/// The RTDS CS02g FUTURE DATED ERROR command (its path certificate's signature altered, as the
/// IMMEDIATE ERROR one's) on an ESME holding the RTDS root: acknowledged and held as the RTDS
/// response; at its time nothing is replaced and the device raises the 8F67 alert (framed as
/// the RTDS alert) reporting status 10 on every cell, as the RTDS alert does.
#[test]
fn rtds_cs02g_future_dated_error_fails_at_its_time_on_the_certification_path() {
    use gbcs::alerts::{FutureDatedInstruction, decode_alert};
    let w = World::new();
    let dir = "6.15.1_CS02gLoadControllerBySupplier";
    let stem = "CS02gLoadControllerBySupplier_6.15.1_FUTURE_DATED_ERROR";
    let due = gbcs::UtcDateTime::new(2030, 1, 15, 0, 0, 1).unwrap();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.set_trust_anchor(RemotePartyRole::Root, rtds_root());
    let r = rtds_command(&w, &mut dev, dir, stem);
    let ours = r.response.unwrap();
    assert_same_structure(
        &ours,
        &rtds(dir, &format!("{stem}_RESPONSE_GBCS.HEX")),
        stem,
    );
    assert_eq!(response(&dev, &ours).outcome, None, "acknowledged only");
    assert_eq!(held_credentials(&dev), 1);
    let before = dev.state().trust_anchors.clone();
    let alerts: Vec<Vec<u8>> = dev
        .tick(due)
        .unwrap()
        .into_iter()
        .filter(|a| decode_alert(a).is_ok_and(|a| a.future_dated.is_some()))
        .collect();
    assert_eq!(alerts.len(), 1);
    let theirs = rtds(
        dir,
        "CS02gLoadControllerBySupplier_6.15.1_8F67_FUTURE_DATED_ERROR_ALERT_GBCS.HEX",
    );
    assert_same_structure(&alerts[0], &theirs, "8F67");
    let statuses = |bytes: &[u8]| {
        let alert = decode_alert(bytes).unwrap();
        assert_eq!(alert.alert_code.0, 0x8F67);
        let FutureDatedInstruction::CredentialsUpdate(o) = alert.future_dated.unwrap().instruction
        else {
            panic!()
        };
        o.outcomes.iter().map(|c| c.status).collect::<Vec<_>>()
    };
    let ours = statuses(&alerts[0]);
    assert!(!ours.is_empty());
    assert!(
        ours.iter()
            .all(|&s| s == devices::STATUS_CERTIFICATION_PATH)
    );
    assert_eq!(ours, statuses(&theirs));
    assert_eq!(dev.state().trust_anchors, before);
    assert_eq!(held_credentials(&dev), 0);
}
