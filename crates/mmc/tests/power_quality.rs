//! The power quality use cases' RTDS responses as MMC (6.5, 6.27, 6.12: no content; 6.2.1 the
//! voltage configuration, single phase and polyphase; 6.2.5 the power thresholds), and their
//! failures.
#![allow(clippy::unwrap_used)]

#[path = "../../gbcs/tests/common/mod.rs"]
mod common;

use common::{read_hex, rtds_dir};

fn render(dir: &str, file: &str) -> String {
    let bytes = read_hex(&rtds_dir().join(dir).join(file));
    let ctx = mmc::Context {
        service_reference: None,
        service_reference_variant: None,
        keys: None,
    };
    let r = mmc::render(&bytes, &ctx).unwrap();
    assert!(r.mapped, "{file}: {:?}", r.notes);
    assert!(r.notes.is_empty(), "{file}: {:?}", r.notes);
    r.xml.lines().map(str::trim).collect()
}

fn has(xml: &str, fragments: &[&str]) {
    for f in fragments {
        assert!(xml.contains(f), "{f}:\n{xml}");
    }
}

#[test]
fn writes_render_their_element() {
    for (dir, stem, srv, element) in [
        (
            "6.5_ECS29a",
            "ECS29a_6.5",
            "6.5",
            "UpdateDeviceConfigurationVoltageRsp",
        ),
        (
            "6.5_ECS29b",
            "ECS29b_6.5",
            "6.5",
            "UpdateDeviceConfigurationVoltageRsp",
        ),
        (
            "6.5_ECS29c",
            "ECS29c_6.5",
            "6.5",
            "UpdateDeviceConfigurationVoltageRsp",
        ),
        (
            "6.5_ECS29d",
            "ECS29d_6.5",
            "6.5",
            "UpdateDeviceConfigurationVoltageRsp",
        ),
        (
            "6.27_ECS29e",
            "ECS29e_6.27",
            "6.27",
            "UpdateDeviceConfigurationRMSVoltageCounterResetRsp",
        ),
        (
            "6.27_ECS29f",
            "ECS29f_6.27",
            "6.27",
            "UpdateDeviceConfigurationRMSVoltageCounterResetRsp",
        ),
        (
            "6.12_ECS34",
            "ECS34_6.12",
            "6.12",
            "UpdateDeviceConfigurationInstantaneousPowerThresholdRsp",
        ),
    ] {
        let x = render(dir, &format!("{stem}_SUCCESS_RESPONSE_GBCS.HEX"));
        has(
            &x,
            &[
                &format!("<ra:ServiceReferenceVariant>{srv}</ra:ServiceReferenceVariant>"),
                &format!("<ra:{element} MessageSuccess=\"true\"/>"),
            ],
        );
        let x = render(dir, &format!("{stem}_ERROR_RESPONSE_GBCS.HEX"));
        has(&x, &[&format!("<ra:{element} MessageSuccess=\"false\"/>")]);
    }
}

const RMS: &str = "<ra:RMSVoltageSettings><ra:RMSExtremeOverVoltageMeasurementPeriod>30</ra:RMSExtremeOverVoltageMeasurementPeriod><ra:RMSExtremeOverVoltageThreshold>287</ra:RMSExtremeOverVoltageThreshold><ra:RMSExtremeUnderVoltageMeasurementPeriod>30</ra:RMSExtremeUnderVoltageMeasurementPeriod><ra:RMSExtremeUnderVoltageThreshold>180</ra:RMSExtremeUnderVoltageThreshold><ra:RMSVoltageSagMeasurementPeriod>30</ra:RMSVoltageSagMeasurementPeriod><ra:RMSVoltageSagThreshold>216</ra:RMSVoltageSagThreshold><ra:RMSVoltageSwellMeasurementPeriod>30</ra:RMSVoltageSwellMeasurementPeriod><ra:RMSVoltageSwellThreshold>253</ra:RMSVoltageSwellThreshold></ra:RMSVoltageSettings>";

#[test]
fn voltage_configuration_6_2_1() {
    let x = render("6.2.1_ECS26b", "ECS26b_6.2.1_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:ServiceReferenceVariant>6.2.1</ra:ServiceReferenceVariant>",
            &format!(
                "<ra:ReadDeviceConfigurationVoltageRsp MessageSuccess=\"true\"><ra:SinglePhaseVoltageSettings><ra:AverageRMSOverVoltageThreshold>264</ra:AverageRMSOverVoltageThreshold><ra:AverageRMSUnderVoltageThreshold>200</ra:AverageRMSUnderVoltageThreshold></ra:SinglePhaseVoltageSettings>{RMS}</ra:ReadDeviceConfigurationVoltageRsp>"
            ),
        ],
    );
    let x = render("6.2.1_ECS26k", "ECS26k_6.2.1_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            &format!("</ra:PolyPhaseVoltageSettings>{RMS}</ra:ReadDeviceConfigurationVoltageRsp>"),
            "<ra:PolyPhaseVoltageSettings><ra:Phase>1</ra:Phase><ra:PhaseVoltageSettings><ra:AverageRMSOverVoltageThreshold>126</ra:AverageRMSOverVoltageThreshold><ra:AverageRMSUnderVoltageThreshold>96</ra:AverageRMSUnderVoltageThreshold></ra:PhaseVoltageSettings></ra:PolyPhaseVoltageSettings>",
            "<ra:Phase>3</ra:Phase><ra:PhaseVoltageSettings><ra:AverageRMSOverVoltageThreshold>126</ra:AverageRMSOverVoltageThreshold>",
        ],
    );
    for (dir, stem) in [
        ("6.2.1_ECS26b", "ECS26b_6.2.1"),
        ("6.2.1_ECS26k", "ECS26k_6.2.1"),
    ] {
        let x = render(dir, &format!("{stem}_ERROR_RESPONSE_GBCS.HEX"));
        has(
            &x,
            &["<ra:ReadDeviceConfigurationVoltageRsp MessageSuccess=\"false\"/>"],
        );
    }
}

#[test]
fn power_thresholds_6_2_5() {
    let x = render("6.2.5_ECS26f", "ECS26f_6.2.5_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:ServiceReferenceVariant>6.2.5</ra:ServiceReferenceVariant>",
            "<ra:ReadDeviceConfigurationInstantaneousPowerThresholdsRsp MessageSuccess=\"true\"><ra:LowMediumPowerThreshold>2300</ra:LowMediumPowerThreshold><ra:MediumHighPowerThreshold>4600</ra:MediumHighPowerThreshold></ra:ReadDeviceConfigurationInstantaneousPowerThresholdsRsp>",
        ],
    );
    let x = render("6.2.5_ECS26f", "ECS26f_6.2.5_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &["<ra:ReadDeviceConfigurationInstantaneousPowerThresholdsRsp MessageSuccess=\"false\"/>"],
    );
}
