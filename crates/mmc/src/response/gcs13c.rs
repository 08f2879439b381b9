//! GCS13c read GSME TOU registers →
//! `ReadInstantaneousImportTOUMatricesRsp/Gas/TariffTOURegisterMatrix`: the component the
//! device encrypted to the requester is opened with the requester's key; inside, Metering
//! current tier 1–4 summation delivered (0x0100, 0x0102, 0x0104, 0x0106) × multiplier (0x0301)
//! ÷ divisor (0x0302) are the `TOURegisterMatrixValue`s (index = tier, m³). A failed record
//! inside is the device's failure (an empty `Gas`, and the opened records' `DebugInfo`).

use gbcs::usecases::{CLUSTER_METERING, Failure, ResponseValue, gcs13c};

use super::reads::{GasScale, Opened, attr, indexed, open_records};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs13c::SPEC,
    service_reference: "4.1",
    service_reference_variant: "4.1.2",
    element: "ReadInstantaneousImportTOUMatricesRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

/// Current tier 1–4 summation delivered.
const TIERS: [u16; 4] = [0x0100, 0x0102, 0x0104, 0x0106];

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let records = match v {
        ResponseValue::Attributes(r) => r.clone(),
        ResponseValue::Protected(block) => {
            match open_records(
                ctx,
                "GCS13c TOU registers",
                CLUSTER_METERING,
                block,
                failure,
            )? {
                Opened::Ok(r) => r,
                Opened::Rendering(r) => return Ok(r),
            }
        }
        _ => return Err(MappingError::unexpected(v)),
    };
    let scale = GasScale::of(&records);
    let mut x = Xml::new();
    x.open("Gas", &[]);
    x.open("TariffTOURegisterMatrix", &[]);
    for (i, id) in TIERS.iter().enumerate() {
        if let Some(v) = attr(&records, *id) {
            indexed(&mut x, "TOURegisterMatrixValue", i + 1, &scale.volume(v));
        }
    }
    x.close("TariffTOURegisterMatrix");
    x.close("Gas");
    Ok(Rendering::Children(x))
}

/// The element's choice is required: an empty `Gas`.
fn failure(_: &Failure) -> Xml {
    let mut x = Xml::new();
    x.empty("Gas", &[]);
    x
}
