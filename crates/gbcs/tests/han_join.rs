//! 8.7 Join Service and 8.8 Unjoin Service (CS03A1, CS03A2, CS03B, CS03C, CS04AC, CS04B)
//! against the RTDS 4.5.0 vectors: each builder, fed the DUIS template's values (the other
//! device's type and, for CS03C, its KA certificate, as the DCC takes them from its inventory
//! and the SMKI repository), reproduces the RTDS PRECOMMAND byte for byte; the RTDS signature
//! (the supplier's, or the ACB's for the non-critical forms) verifies over it and the wrapped
//! command equals the RTDS COMMAND; every RTDS COMMAND decodes strictly to those values; every
//! RESPONSE decodes and is classified; the decoders refuse what is not the use case's.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, vector};
use gbcs::usecases::{
    self, CommandHeader, DecodedCommand, JoinCommand, JoinDeviceType as T, JoinMethod,
    ResponseOutcome, ResponseValue, decode_command, decode_response, han_join,
};
use gbcs::{Eui64, Frame, GeneralSigning, SignatureField, wrap_command};

const SUPPLIER: u64 = 0x90b3_d51f_3001_0000;
const ACB: u64 = 0x90b3_d51f_3000_0002;
const ESME: u64 = 0x00db_1234_5678_90a0;
const GSME: u64 = 0x00db_1234_5678_90a1;
const PPMID: u64 = 0x00db_1234_5678_90a4;
const HCALCS: u64 = 0x00db_1234_5678_90a5;

fn e(v: u64) -> Eui64 {
    Eui64::from_u64(v)
}

fn h(recip: u64, counter: u64) -> CommandHeader {
    CommandHeader::new(e(SUPPLIER), e(recip), counter)
}

/// The ACB on the supplier's behalf (the template's counter 1000 as supplementary counter).
fn acb(recip: u64, counter: u64, user_counter: u64) -> CommandHeader {
    CommandHeader::on_behalf_of(e(ACB), e(recip), counter, e(SUPPLIER), user_counter)
}

fn apdu_of(bytes: &[u8]) -> GeneralSigning {
    match Frame::decode(bytes) {
        Ok(f) => f.apdu().clone(),
        Err(_) => GeneralSigning::decode(bytes).unwrap(),
    }
}

fn rtds_command(dir: &str, stem: &str) -> (Vec<u8>, GeneralSigning) {
    let b = vector(dir, &format!("{stem}_COMMAND_GBCS.HEX"));
    let a = apdu_of(&b);
    (b, a)
}

/// A signed command (critical, or signed by the ACB): our pre-command equals the RTDS
/// PRECOMMAND where there is one, the RTDS signature verifies over it, wrapped it is the RTDS
/// COMMAND.
fn check_signed(ks: &Keystore, dir: &str, stem: &str, built: GeneralSigning) {
    assert!(built.is_precommand(), "{stem}");
    let pre = std::path::Path::new(&common::rtds_dir())
        .join(dir)
        .join(format!("{stem}_PRECOMMAND_GBCS.HEX"));
    if pre.exists() {
        assert_eq!(
            hex::encode_upper(built.encode()),
            hex::encode_upper(common::read_hex(&pre)),
            "{stem} precommand"
        );
    }
    let (rtds_cmd, a) = rtds_command(dir, stem);
    let SignatureField::Signed(sig) = a.signature else {
        panic!("{stem}: command not signed")
    };
    let signed = built.with_signature(sig);
    signed
        .verify_signature(ks.ds_public.get(&signed.originator).expect("DS cert"))
        .expect("signature over our pre-command");
    let peer = ks.ka_public.get(&signed.recipient).expect("KA cert");
    let wrapped = wrap_command(signed, ks.acb_ka(), peer).unwrap().encode();
    assert_eq!(
        hex::encode_upper(wrapped),
        hex::encode_upper(rtds_cmd),
        "{stem} command"
    );
}

/// A MAC-only command: wrapped, it is the RTDS COMMAND.
fn check_unsigned(ks: &Keystore, dir: &str, stem: &str, built: GeneralSigning) {
    assert!(!built.is_precommand(), "{stem}");
    let (rtds_cmd, _) = rtds_command(dir, stem);
    let peer = ks.ka_public.get(&built.recipient).expect("KA cert");
    let wrapped = wrap_command(built, ks.acb_ka(), peer).unwrap().encode();
    assert_eq!(
        hex::encode_upper(wrapped),
        hex::encode_upper(rtds_cmd),
        "{stem} command"
    );
}

