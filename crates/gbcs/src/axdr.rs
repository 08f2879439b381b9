//! A-XDR encoding of COSEM `Data` (the DLMS value type).

use crate::codec::{MAX_DEPTH, Reader, write_length, write_length_prefixed};
use crate::error::DecodeError;

/// A COSEM `Data` value. Every variant re-encodes to the bytes it was decoded from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Data {
    /// `00` null-data.
    Null,
    /// `01` array.
    Array(Vec<Data>),
    /// `02` structure.
    Structure(Vec<Data>),
    /// `03` boolean (the raw octet; 0 is false).
    Boolean(u8),
    /// `04` bit-string: number of bits and the packed bytes.
    BitString {
        /// Number of bits.
        bits: usize,
        /// `ceil(bits / 8)` bytes, first bit in the most significant position.
        bytes: Vec<u8>,
    },
    /// `05` double-long (i32).
    DoubleLong(i32),
    /// `06` double-long-unsigned (u32).
    DoubleLongUnsigned(u32),
    /// `09` octet-string.
    OctetString(Vec<u8>),
    /// `0A` visible-string.
    VisibleString(Vec<u8>),
    /// `0C` utf8-string.
    Utf8String(Vec<u8>),
    /// `0D` bcd.
    Bcd(u8),
    /// `0F` integer (i8).
    Integer(i8),
    /// `10` long (i16).
    Long(i16),
    /// `11` unsigned (u8).
    Unsigned(u8),
    /// `12` long-unsigned (u16).
    LongUnsigned(u16),
    /// `14` long64 (i64).
    Long64(i64),
    /// `15` long64-unsigned (u64).
    Long64Unsigned(u64),
    /// `16` enum.
    Enum(u8),
    /// `17` float32 (raw IEEE 754 bytes).
    Float32([u8; 4]),
    /// `18` float64 (raw IEEE 754 bytes).
    Float64([u8; 8]),
    /// `19` date-time (12 bytes).
    DateTime([u8; 12]),
    /// `1A` date (5 bytes).
    Date([u8; 5]),
    /// `1B` time (4 bytes).
    Time([u8; 4]),
    /// `13` compact-array: a type description and the packed contents (kept as bytes).
    CompactArray {
        /// The element type description.
        description: TypeDescription,
        /// The array contents, values without tags.
        contents: Vec<u8>,
    },
    /// `FF` don't-care.
    DontCare,
}

/// A compact-array type description.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeDescription {
    /// A simple type: its data tag.
    Simple(u8),
    /// `01` array: element count and element type.
    Array {
        /// Number of elements.
        count: u16,
        /// Element type.
        element: Box<TypeDescription>,
    },
    /// `02` structure: member types.
    Structure(Vec<TypeDescription>),
}

impl TypeDescription {
    fn read(r: &mut Reader<'_>, depth: usize) -> Result<Self, DecodeError> {
        if depth > MAX_DEPTH {
            return Err(DecodeError::TooDeep {
                offset: r.offset(),
                limit: MAX_DEPTH,
            });
        }
        let off = r.offset();
        Ok(match r.u8()? {
            0x01 => {
                let count = r.u16_be()?;
                TypeDescription::Array {
                    count,
                    element: Box::new(Self::read(r, depth + 1)?),
                }
            }
            0x02 => {
                let n = r.length()?;
                if n > r.remaining() {
                    return Err(DecodeError::Truncated {
                        offset: r.offset(),
                        needed: n - r.remaining(),
                    });
                }
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    v.push(Self::read(r, depth + 1)?);
                }
                TypeDescription::Structure(v)
            }
            t @ (0x00 | 0x03..=0x06 | 0x09..=0x12 | 0x14..=0x1B | 0xFF) => {
                TypeDescription::Simple(t)
            }
            found => {
                return Err(DecodeError::UnexpectedTag {
                    offset: off,
                    expected: "type description tag",
                    found,
                });
            }
        })
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            TypeDescription::Simple(t) => out.push(*t),
            TypeDescription::Array { count, element } => {
                out.push(0x01);
                out.extend_from_slice(&count.to_be_bytes());
                element.write(out);
            }
            TypeDescription::Structure(v) => {
                out.push(0x02);
                write_length(out, v.len());
                for t in v {
                    t.write(out);
                }
            }
        }
    }
}

