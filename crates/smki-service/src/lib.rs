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
//! * [`revocation`]: who may revoke which certificate, and why; [`publication`]: CRL and ARL
//!   publishing (which also marks the gateway's copies revoked); [`schedule`]: what is due
//!   when; [`rollover`]: the issuing device CA's roll-over and key destruction; [`pma`]: the
//!   Policy Management Authority's powers; [`audit`]: the record of all of these.
//! * [`test_service`]: the SMKI test service (test PKI, test certificates, live/test guards).
//! * [`subscribers`]: the entry step that makes a party an Authorised Subscriber.
//! * [`eligibility`]: who may receive which certificate (SEC L3), one refusal per rule.
//! * [`issuance`]: one CSR to one certificate; [`batch`]: up to 49,999 device CSRs.
//! * [`forecasts`]: device certificate demand forecasts and demand against them.

pub mod audit;
pub mod batch;
pub mod eligibility;
pub mod forecasts;
pub mod issuance;
pub mod model;
pub mod pma;
pub mod publication;
pub mod repository;
pub mod revocation;
pub mod rollover;
pub mod schedule;
pub mod store;
pub mod subscribers;
pub mod test_service;

pub use model::{CaRecord, CertKind, CertRecord, CertStatus, CertUsage, Environment};
pub use publication::{ListKind, RevocationList};
pub use store::{SmkiStore, SmkiTx, StoreError};
