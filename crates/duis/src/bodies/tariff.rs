//! 1.1 Update Import Tariff and 1.2 Update Price, electricity (`sr:UpdateImportTariffPrimaryElement`,
//! `sr:UpdateImportTariffSecondaryElement`, `sr:UpdatePricePrimaryElement`,
//! `sr:UpdatePriceSecondaryElement`; DUIS 5.4 `TariffPrimaryElement`, `TariffSecondaryElement`,
//! `UpdatePricePrimaryElement`, `UpdatePriceSecondaryElement`): an optional `ExecutionDateTime`,
//! then the switching table (day profiles, week profiles, seasons), the special days, the block
//! thresholds and the prices, with the XSD's occurrence and value facets checked here. The gas
//! price form of 1.2.1 (`GasPriceElements`) is parsed by [`UpdatePricePrimaryGas`]; the gas
//! tariff form of 1.1.1 (`GasTariffElements` with `GasPriceElements`) by
//! [`UpdateImportTariffPrimaryGas`].

use super::{BodyError, Seq, execution_date_time, expect, simple};
use crate::types::InvalidValue;
use crate::xml::{Element, is_xml_space};

/// A DUIS `sr:Date` (year, month, day of month, day of week; `None`: not specified).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TariffDate {
    /// `SpecifiedYear` (2014…9999).
    pub year: Option<u16>,
    /// `SpecifiedMonth` (1…12).
    pub month: Option<u8>,
    /// The day of the month.
    pub day_of_month: DayOfMonth,
    /// `SpecifiedDayOfWeek` (1 Monday … 7 Sunday).
    pub day_of_week: Option<u8>,
}

/// A DUIS `sr:DayOfMonth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOfMonth {
    /// `SpecifiedDayOfMonth` (1…31).
    Day(u8),
    /// `LastDayOfMonth`.
    Last,
    /// `SecondLastDayOfMonth`.
    SecondLast,
    /// `NonSpecifiedDayOfMonth`.
    Any,
}

/// What a switching time switches to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TariffAction {
    /// `TOUTariffAction` (1…48 primary, 1…4 secondary).
    Tou(u8),
    /// `BlockTariffAction` (1…8).
    Block(u8),
}

/// One `ProfileSchedule`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileSchedule {
    /// `StartTime` in UTC: hour, minute, second, hundredths.
    pub start: [u8; 4],
    /// The action.
    pub action: TariffAction,
}

/// One `DayProfile`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayProfile {
    /// `DayName` (1…16).
    pub name: u8,
    /// Its schedule (1…48).
    pub schedule: Vec<ProfileSchedule>,
}

/// One `WeekProfile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekProfile {
    /// `WeekName` (1…4).
    pub name: u8,
    /// The day profile of each day, Monday first.
    pub days: [u8; 7],
}

/// One `Season`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Season {
    /// `SeasonName` (at most 8 characters).
    pub name: String,
    /// `SeasonStartDate`.
    pub start: TariffDate,
    /// `ReferencedWeekName`.
    pub week: u8,
}

/// A `SwitchingTable`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwitchingTable {
    /// Day profiles (1…16).
    pub days: Vec<DayProfile>,
    /// Week profiles (1…4).
    pub weeks: Vec<WeekProfile>,
    /// Seasons (1…4).
    pub seasons: Vec<Season>,
}

/// One `SpecialDay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialDay {
    /// `Date`.
    pub date: TariffDate,
    /// `ReferencedDayName`.
    pub day: u8,
}

/// One `BlockPrices`: the rate index (1…8) and its (block index 1…4, price) pairs.
pub type BlockPrices = (u8, Vec<(u8, i16)>);

/// The primary element's price elements (`ElecPriceElementsPrimary`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElecPrices {
    /// `StandingCharge` (xs:short).
    pub standing_charge: i16,
    /// `StandingChargeScale`.
    pub standing_charge_scale: i8,
    /// `PriceScale`.
    pub price_scale: i8,
    /// `TOUPrice`s (index 1…48, price), of a TOU or hybrid tariff.
    pub tou: Vec<(u8, i16)>,
    /// `BlockPrices` (index 1…8) with their `BlockPrice`s (index 1…4, price), of a block or
    /// hybrid tariff.
    pub blocks: Vec<BlockPrices>,
}

/// `UpdateImportTariffPrimaryElement` with `ElecTariffElements`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateImportTariffPrimary {
    /// `ExecutionDateTime`, as written.
    pub execution_date_time: Option<String>,
    /// `CurrencyUnits` is GBP (`false`: ECB).
    pub currency_gbp: bool,
    /// The switching table.
    pub switching: SwitchingTable,
    /// Special days (0…50).
    pub special_days: Vec<SpecialDay>,
    /// `ThresholdMatrix`: the thresholds (1…3) of each of the 8 rates, by index.
    pub thresholds: [Vec<u32>; 8],
    /// The prices.
    pub prices: ElecPrices,
}

/// `UpdatePricePrimaryElement` with `ElectricityPriceElements`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdatePricePrimary {
    /// `ExecutionDateTime`, as written.
    pub execution_date_time: Option<String>,
    /// The prices.
    pub prices: ElecPrices,
}

/// The secondary element's prices (`PriceSecondary`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondaryPrices {
    /// `PriceScale`.
    pub price_scale: i8,
    /// `ElectricityPriceElement`s (index 1…4, price).
    pub prices: Vec<(u8, i16)>,
}

/// `UpdateImportTariffSecondaryElement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateImportTariffSecondary {
    /// `ExecutionDateTime`, as written.
    pub execution_date_time: Option<String>,
    /// The switching table (TOU actions 1…4).
    pub switching: SwitchingTable,
    /// Special days (0…50).
    pub special_days: Vec<SpecialDay>,
    /// The prices.
    pub prices: SecondaryPrices,
}

/// `UpdatePriceSecondaryElement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdatePriceSecondary {
    /// `ExecutionDateTime`, as written.
    pub execution_date_time: Option<String>,
    /// The prices.
    pub prices: SecondaryPrices,
}

/// An xs:integer's lexical form (optional sign, decimal digits) within i64.
fn parse_integer(t: &str) -> Option<i64> {
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = digits.parse().ok()?;
    Some(if neg { -v } else { v })
}

pub(super) fn int(e: &Element, kind: &'static str, lo: i64, hi: i64) -> Result<i64, BodyError> {
    let t = simple(e, kind)?.trim_matches(is_xml_space);
    parse_integer(t)
        .filter(|v| (lo..=hi).contains(v))
        .ok_or_else(|| InvalidValue::new(kind, t).into())
}

pub(super) fn small(e: &Element, kind: &'static str, lo: u8, hi: u8) -> Result<u8, BodyError> {
    int(e, kind, i64::from(lo), i64::from(hi)).map(|v| u8::try_from(v).unwrap_or(hi))
}

fn scale(e: &Element, kind: &'static str) -> Result<i8, BodyError> {
    int(e, kind, -128, 127).map(|v| i8::try_from(v).unwrap_or(0))
}

fn price(e: &Element, kind: &'static str) -> Result<i16, BodyError> {
    int(e, kind, i64::from(i16::MIN), i64::from(i16::MAX)).map(|v| i16::try_from(v).unwrap_or(0))
}

/// The `index` attribute, in `lo..=hi`.
pub(super) fn index(e: &Element, kind: &'static str, hi: u8) -> Result<u8, BodyError> {
    let t = e.attr("index").unwrap_or("");
    parse_integer(t.trim_matches(is_xml_space))
        .filter(|v| (1..=i64::from(hi)).contains(v))
        .and_then(|v| u8::try_from(v).ok())
        .ok_or_else(|| InvalidValue::new(kind, t).into())
}

pub(super) fn empty(e: &Element, kind: &'static str) -> Result<(), BodyError> {
    Seq::new(e, kind).finish()?;
    if e.trimmed_text().is_empty() {
        Ok(())
    } else {
        Err(InvalidValue::new(kind, &e.text).into())
    }
}

/// `min..=max` children named `name`, in a row.
pub(super) fn many<'a>(
    s: &mut Seq<'a>,
    name: &'static str,
    min: usize,
    max: usize,
) -> Result<Vec<&'a Element>, BodyError> {
    let mut v = Vec::new();
    while let Some(e) = s.optional(name) {
        v.push(e);
    }
    if v.len() < min {
        return Err(BodyError::Missing {
            parent: s.parent,
            name,
        });
    }
    if v.len() > max {
        return Err(InvalidValue::new(name, &format!("{} occurrences", v.len())).into());
    }
    Ok(v)
}

