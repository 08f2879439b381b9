//! Identity, MPxN, billing calendar, gas conversion and flow, customer identification number (DUIS 6.2.x, 6.6–6.8, 6.20, 9.1).

use serde::{Deserialize, Serialize};

/// Identity, MPxN, billing calendar, gas conversion and flow, customer identification number (DUIS 6.2.x, 6.6–6.8, 6.20, 9.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteConfig {
    /// The MPxN the meter is configured with (DUIS 6.20, 6.2.7).
    #[serde(default)]
    pub identity: super::identity::IdentityConfig,
    /// The billing calendar as written and the gas configuration (DUIS 6.8, 6.2.3, 6.6, 6.7, 6.2.8).
    #[serde(default)]
    pub gas: super::gas::GasConfig,
}
