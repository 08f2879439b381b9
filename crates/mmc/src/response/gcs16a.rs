//! GCS16a read GSME daily read log → `RetrieveImportDailyReadLogRsp`: each daily metering
//! snapshot the device encrypted to the requester is opened with the requester's key and is a
//! `LogEntry` (`Timestamp`, `Gas`: the consumption register, the block counters and the TOU
//! registers, m³), at most 31. NOT_FOUND offsets (no snapshot) add nothing.

use gbcs::usecases::{ResponseValue, gcs16a};

use super::gbz_logs::{METERING, MeteringSnapshot, payloads};
use super::logs::at_most;
use super::reads::{Opened, litres_as_m3, nothing};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs16a::SPEC,
    service_reference: "4.6",
    service_reference_variant: "4.6.1",
    element: "RetrieveImportDailyReadLogRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let parts = match payloads(ctx, "GCS16a daily read log", v)? {
        Opened::Ok(p) => p,
        Opened::Rendering(r) => return Ok(r),
    };
    let snapshots = parts
        .iter()
        .filter(|(c, _, _)| *c == METERING)
        .map(|(_, _, p)| MeteringSnapshot::parse(p))
        .collect::<Result<Vec<_>, _>>()?;
    at_most(&snapshots, 31)?;
    let mut x = Xml::new();
    for s in snapshots {
        x.open("LogEntry", &[]);
        if let Some(t) = &s.time {
            x.leaf("Timestamp", t);
        }
        x.open("Gas", &[]);
        x.leaf(
            "GasActiveImportRegisterConsumption",
            &litres_as_m3(i128::from(s.total)),
        );
        MeteringSnapshot::matrix(&mut x, "TariffBlockCounterMatrix", &s.blocks);
        MeteringSnapshot::matrix(&mut x, "TariffTOURegisterMatrix", &s.tiers);
        x.close("Gas");
        x.close("LogEntry");
    }
    Ok(Rendering::Children(x))
}
