//! Firmware images as they are distributed to devices (CS05a to a Communications Hub, CS05b to
//! an ESME or GSME; DUIS 11.1, 11.4): a ZigBee OTA upgrade file whose header is the ZigBee OTA
//! header, signed by the manufacturer. Pure: parsing, building and signing, the hashes.
//!
//! The layout, as the DUIS 11.1 template's `FirmwareImage` shows it (the GBCS text describing it
//! is not in the corpus; this is opendcc's reading of that image):
//!
//! ```text
//! OTA header (little-endian, ZigBee OTA cluster):
//!   file identifier 0x0BEEF11E (4), header version 0x0100 (2), header length (2),
//!   field control (2), manufacturer code (2), image type (2), file version (4),
//!   ZigBee stack version (2), header string (32), total image size (4),
//!   [security credential version (1)]   field control bit 0
//!   [upgrade file destination (8)]      field control bit 1
//!   [minimum, maximum hardware version (2 + 2)]  field control bit 2
//! upgrade image (the manufacturer's firmware, any length)
//! manufacturer signature: its length, 2 octets big-endian (0x0040), then ECDSA P-256/SHA-256
//!   r‖s (64) over the OTA header and the upgrade image
//! ```
//!
//! The total image size counts every octet, the signature's included. The PPMID template's image
//! (DUIS 11.4) carries no signature ([`ManufacturerImage::parse_unsigned`]).
//!
//! Two hashes:
//!
//! * the **manufacturer image hash** ([`ManufacturerImage::image_hash`]): SHA-256 over what the
//!   signature covers (OTA header and upgrade image); the device computes it on receipt, reports
//!   it in its firmware verification alert, and CS06 (DUIS 11.3 `FirmwareHash`) names the image
//!   to activate by it;
//! * the **CPL hash** ([`cpl_hash`]): SHA-256 over the whole image as distributed followed by the
//!   firmware identifier ([`firmware_identifier`]: the firmware version as DUIS 11.1 / 11.4
//!   `FirmwareVersion` writes it, up to 8 characters; for an image, its file version as 8
//!   uppercase hex digits), the value the manufacturer supplies for the Certified Products List
//!   and the DCC checks an 11.1 / 11.4 image against.
//!
//! [`sign_image`] is what a manufacturer runs (`opendcc cpl firmware --image FILE`): it fills in
//! the header's total size, signs, and returns the image with both hashes.

use sha2::{Digest, Sha256};

use crate::crypto::{PublicKey, SigningKey, verify_signature};
use crate::error::BuildError;

/// The ZigBee OTA upgrade file identifier.
pub const OTA_FILE_IDENTIFIER: u32 = 0x0BEE_F11E;
/// The OTA header version.
pub const OTA_HEADER_VERSION: u16 = 0x0100;
/// The length of the OTA header without its optional fields.
pub const OTA_HEADER_MIN_LEN: usize = 56;
/// The length of the manufacturer signature (r‖s).
pub const SIGNATURE_LEN: usize = 64;

const FC_SECURITY_CREDENTIAL: u16 = 0x0001;
const FC_DESTINATION: u16 = 0x0002;
const FC_HARDWARE_VERSIONS: u16 = 0x0004;

/// Why an image does not parse, or verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// Not an OTA image in the layout above.
    #[error("not a firmware image: {0}")]
    Format(&'static str),
    /// The manufacturer signature does not verify with the key.
    #[error("the manufacturer signature does not verify")]
    BadSignature,
}

/// The ZigBee OTA header of an image.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OtaHeader {
    /// The manufacturer code.
    pub manufacturer_code: u16,
    /// The image type (which device type it is for).
    pub image_type: u16,
    /// The file version: the firmware version the image carries.
    pub file_version: u32,
    /// The ZigBee stack version.
    pub stack_version: u16,
    /// The header string (32 octets).
    pub header_string: [u8; 32],
    /// The total image size, every octet.
    pub total_image_size: u32,
    /// The security credential version, if present.
    pub security_credential_version: Option<u8>,
    /// The upgrade file destination (a device's EUI-64, little-endian), if present.
    pub destination: Option<[u8; 8]>,
    /// The minimum and maximum hardware versions it runs on, if present.
    pub hardware_versions: Option<(u16, u16)>,
}

impl OtaHeader {
    /// The header's length.
    pub fn len(&self) -> usize {
        OTA_HEADER_MIN_LEN
            + usize::from(self.security_credential_version.is_some())
            + if self.destination.is_some() { 8 } else { 0 }
            + if self.hardware_versions.is_some() {
                4
            } else {
                0
            }
    }

