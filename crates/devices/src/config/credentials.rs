//! Key pairs the device generated itself and certificates placed on it (DUIS 6.15, 6.17, 6.21, 6.23, 6.24).
//!
//! CS02c (DUIS 6.17) generates a key pair and keeps it here, pending, until CS02d (DUIS 6.15.2)
//! places the Device certificate the SMKI service issued for it: from then on the device signs
//! with it (the key in [`crate::DeviceIdentity`] is the one it was manufactured with).

use serde::{Deserialize, Serialize};

use crate::state::hex_bytes;

/// Key pairs the device generated itself and certificates placed on it (DUIS 6.15, 6.17, 6.21, 6.23, 6.24).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialsState {
    /// The key pair the last CS02c generated, awaiting its certificate (CS02d).
    #[serde(default)]
    pub pending: Option<GeneratedKeyPair>,
    /// The digital signing key and certificate CS02d placed; the device signs with it.
    #[serde(default)]
    pub signing: Option<PlacedCredentials>,
    /// The SMKI device issuing CA certificates (DER) a placed certificate must be issued by:
    /// a certificate of another PKI is refused. Empty: not checked (a device manufactured
    /// without them).
    #[serde(default)]
    pub device_cas: Vec<CaCertificate>,
}

/// A key pair the device generated (CS02c).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneratedKeyPair {
    /// The key usage it was generated for (`gbcs::credentials::KEY_USAGE_DS` / `_KA`).
    pub key_usage: u8,
    /// The private key, PKCS#8 DER.
    #[serde(with = "hex_bytes")]
    pub private_pkcs8: Vec<u8>,
    /// The public key, uncompressed SEC1.
    #[serde(with = "hex_bytes")]
    pub public_sec1: Vec<u8>,
}

impl std::fmt::Debug for GeneratedKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedKeyPair")
            .field("key_usage", &self.key_usage)
            .finish_non_exhaustive()
    }
}

/// A generated key pair with the Device certificate placed for it (CS02d).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacedCredentials {
    /// The private key, PKCS#8 DER.
    #[serde(with = "hex_bytes")]
    pub private_pkcs8: Vec<u8>,
    /// The certificate, DER.
    #[serde(with = "hex_bytes")]
    pub certificate: Vec<u8>,
}

impl std::fmt::Debug for PlacedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlacedCredentials").finish_non_exhaustive()
    }
}

/// An issuing CA certificate, DER.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaCertificate(#[serde(with = "hex_bytes")] pub Vec<u8>);
