//! ECS24b read ESME tariff (secondary element) → `ReadTariffSecondaryElementRsp`: the secondary
//! element's active tariff price (request 1: `3, 0-0:94.44.1.8, 2`) as
//! `SecondaryActiveTariffPrice`, its price unit charge (request 0: `113, 0-0:19.20.5.255, 5`)'s
//! price scale as `PriceScale` and charges at indexes 1–4 as `TariffTOUPriceMatrix`, and its
//! activity calendar (requests 4–6: `20, 0-0:13.0.1.255, 3–5`) and special days (request 3:
//! `11, 0-0:11.0.1.255, 2`) as `TariffSwitchingTable` and `TariffSwitchingTableSpecialDays`.

use gbcs::usecases::{ResponseValue, ecs24b};

use super::ecs24::{short, unsigned};
use super::reads::{UnitCharge, indexed, nothing};
use super::tariff_common::{Element, special_days, switching_table};
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
    switching_table(
        &mut x,
        &values[4],
        &values[5],
        &values[6],
        Element::Secondary,
    )?;
    special_days(&mut x, &values[3])?;
    Ok(Rendering::Children(x))
}
