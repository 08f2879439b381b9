//! Parse and correlate, the user's side of a device's answer.
//!
//! * [`render`]: a GBCS response or device alert (the `GBCSPayload` of a DUIS response) as an MMC
//!   document — the `GBCSResponse` element of the ResponseAndAlert schema (MMC 5.1), the XML
//!   Smart DCC's parse-and-correlate tool produces. Responses of the mapped use cases become their
//!   `SMETSData` element ([`response`], one file per use case); failures add the `DebugInfo` the
//!   schema defines (DLMS results, ZCL statuses); sensitive (encrypted) responses are opened with
//!   the requester's key-agreement key ([`Keys`]) or left as `GBCSData format="encrypted"` with a
//!   note saying why; use cases without a mapping yet get the schema's generic form (`GBCSData`
//!   with the payload, plus `DebugInfo`). Device alerts become `DeviceAlertMessage` ([`alert`]).
//! * [`correlate`]: checks a critical pre-command against the DUIS request it answers (use case,
//!   device, parameters), one file per use case, before the user signs it.
//!
//! Pure: no I/O, no clock; never panics on any input (property-tested).

pub mod alert;
pub mod correlate;
pub mod response;
pub mod status;
pub mod time;
pub mod xml;

use base64::Engine as _;
use gbcs::frame::{Frame, GeneralSigning, OtherInfoExt};
use gbcs::{Cra, KaPrivateKey, PublicKey};

use crate::xml::{NAMESPACE, Xml};

/// The MMC schema version this crate writes.
pub const SCHEMA_VERSION: &str = "5.1";

/// The keys that open a response encrypted to the requester.
#[derive(Clone, Copy)]
pub struct Keys<'a> {
    /// The requester's key-agreement private key (the recipient of the response).
    pub requester_ka: &'a KaPrivateKey,
    /// The device's key-agreement public key (from its KA certificate).
    pub device_ka: &'a PublicKey,
}

impl std::fmt::Debug for Keys<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys { .. }")
    }
}

/// What the caller knows beyond the GBCS message.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The DUIS `ServiceReference` the message answers, if known (else the use case's usual one).
    pub service_reference: Option<&'a str>,
    /// The DUIS `ServiceReferenceVariant`, if known.
    pub service_reference_variant: Option<&'a str>,
    /// Keys to open encrypted responses.
    pub keys: Option<Keys<'a>>,
}

/// What was rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A response to a command.
    Response,
    /// A device alert.
    Alert,
}

/// An MMC document and what the renderer could not do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The document.
    pub xml: String,
    /// Response or alert.
    pub kind: Kind,
    /// Whether the message was rendered with its use case's or alert's own MMC elements
    /// (`false`: the schema's generic form).
    pub mapped: bool,
    /// Sensitive content left encrypted (no key, or the key does not open it).
    pub sealed: bool,
    /// Plain sentences: what could not be opened or mapped, and why.
    pub notes: Vec<String>,
}

/// Why nothing could be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MmcError {
    /// Not a GBCS message.
    #[error("not a GBCS message: {0}")]
    Frame(#[from] gbcs::DecodeError),
    /// A command: only responses and alerts have an MMC form.
    #[error("a GBCS command (message code {0}), not a response or an alert")]
    Command(gbcs::MessageCode),
    /// An alert whose payload does not decode.
    #[error("alert: {0}")]
    Alert(#[from] gbcs::AlertDecodeError),
}

/// Renders a whole GBCS message (a `DD` General-Ciphering frame or a `DF` General-Signing APDU,
/// as carried in a DUIS `GBCSPayload`).
pub fn render(frame: &[u8], ctx: &Context<'_>) -> Result<Rendered, MmcError> {
    let (apdu, mac) = match Frame::decode(frame)? {
        Frame::Ciphered(c) => (c.apdu, true),
        Frame::Signing(s) => (s, false),
    };
    render_apdu(&apdu, mac, ctx)
}

/// Renders a decoded APDU (`mac`: whether it came in a General-Ciphering frame).
pub fn render_apdu(
    apdu: &GeneralSigning,
    mac: bool,
    ctx: &Context<'_>,
) -> Result<Rendered, MmcError> {
    match apdu.cra {
        Cra::Command => Err(MmcError::Command(apdu.message_code())),
        Cra::Response => Ok(response::render(apdu, ctx)),
        Cra::Alert => {
            let alert = gbcs::alerts::decode_alert_apdu(apdu, mac)?;
            Ok(alert::render(apdu, &alert))
        }
    }
}

/// The MMC header of a message.
pub(crate) struct Header<'a> {
    pub apdu: &'a GeneralSigning,
    pub service_reference: Option<&'a str>,
    pub service_reference_variant: Option<&'a str>,
    pub timestamp: Option<String>,
}

