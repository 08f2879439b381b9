//! 11.3 Activate Firmware (CS06) on emulated meters: an image the device holds is activated at
//! once (the version ECS52 / GCS38 then read), a future-dated activation is held, run at its time
//! with its 8F66 alert, or cancelled; an image the device does not hold is refused (status 1 when
//! it holds none, 2 when the hash matches none it holds), at once or with 8F67 at its time,
//! nothing changed. The
//! RTDS CS06 commands are executed and answered with the RTDS responses' structure.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use devices::firmware::HeldImage;
use devices::future::FutureAction;
use devices::{DeviceKind, EmulatedDevice, Outcome, RemotePartyRole};
use gbcs::alerts::{FutureDatedInstruction, decode_alert};
use gbcs::usecases::cs06::{self, status};
use gbcs::usecases::{
    self, Activation, CommandHeader, Failure, ResponseOutcome, ResponseValue, decode_response,
};
use gbcs::{Frame, UtcDateTime};

const HASH: [u8; 32] = [0x5A; 32];
const NEW: [u8; 4] = [0x02, 0x00, 0x00, 0x07];

fn with_image(w: &World, kind: DeviceKind, eui: u64) -> EmulatedDevice {
    let mut dev = w.device(kind, eui);
    dev.state_mut().firmware.hold(HeldImage {
        hash: HASH,
        version: NEW.to_vec(),
    });
    dev
}

fn activate(
    w: &World,
    dev: &mut EmulatedDevice,
    counter: u64,
    hash: [u8; 32],
    a: Activation,
) -> devices::Reply {
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), counter);
    let pre = usecases::cs06_activate_firmware(&h, &hash, a).unwrap();
    let bytes = w.critical(pre, &w.supplier, dev);
    dev.handle(&bytes, w.now)
}

fn outcome(dev: &EmulatedDevice, w: &World, r: &devices::Reply) -> ResponseOutcome {
    let apdu = open(r.response.as_ref().unwrap(), dev, &w.supplier);
    assert!(apdu.date_time.is_some(), "signed responses carry the time");
    decode_response(cs06::CS06, &apdu.content).unwrap()
}

fn held(dev: &EmulatedDevice) -> usize {
    dev.state()
        .future_actions
        .iter()
        .filter(|a| matches!(a.action, FutureAction::Firmware(_)))
        .count()
}

/// ECS52 (ESME) / GCS38 (GSME) as the supplier reads the version.
fn read_version(w: &World, dev: &mut EmulatedDevice, counter: u64) -> Vec<u8> {
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), counter);
    let (code, cmd) = match dev.kind() {
        DeviceKind::Esme => (
            gbcs::MessageCode::ECS52,
            usecases::ecs52_read_firmware_version(&h),
        ),
        _ => (
            gbcs::MessageCode::GCS38,
            usecases::gcs38_read_firmware_version(&h).unwrap(),
        ),
    };
    let r = dev.handle(&w.wan(cmd, dev), w.now);
    let apdu = open(r.response.as_ref().unwrap(), dev, &w.supplier);
    match decode_response(code, &apdu.content).unwrap() {
        ResponseOutcome::Success(ResponseValue::FirmwareVersion(v)) => v,
        o => panic!("{o:?}"),
    }
}

#[test]
fn an_image_held_is_activated_at_once_and_read_back() {
    let w = World::new();
    for (kind, eui) in [(DeviceKind::Esme, ESME), (DeviceKind::Gsme, GSME)] {
        let mut dev = with_image(&w, kind, eui);
        let before = read_version(&w, &mut dev, 1);
        assert_ne!(before, NEW);
        let r = activate(&w, &mut dev, 2, HASH, Activation::Now);
        assert!(
            matches!(r.outcome, Outcome::Executed { success: true, .. }),
            "{kind:?}: {:?}",
            r.outcome
        );
        assert_eq!(
            outcome(&dev, &w, &r),
            ResponseOutcome::Success(ResponseValue::FirmwareVersion(NEW.to_vec()))
        );
        assert_eq!(read_version(&w, &mut dev, 3), NEW);
    }
}

