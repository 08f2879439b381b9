//! The DCC's data: users, their certificates, premises, registration data and the Smart Metering
//! Inventory. Plain data, shared by the DCC core (`dcc`, which re-exports it as `dcc::model`, and
//! holds the rules that use it) and the SMKI service.

pub mod registration;
pub mod smi;

use std::str::FromStr;

use duis::UserRole;
use eui::Eui64;
use serde::{Deserialize, Serialize};
use time::Date;

pub use duis::{CspRegion, DeviceStatus, DeviceType, EsmeVariant};

/// The two functions of a Communications Hub.
pub fn is_hub(t: DeviceType) -> bool {
    matches!(t, DeviceType::Chf | DeviceType::Gpf)
}

/// Which fuel a device belongs to, for registration checks.
pub fn fuel(t: DeviceType) -> Fuel {
    match t {
        DeviceType::Esme | DeviceType::Hcalcs => Fuel::Electricity,
        DeviceType::Gsme | DeviceType::Gpf => Fuel::Gas,
        DeviceType::Chf | DeviceType::Ppmid | DeviceType::Ihd | DeviceType::Cad => Fuel::Either,
    }
}

/// Which registration data a device is governed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fuel {
    Electricity,
    Gas,
    /// Hub and HAN devices serve the premises: either fuel's registered parties may address them.
    Either,
}

/// The CSP region (North, Central or South) serving a postcode, from its area letters.
///
/// The split follows the DCC's published one: North is Scotland and the North of England,
/// Central is Wales, the Midlands, East Anglia and the North-West's south, South is London and
/// the South. `None` for something that is not a GB postcode.
pub fn region_for_postcode(postcode: &str) -> Option<CspRegion> {
    let area: String = postcode
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if area.is_empty() || area.len() > 2 {
        return None;
    }
    const NORTH: &[&str] = &[
        "AB", "DD", "DG", "EH", "FK", "G", "HS", "IV", "KA", "KW", "KY", "ML", "PA", "PH", "TD",
        "ZE", "CA", "DH", "DL", "HG", "HU", "LA", "NE", "SR", "TS", "YO", "BD", "HD", "HX", "LS",
        "WF", "DN", "S", "BB", "BL", "FY", "PR", "L", "OL",
    ];
    const CENTRAL: &[&str] = &[
        "B", "CV", "DE", "DY", "LE", "LN", "NG", "NN", "ST", "TF", "WS", "WV", "WR", "HR", "SY",
        "LL", "LD", "SA", "CF", "NP", "CH", "CW", "WA", "WN", "M", "SK", "CB", "IP", "NR", "PE",
        "MK", "CO", "LU",
    ];
    const SOUTH: &[&str] = &[
        "E", "EC", "N", "NW", "SE", "SW", "W", "WC", "BR", "CR", "DA", "EN", "HA", "IG", "KT",
        "RM", "SM", "TW", "UB", "WD", "AL", "SG", "HP", "OX", "RG", "SL", "GU", "RH", "TN", "ME",
        "CT", "BN", "PO", "SO", "SP", "BH", "DT", "BA", "BS", "GL", "SN", "TA", "EX", "TQ", "PL",
        "TR", "CM", "SS", "GY", "JE", "IM",
    ];
    let a = area.as_str();
    if NORTH.contains(&a) {
        Some(CspRegion::North)
    } else if CENTRAL.contains(&a) {
        Some(CspRegion::Central)
    } else if SOUTH.contains(&a) {
        Some(CspRegion::South)
    } else {
        None
    }
}

/// A value that is not one of an enumeration's names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what}: {value:?}")]
pub struct UnknownValue {
    what: &'static str,
    value: String,
}

impl UnknownValue {
    pub fn new(what: &'static str, value: &str) -> Self {
        Self {
            what,
            value: value.chars().take(64).collect(),
        }
    }
}

/// A DCC User (a SEC Party acting in one or more User Roles under one User ID).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The User ID: the EUI-64 in the RequestID originator and in the SMKI certificate.
    pub eui: Eui64,
    pub name: String,
    pub roles: Vec<UserRole>,
    /// The user's Receive Response Service (where device responses and alerts are POSTed).
    pub response_url: Option<String>,
    /// A suspended user (SEC / SMKI PMA action) may send nothing.
    pub suspended: bool,
}

