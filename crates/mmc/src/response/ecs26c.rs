//! ECS26c read randomisation → `ReadDeviceConfigurationRandomisationRsp` (DUIS 6.2.2), in the
//! MMC 5.1 schema's order: `RandomisedOffset` (the offset period `0-0:94.44.0.2`, seconds),
//! `RandomisedOffsetNumber` (`0-0:94.44.0.0`) and `RandomisedOffsetLimit` (`0-0:94.44.0.1`,
//! the limit 7.12 sets, seconds).

use gbcs::axdr::Data;
use gbcs::usecases::{ResponseValue, ecs26c};

use super::reads::integer;
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs26c::SPEC,
    service_reference: "6.2",
    service_reference_variant: "6.2.2",
    element: "ReadDeviceConfigurationRandomisationRsp",
    by_variant: &[],
    render,
    failure: None,
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    let [number, period, limit] = &values[..] else {
        return Err(MappingError(format!(
            "{} values, ECS26c reads 3",
            values.len()
        )));
    };
    let int = |d: &Data, what: &str| {
        integer(d).ok_or_else(|| MappingError(format!("{what} {d:?} is not an integer")))
    };
    let mut x = Xml::new();
    x.leaf(
        "RandomisedOffset",
        &int(period, "randomisation offset period")?.to_string(),
    );
    x.leaf(
        "RandomisedOffsetNumber",
        &int(number, "randomised offset number")?.to_string(),
    );
    x.leaf(
        "RandomisedOffsetLimit",
        &int(limit, "randomised offset limit")?.to_string(),
    );
    Ok(Rendering::Children(x))
}
