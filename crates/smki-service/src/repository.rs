//! The SMKI repository's search and retrieve interface (SEC L / the SMKI Repository Interface
//! Design Specification), in the form DCC Boxed serves it on port 8083 so that tools built for
//! DCC Boxed (Smart DCC's `@smartdcc/dccboxed-keystore`) work unchanged:
//!
//! * `POST services/certificatesearch` with a `CertificateSearchRequest` naming an organisation
//!   (`CertificateSubjectName`, its EUI-64) or a device (`CertificateSubjectAltName`), or a
//!   `CertificateSerial`, optionally narrowed by `CertificateUsage` (`DS` / `KA`),
//!   `CertificateStatus` (`P I N E R`) and `CertificateRole` (decimal remote party role). The
//!   answer lists `Result` elements (serial, usage, status, role); nothing found is HTTP 402.
//! * `POST services/retrievecertificate` with a `CertificateDataRequest` naming a
//!   `CertificateSerial`: the answer carries the certificate (base64 DER) and its subject.
//!
//! A request that is not one of these documents is refused with HTTP 401 (DCC Boxed's "invalid
//! parameters"), with the reason in [`RequestError`]. The parser is strict and bounded: one
//! root, flat children with text only, each field at most once, no DTD, no entity references,
//! at most [`MAX_REQUEST_BYTES`].
//!
//! Pure: the store is reached through [`SmkiTx`], the time is a parameter.

use base64::Engine as _;
use eui::Eui64;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::model::{
    CertKind, CertRecord, CertStatus, CertUsage, Environment, canonical_serial_hex,
};
use crate::store::{SmkiTx, StoreError};

/// Largest request body accepted (a real request is a few hundred bytes).
pub const MAX_REQUEST_BYTES: usize = 8 * 1024;

/// Why a repository request was refused (answered with HTTP 401).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("request of {0} bytes exceeds the repository's limit of {MAX_REQUEST_BYTES}")]
    TooLarge(usize),
    #[error("request is not UTF-8")]
    NotUtf8,
    #[error("request is not well-formed XML: {0}")]
    Malformed(String),
    #[error("document type declarations are not accepted")]
    Doctype,
    #[error("entity references are not accepted in repository requests")]
    EntityReference,
    #[error("expected a {expected} document, found <{found}>")]
    WrongRoot {
        expected: &'static str,
        found: String,
    },
    #[error("unexpected element <{0}> in the request")]
    UnknownField(String),
    #[error("element <{0}> appears more than once")]
    Duplicate(String),
    #[error("element <{0}> must hold text only")]
    Nested(String),
    #[error("text outside the request's fields")]
    StrayText,
    #[error("{field}: {value:?} is not {what}")]
    BadValue {
        field: &'static str,
        value: String,
        what: &'static str,
    },
    #[error("{0}")]
    MissingCriterion(&'static str),
}

/// One `CertificateSearchRequest`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchRequest {
    /// `CertificateSubjectName`: an organisation's EUI-64.
    pub subject_name: Option<Eui64>,
    /// `CertificateSubjectAltName`: a device's EUI-64.
    pub subject_alt_name: Option<Eui64>,
    /// `CertificateSerial` (canonical hex).
    pub serial: Option<String>,
    pub usage: Option<CertUsage>,
    pub status: Option<CertStatus>,
    pub role: Option<u8>,
}

/// One `CertificateDataRequest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrieveRequest {
    /// Canonical hex serial.
    pub serial: String,
}

