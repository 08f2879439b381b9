//! 6.14.3 Update Device Configuration (Auxiliary Controller Scheduler) (critical,
//! device-future-dated): ECS46d on an ESME, a pre-command the import supplier signs. The body
//! (`sr:UpdateDeviceConfigurationAuxiliaryControllerScheduler`) carries an optional
//! `ExecutionDateTime` (immediate, a future instant, or the 3000-12-31 cancellation:
//! `s1_6_update_payment_mode::device_activation`), the schedule (0–120
//! `AuxiliaryControllerSchedule`s) and the special day definitions (0–20). The calendar is
//! 6.14.2's (`s6_14_2_update_alc_scheduler::calendar`: entries numbered from 1, each enabled,
//! running script `0-0:10.0.103.255`, UTC switch time, no validity window, days-of-week and
//! special days masks, start and end dates; special days of index, date, day id = identifier)
//! with each entry's selector naming its action (`gbcs::usecases::ControllerAction`: controller
//! `n` as `0x10 + n`, or `0x20 + n` for an APC's `InputFromControlledLoad`, and `0x80` plus the
//! `CommandedStateLevel`). No HCALCS identities. A value outside its type is a schema-invalid
//! body; any device type but the ESME is E11.

use duis::Srv;
use duis::bodies::AuxControllerScheduler as Body;
use gbcs::usecases::{self as uc, AuxCalendar, ControllerAction};

use super::s1_6_update_payment_mode::device_activation;
use super::s6_14_2_update_alc_scheduler::{CalendarEntry, calendar};
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct UpdateAuxControllerScheduler;

impl Service for UpdateAuxControllerScheduler {
    fn srv(&self) -> Srv {
        Srv::V6_14_3
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

/// The calendar of a parsed body.
pub fn aux_calendar(body: &Body, activation: uc::payment_mode::Activation) -> AuxCalendar {
    let entries: Vec<CalendarEntry<'_>> = body
        .schedule
        .iter()
        .map(|e| CalendarEntry {
            selector: ControllerAction {
                controller: e.controller,
                level: e.level,
                input_from_controlled_load: e.input_from_controlled_load,
            }
            .selector(),
            special_days: &e.special_days,
            days_of_week: &e.days_of_week,
            switch_time: e.switch_time,
            start_date: &e.start_date,
            end_date: &e.end_date,
        })
        .collect();
    let (special_days, schedule) = calendar(&entries, &body.special_days);
    AuxCalendar {
        activation,
        special_days,
        schedule,
    }
}

impl DeviceService for UpdateAuxControllerScheduler {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        if r.device.device_type != DeviceType::Esme {
            return Err(r.wrong_type());
        }
        let activation =
            device_activation(Srv::V6_14_3, body.execution_date_time.as_deref(), r.now)?;
        let c = aux_calendar(&body, activation);
        r.try_use_case_command(uc::ecs46d::MESSAGE_CODE, |h| {
            uc::ecs46d_set_aux_calendar(h, &c)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::DecodedCommand;

    fn plan(body: &str, dt: DeviceType) -> Result<Plan, DccError> {
        Harness::new().plan(
            &UpdateAuxControllerScheduler,
            Srv::V6_14_3,
            body,
            dt,
            UserRole::ImportSupplier,
        )
    }

    #[test]
    fn the_templates_plan_the_rtds_calendars_and_refusals() {
        let t = Harness::new();
        for stem in [
            "IMMEDIATE_ALCS_SUCCESS",
            "IMMEDIATE_APC_INPUT_SUCCESS",
            "IMMEDIATE_APC_OUTPUT_SUCCESS",
            "CANCELLATION_APC_OUTPUT_SUCCESS",
        ] {
            let template = format!("ECS46d_6.14.3_{stem}_REQUEST_DUIS.XML");
            let body = template_body(&template);
            let p = plan(&body, DeviceType::Esme).unwrap();
            assert_precommand(&p, uc::ecs46d::MESSAGE_CODE, &t, DeviceType::Esme);
            let Plan::PreCommand(g) = &p else { panic!() };
            let DecodedCommand::Ecs46d(d) = uc::decode_command(g).unwrap() else {
                panic!()
            };
            let DecodedCommand::Ecs46d(r) =
                rtds_precommand("6.14.3_ECS46d", &format!("ECS46d_6.14.3_{stem}"))
            else {
                panic!()
            };
            assert_eq!(d, r, "{template}");
            let e = plan(&body, DeviceType::Gsme).unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{e}");
        }
        let body = template_body("ECS46d_6.14.3_IMMEDIATE_ALCS_SUCCESS_REQUEST_DUIS.XML");
        for (from, to) in [
            (
                "<sr:CommandedStateLevel>100<",
                "<sr:CommandedStateLevel>101<",
            ),
            ("auxiliaryControllerN=\"2\"", "auxiliaryControllerN=\"6\""),
            ("<sr:SwitchTime>09:00:00.00Z", "<sr:SwitchTime>25:00:00.00Z"),
            (
                "<sr:SpecialDaysApplicability identifier=\"2\"/>",
                "<sr:SpecialDaysApplicability identifier=\"21\"/>",
            ),
        ] {
            let bad = body.replacen(from, to, 1);
            assert_ne!(bad, body, "{from}");
            assert!(
                matches!(
                    plan(&bad, DeviceType::Esme).unwrap_err(),
                    DccError::Schema(_)
                ),
                "{to}"
            );
        }
    }
}
