//! ECS05 reset tariff block counter matrix answers 1.7 Reset Tariff Block Counter Matrix (no
//! parameters): the pre-command must run the reset script (99) of the tariffication script
//! table, and the request's body must be the empty `ResetTariffBlockCounterMatrix`.

use duis::bodies::NoParameters;
use duis::{Request, Srv};
use gbcs::usecases::{DecodedCommand, ecs05};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs05::SPEC,
    services: &[Srv::V1_7],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    NoParameters::parse(&request.body, "ResetTariffBlockCounterMatrix")
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    match cmd {
        DecodedCommand::Ecs05 => Ok(()),
        other => Err(Mismatch::Parameter {
            use_case: "ECS05",
            what: format!("the command does not reset the block counters: {other:?}"),
        }),
    }
}
