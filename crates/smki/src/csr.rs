//! PKCS#10 certificate signing requests (RFC 2986) for SMKI organisation and device
//! certificates: building them (for subscribers' tools), and reading them on the service side
//! with proof of possession checked and the SMKI field limits enforced.
//!
//! What a request carries, mirroring the certificate profiles of [`crate::Ca::issue_organisation`]
//! and [`crate::Ca::issue_device`]:
//!
//! * organisation: subject `[CN=<name>,] OU=<role code>, x500UniqueIdentifier=<EUI-64>`;
//!   extensionRequest with keyUsage (exactly one of digitalSignature / keyAgreement);
//! * device: empty subject; extensionRequest with keyUsage and a subjectAltName holding one
//!   HardwareModuleName whose hwSerialNum is the device's EUI-64.
//!
//! The key must be P-256 and the request signed with it (ecdsa-with-SHA256): the signature over
//! `certificationRequestInfo` verifying under the request's own key is the proof that the
//! subscriber holds the private key. Anything else in the request (other attributes, other
//! extensions, other subject attributes) is refused rather than ignored, so that what is
//! certified is exactly what was checked.

use der::asn1::{Any, BitString, ObjectIdentifier, OctetString, SetOfVec};
use der::{Decode, Encode};
use eui::Eui64;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{DerSignature, Signature};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::attr::Attribute;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::request::{CertReq, CertReqInfo, ExtensionReq, Version};

use crate::error::{Result, SmkiError};
use crate::key::{KeyPair, PublicKey};
use crate::parse::{KeyUsage, attr_string, eui_from_unique_identifier};
use crate::profile::{self, Attr, StrKind, oid};
use crate::role::RemotePartyRole;

/// The SMKI field-size limits opendcc enforces on requests and on what it issues.
///
/// Source: the seed papers (SEC Stage 3, §3) require organisation and OCA certificates to be
/// small enough to travel over the HAN (ZigBee) and be stored by devices, but give no numbers,
/// and neither the SMKI certificate policies nor GBCS are in this repository. The numbers
/// below are opendcc's, measured against the public ZAZ1 test PKI (`corpus/zaz1`): its largest
/// organisation certificate is 433 bytes of DER with a 16-character CN (`GITTESTSUPPLIER2`).
pub mod limits {
    /// Longest organisation `CN` accepted (characters): ZAZ1's longest.
    pub const ORG_COMMON_NAME_MAX: usize = 16;
    /// Largest organisation or OCA certificate (DER bytes) the service issues: ZAZ1's largest
    /// plus margin, well inside one ZigBee fragmented-transfer payload.
    pub const ORG_CERT_DER_MAX: usize = 512;
    /// Largest CSR accepted (DER bytes); a P-256 SMKI CSR is about 300.
    pub const CSR_DER_MAX: usize = 1024;
}

/// What the request asks to be certified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsrSubject {
    /// An organisation certificate for the party `eui` acting in `role`.
    Organisation {
        common_name: Option<String>,
        eui: Eui64,
        role: RemotePartyRole,
    },
    /// A device certificate for the device `eui`.
    Device { eui: Eui64 },
}

impl CsrSubject {
    /// The subject EUI-64.
    pub fn eui(&self) -> Eui64 {
        match self {
            Self::Organisation { eui, .. } | Self::Device { eui } => *eui,
        }
    }
}

/// A parsed, checked CSR: proof of possession verified, limits respected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificationRequest {
    pub subject: CsrSubject,
    pub usage: KeyUsage,
    pub public_key: PublicKey,
}

#[derive(der::Sequence)]
struct HardwareModuleName {
    hw_type: ObjectIdentifier,
    hw_serial_num: OctetString,
}

fn bad(field: &'static str, reason: impl Into<String>) -> SmkiError {
    SmkiError::Invalid {
        field,
        reason: reason.into(),
    }
}

fn csr_bad(e: impl std::fmt::Display) -> SmkiError {
    bad("certification request", e.to_string())
}

