//! Device future dating: a GCS32 whose implementation date-time lies ahead is acknowledged at
//! once and changes nothing; at that time (`EmulatedDevice::tick`) the valve closes and the GSME
//! raises the future-dated outcome alert 8F66 (8F67 if the valve fails), framed like the RTDS
//! GBZ future-dated alert vectors and decoded by `gbcs::alerts` as naming the command.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::{DeviceFault, DeviceKind, DeviceState, EmulatedDevice, Outcome, SupplyState};
use gbcs::alerts::{FutureDatedInstruction, FutureDatedResult};
use gbcs::gbz::{GbzAlertBody, GbzPayload};
use gbcs::usecases::{self, CommandHeader};
use gbcs::{Frame, MessageCode, UtcDateTime};

const RTDS_GBZ_8F66: (&str, &str) = (
    "1.1.1_GCS01a",
    "GCS01a_1.1.1_8F66_FUTURE_DATED_BLOCK_SUCCESS_ALERT_PUBLISH_CALENDAR_GBCS.HEX",
);

fn future_close(w: &World, dev: &EmulatedDevice, counter: u64, at: UtcDateTime) -> Vec<u8> {
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), counter);
    let pre =
        usecases::gcs32_disable_supply_at(&h, 0x1C37_4A80, at.to_zigbee_utc().unwrap()).unwrap();
    w.critical(pre, &w.supplier, dev)
}

fn later(t: UtcDateTime, secs: i64) -> UtcDateTime {
    UtcDateTime::from_unix(t.to_unix() + secs).unwrap()
}

/// Sends the future-dated GCS32; checks the immediate answer; returns the device.
fn accepted(w: &World, at: UtcDateTime) -> EmulatedDevice {
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    // A credit mode meter: no prepayment event (devices::prepay) held beside the command.
    dev.state_mut().payment_mode.credit = true;
    let wan = future_close(w, &dev, 1000, at);
    let reply = dev.handle(&wan, w.now);
    assert_eq!(
        reply.outcome,
        Outcome::Executed {
            message_code: MessageCode::GCS32,
            success: true
        }
    );
    assert!(reply.alerts.is_empty());
    let resp = open(&reply.response.unwrap(), &dev, &w.supplier);
    // The Supply Status Response echoes the implementation time and reports the valve still ON.
    let mut tail = at.to_zigbee_utc().unwrap().to_le_bytes().to_vec();
    tail.push(0x02);
    assert!(resp.content.ends_with(&tail), "{:02x?}", resp.content);
    assert_eq!(dev.state().supply, SupplyState::Enabled);
    assert_eq!(dev.state().future_actions.len(), 1);
    dev
}

#[test]
fn a_future_dated_gcs32_closes_the_valve_at_its_time_and_raises_8f66() {
    let w = World::new();
    let at = later(w.now, 3600);
    let mut dev = accepted(&w, at);
    assert_eq!(dev.next_future_action_at(), Some(at.to_unix()));
    // Just before: nothing.
    assert!(dev.tick(later(at, -1)).unwrap().is_empty());
    assert_eq!(dev.state().supply, SupplyState::Enabled);
    // At the time: closed, one 8F66 to the supplier.
    let alerts = dev.tick(later(at, 5)).unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(dev.state().supply, SupplyState::Disabled);
    assert!(dev.state().future_actions.is_empty());
    assert_eq!(dev.next_future_action_at(), None);
    // Exactly once.
    assert!(dev.tick(later(at, 3600)).unwrap().is_empty());

    // Framed like the RTDS GBZ 8F66 vector: DF, CRA alert, message code 00CD, signed.
    let (dir, file) = RTDS_GBZ_8F66;
    let theirs = rtds(dir, file);
    assert_eq!(frame_shape(&alerts[0]), frame_shape(&theirs));
    let ours = open(&alerts[0], &dev, &w.supplier);
    let Frame::Signing(t) = Frame::decode(&theirs).unwrap() else {
        panic!("the RTDS vector is a DF frame");
    };
    assert_eq!(ours.content.len(), t.content.len(), "same payload length");
    let GbzPayload::Alert {
        component_count,
        alert_code,
        timestamp,
        body: GbzAlertBody::FutureDated(f),
        ..
    } = GbzPayload::decode_alert(&ours.content).unwrap()
    else {
        panic!("not a GBZ future-dated alert");
    };
    assert_eq!(component_count, 1);
    assert_eq!(alert_code.0, 0x8F66);
    assert_eq!(
        timestamp,
        at.to_zigbee_utc().unwrap(),
        "executed at its time"
    );
    assert_eq!(f.message_code, MessageCode::GCS32);
    assert_eq!(f.originator_counter, 1000);
    assert_eq!(f.cluster, 0x0702);
    assert_eq!(f.command, 0x0B);

    // `gbcs::alerts` reads it as the outcome of counter 1000 from the supplier.
    let decoded = gbcs::alerts::decode_alert(&alerts[0]).unwrap();
    let outcome = decoded.future_dated.expect("a future-dated outcome");
    assert_eq!(outcome.result, FutureDatedResult::Executed);
    assert_eq!(outcome.command.counter, 1000);
    assert!(matches!(
        outcome.instruction,
        FutureDatedInstruction::Gbz {
            cluster: 0x0702,
            command: 0x0B,
            ..
        }
    ));
}

