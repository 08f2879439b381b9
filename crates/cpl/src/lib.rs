//! The Certified Products List (SEC F2, seed 003 paragraphs 287–297) and the Deployed Products
//! List: pure data and rules, no I/O, the time passed in.
//!
//! An entry of the CPL is a **device model**: its product type, manufacturer, model and hardware
//! version ([`ModelKey`]), the assurance certificates its type needs ([`required_certificates`]:
//! ZigBee, DLMS/COSEM for the ESME, the CPA certificate, renewed every six years, for every type
//! the SMETS/CHTS require it of) and its firmware versions, each with the SHA-256 hash of the
//! firmware image followed by the firmware identifier that the manufacturer supplied
//! ([`firmware_hash`]). Who may change what is written once, in [`Cpl`]'s methods, each refusal
//! a [`CplError`]; every change returns the [`Notice`] that goes to every SEC Party.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use dcc_model::{Device, DeviceStatus, DeviceType};
use eui::Eui64;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use time::Date;

pub mod dpl;
pub mod publish;
mod serde_date;

pub use dpl::{DeployedCombination, DeployedModel, deployed_products};
pub use serde_date::parse as parse_date;

/// The product types the CPL lists (seed 003 footnote 22).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ProductType {
    #[serde(rename = "ESME")]
    Esme,
    #[serde(rename = "GSME")]
    Gsme,
    /// The Communications Hub Function.
    #[serde(rename = "CHF")]
    Chf,
    /// The Gas Proxy Function (part of the Communications Hub).
    #[serde(rename = "GPF")]
    Gpf,
    #[serde(rename = "PPMID")]
    Ppmid,
    #[serde(rename = "HCALCS")]
    Hcalcs,
    #[serde(rename = "IHD")]
    Ihd,
    /// Any other Type 1 device.
    #[serde(rename = "Type1")]
    OtherType1,
}

impl ProductType {
    pub const ALL: &'static [ProductType] = &[
        Self::Esme,
        Self::Gsme,
        Self::Chf,
        Self::Gpf,
        Self::Ppmid,
        Self::Hcalcs,
        Self::Ihd,
        Self::OtherType1,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Esme => "ESME",
            Self::Gsme => "GSME",
            Self::Chf => "CHF",
            Self::Gpf => "GPF",
            Self::Ppmid => "PPMID",
            Self::Hcalcs => "HCALCS",
            Self::Ihd => "IHD",
            Self::OtherType1 => "Type1",
        }
    }

    /// The CPL type of an inventory device type; `None` for a CAD, a Type 2 device the CPL
    /// does not list (footnote 22 names IHDs, not CADs).
    pub fn of(t: DeviceType) -> Option<Self> {
        Some(match t {
            DeviceType::Esme => Self::Esme,
            DeviceType::Gsme => Self::Gsme,
            DeviceType::Chf => Self::Chf,
            DeviceType::Gpf => Self::Gpf,
            DeviceType::Ppmid => Self::Ppmid,
            DeviceType::Hcalcs => Self::Hcalcs,
            DeviceType::Ihd => Self::Ihd,
            DeviceType::Cad => return None,
        })
    }

    /// Part of a Communications Hub: its firmware and hardware versions are the DCC's to add
    /// (seed 003 para 293); every other type's the suppliers'.
    pub fn is_communications_hub(self) -> bool {
        matches!(self, Self::Chf | Self::Gpf)
    }
}

impl fmt::Display for ProductType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProductType {
    type Err = CplError;
    fn from_str(s: &str) -> Result<Self, CplError> {
        Self::ALL
            .iter()
            .copied()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| CplError::UnknownProductType(s.to_string()))
    }
}

/// An assurance certificate's scheme (not an SMKI certificate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CertificateKind {
    ZigBee,
    #[serde(rename = "DLMS/COSEM")]
    DlmsCosem,
    /// CESG Commercial Product Assurance.
    #[serde(rename = "CPA")]
    Cpa,
}

impl CertificateKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ZigBee => "ZigBee",
            Self::DlmsCosem => "DLMS/COSEM",
            Self::Cpa => "CPA",
        }
    }
}

impl fmt::Display for CertificateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CertificateKind {
    type Err = CplError;
    fn from_str(s: &str) -> Result<Self, CplError> {
        match s.to_ascii_lowercase().as_str() {
            "zigbee" => Ok(Self::ZigBee),
            "dlms" | "dlms/cosem" | "dlms-cosem" => Ok(Self::DlmsCosem),
            "cpa" => Ok(Self::Cpa),
            _ => Err(CplError::UnknownCertificateKind(s.to_string())),
        }
    }
}

