//! The ESME's boost button (`devices::boost`): a press switches the controllers associated by
//! ECS62 on for the boost period (ECS61a, ECS61e), ECS61c reads the boost in force and, once it
//! ended, its entry in the boost function log by period; a second press ends it; a later ECS47
//! takes a controller back; the end is a held device event the device runs at its time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::boost::{BOOST_LOG_CAPACITY, BoostLogEntry, BoostPress, DEFAULT_BOOST_PERIOD_MINUTES};
use devices::future::FutureAction;
use devices::{DeviceKind, EmulatedDevice, Outcome};
use gbcs::axdr::Data;
use gbcs::usecases::{self, CommandHeader, LogEntry, LogPeriod};
use gbcs::{Payload, UtcDateTime};

const PERIOD: i64 = DEFAULT_BOOST_PERIOD_MINUTES as i64 * 60;

fn header(dev: &EmulatedDevice, w: &World, counter: u64) -> CommandHeader {
    CommandHeader::new(w.supplier.eui, dev.eui(), counter)
}

fn at(t: i64) -> UtcDateTime {
    UtcDateTime::from_unix(t).unwrap()
}

fn values(w: &World, dev: &EmulatedDevice, bytes: &[u8]) -> Vec<Data> {
    match open(bytes, dev, &w.supplier).payload() {
        Payload::AccessResponse(r) => r.data,
        p => panic!("not DLMS: {p:?}"),
    }
}

/// Hands `wan` to the device at `t`; it must execute it successfully.
fn ok(w: &World, dev: &mut EmulatedDevice, wan: &[u8], t: i64) -> Vec<Data> {
    let reply = dev.handle(wan, at(t));
    assert!(
        matches!(reply.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        reply.outcome
    );
    values(w, dev, &reply.response.expect("a response"))
}

/// 7.9: associates the named controllers with the boost button.
fn associate(w: &World, dev: &mut EmulatedDevice, counter: u64, controllers: [bool; 5], t: i64) {
    let cmd = usecases::ecs62_set_boost_association(
        &header(dev, w, counter),
        usecases::BoostAssociation {
            add: true,
            controllers,
        },
    )
    .unwrap();
    let wan = w.wan(cmd, dev);
    ok(w, dev, &wan, t);
}

/// 7.11 at `t` over `period`: (boost in force, log entries, associations).
fn ecs61c(
    w: &World,
    dev: &mut EmulatedDevice,
    counter: u64,
    period: LogPeriod,
    t: i64,
) -> (bool, Vec<LogEntry>, Vec<bool>) {
    let cmd = usecases::ecs61c_read_boost_function_data(&header(dev, w, counter), &period);
    let wan = w.wan(cmd, dev);
    let reply = dev.handle(&wan, at(t));
    let bytes = reply.response.expect("a response");
    let theirs = rtds("7.11_ECS61c", "ECS61c_7.11_SUCCESS_RESPONSE_GBCS.HEX");
    assert_eq!(frame_shape(&bytes), frame_shape(&theirs));
    let resp = open(&bytes, dev, &w.supplier);
    // The catalogue's decoder reads the answer as a success, the log as its entries.
    let outcome = usecases::decode_response(resp.message_code(), &resp.content).unwrap();
    assert!(!outcome.is_failure(), "{outcome:?}");
    let v = values(w, dev, &bytes);
    let on = |d: &Data| match d {
        Data::Boolean(b) => *b != 0,
        d => panic!("not a boolean: {d:?}"),
    };
    let log: Vec<LogEntry> = match &v[1] {
        Data::CompactArray { contents, .. } => contents
            .chunks_exact(8)
            .map(|row| LogEntry {
                time: u32::from_be_bytes(row[..4].try_into().unwrap()),
                values: vec![u32::from_be_bytes(row[4..].try_into().unwrap())],
            })
            .collect(),
        d => panic!("not a compact array: {d:?}"),
    };
    assert_eq!(
        v[1],
        usecases::logs_common::entries_compact_array(2, &log),
        "two double-long-unsigned columns"
    );
    (on(&v[0]), log, v[2..].iter().map(on).collect())
}

/// 7.7 at `t`: the five switches' output states.
fn switches(w: &World, dev: &mut EmulatedDevice, counter: u64, t: i64) -> Vec<bool> {
    let cmd = usecases::ecs61a_read_auxiliary_load_switch_data(&header(dev, w, counter));
    let wan = w.wan(cmd, dev);
    let v = ok(w, dev, &wan, t);
    v[12..]
        .iter()
        .map(|d| matches!(d, Data::Boolean(b) if *b != 0))
        .collect()
}

/// 7.15 at `t`: the five controllers' output levels.
fn levels(w: &World, dev: &mut EmulatedDevice, counter: u64, t: i64) -> Vec<Data> {
    let cmd = usecases::ecs61e_read_auxiliary_controller_operational(&header(dev, w, counter));
    let wan = w.wan(cmd, dev);
    ok(w, dev, &wan, t)[5..].to_vec()
}

fn level(output: u8) -> Data {
    Data::Utf8String(usecases::ecs61e::operational_state_json(output, 0))
}

/// 7.5 / 7.6 on switch `index` at `t`.
fn ecs47(
    w: &World,
    dev: &mut EmulatedDevice,
    counter: u64,
    index: u8,
    action: usecases::AuxLoadAction,
    t: i64,
) {
    let pre = usecases::ecs47_auxiliary_load(
        &header(dev, w, counter),
        usecases::AuxLoadCommand { index, action },
    )
    .unwrap();
    let wan = w.critical(pre, &w.supplier, dev);
    ok(w, dev, &wan, t);
}

/// When the held boost end is due (device clock), if one is held (exactly one at most).
fn boost_end_held(dev: &EmulatedDevice) -> Option<i64> {
    let ends: Vec<i64> = dev
        .state()
        .future_actions
        .iter()
        .filter(|a| a.action == FutureAction::BoostEnd)
        .map(|a| a.at)
        .collect();
    assert!(ends.len() <= 1, "{ends:?}");
    ends.first().copied()
}

fn secs_2000(t: i64) -> u32 {
    at(t).to_zigbee_utc().unwrap()
}

fn day_around(t: i64) -> LogPeriod {
    LogPeriod {
        start: at(t - 86_400),
        end: at(t + 86_400),
    }
}

#[test]
fn a_press_with_no_controller_associated_starts_no_boost() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let t = w.now.to_unix();
    assert_eq!(dev.press_boost_button(w.now), BoostPress::NoController);
    assert_eq!(dev.state().boost.active, None);
    assert!(dev.state().future_actions.is_empty(), "no end held");
    let (active, log, associated) = ecs61c(&w, &mut dev, 1, day_around(t), t + 1);
    assert!(!active);
    assert!(log.is_empty());
    assert_eq!(associated, [false; 5]);
    // A meter whose power is out does not answer its button.
    associate(&w, &mut dev, 2, [true; 5], t + 2);
    dev.power_lost(at(t + 3));
    assert_eq!(dev.press_boost_button(at(t + 4)), BoostPress::NoPower);
    assert_eq!(dev.state().boost.active, None);
}

