//! Remote party role codes, as carried in the organisational unit (OU) of SMKI organisation
//! certificates.
//!
//! The OU holds the role as two upper-case hex digits (`02` supplier, `7F` other user, `87` a
//! user's XML signing certificate). The assignments below are the GBCS `RemotePartyRole` values
//! plus the ones observed in the ZAZ1 test PKI (`/shared/corpus/zaz1/keystore.json`, field
//! `role`, decimal).

use std::fmt;
use std::str::FromStr;

use crate::error::SmkiError;

/// The role a certificate's subject acts in.
///
/// [`RemotePartyRole::from_code`] maps every known code to its named variant, so
/// [`RemotePartyRole::Other`] only ever holds codes without a name here. Constructing
/// `Other(2)` by hand is possible but compares unequal to `Supplier`; normalise with
/// `RemotePartyRole::from_code(role.code())` if that matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RemotePartyRole {
    /// `00`: the SMKI root (self-signed) CA.
    Root,
    /// `01`: the DCC acting for SMKI recovery.
    Recovery,
    /// `02`: an import/export/gas supplier.
    Supplier,
    /// `03`: an electricity distributor or gas transporter.
    NetworkOperator,
    /// `04`: the DCC's access control broker.
    AccessControlBroker,
    /// `05`: the DCC acting as transitional change-of-supplier party.
    TransitionalCoS,
    /// `06`: the DCC's WAN provider (communications service provider).
    WanProvider,
    /// `07`: an issuing authority: the organisation CA (OCA) names itself so (`OU=07, CN=Z1`).
    IssuingAuthority,
    /// `08`: a load controller (ZAZ1 `Z1-loadController-ds`/`-ka`).
    LoadController,
    /// `7F` (127): an "Other User" (ZAZ1 `otherUser-ds`, `mdr-ds`).
    OtherUser,
    /// `87` (135): a DCC user's XML signing certificate, used to sign DUIS requests
    /// (ZAZ1 `xml-sign-<EUI>-ds`).
    XmlSigning,
    /// `89` (137): the DCC service provider's own XML signing certificate, used to sign DUIS
    /// responses (ZAZ1 `dsp-xml-sign-90B3D51F30000002-ds`).
    DspXmlSigning,
    /// Any other code.
    Other(u8),
}

impl RemotePartyRole {
    /// The role for a numeric code; unknown codes become [`RemotePartyRole::Other`].
    pub const fn from_code(code: u8) -> Self {
        match code {
            0x00 => Self::Root,
            0x01 => Self::Recovery,
            0x02 => Self::Supplier,
            0x03 => Self::NetworkOperator,
            0x04 => Self::AccessControlBroker,
            0x05 => Self::TransitionalCoS,
            0x06 => Self::WanProvider,
            0x07 => Self::IssuingAuthority,
            0x08 => Self::LoadController,
            0x7F => Self::OtherUser,
            0x87 => Self::XmlSigning,
            0x89 => Self::DspXmlSigning,
            other => Self::Other(other),
        }
    }

    /// The numeric code.
    pub const fn code(self) -> u8 {
        match self {
            Self::Root => 0x00,
            Self::Recovery => 0x01,
            Self::Supplier => 0x02,
            Self::NetworkOperator => 0x03,
            Self::AccessControlBroker => 0x04,
            Self::TransitionalCoS => 0x05,
            Self::WanProvider => 0x06,
            Self::IssuingAuthority => 0x07,
            Self::LoadController => 0x08,
            Self::OtherUser => 0x7F,
            Self::XmlSigning => 0x87,
            Self::DspXmlSigning => 0x89,
            Self::Other(c) => c,
        }
    }

    /// The OU text: two upper-case hex digits (`"02"`, `"7F"`).
    pub fn to_ou(self) -> String {
        format!("{:02X}", self.code())
    }

    /// Parses the OU text: exactly two hex digits, either case.
    ///
    /// Anything else is refused, including the three-digit decimal `137` found in a pre-1.4.1
    /// DCC Boxed certificate.
    pub fn from_ou(ou: &str) -> Result<Self, SmkiError> {
        let b = ou.as_bytes();
        let err = || SmkiError::InvalidRole(ou.chars().take(16).collect());
        if b.len() != 2 {
            return Err(err());
        }
        let hi = b.first().copied().and_then(hex_val).ok_or_else(err)?;
        let lo = b.get(1).copied().and_then(hex_val).ok_or_else(err)?;
        Ok(Self::from_code((hi << 4) | lo))
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for RemotePartyRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Root => "root",
            Self::Recovery => "recovery",
            Self::Supplier => "supplier",
            Self::NetworkOperator => "networkOperator",
            Self::AccessControlBroker => "accessControlBroker",
            Self::TransitionalCoS => "transitionalCoS",
            Self::WanProvider => "wanProvider",
            Self::IssuingAuthority => "issuingAuthority",
            Self::LoadController => "loadController",
            Self::OtherUser => "otherUser",
            Self::XmlSigning => "xmlSigning",
            Self::DspXmlSigning => "dspXmlSigning",
            Self::Other(c) => return write!(f, "role({c:02X})"),
        };
        f.write_str(name)
    }
}

impl FromStr for RemotePartyRole {
    type Err = SmkiError;

    /// Same as [`RemotePartyRole::from_ou`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_ou(s)
    }
}

impl From<u8> for RemotePartyRole {
    fn from(code: u8) -> Self {
        Self::from_code(code)
    }
}

impl From<RemotePartyRole> for u8 {
    fn from(r: RemotePartyRole) -> Self {
        r.code()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn named_codes() {
        assert_eq!(RemotePartyRole::from_code(2), RemotePartyRole::Supplier);
        assert_eq!(RemotePartyRole::from_code(0x7F), RemotePartyRole::OtherUser);
        assert_eq!(RemotePartyRole::from_code(135), RemotePartyRole::XmlSigning);
        assert_eq!(
            RemotePartyRole::from_code(137),
            RemotePartyRole::DspXmlSigning
        );
        assert_eq!(
            RemotePartyRole::from_code(0x42),
            RemotePartyRole::Other(0x42)
        );
        assert_eq!(RemotePartyRole::DspXmlSigning.to_ou(), "89");
        assert_eq!(RemotePartyRole::OtherUser.to_ou(), "7F");
        assert_eq!(RemotePartyRole::IssuingAuthority.to_ou(), "07");
    }

    #[test]
    fn ou_parsing() {
        assert_eq!(
            RemotePartyRole::from_ou("02").ok(),
            Some(RemotePartyRole::Supplier)
        );
        assert_eq!(
            RemotePartyRole::from_ou("7f").ok(),
            Some(RemotePartyRole::OtherUser)
        );
        assert_eq!(
            RemotePartyRole::from_ou("89").ok(),
            Some(RemotePartyRole::DspXmlSigning)
        );
        for bad in ["", "2", "137", "0x", "G0", " 2", "02 "] {
            assert!(RemotePartyRole::from_ou(bad).is_err(), "{bad:?} accepted");
        }
    }

    proptest! {
        #[test]
        fn code_round_trips(code in any::<u8>()) {
            let r = RemotePartyRole::from_code(code);
            prop_assert_eq!(r.code(), code);
            prop_assert_eq!(RemotePartyRole::from_ou(&r.to_ou()).ok(), Some(r));
        }

        #[test]
        fn from_ou_never_panics(s in ".{0,6}") {
            let _ = RemotePartyRole::from_ou(&s);
        }
    }
}
