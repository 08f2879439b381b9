//! Reading SMKI and DCCKI certificates, and checking one was issued by another.

use der::asn1::{BitString, ObjectIdentifier, OctetString};
use der::{Decode, Tag, TagNumber, Tagged};
use eui::Eui64;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{DerSignature, VerifyingKey};
use time::OffsetDateTime;
use x509_cert::name::Name;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Version;

use crate::dn;
use crate::error::{Result, SmkiError};
use crate::key::PublicKey;
use crate::profile::{ku, oid};
use crate::role::RemotePartyRole;
use crate::serial::to_decimal;

/// The single usage of an end-entity SMKI certificate (GBCS allows exactly one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyUsage {
    /// keyUsage digitalSignature: signing (GBCS commands, DUIS XML).
    DigitalSignature,
    /// keyUsage keyAgreement: static ECDH (GBCS MAC and encryption keys).
    KeyAgreement,
}

impl KeyUsage {
    /// RFC 5280 keyUsage bits (bit 0 = digitalSignature).
    pub const fn bits(self) -> u16 {
        match self {
            Self::DigitalSignature => ku::DIGITAL_SIGNATURE,
            Self::KeyAgreement => ku::KEY_AGREEMENT,
        }
    }

    /// The usage when exactly one of digitalSignature and keyAgreement is set and nothing else.
    pub const fn from_bits(bits: u16) -> Option<Self> {
        match bits {
            ku::DIGITAL_SIGNATURE => Some(Self::DigitalSignature),
            ku::KEY_AGREEMENT => Some(Self::KeyAgreement),
            _ => None,
        }
    }
}

/// Everything this crate reads from any certificate, owned.
#[derive(Debug, Clone)]
pub(crate) struct ParsedCert {
    pub tbs: Vec<u8>,
    pub signature: Vec<u8>,
    pub subject_der: Vec<u8>,
    pub issuer_der: Vec<u8>,
    /// Magnitude bytes, big-endian, no sign padding.
    pub serial: Vec<u8>,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub public_key: PublicKey,
    pub key_usage: Option<u16>,
    pub is_ca: bool,
    pub subject_key_id: Option<Vec<u8>>,
    pub authority_key_id: Option<Vec<u8>>,
    pub policies: Vec<ObjectIdentifier>,
    /// SAN otherNames: type id and the `[0] EXPLICIT` value's full encoding.
    pub san_other_names: Vec<(ObjectIdentifier, Vec<u8>)>,
    pub san_count: usize,
}

fn to_der_oid(o: &x509_parser::der_parser::oid::Oid<'_>) -> Result<ObjectIdentifier> {
    ObjectIdentifier::from_bytes(o.as_bytes()).map_err(SmkiError::malformed)
}

impl ParsedCert {
    pub(crate) fn parse(der: &[u8]) -> Result<Self> {
        // x509-parser is lenient about the tags outside tbsCertificate (they are not signed),
        // so a strict DER decode that must re-encode to the same bytes comes first: one
        // certificate has exactly one encoding.
        let strict = x509_cert::Certificate::from_der(der).map_err(SmkiError::malformed)?;
        if der::Encode::to_der(&strict).map_err(SmkiError::malformed)? != der {
            return Err(SmkiError::MalformedCertificate(
                "not in canonical DER".to_owned(),
            ));
        }
        let (rest, cert) = X509Certificate::from_der(der).map_err(SmkiError::malformed)?;
        if !rest.is_empty() {
            return Err(SmkiError::MalformedCertificate(format!(
                "{} bytes after the certificate",
                rest.len()
            )));
        }
        Self::from_x509(&cert)
    }

    fn from_x509(cert: &X509Certificate<'_>) -> Result<Self> {
        let tbs = &cert.tbs_certificate;
        if tbs.version() != X509Version::V3 {
            return Err(SmkiError::invalid(
                "version",
                "SMKI certificates are X.509 v3",
            ));
        }
        let ecdsa_sha256 = oid::ECDSA_WITH_SHA256.as_bytes();
        for alg in [&cert.signature_algorithm, &tbs.signature] {
            if alg.algorithm.as_bytes() != ecdsa_sha256 {
                return Err(SmkiError::UnsupportedSignatureAlgorithm(
                    alg.algorithm.to_id_string(),
                ));
            }
        }
        if cert.signature_value.unused_bits != 0 {
            return Err(SmkiError::invalid("signature", "unused bits in signature"));
        }

        // Public key: id-ecPublicKey on prime256v1, uncompressed.
        let spki = tbs.public_key();
        if spki.algorithm.algorithm.as_bytes() != oid::EC_PUBLIC_KEY.as_bytes() {
            return Err(SmkiError::UnsupportedPublicKey);
        }
        let curve_ok = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.as_oid().ok())
            .is_some_and(|o| o.as_bytes() == oid::PRIME256V1.as_bytes());
        if !curve_ok {
            return Err(SmkiError::UnsupportedPublicKey);
        }
        let point: &[u8] = &spki.subject_public_key.data;
        if point.len() != 65 || point.first() != Some(&0x04) {
            return Err(SmkiError::UnsupportedPublicKey);
        }
        let public_key = PublicKey::from_sec1(point)?;

