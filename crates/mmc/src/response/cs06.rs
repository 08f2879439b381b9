//! CS06 activate firmware → `ActivateFirmwareRsp` (DUIS 11.3): an activation done at once gives
//! `ActivateImageResponseCode` (`success`) and the `FirmwareVersion` now running; a future-dated
//! (or cancelling) command's acknowledgement has no content (its 8F66/8F67 alert reports the
//! outcome); a refusal gives its `ActivateImageResponseCode` (`noImageHeld`, `hashMismatch`,
//! `activationFailure`: `gbcs::usecases::cs06::status`).

use gbcs::usecases::cs06::status;
use gbcs::usecases::{Failure, ResponseValue, cs06};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

const CODE: &str = "ActivateImageResponseCode";

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &cs06::SPEC,
    service_reference: "11.3",
    service_reference_variant: "11.3",
    element: "ActivateFirmwareRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

fn code(x: &mut Xml, status: u8) {
    x.open(CODE, &[("ResponseCode", &status.to_string())]);
    x.leaf("ASN1Status", status::name(i64::from(status)));
    x.close(CODE);
}

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let mut x = Xml::new();
    match v {
        ResponseValue::Done => {}
        ResponseValue::FirmwareVersion(b) => {
            code(&mut x, status::SUCCESS);
            x.leaf("FirmwareVersion", &super::version_text(b));
        }
        _ => return Err(MappingError::unexpected(v)),
    }
    Ok(Rendering::Children(x))
}

fn failure(f: &Failure) -> Xml {
    let mut x = Xml::new();
    if let Failure::Result { code: c } = f {
        code(&mut x, *c);
    }
    x
}
