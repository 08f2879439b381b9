//! DUIS 3.3 Clear Event Log end to end in one process on a simulated clock: the meters log
//! (a read in the event log, a refused message in the security log, an auxiliary load switch
//! command in the ESME's ALCS event log); the supplier's 3.3 request clears exactly the log it
//! names (ECS15a the ESME's event log, ECS15c its ALCS event log, CS11 the gas meter's event
//! log), the security log records the clear and keeps what it held, and the stored logs show it
//! after the DCC restarts (no read service for the logs exists yet, 6.13: the meters' stored
//! state is read back). Logging goes on after a clear. Other device types: E11.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use dcc::store::Store as _;
use devices::{Event, EventKind, LogKind};
use gbcs::MessageCode;
use harness::{Harness, premises1};

const SUPPLIER: &str = "supplier-a";

mod t {
    pub const CLEAR_ESME: &str = "ECS15a_3.3_SUCCESS_REQUEST_DUIS.XML";
    pub const CLEAR_ALCS: &str = "ECS15c_3.3_SUCCESS_REQUEST_DUIS.XML";
    pub const CLEAR_GSME: &str = "CS11_3.3_SUCCESS_REQUEST_DUIS.XML";
    pub const READ_FIRMWARE_ESME: &str = "ECS52_11.2_SUCCESS_REQUEST_DUIS.XML";
    pub const READ_FIRMWARE_GSME: &str = "GCS38_11.2_SUCCESS_REQUEST_DUIS.XML";
}

