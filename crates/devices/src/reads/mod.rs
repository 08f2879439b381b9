//! Behaviour of the read services, one module per family.

pub mod logs;
