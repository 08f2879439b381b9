//! Request identifiers: `originator:target:counter`.

use std::fmt;
use std::str::FromStr;

use eui::Eui64;

/// A DUIS RequestID (`sr:RequestIDType`): the originating user's EUI-64, the target's EUI-64
/// (the device, or the DCC for non-device requests) and a counter, strictly increasing per
/// originator. Written `90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000`.
///
/// A ResponseID has the same shape with originator and target swapped; see
/// [`RequestId::response_id`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId {
    /// The user (or DCC system) that sent the request.
    pub originator: Eui64,
    /// The device or system addressed.
    pub target: Eui64,
    /// Anti-replay counter, 0 to 2⁶⁴−1.
    pub counter: u64,
}

/// Why a string is not a RequestID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "not a DUIS RequestID (expected EUI-64:EUI-64:counter, e.g. 90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000): {input:?}"
)]
pub struct RequestIdError {
    input: String,
}

impl RequestId {
    /// A RequestID from its parts.
    pub const fn new(originator: Eui64, target: Eui64, counter: u64) -> Self {
        Self {
            originator,
            target,
            counter,
        }
    }

    /// The ResponseID for a response to this request: `target:originator:counter`.
    pub const fn response_id(&self) -> RequestId {
        RequestId {
            originator: self.target,
            target: self.originator,
            counter: self.counter,
        }
    }
}

/// An EUI-64 in the dashed form the XSD pattern demands (no undashed variant).
fn parse_dashed_eui(s: &str) -> Option<Eui64> {
    if s.len() != 23 {
        return None;
    }
    s.parse().ok()
}

/// The counter: `0` or digits without a leading zero, at most u64::MAX.
fn parse_counter(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.is_empty()
        || !b.iter().all(u8::is_ascii_digit)
        || (b.len() > 1 && b.first() == Some(&b'0'))
    {
        return None;
    }
    s.parse().ok()
}

impl FromStr for RequestId {
    type Err = RequestIdError;

    /// Exactly the XSD pattern (dashed EUI-64s in either case, counter without leading zeros);
    /// no surrounding whitespace.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || RequestIdError {
            input: s.chars().take(80).collect(),
        };
        let mut parts = s.splitn(3, ':');
        let originator = parts.next().and_then(parse_dashed_eui).ok_or_else(err)?;
        let target = parts.next().and_then(parse_dashed_eui).ok_or_else(err)?;
        let counter = parts.next().and_then(parse_counter).ok_or_else(err)?;
        Ok(Self {
            originator,
            target,
            counter,
        })
    }
}

impl fmt::Display for RequestId {
    /// Upper-case dashed EUI-64s, decimal counter.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.originator, self.target, self.counter)
    }
}

impl serde::Serialize for RequestId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for RequestId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SAMPLE: &str = "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000";

    #[test]
    fn parses_sample() {
        let id: RequestId = SAMPLE.parse().unwrap();
        assert_eq!(
            id.originator,
            Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0, 0])
        );
        assert_eq!(
            id.target,
            Eui64([0, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA0])
        );
        assert_eq!(id.counter, 1000);
        assert_eq!(id.to_string(), SAMPLE);
        assert_eq!(
            id.response_id().to_string(),
            "00-DB-12-34-56-78-90-A0:90-B3-D5-1F-30-01-00-00:1000"
        );
        let lower: RequestId = SAMPLE.to_lowercase().parse().unwrap();
        assert_eq!(lower, id);
    }

    #[test]
    fn counter_bounds() {
        let max = "00-00-00-00-00-00-00-01:00-00-00-00-00-00-00-02:18446744073709551615";
        assert_eq!(max.parse::<RequestId>().unwrap().counter, u64::MAX);
        let zero = "00-00-00-00-00-00-00-01:00-00-00-00-00-00-00-02:0";
        assert_eq!(zero.parse::<RequestId>().unwrap().counter, 0);
    }

    #[test]
    fn rejects_what_the_pattern_rejects() {
        for bad in [
            "",
            "90-B3-D5-1F-30-01-00-00:00-07-81-D7-00-00-36-CE::1000",
            "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:18446744073709551616",
            "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:01",
            "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:+1",
            "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:-1",
            "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0: 1",
            "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1 ",
            "90B3D51F30010000:00-DB-12-34-56-78-90-A0:1",
            "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0",
            "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1:2",
            "90-B3-D5-1F-30-01-00-0G:00-DB-12-34-56-78-90-A0:1",
        ] {
            assert!(bad.parse::<RequestId>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn serde_as_string() {
        let id: RequestId = SAMPLE.parse().unwrap();
        let j = serde_json::to_string(&id).unwrap();
        assert_eq!(j, format!("\"{SAMPLE}\""));
        assert_eq!(serde_json::from_str::<RequestId>(&j).unwrap(), id);
    }

    proptest! {
        #[test]
        fn round_trip(o in any::<u64>(), t in any::<u64>(), c in any::<u64>()) {
            let id = RequestId::new(Eui64::from_u64(o), Eui64::from_u64(t), c);
            let s = id.to_string();
            prop_assert_eq!(s.parse::<RequestId>().unwrap(), id);
            prop_assert_eq!(id.response_id().response_id(), id);
        }

        #[test]
        fn never_panics(s in "\\PC{0,80}") {
            let _ = s.parse::<RequestId>();
        }
    }
}
