//! ECS46c answers 6.14.2 Update Device Configuration (Auxiliary Load Control Scheduler): the
//! pre-command must carry, at the request's time (none: now; 3000-12-31T00:00:00Z: cancel; else
//! that instant), the request's switches and identities, as many special days and schedule
//! entries as the request, each entry running the request's switch action at its switch time.

use duis::bodies::AlcScheduler;
use duis::{Request, Srv};
use gbcs::axdr::Data;
use gbcs::usecases::{DecodedCommand, ecs46c};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs46c::SPEC,
    services: &[Srv::V6_14_2],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b = AlcScheduler::parse(&request.body).map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let activation = super::ecs08::activation(b.execution_date_time.as_deref())?;
    let switches: Vec<(u8, [u8; 8])> = b
        .switches
        .iter()
        .map(|(n, id)| (*n, id.map_or([0; 8], |e| e.0)))
        .collect();
    let actions: Vec<(u16, Vec<u8>)> = b
        .schedule
        .iter()
        .map(|e| {
            (
                u16::from(e.switch) << 8 | if e.activate { 1 } else { 2 },
                e.switch_time.to_vec(),
            )
        })
        .collect();
    let ok = |s: &gbcs::usecases::AuxScheduler| {
        let theirs: Vec<(u16, Vec<u8>)> = s
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
        s.activation == activation
            && s.switches == switches
            && s.special_days.len() == b.special_days.len()
            && theirs == actions
    };
    match cmd {
        DecodedCommand::Ecs46c(s) if ok(s) => Ok(()),
        other => Err(Mismatch::Parameter {
            use_case: "ECS46c",
            what: format!("the request and the pre-command {other:?} differ"),
        }),
    }
}
