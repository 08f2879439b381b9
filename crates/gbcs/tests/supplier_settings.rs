//! DUIS 3.4 Update Supplier Name (ECS16, GCS44), 3.5 Disable Privacy PIN (ECS14, GCS11) and
//! 3.1 Display Message (ECS10, GCS07):
//! each builder against the RTDS commands byte for byte (with the ACB MAC), every RTDS command
//! decoding strictly to its parameters, every RTDS response (SUCCESS and ERROR) decoding and
//! classifying, and commands outside the use cases' formats refused.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, apdu, check_command};
use gbcs::usecases::{
    self, CommandDecodeError, CommandHeader, DecodedCommand, Failure, MessageDisplay,
    PasswordCleared, ResponseOutcome, ResponseValue, SupplierChange, SupplierContact,
    SupplierMessage, classify_response, decode_command, decode_response,
};
use gbcs::{Eui64, GeneralSigning, UtcDateTime};

const SUPPLIER: u64 = 0x90b3_d51f_3001_0000;
const ESME: u64 = 0x00db_1234_5678_90a0;
const GSME: u64 = 0x00db_1234_5678_90a1;

fn h(recip: u64, counter: u64) -> CommandHeader {
    CommandHeader::new(Eui64::from_u64(SUPPLIER), Eui64::from_u64(recip), counter)
}

/// The RTDS issuer event id: the ZigBee UTC time of 2015-01-01T00:00:00Z.
fn rtds_event_id() -> u32 {
    usecases::issuer_event_id(UtcDateTime::new(2015, 1, 1, 0, 0, 0).unwrap()).unwrap()
}

fn contact() -> SupplierContact {
    SupplierContact::new(b"E-ON", b"0333 202 4650").unwrap()
}

fn reset() -> SupplierMessage {
    SupplierMessage::new(b"Reset").unwrap()
}

#[test]
fn builders_reproduce_the_rtds_commands() {
    let ks = Keystore::load();
    let id = rtds_event_id();
    for (counter, kind) in [(1001, "SUCCESS"), (1003, "ERROR")] {
        let file = format!("ECS16_3.4_{kind}_COMMAND_GBCS.HEX");
        let b = usecases::ecs16_update_supplier_name(&h(ESME, counter), &contact());
        check_command(&ks, "3.4_ECS16", &file, b);
        let file = format!("GCS44_3.4_{kind}_COMMAND_GBCS.HEX");
        let b = usecases::gcs44_update_supplier_name(&h(GSME, counter), id, &contact()).unwrap();
        check_command(&ks, "3.4_GCS44", &file, b);
    }
    for (counter, kind) in [(1000, "SUCCESS"), (1001, "ERROR")] {
        let file = format!("ECS14_3.5_{kind}_COMMAND_GBCS.HEX");
        let b = usecases::ecs14_disable_privacy_pin(&h(ESME, counter));
        check_command(&ks, "3.5_ECS14", &file, b);
        let file = format!("GCS11_3.5_{kind}_COMMAND_GBCS.HEX");
        let b = usecases::gcs11_disable_privacy_pin(&h(GSME, counter), id).unwrap();
        check_command(&ks, "3.5_GCS11", &file, b);
    }
    for (counter, kind) in [(1003, "SUCCESS"), (1004, "ERROR")] {
        let file = format!("ECS10_3.1_{kind}_COMMAND_GBCS.HEX");
        let b = usecases::ecs10_display_message(&h(ESME, counter), &reset());
        check_command(&ks, "3.1_ECS10", &file, b);
    }
    for (counter, kind) in [(1002, "SUCCESS"), (1003, "ERROR")] {
        let file = format!("GCS07_3.1_{kind}_COMMAND_GBCS.HEX");
        let b = usecases::gcs07_display_message(&h(GSME, counter), id, &reset()).unwrap();
        check_command(&ks, "3.1_GCS07", &file, b);
    }
}

