//! Family 6 limits on the ESME (`devices::config::limits`): 6.4.1 ECS28a writes the load
//! limiting settings that 4.15 ECS27 reads and the load limit counter follows, at once, at its
//! time (one 8F66 per activation-time object, framed like the RTDS alerts) or not at all
//! (cancelled, or refused with the RTDS ERROR shape); 6.4.2 ECS28b restarts the counter.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::{DeviceFault, DeviceKind, EmulatedDevice, Outcome};
use gbcs::axdr::Data;
use gbcs::usecases::{self, Activation, CommandHeader, LoadLimitSettings};
use gbcs::{AlertCode, Cra, Frame, GeneralSigning, Payload, UtcDateTime};

const LL: &str = "6.4.1_ECS28a";
const DAY: u32 = 86_400;

fn header(w: &World, dev: &EmulatedDevice, counter: u64) -> CommandHeader {
    CommandHeader::new(w.supplier.eui, dev.eui(), counter)
}

fn settings(activation: Activation, threshold: u32) -> LoadLimitSettings {
    LoadLimitSettings {
        activation,
        disable_supply: true,
        power_threshold: threshold,
        period: 600,
        restoration_period: 60,
    }
}

/// Sends a command (critical: signed by the supplier) at `now`: success, response, alerts.
fn send(
    w: &World,
    dev: &mut EmulatedDevice,
    cmd: GeneralSigning,
    now: UtcDateTime,
) -> (bool, Vec<u8>, Vec<Vec<u8>>) {
    let wan = if cmd.is_precommand() {
        w.critical(cmd, &w.supplier, dev)
    } else {
        w.wan(cmd, dev)
    };
    let reply = dev.handle(&wan, now);
    let Outcome::Executed { success, .. } = reply.outcome else {
        panic!("not executed: {:?}", reply.outcome)
    };
    (success, reply.response.unwrap(), reply.alerts)
}

/// ECS27's values at `now`: flag, counter, counter scaler, threshold, over, under.
fn load_limit_data(
    w: &World,
    dev: &mut EmulatedDevice,
    counter: u64,
    now: UtcDateTime,
) -> Vec<Data> {
    let cmd = usecases::ecs27_read_load_limit_data(&header(w, dev, counter));
    let (ok, bytes, _) = send(w, dev, cmd, now);
    assert!(ok);
    let resp = open(&bytes, dev, &w.supplier);
    gbcs::dlms::AccessResponse::decode(&resp.content)
        .unwrap()
        .data
}

fn u32_of(d: &Data) -> u32 {
    match d {
        Data::DoubleLongUnsigned(v) => *v,
        other => panic!("{other:?}"),
    }
}

#[test]
fn ecs28a_immediate_writes_what_ecs27_reads_and_the_counter_follows() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let t = w.now.plus_seconds(2 * DAY).unwrap();
    let before = load_limit_data(&w, &mut dev, 1, t);
    assert_eq!(before[0], Data::Boolean(0));
    assert_eq!(u32_of(&before[1]), 0, "6.9 kW is never reached");
    let pre = usecases::ecs28a_update_load_limiting_settings(
        &header(&w, &dev, 1002),
        &settings(Activation::Now, 900),
    );
    let (ok, resp, alerts) = send(&w, &mut dev, pre, t);
    assert!(ok);
    assert!(alerts.is_empty());
    assert_same_structure(
        &resp,
        &rtds(LL, "ECS28a_6.4.1_IMMEDIATE_SUCCESS_RESPONSE_GBCS.HEX"),
        "ECS28a",
    );
    let v = load_limit_data(&w, &mut dev, 1003, t);
    assert_eq!(v[0], Data::Boolean(0xFF), "Disable");
    assert_eq!(
        (u32_of(&v[3]), u32_of(&v[4]), u32_of(&v[5])),
        (900, 600, 60)
    );
    // At 900 W the evening peak (an hour at 950 W) is an event each of the two days.
    assert_eq!(u32_of(&v[1]), 2);
    assert!(dev.state().config.limits.load_limit_disables_supply);

    // 6.4.2 ECS28b: the counter starts again, like the RTDS response.
    let cmd = usecases::ecs28b_reset_load_limit_counter(&header(&w, &dev, 1004));
    let (ok, resp, _) = send(&w, &mut dev, cmd, t);
    assert!(ok);
    assert_same_structure(
        &resp,
        &rtds("6.4.2_ECS28b", "ECS28b_6.4.2_SUCCESS_RESPONSE_GBCS.HEX"),
        "ECS28b",
    );
    assert_eq!(u32_of(&load_limit_data(&w, &mut dev, 1005, t)[1]), 0);
    let next_day = t.plus_seconds(DAY).unwrap();
    assert_eq!(u32_of(&load_limit_data(&w, &mut dev, 1006, next_day)[1]), 1);
}

fn held_load_limit(dev: &EmulatedDevice) -> bool {
    dev.state()
        .future_actions
        .iter()
        .any(|a| matches!(a.action, devices::future::FutureAction::LoadLimit(_)))
}

