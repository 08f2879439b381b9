//! ECS46a answers 6.14.1: the pre-command must set exactly the request's switches'
//! descriptions, in order.

use duis::bodies::AlcDescriptions;
use duis::{Request, Srv};
use gbcs::usecases::{DecodedCommand, ecs46a};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs46a::SPEC,
    services: &[Srv::V6_14_1],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b =
        AlcDescriptions::parse(&request.body).map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let expected: Vec<(u8, Vec<u8>)> =
        b.0.iter()
            .map(|(n, t)| (*n, t.as_bytes().to_vec()))
            .collect();
    match cmd {
        DecodedCommand::Ecs46a(d) if d.0 == expected => Ok(()),
        other => Err(Mismatch::Parameter {
            use_case: "ECS46a",
            what: format!("the request sets {:?}, the pre-command {other:?}", b.0),
        }),
    }
}