#[test]
fn a_boost_switches_the_associated_controllers_on_for_its_period_then_logs_it() {
    use usecases::AuxLoadAction as A;
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let t = w.now.to_unix();
    associate(&w, &mut dev, 1, [true, false, true, false, false], t);
    // Switch 3 deactivated until the next ECS47 before the press: the boost overrides it.
    ecs47(&w, &mut dev, 2, 3, A::Deactivate { duration: 0 }, t + 10);
    let press = t + 60;
    let end = press + PERIOD;
    assert_eq!(
        dev.press_boost_button(at(press)),
        BoostPress::Started { until: end }
    );
    assert_eq!(boost_end_held(&dev), Some(end), "the end is held");
    // In force: switches and controllers 1 and 3 on, the others as they were (off).
    assert_eq!(
        switches(&w, &mut dev, 3, press + 1),
        [true, false, true, false, false]
    );
    assert_eq!(
        levels(&w, &mut dev, 4, press + 2),
        [level(100), level(0), level(100), level(0), level(0)]
    );
    let (active, log, associated) = ecs61c(&w, &mut dev, 5, day_around(press), press + 3);
    assert!(active, "a boost in force");
    assert!(log.is_empty(), "logged once it ends");
    assert_eq!(associated, [true, false, true, false, false]);
    // Just before the end it is still in force; the device runs the held end at its time.
    assert!(dev.tick(at(end - 1)).unwrap().is_empty());
    assert!(dev.state().boost.active.is_some());
    assert!(dev.tick(at(end)).unwrap().is_empty(), "no alert");
    assert_eq!(dev.state().boost.active, None);
    assert_eq!(dev.state().boost.log, [BoostLogEntry { start: press, end }]);
    assert_eq!(boost_end_held(&dev), None);
    // Back to what they were: switch 3's override (off) still holds, switch 1's calendar off.
    assert_eq!(switches(&w, &mut dev, 6, end + 5), [false; 5]);
    assert_eq!(levels(&w, &mut dev, 7, end + 6), vec![level(0); 5]);
    let (active, log, _) = ecs61c(&w, &mut dev, 8, day_around(press), end + 7);
    assert!(!active);
    assert_eq!(
        log,
        [LogEntry {
            time: secs_2000(press),
            values: vec![secs_2000(end)]
        }]
    );
    // By period: the entry's start must lie in it.
    let later = LogPeriod {
        start: at(press + 1),
        end: at(end + 100),
    };
    assert!(ecs61c(&w, &mut dev, 9, later, end + 8).1.is_empty());
    let exact = LogPeriod {
        start: at(press),
        end: at(press),
    };
    assert_eq!(ecs61c(&w, &mut dev, 10, exact, end + 9).1.len(), 1);
}

