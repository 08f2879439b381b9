//! ZCL attribute records (little-endian ZCL types) for Read Attributes Responses.

/// ZCL status: SUCCESS.
const SUCCESS: u8 = 0x00;
/// ZCL status: UNSUPPORTED_ATTRIBUTE.
pub(crate) const UNSUPPORTED_ATTRIBUTE: u8 = 0x86;
/// ZCL status: HARDWARE_FAILURE (what the RTDS error responses carry for a faulty attribute).
pub(crate) const HARDWARE_FAILURE: u8 = 0xC0;
/// ZCL status: SOFTWARE_FAILURE (a value that does not fit its type).
const SOFTWARE_FAILURE: u8 = 0xC1;

/// An attribute value with its ZCL data type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ZclValue {
    /// `0x21` uint16.
    U16(u16),
    /// `0x22` uint24 (the low 24 bits are sent).
    U24(u32),
    /// `0x25` uint48 (the low 48 bits are sent: registers roll over).
    U48(u64),
    /// `0x30` enum8.
    Enum8(u8),
    /// `0x41` octet string (at most 254 bytes).
    OctetString(Vec<u8>),
    // Instantaneous reads.
    /// `0x18` bitmap8.
    Bitmap8(u8),
    /// `0x23` uint32.
    U32(u32),
    /// `0x2B` int32.
    I32(i32),
    /// `0x19` bitmap16.
    Bitmap16(u16),
    /// `0x20` uint8.
    U8(u8),
    /// `0x42` character string (at most 254 bytes).
    CharString(Vec<u8>),
}

impl ZclValue {
    /// Type id and value bytes, or `None` if the value does not fit the type.
    fn encode(&self) -> Option<(u8, Vec<u8>)> {
        Some(match self {
            ZclValue::U16(v) => (0x21, v.to_le_bytes().to_vec()),
            ZclValue::U8(v) => (0x20, vec![*v]),
            ZclValue::U24(v) => (0x22, v.to_le_bytes().get(..3)?.to_vec()),
            ZclValue::U48(v) => (0x25, v.to_le_bytes().get(..6)?.to_vec()),
            ZclValue::Enum8(v) => (0x30, vec![*v]),
            ZclValue::Bitmap8(v) => (0x18, vec![*v]),
            ZclValue::U32(v) => (0x23, v.to_le_bytes().to_vec()),
            ZclValue::I32(v) => (0x2B, v.to_le_bytes().to_vec()),
            ZclValue::Bitmap16(v) => (0x19, v.to_le_bytes().to_vec()),
            ZclValue::CharString(b) => (0x42, {
                let n = u8::try_from(b.len()).ok().filter(|n| *n < 0xFF)?;
                let mut v = vec![n];
                v.extend_from_slice(b);
                v
            }),
            ZclValue::OctetString(b) => {
                let len = u8::try_from(b.len()).ok().filter(|l| *l != 0xFF)?;
                let mut out = Vec::with_capacity(b.len() + 1);
                out.push(len);
                out.extend_from_slice(b);
                (0x41, out)
            }
        })
    }
}

/// One Read Attributes Response record: id, status and (on success) type and value; `Err` is
/// the non-success status the attribute reads with.
pub(crate) fn attribute_record(id: u16, value: Result<ZclValue, u8>) -> Vec<u8> {
    let mut out = id.to_le_bytes().to_vec();
    match value {
        Err(status) => out.push(status),
        Ok(v) => match v.encode() {
            Some((ty, bytes)) => {
                out.push(SUCCESS);
                out.push(ty);
                out.extend_from_slice(&bytes);
            }
            None => out.push(SOFTWARE_FAILURE),
        },
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_match_the_rtds_layout() {
        // From the decrypted GCS13a and the GCS33 RTDS responses.
        assert_eq!(
            attribute_record(0x0302, Ok(ZclValue::U24(1000))),
            [0x02, 0x03, 0x00, 0x22, 0xE8, 0x03, 0x00]
        );
        assert_eq!(
            attribute_record(0x0000, Ok(ZclValue::U48(12345))),
            [0x00, 0x00, 0x00, 0x25, 0x39, 0x30, 0, 0, 0, 0]
        );
        assert_eq!(
            attribute_record(0x0205, Ok(ZclValue::U16(100))),
            [0x05, 0x02, 0x00, 0x21, 0x64, 0x00]
        );
        assert_eq!(
            attribute_record(0x0014, Ok(ZclValue::Enum8(2))),
            [0x14, 0x00, 0x00, 0x30, 0x02]
        );
        assert_eq!(
            attribute_record(0x0206, Ok(ZclValue::OctetString(vec![1, 2]))),
            [0x06, 0x02, 0x00, 0x41, 0x02, 1, 2]
        );
        assert_eq!(
            attribute_record(0x1234, Err(UNSUPPORTED_ATTRIBUTE)),
            [0x34, 0x12, 0x86]
        );
        assert_eq!(
            attribute_record(0x0302, Err(HARDWARE_FAILURE)),
            [0x02, 0x03, 0xC0]
        );
        assert_eq!(
            attribute_record(0x0206, Ok(ZclValue::OctetString(vec![0; 300]))),
            [0x06, 0x02, 0xC1]
        );
    }
}
