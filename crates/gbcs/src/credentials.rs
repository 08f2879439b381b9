//! CS02b "Update Security Credentials": the ASN.1 command that replaces trust anchors on a
//! device, its response, and the builder of the command the DCC's Recovery key authorises
//! (message code 0x0108, `CS02bAnyExceptAbnormalRootByRecovery`).
//!
//! Layout (as the RTDS vector `CS02bAnyExceptAbnormalRootByRecovery_NA_SUCCESS` shows):
//!
//! ```text
//! UpdateSecurityCredentials ::= SEQUENCE {
//!   authorisingRemotePartyControl SEQUENCE {
//!     credentialsReplacementMode           INTEGER,            -- 8 = anyExceptAbnormalRootByRecovery
//!     plaintextSymmetricKey            [0] OCTET STRING OPTIONAL,
//!     applyTimeBasedCPVChecks          [1] INTEGER OPTIONAL,   -- 0 apply, 1 disapply
//!     authorisingRemotePartyTACellIdentifier [2] TrustAnchorCellIdentifier OPTIONAL,
//!     authorisingRemotePartySeqNumber  [3] INTEGER,            -- = the GBCS originator counter
//!     newRemotePartyFloorSeqNumber     [4] INTEGER OPTIONAL,
//!     newRemotePartySpecialistFloorSeqNumber [5] SEQUENCE OF … OPTIONAL,
//!     otherRemotePartySeqNumberChanges [6] SEQUENCE OF RemotePartySeqNumberChange OPTIONAL },
//!   replacements SEQUENCE OF SEQUENCE { replacementCertificate Certificate,
//!                                       targetTrustAnchorCell TrustAnchorCellIdentifier },
//!   certificationPathCertificates SEQUENCE OF Certificate,
//!   executionDateTime GeneralizedTime OPTIONAL }
//! TrustAnchorCellIdentifier ::= SEQUENCE { remotePartyRole INTEGER, keyUsage BIT STRING,
//!                                          cellUsage INTEGER OPTIONAL }
//! ```
//!
//! The command travels as a bare General-Signing APDU (no ACB MAC), signed by the Recovery key.

use eui::Eui64;

use crate::asn1::{TAG_INTEGER, TAG_NULL, TAG_OCTET_STRING, TAG_SEQUENCE, Tlv, TlvValue};
use crate::codes::{Cra, MessageCode};
use crate::crypto::SigningKey;
use crate::error::{BuildError, DecodeError};
use crate::frame::{GeneralSigning, OtherInfo, SignatureField};

/// Message code of CS02b authorised by the Recovery key.
pub const CS02B_BY_RECOVERY: MessageCode = MessageCode(0x0108);

/// `credentialsReplacementMode` anyExceptAbnormalRootByRecovery.
pub const MODE_ANY_EXCEPT_ABNORMAL_ROOT_BY_RECOVERY: u8 = 8;

/// Remote party role codes of a trust anchor cell (GBCS RemotePartyRole).
pub mod role {
    /// Root.
    pub const ROOT: u8 = 0;
    /// Recovery.
    pub const RECOVERY: u8 = 1;
    /// Supplier.
    pub const SUPPLIER: u8 = 2;
    /// Network operator.
    pub const NETWORK_OPERATOR: u8 = 3;
    /// Access control broker.
    pub const ACCESS_CONTROL_BROKER: u8 = 4;
    /// Transitional change of supplier.
    pub const TRANSITIONAL_COS: u8 = 5;
    /// WAN provider.
    pub const WAN_PROVIDER: u8 = 6;
    /// Load controller (signs ECS47e; its credentials replaced by CS02g).
    pub const LOAD_CONTROLLER: u8 = 8;
}

/// keyUsage bit of a digital-signing cell (`03 02 07 80`).
pub const KEY_USAGE_DS: u8 = 0x80;
/// keyUsage bit of a key-agreement cell (`03 02 03 08`).
pub const KEY_USAGE_KA: u8 = 0x08;

/// StatusCode `success` in a replacement outcome.
pub const STATUS_SUCCESS: u8 = 0;
/// StatusCode `badCertificate`.
pub const STATUS_BAD_CERTIFICATE: u8 = 5;
/// StatusCode `trustAnchorNotFound`.
pub const STATUS_TRUST_ANCHOR_NOT_FOUND: u8 = 25;
/// StatusCode `other`.
pub const STATUS_OTHER: u8 = 127;

const TAG_BIT_STRING: u8 = 0x03;
const TAG_ENUMERATED: u8 = 0x0A;

/// One trust anchor cell: which party, which key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TrustAnchorCell {
    /// GBCS remote party role code (see [`role`]).
    pub role: u8,
    /// The single keyUsage octet ([`KEY_USAGE_DS`] or [`KEY_USAGE_KA`]).
    pub key_usage: u8,
    /// `cellUsage` (0 management, 1 prepayment top-up) when written.
    pub cell_usage: Option<u8>,
}

impl TrustAnchorCell {
    /// The management cell of `role` for `key_usage`.
    pub fn new(role: u8, key_usage: u8) -> Self {
        Self {
            role,
            key_usage,
            cell_usage: None,
        }
    }

    fn to_tlv(self) -> Tlv {
        let mut v = vec![int(u64::from(self.role)), key_usage_tlv(self.key_usage)];
        if let Some(c) = self.cell_usage {
            v.push(int(u64::from(c)));
        }
        Tlv::constructed(TAG_SEQUENCE, v)
    }

    fn from_children(c: &[Tlv]) -> Result<Self, DecodeError> {
        let role = small(get(c, 0, TAG_INTEGER, "cell role")?, "cell role")?;
        let key_usage = key_usage_of(get(c, 1, TAG_BIT_STRING, "cell key usage")?)?;
        let cell_usage = match c.get(2) {
            Some(_) => Some(small(get(c, 2, TAG_INTEGER, "cell usage")?, "cell usage")?),
            None => None,
        };
        if c.len() > 3 {
            return Err(invalid("trust anchor cell"));
        }
        Ok(Self {
            role,
            key_usage,
            cell_usage,
        })
    }
}