#[test]
fn rtds_commands_decode_to_their_parameters() {
    let id = rtds_event_id();
    for kind in ["SUCCESS", "ERROR"] {
        let a = apdu("3.4_ECS16", &format!("ECS16_3.4_{kind}_COMMAND_GBCS.HEX"));
        assert_eq!(
            decode_command(&a).unwrap(),
            DecodedCommand::Ecs16(contact())
        );
        let a = apdu("3.4_GCS44", &format!("GCS44_3.4_{kind}_COMMAND_GBCS.HEX"));
        assert_eq!(
            decode_command(&a).unwrap(),
            DecodedCommand::Gcs44(SupplierChange {
                issuer_event_id: id,
                contact: contact()
            })
        );
        let a = apdu("3.5_ECS14", &format!("ECS14_3.5_{kind}_COMMAND_GBCS.HEX"));
        assert_eq!(decode_command(&a).unwrap(), DecodedCommand::Ecs14);
        let a = apdu("3.5_GCS11", &format!("GCS11_3.5_{kind}_COMMAND_GBCS.HEX"));
        assert_eq!(
            decode_command(&a).unwrap(),
            DecodedCommand::Gcs11(PasswordCleared {
                issuer_event_id: id
            })
        );
        let a = apdu("3.1_ECS10", &format!("ECS10_3.1_{kind}_COMMAND_GBCS.HEX"));
        assert_eq!(decode_command(&a).unwrap(), DecodedCommand::Ecs10(reset()));
        let a = apdu("3.1_GCS07", &format!("GCS07_3.1_{kind}_COMMAND_GBCS.HEX"));
        assert_eq!(
            decode_command(&a).unwrap(),
            DecodedCommand::Gcs07(MessageDisplay {
                message_id: id,
                message: reset()
            })
        );
    }
}

#[test]
fn rtds_responses_decode_and_classify() {
    let cases = [
        (
            "3.4_ECS16",
            "ECS16_3.4",
            Failure::Dlms {
                index: 0,
                result: 1,
            },
        ),
        (
            "3.4_GCS44",
            "GCS44_3.4",
            Failure::ZclDefaultResponse {
                command: 0x01,
                status: 0xC0,
            },
        ),
        (
            "3.5_ECS14",
            "ECS14_3.5",
            Failure::Dlms {
                index: 0,
                result: 1,
            },
        ),
        (
            "3.5_GCS11",
            "GCS11_3.5",
            Failure::ZclDefaultResponse {
                command: 0x02,
                status: 0xC0,
            },
        ),
        (
            "3.1_ECS10",
            "ECS10_3.1",
            Failure::Dlms {
                index: 0,
                result: 1,
            },
        ),
        (
            "3.1_GCS07",
            "GCS07_3.1",
            Failure::ZclDefaultResponse {
                command: 0x00,
                status: 0xC0,
            },
        ),
    ];
    for (dir, stem, failure) in cases {
        let a = apdu(dir, &format!("{stem}_SUCCESS_RESPONSE_GBCS.HEX"));
        let code = a.message_code();
        assert_eq!(
            decode_response(code, &a.content).unwrap(),
            ResponseOutcome::Success(ResponseValue::Done),
            "{stem}"
        );
        assert!(!classify_response(code, &a.content).is_failure(), "{stem}");
        let a = apdu(dir, &format!("{stem}_ERROR_RESPONSE_GBCS.HEX"));
        assert_eq!(
            decode_response(code, &a.content).unwrap(),
            ResponseOutcome::Failure(failure),
            "{stem}"
        );
        assert!(classify_response(code, &a.content).is_failure(), "{stem}");
    }
}

