//! ECS25r1, ECS25r2, GCS20r → `ReadDeviceConfigurationEventAndAlertBehavioursRsp` (DUIS 6.2.10),
//! in the MMC 5.1 schema's structure:
//!
//! * ECS25r1 (the four supplier filters) → `ElectricitySupplierAlertEventSettings`, holding
//!   `ElectricitySupplierWANAlertSettings`, `…HANAlertSettings`, `…AlarmSettings` and
//!   `…LoggingSettings`, each `SupplierESMECommon` then `SupplierESMEPolyPhase`.
//! * ECS25r2 (the two network operator filters) → `ElectricityNetworkOperatorAlertEventSettings`,
//!   holding `ElectricityNetworkOperatorWANAlertSettings` and `…LoggingSettings`, each
//!   `NetworkOperatorESMECommon` then `NetworkOperatorESMESinglePhase`, or
//!   `NetworkOperatorESMEPolyPhase` when the filter enables more poly-phase codes than
//!   single-phase ones (the schema allows one of the two; the response does not say which ESME
//!   variant answered).
//! * GCS20r → `GasSupplierAlertEventSettings`: per code reported that the schema lists, the
//!   four settings (`WANAlert`, `HANAlert`, `EventLog`, `Alarm`).
//!
//! Each group lists `Enable` or `Disable` for every code of its schema type, in the schema's
//! order (so what a 6.22 request can write reads back the same way); codes the schema does not
//! list have no MMC form and are left out. A failure gives the use case's empty settings
//! element (the schema requires one).

use duis::bodies::alert_behaviour as duis_ab;
use gbcs::usecases::alert_behaviour_common::{AlertFilter, FilterBits, enabled_codes};
use gbcs::usecases::{EventConfiguration, ResponseValue, ecs25r1, ecs25r2, gcs20r};

use super::{Failure, MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

const ELEMENT: &str = "ReadDeviceConfigurationEventAndAlertBehavioursRsp";
const SUPPLIER: &str = "ElectricitySupplierAlertEventSettings";
const NETWORK_OPERATOR: &str = "ElectricityNetworkOperatorAlertEventSettings";
const GAS: &str = "GasSupplierAlertEventSettings";

/// ECS25r1.
pub static ECS25R1: ResponseMapping = ResponseMapping {
    use_case: &ecs25r1::SPEC,
    service_reference: "6.2",
    service_reference_variant: "6.2.10",
    element: ELEMENT,
    by_variant: &[],
    render: render_esme,
    failure: Some(failure_supplier),
};

/// ECS25r2.
pub static ECS25R2: ResponseMapping = ResponseMapping {
    use_case: &ecs25r2::SPEC,
    service_reference: "6.2",
    service_reference_variant: "6.2.10",
    element: ELEMENT,
    by_variant: &[],
    render: render_esme,
    failure: Some(failure_network_operator),
};

/// GCS20r.
pub static GCS20R: ResponseMapping = ResponseMapping {
    use_case: &gcs20r::SPEC,
    service_reference: "6.2",
    service_reference_variant: "6.2.10",
    element: ELEMENT,
    by_variant: &[],
    render: render_gsme,
    failure: Some(failure_gas),
};

fn name(f: AlertFilter) -> &'static str {
    match f {
        AlertFilter::SupplierWan => "ElectricitySupplierWANAlertSettings",
        AlertFilter::SupplierHan => "ElectricitySupplierHANAlertSettings",
        AlertFilter::SupplierAudible => "ElectricitySupplierAlarmSettings",
        AlertFilter::SupplierLogging => "ElectricitySupplierLoggingSettings",
        AlertFilter::NetworkWan => "ElectricityNetworkOperatorWANAlertSettings",
        AlertFilter::NetworkLogging => "ElectricityNetworkOperatorLoggingSettings",
    }
}

fn failure_supplier(_: &Failure) -> Xml {
    empty_settings(SUPPLIER)
}

fn failure_network_operator(_: &Failure) -> Xml {
    empty_settings(NETWORK_OPERATOR)
}

fn failure_gas(_: &Failure) -> Xml {
    empty_settings(GAS)
}

fn empty_settings(name: &str) -> Xml {
    let mut x = Xml::new();
    x.empty(name, &[]);
    x
}

fn enable(on: bool) -> &'static str {
    if on { "Enable" } else { "Disable" }
}

/// One schema group: `Enable` / `Disable` per code, in the schema's order.
fn group(x: &mut Xml, element: &str, codes: &[u16], bits: &FilterBits) {
    x.open(element, &[]);
    for c in codes {
        x.leaf(&format!("x{c:04X}"), enable(bits.get((c & 0xFF) as u8)));
    }
    x.close(element);
}

fn enabled_in(codes: &[u16], bits: &FilterBits) -> usize {
    codes.iter().filter(|c| bits.get((*c & 0xFF) as u8)).count()
}

fn render_esme(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    let (filters, outer): (&[AlertFilter], &str) = match values.len() {
        4 => (&AlertFilter::SUPPLIER, SUPPLIER),
        2 => (&AlertFilter::NETWORK_OPERATOR, NETWORK_OPERATOR),
        n => return Err(MappingError(format!("{n} alert filters, 4 or 2 expected"))),
    };
    let mut x = Xml::new();
    x.open(outer, &[]);
    for (f, d) in filters.iter().zip(values) {
        if enabled_codes(*f, d).is_none() {
            return Err(MappingError(format!("alert filter {d:?} is not 256 bits")));
        }
        let bits = FilterBits::from_data(d).unwrap_or(FilterBits::EMPTY);
        x.open(name(*f), &[]);
        if f.page() == 0x81 {
            group(
                &mut x,
                "SupplierESMECommon",
                duis_ab::SUPPLIER_ESME_COMMON,
                &bits,
            );
            group(
                &mut x,
                "SupplierESMEPolyPhase",
                duis_ab::SUPPLIER_ESME_POLY_PHASE,
                &bits,
            );
        } else {
            group(
                &mut x,
                "NetworkOperatorESMECommon",
                duis_ab::NETWORK_OPERATOR_ESME_COMMON,
                &bits,
            );
            let single = duis_ab::NETWORK_OPERATOR_ESME_SINGLE_PHASE;
            let poly = duis_ab::NETWORK_OPERATOR_ESME_POLY_PHASE;
            if enabled_in(poly, &bits) > enabled_in(single, &bits) {
                group(&mut x, "NetworkOperatorESMEPolyPhase", poly, &bits);
            } else {
                group(&mut x, "NetworkOperatorESMESinglePhase", single, &bits);
            }
        }
        x.close(name(*f));
    }
    x.close(outer);
    Ok(Rendering::Children(x))
}

fn render_gsme(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::EventConfigurations(configs) = v else {
        return Err(MappingError::unexpected(v));
    };
    let mut x = Xml::new();
    x.open(GAS, &[]);
    for code in duis_ab::SUPPLIER_GSME_ALERTS_EVENTS {
        let Some((_, b)) = configs.iter().find(|(c, _)| c == code) else {
            continue;
        };
        let c = EventConfiguration(*b);
        let tag = format!("x{code:04X}");
        x.open(&tag, &[]);
        x.leaf("WANAlert", enable(c.wan()));
        x.leaf("HANAlert", enable(c.han()));
        x.leaf("EventLog", enable(c.log()));
        x.leaf("Alarm", enable(c.alarm()));
        x.close(&tag);
    }
    x.close(GAS);
    Ok(Rendering::Children(x))
}
