//! ECS23b read ESME network data (polyphase) → `ReadNetworkDataRsp/Electricity/PolyPhaseESME`:
//! ECS23's six values for each of the phases L1, L2, L3 (in that order), each a
//! `PhaseVoltageOperationalData` (`VoltageOperationalData`, `Phase` 1–3).

use gbcs::usecases::{ResponseValue, ecs23b};

use super::ecs23::{failure, voltage_operational_data};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs23b::SPEC,
    service_reference: "4.10",
    service_reference_variant: "4.10",
    element: "ReadNetworkDataRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    if values.len() != 18 {
        return Err(MappingError(format!(
            "{} values, ECS23b reads 18",
            values.len()
        )));
    }
    let mut x = Xml::new();
    x.open("Electricity", &[]);
    x.open("PolyPhaseESME", &[]);
    for (i, phase) in values.chunks_exact(6).enumerate() {
        x.open("PhaseVoltageOperationalData", &[]);
        x.open("VoltageOperationalData", &[]);
        voltage_operational_data(&mut x, phase)?;
        x.close("VoltageOperationalData");
        x.leaf("Phase", &(i + 1).to_string());
        x.close("PhaseVoltageOperationalData");
    }
    x.close("PolyPhaseESME");
    x.close("Electricity");
    Ok(Rendering::Children(x))
}
