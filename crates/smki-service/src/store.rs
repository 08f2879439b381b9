//! What the SMKI service needs from storage. The `store` crate implements it on SQLite, in the
//! same database (and, where one operation spans both, the same transaction) as the DCC core's
//! data: publishing a CRL marks the gateway's copy of each certificate it lists as revoked.

use eui::Eui64;

use crate::audit::AuditEntry;
use crate::batch::{BatchRecord, ItemOutcome, ItemResult};
use crate::forecasts::YearMonth;
use crate::model::{CaRecord, CertKind, CertRecord, CertStatus, CertUsage, Environment};
use crate::publication::{ListKind, RevocationList};
use crate::subscribers::Subscriber;

/// A failure of the storage layer itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("storage: {0}")]
pub struct StoreError(pub String);

/// Reads and writes inside one transaction.
///
/// Each part of the service appends the operations it needs here, grouped under a comment
/// naming the part.
pub trait SmkiTx {
    // --- certificate authorities and the repository (shared by every part) ---

    /// Stores a CA; returns its id.
    fn put_ca(&mut self, ca: &CaRecord) -> Result<i64, StoreError>;
    /// Rewrites a stored CA (matched by id).
    fn update_ca(&mut self, ca: &CaRecord) -> Result<(), StoreError>;
    fn ca(&mut self, id: i64) -> Result<Option<CaRecord>, StoreError>;
    /// Every CA of one kind in one environment, oldest first.
    fn cas(&mut self, kind: smki::CaKind, env: Environment) -> Result<Vec<CaRecord>, StoreError>;
    /// The CA of one kind issuing now in one environment: the newest not retired whose key is
    /// held ([`CaRecord::is_current`]).
    fn current_ca(
        &mut self,
        kind: smki::CaKind,
        env: Environment,
    ) -> Result<Option<CaRecord>, StoreError> {
        Ok(self
            .cas(kind, env)?
            .into_iter()
            .rev()
            .find(CaRecord::is_current))
    }

    /// Lodges a certificate in the repository (replacing one with the same serial).
    fn put_certificate(&mut self, cert: &CertRecord) -> Result<(), StoreError>;
    /// Lodges a certificate just issued, whose serial no certificate in the repository has:
    /// one with the same serial is an error and is left as it was (what issuance uses; cheaper
    /// than [`SmkiTx::put_certificate`], which may have to replace).
    fn insert_certificate(&mut self, cert: &CertRecord) -> Result<(), StoreError>;
    /// By canonical hex serial ([`crate::model::canonical_serial_hex`]).
    fn certificate(&mut self, serial_hex: &str) -> Result<Option<CertRecord>, StoreError>;
    /// Every certificate whose subject EUI is `eui` in one environment, optionally of one
    /// usage, oldest first.
    fn certificates_of(
        &mut self,
        eui: Eui64,
        env: Environment,
        usage: Option<CertUsage>,
    ) -> Result<Vec<CertRecord>, StoreError>;
    fn set_certificate_status(
        &mut self,
        serial_hex: &str,
        status: CertStatus,
    ) -> Result<(), StoreError>;

    // --- revocation, CRL/ARL publication, DCA roll-over, PMA powers (task H-CA) ---

    /// Every revoked certificate of one kind in one environment, by serial.
    fn revoked_certificates(
        &mut self,
        env: Environment,
        kind: CertKind,
    ) -> Result<Vec<CertRecord>, StoreError>;
    /// Every certificate of one kind in one environment, by serial.
    fn certificates_of_kind(
        &mut self,
        env: Environment,
        kind: CertKind,
    ) -> Result<Vec<CertRecord>, StoreError>;
    /// Stores a published CRL or ARL; returns its id.
    fn put_revocation_list(&mut self, list: &RevocationList) -> Result<i64, StoreError>;
    /// The most recently published list of a kind (highest number).
    fn latest_revocation_list(
        &mut self,
        kind: ListKind,
        env: Environment,
    ) -> Result<Option<RevocationList>, StoreError>;
    /// Marks the gateway's copy of an organisation certificate (by decimal serial, as XML-DSig
    /// names it) revoked. Returns whether the gateway held it unrevoked.
    fn mark_gateway_cert_revoked(&mut self, serial_decimal: &str) -> Result<bool, StoreError>;
    /// Sets a DCC user's (SMKI participant's) suspension. Returns its previous state, `None`
    /// when there is no such user.
    fn set_participant_suspended(
        &mut self,
        eui: Eui64,
        suspended: bool,
    ) -> Result<Option<bool>, StoreError>;
    /// Appends to the SMKI audit log.
    fn append_audit(&mut self, entry: &AuditEntry) -> Result<(), StoreError>;
    /// The audit log, oldest first.
    fn audit_log(&mut self) -> Result<Vec<AuditEntry>, StoreError>;

