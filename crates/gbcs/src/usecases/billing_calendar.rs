//! The ESME billing calendar (DUIS 6.8 and 6.2.3, ECS30, ECS30a, ECS26d, ECS26l): the
//! `execution_time` (attribute 4) of the single action schedule `0-0:15.0.0.255` (class 22),
//! an array of (time, date) entries, a billing period ending at each instant that matches one.
//!
//! The one DUIS-to-GBCS rule, [`ElecBillingCalendar::entries`] (used by the DCC's plan and by
//! `mmc`'s correlation), and its inverse, [`ElecBillingCalendar::from_entries`] (what a read
//! renders). RTDS 4.5.0: ECS30's monthly calendar at 12:00 is one entry `0C000000` /
//! `FFFF FF 01 FF`; ECS30a's quarterly calendar from January on the 1st at 00:00 four entries,
//! months 1, 4, 7 and 10; the daily calendar one entry with every date field a wildcard.
//!
//! * Time: hour, minute, second, hundredths, no wildcards (DUIS `BillingTime` is an
//!   `xs:time`).
//! * Date: year always `FFFF` (DUIS has no year); month 1–12 or `FF`; day of month 1–28 (DUIS
//!   `BillingCalendarDayOfMonth`) or `FF`; day of week 1–7 (Monday first) or `FF`; never both a
//!   day of month and a day of week.
//! * Quarterly and six-monthly calendars are one entry per period end, from the billing period
//!   start month on (months wrap after December); yearly is one entry with its month.
//! * ECS30 carries exactly one entry (daily, weekly, monthly, yearly); ECS30a one to four.

use super::common::{self, CommandHeader};
use super::{CommandDecodeError, ResponseDecodeError, ResponseOutcome, ResponseValue};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::error::BuildError;
use crate::frame::GeneralSigning;

/// The single action schedule's `execution_time`.
pub const OBJECT: CosemDescriptor = CosemDescriptor::new(22, [0, 0, 15, 0, 0, 0xFF], 4);
/// The most entries a calendar holds (quarterly).
pub const MAX_ENTRIES: usize = 4;
/// The COSEM wildcard of a one-octet date field.
pub const ANY: u8 = 0xFF;

/// One `execution_time` entry: COSEM time (hour, minute, second, hundredths) and date (year
/// high, year low, month, day of month, day of week).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ExecutionTime {
    /// COSEM time.
    pub time: [u8; 4],
    /// COSEM date.
    pub date: [u8; 5],
}

impl ExecutionTime {
    /// Whether the entry is one this module accepts (see the module's ranges).
    pub fn is_valid(&self) -> bool {
        let [h, m, s, cs] = self.time;
        let [y0, y1, month, day, dow] = self.date;
        h <= 23
            && m <= 59
            && s <= 59
            && cs <= 99
            && y0 == 0xFF
            && y1 == 0xFF
            && ((1..=12).contains(&month) || month == ANY)
            && ((1..=28).contains(&day) || day == ANY)
            && ((1..=7).contains(&dow) || dow == ANY)
            && (day == ANY || dow == ANY)
    }

    /// Month, day of month, day of week (`None` for a wildcard).
    pub fn fields(&self) -> (Option<u8>, Option<u8>, Option<u8>) {
        let f = |v: u8| (v != ANY).then_some(v);
        (f(self.date[2]), f(self.date[3]), f(self.date[4]))
    }

    /// Seconds after local midnight.
    pub fn seconds_of_day(&self) -> i64 {
        i64::from(self.time[0]) * 3600 + i64::from(self.time[1]) * 60 + i64::from(self.time[2])
    }

    fn to_data(self) -> Data {
        Data::Structure(vec![
            Data::OctetString(self.time.to_vec()),
            Data::OctetString(self.date.to_vec()),
        ])
    }

    fn from_data(d: &Data) -> Option<Self> {
        match d {
            Data::Structure(v) => match &v[..] {
                [Data::OctetString(t), Data::OctetString(d)] => {
                    let e = Self {
                        time: t.as_slice().try_into().ok()?,
                        date: d.as_slice().try_into().ok()?,
                    };
                    e.is_valid().then_some(e)
                }
                _ => None,
            },
            _ => None,
        }
    }
}

