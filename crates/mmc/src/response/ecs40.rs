//! ECS40 read ESME MPAN → `ReadDeviceConfigurationMPxNRsp/Electricity`: the import MPAN
//! octet string as `ImportMPAN` (its first 13 characters) and, on a twin element meter,
//! `SecondaryImportMPAN` (the next 13); the export MPAN as `ExportMPAN`. An MPAN the meter does
//! not hold (an empty string) is left out.

use gbcs::axdr::Data;
use gbcs::usecases::{ResponseValue, ecs40};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs40::SPEC,
    service_reference: "6.2",
    service_reference_variant: "6.2.7",
    element: "ReadDeviceConfigurationMPxNRsp",
    by_variant: &[],
    render,
    failure: None,
};

/// An MPxN's text: at most `max` ASCII digits.
pub(super) fn mpxn_text(b: &[u8], max: usize) -> Result<&str, MappingError> {
    if b.len() > max || !b.iter().all(u8::is_ascii_digit) {
        return Err(MappingError(format!(
            "MPxN {b:02X?} is not at most {max} digits"
        )));
    }
    std::str::from_utf8(b).map_err(|e| MappingError(e.to_string()))
}

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    let [Data::OctetString(import), Data::OctetString(export)] = &values[..] else {
        return Err(MappingError::unexpected(v));
    };
    let (primary, secondary) = import.split_at(import.len().min(13));
    let mut x = Xml::new();
    x.open("Electricity", &[]);
    if !primary.is_empty() {
        x.leaf("ImportMPAN", mpxn_text(primary, 13)?);
    }
    if !secondary.is_empty() {
        x.leaf("SecondaryImportMPAN", mpxn_text(secondary, 13)?);
    }
    if !export.is_empty() {
        x.leaf("ExportMPAN", mpxn_text(export, 13)?);
    }
    x.close("Electricity");
    Ok(Rendering::Children(x))
}
