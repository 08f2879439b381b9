//! ECS24 read ESME tariff (primary element) → `ReadTariffPrimaryElementRsp/Electricity`:
//!
//! | element | value (request index: object) |
//! |---|---|
//! | `PrimaryActiveTariffPrice` | 0: `3, 0-0:94.44.1.7, 2` (the price in force) |
//! | `StandingCharge`, `StandingChargeScale` | 15: `113, 0-0:19.20.4.255, 5` (its charge and price scale) |
//! | `PriceScale` | 16: `113, 0-0:19.20.0.255, 5` (the price unit charge's price scale) |
//! | `TariffBlockPriceMatrix` | 16: charge indexes `0xA1`–`0xD8` (block 1–4 in the high nibble `A`–`D`, TOU rate 1–8 in the low): `TariffBlockPrices` per rate, `BlockPrice` per block |
//! | `TariffTOUPriceMatrix` | 16: charge indexes 1–48 (`TariffTOUPrice` per rate) |
//! | `TariffSwitchingTable` | 2–4: `20, 0-0:13.0.0.255, 3–5` (seasons, week and day profiles, see [`super::tariff_common`]) |
//! | `TariffSwitchingTableSpecialDays` | 5: `11, 0-0:11.0.0.255, 2` |
//! | `TariffThresholdMatrix` | 6–13: `21, 0-0:16.0.11–18.255, 2` (the block thresholds of TOU rates 1–8) |
//!
//! Not rendered (optional in the schema): the currency labels (not read by ECS24).

use gbcs::axdr::Data;
use gbcs::usecases::{Failure, ResponseValue, ecs24};

use super::reads::{UnitCharge, indexed, integer};
use super::tariff_common::{Element, special_days, switching_table};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs24::SPEC,
    service_reference: "4.11",
    service_reference_variant: "4.11.1",
    element: "ReadTariffPrimaryElementRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    if values.len() != ecs24::ITEMS.len() {
        return Err(MappingError(format!(
            "{} values, ECS24 reads {}",
            values.len(),
            ecs24::ITEMS.len()
        )));
    }
    let active = unsigned(&values[0], "active tariff price")?;
    let standing = UnitCharge::of(&values[15])?;
    let prices = UnitCharge::of(&values[16])?;
    let mut x = Xml::new();
    x.open("Electricity", &[]);
    x.leaf("PrimaryActiveTariffPrice", &active.to_string());
    if let Some((_, c)) = standing.table.first() {
        x.leaf("StandingCharge", &short(*c)?.to_string());
        x.leaf("StandingChargeScale", &standing.price_scale.to_string());
    }
    x.leaf("PriceScale", &prices.price_scale.to_string());
    x.open("TariffBlockPriceMatrix", &[]);
    for rate in 1..=8u8 {
        let blocks: Vec<(usize, i128)> = (0..4u8)
            .filter_map(|b| {
                prices
                    .at(0xA0 + 0x10 * b + rate)
                    .map(|c| (usize::from(b) + 1, c))
            })
            .collect();
        if blocks.is_empty() {
            continue;
        }
        x.open("TariffBlockPrices", &[("index", &rate.to_string())]);
        for (b, c) in blocks {
            indexed(&mut x, "BlockPrice", b, &short(c)?.to_string());
        }
        x.close("TariffBlockPrices");
    }
    x.close("TariffBlockPriceMatrix");
    x.open("TariffTOUPriceMatrix", &[]);
    for rate in 1..=48u8 {
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
    switching_table(&mut x, &values[2], &values[3], &values[4], Element::Primary)?;
    special_days(&mut x, &values[5])?;
    x.open("TariffThresholdMatrix", &[]);
    for (i, monitor) in values[6..14].iter().enumerate() {
        let Data::Array(thresholds) = monitor else {
            return Err(MappingError(format!("thresholds {monitor:?}")));
        };
        if thresholds.len() > 3 {
            return Err(MappingError(format!(
                "{} block thresholds, the schema holds 3",
                thresholds.len()
            )));
        }
        x.open("ElecTariffThresholds", &[("index", &(i + 1).to_string())]);
        for (j, t) in thresholds.iter().enumerate() {
            indexed(
                &mut x,
                "BlockThreshold",
                j + 1,
                &unsigned(t, "block threshold")?.to_string(),
            );
        }
        x.close("ElecTariffThresholds");
    }
    x.close("TariffThresholdMatrix");
    x.close("Electricity");
    Ok(Rendering::Children(x))
}

/// An `xs:unsignedInt` value.
pub(crate) fn unsigned(d: &Data, what: &str) -> Result<u32, MappingError> {
    integer(d)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| MappingError(format!("{what} {d:?} is not an unsigned 32-bit integer")))
}

/// A `PriceType` (`xs:short`) value.
pub(crate) fn short(v: i128) -> Result<i16, MappingError> {
    i16::try_from(v).map_err(|_| MappingError(format!("price {v} is out of the schema's range")))
}

/// The element's choice is required: an empty `Electricity`.
fn failure(_: &Failure) -> Xml {
    let mut x = Xml::new();
    x.empty("Electricity", &[]);
    x
}
