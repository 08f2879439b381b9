//! ECS35a / ECS35b and CS10a / CS10b (DUIS 6.13 Read Event or Security Log) → `ReadEventOrSecurityLogRsp`: each
//! entry of the period, oldest first, as `EventLogEntry` (event log: `EventCode`, `Timestamp`,
//! `EventData` when the entry has any) or `SecurityLogEntry` (security log: `EventCode`,
//! `Timestamp`); codes as four hex digits, event data as hex. No entries (a GSME's NOT_FOUND
//! too): an empty element.
//! Failures in `DebugInfo`.

use gbcs::usecases::event_logs_common::parse_publish_event_log;
use gbcs::usecases::{EventLogEntry, GbzLogPart, ResponseValue, cs10a, cs10b, ecs35a, ecs35b};

use super::logs::zigbee_time;
use super::reads::nothing;
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

const ELEMENT: &str = "ReadEventOrSecurityLogRsp";

/// ECS35a.
pub static ECS35A: ResponseMapping = ResponseMapping {
    use_case: &ecs35a::SPEC,
    service_reference: "6.13",
    service_reference_variant: "6.13",
    element: ELEMENT,
    by_variant: &[],
    render: render_event,
    failure: Some(nothing),
};

/// ECS35b.
pub static ECS35B: ResponseMapping = ResponseMapping {
    use_case: &ecs35b::SPEC,
    service_reference: "6.13",
    service_reference_variant: "6.13",
    element: ELEMENT,
    by_variant: &[],
    render: render_security,
    failure: Some(nothing),
};

/// CS10a.
pub static CS10A: ResponseMapping = ResponseMapping {
    use_case: &cs10a::SPEC,
    service_reference: "6.13",
    service_reference_variant: "6.13",
    element: ELEMENT,
    by_variant: &[],
    render: render_event,
    failure: Some(nothing),
};

/// CS10b.
pub static CS10B: ResponseMapping = ResponseMapping {
    use_case: &cs10b::SPEC,
    service_reference: "6.13",
    service_reference_variant: "6.13",
    element: ELEMENT,
    by_variant: &[],
    render: render_security,
    failure: Some(nothing),
};

fn render_event(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    entries(v, "EventLogEntry").map(Rendering::Children)
}

fn render_security(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    entries(v, "SecurityLogEntry").map(Rendering::Children)
}

fn entries(v: &ResponseValue, name: &str) -> Result<Xml, MappingError> {
    let gbz;
    let entries: &[EventLogEntry] = match v {
        ResponseValue::EventLogEntries(e) => e,
        ResponseValue::GbzLog(parts) => match &parts[..] {
            [GbzLogPart::NotFound { .. }] => &[],
            [GbzLogPart::Plain { payload, .. }] => {
                gbz = parse_publish_event_log(payload)
                    .ok_or_else(|| MappingError("not a Publish Event Log".into()))?;
                &gbz
            }
            _ => return Err(MappingError::unexpected(v)),
        },
        _ => return Err(MappingError::unexpected(v)),
    };
    let mut x = Xml::new();
    for e in entries {
        x.open(name, &[]);
        x.leaf("EventCode", &format!("{:04X}", e.code));
        if let Some(t) = zigbee_time(e.time) {
            x.leaf("Timestamp", &t);
        }
        if let Some(d) = e.data.as_deref().filter(|d| !d.is_empty()) {
            let h: String = d.iter().map(|b| format!("{b:02X}")).collect();
            x.leaf("EventData", &h);
        }
        x.close(name);
    }
    Ok(x)
}
