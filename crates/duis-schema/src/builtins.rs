//! Lexical rules and value spaces of the XSD 1.0 built-in datatypes.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::tables::{Builtin, WhiteSpace};

/// The primitive type a built-in is derived from (what its facets compare).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Primitive {
    /// string and the types derived from it.
    String,
    Boolean,
    Decimal,
    Float,
    Duration,
    Temporal,
    HexBinary,
    Base64Binary,
    AnyUri,
    /// anySimpleType: any string.
    Any,
}

impl Builtin {
    /// XSD name (local part in the XML Schema namespace).
    pub fn xsd_name(self) -> &'static str {
        use Builtin::*;
        match self {
            AnyType => "anyType",
            AnySimpleType => "anySimpleType",
            String => "string",
            NormalizedString => "normalizedString",
            Token => "token",
            Language => "language",
            Name => "Name",
            NcName => "NCName",
            NmToken => "NMTOKEN",
            Id => "ID",
            IdRef => "IDREF",
            Boolean => "boolean",
            Decimal => "decimal",
            Integer => "integer",
            NonPositiveInteger => "nonPositiveInteger",
            NegativeInteger => "negativeInteger",
            Long => "long",
            Int => "int",
            Short => "short",
            Byte => "byte",
            NonNegativeInteger => "nonNegativeInteger",
            UnsignedLong => "unsignedLong",
            UnsignedInt => "unsignedInt",
            UnsignedShort => "unsignedShort",
            UnsignedByte => "unsignedByte",
            PositiveInteger => "positiveInteger",
            Float => "float",
            Double => "double",
            Duration => "duration",
            DateTime => "dateTime",
            Time => "time",
            Date => "date",
            GYearMonth => "gYearMonth",
            GYear => "gYear",
            GMonthDay => "gMonthDay",
            GDay => "gDay",
            GMonth => "gMonth",
            HexBinary => "hexBinary",
            Base64Binary => "base64Binary",
            AnyUri => "anyURI",
        }
    }

    /// Check a value against the lexical space and built-in constraints of
    /// this type, after the type's whitespace normalization. For example
    /// `Builtin::UnsignedShort.check(" 65535 ")` is `Ok`.
    pub fn check(self, value: &str) -> Result<(), &'static str> {
        let norm = normalize(value, self.whitespace());
        check(self, &norm).map(|_| ())
    }

    /// Look a built-in up by its XSD local name.
    pub(crate) fn from_xsd_name(name: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.xsd_name() == name)
    }

    /// The base type definition of a built-in (`None` for anyType).
    pub(crate) fn base(self) -> Option<Builtin> {
        use Builtin::*;
        Some(match self {
            AnyType => return None,
            AnySimpleType => AnyType,
            String | Boolean | Decimal | Float | Double | Duration | DateTime | Time | Date
            | GYearMonth | GYear | GMonthDay | GDay | GMonth | HexBinary | Base64Binary
            | AnyUri => AnySimpleType,
            NormalizedString => String,
            Token => NormalizedString,
            Language | Name | NmToken => Token,
            NcName => Name,
            Id | IdRef => NcName,
            Integer => Decimal,
            NonPositiveInteger | Long | NonNegativeInteger => Integer,
            NegativeInteger => NonPositiveInteger,
            Int => Long,
            Short => Int,
            Byte => Short,
            UnsignedLong | PositiveInteger => NonNegativeInteger,
            UnsignedInt => UnsignedLong,
            UnsignedShort => UnsignedInt,
            UnsignedByte => UnsignedShort,
        })
    }

    /// Whether `self` is `other` or derived from it.
    pub(crate) fn derives_from(self, other: Builtin) -> bool {
        let mut cur = Some(self);
        while let Some(b) = cur {
            if b == other {
                return true;
            }
            cur = b.base();
        }
        false
    }

    pub(crate) fn primitive(self) -> Primitive {
        use Builtin::*;
        match self {
            AnyType | AnySimpleType => Primitive::Any,
            String | NormalizedString | Token | Language | Name | NcName | NmToken | Id | IdRef => {
                Primitive::String
            }
            Boolean => Primitive::Boolean,
            Decimal | Integer | NonPositiveInteger | NegativeInteger | Long | Int | Short
            | Byte | NonNegativeInteger | UnsignedLong | UnsignedInt | UnsignedShort
            | UnsignedByte | PositiveInteger => Primitive::Decimal,
            Float | Double => Primitive::Float,
            Duration => Primitive::Duration,
            DateTime | Time | Date | GYearMonth | GYear | GMonthDay | GDay | GMonth => {
                Primitive::Temporal
            }
            HexBinary => Primitive::HexBinary,
            Base64Binary => Primitive::Base64Binary,
            AnyUri => Primitive::AnyUri,
        }
    }

    pub(crate) fn whitespace(self) -> WhiteSpace {
        match self {
            Builtin::String | Builtin::AnySimpleType | Builtin::AnyType => WhiteSpace::Preserve,
            Builtin::NormalizedString => WhiteSpace::Replace,
            _ => WhiteSpace::Collapse,
        }
    }
}

