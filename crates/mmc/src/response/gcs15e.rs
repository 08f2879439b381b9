//! GCS15e read GSME billing data log (prepayment credits) →
//! `RetrieveBillingDataLogPrepaymentCreditsRsp/PrepaymentCredits`: each top-up of the plaintext
//! Publish Top Up Log (amount, time) is a `LogEntry` (`Amount`, `Timestamp`), at most 5.
//! NOT_FOUND (no top-up in the period) is an empty log.

use gbcs::usecases::{ResponseValue, gcs15e};

use super::gbz_logs::{PREPAYMENT, amounts, payloads};
use super::gcs15d::amount_entries;
use super::reads::{Opened, nothing};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs15e::SPEC,
    service_reference: "4.4",
    service_reference_variant: "4.4.5",
    element: "RetrieveBillingDataLogPrepaymentCreditsRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let parts = match payloads(ctx, "GCS15e prepayment credits log", v)? {
        Opened::Ok(p) => p,
        Opened::Rendering(r) => return Ok(r),
    };
    let mut entries = Vec::new();
    for (cluster, _, p) in &parts {
        if *cluster == PREPAYMENT {
            entries.extend(amounts(p, true)?);
        }
    }
    amount_entries(&entries, "PrepaymentCredits", 5).map(Rendering::Children)
}
