//! 7.10 Remove Auxiliary Load from Boost Button.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS62 | the import supplier |
//!
//! The body is `RemoveAuxiliaryLoadFromBoostButton`: an optional `ExecutionDateTime` and five
//! `RemoveFromBoostButton index="n"` booleans; the command removes the controllers given true
//! from the boost function, as 7.9 adds them ([`super::s7_9_add_auxiliary_load_to_boost_button`]).

use duis::Srv;
use duis::bodies::BoostButtonChange;

use super::s7_9_add_auxiliary_load_to_boost_button::plan_ecs62;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct RemoveAuxiliaryLoadFromBoostButton;

impl Service for RemoveAuxiliaryLoadFromBoostButton {
    fn srv(&self) -> Srv {
        Srv::V7_10
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for RemoveAuxiliaryLoadFromBoostButton {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = BoostButtonChange::parse_remove(&r.request.body).map_err(render::body_error)?;
        plan_ecs62(r, &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::s7_9_add_auxiliary_load_to_boost_button::tests::check;

    #[test]
    fn an_esme_gets_ecs62_removing_the_named_controllers() {
        check(
            &RemoveAuxiliaryLoadFromBoostButton,
            Srv::V7_10,
            "RemoveAuxiliaryLoadFromBoostButton",
            "RemoveFromBoostButton",
            false,
        );
    }
}
