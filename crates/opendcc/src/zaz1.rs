//! ZAZ1 mode (`opendcc demo --zaz1 KEYSTORE`): the demo world built around DCC Boxed's ZAZ1 test
//! PKI instead of fresh keys, so that what engineers use with DCC Boxed — the public DUIS
//! templates, Smart DCC's Java signing tool, `@smartdcc/dccboxed-keystore` — works unchanged.
//!
//! KEYSTORE is the `keystore.json` of npm `@smartdcc/dccboxed-keystore`, or a folder of ZAZ1
//! PEM files (`Z1-supplier-ds.pem` + `.key`, `xml-sign-<EUI>-ds.*`, `dsp-xml-sign-…`, RTDS-style
//! `<eui>-ka.pem` + `.key`, and a `keystore.json` if the folder has one). It is read when the
//! world is created and its credentials are copied into the data directory; none of it is part
//! of this repository.
//!
//! From ZAZ1:
//! - the users: every organisation holding a digital-signing certificate in a DCC User's remote
//!   party role. Supplier (`02`) → IS ES GS, network operator (`03`) → ED GT, other user (`7F`)
//!   → OU, load controller (`08`) → LC (7.16 Limit APC Level only; ESMEs trust it). A user signs (DUIS and GBCS pre-commands) with its `Z1-<role>-ds`
//!   credential and receives with its `Z1-<role>-ka` one.
//! - every digital-signing organisation certificate, for the gateway to check XML signatures:
//!   Smart DCC's Java tool signs a request from the supplier or network operator with
//!   `xml-sign-<EUI>-ds`, from another organisation with its role certificate;
//! - the DCC's response signing key, `dsp-xml-sign-90B3D51F30000002-ds`;
//! - the Access Control Broker's keys, `Z1-accessControlBroker-ds` and `-ka`;
//! - the trust anchors of the emulated devices: supplier `90-B3-D5-1F-30-01-00-00`, network
//!   operator `90-B3-D5-1F-30-02-00-00` and ACB, digital signing and key agreement (`Z1-` keys,
//!   the ones RTDS uses, over the `Z1b-` alternates), and the Recovery party
//!   `90-B3-D5-1F-30-00-00-01` when the keystore holds `Z1-recovery-ds` with its key, and the
//!   DCC's transitional change-of-supplier party `90-B3-D5-1F-30-00-00-04` when it holds
//!   `Z1-transitionalCoS-ds` with its key (which then signs 6.23's commands);
//!
//! opendcc's own: the device hierarchy that certifies the emulated devices' keys, the DCCKI
//! (TLS), and an organisation CA that certifies nothing here (ZAZ1's issuing CA `CN=Z1, OU=07`
//! is not published with its key).
//!
//! The inventory holds the devices the RTDS-based templates address: `00-DB-12-34-56-78-90-A0`
//! ESME, `…A1` GSME, `…A2` CHF, `…A3` GPF, `…A4` PPMID, `…A5` HCALCS, `…A6` a second ESME, at
//! one premises (M22 0RR, Threapwood Road, Central region; its hub dual band, for 6.28–6.32) whose MPAN `1312345678111` and MPRN
//! `1000999888` come from the templates; the ZAZ1 supplier is registered as import, export and
//! gas supplier, the ZAZ1 network operator as distributor and transporter, unless registration
//! changes (`--registration`, [`opendcc::registrations`]) name other users; the devices' trust
//! anchors stay the ZAZ1 supplier's and network operator's either way, except on the devices
//! made DCC-controlled (`--dcc-controlled`), whose supplier and network operator cells the DCC
//! holds (the ACB's keys) until 6.21 hands them over. The data directory
//! has the same layout as a fresh-keys world, so everything else (manifest, signer, ACB,
//! devices) reads it the same way.

use crate::world::{cert_pem, key_pem, smki_err};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use dcc::model::{CspRegion, Device, DeviceType, Premises, Registration, RegistrationRole, User};
use duis::UserRole;
use eui::Eui64;
use serde::Deserialize;
use smki::{
    CaKind, DeviceCertRequest, KeyPair, KeyUsage, OrgCertRequest, OrgCertificate, Pki, PkiNames,
    RemotePartyRole, Serial, TlsClientCertRequest, TlsServerCertRequest,
};
use store::SqliteStore;
use time::{Duration, OffsetDateTime};

use crate::world::{self, DCC_EUI};
use opendcc::registrations::{self, RegistrationChange, WorldUser};

/// The ZAZ1 supplier (`Z1-supplier-ds`, CN GITTESTSUPPLIER): the RequestID originator of most
/// templates.
pub const ZAZ1_SUPPLIER: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0x00, 0x00]);
/// The ZAZ1 network operator (`Z1-networkOperator-ds`).
pub const ZAZ1_NETWORK_OPERATOR: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x02, 0x00, 0x00]);

/// What the world's marker file says about a ZAZ1 world.
const MARKER_PKI: &str = "zaz1";

/// Why ZAZ1 material could not be used.
#[derive(Debug, thiserror::Error)]
pub enum Zaz1Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("not a DCC Boxed keystore.json: {0}")]
    Json(String),
    #[error("keystore entry {entry}: {reason}")]
    Entry { entry: String, reason: String },
    #[error("{name}: its private key {reason}")]
    Key { name: String, reason: String },
    #[error("the ZAZ1 material has no {0}")]
    Missing(String),
    #[error("{0} holds a demo world made with fresh keys; ZAZ1 mode needs a new --data directory")]
    NotZaz1World(PathBuf),
    #[error("{0}: neither a keystore.json file nor a folder of ZAZ1 PEM files")]
    NotAKeystore(PathBuf),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Zaz1Error + '_ {
    move |source| Zaz1Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One ZAZ1 organisation certificate, with its private key when the material has it.
#[derive(Debug, Clone)]
pub struct Credential {
    name: String,
    cert: OrgCertificate,
    key: Option<KeyPair>,
}

impl Credential {
    /// Pairs a certificate with its key, checking that the key is the certificate's.
    pub fn new(name: &str, cert_der: &[u8], key: Option<KeyPair>) -> Result<Self, Zaz1Error> {
        let cert = OrgCertificate::from_der(cert_der).map_err(|e| Zaz1Error::Entry {
            entry: name.to_string(),
            reason: format!("not an SMKI organisation certificate: {e}"),
        })?;
        if let Some(k) = &key
            && k.public_key().to_sec1_uncompressed() != cert.public_key_sec1()
        {
            return Err(Zaz1Error::Key {
                name: name.to_string(),
                reason: "does not match the certificate's public key".into(),
            });
        }
        Ok(Self {
            name: name.to_string(),
            cert,
            key,
        })
    }

    /// The name DCC Boxed gives it (`Z1-supplier-ds`), or its file stem.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn cert(&self) -> &OrgCertificate {
        &self.cert
    }

    pub fn key(&self) -> Option<&KeyPair> {
        self.key.as_ref()
    }

    pub fn eui(&self) -> Eui64 {
        self.cert.eui()
    }

    pub fn role(&self) -> RemotePartyRole {
        self.cert.role()
    }

    pub fn usage(&self) -> KeyUsage {
        self.cert.key_usage()
    }

    fn key_or_missing(&self) -> Result<&KeyPair, Zaz1Error> {
        self.key()
            .ok_or_else(|| Zaz1Error::Missing(format!("private key for {}", self.name)))
    }

    /// Lower is preferred when several credentials fit: `Z1-` (the RTDS keys) before other
    /// names before `Z1b-` (the alternates), anything but prepayment (`PP`) key-agreement keys
    /// first, then by name for determinism.
    fn preference(&self) -> (u8, u8, &str) {
        let n = self.name.to_ascii_lowercase();
        let family = if n.starts_with("z1-") {
            0
        } else if n.starts_with("z1b-") {
            2
        } else {
            1
        };
        (u8::from(n.contains("pp-")), family, &self.name)
    }
}

