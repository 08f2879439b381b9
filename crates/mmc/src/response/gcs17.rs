//! GCS17 read GSME profile data → `ReadActiveImportProfileDataRsp`: the Get Sampled Data
//! Response the GSME encrypted to the requester is opened with the requester's key; each sample
//! (the half hour's consumption, litres) is a `LogEntry` with its time (the first sample's time
//! plus the sample interval per sample) and `Gas/PrimaryValue` in m³. NOT_FOUND (no sample in
//! the period) is the device's failure.

use gbcs::usecases::{ResponseValue, gcs17};

use super::reads::{Opened, litres_as_m3, nothing, sampled};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs17::SPEC,
    service_reference: "4.8",
    service_reference_variant: "4.8.1",
    element: "ReadActiveImportProfileDataRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

/// The schema's limit.
const MAX_ENTRIES: usize = 19_056;

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let samples = match sampled(ctx, "GCS17 profile data", v)? {
        Opened::Ok(s) => s,
        Opened::Rendering(r) => return Ok(r),
    };
    if samples.len() > MAX_ENTRIES {
        return Err(MappingError(format!(
            "{} samples, the schema holds {MAX_ENTRIES}",
            samples.len()
        )));
    }
    let mut x = Xml::new();
    for (t, litres) in samples {
        x.open("LogEntry", &[]);
        if let Some(t) = t {
            x.leaf("Timestamp", &t);
        }
        x.open("Gas", &[]);
        x.leaf("PrimaryValue", &litres_as_m3(i128::from(litres)));
        x.close("Gas");
        x.close("LogEntry");
    }
    Ok(Rendering::Children(x))
}