/// A floor sequence number for a specialist usage (prepayment top-up).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SpecialistSeqNumber {
    /// `seqNumberUsage` (0 prepayment top-up).
    pub usage: u8,
    /// The floor.
    pub seq_number: u64,
}

/// A change of the floor counter the device accepts from one remote party.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SeqNumberChange {
    /// GBCS remote party role code.
    pub role: u8,
    /// New floor: the device accepts counters above it.
    pub floor: u64,
    /// Specialist floors, when written.
    pub specialist: Option<Vec<SpecialistSeqNumber>>,
}

impl SeqNumberChange {
    fn to_tlv(&self) -> Tlv {
        let mut v = vec![int(u64::from(self.role)), int(self.floor)];
        if let Some(s) = &self.specialist {
            v.push(specialists_tlv(TAG_SEQUENCE, s));
        }
        Tlv::constructed(TAG_SEQUENCE, v)
    }

    fn from_tlv(t: &Tlv) -> Result<Self, DecodeError> {
        let c = seq(t, TAG_SEQUENCE, "seq number change")?;
        let role = small(get(c, 0, TAG_INTEGER, "role")?, "role")?;
        let floor = uint(
            get(c, 1, TAG_INTEGER, "floor seq number")?,
            "floor seq number",
        )?;
        let specialist = match c.get(2) {
            Some(t) => Some(specialists_of(t, TAG_SEQUENCE)?),
            None => None,
        };
        if c.len() > 3 {
            return Err(invalid("seq number change"));
        }
        Ok(Self {
            role,
            floor,
            specialist,
        })
    }
}

/// `authorisingRemotePartyControl`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuthorisingControl {
    /// `credentialsReplacementMode`.
    pub mode: u8,
    /// `[0] plaintextSymmetricKey`.
    pub plaintext_symmetric_key: Option<Vec<u8>>,
    /// `[1] applyTimeBasedCPVChecks` (0 apply, 1 disapply).
    pub apply_time_based_cpv_checks: Option<u8>,
    /// `[2] authorisingRemotePartyTACellIdentifier`.
    pub authorising_cell: Option<TrustAnchorCell>,
    /// `[3] authorisingRemotePartySeqNumber`: equals the GBCS originator counter.
    pub seq_number: u64,
    /// `[4] newRemotePartyFloorSeqNumber`.
    pub new_floor: Option<u64>,
    /// `[5] newRemotePartySpecialistFloorSeqNumber`.
    pub new_specialist_floor: Option<Vec<SpecialistSeqNumber>>,
    /// `[6] otherRemotePartySeqNumberChanges`.
    pub other_changes: Option<Vec<SeqNumberChange>>,
}

/// One `TrustAnchorReplacement`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Replacement {
    /// The replacement certificate, DER.
    pub certificate: Vec<u8>,
    /// The cell it goes in.
    pub target: TrustAnchorCell,
}

/// The CS02b command content.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UpdateSecurityCredentials {
    /// Authorising party control.
    pub control: AuthorisingControl,
    /// The replacements, in order.
    pub replacements: Vec<Replacement>,
    /// Certification path certificates, DER.
    pub certification_path: Vec<Vec<u8>>,
    /// `executionDateTime` (GeneralizedTime content), when future-dated.
    pub execution_date_time: Option<Vec<u8>>,
}

impl UpdateSecurityCredentials {
    /// The DER encoding.
    pub fn encode(&self) -> Vec<u8> {
        let c = &self.control;
        let mut ctl = vec![int(u64::from(c.mode))];
        if let Some(k) = &c.plaintext_symmetric_key {
            ctl.push(Tlv::primitive(0x80, k.clone()));
        }
        if let Some(a) = c.apply_time_based_cpv_checks {
            ctl.push(Tlv::primitive(0x81, int_bytes(u64::from(a))));
        }
        if let Some(cell) = c.authorising_cell {
            let mut t = cell.to_tlv();
            t.tag = vec![0xA2];
            ctl.push(t);
        }
        ctl.push(Tlv::primitive(0x83, int_bytes(c.seq_number)));
        if let Some(f) = c.new_floor {
            ctl.push(Tlv::primitive(0x84, int_bytes(f)));
        }
        if let Some(s) = &c.new_specialist_floor {
            ctl.push(specialists_tlv(0xA5, s));
        }
        if let Some(o) = &c.other_changes {
            ctl.push(Tlv::constructed(
                0xA6,
                o.iter().map(SeqNumberChange::to_tlv).collect(),
            ));
        }
        let mut out = Vec::new();
        let mut body = Vec::new();
        Tlv::constructed(TAG_SEQUENCE, ctl).encode_into(&mut body);
        let mut reps = Vec::new();
        for r in &self.replacements {
            let mut inner = r.certificate.clone();
            r.target.to_tlv().encode_into(&mut inner);
            der_wrap(TAG_SEQUENCE, &inner, &mut reps);
        }
        der_wrap(TAG_SEQUENCE, &reps, &mut body);
        let path: Vec<u8> = self.certification_path.concat();
        der_wrap(TAG_SEQUENCE, &path, &mut body);
        if let Some(t) = &self.execution_date_time {
            Tlv::primitive(0x18, t.clone()).encode_into(&mut body);
        }
        der_wrap(TAG_SEQUENCE, &body, &mut out);
        out
    }