/// The assurance certificates a product type needs to be listed: ZigBee for every HAN device,
/// DLMS/COSEM for the ESME (the one type GBCS speaks DLMS to), CPA for every type the SMETS and
/// CHTS require it of (all but the IHD).
pub fn required_certificates(t: ProductType) -> &'static [CertificateKind] {
    use CertificateKind::*;
    match t {
        ProductType::Esme => &[ZigBee, DlmsCosem, Cpa],
        ProductType::Ihd => &[ZigBee],
        _ => &[ZigBee, Cpa],
    }
}

/// The CPA scheme's certificates last six years (seed 003 para 291).
pub const CPA_VALIDITY_YEARS: i32 = 6;

/// An assurance certificate of a device model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub kind: CertificateKind,
    /// The certificate's reference as its scheme issued it.
    pub reference: String,
    #[serde(with = "serde_date")]
    pub issued: Date,
    #[serde(with = "serde_date")]
    pub expires: Date,
}

impl Certificate {
    pub fn valid_on(&self, day: Date) -> bool {
        self.issued <= day && day < self.expires
    }
}

/// What identifies a CPL entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ModelKey {
    pub product_type: ProductType,
    pub manufacturer: String,
    pub model: String,
    pub hardware_version: String,
}

impl ModelKey {
    /// `TYPE/manufacturer/model/hardware`, the key's text form (the store's key, the CLI's).
    pub fn id(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.product_type, self.manufacturer, self.model, self.hardware_version
        )
    }

    /// Parses [`ModelKey::id`]'s form.
    pub fn parse(s: &str) -> Result<Self, CplError> {
        let parts: Vec<&str> = s.split('/').collect();
        let [t, manufacturer, model, hardware] = parts[..] else {
            return Err(CplError::BadKey(s.to_string()));
        };
        let key = Self {
            product_type: t.parse()?,
            manufacturer: manufacturer.to_string(),
            model: model.to_string(),
            hardware_version: hardware.to_string(),
        };
        key.check()?;
        Ok(key)
    }

    fn check(&self) -> Result<(), CplError> {
        for (what, v) in [
            ("manufacturer", &self.manufacturer),
            ("model", &self.model),
            ("hardware version", &self.hardware_version),
        ] {
            if v.trim().is_empty() || v.contains('/') || v.chars().count() > 30 {
                return Err(CplError::BadField {
                    field: what,
                    value: v.clone(),
                });
            }
        }
        Ok(())
    }
}

impl fmt::Display for ModelKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id())
    }
}

/// A firmware version of a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirmwareVersion {
    /// The firmware identifier / version (DUIS `FirmwareVersion`, 1 to 8 characters).
    pub version: String,
    /// SHA-256 over the firmware image followed by the firmware identifier, as the
    /// manufacturer supplied it.
    #[serde(with = "serde_date::hash_hex")]
    pub hash: [u8; 32],
    /// Who added it.
    pub added_by: Party,
    /// Unix seconds.
    pub added_at: i64,
    /// The reference of the model's original CPA certificate under which it was added, for a
    /// version added after the model was listed (seed 003 para 294).
    pub cites_cpa: Option<String>,
}

/// CPL status of an entry (DUIS `CPLStatus`'s values).
pub use duis::ProductListStatus as Status;

/// An entry of the CPL: one device model and hardware version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceModel {
    pub key: ModelKey,
    pub certificates: Vec<Certificate>,
    pub firmware: Vec<FirmwareVersion>,
    pub status: Status,
    pub added_by: Party,
    /// Unix seconds.
    pub added_at: i64,
    /// For a hardware version added to a listed model: the original CPA certificate's reference.
    pub cites_cpa: Option<String>,
    /// Why the status is what it is (the supplier's notice, the expiry).
    pub status_reason: Option<String>,
}

impl DeviceModel {
    pub fn certificate(&self, kind: CertificateKind) -> Option<&Certificate> {
        self.certificates.iter().find(|c| c.kind == kind)
    }

    /// The CPA certificate's expiry, if the type needs one.
    pub fn cpa_expires(&self) -> Option<Date> {
        self.certificate(CertificateKind::Cpa).map(|c| c.expires)
    }

