//! The Unique Transaction Reference Number (UTRN, GBCS section 14): the 20-digit prepayment
//! top-up token a supplier issues for one meter, applied remotely (CS01a on an ESME, CS01b on a
//! GSME, DUIS 2.2) or typed in at the meter's keypad.
//!
//! Structure:
//!
//! * the **Prepayment Top-Up Token** (PTUT), 64 bits: the high 32 bits are 7 reserved zero bits,
//!   the 10 bits 32..41 of the supplier's UTRN counter, the 2-bit value class (`00` pennies,
//!   `01` pounds) and the 13-bit value (0..=8191); the low 32 bits are the last four octets of a
//!   16-octet AES-128-GCM tag (empty plaintext) over
//!   `11 00 00 00 00 00 ‖ originator ‖ recipient ‖ 01 ‖ counter (8) ‖ PTUT high dword`, with
//!   IV `originator ‖ 00000000` and the key from the GBCS KDF (static–static ECDH between the
//!   supplier's prepayment key-agreement key and the meter's key-agreement key, OtherInfo
//!   naming the supplier, mode `01`, the full counter and the meter);
//! * the **Prepayment Token Decimal**, `PTUT + 7394156990786306048` in decimal (19 digits);
//! * the **UTRN**: the token decimal followed by its GBCS Verhoeff check digit (14.8).
//!
//! A supplier's UTRN counters have their low 32 bits zero (the counter advances by 2³² from one
//! UTRN to the next), so only the 10 bits 32..41 travel; the meter reconstructs the rest
//! ([`reconstruct_counter`]).
//!
//! The key agreement is symmetric: the supplier builds with its private key and the meter's
//! public key ([`build`]), the meter verifies with its private key and the supplier's public key
//! ([`Ptut::verify`]).

use aes_gcm::{AeadInOut, Aes128Gcm, KeyInit, Nonce};
use eui::Eui64;
use serde::{Deserialize, Serialize};

use crate::crypto::{KaPrivateKey, KdfContext, KdfMode, PublicKey};
use crate::error::CryptoError;

/// The offset added to the PTUT to form the Prepayment Token Decimal.
pub const TOKEN_DECIMAL_BASE: u64 = 7_394_156_990_786_306_048;
/// Number of digits of a UTRN.
pub const UTRN_DIGITS: usize = 20;
/// The largest value a UTRN carries (13 bits).
pub const MAX_VALUE: u16 = 8191;
/// The counter step between UTRNs: the low 32 bits of a UTRN counter are zero.
pub const COUNTER_STEP: u64 = 1 << 32;
/// How many UTRN counters the 10 transmitted bits tell apart.
pub const COUNTER_MODULUS: u64 = 1 << 10;

/// What a UTRN's value counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ValueClass {
    /// `00`: pennies.
    Pennies,
    /// `01`: pounds.
    Pounds,
}

impl ValueClass {
    const fn bits(self) -> u32 {
        match self {
            ValueClass::Pennies => 0,
            ValueClass::Pounds => 1,
        }
    }
}

/// Why a UTRN is not well formed, or could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UtrnError {
    /// Not exactly 20 ASCII digits.
    #[error("a UTRN is 20 decimal digits")]
    NotTwentyDigits,
    /// The check digit does not match.
    #[error("the UTRN's check digit is wrong")]
    CheckDigit,
    /// The token decimal is below the base or the PTUT does not fit 64 bits.
    #[error("the UTRN is not a prepayment token decimal")]
    OutOfRange,
    /// The reserved bits are not zero or the value class is not pennies or pounds.
    #[error("the UTRN's reserved bits or value class are invalid")]
    Reserved,
    /// A value above 8191.
    #[error("a UTRN value is 0 to 8191")]
    Value,
    /// A counter whose low 32 bits are not zero.
    #[error("a UTRN counter has its low 32 bits zero")]
    Counter,
    /// Key agreement or the cipher failed.
    #[error("UTRN MAC: {0}")]
    Crypto(#[from] CryptoError),
}

/// A decoded Prepayment Top-Up Token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ptut {
    /// Bits 32..41 of the UTRN counter.
    pub counter_bits: u16,
    /// What the value counts.
    pub class: ValueClass,
    /// The value, 0..=8191.
    pub value: u16,
    /// The truncated MAC (the last four octets of the GCM tag).
    pub mac: [u8; 4],
}

impl Ptut {
    /// The high 32 bits: reserved, counter bits, class, value.
    pub fn high_dword(&self) -> u32 {
        (u32::from(self.counter_bits & 0x3FF) << 15)
            | (self.class.bits() << 13)
            | u32::from(self.value & 0x1FFF)
    }