    /// Decodes the command content.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let top = Tlv::decode(bytes)?;
        let c = seq(&top, TAG_SEQUENCE, "update security credentials")?;
        let ctl = seq(
            c.first().ok_or(invalid("authorising control"))?,
            TAG_SEQUENCE,
            "authorising control",
        )?;
        let mode = small(
            get(ctl, 0, TAG_INTEGER, "replacement mode")?,
            "replacement mode",
        )?;
        let mut control = AuthorisingControl {
            mode,
            plaintext_symmetric_key: None,
            apply_time_based_cpv_checks: None,
            authorising_cell: None,
            seq_number: 0,
            new_floor: None,
            new_specialist_floor: None,
            other_changes: None,
        };
        let mut have_seq = false;
        let mut last_tag = 0u8;
        for t in ctl.iter().skip(1) {
            let tag = t.first_tag_byte().unwrap_or(0);
            // Context tags are in ascending order, each at most once.
            if tag & 0x1F <= last_tag & 0x1F && last_tag != 0 {
                return Err(invalid("authorising control field order"));
            }
            last_tag = tag;
            match tag {
                0x80 => control.plaintext_symmetric_key = Some(prim(t)?.to_vec()),
                0x81 => {
                    control.apply_time_based_cpv_checks = Some(small(t, "applyTimeBasedCPVChecks")?)
                }
                0xA2 => {
                    control.authorising_cell = Some(TrustAnchorCell::from_children(seq(
                        t,
                        0xA2,
                        "authorising cell",
                    )?)?)
                }
                0x83 => {
                    control.seq_number = uint(t, "authorising seq number")?;
                    have_seq = true;
                }
                0x84 => control.new_floor = Some(uint(t, "new floor seq number")?),
                0xA5 => control.new_specialist_floor = Some(specialists_of(t, 0xA5)?),
                0xA6 => {
                    control.other_changes = Some(
                        seq(t, 0xA6, "other seq number changes")?
                            .iter()
                            .map(SeqNumberChange::from_tlv)
                            .collect::<Result<_, _>>()?,
                    )
                }
                _ => return Err(invalid("authorising control field")),
            }
        }
        if !have_seq {
            return Err(invalid("authorising seq number (missing)"));
        }
        let reps = seq(
            c.get(1).ok_or(invalid("replacements"))?,
            TAG_SEQUENCE,
            "replacements",
        )?;
        let mut replacements = Vec::new();
        for r in reps {
            let rc = seq(r, TAG_SEQUENCE, "trust anchor replacement")?;
            if rc.len() != 2 {
                return Err(invalid("trust anchor replacement"));
            }
            let cert = get(rc, 0, TAG_SEQUENCE, "replacement certificate")?;
            let target = TrustAnchorCell::from_children(seq(
                get(rc, 1, TAG_SEQUENCE, "target cell")?,
                TAG_SEQUENCE,
                "target cell",
            )?)?;
            replacements.push(Replacement {
                certificate: cert.encode(),
                target,
            });
        }
        let path = seq(
            c.get(2).ok_or(invalid("certification path"))?,
            TAG_SEQUENCE,
            "certification path",
        )?;
        let certification_path = path.iter().map(Tlv::encode).collect();
        let execution_date_time = match c.get(3) {
            Some(t) if t.first_tag_byte() == Some(0x18) => Some(prim(t)?.to_vec()),
            Some(_) => return Err(invalid("execution date-time")),
            None => None,
        };
        if c.len() > 4 {
            return Err(invalid("update security credentials"));
        }
        Ok(Self {
            control,
            replacements,
            certification_path,
            execution_date_time,
        })
    }
}

/// One `ReplacementOutcome` of the response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReplacementOutcome {
    /// The cell concerned.
    pub cell: TrustAnchorCell,
    /// StatusCode (0 success).
    pub status: u8,
    /// Subject unique id (EUI) of the certificate that was in the cell.
    pub existing_subject: Vec<u8>,
    /// Subject key identifier of the certificate that was in the cell.
    pub existing_key_id: Vec<u8>,
    /// Subject unique id of the replacement.
    pub replacing_subject: Vec<u8>,
    /// Subject key identifier of the replacement.
    pub replacing_key_id: Vec<u8>,
}

/// The response's execution outcome.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExecutionOutcome {
    /// The authorising seq number of the command.
    pub seq_number: u64,
    /// The command's replacement mode.
    pub mode: u8,
    /// Floor changes the device applied.
    pub seq_number_changes: Vec<SeqNumberChange>,
    /// One per replacement.
    pub outcomes: Vec<ReplacementOutcome>,
}

impl ExecutionOutcome {
    /// Whether every replacement succeeded.
    pub fn all_succeeded(&self) -> bool {
        !self.outcomes.is_empty() && self.outcomes.iter().all(|o| o.status == STATUS_SUCCESS)
    }

    /// The DER element (as the CS02b response and the future-dated outcome alert carry it).
    pub fn to_tlv(&self) -> Tlv {
        let o = self;
        let outcomes = o
            .outcomes
            .iter()
            .map(|r| {
                Tlv::constructed(
                    TAG_SEQUENCE,
                    vec![
                        r.cell.to_tlv(),
                        Tlv::primitive(TAG_ENUMERATED, vec![r.status]),
                        Tlv::primitive(TAG_OCTET_STRING, r.existing_subject.clone()),
                        Tlv::primitive(TAG_OCTET_STRING, r.existing_key_id.clone()),
                        Tlv::primitive(TAG_OCTET_STRING, r.replacing_subject.clone()),
                        Tlv::primitive(TAG_OCTET_STRING, r.replacing_key_id.clone()),
                    ],
                )
            })
            .collect();
        Tlv::constructed(
            TAG_SEQUENCE,
            vec![
                int(o.seq_number),
                int(u64::from(o.mode)),
                Tlv::constructed(
                    TAG_SEQUENCE,
                    o.seq_number_changes
                        .iter()
                        .map(SeqNumberChange::to_tlv)
                        .collect(),
                ),
                Tlv::constructed(TAG_SEQUENCE, outcomes),
            ],
        )
    }

