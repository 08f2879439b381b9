//! xs:dateTime / xs:date values as DUIS writes them.

use std::fmt;
use std::str::FromStr;

use time::{Date, Month, OffsetDateTime, UtcOffset};

use crate::types::InvalidValue;

/// A `ResponseDateTime` (or any xs:dateTime), validated, ready to write.
///
/// Built from a [`time::OffsetDateTime`] (written in UTC with milliseconds, as the DCC does:
/// `2022-07-22T09:37:56.134Z`) or parsed from a preformatted string. Years are limited to
/// 0001–9999 and `24:00:00` is not accepted (both legal in XSD 1.0, never used by DUIS).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResponseDateTime(String);

impl ResponseDateTime {
    /// `dt` in UTC, millisecond precision (truncated).
    pub fn from_datetime(dt: OffsetDateTime) -> Result<Self, InvalidValue> {
        let utc = dt
            .checked_to_offset(UtcOffset::UTC)
            .ok_or_else(|| InvalidValue::new("ResponseDateTime", &dt.to_string()))?;
        let date = format_date_plain(utc.date())
            .map_err(|_| InvalidValue::new("ResponseDateTime", &dt.to_string()))?;
        Ok(Self(format!(
            "{date}T{:02}:{:02}:{:02}.{:03}Z",
            utc.hour(),
            utc.minute(),
            utc.second(),
            utc.millisecond()
        )))
    }

    /// A preformatted xs:dateTime (`2025-12-28T16:51:01.185Z`, `2025-12-28T16:51:01+01:00`,
    /// or without a time zone).
    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        if is_xs_datetime(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidValue::new("xs:dateTime", s))
        }
    }

    /// The text to write.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ResponseDateTime {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for ResponseDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<OffsetDateTime> for ResponseDateTime {
    type Error = InvalidValue;
    fn try_from(dt: OffsetDateTime) -> Result<Self, Self::Error> {
        Self::from_datetime(dt)
    }
}

/// `YYYY-MM-DD` for years 1 to 9999.
pub(crate) fn format_date_plain(d: Date) -> Result<String, InvalidValue> {
    let y = d.year();
    if !(1..=9999).contains(&y) {
        return Err(InvalidValue::new("xs:date", &d.to_string()));
    }
    Ok(format!("{y:04}-{:02}-{:02}", u8::from(d.month()), d.day()))
}

/// An xs:date as the DCC writes dates in UTC: `2025-12-28Z`.
pub(crate) fn format_date(d: Date) -> Result<String, InvalidValue> {
    format_date_plain(d).map(|mut s| {
        s.push('Z');
        s
    })
}

fn digits<const N: usize>(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + N)?;
    s.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// Length of a valid `YYYY-MM-DD` at the start of `b`, or `None`.
fn date_prefix(b: &[u8]) -> Option<usize> {
    let y = digits::<4>(b, 0)?;
    let m = digits::<2>(b, 5)?;
    let d = digits::<2>(b, 8)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || y == 0 {
        return None;
    }
    let month = Month::try_from(u8::try_from(m).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?).ok()?;
    Some(10)
}

/// Whether `rest` is empty or a valid time zone (`Z`, `+hh:mm`, `-hh:mm`, |offset| ≤ 14:00).
fn is_timezone(rest: &[u8]) -> bool {
    match rest {
        [] | [b'Z'] => true,
        [b'+' | b'-', ..] if rest.len() == 6 && rest.get(3) == Some(&b':') => {
            match (digits::<2>(rest, 1), digits::<2>(rest, 4)) {
                (Some(h), Some(m)) => m <= 59 && (h < 14 || (h == 14 && m == 0)),
                _ => false,
            }
        }
        _ => false,
    }
}

/// xs:dateTime lexical form with 4-digit years ≥ 0001, hours 00–23.
pub(crate) fn is_xs_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(n) = date_prefix(b) else {
        return false;
    };
    let Some(t) = b.get(n..) else {
        return false;
    };
    let (Some(h), Some(mi), Some(se)) = (digits::<2>(t, 1), digits::<2>(t, 4), digits::<2>(t, 7))
    else {
        return false;
    };
    if t.first() != Some(&b'T') || t.get(3) != Some(&b':') || t.get(6) != Some(&b':') {
        return false;
    }
    if h > 23 || mi > 59 || se > 59 {
        return false;
    }
    let mut rest = t.get(9..).unwrap_or_default();
    if let Some(frac) = rest.strip_prefix(b".") {
        let k = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if k == 0 {
            return false;
        }
        rest = frac.get(k..).unwrap_or_default();
    }
    is_timezone(rest)
}

