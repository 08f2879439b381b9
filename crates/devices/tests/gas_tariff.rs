//! 1.1.1 / 1.2.1 tariffs and prices on the emulated GSME (`devices::gas_tariff_update`): GCS01a
//! and GCS01b (their parameters taken from the RTDS pre-commands) write the tariff GCS21f reads
//! answer from, answered like the RTDS RESPONSE vectors; a future-dated update is held and
//! applied at its time with one 8F66 alert per dated command, framed like the RTDS 8F66 vectors;
//! a cancellation drops it; a faulty meter answers like the RTDS ERROR vectors and changes
//! nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::{DeviceFault, DeviceKind, EmulatedDevice, Outcome};
use gbcs::gbz::{GbzAlertBody, GbzPayload};
use gbcs::usecases::{self, Activation, CommandHeader, DecodedCommand};
use gbcs::{Frame, GeneralSigning, UtcDateTime};

fn later(t: UtcDateTime, secs: i64) -> UtcDateTime {
    UtcDateTime::from_unix(t.to_unix() + secs).unwrap()
}

fn rtds_params(dir: &str, file: &str) -> DecodedCommand {
    let a = GeneralSigning::decode(&rtds(dir, file)).unwrap();
    usecases::decode_command(&a).unwrap()
}

fn with_activation(mut d: DecodedCommand, act: Activation) -> DecodedCommand {
    match &mut d {
        DecodedCommand::Gcs01a(t) => t.issue.activation = act,
        DecodedCommand::Gcs01b(p) => p.issue.activation = act,
        _ => panic!(),
    }
    d
}

fn command(w: &World, dev: &EmulatedDevice, counter: u64, d: &DecodedCommand) -> Vec<u8> {
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), counter);
    let pre = match d {
        DecodedCommand::Gcs01a(t) => usecases::gcs01a_update_import_tariff(&h, t).unwrap(),
        DecodedCommand::Gcs01b(p) => usecases::gcs01b_update_price(&h, p).unwrap(),
        _ => panic!(),
    };
    w.critical(pre, &w.supplier, dev)
}

fn attr(dev: &EmulatedDevice, id: u16) -> i64 {
    dev.state()
        .reads
        .gas_tariff
        .price_attributes
        .iter()
        .find(|a| a.id == id)
        .unwrap()
        .value
}

#[test]
fn immediate_updates_change_what_the_read_answers_like_the_rtds() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    let mut d = rtds_params(
        "1.1.1_GCS01a",
        "GCS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_PRECOMMAND_GBCS.HEX",
    );
    if let DecodedCommand::Gcs01a(t) = &mut d {
        t.prices.matrix.prices[1].1 = 12_345;
        t.calendar.days[0].entries = vec![(0, 1), (420, 2)];
    }
    let wan = command(&w, &dev, 1000, &d);
    let reply = dev.handle(&wan, w.now);
    assert!(matches!(
        reply.outcome,
        Outcome::Executed { success: true, .. }
    ));
    let file = "GCS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_RESPONSE_GBCS.HEX";
    let bytes = reply.response.unwrap();
    assert_same_structure(&bytes, &rtds("1.1.1_GCS01a", file), file);
    let resp = open(&bytes, &dev, &w.supplier);
    let theirs = Frame::decode(&rtds("1.1.1_GCS01a", file))
        .unwrap()
        .apdu()
        .clone();
    assert_eq!(
        resp.content, theirs.content,
        "Default Responses as the RTDS"
    );
    assert_eq!(attr(&dev, 0x0420), 12_345);
    assert_eq!(attr(&dev, 0x0301), 22_465);
    let cal = &dev.state().reads.gas_tariff.calendars[0];
    assert_eq!(cal.calendar_type, 0);
    assert_eq!(cal.days[0].entries, [(0, 1), (420, 2)]);
    assert_eq!(cal.special_days.len(), 10);

    let mut d = rtds_params(
        "1.2.1_GCS01b",
        "GCS01b_1.2.1_IMMEDIATE_TOU_SUCCESS_PRECOMMAND_GBCS.HEX",
    );
    if let DecodedCommand::Gcs01b(p) = &mut d {
        p.prices.information.standing_charge = 30_000;
    }
    let wan = command(&w, &dev, 1001, &d);
    let reply = dev.handle(&wan, w.now);
    let resp = open(&reply.response.unwrap(), &dev, &w.supplier);
    let file = "GCS01b_1.2.1_IMMEDIATE_TOU_SUCCESS_RESPONSE_GBCS.HEX";
    let theirs = Frame::decode(&rtds("1.2.1_GCS01b", file))
        .unwrap()
        .apdu()
        .clone();
    assert_eq!(resp.content, theirs.content);
    assert_eq!(attr(&dev, 0x0301), 30_000);
}

