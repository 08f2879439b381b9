//! What the SMKI service needs from storage. The `store` crate implements it on SQLite, in the
//! same database (and, where one operation spans both, the same transaction) as the DCC core's
//! data: publishing a CRL marks the gateway's copy of each certificate it lists as revoked.

use eui::Eui64;

use crate::model::{CaRecord, CertRecord, CertStatus, CertUsage, Environment};

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

    // --- repository publication (H-REPO): the latest CRL / ARL the repository serves ---

    /// Publishes a revocation list (DER): the repository serves the latest one published.
    fn publish_revocation_list(
        &mut self,
        list: RevocationList,
        env: Environment,
        der: &[u8],
        published_at: i64,
    ) -> Result<(), StoreError>;
    /// The latest published list of one kind in one environment: (DER, published at).
    fn latest_revocation_list(
        &mut self,
        list: RevocationList,
        env: Environment,
    ) -> Result<Option<(Vec<u8>, i64)>, StoreError>;
}

/// The revocation lists the repository publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RevocationList {
    /// The Organisation CA's CRL (organisation certificates).
    Crl,
    /// The Organisation Root's ARL (revoked OCA certificates).
    Arl,
}

impl RevocationList {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Crl => "crl",
            Self::Arl => "arl",
        }
    }
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
