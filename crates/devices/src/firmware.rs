//! Firmware (DUIS 11.x): the images a device holds, verified and pending activation, and CS06
//! Activate Firmware (DUIS 11.3, `gbcs::usecases::cs06`).
//!
//! A device keeps the images distributed to it that it verified ([`FirmwareState::images`],
//! each with its manufacturer image hash and the firmware version it carries; the newest
//! [`MAX_HELD_IMAGES`]). CS06 names an image by its hash:
//!
//! * immediate: an image held with that hash becomes the running firmware (its version is what
//!   ECS52 / GCS38 / CS08 then read, `DeviceState::firmware_version`), answered activation status
//!   0 and the new version; otherwise nothing changes and the device answers the running version
//!   with status 1 (`cs06::status::NO_IMAGE_HELD`) when it holds no image, 2
//!   (`cs06::status::HASH_MISMATCH`) when it holds images none of which has the hash;
//! * future dated (an `executionDateTime` ahead of the device clock): acknowledged at once (the
//!   response an ASN.1 NULL, as the RTDS FUTURE_DATED responses) and held as
//!   [`FutureAction::Firmware`]; when the clock reaches the time the device activates the image
//!   if it (still) holds it and raises the outcome alert to the command's originator, `8F66`
//!   (status 0, the new version) or `8F67` (status 1 or 2 as above, the running version): a
//!   signed ASN.1 alert, message code `00CA`, the execution time the command
//!   asked, its counter and the activation result (the RTDS 8F66/8F67 vectors);
//! * cancellation (`99991231235959Z`, DUIS's 3000-12-31): the held activations dropped,
//!   acknowledged with NULL. An `executionDateTime` the clock has reached runs at once.
//!
//! Distribution (CS05a/CS05b, [`EmulatedDevice::receive_firmware_image`]): the device parses the
//! image (`gbcs::firmware`), verifies the manufacturer's signature with the manufacturer key it
//! holds ([`FirmwareState::manufacturer_key`]) and computes the manufacturer image hash; a
//! verified image is held pending activation (its version the OTA header's file version) and the
//! device raises the firmware verification alert `0x8F72` carrying the hash (FDRA: a DLMS
//! data-notification, message code `00CE`, on the ESME; a GBZ alert, `00CF`, on the GSME, as the
//! RTDS `NA_FDRA-*` vectors); an image that does not parse or verify is discarded, nothing
//! held, and the device raises `0x8F1C` (firmware verification failed; the alert code table in
//! the corpus names it for the power-up check, the one failure code it has). The transport of the
//! image over the HAN (the Communications Hub's OTA to the meter, CCS08) is not emulated here.

use gbcs::usecases::cs06::{self, ActivateFirmware, ActivationResult, status};
use gbcs::usecases::{Activation, cs02b};
use gbcs::{GeneralSigning, UtcDateTime};
use serde::{Deserialize, Serialize};

use crate::device::EmulatedDevice;
use crate::error::DeviceError;
use crate::exec::Execution;
use crate::future::{
    ALERT_FUTURE_DATED_EXECUTED, ALERT_FUTURE_DATED_FAILED, FutureAction, PendingAction,
};

/// How many verified images a device keeps pending activation (the oldest dropped beyond).
pub const MAX_HELD_IMAGES: usize = 4;

/// A verified firmware image the device holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HeldImage {
    /// Its manufacturer image hash (`gbcs::firmware::ManufacturerImage::image_hash`).
    pub hash: [u8; 32],
    /// The firmware version it carries (what the device reports once it runs it).
    pub version: Vec<u8>,
}

/// A device's firmware store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FirmwareState {
    /// Verified images pending activation, oldest first.
    pub images: Vec<HeldImage>,
    /// The manufacturer's signature verification key (SEC1 uncompressed), installed at
    /// manufacture; without one no image verifies.
    pub manufacturer_key: Option<Vec<u8>>,
}

