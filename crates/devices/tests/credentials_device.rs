//! 6.17 Issue Security Credentials (CS02c) and 6.15.2 Update Security Credentials (Device)
//! (CS02d) on an emulated ESME: the device generates a new signing key pair and answers with
//! its certificate signing request; the SMKI device CA certifies it; CS02d places the
//! certificate, and the device's next signed response verifies under the new certificate's
//! key (and no longer under the old one). A certificate from another PKI, for another key,
//! another device or usage, or with no key pair pending, is refused with its response code and
//! nothing changes.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use devices::config::credentials::CaCertificate;
use devices::{DeviceKind, EmulatedDevice, Outcome};
use gbcs::credentials::{KEY_USAGE_DS, KEY_USAGE_KA};
use gbcs::usecases::cs02c::response_code as rc;
use gbcs::usecases::{
    self, CommandHeader, DeviceCsr, Failure, ResponseOutcome, ResponseValue, cs02c, cs02d,
};
use gbcs::{Cra, Frame, GeneralSigning, PublicKey};

fn new_pki() -> smki::Pki {
    smki::Pki::generate_with_os_rng(time::OffsetDateTime::now_utc(), &smki::PkiNames::default())
        .unwrap()
}

fn signed(bytes: &[u8]) -> GeneralSigning {
    let Frame::Signing(apdu) = Frame::decode(bytes).unwrap() else {
        panic!("a signed response")
    };
    assert_eq!(apdu.cra, Cra::Response);
    apdu
}

fn issue(w: &World, dev: &mut EmulatedDevice, counter: u64, usage: u8) -> devices::Reply {
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), counter);
    let pre = usecases::cs02c_issue_security_credentials(&h, usage).unwrap();
    let bytes = w.critical(pre, &w.supplier, dev);
    dev.handle(&bytes, w.now)
}

fn place(w: &World, dev: &mut EmulatedDevice, counter: u64, cert: &[u8]) -> devices::Reply {
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), counter);
    let pre = usecases::cs02d_update_device_certificate(&h, cert).unwrap();
    let bytes = w.critical(pre, &w.supplier, dev);
    dev.handle(&bytes, w.now)
}

/// The CSR of a CS02c answer, its signature checked under `key`.
fn csr(reply: &devices::Reply, key: &PublicKey) -> DeviceCsr {
    let apdu = signed(reply.response.as_ref().unwrap());
    apdu.verify_signature(key).unwrap();
    match usecases::decode_response(cs02c::CS02C, &apdu.content).unwrap() {
        ResponseOutcome::Success(ResponseValue::CertificateSigningRequest(c)) => *c,
        other => panic!("{other:?}"),
    }
}

fn outcome(reply: &devices::Reply, key: &PublicKey) -> ResponseOutcome {
    let apdu = signed(reply.response.as_ref().unwrap());
    apdu.verify_signature(key).unwrap();
    usecases::decode_response(apdu.message_code(), &apdu.content).unwrap()
}

fn device_cert(pki: &smki::Pki, eui: gbcs::Eui64, key: &PublicKey) -> Vec<u8> {
    pki.dca
        .issue_device(&smki::DeviceCertRequest {
            eui,
            usage: smki::KeyUsage::DigitalSignature,
            public_key: smki::PublicKey::from_sec1(key.as_sec1()).unwrap(),
            serial: smki::Serial::random_with_os_rng().unwrap(),
            not_before: time::OffsetDateTime::now_utc(),
        })
        .unwrap()
}

