//! 6.22 Configure Alert Behaviour: which alerts and events a meter raises, notifies, sounds or
//! logs.
//!
//! | body choice | device | GBCS use case | originator |
//! |---|---|---|---|
//! | `ElectricitySupplierAlerts` | ESME | ECS25a (WAN alerts) | the import supplier |
//! | `ElectricitySupplierHANAlertSettings` | ESME | ECS25a1 (HAN notifications) | the import supplier |
//! | `ElectricitySupplierAlarmSettings` | ESME | ECS25a2 (audible alarm) | the import supplier |
//! | `ElectricitySupplierLoggingSettings` | ESME | ECS25a3 (logging) | the import supplier |
//! | `ElectricityNetworkOperatorAlerts` | ESME | ECS25b (WAN alerts) | the network operator |
//! | `ElectricityNetworkOperatorLoggingSettings` | ESME | ECS25b3 (logging) | the network operator |
//! | `GasSupplierAlertEventSettings` | GSME | GCS20 (one Set Event Configuration per distinct setting, the HAN-alerting first, then the WAN-alerting, each class in order of first appearance; issuer event id: the DCC time, as GCS32's) | the gas supplier |
//!
//! The ESME use cases write only the codes the body lists (mask and values,
//! [`gbcs::usecases::alert_behaviour_common`]). An electricity choice on a GSME, a gas one on
//! an ESME, `GasSupplierAlerts` (WAN settings alone, which GCS20 cannot carry without the
//! others) and a body listing no code are refused as body errors; codes outside a group's
//! schema list, repeated or out of order are refused by the body parser. Any other device
//! type: E11.

use duis::Srv;
use duis::bodies::alert_behaviour::{ConfigureAlertBehaviour, ElectricityBehaviour};
use gbcs::usecases::{self as uc, AlertBehaviourChange, AlertFilter, EventConfiguration};

use super::zse_issuer_event_id;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::{DccError, SchemaError};
use crate::model::DeviceType;
use crate::render;

pub struct ConfigureAlertBehaviourService;

