//! CS02b authorised by the Recovery key (message code 0x0108): after a compromise of an
//! organisation key, the DCC replaces the affected trust anchors with a command signed by its
//! Recovery private key.
//!
//! The device checks, in order: a Recovery anchor is installed and the originator is it; the
//! command is signed and the signature verifies with the Recovery anchor's DS key; the counter is
//! above the last one accepted from the Recovery party; the content decodes and is a
//! recovery-mode command whose authorising seq number is the counter. Any failure refuses it
//! (nothing changes but the event log; an alert is raised). Then every replacement is checked
//! (the target cell is one the device holds and may be replaced in this mode — never the root —
//! and the certificate is for that role and key usage and, when the device holds a Root cell,
//! chains through the command's certification path to the root — without one, the Recovery
//! signature vouches for it); if any fails, nothing is replaced and
//! the signed response reports the failing cell's status. Otherwise every cell is replaced and
//! the device answers success.

use eui::Eui64;
use gbcs::credentials::{
    self, CS02B_BY_RECOVERY, ExecutionOutcome, KEY_USAGE_DS, KEY_USAGE_KA,
    MODE_ANY_EXCEPT_ABNORMAL_ROOT_BY_RECOVERY, ReplacementOutcome, STATUS_BAD_CERTIFICATE,
    STATUS_OTHER, STATUS_SUCCESS, STATUS_TRUST_ANCHOR_NOT_FOUND, UpdateSecurityCredentials,
    UpdateSecurityCredentialsResponse,
};
use gbcs::{GeneralSigning, SignatureField, UtcDateTime};

use crate::anchors::{PublicKeyBytes, RemotePartyRole, TrustAnchor};
use crate::device::{Accepted, EmulatedDevice, Outcome};
use crate::state::{EventKind, Refusal};

/// The device's role for a GBCS remote party role code, if the device can hold it. Root (0) and
/// issuing authority (7) are not replaceable by the Recovery key.
pub(crate) fn device_role(code: u8) -> Option<RemotePartyRole> {
    Some(match code {
        credentials::role::RECOVERY => RemotePartyRole::Recovery,
        credentials::role::SUPPLIER => RemotePartyRole::Supplier,
        credentials::role::NETWORK_OPERATOR => RemotePartyRole::NetworkOperator,
        credentials::role::ACCESS_CONTROL_BROKER => RemotePartyRole::AccessControlBroker,
        credentials::role::TRANSITIONAL_COS => RemotePartyRole::TransitionalCos,
        credentials::role::WAN_PROVIDER => RemotePartyRole::WanProvider,
        credentials::role::LOAD_CONTROLLER => RemotePartyRole::LoadController,
        _ => return None,
    })
}

/// One checked replacement, ready to apply.
struct Planned {
    role: RemotePartyRole,
    ds: bool,
    /// The supplier's prepayment top-up KA cell (`TopUps::supplier_prepayment_ka`).
    top_up: bool,
    eui: Eui64,
    key: PublicKeyBytes,
}

