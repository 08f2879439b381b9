//! 6.5 Update Device Configuration (Voltage), the electricity distributor's: the RMS voltage
//! limiters and one phase's (single phase) or three phases' (polyphase) average RMS voltage
//! settings on an ESME.
//!
//! | body | GBCS use case |
//! |---|---|
//! | `SinglePhaseVoltageSettings` | ECS29a (counters reset) |
//! | `PolyPhaseVoltageSettings` ×3 | ECS29b (counters reset) |
//! | … with `RMSVoltageCountersNotReset` | ECS29c / ECS29d (counters kept) |
//!
//! Values that break the one rule (`gbcs::usecases::voltage::VoltageConfig::check`: periods
//! 1–86 400 s, 0 < extreme under < sag < swell < extreme over, each phase's under below its
//! over) are refused as an invalid body, as is a phase count that contradicts a known ESME
//! variant (`C…` is polyphase, `A…` / `B…` single phase).

use duis::bodies::{AverageRmsVoltageSettings, RmsLimit, UpdateDeviceConfigurationVoltage};
use duis::{EsmeVariant, Srv};
use gbcs::usecases::voltage::{self, Variant};
use gbcs::usecases::{Limit, PhaseVoltage, RmsVoltageSettings, VoltageConfig};

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::{DccError, SchemaError};
use crate::model::DeviceType;
use crate::render;

pub struct UpdateDeviceConfigurationVoltageService;

