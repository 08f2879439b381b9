//! ECS35a–e and CS10a / CS10b (DUIS 6.13 Read Event or Security Log) →
//! `ReadEventOrSecurityLogRsp/Log`: each entry of the period, oldest first, as a `LogEntry`
//! (`Timestamp`, `LogCode` hex, `LogMeaning` where the GBCS alert code table is known here,
//! `OtherInformation` hex when the entry carries event data: the power event log's value as
//! 4 bytes), the newest 100 at most (the schema's bound). No entries (a GSME's NOT_FOUND too):
//! an empty `Log`. ECS35f / ECS35g → `ReadEventOrSecurityLogRsp/ALCSEvent`: each entry as an
//! `ALCSEventLogEntry` (`Timestamp`, `SwitchNumber`, `SwitchAction`, `Outcome`,
//! `HANCommandID` when not 0). Failures in `DebugInfo`.

use gbcs::usecases::event_logs_common as el;
use gbcs::usecases::event_logs_common::parse_publish_event_log;
use gbcs::usecases::{
    EventLogEntry, GbzLogPart, ResponseValue, cs10a, cs10b, ecs35a, ecs35b, ecs35c, ecs35d, ecs35e,
    ecs35f, ecs35g,
};

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

/// ECS35c (the CHF's event log).
pub static ECS35C: ResponseMapping = ResponseMapping {
    use_case: &ecs35c::SPEC,
    service_reference: "6.13",
    service_reference_variant: "6.13",
    element: ELEMENT,
    by_variant: &[],
    render: render_event,
    failure: Some(nothing),
};

/// ECS35d (the CHF's security log).
pub static ECS35D: ResponseMapping = ResponseMapping {
    use_case: &ecs35d::SPEC,
    service_reference: "6.13",
    service_reference_variant: "6.13",
    element: ELEMENT,
    by_variant: &[],
    render: render_security,
    failure: Some(nothing),
};

/// ECS35e (the ESME's power event log).
pub static ECS35E: ResponseMapping = ResponseMapping {
    use_case: &ecs35e::SPEC,
    service_reference: "6.13",
    service_reference_variant: "6.13",
    element: ELEMENT,
    by_variant: &[],
    render: render_power,
    failure: Some(nothing),
};

/// ECS35f (the ESME's ALCS event log).
pub static ECS35F: ResponseMapping = ResponseMapping {
    use_case: &ecs35f::SPEC,
    service_reference: "6.13",
    service_reference_variant: "6.13",
    element: ELEMENT,
    by_variant: &[],
    render: render_alcs,
    failure: Some(nothing),
};

/// ECS35g (the ESME's auxiliary controller event log).
pub static ECS35G: ResponseMapping = ResponseMapping {
    use_case: &ecs35g::SPEC,
    service_reference: "6.13",
    service_reference_variant: "6.13",
    element: ELEMENT,
    by_variant: &[],
    render: render_alcs,
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

fn render_power(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::PowerEventLogEntries(e) = v else {
        return Err(MappingError::unexpected(v));
    };
    let as_event: Vec<EventLogEntry> = e
        .iter()
        .map(|p| EventLogEntry {
            time: p.time,
            code: p.code,
            data: Some(p.value.to_be_bytes().to_vec()),
        })
        .collect();
    Ok(Rendering::Children(log_xml(&as_event)))
}

fn render_alcs(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::AlcsEventLogEntries(entries) = v else {
        return Err(MappingError::unexpected(v));
    };
    let newest = &entries[entries.len().saturating_sub(MAX_ENTRIES)..];
    let mut x = Xml::new();
    x.open("ALCSEvent", &[]);
    for e in newest {
        x.open("ALCSEventLogEntry", &[]);
        if let Some(t) = zigbee_time(e.time) {
            x.leaf("Timestamp", &t);
        }
        x.leaf("SwitchNumber", &e.switch.to_string());
        let action = match e.action {
            el::ALCS_ACTION_ON => "On",
            el::ALCS_ACTION_OFF => "Off",
            el::ALCS_ACTION_REVERT => "Revert to calendar control",
            _ => "Entry relates to a Message from an HC ALCS",
        };
        x.leaf("SwitchAction", action);
        let outcome = match e.outcome {
            el::ALCS_OUTCOME_SUCCESS => "Success",
            el::ALCS_OUTCOME_FAILURE => "Failure",
            _ => "Outcome not known",
        };
        x.leaf("Outcome", outcome);
        if e.han_command_id != 0 {
            x.leaf("HANCommandID", &e.han_command_id.to_string());
        }
        x.close("ALCSEventLogEntry");
    }
    x.close("ALCSEvent");
    Ok(Rendering::Children(x))
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
    Ok(log_xml(entries))
}

fn log_xml(entries: &[EventLogEntry]) -> Xml {
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
    x
}