    pub fn firmware_version(&self, version: &str) -> Option<&FirmwareVersion> {
        self.firmware.iter().find(|f| f.version == version)
    }

    pub fn is_active(&self) -> bool {
        self.status == Status::Active
    }
}

/// Who makes a change.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Party {
    /// The DCC itself.
    Dcc,
    /// A supplier (import, export or gas), by name or User ID.
    Supplier(String),
    /// Any other SEC Party.
    Other(String),
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Dcc => f.write_str("DCC"),
            Self::Supplier(s) => write!(f, "{s} (supplier)"),
            Self::Other(s) => f.write_str(s),
        }
    }
}

/// What a change was, as notified to every SEC Party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Unix seconds.
    pub at: i64,
    pub by: Party,
    pub model: ModelKey,
    pub change: String,
}

/// A refusal: nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CplError {
    #[error("unknown product type {0:?} (one of ESME, GSME, CHF, GPF, PPMID, HCALCS, IHD, Type1)")]
    UnknownProductType(String),
    #[error("unknown certificate kind {0:?} (one of zigbee, dlms, cpa)")]
    UnknownCertificateKind(String),
    #[error("a model is TYPE/MANUFACTURER/MODEL/HARDWARE, not {0:?}")]
    BadKey(String),
    #[error("invalid {field} {value:?}: 1 to 30 characters, no '/'")]
    BadField { field: &'static str, value: String },
    #[error("invalid firmware version {0:?}: 1 to 8 characters")]
    BadFirmwareVersion(String),
    #[error("{0} is already on the CPL")]
    AlreadyListed(ModelKey),
    #[error("{0} is not on the CPL")]
    NotListed(ModelKey),
    #[error("{model} is {status} on the CPL")]
    NotActive { model: ModelKey, status: Status },
    #[error("a {product_type} needs a {kind} certificate")]
    MissingCertificate {
        product_type: ProductType,
        kind: CertificateKind,
    },
    #[error("a {product_type} takes no {kind} certificate")]
    UnexpectedCertificate {
        product_type: ProductType,
        kind: CertificateKind,
    },
    #[error("two {0} certificates given")]
    DuplicateCertificate(CertificateKind),
    #[error(
        "the {kind} certificate {reference} is not valid on {day} (issued {issued}, expires {expires})"
    )]
    CertificateNotValid {
        kind: CertificateKind,
        reference: String,
        day: Date,
        issued: Date,
        expires: Date,
    },
    #[error(
        "a CPA certificate lasts at most {CPA_VALIDITY_YEARS} years: {reference} runs from {issued} to {expires}"
    )]
    CpaTooLong {
        reference: String,
        issued: Date,
        expires: Date,
    },
    #[error("firmware version {version} of {model} is already on the CPL")]
    FirmwareListed { model: ModelKey, version: String },
    #[error("firmware version {version} of {model} is not on the CPL")]
    FirmwareNotListed { model: ModelKey, version: String },
    #[error(
        "only the DCC adds firmware or hardware versions of a Communications Hub model ({model}); {party} may not"
    )]
    HubVersionsAreTheDccs { model: ModelKey, party: Party },
    #[error(
        "only a supplier adds firmware or hardware versions of a {product_type} model ({model}); {party} may not"
    )]
    VersionsAreSuppliers {
        model: ModelKey,
        product_type: ProductType,
        party: Party,
    },
    #[error(
        "only a supplier (or the DCC, for a Communications Hub) notifies a change of certification status; {party} may not"
    )]
    StatusChangeNotAllowed { party: Party },
    #[error("the renewal must be a CPA certificate, not {0}")]
    RenewalNotCpa(CertificateKind),
    #[error("no certification change to make: {0}")]
    NoChange(String),
    #[error("the firmware hash must be 64 hex digits (SHA-256), not {0:?}")]
    BadHash(String),
}

/// `SHA-256(image || firmware_id)`: the hash the manufacturer supplies and the DCC recomputes
/// before it builds an Update Firmware command (seed 003 paras 288, 297).
pub fn firmware_hash(image: &[u8], firmware_id: &[u8]) -> [u8; 32] {
    let mut h = sha2::Sha256::new();
    h.update(image);
    h.update(firmware_id);
    <[u8; 32]>::from(h.finalize())
}

