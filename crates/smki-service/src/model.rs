//! The records the SMKI service keeps.

use std::fmt;
use std::str::FromStr;

use eui::Eui64;
use serde::{Deserialize, Serialize};
use smki::CaKind;

/// Live and test SMKI are separate services with separate roots (SEC L and H4): a test
/// certificate never chains to a live root, and the live gateway refuses test keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Environment {
    Live,
    Test,
}

/// What a certificate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CertKind {
    /// An organisation certificate (a SEC Party's, or one of the DCC's roles).
    Organisation,
    /// A device certificate (meter, hub function, HAN device).
    Device,
    /// A certificate authority's own certificate (root, OCA, DCA; DCCKI CAs too).
    Authority,
    /// A DCCKI (TLS) end-entity certificate.
    Dccki,
}

/// The key usage of a certificate as the repository reports it (DCC Boxed's `DS` / `KA`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CertUsage {
    DigitalSigning,
    KeyAgreement,
    /// A CA certificate (keyCertSign / cRLSign).
    CertSign,
    /// TLS (DCCKI) client or server authentication.
    Tls,
}

/// A certificate's status in the repository (DCC Boxed's `CertificateStatus` letters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CertStatus {
    /// `P`: issued but not yet in use.
    Pending,
    /// `I`: in use.
    InUse,
    /// `N`: not in use (superseded, e.g. a retired issuing CA's certificate).
    NotInUse,
    /// `E`: past its validity.
    Expired,
    /// `R`: revoked (organisation and OCA certificates only).
    Revoked,
}

macro_rules! text_enum {
    ($t:ty, $what:literal, { $($v:ident => $s:literal),+ $(,)? }) => {
        impl $t {
            /// The name stored and printed.
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),+ }
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $t {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($s => Ok(Self::$v),)+
                    _ => Err(UnknownName { what: $what, value: s.chars().take(64).collect() }),
                }
            }
        }
    };
}

text_enum!(Environment, "environment", { Live => "live", Test => "test" });
text_enum!(CertKind, "certificate kind", {
    Organisation => "organisation", Device => "device", Authority => "authority", Dccki => "dccki",
});
text_enum!(CertUsage, "certificate usage", {
    DigitalSigning => "DS", KeyAgreement => "KA", CertSign => "CA", Tls => "TLS",
});
text_enum!(CertStatus, "certificate status", {
    Pending => "P", InUse => "I", NotInUse => "N", Expired => "E", Revoked => "R",
});

/// A name that is not one of an enumeration's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what}: {value:?}")]
pub struct UnknownName {
    what: &'static str,
    value: String,
}

/// The stored name of a [`CaKind`].
pub const fn ca_kind_name(kind: CaKind) -> &'static str {
    match kind {
        CaKind::OrganisationRoot => "org-root",
        CaKind::Oca => "oca",
        CaKind::DeviceRoot => "device-root",
        CaKind::Dca => "dca",
        CaKind::DcckiRoot => "dccki-root",
        CaKind::DcckiIssuing => "dccki-issuing",
    }
}

/// The [`CaKind`] of a stored name.
pub fn ca_kind_from_name(s: &str) -> Result<CaKind, UnknownName> {
    [
        CaKind::OrganisationRoot,
        CaKind::Oca,
        CaKind::DeviceRoot,
        CaKind::Dca,
        CaKind::DcckiRoot,
        CaKind::DcckiIssuing,
    ]
    .into_iter()
    .find(|k| ca_kind_name(*k) == s)
    .ok_or_else(|| UnknownName {
        what: "CA kind",
        value: s.chars().take(64).collect(),
    })
}

/// Canonical form of a certificate serial number: upper-case hex without leading zeros (`0`
/// for zero), as DCC Boxed's repository writes `CertificateSerial`. Accepts hex in either case,
/// with leading zeros, optionally `0x`-prefixed.
pub fn canonical_serial_hex(s: &str) -> Option<String> {
    let t = s.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    if t.is_empty() || t.len() > 64 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let trimmed = t.trim_start_matches('0');
    Some(if trimmed.is_empty() {
        "0".to_string()
    } else {
        trimmed.to_ascii_uppercase()
    })
}

