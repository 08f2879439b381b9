//! ECS66 read ESME daily consumption log (a protected read) →
//! `RetrieveDailyConsumptionLogRsp/Electricity`: the block the device encrypted to the requester
//! is opened with the requester's key; each row (capture time, the day's consumption, Wh) is a
//! `LogEntry` (`Value`, `Timestamp`), at most 731.

use gbcs::usecases::{Failure, ResponseValue, ecs66};

use super::logs::{at_most, opened_logs};
use super::reads::Opened;
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs66::SPEC,
    service_reference: "4.17",
    service_reference_variant: "4.17",
    element: "RetrieveDailyConsumptionLogRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::Protected(block) = v else {
        return Err(MappingError::unexpected(v));
    };
    let rows = match opened_logs(ctx, "ECS66 daily consumption log", block, 1)? {
        Opened::Ok(mut logs) => logs.remove(0),
        Opened::Rendering(r) => return Ok(r),
    };
    at_most(&rows, 731)?;
    let mut x = Xml::new();
    x.open("Electricity", &[]);
    for row in rows {
        let [time, value] = &row[..] else {
            return Err(MappingError(format!(
                "a log row of {} columns, not 2",
                row.len()
            )));
        };
        let value = value
            .int()
            .ok_or_else(|| MappingError(format!("consumption {value:?}")))?;
        x.open("LogEntry", &[]);
        x.leaf("Value", &value.to_string());
        if let Some(t) = time.time() {
            x.leaf("Timestamp", &t);
        }
        x.close("LogEntry");
    }
    x.close("Electricity");
    Ok(Rendering::Children(x))
}

/// The element's choice is required: an empty `Electricity`.
fn failure(_: &Failure) -> Xml {
    let mut x = Xml::new();
    x.empty("Electricity", &[]);
    x
}
