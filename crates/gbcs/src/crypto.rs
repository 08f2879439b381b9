//! GBCS protection: concatenation KDF, static ECDH P-256, AES-128-GCM MAC (12-byte tag),
//! ECDSA P-256 signatures (raw r‖s) and payload encryption.
//!
//! Key material is always passed in by the caller; nothing here reads a key store, a clock or a
//! random source (ECDSA signing takes its nonce from aws-lc-rs).

use aes_gcm::aead::consts::U12;
use aes_gcm::{AeadInOut, AesGcm, KeyInit, Nonce, Tag};
use aws_lc_rs::{agreement, rand as lc_rand, signature};
use eui::Eui64;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use zeroize::Zeroizing;

use crate::codec::Reader;
use crate::codes::Cra;
use crate::error::CryptoError;
use crate::frame::{
    GeneralCiphering, GeneralSigning, MAC_LEN, SECURITY_CONTROL_AUTH, SignatureField,
};

type Aes128Gcm12 = AesGcm<aes::Aes128, U12, U12>;

/// AlgorithmID at the start of the KDF OtherInfo.
pub const KDF_ALGORITHM_ID: [u8; 7] = [0x60, 0x85, 0x74, 0x06, 0x08, 0x03, 0x00];

/// Security header byte of an encrypted payload block (encryption + authentication).
pub const SECURITY_CONTROL_ENCRYPT: u8 = 0x31;

/// Which key a KDF run derives: the CRA flag of the message it protects, or payload encryption.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KdfMode {
    /// `01`: MAC of a command.
    Command,
    /// `02`: MAC of a response.
    Response,
    /// `03`: MAC of an alert.
    Alert,
    /// `04`: encryption of protected payload content.
    PayloadEncryption,
}

impl KdfMode {
    /// The byte that enters OtherInfo.
    pub const fn to_byte(self) -> u8 {
        match self {
            KdfMode::Command => 1,
            KdfMode::Response => 2,
            KdfMode::Alert => 3,
            KdfMode::PayloadEncryption => 4,
        }
    }
}

impl From<Cra> for KdfMode {
    fn from(c: Cra) -> Self {
        match c {
            Cra::Command => KdfMode::Command,
            Cra::Response => KdfMode::Response,
            Cra::Alert => KdfMode::Alert,
        }
    }
}

/// The parameters of one KDF run (the non-secret OtherInfo).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KdfContext {
    /// Originator system title.
    pub originator: Eui64,
    /// CRA flag or payload-encryption mode.
    pub mode: KdfMode,
    /// Originator counter.
    pub counter: u64,
    /// Recipient system title.
    pub recipient: Eui64,
}

impl KdfContext {
    /// The context for the MAC of `apdu` (mode = its CRA flag).
    pub fn for_mac(apdu: &GeneralSigning) -> Self {
        Self {
            originator: apdu.originator,
            mode: apdu.cra.into(),
            counter: apdu.counter,
            recipient: apdu.recipient,
        }
    }

    /// The 33-byte OtherInfo: AlgorithmID ‖ originator ‖ `09` ‖ mode ‖ counter ‖ recipient.
    pub fn other_info(&self) -> [u8; 33] {
        let mut o = [0u8; 33];
        let mut v = Vec::with_capacity(33);
        v.extend_from_slice(&KDF_ALGORITHM_ID);
        v.extend_from_slice(&self.originator.0);
        v.push(9);
        v.push(self.mode.to_byte());
        v.extend_from_slice(&self.counter.to_be_bytes());
        v.extend_from_slice(&self.recipient.0);
        o.copy_from_slice(&v);
        o
    }
}

/// An AES-128 key derived for one message.
#[derive(Clone, PartialEq, Eq)]
pub struct DerivedKey(pub [u8; 16]);

impl std::fmt::Debug for DerivedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DerivedKey(..)")
    }
}

/// Single-step concatenation KDF (NIST SP 800-56A, SHA-256), one round, truncated to 128 bits:
/// `SHA-256(00000001 ‖ Z ‖ OtherInfo)[0..16]`.
pub fn concat_kdf(z: &[u8], other_info: &[u8]) -> DerivedKey {
    let mut h = Sha256::new();
    h.update([0, 0, 0, 1]);
    h.update(z);
    h.update(other_info);
    let d = h.finalize();
    let mut k = [0u8; 16];
    k.copy_from_slice(&d[..16]);
    DerivedKey(k)
}

