//! CS02d → `UpdateSecurityCredentialsDeviceRsp` (DUIS 6.15.2): the device's response code as
//! `UpdateSecurityCredentialsResponseCode/ASN1Status` (`success`, or the refusal's name,
//! `gbcs::usecases::cs02c::response_code`).

use gbcs::usecases::cs02c::response_code;
use gbcs::usecases::{Failure, ResponseValue, cs02d};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

const CODE: &str = "UpdateSecurityCredentialsResponseCode";

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &cs02d::SPEC,
    service_reference: "6.15",
    service_reference_variant: "6.15.2",
    element: "UpdateSecurityCredentialsDeviceRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    match v {
        ResponseValue::Done => Ok(Rendering::Children(super::cs02c::status(
            CODE,
            &Failure::Result {
                code: response_code::SUCCESS,
            },
        ))),
        _ => Err(MappingError::unexpected(v)),
    }
}

fn failure(f: &Failure) -> Xml {
    super::cs02c::status(CODE, f)
}
