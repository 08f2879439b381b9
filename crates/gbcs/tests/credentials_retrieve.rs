//! DUIS 6.24.1 Retrieve Device Security Credentials (KRP): CS02a and CS02f in their MAC'd form
//! (the ACB originates them); DUIS 6.24.2 Retrieve Device Security Credentials (Device): CS02e
//! (critical, the supplier signs). The builders reproduce every RTDS pre-command and command
//! byte for byte (the ACB's MAC recomputed with the keystore's ACB key; CS02e signed with the
//! vector's signature); every RTDS command decodes strictly; every RTDS response decodes and
//! classifies, the SUCCESS ones with the vector's cells and certificate.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, keystore_dir, pem_to_der, vector};
use gbcs::credentials::{
    CredentialDetailsResponse, DeviceCertificateResponse, KEY_USAGE_DS, KEY_USAGE_KA, role,
};
use gbcs::usecases::{
    CommandHeader, DecodedCommand, Failure, ResponseOutcome, ResponseValue, classify_response,
    cs02a, cs02a_provide_security_credential_details, cs02e, cs02e_provide_device_certificate,
    decode_command, decode_response,
};
use gbcs::{Eui64, Frame, GeneralSigning, SignatureField, wrap_command};

const ACB: Eui64 = Eui64::from_u64(0x90B3_D51F_3000_0002);
const SUPPLIER: Eui64 = Eui64::from_u64(0x90B3_D51F_3001_0000);
const ESME: Eui64 = Eui64::from_u64(0x00DB_1234_5678_90A0);

fn apdu(bytes: &[u8]) -> GeneralSigning {
    match Frame::decode(bytes).unwrap() {
        Frame::Ciphered(c) => c.apdu,
        Frame::Signing(a) => a,
    }
}

/// (directory, stem, message code, recipient, roles asked for).
const KRP_COMMANDS: &[(&str, &str, u16, u64, &[u8])] = &[
    (
        "6.24.1_CS02aMAC",
        "CS02aMAC_6.24.1_SUCCESS",
        0x0008,
        0x00DB_1234_5678_90A0,
        &[role::SUPPLIER, role::NETWORK_OPERATOR],
    ),
    (
        "6.24.1_CS02aMAC",
        "CS02aMAC_6.24.1_ERROR",
        0x0008,
        0x00DB_1234_5678_90A1,
        &[role::ACCESS_CONTROL_BROKER, role::NETWORK_OPERATOR],
    ),
    (
        "6.24.1_CS02fMAC",
        "CS02fMAC_6.24.1_SUCCESS",
        0x011B,
        0x00DB_1234_5678_90A0,
        &[role::SUPPLIER, role::LOAD_CONTROLLER],
    ),
    (
        "6.24.1_CS02fMAC",
        "CS02fMAC_6.24.1_ERROR",
        0x011B,
        0x00DB_1234_5678_90A0,
        &[role::TRANSITIONAL_COS],
    ),
];

#[test]
fn cs02a_and_cs02f_commands_are_byte_exact_and_decode() {
    let ks = Keystore::load();
    for &(dir, stem, code, device, roles) in KRP_COMMANDS {
        let expected = vector(dir, &format!("{stem}_COMMAND_GBCS.HEX"));
        let counter = apdu(&expected).counter;
        let device = Eui64::from_u64(device);
        let h = CommandHeader::new(ACB, device, counter);
        let built =
            cs02a_provide_security_credential_details(&h, gbcs::MessageCode(code), roles).unwrap();
        let peer = ks.ka_public.get(&device).unwrap();
        let wrapped = wrap_command(built.clone(), ks.acb_ka(), peer)
            .unwrap()
            .encode();
        assert_eq!(
            hex::encode_upper(&wrapped),
            hex::encode_upper(&expected),
            "{stem}"
        );
        let d = decode_command(&built).unwrap();
        let (DecodedCommand::Cs02a(c) | DecodedCommand::Cs02f(c)) = &d else {
            panic!("{stem}: {d:?}");
        };
        assert_eq!(c.roles, roles, "{stem}");
        assert_eq!(d.spec().message_code.0, code, "{stem}");
        assert!(d.spec().dcc_originated && !d.spec().critical && !d.spec().dcc_signs);
    }
}

