//! 1.5 Update Meter Balance (critical): pre-commands the supplier signs.
//!
//! | device | body | GBCS use case |
//! |---|---|---|
//! | ESME | `PrepaymentMode` or `CreditMode` / `AdjustMeterBalance` | ECS04a |
//! | ESME | `PrepaymentMode` or `CreditMode` / `ResetMeterBalance` | ECS04b |
//! | GSME | `PrepaymentMode/AdjustMeterBalance` | GCS40a |
//! | GSME | `PrepaymentMode/ResetMeterBalance` | GCS40b |
//! | GSME | `CreditMode/AdjustMeterBalance` | GCS40c |
//! | GSME | `CreditMode/ResetMeterBalance` | GCS40d |
//!
//! The ESME holds one meter balance (the DUIS templates send ECS04a as `PrepaymentMode` and
//! ECS04b as `CreditMode`); the GSME one per mode, in separate ZigBee clusters. GCS40's issuer
//! event id is the DCC's time in ZigBee UTC ([`super::zse_issuer_event_id`]). Other devices get
//! E11; out-of-range values are refused by the body parser.

use duis::Srv;
use duis::bodies::{MeterBalanceUpdate, UpdateMeterBalance as Body};
use gbcs::MessageCode;
use gbcs::usecases::{self as uc, BalanceAdjustment, CreditAdjustment};

use super::zse_issuer_event_id;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct UpdateMeterBalance;

impl Service for UpdateMeterBalance {
    fn srv(&self) -> Srv {
        Srv::V1_5
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

/// The GSME adjustment of a body.
pub fn gsme_adjustment(b: &Body) -> BalanceAdjustment {
    match (b.prepayment_mode, b.update) {
        (true, MeterBalanceUpdate::Adjust(v)) => BalanceAdjustment::PrepaymentAdjust(v),
        (true, MeterBalanceUpdate::Reset) => BalanceAdjustment::PrepaymentReset,
        (false, MeterBalanceUpdate::Adjust(v)) => BalanceAdjustment::CreditModeAdjust(v),
        (false, MeterBalanceUpdate::Reset) => BalanceAdjustment::CreditModeReset,
    }
}

impl DeviceService for UpdateMeterBalance {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        match (r.device.device_type, body.update) {
            (DeviceType::Esme, MeterBalanceUpdate::Adjust(v)) => r
                .use_case_command(MessageCode::ECS04A, |h| {
                    uc::ecs04a_adjust_meter_balance(h, v)
                }),
            (DeviceType::Esme, MeterBalanceUpdate::Reset) => {
                r.use_case_command(MessageCode::ECS04B, uc::ecs04b_reset_meter_balance)
            }
            (DeviceType::Gsme, _) => {
                let c = CreditAdjustment {
                    issuer_event_id: zse_issuer_event_id(r.now)?,
                    adjustment: gsme_adjustment(&body),
                };
                let code = c.adjustment.spec().message_code;
                r.try_use_case_command(code, |h| uc::gcs40_update_meter_balance(h, &c))
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

    fn body(mode: &str, inner: &str) -> String {
        format!("<sr:UpdateMeterBalance><sr:{mode}>{inner}</sr:{mode}></sr:UpdateMeterBalance>")
    }
    const ADJUST: &str = "<sr:AdjustMeterBalance>1200000</sr:AdjustMeterBalance>";
    const RESET: &str = "<sr:ResetMeterBalance/>";

    #[test]
    fn precommand_per_device_type_and_body() {
        let t = Harness::new();
        for (dt, role, mode, inner, code) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                "PrepaymentMode",
                ADJUST,
                MessageCode::ECS04A,
            ),
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                "CreditMode",
                ADJUST,
                MessageCode::ECS04A,
            ),
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                "CreditMode",
                RESET,
                MessageCode::ECS04B,
            ),
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                "PrepaymentMode",
                RESET,
                MessageCode::ECS04B,
            ),
            (
                DeviceType::Gsme,
                UserRole::GasSupplier,
                "PrepaymentMode",
                ADJUST,
                MessageCode::GCS40A,
            ),
            (
                DeviceType::Gsme,
                UserRole::GasSupplier,
                "PrepaymentMode",
                RESET,
                MessageCode::GCS40B,
            ),
            (
                DeviceType::Gsme,
                UserRole::GasSupplier,
                "CreditMode",
                ADJUST,
                MessageCode::GCS40C,
            ),
            (
                DeviceType::Gsme,
                UserRole::GasSupplier,
                "CreditMode",
                RESET,
                MessageCode::GCS40D,
            ),
        ] {
            let b = body(mode, inner);
            let plan = t
                .plan(&UpdateMeterBalance, Srv::V1_5, &b, dt, role)
                .unwrap();
            assert_precommand(&plan, code, &t, dt);
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
                .plan(
                    &UpdateMeterBalance,
                    Srv::V1_5,
                    &body("PrepaymentMode", ADJUST),
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn out_of_range_and_malformed_bodies_are_refused() {
        let t = Harness::new();
        for b in [
            body(
                "PrepaymentMode",
                "<sr:AdjustMeterBalance>2147483648</sr:AdjustMeterBalance>",
            ),
            body("PrepaymentMode", ""),
            "<sr:UpdateMeterBalance/>".to_owned(),
            "<sr:ActivateEmergencyCredit/>".to_owned(),
        ] {
            let e = t
                .plan(
                    &UpdateMeterBalance,
                    Srv::V1_5,
                    &b,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{b}: {e}");
        }
    }
}
