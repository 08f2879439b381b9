//! Which alerts the device raises and logs (DUIS 6.22, 6.2.10).

use serde::{Deserialize, Serialize};

/// Which alerts the device raises and logs (DUIS 6.22, 6.2.10).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertBehaviour {}