/// An xs:dateTime as a UTC instant: a value with a time zone is converted to UTC, one without is
/// taken as UTC (DUIS times are UTC). `None` if it is not a valid xs:dateTime.
pub fn parse_xs_datetime_utc(s: &str) -> Option<OffsetDateTime> {
    if !is_xs_datetime(s) {
        return None;
    }
    let b = s.as_bytes();
    let year = i32::try_from(digits::<4>(b, 0)?).ok()?;
    let month = Month::try_from(u8::try_from(digits::<2>(b, 5)?).ok()?).ok()?;
    let day = u8::try_from(digits::<2>(b, 8)?).ok()?;
    let hour = u8::try_from(digits::<2>(b, 11)?).ok()?;
    let minute = u8::try_from(digits::<2>(b, 14)?).ok()?;
    let second = u8::try_from(digits::<2>(b, 17)?).ok()?;
    let mut rest = b.get(19..)?;
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix(b".") {
        let k = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        for (i, d) in frac.iter().take(k.min(9)).enumerate() {
            nanos += u32::from(d - b'0') * 10u32.pow(8 - u32::try_from(i).ok()?);
        }
        rest = frac.get(k..)?;
    }
    let offset = match rest {
        [] | [b'Z'] => UtcOffset::UTC,
        [sign, ..] => {
            let h = i8::try_from(digits::<2>(rest, 1)?).ok()?;
            let m = i8::try_from(digits::<2>(rest, 4)?).ok()?;
            let (h, m) = if *sign == b'-' { (-h, -m) } else { (h, m) };
            UtcOffset::from_hms(h, m, 0).ok()?
        }
    };
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let time = time::Time::from_hms_nano(hour, minute, second, nanos).ok()?;
    time::PrimitiveDateTime::new(date, time)
        .assume_offset(offset)
        .checked_to_offset(UtcOffset::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_utc_millis() {
        let dt = datetime!(2022-07-22 10:37:56.134_999 +01:00);
        assert_eq!(
            ResponseDateTime::from_datetime(dt).unwrap().as_str(),
            "2022-07-22T09:37:56.134Z"
        );
        let dt = datetime!(0001-01-01 00:30 +01:00);
        assert!(ResponseDateTime::from_datetime(dt).is_err());
        assert_eq!(
            format_date(time::macros::date!(2025 - 12 - 28)).unwrap(),
            "2025-12-28Z"
        );
    }

    #[test]
    fn lexical_datetime() {
        for ok in [
            "2022-07-22T09:37:56.134Z",
            "2022-07-22T09:37:56Z",
            "2022-07-22T09:37:56",
            "2024-02-29T23:59:59.1+14:00",
            "2014-12-31T23:59:10.00Z",
            "2022-07-22T09:37:56-05:30",
        ] {
            assert!(is_xs_datetime(ok), "{ok}");
            assert_eq!(ok.parse::<ResponseDateTime>().unwrap().to_string(), ok);
        }
        for bad in [
            "",
            "2022-07-22",
            "2022-07-22 09:37:56Z",
            "2022-07-22T9:37:56Z",
            "2022-07-22T24:00:00Z",
            "2022-07-22T09:60:00Z",
            "2023-02-29T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "2022-13-01T00:00:00Z",
            "2022-07-22T09:37:56.Z",
            "2022-07-22T09:37:56+15:00",
            "2022-07-22T09:37:56+01",
            "2022-07-22T09:37:56ZZ",
            "２０22-07-22T09:37:56Z",
        ] {
            assert!(!is_xs_datetime(bad), "{bad}");
        }
    }

    #[test]
    fn datetime_to_utc() {
        let t = |s| parse_xs_datetime_utc(s).map(|d| (d.unix_timestamp(), d.nanosecond()));
        assert_eq!(t("2014-12-31T23:59:10.00Z"), Some((1_420_070_350, 0)));
        assert_eq!(t("2014-12-31T23:59:10"), Some((1_420_070_350, 0)));
        assert_eq!(
            t("2015-01-01T00:59:10.5+01:00"),
            Some((1_420_070_350, 500_000_000))
        );
        assert_eq!(t("2014-12-31T18:29:10-05:30"), Some((1_420_070_350, 0)));
        assert_eq!(t("2014-12-31T23:59:60Z"), None);
        assert_eq!(t("yesterday"), None);
    }

    proptest::proptest! {
        #[test]
        fn utc_parse_never_panics(s in "\\PC{0,40}") {
            let _ = parse_xs_datetime_utc(&s);
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = is_xs_datetime(&s);
        }

        #[test]
        fn every_formatted_datetime_is_valid(secs in 0i64..253_402_300_799, nanos in 0u32..1_000_000_000) {
            let dt = OffsetDateTime::from_unix_timestamp(secs).unwrap()
                .replace_nanosecond(nanos).unwrap();
            let r = ResponseDateTime::from_datetime(dt).unwrap();
            proptest::prop_assert!(is_xs_datetime(r.as_str()), "{}", r);
        }
    }
}
