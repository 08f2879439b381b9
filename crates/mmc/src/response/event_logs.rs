//! ECS35a / ECS35b and CS10a / CS10b (DUIS 6.13 Read Event or Security Log) →
//! `ReadEventOrSecurityLogRsp/Log`: each entry of the period, oldest first, as a `LogEntry`
//! (`Timestamp`, `LogCode` hex, `LogMeaning` where the GBCS alert code table is known here,
//! `OtherInformation` hex when the entry carries event data), the newest 100 at most (the
//! schema's bound). No entries (a GSME's NOT_FOUND too): an empty `Log`. Failures in
//! `DebugInfo`.

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
    entries(v).map(Rendering::Children)
}

fn render_security(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    entries(v).map(Rendering::Children)
}

/// The schema's bound on `LogEntry`.
const MAX_ENTRIES: usize = 100;

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02X}")).collect()
}

fn entries(v: &ResponseValue) -> Result<Xml, MappingError> {
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
    let newest = &entries[entries.len().saturating_sub(MAX_ENTRIES)..];
    let mut x = Xml::new();
    x.open("Log", &[]);
    for e in newest {
        x.open("LogEntry", &[]);
        if let Some(t) = zigbee_time(e.time) {
            x.leaf("Timestamp", &t);
        }
        x.leaf("LogCode", &hex(&e.code.to_be_bytes()));
        if let Some(m) = crate::alert::description(e.code) {
            x.leaf("LogMeaning", m);
        }
        if let Some(d) = e.data.as_deref().filter(|d| !d.is_empty()) {
            x.leaf("OtherInformation", &hex(d));
        }
        x.close("LogEntry");
    }
    x.close("Log");
    Ok(x)
}
