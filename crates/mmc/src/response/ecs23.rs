//! ECS23 read ESME network data (single phase) →
//! `ReadNetworkDataRsp/Electricity/SinglePhaseESME`: the average RMS over- and under-voltage
//! counters (class 3, scaled, unit 255 count), the average RMS voltage profile's rows (capture
//! time as ZigBee UTC seconds, voltage) and its capture period (s) as
//! `AvgRMSVoltageProfileDataLog` (`LogEntry` `Value`/`Timestamp`, `MeasurementPeriod`).

use gbcs::axdr::Data;
use gbcs::usecases::{Failure, ResponseValue, ecs23};

use super::reads::{integer, register, rows};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs23::SPEC,
    service_reference: "4.10",
    service_reference_variant: "4.10",
    element: "ReadNetworkDataRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

/// DLMS unit "count".
const UNIT_COUNT: u8 = 255;
/// The schema's limit of profile entries.
const MAX_ENTRIES: usize = 4320;

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    let mut x = Xml::new();
    x.open("Electricity", &[]);
    x.open("SinglePhaseESME", &[]);
    voltage_operational_data(&mut x, values)?;
    x.close("SinglePhaseESME");
    x.close("Electricity");
    Ok(Rendering::Children(x))
}

/// The children of a `VoltageOperationalData` from one phase's six values (over-voltage counter
/// and its scaler-unit, under-voltage counter and its scaler-unit, profile buffer, capture
/// period).
pub(crate) fn voltage_operational_data(x: &mut Xml, values: &[Data]) -> Result<(), MappingError> {
    let [over, over_su, under, under_su, buffer, period] = values else {
        return Err(MappingError(format!(
            "{} values, a phase's network data has 6",
            values.len()
        )));
    };
    for (name, v, su) in [
        ("AvgRMSOverVoltageCounter", over, over_su),
        ("AvgRMSUnderVoltageCounter", under, under_su),
    ] {
        let v = register(v, su, UNIT_COUNT)?;
        x.open(name, &[]);
        x.leaf("Value", &v.to_string());
        x.close(name);
    }
    let rows = rows(buffer)?;
    if rows.len() > MAX_ENTRIES {
        return Err(MappingError(format!(
            "{} voltage entries, the schema holds {MAX_ENTRIES}",
            rows.len()
        )));
    }
    let period = integer(period)
        .filter(|p| *p >= 0)
        .ok_or_else(|| MappingError(format!("capture period {period:?}")))?;
    x.open("AvgRMSVoltageProfileDataLog", &[]);
    for row in rows {
        let [time, value] = &row[..] else {
            return Err(MappingError(format!(
                "a voltage profile row of {} columns, not 2",
                row.len()
            )));
        };
        let value = value
            .int()
            .ok_or_else(|| MappingError(format!("voltage {value:?}")))?;
        x.open("LogEntry", &[]);
        x.leaf("Value", &value.to_string());
        if let Some(t) = time.time() {
            x.leaf("Timestamp", &t);
        }
        x.close("LogEntry");
    }
    x.leaf("MeasurementPeriod", &period.to_string());
    x.close("AvgRMSVoltageProfileDataLog");
    Ok(())
}

/// The element's choice is required: an empty `Electricity`.
pub(crate) fn failure(_: &Failure) -> Xml {
    let mut x = Xml::new();
    x.empty("Electricity", &[]);
    x
}
