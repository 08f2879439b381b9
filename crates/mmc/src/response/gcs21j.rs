//! GCS21j read GSME payment mode → `ReadDeviceConfigurationPaymentModeRsp`: Prepayment
//! attribute `0x0000` (Payment Control Configuration) as 1.6 writes it
//! (`gbcs::usecases::payment_mode`): `PaymentMode` Credit for `0x0C94`, else Prepayment (bit 1,
//! prepayment enabled) with `SuspendDebtEmergency` (bit 11 clear) and `SuspendDebtDisabled`
//! (bit 10 set).

use gbcs::usecases::payment_mode::{
    BIT_COLLECT_DEBT_EMERGENCY, BIT_SUSPEND_DEBT_DISABLED, CONFIG_CREDIT,
};
use gbcs::usecases::{ResponseValue, gcs21j};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs21j::SPEC,
    service_reference: "6.2",
    service_reference_variant: "6.2.9",
    element: "ReadDeviceConfigurationPaymentModeRsp",
    by_variant: &[],
    render,
    failure: None,
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::Attributes(records) = v else {
        return Err(MappingError::unexpected(v));
    };
    let mut x = Xml::new();
    for r in records {
        let (gcs21j::PAYMENT_CONTROL_CONFIGURATION, [lo, hi]) = (r.id, &r.value[..]) else {
            continue;
        };
        let c = u16::from_le_bytes([*lo, *hi]);
        if c == CONFIG_CREDIT {
            x.leaf("PaymentMode", "Credit");
        } else {
            x.leaf("PaymentMode", "Prepayment");
            let b = |v: bool| if v { "true" } else { "false" };
            x.leaf(
                "SuspendDebtEmergency",
                b(c & BIT_COLLECT_DEBT_EMERGENCY == 0),
            );
            x.leaf("SuspendDebtDisabled", b(c & BIT_SUSPEND_DEBT_DISABLED != 0));
        }
    }
    Ok(Rendering::Children(x))
}