/// Reads a flat `<root><Field>text</Field>...</root>` document: the fields in order.
fn flat_fields(
    body: &[u8],
    root: &'static str,
    known: &[&'static str],
) -> Result<Vec<(&'static str, String)>, RequestError> {
    if body.len() > MAX_REQUEST_BYTES {
        return Err(RequestError::TooLarge(body.len()));
    }
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let text = std::str::from_utf8(body).map_err(|_| RequestError::NotUtf8)?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().enable_all_checks(true);
    let clip = |s: &str| -> String { s.chars().take(64).collect() };
    let mut fields: Vec<(&'static str, String)> = Vec::new();
    // 0: before the root, 1: in the root, 2: in a field, 3: after the root.
    let mut depth = 0u8;
    let mut current: Option<&'static str> = None;
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| RequestError::Malformed(e.to_string()))?;
        // `<Field/>` is a field with empty text; an empty root is a whole (empty) document.
        let empty = matches!(ev, Event::Empty(_));
        match ev {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.local_name();
                let name = name.as_ref();
                match depth {
                    0 => {
                        if name != root {
                            return Err(RequestError::WrongRoot {
                                expected: root,
                                found: clip(name),
                            });
                        }
                        depth = if empty { 3 } else { 1 };
                    }
                    1 => {
                        let f = known
                            .iter()
                            .find(|k| **k == name)
                            .ok_or_else(|| RequestError::UnknownField(clip(name)))?;
                        if fields.iter().any(|(n, _)| n == f) {
                            return Err(RequestError::Duplicate((*f).to_owned()));
                        }
                        fields.push((f, String::new()));
                        if !empty {
                            current = Some(f);
                            depth = 2;
                        }
                    }
                    2 => {
                        return Err(RequestError::Nested(current.unwrap_or(root).to_owned()));
                    }
                    _ => return Err(RequestError::Malformed("content after the root".into())),
                }
            }
            Event::End(_) => match depth {
                2 => {
                    depth = 1;
                    current = None;
                }
                1 => depth = 3,
                _ => return Err(RequestError::Malformed("unbalanced end tag".into())),
            },
            Event::Text(t) => {
                let s = t.xml10_content();
                let s: &str = &s;
                if depth == 2 {
                    if let Some(last) = fields.last_mut() {
                        last.1.push_str(s);
                    }
                } else if !s.trim().is_empty() {
                    return Err(RequestError::StrayText);
                }
            }
            Event::CData(t) => {
                if depth != 2 {
                    return Err(RequestError::StrayText);
                }
                let s = t.xml10_content();
                if let Some(last) = fields.last_mut() {
                    last.1.push_str(&s);
                }
            }
            Event::GeneralRef(_) => return Err(RequestError::EntityReference),
            Event::DocType(_) => return Err(RequestError::Doctype),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if depth != 3 {
        return Err(RequestError::Malformed(if depth == 0 {
            "no root element".into()
        } else {
            "document ends inside an element".into()
        }));
    }
    Ok(fields)
}

fn eui_field(field: &'static str, v: &str) -> Result<Eui64, RequestError> {
    v.trim().parse().map_err(|_| RequestError::BadValue {
        field,
        value: v.chars().take(64).collect(),
        what: "an EUI-64 (eight dashed hex octets)",
    })
}

fn serial_field(v: &str) -> Result<String, RequestError> {
    canonical_serial_hex(v).ok_or_else(|| RequestError::BadValue {
        field: "CertificateSerial",
        value: v.chars().take(64).collect(),
        what: "a hexadecimal serial number",
    })
}

/// Parses a `CertificateSearchRequest`.
pub fn parse_search(body: &[u8]) -> Result<SearchRequest, RequestError> {
    let fields = flat_fields(
        body,
        "CertificateSearchRequest",
        &[
            "CertificateSubjectName",
            "CertificateSubjectAltName",
            "CertificateSerial",
            "CertificateUsage",
            "CertificateStatus",
            "CertificateRole",
        ],
    )?;
    let mut r = SearchRequest::default();
    for (name, v) in fields {
        match name {
            "CertificateSubjectName" => r.subject_name = Some(eui_field(name, &v)?),
            "CertificateSubjectAltName" => r.subject_alt_name = Some(eui_field(name, &v)?),
            "CertificateSerial" => r.serial = Some(serial_field(&v)?),
            "CertificateUsage" => {
                r.usage = Some(match v.trim() {
                    "DS" => CertUsage::DigitalSigning,
                    "KA" => CertUsage::KeyAgreement,
                    _ => {
                        return Err(RequestError::BadValue {
                            field: "CertificateUsage",
                            value: v.chars().take(64).collect(),
                            what: "DS or KA",
                        });
                    }
                })
            }
            "CertificateStatus" => {
                r.status = Some(v.trim().parse().map_err(|_| RequestError::BadValue {
                    field: "CertificateStatus",
                    value: v.chars().take(64).collect(),
                    what: "one of P, I, N, E, R",
                })?)
            }
            _ => {
                r.role = Some(v.trim().parse().map_err(|_| RequestError::BadValue {
                    field: "CertificateRole",
                    value: v.chars().take(64).collect(),
                    what: "a remote party role (decimal 0 to 255)",
                })?)
            }
        }
    }
    if r.subject_name.is_some() && r.subject_alt_name.is_some() {
        return Err(RequestError::MissingCriterion(
            "a search names an organisation (CertificateSubjectName) or a device \
             (CertificateSubjectAltName), not both",
        ));
    }
    if r.subject_name.is_none() && r.subject_alt_name.is_none() && r.serial.is_none() {
        return Err(RequestError::MissingCriterion(
            "a search needs CertificateSubjectName, CertificateSubjectAltName or \
             CertificateSerial",
        ));
    }
    Ok(r)
}

/// Parses a `CertificateDataRequest`.
pub fn parse_retrieve(body: &[u8]) -> Result<RetrieveRequest, RequestError> {
    let fields = flat_fields(body, "CertificateDataRequest", &["CertificateSerial"])?;
    let serial = fields
        .into_iter()
        .next()
        .ok_or(RequestError::MissingCriterion(
            "a retrieve request needs CertificateSerial",
        ))?
        .1;
    Ok(RetrieveRequest {
        serial: serial_field(&serial)?,
    })
}

/// A certificate's status as the repository reports it at `now_ms`: an in-use or pending
/// certificate past its end of validity is `E`.
pub fn status_at(c: &CertRecord, now_ms: i64) -> CertStatus {
    match c.status {
        CertStatus::InUse | CertStatus::Pending if c.not_after < now_ms => CertStatus::Expired,
        s => s,
    }
}

/// Whether `c` answers the search `q` (in the repository of environment `env`) at `now_ms`.
pub fn matches(q: &SearchRequest, env: Environment, c: &CertRecord, now_ms: i64) -> bool {
    if c.environment != env {
        return false;
    }
    if let Some(eui) = q.subject_name
        && !(c.kind == CertKind::Organisation && c.subject_eui == Some(eui))
    {
        return false;
    }
    if let Some(eui) = q.subject_alt_name
        && !(c.kind == CertKind::Device && c.subject_eui == Some(eui))
    {
        return false;
    }
    if q.serial.as_ref().is_some_and(|s| *s != c.serial) {
        return false;
    }
    if q.usage.is_some_and(|u| u != c.usage) {
        return false;
    }
    if q.status.is_some_and(|s| s != status_at(c, now_ms)) {
        return false;
    }
    if q.role.is_some() && q.role != c.role {
        return false;
    }
    true
}

/// The certificates answering `q` in the repository of `env`, oldest first.
pub fn search(
    tx: &mut dyn SmkiTx,
    env: Environment,
    q: &SearchRequest,
    now_ms: i64,
) -> Result<Vec<CertRecord>, StoreError> {
    let candidates = match (q.subject_name.or(q.subject_alt_name), &q.serial) {
        (Some(eui), _) => tx.certificates_of(eui, env, q.usage)?,
        (None, Some(serial)) => tx.certificate(serial)?.into_iter().collect(),
        (None, None) => Vec::new(),
    };
    Ok(candidates
        .into_iter()
        .filter(|c| matches(q, env, c, now_ms))
        .collect())
}

/// The certificate a retrieve request names, if the repository of `env` holds it.
pub fn retrieve(
    tx: &mut dyn SmkiTx,
    env: Environment,
    q: &RetrieveRequest,
) -> Result<Option<CertRecord>, StoreError> {
    Ok(tx.certificate(&q.serial)?.filter(|c| c.environment == env))
}

/// The lower-case dashed EUI form DCC Boxed's repository writes (`00-db-12-...`).
pub fn eui_lower_dashed(e: Eui64) -> String {
    e.to_string().to_ascii_lowercase()
}

fn usage_code(u: CertUsage) -> &'static str {
    match u {
        CertUsage::DigitalSigning => "DS",
        CertUsage::KeyAgreement => "KA",
        // Not in DCC Boxed's enumeration: CA and TLS certificates are found by serial only.
        CertUsage::CertSign => "CA",
        CertUsage::Tls => "TLS",
    }
}

