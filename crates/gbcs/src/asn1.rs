//! Generic DER TLV decoding for the ASN.1 GBCS payloads (CS02x, CS03, CS04, CS06, CS07, CS08,
//! GCS28, GCS59, …). Only definite lengths are accepted; a non-minimal long form is remembered
//! so that every decoded value re-encodes to its input.

use crate::codec::{MAX_DEPTH, Reader, write_length_as};
use crate::error::DecodeError;

/// A DER element.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tlv {
    /// Identifier octets (one, or more for high tag numbers).
    pub tag: Vec<u8>,
    /// `Some(n)` when the length was written in a non-minimal long form with `n` octets (GBCS
    /// devices write e.g. `82 00 83`); `None` for the DER minimal form.
    pub long_length: Option<u8>,
    /// Contents.
    pub value: TlvValue,
}

/// The contents of a DER element.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TlvValue {
    /// Primitive encoding: the content octets.
    Primitive(Vec<u8>),
    /// Constructed encoding: the nested elements.
    Constructed(Vec<Tlv>),
}

/// Universal SEQUENCE (constructed).
pub const TAG_SEQUENCE: u8 = 0x30;
/// Universal NULL.
pub const TAG_NULL: u8 = 0x05;
/// Universal OCTET STRING.
pub const TAG_OCTET_STRING: u8 = 0x04;
/// Universal INTEGER.
pub const TAG_INTEGER: u8 = 0x02;
/// Universal GeneralizedTime.
pub const TAG_GENERALIZED_TIME: u8 = 0x18;

impl Tlv {
    /// A primitive element with a one-byte tag.
    pub fn primitive(tag: u8, value: Vec<u8>) -> Self {
        Self {
            tag: vec![tag],
            long_length: None,
            value: TlvValue::Primitive(value),
        }
    }

    /// A constructed element with a one-byte tag.
    pub fn constructed(tag: u8, children: Vec<Tlv>) -> Self {
        Self {
            tag: vec![tag],
            long_length: None,
            value: TlvValue::Constructed(children),
        }
    }

    /// Decodes a sequence of DER elements filling `bytes` exactly (at least one).
    pub fn decode_all(bytes: &[u8]) -> Result<Vec<Tlv>, DecodeError> {
        let mut r = Reader::new(bytes);
        let mut v = Vec::new();
        loop {
            v.push(Self::read(&mut r, 0)?);
            if r.is_empty() {
                return Ok(v);
            }
        }
    }

    /// Decodes exactly one DER element.
    pub fn decode(bytes: &[u8]) -> Result<Tlv, DecodeError> {
        let mut r = Reader::new(bytes);
        let t = Self::read(&mut r, 0)?;
        r.finish()?;
        Ok(t)
    }

    fn read(r: &mut Reader<'_>, depth: usize) -> Result<Self, DecodeError> {
        if depth > MAX_DEPTH {
            return Err(DecodeError::TooDeep {
                offset: r.offset(),
                limit: MAX_DEPTH,
            });
        }
        let off = r.offset();
        let first = r.u8()?;
        let mut tag = vec![first];
        if first & 0x1F == 0x1F {
            // High tag number: base-128 continuation bytes; the first may not be 0x80 (minimal).
            loop {
                let b = r.u8()?;
                if tag.len() == 1 && b == 0x80 {
                    return Err(DecodeError::InvalidValue {
                        offset: off,
                        field: "non-minimal high tag number",
                    });
                }
                tag.push(b);
                if b & 0x80 == 0 {
                    break;
                }
                if tag.len() > 5 {
                    return Err(DecodeError::InvalidValue {
                        offset: off,
                        field: "tag number too large",
                    });
                }
            }
        }
        let (len, long_length) = r.length_lenient()?;
        let content = r.take(len)?;
        let value = if first & 0x20 != 0 {
            let mut c = Reader::new(content);
            let mut children = Vec::new();
            while !c.is_empty() {
                children.push(Self::read(&mut c, depth + 1)?);
            }
            TlvValue::Constructed(children)
        } else {
            TlvValue::Primitive(content.to_vec())
        };
        Ok(Self {
            tag,
            long_length,
            value,
        })
    }

    /// Encodes the element.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// Appends the encoded element to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.tag);
        match &self.value {
            TlvValue::Primitive(b) => {
                write_length_as(out, b.len(), self.long_length);
                out.extend_from_slice(b);
            }
            TlvValue::Constructed(children) => {
                let mut inner = Vec::new();
                for c in children {
                    c.encode_into(&mut inner);
                }
                write_length_as(out, inner.len(), self.long_length);
                out.extend_from_slice(&inner);
            }
        }
    }

    /// The first identifier octet.
    pub fn first_tag_byte(&self) -> Option<u8> {
        self.tag.first().copied()
    }
}

/// A GeneralizedTime in the `YYYYMMDDHHMMSSZ` form GBCS uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GeneralizedTime {
    /// Year (0..=9999).
    pub year: u16,
    /// Month 1..=12.
    pub month: u8,
    /// Day 1..=31.
    pub day: u8,
    /// Hour 0..=23.
    pub hour: u8,
    /// Minute 0..=59.
    pub minute: u8,
    /// Second 0..=59.
    pub second: u8,
}

impl GeneralizedTime {
    /// The DER element, or `None` if a field is out of range.
    pub fn to_tlv(&self) -> Option<Tlv> {
        let ok = self.year <= 9999
            && (1..=12).contains(&self.month)
            && (1..=31).contains(&self.day)
            && self.hour <= 23
            && self.minute <= 59
            && self.second <= 59;
        if !ok {
            return None;
        }
        let s = format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        Some(Tlv::primitive(TAG_GENERALIZED_TIME, s.into_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_round_trip() {
        let b = [0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0xAA];
        let t = Tlv::decode(&b).unwrap();
        assert_eq!(
            t,
            Tlv::constructed(
                0x30,
                vec![Tlv::primitive(2, vec![5]), Tlv::primitive(4, vec![0xAA])]
            )
        );
        assert_eq!(t.encode(), b);
    }

    #[test]
    fn keeps_non_minimal_long_lengths() {
        let b = [0x30, 0x82, 0x00, 0x03, 0x02, 0x01, 0x05];
        let t = Tlv::decode(&b).unwrap();
        assert_eq!(t.long_length, Some(2));
        assert_eq!(t.encode(), b);
    }

    #[test]
    fn rejects_indefinite_and_truncated() {
        assert!(Tlv::decode(&[0x30, 0x80, 0x00, 0x00]).is_err());
        assert!(Tlv::decode(&[0x04, 0x05, 0x00]).is_err());
        assert!(Tlv::decode(&[0x05, 0x00, 0x00]).is_err());
    }

    #[test]
    fn high_tag_numbers() {
        let b = [0x9F, 0x81, 0x01, 0x01, 0x00];
        let t = Tlv::decode(&b).unwrap();
        assert_eq!(t.tag, vec![0x9F, 0x81, 0x01]);
        assert_eq!(t.encode(), b);
        assert!(Tlv::decode(&[0x9F, 0x80, 0x01, 0x00]).is_err());
    }

    #[test]
    fn generalized_time() {
        let t = GeneralizedTime {
            year: 2014,
            month: 12,
            day: 31,
            hour: 23,
            minute: 30,
            second: 0,
        };
        assert_eq!(t.to_tlv().unwrap().encode(), b"\x18\x0f20141231233000Z");
        assert!(GeneralizedTime { month: 13, ..t }.to_tlv().is_none());
    }
}