#[test]
fn cs02a_refuses_what_it_may_not_ask() {
    let h = CommandHeader::new(ACB, ESME, 1);
    // The load controller only in CS02f; no role twice; at least one.
    assert!(
        cs02a_provide_security_credential_details(&h, cs02a::CS02A, &[role::LOAD_CONTROLLER])
            .is_err()
    );
    assert!(
        cs02a_provide_security_credential_details(&h, cs02a::CS02F, &[role::LOAD_CONTROLLER])
            .is_ok()
    );
    assert!(
        cs02a_provide_security_credential_details(
            &h,
            cs02a::CS02A,
            &[role::SUPPLIER, role::SUPPLIER]
        )
        .is_err()
    );
    assert!(cs02a_provide_security_credential_details(&h, cs02a::CS02A, &[]).is_err());
    assert!(cs02a_provide_security_credential_details(&h, cs02e::MESSAGE_CODE, &[2]).is_err());
    // A decoder bound to the ACB's KA cell and the use case's roles.
    let mut g =
        cs02a_provide_security_credential_details(&h, cs02a::CS02F, &[role::LOAD_CONTROLLER])
            .unwrap();
    g.other_info.message_code = cs02a::CS02A;
    assert!(decode_command(&g).is_err());
    let mut g = cs02a_provide_security_credential_details(&h, cs02a::CS02A, &[2]).unwrap();
    // The authorising cell the supplier's DS cell instead of the ACB's KA cell.
    let i = g
        .content
        .windows(5)
        .position(|w| w == [2, 1, 4, 3, 2])
        .unwrap();
    g.content[i + 2] = 2;
    assert!(decode_command(&g).is_err());
    for bad in [
        &b"\x30\x00"[..],
        b"\x30\x05\x30\x03\x02\x01\x04",
        b"\x05\x00",
    ] {
        g.content = bad.to_vec();
        assert!(decode_command(&g).is_err());
    }
}

#[test]
fn cs02a_and_cs02f_responses_decode_and_classify() {
    // SUCCESS: the supplier's three cells (the top-up KA cell with cellUsage 1), the network
    // operator's (CS02a) or the load controller's (CS02f) two.
    for (dir, stem, second, second_eui) in [
        (
            "6.24.1_CS02aMAC",
            "CS02aMAC_6.24.1_SUCCESS",
            role::NETWORK_OPERATOR,
            0x90B3_D51F_3002_0000u64,
        ),
        (
            "6.24.1_CS02fMAC",
            "CS02fMAC_6.24.1_SUCCESS",
            role::LOAD_CONTROLLER,
            0x90B3_D51F_3001_0008,
        ),
    ] {
        let a = apdu(&vector(dir, &format!("{stem}_RESPONSE_GBCS.HEX")));
        let r = CredentialDetailsResponse::decode(&a.content).unwrap();
        assert_eq!(r.0.len(), 2);
        assert_eq!((r.0[0].role, r.0[1].role), (role::SUPPLIER, second));
        let sup = r.0[0].held.as_ref().unwrap();
        assert_eq!(
            sup.cells
                .iter()
                .map(|c| (c.key_usage, c.cell_usage))
                .collect::<Vec<_>>(),
            [
                (KEY_USAGE_DS, None),
                (KEY_USAGE_KA, None),
                (KEY_USAGE_KA, Some(1))
            ]
        );
        assert!(sup.cells.iter().all(|c| c.subject == SUPPLIER.0));
        let other = r.0[1].held.as_ref().unwrap();
        assert_eq!(other.cells.len(), 2);
        assert!(
            other
                .cells
                .iter()
                .all(|c| c.subject == second_eui.to_be_bytes())
        );
        // The supplier's cells hold the keystore's supplier keys.
        let ks = Keystore::load();
        assert_eq!(
            sup.cells[0].key_id,
            gbcs::credentials::key_identifier(ks.ds_public.get(&SUPPLIER).unwrap())
        );
        match decode_response(a.message_code(), &a.content).unwrap() {
            ResponseOutcome::Success(ResponseValue::CredentialDetails(d)) => assert_eq!(*d, r),
            o => panic!("{stem}: {o:?}"),
        }
        assert!(!classify_response(a.message_code(), &a.content).is_failure());
        // The encoder writes the minimal DER form of the same value.
        assert_eq!(CredentialDetailsResponse::decode(&r.encode()).unwrap(), r);
    }
    // ERROR: CS02a the ACB's KA cell, then the network operator's trust anchor not found (25);
    // CS02f the transitional CoS party "other" (127).
    for (dir, stem, code) in [
        ("6.24.1_CS02aMAC", "CS02aMAC_6.24.1_ERROR", 25u8),
        ("6.24.1_CS02fMAC", "CS02fMAC_6.24.1_ERROR", 127),
    ] {
        let a = apdu(&vector(dir, &format!("{stem}_RESPONSE_GBCS.HEX")));
        assert_eq!(
            decode_response(a.message_code(), &a.content).unwrap(),
            ResponseOutcome::Failure(Failure::Result { code }),
            "{stem}"
        );
        assert!(classify_response(a.message_code(), &a.content).is_failure());
    }
    // Strictness: truncated, trailing bytes, a success without cells, a subject not 8 octets.
    let a = apdu(&vector(
        "6.24.1_CS02aMAC",
        "CS02aMAC_6.24.1_SUCCESS_RESPONSE_GBCS.HEX",
    ));
    let c = &a.content;
    assert!(CredentialDetailsResponse::decode(&c[..c.len() - 1]).is_err());
    let mut longer = c.clone();
    longer.push(0);
    assert!(CredentialDetailsResponse::decode(&longer).is_err());
    for bad in [
        &b"\x30\x00"[..],
        b"\x30\x08\x30\x06\x02\x01\x02\x0A\x01\x00",
        b"\x30\x0A\x30\x08\x02\x01\x02\x0A\x01\x19\x02\x01\x00",
        b"\x30\x15\x30\x13\x02\x01\x02\x0A\x01\x00\x02\x01\x00\x30\x0B\x30\x09\x03\x02\x07\x80\x04\x01\x01\x04\x00",
    ] {
        assert!(CredentialDetailsResponse::decode(bad).is_err(), "{bad:02X?}");
    }
}

