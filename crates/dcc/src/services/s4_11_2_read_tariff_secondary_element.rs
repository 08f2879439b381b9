//! 4.11.2 Read Tariff (Secondary Element): the secondary element of a twin element ESME.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME, twin element (variant B…) | ECS24b | the supplier; the ACB for Other Users |
//!
//! An ESME known to be of another variant has no secondary element: refused with E11 (as a
//! device the service does not apply to). An ESME whose variant the inventory does not hold is
//! given the benefit of the doubt (the device answers object-undefined if it has no such
//! element).

use duis::Srv;
use duis::bodies::NoParameters;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadTariffSecondaryElement;

impl Service for ReadTariffSecondaryElement {
    fn srv(&self) -> Srv {
        Srv::V4_11_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

/// Whether an ESME of variant `v` may have a secondary element (twin element, variant B…, or
/// not known).
pub fn may_be_twin(v: Option<duis::EsmeVariant>) -> bool {
    v.is_none_or(|v| v.as_str().starts_with('B'))
}

impl DeviceService for ReadTariffSecondaryElement {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "ReadTariffSecondaryElement")
            .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme if may_be_twin(r.device.esme_variant) => {
                r.try_use_case_command(uc::ecs24b::MESSAGE_CODE, uc::ecs24b_read_tariff_secondary)
            }
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::{EsmeVariant, UserRole};

    const BODY: &str = "<sr:ReadTariffSecondaryElement/>";

    #[test]
    fn twin_esme_gets_ecs24b() {
        let t = Harness::new();
        // The harness's ESME has no recorded variant.
        for (role, by_acb) in [
            (UserRole::ImportSupplier, false),
            (UserRole::OtherUser, true),
        ] {
            let plan = t
                .plan(
                    &ReadTariffSecondaryElement,
                    Srv::V4_11_2,
                    BODY,
                    DeviceType::Esme,
                    role,
                )
                .unwrap();
            assert_command(
                &plan,
                uc::ecs24b::MESSAGE_CODE,
                by_acb,
                &t,
                DeviceType::Esme,
            );
        }
        assert!(may_be_twin(Some(EsmeVariant::B)) && may_be_twin(Some(EsmeVariant::Bdf)));
        assert!(!may_be_twin(Some(EsmeVariant::A)) && !may_be_twin(Some(EsmeVariant::C)));
    }

    #[test]
    fn single_element_esme_and_other_devices_get_e11() {
        let t = Harness::new();
        let req = request(Srv::V4_11_2, BODY, DeviceType::Esme, 5);
        let mut device = device(DeviceType::Esme);
        device.esme_variant = Some(EsmeVariant::A);
        let mut counter = || Ok(ACB_COUNTER);
        let mut r = DeviceRequest {
            request: &req,
            device: &device,
            acting_role: UserRole::ImportSupplier,
            dcc: &t.dcc,
            dcc_counter: &mut counter,
            now: time::OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap(),
            han_peer: None,
        };
        let e = crate::catalogue::plan_device(&ReadTariffSecondaryElement, &mut r).unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11));
        for dt in [DeviceType::Gsme, DeviceType::Chf, DeviceType::Ppmid] {
            let e = t
                .plan(
                    &ReadTariffSecondaryElement,
                    Srv::V4_11_2,
                    BODY,
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        let e = t
            .plan(
                &ReadTariffSecondaryElement,
                Srv::V4_11_2,
                "<sr:ReadTariffPrimaryElement/>",
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap_err();
        assert!(matches!(e, DccError::Schema(_)), "{e}");
    }
}
