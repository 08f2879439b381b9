//! ECS21a read electricity daily read log (import, a protected read) →
//! `RetrieveImportDailyReadLogRsp`: the block the device encrypted to the requester is opened
//! with the requester's key; each register row (see [`super::logs`]) is a `LogEntry`
//! (`Timestamp`, `Electricity`: the import register, the secondary element's import and TOU
//! registers on a twin-element meter, the TOU registers and the TOU-with-blocks registers), at
//! most 31.

use gbcs::usecases::{ResponseValue, ecs21a};

use super::logs::{ElecRegisters, at_most, opened_logs};
use super::reads::{Opened, nothing};
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs21a::SPEC,
    service_reference: "4.6",
    service_reference_variant: "4.6.1",
    element: "RetrieveImportDailyReadLogRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::Protected(block) = v else {
        return Err(MappingError::unexpected(v));
    };
    let rows = match opened_logs(ctx, "ECS21a daily read log", block, 1)? {
        Opened::Ok(mut logs) => logs.remove(0),
        Opened::Rendering(r) => return Ok(r),
    };
    at_most(&rows, 31)?;
    let mut x = Xml::new();
    for row in rows {
        let (r, _) = ElecRegisters::of(&row, 0)?;
        x.open("LogEntry", &[]);
        if let Some(t) = &r.time {
            x.leaf("Timestamp", t);
        }
        x.open("Electricity", &[]);
        x.leaf("ElecActiveImportRegisterConsumption", &r.import.to_string());
        if let Some(s) = r.secondary {
            x.leaf("SecondaryActiveImportRegisterConsumption", &s.to_string());
        }
        ElecRegisters::matrix(
            &mut x,
            "SecondaryTariffTOURegisterMatrixValue",
            &r.secondary_tou,
        );
        ElecRegisters::matrix(&mut x, "TariffTOURegisterMatrixValue", &r.tou);
        r.block_matrices(&mut x);
        x.close("Electricity");
        x.close("LogEntry");
    }
    Ok(Rendering::Children(x))
}
