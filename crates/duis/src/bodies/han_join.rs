//! 8.7 Join Service and 8.8 Unjoin Service (`sr:JoinServiceCritical`,
//! `sr:JoinServiceNonCritical`, `sr:UnjoinServiceCritical`, `sr:UnjoinServiceNonCritical`, all
//! of type `sr:JoinOrUnjoinDevice`): the `OtherDeviceID` to join or unjoin.

use eui::Eui64;

use super::{BodyError, Seq, eui, expect};
use crate::types::InvalidValue;

/// A parsed `JoinOrUnjoinDevice` body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JoinOrUnjoinDevice {
    /// `OtherDeviceID`: the device to join to, or unjoin from, the target.
    pub other_device: Eui64,
}

impl JoinOrUnjoinDevice {
    /// Parses the body element `name` (one of the four elements of type `JoinOrUnjoinDevice`).
    pub fn parse(body: &crate::xml::Element, name: &'static str) -> Result<Self, BodyError> {
        expect(body, name)?;
        let mut s = Seq::new(body, name);
        let other_device = eui(s.required("OtherDeviceID")?, "OtherDeviceID")?;
        s.finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(name, &body.text).into());
        }
        Ok(Self { other_device })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_other_device_id() {
        let b = |inner: &str| {
            super::super::tests::body(&format!(
                "<sr:JoinServiceCritical>{inner}</sr:JoinServiceCritical>"
            ))
        };
        let ok = JoinOrUnjoinDevice::parse(
            &b("<sr:OtherDeviceID>00-DB-12-34-56-78-90-9A</sr:OtherDeviceID>"),
            "JoinServiceCritical",
        )
        .unwrap();
        assert_eq!(ok.other_device, Eui64::from_u64(0x00db_1234_5678_909a));
        for bad in [
            "",
            "<sr:OtherDeviceID>00-DB-12</sr:OtherDeviceID>",
            "<sr:OtherDeviceID>00-DB-12-34-56-78-90-9A</sr:OtherDeviceID><sr:OtherDeviceID>00-DB-12-34-56-78-90-9A</sr:OtherDeviceID>",
        ] {
            assert!(
                JoinOrUnjoinDevice::parse(&b(bad), "JoinServiceCritical").is_err(),
                "{bad}"
            );
        }
        assert!(
            JoinOrUnjoinDevice::parse(
                &b("<sr:OtherDeviceID>00-DB-12-34-56-78-90-9A</sr:OtherDeviceID>"),
                "UnjoinServiceCritical"
            )
            .is_err()
        );
    }
}
