//! Device future dating: a command whose execution date-time lies ahead of the device's clock
//! is acknowledged at once and kept in the device's state ([`PendingAction`]); the device
//! executes it when its clock reaches that time ([`EmulatedDevice::tick`]) and raises the
//! future-dated outcome alert, `8F66` (executed) or `8F67` (failed), to the command's
//! originator.
//!
//! Implemented: GCS32 (close the gas valve at the ZSE Change Supply implementation date-time);
//! the payment mode changes of 1.6 (`crate::payment_mode`: GCS02, GCS03 at the ZSE Change
//! Payment Mode implementation date-time, ECS02, ECS03 at the account's activation time); the
//! ESME tariff and price updates of 1.1 and 1.2 (`crate::tariff`: ECS01a, ECS01b, ECS01c, ECS01d
//! at their activation time, one alert per activation-time object); the GSME tariff and price
//! updates (`crate::gas_tariff_update`: GCS01a, GCS01b, one alert per command carrying a start
//! time); the prepayment configuration updates of 2.1 (`crate::prepay_config`: ECS08, ECS08a,
//! GCS05, one alert per activation-time object or dated component); the load limiting settings
//! of 6.4.1 (`crate::config::limits`: ECS28a, one alert per activation-time object); the
//! security credentials updates of 6.15.1 and 6.23 (`crate::krp`: CS02b, CS02g, one ASN.1
//! alert).
//!
//! Held device events that no command carries share the mechanism, with no outcome alert: the
//! next prepayment event (`crate::prepay`) and the end of a boost (`crate::boost`).
//!
//! The DLMS outcome alert (ECS02, ECS03) is framed as the RTDS `ECS02_1.6_8F66_*` and
//! `ECS03_1.6_8F66_*` vectors show it: a signed DLMS data-notification, message code `0x00CC`,
//! the structure of the alert code, the execution time (COSEM) and the 19-byte outcome block:
//! the command's message code and originator counter and the object (class, OBIS, attribute)
//! whose activation time it was; ECS03 raises one for the disablement threshold's activation
//! time too, the threshold's first.
//!
//! The GBZ outcome alert is framed as the RTDS GBZ future-dated alert vectors show it
//! (`GCS01a_1.1.1_8F66_FUTURE_DATED_*_ALERT`, `GCS05_2.1_8F66_*`): a signed General-Signing
//! alert (CRA 3, `DF`), message code `0x00CD`, the GBZ alert header with one component, the
//! alert code and the execution time (ZigBee UTC), then the 14-byte outcome block: the command's
//! message code and originator counter, and the cluster, ZCL frame control and command of the
//! component that was executed.
//!
//! Exactly once: `tick` takes the actions it executes out of the state it changes, and the
//! caller persists that state with the alerts it routes in one transaction (the WAN emulation's
//! `hub_reports`).

use eui::Eui64;
use gbcs::gbz::{GBZ_PROFILE, GbzAlertBody, GbzBody, GbzPayload};
use gbcs::usecases::{CLUSTER_METERING, ChangeSupply, gcs32};
use gbcs::{AlertCode, GeneralSigning, MessageCode, UtcDateTime};
use serde::{Deserialize, Serialize};

use crate::device::EmulatedDevice;
use crate::error::DeviceError;
use crate::state::{DeviceFault, SupplyState};

/// Future-dated command executed successfully.
pub const ALERT_FUTURE_DATED_EXECUTED: AlertCode = AlertCode(0x8F66);
/// Future-dated command failed.
pub const ALERT_FUTURE_DATED_FAILED: AlertCode = AlertCode(0x8F67);
/// Message code of a GBZ future-dated outcome alert (every RTDS GBZ 8F66 vector carries it).
pub const MESSAGE_FUTURE_DATED_GBZ: MessageCode = MessageCode(0x00CD);
/// Message code of a DLMS future-dated outcome alert (every RTDS DLMS 8F66 vector carries it).
pub const MESSAGE_FUTURE_DATED_DLMS: MessageCode = MessageCode(0x00CC);

