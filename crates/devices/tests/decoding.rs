//! The devices act on what the command says, as the `gbcs` catalogue decodes it: commands no
//! builder produces (other provider ids, install codes, key types, validity intervals) are
//! executed with their own values; payloads that do not decode get the "not supported" answer
//! and a format alert; use cases a device does not implement get GBCS's answer for them; every
//! answer is classified by `gbcs::classify_response` as the device meant it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::{DeviceKind, EmulatedDevice, Outcome, SupplyState};
use gbcs::asn1::{TAG_GENERALIZED_TIME, TAG_SEQUENCE, Tlv};
use gbcs::axdr::Data;
use gbcs::dlms::{AccessRequest, long_invoke_id};
use gbcs::gbz::{GbzPayload, ZclFrame};
use gbcs::usecases::{
    self, CLUSTER_METERING, CommandHeader, Failure, ResponseClass, ResponseOutcome, ResponseValue,
};
use gbcs::{GeneralSigning, MessageCode, UtcDateTime, classify_response};

fn header(orig: &Party, dev: &EmulatedDevice, counter: u64) -> CommandHeader {
    CommandHeader::new(orig.eui, dev.eui(), counter)
}

fn alert_code(w: &World, dev: &EmulatedDevice, alert: &[u8]) -> u16 {
    let a = open(alert, dev, &w.supplier);
    match a.payload() {
        gbcs::Payload::DataNotification(n) => n.alert_code().unwrap().0,
        gbcs::Payload::Gbz(GbzPayload::Alert { alert_code, .. }) => alert_code.0,
        p => panic!("not an alert: {p:?}"),
    }
}

/// A GCS28 pre-command written by hand (no builder) with the given interval.
fn gcs28_by_hand(h: &CommandHeader, start: &str, end: &str) -> GeneralSigning {
    let mut pre =
        usecases::gcs28_set_clock(h, UtcDateTime::new(2000, 1, 1, 0, 0, 0).unwrap(), 0).unwrap();
    pre.content = Tlv::constructed(
        TAG_SEQUENCE,
        vec![
            Tlv::primitive(TAG_GENERALIZED_TIME, start.as_bytes().to_vec()),
            Tlv::primitive(TAG_GENERALIZED_TIME, end.as_bytes().to_vec()),
        ],
    )
    .encode();
    pre
}

#[test]
fn the_decoded_clock_interval_is_honoured() {
    let w = World::new(); // now = 2015-01-01T00:00:00Z
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    dev.state_mut().clock_offset_secs = -500;
    // An interval that ends one second before now: refused, clock kept.
    let pre = gcs28_by_hand(
        &header(&w.supplier, &dev, 1),
        "20141231235000Z",
        "20141231235959Z",
    );
    let r = dev.handle(&w.critical(pre, &w.supplier, &dev), w.now);
    assert!(matches!(
        r.outcome,
        Outcome::Executed { success: false, .. }
    ));
    let resp = open(&r.response.unwrap(), &dev, &w.supplier);
    assert_eq!(
        usecases::decode_response(MessageCode::GCS28, &resp.content).unwrap(),
        ResponseOutcome::Failure(Failure::Result { code: 2 })
    );
    assert!(classify_response(MessageCode::GCS28, &resp.content).is_failure());
    assert_eq!(dev.state().clock_offset_secs, -500);
    // One that contains now exactly at its end: set.
    let pre = gcs28_by_hand(
        &header(&w.supplier, &dev, 2),
        "20141231235000Z",
        "20150101000000Z",
    );
    let r = dev.handle(&w.critical(pre, &w.supplier, &dev), w.now);
    assert!(matches!(r.outcome, Outcome::Executed { success: true, .. }));
    assert_eq!(dev.state().clock_offset_secs, 0);
    assert!(dev.state().commissioned);

    // ECS70 with a long tolerance around now: set; one starting a second after now: refused.
    let mut esme = w.device(DeviceKind::Esme, ESME);
    esme.state_mut().clock_offset_secs = 30;
    let later = w.now.plus_seconds(1).unwrap();
    let pre = usecases::ecs70_set_clock(&header(&w.supplier, &esme, 1), later, 86_400).unwrap();
    let r = esme.handle(&w.critical(pre, &w.supplier, &esme), w.now);
    assert!(matches!(
        r.outcome,
        Outcome::Executed { success: false, .. }
    ));
    let resp = open(&r.response.unwrap(), &esme, &w.supplier);
    assert!(matches!(
        classify_response(MessageCode::ECS70, &resp.content),
        ResponseClass::Failure(Failure::Dlms {
            index: 3,
            result: 1
        })
    ));
    assert_eq!(esme.state().clock_offset_secs, 30);
    let earlier = UtcDateTime::from_unix(w.now.to_unix() - 3_600).unwrap();
    let pre = usecases::ecs70_set_clock(&header(&w.supplier, &esme, 2), earlier, 7_200).unwrap();
    let r = esme.handle(&w.critical(pre, &w.supplier, &esme), w.now);
    assert!(matches!(r.outcome, Outcome::Executed { success: true, .. }));
    let resp = open(&r.response.unwrap(), &esme, &w.supplier);
    assert_eq!(
        usecases::decode_response(MessageCode::ECS70, &resp.content).unwrap(),
        ResponseOutcome::Success(ResponseValue::ClockSet { device_time: w.now })
    );
    assert_eq!(esme.state().clock_offset_secs, 0);
}

