//! The anti-replay rule end to end (`dcc::gateway::check_counter`, per originator and target),
//! on the simulated clock with the emulated devices: a user sending in parallel to two meters
//! has its requests arrive reordered and duplicated; the DCC accepts each target's requests in
//! increasing counter order whatever the interleaving (the same counter once per target),
//! refuses the rest, and every accepted request reaches its device once and is answered once
//! (I0: the device, which checks GBCS counters per originator, never sees a replay), refused
//! ones never. `crates/dcc/tests/counters.rs` sends every such arrival order to the gateway.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use harness::{Harness, premises1, set_text, template};

const SUPPLIER: &str = "supplier-a";
const READ_FIRMWARE: &str = "ECS52_11.2_SUCCESS_REQUEST_DUIS.XML";

#[test]
fn a_parallel_senders_reordered_and_duplicated_requests_reach_each_device_once() {
    let mut h = Harness::new_world();
    let user = h.user_eui(SUPPLIER);
    // Above anything the user has used (the harness's own counter space).
    let base = h.request(READ_FIRMWARE, SUPPLIER, premises1::ESME).counter;
    let message = |h: &Harness, target: &str, counter: u64| {
        let rid = format!("{user}:{target}:{counter}");
        let xml = set_text(&template(READ_FIRMWARE), "RequestID", &rid);
        (rid, h.sign(SUPPLIER, &xml))
    };
    let (esme, gsme) = (premises1::ESME, premises1::GSME);
    // Pre-signed: ESME base+1, base+2; GSME base+1, base+2 (the same counters).
    let msgs: Vec<(String, String)> = [(esme, 1), (esme, 2), (gsme, 1), (gsme, 2)]
        .into_iter()
        .map(|(t, c)| message(&h, t, base + c))
        .collect();
    // Arrival: ESME 2, GSME 1, ESME 1 (overtaken: refused), GSME 1 again (duplicate: refused),
    // GSME 2, ESME 2 again (replay: refused).
    let arrival = [
        (1, true),
        (2, true),
        (0, false),
        (2, false),
        (3, true),
        (1, false),
    ];
    for (m, fresh) in arrival {
        let a = h.send(&msgs[m].1);
        if fresh {
            assert_eq!(
                a.code.map(|c| c.as_str()),
                Some("I99"),
                "{}: {:?}",
                msgs[m].0,
                a.error
            );
        } else {
            assert_eq!((a.http_status, a.code), (409, None), "{}", msgs[m].0);
        }
    }
    h.run_until_idle();
    let delivered = h.delivered_to(SUPPLIER);
    for (i, (rid, _)) in msgs.iter().enumerate() {
        let codes: Vec<String> = delivered
            .iter()
            .filter(|d| d.kind == "response" && d.request_id().as_deref() == Some(rid.as_str()))
            .map(|d| d.code().unwrap_or_default())
            .collect();
        let want: Vec<String> = if i == 0 { vec![] } else { vec!["I0".into()] };
        assert_eq!(codes, want, "responses for {rid}");
    }
    // The ESME saw the user's counters base+2 only (its last), and no replay alert was raised
    // (every answer above was I0).
    let state = h.device_state(esme);
    let last = state["last_counters"][user.to_string()].as_u64();
    assert_eq!(last, Some(base + 2), "{}", state["last_counters"]);
}
