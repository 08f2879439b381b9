//! GCS15d read GSME billing data log (payment-based debt payments) →
//! `RetrieveBillingDataLogDebtPaymentsRsp/PaymentBasedDebtRepayment`: the Publish Debt Log the
//! device encrypted to the requester is opened with the requester's key; each payment
//! (collection time, amount collected) is a `LogEntry` (`Amount`, `Timestamp`), at most 10.
//! NOT_FOUND (no payment in the period) is an empty log.

use gbcs::usecases::{ResponseValue, gcs15d};

use super::gbz_logs::{PREPAYMENT, amounts, payloads};
use super::reads::{Opened, nothing};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs15d::SPEC,
    service_reference: "4.4",
    service_reference_variant: "4.4.4",
    element: "RetrieveBillingDataLogDebtPaymentsRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let parts = match payloads(ctx, "GCS15d debt payments log", v)? {
        Opened::Ok(p) => p,
        Opened::Rendering(r) => return Ok(r),
    };
    let mut entries = Vec::new();
    for (cluster, _, p) in &parts {
        if *cluster == PREPAYMENT {
            entries.extend(amounts(p, false)?);
        }
    }
    amount_entries(&entries, "PaymentBasedDebtRepayment", 10).map(Rendering::Children)
}

/// `container/LogEntry{Amount, Timestamp}` (GCS15d, GCS15e).
pub(crate) fn amount_entries(
    entries: &[(i128, Option<String>)],
    container: &str,
    max: usize,
) -> Result<crate::xml::Xml, MappingError> {
    super::logs::at_most(entries, max)?;
    let mut x = crate::xml::Xml::new();
    if entries.is_empty() {
        return Ok(x);
    }
    x.open(container, &[]);
    for (amount, t) in entries {
        x.open("LogEntry", &[]);
        x.leaf("Amount", &amount.to_string());
        if let Some(t) = t {
            x.leaf("Timestamp", t);
        }
        x.close("LogEntry");
    }
    x.close(container);
    Ok(x)
}