/// An xs:time in UTC (hour, minute, second, hundredths); a time zone offset is applied.
pub(super) fn xs_time(e: &Element, kind: &'static str) -> Result<[u8; 4], BodyError> {
    let raw = simple(e, kind)?.trim_matches(is_xml_space);
    let bad = || BodyError::from(InvalidValue::new(kind, raw));
    let (main, offset_min) = if let Some(m) = raw.strip_suffix('Z') {
        (m, 0i64)
    } else if raw.len() > 6 && matches!(raw.as_bytes()[raw.len() - 6], b'+' | b'-') {
        let (m, tz) = raw.split_at(raw.len() - 6);
        let sign = if tz.starts_with('-') { -1 } else { 1 };
        let h: i64 = tz[1..3].parse().map_err(|_| bad())?;
        let mi: i64 = tz[4..6].parse().map_err(|_| bad())?;
        if &tz[3..4] != ":" || h > 14 || mi > 59 {
            return Err(bad());
        }
        (m, sign * (h * 60 + mi))
    } else {
        (raw, 0)
    };
    let (hms, frac) = match main.split_once('.') {
        Some((a, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (a, f),
        Some(_) => return Err(bad()),
        None => (main, ""),
    };
    let parts: Vec<&str> = hms.split(':').collect();
    let [h, m, s] = parts[..] else {
        return Err(bad());
    };
    if [h, m, s]
        .iter()
        .any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let (h, m, s): (i64, i64, i64) = (
        h.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        s.parse().map_err(|_| bad())?,
    );
    if h > 23 || m > 59 || s > 59 {
        return Err(bad());
    }
    let hundredths: u8 = format!("{frac:0<2}")[..2].parse().map_err(|_| bad())?;
    let minutes = (h * 60 + m - offset_min).rem_euclid(24 * 60);
    let hh = u8::try_from(minutes / 60).map_err(|_| bad())?;
    let mm = u8::try_from(minutes % 60).map_err(|_| bad())?;
    let ss = u8::try_from(s).map_err(|_| bad())?;
    Ok([hh, mm, ss, hundredths])
}

pub(super) fn date(e: &Element, kind: &'static str) -> Result<TariffDate, BodyError> {
    let mut s = Seq::new(e, kind);
    let y = s.required("Year")?;
    let mut ys = Seq::new(y, "Year");
    let yc = ys.choice()?;
    let year = match yc.name.as_str() {
        "SpecifiedYear" => {
            Some(int(yc, "SpecifiedYear", 2014, 9999).map(|v| u16::try_from(v).unwrap_or(0xFFFF))?)
        }
        "NonSpecifiedYear" => {
            empty(yc, "NonSpecifiedYear")?;
            None
        }
        _ => return Err(ys.unexpected(yc)),
    };
    ys.finish()?;
    let m = s.required("Month")?;
    let mut ms = Seq::new(m, "Month");
    let mc = ms.choice()?;
    let month = match mc.name.as_str() {
        "SpecifiedMonth" => Some(small(mc, "SpecifiedMonth", 1, 12)?),
        "NonSpecifiedMonth" => {
            empty(mc, "NonSpecifiedMonth")?;
            None
        }
        _ => return Err(ms.unexpected(mc)),
    };
    ms.finish()?;
    let d = s.required("DayOfMonth")?;
    let mut ds = Seq::new(d, "DayOfMonth");
    let dc = ds.choice()?;
    let day_of_month = match dc.name.as_str() {
        "SpecifiedDayOfMonth" => DayOfMonth::Day(small(dc, "SpecifiedDayOfMonth", 1, 31)?),
        "LastDayOfMonth" => {
            empty(dc, "LastDayOfMonth")?;
            DayOfMonth::Last
        }
        "SecondLastDayOfMonth" => {
            empty(dc, "SecondLastDayOfMonth")?;
            DayOfMonth::SecondLast
        }
        "NonSpecifiedDayOfMonth" => {
            empty(dc, "NonSpecifiedDayOfMonth")?;
            DayOfMonth::Any
        }
        _ => return Err(ds.unexpected(dc)),
    };
    ds.finish()?;
    let w = s.required("DayOfWeek")?;
    let mut ws = Seq::new(w, "DayOfWeek");
    let wc = ws.choice()?;
    let day_of_week = match wc.name.as_str() {
        "SpecifiedDayOfWeek" => Some(small(wc, "SpecifiedDayOfWeek", 1, 7)?),
        "NonSpecifiedDayOfWeek" => {
            empty(wc, "NonSpecifiedDayOfWeek")?;
            None
        }
        _ => return Err(ws.unexpected(wc)),
    };
    ws.finish()?;
    s.finish()?;
    Ok(TariffDate {
        year,
        month,
        day_of_month,
        day_of_week,
    })
}

/// A switching table; `secondary`: TOU actions 1…4 only.
fn switching_table(e: &Element, secondary: bool) -> Result<SwitchingTable, BodyError> {
    let mut s = Seq::new(e, "SwitchingTable");
    let dp = s.required("DayProfiles")?;
    let mut ds = Seq::new(dp, "DayProfiles");
    let days = many(&mut ds, "DayProfile", 1, 16)?
        .into_iter()
        .map(|d| {
            let mut p = Seq::new(d, "DayProfile");
            let name = small(p.required("DayName")?, "DayName", 1, 16)?;
            let schedule = many(&mut p, "ProfileSchedule", 1, 48)?
                .into_iter()
                .map(|ps| {
                    let mut q = Seq::new(ps, "ProfileSchedule");
                    let start = xs_time(q.required("StartTime")?, "StartTime")?;
                    let a = q.choice()?;
                    let action = match a.name.as_str() {
                        "TOUTariffAction" => TariffAction::Tou(small(
                            a,
                            "TOUTariffAction",
                            1,
                            if secondary { 4 } else { 48 },
                        )?),
                        "BlockTariffAction" if !secondary => {
                            TariffAction::Block(small(a, "BlockTariffAction", 1, 8)?)
                        }
                        _ => return Err(q.unexpected(a)),
                    };
                    q.finish()?;
                    Ok(ProfileSchedule { start, action })
                })
                .collect::<Result<_, BodyError>>()?;
            p.finish()?;
            Ok(DayProfile { name, schedule })
        })
        .collect::<Result<_, BodyError>>()?;
    ds.finish()?;
    let wp = s.required("WeekProfiles")?;
    let mut ws = Seq::new(wp, "WeekProfiles");
    let weeks = many(&mut ws, "WeekProfile", 1, 4)?
        .into_iter()
        .map(|w| {
            let mut p = Seq::new(w, "WeekProfile");
            let name = small(p.required("WeekName")?, "WeekName", 1, 4)?;
            let refs = many(&mut p, "ReferencedDayName", 7, 7)?;
            let mut days = [0u8; 7];
            for (i, r) in refs.iter().enumerate() {
                // The index attribute says the day (1 Monday); each once.
                let k = usize::from(index(r, "ReferencedDayName", 7)? - 1);
                if days[k] != 0 {
                    return Err(InvalidValue::new(
                        "ReferencedDayName",
                        &format!("index {}", k + 1),
                    )
                    .into());
                }
                days[k] = small(r, "ReferencedDayName", 1, 16)?;
                let _ = i;
            }
            p.finish()?;
            Ok(WeekProfile { name, days })
        })
        .collect::<Result<_, BodyError>>()?;
    ws.finish()?;
    let sp = s.required("Seasons")?;
    let mut ss = Seq::new(sp, "Seasons");
    let seasons = many(&mut ss, "Season", 1, 4)?
        .into_iter()
        .map(|x| {
            let mut p = Seq::new(x, "Season");
            let n = p.required("SeasonName")?;
            let name = simple(n, "SeasonName")?.to_owned();
            if name.chars().count() > 8 {
                return Err(InvalidValue::new("SeasonName", &name).into());
            }
            let start = date(p.required("SeasonStartDate")?, "SeasonStartDate")?;
            let week = small(
                p.required("ReferencedWeekName")?,
                "ReferencedWeekName",
                1,
                4,
            )?;
            p.finish()?;
            Ok(Season { name, start, week })
        })
        .collect::<Result<_, BodyError>>()?;
    ss.finish()?;
    s.finish()?;
    let t = SwitchingTable {
        days,
        weeks,
        seasons,
    };
    t.check()?;
    Ok(t)
}

fn refuse(kind: &'static str, why: String) -> BodyError {
    InvalidValue::new(kind, &why).into()
}

impl SwitchingTable {
    /// What the XSD cannot say: day and week names unique, no two switching times of a day
    /// profile at the same time (they would overlap), every referenced day and week defined.
    fn check(&self) -> Result<(), BodyError> {
        let mut names: Vec<u8> = self.days.iter().map(|d| d.name).collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return Err(refuse("DayName", "a day profile name given twice".into()));
        }
        for d in &self.days {
            let mut times: Vec<[u8; 4]> = d.schedule.iter().map(|p| p.start).collect();
            times.sort_unstable();
            if times.windows(2).any(|w| w[0] == w[1]) {
                return Err(refuse(
                    "StartTime",
                    format!(
                        "day profile {}: two switching times at the same time",
                        d.name
                    ),
                ));
            }
        }
        let mut weeks: Vec<u8> = self.weeks.iter().map(|w| w.name).collect();
        weeks.sort_unstable();
        if weeks.windows(2).any(|w| w[0] == w[1]) {
            return Err(refuse("WeekName", "a week profile name given twice".into()));
        }
        if let Some(w) = self
            .weeks
            .iter()
            .find(|w| w.days.iter().any(|d| !names.contains(d)))
        {
            return Err(refuse(
                "ReferencedDayName",
                format!("week profile {} names an undefined day profile", w.name),
            ));
        }
        if let Some(s) = self.seasons.iter().find(|s| !weeks.contains(&s.week)) {
            return Err(refuse(
                "ReferencedWeekName",
                format!("season {} names an undefined week profile", s.name),
            ));
        }
        Ok(())
    }

    fn check_special_days(&self, days: &[SpecialDay]) -> Result<(), BodyError> {
        match days
            .iter()
            .find(|s| !self.days.iter().any(|d| d.name == s.day))
        {
            Some(s) => Err(refuse(
                "ReferencedDayName",
                format!("a special day names undefined day profile {}", s.day),
            )),
            None => Ok(()),
        }
    }
}

fn special_days(e: &Element) -> Result<Vec<SpecialDay>, BodyError> {
    let mut s = Seq::new(e, "SpecialDays");
    let v = many(&mut s, "SpecialDay", 0, 50)?
        .into_iter()
        .map(|d| {
            let mut p = Seq::new(d, "SpecialDay");
            let date = date(p.required("Date")?, "Date")?;
            let day = small(p.required("ReferencedDayName")?, "ReferencedDayName", 1, 16)?;
            p.finish()?;
            Ok(SpecialDay { date, day })
        })
        .collect::<Result<_, BodyError>>()?;
    s.finish()?;
    Ok(v)
}

fn thresholds(e: &Element) -> Result<[Vec<u32>; 8], BodyError> {
    let mut s = Seq::new(e, "ThresholdMatrix");
    let rows = many(&mut s, "Thresholds", 8, 8)?;
    s.finish()?;
    let mut out: [Vec<u32>; 8] = Default::default();
    let mut seen = [false; 8];
    for r in rows {
        let k = usize::from(index(r, "Thresholds", 8)? - 1);
        if seen[k] {
            return Err(InvalidValue::new("Thresholds", &format!("index {}", k + 1)).into());
        }
        seen[k] = true;
        let mut q = Seq::new(r, "Thresholds");
        let cells = many(&mut q, "BlockThreshold", 1, 3)?;
        q.finish()?;
        let mut v = vec![None; cells.len()];
        for c in cells {
            let i = usize::from(index(c, "BlockThreshold", 3)? - 1);
            let x = int(c, "BlockThreshold", 0, i64::from(u32::MAX))?;
            match v.get_mut(i) {
                Some(slot @ None) => *slot = u32::try_from(x).ok(),
                _ => {
                    return Err(
                        InvalidValue::new("BlockThreshold", &format!("index {}", i + 1)).into(),
                    );
                }
            }
        }
        out[k] = v.into_iter().flatten().collect();
    }
    Ok(out)
}

/// Indexed prices: each index once.
fn indexed(es: &[&Element], kind: &'static str, hi: u8) -> Result<Vec<(u8, i16)>, BodyError> {
    let mut v: Vec<(u8, i16)> = Vec::with_capacity(es.len());
    for e in es {
        let i = index(e, kind, hi)?;
        if v.iter().any(|(j, _)| *j == i) {
            return Err(InvalidValue::new(kind, &format!("index {i}")).into());
        }
        v.push((i, price(e, kind)?));
    }
    Ok(v)
}

fn elec_prices(e: &Element) -> Result<ElecPrices, BodyError> {
    let mut s = Seq::new(e, "ElectricityPriceElements");
    let standing_charge = price(s.required("StandingCharge")?, "StandingCharge")?;
    let standing_charge_scale = scale(s.required("StandingChargeScale")?, "StandingChargeScale")?;
    let price_scale = scale(s.required("PriceScale")?, "PriceScale")?;
    let c = s.choice()?;
    let blocks_of = |q: &mut Seq<'_>| -> Result<Vec<BlockPrices>, BodyError> {
        let mut out: Vec<BlockPrices> = Vec::new();
        for b in many(q, "BlockPrices", 1, 8)? {
            let i = index(b, "BlockPrices", 8)?;
            if out.iter().any(|(j, _)| *j == i) {
                return Err(InvalidValue::new("BlockPrices", &format!("index {i}")).into());
            }
            let mut bs = Seq::new(b, "BlockPrices");
            let cells = many(&mut bs, "BlockPrice", 1, 4)?;
            bs.finish()?;
            out.push((i, indexed(&cells, "BlockPrice", 4)?));
        }
        Ok(out)
    };
    let (tou, blocks) = match c.name.as_str() {
        "TOUTariff" => {
            let mut q = Seq::new(c, "TOUTariff");
            let t = many(&mut q, "TOUPrice", 1, 48)?;
            q.finish()?;
            (indexed(&t, "TOUPrice", 48)?, Vec::new())
        }
        "BlockTariff" => {
            let mut q = Seq::new(c, "BlockTariff");
            let b = blocks_of(&mut q)?;
            q.finish()?;
            (Vec::new(), b)
        }
        "HybridTariff" => {
            let mut q = Seq::new(c, "HybridTariff");
            let b = blocks_of(&mut q)?;
            let t = many(&mut q, "TOUPrice", 1, 48)?;
            q.finish()?;
            (indexed(&t, "TOUPrice", 48)?, b)
        }
        _ => return Err(s.unexpected(c)),
    };
    s.finish()?;
    Ok(ElecPrices {
        standing_charge,
        standing_charge_scale,
        price_scale,
        tou,
        blocks,
    })
}