impl CertificationRequest {
    /// Reads a DER CSR: size limit, structure, signature algorithm, P-256 key, proof of
    /// possession, subject and requested extensions.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        if der.len() > limits::CSR_DER_MAX {
            return Err(bad(
                "certification request",
                format!(
                    "{} bytes, over the limit of {}",
                    der.len(),
                    limits::CSR_DER_MAX
                ),
            ));
        }
        let req = CertReq::from_der(der).map_err(csr_bad)?;
        if req.algorithm.oid != oid::ECDSA_WITH_SHA256 || req.algorithm.parameters.is_some() {
            return Err(SmkiError::UnsupportedSignatureAlgorithm(
                req.algorithm.oid.to_string(),
            ));
        }
        let spki = req.info.public_key.to_der().map_err(csr_bad)?;
        let public_key =
            PublicKey::from_spki_der(&spki).map_err(|_| SmkiError::UnsupportedPublicKey)?;
        // Proof of possession: the request is signed by the private half of its own key.
        let tbs = req.info.to_der().map_err(csr_bad)?;
        let sig_bytes = req
            .signature
            .as_bytes()
            .ok_or_else(|| bad("signature", "BIT STRING has unused bits"))?;
        let sig = DerSignature::from_bytes(sig_bytes)
            .map_err(|_| bad("signature", "not a DER ECDSA signature"))?;
        // Verified by aws-lc (about 5× faster than RustCrypto's), over the key and the r ‖ s
        // that `p256` has already parsed and checked (on the curve; 0 < r, s < n).
        let fixed = Signature::try_from(sig)
            .map_err(|_| bad("signature", "not a DER ECDSA signature"))?
            .to_bytes();
        aws_lc_rs::signature::UnparsedPublicKey::new(
            &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED,
            &public_key.to_sec1_uncompressed()[..],
        )
        .verify(&tbs, &fixed)
        .map_err(|_| {
            bad(
                "proof of possession",
                "the CSR's signature does not verify under its own public key",
            )
        })?;

        let mut common_name = None;
        let mut role = None;
        let mut eui = None;
        let mut names = 0usize;
        for atv in req.info.subject.iter() {
            names += 1;
            if atv.oid == oid::CN {
                let cn = attr_string(&atv.value, "commonName")?;
                let n = cn.chars().count();
                if n == 0 || n > limits::ORG_COMMON_NAME_MAX {
                    return Err(bad(
                        "commonName",
                        format!(
                            "{n} characters; organisation names are 1 to {}",
                            limits::ORG_COMMON_NAME_MAX
                        ),
                    ));
                }
                once(&mut common_name, cn, "CN")?;
            } else if atv.oid == oid::OU {
                let ou = attr_string(&atv.value, "organizationalUnitName")?;
                once(&mut role, RemotePartyRole::from_ou(&ou)?, "OU")?;
            } else if atv.oid == oid::X500_UNIQUE_IDENTIFIER {
                once(
                    &mut eui,
                    eui_from_unique_identifier(&atv.value)?,
                    "x500UniqueIdentifier",
                )?;
            } else {
                return Err(bad(
                    "subject",
                    format!("attribute {} is not part of an SMKI subject", atv.oid),
                ));
            }
        }

        let mut usage = None;
        let mut device_eui = None;
        for attr in req.info.attributes.iter() {
            if attr.oid != oid::EXTENSION_REQUEST {
                return Err(bad(
                    "attributes",
                    format!(
                        "attribute {} is not accepted (only extensionRequest)",
                        attr.oid
                    ),
                ));
            }
            let mut values = attr.values.iter();
            let (Some(v), None) = (values.next(), values.next()) else {
                return Err(bad("extensionRequest", "must hold exactly one value"));
            };
            let exts: Vec<Extension> = v
                .decode_as()
                .map_err(|e: der::Error| bad("extensionRequest", e.to_string()))?;
            for e in exts {
                if e.extn_id == oid::CE_KEY_USAGE {
                    let bits: BitString = BitString::from_der(e.extn_value.as_bytes())
                        .map_err(|x| bad("keyUsage", x.to_string()))?;
                    let u = KeyUsage::from_bits(ku_bits(&bits)).ok_or_else(|| {
                        bad(
                            "keyUsage",
                            "exactly one of digitalSignature and keyAgreement must be requested",
                        )
                    })?;
                    once(&mut usage, u, "keyUsage")?;
                } else if e.extn_id == oid::CE_SUBJECT_ALT_NAME {
                    let san = SubjectAltName::from_der(e.extn_value.as_bytes())
                        .map_err(|x| bad("subjectAltName", x.to_string()))?;
                    let [GeneralName::OtherName(on)] = san.0.as_slice() else {
                        return Err(bad(
                            "subjectAltName",
                            "a device request names exactly one HardwareModuleName",
                        ));
                    };
                    if on.type_id != oid::HARDWARE_MODULE_NAME {
                        return Err(bad(
                            "subjectAltName",
                            format!("otherName {} is not a HardwareModuleName", on.type_id),
                        ));
                    }
                    let hmn: HardwareModuleName = on
                        .value
                        .decode_as()
                        .map_err(|x: der::Error| bad("HardwareModuleName", x.to_string()))?;
                    let id = Eui64::from_slice(hmn.hw_serial_num.as_bytes()).ok_or_else(|| {
                        bad(
                            "hwSerialNum",
                            format!(
                                "{} bytes, expected an 8-byte EUI-64",
                                hmn.hw_serial_num.as_bytes().len()
                            ),
                        )
                    })?;
                    once(&mut device_eui, id, "subjectAltName")?;
                } else {
                    return Err(bad(
                        "extensionRequest",
                        format!("extension {} cannot be requested", e.extn_id),
                    ));
                }
            }
        }
        let usage = usage.ok_or(SmkiError::Missing("keyUsage in the extensionRequest"))?;
        let subject = match (device_eui, names) {
            (Some(eui), 0) => CsrSubject::Device { eui },
            (Some(_), _) => {
                return Err(bad(
                    "subject",
                    "a device request has an empty subject (the EUI is in the subjectAltName)",
                ));
            }
            (None, _) => {
                let role =
                    role.ok_or(SmkiError::Missing("OU (remote party role) in the subject"))?;
                if matches!(
                    role,
                    RemotePartyRole::Root | RemotePartyRole::IssuingAuthority
                ) {
                    return Err(bad("OU", format!("role {role} is reserved for CAs")));
                }
                CsrSubject::Organisation {
                    common_name,
                    eui: eui.ok_or(SmkiError::Missing(
                        "x500UniqueIdentifier (EUI-64) in the subject",
                    ))?,
                    role,
                }
            }
        };
        Ok(Self {
            subject,
            usage,
            public_key,
        })
    }

    /// Reads a PEM (`-----BEGIN CERTIFICATE REQUEST-----`) CSR.
    pub fn from_pem(pem: &str) -> Result<Self> {
        Self::from_der(&csr_from_pem(pem)?)
    }

    /// Reads a CSR given as PEM or DER (sniffed: PEM starts with `-----BEGIN`).
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self> {
        Self::from_der(&csr_der_of(bytes)?)
    }
}

