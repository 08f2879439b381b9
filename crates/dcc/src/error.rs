//! One error type for everything a service request can run into, and the one function that maps
//! each error to what the user is told (HTTP status and DUIS response code).
//!
//! Failures before the DCC knows who sent a request (size, XML, schema, signature, replay) are
//! refused at the HTTP level: DUIS response codes are about authorised users' requests, and a DUIS
//! response echoing an unauthenticated RequestID would let anyone make the DCC sign statements
//! about other users' requests. From authentication onwards, every refusal is a signed DUIS
//! response carrying the code the DUIS response code table gives for the situation.

use duis::{ResponseCode, Srv};

/// The families of errors, in the order the gateway checks them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DccError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error(transparent)]
    Authentication(#[from] AuthError),
    #[error(transparent)]
    Authorisation(#[from] AuthzError),
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error(transparent)]
    Internal(#[from] InternalError),
    // --- After the acknowledgement (owned by `dcc::dispatch`) ---
    #[error(transparent)]
    Device(#[from] DeviceError),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    #[error("request body of {size} bytes exceeds the limit of {limit} bytes")]
    BodyTooLarge { size: usize, limit: usize },
    #[error("unsupported content type {0:?}; DUIS requests are application/xml")]
    ContentType(String),
    #[error("no such endpoint {0:?}")]
    NotFound(String),
    #[error("method {0} not allowed; DUIS requests are POSTed")]
    Method(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    #[error("request is not well-formed XML: {0}")]
    Malformed(String),
    #[error("document type or entity declarations are not accepted (XXE)")]
    Dtd,
    #[error("request does not conform to the DUIS schema: {0}")]
    Invalid(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("request is not signed")]
    Unsigned,
    #[error("XML signature is invalid: {0}")]
    BadSignature(String),
    #[error("no SMKI organisation certificate with issuer {issuer:?} and serial {serial}")]
    UnknownSigner { issuer: String, serial: String },
    #[error("signing certificate has been revoked")]
    RevokedCertificate,
    #[error(
        "the signing key is the key of an SMKI test certificate; the live DCC refuses test keys \
         (SEC H4)"
    )]
    TestKeyInLive,
    #[error("signing certificate belongs to {cert} but the RequestID originator is {originator}")]
    SignerMismatch { cert: String, originator: String },
    #[error("TLS client {tls} is not the RequestID originator {originator}")]
    TlsIdentityMismatch { tls: String, originator: String },
    #[error(
        "RequestID counter {counter} is not greater than {last}, the last accepted from {originator}"
    )]
    Replay {
        originator: String,
        counter: u64,
        last: u64,
    },
    /// A non-device request's RequestID accepted before (`gateway::check_non_device_counter`:
    /// each is accepted once, in any order).
    #[error(
        "RequestID {originator}:{target}:{counter} was accepted before: a non-device request's \
         counter is accepted once"
    )]
    CounterReused {
        originator: String,
        target: String,
        counter: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthzError {
    #[error("{0} is not a DCC User")]
    UnknownUser(String),
    #[error("no role of user {user} may send service reference variant {srv}")]
    RoleNotEligible { user: String, srv: Srv },
    #[error("user {0} is suspended")]
    UserSuspended(String),
    #[error("user {user} is not registered for device {device} on {date}")]
    NotRegistered {
        user: String,
        device: String,
        date: String,
    },
    #[error("device {device} is {status}, which service reference variant {srv} cannot address")]
    DeviceStatus {
        device: String,
        status: String,
        srv: Srv,
    },
    #[error("service reference variant {srv} does not apply to a {device_type}")]
    DeviceType { srv: Srv, device_type: String },
    #[error("command variant {cv} is not valid for service reference variant {srv}")]
    CommandVariant { cv: u8, srv: Srv },
    #[error("service reference variant {srv} is not sent to this endpoint ({endpoint})")]
    WrongEndpoint { srv: Srv, endpoint: String },
    #[error("device {0} is not in the Smart Metering Inventory")]
    UnknownDevice(String),
    #[error("body element {found} does not belong to service reference variant {srv}")]
    BodyMismatch { srv: Srv, found: String },
    #[error(
        "a {role} is not a trust anchor of a {device_type}, and GBCS lets only the device's \
         trust anchors originate service reference variant {srv}"
    )]
    NotTrustAnchor {
        srv: Srv,
        role: String,
        device_type: String,
    },
}

