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
//! Recovery command: all or nothing, each certificate for its cell's role and key usage and
//! issued by one of the command's certification path certificates. Once replaced, the old key
//! is refused (its signatures no longer verify) and the new one obeyed. The floors: the
//! party's counter floor (`newRemotePartyFloorSeqNumber`, or the load controller's in
//! `otherRemotePartySeqNumberChanges`) applies to the party's (new) EUI, never lowering the
//! counter the device holds for that EUI (the party's ACB-MAC'd commands would otherwise be
//! replayable), and only when every cell was replaced; the response reports the changes as the
//! command asked them, as the RTDS responses (ERROR included) do.
//!
//! Future-dated commands (an `executionDateTime`) are not held by this emulation: they are
//! answered with every cell "other" and nothing changes.

use gbcs::credentials::{SeqNumberChange, UpdateSecurityCredentialsResponse};
use gbcs::usecases::{KrpParty, KrpUpdate};

use crate::device::EmulatedDevice;
use gbcs::UtcDateTime;

use crate::exec::Execution;
use crate::recovery::{ReplacementRule, device_role};

impl EmulatedDevice {
    /// Executes a decoded CS02b/CS02g (see the module documentation).
    pub(crate) fn krp_update(&mut self, u: &KrpUpdate, now: UtcDateTime) -> Option<Execution> {
        // Signed responses carry the device's date-time (as the RTDS responses).
        let date_time = Some(self.device_time(now).to_cosem().0);
        let done = |content, success| {
            Some(Execution::Done {
                content,
                date_time,
                success,
            })
        };
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
        if usc.execution_date_time.is_some() {
            let never = ReplacementRule {
                may_replace: |_| false,
                check_issuer: true,
            };
            let (_, outcome) = self.replace_anchors(usc, &never);
            let content = UpdateSecurityCredentialsResponse {
                outcome: Some(outcome),
            }
            .encode();
            return done(content, false);
        }
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
        let content = UpdateSecurityCredentialsResponse {
            outcome: Some(outcome),
        }
        .encode();
        done(content, success)
    }
}
