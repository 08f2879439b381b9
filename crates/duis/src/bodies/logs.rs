//! Log-read request bodies (4.4.2–4.4.5, 4.6.1, 4.6.2, 4.14, 4.17): `ExecutionDateTime`?,
//! `ReadLogPeriod` (`StartDateTime`, `EndDateTime`) and, where the type allows an unknown remote
//! party, `KAPublicSecurityCredentials`?.

use time::OffsetDateTime;

use super::{BodyError, Seq, decode_base64, execution_date_time, expect, simple};
use crate::types::InvalidValue;
use crate::xml::{Element, is_xml_space};

/// A log read's body (`sr:ReadLogFutureDatable` / `sr:ReadLogFutureDatableAndURPCredentials`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadLog {
    /// `ExecutionDateTime`, as written, when the request is future dated.
    pub execution_date_time: Option<String>,
    /// `ReadLogPeriod/StartDateTime`, UTC (fractions of a second kept).
    pub start: OffsetDateTime,
    /// `ReadLogPeriod/EndDateTime`, UTC; never before `start`.
    pub end: OffsetDateTime,
    /// `KAPublicSecurityCredentials`, DER: an unknown remote party's key agreement certificate.
    pub ka_credentials: Option<Vec<u8>>,
}

fn date_time(s: &mut Seq<'_>, name: &'static str) -> Result<OffsetDateTime, BodyError> {
    let t = simple(s.required(name)?, name)?.trim_matches(is_xml_space);
    crate::datetime::parse_xs_datetime_utc(t).ok_or_else(|| InvalidValue::new(name, t).into())
}

impl ReadLog {
    /// Parses the body element named `name`; `urp` says whether its type allows
    /// `KAPublicSecurityCredentials`. A period whose end precedes its start is refused.
    pub fn parse(body: &Element, name: &'static str, urp: bool) -> Result<Self, BodyError> {
        expect(body, name)?;
        let mut s = Seq::new(body, name);
        let execution_date_time = execution_date_time(&mut s)?;
        let period = s.required("ReadLogPeriod")?;
        let mut p = Seq::new(period, "ReadLogPeriod");
        let start = date_time(&mut p, "StartDateTime")?;
        let end = date_time(&mut p, "EndDateTime")?;
        p.finish()?;
        let ka_credentials = match urp.then(|| s.optional("KAPublicSecurityCredentials")) {
            Some(Some(c)) => Some(decode_base64(
                simple(c, "KAPublicSecurityCredentials")?,
                "KAPublicSecurityCredentials",
            )?),
            _ => None,
        };
        s.finish()?;
        if !body.trimmed_text().is_empty() || !period.trimmed_text().is_empty() {
            return Err(InvalidValue::new(name, &body.text).into());
        }
        if end < start {
            return Err(InvalidValue::new(
                "ReadLogPeriod (EndDateTime before StartDateTime)",
                &format!("{start} .. {end}"),
            )
            .into());
        }
        Ok(Self {
            execution_date_time,
            start,
            end,
            ka_credentials,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{ParseLimits, parse_element};

    fn body(inner: &str) -> Element {
        let doc = format!(
            r#"<sr:X xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway"><sr:RetrieveImportDailyReadLog>{inner}</sr:RetrieveImportDailyReadLog></sr:X>"#
        );
        let mut root = parse_element(doc.as_bytes(), &ParseLimits::default()).unwrap();
        root.children.remove(0)
    }

    fn period(start: &str, end: &str) -> String {
        format!(
            "<sr:ReadLogPeriod><sr:StartDateTime>{start}</sr:StartDateTime><sr:EndDateTime>{end}</sr:EndDateTime></sr:ReadLogPeriod>"
        )
    }

    const NAME: &str = "RetrieveImportDailyReadLog";

    #[test]
    fn the_period_and_the_optional_parts() {
        let b = body(&period("2014-03-09T00:00:00.00Z", "2014-03-11T00:00:00Z"));
        let r = ReadLog::parse(&b, NAME, true).unwrap();
        assert_eq!(r.start.unix_timestamp(), 1_394_323_200);
        assert_eq!(r.end.unix_timestamp(), 1_394_496_000);
        assert_eq!((r.execution_date_time, r.ka_credentials), (None, None));
        let b = body(&format!(
            "<sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime>{}<sr:KAPublicSecurityCredentials>AQID</sr:KAPublicSecurityCredentials>",
            period("2014-03-09T00:00:00Z", "2014-03-09T00:00:00Z")
        ));
        let r = ReadLog::parse(&b, NAME, true).unwrap();
        assert_eq!(
            r.execution_date_time.as_deref(),
            Some("2030-01-01T00:00:00Z")
        );
        assert_eq!(r.ka_credentials, Some(vec![1, 2, 3]));
        // Not allowed where the type has no URP credentials.
        assert!(ReadLog::parse(&b, NAME, false).is_err());
    }

    #[test]
    fn bad_bodies_are_refused() {
        for inner in [
            String::new(),
            period("2014-03-11T00:00:00Z", "2014-03-09T00:00:00Z"),
            period("not a date", "2014-03-09T00:00:00Z"),
            "<sr:ReadLogPeriod><sr:StartDateTime>2014-03-09T00:00:00Z</sr:StartDateTime></sr:ReadLogPeriod>".into(),
            format!("{}<sr:Extra/>", period("2014-03-09T00:00:00Z", "2014-03-10T00:00:00Z")),
            format!(
                "{}<sr:KAPublicSecurityCredentials>not base64!</sr:KAPublicSecurityCredentials>",
                period("2014-03-09T00:00:00Z", "2014-03-10T00:00:00Z")
            ),
        ] {
            assert!(ReadLog::parse(&body(&inner), NAME, true).is_err(), "{inner}");
        }
        let b = body(&period("2014-03-09T00:00:00Z", "2014-03-10T00:00:00Z"));
        assert!(ReadLog::parse(&b, "RetrieveExportDailyReadLog", true).is_err());
    }
}
