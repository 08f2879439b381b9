//! Real-socket smoke test of DSP future dating: the demo acknowledges a 4.1.1 with an
//! `ExecutionDateTime` at once (I99) and delivers the meter's answer only after that time.
//! The behaviour in detail (held until the time, exactly once across restarts, other commands
//! not blocked, refusals) is tested on the simulated clock in `crates/harness`.

mod common;

use std::time::Duration;

use common::*;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[test]
fn a_dsp_future_dated_read_is_answered_after_its_execution_time() {
    let demo = Demo::start_fast(&[]);
    let sink = demo.response_sink();
    demo.set_response_url("supplier-a", sink.url());

    // Whole seconds: the response carries its time to the second.
    let at = (OffsetDateTime::now_utc() + Duration::from_secs(2))
        .replace_nanosecond(0)
        .unwrap();
    let body = format!(
        "<sr:ReadInstantaneousImportRegisters><sr:ExecutionDateTime>{}</sr:ExecutionDateTime></sr:ReadInstantaneousImportRegisters>",
        at.format(&Rfc3339).unwrap()
    );
    let p = demo.signed_request(
        "ECS17b_4.1.1_DSP_FUTURE_DATED_REQUEST_DUIS.XML",
        "supplier-a",
        premises1::ESME,
        Some(&body),
    );
    demo.submit("supplier-a", &p)
        .duis()
        .assert_code("I99", &p.rid);

    let d = sink.wait_for(DELIVERY_WAIT, |d| d.body.contains(&p.rid));
    let r = DuisResponse::checked(&d.body, &demo.dcc_signing_cert());
    r.assert_code("I0", &p.rid);
    let answered = r
        .find_any("ResponseDateTime")
        .map(|e| e.trimmed_text().to_string())
        .expect("a ResponseDateTime");
    let answered = duis::parse_xs_datetime_utc(&answered).expect("an xs:dateTime");
    assert!(
        answered >= at,
        "answered at {answered}, before the execution time {at}"
    );
    assert_eq!(
        sink.received()
            .iter()
            .filter(|d| d.body.contains(&p.rid))
            .count(),
        1
    );
}
