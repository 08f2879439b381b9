//! Every implemented use case end to end: a fresh device, commands built with the `gbcs`
//! builders and protected as the DCC does (ACB MAC; supplier signature on critical commands), the
//! response verified as its recipient would (MAC or device signature), counter and titles
//! checked, and its structure compared with the RTDS 4.5.0 RESPONSE vector of the use case.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::{DeviceKind, EmulatedDevice, Outcome, SupplyState};
use gbcs::asn1::{Tlv, TlvValue};
use gbcs::axdr::Data;
use gbcs::usecases::{self, CommandHeader, DeviceLogAddition};
use gbcs::{Cra, Eui64, Frame, GeneralSigning, Payload};

fn header(orig: &Party, dev: &EmulatedDevice, counter: u64) -> CommandHeader {
    CommandHeader::new(orig.eui, dev.eui(), counter)
}

fn on_behalf(w: &World, dev: &EmulatedDevice, counter: u64, user_counter: u64) -> CommandHeader {
    CommandHeader::on_behalf_of(w.acb.eui, dev.eui(), counter, w.supplier.eui, user_counter)
}

/// Feeds `wan` and checks the response against its command and the RTDS vector.
fn exchange(
    w: &World,
    dev: &mut EmulatedDevice,
    wan: &[u8],
    rtds_dir: &str,
    rtds_file: &str,
) -> (Vec<u8>, GeneralSigning) {
    let cmd = Frame::decode(wan).unwrap().apdu().clone();
    let reply = dev.handle(wan, w.now);
    assert_eq!(
        reply.outcome,
        Outcome::Executed {
            message_code: cmd.message_code(),
            success: true
        },
        "{rtds_file}"
    );
    assert!(reply.alerts.is_empty(), "{rtds_file}: no alerts");
    assert!(reply.state_changed, "{rtds_file}: counter stored");
    let bytes = reply.response.expect("a response");
    let resp = open(&bytes, dev, w.party(cmd.originator));
    assert_eq!(resp.cra, Cra::Response);
    assert_eq!(resp.counter, cmd.counter, "counter echoes");
    assert_eq!(resp.originator, dev.eui(), "titles swap");
    assert_eq!(resp.recipient, cmd.originator, "titles swap");
    assert_eq!(resp.other_info, cmd.other_info, "other-information echoes");
    assert_eq!(
        dev.state().last_counters.get(&cmd.originator),
        Some(&cmd.counter)
    );
    assert_same_structure(&bytes, &rtds(rtds_dir, rtds_file), rtds_file);
    // The catalogue's response decoder reads it as a success.
    let outcome = usecases::decode_response(cmd.message_code(), &resp.content)
        .unwrap_or_else(|e| panic!("{rtds_file}: {e}"));
    assert!(!outcome.is_failure(), "{rtds_file}: {outcome:?}");
    (bytes, resp)
}

fn dlms_data(resp: &GeneralSigning) -> Vec<Data> {
    match resp.payload() {
        Payload::AccessResponse(r) => r.data,
        p => panic!("not DLMS: {p:?}"),
    }
}

#[test]
fn ecs52_reads_firmware_version() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.state_mut().firmware_version = vec![0xAA, 0xBB, 0xCC, 0xDD];
    let wan = w.wan(
        usecases::ecs52_read_firmware_version(&header(&w.supplier, &dev, 1000)),
        &dev,
    );
    let (_, resp) = exchange(
        &w,
        &mut dev,
        &wan,
        "11.2_ECS52",
        "ECS52_11.2_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(
        dlms_data(&resp),
        vec![Data::OctetString(vec![0xAA, 0xBB, 0xCC, 0xDD])]
    );
}

#[test]
fn ecs52_on_a_chf() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Chf, CHF);
    let wan = w.wan(
        usecases::ecs52_read_firmware_version(&header(&w.network_operator, &dev, 7)),
        &dev,
    );
    exchange(
        &w,
        &mut dev,
        &wan,
        "11.2_ECS52",
        "ECS52_11.2_SUCCESS_RESPONSE_GBCS.HEX",
    );
}

#[test]
fn gcs38_reads_firmware_version() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    let wan = w.wan(
        usecases::gcs38_read_firmware_version(&header(&w.supplier, &dev, 1000)).unwrap(),
        &dev,
    );
    let (_, resp) = exchange(
        &w,
        &mut dev,
        &wan,
        "11.2_GCS38",
        "GCS38_11.2_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert!(resp.content.ends_with(&[0x41, 4, 0x01, 0x00, 0x00, 0x01]));
}

#[test]
fn cs08_reads_ppmid_firmware_on_behalf_of_a_user() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Ppmid, PPMID);
    let wan = w.wan(
        usecases::cs08_read_firmware_version(&on_behalf(&w, &dev, 1300, 1000)),
        &dev,
    );
    let (_, resp) = exchange(
        &w,
        &mut dev,
        &wan,
        "11.2_CS08",
        "CS08_11.2_SUCCESS_RESPONSE_GBCS.HEX",
    );
    let Payload::Asn1(v) = resp.payload() else {
        panic!()
    };
    let TlvValue::Constructed(c) = &v[0].value else {
        panic!()
    };
    assert_eq!(c[0], Tlv::primitive(4, vec![0x01, 0x00, 0x00, 0x01]));
}

#[test]
fn ecs45_reports_supply_state() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let wan = w.wan(
        usecases::ecs45_read_supply_status(&header(&w.supplier, &dev, 1000)),
        &dev,
    );
    let (_, resp) = exchange(
        &w,
        &mut dev,
        &wan,
        "7.4_ECS45",
        "ECS45_7.4_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(dlms_data(&resp), vec![Data::Enum(1)], "connected");
}

#[test]
fn gcs33_reports_valve_state() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    let wan = w.wan(
        usecases::gcs33_read_supply_status(&header(&w.supplier, &dev, 1000)).unwrap(),
        &dev,
    );
    let (_, resp) = exchange(
        &w,
        &mut dev,
        &wan,
        "7.4_GCS33",
        "GCS33_7.4_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert!(
        resp.content.ends_with(&[0x14, 0x00, 0x00, 0x30, 0x02]),
        "on"
    );
}

