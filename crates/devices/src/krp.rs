//! CS02b/CS02g by a known remote party (DUIS 6.15.1, `gbcs::usecases::cs02b`): the supplier
//! replaces its own trust anchor cells, the network operator its own, the supplier the load
//! controller's; and (DUIS 6.23, CS02bSupplierByTransCoS) the DCC's transitional CoS party
//! the supplier's, the incoming supplier's certificates replacing the outgoing supplier's (its
//! floors in `otherRemotePartySeqNumberChanges`, as the load controller's). The command reaches here after the generic checks (ACB MAC, the originator an
//! anchor in the use case's role — the supplier, or the network operator —, its signature with
//! that anchor's DS key, the counter); the decoder has bound the mode to the message code, the
//! authorising seq number to the counter and every target cell to the party's role.
//!
//! The replacement is [`EmulatedDevice::replace_anchors`], the one rule shared with the
//! Recovery command: all or nothing, each certificate for its cell's role (the load
//! controller's cells also take the supplier's certificates, as the RTDS CS02g SUCCESS
//! commands carry them; any other role's is refused, `badCertificate`: the DCC passes CS02g
//! certificates of any role through) and key usage and issued by one of the command's
//! certification path certificates. Once replaced, the old key
//! is refused (its signatures no longer verify) and the new one obeyed. The floors: the
//! party's counter floor (`newRemotePartyFloorSeqNumber`, or the load controller's in
//! `otherRemotePartySeqNumberChanges`) applies to the party's (new) EUI, never lowering the
//! counter the device holds for that EUI (the party's ACB-MAC'd commands would otherwise be
//! replayable), and only when every cell was replaced; the response reports the changes as the
//! command asked them, as the RTDS responses (ERROR included) do.
//!
//! Future-dated commands (an `executionDateTime` ahead of the device clock) are acknowledged at
//! once (the response carries no outcome, as the RTDS FUTURE_DATED responses) and held as the
//! command the device received ([`FutureAction::Credentials`]); when the clock reaches the time
//! the device executes it as above and raises the future-dated outcome alert, `8F66` when every
//! cell was replaced, `8F67` otherwise, to the command's originator: a signed ASN.1 alert whose
//! content is the execution time and the execution outcome
//! ([`gbcs::credentials::ExecutionOutcome::future_dated_alert_content`]), message code `00CB`
//! (`0124` for the load controller's cells, CS02g), as the RTDS 8F66/8F67 vectors. A
//! cancellation (`executionDateTime` 99991231235959Z, DUIS's 3000-12-31) drops the held commands
//! of the same use case (message code) and is acknowledged the same way. An `executionDateTime`
//! the clock has reached is executed at once.

use gbcs::credentials::{
    ALERT_MESSAGE_CS02B, ALERT_MESSAGE_CS02G, ExecutionOutcome, SeqNumberChange,
    UpdateSecurityCredentialsResponse,
};
use gbcs::usecases::cs02b::{CANCEL_GENERALIZED_TIME, execution_date_time};
use gbcs::usecases::{Activation, DecodedCommand, KrpParty, KrpUpdate};
use gbcs::{GeneralSigning, MessageCode, UtcDateTime};

use crate::device::EmulatedDevice;
use crate::error::DeviceError;
use crate::exec::Execution;
use crate::future::{
    ALERT_FUTURE_DATED_EXECUTED, ALERT_FUTURE_DATED_FAILED, FutureAction, PendingAction,
};
use crate::recovery::{ReplacementRule, device_role};