/// Apply a whiteSpace facet.
pub(crate) fn normalize(value: &str, ws: WhiteSpace) -> Cow<'_, str> {
    let is_ws = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    match ws {
        WhiteSpace::Preserve => Cow::Borrowed(value),
        WhiteSpace::Replace => {
            if value.contains(['\t', '\n', '\r']) {
                Cow::Owned(value.replace(['\t', '\n', '\r'], " "))
            } else {
                Cow::Borrowed(value)
            }
        }
        WhiteSpace::Collapse => {
            let trimmed = value.trim_matches(is_ws);
            let mut prev_space = false;
            let mut clean = true;
            for c in trimmed.chars() {
                if is_ws(c) {
                    if prev_space || c != ' ' {
                        clean = false;
                        break;
                    }
                    prev_space = true;
                } else {
                    prev_space = false;
                }
            }
            if clean {
                return Cow::Borrowed(trimmed);
            }
            let mut out = String::with_capacity(trimmed.len());
            let mut prev_space = false;
            for c in trimmed.chars() {
                if is_ws(c) {
                    if !prev_space {
                        out.push(' ');
                    }
                    prev_space = true;
                } else {
                    out.push(c);
                    prev_space = false;
                }
            }
            Cow::Owned(out)
        }
    }
}

/// A decimal in the value space: sign, integer digits without leading
/// zeros, fraction digits without trailing zeros. Zero is never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dec<'a> {
    pub neg: bool,
    pub int: &'a str,
    pub frac: &'a str,
}

