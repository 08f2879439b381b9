//! Device behaviour of the read services, one module per family.

pub(crate) mod instantaneous;

pub use instantaneous::{InstantaneousConfig, LoadLimit, Prepayment, TouBand};
