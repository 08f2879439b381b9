//! CS02c → `IssueSecurityCredentialsRsp` (DUIS 6.17): the device's certificate signing request
//! as `CertificationRequest` (base64 DER, RFC 2986), or, when it refused, its response code as
//! `IssueCredentialsResponseCode/ASN1Status` (`gbcs::usecases::cs02c::response_code`).

use base64::Engine;
use gbcs::usecases::cs02c::{self, response_code};
use gbcs::usecases::{Failure, ResponseValue};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &cs02c::SPEC,
    service_reference: "6.17",
    service_reference_variant: "6.17",
    element: "IssueSecurityCredentialsRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    match v {
        ResponseValue::CertificateSigningRequest(csr) => {
            let mut x = Xml::new();
            x.leaf(
                "CertificationRequest",
                &base64::engine::general_purpose::STANDARD.encode(&csr.der),
            );
            Ok(Rendering::Children(x))
        }
        _ => Err(MappingError::unexpected(v)),
    }
}

/// `<{element} ResponseCode="code"><ASN1Status>name</ASN1Status></{element}>` (the schema's
/// `StatusASN1`) for a response code (shared with CS02d).
pub(super) fn status(element: &str, f: &Failure) -> Xml {
    let mut x = Xml::new();
    if let Failure::Result { code } = f {
        x.open(element, &[("ResponseCode", &code.to_string())]);
        x.leaf("ASN1Status", response_code::name(*code));
        x.close(element);
    }
    x
}

fn failure(f: &Failure) -> Xml {
    status("IssueCredentialsResponseCode", f)
}