#[test]
fn an_image_not_held_is_refused_and_nothing_changes() {
    let w = World::new();
    let mut dev = with_image(&w, DeviceKind::Esme, ESME);
    let before = dev.state().firmware_version.clone();
    let r = activate(&w, &mut dev, 1, [0x11; 32], Activation::Now);
    assert!(
        matches!(r.outcome, Outcome::Executed { success: false, .. }),
        "{:?}",
        r.outcome
    );
    assert_eq!(
        outcome(&dev, &w, &r),
        ResponseOutcome::Failure(Failure::Result {
            code: status::HASH_MISMATCH
        })
    );
    // A device holding no image at all: status 1.
    let mut bare = w.device(DeviceKind::Gsme, GSME);
    let r = activate(&w, &mut bare, 1, HASH, Activation::Now);
    assert_eq!(
        outcome(&bare, &w, &r),
        ResponseOutcome::Failure(Failure::Result {
            code: status::NO_IMAGE_HELD
        })
    );
    assert_eq!(dev.state().firmware_version, before);
    assert_eq!(read_version(&w, &mut dev, 2), before);
    // Signed by someone else than the supplier: refused before execution.
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), 3);
    let pre = usecases::cs06_activate_firmware(&h, &HASH, Activation::Now).unwrap();
    let r = dev.handle(&w.critical(pre, &w.rogue, &dev), w.now);
    assert!(matches!(r.outcome, Outcome::Refused(_)), "{:?}", r.outcome);
    assert_eq!(dev.state().firmware_version, before);
}

#[test]
fn a_future_dated_activation_is_held_run_at_its_time_or_cancelled() {
    let w = World::new();
    let at = UtcDateTime::new(2015, 1, 2, 9, 0, 0).unwrap();
    let mut dev = with_image(&w, DeviceKind::Esme, ESME);
    let before = dev.state().firmware_version.clone();
    let r = activate(&w, &mut dev, 1001, HASH, Activation::At(at));
    assert_eq!(
        outcome(&dev, &w, &r),
        ResponseOutcome::Success(ResponseValue::Done)
    );
    assert_eq!(held(&dev), 1);
    assert!(dev.tick(w.now).unwrap().is_empty());
    assert_eq!(dev.state().firmware_version, before, "not yet");
    let alerts = dev.tick(at).unwrap();
    assert_eq!(alerts.len(), 1);
    let a = decode_alert(&alerts[0]).unwrap();
    assert_eq!(a.alert_code.0, 0x8F66);
    assert_eq!(a.message_code, cs06::CS06_ALERT);
    assert_eq!(a.recipient, w.supplier.eui);
    let f = a.future_dated.unwrap();
    assert_eq!(f.command.counter, 1001);
    assert_eq!(f.command.message_code, Some(cs06::CS06));
    assert_eq!(
        f.instruction,
        FutureDatedInstruction::FirmwareActivation {
            status: 0,
            firmware_version: NEW.to_vec(),
        }
    );
    let Frame::Signing(apdu) = Frame::decode(&alerts[0]).unwrap() else {
        panic!("a signed alert")
    };
    apdu.verify_signature(dev.ds_public_key().unwrap().key())
        .unwrap();
    assert_same_structure(
        &alerts[0],
        &rtds(
            "11.3_CS06",
            "CS06_11.3_8F66_FUTURE_DATED_SUCCESS_ALERT_GBCS.HEX",
        ),
        "8F66",
    );
    assert_eq!(dev.state().firmware_version, NEW);
    assert_eq!(held(&dev), 0);

    // Held for an image the device does not hold: 8F67, status 2, nothing changed.
    let mut dev = with_image(&w, DeviceKind::Esme, ESME);
    activate(&w, &mut dev, 1002, [0x22; 32], Activation::At(at));
    let alerts = dev.tick(at).unwrap();
    let a = decode_alert(&alerts[0]).unwrap();
    assert_eq!(a.alert_code.0, 0x8F67);
    assert_eq!(
        a.future_dated.unwrap().instruction,
        FutureDatedInstruction::FirmwareActivation {
            status: i64::from(status::HASH_MISMATCH),
            firmware_version: before.clone(),
        }
    );
    assert_eq!(dev.state().firmware_version, before);

    // Held, then cancelled: nothing at the time.
    let mut dev = with_image(&w, DeviceKind::Gsme, GSME);
    let before = dev.state().firmware_version.clone();
    activate(&w, &mut dev, 1003, HASH, Activation::At(at));
    assert_eq!(held(&dev), 1);
    let r = activate(&w, &mut dev, 1004, HASH, Activation::Cancel);
    assert_eq!(
        outcome(&dev, &w, &r),
        ResponseOutcome::Success(ResponseValue::Done)
    );
    assert_eq!(held(&dev), 0);
    assert!(dev.tick(at).unwrap().is_empty());
    assert_eq!(dev.state().firmware_version, before);
}