    /// The content of the future-dated outcome alert (`8F66` executed, `8F67` failed) of a
    /// CS02b/CS02g command: `SEQUENCE { INTEGER alert-code, GeneralizedTime execution-time,
    /// ExecutionOutcome }`, as the RTDS CS02b/CS02g 8F66/8F67 vectors carry it (the alert's
    /// message code: [`ALERT_MESSAGE_CS02B`] or [`ALERT_MESSAGE_CS02G`]).
    /// Lengths above 127 are written in the two-octet long form (`82 00 DE`), as the devices
    /// that made the RTDS alerts write them.
    pub fn future_dated_alert_content(&self, alert_code: u16, execution_time: &[u8]) -> Vec<u8> {
        device_lengths(Tlv::constructed(
            TAG_SEQUENCE,
            vec![
                int(u64::from(alert_code)),
                Tlv::primitive(0x18, execution_time.to_vec()),
                self.to_tlv(),
            ],
        ))
        .encode()
    }
}

/// The message code of a CS02b future-dated outcome alert (every party but the load controller).
pub const ALERT_MESSAGE_CS02B: u16 = 0x00CB;
/// The message code of a CS02g (load controller's cells) future-dated outcome alert.
pub const ALERT_MESSAGE_CS02G: u16 = 0x0124;

/// The CS02b response content: `SEQUENCE { NULL, ExecutionOutcome OPTIONAL }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UpdateSecurityCredentialsResponse {
    /// The outcome (absent for a future-dated command, which reports by alert).
    pub outcome: Option<ExecutionOutcome>,
}

impl UpdateSecurityCredentialsResponse {
    /// The DER encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = vec![Tlv::primitive(TAG_NULL, Vec::new())];
        if let Some(o) = &self.outcome {
            v.push(o.to_tlv());
        }
        Tlv::constructed(TAG_SEQUENCE, v).encode()
    }

    /// Decodes the response content.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let top = Tlv::decode(bytes)?;
        let c = seq(&top, TAG_SEQUENCE, "update security credentials response")?;
        get(c, 0, TAG_NULL, "command accepted")?;
        let outcome = match c.get(1) {
            None => None,
            Some(t) => {
                let o = seq(t, TAG_SEQUENCE, "execution outcome")?;
                if o.len() != 4 {
                    return Err(invalid("execution outcome"));
                }
                let seq_number = uint(get(o, 0, TAG_INTEGER, "seq number")?, "seq number")?;
                let mode = small(get(o, 1, TAG_INTEGER, "mode")?, "mode")?;
                let seq_number_changes = seq(
                    get(o, 2, TAG_SEQUENCE, "seq number changes")?,
                    TAG_SEQUENCE,
                    "seq number changes",
                )?
                .iter()
                .map(SeqNumberChange::from_tlv)
                .collect::<Result<_, _>>()?;
                let mut outcomes = Vec::new();
                for r in seq(
                    get(o, 3, TAG_SEQUENCE, "replacement outcomes")?,
                    TAG_SEQUENCE,
                    "replacement outcomes",
                )? {
                    let f = seq(r, TAG_SEQUENCE, "replacement outcome")?;
                    if f.len() != 6 {
                        return Err(invalid("replacement outcome"));
                    }
                    let cell = TrustAnchorCell::from_children(seq(
                        get(f, 0, TAG_SEQUENCE, "affected cell")?,
                        TAG_SEQUENCE,
                        "affected cell",
                    )?)?;
                    let status = small(get(f, 1, TAG_ENUMERATED, "status")?, "status")?;
                    let octets = |i: usize, what: &'static str| -> Result<Vec<u8>, DecodeError> {
                        Ok(prim(get(f, i, TAG_OCTET_STRING, what)?)?.to_vec())
                    };
                    outcomes.push(ReplacementOutcome {
                        cell,
                        status,
                        existing_subject: octets(2, "existing subject")?,
                        existing_key_id: octets(3, "existing key id")?,
                        replacing_subject: octets(4, "replacing subject")?,
                        replacing_key_id: octets(5, "replacing key id")?,
                    });
                }
                Some(ExecutionOutcome {
                    seq_number,
                    mode,
                    seq_number_changes,
                    outcomes,
                })
            }
        };
        if c.len() > 2 {
            return Err(invalid("update security credentials response"));
        }
        Ok(Self { outcome })
    }
}

/// The parts of a replacement certificate a device needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFacts {
    /// Subject unique identifier (the party's EUI-64).
    pub subject_eui: Eui64,
    /// Subject OU: the SMKI remote party role code (`"01"` recovery …).
    pub role: Option<u8>,
    /// Subject key identifier.
    pub key_id: Vec<u8>,
    /// The keyUsage octet ([`KEY_USAGE_DS`], [`KEY_USAGE_KA`]).
    pub key_usage: Option<u8>,
    /// The public key (uncompressed SEC1 point).
    pub public_key: crate::crypto::PublicKey,
}

const OID_OU: &[u8] = &[0x55, 0x04, 0x0B];
const OID_UNIQUE_ID: &[u8] = &[0x55, 0x04, 0x2D];
const OID_SKI: &[u8] = &[0x55, 0x1D, 0x0E];
const OID_KEY_USAGE: &[u8] = &[0x55, 0x1D, 0x0F];