        // Serial: positive.
        let raw_serial = tbs.raw_serial();
        match raw_serial.first() {
            None => return Err(SmkiError::invalid("serialNumber", "empty")),
            Some(b) if b & 0x80 != 0 => {
                return Err(SmkiError::invalid("serialNumber", "negative"));
            }
            Some(_) => {}
        }
        let serial: Vec<u8> = {
            let stripped: Vec<u8> = raw_serial.iter().copied().skip_while(|&b| b == 0).collect();
            if stripped.is_empty() {
                vec![0]
            } else {
                stripped
            }
        };

        let mut out = Self {
            tbs: tbs.as_ref().to_vec(),
            signature: cert.signature_value.data.to_vec(),
            subject_der: tbs.subject().as_raw().to_vec(),
            issuer_der: tbs.issuer().as_raw().to_vec(),
            serial,
            not_before: tbs.validity().not_before.to_datetime(),
            not_after: tbs.validity().not_after.to_datetime(),
            public_key,
            key_usage: None,
            is_ca: false,
            subject_key_id: None,
            authority_key_id: None,
            policies: Vec::new(),
            san_other_names: Vec::new(),
            san_count: 0,
        };

        let mut seen: Vec<&[u8]> = Vec::new();
        for ext in tbs.extensions() {
            let id = ext.oid.as_bytes();
            if seen.contains(&id) {
                return Err(SmkiError::MalformedCertificate(format!(
                    "duplicate extension {}",
                    ext.oid.to_id_string()
                )));
            }
            seen.push(id);
            match ext.parsed_extension() {
                ParsedExtension::KeyUsage(k) => out.key_usage = Some(k.flags),
                ParsedExtension::BasicConstraints(bc) => out.is_ca = bc.ca,
                ParsedExtension::SubjectKeyIdentifier(k) => {
                    out.subject_key_id = Some(k.0.to_vec());
                }
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    out.authority_key_id = a.key_identifier.as_ref().map(|k| k.0.to_vec());
                }
                ParsedExtension::CertificatePolicies(ps) => {
                    for p in ps.iter() {
                        out.policies.push(to_der_oid(&p.policy_id)?);
                    }
                }
                ParsedExtension::SubjectAlternativeName(san) => {
                    out.san_count = san.general_names.len();
                    for gn in &san.general_names {
                        if let GeneralName::OtherName(o, value) = gn {
                            out.san_other_names.push((to_der_oid(o)?, value.to_vec()));
                        }
                    }
                }
                ParsedExtension::ParseError { error } => {
                    return Err(SmkiError::MalformedCertificate(format!(
                        "extension {}: {error}",
                        ext.oid.to_id_string()
                    )));
                }
                _ => {}
            }
        }
        Ok(out)
    }

    fn single_usage(&self) -> Result<KeyUsage> {
        let bits = self.key_usage.ok_or(SmkiError::Missing("keyUsage"))?;
        KeyUsage::from_bits(bits).ok_or_else(|| {
            SmkiError::invalid(
                "keyUsage",
                format!("expected exactly digitalSignature or keyAgreement, found bits {bits:#x}"),
            )
        })
    }

    fn issuer_rfc2253(&self) -> Result<String> {
        dn::rfc2253_from_der(&self.issuer_der)
    }
}

/// Fields every parsed SMKI certificate has.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CommonFields {
    der: Vec<u8>,
    serial: Vec<u8>,
    serial_decimal: String,
    issuer: String,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    key_usage: KeyUsage,
    public_key: PublicKey,
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
}

