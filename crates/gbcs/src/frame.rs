//! GBCS framing: the General-Signing APDU (`DF`) and the General-Ciphering wrapper (`DD`).

use eui::Eui64;

use crate::codec::{Reader, write_length, write_length_prefixed};
use crate::codes::{Cra, MessageCode};
use crate::error::DecodeError;
use crate::payload::Payload;

/// Tag of the General-Signing APDU.
pub const GENERAL_SIGNING_TAG: u8 = 0xDF;
/// Tag of the General-Ciphering APDU.
pub const GENERAL_CIPHERING_TAG: u8 = 0xDD;
/// Security control byte of a MAC'd GBCS frame (authentication only, suite 1).
pub const SECURITY_CONTROL_AUTH: u8 = 0x11;
/// Length of the truncated GCM tag used as MAC.
pub const MAC_LEN: usize = 12;

/// What follows the message code in other-information.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OtherInfoExt {
    /// Message code only (2 bytes in all).
    None,
    /// Supplementary remote party id (10 bytes in all; ECS200 alert).
    RemoteParty {
        /// The supplementary remote party.
        remote_party: Eui64,
    },
    /// Supplementary remote party id and counter (18 bytes): commands the DCC sends on behalf of a
    /// user, and their responses.
    RemotePartyCounter {
        /// The user the DCC acts for.
        remote_party: Eui64,
        /// That user's request counter.
        remote_party_counter: u64,
    },
    /// As [`OtherInfoExt::RemotePartyCounter`] plus a supplementary originator counter (26 bytes;
    /// responses to commands for an unknown remote party).
    OriginatorCounter {
        /// Supplementary remote party.
        remote_party: Eui64,
        /// Supplementary remote party counter.
        remote_party_counter: u64,
        /// Supplementary originator counter (enters the payload-encryption KDF).
        originator_counter: u64,
    },
    /// The 18-byte form followed by the DER certificate of the remote party.
    Certificate {
        /// Supplementary remote party.
        remote_party: Eui64,
        /// Supplementary remote party counter.
        remote_party_counter: u64,
        /// DER X.509 certificate (one complete SEQUENCE).
        certificate: Vec<u8>,
    },
    /// Any other layout: the bytes after the message code, kept verbatim.
    Unrecognised(Vec<u8>),
}

/// The other-information field: message code plus optional supplementary fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OtherInfo {
    /// The GBCS message code.
    pub message_code: MessageCode,
    /// Supplementary fields.
    pub ext: OtherInfoExt,
}

impl OtherInfo {
    /// Message code only.
    pub fn code(message_code: MessageCode) -> Self {
        Self {
            message_code,
            ext: OtherInfoExt::None,
        }
    }

    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let message_code = MessageCode(r.u16_be()?);
        let rest = r.rest();
        let eui = |r: &mut Reader<'_>| r.array::<8>().map(Eui64);
        let ext = match rest.len() {
            0 => OtherInfoExt::None,
            8 => OtherInfoExt::RemoteParty {
                remote_party: eui(&mut r)?,
            },
            16 => OtherInfoExt::RemotePartyCounter {
                remote_party: eui(&mut r)?,
                remote_party_counter: r.u64_be()?,
            },
            24 => OtherInfoExt::OriginatorCounter {
                remote_party: eui(&mut r)?,
                remote_party_counter: r.u64_be()?,
                originator_counter: r.u64_be()?,
            },
            n if n > 16 && n != 24 && is_single_der_sequence(rest.get(16..).unwrap_or(&[])) => {
                OtherInfoExt::Certificate {
                    remote_party: eui(&mut r)?,
                    remote_party_counter: r.u64_be()?,
                    certificate: r.take(n - 16)?.to_vec(),
                }
            }
            n => OtherInfoExt::Unrecognised(r.take(n)?.to_vec()),
        };
        r.finish()?;
        Ok(Self { message_code, ext })
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.message_code.0.to_be_bytes());
        match &self.ext {
            OtherInfoExt::None => {}
            OtherInfoExt::RemoteParty { remote_party } => out.extend_from_slice(&remote_party.0),
            OtherInfoExt::RemotePartyCounter {
                remote_party,
                remote_party_counter,
            } => {
                out.extend_from_slice(&remote_party.0);
                out.extend_from_slice(&remote_party_counter.to_be_bytes());
            }
            OtherInfoExt::OriginatorCounter {
                remote_party,
                remote_party_counter,
                originator_counter,
            } => {
                out.extend_from_slice(&remote_party.0);
                out.extend_from_slice(&remote_party_counter.to_be_bytes());
                out.extend_from_slice(&originator_counter.to_be_bytes());
            }
            OtherInfoExt::Certificate {
                remote_party,
                remote_party_counter,
                certificate,
            } => {
                out.extend_from_slice(&remote_party.0);
                out.extend_from_slice(&remote_party_counter.to_be_bytes());
                out.extend_from_slice(certificate);
            }
            OtherInfoExt::Unrecognised(b) => out.extend_from_slice(b),
        }
    }

    /// The supplementary remote party, if any.
    pub fn remote_party(&self) -> Option<Eui64> {
        match &self.ext {
            OtherInfoExt::RemoteParty { remote_party }
            | OtherInfoExt::RemotePartyCounter { remote_party, .. }
            | OtherInfoExt::OriginatorCounter { remote_party, .. }
            | OtherInfoExt::Certificate { remote_party, .. } => Some(*remote_party),
            OtherInfoExt::None | OtherInfoExt::Unrecognised(_) => None,
        }
    }
}

