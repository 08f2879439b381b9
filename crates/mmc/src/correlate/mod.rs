//! Correlation: before a user signs a critical pre-command the DCC returned, check that it is
//! what the user's original DUIS request asked for — the use case is one that serves the
//! request's service reference variant, the command is from the requester to the requested
//! device with the request's counter, and its parameters are the request's (per use case, one
//! file each). A pre-command that is not is refused with a [`Mismatch`] saying what differs.
//!
//! # Adding a use case
//!
//! 1. A file `correlate/<uc>.rs` with `pub static CORRELATION: Correlation` (the use case's
//!    `gbcs` `SPEC`, the service reference variants it serves, and `check`: the decoded
//!    command's parameters against the request's body).
//! 2. `mod <uc>;` and `&<uc>::CORRELATION` in [`CORRELATIONS`].
//!
//! A critical use case without a correlation is refused ([`Mismatch::NoRule`]): nothing is
//! signed unchecked.

mod billing_calendar;
mod ecs38;
mod ecs42;
mod ecs43;
mod ecs44;
mod ecs47;
mod ecs47a;
mod ecs47e;
mod ecs70;
mod gas_configuration;
mod gcs28;
mod gcs32;
// 1.7 Reset Tariff Block Counter Matrix, 2.5 Activate Emergency Credit.
mod ecs05;
// 11.3 Activate Firmware (firmware, issue 17).
mod cs06;
mod ecs09;
mod ecs28a;
mod ecs46a;
mod ecs46c;
mod ecs46d;
mod ecs48;
mod ecs81;
mod gcs06;
mod gcs39;
// 1.6 Update Payment Mode.
mod ecs02;
mod ecs03;
mod gcs01a;
mod gcs01b;
mod gcs02;
mod gcs03;
mod payment_mode;
// 1.1 Update Import Tariff, 1.2 Update Price.
mod ecs01a;
mod ecs01b;
mod ecs01c;
mod ecs01d;
mod tariff;
// 2.3 Update Debt.
mod ecs07;
mod gcs04;
// 2.1 Update Prepay Configuration.
mod ecs08;
mod ecs08a;
mod gcs05;
// 1.5 Update Meter Balance.
mod meter_balance;
// 6.15.1 Update Security Credentials (KRP).
mod cs02b;
mod cs02c;
// 6.24.2 Retrieve Device Security Credentials (Device).
mod cs02e;
// 8.7.1 Join Service, 8.8.1 Unjoin Service (Critical).
mod han_join;

use duis::{Request, RequestId, Srv};
use gbcs::frame::GeneralSigning;
use gbcs::usecases::{DecodedCommand, UseCaseSpec, decode_command};
use gbcs::{Cra, UtcDateTime};

/// Every use case with a correlation rule.
pub static CORRELATIONS: &[&Correlation] = &[
    &cs02b::SUPPLIER,
    &cs02b::NETWORK_OPERATOR,
    &cs02b::LOAD_CONTROLLER,
    &cs02c::CS02C,
    &cs02c::CS02D,
    &cs02e::CORRELATION,
    &ecs42::CORRELATION,
    &ecs43::CORRELATION,
    &gcs32::CORRELATION,
    &ecs05::CORRELATION,
    // 11.3 Activate Firmware.
    &cs06::CORRELATION,
    &ecs28a::CORRELATION,
    &ecs48::CORRELATION,
    &ecs81::CORRELATION,
    &ecs46a::CORRELATION,
    &ecs46c::CORRELATION,
    &ecs46d::CORRELATION,
    &ecs09::CORRELATION,
    &gcs06::CORRELATION,
    &ecs44::CORRELATION,
    &gcs39::CORRELATION,
    &ecs47::CORRELATION,
    &ecs47a::CORRELATION,
    &ecs47e::CORRELATION,
    &ecs38::CORRELATION,
    &billing_calendar::ECS30,
    &billing_calendar::ECS30A,
    &billing_calendar::GCS25,
    &billing_calendar::GCS25A,
    &gas_configuration::GCS23,
    &gas_configuration::GCS24,
    &gas_configuration::GCS24A,
    &ecs02::CORRELATION,
    &ecs03::CORRELATION,
    &gcs02::CORRELATION,
    &gcs03::CORRELATION,
    &ecs01a::CORRELATION,
    &ecs01b::CORRELATION,
    &gcs01a::CORRELATION,
    &gcs01b::CORRELATION,
    &ecs01c::CORRELATION,
    &ecs01d::CORRELATION,
    &ecs07::CORRELATION,
    &gcs04::CORRELATION,
    &ecs08::CORRELATION,
    &ecs08a::CORRELATION,
    &gcs05::CORRELATION,
    &meter_balance::ECS04A,
    &meter_balance::ECS04B,
    &meter_balance::GCS40A,
    &meter_balance::GCS40B,
    &meter_balance::GCS40C,
    &meter_balance::GCS40D,
    &ecs70::CORRELATION,
    &gcs28::CORRELATION,
    // 8.7.1 Join Service, 8.8.1 Unjoin Service (Critical).
    &han_join::CS03A1,
    &han_join::CS03A2,
    &han_join::CS03C,
    &han_join::CS04AC,
];

