//! Certificate authorities and the certificates they issue.

use std::fmt;
use std::net::IpAddr;

use der::Decode;
use der::asn1::ObjectIdentifier;
use eui::Eui64;
use p256::elliptic_curve::rand_core::CryptoRng;
use time::{Duration, OffsetDateTime};
use x509_cert::name::Name;

use crate::error::{Result, SmkiError};
use crate::key::{KeyPair, PublicKey};
use crate::parse::{self, KeyUsage, ParsedCert};
use crate::profile::{self, Attr, CertSpec, StrKind, ku, oid};
use crate::role::RemotePartyRole;
use crate::serial::Serial;

/// The three PKIs this crate runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hierarchy {
    /// SMKI organisation certificates (users, DCC roles, XML signing).
    Organisation,
    /// SMKI device certificates (meters, hubs, in-home devices).
    Device,
    /// DCCKI: TLS certificates for the user gateway and its users.
    Dccki,
}

/// What a [`Ca`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaKind {
    /// Self-signed root of the organisation hierarchy (`OU=00, CN=…`).
    OrganisationRoot,
    /// Organisation certificate authority (`OU=07, CN=…`): issues organisation certificates.
    Oca,
    /// Self-signed root of the device hierarchy (`CN=…`).
    DeviceRoot,
    /// Device certificate authority (`CN=…`): issues device certificates.
    Dca,
    /// Self-signed DCCKI root (`CN=…`).
    DcckiRoot,
    /// DCCKI issuing CA (`CN=…`): issues TLS server and client certificates.
    DcckiIssuing,
}

impl CaKind {
    /// The hierarchy this kind of CA belongs to.
    pub const fn hierarchy(self) -> Hierarchy {
        match self {
            Self::OrganisationRoot | Self::Oca => Hierarchy::Organisation,
            Self::DeviceRoot | Self::Dca => Hierarchy::Device,
            Self::DcckiRoot | Self::DcckiIssuing => Hierarchy::Dccki,
        }
    }

    /// Whether this is a self-signed root.
    pub const fn is_root(self) -> bool {
        matches!(
            self,
            Self::OrganisationRoot | Self::DeviceRoot | Self::DcckiRoot
        )
    }

    const fn root_of(h: Hierarchy) -> Self {
        match h {
            Hierarchy::Organisation => Self::OrganisationRoot,
            Hierarchy::Device => Self::DeviceRoot,
            Hierarchy::Dccki => Self::DcckiRoot,
        }
    }

    const fn issuing_of(h: Hierarchy) -> Self {
        match h {
            Hierarchy::Organisation => Self::Oca,
            Hierarchy::Device => Self::Dca,
            Hierarchy::Dccki => Self::DcckiIssuing,
        }
    }
}

impl fmt::Display for CaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::OrganisationRoot => "organisation root",
            Self::Oca => "organisation (OCA)",
            Self::DeviceRoot => "device root",
            Self::Dca => "device (DCA)",
            Self::DcckiRoot => "DCCKI root",
            Self::DcckiIssuing => "DCCKI issuing",
        })
    }
}

/// Name and lifetime of a CA certificate to create.
#[derive(Debug, Clone)]
pub struct CaSpec {
    /// The CA's common name (`Z1`, `E357`, …): 1 to 64 characters.
    pub common_name: String,
    /// Its certificate's serial number.
    pub serial: Serial,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
}

/// An organisation certificate to issue (from the [`CaKind::Oca`]).
#[derive(Debug, Clone)]
pub struct OrgCertRequest {
    /// `CN`: the organisation's name. ZAZ1 sets it only for suppliers; `None` leaves it out.
    pub common_name: Option<String>,
    /// The organisation's EUI-64 (its DCC user ID, or the DCC role's ID).
    pub eui: Eui64,
    /// The remote party role, written into `OU`.
    pub role: RemotePartyRole,
    /// Digital signature or key agreement.
    pub usage: KeyUsage,
    /// The subject's public key (from its CSR).
    pub public_key: PublicKey,
    /// Serial number.
    pub serial: Serial,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
}

