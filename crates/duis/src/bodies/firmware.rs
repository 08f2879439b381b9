//! 11.3 Activate Firmware (`sr:ActivateFirmware`): an optional `ExecutionDateTime` (the
//! `FutureDatedAbstractType` base), then `FirmwareHash` (xs:hexBinary of exactly 32 octets).

use super::{BodyError, Seq, execution_date_time, expect, hex_binary, simple};

/// A parsed `ActivateFirmware` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivateFirmware {
    /// `ExecutionDateTime`, as written, when the activation is device-future-dated (or
    /// cancelled).
    pub execution_date_time: Option<String>,
    /// `FirmwareHash`: the manufacturer image hash of the image to activate.
    pub firmware_hash: [u8; 32],
}

impl ActivateFirmware {
    /// Parses an `ActivateFirmware` body element.
    pub fn parse(body: &crate::xml::Element) -> Result<Self, BodyError> {
        const NAME: &str = "ActivateFirmware";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let h = simple(s.required("FirmwareHash")?, "FirmwareHash")?;
        let bytes = hex_binary(h, "FirmwareHash", 32, 32)?;
        s.finish()?;
        let mut firmware_hash = [0; 32];
        firmware_hash.copy_from_slice(&bytes);
        Ok(Self {
            execution_date_time,
            firmware_hash,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::bodies::tests::body;

    const HASH: &str = "AA758690730934FF0685AA758690730934FF0685657788990011223344556677";

    #[test]
    fn parses_the_template_forms_and_refuses_the_rest() {
        let b = ActivateFirmware::parse(&body(&format!(
            "<sr:ActivateFirmware><sr:FirmwareHash>{HASH}</sr:FirmwareHash></sr:ActivateFirmware>"
        )))
        .unwrap();
        assert_eq!(b.execution_date_time, None);
        assert_eq!(b.firmware_hash[0], 0xAA);
        let b = ActivateFirmware::parse(&body(&format!(
            "<sr:ActivateFirmware><sr:ExecutionDateTime>2030-01-15T09:00:00.00Z\
             </sr:ExecutionDateTime><sr:FirmwareHash>{HASH}</sr:FirmwareHash>\
             </sr:ActivateFirmware>"
        )))
        .unwrap();
        assert_eq!(
            b.execution_date_time.as_deref(),
            Some("2030-01-15T09:00:00.00Z")
        );
        for bad in [
            "<sr:ActivateFirmware><sr:FirmwareHash>AA75</sr:FirmwareHash></sr:ActivateFirmware>",
            "<sr:ActivateFirmware></sr:ActivateFirmware>",
            "<sr:ActivateFirmware><sr:FirmwareHash>ZZ758690730934FF0685AA758690730934FF0685657788990011223344556677</sr:FirmwareHash></sr:ActivateFirmware>",
        ] {
            assert!(ActivateFirmware::parse(&body(bad)).is_err(), "{bad}");
        }
        let extra = format!(
            "<sr:ActivateFirmware><sr:FirmwareHash>{HASH}</sr:FirmwareHash><sr:X/></sr:ActivateFirmware>"
        );
        assert!(ActivateFirmware::parse(&body(&extra)).is_err());
    }
}