/// `PricePrimary` with its electricity choice.
fn price_primary(e: &Element) -> Result<ElecPrices, BodyError> {
    let mut s = Seq::new(e, "PriceElements");
    let c = s.required("ElectricityPriceElements")?;
    s.finish()?;
    elec_prices(c)
}

fn price_secondary(e: &Element) -> Result<SecondaryPrices, BodyError> {
    let mut s = Seq::new(e, "PriceElements");
    let price_scale = scale(s.required("PriceScale")?, "PriceScale")?;
    let p = many(&mut s, "ElectricityPriceElement", 1, 4)?;
    s.finish()?;
    Ok(SecondaryPrices {
        price_scale,
        prices: indexed(&p, "ElectricityPriceElement", 4)?,
    })
}

fn no_text(e: &Element, kind: &'static str) -> Result<(), BodyError> {
    if e.trimmed_text().is_empty() {
        Ok(())
    } else {
        Err(InvalidValue::new(kind, &e.text).into())
    }
}

impl UpdateImportTariffPrimary {
    /// Parses an `UpdateImportTariffPrimaryElement` body element (electricity).
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdateImportTariffPrimaryElement";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let t = s.required("ElecTariffElements")?;
        let mut ts = Seq::new(t, "ElecTariffElements");
        let c = ts.required("CurrencyUnits")?;
        let currency_gbp = match simple(c, "CurrencyUnits")? {
            "GBP" => true,
            "ECB" => false,
            other => return Err(InvalidValue::new("CurrencyUnits", other).into()),
        };
        let switching = switching_table(ts.required("SwitchingTable")?, false)?;
        let special_days = special_days(ts.required("SpecialDays")?)?;
        switching.check_special_days(&special_days)?;
        let thresholds = thresholds(ts.required("ThresholdMatrix")?)?;
        ts.finish()?;
        let prices = price_primary(s.required("PriceElements")?)?;
        s.finish()?;
        no_text(body, NAME)?;
        Ok(Self {
            execution_date_time,
            currency_gbp,
            switching,
            special_days,
            thresholds,
            prices,
        })
    }
}

