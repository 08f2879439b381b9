//! 6.6, 6.7 and 6.2.8 on the GSME:
//!
//! * GCS23 → `UpdateDeviceConfigurationGasConversionRsp`, GCS24 / GCS24a →
//!   `UpdateDeviceConfigurationGasFlowRsp` (no content).
//! * GCS21a → `ReadDeviceConfigurationGasRsp`: `CalorificValue` (Price `0x0304`, scaled by the
//!   trailing digit `0x0306`), `ConversionFactor` (`0x0302` by `0x0303`), then the uncontrolled
//!   flow: `UncontrolledGasFlowRate` (Metering `0x0B10`, divided by the divisor `0x0B13` when
//!   that is more than 1), `FlowStabilisationPeriod` (`0x0B14`), `FlowMeasurementPeriod`
//!   (`0x0B15`), the MMC 5.1 schema's names. An attribute not read is left out.

use gbcs::usecases::gas_configuration::{CLUSTER_METERING, CLUSTER_PRICE};
use gbcs::usecases::{ResponseValue, gcs21a, gcs23, gcs24, gcs24a};

use super::gcs21b::read_attributes;
use super::reads::{attr, decimal};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// GCS23.
pub static GCS23: ResponseMapping = update(
    &gcs23::SPEC,
    "6.6",
    "UpdateDeviceConfigurationGasConversionRsp",
);
/// GCS24.
pub static GCS24: ResponseMapping =
    update(&gcs24::SPEC, "6.7", "UpdateDeviceConfigurationGasFlowRsp");
/// GCS24a.
pub static GCS24A: ResponseMapping =
    update(&gcs24a::SPEC, "6.7", "UpdateDeviceConfigurationGasFlowRsp");
/// GCS21a.
pub static GCS21A: ResponseMapping = ResponseMapping {
    use_case: &gcs21a::SPEC,
    service_reference: "6.2",
    service_reference_variant: "6.2.8",
    element: "ReadDeviceConfigurationGasRsp",
    by_variant: &[],
    render: render_read,
    failure: None,
};

const fn update(
    spec: &'static gbcs::usecases::UseCaseSpec,
    srv: &'static str,
    element: &'static str,
) -> ResponseMapping {
    ResponseMapping {
        use_case: spec,
        service_reference: srv,
        service_reference_variant: srv,
        element,
        by_variant: &[],
        render: render_done,
        failure: None,
    }
}

fn render_done(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    match v {
        ResponseValue::Done => Ok(Rendering::Children(Xml::new())),
        _ => Err(MappingError::unexpected(v)),
    }
}

/// The divisor a ZSE trailing-digit bitmap (digits in the upper nibble) states.
fn trailing(bits: Option<i128>) -> i128 {
    let digits = bits.map_or(0, |b| (b >> 4) & 0x0F);
    10i128.pow(u32::try_from(digits).unwrap_or(0))
}

fn render_read(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::Components(components) = v else {
        return Err(MappingError::unexpected(v));
    };
    let price = read_attributes(components, CLUSTER_PRICE)?;
    let metering = read_attributes(components, CLUSTER_METERING)?;
    let mut x = Xml::new();
    if let Some(cv) = attr(&price, 0x0304) {
        x.leaf(
            "CalorificValue",
            &decimal(cv, trailing(attr(&price, 0x0306))),
        );
    }
    if let Some(cf) = attr(&price, 0x0302) {
        x.leaf(
            "ConversionFactor",
            &decimal(cf, trailing(attr(&price, 0x0303))),
        );
    }
    if let Some(rate) = attr(&metering, 0x0B10) {
        match attr(&metering, 0x0B13) {
            Some(d) if d > 1 => x.leaf("UncontrolledGasFlowRate", &decimal(rate, d)),
            _ => x.leaf("UncontrolledGasFlowRate", &rate.to_string()),
        }
    }
    for (name, id) in [
        ("FlowStabilisationPeriod", 0x0B14),
        ("FlowMeasurementPeriod", 0x0B15),
    ] {
        if let Some(v) = attr(&metering, id) {
            x.leaf(name, &v.to_string());
        }
    }
    Ok(Rendering::Children(x))
}
