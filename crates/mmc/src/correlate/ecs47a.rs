//! ECS47a set auxiliary controller state answers 7.13: the pre-command must command the
//! request's controller, period (whole seconds) and level, with the request's input flag.

use duis::bodies::SetAuxiliaryControllerState;
use duis::{Request, Srv};
use gbcs::usecases::{AuxControllerState, DecodedCommand, ecs47a};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs47a::SPEC,
    services: &[Srv::V7_13],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b = SetAuxiliaryControllerState::parse(&request.body)
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let DecodedCommand::Ecs47a(c) = cmd else {
        return Err(Mismatch::Parameter {
            use_case: "ECS47a",
            what: format!("not an ECS47a: {cmd:?}"),
        });
    };
    same_command("ECS47a", &b, c)
}

/// Whether the pre-command `c` commands what the body `b` asks (ECS47a for 7.13, ECS47e for
/// 7.16: the same parameters).
pub(super) fn same_command(
    use_case: &'static str,
    b: &SetAuxiliaryControllerState,
    c: &AuxControllerState,
) -> Result<(), Mismatch> {
    let asked = (
        b.index,
        b.start.unix_timestamp(),
        b.end.unix_timestamp(),
        b.level,
        b.input_from_controlled_load,
    );
    let got = (
        c.index,
        c.start.to_unix(),
        c.end.to_unix(),
        c.level,
        c.input_from_controlled_load,
    );
    if asked == got {
        Ok(())
    } else {
        Err(Mismatch::Parameter {
            use_case,
            what: format!(
                "the request asks (controller, start, end, level, input) {asked:?}, the pre-command {got:?}"
            ),
        })
    }
}
