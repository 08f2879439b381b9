//! 6.2.3 Read Device Configuration (Billing Calendar) renders the calendar the RTDS vectors
//! carry in the form 6.8 writes it; 6.8's answers render their element with no content.
#![allow(clippy::unwrap_used)]

#[path = "../../gbcs/tests/common/mod.rs"]
mod common;

use common::{read_hex, rtds_dir};

fn render(dir: &str, file: &str) -> String {
    let bytes = read_hex(&rtds_dir().join(dir).join(file));
    let r = mmc::render(
        &bytes,
        &mmc::Context {
            service_reference: None,
            service_reference_variant: None,
            keys: None,
        },
    )
    .unwrap();
    assert!(r.mapped, "{file}: {:?}\n{}", r.notes, r.xml);
    r.xml
        .replace("ra:", "")
        .lines()
        .map(str::trim)
        .collect::<String>()
}

#[test]
fn the_calendars_read_are_the_vectors() {
    let x = render("6.2.3_ECS26d", "ECS26d_6.2.3_SUCCESS_RESPONSE_GBCS.HEX");
    assert!(
        x.contains("<ReadDeviceConfigurationDataBillingCalendarRsp MessageSuccess=\"true\"><BillingCalendar>"),
        "{x}"
    );
    assert!(
        x.contains("<BillingCalendar><ElectricityBillingCalendar><BillingTime>12:00:00.00Z</BillingTime><Monthly>1</Monthly></ElectricityBillingCalendar></BillingCalendar>"),
        "{x}"
    );
    let x = render("6.2.3_ECS26l", "ECS26l_6.2.3_SUCCESS_RESPONSE_GBCS.HEX");
    assert!(
        x.contains("<Quarterly><DayOfMonth>1</DayOfMonth><BillingPeriodStartMonth>1</BillingPeriodStartMonth></Quarterly>"),
        "{x}"
    );
    let x = render("6.2.3_GCS21d", "GCS21d_6.2.3_SUCCESS_RESPONSE_GBCS.HEX");
    assert!(x.contains("<Periodicity>Weekly</Periodicity>"), "{x}");
    let x = render("6.2.3_GCS21k", "GCS21k_6.2.3_SUCCESS_RESPONSE_GBCS.HEX");
    assert!(x.contains("<Periodicity>SixMonthly</Periodicity>"), "{x}");
    assert!(x.contains("<BillingPeriodStart>2014-01-01T00:00:00"), "{x}");
    for (dir, file) in [
        ("6.8_ECS30", "ECS30_6.8_SUCCESS_RESPONSE_GBCS.HEX"),
        ("6.8_GCS25a", "GCS25a_6.8_SUCCESS_RESPONSE_GBCS.HEX"),
    ] {
        let x = render(dir, file);
        assert!(
            x.contains("UpdateDeviceConfigurationBillingCalendarRsp"),
            "{x}"
        );
    }
}
