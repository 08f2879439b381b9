//! End-to-end tests of alerts: events injected at a Communications Hub with `opendcc wan event`
//! become DUIS alerts, signed by the DCC and schema-valid, delivered to the Receive Response
//! Services of the parties registered for the premises.

mod common;

use std::time::Duration;

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
        // Give a duplicate the time to show up.
        std::thread::sleep(Duration::from_millis(200));
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

#[test]
fn an_outage_at_another_premises_names_its_own_hub_and_supply_point() {
    let w = AlertWorld::start();
    let demo = &w.demo;
    let chf = "00-DB-12-34-56-78-91-A2";
    let mpan = "1200000000025";
    assert_eq!(
        demo.manifest().device(chf).map(|d| d.device_type.as_str()),
        Some("CHF")
    );

    demo.wan_event(chf, "power-outage");
    for user in ["distributor", "supplier-a"] {
        let r = w.only_delivery(user);
        let path = ["DCCAlert", "PowerOutageEvent"];
        let field = |name: &str| {
            let mut p = path.to_vec();
            p.push(name);
            dcc_alert_field(&r, &p).to_string()
        };
        assert_eq!(field("CommsHubDeviceID"), chf);
        assert_eq!(field("MPxN"), mpan);
    }
    w.assert_nothing_for_others(&["distributor", "supplier-a"]);
    // Premises 1's hub is untouched.
    assert!(demo.device_state(premises1::CHF)["power_outage_since"].is_null());
}

#[test]
fn power_restored_ends_the_outage_at_the_hub() {
    let w = AlertWorld::start();
    let demo = &w.demo;
    demo.wan_event(premises1::CHF, "power-outage");
    w.only_delivery("distributor");
    w.only_delivery("supplier-a");

    demo.wan_event(premises1::CHF, "power-restored");
    demo.wait_until(DELIVERY_WAIT, "the hub's power is back", || {
        demo.device_state(premises1::CHF)["power_outage_since"].is_null()
    });
    let log = demo.device_state(premises1::CHF)["event_log"].to_string();
    assert!(log.contains("PowerLost"), "{log}");
    assert!(log.contains("PowerRestored"), "{log}");
    // Both events were handled.
    assert!(
        demo.query("SELECT id FROM wan_events WHERE done = 0", &[])
            .is_empty()
    );
}

#[test]
fn power_restored_gives_the_esme_outage_restored_alert_to_the_distributor() {
    let w = AlertWorld::start();
    let demo = &w.demo;
    demo.wan_event(premises1::CHF, "power-outage");
    w.only_delivery("supplier-a");
    let distributor = w.sink("distributor");
    distributor.wait_for(DELIVERY_WAIT, |d| d.body.contains("DCCAlertMessage"));

    demo.wan_event(premises1::CHF, "power-restored");
    let d = distributor.wait_for(Duration::from_secs(15), |d| {
        d.body.contains("DeviceAlertMessage")
    });
    let r = DuisResponse::checked(&d.body, &demo.dcc_signing_cert());
    assert_eq!(
        r.root.text_of(&["Body", "DeviceAlertMessage", "AlertCode"]),
        Some("8F35"),
        "{}",
        r.xml
    );
    let id = response_id(&r).to_string();
    assert!(
        id.starts_with(&format!(
            "{}:{}:",
            premises1::ESME,
            demo.user_eui("distributor")
        )),
        "{id}"
    );
    // The GBCS alert, exactly as the meter sent it: ECS80, signed by the ESME.
    let a = GbcsAnswer::of(&r);
    assert_eq!(a.apdu().cra, gbcs::Cra::Alert);
    assert_eq!(a.use_case(), Some("ECS80"));
    assert_eq!(a.apdu().originator, eui64(premises1::ESME));
    assert_eq!(a.apdu().recipient, eui64(&demo.user_eui("distributor")));
    a.assert_signed_by(&demo.device_cert_path(premises1::ESME, "ds"));
    // The meter itself went through the outage.
    let esme = demo.device_state(premises1::ESME);
    let log = esme["event_log"].to_string();
    assert!(
        log.contains("PowerLost") && log.contains("PowerRestored"),
        "{log}"
    );
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