/// Refusals by a non-device service after the request was authorised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    #[error("no device matches the inventory query")]
    InventoryNoMatch,
    #[error("device {0} is already in the Smart Metering Inventory")]
    AlreadyInInventory(String),
    #[error("no SMKI device certificate has been issued for {0}")]
    NoDeviceCertificate(String),
    #[error("the SEC does not allow {device_type} to move from {from} to {to}")]
    TransitionNotAllowed {
        device_type: String,
        from: String,
        to: String,
    },
    /// A status change the SEC does not allow (`crate::smi`), asked for through a service.
    #[error("{reason}")]
    SmiTransition { srv: Option<Srv>, reason: String },
    #[error("update of {0} is not supported")]
    UpdateNotSupported(String),
    #[error("no premises matches the address given")]
    AddressNotFound,
    #[error("service reference variant {0} is not available in opendcc yet")]
    NotImplemented(String),
    #[error("signed pre-command refused: {0}")]
    SignedPreCommand(String),
    /// 6.28: the request's configuration is not one of the current DBCH Configuration Table's
    /// (`crate::dbch_tables`), so the DCC does not apply it. `E062801`, the first of the codes
    /// the XSD reserves for 6.28 (their DUIS text is not in the reference corpus).
    #[error("{0}")]
    NotCurrentDbchTable(String),
    // DCC schedules (5.1, 5.2, 5.3).
    /// 5.1: the scheduled request is not one the DCC may schedule (variant not DCC-schedulable,
    /// or reference, variant and `DSP…` element disagree).
    #[error("not a schedulable request: {0}")]
    NotSchedulable(String),
    /// 5.1: the schedule would never run (start date in the past, end before start).
    #[error("the schedule would never run: {0}")]
    ScheduleNeverRuns(String),
    /// 5.2 / 5.3: no schedule has this `DSPScheduleID`.
    #[error("no DCC schedule {id}")]
    UnknownSchedule { srv: Srv, id: u64 },
    /// 5.2 / 5.3: the schedule belongs to another user.
    #[error("DCC schedule {id} belongs to another user")]
    NotScheduleOwner { srv: Srv, id: u64 },
    // --- future dating (dcc::dispatch::hold) ---
    /// A request's `ExecutionDateTime` the DCC cannot act on: in the past, not representable, or
    /// given for a variant the service matrix does not let users future date ("Future Dated
    /// Response Pattern" No). `E12` (the request is not valid for its service reference variant,
    /// as for a body that does not belong to it): the DUIS codes reserved for future dating
    /// cannot be confirmed from the reference corpus (see [`DeviceError::CommandFailed`]).
    #[error("ExecutionDateTime refused for service reference variant {srv}: {why}")]
    ExecutionDateTime { srv: Srv, why: String },
    // --- 8.13 Return Local Command Response (services::s8_13_return_local_command_response);
    // the codes are opendcc's reading of the XSD's E0813xx, whose DUIS text is not in the corpus.
    // --- the Certified Products List (crate::products)
    /// The device's model (or firmware version) is not an Active entry of the CPL: 12.2
    /// Device Pre-notification answers E120204 (opendcc's reading of the XSD's 12.2 codes,
    /// whose DUIS text is not in the corpus); 8.1.1 Commission Device, for which the XSD has no
    /// code of its own, E5 (the device is in no state the DCC may enrol).
    #[error("not on the Certified Products List: {why}")]
    NotOnCpl { srv: Srv, why: String },
    /// No command the DCC returned for local delivery to this user answers to it (E081301).
    #[error("no command returned for local delivery to this user matches: {0}")]
    NoLocalCommand(String),
    /// The response to that command was returned already (E081302).
    #[error("the response to {0} was returned already")]
    LocalResponseReturned(String),
    /// The GBCS response is not the device's verified answer to that command (E081303).
    #[error("not the device's response to the command: {0}")]
    LocalResponseInvalid(String),
    // --- 8.7 Join, 8.8 Unjoin (services::han_join); the codes are opendcc's reading of the
    // XSD's E0807xx / E0808xx, whose DUIS text is not in the corpus.
    /// 8.7: the other device is not in the Smart Metering Inventory (E080702).
    #[error("the other device {0} is not in the Smart Metering Inventory")]
    HanJoinUnknownDevice(String),
    /// 8.7 / 8.8: the target does not join a device of the other device's type by this
    /// variant (E080721 for 8.7, E080821 for 8.8).
    #[error("{srv}: a {target} does not join a {other} by this variant")]
    HanJoinIncompatible {
        srv: Srv,
        target: String,
        other: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InternalError {
    #[error("storage failure: {0}")]
    Storage(String),
    #[error("signing failure: {0}")]
    Signing(String),
    #[error("building a response: {0}")]
    Render(String),
    /// The queue that carries the DCC's work between its processes (NATS JetStream) is down:
    /// a request that would send a command over the SM WAN is refused before it is accepted.
    #[error("the DCC's work queue is unavailable: {0}")]
    QueueUnavailable(String),
}

/// What became of a device request after the acknowledgement (owned by `dcc::dispatch`): the
/// user is told in the DUIS response delivered to its Receive Response Service.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    #[error("the communications hub could not be reached before the deadline")]
    Unreachable,
    #[error("the device did not answer before the deadline")]
    NoResponse,
    /// The device answered that it did not execute the command. DUIS gives no code of its own
    /// for this that opendcc can cite: its response code table is not in the reference corpus,
    /// only the XSD enumeration of codes without their meanings. `E100` is chosen because the
    /// codes below it are the DCC's own checks in processing order (access control `E1`–`E5`,
    /// request validation `E11`–`E19`, reaching the device `E20`/`E21`, then the blocks
    /// `E30`–`E31` and `E40`–`E71` whose meaning cannot be confirmed and which must not be
    /// claimed), the six-digit codes belong to particular services and `E1000` onwards to
    /// SMETS1: `E100` is the one generic error code left standing apart. The device's GBCS
    /// answer travels with it, so the user can read the device's own reason.
    #[error("the device reported that it did not execute the command: {0}")]
    CommandFailed(String),
}

