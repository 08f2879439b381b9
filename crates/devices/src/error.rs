//! Error type of the device API (construction and out-of-band calls; `handle` never fails).

use crate::DeviceKind;

/// Why a device could not be built or an API call could not be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    /// The device's own key material was rejected.
    #[error("device key material rejected: {0}")]
    Key(#[from] gbcs::CryptoError),
    /// The call does not apply to this kind of device.
    #[error("{operation} is not supported by a {kind:?}")]
    NotSupported {
        /// What was asked.
        operation: &'static str,
        /// The device kind.
        kind: DeviceKind,
    },
    /// The alert needs a trust anchor the device does not hold.
    #[error("no trust anchor for the {0:?} role")]
    MissingTrustAnchor(crate::RemotePartyRole),
    /// The device's outgoing alert counter is exhausted.
    #[error("alert counter exhausted")]
    CounterExhausted,
    /// A message could not be built (a value out of range for its field).
    #[error("message could not be built: {0}")]
    Build(&'static str),
    /// The alert is configured off for the WAN (DUIS 6.22): not raised.
    #[error("alert {0:04X} is configured off")]
    AlertDisabled(u16),
}
