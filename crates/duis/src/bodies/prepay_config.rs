//! 2.1 Update Prepay Configuration (`sr:UpdatePrepayConfiguration`): an optional
//! `ExecutionDateTime`, then a choice of `UpdatePrepayConfigElectricity`
//! (`sr:UpdatePrepayConfigElec`) or `UpdatePrepayConfigGas`. Every element is checked against
//! the DUIS 5.4 content model: order, presence, occurrence bounds, enumerations and ranges.

use super::tariff::{date, index, int, many, small, xs_time};
use super::{BodyError, Seq, execution_date_time, expect, simple};
use crate::bodies::{DayOfMonth, TariffDate};
use crate::types::InvalidValue;
use crate::xml::{Element, is_xml_space};

/// A parsed `UpdatePrepayConfiguration` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdatePrepayConfiguration {
    /// `ExecutionDateTime`, as written, when the change is device-future-dated (or cancelled).
    pub execution_date_time: Option<String>,
    /// The configuration, electricity or gas.
    pub config: PrepayConfiguration,
}

/// The fuel's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrepayConfiguration {
    /// `UpdatePrepayConfigElectricity`.
    Electricity(Box<ElecPrepayConfiguration>),
    /// `UpdatePrepayConfigGas`.
    Gas(Box<GasPrepayConfiguration>),
}

/// A date of `ScheduleDatesAndTime` (xs:date; year 65535 is the "every year" wildcard the
/// templates use).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleDate {
    /// Year (65535: every year).
    pub year: u16,
    /// Month, 1…12.
    pub month: u8,
    /// Day of month, 1…31.
    pub day: u8,
}

/// One `ElectricityNonDisablementSchedule`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonDisablementSchedule {
    /// `NonDisablementScript`: `true` START, `false` STOP.
    pub start: bool,
    /// `SpecialDaysApplicability`: the special day ids (1…20) it applies to.
    pub special_days: Vec<u8>,
    /// `DaysOfWeekApplicability`: the days (1 Monday … 7 Sunday) it applies to.
    pub days_of_week: Vec<u8>,
    /// `SwitchTime` in UTC: hour, minute, second, hundredths.
    pub switch_time: [u8; 4],
    /// `StartDate`.
    pub start_date: ScheduleDate,
    /// `EndDate`.
    pub end_date: ScheduleDate,
}

/// `UpdatePrepayConfigElectricity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElecPrepayConfiguration {
    /// `DebtRecoveryRateCap` (xs:unsignedShort).
    pub debt_recovery_rate_cap: u16,
    /// `EmergencyCreditLimit` (xs:int).
    pub emergency_credit_limit: i32,
    /// `EmergencyCreditThreshold` (xs:int).
    pub emergency_credit_threshold: i32,
    /// `LowCreditThreshold` (xs:int).
    pub low_credit_threshold: i32,
    /// `ElectricitySpecialDays`: (index 1…20, date), at most 20.
    pub special_days: Vec<(u8, TariffDate)>,
    /// `ElectricityNonDisablementSchedule`s (1…22).
    pub schedule: Vec<NonDisablementSchedule>,
    /// `MaxMeterBalance` (xs:int).
    pub max_meter_balance: i32,
    /// `MaxCreditThreshold` (xs:int).
    pub max_credit_threshold: i32,
}

/// One `GasNonDisablementDayProfile`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GasNonDisablementDay {
    /// `GasDayName` (1…5).
    pub name: u8,
    /// `TimeStartAction`s (1…3): start time in UTC (hour, minute, second, hundredths) and
    /// `true` START / `false` STOP.
    pub actions: Vec<([u8; 4], bool)>,
}

/// `UpdatePrepayConfigGas`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GasPrepayConfiguration {
    /// `DebtRecoveryRateCap` (xs:int).
    pub debt_recovery_rate_cap: i32,
    /// `EmergencyCreditLimit` (xs:unsignedInt).
    pub emergency_credit_limit: u32,
    /// `EmergencyCreditThreshold` (xs:unsignedInt).
    pub emergency_credit_threshold: u32,
    /// `LowCreditThreshold` (xs:unsignedInt).
    pub low_credit_threshold: u32,
    /// `DayProfiles` (1…5).
    pub days: Vec<GasNonDisablementDay>,
    /// `WeekProfiles` (1…2): week name (1…2) and the day name of each day, Monday first.
    pub weeks: Vec<(u8, [u8; 7])>,
    /// `SeasonProfiles` (1…3): start date and week name.
    pub seasons: Vec<(TariffDate, u8)>,
    /// `SpecialDays` (0…20): date and day name.
    pub special_days: Vec<(TariffDate, u8)>,
    /// `MaxMeterBalance` (xs:unsignedInt).
    pub max_meter_balance: u32,
    /// `MaxCreditThreshold` (xs:unsignedInt).
    pub max_credit_threshold: u32,
}