/// Reads subject EUI, role, key identifier, key usage and public key from an SMKI organisation
/// certificate (DER). Does not verify the certificate's signature.
pub fn certificate_facts(der: &[u8]) -> Result<CertificateFacts, DecodeError> {
    let cert = Tlv::decode(der)?;
    let c = seq(&cert, TAG_SEQUENCE, "certificate")?;
    let tbs = seq(
        c.first().ok_or(invalid("tbsCertificate"))?,
        TAG_SEQUENCE,
        "tbsCertificate",
    )?;
    let off = usize::from(tbs.first().and_then(Tlv::first_tag_byte) == Some(0xA0));
    // serial, signature, issuer, validity, subject, spki
    let subject = seq(
        tbs.get(off + 4).ok_or(invalid("subject"))?,
        TAG_SEQUENCE,
        "subject",
    )?;
    let mut eui = None;
    let mut role = None;
    for rdn in subject {
        for atv in seq(rdn, 0x31, "subject RDN")? {
            let f = seq(atv, TAG_SEQUENCE, "subject attribute")?;
            let oid = prim(f.first().ok_or(invalid("attribute type"))?)?;
            let val = prim(f.get(1).ok_or(invalid("attribute value"))?)?;
            if oid == OID_UNIQUE_ID {
                let b = val.get(1..).ok_or(invalid("unique identifier"))?;
                let a: [u8; 8] = b.try_into().map_err(|_| invalid("unique identifier"))?;
                eui = Some(Eui64(a));
            } else if oid == OID_OU {
                role = std::str::from_utf8(val)
                    .ok()
                    .and_then(|s| u8::from_str_radix(s, 16).ok());
            }
        }
    }
    let subject_eui = eui.ok_or(invalid("subject unique identifier (missing)"))?;
    let mut key_id = Vec::new();
    let mut key_usage = None;
    if let Some(ext) = tbs.iter().find(|t| t.first_tag_byte() == Some(0xA3)) {
        let list = seq(ext, 0xA3, "extensions")?;
        let list = seq(
            list.first().ok_or(invalid("extensions"))?,
            TAG_SEQUENCE,
            "extensions",
        )?;
        for e in list {
            let f = seq(e, TAG_SEQUENCE, "extension")?;
            let oid = prim(f.first().ok_or(invalid("extension id"))?)?;
            let value = prim(f.last().ok_or(invalid("extension value"))?)?;
            if oid == OID_SKI {
                key_id = prim(&Tlv::decode(value)?)?.to_vec();
            } else if oid == OID_KEY_USAGE {
                key_usage = Some(key_usage_of(&Tlv::decode(value)?)?);
            }
        }
    }
    let public_key = crate::crypto::PublicKey::from_certificate_der(der)
        .map_err(|_| invalid("subject public key"))?;
    Ok(CertificateFacts {
        subject_eui,
        role,
        key_id,
        key_usage,
        public_key,
    })
}

/// The key-agreement certificate of an unknown remote party (URP): a DUIS log read may carry
/// the requester's certificate (`KAPublicSecurityCredentials`), which the ACB puts into the
/// command's other-information ([`crate::OtherInfoExt::Certificate`]) and the device encrypts
/// its sensitive answer to. The one check both sides make: exactly one DER SEQUENCE (so that the
/// other-information decodes back to the certificate form), an SMKI organisation certificate's
/// subject (x500UniqueIdentifier, OID 2.5.4.45), keyUsage exactly keyAgreement, and a P-256
/// public key. The certificate's signature and validity are not checked: the key is used only to
/// encrypt to, and the ACB vouches for the command (it is the device's trust anchor).
pub fn unknown_remote_party_certificate(der: &[u8]) -> Result<CertificateFacts, DecodeError> {
    if !crate::frame::is_single_der_sequence(der) {
        return Err(invalid("certificate (not exactly one DER SEQUENCE)"));
    }
    let facts = certificate_facts(der)?;
    if facts.key_usage != Some(KEY_USAGE_KA) {
        return Err(invalid("certificate key usage (not keyAgreement)"));
    }
    Ok(facts)
}

/// What the Recovery key's CS02b command replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryCommand {
    /// The Recovery party (originator system title).
    pub recovery: Eui64,
    /// The device.
    pub device: Eui64,
    /// The originator counter (also the authorising seq number); strictly increasing per device.
    pub counter: u64,
    /// The replacements.
    pub replacements: Vec<Replacement>,
    /// Floor changes for other remote parties.
    pub other_changes: Option<Vec<SeqNumberChange>>,
    /// New floor for the authorising party.
    pub new_floor: Option<u64>,
    /// `applyTimeBasedCPVChecks` (the RTDS vector disapplies them: 1).
    pub apply_time_based_cpv_checks: Option<u8>,
    /// Certification path certificates, DER.
    pub certification_path: Vec<Vec<u8>>,
}

impl RecoveryCommand {
    /// The command content.
    pub fn content(&self) -> UpdateSecurityCredentials {
        UpdateSecurityCredentials {
            control: AuthorisingControl {
                mode: MODE_ANY_EXCEPT_ABNORMAL_ROOT_BY_RECOVERY,
                plaintext_symmetric_key: None,
                apply_time_based_cpv_checks: self.apply_time_based_cpv_checks,
                authorising_cell: Some(TrustAnchorCell::new(role::RECOVERY, KEY_USAGE_DS)),
                seq_number: self.counter,
                new_floor: self.new_floor,
                new_specialist_floor: None,
                other_changes: self.other_changes.clone(),
            },
            replacements: self.replacements.clone(),
            certification_path: self.certification_path.clone(),
            execution_date_time: None,
        }
    }

    /// The signed General-Signing APDU (`DF …`, no MAC wrapper), signed by the Recovery key.
    pub fn build(&self, recovery_key: &SigningKey) -> Result<GeneralSigning, BuildError> {
        if self.replacements.is_empty() {
            return Err(BuildError::OutOfRange(
                "a recovery command replaces at least one anchor",
            ));
        }
        let apdu = GeneralSigning {
            cra: Cra::Command,
            counter: self.counter,
            originator: self.recovery,
            recipient: self.device,
            date_time: None,
            other_info: OtherInfo::code(CS02B_BY_RECOVERY),
            content: self.content().encode(),
            signature: SignatureField::Unsigned,
        };
        Ok(apdu.sign(recovery_key)?)
    }
}

// --- CS02a / CS02f: Provide Security Credential Details ---------------------------------------

