//! A minimal UTC calendar date-time, computed without any clock: callers pass the instant in.

use crate::asn1::GeneralizedTime;
use crate::axdr::CosemDateTime;

/// Seconds from 1970-01-01 to 2000-01-01 (the ZigBee UTC epoch).
const ZIGBEE_EPOCH_UNIX: i64 = 946_684_800;

/// A UTC date-time to the second, proleptic Gregorian calendar, years 1970..=9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcDateTime {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl UtcDateTime {
    /// A validated date-time; `None` if any field is out of range.
    pub fn new(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Self> {
        let ok = (1970..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour <= 23
            && minute <= 59
            && second <= 59;
        ok.then_some(Self {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// From seconds since 1970-01-01 UTC.
    pub fn from_unix(secs: i64) -> Option<Self> {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        Self::new(
            u16::try_from(y).ok()?,
            u8::try_from(m).ok()?,
            u8::try_from(d).ok()?,
            u8::try_from(rem / 3600).ok()?,
            u8::try_from(rem % 3600 / 60).ok()?,
            u8::try_from(rem % 60).ok()?,
        )
    }

    /// Seconds since 1970-01-01 UTC.
    pub fn to_unix(&self) -> i64 {
        days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        ) * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// This instant plus `secs` seconds, if still in range.
    pub fn plus_seconds(&self, secs: u32) -> Option<Self> {
        Self::from_unix(self.to_unix() + i64::from(secs))
    }

    /// The COSEM date-time form GBCS commands use.
    pub fn to_cosem(&self) -> CosemDateTime {
        CosemDateTime::utc(
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
        )
    }

    /// The ASN.1 GeneralizedTime form.
    pub fn to_generalized_time(&self) -> GeneralizedTime {
        GeneralizedTime {
            year: self.year,
            month: self.month,
            day: self.day,
            hour: self.hour,
            minute: self.minute,
            second: self.second,
        }
    }

    /// ZigBee UTCTime: seconds since 2000-01-01 UTC, `None` before 2000 or after 2136.
    pub fn to_zigbee_utc(&self) -> Option<u32> {
        u32::try_from(self.to_unix() - ZIGBEE_EPOCH_UNIX).ok()
    }

    /// From ZigBee UTCTime (seconds since 2000-01-01 UTC).
    pub fn from_zigbee_utc(secs: u32) -> Option<Self> {
        Self::from_unix(ZIGBEE_EPOCH_UNIX + i64::from(secs))
    }

    /// A COSEM date-time octet string (12 bytes) as GBCS commands write an instant: all fields
    /// specified, weekday and hundredths "not specified"/zero, deviation `8000`, status `FF` or
    /// `00`. Anything else (wildcards, out-of-range fields, other lengths) is `None`.
    pub fn from_cosem(b: &[u8]) -> Option<Self> {
        let b: &[u8; 12] = b.try_into().ok()?;
        let [
            yh,
            yl,
            month,
            day,
            _wd,
            hour,
            minute,
            second,
            _hund,
            _dh,
            _dl,
            _st,
        ] = *b;
        let t = Self::new(
            u16::from_be_bytes([yh, yl]),
            month,
            day,
            hour,
            minute,
            second,
        )?;
        let canonical = t.to_cosem().0;
        let same_except_status = canonical[..11] == b[..11] && matches!(b[11], 0x00 | 0xFF);
        same_except_status.then_some(t)
    }

    /// A GeneralizedTime value `YYYYMMDDHHMMSSZ` (the primitive's content bytes).
    pub fn from_generalized_time(b: &[u8]) -> Option<Self> {
        let (digits, z) = b.split_at_checked(14)?;
        if z != b"Z" || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u16> {
            digits.get(r)?.iter().try_fold(0u16, |acc, d| {
                acc.checked_mul(10)?.checked_add(u16::from(d - b'0'))
            })
        };
        let byte = |r| num(r).and_then(|v| u8::try_from(v).ok());
        Self::new(
            num(0..4)?,
            byte(4..6)?,
            byte(6..8)?,
            byte(8..10)?,
            byte(10..12)?,
            byte(12..14)?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_instants() {
        let t = UtcDateTime::new(2015, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(t.to_unix(), 1_420_070_400);
        assert_eq!(t.to_zigbee_utc(), Some(0x1C37_4A80));
        let e = UtcDateTime::new(2014, 12, 31, 23, 59, 10).unwrap();
        assert_eq!(e.plus_seconds(60), UtcDateTime::new(2015, 1, 1, 0, 0, 10));
        assert!(UtcDateTime::new(2015, 2, 29, 0, 0, 0).is_none());
        assert!(UtcDateTime::new(2016, 2, 29, 0, 0, 0).is_some());
    }

    #[test]
    fn parsers() {
        let t = UtcDateTime::new(2014, 12, 31, 23, 59, 10).unwrap();
        assert_eq!(UtcDateTime::from_cosem(&t.to_cosem().0), Some(t));
        assert_eq!(
            UtcDateTime::from_generalized_time(b"20141231235910Z"),
            Some(t)
        );
        assert_eq!(UtcDateTime::from_generalized_time(b"20141231235910"), None);
        assert_eq!(UtcDateTime::from_generalized_time(b"20141331235910Z"), None);
        assert_eq!(UtcDateTime::from_generalized_time(b"2014+231235910Z"), None);
        assert_eq!(UtcDateTime::from_cosem(&[0; 11]), None);
        assert_eq!(
            UtcDateTime::from_cosem(&crate::axdr::CosemDateTime::NEVER.0),
            None
        );
        assert_eq!(
            UtcDateTime::from_zigbee_utc(0x1C37_4A80),
            UtcDateTime::new(2015, 1, 1, 0, 0, 0)
        );
    }

    proptest! {
        #[test]
        fn unix_round_trip(secs in 0i64..253_402_300_799) {
            let t = UtcDateTime::from_unix(secs).unwrap();
            prop_assert_eq!(t.to_unix(), secs);
            let g = t.to_generalized_time().to_tlv().unwrap();
            let crate::asn1::TlvValue::Primitive(v) = g.value else { panic!() };
            prop_assert_eq!(UtcDateTime::from_generalized_time(&v), Some(t));
            prop_assert_eq!(UtcDateTime::from_cosem(&t.to_cosem().0), Some(t));
        }

        #[test]
        fn parsers_never_panic(b in proptest::collection::vec(any::<u8>(), 0..20)) {
            let _ = UtcDateTime::from_cosem(&b);
            let _ = UtcDateTime::from_generalized_time(&b);
        }
    }
}
