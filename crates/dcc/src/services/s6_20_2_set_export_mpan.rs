//! 6.20.2 Set Device Configuration (Export MPAN): an ESME's export MPAN (DUIS
//! `SetDeviceConfigurationExportMPAN`; non-critical, DSP future dated; the export supplier's).
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS39b (DLMS SET of the export MPAN) | the ACB on the export supplier's behalf |
//!
//! An MPAN that is not 13 digits is a schema-invalid body; any other device type: E11.

use duis::Srv;
use duis::bodies::SetDeviceConfigurationExportMpan as Body;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct SetExportMpan;

impl Service for SetExportMpan {
    fn srv(&self) -> Srv {
        Srv::V6_20_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for SetExportMpan {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => r.try_use_case_command(uc::ecs39b::MESSAGE_CODE, |h| {
                uc::ecs39b_set_export_mpan(h, body.export_mpan.as_bytes())
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

    const BODY: &str = "<sr:SetDeviceConfigurationExportMPAN><sr:ExportMPAN>1312345678333</sr:ExportMPAN></sr:SetDeviceConfigurationExportMPAN>";

    #[test]
    fn the_acb_sends_ecs39b_for_the_export_supplier() {
        let t = Harness::new();
        let plan = t
            .plan(
                &SetExportMpan,
                Srv::V6_20_2,
                BODY,
                DeviceType::Esme,
                UserRole::ExportSupplier,
            )
            .unwrap();
        assert_command(&plan, uc::ecs39b::MESSAGE_CODE, true, &t, DeviceType::Esme);
        let Plan::Command { command, .. } = &plan else {
            panic!("not a command")
        };
        assert_eq!(
            decode_command(command).unwrap(),
            DecodedCommand::Ecs39b(b"1312345678333".to_vec())
        );
    }

    #[test]
    fn other_devices_and_malformed_mpans_are_refused() {
        let t = Harness::new();
        for dt in [DeviceType::Gsme, DeviceType::Chf] {
            let e = t
                .plan(
                    &SetExportMpan,
                    Srv::V6_20_2,
                    BODY,
                    dt,
                    UserRole::ExportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        let e = t
            .plan(
                &SetExportMpan,
                Srv::V6_20_2,
                &BODY.replace("1312345678333", "13123456783"),
                DeviceType::Esme,
                UserRole::ExportSupplier,
            )
            .unwrap_err();
        assert!(matches!(e, crate::error::DccError::Schema(_)), "{e}");
    }
}