/// Parses a hash given as 64 hex digits.
pub fn parse_hash(s: &str) -> Result<[u8; 32], CplError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s.trim(), &mut out).map_err(|_| CplError::BadHash(s.to_string()))?;
    Ok(out)
}

fn check_firmware_version(v: &str) -> Result<(), CplError> {
    let n = v.chars().count();
    if n == 0 || n > 8 || v.trim() != v {
        return Err(CplError::BadFirmwareVersion(v.to_string()));
    }
    Ok(())
}

/// A model proposed for the CPL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewModel {
    pub key: ModelKey,
    pub certificates: Vec<Certificate>,
    /// Firmware versions and their manufacturer hashes.
    pub firmware: Vec<(String, [u8; 32])>,
}

/// A supplier's notice of a change in a listed model's certification status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusChange {
    /// A new CPA certificate (the six-yearly recertification): the model is Active again.
    Renewed(Certificate),
    /// The certification was withdrawn: the model leaves the CPL.
    Withdrawn { reason: String },
}

/// The Certified Products List.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cpl {
    models: BTreeMap<ModelKey, DeviceModel>,
}

fn day_of(now: i64) -> Date {
    time::OffsetDateTime::from_unix_timestamp(now)
        .map(|t| t.date())
        .unwrap_or(Date::MIN)
}

impl Cpl {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn from_models(models: impl IntoIterator<Item = DeviceModel>) -> Self {
        Self {
            models: models.into_iter().map(|m| (m.key.clone(), m)).collect(),
        }
    }

    /// Every entry, in key order.
    pub fn models(&self) -> impl Iterator<Item = &DeviceModel> {
        self.models.values()
    }

    pub fn get(&self, key: &ModelKey) -> Option<&DeviceModel> {
        self.models.get(key)
    }

    fn active(&self, key: &ModelKey) -> Result<&DeviceModel, CplError> {
        let m = self
            .models
            .get(key)
            .ok_or_else(|| CplError::NotListed(key.clone()))?;
        if !m.is_active() {
            return Err(CplError::NotActive {
                model: key.clone(),
                status: m.status,
            });
        }
        Ok(m)
    }

    /// Checks a type's certificates: exactly those it needs, each valid on `day`, a CPA
    /// certificate no longer than six years.
    pub fn check_certificates(
        t: ProductType,
        certificates: &[Certificate],
        day: Date,
    ) -> Result<(), CplError> {
        let needed = required_certificates(t);
        for (i, c) in certificates.iter().enumerate() {
            if !needed.contains(&c.kind) {
                return Err(CplError::UnexpectedCertificate {
                    product_type: t,
                    kind: c.kind,
                });
            }
            if certificates[..i].iter().any(|o| o.kind == c.kind) {
                return Err(CplError::DuplicateCertificate(c.kind));
            }
        }
        for &kind in needed {
            let c = certificates.iter().find(|c| c.kind == kind).ok_or(
                CplError::MissingCertificate {
                    product_type: t,
                    kind,
                },
            )?;
            check_certificate(c, day)?;
        }
        Ok(())
    }

    /// Any SEC Party adds a model whose certificates are complete for its type and valid
    /// (seed 003 para 288), with the firmware hashes the manufacturer supplied.
    pub fn add_model(&mut self, by: &Party, new: NewModel, now: i64) -> Result<Notice, CplError> {
        new.key.check()?;
        if self.models.contains_key(&new.key) {
            return Err(CplError::AlreadyListed(new.key));
        }
        Self::check_certificates(new.key.product_type, &new.certificates, day_of(now))?;
        let firmware = firmware_list(&new.key, &new.firmware, by, now, None)?;
        let change = format!(
            "model added with firmware {}",
            list(new.firmware.iter().map(|f| f.0.as_str()))
        );
        let key = new.key.clone();
        self.models.insert(
            key.clone(),
            DeviceModel {
                key: new.key,
                certificates: new.certificates,
                firmware,
                status: Status::Active,
                added_by: by.clone(),
                added_at: now,
                cites_cpa: None,
                status_reason: None,
            },
        );
        Ok(notice(now, by, key, change))
    }

    /// Who may add a firmware or hardware version of a listed model: the DCC for a
    /// Communications Hub, a supplier for anything else (seed 003 para 293).
    pub fn may_add_versions(by: &Party, key: &ModelKey) -> Result<(), CplError> {
        let hub = key.product_type.is_communications_hub();
        match (hub, by) {
            (true, Party::Dcc) | (false, Party::Supplier(_)) => Ok(()),
            (true, _) => Err(CplError::HubVersionsAreTheDccs {
                model: key.clone(),
                party: by.clone(),
            }),
            (false, _) => Err(CplError::VersionsAreSuppliers {
                model: key.clone(),
                product_type: key.product_type,
                party: by.clone(),
            }),
        }
    }

