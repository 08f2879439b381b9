//! 3.3 Clear Event Log (`sr:ClearEventLog`): an optional `ESMEEventLogType`, `ESME` (the ESME's
//! event log, GBCS ECS15a) or `ALCS` (its auxiliary load control switch event log, ECS15c); a
//! gas meter's request (CS11) has none.

use super::{BodyError, Seq, expect, simple};
use crate::types::InvalidValue;

/// `ESMEEventLogType`: which of an ESME's logs to clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EsmeEventLogType {
    /// `ESME`: the ESME's event log.
    Esme,
    /// `ALCS`: the ESME's ALCS / HCALCS event log.
    Alcs,
}

/// A parsed `ClearEventLog` body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClearEventLog {
    /// `ESMEEventLogType`, when given.
    pub esme_event_log_type: Option<EsmeEventLogType>,
}

impl ClearEventLog {
    /// Parses a `ClearEventLog` body element.
    pub fn parse(body: &crate::xml::Element) -> Result<Self, BodyError> {
        const NAME: &str = "ClearEventLog";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let esme_event_log_type = match s.optional("ESMEEventLogType") {
            None => None,
            Some(e) => {
                // An xs:string enumeration: whitespace is part of the value.
                let t = simple(e, "ESMEEventLogType")?;
                Some(match t {
                    "ESME" => EsmeEventLogType::Esme,
                    "ALCS" => EsmeEventLogType::Alcs,
                    _ => return Err(InvalidValue::new("ESMEEventLogType", t).into()),
                })
            }
        };
        s.finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(NAME, &body.text).into());
        }
        Ok(Self {
            esme_event_log_type,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(inner: &str) -> Result<ClearEventLog, BodyError> {
        ClearEventLog::parse(&super::super::tests::body(&format!(
            "<sr:ClearEventLog>{inner}</sr:ClearEventLog>"
        )))
    }

    #[test]
    fn the_log_type_is_optional_and_one_of_two() {
        assert_eq!(parse("").unwrap().esme_event_log_type, None);
        assert_eq!(
            parse("<sr:ESMEEventLogType>ESME</sr:ESMEEventLogType>")
                .unwrap()
                .esme_event_log_type,
            Some(EsmeEventLogType::Esme)
        );
        assert_eq!(
            parse("<sr:ESMEEventLogType>ALCS</sr:ESMEEventLogType>")
                .unwrap()
                .esme_event_log_type,
            Some(EsmeEventLogType::Alcs)
        );
        for bad in [
            "<sr:ESMEEventLogType>GSME</sr:ESMEEventLogType>",
            "<sr:ESMEEventLogType> ESME</sr:ESMEEventLogType>",
            "<sr:ESMEEventLogType>esme</sr:ESMEEventLogType>",
            "<sr:ESMEEventLogType/>",
            "<sr:ESMEEventLogType><sr:ESME/></sr:ESMEEventLogType>",
            "<sr:ESMEEventLogType>ESME</sr:ESMEEventLogType><sr:ESMEEventLogType>ALCS</sr:ESMEEventLogType>",
            "<sr:Security/>",
            "text",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(
            ClearEventLog::parse(&super::super::tests::body("<sr:DisablePrivacyPIN/>")).is_err()
        );
    }
}