#[test]
fn gcs32_echoes_the_decoded_provider_issuer_event_and_implementation_time() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    let mut pre =
        usecases::gcs32_disable_supply(&header(&w.supplier, &dev, 9), 0x1234_5678).unwrap();
    // Rewrite the ZCL payload by hand: provider id 7, implementation time = now (not what the
    // builder writes).
    let mut payload = Vec::new();
    payload.extend_from_slice(&7u32.to_le_bytes());
    payload.extend_from_slice(&0x1234_5678u32.to_le_bytes());
    payload.extend_from_slice(&0u32.to_le_bytes());
    payload.extend_from_slice(&w.now.to_zigbee_utc().unwrap().to_le_bytes());
    payload.extend_from_slice(&[0x00, 0x01]);
    let zcl = ZclFrame {
        frame_control: 0x01,
        manufacturer_code: None,
        sequence: 0,
        command: 0x0B,
        payload,
    };
    pre.content = GbzPayload::command(vec![(CLUSTER_METERING, None, zcl)])
        .encode()
        .unwrap();
    let r = dev.handle(&w.critical(pre, &w.supplier, &dev), w.now);
    assert!(matches!(r.outcome, Outcome::Executed { success: true, .. }));
    assert_eq!(dev.state().supply, SupplyState::Disabled);
    let resp = open(&r.response.unwrap(), &dev, &w.supplier);
    let ResponseOutcome::Success(ResponseValue::SupplyStatus(s)) =
        usecases::decode_response(MessageCode::GCS32, &resp.content).unwrap()
    else {
        panic!("not a supply status")
    };
    assert_eq!(s.provider_id, 7);
    assert_eq!(s.issuer_event_id, 0x1234_5678);
    assert_eq!(s.implementation_date_time, w.now.to_zigbee_utc().unwrap());
    assert_eq!(s.supply_status, 0);
}

#[test]
fn ccs01_adds_exactly_the_decoded_device_and_install_code() {
    let w = World::new();
    let mut chf = w.device(DeviceKind::Chf, CHF);
    let h = CommandHeader::on_behalf_of(w.acb.eui, chf.eui(), 100, w.supplier.eui, 1);
    let add = usecases::DeviceLogAddition {
        device_id: gbcs::Eui64::from_u64(0xABCD),
        install_code: vec![0x5A; 6],
        join_time_period: 1234,
        key_type: 2,
        entry_flags: 1,
    };
    let r = chf.handle(
        &w.wan(usecases::ccs01_add_device_to_chf_device_log(&h, &add), &chf),
        w.now,
    );
    assert!(matches!(r.outcome, Outcome::Executed { success: true, .. }));
    let log = &chf.state().device_log;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].device, add.device_id);
    assert_eq!(log[0].install_code, add.install_code);
    assert_eq!(log[0].join_time_period, 1234);
    assert_eq!((log[0].key_type, log[0].entry_flags), (2, 1));
}