    /// The 64-bit token.
    pub fn to_u64(&self) -> u64 {
        (u64::from(self.high_dword()) << 32) | u64::from(u32::from_be_bytes(self.mac))
    }

    /// From the 64-bit token: the 7 reserved bits must be zero and the class pennies or pounds.
    pub fn from_u64(v: u64) -> Result<Self, UtrnError> {
        let high = (v >> 32) as u32;
        if high >> 25 != 0 {
            return Err(UtrnError::Reserved);
        }
        let class = match (high >> 13) & 3 {
            0 => ValueClass::Pennies,
            1 => ValueClass::Pounds,
            _ => return Err(UtrnError::Reserved),
        };
        Ok(Self {
            counter_bits: ((high >> 15) & 0x3FF) as u16,
            class,
            value: (high & 0x1FFF) as u16,
            mac: (v as u32).to_be_bytes(),
        })
    }

    /// Parses a UTRN: 20 digits, the check digit, the token decimal, the PTUT.
    pub fn parse(utrn: &str) -> Result<Self, UtrnError> {
        let b = utrn.as_bytes();
        if b.len() != UTRN_DIGITS || !b.iter().all(u8::is_ascii_digit) {
            return Err(UtrnError::NotTwentyDigits);
        }
        let (decimal, check) = b.split_at(UTRN_DIGITS - 1);
        if check_digit(decimal) != check[0] {
            return Err(UtrnError::CheckDigit);
        }
        let mut n: u64 = 0;
        for d in decimal {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(d - b'0')))
                .ok_or(UtrnError::OutOfRange)?;
        }
        let ptut = n
            .checked_sub(TOKEN_DECIMAL_BASE)
            .ok_or(UtrnError::OutOfRange)?;
        Self::from_u64(ptut)
    }

    /// The 20-digit UTRN, or `None` when the token decimal would overflow 64 bits (only
    /// possible for a PTUT whose reserved bits are set, which [`Ptut::from_u64`] refuses).
    pub fn to_utrn(&self) -> Option<String> {
        let decimal = self.to_u64().checked_add(TOKEN_DECIMAL_BASE)?.to_string();
        let check = check_digit(decimal.as_bytes());
        let mut s = format!("{decimal:0>19}");
        s.push(char::from(check));
        Some(s)
    }

    /// The value in pence.
    pub fn value_pence(&self) -> u32 {
        match self.class {
            ValueClass::Pennies => u32::from(self.value),
            ValueClass::Pounds => u32::from(self.value) * 100,
        }
    }

    /// Whether the MAC verifies for `counter` (the full UTRN counter, reconstructed), from
    /// `originator` (the supplier) to `recipient` (this meter): `own` is the meter's KA private
    /// key, `supplier` the supplier's prepayment KA public key. Also false when `counter` does
    /// not carry this token's counter bits.
    pub fn verify(
        &self,
        own: &KaPrivateKey,
        supplier: &PublicKey,
        originator: Eui64,
        recipient: Eui64,
        counter: u64,
    ) -> bool {
        if counter_bits(counter) != self.counter_bits {
            return false;
        }
        mac(
            own,
            supplier,
            originator,
            recipient,
            counter,
            self.high_dword(),
        )
        .is_ok_and(|m| m == self.mac)
    }
}

/// Bits 32..41 of a UTRN counter.
pub fn counter_bits(counter: u64) -> u16 {
    ((counter >> 32) & 0x3FF) as u16
}

/// The full UTRN counter a meter takes a token's 10 counter bits for: the smallest counter with
/// those bits (and its low 32 bits zero) at or above `floor` (the lowest counter the meter still
/// remembers: a token at the floor is one it has seen), or the smallest with those bits when it
/// remembers none. `None` past the counter space.
pub fn reconstruct_counter(bits: u16, floor: Option<u64>) -> Option<u64> {
    let base = u64::from(bits & 0x3FF) << 32;
    match floor {
        None => Some(base),
        Some(f) => {
            let period = COUNTER_MODULUS * COUNTER_STEP;
            // Smallest base + k·period >= f.
            if base >= f {
                return Some(base);
            }
            let k = (f - base).div_ceil(period);
            k.checked_mul(period).and_then(|o| o.checked_add(base))
        }
    }
}

