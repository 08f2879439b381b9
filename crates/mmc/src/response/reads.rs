//! What the read mappings share (4.1.x, 4.2, 4.3, 4.12.x, 4.15, 4.16, 4.18 and the logs and
//! profiles): DLMS integers with their scaler and unit, COSEM date-times and times as
//! `xs:dateTime` / `xs:time`, ZCL integers by data type, decimals for divided gas volumes, and
//! opening a block the device encrypted to the requester (DLMS A-XDR data or ZCL Read
//! Attributes Response records), the device's failure inside it included.

use gbcs::axdr::Data;
use gbcs::usecases::{AttributeRecord, Failure};

use super::{MappingError, Rendering, ResponseCtx};
use crate::xml::Xml;

/// A DLMS integer of any width.
pub(crate) fn integer(d: &Data) -> Option<i128> {
    Some(match d {
        Data::DoubleLongUnsigned(v) => i128::from(*v),
        Data::DoubleLong(v) => i128::from(*v),
        Data::Integer(v) => i128::from(*v),
        Data::Long(v) => i128::from(*v),
        Data::LongUnsigned(v) => i128::from(*v),
        Data::Unsigned(v) => i128::from(*v),
        Data::Long64(v) => i128::from(*v),
        Data::Long64Unsigned(v) => i128::from(*v),
        _ => return None,
    })
}

/// A DLMS `{scaler, unit}` structure.
pub(crate) fn scaler_unit(d: &Data) -> Option<(i8, u8)> {
    match d {
        Data::Structure(su) => match su[..] {
            [Data::Integer(scaler), Data::Enum(unit)] => Some((scaler, unit)),
            _ => None,
        },
        _ => None,
    }
}

/// `value × 10^scaler` as a whole number (the MMC registers are `xs:integer`s in the unit the
/// schema names): an error if the scaler would leave a fraction or the value overflows.
pub(crate) fn scaled(value: i128, scaler: i8) -> Result<i128, MappingError> {
    let p = 10i128
        .checked_pow(u32::from(scaler.unsigned_abs()))
        .ok_or_else(|| MappingError(format!("scaler {scaler} out of range")))?;
    if scaler >= 0 {
        value
            .checked_mul(p)
            .ok_or_else(|| MappingError("register value overflows".into()))
    } else if value % p == 0 {
        Ok(value / p)
    } else {
        Err(MappingError(format!(
            "value {value} with scaler {scaler} is not a whole number of the schema's unit"
        )))
    }
}

/// A DLMS register: `value` scaled by `su`, checked to be in `unit` (DLMS unit code: 27 W,
/// 30 Wh, 32 varh, 255 count).
pub(crate) fn register(value: &Data, su: &Data, unit: u8) -> Result<i128, MappingError> {
    let v = integer(value)
        .ok_or_else(|| MappingError(format!("register value {value:?} is not an integer")))?;
    let (scaler, u) =
        scaler_unit(su).ok_or_else(|| MappingError(format!("{su:?} is not a scaler and unit")))?;
    if u != unit {
        return Err(MappingError(format!(
            "register unit {u}, the schema's element wants unit {unit}"
        )));
    }
    scaled(v, scaler)
}

/// The fields of a COSEM date-time (12 bytes): `None` where a field the schema needs (year to
/// second) is "not specified" (0xFF, 0xFFFF) or out of range. GBCS devices keep UTC: the
/// deviation is not applied (GBCS sets it "not specified").
pub(crate) fn cosem_date_time(b: &[u8]) -> Option<String> {
    let [
        yh,
        yl,
        month,
        day,
        _wd,
        hour,
        minute,
        second,
        _hund,
        _dh,
        _dl,
        _st,
    ] = *b
    else {
        return None;
    };
    let t = gbcs::UtcDateTime::new(
        u16::from_be_bytes([yh, yl]),
        month,
        day,
        hour,
        minute,
        second,
    )?;
    Some(crate::time::xs_date_time(t))
}

/// A COSEM date-time carried as an octet string (or a `date-time` value).
pub(crate) fn date_time_of(d: &Data) -> Option<String> {
    match d {
        Data::OctetString(b) => cosem_date_time(b),
        Data::DateTime(b) => cosem_date_time(b),
        _ => None,
    }
}

/// A COSEM time (`hh mm ss hundredths`, 4 bytes) as `xs:time`.
pub(crate) fn cosem_time(b: &[u8]) -> Option<String> {
    match *b {
        [h, m, s, _] if h < 24 && m < 60 && s < 60 => Some(format!("{h:02}:{m:02}:{s:02}")),
        _ => None,
    }
}

