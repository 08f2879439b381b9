//! Typed request bodies: for the requests the DCC answers itself (8.2 Read Inventory, 8.4 Update
//! Inventory, 12.1 Request WAN Matrix, 12.2 Device Pre-notification), for the device requests it
//! transforms (8.1.1 Commission Device, 8.11 Update HAN Device Log, and the bodies with no
//! parameters or only an `ExecutionDateTime`), and for signed pre-commands (CV 5, 6, 7).
//!
//! Each parser takes the body [`Element`] of a parsed [`crate::Request`] and checks the XSD
//! content model (element order, presence, enumerations, length facets) itself.

use base64::Engine as _;
use eui::Eui64;

use crate::datetime::is_xs_datetime;
use crate::error::clip;
use crate::types::{
    AddressFilter, DeviceStatus, DeviceType, EsmeVariant, InvalidValue, Uprn, check_len, facet,
};
use crate::xml::{Element, is_xml_space};

// DCC schedules (5.1, 5.2, 5.3) and the bodies of their runs.
pub mod schedules;
// Supplier settings (3.x).
pub mod supplier_settings;
// 6.22 Configure Alert Behaviour.
pub mod alert_behaviour;
// Prepayment (2.x).
pub mod prepayment;
pub use prepayment::UpdateDebt;
pub use supplier_settings::{DisplayMessage, RestrictAccessForChangeOfTenancy, UpdateSupplierName};

/// Why a body element does not fit its typed model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// The body element is not the expected one.
    #[error("expected body element {expected}, found {found}")]
    WrongElement {
        /// Expected local name.
        expected: &'static str,
        /// Found local name.
        found: String,
    },
    /// A required child is missing.
    #[error("missing {name} in {parent}")]
    Missing {
        /// Parent local name.
        parent: &'static str,
        /// Expected child.
        name: &'static str,
    },
    /// A child the content model does not allow at this point.
    #[error("unexpected {found} in {parent}")]
    Unexpected {
        /// Parent local name.
        parent: &'static str,
        /// The child found.
        found: String,
    },
    /// A value outside its type.
    #[error(transparent)]
    Invalid(#[from] InvalidValue),
}

/// Reads a sequence of children in order.
struct Seq<'a> {
    parent: &'static str,
    children: &'a [Element],
    pos: usize,
}

impl<'a> Seq<'a> {
    fn new(e: &'a Element, parent: &'static str) -> Self {
        Self {
            parent,
            children: &e.children,
            pos: 0,
        }
    }

    fn peek(&self) -> Option<&'a Element> {
        self.children.get(self.pos)
    }

    fn optional(&mut self, name: &str) -> Option<&'a Element> {
        let e = self.peek().filter(|e| e.name == name)?;
        self.pos += 1;
        Some(e)
    }

    fn required(&mut self, name: &'static str) -> Result<&'a Element, BodyError> {
        match self.peek() {
            Some(e) if e.name == name => {
                self.pos += 1;
                Ok(e)
            }
            Some(e) => Err(BodyError::Unexpected {
                parent: self.parent,
                found: clip(&e.name),
            }),
            None => Err(BodyError::Missing {
                parent: self.parent,
                name,
            }),
        }
    }

    /// The single child of a choice.
    fn choice(&mut self) -> Result<&'a Element, BodyError> {
        let e = self.peek().ok_or(BodyError::Missing {
            parent: self.parent,
            name: "(choice)",
        })?;
        self.pos += 1;
        Ok(e)
    }

    fn unexpected(&self, e: &Element) -> BodyError {
        BodyError::Unexpected {
            parent: self.parent,
            found: clip(&e.name),
        }
    }

    fn finish(self) -> Result<(), BodyError> {
        match self.peek() {
            Some(e) => Err(self.unexpected(e)),
            None => Ok(()),
        }
    }
}

fn expect(e: &Element, name: &'static str) -> Result<(), BodyError> {
    if e.name == name {
        Ok(())
    } else {
        Err(BodyError::WrongElement {
            expected: name,
            found: clip(&e.name),
        })
    }
}

/// Text of a simple-typed element (no children allowed).
fn simple<'a>(e: &'a Element, parent: &'static str) -> Result<&'a str, BodyError> {
    match e.children.first() {
        Some(c) => Err(BodyError::Unexpected {
            parent,
            found: clip(&c.name),
        }),
        None => Ok(&e.text),
    }
}

/// An `sr:EUI` (xs:token with the dashed pattern).
fn eui(e: &Element, kind: &'static str) -> Result<Eui64, BodyError> {
    let t = simple(e, kind)?.trim_matches(is_xml_space);
    if t.len() != 23 {
        return Err(InvalidValue::new(kind, t).into());
    }
    t.parse().map_err(|_| InvalidValue::new(kind, t).into())
}

/// An xs:string with a length facet, kept exactly as written.
fn string(e: &Element, f: (&'static str, usize, usize)) -> Result<String, BodyError> {
    let t = simple(e, f.0)?;
    check_len(t, f)?;
    Ok(t.to_owned())
}

fn parse_enum<T: std::str::FromStr<Err = InvalidValue>>(
    e: &Element,
    kind: &'static str,
) -> Result<T, BodyError> {
    Ok(simple(e, kind)?.parse()?)
}

fn address(e: &Element, parent: &'static str) -> Result<AddressFilter, BodyError> {
    let mut s = Seq::new(e, parent);
    let post_code = string(s.required("PostCode")?, facet::POST_CODE)?;
    let address_identifier = string(s.required("AddressIdentifier")?, facet::ADDRESS_IDENTIFIER)?;
    s.finish()?;
    Ok(AddressFilter {
        post_code,
        address_identifier,
    })
}

fn uprn(e: &Element) -> Result<Uprn, BodyError> {
    Ok(simple(e, "UPRN")?.parse()?)
}

/// 8.2 Read Inventory: the one search criterion (`sr:ReadInventory` choice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadInventory {
    /// All devices at a property.
    Uprn(Uprn),
    /// One device (and the devices associated with it).
    DeviceId(Eui64),
    /// Devices serving an MPAN / MPRN (1 to 13 characters).
    Mpxn(String),
    /// By postcode and address identifier.
    PropertyFilter(AddressFilter),
}