/// Sends the template's request for `device` signed by the supplier; runs the DCC until idle;
/// the response code delivered.
fn answered(h: &mut Harness, template: &str, device: &str) -> Option<String> {
    let p = h.request(template, SUPPLIER, device);
    let a = h.send(&h.sign(SUPPLIER, &p.xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    h.response_for(SUPPLIER, &p.rid).and_then(|r| r.code())
}

/// The meter's logs as stored.
fn logs(h: &Harness, device: &str) -> devices::EventLog {
    let id: eui::Eui64 = device.parse().unwrap();
    h.store()
        .transaction_in(|tx| wan::emulated::stored_state(tx, id))
        .unwrap()
        .expect("an emulated device")
        .event_log
}

fn codes(log: &devices::EventLog, which: LogKind) -> Vec<u16> {
    log.log(which)
        .filter_map(|e| match e.kind {
            EventKind::CommandExecuted { message_code, .. } => Some(message_code),
            _ => None,
        })
        .collect()
}

fn refused(log: &devices::EventLog) -> usize {
    log.log(LogKind::Security)
        .filter(|e| matches!(e.kind, EventKind::CommandRefused { .. }))
        .count()
}

fn cleared(log: &devices::EventLog) -> Vec<(LogKind, u16)> {
    log.log(LogKind::Security)
        .filter_map(|e| match e.kind {
            EventKind::LogCleared { log, message_code } => Some((log, message_code)),
            _ => None,
        })
        .collect()
}

/// An auxiliary load switch command the ESME executed (ALCS event log), as the meter would
/// have logged it (the ALCS commands are critical: put in the stored state directly).
fn log_alcs_command(h: &Harness, device: &str) {
    let id: eui::Eui64 = device.parse().unwrap();
    let at = h.now().unix_timestamp();
    h.store()
        .transaction_in(|tx| {
            let mut state = wan::emulated::stored_state(tx, id)?.expect("an emulated device");
            state.event_log.push(Event {
                at,
                kind: EventKind::CommandExecuted {
                    message_code: MessageCode::ECS47.0,
                    originator: eui::Eui64::from_u64(0x90b3_d51f_3001_0000),
                    counter: 1,
                    success: true,
                },
            });
            wan::emulated::put_state(tx, id, &state)?;
            Ok(())
        })
        .unwrap();
}

/// Something that is not a GBCS message reaches the meter: refused, a security log entry.
fn refused_message(h: &Harness, device: &str) {
    assert_eq!(h.deliver_locally(device, &[0xDD, 0x00]), None);
}

#[test]
fn each_clear_empties_the_named_log_only_across_a_restart() {
    let mut h = Harness::new_world();
    let esme = premises1::ESME;
    assert_eq!(
        answered(&mut h, t::READ_FIRMWARE_ESME, esme).as_deref(),
        Some("I0")
    );
    refused_message(&h, esme);
    log_alcs_command(&h, esme);
    let before = logs(&h, esme);
    assert_eq!(codes(&before, LogKind::Event), [MessageCode::ECS52.0]);
    assert_eq!(codes(&before, LogKind::Alcs), [MessageCode::ECS47.0]);
    assert_eq!(refused(&before), 1);

    // ECS15a: the event log goes, the ALCS event log stays; the security log records it.
    assert_eq!(answered(&mut h, t::CLEAR_ESME, esme).as_deref(), Some("I0"));
    h.restart();
    let after = logs(&h, esme);
    assert_eq!(after.log(LogKind::Event).count(), 0, "{after:?}");
    assert_eq!(codes(&after, LogKind::Alcs), [MessageCode::ECS47.0]);
    assert_eq!(refused(&after), 1, "the security log keeps its entries");
    assert_eq!(cleared(&after), [(LogKind::Event, MessageCode::ECS15A.0)]);
    assert!(codes(&after, LogKind::Security).contains(&MessageCode::ECS15A.0));

    // The meter logs again after the clear.
    assert_eq!(
        answered(&mut h, t::READ_FIRMWARE_ESME, esme).as_deref(),
        Some("I0")
    );
    // ECS15c: the ALCS event log goes, the event log's new entry stays.
    assert_eq!(answered(&mut h, t::CLEAR_ALCS, esme).as_deref(), Some("I0"));
    h.restart();
    let after = logs(&h, esme);
    assert_eq!(codes(&after, LogKind::Event), [MessageCode::ECS52.0]);
    assert_eq!(after.log(LogKind::Alcs).count(), 0);
    assert_eq!(refused(&after), 1);
    assert_eq!(
        cleared(&after),
        [
            (LogKind::Event, MessageCode::ECS15A.0),
            (LogKind::Alcs, MessageCode::ECS15C.0)
        ]
    );

    // CS11 on the gas meter.
    let gsme = premises1::GSME;
    assert_eq!(
        answered(&mut h, t::READ_FIRMWARE_GSME, gsme).as_deref(),
        Some("I0")
    );
    refused_message(&h, gsme);
    assert_eq!(
        codes(&logs(&h, gsme), LogKind::Event),
        [MessageCode::GCS38.0]
    );
    assert_eq!(answered(&mut h, t::CLEAR_GSME, gsme).as_deref(), Some("I0"));
    h.restart();
    let after = logs(&h, gsme);
    assert_eq!(after.log(LogKind::Event).count(), 0, "{after:?}");
    assert_eq!(refused(&after), 1);
    assert_eq!(cleared(&after), [(LogKind::Event, MessageCode::CS11.0)]);
    // The ESME's logs are not the gas meter's business.
    assert_eq!(
        codes(&logs(&h, esme), LogKind::Event),
        [MessageCode::ECS52.0]
    );
}

#[test]
fn other_device_types_are_refused_and_nothing_is_cleared() {
    let mut h = Harness::new_world();
    assert_eq!(
        answered(&mut h, t::READ_FIRMWARE_ESME, premises1::ESME).as_deref(),
        Some("I0")
    );
    for (template, target) in [
        (t::CLEAR_GSME, premises1::GPF),
        (t::CLEAR_ESME, premises1::CHF),
        (t::CLEAR_GSME, premises1::PPMID),
    ] {
        let before = h.pending_commands();
        let p = h.request(template, SUPPLIER, target);
        let a = h.send(&h.sign(SUPPLIER, &p.xml));
        assert_eq!(a.code.map(|c| c.as_str()), Some("E11"), "{}", a.body);
        assert_eq!(h.pending_commands(), before);
    }
    h.run_until_idle();
    assert_eq!(
        codes(&logs(&h, premises1::ESME), LogKind::Event),
        [MessageCode::ECS52.0]
    );
}
