//! ECS22c read ESME reactive import profile data → `ReadReactiveImportProfileDataRsp`: the
//! profile buffer's rows (capture time as ZigBee UTC seconds, reactive import varh of the half
//! hour) as `LogEntry` (`ReactiveEnergyImportedValue`, `Timestamp`).

use gbcs::usecases::{ResponseValue, ecs22c};

use super::reads::{nothing, profile_entries};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs22c::SPEC,
    service_reference: "4.8",
    service_reference_variant: "4.8.2",
    element: "ReadReactiveImportProfileDataRsp",
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
            "{} values, ECS22c reads 1",
            values.len()
        )));
    };
    profile_entries(buffer, &["ReactiveEnergyImportedValue"], 4464).map(Rendering::Children)
}
