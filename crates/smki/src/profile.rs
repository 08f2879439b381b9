//! Low-level certificate assembly: names, extensions and signing, shared by every profile.

use std::net::IpAddr;

use der::asn1::{BitString, Ia5String, ObjectIdentifier, OctetString};
use der::{Any, DateTime, Encode, Tag};
use p256::ecdsa::DerSignature;
use spki::SubjectPublicKeyInfoOwned;
use time::{OffsetDateTime, UtcOffset};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::{GeneralName, OtherName};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies, ExtendedKeyUsage,
    SubjectAltName, certpolicy::PolicyInformation,
};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use crate::error::{Result, SmkiError};
use crate::key::{KeyPair, PublicKey};
use crate::serial::Serial;

/// Object identifiers used by the profiles.
pub mod oid {
    use der::asn1::ObjectIdentifier;

    /// commonName.
    pub const CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
    /// organizationName.
    pub const O: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
    /// organizationalUnitName: carries the remote party role.
    pub const OU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.11");
    /// x500UniqueIdentifier: carries an organisation's EUI-64 as a BIT STRING.
    pub const X500_UNIQUE_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.45");
    /// id-on-hardwareModuleName (RFC 4108): the SAN otherName of device certificates.
    pub const HARDWARE_MODULE_NAME: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.8.4");
    /// The `hwType` every RTDS device certificate carries in its HardwareModuleName.
    pub const SMKI_DEVICE_HW_TYPE: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.826.0.1.8641679.1.2.2.1");
    /// The certificate policy of the ZAZ1 test organisation certificates (the DCC's arc,
    /// 1.2.826.0.1.8641679); used by default for every SMKI certificate issued here.
    pub const SMKI_TEST_POLICY: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.826.0.1.8641679.1.2.1.4");
    /// The certificate policy seen in the RTDS device certificates.
    pub const RTDS_DEVICE_POLICY: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.826.0.1.1800000.1.2.1.4");
    /// id-kp-serverAuth.
    pub const KP_SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
    /// id-kp-clientAuth.
    pub const KP_CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
    /// id-ce-keyUsage.
    pub const CE_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
    /// id-ce-subjectKeyIdentifier.
    pub const CE_SUBJECT_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
    /// id-ce-authorityKeyIdentifier.
    pub const CE_AUTHORITY_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");
    /// id-ce-basicConstraints.
    pub const CE_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
    /// id-ce-certificatePolicies.
    pub const CE_CERTIFICATE_POLICIES: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32");
    /// id-ce-subjectAltName.
    pub const CE_SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
    /// id-ce-extKeyUsage.
    pub const CE_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
    /// ecdsa-with-SHA256.
    pub const ECDSA_WITH_SHA256: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
    /// id-ecPublicKey.
    pub const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
    /// PKCS#9 extensionRequest (a CSR attribute carrying the requested extensions).
    pub const EXTENSION_REQUEST: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.14");
    /// prime256v1 / secp256r1.
    pub const PRIME256V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
}

/// keyUsage bits (RFC 5280 numbering).
pub(crate) mod ku {
    pub const DIGITAL_SIGNATURE: u16 = 1 << 0;
    pub const KEY_AGREEMENT: u16 = 1 << 4;
    pub const KEY_CERT_SIGN: u16 = 1 << 5;
    pub const CRL_SIGN: u16 = 1 << 6;
}

/// How a name attribute's string is encoded.
#[derive(Clone, Copy)]
pub(crate) enum StrKind {
    Printable,
    Utf8,
}

pub(crate) enum Attr<'a> {
    Str(ObjectIdentifier, &'a str, StrKind),
    Eui(&'a eui::Eui64),
}

/// Builds a Name with one attribute per RDN, in the given (DER) order.
pub(crate) fn build_name(attrs: &[Attr<'_>]) -> Result<Name> {
    let mut seq = RdnSequence::default();
    for a in attrs {
        let atv = match a {
            Attr::Str(oid, s, kind) => {
                if s.is_empty() || s.chars().count() > 64 {
                    return Err(SmkiError::InvalidRequest(format!(
                        "name attribute {oid} must be 1 to 64 characters: {s:?}"
                    )));
                }
                let tag = match kind {
                    StrKind::Printable if is_printable(s) => Tag::PrintableString,
                    _ => Tag::Utf8String,
                };
                AttributeTypeAndValue {
                    oid: *oid,
                    value: Any::new(tag, s.as_bytes()).map_err(SmkiError::encoding)?,
                }
            }
            Attr::Eui(e) => {
                let bits = BitString::new(0, e.bytes().to_vec()).map_err(SmkiError::encoding)?;
                AttributeTypeAndValue {
                    oid: oid::X500_UNIQUE_IDENTIFIER,
                    value: Any::encode_from(&bits).map_err(SmkiError::encoding)?,
                }
            }
        };
        let rdn = RelativeDistinguishedName::try_from(vec![atv]).map_err(SmkiError::encoding)?;
        seq.push(rdn);
    }
    Ok(Name::hazmat_from_rdn_sequence(seq))
}

fn is_printable(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&b))
}

