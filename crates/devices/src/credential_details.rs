//! What a device says of the credentials it holds (DUIS 6.24): CS02a / CS02f (6.24.1, the
//! ACB's MAC'd command) report, per remote party role asked for, the trust anchor cells the
//! device holds — the same cells CS02b/CS02g (6.15.1, 6.21, 6.23, `crate::krp`) and the
//! Recovery command (`crate::recovery`) replace, so a read after a replacement shows the new
//! party's subject and key identifier; CS02e (6.24.2, critical) answers the device's own
//! digital signing or key agreement certificate.
//!
//! The cells of each role, as GBCS lays them out and the RTDS responses show them: the
//! supplier's digital signing, key agreement and prepayment top-up key agreement cells
//! (`cellUsage` 1; the top-up key the one UTRNs are checked with,
//! `TopUps::supplier_prepayment_ka`, else the supplier's KA key), the network operator's and
//! the load controller's digital signing and key agreement cells, the ACB's key agreement
//! cell, the recovery, WAN provider and transitional CoS parties' digital signing cells. Each
//! cell's subject is the party's EUI, its key identifier the SMKI one of the key
//! (`gbcs::credentials::key_identifier`), its current seq number the highest counter the device
//! accepted from the party. A role the device holds no anchor for (the emulated device holds no
//! root anchor) is answered "trust anchor not found" (25).
//!
//! The device's own certificates are not part of its stored state: they are the SMKI
//! repository's (placed on the device at manufacture), and the emulation hands them to the
//! device for a CS02e ([`EmulatedDevice::set_own_certificates`]). A certificate whose key is not
//! the device's own is not answered (response code 3, retrieval failure); none held, 2; a key
//! usage neither digital signature nor key agreement, 1.

use gbcs::credentials::{
    self, CellDetails, CredentialDetailsRequest, CredentialDetailsResponse,
    DeviceCertificateResponse, HeldCredentials, KEY_USAGE_DS, KEY_USAGE_KA, RemotePartyDetails,
    STATUS_SUCCESS, STATUS_TRUST_ANCHOR_NOT_FOUND, device_certificate_code as code,
};
use gbcs::usecases::cs02b::CELL_USAGE_TOP_UP;

use crate::anchors::{PublicKeyBytes, RemotePartyRole};
use crate::device::EmulatedDevice;
use crate::exec::Execution;
use crate::recovery::device_role;

/// The device's own SMKI certificates (DER), as the emulation hands them to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnCertificates {
    /// The digital signing certificate.
    pub ds: Option<Vec<u8>>,
    /// The key agreement certificate.
    pub ka: Option<Vec<u8>>,
}

impl EmulatedDevice {
    /// Hands the device its own certificates (for CS02e; not stored with its state).
    pub fn set_own_certificates(&mut self, c: OwnCertificates) {
        self.own_certificates = Some(c);
    }

    /// The cells the device holds for GBCS role `code`, in the GBCS order, with the party's
    /// current seq number; `None` when it holds no anchor for the role.
    pub fn credential_details(&self, code: u8) -> Option<HeldCredentials> {
        let role = device_role(code)?;
        let a = self.state.trust_anchors.get(role)?;
        let ds = (KEY_USAGE_DS, None, &a.ds_public);
        let ka = (KEY_USAGE_KA, None, &a.ka_public);
        let cells: Vec<(u8, Option<u8>, &PublicKeyBytes)> = match role {
            RemotePartyRole::Supplier => vec![
                ds,
                ka,
                (
                    KEY_USAGE_KA,
                    Some(CELL_USAGE_TOP_UP),
                    self.state
                        .top_ups
                        .supplier_prepayment_ka
                        .as_ref()
                        .unwrap_or(&a.ka_public),
                ),
            ],
            RemotePartyRole::NetworkOperator | RemotePartyRole::LoadController => vec![ds, ka],
            RemotePartyRole::AccessControlBroker => vec![ka],
            RemotePartyRole::Recovery
            | RemotePartyRole::Root
            | RemotePartyRole::WanProvider
            | RemotePartyRole::TransitionalCos => vec![ds],
        };
        Some(HeldCredentials {
            seq_number: self.state.last_counters.get(&a.eui).copied().unwrap_or(0),
            cells: cells
                .into_iter()
                .map(|(key_usage, cell_usage, key)| CellDetails {
                    key_usage,
                    cell_usage,
                    subject: a.eui.0,
                    key_id: credentials::key_identifier(key.key()),
                })
                .collect(),
        })
    }

    /// Executes a decoded CS02a / CS02f (the decoder has bound the roles to the use case).
    pub(crate) fn provide_credential_details(
        &self,
        c: &CredentialDetailsRequest,
    ) -> Option<Execution> {
        let parties: Vec<RemotePartyDetails> = c
            .roles
            .iter()
            .map(|&role| match self.credential_details(role) {
                Some(held) => RemotePartyDetails {
                    role,
                    status: STATUS_SUCCESS,
                    held: Some(held),
                },
                None => RemotePartyDetails {
                    role,
                    status: STATUS_TRUST_ANCHOR_NOT_FOUND,
                    held: None,
                },
            })
            .collect();
        let success = parties.iter().all(|p| p.status == STATUS_SUCCESS);
        Some(Execution::Done {
            content: CredentialDetailsResponse(parties).encode(),
            date_time: None,
            success,
        })
    }

    /// Executes a decoded CS02e: the certificate of the key usage asked for.
    pub(crate) fn provide_device_certificate(&self, key_usage: u8) -> Option<Execution> {
        let own = self.own_certificates.clone().unwrap_or_default();
        // A certificate CS02d placed (6.15.2) is the device's own from then on.
        let placed = self.state.config.credentials.signing.as_ref();
        let (held, key) = match key_usage {
            KEY_USAGE_DS => (
                placed.map(|p| p.certificate.clone()).or(own.ds),
                self.ds_public_key().ok(),
            ),
            KEY_USAGE_KA => (own.ka, self.ka_public_key().ok()),
            _ => (None, None),
        };
        let answer = match (key_usage, held, key) {
            (KEY_USAGE_DS | KEY_USAGE_KA, Some(der), Some(key)) => {
                match gbcs::PublicKey::from_certificate_der(&der) {
                    Ok(k) if k == *key.key() => DeviceCertificateResponse::Certificate(der),
                    _ => DeviceCertificateResponse::Code(code::RETRIEVAL_FAILURE),
                }
            }
            (KEY_USAGE_DS | KEY_USAGE_KA, None, _) => {
                DeviceCertificateResponse::Code(code::NO_CERTIFICATE_HELD)
            }
            (KEY_USAGE_DS | KEY_USAGE_KA, Some(_), None) => {
                DeviceCertificateResponse::Code(code::RETRIEVAL_FAILURE)
            }
            _ => DeviceCertificateResponse::Code(code::INVALID_KEY_USAGE),
        };
        let success = matches!(answer, DeviceCertificateResponse::Certificate(_));
        Some(Execution::Done {
            content: answer.encode(),
            date_time: None,
            success,
        })
    }
}
