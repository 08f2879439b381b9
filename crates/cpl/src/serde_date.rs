//! `YYYY-MM-DD` for a `time::Date` in serde.

use serde::{Deserialize, Deserializer, Serializer};
use time::Date;
use time::macros::format_description;

const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    let text = d.format(FORMAT).map_err(serde::ser::Error::custom)?;
    s.serialize_str(&text)
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    parse(&text).map_err(serde::de::Error::custom)
}

/// Parses `YYYY-MM-DD`.
pub fn parse(text: &str) -> Result<Date, time::error::Parse> {
    Date::parse(text, FORMAT)
}

/// A SHA-256 hash as 64 hex digits in serde.
pub mod hash_hex {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(h: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(h))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        crate::parse_hash(&text).map_err(serde::de::Error::custom)
    }
}
