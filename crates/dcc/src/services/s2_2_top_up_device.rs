//! 2.2 Top Up Device (non-critical): the UTRN the supplier issued, applied remotely.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | CS01a (DLMS ACTION token gateway `enter`) | the import supplier |
//! | GSME | CS01b (ZSE Prepayment Consumer Top Up) | the gas supplier |
//!
//! Any other device type: E11. The body (`sr:TopUpDevice`) carries the UTRN as the supplier
//! built it (`gbcs::utrn`, from its prepayment key, for this meter); the DCC checks its form (20
//! digits) and passes it on: whether it is a good token for the meter (check digit, MAC, counter
//! window, used already) is the meter's to decide, and a refusal comes back in the response
//! (and the meter's alert). The supplier uses the UTRN's counter as the request's counter, as
//! the RTDS vectors do; the meter takes the UTRN's counter from the token, not from the command.

use duis::Srv;
use duis::bodies::TopUpDevice as Body;
use gbcs::MessageCode;
use gbcs::usecases::{self as uc, TopUp};

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind, build_err};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct TopUpDevice;

impl Service for TopUpDevice {
    fn srv(&self) -> Srv {
        Srv::V2_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for TopUpDevice {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        // The body parser admits exactly the 20 digits a top-up command carries.
        let top_up = TopUp::new(&body.utrn).ok_or_else(|| build_err("UTRN not 20 digits"))?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(MessageCode::CS01A, |h| {
                uc::cs01a_apply_prepayment_top_up(h, &top_up)
            }),
            DeviceType::Gsme => r.try_use_case_command(MessageCode::CS01B, |h| {
                uc::cs01b_apply_prepayment_top_up(h, &top_up)
            }),
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::{DecodedCommand, decode_command};

    const UTRN: &str = "73946144332040217315";

    fn body(utrn: &str) -> String {
        format!("<sr:TopUpDevice><sr:UTRN>{utrn}</sr:UTRN></sr:TopUpDevice>")
    }

    #[test]
    fn command_per_device_type_carries_the_utrn() {
        let t = Harness::new();
        let top_up = TopUp::new(UTRN).unwrap();
        for (dt, role, code, expected) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                MessageCode::CS01A,
                DecodedCommand::Cs01a(top_up.clone()),
            ),
            (
                DeviceType::Gsme,
                UserRole::GasSupplier,
                MessageCode::CS01B,
                DecodedCommand::Cs01b(top_up.clone()),
            ),
        ] {
            let plan = t
                .plan(&TopUpDevice, Srv::V2_2, &body(UTRN), dt, role)
                .unwrap();
            assert_command(&plan, code, false, &t, dt);
            let Plan::Command { command, .. } = &plan else {
                panic!("{plan:?}")
            };
            assert_eq!(decode_command(command).unwrap(), expected);
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
                    &TopUpDevice,
                    Srv::V2_2,
                    &body(UTRN),
                    dt,
                    UserRole::GasSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn bad_bodies_are_refused() {
        let t = Harness::new();
        for bad in [
            body("7394614433204021731"),
            body("7394614433204021731x"),
            "<sr:TopUpDevice/>".to_string(),
            "<sr:ActivateEmergencyCredit/>".to_string(),
        ] {
            let e = t
                .plan(
                    &TopUpDevice,
                    Srv::V2_2,
                    &bad,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, crate::error::DccError::Schema(_)), "{bad}: {e}");
        }
    }
}
