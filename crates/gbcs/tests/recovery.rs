//! CS02b by Recovery (message code 0x0108) against the RTDS vector
//! `NA_CS02bAnyExceptAbnormalRootByRecovery`: the parser reads it and re-encodes it byte for
//! byte, its signature verifies with the RTDS Recovery certificate, and the builder given the
//! same inputs produces the same bytes but for the (randomised) ECDSA signature.

mod common;

use common::*;
use gbcs::credentials::{
    self, CS02B_BY_RECOVERY, KEY_USAGE_DS, KEY_USAGE_KA, RecoveryCommand,
    UpdateSecurityCredentials, UpdateSecurityCredentialsResponse, role,
};
use gbcs::{Eui64, Frame, PublicKey, SignatureField};

const DIR: &str = "NA_CS02bAnyExceptAbnormalRootByRecovery";
const RECOVERY: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x00, 0x00, 0x01]);
const ESME: Eui64 = Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA0]);

fn command_bytes() -> Vec<u8> {
    vector(
        DIR,
        "CS02bAnyExceptAbnormalRootByRecovery_NA_SUCCESS_COMMAND_GBCS.HEX",
    )
}

fn recovery_cert_key() -> PublicKey {
    let pem = std::fs::read_to_string(keystore_dir().join("90b3d51f30000001-ds.pem"))
        .expect("RTDS recovery certificate");
    PublicKey::from_certificate_der(&pem_to_der(&pem)).expect("recovery public key")
}

#[test]
fn rtds_vector_parses_round_trips_and_verifies() {
    let bytes = command_bytes();
    let frame = Frame::decode(&bytes).expect("frame");
    let Frame::Signing(apdu) = &frame else {
        panic!("the recovery command is a bare General-Signing APDU (no ACB MAC)");
    };
    assert_eq!(apdu.message_code(), CS02B_BY_RECOVERY);
    assert_eq!(apdu.originator, RECOVERY);
    assert_eq!(apdu.recipient, ESME);
    assert!(matches!(apdu.signature, SignatureField::Signed(_)));
    apdu.verify_signature(&recovery_cert_key())
        .expect("the RTDS signature verifies with the RTDS recovery DS certificate");
    // A changed byte breaks it.
    let mut tampered = apdu.clone();
    tampered.content[10] ^= 1;
    assert!(tampered.verify_signature(&recovery_cert_key()).is_err());

    let usc = UpdateSecurityCredentials::decode(&apdu.content).expect("content");
    assert_eq!(usc.encode(), apdu.content, "byte-exact re-encoding");
    assert_eq!(usc.control.mode, 8);
    assert_eq!(usc.control.seq_number, apdu.counter);
    assert_eq!(apdu.counter, 7000);
    assert_eq!(
        usc.control.authorising_cell.map(|c| (c.role, c.key_usage)),
        Some((role::RECOVERY, KEY_USAGE_DS))
    );
    assert_eq!(usc.control.apply_time_based_cpv_checks, Some(1));
    assert_eq!(usc.control.new_floor, Some(0));
    let roles: Vec<u8> = usc
        .control
        .other_changes
        .as_ref()
        .expect("seq number changes")
        .iter()
        .map(|c| c.role)
        .collect();
    assert_eq!(roles, vec![2, 3, 4, 5]);
    assert_eq!(usc.replacements.len(), 8);
    assert!(usc.certification_path.len() == 1);
    // Each replacement certificate names the party of its target cell and carries the cell's
    // key usage.
    for r in &usc.replacements {
        let facts = credentials::certificate_facts(&r.certificate).expect("certificate facts");
        assert_eq!(
            facts.role,
            Some(r.target.role),
            "{facts:?} in {:?}",
            r.target
        );
        assert_eq!(facts.key_usage, Some(r.target.key_usage));
        assert_eq!(facts.key_id.len(), 8);
        assert_eq!(
            credentials::key_identifier(&facts.public_key).to_vec(),
            facts.key_id,
            "the SMKI key identifier method"
        );
    }
    let first = credentials::certificate_facts(&usc.replacements[0].certificate).unwrap();
    assert_eq!(first.subject_eui, RECOVERY);
    assert!(
        usc.replacements
            .iter()
            .any(|r| r.target.role == role::SUPPLIER && r.target.key_usage == KEY_USAGE_KA)
    );
}

#[test]
fn builder_reproduces_the_rtds_vector_but_for_the_signature() {
    let bytes = command_bytes();
    let Frame::Signing(rtds) = Frame::decode(&bytes).unwrap() else {
        panic!("signing frame")
    };
    let usc = UpdateSecurityCredentials::decode(&rtds.content).unwrap();
    let ks = Keystore::load();
    let key = ks
        .ds_private
        .get(&RECOVERY)
        .expect("RTDS recovery DS private key");
    let cmd = RecoveryCommand {
        recovery: RECOVERY,
        device: ESME,
        counter: 7000,
        replacements: usc.replacements.clone(),
        other_changes: usc.control.other_changes.clone(),
        new_floor: usc.control.new_floor,
        apply_time_based_cpv_checks: usc.control.apply_time_based_cpv_checks,
        certification_path: usc.certification_path.clone(),
    };
    let built = cmd.build(key).expect("build");
    let ours = built.encode();
    assert_eq!(ours.len(), bytes.len());
    // Everything but the 64-byte signature is identical.
    let body = bytes.len() - 64;
    assert_eq!(ours[..body], bytes[..body]);
    assert_ne!(ours[body..], bytes[body..], "ECDSA nonce differs");
    built.verify_signature(&recovery_cert_key()).unwrap();

    // Another counter moves exactly the counter bytes: the transaction id and the authorising
    // seq number.
    let other = RecoveryCommand {
        counter: 7001,
        ..cmd
    }
    .build(key)
    .unwrap();
    assert_eq!(other.counter, 7001);
    let parsed = UpdateSecurityCredentials::decode(&other.content).unwrap();
    assert_eq!(parsed.control.seq_number, 7001);
    assert_eq!(parsed.replacements, usc.replacements);
}

#[test]
fn rtds_response_parses_and_round_trips() {
    let bytes = vector(
        DIR,
        "CS02bAnyExceptAbnormalRootByRecovery_NA_SUCCESS_RESPONSE_GBCS.HEX",
    );
    let Frame::Signing(apdu) = Frame::decode(&bytes).expect("frame") else {
        panic!("signed response")
    };
    assert_eq!(apdu.message_code(), CS02B_BY_RECOVERY);
    let r = UpdateSecurityCredentialsResponse::decode(&apdu.content).expect("response");
    assert_eq!(r.encode(), apdu.content);
    let o = r.outcome.expect("outcome");
    assert_eq!(o.seq_number, 7000);
    assert_eq!(o.mode, 8);
    assert!(o.all_succeeded());
    assert_eq!(o.outcomes[0].existing_subject, RECOVERY.0.to_vec());
}

#[test]
fn builder_refuses_an_empty_command() {
    let ks = Keystore::load();
    let key = ks.ds_private.get(&RECOVERY).unwrap();
    let cmd = RecoveryCommand {
        recovery: RECOVERY,
        device: ESME,
        counter: 1,
        replacements: vec![],
        other_changes: None,
        new_floor: None,
        apply_time_based_cpv_checks: None,
        certification_path: vec![],
    };
    assert!(cmd.build(key).is_err());
}
