//! What the read services with a `ReadLogPeriod` (4.8.1, 4.8.2, 4.8.3, 4.10) share: the period
//! as GBCS reads it.

use duis::bodies::ReadLogPeriod;
use gbcs::UtcDateTime;
use gbcs::usecases::ReadPeriod;

use crate::error::{DccError, SchemaError};

/// The DUIS period as the GBCS period (whole seconds; fractions dropped). The body parser has
/// already refused a period ending before it starts; a period GBCS cannot carry (before
/// 2000-01-01, the ZigBee and DLMS profile epoch, or after 2136) is refused as a body error.
pub fn read_period(p: &ReadLogPeriod) -> Result<ReadPeriod, DccError> {
    let at = |t: time::OffsetDateTime| {
        UtcDateTime::from_unix(t.unix_timestamp()).filter(|u| u.to_zigbee_utc().is_some())
    };
    let out_of_range = || -> DccError {
        SchemaError::Invalid("ReadLogPeriod: outside 2000-01-01 to 2136".into()).into()
    };
    let (Some(start), Some(end)) = (at(p.start), at(p.end)) else {
        return Err(out_of_range());
    };
    ReadPeriod::new(start, end).ok_or_else(|| {
        SchemaError::Invalid("ReadLogPeriod: EndDateTime before StartDateTime".into()).into()
    })
}

#[cfg(test)]
pub(crate) mod tests {
    /// A read-log body element `name` over `start`..`end`.
    pub fn body(name: &str, start: &str, end: &str) -> String {
        format!(
            "<sr:{name}><sr:ReadLogPeriod><sr:StartDateTime>{start}</sr:StartDateTime><sr:EndDateTime>{end}</sr:EndDateTime></sr:ReadLogPeriod></sr:{name}>"
        )
    }
}
