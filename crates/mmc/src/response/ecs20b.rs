//! ECS20b read ESME billing data log (change of mode / tariff triggered, a protected read) →
//! `RetrieveCoMOrTariffTriggeredBillingDataLogRsp/Electricity`: the block the device encrypted
//! to the requester is opened with the requester's key; each row holds the registers (see
//! [`super::logs`]) and the six prepayment amounts captured at the trigger: the registers are a
//! `LogEntryConsumptionAndTariffRegistersData`, the amounts a `LogEntryPrepaymentData` (each
//! with the row's time), at most 12 of each.

use gbcs::usecases::{Failure, ResponseValue, ecs20b};

use super::logs::{ElecRegisters, at_most, opened_logs, prepayment};
use super::reads::Opened;
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs20b::SPEC,
    service_reference: "4.4",
    service_reference_variant: "4.4.2",
    element: "RetrieveCoMOrTariffTriggeredBillingDataLogRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::Protected(block) = v else {
        return Err(MappingError::unexpected(v));
    };
    let rows = match opened_logs(ctx, "ECS20b billing data log", block, 1)? {
        Opened::Ok(mut logs) => logs.remove(0),
        Opened::Rendering(r) => return Ok(r),
    };
    at_most(&rows, 12)?;
    let mut registers = Xml::new();
    let mut prepay = Xml::new();
    for row in &rows {
        let (r, amounts) = ElecRegisters::of(row, 6)?;
        registers.open("LogEntryConsumptionAndTariffRegistersData", &[]);
        registers.leaf("ActiveImportRegisterConsumption", &r.import.to_string());
        ElecRegisters::matrix(&mut registers, "TariffTOURegisterMatrixValue", &r.tou);
        r.block_matrices(&mut registers);
        if let Some(s) = r.secondary {
            registers.leaf("SecondaryActiveImportRegisterConsumption", &s.to_string());
        }
        ElecRegisters::matrix(
            &mut registers,
            "SecondaryTariffTOURegisterMatrixValue",
            &r.secondary_tou,
        );
        if let Some(t) = &r.time {
            registers.leaf("Timestamp", t);
        }
        registers.close("LogEntryConsumptionAndTariffRegistersData");
        prepay.open("LogEntryPrepaymentData", &[]);
        prepayment(&mut prepay, amounts, r.time.as_deref())?;
        prepay.close("LogEntryPrepaymentData");
    }
    let mut x = Xml::new();
    x.open("Electricity", &[]);
    x.append(&registers);
    x.append(&prepay);
    x.close("Electricity");
    Ok(Rendering::Children(x))
}

/// The element's choice is required: an empty `Electricity`.
fn failure(_: &Failure) -> Xml {
    let mut x = Xml::new();
    x.empty("Electricity", &[]);
    x
}
