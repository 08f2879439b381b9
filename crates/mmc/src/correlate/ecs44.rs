//! ECS44 arm supply answers 7.3 Arm Supply (no parameters): the pre-command must run the arm
//! script (54), and the request's body must be the empty `ArmSupply`.

use duis::bodies::NoParameters;
use duis::{Request, Srv};
use gbcs::usecases::{DecodedCommand, ecs44};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs44::SPEC,
    services: &[Srv::V7_3],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    NoParameters::parse(&request.body, "ArmSupply")
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    match cmd {
        DecodedCommand::Ecs44(s) if s.script == ecs44::SCRIPT_ARM => Ok(()),
        other => Err(Mismatch::Parameter {
            use_case: "ECS44",
            what: format!("the command is not the arm-supply script: {other:?}"),
        }),
    }
}
