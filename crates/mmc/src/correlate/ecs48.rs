//! ECS48 answers 6.26: the pre-command must set the daily reset the request asks for.

use duis::bodies::DailyBlockCounterReset;
use duis::{Request, Srv};
use gbcs::usecases::{DecodedCommand, ecs48};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs48::SPEC,
    services: &[Srv::V6_26],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b = DailyBlockCounterReset::parse(&request.body)
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    match cmd {
        DecodedCommand::Ecs48(daily) if *daily == b.daily => Ok(()),
        other => Err(Mismatch::Parameter {
            use_case: "ECS48",
            what: format!(
                "the request asks for {}, the pre-command {other:?}",
                b.daily
            ),
        }),
    }
}
