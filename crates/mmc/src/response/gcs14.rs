//! GCS14 read GSME prepayment registers → `ReadInstantaneousPrepayValuesRsp`: the Prepayment
//! component the device encrypted to the requester is opened with the requester's key; inside,
//! emergency credit remaining (0x0002) is `EmergencyCreditBalance`, accumulated debt (0x0005)
//! `AccumulatedDebtRegister`, debt amount 3 (0x0231) `PaymentDebtRegister`, debt amounts 1 and 2
//! (0x0211, 0x0221) `TimeDebtRegister1`/`2`, credit remaining (0x0001) `MeterBalance` (in the
//! currency unit the Price component's trailing digit and currency announce, which the schema's
//! element has no place for). A failed record inside is the device's failure (the opened
//! records' `DebugInfo`).

use gbcs::usecases::{
    ClusterReadValue, ResponseValue, gcs14, reads_inst_common::CLUSTER_PREPAYMENT,
};

use super::ecs19::{PrepayValues, prepay_values};
use super::reads::{Opened, attr, nothing, open_records};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs14::SPEC,
    service_reference: "4.3",
    service_reference_variant: "4.3",
    element: "ReadInstantaneousPrepayValuesRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::ClusterReads(reads) = v else {
        return Err(MappingError::unexpected(v));
    };
    let Some(prepayment) = reads.iter().find(|r| r.cluster == CLUSTER_PREPAYMENT) else {
        return Err(MappingError("no Prepayment component".into()));
    };
    let records = match &prepayment.value {
        ClusterReadValue::Records(r) => r.clone(),
        ClusterReadValue::Protected(block) => {
            match open_records(
                ctx,
                "GCS14 prepayment registers",
                CLUSTER_PREPAYMENT,
                block,
                nothing,
            )? {
                Opened::Ok(r) => r,
                Opened::Rendering(r) => return Ok(r),
            }
        }
    };
    Ok(Rendering::Children(prepay_values(&PrepayValues {
        emergency_credit: attr(&records, 0x0002),
        accumulated_debt: attr(&records, 0x0005),
        payment_debt: attr(&records, 0x0231),
        time_debt: [attr(&records, 0x0211), attr(&records, 0x0221)],
        meter_balance: attr(&records, 0x0001),
    })))
}
