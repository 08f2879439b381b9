//! Command not supported by the device (`8F85`, ECS100): the message code and originator
//! counter of the command received (one octet string: code(2) ‖ counter(8)) →
//! `CommandNotSupportedbyDevice`.

use gbcs::alerts::{AlertDetail, DecodedAlert};
use gbcs::axdr::Data;

use super::{AlertMapping, AlertParts};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: AlertMapping = AlertMapping {
    codes: &[0x8F85],
    render,
};

fn render(a: &DecodedAlert) -> Option<AlertParts> {
    let Some(AlertDetail::Dlms(d)) = &a.detail else {
        return None;
    };
    let [Data::OctetString(b), ..] = &d[..] else {
        return None;
    };
    let [c0, c1, counter @ ..] = &b[..] else {
        return None;
    };
    let counter: [u8; 8] = counter.try_into().ok()?;
    let mut x = Xml::new();
    x.open("CommandNotSupportedbyDevice", &[]);
    x.leaf("MessageCodeofCommandReceived", &format!("{c0:02X}{c1:02X}"));
    x.leaf(
        "OriginatorCounterfromCommandReceived",
        &u64::from_be_bytes(counter).to_string(),
    );
    x.close("CommandNotSupportedbyDevice");
    Some(AlertParts::payload(x))
}
