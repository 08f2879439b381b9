//! DUIS 3.3 Clear Event Log on the emulated devices: ECS15a clears the ESME's event log, ECS15c
//! its ALCS event log, CS11 the gas meter's event log; each leaves the other logs alone, the
//! security log (never cleared) records the clear, and the state says which log was cleared
//! (`EventLog::cleared`) for the store. Answers as the RTDS SUCCESS vectors; an injected fault
//! answers as the RTDS ERROR vector and clears nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::{
    DeviceFault, DeviceKind, EmulatedDevice, Event, EventKind, EventLog, LogKind, Outcome, Refusal,
};
use gbcs::usecases::{self, CommandHeader, Failure};
use gbcs::{Frame, MessageCode, UtcDateTime};

fn header(orig: &Party, dev: &EmulatedDevice, counter: u64) -> CommandHeader {
    CommandHeader::new(orig.eui, dev.eui(), counter)
}

/// A device with an entry in each of its logs: a command executed (event log), a command
/// refused (security log) and an auxiliary load switch command (ALCS event log).
fn with_logged(w: &World, kind: DeviceKind, eui: u64) -> EmulatedDevice {
    let mut dev = w.device(kind, eui);
    let log = &mut dev.state_mut().event_log;
    let executed = |message_code: MessageCode, at| Event {
        at,
        kind: EventKind::CommandExecuted {
            message_code: message_code.0,
            originator: w.supplier.eui,
            counter: 5,
            success: true,
        },
    };
    log.push(executed(MessageCode(0x0035), 10));
    log.push(Event {
        at: 11,
        kind: EventKind::CommandRefused {
            refusal: Refusal::MacInvalid,
            originator: None,
            counter: None,
        },
    });
    log.push(executed(MessageCode::ECS47, 12));
    *log = EventLog::from_events(log.iter().cloned());
    dev
}

fn kinds(dev: &EmulatedDevice, log: LogKind) -> Vec<EventKind> {
    dev.state()
        .event_log
        .log(log)
        .map(|e| e.kind.clone())
        .collect()
}

/// Executes `wan` at `now` with outcome `success`; the response bytes.
fn run(dev: &mut EmulatedDevice, wan: &[u8], now: UtcDateTime, success: bool) -> Vec<u8> {
    let cmd = Frame::decode(wan).unwrap().apdu().clone();
    let reply = dev.handle(wan, now);
    assert_eq!(
        reply.outcome,
        Outcome::Executed {
            message_code: cmd.message_code(),
            success
        }
    );
    assert!(reply.state_changed);
    reply.response.expect("a response")
}

fn command(w: &World, dev: &EmulatedDevice, code: MessageCode, counter: u64) -> Vec<u8> {
    let h = header(&w.supplier, dev, counter);
    let apdu = match code {
        MessageCode::ECS15A => usecases::ecs15a_clear_event_log(&h),
        MessageCode::ECS15C => usecases::ecs15c_clear_event_log(&h),
        _ => usecases::cs11_clear_event_log(&h).unwrap(),
    };
    w.wan(apdu, dev)
}

#[test]
fn each_clear_empties_its_log_only_and_the_security_log_records_it() {
    let w = World::new();
    for (kind, eui, code, dir, stem, cleared) in [
        (
            DeviceKind::Esme,
            ESME,
            MessageCode::ECS15A,
            "3.3_ECS15a",
            "ECS15a_3.3",
            LogKind::Event,
        ),
        (
            DeviceKind::Esme,
            ESME,
            MessageCode::ECS15C,
            "3.3_ECS15c",
            "ECS15c_3.3",
            LogKind::Alcs,
        ),
        (
            DeviceKind::Gsme,
            GSME,
            MessageCode::CS11,
            "3.3_CS11",
            "CS11_3.3",
            LogKind::Event,
        ),
    ] {
        let mut dev = with_logged(&w, kind, eui);
        let before: Vec<_> = LogKind::ALL.map(|l| kinds(&dev, l)).into();
        let wan = command(&w, &dev, code, 1000);
        let bytes = run(&mut dev, &wan, w.now, true);
        assert_same_structure(
            &bytes,
            &rtds(dir, &format!("{stem}_SUCCESS_RESPONSE_GBCS.HEX")),
            stem,
        );
        let resp = open(&bytes, &dev, &w.supplier);
        let outcome = usecases::decode_response(resp.message_code(), &resp.content).unwrap();
        assert!(!outcome.is_failure(), "{stem}");

        assert!(kinds(&dev, cleared).is_empty(), "{stem}: cleared");
        for (i, l) in LogKind::ALL.into_iter().enumerate() {
            if l != cleared && l != LogKind::Security {
                assert_eq!(kinds(&dev, l), before[i], "{stem}: {l:?} untouched");
            }
        }
        let security = kinds(&dev, LogKind::Security);
        assert_eq!(
            security[..2],
            [
                before[1][0].clone(),
                EventKind::LogCleared {
                    log: cleared,
                    message_code: code.0
                }
            ],
            "{stem}: the security log keeps its entries and records the clear"
        );
        assert!(
            matches!(security[2], EventKind::CommandExecuted { message_code, success: true, .. } if message_code == code.0),
            "{stem}: the command itself is a security log entry"
        );
        assert_eq!(
            dev.state().event_log.cleared().collect::<Vec<_>>(),
            [cleared],
            "{stem}"
        );
        // Entries logged after the clear are kept (and count as unsaved for the store).
        let unsaved: Vec<_> = dev.state().event_log.unsaved().cloned().collect();
        assert_eq!(unsaved.len(), 2, "{stem}: the clear and the command");
    }
}