/// The `CertificateSearchResponse` listing `found` (statuses as at `now_ms`).
pub fn search_response(found: &[CertRecord], now_ms: i64) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CertificateSearchResponse>");
    for c in found {
        out.push_str("<Result><CertificateSerial>");
        out.push_str(&c.serial);
        out.push_str("</CertificateSerial><CertificateUsage>");
        out.push_str(usage_code(c.usage));
        out.push_str("</CertificateUsage><CertificateStatus>");
        out.push_str(status_at(c, now_ms).as_str());
        out.push_str("</CertificateStatus>");
        if let Some(role) = c.role {
            out.push_str(&format!("<CertificateRole>{role}</CertificateRole>"));
        }
        push_subject(&mut out, c);
        out.push_str("</Result>");
    }
    out.push_str("</CertificateSearchResponse>\n");
    out
}

/// Appends the subject element of `c`, where it has a subject EUI: a device certificate's
/// `CertificateSubjectAltName`, an organisation certificate's `CertificateSubjectName`.
fn push_subject(out: &mut String, c: &CertRecord) {
    if let Some(eui) = c.subject_eui {
        let tag = if c.kind == CertKind::Device {
            "CertificateSubjectAltName"
        } else {
            "CertificateSubjectName"
        };
        out.push_str(&format!("<{tag}>{}</{tag}>", eui_lower_dashed(eui)));
    }
}

