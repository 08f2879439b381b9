//! DUIS 6.13 Read Event or Security Log end to end on the simulated clock: on the ESME a
//! message it refuses (and the security alert it raises), a supply disable (7.2) then enable
//! (7.1); the supplier's 6.13 reads return them from the right log with their times (ECS35a:
//! the alert and the two commands, actioned, with their message codes; ECS35b: the refusal),
//! the same after the DCC restarts; a period before them returns none; a bad body is refused
//! and nothing is sent. On the GSME, CS10b / CS10a read the refusal and its alert back. On the
//! CHF, ECS35d / ECS35c (the ACB on the supplier's behalf) read a refusal at the hub and its
//! alert back; on the ESME, ECS35e reads a supply outage and its restoration (with the
//! outage's length), ECS35f / ECS35g the auxiliary load switchings of 7.5 and 7.8 and of the
//! boost button; each filtered by period. The requests are the DUIS templates, times edited.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use gbcs::usecases::{EventLogEntry, ResponseOutcome, ResponseValue, decode_response};
use gbcs::{Frame, MessageCode};
use harness::{Delivered, Harness, premises1, set_text};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const SUPPLIER: &str = "supplier-a";
const READ_EVENT: &str = "ECS35a_6.13_SUCCESS_REQUEST_DUIS.XML";
const READ_SECURITY: &str = "ECS35b_6.13_SUCCESS_REQUEST_DUIS.XML";
const DISABLE_ESME: &str = "ECS43_7.2_SUCCESS_REQUEST_DUIS.XML";
const ENABLE_ESME: &str = "ECS42_7.1_SUCCESS_REQUEST_DUIS.XML";
const ACTIONED: u16 = 0x8154;

fn rfc3339(t: i64) -> String {
    OffsetDateTime::from_unix_timestamp(t)
        .unwrap()
        .format(&Rfc3339)
        .unwrap()
}

fn zigbee(t: i64) -> u32 {
    gbcs::UtcDateTime::from_unix(t)
        .unwrap()
        .to_zigbee_utc()
        .unwrap()
}

fn send(
    h: &mut Harness,
    template: &str,
    start: i64,
    end: i64,
    log: Option<&str>,
) -> (dcc::gateway::Answer, String) {
    send_to(h, template, premises1::ESME, start, end, log)
}

fn send_to(
    h: &mut Harness,
    template: &str,
    target: &str,
    start: i64,
    end: i64,
    log: Option<&str>,
) -> (dcc::gateway::Answer, String) {
    // The demo supplier supplies both meters of premises 1.
    let supplier = SUPPLIER;
    let p = h.request(template, supplier, target);
    let xml = set_text(&p.xml, "StartDateTime", &rfc3339(start));
    let mut xml = set_text(&xml, "EndDateTime", &rfc3339(end));
    if let Some(l) = log {
        xml = set_text(&xml, "LogToRead", l);
    }
    let signed = h.sign(supplier, &xml);
    (h.send(&signed), p.rid)
}