/// A user the ZAZ1 material defines.
#[derive(Debug, Clone)]
pub struct PlannedUser<'a> {
    /// Directory-safe name (`supplier`, `network-operator`, …), as in `demo.json`.
    pub name: String,
    pub eui: Eui64,
    pub roles: Vec<UserRole>,
    pub smki_role: RemotePartyRole,
    /// Signs DUIS requests and GBCS pre-commands.
    pub signing: &'a Credential,
    /// Key agreement: what devices protect their answers to this user with.
    pub ka: Option<&'a Credential>,
    /// The `xml-sign-<EUI>-ds` credential Smart DCC's Java tool signs with, if any.
    pub xml_signing: Option<&'a Credential>,
}

/// The DUIS user roles an organisation in a remote party role acts in; `None` for roles that
/// are not DCC Users (the DCC's own, CAs).
pub fn duis_roles(role: RemotePartyRole) -> Option<&'static [UserRole]> {
    match role {
        RemotePartyRole::Supplier => Some(&[
            UserRole::ImportSupplier,
            UserRole::ExportSupplier,
            UserRole::GasSupplier,
        ]),
        RemotePartyRole::NetworkOperator => {
            Some(&[UserRole::ElectricityDistributor, UserRole::GasTransporter])
        }
        RemotePartyRole::OtherUser => Some(&[UserRole::OtherUser]),
        // 7.16 Limit APC Level only (see `duis::UserRole::LoadController`).
        RemotePartyRole::LoadController => Some(&[UserRole::LoadController]),
        _ => None,
    }
}

/// A directory-safe user name from a ZAZ1 credential name: `Z1-networkOperator-ds` →
/// `network-operator`, `otherUser-ds` → `other-user`. Names that say nothing but the EUI (the
/// RTDS keystore's `90b3d51f30010000-ds`) become `<role>-<eui>`.
pub fn user_name(credential_name: &str, role: RemotePartyRole, eui: Eui64) -> String {
    let lower = credential_name.to_ascii_lowercase();
    let mut stem = credential_name;
    for prefix in ["z1-", "z1b-"] {
        if lower.starts_with(prefix) {
            stem = stem.get(prefix.len()..).unwrap_or("");
            break;
        }
    }
    for suffix in ["-ds", "-ka"] {
        if stem.to_ascii_lowercase().ends_with(suffix) {
            stem = stem.get(..stem.len() - suffix.len()).unwrap_or("");
            break;
        }
    }
    let name = kebab(stem);
    if name.is_empty() || name.contains(&eui.to_hex()) {
        format!("{}-{}", kebab(&role.to_string()), eui.to_hex())
    } else {
        name
    }
}

/// `camelCase words` → `camel-case-words`, keeping only `[a-z0-9-]`.
fn kebab(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
            prev_lower = true;
        } else {
            out.push('-');
            prev_lower = false;
        }
    }
    out.split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// One entry of `keystore.json`: `{EUI: {digitalSignature|keyAgreement: {serial: entry}}}`.
#[derive(Debug, Deserialize)]
struct JsonEntry {
    certificate: String,
    #[serde(rename = "privateKey")]
    private_key: Option<String>,
    name: Option<String>,
    role: Option<u64>,
}

type JsonKeystore = BTreeMap<String, BTreeMap<String, BTreeMap<String, JsonEntry>>>;

/// A PEM certificate file of a ZAZ1 folder and its private key file's bytes, if there is one.
#[derive(Debug, Clone)]
pub struct PemFile {
    /// The file stem (`Z1-supplier-ds`).
    pub name: String,
    pub cert_pem: String,
    /// PKCS#8, PEM or DER.
    pub key: Option<Vec<u8>>,
}

/// Parses a PKCS#8 private key, PEM or DER.
fn parse_private_key(bytes: &[u8]) -> Result<KeyPair, String> {
    let text = std::str::from_utf8(bytes).ok().map(str::trim_start);
    match text {
        Some(t) if t.starts_with("-----BEGIN") => {
            KeyPair::from_pkcs8_pem(t).map_err(|e| format!("is not a PKCS#8 P-256 key: {e}"))
        }
        _ => KeyPair::from_pkcs8_der(bytes).map_err(|e| format!("is not a PKCS#8 P-256 key: {e}")),
    }
}

/// ZAZ1 credentials, from `keystore.json` or a folder of PEM files.
#[derive(Debug, Clone, Default)]
pub struct Zaz1Keystore {
    credentials: Vec<Credential>,
    /// Files or entries passed over, and why (not organisation certificates, duplicates).
    skipped: Vec<(String, String)>,
}

impl Zaz1Keystore {
    /// Reads `path`: a `keystore.json` file, or a folder of PEM files (and its `keystore.json`,
    /// if it has one).
    pub fn load(path: &Path) -> Result<Self, Zaz1Error> {
        let meta = std::fs::metadata(path).map_err(io_err(path))?;
        if meta.is_file() {
            let text = std::fs::read_to_string(path).map_err(io_err(path))?;
            return Self::from_json(&text);
        }
        if !meta.is_dir() {
            return Err(Zaz1Error::NotAKeystore(path.to_path_buf()));
        }
        let mut names: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(io_err(path))?
            .map(|e| e.map(|e| e.path()).map_err(io_err(path)))
            .collect::<Result<_, _>>()?;
        names.sort();
        let mut files = Vec::new();
        for p in &names {
            let Some(file) = p.file_name().and_then(|f| f.to_str()) else {
                continue;
            };
            let Some(stem) = file.strip_suffix(".pem") else {
                continue;
            };
            if stem.ends_with(".key") {
                continue;
            }
            let cert_pem = std::fs::read_to_string(p).map_err(io_err(p))?;
            if !cert_pem.contains("-----BEGIN CERTIFICATE-----") {
                continue;
            }
            let mut key = None;
            for candidate in [format!("{stem}.key"), format!("{stem}.key.pem")] {
                let kp = path.join(candidate);
                if kp.is_file() {
                    key = Some(std::fs::read(&kp).map_err(io_err(&kp))?);
                    break;
                }
            }
            files.push(PemFile {
                name: stem.to_string(),
                cert_pem,
                key,
            });
        }
        let mut ks = Self::from_pem_files(files)?;
        let json = path.join("keystore.json");
        if json.is_file() {
            let text = std::fs::read_to_string(&json).map_err(io_err(&json))?;
            ks.merge(Self::from_json(&text)?);
        }
        if ks.credentials.is_empty() {
            return Err(Zaz1Error::NotAKeystore(path.to_path_buf()));
        }
        Ok(ks)
    }

