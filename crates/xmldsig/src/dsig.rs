//! The DUIS enveloped-signature profile: locating and pinning the
//! `ds:Signature`, verifying it, and producing it.

use std::ops::Range;

use aws_lc_rs::digest;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair,
    ParsedPublicKey,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::c14n::{C14nMethod, EXC_C14N};
use crate::error::{
    DsigError, EncodingProblem, IssuerSerialProblem, MalformedKind, ProfileViolation, ValueField,
    clip,
};
use crate::xml::{Document, Element, Limits, Node, NodeId, is_ncname, is_xml_ws};

/// The XML-DSig namespace.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// `SignatureMethod` required by DUIS.
pub const ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
/// `DigestMethod` required by DUIS.
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
/// The enveloped-signature transform.
pub const ENVELOPED_SIGNATURE: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

/// Longest accepted `X509SerialNumber`: 20 octets (RFC 5280) are < 10^49.
const MAX_SERIAL_DIGITS: usize = 49;

/// A certificate reference as carried in `ds:X509IssuerSerial`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IssuerSerial {
    /// Issuer distinguished name as written (RFC 2253 style, e.g. `CN=Z1,OU=07`).
    /// Compare with [`issuer_names_match`](crate::issuer_names_match), not `==`.
    pub issuer_name: String,
    /// Serial number in decimal, without sign or leading zeros.
    pub serial: String,
}

impl IssuerSerial {
    /// Builds one, checking that it can be written into a signature.
    ///
    /// # Errors
    /// [`DsigError::InvalidIssuerSerial`].
    pub fn new(
        issuer_name: impl Into<String>,
        serial: impl Into<String>,
    ) -> Result<Self, DsigError> {
        let v = IssuerSerial {
            issuer_name: issuer_name.into(),
            serial: serial.into(),
        };
        v.validate()?;
        Ok(v)
    }

    fn validate(&self) -> Result<(), DsigError> {
        let name_ok = !self.issuer_name.trim().is_empty()
            && self
                .issuer_name
                .chars()
                .all(|c| !c.is_control() && c != '\u{FFFE}' && c != '\u{FFFF}');
        if !name_ok {
            return Err(DsigError::InvalidIssuerSerial(
                IssuerSerialProblem::IssuerName,
            ));
        }
        let s = &self.serial;
        let serial_ok = !s.is_empty()
            && s.len() <= MAX_SERIAL_DIGITS
            && s.bytes().all(|b| b.is_ascii_digit())
            && (s == "0" || !s.starts_with('0'));
        if !serial_ok {
            return Err(DsigError::InvalidIssuerSerial(IssuerSerialProblem::Serial));
        }
        Ok(())
    }
}

/// What a DUIS signature says about itself, available before verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureInfo {
    /// The signer's certificate reference from `KeyInfo`. Not covered by the
    /// signature: use it only to look the certificate up.
    pub issuer_serial: IssuerSerial,
    /// How the signed content (the document minus the signature) is
    /// canonicalized: [`C14nMethod::Inclusive`] when the only transform is
    /// enveloped-signature (the XML-DSig default, as DCC signs),
    /// [`C14nMethod::Exclusive`] when an explicit exc-c14n transform follows.
    pub reference_c14n: C14nMethod,
    /// Byte range of the `ds:Signature` element in the input.
    pub signature_span: Range<usize>,
}

/// A P-256 public key, parsed once, for verifying many documents.
#[derive(Clone)]
pub struct VerifyingKey(ParsedPublicKey);

impl std::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerifyingKey(P-256)")
    }
}

impl VerifyingKey {
    /// From a SEC1-encoded point (65-byte uncompressed or 33-byte compressed).
    ///
    /// # Errors
    /// [`DsigError::InvalidPublicKey`].
    pub fn from_sec1(point: &[u8]) -> Result<Self, DsigError> {
        ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
            .map(VerifyingKey)
            .map_err(|_| DsigError::InvalidPublicKey)
    }

    /// From a DER X.509 certificate with a P-256 key.
    ///
    /// # Errors
    /// [`DsigError::Certificate`] or [`DsigError::InvalidPublicKey`].
    pub fn from_certificate_der(cert_der: &[u8]) -> Result<Self, DsigError> {
        let (_, point) = crate::dn::issuer_serial_of_cert(cert_der)?;
        Self::from_sec1(&point)
    }
}

