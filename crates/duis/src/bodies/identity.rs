//! Identity and MPxN bodies: 6.20.1 `SetDeviceConfigurationImportMPxN` (an ESME's import MPAN,
//! and a twin element meter's secondary MPAN, or a GSME's MPRN) and 6.20.2
//! `SetDeviceConfigurationExportMPAN`. (The 6.2.x reads have no content:
//! [`super::NoParameters`].)
//!
//! The XSD's `MPAN` is any 13 characters and `MPRN` 1 to 10; the DCC takes only digits (an
//! MPAN or MPRN is a number, and the meter is sent ASCII digits): anything else is invalid.

use super::{BodyError, Seq, execution_date_time, expect, simple};
use crate::types::InvalidValue;

/// The length of an `MPAN`.
pub const MPAN_LEN: usize = 13;
/// The longest `MPRN`.
pub const MAX_MPRN: usize = 10;

/// The import MPxN to set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportMpxn {
    /// `ImportMPANs`: an ESME's MPAN and, on a twin element meter, the secondary MPAN.
    Mpans {
        /// `ImportMPAN` (13 digits).
        primary: String,
        /// `SecondaryImportMPAN` (13 digits).
        secondary: Option<String>,
    },
    /// `ImportMPRN`: a GSME's MPRN (1 to 10 digits).
    Mprn(String),
}

/// 6.20.1 Set Device Configuration (Import MPxN) (`sr:SetDeviceConfigurationImportMPxN`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetDeviceConfigurationImportMpxn {
    /// `ExecutionDateTime`, as written, when the request is future dated.
    pub execution_date_time: Option<String>,
    /// The MPxN.
    pub mpxn: ImportMpxn,
}

/// 6.20.2 Set Device Configuration (Export MPAN) (`sr:SetDeviceConfigurationExportMPAN`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetDeviceConfigurationExportMpan {
    /// `ExecutionDateTime`, as written, when the request is future dated.
    pub execution_date_time: Option<String>,
    /// `ExportMPAN` (13 digits).
    pub export_mpan: String,
}

/// Digits, `min` to `max` of them, as written.
fn digits(
    e: &crate::xml::Element,
    kind: &'static str,
    min: usize,
    max: usize,
) -> Result<String, BodyError> {
    let t = simple(e, kind)?;
    if t.len() < min || t.len() > max || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InvalidValue::new(kind, t).into());
    }
    Ok(t.to_owned())
}

fn no_text(body: &crate::xml::Element, name: &'static str) -> Result<(), BodyError> {
    if body.trimmed_text().is_empty() {
        Ok(())
    } else {
        Err(InvalidValue::new(name, &body.text).into())
    }
}

impl SetDeviceConfigurationImportMpxn {
    /// Parses a `SetDeviceConfigurationImportMPxN` body element.
    pub fn parse(body: &crate::xml::Element) -> Result<Self, BodyError> {
        const NAME: &str = "SetDeviceConfigurationImportMPxN";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let e = s.choice()?;
        let mpxn = match e.name.as_str() {
            "ImportMPANs" => {
                let mut m = Seq::new(e, "ImportMPANs");
                let primary = digits(m.required("ImportMPAN")?, "ImportMPAN", MPAN_LEN, MPAN_LEN)?;
                let secondary = m
                    .optional("SecondaryImportMPAN")
                    .map(|e| digits(e, "SecondaryImportMPAN", MPAN_LEN, MPAN_LEN))
                    .transpose()?;
                m.finish()?;
                no_text(e, "ImportMPANs")?;
                ImportMpxn::Mpans { primary, secondary }
            }
            "ImportMPRN" => ImportMpxn::Mprn(digits(e, "ImportMPRN", 1, MAX_MPRN)?),
            _ => return Err(s.unexpected(e)),
        };
        s.finish()?;
        no_text(body, NAME)?;
        Ok(Self {
            execution_date_time,
            mpxn,
        })
    }
}