#[test]
fn a_future_dated_update_is_held_applied_at_its_time_and_alerted_per_dated_command() {
    let w = World::new();
    for (dir, stem, n) in [
        ("1.1.1_GCS01a", "GCS01a_1.1.1_FUTURE_DATED_BLOCK_SUCCESS", 5),
        ("1.2.1_GCS01b", "GCS01b_1.2.1_FUTURE_DATED_BLOCK_SUCCESS", 2),
    ] {
        let mut dev = w.device(DeviceKind::Gsme, GSME);
        let at = later(w.now, 3600);
        let d = with_activation(
            rtds_params(dir, &format!("{stem}_PRECOMMAND_GBCS.HEX")),
            Activation::At(at),
        );
        let before = dev.state().reads.gas_tariff.clone();
        let reply = dev.handle(&command(&w, &dev, 1001, &d), w.now);
        assert!(matches!(
            reply.outcome,
            Outcome::Executed { success: true, .. }
        ));
        assert_eq!(dev.state().reads.gas_tariff, before, "held, not applied");
        assert_eq!(dev.next_future_action_at(), Some(at.to_unix()));
        assert!(dev.tick(later(at, -1)).unwrap().is_empty());
        let alerts = dev.tick(later(at, 5)).unwrap();
        assert_ne!(dev.state().reads.gas_tariff, before, "{stem}: applied");
        assert_eq!(alerts.len(), n, "{stem}");
        let mut named = Vec::new();
        for ours in &alerts {
            let a = open(ours, &dev, &w.supplier);
            let GbzPayload::Alert {
                body: GbzAlertBody::FutureDated(o),
                alert_code,
                ..
            } = GbzPayload::decode_alert(&a.content).unwrap()
            else {
                panic!()
            };
            assert_eq!(alert_code, gbcs::AlertCode(0x8F66));
            assert_eq!(o.originator_counter, 1001);
            named.push((o.cluster, o.command));
        }
        let mut theirs: Vec<(u64, (u16, u8))> =
            std::fs::read_dir(corpus_root().join("rtds/RTDS-4.5.0").join(dir))
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .filter(|f| f.contains("_ALERT_"))
                .map(|f| {
                    let a = GeneralSigning::decode(&rtds(dir, &f)).unwrap();
                    let GbzPayload::Alert {
                        body: GbzAlertBody::FutureDated(o),
                        ..
                    } = GbzPayload::decode_alert(&a.content).unwrap()
                    else {
                        panic!()
                    };
                    (a.counter, (o.cluster, o.command))
                })
                .collect();
        theirs.sort();
        let theirs: Vec<_> = theirs.into_iter().map(|x| x.1).collect();
        assert_eq!(named, theirs, "{stem}");
        assert!(dev.tick(later(at, 7200)).unwrap().is_empty(), "once");
    }
}

