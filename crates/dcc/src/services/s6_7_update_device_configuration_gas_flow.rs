//! 6.7 Update Device Configuration (Gas Flow) (critical): GCS24 (`UncontrolledGasFlowRate`)
//! or GCS24a (`UncontrolledGasFlowRateDecimal`, divisor 10000) on a GSME, a pre-command the
//! gas supplier signs: ZSE Set Uncontrolled Flow Threshold and Set Supply Status
//! (`gbcs::usecases::gas_configuration`), issuer event id the DCC's time in ZigBee UTC. Any
//! other device type: E11.

use duis::Srv;
use duis::bodies::{GasFlowRate, SupplyStateChange, UpdateGasFlow};
use gbcs::usecases::gas_configuration::{GasFlow, SUPPLY_LOCKED, SUPPLY_UNCHANGED};
use gbcs::usecases::{gcs24, gcs24a};

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind, zse_issuer_event_id};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct UpdateGasFlowService;

impl Service for UpdateGasFlowService {
    fn srv(&self) -> Srv {
        Srv::V6_7
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

fn state(s: SupplyStateChange) -> u8 {
    match s {
        SupplyStateChange::Unchanged => SUPPLY_UNCHANGED,
        SupplyStateChange::Locked => SUPPLY_LOCKED,
    }
}

impl DeviceService for UpdateGasFlowService {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = UpdateGasFlow::parse(&r.request.body).map_err(render::body_error)?;
        if r.device.device_type != DeviceType::Gsme {
            return Err(r.wrong_type());
        }
        let (threshold, divisor) = match body.rate {
            GasFlowRate::Integer(v) => (v, gcs24::DIVISOR),
            GasFlowRate::Decimal(v) => (v, gcs24a::DIVISOR),
        };
        let f = GasFlow {
            issuer_event_id: zse_issuer_event_id(r.now)?,
            threshold,
            divisor,
            stabilisation_period: body.stabilisation_period,
            measurement_period: body.measurement_period,
            tamper_state: state(body.tamper),
            depletion_state: state(body.depletion),
        };
        match body.rate {
            GasFlowRate::Integer(_) => {
                r.try_use_case_command(gcs24::MESSAGE_CODE, |h| gcs24::gcs24_update_gas_flow(h, &f))
            }
            GasFlowRate::Decimal(_) => r.try_use_case_command(gcs24a::MESSAGE_CODE, |h| {
                gcs24a::gcs24a_update_gas_flow(h, &f)
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::{self as uc, DecodedCommand};

    fn plan_for(body: &str, dt: DeviceType) -> Result<Plan, DccError> {
        let t = Harness::new();
        let req = request(Srv::V6_7, body, dt, 77);
        let d = device(dt);
        let mut counter = || Ok(ACB_COUNTER);
        let mut r = DeviceRequest {
            request: &req,
            device: &d,
            acting_role: UserRole::GasSupplier,
            dcc: &t.dcc,
            dcc_counter: &mut counter,
            now: time::OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap(),
            han_peer: None,
        };
        crate::catalogue::plan_device(&UpdateGasFlowService, &mut r)
    }

    #[test]
    fn the_templates_plan_the_rtds_precommands() {
        for (template, dir, stem) in [
            (
                "GCS24_6.7_SUCCESS_REQUEST_DUIS.XML",
                "6.7_GCS24",
                "GCS24_6.7_SUCCESS",
            ),
            (
                "GCS24a_6.7_SUCCESS_REQUEST_DUIS.XML",
                "6.7_GCS24a",
                "GCS24a_6.7_SUCCESS",
            ),
        ] {
            let body = template_body(template);
            let Plan::PreCommand(g) = plan_for(&body, DeviceType::Gsme).unwrap() else {
                panic!("{template}: not a pre-command")
            };
            let ours = uc::decode_command(&g).unwrap();
            let rtds = rtds_precommand(dir, stem);
            assert_eq!(std::mem::discriminant(&ours), std::mem::discriminant(&rtds));
            let (DecodedCommand::Gcs24(mut a) | DecodedCommand::Gcs24a(mut a)) = ours else {
                panic!("{ours:?}")
            };
            let (DecodedCommand::Gcs24(b) | DecodedCommand::Gcs24a(b)) = rtds else {
                panic!("{rtds:?}")
            };
            // The issuer event id is the DCC's time.
            a.issuer_event_id = b.issuer_event_id;
            assert_eq!(a, b, "{template}");
            let e = plan_for(&body, DeviceType::Esme).unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{e}");
        }
        // A stabilisation period of 0 is outside its range.
        let bad = template_body("GCS24_6.7_SUCCESS_REQUEST_DUIS.XML")
            .replace("<sr:StabilisationPeriod>60<", "<sr:StabilisationPeriod>0<");
        assert!(matches!(
            plan_for(&bad, DeviceType::Gsme).unwrap_err(),
            DccError::Schema(_)
        ));
    }
}
