//! CS02b / CS02g "Update Security Credentials" sent by a known remote party (DUIS 6.15.1,
//! Update Security Credentials (KRP)): the supplier replaces its own trust anchor cells
//! (CS02bSupplierBySupplier, message code 0x0102, `credentialsReplacementMode` 2), the network
//! operator its own (CS02bNOByNO, 0x0103, mode 3), the supplier the load controller's
//! (CS02gLoadControllerBySupplier, 0x0126, mode 11); and (DUIS 6.23 Update Security
//! Credentials (CoS)) the DCC's transitional CoS party the supplier's
//! (CS02bSupplierByTransCoS, 0x0107, mode 7: the floors in `[6]` as role 2 with the top-up
//! floor its specialist, none when cancelling). Critical: the builder returns the
//! pre-command, which the authorising party (the supplier, the network operator, or the DCC as
//! transitional CoS party) signs.
//! The content is [`crate::credentials::UpdateSecurityCredentials`]; the response
//! [`crate::credentials::UpdateSecurityCredentialsResponse`] (its outcome absent when the
//! command is future dated: the 8F66/8F67 alert reports it).
//!
//! The one DUIS-to-GBCS mapping ([`KrpCredentials::content`]), used by the DCC's plan and by
//! `mmc`'s correlation alike, as the RTDS vectors show it:
//!
//! * `authorisingRemotePartyTACellIdentifier`: the authorising party's DS cell (the supplier's
//!   for CS02g); `authorisingRemotePartySeqNumber` the command's counter;
//! * `ApplyTimeBasedCPVChecks` false → `[1] 1` (disapply); true → absent;
//! * `RemotePartyFloorSeqNumber` → `[4]` for CS02b, `[6] {role 8, floor}` for CS02g;
//!   `RemotePartyPrepaymentTopUpFloorSeqNumber` → `[5] {usage 0, floor}` (supplier only);
//! * replacements, in this order: the DS certificate (cell: role, DS), the KA certificate
//!   (role, KA), the KA top-up certificate (role, KA, cellUsage 1: supplier only);
//! * `ExecutionDateTime`: absent immediate, 3000-12-31 cancels (`99991231235959Z`), else the
//!   instant as GeneralizedTime.

