//! ECS18b read ESME import maximum demand → `ReadMaximumDemandImportRegistersRsp`: the
//! configurable-period maximum demand (`1.0.1.6.1.255`) as
//! `MaxDemandConfigurableTimeActivePowerImport` and the import maximum demand (`1.0.1.6.0.255`)
//! as `MaxDemandActiveEnergyImport` (value scaled to W, capture time, last reset), and the
//! configurable period's schedule (class 10: the entry running script selector 1 opens the
//! period, selector 2 closes it) as `MaxDemandConfigurableTimePeriod` (`StartTime`, `EndTime`).

use gbcs::axdr::Data;
use gbcs::usecases::{ResponseValue, ecs18b};

use super::ecs18a::max_demand;
use super::reads::{cosem_time, nothing};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs18b::SPEC,
    service_reference: "4.12",
    service_reference_variant: "4.12.1",
    element: "ReadMaximumDemandImportRegistersRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    let [
        reset,
        configurable_reset,
        md,
        md_su,
        md_time,
        cmd,
        cmd_su,
        cmd_time,
        schedule,
    ] = &values[..]
    else {
        return Err(MappingError(format!(
            "{} values, ECS18b reads 9",
            values.len()
        )));
    };
    let mut x = Xml::new();
    max_demand(
        &mut x,
        "MaxDemandConfigurableTimeActivePowerImport",
        cmd,
        cmd_su,
        cmd_time,
        configurable_reset,
    )?;
    max_demand(
        &mut x,
        "MaxDemandActiveEnergyImport",
        md,
        md_su,
        md_time,
        reset,
    )?;
    let (start, end) = period(schedule)?;
    if let (Some(start), Some(end)) = (start, end) {
        x.open("MaxDemandConfigurableTimePeriod", &[]);
        x.leaf("StartTime", &start);
        x.leaf("EndTime", &end);
        x.close("MaxDemandConfigurableTimePeriod");
    }
    Ok(Rendering::Children(x))
}

/// The period's start (script selector 1) and end (selector 2) times of day, from the
/// schedule's entries (index, enable, script, selector, switch time, …).
fn period(schedule: &Data) -> Result<(Option<String>, Option<String>), MappingError> {
    let Data::Array(entries) = schedule else {
        return Err(MappingError("the period's schedule is not an array".into()));
    };
    let (mut start, mut end) = (None, None);
    for e in entries {
        let Data::Structure(fields) = e else {
            return Err(MappingError("a schedule entry is not a structure".into()));
        };
        let (Some(Data::LongUnsigned(selector)), Some(Data::OctetString(time))) =
            (fields.get(3), fields.get(4))
        else {
            return Err(MappingError(
                "a schedule entry has no script selector and switch time".into(),
            ));
        };
        match selector {
            1 => start = cosem_time(time),
            2 => end = cosem_time(time),
            _ => {}
        }
    }
    Ok((start, end))
}
