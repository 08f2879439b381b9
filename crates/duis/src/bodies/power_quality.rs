//! Bodies of the power quality services: 6.5 `UpdateDeviceConfigurationVoltage` (an optional
//! `ExecutionDateTime`, `RMSVoltageSettings`, then `SinglePhaseVoltageSettings` or exactly
//! three `PolyPhaseVoltageSettings` (`Phase` 1–3, each once, and its `PhaseVoltageSettings`),
//! then an optional empty `RMSVoltageCountersNotReset`) and 6.12
//! `UpdateDeviceConfigurationInstantaneousPowerThreshold` (an optional `ExecutionDateTime`,
//! `LowMediumPowerThreshold`, `MediumHighPowerThreshold`). Every value an xs:unsignedInt; the
//! relations between them are the DCC's check (`gbcs::usecases::voltage`), which this crate
//! does not depend on.

use super::{BodyError, Seq, execution_date_time, expect, simple};
use crate::types::InvalidValue;
use crate::xml::{Element, is_xml_space};

/// An xs:unsignedInt.
fn unsigned_int(e: &Element, name: &'static str) -> Result<u32, BodyError> {
    let t = simple(e, name)?.trim_matches(is_xml_space);
    let digits = t.strip_prefix('+').unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InvalidValue::new(name, t).into());
    }
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return Ok(0);
    }
    if significant.len() > 10 {
        return Err(InvalidValue::new(name, t).into());
    }
    significant
        .parse()
        .map_err(|_| InvalidValue::new(name, t).into())
}

fn field(s: &mut Seq<'_>, name: &'static str) -> Result<u32, BodyError> {
    let e = s.required(name)?;
    unsigned_int(e, name)
}

fn no_text(e: &Element, name: &'static str) -> Result<(), BodyError> {
    if e.trimmed_text().is_empty() {
        Ok(())
    } else {
        Err(InvalidValue::new(name, &e.text).into())
    }
}

/// One RMS voltage limiter as written: measurement period (s) and threshold (V).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RmsLimit {
    /// `…MeasurementPeriod`.
    pub period: u32,
    /// `…Threshold`.
    pub threshold: u32,
}

/// `sr:RMSVoltageSettings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RmsVoltageSettings {
    /// `RMSExtremeOverVoltage…`.
    pub extreme_over: RmsLimit,
    /// `RMSExtremeUnderVoltage…`.
    pub extreme_under: RmsLimit,
    /// `RMSVoltageSag…`.
    pub sag: RmsLimit,
    /// `RMSVoltageSwell…`.
    pub swell: RmsLimit,
}

/// `sr:AverageRMSVoltageSettings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AverageRmsVoltageSettings {
    /// `AverageRMSOverVoltageThreshold`, V.
    pub over: u32,
    /// `AverageRMSUnderVoltageThreshold`, V.
    pub under: u32,
    /// `AverageRMSVoltageMeasurementPeriod`, s.
    pub period: u32,
}

/// A 6.5 `UpdateDeviceConfigurationVoltage` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateDeviceConfigurationVoltage {
    /// `ExecutionDateTime`, as written, when future dated.
    pub execution_date_time: Option<String>,
    /// `RMSVoltageSettings`.
    pub rms: RmsVoltageSettings,
    /// The phases, L1 first: one (`SinglePhaseVoltageSettings`) or three
    /// (`PolyPhaseVoltageSettings`, put in `Phase` order).
    pub phases: Vec<AverageRmsVoltageSettings>,
    /// Whether `RMSVoltageCountersNotReset` is present (the counters are then kept).
    pub counters_not_reset: bool,
}

fn limit(
    s: &mut Seq<'_>,
    period: &'static str,
    threshold: &'static str,
) -> Result<RmsLimit, BodyError> {
    Ok(RmsLimit {
        period: field(s, period)?,
        threshold: field(s, threshold)?,
    })
}

fn average(e: &Element, name: &'static str) -> Result<AverageRmsVoltageSettings, BodyError> {
    let mut s = Seq::new(e, name);
    let v = AverageRmsVoltageSettings {
        over: field(&mut s, "AverageRMSOverVoltageThreshold")?,
        under: field(&mut s, "AverageRMSUnderVoltageThreshold")?,
        period: field(&mut s, "AverageRMSVoltageMeasurementPeriod")?,
    };
    s.finish()?;
    no_text(e, name)?;
    Ok(v)
}

