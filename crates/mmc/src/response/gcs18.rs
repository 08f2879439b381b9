//! GCS18 read GSME network data → `ReadNetworkDataRsp/Gas/NetworkDataLog`: the Get Sampled Data
//! Response of the network data log (GCS31's run) the GSME encrypted to the requester is opened
//! with the requester's key; each sample (the interval's volume, litres) is a `LogEntry` with
//! `Value` in m³ and its `Timestamp` (the first sample's time plus the sample interval per
//! sample). NOT_FOUND (no sampling has run) is the device's failure.

use gbcs::usecases::{Failure, ResponseValue, gcs18};

use super::reads::{Opened, litres_as_m3, sampled};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs18::SPEC,
    service_reference: "4.10",
    service_reference_variant: "4.10",
    element: "ReadNetworkDataRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

/// The schema's limit.
const MAX_ENTRIES: usize = 41;

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let samples = match sampled(ctx, "GCS18 network data", v)? {
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
    x.open("Gas", &[]);
    x.open("NetworkDataLog", &[]);
    for (t, litres) in samples {
        x.open("LogEntry", &[]);
        x.leaf("Value", &litres_as_m3(i128::from(litres)));
        if let Some(t) = t {
            x.leaf("Timestamp", &t);
        }
        x.close("LogEntry");
    }
    x.close("NetworkDataLog");
    x.close("Gas");
    Ok(Rendering::Children(x))
}

/// The element's choice is required: an empty `Gas`.
fn failure(_: &Failure) -> Xml {
    let mut x = Xml::new();
    x.empty("Gas", &[]);
    x
}
