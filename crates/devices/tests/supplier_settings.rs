//! DUIS 3.4 / 3.5 / 3.1 on the emulated meters: ECS16 / GCS44 set the supplier name and
//! telephone number, ECS14 / GCS11 clear privacy PIN protection, ECS10 / GCS07 put up a
//! supplier message (what the meter's IHD shows). Each command built with its `gbcs`
//! builder and protected as the DCC does (ACB MAC), the response verified as its recipient
//! would, shaped like the RTDS RESPONSE vector and decoded as a success; the state shows the
//! change and survives the stored form. Injected faults answer as the RTDS ERROR vectors and
//! change nothing they did not report done.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::{
    DeviceFault, DeviceKind, EmulatedDevice, EventLog, Outcome, SupplierDisplay, SupplierSettings,
};
use gbcs::usecases::{self, CommandHeader, Failure, SupplierContact, SupplierMessage};
use gbcs::{Cra, Frame};

const RTDS_EVENT_ID: u32 = 0x1C37_4A80;

fn header(orig: &Party, dev: &EmulatedDevice, counter: u64) -> CommandHeader {
    CommandHeader::new(orig.eui, dev.eui(), counter)
}

fn contact() -> SupplierContact {
    SupplierContact::new(b"E-ON", b"0333 202 4650").unwrap()
}

/// Feeds `wan`; the device executes it with outcome `success`; the response is checked against
/// the command and has the RTDS vector's structure. Returns the response.
fn exchange(
    w: &World,
    dev: &mut EmulatedDevice,
    wan: &[u8],
    dir: &str,
    file: &str,
    success: bool,
) -> Vec<u8> {
    let cmd = Frame::decode(wan).unwrap().apdu().clone();
    let reply = dev.handle(wan, w.now);
    assert_eq!(
        reply.outcome,
        Outcome::Executed {
            message_code: cmd.message_code(),
            success
        },
        "{file}"
    );
    assert!(reply.alerts.is_empty(), "{file}: no alerts");
    let bytes = reply.response.expect("a response");
    let resp = open(&bytes, dev, w.party(cmd.originator));
    assert_eq!(resp.cra, Cra::Response);
    assert_eq!(resp.counter, cmd.counter, "counter echoes");
    assert_eq!(
        (resp.originator, resp.recipient),
        (dev.eui(), cmd.originator)
    );
    assert_eq!(resp.other_info, cmd.other_info);
    assert_same_structure(&bytes, &rtds(dir, file), file);
    let outcome = usecases::decode_response(cmd.message_code(), &resp.content).unwrap();
    assert_eq!(outcome.is_failure(), !success, "{file}: {outcome:?}");
    bytes
}

/// The state through the compact stored form.
fn reloaded(dev: &EmulatedDevice) -> devices::DeviceState {
    let s = dev.state();
    let body = devices::stored::encode_body(s).unwrap();
    let counters = devices::stored::encode_counters(s).unwrap();
    devices::stored::decode_state(&body, &counters, EventLog::default()).unwrap()
}

#[test]
fn ecs16_sets_the_esme_supplier_name_and_number() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    assert_eq!(dev.state().supplier_settings, SupplierSettings::default());
    let cmd = usecases::ecs16_update_supplier_name(&header(&w.supplier, &dev, 1001), &contact());
    let wan = w.wan(cmd, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "3.4_ECS16",
        "ECS16_3.4_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    let s = &dev.state().supplier_settings;
    assert_eq!(s.supplier_name, b"E-ON");
    assert_eq!(s.supplier_telephone, b"0333 202 4650");
    let back = reloaded(&dev);
    assert_eq!(back.supplier_settings, dev.state().supplier_settings);
    // And as JSON.
    let json = serde_json::to_value(dev.state()).unwrap();
    let back: devices::DeviceState = serde_json::from_value(json).unwrap();
    assert_eq!(back.supplier_settings.supplier_name, b"E-ON");
}

#[test]
fn gcs44_sets_the_gsme_supplier_name_and_contact() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    let cmd = usecases::gcs44_update_supplier_name(
        &header(&w.supplier, &dev, 1001),
        RTDS_EVENT_ID,
        &contact(),
    )
    .unwrap();
    let wan = w.wan(cmd, &dev);
    let bytes = exchange(
        &w,
        &mut dev,
        &wan,
        "3.4_GCS44",
        "GCS44_3.4_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    // The Default Response is the RTDS one, byte for byte, in its content.
    let ours = Frame::decode(&bytes).unwrap().apdu().content.clone();
    let theirs = Frame::decode(&rtds("3.4_GCS44", "GCS44_3.4_SUCCESS_RESPONSE_GBCS.HEX"))
        .unwrap()
        .apdu()
        .content
        .clone();
    assert_eq!(ours, theirs);
    let s = &reloaded(&dev).supplier_settings;
    assert_eq!(s.supplier_name, b"E-ON");
    assert_eq!(s.supplier_telephone, b"0333 202 4650");
}

