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
use gbcs::usecases::{cs11, ecs15a, ecs15c};
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