impl EmulatedDevice {
    /// Handles a CS02b-by-Recovery command (see the module documentation).
    pub(crate) fn recover(
        &mut self,
        apdu: &GeneralSigning,
        now: UtcDateTime,
        alerts: &mut Vec<Vec<u8>>,
    ) -> (Option<Vec<u8>>, Outcome) {
        let Some(recovery) = self
            .state
            .trust_anchors
            .get(RemotePartyRole::Recovery)
            .cloned()
        else {
            return self.refuse(Refusal::UnknownOriginator, Some(apdu), now, alerts);
        };
        if apdu.originator != recovery.eui {
            return self.refuse(Refusal::OriginatorNotAuthorised, Some(apdu), now, alerts);
        }
        match &apdu.signature {
            SignatureField::Signed(_) => {
                if apdu.verify_signature(recovery.ds_public.key()).is_err() {
                    return self.refuse(Refusal::SignatureInvalid, Some(apdu), now, alerts);
                }
            }
            SignatureField::Unsigned | SignatureField::Absent => {
                return self.refuse(Refusal::SignatureMissing, Some(apdu), now, alerts);
            }
        }
        if let Some(&last) = self.state.last_counters.get(&apdu.originator)
            && apdu.counter <= last
        {
            let refusal = Refusal::Replay {
                last_accepted: last,
            };
            return self.refuse(refusal, Some(apdu), now, alerts);
        }
        let Ok(usc) = UpdateSecurityCredentials::decode(&apdu.content) else {
            return self.refuse(Refusal::Malformed, Some(apdu), now, alerts);
        };
        let authorising_ok = usc
            .control
            .authorising_cell
            .is_none_or(|c| c.role == credentials::role::RECOVERY && c.key_usage == KEY_USAGE_DS);
        if usc.control.mode != MODE_ANY_EXCEPT_ABNORMAL_ROOT_BY_RECOVERY
            || usc.control.seq_number != apdu.counter
            || !authorising_ok
            || usc.replacements.is_empty()
            || usc.execution_date_time.is_some()
        {
            return self.refuse(Refusal::CredentialsCommandInvalid, Some(apdu), now, alerts);
        }
        self.state
            .last_counters
            .insert(apdu.originator, apdu.counter);
        let rule = ReplacementRule {
            may_replace: |code| device_role(code).is_some(),
            // Without a Root cell, the Recovery signature vouches for the certificates (with
            // one, they must chain to it: `certification_path_holds`).
            check_issuer: false,
        };
        let (success, mut outcome) = self.replace_anchors(&usc, &rule);
        let mut changes = Vec::new();
        if success {
            let replaced_roles: Vec<RemotePartyRole> = usc
                .replacements
                .iter()
                .filter_map(|r| device_role(r.target.role))
                .collect();
            // Floor changes apply only to the parties whose anchors were replaced (a floor
            // lowered for an unchanged party would re-open it to replays).
            for c in usc.control.other_changes.iter().flatten() {
                let Some(role) = device_role(c.role) else {
                    continue;
                };
                if !replaced_roles.contains(&role) {
                    continue;
                }
                if let Some(a) = self.state.trust_anchors.get(role) {
                    self.state.last_counters.insert(a.eui, c.floor);
                    changes.push(c.clone());
                }
            }
            if let Some(floor) = usc.control.new_floor
                && replaced_roles.contains(&RemotePartyRole::Recovery)
                && let Some(a) = self.state.trust_anchors.get(RemotePartyRole::Recovery)
                && a.eui != apdu.originator
            {
                self.state.last_counters.insert(a.eui, floor);
            }
        }
        outcome.seq_number_changes = changes;
        self.log(
            now,
            EventKind::CommandExecuted {
                message_code: CS02B_BY_RECOVERY.0,
                originator: apdu.originator,
                counter: apdu.counter,
                success,
            },
        );
        let content = UpdateSecurityCredentialsResponse {
            outcome: Some(outcome),
        }
        .encode();
        let cmd = Accepted {
            apdu,
            originator: &recovery,
            use_case: None,
            signed: true,
            urp: None,
        };
        let date_time = Some(self.device_time(now).to_cosem().0);
        let response = self.protect_response(&cmd, content, date_time);
        if response.is_none() {
            self.log(
                now,
                EventKind::ResponseNotSent {
                    message_code: CS02B_BY_RECOVERY.0,
                },
            );
        }
        (
            response,
            Outcome::Executed {
                message_code: CS02B_BY_RECOVERY,
                success,
            },
        )
    }