/// Whether `b` is exactly one DER SEQUENCE (tag `30`, definite length covering the rest).
pub(crate) fn is_single_der_sequence(b: &[u8]) -> bool {
    let mut r = Reader::new(b);
    if r.u8() != Ok(0x30) {
        return false;
    }
    match r.length() {
        Ok(n) => n == r.remaining(),
        Err(_) => false,
    }
}

/// The signature field at the end of a General-Signing APDU.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SignatureField {
    /// No field at all: a pre-command as DUIS returns it.
    Absent,
    /// `00`: not signed.
    Unsigned,
    /// `40` followed by r‖s.
    Signed([u8; 64]),
}

/// A General-Signing APDU (`DF …`): the GBCS grouping header, the payload and the signature.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GeneralSigning {
    /// Command, response or alert.
    pub cra: Cra,
    /// Originator counter (transaction id without the CRA flag).
    pub counter: u64,
    /// Originator system title.
    pub originator: Eui64,
    /// Recipient system title.
    pub recipient: Eui64,
    /// Optional 12-byte COSEM date-time.
    pub date_time: Option<[u8; 12]>,
    /// Other-information.
    pub other_info: OtherInfo,
    /// The use-case payload (DLMS, GBZ or ASN.1 bytes).
    pub content: Vec<u8>,
    /// Signature field.
    pub signature: SignatureField,
}

impl GeneralSigning {
    /// Decodes exactly one General-Signing APDU; every byte must be used.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let apdu = Self::decode_from(&mut r)?;
        r.finish()?;
        Ok(apdu)
    }

    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.expect(GENERAL_SIGNING_TAG, "general-signing tag DF")?;
        r.expect(9, "transaction-id length 09")?;
        let cra_off = r.offset();
        let cra = Cra::from_byte(r.u8()?).ok_or(DecodeError::InvalidValue {
            offset: cra_off,
            field: "CRA flag",
        })?;
        let counter = r.u64_be()?;
        r.expect(8, "originator system-title length 08")?;
        let originator = Eui64(r.array()?);
        r.expect(8, "recipient system-title length 08")?;
        let recipient = Eui64(r.array()?);
        let dt_off = r.offset();
        let date_time = match r.u8()? {
            0 => None,
            12 => Some(r.array()?),
            _ => {
                return Err(DecodeError::InvalidValue {
                    offset: dt_off,
                    field: "date-time length",
                });
            }
        };
        let oi_off = r.offset();
        let oi = r.length_prefixed()?;
        let other_info = OtherInfo::decode(oi).map_err(|e| shift(e, oi_off + 1))?;
        let content = r.length_prefixed()?.to_vec();
        let sig_off = r.offset();
        let signature = match r.peek() {
            None => SignatureField::Absent,
            Some(0) => {
                r.u8()?;
                SignatureField::Unsigned
            }
            Some(0x40) => {
                r.u8()?;
                SignatureField::Signed(r.array()?)
            }
            Some(_) => {
                return Err(DecodeError::InvalidValue {
                    offset: sig_off,
                    field: "signature length",
                });
            }
        };
        Ok(Self {
            cra,
            counter,
            originator,
            recipient,
            date_time,
            other_info,
            content,
            signature,
        })
    }

    /// Encodes the APDU.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.content.len() + 110);
        self.encode_into(&mut out);
        out
    }

    /// Appends the encoded APDU to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.push(GENERAL_SIGNING_TAG);
        self.encode_signed_part(out);
        match &self.signature {
            SignatureField::Absent => {}
            SignatureField::Unsigned => out.push(0),
            SignatureField::Signed(sig) => {
                out.push(0x40);
                out.extend_from_slice(sig);
            }
        }
    }

    /// The bytes covered by the ECDSA signature: from the transaction-id length byte (`09`, just
    /// after the `DF` tag) to the end of the content.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.content.len() + 110);
        self.encode_signed_part(&mut out);
        out
    }

    fn encode_signed_part(&self, out: &mut Vec<u8>) {
        out.push(9);
        out.push(self.cra.to_byte());
        out.extend_from_slice(&self.counter.to_be_bytes());
        out.push(8);
        out.extend_from_slice(&self.originator.0);
        out.push(8);
        out.extend_from_slice(&self.recipient.0);
        match &self.date_time {
            None => out.push(0),
            Some(dt) => {
                out.push(12);
                out.extend_from_slice(dt);
            }
        }
        let mut oi = Vec::with_capacity(32);
        self.other_info.encode_into(&mut oi);
        write_length_prefixed(out, &oi);
        write_length_prefixed(out, &self.content);
    }

    /// The message code.
    pub fn message_code(&self) -> MessageCode {
        self.other_info.message_code
    }

    /// Whether this is a pre-command (command with no signature field at all).
    pub fn is_precommand(&self) -> bool {
        self.cra == Cra::Command && self.signature == SignatureField::Absent
    }

    /// The content decoded as a DLMS, GBZ or ASN.1 payload (raw bytes if none fits).
    pub fn payload(&self) -> Payload {
        Payload::decode(self.cra, &self.content)
    }

    /// Turns a pre-command (or unsigned command) into a signed command carrying `signature`.
    pub fn with_signature(mut self, signature: [u8; 64]) -> Self {
        self.signature = SignatureField::Signed(signature);
        self
    }
}