/// One cell of a profile row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cell {
    /// An integer.
    Int(i128),
    /// A COSEM date-time.
    DateTime([u8; 12]),
}

/// A column of a compact array: a simple value or a fixed array of simple values.
#[derive(Debug, Clone, Copy)]
enum Column {
    Simple(u8),
    Array(u8, usize),
}

impl Column {
    fn size(self) -> usize {
        match self {
            Column::Simple(t) => simple_size(t).unwrap_or(0),
            Column::Array(t, n) => simple_size(t).unwrap_or(0).saturating_mul(n),
        }
    }
}

impl Cell {
    /// The integer, if it is one.
    pub(crate) fn int(self) -> Option<i128> {
        match self {
            Cell::Int(v) => Some(v),
            Cell::DateTime(_) => None,
        }
    }

    /// A capture time: ZigBee UTC seconds (GBCS profile columns) or a COSEM date-time.
    pub(crate) fn time(self) -> Option<String> {
        match self {
            Cell::Int(v) => u32::try_from(v)
                .ok()
                .and_then(gbcs::UtcDateTime::from_zigbee_utc)
                .map(crate::time::xs_date_time),
            Cell::DateTime(b) => cosem_date_time(&b),
        }
    }
}

fn cell(d: &Data) -> Option<Cell> {
    match d {
        Data::DateTime(b) => Some(Cell::DateTime(*b)),
        Data::OctetString(b) => <[u8; 12]>::try_from(&b[..]).ok().map(Cell::DateTime),
        d => integer(d).map(Cell::Int),
    }
}

/// The rows of a profile buffer or log: a compact array of structures of fixed-size simple
/// columns or fixed arrays of them (as GBCS devices answer range reads; an array column's values
/// are flattened into the row), or an array of structures.
pub(crate) fn rows(d: &Data) -> Result<Vec<Vec<Cell>>, MappingError> {
    use gbcs::axdr::TypeDescription;
    match d {
        Data::Array(items) => items
            .iter()
            .map(|row| match row {
                Data::Structure(cols) => cols
                    .iter()
                    .map(|c| cell(c).ok_or_else(|| MappingError(format!("profile cell {c:?}"))))
                    .collect(),
                _ => Err(MappingError("a profile row is not a structure".into())),
            })
            .collect(),
        Data::CompactArray {
            description,
            contents,
        } => {
            let TypeDescription::Structure(cols) = description else {
                return Err(MappingError("profile rows are not structures".into()));
            };
            let columns = cols
                .iter()
                .map(|c| match c {
                    TypeDescription::Simple(t) if simple_size(*t).is_some() => {
                        Ok(Column::Simple(*t))
                    }
                    TypeDescription::Array { count, element } => match **element {
                        TypeDescription::Simple(t) if simple_size(t).is_some() => {
                            Ok(Column::Array(t, usize::from(*count)))
                        }
                        _ => Err(MappingError(format!("log column {c:?}"))),
                    },
                    _ => Err(MappingError(format!("log column {c:?}"))),
                })
                .collect::<Result<Vec<Column>, _>>()?;
            let width: usize = columns.iter().map(|c| c.size()).sum();
            if width == 0 || contents.len() % width != 0 {
                return Err(MappingError(format!(
                    "{} bytes of log rows of {width} bytes",
                    contents.len()
                )));
            }
            Ok(contents
                .chunks_exact(width)
                .map(|mut row| {
                    let mut cells = Vec::new();
                    for c in &columns {
                        let (t, n) = match *c {
                            Column::Simple(t) => (t, 1),
                            Column::Array(t, n) => (t, n),
                        };
                        let size = simple_size(t).unwrap_or(0);
                        for _ in 0..n {
                            let (v, rest) = row.split_at(size.min(row.len()));
                            row = rest;
                            cells.push(simple_cell(t, v));
                        }
                    }
                    cells
                })
                .collect())
        }
        _ => Err(MappingError("the profile buffer is not an array".into())),
    }
}

/// The size of a fixed-size simple A-XDR type in a compact array.
fn simple_size(tag: u8) -> Option<usize> {
    Some(match tag {
        0x03 | 0x0F | 0x11 | 0x16 => 1,
        0x10 | 0x12 => 2,
        0x05 | 0x06 => 4,
        0x14 | 0x15 => 8,
        0x19 => 12,
        _ => return None,
    })
}

