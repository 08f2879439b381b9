//! The Smart Metering Inventory's status history: plain data. The rules (which transition each
//! service or DCC process may make) are `dcc::smi`'s; this is what a store keeps of each change.

use std::fmt;
use std::str::FromStr;

use duis::{DeviceStatus, Srv};
use eui::Eui64;
use time::OffsetDateTime;

use crate::UnknownValue;

/// A DCC process (not a DUIS service) that changes SMI statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DccProcess {
    /// A Certified Products List entry of the device expired: the DCC stops talking to it.
    CplExpiry,
    /// The device's CPL entry is valid again: back to the status it had before suspension.
    CplRestored,
    /// The SMKI Recovery Procedure disabled communications to the device.
    SmkiRecovery,
    /// The SMKI Recovery Procedure restored communications (the device's anchors replaced).
    RecoveryCompleted,
}

impl DccProcess {
    pub const ALL: [DccProcess; 4] = [
        Self::CplExpiry,
        Self::CplRestored,
        Self::SmkiRecovery,
        Self::RecoveryCompleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CplExpiry => "CplExpiry",
            Self::CplRestored => "CplRestored",
            Self::SmkiRecovery => "SmkiRecovery",
            Self::RecoveryCompleted => "RecoveryCompleted",
        }
    }
}

/// What caused a status change: a DUIS service reference variant, or a DCC process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmiCause {
    Service(Srv),
    Process(DccProcess),
}

impl fmt::Display for SmiCause {
    /// `8.1.1` for a service, `dcc:CplExpiry` for a process (the stored form).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Service(s) => write!(f, "{s}"),
            Self::Process(p) => write!(f, "dcc:{}", p.as_str()),
        }
    }
}

impl FromStr for SmiCause {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(p) = s.strip_prefix("dcc:") {
            return DccProcess::ALL
                .into_iter()
                .find(|x| x.as_str() == p)
                .map(Self::Process)
                .ok_or_else(|| UnknownValue::new("DCC process", p));
        }
        s.parse::<Srv>()
            .map(Self::Service)
            .map_err(|_| UnknownValue::new("SMI cause", s))
    }
}

/// Who made a status change: a DCC User (the requester), or the DCC itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmiActor {
    User(Eui64),
    Dcc,
}

impl fmt::Display for SmiActor {
    /// The user's EUI-64, or `DCC` (the stored form).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::User(e) => write!(f, "{e}"),
            Self::Dcc => f.write_str("DCC"),
        }
    }
}

impl FromStr for SmiActor {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "DCC" {
            return Ok(Self::Dcc);
        }
        s.parse::<Eui64>()
            .map(Self::User)
            .map_err(|_| UnknownValue::new("SMI actor", s))
    }
}

/// One entry of a device's status history: when, from what (none when the device entered the
/// inventory), to what, caused by which service or process, made by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub device: Eui64,
    pub at: OffsetDateTime,
    pub from: Option<DeviceStatus>,
    pub to: DeviceStatus,
    pub cause: SmiCause,
    pub by: SmiActor,
}

impl StatusChange {
    /// When, in unix milliseconds (the stored form).
    pub fn at_ms(&self) -> i64 {
        i64::try_from(self.at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
    }

    /// An entry from its stored form: the time in unix milliseconds, the statuses, cause and
    /// actor as text.
    pub fn from_stored(
        device: Eui64,
        at_ms: i64,
        from: Option<&str>,
        to: &str,
        cause: &str,
        by: &str,
    ) -> Result<Self, UnknownValue> {
        let status = |s: &str| {
            s.parse::<DeviceStatus>()
                .map_err(|_| UnknownValue::new("SMI status", s))
        };
        Ok(Self {
            device,
            at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_ms) * 1_000_000)
                .map_err(|_| UnknownValue::new("time", &at_ms.to_string()))?,
            from: from.map(status).transpose()?,
            to: status(to)?,
            cause: cause.parse()?,
            by: by.parse()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_forms_round_trip() {
        for c in [
            SmiCause::Service(Srv::V8_1_1),
            SmiCause::Service(Srv::V12_2),
            SmiCause::Process(DccProcess::CplExpiry),
            SmiCause::Process(DccProcess::RecoveryCompleted),
        ] {
            assert_eq!(c.to_string().parse::<SmiCause>().unwrap(), c);
        }
        for a in [
            SmiActor::Dcc,
            SmiActor::User(Eui64::from_u64(0x90b3d51f30010000)),
        ] {
            assert_eq!(a.to_string().parse::<SmiActor>().unwrap(), a);
        }
        assert!("dcc:Nothing".parse::<SmiCause>().is_err());
        assert!("99.9".parse::<SmiCause>().is_err());
    }
}
