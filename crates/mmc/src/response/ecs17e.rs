//! ECS17e read ESME TOU-with-blocks registers (a protected read) →
//! `ReadInstantaneousImportTOUWithBlocksMatricesRsp/TariffBlockTOURegisterCollection`: the block
//! the device encrypted to the requester is opened with the requester's key; inside, the matrix
//! object's value is a structure holding the array of the registers, 8 block slots per TOU rate,
//! rate-major (as the RTDS response and the emulated ESME lay it out; Wh). Each of the schema's
//! 4 `TariffBlock`s (index = block) lists its `RegisterMatrixTOUValue` per rate (index = rate,
//! at most 8); slots 5–8 of a rate are beyond the schema's 4 blocks and not rendered.

use gbcs::axdr::Data;
use gbcs::usecases::{ResponseValue, ecs17e};

use super::reads::{Opened, indexed, integer, nothing, open_dlms};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs17e::SPEC,
    service_reference: "4.1",
    service_reference_variant: "4.1.3",
    element: "ReadInstantaneousImportTOUWithBlocksMatricesRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

/// Block slots per rate in the matrix.
const SLOTS: usize = 8;
/// The schema's limits: 4 blocks, 8 rates.
const BLOCKS: usize = 4;
const RATES: usize = 8;

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::Protected(block) = v else {
        return Err(MappingError::unexpected(v));
    };
    let data = match open_dlms(ctx, "ECS17e TOU block registers", block)? {
        Opened::Ok(d) => d,
        Opened::Rendering(r) => return Ok(r),
    };
    let Data::Structure(objects) = &data else {
        return Err(MappingError("the opened block is not a structure".into()));
    };
    let [Data::Structure(matrix)] = &objects[..] else {
        return Err(MappingError(
            "the opened block does not hold the TOU block register matrix".into(),
        ));
    };
    let [Data::Array(registers)] = &matrix[..] else {
        return Err(MappingError(
            "the matrix is not one array of registers".into(),
        ));
    };
    if registers.len() % SLOTS != 0 || registers.len() > SLOTS * RATES {
        return Err(MappingError(format!(
            "{} registers: not {SLOTS} block slots for each of at most {RATES} rates",
            registers.len()
        )));
    }
    let values = registers
        .iter()
        .map(|r| integer(r).ok_or_else(|| MappingError(format!("register {r:?}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let rates = values.len() / SLOTS;
    let mut x = Xml::new();
    x.open("TariffBlockTOURegisterCollection", &[]);
    if rates > 0 {
        for b in 0..BLOCKS {
            x.open("TariffBlock", &[("index", &(b + 1).to_string())]);
            for r in 0..rates {
                let v = values.get(r * SLOTS + b).copied().unwrap_or(0);
                indexed(&mut x, "RegisterMatrixTOUValue", r + 1, &v.to_string());
            }
            x.close("TariffBlock");
        }
    }
    x.close("TariffBlockTOURegisterCollection");
    Ok(Rendering::Children(x))
}