/// The end of every device certificate's validity, 9999-12-31T23:59:59Z (RFC 5280's "no
/// well-defined expiration date"), in seconds since the Unix epoch.
pub const DEVICE_CERT_NOT_AFTER_UNIX: i64 = 253_402_300_799;

/// A device certificate to issue (from the [`CaKind::Dca`]). Valid until 9999-12-31T23:59:59Z
/// ([`DEVICE_CERT_NOT_AFTER_UNIX`]).
///
/// The SMKI device profile carries no device type (every RTDS certificate has the same
/// `hwType`), so none is asked for.
#[derive(Debug, Clone)]
pub struct DeviceCertRequest {
    /// The device's EUI-64, written as `hwSerialNum`.
    pub eui: Eui64,
    /// Digital signature or key agreement.
    pub usage: KeyUsage,
    /// The device's public key.
    pub public_key: PublicKey,
    /// Serial number.
    pub serial: Serial,
    /// Start of validity.
    pub not_before: OffsetDateTime,
}

/// A DCCKI TLS server certificate to issue (from the [`CaKind::DcckiIssuing`]).
#[derive(Debug, Clone)]
pub struct TlsServerCertRequest {
    /// Subject `CN`.
    pub common_name: String,
    /// DNS names for the SAN.
    pub dns_names: Vec<String>,
    /// IP addresses for the SAN.
    pub ip_addresses: Vec<IpAddr>,
    /// The server's public key.
    pub public_key: PublicKey,
    /// Serial number.
    pub serial: Serial,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
}

/// A DCCKI TLS client certificate for a DCC user (from the [`CaKind::DcckiIssuing`]).
/// Subject: `CN=<EUI, dashed upper case>, O=<organisation>`.
#[derive(Debug, Clone)]
pub struct TlsClientCertRequest {
    /// The user's EUI-64.
    pub eui: Eui64,
    /// The user's organisation name.
    pub organisation: String,
    /// The client's public key.
    pub public_key: PublicKey,
    /// Serial number.
    pub serial: Serial,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
}

/// A certificate authority: its key and its certificate.
#[derive(Clone)]
pub struct Ca {
    kind: CaKind,
    key: KeyPair,
    cert_der: Vec<u8>,
    subject: Name,
    key_id: [u8; 8],
    policy: Option<ObjectIdentifier>,
}

impl fmt::Debug for Ca {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ca")
            .field("kind", &self.kind)
            .field("subject", &self.subject.to_string())
            .finish_non_exhaustive()
    }
}

impl Ca {
    /// Creates a self-signed root. SMKI roots (organisation, device) carry the critical test
    /// certificate policy [`oid::SMKI_TEST_POLICY`]; DCCKI roots carry no policy.
    pub fn new_root(hierarchy: Hierarchy, spec: &CaSpec, key: KeyPair) -> Result<Self> {
        let policy = match hierarchy {
            Hierarchy::Organisation | Hierarchy::Device => Some(oid::SMKI_TEST_POLICY),
            Hierarchy::Dccki => None,
        };
        Self::new_root_with_policy(hierarchy, spec, key, policy)
    }

    /// Creates a self-signed root with a chosen certificate policy (critical), inherited by
    /// everything it and its subordinates issue. `None` leaves certificatePolicies out.
    ///
    /// DCCKI certificates never carry the policy (webpki refuses critical policies), so a
    /// policy given for [`Hierarchy::Dccki`] is refused.
    pub fn new_root_with_policy(
        hierarchy: Hierarchy,
        spec: &CaSpec,
        key: KeyPair,
        policy: Option<ObjectIdentifier>,
    ) -> Result<Self> {
        if hierarchy == Hierarchy::Dccki && policy.is_some() {
            return Err(SmkiError::InvalidRequest(
                "DCCKI certificates carry no certificate policy".to_owned(),
            ));
        }
        let kind = CaKind::root_of(hierarchy);
        let subject = ca_name(kind, &spec.common_name)?;
        let key_id = key.public_key().key_identifier();
        let mut extensions = vec![
            profile::ext_basic_constraints(true, Some(1))?,
            profile::ext_key_usage(ku::KEY_CERT_SIGN | ku::CRL_SIGN)?,
            profile::ext_ski(&key_id)?,
        ];
        if let Some(p) = policy {
            extensions.push(profile::ext_policies(p, true)?);
        }
        let cert_der = profile::sign(
            CertSpec {
                subject: subject.clone(),
                issuer: subject.clone(),
                serial: spec.serial,
                not_before: profile::to_x509_time(spec.not_before)?,
                not_after: profile::to_x509_time(spec.not_after)?,
                subject_key: key.public_key(),
                extensions,
            },
            &key,
        )?;
        Ok(Self {
            kind,
            key,
            cert_der,
            subject,
            key_id,
            policy,
        })
    }