#[test]
fn builder_output_decodes_to_the_builder_parameters() {
    let c = SupplierContact::new(b"A Supplier Ltd.", b"012345678901234567").unwrap();
    let b = usecases::ecs16_update_supplier_name(&h(ESME, 1 << 40), &c);
    assert_eq!(
        decode_command(&b).unwrap(),
        DecodedCommand::Ecs16(c.clone())
    );
    let b = usecases::gcs44_update_supplier_name(&h(GSME, 9), 0xDEAD_BEEF, &c).unwrap();
    assert_eq!(
        decode_command(&b).unwrap(),
        DecodedCommand::Gcs44(SupplierChange {
            issuer_event_id: 0xDEAD_BEEF,
            contact: c
        })
    );
    // Empty values are values too.
    let c = SupplierContact::new(b"", b"").unwrap();
    let b = usecases::ecs16_update_supplier_name(&h(ESME, 9), &c);
    assert_eq!(decode_command(&b).unwrap(), DecodedCommand::Ecs16(c));
    let m = SupplierMessage::new(&[b'~'; 116]).unwrap();
    let b = usecases::ecs10_display_message(&h(ESME, 9), &m);
    assert_eq!(
        decode_command(&b).unwrap(),
        DecodedCommand::Ecs10(m.clone())
    );
    let b = usecases::gcs07_display_message(&h(GSME, 9), 7, &m).unwrap();
    assert_eq!(
        decode_command(&b).unwrap(),
        DecodedCommand::Gcs07(MessageDisplay {
            message_id: 7,
            message: m
        })
    );
    assert!(SupplierMessage::new(b"").is_err());
    assert!(SupplierMessage::new(&[b'x'; 117]).is_err());
    assert!(SupplierContact::new(&[b'x'; 16], b"1").is_err());
    assert!(SupplierContact::new(b"x", &[b'1'; 19]).is_err());
}

#[test]
fn commands_outside_the_formats_do_not_decode() {
    let bad = |a: &GeneralSigning, uc: &str| match decode_command(a) {
        Err(CommandDecodeError::Format { use_case, .. }) if use_case == uc => {}
        Err(CommandDecodeError::Payload(_)) => {}
        other => panic!("{uc}: {other:?}"),
    };
    // ECS16 with a name longer than 15 bytes.
    let mut a = usecases::ecs16_update_supplier_name(&h(ESME, 9), &contact());
    let at = a.content.len() - 4;
    a.content[at - 1] = 16;
    a.content.extend_from_slice(&[b'x'; 12]);
    bad(&a, "ECS16");
    // ECS16 whose counter is not the invoke id.
    let mut a = usecases::ecs16_update_supplier_name(&h(ESME, 9), &contact());
    a.counter = 10;
    bad(&a, "ECS16");
    // ECS14 setting a PIN instead of clearing it.
    let mut a = usecases::ecs14_disable_privacy_pin(&h(ESME, 9));
    let n = a.content.len();
    a.content[n - 1] = 1;
    a.content.push(b'1');
    bad(&a, "ECS14");
    // ECS14's content relabelled ECS16.
    let mut a = usecases::ecs14_disable_privacy_pin(&h(ESME, 9));
    a.other_info = gbcs::OtherInfo::code(gbcs::MessageCode::ECS16);
    bad(&a, "ECS16");
    // GCS44 with a future implementation time.
    let mut a = usecases::gcs44_update_supplier_name(&h(GSME, 9), 1, &contact()).unwrap();
    let zcl = 2 + 1 + 1 + 2 + 2 + 3;
    a.content[zcl + 13] = 1;
    bad(&a, "GCS44");
    // GCS44 with a trailing byte (the GBZ length adjusted).
    let mut a = usecases::gcs44_update_supplier_name(&h(GSME, 9), 1, &contact()).unwrap();
    a.content.push(0);
    a.content[7] += 1;
    bad(&a, "GCS44");
    // GCS11 setting a password.
    let mut a = usecases::gcs11_disable_privacy_pin(&h(GSME, 9), 1).unwrap();
    let n = a.content.len();
    a.content[n - 1] = 1;
    a.content.push(b'1');
    a.content[7] += 1;
    bad(&a, "GCS11");
    // ECS10 with an empty message.
    let mut a = usecases::ecs10_display_message(&h(ESME, 9), &reset());
    a.content.truncate(a.content.len() - 5);
    let n = a.content.len();
    a.content[n - 1] = 0;
    bad(&a, "ECS10");
    // GCS07 shown for a limited time.
    let mut a = usecases::gcs07_display_message(&h(GSME, 9), 1, &reset()).unwrap();
    a.content[zcl + 9] = 0x3C;
    bad(&a, "GCS07");
    // GCS11's content relabelled GCS44.
    let mut a = usecases::gcs11_disable_privacy_pin(&h(GSME, 9), 1).unwrap();
    a.other_info = gbcs::OtherInfo::code(gbcs::MessageCode::GCS44);
    bad(&a, "GCS44");
}