fn shift(e: DecodeError, by: usize) -> DecodeError {
    match e {
        DecodeError::Truncated { offset, needed } => DecodeError::Truncated {
            offset: offset + by,
            needed,
        },
        DecodeError::UnexpectedTag {
            offset,
            expected,
            found,
        } => DecodeError::UnexpectedTag {
            offset: offset + by,
            expected,
            found,
        },
        DecodeError::NonMinimalLength { offset } => DecodeError::NonMinimalLength {
            offset: offset + by,
        },
        DecodeError::UnsupportedLength { offset, first } => DecodeError::UnsupportedLength {
            offset: offset + by,
            first,
        },
        DecodeError::TrailingBytes { offset, count } => DecodeError::TrailingBytes {
            offset: offset + by,
            count,
        },
        DecodeError::InvalidValue { offset, field } => DecodeError::InvalidValue {
            offset: offset + by,
            field,
        },
        DecodeError::TooDeep { offset, limit } => DecodeError::TooDeep {
            offset: offset + by,
            limit,
        },
    }
}

/// A General-Ciphering APDU (`DD`) as GBCS uses it: empty header fields, security header, the
/// General-Signing APDU in clear and a 12-byte MAC.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GeneralCiphering {
    /// Security control byte (`0x11` in every GBCS frame seen).
    pub security_control: u8,
    /// Invocation counter (0 in every GBCS frame seen).
    pub invocation_counter: u32,
    /// The protected General-Signing APDU.
    pub apdu: GeneralSigning,
    /// Truncated GCM tag.
    pub mac: [u8; MAC_LEN],
}

impl GeneralCiphering {
    /// Decodes exactly one General-Ciphering APDU.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        r.expect(GENERAL_CIPHERING_TAG, "general-ciphering tag DD")?;
        for _ in 0..6 {
            r.expect(0, "empty general-ciphering header field 00")?;
        }
        let cc_off = r.offset();
        let cc = r.length_prefixed()?;
        r.finish()?;
        let mut c = Reader::new(cc);
        let security_control = c.u8()?;
        let invocation_counter = c.u32_be()?;
        let apdu_len = c
            .remaining()
            .checked_sub(MAC_LEN)
            .ok_or(DecodeError::Truncated {
                offset: cc_off,
                needed: MAC_LEN,
            })?;
        let apdu_bytes = c.take(apdu_len)?;
        let mac = c.array()?;
        let apdu =
            GeneralSigning::decode(apdu_bytes).map_err(|e| shift(e, bytes.len() - cc.len() + 5))?;
        Ok(Self {
            security_control,
            invocation_counter,
            apdu,
            mac,
        })
    }

    /// Encodes the frame.
    pub fn encode(&self) -> Vec<u8> {
        let apdu = self.apdu.encode();
        let mut out = Vec::with_capacity(apdu.len() + 30);
        out.push(GENERAL_CIPHERING_TAG);
        out.extend_from_slice(&[0; 6]);
        write_length(&mut out, 5 + apdu.len() + MAC_LEN);
        out.push(self.security_control);
        out.extend_from_slice(&self.invocation_counter.to_be_bytes());
        out.extend_from_slice(&apdu);
        out.extend_from_slice(&self.mac);
        out
    }
}

