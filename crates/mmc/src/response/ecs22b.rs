//! ECS22b read ESME active import profile data (a protected read) →
//! `ReadActiveImportProfileDataRsp`: the block the device encrypted to the requester is opened
//! with the requester's key; inside, the profile buffer's rows (capture time as ZigBee UTC
//! seconds, active import Wh of the half hour, and on a twin-element meter the secondary
//! element's) are the `LogEntry`s (`Timestamp`, `Electricity/PrimaryValue`, `SecondaryValue`).

use gbcs::axdr::Data;
use gbcs::usecases::{ResponseValue, ecs22b};

use super::reads::{Opened, nothing, open_dlms, rows};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs22b::SPEC,
    service_reference: "4.8",
    service_reference_variant: "4.8.1",
    element: "ReadActiveImportProfileDataRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

/// The schema's limit.
const MAX_ENTRIES: usize = 19_056;

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::Protected(block) = v else {
        return Err(MappingError::unexpected(v));
    };
    let data = match open_dlms(ctx, "ECS22b active import profile", block)? {
        Opened::Ok(d) => d,
        Opened::Rendering(r) => return Ok(r),
    };
    let Data::Structure(objects) = &data else {
        return Err(MappingError("the opened block is not a structure".into()));
    };
    let [buffer] = &objects[..] else {
        return Err(MappingError(
            "the opened block does not hold the profile buffer".into(),
        ));
    };
    let rows = rows(buffer)?;
    if rows.len() > MAX_ENTRIES {
        return Err(MappingError(format!(
            "{} entries, the schema holds {MAX_ENTRIES}",
            rows.len()
        )));
    }
    let mut x = Xml::new();
    for row in rows {
        let (time, values) = row
            .split_first()
            .ok_or_else(|| MappingError("an empty profile row".into()))?;
        if values.is_empty() || values.len() > 2 {
            return Err(MappingError(format!(
                "a profile row of {} values, not 1 or 2",
                values.len()
            )));
        }
        x.open("LogEntry", &[]);
        if let Some(t) = time.time() {
            x.leaf("Timestamp", &t);
        }
        x.open("Electricity", &[]);
        for (name, v) in ["PrimaryValue", "SecondaryValue"].iter().zip(values) {
            let v = v
                .int()
                .ok_or_else(|| MappingError(format!("profile value {v:?}")))?;
            x.leaf(name, &v.to_string());
        }
        x.close("Electricity");
        x.close("LogEntry");
    }
    Ok(Rendering::Children(x))
}