impl ReadInventory {
    /// Parses a `ReadInventory` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        expect(body, "ReadInventory")?;
        let mut s = Seq::new(body, "ReadInventory");
        let c = s.choice()?;
        let q = match c.name.as_str() {
            "UPRN" => Self::Uprn(uprn(c)?),
            "DeviceID" => Self::DeviceId(eui(c, "DeviceID")?),
            "MPxN" => Self::Mpxn(string(c, facet::IMPORT_MPXN)?),
            "PropertyFilter" => Self::PropertyFilter(address(c, "PropertyFilter")?),
            _ => return Err(s.unexpected(c)),
        };
        s.finish()?;
        Ok(q)
    }
}

/// `sr:UpdateDeviceDetails` in 8.4 (every field optional, in this order).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceDetailsUpdate {
    /// `DeviceManufacturer` (≤ 30 characters).
    pub manufacturer: Option<String>,
    /// `DeviceModel` (≤ 30 characters).
    pub model: Option<String>,
    /// `SMETSCHTSVersion` (1 to 20 characters).
    pub smets_chts_version: Option<String>,
    /// `FirmwareVersion` (1 to 8 characters).
    pub firmware_version: Option<String>,
    /// `ESMEVariant`.
    pub esme_variant: Option<EsmeVariant>,
}

/// `sr:UpdateMPxN` in 8.4.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MpxnUpdate {
    /// `ImportMPxN` (1 to 13 characters).
    Import(String),
    /// `SecondaryImportMPAN` (13 characters).
    SecondaryImport(String),
    /// `ExportMPAN` (13 characters).
    Export(String),
}

/// The change an 8.4 Update Inventory asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InventoryUpdate {
    /// `UpdateDeviceStatusExceptCH`: `Pending` or `InstalledNotCommissioned`.
    DeviceStatus(DeviceStatus),
    /// `UpdateDeviceStatusCH`: `Commissioned`, `Withdrawn` or `InstalledNotCommissioned`.
    CommsHubStatus(DeviceStatus),
    /// `UpdateDeviceDetails`.
    DeviceDetails(DeviceDetailsUpdate),
    /// `DeleteDevice`.
    DeleteDevice,
    /// `UpdateMPxN`.
    Mpxn(MpxnUpdate),
}

/// 8.4 Update Inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateInventory {
    /// The device to update.
    pub device_id: Eui64,
    /// What to change.
    pub update: InventoryUpdate,
}

fn status_in(
    e: &Element,
    kind: &'static str,
    allowed: &[DeviceStatus],
) -> Result<DeviceStatus, BodyError> {
    let t = simple(e, kind)?;
    match t.parse::<DeviceStatus>() {
        Ok(s) if allowed.contains(&s) => Ok(s),
        _ => Err(InvalidValue::new(kind, t).into()),
    }
}

impl UpdateInventory {
    /// Parses an `UpdateInventory` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        expect(body, "UpdateInventory")?;
        let mut s = Seq::new(body, "UpdateInventory");
        let device_id = eui(s.required("DeviceID")?, "DeviceID")?;
        let c = s.choice()?;
        let update = match c.name.as_str() {
            "UpdateDeviceStatusExceptCH" => InventoryUpdate::DeviceStatus(status_in(
                c,
                "UpdateDeviceStatusExceptCH",
                &[
                    DeviceStatus::Pending,
                    DeviceStatus::InstalledNotCommissioned,
                ],
            )?),
            "UpdateDeviceStatusCH" => InventoryUpdate::CommsHubStatus(status_in(
                c,
                "UpdateDeviceStatusCH",
                &[
                    DeviceStatus::Commissioned,
                    DeviceStatus::Withdrawn,
                    DeviceStatus::InstalledNotCommissioned,
                ],
            )?),
            "UpdateDeviceDetails" => {
                let mut d = Seq::new(c, "UpdateDeviceDetails");
                let details = DeviceDetailsUpdate {
                    manufacturer: d
                        .optional("DeviceManufacturer")
                        .map(|e| string(e, facet::DEVICE_MANUFACTURER))
                        .transpose()?,
                    model: d
                        .optional("DeviceModel")
                        .map(|e| string(e, facet::DEVICE_MODEL))
                        .transpose()?,
                    smets_chts_version: d
                        .optional("SMETSCHTSVersion")
                        .map(|e| string(e, facet::SMETS_CHTS_VERSION))
                        .transpose()?,
                    firmware_version: d
                        .optional("FirmwareVersion")
                        .map(|e| string(e, facet::FIRMWARE_VERSION))
                        .transpose()?,
                    esme_variant: d
                        .optional("ESMEVariant")
                        .map(|e| parse_enum(e, "ESMEVariant"))
                        .transpose()?,
                };
                d.finish()?;
                InventoryUpdate::DeviceDetails(details)
            }
            "DeleteDevice" => {
                if let Some(x) = c.children.first() {
                    return Err(BodyError::Unexpected {
                        parent: "DeleteDevice",
                        found: clip(&x.name),
                    });
                }
                if !c.trimmed_text().is_empty() {
                    return Err(InvalidValue::new("DeleteDevice", &c.text).into());
                }
                InventoryUpdate::DeleteDevice
            }
            "UpdateMPxN" => {
                let mut m = Seq::new(c, "UpdateMPxN");
                let e = m.choice()?;
                let u = match e.name.as_str() {
                    "ImportMPxN" => MpxnUpdate::Import(string(e, facet::IMPORT_MPXN)?),
                    "SecondaryImportMPAN" => MpxnUpdate::SecondaryImport(string(e, facet::MPAN)?),
                    "ExportMPAN" => MpxnUpdate::Export(string(e, facet::MPAN)?),
                    _ => return Err(m.unexpected(e)),
                };
                m.finish()?;
                InventoryUpdate::Mpxn(u)
            }
            _ => return Err(s.unexpected(c)),
        };
        s.finish()?;
        Ok(Self { device_id, update })
    }
}

