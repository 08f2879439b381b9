//! DUIS 11.3 Activate Firmware (CS06): the builder reproduces every RTDS pre-command byte for
//! byte and, signed with the vector's signature and MAC'd by the ACB, the COMMAND; every RTDS
//! command decodes strictly; every RTDS response and the 8F66/8F67 alerts decode; the alert
//! content the devices build is the RTDS alert's.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, vector};
use gbcs::usecases::cs06::{self, ActivationResult, status};
use gbcs::usecases::{
    Activation, CommandHeader, DecodedCommand, Failure, ResponseOutcome, ResponseValue,
    cs06_activate_firmware, decode_command, decode_response,
};
use gbcs::{Eui64, Frame, GeneralSigning, SignatureField, UtcDateTime, wrap_command};

const D: &str = "11.3_CS06";
const HASH: [u8; 32] = [
    0xAA, 0x75, 0x86, 0x90, 0x73, 0x09, 0x34, 0xFF, 0x06, 0x85, 0xAA, 0x75, 0x86, 0x90, 0x73, 0x09,
    0x34, 0xFF, 0x06, 0x85, 0x65, 0x77, 0x88, 0x99, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
];

fn apdu(file: &str) -> GeneralSigning {
    match Frame::decode(&vector(D, file)).unwrap() {
        Frame::Ciphered(c) => c.apdu,
        Frame::Signing(a) => a,
    }
}

/// Every RTDS row: its stem and the activation its DUIS request asked.
fn rows() -> Vec<(&'static str, Activation)> {
    let at = |y, mo, d, h| Activation::At(UtcDateTime::new(y, mo, d, h, 0, 0).unwrap());
    vec![
        ("CS06_11.3_IMMEDIATE_SUCCESS", Activation::Now),
        ("CS06_11.3_IMMEDIATE_ERROR", Activation::Now),
        ("CS06_11.3_FUTURE_DATED_SUCCESS", at(2030, 1, 15, 9)),
        ("CS06_11.3_FUTURE_DATED_ERROR", at(2030, 1, 1, 0)),
        ("CS06_11.3_CANCELLATION_SUCCESS", Activation::Cancel),
    ]
}

#[test]
fn builder_reproduces_every_rtds_precommand_and_command() {
    let ks = Keystore::load();
    for (stem, activation) in rows() {
        let pre = apdu(&format!("{stem}_PRECOMMAND_GBCS.HEX"));
        let h = CommandHeader::new(pre.originator, pre.recipient, pre.counter);
        let built = cs06_activate_firmware(&h, &HASH, activation).unwrap();
        assert_eq!(
            hex::encode_upper(built.encode()),
            hex::encode_upper(vector(D, &format!("{stem}_PRECOMMAND_GBCS.HEX"))),
            "{stem}"
        );
        let cmd = apdu(&format!("{stem}_COMMAND_GBCS.HEX"));
        let SignatureField::Signed(sig) = cmd.signature else {
            panic!("{stem}: command not signed");
        };
        cmd.verify_signature(ks.ds_public.get(&cmd.originator).unwrap())
            .unwrap();
        let signed = built.with_signature(sig);
        let peer = ks.ka_public.get(&signed.recipient).unwrap();
        let wrapped = wrap_command(signed, ks.acb_ka(), peer).unwrap().encode();
        assert_eq!(
            hex::encode_upper(wrapped),
            hex::encode_upper(vector(D, &format!("{stem}_COMMAND_GBCS.HEX"))),
            "{stem}"
        );
        for kind in ["PRECOMMAND", "COMMAND"] {
            let a = apdu(&format!("{stem}_{kind}_GBCS.HEX"));
            assert_eq!(
                decode_command(&a).unwrap(),
                DecodedCommand::Cs06(cs06::ActivateFirmware {
                    image_hash: HASH,
                    activation,
                }),
                "{stem} {kind}"
            );
        }
    }
}