/// What the user is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// HTTP status of the synchronous answer.
    pub http_status: u16,
    /// The DUIS response code of the signed DUIS response in the body, if there is one; when
    /// `None` the body is a plain-text explanation.
    pub code: Option<ResponseCode>,
    /// Whether sending the same request again (with a new counter) could succeed without change.
    pub retryable: bool,
}

impl DccError {
    /// The one mapping from errors to what the user is told.
    pub fn outcome(&self) -> Outcome {
        use ResponseCode as R;
        let http = |s| Outcome {
            http_status: s,
            code: None,
            retryable: false,
        };
        let duis = |c| Outcome {
            http_status: 200,
            code: Some(c),
            retryable: false,
        };
        match self {
            Self::Transport(e) => match e {
                TransportError::BodyTooLarge { .. } => http(413),
                TransportError::ContentType(_) => http(415),
                TransportError::NotFound(_) => http(404),
                TransportError::Method(_) => http(405),
            },
            Self::Schema(_) => http(400),
            Self::Authentication(e) => match e {
                AuthError::Replay { .. } | AuthError::CounterReused { .. } => http(409),
                AuthError::TlsIdentityMismatch { .. } => http(403),
                _ => http(401),
            },
            Self::Authorisation(e) => match e {
                AuthzError::UnknownUser(_) => duis(R::E1),
                AuthzError::RoleNotEligible { .. } => duis(R::E2),
                AuthzError::UserSuspended(_) => duis(R::E3),
                AuthzError::NotRegistered { .. } => duis(R::E4),
                AuthzError::DeviceStatus { .. } => duis(R::E5),
                AuthzError::DeviceType { .. } => duis(R::E11),
                AuthzError::CommandVariant { .. } => duis(R::E12),
                AuthzError::WrongEndpoint { .. } => duis(R::E13),
                AuthzError::UnknownDevice(_) => duis(R::E19),
                AuthzError::BodyMismatch { .. } => duis(R::E12),
                AuthzError::NotTrustAnchor { .. } => duis(R::E2),
            },
            Self::Service(e) => match e {
                ServiceError::InventoryNoMatch => duis(R::E080201),
                ServiceError::AlreadyInInventory(_) => duis(R::E120201),
                ServiceError::NoDeviceCertificate(_) => duis(R::E120203),
                ServiceError::NotOnCpl { srv, .. } => duis(if *srv == Srv::V12_2 {
                    R::E120204
                } else {
                    R::E5
                }),
                ServiceError::TransitionNotAllowed { .. } => duis(R::E080405),
                ServiceError::SmiTransition { srv, .. } => duis(crate::smi::refusal_code(*srv)),
                ServiceError::UpdateNotSupported(_) => duis(R::E080406),
                ServiceError::AddressNotFound => duis(R::E120101),
                ServiceError::NotImplemented(_) => duis(R::E12),
                ServiceError::SignedPreCommand(_) => duis(R::E12),
                ServiceError::NotCurrentDbchTable(_) => duis(R::E062801),
                // DCC schedules: the service-specific codes of 5.1 / 5.2 / 5.3 (see
                // `services::s5_1_create_schedule` for why these).
                ServiceError::NotSchedulable(_) => duis(R::E050101),
                ServiceError::ScheduleNeverRuns(_) => duis(R::E050102),
                ServiceError::UnknownSchedule { srv, .. } => duis(if *srv == Srv::V5_3 {
                    R::E050301
                } else {
                    R::E050201
                }),
                ServiceError::NotScheduleOwner { srv, .. } => duis(if *srv == Srv::V5_3 {
                    R::E050302
                } else {
                    R::E050202
                }),
                ServiceError::ExecutionDateTime { .. } => duis(R::E12),
                ServiceError::NoLocalCommand(_) => duis(R::E081301),
                ServiceError::LocalResponseReturned(_) => duis(R::E081302),
                ServiceError::LocalResponseInvalid(_) => duis(R::E081303),
                // 8.7 Join, 8.8 Unjoin.
                ServiceError::HanJoinUnknownDevice(_) => duis(R::E080702),
                ServiceError::HanJoinIncompatible { srv, .. } => {
                    duis(if matches!(srv, Srv::V8_8_1 | Srv::V8_8_2) {
                        R::E080821
                    } else {
                        R::E080721
                    })
                }
            },
            Self::Internal(_) => Outcome {
                http_status: 503,
                code: None,
                retryable: true,
            },
            Self::Device(e) => Outcome {
                http_status: 200,
                code: Some(match e {
                    DeviceError::Unreachable => R::E20,
                    DeviceError::NoResponse => R::E21,
                    DeviceError::CommandFailed(_) => R::E100,
                }),
                // The same command sent again may well get through.
                retryable: !matches!(e, DeviceError::CommandFailed(_)),
            },
        }
    }