pub(crate) fn ext(oid: ObjectIdentifier, critical: bool, value: &impl Encode) -> Result<Extension> {
    let der = value.to_der().map_err(SmkiError::encoding)?;
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(der).map_err(SmkiError::encoding)?,
    })
}

/// Critical keyUsage with the given bits, minimally encoded.
pub(crate) fn ext_key_usage(bits: u16) -> Result<Extension> {
    let b0 = u8::try_from(bits & 0xFF).unwrap_or(0).reverse_bits();
    let b1 = u8::try_from(bits >> 8).unwrap_or(0).reverse_bits();
    let mut bytes = vec![b0, b1];
    while bytes.last() == Some(&0) {
        bytes.pop();
    }
    let unused = bytes
        .last()
        .map(|b| u8::try_from(b.trailing_zeros()).unwrap_or(0))
        .unwrap_or(0);
    let bs = BitString::new(unused, bytes).map_err(SmkiError::encoding)?;
    ext(oid::CE_KEY_USAGE, true, &bs)
}

pub(crate) fn ext_basic_constraints(ca: bool, path_len: Option<u8>) -> Result<Extension> {
    ext(
        oid::CE_BASIC_CONSTRAINTS,
        true,
        &BasicConstraints {
            ca,
            path_len_constraint: path_len,
        },
    )
}

pub(crate) fn ext_ski(id: &[u8; 8]) -> Result<Extension> {
    let os = OctetString::new(id.to_vec()).map_err(SmkiError::encoding)?;
    ext(oid::CE_SUBJECT_KEY_ID, false, &os)
}

pub(crate) fn ext_aki(id: &[u8; 8]) -> Result<Extension> {
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(OctetString::new(id.to_vec()).map_err(SmkiError::encoding)?),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    ext(oid::CE_AUTHORITY_KEY_ID, false, &aki)
}

pub(crate) fn ext_policies(policy: ObjectIdentifier, critical: bool) -> Result<Extension> {
    ext(
        oid::CE_CERTIFICATE_POLICIES,
        critical,
        &CertificatePolicies(vec![PolicyInformation {
            policy_identifier: policy,
            policy_qualifiers: None,
        }]),
    )
}

pub(crate) fn ext_eku(purposes: Vec<ObjectIdentifier>) -> Result<Extension> {
    ext(oid::CE_EXT_KEY_USAGE, false, &ExtendedKeyUsage(purposes))
}

/// The device SAN: one otherName of type HardwareModuleName { hwType, hwSerialNum = EUI }.
pub(crate) fn ext_device_san(eui: &eui::Eui64) -> Result<Extension> {
    #[derive(der::Sequence)]
    struct HardwareModuleName {
        hw_type: ObjectIdentifier,
        hw_serial_num: OctetString,
    }
    let hmn = HardwareModuleName {
        hw_type: oid::SMKI_DEVICE_HW_TYPE,
        hw_serial_num: OctetString::new(eui.bytes().to_vec()).map_err(SmkiError::encoding)?,
    };
    let san = SubjectAltName(vec![GeneralName::OtherName(OtherName {
        type_id: oid::HARDWARE_MODULE_NAME,
        value: Any::encode_from(&hmn).map_err(SmkiError::encoding)?,
    })]);
    // RFC 5280: with an empty subject the SAN must be critical (and the RTDS certs mark it so).
    ext(oid::CE_SUBJECT_ALT_NAME, true, &san)
}

/// A TLS SAN with DNS names and IP addresses (non-critical: the subject is not empty).
pub(crate) fn ext_tls_san(dns: &[String], ips: &[IpAddr]) -> Result<Extension> {
    let mut names = Vec::with_capacity(dns.len() + ips.len());
    for d in dns {
        if d.is_empty() || !d.is_ascii() {
            return Err(SmkiError::InvalidRequest(format!("bad DNS name {d:?}")));
        }
        names.push(GeneralName::DnsName(
            Ia5String::new(d.as_str()).map_err(|e| SmkiError::InvalidRequest(e.to_string()))?,
        ));
    }
    for ip in ips {
        let bytes = match ip {
            IpAddr::V4(v4) => v4.octets().to_vec(),
            IpAddr::V6(v6) => v6.octets().to_vec(),
        };
        names.push(GeneralName::IpAddress(
            OctetString::new(bytes).map_err(SmkiError::encoding)?,
        ));
    }
    ext(oid::CE_SUBJECT_ALT_NAME, false, &SubjectAltName(names))
}

