//! Prepayment top-ups (DUIS 2.2 Top Up Device: CS01a on the ESME, CS01b on the GSME; and the
//! same UTRN typed in at the meter's keypad, [`EmulatedDevice::enter_utrn`]).
//!
//! A UTRN ([`gbcs::utrn`]) is accepted once. The meter:
//!
//! 1. parses it (20 digits, check digit, token decimal, reserved bits and value class), else it
//!    is not a token;
//! 2. takes the full UTRN counter from the token's 10 counter bits
//!    ([`gbcs::utrn::reconstruct_counter`]): the smallest counter with those bits at or above
//!    the lowest counter of its UTRN counter cache ([`TopUps::counters`], the highest
//!    [`UTRN_COUNTER_CACHE`] counters it accepted), so that UTRNs may be used in any order
//!    within the window the cache spans;
//! 3. verifies the token's MAC for that counter, from its supplier to itself, with the
//!    supplier's prepayment key-agreement key ([`TopUps::supplier_prepayment_ka`]: the
//!    prepayment top-up trust anchor; a meter given none uses the supplier anchor's
//!    key-agreement key, as the emulated worlds issue one key per supplier). A token whose MAC
//!    fails is not authentic (another meter's, another supplier's, altered, or too far ahead of
//!    the window) — unless it verifies for the same bits one counter period lower, below the
//!    window: then it is an old token the meter can no longer tell from a used one;
//! 4. refuses a counter in the cache (used already).
//!
//! The same path serves the WAN and the keypad: the command's own originator counter protects
//! the command (anti-replay in [`crate::device`]), the UTRN's counter the credit, so a UTRN
//! replayed in a new command is refused as a duplicate.
//!
//! An accepted UTRN adds its value (pence, or pounds × 100; the balance counts 10⁻⁵ GBP, so ×
//! 1000) to the meter balance from that instant through [`EmulatedDevice::credit_added`]
//! ([`crate::prepay`], the one entry point of added credit, which also arms a supply disabled
//! for want of credit and ends emergency credit). Each accepted top-up is kept
//! ([`TopUps::accepted`]: time, amount, counter, keypad or remote; [`TopUps::credited`] sums
//! them); it is a payment, of which the payment-based debt takes its share
//! ([`crate::reads::payment::DebtState::payment_recovered`]), only the rest being credit.
//!
//! Alerts (GBCS alert codes): a refused UTRN raises `0x8F63` "UTRN not Authentic" (not a token,
//! MAC fails) or `0x8F51` "Duplicate UTRN entered" (in the cache, or below the window); a UTRN
//! accepted from the keypad raises `0x810E` "Credit Added Locally" (a remote one is answered in
//! its response). Answers: CS01a `success`, or `hardware-fault` (1) when refused, as the RTDS
//! ERROR vector; CS01b a Consumer Top Up Response: accepted with the value and the credit
//! remaining, or result 1 (invalid) / 2 (duplicate) with both `0xFFFFFFFF`, as the RTDS ERROR
//! vector; both responses carry the device time in their header, as the RTDS responses do. A
//! token above the maximum credit threshold, or one that would take the balance above the
//! maximum meter balance, is refused by [`EmulatedDevice::credit_added`] (`0x8F5B`, `0x8F47`;
//! [`crate::prepay`]): its counter is not used up, so it may be entered again once the balance
//! allows.

use gbcs::axdr::Data;
use gbcs::dlms::ResponseSpec;
use gbcs::usecases::cs01b::{self, TopUpResponse};
use gbcs::usecases::reads_inst_common::CLUSTER_PREPAYMENT;
use gbcs::utrn::{self, Ptut};
use gbcs::{AlertCode, GeneralSigning, UtcDateTime};
use serde::{Deserialize, Serialize};

use crate::anchors::{PublicKeyBytes, RemotePartyRole};
use crate::device::{EmulatedDevice, Outcome, Reply};
use crate::error::DeviceError;
use crate::exec::{DLMS_FAILURE, DLMS_SUCCESS, Execution, dlms_response, gbz};
use crate::kind::DeviceKind;
use crate::metering::Channel;
use crate::state::EventKind;

/// How many UTRN counters the meter remembers (the highest it accepted).
pub const UTRN_COUNTER_CACHE: usize = 10;
/// Credit Added Locally (a UTRN accepted from the keypad).
pub const ALERT_CREDIT_ADDED_LOCALLY: AlertCode = AlertCode(0x810E);
/// Duplicate UTRN entered.
pub const ALERT_DUPLICATE_UTRN: AlertCode = AlertCode(0x8F51);
/// UTRN not Authentic.
pub const ALERT_UTRN_NOT_AUTHENTIC: AlertCode = AlertCode(0x8F63);
/// Balance units (10⁻⁵ GBP) per penny.
const UNITS_PER_PENNY: i64 = 1000;

/// Where a top-up came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TopUpSource {
    /// A command over the WAN (CS01a, CS01b).
    Remote,
    /// The meter's keypad.
    Keypad,
}