    /// Issues the subordinate issuing CA of this root's hierarchy (OCA, DCA or DCCKI issuing).
    pub fn issue_subordinate(&self, spec: &CaSpec, key: KeyPair) -> Result<Self> {
        if !self.kind.is_root() {
            return Err(SmkiError::WrongCa {
                actual: self.kind,
                wanted: "a subordinate CA",
            });
        }
        let kind = CaKind::issuing_of(self.kind.hierarchy());
        let subject = ca_name(kind, &spec.common_name)?;
        let key_id = key.public_key().key_identifier();
        let mut extensions = vec![
            profile::ext_basic_constraints(true, Some(0))?,
            profile::ext_key_usage(ku::KEY_CERT_SIGN | ku::CRL_SIGN)?,
            profile::ext_ski(&key_id)?,
        ];
        if let Some(p) = self.policy {
            extensions.push(profile::ext_policies(p, true)?);
        }
        extensions.push(profile::ext_aki(&self.key_id)?);
        let cert_der = self.sign(
            subject.clone(),
            spec.serial,
            profile::to_x509_time(spec.not_before)?,
            profile::to_x509_time(spec.not_after)?,
            key.public_key(),
            extensions,
        )?;
        Ok(Self {
            kind,
            key,
            cert_der,
            subject,
            key_id,
            policy: self.policy,
        })
    }

    /// Re-creates a CA from its stored key and certificate (DER), checking that they belong
    /// together and that the certificate is a CA certificate.
    pub fn from_parts(kind: CaKind, key: KeyPair, cert_der: Vec<u8>) -> Result<Self> {
        let parsed = ParsedCert::parse(&cert_der)?;
        if parsed.public_key != key.public_key() {
            return Err(SmkiError::CaKeyMismatch);
        }
        if !parsed.is_ca {
            return Err(SmkiError::IssuerNotCa);
        }
        if kind.is_root() != (parsed.subject_der == parsed.issuer_der) {
            return Err(SmkiError::InvalidRequest(format!(
                "a {kind} CA certificate must {}be self-issued",
                if kind.is_root() { "" } else { "not " }
            )));
        }
        let subject = Name::from_der(&parsed.subject_der).map_err(SmkiError::malformed)?;
        let key_id = match parsed.subject_key_id.as_deref().map(<[u8; 8]>::try_from) {
            Some(Ok(id)) => id,
            Some(Err(_)) => {
                return Err(SmkiError::invalid(
                    "subjectKeyIdentifier",
                    "SMKI key identifiers are 8 bytes",
                ));
            }
            None => return Err(SmkiError::Missing("subjectKeyIdentifier")),
        };
        Ok(Self {
            kind,
            key,
            cert_der,
            subject,
            key_id,
            // DCCKI certificates never carry policies (webpki refuses critical ones).
            policy: match kind.hierarchy() {
                Hierarchy::Dccki => None,
                Hierarchy::Organisation | Hierarchy::Device => parsed.policies.first().copied(),
            },
        })
    }

    /// What this CA is.
    pub fn kind(&self) -> CaKind {
        self.kind
    }

    /// The CA certificate, DER.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// The CA certificate, PEM.
    pub fn cert_pem(&self) -> Result<String> {
        parse::cert_to_pem(&self.cert_der)
    }

