//! The GSME calendars (ZSE Calendar cluster) a read set's answer carries: Publish Day Profile,
//! Publish Week Profile, Publish Seasons and Publish Special Days, read from the components as
//! the tariff switching table (GCS21f, calendar type 0) and the non-disablement (friendly
//! credit) calendar (GCS21b, calendar type 3).
//!
//! ZSE dates are `year − 1900, month, day of month, day of week` with `FF` for "any"; a day
//! profile entry is a start time (minutes after midnight) and a price tier (tariff) or the
//! friendly credit enable flag (friendly credit: enabled is `START` of non-disablement).

use gbcs::gbz::{GbzBody, GbzComponent};

use super::MappingError;
use crate::xml::Xml;

/// ZSE Calendar cluster.
pub(crate) const CALENDAR: u16 = 0x0707;

/// A day profile: id and (start minute, tier or flag) entries.
pub(crate) struct DayProfile {
    pub id: u8,
    pub entries: Vec<(u16, u8)>,
}

/// The calendar's parts.
#[derive(Default)]
pub(crate) struct Calendar {
    pub days: Vec<DayProfile>,
    pub weeks: Vec<(u8, [u8; 7])>,
    pub seasons: Vec<([u8; 4], u8)>,
    pub special_days: Vec<([u8; 4], u8)>,
}

fn bad(what: &str) -> MappingError {
    MappingError(format!("malformed {what}"))
}

impl Calendar {
    /// The Calendar cluster's cluster-specific server commands among the components.
    pub(crate) fn of(components: &[GbzComponent]) -> Result<Self, MappingError> {
        let mut c = Calendar::default();
        for comp in components.iter().filter(|c| c.cluster == CALENDAR) {
            let GbzBody::Plain { zcl, .. } = &comp.body else {
                continue;
            };
            if zcl.frame_control & 0x03 != 0x01 {
                continue;
            }
            // Provider id, issuer event id, issuer calendar id.
            let p = zcl
                .payload
                .get(12..)
                .ok_or_else(|| bad("calendar command"))?;
            match zcl.command {
                0x01 => {
                    let [id, n, _, _, _, rest @ ..] = p else {
                        return Err(bad("day profile"));
                    };
                    let entries = rest
                        .chunks_exact(3)
                        .take(usize::from(*n))
                        .map(|e| (u16::from_le_bytes([e[0], e[1]]), e[2]))
                        .collect();
                    c.days.push(DayProfile { id: *id, entries });
                }
                0x02 => {
                    let [id, d @ ..] = p else {
                        return Err(bad("week profile"));
                    };
                    let days: [u8; 7] = d
                        .get(..7)
                        .and_then(|d| d.try_into().ok())
                        .ok_or_else(|| bad("week profile"))?;
                    c.weeks.push((*id, days));
                }
                0x03 => {
                    let rest = p.get(2..).ok_or_else(|| bad("seasons"))?;
                    for s in rest.chunks_exact(5) {
                        c.seasons.push(([s[0], s[1], s[2], s[3]], s[4]));
                    }
                }
                0x04 => {
                    let rest = p.get(8..).ok_or_else(|| bad("special days"))?;
                    for s in rest.chunks_exact(5) {
                        c.special_days.push(([s[0], s[1], s[2], s[3]], s[4]));
                    }
                }
                _ => {}
            }
        }
        Ok(c)
    }
}

/// A ZSE date as the schema's `GasDateWithWildcards`.
pub(crate) fn gas_date(x: &mut Xml, name: &str, d: [u8; 4]) -> Result<(), MappingError> {
    let [y, m, day, dow] = d;
    x.open(name, &[]);
    x.open("GasYearWithWildcards", &[]);
    match y {
        0xFF => x.empty("NonSpecifiedYear", &[]),
        114..=254 => x.leaf("SpecifiedYear", &(1900 + u16::from(y)).to_string()),
        _ => return Err(MappingError(format!("year {}", 1900 + u16::from(y)))),
    }
    x.close("GasYearWithWildcards");
    x.open("GasMonthWithWildcards", &[]);
    match m {
        0xFF => x.empty("NonSpecifiedMonth", &[]),
        1..=12 => x.leaf("SpecifiedMonth", &m.to_string()),
        _ => return Err(MappingError(format!("month {m}"))),
    }
    x.close("GasMonthWithWildcards");
    x.open("GasDayOfMonthWithWildcards", &[]);
    match day {
        0xFF => x.empty("GasNonSpecifiedDayOfMonth", &[]),
        1..=31 => x.leaf("SpecifiedDayOfMonth", &day.to_string()),
        _ => return Err(MappingError(format!("day of month {day}"))),
    }
    x.close("GasDayOfMonthWithWildcards");
    x.open("GasDayOfWeekWithWildcards", &[]);
    match dow {
        0xFF => x.empty("NonSpecifiedDayOfWeek", &[]),
        1..=7 => x.leaf("SpecifiedDayOfWeek", &dow.to_string()),
        _ => return Err(MappingError(format!("day of week {dow}"))),
    }
    x.close("GasDayOfWeekWithWildcards");
    x.close(name);
    Ok(())
}