fn i32_of(e: &Element, kind: &'static str) -> Result<i32, BodyError> {
    int(e, kind, i64::from(i32::MIN), i64::from(i32::MAX)).map(|v| v as i32)
}

fn u32_of(e: &Element, kind: &'static str) -> Result<u32, BodyError> {
    int(e, kind, 0, i64::from(u32::MAX)).map(|v| v as u32)
}

fn script(e: &Element, kind: &'static str) -> Result<bool, BodyError> {
    match simple(e, kind)?.trim_matches(is_xml_space) {
        "START" => Ok(true),
        "STOP" => Ok(false),
        other => Err(InvalidValue::new(kind, other).into()),
    }
}

/// An xs:date (`YYYY-MM-DD`, more year digits allowed, optional time zone); no negative years.
fn xs_date(e: &Element, kind: &'static str) -> Result<ScheduleDate, BodyError> {
    let raw = simple(e, kind)?.trim_matches(is_xml_space);
    let bad = || BodyError::from(InvalidValue::new(kind, raw));
    let main = if let Some(m) = raw.strip_suffix('Z') {
        m
    } else if raw.len() > 6 && matches!(raw.as_bytes()[raw.len() - 6], b'+' | b'-') {
        let (m, tz) = raw.split_at(raw.len() - 6);
        let ok = tz.as_bytes()[3] == b':'
            && tz[1..3].parse::<u8>().is_ok_and(|h| h <= 14)
            && tz[4..6].parse::<u8>().is_ok_and(|m| m <= 59);
        if !ok {
            return Err(bad());
        }
        m
    } else {
        raw
    };
    let parts: Vec<&str> = main.split('-').collect();
    let [y, m, d] = parts[..] else {
        return Err(bad());
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if y.len() < 4 || m.len() != 2 || d.len() != 2 || ![y, m, d].iter().all(|p| digits(p)) {
        return Err(bad());
    }
    let year: u16 = y.parse().map_err(|_| bad())?;
    let month: u8 = m.parse().map_err(|_| bad())?;
    let day: u8 = d.parse().map_err(|_| bad())?;
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let last = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return Err(bad()),
    };
    if year == 0 || !(1..=last).contains(&day) {
        return Err(bad());
    }
    Ok(ScheduleDate { year, month, day })
}

fn day_of_week(e: &Element) -> Result<u8, BodyError> {
    const DAYS: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let mut s = Seq::new(e, "DayOfWeekApplicability");
    let id = s.required("DayOfWeekID")?;
    let t = simple(id, "DayOfWeekID")?.trim_matches(is_xml_space);
    s.finish()?;
    DAYS.iter()
        .position(|d| *d == t)
        .map(|i| i as u8 + 1)
        .ok_or_else(|| InvalidValue::new("DayOfWeekID", t).into())
}

fn schedule(e: &Element) -> Result<NonDisablementSchedule, BodyError> {
    const NAME: &str = "ElectricityNonDisablementSchedule";
    let mut s = Seq::new(e, NAME);
    let start = script(s.required("NonDisablementScript")?, "NonDisablementScript")?;
    let sd = s.required("SpecialDaysApplicability")?;
    let mut sds = Seq::new(sd, "SpecialDaysApplicability");
    let special_days = many(&mut sds, "SpecialDayApplicability", 0, 20)?
        .into_iter()
        .map(|a| {
            let mut p = Seq::new(a, "SpecialDayApplicability");
            let v = small(p.required("SpecialDayID")?, "SpecialDayID", 1, 20)?;
            p.finish()?;
            Ok(v)
        })
        .collect::<Result<Vec<u8>, BodyError>>()?;
    sds.finish()?;
    let dw = s.required("DaysOfWeekApplicability")?;
    let mut dws = Seq::new(dw, "DaysOfWeekApplicability");
    let days_of_week = many(&mut dws, "DayOfWeekApplicability", 0, 7)?
        .into_iter()
        .map(day_of_week)
        .collect::<Result<Vec<u8>, BodyError>>()?;
    dws.finish()?;
    let t = s.required("ScheduleDatesAndTime")?;
    let mut ts = Seq::new(t, "ScheduleDatesAndTime");
    let switch_time = xs_time(ts.required("SwitchTime")?, "SwitchTime")?;
    let start_date = xs_date(ts.required("StartDate")?, "StartDate")?;
    let end_date = xs_date(ts.required("EndDate")?, "EndDate")?;
    ts.finish()?;
    s.finish()?;
    Ok(NonDisablementSchedule {
        start,
        special_days,
        days_of_week,
        switch_time,
        start_date,
        end_date,
    })
}

