//! The dual-band Communications Hub's DBCH use cases (DUIS 6.28–6.32), on the state in
//! [`crate::config::sub_ghz`]: DBCH04 sets the configuration, DBCH05 scans, DBCH03 reads the
//! configuration, DBCH01 the operating channel, DBCH02 the channel log. A single-band hub does
//! not implement them (the caller answers them as unsupported, DLMS `object-undefined`); a DLMS
//! fault on the object ([`DeviceFault::DlmsObject`]) answers `hardware-fault` and changes
//! nothing, as the RTDS ERROR vectors.

use gbcs::axdr::Data;
use gbcs::dlms::{CosemDescriptor, ResponseSpec};
use gbcs::usecases::dbch02::{ChannelLogPeriod, entries_data};
use gbcs::usecases::{SubGhzConfiguration, dbch01, dbch02, dbch04, dbch05};
use gbcs::{GeneralSigning, UtcDateTime};

use crate::anchors::RemotePartyRole;
use crate::device::EmulatedDevice;
use crate::error::DeviceError;
use crate::exec::{DLMS_FAILURE, DLMS_SUCCESS, Execution, dlms_response, done};
use crate::state::{DeviceFault, EventKind};

/// The alert a hub raises when its sub-GHz configuration changed (DBCH09 in the RTDS).
pub const ALERT_SUB_GHZ_CONFIGURATION_CHANGED: gbcs::AlertCode = gbcs::AlertCode(0x8F2A);
/// Its message code (RTDS `DBCH04_6.28_NA_SUCCESS_ALERT_DBCH09`).
pub const MESSAGE_SUB_GHZ_CONFIGURATION_CHANGED: gbcs::MessageCode = gbcs::MessageCode(0x0113);

impl EmulatedDevice {
    fn dbch_fault(&self, o: CosemDescriptor) -> bool {
        self.state.has_fault(DeviceFault::DlmsObject {
            class: o.class_id,
            obis: o.instance,
            attribute: o.index,
        })
    }

    /// The device time in ZigBee UTC seconds (0 before 2000).
    fn zigbee_now(&self, now: UtcDateTime) -> u32 {
        self.device_time(now).to_zigbee_utc().unwrap_or(0)
    }

    fn dbch_set(&self, apdu: &GeneralSigning, works: bool) -> Option<Execution> {
        let code = if works { DLMS_SUCCESS } else { DLMS_FAILURE };
        done(
            dlms_response(
                apdu.counter,
                vec![Data::Null],
                vec![ResponseSpec::Set(code)],
            ),
            works,
        )
    }

    fn dbch_get(&self, apdu: &GeneralSigning, value: Option<Data>) -> Option<Execution> {
        let works = value.is_some();
        let code = if works { DLMS_SUCCESS } else { DLMS_FAILURE };
        done(
            dlms_response(
                apdu.counter,
                vec![value.unwrap_or(Data::Null)],
                vec![ResponseSpec::Get(code)],
            ),
            works,
        )
    }

    /// DBCH04: sets the configuration (leaving a channel it masks).
    pub(crate) fn dbch04(
        &mut self,
        apdu: &GeneralSigning,
        config: SubGhzConfiguration,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let works = !self.dbch_fault(dbch04::OBJECT);
        if works {
            let t = self.zigbee_now(now);
            self.state.config.sub_ghz.set_configuration(config, t);
            match self.configuration_changed_alert(&config, now) {
                Ok(frame) => self.pending_frames.push(frame),
                Err(_) => self.log(
                    now,
                    EventKind::AlertNotSent {
                        alert_code: ALERT_SUB_GHZ_CONFIGURATION_CHANGED.0,
                    },
                ),
            }
        }
        self.dbch_set(apdu, works)
    }

    /// The 8F2A alert to the DCC (its Access Control Broker) carrying the configuration the hub
    /// now holds, MAC'd, as the RTDS DBCH09 vector.
    fn configuration_changed_alert(
        &mut self,
        config: &SubGhzConfiguration,
        now: UtcDateTime,
    ) -> Result<Vec<u8>, DeviceError> {
        let acb = self
            .state
            .trust_anchors
            .get(RemotePartyRole::AccessControlBroker)
            .cloned()
            .ok_or(DeviceError::Build("no ACB trust anchor"))?;
        let code = ALERT_SUB_GHZ_CONFIGURATION_CHANGED;
        let counters = self.take_alert_counter()?;
        let content = self.alert_content(
            code,
            counters.0,
            self.device_time(now),
            vec![config.to_data()],
        )?;
        self.emit_alert_as(
            code,
            MESSAGE_SUB_GHZ_CONFIGURATION_CHANGED,
            &acb,
            content,
            counters,
            now,
            false,
        )
    }

    /// DBCH05: scans, moving to the next allowed channel.
    pub(crate) fn dbch05(&mut self, apdu: &GeneralSigning, now: UtcDateTime) -> Option<Execution> {
        let works = !self.dbch_fault(dbch05::OBJECT);
        if works {
            let t = self.zigbee_now(now);
            self.state.config.sub_ghz.scan(t);
        }
        self.dbch_set(apdu, works)
    }

    /// DBCH03: the configuration in force.
    pub(crate) fn dbch03(&self, apdu: &GeneralSigning) -> Option<Execution> {
        let v = (!self.dbch_fault(dbch04::OBJECT))
            .then(|| self.state.config.sub_ghz.configuration().to_data());
        self.dbch_get(apdu, v)
    }

    /// DBCH01: the operating channel.
    pub(crate) fn dbch01(&self, apdu: &GeneralSigning) -> Option<Execution> {
        let v = (!self.dbch_fault(dbch01::OBJECT))
            .then(|| dbch04::mask_data(self.state.config.sub_ghz.channel().word()));
        self.dbch_get(apdu, v)
    }

    /// DBCH02: the channel changes in the period.
    pub(crate) fn dbch02(
        &self,
        apdu: &GeneralSigning,
        period: ChannelLogPeriod,
    ) -> Option<Execution> {
        let v = (!self.dbch_fault(dbch02::OBJECT))
            .then(|| entries_data(&self.state.config.sub_ghz.log_in(period)));
        self.dbch_get(apdu, v)
    }
}
