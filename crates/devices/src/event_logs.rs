//! Clear Event Log (DUIS 3.3): CS11 clears a gas meter's event log, ECS15a an ESME's event log,
//! ECS15c an ESME's ALCS / HCALCS event log ([`crate::LogKind`]). The security log is never
//! cleared by a command; a clear is itself a security event: the security log records it
//! ([`crate::EventKind::LogCleared`], and the command's own entry, [`crate::EventKind::log`]).
//! The device's state records the clear ([`crate::EventLog::cleared`]) so that a store deletes
//! the log's stored events with the command's other changes.
//!
//! Answers as the RTDS vectors: ECS15a / ECS15c the `Action` result, CS11 a Clear Event Log
//! Response whose Cleared Events Logs bitmap has the general event log's bit (`08`). Failures
//! (injected, [`DeviceFault`]), as the RTDS ERROR vectors, change nothing:
//!
//! | use case | fault | answer |
//! |---|---|---|
//! | ECS15a | `DlmsObject` on the event log's buffer (`7/0.0.99.98.0.255/2`) | `Action` hardware-fault (1) |
//! | ECS15c | `DlmsObject` on the ALCS event log's buffer (`7/0.17.99.98.2.255/2`) | `Action` hardware-fault (1) |
//! | CS11 | `ZclCommand` on `0x0709` / `0x01` | Clear Event Log Response, bitmap `00` (nothing cleared) |

use gbcs::UtcDateTime;
use gbcs::axdr::Data;
use gbcs::dlms::{CosemDescriptor, ResponseSpec};
use gbcs::gbz::{CONTROL_LAST, GbzBody, GbzComponent};
use gbcs::usecases::logs_common::{self, LogPeriod};
use gbcs::usecases::{
    AlcsEventLogEntry, DecodedCommand, EventLogEntry, PowerEventLogEntry, cs11, ecs15a, ecs15c,
    event_logs_common,
};
use gbcs::{GeneralSigning, MessageCode};

use crate::device::EmulatedDevice;
use crate::exec::{DLMS_FAILURE, DLMS_SUCCESS, Execution, dlms_response, done, gbz};
use crate::state::{DeviceFault, EventKind, LogKind};

/// The fault that keeps a DLMS log from being reset: one on its buffer (attribute 2).
fn buffer_fault(reset: &CosemDescriptor) -> DeviceFault {
    DeviceFault::DlmsObject {
        class: reset.class_id,
        obis: reset.instance,
        attribute: 2,
    }
}

impl EmulatedDevice {
    /// Clears `log` at `now` (true time) for the command `message_code`, the security log
    /// recording it.
    fn clear_log(&mut self, log: LogKind, message_code: MessageCode, now: UtcDateTime) {
        if self.state.event_log.clear(log) {
            self.log(
                now,
                EventKind::LogCleared {
                    log,
                    message_code: message_code.0,
                },
            );
        }
    }

    /// ECS15a (the event log) and ECS15c (the ALCS event log): the log's `reset` action.
    pub(crate) fn ecs15(&mut self, apdu: &GeneralSigning, now: UtcDateTime) -> Option<Execution> {
        let (log, reset) = if apdu.message_code() == MessageCode::ECS15C {
            (LogKind::Alcs, ecs15c::ALCS_EVENT_LOG)
        } else {
            (LogKind::Event, ecs15a::EVENT_LOG)
        };
        let works = !self.state.has_fault(buffer_fault(&reset));
        if works {
            self.clear_log(log, apdu.message_code(), now);
        }
        let code = if works { DLMS_SUCCESS } else { DLMS_FAILURE };
        done(
            dlms_response(
                apdu.counter,
                vec![Data::Null],
                vec![ResponseSpec::Action(code)],
            ),
            works,
        )
    }

    /// CS11: the gas meter's event log; the response's bitmap says what was cleared.
    pub(crate) fn cs11(&mut self, now: UtcDateTime) -> Option<Execution> {
        let works = !self.state.has_fault(DeviceFault::ZclCommand {
            cluster: cs11::CLUSTER_EVENTS,
            command: cs11::CLEAR_EVENT_LOG_REQUEST,
        });
        if works {
            self.clear_log(LogKind::Event, MessageCode::CS11, now);
        }
        let cleared = if works {
            cs11::CLEARED_GENERAL_EVENT_LOG
        } else {
            0
        };
        let component = GbzComponent {
            control: CONTROL_LAST,
            cluster: cs11::CLUSTER_EVENTS,
            body: GbzBody::Plain {
                from_date_time: None,
                zcl: cs11::clear_event_log_response(cleared),
            },
        };
        done(gbz(vec![component])?, works)
    }
}

