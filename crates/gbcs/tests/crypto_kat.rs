//! Known answers: the KDF values from gbcs-notes §1.3 (keys from the RTDS keystore), and
//! decryption of protected payloads in RTDS responses with the supplier KA key.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, vector};
use gbcs::axdr::Data;
use gbcs::crypto::{KdfContext, KdfMode, decrypt_payload};
use gbcs::gbz::{GbzBody, GbzPayload};
use gbcs::{Eui64, Frame, Payload};

const SUPPLIER: u64 = 0x90b3_d51f_3001_0000;
const ESME: u64 = 0x00db_1234_5678_90a0;

fn key_hex(k: gbcs::DerivedKey) -> String {
    hex::encode(k.0)
}

#[test]
fn kdf_known_answers() {
    let ks = Keystore::load();
    let supplier = Eui64::from_u64(SUPPLIER);
    let esme = Eui64::from_u64(ESME);
    let esme_ka = ks.ka_public.get(&esme).unwrap();
    let supplier_ka_private = ks.ka_private.get(&supplier).unwrap().first().unwrap();

    let command = KdfContext {
        originator: supplier,
        mode: KdfMode::Command,
        counter: 0x1_0000_0000,
        recipient: esme,
    };
    assert_eq!(
        key_hex(ks.acb_ka().derive(esme_ka, &command).unwrap()),
        "6a93e360717394015df93e031218c9a6"
    );

    let response = KdfContext {
        originator: esme,
        mode: KdfMode::Response,
        counter: 0x1_0000_0000,
        recipient: supplier,
    };
    assert_eq!(
        key_hex(supplier_ka_private.derive(esme_ka, &response).unwrap()),
        "03fd30815577c49eb7e3834b63ef8302"
    );

    let alert = KdfContext {
        originator: esme,
        mode: KdfMode::Alert,
        counter: 0x7d1,
        recipient: supplier,
    };
    assert_eq!(
        key_hex(supplier_ka_private.derive(esme_ka, &alert).unwrap()),
        "558fb1fa6660af0d9e8365c47804b8fa"
    );

    // Any change of input changes the key.
    let other = KdfContext {
        counter: 0x7d2,
        ..alert
    };
    assert_ne!(
        key_hex(supplier_ka_private.derive(esme_ka, &other).unwrap()),
        "558fb1fa6660af0d9e8365c47804b8fa"
    );
}

#[test]
fn key_agreement_is_symmetric_with_public_keys_from_private_keys() {
    let ks = Keystore::load();
    let acb = Eui64::from_u64(0x90b3_d51f_3000_0002);
    let supplier = Eui64::from_u64(SUPPLIER);
    let a = ks.acb_ka();
    let s = ks.ka_private.get(&supplier).unwrap().first().unwrap();
    assert_eq!(&a.public_key().unwrap(), ks.ka_public.get(&acb).unwrap());
    let ctx = KdfContext {
        originator: acb,
        mode: KdfMode::Command,
        counter: 5,
        recipient: supplier,
    };
    assert_eq!(
        a.derive(&s.public_key().unwrap(), &ctx).unwrap(),
        s.derive(&a.public_key().unwrap(), &ctx).unwrap()
    );
}

fn first_protected_block(d: &Data) -> Option<Vec<u8>> {
    match d {
        Data::OctetString(b) if b.first() == Some(&0x31) && b.len() > 17 => Some(b.clone()),
        Data::Array(v) | Data::Structure(v) => v.iter().find_map(first_protected_block),
        _ => None,
    }
}

/// Decrypts the protected block of a response (originator = device) with the supplier KA key.
fn decrypt_response_block(
    ks: &Keystore,
    frame: &Frame,
    block: &[u8],
) -> Result<Vec<u8>, gbcs::CryptoError> {
    let a = frame.apdu();
    let supplier_ka = ks.ka_private.get(&a.recipient).unwrap().first().unwrap();
    let ctx = KdfContext {
        originator: a.originator,
        mode: KdfMode::PayloadEncryption,
        counter: a.counter,
        recipient: a.recipient,
    };
    let key = supplier_ka.derive(ks.ka_public.get(&a.originator).unwrap(), &ctx)?;
    decrypt_payload(&key, a.originator, block)
}

#[test]
fn decrypts_ecs17b_protected_registers() {
    let ks = Keystore::load();
    let frame = Frame::decode(&vector(
        "4.1.1_ECS17b",
        "ECS17b_4.1.1_SINGLE_SUCCESS_RESPONSE_GBCS.HEX",
    ))
    .unwrap();
    let Payload::AccessResponse(r) = frame.apdu().payload() else {
        panic!("not an access response")
    };
    let block = r
        .data
        .iter()
        .find_map(first_protected_block)
        .expect("protected attributes");
    let plain = decrypt_response_block(&ks, &frame, &block).unwrap();
    Data::decode(&plain).expect("plaintext is one A-XDR value");
    let mut bad = block.clone();
    let last = bad.len() - 13;
    bad[last] ^= 0x80;
    assert!(decrypt_response_block(&ks, &frame, &bad).is_err());
}

#[test]
fn decrypts_gcs13a_encrypted_component() {
    let ks = Keystore::load();
    let frame = Frame::decode(&vector(
        "4.1.1_GCS13a",
        "GCS13a_4.1.1_SUCCESS_RELIABLE_GSME_RESPONSE_GBCS.HEX",
    ))
    .unwrap();
    let Payload::Gbz(GbzPayload::Components { components, .. }) = frame.apdu().payload() else {
        panic!("not GBZ")
    };
    let GbzBody::Encrypted {
        protected, command, ..
    } = &components[0].body
    else {
        panic!("not encrypted")
    };
    assert_eq!(*command, 0x01, "read attributes response");
    let plain = decrypt_response_block(&ks, &frame, protected).unwrap();
    // ZCL Read Attributes Response records start with attribute 0x0302 (divisor), status 0.
    assert_eq!(&plain[..3], &[0x02, 0x03, 0x00]);
}