fn electricity(e: &Element) -> Result<ElecPrepayConfiguration, BodyError> {
    const NAME: &str = "UpdatePrepayConfigElectricity";
    let mut s = Seq::new(e, NAME);
    let debt_recovery_rate_cap = int(
        s.required("DebtRecoveryRateCap")?,
        "DebtRecoveryRateCap",
        0,
        i64::from(u16::MAX),
    )? as u16;
    let emergency_credit_limit =
        i32_of(s.required("EmergencyCreditLimit")?, "EmergencyCreditLimit")?;
    let emergency_credit_threshold = i32_of(
        s.required("EmergencyCreditThreshold")?,
        "EmergencyCreditThreshold",
    )?;
    let low_credit_threshold = i32_of(s.required("LowCreditThreshold")?, "LowCreditThreshold")?;
    let cal = s.required("ElectricityNonDisablementCalendar")?;
    let mut cs = Seq::new(cal, "ElectricityNonDisablementCalendar");
    let sd = cs.required("ElectricitySpecialDays")?;
    let mut sds = Seq::new(sd, "ElectricitySpecialDays");
    let special_days = many(&mut sds, "SpecialDay", 0, 20)?
        .into_iter()
        .map(|d| {
            let i = index(d, "SpecialDay index", 20)?;
            let mut p = Seq::new(d, "SpecialDay");
            let date = date(p.required("Date")?, "Date")?;
            p.finish()?;
            Ok((i, date))
        })
        .collect::<Result<Vec<_>, BodyError>>()?;
    sds.finish()?;
    let schedule = many(&mut cs, "ElectricityNonDisablementSchedule", 1, 22)?
        .into_iter()
        .map(schedule)
        .collect::<Result<Vec<_>, BodyError>>()?;
    cs.finish()?;
    let max_meter_balance = i32_of(s.required("MaxMeterBalance")?, "MaxMeterBalance")?;
    let max_credit_threshold = i32_of(s.required("MaxCreditThreshold")?, "MaxCreditThreshold")?;
    s.finish()?;
    Ok(ElecPrepayConfiguration {
        debt_recovery_rate_cap,
        emergency_credit_limit,
        emergency_credit_threshold,
        low_credit_threshold,
        special_days,
        schedule,
        max_meter_balance,
        max_credit_threshold,
    })
}

/// A `GasDateWithWildcards` ([`super::tariff::gas_date`]) as a [`TariffDate`].
fn tariff_date((year, month, day, day_of_week): super::tariff::GasDate) -> TariffDate {
    TariffDate {
        year,
        month,
        day_of_month: day.map_or(DayOfMonth::Any, DayOfMonth::Day),
        day_of_week,
    }
}