#[test]
fn a_read_after_the_end_sees_it_ended_even_before_the_wan_ticked() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let t = w.now.to_unix();
    associate(&w, &mut dev, 1, [false, false, false, false, true], t);
    let BoostPress::Started { until } = dev.press_boost_button(at(t + 1)) else {
        panic!("no boost")
    };
    // A command at a later time runs the held end first.
    let (active, log, _) = ecs61c(&w, &mut dev, 2, day_around(t), until + 3_600);
    assert!(!active);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].values, [secs_2000(until)], "ended at its time");
    // So does a press: it starts a new boost rather than ending the old one.
    let BoostPress::Started { until: next } = dev.press_boost_button(at(until + 7_200)) else {
        panic!("a new boost")
    };
    assert_eq!(next, until + 7_200 + PERIOD);
}

#[test]
fn a_second_press_ends_the_boost_and_a_later_ecs47_takes_a_controller_back() {
    use usecases::AuxLoadAction as A;
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let t = w.now.to_unix();
    associate(&w, &mut dev, 1, [true, true, false, false, false], t);
    assert!(matches!(
        dev.press_boost_button(at(t + 10)),
        BoostPress::Started { .. }
    ));
    assert_eq!(
        switches(&w, &mut dev, 2, t + 20),
        [true, true, false, false, false]
    );
    // 7.6 on switch 2 during the boost: the later command wins, switch 2 is off.
    ecs47(&w, &mut dev, 3, 2, A::Deactivate { duration: 30 }, t + 30);
    assert_eq!(
        switches(&w, &mut dev, 4, t + 40),
        [true, false, false, false, false]
    );
    assert_eq!(levels(&w, &mut dev, 5, t + 41)[..2], [level(100), level(0)]);
    // The consumer presses again: the boost ends now and is logged so.
    assert_eq!(
        dev.press_boost_button(at(t + 600)),
        BoostPress::Ended { at: t + 600 }
    );
    assert_eq!(boost_end_held(&dev), None, "its end no longer held");
    assert_eq!(switches(&w, &mut dev, 6, t + 601), [false; 5]);
    let (active, log, _) = ecs61c(&w, &mut dev, 7, day_around(t), t + 602);
    assert!(!active);
    assert_eq!(
        log,
        [LogEntry {
            time: secs_2000(t + 10),
            values: vec![secs_2000(t + 600)]
        }]
    );
    // A third press starts another, with every associated controller again.
    assert!(matches!(
        dev.press_boost_button(at(t + 700)),
        BoostPress::Started { .. }
    ));
    assert_eq!(
        switches(&w, &mut dev, 8, t + 701),
        [true, true, false, false, false]
    );
}

#[test]
fn the_boost_function_log_keeps_its_newest_entries() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let t = w.now.to_unix();
    associate(&w, &mut dev, 1, [true; 5], t);
    let n = BOOST_LOG_CAPACITY as i64 + 3;
    for i in 0..n {
        let s = t + 10 + i * 100;
        assert!(matches!(
            dev.press_boost_button(at(s)),
            BoostPress::Started { .. }
        ));
        assert_eq!(
            dev.press_boost_button(at(s + 50)),
            BoostPress::Ended { at: s + 50 }
        );
    }
    let log = &dev.state().boost.log;
    assert_eq!(log.len(), BOOST_LOG_CAPACITY);
    assert_eq!(log[0].start, t + 10 + 3 * 100, "the oldest three dropped");
    assert_eq!(log.last().unwrap().start, t + 10 + (n - 1) * 100);
}

