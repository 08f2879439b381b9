//! GCS15c read GSME billing data log (billing calendar triggered) →
//! `RetrieveBillingCalendarTriggeredBillingDataLogRsp/Gas`: the metering and prepayment
//! snapshots the device encrypted to the requester are opened with the requester's key; each
//! metering snapshot is a `GSMEBillingDataLogEntry` (time, consumption register, block and TOU
//! registers, m³), each prepayment snapshot a `GSMEBillingPrepaymentDataLogEntry`, at most 12 of
//! each. NOT_FOUND offsets (no snapshot) add nothing.

use gbcs::usecases::{ResponseValue, gcs15c};

use super::gbz_logs::{MeteringSnapshot, payloads, prepay_snapshot};
use super::gcs15b::split;
use super::gcs61::failure;
use super::reads::{Opened, litres_as_m3};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs15c::SPEC,
    service_reference: "4.4",
    service_reference_variant: "4.4.3",
    element: "RetrieveBillingCalendarTriggeredBillingDataLogRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let parts = match payloads(ctx, "GCS15c billing data log", v)? {
        Opened::Ok(p) => p,
        Opened::Rendering(r) => return Ok(r),
    };
    let (metering, prepay) = split(&parts)?;
    let mut x = Xml::new();
    x.open("Gas", &[]);
    for s in &metering {
        x.open("GSMEBillingDataLogEntry", &[]);
        if let Some(t) = &s.time {
            x.leaf("Timestamp", t);
        }
        x.leaf(
            "ActiveImportRegisterValueConsumption",
            &litres_as_m3(i128::from(s.total)),
        );
        MeteringSnapshot::matrix(&mut x, "BlockRegisterMatrixValue", &s.blocks);
        MeteringSnapshot::matrix(&mut x, "TariffTOURegisterMatrixValue", &s.tiers);
        x.close("GSMEBillingDataLogEntry");
    }
    for p in prepay {
        x.open("GSMEBillingPrepaymentDataLogEntry", &[]);
        prepay_snapshot(&mut x, p)?;
        x.close("GSMEBillingPrepaymentDataLogEntry");
    }
    x.close("Gas");
    Ok(Rendering::Children(x))
}