#[test]
fn ecs17b_registers_are_encrypted_to_the_requester_and_advance_with_time() {
    let mut w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.state_mut().metering.base_active_import_wh = 1_000_000;
    let t0 = w.now;
    let read = |w: &World, dev: &mut EmulatedDevice, counter: u64, party: &Party| {
        let wan = w.wan(
            usecases::ecs17b_read_import_energy_registers(&header(party, dev, counter)),
            dev,
        );
        let (_, resp) = exchange(
            w,
            dev,
            &wan,
            "4.1.1_ECS17b",
            "ECS17b_4.1.1_SINGLE_SUCCESS_RESPONSE_GBCS.HEX",
        );
        assert_eq!(
            resp.date_time,
            Some(w.now.to_cosem().0),
            "device time in header"
        );
        // The echoed protection parameters name the device as originator.
        let Some(Data::Structure(v)) = dlms_data(&resp).first().cloned() else {
            panic!()
        };
        assert_eq!(
            v[0],
            Data::Array(vec![usecases::protection_parameters(
                counter,
                dev.eui(),
                party.eui
            )])
        );
        let plain = decrypt_with(
            &party.ka,
            dev.ka_public_key().unwrap().key(),
            &resp,
            &protected_block(&resp),
        );
        // Same plaintext structure as the RTDS response decrypted with the corpus keys.
        let rtds_bytes = rtds(
            "4.1.1_ECS17b",
            "ECS17b_4.1.1_SINGLE_SUCCESS_RESPONSE_GBCS.HEX",
        );
        let r = Frame::decode(&rtds_bytes).unwrap();
        let rtds_plain = rtds_decrypt(r.apdu(), &protected_block(r.apdu()));
        let ours = Data::decode(&plain).unwrap();
        let theirs = Data::decode(&rtds_plain).unwrap();
        assert_eq!(plain.len(), rtds_plain.len());
        let Data::Structure(o) = &ours else { panic!() };
        let Data::Structure(t) = &theirs else {
            panic!()
        };
        let (Data::Structure(o), Data::Structure(t)) = (&o[0], &t[0]) else {
            panic!()
        };
        assert_eq!(o[1], t[1], "active energy scaler/unit");
        assert_eq!(o[3], t[3], "reactive energy scaler/unit");
        match (&o[0], &o[2]) {
            (Data::DoubleLongUnsigned(a), Data::DoubleLongUnsigned(r)) => (*a, *r),
            x => panic!("{x:?}"),
        }
    };
    assert_eq!(read(&w, &mut dev, 1000, &w.supplier), (1_000_000, 0));
    w.now = t0.plus_seconds(7200).unwrap();
    // Two hours at the meter's load shape (devices::metering, 500 W and 50 var on average).
    let m = dev.state().metering.clone();
    let two_hours = |ch| u32::try_from(m.consumed(ch, t0.to_unix(), w.now.to_unix())).unwrap();
    let (active, reactive) = (
        two_hours(devices::Channel::ActiveImport),
        two_hours(devices::Channel::ReactiveImport),
    );
    assert!((225..=4200).contains(&active), "{active} Wh in two hours");
    assert_eq!(
        read(&w, &mut dev, 1001, &w.network_operator),
        (1_000_000 + active, reactive)
    );
    // Supply off: no further consumption.
    let pre = usecases::ecs43_disable_supply(&header(&w.supplier, &dev, 1002));
    let wan = w.critical(pre, &w.supplier, &dev);
    assert!(matches!(
        dev.handle(&wan, w.now).outcome,
        Outcome::Executed { success: true, .. }
    ));
    w.now = t0.plus_seconds(3 * 7200).unwrap();
    assert_eq!(
        read(&w, &mut dev, 1003, &w.supplier),
        (1_000_000 + active, reactive)
    );
}

#[test]
fn gcs13a_reads_the_gas_register_encrypted() {
    for (kind, eui, file) in [
        (
            DeviceKind::Gsme,
            GSME,
            "GCS13a_4.1.1_SUCCESS_UNRELIABLE_RESPONSE_GBCS.HEX",
        ),
        (
            DeviceKind::Gpf,
            GPF,
            "GCS13a_4.1.1_SUCCESS_RELIABLE_GPF_RESPONSE_GBCS.HEX",
        ),
    ] {
        let mut w = World::new();
        let mut dev = w.device(kind, eui);
        dev.state_mut().metering.base_gas_import_litres = 12_345;
        w.now = w.now.plus_seconds(3600).unwrap();
        let wan = w.wan(
            usecases::gcs13a_read_import_register(&header(&w.supplier, &dev, 1001)).unwrap(),
            &dev,
        );
        let litres = dev.state().metering.gas_import_litres(w.now.to_unix());
        assert!(litres > 12_345, "the register advanced");
        let (_, resp) = exchange(&w, &mut dev, &wan, "4.1.1_GCS13a", file);
        assert!(resp.date_time.is_some());
        let plain = decrypt_with(
            &w.supplier.ka,
            dev.ka_public_key().unwrap().key(),
            &resp,
            &protected_block(&resp),
        );
        let r = Frame::decode(&rtds("4.1.1_GCS13a", file)).unwrap();
        let rtds_plain = rtds_decrypt(r.apdu(), &protected_block(r.apdu()));
        assert_eq!(zcl_records(&plain), zcl_records(&rtds_plain));
        // Divisor 1000, multiplier 1, m³, and the register after one hour of flow.
        let mut expected = vec![
            0x02, 0x03, 0x00, 0x22, 0xE8, 0x03, 0x00, 0x01, 0x03, 0x00, 0x22, 0x01, 0x00, 0x00,
            0x00, 0x03, 0x00, 0x30, 0x01, 0x00, 0x00, 0x00, 0x25,
        ];
        expected.extend_from_slice(&litres.to_le_bytes()[..6]);
        assert_eq!(plain, expected);
    }
}

#[test]
fn ecs43_then_ecs42_switch_the_supply_and_ecs45_reports_it() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let pre = usecases::ecs43_disable_supply(&header(&w.supplier, &dev, 1000));
    let wan = w.critical(pre, &w.supplier, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "7.2_ECS43",
        "ECS43_7.2_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(dev.state().supply, SupplyState::Disabled);
    let read = |dev: &mut EmulatedDevice, counter| {
        let wan = w.wan(
            usecases::ecs45_read_supply_status(&header(&w.network_operator, dev, counter)),
            dev,
        );
        let (_, resp) = exchange(
            &w,
            dev,
            &wan,
            "7.4_ECS45",
            "ECS45_7.4_SUCCESS_RESPONSE_GBCS.HEX",
        );
        dlms_data(&resp)
    };
    assert_eq!(read(&mut dev, 5), vec![Data::Enum(0)], "disconnected");
    let pre = usecases::ecs42_enable_supply(&header(&w.supplier, &dev, 1001));
    let wan = w.critical(pre, &w.supplier, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "7.1_ECS42",
        "ECS42_7.1_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(read(&mut dev, 6), vec![Data::Enum(1)], "connected");
}

#[test]
fn gcs32_closes_the_valve_and_gcs33_reports_it() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    let pre =
        usecases::gcs32_disable_supply(&header(&w.supplier, &dev, 1000), 0x1C37_4A80).unwrap();
    let wan = w.critical(pre, &w.supplier, &dev);
    let (_, resp) = exchange(
        &w,
        &mut dev,
        &wan,
        "7.2_GCS32",
        "GCS32_7.2_SUCCESS_RESPONSE_GBCS.HEX",
    );
    // Supply Status Response: provider 0, issuer event id echoed, implementation time, OFF.
    assert!(
        resp.content
            .ends_with(&[0, 0, 0, 0, 0x80, 0x4A, 0x37, 0x1C, 0, 0, 0, 0, 0x00])
    );
    assert_eq!(dev.state().supply, SupplyState::Disabled);
    let wan = w.wan(
        usecases::gcs33_read_supply_status(&header(&w.supplier, &dev, 1001)).unwrap(),
        &dev,
    );
    let (_, resp) = exchange(
        &w,
        &mut dev,
        &wan,
        "7.4_GCS33",
        "GCS33_7.4_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert!(
        resp.content.ends_with(&[0x14, 0x00, 0x00, 0x30, 0x00]),
        "off"
    );
}