impl<'a> Dec<'a> {
    /// Parse the decimal lexical form `[+-]?(d+(.d*)?|.d+)`.
    pub(crate) fn parse(s: &'a str) -> Option<Dec<'a>> {
        let (neg, rest) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (int, frac) = match rest.find('.') {
            Some(dot) => (&rest[..dot], &rest[dot + 1..]),
            None => (rest, ""),
        };
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let int = int.trim_start_matches('0');
        let frac = frac.trim_end_matches('0');
        let neg = neg && !(int.is_empty() && frac.is_empty());
        Some(Dec { neg, int, frac })
    }

    /// Parse the integer lexical form `[+-]?d+`.
    pub(crate) fn parse_integer(s: &'a str) -> Option<Dec<'a>> {
        let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Dec::parse(s)
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.int.is_empty() && self.frac.is_empty()
    }

    pub(crate) fn total_digits(&self) -> usize {
        self.int.len() + self.frac.len()
    }

    fn cmp_magnitude(&self, other: &Dec<'_>) -> Ordering {
        self.int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(other.int))
            .then_with(|| self.frac.cmp(other.frac))
    }
}

impl Ord for Dec<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.neg, other.neg) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Dec<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A value, as far as facets need it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value<'a> {
    /// string family, anyURI, anySimpleType: the normalized text.
    Str(&'a str),
    Bool(bool),
    Dec(Dec<'a>),
    Float(f64),
    /// hexBinary / base64Binary: number of octets (the text is kept by the
    /// caller for enumeration checks).
    Binary(usize),
    /// duration and date/time types: lexically checked only.
    Other,
}

fn int_range(b: Builtin) -> Option<(&'static str, &'static str)> {
    use Builtin::*;
    Some(match b {
        Long => ("-9223372036854775808", "9223372036854775807"),
        Int => ("-2147483648", "2147483647"),
        Short => ("-32768", "32767"),
        Byte => ("-128", "127"),
        UnsignedLong => ("0", "18446744073709551615"),
        UnsignedInt => ("0", "4294967295"),
        UnsignedShort => ("0", "65535"),
        UnsignedByte => ("0", "255"),
        _ => return None,
    })
}

/// Check `s` (already whitespace-normalized for `b`) against the lexical
/// space and built-in constraints of `b`.
pub(crate) fn check(b: Builtin, s: &str) -> Result<Value<'_>, &'static str> {
    use Builtin::*;
    match b {
        AnyType | AnySimpleType | String | NormalizedString | Token => Ok(Value::Str(s)),
        Language => {
            let mut parts = s.split('-');
            let first = parts.next().unwrap_or("");
            let ok_first =
                (1..=8).contains(&first.len()) && first.bytes().all(|c| c.is_ascii_alphabetic());
            let ok_rest = parts.all(|p| {
                (1..=8).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_alphanumeric())
            });
            if ok_first && ok_rest {
                Ok(Value::Str(s))
            } else {
                Err("not a language tag")
            }
        }
        Name => {
            if is_name(s) {
                Ok(Value::Str(s))
            } else {
                Err("not an XML Name")
            }
        }
        NcName | Id | IdRef => {
            if is_ncname(s) {
                Ok(Value::Str(s))
            } else {
                Err("not an NCName")
            }
        }
        NmToken => {
            if !s.is_empty() && s.chars().all(is_name_char) {
                Ok(Value::Str(s))
            } else {
                Err("not an NMTOKEN")
            }
        }
        Boolean => match s {
            "true" | "1" => Ok(Value::Bool(true)),
            "false" | "0" => Ok(Value::Bool(false)),
            _ => Err("not a boolean (true, false, 1, 0)"),
        },
        Decimal => Dec::parse(s).map(Value::Dec).ok_or("not a decimal"),
        Integer | NonPositiveInteger | NegativeInteger | Long | Int | Short | Byte
        | NonNegativeInteger | UnsignedLong | UnsignedInt | UnsignedShort | UnsignedByte
        | PositiveInteger => {
            let d = Dec::parse_integer(s).ok_or("not an integer")?;
            // The unsigned types have a lexical space of digits only.
            if matches!(b, UnsignedLong | UnsignedInt | UnsignedShort | UnsignedByte)
                && s.starts_with(['+', '-'])
            {
                return Err("a sign is not allowed in an unsigned type");
            }
            let ok = match b {
                NonPositiveInteger => d.neg || d.is_zero(),
                NegativeInteger => d.neg,
                NonNegativeInteger => !d.neg,
                PositiveInteger => !d.neg && !d.is_zero(),
                _ => match int_range(b) {
                    Some((lo, hi)) => {
                        let lo = Dec::parse(lo).ok_or("bad range")?;
                        let hi = Dec::parse(hi).ok_or("bad range")?;
                        d >= lo && d <= hi
                    }
                    None => true,
                },
            };
            if ok {
                Ok(Value::Dec(d))
            } else {
                Err("out of the range of the type")
            }
        }
        Float | Double => parse_float(s)
            .map(Value::Float)
            .ok_or("not a floating-point number"),
        Duration => {
            if is_duration(s) {
                Ok(Value::Other)
            } else {
                Err("not a duration")
            }
        }
        DateTime | Time | Date | GYearMonth | GYear | GMonthDay | GDay | GMonth => {
            if temporal(b, s) {
                Ok(Value::Other)
            } else {
                Err(match b {
                    DateTime => "not a dateTime (YYYY-MM-DDThh:mm:ss[.s][tz])",
                    Time => "not a time (hh:mm:ss[.s][tz])",
                    Date => "not a date (YYYY-MM-DD[tz])",
                    _ => "not a valid date/time fragment",
                })
            }
        }
        HexBinary => {
            if s.len().is_multiple_of(2) && s.bytes().all(|c| c.is_ascii_hexdigit()) {
                Ok(Value::Binary(s.len() / 2))
            } else {
                Err("not hexBinary (an even number of hex digits)")
            }
        }
        Base64Binary => base64_octets(s)
            .map(Value::Binary)
            .ok_or("not base64Binary"),
        AnyUri => {
            if is_uri_reference(s) {
                Ok(Value::Str(s))
            } else {
                Err("not a URI reference")
            }
        }
    }
}

