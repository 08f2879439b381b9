//! Bodies of the family 6 limits services: 6.4.1
//! `UpdateDeviceConfigurationLoadLimitingGeneralSettings` (an optional `ExecutionDateTime`, then
//! `LoadLimitPeriod`, `LoadLimitPowerThreshold`, `LoadLimitRestorationPeriod`, xs:unsignedInt,
//! and `LoadLimitSupplyState`, `Disable` or `Unchanged`); 6.4.2
//! `UpdateDeviceConfigurationLoadLimitingCounterReset` has no content
//! ([`super::FutureDatedOnly`]); 6.18.1 `SetMaximumDemandConfigurableTimePeriod` (an optional
//! `ExecutionDateTime`, then `MaximumDemandTimePeriodSchedule`: `StartTime`, `EndTime`,
//! xs:time, converted to UTC); 6.18.2 `ResetMaximumDemandRegisters` (an optional
//! `ExecutionDateTime`, then any of `MaxDemandActivePowerImportValue`,
//! `MaxDemandActivePowerExportValue`, `MaxDemandConfigTimeActivePowerImportValue`, in that
//! order, empty; this implementation refuses a body that names none: nothing to reset); 6.26
//! `UpdateDeviceConfigurationDailyResettingOfTariffBlockCounterMatrix`
//! (`DailyTariffBlockCounterMatrixReset`, xs:boolean); 6.25 `SetElectricitySupplyTamperState`
//! (`SupplyTamperState`, `Locked` or `Unchanged`); 6.14.1
//! `UpdateDeviceConfigurationALCDescriptions` (one to five `ALCSHCALCSDescription`, `index`
//! 1–5, `SwitchDescription` 1–22 printable characters; this implementation asks the indices to
//! increase, each switch named once).

use super::{BodyError, Seq, execution_date_time, expect, simple};
use crate::command_variant::parse_xs_unsigned;
use crate::types::InvalidValue;
use crate::xml::{Element, is_xml_space};

/// A parsed 6.4.1 `UpdateDeviceConfigurationLoadLimitingGeneralSettings` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadLimitingGeneralSettings {
    /// `ExecutionDateTime`, as written, when device-future-dated (or cancelled).
    pub execution_date_time: Option<String>,
    /// `LoadLimitPeriod`, seconds.
    pub period: u32,
    /// `LoadLimitPowerThreshold`, W.
    pub power_threshold: u32,
    /// `LoadLimitRestorationPeriod`, seconds.
    pub restoration_period: u32,
    /// `LoadLimitSupplyState`: `Disable` (true) or `Unchanged` (false).
    pub disable_supply: bool,
}

fn unsigned_int(e: &Element, kind: &'static str) -> Result<u32, BodyError> {
    let t = simple(e, kind)?;
    parse_xs_unsigned(t)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| InvalidValue::new(kind, t).into())
}

impl LoadLimitingGeneralSettings {
    /// Parses an `UpdateDeviceConfigurationLoadLimitingGeneralSettings` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdateDeviceConfigurationLoadLimitingGeneralSettings";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let period = unsigned_int(s.required("LoadLimitPeriod")?, "LoadLimitPeriod")?;
        let power_threshold = unsigned_int(
            s.required("LoadLimitPowerThreshold")?,
            "LoadLimitPowerThreshold",
        )?;
        let restoration_period = unsigned_int(
            s.required("LoadLimitRestorationPeriod")?,
            "LoadLimitRestorationPeriod",
        )?;
        let state = simple(s.required("LoadLimitSupplyState")?, "LoadLimitSupplyState")?;
        let disable_supply = match state.trim_matches(is_xml_space) {
            "Disable" => true,
            "Unchanged" => false,
            _ => return Err(InvalidValue::new("LoadLimitSupplyState", state).into()),
        };
        s.finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(NAME, &body.text).into());
        }
        Ok(Self {
            execution_date_time,
            period,
            power_threshold,
            restoration_period,
            disable_supply,
        })
    }
}

