//! Device kinds and the use cases each one implements, as the `gbcs` catalogue
//! ([`gbcs::usecases::ALL`]) says.

use gbcs::MessageCode;
use gbcs::usecases::{self, DeviceType, UseCaseSpec};
use serde::{Deserialize, Serialize};

use crate::anchors::RemotePartyRole;

/// The kinds of smart-metering device the emulation knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DeviceKind {
    /// Communications Hub Function.
    Chf,
    /// Gas Proxy Function (on the communications hub).
    Gpf,
    /// Electricity Smart Metering Equipment.
    Esme,
    /// Gas Smart Metering Equipment.
    Gsme,
    /// Prepayment Interface Device.
    Ppmid,
    /// HAN Connected Auxiliary Load Control Switch.
    Hcalcs,
    /// In-Home Display (a type 2 device: it takes no GBCS commands).
    Ihd,
}

impl DeviceKind {
    /// Whether the device speaks DLMS COSEM (ESME, CHF) rather than ZigBee/GBZ.
    pub const fn is_dlms(self) -> bool {
        matches!(self, DeviceKind::Esme | DeviceKind::Chf)
    }

    /// The GBCS device type.
    pub const fn device_type(self) -> DeviceType {
        match self {
            DeviceKind::Chf => DeviceType::Chf,
            DeviceKind::Gpf => DeviceType::Gpf,
            DeviceKind::Esme => DeviceType::Esme,
            DeviceKind::Gsme => DeviceType::Gsme,
            DeviceKind::Ppmid => DeviceType::Ppmid,
            DeviceKind::Hcalcs => DeviceType::Hcalcs,
            DeviceKind::Ihd => DeviceType::Ihd,
        }
    }
}

/// A use case the emulated devices execute: an entry of the `gbcs` catalogue.
#[derive(Debug, Clone, Copy)]
pub struct UseCase(&'static UseCaseSpec);

impl PartialEq for UseCase {
    fn eq(&self, other: &Self) -> bool {
        self.0.message_code == other.0.message_code
    }
}

impl Eq for UseCase {}

impl std::hash::Hash for UseCase {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.message_code.hash(state);
    }
}

impl UseCase {
    /// The use case a message code stands for, if a device of `kind` implements it.
    pub fn for_device(code: MessageCode, kind: DeviceKind) -> Option<Self> {
        usecases::supported_on(code, kind.device_type()).map(Self)
    }

    /// The catalogue entry.
    pub const fn spec(self) -> &'static UseCaseSpec {
        self.0
    }

    /// The remote-party roles allowed to originate it.
    pub const fn allowed_roles(self) -> &'static [RemotePartyRole] {
        self.0.originators
    }

    /// Whether the command must carry the originator's signature.
    pub const fn is_critical(self) -> bool {
        self.0.critical
    }

    /// Its message code.
    pub const fn message_code(self) -> MessageCode {
        self.0.message_code
    }
}