impl Data {
    /// Decodes one value from the start of `bytes`; all bytes must be used.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let d = Self::read(&mut r, 0)?;
        r.finish()?;
        Ok(d)
    }

    pub(crate) fn read(r: &mut Reader<'_>, depth: usize) -> Result<Self, DecodeError> {
        if depth > MAX_DEPTH {
            return Err(DecodeError::TooDeep {
                offset: r.offset(),
                limit: MAX_DEPTH,
            });
        }
        let off = r.offset();
        let tag = r.u8()?;
        Ok(match tag {
            0x00 => Data::Null,
            0x01 | 0x02 => {
                let n = r.length()?;
                // Each element takes at least one byte: refuse counts the input cannot hold.
                if n > r.remaining() {
                    return Err(DecodeError::Truncated {
                        offset: r.offset(),
                        needed: n - r.remaining(),
                    });
                }
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    v.push(Self::read(r, depth + 1)?);
                }
                if tag == 1 {
                    Data::Array(v)
                } else {
                    Data::Structure(v)
                }
            }
            0x03 => Data::Boolean(r.u8()?),
            0x04 => {
                let bits = r.length()?;
                let bytes = r.take(bits.div_ceil(8))?.to_vec();
                Data::BitString { bits, bytes }
            }
            0x05 => Data::DoubleLong(i32::from_be_bytes(r.array()?)),
            0x06 => Data::DoubleLongUnsigned(r.u32_be()?),
            0x09 => Data::OctetString(r.length_prefixed()?.to_vec()),
            0x0A => Data::VisibleString(r.length_prefixed()?.to_vec()),
            0x0C => Data::Utf8String(r.length_prefixed()?.to_vec()),
            0x0D => Data::Bcd(r.u8()?),
            0x0F => Data::Integer(i8::from_be_bytes(r.array()?)),
            0x10 => Data::Long(i16::from_be_bytes(r.array()?)),
            0x11 => Data::Unsigned(r.u8()?),
            0x12 => Data::LongUnsigned(r.u16_be()?),
            0x14 => Data::Long64(i64::from_be_bytes(r.array()?)),
            0x15 => Data::Long64Unsigned(r.u64_be()?),
            0x16 => Data::Enum(r.u8()?),
            0x17 => Data::Float32(r.array()?),
            0x18 => Data::Float64(r.array()?),
            0x19 => Data::DateTime(r.array()?),
            0x1A => Data::Date(r.array()?),
            0x1B => Data::Time(r.array()?),
            0x13 => Data::CompactArray {
                description: TypeDescription::read(r, depth + 1)?,
                contents: r.length_prefixed()?.to_vec(),
            },
            0xFF => Data::DontCare,
            found => {
                return Err(DecodeError::UnexpectedTag {
                    offset: off,
                    expected: "A-XDR data tag",
                    found,
                });
            }
        })
    }

    /// Encodes the value.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// Appends the encoded value to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            Data::Null => out.push(0x00),
            Data::Array(v) | Data::Structure(v) => {
                out.push(if matches!(self, Data::Array(_)) {
                    0x01
                } else {
                    0x02
                });
                write_length(out, v.len());
                for d in v {
                    d.encode_into(out);
                }
            }
            Data::Boolean(b) => out.extend_from_slice(&[0x03, *b]),
            Data::BitString { bits, bytes } => {
                out.push(0x04);
                write_length(out, *bits);
                out.extend_from_slice(bytes);
            }
            Data::DoubleLong(v) => {
                out.push(0x05);
                out.extend_from_slice(&v.to_be_bytes());
            }
            Data::DoubleLongUnsigned(v) => {
                out.push(0x06);
                out.extend_from_slice(&v.to_be_bytes());
            }
            Data::OctetString(b) => {
                out.push(0x09);
                write_length_prefixed(out, b);
            }
            Data::VisibleString(b) => {
                out.push(0x0A);
                write_length_prefixed(out, b);
            }
            Data::Utf8String(b) => {
                out.push(0x0C);
                write_length_prefixed(out, b);
            }
            Data::Bcd(v) => out.extend_from_slice(&[0x0D, *v]),
            Data::Integer(v) => {
                out.push(0x0F);
                out.extend_from_slice(&v.to_be_bytes());
            }
            Data::Long(v) => {
                out.push(0x10);
                out.extend_from_slice(&v.to_be_bytes());
            }
            Data::Unsigned(v) => out.extend_from_slice(&[0x11, *v]),
            Data::LongUnsigned(v) => {
                out.push(0x12);
                out.extend_from_slice(&v.to_be_bytes());
            }
            Data::Long64(v) => {
                out.push(0x14);
                out.extend_from_slice(&v.to_be_bytes());
            }
            Data::Long64Unsigned(v) => {
                out.push(0x15);
                out.extend_from_slice(&v.to_be_bytes());
            }
            Data::Enum(v) => out.extend_from_slice(&[0x16, *v]),
            Data::Float32(b) => {
                out.push(0x17);
                out.extend_from_slice(b);
            }
            Data::Float64(b) => {
                out.push(0x18);
                out.extend_from_slice(b);
            }
            Data::DateTime(b) => {
                out.push(0x19);
                out.extend_from_slice(b);
            }
            Data::Date(b) => {
                out.push(0x1A);
                out.extend_from_slice(b);
            }
            Data::Time(b) => {
                out.push(0x1B);
                out.extend_from_slice(b);
            }
            Data::CompactArray {
                description,
                contents,
            } => {
                out.push(0x13);
                description.write(out);
                write_length_prefixed(out, contents);
            }
            Data::DontCare => out.push(0xFF),
        }
    }
}