/// A P-256 public key (uncompressed SEC1 point).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PublicKey([u8; 65]);

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey(")?;
        for b in &self.0[..9] {
            write!(f, "{b:02x}")?;
        }
        write!(f, "…)")
    }
}

/// OID 1.2.840.10045.2.1 id-ecPublicKey, DER value bytes.
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// OID 1.2.840.10045.3.1.7 prime256v1, DER value bytes.
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

impl PublicKey {
    /// From an uncompressed SEC1 point (`04 ‖ X ‖ Y`). The point is checked to be on P-256.
    pub fn from_sec1(point: &[u8]) -> Result<Self, CryptoError> {
        let arr: [u8; 65] = point
            .try_into()
            .map_err(|_| CryptoError::PublicKeyRejected("not a 65-byte uncompressed point"))?;
        if arr[0] != 4 {
            return Err(CryptoError::PublicKeyRejected("not an uncompressed point"));
        }
        agreement::ParsedPublicKey::try_from(agreement::UnparsedPublicKey::new(
            &agreement::ECDH_P256,
            &arr[..],
        ))
        .map_err(|_| CryptoError::PublicKeyRejected("point not on P-256"))?;
        Ok(Self(arr))
    }

    /// From a DER SubjectPublicKeyInfo (id-ecPublicKey, prime256v1).
    pub fn from_spki_der(spki: &[u8]) -> Result<Self, CryptoError> {
        let bad = CryptoError::PublicKeyRejected("not a P-256 SubjectPublicKeyInfo");
        let mut r = Reader::new(spki);
        let seq = der_element(&mut r, 0x30).ok_or(bad.clone())?;
        r.finish().map_err(|_| bad.clone())?;
        let mut s = Reader::new(seq);
        let alg = der_element(&mut s, 0x30).ok_or(bad.clone())?;
        let bits = der_element(&mut s, 0x03).ok_or(bad.clone())?;
        s.finish().map_err(|_| bad.clone())?;
        let mut a = Reader::new(alg);
        let oid = der_element(&mut a, 0x06).ok_or(bad.clone())?;
        let curve = der_element(&mut a, 0x06).ok_or(bad.clone())?;
        if oid != OID_EC_PUBLIC_KEY || curve != OID_P256 {
            return Err(CryptoError::PublicKeyRejected(
                "not an id-ecPublicKey on prime256v1",
            ));
        }
        match bits.split_first() {
            Some((0, point)) => Self::from_sec1(point),
            _ => Err(bad),
        }
    }

    /// From a DER X.509 certificate: its subjectPublicKeyInfo. The certificate itself is not
    /// validated (path, validity, signature): that is the key store's job.
    pub fn from_certificate_der(cert: &[u8]) -> Result<Self, CryptoError> {
        let bad = CryptoError::PublicKeyRejected("not an X.509 certificate");
        let mut r = Reader::new(cert);
        let c = der_element(&mut r, 0x30).ok_or(bad.clone())?;
        let mut c = Reader::new(c);
        let tbs = der_element(&mut c, 0x30).ok_or(bad.clone())?;
        let mut t = Reader::new(tbs);
        // [0] version (optional), serial, signature, issuer, validity, subject, spki
        if t.peek() == Some(0xa0) {
            der_any(&mut t).ok_or(bad.clone())?;
        }
        for _ in 0..5 {
            der_any(&mut t).ok_or(bad.clone())?;
        }
        let start = t.offset();
        der_element(&mut t, 0x30).ok_or(bad.clone())?;
        let spki = tbs.get(start..t.offset()).ok_or(bad)?;
        Self::from_spki_der(spki)
    }

    /// The uncompressed SEC1 point.
    pub fn as_sec1(&self) -> &[u8; 65] {
        &self.0
    }
}

/// Reads one DER element with the given single-byte tag and returns its value.
fn der_element<'a>(r: &mut Reader<'a>, tag: u8) -> Option<&'a [u8]> {
    if r.u8().ok()? != tag {
        return None;
    }
    r.length_prefixed().ok()
}

/// Skips one DER element with a single-byte tag.
fn der_any<'a>(r: &mut Reader<'a>) -> Option<&'a [u8]> {
    r.u8().ok()?;
    r.length_prefixed().ok()
}