impl CommonFields {
    fn from_parsed(der: &[u8], p: &ParsedCert) -> Result<Self> {
        Ok(Self {
            der: der.to_vec(),
            serial_decimal: to_decimal(&p.serial),
            serial: p.serial.clone(),
            issuer: p.issuer_rfc2253()?,
            not_before: p.not_before,
            not_after: p.not_after,
            key_usage: p.single_usage()?,
            public_key: p.public_key,
            subject_key_id: p.subject_key_id.clone(),
            authority_key_id: p.authority_key_id.clone(),
        })
    }
}

macro_rules! common_accessors {
    () => {
        /// The certificate, DER, as given.
        pub fn der(&self) -> &[u8] {
            &self.common.der
        }

        /// The serial number's magnitude, big-endian, without sign padding.
        pub fn serial(&self) -> &[u8] {
            &self.common.serial
        }

        /// The serial number in decimal, as XML-DSig `X509SerialNumber` writes it.
        pub fn serial_decimal(&self) -> &str {
            &self.common.serial_decimal
        }

        /// The issuer DN as Java prints it (RFC 2253, most-specific RDN first), e.g.
        /// `CN=Z1,OU=07`: what XML-DSig `X509IssuerName` holds.
        pub fn issuer(&self) -> &str {
            &self.common.issuer
        }

        /// Start of validity.
        pub fn not_before(&self) -> OffsetDateTime {
            self.common.not_before
        }

        /// End of validity.
        pub fn not_after(&self) -> OffsetDateTime {
            self.common.not_after
        }

        /// Whether `at` lies within notBefore..=notAfter.
        pub fn is_valid_at(&self, at: OffsetDateTime) -> bool {
            self.common.not_before <= at && at <= self.common.not_after
        }

        /// Digital signature or key agreement.
        pub fn key_usage(&self) -> KeyUsage {
            self.common.key_usage
        }

        /// The subject's public key.
        pub fn public_key(&self) -> &PublicKey {
            &self.common.public_key
        }

        /// The subject's public key as an uncompressed SEC1 point (65 bytes).
        pub fn public_key_sec1(&self) -> [u8; 65] {
            self.common.public_key.to_sec1_uncompressed()
        }

        /// The subject key identifier, if present.
        pub fn subject_key_id(&self) -> Option<&[u8]> {
            self.common.subject_key_id.as_deref()
        }

        /// The authority key identifier's keyIdentifier, if present.
        pub fn authority_key_id(&self) -> Option<&[u8]> {
            self.common.authority_key_id.as_deref()
        }
    };
}

/// An SMKI organisation certificate: `[CN=<name>,] OU=<role>, x500UniqueIdentifier=<EUI>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgCertificate {
    common: CommonFields,
    common_name: Option<String>,
    eui: Eui64,
    role: RemotePartyRole,
    subject: String,
}

impl OrgCertificate {
    /// Parses a DER organisation certificate.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let p = ParsedCert::parse(der)?;
        let common = CommonFields::from_parsed(der, &p)?;
        let subject = Name::from_der(&p.subject_der).map_err(SmkiError::malformed)?;
        let mut common_name = None;
        let mut role = None;
        let mut eui = None;
        for atv in subject.iter() {
            if atv.oid == oid::CN {
                set_once(
                    &mut common_name,
                    attr_string(&atv.value, "commonName")?,
                    "CN",
                )?;
            } else if atv.oid == oid::OU {
                let ou = attr_string(&atv.value, "organizationalUnitName")?;
                set_once(&mut role, RemotePartyRole::from_ou(&ou)?, "OU")?;
            } else if atv.oid == oid::X500_UNIQUE_IDENTIFIER {
                set_once(
                    &mut eui,
                    eui_from_unique_identifier(&atv.value)?,
                    "x500UniqueIdentifier",
                )?;
            }
        }
        Ok(Self {
            common,
            common_name,
            eui: eui.ok_or(SmkiError::Missing(
                "x500UniqueIdentifier (EUI-64) in the subject",
            ))?,
            role: role.ok_or(SmkiError::Missing("OU (remote party role) in the subject"))?,
            subject: dn::rfc2253(&subject)?,
        })
    }

    /// Parses a PEM (`-----BEGIN CERTIFICATE-----`) organisation certificate.
    pub fn from_pem(pem: &str) -> Result<Self> {
        Self::from_der(&cert_from_pem(pem)?)
    }

    /// The subject's common name, if it has one.
    pub fn common_name(&self) -> Option<&str> {
        self.common_name.as_deref()
    }

    /// The organisation's EUI-64 (from x500UniqueIdentifier).
    pub fn eui(&self) -> Eui64 {
        self.eui
    }

    /// The remote party role (from OU).
    pub fn role(&self) -> RemotePartyRole {
        self.role
    }

    /// The subject DN as Java prints it (RFC 2253).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    common_accessors!();
}

