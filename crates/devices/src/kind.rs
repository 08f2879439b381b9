//! Device kinds and the use cases each one implements.

use gbcs::MessageCode;
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
}

/// A use case the emulated devices execute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UseCase {
    /// ECS52 read ESME/CHF firmware version.
    Ecs52,
    /// GCS38 read GSME firmware version.
    Gcs38,
    /// CS08 read PPMID/HCALCS firmware version.
    Cs08,
    /// ECS45 read ESME supply (load switch) status.
    Ecs45,
    /// GCS33 read GSME valve status.
    Gcs33,
    /// ECS17b read ESME import energy registers (protected read).
    Ecs17b,
    /// GCS13a read GSME consumption register (encrypted response).
    Gcs13a,
    /// ECS42 remotely close the load switch (enable supply). Critical.
    Ecs42,
    /// ECS43 remotely open the load switch (disable supply). Critical.
    Ecs43,
    /// GCS32 remotely close the gas valve (disable supply). Critical.
    Gcs32,
    /// ECS70 set clock on ESME (also commissioning). Critical.
    Ecs70,
    /// GCS28 set clock on GSME (also commissioning). Critical.
    Gcs28,
    /// CCS01 add a device to the CHF device log.
    Ccs01,
    /// CCS02 remove a device from the CHF device log.
    Ccs02,
}

use RemotePartyRole::{AccessControlBroker as Acb, NetworkOperator as No, Supplier as Sup};

impl UseCase {
    /// The use case a message code stands for, if a device of `kind` implements it.
    pub fn for_device(code: MessageCode, kind: DeviceKind) -> Option<Self> {
        use DeviceKind as K;
        let uc = match code {
            MessageCode::ECS52 => UseCase::Ecs52,
            MessageCode::GCS38 => UseCase::Gcs38,
            MessageCode::CS08 => UseCase::Cs08,
            MessageCode::ECS45 => UseCase::Ecs45,
            MessageCode::GCS33 => UseCase::Gcs33,
            MessageCode::ECS17B => UseCase::Ecs17b,
            MessageCode::GCS13A => UseCase::Gcs13a,
            MessageCode::ECS42 => UseCase::Ecs42,
            MessageCode::ECS43 => UseCase::Ecs43,
            MessageCode::GCS32 => UseCase::Gcs32,
            MessageCode::ECS70 => UseCase::Ecs70,
            MessageCode::GCS28 => UseCase::Gcs28,
            MessageCode::CCS01 => UseCase::Ccs01,
            MessageCode::CCS02 => UseCase::Ccs02,
            _ => return None,
        };
        let ok = match uc {
            UseCase::Ecs52 => matches!(kind, K::Esme | K::Chf),
            UseCase::Ecs45 | UseCase::Ecs17b | UseCase::Ecs42 | UseCase::Ecs43 | UseCase::Ecs70 => {
                kind == K::Esme
            }
            UseCase::Gcs38 | UseCase::Gcs33 | UseCase::Gcs32 | UseCase::Gcs28 => kind == K::Gsme,
            UseCase::Gcs13a => matches!(kind, K::Gsme | K::Gpf),
            UseCase::Cs08 => matches!(kind, K::Ppmid | K::Hcalcs),
            UseCase::Ccs01 | UseCase::Ccs02 => kind == K::Chf,
        };
        ok.then_some(uc)
    }

    /// The remote-party roles allowed to originate it. Users that are not device trust anchors
    /// (export suppliers, other users, registered supplier agents) reach the device through the
    /// ACB, which originates on their behalf.
    pub const fn allowed_roles(self) -> &'static [RemotePartyRole] {
        match self {
            UseCase::Ecs52 | UseCase::Gcs38 | UseCase::Ecs45 | UseCase::Gcs33 => &[Sup, No, Acb],
            UseCase::Ecs17b | UseCase::Gcs13a => &[Sup, No],
            UseCase::Ecs42 | UseCase::Ecs43 | UseCase::Gcs32 | UseCase::Ecs70 | UseCase::Gcs28 => {
                &[Sup]
            }
            UseCase::Cs08 | UseCase::Ccs01 | UseCase::Ccs02 => &[Acb],
        }
    }

    /// Whether the command must carry the originator's signature.
    pub const fn is_critical(self) -> bool {
        matches!(
            self,
            UseCase::Ecs42 | UseCase::Ecs43 | UseCase::Gcs32 | UseCase::Ecs70 | UseCase::Gcs28
        )
    }

    /// Its message code.
    pub const fn message_code(self) -> MessageCode {
        match self {
            UseCase::Ecs52 => MessageCode::ECS52,
            UseCase::Gcs38 => MessageCode::GCS38,
            UseCase::Cs08 => MessageCode::CS08,
            UseCase::Ecs45 => MessageCode::ECS45,
            UseCase::Gcs33 => MessageCode::GCS33,
            UseCase::Ecs17b => MessageCode::ECS17B,
            UseCase::Gcs13a => MessageCode::GCS13A,
            UseCase::Ecs42 => MessageCode::ECS42,
            UseCase::Ecs43 => MessageCode::ECS43,
            UseCase::Gcs32 => MessageCode::GCS32,
            UseCase::Ecs70 => MessageCode::ECS70,
            UseCase::Gcs28 => MessageCode::GCS28,
            UseCase::Ccs01 => MessageCode::CCS01,
            UseCase::Ccs02 => MessageCode::CCS02,
        }
    }
}
