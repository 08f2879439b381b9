//! DUIS 6.13 Read Event or Security Log on the emulated ESME: ECS35a reads the event log,
//! ECS35b the security log, each the entries of what really happened in the period asked
//! (device clock), in the RTDS response's form; an empty period answers an empty array; an
//! injected fault answers as the RTDS ERROR vectors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::event_logs::{EVENT_COMMAND_ACTIONED, EVENT_SUPPLY_ARMED};
use devices::{DeviceFault, DeviceKind, EmulatedDevice, Outcome};
use gbcs::usecases::{
    self, CommandHeader, EventLogEntry, LogPeriod, ResponseOutcome, ResponseValue, ecs35a, ecs35b,
};
use gbcs::{Frame, UtcDateTime};

fn header(orig: &Party, dev: &EmulatedDevice, counter: u64) -> CommandHeader {
    CommandHeader::new(orig.eui, dev.eui(), counter)
}

fn read(
    w: &World,
    dev: &mut EmulatedDevice,
    security: bool,
    counter: u64,
    period: LogPeriod,
) -> Vec<EventLogEntry> {
    let h = header(&w.supplier, dev, counter);
    let cmd = if security {
        usecases::ecs35b_read_security_log(&h, &period)
    } else {
        usecases::ecs35a_read_event_log(&h, &period)
    };
    let reply = dev.handle(&w.wan(cmd, dev), w.now);
    assert!(
        matches!(reply.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        reply.outcome
    );
    let bytes = reply.response.unwrap();
    let a = Frame::decode(&bytes).unwrap().apdu().clone();
    match usecases::decode_response(a.message_code(), &a.content).unwrap() {
        ResponseOutcome::Success(ResponseValue::EventLogEntries(e)) => e,
        other => panic!("{other:?}"),
    }
}

fn period(start: UtcDateTime, end: UtcDateTime) -> LogPeriod {
    LogPeriod { start, end }
}

fn z(t: UtcDateTime) -> u32 {
    t.to_zigbee_utc().unwrap()
}

#[test]
fn the_logs_read_what_happened_in_the_period() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let all = period(
        UtcDateTime::new(2014, 1, 1, 0, 0, 0).unwrap(),
        UtcDateTime::new(2016, 1, 1, 0, 0, 0).unwrap(),
    );
    // A fresh meter: nothing in either log.
    assert!(read(&w, &mut dev, false, 1, all).is_empty());
    assert!(read(&w, &mut dev, true, 2, all).is_empty());
    // A replay (counter 2 again) is refused: security log 8F53, the alert in the event log.
    let replay = usecases::ecs45_read_supply_status(&header(&w.supplier, &dev, 2));
    let r = dev.handle(&w.wan(replay, &dev), w.now);
    assert!(matches!(r.outcome, Outcome::Refused(_)));
    // Disable then arm the supply.
    let pre = usecases::ecs43_disable_supply(&header(&w.supplier, &dev, 3));
    let r = dev.handle(&w.critical(pre, &w.supplier, &dev), w.now);
    assert!(matches!(r.outcome, Outcome::Executed { success: true, .. }));
    let pre = usecases::ecs44_arm_supply(&header(&w.supplier, &dev, 4));
    let r = dev.handle(&w.critical(pre, &w.supplier, &dev), w.now);
    assert!(matches!(r.outcome, Outcome::Executed { success: true, .. }));

    let sec = read(&w, &mut dev, true, 5, all);
    assert!(
        sec.iter()
            .any(|e| e.code == 0x8F53 && e.time == z(w.now) && e.data.is_none()),
        "{sec:?}"
    );
    let ev = read(&w, &mut dev, false, 6, all);
    // The reads themselves, the alert for the replay, the two supply commands, Supply Armed.
    assert!(ev.iter().any(|e| e.code == 0x8F53), "{ev:?}");
    for code in [gbcs::MessageCode::ECS43, gbcs::MessageCode::ECS44] {
        assert!(
            ev.iter().any(|e| e.code == EVENT_COMMAND_ACTIONED
                && e.data.as_deref() == Some(&code.0.to_be_bytes()[..])),
            "{code:?}: {ev:?}"
        );
    }
    assert!(ev.iter().any(|e| e.code == EVENT_SUPPLY_ARMED));
    assert!(ev.iter().all(|e| e.time == z(w.now)));
    // Nothing of it in the security log's event entries, nor refusals in the event log.
    assert!(!sec.iter().any(|e| e.code == EVENT_COMMAND_ACTIONED));
    // A period before it all: none.
    let before = period(
        UtcDateTime::new(2014, 1, 1, 0, 0, 0).unwrap(),
        UtcDateTime::new(2014, 12, 31, 23, 59, 59).unwrap(),
    );
    assert!(read(&w, &mut dev, false, 7, before).is_empty());
    assert!(read(&w, &mut dev, true, 8, before).is_empty());
}