/// A GSME use case sent to a GPF: authentic, decodable, but not a GPF use case. The GPF answers
/// as GBCS has it (ZCL Default Response UNSUP_*), changes nothing but the counter, and the
/// answer reads as a failure.
#[test]
fn a_gsme_use_case_sent_to_a_gpf_is_refused_with_the_gbcs_answer() {
    let w = World::new();
    let mut gpf = w.device(DeviceKind::Gpf, GPF);
    let wan = w.wan(
        usecases::gcs38_read_firmware_version(&header(&w.supplier, &gpf, 5)).unwrap(),
        &gpf,
    );
    let r = gpf.handle(&wan, w.now);
    assert_eq!(
        r.outcome,
        Outcome::NotSupported {
            message_code: MessageCode::GCS38
        }
    );
    assert!(r.alerts.is_empty());
    let resp = open(&r.response.unwrap(), &gpf, &w.supplier);
    assert_eq!(
        classify_response(MessageCode::GCS38, &resp.content),
        ResponseClass::Failure(Failure::ZclDefaultResponse {
            command: 0x00,
            status: 0x82
        })
    );
    assert_eq!(
        usecases::decode_response(MessageCode::GCS38, &resp.content).unwrap(),
        ResponseOutcome::Failure(Failure::ZclDefaultResponse {
            command: 0x00,
            status: 0x82
        })
    );
    // A critical one: GCS32 to the GPF. The valve state does not change; the answer is signed.
    let before = gpf.state().supply;
    let pre = usecases::gcs32_disable_supply(&header(&w.supplier, &gpf, 6), 1).unwrap();
    let r = gpf.handle(&w.critical(pre, &w.supplier, &gpf), w.now);
    assert!(matches!(r.outcome, Outcome::NotSupported { .. }));
    assert_eq!(gpf.state().supply, before);
    let resp = open(&r.response.unwrap(), &gpf, &w.supplier);
    assert_eq!(
        classify_response(MessageCode::GCS32, &resp.content),
        ResponseClass::Failure(Failure::ZclDefaultResponse {
            command: 0x0B,
            status: 0x81
        })
    );
}

#[test]
fn unsupported_use_case_answers_are_classified_as_failures() {
    let w = World::new();
    // DLMS: ECS45 to a CHF → object-undefined.
    let mut chf = w.device(DeviceKind::Chf, CHF);
    let wan = w.wan(
        usecases::ecs45_read_supply_status(&header(&w.network_operator, &chf, 3)),
        &chf,
    );
    let r = chf.handle(&wan, w.now);
    let resp = open(&r.response.unwrap(), &chf, &w.network_operator);
    assert_eq!(
        classify_response(MessageCode::ECS45, &resp.content),
        ResponseClass::Failure(Failure::Dlms {
            index: 0,
            result: 4
        })
    );
    // GBZ: GCS33 to a PPMID.
    let mut ppmid = w.device(DeviceKind::Ppmid, PPMID);
    let wan = w.wan(
        usecases::gcs33_read_supply_status(&header(&w.supplier, &ppmid, 4)).unwrap(),
        &ppmid,
    );
    let r = ppmid.handle(&wan, w.now);
    let resp = open(&r.response.unwrap(), &ppmid, &w.supplier);
    assert!(classify_response(MessageCode::GCS33, &resp.content).is_failure());
    // A message code outside the catalogue, DLMS content: object-undefined too.
    let mut esme = w.device(DeviceKind::Esme, ESME);
    let mut apdu = usecases::ecs52_read_firmware_version(&header(&w.supplier, &esme, 5));
    apdu.other_info = gbcs::OtherInfo::code(MessageCode(0x0060));
    let r = esme.handle(&w.wan(apdu, &esme), w.now);
    assert!(matches!(r.outcome, Outcome::NotSupported { .. }));
    let resp = open(&r.response.unwrap(), &esme, &w.supplier);
    assert!(classify_response(MessageCode(0x0060), &resp.content).is_failure());
}

