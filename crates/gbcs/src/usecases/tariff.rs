//! What the four ESME tariff and price use cases share (DUIS 1.1.1 ECS01a, 1.1.2 ECS01c, 1.2.1
//! ECS01b, 1.2.2 ECS01d): the COSEM shapes of the passive calendar (class 20 attributes 7, 8, 9:
//! seasons, weeks, day profiles), the passive special days (class 11), the block thresholds
//! (class 21) and the passive unit charges (class 113 attribute 6), and the one activation time
//! every one of a command's activation-time objects carries.
//!
//! Evidence: the RTDS 4.5.0 1.1.1, 1.1.2, 1.2.1 and 1.2.2 ESME vectors. Every command of a use case
//! SETs the same objects in the same order; the activation-time attributes all carry the same
//! COSEM date-time (all zero: immediate, all `FF`: cancel, else the instant; see
//! [`Activation`]). Each activation-time object is one "component" of the future-dated outcome
//! alerts (the `8F66` vectors name them in the order of the SETs).

use super::common;
use super::payment_mode::{self, Activation};
use super::{CommandDecodeError, ResponseDecodeError, ResponseOutcome};
use crate::axdr::Data;
use crate::dlms::{CosemDescriptor, RequestSpec};

/// A season of the activity calendar.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Season {
    /// Season profile name.
    pub name: Vec<u8>,
    /// Season start (COSEM date-time, 12 bytes).
    pub start: Vec<u8>,
    /// The week profile name it uses.
    pub week: Vec<u8>,
}

/// A week profile: the day profile of each day, Monday first.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WeekProfile {
    /// Week profile name.
    pub name: Vec<u8>,
    /// Day profile ids, Monday to Sunday.
    pub days: [u8; 7],
}

/// One switching action of a day profile.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DayAction {
    /// Start time (COSEM time, 4 bytes).
    pub start_time: [u8; 4],
    /// The script table run (OBIS; `0-0:10.0.100.255` in every RTDS vector).
    pub script: [u8; 6],
    /// The script selector (the TOU rate switched to).
    pub selector: u16,
}

/// A day profile.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DayProfile {
    /// Day id.
    pub id: u8,
    /// Its switching actions.
    pub actions: Vec<DayAction>,
}

/// A special day.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SpecialDay {
    /// Index.
    pub index: u16,
    /// COSEM date (5 bytes; year `FFFF`: every year).
    pub date: [u8; 5],
    /// The day profile used that day.
    pub day_id: u8,
}

/// A TOU calendar: seasons, weeks, day profiles and special days.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Calendar {
    /// Seasons.
    pub seasons: Vec<Season>,
    /// Week profiles.
    pub weeks: Vec<WeekProfile>,
    /// Day profiles.
    pub days: Vec<DayProfile>,
    /// Special days.
    pub special_days: Vec<SpecialDay>,
}

/// A class 113 unit charge: scaling, the priced register and the price table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnitCharge {
    /// Commodity scale (power of ten).
    pub commodity_scale: i8,
    /// Price scale (power of ten).
    pub price_scale: i8,
    /// The priced register (class, OBIS, attribute; class 0 and zero OBIS: none).
    pub commodity: (u16, [u8; 6], i8),
    /// (index, price): the index is the TOU rate (`01`…`30`), a block (`A1`…`D8`) or empty.
    pub prices: Vec<(Vec<u8>, i16)>,
}

/// Most thresholds per TOU rate (four blocks).
pub const MAX_THRESHOLDS: usize = 3;
/// TOU rates with block thresholds (`0-0:16.1.11..18.255`).
pub const THRESHOLD_RATES: usize = 8;
/// The script table of every day profile action.
pub const TARIFF_SCRIPT: [u8; 6] = [0, 0, 10, 0, 100, 0xFF];