impl User {
    pub fn has_role(&self, role: UserRole) -> bool {
        self.roles.contains(&role)
    }
}

/// An SMKI organisation certificate the gateway trusts for XML signatures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgCertRecord {
    /// Serial number in decimal, as XML-DSig `X509SerialNumber` writes it.
    pub serial: String,
    /// Issuer distinguished name as text (RFC 2253 form).
    pub issuer: String,
    /// The EUI-64 in the certificate subject.
    pub subject_eui: Eui64,
    /// SMKI remote party role (the subject OU).
    pub role: u8,
    /// SEC1 uncompressed P-256 public key.
    pub public_key: Vec<u8>,
    /// The certificate, DER.
    pub der: Vec<u8>,
    pub revoked: bool,
}

/// A premises: one UPRN, an address, and the supply points it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Premises {
    pub uprn: String,
    pub postcode: String,
    pub address_identifier: String,
    pub region: CspRegion,
    pub mpan: Option<String>,
    pub mprn: Option<String>,
}

/// A Smart Metering Inventory entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: Eui64,
    pub device_type: DeviceType,
    pub status: DeviceStatus,
    pub manufacturer: String,
    pub model: String,
    pub firmware_version: Option<String>,
    pub smets_chts_version: Option<String>,
    pub esme_variant: Option<EsmeVariant>,
    /// The UPRN of the premises it is installed at (none while Pending).
    pub uprn: Option<String>,
    /// The Communications Hub Function it is reached through (itself for a CHF).
    pub chf: Option<Eui64>,
    /// The MPAN (ESME) or MPRN (GSME) the meter serves; for other devices, none.
    pub mpxn: Option<String>,
    pub date_commissioned: Option<Date>,
    /// The GBCS version its Device Model implements (DUIS `DeviceGBCSVersion`, `"4.2"`), as the
    /// Certified Products List gives it for the model and firmware; none when not known. Some
    /// services pick the GBCS use case by it (see [`Device::gbcs_version_at_least`]).
    #[serde(default)]
    pub gbcs_version: Option<String>,
}

impl Device {
    /// The GBCS version as (major, minor), when it is known and reads `major.minor`.
    pub fn gbcs_version(&self) -> Option<(u16, u16)> {
        let (major, minor) = self.gbcs_version.as_deref()?.trim().split_once('.')?;
        Some((major.parse().ok()?, minor.parse().ok()?))
    }

    /// Whether the device's model implements GBCS `major.minor` or later; `false` when its
    /// version is not known (the DCC then uses what every version implements).
    pub fn gbcs_version_at_least(&self, major: u16, minor: u16) -> bool {
        self.gbcs_version().is_some_and(|v| v >= (major, minor))
    }
}

/// Which registration a party holds for a supply point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RegistrationRole {
    ImportSupplier,
    ExportSupplier,
    GasSupplier,
    ElectricityDistributor,
    GasTransporter,
}

impl RegistrationRole {
    /// The User Role that acts under this registration.
    pub fn user_role(self) -> UserRole {
        match self {
            Self::ImportSupplier => UserRole::ImportSupplier,
            Self::ExportSupplier => UserRole::ExportSupplier,
            Self::GasSupplier => UserRole::GasSupplier,
            Self::ElectricityDistributor => UserRole::ElectricityDistributor,
            Self::GasTransporter => UserRole::GasTransporter,
        }
    }

    /// The registration a User Role needs, where it needs one.
    pub fn for_user_role(role: UserRole) -> Option<Self> {
        match role {
            UserRole::ImportSupplier => Some(Self::ImportSupplier),
            UserRole::ExportSupplier => Some(Self::ExportSupplier),
            UserRole::GasSupplier => Some(Self::GasSupplier),
            UserRole::ElectricityDistributor => Some(Self::ElectricityDistributor),
            UserRole::GasTransporter => Some(Self::GasTransporter),
            UserRole::OtherUser | UserRole::RegisteredSupplierAgent | UserRole::LoadController => {
                None
            }
        }
    }

