//! End-to-end tests of a device request's whole path through the demo: acknowledged at once
//! (I99), transformed and carried over the emulated SM WAN to the emulated meter, and the meter's
//! answer delivered as a DCC-signed DUIS response to the user's Receive Response Service.

mod common;

use std::time::Duration;

use common::*;

/// A demo with a fast emulated WAN and fast delivery retries.
fn fast_demo() -> Demo {
    fast_demo_with(&[])
}

fn fast_demo_with(more: &[&str]) -> Demo {
    let mut extra_args: Vec<String> = [
        "--wan-latency-ms",
        "5,5,5",
        "--wan-retry-ms",
        "50",
        "--delivery-backoff-ms",
        "20",
    ]
    .map(String::from)
    .to_vec();
    extra_args.extend(more.iter().map(|a| a.to_string()));
    Demo::start_with(DemoOptions {
        extra_args,
        ..DemoOptions::default()
    })
}

/// `opendcc wan fault --data DIR --chf CHF FAULT`.
fn wan_fault(demo: &Demo, chf: &str, fault: &str) {
    let data = demo.data_dir();
    let out = run_cli(
        &[
            "wan",
            "fault",
            "--data",
            data.to_str().expect("UTF-8 path"),
            "--chf",
            chf,
            fault,
        ],
        None,
    );
    assert!(
        out.status.success(),
        "opendcc wan fault {fault}: {}",
        stderr_of(&out)
    );
}

const DELIVERY_WAIT: Duration = Duration::from_secs(60);

#[test]
fn read_firmware_answer_is_delivered_to_the_receive_response_service() {
    let demo = fast_demo();
    let sink = demo.response_sink();
    demo.set_response_url("supplier-a", sink.url());

    let p = demo.signed_request(tpl::READ_FIRMWARE_ESME, "supplier-a", premises1::ESME, None);
    demo.submit("supplier-a", &p)
        .duis()
        .assert_code("I99", &p.rid);

    let d = sink.wait_for(DELIVERY_WAIT, |d| d.body.contains(&p.rid));
    assert_eq!(d.path, "/rrs");
    assert!(d.content_type.starts_with("application/xml"), "{d:?}");
    assert!(d.delivery_id.is_some(), "deliveries carry their id");
    let r = DuisResponse::checked(&d.body, &demo.dcc_signing_cert());
    r.assert_code("I0", &p.rid);
    assert_eq!(r.service_reference_variant(), Some("11.2"));
    let payload = r
        .find_any("GBCSPayload")
        .unwrap_or_else(|| panic!("the device's answer carries a GBCS payload: {}", r.xml));
    assert!(!payload.trimmed_text().is_empty());

    // The outbox records the delivery: to supplier-a, at the first attempt.
    let delivered = || {
        demo.query(
            "SELECT 1 FROM outbox WHERE delivered_at IS NOT NULL AND document LIKE '%' || ?1 || '%'",
            &[&p.rid],
        )
        .len()
            == 1
    };
    demo.wait_until(DELIVERY_WAIT, "the outbox records the delivery", delivered);
    let rows = demo.query(
        "SELECT recipient, delivered_at IS NOT NULL, attempts FROM outbox \
         WHERE document LIKE '%' || ?1 || '%'",
        &[&p.rid],
    );
    assert_eq!(
        rows,
        vec![vec![
            demo.user_eui("supplier-a"),
            "1".to_string(),
            "1".to_string()
        ]]
    );
    // Nothing else was delivered to anyone.
    assert_eq!(sink.received().len(), 1, "{:#?}", sink.received());
}