#[test]
fn ecs44_arms_the_supply_ecs45_reports_it_and_the_button_enables_it() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let read = |dev: &mut EmulatedDevice, counter| {
        let wan = w.wan(
            usecases::ecs45_read_supply_status(&header(&w.network_operator, dev, counter)),
            dev,
        );
        let (_, resp) = exchange(
            &w,
            dev,
            &wan,
            "7.4_ECS45",
            "ECS45_7.4_SUCCESS_RESPONSE_GBCS.HEX",
        );
        dlms_data(&resp)
    };
    // Pressing the button of a supply that is not armed does nothing.
    assert!(!dev.state_mut().press_supply_button(w.now));
    assert_eq!(dev.state().supply, SupplyState::Enabled);
    // Arming an enabled supply turns it off until the consumer presses the button.
    let pre = usecases::ecs44_arm_supply(&header(&w.supplier, &dev, 1000));
    let wan = w.critical(pre, &w.supplier, &dev);
    let (_, resp) = exchange(
        &w,
        &mut dev,
        &wan,
        "7.3_ECS44",
        "ECS44_7.3_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(dlms_data(&resp), vec![Data::Null]);
    assert_eq!(dev.state().supply, SupplyState::Armed);
    assert_eq!(
        read(&mut dev, 5),
        vec![Data::Enum(2)],
        "ready for reconnection"
    );
    // Disabled, then armed again: armed.
    let pre = usecases::ecs43_disable_supply(&header(&w.supplier, &dev, 1001));
    let wan = w.critical(pre, &w.supplier, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "7.2_ECS43",
        "ECS43_7.2_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(read(&mut dev, 6), vec![Data::Enum(0)], "disconnected");
    let pre = usecases::ecs44_arm_supply(&header(&w.supplier, &dev, 1002));
    let wan = w.critical(pre, &w.supplier, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "7.3_ECS44",
        "ECS44_7.3_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(read(&mut dev, 7), vec![Data::Enum(2)], "armed again");
    // The consumer presses the button: connected, and the log says so.
    let later = w.now.plus_seconds(60).unwrap();
    assert!(dev.state_mut().press_supply_button(later));
    assert_eq!(dev.state().supply, SupplyState::Enabled);
    assert_eq!(
        dev.state().event_log.last().map(|e| (e.at, &e.kind)),
        Some((
            later.to_unix(),
            &devices::EventKind::SupplyChanged {
                from: SupplyState::Armed,
                to: SupplyState::Enabled
            }
        ))
    );
    assert_eq!(read(&mut dev, 8), vec![Data::Enum(1)], "connected");
    assert!(!dev.state_mut().press_supply_button(later), "once");
}

#[test]
fn an_armed_supply_meters_nothing_until_the_button() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let t = w.now.to_unix();
    let pre = usecases::ecs44_arm_supply(&header(&w.supplier, &dev, 1000));
    let wan = w.critical(pre, &w.supplier, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "7.3_ECS44",
        "ECS44_7.3_SUCCESS_RESPONSE_GBCS.HEX",
    );
    let armed_at = dev.state().metering.active_import_wh(t);
    assert_eq!(dev.state().metering.active_import_wh(t + 7200), armed_at);
    let press = w.now.plus_seconds(7200).unwrap();
    assert!(dev.state_mut().press_supply_button(press));
    assert!(dev.state().metering.active_import_wh(t + 3 * 3600) > armed_at);
}

#[test]
fn gcs39_arms_the_valve_gcs33_reports_it_and_the_button_opens_it() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    let pre = usecases::gcs39_arm_supply(&header(&w.supplier, &dev, 1000), 0x1C37_4A80).unwrap();
    let wan = w.critical(pre, &w.supplier, &dev);
    let (_, resp) = exchange(
        &w,
        &mut dev,
        &wan,
        "7.3_GCS39",
        "GCS39_7.3_SUCCESS_RESPONSE_GBCS.HEX",
    );
    // Supply Status Response: provider 0, issuer event id echoed, implementation time, ARMED.
    assert!(
        resp.content
            .ends_with(&[0, 0, 0, 0, 0x80, 0x4A, 0x37, 0x1C, 0, 0, 0, 0, 0x01])
    );
    assert_eq!(dev.state().supply, SupplyState::Armed);
    let read = |dev: &mut EmulatedDevice, counter| {
        let wan = w.wan(
            usecases::gcs33_read_supply_status(&header(&w.supplier, dev, counter)).unwrap(),
            dev,
        );
        exchange(
            &w,
            dev,
            &wan,
            "7.4_GCS33",
            "GCS33_7.4_SUCCESS_RESPONSE_GBCS.HEX",
        )
        .1
        .content
    };
    assert!(
        read(&mut dev, 1001).ends_with(&[0x14, 0x00, 0x00, 0x30, 0x01]),
        "armed"
    );
    assert!(dev.state_mut().press_supply_button(w.now));
    assert!(
        read(&mut dev, 1002).ends_with(&[0x14, 0x00, 0x00, 0x30, 0x02]),
        "on"
    );
}

