//! GCS01a answers 1.1.1 Update Import Tariff (Primary Element) on a GSME ([`super::tariff`]).

use duis::Srv;
use gbcs::usecases::gcs01a;

use super::Correlation;

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &gcs01a::SPEC,
    services: &[Srv::V1_1_1],
    check: super::tariff::check,
};
