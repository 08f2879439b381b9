//! GCS61 read gas daily consumption log → `RetrieveDailyConsumptionLogRsp/Gas`: the Get Sampled
//! Data Response the device encrypted to the requester is opened with the requester's key;
//! each daily sample (litres) is a `LogEntry` (`Value` in m³, `Timestamp`: the first sample's
//! time plus a day per sample), at most 731. NOT_FOUND (no day in the period) is an empty log.

use gbcs::usecases::{Failure, ResponseValue, gcs61};

use super::gbz_logs::{METERING, daily_samples, payloads};
use super::logs::at_most;
use super::reads::{Opened, litres_as_m3};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs61::SPEC,
    service_reference: "4.17",
    service_reference_variant: "4.17",
    element: "RetrieveDailyConsumptionLogRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let parts = match payloads(ctx, "GCS61 daily consumption log", v)? {
        Opened::Ok(p) => p,
        Opened::Rendering(r) => return Ok(r),
    };
    let mut samples = Vec::new();
    for (cluster, _, p) in &parts {
        if *cluster == METERING {
            samples.extend(daily_samples(p)?);
        }
    }
    at_most(&samples, 731)?;
    let mut x = Xml::new();
    if samples.is_empty() {
        x.empty("Gas", &[]);
        return Ok(Rendering::Children(x));
    }
    x.open("Gas", &[]);
    for (t, litres) in samples {
        x.open("LogEntry", &[]);
        x.leaf("Value", &litres_as_m3(i128::from(litres)));
        if let Some(t) = t {
            x.leaf("Timestamp", &t);
        }
        x.close("LogEntry");
    }
    x.close("Gas");
    Ok(Rendering::Children(x))
}

/// The element's choice is required: an empty `Gas`.
pub(crate) fn failure(_: &Failure) -> Xml {
    let mut x = Xml::new();
    x.empty("Gas", &[]);
    x
}