fn gas(e: &Element) -> Result<GasPrepayConfiguration, BodyError> {
    const NAME: &str = "UpdatePrepayConfigGas";
    let mut s = Seq::new(e, NAME);
    let debt_recovery_rate_cap = i32_of(s.required("DebtRecoveryRateCap")?, "DebtRecoveryRateCap")?;
    let emergency_credit_limit =
        u32_of(s.required("EmergencyCreditLimit")?, "EmergencyCreditLimit")?;
    let emergency_credit_threshold = u32_of(
        s.required("EmergencyCreditThreshold")?,
        "EmergencyCreditThreshold",
    )?;
    let low_credit_threshold = u32_of(s.required("LowCreditThreshold")?, "LowCreditThreshold")?;
    let cal = s.required("GasNonDisablementCalendar")?;
    let mut cs = Seq::new(cal, "GasNonDisablementCalendar");
    let dp = cs.required("DayProfiles")?;
    let mut dps = Seq::new(dp, "DayProfiles");
    let days = many(&mut dps, "GasNonDisablementDayProfile", 1, 5)?
        .into_iter()
        .map(|d| {
            let mut p = Seq::new(d, "GasNonDisablementDayProfile");
            let actions = many(&mut p, "TimeStartAction", 1, 3)?
                .into_iter()
                .map(|a| {
                    let mut q = Seq::new(a, "TimeStartAction");
                    let t = xs_time(q.required("StartTime")?, "StartTime")?;
                    let start =
                        script(q.required("NonDisablementAction")?, "NonDisablementAction")?;
                    q.finish()?;
                    Ok((t, start))
                })
                .collect::<Result<Vec<_>, BodyError>>()?;
            let name = small(p.required("GasDayName")?, "GasDayName", 1, 5)?;
            p.finish()?;
            Ok(GasNonDisablementDay { name, actions })
        })
        .collect::<Result<Vec<_>, BodyError>>()?;
    dps.finish()?;
    let weeks = super::tariff::gas_week_profiles(cs.required("WeekProfiles")?, 5)?;
    let seasons = super::tariff::gas_seasons(cs.required("SeasonProfiles")?, "SeasonProfiles")?
        .into_iter()
        .map(|(d, w)| (tariff_date(d), w))
        .collect();
    let special_days = super::tariff::gas_special_days(cs.required("SpecialDays")?, 5)?
        .into_iter()
        .map(|(d, n)| (tariff_date(d), n))
        .collect();
    cs.finish()?;
    let max_meter_balance = u32_of(s.required("MaxMeterBalance")?, "MaxMeterBalance")?;
    let max_credit_threshold = u32_of(s.required("MaxCreditThreshold")?, "MaxCreditThreshold")?;
    s.finish()?;
    Ok(GasPrepayConfiguration {
        debt_recovery_rate_cap,
        emergency_credit_limit,
        emergency_credit_threshold,
        low_credit_threshold,
        days,
        weeks,
        seasons,
        special_days,
        max_meter_balance,
        max_credit_threshold,
    })
}

