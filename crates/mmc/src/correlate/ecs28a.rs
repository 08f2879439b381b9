//! ECS28a answers 6.4.1 Update Device Configuration (Load Limiting General Settings): the
//! pre-command must carry, at the request's time (none: now; 3000-12-31T00:00:00Z: cancel; else
//! that instant), the request's period, power threshold, restoration period and supply state.

use duis::bodies::LoadLimitingGeneralSettings;
use duis::{Request, Srv};
use gbcs::usecases::{DecodedCommand, LoadLimitSettings, ecs28a};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs28a::SPEC,
    services: &[Srv::V6_4_1],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b = LoadLimitingGeneralSettings::parse(&request.body)
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let expected = LoadLimitSettings {
        activation: super::ecs08::activation(b.execution_date_time.as_deref())?,
        disable_supply: b.disable_supply,
        power_threshold: b.power_threshold,
        period: b.period,
        restoration_period: b.restoration_period,
    };
    match cmd {
        DecodedCommand::Ecs28a(s) if *s == expected => Ok(()),
        other => Err(Mismatch::Parameter {
            use_case: "ECS28a",
            what: format!("the request asks for {expected:?}, the pre-command {other:?}"),
        }),
    }
}