    /// The CA's key pair.
    pub fn key(&self) -> &KeyPair {
        &self.key
    }

    /// The CA's subject name.
    pub(crate) fn subject_name(&self) -> &Name {
        &self.subject
    }

    /// The CA's 8-byte subject key identifier.
    pub fn key_id(&self) -> [u8; 8] {
        self.key_id
    }

    /// The CA's subject DN as Java prints it (RFC 2253), e.g. `CN=Z1,OU=07`.
    pub fn subject_rfc2253(&self) -> Result<String> {
        crate::dn::rfc2253(&self.subject)
    }

    /// The certificate policy this CA and what it issues carry, if any.
    pub fn policy(&self) -> Option<ObjectIdentifier> {
        self.policy
    }

    fn require(&self, kind: CaKind, wanted: &'static str) -> Result<()> {
        if self.kind == kind {
            Ok(())
        } else {
            Err(SmkiError::WrongCa {
                actual: self.kind,
                wanted,
            })
        }
    }

    fn sign(
        &self,
        subject: Name,
        serial: Serial,
        not_before: x509_cert::time::Time,
        not_after: x509_cert::time::Time,
        subject_key: PublicKey,
        extensions: Vec<x509_cert::ext::Extension>,
    ) -> Result<Vec<u8>> {
        profile::sign(
            CertSpec {
                subject,
                issuer: self.subject.clone(),
                serial,
                not_before,
                not_after,
                subject_key,
                extensions,
            },
            &self.key,
        )
    }

    /// Issues an SMKI organisation certificate (this must be the OCA). DER out.
    ///
    /// Profile, as ZAZ1: subject `[CN=<name>,] OU=<role>, x500UniqueIdentifier=<EUI>`;
    /// critical keyUsage (digitalSignature or keyAgreement); 8-byte SKI; critical
    /// certificatePolicies; 8-byte AKI.
    pub fn issue_organisation(&self, req: &OrgCertRequest) -> Result<Vec<u8>> {
        self.require(CaKind::Oca, "organisation certificates")?;
        if matches!(
            req.role,
            RemotePartyRole::Root | RemotePartyRole::IssuingAuthority
        ) {
            return Err(SmkiError::InvalidRequest(format!(
                "role {} is reserved for CAs",
                req.role
            )));
        }
        let ou = req.role.to_ou();
        let mut attrs = Vec::with_capacity(3);
        if let Some(cn) = &req.common_name {
            attrs.push(Attr::Str(oid::CN, cn, StrKind::Utf8));
        }
        attrs.push(Attr::Str(oid::OU, &ou, StrKind::Utf8));
        attrs.push(Attr::Eui(&req.eui));
        let subject = profile::build_name(&attrs)?;
        let mut extensions = vec![
            profile::ext_key_usage(req.usage.bits())?,
            profile::ext_ski(&req.public_key.key_identifier())?,
        ];
        if let Some(p) = self.policy {
            extensions.push(profile::ext_policies(p, true)?);
        }
        extensions.push(profile::ext_aki(&self.key_id)?);
        self.sign(
            subject,
            req.serial,
            profile::to_x509_time(req.not_before)?,
            profile::to_x509_time(req.not_after)?,
            req.public_key,
            extensions,
        )
    }

    /// Issues an SMKI device certificate (this must be the DCA). DER out.
    ///
    /// Profile, as RTDS: empty subject; critical keyUsage (digitalSignature or keyAgreement);
    /// 8-byte SKI; critical SAN with one HardwareModuleName (hwSerialNum = EUI); critical
    /// certificatePolicies; 8-byte AKI; notAfter 99991231235959Z.
    pub fn issue_device(&self, req: &DeviceCertRequest) -> Result<Vec<u8>> {
        self.require(CaKind::Dca, "device certificates")?;
        let mut extensions = vec![
            profile::ext_key_usage(req.usage.bits())?,
            profile::ext_ski(&req.public_key.key_identifier())?,
            profile::ext_device_san(&req.eui)?,
        ];
        if let Some(p) = self.policy {
            extensions.push(profile::ext_policies(p, true)?);
        }
        extensions.push(profile::ext_aki(&self.key_id)?);
        self.sign(
            profile::build_name(&[])?,
            req.serial,
            profile::to_x509_time(req.not_before)?,
            profile::no_expiry()?,
            req.public_key,
            extensions,
        )
    }

