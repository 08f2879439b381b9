//! The DCC's side of the Certified Products List (`cpl`, seed 003 paras 287–297): the CPL read
//! and changed inside a store transaction, every change noticed to every SEC Party (every user),
//! only listed models let into the inventory, and the DCC's act when an entry expires: the
//! devices of the model and their dependants Suspended ([`suspend_for_cpl_expiry`]), their
//! supplier and network operator told, their DCC schedules withdrawn.

use cpl::{Cpl, CplError, DeviceModel, Notice, Party};
use eui::Eui64;
use time::OffsetDateTime;

use crate::error::{DccError, ServiceError};
use crate::model::{Device, DeviceStatus};
use crate::registration;
use crate::schedule::Scheduler;
use crate::store::Tx;
use duis::UserRole;

/// The CPL as stored.
pub fn load(tx: &mut dyn Tx) -> Result<Cpl, DccError> {
    Ok(Cpl::from_models(tx.cpl_models()?))
}

/// Makes one change to the CPL: `f` changes it or refuses (then nothing is written: the outer
/// `Ok(Err(_))`); what changed is stored and each notice recorded for every SEC Party.
pub fn change<T>(
    tx: &mut dyn Tx,
    f: impl FnOnce(&mut Cpl) -> Result<(T, Vec<Notice>), CplError>,
) -> Result<Result<T, CplError>, DccError> {
    let before = load(tx)?;
    let mut after = before.clone();
    let (out, notices) = match f(&mut after) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    for m in after.models() {
        if before.get(&m.key) != Some(m) {
            tx.put_cpl_model(m)?;
        }
    }
    notify_all(tx, &notices)?;
    Ok(Ok(out))
}

/// Records each notice for every SEC Party (every user the DCC knows).
pub fn notify_all(tx: &mut dyn Tx, notices: &[Notice]) -> Result<(), DccError> {
    if notices.is_empty() {
        return Ok(());
    }
    let users = tx.users()?;
    for n in notices {
        for u in &users {
            tx.put_cpl_notice(u.eui, n)?;
        }
    }
    Ok(())
}

/// The CPL party a user acts as: a supplier when it holds a supplier role, any other SEC Party
/// otherwise; `"DCC"` is the DCC.
pub fn party_of(tx: &mut dyn Tx, who: &str) -> Result<Option<Party>, DccError> {
    if who.eq_ignore_ascii_case("dcc") {
        return Ok(Some(Party::Dcc));
    }
    let user = match who.parse::<Eui64>() {
        Ok(eui) => tx.user(eui)?,
        Err(_) => tx.user_by_name(who)?,
    };
    Ok(user.map(|u| {
        let supplier = u.roles.iter().any(|r| {
            matches!(
                r,
                UserRole::ImportSupplier | UserRole::ExportSupplier | UserRole::GasSupplier
            )
        });
        if supplier {
            Party::Supplier(u.name)
        } else {
            Party::Other(u.name)
        }
    }))
}

/// Whether a device may enter or stay in the inventory's working life: its model (and firmware
/// version, when known) is an Active CPL entry.
pub fn check_listed(tx: &mut dyn Tx, device: &Device) -> Result<Result<(), CplError>, DccError> {
    let cpl = load(tx)?;
    Ok(cpl.device_listed(device).map(|_| ()))
}

/// Refuses, with [`ServiceError::NotOnCpl`], a device whose model (and firmware version, when
/// known) is not an Active CPL entry: 12.2 pre-notifies and 8.1.1 commissions only those.
pub fn require_listed(tx: &mut dyn Tx, device: &Device, srv: duis::Srv) -> Result<(), DccError> {
    match check_listed(tx, device)? {
        Ok(()) => Ok(()),
        Err(e) => Err(ServiceError::NotOnCpl {
            srv,
            why: e.to_string(),
        }
        .into()),
    }
}

/// The check 11.1 Update Firmware makes before the DCC builds its command (seed 003 para 297):
/// SHA-256 over `image` and `firmware_id` equals the CPL's hash for `version` of the device's
/// listed model. `Ok(Err(_))`: the device's model or that version is not listed (Active);
/// `Ok(Ok(false))`: listed, but the hashes differ.
pub fn firmware_hash_matches(
    tx: &mut dyn Tx,
    device: &Device,
    version: &str,
    image: &[u8],
    firmware_id: &[u8],
) -> Result<Result<bool, CplError>, DccError> {
    let cpl = load(tx)?;
    let key = match cpl.listing(
        device.device_type,
        &device.manufacturer,
        &device.model,
        None,
    ) {
        Ok(m) => m.key.clone(),
        Err(e) => return Ok(Err(e)),
    };
    // Any Active hardware version of the model that lists the version.
    let listed = cpl
        .models()
        .filter(|m| {
            m.is_active()
                && m.key.product_type == key.product_type
                && m.key.manufacturer == key.manufacturer
                && m.key.model == key.model
                && m.firmware_version(version).is_some()
        })
        .map(|m| m.key.clone())
        .collect::<Vec<_>>();
    let Some(first) = listed.first() else {
        return Ok(Err(CplError::FirmwareNotListed {
            model: key,
            version: version.to_string(),
        }));
    };
    for k in &listed {
        if cpl.firmware_hash_matches(k, version, image, firmware_id) == Ok(true) {
            return Ok(Ok(true));
        }
    }
    Ok(cpl.firmware_hash_matches(first, version, image, firmware_id))
}

