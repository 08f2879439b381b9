//! GCS01b answers 1.2.1 Update Price (Primary Element) on a GSME ([`super::tariff`]).

use duis::Srv;
use gbcs::usecases::gcs01b;

use super::Correlation;

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &gcs01b::SPEC,
    services: &[Srv::V1_2_1],
    check: super::tariff::check,
};
