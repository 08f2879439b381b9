//! Certificate serial numbers.

use std::fmt;

use p256::elliptic_curve::rand_core::CryptoRng;

use crate::error::{Result, SmkiError};

/// A 16-byte positive certificate serial number, as SMKI certificates carry.
///
/// The first byte is always in `0x01..=0x7F`, so the DER INTEGER is exactly 16 content octets
/// (positive, no padding byte, no leading zero).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Serial([u8; 16]);

impl Serial {
    /// 16 random bytes from the caller's RNG, made positive and full-length.
    pub fn random<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut b = [0u8; 16];
        rng.fill_bytes(&mut b);
        Self::normalise(b)
    }

    /// 16 random bytes from the operating system's RNG.
    pub fn random_with_os_rng() -> Result<Self> {
        let mut b = [0u8; 16];
        getrandom::fill(&mut b).map_err(|e| SmkiError::Rng(e.to_string()))?;
        Ok(Self::normalise(b))
    }

    /// Exactly these bytes; the first byte must be in `0x01..=0x7F`.
    pub fn from_bytes(bytes: [u8; 16]) -> Result<Self> {
        match bytes[0] {
            0x01..=0x7F => Ok(Self(bytes)),
            _ => Err(SmkiError::InvalidRequest(
                "serial must be 16 bytes with a first byte in 01..=7F (positive, full length)"
                    .to_owned(),
            )),
        }
    }

    fn normalise(mut b: [u8; 16]) -> Self {
        b[0] &= 0x7F;
        if b[0] == 0 {
            b[0] = 0x01;
        }
        Self(b)
    }

    /// The big-endian bytes.
    pub const fn bytes(&self) -> [u8; 16] {
        self.0
    }

    /// The value in decimal, as XML-DSig `X509SerialNumber` writes it.
    pub fn to_decimal(&self) -> String {
        to_decimal(&self.0)
    }

    /// Lower-case hex, 32 digits.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Debug for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Serial({})", self.to_hex())
    }
}

impl fmt::Display for Serial {
    /// Decimal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_decimal())
    }
}

/// An unsigned big-endian integer of any length in decimal (`"0"` for no bytes or all zeros).
pub fn to_decimal(be_bytes: &[u8]) -> String {
    // Repeated division by 10^19 over base-2^32 limbs would be faster; certificate serials are
    // at most 21 bytes, so byte-wise long division by 10 is plenty.
    let mut digits: Vec<u8> = Vec::with_capacity(be_bytes.len() * 5 / 2 + 1);
    let mut n: Vec<u8> = be_bytes.iter().copied().skip_while(|&b| b == 0).collect();
    while !n.is_empty() {
        let mut rem: u16 = 0;
        let mut q: Vec<u8> = Vec::with_capacity(n.len());
        for &b in &n {
            let cur = (rem << 8) | u16::from(b);
            let d = cur / 10;
            rem = cur % 10;
            if !(q.is_empty() && d == 0) {
                // d < 256 because rem < 10 so cur < 2560.
                q.push(u8::try_from(d).unwrap_or(u8::MAX));
            }
        }
        digits.push(b'0' + u8::try_from(rem).unwrap_or(0));
        n = q;
    }
    if digits.is_empty() {
        return "0".to_owned();
    }
    digits.reverse();
    // Only ASCII digits were pushed.
    String::from_utf8(digits).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;
    use crate::test_rng::TestRng;
    use proptest::prelude::*;

    #[test]
    fn zaz1_supplier_serial_in_decimal() {
        // Z1-supplier-ds.pem serial 4f:bc:52:52:01:a1:d7:58:6c:1b:c1:c4:73:4d:eb:9f; keystore.json
        // files it under this decimal key.
        let b: [u8; 16] = [
            0x4f, 0xbc, 0x52, 0x52, 0x01, 0xa1, 0xd7, 0x58, 0x6c, 0x1b, 0xc1, 0xc4, 0x73, 0x4d,
            0xeb, 0x9f,
        ];
        assert_eq!(to_decimal(&b), "105986833131214866166891566273223584671");
        assert_eq!(
            Serial::from_bytes(b).unwrap().to_string(),
            "105986833131214866166891566273223584671"
        );
    }

    #[test]
    fn small_values() {
        assert_eq!(to_decimal(&[]), "0");
        assert_eq!(to_decimal(&[0, 0]), "0");
        assert_eq!(to_decimal(&[10]), "10");
        assert_eq!(to_decimal(&[0, 1, 0]), "256");
        assert_eq!(
            to_decimal(&[0xff; 20]),
            "1461501637330902918203684832716283019655932542975"
        );
    }

    #[test]
    fn random_serials_are_positive_and_full_length() {
        let mut rng = TestRng::new(7);
        for _ in 0..1000 {
            let s = Serial::random(&mut rng);
            assert!((0x01..=0x7F).contains(&s.bytes()[0]));
        }
        assert!(Serial::from_bytes([0x80; 16]).is_err());
        assert!(Serial::from_bytes([0x00; 16]).is_err());
        assert_ne!(
            Serial::random_with_os_rng().unwrap(),
            Serial::random_with_os_rng().unwrap()
        );
    }

    proptest! {
        #[test]
        fn decimal_matches_u128(v in any::<u128>()) {
            prop_assert_eq!(to_decimal(&v.to_be_bytes()), v.to_string());
        }

        #[test]
        fn decimal_ignores_leading_zeros(v in any::<u64>(), pad in 0usize..5) {
            let mut b = vec![0u8; pad];
            b.extend_from_slice(&v.to_be_bytes());
            prop_assert_eq!(to_decimal(&b), v.to_string());
        }
    }
}