/// What [`expire`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ExpiryOutcome {
    /// The entries taken off the CPL.
    pub expired: Vec<cpl::ModelKey>,
    /// The devices set Suspended (the model's devices and their dependants).
    pub suspended: Vec<Eui64>,
    /// Who was told about which device (its suppliers and network operators).
    pub informed: Vec<(Eui64, Eui64)>,
    /// The DCC schedules withdrawn (their owners alerted).
    pub withdrawn_schedules: Vec<u64>,
}

/// The one place a device's SMI status changes because its model left the CPL: Suspended
/// (seed 003 para 292), through the SMI status machine (`crate::smi`), which keeps the history.
/// A device the rules do not let the DCC suspend (already Suspended, Decommissioned, Withdrawn)
/// is left as it is; returns whether it was suspended.
pub fn suspend_for_cpl_expiry(
    tx: &mut dyn Tx,
    device: &Device,
    now: OffsetDateTime,
) -> Result<bool, DccError> {
    use crate::model::smi::{DccProcess, SmiActor, SmiCause};
    match crate::smi::transition(
        device,
        DeviceStatus::Suspended,
        SmiCause::Process(DccProcess::CplExpiry),
        SmiActor::Dcc,
        now,
    ) {
        Ok(t) => {
            crate::smi::record(tx, &t)?;
            Ok(true)
        }
        Err(_) => Ok(false),
    }
}

/// The DCC's expiry run at `now`: every Active entry whose CPA certificate has expired is
/// taken off the CPL (noticed to every SEC Party); the devices of those models and their
/// dependants are Suspended, each device's registered suppliers and network operators get a
/// notice saying so, and, given the scheduler, the DCC schedules for those devices are
/// withdrawn with an alert to their owners. (Device-future-dated commands the devices hold and
/// DSP future-dated requests the DCC holds are not withdrawn yet: the store has no method that
/// removes them.)
pub fn expire(
    tx: &mut dyn Tx,
    now: OffsetDateTime,
    schedules: Option<&Scheduler>,
) -> Result<ExpiryOutcome, DccError> {
    let at = now.unix_timestamp();
    let expired = change(tx, |cpl| {
        let notices = cpl.expire(at);
        let keys = notices.iter().map(|n| n.model.clone()).collect::<Vec<_>>();
        Ok((keys, notices))
    })?
    .unwrap_or_default();
    let mut out = ExpiryOutcome {
        expired: expired.clone(),
        ..Default::default()
    };
    if expired.is_empty() {
        return Ok(out);
    }
    let devices = tx.devices()?;
    let to_suspend: Vec<Device> = cpl::devices_to_suspend(&expired, &devices)
        .into_iter()
        .cloned()
        .collect();
    for d in &to_suspend {
        if !suspend_for_cpl_expiry(tx, d, now)? {
            continue;
        }
        out.suspended.push(d.id);
        let parties = registration::load(tx, d, now.date())?;
        let mut told: Vec<Eui64> = [
            parties.import_supplier,
            parties.export_supplier,
            parties.gas_supplier,
            parties.electricity_distributor,
            parties.gas_transporter,
        ]
        .into_iter()
        .flatten()
        .collect();
        told.sort();
        told.dedup();
        let own = expired_model_of(&expired, d);
        let reason = match own {
            Some(k) => format!("its model {k} left the CPL"),
            None => "a device it depends on left the CPL".to_string(),
        };
        let notice = Notice {
            at,
            by: Party::Dcc,
            model: own.unwrap_or(&expired[0]).clone(),
            change: format!("device {} Suspended: {reason}", d.id),
        };
        for party in told {
            tx.put_cpl_notice(party, &notice)?;
            out.informed.push((party, d.id));
        }
    }
    if let Some(s) = schedules {
        out.withdrawn_schedules = s.withdraw_for_devices(tx, &out.suspended, now)?;
    }
    Ok(out)
}

fn expired_model_of<'k>(expired: &'k [cpl::ModelKey], d: &Device) -> Option<&'k cpl::ModelKey> {
    let pt = cpl::ProductType::of(d.device_type)?;
    expired
        .iter()
        .find(|k| k.product_type == pt && k.manufacturer == d.manufacturer && k.model == d.model)
}

/// The entries as a list, for publication.
pub fn entries(tx: &mut dyn Tx) -> Result<Vec<DeviceModel>, DccError> {
    Ok(tx.cpl_models()?)
}

/// The Deployed Products List of the inventory.
pub fn deployed(tx: &mut dyn Tx) -> Result<Vec<cpl::DeployedCombination>, DccError> {
    Ok(cpl::deployed_products(&tx.devices()?))
}
