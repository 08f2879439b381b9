//! 3.1 Display Message: the supplier's message the meter shows the consumer (and its IHD shows
//! from the meter), until the next one.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS10 (DLMS SET of the message for the consumer) | the import supplier |
//! | GSME | GCS07 (ZSE Display Message, shown now until changed; message id: the DCC time, as GCS32's issuer event id) | the gas supplier |
//!
//! Any other device type: E11. The body's `ExecutionDateTime` (DSP future dating) is the
//! gateway's (`dispatch::hold`).

use duis::Srv;
use duis::bodies::DisplayMessage as Body;
use gbcs::MessageCode;
use gbcs::usecases::{self as uc, SupplierMessage};

use super::zse_issuer_event_id;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind, build_err};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct DisplayMessage;

impl Service for DisplayMessage {
    fn srv(&self) -> Srv {
        Srv::V3_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for DisplayMessage {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        // The body's limit is GBCS's (1 to 116 bytes of ASCII): it always fits.
        let message = SupplierMessage::new(body.supplier_message.as_bytes()).map_err(build_err)?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(MessageCode::ECS10, |h| {
                uc::ecs10_display_message(h, &message)
            }),
            DeviceType::Gsme => {
                let id = zse_issuer_event_id(r.now)?;
                r.try_use_case_command(MessageCode::GCS07, |h| {
                    uc::gcs07_display_message(h, id, &message)
                })
            }
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DccError;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::{DecodedCommand, MessageDisplay, decode_command};

    const BODY: &str =
        "<sr:DisplayMessage><sr:SupplierMessage>Reset</sr:SupplierMessage></sr:DisplayMessage>";

    fn command(plan: &Plan) -> DecodedCommand {
        let Plan::Command { command, .. } = plan else {
            panic!("not a command: {plan:?}")
        };
        decode_command(command).unwrap()
    }

    #[test]
    fn command_per_device_type() {
        let t = Harness::new();
        let reset = SupplierMessage::new(b"Reset").unwrap();
        let plan = t
            .plan(
                &DisplayMessage,
                Srv::V3_1,
                BODY,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap();
        assert_command(&plan, MessageCode::ECS10, false, &t, DeviceType::Esme);
        assert_eq!(command(&plan), DecodedCommand::Ecs10(reset.clone()));
        let plan = t
            .plan(
                &DisplayMessage,
                Srv::V3_1,
                BODY,
                DeviceType::Gsme,
                UserRole::GasSupplier,
            )
            .unwrap();
        assert_command(&plan, MessageCode::GCS07, false, &t, DeviceType::Gsme);
        assert_eq!(
            command(&plan),
            DecodedCommand::Gcs07(MessageDisplay {
                message_id: 1_790_000_000 - 946_684_800,
                message: reset
            })
        );
    }

    #[test]
    fn other_devices_and_bad_bodies_are_refused() {
        let t = Harness::new();
        for dt in [
            DeviceType::Gpf,
            DeviceType::Chf,
            DeviceType::Ppmid,
            DeviceType::Hcalcs,
        ] {
            let e = t
                .plan(&DisplayMessage, Srv::V3_1, BODY, dt, UserRole::GasSupplier)
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        let long = format!(
            "<sr:DisplayMessage><sr:SupplierMessage>{}</sr:SupplierMessage></sr:DisplayMessage>",
            "x".repeat(117)
        );
        for bad in [
            "<sr:DisplayMessage/>",
            "<sr:DisplayMessage><sr:SupplierMessage></sr:SupplierMessage></sr:DisplayMessage>",
            long.as_str(),
            "<sr:DisablePrivacyPIN/>",
        ] {
            let e = t
                .plan(
                    &DisplayMessage,
                    Srv::V3_1,
                    bad,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{bad}: {e}");
        }
    }
}