/// Firmware verification successful (FDRA).
pub const ALERT_FIRMWARE_VERIFIED: gbcs::AlertCode = gbcs::AlertCode(0x8F72);
/// Firmware verification failed.
pub const ALERT_FIRMWARE_VERIFICATION_FAILED: gbcs::AlertCode = gbcs::AlertCode(0x8F1C);
/// Message code of the DLMS FDRA alert (RTDS `NA_FDRA-DLMS`).
pub const MESSAGE_FDRA_DLMS: gbcs::MessageCode = gbcs::MessageCode(0x00CE);
/// Message code of the GBZ FDRA alert (RTDS `NA_FDRA-ZigBee`).
pub const MESSAGE_FDRA_GBZ: gbcs::MessageCode = gbcs::MessageCode(0x00CF);

/// What the device made of an image distributed to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageReceipt {
    /// The image's manufacturer image hash, when it parsed.
    pub hash: Option<[u8; 32]>,
    /// Whether it was verified and is now held pending activation.
    pub held: bool,
    /// The alert the device raised (0x8F72 or 0x8F1C), to its supplier; `None` when it has no
    /// supplier (or the alert could not be built).
    pub alert: Option<Vec<u8>>,
}

impl FirmwareState {
    /// Keeps `image` (replacing one with the same hash), dropping the oldest beyond
    /// [`MAX_HELD_IMAGES`].
    pub fn hold(&mut self, image: HeldImage) {
        self.images.retain(|i| i.hash != image.hash);
        self.images.push(image);
        let excess = self.images.len().saturating_sub(MAX_HELD_IMAGES);
        self.images.drain(..excess);
    }

    /// The held image with `hash`.
    pub fn get(&self, hash: &[u8; 32]) -> Option<&HeldImage> {
        self.images.iter().find(|i| &i.hash == hash)
    }
}

impl EmulatedDevice {
    /// A firmware image distributed to the device (CS05a, CS05b): verified, held, reported
    /// (module documentation).
    pub fn receive_firmware_image(&mut self, image: &[u8], now: UtcDateTime) -> ImageReceipt {
        use gbcs::firmware::ManufacturerImage;
        let parsed = ManufacturerImage::parse_signed(image).ok();
        let hash = parsed.as_ref().map(ManufacturerImage::image_hash);
        let key = self
            .state
            .firmware
            .manufacturer_key
            .as_deref()
            .and_then(|k| gbcs::PublicKey::from_sec1(k).ok());
        let verified = match (&parsed, &key) {
            (Some(m), Some(k)) => m.verify(k).is_ok(),
            _ => false,
        };
        if let (true, Some(m), Some(h)) = (verified, &parsed, hash) {
            self.state.firmware.hold(HeldImage {
                hash: h,
                version: m.header.firmware_version().to_vec(),
            });
        }
        let alert = self.firmware_alert(verified, hash, now).ok().flatten();
        ImageReceipt {
            hash,
            held: verified,
            alert,
        }
    }

    /// The firmware verification alert to the supplier: 0x8F72 with the hash, or 0x8F1C.
    fn firmware_alert(
        &mut self,
        verified: bool,
        hash: Option<[u8; 32]>,
        now: UtcDateTime,
    ) -> Result<Option<Vec<u8>>, DeviceError> {
        let Some(recipient) = self
            .state
            .trust_anchors
            .get(gbcs::usecases::RemotePartyRole::Supplier)
            .cloned()
        else {
            return Ok(None);
        };
        let (code, message_code) = match (verified, self.identity.kind.is_dlms()) {
            (true, true) => (ALERT_FIRMWARE_VERIFIED, MESSAGE_FDRA_DLMS),
            (true, false) => (ALERT_FIRMWARE_VERIFIED, MESSAGE_FDRA_GBZ),
            (false, _) => (
                ALERT_FIRMWARE_VERIFICATION_FAILED,
                crate::alerts::MESSAGE_GCA,
            ),
        };
        let hash = hash.filter(|_| verified);
        let (counter, next) = self.take_alert_counter()?;
        let device_time = self.device_time(now);
        let content = match hash {
            Some(h) if self.identity.kind.is_dlms() => self.alert_content(
                code,
                counter,
                device_time,
                vec![gbcs::axdr::Data::OctetString(h.to_vec())],
            )?,
            Some(h) => {
                let timestamp = device_time
                    .to_zigbee_utc()
                    .ok_or(DeviceError::Build("alert timestamp before 2000"))?;
                // As the RTDS FDRA-ZigBee alert: one component, `09`, the hash's length, the
                // hash.
                let mut raw = vec![0x09, 32];
                raw.extend_from_slice(&h);
                gbcs::gbz::GbzPayload::Alert {
                    profile: gbcs::gbz::GBZ_PROFILE,
                    component_count: 1,
                    alert_code: code,
                    timestamp,
                    body: gbcs::gbz::GbzAlertBody::Raw(raw),
                }
                .encode()
                .map_err(|_| DeviceError::Build("GBZ firmware alert"))?
            }
            None => self.alert_content(code, counter, device_time, Vec::new())?,
        };
        self.emit_alert(
            code,
            message_code,
            &recipient,
            content,
            (counter, next),
            now,
        )
        .map(Some)
    }

