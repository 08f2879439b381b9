//! What the device log reads of DUIS 8.9 share (CS07, CCS04/CCS05, CCS06, CCS07): their
//! shapes, as the RTDS vectors (`8.9_*`) show them.
//!
//! * CS07 (ASN.1, `0x0013`): the command is a NULL; the response `SEQUENCE { responseCode
//!   INTEGER (0 success, 1 read failure), deviceLog SEQUENCE OF SEQUENCE { deviceId OCTET
//!   STRING (8), deviceType INTEGER } OPTIONAL }`; the failure carries no log.
//! * CCS04/CCS05 (`0x0004`) and CCS06 (`0x010F`): one DLMS GET of the CHF's ZigBee network
//!   control object (class 104, `0-0:30.3.0.255`) attribute 4, `active_devices`: an array of
//!   14-member structures ([`ActiveDevice`]).
//! * CCS07 (`0x00FE`): two DLMS ACTIONs, method 4 (`backup_PAN`) of the current
//!   (`0-0:30.3.0.255`) and of the historic (`0-0:30.3.1.255`) network control objects, each
//!   answered by `structure { date-time, extended PAN id octet-string (8), array of structure {
//!   device id octet-string (8), security details octet-string } }` ([`PanBackup`]).
//!
//! Device type codes (CS07, GCS59): 0 GSME, 1 ESME, 2 CHF, 3 GPF, 4 HCALCS, 5 PPMID, 6 Type 2;
//! the decoders keep the code as sent.

use eui::Eui64;

use super::common::{self, OBIS_ZIGBEE_NETWORK_CONTROL};
use super::{Failure, ResponseDecodeError, ResponseOutcome, ResponseValue};
use crate::asn1::{TAG_INTEGER, TAG_OCTET_STRING, TAG_SEQUENCE, Tlv, TlvValue};
use crate::axdr::Data;
use crate::dlms::CosemDescriptor;

/// OBIS of the CHF's historic ZigBee network control object (the CHF Historic Device Log).
pub const OBIS_ZIGBEE_NETWORK_CONTROL_HISTORIC: [u8; 6] = [0, 0, 30, 3, 1, 0xFF];
/// `active_devices` (class 104 attribute 4) of the CHF's network control object.
pub const ACTIVE_DEVICES: CosemDescriptor =
    CosemDescriptor::new(104, OBIS_ZIGBEE_NETWORK_CONTROL, 4);
/// `backup_PAN` (class 104 method 4) of the current network control object.
pub const BACKUP_CURRENT: CosemDescriptor =
    CosemDescriptor::new(104, OBIS_ZIGBEE_NETWORK_CONTROL, 4);
/// `backup_PAN` (class 104 method 4) of the historic network control object.
pub const BACKUP_HISTORIC: CosemDescriptor =
    CosemDescriptor::new(104, OBIS_ZIGBEE_NETWORK_CONTROL_HISTORIC, 4);

/// The security details a CHF reports for a device it holds an install code for (CCS07): the
/// first 16 bytes of the SHA-256 of the install code (the credential its link key derives
/// from), 16 bytes as the RTDS entries.
pub fn security_details(install_code: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    Sha256::digest(install_code)[..16].to_vec()
}

/// CS07's `responseCode` of a read failure.
pub const READ_FAILURE: u8 = 1;

/// One entry of a device log as CS07 answers it (and GCS59 restores it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HanLogEntry {
    /// The other device.
    pub device: Eui64,
    /// Its GBCS device type code (0 GSME, 1 ESME, 2 CHF, 3 GPF, 4 HCALCS, 5 PPMID, 6 Type 2).
    pub device_type: u8,
}

/// The DUIS `DeviceType` text of a GBCS device type code, `None` for a code GBCS does not define.
pub fn device_type_name(code: u8) -> Option<&'static str> {
    Some(match code {
        0 => "GSME",
        1 => "ESME",
        2 => "CHF",
        3 => "GPF",
        4 => "HCALCS",
        5 => "PPMID",
        6 => "Type2",
        _ => return None,
    })
}

/// The CS07 response content: the log (success), or `Err(code)` a failure with no log.
pub fn encode_join_details(outcome: Result<&[HanLogEntry], u8>) -> Vec<u8> {
    let (code, log) = match outcome {
        Ok(entries) => (0, Some(entries)),
        Err(code) => (code, None),
    };
    let mut members = vec![Tlv::primitive(TAG_INTEGER, vec![code & 0x7F])];
    if let Some(entries) = log {
        members.push(encode_log_entries(entries));
    }
    Tlv::constructed(TAG_SEQUENCE, members).encode()
}

/// One device log entry, `SEQUENCE { deviceId OCTET STRING (8), deviceType INTEGER }`.
pub(crate) fn entry_tlv(e: &HanLogEntry) -> Tlv {
    Tlv::constructed(
        TAG_SEQUENCE,
        vec![
            Tlv::primitive(TAG_OCTET_STRING, e.device.0.to_vec()),
            Tlv::primitive(TAG_INTEGER, vec![e.device_type & 0x7F]),
        ],
    )
}