/// Decode hexBinary (already checked) into bytes.
pub(crate) fn hex_bytes(s: &str) -> Vec<u8> {
    let nib = |c: u8| match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    };
    s.as_bytes()
        .chunks_exact(2)
        .map(|p| match p {
            [hi, lo] => (nib(*hi) << 4) | nib(*lo),
            _ => 0,
        })
        .collect()
}

fn b64_val(c: u8) -> Option<u8> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    })
}

/// Decode base64Binary (already checked) into bytes.
pub(crate) fn base64_bytes(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for c in s.bytes() {
        let Some(v) = b64_val(c) else { continue };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xFF) as u8);
        }
    }
    out
}

/// XSD 1.0 (second edition) base64Binary grammar on a collapsed string:
/// groups of four base64 characters, single spaces allowed between
/// characters, `=` padding only at the end with zero pad bits.
fn base64_octets(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut chars: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut prev_space = true; // no leading space
    for &c in bytes {
        if c == b' ' {
            if prev_space {
                return None;
            }
            prev_space = true;
        } else {
            chars.push(c);
            prev_space = false;
        }
    }
    if prev_space && !bytes.is_empty() {
        return None; // trailing space
    }
    if !chars.len().is_multiple_of(4) {
        return None;
    }
    let pad = chars.iter().rev().take_while(|&&c| c == b'=').count();
    if pad > 2 {
        return None;
    }
    let data = &chars[..chars.len() - pad];
    if data.iter().any(|&c| b64_val(c).is_none()) {
        return None;
    }
    match pad {
        1 => {
            // last data char must have its two low bits clear (B16)
            let last = b64_val(*data.last()?)?;
            if last & 0x03 != 0 {
                return None;
            }
        }
        2 => {
            let last = b64_val(*data.last()?)?;
            if last & 0x0F != 0 {
                return None;
            }
        }
        _ => {}
    }
    Some(chars.len() / 4 * 3 - pad)
}

fn parse_float(s: &str) -> Option<f64> {
    match s {
        "INF" => return Some(f64::INFINITY),
        "-INF" => return Some(f64::NEG_INFINITY),
        "NaN" => return Some(f64::NAN),
        _ => {}
    }
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    Dec::parse(mantissa)?;
    if let Some(e) = exp {
        let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    s.parse::<f64>().ok()
}

fn is_duration(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let Some(s) = s.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match s.find('T') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mut any = false;
    // date part: nY nM nD in order
    let mut rest = date;
    for unit in ['Y', 'M', 'D'] {
        if let Some(i) = rest.find(unit) {
            let n = &rest[..i];
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                return false;
            }
            rest = &rest[i + 1..];
            any = true;
        }
    }
    if !rest.is_empty() {
        return false;
    }
    if let Some(t) = time {
        let mut rest = t;
        let mut any_time = false;
        for unit in ['H', 'M'] {
            if let Some(i) = rest.find(unit) {
                let n = &rest[..i];
                if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                    return false;
                }
                rest = &rest[i + 1..];
                any_time = true;
            }
        }
        if let Some(n) = rest.strip_suffix('S') {
            let (i, f) = match n.find('.') {
                Some(d) => (&n[..d], Some(&n[d + 1..])),
                None => (n, None),
            };
            if i.is_empty() || !i.bytes().all(|b| b.is_ascii_digit()) {
                return false;
            }
            if let Some(f) = f
                && (f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
            {
                return false;
            }
            rest = "";
            any_time = true;
        }
        if !rest.is_empty() || !any_time {
            return false;
        }
        any = true;
    }
    any
}