    /// Adds a firmware version to an Active listed model, under its original CPA certificate.
    pub fn add_firmware(
        &mut self,
        by: &Party,
        key: &ModelKey,
        version: &str,
        hash: [u8; 32],
        now: i64,
    ) -> Result<Notice, CplError> {
        Self::may_add_versions(by, key)?;
        let m = self.active(key)?;
        let cites = original_cpa(m);
        let mut f = firmware_list(key, &[(version.to_string(), hash)], by, now, cites)?;
        if m.firmware_version(version).is_some() {
            return Err(CplError::FirmwareListed {
                model: key.clone(),
                version: version.to_string(),
            });
        }
        let change = format!("firmware version {version} added");
        if let Some(m) = self.models.get_mut(key) {
            m.firmware.append(&mut f);
        }
        Ok(notice(now, by, key.clone(), change))
    }

    /// Adds a hardware version of an Active listed model: a new entry with the model's
    /// certificates, citing its original CPA certificate.
    pub fn add_hardware_version(
        &mut self,
        by: &Party,
        of: &ModelKey,
        hardware_version: &str,
        firmware: &[(String, [u8; 32])],
        now: i64,
    ) -> Result<Notice, CplError> {
        Self::may_add_versions(by, of)?;
        let m = self.active(of)?;
        let key = ModelKey {
            hardware_version: hardware_version.to_string(),
            ..of.clone()
        };
        key.check()?;
        if self.models.contains_key(&key) {
            return Err(CplError::AlreadyListed(key));
        }
        let cites = original_cpa(m);
        let firmware = firmware_list(&key, firmware, by, now, cites.clone())?;
        let entry = DeviceModel {
            key: key.clone(),
            certificates: m.certificates.clone(),
            firmware,
            status: Status::Active,
            added_by: by.clone(),
            added_at: now,
            cites_cpa: cites,
            status_reason: None,
        };
        self.models.insert(key.clone(), entry);
        Ok(notice(
            now,
            by,
            key,
            format!("hardware version {hardware_version} of {of} added"),
        ))
    }

    /// A supplier's notice of a change in certification status (seed 003 para 287); the DCC's
    /// for a Communications Hub. A renewal replaces the CPA certificate and makes the entry
    /// Active again; a withdrawal takes it off the CPL.
    pub fn change_status(
        &mut self,
        by: &Party,
        key: &ModelKey,
        change: StatusChange,
        now: i64,
    ) -> Result<Notice, CplError> {
        let allowed = match by {
            Party::Supplier(_) => true,
            Party::Dcc => key.product_type.is_communications_hub(),
            Party::Other(_) => false,
        };
        if !allowed {
            return Err(CplError::StatusChangeNotAllowed { party: by.clone() });
        }
        let m = self
            .models
            .get(key)
            .ok_or_else(|| CplError::NotListed(key.clone()))?;
        let (status, reason, certificates) = match change {
            StatusChange::Renewed(c) => {
                if c.kind != CertificateKind::Cpa {
                    return Err(CplError::RenewalNotCpa(c.kind));
                }
                if !required_certificates(key.product_type).contains(&CertificateKind::Cpa) {
                    return Err(CplError::UnexpectedCertificate {
                        product_type: key.product_type,
                        kind: c.kind,
                    });
                }
                check_certificate(&c, day_of(now))?;
                let reason = format!(
                    "CPA certificate {} renewed until {}",
                    c.reference, c.expires
                );
                let mut certs: Vec<Certificate> = m
                    .certificates
                    .iter()
                    .filter(|o| o.kind != CertificateKind::Cpa)
                    .cloned()
                    .collect();
                certs.push(c);
                (Status::Active, reason, certs)
            }
            StatusChange::Withdrawn { reason } => {
                if m.status == Status::Withdrawn {
                    return Err(CplError::NoChange(format!("{key} is already withdrawn")));
                }
                (
                    Status::Withdrawn,
                    format!("certification withdrawn: {reason}"),
                    m.certificates.clone(),
                )
            }
        };
        if let Some(m) = self.models.get_mut(key) {
            m.status = status;
            m.certificates = certificates;
            m.status_reason = Some(reason.clone());
        }
        Ok(notice(now, by, key.clone(), reason))
    }