/// A device log, `SEQUENCE OF` [`entry_tlv`].
pub(crate) fn encode_log_entries(entries: &[HanLogEntry]) -> Tlv {
    Tlv::constructed(TAG_SEQUENCE, entries.iter().map(entry_tlv).collect())
}

/// The entries of a DER `SEQUENCE OF SEQUENCE { OCTET STRING (8), INTEGER }`.
pub(crate) fn decode_log_entries(t: &Tlv) -> Result<Vec<HanLogEntry>, ResponseDecodeError> {
    let bad = ResponseDecodeError::Format("device log entry is not (device id, device type)");
    let TlvValue::Constructed(entries) = &t.value else {
        return Err(bad);
    };
    if t.tag.as_slice() != [TAG_SEQUENCE] {
        return Err(bad);
    }
    entries
        .iter()
        .map(|e| match (&e.value, e.tag.as_slice()) {
            (TlvValue::Constructed(m), [TAG_SEQUENCE]) => match &m[..] {
                [id, ty] => {
                    let device = common::primitive(id, TAG_OCTET_STRING)
                        .and_then(Eui64::from_slice)
                        .ok_or(bad.clone())?;
                    let device_type = common::small_integer(ty).ok_or(bad.clone())?;
                    Ok(HanLogEntry {
                        device,
                        device_type,
                    })
                }
                _ => Err(bad.clone()),
            },
            _ => Err(bad.clone()),
        })
        .collect()
}

/// Decodes a CS07 response.
pub fn decode_join_details(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let children = common::asn1_sequence(content)?;
    match &children[..] {
        [code] => match common::small_integer(code) {
            Some(0) => Ok(ResponseOutcome::Success(ResponseValue::HanJoinDetails(
                Vec::new(),
            ))),
            Some(code) => Ok(ResponseOutcome::Failure(Failure::Result { code })),
            None => Err(ResponseDecodeError::Format(
                "CS07 responseCode is not a small INTEGER",
            )),
        },
        [code, log] => match common::small_integer(code) {
            Some(0) => Ok(ResponseOutcome::Success(ResponseValue::HanJoinDetails(
                decode_log_entries(log)?,
            ))),
            _ => Err(ResponseDecodeError::Format(
                "CS07 carries a device log with a failure code",
            )),
        },
        _ => Err(ResponseDecodeError::Format(
            "CS07 response is (responseCode, device log)",
        )),
    }
}

/// One entry of the CHF's `active_devices` (CCS04/CCS05, CCS06).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActiveDevice {
    /// The device (`mac_address`).
    pub device: Eui64,
    /// `status`, a bit-string of 8 bits.
    pub status: u8,
    /// `max_RSSI`, dBm.
    pub max_rssi: i8,
    /// `average_RSSI`, dBm.
    pub average_rssi: i8,
    /// `min_RSSI`, dBm.
    pub min_rssi: i8,
    /// `max_LQI`.
    pub max_lqi: u8,
    /// `average_LQI`.
    pub average_lqi: u8,
    /// `min_LQI`.
    pub min_lqi: u8,
    /// `last_communication_date_time`, the COSEM date-time as sent.
    pub last_communication: [u8; 12],
    /// `number_of_hops`.
    pub hops: u8,
    /// `transmission_failures`.
    pub transmission_failures: u8,
    /// `transmission_successes`.
    pub transmission_successes: u8,
    /// `application_version`.
    pub application_version: u8,
    /// `stack_version`.
    pub stack_version: u8,
}

impl ActiveDevice {
    /// `last_communication_date_time` as an instant: the date and time fields, whatever the
    /// weekday says (the RTDS entries name it); `None` for wildcards or invalid fields.
    pub fn last_communication_at(&self) -> Option<crate::datetime::UtcDateTime> {
        let b = &self.last_communication;
        crate::datetime::UtcDateTime::new(
            u16::from_be_bytes([b[0], b[1]]),
            b[2],
            b[3],
            b[5],
            b[6],
            b[7],
        )
    }

    /// The entry as the DLMS structure of 14 members.
    pub fn to_data(&self) -> Data {
        Data::Structure(vec![
            Data::OctetString(self.device.0.to_vec()),
            Data::BitString {
                bits: 8,
                bytes: vec![self.status],
            },
            Data::Integer(self.max_rssi),
            Data::Integer(self.average_rssi),
            Data::Integer(self.min_rssi),
            Data::Unsigned(self.max_lqi),
            Data::Unsigned(self.average_lqi),
            Data::Unsigned(self.min_lqi),
            Data::OctetString(self.last_communication.to_vec()),
            Data::Unsigned(self.hops),
            Data::Unsigned(self.transmission_failures),
            Data::Unsigned(self.transmission_successes),
            Data::Unsigned(self.application_version),
            Data::Unsigned(self.stack_version),
        ])
    }

