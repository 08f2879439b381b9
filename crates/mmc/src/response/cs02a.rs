//! CS02a and CS02f → `RetrieveDeviceSecurityCredentialsKRPRsp` (DUIS 6.24.1): the device's
//! credential details, party by party (`gbcs::credentials::CredentialDetailsResponse`).
//!
//! The schema's `RemotePartyDetails` holds one trust anchor cell (one `CertificateUsage`, one
//! `ExistingRemotePartyID`, one `ExistingCertificateHash`) while a party may hold several (the
//! supplier its digital signing, key agreement and prepayment top-up cells): each cell is one
//! `RemotePartyDetails`, repeating the party's `RemotePartyRole`, `StatusCode` and
//! `RemotePartyFloorSeqNumber`, in the device's order. A party the device holds no cells of
//! (status other than success) is one `RemotePartyDetails` with its role and status. The
//! status is the schema's `StatusASN1` (`ResponseCode` the GBCS StatusCode, `ASN1Status` its
//! name: `success`, `badCertificate`, `trustAnchorNotFound`, `other`); the cell's subject is the
//! party's EUI-64 and its subject key identifier the `ExistingCertificateHash` (base64), as the
//! 6.15.1 execution outcomes give them; the WAN provider (role 6) has no `RemotePartyRole` in
//! the schema and is given without one.
//!
//! A response with a party whose status is not success is a failure
//! (`gbcs::usecases::cs02a::decode_response`); its element still lists every party, the ones the
//! device answered for and the one it did not ([`failure_details`]).

use base64::Engine as _;
use gbcs::credentials::{
    CredentialDetailsResponse, KEY_USAGE_DS, KEY_USAGE_KA, RemotePartyDetails, role,
};
use gbcs::usecases::{Failure, ResponseValue, cs02a};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// CS02a (6.24.1, an ESME before GBCS 4.0, a GSME, CHF or GPF).
pub static CS02A: ResponseMapping = ResponseMapping {
    use_case: &cs02a::SPEC_CS02A,
    service_reference: "6.24",
    service_reference_variant: "6.24.1",
    element: "RetrieveDeviceSecurityCredentialsKRPRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

/// CS02f (6.24.1, an ESME of GBCS 4.0 or later).
pub static CS02F: ResponseMapping = ResponseMapping {
    use_case: &cs02a::SPEC_CS02F,
    service_reference: "6.24",
    service_reference_variant: "6.24.1",
    element: "RetrieveDeviceSecurityCredentialsKRPRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    match v {
        ResponseValue::CredentialDetails(d) => Ok(Rendering::Children(details(d))),
        _ => Err(MappingError::unexpected(v)),
    }
}

/// The children for a failure known only by its first failing status (when the whole
/// response is not at hand): one `RemotePartyDetails` with that status.
fn failure(f: &Failure) -> Xml {
    let mut x = Xml::new();
    if let Failure::Result { code } = f {
        x.open("RemotePartyDetails", &[]);
        status(&mut x, *code);
        x.close("RemotePartyDetails");
    }
    x
}

/// The children of a failed CS02a / CS02f response: every party, as a success renders them;
/// `None` for any other use case's response or content that is not a credential details
/// response.
pub(super) fn failure_details(ctx: &ResponseCtx<'_>) -> Option<Xml> {
    let code = ctx.apdu.message_code();
    if code != cs02a::CS02A && code != cs02a::CS02F {
        return None;
    }
    CredentialDetailsResponse::decode(&ctx.apdu.content)
        .ok()
        .map(|d| details(&d))
}

fn details(d: &CredentialDetailsResponse) -> Xml {
    let mut x = Xml::new();
    for p in &d.0 {
        match &p.held {
            Some(held) => {
                for cell in &held.cells {
                    x.open("RemotePartyDetails", &[]);
                    party(&mut x, p);
                    x.leaf("RemotePartyFloorSeqNumber", &held.seq_number.to_string());
                    if let Some(u) = certificate_usage(cell.key_usage, cell.cell_usage) {
                        x.leaf("CertificateUsage", u);
                    }
                    x.leaf(
                        "ExistingRemotePartyID",
                        &eui::Eui64(cell.subject).to_string(),
                    );
                    x.leaf(
                        "ExistingCertificateHash",
                        &base64::engine::general_purpose::STANDARD.encode(cell.key_id),
                    );
                    x.close("RemotePartyDetails");
                }
            }
            None => {
                x.open("RemotePartyDetails", &[]);
                party(&mut x, p);
                x.close("RemotePartyDetails");
            }
        }
    }
    x
}

/// `RemotePartyRole` (when the schema names the role) and `StatusCode`.
fn party(x: &mut Xml, p: &RemotePartyDetails) {
    if let Some(r) = role_name(p.role) {
        x.leaf("RemotePartyRole", r);
    }
    status(x, p.status);
}

/// `<StatusCode ResponseCode="code"><ASN1Status>name</ASN1Status></StatusCode>`.
fn status(x: &mut Xml, code: u8) {
    x.open("StatusCode", &[("ResponseCode", &code.to_string())]);
    x.leaf("ASN1Status", status_name(code));
    x.close("StatusCode");
}

