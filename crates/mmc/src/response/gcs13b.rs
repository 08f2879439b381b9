//! GCS13b read GSME block counters →
//! `ReadInstantaneousImportBlockCountersRsp/ImportBlockCounters`: the component the device
//! encrypted to the requester is opened with the requester's key; inside, Metering current
//! no-tier block 1–4 summation delivered (0x0700–0x0703) × multiplier (0x0301) ÷ divisor
//! (0x0302) are the `TariffBlockCounterValue`s (index = block, m³). A failed record inside is
//! the device's failure (the opened records' `DebugInfo`).

use gbcs::usecases::{CLUSTER_METERING, ResponseValue, gcs13b};

use super::reads::{GasScale, Opened, attr, indexed, nothing, open_records};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs13b::SPEC,
    service_reference: "4.1",
    service_reference_variant: "4.1.4",
    element: "ReadInstantaneousImportBlockCountersRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

/// Current no-tier block 1–4 summation delivered.
const BLOCKS: [u16; 4] = [0x0700, 0x0701, 0x0702, 0x0703];

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let records = match v {
        ResponseValue::Attributes(r) => r.clone(),
        ResponseValue::Protected(block) => {
            match open_records(
                ctx,
                "GCS13b block counters",
                CLUSTER_METERING,
                block,
                nothing,
            )? {
                Opened::Ok(r) => r,
                Opened::Rendering(r) => return Ok(r),
            }
        }
        _ => return Err(MappingError::unexpected(v)),
    };
    let scale = GasScale::of(&records);
    let mut x = Xml::new();
    x.open("ImportBlockCounters", &[]);
    for (i, id) in BLOCKS.iter().enumerate() {
        if let Some(v) = attr(&records, *id) {
            indexed(&mut x, "TariffBlockCounterValue", i + 1, &scale.volume(v));
        }
    }
    x.close("ImportBlockCounters");
    Ok(Rendering::Children(x))
}
