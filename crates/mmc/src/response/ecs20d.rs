//! ECS20d read ESME billing data log (prepayment credits) →
//! `RetrieveBillingDataLogPrepaymentCreditsRsp/PrepaymentCredits`: each entry of the period
//! (capture time, credit amount) as a `LogEntry` (`Amount`, `Timestamp`), at most 5.

use gbcs::usecases::{ResponseValue, ecs20d};

use super::ecs20a::amount_log;
use super::reads::nothing;
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs20d::SPEC,
    service_reference: "4.4",
    service_reference_variant: "4.4.5",
    element: "RetrieveBillingDataLogPrepaymentCreditsRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    amount_log(v, "PrepaymentCredits", 5).map(Rendering::Children)
}
