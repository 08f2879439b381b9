//! GCS60a read GSME meter balance (the variant the GPF answers) → `ReadMeterBalanceRsp`, as
//! GCS60 (same payload).

use gbcs::usecases::gcs60a;

use super::reads::nothing;
use super::{ResponseMapping, gcs60};

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs60a::SPEC,
    service_reference: "4.18",
    service_reference_variant: "4.18",
    element: "ReadMeterBalanceRsp",
    by_variant: &[],
    render: gcs60::render,
    failure: Some(nothing),
};
