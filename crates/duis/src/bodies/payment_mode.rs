//! 1.6 Update Payment Mode (`sr:UpdatePaymentMode`): an optional `ExecutionDateTime`, then a
//! choice of `Credit` (no content) or `Prepayment` (`SuspendDebtDisabled`,
//! `SuspendDebtEmergency`, xs:boolean; `DisablementThreshold`, xs:int).

use super::{BodyError, Seq, execution_date_time, expect, parse_xs_int, simple};
use crate::request::parse_xs_boolean;
use crate::types::InvalidValue;
use crate::xml::{Element, is_xml_space};

/// The mode to switch to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMode {
    /// Credit mode.
    Credit,
    /// Prepayment mode.
    Prepayment {
        /// `SuspendDebtDisabled`: no debt collected while the supply is disabled.
        suspend_debt_disabled: bool,
        /// `SuspendDebtEmergency`: no debt collected while on emergency credit.
        suspend_debt_emergency: bool,
        /// `DisablementThreshold`: the credit level at which the supply is disabled.
        disablement_threshold: i32,
    },
}

/// A parsed `UpdatePaymentMode` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdatePaymentMode {
    /// `ExecutionDateTime`, as written, when the change is device-future-dated (or cancelled).
    pub execution_date_time: Option<String>,
    /// The mode.
    pub mode: PaymentMode,
}

fn boolean(e: &Element, kind: &'static str) -> Result<bool, BodyError> {
    let t = simple(e, kind)?;
    parse_xs_boolean(t).ok_or_else(|| InvalidValue::new(kind, t).into())
}

fn no_text(e: &Element, kind: &'static str) -> Result<(), BodyError> {
    if e.trimmed_text().is_empty() {
        Ok(())
    } else {
        Err(InvalidValue::new(kind, &e.text).into())
    }
}

impl UpdatePaymentMode {
    /// Parses an `UpdatePaymentMode` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdatePaymentMode";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let c = s.choice()?;
        let mode = match c.name.as_str() {
            "Credit" => {
                Seq::new(c, "Credit").finish()?;
                no_text(c, "Credit")?;
                PaymentMode::Credit
            }
            "Prepayment" => {
                let mut p = Seq::new(c, "Prepayment");
                let suspend_debt_disabled =
                    boolean(p.required("SuspendDebtDisabled")?, "SuspendDebtDisabled")?;
                let suspend_debt_emergency =
                    boolean(p.required("SuspendDebtEmergency")?, "SuspendDebtEmergency")?;
                let t = simple(p.required("DisablementThreshold")?, "DisablementThreshold")?
                    .trim_matches(is_xml_space);
                let disablement_threshold = parse_xs_int(t)
                    .and_then(|v| i32::try_from(v).ok())
                    .ok_or_else(|| InvalidValue::new("DisablementThreshold", t))?;
                p.finish()?;
                no_text(c, "Prepayment")?;
                PaymentMode::Prepayment {
                    suspend_debt_disabled,
                    suspend_debt_emergency,
                    disablement_threshold,
                }
            }
            _ => return Err(s.unexpected(c)),
        };
        s.finish()?;
        no_text(body, NAME)?;
        Ok(Self {
            execution_date_time,
            mode,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::bodies::tests::body as wrapped;

    /// The template-style body: `sr:`-prefixed elements.
    fn body(xml: &str) -> Element {
        wrapped(&xml.replace("<", "<sr:").replace("<sr:/", "</sr:"))
    }

    #[test]
    fn credit_and_prepayment() {
        let c = UpdatePaymentMode::parse(&body(
            "<UpdatePaymentMode><ExecutionDateTime>2030-01-15T09:00:00.00Z</ExecutionDateTime><Credit/></UpdatePaymentMode>",
        ))
        .unwrap();
        assert_eq!(c.mode, PaymentMode::Credit);
        assert_eq!(
            c.execution_date_time.as_deref(),
            Some("2030-01-15T09:00:00.00Z")
        );
        let p = UpdatePaymentMode::parse(&body(
            "<UpdatePaymentMode><Prepayment><SuspendDebtDisabled>true</SuspendDebtDisabled><SuspendDebtEmergency>0</SuspendDebtEmergency><DisablementThreshold>-556677</DisablementThreshold></Prepayment></UpdatePaymentMode>",
        ))
        .unwrap();
        assert_eq!(
            p.mode,
            PaymentMode::Prepayment {
                suspend_debt_disabled: true,
                suspend_debt_emergency: false,
                disablement_threshold: -556_677,
            }
        );
        assert_eq!(p.execution_date_time, None);
    }

    #[test]
    fn bad_bodies_are_refused() {
        for xml in [
            "<UpdatePaymentMode/>",
            "<UpdatePaymentMode><Credit/><Credit/></UpdatePaymentMode>",
            "<UpdatePaymentMode><Credit>x</Credit></UpdatePaymentMode>",
            "<UpdatePaymentMode><Debit/></UpdatePaymentMode>",
            "<UpdatePaymentMode><ExecutionDateTime>soon</ExecutionDateTime><Credit/></UpdatePaymentMode>",
            "<UpdatePaymentMode><Prepayment><SuspendDebtDisabled>yes</SuspendDebtDisabled><SuspendDebtEmergency>true</SuspendDebtEmergency><DisablementThreshold>1</DisablementThreshold></Prepayment></UpdatePaymentMode>",
            "<UpdatePaymentMode><Prepayment><SuspendDebtDisabled>true</SuspendDebtDisabled><SuspendDebtEmergency>true</SuspendDebtEmergency><DisablementThreshold>2147483648</DisablementThreshold></Prepayment></UpdatePaymentMode>",
            "<UpdatePaymentMode><Prepayment><SuspendDebtEmergency>true</SuspendDebtEmergency><SuspendDebtDisabled>true</SuspendDebtDisabled><DisablementThreshold>1</DisablementThreshold></Prepayment></UpdatePaymentMode>",
            "<UpdatePaymentMode><Prepayment><SuspendDebtDisabled>true</SuspendDebtDisabled><SuspendDebtEmergency>true</SuspendDebtEmergency></Prepayment></UpdatePaymentMode>",
            "<ActivateEmergencyCredit/>",
        ] {
            assert!(UpdatePaymentMode::parse(&body(xml)).is_err(), "{xml}");
        }
    }
}