    /// The one trust anchor replacement rule (CS02b by Recovery, CS02b/CS02g by a known remote
    /// party): every replacement is checked first — the target cell is one `rule` lets the
    /// command replace and the device holds (of the cells with a `cellUsage`, the supplier's
    /// prepayment top-up KA cell, `TopUps::supplier_prepayment_ka`, which UTRNs are checked
    /// with), the
    /// certificate decodes, is for the cell's role and key usage and its certification path
    /// holds (`certification_path_holds`: issued by a path certificate the device's Root cell
    /// signed, or, without a Root cell, where `rule` says so, by a path certificate; else
    /// [`STATUS_CERTIFICATION_PATH`]); then, only if all pass, every cell is replaced. The
    /// outcome reports each cell (existing and replacing subject and key identifier; a cell
    /// that was fine is reported "other" when another failed); its seq number changes are left
    /// to the caller.
    pub(crate) fn replace_anchors(
        &mut self,
        usc: &UpdateSecurityCredentials,
        rule: &ReplacementRule,
    ) -> (bool, ExecutionOutcome) {
        let mut statuses = Vec::new();
        let mut planned = Vec::new();
        for r in &usc.replacements {
            let (status, plan) = self.check_replacement(r, rule, &usc.certification_path);
            statuses.push(status);
            planned.extend(plan);
        }
        let success = statuses.iter().all(|&s| s == STATUS_SUCCESS);
        let mut outcomes = Vec::new();
        for (r, &status) in usc.replacements.iter().zip(&statuses) {
            let existing = device_role(r.target.role)
                .and_then(|role| self.state.trust_anchors.get(role).cloned());
            let (existing_subject, existing_key_id) = match &existing {
                Some(a) => {
                    let key = if is_top_up(r.target) {
                        self.state
                            .top_ups
                            .supplier_prepayment_ka
                            .as_ref()
                            .unwrap_or(&a.ka_public)
                    } else if r.target.key_usage == KEY_USAGE_KA {
                        &a.ka_public
                    } else {
                        &a.ds_public
                    };
                    (
                        a.eui.0.to_vec(),
                        credentials::key_identifier(key.key()).to_vec(),
                    )
                }
                None => (Vec::new(), Vec::new()),
            };
            let facts = credentials::certificate_facts(&r.certificate).ok();
            outcomes.push(ReplacementOutcome {
                cell: r.target,
                status: if success || status != STATUS_SUCCESS {
                    status
                } else {
                    STATUS_OTHER
                },
                existing_subject,
                existing_key_id,
                replacing_subject: facts
                    .as_ref()
                    .map(|f| f.subject_eui.0.to_vec())
                    .unwrap_or_default(),
                replacing_key_id: facts.map(|f| f.key_id).unwrap_or_default(),
            });
        }
        if success {
            for p in planned {
                if p.top_up {
                    self.state.top_ups.supplier_prepayment_ka = Some(p.key);
                    continue;
                }
                let Some(mut anchor) = self.state.trust_anchors.get(p.role).cloned() else {
                    continue;
                };
                anchor.eui = p.eui;
                if p.ds {
                    anchor.ds_public = p.key;
                } else {
                    anchor.ka_public = p.key;
                }
                self.state.trust_anchors.set(p.role, anchor);
            }
        }
        let outcome = ExecutionOutcome {
            seq_number: usc.control.seq_number,
            mode: usc.control.mode,
            seq_number_changes: Vec::new(),
            outcomes,
        };
        (success, outcome)
    }

    fn check_replacement(
        &self,
        r: &credentials::Replacement,
        rule: &ReplacementRule,
        path: &[Vec<u8>],
    ) -> (u8, Option<Planned>) {
        let Some(role) = device_role(r.target.role).filter(|_| (rule.may_replace)(r.target.role))
        else {
            // The root (and issuing authority) cells are outside "any except abnormal root";
            // a known remote party replaces only its own (or, the supplier, the load
            // controller's).
            return (STATUS_OTHER, None);
        };
        if self.state.trust_anchors.get(role).is_none() {
            return (STATUS_TRUST_ANCHOR_NOT_FOUND, None);
        }
        let top_up = is_top_up(r.target);
        if r.target.cell_usage.is_some_and(|u| u != 0) && !top_up {
            // The only other cell a device holds is the supplier's prepayment top-up KA cell.
            return (STATUS_TRUST_ANCHOR_NOT_FOUND, None);
        }
        let ds = match r.target.key_usage {
            KEY_USAGE_DS => true,
            KEY_USAGE_KA => false,
            _ => return (STATUS_BAD_CERTIFICATE, None),
        };
        let Ok(facts) = credentials::certificate_facts(&r.certificate) else {
            return (STATUS_BAD_CERTIFICATE, None);
        };
        if !facts
            .role
            .is_some_and(|c| cell_takes_role(r.target.role, c))
            || facts.key_usage != Some(r.target.key_usage)
        {
            return (STATUS_BAD_CERTIFICATE, None);
        }
        if !certification_path_holds(
            &r.certificate,
            path,
            rule,
            self.state.trust_anchors.root_key(),
        ) {
            return (STATUS_CERTIFICATION_PATH, None);
        }
        (
            STATUS_SUCCESS,
            Some(Planned {
                role,
                ds,
                top_up,
                eui: facts.subject_eui,
                key: facts.public_key.into(),
            }),
        )
    }
}