/// Canonical hex serial of a DER INTEGER's content bytes (big-endian, possibly with a leading
/// zero byte).
pub fn serial_hex_of_bytes(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02X}");
    }
    canonical_serial_hex(&s).unwrap_or_else(|| "0".into())
}

/// A certificate authority the SMKI service runs (or, for ZAZ1 worlds, knows of).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaRecord {
    /// Row id; 0 for a record not stored yet.
    pub id: i64,
    pub kind: CaKind,
    pub environment: Environment,
    pub cert_der: Vec<u8>,
    /// The CA's private key (PKCS#8 DER) while the DCC holds it; `None` once destroyed (and
    /// for a CA whose key the DCC never held, e.g. the ZAZ1 authorities).
    pub key_pkcs8: Option<Vec<u8>>,
    /// When the CA began issuing (unix milliseconds).
    pub created_at: i64,
    /// End-entity certificates issued by it so far.
    pub issued_count: u64,
    /// When it stopped issuing (roll-over), if it has.
    pub retired_at: Option<i64>,
    /// When its key was destroyed, and the record of the destruction.
    pub destroyed_at: Option<i64>,
    pub destruction_record: Option<String>,
}

impl CaRecord {
    /// The record of a CA the DCC runs, holding its key, issuing from `created_at`, not stored
    /// yet (`id` 0).
    pub fn new(ca: &smki::Ca, env: Environment, created_at: i64) -> Result<Self, smki::SmkiError> {
        Ok(Self {
            id: 0,
            kind: ca.kind(),
            environment: env,
            cert_der: ca.cert_der().to_vec(),
            key_pkcs8: Some(ca.key().to_pkcs8_der()?.to_vec()),
            created_at,
            issued_count: 0,
            retired_at: None,
            destroyed_at: None,
            destruction_record: None,
        })
    }

    /// Whether this CA is the one issuing now (not retired, key held).
    pub fn is_current(&self) -> bool {
        self.retired_at.is_none() && self.key_pkcs8.is_some()
    }
}

/// A certificate in the SMKI repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertRecord {
    /// Canonical upper-case hex ([`canonical_serial_hex`]).
    pub serial: String,
    /// The same serial in decimal (as XML-DSig `X509SerialNumber` writes it).
    pub serial_decimal: String,
    pub environment: Environment,
    pub kind: CertKind,
    pub usage: CertUsage,
    /// The subject EUI-64: an organisation certificate's subject `x500UniqueIdentifier`, a
    /// device certificate's `hardwareModuleName`; `None` for CAs and DCCKI certificates.
    pub subject_eui: Option<Eui64>,
    /// The SMKI remote party role (organisation certificates and OCA: the subject `OU`).
    pub role: Option<u8>,
    /// The Authorised Subscriber it was issued to, where one asked for it.
    pub subscriber: Option<Eui64>,
    /// The [`CaRecord::id`] of the CA that issued it, where the service holds that CA.
    pub issuer_ca: Option<i64>,
    /// The subject public key, SEC1 uncompressed (65 bytes for P-256).
    pub public_key: Vec<u8>,
    /// Issued (lodged) at, and end of validity (unix milliseconds).
    pub issued_at: i64,
    pub not_after: i64,
    pub status: CertStatus,
    pub revoked_at: Option<i64>,
    pub revocation_reason: Option<String>,
    pub der: Vec<u8>,
}

/// Why a certificate could not be read into a [`CertRecord`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("certificate: {0}")]
pub struct BadCertificate(pub String);

