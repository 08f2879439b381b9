//! A device's identity (its manufacturer, model and ESME variant, which DUIS 6.2.4 reads:
//! ECS26e/m, ECS26i/n, GCS21e/m) and a meter's identity on the site: the MPxN it is configured with (DUIS 6.20.1 / 6.20.2 set it:
//! ECS39a, ECS39b, GCS41; 6.2.7 reads it: ECS40, GCS46). A new device holds the MPxN the DCC
//! registered it at when it was installed (the world sets it, `opendcc::world`), none otherwise.

use serde::{Deserialize, Serialize};

/// The MPxN values a meter holds, as the octet strings GBCS writes and reads (ASCII digits).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityConfig {
    /// The import MPxN: an ESME's MPAN (13 digits) or a twin element meter's two MPANs (26), a
    /// GSME's MPRN (1 to 10 digits); empty when none was set.
    #[serde(default)]
    pub import_mpxn: Vec<u8>,
    /// An ESME's export MPAN (13 digits); empty when none was set.
    #[serde(default)]
    pub export_mpan: Vec<u8>,
    /// The manufacturer identifier the device reports (DUIS 6.2.4; the inventory's, as the
    /// world creates the device); empty when unknown.
    #[serde(default)]
    pub manufacturer: Vec<u8>,
    /// The model type the device reports (6.2.4); empty when unknown.
    #[serde(default)]
    pub model: Vec<u8>,
    /// An ESME's variant letter (6.2.4: `A`, `B`…); empty when unknown.
    #[serde(default)]
    pub variant: Vec<u8>,
}
