//! GCS39 arm gas supply answers 7.3 Arm Supply (no parameters): the Change Supply must propose
//! ARMED, to be implemented at once (implementation date-time 0).

use duis::bodies::NoParameters;
use duis::{Request, Srv};
use gbcs::usecases::{DecodedCommand, gcs39};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &gcs39::SPEC,
    services: &[Srv::V7_3],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    NoParameters::parse(&request.body, "ArmSupply")
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let bad = |what: String| Mismatch::Parameter {
        use_case: "GCS39",
        what,
    };
    let DecodedCommand::Gcs39(c) = cmd else {
        return Err(bad(format!("not a Change Supply: {cmd:?}")));
    };
    if c.proposed_supply_status != gcs39::SUPPLY_ARMED {
        return Err(bad(format!(
            "the proposed supply status is {}, not ARMED (1)",
            c.proposed_supply_status
        )));
    }
    if c.implementation_date_time != 0 {
        return Err(bad(format!(
            "the change is dated {} (ZigBee UTC seconds), but the request asks for it now",
            c.implementation_date_time
        )));
    }
    Ok(())
}