/// Whether `s` has the form of a service reference (variant): `1.2` or `4.1.1`, digits only.
fn service_like(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
}

pub(crate) fn header(h: &Header<'_>) -> Xml {
    let a = h.apdu;
    let mut x = Xml::new();
    x.open("Header", &[]);
    x.leaf("BusinessOriginatorID", &a.originator.to_string());
    x.leaf("BusinessTargetID", &a.recipient.to_string());
    x.leaf("OriginatorCounter", &a.counter.to_string());
    let (party, party_counter) = gbcs::alerts::supplementary_remote_party(&a.other_info.ext);
    let originator_counter = match &a.other_info.ext {
        OtherInfoExt::OriginatorCounter {
            originator_counter, ..
        } => Some(*originator_counter),
        _ => None,
    };
    if let Some(p) = party {
        x.leaf("SupplementaryRemotePartyID", &p.to_string());
    }
    if let Some(c) = party_counter {
        x.leaf("SupplementaryRemotePartyCounter", &c.to_string());
    }
    if let Some(c) = originator_counter {
        x.leaf("SupplementaryOriginatorCounter", &c.to_string());
    }
    x.leaf("GBCSHexadecimalMessageCode", &a.message_code().to_string());
    if let Some(sr) = h.service_reference.filter(|s| service_like(s)) {
        x.leaf("ServiceReference", sr);
    }
    if let Some(srv) = h.service_reference_variant.filter(|s| service_like(s)) {
        x.leaf("ServiceReferenceVariant", srv);
    }
    if let Some(t) = &h.timestamp {
        x.leaf("Timestamp", t);
    }
    x.close("Header");
    x
}

/// The whole document around a header and a body fragment.
pub(crate) fn document(header: &Xml, body: &Xml) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<ra:GBCSResponse xmlns:ra=\"{NAMESPACE}\" schemaVersion=\"{SCHEMA_VERSION}\">\n"
    ));
    let mut inner = Xml::new();
    inner.append(header);
    inner.open("Body", &[]);
    inner.append(body);
    inner.close("Body");
    let mut indented = Xml::new();
    indented.open("X", &[]);
    indented.append(&inner);
    // Drop the wrapper's own lines: only its indentation was wanted.
    let text = indented.into_string();
    for line in text.lines().skip(1) {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str("</ra:GBCSResponse>\n");
    out
}

/// A `GBCSData` element: a payload the renderer gives as bytes (the schema's generic form, and
/// the form of sensitive data left for a second pass).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GbcsData {
    /// `name`: what it is (use case, component).
    pub name: String,
    /// `type`: `gbcs`, `dlms`, `zigbeePlain` or `zigbeeCiphered`.
    pub kind: &'static str,
    /// Whether the bytes are encrypted (`format="encrypted"`).
    pub encrypted: bool,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl GbcsData {
    pub(crate) fn write(&self, x: &mut Xml, sequence: usize) {
        let seq = sequence.to_string();
        x.leaf_attrs(
            "GBCSData",
            &[
                ("format", if self.encrypted { "encrypted" } else { "plain" }),
                ("sequence", &seq),
                ("name", &self.name),
                ("type", self.kind),
            ],
            &base64::engine::general_purpose::STANDARD.encode(&self.bytes),
        );
    }
}
