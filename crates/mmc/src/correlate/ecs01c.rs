//! ECS01c answers 1.1.2 Update Import Tariff (Secondary Element) ([`super::tariff`]).

use duis::Srv;
use gbcs::usecases::ecs01c;

use super::Correlation;

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs01c::SPEC,
    services: &[Srv::V1_1_2],
    check: super::tariff::check,
};
