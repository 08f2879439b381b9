//! GCS23 answers 6.6: the pre-command must publish exactly the request's `ConversionFactor`
//! and `CalorificValue`. GCS24 / GCS24a answer 6.7: the threshold (GCS24 for
//! `UncontrolledGasFlowRate`, GCS24a for `UncontrolledGasFlowRateDecimal`), supply states and
//! periods must be the request's. The issuer event id is the DCC's.

use duis::bodies::{GasFlowRate, SupplyStateChange, UpdateGasConversion, UpdateGasFlow};
use duis::{Request, Srv};
use gbcs::usecases::gas_configuration::{SUPPLY_LOCKED, SUPPLY_UNCHANGED};
use gbcs::usecases::{DecodedCommand, gcs23, gcs24, gcs24a};

use super::{Correlation, Mismatch};

/// GCS23.
pub static GCS23: Correlation = Correlation {
    use_case: &gcs23::SPEC,
    services: &[Srv::V6_6],
    check: check_conversion,
};
/// GCS24.
pub static GCS24: Correlation = Correlation {
    use_case: &gcs24::SPEC,
    services: &[Srv::V6_7],
    check: check_flow,
};
/// GCS24a.
pub static GCS24A: Correlation = Correlation {
    use_case: &gcs24a::SPEC,
    services: &[Srv::V6_7],
    check: check_flow,
};

fn check_conversion(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b = UpdateGasConversion::parse(&request.body)
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    match cmd {
        DecodedCommand::Gcs23(c)
            if c.conversion_factor == b.conversion_factor
                && c.calorific_value == b.calorific_value =>
        {
            Ok(())
        }
        _ => Err(Mismatch::Parameter {
            use_case: "GCS23",
            what: format!("{cmd:?} is not the request's {b:?}"),
        }),
    }
}

fn check_flow(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b =
        UpdateGasFlow::parse(&request.body).map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let state = |s| match s {
        SupplyStateChange::Unchanged => SUPPLY_UNCHANGED,
        SupplyStateChange::Locked => SUPPLY_LOCKED,
    };
    let ok = match (cmd, b.rate) {
        (DecodedCommand::Gcs24(f), GasFlowRate::Integer(t))
        | (DecodedCommand::Gcs24a(f), GasFlowRate::Decimal(t)) => {
            f.threshold == t
                && f.stabilisation_period == b.stabilisation_period
                && f.measurement_period == b.measurement_period
                && f.tamper_state == state(b.tamper)
                && f.depletion_state == state(b.depletion)
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Mismatch::Parameter {
            use_case: "GCS24",
            what: format!("{cmd:?} is not the request's {b:?}"),
        })
    }
}
