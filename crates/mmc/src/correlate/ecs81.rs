//! ECS81 answers 6.25: the pre-command must set the tamper state the request asks for.

use duis::bodies::SetElectricitySupplyTamperState;
use duis::{Request, Srv};
use gbcs::usecases::{DecodedCommand, ecs81};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs81::SPEC,
    services: &[Srv::V6_25],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b = SetElectricitySupplyTamperState::parse(&request.body)
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    match cmd {
        DecodedCommand::Ecs81(locked) if *locked == b.locked => Ok(()),
        other => Err(Mismatch::Parameter {
            use_case: "ECS81",
            what: format!(
                "the request asks for locked {}, the pre-command {other:?}",
                b.locked
            ),
        }),
    }
}