/// Any GBCS message as it travels: MAC'd (`DD`) or General-Signing only (`DF`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Frame {
    /// A General-Ciphering wrapped message.
    Ciphered(GeneralCiphering),
    /// A bare General-Signing APDU (pre-command, signed response or alert, …).
    Signing(GeneralSigning),
}

impl Frame {
    /// Decodes a complete message; every byte must be used.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        match bytes.first() {
            Some(&GENERAL_CIPHERING_TAG) => GeneralCiphering::decode(bytes).map(Frame::Ciphered),
            Some(&GENERAL_SIGNING_TAG) => GeneralSigning::decode(bytes).map(Frame::Signing),
            Some(&found) => Err(DecodeError::UnexpectedTag {
                offset: 0,
                expected: "DD or DF",
                found,
            }),
            None => Err(DecodeError::Truncated {
                offset: 0,
                needed: 1,
            }),
        }
    }

    /// Encodes the message.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Frame::Ciphered(c) => c.encode(),
            Frame::Signing(s) => s.encode(),
        }
    }

    /// The General-Signing APDU inside.
    pub fn apdu(&self) -> &GeneralSigning {
        match self {
            Frame::Ciphered(c) => &c.apdu,
            Frame::Signing(s) => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ECS52: &str = "DD000000000000471100000000DF090100000000000003E80890B3D51F300100000800DB1234567890A00002005913D9200003E800010100010000000201FF02010000A25A51A93BAFA5C9E2B224BD";

    fn unhex(s: &str) -> Vec<u8> {
        let b = s.as_bytes();
        (0..b.len() / 2)
            .map(|i| {
                u8::from_str_radix(std::str::from_utf8(&b[2 * i..2 * i + 2]).unwrap(), 16).unwrap()
            })
            .collect()
    }

    #[test]
    fn annotated_example_decodes() {
        let bytes = unhex(ECS52);
        let f = Frame::decode(&bytes).unwrap();
        let Frame::Ciphered(c) = &f else {
            panic!("not DD")
        };
        assert_eq!(c.security_control, 0x11);
        assert_eq!(c.apdu.cra, Cra::Command);
        assert_eq!(c.apdu.counter, 1000);
        assert_eq!(c.apdu.originator.to_string(), "90-B3-D5-1F-30-01-00-00");
        assert_eq!(c.apdu.recipient.to_string(), "00-DB-12-34-56-78-90-A0");
        assert_eq!(c.apdu.message_code(), MessageCode::ECS52);
        assert_eq!(c.apdu.content.len(), 0x13);
        assert_eq!(c.apdu.signature, SignatureField::Unsigned);
        assert_eq!(c.mac[0], 0xA2);
        assert_eq!(f.encode(), bytes);
    }

    #[test]
    fn precommand_with_or_without_trailing_null_signature() {
        let pre = unhex(
            "DF090100000000000003E80890B3D51F300100000800DB1234567890A00002004F15D9200003E8000103000900000A006AFF0101120033",
        );
        let a = GeneralSigning::decode(&pre).unwrap();
        assert!(a.is_precommand());
        let mut with_null = pre.clone();
        with_null.push(0);
        let b = GeneralSigning::decode(&with_null).unwrap();
        assert_eq!(b.signature, SignatureField::Unsigned);
        assert_eq!(a.signed_bytes(), b.signed_bytes());
        assert_eq!(a.signed_bytes(), pre[1..]);
        assert_eq!(b.encode(), with_null);
        with_null.push(0);
        assert!(GeneralSigning::decode(&with_null).is_err());
    }

    #[test]
    fn truncation_is_an_error_not_a_panic() {
        let bytes = unhex(ECS52);
        for n in 0..bytes.len() {
            assert!(Frame::decode(&bytes[..n]).is_err(), "prefix {n} accepted");
        }
    }

    #[test]
    fn other_info_layouts() {
        let rp = Eui64::from_u64(0x90b3_d51f_3001_0000);
        for ext in [
            OtherInfoExt::None,
            OtherInfoExt::RemoteParty { remote_party: rp },
            OtherInfoExt::RemotePartyCounter {
                remote_party: rp,
                remote_party_counter: 7,
            },
            OtherInfoExt::OriginatorCounter {
                remote_party: rp,
                remote_party_counter: 7,
                originator_counter: 9,
            },
            OtherInfoExt::Certificate {
                remote_party: rp,
                remote_party_counter: 7,
                certificate: vec![0x30, 0x03, 1, 2, 3],
            },
            OtherInfoExt::Unrecognised(vec![1, 2, 3]),
        ] {
            let oi = OtherInfo {
                message_code: MessageCode(0x1234),
                ext,
            };
            let mut out = Vec::new();
            oi.encode_into(&mut out);
            assert_eq!(OtherInfo::decode(&out).unwrap(), oi);
        }
    }
}
