//! DUIS 5.x — the DCC User Interface Specification: the XML service requests users send to the
//! DCC and the responses they get back.
//!
//! Pure and deterministic: no I/O, no clock, no randomness (response builders take the
//! `ResponseDateTime` from the caller).
//!
//! - [`service_variant`] / [`all_variants`]: the service matrix (129 variants) compiled in;
//! - [`ResponseCode`]: every response code of the DUIS 5.4 XSD;
//! - [`CommandVariant`] and [`Endpoint`];
//! - [`parse_request`]: strict, namespace-aware, XXE-proof request parsing into [`Request`];
//! - [`bodies`]: typed parsers for the non-device request bodies the DCC answers itself;
//! - [`response`]: unsigned response documents, valid against the DUIS 5.4 XSD;
//! - [`alert`]: unsigned device and DCC alert documents, valid against the DUIS 5.4 XSD.

// Tests may unwrap: a panic there is a failing test.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod alert;
pub mod bodies;
mod command_variant;
mod datetime;
mod error;
mod matrix;
mod request;
mod request_id;
pub mod response;
mod response_code;
mod types;
mod writer;
pub mod xml;

pub use alert::{
    AlertHeader, DccAlert, DccAlertBody, DccAlertCode, DeviceAlert, FutureDatedAlertCode,
    FutureDatedDeviceAlert, dcc_alert, device_alert, future_dated_device_alert,
};
pub use command_variant::{CommandVariant, CommandVariantError, Endpoint};
pub use datetime::ResponseDateTime;
// future dating: the DCC reads a request's ExecutionDateTime as an instant
pub use datetime::parse_xs_datetime_utc;
pub use error::ParseError;
pub use matrix::{
    FutureDatedPattern, SIGNED_PRE_COMMAND, ServiceVariant, Srv, UnknownRoleCode, UnknownSrv,
    UserRole, all_variants, service_variant, variant_for_body_element,
};
pub use request::{
    Request, RequestCheckError, RequestHeader, parse_request, parse_request_with_limits,
};
pub use request_id::{RequestId, RequestIdError};
pub use response::{
    BuildError, InventoryDevice, ResponseHeader, ResponsePayload, WanCoverage, WanMatrixResponse,
    acknowledgement, build_response, cin_message_response, device_pre_notification_response,
    gbcs_payload_response, local_command_payload, local_command_response, pre_command_response,
    read_inventory_response, response_header_only, update_inventory_response, wan_matrix_response,
    wan_matrix_response_v51,
};
pub use response_code::{ResponseCode, UnknownResponseCode};
pub use types::{
    AddressFilter, Connectivity, ConnectivityLikelihood, CspRegion, DeviceStatus, DeviceType,
    EsmeVariant, InvalidValue, ProductListStatus, Uprn,
};
pub use xml::{Element, ParseLimits};
