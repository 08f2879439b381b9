//! A dual-band Communications Hub's sub-GHz configuration (DUIS 6.28–6.32).

use serde::{Deserialize, Serialize};

/// A dual-band Communications Hub's sub-GHz configuration (DUIS 6.28–6.32).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubGhzState {}