#[test]
fn a_refused_delivery_is_retried_until_accepted() {
    let demo = fast_demo();
    let sink = demo.response_sink();
    sink.refuse_next(2);
    demo.set_response_url("supplier-a", sink.url());

    let p = demo.signed_request(tpl::READ_FIRMWARE_ESME, "supplier-a", premises1::ESME, None);
    demo.submit("supplier-a", &p)
        .duis()
        .assert_code("I99", &p.rid);
    let d = sink.wait_for(DELIVERY_WAIT, |d| d.body.contains(&p.rid));
    assert_eq!(
        sink.refused(),
        2,
        "two refusals before the accepted attempt"
    );
    DuisResponse::checked(&d.body, &demo.dcc_signing_cert()).assert_code("I0", &p.rid);
    let query = "SELECT delivered_at IS NOT NULL, attempts FROM outbox \
                 WHERE document LIKE '%' || ?1 || '%'";
    demo.wait_until(DELIVERY_WAIT, "the outbox records the delivery", || {
        demo.query(query, &[&p.rid]).first().map(|r| r[0].as_str()) == Some("1")
    });
    assert_eq!(
        demo.query(query, &[&p.rid]),
        vec![vec!["1".to_string(), "3".to_string()]]
    );
    // Accepted once: not delivered again.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        sink.received()
            .iter()
            .filter(|d| d.body.contains(&p.rid))
            .count(),
        1
    );
}

#[test]
fn an_undelivered_answer_survives_a_restart() {
    let mut demo = fast_demo();
    let sink = demo.response_sink();
    sink.refuse_next(u64::MAX);
    demo.set_response_url("supplier-a", sink.url());

    let p = demo.signed_request(tpl::READ_FIRMWARE_ESME, "supplier-a", premises1::ESME, None);
    demo.submit("supplier-a", &p)
        .duis()
        .assert_code("I99", &p.rid);
    // The device answered and the DCC tried to deliver (and was refused).
    demo.wait_until(DELIVERY_WAIT, "a delivery attempt", || sink.refused() >= 1);
    assert!(sink.received().is_empty());

    assert!(demo.stop().success());
    sink.refuse_next(0);
    demo.restart();

    let d = sink.wait_for(DELIVERY_WAIT, |d| d.body.contains(&p.rid));
    DuisResponse::checked(&d.body, &demo.dcc_signing_cert()).assert_code("I0", &p.rid);
    assert_eq!(sink.received().len(), 1, "{:#?}", sink.received());
}

#[test]
fn a_command_queued_on_the_wan_survives_a_restart() {
    let mut demo = fast_demo();
    let sink = demo.response_sink();
    demo.set_response_url("supplier-a", sink.url());
    wan_fault(&demo, premises1::CHF, "no-wan");

    let p = demo.signed_request(tpl::READ_FIRMWARE_ESME, "supplier-a", premises1::ESME, None);
    demo.submit("supplier-a", &p)
        .duis()
        .assert_code("I99", &p.rid);
    let counter = p.counter.to_string();
    let attempts = || {
        demo.query(
            "SELECT attempts FROM wan_jobs WHERE counter = ?1 AND outcome IS NULL",
            &[&counter],
        )
    };
    demo.wait_until(DELIVERY_WAIT, "the command is being retried", || {
        attempts()
            .first()
            .and_then(|r| r[0].parse::<u64>().ok())
            .is_some_and(|n| n >= 1)
    });

    assert!(demo.stop().success());
    wan_fault(&demo, premises1::CHF, "clear");
    demo.restart();

    let d = sink.wait_for(DELIVERY_WAIT, |d| d.body.contains(&p.rid));
    DuisResponse::checked(&d.body, &demo.dcc_signing_cert()).assert_code("I0", &p.rid);
}

#[test]
fn an_unreachable_device_is_reported_with_e20() {
    let demo = fast_demo_with(&["--device-timeout-ms", "300"]);
    let sink = demo.response_sink();
    demo.set_response_url("supplier-a", sink.url());
    wan_fault(&demo, premises1::CHF, "no-wan");

    let p = demo.signed_request(tpl::READ_FIRMWARE_ESME, "supplier-a", premises1::ESME, None);
    demo.submit("supplier-a", &p)
        .duis()
        .assert_code("I99", &p.rid);
    let d = sink.wait_for(DELIVERY_WAIT, |d| d.body.contains(&p.rid));
    DuisResponse::checked(&d.body, &demo.dcc_signing_cert()).assert_code("E20", &p.rid);
}
