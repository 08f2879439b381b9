//! Alerts on the simulated clock: hub events become DUIS alerts (DCC alert AD1 for a power
//! outage; the meter's own GBCS alert when power comes back), signed by the DCC, schema-valid,
//! for exactly the parties registered for the premises.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gbcs::{Cra, Frame};
use harness::{Harness, element_text, premises1};

const EVERYONE: [&str; 5] = [
    "supplier-a",
    "supplier-b",
    "distributor",
    "transporter",
    "other-user",
];

fn assert_nothing_for_others(h: &Harness, told: &[&str]) {
    for user in EVERYONE {
        if !told.contains(&user) {
            assert!(h.delivered_to(user).is_empty(), "{user} hears nothing");
        }
    }
}

#[test]
fn an_outage_at_another_premises_names_its_own_hub_and_supply_point() {
    let mut h = Harness::new_world();
    let chf = "00-DB-12-34-56-78-91-A2";
    h.hub_event(chf, "power-outage");
    h.run_until_idle();
    for user in ["distributor", "supplier-a"] {
        let docs = h.delivered_to(user);
        assert_eq!(docs.len(), 1, "{user}");
        assert_eq!(
            element_text(&docs[0].xml, "CommsHubDeviceID").as_deref(),
            Some(chf)
        );
        assert_eq!(
            element_text(&docs[0].xml, "MPxN").as_deref(),
            Some("1200000000025")
        );
    }
    assert_nothing_for_others(&h, &["distributor", "supplier-a"]);
    assert!(h.device_state(premises1::CHF)["power_outage_since"].is_null());
}

#[test]
fn power_restored_ends_the_outage_and_the_meter_alerts_the_distributor() {
    let mut h = Harness::new_world();
    h.hub_event(premises1::CHF, "power-outage");
    h.run_until_idle();
    let one_each = |h: &Harness| {
        ["distributor", "supplier-a"]
            .map(|u| h.delivered_to(u).len())
            .to_vec()
    };
    assert_eq!(one_each(&h), vec![1, 1]);

    h.hub_event(premises1::CHF, "power-restored");
    h.run_until_idle();
    assert!(h.device_state(premises1::CHF)["power_outage_since"].is_null());
    let log = h.device_state(premises1::CHF)["event_log"].to_string();
    assert!(
        log.contains("PowerLost") && log.contains("PowerRestored"),
        "{log}"
    );

    let alerts: Vec<_> = h
        .delivered_to("distributor")
        .into_iter()
        .filter(|d| d.kind == "alert")
        .collect();
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let d = &alerts[0];
    assert_eq!(element_text(&d.xml, "AlertCode").as_deref(), Some("8F35"));
    // The GBCS alert exactly as the meter sent it: from the ESME to the distributor.
    let frame = Frame::decode(&d.gbcs_payload().expect("the meter's alert")).unwrap();
    let apdu = frame.apdu();
    assert_eq!(apdu.cra, Cra::Alert);
    assert_eq!(apdu.originator, premises1::ESME.parse().unwrap());
    assert_eq!(apdu.recipient, h.user_eui("distributor"));
    let esme_log = h.device_state(premises1::ESME)["event_log"].to_string();
    assert!(
        esme_log.contains("PowerLost") && esme_log.contains("PowerRestored"),
        "{esme_log}"
    );
}
