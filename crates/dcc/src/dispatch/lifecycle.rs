//! What a device's successful answer changes in the Smart Metering Inventory (`crate::smi`):
//! 8.1.1 Commission Device answered → the meter (or GPF) is Commissioned; 8.11's CCS01
//! answered → the device added to the CHF device log is Whitelisted; 8.7.x's CS03 answered →
//! the Type 1 device joined (the target or the other device) is Commissioned, a Type 2 device
//! Installed Not Commissioned. Each change goes through
//! `crate::smi`, caused by the service and made by the user whose request it was, in the
//! attempt's transaction. A change the SEC does not allow from the device's status now (it
//! changed since the request was accepted, or a commissioned meter commissioned again) is not
//! made: the user still gets the device's answer.

use duis::Srv;
use gbcs::Frame;
use gbcs::usecases::{DecodedCommand, decode_command};
use time::OffsetDateTime;

use crate::error::DccError;
use crate::model::DeviceStatus;
use crate::model::smi::{SmiActor, SmiCause};
use crate::smi;
use crate::store::{Tx, WanJob};

/// Records the status change a successful answer to `job` makes, if any.
pub(crate) fn answered(tx: &mut dyn Tx, job: &WanJob, now: OffsetDateTime) -> Result<(), DccError> {
    let Some(srv) = job.kind.srv() else {
        return Ok(());
    };
    let (device, to) = match srv {
        Srv::V8_1_1 => (job.target, DeviceStatus::Commissioned),
        Srv::V8_11 => match added_device(job) {
            Some(added) => (added, DeviceStatus::Whitelisted),
            None => return Ok(()),
        },
        Srv::V8_7_1 | Srv::V8_7_2 => {
            for joined in joined_devices(job) {
                let Some(d) = tx.device(joined)? else {
                    continue;
                };
                let to = match smi::kind(d.device_type) {
                    smi::Kind::Type1 => DeviceStatus::Commissioned,
                    smi::Kind::Type2 => DeviceStatus::InstalledNotCommissioned,
                    _ => continue,
                };
                change(tx, &d, to, srv, job, now)?;
            }
            return Ok(());
        }
        _ => return Ok(()),
    };
    let Some(d) = tx.device(device)? else {
        return Ok(());
    };
    change(tx, &d, to, srv, job, now)
}

/// Moves `d` to `to` when the SMI rules allow it from its status now; otherwise nothing.
fn change(
    tx: &mut dyn Tx,
    d: &crate::model::Device,
    to: DeviceStatus,
    srv: Srv,
    job: &WanJob,
    now: OffsetDateTime,
) -> Result<(), DccError> {
    if d.status == to {
        return Ok(());
    }
    let by = SmiActor::User(job.originator);
    if let Ok(t) = smi::transition(d, to, SmiCause::Service(srv), by, now) {
        smi::record(tx, &t)?;
    }
    Ok(())
}

/// The two devices a CS03 join command joins: its target and the other device.
fn joined_devices(job: &WanJob) -> Vec<eui::Eui64> {
    let Some(frame) = Frame::decode(&job.command).ok() else {
        return Vec::new();
    };
    match decode_command(frame.apdu()) {
        Ok(
            DecodedCommand::Cs03a1(c)
            | DecodedCommand::Cs03a2(c)
            | DecodedCommand::Cs03b(c)
            | DecodedCommand::Cs03c(c),
        ) => vec![job.target, c.other_device],
        _ => Vec::new(),
    }
}

/// The device a CCS01 command adds to the CHF device log.
fn added_device(job: &WanJob) -> Option<eui::Eui64> {
    let frame = Frame::decode(&job.command).ok()?;
    match decode_command(frame.apdu()).ok()? {
        DecodedCommand::Ccs01(add) => Some(add.device_id),
        _ => None,
    }
}