/// `ProvideSecurityCredentialDetailsCommand` (CS02a, CS02f):
///
/// ```text
/// SEQUENCE { authorisingRemotePartyTACellIdentifier TrustAnchorCellIdentifier,
///            remotePartyRolesCredentialsRequired    SEQUENCE OF RemotePartyRole }
/// ```
///
/// The authorising cell is the originator's: the ACB's key-agreement cell for the MAC'd form
/// (the RTDS `CS02aMAC` / `CS02fMAC` vectors, `30 07 02 01 04 03 02 03 08`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CredentialDetailsRequest {
    /// `authorisingRemotePartyTACellIdentifier`.
    pub authorising_cell: TrustAnchorCell,
    /// The remote party roles whose cells are asked for, in order (GBCS role codes, [`role`]).
    pub roles: Vec<u8>,
}

impl CredentialDetailsRequest {
    /// The DER encoding.
    pub fn encode(&self) -> Vec<u8> {
        Tlv::constructed(
            TAG_SEQUENCE,
            vec![
                self.authorising_cell.to_tlv(),
                Tlv::constructed(
                    TAG_SEQUENCE,
                    self.roles.iter().map(|&r| int(u64::from(r))).collect(),
                ),
            ],
        )
        .encode()
    }

    /// Decodes the command content: exactly the two members, at least one role, no role twice.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let top = Tlv::decode(bytes)?;
        let c = seq(&top, TAG_SEQUENCE, "provide security credential details")?;
        let [cell, roles] = c else {
            return Err(invalid("provide security credential details"));
        };
        let authorising_cell =
            TrustAnchorCell::from_children(seq(cell, TAG_SEQUENCE, "authorising cell")?)?;
        let roles = seq(roles, TAG_SEQUENCE, "remote party roles")?
            .iter()
            .map(|t| {
                small(
                    expect(t, TAG_INTEGER, "remote party role")?,
                    "remote party role",
                )
            })
            .collect::<Result<Vec<u8>, _>>()?;
        if roles.is_empty() {
            return Err(invalid("remote party roles (none)"));
        }
        if roles
            .iter()
            .enumerate()
            .any(|(i, r)| roles[..i].contains(r))
        {
            return Err(invalid("remote party roles (one asked twice)"));
        }
        Ok(Self {
            authorising_cell,
            roles,
        })
    }
}

/// One `TrustAnchorCellContents` of a credential details response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CellDetails {
    /// The cell's keyUsage octet ([`KEY_USAGE_DS`], [`KEY_USAGE_KA`]).
    pub key_usage: u8,
    /// `cellUsage`, when not management (the supplier's prepayment top-up KA cell: 1).
    pub cell_usage: Option<u8>,
    /// Subject unique identifier (the party's EUI-64) of the certificate in the cell.
    pub subject: [u8; 8],
    /// Subject key identifier of the certificate in the cell.
    pub key_id: [u8; 8],
}

/// What a device holds for one party: its current seq number and its cells.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HeldCredentials {
    /// `currentSeqNumber`: the highest counter the device accepted from the party (its floor).
    pub seq_number: u64,
    /// The party's cells, in the device's order.
    pub cells: Vec<CellDetails>,
}

/// One `RemotePartyDetails` of the response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RemotePartyDetails {
    /// The GBCS role code asked for.
    pub role: u8,
    /// StatusCode ([`STATUS_SUCCESS`], [`STATUS_TRUST_ANCHOR_NOT_FOUND`], [`STATUS_OTHER`] …).
    pub status: u8,
    /// The party's credentials: present exactly when the status is success.
    pub held: Option<HeldCredentials>,
}

/// `ProvideSecurityCredentialDetailsResponse ::= SEQUENCE OF RemotePartyDetails`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CredentialDetailsResponse(pub Vec<RemotePartyDetails>);

impl CredentialDetailsResponse {
    /// The DER encoding.
    pub fn encode(&self) -> Vec<u8> {
        let parties = self
            .0
            .iter()
            .map(|p| {
                let mut v = vec![
                    int(u64::from(p.role)),
                    Tlv::primitive(TAG_ENUMERATED, vec![p.status]),
                ];
                if let Some(h) = &p.held {
                    v.push(int(h.seq_number));
                    v.push(Tlv::constructed(
                        TAG_SEQUENCE,
                        h.cells
                            .iter()
                            .map(|c| {
                                let mut f = vec![key_usage_tlv(c.key_usage)];
                                if let Some(u) = c.cell_usage {
                                    f.push(int(u64::from(u)));
                                }
                                f.push(Tlv::primitive(TAG_OCTET_STRING, c.subject.to_vec()));
                                f.push(Tlv::primitive(TAG_OCTET_STRING, c.key_id.to_vec()));
                                Tlv::constructed(TAG_SEQUENCE, f)
                            })
                            .collect(),
                    ));
                }
                Tlv::constructed(TAG_SEQUENCE, v)
            })
            .collect();
        Tlv::constructed(TAG_SEQUENCE, parties).encode()
    }

    /// Decodes the response (the long length forms devices write accepted): every party's role
    /// and status; a success carries the seq number and at least one cell, a failure nothing
    /// more; each cell its key usage (digital signature or key agreement), an optional cell
    /// usage, an 8-octet subject and an 8-octet key identifier.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let top = Tlv::decode(bytes)?;
        let mut parties = Vec::new();
        for p in seq(&top, TAG_SEQUENCE, "credential details response")? {
            let f = seq(p, TAG_SEQUENCE, "remote party details")?;
            let role = small(get(f, 0, TAG_INTEGER, "role")?, "role")?;
            let status = small(get(f, 1, TAG_ENUMERATED, "status")?, "status")?;
            let held = match f.len() {
                2 if status != STATUS_SUCCESS => None,
                4 if status == STATUS_SUCCESS => {
                    let seq_number = uint(get(f, 2, TAG_INTEGER, "seq number")?, "seq number")?;
                    let mut cells = Vec::new();
                    for c in seq(get(f, 3, TAG_SEQUENCE, "cells")?, TAG_SEQUENCE, "cells")? {
                        cells.push(cell_details(seq(c, TAG_SEQUENCE, "cell contents")?)?);
                    }
                    if cells.is_empty() {
                        return Err(invalid("cells (none)"));
                    }
                    Some(HeldCredentials { seq_number, cells })
                }
                _ => return Err(invalid("remote party details")),
            };
            parties.push(RemotePartyDetails { role, status, held });
        }
        if parties.is_empty() {
            return Err(invalid("credential details response (empty)"));
        }
        Ok(Self(parties))
    }
}