#[test]
fn a_boost_in_force_and_its_log_survive_the_stored_forms() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let t = w.now.to_unix();
    associate(&w, &mut dev, 1, [false, true, false, true, false], t);
    dev.press_boost_button(at(t + 5));
    dev.press_boost_button(at(t + 65));
    dev.press_boost_button(at(t + 125));
    let state = dev.state().clone();
    assert!(state.boost.active.is_some());
    assert_eq!(state.boost.log.len(), 1);
    // The compact form.
    let body = devices::stored::encode_body(&state).unwrap();
    let counters = devices::stored::encode_counters(&state).unwrap();
    let back = devices::stored::decode_state(&body, &counters, state.event_log.clone()).unwrap();
    assert_eq!(back, state);
    assert_eq!(
        devices::stored::held_instructions_due(&body).unwrap(),
        Some(t + 125 + PERIOD)
    );
    // JSON.
    let json = serde_json::to_string(&state).unwrap();
    let back: devices::DeviceState = serde_json::from_str(&json).unwrap();
    assert_eq!(back, state);
    // State stored as JSON before the boost function existed reads with none.
    let mut old: serde_json::Value = serde_json::from_str(&json).unwrap();
    old.as_object_mut().unwrap().remove("boost");
    let back: devices::DeviceState = serde_json::from_value(old).unwrap();
    assert_eq!(back.boost, devices::boost::BoostState::default());
}

#[test]
fn a_load_controller_s_apc_limit_still_caps_a_boosted_controller() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let t = w.now.to_unix();
    associate(&w, &mut dev, 1, [false, false, true, false, false], t);
    // 7.16: APC 3 limited to 50 for the hour.
    let pre = usecases::ecs47e_limit_apc_level(
        &CommandHeader::new(w.load_controller.eui, dev.eui(), 9001),
        usecases::AuxControllerState {
            index: 3,
            start: at(t),
            end: at(t + 3600),
            level: 50,
            input_from_controlled_load: false,
        },
    )
    .unwrap();
    let wan = w.critical(pre, &w.load_controller, &dev);
    let reply = dev.handle(&wan, at(t + 1));
    assert!(matches!(
        reply.outcome,
        Outcome::Executed { success: true, .. }
    ));
    assert!(matches!(
        dev.press_boost_button(at(t + 10)),
        BoostPress::Started { .. }
    ));
    // The switch is on; the level shown is the limit's while it holds, then 100.
    assert!(switches(&w, &mut dev, 2, t + 20)[2]);
    assert_eq!(levels(&w, &mut dev, 3, t + 30)[2], level(50));
    assert_eq!(levels(&w, &mut dev, 4, t + 3600)[2], level(100));
}

#[test]
fn the_alcs_event_log_records_the_ecs47_and_boost_switchings() {
    use gbcs::usecases::event_logs_common::{
        ALCS_ACTION_OFF as OFF, ALCS_ACTION_ON as ON, ALCS_ACTION_REVERT as REVERT,
        ALCS_OUTCOME_SUCCESS as OK,
    };
    use usecases::AuxLoadAction as A;
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let t = w.now.to_unix();
    associate(&w, &mut dev, 1, [true, false, true, false, false], t);
    ecs47(&w, &mut dev, 2, 3, A::Deactivate { duration: 0 }, t + 10);
    let press = t + 60;
    let end = press + PERIOD;
    assert_eq!(
        dev.press_boost_button(at(press)),
        BoostPress::Started { until: end }
    );
    // Switch 1 taken back from the boost by a later ECS47: only switch 3 reverts at its end.
    ecs47(&w, &mut dev, 3, 1, A::Activate { duration: 30 }, press + 5);
    assert!(dev.tick(at(end)).unwrap().is_empty());
    let entries = |dev: &EmulatedDevice, p: &LogPeriod| {
        dev.alcs_event_log_entries(p)
            .iter()
            .map(|e| (e.time, e.switch, e.action, e.outcome, e.han_command_id))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        entries(&dev, &day_around(press)),
        [
            (secs_2000(t + 10), 3, OFF, OK, 0),
            (secs_2000(press), 1, ON, OK, 0),
            (secs_2000(press), 3, ON, OK, 0),
            (secs_2000(press + 5), 1, ON, OK, 0),
            (secs_2000(end), 3, REVERT, OK, 0),
        ]
    );
    // By period.
    let after_press = LogPeriod {
        start: at(press + 1),
        end: at(end),
    };
    assert_eq!(entries(&dev, &after_press).len(), 2);
    // The event log (ECS35a) does not show them, nor the ECS47 commands.
    let ev = dev.event_log_entries(devices::LogKind::Event, &day_around(press));
    let ecs47_code = gbcs::MessageCode::ECS47.0.to_be_bytes();
    assert!(
        ev.iter()
            .all(|e| e.data.as_deref() != Some(&ecs47_code[..])),
        "{ev:?}"
    );
}