/// One accepted top-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TopUpRecord {
    /// When it was accepted (true time, unix seconds).
    pub at: i64,
    /// The credit it added (10⁻⁵ GBP).
    pub amount: i64,
    /// Its UTRN counter.
    pub counter: u64,
    /// Where it came from.
    pub source: TopUpSource,
}

/// The meter's top-up state (empty on a fresh device and in state stored before it existed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopUps {
    /// The UTRN counter cache: the highest accepted UTRN counters, ascending, at most
    /// [`UTRN_COUNTER_CACHE`].
    pub counters: Vec<u64>,
    /// Every accepted top-up, in order.
    pub accepted: Vec<TopUpRecord>,
    /// The supplier's prepayment key-agreement key (the prepayment top-up trust anchor); `None`:
    /// the supplier anchor's key-agreement key.
    pub supplier_prepayment_ka: Option<PublicKeyBytes>,
}

impl TopUps {
    /// The credit the top-ups accepted up to `t` (true time) added (a record: the balance counts
    /// it through [`EmulatedDevice::credit_added`]).
    pub fn credited(&self, t: i64) -> i64 {
        self.accepted
            .iter()
            .filter(|r| r.at <= t)
            .fold(0i64, |sum, r| sum.saturating_add(r.amount))
    }

    /// Remembers an accepted counter (dropping the lowest beyond the cache's size).
    fn remember(&mut self, counter: u64) {
        if let Err(i) = self.counters.binary_search(&counter) {
            self.counters.insert(i, counter);
        }
        while self.counters.len() > UTRN_COUNTER_CACHE {
            self.counters.remove(0);
        }
    }
}

/// Why a UTRN was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TopUpRefusal {
    /// Not a token (digits, check digit, reserved bits, value class).
    NotAToken,
    /// The MAC does not verify (another meter's or supplier's token, altered, or out of reach
    /// of the counter window), or the meter has no supplier to verify it against.
    NotAuthentic,
    /// Its counter is in the UTRN counter cache: used already.
    Duplicate,
    /// Its counter is below the lowest the meter remembers.
    BelowWindow,
    /// Its value is above the maximum credit threshold, or would take the balance above the
    /// maximum meter balance.
    Limit(crate::prepay::CreditRefusal),
}

impl TopUpRefusal {
    /// The alert the meter raises.
    pub fn alert(self) -> AlertCode {
        match self {
            TopUpRefusal::NotAToken | TopUpRefusal::NotAuthentic => ALERT_UTRN_NOT_AUTHENTIC,
            TopUpRefusal::Duplicate | TopUpRefusal::BelowWindow => ALERT_DUPLICATE_UTRN,
            TopUpRefusal::Limit(r) => r.alert(),
        }
    }

    /// The CS01b result type.
    fn zse_result(self) -> u8 {
        match self {
            TopUpRefusal::Duplicate => cs01b::RESULT_DUPLICATE,
            _ => cs01b::RESULT_INVALID,
        }
    }
}

/// What the meter did with a UTRN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TopUpOutcome {
    /// Accepted: the credit added (10⁻⁵ GBP) and the UTRN counter.
    Accepted {
        /// The credit added.
        amount: i64,
        /// The UTRN counter.
        counter: u64,
    },
    /// Refused; nothing changed.
    Refused(TopUpRefusal),
}

impl EmulatedDevice {
    /// Checks `utrn` and, if it is good, credits it at `now`: the one path of the WAN commands
    /// and the keypad. Logs the outcome.
    pub(crate) fn apply_utrn(
        &mut self,
        utrn: &str,
        source: TopUpSource,
        now: UtcDateTime,
    ) -> TopUpOutcome {
        let checked = self.check_utrn(utrn).and_then(|(ptut, counter)| {
            let amount = i64::from(ptut.value_pence()) * UNITS_PER_PENNY;
            // The one entry point of added credit: the top-up kept (a payment, of which the
            // payment-based debt takes its share), the balance, the supply armed again after a
            // disablement for want of credit, emergency credit ended; or refused by the limits.
            self.credit_added(amount, Some((counter, source)), now)
                .map(|()| (amount, counter))
                .map_err(TopUpRefusal::Limit)
        });
        let outcome = match checked {
            Ok((amount, counter)) => {
                self.state.top_ups.remember(counter);
                self.log_credit(amount, Some(utrn), now);
                TopUpOutcome::Accepted { amount, counter }
            }
            Err(refusal) => TopUpOutcome::Refused(refusal),
        };
        self.log(
            now,
            EventKind::UtrnEntered {
                keypad: source == TopUpSource::Keypad,
                outcome,
            },
        );
        outcome
    }

