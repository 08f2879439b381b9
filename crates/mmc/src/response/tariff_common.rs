//! The ESME tariff switching table (ECS24, ECS24b): the activity calendar's season profiles,
//! week profiles and day profiles (class 20 attributes 3–5) and the special days table
//! (class 11) as the schema's `TariffSwitchingTable` and `TariffSwitchingTableSpecialDays`.
//!
//! A day profile action's script selector says what the switch does: 1–48 a TOU rate of the
//! primary element, 101–108 a block tariff (rate 1–8), 201–204 a TOU rate of the secondary
//! element (as the RTDS ECS24/ECS24b answers use them).

use gbcs::axdr::Data;

use super::MappingError;
use super::reads::{cosem_time, integer};
use crate::xml::Xml;

/// Which element's switching table.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Element {
    Primary,
    Secondary,
}

fn bad(what: &str, d: &Data) -> MappingError {
    MappingError(format!("{what}: {d:?}"))
}

fn octets<'a>(d: &'a Data, what: &str) -> Result<&'a [u8], MappingError> {
    match d {
        Data::OctetString(b) => Ok(b),
        d => Err(bad(what, d)),
    }
}

fn fields<'a>(d: &'a Data, what: &str) -> Result<&'a [Data], MappingError> {
    match d {
        Data::Structure(f) | Data::Array(f) => Ok(f),
        d => Err(bad(what, d)),
    }
}

/// A COSEM date (year high, year low, month, day of month, day of week; the first five bytes
/// of a date-time) as the schema's `Date`.
pub(crate) fn date(x: &mut Xml, name: &str, b: &[u8]) -> Result<(), MappingError> {
    date_with(x, name, &[], b)
}

/// [`date`] with attributes on the element.
pub(crate) fn date_with(
    x: &mut Xml,
    name: &str,
    attrs: &[(&str, &str)],
    b: &[u8],
) -> Result<(), MappingError> {
    let [yh, yl, month, day, dow, ..] = *b else {
        return Err(MappingError(format!("date {b:02X?}")));
    };
    let year = u16::from_be_bytes([yh, yl]);
    x.open(name, attrs);
    x.open("Year", &[]);
    match year {
        0xFFFF => x.empty("NonSpecifiedYear", &[]),
        2014..=9999 => x.leaf("SpecifiedYear", &year.to_string()),
        _ => return Err(MappingError(format!("year {year}"))),
    }
    x.close("Year");
    x.open("Month", &[]);
    match month {
        0xFF => x.empty("NonSpecifiedMonth", &[]),
        1..=12 => x.leaf("SpecifiedMonth", &month.to_string()),
        _ => return Err(MappingError(format!("month {month}"))),
    }
    x.close("Month");
    x.open("DayOfMonth", &[]);
    match day {
        0xFF => x.empty("NonSpecifiedDayOfMonth", &[]),
        0xFE => x.empty("LastDayOfMonth", &[]),
        0xFD => x.empty("SecondLastDayOfMonth", &[]),
        1..=31 => x.leaf("SpecifiedDayOfMonth", &day.to_string()),
        _ => return Err(MappingError(format!("day of month {day}"))),
    }
    x.close("DayOfMonth");
    x.open("DayOfWeek", &[]);
    match dow {
        0xFF => x.empty("NonSpecifiedDayOfWeek", &[]),
        1..=7 => x.leaf("SpecifiedDayOfWeek", &dow.to_string()),
        _ => return Err(MappingError(format!("day of week {dow}"))),
    }
    x.close("DayOfWeek");
    x.close(name);
    Ok(())
}

/// A one-byte name (day id, week name) in `1..=max`.
fn small(d: &Data, what: &str, max: i128) -> Result<i128, MappingError> {
    let v = match d {
        Data::OctetString(b) if b.len() == 1 => i128::from(b[0]),
        d => integer(d).ok_or_else(|| bad(what, d))?,
    };
    if (1..=max).contains(&v) {
        Ok(v)
    } else {
        Err(MappingError(format!("{what} {v} is not 1 to {max}")))
    }
}