#[test]
fn a_cancellation_drops_the_held_update() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    // A credit-mode meter: no prepayment event of its own among the held actions.
    dev.state_mut().payment_mode.credit = true;
    let at = later(w.now, 3600);
    let d = rtds_params(
        "1.2.1_GCS01b",
        "GCS01b_1.2.1_FUTURE_DATED_BLOCK_SUCCESS_PRECOMMAND_GBCS.HEX",
    );
    let before = dev.state().reads.gas_tariff.clone();
    dev.handle(
        &command(
            &w,
            &dev,
            1001,
            &with_activation(d.clone(), Activation::At(at)),
        ),
        w.now,
    );
    assert!(dev.next_future_action_at().is_some());
    let reply = dev.handle(
        &command(&w, &dev, 1002, &with_activation(d, Activation::Cancel)),
        w.now,
    );
    assert!(matches!(
        reply.outcome,
        Outcome::Executed { success: true, .. }
    ));
    assert_eq!(dev.next_future_action_at(), None);
    assert!(dev.tick(later(at, 5)).unwrap().is_empty());
    assert_eq!(dev.state().reads.gas_tariff, before);
}

#[test]
fn a_faulty_meter_answers_like_the_rtds_error_and_changes_nothing() {
    let w = World::new();
    for (dir, stem, command_id) in [
        (
            "1.1.1_GCS01a",
            "GCS01a_1.1.1_FUTURE_DATED_BLOCK_ERROR",
            0x06,
        ),
        (
            "1.2.1_GCS01b",
            "GCS01b_1.2.1_FUTURE_DATED_BLOCK_ERROR",
            0x04,
        ),
    ] {
        let mut dev = w.device(DeviceKind::Gsme, GSME);
        dev.state_mut().faults.insert(DeviceFault::ZclCommand {
            cluster: 0x0700,
            command: command_id,
        });
        let d = with_activation(
            rtds_params(dir, &format!("{stem}_PRECOMMAND_GBCS.HEX")),
            Activation::Now,
        );
        let before = dev.state().reads.gas_tariff.clone();
        let reply = dev.handle(&command(&w, &dev, 1001, &d), w.now);
        assert!(matches!(
            reply.outcome,
            Outcome::Executed { success: false, .. }
        ));
        let resp = open(&reply.response.unwrap(), &dev, &w.supplier);
        let file = format!("{stem}_RESPONSE_GBCS.HEX");
        let theirs = Frame::decode(&rtds(dir, &file)).unwrap().apdu().clone();
        assert_eq!(resp.content, theirs.content, "{stem}");
        assert_eq!(dev.state().reads.gas_tariff, before);
        assert_eq!(dev.next_future_action_at(), None);
    }
}

#[test]
fn a_held_update_survives_a_reload_and_the_tariff_read_answers_what_was_written() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    let at = later(w.now, 3600);
    let mut d = rtds_params(
        "1.1.1_GCS01a",
        "GCS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_PRECOMMAND_GBCS.HEX",
    );
    if let DecodedCommand::Gcs01a(t) = &mut d {
        // Tier 1: the current price's tier.
        t.prices.matrix.prices[0].1 = 54_321;
        t.issue.activation = Activation::At(at);
    }
    dev.handle(&command(&w, &dev, 1001, &d), w.now);
    // Reloaded from its stored form (as after a DCC restart), the meter still holds it.
    let s = dev.state();
    let body = devices::stored::encode_body(s).unwrap();
    let counters = devices::stored::encode_counters(s).unwrap();
    let reloaded =
        devices::stored::decode_state(&body, &counters, devices::EventLog::default()).unwrap();
    assert_eq!(reloaded.future_actions, dev.state().future_actions);
    assert_eq!(reloaded.reads, dev.state().reads);
    *dev.state_mut() = reloaded;
    // Calendar, special days, tariff information, price matrix (a TOU tariff: no thresholds).
    assert_eq!(dev.tick(later(at, 5)).unwrap().len(), 4);
    assert_eq!(attr(&dev, 0x0410), 54_321);
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), 1002);
    let read = usecases::gcs21f_read_tariff(&h).unwrap();
    let reply = dev.handle(&w.wan(read, &dev), later(at, 10));
    let resp = open(&reply.response.unwrap(), &dev, &w.supplier);
    assert!(hex::encode(&resp.content).contains(&hex::encode(54_321u32.to_le_bytes())));
}
