//! 6.8 Update Device Configuration (Billing Calendar): `sr:UpdateDeviceConfigurationBillingCalendar`,
//! an electricity calendar (a billing time and one periodicity) or a gas calendar (a billing
//! period start and a periodicity).

use super::tariff::xs_time;
use super::{BodyError, Seq, expect, simple};
use crate::datetime::is_xs_datetime;
use crate::types::InvalidValue;
use crate::xml::{Element, is_xml_space};

/// How often an electricity billing period ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElecBillingPeriodicity {
    /// `Daily`.
    Daily,
    /// `Weekly`: day of week, 1 (Monday) to 7.
    Weekly(u8),
    /// `Monthly`: day of month, 1 to 28.
    Monthly(u8),
    /// `Quarterly`: day of month and billing period start month.
    Quarterly {
        /// 1–28.
        day: u8,
        /// 1–12.
        start_month: u8,
    },
    /// `SixMonthly`: day of month and billing period start month.
    SixMonthly {
        /// 1–28.
        day: u8,
        /// 1–12.
        start_month: u8,
    },
    /// `Yearly`: day of month and month.
    Yearly {
        /// 1–28.
        day: u8,
        /// 1–12.
        month: u8,
    },
}

/// A gas calendar's `Periodicity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GasBillingPeriodicity {
    /// `Daily`.
    Daily,
    /// `Weekly`.
    Weekly,
    /// `Monthly`.
    Monthly,
    /// `Quarterly`.
    Quarterly,
    /// `SixMonthly`.
    SixMonthly,
    /// `Yearly`.
    Yearly,
}

/// The calendar of a 6.8 body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateBillingCalendar {
    /// `ElectricityBillingCalendar`.
    Electricity {
        /// `BillingTime`, in UTC: hour, minute, second, hundredths.
        time: [u8; 4],
        /// The periodicity.
        periodicity: ElecBillingPeriodicity,
    },
    /// `GasBillingCalendar`.
    Gas {
        /// `BillingPeriodStart`, an `xs:dateTime` as written.
        start: String,
        /// `Periodicity`.
        periodicity: GasBillingPeriodicity,
    },
}

fn ranged(e: &Element, kind: &'static str, lo: u8, hi: u8) -> Result<u8, BodyError> {
    let t = simple(e, kind)?.trim_matches(is_xml_space);
    let digits = t.strip_prefix('+').unwrap_or(t);
    digits
        .parse::<u8>()
        .ok()
        .filter(|v| (lo..=hi).contains(v) && digits.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| InvalidValue::new(kind, t).into())
}

fn qsmy(e: &Element, kind: &'static str) -> Result<(u8, u8), BodyError> {
    let mut s = Seq::new(e, kind);
    let day = ranged(s.required("DayOfMonth")?, "DayOfMonth", 1, 28)?;
    let month = ranged(
        s.required("BillingPeriodStartMonth")?,
        "BillingPeriodStartMonth",
        1,
        12,
    )?;
    s.finish()?;
    Ok((day, month))
}

