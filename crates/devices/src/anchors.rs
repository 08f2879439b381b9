//! Trust anchors: the remote parties a device knows, with their public keys.
//!
//! GBCS places on each device, at manufacture and commissioning, the identity and the digital
//! signing (DS) and key agreement (KA) public keys of the parties allowed to command it: root,
//! recovery, supplier, network operator, access control broker (ACB), WAN provider and
//! transitional change-of-supplier. The device checks every command against them.

use std::collections::BTreeMap;

use eui::Eui64;
use gbcs::PublicKey;
use serde::{Deserialize, Serialize};

pub use gbcs::RemotePartyRole;

/// A P-256 public key, serialised as the hex of its uncompressed SEC1 point; deserialisation
/// checks that the point is on the curve.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PublicKeyBytes(PublicKey);

impl PublicKeyBytes {
    /// From an uncompressed SEC1 point (`04 ‖ X ‖ Y`), checked to be on P-256.
    pub fn from_sec1(point: &[u8]) -> Result<Self, gbcs::CryptoError> {
        PublicKey::from_sec1(point).map(Self)
    }

    /// The key for the `gbcs` crypto functions.
    pub fn key(&self) -> &PublicKey {
        &self.0
    }

    /// The uncompressed SEC1 point.
    pub fn as_sec1(&self) -> &[u8; 65] {
        self.0.as_sec1()
    }
}

impl From<PublicKey> for PublicKeyBytes {
    fn from(k: PublicKey) -> Self {
        Self(k)
    }
}

/// SEC1 bytes: hex text in human-readable formats (JSON), the bytes in binary ones.
impl Serialize for PublicKeyBytes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::state::hex_bytes::serialize(self.0.as_sec1(), s)
    }
}

impl<'de> Deserialize<'de> for PublicKeyBytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let bytes = crate::state::hex_bytes::deserialize(d)?;
        Self::from_sec1(&bytes).map_err(serde::de::Error::custom)
    }
}

/// One remote party as the device knows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TrustAnchor {
    /// The party's EUI-64 (its GBCS system title).
    pub eui: Eui64,
    /// Its digital signing public key (checks signatures on critical commands).
    pub ds_public: PublicKeyBytes,
    /// Its key agreement public key (MACs and payload encryption towards it).
    pub ka_public: PublicKeyBytes,
}

impl TrustAnchor {
    /// The Root cell: the SMKI Organisation root's public key, which every certification path
    /// of a replacement certificate (CS02b / CS02g) must chain to (see
    /// `EmulatedDevice::replace_anchors`).
    ///
    /// The root has neither an EUI nor a key agreement key, and [`TrustAnchor`] (whose stored
    /// form is fixed) has fields for both: its `eui` holds the root key's 8-byte GBCS key
    /// identifier (SMKI names CA keys by it) and its `ka_public` repeats the signing key. Neither
    /// is ever used: the root originates no command ([`TrustAnchors::by_eui`] and
    /// [`TrustAnchors::roles_of`] skip it, no use case allows the role) and nothing is
    /// encrypted or MACed towards it.
    pub fn root(key: PublicKeyBytes) -> Self {
        Self {
            eui: Eui64(gbcs::credentials::key_identifier(key.key())),
            ds_public: key.clone(),
            ka_public: key,
        }
    }
}

/// The trust anchors of one device, at most one per role (the [`RemotePartyRole::Root`] one
/// made by [`TrustAnchor::root`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustAnchors(BTreeMap<RemotePartyRole, TrustAnchor>);

impl TrustAnchors {
    /// No anchors.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets (or replaces) the anchor for `role`; returns the previous one.
    pub fn set(&mut self, role: RemotePartyRole, anchor: TrustAnchor) -> Option<TrustAnchor> {
        self.0.insert(role, anchor)
    }

    /// Builder form of [`TrustAnchors::set`].
    #[must_use]
    pub fn with(mut self, role: RemotePartyRole, anchor: TrustAnchor) -> Self {
        self.set(role, anchor);
        self
    }

    /// Removes the anchor for `role`.
    pub fn remove(&mut self, role: RemotePartyRole) -> Option<TrustAnchor> {
        self.0.remove(&role)
    }

    /// The anchor for `role`.
    pub fn get(&self, role: RemotePartyRole) -> Option<&TrustAnchor> {
        self.0.get(&role)
    }

    /// All anchors, by role.
    pub fn iter(&self) -> impl Iterator<Item = (RemotePartyRole, &TrustAnchor)> {
        self.0.iter().map(|(r, a)| (*r, a))
    }

    /// The roles `eui` holds on this device (never the root, which originates nothing).
    pub fn roles_of(&self, eui: Eui64) -> impl Iterator<Item = RemotePartyRole> + '_ {
        self.0
            .iter()
            .filter(move |(r, a)| **r != RemotePartyRole::Root && a.eui == eui)
            .map(|(r, _)| *r)
    }

    /// The SMKI Organisation root's key, if the device holds a Root cell.
    pub fn root_key(&self) -> Option<&PublicKeyBytes> {
        self.0.get(&RemotePartyRole::Root).map(|a| &a.ds_public)
    }

    /// The anchor whose EUI is `eui` and whose role is one of `roles` (first match in `roles`
    /// order).
    pub fn find(&self, eui: Eui64, roles: &[RemotePartyRole]) -> Option<&TrustAnchor> {
        roles
            .iter()
            .filter_map(|r| self.0.get(r))
            .find(|a| a.eui == eui)
    }

    /// Any anchor whose EUI is `eui` (never the root's, which originates nothing).
    pub fn by_eui(&self, eui: Eui64) -> Option<&TrustAnchor> {
        self.0
            .iter()
            .find(|(r, a)| **r != RemotePartyRole::Root && a.eui == eui)
            .map(|(_, a)| a)
    }
}
