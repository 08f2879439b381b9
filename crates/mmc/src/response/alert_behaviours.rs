//! ECS25r1, ECS25r2, GCS20r → `ReadDeviceConfigurationEventAndAlertBehavioursRsp` (DUIS 6.2.10):
//! per behaviour read, an element named as the DUIS 6.22 choice that writes it
//! (`ElectricitySupplierAlerts`, `ElectricitySupplierHANAlertSettings`,
//! `ElectricitySupplierAlarmSettings`, `ElectricitySupplierLoggingSettings`,
//! `ElectricityNetworkOperatorAlerts`, `ElectricityNetworkOperatorLoggingSettings`,
//! `GasSupplierAlertEventSettings`) with one `xNNNN` child per code, in code order: on an ESME
//! `Enable` or `Disable` for every code the filter covers that the DUIS 6.22 schema lists (so
//! what a 6.22 request can write reads back the same way) or that is set; on a GSME the four
//! settings (`WANAlert`, `HANAlert`, `EventLog`, `Alarm`) of every code reported.

use duis::bodies::alert_behaviour as duis_ab;
use gbcs::usecases::alert_behaviour_common::{AlertFilter, FilterBits, enabled_codes};
use gbcs::usecases::{EventConfiguration, ResponseValue, ecs25r1, ecs25r2, gcs20r};

use super::reads::nothing;
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

const ELEMENT: &str = "ReadDeviceConfigurationEventAndAlertBehavioursRsp";

/// ECS25r1.
pub static ECS25R1: ResponseMapping = ResponseMapping {
    use_case: &ecs25r1::SPEC,
    service_reference: "6.2",
    service_reference_variant: "6.2.10",
    element: ELEMENT,
    by_variant: &[],
    render: render_esme,
    failure: Some(nothing),
};

/// ECS25r2.
pub static ECS25R2: ResponseMapping = ResponseMapping {
    use_case: &ecs25r2::SPEC,
    service_reference: "6.2",
    service_reference_variant: "6.2.10",
    element: ELEMENT,
    by_variant: &[],
    render: render_esme,
    failure: Some(nothing),
};

/// GCS20r.
pub static GCS20R: ResponseMapping = ResponseMapping {
    use_case: &gcs20r::SPEC,
    service_reference: "6.2",
    service_reference_variant: "6.2.10",
    element: ELEMENT,
    by_variant: &[],
    render: render_gsme,
    failure: Some(nothing),
};

fn name(f: AlertFilter) -> &'static str {
    match f {
        AlertFilter::SupplierWan => "ElectricitySupplierAlerts",
        AlertFilter::SupplierHan => "ElectricitySupplierHANAlertSettings",
        AlertFilter::SupplierAudible => "ElectricitySupplierAlarmSettings",
        AlertFilter::SupplierLogging => "ElectricitySupplierLoggingSettings",
        AlertFilter::NetworkWan => "ElectricityNetworkOperatorAlerts",
        AlertFilter::NetworkLogging => "ElectricityNetworkOperatorLoggingSettings",
    }
}

fn schema_codes(f: AlertFilter) -> Vec<u16> {
    let lists: &[&[u16]] = if f.page() == 0x81 {
        &[
            duis_ab::SUPPLIER_ESME_COMMON,
            duis_ab::SUPPLIER_ESME_POLY_PHASE,
        ]
    } else {
        &[
            duis_ab::NETWORK_OPERATOR_ESME_COMMON,
            duis_ab::NETWORK_OPERATOR_ESME_SINGLE_PHASE,
            duis_ab::NETWORK_OPERATOR_ESME_POLY_PHASE,
        ]
    };
    lists.iter().flat_map(|l| l.iter().copied()).collect()
}

fn enable(on: bool) -> &'static str {
    if on { "Enable" } else { "Disable" }
}

fn render_esme(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    let filters: &[AlertFilter] = match values.len() {
        4 => &AlertFilter::SUPPLIER,
        2 => &AlertFilter::NETWORK_OPERATOR,
        n => return Err(MappingError(format!("{n} alert filters, 4 or 2 expected"))),
    };
    let mut x = Xml::new();
    for (f, d) in filters.iter().zip(values) {
        let on = enabled_codes(*f, d)
            .ok_or_else(|| MappingError(format!("alert filter {d:?} is not 256 bits")))?;
        let mut codes = schema_codes(*f);
        codes.extend(on.iter().copied());
        codes.sort_unstable();
        codes.dedup();
        let bits = FilterBits::from_data(d).unwrap_or(FilterBits::EMPTY);
        x.open(name(*f), &[]);
        for c in codes {
            x.leaf(&format!("x{c:04X}"), enable(bits.get((c & 0xFF) as u8)));
        }
        x.close(name(*f));
    }
    Ok(Rendering::Children(x))
}

fn render_gsme(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::EventConfigurations(configs) = v else {
        return Err(MappingError::unexpected(v));
    };
    let mut sorted = configs.clone();
    sorted.sort_unstable();
    let mut x = Xml::new();
    x.open("GasSupplierAlertEventSettings", &[]);
    for (code, b) in sorted {
        let c = EventConfiguration(b);
        let tag = format!("x{code:04X}");
        x.open(&tag, &[]);
        x.leaf("WANAlert", enable(c.wan()));
        x.leaf("HANAlert", enable(c.han()));
        x.leaf("EventLog", enable(c.log()));
        x.leaf("Alarm", enable(c.alarm()));
        x.close(&tag);
    }
    x.close("GasSupplierAlertEventSettings");
    Ok(Rendering::Children(x))
}