#[test]
fn ecs47_activates_deactivates_and_resets_auxiliary_load_switches() {
    use usecases::{AuxLoadAction as A, AuxLoadCommand};
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let t = w.now.to_unix();
    let on = |dev: &EmulatedDevice, i, at| dev.state().aux_loads.is_on(i, at, at);
    assert!((1..=5).all(|i| !on(&dev, i, t)), "calendar: off");
    let send = |dev: &mut EmulatedDevice, counter, index, action, dir, file| {
        let pre = usecases::ecs47_auxiliary_load(
            &header(&w.supplier, dev, counter),
            AuxLoadCommand { index, action },
        )
        .unwrap();
        let wan = w.critical(pre, &w.supplier, dev);
        let (_, resp) = exchange(&w, dev, &wan, dir, file);
        let requests = if action == A::Reset { 1 } else { 2 };
        assert_eq!(dlms_data(&resp), vec![Data::Null; requests]);
    };
    send(
        &mut dev,
        1000,
        1,
        A::Activate { duration: 30 },
        "7.5_ECS47Activate",
        "ECS47Activate_7.5_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert!(on(&dev, 1, t) && on(&dev, 1, t + 30 * 60 - 1));
    assert!(
        !on(&dev, 1, t + 30 * 60),
        "for 30 minutes, then its calendar"
    );
    assert!(!on(&dev, 2, t));
    send(
        &mut dev,
        1001,
        3,
        A::Deactivate { duration: 60 },
        "7.6_ECS47Deactivate",
        "ECS47Deactivate_7.6_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(
        dev.state().aux_loads.overrides[2],
        Some(devices::AuxOverride {
            on: false,
            until: Some(t + 3600)
        })
    );
    // Switch 5 on with no end (Duration 0), then reset: back to its calendar.
    send(
        &mut dev,
        1002,
        5,
        A::Activate { duration: 0 },
        "7.5_ECS47Activate",
        "ECS47Activate_7.5_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert!(on(&dev, 5, t + 365 * 86_400));
    send(
        &mut dev,
        1003,
        5,
        A::Reset,
        "7.8_ECS47Reset",
        "ECS47Reset_7.8_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert!(!on(&dev, 5, t));
    assert_eq!(dev.state().aux_loads.overrides[4], None);
}

/// ECS61a: the response (MAC'd, as the RTDS vector: same frame, same result list, the same
/// types for every fixed-size item) and its values.
fn ecs61a(w: &World, dev: &mut EmulatedDevice, counter: u64, at: gbcs::UtcDateTime) -> Vec<Data> {
    let wan = w.wan(
        usecases::ecs61a_read_auxiliary_load_switch_data(&header(&w.supplier, dev, counter)),
        dev,
    );
    let reply = dev.handle(&wan, at);
    let bytes = reply.response.expect("a response");
    let theirs = rtds(
        "7.7_ECS61a",
        "ECS61a_7.7_ALL_OPTIONALS_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(frame_shape(&bytes), frame_shape(&theirs));
    let ours = open(&bytes, dev, &w.supplier);
    let theirs = Frame::decode(&theirs).unwrap().apdu().clone();
    let (Payload::AccessResponse(o), Payload::AccessResponse(t)) =
        (ours.payload(), theirs.payload())
    else {
        panic!("not DLMS")
    };
    assert_eq!(o.results, t.results);
    assert_eq!(o.request_specs, t.request_specs);
    assert_eq!(o.date_time, t.date_time);
    let kind = |d: &Data| std::mem::discriminant(d);
    assert!(o.data.iter().zip(&t.data).all(|(a, b)| kind(a) == kind(b)));
    assert!(matches!(
        usecases::decode_response(ours.message_code(), &ours.content),
        Ok(usecases::ResponseOutcome::Success(
            usecases::ResponseValue::DlmsValues(_)
        ))
    ));
    o.data
}

#[test]
fn ecs61a_shows_the_switches_ecs47_turns_on_until_their_duration_ends() {
    use usecases::{AuxLoadAction as A, AuxLoadCommand};
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let states = |v: &[Data]| v[12..].to_vec();
    let off = Data::Boolean(0);
    let on = Data::Boolean(0xFF);
    let v = ecs61a(&w, &mut dev, 1, w.now);
    assert_eq!(v[0], Data::VisibleString(vec![]));
    assert_eq!(v[5], Data::OctetString(vec![0; 8]));
    assert_eq!(
        (&v[10], &v[11]),
        (&Data::Array(vec![]), &Data::Array(vec![]))
    );
    assert_eq!(states(&v), vec![off.clone(); 5]);
    let pre = usecases::ecs47_auxiliary_load(
        &header(&w.supplier, &dev, 1000),
        AuxLoadCommand {
            index: 2,
            action: A::Activate { duration: 30 },
        },
    )
    .unwrap();
    let wan = w.critical(pre, &w.supplier, &dev);
    assert!(dev.handle(&wan, w.now).response.is_some());
    let v = ecs61a(&w, &mut dev, 1001, w.now.plus_seconds(60).unwrap());
    assert_eq!(
        states(&v),
        vec![off.clone(), on, off.clone(), off.clone(), off.clone()]
    );
    let v = ecs61a(&w, &mut dev, 1002, w.now.plus_seconds(1800).unwrap());
    assert_eq!(states(&v), vec![off; 5], "30 minutes later");
}

#[test]
fn ecs47a_commands_a_level_for_a_period_and_ecs61a_shows_it() {
    use usecases::AuxControllerState;
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let at = |s: u32| w.now.plus_seconds(s).unwrap();
    let states = |v: Vec<Data>| v[12..].to_vec();
    let (on, off) = (Data::Boolean(0xFF), Data::Boolean(0));
    let send = |dev: &mut EmulatedDevice, counter, index, level, file| {
        let pre = usecases::ecs47a_set_auxiliary_controller_state(
            &header(&w.supplier, dev, counter),
            AuxControllerState {
                index,
                start: at(600),
                end: at(4200),
                level,
                input_from_controlled_load: false,
            },
        )
        .unwrap();
        let wan = w.critical(pre, &w.supplier, dev);
        let (_, resp) = exchange(&w, dev, &wan, "7.13_ECS47a", file);
        assert_eq!(dlms_data(&resp), vec![Data::Null; 3]);
    };
    // Controller 5 at 100 from 10 minutes on, for an hour.
    send(
        &mut dev,
        1000,
        5,
        100,
        "ECS47a_7.13_ALCS_ACTIVATE_SUCCESS_RESPONSE_GBCS.HEX",
    );
    let five =
        |dev: &mut EmulatedDevice, counter, t| states(ecs61a(&w, dev, counter, t))[4].clone();
    assert_eq!(five(&mut dev, 1001, at(0)), off, "not yet");
    assert_eq!(five(&mut dev, 1002, at(600)), on);
    assert_eq!(five(&mut dev, 1003, at(4199)), on);
    assert_eq!(five(&mut dev, 1004, at(4200)), off, "period over");
    // Controller 5 at 50 (an ALCS is on at 100 only), then an ECS47 override replaces it.
    send(
        &mut dev,
        1005,
        5,
        50,
        "ECS47a_7.13_APC_OUTPUT_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(five(&mut dev, 1006, at(700)), off);
    assert!(dev.state().aux_loads.commanded[4].is_some());
}

#[test]
fn ecs38_sets_the_randomised_offset_limit() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    assert_eq!(dev.state().aux_loads.randomised_offset_limit, None);
    let pre =
        usecases::ecs38_set_randomised_offset_limit(&header(&w.supplier, &dev, 1001), 900).unwrap();
    let wan = w.critical(pre, &w.supplier, &dev);
    let (_, resp) = exchange(
        &w,
        &mut dev,
        &wan,
        "7.12_ECS38",
        "ECS38_7.12_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(dlms_data(&resp), vec![Data::Null]);
    assert_eq!(dev.state().aux_loads.randomised_offset_limit, Some(900));
}

#[test]
fn ecs70_sets_the_clock_and_commissions() {
    for (dir, file) in [
        ("6.11_ECS70", "ECS70_6.11_SUCCESS_RESPONSE_GBCS.HEX"),
        (
            "8.1.1_ECS70Commission",
            "ECS70Commission_8.1.1_SUCCESS_RESPONSE_GBCS.HEX",
        ),
    ] {
        let w = World::new();
        let mut dev = w.device(DeviceKind::Esme, ESME);
        dev.state_mut().clock_offset_secs = -3600;
        let start = w.now.plus_seconds(0).unwrap();
        let pre = usecases::ecs70_set_clock(&header(&w.supplier, &dev, 1000), start, 20).unwrap();
        let wan = w.critical(pre, &w.supplier, &dev);
        let (_, resp) = exchange(&w, &mut dev, &wan, dir, file);
        assert_eq!(dev.state().clock_offset_secs, 0);
        assert!(dev.state().commissioned);
        assert_eq!(
            dlms_data(&resp)[3],
            w.now.to_cosem().to_octet_string(),
            "device time after setting"
        );
    }
}

#[test]
fn ecs70_outside_the_validity_interval_fails_and_keeps_the_clock() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.state_mut().clock_offset_secs = 42;
    let start = w.now.plus_seconds(600).unwrap();
    let pre = usecases::ecs70_set_clock(&header(&w.supplier, &dev, 1000), start, 20).unwrap();
    let wan = w.critical(pre, &w.supplier, &dev);
    let reply = dev.handle(&wan, w.now);
    assert_eq!(
        reply.outcome,
        Outcome::Executed {
            message_code: gbcs::MessageCode::ECS70,
            success: false
        }
    );
    let bytes = reply.response.unwrap();
    let resp = open(&bytes, &dev, &w.supplier);
    // As the RTDS ERROR vectors: the GET of the time (request 3) fails, the last is not executed.
    for (dir, file) in [
        ("6.11_ECS70", "ECS70_6.11_ERROR_RESPONSE_GBCS.HEX"),
        (
            "8.1.1_ECS70Commission",
            "ECS70Commission_8.1.1_ERROR_RESPONSE_GBCS.HEX",
        ),
    ] {
        assert_eq!(
            assert_failure_like_rtds(&bytes, dir, file),
            usecases::Failure::Dlms {
                index: 3,
                result: 1
            }
        );
    }
    assert_eq!(
        payload_shape(Cra::Response, &resp.content),
        "DA invoke=20 dt=0 specs=None data=[null,null,null,null,null] results=[Set(0), Action(0), Action(0), Get(1), Get(250)]"
    );
    assert_eq!(dev.state().clock_offset_secs, 42);
    assert!(!dev.state().commissioned);
}

#[test]
fn gcs28_sets_the_clock_and_commissions() {
    for (dir, file) in [
        ("6.11_GCS28", "GCS28_6.11_SUCCESS_RESPONSE_GBCS.HEX"),
        (
            "8.1.1_GCS28Commission",
            "GCS28Commission_8.1.1_SUCCESS_RESPONSE_GBCS.HEX",
        ),
    ] {
        let w = World::new();
        let mut dev = w.device(DeviceKind::Gsme, GSME);
        dev.state_mut().clock_offset_secs = 900;
        let start = gbcs::UtcDateTime::from_unix(w.now.to_unix() - 1800).unwrap();
        let pre = usecases::gcs28_set_clock(&header(&w.supplier, &dev, 1000), start, 3600).unwrap();
        let wan = w.critical(pre, &w.supplier, &dev);
        let (_, resp) = exchange(&w, &mut dev, &wan, dir, file);
        assert!(resp.content.ends_with(b"20150101000000Z\x02\x01\x00"));
        assert_eq!(dev.state().clock_offset_secs, 0);
        assert!(dev.state().commissioned);
    }
}

#[test]
fn gcs28_outside_the_validity_interval_answers_result_2() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    let start = w.now.plus_seconds(3600).unwrap();
    let pre = usecases::gcs28_set_clock(&header(&w.supplier, &dev, 1002), start, 3600).unwrap();
    let wan = w.critical(pre, &w.supplier, &dev);
    let reply = dev.handle(&wan, w.now);
    assert!(matches!(
        reply.outcome,
        Outcome::Executed { success: false, .. }
    ));
    let bytes = reply.response.unwrap();
    open(&bytes, &dev, &w.supplier);
    assert_same_structure(
        &bytes,
        &rtds("6.11_GCS28", "GCS28_6.11_ERROR_RESPONSE_GBCS.HEX"),
        "GCS28 error",
    );
    assert!(
        Frame::decode(&bytes)
            .unwrap()
            .apdu()
            .content
            .ends_with(&[2, 1, 2])
    );
    assert!(!dev.state().commissioned);
}

#[test]
fn ccs01_and_ccs02_maintain_the_chf_device_log() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Chf, CHF);
    let joining = Eui64::from_u64(ESME);
    let add = DeviceLogAddition::new(joining, b"0123456789ABCDEF".to_vec(), 90);
    let wan = w.wan(
        usecases::ccs01_add_device_to_chf_device_log(&on_behalf(&w, &dev, 1302, 1002), &add),
        &dev,
    );
    exchange(
        &w,
        &mut dev,
        &wan,
        "8.11_CCS01",
        "CCS01_8.11_SUCCESS_RESPONSE_GBCS.HEX",
    );
    let log = &dev.state().device_log;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].device, joining);
    assert_eq!(log[0].install_code, b"0123456789ABCDEF");
    assert_eq!(log[0].join_time_period, 90);

    let wan = w.wan(
        usecases::ccs02_remove_device_from_chf_device_log(
            &on_behalf(&w, &dev, 1303, 1003),
            joining,
        ),
        &dev,
    );
    exchange(
        &w,
        &mut dev,
        &wan,
        "8.11_CCS02",
        "CCS02_8.11_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert!(dev.state().device_log.is_empty());

    // Removing it again fails, with the RTDS error layout.
    let wan = w.wan(
        usecases::ccs02_remove_device_from_chf_device_log(
            &on_behalf(&w, &dev, 1304, 1004),
            joining,
        ),
        &dev,
    );
    let reply = dev.handle(&wan, w.now);
    assert!(matches!(
        reply.outcome,
        Outcome::Executed { success: false, .. }
    ));
    let bytes = reply.response.unwrap();
    open(&bytes, &dev, &w.acb);
    assert_same_structure(
        &bytes,
        &rtds("8.11_CCS02", "CCS02_8.11_ERROR_RESPONSE_GBCS.HEX"),
        "CCS02 error",
    );
}

