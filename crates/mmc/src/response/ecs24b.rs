//! ECS24b read ESME tariff (secondary element) → `ReadTariffSecondaryElementRsp`: the secondary
//! element's active tariff price (request 1: `3, 0-0:94.44.1.8, 2`) as
//! `SecondaryActiveTariffPrice`, its price unit charge (request 0: `113, 0-0:19.20.5.255, 5`)'s
//! price scale as `PriceScale` and charges at indexes 1–4 as `TariffTOUPriceMatrix`. Not rendered
//! (optional in the schema): the switching table and its special days.

use gbcs::usecases::{ResponseValue, ecs24b};

use super::ecs24::{short, unsigned};
use super::reads::{UnitCharge, indexed, nothing};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs24b::SPEC,
    service_reference: "4.11",
    service_reference_variant: "4.11.2",
    element: "ReadTariffSecondaryElementRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    if values.len() != ecs24b::ITEMS.len() {
        return Err(MappingError(format!(
            "{} values, ECS24b reads {}",
            values.len(),
            ecs24b::ITEMS.len()
        )));
    }
    let prices = UnitCharge::of(&values[0])?;
    let active = unsigned(&values[1], "active tariff price")?;
    let mut x = Xml::new();
    x.leaf("SecondaryActiveTariffPrice", &active.to_string());
    x.leaf("PriceScale", &prices.price_scale.to_string());
    x.open("TariffTOUPriceMatrix", &[]);
    for rate in 1..=4u8 {
        if let Some(c) = prices.at(rate) {
            indexed(
                &mut x,
                "TariffTOUPrice",
                usize::from(rate),
                &short(c)?.to_string(),
            );
        }
    }
    x.close("TariffTOUPriceMatrix");
    Ok(Rendering::Children(x))
}
