//! ECS09 activate emergency credit answers 2.5 Activate Emergency Credit (no parameters): the
//! pre-command must invoke the emergency credit, and the request's body must be the empty
//! `ActivateEmergencyCredit`.

use duis::bodies::NoParameters;
use duis::{Request, Srv};
use gbcs::usecases::{DecodedCommand, ecs09};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs09::SPEC,
    services: &[Srv::V2_5],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    NoParameters::parse(&request.body, "ActivateEmergencyCredit")
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    match cmd {
        DecodedCommand::Ecs09 => Ok(()),
        other => Err(Mismatch::Parameter {
            use_case: "ECS09",
            what: format!("the command does not activate the emergency credit: {other:?}"),
        }),
    }
}
