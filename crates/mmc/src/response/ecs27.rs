//! ECS27 read ESME load limit data → `ReadLoadLimitDataRsp`: the load limit counter (class 3,
//! scaled, unit 255 count) as `LoadLimitCounterValue`, the limiter's threshold (class 71
//! attribute 4, W) as `LoadLimitPowerThreshold`, its minimum over-threshold duration (attribute
//! 6, s) as `LoadLimitPeriod` and minimum under-threshold duration (attribute 7, s) as
//! `LoadLimitRestorationPeriod`, and the supply state flag (true: the supply is disabled on a
//! load limit event) as `LoadLimitSupplyState` (`Disable` / `Unchanged`).

use gbcs::axdr::Data;
use gbcs::usecases::{ResponseValue, ecs27};

use super::reads::{integer, nothing, register};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs27::SPEC,
    service_reference: "4.15",
    service_reference_variant: "4.15",
    element: "ReadLoadLimitDataRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

/// DLMS unit "count".
const UNIT_COUNT: u8 = 255;

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    let [flag, counter, counter_su, threshold, over, under] = &values[..] else {
        return Err(MappingError(format!(
            "{} values, ECS27 reads 6",
            values.len()
        )));
    };
    let Data::Boolean(flag) = flag else {
        return Err(MappingError(format!("supply state flag {flag:?}")));
    };
    let counter = register(counter, counter_su, UNIT_COUNT)?;
    let int = |d: &Data, what: &str| {
        integer(d).ok_or_else(|| MappingError(format!("{what} {d:?} is not an integer")))
    };
    let threshold = int(threshold, "threshold")?;
    let over = int(over, "minimum over-threshold duration")?;
    let under = int(under, "minimum under-threshold duration")?;
    if over < 0 || under < 0 {
        return Err(MappingError("a negative duration".into()));
    }
    let mut x = Xml::new();
    x.leaf("LoadLimitCounterValue", &counter.to_string());
    x.leaf("LoadLimitPowerThreshold", &threshold.to_string());
    x.leaf("LoadLimitPeriod", &over.to_string());
    x.leaf("LoadLimitRestorationPeriod", &under.to_string());
    x.leaf(
        "LoadLimitSupplyState",
        if *flag != 0 { "Disable" } else { "Unchanged" },
    );
    Ok(Rendering::Children(x))
}
