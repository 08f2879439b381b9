//! ECS17d read ESME TOU registers (a protected read) →
//! `ReadInstantaneousImportTOUMatricesRsp/Electricity/TariffTOURegisterCollection`: the block the
//! device encrypted to the requester is opened with the requester's key; inside, the TOU register
//! matrix object's value is a structure holding the array of the (up to 48) primary-element TOU
//! registers (`TOUPrimaryRegisterValue`, index = rate) and, on a twin-element meter, the array of
//! the (up to 4) secondary-element ones (`TOUSecondRegisterValue`), in Wh.

use gbcs::axdr::Data;
use gbcs::usecases::{Failure, ResponseValue, ecs17d};

use super::reads::{Opened, indexed, integer, open_dlms};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs17d::SPEC,
    service_reference: "4.1",
    service_reference_variant: "4.1.2",
    element: "ReadInstantaneousImportTOUMatricesRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

/// The register arrays and the schema's limits: 48 primary rates, 4 secondary.
const ARRAYS: [(&str, usize); 2] = [
    ("TOUPrimaryRegisterValue", 48),
    ("TOUSecondRegisterValue", 4),
];

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::Protected(block) = v else {
        return Err(MappingError::unexpected(v));
    };
    let data = match open_dlms(ctx, "ECS17d TOU registers", block)? {
        Opened::Ok(d) => d,
        Opened::Rendering(r) => return Ok(r),
    };
    // The protected objects' values (one object: the TOU register matrix).
    let Data::Structure(objects) = &data else {
        return Err(MappingError("the opened block is not a structure".into()));
    };
    let [Data::Structure(arrays)] = &objects[..] else {
        return Err(MappingError(
            "the opened block does not hold the TOU register matrix".into(),
        ));
    };
    if arrays.is_empty() || arrays.len() > ARRAYS.len() {
        return Err(MappingError(format!(
            "{} register arrays, the matrix has 1 or 2",
            arrays.len()
        )));
    }
    let mut x = Xml::new();
    x.open("Electricity", &[]);
    x.open("TariffTOURegisterCollection", &[]);
    for (array, (name, max)) in arrays.iter().zip(ARRAYS) {
        let Data::Array(registers) = array else {
            return Err(MappingError(format!("{name}s are not an array")));
        };
        if registers.len() > max {
            return Err(MappingError(format!(
                "{} {name}s, the schema holds {max}",
                registers.len()
            )));
        }
        for (i, r) in registers.iter().enumerate() {
            let v = integer(r).ok_or_else(|| MappingError(format!("{name} {r:?}")))?;
            indexed(&mut x, name, i + 1, &v.to_string());
        }
    }
    x.close("TariffTOURegisterCollection");
    x.close("Electricity");
    Ok(Rendering::Children(x))
}

/// The element's choice is required: an empty `Electricity`.
fn failure(_: &Failure) -> Xml {
    let mut x = Xml::new();
    x.empty("Electricity", &[]);
    x
}