/// An SMKI device certificate: empty subject, EUI-64 in the SAN's HardwareModuleName.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCertificate {
    common: CommonFields,
    eui: Eui64,
    hw_type: ObjectIdentifier,
}

impl DeviceCertificate {
    /// Parses a DER device certificate.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let p = ParsedCert::parse(der)?;
        let common = CommonFields::from_parsed(der, &p)?;
        if p.san_count != 1 {
            return Err(SmkiError::invalid(
                "subjectAltName",
                format!(
                    "expected one HardwareModuleName, found {} names",
                    p.san_count
                ),
            ));
        }
        let (type_id, value) = p.san_other_names.first().ok_or(SmkiError::Missing(
            "HardwareModuleName in the subjectAltName",
        ))?;
        if *type_id != oid::HARDWARE_MODULE_NAME {
            return Err(SmkiError::invalid(
                "subjectAltName",
                format!("otherName {type_id} is not a HardwareModuleName"),
            ));
        }
        let (hw_type, serial) = parse_hardware_module_name(value)?;
        let eui = Eui64::from_slice(&serial).ok_or_else(|| {
            SmkiError::invalid("hwSerialNum", format!("{} bytes, expected 8", serial.len()))
        })?;
        Ok(Self {
            common,
            eui,
            hw_type,
        })
    }

    /// Parses a PEM device certificate.
    pub fn from_pem(pem: &str) -> Result<Self> {
        Self::from_der(&cert_from_pem(pem)?)
    }

    /// The device's EUI-64 (hwSerialNum).
    pub fn eui(&self) -> Eui64 {
        self.eui
    }

    /// The HardwareModuleName hwType.
    pub fn hw_type(&self) -> ObjectIdentifier {
        self.hw_type
    }

    common_accessors!();
}

fn set_once<T>(slot: &mut Option<T>, value: T, what: &'static str) -> Result<()> {
    if slot.is_some() {
        return Err(SmkiError::invalid(
            "subject",
            format!("more than one {what}"),
        ));
    }
    *slot = Some(value);
    Ok(())
}

pub(crate) fn attr_string(v: &der::Any, field: &'static str) -> Result<String> {
    match v.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String => std::str::from_utf8(v.value())
            .map(str::to_owned)
            .map_err(|_| SmkiError::invalid(field, "not valid text")),
        t => Err(SmkiError::invalid(
            field,
            format!("unexpected string type {t}"),
        )),
    }
}

pub(crate) fn eui_from_unique_identifier(v: &der::Any) -> Result<Eui64> {
    let bits: BitString = v
        .decode_as()
        .map_err(|e: der::Error| SmkiError::invalid("x500UniqueIdentifier", e.to_string()))?;
    let bytes = bits
        .as_bytes()
        .ok_or_else(|| SmkiError::invalid("x500UniqueIdentifier", "has unused bits"))?;
    Eui64::from_slice(bytes).ok_or_else(|| {
        SmkiError::invalid(
            "x500UniqueIdentifier",
            format!("{} bytes, expected an 8-byte EUI-64", bytes.len()),
        )
    })
}

/// `[0] EXPLICIT HardwareModuleName ::= SEQUENCE { hwType OID, hwSerialNum OCTET STRING }`.
fn parse_hardware_module_name(explicit: &[u8]) -> Result<(ObjectIdentifier, Vec<u8>)> {
    #[derive(der::Sequence)]
    struct HardwareModuleName {
        hw_type: ObjectIdentifier,
        hw_serial_num: OctetString,
    }
    let bad = |e: der::Error| SmkiError::invalid("HardwareModuleName", e.to_string());
    let outer = der::Any::from_der(explicit).map_err(bad)?;
    if outer.tag()
        != (Tag::ContextSpecific {
            constructed: true,
            number: TagNumber(0),
        })
    {
        return Err(SmkiError::invalid(
            "HardwareModuleName",
            "otherName value is not [0] EXPLICIT",
        ));
    }
    let hmn = HardwareModuleName::from_der(outer.value()).map_err(bad)?;
    Ok((hmn.hw_type, hmn.hw_serial_num.as_bytes().to_vec()))
}