#[test]
fn issue_then_place_and_the_device_signs_with_the_new_key() {
    let w = World::new();
    let pki = new_pki();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.state_mut().config.credentials.device_cas =
        vec![CaCertificate(pki.dca.cert_der().to_vec())];
    let old = dev.ds_public_key().unwrap().key().clone();
    let r = issue(&w, &mut dev, 1000, KEY_USAGE_DS);
    assert!(
        matches!(r.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        r.outcome
    );
    let req = csr(&r, &old);
    assert_eq!(req.eui, dev.eui());
    assert_eq!(req.key_usage, KEY_USAGE_DS);
    assert_ne!(req.public_key, old);
    // The SMKI service's side reads the same request.
    let parsed = smki::CertificationRequest::from_der(&req.der).unwrap();
    assert_eq!(parsed.subject, smki::CsrSubject::Device { eui: dev.eui() });
    // Still signing with the old key until the certificate is placed.
    assert_eq!(dev.ds_public_key().unwrap().key(), &old);
    let cert = device_cert(&pki, dev.eui(), &req.public_key);
    let r = place(&w, &mut dev, 1001, &cert);
    assert!(
        matches!(r.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        r.outcome
    );
    // The CS02d answer is the first signed with the new key.
    assert_eq!(
        outcome(&r, &req.public_key),
        ResponseOutcome::Success(ResponseValue::Done)
    );
    let apdu = signed(r.response.as_ref().unwrap());
    assert!(apdu.verify_signature(&old).is_err());
    assert_eq!(dev.ds_public_key().unwrap().key(), &req.public_key);
    let creds = &dev.state().config.credentials;
    assert!(creds.pending.is_none());
    assert_eq!(creds.signing.as_ref().unwrap().certificate, cert);
    // Restored from its state, the device still signs with it; the next critical response too.
    let identity = dev.identity().clone();
    let mut dev = EmulatedDevice::new(identity, dev.into_state()).unwrap();
    let r = issue(&w, &mut dev, 1002, KEY_USAGE_DS);
    let next = csr(&r, &req.public_key);
    assert_ne!(next.public_key, req.public_key);
}

#[test]
fn wrong_certificates_are_refused_and_nothing_changes() {
    let w = World::new();
    let pki = new_pki();
    let other_pki = new_pki();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.state_mut().config.credentials.device_cas =
        vec![CaCertificate(pki.dca.cert_der().to_vec())];
    let old = dev.ds_public_key().unwrap().key().clone();
    // Nothing pending yet.
    let stray = device_cert(&pki, dev.eui(), &old);
    let r = place(&w, &mut dev, 999, &stray);
    assert_eq!(
        outcome(&r, &old),
        ResponseOutcome::Failure(Failure::Result {
            code: rc::NO_CORRESPONDING_KEY_PAIR_GENERATED
        })
    );
    let req = csr(&issue(&w, &mut dev, 1000, KEY_USAGE_DS), &old);
    let before = dev.state().config.credentials.clone();
    let other_key = smki::KeyPair::generate_with_os_rng().unwrap().public_key();
    let other_key = PublicKey::from_sec1(&other_key.to_sec1_uncompressed()).unwrap();
    let mut counter = 1001;
    for (cert, code) in [
        (
            device_cert(&other_pki, dev.eui(), &req.public_key),
            rc::INVALID_CERTIFICATE,
        ),
        (
            device_cert(&pki, dev.eui(), &other_key),
            rc::WRONG_PUBLIC_KEY,
        ),
        (
            device_cert(&pki, gbcs::Eui64::from_u64(GSME), &req.public_key),
            rc::WRONG_DEVICE_IDENTITY,
        ),
        (vec![0x30, 0x03, 0x02, 0x01, 0x00], rc::INVALID_CERTIFICATE),
        (pki.dca.cert_der().to_vec(), rc::INVALID_KEY_USAGE),
    ] {
        let r = place(&w, &mut dev, counter, &cert);
        counter += 1;
        assert!(
            matches!(r.outcome, Outcome::Executed { success: false, .. }),
            "{:?}",
            r.outcome
        );
        assert_eq!(
            outcome(&r, &old),
            ResponseOutcome::Failure(Failure::Result { code }),
            "{code}"
        );
        assert_eq!(dev.state().config.credentials, before);
        assert_eq!(dev.ds_public_key().unwrap().key(), &old);
    }
    // A key agreement pair is not generated (the RTDS ERROR vector's answer).
    let r = issue(&w, &mut dev, counter, KEY_USAGE_KA);
    assert_failure_like_rtds(
        r.response.as_ref().unwrap(),
        "6.17_CS02c",
        "CS02c_6.17_ERROR_RESPONSE_GBCS.HEX",
    );
    assert_eq!(dev.state().config.credentials, before);
    // The right one still goes in afterwards.
    let cert = device_cert(&pki, dev.eui(), &req.public_key);
    let r = place(&w, &mut dev, counter + 1, &cert);
    assert_eq!(
        outcome(&r, &req.public_key),
        ResponseOutcome::Success(ResponseValue::Done)
    );
}

#[test]
fn answers_have_the_rtds_shape() {
    let w = World::new();
    let pki = new_pki();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let r = issue(&w, &mut dev, 1000, KEY_USAGE_DS);
    let theirs = rtds("6.17_CS02c", "CS02c_6.17_SUCCESS_RESPONSE_GBCS.HEX");
    let ours = signed(r.response.as_ref().unwrap());
    let their = signed(&theirs);
    assert_eq!(ours.date_time, their.date_time);
    assert_eq!(ours.other_info, their.other_info);
    let old = dev.ds_public_key().unwrap().key().clone();
    let req = csr(&r, &old);
    let cert = device_cert(&pki, dev.eui(), &req.public_key);
    let r = place(&w, &mut dev, 1001, &cert);
    let ours = signed(r.response.as_ref().unwrap());
    let their = signed(&rtds(
        "6.15.2_CS02d",
        "CS02d_6.15.2_SUCCESS_RESPONSE_GBCS.HEX",
    ));
    assert_eq!(ours.content, their.content);
    assert_eq!(ours.other_info, their.other_info);
    let _ = cs02d::CS02D;
}
