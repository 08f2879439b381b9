//! Bodies of the log and profile reads (`sr:ReadLogFutureDatable`,
//! `sr:ReadLogFutureDatableAndURPCredentials`: 4.8.1 Read Active Import Profile Data, 4.8.2
//! Read Reactive Import Profile Data, 4.8.3 Read Export Profile Data, 4.10 Read Network Data…):
//! an optional `ExecutionDateTime`, the `ReadLogPeriod` (start and end), and where the type
//! allows it an Unknown Remote Party's `KAPublicSecurityCredentials`.
//!
//! A period whose end precedes its start is refused here (the XSD cannot say it; DUIS and GBCS
//! read a log "from start to end").

use time::OffsetDateTime;

use super::{BodyError, Seq, decode_base64, execution_date_time, expect, simple};
use crate::types::InvalidValue;
use crate::xml::{Element, is_xml_space};

/// A `ReadLogPeriod`: both ends inclusive, in UTC, the end never before the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLogPeriod {
    /// `StartDateTime` (UTC; a value without a zone is taken as UTC).
    pub start: OffsetDateTime,
    /// `EndDateTime`.
    pub end: OffsetDateTime,
}

/// A log read body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadLog {
    /// `ExecutionDateTime`, as written, when future dated.
    pub execution_date_time: Option<String>,
    /// The period read.
    pub period: ReadLogPeriod,
    /// `KAPublicSecurityCredentials` (DER), where the body type allows one and it is given.
    pub ka_public_security_credentials: Option<Vec<u8>>,
}

fn date_time(e: &Element, name: &'static str) -> Result<OffsetDateTime, BodyError> {
    let t = simple(e, name)?.trim_matches(is_xml_space);
    crate::datetime::parse_xs_datetime_utc(t).ok_or_else(|| InvalidValue::new(name, t).into())
}

impl ReadLogPeriod {
    /// Parses a `ReadLogPeriod` element (refusing an end before the start).
    pub(crate) fn parse(p: &Element) -> Result<Self, BodyError> {
        let mut ps = Seq::new(p, "ReadLogPeriod");
        let start = date_time(ps.required("StartDateTime")?, "StartDateTime")?;
        let end = date_time(ps.required("EndDateTime")?, "EndDateTime")?;
        ps.finish()?;
        if end < start {
            return Err(
                InvalidValue::new("ReadLogPeriod", "EndDateTime before StartDateTime").into(),
            );
        }
        Ok(Self { start, end })
    }
}

impl ReadLog {
    /// Parses the body element `name`; `urp_credentials` says whether its type
    /// (`ReadLogFutureDatableAndURPCredentials`) allows `KAPublicSecurityCredentials`.
    pub fn parse(
        body: &Element,
        name: &'static str,
        urp_credentials: bool,
    ) -> Result<Self, BodyError> {
        expect(body, name)?;
        let mut s = Seq::new(body, name);
        let execution_date_time = execution_date_time(&mut s)?;
        let ReadLogPeriod { start, end } = ReadLogPeriod::parse(s.required("ReadLogPeriod")?)?;
        let ka_public_security_credentials = match urp_credentials {
            true => match s.optional("KAPublicSecurityCredentials") {
                Some(e) => Some(decode_base64(
                    simple(e, "KAPublicSecurityCredentials")?,
                    "KAPublicSecurityCredentials",
                )?),
                None => None,
            },
            false => None,
        };
        s.finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(name, &body.text).into());
        }
        Ok(Self {
            execution_date_time,
            period: ReadLogPeriod { start, end },
            ka_public_security_credentials,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::xml::{ParseLimits, parse_element};

    fn body(inner: &str) -> Element {
        let doc = format!(
            r#"<sr:X xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway">{inner}</sr:X>"#
        );
        let mut root = parse_element(doc.as_bytes(), &ParseLimits::default()).unwrap();
        root.children.remove(0)
    }

    fn period(a: &str, b: &str) -> String {
        format!(
            "<sr:ReadLogPeriod><sr:StartDateTime>{a}</sr:StartDateTime><sr:EndDateTime>{b}</sr:EndDateTime></sr:ReadLogPeriod>"
        )
    }

    #[test]
    fn parses_the_period_and_the_options() {
        let p = period("2014-12-31T00:00:00.00Z", "2015-01-01T00:00:00.00Z");
        let b = body(&format!(
            "<sr:ReadActiveImportProfileData>{p}</sr:ReadActiveImportProfileData>"
        ));
        let r = ReadLog::parse(&b, "ReadActiveImportProfileData", true).unwrap();
        assert_eq!(r.period.start.unix_timestamp(), 1_419_984_000);
        assert_eq!(r.period.end.unix_timestamp(), 1_420_070_400);
        assert_eq!(r.execution_date_time, None);
        let b = body(&format!(
            "<sr:ReadNetworkData><sr:ExecutionDateTime>2015-02-01T00:00:00Z</sr:ExecutionDateTime>{p}<sr:KAPublicSecurityCredentials>AAEC</sr:KAPublicSecurityCredentials></sr:ReadNetworkData>"
        ));
        let r = ReadLog::parse(&b, "ReadNetworkData", true).unwrap();
        assert_eq!(
            r.execution_date_time.as_deref(),
            Some("2015-02-01T00:00:00Z")
        );
        assert_eq!(r.ka_public_security_credentials, Some(vec![0, 1, 2]));
        // A period of one instant is a period.
        let b = body(&format!(
            "<sr:ReadExportProfileData>{}</sr:ReadExportProfileData>",
            period("2015-01-01T00:00:00Z", "2015-01-01T00:00:00Z")
        ));
        assert!(ReadLog::parse(&b, "ReadExportProfileData", false).is_ok());
    }

    #[test]
    fn refuses_bad_bodies() {
        let good = period("2014-12-31T00:00:00Z", "2015-01-01T00:00:00Z");
        for (inner, urp) in [
            // End before start.
            (period("2015-01-02T00:00:00Z", "2015-01-01T00:00:00Z"), true),
            (String::new(), true),
            (period("yesterday", "2015-01-01T00:00:00Z"), true),
            ("<sr:ReadLogPeriod><sr:StartDateTime>2014-12-31T00:00:00Z</sr:StartDateTime></sr:ReadLogPeriod>".into(), true),
            // Credentials where the type has none.
            (format!("{good}<sr:KAPublicSecurityCredentials>AAEC</sr:KAPublicSecurityCredentials>"), false),
            (format!("{good}<sr:KAPublicSecurityCredentials>not base64!</sr:KAPublicSecurityCredentials>"), true),
            (format!("{good}{good}"), true),
        ] {
            let b = body(&format!("<sr:ReadExportProfileData>{inner}</sr:ReadExportProfileData>"));
            assert!(ReadLog::parse(&b, "ReadExportProfileData", urp).is_err(), "{inner}");
        }
        let b = body(&format!("<sr:ReadNetworkData>{good}</sr:ReadNetworkData>"));
        assert!(ReadLog::parse(&b, "ReadExportProfileData", true).is_err());
    }
}
