//! P-256 key pairs and public keys.

use std::fmt;

use p256::SecretKey;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToSec1Point;
use p256::elliptic_curve::zeroize::Zeroizing;
use p256::elliptic_curve::{Generate, rand_core::CryptoRng};
use p256::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};

use crate::error::{Result, SmkiError};

/// A P-256 key pair: a certificate subject's or a CA's private key and its public key.
///
/// Signing with it (for certificates) is deterministic (RFC 6979), so nothing in this crate
/// needs randomness once keys and serial numbers exist.
///
/// The public key (inside the cached [`SigningKey`]) is computed once, when the pair is made:
/// deriving it is a scalar multiplication, which used to be paid on every certificate signed.
#[derive(Clone)]
pub struct KeyPair {
    secret: SecretKey,
    signing: SigningKey,
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field("public", &self.public_key())
            .finish_non_exhaustive()
    }
}

impl PartialEq for KeyPair {
    fn eq(&self, other: &Self) -> bool {
        // Compares private scalars in constant time (SecretKey's PartialEq is ct); the cached
        // signing key is derived from the scalar.
        self.secret == other.secret
    }
}

impl Eq for KeyPair {}

impl KeyPair {
    /// A fresh key from the caller's cryptographically secure RNG.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        Self::from_secret(SecretKey::generate_from_rng(rng))
    }

    fn from_secret(secret: SecretKey) -> Self {
        let signing = SigningKey::from(&secret);
        Self { secret, signing }
    }

    /// A fresh key from the operating system's RNG.
    pub fn generate_with_os_rng() -> Result<Self> {
        // A uniformly random 32-byte string is a valid scalar with probability 1 - 2^-32;
        // a few attempts make failure astronomically unlikely and still bounded.
        for _ in 0..8 {
            let mut bytes = Zeroizing::new([0u8; 32]);
            getrandom::fill(bytes.as_mut_slice()).map_err(|e| SmkiError::Rng(e.to_string()))?;
            if let Ok(secret) = SecretKey::from_slice(bytes.as_slice()) {
                return Ok(Self::from_secret(secret));
            }
        }
        Err(SmkiError::Rng(
            "no valid P-256 scalar after 8 draws".to_owned(),
        ))
    }

    /// From a PKCS#8 `PrivateKeyInfo` in DER (what `openssl pkcs8 -topk8 -nocrypt` writes; the
    /// ZAZ1 `.key` files are this).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        SecretKey::from_pkcs8_der(der)
            .map(Self::from_secret)
            .map_err(|e| SmkiError::InvalidKey(e.to_string()))
    }

    /// From PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self> {
        SecretKey::from_pkcs8_pem(pem)
            .map(Self::from_secret)
            .map_err(|e| SmkiError::InvalidKey(e.to_string()))
    }

    /// From the raw 32-byte big-endian private scalar.
    pub fn from_scalar_bytes(bytes: &[u8]) -> Result<Self> {
        SecretKey::from_slice(bytes)
            .map(Self::from_secret)
            .map_err(|e| SmkiError::InvalidKey(e.to_string()))
    }

    /// PKCS#8 DER, including the public key. Zeroised on drop.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        self.secret
            .to_pkcs8_der()
            .map(|doc| Zeroizing::new(doc.as_bytes().to_vec()))
            .map_err(SmkiError::encoding)
    }

    /// PKCS#8 DER of the key with the raw 32-byte private scalar `bytes`: byte for byte what
    /// `from_scalar_bytes(bytes)?.to_pkcs8_der()` gives, with the public key computed by aws-lc
    /// ([`PublicKey::from_scalar_bytes`]) instead of `p256`, several times faster: for a vault
    /// that derives its devices' keys on demand. Zeroised on drop.
    pub fn pkcs8_der_from_scalar_bytes(bytes: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        // PrivateKeyInfo { version 0, id-ecPublicKey with prime256v1, OCTET STRING
        // ECPrivateKey { version 1, privateKey OCTET STRING (32), [1] publicKey BIT STRING } }.
        const HEAD: [u8; 36] = [
            0x30, 0x81, 0x87, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce,
            0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04,
            0x6d, 0x30, 0x6b, 0x02, 0x01, 0x01, 0x04, 0x20,
        ];
        const PUBLIC: [u8; 5] = [0xa1, 0x44, 0x03, 0x42, 0x00];
        let public = PublicKey::from_scalar_bytes(bytes)?.to_sec1_uncompressed();
        let mut der = Zeroizing::new(Vec::with_capacity(HEAD.len() + 32 + PUBLIC.len() + 65));
        der.extend_from_slice(&HEAD);
        der.extend_from_slice(bytes);
        der.extend_from_slice(&PUBLIC);
        der.extend_from_slice(&public);
        Ok(der)
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, LF line endings). Zeroised on drop.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        self.secret
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(SmkiError::encoding)
    }

    /// The raw 32-byte big-endian private scalar. Zeroised on drop.
    pub fn to_scalar_bytes(&self) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        out.copy_from_slice(self.secret.to_bytes().as_slice());
        out
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(p256::PublicKey::from(self.signing.verifying_key()))
    }

    /// The ECDSA signing key (for callers that sign with RustCrypto directly).
    pub fn signing_key(&self) -> SigningKey {
        self.signing.clone()
    }

    /// The cached ECDSA signing key, by reference.
    pub(crate) fn signing_key_ref(&self) -> &SigningKey {
        &self.signing
    }

    /// ECDSA P-256 / SHA-256 over `msg` with the deterministic nonce of RFC 6979: the very
    /// signature [`SigningKey`] makes (a test checks they are byte-identical), about twice as
    /// fast. The nonce `k` is RFC 6979's, drawn by the `rfc6979` crate exactly as the `ecdsa`
    /// crate draws it; the one costly step, the fixed-base multiplication `k×G`, is done by
    /// aws-lc (constant time), and `s = k⁻¹(z + r·d)` by `p256`'s constant-time scalars.
    pub fn sign_deterministic(&self, msg: &[u8]) -> Result<Signature> {
        use p256::elliptic_curve::ops::Reduce;
        use p256::elliptic_curve::{Curve, PrimeField};
        use p256::{FieldBytes, NistP256, NonZeroScalar, Scalar, U256};
        use sha2::Digest;

        let z = FieldBytes::from(<[u8; 32]>::from(sha2::Sha256::digest(msg)));
        let d = self.signing.as_nonzero_scalar();
        let x = Zeroizing::new(d.to_repr());
        let mut kgen = rfc6979::KGenerator::<sha2::Sha256, U256>::new(
            x.as_slice(),
            z.as_slice(),
            &[],
            NistP256::ORDER.as_ref(),
        );
        let zs = <Scalar as Reduce<FieldBytes>>::reduce(&z);
        // RFC 6979 draws again while k is unusable; for P-256 a second draw has probability
        // about 2^-128, so the bound is never reached in practice.
        for _ in 0..16 {
            let mut k_bytes = Zeroizing::new(FieldBytes::default());
            kgen.fill_next_k(k_bytes.as_mut_slice());
            let Some(k) = NonZeroScalar::from_repr(*k_bytes).into_option() else {
                continue;
            };
            let r_point = aws_lc_rs::agreement::PrivateKey::from_private_key(
                &aws_lc_rs::agreement::ECDH_P256,
                k_bytes.as_slice(),
            )
            .map_err(|_| ())
            .and_then(|kp| kp.compute_public_key().map_err(|_| ()))
            .map_err(|()| SmkiError::Rng("aws-lc refused the nonce".to_owned()))?;
            // Uncompressed SEC1: 04 ‖ X ‖ Y.
            let Some(rx) = r_point.as_ref().get(1..33) else {
                continue;
            };
            let r = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(
                <[u8; 32]>::try_from(rx).map_err(|_| SmkiError::Rng("bad point".to_owned()))?,
            ));
            let Some(k_inv) = k.as_ref().invert().into_option() else {
                continue;
            };
            let s = k_inv * (zs + r * d.as_ref());
            if let Ok(sig) = Signature::from_scalars(r, s) {
                return Ok(sig);
            }
        }
        Err(SmkiError::Rng("no usable RFC 6979 nonce".to_owned()))
    }
}

