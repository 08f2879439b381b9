//! ECS47 auxiliary load switch answers 7.5 Activate, 7.6 Deactivate and 7.8 Reset Auxiliary
//! Load: the pre-command must ask the request's switch (`index`) for what the service says
//! (activate / deactivate for the request's `Duration`, or reset).

use duis::bodies::AuxiliaryLoad;
use duis::{Request, Srv};
use gbcs::usecases::{AuxLoadAction, AuxLoadCommand, DecodedCommand, ecs47};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs47::SPEC,
    services: &[Srv::V7_5, Srv::V7_6, Srv::V7_8],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let body = |r: Result<AuxiliaryLoad, _>| {
        r.map_err(|e: duis::bodies::BodyError| Mismatch::RequestBody(e.to_string()))
    };
    let srv = request.header.service_reference_variant;
    let expected = match srv {
        Srv::V7_5 => {
            let b = body(AuxiliaryLoad::parse_activate(&request.body))?;
            AuxLoadCommand {
                index: b.index,
                action: AuxLoadAction::Activate {
                    duration: b.duration.unwrap_or_default(),
                },
            }
        }
        Srv::V7_6 => {
            let b = body(AuxiliaryLoad::parse_deactivate(&request.body))?;
            AuxLoadCommand {
                index: b.index,
                action: AuxLoadAction::Deactivate {
                    duration: b.duration.unwrap_or_default(),
                },
            }
        }
        _ => {
            let b = body(AuxiliaryLoad::parse_reset(&request.body))?;
            AuxLoadCommand {
                index: b.index,
                action: AuxLoadAction::Reset,
            }
        }
    };
    match cmd {
        DecodedCommand::Ecs47(c) if *c == expected => Ok(()),
        other => Err(Mismatch::Parameter {
            use_case: "ECS47",
            what: format!("the request asks {expected:?}, the pre-command {other:?}"),
        }),
    }
}