fn cell_details(f: &[Tlv]) -> Result<CellDetails, DecodeError> {
    let key_usage = key_usage_of(get(f, 0, TAG_BIT_STRING, "cell key usage")?)?;
    if key_usage != KEY_USAGE_DS && key_usage != KEY_USAGE_KA {
        return Err(invalid("cell key usage"));
    }
    let (cell_usage, rest) = match f.get(1).and_then(Tlv::first_tag_byte) {
        Some(TAG_INTEGER) => (
            Some(small(get(f, 1, TAG_INTEGER, "cell usage")?, "cell usage")?),
            2,
        ),
        _ => (None, 1),
    };
    if f.len() != rest + 2 {
        return Err(invalid("cell contents"));
    }
    let eight = |i: usize, what: &'static str| -> Result<[u8; 8], DecodeError> {
        prim(get(f, i, TAG_OCTET_STRING, what)?)?
            .try_into()
            .map_err(|_| invalid(what))
    };
    Ok(CellDetails {
        key_usage,
        cell_usage,
        subject: eight(rest, "cell subject unique id")?,
        key_id: eight(rest + 1, "cell subject key id")?,
    })
}

// --- CS02e: Provide Device Certificate from Device -------------------------------------------

/// CS02e response codes (when the device answers no certificate).
pub mod device_certificate_code {
    /// The key usage asked for is neither digital signature nor key agreement.
    pub const INVALID_KEY_USAGE: u8 = 1;
    /// The device holds no certificate for that key usage.
    pub const NO_CERTIFICATE_HELD: u8 = 2;
    /// The certificate could not be read.
    pub const RETRIEVAL_FAILURE: u8 = 3;
}

/// `ProvideDeviceCertificateCommand ::= SEQUENCE { keyUsage KeyUsage }` (CS02e).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeviceCertificateRequest {
    /// The keyUsage octet asked for ([`KEY_USAGE_DS`] or [`KEY_USAGE_KA`]).
    pub key_usage: u8,
}

impl DeviceCertificateRequest {
    /// The DER encoding (`30 04 03 02 07 80` for the digital signing certificate).
    pub fn encode(&self) -> Vec<u8> {
        Tlv::constructed(TAG_SEQUENCE, vec![key_usage_tlv(self.key_usage)]).encode()
    }

    /// Decodes the command content: one key usage bit string of one octet, nothing else. The
    /// value itself is the device's to judge (response code 1 for one it has no key of).
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let top = Tlv::decode(bytes)?;
        let c = seq(&top, TAG_SEQUENCE, "provide device certificate")?;
        let [ku] = c else {
            return Err(invalid("provide device certificate"));
        };
        match prim(expect(ku, TAG_BIT_STRING, "key usage")?)? {
            [unused, bits] if *unused < 8 => Ok(Self { key_usage: *bits }),
            _ => Err(invalid("key usage")),
        }
    }
}

/// The CS02e response: `CHOICE { certificate Certificate, responseCode INTEGER }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DeviceCertificateResponse {
    /// The device's certificate (DER) for the key usage asked for.
    Certificate(Vec<u8>),
    /// No certificate: [`device_certificate_code`].
    Code(u8),
}

impl DeviceCertificateResponse {
    /// The DER encoding.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Self::Certificate(der) => der.clone(),
            Self::Code(c) => int(u64::from(*c)).encode(),
        }
    }

    /// Decodes the response: an X.509 certificate (one DER SEQUENCE whose public key is a
    /// P-256 key) or a response code 1–3.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let t = Tlv::decode(bytes)?;
        match t.first_tag_byte() {
            Some(TAG_SEQUENCE) => {
                crate::crypto::PublicKey::from_certificate_der(bytes)
                    .map_err(|_| invalid("device certificate"))?;
                Ok(Self::Certificate(bytes.to_vec()))
            }
            Some(TAG_INTEGER) => match small(&t, "response code")? {
                c @ 1..=3 => Ok(Self::Code(c)),
                _ => Err(invalid("response code")),
            },
            _ => Err(invalid("device certificate response")),
        }
    }
}

/// The SMKI subject key identifier of a public key: RFC 5280 method (2) (the low 60 bits of the
/// SHA-1 of the subjectPublicKey, behind `0100`), as the SMKI certificate profiles use.
pub fn key_identifier(key: &crate::crypto::PublicKey) -> [u8; 8] {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, key.as_sec1());
    let mut out = [0u8; 8];
    if let Some(tail) = d.as_ref().get(12..20) {
        out.copy_from_slice(tail);
    }
    out[0] = 0x40 | (out[0] & 0x0F);
    out
}

// --- DER helpers -----------------------------------------------------------------------------

fn invalid(field: &'static str) -> DecodeError {
    DecodeError::InvalidValue { offset: 0, field }
}

/// `t` with every constructed element whose content is longer than 127 octets given the
/// two-octet long-form length (`82 xx xx`) GBCS devices write.
fn device_lengths(t: Tlv) -> Tlv {
    match t.value {
        TlvValue::Constructed(children) => {
            let children: Vec<Tlv> = children.into_iter().map(device_lengths).collect();
            let len: usize = children.iter().map(|c| c.encode().len()).sum();
            Tlv {
                tag: t.tag,
                long_length: (len > 127).then_some(2).or(t.long_length),
                value: TlvValue::Constructed(children),
            }
        }
        value => Tlv { value, ..t },
    }
}

fn der_wrap(tag: u8, content: &[u8], out: &mut Vec<u8>) {
    out.push(tag);
    crate::codec::write_length(out, content.len());
    out.extend_from_slice(content);
}