#[test]
fn ecs28a_future_dated_is_held_then_written_with_four_8f66_and_a_cancellation_drops_it() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let at = w.now.plus_seconds(3 * DAY).unwrap();
    let pre = usecases::ecs28a_update_load_limiting_settings(
        &header(&w, &dev, 1004),
        &settings(Activation::At(at), 900),
    );
    let (ok, resp, _) = send(&w, &mut dev, pre, w.now);
    assert!(ok);
    assert_same_structure(
        &resp,
        &rtds(LL, "ECS28a_6.4.1_FUTURE_DATED_SUCCESS_RESPONSE_GBCS.HEX"),
        "ECS28a",
    );
    assert_eq!(
        dev.state().instantaneous.load_limit.threshold_w,
        6900,
        "not yet"
    );
    assert_eq!(dev.next_future_action_at(), Some(at.to_unix()));
    let alerts = dev.tick(at).unwrap();
    assert_eq!(alerts.len(), 4);
    let names = [
        "SUPPLY_STATE",
        "POWER_THRESHOLD",
        "PERIOD",
        "RESTORATION_PERIOD",
    ];
    for (a, name) in alerts.iter().zip(names) {
        let file = format!("ECS28a_6.4.1_8F66_FUTURE_DATED_SUCCESS_ALERT_{name}_GBCS.HEX");
        assert_same_structure(a, &rtds(LL, &file), &file);
        let g = open(a, &dev, &w.supplier);
        assert_eq!(g.cra, Cra::Alert);
        let Payload::DataNotification(n) = g.payload() else {
            panic!("not DLMS")
        };
        assert_eq!(n.alert_code(), Some(AlertCode(0x8F66)));
        // The outcome block names the command and the object, as the RTDS alert does.
        let theirs = Frame::decode(&rtds(LL, &file)).unwrap();
        let block = |c: &[u8]| c[c.len() - 9..].to_vec();
        assert_eq!(block(&g.content), block(&theirs.apdu().content), "{file}");
    }
    let l = dev.state().instantaneous.load_limit;
    assert_eq!(
        (l.threshold_w, l.min_over_secs, l.min_under_secs),
        (900, 600, 60)
    );
    assert!(!held_load_limit(&dev));

    // Cancelled: held, then dropped; nothing is written.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let pre = usecases::ecs28a_update_load_limiting_settings(
        &header(&w, &dev, 1004),
        &settings(Activation::At(at), 900),
    );
    assert!(send(&w, &mut dev, pre, w.now).0);
    let pre = usecases::ecs28a_update_load_limiting_settings(
        &header(&w, &dev, 1005),
        &settings(Activation::Cancel, 1),
    );
    let (ok, resp, _) = send(&w, &mut dev, pre, w.now);
    assert!(ok);
    assert_same_structure(
        &resp,
        &rtds(LL, "ECS28a_6.4.1_CANCELLATION_SUCCESS_RESPONSE_GBCS.HEX"),
        "ECS28a",
    );
    assert!(!held_load_limit(&dev));
    assert!(dev.tick(at).unwrap().is_empty());
    assert_eq!(dev.state().instantaneous.load_limit.threshold_w, 6900);
    assert!(!dev.state().config.limits.load_limit_disables_supply);
}

#[test]
fn refusals_change_nothing() {
    let w = World::new();
    // A faulty object (the RTDS ERROR vector's: the period's activation time): the RTDS ERROR
    // shape, nothing written.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.state_mut().faults.insert(DeviceFault::DlmsObject {
        class: 9000,
        obis: usecases::ecs28a::OBIS_PERIOD,
        attribute: 6,
    });
    let before = dev.state().clone();
    let pre = usecases::ecs28a_update_load_limiting_settings(
        &header(&w, &dev, 1005),
        &settings(Activation::Now, 900),
    );
    let (ok, resp, _) = send(&w, &mut dev, pre, w.now);
    assert!(!ok);
    assert_failure_like_rtds(&resp, LL, "ECS28a_6.4.1_IMMEDIATE_ERROR_RESPONSE_GBCS.HEX");
    assert_eq!(dev.state().instantaneous, before.instantaneous);
    assert_eq!(dev.state().config, before.config);
    // ECS28b on a faulty counter: the RTDS ERROR shape, the counter not reset.
    let o = usecases::ecs28b::RESET_COUNTER;
    dev.state_mut().faults.insert(DeviceFault::DlmsObject {
        class: o.class_id,
        obis: o.instance,
        attribute: o.index,
    });
    let cmd = usecases::ecs28b_reset_load_limit_counter(&header(&w, &dev, 1006));
    let (ok, resp, _) = send(&w, &mut dev, cmd, w.now);
    assert!(!ok);
    assert_failure_like_rtds(
        &resp,
        "6.4.2_ECS28b",
        "ECS28b_6.4.2_ERROR_RESPONSE_GBCS.HEX",
    );
    assert_eq!(dev.state().instantaneous.load_limit.counter_since, None);
    // Not on a GSME: not supported there.
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    let pre = usecases::ecs28a_update_load_limiting_settings(
        &header(&w, &gsme, 1),
        &settings(Activation::Now, 900),
    );
    let reply = gsme.handle(&w.critical(pre, &w.supplier, &gsme), w.now);
    assert!(!matches!(
        reply.outcome,
        Outcome::Executed { success: true, .. }
    ));
}

/// Sends a non-critical command from the network operator at `now`: success and the opened
/// response's DLMS data.
fn from_network_operator(
    w: &World,
    dev: &mut EmulatedDevice,
    cmd: GeneralSigning,
    now: UtcDateTime,
) -> (bool, Vec<u8>) {
    let reply = dev.handle(&w.wan(cmd, dev), now);
    let Outcome::Executed { success, .. } = reply.outcome else {
        panic!("not executed: {:?}", reply.outcome)
    };
    (success, reply.response.unwrap())
}

fn no_header(w: &World, dev: &EmulatedDevice, counter: u64) -> CommandHeader {
    CommandHeader::new(w.network_operator.eui, dev.eui(), counter)
}

/// ECS18b's values at `now`, read by the network operator.
fn max_demand_import(
    w: &World,
    dev: &mut EmulatedDevice,
    counter: u64,
    now: UtcDateTime,
) -> Vec<Data> {
    let cmd = usecases::ecs18b_read_import_max_demand(&no_header(w, dev, counter));
    let (ok, bytes) = from_network_operator(w, dev, cmd, now);
    assert!(ok);
    let resp = open(&bytes, dev, &w.network_operator);
    gbcs::dlms::AccessResponse::decode(&resp.content)
        .unwrap()
        .data
}

fn entry_time(d: &Data) -> Vec<u8> {
    let Data::Structure(f) = d else {
        panic!("{d:?}")
    };
    match &f[4] {
        Data::OctetString(t) => t.clone(),
        other => panic!("{other:?}"),
    }
}

fn window_max(dev: &EmulatedDevice, since: i64, t: UtcDateTime, window: (u32, u32)) -> u32 {
    let s = dev.state();
    devices::reads::InstantaneousConfig::max_demand(
        &s.metering,
        devices::Channel::ActiveImport,
        since,
        t.to_unix(),
        Some(window),
    )
    .0
}

