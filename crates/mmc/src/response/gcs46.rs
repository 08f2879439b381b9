//! GCS46 read GSME MPRN → `ReadDeviceConfigurationMPxNRsp/Gas/MPRN`: Metering attribute
//! `0x0307` (SiteID). An empty SiteID (none set) is left out.

use gbcs::usecases::{ResponseValue, gcs46};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs46::SPEC,
    service_reference: "6.2",
    service_reference_variant: "6.2.7",
    element: "ReadDeviceConfigurationMPxNRsp",
    by_variant: &[],
    render,
    failure: None,
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::Attributes(records) = v else {
        return Err(MappingError::unexpected(v));
    };
    let mut x = Xml::new();
    x.open("Gas", &[]);
    for r in records {
        if r.id == gcs46::SITE_ID && !r.value.is_empty() {
            x.leaf("MPRN", super::ecs40::mpxn_text(&r.value, 10)?);
        }
    }
    x.close("Gas");
    Ok(Rendering::Children(x))
}