impl UpdateDeviceConfigurationVoltage {
    /// Parses an `UpdateDeviceConfigurationVoltage` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdateDeviceConfigurationVoltage";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let r = s.required("RMSVoltageSettings")?;
        let mut rs = Seq::new(r, "RMSVoltageSettings");
        let rms = RmsVoltageSettings {
            extreme_over: limit(
                &mut rs,
                "RMSExtremeOverVoltageMeasurementPeriod",
                "RMSExtremeOverVoltageThreshold",
            )?,
            extreme_under: limit(
                &mut rs,
                "RMSExtremeUnderVoltageMeasurementPeriod",
                "RMSExtremeUnderVoltageThreshold",
            )?,
            sag: limit(
                &mut rs,
                "RMSVoltageSagMeasurementPeriod",
                "RMSVoltageSagThreshold",
            )?,
            swell: limit(
                &mut rs,
                "RMSVoltageSwellMeasurementPeriod",
                "RMSVoltageSwellThreshold",
            )?,
        };
        rs.finish()?;
        no_text(r, "RMSVoltageSettings")?;
        let phases = if let Some(e) = s.optional("SinglePhaseVoltageSettings") {
            vec![average(e, "SinglePhaseVoltageSettings")?]
        } else {
            let mut given = [None; 3];
            for _ in 0..3 {
                let e = s.required("PolyPhaseVoltageSettings")?;
                let mut ps = Seq::new(e, "PolyPhaseVoltageSettings");
                let p = ps.required("Phase")?;
                let t = simple(p, "Phase")?.trim_matches(is_xml_space);
                let i = match t.strip_prefix('+').unwrap_or(t).trim_start_matches('0') {
                    "1" => 0,
                    "2" => 1,
                    "3" => 2,
                    _ => return Err(InvalidValue::new("Phase", t).into()),
                };
                let v = average(ps.required("PhaseVoltageSettings")?, "PhaseVoltageSettings")?;
                ps.finish()?;
                no_text(e, "PolyPhaseVoltageSettings")?;
                if given[i].replace(v).is_some() {
                    return Err(InvalidValue::new("Phase", "a phase given twice").into());
                }
            }
            given.into_iter().flatten().collect()
        };
        let counters_not_reset = match s.optional("RMSVoltageCountersNotReset") {
            Some(e) => {
                Seq::new(e, "RMSVoltageCountersNotReset").finish()?;
                no_text(e, "RMSVoltageCountersNotReset")?;
                true
            }
            None => false,
        };
        s.finish()?;
        no_text(body, NAME)?;
        Ok(Self {
            execution_date_time,
            rms,
            phases,
            counters_not_reset,
        })
    }
}

/// A 6.12 `UpdateDeviceConfigurationInstantaneousPowerThreshold` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateDeviceConfigurationInstantaneousPowerThreshold {
    /// `ExecutionDateTime`, as written, when future dated.
    pub execution_date_time: Option<String>,
    /// `LowMediumPowerThreshold`, W.
    pub low_medium: u32,
    /// `MediumHighPowerThreshold`, W.
    pub medium_high: u32,
}

impl UpdateDeviceConfigurationInstantaneousPowerThreshold {
    /// Parses an `UpdateDeviceConfigurationInstantaneousPowerThreshold` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdateDeviceConfigurationInstantaneousPowerThreshold";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let low_medium = field(&mut s, "LowMediumPowerThreshold")?;
        let medium_high = field(&mut s, "MediumHighPowerThreshold")?;
        s.finish()?;
        no_text(body, NAME)?;
        Ok(Self {
            execution_date_time,
            low_medium,
            medium_high,
        })
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

    const RMS: &str = "<sr:RMSVoltageSettings><sr:RMSExtremeOverVoltageMeasurementPeriod>30</sr:RMSExtremeOverVoltageMeasurementPeriod><sr:RMSExtremeOverVoltageThreshold>287</sr:RMSExtremeOverVoltageThreshold><sr:RMSExtremeUnderVoltageMeasurementPeriod>30</sr:RMSExtremeUnderVoltageMeasurementPeriod><sr:RMSExtremeUnderVoltageThreshold>180</sr:RMSExtremeUnderVoltageThreshold><sr:RMSVoltageSagMeasurementPeriod>30</sr:RMSVoltageSagMeasurementPeriod><sr:RMSVoltageSagThreshold>216</sr:RMSVoltageSagThreshold><sr:RMSVoltageSwellMeasurementPeriod>30</sr:RMSVoltageSwellMeasurementPeriod><sr:RMSVoltageSwellThreshold>253</sr:RMSVoltageSwellThreshold></sr:RMSVoltageSettings>";