impl Service for ConfigureAlertBehaviourService {
    fn srv(&self) -> Srv {
        Srv::V6_22
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

fn refused(why: &str) -> DccError {
    SchemaError::Invalid(format!("ConfigureAlertBehaviour: {why}")).into()
}

/// The ESME filter a body choice writes.
pub fn filter(b: ElectricityBehaviour) -> AlertFilter {
    match b {
        ElectricityBehaviour::SupplierAlerts => AlertFilter::SupplierWan,
        ElectricityBehaviour::SupplierHanAlerts => AlertFilter::SupplierHan,
        ElectricityBehaviour::SupplierAlarms => AlertFilter::SupplierAudible,
        ElectricityBehaviour::SupplierLogging => AlertFilter::SupplierLogging,
        ElectricityBehaviour::NetworkOperatorAlerts => AlertFilter::NetworkWan,
        ElectricityBehaviour::NetworkOperatorLogging => AlertFilter::NetworkLogging,
    }
}

impl DeviceService for ConfigureAlertBehaviourService {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = ConfigureAlertBehaviour::parse(&r.request.body).map_err(render::body_error)?;
        match (r.device.device_type, body) {
            (
                DeviceType::Esme,
                ConfigureAlertBehaviour::Electricity {
                    behaviour,
                    mut settings,
                    ..
                },
            ) => {
                if settings.is_empty() {
                    return Err(refused("no alert code"));
                }
                settings.sort_by_key(|(c, _)| *c);
                let change = AlertBehaviourChange {
                    filter: filter(behaviour),
                    settings,
                };
                let code = change.filter.message_code();
                r.try_use_case_command(code, |h| match change.filter {
                    AlertFilter::SupplierWan => uc::ecs25a_set_alert_behaviour(h, &change),
                    AlertFilter::SupplierHan => uc::ecs25a1_set_alert_behaviour(h, &change),
                    AlertFilter::SupplierAudible => uc::ecs25a2_set_alert_behaviour(h, &change),
                    AlertFilter::SupplierLogging => uc::ecs25a3_set_alert_behaviour(h, &change),
                    AlertFilter::NetworkWan => uc::ecs25b_set_alert_behaviour(h, &change),
                    AlertFilter::NetworkLogging => uc::ecs25b3_set_alert_behaviour(h, &change),
                })
            }
            (DeviceType::Gsme, ConfigureAlertBehaviour::GasAlertEvents(v)) => {
                if v.is_empty() {
                    return Err(refused("no alert code"));
                }
                let settings: Vec<(u16, EventConfiguration)> = v
                    .iter()
                    .map(|(c, s)| {
                        (
                            *c,
                            EventConfiguration::new(s.wan_alert, s.han_alert, s.event_log, s.alarm),
                        )
                    })
                    .collect();
                let event = zse_issuer_event_id(r.now)?;
                let b = uc::GasAlertBehaviour::from_settings(event, &settings);
                r.try_use_case_command(uc::gcs20::CODE, |h| uc::gcs20_set_alert_behaviour(h, &b))
            }
            (DeviceType::Gsme, ConfigureAlertBehaviour::GasAlerts(_)) => Err(refused(
                "GasSupplierAlerts: a GSME is configured with GasSupplierAlertEventSettings",
            )),
            (DeviceType::Esme | DeviceType::Gsme, _) => {
                Err(refused("the settings are not for this device type"))
            }
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::MessageCode;

    const SUPPLIER_WAN: &str = "<sr:ConfigureAlertBehaviour><sr:ElectricitySupplierAlerts><sr:SupplierESMECommon><sr:x810D>Enable</sr:x810D><sr:x810E>Disable</sr:x810E></sr:SupplierESMECommon></sr:ElectricitySupplierAlerts></sr:ConfigureAlertBehaviour>";
    const NO_LOGGING: &str = "<sr:ConfigureAlertBehaviour><sr:ElectricityNetworkOperatorLoggingSettings><sr:NetworkOperatorESMECommon><sr:x8014>Enable</sr:x8014></sr:NetworkOperatorESMECommon></sr:ElectricityNetworkOperatorLoggingSettings></sr:ConfigureAlertBehaviour>";
    const GAS: &str = "<sr:ConfigureAlertBehaviour><sr:GasSupplierAlertEventSettings><sr:x810E><sr:WANAlert>Enable</sr:WANAlert><sr:HANAlert>Disable</sr:HANAlert><sr:EventLog>Disable</sr:EventLog><sr:Alarm>Disable</sr:Alarm></sr:x810E></sr:GasSupplierAlertEventSettings></sr:ConfigureAlertBehaviour>";

    #[test]
    fn command_per_choice() {
        let t = Harness::new();
        for (body, dt, role, code) in [
            (
                SUPPLIER_WAN,
                DeviceType::Esme,
                UserRole::ImportSupplier,
                MessageCode(0x00AC),
            ),
            (
                NO_LOGGING,
                DeviceType::Esme,
                UserRole::ElectricityDistributor,
                MessageCode(0x00ED),
            ),
            (
                GAS,
                DeviceType::Gsme,
                UserRole::GasSupplier,
                uc::gcs20::CODE,
            ),
        ] {
            let plan = t
                .plan(&ConfigureAlertBehaviourService, Srv::V6_22, body, dt, role)
                .unwrap();
            assert_command(&plan, code, false, &t, dt);
        }
    }

    #[test]
    fn wrong_devices_and_bad_bodies_are_refused() {
        let t = Harness::new();
        for dt in [DeviceType::Gpf, DeviceType::Chf, DeviceType::Ppmid] {
            let e = t
                .plan(
                    &ConfigureAlertBehaviourService,
                    Srv::V6_22,
                    GAS,
                    dt,
                    UserRole::GasSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        for (bad, dt, role) in [
            (GAS, DeviceType::Esme, UserRole::ImportSupplier),
            (SUPPLIER_WAN, DeviceType::Gsme, UserRole::GasSupplier),
            (
                "<sr:ConfigureAlertBehaviour><sr:ElectricitySupplierAlerts><sr:SupplierESMECommon><sr:x8F30>Enable</sr:x8F30></sr:SupplierESMECommon></sr:ElectricitySupplierAlerts></sr:ConfigureAlertBehaviour>",
                DeviceType::Esme,
                UserRole::ImportSupplier,
            ),
            (
                "<sr:ConfigureAlertBehaviour><sr:ElectricitySupplierAlerts/></sr:ConfigureAlertBehaviour>",
                DeviceType::Esme,
                UserRole::ImportSupplier,
            ),
            (
                "<sr:ConfigureAlertBehaviour><sr:GasSupplierAlerts><sr:x810E>Enable</sr:x810E></sr:GasSupplierAlerts></sr:ConfigureAlertBehaviour>",
                DeviceType::Gsme,
                UserRole::GasSupplier,
            ),
        ] {
            let e = t
                .plan(&ConfigureAlertBehaviourService, Srv::V6_22, bad, dt, role)
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{bad}: {e}");
        }
        // A supplier cannot write the network operator's filters.
        let e = t
            .plan(
                &ConfigureAlertBehaviourService,
                Srv::V6_22,
                NO_LOGGING,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap_err();
        assert!(!matches!(e, DccError::Schema(_)), "{e}");
    }
}
