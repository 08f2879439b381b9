//! GCS16b read GSME prepayment daily read log → `ReadPrepaymentDailyReadLogRsp/Gas`: each daily
//! prepayment snapshot the device encrypted to the requester is opened with the requester's key
//! and is a `LogEntry` (see [`super::gbz_logs::prepay_snapshot`]), at most 31. NOT_FOUND offsets
//! (no snapshot) add nothing.

use gbcs::usecases::{ResponseValue, gcs16b};

use super::gbz_logs::{PREPAYMENT, payloads, prepay_snapshot};
use super::gcs61::failure;
use super::logs::at_most;
use super::reads::Opened;
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs16b::SPEC,
    service_reference: "4.14",
    service_reference_variant: "4.14",
    element: "ReadPrepaymentDailyReadLogRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let parts = match payloads(ctx, "GCS16b prepayment daily read log", v)? {
        Opened::Ok(p) => p,
        Opened::Rendering(r) => return Ok(r),
    };
    let snapshots: Vec<&Vec<u8>> = parts
        .iter()
        .filter(|(c, _, _)| *c == PREPAYMENT)
        .map(|(_, _, p)| p)
        .collect();
    at_most(&snapshots, 31)?;
    let mut x = Xml::new();
    if snapshots.is_empty() {
        x.empty("Gas", &[]);
        return Ok(Rendering::Children(x));
    }
    x.open("Gas", &[]);
    for p in snapshots {
        x.open("LogEntry", &[]);
        prepay_snapshot(&mut x, p)?;
        x.close("LogEntry");
    }
    x.close("Gas");
    Ok(Rendering::Children(x))
}