/// What a pending future-dated command will do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FutureAction {
    /// GCS32: close the gas valve.
    SupplyOff,
    /// GCS02, GCS03, ECS02, ECS03: switch to this payment mode.
    PaymentMode(crate::payment_mode::PaymentModeState),
    /// ECS01a, ECS01b, ECS01c, ECS01d: write this tariff or prices ([`crate::tariff`]).
    Tariff(Box<crate::tariff::TariffChange>),
    /// The next prepayment event (`crate::prepay`): no command, no outcome alert; the alerts
    /// it raises go to the supplier.
    Prepayment,
    /// GCS01a, GCS01b: write this tariff or prices ([`crate::gas_tariff_update`]); one GBZ
    /// outcome alert per command carrying a start time.
    GasTariff(Box<crate::gas_tariff_update::GasTariffChange>),
    /// The end of the boost in force (`crate::boost`): no command, no outcome alert; the boost
    /// is logged and its controllers return to what they were.
    BoostEnd,
    /// ECS08, ECS08a, GCS05: write this prepayment configuration ([`crate::prepay_config`]);
    /// one outcome alert per [`crate::prepay_config::PrepayConfigChange::outcomes`] entry.
    PrepayConfig(Box<crate::prepay_config::PrepayConfigChange>),
    /// The next power quality evaluation (`crate::power_quality`): no command, no outcome
    /// alert; the voltage alerts it raises go to the network operator.
    PowerQuality,
    /// ECS28a: write these load limiting settings ([`crate::config::limits`]); one DLMS
    /// outcome alert per activation-time object.
    LoadLimit(crate::config::limits::LoadLimitChange),
    /// ECS46c: write this auxiliary load control scheduler ([`crate::config::limits`]); one
    /// DLMS outcome alert per activation-time object.
    AuxScheduler(Box<crate::config::limits::AuxSchedulerChange>),
    /// CS02b, CS02g: execute this Update Security Credentials command, as received (its
    /// General-Signing APDU; [`crate::krp`]); one ASN.1 outcome alert.
    Credentials(Vec<u8>),
    /// The next load limit event (`crate::load_limit`): no command, no outcome alert; the
    /// alerts it raises go to the supplier.
    LoadLimitEvent,
    /// The end of the load limit restoration period after a load limit event armed the supply
    /// (`crate::load_limit`): the supply enabled again if it is still armed; its alert goes to
    /// the supplier.
    LoadLimitRestore,
    /// CS06: activate the held image with this manufacturer image hash ([`crate::firmware`]);
    /// one ASN.1 outcome alert.
    Firmware([u8; 32]),
}

/// A future-dated instruction the device holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAction {
    /// When to execute, device clock (unix seconds).
    pub at: i64,
    /// What to do.
    pub action: FutureAction,
    /// The command's originator (who the outcome alert goes to).
    pub originator: Eui64,
    /// The command's originator counter.
    pub counter: u64,
    /// The command's message code.
    pub message_code: u16,
    /// The executed component's ZCL cluster.
    pub cluster: u16,
    /// Its ZCL frame control, as the command carried it.
    pub frame_control: u8,
    /// Its ZCL command id.
    pub command: u8,
}

impl EmulatedDevice {
    /// Holds `action`, one of the device's own (no command: no originator but the device, no
    /// counter, no outcome alert), until `at` (device clock).
    pub(crate) fn hold_own(&mut self, at: i64, action: FutureAction) {
        self.state.future_actions.push(PendingAction {
            at,
            action,
            originator: self.identity.eui,
            counter: 0,
            message_code: 0,
            cluster: 0,
            frame_control: 0,
            command: 0,
        });
    }
}

impl EmulatedDevice {
    /// GCS32 with an implementation date-time ahead of the device clock: held (the valve
    /// closes then). Returns whether it was held; `false` for an immediate one (0, or a time
    /// the clock has reached), which the caller executes now.
    pub(crate) fn hold_change_supply(
        &mut self,
        apdu: &GeneralSigning,
        change: &ChangeSupply,
        now: UtcDateTime,
    ) -> bool {
        let at = match UtcDateTime::from_zigbee_utc(change.implementation_date_time) {
            Some(t) if change.implementation_date_time != 0 => t.to_unix(),
            _ => return false,
        };
        if at <= self.device_time(now).to_unix() {
            return false;
        }
        // The Change Supply component as the command carried it (the alert names it).
        let frame_control = match GbzPayload::decode(&apdu.content) {
            Ok(GbzPayload::Components { components, .. }) => components
                .iter()
                .find(|c| c.cluster == CLUSTER_METERING)
                .and_then(|c| match &c.body {
                    GbzBody::Plain { zcl, .. } if zcl.command == gcs32::CHANGE_SUPPLY => {
                        Some(zcl.frame_control)
                    }
                    _ => None,
                }),
            _ => None,
        };
        let Some(frame_control) = frame_control else {
            return false;
        };
        self.state.future_actions.push(PendingAction {
            at,
            action: FutureAction::SupplyOff,
            originator: apdu.originator,
            counter: apdu.counter,
            message_code: apdu.message_code().0,
            cluster: CLUSTER_METERING,
            frame_control,
            command: gcs32::CHANGE_SUPPLY,
        });
        true
    }

