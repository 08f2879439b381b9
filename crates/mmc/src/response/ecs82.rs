//! ECS82 read ESME meter balance → `ReadMeterBalanceRsp/MeterBalance`: the account's meter
//! balance (class 112 `0.0.19.10.0.255` attribute 2, a double-long in the meter's currency
//! unit), as it is.

use gbcs::usecases::{ResponseValue, ecs82};

use super::reads::{integer, nothing};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs82::SPEC,
    service_reference: "4.18",
    service_reference_variant: "4.18",
    element: "ReadMeterBalanceRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    let [balance] = &values[..] else {
        return Err(MappingError(format!(
            "{} values, ECS82 reads 1",
            values.len()
        )));
    };
    let balance = integer(balance)
        .ok_or_else(|| MappingError(format!("meter balance {balance:?} is not an integer")))?;
    let mut x = Xml::new();
    x.leaf("MeterBalance", &balance.to_string());
    Ok(Rendering::Children(x))
}
