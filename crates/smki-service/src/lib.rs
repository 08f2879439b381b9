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
//! * [`subscribers`]: the entry step that makes a party an Authorised Subscriber.
//! * [`eligibility`]: who may receive which certificate (SEC L3), one refusal per rule.
//! * [`issuance`]: one CSR to one certificate; [`batch`]: up to 49,999 device CSRs.
//! * [`forecasts`]: device certificate demand forecasts and demand against them.

pub mod batch;
pub mod eligibility;
pub mod forecasts;
pub mod issuance;
pub mod model;
pub mod store;
pub mod subscribers;

pub use model::{CaRecord, CertKind, CertRecord, CertStatus, CertUsage, Environment};
pub use store::{SmkiStore, SmkiTx, StoreError};
