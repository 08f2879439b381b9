//! ECS02 answers 1.6 Update Payment Mode ([`super::payment_mode`]).

use duis::Srv;
use gbcs::usecases::ecs02;

use super::Correlation;

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs02::SPEC,
    services: &[Srv::V1_6],
    check: super::payment_mode::check,
};
