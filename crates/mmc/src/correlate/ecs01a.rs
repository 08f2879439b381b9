//! ECS01a answers 1.1.1 Update Import Tariff (Primary Element) ([`super::tariff`]).

use duis::Srv;
use gbcs::usecases::ecs01a;

use super::Correlation;

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs01a::SPEC,
    services: &[Srv::V1_1_1],
    check: super::tariff::check,
};
