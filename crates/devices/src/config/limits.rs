//! Load limiting, maximum demand, randomisation, daily reset, supply tamper and auxiliary controller settings (DUIS 6.4, 6.18, 6.2.2, 6.26, 6.25, 6.14).

use serde::{Deserialize, Serialize};

/// Load limiting, maximum demand, randomisation, daily reset, supply tamper and auxiliary controller settings (DUIS 6.4, 6.18, 6.2.2, 6.26, 6.25, 6.14).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitsConfig {}
