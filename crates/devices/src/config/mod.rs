//! The device configuration that DUIS family 6 (and 9.1) writes and reads, one part per
//! concern, each in its own file: the power quality thresholds (voltage, RMS voltage,
//! instantaneous power), the limits (load limiting, maximum demand, randomisation, daily
//! reset, supply tamper, auxiliary controller settings), the alert behaviour, the site data
//! (identity, MPxN, billing calendar, gas conversion and flow, customer identification
//! number), the credentials the device made itself, and a dual-band hub's sub-GHz
//! configuration. Stored in the format-5 tail ([`crate::stored`]).

use serde::{Deserialize, Serialize};

pub mod alert_behaviour;
pub mod credentials;
pub mod gas;
pub mod identity;
pub mod limits;
pub mod local;
pub mod power_quality;
pub mod site;
pub mod sub_ghz;

/// Everything family 6 configures, one field per concern (each the default on a new device
/// and for state stored before format 5).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceConfig {
    /// Voltage, RMS voltage and instantaneous power thresholds (DUIS 6.5, 6.27, 6.12).
    #[serde(default)]
    pub power_quality: power_quality::PowerQualityConfig,
    /// Load limiting, maximum demand, randomisation, daily reset, supply tamper and the
    /// auxiliary controllers' settings (DUIS 6.4, 6.18, 6.2.2, 6.26, 6.25, 6.14).
    #[serde(default)]
    pub limits: limits::LimitsConfig,
    /// Which alerts the device raises and logs (DUIS 6.22, 6.2.10).
    #[serde(default)]
    pub alert_behaviour: alert_behaviour::AlertBehaviour,
    /// Identity, MPxN, billing calendar, gas conversion and flow, customer identification
    /// number (DUIS 6.2.3, 6.2.4, 6.2.7–6.2.9, 6.6–6.8, 6.20, 9.1).
    #[serde(default)]
    pub site: site::SiteConfig,
    /// Key pairs the device generated itself and certificates placed on it (DUIS 6.15, 6.17,
    /// 6.21, 6.23, 6.24).
    #[serde(default)]
    pub credentials: credentials::CredentialsState,
    /// A dual-band Communications Hub's sub-GHz configuration (DUIS 6.28–6.32).
    #[serde(default)]
    pub sub_ghz: sub_ghz::SubGhzState,
    /// The customer identification number a meter shows (DUIS 9.1).
    #[serde(default)]
    pub local: local::LocalConfig,
}
