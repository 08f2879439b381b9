//! GCS06 activate emergency credit answers 2.5 Activate Emergency Credit (no parameters): the
//! pre-command must select the available emergency credit with the GBCS values (issue
//! date-time 0, originating device 0, as the DCC builds it), and the request's body must be the
//! empty `ActivateEmergencyCredit`.

use duis::bodies::NoParameters;
use duis::{Request, Srv};
use gbcs::usecases::{DecodedCommand, SelectEmergencyCredit, gcs06};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &gcs06::SPEC,
    services: &[Srv::V2_5],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    NoParameters::parse(&request.body, "ActivateEmergencyCredit")
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    match cmd {
        DecodedCommand::Gcs06(SelectEmergencyCredit {
            issue_date_time: 0,
            originating_device: 0,
        }) => Ok(()),
        other => Err(Mismatch::Parameter {
            use_case: "GCS06",
            what: format!(
                "the command is not the DCC's Select Available Emergency Credit: {other:?}"
            ),
        }),
    }
}
