//! Voltage, RMS voltage and instantaneous power thresholds (DUIS 6.5, 6.27, 6.12).

use serde::{Deserialize, Serialize};

/// Voltage, RMS voltage and instantaneous power thresholds (DUIS 6.5, 6.27, 6.12).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PowerQualityConfig {}
