//! The meter's payment mode (DUIS 1.6 Update Payment Mode: ECS02 and ECS03 on the ESME, GCS02
//! and GCS03 on the GSME): credit or prepayment, the disablement threshold and the two
//! suspend-debt settings, kept in [`PaymentModeState`] (its own part of the stored body's tail,
//! [`crate::stored`]).
//!
//! An immediate change applies at once; one whose activation time is ahead of the device clock
//! is held ([`crate::future`]) and applied then, with the future-dated outcome alert; a
//! cancellation (`FFFFFFFF` on the GSME, the all-`FF` activation time on the ESME) drops the
//! change still held (answered as a success when there is none, as the RTDS CANCELLATION
//! vectors show a success). A faulty device ([`DeviceFault::DlmsObject`] on one of the ESME's
//! objects, [`DeviceFault::ZclCommand`] on the GSME's Change Payment Mode) answers like the
//! RTDS ERROR vectors and changes nothing.

use gbcs::axdr::Data;
use gbcs::dlms::{CosemDescriptor, ResponseSpec};
use gbcs::gbz::GbzBody;
use gbcs::usecases::payment_mode::{CHANGE_PAYMENT_MODE, CHANGE_PAYMENT_MODE_RESPONSE};
use gbcs::usecases::reads_inst_common::CLUSTER_PREPAYMENT;
use gbcs::usecases::{
    Activation, ChangePaymentMode, ChangePaymentModeResponse, CreditModeSwitch,
    PrepaymentModeSwitch, ecs02, ecs03,
};
use gbcs::{GeneralSigning, UtcDateTime};
use serde::{Deserialize, Serialize};

use crate::device::EmulatedDevice;
use crate::exec::{
    DLMS_FAILURE, DLMS_NOT_EXECUTED, DLMS_SUCCESS, Execution, ZCL_DEFAULT_RESPONSE,
    ZCL_HARDWARE_FAILURE, dlms_response, gbz, plain_component,
};
use crate::future::{FutureAction, PendingAction};
use crate::state::DeviceFault;

/// The payment mode settings (defaults: prepayment, threshold 0, debt collected always, for
/// state stored before they existed; a fresh meter has its kind's threshold,
/// [`PaymentModeState::installed`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PaymentModeState {
    /// Credit mode (`false`: prepayment).
    pub credit: bool,
    /// The disablement threshold (the meter's currency units).
    pub disablement_threshold: i32,
    /// No debt collected while the supply is disabled.
    pub suspend_debt_disabled: bool,
    /// No debt collected while on emergency credit.
    pub suspend_debt_emergency: bool,
}

impl PaymentModeState {
    /// A fresh meter's settings: prepayment, and the disablement threshold the RTDS 4.13 answers
    /// show (the ESME's register monitor: −£5; the GSME's cut-off value, `0x0040`: −£50); the
    /// one value of the concept, which 1.6 writes, 4.13 reads and [`crate::prepay`] uses.
    pub fn installed(kind: crate::kind::DeviceKind) -> Self {
        let disablement_threshold = match kind {
            crate::kind::DeviceKind::Esme => -500_000,
            crate::kind::DeviceKind::Gsme => -5_000_000,
            _ => 0,
        };
        Self {
            disablement_threshold,
            ..Self::default()
        }
    }
}

/// ZCL frame control of the GSME's Change Payment Mode Response (cluster specific, server to
/// client, default response disabled: every RTDS 1.6 GSME RESPONSE).
const FC_CHANGE_PAYMENT_MODE_RESPONSE: u8 = 0x19;
/// ZCL frame control of the Change Payment Mode command.
const FC_CHANGE_PAYMENT_MODE: u8 = 0x01;

/// What an ESME command sets.
fn esme_target(
    decoded: Result<&CreditModeSwitch, &PrepaymentModeSwitch>,
    current: PaymentModeState,
) -> PaymentModeState {
    match decoded {
        Ok(_) => PaymentModeState {
            credit: true,
            ..current
        },
        Err(p) => PaymentModeState {
            credit: false,
            disablement_threshold: p.disablement_threshold,
            // Read back from the entries (gbcs::usecases::payment_mode::credit_charge_entries):
            // C0 on a time-debt charge means suspended while disabled; charges from credit
            // 19.10.2 mean suspended while on emergency credit.
            suspend_debt_disabled: p
                .entries
                .iter()
                .any(|e| e.collection == gbcs::usecases::payment_mode::COLLECT_NOT_WHEN_DISABLED),
            suspend_debt_emergency: p.entries.iter().any(|e| e.credit == 2),
        },
    }
}

impl EmulatedDevice {
    /// Switches to `target` (an immediate change, or a held one falling due).
    pub(crate) fn apply_payment_mode(&mut self, target: PaymentModeState) {
        self.state.payment_mode = target;
    }

    /// Holds `target` until `activation` (ahead of the device clock; a later change replaces
    /// one still held), drops the held one (cancel), or switches now.
    fn schedule_payment_mode(
        &mut self,
        apdu: &GeneralSigning,
        activation: Activation,
        target: PaymentModeState,
        component: (u16, u8, u8),
        now: UtcDateTime,
    ) {
        let mine = |a: &PendingAction| matches!(a.action, FutureAction::PaymentMode(_));
        match activation {
            Activation::Cancel => self.state.future_actions.retain(|a| !mine(a)),
            Activation::At(t) if t.to_unix() > self.device_time(now).to_unix() => {
                // A later change replaces one still held.
                self.state.future_actions.retain(|a| !mine(a));
                let (cluster, frame_control, command) = component;
                self.state.future_actions.push(PendingAction {
                    at: t.to_unix(),
                    action: FutureAction::PaymentMode(target),
                    originator: apdu.originator,
                    counter: apdu.counter,
                    message_code: apdu.message_code().0,
                    cluster,
                    frame_control,
                    command,
                });
            }
            _ => self.apply_payment_mode(target),
        }
    }

