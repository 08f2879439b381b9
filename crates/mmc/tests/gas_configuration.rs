//! 6.2.8 Read Device Configuration (Gas) renders the RTDS GCS21a values; 6.6's and 6.7's
//! answers render their element with no content.
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
fn the_gas_configuration_read_is_the_vector() {
    let x = render("6.2.8_GCS21a", "GCS21a_6.2.8_SUCCESS_RESPONSE_GBCS.HEX");
    assert!(
        x.contains("<ReadDeviceConfigurationGasRsp MessageSuccess=\"true\"><CalorificValue>567</CalorificValue><ConversionFactor>36</ConversionFactor><UncontrolledGasFlowRate>200</UncontrolledGasFlowRate><FlowStabilisationPeriod>10</FlowStabilisationPeriod><FlowMeasurementPeriod>3600</FlowMeasurementPeriod>"),
        "{x}"
    );
    for (dir, file, element) in [
        (
            "6.6_GCS23",
            "GCS23_6.6_SUCCESS_RESPONSE_GBCS.HEX",
            "UpdateDeviceConfigurationGasConversionRsp",
        ),
        (
            "6.7_GCS24",
            "GCS24_6.7_SUCCESS_RESPONSE_GBCS.HEX",
            "UpdateDeviceConfigurationGasFlowRsp",
        ),
        (
            "6.7_GCS24a",
            "GCS24a_6.7_SUCCESS_RESPONSE_GBCS.HEX",
            "UpdateDeviceConfigurationGasFlowRsp",
        ),
    ] {
        let x = render(dir, file);
        assert!(x.contains(element), "{x}");
    }
}