/// Activity calendar, primary element.
pub const OBIS_CALENDAR_PRIMARY: [u8; 6] = [0, 0, 13, 0, 0, 0xFF];
/// Activity calendar, secondary element.
pub const OBIS_CALENDAR_SECONDARY: [u8; 6] = [0, 0, 13, 0, 1, 0xFF];
/// Special days, primary element (as the commands address it).
pub const OBIS_SPECIAL_DAYS_PRIMARY: [u8; 6] = [0, 1, 11, 0, 0, 0xFF];
/// Special days, secondary element (as the commands address it).
pub const OBIS_SPECIAL_DAYS_SECONDARY: [u8; 6] = [0, 1, 11, 0, 1, 0xFF];
/// The price matrix, primary element.
pub const OBIS_PRICES_PRIMARY: [u8; 6] = [0, 0, 19, 20, 0, 0xFF];
/// The price matrix, secondary element.
pub const OBIS_PRICES_SECONDARY: [u8; 6] = [0, 0, 19, 20, 5, 0xFF];
/// The standing charge.
pub const OBIS_STANDING_CHARGE: [u8; 6] = [0, 0, 19, 20, 4, 0xFF];
/// The currency unit / tariff flag (class 9000).
pub const OBIS_CURRENCY: [u8; 6] = [0, 0, 94, 44, 2, 0];
/// Special days activation (class 9000), primary element.
pub const OBIS_SPECIAL_DAYS_ACTIVATION_PRIMARY: [u8; 6] = [0, 0, 94, 44, 128, 29];
/// Special days activation (class 9000), secondary element.
pub const OBIS_SPECIAL_DAYS_ACTIVATION_SECONDARY: [u8; 6] = [0, 0, 94, 44, 128, 30];
/// Threshold matrix activation (class 9000).
pub const OBIS_THRESHOLD_ACTIVATION: [u8; 6] = [0, 0, 63, 1, 1, 0xFF];

/// A calendar's passive seasons (class 20 attribute 7).
pub const fn seasons_passive(obis: [u8; 6]) -> CosemDescriptor {
    CosemDescriptor::new(20, obis, 7)
}
/// A calendar's passive week profiles.
pub const fn weeks_passive(obis: [u8; 6]) -> CosemDescriptor {
    CosemDescriptor::new(20, obis, 8)
}
/// A calendar's passive day profiles.
pub const fn days_passive(obis: [u8; 6]) -> CosemDescriptor {
    CosemDescriptor::new(20, obis, 9)
}
/// A calendar's passive activation time (class 20 attribute 10).
pub const fn calendar_activation(obis: [u8; 6]) -> CosemDescriptor {
    CosemDescriptor::new(20, obis, 10)
}
/// A special days table (class 11 attribute 2).
pub const fn special_days(obis: [u8; 6]) -> CosemDescriptor {
    CosemDescriptor::new(11, obis, 2)
}
/// A charge's passive unit charge (class 113 attribute 6).
pub const fn unit_charge_passive(obis: [u8; 6]) -> CosemDescriptor {
    CosemDescriptor::new(113, obis, 6)
}
/// A charge's unit charge activation time (class 113 attribute 7).
pub const fn unit_charge_activation(obis: [u8; 6]) -> CosemDescriptor {
    CosemDescriptor::new(113, obis, 7)
}
/// A class 9000 activation time (attribute 6).
pub const fn activation_9000(obis: [u8; 6]) -> CosemDescriptor {
    CosemDescriptor::new(9000, obis, 6)
}
/// The block thresholds of TOU rate `rate` (1…8; class 21 attribute 2, `0-0:16.1.(10+rate)`).
pub const fn thresholds(rate: u8) -> CosemDescriptor {
    CosemDescriptor::new(21, [0, 0, 16, 1, 10 + rate, 0xFF], 2)
}

pub(crate) fn set_specs(objects: &[CosemDescriptor]) -> Vec<RequestSpec> {
    objects.iter().copied().map(RequestSpec::Set).collect()
}

/// Seasons as class 20 attribute 3/7 data.
pub fn seasons_data(s: &[Season]) -> Data {
    Data::Array(
        s.iter()
            .map(|s| {
                Data::Structure(vec![
                    Data::OctetString(s.name.clone()),
                    Data::OctetString(s.start.clone()),
                    Data::OctetString(s.week.clone()),
                ])
            })
            .collect(),
    )
}

/// Week profiles as class 20 attribute 4/8 data.
pub fn weeks_data(w: &[WeekProfile]) -> Data {
    Data::Array(
        w.iter()
            .map(|w| {
                let mut m = vec![Data::OctetString(w.name.clone())];
                m.extend(w.days.iter().map(|d| Data::Unsigned(*d)));
                Data::Structure(m)
            })
            .collect(),
    )
}

/// Day profiles as class 20 attribute 5/9 data.
pub fn days_data(d: &[DayProfile]) -> Data {
    Data::Array(
        d.iter()
            .map(|d| {
                Data::Structure(vec![
                    Data::Unsigned(d.id),
                    Data::Array(
                        d.actions
                            .iter()
                            .map(|a| {
                                Data::Structure(vec![
                                    Data::OctetString(a.start_time.to_vec()),
                                    Data::OctetString(a.script.to_vec()),
                                    Data::LongUnsigned(a.selector),
                                ])
                            })
                            .collect(),
                    ),
                ])
            })
            .collect(),
    )
}

