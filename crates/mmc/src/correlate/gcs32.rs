//! GCS32 disable gas supply answers 7.2 Disable Supply (no parameters, so not future dated):
//! the Change Supply must propose OFF, to be implemented at once (implementation date-time 0).

use duis::bodies::NoParameters;
use duis::{Request, Srv};
use gbcs::usecases::{DecodedCommand, gcs32};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &gcs32::SPEC,
    services: &[Srv::V7_2],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    NoParameters::parse(&request.body, "DisableSupply")
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let bad = |what: String| Mismatch::Parameter {
        use_case: "GCS32",
        what,
    };
    let DecodedCommand::Gcs32(c) = cmd else {
        return Err(bad(format!("not a Change Supply: {cmd:?}")));
    };
    if c.proposed_supply_status != gcs32::SUPPLY_OFF {
        return Err(bad(format!(
            "the proposed supply status is {}, not OFF (0)",
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