    /// Parses DCC Boxed's `keystore.json`. Certificates that are not SMKI organisation
    /// certificates are passed over (see [`Zaz1Keystore::skipped`]); an entry whose EUI, usage,
    /// serial or private key contradicts its certificate is an error.
    pub fn from_json(text: &str) -> Result<Self, Zaz1Error> {
        let parsed: JsonKeystore =
            serde_json::from_str(text).map_err(|e| Zaz1Error::Json(e.to_string()))?;
        let mut ks = Self::default();
        for (eui_text, usages) in parsed {
            let eui: Eui64 = eui_text.parse().map_err(|_| Zaz1Error::Entry {
                entry: eui_text.chars().take(40).collect(),
                reason: "the key is not an EUI-64".into(),
            })?;
            for (usage_text, entries) in usages {
                let usage = match usage_text.as_str() {
                    "digitalSignature" => KeyUsage::DigitalSignature,
                    "keyAgreement" => KeyUsage::KeyAgreement,
                    other => {
                        return Err(Zaz1Error::Entry {
                            entry: format!(
                                "{eui_text}.{}",
                                other.chars().take(40).collect::<String>()
                            ),
                            reason: "usage is neither digitalSignature nor keyAgreement".into(),
                        });
                    }
                };
                for (serial, e) in entries {
                    let name = e
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("{eui_text}-{usage_text}-{serial}"));
                    let bad = |reason: String| Zaz1Error::Entry {
                        entry: name.clone(),
                        reason,
                    };
                    let der = match smki::cert_from_pem(&e.certificate) {
                        Ok(d) => d,
                        Err(err) => {
                            ks.skipped
                                .push((name.clone(), format!("certificate: {err}")));
                            continue;
                        }
                    };
                    let key = match &e.private_key {
                        Some(pem) => Some(parse_private_key(pem.as_bytes()).map_err(|reason| {
                            Zaz1Error::Key {
                                name: name.clone(),
                                reason,
                            }
                        })?),
                        None => None,
                    };
                    let cred = match Credential::new(&name, &der, key) {
                        Ok(c) => c,
                        Err(Zaz1Error::Entry { reason, .. }) => {
                            ks.skipped.push((name.clone(), reason));
                            continue;
                        }
                        Err(other) => return Err(other),
                    };
                    if cred.eui() != eui {
                        return Err(bad(format!(
                            "filed under {eui} but its certificate is {}'s",
                            cred.eui()
                        )));
                    }
                    if cred.usage() != usage {
                        return Err(bad(format!(
                            "filed under {usage_text} but its certificate's usage is {:?}",
                            cred.usage()
                        )));
                    }
                    if cred.cert().serial_decimal() != serial {
                        return Err(bad(format!(
                            "filed under serial {} but its certificate's is {}",
                            serial.chars().take(40).collect::<String>(),
                            cred.cert().serial_decimal()
                        )));
                    }
                    if let Some(r) = e.role
                        && r != u64::from(cred.role().code())
                    {
                        return Err(bad(format!(
                            "role {r} but its certificate's is {}",
                            cred.role().code()
                        )));
                    }
                    ks.add(cred);
                }
            }
        }
        Ok(ks)
    }

    /// Builds a keystore from PEM certificate files (and their keys). Files that are not SMKI
    /// organisation certificates (device certificates, DCC Boxed's pre-1.4.1 DSP certificate with
    /// its decimal OU) are passed over; a key that does not match its certificate is an error.
    pub fn from_pem_files(files: Vec<PemFile>) -> Result<Self, Zaz1Error> {
        let mut ks = Self::default();
        for f in files {
            let der = match smki::cert_from_pem(&f.cert_pem) {
                Ok(d) => d,
                Err(e) => {
                    ks.skipped.push((f.name, format!("certificate: {e}")));
                    continue;
                }
            };
            let key = match &f.key {
                Some(bytes) => Some(parse_private_key(bytes).map_err(|reason| Zaz1Error::Key {
                    name: f.name.clone(),
                    reason,
                })?),
                None => None,
            };
            match Credential::new(&f.name, &der, key) {
                Ok(c) => ks.add(c),
                Err(Zaz1Error::Entry { reason, .. }) => ks.skipped.push((f.name, reason)),
                Err(other) => return Err(other),
            }
        }
        Ok(ks)
    }

    /// Adds a credential; the same certificate twice keeps one (the one with a key).
    fn add(&mut self, c: Credential) {
        let same = |x: &Credential| {
            x.cert.serial() == c.cert.serial() && x.cert.issuer() == c.cert.issuer()
        };
        match self.credentials.iter_mut().find(|x| same(x)) {
            Some(existing) => {
                if existing.key.is_none() && c.key.is_some() {
                    *existing = c;
                } else {
                    self.skipped
                        .push((c.name, format!("duplicate of {}", existing.name)));
                }
            }
            None => self.credentials.push(c),
        }
    }

    fn merge(&mut self, other: Zaz1Keystore) {
        for c in other.credentials {
            self.add(c);
        }
        self.skipped.extend(other.skipped);
    }

    pub fn credentials(&self) -> &[Credential] {
        &self.credentials
    }

    /// What was passed over, and why.
    pub fn skipped(&self) -> &[(String, String)] {
        &self.skipped
    }

    /// The preferred credential of `eui` in `role` for `usage` (see [`Credential::preference`]),
    /// ones with a private key first.
    pub fn party(&self, eui: Eui64, role: RemotePartyRole, usage: KeyUsage) -> Option<&Credential> {
        self.credentials
            .iter()
            .filter(|c| c.eui() == eui && c.role() == role && c.usage() == usage)
            .min_by(|a, b| {
                (a.key.is_none(), a.preference()).cmp(&(b.key.is_none(), b.preference()))
            })
    }

    fn party_with_key(
        &self,
        eui: Eui64,
        role: RemotePartyRole,
        usage: KeyUsage,
        what: &str,
    ) -> Result<&Credential, Zaz1Error> {
        self.party(eui, role, usage)
            .filter(|c| c.key.is_some())
            .ok_or_else(|| Zaz1Error::Missing(what.to_string()))
    }

    /// The DCC's response signing credential: `dsp-xml-sign-90B3D51F30000002-ds`, the one Smart
    /// DCC's Java tool knows, over other DSP XML signing certificates a folder may hold
    /// (`Z1-accessControlBroker-dSPXmlSign`, which the tool does not know).
    pub fn dsp_xml_signing(&self) -> Result<&Credential, Zaz1Error> {
        let rank = |c: &Credential| {
            let n = c.name.to_ascii_lowercase();
            (
                !n.starts_with("dsp-xml-sign-"),
                n.contains("pre"),
                c.preference().1,
            )
        };
        self.credentials
            .iter()
            .filter(|c| {
                c.eui() == DCC_EUI
                    && c.role() == RemotePartyRole::DspXmlSigning
                    && c.usage() == KeyUsage::DigitalSignature
                    && c.key.is_some()
            })
            .min_by(|a, b| (rank(a), a.name()).cmp(&(rank(b), b.name())))
            .ok_or_else(|| {
                Zaz1Error::Missing(
                    "DSP XML signing certificate and key (dsp-xml-sign-90B3D51F30000002-ds)".into(),
                )
            })
    }

    /// The Access Control Broker's digital-signing and key-agreement credentials.
    pub fn acb(&self) -> Result<(&Credential, &Credential), Zaz1Error> {
        Ok((
            self.party_with_key(
                DCC_EUI,
                RemotePartyRole::AccessControlBroker,
                KeyUsage::DigitalSignature,
                "Access Control Broker signing key (Z1-accessControlBroker-ds)",
            )?,
            self.party_with_key(
                DCC_EUI,
                RemotePartyRole::AccessControlBroker,
                KeyUsage::KeyAgreement,
                "Access Control Broker key-agreement key (Z1-accessControlBroker-ka)",
            )?,
        ))
    }

    /// The users: one per organisation with a digital-signing credential (with its key) in a
    /// DCC User's remote party role, in EUI order, with unique names.
    pub fn users(&self) -> Vec<PlannedUser<'_>> {
        let euis: BTreeSet<Eui64> = self.credentials.iter().map(Credential::eui).collect();
        let mut out: Vec<PlannedUser<'_>> = Vec::new();
        let mut names = BTreeSet::new();
        for eui in euis {
            let signing = self
                .credentials
                .iter()
                .filter(|c| {
                    c.eui() == eui
                        && c.usage() == KeyUsage::DigitalSignature
                        && c.key.is_some()
                        && duis_roles(c.role()).is_some()
                })
                .min_by(|a, b| a.preference().cmp(&b.preference()));
            let Some(signing) = signing else { continue };
            let role = signing.role();
            let roles = duis_roles(role)
                .map(<[UserRole]>::to_vec)
                .unwrap_or_default();
            let mut name = user_name(signing.name(), role, eui);
            if names.contains(&name) {
                name = format!("{name}-{}", eui.to_hex());
            }
            names.insert(name.clone());
            out.push(PlannedUser {
                name,
                eui,
                roles,
                smki_role: role,
                signing,
                ka: self
                    .party(eui, role, KeyUsage::KeyAgreement)
                    .filter(|c| c.key.is_some()),
                xml_signing: self
                    .party(eui, RemotePartyRole::XmlSigning, KeyUsage::DigitalSignature)
                    .filter(|c| c.key.is_some()),
            });
        }
        out
    }

    /// A device trust anchor (DS and KA public keys) for the party `eui` in `role`.
    fn anchor(&self, eui: Eui64, role: RemotePartyRole) -> Result<devices::TrustAnchor, String> {
        let ds = self
            .party(eui, role, KeyUsage::DigitalSignature)
            .ok_or_else(|| {
                format!("the ZAZ1 material has no {role} signing certificate for {eui}")
            })?;
        let ka = self
            .party(eui, role, KeyUsage::KeyAgreement)
            .ok_or_else(|| {
                format!("the ZAZ1 material has no {role} key-agreement certificate for {eui}")
            })?;
        world::trust_anchor(eui, &ds.cert.public_key_sec1(), &ka.cert.public_key_sec1())
    }
}

