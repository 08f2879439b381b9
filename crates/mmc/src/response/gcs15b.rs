//! GCS15b read GSME billing data log (change of mode / tariff triggered) →
//! `RetrieveCoMOrTariffTriggeredBillingDataLogRsp/Gas`: the metering and prepayment snapshots
//! the device encrypted to the requester are opened with the requester's key; each metering
//! snapshot is a `LogEntryConsumptionRegister` (the consumption register, its time, the TOU and
//! block registers, m³), each prepayment snapshot a `LogEntryPrepaymentData`, at most 12 of
//! each. NOT_FOUND offsets (no snapshot) add nothing.

use gbcs::usecases::{ResponseValue, gcs15b};

use super::gbz_logs::{METERING, MeteringSnapshot, PREPAYMENT, payloads, prepay_snapshot};
use super::gcs61::failure;
use super::logs::at_most;
use super::reads::{Opened, litres_as_m3};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs15b::SPEC,
    service_reference: "4.4",
    service_reference_variant: "4.4.2",
    element: "RetrieveCoMOrTariffTriggeredBillingDataLogRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let parts = match payloads(ctx, "GCS15b billing data log", v)? {
        Opened::Ok(p) => p,
        Opened::Rendering(r) => return Ok(r),
    };
    let (metering, prepay) = split(&parts)?;
    let mut x = Xml::new();
    x.open("Gas", &[]);
    for s in &metering {
        x.open("LogEntryConsumptionRegister", &[]);
        x.leaf("ConsumptionRegister", &litres_as_m3(i128::from(s.total)));
        if let Some(t) = &s.time {
            x.leaf("Timestamp", t);
        }
        MeteringSnapshot::matrix(&mut x, "TariffTOURegisterMatrixValue", &s.tiers);
        MeteringSnapshot::matrix(&mut x, "BlockRegisterMatrixValue", &s.blocks);
        x.close("LogEntryConsumptionRegister");
    }
    for p in prepay {
        x.open("LogEntryPrepaymentData", &[]);
        prepay_snapshot(&mut x, p)?;
        x.close("LogEntryPrepaymentData");
    }
    x.close("Gas");
    Ok(Rendering::Children(x))
}

/// The metering snapshots (parsed) and the prepayment snapshots' payloads, at most 12 each.
pub(crate) fn split(
    parts: &[super::gbz_logs::Part],
) -> Result<(Vec<MeteringSnapshot>, Vec<&[u8]>), MappingError> {
    let metering = parts
        .iter()
        .filter(|(c, _, _)| *c == METERING)
        .map(|(_, _, p)| MeteringSnapshot::parse(p))
        .collect::<Result<Vec<_>, _>>()?;
    let prepay: Vec<&[u8]> = parts
        .iter()
        .filter(|(c, _, _)| *c == PREPAYMENT)
        .map(|(_, _, p)| p.as_slice())
        .collect();
    at_most(&metering, 12)?;
    at_most(&prepay, 12)?;
    Ok((metering, prepay))
}
