//! Crashes on the simulated clock: the DCC restarted with commands on the air and answers not
//! yet delivered. Every acknowledged request is answered exactly once, and a command the crash
//! interrupted is carried again (the device never executes it twice: its state and the DCC's
//! record commit together).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use harness::{Harness, premises1};

const SUPPLIER: &str = "supplier-a";
const FIRMWARE_ESME: &str = "ECS52_11.2_SUCCESS_REQUEST_DUIS.XML";
const FIRMWARE_GSME: &str = "GCS38_11.2_SUCCESS_REQUEST_DUIS.XML";
const SUPPLY_ESME: &str = "ECS45_7.4_SUCCESS_REQUEST_DUIS.XML";

fn responses_by_request(h: &Harness) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in h.delivered_to(SUPPLIER) {
        if d.kind == "response" {
            out.entry(d.request_id().unwrap())
                .or_default()
                .push(d.code().unwrap());
        }
    }
    out
}

#[test]
fn commands_on_the_air_at_a_crash_are_answered_exactly_once_after_the_restart() {
    let mut h = Harness::new_world();
    let mut rids = Vec::new();
    for (tpl, target) in [
        (FIRMWARE_ESME, premises1::ESME),
        (FIRMWARE_GSME, premises1::GSME),
        (SUPPLY_ESME, premises1::ESME),
    ] {
        let (p, a) = h.device_request(SUPPLIER, tpl, target);
        assert_eq!(a.code.map(|c| c.as_str()), Some("I99"));
        rids.push(p.rid);
    }
    // Mid-flight (Central latency is 25 ms): nothing answered yet.
    h.advance(Duration::from_millis(10));
    assert!(responses_by_request(&h).is_empty());
    h.restart();
    h.run_until_idle();
    let answered = responses_by_request(&h);
    assert_eq!(answered.len(), 3, "{answered:#?}");
    for rid in &rids {
        assert_eq!(answered[rid], vec!["I0".to_string()], "{rid}");
    }
}

#[test]
fn an_answer_not_yet_delivered_at_a_crash_is_delivered_once_after_it() {
    let mut h = Harness::new_world();
    h.refuse_next(SUPPLIER, 1);
    let (p, _) = h.device_request(SUPPLIER, FIRMWARE_ESME, premises1::ESME);
    // Answered, and the first delivery refused: the response waits in the outbox.
    h.advance(Duration::from_millis(30));
    assert_eq!(h.refused(), 1);
    assert!(responses_by_request(&h).is_empty());
    h.restart();
    h.run_until_idle();
    assert_eq!(
        responses_by_request(&h).get(&p.rid),
        Some(&vec!["I0".to_string()])
    );
    assert_eq!(h.pending_commands(), 0);
}