fn in_range(v: u8, max: u8, what: &str) -> Result<u8, MappingError> {
    if (1..=max).contains(&v) {
        Ok(v)
    } else {
        Err(MappingError(format!("{what} {v} is not 1 to {max}")))
    }
}

fn time_of(minutes: u16) -> Result<String, MappingError> {
    if minutes < 24 * 60 {
        Ok(format!("{:02}:{:02}:00", minutes / 60, minutes % 60))
    } else {
        Err(MappingError(format!("start time {minutes} minutes")))
    }
}

/// The tariff's `TariffSwitchingTable` and `TariffSwitchingTableSpecialDays` (GCS21f).
pub(crate) fn tariff(x: &mut Xml, c: &Calendar) -> Result<(), MappingError> {
    x.open("TariffSwitchingTable", &[]);
    x.open("DayProfiles", &[]);
    for d in &c.days {
        x.open("DayProfile", &[]);
        x.leaf("DayName", &in_range(d.id, 4, "day id")?.to_string());
        match d.entries.first() {
            Some((_, tier @ 1..=4)) => x.leaf("TOUTariffAction", &tier.to_string()),
            _ => x.empty("BlockTariff", &[]),
        }
        x.close("DayProfile");
    }
    x.close("DayProfiles");
    x.open("WeekProfiles", &[]);
    for (id, days) in &c.weeks {
        x.open("WeekProfile", &[]);
        x.leaf("WeekName", &in_range(*id, 2, "week id")?.to_string());
        for (i, d) in days.iter().enumerate() {
            super::reads::indexed(
                x,
                "ReferencedDay",
                i + 1,
                &in_range(*d, 4, "day id")?.to_string(),
            );
        }
        x.close("WeekProfile");
    }
    x.close("WeekProfiles");
    x.open("Seasons", &[]);
    for (start, week) in &c.seasons {
        x.open("Season", &[]);
        gas_date(x, "SeasonStartDate", *start)?;
        x.leaf(
            "ReferencedWeekName",
            &in_range(*week, 2, "week id")?.to_string(),
        );
        x.close("Season");
    }
    x.close("Seasons");
    x.close("TariffSwitchingTable");
    x.open("TariffSwitchingTableSpecialDays", &[]);
    for (date, day) in &c.special_days {
        x.open("SpecialDay", &[]);
        gas_date(x, "Date", *date)?;
        x.leaf("ReferencedDay", &in_range(*day, 4, "day id")?.to_string());
        x.close("SpecialDay");
    }
    x.close("TariffSwitchingTableSpecialDays");
    Ok(())
}

/// The friendly credit calendar as `NonDisablementCalendar` (GCS21b).
pub(crate) fn non_disablement(x: &mut Xml, c: &Calendar) -> Result<(), MappingError> {
    x.open("NonDisablementCalendar", &[]);
    x.open("DayProfiles", &[]);
    for d in &c.days {
        x.open("GasNonDisablementDayProfile", &[]);
        for (i, (start, enable)) in d.entries.iter().take(3).enumerate() {
            x.open("TimeStartAction", &[("index", &(i + 1).to_string())]);
            x.leaf("StartTime", &time_of(*start)?);
            x.leaf(
                "NonDisablementAction",
                if *enable != 0 { "START" } else { "STOP" },
            );
            x.close("TimeStartAction");
        }
        x.leaf("GasDayName", &in_range(d.id, 5, "day id")?.to_string());
        x.close("GasNonDisablementDayProfile");
    }
    x.close("DayProfiles");
    x.open("WeekProfiles", &[]);
    for (id, days) in &c.weeks {
        x.open("WeekProfile", &[]);
        x.leaf("WeekName", &in_range(*id, 2, "week id")?.to_string());
        for (i, d) in days.iter().enumerate() {
            super::reads::indexed(
                x,
                "ReferencedDayName",
                i + 1,
                &in_range(*d, 5, "day id")?.to_string(),
            );
        }
        x.close("WeekProfile");
    }
    x.close("WeekProfiles");
    x.open("SeasonProfiles", &[]);
    for (start, week) in &c.seasons {
        x.open("Season", &[]);
        gas_date(x, "SeasonStartDate", *start)?;
        x.leaf(
            "ReferencedWeekName",
            &in_range(*week, 2, "week id")?.to_string(),
        );
        x.close("Season");
    }
    x.close("SeasonProfiles");
    x.open("SpecialDays", &[]);
    for (date, day) in &c.special_days {
        x.open("SpecialDay", &[]);
        gas_date(x, "Date", *date)?;
        x.leaf(
            "ReferencedDayName",
            &in_range(*day, 5, "day id")?.to_string(),
        );
        x.close("SpecialDay");
    }
    x.close("SpecialDays");
    x.close("NonDisablementCalendar");
    Ok(())
}