/// The DER of a CSR given as PEM or DER.
pub fn csr_der_of(bytes: &[u8]) -> Result<Vec<u8>> {
    let trimmed = bytes.trim_ascii_start();
    if trimmed.starts_with(b"-----BEGIN") {
        let text = std::str::from_utf8(trimmed).map_err(|_| SmkiError::Pem("not text".into()))?;
        csr_from_pem(text)
    } else {
        Ok(bytes.to_vec())
    }
}

fn once<T>(slot: &mut Option<T>, v: T, what: &'static str) -> Result<()> {
    if slot.is_some() {
        return Err(bad(
            "certification request",
            format!("more than one {what}"),
        ));
    }
    *slot = Some(v);
    Ok(())
}

fn ku_bits(bits: &BitString) -> u16 {
    let bytes = bits.raw_bytes();
    let mut out = 0u16;
    for i in 0..16usize {
        let byte = bytes.get(i / 8).copied().unwrap_or(0);
        if byte & (0x80 >> (i % 8)) != 0 {
            out |= 1 << i;
        }
    }
    out
}

/// Builds a CSR for an organisation certificate, signed with `key`. DER out.
pub fn build_organisation_csr(
    key: &KeyPair,
    common_name: Option<&str>,
    eui: Eui64,
    role: RemotePartyRole,
    usage: KeyUsage,
) -> Result<Vec<u8>> {
    let ou = role.to_ou();
    let mut attrs = Vec::with_capacity(3);
    if let Some(cn) = common_name {
        attrs.push(Attr::Str(oid::CN, cn, StrKind::Utf8));
    }
    attrs.push(Attr::Str(oid::OU, &ou, StrKind::Utf8));
    attrs.push(Attr::Eui(&eui));
    let subject = profile::build_name(&attrs)?;
    build(key, subject, vec![profile::ext_key_usage(usage.bits())?])
}

/// Builds a CSR for a device certificate, signed with `key`. DER out.
pub fn build_device_csr(key: &KeyPair, eui: Eui64, usage: KeyUsage) -> Result<Vec<u8>> {
    build(
        key,
        profile::build_name(&[])?,
        vec![
            profile::ext_key_usage(usage.bits())?,
            profile::ext_device_san(&eui)?,
        ],
    )
}

