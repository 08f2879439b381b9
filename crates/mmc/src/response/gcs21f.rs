//! GCS21f read GSME tariff → `ReadTariffPrimaryElementRsp/Gas`, from the Price cluster's Read
//! Attributes Response and Publish Price (ZSE):
//!
//! | element | source |
//! |---|---|
//! | `PrimaryActiveTariffPrice`, `PrimaryActiveTariffPriceScale` | Publish Price: price, and minus the price trailing digit |
//! | `CurrencyUnitsLabel` | `0x0616` currency (826: `GBP`) |
//! | `StandingCharge` | `0x0301` |
//! | `TariffThresholds/BlockThreshold` 1–3 | `0x0100`–`0x0102` × threshold multiplier `0x0202` ÷ divisor `0x0203` |
//! | `TOUTariff/TariffTOUPrice` 1–4 | `0x0410`, `0x0420`, `0x0430`, `0x0440` (tier 1–4 block 1 price) |
//! | `BlockTariff/BlockPrice` 1–4 | `0x0400`–`0x0403` (no-tier block 1–4 price) |
//! | `TariffSwitchingTable`, `TariffSwitchingTableSpecialDays` | the Calendar cluster's day and week profiles, seasons and special days ([`super::gas_calendar`]; a day's tier 1–4 is its `TOUTariffAction`, else `BlockTariff`) |
//!
//! A calendar or price the GSME does not hold (NOT_FOUND) is the device's failure.

use gbcs::gbz::GbzBody;
use gbcs::usecases::{Failure, ResponseValue, gcs21f};

use super::gas_calendar::{Calendar, tariff};
use super::gcs21b::read_attributes;
use super::reads::{attr, decimal, indexed};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs21f::SPEC,
    service_reference: "4.11",
    service_reference_variant: "4.11.1",
    element: "ReadTariffPrimaryElementRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

/// ZCL Price command Publish Price (server to client).
const PUBLISH_PRICE: u8 = 0x00;

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::Components(components) = v else {
        return Err(MappingError::unexpected(v));
    };
    let records = read_attributes(components, gcs21f::CLUSTER_PRICE)?;
    let price = components
        .iter()
        .filter(|c| c.cluster == gcs21f::CLUSTER_PRICE)
        .find_map(|c| match &c.body {
            GbzBody::Plain { zcl, .. }
                if zcl.frame_control & 0x03 == 0x01 && zcl.command == PUBLISH_PRICE =>
            {
                Some(publish_price(&zcl.payload))
            }
            _ => None,
        })
        .transpose()?;
    let u32_of = |id: u16| attr(&records, id).and_then(|v| u32::try_from(v).ok());
    let mut x = Xml::new();
    x.open("Gas", &[]);
    if let Some((price, trailing)) = price {
        x.leaf("PrimaryActiveTariffPrice", &price.to_string());
        x.leaf(
            "PrimaryActiveTariffPriceScale",
            &(-i16::from(trailing)).to_string(),
        );
    }
    if attr(&records, 0x0616) == Some(826) {
        x.leaf("CurrencyUnitsLabel", "GBP");
    }
    if let Some(s) = u32_of(0x0301) {
        x.leaf("StandingCharge", &s.to_string());
    }
    tariff(&mut x, &Calendar::of(components)?)?;
    let multiplier = attr(&records, 0x0202).filter(|m| *m != 0).unwrap_or(1);
    let divisor = attr(&records, 0x0203).filter(|d| *d != 0).unwrap_or(1);
    x.open("TariffThresholds", &[]);
    for (i, id) in [0x0100, 0x0101, 0x0102].into_iter().enumerate() {
        if let Some(t) = attr(&records, id) {
            indexed(
                &mut x,
                "BlockThreshold",
                i + 1,
                &decimal(t.saturating_mul(multiplier), divisor),
            );
        }
    }
    x.close("TariffThresholds");
    for (element, child, ids) in [
        (
            "TOUTariff",
            "TariffTOUPrice",
            [0x0410, 0x0420, 0x0430, 0x0440],
        ),
        (
            "BlockTariff",
            "BlockPrice",
            [0x0400, 0x0401, 0x0402, 0x0403],
        ),
    ] {
        x.open(element, &[]);
        for (i, id) in ids.into_iter().enumerate() {
            if let Some(p) = u32_of(id) {
                indexed(&mut x, child, i + 1, &p.to_string());
            }
        }
        x.close(element);
    }
    x.close("Gas");
    Ok(Rendering::Children(x))
}

/// A Publish Price payload's price and price trailing digit.
fn publish_price(p: &[u8]) -> Result<(u32, u8), MappingError> {
    let bad = || MappingError("malformed Publish Price".into());
    // Provider id (4), rate label (length-prefixed), issuer event id (4), current time (4),
    // unit of measure (1), currency (2), trailing digit and tier (1), tiers (1), start time (4),
    // duration (2), price (4).
    let label = usize::from(*p.get(4).ok_or_else(bad)?);
    let rest = p.get(5 + label..).ok_or_else(bad)?;
    let trailing = rest.get(11).ok_or_else(bad)? >> 4;
    let price = rest.get(19..23).ok_or_else(bad)?;
    let price = u32::from_le_bytes(price.try_into().map_err(|_| bad())?);
    Ok((price, trailing))
}

/// The element's choice is required: an empty `Gas`.
fn failure(_: &Failure) -> Xml {
    let mut x = Xml::new();
    x.empty("Gas", &[]);
    x
}
