//! 6.13 Read Event or Security Log (`sr:ReadEventOrSecurityLog`): the `ReadLogPeriod` and
//! `LogToRead`, which log of the device to read.

use super::read_log::ReadLogPeriod;
use super::{BodyError, Seq, expect, simple};
use crate::types::InvalidValue;

/// `LogToRead`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogToRead {
    /// `Event`: the device's event log.
    Event,
    /// `ALCSEvent`: the ESME's ALCS / HCALCS event log.
    AlcsEvent,
    /// `PowerEvent`: the ESME's power event log.
    PowerEvent,
    /// `Security`: the device's security log.
    Security,
    /// `GSMEEvent`: the GSME's event log as its GPF mirrors it.
    GsmeEvent,
    /// `GSMESecurity`: the GSME's security log as its GPF mirrors it.
    GsmeSecurity,
}

/// A parsed `ReadEventOrSecurityLog` body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadEventOrSecurityLog {
    /// The period read.
    pub period: ReadLogPeriod,
    /// The log read.
    pub log: LogToRead,
}

impl ReadEventOrSecurityLog {
    /// Parses a `ReadEventOrSecurityLog` body element.
    pub fn parse(body: &crate::xml::Element) -> Result<Self, BodyError> {
        const NAME: &str = "ReadEventOrSecurityLog";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let period = ReadLogPeriod::parse(s.required("ReadLogPeriod")?)?;
        // An xs:string enumeration: whitespace is part of the value.
        let t = simple(s.required("LogToRead")?, "LogToRead")?;
        let log = match t {
            "Event" => LogToRead::Event,
            "ALCSEvent" => LogToRead::AlcsEvent,
            "PowerEvent" => LogToRead::PowerEvent,
            "Security" => LogToRead::Security,
            "GSMEEvent" => LogToRead::GsmeEvent,
            "GSMESecurity" => LogToRead::GsmeSecurity,
            _ => return Err(InvalidValue::new("LogToRead", t).into()),
        };
        s.finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(NAME, &body.text).into());
        }
        Ok(Self { period, log })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parse(inner: &str) -> Result<ReadEventOrSecurityLog, BodyError> {
        ReadEventOrSecurityLog::parse(&super::super::tests::body(&format!(
            "<sr:ReadEventOrSecurityLog>{inner}</sr:ReadEventOrSecurityLog>"
        )))
    }

    const PERIOD: &str = "<sr:ReadLogPeriod><sr:StartDateTime>2014-12-31T00:00:00.00Z</sr:StartDateTime><sr:EndDateTime>2015-01-01T00:00:00.00Z</sr:EndDateTime></sr:ReadLogPeriod>";

    #[test]
    fn period_and_log() {
        let b = parse(&format!("{PERIOD}<sr:LogToRead>Security</sr:LogToRead>")).unwrap();
        assert_eq!(b.log, LogToRead::Security);
        assert_eq!(b.period.start.unix_timestamp(), 1_419_984_000);
        for bad in [
            format!("{PERIOD}<sr:LogToRead>security</sr:LogToRead>"),
            format!("{PERIOD}<sr:LogToRead> Event</sr:LogToRead>"),
            PERIOD.to_string(),
            "<sr:LogToRead>Event</sr:LogToRead>".to_string(),
            "<sr:ReadLogPeriod><sr:StartDateTime>2015-01-01T00:00:00Z</sr:StartDateTime><sr:EndDateTime>2014-01-01T00:00:00Z</sr:EndDateTime></sr:ReadLogPeriod><sr:LogToRead>Event</sr:LogToRead>".to_string(),
        ] {
            assert!(parse(&bad).is_err(), "{bad}");
        }
    }
}