/// 12.1 Request WAN Matrix: where coverage is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestWanMatrix {
    /// By property reference.
    Uprn(Uprn),
    /// By postcode and address identifier (`PartialAddress`).
    PartialAddress(AddressFilter),
}

impl RequestWanMatrix {
    /// Parses a `RequestWANMatrix` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        expect(body, "RequestWANMatrix")?;
        let mut s = Seq::new(body, "RequestWANMatrix");
        let c = s.choice()?;
        let q = match c.name.as_str() {
            "UPRN" => Self::Uprn(uprn(c)?),
            "PartialAddress" => Self::PartialAddress(address(c, "PartialAddress")?),
            _ => return Err(s.unexpected(c)),
        };
        s.finish()?;
        Ok(q)
    }
}

/// 12.2 Device Pre-notification (`sr:DevicePrenotification`; the XSD carries no certificates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevicePrenotification {
    /// `DeviceID`.
    pub device_id: Eui64,
    /// `DeviceManufacturer` (≤ 30 characters).
    pub manufacturer: String,
    /// `DeviceModel` (≤ 30 characters).
    pub model: String,
    /// `DeviceType`.
    pub device_type: DeviceType,
    /// `SMETSCHTSVersion` (1 to 20 characters).
    pub smets_chts_version: Option<String>,
    /// `FirmwareVersion` (1 to 8 characters).
    pub firmware_version: Option<String>,
    /// `ESMEVariant`.
    pub esme_variant: Option<EsmeVariant>,
    /// `AssociatedGPFDeviceID` (for a GSME).
    pub associated_gpf_device_id: Option<Eui64>,
}

impl DevicePrenotification {
    /// Parses a `DevicePrenotification` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        expect(body, "DevicePrenotification")?;
        let mut s = Seq::new(body, "DevicePrenotification");
        let device_id = eui(s.required("DeviceID")?, "DeviceID")?;
        let manufacturer = string(
            s.required("DeviceManufacturer")?,
            facet::DEVICE_MANUFACTURER,
        )?;
        let model = string(s.required("DeviceModel")?, facet::DEVICE_MODEL)?;
        let device_type = parse_enum(s.required("DeviceType")?, "DeviceType")?;
        let smets_chts_version = s
            .optional("SMETSCHTSVersion")
            .map(|e| string(e, facet::SMETS_CHTS_VERSION))
            .transpose()?;
        let firmware_version = s
            .optional("FirmwareVersion")
            .map(|e| string(e, facet::FIRMWARE_VERSION))
            .transpose()?;
        let esme_variant = s
            .optional("ESMEVariant")
            .map(|e| parse_enum(e, "ESMEVariant"))
            .transpose()?;
        let associated_gpf_device_id = s
            .optional("AssociatedGPFDeviceID")
            .map(|e| eui(e, "AssociatedGPFDeviceID"))
            .transpose()?;
        s.finish()?;
        Ok(Self {
            device_id,
            manufacturer,
            model,
            device_type,
            smets_chts_version,
            firmware_version,
            esme_variant,
            associated_gpf_device_id,
        })
    }
}

/// An optional `ExecutionDateTime` (`sr:FutureDatedAbstractType`), validated, as written.
fn execution_date_time(s: &mut Seq<'_>) -> Result<Option<String>, BodyError> {
    match s.optional("ExecutionDateTime") {
        Some(e) => {
            let t = simple(e, "ExecutionDateTime")?.trim_matches(is_xml_space);
            if !is_xs_datetime(t) {
                return Err(InvalidValue::new("ExecutionDateTime", t).into());
            }
            Ok(Some(t.to_owned()))
        }
        None => Ok(None),
    }
}

/// A body element whose type has no content at all (`EnableSupply`, `DisableSupply`,
/// `ActivateEmergencyCredit`, `ResetTariffBlockCounterMatrix`, `ReadSupplyStatus`:
/// `sr:EnableSupply`, `sr:DisableSupply`, `sr:ActivateEmergencyCredit`,
/// `sr:ResetTariffBlockCounterMatrix`, `sr:ReadDataOnDemand`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoParameters;

impl NoParameters {
    /// Parses an empty body element named `name`.
    pub fn parse(body: &Element, name: &'static str) -> Result<Self, BodyError> {
        expect(body, name)?;
        Seq::new(body, name).finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(name, &body.text).into());
        }
        Ok(Self)
    }
}

/// A body element of a type that only extends `sr:FutureDatedAbstractType`
/// (`ReadFirmwareVersion`, `ReadInstantaneousImportRegisters`): at most an `ExecutionDateTime`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FutureDatedOnly {
    /// `ExecutionDateTime`, as written (a validated xs:dateTime), when the request is future dated.
    pub execution_date_time: Option<String>,
}

impl FutureDatedOnly {
    /// Parses the body element named `name`.
    pub fn parse(body: &Element, name: &'static str) -> Result<Self, BodyError> {
        expect(body, name)?;
        let mut s = Seq::new(body, name);
        let execution_date_time = execution_date_time(&mut s)?;
        s.finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(name, &body.text).into());
        }
        Ok(Self {
            execution_date_time,
        })
    }
}

/// 8.9 Read Device Log (`sr:ReadDeviceLog`): at most an `ExecutionDateTime`, and whether the
/// CHF's logs are read with their security details (`ReadSecurityDetails`, CHF only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadDeviceLog {
    /// `ExecutionDateTime`, when future dated.
    pub execution_date_time: Option<String>,
    /// `ReadSecurityDetails` is present.
    pub read_security_details: bool,
}

impl ReadDeviceLog {
    /// Parses a `ReadDeviceLog` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "ReadDeviceLog";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let details = s.optional("ReadSecurityDetails");
        s.finish()?;
        if let Some(d) = details
            && (!d.children.is_empty() || !d.trimmed_text().is_empty())
        {
            return Err(InvalidValue::new("ReadSecurityDetails", &d.text).into());
        }
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(NAME, &body.text).into());
        }
        Ok(Self {
            execution_date_time,
            read_security_details: details.is_some(),
        })
    }
}