#[test]
fn ecs37_sets_the_period_ecs18b_reads_and_the_configurable_maximum_demand_follows() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let t = w.now.plus_seconds(3 * DAY).unwrap();
    let installed = w.now.to_unix();
    // 22:00 to 06:00 UTC: over midnight.
    let night = usecases::MaxDemandPeriod {
        start: [22, 0, 0, 0],
        end: [6, 0, 0, 0],
    };
    let cmd = usecases::ecs37_set_max_demand_period(&no_header(&w, &dev, 1), &night);
    let (ok, resp) = from_network_operator(&w, &mut dev, cmd, t);
    assert!(ok);
    assert_same_structure(
        &resp,
        &rtds("6.18.1_ECS37", "ECS37_6.18.1_SUCCESS_RESPONSE_GBCS.HEX"),
        "ECS37",
    );
    assert_eq!(
        dev.state().instantaneous.configurable_period,
        (22 * 3600, 6 * 3600)
    );
    let v = max_demand_import(&w, &mut dev, 2, t);
    let Data::Array(entries) = &v[8] else {
        panic!("{v:?}")
    };
    assert_eq!(entry_time(&entries[0]), [22, 0, 0, 0]);
    assert_eq!(entry_time(&entries[1]), [6, 0, 0, 0]);
    let night_max = window_max(&dev, installed, t, (22 * 3600, 6 * 3600));
    assert!(night_max > 0);
    assert_eq!(v[5], Data::DoubleLongUnsigned(night_max));
    // The evening (the template's 17:00 to 22:00) holds the day's peak: more.
    let evening = usecases::MaxDemandPeriod {
        start: [17, 0, 0, 0],
        end: [22, 0, 0, 0],
    };
    let cmd = usecases::ecs37_set_max_demand_period(&no_header(&w, &dev, 3), &evening);
    assert!(from_network_operator(&w, &mut dev, cmd, t).0);
    let v = max_demand_import(&w, &mut dev, 4, t);
    let evening_max = window_max(&dev, installed, t, (17 * 3600, 22 * 3600));
    assert_eq!(v[5], Data::DoubleLongUnsigned(evening_max));
    assert!(evening_max > night_max);

    // Not a time of day: refused like the RTDS ERROR vector, nothing changes.
    let bad = usecases::MaxDemandPeriod {
        start: [24, 0, 0, 0],
        end: [6, 0, 0, 0],
    };
    let cmd = usecases::ecs37_set_max_demand_period(&no_header(&w, &dev, 5), &bad);
    let (ok, resp) = from_network_operator(&w, &mut dev, cmd, t);
    assert!(!ok);
    assert_failure_like_rtds(
        &resp,
        "6.18.1_ECS37",
        "ECS37_6.18.1_ERROR_RESPONSE_GBCS.HEX",
    );
    assert_eq!(
        dev.state().instantaneous.configurable_period,
        (17 * 3600, 22 * 3600)
    );
}

#[test]
fn ecs57_resets_each_named_register_apart() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let t = w.now.plus_seconds(2 * DAY).unwrap();
    let before = max_demand_import(&w, &mut dev, 1, t);
    assert!(matches!(before[2], Data::DoubleLongUnsigned(v) if v > 0));
    assert!(matches!(before[5], Data::DoubleLongUnsigned(v) if v > 0));
    // Only the configurable one (the SOME_OPTIONALS template).
    let r = usecases::MaxDemandResets {
        configurable: true,
        ..Default::default()
    };
    let cmd = usecases::ecs57_reset_max_demand(&no_header(&w, &dev, 2), &r).unwrap();
    let (ok, resp) = from_network_operator(&w, &mut dev, cmd, t);
    assert!(ok);
    assert_same_structure(
        &resp,
        &rtds(
            "6.18.2_ECS57",
            "ECS57_6.18.2_SOME_OPTIONALS_SUCCESS_RESPONSE_GBCS.HEX",
        ),
        "ECS57",
    );
    let v = max_demand_import(&w, &mut dev, 3, t);
    assert_eq!(v[2], before[2], "the import register is kept");
    assert_eq!(v[0], before[0]);
    assert_eq!(
        v[5],
        Data::DoubleLongUnsigned(0),
        "the configurable one restarts"
    );
    assert_ne!(v[1], before[1], "its reset time is now");
    // All three (the ALL_OPTIONALS template): import reset too; export's reset time now.
    let all = usecases::MaxDemandResets {
        import: true,
        configurable: true,
        export: true,
    };
    let cmd = usecases::ecs57_reset_max_demand(&no_header(&w, &dev, 4), &all).unwrap();
    let (ok, resp) = from_network_operator(&w, &mut dev, cmd, t);
    assert!(ok);
    assert_same_structure(
        &resp,
        &rtds(
            "6.18.2_ECS57",
            "ECS57_6.18.2_ALL_OPTIONALS_SUCCESS_RESPONSE_GBCS.HEX",
        ),
        "ECS57",
    );
    assert_eq!(
        dev.state().instantaneous.max_demand_reset_at,
        Some(t.to_unix())
    );
    assert_eq!(
        dev.state().instantaneous.export_max_demand_reset_at,
        Some(t.to_unix())
    );
    let v = max_demand_import(&w, &mut dev, 5, t);
    assert_eq!(v[2], Data::DoubleLongUnsigned(0));
    // An import reset alone later leaves the configurable register's reset time alone.
    let later = t.plus_seconds(DAY).unwrap();
    let import = usecases::MaxDemandResets {
        import: true,
        ..Default::default()
    };
    let cmd = usecases::ecs57_reset_max_demand(&no_header(&w, &dev, 6), &import).unwrap();
    assert!(from_network_operator(&w, &mut dev, cmd, later).0);
    assert_eq!(
        dev.state().config.limits.configurable_max_demand_reset_at,
        Some(t.to_unix())
    );

    // A faulty configurable register (the RTDS ERROR vector's): import reset, the
    // configurable one hardware-fault, export not executed.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let m = usecases::ecs57::RESET_CONFIGURABLE;
    dev.state_mut().faults.insert(DeviceFault::DlmsObject {
        class: m.class_id,
        obis: m.instance,
        attribute: m.index,
    });
    let cmd = usecases::ecs57_reset_max_demand(&no_header(&w, &dev, 7), &all).unwrap();
    let (ok, resp) = from_network_operator(&w, &mut dev, cmd, t);
    assert!(!ok);
    assert_failure_like_rtds(
        &resp,
        "6.18.2_ECS57",
        "ECS57_6.18.2_ALL_OPTIONALS_ERROR_RESPONSE_GBCS.HEX",
    );
    let s = dev.state();
    assert_eq!(s.instantaneous.max_demand_reset_at, Some(t.to_unix()));
    assert_eq!(s.instantaneous.export_max_demand_reset_at, None);
    assert_eq!(
        s.config.limits.configurable_max_demand_reset_at,
        Some(w.now.to_unix())
    );
}

