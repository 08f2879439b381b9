//! Device alerts: `DeviceAlertMessage/DeviceAlertContent` (alert code, description, time) for
//! every alert [`gbcs::alerts::decode_alert`] decodes, with the alert-specific `Payload` element
//! for the alert families that have one (one file per family); alert-specific data the schema
//! has no element for is kept as `GBCSData`.
//!
//! # Adding an alert family
//!
//! 1. A file `alert/<family>.rs` with `pub static MAPPING: AlertMapping` (the alert codes, and a
//!    `render` from the [`DecodedAlert`] to the children of `Payload`, `None` when the alert
//!    does not carry what the element needs).
//! 2. `mod <family>;` and `&<family>::MAPPING` in [`MAPPINGS`].

mod billing_data_log;
mod command_not_supported;
mod firmware_verification;
mod future_dated;
mod operational_update;
mod supply_outage;

use gbcs::alerts::{AlertDetail, DecodedAlert};
use gbcs::gbz::GbzAlertBody;
use gbcs::{Cra, GeneralSigning, Payload};

use crate::xml::Xml;
use crate::{GbcsData, Header, Kind, Rendered, document, header};

/// Every alert family with its own `Payload` element.
pub static MAPPINGS: &[&AlertMapping] = &[
    &future_dated::MAPPING,
    &supply_outage::MAPPING,
    &command_not_supported::MAPPING,
    &firmware_verification::MAPPING,
    &operational_update::MAPPING,
    &billing_data_log::MAPPING,
];

/// How the alerts of one family become the `Payload` of `DeviceAlertContent`.
pub struct AlertMapping {
    /// The GBCS alert codes.
    pub codes: &'static [u16],
    /// What the alert becomes, or `None` when it does not carry what the family's element
    /// needs (it is then rendered in the generic form).
    pub render: fn(&DecodedAlert) -> Option<AlertParts>,
}

/// An alert family's rendering.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertParts {
    /// The children of `Payload` (one `DeviceAlertMessagePayload` choice), if the family has an
    /// element.
    pub payload: Option<Xml>,
    /// Sensitive data given as `GBCSData` for a second pass.
    pub data: Vec<GbcsData>,
    /// Why `data` is still encrypted, if it is.
    pub sealed: Option<String>,
}

impl AlertParts {
    /// Just a `Payload`.
    pub fn payload(x: Xml) -> Self {
        Self {
            payload: Some(x),
            ..Self::default()
        }
    }
}

/// The mapping of an alert code, if any.
pub fn mapping(code: u16) -> Option<&'static AlertMapping> {
    MAPPINGS.iter().copied().find(|m| m.codes.contains(&code))
}

/// The GBCS alert code's description (GBCS alert code table), where this crate knows it.
pub fn description(code: u16) -> Option<&'static str> {
    Some(match code {
        0x8F1C => "Firmware Verification Failed At Power Up",
        0x8F1E => "Integrity check of content or format of command failed",
        0x8F30 => "Source Does not have Authority for Command",
        0x8F35 => "Supply Outage Restored",
        0x8F36 => "Supply Outage Restored - Outage >= 3 minutes",
        0x8F3D => "Trusted Source Authentication Failure",
        0x8F53 => "Failed Authentication or Authorisation not covered by other codes",
        0x8F60 => "Unusual numbers of malformed, out-of-order or unexpected Commands received",
        0x8F66 => "Future - dated execution of instruction has succeeded",
        0x8F67 => "Future - dated execution of instruction has failed",
        0x8F85 => "Command not supported by Device",
        _ => return None,
    })
}

/// Renders an alert.
pub fn render(apdu: &GeneralSigning, alert: &DecodedAlert) -> Rendered {
    let code = alert.alert_code.0;
    let mut notes = Vec::new();
    let time = alert
        .date_time
        .as_ref()
        .and_then(gbcs::alerts::AlertTime::to_utc)
        .or_else(|| {
            alert
                .header_date_time
                .and_then(|b| gbcs::UtcDateTime::from_cosem(&b))
        })
        .map(crate::time::xs_date_time);
    let parts = mapping(code).and_then(|m| (m.render)(alert));
    let mapped = parts.is_some();
    let parts = parts.unwrap_or_default();
    let payload = parts.payload;
    let mut body = Xml::new();
    body.open("DeviceAlertMessage", &[]);
    for (i, d) in parts.data.iter().enumerate() {
        d.write(&mut body, i);
    }
    if let Some(reason) = &parts.sealed {
        notes.push(format!(
            "alert {code:04X}: its sensitive data could not be opened ({reason}); it is given \
             encrypted as GBCSData"
        ));
    }
    let has_detail = match &alert.detail {
        Some(AlertDetail::Dlms(d)) => !d.is_empty(),
        Some(AlertDetail::Gbz(GbzAlertBody::Components(c))) => !c.is_empty(),
        Some(AlertDetail::Gbz(GbzAlertBody::Raw(r))) => !r.is_empty(),
        Some(AlertDetail::Gbz(GbzAlertBody::FutureDated(_))) => true,
        Some(AlertDetail::Asn1(t)) => !t.is_empty(),
        None => false,
    };
    if !mapped && (has_detail || time.is_none()) {
        let kind = match Payload::decode(Cra::Alert, &apdu.content) {
            Payload::DataNotification(_) => "dlms",
            Payload::Gbz(_) => "zigbeePlain",
            _ => "gbcs",
        };
        notes.push(format!(
            "alert {:04X}: its alert-specific data has no MMC element here; the payload is given \
             as GBCSData",
            code
        ));
        GbcsData {
            name: format!("alert {code:04X}"),
            kind,
            encrypted: false,
            bytes: apdu.content.clone(),
        }
        .write(&mut body, 0);
    }
    if let Some(t) = &time {
        body.open("DeviceAlertContent", &[]);
        body.leaf("GBCSHexAlertCode", &format!("{code:04X}"));
        let text = description(code)
            .map_or_else(|| format!("GBCS device alert {code:04X}"), str::to_string);
        body.leaf("AlertDescription", &text);
        body.leaf("Timestamp", t);
        if let Some(p) = &payload {
            body.open("Payload", &[]);
            body.append(p);
            body.close("Payload");
        }
        body.close("DeviceAlertContent");
    } else {
        notes.push(format!(
            "alert {code:04X} carries no valid time stamp, which DeviceAlertContent requires"
        ));
    }
    body.close("DeviceAlertMessage");
    let h = header(&Header {
        apdu,
        service_reference: None,
        service_reference_variant: None,
        timestamp: time,
    });
    Rendered {
        xml: document(&h, &body),
        kind: Kind::Alert,
        mapped,
        sealed: parts.sealed.is_some(),
        notes,
    }
}
