//! Device certificate demand forecasts (SEC L8; SEC Stage 3 consultation §3 para 89):
//! subscribers for device certificates submit, in December, March, June and September, the
//! number of device CSRs they expect to send in each of the six months following the end of
//! the month of submission. The service reports demand (device certificates issued to each
//! subscriber per month) against the latest forecast.

use eui::Eui64;
use time::{Month, OffsetDateTime};

use crate::store::{SmkiTx, StoreError};
use crate::subscribers::PartyKind;

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    /// 1 to 12.
    pub month: u8,
}

impl YearMonth {
    pub fn of(t: OffsetDateTime) -> Self {
        Self {
            year: t.year(),
            month: u8::from(t.month()),
        }
    }

    pub fn next(self) -> Self {
        if self.month >= 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// `YYYY-MM`.
    pub fn parse(s: &str) -> Option<Self> {
        let (y, m) = s.trim().split_once('-')?;
        let year: i32 = y.parse().ok()?;
        let month: u8 = m.parse().ok()?;
        (y.len() == 4 && (1..=12).contains(&month)).then_some(Self { year, month })
    }
}

impl std::fmt::Display for YearMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The months a forecast may be submitted in.
pub const SUBMISSION_MONTHS: [Month; 4] =
    [Month::March, Month::June, Month::September, Month::December];

/// Most CSRs a forecast may give for one month (more than the whole GB estate).
pub const MAX_MONTHLY: u64 = 100_000_000;

/// Why a forecast was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForecastError {
    #[error(
        "rule forecast-window: forecasts are submitted in March, June, September and December, not in {0}"
    )]
    OutsideWindow(Month),
    #[error(
        "rule forecast-months: a forecast submitted in {submitted} covers exactly {expected}; got {got}"
    )]
    WrongMonths {
        submitted: YearMonth,
        expected: String,
        got: String,
    },
    #[error(
        "rule forecast-count: {0} CSRs in one month is beyond any plausible demand (limit {MAX_MONTHLY})"
    )]
    Implausible(u64),
    #[error(
        "rule forecast-subscriber: {0} is not an Authorised Subscriber for device certificates"
    )]
    NotDeviceSubscriber(Eui64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The six months a forecast submitted at `now` covers.
pub fn window(now: OffsetDateTime) -> Result<[YearMonth; 6], ForecastError> {
    if !SUBMISSION_MONTHS.contains(&now.month()) {
        return Err(ForecastError::OutsideWindow(now.month()));
    }
    let mut m = YearMonth::of(now);
    let mut out = [m; 6];
    for slot in &mut out {
        m = m.next();
        *slot = m;
    }
    Ok(out)
}

/// Records a forecast: `months` must be exactly the six of [`window`].
pub fn submit(
    tx: &mut dyn SmkiTx,
    subscriber: Eui64,
    months: &[(YearMonth, u64)],
    now: OffsetDateTime,
) -> Result<(), ForecastError> {
    let expected = window(now)?;
    match tx.subscriber(subscriber)? {
        Some(s) if matches!(s.kind, PartyKind::SecParty | PartyKind::Dcc) => {}
        _ => return Err(ForecastError::NotDeviceSubscriber(subscriber)),
    }
    let got: Vec<YearMonth> = months.iter().map(|(m, _)| *m).collect();
    if got != expected {
        let list = |v: &[YearMonth]| {
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        return Err(ForecastError::WrongMonths {
            submitted: YearMonth::of(now),
            expected: list(&expected),
            got: list(&got),
        });
    }
    if let Some((_, n)) = months.iter().find(|(_, n)| *n > MAX_MONTHLY) {
        return Err(ForecastError::Implausible(*n));
    }
    let at = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
    for (m, n) in months {
        tx.put_forecast(subscriber, *m, *n, at)?;
    }
    Ok(())
}

/// One line of the demand report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemandLine {
    pub subscriber: Eui64,
    pub month: YearMonth,
    /// The latest forecast for that month, if any.
    pub forecast: Option<u64>,
    /// Device certificates issued to the subscriber in that month.
    pub issued: u64,
}

impl DemandLine {
    /// Issued as a percentage of forecast (None without a forecast, or a zero one).
    pub fn percent(&self) -> Option<u64> {
        self.forecast
            .filter(|f| *f > 0)
            .map(|f| self.issued.saturating_mul(100) / f)
    }
}

/// Demand against forecast for every subscriber and month with either.
pub fn report(tx: &mut dyn SmkiTx, env: crate::Environment) -> Result<Vec<DemandLine>, StoreError> {
    use std::collections::BTreeMap;
    type Lines = BTreeMap<(Eui64, YearMonth), DemandLine>;
    fn line(lines: &mut Lines, subscriber: Eui64, month: YearMonth) -> &mut DemandLine {
        lines.entry((subscriber, month)).or_insert(DemandLine {
            subscriber,
            month,
            forecast: None,
            issued: 0,
        })
    }
    let mut lines = Lines::new();
    for (subscriber, month, n) in tx.forecasts()? {
        line(&mut lines, subscriber, month).forecast = Some(n);
    }
    for (subscriber, month, n) in tx.device_certs_issued_by_month(env)? {
        line(&mut lines, subscriber, month).issued = n;
    }
    Ok(lines.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn windows_are_the_six_following_months() {
        let w = window(datetime!(2026-12-04 10:00 UTC)).unwrap();
        assert_eq!(
            w[0],
            YearMonth {
                year: 2027,
                month: 1
            }
        );
        assert_eq!(
            w[5],
            YearMonth {
                year: 2027,
                month: 6
            }
        );
        let w = window(datetime!(2026-03-31 23:59 UTC)).unwrap();
        assert_eq!(w[0].to_string(), "2026-04");
        assert_eq!(w[5].to_string(), "2026-09");
        for m in [1, 2, 4, 5, 7, 8, 10, 11] {
            let t = datetime!(2026-01-15 00:00 UTC)
                .replace_month(Month::try_from(m).unwrap())
                .unwrap();
            let e = window(t).unwrap_err();
            assert!(e.to_string().contains("forecast-window"), "{e}");
        }
        for m in [3, 6, 9, 12] {
            let t = datetime!(2026-01-15 00:00 UTC)
                .replace_month(Month::try_from(m).unwrap())
                .unwrap();
            assert!(window(t).is_ok());
        }
    }

    #[test]
    fn year_months_parse() {
        assert_eq!(
            YearMonth::parse("2027-01"),
            Some(YearMonth {
                year: 2027,
                month: 1
            })
        );
        assert_eq!(YearMonth::parse("2027-13"), None);
        assert_eq!(YearMonth::parse("27-01"), None);
        assert_eq!(YearMonth::parse("x"), None);
    }

    #[test]
    fn percent() {
        let l = DemandLine {
            subscriber: Eui64::from_u64(1),
            month: YearMonth {
                year: 2027,
                month: 1,
            },
            forecast: Some(200),
            issued: 50,
        };
        assert_eq!(l.percent(), Some(25));
        assert_eq!(
            DemandLine {
                forecast: Some(0),
                ..l.clone()
            }
            .percent(),
            None
        );
    }
}