impl EmulatedDevice {
    /// Executes, holds or cancels a decoded CS02b/CS02g (see the module documentation).
    pub(crate) fn krp_update(
        &mut self,
        apdu: &GeneralSigning,
        u: &KrpUpdate,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let done = self.signed_done(now);
        let acknowledged = UpdateSecurityCredentialsResponse { outcome: None }.encode();
        let code = apdu.message_code().0;
        match &u.content.execution_date_time {
            Some(t) if t.as_slice() == CANCEL_GENERALIZED_TIME => {
                self.state.future_actions.retain(|a| {
                    !(matches!(a.action, FutureAction::Credentials(_)) && a.message_code == code)
                });
                return done(acknowledged, true);
            }
            Some(t) => {
                let Some(at) = UtcDateTime::from_generalized_time(t) else {
                    // Not a time: nothing replaced, every cell reported "other".
                    let never = ReplacementRule {
                        may_replace: |_| false,
                        check_issuer: true,
                    };
                    let (_, outcome) = self.replace_anchors(&u.content, &never);
                    let content = UpdateSecurityCredentialsResponse {
                        outcome: Some(outcome),
                    }
                    .encode();
                    return done(content, false);
                };
                if at.to_unix() > self.device_time(now).to_unix() {
                    self.state.future_actions.push(PendingAction {
                        at: at.to_unix(),
                        action: FutureAction::Credentials(apdu.encode()),
                        originator: apdu.originator,
                        counter: apdu.counter,
                        message_code: code,
                        cluster: 0,
                        frame_control: 0,
                        command: 0,
                    });
                    return done(acknowledged, true);
                }
            }
            None => {}
        }
        let (success, outcome) = self.krp_execute(u);
        let content = UpdateSecurityCredentialsResponse {
            outcome: Some(outcome),
        }
        .encode();
        done(content, success)
    }

    /// Replaces the cells a CS02b/CS02g names and applies its floor (module documentation):
    /// whether every cell was replaced, and the execution outcome.
    fn krp_execute(&mut self, u: &KrpUpdate) -> (bool, ExecutionOutcome) {
        let usc = &u.content;
        let rule = ReplacementRule {
            may_replace: match u.party {
                KrpParty::Supplier | KrpParty::SupplierByTransCoS => {
                    |c| c == gbcs::credentials::role::SUPPLIER
                }
                KrpParty::NetworkOperator => |c| c == gbcs::credentials::role::NETWORK_OPERATOR,
                KrpParty::LoadController => |c| c == gbcs::credentials::role::LOAD_CONTROLLER,
            },
            check_issuer: true,
        };
        let (success, mut outcome) = self.replace_anchors(usc, &rule);
        let role = u.party.target_role();
        let change = match u.party {
            KrpParty::LoadController | KrpParty::SupplierByTransCoS => usc
                .control
                .other_changes
                .iter()
                .flatten()
                .find(|c| c.role == role)
                .cloned(),
            _ => usc.control.new_floor.map(|floor| SeqNumberChange {
                role,
                floor,
                specialist: usc.control.new_specialist_floor.clone(),
            }),
        };
        if let Some(c) = change {
            if success
                && let Some(a) = device_role(role).and_then(|r| self.state.trust_anchors.get(r))
            {
                let eui = a.eui;
                let held = self.state.last_counters.get(&eui).copied().unwrap_or(0);
                self.state.last_counters.insert(eui, held.max(c.floor));
            }
            // Reported as asked, whether applied or not (the RTDS ERROR response does too).
            outcome.seq_number_changes.push(c);
        }
        (success, outcome)
    }

    /// A held CS02b/CS02g (`command`, as received) whose time has come: executed, and its
    /// outcome alert (8F66 or 8F67) to `a`'s originator, if it is still a trust anchor. The
    /// alert carries the execution time the command asked for.
    pub(crate) fn krp_due(
        &mut self,
        a: &PendingAction,
        command: &[u8],
        when: UtcDateTime,
    ) -> Result<Option<Vec<u8>>, DeviceError> {
        let decoded = GeneralSigning::decode(command)
            .ok()
            .and_then(|apdu| gbcs::usecases::decode_command(&apdu).ok());
        let Some(DecodedCommand::Cs02b(u)) = decoded else {
            return Err(DeviceError::Build("held credentials command"));
        };
        let (success, outcome) = self.krp_execute(&u);
        let Some(recipient) = self.state.trust_anchors.by_eui(a.originator).cloned() else {
            return Ok(None);
        };
        let code = if success {
            ALERT_FUTURE_DATED_EXECUTED
        } else {
            ALERT_FUTURE_DATED_FAILED
        };
        let at = UtcDateTime::from_unix(a.at)
            .and_then(|t| execution_date_time(Activation::At(t)).ok().flatten())
            .ok_or(DeviceError::Build("credentials alert time"))?;
        let message_code = if u.party == KrpParty::LoadController {
            ALERT_MESSAGE_CS02G
        } else {
            ALERT_MESSAGE_CS02B
        };
        let content = outcome.future_dated_alert_content(code.0, &at);
        let counters = self.take_alert_counter()?;
        self.emit_alert(
            code,
            MessageCode(message_code),
            &recipient,
            content,
            counters,
            when,
        )
        .map(Some)
    }
}