#[test]
fn rtds_commands_answer_as_the_rtds_responses() {
    let w = World::new();
    for (dir, file, code) in [
        ("6.13_ECS35a", "ECS35a", ecs35a::CODE),
        ("6.13_ECS35b", "ECS35b", ecs35b::CODE),
    ] {
        // ERROR: a fault on the log's buffer; the same bytes as the RTDS ERROR response.
        let mut dev = w.device(DeviceKind::Esme, ESME);
        let obis = if code == ecs35a::CODE {
            "0.0.99.98.0.255"
        } else {
            "0.0.99.98.1.255"
        };
        dev.state_mut()
            .faults
            .insert(DeviceFault::parse(&format!("dlms-object:7/{obis}/2")).unwrap());
        let cmd = Frame::decode(&rtds(dir, &format!("{file}_6.13_ERROR_COMMAND_GBCS.HEX")))
            .unwrap()
            .apdu()
            .clone();
        let cmd = {
            let d = usecases::decode_command(&cmd).unwrap();
            let p = usecases::logs_common::period_of(&d).unwrap();
            usecases::logs_common::build_log_read(code, &CommandHeader::of(&cmd), &p)
                .unwrap()
                .unwrap()
        };
        let reply = dev.handle(&w.wan(cmd, &dev), w.now);
        assert!(matches!(
            reply.outcome,
            Outcome::Executed { success: false, .. }
        ));
        let bytes = reply.response.unwrap();
        let ours = Frame::decode(&bytes).unwrap().apdu().content.clone();
        let theirs = Frame::decode(&rtds(dir, &format!("{file}_6.13_ERROR_RESPONSE_GBCS.HEX")))
            .unwrap()
            .apdu()
            .content
            .clone();
        assert_eq!(hex::encode_upper(ours), hex::encode_upper(theirs), "{file}");
        assert_failure_like_rtds(&bytes, dir, &format!("{file}_6.13_ERROR_RESPONSE_GBCS.HEX"));
    }
}

#[test]
fn the_gas_meter_answers_cs10_as_the_rtds_responses_and_from_its_logs() {
    use gbcs::usecases::event_logs_common::parse_publish_event_log;
    use gbcs::usecases::{GbzLogPart, cs10a, cs10b};
    let w = World::new();
    for (dir, file, code) in [
        ("6.13_CS10a", "CS10a", cs10a::CODE),
        ("6.13_CS10b", "CS10b", cs10b::CODE),
    ] {
        // NOT_FOUND on a fresh meter, ERROR with a logs fault: the RTDS responses' bytes.
        for (kind, fault) in [("NOT_FOUND", false), ("ERROR", true)] {
            let mut dev = w.device(DeviceKind::Gsme, GSME);
            if fault {
                dev.state_mut().faults.insert(DeviceFault::Logs);
            }
            let rtds_cmd =
                Frame::decode(&rtds(dir, &format!("{file}_6.13_{kind}_COMMAND_GBCS.HEX")))
                    .unwrap()
                    .apdu()
                    .clone();
            let d = usecases::decode_command(&rtds_cmd).unwrap();
            let p = usecases::logs_common::period_of(&d).unwrap();
            let cmd =
                usecases::logs_common::build_log_read(code, &CommandHeader::of(&rtds_cmd), &p)
                    .unwrap()
                    .unwrap();
            let reply = dev.handle(&w.wan(cmd, &dev), w.now);
            assert!(
                matches!(reply.outcome, Outcome::Executed { success, .. } if success != fault),
                "{file} {kind}"
            );
            let ours = Frame::decode(&reply.response.unwrap())
                .unwrap()
                .apdu()
                .content
                .clone();
            let theirs =
                Frame::decode(&rtds(dir, &format!("{file}_6.13_{kind}_RESPONSE_GBCS.HEX")))
                    .unwrap()
                    .apdu()
                    .content
                    .clone();
            assert_eq!(
                hex::encode_upper(ours),
                hex::encode_upper(theirs),
                "{file} {kind}"
            );
        }
    }
    // A replay: the security log has it (CS10b), the event log the alert (CS10a).
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    let all = period(
        UtcDateTime::new(2014, 1, 1, 0, 0, 0).unwrap(),
        UtcDateTime::new(2016, 1, 1, 0, 0, 0).unwrap(),
    );
    let read_gas = |dev: &mut EmulatedDevice, counter: u64, security: bool| {
        let h = header(&w.supplier, dev, counter);
        let cmd = if security {
            usecases::cs10b_read_security_log(&h, &all)
        } else {
            usecases::cs10a_read_event_log(&h, &all)
        }
        .unwrap();
        let reply = dev.handle(&w.wan(cmd, dev), w.now);
        let a = Frame::decode(&reply.response.unwrap())
            .unwrap()
            .apdu()
            .clone();
        match usecases::decode_response(a.message_code(), &a.content).unwrap() {
            ResponseOutcome::Success(ResponseValue::GbzLog(parts)) => match &parts[..] {
                [GbzLogPart::Plain { payload, .. }] => parse_publish_event_log(payload).unwrap(),
                [GbzLogPart::NotFound { .. }] => Vec::new(),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    };
    assert!(read_gas(&mut dev, 5, true).is_empty());
    let replay = usecases::cs10b_read_security_log(&header(&w.supplier, &dev, 5), &all).unwrap();
    let r = dev.handle(&w.wan(replay, &dev), w.now);
    assert!(matches!(r.outcome, Outcome::Refused(_)));
    let sec = read_gas(&mut dev, 6, true);
    assert_eq!(sec.len(), 1, "{sec:?}");
    assert_eq!((sec[0].code, sec[0].time), (0x8F53, z(w.now)));
    let ev = read_gas(&mut dev, 7, false);
    assert!(ev.iter().any(|e| e.code == 0x8F53), "{ev:?}");
}
