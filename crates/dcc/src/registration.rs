//! "Who is registered for this device on this date": the rule is
//! [`dcc_model::registration`] (pure, shared with the SMKI service); [`load`] fetches the data it
//! needs inside a DCC store transaction.

pub use dcc_model::registration::*;

use crate::error::DccError;
use crate::model::Device;
use crate::store::Tx;
use time::Date;

/// Loads what [`registered_parties`] needs for `device` and answers it: the device's premises
/// (none for a device not installed anywhere) and the registrations of its supply points
/// ([`supply_points`]).
pub fn load(tx: &mut dyn Tx, device: &Device, date: Date) -> Result<RegisteredParties, DccError> {
    Ok(load_with_points(tx, device, date)?.0)
}

/// As [`load`], with the supply points that govern the device (read on the way).
pub fn load_with_points(
    tx: &mut dyn Tx,
    device: &Device,
    date: Date,
) -> Result<(RegisteredParties, SupplyPoints), DccError> {
    let premises = match &device.uprn {
        Some(u) => tx.premises(u)?,
        None => None,
    };
    let points = supply_points(device, premises.as_ref());
    let mut regs = Vec::new();
    for mpxn in [points.mpan.as_deref(), points.mprn.as_deref()]
        .into_iter()
        .flatten()
    {
        regs.extend(tx.registrations(mpxn)?);
    }
    let parties = registered_parties(device, premises.as_ref(), &regs, date);
    Ok((parties, points))
}