/// The truncated MAC of a PTUT high dword.
fn mac(
    own: &KaPrivateKey,
    peer: &PublicKey,
    originator: Eui64,
    recipient: Eui64,
    counter: u64,
    high: u32,
) -> Result<[u8; 4], UtrnError> {
    let ctx = KdfContext {
        originator,
        mode: KdfMode::Command,
        counter,
        recipient,
    };
    let key = own.derive(peer, &ctx)?;
    let mut aad = Vec::with_capacity(35);
    aad.extend_from_slice(&[0x11, 0, 0, 0, 0, 0]);
    aad.extend_from_slice(&originator.0);
    aad.extend_from_slice(&recipient.0);
    aad.push(0x01);
    aad.extend_from_slice(&counter.to_be_bytes());
    aad.extend_from_slice(&high.to_be_bytes());
    let mut iv = [0u8; 12];
    iv[..8].copy_from_slice(&originator.0);
    let cipher = Aes128Gcm::new_from_slice(&key.0).map_err(|_| CryptoError::Cipher)?;
    let mut empty: [u8; 0] = [];
    let tag = cipher
        .encrypt_inout_detached(&Nonce::from(iv), &aad, (&mut empty[..]).into())
        .map_err(|_| CryptoError::Cipher)?;
    let mut out = [0u8; 4];
    out.copy_from_slice(&tag[12..16]);
    Ok(out)
}

/// Builds the UTRN a supplier issues: `supplier` is its prepayment KA private key, `meter` the
/// meter's KA public key, `counter` the supplier's UTRN counter for it (low 32 bits zero).
pub fn build(
    supplier: &KaPrivateKey,
    meter: &PublicKey,
    originator: Eui64,
    recipient: Eui64,
    counter: u64,
    class: ValueClass,
    value: u16,
) -> Result<String, UtrnError> {
    if value > MAX_VALUE {
        return Err(UtrnError::Value);
    }
    if !counter.is_multiple_of(COUNTER_STEP) {
        return Err(UtrnError::Counter);
    }
    let mut ptut = Ptut {
        counter_bits: counter_bits(counter),
        class,
        value,
        mac: [0; 4],
    };
    ptut.mac = mac(
        supplier,
        meter,
        originator,
        recipient,
        counter,
        ptut.high_dword(),
    )?;
    ptut.to_utrn().ok_or(UtrnError::OutOfRange)
}

/// GBCS table 14.8a: the permutation table.
const P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/// GBCS table 14.8b: the multiplication table (the dihedral group D5).
const D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];

/// GBCS table 14.8c: the final mapping of the accumulated digit.
const INV: [u8; 10] = [1, 2, 6, 7, 5, 8, 3, 0, 9, 4];

/// The GBCS Verhoeff check digit (ASCII) of `digits` (ASCII decimal digits, most significant
/// first; anything else counts as 0).
pub fn check_digit(digits: &[u8]) -> u8 {
    let mut acc = 0usize;
    let mut k = 4usize;
    for d in digits {
        let d = usize::from(d.saturating_sub(b'0').min(9));
        acc = usize::from(D[acc][usize::from(P[k][d])]);
        k = (k + 1) % 8;
    }
    b'0' + INV[acc]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_of_known_utrns() {
        for u in [
            "73943333457189043313",
            "74301825837596672005",
            "73946144332040217315",
            "73947252416745201637",
            "73950067887105178605",
        ] {
            assert_eq!(check_digit(&u.as_bytes()[..19]), u.as_bytes()[19], "{u}");
        }
    }

    #[test]
    fn parse_round_trips_and_refuses_bad_digits() {
        let p = Ptut::parse("73946144332040217315").unwrap();
        assert_eq!(p.counter_bits, 3);
        assert_eq!(p.class, ValueClass::Pounds);
        assert_eq!(p.value, 10);
        assert_eq!(p.value_pence(), 1000);
        assert_eq!(p.to_utrn().unwrap(), "73946144332040217315");
        assert_eq!(
            Ptut::parse("73946144332040217316"),
            Err(UtrnError::CheckDigit)
        );
        assert_eq!(
            Ptut::parse("7394614433204021731"),
            Err(UtrnError::NotTwentyDigits)
        );
        assert_eq!(
            Ptut::parse("7394614433204021731x"),
            Err(UtrnError::NotTwentyDigits)
        );
        // The RTDS CS01b ERROR vector's UTRN is not a token decimal.
        assert!(Ptut::parse("12345678910121314156").is_err());
    }

    #[test]
    fn counter_reconstruction() {
        assert_eq!(reconstruct_counter(3, None), Some(3 << 32));
        assert_eq!(reconstruct_counter(3, Some(2 << 32)), Some(3 << 32));
        // At or above the floor: a counter equal to it is itself (the meter then finds it in its
        // cache: a duplicate).
        assert_eq!(reconstruct_counter(3, Some(3 << 32)), Some(3 << 32));
        assert_eq!(
            reconstruct_counter(3, Some((3 << 32) + 1)),
            Some((1024 + 3) << 32)
        );
        assert_eq!(
            reconstruct_counter(2, Some(1030 << 32)),
            Some((2048 + 2) << 32)
        );
        assert_eq!(reconstruct_counter(1023, Some(u64::MAX - 1)), None);
    }
}
