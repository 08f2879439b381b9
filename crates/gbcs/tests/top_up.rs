//! 2.2 Top Up Device (CS01a on the ESME, CS01b on the GSME) against the RTDS 4.5.0 vectors:
//! the UTRNs the RTDS commands carry are reproduced from the supplier's prepayment key, the
//! meter's key-agreement certificate, the counter of the request, the value and the class; each
//! builder, wrapped by the ACB, reproduces the RTDS COMMAND byte for byte; the decoders are
//! strict; every RESPONSE decodes and is classified.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, rtds_dir, vector};
use gbcs::usecases::{
    self, CommandHeader, DecodedCommand, Failure, ResponseOutcome, ResponseValue, TopUp,
    TopUpResponse, classify_response, decode_command, decode_response,
};
use gbcs::utrn::{self, Ptut, ValueClass};
use gbcs::{Eui64, Frame, GeneralSigning, KaPrivateKey, wrap_command};

const SUPPLIER: u64 = 0x90b3_d51f_3001_0000;
const ESME: u64 = 0x00db_1234_5678_90a0;
const GSME: u64 = 0x00db_1234_5678_90a1;

fn eui(v: u64) -> Eui64 {
    Eui64::from_u64(v)
}

fn h(recip: u64, counter: u64) -> CommandHeader {
    CommandHeader::new(eui(SUPPLIER), eui(recip), counter)
}

fn command(dir: &str, file: &str) -> GeneralSigning {
    Frame::decode(&vector(dir, file)).unwrap().apdu().clone()
}

/// The supplier's prepayment KA private key (`-pp-ka.key`).
fn prepayment_key(ks: &Keystore) -> &KaPrivateKey {
    &ks.ka_private.get(&eui(SUPPLIER)).unwrap()[1]
}

/// (directory, stem, meter, counter, class, value, UTRN) of every RTDS command whose UTRN is a
/// token (the CS01b ERROR vector carries a number that is not one).
const TOKENS: [(&str, &str, u64, u64, ValueClass, u16, &str); 3] = [
    (
        "2.2_CS01a",
        "CS01a_2.2_SUCCESS",
        ESME,
        3 << 32,
        ValueClass::Pounds,
        10,
        "73946144332040217315",
    ),
    (
        "2.2_CS01a",
        "CS01a_2.2_ERROR",
        ESME,
        5 << 32,
        ValueClass::Pounds,
        10,
        "73948959061972833313",
    ),
    (
        "2.2_CS01b",
        "CS01b_2.2_SUCCESS",
        GSME,
        6 << 32,
        ValueClass::Pennies,
        1250,
        "73950067887105178605",
    ),
];

#[test]
fn rtds_utrns_are_reproduced_from_the_supplier_prepayment_key() {
    let ks = Keystore::load();
    for (dir, stem, meter, counter, class, value, expected) in TOKENS {
        let meter_ka = ks.ka_public.get(&eui(meter)).unwrap();
        let built = utrn::build(
            prepayment_key(&ks),
            meter_ka,
            eui(SUPPLIER),
            eui(meter),
            counter,
            class,
            value,
        )
        .unwrap();
        assert_eq!(built, expected, "{stem}");
        // The command carries it, with the counter of the request.
        let a = command(dir, &format!("{stem}_COMMAND_GBCS.HEX"));
        assert_eq!(a.counter, counter, "{stem}");
        let (DecodedCommand::Cs01a(t) | DecodedCommand::Cs01b(t)) = decode_command(&a).unwrap()
        else {
            panic!("{stem}: not a top-up")
        };
        assert_eq!(t.utrn, expected, "{stem}");
        // It verifies (the key agreement is symmetric: the supplier's side stands in for the
        // meter's, whose private key the keystore does not hold), and only for its counter,
        // meter and originator.
        let p = Ptut::parse(expected).unwrap();
        let k = prepayment_key(&ks);
        assert!(p.verify(k, meter_ka, eui(SUPPLIER), eui(meter), counter));
        assert!(!p.verify(
            k,
            meter_ka,
            eui(SUPPLIER),
            eui(meter),
            counter + (1024 << 32)
        ));
        assert!(!p.verify(k, meter_ka, eui(SUPPLIER), eui(meter + 5), counter));
        assert!(!p.verify(k, meter_ka, eui(SUPPLIER + 1), eui(meter), counter));
        // The supplier's ordinary KA key does not make it.
        let ordinary = &ks.ka_private.get(&eui(SUPPLIER)).unwrap()[0];
        assert!(!p.verify(ordinary, meter_ka, eui(SUPPLIER), eui(meter), counter));
    }
    // The value and class are read back.
    let p = Ptut::parse("73950067887105178605").unwrap();
    assert_eq!(
        (p.class, p.value, p.value_pence()),
        (ValueClass::Pennies, 1250, 1250)
    );
}