impl Service for UpdateDeviceConfigurationVoltageService {
    fn srv(&self) -> Srv {
        Srv::V6_5
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

/// Whether an ESME of variant `v` is polyphase (`C…`), single phase (`A…`, `B…`), or not known.
pub fn poly_phase(v: Option<EsmeVariant>) -> Option<bool> {
    v.map(|v| v.as_str().starts_with('C'))
}

fn limit(l: RmsLimit) -> Limit {
    Limit {
        threshold: l.threshold,
        period: l.period,
    }
}

fn phase(p: &AverageRmsVoltageSettings) -> PhaseVoltage {
    PhaseVoltage {
        over: p.over,
        under: p.under,
        period: p.period,
    }
}

/// The settings a 6.5 body writes, checked against the one rule.
pub fn voltage_config(b: &UpdateDeviceConfigurationVoltage) -> Result<VoltageConfig, DccError> {
    let c = VoltageConfig {
        rms: RmsVoltageSettings {
            extreme_over: limit(b.rms.extreme_over),
            extreme_under: limit(b.rms.extreme_under),
            sag: limit(b.rms.sag),
            swell: limit(b.rms.swell),
        },
        phases: b.phases.iter().map(phase).collect(),
    };
    c.check()
        .map_err(|why| DccError::from(SchemaError::Invalid(why.to_string())))?;
    Ok(c)
}

impl DeviceService for UpdateDeviceConfigurationVoltageService {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body =
            UpdateDeviceConfigurationVoltage::parse(&r.request.body).map_err(render::body_error)?;
        if r.device.device_type != DeviceType::Esme {
            return Err(r.wrong_type());
        }
        let c = voltage_config(&body)?;
        let poly = c.phases.len() == 3;
        // Refused only where the variant says the phases: single-phase (`A…`) or polyphase
        // (`C…`); a twin element meter (`B…`) or an unknown variant takes either form.
        let phases = r
            .device
            .esme_variant
            .and_then(|v| match v.as_str().get(..1) {
                Some("A") => Some(false),
                Some("C") => Some(true),
                _ => None,
            });
        if phases.is_some_and(|p| p != poly) {
            return Err(SchemaError::Invalid(format!(
                "{} phase settings for an ESME of variant {}",
                if poly { "polyphase" } else { "single" },
                r.device
                    .esme_variant
                    .map(EsmeVariant::as_str)
                    .unwrap_or("?")
            ))
            .into());
        }
        let v = Variant::of(poly, !body.counters_not_reset);
        r.try_use_case_command(v.message_code(), |h| voltage::set_voltage_command(h, v, &c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::{self as uc, DecodedCommand};

    const RMS: &str = "<sr:RMSVoltageSettings><sr:RMSExtremeOverVoltageMeasurementPeriod>30</sr:RMSExtremeOverVoltageMeasurementPeriod><sr:RMSExtremeOverVoltageThreshold>287</sr:RMSExtremeOverVoltageThreshold><sr:RMSExtremeUnderVoltageMeasurementPeriod>30</sr:RMSExtremeUnderVoltageMeasurementPeriod><sr:RMSExtremeUnderVoltageThreshold>180</sr:RMSExtremeUnderVoltageThreshold><sr:RMSVoltageSagMeasurementPeriod>30</sr:RMSVoltageSagMeasurementPeriod><sr:RMSVoltageSagThreshold>216</sr:RMSVoltageSagThreshold><sr:RMSVoltageSwellMeasurementPeriod>30</sr:RMSVoltageSwellMeasurementPeriod><sr:RMSVoltageSwellThreshold>253</sr:RMSVoltageSwellThreshold></sr:RMSVoltageSettings>";

    fn avg(tag: &str, over: u32, under: u32) -> String {
        format!(
            "<sr:{tag}><sr:AverageRMSOverVoltageThreshold>{over}</sr:AverageRMSOverVoltageThreshold><sr:AverageRMSUnderVoltageThreshold>{under}</sr:AverageRMSUnderVoltageThreshold><sr:AverageRMSVoltageMeasurementPeriod>30</sr:AverageRMSVoltageMeasurementPeriod></sr:{tag}>"
        )
    }

    fn single(over: u32, under: u32, keep: bool) -> String {
        format!(
            "<sr:UpdateDeviceConfigurationVoltage>{RMS}{}{}</sr:UpdateDeviceConfigurationVoltage>",
            avg("SinglePhaseVoltageSettings", over, under),
            if keep {
                "<sr:RMSVoltageCountersNotReset/>"
            } else {
                ""
            }
        )
    }

    fn poly(keep: bool) -> String {
        let p = |n: u8, over, under| {
            format!(
                "<sr:PolyPhaseVoltageSettings><sr:Phase>{n}</sr:Phase>{}</sr:PolyPhaseVoltageSettings>",
                avg("PhaseVoltageSettings", over, under)
            )
        };
        format!(
            "<sr:UpdateDeviceConfigurationVoltage>{RMS}{}{}{}{}</sr:UpdateDeviceConfigurationVoltage>",
            p(1, 264, 200),
            p(2, 126, 96),
            p(3, 126, 96),
            if keep {
                "<sr:RMSVoltageCountersNotReset/>"
            } else {
                ""
            }
        )
    }

    #[test]
    fn the_body_picks_the_use_case() {
        let t = Harness::new();
        for (body, v) in [
            (single(264, 200, false), Variant::Ecs29a),
            (poly(false), Variant::Ecs29b),
            (single(264, 200, true), Variant::Ecs29c),
            (poly(true), Variant::Ecs29d),
        ] {
            let plan = t
                .plan(
                    &UpdateDeviceConfigurationVoltageService,
                    Srv::V6_5,
                    &body,
                    DeviceType::Esme,
                    UserRole::ElectricityDistributor,
                )
                .unwrap();
            assert_command(&plan, v.message_code(), false, &t, DeviceType::Esme);
            let Plan::Command { command, .. } = plan else {
                unreachable!()
            };
            let d = uc::decode_command(&command).unwrap();
            let c = match d {
                DecodedCommand::Ecs29a(c)
                | DecodedCommand::Ecs29b(c)
                | DecodedCommand::Ecs29c(c)
                | DecodedCommand::Ecs29d(c) => c,
                other => panic!("{other:?}"),
            };
            assert_eq!(c.phases.len(), v.phases());
            assert_eq!(c.phases[0].over, 264);
            assert_eq!(c.rms.sag.threshold, 216);
        }
    }

    #[test]
    fn values_outside_the_rules_and_other_devices_are_refused() {
        let t = Harness::new();
        for body in [
            single(200, 264, false),
            single(264, 0, false),
            single(264, 264, false),
        ] {
            let e = t
                .plan(
                    &UpdateDeviceConfigurationVoltageService,
                    Srv::V6_5,
                    &body,
                    DeviceType::Esme,
                    UserRole::ElectricityDistributor,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
        for dt in [DeviceType::Gsme, DeviceType::Chf, DeviceType::Gpf] {
            let e = t
                .plan(
                    &UpdateDeviceConfigurationVoltageService,
                    Srv::V6_5,
                    &single(264, 200, false),
                    dt,
                    UserRole::ElectricityDistributor,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn the_phase_count_must_fit_a_known_variant() {
        assert_eq!(poly_phase(None), None);
        assert_eq!(poly_phase(Some(EsmeVariant::Cd)), Some(true));
        assert_eq!(poly_phase(Some(EsmeVariant::Ad)), Some(false));
        assert_eq!(poly_phase(Some(EsmeVariant::B)), Some(false));
    }
}
