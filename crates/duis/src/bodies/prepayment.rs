//! Prepayment bodies (2.x): 2.3 Update Debt.

use super::{BodyError, Seq, expect, parse_xs_int, simple};
use crate::types::InvalidValue;
use crate::xml::{Element, is_xml_space};

/// `DebtRecoveryRatePeriod`: how often a time-based debt recovers its rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DebtRecoveryRatePeriod {
    /// `HOURLY`.
    Hourly,
    /// `DAILY`.
    Daily,
}

impl DebtRecoveryRatePeriod {
    /// The period in seconds.
    pub const fn seconds(self) -> u32 {
        match self {
            Self::Hourly => 3_600,
            Self::Daily => 86_400,
        }
    }
}

/// The recovery of one time-based debt (`sr:ElecDebtRecovery` or `sr:GasDebtRecovery`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DebtRecovery {
    /// `DebtRecoveryRate` (xs:short for electricity, xs:int for gas).
    pub rate: i32,
    /// `DebtRecoveryRatePriceScale` (electricity only; `None` for gas).
    pub price_scale: Option<i8>,
    /// `DebtRecoveryRatePeriod`.
    pub period: DebtRecoveryRatePeriod,
}

/// 2.3 Update Debt (`sr:UpdateDebt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpdateDebt {
    /// `TimeDebtRegister1`, `TimeDebtRegister2`.
    pub time_debt_registers: [i32; 2],
    /// `PaymentDebtRegister`.
    pub payment_debt_register: i32,
    /// `DebtRecoveryPerPayment` (0 to 10 000).
    pub debt_recovery_per_payment: u16,
    /// `ElecDebtRecovery1`/`2` or `GasDebtRecovery1`/`2`.
    pub recovery: [DebtRecovery; 2],
    /// Whether the recoveries are the electricity ones.
    pub electricity: bool,
}

/// Largest `DebtRecoveryPerPayment`.
pub const MAX_DEBT_RECOVERY_PER_PAYMENT: u16 = 10_000;

fn int(e: &Element, kind: &'static str) -> Result<i32, BodyError> {
    let t = simple(e, kind)?.trim_matches(is_xml_space);
    parse_xs_int(t)
        .and_then(|v| i32::try_from(v).ok())
        .ok_or_else(|| InvalidValue::new(kind, t).into())
}

fn recovery(e: &Element, name: &'static str, electricity: bool) -> Result<DebtRecovery, BodyError> {
    let mut s = Seq::new(e, name);
    let rate_e = s.required("DebtRecoveryRate")?;
    let rate = int(rate_e, "DebtRecoveryRate")?;
    if electricity && i16::try_from(rate).is_err() {
        return Err(InvalidValue::new("DebtRecoveryRate", &rate_e.text).into());
    }
    let price_scale = if electricity {
        let e = s.required("DebtRecoveryRatePriceScale")?;
        let t = simple(e, "DebtRecoveryRatePriceScale")?.trim_matches(is_xml_space);
        let v = parse_xs_int(t)
            .and_then(|v| i8::try_from(v).ok())
            .ok_or_else(|| InvalidValue::new("DebtRecoveryRatePriceScale", t))?;
        Some(v)
    } else {
        None
    };
    let p = s.required("DebtRecoveryRatePeriod")?;
    let period = match simple(p, "DebtRecoveryRatePeriod")? {
        "HOURLY" => DebtRecoveryRatePeriod::Hourly,
        "DAILY" => DebtRecoveryRatePeriod::Daily,
        other => return Err(InvalidValue::new("DebtRecoveryRatePeriod", other).into()),
    };
    s.finish()?;
    Ok(DebtRecovery {
        rate,
        price_scale,
        period,
    })
}