/// A small cursor over ASCII date/time text.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn digits(&mut self, n: usize) -> Option<u32> {
        let end = self.i.checked_add(n)?;
        let part = self.b.get(self.i..end)?;
        let mut v = 0u32;
        for &c in part {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        self.i = end;
        Some(v)
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn done(&self) -> bool {
        self.i == self.b.len()
    }
    /// `-?YYYY+`: returns (year mod 400, is_zero) or None.
    fn year(&mut self) -> Option<u32> {
        self.eat(b'-');
        let start = self.i;
        while self.b.get(self.i).is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        let digits = self.b.get(start..self.i)?;
        if digits.len() < 4 || (digits.len() > 4 && digits.first() == Some(&b'0')) {
            return None;
        }
        if digits.iter().all(|&c| c == b'0') {
            return None;
        }
        let mut m = 0u32;
        for &c in digits {
            m = (m * 10 + u32::from(c - b'0')) % 400;
        }
        Some(m)
    }
    fn month(&mut self) -> Option<u32> {
        let m = self.digits(2)?;
        (1..=12).contains(&m).then_some(m)
    }
    /// Optional timezone at the end.
    fn timezone(&mut self) -> bool {
        if self.done() {
            return true;
        }
        if self.eat(b'Z') {
            return self.done();
        }
        if !(self.eat(b'+') || self.eat(b'-')) {
            return false;
        }
        let (Some(h), true, Some(m)) = (self.digits(2), self.eat(b':'), self.digits(2)) else {
            return false;
        };
        self.done() && m <= 59 && (h < 14 || (h == 14 && m == 0))
    }
    /// `hh:mm:ss(.s+)?`
    fn time(&mut self) -> bool {
        let (Some(h), true, Some(m), true, Some(s)) = (
            self.digits(2),
            self.eat(b':'),
            self.digits(2),
            self.eat(b':'),
            self.digits(2),
        ) else {
            return false;
        };
        let mut frac_zero = true;
        if self.eat(b'.') {
            let start = self.i;
            while self.b.get(self.i).is_some_and(|c| c.is_ascii_digit()) {
                if self.b.get(self.i) != Some(&b'0') {
                    frac_zero = false;
                }
                self.i += 1;
            }
            if self.i == start {
                return false;
            }
        }
        if h == 24 {
            return m == 0 && s == 0 && frac_zero;
        }
        h <= 23 && m <= 59 && s <= 59
    }
}