/// A parsed 6.18.1 `SetMaximumDemandConfigurableTimePeriod` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetMaximumDemandConfigurableTimePeriod {
    /// `ExecutionDateTime`, as written (the gateway's DSP hold).
    pub execution_date_time: Option<String>,
    /// `StartTime` in UTC: hour, minute, second, hundredths.
    pub start: [u8; 4],
    /// `EndTime` in UTC.
    pub end: [u8; 4],
}

impl SetMaximumDemandConfigurableTimePeriod {
    /// Parses a `SetMaximumDemandConfigurableTimePeriod` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "SetMaximumDemandConfigurableTimePeriod";
        const SCHEDULE: &str = "MaximumDemandTimePeriodSchedule";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let e = s.required(SCHEDULE)?;
        s.finish()?;
        let mut p = Seq::new(e, SCHEDULE);
        let start = super::tariff::xs_time(p.required("StartTime")?, "StartTime")?;
        let end = super::tariff::xs_time(p.required("EndTime")?, "EndTime")?;
        p.finish()?;
        for (el, name) in [(body, NAME), (e, SCHEDULE)] {
            if !el.trimmed_text().is_empty() {
                return Err(InvalidValue::new(name, &el.text).into());
            }
        }
        Ok(Self {
            execution_date_time,
            start,
            end,
        })
    }
}

/// A parsed 6.18.2 `ResetMaximumDemandRegisters` body: which registers to reset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetMaximumDemandRegisters {
    /// `ExecutionDateTime`, as written (the gateway's DSP hold).
    pub execution_date_time: Option<String>,
    /// `MaxDemandActivePowerImportValue`.
    pub import: bool,
    /// `MaxDemandActivePowerExportValue`.
    pub export: bool,
    /// `MaxDemandConfigTimeActivePowerImportValue`.
    pub configurable: bool,
}

impl ResetMaximumDemandRegisters {
    /// Parses a `ResetMaximumDemandRegisters` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "ResetMaximumDemandRegisters";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let mut flag = |name: &'static str| -> Result<bool, BodyError> {
            match s.optional(name) {
                Some(e) => {
                    Seq::new(e, name).finish()?;
                    if !e.trimmed_text().is_empty() {
                        return Err(InvalidValue::new(name, &e.text).into());
                    }
                    Ok(true)
                }
                None => Ok(false),
            }
        };
        let import = flag("MaxDemandActivePowerImportValue")?;
        let export = flag("MaxDemandActivePowerExportValue")?;
        let configurable = flag("MaxDemandConfigTimeActivePowerImportValue")?;
        s.finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(NAME, &body.text).into());
        }
        if !(import || export || configurable) {
            return Err(InvalidValue::new(NAME, "no register to reset").into());
        }
        Ok(Self {
            execution_date_time,
            import,
            export,
            configurable,
        })
    }
}

/// Parses a body element `name` of one simple child `child`, returning its text.
fn one_child<'a>(
    body: &'a Element,
    name: &'static str,
    child: &'static str,
) -> Result<&'a str, BodyError> {
    expect(body, name)?;
    let mut s = Seq::new(body, name);
    let e = s.required(child)?;
    s.finish()?;
    if !body.trimmed_text().is_empty() {
        return Err(InvalidValue::new(name, &body.text).into());
    }
    simple(e, child)
}

/// A parsed 6.26 `UpdateDeviceConfigurationDailyResettingOfTariffBlockCounterMatrix` body:
/// `DailyTariffBlockCounterMatrixReset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyBlockCounterReset {
    /// Reset the matrix every day.
    pub daily: bool,
}

impl DailyBlockCounterReset {
    /// Parses the body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const CHILD: &str = "DailyTariffBlockCounterMatrixReset";
        let t = one_child(
            body,
            "UpdateDeviceConfigurationDailyResettingOfTariffBlockCounterMatrix",
            CHILD,
        )?;
        let daily = crate::request::parse_xs_boolean(t)
            .ok_or_else(|| BodyError::from(InvalidValue::new(CHILD, t)))?;
        Ok(Self { daily })
    }
}

