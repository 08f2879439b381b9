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
        // Signed responses carry the device's date-time (as the RTDS responses).
        let date_time = Some(self.device_time(now).to_cosem().0);
        let done = |content, success| {
            Some(Execution::Done {
                content,
                date_time,
                success,
            })
        };
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