/// The time of day of a billing period's end (DUIS `BillingTime`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BillingTime {
    /// 0–23.
    pub hour: u8,
    /// 0–59.
    pub minute: u8,
    /// 0–59.
    pub second: u8,
    /// 0–99.
    pub hundredths: u8,
}

/// How often a billing period ends (DUIS `ElectricityBillingCalendar`'s choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElecPeriodicity {
    /// Every day.
    Daily,
    /// Every week on a day (1 = Monday … 7 = Sunday).
    Weekly(u8),
    /// Every month on a day (1–28).
    Monthly(u8),
    /// Every three months on a day, from a start month.
    Quarterly {
        /// Day of month (1–28).
        day: u8,
        /// Billing period start month (1–12).
        start_month: u8,
    },
    /// Every six months on a day, from a start month.
    SixMonthly {
        /// Day of month (1–28).
        day: u8,
        /// Billing period start month (1–12).
        start_month: u8,
    },
    /// Every year on a day of a month.
    Yearly {
        /// Day of month (1–28).
        day: u8,
        /// Month (1–12).
        month: u8,
    },
}

/// An electricity billing calendar as DUIS states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ElecBillingCalendar {
    /// When in the day a period ends.
    pub time: BillingTime,
    /// Which days.
    pub periodicity: ElecPeriodicity,
}

fn month_after(start: u8, k: u8) -> u8 {
    (start.saturating_sub(1) + k) % 12 + 1
}

impl ElecBillingCalendar {
    /// The `execution_time` entries (the DUIS-to-GBCS rule); out-of-range values are
    /// [`BuildError::OutOfRange`].
    pub fn entries(&self) -> Result<Vec<ExecutionTime>, BuildError> {
        let t = self.time;
        let time = [t.hour, t.minute, t.second, t.hundredths];
        let e = |month: u8, day: u8, dow: u8| ExecutionTime {
            time,
            date: [0xFF, 0xFF, month, day, dow],
        };
        let v = match self.periodicity {
            ElecPeriodicity::Daily => vec![e(ANY, ANY, ANY)],
            ElecPeriodicity::Weekly(d) => vec![e(ANY, ANY, d)],
            ElecPeriodicity::Monthly(d) => vec![e(ANY, d, ANY)],
            ElecPeriodicity::Quarterly { day, start_month } => {
                if !(1..=12).contains(&start_month) {
                    return Err(BuildError::OutOfRange("billing period start month"));
                }
                (0..4)
                    .map(|k| e(month_after(start_month, 3 * k), day, ANY))
                    .collect()
            }
            ElecPeriodicity::SixMonthly { day, start_month } => {
                if !(1..=12).contains(&start_month) {
                    return Err(BuildError::OutOfRange("billing period start month"));
                }
                (0..2)
                    .map(|k| e(month_after(start_month, 6 * k), day, ANY))
                    .collect()
            }
            ElecPeriodicity::Yearly { day, month } => vec![e(month, day, ANY)],
        };
        if v.iter().all(ExecutionTime::is_valid) {
            Ok(v)
        } else {
            Err(BuildError::OutOfRange("billing calendar"))
        }
    }

    /// The calendar whose entries are `entries`, if it is one DUIS can state.
    pub fn from_entries(entries: &[ExecutionTime]) -> Option<Self> {
        let first = entries.first()?;
        let [hour, minute, second, hundredths] = first.time;
        let time = BillingTime {
            hour,
            minute,
            second,
            hundredths,
        };
        let candidates = |p: ElecPeriodicity| Self {
            time,
            periodicity: p,
        };
        let (month, day, dow) = first.fields();
        let guess = match (entries.len(), month, day, dow) {
            (1, None, None, None) => ElecPeriodicity::Daily,
            (1, None, None, Some(d)) => ElecPeriodicity::Weekly(d),
            (1, None, Some(d), None) => ElecPeriodicity::Monthly(d),
            (1, Some(m), Some(d), None) => ElecPeriodicity::Yearly { day: d, month: m },
            (2, Some(m), Some(d), None) => ElecPeriodicity::SixMonthly {
                day: d,
                start_month: m,
            },
            (4, Some(m), Some(d), None) => ElecPeriodicity::Quarterly {
                day: d,
                start_month: m,
            },
            _ => return None,
        };
        let c = candidates(guess);
        (c.entries().ok()?.as_slice() == entries).then_some(c)
    }
}