    /// Activates the held image with `hash`: the activation result (module documentation).
    fn activate_image(&mut self, hash: &[u8; 32]) -> ActivationResult {
        match self.state.firmware.get(hash) {
            Some(image) => {
                self.state.firmware_version = image.version.clone();
                ActivationResult {
                    status: status::SUCCESS,
                    firmware_version: image.version.clone(),
                }
            }
            None => ActivationResult {
                status: if self.state.firmware.images.is_empty() {
                    status::NO_IMAGE_HELD
                } else {
                    status::HASH_MISMATCH
                },
                firmware_version: self.state.firmware_version.clone(),
            },
        }
    }

    /// Executes, holds or cancels a decoded CS06 (module documentation).
    pub(crate) fn cs06(
        &mut self,
        apdu: &GeneralSigning,
        c: &ActivateFirmware,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let done = self.signed_done(now);
        let code = apdu.message_code().0;
        match c.activation {
            Activation::Cancel => {
                self.state.future_actions.retain(|a| {
                    !(matches!(a.action, FutureAction::Firmware(_)) && a.message_code == code)
                });
                return done(cs06::acknowledged_content(), true);
            }
            Activation::At(at) if at.to_unix() > self.device_time(now).to_unix() => {
                self.state.future_actions.push(PendingAction {
                    at: at.to_unix(),
                    action: FutureAction::Firmware(c.image_hash),
                    originator: apdu.originator,
                    counter: apdu.counter,
                    message_code: code,
                    cluster: 0,
                    frame_control: 0,
                    command: 0,
                });
                return done(cs06::acknowledged_content(), true);
            }
            Activation::At(_) | Activation::Now => {}
        }
        let result = self.activate_image(&c.image_hash);
        let success = result.status == status::SUCCESS;
        done(result.encode(), success)
    }

    /// A held CS06 whose time has come: the image activated if held, and the outcome alert
    /// (8F66 or 8F67) to `a`'s originator, if it is still a trust anchor.
    pub(crate) fn firmware_due(
        &mut self,
        a: &PendingAction,
        hash: &[u8; 32],
        when: UtcDateTime,
    ) -> Result<Option<Vec<u8>>, DeviceError> {
        let result = self.activate_image(hash);
        let Some(recipient) = self.state.trust_anchors.by_eui(a.originator).cloned() else {
            return Ok(None);
        };
        let code = if result.status == status::SUCCESS {
            ALERT_FUTURE_DATED_EXECUTED
        } else {
            ALERT_FUTURE_DATED_FAILED
        };
        let at = UtcDateTime::from_unix(a.at)
            .and_then(|t| cs02b::execution_date_time(Activation::At(t)).ok().flatten())
            .ok_or(DeviceError::Build("firmware activation alert time"))?;
        let content = cs06::future_dated_alert_content(code.0, &at, a.counter, &result);
        let counters = self.take_alert_counter()?;
        self.emit_alert(code, cs06::CS06_ALERT, &recipient, content, counters, when)
            .map(Some)
    }
}
