//! 6.20.1 Set Device Configuration (Import MPxN): the MPxN a meter holds (DUIS
//! `SetDeviceConfigurationImportMPxN`; non-critical, DSP future dated).
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS39a (DLMS SET of the import MPAN; a twin element meter's two MPANs in one octet string) | the import supplier |
//! | GSME | GCS41 (ZSE Update SiteID; issuer event id: the DCC time, as GCS32's) | the gas supplier |
//!
//! The wrong fuel's element (`ImportMPRN` to an ESME, `ImportMPANs` to a GSME) is refused as a
//! schema-invalid body, as is an MPxN that is not digits of its length
//! (`duis::bodies::SetDeviceConfigurationImportMpxn`); any other device type: E11. Nothing is
//! sent then. The body's `ExecutionDateTime` (DSP future dating) is the gateway's
//! (`dispatch::hold`).

use duis::Srv;
use duis::bodies::{BodyError, ImportMpxn, SetDeviceConfigurationImportMpxn as Body};
use gbcs::usecases::{self as uc, ImportMpans};

use super::zse_issuer_event_id;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind, build_err};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct SetImportMpxn;

impl Service for SetImportMpxn {
    fn srv(&self) -> Srv {
        Srv::V6_20_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

fn wrong_fuel(found: &str) -> DccError {
    render::body_error(BodyError::Unexpected {
        parent: "SetDeviceConfigurationImportMPxN",
        found: found.to_owned(),
    })
}

impl DeviceService for SetImportMpxn {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        match (r.device.device_type, &body.mpxn) {
            (DeviceType::Esme, ImportMpxn::Mpans { primary, secondary }) => {
                let mpans =
                    ImportMpans::new(primary.as_bytes(), secondary.as_deref().map(str::as_bytes))
                        .map_err(build_err)?;
                r.use_case_command(uc::ecs39a::MESSAGE_CODE, |h| {
                    uc::ecs39a_set_import_mpan(h, &mpans)
                })
            }
            (DeviceType::Gsme, ImportMpxn::Mprn(mprn)) => {
                let event = zse_issuer_event_id(r.now)?;
                r.try_use_case_command(uc::gcs41::MESSAGE_CODE, |h| {
                    uc::gcs41_set_mprn(h, event, mprn.as_bytes())
                })
            }
            (DeviceType::Esme, _) => Err(wrong_fuel("ImportMPRN")),
            (DeviceType::Gsme, _) => Err(wrong_fuel("ImportMPANs")),
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::{DecodedCommand, SiteIdUpdate, decode_command};

    const SINGLE: &str = "<sr:SetDeviceConfigurationImportMPxN><sr:ImportMPANs><sr:ImportMPAN>1312345678333</sr:ImportMPAN></sr:ImportMPANs></sr:SetDeviceConfigurationImportMPxN>";
    const TWIN: &str = "<sr:SetDeviceConfigurationImportMPxN><sr:ImportMPANs><sr:ImportMPAN>1312345678111</sr:ImportMPAN><sr:SecondaryImportMPAN>1312345678222</sr:SecondaryImportMPAN></sr:ImportMPANs></sr:SetDeviceConfigurationImportMPxN>";
    const MPRN: &str = "<sr:SetDeviceConfigurationImportMPxN><sr:ImportMPRN>1234567890</sr:ImportMPRN></sr:SetDeviceConfigurationImportMPxN>";

    fn command(plan: &Plan) -> DecodedCommand {
        let Plan::Command { command, .. } = plan else {
            panic!("not a command: {plan:?}")
        };
        decode_command(command).unwrap()
    }

    #[test]
    fn command_per_device_type() {
        let t = Harness::new();
        for (body, mpans) in [
            (SINGLE, ImportMpans::new(b"1312345678333", None).unwrap()),
            (
                TWIN,
                ImportMpans::new(b"1312345678111", Some(b"1312345678222")).unwrap(),
            ),
        ] {
            let plan = t
                .plan(
                    &SetImportMpxn,
                    Srv::V6_20_1,
                    body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap();
            assert_command(&plan, uc::ecs39a::MESSAGE_CODE, false, &t, DeviceType::Esme);
            assert_eq!(command(&plan), DecodedCommand::Ecs39a(mpans));
        }
        let plan = t
            .plan(
                &SetImportMpxn,
                Srv::V6_20_1,
                MPRN,
                DeviceType::Gsme,
                UserRole::GasSupplier,
            )
            .unwrap();
        assert_command(&plan, uc::gcs41::MESSAGE_CODE, false, &t, DeviceType::Gsme);
        assert_eq!(
            command(&plan),
            DecodedCommand::Gcs41(SiteIdUpdate {
                issuer_event_id: 1_790_000_000 - 946_684_800,
                mprn: b"1234567890".to_vec()
            })
        );
    }

    #[test]
    fn wrong_devices_fuels_and_malformed_mpxns_are_refused() {
        let t = Harness::new();
        for dt in [DeviceType::Gpf, DeviceType::Chf, DeviceType::Ppmid] {
            let e = t
                .plan(
                    &SetImportMpxn,
                    Srv::V6_20_1,
                    MPRN,
                    dt,
                    UserRole::GasSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        for (body, dt, role) in [
            (MPRN, DeviceType::Esme, UserRole::ImportSupplier),
            (SINGLE, DeviceType::Gsme, UserRole::GasSupplier),
            (
                &SINGLE.replace("1312345678333", "131234567833A")[..],
                DeviceType::Esme,
                UserRole::ImportSupplier,
            ),
            (
                &MPRN.replace("1234567890", "12345678901")[..],
                DeviceType::Gsme,
                UserRole::GasSupplier,
            ),
        ] {
            let e = t
                .plan(&SetImportMpxn, Srv::V6_20_1, body, dt, role)
                .unwrap_err();
            assert!(
                matches!(e, crate::error::DccError::Schema(_)),
                "{body}: {e}"
            );
        }
    }
}