#[test]
fn ccs01_fails_when_the_device_log_is_full() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Chf, CHF);
    for i in 0..=devices::DEVICE_LOG_CAPACITY as u64 {
        let add = DeviceLogAddition::new(Eui64::from_u64(0x1000 + i), vec![7; 16], 60);
        let wan = w.wan(
            usecases::ccs01_add_device_to_chf_device_log(
                &on_behalf(&w, &dev, 10 + i, 10 + i),
                &add,
            ),
            &dev,
        );
        let reply = dev.handle(&wan, w.now);
        let full = i == devices::DEVICE_LOG_CAPACITY as u64;
        assert_eq!(
            reply.outcome,
            Outcome::Executed {
                message_code: gbcs::MessageCode::CCS01,
                success: !full
            }
        );
        if full {
            let bytes = reply.response.unwrap();
            let resp = open(&bytes, &dev, &w.acb);
            // As the RTDS ERROR vector: register_device succeeds, the join timeout SET fails.
            assert_eq!(
                assert_failure_like_rtds(
                    &bytes,
                    "8.11_CCS01",
                    "CCS01_8.11_ERROR_RESPONSE_GBCS.HEX"
                ),
                usecases::Failure::Dlms {
                    index: 1,
                    result: 1
                }
            );
            assert_eq!(
                payload_shape(Cra::Response, &resp.content),
                "DA invoke=20 dt=0 specs=None data=[null,null,null] results=[Action(0), Set(1), Set(250)]"
            );
        }
    }
    assert_eq!(dev.state().device_log.len(), devices::DEVICE_LOG_CAPACITY);
}