/// Whether the world in `dir` (if any) was built in ZAZ1 mode: `None` when `dir` holds no world.
pub fn world_kind(dir: &Path) -> Result<Option<bool>, Zaz1Error> {
    let marker = dir.join(world::MARKER);
    if !marker.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&marker).map_err(io_err(&marker))?;
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Zaz1Error::Json(format!("{}: {e}", marker.display())))?;
    Ok(Some(
        v.get("pki").and_then(|p| p.as_str()) == Some(MARKER_PKI),
    ))
}

/// `opendcc demo --zaz1 KEYSTORE`: makes sure `dir` holds a ZAZ1 world, building it from
/// `keystore` (with `registrations` in place of the default registration data) if it holds no
/// world yet. A world made earlier in ZAZ1 mode is resumed as it is (whether it was made with
/// the same `registrations` is checked when it is opened, `World::open_or_create_as`); one made
/// with fresh keys is refused. A registration change the world cannot take is refused before
/// anything is created.
pub fn ensure_world(
    dir: &Path,
    keystore: &Path,
    registrations: &[RegistrationChange],
    dcc_controlled: &[String],
) -> Result<(), String> {
    match world_kind(dir).map_err(|e| e.to_string())? {
        Some(true) => {
            tracing::info!(dir = %dir.display(), "resuming the ZAZ1 world (the keystore is read only when a world is created)");
            Ok(())
        }
        Some(false) => Err(Zaz1Error::NotZaz1World(
            std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()),
        )
        .to_string()),
        None => {
            let ks = Zaz1Keystore::load(keystore)
                .map_err(|e| format!("ZAZ1 keystore {}: {e}", keystore.display()))?;
            for (name, why) in ks.skipped() {
                tracing::debug!(%name, %why, "ZAZ1 material passed over");
            }
            check_registrations(&ks, registrations)?;
            let dcc_controlled = dcc_controlled
                .iter()
                .map(|d| {
                    d.parse::<Eui64>()
                        .ok()
                        .filter(|id| rtds_devices().any(|(rtds, _)| rtds == *id))
                        .ok_or_else(|| {
                            format!("--dcc-controlled {d}: not a device of the ZAZ1 premises")
                        })
                })
                .collect::<Result<Vec<Eui64>, String>>()?;
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let dir = std::fs::canonicalize(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            build(
                &dir,
                &ks,
                keystore,
                OffsetDateTime::now_utc(),
                registrations,
                &dcc_controlled,
            )
        }
    }
}