impl UpdatePrepayConfiguration {
    /// Parses an `UpdatePrepayConfiguration` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdatePrepayConfiguration";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let c = s.choice()?;
        let config = match c.name.as_str() {
            "UpdatePrepayConfigElectricity" => {
                PrepayConfiguration::Electricity(Box::new(electricity(c)?))
            }
            "UpdatePrepayConfigGas" => PrepayConfiguration::Gas(Box::new(gas(c)?)),
            _ => return Err(s.unexpected(c)),
        };
        s.finish()?;
        Ok(Self {
            execution_date_time,
            config,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bodies::tests::body;

    fn template(name: &str) -> String {
        let dir = std::env::var("OPENDCC_CORPUS").unwrap_or_else(|_| "/work/shared/corpus".into());
        let x = std::fs::read_to_string(format!("{dir}/duis-templates/{name}")).unwrap();
        let a = x.find("<sr:UpdatePrepayConfiguration>").unwrap();
        let end = "</sr:UpdatePrepayConfiguration>";
        let b = x.find(end).unwrap() + end.len();
        x[a..b].to_string()
    }

    #[test]
    fn parses_the_electricity_templates() {
        let u = UpdatePrepayConfiguration::parse(&body(&template(
            "ECS08_2.1_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML",
        )))
        .unwrap();
        assert_eq!(
            u.execution_date_time.as_deref(),
            Some("2030-01-15T09:00:00.00Z")
        );
        let PrepayConfiguration::Electricity(e) = u.config else {
            panic!("not electricity")
        };
        assert_eq!(e.debt_recovery_rate_cap, 30);
        assert_eq!(
            (
                e.emergency_credit_limit,
                e.emergency_credit_threshold,
                e.low_credit_threshold,
                e.max_meter_balance,
                e.max_credit_threshold
            ),
            (300_000, 100_000, 200_000, 5_000_000, 1_000_000)
        );
        assert_eq!(e.special_days.len(), 5);
        assert_eq!(e.special_days[4].0, 5);
        assert_eq!(e.special_days[4].1.month, Some(8));
        assert_eq!(e.schedule.len(), 16);
        let s = &e.schedule[1];
        assert!(!s.start);
        assert_eq!(s.days_of_week, [6, 7]);
        assert_eq!(s.switch_time, [9, 30, 0, 0]);
        assert_eq!(
            s.start_date,
            ScheduleDate {
                year: 2014,
                month: 10,
                day: 27
            }
        );
        assert_eq!(e.schedule[6].start_date.year, 65535);
        assert_eq!(e.schedule[12].special_days, [1, 2, 5]);
        assert!(e.schedule[12].days_of_week.is_empty());
        let imm = UpdatePrepayConfiguration::parse(&body(&template(
            "ECS08_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
        )))
        .unwrap();
        assert_eq!(imm.execution_date_time, None);
    }

    #[test]
    fn parses_the_gas_templates() {
        let u = UpdatePrepayConfiguration::parse(&body(&template(
            "GCS05_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
        )))
        .unwrap();
        let PrepayConfiguration::Gas(g) = u.config else {
            panic!("not gas")
        };
        assert_eq!(g.debt_recovery_rate_cap, 100_000);
        assert_eq!(g.days.len(), 3);
        assert_eq!(g.days[0].actions[1], ([8, 0, 0, 0], false));
        assert_eq!(g.weeks[0], (1, [1, 1, 1, 1, 1, 3, 3]));
        assert_eq!(g.seasons.len(), 2);
        assert_eq!(g.seasons[0].0.year, Some(2014));
        assert_eq!(g.special_days.len(), 4);
        assert_eq!(g.special_days[2].0.year, None);
        assert_eq!(
            (g.max_meter_balance, g.max_credit_threshold),
            (25_000_000, 25_000_000)
        );
    }

    #[test]
    fn refuses_what_the_schema_refuses() {
        let e = template("ECS08_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML");
        let g = template("GCS05_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML");
        for bad in [
            // Out of range.
            e.replace(">30</sr:DebtRecoveryRateCap>", ">65536</sr:DebtRecoveryRateCap>"),
            e.replace(">300000<", ">2147483648<"),
            g.replace(">10000000<", ">-1<"),
            // Enumerations.
            e.replacen(">START<", ">BEGIN<", 1),
            e.replacen(">Saturday<", ">Samedi<", 1),
            g.replacen(">STOP<", ">HALT<", 1),
            // Dates and times.
            e.replacen("2014-10-27Z", "2014-13-27Z", 1),
            e.replacen("2015-03-28Z", "2015-02-30Z", 1),
            e.replacen("09:30:00.00Z", "24:30:00.00Z", 1),
            // Special day index out of 1…20, special day id out of range.
            e.replace("index=\"5\"", "index=\"21\""),
            e.replacen("<sr:SpecialDayID>1<", "<sr:SpecialDayID>21<", 1),
            // Gas names out of range, a week with a repeated day index.
            g.replace("<sr:GasDayName>3<", "<sr:GasDayName>6<"),
            g.replace("index=\"7\">3<", "index=\"6\">3<"),
            // Order, presence.
            e.replace("<sr:DebtRecoveryRateCap>30</sr:DebtRecoveryRateCap>", ""),
            e.replace(
                "<sr:MaxMeterBalance>5000000</sr:MaxMeterBalance>\n        <sr:MaxCreditThreshold>1000000</sr:MaxCreditThreshold>",
                "<sr:MaxCreditThreshold>1000000</sr:MaxCreditThreshold><sr:MaxMeterBalance>5000000</sr:MaxMeterBalance>",
            ),
            g.replace("<sr:SpecialDays>", "<sr:X/><sr:SpecialDays>"),
            // Both fuels, or neither.
            e.replace("</sr:UpdatePrepayConfigElectricity>", "</sr:UpdatePrepayConfigElectricity><sr:UpdatePrepayConfigGas/>"),
            "<sr:UpdatePrepayConfiguration/>".to_string(),
            // A bad execution time.
            e.replace("<sr:UpdatePrepayConfigElectricity>", "<sr:ExecutionDateTime>soon</sr:ExecutionDateTime><sr:UpdatePrepayConfigElectricity>"),
        ] {
            assert_ne!(bad, e);
            assert!(UpdatePrepayConfiguration::parse(&body(&bad)).is_err(), "{bad}");
        }
    }
}
