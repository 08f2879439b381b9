//! 2.2 Top Up Device (`sr:TopUpDevice`): the UTRN the supplier issued for the meter.

use super::{BodyError, Seq, expect, simple};
use crate::types::InvalidValue;

/// 2.2 Top Up Device: the UTRN, exactly as the XSD constrains it (20 decimal digits). Whether it
/// is a valid token for the meter (check digit, MAC, counter) is for the meter to find out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopUpDevice {
    /// `UTRN`: 20 decimal digits.
    pub utrn: String,
}

impl TopUpDevice {
    /// Parses a `TopUpDevice` body element.
    pub fn parse(body: &crate::xml::Element) -> Result<Self, BodyError> {
        const NAME: &str = "TopUpDevice";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let utrn = simple(s.required("UTRN")?, "UTRN")?;
        if utrn.len() != 20 || !utrn.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidValue::new("UTRN", utrn).into());
        }
        s.finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(NAME, &body.text).into());
        }
        Ok(Self { utrn: utrn.into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(inner: &str) -> crate::xml::Element {
        super::super::tests::body(inner)
    }

    #[test]
    fn the_template_body_parses() {
        let b = TopUpDevice::parse(&body(
            "<sr:TopUpDevice><sr:UTRN>73946144332040217315</sr:UTRN></sr:TopUpDevice>",
        ))
        .unwrap();
        assert_eq!(b.utrn, "73946144332040217315");
    }

    #[test]
    fn what_the_xsd_refuses_is_refused() {
        for bad in [
            "<sr:TopUpDevice/>",
            "<sr:TopUpDevice><sr:UTRN>7394614433204021731</sr:UTRN></sr:TopUpDevice>",
            "<sr:TopUpDevice><sr:UTRN>739461443320402173150</sr:UTRN></sr:TopUpDevice>",
            "<sr:TopUpDevice><sr:UTRN>7394614433204021731a</sr:UTRN></sr:TopUpDevice>",
            "<sr:TopUpDevice><sr:UTRN> 7394614433204021731</sr:UTRN></sr:TopUpDevice>",
            "<sr:TopUpDevice><sr:UTRN>73946144332040217315</sr:UTRN><sr:UTRN>73946144332040217315</sr:UTRN></sr:TopUpDevice>",
            "<sr:ActivateEmergencyCredit/>",
        ] {
            assert!(TopUpDevice::parse(&body(bad)).is_err(), "{bad}");
        }
    }
}
