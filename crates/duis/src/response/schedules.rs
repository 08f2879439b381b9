//! Responses about DCC schedules: 5.1's `DSPScheduleID`, 5.2's `DSPSchedulesRead`, and the
//! response of a DCC-scheduled run (`DSPScheduledMessage`: the device's `GBCSPayload` and the
//! schedule's `DSPScheduleID`).

use super::{BuildError, RESPONSE_SCHEMA_VERSION, ResponseHeader, b64, write_header};
use crate::bodies::schedules::{DspSchedule, MAX_SCHEDULE_ID};
use crate::matrix::ServiceVariant;
use crate::types::InvalidValue;
use crate::writer::XmlWriter;

/// At most this many schedules in one `DSPSchedulesRead`.
pub const MAX_SCHEDULES_READ: usize = 99;

fn id(v: u64) -> Result<String, InvalidValue> {
    if v > MAX_SCHEDULE_ID {
        return Err(InvalidValue::new("DSPScheduleID", &v.to_string()));
    }
    Ok(v.to_string())
}

fn response(
    header: &ResponseHeader,
    variant: &ServiceVariant,
    body: impl FnOnce(&mut XmlWriter) -> Result<(), BuildError>,
) -> Result<String, BuildError> {
    let mut w = XmlWriter::new("Response", &[("schemaVersion", RESPONSE_SCHEMA_VERSION)]);
    write_header(&mut w, header);
    w.open("Body");
    w.open("ResponseMessage");
    w.leaf("ServiceReference", variant.service_reference);
    w.leaf("ServiceReferenceVariant", variant.variant);
    body(&mut w)?;
    w.close("ResponseMessage");
    w.close("Body");
    Ok(w.finish("Response"))
}

/// 5.1 Create Schedule's answer: the new schedule's `DSPScheduleID`.
pub fn create_schedule_response(
    header: &ResponseHeader,
    variant: &ServiceVariant,
    schedule_id: u64,
) -> Result<String, BuildError> {
    let v = id(schedule_id)?;
    response(header, variant, |w| {
        w.leaf("DSPScheduleID", &v);
        Ok(())
    })
}

/// 5.2 Read Schedule's answer: each schedule with its details (1 to 99).
pub fn read_schedule_response(
    header: &ResponseHeader,
    variant: &ServiceVariant,
    schedules: &[(u64, DspSchedule)],
) -> Result<String, BuildError> {
    if schedules.is_empty() || schedules.len() > MAX_SCHEDULES_READ {
        return Err(InvalidValue::new("DSPSchedulesRead", &schedules.len().to_string()).into());
    }
    response(header, variant, |w| {
        w.open("DSPSchedulesRead");
        for (sid, s) in schedules {
            w.open("DSPSchedules");
            w.leaf("DSPScheduleID", &id(*sid)?);
            s.write(w, "DSPScheduleDetails")?;
            w.close("DSPSchedules");
        }
        w.close("DSPSchedulesRead");
        Ok(())
    })
}

/// The response of one DCC-scheduled run: the device's answer and the schedule it ran for.
pub fn scheduled_message_response(
    header: &ResponseHeader,
    variant: &ServiceVariant,
    gbcs_payload: &[u8],
    schedule_id: u64,
) -> Result<String, BuildError> {
    let v = id(schedule_id)?;
    response(header, variant, |w| {
        w.open("DSPScheduledMessage");
        w.leaf("GBCSPayload", &b64(gbcs_payload));
        w.leaf("DSPScheduleID", &v);
        w.close("DSPScheduledMessage");
        Ok(())
    })
}
