//! The emulated devices behind the WAN: each device's private keys from its vault, its state
//! from the store, and the `devices` crate doing what a real device does with a command.

use std::collections::HashMap;

use dcc::DccError;
use dcc::dispatch::{DeviceAnswer, HubReport};
use dcc::error::InternalError;
use devices::{DeviceIdentity, DeviceKind, DeviceState, EmulatedDevice};
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

/// Every emulated device the WAN reaches, by EUI.
pub struct EmulatedDevices {
    vault: HashMap<Eui64, DeviceIdentity>,
}

impl EmulatedDevices {
    pub fn new(identities: impl IntoIterator<Item = DeviceIdentity>) -> Self {
        Self {
            vault: identities.into_iter().map(|i| (i.eui, i)).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.vault.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vault.is_empty()
    }

    pub(crate) fn load(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        id: Eui64,
    ) -> Result<EmulatedDevice, DccError> {
        let identity = self
            .vault
            .get(&id)
            .ok_or_else(|| internal("device vault", format!("{id} is not an emulated device")))?;
        let json = tx
            .device_state(id)?
            .ok_or_else(|| internal("device state", format!("{id} has no state")))?;
        let state: DeviceState =
            serde_json::from_str(&json).map_err(|e| internal("device state", e))?;
        EmulatedDevice::new(identity.clone(), state).map_err(|e| internal("device keys", e))
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
        self.vault.contains_key(&device)
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
        let behind: Vec<Eui64> = tx
            .devices()?
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
