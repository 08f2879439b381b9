//! Supplier settings (DUIS 3.x) bodies: 3.4 `UpdateSupplierName`, 3.1 `DisplayMessage`, 3.2
//! `RestrictAccessForChangeOfTenancy`. (3.5 `DisablePrivacyPIN` has no content:
//! [`super::NoParameters`].)

use super::{BodyError, Seq, execution_date_time, expect, simple};
use crate::types::InvalidValue;

/// 3.4 Update Supplier Name (`sr:UpdateSupplierName`): what the meter is to show of the
/// supplier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateSupplierName {
    /// `ExecutionDateTime`, as written, when the request is future dated.
    pub execution_date_time: Option<String>,
    /// `SupplierName`: 1 to 15 printable ASCII characters (`[ -~]+`), as written.
    pub supplier_name: String,
    /// `SupplierTelephoneNumber`: 1 to 18 digits and spaces (`[0-9 ]+`), as written.
    pub supplier_telephone_number: String,
}

/// The longest `SupplierName`.
pub const MAX_SUPPLIER_NAME: usize = 15;
/// The longest `SupplierTelephoneNumber`.
pub const MAX_SUPPLIER_TELEPHONE_NUMBER: usize = 18;

/// A string of 1 to `max` characters each of which `allowed` accepts (an XSD `[…]+` pattern
/// with a `maxLength`; `xs:string` keeps whitespace, so the value is taken as written).
fn restricted(
    e: &crate::xml::Element,
    kind: &'static str,
    max: usize,
    allowed: fn(char) -> bool,
) -> Result<String, BodyError> {
    let t = simple(e, kind)?;
    if t.is_empty() || t.chars().count() > max || !t.chars().all(allowed) {
        return Err(InvalidValue::new(kind, t).into());
    }
    Ok(t.to_owned())
}

impl UpdateSupplierName {
    /// Parses an `UpdateSupplierName` body element.
    pub fn parse(body: &crate::xml::Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdateSupplierName";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let supplier_name = restricted(
            s.required("SupplierName")?,
            "SupplierName",
            MAX_SUPPLIER_NAME,
            |c| (' '..='~').contains(&c),
        )?;
        let supplier_telephone_number = restricted(
            s.required("SupplierTelephoneNumber")?,
            "SupplierTelephoneNumber",
            MAX_SUPPLIER_TELEPHONE_NUMBER,
            |c| c == ' ' || c.is_ascii_digit(),
        )?;
        s.finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(NAME, &body.text).into());
        }
        Ok(Self {
            execution_date_time,
            supplier_name,
            supplier_telephone_number,
        })
    }
}

/// 3.1 Display Message (`sr:DisplayMessage`): the supplier's message for the consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayMessage {
    /// `ExecutionDateTime`, as written, when the request is future dated.
    pub execution_date_time: Option<String>,
    /// `SupplierMessage`: 1 to 116 printable ASCII characters (`[ -~]+`), as written.
    pub supplier_message: String,
}

/// The longest `SupplierMessage`.
pub const MAX_SUPPLIER_MESSAGE: usize = 116;

impl DisplayMessage {
    /// Parses a `DisplayMessage` body element.
    pub fn parse(body: &crate::xml::Element) -> Result<Self, BodyError> {
        const NAME: &str = "DisplayMessage";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let supplier_message = restricted(
            s.required("SupplierMessage")?,
            "SupplierMessage",
            MAX_SUPPLIER_MESSAGE,
            |c| (' '..='~').contains(&c),
        )?;
        s.finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(NAME, &body.text).into());
        }
        Ok(Self {
            execution_date_time,
            supplier_message,
        })
    }
}

/// 3.2 Restrict Access for Change of Tenancy (`sr:RestrictAccessForChangeOfTenancy`): from
/// when the meter withholds consumption data from other parties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestrictAccessForChangeOfTenancy {
    /// `ExecutionDateTime`, as written, when the request is future dated.
    pub execution_date_time: Option<String>,
    /// `RestrictionDateTime` (xs:dateTime), as a UTC instant (a value without a time zone is
    /// taken as UTC).
    pub restriction_date_time: time::OffsetDateTime,
}

