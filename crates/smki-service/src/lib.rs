//! The SMKI service (SEC Section L) on the certificate authorities of the [`smki`] crate.
//!
//! Pure: every function takes the time it runs at and reaches storage through the
//! [`store::SmkiTx`] trait (implemented on SQLite by the `store` crate), so that the rules can
//! be tested without a database or a clock.
//!
//! * [`model`]: what the service keeps: certificate authorities ([`model::CaRecord`]) and every
//!   certificate it has issued or lodged ([`model::CertRecord`]), live and test apart
//!   ([`model::Environment`]).
//! * [`store`]: the storage interface.
//! * [`revocation`]: who may revoke which certificate, and why; [`publication`]: CRL and ARL
//!   publishing (which also marks the gateway's copies revoked); [`schedule`]: what is due
//!   when; [`rollover`]: the issuing device CA's roll-over and key destruction; [`pma`]: the
//!   Policy Management Authority's powers; [`audit`]: the record of all of these.

pub mod audit;
pub mod model;
pub mod pma;
pub mod publication;
pub mod revocation;
pub mod rollover;
pub mod schedule;
pub mod store;

pub use model::{CaRecord, CertKind, CertRecord, CertStatus, CertUsage, Environment};
pub use store::{SmkiStore, SmkiTx, StoreError};
