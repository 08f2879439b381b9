//! 1.5 Update Meter Balance (`sr:UpdateMeterBalance`): a choice of `PrepaymentMode` or
//! `CreditMode`, each a choice of `AdjustMeterBalance` (xs:int, the signed adjustment in the
//! meter's currency unit) or an empty `ResetMeterBalance`.

use super::{BodyError, Seq, expect, parse_xs_int, simple};
use crate::types::InvalidValue;
use crate::xml::{Element, is_xml_space};

/// What is done to the balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeterBalanceUpdate {
    /// `AdjustMeterBalance`: add this (negative: take it away).
    Adjust(i32),
    /// `ResetMeterBalance`: set it to zero.
    Reset,
}

/// 1.5 Update Meter Balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpdateMeterBalance {
    /// `PrepaymentMode` (`true`) or `CreditMode` (`false`).
    pub prepayment_mode: bool,
    /// The update.
    pub update: MeterBalanceUpdate,
}

fn adjust_or_reset(e: &Element, name: &'static str) -> Result<MeterBalanceUpdate, BodyError> {
    let mut s = Seq::new(e, name);
    let c = s.choice()?;
    let update = match c.name.as_str() {
        "AdjustMeterBalance" => {
            let t = simple(c, "AdjustMeterBalance")?.trim_matches(is_xml_space);
            let v = parse_xs_int(t)
                .and_then(|v| i32::try_from(v).ok())
                .ok_or_else(|| InvalidValue::new("AdjustMeterBalance", t))?;
            MeterBalanceUpdate::Adjust(v)
        }
        "ResetMeterBalance" => {
            Seq::new(c, "ResetMeterBalance").finish()?;
            if !c.trimmed_text().is_empty() {
                return Err(InvalidValue::new("ResetMeterBalance", &c.text).into());
            }
            MeterBalanceUpdate::Reset
        }
        _ => return Err(s.unexpected(c)),
    };
    s.finish()?;
    Ok(update)
}

impl UpdateMeterBalance {
    /// Parses an `UpdateMeterBalance` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdateMeterBalance";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let c = s.choice()?;
        let (prepayment_mode, name) = match c.name.as_str() {
            "PrepaymentMode" => (true, "PrepaymentMode"),
            "CreditMode" => (false, "CreditMode"),
            _ => return Err(s.unexpected(c)),
        };
        let update = adjust_or_reset(c, name)?;
        s.finish()?;
        Ok(Self {
            prepayment_mode,
            update,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bodies::tests::body;

    fn parse(xml: &str) -> Result<UpdateMeterBalance, BodyError> {
        UpdateMeterBalance::parse(&body(xml))
    }

    #[test]
    fn parses_the_four_forms() {
        let p = |mode: &str, inner: &str| {
            parse(&format!(
                "<sr:UpdateMeterBalance><sr:{mode}>{inner}</sr:{mode}></sr:UpdateMeterBalance>"
            ))
            .unwrap()
        };
        let adjust = "<sr:AdjustMeterBalance>-1200000</sr:AdjustMeterBalance>";
        let reset = "<sr:ResetMeterBalance/>";
        assert_eq!(
            p("PrepaymentMode", adjust),
            UpdateMeterBalance {
                prepayment_mode: true,
                update: MeterBalanceUpdate::Adjust(-1_200_000)
            }
        );
        assert_eq!(
            p("CreditMode", reset),
            UpdateMeterBalance {
                prepayment_mode: false,
                update: MeterBalanceUpdate::Reset
            }
        );
        assert!(p("PrepaymentMode", reset).prepayment_mode);
        assert_eq!(
            p("CreditMode", adjust).update,
            MeterBalanceUpdate::Adjust(-1_200_000)
        );
    }

    #[test]
    fn refuses_out_of_range_and_malformed_bodies() {
        for bad in [
            "<sr:UpdateMeterBalance><sr:PrepaymentMode><sr:AdjustMeterBalance>2147483648</sr:AdjustMeterBalance></sr:PrepaymentMode></sr:UpdateMeterBalance>",
            "<sr:UpdateMeterBalance><sr:PrepaymentMode><sr:AdjustMeterBalance>1.5</sr:AdjustMeterBalance></sr:PrepaymentMode></sr:UpdateMeterBalance>",
            "<sr:UpdateMeterBalance><sr:PrepaymentMode><sr:ResetMeterBalance>1</sr:ResetMeterBalance></sr:PrepaymentMode></sr:UpdateMeterBalance>",
            "<sr:UpdateMeterBalance><sr:PrepaymentMode/></sr:UpdateMeterBalance>",
            "<sr:UpdateMeterBalance/>",
            "<sr:UpdateMeterBalance><sr:OtherMode><sr:ResetMeterBalance/></sr:OtherMode></sr:UpdateMeterBalance>",
            "<sr:UpdateMeterBalance><sr:CreditMode><sr:ResetMeterBalance/><sr:ResetMeterBalance/></sr:CreditMode></sr:UpdateMeterBalance>",
            "<sr:UpdateMeterBalance><sr:CreditMode><sr:ResetMeterBalance/></sr:CreditMode><sr:PrepaymentMode><sr:ResetMeterBalance/></sr:PrepaymentMode></sr:UpdateMeterBalance>",
            "<sr:UpdateDebt/>",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