use super::common::{self, CommandHeader};
use super::{
    Activation, CommandDecodeError, DecodedCommand, DeviceType, Failure, PayloadKind,
    RemotePartyRole as R, ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::asn1::TlvValue;
use crate::codes::MessageCode;
use crate::credentials::{
    self, AuthorisingControl, KEY_USAGE_DS, KEY_USAGE_KA, Replacement, STATUS_SUCCESS,
    SeqNumberChange, SpecialistSeqNumber, TrustAnchorCell, UpdateSecurityCredentials,
    UpdateSecurityCredentialsResponse,
};
use crate::error::BuildError;
use crate::frame::GeneralSigning;

/// CS02bSupplierBySupplier.
pub const CS02B_SUPPLIER_BY_SUPPLIER: MessageCode = MessageCode(0x0102);
/// CS02bNOByNO.
pub const CS02B_NO_BY_NO: MessageCode = MessageCode(0x0103);
/// CS02gLoadControllerBySupplier.
pub const CS02G_LOAD_CONTROLLER_BY_SUPPLIER: MessageCode = MessageCode(0x0126);

/// CS02bSupplierByTransCoS (DUIS 6.23: the DCC's transitional CoS party signs).
pub const CS02B_SUPPLIER_BY_TRANS_COS: MessageCode = MessageCode(0x0107);

/// `credentialsReplacementMode` supplierByTransCoS.
pub const MODE_SUPPLIER_BY_TRANS_COS: u8 = 7;

/// `credentialsReplacementMode` supplierBySupplier.
pub const MODE_SUPPLIER_BY_SUPPLIER: u8 = 2;
/// `credentialsReplacementMode` networkOperatorByNetworkOperator.
pub const MODE_NO_BY_NO: u8 = 3;
/// `credentialsReplacementMode` loadControllerBySupplier.
pub const MODE_LOAD_CONTROLLER_BY_SUPPLIER: u8 = 11;

/// `cellUsage` of the supplier's prepayment top-up KA cell.
pub const CELL_USAGE_TOP_UP: u8 = 1;

/// The `executionDateTime` that cancels a pending future-dated replacement.
pub const CANCEL_GENERALIZED_TIME: &[u8] = b"99991231235959Z";

/// CS02bSupplierBySupplier.
pub static SPEC_SUPPLIER: UseCaseSpec = UseCaseSpec {
    name: "CS02bSupplierBySupplier",
    message_code: CS02B_SUPPLIER_BY_SUPPLIER,
    device_types: &[
        DeviceType::Esme,
        DeviceType::Gsme,
        DeviceType::Gpf,
        DeviceType::Chf,
    ],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// CS02bNOByNO.
pub static SPEC_NETWORK_OPERATOR: UseCaseSpec = UseCaseSpec {
    name: "CS02bNOByNO",
    message_code: CS02B_NO_BY_NO,
    device_types: &[
        DeviceType::Esme,
        DeviceType::Gsme,
        DeviceType::Gpf,
        DeviceType::Chf,
    ],
    originators: &[R::NetworkOperator],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// CS02gLoadControllerBySupplier.
pub static SPEC_LOAD_CONTROLLER: UseCaseSpec = UseCaseSpec {
    name: "CS02gLoadControllerBySupplier",
    message_code: CS02G_LOAD_CONTROLLER_BY_SUPPLIER,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// CS02bSupplierByTransCoS (DUIS 6.23 Update Security Credentials (CoS)): built and signed by
/// the DCC's transitional change-of-supplier party, the incoming supplier's certificates
/// replacing the outgoing supplier's cells.
pub static SPEC_TRANS_COS: UseCaseSpec = UseCaseSpec {
    name: "CS02bSupplierByTransCoS",
    message_code: CS02B_SUPPLIER_BY_TRANS_COS,
    device_types: &[DeviceType::Esme, DeviceType::Gsme],
    originators: &[R::TransitionalCos],
    critical: true,
    dcc_originated: false,
    dcc_signs: true,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// Whose cells a KRP update replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KrpParty {
    /// The supplier's own (CS02bSupplierBySupplier).
    Supplier,
    /// The network operator's own (CS02bNOByNO).
    NetworkOperator,
    /// The load controller's, authorised by the supplier (CS02gLoadControllerBySupplier).
    LoadController,
    /// The supplier's, authorised by the DCC's transitional CoS party
    /// (CS02bSupplierByTransCoS, DUIS 6.23): the floors travel in
    /// `otherRemotePartySeqNumberChanges` (role supplier, the top-up floor its specialist).
    SupplierByTransCoS,
}

const ALL: [KrpParty; 4] = [
    KrpParty::Supplier,
    KrpParty::NetworkOperator,
    KrpParty::LoadController,
    KrpParty::SupplierByTransCoS,
];

impl KrpParty {
    /// The message code.
    pub fn message_code(self) -> MessageCode {
        match self {
            Self::Supplier => CS02B_SUPPLIER_BY_SUPPLIER,
            Self::NetworkOperator => CS02B_NO_BY_NO,
            Self::LoadController => CS02G_LOAD_CONTROLLER_BY_SUPPLIER,
            Self::SupplierByTransCoS => CS02B_SUPPLIER_BY_TRANS_COS,
        }
    }

    /// The catalogue entry.
    pub fn spec(self) -> &'static UseCaseSpec {
        match self {
            Self::Supplier => &SPEC_SUPPLIER,
            Self::NetworkOperator => &SPEC_NETWORK_OPERATOR,
            Self::LoadController => &SPEC_LOAD_CONTROLLER,
            Self::SupplierByTransCoS => &SPEC_TRANS_COS,
        }
    }

    /// The `credentialsReplacementMode`.
    pub fn mode(self) -> u8 {
        match self {
            Self::Supplier => MODE_SUPPLIER_BY_SUPPLIER,
            Self::NetworkOperator => MODE_NO_BY_NO,
            Self::LoadController => MODE_LOAD_CONTROLLER_BY_SUPPLIER,
            Self::SupplierByTransCoS => MODE_SUPPLIER_BY_TRANS_COS,
        }
    }

    /// The GBCS role code of the cells replaced.
    pub fn target_role(self) -> u8 {
        match self {
            Self::Supplier | Self::SupplierByTransCoS => credentials::role::SUPPLIER,
            Self::NetworkOperator => credentials::role::NETWORK_OPERATOR,
            Self::LoadController => credentials::role::LOAD_CONTROLLER,
        }
    }

    /// The GBCS role code of the authorising (signing) party.
    pub fn authorising_role(self) -> u8 {
        match self {
            Self::Supplier | Self::LoadController => credentials::role::SUPPLIER,
            Self::NetworkOperator => credentials::role::NETWORK_OPERATOR,
            Self::SupplierByTransCoS => credentials::role::TRANSITIONAL_COS,
        }
    }

    /// Whether the supplier's prepayment top-up cell and floor are the party's.
    pub fn has_top_up(self) -> bool {
        matches!(self, Self::Supplier | Self::SupplierByTransCoS)
    }

    /// The party of a replacement mode.
    pub fn from_mode(mode: u8) -> Option<Self> {
        ALL.into_iter().find(|p| p.mode() == mode)
    }

    /// The party of a message code.
    pub fn from_message_code(code: MessageCode) -> Option<Self> {
        ALL.into_iter().find(|p| p.message_code() == code)
    }
}

/// What a 6.15.1 request asks for (DUIS `UpdateSecurityCredentialsKRP`, typed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KrpCredentials {
    /// Whose cells.
    pub party: KrpParty,
    /// `RemotePartyFloorSeqNumber`.
    pub floor: Option<u64>,
    /// `RemotePartyPrepaymentTopUpFloorSeqNumber`.
    pub top_up_floor: Option<u64>,
    /// `DigitalSigningCertificate` (DER).
    pub ds: Option<Vec<u8>>,
    /// `KeyAgreementCertificate` (DER).
    pub ka: Option<Vec<u8>>,
    /// `KeyAgreementTopUpCertificate` (DER).
    pub ka_top_up: Option<Vec<u8>>,
    /// `CertificationPathCertificates` (DER).
    pub certification_path: Vec<Vec<u8>>,
    /// `ApplyTimeBasedCPVChecks`.
    pub apply_time_based_cpv_checks: bool,
    /// `ExecutionDateTime`.
    pub activation: Activation,
}

/// The GeneralizedTime content of an activation (`None` immediate).
pub fn execution_date_time(a: Activation) -> Result<Option<Vec<u8>>, BuildError> {
    match a {
        Activation::Now => Ok(None),
        Activation::Cancel => Ok(Some(CANCEL_GENERALIZED_TIME.to_vec())),
        Activation::At(t) => match t.to_generalized_time().to_tlv().map(|t| t.value) {
            Some(TlvValue::Primitive(b)) => Ok(Some(b)),
            _ => Err(BuildError::OutOfRange("execution date-time")),
        },
    }
}

impl KrpCredentials {
    /// The command content for originator counter `counter` (module documentation).
    pub fn content(&self, counter: u64) -> Result<UpdateSecurityCredentials, BuildError> {
        let p = self.party;
        let role = p.target_role();
        if self.top_up_floor.is_some() && !p.has_top_up() {
            return Err(BuildError::OutOfRange(
                "only the supplier has a prepayment top-up floor",
            ));
        }
        if self.ka_top_up.is_some() && !p.has_top_up() {
            return Err(BuildError::OutOfRange(
                "only the supplier has a prepayment top-up certificate",
            ));
        }
        let mut replacements = Vec::new();
        for (cert, key_usage, cell_usage) in [
            (&self.ds, KEY_USAGE_DS, None),
            (&self.ka, KEY_USAGE_KA, None),
            (&self.ka_top_up, KEY_USAGE_KA, Some(CELL_USAGE_TOP_UP)),
        ] {
            if let Some(c) = cert {
                if !crate::frame::is_single_der_sequence(c) {
                    return Err(BuildError::OutOfRange(
                        "certificate is not one DER SEQUENCE",
                    ));
                }
                replacements.push(Replacement {
                    certificate: c.clone(),
                    target: TrustAnchorCell {
                        role,
                        key_usage,
                        cell_usage,
                    },
                });
            }
        }
        if replacements.is_empty() {
            return Err(BuildError::OutOfRange("no replacement certificate"));
        }
        if self.certification_path.is_empty()
            || self
                .certification_path
                .iter()
                .any(|c| !crate::frame::is_single_der_sequence(c))
        {
            return Err(BuildError::OutOfRange("certification path"));
        }
        let (new_floor, new_specialist_floor, other_changes) = match p {
            KrpParty::LoadController => (
                None,
                None,
                self.floor.map(|floor| {
                    vec![SeqNumberChange {
                        role,
                        floor,
                        specialist: None,
                    }]
                }),
            ),
            KrpParty::SupplierByTransCoS => {
                if self.top_up_floor.is_some() && self.floor.is_none() {
                    return Err(BuildError::OutOfRange(
                        "a top-up floor needs the supplier floor",
                    ));
                }
                // A cancellation carries no floor changes (as the RTDS CANCELLATION command).
                let floor = self.floor.filter(|_| self.activation != Activation::Cancel);
                (
                    None,
                    None,
                    floor.map(|floor| {
                        vec![SeqNumberChange {
                            role,
                            floor,
                            specialist: self.top_up_floor.map(|f| {
                                vec![SpecialistSeqNumber {
                                    usage: 0,
                                    seq_number: f,
                                }]
                            }),
                        }]
                    }),
                )
            }
            _ => (
                self.floor,
                self.top_up_floor.map(|f| {
                    vec![SpecialistSeqNumber {
                        usage: 0,
                        seq_number: f,
                    }]
                }),
                None,
            ),
        };
        Ok(UpdateSecurityCredentials {
            control: AuthorisingControl {
                mode: p.mode(),
                plaintext_symmetric_key: None,
                apply_time_based_cpv_checks: (!self.apply_time_based_cpv_checks).then_some(1),
                authorising_cell: Some(TrustAnchorCell::new(p.authorising_role(), KEY_USAGE_DS)),
                seq_number: counter,
                new_floor,
                new_specialist_floor,
                other_changes,
            },
            replacements,
            certification_path: self.certification_path.clone(),
            execution_date_time: execution_date_time(self.activation)?,
        })
    }
}

/// Builds the pre-command (the authorising party signs it).
pub fn cs02b_update_security_credentials(
    h: &CommandHeader,
    c: &KrpCredentials,
) -> Result<GeneralSigning, BuildError> {
    let content = c.content(h.counter)?.encode();
    Ok(common::apdu(h, c.party.message_code(), content, true))
}

/// A decoded KRP update: whose cells, and the command content.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KrpUpdate {
    /// Whose cells (from the message code).
    pub party: KrpParty,
    /// The content.
    pub content: UpdateSecurityCredentials,
}

/// Decodes a command of any of the three: the content, its mode the message code's, its
/// authorising seq number the counter, its authorising cell the authorising party's DS cell,
/// every replacement one of the party's cells.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    const NAME: &str = "CS02b";
    let party = KrpParty::from_message_code(apdu.message_code())
        .ok_or(common::bad(NAME, "message code"))?;
    let content = UpdateSecurityCredentials::decode(&apdu.content)?;
    let c = &content.control;
    if c.mode != party.mode() {
        return Err(common::bad(
            NAME,
            "replacement mode is not the message code's",
        ));
    }
    if c.seq_number != apdu.counter {
        return Err(common::bad(
            NAME,
            "authorising seq number is not the counter",
        ));
    }
    if c.authorising_cell != Some(TrustAnchorCell::new(party.authorising_role(), KEY_USAGE_DS)) {
        return Err(common::bad(NAME, "authorising cell"));
    }
    if content.replacements.is_empty()
        || content
            .replacements
            .iter()
            .any(|r| r.target.role != party.target_role())
    {
        return Err(common::bad(NAME, "replacement cells"));
    }
    Ok(DecodedCommand::Cs02b(Box::new(KrpUpdate {
        party,
        content,
    })))
}

/// Decodes the response: accepted for later (future dated), every replacement done, or the
/// first failing replacement's status.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let r = UpdateSecurityCredentialsResponse::decode(content)?;
    match r.outcome {
        None => Ok(ResponseOutcome::Success(ResponseValue::Done)),
        Some(o) if o.all_succeeded() => Ok(ResponseOutcome::Success(
            ResponseValue::CredentialsReplaced(Box::new(o)),
        )),
        Some(o) => Ok(ResponseOutcome::Failure(Failure::Result {
            code: o
                .outcomes
                .iter()
                .map(|x| x.status)
                .find(|&s| s != STATUS_SUCCESS)
                .unwrap_or(credentials::STATUS_OTHER),
        })),
    }
}