fn build(key: &KeyPair, subject: x509_cert::name::Name, exts: Vec<Extension>) -> Result<Vec<u8>> {
    let spki = SubjectPublicKeyInfoOwned::from_der(&key.public_key().to_spki_der()?)
        .map_err(SmkiError::encoding)?;
    let mut values = SetOfVec::new();
    values
        .insert(Any::encode_from(&ExtensionReq(exts).0).map_err(SmkiError::encoding)?)
        .map_err(SmkiError::encoding)?;
    let mut attributes = SetOfVec::new();
    attributes
        .insert(Attribute {
            oid: oid::EXTENSION_REQUEST,
            values,
        })
        .map_err(SmkiError::encoding)?;
    let info = CertReqInfo {
        version: Version::V1,
        subject,
        public_key: spki,
        attributes,
    };
    let tbs = info.to_der().map_err(SmkiError::encoding)?;
    let sig: DerSignature = key.signing_key().sign(&tbs);
    let req = CertReq {
        info,
        algorithm: AlgorithmIdentifierOwned {
            oid: oid::ECDSA_WITH_SHA256,
            parameters: None,
        },
        signature: BitString::from_bytes(sig.as_bytes()).map_err(SmkiError::encoding)?,
    };
    req.to_der().map_err(SmkiError::encoding)
}

/// PEM-encodes a DER CSR (`-----BEGIN CERTIFICATE REQUEST-----`).
pub fn csr_to_pem(der: &[u8]) -> Result<String> {
    der::pem::encode_string("CERTIFICATE REQUEST", der::pem::LineEnding::LF, der)
        .map_err(SmkiError::encoding)
}