#[test]
fn structure_comparison_is_discriminating() {
    let shape = |dir: &str, file: &str| {
        let b = rtds(dir, file);
        let f = Frame::decode(&b).unwrap();
        (
            frame_shape(&b),
            payload_shape(f.apdu().cra, &f.apdu().content),
        )
    };
    let ecs52 = shape("11.2_ECS52", "ECS52_11.2_SUCCESS_RESPONSE_GBCS.HEX");
    assert_eq!(
        ecs52,
        (
            "DD cra=Response dt=false code=MessageCode(0x0059 ECS52) oi=none sig=00".to_string(),
            "DA invoke=20 dt=0 specs=None data=[os4] results=[Get(0)]".to_string()
        )
    );
    let pairs = [
        ("11.2_ECS52", "ECS52_11.2_ERROR_RESPONSE_GBCS.HEX"),
        ("7.4_ECS45", "ECS45_7.4_SUCCESS_RESPONSE_GBCS.HEX"),
        ("7.1_ECS42", "ECS42_7.1_SUCCESS_RESPONSE_GBCS.HEX"),
        ("7.4_GCS33", "GCS33_7.4_ERROR_RESPONSE_GBCS.HEX"),
        ("4.1.1_GCS13a", "GCS13a_4.1.1_ERROR_RESPONSE_GBCS.HEX"),
    ];
    let mut seen = vec![ecs52];
    for (d, f) in pairs {
        let s = shape(d, f);
        assert!(!seen.contains(&s), "{f} indistinguishable");
        seen.push(s);
    }
    assert_eq!(
        shape("7.4_GCS33", "GCS33_7.4_SUCCESS_RESPONSE_GBCS.HEX").1,
        "GBZ plain ctl=01 cl=0702 fdt=false fc=08 seq=0 cmd=01 [(517, 0, Some(33)), (20, 0, Some(48))]"
    );
}

#[test]
fn ecs09_and_gcs06_activate_the_emergency_credit_once() {
    let mut w = World::new();
    for (kind, eui, dir, file) in [
        (
            DeviceKind::Esme,
            ESME,
            "2.5_ECS09",
            "ECS09_2.5_SUCCESS_RESPONSE_GBCS.HEX",
        ),
        (
            DeviceKind::Gsme,
            GSME,
            "2.5_GCS06",
            "GCS06_2.5_SUCCESS_RESPONSE_GBCS.HEX",
        ),
    ] {
        let mut dev = w.device(kind, eui);
        assert_eq!(dev.state().payment.emergency_credit_activated_at, None);
        let activate = |w: &World, dev: &EmulatedDevice, counter| {
            let h = header(&w.supplier, dev, counter);
            let pre = match kind {
                DeviceKind::Esme => usecases::ecs09_activate_emergency_credit(&h),
                _ => usecases::gcs06_activate_emergency_credit(&h).unwrap(),
            };
            w.critical(pre, &w.supplier, dev)
        };
        let wan = activate(&w, &dev, 1000);
        exchange(&w, &mut dev, &wan, dir, file);
        let at = Some(w.now.to_unix());
        assert_eq!(dev.state().payment.emergency_credit_activated_at, at);
        // Activating again succeeds and keeps the first activation.
        let later = w.now;
        w.now = w.now.plus_seconds(3600).unwrap();
        let wan = activate(&w, &dev, 1001);
        exchange(&w, &mut dev, &wan, dir, file);
        assert_eq!(dev.state().payment.emergency_credit_activated_at, at);
        w.now = later;
    }
}

#[test]
fn ecs05_resets_the_block_counters() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    assert_eq!(dev.state().payment.block_counters_reset_at, None);
    let pre = usecases::ecs05_reset_tariff_block_counter_matrix(&header(&w.supplier, &dev, 1000));
    let wan = w.critical(pre, &w.supplier, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "1.7_ECS05",
        "ECS05_1.7_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(
        dev.state().payment.block_counters_reset_at,
        Some(w.now.to_unix())
    );
}

