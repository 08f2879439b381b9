//! The entry points the transformation had before the service catalogue, kept for callers
//! outside this crate (the conformance runner, the demo world): each is the catalogue's.
//!
//! Which GBCS use case serves a request is now each service module's business
//! ([`crate::services`]); [`transform`] is [`crate::catalogue::plan_device_request`].

pub use crate::catalogue::{
    DccCrypto, SignedPreCommandError, Transformed, check_signed_precommand, protect,
};

use duis::Request;
use time::OffsetDateTime;

use crate::error::DccError;
use crate::model::Device;

/// Transforms a device request (see [`crate::catalogue::plan_device_request`]). `dcc_counter` is
/// the next counter of the ACB for commands the DCC originates on the user's behalf.
pub fn transform(
    req: &Request,
    device: &Device,
    dcc: &DccCrypto,
    dcc_counter: u64,
    now: OffsetDateTime,
) -> Result<Transformed, DccError> {
    crate::catalogue::plan_device_request(req, device, dcc, dcc_counter, now)
}