/// Special days as class 11 attribute 2 data.
pub fn special_days_data(days: &[SpecialDay]) -> Data {
    Data::Array(
        days.iter()
            .map(|d| {
                Data::Structure(vec![
                    Data::LongUnsigned(d.index),
                    Data::OctetString(d.date.to_vec()),
                    Data::Unsigned(d.day_id),
                ])
            })
            .collect(),
    )
}

/// A unit charge as class 113 attribute 5/6 data.
pub fn unit_charge_data(c: &UnitCharge) -> Data {
    Data::Structure(vec![
        Data::Structure(vec![
            Data::Integer(c.commodity_scale),
            Data::Integer(c.price_scale),
        ]),
        Data::Structure(vec![
            Data::LongUnsigned(c.commodity.0),
            Data::OctetString(c.commodity.1.to_vec()),
            Data::Integer(c.commodity.2),
        ]),
        Data::Array(
            c.prices
                .iter()
                .map(|(i, p)| Data::Structure(vec![Data::OctetString(i.clone()), Data::Long(*p)]))
                .collect(),
        ),
    ])
}

/// Block thresholds as class 21 attribute 2 data.
pub fn thresholds_data(t: &[u32]) -> Data {
    Data::Array(t.iter().map(|v| Data::DoubleLongUnsigned(*v)).collect())
}

/// The activation time data.
pub fn activation_data(a: Activation) -> Data {
    Data::OctetString(a.to_cosem().to_vec())
}

fn array<'a>(
    uc: &'static str,
    d: &'a Data,
    what: &'static str,
) -> Result<&'a [Data], CommandDecodeError> {
    match d {
        Data::Array(v) => Ok(v),
        _ => Err(common::bad(uc, what)),
    }
}

fn octets<const N: usize>(d: &Data) -> Option<[u8; N]> {
    match d {
        Data::OctetString(b) => b.as_slice().try_into().ok(),
        _ => None,
    }
}

/// Seasons from class 20 data.
pub(crate) fn seasons_from(uc: &'static str, d: &Data) -> Result<Vec<Season>, CommandDecodeError> {
    array(uc, d, "seasons are not an array")?
        .iter()
        .map(|s| match s {
            Data::Structure(f) => match &f[..] {
                [
                    Data::OctetString(name),
                    Data::OctetString(start),
                    Data::OctetString(week),
                ] if start.len() == 12 => Ok(Season {
                    name: name.clone(),
                    start: start.clone(),
                    week: week.clone(),
                }),
                _ => Err(common::bad(uc, "season is malformed")),
            },
            _ => Err(common::bad(uc, "season is not a structure")),
        })
        .collect()
}

/// Week profiles from class 20 data.
pub(crate) fn weeks_from(
    uc: &'static str,
    d: &Data,
) -> Result<Vec<WeekProfile>, CommandDecodeError> {
    array(uc, d, "week profiles are not an array")?
        .iter()
        .map(|w| {
            let Data::Structure(f) = w else {
                return Err(common::bad(uc, "week profile is not a structure"));
            };
            let [Data::OctetString(name), rest @ ..] = &f[..] else {
                return Err(common::bad(uc, "week profile has no name"));
            };
            let days: Vec<u8> = rest
                .iter()
                .map(|d| match d {
                    Data::Unsigned(v) => Ok(*v),
                    _ => Err(common::bad(uc, "week day is not an unsigned")),
                })
                .collect::<Result<_, _>>()?;
            let days: [u8; 7] = days
                .try_into()
                .map_err(|_| common::bad(uc, "week profile does not have seven days"))?;
            Ok(WeekProfile {
                name: name.clone(),
                days,
            })
        })
        .collect()
}

/// Day profiles from class 20 data.
pub(crate) fn days_from(uc: &'static str, d: &Data) -> Result<Vec<DayProfile>, CommandDecodeError> {
    array(uc, d, "day profiles are not an array")?
        .iter()
        .map(|p| {
            let Data::Structure(f) = p else {
                return Err(common::bad(uc, "day profile is not a structure"));
            };
            let [Data::Unsigned(id), actions] = &f[..] else {
                return Err(common::bad(uc, "day profile is malformed"));
            };
            let actions = array(uc, actions, "day actions are not an array")?
                .iter()
                .map(|a| match a {
                    Data::Structure(f) => match &f[..] {
                        [start, script, Data::LongUnsigned(selector)] => {
                            match (octets::<4>(start), octets::<6>(script)) {
                                (Some(start_time), Some(script)) => Ok(DayAction {
                                    start_time,
                                    script,
                                    selector: *selector,
                                }),
                                _ => Err(common::bad(uc, "day action is malformed")),
                            }
                        }
                        _ => Err(common::bad(uc, "day action is malformed")),
                    },
                    _ => Err(common::bad(uc, "day action is not a structure")),
                })
                .collect::<Result<_, _>>()?;
            Ok(DayProfile { id: *id, actions })
        })
        .collect()
}

