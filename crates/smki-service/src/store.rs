//! What the SMKI service needs from storage. The `store` crate implements it on SQLite, in the
//! same database (and, where one operation spans both, the same transaction) as the DCC core's
//! data: publishing a CRL marks the gateway's copy of each certificate it lists as revoked.

use eui::Eui64;

use crate::audit::AuditEntry;
use crate::model::{CaRecord, CertKind, CertRecord, CertStatus, CertUsage, Environment};
use crate::publication::{ListKind, RevocationList};

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

    /// Lodges a certificate in the repository (replacing one with the same serial).
    fn put_certificate(&mut self, cert: &CertRecord) -> Result<(), StoreError>;
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
