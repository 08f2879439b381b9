//! Error types.

/// Why bytes could not be decoded. Offsets are relative to the start of the slice handed to the
/// decoder that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input ended before a field was complete.
    #[error("truncated at offset {offset}: {needed} more byte(s) needed")]
    Truncated {
        /// Where the missing field starts.
        offset: usize,
        /// How many bytes were missing.
        needed: usize,
    },
    /// A tag byte had an unexpected value.
    #[error("unexpected tag 0x{found:02x} at offset {offset} (expected {expected})")]
    UnexpectedTag {
        /// Where the tag is.
        offset: usize,
        /// What the decoder wanted.
        expected: &'static str,
        /// What it found.
        found: u8,
    },
    /// A length was not written in its shortest form (only the shortest form round-trips).
    #[error("non-minimal length encoding at offset {offset}")]
    NonMinimalLength {
        /// Where the length starts.
        offset: usize,
    },
    /// A length form this codec does not accept (indefinite, or more than four length bytes).
    #[error("unsupported length form 0x{first:02x} at offset {offset}")]
    UnsupportedLength {
        /// Where the length starts.
        offset: usize,
        /// The first length byte.
        first: u8,
    },
    /// Bytes were left after a complete structure.
    #[error("{count} trailing byte(s) at offset {offset}")]
    TrailingBytes {
        /// Where the surplus starts.
        offset: usize,
        /// How many bytes are surplus.
        count: usize,
    },
    /// A field held a value the format does not allow.
    #[error("invalid {field} at offset {offset}")]
    InvalidValue {
        /// Where the field is.
        offset: usize,
        /// Which field.
        field: &'static str,
    },
    /// Nesting deeper than the decoder allows (guards the stack against hostile input).
    #[error("nesting deeper than {limit} levels at offset {offset}")]
    TooDeep {
        /// Where the limit was hit.
        offset: usize,
        /// The limit.
        limit: usize,
    },
}

/// Why a cryptographic operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// A private key could not be loaded.
    #[error("private key rejected: {0}")]
    PrivateKeyRejected(String),
    /// A public key (SEC1 point, SPKI or certificate) could not be read or is not on P-256.
    #[error("public key rejected: {0}")]
    PublicKeyRejected(&'static str),
    /// ECDH failed (for example the peer point is not on the curve).
    #[error("key agreement failed")]
    KeyAgreement,
    /// ECDSA signing failed.
    #[error("signing failed")]
    Signing,
    /// An ECDSA signature did not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// The message carries no signature to verify.
    #[error("message is not signed")]
    NotSigned,
    /// A MAC (GCM tag) did not verify.
    #[error("MAC does not verify")]
    BadMac,
    /// AES-GCM refused the input (too long).
    #[error("AES-GCM failure")]
    Cipher,
    /// A protected block is malformed (too short, wrong security header).
    #[error("malformed protected block: {0}")]
    MalformedProtectedBlock(&'static str),
}

/// Why a hand-built value could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// A field is longer than its length field can describe.
    #[error("{0} too long for its length field")]
    TooLong(&'static str),
}

/// Why a command could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// A parameter is outside what the message can carry.
    #[error("parameter {0} out of range")]
    OutOfRange(&'static str),
    /// The built payload could not be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// Protection of the built command failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}