/// A P-256 public key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(pub(crate) p256::PublicKey);

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey(")?;
        for b in self.to_sec1_uncompressed() {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

impl PublicKey {
    /// From a SEC1 point, uncompressed (65 bytes, `04‖X‖Y`) or compressed (33 bytes).
    pub fn from_sec1(bytes: &[u8]) -> Result<Self> {
        p256::PublicKey::from_sec1_bytes(bytes)
            .map(Self)
            .map_err(|_| SmkiError::InvalidKey("not a P-256 SEC1 point".to_owned()))
    }

    /// The uncompressed SEC1 point, `04‖X‖Y`: the form SMKI certificates and GBCS carry.
    pub fn to_sec1_uncompressed(&self) -> [u8; 65] {
        let point = self.0.to_sec1_point(false);
        let mut out = [0u8; 65];
        let bytes = point.as_bytes();
        if bytes.len() == out.len() {
            out.copy_from_slice(bytes);
        }
        out
    }

    /// The public key of the raw 32-byte big-endian private scalar (exactly 32 bytes; the one
    /// [`KeyPair::from_scalar_bytes`] would hold, refused alike when out of range): the
    /// scalar multiplication by aws-lc, several times faster than `p256`'s, for callers that
    /// need only the public half (a generated world's device certificates).
    pub fn from_scalar_bytes(bytes: &[u8]) -> Result<Self> {
        // The range check `KeyPair::from_scalar_bytes` makes (1 ≤ d < n), without its
        // scalar multiplication.
        if bytes.len() != 32 {
            return Err(SmkiError::InvalidKey(
                "a P-256 scalar is 32 bytes".to_owned(),
            ));
        }
        SecretKey::from_slice(bytes).map_err(|e| SmkiError::InvalidKey(e.to_string()))?;
        let point = aws_lc_rs::agreement::PrivateKey::from_private_key(
            &aws_lc_rs::agreement::ECDH_P256,
            bytes,
        )
        .map_err(|_| ())
        .and_then(|k| k.compute_public_key().map_err(|_| ()))
        .map_err(|()| SmkiError::InvalidKey("aws-lc refused the P-256 scalar".to_owned()))?;
        Self::from_sec1(point.as_ref())
    }

    /// From a DER `SubjectPublicKeyInfo` (id-ecPublicKey, prime256v1).
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        p256::PublicKey::from_public_key_der(der)
            .map(Self)
            .map_err(|e| SmkiError::InvalidKey(e.to_string()))
    }

    /// From a PEM `SubjectPublicKeyInfo` (`-----BEGIN PUBLIC KEY-----`).
    pub fn from_spki_pem(pem: &str) -> Result<Self> {
        p256::PublicKey::from_public_key_pem(pem)
            .map(Self)
            .map_err(|e| SmkiError::InvalidKey(e.to_string()))
    }

    /// As a DER `SubjectPublicKeyInfo`.
    pub fn to_spki_der(&self) -> Result<Vec<u8>> {
        self.0
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .map_err(SmkiError::encoding)
    }

    /// As a PEM `SubjectPublicKeyInfo`.
    pub fn to_spki_pem(&self) -> Result<String> {
        self.0
            .to_public_key_pem(LineEnding::LF)
            .map_err(SmkiError::encoding)
    }

    /// The RustCrypto public key.
    pub fn as_p256(&self) -> &p256::PublicKey {
        &self.0
    }

    /// The 8-byte key identifier SMKI uses for SKI/AKI: RFC 5280 §4.2.1.2 method (2), a
    /// `0100` nibble followed by the low 60 bits of SHA-1 over the uncompressed point.
    pub fn key_identifier(&self) -> [u8; 8] {
        key_identifier(&self.to_sec1_uncompressed())
    }
}

impl From<p256::PublicKey> for PublicKey {
    fn from(k: p256::PublicKey) -> Self {
        Self(k)
    }
}

/// RFC 5280 §4.2.1.2 method (2) key identifier over a subjectPublicKey BIT STRING's bytes.
pub(crate) fn key_identifier(subject_public_key: &[u8]) -> [u8; 8] {
    use sha1::Digest;
    let digest = sha1::Sha1::digest(subject_public_key);
    let mut out = [0u8; 8];
    let tail = digest.as_slice().get(12..20).unwrap_or(&[0u8; 8]);
    out.copy_from_slice(tail);
    out[0] = 0x40 | (out[0] & 0x0F);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;
    use crate::test_rng::TestRng;

    #[test]
    fn pkcs8_round_trip() {
        let mut rng = TestRng::new(1);
        let k = KeyPair::generate(&mut rng);
        let der = k.to_pkcs8_der().unwrap();
        let back = KeyPair::from_pkcs8_der(&der).unwrap();
        assert_eq!(k, back);
        let pem = k.to_pkcs8_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let back = KeyPair::from_pkcs8_pem(&pem).unwrap();
        assert_eq!(k.public_key(), back.public_key());
        let other = KeyPair::generate(&mut rng);
        assert_ne!(k, other);
    }

    #[test]
    fn public_key_forms() {
        let mut rng = TestRng::new(2);
        let k = KeyPair::generate(&mut rng).public_key();
        let sec1 = k.to_sec1_uncompressed();
        assert_eq!(sec1[0], 0x04);
        assert_eq!(PublicKey::from_sec1(&sec1).unwrap(), k);
        let spki = k.to_spki_der().unwrap();
        assert_eq!(PublicKey::from_spki_der(&spki).unwrap(), k);
        let pem = k.to_spki_pem().unwrap();
        assert_eq!(PublicKey::from_spki_pem(&pem).unwrap(), k);
        assert!(PublicKey::from_sec1(&sec1[..64]).is_err());
        let mut bad = sec1;
        bad[64] ^= 1;
        assert!(
            PublicKey::from_sec1(&bad).is_err(),
            "off-curve point accepted"
        );
    }

    #[test]
    fn deterministic_signatures_are_p256_s() {
        use p256::ecdsa::signature::Signer;
        let mut rng = TestRng::new(4);
        for i in 0..200u32 {
            let k = KeyPair::generate(&mut rng);
            let msg: Vec<u8> = (0..(i * 7 % 300)).map(|j| (j * 31 + i) as u8).collect();
            let want: Signature = k.signing_key().sign(&msg);
            assert_eq!(k.sign_deterministic(&msg).unwrap(), want, "message {i}");
        }
    }

    #[test]
    fn pkcs8_from_scalar_is_the_key_pairs() {
        let mut rng = TestRng::new(6);
        for _ in 0..100 {
            let k = KeyPair::generate(&mut rng);
            let s = k.to_scalar_bytes();
            assert_eq!(
                *KeyPair::pkcs8_der_from_scalar_bytes(s.as_slice()).unwrap(),
                *k.to_pkcs8_der().unwrap()
            );
        }
        for bad in [&[0u8; 32][..], &hex_literal_n()[..], &[1u8; 31][..]] {
            assert!(KeyPair::pkcs8_der_from_scalar_bytes(bad).is_err());
        }
    }

    #[test]
    fn public_key_from_scalar_is_the_key_pairs() {
        let mut rng = TestRng::new(5);
        for _ in 0..100 {
            let k = KeyPair::generate(&mut rng);
            let s = k.to_scalar_bytes();
            assert_eq!(
                PublicKey::from_scalar_bytes(s.as_slice()).unwrap(),
                k.public_key()
            );
        }
        // Out of range, as KeyPair::from_scalar_bytes: zero, the order n, all ones.
        let n = hex_literal_n();
        for bad in [&[0u8; 32][..], &n[..], &[0xFF; 32][..]] {
            assert!(PublicKey::from_scalar_bytes(bad).is_err());
            assert!(KeyPair::from_scalar_bytes(bad).is_err());
        }
        assert!(PublicKey::from_scalar_bytes(&[1u8; 31]).is_err());
        let mut below = n;
        below[31] -= 1;
        assert_eq!(
            PublicKey::from_scalar_bytes(&below).unwrap(),
            KeyPair::from_scalar_bytes(&below).unwrap().public_key()
        );
    }

    /// The P-256 group order n, big-endian.
    fn hex_literal_n() -> [u8; 32] {
        let hex = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
        let mut out = [0u8; 32];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }

    #[test]
    fn os_rng_keys_differ() {
        let a = KeyPair::generate_with_os_rng().unwrap();
        let b = KeyPair::generate_with_os_rng().unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn scalar_round_trip() {
        let mut rng = TestRng::new(3);
        let k = KeyPair::generate(&mut rng);
        let s = k.to_scalar_bytes();
        assert_eq!(KeyPair::from_scalar_bytes(s.as_slice()).unwrap(), k);
        assert!(KeyPair::from_scalar_bytes(&[0u8; 32]).is_err());
    }

    #[test]
    fn garbage_keys_rejected() {
        assert!(KeyPair::from_pkcs8_der(b"\x30\x03\x02\x01\x00").is_err());
        assert!(KeyPair::from_pkcs8_pem("not a key").is_err());
        assert!(PublicKey::from_spki_der(&[]).is_err());
    }
}
