//! Persistence (serde round trip of identity and state) and out-of-band events (power outage).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::{
    DeviceError, DeviceIdentity, DeviceKind, DeviceState, EmulatedDevice, EventKind, Outcome,
    Refusal, SupplyState,
};
use gbcs::usecases::{self, CommandHeader};
use gbcs::{AlertCode, Frame, MessageCode, Payload, UtcDateTime};

/// An ESME whose supply a critical command has disabled, with one device log entry: a state
/// with content in most of its parts.
/// Returns the world, the device and the command it handled.
fn disabled_esme_with_a_device_log() -> (World, devices::EmulatedDevice, Vec<u8>) {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let eui = dev.eui();
    let pre = usecases::ecs43_disable_supply(&CommandHeader::new(w.supplier.eui, eui, 1000));
    let wan = w.critical(pre, &w.supplier, &dev);
    assert!(dev.handle(&wan, w.now).state_changed);
    dev.state_mut().device_log.push(devices::DeviceLogEntry {
        device: gbcs::Eui64::from_u64(GSME),
        install_code: vec![0xAB; 16],
        join_time_period: 60,
        key_type: 1,
        entry_flags: 0,
    });
    (w, dev, wan)
}

#[test]
fn state_and_identity_survive_a_json_round_trip() {
    let (w, dev, wan) = disabled_esme_with_a_device_log();
    let eui = dev.eui();

    let identity_json = serde_json::to_string(dev.identity()).unwrap();
    let state_json = serde_json::to_string_pretty(dev.state()).unwrap();
    assert!(
        !format!("{:?}", dev.identity()).contains(&hex::encode(&dev.identity().ka_private_pkcs8))
    );
    let identity: DeviceIdentity = serde_json::from_str(&identity_json).unwrap();
    let state: DeviceState = serde_json::from_str(&state_json).unwrap();
    assert_eq!(&identity, dev.identity());
    assert_eq!(&state, dev.state());
    assert_eq!(state.supply, SupplyState::Disabled);

    let ds = dev.ds_public_key().unwrap();
    let mut restored = EmulatedDevice::new(identity, state).unwrap();
    assert_eq!(restored.ds_public_key().unwrap(), ds);
    // The anti-replay counter survived: the same command is a replay.
    let r = restored.handle(&wan, w.now);
    assert_eq!(
        r.outcome,
        Outcome::Refused(Refusal::Replay {
            last_accepted: 1000
        })
    );
    // And the restored device answers with the same keys.
    let wan = w.wan(
        usecases::ecs45_read_supply_status(&CommandHeader::new(w.supplier.eui, eui, 1001)),
        &restored,
    );
    let r = restored.handle(&wan, w.now);
    let resp = open(&r.response.unwrap(), &dev, &w.supplier);
    assert!(resp.content.ends_with(&[0x16, 0x00, 0x01, 0x01, 0x00]));
}

#[test]
fn the_compact_stored_form_round_trips_and_a_read_rewrites_no_body() {
    use devices::EventLog;
    use devices::stored::{self, FORMAT};
    let (w, mut dev, _) = disabled_esme_with_a_device_log();
    let eui = dev.eui();
    let state = dev.state_mut();
    state
        .faults
        .insert(devices::DeviceFault::MeteringAttribute(0x0302));
    state.power_outage_since = Some(1_700_000_000);

    let body = stored::encode_body(dev.state()).unwrap();
    let counters = stored::encode_counters(dev.state()).unwrap();
    let events: Vec<Vec<u8>> = dev
        .state()
        .event_log
        .iter()
        .map(|e| stored::encode_event(e).unwrap())
        .collect();
    let log = EventLog::from_events(events.iter().map(|e| stored::decode_event(e).unwrap()));
    assert_eq!(
        &stored::decode_state(&body, &counters, log).unwrap(),
        dev.state()
    );
    let json = serde_json::to_string(dev.state()).unwrap();
    assert!(
        body.len() + counters.len() + events.concat().len() < json.len() / 2,
        "compact: {} + {} + {} bytes against {} of JSON",
        body.len(),
        counters.len(),
        events.concat().len(),
        json.len()
    );

    // The device as the WAN loads it for a command (no event log), then a read: the counters
    // and one event change, the body's encoding does not.
    dev.state_mut().power_outage_since = None;
    let body = stored::encode_body(dev.state()).unwrap();
    let state = stored::decode_state(&body, &counters, EventLog::default()).unwrap();
    let mut loaded = EmulatedDevice::new(dev.identity().clone(), state).unwrap();
    let read = usecases::ecs45_read_supply_status(&CommandHeader::new(w.supplier.eui, eui, 1001));
    let r = loaded.handle(&w.wan(read, &loaded), w.now.plus_seconds(60).unwrap());
    assert!(matches!(r.outcome, Outcome::Executed { success: true, .. }));
    assert!(r.state_changed);
    assert_eq!(stored::encode_body(loaded.state()).unwrap(), body);
    assert_ne!(stored::encode_counters(loaded.state()).unwrap(), counters);
    let unsaved: Vec<_> = loaded.state().event_log.unsaved().collect();
    assert_eq!(unsaved.len(), 1);
    assert!(matches!(
        unsaved[0].kind,
        EventKind::CommandExecuted { counter: 1001, .. }
    ));

    // Another format, or truncated bytes, are refused rather than misread.
    let mut other = body.clone();
    other[0] = FORMAT + 1;
    assert!(stored::decode_state(&other, &counters, EventLog::default()).is_err());
    assert!(stored::decode_state(&body[..body.len() / 2], &counters, EventLog::default()).is_err());
    assert!(stored::decode_state(&body, &[], EventLog::default()).is_err());
    assert!(stored::decode_event(&events[0][..2]).is_err());
}