fn unix_ms(t: time::OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

impl CertRecord {
    /// The record of an SMKI organisation certificate, `InUse`.
    pub fn organisation(
        der: &[u8],
        env: Environment,
        issued_at: i64,
    ) -> Result<Self, BadCertificate> {
        let c = smki::OrgCertificate::from_der(der).map_err(|e| BadCertificate(e.to_string()))?;
        Ok(Self {
            serial: serial_hex_of_bytes(c.serial()),
            serial_decimal: c.serial_decimal().to_string(),
            environment: env,
            kind: CertKind::Organisation,
            usage: usage_of(c.key_usage()),
            subject_eui: Some(c.eui()),
            role: Some(c.role().code()),
            subscriber: None,
            issuer_ca: None,
            public_key: c.public_key_sec1().to_vec(),
            issued_at,
            not_after: unix_ms(c.not_after()),
            status: CertStatus::InUse,
            revoked_at: None,
            revocation_reason: None,
            der: der.to_vec(),
        })
    }

    /// The record of an SMKI device certificate, `InUse`.
    pub fn device(der: &[u8], env: Environment, issued_at: i64) -> Result<Self, BadCertificate> {
        let c =
            smki::DeviceCertificate::from_der(der).map_err(|e| BadCertificate(e.to_string()))?;
        Ok(Self {
            serial: serial_hex_of_bytes(c.serial()),
            serial_decimal: c.serial_decimal().to_string(),
            environment: env,
            kind: CertKind::Device,
            usage: usage_of(c.key_usage()),
            subject_eui: Some(c.eui()),
            role: None,
            subscriber: None,
            issuer_ca: None,
            public_key: c.public_key_sec1().to_vec(),
            issued_at,
            not_after: unix_ms(c.not_after()),
            status: CertStatus::InUse,
            revoked_at: None,
            revocation_reason: None,
            der: der.to_vec(),
        })
    }

    /// The record of a device certificate this service has just signed with
    /// [`smki::Ca::issue_device`] for `eui`, `usage`, `public_key` and `serial`, `InUse`: what
    /// [`CertRecord::device`] reads back from `der`, built from the fields already known
    /// instead (a test checks the two agree), so the batch does not parse what it has just
    /// encoded.
    pub fn device_issued(
        der: Vec<u8>,
        serial: smki::Serial,
        eui: Eui64,
        usage: smki::KeyUsage,
        public_key: &smki::PublicKey,
        env: Environment,
        issued_at: i64,
    ) -> Self {
        Self {
            serial: serial_hex_of_bytes(&serial.bytes()),
            serial_decimal: serial.to_decimal(),
            environment: env,
            kind: CertKind::Device,
            usage: usage_of(usage),
            subject_eui: Some(eui),
            role: None,
            subscriber: None,
            issuer_ca: None,
            public_key: public_key.to_sec1_uncompressed().to_vec(),
            issued_at,
            not_after: smki::DEVICE_CERT_NOT_AFTER_UNIX.saturating_mul(1000),
            status: CertStatus::InUse,
            revoked_at: None,
            revocation_reason: None,
            der,
        }
    }

    /// The record of a CA certificate (or a DCCKI end-entity one, with `kind`
    /// [`CertKind::Dccki`]), `InUse`. An OCA's role is the `OU` of its subject.
    pub fn authority(
        der: &[u8],
        kind: CertKind,
        env: Environment,
        issued_at: i64,
    ) -> Result<Self, BadCertificate> {
        use der::Decode;
        let c = x509_cert::Certificate::from_der(der).map_err(|e| BadCertificate(e.to_string()))?;
        let tbs = c.tbs_certificate();
        let serial = serial_hex_of_bytes(tbs.serial_number().as_bytes());
        let role = subject_texts(&c, const_oid_ou()).find_map(|t| u8::from_str_radix(&t, 16).ok());
        let not_after = tbs.validity().not_after.to_unix_duration();
        Ok(Self {
            serial_decimal: smki::to_decimal(tbs.serial_number().as_bytes()),
            serial,
            environment: env,
            kind,
            usage: if kind == CertKind::Dccki {
                CertUsage::Tls
            } else {
                CertUsage::CertSign
            },
            subject_eui: None,
            role,
            subscriber: None,
            issuer_ca: None,
            public_key: tbs
                .subject_public_key_info()
                .subject_public_key
                .raw_bytes()
                .to_vec(),
            issued_at,
            not_after: i64::try_from(not_after.as_millis()).unwrap_or(i64::MAX),
            status: CertStatus::InUse,
            revoked_at: None,
            revocation_reason: None,
            der: der.to_vec(),
        })
    }
}

/// The subject attributes of type `oid` that are text (PrintableString or UTF8String), in
/// order.
pub(crate) fn subject_texts(
    c: &x509_cert::Certificate,
    oid: der::asn1::ObjectIdentifier,
) -> impl Iterator<Item = String> + '_ {
    c.tbs_certificate()
        .subject()
        .as_ref()
        .iter()
        .flat_map(|rdn| rdn.as_ref().iter())
        .filter(move |atv| atv.oid == oid)
        .filter_map(|atv| {
            atv.value
                .decode_as::<der::asn1::PrintableStringRef<'_>>()
                .map(|s| s.as_str().to_owned())
                .or_else(|_| {
                    atv.value
                        .decode_as::<der::asn1::Utf8StringRef<'_>>()
                        .map(|s| s.as_str().to_owned())
                })
                .ok()
        })
}

