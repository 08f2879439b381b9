//! ECS70 set clock answers 8.1.1 Commission Device (`CommissionDeviceSynchroniseClock`) and 6.11
//! Synchronise Clock (`SynchroniseClock`, the same type): the clock's validity interval must lie within the one the request asks for — from
//! `CurrentDateTime` (fractions dropped) to `CurrentDateTime + TolerancePeriod` — and not be
//! empty.

use duis::bodies::SynchroniseClock;
use duis::{Request, Srv};
use gbcs::UtcDateTime;
use gbcs::usecases::{DecodedCommand, ecs70};

use super::{Correlation, Mismatch, show};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs70::SPEC,
    services: &[Srv::V8_1_1, Srv::V6_11],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let DecodedCommand::Ecs70(v) = cmd else {
        return Err(Mismatch::Parameter {
            use_case: "ECS70",
            what: format!("not a set-clock command: {cmd:?}"),
        });
    };
    super::ecs70::within_requested_validity("ECS70", request, v.start, v.end)
}

/// Checks `start..=end` against the request's `CommissionDeviceSynchroniseClock` (8.1.1) or
/// `SynchroniseClock` (6.11).
pub(super) fn within_requested_validity(
    use_case: &'static str,
    request: &Request,
    start: UtcDateTime,
    end: UtcDateTime,
) -> Result<(), Mismatch> {
    let clock = if request.header.service_reference_variant == Srv::V6_11 {
        SynchroniseClock::parse_synchronise_clock(&request.body)
    } else {
        SynchroniseClock::parse(&request.body)
    }
    .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let from = clock.current_date_time.unix_timestamp();
    let to = from.saturating_add(i64::from(clock.tolerance_period));
    let bad = |what: String| Mismatch::Parameter { use_case, what };
    if start.to_unix() < from || end.to_unix() > to {
        return Err(bad(format!(
            "the clock's validity {} to {} is not within the requested {} to {} \
             (CurrentDateTime plus TolerancePeriod {} s)",
            show(start),
            show(end),
            UtcDateTime::from_unix(from).map_or_else(|| from.to_string(), show),
            UtcDateTime::from_unix(to).map_or_else(|| to.to_string(), show),
            clock.tolerance_period
        )));
    }
    if end < start {
        return Err(bad(format!(
            "the clock's validity ends ({}) before it starts ({})",
            show(end),
            show(start)
        )));
    }
    Ok(())
}