// ---------------------------------------------------------------------------------------------
// Read Event or Security Log (DUIS 6.13): ECS35a the event log, ECS35b the security log.

/// "Immediate HAN Interface Command Received and Successfully Actioned": a command executed.
pub const EVENT_COMMAND_ACTIONED: u16 = 0x8154;
/// "Immediate HAN Interface Command Received but not Successfully Actioned".
pub const EVENT_COMMAND_NOT_ACTIONED: u16 = 0x8155;
/// "Supply Armed".
pub const EVENT_SUPPLY_ARMED: u16 = 0x8F32;
/// "Clock adjusted (within tolerance)".
pub const EVENT_CLOCK_ADJUSTED: u16 = 0x8145;
/// "Supply interrupted" (the device lost power).
pub const EVENT_SUPPLY_INTERRUPTED: u16 = 0x8F57;
/// "CHF Device Log Changed".
pub const EVENT_DEVICE_LOG_CHANGED: u16 = 0x8F12;
/// "Credit Added Locally" (a UTRN accepted at the keypad).
pub const EVENT_CREDIT_ADDED_LOCALLY: u16 = 0x810E;
/// "Command not supported by Device".
pub const EVENT_COMMAND_NOT_SUPPORTED: u16 = 0x8F85;
/// "Event Log Cleared" (security log).
pub const EVENT_LOG_CLEARED: u16 = 0x8F52;
/// "Update Security Credentials" (security log).
pub const EVENT_SECURITY_CREDENTIALS_UPDATED: u16 = 0x8F70;

/// How a logged event reads in a 6.13 answer: its GBCS event code and event data (the
/// message code of the command for `8154` / `8155`, as the RTDS ECS35a response; empty
/// otherwise). `None` for events the device keeps for itself (an alert or response it could
/// not send, the clear command's own entry that [`EventKind::LogCleared`] stands for, a
/// refused UTRN, a supply change to enabled or disabled, which the 7.1 / 7.2 command's own
/// `8154` entry records).
pub fn event_code(kind: &EventKind) -> Option<(u16, Vec<u8>)> {
    Some(match kind {
        EventKind::CommandExecuted {
            message_code,
            success,
            ..
        } => {
            if kind.log() == LogKind::Security {
                let credentials = MessageCode(*message_code)
                    .use_case()
                    .is_some_and(|n| n.starts_with("CS02"));
                if !(credentials && *success) {
                    return None;
                }
                (EVENT_SECURITY_CREDENTIALS_UPDATED, Vec::new())
            } else if *success {
                (EVENT_COMMAND_ACTIONED, message_code.to_be_bytes().to_vec())
            } else {
                (
                    EVENT_COMMAND_NOT_ACTIONED,
                    message_code.to_be_bytes().to_vec(),
                )
            }
        }
        EventKind::CommandNotSupported { message_code, .. } => (
            EVENT_COMMAND_NOT_SUPPORTED,
            message_code.to_be_bytes().to_vec(),
        ),
        EventKind::CommandRefused { refusal, .. } => {
            (crate::alerts::refusal_alert(*refusal)?.0, Vec::new())
        }
        EventKind::AlertRaised { alert_code, .. } => (*alert_code, Vec::new()),
        EventKind::SupplyChanged { to, .. } => match to {
            crate::state::SupplyState::Armed => (EVENT_SUPPLY_ARMED, Vec::new()),
            _ => return None,
        },
        EventKind::ClockSet { .. } => (EVENT_CLOCK_ADJUSTED, Vec::new()),
        EventKind::DeviceLogAdded { .. } | EventKind::DeviceLogRemoved { .. } => {
            (EVENT_DEVICE_LOG_CHANGED, Vec::new())
        }
        EventKind::PowerLost => (EVENT_SUPPLY_INTERRUPTED, Vec::new()),
        EventKind::PowerRestored { .. } => return None,
        EventKind::LogCleared { .. } => (EVENT_LOG_CLEARED, Vec::new()),
        EventKind::UtrnEntered {
            keypad: true,
            outcome: crate::top_up::TopUpOutcome::Accepted { .. },
        } => (EVENT_CREDIT_ADDED_LOCALLY, Vec::new()),
        EventKind::UtrnEntered { .. }
        | EventKind::AuxSwitched { .. }
        | EventKind::AlertNotSent { .. }
        | EventKind::ResponseNotSent { .. } => return None,
    })
}

