//! DUIS 6.24 on an emulated ESME: CS02f / CS02a (the ACB's MAC'd command) report the trust
//! anchor cells the meter holds — the parties' subjects, the SMKI key identifiers of their keys
//! and their seq numbers — and follow a replacement; CS02e (the supplier's signed command)
//! answers the meter's own certificate handed to it, or the response code for none, another
//! key's or an unknown key usage. Commands from anyone but their originators are refused and
//! nothing changes.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use devices::credential_details::OwnCertificates;
use devices::{DeviceIdentity, DeviceKind, DeviceState, EmulatedDevice, Outcome, RemotePartyRole};
use gbcs::credentials::{
    self, CredentialDetailsResponse, DeviceCertificateResponse, KEY_USAGE_DS, KEY_USAGE_KA,
    STATUS_SUCCESS, STATUS_TRUST_ANCHOR_NOT_FOUND, role,
};
use gbcs::usecases::{self, CommandHeader, cs02a, cs02e};

fn fresh_esme(w: &World) -> (EmulatedDevice, Vec<u8>, Vec<u8>) {
    let (ds, ka) = (pkcs8(), pkcs8());
    let identity = DeviceIdentity {
        eui: gbcs::Eui64::from_u64(ESME),
        kind: DeviceKind::Esme,
        ds_private_pkcs8: ds.clone(),
        ka_private_pkcs8: ka.clone(),
    };
    let state = DeviceState::new(DeviceKind::Esme, w.now, w.anchors());
    (EmulatedDevice::new(identity, state).unwrap(), ds, ka)
}

/// The device certificate of the key `pkcs8` for `usage`, from a fresh SMKI PKI's DCA.
fn device_cert(pkcs8: &[u8], usage: smki::KeyUsage) -> Vec<u8> {
    let pki = smki::Pki::generate_with_os_rng(
        time::OffsetDateTime::now_utc(),
        &smki::PkiNames::default(),
    )
    .unwrap();
    pki.dca
        .issue_device(&smki::DeviceCertRequest {
            eui: gbcs::Eui64::from_u64(ESME),
            usage,
            public_key: smki::KeyPair::from_pkcs8_der(pkcs8).unwrap().public_key(),
            serial: smki::Serial::random_with_os_rng().unwrap(),
            not_before: time::OffsetDateTime::now_utc(),
        })
        .unwrap()
}

fn read_details(
    w: &World,
    dev: &mut EmulatedDevice,
    code: gbcs::MessageCode,
    counter: u64,
    roles: &[u8],
) -> (devices::Reply, Option<CredentialDetailsResponse>) {
    let h = CommandHeader::new(w.acb.eui, dev.eui(), counter);
    let cmd = usecases::cs02a_provide_security_credential_details(&h, code, roles).unwrap();
    let reply = dev.handle(&w.wan(cmd, dev), w.now);
    let details = reply.response.as_ref().map(|r| {
        let a = open(r, dev, &w.acb);
        assert_eq!(a.message_code(), code);
        CredentialDetailsResponse::decode(&a.content).unwrap()
    });
    (reply, details)
}

#[test]
fn cs02f_reports_the_cells_held_and_follows_a_replacement() {
    let w = World::new();
    let (mut dev, _, _) = fresh_esme(&w);
    let roles = [
        role::SUPPLIER,
        role::NETWORK_OPERATOR,
        role::LOAD_CONTROLLER,
        role::ACCESS_CONTROL_BROKER,
        role::ROOT,
    ];
    let (reply, d) = read_details(&w, &mut dev, cs02a::CS02F, 10, &roles);
    assert_eq!(
        reply.outcome,
        Outcome::Executed {
            message_code: cs02a::CS02F,
            success: false
        }
    );
    let d = d.unwrap();
    assert_eq!(
        d.0.iter().map(|p| (p.role, p.status)).collect::<Vec<_>>(),
        [
            (2, STATUS_SUCCESS),
            (3, STATUS_SUCCESS),
            (8, STATUS_SUCCESS),
            (4, STATUS_SUCCESS),
            (0, STATUS_TRUST_ANCHOR_NOT_FOUND)
        ]
    );
    let id = |k: &gbcs::SigningKey| credentials::key_identifier(&k.public_key().unwrap());
    let kid = |k: &gbcs::KaPrivateKey| credentials::key_identifier(&k.public_key().unwrap());
    let sup = d.0[0].held.as_ref().unwrap();
    assert_eq!(
        sup.cells
            .iter()
            .map(|c| (c.key_usage, c.cell_usage, c.subject, c.key_id))
            .collect::<Vec<_>>(),
        [
            (KEY_USAGE_DS, None, w.supplier.eui.0, id(&w.supplier.ds)),
            (KEY_USAGE_KA, None, w.supplier.eui.0, kid(&w.supplier.ka)),
            (KEY_USAGE_KA, Some(1), w.supplier.eui.0, kid(&w.supplier.ka)),
        ]
    );
    let lc = d.0[2].held.as_ref().unwrap();
    assert_eq!(lc.cells.len(), 2);
    assert_eq!(lc.cells[0].key_id, id(&w.load_controller.ds));
    let acb = d.0[3].held.as_ref().unwrap();
    assert_eq!(
        acb.cells.iter().map(|c| c.key_usage).collect::<Vec<_>>(),
        [KEY_USAGE_KA]
    );
    // The ACB's own counter shows as its seq number.
    assert_eq!(acb.seq_number, 10);

    // A new supplier: the next read shows its subject and keys.
    let new = Party::new(0x90B3_D51F_3001_0042);
    dev.set_trust_anchor(RemotePartyRole::Supplier, new.anchor());
    let (_, d) = read_details(&w, &mut dev, cs02a::CS02A, 11, &[role::SUPPLIER]);
    let sup = d.unwrap().0[0].held.clone().unwrap();
    assert!(sup.cells.iter().all(|c| c.subject == new.eui.0));
    assert_eq!(sup.cells[0].key_id, id(&new.ds));
}

