//! 14.1 Record Network Data (GAS): the gas transporter has the GSME start sampling its network
//! data (GCS31, Start Sampling: a sample every 6 minutes, 41 samples), which 4.10 (GCS18) reads
//! back. GCS31 is originated by the DCC's ACB on the transporter's behalf, with the DCC's time
//! as issuer event id (as GCS32).

use duis::Srv;
use duis::bodies::NoParameters;
use gbcs::usecases as uc;

use super::zse_issuer_event_id;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct RecordNetworkDataGas;

impl Service for RecordNetworkDataGas {
    fn srv(&self) -> Srv {
        Srv::V14_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for RecordNetworkDataGas {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "RecordNetworkDataGAS").map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Gsme => {
                let event = zse_issuer_event_id(r.now)?;
                r.try_use_case_command(uc::gcs31::MESSAGE_CODE, |h| {
                    uc::gcs31_start_network_data_sampling(h, event)
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

    #[test]
    fn gsme_gets_gcs31_from_the_acb() {
        let t = Harness::new();
        let plan = t
            .plan(
                &RecordNetworkDataGas,
                Srv::V14_1,
                "<sr:RecordNetworkDataGAS/>",
                DeviceType::Gsme,
                UserRole::GasTransporter,
            )
            .unwrap();
        assert_command(&plan, uc::gcs31::MESSAGE_CODE, true, &t, DeviceType::Gsme);
        let Plan::Command { command, .. } = plan else {
            unreachable!()
        };
        let uc::DecodedCommand::Gcs31(s) = gbcs::usecases::decode_command(&command).unwrap() else {
            panic!("not GCS31")
        };
        // The harness's clock, 1 790 000 000 (unix), in ZigBee UTC seconds.
        assert_eq!(s.issuer_event_id, 1_790_000_000 - 946_684_800);
    }

    #[test]
    fn other_devices_get_e11_and_bodies_must_be_empty() {
        let t = Harness::new();
        for dt in [
            DeviceType::Esme,
            DeviceType::Chf,
            DeviceType::Gpf,
            DeviceType::Ppmid,
        ] {
            let e = t
                .plan(
                    &RecordNetworkDataGas,
                    Srv::V14_1,
                    "<sr:RecordNetworkDataGAS/>",
                    dt,
                    UserRole::GasTransporter,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        for b in [
            "<sr:RecordNetworkDataGAS>x</sr:RecordNetworkDataGAS>",
            "<sr:ReadNetworkData/>",
        ] {
            let e = t
                .plan(
                    &RecordNetworkDataGas,
                    Srv::V14_1,
                    b,
                    DeviceType::Gsme,
                    UserRole::GasTransporter,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{b}: {e}");
        }
    }
}
