//! ECS20a read ESME billing data log (payment-based debt payments) →
//! `RetrieveBillingDataLogDebtPaymentsRsp/PaymentBasedDebtRepayment`: each entry of the period
//! (capture time, amount) as a `LogEntry` (`Amount`, `Timestamp`), at most 10.

use gbcs::usecases::{ResponseValue, ecs20a};

use super::logs::{at_most, zigbee_time};
use super::reads::nothing;
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs20a::SPEC,
    service_reference: "4.4",
    service_reference_variant: "4.4.4",
    element: "RetrieveBillingDataLogDebtPaymentsRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    amount_log(v, "PaymentBasedDebtRepayment", 10).map(Rendering::Children)
}

/// `container/LogEntry{Amount, Timestamp}` from a plain range read's entries (ECS20a, ECS20d).
pub(crate) fn amount_log(
    v: &ResponseValue,
    container: &str,
    max: usize,
) -> Result<Xml, MappingError> {
    let ResponseValue::LogEntries(entries) = v else {
        return Err(MappingError::unexpected(v));
    };
    at_most(entries, max)?;
    let mut x = Xml::new();
    if entries.is_empty() {
        return Ok(x);
    }
    x.open(container, &[]);
    for e in entries {
        let [amount] = e.values[..] else {
            return Err(MappingError(format!(
                "a log entry of {} values, not 1",
                e.values.len()
            )));
        };
        x.open("LogEntry", &[]);
        x.leaf("Amount", &amount.to_string());
        if let Some(t) = zigbee_time(e.time) {
            x.leaf("Timestamp", &t);
        }
        x.close("LogEntry");
    }
    x.close(container);
    Ok(x)
}