#[test]
fn ecs48_resets_the_block_counters_every_midnight_from_then_on() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    // Noon of 2015-01-02 (GMT: local midnight is UTC midnight).
    let noon = w.now.plus_seconds(DAY + 12 * 3600).unwrap();
    let pre = usecases::ecs48_set_daily_block_counter_reset(&header(&w, &dev, 1000), true);
    let (ok, resp, _) = send(&w, &mut dev, pre, noon);
    assert!(ok);
    assert_same_structure(
        &resp,
        &rtds("6.26_ECS48", "ECS48_6.26_SUCCESS_RESPONSE_GBCS.HEX"),
        "ECS48",
    );
    let l = dev.state().config.limits.clone();
    // Not the midnight before it was switched on; every one after.
    assert_eq!(l.block_counters_reset_at(None, noon.to_unix() + 3600), None);
    let midnight = w.now.to_unix() + 2 * i64::from(DAY);
    assert_eq!(
        l.block_counters_reset_at(None, midnight + 5 * 3600),
        Some(midnight)
    );
    // A later 1.7 reset wins until the next midnight.
    assert_eq!(
        l.block_counters_reset_at(Some(midnight + 3600), midnight + 5 * 3600),
        Some(midnight + 3600)
    );
    // Off again: no daily reset.
    let pre = usecases::ecs48_set_daily_block_counter_reset(&header(&w, &dev, 1001), false);
    assert!(send(&w, &mut dev, pre, noon).0);
    assert_eq!(
        dev.state().config.limits.daily_block_counter_reset_since,
        None
    );
    // A faulty schedule: the RTDS ERROR shape, nothing changes.
    dev.state_mut().faults.insert(DeviceFault::DlmsObject {
        class: 22,
        obis: [0, 0, 15, 1, 0, 0xFF],
        attribute: 4,
    });
    let pre = usecases::ecs48_set_daily_block_counter_reset(&header(&w, &dev, 1002), true);
    let (ok, resp, _) = send(&w, &mut dev, pre, noon);
    assert!(!ok);
    assert_failure_like_rtds(&resp, "6.26_ECS48", "ECS48_6.26_ERROR_RESPONSE_GBCS.HEX");
    assert_eq!(
        dev.state().config.limits.daily_block_counter_reset_since,
        None
    );
}

#[test]
fn ecs81_locked_makes_a_supply_tamper_event_disable_the_supply() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    assert_eq!(dev.state().supply, devices::SupplyState::Enabled);
    // Unchanged (the default): a tamper event leaves the supply on.
    assert!(!dev.supply_tamper(w.now));
    assert_eq!(dev.state().supply, devices::SupplyState::Enabled);
    let pre = usecases::ecs81_set_supply_tamper_state(&header(&w, &dev, 1000), true);
    let (ok, resp, _) = send(&w, &mut dev, pre, w.now);
    assert!(ok);
    assert_same_structure(
        &resp,
        &rtds("6.25_ECS81", "ECS81_6.25_SUCCESS_RESPONSE_GBCS.HEX"),
        "ECS81",
    );
    assert!(dev.supply_tamper(w.now));
    assert_eq!(dev.state().supply, devices::SupplyState::Disabled);
    // Refused (faulty object): the RTDS ERROR shape, the state kept.
    dev.state_mut().faults.insert(DeviceFault::DlmsObject {
        class: 1,
        obis: [0, 0, 94, 44, 0, 4],
        attribute: 2,
    });
    let pre = usecases::ecs81_set_supply_tamper_state(&header(&w, &dev, 1001), false);
    let (ok, resp, _) = send(&w, &mut dev, pre, w.now);
    assert!(!ok);
    assert_failure_like_rtds(&resp, "6.25_ECS81", "ECS81_6.25_ERROR_RESPONSE_GBCS.HEX");
    assert!(dev.state().config.limits.supply_tamper_locks);
}

#[test]
fn ecs26c_reads_the_limit_ecs38_set() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let read = |dev: &mut EmulatedDevice, counter| {
        let cmd = usecases::ecs26c_read_randomisation(&header(&w, dev, counter));
        let (ok, bytes, _) = send(&w, dev, cmd, w.now);
        assert!(ok);
        assert_same_structure(
            &bytes,
            &rtds("6.2.2_ECS26c", "ECS26c_6.2.2_SUCCESS_RESPONSE_GBCS.HEX"),
            "ECS26c",
        );
        let resp = open(&bytes, dev, &w.supplier);
        gbcs::dlms::AccessResponse::decode(&resp.content)
            .unwrap()
            .data
    };
    assert_eq!(
        read(&mut dev, 1),
        [
            Data::LongUnsigned(200),
            Data::LongUnsigned(2000),
            Data::LongUnsigned(1000)
        ]
    );
    let pre = usecases::ecs38_set_randomised_offset_limit(&header(&w, &dev, 2), 900).unwrap();
    assert!(send(&w, &mut dev, pre, w.now).0);
    assert_eq!(read(&mut dev, 3)[2], Data::LongUnsigned(900));
    // A faulty object: the RTDS ERROR shape.
    let o = usecases::ecs26c::OFFSET_PERIOD;
    dev.state_mut().faults.insert(DeviceFault::DlmsObject {
        class: o.class_id,
        obis: o.instance,
        attribute: o.index,
    });
    let cmd = usecases::ecs26c_read_randomisation(&header(&w, &dev, 4));
    let (ok, bytes, _) = send(&w, &mut dev, cmd, w.now);
    assert!(!ok);
    assert_failure_like_rtds(
        &bytes,
        "6.2.2_ECS26c",
        "ECS26c_6.2.2_ERROR_RESPONSE_GBCS.HEX",
    );
}