/// A parsed 6.25 `SetElectricitySupplyTamperState` body: `SupplyTamperState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetElectricitySupplyTamperState {
    /// `Locked` (true) or `Unchanged` (false).
    pub locked: bool,
}

impl SetElectricitySupplyTamperState {
    /// Parses the body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const CHILD: &str = "SupplyTamperState";
        let t = one_child(body, "SetElectricitySupplyTamperState", CHILD)?;
        let locked = match t.trim_matches(is_xml_space) {
            "Locked" => true,
            "Unchanged" => false,
            _ => return Err(InvalidValue::new(CHILD, t).into()),
        };
        Ok(Self { locked })
    }
}

/// A parsed 6.14.1 `UpdateDeviceConfigurationALCDescriptions` body: (switch, description),
/// switches increasing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlcDescriptions(pub Vec<(u8, String)>);

impl AlcDescriptions {
    /// Parses the body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdateDeviceConfigurationALCDescriptions";
        const ITEM: &str = "ALCSHCALCSDescription";
        expect(body, NAME)?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(NAME, &body.text).into());
        }
        let mut s = Seq::new(body, NAME);
        let mut out: Vec<(u8, String)> = Vec::new();
        while let Some(e) = s.optional(ITEM) {
            let raw = e.attr("index").ok_or(BodyError::Missing {
                parent: ITEM,
                name: "index",
            })?;
            let index = parse_xs_unsigned(raw)
                .and_then(|v| u8::try_from(v).ok())
                .filter(|v| (1..=5).contains(v))
                .ok_or_else(|| BodyError::from(InvalidValue::new("index", raw)))?;
            if out.last().is_some_and(|(p, _)| *p >= index) || out.len() == 5 {
                return Err(InvalidValue::new("index", raw).into());
            }
            let mut c = Seq::new(e, ITEM);
            let d = simple(c.required("SwitchDescription")?, "SwitchDescription")?;
            c.finish()?;
            if !e.trimmed_text().is_empty() {
                return Err(InvalidValue::new(ITEM, &e.text).into());
            }
            if d.is_empty() || d.len() > 22 || !d.bytes().all(|b| (0x20..=0x7E).contains(&b)) {
                return Err(InvalidValue::new("SwitchDescription", d).into());
            }
            out.push((index, d.to_owned()));
        }
        s.finish()?;
        if out.is_empty() {
            return Err(BodyError::Missing {
                parent: NAME,
                name: ITEM,
            });
        }
        Ok(Self(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{ParseLimits, parse_element};

    fn body(inner: &str) -> Element {
        let doc = format!(
            r#"<sr:X xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway">{inner}</sr:X>"#
        );
        let mut root = parse_element(doc.as_bytes(), &ParseLimits::default()).unwrap();
        root.children.remove(0)
    }

    fn settings(exec: &str, p: &str, t: &str, r: &str, s: &str) -> Element {
        body(&format!(
            "<sr:UpdateDeviceConfigurationLoadLimitingGeneralSettings>{exec}<sr:LoadLimitPeriod>{p}</sr:LoadLimitPeriod><sr:LoadLimitPowerThreshold>{t}</sr:LoadLimitPowerThreshold><sr:LoadLimitRestorationPeriod>{r}</sr:LoadLimitRestorationPeriod><sr:LoadLimitSupplyState>{s}</sr:LoadLimitSupplyState></sr:UpdateDeviceConfigurationLoadLimitingGeneralSettings>"
        ))
    }

    #[test]
    fn the_templates_parse() {
        let b = settings("", "300", "6900", "30", "Disable");
        assert_eq!(
            LoadLimitingGeneralSettings::parse(&b),
            Ok(LoadLimitingGeneralSettings {
                execution_date_time: None,
                period: 300,
                power_threshold: 6900,
                restoration_period: 30,
                disable_supply: true,
            })
        );
        let exec = "<sr:ExecutionDateTime>2030-01-15T09:00:00.00Z</sr:ExecutionDateTime>";
        let b = settings(exec, "+0", " 4294967295 ", "0", "Unchanged");
        let p = LoadLimitingGeneralSettings::parse(&b).unwrap();
        assert_eq!(
            p.execution_date_time.as_deref(),
            Some("2030-01-15T09:00:00.00Z")
        );
        assert_eq!(
            (p.period, p.power_threshold, p.disable_supply),
            (0, u32::MAX, false)
        );
    }

    #[test]
    fn values_outside_their_types_are_refused() {
        for (p, t, r, s) in [
            ("4294967296", "1", "1", "Disable"),
            ("1", "-1", "1", "Disable"),
            ("1", "1", "1.5", "Disable"),
            ("1", "1", "", "Disable"),
            ("1", "1", "1", "Enable"),
            ("1", "1", "1", "disable"),
        ] {
            let b = settings("", p, t, r, s);
            assert!(
                LoadLimitingGeneralSettings::parse(&b).is_err(),
                "{p} {t} {r} {s}"
            );
        }
        let exec = "<sr:ExecutionDateTime>tomorrow</sr:ExecutionDateTime>";
        assert!(
            LoadLimitingGeneralSettings::parse(&settings(exec, "1", "1", "1", "Disable")).is_err()
        );
        // Order and presence.
        let b = body(
            "<sr:UpdateDeviceConfigurationLoadLimitingGeneralSettings><sr:LoadLimitPowerThreshold>1</sr:LoadLimitPowerThreshold><sr:LoadLimitPeriod>1</sr:LoadLimitPeriod><sr:LoadLimitRestorationPeriod>1</sr:LoadLimitRestorationPeriod><sr:LoadLimitSupplyState>Disable</sr:LoadLimitSupplyState></sr:UpdateDeviceConfigurationLoadLimitingGeneralSettings>",
        );
        assert!(LoadLimitingGeneralSettings::parse(&b).is_err());
        let b = body(
            "<sr:UpdateDeviceConfigurationLoadLimitingGeneralSettings><sr:LoadLimitPeriod>1</sr:LoadLimitPeriod></sr:UpdateDeviceConfigurationLoadLimitingGeneralSettings>",
        );
        assert!(LoadLimitingGeneralSettings::parse(&b).is_err());
    }

    #[test]
    fn maximum_demand_bodies() {
        let b = body(
            "<sr:SetMaximumDemandConfigurableTimePeriod><sr:MaximumDemandTimePeriodSchedule><sr:StartTime>17:00:00.00Z</sr:StartTime><sr:EndTime>22:00:00.00Z</sr:EndTime></sr:MaximumDemandTimePeriodSchedule></sr:SetMaximumDemandConfigurableTimePeriod>",
        );
        let p = SetMaximumDemandConfigurableTimePeriod::parse(&b).unwrap();
        assert_eq!((p.start, p.end), ([17, 0, 0, 0], [22, 0, 0, 0]));
        for bad in ["25:00:00Z", "17:00", "noon"] {
            let b = body(&format!(
                "<sr:SetMaximumDemandConfigurableTimePeriod><sr:MaximumDemandTimePeriodSchedule><sr:StartTime>{bad}</sr:StartTime><sr:EndTime>22:00:00.00Z</sr:EndTime></sr:MaximumDemandTimePeriodSchedule></sr:SetMaximumDemandConfigurableTimePeriod>"
            ));
            assert!(
                SetMaximumDemandConfigurableTimePeriod::parse(&b).is_err(),
                "{bad}"
            );
        }
        let b = body(
            "<sr:ResetMaximumDemandRegisters><sr:MaxDemandActivePowerImportValue/><sr:MaxDemandActivePowerExportValue/><sr:MaxDemandConfigTimeActivePowerImportValue/></sr:ResetMaximumDemandRegisters>",
        );
        let r = ResetMaximumDemandRegisters::parse(&b).unwrap();
        assert!(r.import && r.export && r.configurable);
        let b = body(
            "<sr:ResetMaximumDemandRegisters><sr:MaxDemandConfigTimeActivePowerImportValue/></sr:ResetMaximumDemandRegisters>",
        );
        let r = ResetMaximumDemandRegisters::parse(&b).unwrap();
        assert!(!r.import && !r.export && r.configurable);
        for bad in [
            "<sr:ResetMaximumDemandRegisters/>",
            "<sr:ResetMaximumDemandRegisters><sr:MaxDemandActivePowerExportValue/><sr:MaxDemandActivePowerImportValue/></sr:ResetMaximumDemandRegisters>",
            "<sr:ResetMaximumDemandRegisters><sr:MaxDemandActivePowerExportValue>1</sr:MaxDemandActivePowerExportValue></sr:ResetMaximumDemandRegisters>",
        ] {
            assert!(
                ResetMaximumDemandRegisters::parse(&body(bad)).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn daily_reset_and_tamper_bodies() {
        let d = |v: &str| {
            body(&format!(
                "<sr:UpdateDeviceConfigurationDailyResettingOfTariffBlockCounterMatrix><sr:DailyTariffBlockCounterMatrixReset>{v}</sr:DailyTariffBlockCounterMatrixReset></sr:UpdateDeviceConfigurationDailyResettingOfTariffBlockCounterMatrix>"
            ))
        };
        assert_eq!(
            DailyBlockCounterReset::parse(&d("true")).map(|b| b.daily),
            Ok(true)
        );
        assert_eq!(
            DailyBlockCounterReset::parse(&d(" 0 ")).map(|b| b.daily),
            Ok(false)
        );
        assert!(DailyBlockCounterReset::parse(&d("yes")).is_err());
        let t = |v: &str| {
            body(&format!(
                "<sr:SetElectricitySupplyTamperState><sr:SupplyTamperState>{v}</sr:SupplyTamperState></sr:SetElectricitySupplyTamperState>"
            ))
        };
        assert_eq!(
            SetElectricitySupplyTamperState::parse(&t("Locked")).map(|b| b.locked),
            Ok(true)
        );
        assert_eq!(
            SetElectricitySupplyTamperState::parse(&t("Unchanged")).map(|b| b.locked),
            Ok(false)
        );
        assert!(SetElectricitySupplyTamperState::parse(&t("Armed")).is_err());
        assert!(
            SetElectricitySupplyTamperState::parse(&body("<sr:SetElectricitySupplyTamperState/>"))
                .is_err()
        );
    }

    #[test]
    fn alc_descriptions() {
        let d = |items: &str| {
            body(&format!(
                "<sr:UpdateDeviceConfigurationALCDescriptions>{items}</sr:UpdateDeviceConfigurationALCDescriptions>"
            ))
        };
        let item = |i: &str, t: &str| {
            format!(
                "<sr:ALCSHCALCSDescription index=\"{i}\"><sr:SwitchDescription>{t}</sr:SwitchDescription></sr:ALCSHCALCSDescription>"
            )
        };
        let ok = d(&format!("{}{}", item("2", "Label2"), item("4", "Label 4")));
        assert_eq!(
            AlcDescriptions::parse(&ok).unwrap().0,
            vec![(2, "Label2".to_owned()), (4, "Label 4".to_owned())]
        );
        for bad in [
            String::new(),
            item("6", "x"),
            item("0", "x"),
            item("1", ""),
            item("1", &"a".repeat(23)),
            format!("{}{}", item("2", "a"), item("2", "b")),
            format!("{}{}", item("3", "a"), item("1", "b")),
        ] {
            assert!(AlcDescriptions::parse(&d(&bad)).is_err(), "{bad}");
        }
    }
}

/// One 6.14.2 `ALCSHCALCSConnectionSchedule`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlcConnectionSchedule {
    /// `ActivateDeactivateSwitch` `index` (1–5).
    pub switch: u8,
    /// `ActivateSwitch` (true) or `DeactivateSwitch`.
    pub activate: bool,
    /// `SpecialDaysApplicability` indices (1–20).
    pub special_days: Vec<u8>,
    /// `DaysOfWeekApplicability`: the days (1 Monday … 7 Sunday).
    pub days_of_week: Vec<u8>,
    /// `SwitchTime` in UTC: hour, minute, second, hundredths.
    pub switch_time: [u8; 4],
    /// `StartDate`.
    pub start_date: super::TariffDate,
    /// `EndDate`.
    pub end_date: super::TariffDate,
}

/// A parsed 6.14.2 `UpdateDeviceConfigurationALCScheduler` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlcScheduler {
    /// `ExecutionDateTime`, as written.
    pub execution_date_time: Option<String>,
    /// `ALCSHCALCSConnectionSchedule`s (1–48).
    pub schedule: Vec<AlcConnectionSchedule>,
    /// `ALCSHCALCSSpecialDay`s (0–20): index and date.
    pub special_days: Vec<(u8, super::TariffDate)>,
    /// `SwitchTypeAndId`s (0–5, indices increasing): the switch and its HCALCS (`None`: ALCS).
    pub switches: Vec<(u8, Option<eui::Eui64>)>,
}

fn alc_day_of_week(e: &Element) -> Result<u8, BodyError> {
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
    let t = simple(s.required("DayOfWeekID")?, "DayOfWeekID")?.trim_matches(is_xml_space);
    s.finish()?;
    DAYS.iter()
        .position(|d| *d == t)
        .and_then(|i| u8::try_from(i + 1).ok())
        .ok_or_else(|| InvalidValue::new("DayOfWeekID", t).into())
}

/// The applicability and timing every auxiliary calendar entry (6.14.2, 6.14.3) carries after
/// its action: `SpecialDaysApplicability` (0–20, the attribute `attr`, 1–20, each once), the
/// optional `DaysOfWeekApplicability`, then `dates` (`SwitchTime`, `StartDate`, `EndDate`).
struct EntryTiming {
    special_days: Vec<u8>,
    days_of_week: Vec<u8>,
    switch_time: [u8; 4],
    start_date: super::TariffDate,
    end_date: super::TariffDate,
}

fn attr_in(e: &Element, attr: &'static str, kind: &'static str, hi: u8) -> Result<u8, BodyError> {
    let raw = e.attr(attr).ok_or(BodyError::Missing {
        parent: kind,
        name: attr,
    })?;
    parse_xs_unsigned(raw)
        .and_then(|v| u8::try_from(v).ok())
        .filter(|v| (1..=hi).contains(v))
        .ok_or_else(|| InvalidValue::new(kind, raw).into())
}

fn entry_timing(
    s: &mut Seq<'_>,
    attr: &'static str,
    dates: &'static str,
) -> Result<EntryTiming, BodyError> {
    use super::tariff::{date, empty, many, xs_time};
    let mut special_days = Vec::new();
    for d in many(s, "SpecialDaysApplicability", 0, 20)? {
        empty(d, "SpecialDaysApplicability")?;
        let i = attr_in(d, attr, "SpecialDaysApplicability", 20)?;
        if special_days.contains(&i) {
            return Err(InvalidValue::new("SpecialDaysApplicability", &i.to_string()).into());
        }
        special_days.push(i);
    }
    let mut days_of_week = Vec::new();
    if let Some(dw) = s.optional("DaysOfWeekApplicability") {
        let mut dws = Seq::new(dw, "DaysOfWeekApplicability");
        for d in many(&mut dws, "DayOfWeekApplicability", 0, 7)? {
            let d = alc_day_of_week(d)?;
            if days_of_week.contains(&d) {
                return Err(InvalidValue::new("DayOfWeekID", &d.to_string()).into());
            }
            days_of_week.push(d);
        }
        dws.finish()?;
    }
    let t = s.required(dates)?;
    let mut ts = Seq::new(t, dates);
    let switch_time = xs_time(ts.required("SwitchTime")?, "SwitchTime")?;
    let start_date = date(ts.required("StartDate")?, "StartDate")?;
    let end_date = date(ts.required("EndDate")?, "EndDate")?;
    ts.finish()?;
    Ok(EntryTiming {
        special_days,
        days_of_week,
        switch_time,
        start_date,
        end_date,
    })
}

fn alc_schedule(e: &Element) -> Result<AlcConnectionSchedule, BodyError> {
    use super::tariff::{empty, index};
    const NAME: &str = "ALCSHCALCSConnectionSchedule";
    let mut s = Seq::new(e, NAME);
    let a = s.required("ActivateDeactivateSwitch")?;
    let switch = index(a, "ActivateDeactivateSwitch index", 5)?;
    let mut aseq = Seq::new(a, "ActivateDeactivateSwitch");
    let c = aseq.choice()?;
    let activate = match c.name.as_str() {
        "ActivateSwitch" => true,
        "DeactivateSwitch" => false,
        _ => return Err(aseq.unexpected(c)),
    };
    empty(c, "ActivateDeactivateSwitch")?;
    aseq.finish()?;
    let t = entry_timing(&mut s, "index", "ALCSScheduleDatesAndTime")?;
    s.finish()?;
    Ok(AlcConnectionSchedule {
        switch,
        activate,
        special_days: t.special_days,
        days_of_week: t.days_of_week,
        switch_time: t.switch_time,
        start_date: t.start_date,
        end_date: t.end_date,
    })
}

impl AlcScheduler {
    /// Parses the body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        use super::tariff::{date, empty, index, many};
        const NAME: &str = "UpdateDeviceConfigurationALCScheduler";
        expect(body, NAME)?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(NAME, &body.text).into());
        }
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let schedule = many(&mut s, "ALCSHCALCSConnectionSchedule", 1, 48)?
            .into_iter()
            .map(alc_schedule)
            .collect::<Result<Vec<_>, _>>()?;
        let sd = s.required("ALCSHCALCSSpecialDays")?;
        let mut sds = Seq::new(sd, "ALCSHCALCSSpecialDays");
        let mut special_days: Vec<(u8, super::TariffDate)> = Vec::new();
        for d in many(&mut sds, "ALCSHCALCSSpecialDay", 0, 20)? {
            let i = index(d, "ALCSHCALCSSpecialDay index", 20)?;
            if special_days.iter().any(|(p, _)| *p == i) {
                return Err(InvalidValue::new("ALCSHCALCSSpecialDay index", &i.to_string()).into());
            }
            special_days.push((i, date(d, "ALCSHCALCSSpecialDay")?));
        }
        sds.finish()?;
        let mut switches: Vec<(u8, Option<eui::Eui64>)> = Vec::new();
        for e in many(&mut s, "SwitchTypeAndId", 0, 5)? {
            let i = index(e, "SwitchTypeAndId index", 5)?;
            if switches.last().is_some_and(|(p, _)| *p >= i) {
                return Err(InvalidValue::new("SwitchTypeAndId index", &i.to_string()).into());
            }
            let mut es = Seq::new(e, "SwitchTypeAndId");
            let c = es.choice()?;
            let id = match c.name.as_str() {
                "ALCS" => {
                    empty(c, "ALCS")?;
                    None
                }
                "HCALCS" => Some(super::eui(c, "HCALCS")?),
                _ => return Err(es.unexpected(c)),
            };
            es.finish()?;
            switches.push((i, id));
        }
        s.finish()?;
        Ok(Self {
            execution_date_time,
            schedule,
            special_days,
            switches,
        })
    }
}

