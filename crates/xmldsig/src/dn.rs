//! Distinguished names: Java-style RFC 2253 rendering of certificate
//! issuers, and tolerant comparison of DN strings as Java and OpenSSL print
//! them.

use x509_parser::prelude::{FromDer, X509Certificate};

use crate::dsig::IssuerSerial;
use crate::error::{CertificateError, DsigError};

/// One DER TLV.
struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
    raw: &'a [u8],
}

/// Reads one DER TLV (low tag numbers, definite lengths up to 4 octets).
fn read_tlv(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if tag & 0x1F == 0x1F {
        return None;
    }
    let (&l, rest) = rest.split_first()?;
    let (len, rest) = if l < 0x80 {
        (usize::from(l), rest)
    } else {
        let n = usize::from(l & 0x7F);
        if n == 0 || n > 4 {
            return None;
        }
        let (len_bytes, rest) = (rest.get(..n)?, rest.get(n..)?);
        let len = len_bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, rest)
    };
    let content = rest.get(..len)?;
    let after = rest.get(len..)?;
    let raw = input.get(..input.len() - after.len())?;
    Some((Tlv { tag, content, raw }, after))
}

/// Iterates the TLVs of a constructed value's content.
fn tlvs(mut content: &[u8]) -> impl Iterator<Item = Option<Tlv<'_>>> {
    std::iter::from_fn(move || {
        if content.is_empty() {
            return None;
        }
        match read_tlv(content) {
            Some((t, rest)) => {
                content = rest;
                Some(Some(t))
            }
            None => {
                content = &[];
                Some(None)
            }
        }
    })
}

/// OID content octets to dotted decimal.
fn oid_to_string(content: &[u8]) -> Option<String> {
    let mut arcs: Vec<u64> = Vec::new();
    let mut v: u64 = 0;
    let mut fresh = true;
    for &b in content {
        if fresh && b == 0x80 {
            return None; // non-minimal encoding
        }
        v = v.checked_mul(128)?.checked_add(u64::from(b & 0x7F))?;
        fresh = b & 0x80 == 0;
        if fresh {
            if arcs.is_empty() {
                let first = (v / 40).min(2);
                arcs.push(first);
                arcs.push(v - first * 40);
            } else {
                arcs.push(v);
            }
            v = 0;
        }
    }
    if !fresh || arcs.is_empty() {
        return None;
    }
    Some(
        arcs.iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    )
}

/// Keywords Java's `X500Principal.getName(RFC2253)` emits; any other
/// attribute type is printed as a dotted OID with a `#hex` value.
fn rfc2253_keyword(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        _ => return None,
    })
}

/// Attribute type names accepted when comparing DN strings.
fn keyword_oid(kw: &str) -> Option<&'static str> {
    Some(match kw.to_ascii_uppercase().as_str() {
        "CN" | "COMMONNAME" => "2.5.4.3",
        "C" | "COUNTRYNAME" => "2.5.4.6",
        "L" | "LOCALITYNAME" => "2.5.4.7",
        "ST" | "S" | "STATEORPROVINCENAME" => "2.5.4.8",
        "STREET" | "STREETADDRESS" => "2.5.4.9",
        "O" | "ORGANIZATIONNAME" => "2.5.4.10",
        "OU" | "ORGANIZATIONALUNITNAME" => "2.5.4.11",
        "T" | "TITLE" => "2.5.4.12",
        "SN" | "SURNAME" => "2.5.4.4",
        "SERIALNUMBER" => "2.5.4.5",
        "GN" | "GIVENNAME" => "2.5.4.42",
        "INITIALS" => "2.5.4.43",
        "GENERATION" | "GENERATIONQUALIFIER" => "2.5.4.44",
        "X500UNIQUEIDENTIFIER" | "UNIQUEIDENTIFIER" => "2.5.4.45",
        "DNQ" | "DNQUALIFIER" => "2.5.4.46",
        "DC" | "DOMAINCOMPONENT" => "0.9.2342.19200300.100.1.25",
        "UID" | "USERID" => "0.9.2342.19200300.100.1.1",
        "E" | "EMAIL" | "EMAILADDRESS" => "1.2.840.113549.1.9.1",
        _ => return None,
    })
}