/// The schema's `RemotePartyRole` for a GBCS role code (`None`: the WAN provider and codes the
/// schema has no name for).
pub(super) fn role_name(r: u8) -> Option<&'static str> {
    match r {
        role::ROOT => Some("Root"),
        role::RECOVERY => Some("Recovery"),
        role::SUPPLIER => Some("Supplier"),
        role::NETWORK_OPERATOR => Some("NetworkOperator"),
        role::ACCESS_CONTROL_BROKER => Some("ACB"),
        role::TRANSITIONAL_COS => Some("TransCoS"),
        role::LOAD_CONTROLLER => Some("LoadController"),
        _ => None,
    }
}

/// The `ASN1Status` of a GBCS StatusCode (`notKnown` for a code the schema has no name for).
pub(super) fn status_name(code: u8) -> &'static str {
    match code {
        gbcs::credentials::STATUS_SUCCESS => "success",
        gbcs::credentials::STATUS_BAD_CERTIFICATE => "badCertificate",
        gbcs::credentials::STATUS_TRUST_ANCHOR_NOT_FOUND => "trustAnchorNotFound",
        gbcs::credentials::STATUS_OTHER => "other",
        _ => "notKnown",
    }
}

/// `CertificateUsage` of a cell: its key usage, the supplier's prepayment top-up key agreement
/// cell (cell usage 1) told apart.
fn certificate_usage(key_usage: u8, cell_usage: Option<u8>) -> Option<&'static str> {
    match (key_usage, cell_usage) {
        (KEY_USAGE_DS, _) => Some("DigitalSigning"),
        (KEY_USAGE_KA, Some(1)) => Some("KeyAgreementTopUp"),
        (KEY_USAGE_KA, _) => Some("KeyAgreement"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gbcs::credentials::{CellDetails, HeldCredentials};

    fn supplier_and_missing_operator() -> CredentialDetailsResponse {
        CredentialDetailsResponse(vec![
            RemotePartyDetails {
                role: role::SUPPLIER,
                status: 0,
                held: Some(HeldCredentials {
                    seq_number: 7,
                    cells: vec![
                        CellDetails {
                            key_usage: KEY_USAGE_DS,
                            cell_usage: None,
                            subject: [0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0, 0],
                            key_id: [1, 2, 3, 4, 5, 6, 7, 8],
                        },
                        CellDetails {
                            key_usage: KEY_USAGE_KA,
                            cell_usage: Some(1),
                            subject: [0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0, 0],
                            key_id: [8; 8],
                        },
                    ],
                }),
            },
            RemotePartyDetails {
                role: role::WAN_PROVIDER,
                status: gbcs::credentials::STATUS_TRUST_ANCHOR_NOT_FOUND,
                held: None,
            },
        ])
    }

    #[test]
    fn each_cell_is_one_remote_party_details() {
        let x = details(&supplier_and_missing_operator()).into_string();
        assert_eq!(x.matches("<ra:RemotePartyDetails>").count(), 3, "{x}");
        assert_eq!(
            x.matches("<ra:RemotePartyRole>Supplier</ra:RemotePartyRole>")
                .count(),
            2
        );
        assert!(x.contains("<ra:StatusCode ResponseCode=\"0\">"), "{x}");
        assert!(x.contains("<ra:RemotePartyFloorSeqNumber>7</ra:RemotePartyFloorSeqNumber>"));
        assert!(x.contains("<ra:CertificateUsage>DigitalSigning</ra:CertificateUsage>"));
        assert!(x.contains("<ra:CertificateUsage>KeyAgreementTopUp</ra:CertificateUsage>"));
        assert!(x.contains(
            "<ra:ExistingRemotePartyID>90-B3-D5-1F-30-01-00-00</ra:ExistingRemotePartyID>"
        ));
        assert!(
            x.contains("<ra:ExistingCertificateHash>AQIDBAUGBwg=</ra:ExistingCertificateHash>")
        );
        // The WAN provider: no schema role, its status only.
        assert!(x.contains("<ra:StatusCode ResponseCode=\"25\">"), "{x}");
        assert!(x.contains("<ra:ASN1Status>trustAnchorNotFound</ra:ASN1Status>"));
    }

    #[test]
    fn names() {
        assert_eq!(role_name(role::LOAD_CONTROLLER), Some("LoadController"));
        assert_eq!(role_name(role::WAN_PROVIDER), None);
        assert_eq!(status_name(127), "other");
        assert_eq!(status_name(5), "badCertificate");
        assert_eq!(status_name(99), "notKnown");
        assert_eq!(certificate_usage(KEY_USAGE_KA, None), Some("KeyAgreement"));
        assert_eq!(certificate_usage(0x04, None), None);
        let f = failure(&Failure::Result { code: 127 }).into_string();
        assert!(f.contains("<ra:StatusCode ResponseCode=\"127\">"), "{f}");
    }
}