/// The `CertificateDataResponse` carrying `c`.
pub fn retrieve_response(c: &CertRecord) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(&c.der);
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CertificateDataResponse>\
         <CertificateResponse><CertificateBody>",
    );
    out.push_str(&body);
    out.push_str("</CertificateBody>");
    push_subject(&mut out, c);
    out.push_str("<CertificateSerial>");
    out.push_str(&c.serial);
    out.push_str("</CertificateSerial></CertificateResponse></CertificateDataResponse>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ORG: &str = "90-b3-d5-1f-30-01-00-00";
    const DEV: &str = "00-db-12-34-56-78-90-a0";

    fn rec(serial: &str, kind: CertKind, eui: &str, usage: CertUsage) -> CertRecord {
        CertRecord {
            serial: serial.into(),
            serial_decimal: "1".into(),
            environment: Environment::Live,
            kind,
            usage,
            subject_eui: Some(eui.parse().unwrap()),
            role: (kind == CertKind::Organisation).then_some(2),
            subscriber: None,
            issuer_ca: None,
            public_key: vec![4; 65],
            issued_at: 0,
            not_after: 1_000,
            status: CertStatus::InUse,
            revoked_at: None,
            revocation_reason: None,
            der: vec![0x30, 0x00],
        }
    }

    #[test]
    fn parses_the_requests_dccboxed_keystore_sends() {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><CertificateSearchRequest>\
             <CertificateSubjectAltName>{DEV}</CertificateSubjectAltName>\
             </CertificateSearchRequest>"
        );
        let q = parse_search(body.as_bytes()).unwrap();
        assert_eq!(q.subject_alt_name, Some(DEV.parse().unwrap()));
        assert_eq!(q.subject_name, None);
        let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><CertificateDataRequest>\
                    <CertificateSerial>4a07ff</CertificateSerial></CertificateDataRequest>";
        assert_eq!(parse_retrieve(body.as_bytes()).unwrap().serial, "4A07FF");
        let q = parse_search(
            format!(
                "<CertificateSearchRequest><CertificateSubjectName>{ORG}</CertificateSubjectName>\
                 <CertificateUsage>KA</CertificateUsage><CertificateStatus>I</CertificateStatus>\
                 <CertificateRole>2</CertificateRole></CertificateSearchRequest>"
            )
            .as_bytes(),
        )
        .unwrap();
        assert_eq!(q.usage, Some(CertUsage::KeyAgreement));
        assert_eq!(q.status, Some(CertStatus::InUse));
        assert_eq!(q.role, Some(2));
    }

    #[test]
    fn refuses_what_is_not_a_request() {
        type Check = fn(&RequestError) -> bool;
        let cases: &[(&str, Check)] = &[
            ("<Other/>", |e| matches!(e, RequestError::WrongRoot { .. })),
            ("<CertificateSearchRequest/>", |e| {
                matches!(e, RequestError::MissingCriterion(_))
            }),
            (
                "<CertificateSearchRequest><Foo>1</Foo></CertificateSearchRequest>",
                |e| matches!(e, RequestError::UnknownField(_)),
            ),
            (
                "<CertificateSearchRequest><CertificateSerial>1</CertificateSerial>\
                 <CertificateSerial>2</CertificateSerial></CertificateSearchRequest>",
                |e| matches!(e, RequestError::Duplicate(_)),
            ),
            (
                "<CertificateSearchRequest><CertificateSerial><a/></CertificateSerial>\
                 </CertificateSearchRequest>",
                |e| matches!(e, RequestError::Nested(_)),
            ),
            (
                "<!DOCTYPE x [<!ENTITY e \"1\">]><CertificateSearchRequest/>",
                |e| matches!(e, RequestError::Doctype),
            ),
            (
                "<CertificateSearchRequest><CertificateSerial>&e;</CertificateSerial>\
                 </CertificateSearchRequest>",
                |e| matches!(e, RequestError::EntityReference),
            ),
            (
                "<CertificateSearchRequest><CertificateSubjectName>zz</CertificateSubjectName>\
                 </CertificateSearchRequest>",
                |e| matches!(e, RequestError::BadValue { .. }),
            ),
            (
                "<CertificateSearchRequest><CertificateSerial>1</CertificateSerial>",
                |e| matches!(e, RequestError::Malformed(_)),
            ),
            ("", |e| matches!(e, RequestError::Malformed(_))),
        ];
        for (body, ok) in cases {
            let e = parse_search(body.as_bytes()).unwrap_err();
            assert!(ok(&e), "{body}: {e:?}");
        }
        assert!(matches!(
            parse_retrieve(b"<CertificateDataRequest/>"),
            Err(RequestError::MissingCriterion(_))
        ));
        let big = vec![b' '; MAX_REQUEST_BYTES + 1];
        assert!(matches!(
            parse_retrieve(&big),
            Err(RequestError::TooLarge(_))
        ));
    }

    #[test]
    fn filters_select_kind_usage_status_role_and_environment() {
        let org = rec("A1", CertKind::Organisation, ORG, CertUsage::DigitalSigning);
        let dev = rec("B2", CertKind::Device, DEV, CertUsage::KeyAgreement);
        let by_name = SearchRequest {
            subject_name: ORG.parse().ok(),
            ..SearchRequest::default()
        };
        assert!(matches(&by_name, Environment::Live, &org, 0));
        assert!(!matches(&by_name, Environment::Test, &org, 0));
        // An organisation name never finds a device certificate of the same EUI.
        let mut dev_same_eui = dev.clone();
        dev_same_eui.subject_eui = org.subject_eui;
        assert!(!matches(&by_name, Environment::Live, &dev_same_eui, 0));
        let by_alt = SearchRequest {
            subject_alt_name: DEV.parse().ok(),
            usage: Some(CertUsage::KeyAgreement),
            status: Some(CertStatus::InUse),
            ..SearchRequest::default()
        };
        assert!(matches(&by_alt, Environment::Live, &dev, 0));
        // Past its validity, an in-use certificate is reported expired.
        assert!(!matches(&by_alt, Environment::Live, &dev, 2_000));
        assert_eq!(status_at(&dev, 2_000), CertStatus::Expired);
        let wrong_role = SearchRequest {
            role: Some(3),
            ..by_name.clone()
        };
        assert!(!matches(&wrong_role, Environment::Live, &org, 0));
        let xml = search_response(&[org.clone(), dev.clone()], 0);
        assert!(xml.contains(
            "<Result><CertificateSerial>A1</CertificateSerial><CertificateUsage>DS\
             </CertificateUsage><CertificateStatus>I</CertificateStatus>\
             <CertificateRole>2</CertificateRole>"
        ));
        assert!(xml.contains("<CertificateSubjectAltName>00-db-12-34-56-78-90-a0<"));
        let xml = retrieve_response(&dev);
        assert!(xml.contains("<CertificateBody>MAA=</CertificateBody>"));
        assert!(xml.contains("<CertificateSubjectAltName>"));
        assert!(retrieve_response(&org).contains("<CertificateSubjectName>90-b3"));
    }

    proptest! {
        #[test]
        fn random_input_never_panics(body in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = parse_search(&body);
            let _ = parse_retrieve(&body);
        }

        #[test]
        fn random_fields_never_panic(
            name in "[A-Za-z]{1,30}",
            value in "\\PC{0,40}",
        ) {
            let body = format!(
                "<CertificateSearchRequest><{name}>{value}</{name}></CertificateSearchRequest>"
            );
            let _ = parse_search(body.as_bytes());
            let body = format!("<CertificateDataRequest><{name}>{value}</{name}></CertificateDataRequest>");
            let _ = parse_retrieve(body.as_bytes());
        }
    }
}
