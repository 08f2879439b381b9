//! ECS47e limit APC level answers 7.16: the pre-command must limit the request's controller,
//! for its period (whole seconds), to its level, with the request's input flag.

use duis::bodies::SetAuxiliaryControllerState;
use duis::{Request, Srv};
use gbcs::usecases::{DecodedCommand, ecs47e};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs47e::SPEC,
    services: &[Srv::V7_16],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b = SetAuxiliaryControllerState::parse_limit_apc_level(&request.body)
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let DecodedCommand::Ecs47e(c) = cmd else {
        return Err(Mismatch::Parameter {
            use_case: "ECS47e",
            what: format!("not an ECS47e: {cmd:?}"),
        });
    };
    super::ecs47a::same_command("ECS47e", &b, c)
}
