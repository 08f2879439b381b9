//! Future-dated command outcome alerts (`8F66` executed, `8F67` failed) →
//! `FutureDatedCommandOutcomeDeviceAlert`: the originating command's message code and counter
//! and the instruction (DLMS attribute, GBZ cluster/command), the firmware activation (CS06) or
//! the credentials update's execution outcome (CS02b/CS02g).

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
            x.leaf(
                "ASN1Status",
                match status {
                    0 => "success",
                    1 => "noImageHeld",
                    2 => "hashMismatch",
                    3 => "activationFailure",
                    _ => "notKnown",
                },
            );
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
    x.open("UpdateSecurityCredentialsExecutionOutcome", &[]);
    x.leaf(
        "AuthorisingRemotePartyOriginatorCounter",
        &e.seq_number.to_string(),
    );
    x.close("UpdateSecurityCredentialsExecutionOutcome");
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|c| format!("{c:02X}")).collect()
}