/// Special days from class 11 data.
pub(crate) fn special_days_from(
    uc: &'static str,
    d: &Data,
) -> Result<Vec<SpecialDay>, CommandDecodeError> {
    array(uc, d, "special days are not an array")?
        .iter()
        .map(|s| match s {
            Data::Structure(f) => match &f[..] {
                [Data::LongUnsigned(index), date, Data::Unsigned(day_id)] => octets::<5>(date)
                    .map(|date| SpecialDay {
                        index: *index,
                        date,
                        day_id: *day_id,
                    })
                    .ok_or(common::bad(uc, "special day date is malformed")),
                _ => Err(common::bad(uc, "special day is malformed")),
            },
            _ => Err(common::bad(uc, "special day is not a structure")),
        })
        .collect()
}

/// A unit charge from class 113 data.
pub(crate) fn unit_charge_from(
    uc: &'static str,
    d: &Data,
) -> Result<UnitCharge, CommandDecodeError> {
    let bad = || common::bad(uc, "unit charge is malformed");
    let Data::Structure(f) = d else {
        return Err(bad());
    };
    let [
        Data::Structure(scales),
        Data::Structure(commodity),
        Data::Array(prices),
    ] = &f[..]
    else {
        return Err(bad());
    };
    let [Data::Integer(commodity_scale), Data::Integer(price_scale)] = &scales[..] else {
        return Err(bad());
    };
    let [Data::LongUnsigned(class), obis, Data::Integer(attribute)] = &commodity[..] else {
        return Err(bad());
    };
    let obis = octets::<6>(obis).ok_or_else(bad)?;
    let prices = prices
        .iter()
        .map(|p| match p {
            Data::Structure(f) => match &f[..] {
                [Data::OctetString(i), Data::Long(v)] if i.len() <= 1 => Ok((i.clone(), *v)),
                _ => Err(bad()),
            },
            _ => Err(bad()),
        })
        .collect::<Result<_, _>>()?;
    Ok(UnitCharge {
        commodity_scale: *commodity_scale,
        price_scale: *price_scale,
        commodity: (*class, obis, *attribute),
        prices,
    })
}

/// Block thresholds from class 21 data (one to three).
pub(crate) fn thresholds_from(uc: &'static str, d: &Data) -> Result<Vec<u32>, CommandDecodeError> {
    let v = array(uc, d, "thresholds are not an array")?;
    if v.is_empty() || v.len() > MAX_THRESHOLDS {
        return Err(common::bad(uc, "one to three thresholds per rate expected"));
    }
    v.iter()
        .map(|t| match t {
            Data::DoubleLongUnsigned(x) => Ok(*x),
            _ => Err(common::bad(uc, "threshold is not a double-long-unsigned")),
        })
        .collect()
}

/// The one activation time all the activation-time items carry.
pub(crate) fn activation_from(
    uc: &'static str,
    items: &[Data],
) -> Result<Activation, CommandDecodeError> {
    let mut it = items.iter();
    let first = it
        .next()
        .ok_or(common::bad(uc, "no activation time"))
        .and_then(|d| payment_mode::activation_from(uc, d))?;
    for d in it {
        if payment_mode::activation_from(uc, d)? != first {
            return Err(common::bad(uc, "activation times differ"));
        }
    }
    Ok(first)
}

/// Decodes a tariff use case's response: done, or the DLMS failure.
pub(crate) fn response(content: &[u8], n: usize) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, n)
}

// ---------------------------------------------------------------------------------------------
// DUIS to GBCS: the rules the DCC applies (evidence: the RTDS 4.5.0 1.1/1.2 ESME vectors against
// their DUIS templates).