/// Decodes DER string types Java renders as text.
fn der_string(tag: u8, content: &[u8]) -> Option<String> {
    match tag {
        0x0C => std::str::from_utf8(content).ok().map(str::to_owned),
        // PrintableString, T61String, IA5String, GeneralString: byte = char
        0x13 | 0x14 | 0x16 | 0x1B => Some(content.iter().map(|&b| char::from(b)).collect()),
        0x1E => {
            if !content.len().is_multiple_of(2) {
                return None;
            }
            let units: Vec<u16> = content
                .chunks_exact(2)
                .map(|c| {
                    u16::from_be_bytes([
                        c.first().copied().unwrap_or(0),
                        c.get(1).copied().unwrap_or(0),
                    ])
                })
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

fn hex_lower(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        for nibble in [b >> 4, b & 0xF] {
            s.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    s
}

/// Java's RFC 2253 value escaping: `,=+<>#;"\` anywhere, and leading or
/// trailing spaces.
fn escape_value_java(v: &str, out: &mut String) {
    let chars: Vec<char> = v.chars().collect();
    let lead = chars.iter().take_while(|&&c| c == ' ' || c == '\r').count();
    let trail_len = chars
        .iter()
        .rev()
        .take_while(|&&c| c == ' ' || c == '\r')
        .count();
    let trail_start = chars.len().saturating_sub(trail_len).max(lead);
    for (i, &c) in chars.iter().enumerate() {
        if ",=+<>#;\"\\".contains(c) || i < lead || i >= trail_start {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Renders a DER `Name` as Java's `X500Principal.getName("RFC2253")` does:
/// RDNs most-specific first, `CN`/`OU`/… keywords, other types as OIDs with
/// `#hex` DER values.
pub(crate) fn name_to_rfc2253(name_der: &[u8]) -> Option<String> {
    let (seq, rest) = read_tlv(name_der)?;
    if seq.tag != 0x30 || !rest.is_empty() {
        return None;
    }
    let mut rdns: Vec<String> = Vec::new();
    for set in tlvs(seq.content) {
        let set = set?;
        if set.tag != 0x31 {
            return None;
        }
        let mut rdn = String::new();
        for ava in tlvs(set.content) {
            let ava = ava?;
            if ava.tag != 0x30 {
                return None;
            }
            let (oid, rest) = read_tlv(ava.content)?;
            let (value, rest) = read_tlv(rest)?;
            if oid.tag != 0x06 || !rest.is_empty() {
                return None;
            }
            let oid = oid_to_string(oid.content)?;
            if !rdn.is_empty() {
                rdn.push('+');
            }
            match (rfc2253_keyword(&oid), der_string(value.tag, value.content)) {
                (Some(kw), Some(text)) => {
                    rdn.push_str(kw);
                    rdn.push('=');
                    escape_value_java(&text, &mut rdn);
                }
                (kw, _) => {
                    rdn.push_str(kw.unwrap_or(&oid));
                    rdn.push_str("=#");
                    rdn.push_str(&hex_lower(value.raw));
                }
            }
        }
        rdns.push(rdn);
    }
    rdns.reverse();
    Some(rdns.join(","))
}

/// Big-endian unsigned bytes to decimal.
fn to_decimal(bytes: &[u8]) -> String {
    let mut num: Vec<u8> = bytes.iter().copied().skip_while(|&b| b == 0).collect();
    if num.is_empty() {
        return "0".to_owned();
    }
    let mut digits = Vec::new();
    while !num.is_empty() {
        let mut rem: u32 = 0;
        let mut next = Vec::with_capacity(num.len());
        for &b in &num {
            let cur = (rem << 8) | u32::from(b);
            let q = cur / 10;
            rem = cur % 10;
            if !(next.is_empty() && q == 0) {
                next.push(u8::try_from(q).unwrap_or(0));
            }
        }
        digits.push(char::from(b'0' + u8::try_from(rem).unwrap_or(0)));
        num = next;
    }
    digits.iter().rev().collect()
}

const OID_EC_PUBLIC_KEY: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];

/// Extracts the SEC1 point from a P-256 SubjectPublicKeyInfo.
fn p256_point(spki: &[u8]) -> Option<Vec<u8>> {
    let (seq, rest) = read_tlv(spki)?;
    if seq.tag != 0x30 || !rest.is_empty() {
        return None;
    }
    let (alg, rest) = read_tlv(seq.content)?;
    let (bits, rest) = read_tlv(rest)?;
    if alg.tag != 0x30 || bits.tag != 0x03 || !rest.is_empty() {
        return None;
    }
    let (oid, rest) = read_tlv(alg.content)?;
    let (curve, rest) = read_tlv(rest)?;
    if oid.tag != 0x06
        || oid.content != OID_EC_PUBLIC_KEY
        || curve.tag != 0x06
        || curve.content != OID_P256
    {
        return None;
    }
    if !rest.is_empty() {
        return None;
    }
    let (&unused, point) = bits.content.split_first()?;
    (unused == 0 && point.len() == 65 && point.first() == Some(&0x04)).then(|| point.to_vec())
}

/// The `IssuerSerial` a DUIS signature by this certificate carries (issuer
/// in Java's RFC 2253 form, serial in decimal), and the certificate's
/// P-256 public key as a SEC1 uncompressed point.
///
/// # Errors
/// [`DsigError::Certificate`].
pub fn issuer_serial_of_cert(cert_der: &[u8]) -> Result<(IssuerSerial, Vec<u8>), DsigError> {
    let cert_err = |e| DsigError::Certificate(e);
    let (rest, cert) =
        X509Certificate::from_der(cert_der).map_err(|_| cert_err(CertificateError::Parse))?;
    if !rest.is_empty() {
        return Err(cert_err(CertificateError::Parse));
    }
    let raw_serial = cert.tbs_certificate.raw_serial();
    if raw_serial.first().is_none_or(|&b| b & 0x80 != 0) {
        return Err(cert_err(CertificateError::InvalidSerial));
    }
    let serial = to_decimal(raw_serial);
    let issuer_name =
        name_to_rfc2253(cert.issuer().as_raw()).ok_or(cert_err(CertificateError::IssuerName))?;
    let point =
        p256_point(cert.public_key().raw).ok_or(cert_err(CertificateError::UnsupportedKey))?;
    Ok((
        IssuerSerial {
            issuer_name,
            serial,
        },
        point,
    ))
}

/// A parsed attribute value for comparison.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Value {
    /// Case-folded, whitespace-collapsed text.
    Text(String),
    /// DER of a non-string value.
    Der(Vec<u8>),
}

type Rdn = Vec<(String, Value)>;

fn normalize_text(s: &str) -> String {
    s.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Splits on any of `seps` outside quotes and not escaped by `\`.
fn split_unescaped<'s>(s: &'s str, seps: &[char]) -> Vec<&'s str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if !quoted && seps.contains(&c) {
            parts.push(s.get(start..i).unwrap_or_default());
            start = i + c.len_utf8();
        }
    }
    parts.push(s.get(start..).unwrap_or_default());
    parts
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

/// Removes RFC 2253/4514 escapes (`\,` and `\HH`) and surrounding quotes.
fn unescape_value(v: &str) -> Option<String> {
    let v = match v.strip_prefix('"') {
        Some(inner) => inner.strip_suffix('"')?,
        None => v,
    };
    let mut bytes = Vec::with_capacity(v.len());
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let a = chars.next()?;
        match (a.to_digit(16), chars.peek().and_then(|b| b.to_digit(16))) {
            (Some(hi), Some(lo)) => {
                chars.next();
                bytes.push(u8::try_from(hi * 16 + lo).ok()?);
            }
            _ => {
                let mut buf = [0u8; 4];
                bytes.extend_from_slice(a.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    String::from_utf8(bytes).ok()
}

fn parse_type(t: &str) -> Option<String> {
    let t = t.trim();
    let t = t
        .strip_prefix("OID.")
        .or_else(|| t.strip_prefix("oid."))
        .unwrap_or(t);
    if let Some(oid) = keyword_oid(t) {
        return Some(oid.to_owned());
    }
    let dotted = !t.is_empty()
        && t.split('.').count() >= 2
        && t.split('.')
            .all(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()));
    dotted.then(|| t.to_owned())
}

fn parse_value(v: &str) -> Option<Value> {
    let v = v.trim();
    if let Some(hex) = v.strip_prefix('#') {
        let der = hex_decode(hex)?;
        let (tlv, rest) = read_tlv(&der)?;
        if !rest.is_empty() {
            return None;
        }
        return Some(match der_string(tlv.tag, tlv.content) {
            Some(text) => Value::Text(normalize_text(&text)),
            None => Value::Der(der),
        });
    }
    Some(Value::Text(normalize_text(&unescape_value(v)?)))
}

fn parse_dn(s: &str) -> Option<Vec<Rdn>> {
    let s = s.trim();
    if s.is_empty() {
        return Some(Vec::new());
    }
    let rdn_strings = match s.strip_prefix('/') {
        Some(slashed) => split_unescaped(slashed, &['/']),
        None => split_unescaped(s, &[',', ';']),
    };
    let mut rdns = Vec::with_capacity(rdn_strings.len());
    for r in rdn_strings {
        let mut rdn: Rdn = Vec::new();
        for ava in split_unescaped(r, &['+']) {
            let (t, v) = ava.split_once('=')?;
            rdn.push((parse_type(t)?, parse_value(v)?));
        }
        rdn.sort();
        rdns.push(rdn);
    }
    Some(rdns)
}

/// Compares two distinguished names written as strings: RFC 2253/4514
/// (`CN=Z1,OU=07`, as Java prints), OpenSSL's one-line form
/// (`OU = 07, CN = Z1`, DER order) or its legacy slash form (`/OU=07/CN=Z1`).
///
/// Attribute types are matched case-insensitively, by keyword or OID
/// (`CN`, `2.5.4.3`, `OID.2.5.4.3`); values case-insensitively with
/// whitespace collapsed (`#hex` string values decoded); the AVAs of a
/// multi-valued RDN in any order. The RDN sequence must be equal either as
/// written or reversed (to bridge Java's and OpenSSL's orders). Anything
/// unparseable never matches.
#[must_use]
pub fn issuer_names_match(a: &str, b: &str) -> bool {
    let (Some(x), Some(mut y)) = (parse_dn(a), parse_dn(b)) else {
        return false;
    };
    if x == y {
        return true;
    }
    y.reverse();
    x == y
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_conversion() {
        assert_eq!(to_decimal(&[]), "0");
        assert_eq!(to_decimal(&[0, 0]), "0");
        assert_eq!(to_decimal(&[1, 0]), "256");
        assert_eq!(
            to_decimal(&[
                0x7D, 0xAC, 0x72, 0x83, 0xAA, 0xD2, 0x9B, 0xDD, 0x23, 0xC9, 0xEF, 0xBF, 0xDD, 0xB5,
                0x2A, 0x41
            ]),
            "167048897159233642262001557408276884033"
        );
    }

    #[test]
    fn oid_decoding() {
        assert_eq!(
            oid_to_string(&[0x55, 0x04, 0x03]).as_deref(),
            Some("2.5.4.3")
        );
        assert_eq!(
            oid_to_string(OID_P256).as_deref(),
            Some("1.2.840.10045.3.1.7")
        );
        assert_eq!(oid_to_string(&[0x55, 0x84]), None);
        assert_eq!(oid_to_string(&[0x55, 0x80, 0x01]), None);
    }

    #[test]
    fn rfc2253_rendering() {
        // SEQUENCE { SET { OU=07 }, SET { CN=Z1 } }
        let name = [
            0x30, 0x1A, 0x31, 0x0B, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x0B, 0x0C, 0x02, b'0',
            b'7', 0x31, 0x0B, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0C, 0x02, b'Z', b'1',
        ];
        assert_eq!(name_to_rfc2253(&name).as_deref(), Some("CN=Z1,OU=07"));
        // an unknown type (2.5.4.45) with a BIT STRING value, and escaping
        let name = [
            0x30, 0x1B, 0x31, 0x0A, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x2D, 0x03, 0x01, 0x00,
            0x31, 0x0D, 0x30, 0x0B, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x04, b' ', b'a', b',',
            b'b',
        ];
        assert_eq!(
            name_to_rfc2253(&name).as_deref(),
            Some("CN=\\ a\\,b,2.5.4.45=#030100")
        );
        assert_eq!(name_to_rfc2253(&[0x30, 0x01]), None);
    }

    #[test]
    fn name_matching() {
        assert!(issuer_names_match("CN=Z1,OU=07", "CN=Z1,OU=07"));
        assert!(issuer_names_match("CN=Z1,OU=07", "cn = z1 , ou=07"));
        assert!(issuer_names_match("CN=Z1,OU=07", "OU = 07, CN = Z1"));
        assert!(issuer_names_match("CN=Z1,OU=07", "/OU=07/CN=Z1"));
        assert!(issuer_names_match(
            "CN=Z1,OU=07",
            "2.5.4.3=#0c025a31,OID.2.5.4.11=07"
        ));
        assert!(issuer_names_match("CN=a\\,b", "CN=\"a,b\""));
        assert!(issuer_names_match("CN=a\\2cb", "CN=a\\,b"));
        assert!(issuer_names_match("CN=x+O=y,C=GB", "C=GB,O=y+CN=x"));
        assert!(!issuer_names_match("CN=U1, OU=07", "CN=Z1,OU=07"));
        assert!(!issuer_names_match("CN=Z1,OU=07", "CN=Z1"));
        assert!(!issuer_names_match("CN=Z1,OU=07", "CN=07,OU=Z1"));
        assert!(!issuer_names_match("CN=Z1,OU=07,O=A", "OU=07,CN=Z1,O=A"));
        assert!(!issuer_names_match("garbage", "CN=Z1"));
        assert!(!issuer_names_match("XX=1", "XX=1"));
    }
}