/// Converts to an X.509 Time: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280).
pub(crate) fn to_x509_time(t: OffsetDateTime) -> Result<Time> {
    let t = t.to_offset(UtcOffset::UTC);
    let year = u16::try_from(t.year())
        .map_err(|_| SmkiError::InvalidRequest(format!("year {} out of range", t.year())))?;
    let dt = DateTime::new(
        year,
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    )
    .map_err(|e| SmkiError::InvalidRequest(format!("time {t} not representable: {e}")))?;
    if year < 2050 {
        Ok(Time::UtcTime(
            der::asn1::UtcTime::from_date_time(dt).map_err(SmkiError::encoding)?,
        ))
    } else {
        Ok(Time::GeneralTime(
            der::asn1::GeneralizedTime::from_date_time(dt),
        ))
    }
}

/// 9999-12-31T23:59:59Z: SMKI device certificates' "no well-defined expiration".
pub(crate) fn no_expiry() -> Result<Time> {
    let dt = DateTime::new(9999, 12, 31, 23, 59, 59).map_err(SmkiError::encoding)?;
    Ok(Time::GeneralTime(
        der::asn1::GeneralizedTime::from_date_time(dt),
    ))
}

struct FixedProfile {
    subject: Name,
    issuer: Name,
    extensions: Vec<Extension>,
}

impl BuilderProfile for FixedProfile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: spki::SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: spki::SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        Ok(self.extensions.clone())
    }
}

/// Everything that goes into one certificate.
pub(crate) struct CertSpec {
    pub subject: Name,
    pub issuer: Name,
    pub serial: Serial,
    pub not_before: Time,
    pub not_after: Time,
    pub subject_key: PublicKey,
    pub extensions: Vec<Extension>,
}

/// Assembles and signs (ECDSA P-256 / SHA-256, deterministic RFC 6979) a certificate; DER out.
pub(crate) fn sign(spec: CertSpec, issuer_key: &KeyPair) -> Result<Vec<u8>> {
    if spec.not_before.to_unix_duration() >= spec.not_after.to_unix_duration() {
        return Err(SmkiError::InvalidRequest(
            "notBefore must be earlier than notAfter".to_owned(),
        ));
    }
    let spki_der = spec.subject_key.to_spki_der()?;
    let spki = <SubjectPublicKeyInfoOwned as der::Decode>::from_der(&spki_der)
        .map_err(SmkiError::encoding)?;
    let serial = SerialNumber::new(&spec.serial.bytes()).map_err(SmkiError::encoding)?;
    let profile = FixedProfile {
        subject: spec.subject,
        issuer: spec.issuer,
        extensions: spec.extensions,
    };
    let validity = Validity::new(spec.not_before, spec.not_after);
    let mut builder =
        CertificateBuilder::new(profile, serial, validity, spki).map_err(SmkiError::encoding)?;
    // What `Builder::build` does, with the signature made by `KeyPair::sign_deterministic`
    // (the same RFC 6979 signature as `SigningKey`'s, about twice as fast).
    // The certificate is assembled around the TBS bytes just signed rather than re-encoded
    // from the builder (`assemble` then `to_der`), which encoded the TBS a second time.
    let tbs = builder
        .finalize(issuer_key.signing_key_ref())
        .map_err(SmkiError::encoding)?;
    let sig = DerSignature::from(issuer_key.sign_deterministic(&tbs)?);
    certificate_der(&tbs, sig.as_bytes())
}

/// `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }`.
#[derive(der::Sequence)]
struct SignedCertificate<'a> {
    tbs_certificate: der::asn1::AnyRef<'a>,
    signature_algorithm: spki::AlgorithmIdentifierRef<'a>,
    signature: der::asn1::BitStringRef<'a>,
}