    /// Issues a DCCKI TLS server certificate (this must be the DCCKI issuing CA). DER out.
    ///
    /// Critical keyUsage digitalSignature, extendedKeyUsage serverAuth, SAN with the DNS names
    /// and IP addresses, SKI, AKI; no certificate policies.
    pub fn issue_tls_server(&self, req: &TlsServerCertRequest) -> Result<Vec<u8>> {
        self.require(CaKind::DcckiIssuing, "TLS server certificates")?;
        if req.dns_names.is_empty() && req.ip_addresses.is_empty() {
            return Err(SmkiError::InvalidRequest(
                "a TLS server certificate needs at least one DNS name or IP address".to_owned(),
            ));
        }
        let subject = profile::build_name(&[Attr::Str(oid::CN, &req.common_name, StrKind::Utf8)])?;
        let extensions = vec![
            profile::ext_key_usage(ku::DIGITAL_SIGNATURE)?,
            profile::ext_eku(vec![oid::KP_SERVER_AUTH])?,
            profile::ext_tls_san(&req.dns_names, &req.ip_addresses)?,
            profile::ext_ski(&req.public_key.key_identifier())?,
            profile::ext_aki(&self.key_id)?,
        ];
        self.sign(
            subject,
            req.serial,
            profile::to_x509_time(req.not_before)?,
            profile::to_x509_time(req.not_after)?,
            req.public_key,
            extensions,
        )
    }

    /// Issues a DCCKI TLS client certificate for a user (this must be the DCCKI issuing CA).
    /// DER out. Subject `CN=<EUI dashed>, O=<organisation>`; critical keyUsage
    /// digitalSignature, extendedKeyUsage clientAuth, SKI, AKI; no certificate policies.
    pub fn issue_tls_client(&self, req: &TlsClientCertRequest) -> Result<Vec<u8>> {
        self.require(CaKind::DcckiIssuing, "TLS client certificates")?;
        let cn = req.eui.to_string();
        let subject = profile::build_name(&[
            Attr::Str(oid::CN, &cn, StrKind::Utf8),
            Attr::Str(oid::O, &req.organisation, StrKind::Utf8),
        ])?;
        let extensions = vec![
            profile::ext_key_usage(ku::DIGITAL_SIGNATURE)?,
            profile::ext_eku(vec![oid::KP_CLIENT_AUTH])?,
            profile::ext_ski(&req.public_key.key_identifier())?,
            profile::ext_aki(&self.key_id)?,
        ];
        self.sign(
            subject,
            req.serial,
            profile::to_x509_time(req.not_before)?,
            profile::to_x509_time(req.not_after)?,
            req.public_key,
            extensions,
        )
    }
}

fn ca_name(kind: CaKind, cn: &str) -> Result<Name> {
    match kind {
        CaKind::OrganisationRoot => profile::build_name(&[
            Attr::Str(oid::OU, "00", StrKind::Printable),
            Attr::Str(oid::CN, cn, StrKind::Printable),
        ]),
        CaKind::Oca => profile::build_name(&[
            Attr::Str(oid::OU, "07", StrKind::Printable),
            Attr::Str(oid::CN, cn, StrKind::Printable),
        ]),
        CaKind::DeviceRoot | CaKind::Dca | CaKind::DcckiRoot | CaKind::DcckiIssuing => {
            profile::build_name(&[Attr::Str(oid::CN, cn, StrKind::Printable)])
        }
    }
}

