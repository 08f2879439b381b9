//! Emulated GB smart-metering devices for opendcc.
//!
//! An [`EmulatedDevice`] (CHF, GPF, ESME, GSME, PPMID, HCALCS or IHD) holds its own key material,
//! its trust anchors and a persistent [`DeviceState`], and answers GBCS commands as a real device
//! would: it decodes the message, checks that it is the recipient, verifies the ACB MAC, checks
//! that the originator is a trust anchor in a role allowed for the use case, verifies the
//! originator's signature on critical commands, checks the anti-replay counter, executes, and
//! answers with a response shaped like the RTDS 4.5.0 vectors (MAC'd or signed). Refusals raise
//! GBCS alerts (see [`alerts`] for the codes used).
//!
//! Implemented use cases: ECS52, GCS38, CS08 (firmware version), ECS45, GCS33 (supply status),
//! ECS17b, GCS13a (import registers, encrypted to the requester), ECS42, ECS43, GCS32 (supply
//! enable/disable), ECS70, GCS28 (set clock, commissioning), CCS01, CCS02 (CHF device log). Other
//! authentic commands get a "not supported" answer (DLMS and GBZ payloads).
//!
//! Pure: no I/O, no clock (every call takes the true time `now`), no randomness except the ECDSA
//! nonce drawn inside aws-lc-rs.

#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]
#![warn(missing_docs)]

pub mod alerts;
mod anchors;
mod device;
mod error;
mod exec;
mod kind;
mod state;
mod zcl;

pub use anchors::{PublicKeyBytes, RemotePartyRole, TrustAnchor, TrustAnchors};
pub use device::{DeviceIdentity, EmulatedDevice, Outcome, PowerOutageNotice, Reply};
pub use error::DeviceError;
pub use kind::{DeviceKind, UseCase};
pub use state::{
    DEVICE_LOG_CAPACITY, DeviceLogEntry, DeviceState, EVENT_LOG_CAPACITY, Event, EventKind,
    EventLog, Metering, Refusal, SupplyState,
};