fn simple_cell(tag: u8, v: &[u8]) -> Cell {
    let be = v.iter().fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
    let bits = u32::try_from(v.len() * 8).unwrap_or(0);
    let signed = matches!(tag, 0x0F | 0x10 | 0x05 | 0x14);
    match tag {
        0x19 => Cell::DateTime(<[u8; 12]>::try_from(v).unwrap_or([0xFF; 12])),
        _ => {
            let u = i128::try_from(be).unwrap_or(0);
            Cell::Int(if signed && bits > 0 && (be >> (bits - 1)) & 1 == 1 {
                u - (1i128 << bits)
            } else {
                u
            })
        }
    }
}

/// `LogEntry`s of a profile buffer whose rows are (capture time, `names`…): each entry the
/// values under `names`, then its `Timestamp`; at most `max` entries (the schema's limit).
pub(crate) fn profile_entries(
    buffer: &Data,
    names: &[&str],
    max: usize,
) -> Result<Xml, MappingError> {
    let rows = rows(buffer)?;
    if rows.len() > max {
        return Err(MappingError(format!(
            "{} entries, the schema holds {max}",
            rows.len()
        )));
    }
    let mut x = Xml::new();
    for row in rows {
        let [time, values @ ..] = &row[..] else {
            return Err(MappingError("an empty profile row".into()));
        };
        if values.len() != names.len() {
            return Err(MappingError(format!(
                "a profile row of {} values, not {}",
                values.len(),
                names.len()
            )));
        }
        x.open("LogEntry", &[]);
        for (name, v) in names.iter().zip(values) {
            let v = v
                .int()
                .ok_or_else(|| MappingError(format!("profile value {v:?}")))?;
            x.leaf(name, &v.to_string());
        }
        if let Some(t) = time.time() {
            x.leaf("Timestamp", &t);
        }
        x.close("LogEntry");
    }
    Ok(x)
}

/// A sample's time (`xs:dateTime`) and value.
pub(crate) type Sample = (Option<String>, u32);

/// Opens a ZSE Get Sampled Data Response (GCS17, GCS18) the GSME encrypted to the requester
/// (or takes the plaintext one), as `(timestamp, litres)` per sample: sample `k` at the first
/// sample's time plus `k` intervals.
pub(crate) fn sampled(
    ctx: &ResponseCtx<'_>,
    what: &str,
    v: &gbcs::usecases::ResponseValue,
) -> Result<Opened<Vec<Sample>>, MappingError> {
    use gbcs::usecases::{ResponseValue, SampledData};
    let data = match v {
        ResponseValue::SampledData(d) => d.clone(),
        ResponseValue::Protected(block) => {
            let plain = match ctx.open(block) {
                Ok(p) => p,
                Err(reason) => {
                    return Ok(Opened::Rendering(ctx.sealed(
                        what,
                        "zigbeeCiphered",
                        block,
                        reason,
                    )));
                }
            };
            SampledData::decode(&plain)
                .map_err(|e| MappingError(format!("the opened {what}: {e}")))?
        }
        _ => return Err(MappingError::unexpected(v)),
    };
    let start = u64::from(data.sample_start_time);
    let step = u64::from(data.sample_request_interval);
    Ok(Opened::Ok(
        data.samples
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let t = u64::try_from(k)
                    .ok()
                    .and_then(|k| k.checked_mul(step))
                    .and_then(|d| d.checked_add(start))
                    .and_then(|t| u32::try_from(t).ok())
                    .and_then(gbcs::UtcDateTime::from_zigbee_utc)
                    .map(crate::time::xs_date_time);
                (t, *s)
            })
            .collect(),
    ))
}

/// A class 113 unit charge (`{{commodity scale, price scale}, commodity reference, [{index,
/// charge}]}`): the price scale and each (index, charge).
pub(crate) struct UnitCharge {
    /// The price scale (power of ten of the currency unit).
    pub price_scale: i8,
    /// The charge table: index bytes and charge.
    pub table: Vec<(Vec<u8>, i128)>,
}

