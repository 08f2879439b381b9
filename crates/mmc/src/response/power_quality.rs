//! The power quality responses' renderings, shared by their per-use-case mappings, in the MMC
//! 5.1 schema's element names and order.
//!
//! * ECS29a–f, ECS34 (6.5, 6.27, 6.12): no content; failures in `DebugInfo`.
//! * ECS26b / ECS26k (6.2.1): `SinglePhaseVoltageSettings` (requests 8 over, 9 under) or
//!   three `PolyPhaseVoltageSettings` (`Phase`, then `PhaseVoltageSettings`: L1 8 over, 9
//!   under; L2 11 over, 10 under; L3 13 over, 12 under), then `RMSVoltageSettings` (each
//!   limiter's measurement period and threshold, GET requests 0–7). The average RMS voltage
//!   measurement period is not read by either use case and not rendered.
//! * ECS26f (6.2.5): `LowMediumPowerThreshold`, `MediumHighPowerThreshold`.

use gbcs::axdr::Data;
use gbcs::usecases::ResponseValue;

use super::reads::integer;
use super::{MappingError, Rendering, ResponseCtx};
use crate::xml::Xml;

/// Renders a response with no content.
pub(crate) fn done(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    match v {
        ResponseValue::Done => Ok(Rendering::Children(Xml::new())),
        _ => Err(MappingError::unexpected(v)),
    }
}

fn values(v: &ResponseValue, n: usize) -> Result<Vec<i128>, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    if values.len() != n {
        return Err(MappingError(format!("{} values, {n} read", values.len())));
    }
    values
        .iter()
        .map(|d| integer(d).ok_or_else(|| MappingError(format!("{d:?} is not an integer"))))
        .collect()
}

fn rms(x: &mut Xml, v: &[i128]) {
    x.open("RMSVoltageSettings", &[]);
    for (i, name) in [
        "RMSExtremeOverVoltage",
        "RMSExtremeUnderVoltage",
        "RMSVoltageSag",
        "RMSVoltageSwell",
    ]
    .iter()
    .enumerate()
    {
        x.leaf(
            &format!("{name}MeasurementPeriod"),
            &v[2 * i + 1].to_string(),
        );
        x.leaf(&format!("{name}Threshold"), &v[2 * i].to_string());
    }
    x.close("RMSVoltageSettings");
}

fn average(x: &mut Xml, element: &str, over: i128, under: i128) {
    x.open(element, &[]);
    x.leaf("AverageRMSOverVoltageThreshold", &over.to_string());
    x.leaf("AverageRMSUnderVoltageThreshold", &under.to_string());
    x.close(element);
}

/// ECS26b.
pub(crate) fn single_phase(
    _: &ResponseCtx<'_>,
    v: &ResponseValue,
) -> Result<Rendering, MappingError> {
    let v = values(v, 10)?;
    let mut x = Xml::new();
    average(&mut x, "SinglePhaseVoltageSettings", v[8], v[9]);
    rms(&mut x, &v);
    Ok(Rendering::Children(x))
}

/// ECS26k.
pub(crate) fn poly_phase(
    _: &ResponseCtx<'_>,
    v: &ResponseValue,
) -> Result<Rendering, MappingError> {
    let v = values(v, 14)?;
    let mut x = Xml::new();
    for (phase, over, under) in [(1, v[8], v[9]), (2, v[11], v[10]), (3, v[13], v[12])] {
        x.open("PolyPhaseVoltageSettings", &[]);
        x.leaf("Phase", &phase.to_string());
        average(&mut x, "PhaseVoltageSettings", over, under);
        x.close("PolyPhaseVoltageSettings");
    }
    rms(&mut x, &v);
    Ok(Rendering::Children(x))
}

/// ECS26f.
pub(crate) fn power_thresholds(
    _: &ResponseCtx<'_>,
    v: &ResponseValue,
) -> Result<Rendering, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    let [Data::Array(t)] = &values[..] else {
        return Err(MappingError(format!(
            "{values:?} is not one array of thresholds"
        )));
    };
    let t = t
        .iter()
        .map(|d| integer(d).ok_or_else(|| MappingError(format!("{d:?} is not an integer"))))
        .collect::<Result<Vec<_>, _>>()?;
    let [low, high] = t[..] else {
        return Err(MappingError(format!(
            "{} thresholds, two expected",
            t.len()
        )));
    };
    let mut x = Xml::new();
    x.leaf("LowMediumPowerThreshold", &low.to_string());
    x.leaf("MediumHighPowerThreshold", &high.to_string());
    Ok(Rendering::Children(x))
}