#[test]
fn a_utrn_built_for_a_meter_verifies_with_the_meter_key() {
    let supplier = KaPrivateKey::from_scalar(&[7; 32]).unwrap();
    let meter = KaPrivateKey::from_scalar(&[9; 32]).unwrap();
    let u = utrn::build(
        &supplier,
        &meter.public_key().unwrap(),
        eui(SUPPLIER),
        eui(ESME),
        42 << 32,
        ValueClass::Pennies,
        8191,
    )
    .unwrap();
    let p = Ptut::parse(&u).unwrap();
    assert_eq!(p.counter_bits, 42);
    let supplier_pub = supplier.public_key().unwrap();
    assert!(p.verify(&meter, &supplier_pub, eui(SUPPLIER), eui(ESME), 42 << 32));
    // Out of range inputs are refused.
    assert_eq!(
        utrn::build(
            &supplier,
            &meter.public_key().unwrap(),
            eui(SUPPLIER),
            eui(ESME),
            42 << 32,
            ValueClass::Pennies,
            8192
        ),
        Err(utrn::UtrnError::Value)
    );
    assert_eq!(
        utrn::build(
            &supplier,
            &meter.public_key().unwrap(),
            eui(SUPPLIER),
            eui(ESME),
            (42 << 32) + 1,
            ValueClass::Pennies,
            1
        ),
        Err(utrn::UtrnError::Counter)
    );
}

#[test]
fn builders_wrapped_by_the_acb_equal_the_rtds_commands() {
    let ks = Keystore::load();
    for (dir, stem, meter, counter) in [
        ("2.2_CS01a", "CS01a_2.2_SUCCESS", ESME, 3u64 << 32),
        ("2.2_CS01a", "CS01a_2.2_ERROR", ESME, 5 << 32),
        ("2.2_CS01b", "CS01b_2.2_SUCCESS", GSME, 6 << 32),
        ("2.2_CS01b", "CS01b_2.2_ERROR", GSME, 7 << 32),
    ] {
        let file = format!("{stem}_COMMAND_GBCS.HEX");
        let rtds = vector(dir, &file);
        let (DecodedCommand::Cs01a(t) | DecodedCommand::Cs01b(t)) =
            decode_command(&command(dir, &file)).unwrap()
        else {
            panic!("{stem}")
        };
        let built = if meter == ESME {
            usecases::cs01a_apply_prepayment_top_up(&h(meter, counter), &t)
        } else {
            usecases::cs01b_apply_prepayment_top_up(&h(meter, counter), &t).unwrap()
        };
        assert!(!built.is_precommand());
        let peer = ks.ka_public.get(&eui(meter)).unwrap();
        let wrapped = wrap_command(built, ks.acb_ka(), peer).unwrap().encode();
        assert_eq!(
            hex::encode_upper(wrapped),
            hex::encode_upper(rtds),
            "{stem}"
        );
    }
    assert!(
        std::fs::read_dir(rtds_dir().join("2.2_CS01a"))
            .unwrap()
            .all(|e| !e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("PRECOMMAND")),
        "2.2 is not critical"
    );
}

#[test]
fn decoders_are_strict() {
    let t = TopUp::new("73946144332040217315").unwrap();
    assert!(TopUp::new("7394614433204021731").is_none());
    assert!(TopUp::new("7394614433204021731a").is_none());
    let good = usecases::cs01a_apply_prepayment_top_up(&h(ESME, 3 << 32), &t);
    assert_eq!(
        decode_command(&good).unwrap(),
        DecodedCommand::Cs01a(t.clone())
    );
    // A letter in the token, or a shorter token.
    let mut a = good.clone();
    let n = a.content.len();
    a.content[n - 1] = b'x';
    assert!(decode_command(&a).is_err());
    let mut a = good.clone();
    a.content.pop();
    assert!(decode_command(&a).is_err());
    // CS01b: another originating device, a length that does not match, a letter.
    let good = usecases::cs01b_apply_prepayment_top_up(&h(GSME, 6 << 32), &t).unwrap();
    assert_eq!(decode_command(&good).unwrap(), DecodedCommand::Cs01b(t));
    let n = good.content.len();
    for (i, v) in [(n - 22, 1u8), (n - 21, 19), (n - 1, b'/')] {
        let mut a = good.clone();
        a.content[i] = v;
        assert!(decode_command(&a).is_err(), "byte {i} = {v}");
    }
}

#[test]
fn responses_decode_and_classify() {
    for (dir, stem, expected) in [
        (
            "2.2_CS01a",
            "CS01a_2.2_SUCCESS",
            ResponseOutcome::Success(ResponseValue::Done),
        ),
        (
            "2.2_CS01a",
            "CS01a_2.2_ERROR",
            ResponseOutcome::Failure(Failure::Dlms {
                index: 0,
                result: 1,
            }),
        ),
        (
            "2.2_CS01b",
            "CS01b_2.2_SUCCESS",
            ResponseOutcome::Success(ResponseValue::TopUp(TopUpResponse {
                result: 0,
                value: 1_250_000,
                source: 0,
                credit_remaining: 25_144_000,
            })),
        ),
        (
            "2.2_CS01b",
            "CS01b_2.2_ERROR",
            ResponseOutcome::Failure(Failure::Result { code: 1 }),
        ),
    ] {
        let a = command(dir, &format!("{stem}_RESPONSE_GBCS.HEX"));
        let code = a.message_code();
        assert_eq!(
            decode_response(code, &a.content).unwrap(),
            expected,
            "{stem}"
        );
        assert_eq!(
            classify_response(code, &a.content).is_failure(),
            stem.contains("ERROR"),
            "{stem}"
        );
    }
    // The GSME's refusal payload as the RTDS ERROR vector carries it.
    let refused = TopUpResponse {
        result: 1,
        value: -1,
        source: 0,
        credit_remaining: -1,
    };
    assert_eq!(hex::encode_upper(refused.encode()), "01FFFFFFFF00FFFFFFFF");
}