struct Layout {
    signature: usize,
    signed_info: usize,
    reference_prefixes: Vec<String>,
    signed_info_prefixes: Vec<String>,
    digest: [u8; 32],
    signature_value: [u8; 64],
}

/// A parsed document whose `ds:Signature` follows the DUIS profile.
/// Parse once, read [`info`](Self::info) to find the certificate, then
/// [`verify`](Self::verify).
pub struct SignedDocument<'a> {
    doc: Document<'a>,
    layout: Layout,
    info: SignatureInfo,
}

impl std::fmt::Debug for SignedDocument<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedDocument")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl<'a> SignedDocument<'a> {
    /// Parses `xml` and pins the signature profile, without any cryptography.
    ///
    /// # Errors
    /// Parse errors, [`DsigError::NoSignature`], [`DsigError::ProfileViolation`],
    /// [`DsigError::BadValueEncoding`].
    pub fn parse(xml: &'a [u8]) -> Result<Self, DsigError> {
        Self::parse_with_limits(xml, &Limits::default())
    }

    /// As [`parse`](Self::parse) with explicit limits.
    ///
    /// # Errors
    /// As [`parse`](Self::parse).
    pub fn parse_with_limits(xml: &'a [u8], limits: &Limits) -> Result<Self, DsigError> {
        let doc = Document::parse_with_limits(xml, limits)?;
        let (layout, mut info) = read_signature(&doc)?;
        if let Some(span) = doc.element_span(NodeId(layout.signature)) {
            info.signature_span = span;
        }
        Ok(SignedDocument { doc, layout, info })
    }

    /// The signature's self-description.
    #[must_use]
    pub fn info(&self) -> &SignatureInfo {
        &self.info
    }

    /// The parsed document.
    #[must_use]
    pub fn document(&self) -> &Document<'a> {
        &self.doc
    }

    /// Checks that `cert_der` is the certificate named in `KeyInfo`, then
    /// [`verify`](Self::verify)s with its key.
    ///
    /// # Errors
    /// [`DsigError::Certificate`], [`DsigError::CertificateNotReferenced`],
    /// [`DsigError::InvalidPublicKey`] and those of [`verify`](Self::verify).
    pub fn verify_with_certificate(&self, cert_der: &[u8]) -> Result<(), DsigError> {
        let (is, point) = crate::dn::issuer_serial_of_cert(cert_der)?;
        let named = &self.info.issuer_serial;
        if is.serial != named.serial
            || !crate::dn::issuer_names_match(&is.issuer_name, &named.issuer_name)
        {
            return Err(DsigError::CertificateNotReferenced);
        }
        self.verify(&VerifyingKey::from_sec1(&point)?)
    }

    /// Checks the reference digest, then the ECDSA signature over the
    /// exclusive-canonical `SignedInfo`.
    ///
    /// # Errors
    /// [`DsigError::DigestMismatch`] or [`DsigError::SignatureInvalid`].
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), DsigError> {
        let l = &self.layout;
        let mut buf = Vec::with_capacity(self.doc.src.len());
        let prefixes: Vec<&str> = l.reference_prefixes.iter().map(String::as_str).collect();
        self.doc.canonicalize_document(
            self.info.reference_c14n,
            Some(NodeId(l.signature)),
            &prefixes,
            &mut buf,
        );
        let d = digest::digest(&digest::SHA256, &buf);
        if d.as_ref() != l.digest.as_slice() {
            return Err(DsigError::DigestMismatch);
        }
        buf.clear();
        let prefixes: Vec<&str> = l.signed_info_prefixes.iter().map(String::as_str).collect();
        self.doc
            .canonicalize_subtree_exclusive(NodeId(l.signed_info), &prefixes, &mut buf);
        key.0
            .verify_sig(&buf, &l.signature_value)
            .map_err(|_| DsigError::SignatureInvalid)
    }
}

