//! ECS17a read ESME export energy registers → `ReadInstantaneousExportRegistersRsp`: the
//! active export register (`1.0.2.8.0.255`, unit 30 Wh) as `ActiveExportRegister` and the
//! reactive export register (`1.0.4.8.0.255`, unit 32 varh) as `ReactiveExportRegister`, each
//! value scaled by its scaler.

use gbcs::usecases::{ResponseValue, ecs17a};

use super::reads::{nothing, register};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs17a::SPEC,
    service_reference: "4.2",
    service_reference_variant: "4.2",
    element: "ReadInstantaneousExportRegistersRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    let [active, active_su, reactive, reactive_su] = &values[..] else {
        return Err(MappingError(format!(
            "{} values, ECS17a reads 4",
            values.len()
        )));
    };
    let active = register(active, active_su, 30)?;
    let reactive = register(reactive, reactive_su, 32)?;
    let mut x = Xml::new();
    x.open("ActiveExportRegister", &[]);
    x.leaf("Value", &active.to_string());
    x.leaf("ActiveEnergyUnit", "Wh");
    x.close("ActiveExportRegister");
    x.open("ReactiveExportRegister", &[]);
    x.leaf("Value", &reactive.to_string());
    x.leaf("ReactiveEnergyUnit", "varh");
    x.close("ReactiveExportRegister");
    Ok(Rendering::Children(x))
}
