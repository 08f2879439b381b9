//! GCS33 read GSME supply status → `ReadSupplyStatusRsp`: Metering attribute 0x0014 (supply status: 0 OFF, 1 ARMED, 2 ON) as `SupplyState`, 0x0205 (remaining battery life) as `Gas/RemainingBatteryCapacity`.

use gbcs::usecases::{ResponseValue, gcs33};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs33::SPEC,
    service_reference: "7.4",
    service_reference_variant: "7.4",
    element: "ReadSupplyStatusRsp",
    by_variant: &[],
    render,
    failure: None,
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::Attributes(records) = v else {
        return Err(MappingError::unexpected(v));
    };
    let mut state = None;
    let mut battery = None;
    for r in records {
        match (r.id, &r.value[..]) {
            (0x0014, [s]) => {
                state = Some(match s {
                    0 => "Disabled",
                    1 => "Armed",
                    2 => "Enabled",
                    _ => return Err(MappingError(format!("supply status {s} is not 0, 1 or 2"))),
                })
            }
            (0x0205, b) if !b.is_empty() && b.len() <= 4 => {
                let mut le = [0u8; 4];
                le[..b.len()].copy_from_slice(b);
                battery = Some(u32::from_le_bytes(le));
            }
            _ => {}
        }
    }
    let mut x = Xml::new();
    if let Some(s) = state {
        x.leaf("SupplyState", s);
    }
    if let Some(b) = battery {
        x.open("Gas", &[]);
        x.leaf("RemainingBatteryCapacity", &b.to_string());
        x.close("Gas");
    }
    Ok(Rendering::Children(x))
}