    fn check_utrn(&self, utrn: &str) -> Result<(Ptut, u64), TopUpRefusal> {
        let ptut = Ptut::parse(utrn).map_err(|_| TopUpRefusal::NotAToken)?;
        let top_ups = &self.state.top_ups;
        let supplier = self
            .state
            .trust_anchors
            .get(RemotePartyRole::Supplier)
            .ok_or(TopUpRefusal::NotAuthentic)?;
        let key = top_ups
            .supplier_prepayment_ka
            .as_ref()
            .unwrap_or(&supplier.ka_public)
            .key();
        let floor = top_ups.counters.first().copied();
        let counter = utrn::reconstruct_counter(ptut.counter_bits, floor)
            .ok_or(TopUpRefusal::NotAuthentic)?;
        let verifies = |c| ptut.verify(&self.keys.ka, key, supplier.eui, self.identity.eui, c);
        if !verifies(counter) {
            let period = utrn::COUNTER_MODULUS * utrn::COUNTER_STEP;
            let below = counter.checked_sub(period).is_some_and(verifies);
            return Err(if below {
                TopUpRefusal::BelowWindow
            } else {
                TopUpRefusal::NotAuthentic
            });
        }
        if top_ups.counters.binary_search(&counter).is_ok() {
            return Err(TopUpRefusal::Duplicate);
        }
        Ok((ptut, counter))
    }

    /// The consumer types `utrn` at the meter's keypad at true time `now` (an ESME or a GSME):
    /// accepted once, with the `0x810E` alert, or refused with its alert; nothing changes but
    /// the log on a refusal. `Outcome::Event` in the reply; the top-up outcome is returned.
    pub fn enter_utrn(
        &mut self,
        utrn: &str,
        now: UtcDateTime,
    ) -> Result<(TopUpOutcome, Reply), DeviceError> {
        if !matches!(self.identity.kind, DeviceKind::Esme | DeviceKind::Gsme) {
            return Err(DeviceError::NotSupported {
                operation: "UTRN entry",
                kind: self.identity.kind,
            });
        }
        let pushed = self.state.event_log.pushed();
        let mut alerts = self.tick(now).unwrap_or_default();
        let outcome = self.apply_utrn(utrn, TopUpSource::Keypad, now);
        let code = match outcome {
            TopUpOutcome::Accepted { .. } => ALERT_CREDIT_ADDED_LOCALLY,
            TopUpOutcome::Refused(r) => r.alert(),
        };
        alerts.extend(self.security_alert(code, now));
        let reply = Reply {
            response: None,
            alerts,
            state_changed: self.state.event_log.pushed() != pushed,
            outcome: Outcome::Event,
        };
        Ok((outcome, reply))
    }

    /// CS01a: the token gateway's `enter`: `success` when the UTRN is accepted, else
    /// `hardware-fault` and the refusal's alert.
    pub(crate) fn cs01a(
        &mut self,
        apdu: &GeneralSigning,
        utrn: &str,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let outcome = self.apply_utrn(utrn, TopUpSource::Remote, now);
        let accepted = matches!(outcome, TopUpOutcome::Accepted { .. });
        if let TopUpOutcome::Refused(r) = outcome {
            self.pending_alerts.push(r.alert());
        }
        let code = if accepted { DLMS_SUCCESS } else { DLMS_FAILURE };
        Some(Execution::Done {
            content: dlms_response(
                apdu.counter,
                vec![Data::Null],
                vec![ResponseSpec::Action(code)],
            ),
            date_time: Some(self.device_time(now).to_cosem().0),
            success: accepted,
        })
    }

    /// CS01b: the Consumer Top Up Response: accepted, with the value added and the credit
    /// remaining, or the refusal's result type and the refusal's alert.
    pub(crate) fn cs01b(&mut self, utrn: &str, now: UtcDateTime) -> Option<Execution> {
        let outcome = self.apply_utrn(utrn, TopUpSource::Remote, now);
        let response = match outcome {
            TopUpOutcome::Accepted { amount, .. } => {
                let (credit, _) = self.credits_at(Channel::GasVolume, now.to_unix());
                TopUpResponse {
                    result: cs01b::RESULT_ACCEPTED,
                    value: i32::try_from(amount).unwrap_or(i32::MAX),
                    source: 0,
                    credit_remaining: i32::try_from(credit).unwrap_or(i32::MAX),
                }
            }
            TopUpOutcome::Refused(r) => {
                self.pending_alerts.push(r.alert());
                TopUpResponse {
                    result: r.zse_result(),
                    value: cs01b::NOT_APPLIED,
                    source: 0,
                    credit_remaining: cs01b::NOT_APPLIED,
                }
            }
        };
        let comp = gbcs::gbz::GbzComponent {
            control: gbcs::gbz::CONTROL_LAST,
            cluster: CLUSTER_PREPAYMENT,
            body: gbcs::gbz::GbzBody::Plain {
                from_date_time: None,
                zcl: gbcs::gbz::ZclFrame {
                    frame_control: 0x09,
                    manufacturer_code: None,
                    sequence: 0,
                    command: cs01b::CONSUMER_TOP_UP_RESPONSE,
                    payload: response.encode(),
                },
            },
        };
        Some(Execution::Done {
            content: gbz(vec![comp])?,
            date_time: Some(self.device_time(now).to_cosem().0),
            success: response.result == cs01b::RESULT_ACCEPTED,
        })
    }
}