    /// Never empty; for clippy.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The firmware version the image carries, as devices report it (ECS52, GCS38, CS08: the
    /// file version, 4 octets big-endian).
    pub fn firmware_version(&self) -> [u8; 4] {
        self.file_version.to_be_bytes()
    }

    /// Encodes the header.
    pub fn encode(&self) -> Vec<u8> {
        let mut fc = 0;
        if self.security_credential_version.is_some() {
            fc |= FC_SECURITY_CREDENTIAL;
        }
        if self.destination.is_some() {
            fc |= FC_DESTINATION;
        }
        if self.hardware_versions.is_some() {
            fc |= FC_HARDWARE_VERSIONS;
        }
        let mut out = Vec::with_capacity(self.len());
        out.extend_from_slice(&OTA_FILE_IDENTIFIER.to_le_bytes());
        out.extend_from_slice(&OTA_HEADER_VERSION.to_le_bytes());
        // The header length fits: at most 56 + 1 + 8 + 4.
        out.extend_from_slice(&(self.len() as u16).to_le_bytes());
        out.extend_from_slice(&fc.to_le_bytes());
        out.extend_from_slice(&self.manufacturer_code.to_le_bytes());
        out.extend_from_slice(&self.image_type.to_le_bytes());
        out.extend_from_slice(&self.file_version.to_le_bytes());
        out.extend_from_slice(&self.stack_version.to_le_bytes());
        out.extend_from_slice(&self.header_string);
        out.extend_from_slice(&self.total_image_size.to_le_bytes());
        if let Some(v) = self.security_credential_version {
            out.push(v);
        }
        if let Some(d) = self.destination {
            out.extend_from_slice(&d);
        }
        if let Some((min, max)) = self.hardware_versions {
            out.extend_from_slice(&min.to_le_bytes());
            out.extend_from_slice(&max.to_le_bytes());
        }
        out
    }

    /// Decodes the header at the start of `b`; its length is [`OtaHeader::len`].
    pub fn decode(b: &[u8]) -> Result<Self, ImageError> {
        let bad = ImageError::Format;
        let u16_at = |i: usize| -> Result<u16, ImageError> {
            b.get(i..i + 2)
                .and_then(|s| s.try_into().ok())
                .map(u16::from_le_bytes)
                .ok_or(bad("header too short"))
        };
        let u32_at = |i: usize| -> Result<u32, ImageError> {
            b.get(i..i + 4)
                .and_then(|s| s.try_into().ok())
                .map(u32::from_le_bytes)
                .ok_or(bad("header too short"))
        };
        if u32_at(0)? != OTA_FILE_IDENTIFIER {
            return Err(bad("not an OTA upgrade file identifier"));
        }
        if u16_at(4)? != OTA_HEADER_VERSION {
            return Err(bad("OTA header version"));
        }
        let header_len = usize::from(u16_at(6)?);
        let fc = u16_at(8)?;
        if fc & !(FC_SECURITY_CREDENTIAL | FC_DESTINATION | FC_HARDWARE_VERSIONS) != 0 {
            return Err(bad("unknown field control bits"));
        }
        let mut header_string = [0; 32];
        header_string.copy_from_slice(b.get(20..52).ok_or(bad("header too short"))?);
        let mut i = OTA_HEADER_MIN_LEN;
        let security_credential_version = if fc & FC_SECURITY_CREDENTIAL != 0 {
            let v = *b.get(i).ok_or(bad("header too short"))?;
            i += 1;
            Some(v)
        } else {
            None
        };
        let destination = if fc & FC_DESTINATION != 0 {
            let d: [u8; 8] = b
                .get(i..i + 8)
                .and_then(|s| s.try_into().ok())
                .ok_or(bad("header too short"))?;
            i += 8;
            Some(d)
        } else {
            None
        };
        let hardware_versions = if fc & FC_HARDWARE_VERSIONS != 0 {
            let v = (u16_at(i)?, u16_at(i + 2)?);
            Some(v)
        } else {
            None
        };
        let h = Self {
            manufacturer_code: u16_at(10)?,
            image_type: u16_at(12)?,
            file_version: u32_at(14)?,
            stack_version: u16_at(18)?,
            header_string,
            total_image_size: u32_at(52)?,
            security_credential_version,
            destination,
            hardware_versions,
        };
        if h.len() != header_len {
            return Err(bad("header length does not match its fields"));
        }
        Ok(h)
    }
}

/// A parsed firmware image.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ManufacturerImage {
    /// The OTA header.
    pub header: OtaHeader,
    /// The upgrade image (the firmware itself).
    pub upgrade_image: Vec<u8>,
    /// The manufacturer signature (r‖s), if the image is signed.
    pub signature: Option<[u8; SIGNATURE_LEN]>,
}