/// How one use case's pre-command is checked against the request.
pub struct Correlation {
    /// The use case.
    pub use_case: &'static UseCaseSpec,
    /// The service reference variants whose requests it answers.
    pub services: &'static [Srv],
    /// The parameters against the request (body already known to be of one of `services`).
    pub check: fn(&Request, &DecodedCommand) -> Result<(), Mismatch>,
}

/// Why a pre-command does not answer the request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    /// The pre-command is not a command.
    #[error("the pre-command is not a GBCS command (CRA {0:?})")]
    NotACommand(Cra),
    /// The pre-command does not decode as a catalogued use case.
    #[error("the pre-command does not decode: {0}")]
    Undecodable(String),
    /// The pre-command answers another request.
    #[error("the pre-command answers request {found}, not the original request {expected}")]
    RequestId {
        /// The original request's RequestID.
        expected: String,
        /// The pre-command response's RequestID.
        found: String,
    },
    /// The use case does not serve the request's service.
    #[error(
        "the pre-command is {use_case} (message code {code}), which does not serve service \
         reference variant {srv}"
    )]
    WrongUseCase {
        /// The pre-command's use case.
        use_case: &'static str,
        /// Its message code.
        code: String,
        /// The request's service reference variant.
        srv: &'static str,
    },
    /// Addressed to another device.
    #[error("the pre-command is for device {found}, but the request is for {expected}")]
    WrongDevice {
        /// The requested device.
        expected: String,
        /// The pre-command's recipient.
        found: String,
    },
    /// Originated by someone else.
    #[error("the pre-command is from {found}, but the request is from {expected}")]
    WrongOriginator {
        /// The requester.
        expected: String,
        /// The pre-command's originator.
        found: String,
    },
    /// Another counter.
    #[error("the pre-command's counter is {found}, but the request's is {expected}")]
    WrongCounter {
        /// The request's counter.
        expected: u64,
        /// The pre-command's counter.
        found: u64,
    },
    /// A parameter differs from the request.
    #[error("{use_case}: {what}")]
    Parameter {
        /// The use case.
        use_case: &'static str,
        /// What differs.
        what: String,
    },
    /// The original request is not a command variant 4 request (the only one answered with a
    /// pre-command).
    #[error(
        "the original request has command variant {0}, not 4: the DCC answers no other with a pre-command"
    )]
    NotCriticalRequest(u8),
    /// The request's body is not what its service takes.
    #[error("the original request's body: {0}")]
    RequestBody(String),
    /// A use case with no correlation rule.
    #[error("no correlation rule for {0}: refusing to sign a pre-command that cannot be checked")]
    NoRule(&'static str),
}

/// The correlation of a use case, if any.
pub fn correlation(uc: &UseCaseSpec) -> Option<&'static Correlation> {
    CORRELATIONS
        .iter()
        .copied()
        .find(|c| std::ptr::eq(c.use_case, uc) || c.use_case.message_code == uc.message_code)
}

/// Checks `precommand` (the unsigned pre-command the DCC returned, for request
/// `precommand_request_id`) against the original `request`; returns what it asks.
pub fn correlate(
    request: &Request,
    precommand_request_id: Option<&RequestId>,
    precommand: &GeneralSigning,
) -> Result<DecodedCommand, Mismatch> {
    let rid = &request.header.request_id;
    if let Some(found) = precommand_request_id
        && found != rid
    {
        return Err(Mismatch::RequestId {
            expected: rid.to_string(),
            found: found.to_string(),
        });
    }
    let cv = request.header.command_variant;
    if cv != duis::CommandVariant::CriticalTransform {
        return Err(Mismatch::NotCriticalRequest(cv as u8));
    }
    if precommand.cra != Cra::Command {
        return Err(Mismatch::NotACommand(precommand.cra));
    }
    let decoded = decode_command(precommand).map_err(|e| Mismatch::Undecodable(e.to_string()))?;
    let spec = decoded.spec();
    let srv = request.header.service_reference_variant;
    let c = correlation(spec).ok_or(Mismatch::NoRule(spec.name))?;
    if !c.services.contains(&srv) {
        return Err(Mismatch::WrongUseCase {
            use_case: spec.name,
            code: spec.message_code.to_string(),
            srv: srv.as_str(),
        });
    }
    if precommand.recipient != rid.target {
        return Err(Mismatch::WrongDevice {
            expected: rid.target.to_string(),
            found: precommand.recipient.to_string(),
        });
    }
    if precommand.originator != rid.originator {
        return Err(Mismatch::WrongOriginator {
            expected: rid.originator.to_string(),
            found: precommand.originator.to_string(),
        });
    }
    if precommand.counter != rid.counter {
        return Err(Mismatch::WrongCounter {
            expected: rid.counter,
            found: precommand.counter,
        });
    }
    (c.check)(request, &decoded)?;
    Ok(decoded)
}

/// A GBCS time as `xs:dateTime` text, for messages.
pub(crate) fn show(t: UtcDateTime) -> String {
    crate::time::xs_date_time(t)
}