#[test]
fn cs02e_precommands_and_commands_are_byte_exact() {
    let ks = Keystore::load();
    for (stem, usage) in [
        ("CS02e_6.24.2_SUCCESS", KEY_USAGE_DS),
        ("CS02e_6.24.2_ERROR", KEY_USAGE_KA),
    ] {
        let pre = vector("6.24.2_CS02e", &format!("{stem}_PRECOMMAND_GBCS.HEX"));
        let expected = GeneralSigning::decode(&pre).unwrap();
        let h = CommandHeader::new(SUPPLIER, ESME, expected.counter);
        let built = cs02e_provide_device_certificate(&h, usage).unwrap();
        assert_eq!(
            hex::encode_upper(built.encode()),
            hex::encode_upper(&pre),
            "{stem}"
        );
        let DecodedCommand::Cs02e(d) = decode_command(&built).unwrap() else {
            panic!()
        };
        assert_eq!(d.key_usage, usage);
        // The COMMAND: the pre-command signed by the supplier (the vector's signature, which
        // verifies with the keystore's supplier key) and MAC'd by the ACB.
        let command = vector("6.24.2_CS02e", &format!("{stem}_COMMAND_GBCS.HEX"));
        let sent = apdu(&command);
        let SignatureField::Signed(sig) = sent.signature else {
            panic!("{stem}: unsigned")
        };
        let mut signed = built.clone();
        signed.signature = SignatureField::Signed(sig);
        signed
            .verify_signature(ks.ds_public.get(&SUPPLIER).unwrap())
            .unwrap();
        let wrapped = wrap_command(signed, ks.acb_ka(), ks.ka_public.get(&ESME).unwrap())
            .unwrap()
            .encode();
        assert_eq!(hex::encode_upper(wrapped), hex::encode_upper(&command));
    }
    let h = CommandHeader::new(SUPPLIER, ESME, 1);
    assert!(cs02e_provide_device_certificate(&h, 0x04).is_err());
    assert!(cs02e::SPEC.critical && !cs02e::SPEC.dcc_originated);
}

#[test]
fn cs02e_responses_decode_and_classify() {
    let ks = Keystore::load();
    let a = GeneralSigning::decode(&vector(
        "6.24.2_CS02e",
        "CS02e_6.24.2_SUCCESS_RESPONSE_GBCS.HEX",
    ))
    .unwrap();
    a.verify_signature(ks.ds_public.get(&ESME).unwrap())
        .unwrap();
    let pem = std::fs::read_to_string(keystore_dir().join("00db1234567890a0-ds.pem")).unwrap();
    let ds = pem_to_der(&pem);
    let ResponseOutcome::Success(ResponseValue::DeviceCertificate(der)) =
        decode_response(a.message_code(), &a.content).unwrap()
    else {
        panic!()
    };
    // The device's own digital signing certificate, as the keystore holds it.
    assert_eq!(der, ds);
    assert_eq!(
        DeviceCertificateResponse::decode(&a.content)
            .unwrap()
            .encode(),
        a.content
    );
    let e = GeneralSigning::decode(&vector(
        "6.24.2_CS02e",
        "CS02e_6.24.2_ERROR_RESPONSE_GBCS.HEX",
    ))
    .unwrap();
    assert_eq!(
        decode_response(e.message_code(), &e.content).unwrap(),
        ResponseOutcome::Failure(Failure::Result { code: 3 })
    );
    assert!(classify_response(e.message_code(), &e.content).is_failure());
    for bad in [
        &b"\x02\x01\x00"[..],
        b"\x02\x01\x04",
        b"\x30\x03\x02\x01\x01",
        b"\x04\x00",
        &a.content[..a.content.len() - 1],
    ] {
        assert!(
            DeviceCertificateResponse::decode(bad).is_err(),
            "{bad:02X?}"
        );
    }
}