/// Parses, pins the profile, checks that `cert_der` is the certificate the
/// signature's `X509IssuerSerial` names (serial equal, issuer names equal
/// per [`issuer_names_match`](crate::issuer_names_match)) and verifies with
/// its key. Certificate validity (chain, dates, revocation) is the caller's.
///
/// # Errors
/// [`DsigError::CertificateNotReferenced`] and those of [`verify`].
pub fn verify_with_certificate(xml: &[u8], cert_der: &[u8]) -> Result<SignatureInfo, DsigError> {
    let doc = SignedDocument::parse(xml)?;
    doc.verify_with_certificate(cert_der)?;
    Ok(doc.info)
}

/// Reads the signature's `IssuerSerial` (and pins the profile) without
/// verifying, so the caller can look up the certificate.
///
/// # Errors
/// As [`SignedDocument::parse`].
pub fn signature_info(xml: &[u8]) -> Result<SignatureInfo, DsigError> {
    SignedDocument::parse(xml).map(|d| d.info)
}

/// Parses, pins the profile and verifies with a SEC1 P-256 public key.
///
/// # Errors
/// Any [`DsigError`] of parsing, profile, key or verification.
pub fn verify(xml: &[u8], public_key_sec1: &[u8]) -> Result<SignatureInfo, DsigError> {
    let key = VerifyingKey::from_sec1(public_key_sec1)?;
    verify_with_key(xml, &key)
}

/// As [`verify`] with an already parsed key.
///
/// # Errors
/// As [`verify`].
pub fn verify_with_key(xml: &[u8], key: &VerifyingKey) -> Result<SignatureInfo, DsigError> {
    let doc = SignedDocument::parse(xml)?;
    doc.verify(key)?;
    Ok(doc.info)
}

/// Removes the enveloped `ds:Signature` (last element child of the root),
/// leaving everything else byte for byte — e.g. to re-sign a template whose
/// signature is a placeholder. Returns the input unchanged if there is none.
///
/// # Errors
/// Parse errors of [`Document::parse`].
pub fn remove_enveloped_signature(xml: &str) -> Result<String, DsigError> {
    let doc = Document::parse(xml.as_bytes())?;
    let Some(span) = doc.enveloped_signature().and_then(|s| doc.element_span(s)) else {
        return Ok(xml.to_owned());
    };
    let mut out = String::with_capacity(xml.len());
    out.push_str(xml.get(..span.start).unwrap_or_default());
    out.push_str(xml.get(span.end..).unwrap_or_default());
    Ok(out)
}

fn violation(v: ProfileViolation) -> DsigError {
    DsigError::ProfileViolation(v)
}

fn locate_signature(doc: &Document<'_>) -> Result<usize, DsigError> {
    let mut sigs = doc.elements_named(DSIG_NS, "Signature");
    let sig = sigs.next().ok_or(DsigError::NoSignature)?.0;
    if sigs.next().is_some() {
        return Err(violation(ProfileViolation::MultipleSignatures));
    }
    if sig == doc.root {
        return Err(violation(ProfileViolation::SignatureIsRoot));
    }
    let e = doc.element(sig).ok_or(DsigError::NoSignature)?;
    let root_end = doc.element(doc.root).map_or(0, |r| r.end);
    if e.parent != Some(doc.root) {
        return Err(violation(ProfileViolation::SignatureNotLastChildOfRoot));
    }
    let trailing = doc.nodes.get(e.end + 1..root_end).unwrap_or(&[]);
    let only_ws = trailing
        .iter()
        .all(|n| matches!(n, Node::Text(t) if t.bytes().all(is_xml_ws)));
    if !only_ws {
        return Err(violation(ProfileViolation::SignatureNotLastChildOfRoot));
    }
    Ok(sig)
}

/// Element children of `i`; text must be whitespace, no PIs.
fn children(doc: &Document<'_>, i: usize, ctx: &'static str) -> Result<Vec<usize>, DsigError> {
    let Some(e) = doc.element(i) else {
        return Ok(Vec::new());
    };
    let inner = doc.nodes.get(i + 1..e.end).unwrap_or(&[]);
    let mut out = Vec::new();
    let mut skip_until = 0;
    for (k, n) in inner.iter().enumerate() {
        let idx = i + 1 + k;
        if idx < skip_until {
            continue;
        }
        match n {
            Node::Start(c) => {
                out.push(idx);
                skip_until = c.end + 1;
            }
            Node::Text(t) if t.bytes().all(is_xml_ws) => {}
            Node::Char(c) if c.is_ascii() && is_xml_ws(*c as u8) => {}
            Node::End { .. } => {}
            _ => return Err(violation(ProfileViolation::UnexpectedContent(ctx))),
        }
    }
    Ok(out)
}

