//! ECS17b read ESME import energy registers (a protected read) →
//! `ReadInstantaneousImportRegistersRsp/Electricity`: the block the device encrypted to the
//! requester is opened with the requester's key; inside, each register is a value followed by
//! its `{scaler, unit}` (unit 30 Wh → `ActiveImportRegister`, 32 varh →
//! `ReactiveImportRegister`; a twin element's second Wh register → `SecondaryActiveImportRegister`).

use gbcs::axdr::Data;
use gbcs::usecases::{ResponseValue, ecs17b};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs17b::SPEC,
    service_reference: "4.1",
    service_reference_variant: "4.1.1",
    element: "ReadInstantaneousImportRegistersRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::Protected(block) = v else {
        return Err(MappingError::unexpected(v));
    };
    let plain = match ctx.open(block) {
        Ok(p) => p,
        Err(reason) => return Ok(ctx.sealed("ECS17b import registers", "dlms", block, reason)),
    };
    let data = Data::decode(&plain)
        .map_err(|e| MappingError(format!("the opened registers are not A-XDR: {e}")))?;
    let mut registers = Vec::new();
    collect(&data, &mut registers);
    if registers.is_empty() {
        return Err(MappingError("no register with a scaler and unit".into()));
    }
    let mut active = None;
    let mut reactive = None;
    let mut secondary = None;
    for (value, scaler, unit) in registers {
        let v = scaled(value, scaler)?;
        match unit {
            30 if active.is_none() => active = Some(v),
            30 if secondary.is_none() => secondary = Some(v),
            32 if reactive.is_none() => reactive = Some(v),
            _ => {}
        }
    }
    let mut x = Xml::new();
    x.open("Electricity", &[]);
    if let Some(v) = active {
        x.open("ActiveImportRegister", &[]);
        x.leaf("Value", &v.to_string());
        x.leaf("ActiveEnergyUnit", "Wh");
        x.close("ActiveImportRegister");
    }
    if let Some(v) = reactive {
        x.open("ReactiveImportRegister", &[]);
        x.leaf("Value", &v.to_string());
        x.leaf("ReactiveEnergyUnit", "varh");
        x.close("ReactiveImportRegister");
    }
    if let Some(v) = secondary {
        x.open("SecondaryActiveImportRegister", &[]);
        x.leaf("Value", &v.to_string());
        x.leaf("ActiveEnergyUnit", "Wh");
        x.close("SecondaryActiveImportRegister");
    }
    x.close("Electricity");
    Ok(Rendering::Children(x))
}

fn integer(d: &Data) -> Option<i128> {
    Some(match d {
        Data::DoubleLongUnsigned(v) => i128::from(*v),
        Data::DoubleLong(v) => i128::from(*v),
        Data::Integer(v) => i128::from(*v),
        Data::Long(v) => i128::from(*v),
        Data::LongUnsigned(v) => i128::from(*v),
        Data::Unsigned(v) => i128::from(*v),
        Data::Long64(v) => i128::from(*v),
        Data::Long64Unsigned(v) => i128::from(*v),
        _ => return None,
    })
}

/// Every `value, {scaler, unit}` pair, in order, at any depth.
fn collect(d: &Data, out: &mut Vec<(i128, i8, u8)>) {
    let (Data::Structure(items) | Data::Array(items)) = d else {
        return;
    };
    let mut i = 0;
    while i < items.len() {
        if let (Some(v), Some(Data::Structure(su))) =
            (items.get(i).and_then(integer), items.get(i + 1))
            && let [Data::Integer(scaler), Data::Enum(unit)] = &su[..]
        {
            out.push((v, *scaler, *unit));
            i += 2;
            continue;
        }
        if let Some(inner) = items.get(i) {
            collect(inner, out);
        }
        i += 1;
    }
}

fn scaled(value: i128, scaler: i8) -> Result<i128, MappingError> {
    let p = 10i128
        .checked_pow(u32::from(scaler.unsigned_abs()))
        .ok_or_else(|| MappingError(format!("scaler {scaler} out of range")))?;
    if scaler >= 0 {
        value
            .checked_mul(p)
            .ok_or_else(|| MappingError("register value overflows".into()))
    } else if value % p == 0 {
        Ok(value / p)
    } else {
        Err(MappingError(format!(
            "register {value} with scaler {scaler} is not a whole number of Wh/varh"
        )))
    }
}

/// The element's choice is required: an empty `Electricity`.
fn failure(_: &gbcs::usecases::Failure) -> Xml {
    let mut x = Xml::new();
    x.empty("Electricity", &[]);
    x
}
