//! GB Companion Specification (GBCS) messages for opendcc.
//!
//! Pure code: no I/O, no clock, no randomness of its own (ECDSA signing draws its nonce inside
//! aws-lc-rs). Key material is passed in by the caller.
//!
//! * [`frame`]: General-Signing (`DF`) and General-Ciphering (`DD`) framing, byte-exact round trip.
//! * [`crypto`]: KDF, static ECDH, MAC, ECDSA, payload encryption.
//! * [`axdr`], [`dlms`], [`gbz`], [`asn1`], [`payload`]: payload codecs.
//! * [`usecases`]: the service catalogue: one module per use case (builder, command decoder,
//!   response decoder, metadata), the registry, [`decode_command`] and [`classify_response`].
//! * [`alerts`]: device alerts: alert code, identity and future-dated outcomes ([`decode_alert`]).
//! * [`credentials`]: CS02b Update Security Credentials (trust anchor replacement), and the
//!   command the Recovery key authorises.

#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]
#![warn(missing_docs)]

pub mod alerts;
pub mod asn1;
pub mod axdr;
pub mod codec;
pub mod codes;
mod codes_table;
pub mod credentials;
pub mod crypto;
pub mod datetime;
pub mod dlms;
pub mod error;
pub mod firmware;
pub mod frame;
pub mod gbz;
pub mod payload;
pub mod usecases;
pub mod utrn;

pub use alerts::{AlertDecodeError, DecodedAlert, FutureDatedOutcome, decode_alert};
pub use codes::{AlertCode, Cra, MessageCode};
pub use crypto::{
    DerivedKey, KaPrivateKey, KdfContext, KdfMode, PublicKey, SigningKey, compute_mac, concat_kdf,
    decrypt_payload, encrypt_payload, verify_signature, wrap_command,
};
pub use datetime::UtcDateTime;
pub use error::{BuildError, CryptoError, DecodeError, EncodeError};
pub use eui::Eui64;
pub use frame::{Frame, GeneralCiphering, GeneralSigning, OtherInfo, OtherInfoExt, SignatureField};
pub use payload::Payload;
pub use usecases::{
    CommandHeader, DecodedCommand, DeviceType, OnBehalfOf, RemotePartyRole, ResponseClass,
    UseCaseSpec, classify_response, decode_command,
};