#[test]
fn ecs07_and_gcs04_update_the_debt_which_then_recovers() {
    let mut w = World::new();
    // ESME: each debt adjusted from the configured registers (none), 30p and £1.50 a day.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let u = usecases::EsmeDebtUpdate {
        time_debt_rates: [3, 15],
        time_debt_price_scales: [-1, -1],
        time_debt_periods: [86_400, 86_400],
        debt_recovery_per_payment: 1000,
        payment_debt_adjustment: 50_000,
        time_debt_adjustments: [30_000, 15_000],
    };
    let pre = usecases::ecs07_update_debt(&header(&w.supplier, &dev, 1001), &u);
    let wan = w.critical(pre, &w.supplier, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "2.3_ECS07",
        "ECS07_2.3_SUCCESS_RESPONSE_GBCS.HEX",
    );
    let t0 = w.now.to_unix();
    let debt = dev.state().debt.clone();
    assert_eq!(debt.updated_at, Some(t0));
    assert_eq!(debt.registers, [30_000, 15_000, 50_000]);
    assert_eq!(debt.rates, [30_000, 150_000]);
    assert_eq!(debt.per_payment, 1000);
    let none = [0; 3];
    // Half a day later: 15p and 75p recovered (debt 2 floored at zero).
    assert_eq!(debt.registers_at(t0 + 43_200, none), [15_000, 0, 50_000]);
    assert_eq!(debt.recovered(t0 + 43_200), 30_000);
    assert_eq!(debt.registers_at(t0 + 86_400, none), [0, 0, 50_000]);
    assert_eq!(debt.recovered(t0 + 10 * 86_400), 45_000);
    // A second update a day later adjusts what is left; what was recovered stays paid.
    w.now = w.now.plus_seconds(86_400).unwrap();
    let pre = usecases::ecs07_update_debt(&header(&w.supplier, &dev, 1002), &u);
    let wan = w.critical(pre, &w.supplier, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "2.3_ECS07",
        "ECS07_2.3_SUCCESS_RESPONSE_GBCS.HEX",
    );
    let debt = dev.state().debt.clone();
    assert_eq!(debt.registers, [30_000, 15_000, 100_000]);
    assert_eq!(debt.recovered_before, 45_000);

    // GSME: absolute amounts replace the debts... the RTDS ones are incremental.
    let mut gas = w.device(DeviceKind::Gsme, GSME);
    let d = |amount, recovery_method, amount_type, frequency, recovery_amount, pct| {
        usecases::ChangeDebt {
            issuer_event_id: 0x1C37_4A80,
            label: Vec::new(),
            amount,
            recovery_method,
            amount_type,
            start_time: 0,
            collection_time: 0,
            frequency,
            recovery_amount,
            balance_percentage: pct,
        }
    };
    let debts = [
        d(1_000_000, 0, 1, 1, 50_000, 0),
        d(500_000, 0, 3, 0, 50_000, 0),
        d(1_000_000, 1, 5, 1, 0, 100),
    ];
    let pre = usecases::gcs04_update_debt(&header(&w.supplier, &gas, 1000), &debts).unwrap();
    let wan = w.critical(pre, &w.supplier, &gas);
    exchange(
        &w,
        &mut gas,
        &wan,
        "2.3_GCS04",
        "GCS04_2.3_SUCCESS_RESPONSE_GBCS.HEX",
    );
    let debt = gas.state().debt.clone();
    let t1 = w.now.to_unix();
    assert_eq!(debt.registers, [1_000_000, 500_000, 1_000_000]);
    assert_eq!(debt.periods, [86_400, 3_600]);
    assert_eq!(debt.per_payment, 100);
    // Two hours: debt 2 recovers 50p an hour, debt 1 50p a day.
    assert_eq!(
        debt.registers_at(t1 + 7_200, none),
        [1_000_000 - 50_000 * 7_200 / 86_400, 400_000, 1_000_000]
    );
    // A negative incremental amount reduces a debt, never below zero.
    let mut less = debts.clone();
    less[0].amount = (-2_000_000i32) as u32;
    let pre = usecases::gcs04_update_debt(&header(&w.supplier, &gas, 1001), &less).unwrap();
    let wan = w.critical(pre, &w.supplier, &gas);
    exchange(
        &w,
        &mut gas,
        &wan,
        "2.3_GCS04",
        "GCS04_2.3_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(gas.state().debt.registers, [0, 1_000_000, 2_000_000]);
}

/// Reads the boost function data (ECS61c) at `at`: the values, checked against the RTDS SUCCESS
/// response's results.
fn ecs61c(w: &World, dev: &mut EmulatedDevice, counter: u64, at: gbcs::UtcDateTime) -> Vec<Data> {
    let period = usecases::LogPeriod {
        start: gbcs::UtcDateTime::from_unix(at.to_unix() - 86_400).unwrap(),
        end: at,
    };
    let wan = w.wan(
        usecases::ecs61c_read_boost_function_data(&header(&w.supplier, dev, counter), &period),
        dev,
    );
    let reply = dev.handle(&wan, at);
    let bytes = reply.response.expect("a response");
    let theirs = rtds("7.11_ECS61c", "ECS61c_7.11_SUCCESS_RESPONSE_GBCS.HEX");
    assert_eq!(frame_shape(&bytes), frame_shape(&theirs));
    let ours = open(&bytes, dev, &w.supplier);
    let theirs = Frame::decode(&theirs).unwrap().apdu().clone();
    let (Payload::AccessResponse(o), Payload::AccessResponse(t)) =
        (ours.payload(), theirs.payload())
    else {
        panic!("not DLMS")
    };
    assert_eq!(o.results, t.results);
    o.data
}

#[test]
fn ecs62_adds_and_removes_boost_button_controllers_and_ecs61c_reads_them() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let (on, off) = (Data::Boolean(0xFF), Data::Boolean(0));
    let v = ecs61c(&w, &mut dev, 1, w.now);
    assert_eq!(v[0], off, "no boost in force");
    assert_eq!(
        v[1],
        usecases::logs_common::entries_compact_array(2, &[]),
        "an empty boost log"
    );
    assert_eq!(v[2..], vec![off.clone(); 5][..]);
    // 7.9: all five, as the RTDS vector.
    let add = usecases::ecs62_set_boost_association(
        &header(&w.supplier, &dev, 1000),
        usecases::BoostAssociation {
            add: true,
            controllers: [true; 5],
        },
    )
    .unwrap();
    let wan = w.wan(add, &dev);
    let (_, resp) = exchange(
        &w,
        &mut dev,
        &wan,
        "7.9_ECS62Add",
        "ECS62Add_7.9_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(dlms_data(&resp), vec![Data::Null; 5]);
    assert_eq!(
        ecs61c(&w, &mut dev, 1001, w.now)[2..],
        vec![on.clone(); 5][..]
    );
    // 7.10: controllers 2 and 4 only; the others keep their association.
    let remove = usecases::ecs62_set_boost_association(
        &header(&w.supplier, &dev, 1002),
        usecases::BoostAssociation {
            add: false,
            controllers: [false, true, false, true, false],
        },
    )
    .unwrap();
    let wan = w.wan(remove, &dev);
    let reply = dev.handle(&wan, w.now);
    assert_eq!(
        reply.outcome,
        Outcome::Executed {
            message_code: gbcs::MessageCode::ECS62,
            success: true
        }
    );
    assert_eq!(
        ecs61c(&w, &mut dev, 1003, w.now)[2..],
        [on.clone(), off.clone(), on.clone(), off, on][..]
    );
    assert_eq!(
        dev.state().aux_controllers.boost,
        [true, false, true, false, true]
    );
}

