//! CS02bSupplierBySupplier, CS02bNOByNO and CS02gLoadControllerBySupplier answer 6.15.1 Update
//! Security Credentials (KRP): the pre-command's content must be exactly what the request's
//! body maps to under `gbcs::usecases::cs02b`'s rules (`KrpCredentials::content`: the party,
//! floors, certificates in their cells, certification path, time-based checks and execution
//! time: none now, 3000-12-31T00:00:00Z cancel, else that instant).

use duis::bodies::{CredentialsRole, UpdateSecurityCredentialsKrp};
use duis::{Request, Srv};
use gbcs::UtcDateTime;
use gbcs::usecases::{Activation, DecodedCommand, KrpCredentials, KrpParty, cs02b};

use super::{Correlation, Mismatch};

/// CS02bSupplierBySupplier.
pub static SUPPLIER: Correlation = Correlation {
    use_case: &cs02b::SPEC_SUPPLIER,
    services: &[Srv::V6_15_1],
    check,
};

/// CS02bNOByNO.
pub static NETWORK_OPERATOR: Correlation = Correlation {
    use_case: &cs02b::SPEC_NETWORK_OPERATOR,
    services: &[Srv::V6_15_1],
    check,
};

/// CS02gLoadControllerBySupplier.
pub static LOAD_CONTROLLER: Correlation = Correlation {
    use_case: &cs02b::SPEC_LOAD_CONTROLLER,
    services: &[Srv::V6_15_1],
    check,
};

fn mismatch(what: String) -> Mismatch {
    Mismatch::Parameter {
        use_case: "CS02b",
        what,
    }
}

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let body = UpdateSecurityCredentialsKrp::parse(&request.body)
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let DecodedCommand::Cs02b(u) = cmd else {
        return Err(mismatch(format!("not a credentials update: {cmd:?}")));
    };
    let party = match body.role {
        CredentialsRole::Supplier => KrpParty::Supplier,
        CredentialsRole::NetworkOperator => KrpParty::NetworkOperator,
        CredentialsRole::LoadController => KrpParty::LoadController,
        other => return Err(Mismatch::RequestBody(format!("RemotePartyRole {other:?}"))),
    };
    let activation = match body.execution_date_time.as_deref() {
        None => Activation::Now,
        Some(text) => {
            let t = duis::parse_xs_datetime_utc(text)
                .and_then(|t| UtcDateTime::from_unix(t.unix_timestamp()))
                .ok_or_else(|| Mismatch::RequestBody(format!("ExecutionDateTime {text:?}")))?;
            if UtcDateTime::new(3000, 12, 31, 0, 0, 0) == Some(t) {
                Activation::Cancel
            } else {
                Activation::At(t)
            }
        }
    };
    let expected = KrpCredentials {
        party,
        floor: body.floor,
        top_up_floor: body.top_up_floor,
        ds: body.ds,
        ka: body.ka,
        ka_top_up: body.ka_top_up,
        certification_path: body.certification_path,
        apply_time_based_cpv_checks: body.apply_time_based_cpv_checks,
        activation,
    }
    .content(u.content.control.seq_number)
    .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    if party != u.party || expected != u.content {
        return Err(mismatch(
            "the replacement is not the one the request asks for".to_owned(),
        ));
    }
    Ok(())
}