impl RestrictAccessForChangeOfTenancy {
    /// Parses a `RestrictAccessForChangeOfTenancy` body element.
    pub fn parse(body: &crate::xml::Element) -> Result<Self, BodyError> {
        const NAME: &str = "RestrictAccessForChangeOfTenancy";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let t = simple(s.required("RestrictionDateTime")?, "RestrictionDateTime")?
            .trim_matches(crate::xml::is_xml_space);
        let restriction_date_time = crate::datetime::parse_xs_datetime_utc(t)
            .ok_or_else(|| InvalidValue::new("RestrictionDateTime", t))?;
        s.finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(NAME, &body.text).into());
        }
        Ok(Self {
            execution_date_time,
            restriction_date_time,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(inner: &str) -> crate::xml::Element {
        super::super::tests::body(inner)
    }

    fn parse(inner: &str) -> Result<UpdateSupplierName, BodyError> {
        UpdateSupplierName::parse(&body(&format!(
            "<sr:UpdateSupplierName>{inner}</sr:UpdateSupplierName>"
        )))
    }

    #[test]
    fn update_supplier_name() {
        let u = parse(
            "<sr:SupplierName>E-ON</sr:SupplierName><sr:SupplierTelephoneNumber>0333 202 4650</sr:SupplierTelephoneNumber>",
        )
        .unwrap();
        assert_eq!(
            u,
            UpdateSupplierName {
                execution_date_time: None,
                supplier_name: "E-ON".into(),
                supplier_telephone_number: "0333 202 4650".into(),
            }
        );
        let u = parse(
            "<sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime><sr:SupplierName> Fifteen chars~</sr:SupplierName><sr:SupplierTelephoneNumber>012345678901234567</sr:SupplierTelephoneNumber>",
        )
        .unwrap();
        assert_eq!(u.supplier_name, " Fifteen chars~", "whitespace kept");
        assert_eq!(
            u.execution_date_time.as_deref(),
            Some("2030-01-01T00:00:00Z")
        );
    }

    #[test]
    fn bad_bodies() {
        for bad in [
            // Missing, reordered, repeated, extra.
            "<sr:SupplierName>E-ON</sr:SupplierName>",
            "<sr:SupplierTelephoneNumber>1</sr:SupplierTelephoneNumber><sr:SupplierName>E</sr:SupplierName>",
            "<sr:SupplierName>E</sr:SupplierName><sr:SupplierTelephoneNumber>1</sr:SupplierTelephoneNumber><sr:SupplierTelephoneNumber>1</sr:SupplierTelephoneNumber>",
            "<sr:SupplierName>E</sr:SupplierName><sr:SupplierTelephoneNumber>1</sr:SupplierTelephoneNumber><sr:X/>",
            // Out of range: empty, too long, outside the pattern.
            "<sr:SupplierName></sr:SupplierName><sr:SupplierTelephoneNumber>1</sr:SupplierTelephoneNumber>",
            "<sr:SupplierName>Sixteen chars!!!</sr:SupplierName><sr:SupplierTelephoneNumber>1</sr:SupplierTelephoneNumber>",
            "<sr:SupplierName>E\u{e9}</sr:SupplierName><sr:SupplierTelephoneNumber>1</sr:SupplierTelephoneNumber>",
            "<sr:SupplierName>E</sr:SupplierName><sr:SupplierTelephoneNumber>0123456789012345678</sr:SupplierTelephoneNumber>",
            "<sr:SupplierName>E</sr:SupplierName><sr:SupplierTelephoneNumber>+44 333</sr:SupplierTelephoneNumber>",
            "<sr:SupplierName>E</sr:SupplierName><sr:SupplierTelephoneNumber></sr:SupplierTelephoneNumber>",
            "<sr:ExecutionDateTime>soon</sr:ExecutionDateTime><sr:SupplierName>E</sr:SupplierName><sr:SupplierTelephoneNumber>1</sr:SupplierTelephoneNumber>",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let wrong = body("<sr:DisablePrivacyPIN/>");
        assert!(UpdateSupplierName::parse(&wrong).is_err());
    }

    #[test]
    fn display_message() {
        let parse = |inner: &str| {
            DisplayMessage::parse(&body(&format!(
                "<sr:DisplayMessage>{inner}</sr:DisplayMessage>"
            )))
        };
        let m = parse("<sr:SupplierMessage>Reset</sr:SupplierMessage>").unwrap();
        assert_eq!(m.supplier_message, "Reset");
        assert_eq!(m.execution_date_time, None);
        let long = "~".repeat(116);
        let m = parse(&format!(
            "<sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime><sr:SupplierMessage>{long}</sr:SupplierMessage>"
        ))
        .unwrap();
        assert_eq!(m.supplier_message, long);
        for bad in [
            String::new(),
            "<sr:SupplierMessage></sr:SupplierMessage>".into(),
            format!(
                "<sr:SupplierMessage>{}</sr:SupplierMessage>",
                "x".repeat(117)
            ),
            "<sr:SupplierMessage>caf\u{e9}</sr:SupplierMessage>".into(),
            "<sr:SupplierMessage>a\tb</sr:SupplierMessage>".into(),
            "<sr:SupplierMessage>a</sr:SupplierMessage><sr:SupplierMessage>b</sr:SupplierMessage>"
                .into(),
        ] {
            assert!(parse(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn restrict_access_for_change_of_tenancy() {
        let parse = |inner: &str| {
            RestrictAccessForChangeOfTenancy::parse(&body(&format!(
                "<sr:RestrictAccessForChangeOfTenancy>{inner}</sr:RestrictAccessForChangeOfTenancy>"
            )))
        };
        let r = parse("<sr:RestrictionDateTime>2015-02-01T00:00:00.00Z</sr:RestrictionDateTime>")
            .unwrap();
        assert_eq!(r.execution_date_time, None);
        assert_eq!(r.restriction_date_time.unix_timestamp(), 1_422_748_800);
        let r = parse(
            "<sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime><sr:RestrictionDateTime>2015-02-01T01:00:00+01:00</sr:RestrictionDateTime>",
        )
        .unwrap();
        assert_eq!(r.restriction_date_time.unix_timestamp(), 1_422_748_800);
        assert!(r.execution_date_time.is_some());
        for bad in [
            "",
            "<sr:RestrictionDateTime>yesterday</sr:RestrictionDateTime>",
            "<sr:RestrictionDateTime>2015-02-01T00:00:00Z</sr:RestrictionDateTime><sr:RestrictionDateTime>2015-02-01T00:00:00Z</sr:RestrictionDateTime>",
            "<sr:SupplierName>E</sr:SupplierName>",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
