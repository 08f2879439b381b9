//! 3.3 Clear Event Log (non-critical): empties one of the meter's logs; the security log is
//! never cleared (the meter records the clear in it).
//!
//! | device | `ESMEEventLogType` | GBCS use case | log cleared |
//! |---|---|---|---|
//! | ESME | `ESME` | ECS15a (DLMS `reset` of `7/0.0.99.98.0.255`) | the ESME's event log |
//! | ESME | `ALCS` | ECS15c (DLMS `reset` of `7/0.17.99.98.2.255`) | its ALCS / HCALCS event log |
//! | GSME | none | CS11 (ZSE Clear Event Log Request, Log ID 3) | the gas meter's event log |
//!
//! An ESME request without `ESMEEventLogType`, and a GSME request with one, are refused as
//! invalid bodies; any other device type: E11.

use duis::Srv;
use duis::bodies::{ClearEventLog as Body, EsmeEventLogType};
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ClearEventLog;

impl Service for ClearEventLog {
    fn srv(&self) -> Srv {
        Srv::V3_3
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

/// The body's log type does not fit the device (`found`: what is missing or extra).
fn wrong_form(found: &str) -> DccError {
    render::body_error(duis::bodies::BodyError::Unexpected {
        parent: "ClearEventLog",
        found: found.to_owned(),
    })
}

impl DeviceService for ClearEventLog {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        match (r.device.device_type, body.esme_event_log_type) {
            (DeviceType::Esme, Some(EsmeEventLogType::Esme)) => {
                r.use_case_command(MessageCode::ECS15A, uc::ecs15a_clear_event_log)
            }
            (DeviceType::Esme, Some(EsmeEventLogType::Alcs)) => {
                r.use_case_command(MessageCode::ECS15C, uc::ecs15c_clear_event_log)
            }
            (DeviceType::Esme, None) => Err(wrong_form("no ESMEEventLogType")),
            (DeviceType::Gsme, None) => {
                r.try_use_case_command(MessageCode::CS11, uc::cs11_clear_event_log)
            }
            (DeviceType::Gsme, Some(_)) => Err(wrong_form("ESMEEventLogType")),
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    const ESME: &str =
        "<sr:ClearEventLog><sr:ESMEEventLogType>ESME</sr:ESMEEventLogType></sr:ClearEventLog>";
    const ALCS: &str =
        "<sr:ClearEventLog><sr:ESMEEventLogType>ALCS</sr:ESMEEventLogType></sr:ClearEventLog>";
    const GAS: &str = "<sr:ClearEventLog/>";

    #[test]
    fn command_per_device_type_and_log() {
        let t = Harness::new();
        for (body, dt, role, code) in [
            (
                ESME,
                DeviceType::Esme,
                UserRole::ImportSupplier,
                MessageCode::ECS15A,
            ),
            (
                ALCS,
                DeviceType::Esme,
                UserRole::ImportSupplier,
                MessageCode::ECS15C,
            ),
            (
                GAS,
                DeviceType::Gsme,
                UserRole::GasSupplier,
                MessageCode::CS11,
            ),
        ] {
            let plan = t.plan(&ClearEventLog, Srv::V3_3, body, dt, role).unwrap();
            assert_command(&plan, code, false, &t, dt);
        }
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        for dt in [
            DeviceType::Gpf,
            DeviceType::Chf,
            DeviceType::Ppmid,
            DeviceType::Hcalcs,
        ] {
            let e = t
                .plan(&ClearEventLog, Srv::V3_3, GAS, dt, UserRole::GasSupplier)
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn bad_bodies_and_the_wrong_form_are_refused() {
        let t = Harness::new();
        for (body, dt, role) in [
            (GAS, DeviceType::Esme, UserRole::ImportSupplier),
            (ESME, DeviceType::Gsme, UserRole::GasSupplier),
            (ALCS, DeviceType::Gsme, UserRole::GasSupplier),
            (
                "<sr:ClearEventLog><sr:ESMEEventLogType>HCALCS</sr:ESMEEventLogType></sr:ClearEventLog>",
                DeviceType::Esme,
                UserRole::ImportSupplier,
            ),
            (
                "<sr:DisablePrivacyPIN/>",
                DeviceType::Gsme,
                UserRole::GasSupplier,
            ),
        ] {
            let e = t
                .plan(&ClearEventLog, Srv::V3_3, body, dt, role)
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