    /// One example of every error, for the documentation table and its test.
    pub fn examples() -> Vec<DccError> {
        let s = String::new;
        vec![
            TransportError::BodyTooLarge { size: 0, limit: 0 }.into(),
            TransportError::ContentType(s()).into(),
            TransportError::NotFound(s()).into(),
            TransportError::Method(s()).into(),
            SchemaError::Malformed(s()).into(),
            SchemaError::Dtd.into(),
            SchemaError::Invalid(s()).into(),
            AuthError::Unsigned.into(),
            AuthError::BadSignature(s()).into(),
            AuthError::UnknownSigner {
                issuer: s(),
                serial: s(),
            }
            .into(),
            AuthError::RevokedCertificate.into(),
            AuthError::SignerMismatch {
                cert: s(),
                originator: s(),
            }
            .into(),
            AuthError::TlsIdentityMismatch {
                tls: s(),
                originator: s(),
            }
            .into(),
            AuthError::Replay {
                originator: s(),
                counter: 0,
                last: 0,
            }
            .into(),
            AuthError::CounterReused {
                originator: s(),
                target: s(),
                counter: 0,
            }
            .into(),
            AuthzError::UnknownUser(s()).into(),
            AuthzError::RoleNotEligible {
                user: s(),
                srv: Srv::V8_2,
            }
            .into(),
            AuthzError::UserSuspended(s()).into(),
            AuthzError::NotRegistered {
                user: s(),
                device: s(),
                date: s(),
            }
            .into(),
            AuthzError::DeviceStatus {
                device: s(),
                status: s(),
                srv: Srv::V8_2,
            }
            .into(),
            AuthzError::DeviceType {
                srv: Srv::V8_2,
                device_type: s(),
            }
            .into(),
            AuthzError::CommandVariant {
                cv: 0,
                srv: Srv::V8_2,
            }
            .into(),
            AuthzError::WrongEndpoint {
                srv: Srv::V8_2,
                endpoint: s(),
            }
            .into(),
            AuthzError::UnknownDevice(s()).into(),
            AuthzError::BodyMismatch {
                srv: Srv::V8_2,
                found: s(),
            }
            .into(),
            AuthzError::NotTrustAnchor {
                srv: Srv::V8_2,
                role: s(),
                device_type: s(),
            }
            .into(),
            ServiceError::InventoryNoMatch.into(),
            ServiceError::AlreadyInInventory(s()).into(),
            ServiceError::NoDeviceCertificate(s()).into(),
            ServiceError::NotOnCpl {
                srv: Srv::V12_2,
                why: s(),
            }
            .into(),
            ServiceError::TransitionNotAllowed {
                device_type: s(),
                from: s(),
                to: s(),
            }
            .into(),
            ServiceError::SmiTransition {
                srv: Some(Srv::V8_3),
                reason: s(),
            }
            .into(),
            ServiceError::UpdateNotSupported(s()).into(),
            ServiceError::AddressNotFound.into(),
            ServiceError::NotImplemented(s()).into(),
            ServiceError::SignedPreCommand(s()).into(),
            ServiceError::NotSchedulable(s()).into(),
            ServiceError::ScheduleNeverRuns(s()).into(),
            ServiceError::UnknownSchedule {
                srv: Srv::V5_2,
                id: 1,
            }
            .into(),
            ServiceError::NotScheduleOwner {
                srv: Srv::V5_2,
                id: 1,
            }
            .into(),
            ServiceError::ExecutionDateTime {
                srv: Srv::V4_1_1,
                why: s(),
            }
            .into(),
            ServiceError::NoLocalCommand(s()).into(),
            ServiceError::LocalResponseReturned(s()).into(),
            ServiceError::LocalResponseInvalid(s()).into(),
            InternalError::Storage(s()).into(),
            InternalError::Signing(s()).into(),
            InternalError::Render(s()).into(),
            InternalError::QueueUnavailable(s()).into(),
            DeviceError::Unreachable.into(),
            DeviceError::NoResponse.into(),
            DeviceError::CommandFailed(s()).into(),
        ]
    }

