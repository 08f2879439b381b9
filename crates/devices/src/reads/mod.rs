//! Device behaviour of the read use cases, one module per family.

// 4.16 Read Active Power Import (ECS17c).
mod active_power;