/// One 6.14.3 `AuxiliaryControllerSchedule`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuxControllerSchedule {
    /// `AuxiliaryControllerAction` `auxiliaryControllerN` (1–5).
    pub controller: u8,
    /// `CommandedStateLevel` (0–100).
    pub level: u8,
    /// `InputFromControlledLoad` present (an APC's input).
    pub input_from_controlled_load: bool,
    /// `SpecialDaysApplicability` identifiers (1–20).
    pub special_days: Vec<u8>,
    /// `DaysOfWeekApplicability`: the days (1 Monday … 7 Sunday).
    pub days_of_week: Vec<u8>,
    /// `SwitchTime` in UTC: hour, minute, second, hundredths.
    pub switch_time: [u8; 4],
    /// `StartDate`.
    pub start_date: super::TariffDate,
    /// `EndDate`.
    pub end_date: super::TariffDate,
}

/// A parsed 6.14.3 `UpdateDeviceConfigurationAuxiliaryControllerScheduler` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuxControllerScheduler {
    /// `ExecutionDateTime`, as written.
    pub execution_date_time: Option<String>,
    /// `AuxiliaryControllerSchedule`s (0–120).
    pub schedule: Vec<AuxControllerSchedule>,
    /// `AuxiliaryControllerSpecialDayDefinition`s (0–20): identifier and date.
    pub special_days: Vec<(u8, super::TariffDate)>,
}

