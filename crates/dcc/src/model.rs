//! The DCC's data: users, their certificates, premises, registration data and the Smart Metering
//! Inventory. The types live in the small `dcc-model` crate so that the SMKI service can use them
//! without depending on the whole core; the rules that use them live in [`crate::eligibility`]
//! and [`crate::services`].

pub use dcc_model::*;
