//! ECS46d answers 6.14.3 Update Device Configuration (Auxiliary Controller Scheduler): the
//! pre-command must carry, at the request's time (none: now; 3000-12-31T00:00:00Z: cancel; else
//! that instant), as many special days and schedule entries as the request, each entry setting
//! the request's controller (output or an APC's input) to its level at its switch time.

use duis::bodies::AuxControllerScheduler;
use duis::{Request, Srv};
use gbcs::axdr::Data;
use gbcs::usecases::{ControllerAction, DecodedCommand, ecs46d};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs46d::SPEC,
    services: &[Srv::V6_14_3],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b = AuxControllerScheduler::parse(&request.body)
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let activation = super::ecs08::activation(b.execution_date_time.as_deref())?;
    let actions: Vec<(u16, Vec<u8>)> = b
        .schedule
        .iter()
        .map(|e| {
            let a = ControllerAction {
                controller: e.controller,
                level: e.level,
                input_from_controlled_load: e.input_from_controlled_load,
            };
            (a.selector(), e.switch_time.to_vec())
        })
        .collect();
    let ok = |c: &gbcs::usecases::AuxCalendar| {
        let theirs: Vec<(u16, Vec<u8>)> = c
            .schedule
            .iter()
            .filter_map(|d| match d {
                Data::Structure(f) => match (f.get(3), f.get(4)) {
                    (Some(Data::LongUnsigned(sel)), Some(Data::OctetString(t))) => {
                        Some((*sel, t.clone()))
                    }
                    _ => None,
                },
                _ => None,
            })
            .collect();
        c.activation == activation
            && c.special_days.len() == b.special_days.len()
            && theirs == actions
    };
    match cmd {
        DecodedCommand::Ecs46d(c) if ok(c) => Ok(()),
        other => Err(Mismatch::Parameter {
            use_case: "ECS46d",
            what: format!("the request and the pre-command {other:?} differ"),
        }),
    }
}
