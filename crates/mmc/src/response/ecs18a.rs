//! ECS18a read ESME export maximum demand → `ReadMaximumDemandExportRegistersRsp`: the export
//! maximum demand (`1.0.2.6.0.255`: value scaled to W, unit 27) with its capture time and the
//! last reset date-time as `MaxDemandActiveEnergyExport`.

use gbcs::usecases::{ResponseValue, ecs18a};

use super::reads::{date_time_of, nothing, register};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs18a::SPEC,
    service_reference: "4.12",
    service_reference_variant: "4.12.2",
    element: "ReadMaximumDemandExportRegistersRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

/// DLMS unit W.
pub(crate) const UNIT_W: u8 = 27;

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    let [reset, value, su, captured] = &values[..] else {
        return Err(MappingError(format!(
            "{} values, ECS18a reads 4",
            values.len()
        )));
    };
    let mut x = Xml::new();
    max_demand(
        &mut x,
        "MaxDemandActiveEnergyExport",
        value,
        su,
        captured,
        reset,
    )?;
    Ok(Rendering::Children(x))
}

/// A maximum demand element: `Value` (W), `CaptureTime`, `LastResetDateTime` (the times left
/// out where the device has none: "not specified").
pub(crate) fn max_demand(
    x: &mut Xml,
    name: &str,
    value: &gbcs::axdr::Data,
    su: &gbcs::axdr::Data,
    captured: &gbcs::axdr::Data,
    reset: &gbcs::axdr::Data,
) -> Result<(), MappingError> {
    let v = register(value, su, UNIT_W)?;
    x.open(name, &[]);
    x.leaf("Value", &v.to_string());
    if let Some(t) = date_time_of(captured) {
        x.leaf("CaptureTime", &t);
    }
    if let Some(t) = date_time_of(reset) {
        x.leaf("LastResetDateTime", &t);
    }
    x.close(name);
    Ok(())
}