/// A static P-256 key-agreement (KA) private key.
///
/// GBCS MAC keys come from static–static ECDH: the shared secret `Z` depends only on this key
/// and the peer's, and only the KDF's other-information changes from message to message. So
/// each key keeps the `Z` of the peers it has met (at most [`PAIR_CACHE_MAX`]; the cache is
/// emptied, and the secrets zeroed, when it is full) and [`Self::derive`] runs the point
/// multiplication once per peer.
pub struct KaPrivateKey {
    key: agreement::PrivateKey,
    pairs: Mutex<HashMap<[u8; 65], Zeroizing<[u8; 32]>>>,
}

/// The most peers a [`KaPrivateKey`] keeps the shared secret of.
pub const PAIR_CACHE_MAX: usize = 65_536;

impl std::fmt::Debug for KaPrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KaPrivateKey(..)")
    }
}

impl KaPrivateKey {
    fn new(key: agreement::PrivateKey) -> Self {
        Self {
            key,
            pairs: Mutex::new(HashMap::new()),
        }
    }

    /// From DER: PKCS#8 `PrivateKeyInfo` or SEC1 (RFC 5915) `ECPrivateKey`.
    pub fn from_der(der: &[u8]) -> Result<Self, CryptoError> {
        agreement::PrivateKey::from_private_key_der(&agreement::ECDH_P256, der)
            .map(Self::new)
            .map_err(|e| CryptoError::PrivateKeyRejected(e.to_string()))
    }

    /// From the 32-byte big-endian private scalar.
    pub fn from_scalar(scalar: &[u8; 32]) -> Result<Self, CryptoError> {
        agreement::PrivateKey::from_private_key(&agreement::ECDH_P256, scalar)
            .map(Self::new)
            .map_err(|e| CryptoError::PrivateKeyRejected(e.to_string()))
    }

    /// The matching public key.
    pub fn public_key(&self) -> Result<PublicKey, CryptoError> {
        let p = self
            .key
            .compute_public_key()
            .map_err(|_| CryptoError::PrivateKeyRejected("cannot compute public key".into()))?;
        PublicKey::from_sec1(p.as_ref())
    }

    /// ECDH with `peer`, then the concatenation KDF with `ctx`.
    pub fn derive(&self, peer: &PublicKey, ctx: &KdfContext) -> Result<DerivedKey, CryptoError> {
        let info = ctx.other_info();
        let z = self.shared_secret(peer)?;
        Ok(concat_kdf(&z[..], &info))
    }

    /// Computes and keeps the shared secret with `peer` now, so that a later [`Self::derive`]
    /// with it costs only the KDF (work done ahead, outside whatever lock the later call holds).
    pub fn prepare(&self, peer: &PublicKey) -> Result<(), CryptoError> {
        self.shared_secret(peer).map(drop)
    }

    /// The ECDH shared secret with `peer` (from the cache once computed).
    fn shared_secret(&self, peer: &PublicKey) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
        // A poisoned cache only means another thread panicked mid-insert: the map is still a
        // map of correct secrets.
        let kept = self
            .pairs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&peer.0)
            .cloned();
        if let Some(z) = kept {
            return Ok(z);
        }
        let unparsed = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, &peer.0[..]);
        let z = agreement::agree(&self.key, unparsed, CryptoError::KeyAgreement, |z| {
            let mut out = Zeroizing::new([0u8; 32]);
            if z.len() != 32 {
                return Err(CryptoError::KeyAgreement);
            }
            out.copy_from_slice(z);
            Ok(out)
        })?;
        let mut pairs = self
            .pairs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if pairs.len() >= PAIR_CACHE_MAX {
            pairs.clear();
        }
        pairs.insert(peer.0, z.clone());
        Ok(z)
    }

    /// How many peers' shared secrets are kept.
    pub fn cached_pairs(&self) -> usize {
        self.pairs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }
}

/// AES-128-GCM with a 12-byte tag; returns the tag of the empty plaintext over `aad`.
fn gcm_tag_only(key: &DerivedKey, iv: &[u8; 12], aad: &[u8]) -> Result<[u8; MAC_LEN], CryptoError> {
    let cipher = Aes128Gcm12::new_from_slice(&key.0).map_err(|_| CryptoError::Cipher)?;
    let nonce = Nonce::<U12>::from(*iv);
    let mut empty: [u8; 0] = [];
    let tag = cipher
        .encrypt_inout_detached(&nonce, aad, (&mut empty[..]).into())
        .map_err(|_| CryptoError::Cipher)?;
    let mut out = [0u8; MAC_LEN];
    out.copy_from_slice(tag.as_slice());
    Ok(out)
}

