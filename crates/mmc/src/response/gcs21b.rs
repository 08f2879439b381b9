//! GCS21b read GSME prepayment configuration → `ReadPrepaymentConfigurationRsp`, from the
//! Prepayment cluster's Read Attributes Response (ZSE attributes):
//!
//! | element | attribute |
//! |---|---|
//! | `DebtRecoveryPerPayment` | `0x0239` debt recovery top-up percentage 3 (payment-based debt) |
//! | `DebtRecoveryRateCap` | `0x0006` overall debt cap |
//! | `DisablementThreshold` | `0x0040` cut-off value |
//! | `EmergencyCreditLimit` | `0x0010` emergency credit limit/allowance |
//! | `EmergencyCreditThreshold` | `0x0011` emergency credit threshold |
//! | `LowCreditThreshold` | `0x0031` low credit warning level |
//! | `CreditMaxCreditThreshold` | `0x0022` maximum credit per top-up |
//! | `MaxCreditMaxMeterBalance` | `0x0021` maximum credit limit |
//! | `Gas/DebtRecovery1`, `2` | `0x0217`/`0x0227` debt recovery amount, `0x0216`/`0x0226` frequency (0 `HOURLY`, 1 `DAILY`) |
//!
//! | `Gas/NonDisablementCalendar` | the friendly credit calendar's day and week profiles, seasons and special days (the other components, [`super::gas_calendar`]) |
//!
//! A calendar the GSME does not hold (NOT_FOUND) is the device's failure.

use gbcs::gbz::GbzBody;
use gbcs::usecases::{
    AttributeRecord, ResponseValue, gcs21b, reads_inst_common::CLUSTER_PREPAYMENT,
};

use super::gas_calendar::{Calendar, non_disablement};
use super::reads::{attr, nothing};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs21b::SPEC,
    service_reference: "4.13",
    service_reference_variant: "4.13",
    element: "ReadPrepaymentConfigurationRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::Components(components) = v else {
        return Err(MappingError::unexpected(v));
    };
    let records = read_attributes(components, CLUSTER_PREPAYMENT)?;
    let mut x = Xml::new();
    for (name, id) in [
        ("DebtRecoveryPerPayment", 0x0239),
        ("DebtRecoveryRateCap", 0x0006),
        ("DisablementThreshold", 0x0040),
        ("EmergencyCreditLimit", 0x0010),
        ("EmergencyCreditThreshold", 0x0011),
        ("LowCreditThreshold", 0x0031),
        ("CreditMaxCreditThreshold", 0x0022),
        ("MaxCreditMaxMeterBalance", 0x0021),
    ] {
        if let Some(v) = attr(&records, id) {
            x.leaf(name, &v.to_string());
        }
    }
    x.open("Gas", &[]);
    non_disablement(&mut x, &Calendar::of(components)?)?;
    for (name, amount, frequency) in [
        ("DebtRecovery1", 0x0217, 0x0216),
        ("DebtRecovery2", 0x0227, 0x0226),
    ] {
        let rate = attr(&records, amount);
        let period = attr(&records, frequency).and_then(|f| match f {
            0 => Some("HOURLY"),
            1 => Some("DAILY"),
            _ => None,
        });
        if rate.is_none() && period.is_none() {
            continue;
        }
        x.open(name, &[]);
        if let Some(r) = rate {
            x.leaf("DebtRecoveryRate", &r.to_string());
        }
        if let Some(p) = period {
            x.leaf("DebtRecoveryRatePeriod", p);
        }
        x.close(name);
    }
    x.close("Gas");
    Ok(Rendering::Children(x))
}

/// The records of the (general, server-to-client) Read Attributes Response component of
/// `cluster` in a read set's answer.
pub(crate) fn read_attributes(
    components: &[gbcs::gbz::GbzComponent],
    cluster: u16,
) -> Result<Vec<AttributeRecord>, MappingError> {
    let zcl = components
        .iter()
        .filter(|c| c.cluster == cluster)
        .find_map(|c| match &c.body {
            GbzBody::Plain { zcl, .. } if zcl.frame_control & 0x03 == 0 && zcl.command == 0x01 => {
                Some(zcl)
            }
            _ => None,
        })
        .ok_or_else(|| {
            MappingError(format!(
                "no Read Attributes Response of cluster {cluster:04X}"
            ))
        })?;
    match gbcs::usecases::gcs13a::decode_plaintext(&zcl.payload) {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(f)) => Err(MappingError(format!("a failed record in a success: {f:?}"))),
        Err(e) => Err(MappingError(format!("cluster {cluster:04X}: {e}"))),
    }
}
