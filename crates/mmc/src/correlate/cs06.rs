//! CS06 answers 11.3 Activate Firmware: the pre-command must name the request's `FirmwareHash`
//! at the request's time (none: now; 3000-12-31T00:00:00Z: cancel; else that instant).

use duis::bodies::ActivateFirmware;
use duis::{Request, Srv};
use gbcs::usecases::{DecodedCommand, cs06};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &cs06::SPEC,
    services: &[Srv::V11_3],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b =
        ActivateFirmware::parse(&request.body).map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let expected = cs06::ActivateFirmware {
        image_hash: b.firmware_hash,
        activation: super::ecs08::activation(b.execution_date_time.as_deref())?,
    };
    match cmd {
        DecodedCommand::Cs06(c) if *c == expected => Ok(()),
        other => Err(Mismatch::Parameter {
            use_case: "CS06",
            what: format!("the request asks for {expected:?}, the pre-command {other:?}"),
        }),
    }
}
