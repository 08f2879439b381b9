//! 1.5 Update Meter Balance: ECS04a, ECS04b, GCS40a–d → `UpdateMeterBalanceRsp` (no content;
//! failures in `DebugInfo`).

use gbcs::usecases::{ResponseValue, UseCaseSpec, ecs04, gcs40};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

const fn mapping(use_case: &'static UseCaseSpec) -> ResponseMapping {
    ResponseMapping {
        use_case,
        service_reference: "1.5",
        service_reference_variant: "1.5",
        element: "UpdateMeterBalanceRsp",
        by_variant: &[],
        render,
        failure: None,
    }
}

/// ECS04a.
pub static ECS04A: ResponseMapping = mapping(&ecs04::SPEC_A);
/// ECS04b.
pub static ECS04B: ResponseMapping = mapping(&ecs04::SPEC_B);
/// GCS40a.
pub static GCS40A: ResponseMapping = mapping(&gcs40::SPEC_A);
/// GCS40b.
pub static GCS40B: ResponseMapping = mapping(&gcs40::SPEC_B);
/// GCS40c.
pub static GCS40C: ResponseMapping = mapping(&gcs40::SPEC_C);
/// GCS40d.
pub static GCS40D: ResponseMapping = mapping(&gcs40::SPEC_D);

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    match v {
        ResponseValue::Done => Ok(Rendering::Children(Xml::new())),
        _ => Err(MappingError::unexpected(v)),
    }
}
