//! Distinguished names printed as RFC 2253 strings the way Java's
//! `X500Principal.getName(X500Principal.RFC2253)` prints them.
//!
//! XML-DSig `X509IssuerName` values produced by Java tools (Apache Santuario, DCC Boxed) take
//! this form, so matching them byte-for-byte needs the same rules:
//!
//! * RDNs most-specific first (the reverse of the DER order), joined by `,` with no spaces;
//!   attributes within a multi-valued RDN joined by `+` (here in their DER order);
//! * keywords only for `CN C L ST O OU STREET DC UID`; any other attribute is written as its
//!   dotted OID and its value as `#` + lower-case hex of the value's whole DER encoding;
//! * a value that is not a string type (UTF8, Printable, Teletex, IA5, General, BMP) is also
//!   written in `#hex` form;
//! * string values escape each of `,=+<>#;"\` with a backslash, NUL as `\00`, and leading and
//!   trailing spaces and carriage returns with a backslash.

use der::{Decode, Encode, Tag, Tagged};
use x509_cert::name::Name;

use crate::error::{Result, SmkiError};

/// Formats a DER-encoded `Name` (an RDNSequence) as Java's RFC 2253 string.
pub fn rfc2253_from_der(name_der: &[u8]) -> Result<String> {
    let name = Name::from_der(name_der).map_err(|e| SmkiError::invalid("name", e.to_string()))?;
    rfc2253(&name)
}

/// Formats a `Name` as Java's RFC 2253 string.
pub fn rfc2253(name: &Name) -> Result<String> {
    let rdns: Vec<_> = name.iter_rdn().collect();
    let mut out = String::new();
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, atv) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            let oid = atv.oid.to_string();
            let keyword = keyword(&oid);
            out.push_str(keyword.unwrap_or(&oid));
            out.push('=');
            match (keyword, string_value(&atv.value)) {
                (Some(_), Some(s)) => escape_into(&mut out, &s),
                _ => {
                    let der = atv
                        .value
                        .to_der()
                        .map_err(|e| SmkiError::invalid("name", e.to_string()))?;
                    out.push('#');
                    for b in der {
                        out.push_str(&format!("{b:02x}"));
                    }
                }
            }
        }
    }
    Ok(out)
}

fn keyword(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.9" => "STREET",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        _ => return None,
    })
}

fn string_value(v: &der::Any) -> Option<String> {
    let bytes = v.value();
    match v.tag() {
        Tag::Utf8String => Some(String::from_utf8_lossy(bytes).into_owned()),
        Tag::PrintableString | Tag::TeletexString | Tag::Ia5String | Tag::GeneralString => {
            // Java decodes these as ISO-8859-1: one char per byte.
            Some(bytes.iter().map(|&b| char::from(b)).collect())
        }
        Tag::BmpString => {
            if !bytes.len().is_multiple_of(2) {
                return None;
            }
            let units = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]));
            Some(
                char::decode_utf16(units)
                    .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
                    .collect(),
            )
        }
        _ => None,
    }
}

fn escape_into(out: &mut String, value: &str) {
    let mut escaped: Vec<char> = Vec::with_capacity(value.len());
    for c in value.chars() {
        match c {
            ',' | '=' | '+' | '<' | '>' | '#' | ';' | '"' | '\\' => {
                escaped.push('\\');
                escaped.push(c);
            }
            '\0' => escaped.extend(['\\', '0', '0']),
            _ => escaped.push(c),
        }
    }
    let is_pad = |c: &char| *c == ' ' || *c == '\r';
    let lead = escaped.iter().take_while(|c| is_pad(c)).count();
    let trail_start = escaped.len() - escaped.iter().rev().take_while(|c| is_pad(c)).count();
    for (i, c) in escaped.iter().enumerate() {
        if i < lead || i >= trail_start {
            out.push('\\');
        }
        out.push(*c);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;
    use std::str::FromStr;

    fn name_from(rfc4514: &str) -> Name {
        Name::from_str(rfc4514).unwrap()
    }

    #[test]
    fn reverses_rdn_order() {
        // x509-cert parses RFC 4514 strings most-specific first, like Java prints them.
        let n = name_from("CN=Z1,OU=07");
        assert_eq!(rfc2253(&n).unwrap(), "CN=Z1,OU=07");
        let der = n.to_der().unwrap();
        assert_eq!(rfc2253_from_der(&der).unwrap(), "CN=Z1,OU=07");
    }

    #[test]
    fn escapes_specials() {
        let n = name_from("CN=a\\,b\\+c\\=d\\;e\\<f\\>g\\\"h\\\\i");
        assert_eq!(
            rfc2253(&n).unwrap(),
            "CN=a\\,b\\+c\\=d\\;e\\<f\\>g\\\"h\\\\i"
        );
        let n = name_from("CN=\\#x");
        assert_eq!(rfc2253(&n).unwrap(), "CN=\\#x");
        let n = name_from("CN=\\ x\\ ");
        assert_eq!(rfc2253(&n).unwrap(), "CN=\\ x\\ ");
    }

    #[test]
    fn unknown_attributes_in_hex() {
        // emailAddress has no RFC 2253 keyword in Java.
        let n = name_from("1.2.840.113549.1.9.1=#160161,CN=x");
        assert_eq!(rfc2253(&n).unwrap(), "1.2.840.113549.1.9.1=#160161,CN=x");
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(rfc2253_from_der(&[0x30, 0x05, 0x31]).is_err());
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_bytes(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            let _ = rfc2253_from_der(&b);
        }
    }
}