/// The user EUI-64 named by a DCCKI TLS client certificate: its subject CN, dashed hex
/// (`90-B3-D5-1F-30-01-00-00`, either case).
pub fn tls_client_eui(cert_der: &[u8]) -> Result<Eui64> {
    let p = ParsedCert::parse(cert_der)?;
    let subject = Name::from_der(&p.subject_der).map_err(SmkiError::malformed)?;
    let mut cn = None;
    for atv in subject.iter() {
        if atv.oid == oid::CN {
            set_once(&mut cn, attr_string(&atv.value, "commonName")?, "CN")?;
        }
    }
    let cn = cn.ok_or(SmkiError::Missing("CN in the subject"))?;
    if cn.len() != 23 {
        return Err(SmkiError::invalid(
            "commonName",
            format!("{cn:?} is not a dashed EUI-64"),
        ));
    }
    cn.parse()
        .map_err(|e: eui::ParseEuiError| SmkiError::invalid("commonName", e.to_string()))
}

/// Checks that `cert_der` was issued by the certificate `issuer_der`:
///
/// * the issuer is a CA (basicConstraints cA) and, if it has keyUsage, may sign certificates;
/// * the certificate's issuer name is byte-for-byte the issuer's subject name;
/// * if both key identifiers are present, the certificate's AKI equals the issuer's SKI;
/// * the ECDSA-SHA256 signature verifies under the issuer's P-256 key.
///
/// Validity periods are not checked (no clock here): use `is_valid_at` on the parsed types.
pub fn verify_issued_by(cert_der: &[u8], issuer_der: &[u8]) -> Result<()> {
    let cert = ParsedCert::parse(cert_der)?;
    let issuer = ParsedCert::parse(issuer_der)?;
    if !issuer.is_ca {
        return Err(SmkiError::IssuerNotCa);
    }
    if issuer
        .key_usage
        .is_some_and(|bits| bits & ku::KEY_CERT_SIGN == 0)
    {
        return Err(SmkiError::IssuerNotCa);
    }
    if cert.issuer_der != issuer.subject_der {
        return Err(SmkiError::IssuerNameMismatch {
            cert_issuer: cert.issuer_rfc2253().unwrap_or_default(),
            issuer_subject: dn::rfc2253_from_der(&issuer.subject_der).unwrap_or_default(),
        });
    }
    if let (Some(aki), Some(ski)) = (&cert.authority_key_id, &issuer.subject_key_id)
        && aki != ski
    {
        return Err(SmkiError::KeyIdentifierMismatch);
    }
    let vk = VerifyingKey::from(*issuer.public_key.as_p256());
    let sig = DerSignature::from_bytes(&cert.signature).map_err(|_| SmkiError::BadSignature)?;
    vk.verify(&cert.tbs, &sig)
        .map_err(|_| SmkiError::BadSignature)
}

/// Checks that `cert_der`'s ECDSA-SHA256 signature (over its TBS) verifies under the P-256 key
/// `issuer_key`: for a trust anchor held as a bare public key (a device's Root cell), where
/// [`verify_issued_by`] needs the issuer's certificate. Names, key identifiers and validity are
/// not checked.
pub fn verify_signed_by_key(cert_der: &[u8], issuer_key: &PublicKey) -> Result<()> {
    let cert = ParsedCert::parse(cert_der)?;
    let vk = VerifyingKey::from(*issuer_key.as_p256());
    let sig = DerSignature::from_bytes(&cert.signature).map_err(|_| SmkiError::BadSignature)?;
    vk.verify(&cert.tbs, &sig)
        .map_err(|_| SmkiError::BadSignature)
}

/// PEM-encodes a DER certificate (`-----BEGIN CERTIFICATE-----`, 64-column base64, LF).
pub fn cert_to_pem(der: &[u8]) -> Result<String> {
    der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, der)
        .map_err(SmkiError::encoding)
}

/// Decodes one PEM `CERTIFICATE` block to DER. Surrounding whitespace is allowed; other
/// labels, several blocks or malformed base64 are errors.
pub fn cert_from_pem(pem: &str) -> Result<Vec<u8>> {
    let (label, der) =
        der::pem::decode_vec(pem.trim().as_bytes()).map_err(|e| SmkiError::Pem(e.to_string()))?;
    if label != "CERTIFICATE" {
        return Err(SmkiError::Pem(format!(
            "expected a CERTIFICATE block, found {label:?}"
        )));
    }
    Ok(der)
}