    fn from_data(d: &Data) -> Option<Self> {
        let Data::Structure(m) = d else { return None };
        let [
            Data::OctetString(id),
            Data::BitString { bits: 8, bytes },
            Data::Integer(max_rssi),
            Data::Integer(average_rssi),
            Data::Integer(min_rssi),
            Data::Unsigned(max_lqi),
            Data::Unsigned(average_lqi),
            Data::Unsigned(min_lqi),
            Data::OctetString(last),
            Data::Unsigned(hops),
            Data::Unsigned(transmission_failures),
            Data::Unsigned(transmission_successes),
            Data::Unsigned(application_version),
            Data::Unsigned(stack_version),
        ] = &m[..]
        else {
            return None;
        };
        let [status] = bytes[..] else { return None };
        Some(Self {
            device: Eui64::from_slice(id)?,
            status,
            max_rssi: *max_rssi,
            average_rssi: *average_rssi,
            min_rssi: *min_rssi,
            max_lqi: *max_lqi,
            average_lqi: *average_lqi,
            min_lqi: *min_lqi,
            last_communication: last.as_slice().try_into().ok()?,
            hops: *hops,
            transmission_failures: *transmission_failures,
            transmission_successes: *transmission_successes,
            application_version: *application_version,
            stack_version: *stack_version,
        })
    }
}

/// `active_devices` as the DLMS array.
pub fn active_devices_data(devices: &[ActiveDevice]) -> Data {
    Data::Array(devices.iter().map(ActiveDevice::to_data).collect())
}

/// Decodes a CCS04/CCS05 or CCS06 response.
pub fn decode_active_devices(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_value_response(content, "active_devices is not an array of entries", |d| {
        let Data::Array(items) = d else { return None };
        items
            .iter()
            .map(ActiveDevice::from_data)
            .collect::<Option<Vec<_>>>()
            .map(ResponseValue::ActiveDevices)
    })
}

/// One entry of a CHF device log backup: the device and the hash of its security credentials
/// (empty where no link key was established).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PanBackupEntry {
    /// The device.
    pub device: Eui64,
    /// The security details (16 bytes in the RTDS, or empty).
    pub security_details: Vec<u8>,
}

/// What `backup_PAN` answers for one log (CCS07).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PanBackup {
    /// When the backup was taken, the COSEM date-time as sent.
    pub taken: [u8; 12],
    /// The network's extended PAN id.
    pub extended_pan_id: [u8; 8],
    /// The log's entries.
    pub entries: Vec<PanBackupEntry>,
}

impl PanBackup {
    /// The backup as the DLMS structure.
    pub fn to_data(&self) -> Data {
        Data::Structure(vec![
            Data::OctetString(self.taken.to_vec()),
            Data::OctetString(self.extended_pan_id.to_vec()),
            Data::Array(
                self.entries
                    .iter()
                    .map(|e| {
                        Data::Structure(vec![
                            Data::OctetString(e.device.0.to_vec()),
                            Data::OctetString(e.security_details.clone()),
                        ])
                    })
                    .collect(),
            ),
        ])
    }

    fn from_data(d: &Data) -> Option<Self> {
        let Data::Structure(m) = d else { return None };
        let [
            Data::OctetString(taken),
            Data::OctetString(pan),
            Data::Array(entries),
        ] = &m[..]
        else {
            return None;
        };
        let entries = entries
            .iter()
            .map(|e| match e {
                Data::Structure(m) => match &m[..] {
                    [Data::OctetString(id), Data::OctetString(sec)] if sec.len() <= 16 => {
                        Some(PanBackupEntry {
                            device: Eui64::from_slice(id)?,
                            security_details: sec.clone(),
                        })
                    }
                    _ => None,
                },
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Self {
            taken: taken.as_slice().try_into().ok()?,
            extended_pan_id: pan.as_slice().try_into().ok()?,
            entries,
        })
    }
}

/// The CHF's current and historic device logs (CCS07).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChfDeviceLogs {
    /// The CHF Device Log.
    pub current: PanBackup,
    /// The CHF Historic Device Log.
    pub historic: PanBackup,
}

/// Decodes a CCS07 response.
pub fn decode_chf_device_logs(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    match common::dlms_response(content, 2)? {
        Err(f) => Ok(ResponseOutcome::Failure(f)),
        Ok(r) => match &r.data[..] {
            [c, h] => {
                let bad = ResponseDecodeError::Format("backup_PAN answer is not a PAN backup");
                let current = PanBackup::from_data(c).ok_or(bad.clone())?;
                let historic = PanBackup::from_data(h).ok_or(bad)?;
                Ok(ResponseOutcome::Success(ResponseValue::ChfDeviceLogs(
                    Box::new(ChfDeviceLogs { current, historic }),
                )))
            }
            _ => Err(ResponseDecodeError::Format("CCS07 answers two backups")),
        },
    }
}
