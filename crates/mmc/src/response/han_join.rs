//! What the 8.7 Join and 8.8 Unjoin mappings share: the device's responseCode as
//! `joinResponseCode` / `unjoinResponseCode` (`StatusASN1`: the code as `ResponseCode`, its
//! name as `ASN1Status`, [`gbcs::usecases::han_join::response_name`]).

use gbcs::usecases::{Failure, ResponseValue, han_join};

use super::{MappingError, Rendering};
use crate::xml::Xml;

/// The status element of a responseCode.
pub(super) fn status(unjoin: bool, code: u8) -> Xml {
    let element = if unjoin {
        "unjoinResponseCode"
    } else {
        "joinResponseCode"
    };
    let mut x = Xml::new();
    x.open(element, &[("ResponseCode", &code.to_string())]);
    x.leaf("ASN1Status", han_join::response_name(code, unjoin));
    x.close(element);
    x
}

/// A success: responseCode 0.
pub(super) fn done(unjoin: bool, v: &ResponseValue) -> Result<Rendering, MappingError> {
    match v {
        ResponseValue::Done => Ok(Rendering::Children(status(
            unjoin,
            han_join::RESPONSE_SUCCESS,
        ))),
        _ => Err(MappingError::unexpected(v)),
    }
}

/// A failure: the device's responseCode.
pub(super) fn failed(unjoin: bool, f: &Failure) -> Xml {
    match f {
        Failure::Result { code } => status(unjoin, *code),
        _ => Xml::new(),
    }
}
