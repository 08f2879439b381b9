//! ECS21c read electricity daily read log (export) → `RetrieveExportDailyReadLogRsp`: each entry
//! of the period (capture time, active export register, Wh) as a `LogEntry`
//! (`ActiveExportRegisterValue`, `TimeStamp`), at most 31.

use gbcs::usecases::{ResponseValue, ecs21c};

use super::logs::{at_most, zigbee_time};
use super::reads::nothing;
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs21c::SPEC,
    service_reference: "4.6",
    service_reference_variant: "4.6.2",
    element: "RetrieveExportDailyReadLogRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::LogEntries(entries) = v else {
        return Err(MappingError::unexpected(v));
    };
    at_most(entries, 31)?;
    let mut x = Xml::new();
    for e in entries {
        let [register] = e.values[..] else {
            return Err(MappingError(format!(
                "a log entry of {} values, not 1",
                e.values.len()
            )));
        };
        x.open("LogEntry", &[]);
        x.leaf("ActiveExportRegisterValue", &register.to_string());
        if let Some(t) = zigbee_time(e.time) {
            x.leaf("TimeStamp", &t);
        }
        x.close("LogEntry");
    }
    Ok(Rendering::Children(x))
}