fn const_oid_ou() -> der::asn1::ObjectIdentifier {
    der::asn1::ObjectIdentifier::new_unwrap("2.5.4.11")
}

fn usage_of(u: smki::KeyUsage) -> CertUsage {
    match u {
        smki::KeyUsage::DigitalSignature => CertUsage::DigitalSigning,
        smki::KeyUsage::KeyAgreement => CertUsage::KeyAgreement,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_canonical() {
        assert_eq!(canonical_serial_hex("00ab").as_deref(), Some("AB"));
        assert_eq!(canonical_serial_hex("0x4a07").as_deref(), Some("4A07"));
        assert_eq!(canonical_serial_hex("000").as_deref(), Some("0"));
        assert_eq!(canonical_serial_hex(""), None);
        assert_eq!(canonical_serial_hex("12g"), None);
        assert_eq!(serial_hex_of_bytes(&[0x00, 0x9f, 0x01]), "9F01");
    }

    #[test]
    #[allow(clippy::unwrap_used)] // tests may unwrap
    fn a_device_record_built_from_its_fields_is_the_record_read_back() {
        use sha2::Digest;
        use smki::{DeviceCertRequest, KeyPair, KeyUsage, PkiNames, Serial};
        let now = time::OffsetDateTime::from_unix_timestamp(1_800_000_123).unwrap();
        let pki = smki::Pki::generate_with_os_rng(now, &PkiNames::default()).unwrap();
        for i in 0..64u64 {
            // Deterministic keys, serials (including ones whose first hex digit is 0, which the
            // canonical form drops) and EUIs.
            let seed = sha2::Sha256::digest(i.to_be_bytes());
            let key = KeyPair::from_scalar_bytes(&seed).unwrap();
            let mut sb = [0u8; 16];
            sb.copy_from_slice(&seed[8..24]);
            sb[0] = [0x01, 0x0F, 0x10, 0x7F][usize::try_from(i % 4).unwrap()];
            let serial = Serial::from_bytes(sb).unwrap();
            let eui = Eui64::from_u64(u64::from_be_bytes(seed[..8].try_into().unwrap()));
            let usage = if i % 2 == 0 {
                KeyUsage::DigitalSignature
            } else {
                KeyUsage::KeyAgreement
            };
            let der = pki
                .dca
                .issue_device(&DeviceCertRequest {
                    eui,
                    usage,
                    public_key: key.public_key(),
                    serial,
                    not_before: now,
                })
                .unwrap();
            let env = if i % 3 == 0 {
                Environment::Test
            } else {
                Environment::Live
            };
            let at = 1_800_000_123_456 + i64::try_from(i).unwrap();
            let read_back = CertRecord::device(&der, env, at).unwrap();
            let built =
                CertRecord::device_issued(der, serial, eui, usage, &key.public_key(), env, at);
            assert_eq!(built, read_back, "certificate {i}");
        }
    }

    #[test]
    fn names_round_trip() {
        for s in [CertStatus::Pending, CertStatus::InUse, CertStatus::Revoked] {
            assert_eq!(s.as_str().parse::<CertStatus>(), Ok(s));
        }
        assert!("X".parse::<CertStatus>().is_err());
        for k in [CaKind::Oca, CaKind::Dca, CaKind::DcckiRoot] {
            assert_eq!(ca_kind_from_name(ca_kind_name(k)), Ok(k));
        }
    }
}
