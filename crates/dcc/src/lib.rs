//! The DCC core: who the users are, what devices exist and who is registered for them, who may
//! do what, and the life cycle of a service request. Pure logic over a [`store::Store`] trait
//! and an injected [`gateway::Clock`]; no sockets.

pub mod catalogue;
pub mod dbch_tables;
pub mod dispatch;
pub mod eligibility;
pub mod error;
// firmware (11.x): the CPL hash check.
pub mod firmware;
pub mod gateway;
pub mod model;
pub mod products;
pub mod registration;
pub mod render;
pub mod schedule;
pub mod services;
pub mod smi;
pub mod store;

pub use error::DccError;