/// Text content of a leaf element (no element or PI children).
fn text_of(doc: &Document<'_>, i: usize, ctx: &'static str) -> Result<String, DsigError> {
    let Some(e) = doc.element(i) else {
        return Ok(String::new());
    };
    let mut s = String::new();
    for n in doc.nodes.get(i + 1..e.end).unwrap_or(&[]) {
        match n {
            Node::Text(t) => s.push_str(t),
            Node::Char(c) => s.push(*c),
            Node::Start(c) => {
                return Err(violation(ProfileViolation::UnexpectedElement {
                    parent: ctx,
                    found: clip(c.local),
                }));
            }
            Node::End { .. } => {}
            Node::Pi { .. } => return Err(violation(ProfileViolation::UnexpectedContent(ctx))),
        }
    }
    Ok(s)
}

/// The element at `i`, which must be `ds:{name}`, with only `allowed`
/// (unprefixed) attributes.
fn ds_element<'d, 'a>(
    doc: &'d Document<'a>,
    i: usize,
    parent: &'static str,
    name: &'static str,
    allowed: &[&str],
) -> Result<&'d Element<'a>, DsigError> {
    let e = doc
        .element(i)
        .ok_or(violation(ProfileViolation::MissingElement(name)))?;
    if e.local != name || e.ns.as_deref() != Some(DSIG_NS) {
        return Err(violation(ProfileViolation::UnexpectedElement {
            parent,
            found: clip(e.local),
        }));
    }
    for a in doc.attrs_of(e) {
        if !a.prefix.is_empty() || !allowed.contains(&a.local) {
            return Err(violation(ProfileViolation::UnexpectedAttribute {
                element: name,
                attribute: clip(a.qname),
            }));
        }
    }
    Ok(e)
}

fn attr<'d, 'a>(doc: &'d Document<'a>, e: &Element<'a>, name: &str) -> Option<&'d str> {
    doc.attrs_of(e)
        .iter()
        .find(|a| a.prefix.is_empty() && a.local == name)
        .map(|a| a.value.as_ref())
}

fn required_attr<'d, 'a>(
    doc: &'d Document<'a>,
    e: &Element<'a>,
    element: &'static str,
    name: &'static str,
) -> Result<&'d str, DsigError> {
    attr(doc, e, name).ok_or(violation(ProfileViolation::MissingAttribute {
        element,
        attribute: name,
    }))
}