impl UpdateDebt {
    /// Parses an `UpdateDebt` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdateDebt";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let t1 = int(s.required("TimeDebtRegister1")?, "TimeDebtRegister1")?;
        let t2 = int(s.required("TimeDebtRegister2")?, "TimeDebtRegister2")?;
        let payment_debt_register = int(s.required("PaymentDebtRegister")?, "PaymentDebtRegister")?;
        let pe = s.required("DebtRecoveryPerPayment")?;
        let pt = simple(pe, "DebtRecoveryPerPayment")?.trim_matches(is_xml_space);
        let debt_recovery_per_payment = parse_xs_int(pt)
            .and_then(|v| u16::try_from(v).ok())
            .filter(|v| *v <= MAX_DEBT_RECOVERY_PER_PAYMENT)
            .ok_or_else(|| InvalidValue::new("DebtRecoveryPerPayment", pt))?;
        let first = s.choice()?;
        let (electricity, second) = match first.name.as_str() {
            "ElecDebtRecovery1" => (true, "ElecDebtRecovery2"),
            "GasDebtRecovery1" => (false, "GasDebtRecovery2"),
            _ => return Err(s.unexpected(first)),
        };
        let r1 = recovery(
            first,
            if electricity {
                "ElecDebtRecovery1"
            } else {
                "GasDebtRecovery1"
            },
            electricity,
        )?;
        let r2 = recovery(s.required(second)?, second, electricity)?;
        s.finish()?;
        Ok(Self {
            time_debt_registers: [t1, t2],
            payment_debt_register,
            debt_recovery_per_payment,
            recovery: [r1, r2],
            electricity,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bodies::tests::body;

    const ELEC: &str = "<sr:UpdateDebt><sr:TimeDebtRegister1>30000</sr:TimeDebtRegister1>\
        <sr:TimeDebtRegister2>15000</sr:TimeDebtRegister2>\
        <sr:PaymentDebtRegister>50000</sr:PaymentDebtRegister>\
        <sr:DebtRecoveryPerPayment>1000</sr:DebtRecoveryPerPayment>\
        <sr:ElecDebtRecovery1><sr:DebtRecoveryRate>3</sr:DebtRecoveryRate>\
        <sr:DebtRecoveryRatePriceScale>-1</sr:DebtRecoveryRatePriceScale>\
        <sr:DebtRecoveryRatePeriod>DAILY</sr:DebtRecoveryRatePeriod></sr:ElecDebtRecovery1>\
        <sr:ElecDebtRecovery2><sr:DebtRecoveryRate>15</sr:DebtRecoveryRate>\
        <sr:DebtRecoveryRatePriceScale>-1</sr:DebtRecoveryRatePriceScale>\
        <sr:DebtRecoveryRatePeriod>HOURLY</sr:DebtRecoveryRatePeriod></sr:ElecDebtRecovery2>\
        </sr:UpdateDebt>";

    #[test]
    fn parses_the_electricity_and_gas_forms() {
        let u = UpdateDebt::parse(&body(ELEC)).unwrap();
        assert_eq!(u.time_debt_registers, [30_000, 15_000]);
        assert_eq!(u.payment_debt_register, 50_000);
        assert_eq!(u.debt_recovery_per_payment, 1000);
        assert!(u.electricity);
        assert_eq!(
            u.recovery,
            [
                DebtRecovery {
                    rate: 3,
                    price_scale: Some(-1),
                    period: DebtRecoveryRatePeriod::Daily
                },
                DebtRecovery {
                    rate: 15,
                    price_scale: Some(-1),
                    period: DebtRecoveryRatePeriod::Hourly
                }
            ]
        );
        let gas = ELEC
            .replace("ElecDebtRecovery", "GasDebtRecovery")
            .replace(
                "<sr:DebtRecoveryRatePriceScale>-1</sr:DebtRecoveryRatePriceScale>",
                "",
            )
            .replace(">3<", ">50000<");
        let u = UpdateDebt::parse(&body(&gas)).unwrap();
        assert!(!u.electricity);
        assert_eq!(u.recovery[0].rate, 50_000);
        assert_eq!(u.recovery[0].price_scale, None);
    }

    #[test]
    fn refuses_out_of_range_and_misordered_bodies() {
        for bad in [
            ELEC.replace(">1000<", ">10001<"),
            ELEC.replace(">30000<", ">2147483648<"),
            ELEC.replace(">3<", ">32768<"),
            ELEC.replace(">-1<", ">-129<"),
            ELEC.replace("DAILY", "WEEKLY"),
            ELEC.replace("ElecDebtRecovery2", "GasDebtRecovery2"),
            ELEC.replace("<sr:TimeDebtRegister2>15000</sr:TimeDebtRegister2>", ""),
            ELEC.replace("</sr:UpdateDebt>", "<sr:X/></sr:UpdateDebt>"),
        ] {
            assert!(UpdateDebt::parse(&body(&bad)).is_err(), "{bad}");
        }
    }
}
