//! Key pairs the device generated itself and certificates placed on it (DUIS 6.15, 6.17, 6.21, 6.23, 6.24).

use serde::{Deserialize, Serialize};

/// Key pairs the device generated itself and certificates placed on it (DUIS 6.15, 6.17, 6.21, 6.23, 6.24).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialsState {}
