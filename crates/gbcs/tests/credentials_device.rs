//! DUIS 6.17 Issue Security Credentials (CS02c) and 6.15.2 Update Security Credentials
//! (Device) (CS02d): the builders reproduce every RTDS pre-command byte for byte and, signed
//! with the vector's signature and MAC'd by the ACB, the COMMAND; every RTDS command decodes
//! strictly; every RTDS response decodes (the CS02c certificate signing request checked,
//! its signature included) and classifies.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, apdu, vector};
use gbcs::credentials::{KEY_USAGE_DS, KEY_USAGE_KA};
use gbcs::usecases::{
    CommandHeader, DecodedCommand, DeviceCsr, Failure, ResponseOutcome, ResponseValue, cs02c,
    cs02c_issue_security_credentials, cs02d_update_device_certificate, decode_command,
    decode_response,
};
use gbcs::{Eui64, GeneralSigning, SignatureField, wrap_command};

const C: &str = "6.17_CS02c";
const D: &str = "6.15.2_CS02d";

fn header(a: &GeneralSigning) -> CommandHeader {
    CommandHeader::new(a.originator, a.recipient, a.counter)
}

/// Checks the built pre-command against the vector, then the command (the vector's signature,
/// the ACB's MAC) and the supplier's signature.
fn check_row(ks: &Keystore, dir: &str, stem: &str, built: &GeneralSigning) {
    let pre = format!("{stem}_PRECOMMAND_GBCS.HEX");
    assert_eq!(
        hex::encode_upper(built.encode()),
        hex::encode_upper(vector(dir, &pre)),
        "{stem}"
    );
    let cmd = apdu(dir, &format!("{stem}_COMMAND_GBCS.HEX"));
    let SignatureField::Signed(sig) = cmd.signature else {
        panic!("{stem}: command not signed");
    };
    let signed = built.clone().with_signature(sig);
    let peer = ks.ka_public.get(&signed.recipient).unwrap();
    let wrapped = wrap_command(signed, ks.acb_ka(), peer).unwrap().encode();
    assert_eq!(
        hex::encode_upper(wrapped),
        hex::encode_upper(vector(dir, &format!("{stem}_COMMAND_GBCS.HEX"))),
        "{stem}"
    );
    cmd.verify_signature(ks.ds_public.get(&cmd.originator).unwrap())
        .unwrap();
}

#[test]
fn cs02c_builder_reproduces_the_rtds_precommands_and_commands() {
    let ks = Keystore::load();
    for (stem, usage) in [
        ("CS02c_6.17_SUCCESS", KEY_USAGE_DS),
        ("CS02c_6.17_ERROR", KEY_USAGE_KA),
    ] {
        let pre = apdu(C, &format!("{stem}_PRECOMMAND_GBCS.HEX"));
        let built = cs02c_issue_security_credentials(&header(&pre), usage).unwrap();
        check_row(&ks, C, stem, &built);
        for kind in ["PRECOMMAND", "COMMAND"] {
            let a = apdu(C, &format!("{stem}_{kind}_GBCS.HEX"));
            assert_eq!(decode_command(&a).unwrap(), DecodedCommand::Cs02c(usage));
        }
    }
    assert!(
        cs02c_issue_security_credentials(
            &CommandHeader::new(Eui64([1; 8]), Eui64([2; 8]), 1),
            0x40
        )
        .is_err()
    );
}

#[test]
fn cs02d_builder_reproduces_the_rtds_precommands_and_commands() {
    let ks = Keystore::load();
    for stem in ["CS02d_6.15.2_SUCCESS", "CS02d_6.15.2_ERROR"] {
        let pre = apdu(D, &format!("{stem}_PRECOMMAND_GBCS.HEX"));
        let built = cs02d_update_device_certificate(&header(&pre), &pre.content).unwrap();
        check_row(&ks, D, stem, &built);
        for kind in ["PRECOMMAND", "COMMAND"] {
            let a = apdu(D, &format!("{stem}_{kind}_GBCS.HEX"));
            assert_eq!(
                decode_command(&a).unwrap(),
                DecodedCommand::Cs02d(pre.content.clone())
            );
        }
    }
}

