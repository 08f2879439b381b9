//! DUIS 6.13 Read Event or Security Log end to end on the simulated clock: on the ESME a
//! message it refuses (and the security alert it raises), a supply disable (7.2) then enable
//! (7.1); the supplier's 6.13 reads return them from the right log with their times (ECS35a:
//! the alert and the two commands, actioned, with their message codes; ECS35b: the refusal),
//! the same after the DCC restarts; a period before them returns none; a bad body is refused
//! and nothing is sent. On the GSME, CS10b / CS10a read the refusal and its alert back.

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
    use base64::Engine as _;
    let p = h.request(template, SUPPLIER, premises1::ESME);
    let a = h.send(&h.sign(SUPPLIER, &p.xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I0"), "{}", a.body);
    let pre = Delivered {
        delivery_id: 0,
        kind: "response".into(),
        xml: a.body.clone(),
    }
    .gbcs_payload()
    .expect("a pre-command");
    let signed = h.sign_precommand(SUPPLIER, &pre);
    let cv5 = format!(
        concat!(
            r#"<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4">"#,
            "<sr:Header><sr:RequestID>{}</sr:RequestID><sr:CommandVariant>5</sr:CommandVariant>",
            "<sr:ServiceReference>{}</sr:ServiceReference>",
            "<sr:ServiceReferenceVariant>{}</sr:ServiceReferenceVariant></sr:Header>",
            "<sr:Body><sr:SignedPreCommand><sr:GBCSPayload>{}</sr:GBCSPayload></sr:SignedPreCommand>",
            "</sr:Body></sr:Request>"
        ),
        p.rid,
        srv,
        srv,
        base64::engine::general_purpose::STANDARD.encode(&signed)
    );
    let a = h.send(&h.sign(SUPPLIER, &cv5));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
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
        (t - 60, t, Some("ALCSEvent")),
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
