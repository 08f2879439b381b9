//! Byte reader and the short/long length form shared by GBCS framing, A-XDR and DER.

use crate::error::DecodeError;

/// Largest nesting depth accepted by the recursive decoders (A-XDR data, DER).
pub const MAX_DEPTH: usize = 64;

/// A cursor over a byte slice whose every read is bounds-checked.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    pub(crate) fn offset(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    pub(crate) fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError::Truncated {
            offset: self.pos,
            needed: n,
        })?;
        match self.buf.get(self.pos..end) {
            Some(s) => {
                self.pos = end;
                Ok(s)
            }
            None => Err(DecodeError::Truncated {
                offset: self.pos,
                needed: end - self.buf.len().max(self.pos),
            }),
        }
    }

    pub(crate) fn u8(&mut self) -> Result<u8, DecodeError> {
        let b = self.peek().ok_or(DecodeError::Truncated {
            offset: self.pos,
            needed: 1,
        })?;
        self.pos += 1;
        Ok(b)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let s = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Ok(out)
    }

    pub(crate) fn u16_be(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(crate) fn u32_be(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(crate) fn u64_be(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// Expects a specific byte.
    pub(crate) fn expect(&mut self, value: u8, what: &'static str) -> Result<(), DecodeError> {
        let offset = self.pos;
        let b = self.u8()?;
        if b == value {
            Ok(())
        } else {
            Err(DecodeError::UnexpectedTag {
                offset,
                expected: what,
                found: b,
            })
        }
    }

    /// Reads a length in short form (`< 0x80`) or long form (`0x81..=0x84` followed by that many
    /// big-endian bytes). Only the shortest form is accepted, so that re-encoding reproduces the
    /// input.
    pub(crate) fn length(&mut self) -> Result<usize, DecodeError> {
        let offset = self.pos;
        let first = self.u8()?;
        if first < 0x80 {
            return Ok(usize::from(first));
        }
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return Err(DecodeError::UnsupportedLength { offset, first });
        }
        let bytes = self.take(n)?;
        let mut v: usize = 0;
        for b in bytes {
            v = (v << 8) | usize::from(*b);
        }
        if v < 0x80 || bytes.first() == Some(&0) {
            return Err(DecodeError::NonMinimalLength { offset });
        }
        Ok(v)
    }

    /// Reads a length in short or long form, accepting non-minimal long forms (as some DER
    /// producers in GBCS emit, e.g. `82 00 83`). Returns the length and, when the encoding is not
    /// the minimal one, the number of length octets used so that it can be reproduced.
    pub(crate) fn length_lenient(&mut self) -> Result<(usize, Option<u8>), DecodeError> {
        let offset = self.pos;
        let first = self.u8()?;
        if first < 0x80 {
            return Ok((usize::from(first), None));
        }
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return Err(DecodeError::UnsupportedLength { offset, first });
        }
        let bytes = self.take(usize::from(n))?;
        let mut v: usize = 0;
        for b in bytes {
            v = (v << 8) | usize::from(*b);
        }
        let minimal = v >= 0x80 && bytes.first() != Some(&0);
        Ok((v, if minimal { None } else { Some(n) }))
    }

    /// A length followed by that many bytes.
    pub(crate) fn length_prefixed(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.length()?;
        self.take(n)
    }

    pub(crate) fn finish(&self) -> Result<(), DecodeError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes {
                offset: self.pos,
                count: self.remaining(),
            })
        }
    }
}

/// Appends a length in its shortest short/long form.
pub fn write_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        // Fits in seven bits.
        out.push(len as u8);
        return;
    }
    let bytes = (len as u64).to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let significant = bytes.get(skip..).unwrap_or(&[]);
    out.push(0x80 | significant.len() as u8);
    out.extend_from_slice(significant);
}

/// Appends a length using exactly `octets` long-form length bytes when given (and wide enough),
/// else the minimal form.
pub(crate) fn write_length_as(out: &mut Vec<u8>, len: usize, octets: Option<u8>) {
    if let Some(n) = octets {
        let bytes = (len as u64).to_be_bytes();
        let n = usize::from(n.min(8));
        let start = bytes.len() - n;
        let fits = bytes
            .get(..start)
            .is_some_and(|hi| hi.iter().all(|b| *b == 0));
        if fits && n > 0 {
            out.push(0x80 | n as u8);
            out.extend_from_slice(bytes.get(start..).unwrap_or(&[]));
            return;
        }
    }
    write_length(out, len);
}

/// Appends a length followed by the bytes.
pub(crate) fn write_length_prefixed(out: &mut Vec<u8>, bytes: &[u8]) {
    write_length(out, bytes.len());
    out.extend_from_slice(bytes);
}

/// Decodes one short/long-form length from the start of `bytes`, returning it and the number of
/// bytes it occupied.
pub fn read_length(bytes: &[u8]) -> Result<(usize, usize), DecodeError> {
    let mut r = Reader::new(bytes);
    let n = r.length()?;
    Ok((n, r.offset()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_forms() {
        for (len, enc) in [
            (0usize, vec![0x00]),
            (0x7f, vec![0x7f]),
            (0x80, vec![0x81, 0x80]),
            (0xff, vec![0x81, 0xff]),
            (0x100, vec![0x82, 0x01, 0x00]),
            (0x1_0000, vec![0x83, 0x01, 0x00, 0x00]),
        ] {
            let mut out = Vec::new();
            write_length(&mut out, len);
            assert_eq!(out, enc);
            assert_eq!(read_length(&enc), Ok((len, enc.len())));
        }
    }

    #[test]
    fn rejects_non_minimal_and_indefinite() {
        assert!(matches!(
            read_length(&[0x81, 0x05]),
            Err(DecodeError::NonMinimalLength { .. })
        ));
        assert!(matches!(
            read_length(&[0x82, 0x00, 0xff]),
            Err(DecodeError::NonMinimalLength { .. })
        ));
        assert!(matches!(
            read_length(&[0x80]),
            Err(DecodeError::UnsupportedLength { .. })
        ));
        assert!(matches!(
            read_length(&[0x82, 0x01]),
            Err(DecodeError::Truncated { .. })
        ));
    }
}
