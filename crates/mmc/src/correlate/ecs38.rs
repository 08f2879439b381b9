//! ECS38 set randomised offset limit answers 7.12: the pre-command must set the request's
//! `RandomisedOffsetLimit`.

use duis::bodies::SetRandomisedOffsetLimit;
use duis::{Request, Srv};
use gbcs::usecases::{DecodedCommand, ecs38};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs38::SPEC,
    services: &[Srv::V7_12],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b = SetRandomisedOffsetLimit::parse(&request.body)
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    match cmd {
        DecodedCommand::Ecs38(limit) if *limit == b.limit => Ok(()),
        other => Err(Mismatch::Parameter {
            use_case: "ECS38",
            what: format!("the request sets {} s, the pre-command {other:?}", b.limit),
        }),
    }
}