/// The users the ZAZ1 material defines, as registration data sees them.
fn world_users<'a>(planned: &'a [PlannedUser<'_>]) -> Vec<WorldUser<'a>> {
    planned
        .iter()
        .map(|u| WorldUser {
            name: &u.name,
            eui: u.eui,
            smki_role: u.smki_role,
            roles: &u.roles,
        })
        .collect()
}

/// Checks registration changes against the world `build` makes from `ks`.
fn check_registrations(ks: &Zaz1Keystore, changes: &[RegistrationChange]) -> Result<(), String> {
    registrations::check_distinct(changes)?;
    let planned = ks.users();
    let users = world_users(&planned);
    let premises = rtds_premises();
    for c in changes {
        registrations::check(c, std::slice::from_ref(&premises), &users)?;
    }
    Ok(())
}

/// The one premises of a ZAZ1 world.
fn rtds_premises() -> Premises {
    Premises {
        uprn: UPRN.into(),
        postcode: POSTCODE.into(),
        address_identifier: ADDRESS.into(),
        region: CspRegion::Central,
        mpan: Some(MPAN.into()),
        mprn: Some(MPRN.into()),
    }
}

/// The RTDS devices the templates address, in EUI order from `…90-A0`.
const RTDS_DEVICES: &[DeviceType] = &[
    DeviceType::Esme,
    DeviceType::Gsme,
    DeviceType::Chf,
    DeviceType::Gpf,
    DeviceType::Ppmid,
    DeviceType::Hcalcs,
    DeviceType::Esme,
];
const RTDS_BASE: u64 = 0x00DB_1234_5678_90A0;

/// The RTDS devices with their EUIs.
fn rtds_devices() -> impl Iterator<Item = (Eui64, DeviceType)> {
    RTDS_DEVICES
        .iter()
        .enumerate()
        .map(|(i, &t)| (Eui64::from_u64(RTDS_BASE + i as u64), t))
}
const CHF: Eui64 = Eui64::from_u64(RTDS_BASE + 2);
/// The import MPAN and MPRN the templates use for the RTDS premises.
pub const MPAN: &str = "1312345678111";
pub const MPRN: &str = "1000999888";
const UPRN: &str = "100000000001";
const POSTCODE: &str = "M22 0RR";
const ADDRESS: &str = "Threapwood Road";

fn rtds_device(id: Eui64, t: DeviceType, now: OffsetDateTime, first_esme: bool) -> Device {
    let mpxn = match t {
        DeviceType::Esme if first_esme => Some(MPAN.to_string()),
        DeviceType::Gsme | DeviceType::Gpf => Some(MPRN.to_string()),
        _ => None,
    };
    let mut d = world::installed_device(id, t, UPRN, CHF, mpxn, now);
    if t == DeviceType::Esme && first_esme {
        // The RTDS's first ESME (…A0) is a twin element meter: it answers the secondary
        // element's reads (ECS24b, ECS20c), which a single element ESME (variant A) may not
        // be sent (E11).
        d.esme_variant = Some(duis::EsmeVariant::B);
    }
    d
}

fn new_key() -> Result<KeyPair, String> {
    KeyPair::generate_with_os_rng().map_err(smki_err)
}

fn new_serial() -> Result<Serial, String> {
    Serial::random_with_os_rng().map_err(smki_err)
}

/// Writes a ZAZ1 credential (certificate, and key if `with_key`) as `<base>.pem` / `<base>.key`.
fn write_credential(
    pem_path: &Path,
    key_path: &Path,
    c: &Credential,
    with_key: bool,
) -> Result<(), String> {
    world::write_file(pem_path, cert_pem(c.cert.der())?.as_bytes())?;
    if with_key {
        let key = c.key_or_missing().map_err(|e| e.to_string())?;
        world::write_secret(key_path, &key_pem(key)?)?;
    }
    Ok(())
}

/// Builds the ZAZ1 world in `dir` (canonical). Like the fresh-keys world, the marker is written
/// last, so an interrupted build is redone from scratch.
fn build(
    dir: &Path,
    ks: &Zaz1Keystore,
    source: &Path,
    now: OffsetDateTime,
    changes: &[RegistrationChange],
    dcc_controlled: &[Eui64],
) -> Result<(), String> {
    let e = |e: Zaz1Error| e.to_string();
    let dsp = ks.dsp_xml_signing().map_err(e)?;
    let (acb_ds, acb_ka) = ks.acb().map_err(e)?;
    let planned = ks.users();
    for required in [ZAZ1_SUPPLIER, ZAZ1_NETWORK_OPERATOR] {
        if !planned.iter().any(|u| u.eui == required) {
            return Err(Zaz1Error::Missing(format!(
                "signing certificate and key for {required} (the supplier and network operator the templates use)"
            ))
            .to_string());
        }
    }
    let supplier_anchor = ks.anchor(ZAZ1_SUPPLIER, RemotePartyRole::Supplier)?;
    let operator_anchor = ks.anchor(ZAZ1_NETWORK_OPERATOR, RemotePartyRole::NetworkOperator)?;
    let acb_anchor = world::trust_anchor(
        DCC_EUI,
        &acb_ds.cert.public_key_sec1(),
        &acb_ka.cert.public_key_sec1(),
    )?;

    for sub in ["pki", "users", "devices"] {
        let p = dir.join(sub);
        if p.exists() {
            std::fs::remove_dir_all(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        }
    }
    for f in [
        world::DB,
        "opendcc.sqlite-wal",
        "opendcc.sqlite-shm",
        "demo.json",
    ] {
        let p = dir.join(f);
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        }
    }
    let pki_path = |name: &str| dir.join("pki").join(name);
    let private_path = |name: &str| dir.join("pki").join("private").join(name);

    // opendcc's own authorities: devices and DCCKI (and an organisation CA that issues only
    // the key-agreement certificates ZAZ1 material may lack).
    let pki = Pki::generate_with_os_rng(now, &PkiNames::default()).map_err(smki_err)?;
    for (kind, name) in world::CA_FILES {
        let ca = match kind {
            CaKind::OrganisationRoot => &pki.org_root,
            CaKind::Oca => &pki.oca,
            CaKind::DeviceRoot => &pki.device_root,
            CaKind::Dca => &pki.dca,
            CaKind::DcckiRoot => &pki.dccki_root,
            CaKind::DcckiIssuing => &pki.dccki_issuing,
        };
        world::write_file(
            &pki_path(&format!("{name}.pem")),
            ca.cert_pem().map_err(smki_err)?.as_bytes(),
        )?;
        world::write_secret(&private_path(&format!("{name}.key")), &key_pem(ca.key())?)?;
    }
    let not_before = now - Duration::days(1);
    let not_after = now + Duration::days(365 * 10);

    // The DCC's response signer and the ACB, from ZAZ1.
    write_credential(
        &pki_path("dcc-xml-signing.pem"),
        &private_path("dcc-xml-signing.key"),
        dsp,
        true,
    )?;
    write_credential(
        &pki_path("acb-ds.pem"),
        &private_path("acb-ds.key"),
        acb_ds,
        true,
    )?;
    write_credential(
        &pki_path("acb-ka.pem"),
        &private_path("acb-ka.key"),
        acb_ka,
        true,
    )?;

    // The DCC's Recovery key, when the keystore holds ZAZ1's (`Z1-recovery-ds`): a trust anchor
    // on every device (see `recovery::zaz1_anchor` for its KA half).
    let recovery_anchor = match ks
        .party(
            crate::recovery::RECOVERY_EUI,
            RemotePartyRole::Recovery,
            KeyUsage::DigitalSignature,
        )
        .filter(|c| c.key.is_some())
    {
        Some(c) => {
            write_credential(
                &pki_path("recovery-ds.pem"),
                &private_path("recovery-ds.key"),
                c,
                true,
            )?;
            Some(crate::recovery::zaz1_anchor(
                dir,
                &pki.oca,
                &c.cert.public_key_sec1(),
                not_before,
                not_after,
            )?)
        }
        None => None,
    };

    // The DCC's transitional change-of-supplier party, when the keystore holds ZAZ1's
    // (`Z1-transitionalCoS-ds`, 90-B3-D5-1F-30-00-00-04): its key signs 6.23's
    // CS02bSupplierByTransCoS (`World::dcc_crypto` reads `trans-cos-ds.key`, as in a fresh-keys
    // world), and it is a trust anchor on every device. ZAZ1 publishes no transitional CoS
    // key-agreement credential; the anchor model holds both keys, and nothing is ever encrypted
    // to or MAC'd for that party, so its KA half is a fresh key, as a fresh-keys world's is.
    let trans_cos_anchor = match ks
        .party(
            world::TRANS_COS_EUI,
            RemotePartyRole::TransitionalCoS,
            KeyUsage::DigitalSignature,
        )
        .filter(|c| c.key.is_some())
    {
        Some(c) => {
            write_credential(
                &pki_path("trans-cos-ds.pem"),
                &private_path("trans-cos-ds.key"),
                c,
                true,
            )?;
            Some(world::trust_anchor(
                world::TRANS_COS_EUI,
                &c.cert.public_key_sec1(),
                &new_key()?.public_key().to_sec1_uncompressed(),
            )?)
        }
        None => None,
    };

    // The DUIS listener's TLS certificate, from opendcc's DCCKI.
    let tls_key = new_key()?;
    let tls_cert = pki
        .dccki_issuing
        .issue_tls_server(&TlsServerCertRequest {
            common_name: "opendcc".into(),
            dns_names: vec!["localhost".into()],
            ip_addresses: vec![
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(Ipv6Addr::LOCALHOST),
            ],
            public_key: tls_key.public_key(),
            serial: new_serial()?,
            not_before,
            not_after,
        })
        .map_err(smki_err)?;
    let dccki_issuing_pem = pki.dccki_issuing.cert_pem().map_err(smki_err)?;
    world::write_file(
        &pki_path("server-tls.pem"),
        format!("{}{dccki_issuing_pem}", cert_pem(&tls_cert)?).as_bytes(),
    )?;
    world::write_secret(&private_path("server-tls.key"), &key_pem(&tls_key)?)?;

    // Users: ZAZ1 signing and key-agreement credentials, DCCKI client credentials of ours.
    let mut users = Vec::new();
    for u in &planned {
        let udir = world::user_dir(dir, &u.name);
        write_credential(
            &udir.join("signing.pem"),
            &udir.join("signing.key"),
            u.signing,
            true,
        )?;
        match u.ka {
            Some(ka) => write_credential(&udir.join("ka.pem"), &udir.join("ka.key"), ka, true)?,
            None => {
                tracing::warn!(user = %u.name, "no ZAZ1 key-agreement key: issuing one from opendcc's organisation CA");
                let key = new_key()?;
                let cert = pki
                    .oca
                    .issue_organisation(&OrgCertRequest {
                        common_name: None,
                        eui: u.eui,
                        role: u.smki_role,
                        usage: KeyUsage::KeyAgreement,
                        public_key: key.public_key(),
                        serial: new_serial()?,
                        not_before,
                        not_after,
                    })
                    .map_err(smki_err)?;
                world::write_file(&udir.join("ka.pem"), cert_pem(&cert)?.as_bytes())?;
                world::write_secret(&udir.join("ka.key"), &key_pem(&key)?)?;
            }
        }
        if let Some(x) = u.xml_signing {
            write_credential(
                &udir.join("xml-signing.pem"),
                &udir.join("xml-signing.key"),
                x,
                true,
            )?;
        }
        let client_key = new_key()?;
        let client_cert = pki
            .dccki_issuing
            .issue_tls_client(&TlsClientCertRequest {
                eui: u.eui,
                organisation: u.name.clone(),
                public_key: client_key.public_key(),
                serial: new_serial()?,
                not_before,
                not_after,
            })
            .map_err(smki_err)?;
        world::write_file(
            &udir.join("tls.pem"),
            format!("{}{dccki_issuing_pem}", cert_pem(&client_cert)?).as_bytes(),
        )?;
        world::write_secret(&udir.join("tls.key"), &key_pem(&client_key)?)?;
        users.push(User {
            eui: u.eui,
            name: u.name.clone(),
            roles: u.roles.clone(),
            response_url: None,
            suspended: false,
        });
    }

    // Every ZAZ1 digital-signing certificate, for the gateway's XML signature checks.
    let mut org_records = Vec::new();
    for c in ks.credentials() {
        if c.usage() == KeyUsage::DigitalSignature {
            org_records.push(world::org_record(c.cert.der())?);
        }
    }

    // Devices: our keys, certified by our device CA.
    let mut device_certs: Vec<(Eui64, &'static str, Vec<u8>)> = Vec::new();
    let mut issue_device = |id: Eui64| -> Result<(), String> {
        let ddir = world::device_dir(dir, id);
        for (usage, name) in [
            (KeyUsage::DigitalSignature, "ds"),
            (KeyUsage::KeyAgreement, "ka"),
        ] {
            let key = new_key()?;
            let der = pki
                .dca
                .issue_device(&DeviceCertRequest {
                    eui: id,
                    usage,
                    public_key: key.public_key(),
                    serial: new_serial()?,
                    not_before,
                })
                .map_err(smki_err)?;
            world::write_file(
                &ddir.join(format!("{name}.pem")),
                cert_pem(&der)?.as_bytes(),
            )?;
            world::write_secret(&ddir.join(format!("{name}.key")), &key_pem(&key)?)?;
            device_certs.push((id, name, der));
        }
        Ok(())
    };
    let mut devices = Vec::new();
    for (i, &t) in RTDS_DEVICES.iter().enumerate() {
        let id = Eui64::from_u64(RTDS_BASE + i as u64);
        issue_device(id)?;
        devices.push(rtds_device(id, t, now, i == 0));
    }
    for &(id, _) in world::SPARE_DEVICES {
        issue_device(Eui64::from_u64(id))?;
    }
    let premises = rtds_premises();
    let since = time::macros::date!(2020 - 01 - 01);
    let mut registrations: Vec<Registration> = [
        (MPAN, RegistrationRole::ImportSupplier, ZAZ1_SUPPLIER),
        (MPAN, RegistrationRole::ExportSupplier, ZAZ1_SUPPLIER),
        (
            MPAN,
            RegistrationRole::ElectricityDistributor,
            ZAZ1_NETWORK_OPERATOR,
        ),
        (MPRN, RegistrationRole::GasSupplier, ZAZ1_SUPPLIER),
        (
            MPRN,
            RegistrationRole::GasTransporter,
            ZAZ1_NETWORK_OPERATOR,
        ),
    ]
    .into_iter()
    .map(|(mpxn, role, party)| Registration {
        mpxn: mpxn.into(),
        role,
        party,
        from: since,
        to: None,
    })
    .collect();
    // Registration changes (`--registration`): the devices' anchors stay the ZAZ1 supplier and
    // network operator, so a party registered here is an unknown remote party to them.
    registrations::apply(
        &mut registrations,
        changes,
        std::slice::from_ref(&premises),
        &world_users(&planned),
        since,
    )?;

    // Each emulated device trusts the ZAZ1 supplier, network operator and ACB (and ZAZ1's
    // Recovery key when the keystore has it). It holds no Root cell: DCC Boxed's material does
    // not publish ZAZ1's organisation root (`CN=ZA, OU=00`, the issuer of its issuing CA `Z1`),
    // so its devices check a replacement certificate's certification path as devices without
    // one do (issued by a path certificate; the path certificate itself unchecked: see
    // `devices::recovery`).
    let installed = gbcs::UtcDateTime::from_unix(now.unix_timestamp())
        .ok_or("the clock is outside the range GBCS can express")?;
    let mut anchors = devices::TrustAnchors::new()
        .with(devices::RemotePartyRole::Supplier, supplier_anchor)
        .with(devices::RemotePartyRole::NetworkOperator, operator_anchor)
        .with(devices::RemotePartyRole::AccessControlBroker, acb_anchor);
    if let Some(a) = recovery_anchor {
        anchors.set(devices::RemotePartyRole::Recovery, a);
    }
    if let Some(a) = trans_cos_anchor {
        anchors.set(devices::RemotePartyRole::TransitionalCos, a);
    }
    let mut device_states = Vec::new();
    let emulated = devices.iter().map(|d| (d.id, d.device_type)).chain(
        world::SPARE_DEVICES
            .iter()
            .map(|&(id, t)| (Eui64::from_u64(id), t)),
    );
    // ESMEs also trust the ZAZ1 load controller (7.16's ECS47e), when the keystore has one
    // with both its certificates.
    let load_controller = planned
        .iter()
        .find(|u| u.smki_role == RemotePartyRole::LoadController)
        .and_then(|u| ks.anchor(u.eui, RemotePartyRole::LoadController).ok());
    for (id, t) in emulated {
        let Some(kind) = world::device_kind(t) else {
            continue;
        };
        let mut anchors = anchors.clone();
        if let (DeviceType::Esme, Some(a)) = (t, &load_controller) {
            anchors.set(devices::RemotePartyRole::LoadController, a.clone());
        }
        // A DCC-controlled device: the DCC holds its supplier and network operator cells (the
        // ACB's keys), which 6.21 hands over.
        if dcc_controlled.contains(&id)
            && let Some(acb) = anchors
                .get(devices::RemotePartyRole::AccessControlBroker)
                .cloned()
        {
            anchors.set(devices::RemotePartyRole::Supplier, acb.clone());
            anchors.set(devices::RemotePartyRole::NetworkOperator, acb);
        }
        let mut state = devices::DeviceState::installed_in_a_home(kind, installed, anchors);
        // A meter accepts a Device certificate for the key pair it generates (6.17, 6.15.2)
        // only from the world's device CA, as in a fresh-keys world.
        if matches!(t, DeviceType::Esme | DeviceType::Gsme) {
            state.config.credentials.device_cas =
                vec![devices::config::credentials::CaCertificate(
                    pki.dca.cert_der().to_vec(),
                )];
        }
        // The RTDS premises' hub (…A2, the RTDS DBCH vectors' recipient) is dual band, as in a
        // fresh-keys world (`world::dual_band_premises`): DUIS 6.28–6.32 address it.
        if t == DeviceType::Chf
            && devices.iter().any(|d| d.id == id)
            && world::dual_band_premises(UPRN)
        {
            state.config.sub_ghz = devices::config::sub_ghz::SubGhzState::dual_band();
        }
        device_states.push((id, state));
    }

    let store = SqliteStore::open(&dir.join(world::DB)).map_err(|e| e.to_string())?;
    world::populate(
        &store,
        &world::WorldData {
            users: &users,
            org_certs: &org_records,
            premises: std::slice::from_ref(&premises),
            devices: &devices,
            device_certs: &device_certs,
            registrations: &registrations,
            device_states: &device_states,
            pki: &pki,
            now,
        },
    )?;
    drop(store);
    let marker = serde_json::json!({
        "created": now.unix_timestamp(),
        "dcc_eui": DCC_EUI.to_string(),
        "format": 1,
        "pki": MARKER_PKI,
        "registrations": registrations::recorded(changes),
        "dcc_controlled": dcc_controlled.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "zaz1_source": source.display().to_string(),
    });
    world::write_file(&dir.join(world::MARKER), marker.to_string().as_bytes())?;
    tracing::info!(
        dir = %dir.display(),
        users = %planned.iter().map(|u| format!("{} {}", u.name, u.eui)).collect::<Vec<_>>().join(", "),
        "created a demo world around the ZAZ1 test PKI"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn corpus() -> PathBuf {
        std::env::var_os("OPENDCC_CORPUS").map_or_else(
            || {
                PathBuf::from(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../../shared/corpus"
                ))
            },
            PathBuf::from,
        )
    }

    fn keystore_json() -> String {
        std::fs::read_to_string(corpus().join("zaz1/keystore.json")).unwrap()
    }

    #[test]
    fn user_names() {
        let eui = ZAZ1_SUPPLIER;
        assert_eq!(
            user_name("Z1-supplier-ds", RemotePartyRole::Supplier, eui),
            "supplier"
        );
        assert_eq!(
            user_name(
                "Z1-networkOperator-ds",
                RemotePartyRole::NetworkOperator,
                eui
            ),
            "network-operator"
        );
        assert_eq!(
            user_name("Z1b-supplier2-ds", RemotePartyRole::Supplier, eui),
            "supplier2"
        );
        assert_eq!(
            user_name("otherUser-ds", RemotePartyRole::OtherUser, eui),
            "other-user"
        );
        assert_eq!(
            user_name("90b3d51f30010000-ds", RemotePartyRole::Supplier, eui),
            "supplier-90b3d51f30010000"
        );
        assert_eq!(
            user_name("Z1--ds", RemotePartyRole::LoadController, eui),
            "load-controller-90b3d51f30010000"
        );
    }

    #[test]
    fn roles_map_to_duis_roles() {
        assert_eq!(
            duis_roles(RemotePartyRole::Supplier),
            Some(
                &[
                    UserRole::ImportSupplier,
                    UserRole::ExportSupplier,
                    UserRole::GasSupplier
                ][..]
            )
        );
        assert_eq!(
            duis_roles(RemotePartyRole::NetworkOperator),
            Some(&[UserRole::ElectricityDistributor, UserRole::GasTransporter][..])
        );
        assert_eq!(
            duis_roles(RemotePartyRole::OtherUser),
            Some(&[UserRole::OtherUser][..])
        );
        assert_eq!(
            duis_roles(RemotePartyRole::LoadController),
            Some(&[UserRole::LoadController][..])
        );
        for not_user in [
            RemotePartyRole::AccessControlBroker,
            RemotePartyRole::Recovery,
            RemotePartyRole::WanProvider,
            RemotePartyRole::TransitionalCoS,
            RemotePartyRole::XmlSigning,
            RemotePartyRole::DspXmlSigning,
            RemotePartyRole::Root,
        ] {
            assert_eq!(duis_roles(not_user), None, "{not_user}");
        }
    }

    /// The npm keystore: the users, the DCC's keys and the anchors the ZAZ1 world is built from.
    #[test]
    fn keystore_json_yields_the_zaz1_parties() {
        let ks = Zaz1Keystore::from_json(&keystore_json()).unwrap();
        assert!(ks.credentials().len() >= 30, "{}", ks.credentials().len());
        let dsp = ks.dsp_xml_signing().unwrap();
        assert_eq!(dsp.name(), "dsp-xml-sign-90B3D51F30000002-ds");
        assert_eq!(
            dsp.cert().serial_decimal(),
            "167048897159233642262001557408276884033"
        );
        let (ds, ka) = ks.acb().unwrap();
        assert_eq!(ds.name(), "Z1-accessControlBroker-ds");
        assert_eq!(ka.name(), "Z1-accessControlBroker-ka");
        let users = ks.users();
        let by_name: BTreeMap<&str, &PlannedUser<'_>> =
            users.iter().map(|u| (u.name.as_str(), u)).collect();
        let supplier = by_name["supplier"];
        assert_eq!(supplier.eui, ZAZ1_SUPPLIER);
        assert_eq!(supplier.signing.name(), "Z1-supplier-ds");
        assert_eq!(supplier.ka.map(Credential::name), Some("Z1-supplier-ka"));
        assert_eq!(
            supplier.xml_signing.map(Credential::name),
            Some("xml-sign-90B3D51F30010000-ds")
        );
        let no = by_name["network-operator"];
        assert_eq!(no.eui, ZAZ1_NETWORK_OPERATOR);
        assert_eq!(
            no.roles,
            vec![UserRole::ElectricityDistributor, UserRole::GasTransporter]
        );
        assert_eq!(no.ka.map(Credential::name), Some("Z1-networkOperator-ka"));
        assert_eq!(by_name["supplier2"].signing.name(), "Z1-supplier2-ds");
        assert_eq!(by_name["other-user"].roles, vec![UserRole::OtherUser]);
        assert_eq!(
            by_name["load-controller"].roles,
            vec![UserRole::LoadController]
        );
        assert_eq!(by_name["mdr"].roles, vec![UserRole::OtherUser]);
        // The DCC's own parties are not users.
        assert!(users.iter().all(|u| u.eui != DCC_EUI));
        assert!(!by_name.contains_key("recovery"));
        assert!(!by_name.contains_key("wan-provider"));
    }

    /// The corpus folder (PEM files plus its keystore.json) and the RTDS keystore folder
    /// (`<eui>-ds.pem` + `.key`) give the same supplier keys as keystore.json.
    #[test]
    fn folders_agree_with_keystore_json() {
        let json = Zaz1Keystore::from_json(&keystore_json()).unwrap();
        let folder = Zaz1Keystore::load(&corpus().join("zaz1")).unwrap();
        let pick = |ks: &Zaz1Keystore, role, usage| {
            ks.party(ZAZ1_SUPPLIER, role, usage)
                .map(|c| c.cert().serial_decimal().to_string())
        };
        for usage in [KeyUsage::DigitalSignature, KeyUsage::KeyAgreement] {
            assert_eq!(
                pick(&json, RemotePartyRole::Supplier, usage),
                pick(&folder, RemotePartyRole::Supplier, usage)
            );
        }
        // The pre-1.4.1 DSP certificate's decimal OU is passed over, with a reason.
        assert!(
            folder
                .skipped()
                .iter()
                .any(|(n, _)| n == "dsp-xml-sign-90B3D51F30000002-ds-pre-1.4.1"),
            "{:?}",
            folder.skipped()
        );
        assert_eq!(
            folder.dsp_xml_signing().unwrap().cert().serial_decimal(),
            json.dsp_xml_signing().unwrap().cert().serial_decimal()
        );
        let rtds = Zaz1Keystore::load(&corpus().join("rtds/keystore")).unwrap();
        let supplier = rtds
            .users()
            .into_iter()
            .find(|u| u.eui == ZAZ1_SUPPLIER)
            .unwrap();
        assert_eq!(supplier.name, "supplier-90b3d51f30010000");
        assert_eq!(
            Some(supplier.signing.cert().serial_decimal().to_string()),
            pick(&json, RemotePartyRole::Supplier, KeyUsage::DigitalSignature)
        );
        assert_eq!(
            supplier.ka.map(|c| c.cert().serial_decimal().to_string()),
            pick(&json, RemotePartyRole::Supplier, KeyUsage::KeyAgreement)
        );
    }

    fn first_entry(v: &mut serde_json::Value) -> &mut serde_json::Value {
        v.get_mut("90b3d51f30010000")
            .and_then(|e| e.get_mut("digitalSignature"))
            .and_then(|e| e.get_mut("105986833131214866166891566273223584671"))
            .unwrap()
    }

    #[test]
    fn contradictions_are_errors() {
        let base: serde_json::Value = serde_json::from_str(&keystore_json()).unwrap();
        // A private key that is not the certificate's.
        let mut v = base.clone();
        let other_key =
            base["90b3d51f30020000"]["digitalSignature"]["106006686783879999060382759530209331431"]
                ["privateKey"]
                .clone();
        first_entry(&mut v)["privateKey"] = other_key;
        assert!(matches!(
            Zaz1Keystore::from_json(&v.to_string()),
            Err(Zaz1Error::Key { .. })
        ));
        // A certificate filed under another EUI.
        let mut v = base.clone();
        let entry = first_entry(&mut v).clone();
        v["90b3d51f30020000"]["digitalSignature"]["105986833131214866166891566273223584671"] =
            entry;
        assert!(matches!(
            Zaz1Keystore::from_json(&v.to_string()),
            Err(Zaz1Error::Entry { .. })
        ));
        // A wrong role.
        let mut v = base.clone();
        first_entry(&mut v)["role"] = serde_json::json!(3);
        assert!(matches!(
            Zaz1Keystore::from_json(&v.to_string()),
            Err(Zaz1Error::Entry { .. })
        ));
        // An unknown usage and a key that is not an EUI.
        assert!(matches!(
            Zaz1Keystore::from_json(r#"{"90b3d51f30010000": {"encryption": {}}}"#),
            Err(Zaz1Error::Entry { .. })
        ));
        assert!(matches!(
            Zaz1Keystore::from_json(r#"{"supplier": {}}"#),
            Err(Zaz1Error::Entry { .. })
        ));
        assert!(matches!(
            Zaz1Keystore::from_json("[]"),
            Err(Zaz1Error::Json(_))
        ));
        // Without the DSP key there is no response signer.
        let mut v = base;
        v["90b3d51f30000002"]["digitalSignature"]
            .as_object_mut()
            .unwrap()
            .remove("167048897159233642262001557408276884033");
        let ks = Zaz1Keystore::from_json(&v.to_string()).unwrap();
        assert!(matches!(ks.dsp_xml_signing(), Err(Zaz1Error::Missing(_))));
    }

    #[test]
    fn private_keys_pem_or_der() {
        let k = KeyPair::generate_with_os_rng().unwrap();
        let pem = k.to_pkcs8_pem().unwrap();
        let der = k.to_pkcs8_der().unwrap();
        assert_eq!(parse_private_key(pem.as_bytes()).unwrap(), k);
        assert_eq!(parse_private_key(&der).unwrap(), k);
        assert!(parse_private_key(b"-----BEGIN PRIVATE KEY-----\nAAAA\n").is_err());
        assert!(parse_private_key(&[0x30, 0x03, 0x02, 0x01, 0x00]).is_err());
    }

    /// A world directory made with fresh keys is never taken over.
    #[test]
    fn meters_accept_device_certificates_from_the_worlds_device_ca_only() {
        use dcc::store::Store as _;
        let dir = tempfile::tempdir().unwrap();
        ensure_world(dir.path(), &corpus().join("zaz1"), &[], &[]).unwrap();
        let pem = std::fs::read_to_string(dir.path().join("pki/device-issuing.pem")).unwrap();
        let dca = smki::cert_from_pem(&pem).unwrap();
        let store = SqliteStore::open(&dir.path().join(world::DB)).unwrap();
        for (i, &t) in RTDS_DEVICES.iter().enumerate() {
            let id = Eui64::from_u64(RTDS_BASE + i as u64);
            let state = store
                .transaction_in(|tx| wan::emulated::stored_state(tx, id))
                .unwrap()
                .unwrap();
            let cas: Vec<&[u8]> = state
                .config
                .credentials
                .device_cas
                .iter()
                .map(|c| c.0.as_slice())
                .collect();
            if matches!(t, DeviceType::Esme | DeviceType::Gsme) {
                assert_eq!(cas, [dca.as_slice()], "{id}");
            } else {
                assert!(cas.is_empty(), "{id}");
            }
        }
    }

    #[test]
    fn world_kind_reads_the_marker() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(world_kind(dir.path()).unwrap(), None);
        std::fs::write(dir.path().join(world::MARKER), r#"{"format":1}"#).unwrap();
        assert_eq!(world_kind(dir.path()).unwrap(), Some(false));
        assert!(
            ensure_world(dir.path(), &corpus().join("zaz1"), &[], &[])
                .unwrap_err()
                .contains("fresh keys")
        );
        std::fs::write(
            dir.path().join(world::MARKER),
            r#"{"format":1,"pki":"zaz1"}"#,
        )
        .unwrap();
        assert_eq!(world_kind(dir.path()).unwrap(), Some(true));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// The keystore parser refuses or accepts any text without panicking, and whatever it
        /// accepts is consistent.
        #[test]
        fn keystore_parser_never_panics(text in "\\PC{0,200}") {
            if let Ok(ks) = Zaz1Keystore::from_json(&text) {
                prop_assert!(ks.credentials().is_empty());
            }
        }

        /// Mutating bytes of a real entry's certificate or key never panics, and never yields a
        /// credential whose key does not match its certificate.
        #[test]
        fn mutated_entries_never_pass_inconsistent(pos in 0usize..600, byte in any::<u8>(), in_key in any::<bool>()) {
            let mut v: serde_json::Value = serde_json::from_str(&keystore_json()).unwrap();
            let field = if in_key { "privateKey" } else { "certificate" };
            let entry = first_entry(&mut v);
            let mut s = entry[field].as_str().unwrap().as_bytes().to_vec();
            let i = pos % s.len();
            s[i] = byte;
            entry[field] = serde_json::Value::String(String::from_utf8_lossy(&s).into_owned());
            if let Ok(ks) = Zaz1Keystore::from_json(&v.to_string()) {
                for c in ks.credentials() {
                    if let Some(k) = c.key() {
                        prop_assert_eq!(k.public_key().to_sec1_uncompressed(), c.cert().public_key_sec1());
                    }
                }
            }
        }

        /// User names are always directory-safe and non-empty.
        #[test]
        fn user_names_are_directory_safe(name in "\\PC{0,40}", eui in any::<u64>()) {
            let n = user_name(&name, RemotePartyRole::Supplier, Eui64::from_u64(eui));
            prop_assert!(!n.is_empty());
            prop_assert!(n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
            prop_assert!(!n.starts_with('-') && !n.ends_with('-'));
        }
    }
}
