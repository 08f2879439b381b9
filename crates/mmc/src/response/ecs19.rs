//! ECS19 read ESME prepayment registers (a protected read) →
//! `ReadInstantaneousPrepayValuesRsp`: the block the device encrypted to the requester is
//! opened with the requester's key; inside, the prepayment object's value is a structure of
//! six amounts (double-long, in the meter's currency unit: 10⁻⁵ GBP on the RTDS meter and the
//! emulated ESME), as they lay it out: the meter balance (credit remaining), emergency credit
//! balance, accumulated debt register, time debt registers 1 and 2, payment debt register. The
//! schema's elements take them as they are (`xs:integer`).

use gbcs::axdr::Data;
use gbcs::usecases::{ResponseValue, ecs19};

use super::reads::{Opened, integer, nothing, open_dlms};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs19::SPEC,
    service_reference: "4.3",
    service_reference_variant: "4.3",
    element: "ReadInstantaneousPrepayValuesRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::Protected(block) = v else {
        return Err(MappingError::unexpected(v));
    };
    let data = match open_dlms(ctx, "ECS19 prepayment registers", block)? {
        Opened::Ok(d) => d,
        Opened::Rendering(r) => return Ok(r),
    };
    let Data::Structure(objects) = &data else {
        return Err(MappingError("the opened block is not a structure".into()));
    };
    let [Data::Structure(amounts)] = &objects[..] else {
        return Err(MappingError(
            "the opened block does not hold the prepayment registers".into(),
        ));
    };
    let amounts = amounts
        .iter()
        .map(|a| integer(a).ok_or_else(|| MappingError(format!("amount {a:?}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let [balance, emergency, accumulated, time1, time2, payment] = amounts[..] else {
        return Err(MappingError(format!(
            "{} prepayment amounts, ECS19 has 6",
            amounts.len()
        )));
    };
    Ok(Rendering::Children(prepay_values(&PrepayValues {
        emergency_credit: Some(emergency),
        accumulated_debt: Some(accumulated),
        payment_debt: Some(payment),
        time_debt: [Some(time1), Some(time2)],
        meter_balance: Some(balance),
    })))
}

/// The values of `ReadInstantaneousPrepayValuesRsp` (ECS19, GCS14).
pub(crate) struct PrepayValues {
    pub emergency_credit: Option<i128>,
    pub accumulated_debt: Option<i128>,
    pub payment_debt: Option<i128>,
    pub time_debt: [Option<i128>; 2],
    pub meter_balance: Option<i128>,
}

/// The element's children, in the schema's order.
pub(crate) fn prepay_values(p: &PrepayValues) -> Xml {
    let mut x = Xml::new();
    for (name, v) in [
        ("EmergencyCreditBalance", p.emergency_credit),
        ("AccumulatedDebtRegister", p.accumulated_debt),
        ("PaymentDebtRegister", p.payment_debt),
        ("TimeDebtRegister1", p.time_debt[0]),
        ("TimeDebtRegister2", p.time_debt[1]),
        ("MeterBalance", p.meter_balance),
    ] {
        if let Some(v) = v {
            x.leaf(name, &v.to_string());
        }
    }
    x
}