impl EmulatedDevice {
    /// The entries of `log` in `period` (device clock), oldest first, as 6.13 reads them.
    pub fn event_log_entries(&self, log: LogKind, period: &LogPeriod) -> Vec<EventLogEntry> {
        let with_data = log != LogKind::Security;
        self.state
            .event_log
            .log(log)
            .filter_map(|e| {
                let at = UtcDateTime::from_unix(e.at)?;
                if !period.contains(at) {
                    return None;
                }
                let (code, data) = event_code(&e.kind)?;
                Some(EventLogEntry {
                    time: logs_common::zigbee_time(at),
                    code,
                    data: with_data.then_some(data),
                })
            })
            .collect()
    }

    /// The power event log's entries in `period` (device clock), oldest first, as ECS35e reads
    /// them: kept in the event log, no state of its own: an outage's start (`8F57`), its end
    /// (`8F35`, `8F36` for three minutes or more, as the ECS80 alert; the value the outage's
    /// length in seconds), and the voltage quality alerts the meter raised and logged
    /// ([`crate::power_quality`]; value 0).
    pub fn power_event_log_entries(&self, period: &LogPeriod) -> Vec<PowerEventLogEntry> {
        use crate::power_quality as pq;
        let quality = |c: u16| {
            [
                pq::ALERT_AVERAGE_OVER,
                pq::ALERT_AVERAGE_UNDER,
                pq::ALERT_AVERAGE_OVER_ENDED,
                pq::ALERT_AVERAGE_UNDER_ENDED,
            ]
            .iter()
            .chain(&pq::ALERT_RMS)
            .chain(&pq::ALERT_RMS_ENDED)
            .any(|a| a.0 == c)
        };
        self.state
            .event_log
            .log(LogKind::Event)
            .filter_map(|e| {
                let at = UtcDateTime::from_unix(e.at)?;
                if !period.contains(at) {
                    return None;
                }
                let (code, value) = match e.kind {
                    EventKind::PowerLost => (EVENT_SUPPLY_INTERRUPTED, 0),
                    EventKind::PowerRestored { outage_start } => (
                        crate::alerts::outage_restored_code(outage_start, e.at).0,
                        u32::try_from(e.at.saturating_sub(outage_start)).unwrap_or(u32::MAX),
                    ),
                    EventKind::AlertRaised { alert_code, .. } if quality(alert_code) => {
                        (alert_code, 0)
                    }
                    _ => return None,
                };
                Some(PowerEventLogEntry {
                    time: logs_common::zigbee_time(at),
                    code,
                    value,
                })
            })
            .collect()
    }

    /// The ALCS event log's entries in `period` (device clock), oldest first, as ECS35f /
    /// ECS35g read them: each switching ([`EventKind::AuxSwitched`]), its switch and action
    /// (ECS47's script id), its outcome; no HAN command id (0), this ESME's own switches.
    pub fn alcs_event_log_entries(&self, period: &LogPeriod) -> Vec<AlcsEventLogEntry> {
        self.state
            .event_log
            .log(LogKind::Alcs)
            .filter_map(|e| {
                let at = UtcDateTime::from_unix(e.at)?;
                let EventKind::AuxSwitched {
                    switch,
                    action,
                    success,
                } = e.kind
                else {
                    return None;
                };
                period.contains(at).then(|| AlcsEventLogEntry {
                    time: logs_common::zigbee_time(at),
                    switch,
                    action,
                    outcome: if success {
                        event_logs_common::ALCS_OUTCOME_SUCCESS
                    } else {
                        event_logs_common::ALCS_OUTCOME_FAILURE
                    },
                    han_command_id: 0,
                })
            })
            .collect()
    }

    /// Logs an auxiliary load switching at `device_at` (device clock) in the ALCS event log.
    pub(crate) fn log_aux_switched(&mut self, device_at: i64, switch: u8, action: u8, ok: bool) {
        self.state.event_log.push(crate::state::Event {
            at: device_at,
            kind: EventKind::AuxSwitched {
                switch,
                action,
                success: ok,
            },
        });
    }

