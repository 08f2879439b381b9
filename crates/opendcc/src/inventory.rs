//! The operator's view of the Smart Metering Inventory's status machine (`dcc::smi`):
//! `opendcc inventory history` (a device's status history) and `opendcc demo --fresh-install`
//! (a new world whose devices are only pre-notified, for a user to install and commission
//! through DUIS).

use std::path::Path;

use dcc::model::DeviceStatus;
use dcc::model::smi::{SmiActor, SmiCause};
use dcc::store::Store;
use duis::Srv;
use eui::Eui64;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::StoreConfig;

/// `opendcc inventory history --device EUI`: the device's status now and every change, oldest
/// first (when, from, to, cause, by whom), and whether its premises' Smart Metering System is
/// Enrolled.
pub fn history(dcc: &StoreConfig, device: &str) -> Result<(), String> {
    let id: Eui64 = device
        .parse()
        .map_err(|_| format!("--device {device:?} is not an EUI-64 (XX-XX-XX-XX-XX-XX-XX-XX)"))?;
    let store = crate::world::operator_store(dcc)?;
    let mut lines = Vec::new();
    store
        .operator_transaction(&mut |tx| {
            lines.clear();
            let d = tx
                .device(id)?
                .ok_or_else(|| dcc::error::AuthzError::UnknownDevice(id.to_string()))?;
            lines.push(format!("{} {}: {}", d.device_type, d.id, d.status));
            for c in tx.status_history(id)? {
                let at = c.at.format(&Rfc3339).unwrap_or_else(|_| c.at.to_string());
                let from = c.from.map_or_else(|| "-".to_string(), |s| s.to_string());
                lines.push(format!(
                    "{at}  {from} -> {}  by {} ({})",
                    c.to, c.by, c.cause
                ));
            }
            if let Some(uprn) = &d.uprn {
                let enrolled = dcc::smi::premises_enrolled(tx, uprn)?;
                lines.push(format!(
                    "premises {uprn}: {}",
                    if enrolled { "Enrolled" } else { "not Enrolled" }
                ));
            }
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    crate::out(&lines.join("\n"))
}

/// `opendcc demo --fresh-install`: every device of the world just made goes back to Pending, as
/// 12.2 Device Pre-notification leaves it (its premises, hub and supply point kept, so that
/// registration governs it), with that as the first entry of its history. A user then installs
/// the hub (8.14.1), whitelists the meters (8.11) and commissions them (8.1.1).
pub fn fresh_install<S: Store>(store: &S, now: OffsetDateTime) -> Result<usize, String> {
    store
        .transaction(|tx| {
            let devices = tx.devices()?;
            for mut d in devices.iter().cloned() {
                d.status = DeviceStatus::Pending;
                d.date_commissioned = None;
                dcc::smi::enter(tx, &d, SmiCause::Service(Srv::V12_2), SmiActor::Dcc, now)?;
            }
            Ok(devices.len())
        })
        .map_err(|e| e.to_string())
}

/// [`fresh_install`] on the world in `dir`, if `dir` held no world before this run (`was_new`).
pub fn fresh_install_world(dir: &Path) -> Result<(), String> {
    let store = crate::world::World::open_existing_store(dir)?;
    let n = fresh_install(&store, OffsetDateTime::now_utc())?;
    tracing::info!(
        devices = n,
        "fresh install: every device is Pending (pre-notified)"
    );
    Ok(())
}
