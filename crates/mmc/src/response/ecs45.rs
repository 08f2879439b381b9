//! ECS45 read ESME supply status → `ReadSupplyStatusRsp/SupplyState` (disconnect-control state 0 disconnected, 1 connected, 2 ready for reconnection).

use gbcs::usecases::{ResponseValue, ecs45};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs45::SPEC,
    service_reference: "7.4",
    service_reference_variant: "7.4",
    element: "ReadSupplyStatusRsp",
    by_variant: &[],
    render,
    failure: None,
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::ControlState(s) = v else {
        return Err(MappingError::unexpected(v));
    };
    let state = match s {
        0 => "Disabled",
        1 => "Enabled",
        2 => "Armed",
        _ => {
            return Err(MappingError(format!(
                "disconnect-control state {s} is not 0, 1 or 2"
            )));
        }
    };
    let mut x = Xml::new();
    x.leaf("SupplyState", state);
    Ok(Rendering::Children(x))
}