/// The DER certificate of an encoded TBS and its ECDSA-with-SHA256 DER signature: what
/// `CertificateBuilder::assemble` and `Certificate::to_der` make (the algorithm is the TBS's
/// `signature`, which `finalize` sets to the signer's, ecdsa-with-SHA256 without parameters).
fn certificate_der(tbs: &[u8], der_signature: &[u8]) -> Result<Vec<u8>> {
    use der::Decode;
    SignedCertificate {
        tbs_certificate: der::asn1::AnyRef::from_der(tbs).map_err(SmkiError::encoding)?,
        signature_algorithm: spki::AlgorithmIdentifierRef {
            oid: oid::ECDSA_WITH_SHA256,
            parameters: None,
        },
        signature: der::asn1::BitStringRef::new(0, der_signature).map_err(SmkiError::encoding)?,
    }
    .to_der()
    .map_err(SmkiError::encoding)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;

    fn ku_value(bits: u16) -> Vec<u8> {
        ext_key_usage(bits).unwrap().extn_value.as_bytes().to_vec()
    }

    #[test]
    fn key_usage_encodings_match_corpus() {
        // Z1-supplier-ds: 03 02 07 80; RTDS -ka: 03 02 03 08.
        assert_eq!(ku_value(ku::DIGITAL_SIGNATURE), [0x03, 0x02, 0x07, 0x80]);
        assert_eq!(ku_value(ku::KEY_AGREEMENT), [0x03, 0x02, 0x03, 0x08]);
        assert_eq!(
            ku_value(ku::KEY_CERT_SIGN | ku::CRL_SIGN),
            [0x03, 0x02, 0x01, 0x06]
        );
        assert_eq!(ku_value(1 << 8), [0x03, 0x03, 0x07, 0x00, 0x80]);
    }

    #[test]
    fn times_switch_encoding_in_2050() {
        let t = OffsetDateTime::from_unix_timestamp(2_524_607_999).unwrap(); // 2049-12-31T23:59:59Z
        assert!(matches!(to_x509_time(t).unwrap(), Time::UtcTime(_)));
        let t = OffsetDateTime::from_unix_timestamp(2_524_608_000).unwrap(); // 2050-01-01
        assert!(matches!(to_x509_time(t).unwrap(), Time::GeneralTime(_)));
        assert_eq!(
            no_expiry().unwrap().to_der().unwrap(),
            b"\x18\x0f99991231235959Z".to_vec()
        );
        assert_eq!(
            no_expiry().unwrap().to_unix_duration().as_secs(),
            u64::try_from(crate::DEVICE_CERT_NOT_AFTER_UNIX).unwrap()
        );
    }

    /// What `sign` did before it assembled the certificate itself: the builder's own
    /// `assemble` and a second encoding.
    fn sign_with_builder(spec: CertSpec, issuer_key: &KeyPair) -> Vec<u8> {
        let spki_der = spec.subject_key.to_spki_der().unwrap();
        let spki = <SubjectPublicKeyInfoOwned as der::Decode>::from_der(&spki_der).unwrap();
        let serial = SerialNumber::new(&spec.serial.bytes()).unwrap();
        let profile = FixedProfile {
            subject: spec.subject,
            issuer: spec.issuer,
            extensions: spec.extensions,
        };
        let validity = Validity::new(spec.not_before, spec.not_after);
        let mut builder = CertificateBuilder::new(profile, serial, validity, spki).unwrap();
        let signer = issuer_key.signing_key_ref();
        let tbs = builder.finalize(signer).unwrap();
        let sig = DerSignature::from(issuer_key.sign_deterministic(&tbs).unwrap());
        let sig = BitString::new(0, sig.as_bytes()).unwrap();
        builder.assemble(sig, signer).unwrap().to_der().unwrap()
    }

    #[test]
    fn certificates_assembled_from_the_tbs_are_the_builders() {
        use crate::test_rng::TestRng;
        let mut rng = TestRng::new(21);
        let issuer = build_name(&[Attr::Str(oid::CN, "Z1", StrKind::Utf8)]).unwrap();
        for i in 0..40u32 {
            let ca = KeyPair::generate(&mut rng);
            let subject_key = KeyPair::generate(&mut rng).public_key();
            let eui = eui::Eui64::from_u64(u64::from(i) * 0x0101_0101_0101);
            let spec = || CertSpec {
                subject: build_name(&[]).unwrap(),
                issuer: issuer.clone(),
                serial: Serial::random(&mut TestRng::new(u64::from(i))),
                not_before: to_x509_time(
                    OffsetDateTime::from_unix_timestamp(1_700_000_000 + i64::from(i) * 86_400)
                        .unwrap(),
                )
                .unwrap(),
                not_after: no_expiry().unwrap(),
                subject_key,
                extensions: vec![
                    ext_key_usage(ku::DIGITAL_SIGNATURE).unwrap(),
                    ext_ski(&subject_key.key_identifier()).unwrap(),
                    ext_device_san(&eui).unwrap(),
                    ext_policies(oid::SMKI_TEST_POLICY, true).unwrap(),
                    ext_aki(&ca.public_key().key_identifier()).unwrap(),
                ],
            };
            assert_eq!(
                sign(spec(), &ca).unwrap(),
                sign_with_builder(spec(), &ca),
                "certificate {i}"
            );
        }
    }

    #[test]
    fn names_reject_empty_and_long() {
        assert!(build_name(&[Attr::Str(oid::CN, "", StrKind::Utf8)]).is_err());
        let long = "x".repeat(65);
        assert!(build_name(&[Attr::Str(oid::CN, &long, StrKind::Utf8)]).is_err());
    }
}