/// `TariffSwitchingTable` from the season, week and day profile tables.
pub(crate) fn switching_table(
    x: &mut Xml,
    seasons: &Data,
    weeks: &Data,
    days: &Data,
    element: Element,
) -> Result<(), MappingError> {
    x.open("TariffSwitchingTable", &[]);
    x.open("DayProfiles", &[]);
    for day in fields(days, "day profiles")? {
        let [id, actions] = fields(day, "day profile")? else {
            return Err(bad("day profile", day));
        };
        x.open("DayProfile", &[]);
        x.leaf("Day", &small(id, "day id", 16)?.to_string());
        for a in fields(actions, "day schedule")? {
            let f = fields(a, "day action")?;
            let (Some(time), Some(selector)) = (f.first(), f.get(2)) else {
                return Err(bad("day action", a));
            };
            let time =
                cosem_time(octets(time, "start time")?).ok_or_else(|| bad("start time", time))?;
            let selector = integer(selector).ok_or_else(|| bad("script selector", selector))?;
            x.open("ProfileSchedule", &[]);
            x.leaf("StartTime", &time);
            match (element, selector) {
                (Element::Primary, 1..=48) => x.leaf("TOUTariffAction", &selector.to_string()),
                (Element::Primary, 101..=108) => {
                    x.leaf("BlockTariffAction", &(selector - 100).to_string());
                }
                (Element::Secondary, 201..=204) => {
                    x.leaf("TOUTariffAction", &(selector - 200).to_string());
                }
                _ => return Err(MappingError(format!("script selector {selector}"))),
            }
            x.close("ProfileSchedule");
        }
        x.close("DayProfile");
    }
    x.close("DayProfiles");
    x.open("WeekProfiles", &[]);
    for week in fields(weeks, "week profiles")? {
        let f = fields(week, "week profile")?;
        let Some((name, days)) = f.split_first() else {
            return Err(bad("week profile", week));
        };
        x.open("WeekProfile", &[]);
        x.leaf("WeekName", &small(name, "week name", 4)?.to_string());
        for (i, d) in days.iter().take(7).enumerate() {
            super::reads::indexed(
                x,
                "ReferencedElecDay",
                i + 1,
                &small(d, "day id", 16)?.to_string(),
            );
        }
        x.close("WeekProfile");
    }
    x.close("WeekProfiles");
    x.open("Seasons", &[]);
    for season in fields(seasons, "season profiles")? {
        let [name, start, week] = fields(season, "season profile")? else {
            return Err(bad("season profile", season));
        };
        let name: String = octets(name, "season name")?
            .iter()
            .take(8)
            .map(|&c| {
                if (0x20..0x7F).contains(&c) {
                    char::from(c)
                } else {
                    '?'
                }
            })
            .collect();
        x.open("Season", &[]);
        x.leaf("SeasonName", &name);
        date(x, "SeasonStartDate", octets(start, "season start")?)?;
        x.leaf(
            "ReferencedWeekName",
            &small(week, "week name", 4)?.to_string(),
        );
        x.close("Season");
    }
    x.close("Seasons");
    x.close("TariffSwitchingTable");
    Ok(())
}

/// `TariffSwitchingTableSpecialDays` from the special days table (index, date, day id).
pub(crate) fn special_days(x: &mut Xml, table: &Data) -> Result<(), MappingError> {
    let entries = fields(table, "special days")?;
    if entries.len() > 50 {
        return Err(MappingError(format!(
            "{} special days, the schema holds 50",
            entries.len()
        )));
    }
    x.open("TariffSwitchingTableSpecialDays", &[]);
    for e in entries {
        let [_, when, day] = fields(e, "special day")? else {
            return Err(bad("special day", e));
        };
        x.open("SpecialDay", &[]);
        date(x, "Date", octets(when, "special day date")?)?;
        x.leaf("ReferencedDay", &small(day, "day id", 16)?.to_string());
        x.close("SpecialDay");
    }
    x.close("TariffSwitchingTableSpecialDays");
    Ok(())
}
