//! The emulated devices behind the WAN: each device's private keys from its vault, its state
//! from the store, and the `devices` crate doing what a real device does with a command.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use dcc::DccError;
use dcc::dispatch::{DeviceAnswer, HubReport};
use dcc::error::InternalError;
use devices::{DeviceIdentity, DeviceKeys, DeviceKind, DeviceState, EmulatedDevice};
use eui::Eui64;
use gbcs::UtcDateTime;
use time::OffsetDateTime;

use crate::WanTx;

fn internal(what: &str, e: impl std::fmt::Display) -> DccError {
    InternalError::Storage(format!("{what}: {e}")).into()
}

/// GBCS time from the DCC's clock.
pub fn utc(now: OffsetDateTime) -> Result<UtcDateTime, DccError> {
    UtcDateTime::from_unix(now.unix_timestamp())
        .ok_or_else(|| internal("clock", "outside the range GBCS can express"))
}

/// A key store for emulated devices too many to hold in memory: it answers for one device at a
/// time, on demand (injected by the binary; a large world derives each device's keys from a
/// secret rather than keeping a file per device).
pub trait DeviceVault: Send + Sync {
    /// Whether `id` is an emulated device of this vault.
    fn knows(&self, id: Eui64) -> bool;
    /// The device's identity (its private keys), if the vault holds it.
    fn identity(&self, id: Eui64) -> Option<DeviceIdentity>;
    /// The state the device was installed in: what it holds until a command first changes it
    /// (such a device has no stored state row).
    fn installed_state(&self, id: Eui64) -> Option<DeviceState>;
    /// How many devices the vault holds.
    fn len(&self) -> usize;
    /// Whether the vault holds no device.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Every emulated device the WAN reaches, by EUI: identities held in memory (the small demo
/// world) and, optionally, a [`DeviceVault`] answering for the rest on demand.
pub struct EmulatedDevices {
    vault: HashMap<Eui64, DeviceIdentity>,
    more: Option<Arc<dyn DeviceVault>>,
    /// The parsed keys of the devices met lately (with the identity they were parsed from), so
    /// that a command neither parses a device's keys again nor redoes the ECDH with a peer the
    /// device has met (`gbcs::crypto::KaPrivateKey` keeps those). At most [`KEYS_KEPT`]; emptied
    /// when full.
    keys: Mutex<HashMap<Eui64, (DeviceIdentity, Arc<DeviceKeys>)>>,
}

/// The most devices whose parsed keys [`EmulatedDevices`] keeps.
pub const KEYS_KEPT: usize = 65_536;

impl EmulatedDevices {
    pub fn new(identities: impl IntoIterator<Item = DeviceIdentity>) -> Self {
        Self {
            vault: identities.into_iter().map(|i| (i.eui, i)).collect(),
            more: None,
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// `identity`'s parsed keys: kept ones if they were parsed from this very identity.
    fn keys_of(&self, identity: &DeviceIdentity) -> Result<Arc<DeviceKeys>, DccError> {
        let kept = self
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&identity.eui)
            .filter(|(i, _)| i == identity)
            .map(|(_, k)| k.clone());
        if let Some(k) = kept {
            return Ok(k);
        }
        let keys = Arc::new(DeviceKeys::of(identity).map_err(|e| internal("device keys", e))?);
        let mut m = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if m.len() >= KEYS_KEPT {
            m.clear();
        }
        m.insert(identity.eui, (identity.clone(), keys.clone()));
        Ok(keys)
    }

    /// How many devices' parsed keys are kept.
    pub fn keys_kept(&self) -> usize {
        self.keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Adds a vault answering for devices not held in memory.
    #[must_use]
    pub fn with_vault(mut self, vault: Arc<dyn DeviceVault>) -> Self {
        self.more = Some(vault);
        self
    }

    pub fn len(&self) -> usize {
        self.vault.len() + self.more.as_ref().map_or(0, |v| v.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A device's stored state, or else the state its vault says it was installed in.
    pub fn state(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        id: Eui64,
    ) -> Result<Option<DeviceState>, DccError> {
        if let Some(json) = tx.device_state(id)? {
            return serde_json::from_str(&json)
                .map(Some)
                .map_err(|e| internal("device state", e));
        }
        Ok(self
            .more
            .as_ref()
            .filter(|_| !self.vault.contains_key(&id))
            .and_then(|v| v.installed_state(id)))
    }

    pub(crate) fn load(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        id: Eui64,
    ) -> Result<EmulatedDevice, DccError> {
        let identity = match self.vault.get(&id) {
            Some(i) => i.clone(),
            None => self
                .more
                .as_ref()
                .and_then(|v| v.identity(id))
                .ok_or_else(|| {
                    internal("device vault", format!("{id} is not an emulated device"))
                })?,
        };
        let state = self
            .state(tx, id)?
            .ok_or_else(|| internal("device state", format!("{id} has no state")))?;
        let keys = self.keys_of(&identity)?;
        Ok(EmulatedDevice::with_keys(identity, keys, state))
    }

    pub(crate) fn save(
        tx: &mut (impl WanTx + ?Sized),
        dev: &EmulatedDevice,
    ) -> Result<(), DccError> {
        let json = serde_json::to_string(dev.state()).map_err(|e| internal("device state", e))?;
        tx.put_device_state(dev.eui(), &json)?;
        Ok(())
    }
}

impl EmulatedDevices {
    /// Whether the device is emulated (and so reachable at all).
    pub fn knows(&self, device: Eui64) -> bool {
        self.vault.contains_key(&device) || self.more.as_ref().is_some_and(|v| v.knows(device))
    }

    /// Hands a command to the device: it verifies, executes, persists its state and answers.
    pub fn deliver(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        device: Eui64,
        frame: &[u8],
        now: OffsetDateTime,
    ) -> Result<DeviceAnswer, DccError> {
        let mut dev = self.load(tx, device)?;
        let reply = dev.handle(frame, utc(now)?);
        if reply.state_changed {
            Self::save(tx, &dev)?;
        }
        Ok(DeviceAnswer {
            response: reply.response,
            alerts: reply.alerts,
        })
    }

    /// An out-of-band event at a hub (`power-outage`, `power-restored`): what the hub and the
    /// devices behind it raise.
    pub fn event(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        chf: Eui64,
        kind: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<HubReport>, DccError> {
        let mut dev = self.load(tx, chf)?;
        if dev.kind() != DeviceKind::Chf {
            return Err(internal(
                "hub event",
                format!("{chf} is not a communications hub"),
            ));
        }
        let at = utc(now)?;
        let reports = match kind {
            "power-outage" => {
                let notice = dev
                    .power_outage_alert(at)
                    .map_err(|e| internal("power outage", e))?;
                let since = OffsetDateTime::from_unix_timestamp(notice.start.to_unix())
                    .map_err(|e| internal("power outage time", e))?;
                vec![HubReport::PowerOutage { chf, since }]
            }
            "power-restored" => dev
                .power_restored(at)
                .alerts
                .into_iter()
                .map(|frame| HubReport::DeviceAlert { device: chf, frame })
                .collect(),
            other => return Err(internal("hub event", format!("unknown event {other:?}"))),
        };
        Self::save(tx, &dev)?;
        // The premises loses (and regains) power as a whole: every device the hub reaches.
        let mut reports = reports;
        let uprn = tx.device(chf)?.and_then(|d| d.uprn);
        let at_premises = match uprn {
            Some(u) => tx.devices_at(&u)?,
            None => tx.devices()?,
        };
        let behind: Vec<Eui64> = at_premises
            .into_iter()
            .filter(|d| d.chf == Some(chf) && d.id != chf && self.knows(d.id))
            .map(|d| d.id)
            .collect();
        for id in behind {
            let mut d = self.load(tx, id)?;
            if kind == "power-outage" {
                d.power_lost(at);
            } else {
                reports.extend(
                    d.power_restored(at)
                        .alerts
                        .into_iter()
                        .map(|frame| HubReport::DeviceAlert { device: id, frame }),
                );
            }
            Self::save(tx, &d)?;
        }
        Ok(reports)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};

    fn identity(eui: u8) -> DeviceIdentity {
        let pkcs8 = || {
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .unwrap()
                .as_ref()
                .to_vec()
        };
        DeviceIdentity {
            eui: Eui64([0, 0xDB, 0x12, 0, 0, 0, 0, eui]),
            kind: DeviceKind::Esme,
            ds_private_pkcs8: pkcs8(),
            ka_private_pkcs8: pkcs8(),
        }
    }

    #[test]
    fn a_device_s_keys_are_parsed_once_and_never_served_for_other_keys() {
        let devices = EmulatedDevices::new(Vec::new());
        let a = identity(1);
        let first = devices.keys_of(&a).unwrap();
        assert!(Arc::ptr_eq(&first, &devices.keys_of(&a).unwrap()), "kept");
        devices.keys_of(&identity(2)).unwrap();
        assert_eq!(devices.keys_kept(), 2);
        // The same EUI with other keys (a re-keyed vault): parsed afresh, the old ones replaced.
        let rekeyed = DeviceIdentity {
            ka_private_pkcs8: identity(1).ka_private_pkcs8,
            ..a.clone()
        };
        let second = devices.keys_of(&rekeyed).unwrap();
        assert!(!Arc::ptr_eq(&first, &second));
        assert!(Arc::ptr_eq(&second, &devices.keys_of(&rekeyed).unwrap()));
        assert_eq!(devices.keys_kept(), 2);
    }
}
