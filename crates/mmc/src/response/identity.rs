//! 6.2.4 Read Device Configuration (Identity Exc. MPxN) → `ReadDeviceConfigurationIdentityExcMPxNRsp`
//! (ECS26e, ECS26m, ECS26i, ECS26n, GCS21e, GCS21m: the mappings share this rendering):
//! `DeviceIdentifier` (the EUI-64 read, ECS26e/ECS26i), `ModelType`, `ManufacturerIdentifier`,
//! and a meter's `Electricity` (`SupplyTamperState`: the boolean, true `Locked`;
//! `MeterVariant`) or `Gas` (`SupplyTamperState` `0x0607`, `SupplyDepletionState` `0x0608`: 0
//! `Unchanged`, any other value `Locked`).

use gbcs::axdr::Data;
use gbcs::dlms::CosemDescriptor;
use gbcs::usecases::{ClusterReadValue, ResponseValue, ecs26e};

use super::{MappingError, Rendering};
use crate::xml::Xml;

/// Text of an identity string (printable ASCII; the schema's lengths).
fn text(b: &[u8], max: usize, what: &str) -> Result<String, MappingError> {
    if b.len() > max || !b.iter().all(|c| (b' '..=b'~').contains(c)) {
        return Err(MappingError(format!(
            "{what} {b:02X?} is not up to {max} printable characters"
        )));
    }
    Ok(String::from_utf8_lossy(b).into_owned())
}

fn locked(v: bool) -> &'static str {
    if v { "Locked" } else { "Unchanged" }
}

/// The rendering of a DLMS identity read of `objects` (ECS26e/m/i/n).
pub(super) fn dlms(
    objects: &[CosemDescriptor],
    v: &ResponseValue,
) -> Result<Rendering, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    if values.len() != objects.len() {
        return Err(MappingError::unexpected(v));
    }
    let get = |o: CosemDescriptor| {
        objects
            .iter()
            .position(|x| *x == o)
            .and_then(|i| values.get(i))
    };
    let mut x = Xml::new();
    if let Some(d) = get(ecs26e::DEVICE_ID) {
        let Data::OctetString(b) = d else {
            return Err(MappingError::unexpected(v));
        };
        let eui = eui::Eui64::from_slice(b)
            .ok_or_else(|| MappingError(format!("device identifier {b:02X?} is not an EUI-64")))?;
        x.leaf("DeviceIdentifier", &eui.to_string());
    }
    let string = |o, max, what| match get(o) {
        Some(Data::OctetString(b)) => text(b, max, what).map(Some),
        None => Ok(None),
        Some(_) => Err(MappingError::unexpected(v)),
    };
    if let Some(m) = string(ecs26e::MODEL, 8, "model")? {
        x.leaf("ModelType", &m);
    }
    if let Some(m) = string(ecs26e::MANUFACTURER, 32, "manufacturer")? {
        x.leaf("ManufacturerIdentifier", &m);
    }
    let tamper = match get(ecs26e::SUPPLY_TAMPER_STATE) {
        Some(Data::Boolean(b)) => Some(*b != 0),
        None => None,
        Some(_) => return Err(MappingError::unexpected(v)),
    };
    let variant = string(ecs26e::METER_VARIANT, 1, "meter variant")?;
    if tamper.is_some() || variant.is_some() {
        x.open("Electricity", &[]);
        if let Some(t) = tamper {
            x.leaf("SupplyTamperState", locked(t));
        }
        if let Some(m) = variant.filter(|m| !m.is_empty()) {
            x.leaf("MeterVariant", &m);
        }
        x.close("Electricity");
    }
    Ok(Rendering::Children(x))
}

/// The rendering of a GBZ identity read (GCS21e/m).
pub(super) fn gbz(v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::ClusterReads(reads) = v else {
        return Err(MappingError::unexpected(v));
    };
    let mut manufacturer = None;
    let mut model = None;
    let mut tamper = None;
    let mut depletion = None;
    for r in reads {
        let ClusterReadValue::Records(records) = &r.value else {
            return Err(MappingError::unexpected(v));
        };
        for a in records {
            match (r.cluster, a.id) {
                (0x0000, 0x0004) => manufacturer = Some(text(&a.value, 32, "manufacturer")?),
                (0x0000, 0x0005) => model = Some(a.value.clone()),
                (0x0702, 0x0607) => tamper = a.value.first().map(|s| *s != 0),
                (0x0702, 0x0608) => depletion = a.value.first().map(|s| *s != 0),
                _ => {}
            }
        }
    }
    let mut x = Xml::new();
    if let Some(m) = model {
        // A ZigBee model identifier may be longer than DUIS's 8 characters: its first 8.
        x.leaf("ModelType", &text(m.get(..8).unwrap_or(&m), 8, "model")?);
    }
    if let Some(m) = manufacturer {
        x.leaf("ManufacturerIdentifier", &m);
    }
    if tamper.is_some() || depletion.is_some() {
        x.open("Gas", &[]);
        if let Some(t) = tamper {
            x.leaf("SupplyTamperState", locked(t));
        }
        if let Some(d) = depletion {
            x.leaf("SupplyDepletionState", locked(d));
        }
        x.close("Gas");
    }
    Ok(Rendering::Children(x))
}
