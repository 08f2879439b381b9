//! The Deployed Products List (seed 003 para 290): every combination of device models that
//! makes up an enrolled Smart Metering System, computed from the inventory.

use std::collections::BTreeMap;

use dcc_model::{Device, DeviceStatus, DeviceType};
use eui::Eui64;
use serde::{Deserialize, Serialize};

/// One device of a deployed combination: its model and firmware.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DeployedModel {
    pub device_type: DeviceType,
    pub manufacturer: String,
    pub model: String,
    pub firmware_version: Option<String>,
}

/// A combination of models found in enrolled systems, and in how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployedCombination {
    /// The models, in device type order (CHF, GPF, ESME, GSME, PPMID, HCALCS, IHD...), one
    /// per device (two ESMEs of one model appear twice).
    pub models: Vec<DeployedModel>,
    /// How many enrolled systems have exactly this combination.
    pub systems: usize,
}

fn type_rank(t: DeviceType) -> usize {
    [
        DeviceType::Chf,
        DeviceType::Gpf,
        DeviceType::Esme,
        DeviceType::Gsme,
        DeviceType::Ppmid,
        DeviceType::Hcalcs,
        DeviceType::Ihd,
        DeviceType::Cad,
    ]
    .iter()
    .position(|x| *x == t)
    .unwrap_or(usize::MAX)
}

/// The Deployed Products List of an inventory: its devices grouped by Communications Hub
/// Function (a system is the hub and the devices reached through it); a group counts when it is
/// enrolled, every device in it Commissioned, with at least one meter. The result is sorted by
/// combination and does not depend on the order of `devices`.
pub fn deployed_products(devices: &[Device]) -> Vec<DeployedCombination> {
    let mut systems: BTreeMap<Eui64, Vec<&Device>> = BTreeMap::new();
    for d in devices {
        if let Some(chf) = d.chf {
            systems.entry(chf).or_default().push(d);
        }
    }
    let mut combos: BTreeMap<Vec<DeployedModel>, usize> = BTreeMap::new();
    for members in systems.values() {
        let enrolled = members
            .iter()
            .all(|d| d.status == DeviceStatus::Commissioned)
            && members
                .iter()
                .any(|d| matches!(d.device_type, DeviceType::Esme | DeviceType::Gsme));
        if !enrolled {
            continue;
        }
        let mut models: Vec<DeployedModel> = members
            .iter()
            .map(|d| DeployedModel {
                device_type: d.device_type,
                manufacturer: d.manufacturer.clone(),
                model: d.model.clone(),
                firmware_version: d.firmware_version.clone(),
            })
            .collect();
        models.sort_by(|a, b| (type_rank(a.device_type), a).cmp(&(type_rank(b.device_type), b)));
        *combos.entry(models).or_default() += 1;
    }
    combos
        .into_iter()
        .map(|(models, systems)| DeployedCombination { models, systems })
        .collect()
}
