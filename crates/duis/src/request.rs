//! DUIS service requests (`sr:Request`): header model, parsing and consistency with the
//! service matrix.

use eui::Eui64;

use crate::command_variant::CommandVariant;
use crate::error::{ParseError, clip};
use crate::matrix::{ServiceVariant, Srv};
use crate::request_id::RequestId;
use crate::xml::{Element, ParseLimits, is_xml_space, parse_document};

/// `sr:Request/sr:Header`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHeader {
    /// `sr:RequestID`.
    pub request_id: RequestId,
    /// `sr:FirstInSequence`, for requests sent as an ordered sequence.
    pub first_in_sequence: Option<bool>,
    /// `sr:PrecedingServiceRequestID`, the previous request of a sequence.
    pub preceding_request_id: Option<RequestId>,
    /// `sr:CommandVariant`.
    pub command_variant: CommandVariant,
    /// `sr:ServiceReference` as sent (`"4.1"`).
    pub service_reference: String,
    /// `sr:ServiceReferenceVariant` (`"4.1.1"` is [`Srv::V4_1_1`]); a variant outside the
    /// service matrix is refused when the header is parsed.
    pub service_reference_variant: Srv,
}

/// A parsed DUIS service request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The root's `schemaVersion` (`"5.4"`), whitespace-trimmed.
    pub schema_version: String,
    /// The header.
    pub header: RequestHeader,
    /// The one element inside `sr:Body` (`ReadInventory`, `SignedPreCommand`, …).
    pub body: Element,
    /// Whether a `ds:Signature` followed the body (its content is checked by `xmldsig`).
    pub signature_present: bool,
}

/// A request whose header does not agree with the service matrix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestCheckError {
    /// The ServiceReference does not belong to the variant.
    #[error(
        "service reference {found:?} does not belong to variant {variant} (expected {expected})"
    )]
    ServiceReferenceMismatch {
        /// The variant.
        variant: &'static str,
        /// Its service reference.
        expected: &'static str,
        /// What the request said.
        found: String,
    },
    /// The command variant is not allowed for the variant (e.g. CV 1 for a critical request).
    #[error("command variant {cv} is not allowed for service reference variant {variant}")]
    CommandVariantNotAllowed {
        /// The variant.
        variant: &'static str,
        /// The command variant sent.
        cv: CommandVariant,
    },
    /// The body element is not the one for the variant (or not `SignedPreCommand` for CV 5-7).
    #[error("body element {found} does not match variant {variant} with command variant {cv}")]
    BodyMismatch {
        /// The variant.
        variant: &'static str,
        /// The command variant sent.
        cv: CommandVariant,
        /// The body element's local name.
        found: String,
    },
}

impl Request {
    /// The matrix entry for the declared variant (no other check).
    pub fn variant(&self) -> &'static ServiceVariant {
        self.header.service_reference_variant.info()
    }

    /// Checks the header against the service matrix: the variant exists, the service
    /// reference belongs to it, the command variant is allowed for it, and the body element is
    /// the variant's (or `SignedPreCommand` for CV 5, 6, 7). Returns the variant.
    pub fn check(&self) -> Result<&'static ServiceVariant, RequestCheckError> {
        let h = &self.header;
        let v = self.variant();
        if h.service_reference != v.service_reference {
            return Err(RequestCheckError::ServiceReferenceMismatch {
                variant: v.variant,
                expected: v.service_reference,
                found: clip(&h.service_reference),
            });
        }
        if !v.allows_command_variant(h.command_variant) {
            return Err(RequestCheckError::CommandVariantNotAllowed {
                variant: v.variant,
                cv: h.command_variant,
            });
        }
        if !v.accepts_body(h.command_variant, &self.body.name) {
            return Err(RequestCheckError::BodyMismatch {
                variant: v.variant,
                cv: h.command_variant,
                found: clip(&self.body.name),
            });
        }
        Ok(v)
    }

    /// The device the request addresses: the RequestID target for device requests (CV 1 to 7);
    /// for non-device requests (CV 8, whose target is the DCC) the body's direct `DeviceID`
    /// child when there is one (8.2 by device, 8.3, 8.4, 12.2 …), else `None`.
    pub fn device_id(&self) -> Option<Eui64> {
        if self.header.command_variant.is_non_device() {
            self.body
                .text_of(&["DeviceID"])
                .and_then(|s| if s.len() == 23 { s.parse().ok() } else { None })
        } else {
            Some(self.header.request_id.target)
        }
    }
}

