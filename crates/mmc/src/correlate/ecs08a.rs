//! ECS08a answers 2.1 Update Prepay Configuration as ECS08 does ([`super::ecs08`]).

use duis::Srv;
use gbcs::usecases::ecs08a;

use super::Correlation;

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs08a::SPEC,
    services: &[Srv::V2_1],
    check: super::ecs08::check,
};
