//! DUIS 8.9 Read Device Log on the device's own state: a device's device log
//! ([`crate::DeviceState::device_log`]: the devices a meter, GPF or HAN device has joined, the
//! devices on the CHF's whitelist).
//!
//! * CS07 answers the device log: each entry's device and its GBCS device type, which a join
//!   records in the entry's `key_type` (the member a CCS01 entry uses for its key type; on a
//!   non-CHF device the join's `otherDeviceType`). A device with the
//!   [`DeviceFault::Logs`] fault answers read failure (1) with no log.
//! * CCS04/CCS05 and CCS06 answer the CHF's `active_devices`: one entry per device on the
//!   whitelist, its last communication the device time it was last added
//!   ([`HanLogs::added`]; the emulated HAN carries no traffic timing of its own), the radio
//!   figures ([`RADIO`]) fixed.
//! * CCS07 answers `backup_PAN` of the current log (the whitelist, each device with
//!   [`han_logs::security_details`] of its install code) and of the historic log
//!   ([`HanLogs::historic`]: the devices removed from the whitelist, most recent last, with the
//!   security details they had, and not added back since); the extended PAN id is the CHF's
//!   own EUI-64 (the network it forms).
//!
//! A DLMS fault on the object read ([`DeviceFault::DlmsObject`]) or [`DeviceFault::Logs`]
//! answers hardware-fault, as the RTDS ERROR vectors: CCS07's second ACTION then is not
//! executed.

use gbcs::axdr::Data;
use gbcs::dlms::{CosemDescriptor, ResponseSpec};
use gbcs::usecases::han_logs::{
    self, ACTIVE_DEVICES, ActiveDevice, BACKUP_CURRENT, BACKUP_HISTORIC, HanLogEntry, PanBackup,
    PanBackupEntry,
};
use gbcs::{GeneralSigning, UtcDateTime};
use serde::{Deserialize, Serialize};

use crate::device::EmulatedDevice;
use crate::exec::{DLMS_FAILURE, DLMS_NOT_EXECUTED, DLMS_SUCCESS, Execution, dlms_response, done};
use crate::state::{DEVICE_LOG_CAPACITY, DeviceFault, DeviceLogEntry, hex_bytes};

/// A CHF's device log history (DUIS 8.9/8.12), kept as CCS01 and CCS02 change the whitelist.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HanLogs {
    /// The device time (unix seconds) each whitelisted device was last added.
    pub added: std::collections::BTreeMap<eui::Eui64, i64>,
    /// The CHF Historic Device Log: devices removed from the whitelist, the most recent removal
    /// last, at most [`DEVICE_LOG_CAPACITY`] (the oldest dropped).
    pub historic: Vec<HistoricDevice>,
}

/// A device in the CHF Historic Device Log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoricDevice {
    /// The device.
    pub device: eui::Eui64,
    /// The security details it had when removed.
    #[serde(with = "hex_bytes")]
    pub security_details: Vec<u8>,
}

impl HanLogs {
    /// `entry` was added to the whitelist at device time `at`: no longer historic.
    pub(crate) fn record_added(&mut self, entry: &DeviceLogEntry, at: i64) {
        self.added.insert(entry.device, at);
        self.historic.retain(|h| h.device != entry.device);
    }

    /// `entry` was removed from the whitelist: historic, the most recent last.
    pub(crate) fn record_removed(&mut self, entry: &DeviceLogEntry) {
        self.added.remove(&entry.device);
        self.historic.retain(|h| h.device != entry.device);
        self.historic.push(HistoricDevice {
            device: entry.device,
            security_details: han_logs::security_details(&entry.install_code),
        });
        if self.historic.len() > DEVICE_LOG_CAPACITY {
            let excess = self.historic.len() - DEVICE_LOG_CAPACITY;
            self.historic.drain(..excess);
        }
    }
}

/// The radio figures of every active device entry: status, maximum, average and minimum RSSI
/// (dBm), maximum, average and minimum LQI, hops, transmission failures and successes,
/// application and stack versions (the emulated HAN has no radio).
pub const RADIO: (u8, [i8; 3], [u8; 3], [u8; 5]) =
    (0xC8, [-35, -50, -100], [2, 39, 247], [1, 0, 100, 1, 1]);