#[test]
fn a_payload_that_does_not_decode_gets_the_bad_format_answer() {
    let w = World::new();
    let mut esme = w.device(DeviceKind::Esme, ESME);
    let fw_before = esme.state().firmware_version.clone();
    // ECS52 asking for another attribute of the firmware object: well-formed DLMS, not ECS52.
    let mut apdu = usecases::ecs52_read_firmware_version(&header(&w.supplier, &esme, 1));
    apdu.content = AccessRequest {
        invoke_id: long_invoke_id(1),
        date_time: Vec::new(),
        specs: vec![gbcs::dlms::RequestSpec::Get(
            gbcs::dlms::CosemDescriptor::new(1, usecases::OBIS_FIRMWARE, 3),
        )],
        data: vec![Data::Null],
    }
    .encode();
    let r = esme.handle(&w.wan(apdu, &esme), w.now);
    assert_eq!(
        r.outcome,
        Outcome::NotSupported {
            message_code: MessageCode::ECS52
        }
    );
    assert_eq!(r.alerts.len(), 1);
    assert_eq!(alert_code(&w, &esme, &r.alerts[0]), 0x8F1E);
    let resp = open(&r.response.unwrap(), &esme, &w.supplier);
    assert!(classify_response(MessageCode::ECS52, &resp.content).is_failure());
    assert_eq!(esme.state().firmware_version, fw_before);

    // Garbage content under a GBZ use case: the GSME answers UNSUP and alerts.
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    let mut apdu = usecases::gcs33_read_supply_status(&header(&w.supplier, &gsme, 1)).unwrap();
    apdu.content = vec![
        0x01, 0x09, 0x01, 0x01, 0x07, 0x02, 0x00, 0x03, 0x00, 0x00, 0x00,
    ];
    let r = gsme.handle(&w.wan(apdu, &gsme), w.now);
    assert!(matches!(r.outcome, Outcome::NotSupported { .. }));
    assert_eq!(r.alerts.len(), 1);
    let resp = open(&r.response.unwrap(), &gsme, &w.supplier);
    assert!(classify_response(MessageCode::GCS33, &resp.content).is_failure());

    // A CCS02 whose device id is not eight bytes: the log is untouched.
    let mut chf = w.device(DeviceKind::Chf, CHF);
    let h = CommandHeader::on_behalf_of(w.acb.eui, chf.eui(), 10, w.supplier.eui, 1);
    let mut apdu = usecases::ccs02_remove_device_from_chf_device_log(&h, gbcs::Eui64::from_u64(1));
    let n = apdu.content.len();
    apdu.content[n - 9] = 7; // octet-string length 7, one byte left over
    let r = chf.handle(&w.wan(apdu, &chf), w.now);
    assert!(matches!(r.outcome, Outcome::NotSupported { .. }));
    assert!(chf.state().device_log.is_empty());
}

#[test]
fn reads_answer_the_attributes_requested() {
    let w = World::new();
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    gsme.state_mut().battery_days = 321;
    let wan = w.wan(
        usecases::gcs33_read_supply_status(&header(&w.supplier, &gsme, 1)).unwrap(),
        &gsme,
    );
    let r = gsme.handle(&wan, w.now);
    let resp = open(&r.response.unwrap(), &gsme, &w.supplier);
    let ResponseOutcome::Success(ResponseValue::Attributes(records)) =
        usecases::decode_response(MessageCode::GCS33, &resp.content).unwrap()
    else {
        panic!()
    };
    let ids: Vec<u16> = records.iter().map(|r| r.id).collect();
    assert_eq!(ids, usecases::gcs33::ATTRIBUTES);
    assert_eq!(records[0].value, 321u16.to_le_bytes());
}
