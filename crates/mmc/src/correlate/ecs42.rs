//! ECS42 enable supply answers 7.1 Enable Supply (no parameters): the pre-command must run the
//! enable script (51), and the request's body must be the empty `EnableSupply`.

use duis::bodies::NoParameters;
use duis::{Request, Srv};
use gbcs::usecases::{DecodedCommand, ecs42};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs42::SPEC,
    services: &[Srv::V7_1],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    NoParameters::parse(&request.body, "EnableSupply")
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    match cmd {
        DecodedCommand::Ecs42(s) if s.script == ecs42::SCRIPT_ENABLE => Ok(()),
        other => Err(Mismatch::Parameter {
            use_case: "ECS42",
            what: format!("the command is not the enable-supply script: {other:?}"),
        }),
    }
}