    /// When the next held future-dated instruction falls due, in true time (unix seconds).
    pub fn next_future_action_at(&self) -> Option<i64> {
        self.state
            .future_actions
            .iter()
            .map(|a| a.at.saturating_sub(self.state.clock_offset_secs))
            .min()
    }

    /// Advances the device to true time `now`: executes every held future-dated instruction
    /// whose time the device clock has reached, in time order, and returns the outcome alerts
    /// it raises (one per instruction, to its originator; none if the originator is no longer
    /// a trust anchor). The state changes only if something was due.
    pub fn tick(&mut self, now: UtcDateTime) -> Result<Vec<Vec<u8>>, DeviceError> {
        let device_now = self.device_time(now).to_unix();
        let (mut due, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.state.future_actions)
            .into_iter()
            .partition(|a| a.at <= device_now);
        self.state.future_actions = keep;
        due.sort_by_key(|a| a.at);
        let mut alerts = Vec::new();
        let executed = !due.is_empty();
        for a in due {
            // Executed at its time (true time), not at the moment the emulation looked.
            let at_true = a.at.saturating_sub(self.state.clock_offset_secs);
            let when = UtcDateTime::from_unix(at_true.min(now.to_unix())).unwrap_or(now);
            let ok = match &a.action {
                FutureAction::Prepayment => {
                    alerts.extend(self.prepayment_due(when));
                    continue;
                }
                FutureAction::BoostEnd => {
                    self.boost_due(a.at);
                    continue;
                }
                FutureAction::PowerQuality => {
                    alerts.extend(self.power_quality_due(a.at, when));
                    continue;
                }
                FutureAction::LoadLimitEvent => {
                    alerts.extend(self.load_limit_due(when));
                    continue;
                }
                FutureAction::LoadLimitRestore => {
                    alerts.extend(self.load_limit_restore_due(when));
                    continue;
                }
                FutureAction::SupplyOff => {
                    if self.state.has_fault(DeviceFault::SupplySwitch) {
                        false
                    } else {
                        self.set_supply(SupplyState::Disabled, when);
                        true
                    }
                }
                FutureAction::Tariff(change) => {
                    self.apply_tariff(change, at_true.min(now.to_unix()));
                    // One alert per activation-time object, in the order of the SETs.
                    for o in crate::tariff::activation_objects(a.message_code) {
                        let code = ALERT_FUTURE_DATED_EXECUTED;
                        alerts.extend(self.dlms_outcome_alert(code, &a, *o, when)?);
                    }
                    continue;
                }
                FutureAction::GasTariff(change) => {
                    self.apply_gas_tariff(change);
                    for (cluster, command) in &change.dated {
                        let one = PendingAction {
                            cluster: *cluster,
                            command: *command,
                            ..a.clone()
                        };
                        let code = ALERT_FUTURE_DATED_EXECUTED;
                        alerts.extend(self.outcome_alert(code, &one, when)?);
                    }
                    continue;
                }
                FutureAction::PrepayConfig(change) => {
                    self.apply_prepay_config(change);
                    for o in &change.outcomes {
                        let code = ALERT_FUTURE_DATED_EXECUTED;
                        match *o {
                            crate::prepay_config::Outcome::Dlms(class, obis, attribute) => {
                                let object =
                                    gbcs::dlms::CosemDescriptor::new(class, obis, attribute);
                                alerts.extend(self.dlms_outcome_alert(code, &a, object, when)?);
                            }
                            crate::prepay_config::Outcome::Gbz(cluster, frame_control, command) => {
                                let one = PendingAction {
                                    cluster,
                                    frame_control,
                                    command,
                                    ..a.clone()
                                };
                                alerts.extend(self.outcome_alert(code, &one, when)?);
                            }
                        }
                    }
                    continue;
                }
                FutureAction::LoadLimit(change) => {
                    self.apply_load_limit(change);
                    for o in gbcs::usecases::ecs28a::activation_objects() {
                        let code = ALERT_FUTURE_DATED_EXECUTED;
                        alerts.extend(self.dlms_outcome_alert(code, &a, o, when)?);
                    }
                    continue;
                }
                FutureAction::Credentials(command) => {
                    alerts.extend(self.krp_due(&a, command, when)?);
                    continue;
                }
                FutureAction::Firmware(hash) => {
                    alerts.extend(self.firmware_due(&a, hash, when)?);
                    continue;
                }
                FutureAction::AuxScheduler(change) => {
                    self.apply_aux_scheduler(change);
                    // ECS46c or ECS46d: the same two activation objects.
                    for o in gbcs::usecases::ecs46c::activation_objects() {
                        let code = ALERT_FUTURE_DATED_EXECUTED;
                        alerts.extend(self.dlms_outcome_alert(code, &a, o, when)?);
                    }
                    continue;
                }
                FutureAction::PaymentMode(target) => {
                    let target = *target;
                    self.apply_payment_mode(target);
                    if self.identity.kind.is_dlms() {
                        // ECS03 sets the threshold's activation time too: its alert first.
                        let mut objects = Vec::with_capacity(2);
                        if !target.credit {
                            objects.push(gbcs::usecases::ecs03::THRESHOLD_ACTIVATION_TIME);
                        }
                        objects.push(gbcs::usecases::ecs02::ACTIVATION_TIME);
                        for o in objects {
                            let code = ALERT_FUTURE_DATED_EXECUTED;
                            alerts.extend(self.dlms_outcome_alert(code, &a, o, when)?);
                        }
                        continue;
                    }
                    true
                }
            };
            let code = if ok {
                ALERT_FUTURE_DATED_EXECUTED
            } else {
                ALERT_FUTURE_DATED_FAILED
            };
            if let Some(frame) = self.outcome_alert(code, &a, when)? {
                alerts.push(frame);
            }
        }
        if executed {
            // What was done may move the next prepayment event (a held switch of payment mode,
            // the supply closed), which is held again.
            alerts.extend(self.prepayment_refresh(now));
            // The same for the next load limit event (`crate::load_limit`).
            self.load_limit_refresh(now);
        }
        Ok(alerts)
    }