    /// A short name for the kind of error (for logs and the table).
    pub fn kind(&self) -> String {
        let dbg = format!("{self:?}");
        // `Family(Variant…)`: keep "Family::Variant".
        let mut parts = dbg.splitn(2, '(');
        let family = parts.next().unwrap_or_default().to_string();
        let rest = parts.next().unwrap_or_default();
        let variant: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        format!("{family}::{variant}")
    }

    /// The mapping as a Markdown table, generated from [`DccError::outcome`].
    pub fn markdown_table() -> String {
        let mut out = String::from(
            "| error | HTTP status | DUIS response code | retryable |\n|---|---|---|---|\n",
        );
        for e in Self::examples() {
            let o = e.outcome();
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                e.kind(),
                o.http_status,
                o.code.map_or("(none: text/plain body)", |c| c.as_str()),
                if o.retryable { "yes" } else { "no" }
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_has_a_distinct_kind() {
        let kinds: Vec<String> = DccError::examples().iter().map(|e| e.kind()).collect();
        let mut sorted = kinds.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), kinds.len(), "{kinds:?}");
        assert!(kinds.contains(&"Authentication::Replay".to_string()));
    }

    #[test]
    fn key_mappings() {
        let role: DccError = AuthzError::RoleNotEligible {
            user: "u".into(),
            srv: Srv::V8_3,
        }
        .into();
        assert_eq!(role.outcome().code, Some(ResponseCode::E2));
        let reg: DccError = AuthzError::NotRegistered {
            user: "u".into(),
            device: "d".into(),
            date: "x".into(),
        }
        .into();
        assert_eq!(reg.outcome().code, Some(ResponseCode::E4));
        let replay: DccError = AuthError::Replay {
            originator: "o".into(),
            counter: 1,
            last: 1,
        }
        .into();
        assert_eq!(replay.outcome().http_status, 409);
        assert_eq!(replay.outcome().code, None);
        let reused: DccError = AuthError::CounterReused {
            originator: "o".into(),
            target: "t".into(),
            counter: 1,
        }
        .into();
        assert_eq!(reused.outcome(), replay.outcome(), "answered as a replay");
        let internal: DccError = InternalError::Storage("x".into()).into();
        assert!(internal.outcome().retryable);
    }

    /// The documentation table is generated from the mapping: regenerate it with
    /// `UPDATE_DOCS=1 cargo test -p dcc`.
    #[test]
    fn documented_table_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/response-codes.md");
        let header = "# How opendcc answers each failure\n\nGenerated from `dcc::DccError::outcome`, the one function that maps errors to answers \
(`UPDATE_DOCS=1 cargo test -p dcc documented_table_is_current` rewrites this file).\n\n";
        let want = format!("{header}{}", DccError::markdown_table());
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert_eq!(
            have, want,
            "docs/response-codes.md is stale: run with UPDATE_DOCS=1"
        );
    }
}