/// Exactly the listed children, in order.
fn exact_children<const N: usize>(
    doc: &Document<'_>,
    i: usize,
    ctx: &'static str,
    names: [&'static str; N],
) -> Result<[usize; N], DsigError> {
    let kids = children(doc, i, ctx)?;
    let mut out = [0usize; N];
    for (k, name) in names.iter().enumerate() {
        let idx = *kids
            .get(k)
            .ok_or(violation(ProfileViolation::MissingElement(name)))?;
        if let Some(slot) = out.get_mut(k) {
            *slot = idx;
        }
    }
    if let Some(&extra) = kids.get(N) {
        let found = doc
            .element(extra)
            .map(|e| clip(e.local))
            .unwrap_or_default();
        return Err(violation(ProfileViolation::UnexpectedElement {
            parent: ctx,
            found,
        }));
    }
    Ok(out)
}

/// Reads an optional `ec:InclusiveNamespaces` child of a c14n method element.
fn inclusive_namespaces(
    doc: &Document<'_>,
    i: usize,
    ctx: &'static str,
) -> Result<Vec<String>, DsigError> {
    let kids = children(doc, i, ctx)?;
    match kids.as_slice() {
        [] => Ok(Vec::new()),
        [k] => {
            let e = doc
                .element(*k)
                .ok_or(violation(ProfileViolation::InvalidPrefixList))?;
            if e.local != "InclusiveNamespaces" || e.ns.as_deref() != Some(EXC_C14N) {
                return Err(violation(ProfileViolation::UnexpectedElement {
                    parent: ctx,
                    found: clip(e.local),
                }));
            }
            let attrs = doc.attrs_of(e);
            if attrs
                .iter()
                .any(|a| !a.prefix.is_empty() || a.local != "PrefixList")
            {
                return Err(violation(ProfileViolation::InvalidPrefixList));
            }
            if !children(doc, *k, ctx)?.is_empty() || !text_of(doc, *k, ctx)?.trim().is_empty() {
                return Err(violation(ProfileViolation::InvalidPrefixList));
            }
            let list =
                attr(doc, e, "PrefixList").ok_or(violation(ProfileViolation::InvalidPrefixList))?;
            list.split([' ', '\t', '\n', '\r'])
                .filter(|t| !t.is_empty())
                .map(|t| match t {
                    "#default" => Ok(String::new()),
                    t if is_ncname(t) => Ok(t.to_owned()),
                    _ => Err(violation(ProfileViolation::InvalidPrefixList)),
                })
                .collect()
        }
        [_, extra, ..] => {
            let found = doc
                .element(*extra)
                .map(|e| clip(e.local))
                .unwrap_or_default();
            Err(violation(ProfileViolation::UnexpectedElement {
                parent: ctx,
                found,
            }))
        }
    }
}

fn decode_b64<const N: usize>(text: &str, field: ValueField) -> Result<[u8; N], DsigError> {
    let compact: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '\t' | '\n' | '\r'))
        .collect();
    let bytes = B64
        .decode(compact.as_bytes())
        .map_err(|_| DsigError::BadValueEncoding {
            field,
            problem: EncodingProblem::Base64,
        })?;
    <[u8; N]>::try_from(bytes.as_slice()).map_err(|_| DsigError::BadValueEncoding {
        field,
        problem: EncodingProblem::Length {
            expected: N,
            actual: bytes.len(),
        },
    })
}

fn normalize_serial(text: &str) -> Result<String, DsigError> {
    let t = text.trim_matches([' ', '\t', '\n', '\r']);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(violation(ProfileViolation::InvalidSerialNumber));
    }
    let stripped = t.trim_start_matches('0');
    let s = if stripped.is_empty() { "0" } else { stripped };
    if s.len() > MAX_SERIAL_DIGITS {
        return Err(violation(ProfileViolation::InvalidSerialNumber));
    }
    Ok(s.to_owned())
}