    pub fn fuel(self) -> Fuel {
        match self {
            Self::GasSupplier | Self::GasTransporter => Fuel::Gas,
            _ => Fuel::Electricity,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ImportSupplier => "ImportSupplier",
            Self::ExportSupplier => "ExportSupplier",
            Self::GasSupplier => "GasSupplier",
            Self::ElectricityDistributor => "ElectricityDistributor",
            Self::GasTransporter => "GasTransporter",
        }
    }
}

impl FromStr for RegistrationRole {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            Self::ImportSupplier,
            Self::ExportSupplier,
            Self::GasSupplier,
            Self::ElectricityDistributor,
            Self::GasTransporter,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
        .ok_or_else(|| UnknownValue::new("registration role", s))
    }
}

/// Registration data: who is registered for a supply point, from when until when (inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub mpxn: String,
    pub role: RegistrationRole,
    pub party: Eui64,
    pub from: Date,
    pub to: Option<Date>,
}

impl Registration {
    pub fn in_force_on(&self, day: Date) -> bool {
        self.from <= day && self.to.is_none_or(|to| day <= to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcode_regions() {
        assert_eq!(region_for_postcode("EH1 1AA"), Some(CspRegion::North));
        assert_eq!(region_for_postcode("M22 0RR"), Some(CspRegion::Central));
        assert_eq!(region_for_postcode("sw1a 1aa"), Some(CspRegion::South));
        assert_eq!(region_for_postcode("1111-111"), None);
        assert_eq!(region_for_postcode("QQ1 1AA"), None);
    }

    #[test]
    fn registration_window_is_inclusive() {
        let r = Registration {
            mpxn: "1".into(),
            role: RegistrationRole::ImportSupplier,
            party: Eui64::from_u64(1),
            from: time::macros::date!(2020 - 01 - 01),
            to: Some(time::macros::date!(2020 - 12 - 31)),
        };
        assert!(r.in_force_on(time::macros::date!(2020 - 01 - 01)));
        assert!(r.in_force_on(time::macros::date!(2020 - 12 - 31)));
        assert!(!r.in_force_on(time::macros::date!(2021 - 01 - 01)));
        assert!(!r.in_force_on(time::macros::date!(2019 - 12 - 31)));
    }

    #[test]
    fn gbcs_version_reads_major_minor_and_compares() {
        let mut d = Device {
            id: Eui64::from_u64(1),
            device_type: DeviceType::Gsme,
            status: DeviceStatus::Commissioned,
            manufacturer: "AB02".into(),
            model: "020B0401".into(),
            firmware_version: None,
            smets_chts_version: None,
            esme_variant: None,
            uprn: None,
            chf: None,
            mpxn: None,
            date_commissioned: None,
            gbcs_version: None,
        };
        assert_eq!(d.gbcs_version(), None);
        assert!(!d.gbcs_version_at_least(1, 0), "unknown is not any version");
        d.gbcs_version = Some("4.2".into());
        assert_eq!(d.gbcs_version(), Some((4, 2)));
        assert!(d.gbcs_version_at_least(4, 0));
        assert!(d.gbcs_version_at_least(4, 2));
        assert!(!d.gbcs_version_at_least(4, 3));
        assert!(!d.gbcs_version_at_least(5, 0));
        d.gbcs_version = Some("3.10".into());
        assert!(!d.gbcs_version_at_least(4, 0), "numeric, not textual");
        assert!(d.gbcs_version_at_least(3, 2));
        for bad in ["", "4", "v4.0", "4.x"] {
            d.gbcs_version = Some(bad.into());
            assert_eq!(d.gbcs_version(), None, "{bad:?}");
        }
        // Stored inventories written before the field existed still load.
        let mut json = serde_json::to_value(&d).unwrap();
        json.as_object_mut().unwrap().remove("gbcs_version");
        let back: Device = serde_json::from_value(json).unwrap();
        assert_eq!(back.gbcs_version, None);
    }
}