/// The KA certificate a CS03C vector carries (fixture data: gbcs-notes §2.4).
fn vector_certificate(dir: &str, stem: &str) -> Vec<u8> {
    let (_, a) = rtds_command(dir, stem);
    match decode_command(&a).unwrap() {
        DecodedCommand::Cs03c(c) => c.ka_certificate.unwrap(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn builders_reproduce_the_rtds_vectors() {
    let ks = Keystore::load();
    let d = "8.7.1_CS03A1";
    check_signed(
        &ks,
        d,
        "CS03A1_8.7.1_SUCCESS",
        usecases::cs03a1_join_meter(&h(ESME, 1000), e(0x00db_1234_5678_909a), T::Hcalcs).unwrap(),
    );
    check_signed(
        &ks,
        d,
        "CS03A1_8.7.1_ERROR",
        usecases::cs03a1_join_meter(&h(ESME, 1002), e(0x00db_1234_5678_909a), T::Ppmid).unwrap(),
    );
    check_signed(
        &ks,
        "8.7.1_CS03A2Critical",
        "CS03A2Critical_8.7.1_SUCCESS",
        usecases::cs03a2_join_non_meter(&h(HCALCS, 1000), e(0x00db_1234_5678_9093)).unwrap(),
    );
    check_signed(
        &ks,
        "8.7.2_CS03A2NonCritical",
        "CS03A2NonCritical_8.7.2_SUCCESS",
        usecases::cs03a2_join_non_meter(&acb(PPMID, 1300, 1000), e(0x00db_1234_5678_9093)).unwrap(),
    );
    let d = "8.7.1_CS03CCritical";
    let stem = "CS03CCritical_8.7.1_SUCCESS";
    let cert = vector_certificate(d, stem);
    check_signed(
        &ks,
        d,
        stem,
        usecases::cs03c_join_method_c(&h(GSME, 1004), e(0x00db_1234_5678_9098), T::Ppmid, &cert)
            .unwrap(),
    );
    let d = "8.7.2_CS03CNonCritical";
    let stem = "CS03CNonCritical_8.7.2_SUCCESS";
    let cert = vector_certificate(d, stem);
    check_signed(
        &ks,
        d,
        stem,
        usecases::cs03c_join_method_c(
            &acb(PPMID, 1301, 1001),
            e(0x00db_1234_5678_9094),
            T::Gsme,
            &cert,
        )
        .unwrap(),
    );
    let d = "8.7.2_CS03B";
    check_unsigned(
        &ks,
        d,
        "CS03B_8.7.2_SUCCESS",
        usecases::cs03b_join_type2(&h(GSME, 1001), e(0x00db_1234_5678_909c)).unwrap(),
    );
    let d = "8.8.1_CS04ACCritical";
    check_signed(
        &ks,
        d,
        "CS04ACCritical_8.8.1_SUCCESS",
        usecases::cs04ac_unjoin(&h(ESME, 1001), e(0x00db_1234_5678_9099)),
    );
    check_signed(
        &ks,
        d,
        "CS04ACCritical_8.8.1_ERROR",
        usecases::cs04ac_unjoin(&h(ESME, 1002), e(0x0303_0303_0303_0303)),
    );
    check_signed(
        &ks,
        "8.8.2_CS04ACNonCritical",
        "CS04ACNonCritical_8.8.2_SUCCESS",
        usecases::cs04ac_unjoin(&acb(PPMID, 1300, 1000), e(0x0102_0304_0506_0708)),
    );
    let d = "8.8.2_CS04B";
    check_unsigned(
        &ks,
        d,
        "CS04B_8.8.2_SUCCESS",
        usecases::cs04b_unjoin(&h(GSME, 1000), e(0x0102_0304_0506_0708)),
    );
    // The ERROR vector carries CS04AC's message code (gbcs-notes §2.4), signed by the supplier.
    check_signed(
        &ks,
        d,
        "CS04B_8.8.2_ERROR",
        usecases::cs04ac_unjoin(&h(GSME, 1004), e(0x0303_0303_0303_0303)),
    );
}

#[test]
fn rtds_commands_decode_to_the_duis_parameters() {
    let join = |dir: &str, stem: &str| decode_command(&rtds_command(dir, stem).1).unwrap();
    let j = |method, other: u64, t| JoinCommand {
        method,
        other_device: e(other),
        other_type: t,
        ka_certificate: None,
    };
    assert_eq!(
        join("8.7.1_CS03A1", "CS03A1_8.7.1_SUCCESS"),
        DecodedCommand::Cs03a1(j(
            JoinMethod::MethodAInitiator,
            0x00db_1234_5678_909a,
            T::Hcalcs
        ))
    );
    assert_eq!(
        join("8.7.1_CS03A2Critical", "CS03A2Critical_8.7.1_SUCCESS"),
        DecodedCommand::Cs03a2(j(
            JoinMethod::MethodAResponder,
            0x00db_1234_5678_9093,
            T::Esme
        ))
    );
    assert_eq!(
        join("8.7.2_CS03A2NonCritical", "CS03A2NonCritical_8.7.2_SUCCESS"),
        DecodedCommand::Cs03a2(j(
            JoinMethod::MethodAResponder,
            0x00db_1234_5678_9093,
            T::Esme
        ))
    );
    assert_eq!(
        join("8.7.2_CS03B", "CS03B_8.7.2_SUCCESS"),
        DecodedCommand::Cs03b(j(JoinMethod::MethodB, 0x00db_1234_5678_909c, T::Type2))
    );
    // The ERROR vector names a PPMID (the device refuses it).
    assert_eq!(
        join("8.7.2_CS03B", "CS03B_8.7.2_ERROR"),
        DecodedCommand::Cs03b(j(JoinMethod::MethodB, 0x0102_0304_0506_0708, T::Ppmid))
    );
    let DecodedCommand::Cs03c(c) = join("8.7.1_CS03CCritical", "CS03CCritical_8.7.1_SUCCESS")
    else {
        panic!()
    };
    assert_eq!(
        (c.method, c.other_device, c.other_type),
        (JoinMethod::MethodC, e(0x00db_1234_5678_9098), T::Ppmid)
    );
    assert_eq!(c.ka_certificate.unwrap()[0], 0x30);
    assert_eq!(
        join("8.8.1_CS04ACCritical", "CS04ACCritical_8.8.1_SUCCESS"),
        DecodedCommand::Cs04ac(e(0x00db_1234_5678_9099))
    );
    assert_eq!(
        join("8.8.2_CS04B", "CS04B_8.8.2_SUCCESS"),
        DecodedCommand::Cs04b(e(0x0102_0304_0506_0708))
    );
    assert_eq!(
        join("8.8.2_CS04ACNonCritical", "CS04ACNonCritical_8.8.2_SUCCESS"),
        DecodedCommand::Cs04ac(e(0x0102_0304_0506_0708))
    );
}

#[test]
fn rtds_responses_decode_and_classify() {
    let rows: &[(&str, &str, Option<u8>)] = &[
        ("8.7.1_CS03A1", "CS03A1_8.7.1_SUCCESS", None),
        ("8.7.1_CS03A1", "CS03A1_8.7.1_ERROR", Some(3)),
        ("8.7.1_CS03A2Critical", "CS03A2Critical_8.7.1_SUCCESS", None),
        ("8.7.1_CS03CCritical", "CS03CCritical_8.7.1_SUCCESS", None),
        (
            "8.7.2_CS03A2NonCritical",
            "CS03A2NonCritical_8.7.2_SUCCESS",
            None,
        ),
        ("8.7.2_CS03B", "CS03B_8.7.2_SUCCESS", None),
        ("8.7.2_CS03B", "CS03B_8.7.2_ERROR", Some(2)),
        (
            "8.7.2_CS03CNonCritical",
            "CS03CNonCritical_8.7.2_SUCCESS",
            None,
        ),
        (
            "8.7.2_CS03CNonCritical",
            "CS03CNonCritical_8.7.2_ERROR",
            Some(11),
        ),
        ("8.8.1_CS04ACCritical", "CS04ACCritical_8.8.1_SUCCESS", None),
        (
            "8.8.1_CS04ACCritical",
            "CS04ACCritical_8.8.1_ERROR",
            Some(1),
        ),
        (
            "8.8.2_CS04ACNonCritical",
            "CS04ACNonCritical_8.8.2_SUCCESS",
            None,
        ),
        ("8.8.2_CS04B", "CS04B_8.8.2_SUCCESS", None),
        ("8.8.2_CS04B", "CS04B_8.8.2_ERROR", Some(1)),
    ];
    for (dir, stem, failure) in rows {
        let a = apdu_of(&vector(dir, &format!("{stem}_RESPONSE_GBCS.HEX")));
        let out = decode_response(a.message_code(), &a.content).unwrap();
        match failure {
            None => assert_eq!(out, ResponseOutcome::Success(ResponseValue::Done), "{stem}"),
            Some(code) => assert_eq!(
                out,
                ResponseOutcome::Failure(usecases::Failure::Result { code: *code }),
                "{stem}"
            ),
        }
    }
}

#[test]
fn decoders_refuse_what_is_not_the_use_cases() {
    let join = |method, t| JoinCommand {
        method,
        other_device: e(0x00db_1234_5678_9093),
        other_type: t,
        ka_certificate: None,
    };
    // CS03A1's message code over a Method B content.
    let content = han_join_content(&join(JoinMethod::MethodB, T::Type2));
    let mut a = usecases::cs03a1_join_meter(&h(ESME, 1), e(1), T::Hcalcs).unwrap();
    a.content = content;
    assert!(decode_command(&a).is_err());
    // CS03C's message code over a Method B content.
    let mut a = usecases::cs03b_join_type2(&h(GSME, 1), e(1)).unwrap();
    a.other_info.message_code = han_join::CS03C;
    a.content = han_join_content(&join(JoinMethod::MethodB, T::Type2));
    assert!(decode_command(&a).is_err());
    // A Method C join without a certificate decodes (the RTDS ERROR command; the device
    // refuses it).
    let DecodedCommand::Cs03c(c) =
        decode_command(&rtds_command("8.7.2_CS03CNonCritical", "CS03CNonCritical_8.7.2_ERROR").1)
            .unwrap()
    else {
        panic!()
    };
    assert_eq!(
        (c.other_device, c.other_type, c.ka_certificate),
        (e(0x00db_1234_5678_9093), T::Gsme, None)
    );
    // An unknown device type (2), a short device id, trailing bytes, a non-minimal INTEGER.
    let good = usecases::cs03b_join_type2(&h(GSME, 1), e(1)).unwrap();
    for bad in [
        "3010020102040800DB123456789093020102",
        "300F020102040700DB1234567890020103",
        "3010020102040800DB12345678909302010300",
        "301102010204080000DB1234567890930201 03",
        "30110202000204080 0DB123456789093020103",
    ] {
        let mut a = good.clone();
        a.content = hex::decode(bad.replace(' ', "")).unwrap_or_default();
        assert!(decode_command(&a).is_err(), "{bad}");
    }
    // Unjoin: not an eight-octet OCTET STRING.
    let good = usecases::cs04b_unjoin(&h(GSME, 1), e(1));
    for bad in ["0407010203040506 07", "020101", "040801020304050607080000"] {
        let mut a = good.clone();
        a.content = hex::decode(bad.replace(' ', "")).unwrap_or_default();
        assert!(decode_command(&a).is_err(), "{bad}");
    }
    // Builders refuse what their use case does not join.
    assert!(usecases::cs03a1_join_meter(&h(ESME, 1), e(1), T::Gsme).is_err());
    assert!(
        usecases::cs03c_join_method_c(&h(GSME, 1), e(1), T::Ppmid, &[0x02, 0x01, 0x00]).is_err()
    );
}

fn han_join_content(c: &JoinCommand) -> Vec<u8> {
    let mut fields = vec![0x02, 0x01, c.method.code(), 0x04, 0x08];
    fields.extend_from_slice(&c.other_device.0);
    fields.extend_from_slice(&[0x02, 0x01, c.other_type.code()]);
    let mut out = vec![0x30, fields.len() as u8];
    out.extend(fields);
    out
}
