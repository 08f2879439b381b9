//! Supply outage / restore alerts (`8F35`–`8F3C`, ECS80): the interruption and restoration
//! times (the two COSEM date-times after the alert's own) → `SupplyOutageRestoreAlert`.

use gbcs::UtcDateTime;
use gbcs::alerts::{AlertDetail, DecodedAlert};
use gbcs::axdr::Data;

use super::{AlertMapping, AlertParts};
use crate::time::xs_date_time;
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: AlertMapping = AlertMapping {
    codes: &[
        0x8F35, 0x8F36, 0x8F37, 0x8F38, 0x8F39, 0x8F3A, 0x8F3B, 0x8F3C,
    ],
    render,
};

fn time(d: &Data) -> Option<String> {
    match d {
        Data::OctetString(b) => UtcDateTime::from_cosem(b).map(xs_date_time),
        _ => None,
    }
}

fn render(a: &DecodedAlert) -> Option<AlertParts> {
    let Some(AlertDetail::Dlms(d)) = &a.detail else {
        return None;
    };
    let [start, end, ..] = &d[..] else {
        return None;
    };
    let mut x = Xml::new();
    x.open("SupplyOutageRestoreAlert", &[]);
    x.leaf("interruptionValue", &time(start)?);
    x.leaf("restorationValue", &time(end)?);
    x.close("SupplyOutageRestoreAlert");
    Some(AlertParts::payload(x))
}
