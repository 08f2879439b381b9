//! End-to-end tests of alerts: events injected at a Communications Hub with `opendcc wan event`
//! become DUIS alerts, signed by the DCC and schema-valid, delivered to the Receive Response
//! Services of the parties registered for the premises.
//!
//! The real-process smoke test of the family; the routing of every alert is tested on the
//! simulated clock in `crates/harness`.

mod common;

use common::*;

/// A demo with a Receive Response Service for each user, by name.
struct AlertWorld {
    demo: Demo,
    sinks: Vec<(&'static str, ResponseSink)>,
}

impl AlertWorld {
    fn start() -> AlertWorld {
        let demo = Demo::start_fast(&[]);
        let sinks = [
            "supplier-a",
            "supplier-b",
            "distributor",
            "transporter",
            "other-user",
        ]
        .into_iter()
        .map(|user| {
            let sink = demo.response_sink();
            demo.set_response_url(user, sink.url());
            (user, sink)
        })
        .collect();
        AlertWorld { demo, sinks }
    }

    fn sink(&self, user: &str) -> &ResponseSink {
        self.sinks
            .iter()
            .find(|(u, _)| *u == user)
            .map(|(_, s)| s)
            .unwrap_or_else(|| panic!("no sink for {user}"))
    }

    /// The one document delivered to `user`, checked (DCC signature, DUIS schema).
    fn only_delivery(&self, user: &str) -> DuisResponse {
        let sink = self.sink(user);
        let d = sink.wait_for(DELIVERY_WAIT, |_| true);
        // Once the outbox records every document as accepted, nothing is sent again: a
        // duplicate would have to be in the sink by then.
        self.demo
            .wait_until(DELIVERY_WAIT, "every delivery recorded", || {
                self.demo
                    .query("SELECT id FROM outbox WHERE delivered_at IS NULL", &[])
                    .is_empty()
            });
        assert_eq!(sink.received().len(), 1, "{user}: {:#?}", sink.received());
        assert!(d.delivery_id.is_some(), "{d:?}");
        DuisResponse::checked(&d.body, &self.demo.dcc_signing_cert())
    }

    /// Asserts that nobody but `users` received anything.
    fn assert_nothing_for_others(&self, users: &[&str]) {
        for (u, sink) in &self.sinks {
            if !users.contains(u) {
                assert!(
                    sink.received().is_empty(),
                    "{u} received {:#?}",
                    sink.received()
                );
            }
        }
    }
}

/// The text of `Body/DCCAlertMessage/...path`.
fn dcc_alert_field<'a>(r: &'a DuisResponse, path: &[&str]) -> &'a str {
    let mut full = vec!["Body", "DCCAlertMessage"];
    full.extend_from_slice(path);
    r.root
        .text_of(&full)
        .unwrap_or_else(|| panic!("no {full:?} in\n{}", r.xml))
}

#[test]
fn power_outage_at_a_hub_alerts_the_distributor_and_the_import_supplier() {
    let w = AlertWorld::start();
    let demo = &w.demo;
    assert!(demo.device_state(premises1::CHF)["power_outage_since"].is_null());
    let before = unix_now();

    demo.wan_event(premises1::CHF, "power-outage");

    let mut counters = Vec::new();
    for user in ["distributor", "supplier-a"] {
        let r = w.only_delivery(user);
        assert_eq!(r.code(), "I0", "{}", r.xml);
        assert!(
            r.root.text_of(&["Header", "RequestID"]).is_none(),
            "a DCC alert answers no request: {}",
            r.xml
        );
        // ResponseID: the DCC, the recipient, a DCC counter.
        let id = response_id(&r).to_string();
        let parts: Vec<&str> = id.split(':').collect();
        assert_eq!(parts.len(), 3, "{id}");
        assert_eq!(parts[0], DCC_EUI, "{id}");
        assert_eq!(parts[1], demo.user_eui(user), "{id}");
        counters.push(parts[2].to_string());

        assert_eq!(dcc_alert_field(&r, &["DCCAlertCode"]), "AD1");
        let event = ["DCCAlert", "PowerOutageEvent"];
        let field = |name: &str| {
            let mut p = event.to_vec();
            p.push(name);
            dcc_alert_field(&r, &p).to_string()
        };
        assert_eq!(field("CommsHubDeviceID"), premises1::CHF);
        assert_eq!(field("MPxN"), premises1::MPAN);
        let start = time::OffsetDateTime::parse(
            &field("StartDateTime"),
            &time::format_description::well_known::Rfc3339,
        )
        .expect("StartDateTime is an xs:dateTime");
        let start = start.unix_timestamp();
        assert!(
            (before - 1..=unix_now() + 1).contains(&start),
            "the outage started at {start}, not around {before}"
        );
    }
    assert_eq!(counters[0], counters[1], "one DCC alert, one counter");
    // The gas parties, the other supplier and the other user hear nothing of it.
    w.assert_nothing_for_others(&["distributor", "supplier-a"]);

    // The outbox: two DCC alerts, each delivered at the first attempt.
    let mut expected = vec![
        vec![
            demo.user_eui("distributor"),
            "dcc-alert".to_string(),
            "1".to_string(),
            "1".to_string(),
        ],
        vec![
            demo.user_eui("supplier-a"),
            "dcc-alert".to_string(),
            "1".to_string(),
            "1".to_string(),
        ],
    ];
    expected.sort();
    demo.wait_until(DELIVERY_WAIT, "both deliveries recorded", || {
        demo.query("SELECT id FROM outbox WHERE delivered_at IS NULL", &[])
            .is_empty()
    });
    assert_eq!(
        demo.query(
            "SELECT recipient, kind, attempts, delivered_at IS NOT NULL FROM outbox ORDER BY recipient",
            &[],
        ),
        expected
    );
    // The hub remembers the outage.
    assert!(
        demo.device_state(premises1::CHF)["power_outage_since"].is_i64(),
        "{}",
        demo.device_state(premises1::CHF)
    );
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
