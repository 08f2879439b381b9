//! 9.1 Request Customer Identification Number: an Other User asks for a Customer
//! Identification Number (CIN) to be shown on the meter, so that the consumer can read it to
//! them; the DCC answers with the meter's response and the CIN (`CINMessage`).
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS50 (DLMS SET of the CIN) | the ACB on the Other User's behalf |
//! | GSME | GCS36 (ZSE Update CIN; issuer event id: the DCC time, as GCS32's) | the ACB on the Other User's behalf |
//!
//! The CIN is the DCC's, one per meter, [`customer_identification_number`]: deterministic, the
//! same whenever it is asked for (across restarts), so that no store holds it; the response's
//! `CustomerIdentificationNumber` is read back from the command the DCC sent ([`cin_of`]). Any
//! other device type: E11. The body has no content.

use duis::Srv;
use duis::bodies::NoParameters;
use eui::Eui64;
use gbcs::usecases::{self as uc, Cin, DecodedCommand};
use gbcs::{Frame, MessageCode};

use super::zse_issuer_event_id;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct RequestCustomerIdentificationNumber;

impl Service for RequestCustomerIdentificationNumber {
    fn srv(&self) -> Srv {
        Srv::V9_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

/// The meter's CIN: FNV-1a over its EUI-64, modulo 10 000, as four digits.
pub fn customer_identification_number(device: Eui64) -> Cin {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in device.0 {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    Cin::modulo(h)
}

/// The CIN in a (protected) ECS50 or GCS36 command the DCC built.
pub fn cin_of(command: &[u8]) -> Option<Cin> {
    let frame = Frame::decode(command).ok()?;
    match uc::decode_command(frame.apdu()).ok()? {
        DecodedCommand::Ecs50(cin) => Some(cin),
        DecodedCommand::Gcs36(u) => Some(u.cin),
        _ => None,
    }
}

impl DeviceService for RequestCustomerIdentificationNumber {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "RequestCustomerIdentificationNumber")
            .map_err(render::body_error)?;
        let cin = customer_identification_number(r.device.id);
        match r.device.device_type {
            DeviceType::Esme => {
                r.use_case_command(MessageCode::ECS50, |h| uc::ecs50_send_cin(h, cin))
            }
            DeviceType::Gsme => {
                let event = zse_issuer_event_id(r.now)?;
                r.try_use_case_command(MessageCode::GCS36, |h| uc::gcs36_send_cin(h, event, cin))
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
    fn the_acb_sends_the_cin_for_the_other_user() {
        let t = Harness::new();
        for (dt, code) in [
            (DeviceType::Esme, MessageCode::ECS50),
            (DeviceType::Gsme, MessageCode::GCS36),
        ] {
            let plan = t
                .plan(
                    &RequestCustomerIdentificationNumber,
                    Srv::V9_1,
                    "<sr:RequestCustomerIdentificationNumber/>",
                    dt,
                    UserRole::OtherUser,
                )
                .unwrap();
            assert_command(&plan, code, true, &t, dt);
            let Plan::Command { command, .. } = &plan else {
                panic!("{plan:?}")
            };
            let cin = match uc::decode_command(command).unwrap() {
                DecodedCommand::Ecs50(c) => c,
                DecodedCommand::Gcs36(u) => u.cin,
                other => panic!("{other:?}"),
            };
            assert_eq!(cin, customer_identification_number(device_id(dt)));
        }
    }

    #[test]
    fn the_cin_is_four_digits_and_the_same_each_time() {
        let a = customer_identification_number(device_id(DeviceType::Esme));
        assert_eq!(
            a,
            customer_identification_number(device_id(DeviceType::Esme))
        );
        assert_eq!(a.as_str().len(), 4);
        assert!(a.as_str().bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn other_devices_and_bad_bodies_are_refused() {
        let t = Harness::new();
        for dt in [DeviceType::Gpf, DeviceType::Chf, DeviceType::Ppmid] {
            let e = t
                .plan(
                    &RequestCustomerIdentificationNumber,
                    Srv::V9_1,
                    "<sr:RequestCustomerIdentificationNumber/>",
                    dt,
                    UserRole::OtherUser,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        let e = t
            .plan(
                &RequestCustomerIdentificationNumber,
                Srv::V9_1,
                "<sr:RequestCustomerIdentificationNumber>1234</sr:RequestCustomerIdentificationNumber>",
                DeviceType::Esme,
                UserRole::OtherUser,
            )
            .unwrap_err();
        assert!(matches!(e, DccError::Schema(_)), "{e}");
    }
}
