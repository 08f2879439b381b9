//! 6.6 `UpdateDeviceConfigurationGasConversion` and 6.7 `UpdateDeviceConfigurationGasFlow`.

use super::{BodyError, Seq, expect, simple};
use crate::types::InvalidValue;
use crate::xml::Element;

/// A DUIS decimal of at most `digits` fraction digits as an integer count of 10^-`digits`,
/// at most `max`.
fn fixed(e: &Element, kind: &'static str, digits: u32, max: u64) -> Result<u64, BodyError> {
    let t = simple(e, kind)?.trim();
    let bad = || -> BodyError { InvalidValue::new(kind, t).into() };
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if int.is_empty()
        || frac.len() > digits as usize
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let i: u64 = int.parse().map_err(|_| bad())?;
    let f: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse::<u64>().map_err(|_| bad())? * 10u64.pow(digits - frac.len() as u32)
    };
    let v = i
        .checked_mul(10u64.pow(digits))
        .and_then(|v| v.checked_add(f))
        .filter(|v| *v <= max)
        .ok_or_else(bad)?;
    Ok(v)
}

fn integer(e: &Element, kind: &'static str, min: u64, max: u64) -> Result<u64, BodyError> {
    let t = simple(e, kind)?.trim();
    t.parse::<u64>()
        .ok()
        .filter(|v| (min..=max).contains(v))
        .ok_or_else(|| InvalidValue::new(kind, t).into())
}

/// 6.6: calorific value (0.1 MJ/m³) and conversion factor (10⁻⁵).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpdateGasConversion {
    /// `CalorificValue`, in tenths.
    pub calorific_value: u32,
    /// `ConversionFactor`, in 10⁻⁵.
    pub conversion_factor: u32,
}

impl UpdateGasConversion {
    /// Parses the body.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdateDeviceConfigurationGasConversion";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let cv = fixed(
            s.required("CalorificValue")?,
            "CalorificValue",
            1,
            u32::MAX.into(),
        )?;
        let cf = fixed(
            s.required("ConversionFactor")?,
            "ConversionFactor",
            5,
            u32::MAX.into(),
        )?;
        s.finish()?;
        Ok(Self {
            calorific_value: u32::try_from(cv).unwrap_or(u32::MAX),
            conversion_factor: u32::try_from(cf).unwrap_or(u32::MAX),
        })
    }
}

/// The uncontrolled gas flow rate: an integer (GCS24) or a 4-decimal one (GCS24a).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GasFlowRate {
    /// `UncontrolledGasFlowRate`.
    Integer(u16),
    /// `UncontrolledGasFlowRateDecimal`, in 10⁻⁴.
    Decimal(u16),
}

/// A supply state: `Unchanged` or `Locked`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupplyStateChange {
    /// `Unchanged`.
    Unchanged,
    /// `Locked`.
    Locked,
}

fn state(e: &Element, kind: &'static str) -> Result<SupplyStateChange, BodyError> {
    match simple(e, kind)?.trim() {
        "Unchanged" => Ok(SupplyStateChange::Unchanged),
        "Locked" => Ok(SupplyStateChange::Locked),
        t => Err(InvalidValue::new(kind, t).into()),
    }
}

/// 6.7.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpdateGasFlow {
    /// The rate.
    pub rate: GasFlowRate,
    /// `SupplyDepletionState`.
    pub depletion: SupplyStateChange,
    /// `SupplyTamperState`.
    pub tamper: SupplyStateChange,
    /// `StabilisationPeriod` (1..=255).
    pub stabilisation_period: u8,
    /// `MeasurementPeriod` (1..=65535).
    pub measurement_period: u16,
}

impl UpdateGasFlow {
    /// Parses the body.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdateDeviceConfigurationGasFlow";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let c = s.choice()?;
        let rate = match c.name.as_str() {
            "UncontrolledGasFlowRate" => {
                GasFlowRate::Integer(integer(c, "UncontrolledGasFlowRate", 0, 65_535)? as u16)
            }
            "UncontrolledGasFlowRateDecimal" => {
                GasFlowRate::Decimal(fixed(c, "UncontrolledGasFlowRateDecimal", 4, 65_535)? as u16)
            }
            _ => return Err(s.unexpected(c)),
        };
        let depletion = state(s.required("SupplyDepletionState")?, "SupplyDepletionState")?;
        let tamper = state(s.required("SupplyTamperState")?, "SupplyTamperState")?;
        let stabilisation_period = integer(
            s.required("StabilisationPeriod")?,
            "StabilisationPeriod",
            1,
            255,
        )? as u8;
        let measurement_period = integer(
            s.required("MeasurementPeriod")?,
            "MeasurementPeriod",
            1,
            65_535,
        )? as u16;
        s.finish()?;
        Ok(Self {
            rate,
            depletion,
            tamper,
            stabilisation_period,
            measurement_period,
        })
    }
}
