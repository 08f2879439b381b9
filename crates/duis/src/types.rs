//! Simple DUIS value types shared by request bodies and responses (XSD enumerations and
//! restricted strings).

use std::fmt;
use std::str::FromStr;

use crate::command_variant::parse_xs_unsigned;

/// A value outside an XSD enumeration or facet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind}: {value:?}")]
pub struct InvalidValue {
    /// The XSD type or element.
    pub kind: &'static str,
    /// The value, clipped.
    pub value: String,
}

impl InvalidValue {
    pub(crate) fn new(kind: &'static str, value: &str) -> Self {
        Self {
            kind,
            value: crate::error::clip(value),
        }
    }
}

macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident ($kind:literal) {
            $( $(#[$vmeta:meta])* $var:ident = $s:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* #[doc = concat!("`", $s, "`")] $var, )*
        }

        impl $name {
            /// Every value, in XSD order.
            pub const ALL: &'static [$name] = &[$($name::$var,)*];

            /// The value as written in DUIS.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$var => $s,)*
                }
            }
        }

        impl FromStr for $name {
            type Err = InvalidValue;
            /// The exact XSD value.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($s => Ok($name::$var),)*
                    _ => Err(InvalidValue::new($kind, s)),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use string_enum;

string_enum! {
    /// `sr:DeviceType`.
    DeviceType ("DeviceType") {
        /// Electricity smart metering equipment.
        Esme = "ESME",
        /// Gas smart metering equipment.
        Gsme = "GSME",
        /// Gas proxy function.
        Gpf = "GPF",
        /// Communications hub function.
        Chf = "CHF",
        /// HAN-connected auxiliary load control switch.
        Hcalcs = "HCALCS",
        /// Prepayment interface device.
        Ppmid = "PPMID",
        /// In-home display.
        Ihd = "IHD",
        /// Consumer access device.
        Cad = "CAD",
    }
}

string_enum! {
    /// `sr:DeviceStatus`: the Smart Metering Inventory status.
    DeviceStatus ("DeviceStatus") {
        Pending = "Pending",
        Whitelisted = "Whitelisted",
        InstalledNotCommissioned = "InstalledNotCommissioned",
        Commissioned = "Commissioned",
        Decommissioned = "Decommissioned",
        Withdrawn = "Withdrawn",
        Suspended = "Suspended",
        Recovery = "Recovery",
        Recovered = "Recovered",
    }
}

string_enum! {
    /// `sr:CSPRegion`.
    CspRegion ("CSPRegion") {
        North = "North",
        Central = "Central",
        South = "South",
        North4G = "4G North",
        Central4G = "4G Central",
        South4G = "4G South",
        Unknown = "Unknown",
        Smets1 = "SMETS1",
    }
}

string_enum! {
    /// `sr:FirmwareVersionStatus` and `sr:CPLStatus` (the same four values): status of a
    /// device model or firmware version on the Central Products List.
    ProductListStatus ("FirmwareVersionStatus/CPLStatus") {
        Active = "Active",
        Cancelled = "Cancelled",
        Expired = "Expired",
        Withdrawn = "Withdrawn",
    }
}

string_enum! {
    /// `sr:ESMEVariant`.
    EsmeVariant ("ESMEVariant") {
        A = "A",
        B = "B",
        C = "C",
        Ad = "AD",
        Bd = "BD",
        Cd = "CD",
        Ade = "ADE",
        Bde = "BDE",
        Cde = "CDE",
        Adf = "ADF",
        Bdf = "BDF",
        Cdf = "CDF",
        Adef = "ADEF",
        Bdef = "BDEF",
        Cdef = "CDEF",
        Adg = "ADG",
        Adeg = "ADEG",
        Af = "AF",
        Bf = "BF",
        Cf = "CF",
        Aef = "AEF",
        Bef = "BEF",
        Cef = "CEF",
        Ag = "AG",
        Aeg = "AEG",
    }
}

string_enum! {
    /// `sr:Connectivity` of a device in the inventory.
    Connectivity ("Connectivity") {
        Cellular = "Cellular",
        Virtual = "Virtual",
    }
}

string_enum! {
    /// `ConnectivityLikelihood` in a WAN matrix response.
    ConnectivityLikelihood ("ConnectivityLikelihood") {
        High = "High",
        Medium = "Medium",
        Low = "Low",
    }
}

/// A Unique Property Reference Number (`sr:UPRN`: a positive integer of at most 12 digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uprn(u64);

impl Uprn {
    /// Largest UPRN (12 digits).
    pub const MAX: u64 = 999_999_999_999;

    /// A UPRN from its number, if 1 ≤ n ≤ [`Uprn::MAX`].
    pub const fn new(n: u64) -> Option<Self> {
        if n >= 1 && n <= Self::MAX {
            Some(Self(n))
        } else {
            None
        }
    }

    /// The number.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl FromStr for Uprn {
    type Err = InvalidValue;
    /// xs:positiveInteger lexical form (whitespace, `+` and leading zeros allowed), ≤ 12
    /// significant digits.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_xs_unsigned(s)
            .and_then(Self::new)
            .ok_or_else(|| InvalidValue::new("UPRN", s))
    }
}

