//! ECS26a read ESME prepayment configuration → `ReadPrepaymentConfigurationRsp`, from the GET
//! list's values by their COSEM meaning (DLMS Blue Book classes 111 account, 112 credit, 113
//! charge, 21 register monitor):
//!
//! | element | value (request index: object) |
//! |---|---|
//! | `DebtRecoveryPerPayment` | 7: `113, 0-0:19.20.3.255, 13` (proportion, the payment-based debt charge) |
//! | `DebtRecoveryRateCap` | 12: `111, 0-0:19.0.0.255, 18` (maximum provision; its period, attribute 19, has no element) |
//! | `DisablementThreshold` | 9: `21, 0-0:16.0.1.255, 2` (the monitor's first threshold) |
//! | `EmergencyCreditLimit` | 14: `112, 0-0:19.10.1.255, 9` (the emergency credit's preset amount) |
//! | `EmergencyCreditThreshold` | 15: `112, 0-0:19.10.1.255, 10` (credit available threshold) |
//! | `LowCreditThreshold` | 11: `111, 0-0:19.0.0.255, 16` |
//! | `CreditMaxCreditThreshold` | 8: `9000, 0-0:94.44.2.10, 2` |
//! | `MaxCreditMaxMeterBalance` | 10: `9000, 0-0:94.44.2.20, 2` |
//! | `Electricity/DebtRecovery1`, `2` | 0, 2 / 4, 5: `113, 0-0:19.20.1.255 / .2.255, 5` (unit charge: price scale and the charge) and `8` (period: 3600 s `HOURLY`, 86400 s `DAILY`) |
//!
//! Amounts are in the meter's currency unit, as read. Not rendered (all optional in the schema):
//! the non-disablement calendar (special days, schedule), the suspend-debt flags (in the credit
//! and charge configuration) and the payment mode (not read by ECS26a).

use gbcs::axdr::Data;
use gbcs::usecases::{ResponseValue, ecs26a};

use super::reads::{UnitCharge, integer, nothing};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs26a::SPEC,
    service_reference: "4.13",
    service_reference_variant: "4.13",
    element: "ReadPrepaymentConfigurationRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    if values.len() != ecs26a::ITEMS.len() {
        return Err(MappingError(format!(
            "{} values, ECS26a reads {}",
            values.len(),
            ecs26a::ITEMS.len()
        )));
    }
    let int = |i: usize| -> Result<i128, MappingError> {
        let d = &values[i];
        integer(d).ok_or_else(|| MappingError(format!("value {i} {d:?} is not an integer")))
    };
    let disablement = match &values[9] {
        Data::Array(t) => t
            .first()
            .map(|d| integer(d).ok_or_else(|| MappingError(format!("threshold {d:?}"))))
            .transpose()?,
        d => return Err(MappingError(format!("thresholds {d:?}"))),
    };
    let mut x = Xml::new();
    x.leaf("DebtRecoveryPerPayment", &int(7)?.to_string());
    x.leaf("DebtRecoveryRateCap", &int(12)?.to_string());
    if let Some(d) = disablement {
        x.leaf("DisablementThreshold", &d.to_string());
    }
    x.leaf("EmergencyCreditLimit", &int(14)?.to_string());
    x.leaf("EmergencyCreditThreshold", &int(15)?.to_string());
    x.leaf("LowCreditThreshold", &int(11)?.to_string());
    x.leaf("CreditMaxCreditThreshold", &int(8)?.to_string());
    x.leaf("MaxCreditMaxMeterBalance", &int(10)?.to_string());
    x.open("Electricity", &[]);
    for (name, charge, period) in [("DebtRecovery1", 0, 2), ("DebtRecovery2", 4, 5)] {
        let charge = UnitCharge::of(&values[charge])?;
        let rate = charge
            .table
            .first()
            .map(|(_, c)| *c)
            .ok_or_else(|| MappingError("an empty unit charge".into()))?;
        let scale = charge.price_scale;
        x.open(name, &[]);
        x.leaf("DebtRecoveryRate", &rate.to_string());
        x.leaf("DebtRecoveryRatePriceScale", &scale.to_string());
        if let Some(p) = period_name(int(period)?) {
            x.leaf("DebtRecoveryRatePeriod", p);
        }
        x.close(name);
    }
    x.close("Electricity");
    Ok(Rendering::Children(x))
}

/// A debt recovery period in seconds as the schema names it.
fn period_name(secs: i128) -> Option<&'static str> {
    match secs {
        3600 => Some("HOURLY"),
        86_400 => Some("DAILY"),
        _ => None,
    }
}
