//! 8.7 Join Service and 8.8 Unjoin Service on the device (GBCS 13.7: CS03A1, CS03A2, CS03B,
//! CS03C, CS04AC, CS04B): a join records the other device in this device's HAN device log
//! ([`crate::DeviceState::device_log`], the log 8.9 Read Device Log reads), an unjoin removes
//! it.
//!
//! A meter's or HAN device's join entry is a [`DeviceLogEntry`] with no install code and no
//! join time period (those are the CHF's, CCS01); its `key_type` holds the GBCS device type
//! code of the joined device ([`JoinDeviceType::code`]) and its `entry_flags` the join method
//! ([`JoinMethod::code`]), so the log's stored layout is unchanged.
//!
//! Which joins a device takes (the use case's device types say which device receives which use
//! case; within it, the other device's type): the ESME joins an HCALCS or a PPMID by Method A
//! (CS03A1) and a Type 2 device by Method B (CS03B); the GSME joins a PPMID by Method C (CS03C)
//! and a Type 2 device by Method B; the HCALCS and the PPMID join the ESME by Method A (CS03A2);
//! the PPMID joins the GSME by Method C. Any other type is answered
//! [`han_join::RESPONSE_INVALID_JOIN_METHOD_AND_ROLE`] and nothing changes; a device joined
//! already with another type or method [`han_join::RESPONSE_INCOMPATIBLE_WITH_EXISTING_ENTRY`]
//! (as the RTDS CS03A1 ERROR scenario); a Method C join without the
//! other device's KA certificate [`han_join::RESPONSE_INVALID_OR_MISSING_CERTIFICATE`]; a full log
//! [`han_join::RESPONSE_DEVICE_LOG_FULL`]; an unjoin of a device not in the log
//! [`han_join::RESPONSE_NOT_IN_DEVICE_LOG`].

use gbcs::UtcDateTime;
use gbcs::usecases::han_join::{self, JoinCommand, JoinDeviceType, JoinMethod};

use crate::device::EmulatedDevice;
use crate::exec::{Execution, done};
use crate::kind::DeviceKind;
use crate::state::{DEVICE_LOG_CAPACITY, DeviceLogEntry, EventKind};

/// Whether a device of `kind` joins a device of type `other` by `method`.
pub fn joins(kind: DeviceKind, method: JoinMethod, other: JoinDeviceType) -> bool {
    use JoinDeviceType as T;
    use JoinMethod as M;
    matches!(
        (kind, method, other),
        (DeviceKind::Esme, M::MethodAInitiator, T::Hcalcs | T::Ppmid)
            | (DeviceKind::Esme | DeviceKind::Gsme, M::MethodB, T::Type2)
            | (DeviceKind::Gsme, M::MethodC, T::Ppmid)
            | (DeviceKind::Ppmid, M::MethodC, T::Gsme)
            | (
                DeviceKind::Hcalcs | DeviceKind::Ppmid,
                M::MethodAResponder,
                T::Esme
            )
    )
}

impl EmulatedDevice {
    /// CS03x: join the other device (record it in the device log).
    pub(crate) fn han_join(&mut self, c: &JoinCommand, now: UtcDateTime) -> Option<Execution> {
        if !joins(self.identity.kind, c.method, c.other_type) {
            return done(
                han_join::response_content(han_join::RESPONSE_INVALID_JOIN_METHOD_AND_ROLE),
                false,
            );
        }
        if c.method == JoinMethod::MethodC && c.ka_certificate.is_none() {
            return done(
                han_join::response_content(han_join::RESPONSE_INVALID_OR_MISSING_CERTIFICATE),
                false,
            );
        }
        let entry = DeviceLogEntry {
            device: c.other_device,
            install_code: Vec::new(),
            join_time_period: 0,
            key_type: c.other_type.code(),
            entry_flags: c.method.code(),
        };
        let log = &mut self.state.device_log;
        if let Some(existing) = log.iter().find(|e| e.device == c.other_device) {
            // Joined already: the same join again is done; another type or method is not.
            if *existing != entry {
                return done(
                    han_join::response_content(han_join::RESPONSE_INCOMPATIBLE_WITH_EXISTING_ENTRY),
                    false,
                );
            }
        } else if log.len() < DEVICE_LOG_CAPACITY {
            log.push(entry);
        } else {
            return done(
                han_join::response_content(han_join::RESPONSE_DEVICE_LOG_FULL),
                false,
            );
        }
        self.log(
            now,
            EventKind::DeviceLogAdded {
                device: c.other_device,
            },
        );
        done(han_join::response_content(han_join::RESPONSE_SUCCESS), true)
    }

    /// CS04x: unjoin the other device (remove it from the device log).
    pub(crate) fn han_unjoin(&mut self, other: eui::Eui64, now: UtcDateTime) -> Option<Execution> {
        let before = self.state.device_log.len();
        self.state.device_log.retain(|e| e.device != other);
        if self.state.device_log.len() == before {
            return done(
                han_join::response_content(han_join::RESPONSE_NOT_IN_DEVICE_LOG),
                false,
            );
        }
        self.log(now, EventKind::DeviceLogRemoved { device: other });
        done(han_join::response_content(han_join::RESPONSE_SUCCESS), true)
    }
}