/// Whether a trust anchor cell of role `cell` takes an organisation certificate of role `cert`:
/// its own role's; the load controller's cells also the supplier's (the load controller may be
/// a supplier: the RTDS CS02g SUCCESS commands put the supplier's own certificates, role 2, into
/// them and the device answers success, naming the supplier as the cells' new subject). Any
/// other role's certificate is refused (`badCertificate`), nothing replaced.
pub(crate) fn cell_takes_role(cell: u8, cert: u8) -> bool {
    cell == cert
        || (cell == credentials::role::LOAD_CONTROLLER && cert == credentials::role::SUPPLIER)
}

/// Whether the certification path `path` vouches for the replacement certificate `cert`.
///
/// With a Root cell (`root`): `cert` must be issued by one of the path's certificates
/// ([`smki::verify_issued_by`]) that is itself signed by the root key
/// ([`smki::verify_signed_by_key`], ECDSA P-256 over its TBS) — for every command, the
/// Recovery's included (the RTDS `CS02gLoadControllerBySupplier_6.15.1_IMMEDIATE_ERROR` and
/// `FUTURE_DATED_ERROR` commands carry a path certificate whose signature does not verify: their
/// responses report status 10).
///
/// Without a Root cell (the state of a device placed by a world made before devices held one):
/// as before, `cert` must be issued by one of the path's certificates where `rule` says so
/// (commands of a known remote party), and nothing is checked for the Recovery's (its signature
/// vouches for the certificates); the path certificates themselves are not checked.
fn certification_path_holds(
    cert: &[u8],
    path: &[Vec<u8>],
    rule: &ReplacementRule,
    root: Option<&PublicKeyBytes>,
) -> bool {
    let Some(root) = root else {
        return !rule.check_issuer
            || path
                .iter()
                .any(|ca| smki::verify_issued_by(cert, ca).is_ok());
    };
    let Ok(root) = smki::PublicKey::from_sec1(root.as_sec1()) else {
        return false;
    };
    path.iter().any(|ca| {
        smki::verify_issued_by(cert, ca).is_ok() && smki::verify_signed_by_key(ca, &root).is_ok()
    })
}

/// Whether `cell` is the supplier's prepayment top-up KA cell (cellUsage 1).
fn is_top_up(cell: credentials::TrustAnchorCell) -> bool {
    cell.role == credentials::role::SUPPLIER
        && cell.key_usage == KEY_USAGE_KA
        && cell.cell_usage == Some(gbcs::usecases::cs02b::CELL_USAGE_TOP_UP)
}

/// The replacement status of a certificate whose certification path does not hold: not issued
/// by any of the command's certification path certificates (the RTDS
/// `CS02bSupplierBySupplier_6.15.1_IMMEDIATE_ERROR` response: its KA certificate is issued by
/// another CA than the path's), or, on a device with a Root cell, by none the root signed (the
/// RTDS `CS02gLoadControllerBySupplier_6.15.1_IMMEDIATE_ERROR` response).
pub const STATUS_CERTIFICATION_PATH: u8 = 10;

/// Which cells a command may replace, and whether, on a device without a Root cell, its
/// certificates must be issued by its certification path.
pub(crate) struct ReplacementRule {
    pub(crate) may_replace: fn(u8) -> bool,
    pub(crate) check_issuer: bool,
}

/// Whether `anchor` holds the key of the certificate `der` (in its DS or KA half, by the
/// certificate's key usage) under the certificate's subject EUI.
pub fn anchor_holds(anchor: &TrustAnchor, der: &[u8]) -> bool {
    credentials::certificate_facts(der).is_ok_and(|f| {
        let key = if f.key_usage == Some(KEY_USAGE_KA) {
            &anchor.ka_public
        } else {
            &anchor.ds_public
        };
        f.subject_eui == anchor.eui && key.key() == &f.public_key
    })
}
