//! Command variants (`sr:CommandVariant`) and the DCC endpoint each is sent to.

use std::fmt;
use std::str::FromStr;

/// The DUIS web service a request is posted to (paths as DCC Boxed uses them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// "Send command" (`/api/v1/serviceS`): CV 1, 3, 5, 7.
    SendCommand,
    /// "Transform" (`/api/v1/serviceT`): CV 4, answered with a pre-command.
    Transform,
    /// "Non-device" / DCC only (`/api/v1/serviceD`): CV 2, 6, 8.
    NonDevice,
}

impl Endpoint {
    /// The HTTP path DCC Boxed serves this endpoint on.
    pub const fn path(self) -> &'static str {
        match self {
            Self::SendCommand => "/api/v1/serviceS",
            Self::Transform => "/api/v1/serviceT",
            Self::NonDevice => "/api/v1/serviceD",
        }
    }

    /// The endpoint served on `path`, if any.
    pub fn from_path(path: &str) -> Option<Self> {
        [Self::SendCommand, Self::Transform, Self::NonDevice]
            .into_iter()
            .find(|e| e.path() == path)
    }
}

/// A DUIS command variant (1 to 8; the XSD's 9 is internal to the DCC and never sent by users).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum CommandVariant {
    /// 1: non-critical request; the command goes over the SM WAN, the response to the user's
    /// Receive Response Service.
    NonCritical = 1,
    /// 2: non-critical request; the command is returned to the user for local delivery.
    NonCriticalLocalDelivery = 2,
    /// 3: non-critical request; sent over the SM WAN and returned for local delivery.
    NonCriticalWanAndLocalDelivery = 3,
    /// 4: critical request to be transformed; answered at once with a pre-command to sign.
    CriticalTransform = 4,
    /// 5: signed pre-command, sent over the SM WAN.
    SignedPreCommand = 5,
    /// 6: signed pre-command, returned for local delivery.
    SignedPreCommandLocalDelivery = 6,
    /// 7: signed pre-command, sent over the SM WAN and returned for local delivery.
    SignedPreCommandWanAndLocalDelivery = 7,
    /// 8: non-device request, answered by the DCC from its own data.
    NonDevice = 8,
}

/// Why a string is not a user command variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandVariantError {
    /// CV 9 exists in the XSD but is internal to the DCC systems.
    #[error("command variant 9 is internal to the DCC and may not be sent by users")]
    Internal,
    /// Not a positive integer from 1 to 9.
    #[error("invalid command variant {0:?}")]
    Invalid(String),
}

impl CommandVariant {
    /// All eight, in order.
    pub const ALL: [CommandVariant; 8] = [
        Self::NonCritical,
        Self::NonCriticalLocalDelivery,
        Self::NonCriticalWanAndLocalDelivery,
        Self::CriticalTransform,
        Self::SignedPreCommand,
        Self::SignedPreCommandLocalDelivery,
        Self::SignedPreCommandWanAndLocalDelivery,
        Self::NonDevice,
    ];

    /// The number (1 to 8).
    pub const fn value(self) -> u8 {
        self as u8
    }

    /// The variant for a number 1 to 8.
    pub const fn from_value(v: u8) -> Option<Self> {
        Some(match v {
            1 => Self::NonCritical,
            2 => Self::NonCriticalLocalDelivery,
            3 => Self::NonCriticalWanAndLocalDelivery,
            4 => Self::CriticalTransform,
            5 => Self::SignedPreCommand,
            6 => Self::SignedPreCommandLocalDelivery,
            7 => Self::SignedPreCommandWanAndLocalDelivery,
            8 => Self::NonDevice,
            _ => return None,
        })
    }

    /// The endpoint a request with this variant is posted to: 1, 3, 5, 7 → send command;
    /// 4 → transform; 2, 6, 8 → non-device.
    pub const fn endpoint(self) -> Endpoint {
        match self {
            Self::NonCritical
            | Self::NonCriticalWanAndLocalDelivery
            | Self::SignedPreCommand
            | Self::SignedPreCommandWanAndLocalDelivery => Endpoint::SendCommand,
            Self::CriticalTransform => Endpoint::Transform,
            Self::NonCriticalLocalDelivery
            | Self::SignedPreCommandLocalDelivery
            | Self::NonDevice => Endpoint::NonDevice,
        }
    }

    /// Part of the critical flow (4, 5, 6, 7).
    pub const fn is_critical(self) -> bool {
        matches!(self.value(), 4..=7)
    }

