//! ECS07 update debt answers 2.3 Update Debt with the electricity recoveries: the pre-command's
//! adjustments, recovery rates, price scales, periods and debt recovery per payment must be the
//! request's.

use duis::bodies::UpdateDebt;
use duis::{Request, Srv};
use gbcs::usecases::{DecodedCommand, EsmeDebtUpdate, ecs07};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs07::SPEC,
    services: &[Srv::V2_3],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b = UpdateDebt::parse(&request.body).map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let mismatch = |what: String| Mismatch::Parameter {
        use_case: "ECS07",
        what,
    };
    let DecodedCommand::Ecs07(u) = cmd else {
        return Err(mismatch(format!("not an ECS07 command: {cmd:?}")));
    };
    if !b.electricity {
        return Err(Mismatch::RequestBody(
            "GasDebtRecovery for an ESME".to_owned(),
        ));
    }
    let [r1, r2] = b.recovery;
    let expected = EsmeDebtUpdate {
        time_debt_rates: [
            i16::try_from(r1.rate).unwrap_or(i16::MAX),
            i16::try_from(r2.rate).unwrap_or(i16::MAX),
        ],
        time_debt_price_scales: [r1.price_scale.unwrap_or(0), r2.price_scale.unwrap_or(0)],
        time_debt_periods: [r1.period.seconds(), r2.period.seconds()],
        debt_recovery_per_payment: b.debt_recovery_per_payment,
        payment_debt_adjustment: b.payment_debt_register,
        time_debt_adjustments: b.time_debt_registers,
    };
    if *u == expected {
        Ok(())
    } else {
        Err(mismatch(format!(
            "the debt update {u:?} is not the request's {expected:?}"
        )))
    }
}