#[test]
fn a_valve_that_fails_at_the_time_raises_8f67_and_stays_open() {
    let w = World::new();
    let at = later(w.now, 60);
    let mut dev = accepted(&w, at);
    dev.state_mut().faults.insert(DeviceFault::SupplySwitch);
    let alerts = dev.tick(at).unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(dev.state().supply, SupplyState::Enabled);
    let decoded = gbcs::alerts::decode_alert(&alerts[0]).unwrap();
    assert_eq!(
        decoded.future_dated.unwrap().result,
        FutureDatedResult::Failed
    );
}

#[test]
fn pending_actions_survive_the_state_round_trip_and_old_state_loads() {
    let w = World::new();
    let at = later(w.now, 600);
    let dev = accepted(&w, at);
    let json = serde_json::to_string(dev.state()).unwrap();
    let back: DeviceState = serde_json::from_str(&json).unwrap();
    assert_eq!(back.future_actions, dev.state().future_actions);
    // State stored before future dating has no field: it loads with none held.
    let fresh = w.device(DeviceKind::Gsme, GSME);
    let json = serde_json::to_string(fresh.state()).unwrap();
    assert!(!json.contains("future_actions"));
    let back: DeviceState = serde_json::from_str(&json).unwrap();
    assert!(back.future_actions.is_empty());
}

#[test]
fn an_implementation_time_already_reached_closes_at_once() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    // A credit mode meter: no prepayment event (devices::prepay) held beside the command.
    dev.state_mut().payment_mode.credit = true;
    let wan = future_close(&w, &dev, 1000, w.now);
    let reply = dev.handle(&wan, w.now);
    assert!(reply.response.is_some());
    assert_eq!(dev.state().supply, SupplyState::Disabled);
    assert!(dev.state().future_actions.is_empty());
}

#[test]
fn a_command_arriving_after_the_time_finds_the_instruction_executed() {
    let w = World::new();
    let at = later(w.now, 60);
    let mut dev = accepted(&w, at);
    // No tick in between: the next command (GCS33 read supply status) arrives after the time.
    let read =
        usecases::gcs33_read_supply_status(&CommandHeader::new(w.supplier.eui, dev.eui(), 1001))
            .unwrap();
    let wan = w.wan(read, &dev);
    let reply = dev.handle(&wan, later(at, 10));
    assert_eq!(reply.alerts.len(), 1, "the 8F66 goes out with the reply");
    let decoded = gbcs::alerts::decode_alert(&reply.alerts[0]).unwrap();
    assert_eq!(
        decoded.future_dated.unwrap().result,
        FutureDatedResult::Executed
    );
    let resp = open(&reply.response.unwrap(), &dev, &w.supplier);
    assert!(
        resp.content.ends_with(&[0x14, 0x00, 0x00, 0x30, 0x00]),
        "off"
    );
    assert_eq!(dev.state().supply, SupplyState::Disabled);
    assert!(dev.tick(later(at, 20)).unwrap().is_empty());
}