fn read_signature(doc: &Document<'_>) -> Result<(Layout, SignatureInfo), DsigError> {
    let sig = locate_signature(doc)?;
    ds_element(doc, sig, "root", "Signature", &["Id"])?;
    let [si, sv, ki] = exact_children(
        doc,
        sig,
        "Signature",
        ["SignedInfo", "SignatureValue", "KeyInfo"],
    )?;

    // SignedInfo
    ds_element(doc, si, "Signature", "SignedInfo", &["Id"])?;
    let si_kids = children(doc, si, "SignedInfo")?;
    let (&cm, rest) = si_kids
        .split_first()
        .ok_or(violation(ProfileViolation::MissingElement(
            "CanonicalizationMethod",
        )))?;
    let (&sm, refs) = rest
        .split_first()
        .ok_or(violation(ProfileViolation::MissingElement(
            "SignatureMethod",
        )))?;
    let cm_e = ds_element(
        doc,
        cm,
        "SignedInfo",
        "CanonicalizationMethod",
        &["Algorithm"],
    )?;
    let alg = required_attr(doc, cm_e, "CanonicalizationMethod", "Algorithm")?;
    if alg != EXC_C14N {
        return Err(violation(ProfileViolation::CanonicalizationMethod(clip(
            alg,
        ))));
    }
    let signed_info_prefixes = inclusive_namespaces(doc, cm, "CanonicalizationMethod")?;
    let sm_e = ds_element(doc, sm, "SignedInfo", "SignatureMethod", &["Algorithm"])?;
    let alg = required_attr(doc, sm_e, "SignatureMethod", "Algorithm")?;
    if alg != ECDSA_SHA256 {
        return Err(violation(ProfileViolation::SignatureMethod(clip(alg))));
    }
    if let Some(&k) = children(doc, sm, "SignatureMethod")?.first() {
        let found = doc.element(k).map(|e| clip(e.local)).unwrap_or_default();
        return Err(violation(ProfileViolation::UnexpectedElement {
            parent: "SignatureMethod",
            found,
        }));
    }
    let reference = match refs {
        [] => return Err(violation(ProfileViolation::MissingElement("Reference"))),
        [r] => *r,
        [_, more @ ..] => {
            let all_refs = more.iter().all(|&k| {
                doc.element(k)
                    .is_some_and(|e| e.local == "Reference" && e.ns.as_deref() == Some(DSIG_NS))
            });
            return Err(if all_refs {
                violation(ProfileViolation::MultipleReferences)
            } else {
                let found = more
                    .first()
                    .and_then(|&k| doc.element(k))
                    .map(|e| clip(e.local))
                    .unwrap_or_default();
                violation(ProfileViolation::UnexpectedElement {
                    parent: "SignedInfo",
                    found,
                })
            });
        }
    };

    // Reference
    let r_e = ds_element(doc, reference, "SignedInfo", "Reference", &["URI", "Id"])?;
    let uri = required_attr(doc, r_e, "Reference", "URI")?;
    if !uri.is_empty() {
        return Err(violation(ProfileViolation::ReferenceUri(clip(uri))));
    }
    let [tr, dm, dv] = exact_children(
        doc,
        reference,
        "Reference",
        ["Transforms", "DigestMethod", "DigestValue"],
    )?;
    ds_element(doc, tr, "Reference", "Transforms", &[])?;
    let transforms = children(doc, tr, "Transforms")?;
    let (reference_c14n, reference_prefixes) = match transforms.as_slice() {
        [env] => {
            check_enveloped(doc, *env)?;
            (C14nMethod::Inclusive, Vec::new())
        }
        [env, exc] => {
            check_enveloped(doc, *env)?;
            let e = ds_element(doc, *exc, "Transforms", "Transform", &["Algorithm"])?;
            if required_attr(doc, e, "Transform", "Algorithm")? != EXC_C14N {
                return Err(violation(ProfileViolation::Transforms));
            }
            (
                C14nMethod::Exclusive,
                inclusive_namespaces(doc, *exc, "Transform")?,
            )
        }
        _ => return Err(violation(ProfileViolation::Transforms)),
    };
    let dm_e = ds_element(doc, dm, "Reference", "DigestMethod", &["Algorithm"])?;
    let alg = required_attr(doc, dm_e, "DigestMethod", "Algorithm")?;
    if alg != SHA256 || !children(doc, dm, "DigestMethod")?.is_empty() {
        return Err(violation(ProfileViolation::DigestMethod(clip(alg))));
    }
    ds_element(doc, dv, "Reference", "DigestValue", &[])?;
    let digest = decode_b64::<32>(&text_of(doc, dv, "DigestValue")?, ValueField::DigestValue)?;

    // SignatureValue
    ds_element(doc, sv, "Signature", "SignatureValue", &["Id"])?;
    let signature_value = decode_b64::<64>(
        &text_of(doc, sv, "SignatureValue")?,
        ValueField::SignatureValue,
    )?;

    // KeyInfo/X509Data/X509IssuerSerial
    ds_element(doc, ki, "Signature", "KeyInfo", &["Id"])?;
    let [xd] = exact_children(doc, ki, "KeyInfo", ["X509Data"])?;
    ds_element(doc, xd, "KeyInfo", "X509Data", &[])?;
    let [xis] = exact_children(doc, xd, "X509Data", ["X509IssuerSerial"])?;
    ds_element(doc, xis, "X509Data", "X509IssuerSerial", &[])?;
    let [xin, xsn] = exact_children(
        doc,
        xis,
        "X509IssuerSerial",
        ["X509IssuerName", "X509SerialNumber"],
    )?;
    ds_element(doc, xin, "X509IssuerSerial", "X509IssuerName", &[])?;
    ds_element(doc, xsn, "X509IssuerSerial", "X509SerialNumber", &[])?;
    let issuer_name = text_of(doc, xin, "X509IssuerName")?
        .trim_matches([' ', '\t', '\n', '\r'])
        .to_owned();
    if issuer_name.is_empty() {
        return Err(violation(ProfileViolation::EmptyIssuerName));
    }
    let serial = normalize_serial(&text_of(doc, xsn, "X509SerialNumber")?)?;

    let layout = Layout {
        signature: sig,
        signed_info: si,
        reference_prefixes,
        signed_info_prefixes,
        digest,
        signature_value,
    };
    let info = SignatureInfo {
        issuer_serial: IssuerSerial {
            issuer_name,
            serial,
        },
        reference_c14n,
        signature_span: 0..0,
    };
    Ok((layout, info))
}

