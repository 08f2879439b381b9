//! The SMKI service (SEC Section L) on the certificate authorities of the [`smki`] crate.
//!
//! Pure: every function takes the time it runs at and reaches storage through the
//! [`store::SmkiTx`] trait (implemented on SQLite by the `store` crate), so that the rules can
//! be tested without a database or a clock.
//!
//! * [`model`]: what the service keeps: certificate authorities ([`model::CaRecord`]) and every
//!   certificate it has issued or lodged ([`model::CertRecord`]), live and test apart
//!   ([`model::Environment`]).
//! * [`repository`]: the repository's search and retrieve interface (DCC Boxed's port 8083).
//! * [`store`]: the storage interface.
//! * [`test_service`]: the SMKI test service (test PKI, test certificates, live/test guards).

pub mod model;
pub mod repository;
pub mod store;
pub mod test_service;

pub use model::{CaRecord, CertKind, CertRecord, CertStatus, CertUsage, Environment};
pub use store::{RevocationList, SmkiStore, SmkiTx, StoreError};
