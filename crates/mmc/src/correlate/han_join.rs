//! 8.7.1 Join Service (Critical): the CS03A1, CS03A2 and CS03C pre-commands must join exactly
//! the request's `OtherDeviceID`; 8.8.1 Unjoin Service (Critical): the CS04AC pre-command must
//! unjoin it. (The other device's type and certificate come from the DCC's inventory and the
//! SMKI repository, not from the request: the device checks them.)

use duis::bodies::JoinOrUnjoinDevice;
use duis::{Request, Srv};
use gbcs::usecases::{DecodedCommand, cs03a1, cs03a2, cs03c, cs04ac};

use super::{Correlation, Mismatch};

/// CS03A1 (the ESME joins an HCALCS or a PPMID).
pub static CS03A1: Correlation = Correlation {
    use_case: &cs03a1::SPEC,
    services: &[Srv::V8_7_1],
    check,
};

/// CS03A2 (the HCALCS joins the ESME).
pub static CS03A2: Correlation = Correlation {
    use_case: &cs03a2::SPEC,
    services: &[Srv::V8_7_1],
    check,
};

/// CS03C (the GSME joins a PPMID).
pub static CS03C: Correlation = Correlation {
    use_case: &cs03c::SPEC,
    services: &[Srv::V8_7_1],
    check,
};

/// CS04AC (the ESME, GSME or HCALCS unjoins a device).
pub static CS04AC: Correlation = Correlation {
    use_case: &cs04ac::SPEC,
    services: &[Srv::V8_8_1],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let name = match request.header.service_reference_variant {
        Srv::V8_8_1 => "UnjoinServiceCritical",
        _ => "JoinServiceCritical",
    };
    let b = JoinOrUnjoinDevice::parse(&request.body, name)
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let (use_case, other) = match cmd {
        DecodedCommand::Cs03a1(c) => ("CS03A1", c.other_device),
        DecodedCommand::Cs03a2(c) => ("CS03A2", c.other_device),
        DecodedCommand::Cs03c(c) => ("CS03C", c.other_device),
        DecodedCommand::Cs04ac(id) => ("CS04AC", *id),
        other => {
            return Err(Mismatch::Parameter {
                use_case: "CS03/CS04",
                what: format!("not a join or unjoin: {other:?}"),
            });
        }
    };
    if other == b.other_device {
        Ok(())
    } else {
        Err(Mismatch::Parameter {
            use_case,
            what: format!(
                "the request names {}, the pre-command {other}",
                b.other_device
            ),
        })
    }
}