    /// Carries a `SignedPreCommand` body (5, 6, 7).
    pub const fn is_signed_pre_command(self) -> bool {
        matches!(self.value(), 5..=7)
    }

    /// A non-critical device request (1, 2, 3).
    pub const fn is_non_critical_device(self) -> bool {
        matches!(self.value(), 1..=3)
    }

    /// A non-device request (8).
    pub const fn is_non_device(self) -> bool {
        matches!(self, Self::NonDevice)
    }

    /// A command goes to the device over the SM WAN (1, 3, 5, 7).
    pub const fn sends_via_wan(self) -> bool {
        matches!(self.value(), 1 | 3 | 5 | 7)
    }

    /// The command is returned to the user for local delivery (2, 3, 6, 7).
    pub const fn returns_for_local_delivery(self) -> bool {
        matches!(self.value(), 2 | 3 | 6 | 7)
    }
}

/// xs:positiveInteger lexical form: optional `+`, decimal digits (leading zeros allowed),
/// surrounding XML whitespace collapsed.
pub(crate) fn parse_xs_unsigned(s: &str) -> Option<u64> {
    let t = s.trim_matches(crate::xml::is_xml_space);
    let digits = t.strip_prefix('+').unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return Some(0);
    }
    significant.parse().ok()
}

impl FromStr for CommandVariant {
    type Err = CommandVariantError;

    /// The XSD lexical form (`"4"`, `"+04"`); 9 is refused as internal.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match parse_xs_unsigned(s) {
            Some(9) => Err(CommandVariantError::Internal),
            Some(v) => u8::try_from(v)
                .ok()
                .and_then(Self::from_value)
                .ok_or_else(|| CommandVariantError::Invalid(s.chars().take(32).collect())),
            None => Err(CommandVariantError::Invalid(s.chars().take(32).collect())),
        }
    }
}

impl fmt::Display for CommandVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_follow_dcc_boxed() {
        use CommandVariant as C;
        let s: Vec<u8> = C::ALL
            .iter()
            .filter(|c| c.endpoint() == Endpoint::SendCommand)
            .map(|c| c.value())
            .collect();
        assert_eq!(s, [1, 3, 5, 7]);
        let d: Vec<u8> = C::ALL
            .iter()
            .filter(|c| c.endpoint() == Endpoint::NonDevice)
            .map(|c| c.value())
            .collect();
        assert_eq!(d, [2, 6, 8]);
        assert_eq!(C::CriticalTransform.endpoint(), Endpoint::Transform);
        assert_eq!(Endpoint::Transform.path(), "/api/v1/serviceT");
        for e in [
            Endpoint::SendCommand,
            Endpoint::Transform,
            Endpoint::NonDevice,
        ] {
            assert_eq!(Endpoint::from_path(e.path()), Some(e));
        }
        assert_eq!(Endpoint::from_path("/api/v1/serviceX"), None);
    }

    #[test]
    fn classification() {
        for c in CommandVariant::ALL {
            let classes = [
                c.is_non_critical_device(),
                c.is_critical(),
                c.is_non_device(),
            ];
            assert_eq!(classes.iter().filter(|b| **b).count(), 1, "{c}");
            assert_eq!(CommandVariant::from_value(c.value()), Some(c));
            assert_eq!(c.to_string().parse::<CommandVariant>().unwrap(), c);
        }
        assert!(CommandVariant::SignedPreCommand.is_signed_pre_command());
        assert!(!CommandVariant::CriticalTransform.is_signed_pre_command());
        assert!(CommandVariant::NonCriticalWanAndLocalDelivery.sends_via_wan());
        assert!(CommandVariant::NonCriticalWanAndLocalDelivery.returns_for_local_delivery());
        assert!(!CommandVariant::NonDevice.sends_via_wan());
    }

    #[test]
    fn lexical_forms() {
        assert_eq!("+04".parse::<CommandVariant>().unwrap().value(), 4);
        assert_eq!(" 8\n".parse::<CommandVariant>().unwrap().value(), 8);
        assert_eq!(
            "9".parse::<CommandVariant>(),
            Err(CommandVariantError::Internal)
        );
        for bad in [
            "0",
            "10",
            "",
            "+",
            "-1",
            "1.0",
            "x",
            "99999999999999999999999",
        ] {
            assert!(
                matches!(
                    bad.parse::<CommandVariant>(),
                    Err(CommandVariantError::Invalid(_))
                ),
                "{bad:?}"
            );
        }
    }
}