    // --- H-ISS: Authorised Subscribers, issuance, batches, forecasts ---

    fn put_subscriber(&mut self, s: &Subscriber) -> Result<(), StoreError>;
    fn subscriber(&mut self, eui: Eui64) -> Result<Option<Subscriber>, StoreError>;
    /// Every Authorised Subscriber, by EUI.
    fn subscribers(&mut self) -> Result<Vec<Subscriber>, StoreError>;
    /// The DCC core's record of a DCC User (roles, suspension), if `eui` is one.
    fn dcc_user(&mut self, eui: Eui64) -> Result<Option<dcc_model::User>, StoreError>;
    /// The Smart Metering Inventory's entry for a device.
    fn smi_device(&mut self, eui: Eui64) -> Result<Option<dcc_model::Device>, StoreError>;
    fn smi_premises(&mut self, uprn: &str) -> Result<Option<dcc_model::Premises>, StoreError>;
    fn smi_registrations(&mut self, mpxn: &str)
    -> Result<Vec<dcc_model::Registration>, StoreError>;
    /// Stores a batch with its CSRs (indexed from 0); returns its id.
    fn put_batch(&mut self, b: &BatchRecord, csrs: &[Vec<u8>]) -> Result<i64, StoreError>;
    fn batch(&mut self, id: i64) -> Result<Option<BatchRecord>, StoreError>;
    /// Rewrites a batch's progress (matched by id).
    fn update_batch(&mut self, b: &BatchRecord) -> Result<(), StoreError>;
    /// Ids of the batches not finished yet, oldest first.
    fn unfinished_batches(&mut self) -> Result<Vec<i64>, StoreError>;
    /// Up to `limit` unprocessed CSRs of a batch, in order.
    fn pending_batch_items(
        &mut self,
        id: i64,
        limit: usize,
    ) -> Result<Vec<(u32, Vec<u8>)>, StoreError>;
    fn set_batch_item(
        &mut self,
        id: i64,
        index: u32,
        outcome: &ItemOutcome,
    ) -> Result<(), StoreError>;
    /// Every CSR's result, in order.
    fn batch_results(&mut self, id: i64) -> Result<Vec<ItemResult>, StoreError>;
    /// Records (replacing) a subscriber's forecast for one month.
    fn put_forecast(
        &mut self,
        subscriber: Eui64,
        month: YearMonth,
        count: u64,
        submitted_at: i64,
    ) -> Result<(), StoreError>;
    /// Every forecast: subscriber, month, count.
    fn forecasts(&mut self) -> Result<Vec<(Eui64, YearMonth, u64)>, StoreError>;
    /// Device certificates issued to subscribers in `env`, per subscriber and month (UTC).
    fn device_certs_issued_by_month(
        &mut self,
        env: Environment,
    ) -> Result<Vec<(Eui64, YearMonth, u64)>, StoreError>;
    /// Certificates whose subject EUI is `eui`, in every environment (search).
    fn certificates_by_subject(&mut self, eui: Eui64) -> Result<Vec<CertRecord>, StoreError>;
}

/// A store: hands out SMKI transactions.
pub trait SmkiStore: Send + Sync + 'static {
    /// Runs `f` in one transaction, committed durably if `f` returns `Ok`, rolled back
    /// otherwise.
    fn smki_transaction<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut dyn SmkiTx) -> Result<T, E>,
    ) -> Result<T, E>;
}