#[test]
fn cs02d_builder_takes_the_template_certificate() {
    use base64::Engine;
    let xml = std::fs::read_to_string(
        common::corpus_root()
            .join("duis-templates")
            .join("CS02d_6.15.2_SUCCESS_REQUEST_DUIS.XML"),
    )
    .unwrap();
    let b64 = xml
        .split("<sr:DeviceCertificate>")
        .nth(1)
        .unwrap()
        .split("</sr:DeviceCertificate>")
        .next()
        .unwrap();
    let cert = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .unwrap();
    let pre = apdu(D, "CS02d_6.15.2_SUCCESS_PRECOMMAND_GBCS.HEX");
    assert_eq!(cert, pre.content);
}

#[test]
fn commands_outside_the_format_are_refused() {
    let h = CommandHeader::new(Eui64([1; 8]), Eui64([2; 8]), 7);
    let good = cs02c_issue_security_credentials(&h, KEY_USAGE_DS).unwrap();
    for bad in [
        vec![0x30, 0x04, 0x03, 0x02, 0x06, 0x40], // nonRepudiation
        vec![0x30, 0x04, 0x03, 0x02, 0x00, 0x80], // not DER-minimal
        vec![0x30, 0x05, 0x03, 0x02, 0x07, 0x80, 0x00], // trailing byte
        vec![0x30, 0x08, 0x03, 0x02, 0x07, 0x80, 0x03, 0x02, 0x03, 0x08], // two
        vec![0x31, 0x04, 0x03, 0x02, 0x07, 0x80], // a SET
    ] {
        let mut a = good.clone();
        a.content = bad.clone();
        assert!(decode_command(&a).is_err(), "{bad:02X?}");
    }
    let mut a = apdu(D, "CS02d_6.15.2_SUCCESS_PRECOMMAND_GBCS.HEX");
    a.content.push(0);
    assert!(decode_command(&a).is_err());
    assert!(cs02d_update_device_certificate(&h, &[0x30, 0x00, 0x00]).is_err());
}

#[test]
fn rtds_responses_decode_and_classify() {
    let r = apdu(C, "CS02c_6.17_SUCCESS_RESPONSE_GBCS.HEX");
    let ResponseOutcome::Success(ResponseValue::CertificateSigningRequest(csr)) =
        decode_response(cs02c::CS02C, &r.content).unwrap()
    else {
        panic!()
    };
    assert_eq!(csr.eui, r.originator);
    assert_eq!(csr.key_usage, KEY_USAGE_DS);
    assert_eq!(csr.der, r.content);
    // The CS02d vector's certificate certifies the key the CS02c vector's request asked for.
    let cert = apdu(D, "CS02d_6.15.2_SUCCESS_PRECOMMAND_GBCS.HEX").content;
    assert_eq!(
        gbcs::PublicKey::from_certificate_der(&cert).unwrap(),
        csr.public_key
    );
    // A tampered request does not pass the proof of possession.
    let mut bad = r.content.clone();
    let n = bad.len();
    bad[n - 1] ^= 1;
    assert!(DeviceCsr::decode(&bad).is_err());
    assert!(decode_response(cs02c::CS02C, &bad).is_err());
    let e = apdu(C, "CS02c_6.17_ERROR_RESPONSE_GBCS.HEX");
    assert_eq!(
        decode_response(cs02c::CS02C, &e.content).unwrap(),
        ResponseOutcome::Failure(Failure::Result { code: 3 })
    );
    let s = apdu(D, "CS02d_6.15.2_SUCCESS_RESPONSE_GBCS.HEX");
    assert_eq!(
        decode_response(gbcs::usecases::cs02d::CS02D, &s.content).unwrap(),
        ResponseOutcome::Success(ResponseValue::Done)
    );
    let e = apdu(D, "CS02d_6.15.2_ERROR_RESPONSE_GBCS.HEX");
    assert_eq!(
        decode_response(gbcs::usecases::cs02d::CS02D, &e.content).unwrap(),
        ResponseOutcome::Failure(Failure::Result { code: 3 })
    );
}
