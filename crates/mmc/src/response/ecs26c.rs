//! ECS26c read randomisation → `RandomisationSettings`: `RandomisedOffsetLimit` (the limit
//! 7.12 sets), `RandomisedOffsetNumber` (`0-0:94.44.0.0`) and `RandomisationOffsetPeriod`
//! (`0-0:94.44.0.2`), seconds. The element names other than the limit's are this
//! implementation's reading (the corpus holds no MMC schema for them).

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
    element: "RandomisationSettings",
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
        "RandomisedOffsetLimit",
        &int(limit, "randomised offset limit")?.to_string(),
    );
    x.leaf(
        "RandomisedOffsetNumber",
        &int(number, "randomised offset number")?.to_string(),
    );
    x.leaf(
        "RandomisationOffsetPeriod",
        &int(period, "randomisation offset period")?.to_string(),
    );
    Ok(Rendering::Children(x))
}