    fn avg(tag: &str, over: u32, under: u32) -> String {
        format!(
            "<sr:{tag}><sr:AverageRMSOverVoltageThreshold>{over}</sr:AverageRMSOverVoltageThreshold><sr:AverageRMSUnderVoltageThreshold>{under}</sr:AverageRMSUnderVoltageThreshold><sr:AverageRMSVoltageMeasurementPeriod>30</sr:AverageRMSVoltageMeasurementPeriod></sr:{tag}>"
        )
    }

    fn poly(p: &str, over: u32) -> String {
        format!(
            "<sr:PolyPhaseVoltageSettings><sr:Phase>{p}</sr:Phase>{}</sr:PolyPhaseVoltageSettings>",
            avg("PhaseVoltageSettings", over, 96)
        )
    }

    fn voltage(inner: &str) -> Result<UpdateDeviceConfigurationVoltage, BodyError> {
        UpdateDeviceConfigurationVoltage::parse(&body(&format!(
            "<sr:UpdateDeviceConfigurationVoltage>{inner}</sr:UpdateDeviceConfigurationVoltage>"
        )))
    }

    #[test]
    fn single_and_poly_phase_bodies_parse() {
        let v = voltage(&format!(
            "{RMS}{}",
            avg("SinglePhaseVoltageSettings", 264, 200)
        ))
        .unwrap();
        assert_eq!(
            v.rms.extreme_over,
            RmsLimit {
                period: 30,
                threshold: 287
            }
        );
        assert_eq!(v.rms.swell.threshold, 253);
        assert_eq!(
            v.phases,
            vec![AverageRmsVoltageSettings {
                over: 264,
                under: 200,
                period: 30
            }]
        );
        assert!(!v.counters_not_reset);
        // Phases in any order, put in phase order; the counters kept.
        let v = voltage(&format!(
            "{RMS}{}{}{}<sr:RMSVoltageCountersNotReset/>",
            poly("3", 130),
            poly("1", 110),
            poly("2", 120)
        ))
        .unwrap();
        assert_eq!(
            v.phases.iter().map(|p| p.over).collect::<Vec<_>>(),
            vec![110, 120, 130]
        );
        assert!(v.counters_not_reset);
    }

    #[test]
    fn bad_voltage_bodies_are_refused() {
        for inner in [
            RMS.to_string(),
            avg("SinglePhaseVoltageSettings", 264, 200),
            format!(
                "{RMS}{}",
                avg("SinglePhaseVoltageSettings", 264, 200).replace("264", "-1")
            ),
            format!(
                "{RMS}{}",
                avg("SinglePhaseVoltageSettings", 264, 200).replace("264", "4294967296")
            ),
            format!("{RMS}{}{}", poly("1", 1), poly("2", 2)),
            format!("{RMS}{}{}{}", poly("1", 1), poly("1", 2), poly("3", 3)),
            format!("{RMS}{}{}{}", poly("1", 1), poly("2", 2), poly("4", 3)),
            format!(
                "{RMS}{}<sr:RMSVoltageCountersNotReset>x</sr:RMSVoltageCountersNotReset>",
                avg("SinglePhaseVoltageSettings", 264, 200)
            ),
        ] {
            assert!(voltage(&inner).is_err(), "{inner}");
        }
    }

    #[test]
    fn power_threshold_bodies() {
        let p = |inner: &str| {
            UpdateDeviceConfigurationInstantaneousPowerThreshold::parse(&body(&format!(
                "<sr:UpdateDeviceConfigurationInstantaneousPowerThreshold>{inner}</sr:UpdateDeviceConfigurationInstantaneousPowerThreshold>"
            )))
        };
        let v = p("<sr:LowMediumPowerThreshold>2300</sr:LowMediumPowerThreshold><sr:MediumHighPowerThreshold>4600</sr:MediumHighPowerThreshold>").unwrap();
        assert_eq!(
            (v.low_medium, v.medium_high, v.execution_date_time),
            (2300, 4600, None)
        );
        assert!(p("<sr:LowMediumPowerThreshold>2300</sr:LowMediumPowerThreshold>").is_err());
        assert!(p("<sr:LowMediumPowerThreshold>x</sr:LowMediumPowerThreshold><sr:MediumHighPowerThreshold>4600</sr:MediumHighPowerThreshold>").is_err());
    }
}
