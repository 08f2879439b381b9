//! GCS04 update debt answers 2.3 Update Debt with the gas recoveries: the pre-command's three
//! Change Debt commands must carry the request's registers (incremental amount types 1, 3, 5),
//! recovery rates and periods (hourly 0, daily 1) and debt recovery per payment; the issuer
//! event id and the label are the DCC's.

use duis::bodies::UpdateDebt;
use duis::bodies::prepayment::DebtRecoveryRatePeriod;
use duis::{Request, Srv};
use gbcs::usecases::{ChangeDebt, DecodedCommand, gcs04};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &gcs04::SPEC,
    services: &[Srv::V2_3],
    check,
};

/// What one Change Debt carries of the request: amount, recovery method, amount type,
/// frequency, recovery amount, balance percentage.
type Carried = (u32, u8, u8, u8, u32, u16);

fn carried(d: &ChangeDebt) -> Carried {
    (
        d.amount,
        d.recovery_method,
        d.amount_type,
        d.frequency,
        d.recovery_amount,
        d.balance_percentage,
    )
}

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b = UpdateDebt::parse(&request.body).map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let mismatch = |what: String| Mismatch::Parameter {
        use_case: "GCS04",
        what,
    };
    let DecodedCommand::Gcs04(debts) = cmd else {
        return Err(mismatch(format!("not a GCS04 command: {cmd:?}")));
    };
    if b.electricity {
        return Err(Mismatch::RequestBody(
            "ElecDebtRecovery for a GSME".to_owned(),
        ));
    }
    let amount = |v: i32| u32::from_le_bytes(v.to_le_bytes());
    let frequency = |p: DebtRecoveryRatePeriod| match p {
        DebtRecoveryRatePeriod::Hourly => 0,
        DebtRecoveryRatePeriod::Daily => 1,
    };
    let [t1, t2] = b.time_debt_registers;
    let [r1, r2] = b.recovery;
    let rate = |r: i32| u32::try_from(r).unwrap_or(u32::MAX);
    let expected: [Carried; 3] = [
        (amount(t1), 0, 1, frequency(r1.period), rate(r1.rate), 0),
        (amount(t2), 0, 3, frequency(r2.period), rate(r2.rate), 0),
        (
            amount(b.payment_debt_register),
            1,
            5,
            1,
            0,
            b.debt_recovery_per_payment,
        ),
    ];
    let [d1, d2, d3] = &**debts;
    let got = [carried(d1), carried(d2), carried(d3)];
    if got == expected && b.recovery.iter().all(|r| r.rate >= 0) {
        Ok(())
    } else {
        Err(mismatch(format!(
            "the Change Debt commands {got:?} are not the request's {expected:?}"
        )))
    }
}
