//! What DUIS 9.1 Request Customer Identification Number leaves on a meter: the Customer
//! Identification Number (CIN) the DCC sent it (ECS50 on an ESME, GCS36 on a GSME), which the
//! meter shows the consumer so that they can give it to the Other User who asked. Local
//! delivery (CV 2, 3, 6, 7) and clock synchronisation (6.11) keep no state of their own: a
//! locally delivered command is verified and executed as one from the SM WAN, and the clock is
//! `DeviceState::clock_offset_secs`.

use serde::{Deserialize, Serialize};

/// A meter's customer identification number, as last sent (9.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalConfig {
    /// The CIN shown to the consumer: four decimal digits; `None` until the DCC sends one.
    #[serde(default)]
    pub customer_identification_number: Option<String>,
}