#[test]
fn ecs61d_and_ecs61e_read_the_controllers_configuration_and_the_levels_ecs47a_commands() {
    use usecases::AuxControllerState;
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    // The values are this emulation's (no descriptions, no calendar, no HCALCS): the frame and
    // the results are the RTDS SUCCESS vector's.
    let read = |dev: &mut EmulatedDevice, cmd: GeneralSigning, dir: &str, file: &str| {
        let wan = w.wan(cmd.clone(), dev);
        let reply = dev.handle(&wan, w.now);
        let bytes = reply.response.expect("a response");
        let theirs = rtds(dir, file);
        assert_eq!(frame_shape(&bytes), frame_shape(&theirs), "{file}");
        let ours = open(&bytes, dev, w.party(cmd.originator));
        let theirs = Frame::decode(&theirs).unwrap().apdu().clone();
        let (Payload::AccessResponse(o), Payload::AccessResponse(t)) =
            (ours.payload(), theirs.payload())
        else {
            panic!("not DLMS")
        };
        assert_eq!(o.results, t.results, "{file}");
        ours
    };
    // The RTDS SUCCESS vector is the ACB's, on the supplier's behalf.
    let h = CommandHeader::on_behalf_of(w.acb.eui, dev.eui(), 1300, w.supplier.eui, 1000);
    let config = read(
        &mut dev,
        usecases::ecs61d_read_auxiliary_controller_configuration(&h),
        "7.14_ECS61d",
        "ECS61d_7.14_SUCCESS_RESPONSE_GBCS.HEX",
    );
    let v = dlms_data(&config);
    assert_eq!(v[..5], vec![Data::VisibleString(vec![]); 5][..]);
    assert_eq!(v[5..], vec![Data::Array(vec![]); 2][..]);
    let operational = |dev: &mut EmulatedDevice, counter| {
        let h = header(&w.supplier, dev, counter);
        let r = read(
            dev,
            usecases::ecs61e_read_auxiliary_controller_operational(&h),
            "7.15_ECS61e",
            "ECS61e_7.15_SUCCESS_RESPONSE_GBCS.HEX",
        );
        dlms_data(&r)
    };
    let json = |o, i| Data::Utf8String(usecases::ecs61e::operational_state_json(o, i));
    let v = operational(&mut dev, 2);
    assert_eq!(v[..5], vec![Data::OctetString(vec![0; 8]); 5][..]);
    assert_eq!(v[5..], vec![json(0, 0); 5][..]);
    // 7.13: controller 3 at 50 from its input, over the present hour.
    let pre = usecases::ecs47a_set_auxiliary_controller_state(
        &header(&w.supplier, &dev, 1000),
        AuxControllerState {
            index: 3,
            start: gbcs::UtcDateTime::from_unix(w.now.to_unix() - 60).unwrap(),
            end: w.now.plus_seconds(3600).unwrap(),
            level: 50,
            input_from_controlled_load: true,
        },
    )
    .unwrap();
    let wan = w.critical(pre, &w.supplier, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "7.13_ECS47a",
        "ECS47a_7.13_APC_INPUT_SUCCESS_RESPONSE_GBCS.HEX",
    );
    let v = operational(&mut dev, 1001);
    assert_eq!(v[7], json(50, 50));
    assert_eq!(
        (&v[5], &v[6], &v[8], &v[9]),
        (&json(0, 0), &json(0, 0), &json(0, 0), &json(0, 0))
    );
}

#[test]
fn ecs47e_limits_an_apc_for_its_period_and_only_from_the_load_controller() {
    use usecases::AuxControllerState;
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let at = |s: u32| w.now.plus_seconds(s).unwrap();
    let limit = |start, end, level| AuxControllerState {
        index: 3,
        start,
        end,
        level,
        input_from_controlled_load: true,
    };
    // 7.13: controller 3 at 100 for two hours.
    let pre = usecases::ecs47a_set_auxiliary_controller_state(
        &header(&w.supplier, &dev, 1000),
        AuxControllerState {
            level: 100,
            input_from_controlled_load: false,
            ..limit(w.now, at(7200), 100)
        },
    )
    .unwrap();
    let wan = w.critical(pre, &w.supplier, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "7.13_ECS47a",
        "ECS47a_7.13_APC_OUTPUT_SUCCESS_RESPONSE_GBCS.HEX",
    );
    // The supplier may not send ECS47e: refused, nothing set.
    let pre = usecases::ecs47e_limit_apc_level(
        &header(&w.supplier, &dev, 1001),
        limit(w.now, at(3600), 50),
    )
    .unwrap();
    let wan = w.critical(pre, &w.supplier, &dev);
    let reply = dev.handle(&wan, w.now);
    assert!(
        !matches!(reply.outcome, Outcome::Executed { .. }),
        "{:?}",
        reply.outcome
    );
    assert_eq!(dev.state().aux_controllers.apc_limits, [None; 5]);
    // The load controller limits it to 50 for the first hour.
    let pre = usecases::ecs47e_limit_apc_level(
        &CommandHeader::new(w.load_controller.eui, dev.eui(), 9001),
        limit(w.now, at(3600), 50),
    )
    .unwrap();
    let wan = w.critical(pre, &w.load_controller, &dev);
    let (_, resp) = exchange(
        &w,
        &mut dev,
        &wan,
        "7.16_ECS47e",
        "ECS47e_7.16_APC_INPUT_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(dlms_data(&resp), vec![Data::Null; 3]);
    let level = |dev: &mut EmulatedDevice, counter, t| {
        let wan = w.wan(
            usecases::ecs61e_read_auxiliary_controller_operational(&header(
                &w.supplier,
                dev,
                counter,
            )),
            dev,
        );
        let reply = dev.handle(&wan, t);
        let r = open(&reply.response.unwrap(), dev, &w.supplier);
        dlms_data(&r)[7].clone()
    };
    let json = |o| Data::Utf8String(usecases::ecs61e::operational_state_json(o, 0));
    assert_eq!(level(&mut dev, 1002, at(60)), json(50), "limited");
    assert_eq!(level(&mut dev, 1003, at(3600)), json(100), "limit over");
}