/// Parses a DUIS request with the default [`ParseLimits`] (1 MiB, depth 32).
///
/// Meant to run after XSD validation, but safe on any input: never panics, refuses DOCTYPE
/// and entity declarations ([`ParseError::DoctypeForbidden`]), and checks the header
/// structure itself. Does not check the header against the service matrix: see
/// [`Request::check`].
pub fn parse_request(xml: &[u8]) -> Result<Request, ParseError> {
    parse_request_with_limits(xml, &ParseLimits::default())
}

/// [`parse_request`] with caller limits.
pub fn parse_request_with_limits(xml: &[u8], limits: &ParseLimits) -> Result<Request, ParseError> {
    let doc = parse_document(xml, limits)?;
    let mut root = doc.root;
    if root.name != "Request" {
        return Err(ParseError::WrongRoot(clip(&root.name)));
    }
    let schema_version = root
        .attr("schemaVersion")
        .ok_or(ParseError::MissingSchemaVersion)?
        .trim_matches(is_xml_space);
    if !is_xs_decimal(schema_version) {
        return Err(ParseError::InvalidSchemaVersion(clip(schema_version)));
    }
    let schema_version = schema_version.to_owned();

    match doc.signature_position {
        None | Some(2) => {}
        Some(_) => return Err(ParseError::MisplacedSignature),
    }
    let mut children = std::mem::take(&mut root.children).into_iter();
    let header = children.next().ok_or(ParseError::MissingElement {
        parent: "Request",
        name: "Header",
    })?;
    if header.name != "Header" {
        return Err(ParseError::UnexpectedElement {
            parent: "Request",
            found: clip(&header.name),
        });
    }
    let header = parse_header(&header)?;
    let body = children.next().ok_or(ParseError::MissingElement {
        parent: "Request",
        name: "Body",
    })?;
    if body.name != "Body" {
        return Err(ParseError::UnexpectedElement {
            parent: "Request",
            found: clip(&body.name),
        });
    }
    if let Some(extra) = children.next() {
        return Err(ParseError::UnexpectedElement {
            parent: "Request",
            found: clip(&extra.name),
        });
    }
    if body.children.len() != 1 {
        return Err(ParseError::BodyElementCount(body.children.len()));
    }
    let body = body
        .children
        .into_iter()
        .next()
        .ok_or(ParseError::BodyElementCount(0))?;
    Ok(Request {
        schema_version,
        header,
        body,
        signature_present: doc.signature_position.is_some(),
    })
}

