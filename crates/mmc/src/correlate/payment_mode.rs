//! ECS02, ECS03, GCS02 and GCS03 answer 1.6 Update Payment Mode: the pre-command must switch to
//! the request's mode, at the request's time (none: now; 3000-12-31T00:00:00Z: cancel; else
//! that instant), with its prepayment settings (the rules of `gbcs::usecases::payment_mode`:
//! the GSME's configuration bits and cut-off; the ESME's disablement threshold, `C0` entries
//! exactly when `SuspendDebtDisabled` and `19.10.2` entries exactly when
//! `SuspendDebtEmergency`).

use duis::Request;
use duis::bodies::{PaymentMode, UpdatePaymentMode};
use gbcs::UtcDateTime;
use gbcs::usecases::payment_mode::{COLLECT_NOT_WHEN_DISABLED, CONFIG_CREDIT, CUT_OFF_NONE};
use gbcs::usecases::{Activation, ChangePaymentMode, DecodedCommand};

use super::Mismatch;

fn mismatch(use_case: &'static str, what: String) -> Mismatch {
    Mismatch::Parameter { use_case, what }
}

fn activation(body: &UpdatePaymentMode) -> Result<Activation, Mismatch> {
    let Some(text) = body.execution_date_time.as_deref() else {
        return Ok(Activation::Now);
    };
    let t = duis::parse_xs_datetime_utc(text)
        .and_then(|t| UtcDateTime::from_unix(t.unix_timestamp()))
        .ok_or_else(|| Mismatch::RequestBody(format!("ExecutionDateTime {text:?}")))?;
    Ok(if UtcDateTime::new(3000, 12, 31, 0, 0, 0) == Some(t) {
        Activation::Cancel
    } else {
        Activation::At(t)
    })
}

pub(super) fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let body = UpdatePaymentMode::parse(&request.body)
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let act = activation(&body)?;
    let time = |uc, a: Activation| {
        if a == act {
            Ok(())
        } else {
            Err(mismatch(
                uc,
                format!("activation {a:?}, the request says {act:?}"),
            ))
        }
    };
    match (cmd, body.mode) {
        (DecodedCommand::Ecs02(c), PaymentMode::Credit) => time("ECS02", c.activation),
        (
            DecodedCommand::Ecs03(c),
            PaymentMode::Prepayment {
                suspend_debt_disabled,
                suspend_debt_emergency,
                disablement_threshold,
            },
        ) => {
            time("ECS03", c.activation)?;
            let suspended = c
                .entries
                .iter()
                .any(|e| e.collection == COLLECT_NOT_WHEN_DISABLED);
            let in_emergency = c.entries.iter().any(|e| e.credit == 2);
            if c.disablement_threshold != disablement_threshold
                || suspended != suspend_debt_disabled
                || in_emergency != suspend_debt_emergency
            {
                return Err(mismatch(
                    "ECS03",
                    format!("threshold or suspend-debt settings differ: {c:?}"),
                ));
            }
            Ok(())
        }
        (DecodedCommand::Gcs02(c), PaymentMode::Credit) => {
            time("GCS02", c.activation)?;
            if (c.configuration, c.cut_off) != (CONFIG_CREDIT, CUT_OFF_NONE) {
                return Err(mismatch("GCS02", format!("not credit mode: {c:?}")));
            }
            Ok(())
        }
        (
            DecodedCommand::Gcs03(c),
            PaymentMode::Prepayment {
                suspend_debt_disabled,
                suspend_debt_emergency,
                disablement_threshold,
            },
        ) => {
            time("GCS03", c.activation)?;
            let expected = ChangePaymentMode::prepayment_configuration(
                suspend_debt_disabled,
                suspend_debt_emergency,
            );
            let cut_off = u32::from_le_bytes(disablement_threshold.to_le_bytes());
            if (c.configuration, c.cut_off) != (expected, cut_off) {
                return Err(mismatch("GCS03", format!("settings differ: {c:?}")));
            }
            Ok(())
        }
        (other, mode) => Err(mismatch(
            "1.6",
            format!("the command does not switch to {mode:?}: {other:?}"),
        )),
    }
}
