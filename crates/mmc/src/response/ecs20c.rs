//! ECS20c read ESME billing data log (billing calendar triggered, a protected read) →
//! `RetrieveBillingCalendarTriggeredBillingDataLogRsp/Electricity`: the block the device
//! encrypted to the requester is opened with the requester's key; it holds two logs: the
//! registers at each billing period end (see [`super::logs`]) as `ESMEBillingDataLogEntry`, and
//! the six prepayment amounts as `ESMEBillingPrepaymentDataLogEntry`, at most 12 of each.

use gbcs::usecases::{Failure, ResponseValue, ecs20c};

use super::logs::{ElecRegisters, at_most, opened_logs, prepayment};
use super::reads::Opened;
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs20c::SPEC,
    service_reference: "4.4",
    service_reference_variant: "4.4.3",
    element: "RetrieveBillingCalendarTriggeredBillingDataLogRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::Protected(block) = v else {
        return Err(MappingError::unexpected(v));
    };
    let mut logs = match opened_logs(ctx, "ECS20c billing data log", block, 2)? {
        Opened::Ok(logs) => logs,
        Opened::Rendering(r) => return Ok(r),
    };
    let prepay_rows = logs.pop().unwrap_or_default();
    let register_rows = logs.pop().unwrap_or_default();
    at_most(&register_rows, 12)?;
    at_most(&prepay_rows, 12)?;
    let mut x = Xml::new();
    x.open("Electricity", &[]);
    for row in &register_rows {
        let (r, _) = ElecRegisters::of(row, 0)?;
        x.open("ESMEBillingDataLogEntry", &[]);
        if let Some(t) = &r.time {
            x.leaf("Timestamp", t);
        }
        x.leaf(
            "ActiveImportRegisterValueConsumption",
            &r.import.to_string(),
        );
        if let Some(s) = r.secondary {
            x.leaf(
                "SecondaryActiveImportRegisterValueConsumption",
                &s.to_string(),
            );
        }
        ElecRegisters::matrix(&mut x, "TariffTOURegisterMatrixValue", &r.tou);
        ElecRegisters::matrix(
            &mut x,
            "SecondaryTariffTOURegisterMatrixValue",
            &r.secondary_tou,
        );
        r.block_matrices(&mut x);
        x.close("ESMEBillingDataLogEntry");
    }
    for row in &prepay_rows {
        let Some((time, amounts)) = row.split_first() else {
            return Err(MappingError("an empty log row".into()));
        };
        x.open("ESMEBillingPrepaymentDataLogEntry", &[]);
        prepayment(&mut x, amounts, time.time().as_deref())?;
        x.close("ESMEBillingPrepaymentDataLogEntry");
    }
    x.close("Electricity");
    Ok(Rendering::Children(x))
}

/// The element's choice is required: an empty `Electricity`.
fn failure(_: &Failure) -> Xml {
    let mut x = Xml::new();
    x.empty("Electricity", &[]);
    x
}