/// xs:decimal lexical form: optional sign, digits with at most one point, at least one digit.
fn is_xs_decimal(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    !(int.is_empty() && frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// xs:boolean after whitespace collapse.
pub(crate) fn parse_xs_boolean(s: &str) -> Option<bool> {
    match s.trim_matches(is_xml_space) {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn simple<'a>(e: &'a Element, parent: &'static str) -> Result<&'a str, ParseError> {
    match e.children.first() {
        Some(c) => Err(ParseError::UnexpectedElement {
            parent,
            found: clip(&c.name),
        }),
        None => Ok(&e.text),
    }
}

fn parse_request_id(e: &Element, field: &'static str) -> Result<RequestId, ParseError> {
    simple(e, field)?
        .trim_matches(is_xml_space)
        .parse()
        .map_err(|source| ParseError::InvalidRequestId { field, source })
}

fn parse_header(h: &Element) -> Result<RequestHeader, ParseError> {
    const P: &str = "Header";
    let mut it = h.children.iter().peekable();
    let mut take = |name: &'static str, optional: bool| -> Result<Option<&Element>, ParseError> {
        match it.peek() {
            Some(e) if e.name == name => Ok(it.next()),
            _ if optional => Ok(None),
            Some(e) => Err(ParseError::UnexpectedElement {
                parent: P,
                found: clip(&e.name),
            }),
            None => Err(ParseError::MissingElement { parent: P, name }),
        }
    };
    let missing = |name| ParseError::MissingElement { parent: P, name };

    let rid = take("RequestID", false)?.ok_or(missing("RequestID"))?;
    let request_id = parse_request_id(rid, "RequestID")?;
    let first_in_sequence = match take("FirstInSequence", true)? {
        Some(e) => {
            let t = simple(e, "FirstInSequence")?;
            Some(
                parse_xs_boolean(t).ok_or_else(|| ParseError::InvalidBoolean {
                    field: "FirstInSequence",
                    value: clip(t),
                })?,
            )
        }
        None => None,
    };
    let preceding_request_id = match take("PrecedingServiceRequestID", true)? {
        Some(e) => Some(parse_request_id(e, "PrecedingServiceRequestID")?),
        None => None,
    };
    let cv = take("CommandVariant", false)?.ok_or(missing("CommandVariant"))?;
    let command_variant = simple(cv, "CommandVariant")?.parse()?;
    let sr = take("ServiceReference", false)?.ok_or(missing("ServiceReference"))?;
    let service_reference = simple(sr, "ServiceReference")?.to_owned();
    let srv = take("ServiceReferenceVariant", false)?.ok_or(missing("ServiceReferenceVariant"))?;
    let srv_text = simple(srv, "ServiceReferenceVariant")?;
    let service_reference_variant =
        Srv::parse(srv_text).ok_or_else(|| ParseError::UnknownServiceVariant(clip(srv_text)))?;
    if let Some(extra) = it.next() {
        return Err(ParseError::UnexpectedElement {
            parent: P,
            found: clip(&extra.name),
        });
    }
    Ok(RequestHeader {
        request_id,
        first_in_sequence,
        preceding_request_id,
        command_variant,
        service_reference,
        service_reference_variant,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command_variant::CommandVariantError;

    fn doc(header: &str, body: &str, tail: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" schemaVersion="5.4">
  <sr:Header>{header}</sr:Header>
  <sr:Body>{body}</sr:Body>{tail}
</sr:Request>"#
        )
    }

    const RID: &str =
        "<sr:RequestID>90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000</sr:RequestID>";
    const SIG: &str = "<ds:Signature><ds:SignedInfo/></ds:Signature>";

    fn header(cv: &str, sr: &str, srv: &str) -> String {
        format!(
            "{RID}<sr:CommandVariant>{cv}</sr:CommandVariant><sr:ServiceReference>{sr}</sr:ServiceReference><sr:ServiceReferenceVariant>{srv}</sr:ServiceReferenceVariant>"
        )
    }

    #[test]
    fn parses_minimal_request() {
        let x = doc(
            &header("1", "4.1", "4.1.1"),
            "<sr:ReadInstantaneousImportRegisters/>",
            SIG,
        );
        let r = parse_request(x.as_bytes()).unwrap();
        assert_eq!(r.schema_version, "5.4");
        assert_eq!(r.header.command_variant, CommandVariant::NonCritical);
        assert_eq!(r.header.service_reference, "4.1");
        assert_eq!(r.header.service_reference_variant, Srv::V4_1_1);
        assert_eq!(r.header.first_in_sequence, None);
        assert_eq!(r.body.name, "ReadInstantaneousImportRegisters");
        assert!(r.signature_present);
        assert_eq!(r.check().unwrap().variant, "4.1.1");
        assert_eq!(
            r.device_id(),
            Some("00-DB-12-34-56-78-90-A0".parse().unwrap())
        );
    }

    #[test]
    fn sequence_fields() {
        let h = format!(
            "{RID}<sr:FirstInSequence> false </sr:FirstInSequence><sr:PrecedingServiceRequestID>90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:999</sr:PrecedingServiceRequestID><sr:CommandVariant>4</sr:CommandVariant><sr:ServiceReference>7.2</sr:ServiceReference><sr:ServiceReferenceVariant>7.2</sr:ServiceReferenceVariant>"
        );
        let r = parse_request(doc(&h, "<sr:DisableSupply/>", "").as_bytes()).unwrap();
        assert_eq!(r.header.first_in_sequence, Some(false));
        assert_eq!(r.header.preceding_request_id.unwrap().counter, 999);
        assert!(!r.signature_present);
        assert!(r.check().is_ok());
        let bad = h.replace(" false ", "no");
        assert!(matches!(
            parse_request(doc(&bad, "<sr:DisableSupply/>", "").as_bytes()),
            Err(ParseError::InvalidBoolean { .. })
        ));
    }

    #[test]
    fn header_order_and_presence() {
        let out_of_order = format!(
            "<sr:CommandVariant>1</sr:CommandVariant>{RID}<sr:ServiceReference>4.1</sr:ServiceReference><sr:ServiceReferenceVariant>4.1.1</sr:ServiceReferenceVariant>"
        );
        assert!(matches!(
            parse_request(doc(&out_of_order, "<sr:X/>", "").as_bytes()),
            Err(ParseError::UnexpectedElement {
                parent: "Header",
                ..
            })
        ));
        let missing = format!("{RID}<sr:CommandVariant>1</sr:CommandVariant>");
        assert_eq!(
            parse_request(doc(&missing, "<sr:X/>", "").as_bytes()),
            Err(ParseError::MissingElement {
                parent: "Header",
                name: "ServiceReference"
            })
        );
        let extra = format!("{}<sr:Extra/>", header("1", "4.1", "4.1.1"));
        assert!(matches!(
            parse_request(doc(&extra, "<sr:X/>", "").as_bytes()),
            Err(ParseError::UnexpectedElement { .. })
        ));
        let cv9 = header("9", "4.1", "4.1.1");
        assert_eq!(
            parse_request(doc(&cv9, "<sr:X/>", "").as_bytes()),
            Err(ParseError::CommandVariant(CommandVariantError::Internal))
        );
        let bad_id = header("1", "4.1", "4.1.1").replace(":1000", ":01000");
        assert!(matches!(
            parse_request(doc(&bad_id, "<sr:X/>", "").as_bytes()),
            Err(ParseError::InvalidRequestId {
                field: "RequestID",
                ..
            })
        ));
    }

    #[test]
    fn structure_errors() {
        let h = header("1", "4.1", "4.1.1");
        assert_eq!(
            parse_request(doc(&h, "", "").as_bytes()),
            Err(ParseError::BodyElementCount(0))
        );
        assert_eq!(
            parse_request(doc(&h, "<sr:A/><sr:B/>", "").as_bytes()),
            Err(ParseError::BodyElementCount(2))
        );
        assert_eq!(
            parse_request(doc(&h, "<sr:A/>", "<sr:C/>").as_bytes()),
            Err(ParseError::UnexpectedElement {
                parent: "Request",
                found: "C".into()
            })
        );
        let sig_first = doc(&h, "<sr:A/>", "").replace("<sr:Header>", &format!("{SIG}<sr:Header>"));
        assert_eq!(
            parse_request(sig_first.as_bytes()),
            Err(ParseError::MisplacedSignature)
        );
        let no_version = doc(&h, "<sr:A/>", "").replace(" schemaVersion=\"5.4\"", "");
        assert_eq!(
            parse_request(no_version.as_bytes()),
            Err(ParseError::MissingSchemaVersion)
        );
        let bad_version = doc(&h, "<sr:A/>", "").replace("\"5.4\"", "\"v5\"");
        assert!(matches!(
            parse_request(bad_version.as_bytes()),
            Err(ParseError::InvalidSchemaVersion(_))
        ));
        let response = doc(&h, "<sr:A/>", "").replace("sr:Request", "sr:Response");
        assert_eq!(
            parse_request(response.as_bytes()),
            Err(ParseError::WrongRoot("Response".into()))
        );
        let foreign = doc(&h, "<x:A xmlns:x=\"urn:x\"/>", "");
        assert!(matches!(
            parse_request(foreign.as_bytes()),
            Err(ParseError::UnexpectedNamespace { .. })
        ));
    }

    #[test]
    fn unknown_variant_is_refused_when_parsed() {
        let err =
            parse_request(doc(&header("1", "4.1", "4.1.9"), "<sr:X/>", "").as_bytes()).unwrap_err();
        assert_eq!(err, ParseError::UnknownServiceVariant("4.1.9".into()));
    }

    #[test]
    fn check_against_matrix() {
        let cases = [
            (
                header("1", "4.2", "4.1.1"),
                "<sr:ReadInstantaneousImportRegisters/>",
                "sr",
            ),
            (
                header("4", "4.1", "4.1.1"),
                "<sr:ReadInstantaneousImportRegisters/>",
                "cv",
            ),
            (header("1", "4.1", "4.1.1"), "<sr:ReadInventory/>", "body"),
            (header("5", "7.2", "7.2"), "<sr:DisableSupply/>", "body"),
            (header("8", "8.2", "8.2"), "<sr:SignedPreCommand/>", "body"),
        ];
        for (h, body, want) in cases {
            let r = parse_request(doc(&h, body, "").as_bytes()).unwrap();
            let err = r.check().unwrap_err();
            let got = match err {
                RequestCheckError::ServiceReferenceMismatch { .. } => "sr",
                RequestCheckError::CommandVariantNotAllowed { .. } => "cv",
                RequestCheckError::BodyMismatch { .. } => "body",
            };
            assert_eq!(got, want, "{h} {body}");
        }
        let signed = parse_request(
            doc(
                &header("5", "7.2", "7.2"),
                "<sr:SignedPreCommand><sr:GBCSPayload>AAEC</sr:GBCSPayload></sr:SignedPreCommand>",
                "",
            )
            .as_bytes(),
        )
        .unwrap();
        assert_eq!(signed.check().unwrap().variant, "7.2");
    }

    #[test]
    fn device_id_for_non_device_requests() {
        let h =
            header("8", "8.2", "8.2").replace("00-DB-12-34-56-78-90-A0", "90-B3-D5-1F-30-00-00-02");
        let by_device = parse_request(
            doc(&h, "<sr:ReadInventory><sr:DeviceID>00-db-12-34-56-78-90-a2</sr:DeviceID></sr:ReadInventory>", "")
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(
            by_device.device_id(),
            Some("00-DB-12-34-56-78-90-A2".parse().unwrap())
        );
        let by_uprn = parse_request(
            doc(
                &h,
                "<sr:ReadInventory><sr:UPRN>12</sr:UPRN></sr:ReadInventory>",
                "",
            )
            .as_bytes(),
        )
        .unwrap();
        assert_eq!(by_uprn.device_id(), None);
    }

    #[test]
    fn decimal_lexical() {
        for ok in ["5.4", "5", "+5.", ".4", "-0.10"] {
            assert!(is_xs_decimal(ok), "{ok}");
        }
        for bad in ["", ".", "5.4.1", "5,4", "v5", "+", "1e3"] {
            assert!(!is_xs_decimal(bad), "{bad}");
        }
    }
}
