//! The DCC's firmware check (DUIS 11.1 Update Firmware, 11.4 Update PPMID Firmware; SEC seed
//! 003 §6): before distributing an image to a device, the DCC computes the CPL hash of the image
//! with the firmware identifier the request gives (`gbcs::firmware::cpl_hash`: SHA-256 over the
//! image followed by the `FirmwareVersion`) and goes on only if it equals the hash the Certified
//! Products List holds for that firmware version of the device's model.
//!
//! The CPL itself is not here: [`CertifiedFirmware`] is the one question the check asks of it,
//! implemented by the product store. The services 11.1 / 11.4 and the distribution of the image
//! over the SM WAN are still to come; this is the rule they call.

use eui::Eui64;
use gbcs::firmware::{ManufacturerImage, cpl_hash};

/// What the firmware check asks of the Certified Products List.
pub trait CertifiedFirmware {
    /// The CPL hash the manufacturer supplied for firmware `firmware_identifier` of the model
    /// of `device` (the model the Smart Metering Inventory records for it); `None` when the CPL
    /// lists no such firmware for that model (or the device's model is not on the CPL).
    fn cpl_firmware_hash(&self, device: Eui64, firmware_identifier: &str) -> Option<[u8; 32]>;
}

/// Why an image is not distributed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FirmwareRefusal {
    /// Not a firmware image in the GBCS OTA layout (signed where the device type needs it).
    #[error("not a firmware image: {0}")]
    NotAnImage(String),
    /// The CPL lists no such firmware version for the device's model.
    #[error("firmware {firmware} is not on the Certified Products List for {device}'s model")]
    NotOnCpl { device: Eui64, firmware: String },
    /// The image's CPL hash is not the CPL's.
    #[error("the image's hash is not the Certified Products List's for firmware {firmware}")]
    HashMismatch { device: Eui64, firmware: String },
}

/// An image that passed the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedImage {
    /// Its manufacturer image hash (what 11.3 then names).
    pub image_hash: [u8; 32],
    /// Its CPL hash.
    pub cpl_hash: [u8; 32],
}

/// Checks `image` (firmware `firmware_identifier`, DUIS `FirmwareVersion`) for every device of
/// `devices` against the CPL; `signed`: whether the image must carry the manufacturer's
/// signature (every device type but the PPMID). All or nothing: the first refusal is returned.
pub fn check_image(
    image: &[u8],
    firmware_identifier: &str,
    devices: &[Eui64],
    signed: bool,
    cpl: &dyn CertifiedFirmware,
) -> Result<CheckedImage, FirmwareRefusal> {
    let parsed = if signed {
        ManufacturerImage::parse_signed(image)
    } else {
        ManufacturerImage::parse_unsigned(image)
    }
    .map_err(|e| FirmwareRefusal::NotAnImage(e.to_string()))?;
    let hash = cpl_hash(image, firmware_identifier);
    let firmware = firmware_identifier.to_ascii_uppercase();
    for &device in devices {
        match cpl.cpl_firmware_hash(device, &firmware) {
            None => {
                return Err(FirmwareRefusal::NotOnCpl {
                    device,
                    firmware: firmware.clone(),
                });
            }
            Some(h) if h != hash => {
                return Err(FirmwareRefusal::HashMismatch {
                    device,
                    firmware: firmware.clone(),
                });
            }
            Some(_) => {}
        }
    }
    Ok(CheckedImage {
        image_hash: parsed.image_hash(),
        cpl_hash: hash,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::BTreeMap;

    struct Cpl(BTreeMap<(Eui64, String), [u8; 32]>);

    impl CertifiedFirmware for Cpl {
        fn cpl_firmware_hash(&self, device: Eui64, firmware: &str) -> Option<[u8; 32]> {
            self.0.get(&(device, firmware.to_owned())).copied()
        }
    }

    fn signed_image() -> gbcs::firmware::SignedImage {
        let pair = smki::KeyPair::generate_with_os_rng().unwrap();
        let key = gbcs::SigningKey::from_der(&pair.to_pkcs8_der().unwrap()).unwrap();
        let header = gbcs::firmware::OtaHeader {
            manufacturer_code: 0x121D,
            image_type: 0,
            file_version: 0x0300_0001,
            stack_version: 2,
            header_string: [b' '; 32],
            total_image_size: 0,
            security_credential_version: None,
            destination: None,
            hardware_versions: None,
        };
        gbcs::firmware::sign_image(header, b"firmware", &key).unwrap()
    }

    #[test]
    fn only_the_cpl_hash_passes() {
        let s = signed_image();
        let esme = Eui64::from_u64(0xA0);
        let other = Eui64::from_u64(0xA1);
        let cpl = Cpl(BTreeMap::from([
            ((esme, "03000001".to_owned()), s.cpl_hash),
            ((other, "03000001".to_owned()), [0; 32]),
        ]));
        let ok = check_image(&s.image, "03000001", &[esme], true, &cpl).unwrap();
        assert_eq!(ok.image_hash, s.image_hash);
        assert_eq!(ok.cpl_hash, s.cpl_hash);
        // Another version, a device whose model's hash differs, a changed image, no image.
        assert!(matches!(
            check_image(&s.image, "03000002", &[esme], true, &cpl),
            Err(FirmwareRefusal::NotOnCpl { .. })
        ));
        assert!(matches!(
            check_image(&s.image, "03000001", &[esme, other], true, &cpl),
            Err(FirmwareRefusal::HashMismatch { .. })
        ));
        let mut changed = s.image.clone();
        changed[60] ^= 1;
        assert!(matches!(
            check_image(&changed, "03000001", &[esme], true, &cpl),
            Err(FirmwareRefusal::HashMismatch { .. })
        ));
        assert!(matches!(
            check_image(b"junk", "03000001", &[esme], true, &cpl),
            Err(FirmwareRefusal::NotAnImage(_))
        ));
    }
}
