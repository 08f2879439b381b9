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
    /// The extended PAN id CCS03 restored (the hub's own EUI-64 until then).
    pub extended_pan_id: Option<[u8; 8]>,
    /// The security details CCS03 restored for whitelisted devices whose install code the hub
    /// does not hold.
    pub restored: Vec<HistoricDevice>,
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
        self.restored.retain(|h| h.device != entry.device);
    }

    /// The security details of a whitelisted device: restored ones, else those of its install
    /// code.
    pub fn security_details(&self, entry: &DeviceLogEntry) -> Vec<u8> {
        self.restored
            .iter()
            .find(|r| r.device == entry.device)
            .map_or_else(
                || han_logs::security_details(&entry.install_code),
                |r| r.security_details.clone(),
            )
    }

    /// `entry` was removed from the whitelist: historic, the most recent last.
    pub(crate) fn record_removed(&mut self, entry: &DeviceLogEntry) {
        let security_details = self.security_details(entry);
        self.added.remove(&entry.device);
        self.restored.retain(|h| h.device != entry.device);
        self.historic.retain(|h| h.device != entry.device);
        self.historic.push(HistoricDevice {
            device: entry.device,
            security_details,
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
        let extended_pan_id = self.state.han_logs.extended_pan_id.unwrap_or(self.eui().0);
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
                    security_details: self.state.han_logs.security_details(e),
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

// 8.12 Restore HAN Device Log.
impl EmulatedDevice {
    /// CCS03: the hub forms the restored network and takes the restored devices as its
    /// whitelist (their security details kept, no install code); devices on the whitelist
    /// before and not restored go to the historic log. A DLMS fault on `restore_PAN` answers
    /// hardware-fault and changes nothing (the RTDS ERROR vector).
    pub(crate) fn ccs03(
        &mut self,
        apdu: &GeneralSigning,
        restore: gbcs::usecases::RestorePan,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let method = gbcs::usecases::ccs03::RESTORE_PAN;
        if self.device_log_fault(method) {
            return done(
                dlms_response(
                    apdu.counter,
                    vec![Data::Null],
                    vec![ResponseSpec::Action(DLMS_FAILURE)],
                ),
                false,
            );
        }
        let at = self.device_time(now).to_unix();
        let old = std::mem::take(&mut self.state.device_log);
        for e in old
            .iter()
            .filter(|e| !restore.entries.iter().any(|r| r.device == e.device))
        {
            self.state.han_logs.record_removed(e);
        }
        let logs = &mut self.state.han_logs;
        logs.extended_pan_id = Some(restore.extended_pan_id);
        logs.restored.clear();
        for r in restore.entries.into_iter().take(DEVICE_LOG_CAPACITY) {
            let entry = DeviceLogEntry {
                device: r.device,
                install_code: Vec::new(),
                join_time_period: 0,
                key_type: 1,
                entry_flags: 0,
            };
            logs.record_added(&entry, at);
            logs.restored.push(HistoricDevice {
                device: r.device,
                security_details: r.security_details,
            });
            self.state.device_log.push(entry);
        }
        done(
            dlms_response(
                apdu.counter,
                vec![Data::Null],
                vec![ResponseSpec::Action(DLMS_SUCCESS)],
            ),
            true,
        )
    }

    /// GCS59: each entry restored to the GPF's device log (its type kept in `key_type`, as a
    /// join keeps it), answered in command order: 0 restored (or already there, its type
    /// updated), 4 device log full; a GPF that cannot write its log ([`DeviceFault::Logs`])
    /// answers 5 (write failure) for each and changes nothing.
    pub(crate) fn gcs59(&mut self, entries: Vec<HanLogEntry>) -> Option<Execution> {
        const DEVICE_LOG_FULL: u8 = 4;
        const WRITE_FAILURE: u8 = 5;
        let works = !self.state.has_fault(DeviceFault::Logs);
        let mut outcomes = Vec::with_capacity(entries.len());
        for e in entries {
            let log = &mut self.state.device_log;
            let code = if !works {
                WRITE_FAILURE
            } else if let Some(existing) = log.iter_mut().find(|x| x.device == e.device) {
                existing.key_type = e.device_type;
                0
            } else if log.len() < DEVICE_LOG_CAPACITY {
                log.push(DeviceLogEntry {
                    device: e.device,
                    install_code: Vec::new(),
                    join_time_period: 0,
                    key_type: e.device_type,
                    entry_flags: 0,
                });
                0
            } else {
                DEVICE_LOG_FULL
            };
            outcomes.push((e, code));
        }
        let success = outcomes.iter().all(|(_, c)| *c == 0);
        done(gbcs::usecases::gcs59::encode_response(&outcomes), success)
    }
}