    /// The Active entries whose CPA certificate has expired at `now`.
    pub fn expired_at(&self, now: i64) -> Vec<&DeviceModel> {
        let day = day_of(now);
        self.models
            .values()
            .filter(|m| m.is_active() && m.cpa_expires().is_some_and(|e| e <= day))
            .collect()
    }

    /// Takes the entries [`Cpl::expired_at`] lists off the CPL (status Expired), the DCC's
    /// act; one notice per entry.
    pub fn expire(&mut self, now: i64) -> Vec<Notice> {
        let keys: Vec<ModelKey> = self
            .expired_at(now)
            .into_iter()
            .map(|m| m.key.clone())
            .collect();
        let mut out = Vec::new();
        for key in keys {
            if let Some(m) = self.models.get_mut(&key) {
                let reason = format!(
                    "CPA certificate expired on {}",
                    m.cpa_expires().map(|d| d.to_string()).unwrap_or_default()
                );
                m.status = Status::Expired;
                m.status_reason = Some(reason.clone());
                out.push(notice(now, &Party::Dcc, key, reason));
            }
        }
        out
    }

    /// The Active entry a device of this type, manufacturer, model and (when given) firmware
    /// version is listed under; DUIS pre-notification names no hardware version, so any
    /// hardware version of the model will do.
    pub fn listing(
        &self,
        t: DeviceType,
        manufacturer: &str,
        model: &str,
        firmware: Option<&str>,
    ) -> Result<&DeviceModel, CplError> {
        let key_for = |pt| ModelKey {
            product_type: pt,
            manufacturer: manufacturer.to_string(),
            model: model.to_string(),
            hardware_version: "*".to_string(),
        };
        let Some(pt) = ProductType::of(t) else {
            return Err(CplError::NotListed(key_for(ProductType::OtherType1)));
        };
        let candidates: Vec<&DeviceModel> = self
            .models
            .values()
            .filter(|m| {
                m.key.product_type == pt
                    && m.key.manufacturer == manufacturer
                    && m.key.model == model
            })
            .collect();
        let Some(first) = candidates.first() else {
            return Err(CplError::NotListed(key_for(pt)));
        };
        let active: Vec<&&DeviceModel> = candidates.iter().filter(|m| m.is_active()).collect();
        let Some(any_active) = active.first() else {
            return Err(CplError::NotActive {
                model: first.key.clone(),
                status: first.status,
            });
        };
        match firmware {
            None => Ok(any_active),
            Some(v) => active
                .iter()
                .find(|m| m.firmware_version(v).is_some())
                .map(|m| **m)
                .ok_or_else(|| CplError::FirmwareNotListed {
                    model: any_active.key.clone(),
                    version: v.to_string(),
                }),
        }
    }

    /// What 8.2 Read Inventory reports of a device: the CPL status of its model (`CPLStatus`:
    /// Active when an Active entry lists it, else the status of the entry that does) and of its
    /// firmware version (`FirmwareVersionStatus`: Active when an Active entry lists that version,
    /// else the model's status when the model is not Active); `None` where the CPL does not list
    /// the model, or the version.
    pub fn statuses(&self, d: &Device) -> (Option<Status>, Option<Status>) {
        let model = match self.listing(d.device_type, &d.manufacturer, &d.model, None) {
            Ok(_) => Some(Status::Active),
            Err(CplError::NotActive { status, .. }) => Some(status),
            Err(_) => None,
        };
        let firmware = d.firmware_version.as_ref().and_then(|_| match model {
            Some(Status::Active) => self.device_listed(d).ok().map(|_| Status::Active),
            other => other,
        });
        (model, firmware)
    }

    /// Whether a device is on the CPL (its type, manufacturer, model and firmware version).
    pub fn device_listed(&self, d: &Device) -> Result<&DeviceModel, CplError> {
        self.listing(
            d.device_type,
            &d.manufacturer,
            &d.model,
            d.firmware_version.as_deref(),
        )
    }

