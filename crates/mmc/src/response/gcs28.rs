//! GCS28 set the GSME clock → `SynchroniseClockRsp/DeviceTime` (`CommissionDeviceSynchroniseClockRsp` when the request was 8.1.1); a refusal (ASN.1 result, 2 = device time outside the validity interval) as `Gas/GasClockTimeStatus` with the result code.

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::time::xs_date_time;
use crate::xml::Xml;
use gbcs::usecases::Failure;
use gbcs::usecases::{ResponseValue, gcs28};

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs28::SPEC,
    service_reference: "6.11",
    service_reference_variant: "6.11",
    element: "SynchroniseClockRsp",
    by_variant: &[("8.1.1", "CommissionDeviceSynchroniseClockRsp")],
    render,
    failure: Some(failure),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::ClockSet { device_time } = v else {
        return Err(MappingError::unexpected(v));
    };
    let mut x = Xml::new();
    x.leaf("DeviceTime", &xs_date_time(*device_time));
    Ok(Rendering::Children(x))
}

fn failure(f: &Failure) -> Xml {
    let mut x = Xml::new();
    if let Failure::Result { code } = f {
        x.open("Gas", &[]);
        x.open("GasClockTimeStatus", &[("ResponseCode", &code.to_string())]);
        x.leaf("ASN1Status", "notKnown");
        x.close("GasClockTimeStatus");
        x.close("Gas");
    }
    x
}
