//! 3.4 Update Supplier Name: the name and telephone number the meter shows the consumer (and
//! its IHD shows from the meter).
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS16 (DLMS SET of the telephone number and the name) | the import supplier |
//! | GSME | GCS44 (ZSE Publish Change of Supplier; issuer event id: the DCC time, as GCS32's) | the gas supplier |
//!
//! Any other device type: E11. The body's `ExecutionDateTime` (DSP future dating) is the
//! gateway's (`dispatch::hold`).

use duis::Srv;
use duis::bodies::UpdateSupplierName as Body;
use gbcs::MessageCode;
use gbcs::usecases::{self as uc, SupplierContact};

use super::zse_issuer_event_id;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind, build_err};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct UpdateSupplierName;

impl Service for UpdateSupplierName {
    fn srv(&self) -> Srv {
        Srv::V3_4
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for UpdateSupplierName {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        // The body's limits are GBCS's (15 and 18 bytes of ASCII): it always fits.
        let contact = SupplierContact::new(
            body.supplier_name.as_bytes(),
            body.supplier_telephone_number.as_bytes(),
        )
        .map_err(build_err)?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(MessageCode::ECS16, |h| {
                uc::ecs16_update_supplier_name(h, &contact)
            }),
            DeviceType::Gsme => {
                let event = zse_issuer_event_id(r.now)?;
                r.try_use_case_command(MessageCode::GCS44, |h| {
                    uc::gcs44_update_supplier_name(h, event, &contact)
                })
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
    use gbcs::usecases::{DecodedCommand, SupplierChange, decode_command};

    const BODY: &str = "<sr:UpdateSupplierName><sr:SupplierName>E-ON</sr:SupplierName><sr:SupplierTelephoneNumber>0333 202 4650</sr:SupplierTelephoneNumber></sr:UpdateSupplierName>";

    fn command(plan: &Plan) -> DecodedCommand {
        let Plan::Command { command, .. } = plan else {
            panic!("not a command: {plan:?}")
        };
        decode_command(command).unwrap()
    }

    #[test]
    fn command_per_device_type() {
        let t = Harness::new();
        let contact = SupplierContact::new(b"E-ON", b"0333 202 4650").unwrap();
        let plan = t
            .plan(
                &UpdateSupplierName,
                Srv::V3_4,
                BODY,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap();
        assert_command(&plan, MessageCode::ECS16, false, &t, DeviceType::Esme);
        assert_eq!(command(&plan), DecodedCommand::Ecs16(contact.clone()));
        let plan = t
            .plan(
                &UpdateSupplierName,
                Srv::V3_4,
                BODY,
                DeviceType::Gsme,
                UserRole::GasSupplier,
            )
            .unwrap();
        assert_command(&plan, MessageCode::GCS44, false, &t, DeviceType::Gsme);
        // The harness's DCC time, 1 790 000 000 s after 1970, in ZigBee seconds since 2000.
        assert_eq!(
            command(&plan),
            DecodedCommand::Gcs44(SupplierChange {
                issuer_event_id: 1_790_000_000 - 946_684_800,
                contact
            })
        );
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
                    &UpdateSupplierName,
                    Srv::V3_4,
                    BODY,
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
            "<sr:UpdateSupplierName><sr:SupplierName>E-ON</sr:SupplierName></sr:UpdateSupplierName>",
            "<sr:UpdateSupplierName><sr:SupplierName>Sixteen chars!!!</sr:SupplierName><sr:SupplierTelephoneNumber>1</sr:SupplierTelephoneNumber></sr:UpdateSupplierName>",
            "<sr:UpdateSupplierName><sr:SupplierName>E</sr:SupplierName><sr:SupplierTelephoneNumber>0123456789012345678</sr:SupplierTelephoneNumber></sr:UpdateSupplierName>",
            "<sr:UpdateSupplierName><sr:SupplierName>E</sr:SupplierName><sr:SupplierTelephoneNumber>+44</sr:SupplierTelephoneNumber></sr:UpdateSupplierName>",
            "<sr:DisablePrivacyPIN/>",
        ] {
            let e = t
                .plan(
                    &UpdateSupplierName,
                    Srv::V3_4,
                    bad,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, crate::error::DccError::Schema(_)), "{bad}: {e}");
        }
    }
}
