//! ECS17c (4.16 Read Active Power Import): the builder against the RTDS command byte for byte
//! (with the ACB MAC), the RTDS command decoding to its parameters, and both RTDS responses
//! decoding and classifying.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, vector};
use gbcs::usecases::{
    self, ActivePowerImport, CommandHeader, DecodedCommand, Failure, ResponseOutcome,
    ResponseValue, classify_response, decode_command, decode_response,
};
use gbcs::{Eui64, Frame, MessageCode, SignatureField, wrap_command};

const SUPPLIER: u64 = 0x90b3_d51f_3001_0000;
const NETWORK_OPERATOR: u64 = 0x90b3_d51f_3002_0000;
const ESME: u64 = 0x00db_1234_5678_90a0;
const DIR: &str = "4.16_ECS17c";

fn h(orig: u64, counter: u64) -> CommandHeader {
    CommandHeader::new(Eui64::from_u64(orig), Eui64::from_u64(ESME), counter)
}

#[test]
fn builder_is_the_rtds_command_byte_for_byte() {
    let ks = Keystore::load();
    for (file, counter) in [
        ("ECS17c_4.16_SUCCESS_COMMAND_GBCS.HEX", 0x4B0),
        ("ECS17c_4.16_ERROR_COMMAND_GBCS.HEX", 0x4B1),
    ] {
        let rtds = vector(DIR, file);
        let Ok(Frame::Ciphered(c)) = Frame::decode(&rtds) else {
            panic!("{file}: not DD")
        };
        let built = usecases::ecs17c_read_active_power_import(&CommandHeader::new(
            c.apdu.originator,
            c.apdu.recipient,
            counter,
        ));
        assert_eq!(built.signature, SignatureField::Unsigned);
        assert_eq!(built.message_code(), MessageCode::ECS17C);
        let peer = ks.ka_public.get(&built.recipient).unwrap();
        let wan = wrap_command(built, ks.acb_ka(), peer).unwrap().encode();
        assert_eq!(hex::encode_upper(wan), hex::encode_upper(&rtds), "{file}");
    }
}

#[test]
fn rtds_commands_decode_to_the_active_power_read() {
    for file in [
        "ECS17c_4.16_SUCCESS_COMMAND_GBCS.HEX",
        "ECS17c_4.16_ERROR_COMMAND_GBCS.HEX",
    ] {
        let Ok(Frame::Ciphered(c)) = Frame::decode(&vector(DIR, file)) else {
            panic!()
        };
        let DecodedCommand::Ecs17c(read) = decode_command(&c.apdu).unwrap() else {
            panic!("{file}: not ECS17c")
        };
        assert_eq!(
            read.objects,
            vec![gbcs::usecases::ecs17c::ACTIVE_POWER_IMPORT]
        );
    }
    // Built by either trust anchor, it decodes the same.
    for orig in [SUPPLIER, NETWORK_OPERATOR] {
        let b = usecases::ecs17c_read_active_power_import(&h(orig, 9));
        assert!(matches!(decode_command(&b), Ok(DecodedCommand::Ecs17c(_))));
    }
}

#[test]
fn another_object_is_not_an_ecs17c_command() {
    // ECS45's read relabelled as ECS17c.
    let mut b = usecases::ecs45_read_supply_status(&h(SUPPLIER, 9));
    b.other_info.message_code = MessageCode::ECS17C;
    assert!(decode_command(&b).is_err());
}

fn response(file: &str) -> ResponseOutcome {
    let Ok(Frame::Ciphered(c)) = Frame::decode(&vector(DIR, file)) else {
        panic!()
    };
    assert_eq!(c.apdu.message_code(), MessageCode::ECS17C);
    let outcome = decode_response(MessageCode::ECS17C, &c.apdu.content).unwrap();
    assert_eq!(
        classify_response(MessageCode::ECS17C, &c.apdu.content).is_failure(),
        outcome.is_failure()
    );
    outcome
}

#[test]
fn rtds_responses_decode_and_classify() {
    assert_eq!(
        response("ECS17c_4.16_SUCCESS_RESPONSE_GBCS.HEX"),
        ResponseOutcome::Success(ResponseValue::ActivePowerImport(ActivePowerImport {
            power: 10,
            scaler: 0,
            unit: 27,
            second: 10,
        }))
    );
    assert_eq!(
        response("ECS17c_4.16_ERROR_RESPONSE_GBCS.HEX"),
        ResponseOutcome::Failure(Failure::Dlms {
            index: 0,
            result: 1
        })
    );
}

#[test]
fn value_structure_round_trips() {
    let v = ActivePowerImport {
        power: 4_321,
        scaler: -1,
        unit: 27,
        second: 4_321,
    };
    assert_eq!(ActivePowerImport::from_data(&v.to_data()), Some(v));
    assert_eq!(
        ActivePowerImport::from_data(&gbcs::axdr::Data::DoubleLongUnsigned(1)),
        None
    );
}