fn int_bytes(v: u64) -> Vec<u8> {
    let b = v.to_be_bytes();
    let first = b.iter().position(|&x| x != 0).unwrap_or(7);
    let mut out = b[first..].to_vec();
    if out.first().is_some_and(|&x| x & 0x80 != 0) {
        out.insert(0, 0);
    }
    out
}

fn int(v: u64) -> Tlv {
    Tlv::primitive(TAG_INTEGER, int_bytes(v))
}

pub(crate) fn key_usage_tlv(bits: u8) -> Tlv {
    let unused = if bits == 0 {
        0
    } else {
        bits.trailing_zeros() as u8
    };
    Tlv::primitive(TAG_BIT_STRING, vec![unused, bits])
}

pub(crate) fn key_usage_of(t: &Tlv) -> Result<u8, DecodeError> {
    match prim(t)? {
        [_, b, ..] => Ok(*b),
        _ => Err(invalid("key usage")),
    }
}

fn specialists_tlv(tag: u8, s: &[SpecialistSeqNumber]) -> Tlv {
    Tlv::constructed(
        tag,
        s.iter()
            .map(|x| {
                Tlv::constructed(
                    TAG_SEQUENCE,
                    vec![int(u64::from(x.usage)), int(x.seq_number)],
                )
            })
            .collect(),
    )
}

fn specialists_of(t: &Tlv, tag: u8) -> Result<Vec<SpecialistSeqNumber>, DecodeError> {
    seq(t, tag, "specialist seq numbers")?
        .iter()
        .map(|e| {
            let f = seq(e, TAG_SEQUENCE, "specialist seq number")?;
            if f.len() != 2 {
                return Err(invalid("specialist seq number"));
            }
            Ok(SpecialistSeqNumber {
                usage: small(
                    get(f, 0, TAG_INTEGER, "seq number usage")?,
                    "seq number usage",
                )?,
                seq_number: uint(get(f, 1, TAG_INTEGER, "seq number")?, "seq number")?,
            })
        })
        .collect()
}

fn seq<'a>(t: &'a Tlv, tag: u8, what: &'static str) -> Result<&'a [Tlv], DecodeError> {
    match (&t.value, t.tag.as_slice()) {
        (TlvValue::Constructed(c), [x]) if *x == tag => Ok(c),
        _ => Err(DecodeError::UnexpectedTag {
            offset: 0,
            expected: what,
            found: t.first_tag_byte().unwrap_or(0),
        }),
    }
}

fn get<'a>(c: &'a [Tlv], i: usize, tag: u8, what: &'static str) -> Result<&'a Tlv, DecodeError> {
    let t = c.get(i).ok_or(invalid(what))?;
    if t.tag.as_slice() != [tag] {
        return Err(DecodeError::UnexpectedTag {
            offset: 0,
            expected: what,
            found: t.first_tag_byte().unwrap_or(0),
        });
    }
    Ok(t)
}

fn expect<'a>(t: &'a Tlv, tag: u8, what: &'static str) -> Result<&'a Tlv, DecodeError> {
    if t.tag.as_slice() != [tag] {
        return Err(DecodeError::UnexpectedTag {
            offset: 0,
            expected: what,
            found: t.first_tag_byte().unwrap_or(0),
        });
    }
    Ok(t)
}

fn prim(t: &Tlv) -> Result<&[u8], DecodeError> {
    match &t.value {
        TlvValue::Primitive(b) => Ok(b),
        TlvValue::Constructed(_) => Err(invalid("primitive value")),
    }
}

fn uint(t: &Tlv, what: &'static str) -> Result<u64, DecodeError> {
    let b = prim(t)?;
    if b.is_empty() || b.len() > 9 || (b.len() == 9 && b[0] != 0) || b[0] & 0x80 != 0 {
        return Err(invalid(what));
    }
    Ok(b.iter().fold(0u64, |a, &x| (a << 8) | u64::from(x)))
}

fn small(t: &Tlv, what: &'static str) -> Result<u8, DecodeError> {
    u8::try_from(uint(t, what)?).map_err(|_| invalid(what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_minimal_and_positive() {
        assert_eq!(int_bytes(0), vec![0]);
        assert_eq!(int_bytes(0x1B58), vec![0x1B, 0x58]);
        assert_eq!(int_bytes(0x80), vec![0, 0x80]);
        assert_eq!(key_usage_tlv(KEY_USAGE_DS).encode(), vec![3, 2, 7, 0x80]);
        assert_eq!(key_usage_tlv(KEY_USAGE_KA).encode(), vec![3, 2, 3, 0x08]);
    }

    #[test]
    fn response_round_trips_and_rejects_garbage() {
        let r = UpdateSecurityCredentialsResponse {
            outcome: Some(ExecutionOutcome {
                seq_number: 7000,
                mode: MODE_ANY_EXCEPT_ABNORMAL_ROOT_BY_RECOVERY,
                seq_number_changes: vec![SeqNumberChange {
                    role: role::SUPPLIER,
                    floor: 0,
                    specialist: None,
                }],
                outcomes: vec![ReplacementOutcome {
                    cell: TrustAnchorCell::new(role::SUPPLIER, KEY_USAGE_DS),
                    status: STATUS_SUCCESS,
                    existing_subject: vec![1; 8],
                    existing_key_id: vec![2; 8],
                    replacing_subject: vec![1; 8],
                    replacing_key_id: vec![3; 8],
                }],
            }),
        };
        let b = r.encode();
        assert_eq!(UpdateSecurityCredentialsResponse::decode(&b).unwrap(), r);
        assert!(r.outcome.as_ref().unwrap().all_succeeded());
        assert!(UpdateSecurityCredentialsResponse::decode(&b[..b.len() - 1]).is_err());
        assert!(UpdateSecurityCredentials::decode(&b).is_err());
    }
}