#[test]
fn corrupt_persisted_data_is_rejected() {
    let w = World::new();
    let dev = w.device(DeviceKind::Gsme, GSME);
    let mut v: serde_json::Value = serde_json::to_value(dev.state()).unwrap();
    let anchors = &mut v["trust_anchors"]["Supplier"]["ka_public"];
    let mut point = anchors.as_str().unwrap().to_string();
    point.replace_range(4..6, if &point[4..6] == "00" { "01" } else { "00" });
    *anchors = serde_json::Value::String(point);
    assert!(
        serde_json::from_value::<DeviceState>(v).is_err(),
        "point off the curve"
    );

    let mut id = dev.identity().clone();
    id.ka_private_pkcs8.truncate(10);
    assert!(matches!(
        EmulatedDevice::new(id, dev.state().clone()),
        Err(DeviceError::Key(_))
    ));
}

#[test]
fn chf_power_outage_notice_and_restoration() {
    let w = World::new();
    let mut chf = w.device(DeviceKind::Chf, CHF);
    chf.state_mut().clock_offset_secs = 5;
    let notice = chf.power_outage_alert(w.now).unwrap();
    assert_eq!(notice.comms_hub, chf.eui());
    assert_eq!(notice.start, w.now.plus_seconds(5).unwrap());
    assert!(matches!(
        chf.state().event_log.last().map(|e| &e.kind),
        Some(EventKind::PowerLost)
    ));
    let later = w.now.plus_seconds(600).unwrap();
    let r = chf.power_restored(later);
    assert!(r.state_changed);
    assert!(r.alerts.is_empty());
    assert_eq!(chf.state().power_outage_since, None);
    // Nothing to restore twice.
    assert!(!chf.power_restored(later).state_changed);

    let mut esme = w.device(DeviceKind::Esme, ESME);
    assert!(matches!(
        esme.power_outage_alert(w.now),
        Err(DeviceError::NotSupported { .. })
    ));
}

#[test]
fn esme_raises_ecs80_when_power_returns() {
    let w = World::new();
    let mut esme = w.device(DeviceKind::Esme, ESME);
    assert!(esme.power_lost(w.now));
    assert!(!esme.power_lost(w.now), "already out");
    let back = w.now.plus_seconds(540).unwrap();
    let r = esme.power_restored(back);
    assert_eq!(r.alerts.len(), 1);
    let a = open(&r.alerts[0], &esme, &w.network_operator);
    assert_eq!(a.recipient, w.network_operator.eui);
    assert_eq!(a.message_code(), MessageCode(0x0067));
    assert_same_structure(
        &r.alerts[0],
        &rtds("NA_ECS80", "ECS80_NA_8F36_ALERT_GBCS.HEX"),
        "ECS80",
    );
    let Payload::DataNotification(n) = a.payload() else {
        panic!()
    };
    let gbcs::axdr::Data::Structure(body) = n.body else {
        panic!()
    };
    assert_eq!(body[2], w.now.to_cosem().to_octet_string(), "outage start");
    assert_eq!(body[3], back.to_cosem().to_octet_string(), "restoration");

    // A short outage is 0x8F35.
    esme.power_lost(back);
    let r = esme.power_restored(back.plus_seconds(60).unwrap());
    let a = open(&r.alerts[0], &esme, &w.network_operator);
    let Payload::DataNotification(n) = a.payload() else {
        panic!()
    };
    assert_eq!(n.alert_code(), Some(AlertCode(0x8F35)));
}

#[test]
fn registers_do_not_advance_during_an_outage() {
    let w = World::new();
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    let t = |s: u32| w.now.plus_seconds(s).unwrap();
    gsme.power_lost(t(3600));
    gsme.power_restored(t(7200));
    let m = &gsme.state().metering;
    let v = |s: u32| m.gas_import_litres(t(s).to_unix());
    assert_eq!(v(7200), v(3600), "nothing flows during the outage");
    assert!(
        v(3600) > v(0) && v(10_800) > v(7200),
        "it flows before and after"
    );
    // Exactly the two hours of flow, at the meter's load shape.
    let mut always = m.clone();
    always.history.clear();
    always.flowing_since = Some(t(0).to_unix());
    let flowed = always.consumed(
        devices::Channel::GasVolume,
        t(0).to_unix(),
        t(3600).to_unix(),
    ) + always.consumed(
        devices::Channel::GasVolume,
        t(7200).to_unix(),
        t(10_800).to_unix(),
    );
    assert!(v(10_800).abs_diff(flowed) <= 1, "{} vs {flowed}", v(10_800));
}

#[test]
fn clock_offset_shows_in_timestamps() {
    let w = World::new();
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    gsme.state_mut().clock_offset_secs = -60;
    let bytes = gsme.raise_alert(AlertCode(0x8F3F), w.now).unwrap();
    let a = open(&bytes, &gsme, &w.supplier);
    let Payload::Gbz(gbcs::gbz::GbzPayload::Alert { timestamp, .. }) = a.payload() else {
        panic!()
    };
    let expected = UtcDateTime::from_unix(w.now.to_unix() - 60).unwrap();
    assert_eq!(Some(timestamp), expected.to_zigbee_utc());
    assert!(matches!(Frame::decode(&bytes).unwrap(), Frame::Signing(_)));
}
