//! ECS01d answers 1.2.2 Update Price (Secondary Element) ([`super::tariff`]).

use duis::Srv;
use gbcs::usecases::ecs01d;

use super::Correlation;

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs01d::SPEC,
    services: &[Srv::V1_2_2],
    check: super::tariff::check,
};
