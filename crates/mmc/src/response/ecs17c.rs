//! ECS17c read ESME active power import → `ReadActivePowerImportRsp`: the active power import
//! (scaled by its scaler to W, unit 27) as `ActivePowerImport` (`Value`, `Unit` `W`), and the
//! structure's second value (the primary element's, on the same scaler) as
//! `PrimaryActivePowerImportValue`.

use gbcs::usecases::{ResponseValue, ecs17c};

use super::reads::{nothing, scaled};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs17c::SPEC,
    service_reference: "4.16",
    service_reference_variant: "4.16",
    element: "ReadActivePowerImportRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::ActivePowerImport(p) = v else {
        return Err(MappingError::unexpected(v));
    };
    if p.unit != ecs17c::UNIT_WATT {
        return Err(MappingError(format!(
            "active power in unit {}, not W",
            p.unit
        )));
    }
    let power = scaled(i128::from(p.power), p.scaler)?;
    let primary = scaled(i128::from(p.second), p.scaler)?;
    let mut x = Xml::new();
    x.open("ActivePowerImport", &[]);
    x.leaf("Value", &power.to_string());
    x.leaf("Unit", "W");
    x.close("ActivePowerImport");
    x.leaf("PrimaryActivePowerImportValue", &primary.to_string());
    Ok(Rendering::Children(x))
}