#[test]
fn ecs14_and_gcs11_turn_privacy_pin_protection_off() {
    let w = World::new();
    let mut esme = w.device(DeviceKind::Esme, ESME);
    esme.state_mut().supplier_settings.privacy_pin_protection = true;
    let wan = w.wan(
        usecases::ecs14_disable_privacy_pin(&header(&w.supplier, &esme, 1000)),
        &esme,
    );
    exchange(
        &w,
        &mut esme,
        &wan,
        "3.5_ECS14",
        "ECS14_3.5_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    assert!(!reloaded(&esme).supplier_settings.privacy_pin_protection);

    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    gsme.state_mut().supplier_settings.privacy_pin_protection = true;
    let cmd = usecases::gcs11_disable_privacy_pin(&header(&w.supplier, &gsme, 1000), RTDS_EVENT_ID)
        .unwrap();
    let wan = w.wan(cmd, &gsme);
    exchange(
        &w,
        &mut gsme,
        &wan,
        "3.5_GCS11",
        "GCS11_3.5_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    assert!(!reloaded(&gsme).supplier_settings.privacy_pin_protection);
}

#[test]
fn ecs10_and_gcs07_put_up_the_supplier_message_the_ihd_shows() {
    let w = World::new();
    let message = |t: &[u8]| SupplierMessage::new(t).unwrap();
    let mut esme = w.device(DeviceKind::Esme, ESME);
    assert_eq!(
        esme.state().supplier_settings.display(),
        SupplierDisplay::default()
    );
    let cmd =
        usecases::ecs10_display_message(&header(&w.supplier, &esme, 1003), &message(b"Reset"));
    let wan = w.wan(cmd, &esme);
    exchange(
        &w,
        &mut esme,
        &wan,
        "3.1_ECS10",
        "ECS10_3.1_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    assert_eq!(reloaded(&esme).supplier_settings.supplier_message, b"Reset");
    // A second message replaces the first; the name set by 3.4 shows beside it.
    let cmd = usecases::ecs16_update_supplier_name(&header(&w.supplier, &esme, 1004), &contact());
    let wan = w.wan(cmd, &esme);
    exchange(
        &w,
        &mut esme,
        &wan,
        "3.4_ECS16",
        "ECS16_3.4_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    let cmd = usecases::ecs10_display_message(
        &header(&w.supplier, &esme, 1005),
        &message(b"Your tariff changes on 1 May"),
    );
    let wan = w.wan(cmd, &esme);
    exchange(
        &w,
        &mut esme,
        &wan,
        "3.1_ECS10",
        "ECS10_3.1_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    assert_eq!(
        reloaded(&esme).supplier_settings.display(),
        SupplierDisplay {
            supplier_name: Some("E-ON".into()),
            supplier_telephone: Some("0333 202 4650".into()),
            message: Some("Your tariff changes on 1 May".into()),
        }
    );

    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    let cmd = usecases::gcs07_display_message(
        &header(&w.supplier, &gsme, 1002),
        RTDS_EVENT_ID,
        &message(b"Reset"),
    )
    .unwrap();
    let wan = w.wan(cmd, &gsme);
    let bytes = exchange(
        &w,
        &mut gsme,
        &wan,
        "3.1_GCS07",
        "GCS07_3.1_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    let ours = Frame::decode(&bytes).unwrap().apdu().content.clone();
    let theirs = Frame::decode(&rtds("3.1_GCS07", "GCS07_3.1_SUCCESS_RESPONSE_GBCS.HEX"))
        .unwrap()
        .apdu()
        .content
        .clone();
    assert_eq!(ours, theirs);
    assert_eq!(
        reloaded(&gsme)
            .supplier_settings
            .display()
            .message
            .as_deref(),
        Some("Reset")
    );
}

#[test]
fn faults_fail_as_the_rtds_error_vectors_and_change_nothing() {
    let w = World::new();
    let object = |d: gbcs::dlms::CosemDescriptor| DeviceFault::DlmsObject {
        class: d.class_id,
        obis: d.instance,
        attribute: d.index,
    };
    // ECS16: the telephone number cannot be written: Set(1), Set(250).
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.state_mut()
        .faults
        .insert(object(usecases::ecs16::SUPPLIER_TELEPHONE));
    let cmd = usecases::ecs16_update_supplier_name(&header(&w.supplier, &dev, 1003), &contact());
    let wan = w.wan(cmd, &dev);
    let file = "ECS16_3.4_ERROR_RESPONSE_GBCS.HEX";
    let bytes = exchange(&w, &mut dev, &wan, "3.4_ECS16", file, false);
    assert_eq!(
        assert_failure_like_rtds(&bytes, "3.4_ECS16", file),
        Failure::Dlms {
            index: 0,
            result: 1
        }
    );
    assert_eq!(dev.state().supplier_settings, SupplierSettings::default());
    // A fault on the name only: the number is written, the name is not.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.state_mut()
        .faults
        .insert(object(usecases::ecs16::SUPPLIER_NAME));
    let cmd = usecases::ecs16_update_supplier_name(&header(&w.supplier, &dev, 1003), &contact());
    let reply = dev.handle(&w.wan(cmd, &dev), w.now);
    assert!(matches!(
        reply.outcome,
        Outcome::Executed { success: false, .. }
    ));
    let s = &dev.state().supplier_settings;
    assert_eq!(
        (&s.supplier_telephone[..], &s.supplier_name[..]),
        (&b"0333 202 4650"[..], &b""[..])
    );

    // ECS14.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.state_mut().supplier_settings.privacy_pin_protection = true;
    dev.state_mut()
        .faults
        .insert(object(usecases::ecs14::PRIVACY_PIN));
    let wan = w.wan(
        usecases::ecs14_disable_privacy_pin(&header(&w.supplier, &dev, 1001)),
        &dev,
    );
    let file = "ECS14_3.5_ERROR_RESPONSE_GBCS.HEX";
    let bytes = exchange(&w, &mut dev, &wan, "3.5_ECS14", file, false);
    assert_failure_like_rtds(&bytes, "3.5_ECS14", file);
    assert!(dev.state().supplier_settings.privacy_pin_protection);

    // ECS10.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.state_mut()
        .faults
        .insert(object(usecases::ecs10::SUPPLIER_MESSAGE));
    let m = SupplierMessage::new(b"Reset").unwrap();
    let wan = w.wan(
        usecases::ecs10_display_message(&header(&w.supplier, &dev, 1004), &m),
        &dev,
    );
    let file = "ECS10_3.1_ERROR_RESPONSE_GBCS.HEX";
    let bytes = exchange(&w, &mut dev, &wan, "3.1_ECS10", file, false);
    assert_failure_like_rtds(&bytes, "3.1_ECS10", file);
    assert!(dev.state().supplier_settings.supplier_message.is_empty());

    // GCS07.
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    dev.state_mut().faults.insert(DeviceFault::ZclCommand {
        cluster: 0x0703,
        command: 0x00,
    });
    let cmd = usecases::gcs07_display_message(&header(&w.supplier, &dev, 1003), RTDS_EVENT_ID, &m)
        .unwrap();
    let wan = w.wan(cmd, &dev);
    let file = "GCS07_3.1_ERROR_RESPONSE_GBCS.HEX";
    let bytes = exchange(&w, &mut dev, &wan, "3.1_GCS07", file, false);
    assert_failure_like_rtds(&bytes, "3.1_GCS07", file);
    assert!(dev.state().supplier_settings.supplier_message.is_empty());

    // GCS44 and GCS11: Default Response HARDWARE_FAILURE.
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    dev.state_mut().supplier_settings.privacy_pin_protection = true;
    for command in [0x01, 0x02] {
        dev.state_mut().faults.insert(DeviceFault::ZclCommand {
            cluster: 0x0708,
            command,
        });
    }
    let cmd = usecases::gcs44_update_supplier_name(
        &header(&w.supplier, &dev, 1003),
        RTDS_EVENT_ID,
        &contact(),
    )
    .unwrap();
    let wan = w.wan(cmd, &dev);
    let file = "GCS44_3.4_ERROR_RESPONSE_GBCS.HEX";
    let bytes = exchange(&w, &mut dev, &wan, "3.4_GCS44", file, false);
    assert_eq!(
        assert_failure_like_rtds(&bytes, "3.4_GCS44", file),
        Failure::ZclDefaultResponse {
            command: 0x01,
            status: 0xC0
        }
    );
    let cmd = usecases::gcs11_disable_privacy_pin(&header(&w.supplier, &dev, 1004), RTDS_EVENT_ID)
        .unwrap();
    let wan = w.wan(cmd, &dev);
    let file = "GCS11_3.5_ERROR_RESPONSE_GBCS.HEX";
    let bytes = exchange(&w, &mut dev, &wan, "3.5_GCS11", file, false);
    assert_failure_like_rtds(&bytes, "3.5_GCS11", file);
    let s = &dev.state().supplier_settings;
    assert!(s.privacy_pin_protection && s.supplier_name.is_empty());
}

#[test]
fn other_device_kinds_do_not_implement_them() {
    let w = World::new();
    // ECS16 addressed to a GSME: not its use case (GBZ meters answer GCS44).
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    let cmd = usecases::ecs16_update_supplier_name(&header(&w.supplier, &gsme, 5), &contact());
    let reply = gsme.handle(&w.wan(cmd, &gsme), w.now);
    assert!(!matches!(
        reply.outcome,
        Outcome::Executed { success: true, .. }
    ));
    assert_eq!(gsme.state().supplier_settings, SupplierSettings::default());
}