#[test]
fn the_decoder_is_strict() {
    let pre = apdu("CS06_11.3_FUTURE_DATED_SUCCESS_PRECOMMAND_GBCS.HEX");
    // The originator counter must be the command's.
    let mut other = pre.clone();
    other.counter += 1;
    assert!(decode_command(&other).is_err());
    // A hash of 31 octets, a trailing byte, a time that is no time, a fourth member.
    let h = CommandHeader::new(pre.originator, pre.recipient, pre.counter);
    let good = cs06_activate_firmware(&h, &HASH, Activation::Now).unwrap();
    let mut bad = good.clone();
    bad.content.push(0);
    assert!(decode_command(&bad).is_err());
    let mut short = good.clone();
    short.content = hex::decode("30250420").unwrap();
    assert!(decode_command(&short).is_err());
    let mut no_time = good.clone();
    no_time.content = cs06::content(&HASH, pre.counter, Activation::Cancel).unwrap();
    let n = no_time.content.len();
    no_time.content[n - 3] = b'X';
    assert!(decode_command(&no_time).is_err());
    // Not DER: a long-form length where the short one fits.
    let mut long = good.clone();
    let c = &good.content;
    long.content = [&[0x30, 0x81][..], &c[1..]].concat();
    assert!(decode_command(&long).is_err());
    // Any other message code.
    let mut code = good;
    code.other_info.message_code = gbcs::MessageCode(0x0013);
    assert!(decode_command(&code).is_err());
}

#[test]
fn every_rtds_response_decodes() {
    let version = |v: &str| hex::decode(v).unwrap();
    for (stem, _) in rows() {
        let r = apdu(&format!("{stem}_RESPONSE_GBCS.HEX"));
        let outcome = decode_response(cs06::CS06, &r.content).unwrap();
        let expected = match stem {
            "CS06_11.3_IMMEDIATE_SUCCESS" => {
                ResponseOutcome::Success(ResponseValue::FirmwareVersion(version("0123ABCE")))
            }
            "CS06_11.3_IMMEDIATE_ERROR" => ResponseOutcome::Failure(Failure::Result {
                code: status::NO_IMAGE_HELD,
            }),
            _ => ResponseOutcome::Success(ResponseValue::Done),
        };
        assert_eq!(outcome, expected, "{stem}");
        // Through the generic classifier too.
        let class = gbcs::usecases::classify_response(cs06::CS06, &r.content);
        assert_eq!(
            matches!(class, gbcs::usecases::ResponseClass::Success),
            !stem.contains("IMMEDIATE_ERROR"),
            "{stem}: {class:?}"
        );
    }
    assert_eq!(
        ActivationResult {
            status: status::SUCCESS,
            firmware_version: version("0123ABCE"),
        }
        .encode(),
        apdu("CS06_11.3_IMMEDIATE_SUCCESS_RESPONSE_GBCS.HEX").content
    );
    assert_eq!(
        cs06::acknowledged_content(),
        apdu("CS06_11.3_FUTURE_DATED_SUCCESS_RESPONSE_GBCS.HEX").content
    );
    assert!(decode_response(cs06::CS06, &[0x05, 0x01, 0x00]).is_err());
    assert!(decode_response(cs06::CS06, &hex::decode("3003020100").unwrap()).is_err());
}

#[test]
fn the_alert_content_is_the_rtds_alerts() {
    for (file, code, time, counter, st) in [
        (
            "CS06_11.3_8F66_FUTURE_DATED_SUCCESS_ALERT_GBCS.HEX",
            0x8F66,
            "20300115090000Z",
            0x3E9,
            status::SUCCESS,
        ),
        (
            "CS06_11.3_8F67_FUTURE_DATED_ERROR_ALERT_GBCS.HEX",
            0x8F67,
            "20300101000000Z",
            0x3EC,
            status::HASH_MISMATCH,
        ),
    ] {
        let a = apdu(file);
        assert_eq!(a.message_code(), cs06::CS06_ALERT);
        let built = cs06::future_dated_alert_content(
            code,
            time.as_bytes(),
            counter,
            &ActivationResult {
                status: st,
                firmware_version: hex::decode("0123ABCF").unwrap(),
            },
        );
        assert_eq!(hex::encode_upper(built), hex::encode_upper(&a.content));
    }
}

#[test]
fn builder_rejects_nothing_it_can_encode() {
    let h = CommandHeader::new(Eui64([1; 8]), Eui64([2; 8]), u64::MAX);
    let g = cs06_activate_firmware(&h, &[7; 32], Activation::Now).unwrap();
    assert!(matches!(
        decode_command(&g).unwrap(),
        DecodedCommand::Cs06(_)
    ));
}

// Firmware images (`gbcs::firmware`).

/// The `FirmwareImage` of a DUIS template.
fn template_image(name: &str) -> Vec<u8> {
    use base64::Engine as _;
    let xml =
        std::fs::read_to_string(common::corpus_root().join("duis-templates").join(name)).unwrap();
    let start = xml.find("<sr:FirmwareImage>").unwrap() + "<sr:FirmwareImage>".len();
    let end = xml[start..].find('<').unwrap() + start;
    base64::engine::general_purpose::STANDARD
        .decode(xml[start..end].trim())
        .unwrap()
}

