//! 8.12.1 Restore HAN Device Log (CCS03) → `RestoreHANDeviceLogRsp` (empty); 8.12.2 Restore
//! GPF Device Log (GCS59) → `RestoreGPFDeviceLogRsp`, one `RestoreDeviceLogOutcome` per
//! restored entry (`success`).
//!
//! 8.9 Read Device Log → `ReadDeviceLogRsp`: CS07 as `DeviceLogEntries` (each device and its
//! DUIS device type), CCS04/CCS05 and CCS06 as `CHFDeviceLog` (each device and its last
//! communication), CCS07 as `CHFConnectedDeviceLog` (the current and historic logs, each
//! device with its security details in hex; none where empty).

use gbcs::usecases::han_logs::{self, PanBackup};
use gbcs::usecases::{ResponseValue, ccs03, ccs05, ccs06, ccs07, cs07, gcs59};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::time::xs_date_time;
use crate::xml::Xml;

const fn mapping(use_case: &'static gbcs::usecases::UseCaseSpec) -> ResponseMapping {
    ResponseMapping {
        use_case,
        service_reference: "8.9",
        service_reference_variant: "8.9",
        element: "ReadDeviceLogRsp",
        by_variant: &[],
        render,
        failure: None,
    }
}

/// CS07.
pub static CS07: ResponseMapping = mapping(&cs07::SPEC);
/// CCS04/CCS05.
pub static CCS05: ResponseMapping = mapping(&ccs05::SPEC);
/// CCS06.
pub static CCS06: ResponseMapping = mapping(&ccs06::SPEC);
/// CCS07.
pub static CCS07: ResponseMapping = mapping(&ccs07::SPEC);

/// CCS03.
pub static CCS03: ResponseMapping = ResponseMapping {
    use_case: &ccs03::SPEC,
    service_reference: "8.12",
    service_reference_variant: "8.12.1",
    element: "RestoreHANDeviceLogRsp",
    by_variant: &[],
    render: render_restore,
    failure: None,
};

/// GCS59.
pub static GCS59: ResponseMapping = ResponseMapping {
    use_case: &gcs59::SPEC,
    service_reference: "8.12",
    service_reference_variant: "8.12.2",
    element: "RestoreGPFDeviceLogRsp",
    by_variant: &[],
    render: render_restore,
    failure: None,
};

fn render_restore(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let mut x = Xml::new();
    match v {
        ResponseValue::Done => {}
        ResponseValue::DeviceLogRestored(entries) => {
            for e in entries {
                let t = han_logs::device_type_name(e.device_type).ok_or_else(|| {
                    MappingError(format!("device type {} is not GBCS's", e.device_type))
                })?;
                x.open("RestoreDeviceLogOutcome", &[]);
                x.open("DeviceLogEntry", &[]);
                x.leaf("DeviceID", &e.device.to_string());
                x.leaf("DeviceType", t);
                x.close("DeviceLogEntry");
                x.open("joinResponseCode", &[("ResponseCode", "0")]);
                x.leaf("ASN1Status", "success");
                x.close("joinResponseCode");
                x.close("RestoreDeviceLogOutcome");
            }
        }
        _ => return Err(MappingError::unexpected(v)),
    }
    Ok(Rendering::Children(x))
}

/// The CHF logs list at most 16 entries each (the MMC schema's bound).
const MAX_CHF_ENTRIES: usize = 16;

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let mut x = Xml::new();
    match v {
        ResponseValue::HanJoinDetails(log) => {
            x.open("DeviceLogEntries", &[]);
            for e in log {
                let t = han_logs::device_type_name(e.device_type).ok_or_else(|| {
                    MappingError(format!("device type {} is not GBCS's", e.device_type))
                })?;
                x.open("LogEntry", &[]);
                x.leaf("DeviceID", &e.device.to_string());
                x.leaf("DeviceType", t);
                x.close("LogEntry");
            }
            x.close("DeviceLogEntries");
        }
        ResponseValue::ActiveDevices(devices) => {
            if devices.len() > MAX_CHF_ENTRIES {
                return Err(MappingError(format!(
                    "{} active devices, the CHF log holds {MAX_CHF_ENTRIES}",
                    devices.len()
                )));
            }
            x.open("CHFDeviceLog", &[]);
            for d in devices {
                x.open("CHFDeviceLogEntry", &[]);
                x.leaf("DeviceID", &d.device.to_string());
                if let Some(at) = d.last_communication_at() {
                    x.leaf("LastCommunicationsDateTime", &xs_date_time(at));
                }
                x.close("CHFDeviceLogEntry");
            }
            x.close("CHFDeviceLog");
        }
        ResponseValue::ChfDeviceLogs(logs) => {
            x.open("CHFConnectedDeviceLog", &[]);
            entries(&mut x, "CHFCurrentConnectedDeviceLogEntry", &logs.current)?;
            entries(&mut x, "CHFHistoricConnectedDeviceLogEntry", &logs.historic)?;
            x.close("CHFConnectedDeviceLog");
        }
        _ => return Err(MappingError::unexpected(v)),
    }
    Ok(Rendering::Children(x))
}

fn entries(x: &mut Xml, name: &str, backup: &PanBackup) -> Result<(), MappingError> {
    if backup.entries.len() > MAX_CHF_ENTRIES {
        return Err(MappingError(format!(
            "{} entries, a CHF log holds {MAX_CHF_ENTRIES}",
            backup.entries.len()
        )));
    }
    for e in &backup.entries {
        x.open(name, &[]);
        x.leaf("DeviceID", &e.device.to_string());
        if !e.security_details.is_empty() {
            x.leaf(
                "DeviceSecurityDetails",
                &e.security_details
                    .iter()
                    .map(|b| format!("{b:02X}"))
                    .collect::<String>(),
            );
        }
        x.close(name);
    }
    Ok(())
}