    /// The check the DCC makes before building an Update Firmware command (seed 003 para
    /// 297): SHA-256 over the image and the identifier equals the CPL's hash for that firmware
    /// version of the model. `Ok(false)`: listed, but the hashes differ.
    pub fn firmware_hash_matches(
        &self,
        model: &ModelKey,
        version: &str,
        image: &[u8],
        firmware_id: &[u8],
    ) -> Result<bool, CplError> {
        let m = self.active(model)?;
        let f = m
            .firmware_version(version)
            .ok_or_else(|| CplError::FirmwareNotListed {
                model: model.clone(),
                version: version.to_string(),
            })?;
        Ok(f.hash == firmware_hash(image, firmware_id))
    }

    /// The devices of the entries listed in `models` (keys), by type, manufacturer and model
    /// and hardware-agnostic (the inventory holds no hardware version).
    pub fn devices_of<'d>(keys: &[ModelKey], devices: &'d [Device]) -> Vec<&'d Device> {
        devices
            .iter()
            .filter(|d| {
                ProductType::of(d.device_type).is_some_and(|pt| {
                    keys.iter().any(|k| {
                        k.product_type == pt
                            && k.manufacturer == d.manufacturer
                            && k.model == d.model
                    })
                })
            })
            .collect()
    }
}

/// The devices the DCC suspends when a model leaves the CPL: the model's devices and their
/// dependants (every device reached through a CHF that is suspended, and the GSMEs behind a
/// suspended GPF's hub), skipping those already Suspended, Decommissioned or Withdrawn.
pub fn devices_to_suspend<'d>(keys: &[ModelKey], devices: &'d [Device]) -> Vec<&'d Device> {
    let direct = Cpl::devices_of(keys, devices);
    let hubs: Vec<Eui64> = direct
        .iter()
        .filter(|d| matches!(d.device_type, DeviceType::Chf | DeviceType::Gpf))
        .filter_map(|d| d.chf.or(Some(d.id)))
        .collect();
    devices
        .iter()
        .filter(|d| direct.iter().any(|x| x.id == d.id) || d.chf.is_some_and(|c| hubs.contains(&c)))
        .filter(|d| {
            !matches!(
                d.status,
                DeviceStatus::Suspended | DeviceStatus::Decommissioned | DeviceStatus::Withdrawn
            )
        })
        .collect()
}

fn original_cpa(m: &DeviceModel) -> Option<String> {
    m.cites_cpa.clone().or_else(|| {
        m.certificate(CertificateKind::Cpa)
            .map(|c| c.reference.clone())
    })
}

fn check_certificate(c: &Certificate, day: Date) -> Result<(), CplError> {
    if c.reference.trim().is_empty() {
        return Err(CplError::BadField {
            field: "certificate reference",
            value: c.reference.clone(),
        });
    }
    if !c.valid_on(day) {
        return Err(CplError::CertificateNotValid {
            kind: c.kind,
            reference: c.reference.clone(),
            day,
            issued: c.issued,
            expires: c.expires,
        });
    }
    if c.kind == CertificateKind::Cpa {
        let limit = c
            .issued
            .replace_year(c.issued.year() + CPA_VALIDITY_YEARS)
            .or_else(|_| {
                // 29 February: six years on is 28 February or 1 March; allow to 1 March.
                c.issued
                    .next_day()
                    .unwrap_or(c.issued)
                    .replace_year(c.issued.year() + CPA_VALIDITY_YEARS)
            })
            .unwrap_or(Date::MAX);
        if c.expires > limit {
            return Err(CplError::CpaTooLong {
                reference: c.reference.clone(),
                issued: c.issued,
                expires: c.expires,
            });
        }
    }
    Ok(())
}

fn firmware_list(
    key: &ModelKey,
    given: &[(String, [u8; 32])],
    by: &Party,
    now: i64,
    cites: Option<String>,
) -> Result<Vec<FirmwareVersion>, CplError> {
    let mut out: Vec<FirmwareVersion> = Vec::new();
    for (version, hash) in given {
        check_firmware_version(version)?;
        if out.iter().any(|f| &f.version == version) {
            return Err(CplError::FirmwareListed {
                model: key.clone(),
                version: version.clone(),
            });
        }
        out.push(FirmwareVersion {
            version: version.clone(),
            hash: *hash,
            added_by: by.clone(),
            added_at: now,
            cites_cpa: cites.clone(),
        });
    }
    Ok(out)
}

fn notice(at: i64, by: &Party, model: ModelKey, change: String) -> Notice {
    Notice {
        at,
        by: by.clone(),
        model,
        change,
    }
}

fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = items.collect();
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;
