//! CS02b by Recovery on an emulated device: the Recovery key replaces the supplier's trust
//! anchor; wrong signers, replays, bad control fields and cells the Recovery key may not touch
//! (the root) are refused with nothing changed; the RTDS recovery command replaces every cell it
//! names.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use devices::{DeviceKind, EmulatedDevice, Outcome, Refusal, RemotePartyRole, anchor_holds};
use gbcs::credentials::{
    KEY_USAGE_DS, KEY_USAGE_KA, RecoveryCommand, Replacement, STATUS_BAD_CERTIFICATE, STATUS_OTHER,
    STATUS_SUCCESS, STATUS_TRUST_ANCHOR_NOT_FOUND, TrustAnchorCell,
    UpdateSecurityCredentialsResponse, role,
};
use gbcs::usecases::{self, CommandHeader};
use gbcs::{Cra, Frame, GeneralSigning, SignatureField, SigningKey};

const RECOVERY: u64 = 0x90b3_d51f_3000_0001;

struct Setup {
    w: World,
    recovery: Party,
    dev: EmulatedDevice,
    pki: smki::Pki,
}

fn setup() -> Setup {
    let w = World::new();
    let recovery = Party::new(RECOVERY);
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.set_trust_anchor(RemotePartyRole::Recovery, recovery.anchor());
    let pki = smki::Pki::generate_with_os_rng(
        time::OffsetDateTime::now_utc(),
        &smki::PkiNames::default(),
    )
    .unwrap();
    Setup {
        w,
        recovery,
        dev,
        pki,
    }
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
    let signing = SigningKey::from_der(&key.to_pkcs8_der().unwrap()).unwrap();
    (der, signing)
}

fn supplier_ds(pki: &smki::Pki) -> (Vec<u8>, SigningKey) {
    org_cert(
        pki,
        SUPPLIER,
        smki::RemotePartyRole::Supplier,
        smki::KeyUsage::DigitalSignature,
    )
}

fn command(s: &Setup, counter: u64, replacements: Vec<Replacement>) -> RecoveryCommand {
    RecoveryCommand {
        recovery: s.recovery.eui,
        device: s.dev.eui(),
        counter,
        replacements,
        other_changes: None,
        new_floor: None,
        apply_time_based_cpv_checks: None,
        certification_path: vec![],
    }
}

fn replace(cert: &[u8], role: u8, usage: u8) -> Replacement {
    Replacement {
        certificate: cert.to_vec(),
        target: TrustAnchorCell::new(role, usage),
    }
}

/// The device's signed response, verified with its DS key, decoded.
fn response_of(dev: &EmulatedDevice, bytes: &[u8]) -> UpdateSecurityCredentialsResponse {
    let Frame::Signing(apdu) = Frame::decode(bytes).unwrap() else {
        panic!("a signed (DF) response")
    };
    assert_eq!(apdu.cra, Cra::Response);
    apdu.verify_signature(dev.ds_public_key().unwrap().key())
        .expect("signed by the device");
    assert!(apdu.date_time.is_some());
    UpdateSecurityCredentialsResponse::decode(&apdu.content).unwrap()
}

fn refused_with(s: &mut Setup, bytes: &[u8], refusal: Refusal) {
    let before = s.dev.state().trust_anchors.clone();
    let r = s.dev.handle(bytes, s.w.now);
    assert_eq!(r.outcome, Outcome::Refused(refusal));
    assert!(r.response.is_none());
    assert!(!r.alerts.is_empty(), "a refusal raises an alert");
    assert_eq!(s.dev.state().trust_anchors, before, "nothing replaced");
}