/// The RTDS supplier-signed CS06 COMMAND of `stem` (its ACB MAC replaced by the test world's
/// ACB's) on an ESME trusting the RTDS supplier.
fn rtds_command(w: &World, dev: &mut EmulatedDevice, stem: &str) -> devices::Reply {
    let key = |f: &str| {
        gbcs::credentials::certificate_facts(&pem(f))
            .unwrap()
            .public_key
            .into()
    };
    dev.set_trust_anchor(
        RemotePartyRole::Supplier,
        devices::TrustAnchor {
            eui: gbcs::Eui64::from_u64(SUPPLIER),
            ds_public: key("90b3d51f30010000-ds.pem"),
            ka_public: key("90b3d51f30010000-ka.pem"),
        },
    );
    let Frame::Ciphered(c) =
        Frame::decode(&rtds("11.3_CS06", &format!("{stem}_COMMAND_GBCS.HEX"))).unwrap()
    else {
        panic!()
    };
    dev.handle(&w.wan(c.apdu, dev), w.now)
}

#[test]
fn rtds_commands_are_answered_like_the_rtds_responses() {
    let w = World::new();
    let rtds_hash: [u8; 32] =
        hex_decode("AA758690730934FF0685AA758690730934FF0685657788990011223344556677")
            .try_into()
            .unwrap();
    // The ERROR rows as the RTDS shows them: no image held (1) at once; an image held with
    // another hash (2) at the time.
    for (stem, holds, success) in [
        ("CS06_11.3_IMMEDIATE_SUCCESS", Some(rtds_hash), true),
        ("CS06_11.3_IMMEDIATE_ERROR", None, false),
        ("CS06_11.3_FUTURE_DATED_SUCCESS", Some(rtds_hash), true),
        ("CS06_11.3_FUTURE_DATED_ERROR", Some([0; 32]), true),
        ("CS06_11.3_CANCELLATION_SUCCESS", Some(rtds_hash), true),
    ] {
        let mut dev = w.device(DeviceKind::Esme, ESME);
        if let Some(hash) = holds {
            dev.state_mut().firmware.hold(HeldImage {
                hash,
                version: hex_decode("0123ABCE"),
            });
        }
        let r = rtds_command(&w, &mut dev, stem);
        assert!(
            matches!(r.outcome, Outcome::Executed { success: s, .. } if s == success),
            "{stem}: {:?}",
            r.outcome
        );
        assert_same_structure(
            r.response.as_ref().unwrap(),
            &rtds("11.3_CS06", &format!("{stem}_RESPONSE_GBCS.HEX")),
            stem,
        );
        let apdu = Frame::decode(r.response.as_ref().unwrap()).unwrap();
        let ours = decode_response(cs06::CS06, &apdu.apdu().content).unwrap();
        let theirs =
            Frame::decode(&rtds("11.3_CS06", &format!("{stem}_RESPONSE_GBCS.HEX"))).unwrap();
        assert_eq!(
            std::mem::discriminant(&ours),
            std::mem::discriminant(&decode_response(cs06::CS06, &theirs.apdu().content).unwrap()),
            "{stem}"
        );
        if stem.contains("IMMEDIATE_ERROR") {
            assert_eq!(
                ours,
                ResponseOutcome::Failure(Failure::Result {
                    code: status::NO_IMAGE_HELD
                })
            );
        }
        if stem.contains("FUTURE_DATED_ERROR") {
            let due = UtcDateTime::new(2030, 1, 1, 0, 0, 0).unwrap();
            let alerts: Vec<Vec<u8>> = dev
                .tick(due)
                .unwrap()
                .into_iter()
                .filter(|a| decode_alert(a).is_ok_and(|a| a.future_dated.is_some()))
                .collect();
            assert_eq!(alerts.len(), 1);
            assert_same_structure(
                &alerts[0],
                &rtds(
                    "11.3_CS06",
                    "CS06_11.3_8F67_FUTURE_DATED_ERROR_ALERT_GBCS.HEX",
                ),
                stem,
            );
            let a = decode_alert(&alerts[0]).unwrap();
            assert_eq!(a.alert_code.0, 0x8F67);
        }
    }
}