    /// The DLMS future-dated outcome alert for `a` naming `object`, to its originator.
    fn dlms_outcome_alert(
        &mut self,
        code: AlertCode,
        a: &PendingAction,
        object: gbcs::dlms::CosemDescriptor,
        when: UtcDateTime,
    ) -> Result<Option<Vec<u8>>, DeviceError> {
        let Some(recipient) = self.state.trust_anchors.by_eui(a.originator).cloned() else {
            return Ok(None);
        };
        let mut block = Vec::with_capacity(19);
        block.extend_from_slice(&a.message_code.to_be_bytes());
        block.extend_from_slice(&a.counter.to_be_bytes());
        block.extend_from_slice(&object.class_id.to_be_bytes());
        block.extend_from_slice(&object.instance);
        block.push(object.index);
        let (counter, next) = self.take_alert_counter()?;
        let content = gbcs::dlms::DataNotification {
            invoke_id: gbcs::dlms::long_invoke_id(counter),
            date_time: Vec::new(),
            body: gbcs::axdr::Data::Structure(vec![
                gbcs::axdr::Data::LongUnsigned(code.0),
                self.device_time(when).to_cosem().to_octet_string(),
                gbcs::axdr::Data::OctetString(block),
            ]),
        }
        .encode();
        self.emit_alert(
            code,
            MESSAGE_FUTURE_DATED_DLMS,
            &recipient,
            content,
            (counter, next),
            when,
        )
        .map(Some)
    }

    /// The GBZ future-dated outcome alert for `a`, to its originator.
    fn outcome_alert(
        &mut self,
        code: AlertCode,
        a: &PendingAction,
        when: UtcDateTime,
    ) -> Result<Option<Vec<u8>>, DeviceError> {
        let Some(recipient) = self.state.trust_anchors.by_eui(a.originator).cloned() else {
            return Ok(None);
        };
        let timestamp = self
            .device_time(when)
            .to_zigbee_utc()
            .ok_or(DeviceError::Build("alert timestamp before 2000"))?;
        let content = GbzPayload::Alert {
            profile: GBZ_PROFILE,
            component_count: 1,
            alert_code: code,
            timestamp,
            body: GbzAlertBody::FutureDated(gbcs::gbz::FutureDatedOutcome {
                message_code: MessageCode(a.message_code),
                originator_counter: a.counter,
                cluster: a.cluster,
                frame_control: a.frame_control,
                command: a.command,
            }),
        }
        .encode()
        .map_err(|_| DeviceError::Build("GBZ future-dated alert"))?;
        let counters = self.take_alert_counter()?;
        self.emit_alert(
            code,
            MESSAGE_FUTURE_DATED_GBZ,
            &recipient,
            content,
            counters,
            when,
        )
        .map(Some)
    }
}
