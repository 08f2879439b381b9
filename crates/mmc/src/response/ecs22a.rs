//! ECS22a read ESME export profile data → `ReadExportProfileDataRsp`: the profile buffer's rows
//! (capture time as ZigBee UTC seconds, active export Wh and reactive export varh of the half
//! hour) as `LogEntry` (`ActiveEnergyExportedValue`, `ReactiveEnergyExportedValue`,
//! `Timestamp`).

use gbcs::usecases::{ResponseValue, ecs22a};

use super::reads::{nothing, profile_entries};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs22a::SPEC,
    service_reference: "4.8",
    service_reference_variant: "4.8.3",
    element: "ReadExportProfileDataRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    let [buffer] = &values[..] else {
        return Err(MappingError(format!(
            "{} values, ECS22a reads 1",
            values.len()
        )));
    };
    profile_entries(
        buffer,
        &["ActiveEnergyExportedValue", "ReactiveEnergyExportedValue"],
        4464,
    )
    .map(Rendering::Children)
}