#[test]
fn credential_reads_from_anyone_else_are_refused_and_change_nothing() {
    let w = World::new();
    let (mut dev, _, _) = fresh_esme(&w);
    let before = dev.state().trust_anchors.clone();
    // CS02a from the supplier (only the ACB sends it).
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), 5);
    let cmd = usecases::cs02a_provide_security_credential_details(&h, cs02a::CS02A, &[2]).unwrap();
    let r = dev.handle(&w.wan(cmd, &dev), w.now);
    assert!(matches!(r.outcome, Outcome::Refused(_)), "{:?}", r.outcome);
    assert!(r.response.is_none());
    // CS02f to a GSME (an ESME's use case).
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    let h = CommandHeader::new(w.acb.eui, gsme.eui(), 6);
    let cmd = usecases::cs02a_provide_security_credential_details(&h, cs02a::CS02F, &[2]).unwrap();
    let r = gsme.handle(&w.wan(cmd, &gsme), w.now);
    assert!(
        !matches!(r.outcome, Outcome::Executed { .. }),
        "{:?}",
        r.outcome
    );
    // CS02e unsigned (it is critical).
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), 7);
    let mut pre = usecases::cs02e_provide_device_certificate(&h, KEY_USAGE_DS).unwrap();
    pre.signature = gbcs::SignatureField::Unsigned;
    let r = dev.handle(&w.wan(pre, &dev), w.now);
    assert!(matches!(r.outcome, Outcome::Refused(_)), "{:?}", r.outcome);
    assert_eq!(dev.state().trust_anchors, before);
}

fn read_certificate(
    w: &World,
    dev: &mut EmulatedDevice,
    counter: u64,
    key_usage: u8,
) -> DeviceCertificateResponse {
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), counter);
    let mut pre = usecases::cs02e_provide_device_certificate(&h, KEY_USAGE_DS).unwrap();
    // Any key usage octet, as a device may be sent one (the builder refuses others).
    pre.content = credentials::DeviceCertificateRequest { key_usage }.encode();
    let r = dev.handle(&w.critical(pre, &w.supplier, dev), w.now);
    let a = open(&r.response.unwrap(), dev, &w.supplier);
    assert_eq!(a.message_code(), cs02e::MESSAGE_CODE);
    DeviceCertificateResponse::decode(&a.content).unwrap()
}

#[test]
fn cs02e_answers_the_meters_own_certificates() {
    use credentials::device_certificate_code as code;
    let w = World::new();
    let (mut dev, ds, ka) = fresh_esme(&w);
    // None handed over: no certificate held.
    assert_eq!(
        read_certificate(&w, &mut dev, 20, KEY_USAGE_DS),
        DeviceCertificateResponse::Code(code::NO_CERTIFICATE_HELD)
    );
    let ds_cert = device_cert(&ds, smki::KeyUsage::DigitalSignature);
    let ka_cert = device_cert(&ka, smki::KeyUsage::KeyAgreement);
    dev.set_own_certificates(OwnCertificates {
        ds: Some(ds_cert.clone()),
        ka: Some(ka_cert.clone()),
    });
    assert_eq!(
        read_certificate(&w, &mut dev, 21, KEY_USAGE_DS),
        DeviceCertificateResponse::Certificate(ds_cert.clone())
    );
    assert_eq!(
        read_certificate(&w, &mut dev, 22, KEY_USAGE_KA),
        DeviceCertificateResponse::Certificate(ka_cert.clone())
    );
    assert_eq!(
        read_certificate(&w, &mut dev, 23, 0x04),
        DeviceCertificateResponse::Code(code::INVALID_KEY_USAGE)
    );
    // A certificate of another key is not the meter's: retrieval failure.
    dev.set_own_certificates(OwnCertificates {
        ds: Some(ka_cert),
        ka: None,
    });
    assert_eq!(
        read_certificate(&w, &mut dev, 24, KEY_USAGE_DS),
        DeviceCertificateResponse::Code(code::RETRIEVAL_FAILURE)
    );
}
