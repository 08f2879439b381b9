//! GCS28 set clock answers 8.1.1 Commission Device (`CommissionDeviceSynchroniseClock`): the
//! clock's validity interval must lie within the one the request asks for — from
//! `CurrentDateTime` (fractions dropped) to `CurrentDateTime + TolerancePeriod` — and not be
//! empty.

use duis::{Request, Srv};
use gbcs::usecases::{DecodedCommand, gcs28};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &gcs28::SPEC,
    services: &[Srv::V8_1_1, Srv::V6_11],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let DecodedCommand::Gcs28(v) = cmd else {
        return Err(Mismatch::Parameter {
            use_case: "GCS28",
            what: format!("not a set-clock command: {cmd:?}"),
        });
    };
    super::ecs70::within_requested_validity("GCS28", request, v.start, v.end)
}