impl UpdateBillingCalendar {
    /// Parses an `UpdateDeviceConfigurationBillingCalendar` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdateDeviceConfigurationBillingCalendar";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let c = s.choice()?;
        s.finish()?;
        match c.name.as_str() {
            "ElectricityBillingCalendar" => {
                const E: &str = "ElectricityBillingCalendar";
                let mut s = Seq::new(c, E);
                let time = xs_time(s.required("BillingTime")?, "BillingTime")?;
                let p = s.choice()?;
                s.finish()?;
                let periodicity = match p.name.as_str() {
                    "Daily" => {
                        simple(p, "Daily")?;
                        if !p.trimmed_text().is_empty() {
                            return Err(InvalidValue::new("Daily", &p.text).into());
                        }
                        ElecBillingPeriodicity::Daily
                    }
                    "Weekly" => ElecBillingPeriodicity::Weekly(ranged(p, "Weekly", 1, 7)?),
                    "Monthly" => ElecBillingPeriodicity::Monthly(ranged(p, "Monthly", 1, 28)?),
                    "Quarterly" => {
                        let (day, start_month) = qsmy(p, "Quarterly")?;
                        ElecBillingPeriodicity::Quarterly { day, start_month }
                    }
                    "SixMonthly" => {
                        let (day, start_month) = qsmy(p, "SixMonthly")?;
                        ElecBillingPeriodicity::SixMonthly { day, start_month }
                    }
                    "Yearly" => {
                        let (day, month) = qsmy(p, "Yearly")?;
                        ElecBillingPeriodicity::Yearly { day, month }
                    }
                    other => {
                        return Err(BodyError::Unexpected {
                            parent: E,
                            found: other.to_owned(),
                        });
                    }
                };
                Ok(Self::Electricity { time, periodicity })
            }
            "GasBillingCalendar" => {
                const G: &str = "GasBillingCalendar";
                let mut s = Seq::new(c, G);
                let st = s.required("BillingPeriodStart")?;
                let start = simple(st, "BillingPeriodStart")?
                    .trim_matches(is_xml_space)
                    .to_owned();
                if !is_xs_datetime(&start) {
                    return Err(InvalidValue::new("BillingPeriodStart", &start).into());
                }
                let p = s.required("Periodicity")?;
                let pt = simple(p, "Periodicity")?.trim_matches(is_xml_space);
                let periodicity = match pt {
                    "Daily" => GasBillingPeriodicity::Daily,
                    "Weekly" => GasBillingPeriodicity::Weekly,
                    "Monthly" => GasBillingPeriodicity::Monthly,
                    "Quarterly" => GasBillingPeriodicity::Quarterly,
                    "SixMonthly" => GasBillingPeriodicity::SixMonthly,
                    "Yearly" => GasBillingPeriodicity::Yearly,
                    _ => return Err(InvalidValue::new("Periodicity", pt).into()),
                };
                s.finish()?;
                Ok(Self::Gas { start, periodicity })
            }
            other => Err(BodyError::Unexpected {
                parent: NAME,
                found: other.to_owned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{ParseLimits, parse_element};

    fn body(inner: &str) -> Element {
        let doc = format!(
            r#"<sr:X xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway"><sr:UpdateDeviceConfigurationBillingCalendar>{inner}</sr:UpdateDeviceConfigurationBillingCalendar></sr:X>"#
        );
        let mut root = parse_element(doc.as_bytes(), &ParseLimits::default()).unwrap();
        root.children.remove(0)
    }

    fn elec(p: &str) -> Result<UpdateBillingCalendar, BodyError> {
        UpdateBillingCalendar::parse(&body(&format!(
            "<sr:ElectricityBillingCalendar><sr:BillingTime>12:00:00.00Z</sr:BillingTime>{p}</sr:ElectricityBillingCalendar>"
        )))
    }

    #[test]
    fn electricity_calendars() {
        let p = |r: Result<UpdateBillingCalendar, BodyError>| match r {
            Ok(UpdateBillingCalendar::Electricity { time, periodicity }) => {
                assert_eq!(time, [12, 0, 0, 0]);
                periodicity
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(p(elec("<sr:Daily/>")), ElecBillingPeriodicity::Daily);
        assert_eq!(
            p(elec("<sr:Weekly>7</sr:Weekly>")),
            ElecBillingPeriodicity::Weekly(7)
        );
        assert_eq!(
            p(elec("<sr:Monthly>28</sr:Monthly>")),
            ElecBillingPeriodicity::Monthly(28)
        );
        assert_eq!(
            p(elec(
                "<sr:Quarterly><sr:DayOfMonth>1</sr:DayOfMonth><sr:BillingPeriodStartMonth>2</sr:BillingPeriodStartMonth></sr:Quarterly>"
            )),
            ElecBillingPeriodicity::Quarterly {
                day: 1,
                start_month: 2
            }
        );
        for bad in [
            "<sr:Weekly>8</sr:Weekly>",
            "<sr:Weekly>0</sr:Weekly>",
            "<sr:Monthly>29</sr:Monthly>",
            "<sr:Monthly>x</sr:Monthly>",
            "<sr:Yearly><sr:DayOfMonth>1</sr:DayOfMonth><sr:BillingPeriodStartMonth>13</sr:BillingPeriodStartMonth></sr:Yearly>",
            "<sr:Daily>x</sr:Daily>",
            "",
        ] {
            assert!(elec(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn gas_calendars() {
        let r = UpdateBillingCalendar::parse(&body(
            "<sr:GasBillingCalendar><sr:BillingPeriodStart>2015-02-01T00:00:00.00Z</sr:BillingPeriodStart><sr:Periodicity>Monthly</sr:Periodicity></sr:GasBillingCalendar>",
        ));
        assert_eq!(
            r,
            Ok(UpdateBillingCalendar::Gas {
                start: "2015-02-01T00:00:00.00Z".into(),
                periodicity: GasBillingPeriodicity::Monthly
            })
        );
        assert!(UpdateBillingCalendar::parse(&body(
            "<sr:GasBillingCalendar><sr:BillingPeriodStart>2015-02-01T00:00:00.00Z</sr:BillingPeriodStart><sr:Periodicity>Hourly</sr:Periodicity></sr:GasBillingCalendar>",
        ))
        .is_err());
    }
}