#[test]
fn the_template_images_parse_and_reencode() {
    use gbcs::firmware::{ManufacturerImage, OtaHeader};
    let esme = template_image("11.1_UPDATE_FIRMWARE_REQUEST_DUIS.XML");
    let m = ManufacturerImage::parse_signed(&esme).unwrap();
    assert_eq!(m.header.manufacturer_code, 0x121D);
    assert_eq!(m.header.image_type, 0x0000);
    assert_eq!(m.header.file_version, 0xACDC_ACDC);
    assert_eq!(&m.header.header_string, b"I am a GFI ESME[] firmware image");
    assert_eq!(m.header.total_image_size as usize, esme.len());
    assert_eq!(m.header.hardware_versions, Some((0x1111, 0x1211)));
    assert_eq!(m.header.len(), 60);
    assert!(m.signature.is_some());
    assert_eq!(m.encode(), esme);
    assert_eq!(OtaHeader::decode(&esme).unwrap().encode(), esme[..60]);
    // The manufacturer's key is not in the corpus: whatever key we try fails.
    let ks = Keystore::load();
    let any = ks.ds_public.values().next().unwrap();
    assert!(m.verify(any).is_err());

    let ppmid = template_image("11.4_UPDATE_PPMID_FIRMWARE_REQUEST_DUIS.XML");
    let p = ManufacturerImage::parse_unsigned(&ppmid).unwrap();
    assert_eq!(p.header.image_type, 0x0084);
    assert_eq!(p.signature, None);
    assert_eq!(p.encode(), ppmid);
    assert!(ManufacturerImage::parse_signed(&ppmid).is_err());

    // Bad input: truncated, a size that lies, another file identifier.
    assert!(ManufacturerImage::parse_signed(&esme[..100]).is_err());
    let mut lie = esme.clone();
    lie[52] ^= 1;
    assert!(ManufacturerImage::parse_signed(&lie).is_err());
    let mut other = esme.clone();
    other[0] = 0;
    assert!(ManufacturerImage::parse_signed(&other).is_err());
    assert!(ManufacturerImage::parse_signed(&[]).is_err());
}

#[test]
fn a_manufacturer_signs_an_image_and_a_changed_octet_fails() {
    use gbcs::firmware::{ManufacturerImage, cpl_hash, firmware_identifier, sign_image};
    use sha2::{Digest, Sha256};
    let ks = Keystore::load();
    let (eui, key) = ks.ds_private.iter().next().unwrap();
    let public = ks.ds_public.get(eui).unwrap();
    let header =
        ManufacturerImage::parse_signed(&template_image("11.1_UPDATE_FIRMWARE_REQUEST_DUIS.XML"))
            .unwrap()
            .header;
    let s = sign_image(header, b"new firmware", key).unwrap();
    let m = ManufacturerImage::parse_signed(&s.image).unwrap();
    m.verify(public).unwrap();
    assert_eq!(m.upgrade_image, b"new firmware");
    assert_eq!(s.firmware_version, [0xAC, 0xDC, 0xAC, 0xDC]);
    assert_eq!(s.image_hash, m.image_hash());
    let signed_len = s.image.len() - 66;
    assert_eq!(
        s.image_hash,
        <[u8; 32]>::from(Sha256::digest(&s.image[..signed_len]))
    );
    assert_eq!(firmware_identifier(&s.firmware_version), "ACDCACDC");
    assert_eq!(s.cpl_hash, cpl_hash(&s.image, "acdcacdc"));
    let mut plus = s.image.clone();
    plus.extend_from_slice(b"ACDCACDC");
    assert_eq!(s.cpl_hash, <[u8; 32]>::from(Sha256::digest(&plus)));
    assert_ne!(s.cpl_hash, s.image_hash);
    // One octet of the firmware changed: the signature fails, the hashes change.
    let mut bad = s.image.clone();
    bad[70] ^= 0x01;
    let b = ManufacturerImage::parse_signed(&bad).unwrap();
    assert!(b.verify(public).is_err());
    assert_ne!(b.image_hash(), s.image_hash);
    // Another key does not verify it.
    let other = ks.ds_public.values().find(|k| *k != public).unwrap();
    assert!(m.verify(other).is_err());
}