/// Decodes one PEM `CERTIFICATE REQUEST` (or `NEW CERTIFICATE REQUEST`) block to DER.
pub fn csr_from_pem(pem: &str) -> Result<Vec<u8>> {
    let (label, der) =
        der::pem::decode_vec(pem.trim().as_bytes()).map_err(|e| SmkiError::Pem(e.to_string()))?;
    if label != "CERTIFICATE REQUEST" && label != "NEW CERTIFICATE REQUEST" {
        return Err(SmkiError::Pem(format!(
            "expected a CERTIFICATE REQUEST block, found {label:?}"
        )));
    }
    Ok(der)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;
    use crate::test_rng::TestRng;
    use proptest::prelude::*;

    fn eui() -> Eui64 {
        Eui64::from_u64(0x90B3_D51F_3001_0000)
    }

    #[test]
    fn organisation_round_trip() {
        let k = KeyPair::generate(&mut TestRng::new(7));
        let der = build_organisation_csr(
            &k,
            Some("ACME"),
            eui(),
            RemotePartyRole::Supplier,
            KeyUsage::KeyAgreement,
        )
        .unwrap();
        let r = CertificationRequest::from_der(&der).unwrap();
        assert_eq!(
            r.subject,
            CsrSubject::Organisation {
                common_name: Some("ACME".into()),
                eui: eui(),
                role: RemotePartyRole::Supplier
            }
        );
        assert_eq!(r.usage, KeyUsage::KeyAgreement);
        assert_eq!(r.public_key, k.public_key());
        let pem = csr_to_pem(&der).unwrap();
        assert_eq!(CertificationRequest::from_pem(&pem).unwrap(), r);
        assert_eq!(
            CertificationRequest::from_pem_or_der(pem.as_bytes()).unwrap(),
            r
        );
    }

    #[test]
    fn device_round_trip() {
        let k = KeyPair::generate(&mut TestRng::new(8));
        let id = Eui64::from_u64(0x00DB_1234_5678_90A0);
        let der = build_device_csr(&k, id, KeyUsage::DigitalSignature).unwrap();
        let r = CertificationRequest::from_der(&der).unwrap();
        assert_eq!(r.subject, CsrSubject::Device { eui: id });
        assert_eq!(r.usage, KeyUsage::DigitalSignature);
    }

    #[test]
    fn proof_of_possession_is_checked() {
        let k = KeyPair::generate(&mut TestRng::new(9));
        let mut der = build_device_csr(&k, eui(), KeyUsage::DigitalSignature).unwrap();
        // Flip a byte of the hwSerialNum (inside the signed info): the signature no longer verifies.
        let pos = der.windows(8).position(|w| w == eui().bytes()).unwrap();
        der[pos + 7] ^= 1;
        let e = CertificationRequest::from_der(&der).unwrap_err();
        assert!(e.to_string().contains("proof of possession"), "{e}");
    }

    #[test]
    fn another_keys_signature_is_refused() {
        // Info carrying key A, signed by key B.
        let a = KeyPair::generate(&mut TestRng::new(10));
        let b = KeyPair::generate(&mut TestRng::new(11));
        let good = build_device_csr(&a, eui(), KeyUsage::DigitalSignature).unwrap();
        let mut req = CertReq::from_der(&good).unwrap();
        let sig: DerSignature = b.signing_key().sign(&req.info.to_der().unwrap());
        req.signature = BitString::from_bytes(sig.as_bytes()).unwrap();
        let e = CertificationRequest::from_der(&req.to_der().unwrap()).unwrap_err();
        assert!(e.to_string().contains("proof of possession"), "{e}");
    }

    #[test]
    fn limits_and_reserved_roles() {
        let k = KeyPair::generate(&mut TestRng::new(12));
        let long = "X".repeat(limits::ORG_COMMON_NAME_MAX + 1);
        let der = build_organisation_csr(
            &k,
            Some(&long),
            eui(),
            RemotePartyRole::Supplier,
            KeyUsage::DigitalSignature,
        )
        .unwrap();
        let e = CertificationRequest::from_der(&der).unwrap_err();
        assert!(e.to_string().contains("commonName"), "{e}");
        let ok = "X".repeat(limits::ORG_COMMON_NAME_MAX);
        let der = build_organisation_csr(
            &k,
            Some(&ok),
            eui(),
            RemotePartyRole::Supplier,
            KeyUsage::DigitalSignature,
        )
        .unwrap();
        assert!(CertificationRequest::from_der(&der).is_ok());
        let der = build_organisation_csr(
            &k,
            None,
            eui(),
            RemotePartyRole::IssuingAuthority,
            KeyUsage::DigitalSignature,
        )
        .unwrap();
        assert!(
            CertificationRequest::from_der(&der)
                .unwrap_err()
                .to_string()
                .contains("reserved")
        );
        let big = vec![0x30; limits::CSR_DER_MAX + 1];
        assert!(
            CertificationRequest::from_der(&big)
                .unwrap_err()
                .to_string()
                .contains("over the limit")
        );
    }

    #[test]
    fn openssl_style_pem_label_and_garbage() {
        assert!(
            csr_from_pem("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----").is_err()
        );
        assert!(CertificationRequest::from_pem_or_der(b"-----BEGIN nonsense").is_err());
        assert!(CertificationRequest::from_der(&[]).is_err());
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = CertificationRequest::from_der(&bytes);
            let _ = CertificationRequest::from_pem_or_der(&bytes);
        }

        #[test]
        fn round_trip(
            seed in any::<u64>(),
            eui in any::<u64>(),
            code in any::<u8>(),
            cn in proptest::option::of("[A-Z0-9 ]{1,16}"),
            ka in any::<bool>(),
            device in any::<bool>(),
        ) {
            let k = KeyPair::generate(&mut TestRng::new(seed));
            let eui = Eui64::from_u64(eui);
            let usage = if ka { KeyUsage::KeyAgreement } else { KeyUsage::DigitalSignature };
            let role = RemotePartyRole::from_code(code);
            let der = if device {
                build_device_csr(&k, eui, usage).unwrap()
            } else {
                build_organisation_csr(&k, cn.as_deref(), eui, role, usage).unwrap()
            };
            prop_assert!(der.len() <= limits::CSR_DER_MAX);
            let r = CertificationRequest::from_der(&der);
            if !device && matches!(role, RemotePartyRole::Root | RemotePartyRole::IssuingAuthority) {
                prop_assert!(r.is_err());
            } else {
                let r = r.unwrap();
                prop_assert_eq!(r.public_key, k.public_key());
                prop_assert_eq!(r.usage, usage);
                let want = if device {
                    CsrSubject::Device { eui }
                } else {
                    CsrSubject::Organisation { common_name: cn.clone(), eui, role }
                };
                prop_assert_eq!(r.subject, want);
            }
        }

        #[test]
        fn mutated_csrs_never_panic(pos in 0usize..400, val in any::<u8>()) {
            let k = KeyPair::generate(&mut TestRng::new(13));
            let mut der = build_organisation_csr(&k, Some("A"), Eui64::from_u64(1), RemotePartyRole::Supplier, KeyUsage::DigitalSignature).unwrap();
            let i = pos % der.len();
            let changed = der[i] != val;
            der[i] = val;
            let r = CertificationRequest::from_der(&der);
            // Any change to a well-formed signed request either fails to parse or fails proof of possession.
            if changed { prop_assert!(r.is_err()); }
        }
    }
}