/// The entries of a 6.13 read of the ESME over `[start, end]`, minus the 6.13 reads' own
/// entries.
fn read(h: &mut Harness, template: &str, start: i64, end: i64) -> Vec<EventLogEntry> {
    let (a, rid) = send(h, template, start, end, None);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    let r: Delivered = h.response_for(SUPPLIER, &rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    let apdu = Frame::decode(&bytes).unwrap().apdu().clone();
    let ResponseOutcome::Success(ResponseValue::EventLogEntries(e)) =
        decode_response(apdu.message_code(), &apdu.content).unwrap()
    else {
        panic!("not event log entries")
    };
    let reads = [
        0x0048u16.to_be_bytes().to_vec(),
        0x0049u16.to_be_bytes().to_vec(),
    ];
    e.into_iter()
        .filter(|x| !(x.code == ACTIONED && x.data.as_ref().is_some_and(|d| reads.contains(d))))
        .collect()
}

/// A critical supply command through CV 4 / CV 5 (see `supply.rs`).
fn critical(h: &mut Harness, template: &str, srv: &str) {
    let p = h.request(template, SUPPLIER, premises1::ESME);
    let a = h.send(&h.sign(SUPPLIER, &p.xml));
    h.return_signed_precommand(SUPPLIER, &p.rid, srv, &a);
    h.run_until_idle();
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .expect("the meter's answer");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
}

fn now(h: &Harness) -> i64 {
    h.now().unix_timestamp()
}

#[test]
fn the_reads_show_what_happened_in_the_right_log_with_its_time() {
    let mut h = Harness::new_world();
    let esme = premises1::ESME;
    let t0 = now(&h);
    h.advance(Duration::from_secs(3600));
    // A message the meter refuses: the refusal in the security log, its alert in the event log.
    let t1 = now(&h);
    assert_eq!(h.deliver_locally(esme, &[0xDD, 0x00]), None);
    h.advance(Duration::from_secs(3600));
    let t2 = now(&h);
    critical(&mut h, DISABLE_ESME, "7.2");
    h.advance(Duration::from_secs(3600));
    let t3 = now(&h);
    critical(&mut h, ENABLE_ESME, "7.1");
    h.advance(Duration::from_secs(60));
    let end = now(&h) + 3600;

    for restarted in [false, true] {
        if restarted {
            h.restart();
        }
        let ev = read(&mut h, READ_EVENT, t0, end);
        let alert = ev
            .iter()
            .find(|e| e.code == 0x8F1E)
            .unwrap_or_else(|| panic!("the alert: {ev:?}"));
        assert_eq!(alert.time, zigbee(t1));
        for (code, at) in [(MessageCode::ECS43, t2), (MessageCode::ECS42, t3)] {
            let x = ev
                .iter()
                .find(|e| {
                    e.code == ACTIONED && e.data.as_deref() == Some(&code.0.to_be_bytes()[..])
                })
                .unwrap_or_else(|| panic!("{code:?}: {ev:?}"));
            // The critical command runs a moment after its CV 5 was sent.
            assert!(
                x.time >= zigbee(at) && x.time < zigbee(at + 600),
                "{code:?}"
            );
        }
        // Oldest first; the disable before the enable.
        assert!(ev.windows(2).all(|w| w[0].time <= w[1].time));
        let sec = read(&mut h, READ_SECURITY, t0, end);
        assert_eq!(
            sec.iter()
                .filter(|e| e.code == 0x8F1E && e.time == zigbee(t1))
                .count(),
            1,
            "{sec:?}"
        );
        assert!(sec.iter().all(|e| e.data.is_none()));
        assert!(!sec.iter().any(|e| e.code == ACTIONED));
        // A period that excludes them: none (the event log's own reads filtered out).
        assert!(read(&mut h, READ_EVENT, t0 - 7 * 86_400, t0 - 86_400).is_empty());
        assert!(read(&mut h, READ_SECURITY, t0 - 7 * 86_400, t0 - 86_400).is_empty());
        // Only what happened between t2 and t3: the disable.
        let mid = read(&mut h, READ_EVENT, t2, t3 - 1);
        assert!(
            mid.iter()
                .all(|e| e.data.as_deref() != Some(&MessageCode::ECS42.0.to_be_bytes()[..]))
        );
        assert!(
            mid.iter()
                .any(|e| e.data.as_deref() == Some(&MessageCode::ECS43.0.to_be_bytes()[..]))
        );
    }
}

#[test]
fn bad_bodies_are_refused_and_nothing_is_sent() {
    let mut h = Harness::new_world();
    let t = now(&h);
    for (start, end, log) in [
        (t, t - 60, None),
        (t - 60, t, Some("GSMEEvent")),
        (t - 60, t, Some("event")),
    ] {
        let (a, rid) = send(&mut h, READ_EVENT, start, end, log);
        assert_ne!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
        h.run_until_idle();
        assert!(h.response_for(SUPPLIER, &rid).is_none());
    }
}

#[test]
fn the_gas_meter_logs_read_back_with_cs10() {
    use gbcs::usecases::GbzLogPart;
    use gbcs::usecases::event_logs_common::parse_publish_event_log;
    let mut h = Harness::new_world();
    let gsme = premises1::GSME;
    let t0 = now(&h);
    h.advance(Duration::from_secs(600));
    let t1 = now(&h);
    assert_eq!(h.deliver_locally(gsme, &[0xDD, 0x00]), None);
    h.advance(Duration::from_secs(600));
    let end = now(&h) + 60;
    let read_gas = |h: &mut Harness, template: &str, start: i64, end: i64| {
        let (a, rid) = send_to(h, template, gsme, start, end, None);
        assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
        h.run_until_idle();
        let r = h.response_for(SUPPLIER, &rid).expect("a response");
        assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
        let bytes = r.gbcs_payload().expect("a GBCS payload");
        let apdu = Frame::decode(&bytes).unwrap().apdu().clone();
        match decode_response(apdu.message_code(), &apdu.content).unwrap() {
            ResponseOutcome::Success(ResponseValue::GbzLog(parts)) => match &parts[..] {
                [GbzLogPart::Plain { payload, .. }] => parse_publish_event_log(payload).unwrap(),
                [GbzLogPart::NotFound { .. }] => Vec::new(),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    };
    for restarted in [false, true] {
        if restarted {
            h.restart();
        }
        let sec = read_gas(&mut h, "CS10b_6.13_SUCCESS_REQUEST_DUIS.XML", t0, end);
        assert_eq!(sec.len(), 1, "{sec:?}");
        assert_eq!((sec[0].code, sec[0].time), (0x8F1E, zigbee(t1)));
        let ev = read_gas(&mut h, "CS10a_6.13_SUCCESS_REQUEST_DUIS.XML", t0, end);
        assert!(
            ev.iter().any(|e| e.code == 0x8F1E && e.time == zigbee(t1)),
            "{ev:?}"
        );
        // A period before: NOT_FOUND, no entries.
        assert!(
            read_gas(
                &mut h,
                "CS10b_6.13_SUCCESS_REQUEST_DUIS.XML",
                t0 - 7 * 86_400,
                t0 - 86_400
            )
            .is_empty()
        );
    }
}

/// The answer of a 6.13 read from `template` by `user` of `target` over `[start, end]`.
fn read_value(
    h: &mut Harness,
    user: &str,
    template: &str,
    target: &str,
    start: i64,
    end: i64,
) -> ResponseValue {
    let p = h.request(template, user, target);
    let xml = set_text(&p.xml, "StartDateTime", &rfc3339(start));
    let xml = set_text(&xml, "EndDateTime", &rfc3339(end));
    let a = h.send(&h.sign(user, &xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    let r = h.response_for(user, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    let apdu = Frame::decode(&bytes).unwrap().apdu().clone();
    match decode_response(apdu.message_code(), &apdu.content).unwrap() {
        ResponseOutcome::Success(v) => v,
        other => panic!("{template}: {other:?}"),
    }
}

#[test]
fn the_hub_logs_read_back_with_ecs35c_and_ecs35d() {
    let mut h = Harness::new_world();
    let chf = premises1::CHF;
    let t0 = now(&h);
    h.advance(Duration::from_secs(600));
    // A message the hub refuses: the refusal in its security log, its alert in its event log.
    let t1 = now(&h);
    assert_eq!(h.deliver_locally(chf, &[0xDD, 0x00]), None);
    h.advance(Duration::from_secs(600));
    let end = now(&h) + 60;
    for restarted in [false, true] {
        if restarted {
            h.restart();
        }
        let template = "ECS35d_6.13_SUCCESS_REQUEST_DUIS.XML";
        let ResponseValue::EventLogEntries(sec) =
            read_value(&mut h, SUPPLIER, template, chf, t0, end)
        else {
            panic!("not log entries")
        };
        assert!(
            sec.iter().any(|e| e.code == 0x8F1E && e.time == zigbee(t1)),
            "{sec:?}"
        );
        assert!(sec.iter().all(|e| e.data.is_none()));
        let template = "ECS35c_6.13_SUCCESS_REQUEST_DUIS.XML";
        let ResponseValue::EventLogEntries(ev) =
            read_value(&mut h, SUPPLIER, template, chf, t0, end)
        else {
            panic!("not log entries")
        };
        assert!(
            ev.iter().any(|e| e.code == 0x8F1E && e.time == zigbee(t1)),
            "{ev:?}"
        );
        // A period before it: none.
        let ResponseValue::EventLogEntries(none) = read_value(
            &mut h,
            SUPPLIER,
            "ECS35d_6.13_SUCCESS_REQUEST_DUIS.XML",
            chf,
            t0 - 7 * 86_400,
            t0 - 86_400,
        ) else {
            panic!("not log entries")
        };
        assert!(none.is_empty(), "{none:?}");
    }
}

#[test]
fn the_power_event_log_shows_an_outage_and_its_restoration() {
    let mut h = Harness::new_world();
    let t0 = now(&h);
    h.advance(Duration::from_secs(600));
    let lost = now(&h);
    h.hub_event(premises1::CHF, "power-outage");
    h.run_until_idle();
    h.advance(Duration::from_secs(300));
    let back = now(&h);
    h.hub_event(premises1::CHF, "power-restored");
    h.run_until_idle();
    h.advance(Duration::from_secs(60));
    let end = now(&h);
    let template = "ECS35e_6.13_SUCCESS_REQUEST_DUIS.XML";
    for restarted in [false, true] {
        if restarted {
            h.restart();
        }
        let ResponseValue::PowerEventLogEntries(e) =
            read_value(&mut h, SUPPLIER, template, premises1::ESME, t0, end)
        else {
            panic!("not power event log entries")
        };
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!((e[0].code, e[0].time), (0x8F57, zigbee(lost)));
        // Five minutes: the long restoration (8F36), its length in seconds.
        assert_eq!(e[1].code, 0x8F36, "{e:?}");
        assert!(e[1].time >= zigbee(back) && e[1].time < zigbee(back + 60));
        assert!((300..360).contains(&e[1].value), "{e:?}");
        // Only the outage's start.
        let ResponseValue::PowerEventLogEntries(first) =
            read_value(&mut h, SUPPLIER, template, premises1::ESME, t0, back - 1)
        else {
            panic!("not power event log entries")
        };
        assert_eq!(first.len(), 1, "{first:?}");
    }
}

#[test]
fn the_alcs_event_log_shows_the_switchings() {
    use gbcs::usecases::event_logs_common::{
        ALCS_ACTION_ON, ALCS_ACTION_REVERT, ALCS_OUTCOME_SUCCESS,
    };
    let mut h = Harness::new_world();
    let t0 = now(&h);
    h.advance(Duration::from_secs(600));
    // 7.5 switch 1 on, 7.8 switch 5 back to its calendar.
    let t1 = now(&h);
    critical(&mut h, "ECS47Activate_7.5_SUCCESS_REQUEST_DUIS.XML", "7.5");
    h.advance(Duration::from_secs(3600));
    let t2 = now(&h);
    critical(&mut h, "ECS47Reset_7.8_SUCCESS_REQUEST_DUIS.XML", "7.8");
    h.advance(Duration::from_secs(60));
    let end = now(&h);
    let alcs = |h: &mut Harness, user: &str, template: &str, start: i64, end: i64| match read_value(
        h,
        user,
        template,
        premises1::ESME,
        start,
        end,
    ) {
        ResponseValue::AlcsEventLogEntries(e) => e
            .iter()
            .map(|x| ((x.switch, x.action, x.outcome, x.han_command_id), x.time))
            .collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    for restarted in [false, true] {
        if restarted {
            h.restart();
        }
        // The supplier with the ECS35f template, the distributor with ECS35g's: the same log.
        for (user, template) in [
            (SUPPLIER, "ECS35f_6.13_SUCCESS_REQUEST_DUIS.XML"),
            ("distributor", "ECS35g_6.13_SUCCESS_REQUEST_DUIS.XML"),
        ] {
            let e = alcs(&mut h, user, template, t0, end);
            assert_eq!(e.len(), 2, "{e:?}");
            assert_eq!(e[0].0, (1, ALCS_ACTION_ON, ALCS_OUTCOME_SUCCESS, 0));
            assert!(e[0].1 >= zigbee(t1) && e[0].1 < zigbee(t1 + 600));
            assert_eq!(e[1].0, (5, ALCS_ACTION_REVERT, ALCS_OUTCOME_SUCCESS, 0));
            assert!(e[1].1 >= zigbee(t2) && e[1].1 < zigbee(t2 + 600));
            // Only the first.
            assert_eq!(alcs(&mut h, user, template, t0, t2 - 1).len(), 1);
        }
    }
}