fn mac_iv(originator: Eui64, invocation_counter: u32) -> [u8; 12] {
    let mut iv = [0u8; 12];
    iv[..8].copy_from_slice(&originator.0);
    iv[8..].copy_from_slice(&invocation_counter.to_be_bytes());
    iv
}

fn mac_aad(security_control: u8, apdu: &GeneralSigning) -> Vec<u8> {
    let mut aad = Vec::with_capacity(apdu.content.len() + 120);
    aad.push(security_control);
    // The five empty general-ciphering header octet-strings.
    aad.extend_from_slice(&[0; 5]);
    apdu.encode_into(&mut aad);
    aad
}

/// The GBCS MAC of `apdu`: AES-128-GCM, empty plaintext, IV = originator ‖ invocation counter,
/// AAD = security control ‖ five empty header fields ‖ the General-Signing APDU.
pub fn compute_mac(
    key: &DerivedKey,
    security_control: u8,
    invocation_counter: u32,
    apdu: &GeneralSigning,
) -> Result<[u8; MAC_LEN], CryptoError> {
    gcm_tag_only(
        key,
        &mac_iv(apdu.originator, invocation_counter),
        &mac_aad(security_control, apdu),
    )
}

impl GeneralCiphering {
    /// Wraps `apdu` and computes its MAC (security control `0x11`, invocation counter 0).
    pub fn protect(apdu: GeneralSigning, key: &DerivedKey) -> Result<Self, CryptoError> {
        let mac = compute_mac(key, SECURITY_CONTROL_AUTH, 0, &apdu)?;
        Ok(Self {
            security_control: SECURITY_CONTROL_AUTH,
            invocation_counter: 0,
            apdu,
            mac,
        })
    }

    /// Checks the MAC with `key` (constant-time comparison of the tag).
    pub fn verify_mac(&self, key: &DerivedKey) -> Result<(), CryptoError> {
        let cipher = Aes128Gcm12::new_from_slice(&key.0).map_err(|_| CryptoError::Cipher)?;
        let nonce = Nonce::<U12>::from(mac_iv(self.apdu.originator, self.invocation_counter));
        let tag = Tag::<U12>::from(self.mac);
        let mut empty: [u8; 0] = [];
        cipher
            .decrypt_inout_detached(
                &nonce,
                &mac_aad(self.security_control, &self.apdu),
                (&mut empty[..]).into(),
                &tag,
            )
            .map_err(|_| CryptoError::BadMac)
    }
}

/// Wraps a command for the WAN as the Access Control Broker does: KDF from the ACB KA private key
/// and the recipient device's KA public key (the OtherInfo names the command's originator), then
/// the MAC.
pub fn wrap_command(
    apdu: GeneralSigning,
    acb_ka: &KaPrivateKey,
    recipient_ka: &PublicKey,
) -> Result<GeneralCiphering, CryptoError> {
    let key = acb_ka.derive(recipient_ka, &KdfContext::for_mac(&apdu))?;
    GeneralCiphering::protect(apdu, &key)
}

/// An ECDSA P-256 digital-signing (DS) private key.
pub struct SigningKey(signature::EcdsaKeyPair);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

impl SigningKey {
    /// From DER: PKCS#8 `PrivateKeyInfo` or SEC1 (RFC 5915) `ECPrivateKey`.
    pub fn from_der(der: &[u8]) -> Result<Self, CryptoError> {
        signature::EcdsaKeyPair::from_private_key_der(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            der,
        )
        .map(Self)
        .map_err(|e| CryptoError::PrivateKeyRejected(e.to_string()))
    }

    /// The matching public key.
    pub fn public_key(&self) -> Result<PublicKey, CryptoError> {
        use signature::KeyPair;
        PublicKey::from_sec1(self.0.public_key().as_ref())
    }

    /// Signs `message` (SHA-256, P-256) and returns r‖s.
    pub fn sign(&self, message: &[u8]) -> Result<[u8; 64], CryptoError> {
        let rng = lc_rand::SystemRandom::new();
        let sig = self
            .0
            .sign(&rng, message)
            .map_err(|_| CryptoError::Signing)?;
        sig.as_ref().try_into().map_err(|_| CryptoError::Signing)
    }
}