fn aux_controller_schedule(e: &Element) -> Result<AuxControllerSchedule, BodyError> {
    use super::tariff::empty;
    const NAME: &str = "AuxiliaryControllerSchedule";
    const ACTION: &str = "AuxiliaryControllerAction";
    let mut s = Seq::new(e, NAME);
    let a = s.required(ACTION)?;
    let controller = attr_in(a, "auxiliaryControllerN", ACTION, 5)?;
    let mut aseq = Seq::new(a, ACTION);
    let l = aseq.required("CommandedStateLevel")?;
    let t = simple(l, "CommandedStateLevel")?;
    let level = parse_xs_unsigned(t)
        .and_then(|v| u8::try_from(v).ok())
        .filter(|v| *v <= 100)
        .ok_or_else(|| BodyError::from(InvalidValue::new("CommandedStateLevel", t)))?;
    let input_from_controlled_load = match aseq.optional("InputFromControlledLoad") {
        Some(i) => {
            empty(i, "InputFromControlledLoad")?;
            true
        }
        None => false,
    };
    aseq.finish()?;
    if !a.trimmed_text().is_empty() {
        return Err(InvalidValue::new(ACTION, &a.text).into());
    }
    let t = entry_timing(
        &mut s,
        "identifier",
        "AuxiliaryControllerSchedulePeriodAndTime",
    )?;
    s.finish()?;
    Ok(AuxControllerSchedule {
        controller,
        level,
        input_from_controlled_load,
        special_days: t.special_days,
        days_of_week: t.days_of_week,
        switch_time: t.switch_time,
        start_date: t.start_date,
        end_date: t.end_date,
    })
}