/// `TolerancePeriod` (`sr:tolerancePeriod`: 0 to 86 400 seconds).
pub const MAX_TOLERANCE_PERIOD: u32 = 86_400;

/// 8.1.1 Commission Device (`CommissionDeviceSynchroniseClock`, `sr:SynchroniseClock`): the
/// time the device's clock is set to and how long that setting stays valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynchroniseClock {
    /// `CurrentDateTime`, in UTC (a value without a time zone is taken as UTC, the DUIS
    /// convention); fractions of a second are kept here and dropped by GBCS date-times.
    pub current_date_time: time::OffsetDateTime,
    /// `TolerancePeriod`, seconds.
    pub tolerance_period: u32,
}

impl SynchroniseClock {
    /// Parses a `CommissionDeviceSynchroniseClock` body element (8.1.1).
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        Self::parse_element(body, "CommissionDeviceSynchroniseClock")
    }

    /// Parses 6.11 Synchronise Clock's `SynchroniseClock` body element (the same type as
    /// 8.1.1's).
    pub fn parse_synchronise_clock(body: &Element) -> Result<Self, BodyError> {
        Self::parse_element(body, "SynchroniseClock")
    }

    fn parse_element(body: &Element, name: &'static str) -> Result<Self, BodyError> {
        expect(body, name)?;
        let mut s = Seq::new(body, name);
        let t =
            simple(s.required("CurrentDateTime")?, "CurrentDateTime")?.trim_matches(is_xml_space);
        let current_date_time = crate::datetime::parse_xs_datetime_utc(t)
            .ok_or_else(|| InvalidValue::new("CurrentDateTime", t))?;
        let p =
            simple(s.required("TolerancePeriod")?, "TolerancePeriod")?.trim_matches(is_xml_space);
        let tolerance_period = parse_xs_int(p)
            .and_then(|v| u32::try_from(v).ok())
            .filter(|v| *v <= MAX_TOLERANCE_PERIOD)
            .ok_or_else(|| InvalidValue::new("TolerancePeriod", p))?;
        s.finish()?;
        Ok(Self {
            current_date_time,
            tolerance_period,
        })
    }
}

/// An xs:int's lexical form: optional sign, decimal digits.
fn parse_xs_int(t: &str) -> Option<i64> {
    let digits = t.strip_prefix('+').unwrap_or(t);
    let (neg, digits) = match digits.strip_prefix('-') {
        Some(d) if !t.starts_with('+') => (true, d),
        _ => (false, digits),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = digits.parse().ok()?;
    let v = if neg { -v } else { v };
    i32::try_from(v).ok().map(i64::from)
}

/// `AddDeviceToCHFWhitelist` in 8.11.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChfWhitelistAddition {
    /// `JoinTimePeriod`, seconds (1 to 3 600).
    pub join_time_period: u16,
    /// `InstallCode`, decoded (6 to 16 bytes).
    pub install_code: Vec<u8>,
    /// `ImportMPxN`.
    pub import_mpxn: Option<String>,
    /// `SecondaryImportMPAN`.
    pub secondary_import_mpan: Option<String>,
    /// `ExportMPAN`.
    pub export_mpan: Option<String>,
}

/// What an 8.11 Update HAN Device Log asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HanDeviceLogChange {
    /// `RequestType` `Add`, with its `AddDeviceToCHFWhitelist`.
    Add(ChfWhitelistAddition),
    /// `RequestType` `Remove`.
    Remove,
}

/// 8.11 Update HAN Device Log (`sr:UpdateHANDeviceLog`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateHanDeviceLog {
    /// `ExecutionDateTime`, when future dated.
    pub execution_date_time: Option<String>,
    /// The device to add to or remove from the CHF's device log.
    pub device_id: Eui64,
    /// Add or remove.
    pub change: HanDeviceLogChange,
}

/// The largest `JoinTimePeriod` (seconds).
pub const MAX_JOIN_TIME_PERIOD: u16 = 3_600;

fn hex_binary(
    t: &str,
    kind: &'static str,
    min: usize,
    max: usize,
) -> Result<Vec<u8>, InvalidValue> {
    let t = t.trim_matches(is_xml_space);
    if !t.len().is_multiple_of(2) {
        return Err(InvalidValue::new(kind, t));
    }
    let bytes: Option<Vec<u8>> = (0..t.len())
        .step_by(2)
        .map(|i| t.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect();
    match bytes {
        Some(b) if (min..=max).contains(&b.len()) => Ok(b),
        _ => Err(InvalidValue::new(kind, t)),
    }
}

impl UpdateHanDeviceLog {
    /// Parses an `UpdateHANDeviceLog` body element. `Add` needs its `AddDeviceToCHFWhitelist`;
    /// `Remove` must not carry one.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdateHANDeviceLog";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let device_id = eui(s.required("DeviceID")?, "DeviceID")?;
        let rt = s.required("RequestType")?;
        let request_type = simple(rt, "RequestType")?;
        let add = s.optional("AddDeviceToCHFWhitelist");
        s.finish()?;
        let change = match (request_type, add) {
            ("Add", Some(a)) => {
                let mut w = Seq::new(a, "AddDeviceToCHFWhitelist");
                let j = simple(w.required("JoinTimePeriod")?, "JoinTimePeriod")?
                    .trim_matches(is_xml_space);
                let join_time_period = j
                    .strip_prefix('+')
                    .unwrap_or(j)
                    .parse::<u16>()
                    .ok()
                    .filter(|v| (1..=MAX_JOIN_TIME_PERIOD).contains(v))
                    .ok_or_else(|| InvalidValue::new("JoinTimePeriod", j))?;
                let install_code = hex_binary(
                    simple(w.required("InstallCode")?, "InstallCode")?,
                    "InstallCode",
                    6,
                    16,
                )?;
                let import_mpxn = w
                    .optional("ImportMPxN")
                    .map(|e| string(e, facet::IMPORT_MPXN))
                    .transpose()?;
                let secondary_import_mpan = w
                    .optional("SecondaryImportMPAN")
                    .map(|e| string(e, facet::MPAN))
                    .transpose()?;
                let export_mpan = w
                    .optional("ExportMPAN")
                    .map(|e| string(e, facet::MPAN))
                    .transpose()?;
                w.finish()?;
                HanDeviceLogChange::Add(ChfWhitelistAddition {
                    join_time_period,
                    install_code,
                    import_mpxn,
                    secondary_import_mpan,
                    export_mpan,
                })
            }
            ("Add", None) => {
                return Err(BodyError::Missing {
                    parent: NAME,
                    name: "AddDeviceToCHFWhitelist",
                });
            }
            ("Remove", None) => HanDeviceLogChange::Remove,
            ("Remove", Some(a)) => {
                return Err(BodyError::Unexpected {
                    parent: NAME,
                    found: clip(&a.name),
                });
            }
            (other, _) => return Err(InvalidValue::new("RequestType", other).into()),
        };
        Ok(Self {
            execution_date_time,
            device_id,
            change,
        })
    }
}