#[test]
fn ecs46a_writes_the_descriptions_ecs61a_reads() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let d = usecases::AuxDescriptions(vec![(2, b"Label2".to_vec()), (4, b"Label4".to_vec())]);
    let pre = usecases::ecs46a_update_aux_descriptions(&header(&w, &dev, 1000), &d).unwrap();
    let (ok, resp, _) = send(&w, &mut dev, pre, w.now);
    assert!(ok);
    let rtds_resp = rtds(
        "6.14.1_ECS46a",
        "ECS46a_6.14.1_SOME_OPTIONALS_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(frame_shape(&resp), frame_shape(&rtds_resp));
    let cmd = usecases::ecs61a_read_auxiliary_load_switch_data(&header(&w, &dev, 1001));
    let (ok, bytes, _) = send(&w, &mut dev, cmd, w.now);
    assert!(ok);
    let data = gbcs::dlms::AccessResponse::decode(&open(&bytes, &dev, &w.supplier).content)
        .unwrap()
        .data;
    let texts: Vec<Vec<u8>> = data
        .iter()
        .filter_map(|v| match v {
            Data::VisibleString(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        texts,
        [
            b"".to_vec(),
            b"Label2".to_vec(),
            b"".to_vec(),
            b"Label4".to_vec(),
            b"".to_vec()
        ]
    );
    // A faulty description object (the RTDS ERROR vector's: switch 4): the RTDS ERROR shape,
    // nothing written.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let o = usecases::ecs61a::description(4);
    dev.state_mut().faults.insert(DeviceFault::DlmsObject {
        class: o.class_id,
        obis: o.instance,
        attribute: o.index,
    });
    let all = usecases::AuxDescriptions((1..=5).map(|n| (n, b"X".to_vec())).collect());
    let pre = usecases::ecs46a_update_aux_descriptions(&header(&w, &dev, 1000), &all).unwrap();
    let (ok, resp, _) = send(&w, &mut dev, pre, w.now);
    assert!(!ok);
    assert_failure_like_rtds(
        &resp,
        "6.14.1_ECS46a",
        "ECS46a_6.14.1_ALL_OPTIONALS_ERROR_RESPONSE_GBCS.HEX",
    );
    assert!(
        dev.state()
            .config
            .limits
            .aux_descriptions
            .iter()
            .all(String::is_empty)
    );
}

const SC: &str = "6.14.2_ECS46c";

fn held_scheduler(dev: &EmulatedDevice) -> bool {
    dev.state()
        .future_actions
        .iter()
        .any(|a| matches!(a.action, devices::future::FutureAction::AuxScheduler(_)))
}

/// The scheduler of an RTDS 6.14.2 pre-command, re-dated.
fn scheduler(stem: &str, activation: Activation) -> usecases::AuxScheduler {
    let b = rtds(SC, &format!("ECS46c_6.14.2_{stem}_PRECOMMAND_GBCS.HEX"));
    let a = Frame::decode(&b).unwrap().apdu().clone();
    let mut s = usecases::ecs46c::decode(&a).unwrap();
    s.activation = activation;
    s
}

fn aux_read(w: &World, dev: &mut EmulatedDevice, counter: u64, t: UtcDateTime) -> Vec<Data> {
    let cmd = usecases::ecs61a_read_auxiliary_load_switch_data(&header(w, dev, counter));
    let (ok, bytes, _) = send(w, dev, cmd, t);
    assert!(ok);
    gbcs::dlms::AccessResponse::decode(&open(&bytes, dev, &w.supplier).content)
        .unwrap()
        .data
}

#[test]
fn ecs46c_writes_the_calendar_ecs61a_reads_future_dated_and_cancelled() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let s = scheduler("IMMEDIATE_SOME_OPTIONALS_SUCCESS", Activation::Now);
    let pre = usecases::ecs46c_update_aux_scheduler(&header(&w, &dev, 1006), &s).unwrap();
    let (ok, resp, alerts) = send(&w, &mut dev, pre, w.now);
    assert!(ok);
    assert!(alerts.is_empty());
    assert_eq!(
        frame_shape(&resp),
        frame_shape(&rtds(
            SC,
            "ECS46c_6.14.2_IMMEDIATE_SOME_OPTIONALS_SUCCESS_RESPONSE_GBCS.HEX"
        ))
    );
    let v = aux_read(&w, &mut dev, 1007, w.now);
    assert_eq!(
        v[6],
        Data::OctetString(vec![0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0x97])
    );
    assert_eq!(v[10], Data::Array(s.special_days.clone()));
    assert_eq!(v[11], Data::Array(s.schedule.clone()));

    // Future dated: held (nothing read yet), then written with two 8F66.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let at = w.now.plus_seconds(3 * DAY).unwrap();
    let s = scheduler("FUTURE_DATED_ALL_OPTIONALS_SUCCESS", Activation::At(at));
    let pre = usecases::ecs46c_update_aux_scheduler(&header(&w, &dev, 1007), &s).unwrap();
    assert!(send(&w, &mut dev, pre, w.now).0);
    assert_eq!(
        aux_read(&w, &mut dev, 1008, w.now)[10],
        Data::Array(Vec::new())
    );
    assert!(held_scheduler(&dev));
    assert_eq!(dev.next_future_action_at(), Some(at.to_unix()));
    let alerts = dev.tick(at).unwrap();
    assert_eq!(alerts.len(), 2);
    assert!(!held_scheduler(&dev));
    for (a, name) in alerts.iter().zip(["CALENDAR", "SPECIAL_DAYS"]) {
        let file =
            format!("ECS46c_6.14.2_8F66_FUTURE_DATED_ALL_OPTIONALS_SUCCESS_ALERT_{name}_GBCS.HEX");
        let theirs = Frame::decode(&rtds(SC, &file)).unwrap();
        let g = open(a, &dev, &w.supplier);
        let block = |c: &[u8]| c[c.len() - 9..].to_vec();
        assert_eq!(block(&g.content), block(&theirs.apdu().content), "{file}");
    }
    assert_eq!(
        aux_read(&w, &mut dev, 1009, at)[11],
        Data::Array(s.schedule.clone())
    );

    // Cancelled: held, then dropped; nothing is written.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let pre = usecases::ecs46c_update_aux_scheduler(&header(&w, &dev, 1007), &s).unwrap();
    assert!(send(&w, &mut dev, pre, w.now).0);
    let c = scheduler("CANCELLATION_ALL_OPTIONALS_SUCCESS", Activation::Cancel);
    let pre = usecases::ecs46c_update_aux_scheduler(&header(&w, &dev, 1008), &c).unwrap();
    assert!(send(&w, &mut dev, pre, w.now).0);
    assert!(!held_scheduler(&dev));
    assert!(dev.state().config.limits.aux_schedule.is_empty());

    // A faulty calendar activation object (the RTDS ERROR vector's): the RTDS ERROR shape,
    // nothing written or held.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let o = usecases::ecs46c::activation_objects()[0];
    dev.state_mut().faults.insert(DeviceFault::DlmsObject {
        class: o.class_id,
        obis: o.instance,
        attribute: o.index,
    });
    let pre = usecases::ecs46c_update_aux_scheduler(&header(&w, &dev, 1009), &s).unwrap();
    let (ok, resp, _) = send(&w, &mut dev, pre, w.now);
    assert!(!ok);
    assert_failure_like_rtds(
        &resp,
        SC,
        "ECS46c_6.14.2_FUTURE_DATED_ALL_OPTIONALS_ERROR_RESPONSE_GBCS.HEX",
    );
    assert!(!held_scheduler(&dev));
    assert!(dev.state().config.limits.aux_special_days.is_empty());
}

const CAL: &str = "6.14.3_ECS46d";

/// The calendar of an RTDS 6.14.3 pre-command, re-dated.
fn calendar(stem: &str, activation: Activation) -> usecases::AuxCalendar {
    let b = rtds(CAL, &format!("ECS46d_6.14.3_{stem}_PRECOMMAND_GBCS.HEX"));
    let a = Frame::decode(&b).unwrap().apdu().clone();
    let mut c = usecases::ecs46d::decode(&a).unwrap();
    c.activation = activation;
    c
}

/// ECS61e at `t`: each controller's (output, input) levels.
fn aux_levels(w: &World, dev: &mut EmulatedDevice, counter: u64, t: UtcDateTime) -> Vec<(u8, u8)> {
    let cmd = usecases::ecs61e_read_auxiliary_controller_operational(&header(w, dev, counter));
    let (ok, bytes, _) = send(w, dev, cmd, t);
    assert!(ok);
    let data = gbcs::dlms::AccessResponse::decode(&open(&bytes, dev, &w.supplier).content)
        .unwrap()
        .data;
    (1..=5u8)
        .map(|n| {
            let Data::Utf8String(j) = &data[usize::from(n) + 4] else {
                panic!("{data:?}")
            };
            let j = String::from_utf8(j.clone()).unwrap();
            let level = |k: &str| {
                let rest = &j[j.find(k).unwrap() + k.len() + 3..];
                rest[..rest.find(|c: char| !c.is_ascii_digit()).unwrap()]
                    .parse()
                    .unwrap()
            };
            (level("outputState"), level("inputState"))
        })
        .collect()
}

/// ECS61d: the calendar's special days table and schedule.
fn aux_calendar_read(w: &World, dev: &mut EmulatedDevice, counter: u64) -> (Data, Data) {
    let cmd = usecases::ecs61d_read_auxiliary_controller_configuration(&header(w, dev, counter));
    let (ok, bytes, _) = send(w, dev, cmd, w.now);
    assert!(ok);
    let mut d = gbcs::dlms::AccessResponse::decode(&open(&bytes, dev, &w.supplier).content)
        .unwrap()
        .data;
    let schedule = d.remove(6);
    (d.remove(5), schedule)
}

#[test]
fn ecs46d_writes_the_calendar_the_controllers_follow() {
    let w = World::new();
    // The RTDS calendars run from 2015-06-21 to 2015-12-21; Monday 22 June 2015 (no special
    // day): each controller n is set at (8 + n):00 to 0 % and at (8 + n):30 to its level.
    let monday = |h: u8, m: u8| UtcDateTime::new(2015, 6, 22, h, m, 0).unwrap();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let c = calendar("IMMEDIATE_ALCS_SUCCESS", Activation::Now);
    let pre = usecases::ecs46d_set_aux_calendar(&header(&w, &dev, 1000), &c).unwrap();
    let (ok, resp, alerts) = send(&w, &mut dev, pre, w.now);
    assert!(ok && alerts.is_empty());
    assert_eq!(
        frame_shape(&resp),
        frame_shape(&rtds(
            CAL,
            "ECS46d_6.14.3_IMMEDIATE_ALCS_SUCCESS_RESPONSE_GBCS.HEX"
        ))
    );
    assert_eq!(
        aux_calendar_read(&w, &mut dev, 1001),
        (
            Data::Array(c.special_days.clone()),
            Data::Array(c.schedule.clone())
        )
    );
    // Before the calendar's start nothing has fired: off.
    assert_eq!(aux_levels(&w, &mut dev, 1002, w.now), vec![(0, 0); 5]);
    // 10:15: controller 1 switched on at 09:30, controller 2 off at 10:00, 3–5 not yet.
    let l = aux_levels(&w, &mut dev, 1003, monday(10, 15));
    assert_eq!(l, vec![(100, 0), (0, 0), (0, 0), (0, 0), (0, 0)]);
    // ECS61a: switch 1's output state is on, switch 2's off.
    let v = aux_read(&w, &mut dev, 1004, monday(10, 15));
    assert_eq!(
        (&v[12], &v[13]),
        (&Data::Boolean(0xFF), &Data::Boolean(0x00)),
        "{v:?}"
    );
    // An ECS47 override in force wins over the calendar.
    let cmd = usecases::ecs47_auxiliary_load(
        &header(&w, &dev, 1005),
        usecases::AuxLoadCommand {
            index: 1,
            action: usecases::AuxLoadAction::Deactivate { duration: 0 },
        },
    )
    .unwrap();
    assert!(send(&w, &mut dev, cmd, monday(10, 16)).0);
    assert_eq!(aux_levels(&w, &mut dev, 1006, monday(10, 20))[0], (0, 0));

    // APC output and input: 50 % from (8 + n):30.
    for (stem, input) in [
        ("IMMEDIATE_APC_OUTPUT_SUCCESS", false),
        ("IMMEDIATE_APC_INPUT_SUCCESS", true),
    ] {
        let mut dev = w.device(DeviceKind::Esme, ESME);
        let c = calendar(stem, Activation::Now);
        let pre = usecases::ecs46d_set_aux_calendar(&header(&w, &dev, 1000), &c).unwrap();
        assert!(send(&w, &mut dev, pre, w.now).0);
        let l = aux_levels(&w, &mut dev, 1001, monday(13, 45));
        let fifty = if input { (0, 50) } else { (50, 0) };
        assert_eq!(l, vec![fifty, fifty, fifty, fifty, fifty], "{stem}");
        let l = aux_levels(&w, &mut dev, 1002, monday(12, 10));
        assert_eq!(l[3], (0, 0), "{stem}");
        assert_eq!(l[2], fifty, "{stem}");
    }

    // Future dated: held (the controllers stay off), then written with two 8F66.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let at = monday(9, 0);
    let c = calendar("FUTURE_DATED_APC_OUTPUT_SUCCESS", Activation::At(at));
    let pre = usecases::ecs46d_set_aux_calendar(&header(&w, &dev, 1002), &c).unwrap();
    assert!(send(&w, &mut dev, pre, w.now).0);
    assert!(held_scheduler(&dev));
    assert_eq!(aux_calendar_read(&w, &mut dev, 1003).1, Data::Array(vec![]));
    assert!(
        dev.state()
            .future_actions
            .iter()
            .any(|a| a.at == at.to_unix())
    );
    // The device's other alerts until then (not ours: still held).
    dev.tick(monday(8, 59)).unwrap();
    assert!(held_scheduler(&dev));
    let alerts = dev.tick(at).unwrap();
    assert_eq!(alerts.len(), 2);
    assert!(!held_scheduler(&dev));
    for (a, name) in alerts.iter().zip(["CALENDAR", "SPECIAL_DAYS"]) {
        let file =
            format!("ECS46d_6.14.3_8F66_FUTURE_DATED_APC_OUTPUT_SUCCESS_ALERT_{name}_GBCS.HEX");
        let theirs = Frame::decode(&rtds(CAL, &file)).unwrap();
        let g = open(a, &dev, &w.supplier);
        assert_eq!(g.message_code(), theirs.apdu().message_code(), "{file}");
        let block = |c: &[u8]| c[c.len() - 9..].to_vec();
        assert_eq!(block(&g.content), block(&theirs.apdu().content), "{file}");
    }
    assert_eq!(aux_levels(&w, &mut dev, 1004, monday(9, 45))[0], (50, 0));

    // Cancelled: held, then dropped; nothing is written, the controllers stay off.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let pre = usecases::ecs46d_set_aux_calendar(&header(&w, &dev, 1002), &c).unwrap();
    assert!(send(&w, &mut dev, pre, w.now).0);
    let x = calendar("CANCELLATION_APC_OUTPUT_SUCCESS", Activation::Cancel);
    let pre = usecases::ecs46d_set_aux_calendar(&header(&w, &dev, 1003), &x).unwrap();
    assert!(send(&w, &mut dev, pre, w.now).0);
    assert!(!held_scheduler(&dev));
    assert!(dev.state().config.limits.aux_schedule.is_empty());
    assert_eq!(
        aux_levels(&w, &mut dev, 1004, monday(9, 45)),
        vec![(0, 0); 5]
    );

    // A faulty object (the RTDS ERROR vectors': the special days table, then the schedule):
    // the RTDS ERROR shape, nothing written.
    for (i, stem) in [
        (0, "IMMEDIATE_ALCS_ERROR"),
        (1, "IMMEDIATE_APC_OUTPUT_ERROR"),
    ] {
        let mut dev = w.device(DeviceKind::Esme, ESME);
        let o = [usecases::ecs46c::SPECIAL_DAYS, usecases::ecs46c::SCHEDULE][i];
        dev.state_mut().faults.insert(DeviceFault::DlmsObject {
            class: o.class_id,
            obis: o.instance,
            attribute: o.index,
        });
        let c = calendar(stem, Activation::Now);
        let pre = usecases::ecs46d_set_aux_calendar(&header(&w, &dev, 1003), &c).unwrap();
        let (ok, resp, _) = send(&w, &mut dev, pre, w.now);
        assert!(!ok);
        assert_failure_like_rtds(
            &resp,
            CAL,
            &format!("ECS46d_6.14.3_{stem}_RESPONSE_GBCS.HEX"),
        );
        assert!(dev.state().config.limits.aux_schedule.is_empty());
        assert_eq!(
            aux_levels(&w, &mut dev, 1004, monday(13, 45)),
            vec![(0, 0); 5]
        );
    }
}

#[test]
fn the_next_load_limit_event_is_when_a_run_over_the_threshold_has_lasted_the_period() {
    let w = World::new();
    let dev = w.device(DeviceKind::Esme, ESME);
    let t0 = w.now.to_unix();
    let midnight = t0 - t0.rem_euclid(i64::from(DAY)) + i64::from(DAY);
    let mut c = dev.state().instantaneous.clone();
    let m = &dev.state().metering;
    // 500 Wh/h: 950 W from 17:30 to 18:30 only, over 900 W.
    c.load_limit.threshold_w = 900;
    c.load_limit.min_over_secs = 300;
    let event = midnight + 17 * 3600 + 1800 + 300;
    assert_eq!(c.next_load_limit_event(m, midnight), Some(event));
    assert_eq!(c.next_load_limit_event(m, event - 1), Some(event));
    assert_eq!(
        c.next_load_limit_event(m, event),
        Some(event + i64::from(DAY)),
        "the next evening's"
    );
    // A period as long as the run is an event; a second longer is not.
    c.load_limit.min_over_secs = 3600;
    assert_eq!(
        c.next_load_limit_event(m, midnight),
        Some(midnight + 18 * 3600 + 1800)
    );
    c.load_limit.min_over_secs = 3601;
    assert_eq!(c.next_load_limit_event(m, midnight), None);
    c.load_limit.threshold_w = 6900;
    c.load_limit.min_over_secs = 300;
    assert_eq!(c.next_load_limit_event(m, midnight), None, "never reached");
}

/// The alert codes of DLMS / GBZ alerts, as far as the test needs: the device's log.
fn logged_alerts(dev: &EmulatedDevice) -> Vec<u16> {
    dev.state()
        .event_log
        .iter()
        .filter_map(|e| match e.kind {
            devices::EventKind::AlertRaised { alert_code, .. } => Some(alert_code),
            _ => None,
        })
        .collect()
}

#[test]
fn a_load_limit_event_disables_then_arms_the_supply_when_configured_and_alerts_either_way() {
    for disable in [true, false] {
        let w = World::new();
        let mut dev = w.device(DeviceKind::Esme, ESME);
        let t0 = w.now.to_unix();
        let midnight = t0 - t0.rem_euclid(i64::from(DAY)) + i64::from(DAY);
        let at = |secs: i64| UtcDateTime::from_unix(midnight + secs).unwrap();
        let s = LoadLimitSettings {
            disable_supply: disable,
            power_threshold: 900,
            period: 300,
            ..settings(Activation::Now, 900)
        };
        let pre = usecases::ecs28a_update_load_limiting_settings(&header(&w, &dev, 1000), &s);
        let (ok, _, _) = send(&w, &mut dev, pre, at(12 * 3600));
        assert!(ok);
        let event = midnight + 17 * 3600 + 2100;
        assert_eq!(dev.next_future_action_at(), Some(event), "held");
        assert!(dev.tick(at(17 * 3600 + 2099)).unwrap().is_empty());
        let alerts = dev.tick(at(17 * 3600 + 2400)).unwrap();
        let expected: &[u16] = if disable {
            &[0x8F01, 0x8F33]
        } else {
            &[0x8F01]
        };
        assert_eq!(alerts.len(), expected.len(), "disable {disable}");
        assert_eq!(logged_alerts(&dev), expected);
        let supply = if disable {
            devices::SupplyState::Armed
        } else {
            devices::SupplyState::Enabled
        };
        assert_eq!(dev.state().supply, supply);
        if disable {
            // The end of the restoration period: the supply, still armed, enabled again.
            let restore = event + i64::from(s.restoration_period);
            assert_eq!(dev.next_future_action_at(), Some(restore));
            assert!(dev.tick(at(17 * 3600 + 2100)).unwrap().is_empty());
            let alerts = dev.tick(UtcDateTime::from_unix(restore).unwrap()).unwrap();
            assert_eq!(alerts.len(), 1);
            assert_eq!(logged_alerts(&dev), [0x8F01, 0x8F33, 0x8F34]);
            assert_eq!(dev.state().supply, devices::SupplyState::Enabled);
            // The demand is over the threshold again from then on: a new run, a new event
            // once it has lasted the load limit period.
            assert_eq!(dev.next_future_action_at(), Some(restore + 300));
            continue;
        }
        // The next one is held for the next evening, once.
        assert_eq!(
            dev.next_future_action_at(),
            Some(event + i64::from(DAY)),
            "disable {disable}"
        );
        assert!(dev.tick(at(17 * 3600 + 2500)).unwrap().is_empty());
    }
}

#[test]
fn a_supply_the_consumer_enabled_before_the_restoration_period_ends_is_not_restored_again() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let t0 = w.now.to_unix();
    let midnight = t0 - t0.rem_euclid(i64::from(DAY)) + i64::from(DAY);
    let at = |secs: i64| UtcDateTime::from_unix(midnight + secs).unwrap();
    let s = LoadLimitSettings {
        disable_supply: true,
        power_threshold: 900,
        period: 300,
        restoration_period: 3600,
        ..settings(Activation::Now, 900)
    };
    let pre = usecases::ecs28a_update_load_limiting_settings(&header(&w, &dev, 1000), &s);
    let (ok, _, _) = send(&w, &mut dev, pre, at(12 * 3600));
    assert!(ok);
    assert_eq!(dev.tick(at(17 * 3600 + 2400)).unwrap().len(), 2);
    assert_eq!(dev.state().supply, devices::SupplyState::Armed);
    // The consumer's button before the restoration period ends: nothing left to restore.
    assert!(dev.state_mut().press_supply_button(at(17 * 3600 + 2500)));
    assert_eq!(dev.state().supply, devices::SupplyState::Enabled);
    let alerts = dev.tick(at(17 * 3600 + 2100 + 3600)).unwrap();
    assert!(!logged_alerts(&dev).contains(&0x8F34), "{alerts:?}");
}

#[test]
fn a_tamper_alerts_and_locks_the_supply_only_when_ecs81_says_locked() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let (locked, reply) = dev.tamper(w.now).unwrap();
    assert!(!locked);
    assert_eq!(reply.alerts.len(), 1);
    assert_eq!(logged_alerts(&dev), [0x8F3F]);
    assert_eq!(dev.state().supply, devices::SupplyState::Enabled);
    let pre = usecases::ecs81_set_supply_tamper_state(&header(&w, &dev, 1000), true);
    let (ok, _, _) = send(&w, &mut dev, pre, w.now);
    assert!(ok);
    let (locked, reply) = dev.tamper(w.now).unwrap();
    assert!(locked);
    assert_eq!(reply.alerts.len(), 2);
    assert_eq!(logged_alerts(&dev), [0x8F3F, 0x8F3F, 0x81BE]);
    assert_eq!(dev.state().supply, devices::SupplyState::Disabled);
    // Already disabled: detected, nothing more to lock.
    let (locked, _) = dev.tamper(w.now).unwrap();
    assert!(!locked);
    // Not an ESME: refused, nothing changes.
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    let before = gsme.state().clone();
    assert!(gsme.tamper(w.now).is_err());
    assert_eq!(gsme.state(), &before);
}