impl EmulatedDevice {
    fn device_log_fault(&self, o: CosemDescriptor) -> bool {
        self.state.has_fault(DeviceFault::Logs)
            || self.state.has_fault(DeviceFault::DlmsObject {
                class: o.class_id,
                obis: o.instance,
                attribute: o.index,
            })
    }

    /// CS07: the device log with each entry's device type.
    pub(crate) fn cs07(&self) -> Option<Execution> {
        if self.state.has_fault(DeviceFault::Logs) {
            return done(
                han_logs::encode_join_details(Err(han_logs::READ_FAILURE)),
                false,
            );
        }
        let log: Vec<HanLogEntry> = self
            .state
            .device_log
            .iter()
            .map(|e| HanLogEntry {
                device: e.device,
                device_type: e.key_type,
            })
            .collect();
        done(han_logs::encode_join_details(Ok(&log)), true)
    }

    /// CCS04/CCS05, CCS06: the CHF's active devices.
    pub(crate) fn chf_active_devices(
        &self,
        apdu: &GeneralSigning,
        now: UtcDateTime,
    ) -> Option<Execution> {
        if self.device_log_fault(ACTIVE_DEVICES) {
            return done(
                dlms_response(
                    apdu.counter,
                    vec![Data::Null],
                    vec![ResponseSpec::Get(DLMS_FAILURE)],
                ),
                false,
            );
        }
        let clock = self.device_time(now);
        let (status, rssi, lqi, rest) = RADIO;
        let devices: Vec<ActiveDevice> = self
            .state
            .device_log
            .iter()
            .map(|e| {
                let at = self
                    .state
                    .han_logs
                    .added
                    .get(&e.device)
                    .and_then(|t| UtcDateTime::from_unix(*t))
                    .unwrap_or(clock);
                ActiveDevice {
                    device: e.device,
                    status,
                    max_rssi: rssi[0],
                    average_rssi: rssi[1],
                    min_rssi: rssi[2],
                    max_lqi: lqi[0],
                    average_lqi: lqi[1],
                    min_lqi: lqi[2],
                    last_communication: at.to_cosem().0,
                    hops: rest[0],
                    transmission_failures: rest[1],
                    transmission_successes: rest[2],
                    application_version: rest[3],
                    stack_version: rest[4],
                }
            })
            .collect();
        done(
            dlms_response(
                apdu.counter,
                vec![han_logs::active_devices_data(&devices)],
                vec![ResponseSpec::Get(DLMS_SUCCESS)],
            ),
            true,
        )
    }

    /// CCS07: `backup_PAN` of the current and of the historic device log.
    pub(crate) fn ccs07(&self, apdu: &GeneralSigning, now: UtcDateTime) -> Option<Execution> {
        let taken = self.device_time(now).to_cosem().0;
        let extended_pan_id = self.eui().0;
        for (i, o) in [BACKUP_CURRENT, BACKUP_HISTORIC].into_iter().enumerate() {
            if self.device_log_fault(o) {
                let results = (0..2)
                    .map(|j| {
                        ResponseSpec::Action(match j.cmp(&i) {
                            std::cmp::Ordering::Less => DLMS_SUCCESS,
                            std::cmp::Ordering::Equal => DLMS_FAILURE,
                            std::cmp::Ordering::Greater => DLMS_NOT_EXECUTED,
                        })
                    })
                    .collect();
                return done(
                    dlms_response(apdu.counter, vec![Data::Null, Data::Null], results),
                    false,
                );
            }
        }
        let current = PanBackup {
            taken,
            extended_pan_id,
            entries: self
                .state
                .device_log
                .iter()
                .map(|e| PanBackupEntry {
                    device: e.device,
                    security_details: han_logs::security_details(&e.install_code),
                })
                .collect(),
        };
        let historic = PanBackup {
            taken,
            extended_pan_id,
            entries: self
                .state
                .han_logs
                .historic
                .iter()
                .map(|h| PanBackupEntry {
                    device: h.device,
                    security_details: h.security_details.clone(),
                })
                .collect(),
        };
        done(
            dlms_response(
                apdu.counter,
                vec![current.to_data(), historic.to_data()],
                vec![
                    ResponseSpec::Action(DLMS_SUCCESS),
                    ResponseSpec::Action(DLMS_SUCCESS),
                ],
            ),
            true,
        )
    }
}
