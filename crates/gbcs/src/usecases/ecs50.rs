//! ECS50: send a Customer Identification Number (CIN) to an ESME (DUIS 9.1 Request Customer
//! Identification Number). Only the DCC sends it: the Access Control Broker, on behalf of the
//! Other User who asked (the 18-byte other-information naming them and their request counter).
//! DLMS SET, as the RTDS vector: class 1 `0-3:96.13.1.255` attribute 2 ← the CIN, a four-digit
//! octet string, which the meter shows the consumer. The ESME answers the SET.

use super::common::{self, CommandHeader};
use super::settings_common;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS50";
/// The customer identification number (class 1, attribute 2).
pub const CIN_OBJECT: CosemDescriptor = CosemDescriptor::new(1, [0, 3, 96, 13, 1, 255], 2);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS50,
    device_types: &[DeviceType::Esme],
    originators: &[R::AccessControlBroker],
    critical: false,
    dcc_originated: true,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// A Customer Identification Number: four decimal digits (DUIS `CustomerIdentificationNumber`,
/// `[0-9]{4}`), carried as their ASCII bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cin([u8; 4]);

impl Cin {
    /// The CIN of four ASCII digits, or `None`.
    pub fn new(digits: &[u8]) -> Option<Self> {
        let d: [u8; 4] = digits.try_into().ok()?;
        d.iter().all(u8::is_ascii_digit).then_some(Self(d))
    }

    /// The CIN of the number `n` (0 to 9999), zero-padded.
    pub fn from_number(n: u16) -> Option<Self> {
        (n <= 9999).then(|| Self::modulo(u64::from(n)))
    }

    /// The CIN of `n` modulo 10 000, zero-padded.
    pub fn modulo(n: u64) -> Self {
        let n = n % 10_000;
        let mut d = [b'0'; 4];
        for (i, place) in [1000u64, 100, 10, 1].into_iter().enumerate() {
            d[i] = b'0' + ((n / place) % 10) as u8;
        }
        Self(d)
    }

    /// The four ASCII digits.
    pub fn as_bytes(&self) -> &[u8; 4] {
        &self.0
    }

    /// The digits as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("0000")
    }
}

/// Builds the command.
pub fn ecs50_send_cin(h: &CommandHeader, cin: Cin) -> GeneralSigning {
    settings_common::dlms_set_command(
        h,
        MessageCode::ECS50,
        vec![(CIN_OBJECT, Data::OctetString(cin.as_bytes().to_vec()))],
    )
}

/// Decodes the command: the SET of a four-digit CIN.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    match &settings_common::dlms_set(apdu, NAME, &[CIN_OBJECT])?[..] {
        [Data::OctetString(cin)] => Cin::new(cin)
            .map(DecodedCommand::Ecs50)
            .ok_or_else(|| common::bad(NAME, "the CIN is not four decimal digits")),
        _ => Err(common::bad(NAME, "the CIN is not an octet string")),
    }
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cins() {
        assert_eq!(Cin::new(b"1234").unwrap().as_str(), "1234");
        assert_eq!(Cin::from_number(7).unwrap().as_str(), "0007");
        assert!(Cin::new(b"123").is_none());
        assert!(Cin::new(b"12a4").is_none());
        assert!(Cin::new(b"12345").is_none());
        assert!(Cin::from_number(10_000).is_none());
        assert_eq!(Cin::modulo(123_456_789).as_str(), "6789");
    }
}