impl AuxControllerScheduler {
    /// Parses the body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        use super::tariff::{date, many};
        const NAME: &str = "UpdateDeviceConfigurationAuxiliaryControllerScheduler";
        const DAYS: &str = "AuxiliaryControllerSpecialDayDefinitions";
        const DAY: &str = "AuxiliaryControllerSpecialDayDefinition";
        expect(body, NAME)?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(NAME, &body.text).into());
        }
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let schedule = many(&mut s, "AuxiliaryControllerSchedule", 0, 120)?
            .into_iter()
            .map(aux_controller_schedule)
            .collect::<Result<Vec<_>, _>>()?;
        let sd = s.required(DAYS)?;
        let mut sds = Seq::new(sd, DAYS);
        let mut special_days: Vec<(u8, super::TariffDate)> = Vec::new();
        for d in many(&mut sds, DAY, 0, 20)? {
            let i = attr_in(d, "identifier", DAY, 20)?;
            if special_days.iter().any(|(p, _)| *p == i) {
                return Err(InvalidValue::new(DAY, &i.to_string()).into());
            }
            special_days.push((i, date(d, DAY)?));
        }
        sds.finish()?;
        s.finish()?;
        Ok(Self {
            execution_date_time,
            schedule,
            special_days,
        })
    }
}