#[test]
fn recovery_replaces_the_supplier_anchor_and_only_the_new_key_is_trusted() {
    let mut s = setup();
    let (cert, new_key) = supplier_ds(&s.pki);
    let bytes = command(&s, 1, vec![replace(&cert, role::SUPPLIER, KEY_USAGE_DS)])
        .build(&s.recovery.ds)
        .unwrap()
        .encode();
    let r = s.dev.handle(&bytes, s.w.now);
    assert_eq!(
        r.outcome,
        Outcome::Executed {
            message_code: gbcs::credentials::CS02B_BY_RECOVERY,
            success: true
        }
    );
    assert!(r.state_changed);
    let resp = response_of(&s.dev, &r.response.unwrap());
    let o = resp.outcome.unwrap();
    assert!(o.all_succeeded());
    assert_eq!(o.seq_number, 1);
    assert_eq!(o.outcomes[0].replacing_subject, s.w.supplier.eui.0.to_vec());
    let anchor = s
        .dev
        .state()
        .trust_anchors
        .get(RemotePartyRole::Supplier)
        .unwrap()
        .clone();
    assert!(anchor_holds(&anchor, &cert));
    // The KA key is untouched.
    assert_eq!(anchor.ka_public, s.w.supplier.anchor().ka_public);

    // A critical command signed with the old (compromised) supplier key is now refused …
    let (supplier, esme) = (s.w.supplier.eui, s.dev.eui());
    let pre = || usecases::ecs43_disable_supply(&CommandHeader::new(supplier, esme, 1000));
    let old = s.w.critical(pre(), &s.w.supplier, &s.dev);
    let r = s.dev.handle(&old, s.w.now);
    assert_eq!(r.outcome, Outcome::Refused(Refusal::SignatureInvalid));
    // … and one signed with the replacement key executes.
    let signed = pre().sign(&new_key).unwrap();
    let r = s.dev.handle(&s.w.wan(signed, &s.dev), s.w.now);
    assert!(
        matches!(r.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        r.outcome
    );
}

#[test]
fn wrong_signer_unsigned_and_unknown_originator_are_refused() {
    let mut s = setup();
    let (cert, _) = supplier_ds(&s.pki);
    let cmd = command(&s, 1, vec![replace(&cert, role::SUPPLIER, KEY_USAGE_DS)]);
    // Signed by a key that is not the Recovery anchor's.
    let forged = cmd.build(&s.w.rogue.ds).unwrap().encode();
    refused_with(&mut s, &forged, Refusal::SignatureInvalid);
    // Not signed.
    let mut unsigned = cmd.build(&s.recovery.ds).unwrap();
    unsigned.signature = SignatureField::Unsigned;
    refused_with(&mut s, &unsigned.encode(), Refusal::SignatureMissing);
    // Another originator (even the genuine supplier, with its own valid signature).
    let by_supplier = RecoveryCommand {
        recovery: s.w.supplier.eui,
        ..cmd.clone()
    }
    .build(&s.w.supplier.ds)
    .unwrap()
    .encode();
    refused_with(&mut s, &by_supplier, Refusal::OriginatorNotAuthorised);
    // A device with no Recovery anchor accepts no recovery command.
    s.dev.remove_trust_anchor(RemotePartyRole::Recovery);
    let genuine = cmd.build(&s.recovery.ds).unwrap().encode();
    refused_with(&mut s, &genuine, Refusal::UnknownOriginator);
}

#[test]
fn replay_is_refused() {
    let mut s = setup();
    let (cert, _) = supplier_ds(&s.pki);
    let bytes = command(&s, 5, vec![replace(&cert, role::SUPPLIER, KEY_USAGE_DS)])
        .build(&s.recovery.ds)
        .unwrap()
        .encode();
    assert!(matches!(
        s.dev.handle(&bytes, s.w.now).outcome,
        Outcome::Executed { success: true, .. }
    ));
    refused_with(&mut s, &bytes, Refusal::Replay { last_accepted: 5 });
    // A lower counter too.
    let (cert2, _) = supplier_ds(&s.pki);
    let lower = command(&s, 4, vec![replace(&cert2, role::SUPPLIER, KEY_USAGE_DS)])
        .build(&s.recovery.ds)
        .unwrap()
        .encode();
    refused_with(&mut s, &lower, Refusal::Replay { last_accepted: 5 });
}

#[test]
fn control_fields_must_fit_the_recovery_mode() {
    let mut s = setup();
    let (cert, _) = supplier_ds(&s.pki);
    let cmd = command(&s, 1, vec![replace(&cert, role::SUPPLIER, KEY_USAGE_DS)]);
    let signed = |content: Vec<u8>| -> Vec<u8> {
        GeneralSigning {
            content,
            ..cmd.build(&s.recovery.ds).unwrap()
        }
        .sign(&s.recovery.ds)
        .unwrap()
        .encode()
    };
    let mut c = cmd.content();
    c.control.seq_number = 2; // not the counter
    let bad_seq = signed(c.encode());
    let mut c = cmd.content();
    c.control.mode = 2; // supplier by supplier
    let bad_mode = signed(c.encode());
    let garbage = signed(vec![0x30, 0x00]);
    refused_with(&mut s, &bad_seq, Refusal::CredentialsCommandInvalid);
    refused_with(&mut s, &bad_mode, Refusal::CredentialsCommandInvalid);
    refused_with(&mut s, &garbage, Refusal::Malformed);
}

/// Sends a genuine recovery command that the device must answer with a failure, changing no
/// anchor; returns the per-cell statuses.
fn failed(s: &mut Setup, counter: u64, replacements: Vec<Replacement>) -> Vec<u8> {
    let before = s.dev.state().trust_anchors.clone();
    let bytes = command(s, counter, replacements)
        .build(&s.recovery.ds)
        .unwrap()
        .encode();
    let r = s.dev.handle(&bytes, s.w.now);
    assert!(
        matches!(r.outcome, Outcome::Executed { success: false, .. }),
        "{:?}",
        r.outcome
    );
    assert_eq!(s.dev.state().trust_anchors, before, "nothing replaced");
    let o = response_of(&s.dev, &r.response.unwrap()).outcome.unwrap();
    assert!(!o.all_succeeded());
    o.outcomes.iter().map(|x| x.status).collect()
}

#[test]
fn cells_outside_any_except_abnormal_root_and_bad_certificates_replace_nothing() {
    let mut s = setup();
    let (cert, _) = supplier_ds(&s.pki);
    // The root cell: not replaceable by the Recovery key (even next to a valid replacement).
    let statuses = failed(
        &mut s,
        1,
        vec![
            replace(&cert, role::SUPPLIER, KEY_USAGE_DS),
            replace(&cert, role::ROOT, KEY_USAGE_DS),
        ],
    );
    assert_eq!(statuses, vec![STATUS_OTHER, STATUS_OTHER]);
    // A cell the device does not hold.
    let statuses = failed(
        &mut s,
        2,
        vec![replace(&cert, role::WAN_PROVIDER, KEY_USAGE_DS)],
    );
    assert_eq!(statuses, vec![STATUS_TRUST_ANCHOR_NOT_FOUND]);
    // A supplier certificate for the network operator's cell, or a DS certificate for a KA cell.
    let statuses = failed(
        &mut s,
        3,
        vec![replace(&cert, role::NETWORK_OPERATOR, KEY_USAGE_DS)],
    );
    assert_eq!(statuses, vec![STATUS_BAD_CERTIFICATE]);
    let statuses = failed(
        &mut s,
        4,
        vec![replace(&cert, role::SUPPLIER, KEY_USAGE_KA)],
    );
    assert_eq!(statuses, vec![STATUS_BAD_CERTIFICATE]);
    // Not a certificate.
    let statuses = failed(
        &mut s,
        5,
        vec![replace(&[0x30, 0x00], role::SUPPLIER, KEY_USAGE_DS)],
    );
    assert_eq!(statuses, vec![STATUS_BAD_CERTIFICATE]);
    // The Recovery key may replace its own cell (as the RTDS vector does).
    let (new_recovery, new_recovery_key) = org_cert(
        &s.pki,
        RECOVERY,
        smki::RemotePartyRole::Recovery,
        smki::KeyUsage::DigitalSignature,
    );
    let bytes = command(
        &s,
        6,
        vec![replace(&new_recovery, role::RECOVERY, KEY_USAGE_DS)],
    )
    .build(&s.recovery.ds)
    .unwrap()
    .encode();
    let r = s.dev.handle(&bytes, s.w.now);
    assert!(matches!(r.outcome, Outcome::Executed { success: true, .. }));
    let o = response_of(&s.dev, &r.response.unwrap()).outcome.unwrap();
    assert_eq!(o.outcomes[0].status, STATUS_SUCCESS);
    // Afterwards only the new recovery key is obeyed.
    let next = command(&s, 7, vec![replace(&cert, role::SUPPLIER, KEY_USAGE_DS)]);
    let old_signed = next.build(&s.recovery.ds).unwrap().encode();
    refused_with(&mut s, &old_signed, Refusal::SignatureInvalid);
    let r = s
        .dev
        .handle(&next.build(&new_recovery_key).unwrap().encode(), s.w.now);
    assert!(matches!(r.outcome, Outcome::Executed { success: true, .. }));
}

/// The RTDS public key of `name` in `rtds/keystore` (a PEM certificate).
fn rtds_cert_key(name: &str) -> devices::PublicKeyBytes {
    gbcs::PublicKey::from_certificate_der(&common::pem(name))
        .unwrap()
        .into()
}

#[test]
fn the_rtds_recovery_command_replaces_every_cell_it_names() {
    // An ESME at the RTDS EUI whose Recovery anchor is the RTDS Recovery certificate; it holds
    // anchors for every role the vector touches (the supplier's prepayment top-up cell is
    // `TopUps::supplier_prepayment_ka`).
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let recovery = devices::TrustAnchor {
        eui: gbcs::Eui64::from_u64(RECOVERY),
        ds_public: rtds_cert_key("90b3d51f30000001-ds.pem"),
        ka_public: Party::new(RECOVERY).anchor().ka_public,
    };
    dev.set_trust_anchor(RemotePartyRole::Recovery, recovery);
    dev.set_trust_anchor(
        RemotePartyRole::TransitionalCos,
        Party::new(0x90b3_d51f_3000_0004).anchor(),
    );
    let vector = rtds(
        "NA_CS02bAnyExceptAbnormalRootByRecovery",
        "CS02bAnyExceptAbnormalRootByRecovery_NA_SUCCESS_COMMAND_GBCS.HEX",
    );

    // The device holds the RTDS organisation root: the vector's certification path (the
    // issuing CA Z1) chains to it.
    dev.set_trust_anchor(RemotePartyRole::Root, rtds_root_anchor());
    let before = dev.state().trust_anchors.clone();

    // One changed byte: the RTDS signature no longer verifies.
    let mut tampered = vector.clone();
    tampered[200] ^= 1;
    let r = dev.handle(&tampered, w.now);
    assert_eq!(r.outcome, Outcome::Refused(Refusal::SignatureInvalid));

    // The genuine vector is authentic and well-formed: the device replaces every cell.
    let r = dev.handle(&vector, w.now);
    assert!(
        matches!(r.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        r.outcome
    );
    assert_ne!(dev.state().trust_anchors, before);
    assert!(dev.state().top_ups.supplier_prepayment_ka.is_some());
    let o = response_of(&dev, &r.response.unwrap()).outcome.unwrap();
    assert_eq!(o.seq_number, 7000);
    let statuses: Vec<u8> = o.outcomes.iter().map(|x| x.status).collect();
    assert_eq!(statuses, vec![STATUS_SUCCESS; 8]);
    // Its counter is spent.
    let r = dev.handle(&vector, w.now);
    assert_eq!(
        r.outcome,
        Outcome::Refused(Refusal::Replay {
            last_accepted: 7000
        })
    );
}

/// With a Root cell, the Recovery's replacements must chain to it too: a certificate whose path
/// CA the root did not issue is refused (status 10) and nothing is replaced; one from the root's
/// own OCA, with that OCA as the path, is replaced. (Without a Root cell, the Recovery signature
/// vouches for the certificates: the other tests here send no path at all.)
#[test]
fn with_a_root_cell_recovery_replacements_must_chain_to_it() {
    let mut s = setup();
    let root = devices::PublicKeyBytes::from_sec1(
        &s.pki.org_root.key().public_key().to_sec1_uncompressed(),
    )
    .unwrap();
    s.dev
        .set_trust_anchor(RemotePartyRole::Root, devices::TrustAnchor::root(root));
    let before = s.dev.state().trust_anchors.clone();
    let other = smki::Pki::generate_with_os_rng(
        time::OffsetDateTime::now_utc(),
        &smki::PkiNames::default(),
    )
    .unwrap();
    let (foreign, _) = supplier_ds(&other);
    for (counter, path) in [(10, vec![]), (11, vec![other.oca.cert_der().to_vec()])] {
        let mut c = command(
            &s,
            counter,
            vec![replace(&foreign, role::SUPPLIER, KEY_USAGE_DS)],
        );
        c.certification_path = path;
        let bytes = c.build(&s.recovery.ds).unwrap().encode();
        let r = s.dev.handle(&bytes, s.w.now);
        assert!(
            matches!(r.outcome, Outcome::Executed { success: false, .. }),
            "{:?}",
            r.outcome
        );
        let o = response_of(&s.dev, &r.response.unwrap()).outcome.unwrap();
        assert_eq!(o.outcomes[0].status, devices::STATUS_CERTIFICATION_PATH);
        assert_eq!(s.dev.state().trust_anchors, before);
    }
    let (cert, _) = supplier_ds(&s.pki);
    let mut c = command(&s, 20, vec![replace(&cert, role::SUPPLIER, KEY_USAGE_DS)]);
    c.certification_path = vec![s.pki.oca.cert_der().to_vec()];
    let bytes = c.build(&s.recovery.ds).unwrap().encode();
    let r = s.dev.handle(&bytes, s.w.now);
    assert!(
        matches!(r.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        r.outcome
    );
    assert!(devices::anchor_holds(
        s.dev
            .state()
            .trust_anchors
            .get(RemotePartyRole::Supplier)
            .unwrap(),
        &cert
    ));
}
