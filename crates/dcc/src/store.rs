//! What the core needs from storage. Implementations live in the `store` crate (SQLite embedded by
//! default); the core never sees SQL.
//!
//! Every change a request makes happens inside one [`Store::transaction`]: either all of it is
//! durable when the closure returns `Ok`, or none of it happened. The gateway acknowledges a
//! request only after its transaction has committed.

use eui::Eui64;
use time::OffsetDateTime;

use crate::error::{DccError, InternalError};
use crate::model::{Device, OrgCertRecord, Premises, Registration, User};

/// A failure of the storage layer itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("storage: {0}")]
pub struct StoreError(pub String);

impl From<StoreError> for DccError {
    fn from(e: StoreError) -> Self {
        DccError::Internal(InternalError::Storage(e.0))
    }
}

/// The record of one service request the DCC accepted or refused after authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub originator: Eui64,
    pub target: Eui64,
    pub counter: u64,
    pub srv: String,
    pub command_variant: u8,
    pub received_at: OffsetDateTime,
    /// The DUIS response code the user was given.
    pub response_code: String,
    /// The signed DUIS response the user was given, if any.
    pub response: Option<String>,
}

/// Reads and writes inside one transaction.
pub trait Tx {
    fn user(&mut self, eui: Eui64) -> Result<Option<User>, StoreError>;
    fn user_by_name(&mut self, name: &str) -> Result<Option<User>, StoreError>;
    fn users(&mut self) -> Result<Vec<User>, StoreError>;
    fn put_user(&mut self, user: &User) -> Result<(), StoreError>;

    fn org_cert(&mut self, serial: &str) -> Result<Option<OrgCertRecord>, StoreError>;
    fn put_org_cert(&mut self, cert: &OrgCertRecord) -> Result<(), StoreError>;

    /// The last RequestID counter accepted from an originator.
    fn last_counter(&mut self, originator: Eui64) -> Result<Option<u64>, StoreError>;
    fn set_last_counter(&mut self, originator: Eui64, counter: u64) -> Result<(), StoreError>;

    fn device(&mut self, id: Eui64) -> Result<Option<Device>, StoreError>;
    fn devices_at(&mut self, uprn: &str) -> Result<Vec<Device>, StoreError>;
    fn devices(&mut self) -> Result<Vec<Device>, StoreError>;
    fn put_device(&mut self, device: &Device) -> Result<(), StoreError>;
    fn delete_device(&mut self, id: Eui64) -> Result<bool, StoreError>;

    /// Device certificates (DER) the SMKI repository holds for a device.
    fn device_certs(&mut self, id: Eui64) -> Result<Vec<Vec<u8>>, StoreError>;
    fn put_device_cert(&mut self, id: Eui64, usage: &str, der: &[u8]) -> Result<(), StoreError>;

    fn premises(&mut self, uprn: &str) -> Result<Option<Premises>, StoreError>;
    fn premises_by_postcode(&mut self, postcode: &str) -> Result<Vec<Premises>, StoreError>;
    fn put_premises(&mut self, premises: &Premises) -> Result<(), StoreError>;

    fn registrations(&mut self, mpxn: &str) -> Result<Vec<Registration>, StoreError>;
    fn put_registration(&mut self, registration: &Registration) -> Result<(), StoreError>;

    fn record_request(&mut self, record: &RequestRecord) -> Result<(), StoreError>;
    fn request(
        &mut self,
        originator: Eui64,
        counter: u64,
    ) -> Result<Option<RequestRecord>, StoreError>;
}

/// A store: hands out transactions.
pub trait Store: Send + Sync + 'static {
    /// Runs `f` in one serialisable transaction, committed (durably) if `f` returns `Ok`, rolled
    /// back otherwise.
    fn transaction<T>(
        &self,
        f: impl FnOnce(&mut dyn Tx) -> Result<T, DccError>,
    ) -> Result<T, DccError>;
}