/// Common names for the six CAs of a [`Pki`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkiNames {
    /// Organisation root.
    pub org_root: String,
    /// Organisation CA (the `CN` next to `OU=07`, like ZAZ1's `Z1`).
    pub oca: String,
    /// Device root.
    pub device_root: String,
    /// Device CA (like RTDS's `E357`).
    pub dca: String,
    /// DCCKI root.
    pub dccki_root: String,
    /// DCCKI issuing CA.
    pub dccki_issuing: String,
}

impl Default for PkiNames {
    fn default() -> Self {
        Self {
            org_root: "OPENDCC ORG ROOT".to_owned(),
            oca: "OD1".to_owned(),
            device_root: "OPENDCC DEVICE ROOT".to_owned(),
            dca: "OD1D".to_owned(),
            dccki_root: "OPENDCC DCCKI ROOT".to_owned(),
            dccki_issuing: "OPENDCC DCCKI CA".to_owned(),
        }
    }
}

/// A complete set of CAs: organisation, device and DCCKI, each a root plus an issuing CA.
#[derive(Debug, Clone)]
pub struct Pki {
    /// Organisation root.
    pub org_root: Ca,
    /// Organisation CA: issues organisation certificates.
    pub oca: Ca,
    /// Device root.
    pub device_root: Ca,
    /// Device CA: issues device certificates.
    pub dca: Ca,
    /// DCCKI root: the trust anchor TLS peers configure.
    pub dccki_root: Ca,
    /// DCCKI issuing CA: issues TLS server and client certificates.
    pub dccki_issuing: Ca,
}

/// Roots are valid from a day before `now` for this long.
pub const ROOT_LIFETIME: Duration = Duration::days(30 * 365);
/// Issuing CAs are valid from a day before `now` for this long.
pub const ISSUING_LIFETIME: Duration = Duration::days(20 * 365);

impl Pki {
    /// Generates all six CAs with keys and serials from `rng`, valid from one day before `now`
    /// (to tolerate clock skew) for [`ROOT_LIFETIME`] / [`ISSUING_LIFETIME`].
    pub fn generate<R: CryptoRng + ?Sized>(
        rng: &mut R,
        now: OffsetDateTime,
        names: &PkiNames,
    ) -> Result<Self> {
        let mut draw = || Ok((KeyPair::generate(rng), Serial::random(rng)));
        Self::build(&mut draw, now, names)
    }

    /// [`Pki::generate`] with keys and serials from the operating system's RNG.
    pub fn generate_with_os_rng(now: OffsetDateTime, names: &PkiNames) -> Result<Self> {
        let mut draw = || {
            Ok((
                KeyPair::generate_with_os_rng()?,
                Serial::random_with_os_rng()?,
            ))
        };
        Self::build(&mut draw, now, names)
    }

    fn build(
        draw: &mut dyn FnMut() -> Result<(KeyPair, Serial)>,
        now: OffsetDateTime,
        names: &PkiNames,
    ) -> Result<Self> {
        let start = now - Duration::days(1);
        let mut pair = |h: Hierarchy, root_cn: &str, issuing_cn: &str| -> Result<(Ca, Ca)> {
            let (root_key, root_serial) = draw()?;
            let root = Ca::new_root(
                h,
                &CaSpec {
                    common_name: root_cn.to_owned(),
                    serial: root_serial,
                    not_before: start,
                    not_after: now + ROOT_LIFETIME,
                },
                root_key,
            )?;
            let (key, serial) = draw()?;
            let issuing = root.issue_subordinate(
                &CaSpec {
                    common_name: issuing_cn.to_owned(),
                    serial,
                    not_before: start,
                    not_after: now + ISSUING_LIFETIME,
                },
                key,
            )?;
            Ok((root, issuing))
        };
        let (org_root, oca) = pair(Hierarchy::Organisation, &names.org_root, &names.oca)?;
        let (device_root, dca) = pair(Hierarchy::Device, &names.device_root, &names.dca)?;
        let (dccki_root, dccki_issuing) =
            pair(Hierarchy::Dccki, &names.dccki_root, &names.dccki_issuing)?;
        Ok(Self {
            org_root,
            oca,
            device_root,
            dca,
            dccki_root,
            dccki_issuing,
        })
    }
}