#[test]
fn a_fault_answers_as_the_rtds_error_and_clears_nothing() {
    let w = World::new();
    let buffer = |o: gbcs::dlms::CosemDescriptor| DeviceFault::DlmsObject {
        class: o.class_id,
        obis: o.instance,
        attribute: 2,
    };
    for (kind, eui, code, dir, stem, fault, failure) in [
        (
            DeviceKind::Esme,
            ESME,
            MessageCode::ECS15A,
            "3.3_ECS15a",
            "ECS15a_3.3",
            buffer(usecases::ecs15a::EVENT_LOG),
            Failure::Dlms {
                index: 0,
                result: 1,
            },
        ),
        (
            DeviceKind::Esme,
            ESME,
            MessageCode::ECS15C,
            "3.3_ECS15c",
            "ECS15c_3.3",
            buffer(usecases::ecs15c::ALCS_EVENT_LOG),
            Failure::Dlms {
                index: 0,
                result: 1,
            },
        ),
        (
            DeviceKind::Gsme,
            GSME,
            MessageCode::CS11,
            "3.3_CS11",
            "CS11_3.3",
            DeviceFault::ZclCommand {
                cluster: usecases::cs11::CLUSTER_EVENTS,
                command: usecases::cs11::CLEAR_EVENT_LOG_REQUEST,
            },
            Failure::Result { code: 0 },
        ),
    ] {
        let mut dev = with_logged(&w, kind, eui);
        dev.state_mut().faults.insert(fault);
        let before: Vec<_> = LogKind::ALL.map(|l| kinds(&dev, l)).into();
        let wan = command(&w, &dev, code, 1001);
        let bytes = run(&mut dev, &wan, w.now, false);
        assert_eq!(
            assert_failure_like_rtds(&bytes, dir, &format!("{stem}_ERROR_RESPONSE_GBCS.HEX")),
            failure,
            "{stem}"
        );
        assert_eq!(dev.state().event_log.cleared().count(), 0, "{stem}");
        assert_eq!(kinds(&dev, LogKind::Event), before[0], "{stem}");
        assert_eq!(kinds(&dev, LogKind::Alcs), before[2], "{stem}");
        assert!(
            !kinds(&dev, LogKind::Security)
                .iter()
                .any(|k| matches!(k, EventKind::LogCleared { .. })),
            "{stem}"
        );
    }
}

#[test]
fn the_logs_survive_the_json_form_apart() {
    let w = World::new();
    let dev = with_logged(&w, DeviceKind::Esme, ESME);
    let json = serde_json::to_string(dev.state()).unwrap();
    let back: devices::DeviceState = serde_json::from_str(&json).unwrap();
    for l in LogKind::ALL {
        assert_eq!(
            back.event_log.log(l).collect::<Vec<_>>(),
            dev.state().event_log.log(l).collect::<Vec<_>>()
        );
        assert_eq!(back.event_log.log(l).count(), 1, "{l:?}");
    }
}

#[test]
fn the_security_log_cannot_be_cleared_and_each_log_keeps_its_own_capacity() {
    let mut log = EventLog::default();
    log.push(Event {
        at: 0,
        kind: EventKind::LogCleared {
            log: LogKind::Event,
            message_code: 0x24,
        },
    });
    for at in 1..=(devices::EVENT_LOG_CAPACITY as i64 + 10) {
        log.push(Event {
            at,
            kind: EventKind::PowerLost,
        });
    }
    assert!(!log.clear(LogKind::Security));
    assert_eq!(log.cleared().count(), 0);
    assert_eq!(log.log(LogKind::Security).count(), 1, "not pushed out");
    assert_eq!(log.log(LogKind::Event).count(), devices::EVENT_LOG_CAPACITY);
    assert_eq!(log.len(), devices::EVENT_LOG_CAPACITY + 1);
    assert!(log.clear(LogKind::Event));
    assert_eq!(log.len(), 1);
}