/// A COSEM date-time as twelve octets (year hi/lo, month, day, weekday, hour, minute, second,
/// hundredths, deviation hi/lo, clock status). `0xFF`/`0x8000` mark unspecified fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CosemDateTime(pub [u8; 12]);

impl CosemDateTime {
    /// All date and time fields `FF`, deviation unspecified, status `FF`: GBCS "NEVER" (also used
    /// for "not specified").
    pub const NEVER: Self = Self([
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0xFF,
    ]);
    /// All date and time fields `00`, deviation unspecified, status `FF`: GBCS "NOW".
    pub const NOW: Self = Self([0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x00, 0xFF]);

    /// A UTC instant as GBCS commands carry it: weekday not specified (`FF`), hundredths `00`,
    /// deviation not specified (`8000`), clock status not specified (`FF`).
    pub fn utc(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Self {
        let y = year.to_be_bytes();
        Self([
            y[0], y[1], month, day, 0xFF, hour, minute, second, 0x00, 0x80, 0x00, 0xFF,
        ])
    }

    /// As an A-XDR octet-string of 12 bytes (the usual carrier in commands).
    pub fn to_octet_string(self) -> Data {
        Data::OctetString(self.0.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_nested_structure() {
        let b = [
            0x02, 0x02, 0x12, 0x00, 0x33, 0x01, 0x01, 0x09, 0x02, 0xAA, 0xBB,
        ];
        let d = Data::decode(&b).unwrap();
        assert_eq!(
            d,
            Data::Structure(vec![
                Data::LongUnsigned(0x33),
                Data::Array(vec![Data::OctetString(vec![0xAA, 0xBB])])
            ])
        );
        assert_eq!(d.encode(), b);
    }

    #[test]
    fn bit_string_uses_bit_count() {
        let b = [0x04, 0x0A, 0xFF, 0xC0];
        let d = Data::decode(&b).unwrap();
        assert_eq!(
            d,
            Data::BitString {
                bits: 10,
                bytes: vec![0xFF, 0xC0]
            }
        );
        assert_eq!(d.encode(), b);
    }

    #[test]
    fn rejects_unknown_tag_and_deep_nesting() {
        assert!(Data::decode(&[0x07]).is_err());
        let deep = [0x01, 0x01].repeat(MAX_DEPTH + 2);
        assert!(matches!(
            Data::decode(&deep),
            Err(DecodeError::TooDeep { .. })
        ));
    }

    #[test]
    fn huge_counts_fail_fast() {
        assert!(Data::decode(&[0x01, 0x84, 0x7f, 0xff, 0xff, 0xff]).is_err());
    }
}
