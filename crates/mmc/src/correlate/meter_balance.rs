//! ECS04a, ECS04b (ESME) and GCS40a–d (GSME) answer 1.5 Update Meter Balance: the pre-command
//! must do what the request's body asks: on the ESME the adjustment (ECS04a, either mode) or the
//! reset (ECS04b); on the GSME the adjustment or reset of the request's mode's balance, with
//! the request's value.

use duis::bodies::{MeterBalanceUpdate, UpdateMeterBalance};
use duis::{Request, Srv};
use gbcs::usecases::{BalanceAdjustment, DecodedCommand, ecs04, gcs40};

use super::{Correlation, Mismatch};

const fn correlation(use_case: &'static gbcs::usecases::UseCaseSpec) -> Correlation {
    Correlation {
        use_case,
        services: &[Srv::V1_5],
        check,
    }
}

/// ECS04a.
pub static ECS04A: Correlation = correlation(&ecs04::SPEC_A);
/// ECS04b.
pub static ECS04B: Correlation = correlation(&ecs04::SPEC_B);
/// GCS40a.
pub static GCS40A: Correlation = correlation(&gcs40::SPEC_A);
/// GCS40b.
pub static GCS40B: Correlation = correlation(&gcs40::SPEC_B);
/// GCS40c.
pub static GCS40C: Correlation = correlation(&gcs40::SPEC_C);
/// GCS40d.
pub static GCS40D: Correlation = correlation(&gcs40::SPEC_D);

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b = UpdateMeterBalance::parse(&request.body)
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let ok = match (cmd, b.update) {
        (DecodedCommand::Ecs04a(v), MeterBalanceUpdate::Adjust(w)) => *v == w,
        (DecodedCommand::Ecs04b, MeterBalanceUpdate::Reset) => true,
        (DecodedCommand::Gcs40(c), update) => {
            c.adjustment
                == match (b.prepayment_mode, update) {
                    (true, MeterBalanceUpdate::Adjust(v)) => BalanceAdjustment::PrepaymentAdjust(v),
                    (true, MeterBalanceUpdate::Reset) => BalanceAdjustment::PrepaymentReset,
                    (false, MeterBalanceUpdate::Adjust(v)) => {
                        BalanceAdjustment::CreditModeAdjust(v)
                    }
                    (false, MeterBalanceUpdate::Reset) => BalanceAdjustment::CreditModeReset,
                }
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Mismatch::Parameter {
            use_case: cmd.spec().name,
            what: format!("the command {cmd:?} is not the request's {b:?}"),
        })
    }
}
