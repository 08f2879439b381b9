//! GCS21e → `ReadDeviceConfigurationIdentityExcMPxNRsp` ([`super::identity`]).

use gbcs::usecases::{ResponseValue, gcs21e};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs21e::SPEC,
    service_reference: "6.2",
    service_reference_variant: "6.2.4",
    element: "ReadDeviceConfigurationIdentityExcMPxNRsp",
    by_variant: &[],
    render,
    failure: None,
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    super::identity::gbz(v)
}