/// A signed pre-command (body of CV 5, 6, 7): the GBCS command the user signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedPreCommand {
    /// `ExecutionDateTime` for a future-dated command, as written (a validated xs:dateTime).
    pub execution_date_time: Option<String>,
    /// `GBCSPayload`, base64-decoded (whitespace, including `&#13;`, ignored).
    pub gbcs_payload: Vec<u8>,
}

/// Decodes an xs:base64Binary value, ignoring XML whitespace.
pub(crate) fn decode_base64(text: &str, kind: &'static str) -> Result<Vec<u8>, InvalidValue> {
    let compact: String = text.chars().filter(|c| !is_xml_space(*c)).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| InvalidValue::new(kind, text))
}

impl SignedPreCommand {
    /// Parses a `SignedPreCommand` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        expect(body, "SignedPreCommand")?;
        let mut s = Seq::new(body, "SignedPreCommand");
        let execution_date_time = execution_date_time(&mut s)?;
        let p = s.required("GBCSPayload")?;
        let gbcs_payload = decode_base64(simple(p, "GBCSPayload")?, "GBCSPayload")?;
        s.finish()?;
        Ok(Self {
            execution_date_time,
            gbcs_payload,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{ParseLimits, parse_element};

    pub(crate) fn body(inner: &str) -> Element {
        let doc = format!(
            r#"<sr:X xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway">{inner}</sr:X>"#
        );
        let mut root = parse_element(doc.as_bytes(), &ParseLimits::default()).unwrap();
        root.children.remove(0)
    }

    #[test]
    fn read_inventory_choices() {
        let cases = [
            (
                "<sr:DeviceID>00-DB-12-34-56-78-90-A2</sr:DeviceID>",
                ReadInventory::DeviceId("00-DB-12-34-56-78-90-A2".parse().unwrap()),
            ),
            (
                "<sr:UPRN>123456789012</sr:UPRN>",
                ReadInventory::Uprn(Uprn::new(123456789012).unwrap()),
            ),
            (
                "<sr:MPxN>1234567890123</sr:MPxN>",
                ReadInventory::Mpxn("1234567890123".into()),
            ),
            (
                "<sr:PropertyFilter><sr:PostCode>M22 0RR</sr:PostCode><sr:AddressIdentifier>1</sr:AddressIdentifier></sr:PropertyFilter>",
                ReadInventory::PropertyFilter(AddressFilter {
                    post_code: "M22 0RR".into(),
                    address_identifier: "1".into(),
                }),
            ),
        ];
        for (inner, want) in cases {
            let b = body(&format!("<sr:ReadInventory>{inner}</sr:ReadInventory>"));
            assert_eq!(ReadInventory::parse(&b).unwrap(), want);
        }
        for bad in [
            "",
            "<sr:DeviceID>00DB1234567890A2</sr:DeviceID>",
            "<sr:UPRN>0</sr:UPRN>",
            "<sr:MPxN>12345678901234</sr:MPxN>",
            "<sr:DeviceID>00-DB-12-34-56-78-90-A2</sr:DeviceID><sr:UPRN>1</sr:UPRN>",
            "<sr:PropertyFilter><sr:PostCode>M2</sr:PostCode><sr:AddressIdentifier>1</sr:AddressIdentifier></sr:PropertyFilter>",
            "<sr:PropertyFilter><sr:AddressIdentifier>1</sr:AddressIdentifier><sr:PostCode>M22 0RR</sr:PostCode></sr:PropertyFilter>",
            "<sr:Other/>",
        ] {
            let b = body(&format!("<sr:ReadInventory>{bad}</sr:ReadInventory>"));
            assert!(ReadInventory::parse(&b).is_err(), "{bad}");
        }
        assert!(matches!(
            ReadInventory::parse(&body("<sr:UpdateInventory/>")),
            Err(BodyError::WrongElement { .. })
        ));
    }

    #[test]
    fn update_inventory_choices() {
        let d = "<sr:DeviceID>00-DB-12-34-56-78-90-A0</sr:DeviceID>";
        let parse = |inner: &str| {
            UpdateInventory::parse(&body(&format!(
                "<sr:UpdateInventory>{d}{inner}</sr:UpdateInventory>"
            )))
        };
        assert_eq!(
            parse("<sr:DeleteDevice/>").unwrap().update,
            InventoryUpdate::DeleteDevice
        );
        assert_eq!(
            parse("<sr:UpdateDeviceStatusCH>Withdrawn</sr:UpdateDeviceStatusCH>")
                .unwrap()
                .update,
            InventoryUpdate::CommsHubStatus(DeviceStatus::Withdrawn)
        );
        assert_eq!(
            parse("<sr:UpdateDeviceStatusExceptCH>Pending</sr:UpdateDeviceStatusExceptCH>")
                .unwrap()
                .update,
            InventoryUpdate::DeviceStatus(DeviceStatus::Pending)
        );
        assert!(
            parse("<sr:UpdateDeviceStatusExceptCH>Withdrawn</sr:UpdateDeviceStatusExceptCH>")
                .is_err()
        );
        assert_eq!(
            parse("<sr:UpdateDeviceDetails><sr:DeviceModel>M1</sr:DeviceModel><sr:ESMEVariant>AD</sr:ESMEVariant></sr:UpdateDeviceDetails>")
                .unwrap()
                .update,
            InventoryUpdate::DeviceDetails(DeviceDetailsUpdate {
                model: Some("M1".into()),
                esme_variant: Some(EsmeVariant::Ad),
                ..Default::default()
            })
        );
        assert!(parse("<sr:UpdateDeviceDetails><sr:ESMEVariant>AD</sr:ESMEVariant><sr:DeviceModel>M1</sr:DeviceModel></sr:UpdateDeviceDetails>").is_err());
        assert_eq!(
            parse("<sr:UpdateMPxN><sr:ExportMPAN>1234567890123</sr:ExportMPAN></sr:UpdateMPxN>")
                .unwrap()
                .update,
            InventoryUpdate::Mpxn(MpxnUpdate::Export("1234567890123".into()))
        );
        assert!(
            parse("<sr:UpdateMPxN><sr:ExportMPAN>123</sr:ExportMPAN></sr:UpdateMPxN>").is_err()
        );
        assert!(parse("").is_err());
        assert!(parse("<sr:DeleteDevice/><sr:DeleteDevice/>").is_err());
        assert!(parse("<sr:DeleteDevice>x</sr:DeleteDevice>").is_err());
    }

    #[test]
    fn wan_matrix_request() {
        let b = body("<sr:RequestWANMatrix><sr:UPRN>42</sr:UPRN></sr:RequestWANMatrix>");
        assert_eq!(
            RequestWanMatrix::parse(&b).unwrap(),
            RequestWanMatrix::Uprn(Uprn::new(42).unwrap())
        );
        let b = body(
            "<sr:RequestWANMatrix><sr:DeviceID>00-DB-12-34-56-78-90-A0</sr:DeviceID></sr:RequestWANMatrix>",
        );
        assert!(RequestWanMatrix::parse(&b).is_err());
    }

    #[test]
    fn prenotification() {
        let b = body(
            "<sr:DevicePrenotification><sr:DeviceID>00-DB-12-34-56-78-90-A0</sr:DeviceID><sr:DeviceManufacturer>AB01</sr:DeviceManufacturer><sr:DeviceModel>010A030B</sr:DeviceModel><sr:DeviceType>GSME</sr:DeviceType><sr:AssociatedGPFDeviceID>00-DB-12-34-56-78-90-A1</sr:AssociatedGPFDeviceID></sr:DevicePrenotification>",
        );
        let p = DevicePrenotification::parse(&b).unwrap();
        assert_eq!(p.device_type, DeviceType::Gsme);
        assert_eq!(p.firmware_version, None);
        assert_eq!(
            p.associated_gpf_device_id,
            Some("00-DB-12-34-56-78-90-A1".parse().unwrap())
        );
        let no_type = body(
            "<sr:DevicePrenotification><sr:DeviceID>00-DB-12-34-56-78-90-A0</sr:DeviceID><sr:DeviceManufacturer>AB01</sr:DeviceManufacturer><sr:DeviceModel>010A030B</sr:DeviceModel></sr:DevicePrenotification>",
        );
        assert_eq!(
            DevicePrenotification::parse(&no_type),
            Err(BodyError::Missing {
                parent: "DevicePrenotification",
                name: "DeviceType"
            })
        );
    }

    #[test]
    fn synchronise_clock() {
        let b = body(
            "<sr:CommissionDeviceSynchroniseClock><sr:CurrentDateTime>2014-12-31T23:59:10.00Z</sr:CurrentDateTime><sr:TolerancePeriod>60</sr:TolerancePeriod></sr:CommissionDeviceSynchroniseClock>",
        );
        let c = SynchroniseClock::parse(&b).unwrap();
        assert_eq!(c.current_date_time.unix_timestamp(), 1_420_070_350);
        assert_eq!(c.tolerance_period, 60);
        for bad in [
            "<sr:CurrentDateTime>2014-12-31T23:59:10Z</sr:CurrentDateTime><sr:TolerancePeriod>86401</sr:TolerancePeriod>",
            "<sr:CurrentDateTime>2014-12-31T23:59:10Z</sr:CurrentDateTime><sr:TolerancePeriod>-1</sr:TolerancePeriod>",
            "<sr:CurrentDateTime>2014-12-31T23:59:10Z</sr:CurrentDateTime><sr:TolerancePeriod>1.5</sr:TolerancePeriod>",
            "<sr:CurrentDateTime>2014-12-31</sr:CurrentDateTime><sr:TolerancePeriod>60</sr:TolerancePeriod>",
            "<sr:TolerancePeriod>60</sr:TolerancePeriod>",
            "<sr:CurrentDateTime>2014-12-31T23:59:10Z</sr:CurrentDateTime>",
        ] {
            let b = body(&format!(
                "<sr:CommissionDeviceSynchroniseClock>{bad}</sr:CommissionDeviceSynchroniseClock>"
            ));
            assert!(SynchroniseClock::parse(&b).is_err(), "{bad}");
        }
        let max = body(
            "<sr:CommissionDeviceSynchroniseClock><sr:CurrentDateTime>2014-12-31T23:59:10</sr:CurrentDateTime><sr:TolerancePeriod>+86400</sr:TolerancePeriod></sr:CommissionDeviceSynchroniseClock>",
        );
        assert_eq!(
            SynchroniseClock::parse(&max).unwrap().tolerance_period,
            86_400
        );
    }

    /// 6.11's `SynchroniseClock` is the same type under its own name; each parser takes only
    /// its own element.
    #[test]
    fn synchronise_clock_6_11() {
        let inner = "<sr:CurrentDateTime>2014-12-31T23:30:00.00Z</sr:CurrentDateTime><sr:TolerancePeriod>3600</sr:TolerancePeriod>";
        let b = body(&format!(
            "<sr:SynchroniseClock>{inner}</sr:SynchroniseClock>"
        ));
        let c = SynchroniseClock::parse_synchronise_clock(&b).unwrap();
        assert_eq!(c.tolerance_period, 3600);
        assert!(SynchroniseClock::parse(&b).is_err());
        let commission = body(&format!(
            "<sr:CommissionDeviceSynchroniseClock>{inner}</sr:CommissionDeviceSynchroniseClock>"
        ));
        assert!(SynchroniseClock::parse_synchronise_clock(&commission).is_err());
        let bad = body(
            "<sr:SynchroniseClock><sr:CurrentDateTime>2014-12-31T23:30:00Z</sr:CurrentDateTime><sr:TolerancePeriod>86401</sr:TolerancePeriod></sr:SynchroniseClock>",
        );
        assert!(SynchroniseClock::parse_synchronise_clock(&bad).is_err());
    }

    #[test]
    fn han_device_log() {
        let d = "<sr:DeviceID>00-DB-12-34-56-78-90-A0</sr:DeviceID>";
        let parse = |inner: &str| {
            UpdateHanDeviceLog::parse(&body(&format!(
                "<sr:UpdateHANDeviceLog>{inner}</sr:UpdateHANDeviceLog>"
            )))
        };
        let add = parse(&format!(
            "{d}<sr:RequestType>Add</sr:RequestType><sr:AddDeviceToCHFWhitelist><sr:JoinTimePeriod>90</sr:JoinTimePeriod><sr:InstallCode>30313233343536373839414243444546</sr:InstallCode><sr:ImportMPxN>1312345678111</sr:ImportMPxN></sr:AddDeviceToCHFWhitelist>"
        ))
        .unwrap();
        let HanDeviceLogChange::Add(a) = &add.change else {
            panic!("{add:?}")
        };
        assert_eq!(a.join_time_period, 90);
        assert_eq!(a.install_code, b"0123456789ABCDEF");
        assert_eq!(a.import_mpxn.as_deref(), Some("1312345678111"));
        assert_eq!(
            parse(&format!("{d}<sr:RequestType>Remove</sr:RequestType>"))
                .unwrap()
                .change,
            HanDeviceLogChange::Remove
        );
        for bad in [
            format!("{d}<sr:RequestType>Add</sr:RequestType>"),
            format!("{d}<sr:RequestType>Swap</sr:RequestType>"),
            format!(
                "{d}<sr:RequestType>Remove</sr:RequestType><sr:AddDeviceToCHFWhitelist><sr:JoinTimePeriod>1</sr:JoinTimePeriod><sr:InstallCode>303132333435</sr:InstallCode></sr:AddDeviceToCHFWhitelist>"
            ),
            format!(
                "{d}<sr:RequestType>Add</sr:RequestType><sr:AddDeviceToCHFWhitelist><sr:JoinTimePeriod>3601</sr:JoinTimePeriod><sr:InstallCode>303132333435</sr:InstallCode></sr:AddDeviceToCHFWhitelist>"
            ),
            format!(
                "{d}<sr:RequestType>Add</sr:RequestType><sr:AddDeviceToCHFWhitelist><sr:JoinTimePeriod>0</sr:JoinTimePeriod><sr:InstallCode>303132333435</sr:InstallCode></sr:AddDeviceToCHFWhitelist>"
            ),
            format!(
                "{d}<sr:RequestType>Add</sr:RequestType><sr:AddDeviceToCHFWhitelist><sr:JoinTimePeriod>9</sr:JoinTimePeriod><sr:InstallCode>3031323334</sr:InstallCode></sr:AddDeviceToCHFWhitelist>"
            ),
            format!(
                "{d}<sr:RequestType>Add</sr:RequestType><sr:AddDeviceToCHFWhitelist><sr:JoinTimePeriod>9</sr:JoinTimePeriod><sr:InstallCode>30313233343G</sr:InstallCode></sr:AddDeviceToCHFWhitelist>"
            ),
            "<sr:RequestType>Remove</sr:RequestType>".to_string(),
        ] {
            assert!(parse(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn read_device_log() {
        let p = |x: &str| ReadDeviceLog::parse(&body(x));
        assert!(!p("<sr:ReadDeviceLog/>").unwrap().read_security_details);
        assert!(
            p("<sr:ReadDeviceLog><sr:ReadSecurityDetails/></sr:ReadDeviceLog>")
                .unwrap()
                .read_security_details
        );
        for bad in [
            "<sr:ReadDeviceLog><sr:ReadSecurityDetails>x</sr:ReadSecurityDetails></sr:ReadDeviceLog>",
            "<sr:ReadDeviceLog><sr:ReadSecurityDetails><sr:X/></sr:ReadSecurityDetails></sr:ReadDeviceLog>",
            "<sr:ReadDeviceLog><sr:Other/></sr:ReadDeviceLog>",
            "<sr:ReadDeviceLog>x</sr:ReadDeviceLog>",
            "<sr:UpdateHANDeviceLog/>",
        ] {
            assert!(p(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bodies_without_parameters() {
        assert!(NoParameters::parse(&body("<sr:EnableSupply/>"), "EnableSupply").is_ok());
        assert!(
            NoParameters::parse(
                &body("<sr:EnableSupply>x</sr:EnableSupply>"),
                "EnableSupply"
            )
            .is_err()
        );
        assert!(
            NoParameters::parse(
                &body("<sr:EnableSupply><sr:X/></sr:EnableSupply>"),
                "EnableSupply"
            )
            .is_err()
        );
        assert!(NoParameters::parse(&body("<sr:DisableSupply/>"), "EnableSupply").is_err());
        NoParameters::parse(
            &body("<sr:ActivateEmergencyCredit/>"),
            "ActivateEmergencyCredit",
        )
        .unwrap();
        NoParameters::parse(
            &body("<sr:ResetTariffBlockCounterMatrix/>"),
            "ResetTariffBlockCounterMatrix",
        )
        .unwrap();
        let f = FutureDatedOnly::parse(
            &body("<sr:ReadFirmwareVersion><sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime></sr:ReadFirmwareVersion>"),
            "ReadFirmwareVersion",
        )
        .unwrap();
        assert_eq!(
            f.execution_date_time.as_deref(),
            Some("2030-01-01T00:00:00Z")
        );
        assert!(FutureDatedOnly::parse(
            &body("<sr:ReadFirmwareVersion><sr:ExecutionDateTime>soon</sr:ExecutionDateTime></sr:ReadFirmwareVersion>"),
            "ReadFirmwareVersion",
        )
        .is_err());
    }

    #[test]
    fn signed_pre_command() {
        let b = body(
            "<sr:SignedPreCommand><sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime><sr:GBCSPayload>3QAAAAAA&#13;\nAFUR</sr:GBCSPayload></sr:SignedPreCommand>",
        );
        let s = SignedPreCommand::parse(&b).unwrap();
        assert_eq!(
            s.execution_date_time.as_deref(),
            Some("2030-01-01T00:00:00Z")
        );
        assert_eq!(s.gbcs_payload, [0xdd, 0, 0, 0, 0, 0, 0, 0x55, 0x11]);
        for bad in [
            "<sr:GBCSPayload>not base64!</sr:GBCSPayload>",
            "<sr:ExecutionDateTime>soon</sr:ExecutionDateTime><sr:GBCSPayload>AA==</sr:GBCSPayload>",
            "",
            "<sr:GBCSPayload>AA==</sr:GBCSPayload><sr:GBCSPayload>AA==</sr:GBCSPayload>",
        ] {
            let b = body(&format!("<sr:SignedPreCommand>{bad}</sr:SignedPreCommand>"));
            assert!(SignedPreCommand::parse(&b).is_err(), "{bad}");
        }
    }
}

// Log and profile reads (4.8, 4.10): `ReadLogPeriod` bodies.
mod read_log;
pub use read_log::{ReadLog, ReadLogPeriod};
mod event_log_read;
pub use event_log_read::{LogToRead, ReadEventOrSecurityLog};

// Auxiliary load switches (7.5, 7.6, 7.8), controllers (7.13), randomised offset (7.12).
mod aux_load;
pub use aux_load::{
    AuxiliaryLoad, BoostButtonChange, SetAuxiliaryControllerState, SetRandomisedOffsetLimit,
};
// 1.6 Update Payment Mode.
mod payment_mode;
// Tariffs and prices (1.1, 1.2).
mod tariff;
pub use payment_mode::{PaymentMode, UpdatePaymentMode};
pub use tariff::{
    BlockPrices, DayOfMonth, DayProfile, ElecPrices, GasDate, GasPriceElements, GasTariffElements,
    ProfileSchedule, Season, SecondaryPrices, SpecialDay, SwitchingTable, TariffAction, TariffDate,
    UpdateImportTariffPrimary, UpdateImportTariffPrimaryGas, UpdateImportTariffSecondary,
    UpdatePricePrimary, UpdatePricePrimaryGas, UpdatePriceSecondary, WeekProfile,
};
// 2.1 Update Prepay Configuration.
mod prepay_config;
pub use prepay_config::{
    ElecPrepayConfiguration, GasNonDisablementDay, GasPrepayConfiguration, NonDisablementSchedule,
    PrepayConfiguration, ScheduleDate, UpdatePrepayConfiguration,
};
// 1.5 Update Meter Balance.
mod meter_balance;
pub use meter_balance::{MeterBalanceUpdate, UpdateMeterBalance};
// 3.3 Clear Event Log.
mod clear_event_log;
pub use clear_event_log::{ClearEventLog, EsmeEventLogType};

// 6.5, 6.12: power quality.
mod power_quality;
pub use power_quality::{
    AverageRmsVoltageSettings, RmsLimit, RmsVoltageSettings,
    UpdateDeviceConfigurationInstantaneousPowerThreshold, UpdateDeviceConfigurationVoltage,
};
// 2.2 Top Up Device.
mod top_up;
pub use top_up::TopUpDevice;

// 8.13 Return Local Command Response.
mod local_delivery;
pub use local_delivery::ReturnLocalCommandResponse;
// 6.28 Set CHF Sub GHz Configuration.
mod sub_ghz;
pub use sub_ghz::SetChfSubGhzConfiguration;
// Identity and MPxN (6.20.1, 6.20.2).
mod identity;
pub use identity::{
    ImportMpxn, SetDeviceConfigurationExportMpan, SetDeviceConfigurationImportMpxn,
};
// Family 6 limits (6.4.1 load limiting general settings).
mod limits;
pub use limits::{
    AlcConnectionSchedule, AlcDescriptions, AlcScheduler, AuxControllerSchedule,
    AuxControllerScheduler, DailyBlockCounterReset, LoadLimitingGeneralSettings,
    ResetMaximumDemandRegisters, SetElectricitySupplyTamperState,
    SetMaximumDemandConfigurableTimePeriod,
};
// 6.8 Update Device Configuration (Billing Calendar).
mod billing_calendar;
pub use billing_calendar::{ElecBillingPeriodicity, GasBillingPeriodicity, UpdateBillingCalendar};

mod gas_configuration;
pub use gas_configuration::{GasFlowRate, SupplyStateChange, UpdateGasConversion, UpdateGasFlow};
// 6.15.1, 6.15.2, 6.17, 6.23, 6.24.1, 6.24.2: the credential services' bodies.
mod credentials;
pub use credentials::{
    CredentialType, CredentialsRole, IssueSecurityCredentials,
    RetrieveDeviceSecurityCredentialsDevice, RetrieveDeviceSecurityCredentialsKrp,
    UpdateSecurityCredentialsCos, UpdateSecurityCredentialsDevice, UpdateSecurityCredentialsKrp,
};

// 8.3 and 8.14.x: SMI status updates.
mod inventory_status;
pub use inventory_status::{CommsHubStatusUpdate, DecommissionDevice, HubStatusUpdate};
// 8.7 Join Service, 8.8 Unjoin Service.
mod han_join;
pub use han_join::JoinOrUnjoinDevice;
// 11.x firmware (issue 17).
mod firmware;
pub use firmware::ActivateFirmware;