/// The SET of `entries` (critical: the pre-command).
pub(crate) fn set_command(
    h: &CommandHeader,
    code: MessageCode,
    entries: &[ExecutionTime],
    max: usize,
) -> Result<GeneralSigning, BuildError> {
    if entries.is_empty() || entries.len() > max || !entries.iter().all(ExecutionTime::is_valid) {
        return Err(BuildError::OutOfRange("billing calendar"));
    }
    let content = common::dlms(
        h,
        vec![RequestSpec::Set(OBJECT)],
        vec![Data::Array(entries.iter().map(|e| e.to_data()).collect())],
    );
    Ok(common::apdu(h, code, content, true))
}

fn entries_of(d: &Data, max: usize) -> Option<Vec<ExecutionTime>> {
    match d {
        Data::Array(v) if !v.is_empty() && v.len() <= max => {
            v.iter().map(ExecutionTime::from_data).collect()
        }
        _ => None,
    }
}

/// Decodes a SET of one to `max` valid entries.
pub(crate) fn decode_set(
    apdu: &GeneralSigning,
    name: &'static str,
    max: usize,
) -> Result<Vec<ExecutionTime>, CommandDecodeError> {
    let req = common::dlms_request(apdu, name, &[RequestSpec::Set(OBJECT)])?;
    req.data
        .first()
        .and_then(|d| entries_of(d, max))
        .ok_or_else(|| common::bad(name, "not a billing calendar of valid entries"))
}

/// Decodes a read's response: the entries, or the DLMS failure.
pub(crate) fn decode_read_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_value_response(content, "not a billing calendar", |d| {
        entries_of(d, MAX_ENTRIES).map(ResponseValue::BillingCalendar)
    })
}

/// The answer a device gives to a read of `entries`.
pub fn entries_data(entries: &[ExecutionTime]) -> Data {
    Data::Array(entries.iter().map(|e| e.to_data()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal(p: ElecPeriodicity) -> ElecBillingCalendar {
        ElecBillingCalendar {
            time: BillingTime {
                hour: 0,
                minute: 0,
                second: 0,
                hundredths: 0,
            },
            periodicity: p,
        }
    }

    #[test]
    fn every_periodicity_round_trips() {
        for p in [
            ElecPeriodicity::Daily,
            ElecPeriodicity::Weekly(7),
            ElecPeriodicity::Monthly(28),
            ElecPeriodicity::Quarterly {
                day: 1,
                start_month: 11,
            },
            ElecPeriodicity::SixMonthly {
                day: 5,
                start_month: 8,
            },
            ElecPeriodicity::Yearly { day: 3, month: 2 },
        ] {
            let e = cal(p).entries().unwrap();
            assert_eq!(ElecBillingCalendar::from_entries(&e), Some(cal(p)), "{p:?}");
        }
        let q = cal(ElecPeriodicity::Quarterly {
            day: 1,
            start_month: 11,
        })
        .entries()
        .unwrap();
        let months: Vec<u8> = q.iter().map(|e| e.date[2]).collect();
        assert_eq!(months, [11, 2, 5, 8]);
    }

    #[test]
    fn out_of_range_values_are_refused() {
        for p in [
            ElecPeriodicity::Weekly(0),
            ElecPeriodicity::Weekly(8),
            ElecPeriodicity::Monthly(29),
            ElecPeriodicity::Monthly(0),
            ElecPeriodicity::Yearly { day: 1, month: 13 },
            ElecPeriodicity::Quarterly {
                day: 1,
                start_month: 0,
            },
        ] {
            assert!(cal(p).entries().is_err(), "{p:?}");
        }
        let mut c = cal(ElecPeriodicity::Daily);
        c.time.hour = 24;
        assert!(c.entries().is_err());
    }
}
