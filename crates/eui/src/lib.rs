//! EUI-64 identifiers.
//!
//! Devices and DCC users are named by 64-bit extended unique identifiers. DUIS writes them as
//! eight upper- or lower-case hex octets separated by dashes (`00-DB-12-34-56-78-90-A0`); GBCS
//! carries the eight raw bytes (system titles); certificates carry them in a BIT STRING. This crate
//! is the one place that parses and prints them.

use std::fmt;
use std::str::FromStr;

/// A 64-bit extended unique identifier.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Eui64(pub [u8; 8]);

/// Why a string is not an EUI-64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseEuiError {
    input: String,
}

impl fmt::Display for ParseEuiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not an EUI-64 (expected eight hex octets like 00-DB-12-34-56-78-90-A0): {:?}",
            self.input
        )
    }
}

impl std::error::Error for ParseEuiError {}

impl Eui64 {
    /// The raw eight bytes, most significant first.
    pub const fn bytes(&self) -> [u8; 8] {
        self.0
    }

    /// As a big-endian integer.
    pub const fn to_u64(self) -> u64 {
        u64::from_be_bytes(self.0)
    }

    /// From a big-endian integer.
    pub const fn from_u64(v: u64) -> Self {
        Self(v.to_be_bytes())
    }

    /// Lower-case hex without separators (`00db1234567890a0`), as used in file names.
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(16);
        for b in self.0 {
            s.push(HEX_LOWER[usize::from(b >> 4)] as char);
            s.push(HEX_LOWER[usize::from(b & 0x0f)] as char);
        }
        s
    }

    /// From a byte slice of exactly eight bytes.
    pub fn from_slice(b: &[u8]) -> Option<Self> {
        <[u8; 8]>::try_from(b).ok().map(Self)
    }
}

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl FromStr for Eui64 {
    type Err = ParseEuiError;

    /// Accepts the dashed DUIS form (`00-DB-12-34-56-78-90-A0`), or sixteen hex digits with no
    /// separators, either case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseEuiError {
            input: s.chars().take(64).collect(),
        };
        let b = s.as_bytes();
        let mut out = [0u8; 8];
        let (stride, len) = match b.len() {
            23 => (3, 23),
            16 => (2, 16),
            _ => return Err(err()),
        };
        for (i, o) in out.iter_mut().enumerate() {
            let p = i * stride;
            if stride == 3 && i < 7 && b.get(p + 2) != Some(&b'-') {
                return Err(err());
            }
            let hi = b.get(p).copied().and_then(hex_val).ok_or_else(err)?;
            let lo = b.get(p + 1).copied().and_then(hex_val).ok_or_else(err)?;
            *o = (hi << 4) | lo;
        }
        debug_assert_eq!(len, b.len());
        Ok(Self(out))
    }
}

impl fmt::Display for Eui64 {
    /// The DUIS form: upper-case octets separated by dashes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 23];
        for (i, b) in self.0.iter().enumerate() {
            let p = i * 3;
            buf[p] = HEX_UPPER[usize::from(b >> 4)];
            buf[p + 1] = HEX_UPPER[usize::from(b & 0x0f)];
            if i < 7 {
                buf[p + 2] = b'-';
            }
        }
        // Only ASCII hex digits and dashes were written.
        f.write_str(std::str::from_utf8(&buf).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Eui64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Eui64({self})")
    }
}

/// In human-readable formats (JSON) the dashed hex text; in binary ones its eight bytes.
impl serde::Serialize for Eui64 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            serde::Serialize::serialize(&self.0, s)
        }
    }
}

impl<'de> serde::Deserialize<'de> for Eui64 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
            s.parse().map_err(serde::de::Error::custom)
        } else {
            <[u8; 8] as serde::Deserialize>::deserialize(d).map(Self)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_dashed_and_plain() {
        let a: Eui64 = "00-DB-12-34-56-78-90-A0".parse().unwrap();
        let b: Eui64 = "00db1234567890a0".parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(a.0, [0x00, 0xdb, 0x12, 0x34, 0x56, 0x78, 0x90, 0xa0]);
        assert_eq!(a.to_string(), "00-DB-12-34-56-78-90-A0");
        assert_eq!(a.to_hex(), "00db1234567890a0");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "00-DB-12-34-56-78-90",
            "00-DB-12-34-56-78-90-A0-",
            "00:DB:12:34:56:78:90:A0",
            "00-DB-12-34-56-78-90-AG",
            "00db1234567890a",
            "é0db1234567890a0",
        ] {
            assert!(bad.parse::<Eui64>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn serde_uses_duis_form() {
        let a = Eui64::from_u64(0x90b3_d51f_3001_0000);
        let j = serde_json::to_string(&a).unwrap();
        assert_eq!(j, "\"90-B3-D5-1F-30-01-00-00\"");
        assert_eq!(serde_json::from_str::<Eui64>(&j).unwrap(), a);
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(v in any::<u64>()) {
            let e = Eui64::from_u64(v);
            prop_assert_eq!(e.to_string().parse::<Eui64>().unwrap(), e);
            prop_assert_eq!(e.to_hex().parse::<Eui64>().unwrap(), e);
        }

        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = s.parse::<Eui64>();
        }
    }
}
