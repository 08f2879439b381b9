//! CS02e → `RetrieveDeviceSecurityCredentialsDeviceRsp` (DUIS 6.24.2): the device's
//! certificate for the key usage asked for as `Certificate` (base64 DER), or, when it has none
//! to give, its response code as `RetrieveDeviceSecurityCredentialsStatusCode` (the schema's
//! `StatusASN1`: `ResponseCode` the code, `ASN1Status` its name: `invalidKeyUsage`,
//! `noCertificateHeld`, `certificateRetrievalFailure`;
//! `gbcs::credentials::device_certificate_code`).

use base64::Engine as _;
use gbcs::credentials::device_certificate_code as code;
use gbcs::usecases::{Failure, ResponseValue, cs02e};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &cs02e::SPEC,
    service_reference: "6.24",
    service_reference_variant: "6.24.2",
    element: "RetrieveDeviceSecurityCredentialsDeviceRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    match v {
        ResponseValue::DeviceCertificate(der) => {
            let mut x = Xml::new();
            x.leaf(
                "Certificate",
                &base64::engine::general_purpose::STANDARD.encode(der),
            );
            Ok(Rendering::Children(x))
        }
        _ => Err(MappingError::unexpected(v)),
    }
}

fn failure(f: &Failure) -> Xml {
    const ELEMENT: &str = "RetrieveDeviceSecurityCredentialsStatusCode";
    let mut x = Xml::new();
    if let Failure::Result { code } = f {
        x.open(ELEMENT, &[("ResponseCode", &code.to_string())]);
        x.leaf("ASN1Status", name(*code));
        x.close(ELEMENT);
    }
    x
}

/// The `ASN1Status` of a CS02e response code (`notKnown` for one GBCS does not define).
fn name(c: u8) -> &'static str {
    match c {
        code::INVALID_KEY_USAGE => "invalidKeyUsage",
        code::NO_CERTIFICATE_HELD => "noCertificateHeld",
        code::RETRIEVAL_FAILURE => "certificateRetrievalFailure",
        _ => "notKnown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_response_code_has_its_schema_name() {
        for (c, n) in [
            (1, "invalidKeyUsage"),
            (2, "noCertificateHeld"),
            (3, "certificateRetrievalFailure"),
            (9, "notKnown"),
        ] {
            let x = failure(&Failure::Result { code: c }).into_string();
            assert!(
                x.contains(&format!(
                    "<ra:RetrieveDeviceSecurityCredentialsStatusCode ResponseCode=\"{c}\">"
                )),
                "{x}"
            );
            assert!(
                x.contains(&format!("<ra:ASN1Status>{n}</ra:ASN1Status>")),
                "{x}"
            );
        }
    }
}
