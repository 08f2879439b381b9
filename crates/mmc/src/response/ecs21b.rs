//! ECS21b read electricity prepayment daily read log (a protected read) →
//! `ReadPrepaymentDailyReadLogRsp/Electricity`: the block the device encrypted to the requester
//! is opened with the requester's key; each row (capture time and six prepayment amounts, see
//! [`super::logs`]) is a `LogEntry`, at most 31.

use gbcs::usecases::{Failure, ResponseValue, ecs21b};

use super::logs::{at_most, opened_logs, prepayment};
use super::reads::Opened;
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs21b::SPEC,
    service_reference: "4.14",
    service_reference_variant: "4.14",
    element: "ReadPrepaymentDailyReadLogRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::Protected(block) = v else {
        return Err(MappingError::unexpected(v));
    };
    let rows = match opened_logs(ctx, "ECS21b prepayment daily read log", block, 1)? {
        Opened::Ok(mut logs) => logs.remove(0),
        Opened::Rendering(r) => return Ok(r),
    };
    at_most(&rows, 31)?;
    let mut x = Xml::new();
    x.open("Electricity", &[]);
    for row in rows {
        let Some((time, amounts)) = row.split_first() else {
            return Err(MappingError("an empty log row".into()));
        };
        x.open("LogEntry", &[]);
        prepayment(&mut x, amounts, time.time().as_deref())?;
        x.close("LogEntry");
    }
    x.close("Electricity");
    Ok(Rendering::Children(x))
}

/// The element's choice is required: an empty `Electricity`.
pub(crate) fn failure(_: &Failure) -> Xml {
    let mut x = Xml::new();
    x.empty("Electricity", &[]);
    x
}