impl UpdatePricePrimary {
    /// Parses an `UpdatePricePrimaryElement` body element (electricity).
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdatePricePrimaryElement";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let prices = price_primary(s.required("PriceElements")?)?;
        s.finish()?;
        no_text(body, NAME)?;
        Ok(Self {
            execution_date_time,
            prices,
        })
    }
}

impl UpdateImportTariffSecondary {
    /// Parses an `UpdateImportTariffSecondaryElement` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdateImportTariffSecondaryElement";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let switching = switching_table(s.required("SwitchingTable")?, true)?;
        let special_days = special_days(s.required("SpecialDays")?)?;
        switching.check_special_days(&special_days)?;
        let prices = price_secondary(s.required("PriceElements")?)?;
        s.finish()?;
        no_text(body, NAME)?;
        Ok(Self {
            execution_date_time,
            switching,
            special_days,
            prices,
        })
    }
}

impl UpdatePriceSecondary {
    /// Parses an `UpdatePriceSecondaryElement` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdatePriceSecondaryElement";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let prices = price_secondary(s.required("PriceElements")?)?;
        s.finish()?;
        no_text(body, NAME)?;
        Ok(Self {
            execution_date_time,
            prices,
        })
    }
}

/// `GasPriceElements` (DUIS 5.4): currency, standing charge and a TOU or block price matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GasPriceElements {
    /// `CurrencyUnits`: `GBP` (true) or `ECB` (false).
    pub currency_gbp: bool,
    /// `StandingCharge` (xs:unsignedInt).
    pub standing_charge: u32,
    /// `TOUTariff`'s `TOUPrice`s (index 1…4, price); empty for a block tariff.
    pub tou: Vec<(u8, u32)>,
    /// `BlockTariff`'s `BlockPrice`s (index 1…4, price); empty for a TOU tariff.
    pub blocks: Vec<(u8, u32)>,
    /// `BlockTariff`'s `NumberOfThresholds` (1…3).
    pub number_of_thresholds: Option<u8>,
}

/// `UpdatePricePrimaryElement` with `GasPriceElements` (1.2.1 on a GSME).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdatePricePrimaryGas {
    /// `ExecutionDateTime`, as written.
    pub execution_date_time: Option<String>,
    /// The prices.
    pub prices: GasPriceElements,
}

/// Gas prices (xs:unsignedInt) with an index in 1…4, each index once.
fn gas_indexed(es: &[&Element], kind: &'static str) -> Result<Vec<(u8, u32)>, BodyError> {
    let mut v: Vec<(u8, u32)> = Vec::with_capacity(es.len());
    for e in es {
        let i = index(e, kind, 4)?;
        if v.iter().any(|(j, _)| *j == i) {
            return Err(InvalidValue::new(kind, &format!("index {i}")).into());
        }
        let p = int(e, kind, 0, i64::from(u32::MAX))?;
        v.push((i, u32::try_from(p).unwrap_or(0)));
    }
    Ok(v)
}

fn currency(e: &Element) -> Result<bool, BodyError> {
    match simple(e, "CurrencyUnits")?.trim_matches(is_xml_space) {
        "GBP" => Ok(true),
        "ECB" => Ok(false),
        other => Err(InvalidValue::new("CurrencyUnits", other).into()),
    }
}

fn gas_prices(e: &Element) -> Result<GasPriceElements, BodyError> {
    const NAME: &str = "GasPriceElements";
    let mut s = Seq::new(e, NAME);
    let currency_gbp = currency(s.required("CurrencyUnits")?)?;
    let sc = int(
        s.required("StandingCharge")?,
        "StandingCharge",
        0,
        i64::from(u32::MAX),
    )?;
    let c = s.choice()?;
    let (tou, blocks, number_of_thresholds) = match c.name.as_str() {
        "TOUTariff" => {
            let mut q = Seq::new(c, "TOUTariff");
            let t = many(&mut q, "TOUPrice", 1, 4)?;
            q.finish()?;
            (gas_indexed(&t, "TOUPrice")?, Vec::new(), None)
        }
        "BlockTariff" => {
            let mut q = Seq::new(c, "BlockTariff");
            let b = many(&mut q, "BlockPrice", 1, 4)?;
            let n = small(
                q.required("NumberOfThresholds")?,
                "NumberOfThresholds",
                1,
                3,
            )?;
            q.finish()?;
            (Vec::new(), gas_indexed(&b, "BlockPrice")?, Some(n))
        }
        _ => return Err(s.unexpected(c)),
    };
    s.finish()?;
    no_text(e, NAME)?;
    Ok(GasPriceElements {
        currency_gbp,
        standing_charge: u32::try_from(sc).unwrap_or(0),
        tou,
        blocks,
        number_of_thresholds,
    })
}

impl UpdatePricePrimaryGas {
    /// Parses an `UpdatePricePrimaryElement` body element whose prices are `GasPriceElements`.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdatePricePrimaryElement";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let pe = s.required("PriceElements")?;
        let mut ps = Seq::new(pe, "PriceElements");
        let g = ps.required("GasPriceElements")?;
        ps.finish()?;
        let prices = gas_prices(g)?;
        s.finish()?;
        no_text(body, NAME)?;
        Ok(Self {
            execution_date_time,
            prices,
        })
    }
}

/// A DUIS `GasDateWithWildcards`: (year 2014…9999, month 1…12, day of month 1…31, day of week
/// 1 Monday … 7 Sunday), `None` where not specified.
pub type GasDate = (Option<u16>, Option<u8>, Option<u8>, Option<u8>);

/// `GasTariffElements` (DUIS 5.4): the switching table, special days and block thresholds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GasTariffElements {
    /// Day profiles (1…4): `DayName` and the one action of the whole day, the
    /// `TOUTariffAction` (1…4) or `None` for `BlockTariff`.
    pub days: Vec<(u8, Option<u8>)>,
    /// Week profiles (1…2): `WeekName` and the day of each day, Monday first.
    pub weeks: Vec<(u8, [u8; 7])>,
    /// Seasons (1…3): start date and `ReferencedWeekName`.
    pub seasons: Vec<(GasDate, u8)>,
    /// Special days (0…20): date and `ReferencedDayName`.
    pub special_days: Vec<(GasDate, u8)>,
    /// `ThresholdMatrix`'s `BlockThreshold`s (1…3, 48 bits each), in index order.
    pub thresholds: Vec<u64>,
}

/// `UpdateImportTariffPrimaryElement` with `GasTariffElements` (1.1.1 on a GSME).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateImportTariffPrimaryGas {
    /// `ExecutionDateTime`, as written.
    pub execution_date_time: Option<String>,
    /// The tariff.
    pub tariff: GasTariffElements,
    /// The prices.
    pub prices: GasPriceElements,
}

/// A choice of `Specified<x>` (`lo..=hi`) or the empty `<none>`.
fn gas_wild(
    e: &Element,
    kind: &'static str,
    specified: &'static str,
    none: &'static str,
    lo: i64,
    hi: i64,
) -> Result<Option<i64>, BodyError> {
    let mut s = Seq::new(e, kind);
    let c = s.choice()?;
    let v = if c.name == specified {
        Some(int(c, specified, lo, hi)?)
    } else if c.name == none {
        empty(c, none)?;
        None
    } else {
        return Err(s.unexpected(c));
    };
    s.finish()?;
    Ok(v)
}

/// A `GasDateWithWildcards`.
pub(super) fn gas_date(e: &Element, kind: &'static str) -> Result<GasDate, BodyError> {
    let mut s = Seq::new(e, kind);
    let y = gas_wild(
        s.required("GasYearWithWildcards")?,
        "GasYearWithWildcards",
        "SpecifiedYear",
        "NonSpecifiedYear",
        2014,
        9999,
    )?;
    let m = gas_wild(
        s.required("GasMonthWithWildcards")?,
        "GasMonthWithWildcards",
        "SpecifiedMonth",
        "NonSpecifiedMonth",
        1,
        12,
    )?;
    let d = gas_wild(
        s.required("GasDayOfMonthWithWildcards")?,
        "GasDayOfMonthWithWildcards",
        "SpecifiedDayOfMonth",
        "GasNonSpecifiedDayOfMonth",
        1,
        31,
    )?;
    let w = gas_wild(
        s.required("GasDayOfWeekWithWildcards")?,
        "GasDayOfWeekWithWildcards",
        "SpecifiedDayOfWeek",
        "NonSpecifiedDayOfWeek",
        1,
        7,
    )?;
    s.finish()?;
    let small = |v: Option<i64>| v.and_then(|v| u8::try_from(v).ok());
    Ok((
        y.and_then(|v| u16::try_from(v).ok()),
        small(m),
        small(d),
        small(w),
    ))
}