fn days_in_month(year_mod_400: Option<u32>, month: u32) -> u32 {
    match month {
        2 => match year_mod_400 {
            Some(y) if y % 4 == 0 && (y % 100 != 0 || y == 0) => 29,
            Some(_) => 28,
            None => 29,
        },
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn temporal(b: Builtin, s: &str) -> bool {
    let mut c = Cur {
        b: s.as_bytes(),
        i: 0,
    };
    let ok = match b {
        Builtin::DateTime | Builtin::Date => (|| {
            let y = c.year()?;
            if !c.eat(b'-') {
                return None;
            }
            let m = c.month()?;
            if !c.eat(b'-') {
                return None;
            }
            let d = c.digits(2)?;
            if d < 1 || d > days_in_month(Some(y), m) {
                return None;
            }
            if b == Builtin::DateTime && !(c.eat(b'T') && c.time()) {
                return None;
            }
            Some(())
        })()
        .is_some(),
        Builtin::Time => c.time(),
        Builtin::GYearMonth => c.year().is_some() && c.eat(b'-') && c.month().is_some(),
        Builtin::GYear => c.year().is_some(),
        Builtin::GMonthDay => (|| {
            if !(c.eat(b'-') && c.eat(b'-')) {
                return None;
            }
            let m = c.month()?;
            if !c.eat(b'-') {
                return None;
            }
            let d = c.digits(2)?;
            (d >= 1 && d <= days_in_month(None, m)).then_some(())
        })()
        .is_some(),
        Builtin::GDay => {
            c.eat(b'-')
                && c.eat(b'-')
                && c.eat(b'-')
                && c.digits(2).is_some_and(|d| (1..=31).contains(&d))
        }
        Builtin::GMonth => c.eat(b'-') && c.eat(b'-') && c.month().is_some(),
        _ => false,
    };
    ok && c.timezone()
}

/// XML 1.0 (fifth edition) NameStartChar.
pub(crate) fn is_name_start_char(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// XML 1.0 (fifth edition) NameChar.
pub(crate) fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

pub(crate) fn is_name(s: &str) -> bool {
    let mut it = s.chars();
    it.next().is_some_and(is_name_start_char) && it.all(is_name_char)
}

pub(crate) fn is_ncname(s: &str) -> bool {
    is_name(s) && !s.contains(':')
}

/// RFC 3986 URI-reference, after replacing the characters XML allows in
/// anyURI but URIs do not (space, non-ASCII, `<>"{}|\^` and backquote) by an
/// unreserved character, as XLink's escaping procedure would.
pub(crate) fn is_uri_reference(s: &str) -> bool {
    let b = s.as_bytes();
    absolute_uri(b) || relative_ref(b)
}

fn is_unreserved(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, b'-' | b'.' | b'_' | b'~')
        || !(0x20..0x7F).contains(&c)
        || matches!(
            c,
            b' ' | b'<' | b'>' | b'"' | b'{' | b'}' | b'|' | b'\\' | b'^' | b'`'
        )
}

fn is_sub_delim(c: u8) -> bool {
    matches!(
        c,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

/// Length of a pct-encoded triplet at `i`, or 0.
fn pct(b: &[u8], i: usize) -> usize {
    match (b.get(i), b.get(i + 1), b.get(i + 2)) {
        (Some(b'%'), Some(x), Some(y)) if x.is_ascii_hexdigit() && y.is_ascii_hexdigit() => 3,
        _ => 0,
    }
}

/// Length of one pchar at `i` (0 if none); `colon` admits ':'.
fn pchar(b: &[u8], i: usize, colon: bool) -> usize {
    match b.get(i) {
        Some(&c) if is_unreserved(c) || is_sub_delim(c) || c == b'@' => 1,
        Some(b':') if colon => 1,
        Some(b'%') => pct(b, i),
        _ => 0,
    }
}

fn segment(b: &[u8], mut i: usize, colon: bool) -> usize {
    loop {
        let n = pchar(b, i, colon);
        if n == 0 {
            return i;
        }
        i += n;
    }
}

fn path_abempty(b: &[u8], mut i: usize) -> usize {
    while b.get(i) == Some(&b'/') {
        i = segment(b, i + 1, true);
    }
    i
}

fn query_or_fragment(b: &[u8], mut i: usize, fragment: bool) -> usize {
    loop {
        match b.get(i) {
            Some(b'/') | Some(b'?') => i += 1,
            // libxml2 (whose checks opendcc mirrors for anyURI) also takes
            // brackets in fragments.
            Some(b'[') | Some(b']') if fragment => i += 1,
            _ => {
                let n = pchar(b, i, true);
                if n == 0 {
                    return i;
                }
                i += n;
            }
        }
    }
}

fn tail(b: &[u8], mut i: usize) -> bool {
    if b.get(i) == Some(&b'?') {
        i = query_or_fragment(b, i + 1, false);
    }
    if b.get(i) == Some(&b'#') {
        i = query_or_fragment(b, i + 1, true);
    }
    i == b.len()
}

/// authority = [ userinfo "@" ] host [ ":" port ]; returns end or None.
fn authority(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    // userinfo, if followed by '@'
    let mut j = i;
    loop {
        match b.get(j) {
            Some(&c) if is_unreserved(c) || is_sub_delim(c) || c == b':' => j += 1,
            Some(b'%') if pct(b, j) == 3 => j += 3,
            _ => break,
        }
    }
    if b.get(j) == Some(&b'@') {
        i = j + 1;
    }
    if b.get(i) == Some(&b'[') {
        // IP-literal: anything up to the closing bracket, as libxml2 does.
        let close = b[i..].iter().position(|&c| c == b']')?;
        i += close + 1;
    } else {
        loop {
            match b.get(i) {
                Some(&c) if is_unreserved(c) || is_sub_delim(c) => i += 1,
                Some(b'%') if pct(b, i) == 3 => i += 3,
                _ => break,
            }
        }
    }
    if b.get(i) == Some(&b':') {
        // RFC 3986 allows an empty port; libxml2 does not, and neither do we.
        i += 1;
        let start = i;
        while b.get(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    Some(i)
}

fn hier_or_relative_part(b: &[u8], i: usize, scheme: bool) -> Option<usize> {
    if b.get(i) == Some(&b'/') && b.get(i + 1) == Some(&b'/') {
        let end = authority(b, i + 2)?;
        return Some(path_abempty(b, end));
    }
    if b.get(i) == Some(&b'/') {
        // path-absolute
        let j = segment(b, i + 1, true);
        return Some(path_abempty(b, j));
    }
    // rootless (with scheme) / noscheme (relative) / empty
    let j = segment(b, i, scheme);
    if j == i {
        return Some(i);
    }
    Some(path_abempty(b, j))
}

fn absolute_uri(b: &[u8]) -> bool {
    let Some(&first) = b.first() else {
        return false;
    };
    if !first.is_ascii_alphabetic() {
        return false;
    }
    let mut i = 1;
    while b
        .get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
    {
        i += 1;
    }
    if b.get(i) != Some(&b':') {
        return false;
    }
    match hier_or_relative_part(b, i + 1, true) {
        Some(end) => tail(b, end),
        None => false,
    }
}

fn relative_ref(b: &[u8]) -> bool {
    match hier_or_relative_part(b, 0, false) {
        Some(end) => tail(b, end),
        None => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn decimals_compare_in_value_space() {
        let d = |s| Dec::parse(s).unwrap();
        assert_eq!(d("1.0"), d("01"));
        assert_eq!(d("-0"), d("0.000"));
        assert!(d("-1") < d("0"));
        assert!(d("-2") < d("-1.5"));
        assert!(d("10") > d("9.99"));
        assert!(d(".5") < d("0.51"));
        assert_eq!(d("001.20").total_digits(), 2);
        assert_eq!(d("0.0123").total_digits(), 4);
        assert!(Dec::parse(".").is_none());
        assert!(Dec::parse("1e3").is_none());
        assert!(Dec::parse_integer("1.").is_none());
    }

    #[test]
    fn builtin_lexical_spaces() {
        use Builtin::*;
        let ok = |b, s| check(b, s).is_ok();
        assert!(ok(Int, "-2147483648"));
        assert!(!ok(Int, "2147483648"));
        assert!(ok(UnsignedLong, "18446744073709551615"));
        assert!(!ok(UnsignedLong, "-1"));
        assert!(!ok(UnsignedLong, "-0"));
        assert!(!ok(UnsignedShort, "+1"));
        assert!(ok(NonNegativeInteger, "+1"));
        assert!(ok(NonNegativeInteger, "-0"));
        assert!(!ok(PositiveInteger, "0"));
        assert!(ok(Date, "2000-02-29"));
        assert!(!ok(Date, "1900-02-29"));
        assert!(!ok(Date, "0000-01-01"));
        assert!(!ok(Date, "02020-01-01"));
        assert!(ok(Date, "12020-01-01-14:00"));
        assert!(ok(DateTime, "2020-01-01T24:00:00.000Z"));
        assert!(!ok(DateTime, "2020-01-01T24:00:00.5"));
        assert!(!ok(DateTime, "2020-01-01T23:59:60"));
        assert!(!ok(DateTime, "2020-01-01T10:00:00+14:01"));
        assert!(ok(Time, "23:59:59.123456789"));
        assert!(ok(GMonthDay, "--02-29"));
        assert!(!ok(GMonthDay, "--04-31"));
        assert!(ok(Duration, "-P1Y2M3DT4H5M6.7S"));
        assert!(!ok(Duration, "P"));
        assert!(!ok(Duration, "P1DT"));
        assert!(ok(HexBinary, ""));
        assert!(!ok(HexBinary, "0A0"));
        assert!(ok(Base64Binary, "QQ= ="));
        assert!(!ok(Base64Binary, "QR=="));
        assert!(!ok(Base64Binary, "Q!UJD"));
        assert_eq!(check(Base64Binary, "QUJDRA=="), Ok(Value::Binary(4)));
        assert!(ok(AnyUri, "http://[::1]:80/a?b#c"));
        assert!(!ok(AnyUri, "%zz"));
        assert!(!ok(AnyUri, "1abc:foo"));
        assert!(ok(AnyUri, "a b"));
        assert!(ok(Float, "-1.5E-3"));
        assert!(!ok(Float, "1e"));
        assert!(ok(Language, "en-GB"));
        assert!(!ok(NcName, "a:b"));
    }

    #[test]
    fn whitespace_normalization() {
        assert_eq!(normalize(" a \t\n b ", WhiteSpace::Collapse), "a b");
        assert_eq!(normalize("a\tb", WhiteSpace::Replace), "a b");
        assert_eq!(normalize(" a ", WhiteSpace::Preserve), " a ");
        assert!(matches!(
            normalize("a b", WhiteSpace::Collapse),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn base64_decodes() {
        assert_eq!(base64_bytes("QUJD RA=="), b"ABCD");
        assert_eq!(hex_bytes("0aFF"), vec![0x0a, 0xff]);
    }
}