/// Verifies an r‖s ECDSA P-256/SHA-256 signature.
pub fn verify_signature(
    key: &PublicKey,
    message: &[u8],
    sig: &[u8; 64],
) -> Result<(), CryptoError> {
    signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, &key.0[..])
        .verify(message, sig)
        .map_err(|_| CryptoError::BadSignature)
}

/// Verifies a DER-encoded (`ECDSA-Sig-Value`) ECDSA P-256/SHA-256 signature, as X.509
/// certificates and PKCS#10 requests carry them.
pub fn verify_der_signature(
    key: &PublicKey,
    message: &[u8],
    sig: &[u8],
) -> Result<(), CryptoError> {
    signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, &key.0[..])
        .verify(message, sig)
        .map_err(|_| CryptoError::BadSignature)
}

impl GeneralSigning {
    /// Signs the APDU with the originator's DS key and sets the signature field.
    pub fn sign(self, key: &SigningKey) -> Result<Self, CryptoError> {
        let sig = key.sign(&self.signed_bytes())?;
        Ok(self.with_signature(sig))
    }

    /// Verifies the signature field against the originator's DS public key.
    pub fn verify_signature(&self, key: &PublicKey) -> Result<(), CryptoError> {
        match &self.signature {
            SignatureField::Signed(sig) => verify_signature(key, &self.signed_bytes(), sig),
            SignatureField::Absent | SignatureField::Unsigned => Err(CryptoError::NotSigned),
        }
    }
}

/// Encrypts payload content as a protected block: `31 ‖ IC(4) ‖ ciphertext ‖ tag(12)`, with
/// IV = `iv_title` ‖ IC and AAD = `31`. The key comes from the KDF in
/// [`KdfMode::PayloadEncryption`].
pub fn encrypt_payload(
    key: &DerivedKey,
    iv_title: Eui64,
    invocation_counter: u32,
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let cipher = Aes128Gcm12::new_from_slice(&key.0).map_err(|_| CryptoError::Cipher)?;
    let nonce = Nonce::<U12>::from(mac_iv(iv_title, invocation_counter));
    let mut out = Vec::with_capacity(plaintext.len() + 17);
    out.push(SECURITY_CONTROL_ENCRYPT);
    out.extend_from_slice(&invocation_counter.to_be_bytes());
    let mut buf = plaintext.to_vec();
    let tag = cipher
        .encrypt_inout_detached(
            &nonce,
            &[SECURITY_CONTROL_ENCRYPT],
            buf.as_mut_slice().into(),
        )
        .map_err(|_| CryptoError::Cipher)?;
    out.extend_from_slice(&buf);
    out.extend_from_slice(tag.as_slice());
    Ok(out)
}