impl SetDeviceConfigurationExportMpan {
    /// Parses a `SetDeviceConfigurationExportMPAN` body element.
    pub fn parse(body: &crate::xml::Element) -> Result<Self, BodyError> {
        const NAME: &str = "SetDeviceConfigurationExportMPAN";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let export_mpan = digits(s.required("ExportMPAN")?, "ExportMPAN", MPAN_LEN, MPAN_LEN)?;
        s.finish()?;
        no_text(body, NAME)?;
        Ok(Self {
            execution_date_time,
            export_mpan,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(inner: &str) -> crate::xml::Element {
        super::super::tests::body(inner)
    }

    fn import(inner: &str) -> Result<SetDeviceConfigurationImportMpxn, BodyError> {
        SetDeviceConfigurationImportMpxn::parse(&body(&format!(
            "<sr:SetDeviceConfigurationImportMPxN>{inner}</sr:SetDeviceConfigurationImportMPxN>"
        )))
    }

    fn export(inner: &str) -> Result<SetDeviceConfigurationExportMpan, BodyError> {
        SetDeviceConfigurationExportMpan::parse(&body(&format!(
            "<sr:SetDeviceConfigurationExportMPAN>{inner}</sr:SetDeviceConfigurationExportMPAN>"
        )))
    }

    #[test]
    fn the_templates_parse() {
        assert_eq!(
            import("<sr:ImportMPANs><sr:ImportMPAN>1312345678111</sr:ImportMPAN><sr:SecondaryImportMPAN>1312345678222</sr:SecondaryImportMPAN></sr:ImportMPANs>").unwrap().mpxn,
            ImportMpxn::Mpans { primary: "1312345678111".into(), secondary: Some("1312345678222".into()) }
        );
        let b = import("<sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime><sr:ImportMPANs><sr:ImportMPAN>1312345678333</sr:ImportMPAN></sr:ImportMPANs>").unwrap();
        assert_eq!(
            b.execution_date_time.as_deref(),
            Some("2030-01-01T00:00:00Z")
        );
        assert_eq!(
            b.mpxn,
            ImportMpxn::Mpans {
                primary: "1312345678333".into(),
                secondary: None
            }
        );
        assert_eq!(
            import("<sr:ImportMPRN>1234567890</sr:ImportMPRN>")
                .unwrap()
                .mpxn,
            ImportMpxn::Mprn("1234567890".into())
        );
        assert_eq!(
            export("<sr:ExportMPAN>1312345678333</sr:ExportMPAN>")
                .unwrap()
                .export_mpan,
            "1312345678333"
        );
    }

    #[test]
    fn malformed_mpxns_are_refused() {
        for bad in [
            "",
            "<sr:ImportMPANs><sr:ImportMPAN>131234567833</sr:ImportMPAN></sr:ImportMPANs>",
            "<sr:ImportMPANs><sr:ImportMPAN>131234567833X</sr:ImportMPAN></sr:ImportMPANs>",
            "<sr:ImportMPANs><sr:ImportMPAN>1312345678333</sr:ImportMPAN><sr:SecondaryImportMPAN>1</sr:SecondaryImportMPAN></sr:ImportMPANs>",
            "<sr:ImportMPANs/>",
            "<sr:ImportMPRN></sr:ImportMPRN>",
            "<sr:ImportMPRN>12345678901</sr:ImportMPRN>",
            "<sr:ImportMPRN> 1234</sr:ImportMPRN>",
            "<sr:ImportMPRN>1234</sr:ImportMPRN><sr:ImportMPRN>1234</sr:ImportMPRN>",
            "<sr:ExportMPAN>1312345678333</sr:ExportMPAN>",
        ] {
            assert!(import(bad).is_err(), "{bad}");
        }
        for bad in [
            "",
            "<sr:ExportMPAN>13123456783333</sr:ExportMPAN>",
            "<sr:ExportMPAN>131234567833a</sr:ExportMPAN>",
        ] {
            assert!(export(bad).is_err(), "{bad}");
        }
    }
}