fn check_enveloped(doc: &Document<'_>, i: usize) -> Result<(), DsigError> {
    let e = ds_element(doc, i, "Transforms", "Transform", &["Algorithm"])?;
    if required_attr(doc, e, "Transform", "Algorithm")? != ENVELOPED_SIGNATURE
        || !children(doc, i, "Transform")?.is_empty()
    {
        return Err(violation(ProfileViolation::Transforms));
    }
    Ok(())
}

/// Signs DUIS documents with a P-256 key: appends an enveloped
/// `ds:Signature` as the last child of the root element.
pub struct XmlSigner {
    key: EcdsaKeyPair,
    issuer_serial: IssuerSerial,
}

impl std::fmt::Debug for XmlSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XmlSigner")
            .field("issuer_serial", &self.issuer_serial)
            .finish_non_exhaustive()
    }
}

const SI_HEAD: &str = concat!(
    "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"></ds:CanonicalizationMethod>",
    "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256\"></ds:SignatureMethod>",
    "<ds:Reference URI=\"\"><ds:Transforms>",
    "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"></ds:Transform>",
    "</ds:Transforms>",
    "<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"></ds:DigestMethod>",
    "<ds:DigestValue>"
);
const SI_TAIL: &str = "</ds:DigestValue></ds:Reference>";

impl XmlSigner {
    /// From an unencrypted PKCS#8 (or SEC1 `ECPrivateKey`) DER P-256 key.
    ///
    /// # Errors
    /// [`DsigError::InvalidPrivateKey`], [`DsigError::InvalidIssuerSerial`].
    pub fn from_pkcs8_der(der: &[u8], issuer_serial: IssuerSerial) -> Result<Self, DsigError> {
        issuer_serial.validate()?;
        let key = EcdsaKeyPair::from_private_key_der(&ECDSA_P256_SHA256_FIXED_SIGNING, der)
            .map_err(|_| DsigError::InvalidPrivateKey)?;
        Ok(XmlSigner { key, issuer_serial })
    }

    /// From a PEM `PRIVATE KEY` (PKCS#8) or `EC PRIVATE KEY` block.
    ///
    /// # Errors
    /// [`DsigError::Pem`] and those of [`from_pkcs8_der`](Self::from_pkcs8_der).
    pub fn from_pkcs8_pem(pem: &str, issuer_serial: IssuerSerial) -> Result<Self, DsigError> {
        let der = crate::pem::decode(pem, &["PRIVATE KEY", "EC PRIVATE KEY"])?;
        Self::from_pkcs8_der(&der, issuer_serial)
    }

    /// From a DER key and the DER certificate it belongs to; the issuer and
    /// serial are taken from the certificate (issuer in Java's RFC 2253 form).
    ///
    /// # Errors
    /// [`DsigError::KeyCertificateMismatch`] and those of
    /// [`issuer_serial_of_cert`](crate::issuer_serial_of_cert) and
    /// [`from_pkcs8_der`](Self::from_pkcs8_der).
    pub fn from_pkcs8_der_with_certificate(
        key_der: &[u8],
        cert_der: &[u8],
    ) -> Result<Self, DsigError> {
        let (issuer_serial, point) = crate::dn::issuer_serial_of_cert(cert_der)?;
        let signer = Self::from_pkcs8_der(key_der, issuer_serial)?;
        if signer.public_key_sec1() != point.as_slice() {
            return Err(DsigError::KeyCertificateMismatch);
        }
        Ok(signer)
    }

    /// The certificate reference written into signatures.
    #[must_use]
    pub fn issuer_serial(&self) -> &IssuerSerial {
        &self.issuer_serial
    }

    /// The public key, SEC1 uncompressed.
    #[must_use]
    pub fn public_key_sec1(&self) -> &[u8] {
        self.key.public_key().as_ref()
    }