/// A gas calendar's `WeekProfiles` (1…2 `WeekProfile`: `WeekName` 1…2 and seven
/// `ReferencedDayName`s, each day index once, of day names 1…`days`), Monday first: shared by the
/// gas tariff (1.1.1) and the gas non-disablement calendar (2.1).
pub(super) fn gas_week_profiles(e: &Element, days: u8) -> Result<Vec<(u8, [u8; 7])>, BodyError> {
    let mut ws = Seq::new(e, "WeekProfiles");
    let weeks = many(&mut ws, "WeekProfile", 1, 2)?
        .into_iter()
        .map(|w| {
            let mut p = Seq::new(w, "WeekProfile");
            let name = small(p.required("WeekName")?, "WeekName", 1, 2)?;
            let mut week = [0u8; 7];
            for r in many(&mut p, "ReferencedDayName", 7, 7)? {
                let k = usize::from(index(r, "ReferencedDayName", 7)? - 1);
                if week[k] != 0 {
                    return Err(refuse("ReferencedDayName", format!("index {}", k + 1)));
                }
                week[k] = small(r, "ReferencedDayName", 1, days)?;
            }
            p.finish()?;
            Ok((name, week))
        })
        .collect::<Result<Vec<_>, BodyError>>()?;
    ws.finish()?;
    Ok(weeks)
}

/// A gas calendar's seasons (`container`: `Seasons` in the tariff, `SeasonProfiles` in the
/// non-disablement calendar; 1…3 `Season`: `SeasonStartDate` and `ReferencedWeekName` 1…2).
pub(super) fn gas_seasons(
    e: &Element,
    container: &'static str,
) -> Result<Vec<(GasDate, u8)>, BodyError> {
    let mut ss = Seq::new(e, container);
    let seasons = many(&mut ss, "Season", 1, 3)?
        .into_iter()
        .map(|x| {
            let mut p = Seq::new(x, "Season");
            let start = gas_date(p.required("SeasonStartDate")?, "SeasonStartDate")?;
            let week = small(
                p.required("ReferencedWeekName")?,
                "ReferencedWeekName",
                1,
                2,
            )?;
            p.finish()?;
            Ok((start, week))
        })
        .collect::<Result<Vec<_>, BodyError>>()?;
    ss.finish()?;
    Ok(seasons)
}

/// A gas calendar's `SpecialDays` (0…20 `SpecialDay`: `Date` and `ReferencedDayName`
/// 1…`days`).
pub(super) fn gas_special_days(e: &Element, days: u8) -> Result<Vec<(GasDate, u8)>, BodyError> {
    let mut sds = Seq::new(e, "SpecialDays");
    let special_days = many(&mut sds, "SpecialDay", 0, 20)?
        .into_iter()
        .map(|x| {
            let mut p = Seq::new(x, "SpecialDay");
            let date = gas_date(p.required("Date")?, "Date")?;
            let day = small(
                p.required("ReferencedDayName")?,
                "ReferencedDayName",
                1,
                days,
            )?;
            p.finish()?;
            Ok((date, day))
        })
        .collect::<Result<Vec<_>, BodyError>>()?;
    sds.finish()?;
    Ok(special_days)
}

fn gas_tariff_elements(e: &Element) -> Result<GasTariffElements, BodyError> {
    const NAME: &str = "GasTariffElements";
    let mut s = Seq::new(e, NAME);
    let st = s.required("SwitchingTable")?;
    let mut ts = Seq::new(st, "SwitchingTable");
    let dp = ts.required("DayProfiles")?;
    let mut ds = Seq::new(dp, "DayProfiles");
    let days = many(&mut ds, "DayProfile", 1, 4)?
        .into_iter()
        .map(|d| {
            let mut p = Seq::new(d, "DayProfile");
            let name = small(p.required("DayName")?, "DayName", 1, 4)?;
            let a = p.choice()?;
            let tou = match a.name.as_str() {
                "TOUTariffAction" => Some(small(a, "TOUTariffAction", 1, 4)?),
                "BlockTariff" => {
                    empty(a, "BlockTariff")?;
                    None
                }
                _ => return Err(p.unexpected(a)),
            };
            p.finish()?;
            Ok((name, tou))
        })
        .collect::<Result<Vec<_>, BodyError>>()?;
    ds.finish()?;
    let weeks = gas_week_profiles(ts.required("WeekProfiles")?, 4)?;
    let seasons = gas_seasons(ts.required("Seasons")?, "Seasons")?;
    ts.finish()?;
    let special_days = gas_special_days(s.required("SpecialDays")?, 4)?;
    let tm = s.required("ThresholdMatrix")?;
    let mut tms = Seq::new(tm, "ThresholdMatrix");
    let cells = many(&mut tms, "BlockThreshold", 1, 3)?;
    tms.finish()?;
    let mut thresholds = vec![None; cells.len()];
    for c in cells {
        let i = usize::from(index(c, "BlockThreshold", 3)? - 1);
        let x = int(c, "BlockThreshold", 0, 281_474_976_710_655)?;
        match thresholds.get_mut(i) {
            Some(slot @ None) => *slot = u64::try_from(x).ok(),
            _ => return Err(refuse("BlockThreshold", format!("index {}", i + 1))),
        }
    }
    s.finish()?;
    no_text(e, NAME)?;
    let t = GasTariffElements {
        days,
        weeks,
        seasons,
        special_days,
        thresholds: thresholds.into_iter().flatten().collect(),
    };
    t.check()?;
    Ok(t)
}

fn twice<T: Ord + Clone>(v: impl Iterator<Item = T>) -> bool {
    let mut v: Vec<T> = v.collect();
    v.sort_unstable();
    v.windows(2).any(|w| w[0] == w[1])
}

impl GasTariffElements {
    /// What the XSD cannot say: day and week names unique, every referenced day and week
    /// defined, no two seasons starting on the same date and no date a special day twice (they
    /// would overlap), the day profiles all TOU or all block, the thresholds rising.
    fn check(&self) -> Result<(), BodyError> {
        if twice(self.days.iter().map(|d| d.0)) {
            return Err(refuse("DayName", "a day profile name given twice".into()));
        }
        if twice(self.weeks.iter().map(|w| w.0)) {
            return Err(refuse("WeekName", "a week profile name given twice".into()));
        }
        let defined = |n: u8| self.days.iter().any(|d| d.0 == n);
        if let Some((w, _)) = self
            .weeks
            .iter()
            .find(|(_, days)| days.iter().any(|d| !defined(*d)))
        {
            return Err(refuse(
                "ReferencedDayName",
                format!("week profile {w} names an undefined day profile"),
            ));
        }
        if let Some((_, d)) = self.special_days.iter().find(|(_, d)| !defined(*d)) {
            return Err(refuse(
                "ReferencedDayName",
                format!("a special day names undefined day profile {d}"),
            ));
        }
        if let Some((_, w)) = self
            .seasons
            .iter()
            .find(|(_, w)| !self.weeks.iter().any(|x| x.0 == *w))
        {
            return Err(refuse(
                "ReferencedWeekName",
                format!("a season names undefined week profile {w}"),
            ));
        }
        if twice(self.seasons.iter().map(|s| s.0)) {
            return Err(refuse(
                "SeasonStartDate",
                "two seasons start on the same date".into(),
            ));
        }
        if twice(self.special_days.iter().map(|s| s.0)) {
            return Err(refuse("Date", "a special day given twice".into()));
        }
        let tou = self.days.iter().filter(|d| d.1.is_some()).count();
        if tou != 0 && tou != self.days.len() {
            return Err(refuse(
                "DayProfile",
                "TOU and block day profiles mixed in one tariff".into(),
            ));
        }
        if self.thresholds.windows(2).any(|w| w[0] >= w[1]) {
            return Err(refuse(
                "BlockThreshold",
                "block thresholds not rising".into(),
            ));
        }
        Ok(())
    }

    /// The day profiles are TOU (`false`: block).
    pub fn is_tou(&self) -> bool {
        self.days.iter().all(|d| d.1.is_some())
    }
}