impl UnitCharge {
    /// Parses the unit charge.
    pub(crate) fn of(d: &Data) -> Result<Self, MappingError> {
        let bad = || MappingError(format!("unit charge {d:?}"));
        let Data::Structure(f) = d else {
            return Err(bad());
        };
        let [Data::Structure(scales), _, Data::Array(table)] = &f[..] else {
            return Err(bad());
        };
        let [_, Data::Integer(price_scale)] = scales[..] else {
            return Err(bad());
        };
        let table = table
            .iter()
            .map(|e| match e {
                Data::Structure(ic) => match &ic[..] {
                    [Data::OctetString(index), charge] => {
                        integer(charge).map(|c| (index.clone(), c)).ok_or_else(bad)
                    }
                    _ => Err(bad()),
                },
                _ => Err(bad()),
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { price_scale, table })
    }

    /// The charge at a one-byte index.
    pub(crate) fn at(&self, index: u8) -> Option<i128> {
        self.table
            .iter()
            .find(|(i, _)| i[..] == [index])
            .map(|(_, c)| *c)
    }
}

/// Volumes the GSME counts in litres (its summation divisor 1000, as the RTDS and the emulated
/// GSME), in the schema's m³.
pub(crate) fn litres_as_m3(v: i128) -> String {
    decimal(v, 1000)
}

/// A ZCL integer record (unsigned 0x20–0x27, signed 0x28–0x2F, 8-bit data/bitmap/enum),
/// little-endian.
pub(crate) fn zcl_int(r: &AttributeRecord) -> Option<i128> {
    let (width, signed) = match r.data_type {
        0x08 | 0x18 | 0x30 => (1, false),
        0x20..=0x27 => (usize::from(r.data_type - 0x1F), false),
        0x28..=0x2F => (usize::from(r.data_type - 0x27), true),
        _ => return None,
    };
    if r.value.len() != width {
        return None;
    }
    let raw = r
        .value
        .iter()
        .rev()
        .fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
    let v = i128::try_from(raw).ok()?;
    let bits = u32::try_from(width * 8).ok()?;
    Some(if signed && (raw >> (bits - 1)) & 1 == 1 {
        v - (1i128 << bits)
    } else {
        v
    })
}

/// The record of attribute `id`, as an integer.
pub(crate) fn attr(records: &[AttributeRecord], id: u16) -> Option<i128> {
    records.iter().find(|r| r.id == id).and_then(zcl_int)
}

/// `num / den` as an `xs:decimal`, up to 9 fractional digits (exact when `den` divides a power of
/// ten); `den` 0 counts as 1.
pub(crate) fn decimal(num: i128, den: i128) -> String {
    let den = if den == 0 { 1 } else { den };
    let negative = (num < 0) != (den < 0) && num != 0;
    let (n, d) = (num.unsigned_abs(), den.unsigned_abs());
    let whole = n / d;
    let mut rem = n % d;
    let mut frac = String::new();
    for _ in 0..9 {
        if rem == 0 {
            break;
        }
        rem = rem.saturating_mul(10);
        frac.push(char::from(b'0' + u8::try_from(rem / d).unwrap_or(0)));
        rem %= d;
    }
    let frac = frac.trim_end_matches('0');
    let sign = if negative { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac}")
    }
}

/// A gas volume from Metering attributes: `value × multiplier (0x0301) ÷ divisor (0x0302)`, in
/// m³ when the unit of measure (0x0300) is 0x01/0x81 (the only unit the schema has).
pub(crate) struct GasScale {
    multiplier: i128,
    divisor: i128,
}

impl GasScale {
    /// From the records read with the values (multiplier and divisor default to 1).
    pub(crate) fn of(records: &[AttributeRecord]) -> Self {
        Self {
            multiplier: attr(records, 0x0301).filter(|m| *m != 0).unwrap_or(1),
            divisor: attr(records, 0x0302).filter(|d| *d != 0).unwrap_or(1),
        }
    }

    /// `v` in the unit of measure, as a decimal.
    pub(crate) fn volume(&self, v: i128) -> String {
        decimal(v.saturating_mul(self.multiplier), self.divisor)
    }
}

/// What opening a protected block gave.
pub(crate) enum Opened<T> {
    /// The content.
    Ok(T),
    /// The rendering to return as it is (still sealed, or the device's failure inside).
    Rendering(Rendering),
}

/// Opens a DLMS block encrypted to the requester and decodes its A-XDR data.
pub(crate) fn open_dlms(
    ctx: &ResponseCtx<'_>,
    what: &str,
    block: &[u8],
) -> Result<Opened<Data>, MappingError> {
    let plain = match ctx.open(block) {
        Ok(p) => p,
        Err(reason) => return Ok(Opened::Rendering(ctx.sealed(what, "dlms", block, reason))),
    };
    Data::decode(&plain)
        .map(Opened::Ok)
        .map_err(|e| MappingError(format!("the opened {what} is not A-XDR: {e}")))
}