    /// ECS35a–e: the entries of the log in the (already tenancy-narrowed) period (ECS35a /
    /// ECS35c the event log, ECS35b / ECS35d the security log, the ESME's or the CHF's,
    /// ECS35e the power event log, ECS35f / ECS35g the ALCS event log); a fault on the log's
    /// buffer, or on the logs, answers the `Get` hardware-fault (1), as the RTDS ERROR
    /// responses.
    pub(crate) fn ecs35(
        &self,
        apdu: &GeneralSigning,
        decoded: &DecodedCommand,
    ) -> Option<Execution> {
        let (log, read) = match decoded {
            DecodedCommand::Ecs35a(r) | DecodedCommand::Ecs35c(r) => (Some(LogKind::Event), r),
            DecodedCommand::Ecs35b(r) | DecodedCommand::Ecs35d(r) => (Some(LogKind::Security), r),
            DecodedCommand::Ecs35e(r) | DecodedCommand::Ecs35f(r) | DecodedCommand::Ecs35g(r) => {
                (None, r)
            }
            _ => return None,
        };
        let fault = self.state.has_fault(DeviceFault::Logs)
            || self.state.has_fault(DeviceFault::DlmsObject {
                class: read.object.class_id,
                obis: read.object.instance,
                attribute: read.object.index,
            });
        if fault {
            return done(
                dlms_response(
                    apdu.counter,
                    vec![Data::Null],
                    vec![ResponseSpec::Get(DLMS_FAILURE)],
                ),
                false,
            );
        }
        let data = match (log, decoded) {
            (Some(log), _) => event_logs_common::entries_compact_array(
                log != LogKind::Security,
                &self.event_log_entries(log, &read.period),
            ),
            (None, DecodedCommand::Ecs35e(_)) => event_logs_common::power_entries_compact_array(
                &self.power_event_log_entries(&read.period),
            ),
            (None, _) => event_logs_common::alcs_entries_compact_array(
                &self.alcs_event_log_entries(&read.period),
            ),
        };
        done(
            dlms_response(
                apdu.counter,
                vec![data],
                vec![ResponseSpec::Get(DLMS_SUCCESS)],
            ),
            true,
        )
    }
}

impl EmulatedDevice {
    /// CS10a / CS10b on a ZigBee device: a Publish Event Log of the log's entries in the
    /// (already tenancy-narrowed) period, oldest first; none: Default Response NOT_FOUND; a
    /// logs fault: Default Response hardware failure, as the RTDS ERROR responses.
    pub(crate) fn cs10(&self, decoded: &DecodedCommand) -> Option<Execution> {
        use gbcs::gbz::{GbzBody, GbzComponent, ZclFrame};
        use gbcs::usecases::event_logs_common::{
            CLUSTER_EVENTS, GET_EVENT_LOG, LOG_ID_GENERAL_EVENT, LOG_ID_SECURITY_EVENT,
            PUBLISH_EVENT_LOG, publish_event_log_payload,
        };
        let (log, log_id, period) = match decoded {
            DecodedCommand::Cs10a(p) => (LogKind::Event, LOG_ID_GENERAL_EVENT, p),
            DecodedCommand::Cs10b(p) => (LogKind::Security, LOG_ID_SECURITY_EVENT, p),
            _ => return None,
        };
        let mut entries = self.event_log_entries(log, period);
        if entries.is_empty() || self.state.has_fault(DeviceFault::Logs) {
            return self.gbz_empty(CLUSTER_EVENTS, GET_EVENT_LOG);
        }
        // A ZSE event always carries its event data (empty on the security log).
        for e in &mut entries {
            e.data.get_or_insert_with(Vec::new);
        }
        let c = GbzComponent {
            control: CONTROL_LAST,
            cluster: CLUSTER_EVENTS,
            body: GbzBody::Plain {
                from_date_time: None,
                zcl: ZclFrame {
                    // Cluster specific, server to client, default response disabled.
                    frame_control: 0x19,
                    manufacturer_code: None,
                    sequence: 0,
                    command: PUBLISH_EVENT_LOG,
                    payload: publish_event_log_payload(log_id, &entries),
                },
            },
        };
        done(gbz(vec![c])?, true)
    }
}