impl UpdateImportTariffPrimaryGas {
    /// Parses an `UpdateImportTariffPrimaryElement` body element whose tariff is
    /// `GasTariffElements`. Beyond the XSD: the day profiles' kind is the prices' kind (TOU
    /// actions name a TOU price given; block day profiles with block prices, at most one more
    /// block price than thresholds).
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdateImportTariffPrimaryElement";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let tariff = gas_tariff_elements(s.required("GasTariffElements")?)?;
        let pe = s.required("PriceElements")?;
        let mut ps = Seq::new(pe, "PriceElements");
        let prices = gas_prices(ps.required("GasPriceElements")?)?;
        ps.finish()?;
        s.finish()?;
        no_text(body, NAME)?;
        if tariff.is_tou() {
            if prices.tou.is_empty() {
                return Err(refuse(
                    "GasPriceElements",
                    "TOU day profiles with block prices".into(),
                ));
            }
            if let Some(d) = tariff
                .days
                .iter()
                .find(|d| !prices.tou.iter().any(|(i, _)| Some(*i) == d.1))
            {
                return Err(refuse(
                    "TOUTariffAction",
                    format!("day profile {} names a TOU rate with no price", d.0),
                ));
            }
        } else {
            if prices.blocks.is_empty() {
                return Err(refuse(
                    "GasPriceElements",
                    "block day profiles with TOU prices".into(),
                ));
            }
            if prices.blocks.len() > tariff.thresholds.len() + 1 {
                return Err(refuse(
                    "BlockPrice",
                    format!(
                        "{} block prices for {} thresholds",
                        prices.blocks.len(),
                        tariff.thresholds.len()
                    ),
                ));
            }
        }
        Ok(Self {
            execution_date_time,
            tariff,
            prices,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bodies::tests::body as wrapped;

    fn template(name: &str) -> Element {
        let dir = std::env::var("OPENDCC_CORPUS").unwrap_or_else(|_| "/work/shared/corpus".into());
        let xml = std::fs::read(format!("{dir}/duis-templates/{name}")).expect("template");
        let req = crate::parse_request(&xml).expect("request");
        req.body
    }

    #[test]
    fn every_gas_price_template_parses_and_the_facets_are_checked() {
        let p = UpdatePricePrimaryGas::parse(&template(
            "GCS01b_1.2.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML",
        ))
        .unwrap();
        assert_eq!(p.execution_date_time, None);
        assert!(p.prices.currency_gbp);
        assert_eq!(p.prices.standing_charge, 22_465);
        assert_eq!(
            p.prices.tou,
            [(1, 9600), (2, 10_200), (3, 10_750), (4, 11_000)]
        );
        assert_eq!(p.prices.number_of_thresholds, None);
        let p = UpdatePricePrimaryGas::parse(&template(
            "GCS01b_1.2.1_FUTURE_DATED_BLOCK_SUCCESS_REQUEST_DUIS.XML",
        ))
        .unwrap();
        assert_eq!(
            p.execution_date_time.as_deref(),
            Some("2030-01-15T09:00:00.00Z")
        );
        assert_eq!(p.prices.blocks.len(), 4);
        assert_eq!(p.prices.number_of_thresholds, Some(3));
        let p = UpdatePricePrimaryGas::parse(&template(
            "GCS01b_1.2.1_CANCELLATION_BLOCK_SUCCESS_REQUEST_DUIS.XML",
        ))
        .unwrap();
        assert!(!p.prices.currency_gbp);
        // The electricity form is not the gas one, and the other way round.
        assert!(
            UpdatePricePrimaryGas::parse(&template(
                "ECS01b_1.2.1_IMMEDIATE_BLOCK_SUCCESS_REQUEST_DUIS.XML"
            ))
            .is_err()
        );
        let gas = |prices: &str| {
            wrapped(&format!(
                "<sr:UpdatePricePrimaryElement><sr:PriceElements><sr:GasPriceElements>\
                 <sr:CurrencyUnits>GBP</sr:CurrencyUnits><sr:StandingCharge>1</sr:StandingCharge>\
                 {prices}</sr:GasPriceElements></sr:PriceElements></sr:UpdatePricePrimaryElement>"
            ))
        };
        let ok = gas("<sr:TOUTariff><sr:TOUPrice index=\"1\">5</sr:TOUPrice></sr:TOUTariff>");
        assert!(UpdatePricePrimaryGas::parse(&ok).is_ok());
        assert!(UpdatePricePrimary::parse(&ok).is_err());
        for bad in [
            "<sr:TOUTariff><sr:TOUPrice index=\"5\">5</sr:TOUPrice></sr:TOUTariff>",
            "<sr:TOUTariff><sr:TOUPrice index=\"1\">-1</sr:TOUPrice></sr:TOUTariff>",
            "<sr:TOUTariff><sr:TOUPrice index=\"1\">1</sr:TOUPrice><sr:TOUPrice index=\"1\">2</sr:TOUPrice></sr:TOUTariff>",
            "<sr:BlockTariff><sr:BlockPrice index=\"1\">5</sr:BlockPrice><sr:NumberOfThresholds>4</sr:NumberOfThresholds></sr:BlockTariff>",
            "<sr:BlockTariff><sr:BlockPrice index=\"1\">5</sr:BlockPrice></sr:BlockTariff>",
        ] {
            assert!(UpdatePricePrimaryGas::parse(&gas(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_gas_tariff_template_parses() {
        let t = UpdateImportTariffPrimaryGas::parse(&template(
            "GCS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML",
        ))
        .unwrap();
        assert_eq!(t.execution_date_time, None);
        assert_eq!(
            t.tariff.days,
            [(1, Some(1)), (2, Some(2)), (3, Some(3)), (4, Some(4))]
        );
        assert_eq!(t.tariff.weeks[1], (2, [3, 3, 3, 3, 3, 4, 4]));
        assert_eq!(
            t.tariff.seasons,
            [
                ((None, Some(3), Some(20), None), 1),
                ((None, Some(6), Some(21), None), 2)
            ]
        );
        assert_eq!(t.tariff.special_days.len(), 10);
        assert_eq!(
            t.tariff.special_days[0],
            ((Some(2015), Some(1), Some(1), None), 2)
        );
        assert!(t.tariff.is_tou());
        assert_eq!(t.prices.tou.len(), 4);
        for f in [
            "GCS01a_1.1.1_FUTURE_DATED_BLOCK_SUCCESS_REQUEST_DUIS.XML",
            "GCS01a_1.1.1_CANCELLATION_BLOCK_SUCCESS_REQUEST_DUIS.XML",
        ] {
            let t = UpdateImportTariffPrimaryGas::parse(&template(f)).unwrap();
            assert!(t.execution_date_time.is_some(), "{f}");
            assert_eq!(t.tariff.days, [(1, None)], "{f}");
            assert_eq!(t.tariff.thresholds, [1_000_000, 2_000_000, 3_000_000]);
            assert!(t.tariff.special_days.is_empty());
            assert_eq!(t.prices.blocks.len(), 4);
        }
        // The electricity form is not the gas one, and the other way round.
        assert!(
            UpdateImportTariffPrimaryGas::parse(&template(
                "ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML"
            ))
            .is_err()
        );
        assert!(
            UpdateImportTariffPrimary::parse(&template(
                "GCS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML"
            ))
            .is_err()
        );
    }

    /// The gas 1.1.1 body of `day_profiles`, `weeks`, `seasons`, `special`, `thresholds` and
    /// `prices`, written without the `sr:` prefix.
    fn gas_body(
        days: &str,
        weeks: &str,
        seasons: &str,
        special: &str,
        thresholds: &str,
        prices: &str,
    ) -> Element {
        body(&format!(
            "<UpdateImportTariffPrimaryElement><GasTariffElements><SwitchingTable>\
             <DayProfiles>{days}</DayProfiles><WeekProfiles>{weeks}</WeekProfiles>\
             <Seasons>{seasons}</Seasons></SwitchingTable><SpecialDays>{special}</SpecialDays>\
             <ThresholdMatrix>{thresholds}</ThresholdMatrix></GasTariffElements>\
             <PriceElements><GasPriceElements><CurrencyUnits>GBP</CurrencyUnits>\
             <StandingCharge>100</StandingCharge>{prices}</GasPriceElements></PriceElements>\
             </UpdateImportTariffPrimaryElement>"
        ))
    }

    fn gas_day(name: u8, action: &str) -> String {
        format!("<DayProfile><DayName>{name}</DayName>{action}</DayProfile>")
    }

    fn gas_week(name: u8, days: [u8; 7]) -> String {
        let refs: String = days
            .iter()
            .zip(1..)
            .map(|(d, i)| format!("<ReferencedDayName index=\"{i}\">{d}</ReferencedDayName>"))
            .collect();
        format!("<WeekProfile><WeekName>{name}</WeekName>{refs}</WeekProfile>")
    }

    fn gas_date_xml(month: u8, day: u8) -> String {
        format!(
            "<GasYearWithWildcards><NonSpecifiedYear/></GasYearWithWildcards>\
             <GasMonthWithWildcards><SpecifiedMonth>{month}</SpecifiedMonth></GasMonthWithWildcards>\
             <GasDayOfMonthWithWildcards><SpecifiedDayOfMonth>{day}</SpecifiedDayOfMonth></GasDayOfMonthWithWildcards>\
             <GasDayOfWeekWithWildcards><NonSpecifiedDayOfWeek/></GasDayOfWeekWithWildcards>"
        )
    }

    fn gas_season(month: u8, day: u8, week: u8) -> String {
        format!(
            "<Season><SeasonStartDate>{}</SeasonStartDate><ReferencedWeekName>{week}</ReferencedWeekName></Season>",
            gas_date_xml(month, day)
        )
    }

    fn gas_special(month: u8, day: u8, name: u8) -> String {
        format!(
            "<SpecialDay><Date>{}</Date><ReferencedDayName>{name}</ReferencedDayName></SpecialDay>",
            gas_date_xml(month, day)
        )
    }

    fn gas_thresholds(v: &[u64]) -> String {
        v.iter()
            .zip(1..)
            .map(|(x, i)| format!("<BlockThreshold index=\"{i}\">{x}</BlockThreshold>"))
            .collect()
    }

    fn gas_tou_prices(v: &[(u8, i64)]) -> String {
        let p: String = v
            .iter()
            .map(|(i, x)| format!("<TOUPrice index=\"{i}\">{x}</TOUPrice>"))
            .collect();
        format!("<TOUTariff>{p}</TOUTariff>")
    }

    fn gas_block_prices(v: &[i64]) -> String {
        let p: String = v
            .iter()
            .zip(1..)
            .map(|(x, i)| format!("<BlockPrice index=\"{i}\">{x}</BlockPrice>"))
            .collect();
        format!("<BlockTariff>{p}<NumberOfThresholds>1</NumberOfThresholds></BlockTariff>")
    }

    #[test]
    fn gas_tariffs_gbcs_cannot_hold_or_that_overlap_are_refused() {
        let tou = |n: u8| format!("<TOUTariffAction>{n}</TOUTariffAction>");
        let block = "<BlockTariff/>";
        let two_days = gas_day(1, &tou(1)) + &gas_day(2, &tou(2));
        let week = gas_week(1, [1, 1, 1, 1, 1, 2, 2]);
        let season = gas_season(3, 20, 1);
        let prices = gas_tou_prices(&[(1, 10), (2, 20)]);
        let ok = gas_body(
            &two_days,
            &week,
            &season,
            &gas_special(1, 1, 2),
            &gas_thresholds(&[1]),
            &prices,
        );
        let t = UpdateImportTariffPrimaryGas::parse(&ok).unwrap();
        assert_eq!(t.tariff.days, [(1, Some(1)), (2, Some(2))]);
        let ok_block = gas_body(
            &gas_day(1, block),
            &gas_week(1, [1; 7]),
            &season,
            "",
            &gas_thresholds(&[100, 200, 300]),
            &gas_block_prices(&[1, 2, 3, 4]),
        );
        assert!(UpdateImportTariffPrimaryGas::parse(&ok_block).is_ok());
        let bad: Vec<(&str, Element)> = vec![
            // Overlaps: two seasons from the same date, a special day twice, a day name twice.
            (
                "same season start",
                gas_body(
                    &two_days,
                    &(week.clone() + &gas_week(2, [2; 7])),
                    &(season.clone() + &gas_season(3, 20, 2)),
                    "",
                    &gas_thresholds(&[1]),
                    &prices,
                ),
            ),
            (
                "special day twice",
                gas_body(
                    &two_days,
                    &week,
                    &season,
                    &(gas_special(1, 1, 2) + &gas_special(1, 1, 1)),
                    &gas_thresholds(&[1]),
                    &prices,
                ),
            ),
            (
                "day name twice",
                gas_body(
                    &(two_days.clone() + &gas_day(2, &tou(1))),
                    &week,
                    &season,
                    "",
                    &gas_thresholds(&[1]),
                    &prices,
                ),
            ),
            // More than GBCS holds: a fifth day profile, a third week, a fourth season, a fifth
            // TOU rate, 21 special days, a fourth threshold, five block prices.
            (
                "five day profiles",
                gas_body(
                    &(1..=5).map(|n| gas_day(n, &tou(1))).collect::<String>(),
                    &week,
                    &season,
                    "",
                    &gas_thresholds(&[1]),
                    &prices,
                ),
            ),
            (
                "three weeks",
                gas_body(
                    &two_days,
                    &(week.clone() + &gas_week(2, [1; 7]) + &gas_week(3, [1; 7])),
                    &season,
                    "",
                    &gas_thresholds(&[1]),
                    &prices,
                ),
            ),
            (
                "four seasons",
                gas_body(
                    &two_days,
                    &week,
                    &(1..=4).map(|m| gas_season(m, 1, 1)).collect::<String>(),
                    "",
                    &gas_thresholds(&[1]),
                    &prices,
                ),
            ),
            (
                "TOU rate 5",
                gas_body(
                    &(gas_day(1, &tou(5)) + &gas_day(2, &tou(2))),
                    &week,
                    &season,
                    "",
                    &gas_thresholds(&[1]),
                    &prices,
                ),
            ),
            (
                "TOU price 5",
                gas_body(
                    &two_days,
                    &week,
                    &season,
                    "",
                    &gas_thresholds(&[1]),
                    &gas_tou_prices(&[(1, 10), (2, 20), (5, 1)]),
                ),
            ),
            (
                "21 special days",
                gas_body(
                    &two_days,
                    &week,
                    &season,
                    &(1..=21).map(|d| gas_special(1, d, 1)).collect::<String>(),
                    &gas_thresholds(&[1]),
                    &prices,
                ),
            ),
            (
                "four thresholds",
                gas_body(
                    &gas_day(1, block),
                    &gas_week(1, [1; 7]),
                    &season,
                    "",
                    &gas_thresholds(&[1, 2, 3, 4]),
                    &gas_block_prices(&[1, 2]),
                ),
            ),
            (
                "five block prices",
                gas_body(
                    &gas_day(1, block),
                    &gas_week(1, [1; 7]),
                    &season,
                    "",
                    &gas_thresholds(&[1, 2, 3]),
                    &gas_block_prices(&[1, 2, 3, 4, 5]),
                ),
            ),
            (
                "more blocks than thresholds allow",
                gas_body(
                    &gas_day(1, block),
                    &gas_week(1, [1; 7]),
                    &season,
                    "",
                    &gas_thresholds(&[100]),
                    &gas_block_prices(&[1, 2, 3]),
                ),
            ),
            // Values out of range.
            (
                "negative price",
                gas_body(
                    &two_days,
                    &week,
                    &season,
                    "",
                    &gas_thresholds(&[1]),
                    &gas_tou_prices(&[(1, -1), (2, 20)]),
                ),
            ),
            (
                "price over 32 bits",
                gas_body(
                    &two_days,
                    &week,
                    &season,
                    "",
                    &gas_thresholds(&[1]),
                    &gas_tou_prices(&[(1, 4_294_967_296), (2, 20)]),
                ),
            ),
            (
                "threshold over 48 bits",
                gas_body(
                    &gas_day(1, block),
                    &gas_week(1, [1; 7]),
                    &season,
                    "",
                    &gas_thresholds(&[281_474_976_710_656]),
                    &gas_block_prices(&[1, 2]),
                ),
            ),
            (
                "thresholds falling",
                gas_body(
                    &gas_day(1, block),
                    &gas_week(1, [1; 7]),
                    &season,
                    "",
                    &gas_thresholds(&[200, 100]),
                    &gas_block_prices(&[1, 2]),
                ),
            ),
            (
                "month 13",
                gas_body(
                    &two_days,
                    &week,
                    &gas_season(13, 1, 1),
                    "",
                    &gas_thresholds(&[1]),
                    &prices,
                ),
            ),
            // Inconsistent: undefined references, kinds mixed, a TOU rate without a price.
            (
                "undefined day",
                gas_body(
                    &two_days,
                    &gas_week(1, [1, 1, 1, 1, 1, 3, 3]),
                    &season,
                    "",
                    &gas_thresholds(&[1]),
                    &prices,
                ),
            ),
            (
                "undefined week",
                gas_body(
                    &two_days,
                    &week,
                    &gas_season(3, 20, 2),
                    "",
                    &gas_thresholds(&[1]),
                    &prices,
                ),
            ),
            (
                "special day undefined",
                gas_body(
                    &two_days,
                    &week,
                    &season,
                    &gas_special(1, 1, 4),
                    &gas_thresholds(&[1]),
                    &prices,
                ),
            ),
            (
                "TOU and block mixed",
                gas_body(
                    &(gas_day(1, &tou(1)) + &gas_day(2, block)),
                    &week,
                    &season,
                    "",
                    &gas_thresholds(&[1]),
                    &prices,
                ),
            ),
            (
                "TOU days, block prices",
                gas_body(
                    &two_days,
                    &week,
                    &season,
                    "",
                    &gas_thresholds(&[1]),
                    &gas_block_prices(&[1, 2]),
                ),
            ),
            (
                "block days, TOU prices",
                gas_body(
                    &gas_day(1, block),
                    &gas_week(1, [1; 7]),
                    &season,
                    "",
                    &gas_thresholds(&[1]),
                    &prices,
                ),
            ),
            (
                "TOU rate without price",
                gas_body(
                    &two_days,
                    &week,
                    &season,
                    "",
                    &gas_thresholds(&[1]),
                    &gas_tou_prices(&[(1, 10)]),
                ),
            ),
        ];
        for (why, e) in bad {
            assert!(UpdateImportTariffPrimaryGas::parse(&e).is_err(), "{why}");
        }
    }

    #[test]
    fn every_electricity_tariff_template_parses() {
        let t = UpdateImportTariffPrimary::parse(&template(
            "ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML",
        ))
        .unwrap();
        assert!(t.currency_gbp);
        assert_eq!(t.switching.days.len(), 3);
        assert_eq!(
            t.switching.days[0].schedule[1],
            ProfileSchedule {
                start: [7, 0, 0, 0],
                action: TariffAction::Tou(3)
            }
        );
        assert_eq!(t.switching.weeks[0].days, [1, 1, 1, 1, 1, 3, 3]);
        assert_eq!(t.switching.seasons[1].name, "summer");
        assert_eq!(t.special_days[1].date.year, None);
        assert_eq!(t.thresholds[0], [u32::MAX]);
        assert_eq!(t.prices.tou, [(1, 2121), (2, 3127), (3, 4744)]);
        let b = UpdateImportTariffPrimary::parse(&template(
            "ECS01a_1.1.1_IMMEDIATE_BLOCK_SUCCESS_REQUEST_DUIS.XML",
        ))
        .unwrap();
        assert_eq!(b.thresholds[0], [10_000, 20_000, u32::MAX]);
        assert_eq!(
            b.prices.blocks,
            [(1, vec![(1, 1361), (2, 2289), (3, 5566)])]
        );
        for f in [
            "ECS01a_1.1.1_FUTURE_DATED_TOU_BLOCK_SUCCESS_REQUEST_DUIS.XML",
            "ECS01a_1.1.1_CANCELLATION_TOU_BLOCK_SUCCESS_REQUEST_DUIS.XML",
        ] {
            let t = UpdateImportTariffPrimary::parse(&template(f)).unwrap();
            assert!(t.execution_date_time.is_some(), "{f}");
        }
        for f in [
            "ECS01b_1.2.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML",
            "ECS01b_1.2.1_IMMEDIATE_BLOCK_SUCCESS_REQUEST_DUIS.XML",
            "ECS01b_1.2.1_FUTURE_DATED_TOU_BLOCK_SUCCESS_REQUEST_DUIS.XML",
            "ECS01b_1.2.1_CANCELLATION_TOU_BLOCK_SUCCESS_REQUEST_DUIS.XML",
        ] {
            UpdatePricePrimary::parse(&template(f)).unwrap();
        }
        for f in [
            "ECS01c_1.1.2_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
            "ECS01c_1.1.2_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML",
            "ECS01c_1.1.2_CANCELLATION_SUCCESS_REQUEST_DUIS.XML",
        ] {
            UpdateImportTariffSecondary::parse(&template(f)).unwrap();
        }
        for f in [
            "ECS01d_1.2.2_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
            "ECS01d_1.2.2_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML",
            "ECS01d_1.2.2_CANCELLATION_SUCCESS_REQUEST_DUIS.XML",
        ] {
            let p = UpdatePriceSecondary::parse(&template(f)).unwrap();
            assert_eq!(p.prices.price_scale, -5);
        }
    }

    fn body(xml: &str) -> Element {
        wrapped(&xml.replace("<", "<sr:").replace("<sr:/", "</sr:"))
    }

    const SECONDARY_PRICES: &str = "<PriceElements><PriceScale>-5</PriceScale><ElectricityPriceElement index=\"1\">1010</ElectricityPriceElement></PriceElements>";

    #[test]
    fn out_of_range_values_are_refused() {
        let ok = format!(
            "<UpdatePriceSecondaryElement>{SECONDARY_PRICES}</UpdatePriceSecondaryElement>"
        );
        UpdatePriceSecondary::parse(&body(&ok)).unwrap();
        for bad in [
            // A price beyond xs:short.
            ok.replace(">1010<", ">32768<"),
            // An index beyond 4.
            ok.replace("index=\"1\"", "index=\"5\""),
            // A scale beyond -128.
            ok.replace(">-5<", ">-129<"),
            // Five prices.
            ok.replace(
                "</PriceElements>",
                &"<ElectricityPriceElement index=\"2\">1</ElectricityPriceElement>".repeat(4),
            )
            .replace(
                "</UpdatePriceSecondaryElement>",
                "</PriceElements></UpdatePriceSecondaryElement>",
            ),
            // The same index twice.
            ok.replace(
                "</PriceElements>",
                "<ElectricityPriceElement index=\"1\">2</ElectricityPriceElement></PriceElements>",
            ),
        ] {
            assert!(UpdatePriceSecondary::parse(&body(&bad)).is_err(), "{bad}");
        }
        let mut t = template("ECS01a_1.1.1_IMMEDIATE_BLOCK_SUCCESS_REQUEST_DUIS.XML");
        // A fourth threshold.
        let tm = t
            .children
            .iter_mut()
            .find(|c| c.name == "ElecTariffElements")
            .unwrap()
            .children
            .iter_mut()
            .find(|c| c.name == "ThresholdMatrix")
            .unwrap();
        let mut extra = tm.children[0].children[0].clone();
        extra.attrs = vec![("index".into(), "3".into())];
        tm.children[0].children.push(extra);
        assert!(UpdateImportTariffPrimary::parse(&t).is_err());
    }

    #[test]
    fn overlapping_switching_times_and_undefined_references_are_refused() {
        let good = template("ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML");
        UpdateImportTariffPrimary::parse(&good).unwrap();
        fn table(e: &mut Element) -> &mut Element {
            let t = e
                .children
                .iter_mut()
                .find(|c| c.name == "ElecTariffElements")
                .unwrap();
            t.children
                .iter_mut()
                .find(|c| c.name == "SwitchingTable")
                .unwrap()
        }
        // Day profile 1's second switching time moved onto its first.
        let mut e = good.clone();
        let st = table(&mut e);
        st.children[0].children[0].children[2].children[0].text = "00:00:00.00Z".into();
        assert!(UpdateImportTariffPrimary::parse(&e).is_err());
        // A week naming day profile 9.
        let mut e = good.clone();
        let st = table(&mut e);
        st.children[1].children[0].children[1].text = "9".into();
        assert!(UpdateImportTariffPrimary::parse(&e).is_err());
    }

    #[test]
    fn xs_time_converts_to_utc() {
        let e = |t: &str| {
            let mut x = Element::new("StartTime");
            x.text = t.into();
            xs_time(&x, "StartTime")
        };
        assert_eq!(e("07:00:00.00Z").unwrap(), [7, 0, 0, 0]);
        assert_eq!(e("07:30:15.5+01:00").unwrap(), [6, 30, 15, 50]);
        assert_eq!(e("23:00:00").unwrap(), [23, 0, 0, 0]);
        assert!(e("24:00:00Z").is_err());
        assert!(e("7:00:00Z").is_err());
    }
}