/// Decrypts a protected block made by [`encrypt_payload`] (or a device).
pub fn decrypt_payload(
    key: &DerivedKey,
    iv_title: Eui64,
    block: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let mut r = Reader::new(block);
    let sc = r
        .u8()
        .map_err(|_| CryptoError::MalformedProtectedBlock("empty"))?;
    if sc != SECURITY_CONTROL_ENCRYPT {
        return Err(CryptoError::MalformedProtectedBlock(
            "security control is not 0x31",
        ));
    }
    let ic = r
        .u32_be()
        .map_err(|_| CryptoError::MalformedProtectedBlock("no invocation counter"))?;
    let ct_len = r
        .remaining()
        .checked_sub(MAC_LEN)
        .ok_or(CryptoError::MalformedProtectedBlock("shorter than the tag"))?;
    let mut buf = r
        .take(ct_len)
        .map_err(|_| CryptoError::MalformedProtectedBlock("truncated"))?
        .to_vec();
    let tag: [u8; MAC_LEN] = r
        .array()
        .map_err(|_| CryptoError::MalformedProtectedBlock("truncated tag"))?;
    let cipher = Aes128Gcm12::new_from_slice(&key.0).map_err(|_| CryptoError::Cipher)?;
    let nonce = Nonce::<U12>::from(mac_iv(iv_title, ic));
    cipher
        .decrypt_inout_detached(
            &nonce,
            &[SECURITY_CONTROL_ENCRYPT],
            buf.as_mut_slice().into(),
            &Tag::<U12>::from(tag),
        )
        .map_err(|_| CryptoError::BadMac)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derive_keeps_one_shared_secret_per_peer_and_gives_the_same_keys() {
        let mine = KaPrivateKey::from_scalar(&[7u8; 32]).unwrap();
        let peers: Vec<KaPrivateKey> = (1..=3u8)
            .map(|b| KaPrivateKey::from_scalar(&[b; 32]).unwrap())
            .collect();
        let ctx = |n: u64| KdfContext {
            originator: Eui64([1; 8]),
            mode: KdfMode::Command,
            counter: n,
            recipient: Eui64([2; 8]),
        };
        for round in 0..2 {
            for (i, p) in peers.iter().enumerate() {
                let pub_p = p.public_key().unwrap();
                let k = mine.derive(&pub_p, &ctx(round)).unwrap();
                // The peer computes the same key from its side, each time afresh.
                let fresh = KaPrivateKey::from_scalar(&[u8::try_from(i + 1).unwrap(); 32])
                    .unwrap()
                    .derive(&mine.public_key().unwrap(), &ctx(round))
                    .unwrap();
                assert_eq!(k, fresh, "peer {i}, round {round}");
            }
        }
        assert_eq!(mine.cached_pairs(), 3, "one shared secret per peer");
        // A different context, the same peer: a different key from the kept secret.
        let p0 = peers[0].public_key().unwrap();
        assert_ne!(
            mine.derive(&p0, &ctx(0)).unwrap(),
            mine.derive(&p0, &ctx(1)).unwrap()
        );
    }

    #[test]
    fn prepare_keeps_the_secret_derive_then_uses() {
        let mine = KaPrivateKey::from_scalar(&[7u8; 32]).unwrap();
        let peer = KaPrivateKey::from_scalar(&[9u8; 32]).unwrap();
        let ctx = KdfContext {
            originator: Eui64([1; 8]),
            mode: KdfMode::Command,
            counter: 5,
            recipient: Eui64([2; 8]),
        };
        mine.prepare(&peer.public_key().unwrap()).unwrap();
        assert_eq!(mine.cached_pairs(), 1);
        let k = mine.derive(&peer.public_key().unwrap(), &ctx).unwrap();
        assert_eq!(mine.cached_pairs(), 1, "derive used the prepared secret");
        let fresh = peer.derive(&mine.public_key().unwrap(), &ctx).unwrap();
        assert_eq!(k, fresh);
    }

    #[test]
    fn other_info_layout() {
        let ctx = KdfContext {
            originator: Eui64::from_u64(0x90b3_d51f_3001_0000),
            mode: KdfMode::Command,
            counter: 0x0000_0001_0000_0000,
            recipient: Eui64::from_u64(0x00db_1234_5678_90a0),
        };
        let oi = ctx.other_info();
        assert_eq!(&oi[..7], &KDF_ALGORITHM_ID);
        assert_eq!(&oi[7..15], &[0x90, 0xb3, 0xd5, 0x1f, 0x30, 0x01, 0, 0]);
        assert_eq!(&oi[15..17], &[0x09, 0x01]);
        assert_eq!(&oi[17..25], &[0, 0, 0, 1, 0, 0, 0, 0]);
        assert_eq!(&oi[25..], &[0x00, 0xdb, 0x12, 0x34, 0x56, 0x78, 0x90, 0xa0]);
    }

    #[test]
    fn kdf_is_sha256_of_counter_z_info() {
        // SHA-256(00000001) truncated, Z and OtherInfo empty.
        let k = concat_kdf(&[], &[]);
        assert_eq!(
            k.0,
            [
                0xb4, 0x07, 0x11, 0xa8, 0x8c, 0x70, 0x39, 0x75, 0x6f, 0xb8, 0xa7, 0x38, 0x27, 0xea,
                0xbe, 0x2c
            ]
        );
    }

    #[test]
    fn payload_encryption_round_trip_and_tamper() {
        let key = DerivedKey([7; 16]);
        let t = Eui64::from_u64(42);
        let block = encrypt_payload(&key, t, 0, b"hello gbcs").unwrap();
        assert_eq!(block[0], 0x31);
        assert_eq!(block.len(), 5 + 10 + 12);
        assert_eq!(decrypt_payload(&key, t, &block).unwrap(), b"hello gbcs");
        let mut bad = block.clone();
        bad[6] ^= 1;
        assert_eq!(decrypt_payload(&key, t, &bad), Err(CryptoError::BadMac));
        assert!(decrypt_payload(&key, t, &block[..10]).is_err());
    }
}
