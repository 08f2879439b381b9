//! Firmware verification alerts (`8F1C`, `8F72`, FDRA): the manufacturer image hash (DLMS: a
//! 32-byte octet string; GBZ: the 32 bytes after their length) → `FirmwareVerificationDeviceAlert`.

use gbcs::alerts::{AlertDetail, DecodedAlert};
use gbcs::axdr::Data;
use gbcs::gbz::GbzAlertBody;

use super::{AlertMapping, AlertParts};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: AlertMapping = AlertMapping {
    codes: &[0x8F1C, 0x8F72],
    render,
};

fn render(a: &DecodedAlert) -> Option<AlertParts> {
    let hash: &[u8] = match &a.detail {
        Some(AlertDetail::Dlms(d)) => match &d[..] {
            [Data::OctetString(b)] if b.len() == 32 => b,
            _ => return None,
        },
        Some(AlertDetail::Gbz(GbzAlertBody::Raw(r))) if r.len() >= 33 => {
            let (len, hash) = r[r.len() - 33..].split_first()?;
            if *len != 32 {
                return None;
            }
            hash
        }
        _ => return None,
    };
    let mut x = Xml::new();
    x.open("FirmwareVerificationDeviceAlert", &[]);
    x.leaf(
        "ManufacturerImageHash",
        &hash.iter().map(|b| format!("{b:02X}")).collect::<String>(),
    );
    x.close("FirmwareVerificationDeviceAlert");
    Some(AlertParts::payload(x))
}