/// Opens ZCL Read Attributes Response records of `cluster` encrypted to the requester; a failed
/// record inside gives the failure rendering (`failure` children, `DebugInfo` from the opened
/// records).
pub(crate) fn open_records(
    ctx: &ResponseCtx<'_>,
    what: &str,
    cluster: u16,
    block: &[u8],
    failure: fn(&Failure) -> Xml,
) -> Result<Opened<Vec<AttributeRecord>>, MappingError> {
    let plain = match ctx.open(block) {
        Ok(p) => p,
        Err(reason) => {
            return Ok(Opened::Rendering(ctx.sealed(
                what,
                "zigbeeCiphered",
                block,
                reason,
            )));
        }
    };
    match gbcs::usecases::gcs13a::decode_plaintext(&plain) {
        Ok(Ok(r)) => Ok(Opened::Ok(r)),
        Ok(Err(f)) => Ok(Opened::Rendering(Rendering::Failed {
            children: failure(&f),
            debug: crate::status::zigbee_records_debug(cluster, &plain),
        })),
        Err(e) => Err(MappingError(format!("the opened {what}: {e}"))),
    }
}

/// An empty fragment: the children of an element whose content is all optional, on failure.
pub(crate) fn nothing(_: &Failure) -> Xml {
    Xml::new()
}

/// `<name index="i">text</name>`.
pub(crate) fn indexed(x: &mut Xml, name: &str, index: usize, text: &str) {
    x.leaf_attrs(name, &[("index", &index.to_string())], text);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(data_type: u8, value: &[u8]) -> AttributeRecord {
        AttributeRecord {
            id: 0,
            data_type,
            value: value.to_vec(),
        }
    }

    #[test]
    fn zcl_integers_by_type() {
        assert_eq!(
            zcl_int(&rec(0x23, &[0xE0, 0x67, 0x35, 0x00])),
            Some(3_500_000)
        );
        assert_eq!(zcl_int(&rec(0x2B, &[0xFF, 0xFF, 0xFF, 0xFF])), Some(-1));
        assert_eq!(zcl_int(&rec(0x25, &[1, 0, 0, 0, 0, 0])), Some(1));
        assert_eq!(zcl_int(&rec(0x2F, &[0xFF; 8])), Some(-1));
        assert_eq!(zcl_int(&rec(0x27, &[0xFF; 8])), Some(i128::from(u64::MAX)));
        assert_eq!(zcl_int(&rec(0x23, &[1, 2])), None);
        assert_eq!(zcl_int(&rec(0x42, b"ab")), None);
    }

    #[test]
    fn decimals_and_scalers() {
        assert_eq!(decimal(12345, 1000), "12.345");
        assert_eq!(decimal(-12345, 1000), "-12.345");
        assert_eq!(decimal(10, 5), "2");
        assert_eq!(decimal(1, 3), "0.333333333");
        assert_eq!(decimal(7, 0), "7");
        assert_eq!(scaled(12, 3).unwrap(), 12_000);
        assert_eq!(scaled(12_000, -3).unwrap(), 12);
        assert!(scaled(12_001, -3).is_err());
        assert!(scaled(1, 127).is_err());
    }

    #[test]
    fn compact_array_rows() {
        use gbcs::axdr::TypeDescription;
        let d = Data::CompactArray {
            description: TypeDescription::Structure(vec![
                TypeDescription::Simple(0x06),
                TypeDescription::Simple(0x05),
            ]),
            contents: vec![0x1C, 0x35, 0xF9, 0x00, 0xFF, 0xFF, 0xFF, 0xFE],
        };
        let r = rows(&d).unwrap();
        assert_eq!(r, vec![vec![Cell::Int(0x1C35_F900), Cell::Int(-2)]]);
        assert_eq!(r[0][0].time().unwrap(), "2014-12-31T00:00:00Z");
        let bad = Data::CompactArray {
            description: TypeDescription::Structure(vec![TypeDescription::Simple(0x06)]),
            contents: vec![1, 2, 3],
        };
        assert!(rows(&bad).is_err());
        assert_eq!(litres_as_m3(1500), "1.5");
    }

    #[test]
    fn cosem_times() {
        let b = [
            0x07, 0xDE, 0x0C, 0x1E, 0xFF, 0x14, 0x25, 0x00, 0x00, 0x80, 0x00, 0xFF,
        ];
        assert_eq!(cosem_date_time(&b).unwrap(), "2014-12-30T20:37:00Z");
        let mut unspecified = b;
        unspecified[5] = 0xFF;
        assert_eq!(cosem_date_time(&unspecified), None);
        assert_eq!(cosem_date_time(&b[..11]), None);
        assert_eq!(cosem_time(&[12, 0, 0, 0]).unwrap(), "12:00:00");
        assert_eq!(cosem_time(&[24, 0, 0, 0]), None);
    }
}