impl ManufacturerImage {
    fn parse(bytes: &[u8], signed: bool) -> Result<Self, ImageError> {
        let bad = ImageError::Format;
        let header = OtaHeader::decode(bytes)?;
        if usize::try_from(header.total_image_size).ok() != Some(bytes.len()) {
            return Err(bad("total image size is not the image's length"));
        }
        let body = bytes.get(header.len()..).ok_or(bad("image too short"))?;
        let (upgrade_image, signature) = if signed {
            let split = body
                .len()
                .checked_sub(2 + SIGNATURE_LEN)
                .ok_or(bad("no room for the manufacturer signature"))?;
            let (image, sig) = body.split_at(split);
            if sig[..2] != (SIGNATURE_LEN as u16).to_be_bytes() {
                return Err(bad("signature length is not 64"));
            }
            let mut s = [0; SIGNATURE_LEN];
            s.copy_from_slice(&sig[2..]);
            (image.to_vec(), Some(s))
        } else {
            (body.to_vec(), None)
        };
        Ok(Self {
            header,
            upgrade_image,
            signature,
        })
    }

    /// Parses a signed image (ESME, GSME, Communications Hub: CS05a, CS05b).
    pub fn parse_signed(bytes: &[u8]) -> Result<Self, ImageError> {
        Self::parse(bytes, true)
    }

    /// Parses an image that carries no manufacturer signature (the PPMID's, DUIS 11.4).
    pub fn parse_unsigned(bytes: &[u8]) -> Result<Self, ImageError> {
        Self::parse(bytes, false)
    }

    /// What the signature covers: the OTA header and the upgrade image.
    pub fn signed_part(&self) -> Vec<u8> {
        let mut out = self.header.encode();
        out.extend_from_slice(&self.upgrade_image);
        out
    }

    /// The manufacturer image hash: SHA-256 of [`ManufacturerImage::signed_part`].
    pub fn image_hash(&self) -> [u8; 32] {
        Sha256::digest(self.signed_part()).into()
    }

    /// The whole image as distributed.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.signed_part();
        if let Some(s) = &self.signature {
            out.extend_from_slice(&(SIGNATURE_LEN as u16).to_be_bytes());
            out.extend_from_slice(s);
        }
        out
    }

    /// Verifies the manufacturer signature with the manufacturer's key (an unsigned image never
    /// verifies).
    pub fn verify(&self, manufacturer: &PublicKey) -> Result<(), ImageError> {
        let sig = self.signature.as_ref().ok_or(ImageError::BadSignature)?;
        verify_signature(manufacturer, &self.signed_part(), sig)
            .map_err(|_| ImageError::BadSignature)
    }
}

/// The firmware identifier of a 4-octet firmware version: 8 uppercase hex digits (the DUIS
/// `FirmwareVersion` form).
pub fn firmware_identifier(version: &[u8; 4]) -> String {
    version.iter().map(|b| format!("{b:02X}")).collect()
}

/// The CPL hash of an image: SHA-256 over the image as distributed followed by the firmware
/// identifier's octets (DUIS `FirmwareVersion`, uppercase).
pub fn cpl_hash(image: &[u8], firmware_identifier: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(image);
    h.update(firmware_identifier.to_ascii_uppercase().as_bytes());
    h.finalize().into()
}

/// A signed image and its hashes, as [`sign_image`] makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedImage {
    /// The image as distributed.
    pub image: Vec<u8>,
    /// Its manufacturer image hash (what CS06 names, DUIS 11.3 `FirmwareHash`).
    pub image_hash: [u8; 32],
    /// Its CPL hash (what the manufacturer supplies for the Certified Products List).
    pub cpl_hash: [u8; 32],
    /// Its firmware version (the header's file version).
    pub firmware_version: [u8; 4],
}

/// Builds and signs an image for a manufacturer: `header` (its total size is filled in), the
/// `upgrade_image`, signed with the manufacturer's key.
pub fn sign_image(
    mut header: OtaHeader,
    upgrade_image: &[u8],
    manufacturer: &SigningKey,
) -> Result<SignedImage, BuildError> {
    let total = header.len() + upgrade_image.len() + 2 + SIGNATURE_LEN;
    header.total_image_size =
        u32::try_from(total).map_err(|_| BuildError::OutOfRange("image size"))?;
    let mut m = ManufacturerImage {
        header,
        upgrade_image: upgrade_image.to_vec(),
        signature: None,
    };
    m.signature = Some(manufacturer.sign(&m.signed_part())?);
    let image = m.encode();
    let firmware_version = m.header.firmware_version();
    Ok(SignedImage {
        cpl_hash: cpl_hash(&image, &firmware_identifier(&firmware_version)),
        image_hash: m.image_hash(),
        firmware_version,
        image,
    })
}
