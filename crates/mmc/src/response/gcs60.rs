//! GCS60 read GSME meter balance → `ReadMeterBalanceRsp`: Metering 0x0A00 (the meter balance)
//! as `MeterBalance`, Prepayment 0x0001 (credit remaining, the balance in prepayment mode) as
//! `Gas/MeterBalancePrepaymentMode`, both plaintext, in the meter's currency unit.

use gbcs::usecases::{
    CLUSTER_METERING, ClusterReadValue, ResponseValue, gcs60, reads_inst_common::CLUSTER_PREPAYMENT,
};

use super::reads::{attr, nothing};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs60::SPEC,
    service_reference: "4.18",
    service_reference_variant: "4.18",
    element: "ReadMeterBalanceRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

/// GCS60 and GCS60a.
pub(crate) fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::ClusterReads(reads) = v else {
        return Err(MappingError::unexpected(v));
    };
    let value = |cluster: u16, id: u16| -> Result<Option<i128>, MappingError> {
        match reads
            .iter()
            .find(|r| r.cluster == cluster)
            .map(|r| &r.value)
        {
            None => Ok(None),
            Some(ClusterReadValue::Records(records)) => Ok(attr(records, id)),
            Some(ClusterReadValue::Protected(_)) => Err(MappingError(format!(
                "cluster {cluster:04X} is encrypted; GCS60 answers in plaintext"
            ))),
        }
    };
    let balance = value(CLUSTER_METERING, 0x0A00)?;
    let credit = value(CLUSTER_PREPAYMENT, 0x0001)?;
    let mut x = Xml::new();
    if let Some(b) = balance {
        x.leaf("MeterBalance", &b.to_string());
    }
    if let Some(c) = credit {
        x.open("Gas", &[]);
        x.leaf("MeterBalancePrepaymentMode", &c.to_string());
        x.close("Gas");
    }
    Ok(Rendering::Children(x))
}