impl fmt::Display for Uprn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Facets of the XSD string types used here: (name, min length, max length) in characters.
pub(crate) mod facet {
    pub const DEVICE_MANUFACTURER: (&str, usize, usize) = ("DeviceManufacturer", 0, 30);
    pub const DEVICE_MODEL: (&str, usize, usize) = ("DeviceModel", 0, 30);
    pub const SMETS_CHTS_VERSION: (&str, usize, usize) = ("SMETSCHTSVersion", 1, 20);
    pub const FIRMWARE_VERSION: (&str, usize, usize) = ("FirmwareVersion", 1, 8);
    pub const IMPORT_MPXN: (&str, usize, usize) = ("ImportMPxN", 1, 13);
    pub const MPAN: (&str, usize, usize) = ("MPAN", 13, 13);
    pub const POST_CODE: (&str, usize, usize) = ("PostCode", 6, 8);
    pub const ADDRESS_IDENTIFIER: (&str, usize, usize) = ("AddressIdentifier", 0, 30);
    pub const WAN_TECHNOLOGY: (&str, usize, usize) = ("WANTechnology", 1, 30);
    pub const AUXILIARY_EQUIPMENT: (&str, usize, usize) = ("AuxiliaryEquipmentRequired", 0, 50);
    pub const ADDITIONAL_INFORMATION: (&str, usize, usize) = ("AdditionalInformation", 0, 250);
}

/// Checks a string against a length facet (characters, as XSD counts them).
pub(crate) fn check_len(
    value: &str,
    facet: (&'static str, usize, usize),
) -> Result<(), InvalidValue> {
    let (kind, min, max) = facet;
    // A string's character count never exceeds its byte length.
    if min == 0 && value.len() <= max {
        return Ok(());
    }
    let n = value.chars().count();
    if n < min || n > max {
        return Err(InvalidValue::new(kind, value));
    }
    Ok(())
}

/// A postcode and address identifier (`sr:PropertyFilter`, `sr:PartialAddress`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AddressFilter {
    /// `PostCode`: 6 to 8 characters.
    pub post_code: String,
    /// `AddressIdentifier`: up to 30 characters.
    pub address_identifier: String,
}

impl AddressFilter {
    /// Checks the XSD facets.
    pub fn validate(&self) -> Result<(), InvalidValue> {
        check_len(&self.post_code, facet::POST_CODE)?;
        check_len(&self.address_identifier, facet::ADDRESS_IDENTIFIER)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip() {
        fn check<T>(all: &[T])
        where
            T: Copy + fmt::Display + FromStr + PartialEq + fmt::Debug + serde::Serialize,
            T::Err: fmt::Debug,
        {
            for v in all {
                assert_eq!(v.to_string().parse::<T>().unwrap(), *v);
                assert_eq!(serde_json::to_string(v).unwrap(), format!("\"{v}\""));
            }
        }
        check(DeviceType::ALL);
        check(DeviceStatus::ALL);
        check(CspRegion::ALL);
        check(ProductListStatus::ALL);
        check(EsmeVariant::ALL);
        check(Connectivity::ALL);
        check(ConnectivityLikelihood::ALL);
        assert_eq!(DeviceStatus::ALL.len(), 9);
        assert_eq!(EsmeVariant::ALL.len(), 25);
        assert_eq!(
            "4G Central".parse::<CspRegion>().unwrap(),
            CspRegion::Central4G
        );
        assert!("esme".parse::<DeviceType>().is_err());
        assert!(" ESME".parse::<DeviceType>().is_err());
        assert!(serde_json::from_str::<DeviceType>("\"XYZ\"").is_err());
        assert_eq!(
            serde_json::from_str::<DeviceType>("\"GPF\"").unwrap(),
            DeviceType::Gpf
        );
    }

    #[test]
    fn uprn_bounds() {
        assert_eq!(
            "123456789012".parse::<Uprn>().unwrap().get(),
            123_456_789_012
        );
        assert_eq!(" +0007 ".parse::<Uprn>().unwrap().get(), 7);
        for bad in ["0", "1234567890123", "", "-1", "1.5", "abc"] {
            assert!(bad.parse::<Uprn>().is_err(), "{bad}");
        }
        assert!(Uprn::new(0).is_none());
        assert!(Uprn::new(Uprn::MAX).is_some());
        assert!(Uprn::new(Uprn::MAX + 1).is_none());
    }

    #[test]
    fn length_facets() {
        assert!(check_len("M22 0RR", facet::POST_CODE).is_ok());
        assert!(check_len("M22", facet::POST_CODE).is_err());
        assert!(check_len("M22 0RRRR", facet::POST_CODE).is_err());
        assert!(check_len("", facet::FIRMWARE_VERSION).is_err());
        assert!(check_len("123456789", facet::FIRMWARE_VERSION).is_err());
        assert!(check_len(&"é".repeat(30), facet::DEVICE_MODEL).is_ok());
        assert!(check_len(&"é".repeat(31), facet::DEVICE_MODEL).is_err());
        assert!(check_len(&"x".repeat(13), facet::MPAN).is_ok());
        assert!(check_len(&"x".repeat(12), facet::MPAN).is_err());
    }
}
