//! GCS31 start recording gas network data → `RecordNetworkDataGASRsp/SampleID`: the sample id
//! of the network data log the Start Sampling Response gives (`FFFF`, "cannot sample", is the
//! device's failure).

use gbcs::usecases::{ResponseValue, gcs31};

use super::reads::nothing;
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs31::SPEC,
    service_reference: "14.1",
    service_reference_variant: "14.1",
    element: "RecordNetworkDataGASRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::SampleId(id) = v else {
        return Err(MappingError::unexpected(v));
    };
    let mut x = Xml::new();
    x.leaf("SampleID", &id.to_string());
    Ok(Rendering::Children(x))
}
