//! ECS26j read ESME payment mode → `ReadDeviceConfigurationPaymentModeRsp/PaymentMode`: the
//! Account's `payment_mode` (1 credit, 2 prepayment).

use gbcs::axdr::Data;
use gbcs::usecases::{ResponseValue, ecs26j};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs26j::SPEC,
    service_reference: "6.2",
    service_reference_variant: "6.2.9",
    element: "ReadDeviceConfigurationPaymentModeRsp",
    by_variant: &[],
    render,
    failure: None,
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    let [Data::Structure(s)] = &values[..] else {
        return Err(MappingError::unexpected(v));
    };
    let mode = match s.first() {
        Some(Data::Enum(ecs26j::MODE_CREDIT)) => "Credit",
        Some(Data::Enum(ecs26j::MODE_PREPAYMENT)) => "Prepayment",
        _ => return Err(MappingError(format!("payment mode {s:?} is not 1 or 2"))),
    };
    let mut x = Xml::new();
    x.leaf("PaymentMode", mode);
    Ok(Rendering::Children(x))
}