    /// Signs an unsigned document: the digest is over its inclusive
    /// canonical form (the enveloped-signature transform alone, as DCC
    /// signs), the signature over the exclusive-canonical `SignedInfo`.
    /// The rest of the input is kept byte for byte; the `ds:Signature`
    /// (in canonical form, declaring `xmlns:ds` unless the root already binds
    /// `ds` to the XML-DSig namespace) is inserted before the root's end tag.
    ///
    /// The ECDSA nonce comes from aws-lc's internal generator; nothing else
    /// is random and no clock is read.
    ///
    /// # Errors
    /// Parse errors, [`ProfileViolation::AlreadySigned`],
    /// [`DsigError::SigningFailed`].
    pub fn sign(&self, unsigned_xml: &str) -> Result<String, DsigError> {
        let doc = Document::parse(unsigned_xml.as_bytes())?;
        if doc.elements_named(DSIG_NS, "Signature").next().is_some() {
            return Err(violation(ProfileViolation::AlreadySigned));
        }
        let root = doc.element(doc.root).ok_or(DsigError::MalformedXml {
            offset: 0,
            kind: MalformedKind::NoRoot,
        })?;
        let mut buf = Vec::with_capacity(unsigned_xml.len() + 1024);
        doc.canonicalize_document(C14nMethod::Inclusive, None, &[], &mut buf);
        let digest = digest::digest(&digest::SHA256, &buf);

        let mut si = String::with_capacity(SI_HEAD.len() + SI_TAIL.len() + 44);
        si.push_str(SI_HEAD);
        B64.encode_string(digest.as_ref(), &mut si);
        si.push_str(SI_TAIL);

        buf.clear();
        buf.extend_from_slice(b"<ds:SignedInfo xmlns:ds=\"");
        buf.extend_from_slice(DSIG_NS.as_bytes());
        buf.extend_from_slice(b"\">");
        buf.extend_from_slice(si.as_bytes());
        buf.extend_from_slice(b"</ds:SignedInfo>");
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let sig = self
            .key
            .sign(&rng, &buf)
            .map_err(|_| DsigError::SigningFailed)?;

        let declared = doc
            .decls_of(root)
            .iter()
            .any(|d| d.prefix == "ds" && d.uri == DSIG_NS);
        let mut s = String::with_capacity(si.len() + 512);
        s.push_str("<ds:Signature");
        if !declared {
            s.push_str(" xmlns:ds=\"");
            s.push_str(DSIG_NS);
            s.push('"');
        }
        s.push_str("><ds:SignedInfo>");
        s.push_str(&si);
        s.push_str("</ds:SignedInfo><ds:SignatureValue>");
        B64.encode_string(sig.as_ref(), &mut s);
        s.push_str(
            "</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>",
        );
        push_escaped(&self.issuer_serial.issuer_name, &mut s);
        s.push_str("</ds:X509IssuerName><ds:X509SerialNumber>");
        s.push_str(&self.issuer_serial.serial);
        s.push_str("</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data></ds:KeyInfo></ds:Signature>");

        let base = doc.base;
        let mut out = String::with_capacity(unsigned_xml.len() + s.len() + root.qname.len() + 3);
        if root.self_closing {
            // `<root …/>` becomes `<root …>SIG</root>`
            let slash = base + root.tag.end.saturating_sub(2);
            out.push_str(unsigned_xml.get(..slash).unwrap_or_default());
            out.push('>');
            out.push_str(&s);
            out.push_str("</");
            out.push_str(root.qname);
            out.push('>');
            out.push_str(unsigned_xml.get(base + root.tag.end..).unwrap_or_default());
        } else {
            let at = match doc.nodes.get(root.end) {
                Some(Node::End { tag, .. }) => base + tag.start,
                _ => {
                    return Err(DsigError::MalformedXml {
                        offset: 0,
                        kind: MalformedKind::Unclosed,
                    });
                }
            };
            out.push_str(unsigned_xml.get(..at).unwrap_or_default());
            out.push_str(&s);
            out.push_str(unsigned_xml.get(at..).unwrap_or_default());
        }
        Ok(out)
    }
}

/// Escapes character data for element content.
fn push_escaped(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}