/// TOU rates of the primary price matrix.
pub const TOU_PRICES: u8 = 48;
/// Block-priced TOU rates of the primary price matrix.
pub const BLOCK_RATES: u8 = 8;
/// Blocks per rate.
pub const BLOCKS: u8 = 4;
/// The register the primary price matrix prices (active import, `1-0:1.8.0.255` attribute 2).
pub const PRIMARY_COMMODITY: (u16, [u8; 6], i8) = (3, [1, 0, 1, 8, 0, 0xFF], 2);
/// The register the secondary price matrix prices (`1-20:1.8.0.255` attribute 2).
pub const SECONDARY_COMMODITY: (u16, [u8; 6], i8) = (3, [1, 20, 1, 8, 0, 0xFF], 2);
/// The commodity scale of both price matrices (kWh prices of a Wh register).
pub const COMMODITY_SCALE: i8 = 3;

/// The script selector of a `TOUTariffAction` (the rate itself, 1…48).
pub const fn tou_selector(rate: u8) -> u16 {
    rate as u16
}

/// The script selector of a secondary element `TOUTariffAction` (200 + the rate, 201…204).
pub const fn secondary_selector(rate: u8) -> u16 {
    200 + rate as u16
}

/// The script selector of a `BlockTariffAction` (100 + the block rate, 101…108).
pub const fn block_selector(rate: u8) -> u16 {
    100 + rate as u16
}

/// A COSEM date: year (`None`: `FFFF`), month (`None`: `FF`), day of month (`FF` any, `FE` last,
/// `FD` second last), day of week (`None`: `FF`).
pub fn cosem_date(year: Option<u16>, month: Option<u8>, day: u8, weekday: Option<u8>) -> [u8; 5] {
    let y = year.unwrap_or(0xFFFF).to_be_bytes();
    [
        y[0],
        y[1],
        month.unwrap_or(0xFF),
        day,
        weekday.unwrap_or(0xFF),
    ]
}

/// A season start: the date at midnight, deviation unspecified (`8000`), status `FF`.
pub fn season_start(date: [u8; 5]) -> Vec<u8> {
    let mut v = date.to_vec();
    v.extend_from_slice(&[0, 0, 0, 0, 0x80, 0x00, 0xFF]);
    v
}

/// The standing charge unit charge: one price, no index, no register.
pub fn standing_charge(value: i16, scale: i8) -> UnitCharge {
    UnitCharge {
        commodity_scale: 0,
        price_scale: scale,
        commodity: (0, [0; 6], 0),
        prices: vec![(Vec::new(), value)],
    }
}

/// The primary price matrix: the 48 TOU prices (index `01`…`30`) then the block prices of the
/// 8 rates × 4 blocks (index `A1`…`A8`, `B1`…, `D8`: the letter the block, the digit the rate);
/// what the request does not give is 0. `None` for an index out of range.
pub fn primary_price_matrix(
    price_scale: i8,
    tou: &[(u8, i16)],
    blocks: &[(u8, Vec<(u8, i16)>)],
) -> Option<UnitCharge> {
    let mut prices: Vec<(Vec<u8>, i16)> = (1..=TOU_PRICES).map(|i| (vec![i], 0)).collect();
    for block in 1..=BLOCKS {
        for rate in 1..=BLOCK_RATES {
            prices.push((vec![0x90 + 0x10 * block + rate], 0));
        }
    }
    for (i, p) in tou {
        if !(1..=TOU_PRICES).contains(i) {
            return None;
        }
        prices[usize::from(*i - 1)].1 = *p;
    }
    for (rate, cells) in blocks {
        for (block, p) in cells {
            if !(1..=BLOCK_RATES).contains(rate) || !(1..=BLOCKS).contains(block) {
                return None;
            }
            let k = usize::from(TOU_PRICES)
                + usize::from(block - 1) * usize::from(BLOCK_RATES)
                + usize::from(rate - 1);
            prices[k].1 = *p;
        }
    }
    Some(UnitCharge {
        commodity_scale: COMMODITY_SCALE,
        price_scale,
        commodity: PRIMARY_COMMODITY,
        prices,
    })
}

/// The secondary price matrix: the four TOU prices (index `01`…`04`; not given: 0). `None` for
/// an index out of range.
pub fn secondary_price_matrix(price_scale: i8, tou: &[(u8, i16)]) -> Option<UnitCharge> {
    let mut prices: Vec<(Vec<u8>, i16)> = (1..=4u8).map(|i| (vec![i], 0)).collect();
    for (i, p) in tou {
        if !(1..=4).contains(i) {
            return None;
        }
        prices[usize::from(*i - 1)].1 = *p;
    }
    Some(UnitCharge {
        commodity_scale: COMMODITY_SCALE,
        price_scale,
        commodity: SECONDARY_COMMODITY,
        prices,
    })
}
