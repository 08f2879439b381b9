//! ECS43 disable supply answers 7.2 Disable Supply (no parameters): the pre-command must run
//! the disable script (52), and the request's body must be the empty `DisableSupply`.

use duis::bodies::NoParameters;
use duis::{Request, Srv};
use gbcs::usecases::{DecodedCommand, ecs43};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs43::SPEC,
    services: &[Srv::V7_2],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    NoParameters::parse(&request.body, "DisableSupply")
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    match cmd {
        DecodedCommand::Ecs43(s) if s.script == ecs43::SCRIPT_DISABLE => Ok(()),
        other => Err(Mismatch::Parameter {
            use_case: "ECS43",
            what: format!("the command is not the disable-supply script: {other:?}"),
        }),
    }
}
