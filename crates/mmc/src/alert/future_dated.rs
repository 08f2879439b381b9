//! Future-dated command outcome alerts (`8F66` executed, `8F67` failed) →
//! `FutureDatedCommandOutcomeDeviceAlert`: the originating command's message code and counter
//! and the instruction (DLMS attribute, GBZ cluster/command), the firmware activation (CS06) or
//! the credentials update's execution outcome (CS02b/CS02g: the authorising counter, the first
//! floor change, up to three replacement outcomes with the subject key identifiers GBCS reports
//! as `Existing/NewCertificateHash`).

use gbcs::alerts::{DecodedAlert, FutureDatedInstruction};
use gbcs::credentials::ExecutionOutcome;

use super::{AlertMapping, AlertParts};
use crate::time::xs_date_time;
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: AlertMapping = AlertMapping {
    codes: &[0x8F66, 0x8F67],
    render,
};

fn render(a: &DecodedAlert) -> Option<AlertParts> {
    let o = a.future_dated.as_ref()?;
    let code = o.command.message_code.map(|c| c.to_string());
    let counter = o.command.counter.to_string();
    let mut x = Xml::new();
    x.open("FutureDatedCommandOutcomeDeviceAlert", &[]);
    match &o.instruction {
        FutureDatedInstruction::Dlms(d) => {
            x.open("COSEMFutureDatedAlert", &[]);
            if let Some(c) = &code {
                x.leaf("FutureDatedCommandMessageCode", c);
            }
            x.leaf("FutureDatedCommandOriginatorCounter", &counter);
            x.open("DLMSCOSEMFDInstructionIdentification", &[]);
            x.leaf("ClassId", &format!("{:04X}", d.class_id));
            x.leaf("InstanceId", &hex(&d.instance));
            x.leaf("AttributeId", &format!("{:02X}", d.index));
            x.close("DLMSCOSEMFDInstructionIdentification");
            x.close("COSEMFutureDatedAlert");
        }
        FutureDatedInstruction::Gbz {
            cluster,
            frame_control,
            command,
        } => {
            x.open("GBZFutureDatedAlert", &[]);
            if let Some(c) = &code {
                x.leaf("FutureDatedCommandMessageCode", c);
            }
            x.leaf("FutureDatedCommandOriginatorCounter", &counter);
            x.open("GBZFDInstructionIdentification", &[]);
            x.leaf("ExtendedHeaderClusterID", &format!("{cluster:04X}"));
            x.leaf("FrameControl", &format!("{frame_control:02X}"));
            x.leaf("CommandIdentifier", &format!("{command:02X}"));
            x.close("GBZFDInstructionIdentification");
            x.close("GBZFutureDatedAlert");
        }
        FutureDatedInstruction::FirmwareActivation {
            status,
            firmware_version,
        } => {
            x.open("FirmwareActivationDeviceAlert", &[]);
            if let Some(t) = o.execution_time.as_ref().and_then(|t| t.to_utc()) {
                x.leaf("ExecutionDateTime", &xs_date_time(t));
            }
            x.leaf("OriginatorCounterFromCommand", &counter);
            x.open(
                "ActivateImageResponseCode",
                &[("ResponseCode", &status.to_string())],
            );
            x.leaf("ASN1Status", gbcs::usecases::cs06::status::name(*status));
            x.close("ActivateImageResponseCode");
            if firmware_version.len() == 4 {
                x.leaf("FirmwareVersion", &hex(firmware_version));
            }
            x.close("FirmwareActivationDeviceAlert");
        }
        FutureDatedInstruction::CredentialsUpdate(e) => {
            x.open("UpdateSecurityCredentialsDeviceAlert", &[]);
            execution_outcome(&mut x, e);
            x.close("UpdateSecurityCredentialsDeviceAlert");
        }
    }
    x.close("FutureDatedCommandOutcomeDeviceAlert");
    Some(AlertParts::payload(x))
}

fn execution_outcome(x: &mut Xml, e: &ExecutionOutcome) {
    use gbcs::credentials::{KEY_USAGE_DS, KEY_USAGE_KA, role};
    let role_name = |r: u8| match r {
        role::ROOT => Some("Root"),
        role::RECOVERY => Some("Recovery"),
        role::SUPPLIER => Some("Supplier"),
        role::NETWORK_OPERATOR => Some("NetworkOperator"),
        role::ACCESS_CONTROL_BROKER => Some("ACB"),
        role::TRANSITIONAL_COS => Some("TransCoS"),
        _ => None,
    };
    let eui = |b: &[u8]| -> Option<String> {
        let a: [u8; 8] = b.try_into().ok()?;
        Some(eui::Eui64(a).to_string())
    };
    let b64 = |b: &[u8]| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(b)
    };
    x.open("UpdateSecurityCredentialsExecutionOutcome", &[]);
    x.leaf(
        "AuthorisingRemotePartyOriginatorCounter",
        &e.seq_number.to_string(),
    );
    // The schema has room for one floor change.
    if let Some(c) = e.seq_number_changes.first() {
        x.open("RemotePartySeqNumberChange", &[]);
        if let Some(r) = role_name(c.role) {
            x.leaf("RemotePartyRole", r);
        }
        x.leaf("RemotePartyFloorSeqNumber", &c.floor.to_string());
        if let Some(top_up) = c
            .specialist
            .as_ref()
            .and_then(|s| s.iter().find(|s| s.usage == 0))
        {
            x.leaf(
                "RemotePartyPrepaymentTopUpFloorSeqNumber",
                &top_up.seq_number.to_string(),
            );
        }
        x.close("RemotePartySeqNumberChange");
    }
    for o in e.outcomes.iter().take(3) {
        x.open("ReplacementOutcome", &[]);
        x.open("StatusCode", &[("ResponseCode", &o.status.to_string())]);
        x.leaf(
            "ASN1Status",
            match o.status {
                0 => "success",
                5 => "badCertificate",
                25 => "trustAnchorNotFound",
                127 => "other",
                _ => "notKnown",
            },
        );
        x.close("StatusCode");
        let certificate_type = match (o.cell.key_usage, o.cell.cell_usage) {
            (KEY_USAGE_KA, Some(1)) => Some("KeyAgreementTopUp"),
            (KEY_USAGE_KA, _) => Some("KeyAgreement"),
            (KEY_USAGE_DS, _) => Some("DigitalSigning"),
            _ => None,
        };
        if let Some(t) = certificate_type {
            x.leaf("CertificateType", t);
        }
        if let Some(r) = role_name(o.cell.role) {
            x.leaf("RemotePartyRole", r);
        }
        if let Some(id) = eui(&o.existing_subject) {
            x.leaf("ExistingRemotePartyID", &id);
        }
        if let Some(id) = eui(&o.replacing_subject) {
            x.leaf("NewRemotePartyID", &id);
        }
        if !o.existing_key_id.is_empty() {
            x.leaf("ExistingCertificateHash", &b64(&o.existing_key_id));
        }
        if !o.replacing_key_id.is_empty() {
            x.leaf("NewCertificateHash", &b64(&o.replacing_key_id));
        }
        x.close("ReplacementOutcome");
    }
    x.close("UpdateSecurityCredentialsExecutionOutcome");
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|c| format!("{c:02X}")).collect()
}