// Distribution (CS05a/CS05b): `EmulatedDevice::receive_firmware_image`.

fn manufacturer() -> gbcs::SigningKey {
    gbcs::SigningKey::from_der(&pkcs8()).unwrap()
}

fn image(version: u32, body: &[u8], key: &gbcs::SigningKey) -> gbcs::firmware::SignedImage {
    let header = gbcs::firmware::OtaHeader {
        manufacturer_code: 0x121D,
        image_type: 0,
        file_version: version,
        stack_version: 2,
        header_string: *b"opendcc test ESME firmware image",
        total_image_size: 0,
        security_credential_version: None,
        destination: None,
        hardware_versions: Some((0x1111, 0x1211)),
    };
    gbcs::firmware::sign_image(header, body, key).unwrap()
}

#[test]
fn a_distributed_image_is_verified_held_reported_and_then_activated() {
    let w = World::new();
    let key = manufacturer();
    for (kind, eui, message_code) in [
        (DeviceKind::Esme, ESME, devices::firmware::MESSAGE_FDRA_DLMS),
        (DeviceKind::Gsme, GSME, devices::firmware::MESSAGE_FDRA_GBZ),
    ] {
        let mut dev = w.device(kind, eui);
        dev.state_mut().firmware.manufacturer_key =
            Some(key.public_key().unwrap().as_sec1().to_vec());
        let s = image(0x0300_0001, b"firmware 3.0.0.1", &key);
        let receipt = dev.receive_firmware_image(&s.image, w.now);
        assert!(receipt.held, "{kind:?}");
        assert_eq!(receipt.hash, Some(s.image_hash));
        let alert = receipt.alert.unwrap();
        let a = decode_alert(&alert).unwrap();
        assert_eq!(a.alert_code.0, 0x8F72);
        assert_eq!(a.message_code, message_code);
        let fdra = if kind == DeviceKind::Esme {
            ("NA_FDRA-DLMS", "FDRA-DLMS_NA_8F72_ALERT_GBCS.HEX")
        } else {
            ("NA_FDRA-ZigBee", "FDRA-ZigBee_NA_8F72_ALERT_GBCS.HEX")
        };
        assert_same_structure(&alert, &rtds(fdra.0, fdra.1), "FDRA");
        open(&alert, &dev, &w.supplier);
        // CS06 with the hash the alert reported: the new version runs.
        let r = activate(&w, &mut dev, 1, s.image_hash, Activation::Now);
        assert_eq!(
            outcome(&dev, &w, &r),
            ResponseOutcome::Success(ResponseValue::FirmwareVersion(vec![3, 0, 0, 1]))
        );
        assert_eq!(read_version(&w, &mut dev, 2), [3, 0, 0, 1]);
    }
}

#[test]
fn a_bad_image_is_discarded_with_8f1c() {
    let w = World::new();
    let key = manufacturer();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.state_mut().firmware.manufacturer_key = Some(key.public_key().unwrap().as_sec1().to_vec());
    let s = image(0x0300_0001, b"firmware 3.0.0.1", &key);
    // One octet changed: the signature fails.
    let mut bad = s.image.clone();
    bad[60] ^= 1;
    // Signed by another key; not an image at all; no manufacturer key on the device.
    let other = image(0x0300_0001, b"firmware 3.0.0.1", &w.rogue.ds);
    for (what, bytes) in [
        ("changed", bad),
        ("other key", other.image),
        ("garbage", vec![1, 2, 3]),
    ] {
        let receipt = dev.receive_firmware_image(&bytes, w.now);
        assert!(!receipt.held, "{what}");
        let a = decode_alert(&receipt.alert.unwrap()).unwrap();
        assert_eq!(a.alert_code.0, 0x8F1C, "{what}");
    }
    assert!(dev.state().firmware.images.is_empty());
    let mut keyless = w.device(DeviceKind::Esme, ESME);
    assert!(!keyless.receive_firmware_image(&s.image, w.now).held);
    // Nothing held: CS06 with its hash is refused.
    let r = activate(&w, &mut dev, 1, s.image_hash, Activation::Now);
    assert_eq!(
        outcome(&dev, &w, &r),
        ResponseOutcome::Failure(Failure::Result {
            code: status::NO_IMAGE_HELD
        })
    );
}