    /// ECS02 / ECS03: the SETs in order; the first faulty object answers hardware-fault, the
    /// ones after it other-reason, and nothing changes.
    pub(crate) fn esme_payment_mode(
        &mut self,
        apdu: &GeneralSigning,
        decoded: Result<&CreditModeSwitch, &PrepaymentModeSwitch>,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let objects: &[CosemDescriptor] = match decoded {
            Ok(_) => &[
                ecs02::PAYMENT_MODE,
                ecs02::CREDIT_CHARGE_CONFIGURATION,
                ecs02::ACTIVATION_TIME,
            ],
            Err(_) => &[
                ecs02::PAYMENT_MODE,
                ecs03::DISABLEMENT_THRESHOLD,
                ecs02::CREDIT_CHARGE_CONFIGURATION,
                ecs03::THRESHOLD_ACTIVATION_TIME,
                ecs02::ACTIVATION_TIME,
            ],
        };
        let failed = objects.iter().position(|o| {
            self.state.has_fault(DeviceFault::DlmsObject {
                class: o.class_id,
                obis: o.instance,
                attribute: o.index,
            })
        });
        let results = (0..objects.len())
            .map(|i| {
                ResponseSpec::Set(match failed {
                    Some(f) if i == f => DLMS_FAILURE,
                    Some(f) if i > f => DLMS_NOT_EXECUTED,
                    _ => DLMS_SUCCESS,
                })
            })
            .collect();
        if failed.is_none() {
            let target = esme_target(decoded, self.state.payment_mode);
            let activation = match decoded {
                Ok(c) => c.activation,
                Err(p) => p.activation,
            };
            let a = ecs02::ACTIVATION_TIME;
            self.schedule_payment_mode(apdu, activation, target, (a.class_id, 0, a.index), now);
        }
        self.timed(
            dlms_response(apdu.counter, vec![Data::Null; objects.len()], results),
            failed.is_none(),
            now,
        )
    }

    /// GCS02 / GCS03: the Change Payment Mode Response (the emergency credit limit and
    /// threshold), or a Default Response HARDWARE_FAILURE and nothing changes.
    pub(crate) fn gsme_payment_mode(
        &mut self,
        apdu: &GeneralSigning,
        c: &ChangePaymentMode,
        now: UtcDateTime,
    ) -> Option<Execution> {
        if self.state.has_fault(DeviceFault::ZclCommand {
            cluster: CLUSTER_PREPAYMENT,
            command: CHANGE_PAYMENT_MODE,
        }) {
            let comp = plain_component(
                CLUSTER_PREPAYMENT,
                0,
                ZCL_DEFAULT_RESPONSE,
                vec![CHANGE_PAYMENT_MODE, ZCL_HARDWARE_FAILURE],
                true,
            );
            return self.timed(gbz(vec![comp])?, false, now);
        }
        let current = self.state.payment_mode;
        let target = if c.is_prepayment() {
            PaymentModeState {
                credit: false,
                disablement_threshold: i32::from_le_bytes(c.cut_off.to_le_bytes()),
                suspend_debt_disabled: c.suspend_debt_disabled(),
                suspend_debt_emergency: c.suspend_debt_emergency(),
            }
        } else {
            PaymentModeState {
                credit: true,
                ..current
            }
        };
        self.schedule_payment_mode(
            apdu,
            c.activation,
            target,
            (
                CLUSTER_PREPAYMENT,
                FC_CHANGE_PAYMENT_MODE,
                CHANGE_PAYMENT_MODE,
            ),
            now,
        );
        let cfg = &self.state.reads.prepayment;
        let answer = ChangePaymentModeResponse {
            // Friendly credit enabled, calendar 2 (every RTDS 1.6 GSME RESPONSE).
            friendly_credit: 1,
            friendly_credit_calendar_id: 2,
            emergency_credit_limit: u32::try_from(cfg.emergency_credit_limit).unwrap_or(0),
            emergency_credit_threshold: u32::try_from(cfg.emergency_credit_threshold).unwrap_or(0),
        };
        let mut comp = plain_component(
            CLUSTER_PREPAYMENT,
            0,
            CHANGE_PAYMENT_MODE_RESPONSE,
            answer.encode(),
            true,
        );
        if let GbzBody::Plain { zcl, .. } = &mut comp.body {
            zcl.frame_control = FC_CHANGE_PAYMENT_MODE_RESPONSE;
        }
        self.timed(gbz(vec![comp])?, true, now)
    }

    /// The answer, its header carrying the device time (every RTDS 1.6 RESPONSE and ERROR
    /// does).
    fn timed(&self, content: Vec<u8>, success: bool, now: UtcDateTime) -> Option<Execution> {
        Some(Execution::Done {
            content,
            date_time: Some(self.device_time(now).to_cosem().0),
            success,
        })
    }
}
