//! 6.15.1 Update Security Credentials (KRP) (`sr:UpdateSecurityCredentialsKRP`): an optional
//! `ExecutionDateTime`, the `RemotePartyRole` whose cells are replaced, the optional floor
//! sequence numbers (`floorSequenceNumber`: 0..=2^63-1), the replacement certificates (the
//! `SupplierOrNetworkOperatorCertificates` choice: DS, KA, KA top-up, each optional), one to
//! three `CertificationPathCertificates` and `ApplyTimeBasedCPVChecks`.

use super::{BodyError, Seq, decode_base64, execution_date_time, expect, simple};
use crate::request::parse_xs_boolean;
use crate::types::InvalidValue;
use crate::xml::{Element, is_xml_space};

/// The XSD `RemotePartyRole` enumeration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialsRole {
    /// `ACB`.
    Acb,
    /// `NetworkOperator`.
    NetworkOperator,
    /// `Recovery`.
    Recovery,
    /// `Root`.
    Root,
    /// `Supplier`.
    Supplier,
    /// `TransCoS`.
    TransCos,
    /// `LoadController`.
    LoadController,
}

impl CredentialsRole {
    fn parse(t: &str) -> Option<Self> {
        Some(match t.trim_matches(is_xml_space) {
            "ACB" => Self::Acb,
            "NetworkOperator" => Self::NetworkOperator,
            "Recovery" => Self::Recovery,
            "Root" => Self::Root,
            "Supplier" => Self::Supplier,
            "TransCoS" => Self::TransCos,
            "LoadController" => Self::LoadController,
            _ => return None,
        })
    }
}

/// A parsed `UpdateSecurityCredentialsKRP` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateSecurityCredentialsKrp {
    /// `ExecutionDateTime`, as written.
    pub execution_date_time: Option<String>,
    /// `RemotePartyRole`.
    pub role: CredentialsRole,
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
    /// `CertificationPathCertificates` (DER), one to three.
    pub certification_path: Vec<Vec<u8>>,
    /// `ApplyTimeBasedCPVChecks`.
    pub apply_time_based_cpv_checks: bool,
}

fn floor(e: &Element, kind: &'static str) -> Result<u64, BodyError> {
    let t = simple(e, kind)?.trim_matches(is_xml_space);
    let digits = t.strip_prefix('+').unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InvalidValue::new(kind, t).into());
    }
    digits
        .parse::<u64>()
        .ok()
        .filter(|v| *v <= i64::MAX as u64)
        .ok_or_else(|| InvalidValue::new(kind, t).into())
}

fn certificate(e: &Element, kind: &'static str) -> Result<Vec<u8>, BodyError> {
    Ok(decode_base64(simple(e, kind)?, kind)?)
}

impl UpdateSecurityCredentialsKrp {
    /// Parses the body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        Self::parse_as(
            body,
            "UpdateSecurityCredentialsKRP",
            Some("SupplierOrNetworkOperatorCertificates"),
        )
    }

    /// Parses a `RequestHandoverOfDCCControlledDevice` body (DUIS 6.21): the same elements,
    /// the certificates directly in `ReplacementCertificates`.
    pub fn parse_handover(body: &Element) -> Result<Self, BodyError> {
        Self::parse_as(body, "RequestHandoverOfDCCControlledDevice", None)
    }

    fn parse_as(
        body: &Element,
        name: &'static str,
        wrapper: Option<&'static str>,
    ) -> Result<Self, BodyError> {
        const NAME: &str = "ReplacementCertificates";
        expect(body, name)?;
        let mut s = Seq::new(body, name);
        let execution_date_time = execution_date_time(&mut s)?;
        let r = s.required("RemotePartyRole")?;
        let rt = simple(r, "RemotePartyRole")?;
        let role =
            CredentialsRole::parse(rt).ok_or_else(|| InvalidValue::new("RemotePartyRole", rt))?;
        let floor_v = match s.optional("RemotePartyFloorSeqNumber") {
            Some(e) => Some(floor(e, "RemotePartyFloorSeqNumber")?),
            None => None,
        };
        let top_up_floor = match s.optional("RemotePartyPrepaymentTopUpFloorSeqNumber") {
            Some(e) => Some(floor(e, "RemotePartyPrepaymentTopUpFloorSeqNumber")?),
            None => None,
        };
        let rc = s.required(NAME)?;
        let (c, cname) = match wrapper {
            Some(w) => {
                let mut rs = Seq::new(rc, NAME);
                let c = rs.required(w)?;
                rs.finish()?;
                (c, w)
            }
            None => (rc, NAME),
        };
        let mut cs = Seq::new(c, cname);
        let mut one = |name: &'static str| -> Result<Option<Vec<u8>>, BodyError> {
            match cs.optional(name) {
                Some(e) => Ok(Some(certificate(e, name)?)),
                None => Ok(None),
            }
        };
        let ds = one("DigitalSigningCertificate")?;
        let ka = one("KeyAgreementCertificate")?;
        let ka_top_up = one("KeyAgreementTopUpCertificate")?;
        cs.finish()?;
        let p = s.required("CertificationPathCertificates")?;
        let mut ps = Seq::new(p, "CertificationPathCertificates");
        let mut certification_path = vec![certificate(ps.required("Certificate")?, "Certificate")?];
        while certification_path.len() < 3
            && let Some(e) = ps.optional("Certificate")
        {
            certification_path.push(certificate(e, "Certificate")?);
        }
        ps.finish()?;
        let a = s.required("ApplyTimeBasedCPVChecks")?;
        let at = simple(a, "ApplyTimeBasedCPVChecks")?;
        let apply_time_based_cpv_checks =
            parse_xs_boolean(at).ok_or_else(|| InvalidValue::new("ApplyTimeBasedCPVChecks", at))?;
        s.finish()?;
        Ok(Self {
            execution_date_time,
            role,
            floor: floor_v,
            top_up_floor,
            ds,
            ka,
            ka_top_up,
            certification_path,
            apply_time_based_cpv_checks,
        })
    }
}

/// A parsed `UpdateSecurityCredentialsCoS` body (DUIS 6.23): the incoming supplier's
/// certificates for the supplier's cells, sent by the DCC's transitional CoS party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateSecurityCredentialsCos {
    /// `ExecutionDateTime`, as written.
    pub execution_date_time: Option<String>,
    /// `SupplierFloorSeqNumber`.
    pub floor: u64,
    /// `SupplierPrepaymentTopUpFloorSeqNumber`.
    pub top_up_floor: Option<u64>,
    /// `DigitalSigningCertificate` (DER).
    pub ds: Option<Vec<u8>>,
    /// `KeyAgreementCertificate` (DER).
    pub ka: Option<Vec<u8>>,
    /// `KeyAgreementTopUpCertificate` (DER).
    pub ka_top_up: Option<Vec<u8>>,
    /// `CertificationPathCertificates` (DER), one to three.
    pub certification_path: Vec<Vec<u8>>,
    /// `ApplyTimeBasedCPVChecks`.
    pub apply_time_based_cpv_checks: bool,
    /// `ImportMPxN`, as written.
    pub mpxn: String,
}

impl UpdateSecurityCredentialsCos {
    /// Parses the body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdateSecurityCredentialsCoS";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let execution_date_time = execution_date_time(&mut s)?;
        let floor_v = floor(
            s.required("SupplierFloorSeqNumber")?,
            "SupplierFloorSeqNumber",
        )?;
        let top_up_floor = match s.optional("SupplierPrepaymentTopUpFloorSeqNumber") {
            Some(e) => Some(floor(e, "SupplierPrepaymentTopUpFloorSeqNumber")?),
            None => None,
        };
        let c = s.required("SupplierReplacementCertificates")?;
        let mut cs = Seq::new(c, "SupplierReplacementCertificates");
        let mut one = |name: &'static str| -> Result<Option<Vec<u8>>, BodyError> {
            match cs.optional(name) {
                Some(e) => Ok(Some(certificate(e, name)?)),
                None => Ok(None),
            }
        };
        let ds = one("DigitalSigningCertificate")?;
        let ka = one("KeyAgreementCertificate")?;
        let ka_top_up = one("KeyAgreementTopUpCertificate")?;
        cs.finish()?;
        let p = s.required("CertificationPathCertificates")?;
        let mut ps = Seq::new(p, "CertificationPathCertificates");
        let mut certification_path = vec![certificate(ps.required("Certificate")?, "Certificate")?];
        while certification_path.len() < 3
            && let Some(e) = ps.optional("Certificate")
        {
            certification_path.push(certificate(e, "Certificate")?);
        }
        ps.finish()?;
        let a = s.required("ApplyTimeBasedCPVChecks")?;
        let at = simple(a, "ApplyTimeBasedCPVChecks")?;
        let apply_time_based_cpv_checks =
            parse_xs_boolean(at).ok_or_else(|| InvalidValue::new("ApplyTimeBasedCPVChecks", at))?;
        let mpxn = simple(s.required("ImportMPxN")?, "ImportMPxN")?
            .trim_matches(is_xml_space)
            .to_owned();
        s.finish()?;
        Ok(Self {
            execution_date_time,
            floor: floor_v,
            top_up_floor,
            ds,
            ka,
            ka_top_up,
            certification_path,
            apply_time_based_cpv_checks,
            mpxn,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bodies::tests::body;

    const CERTS: &str = "<sr:ReplacementCertificates><sr:SupplierOrNetworkOperatorCertificates><sr:DigitalSigningCertificate>MAA=</sr:DigitalSigningCertificate></sr:SupplierOrNetworkOperatorCertificates></sr:ReplacementCertificates><sr:CertificationPathCertificates><sr:Certificate>MAA=</sr:Certificate></sr:CertificationPathCertificates>";

    fn krp(inner: &str) -> Result<UpdateSecurityCredentialsKrp, BodyError> {
        UpdateSecurityCredentialsKrp::parse(&body(&format!(
            "<sr:UpdateSecurityCredentialsKRP>{inner}</sr:UpdateSecurityCredentialsKRP>"
        )))
    }

    #[test]
    fn parses_and_refuses_out_of_range() {
        let ok = krp(&format!(
            "<sr:RemotePartyRole>Supplier</sr:RemotePartyRole><sr:RemotePartyFloorSeqNumber>7</sr:RemotePartyFloorSeqNumber>{CERTS}<sr:ApplyTimeBasedCPVChecks>false</sr:ApplyTimeBasedCPVChecks>"
        ))
        .unwrap();
        assert_eq!(ok.role, CredentialsRole::Supplier);
        assert_eq!(ok.floor, Some(7));
        assert_eq!(ok.ds, Some(vec![0x30, 0]));
        assert!(!ok.apply_time_based_cpv_checks);
        for bad in [
            format!("<sr:RemotePartyRole>Nobody</sr:RemotePartyRole>{CERTS}<sr:ApplyTimeBasedCPVChecks>true</sr:ApplyTimeBasedCPVChecks>"),
            format!("<sr:RemotePartyRole>Supplier</sr:RemotePartyRole><sr:RemotePartyFloorSeqNumber>9223372036854775808</sr:RemotePartyFloorSeqNumber>{CERTS}<sr:ApplyTimeBasedCPVChecks>true</sr:ApplyTimeBasedCPVChecks>"),
            format!("<sr:RemotePartyRole>Supplier</sr:RemotePartyRole><sr:RemotePartyFloorSeqNumber>-1</sr:RemotePartyFloorSeqNumber>{CERTS}<sr:ApplyTimeBasedCPVChecks>true</sr:ApplyTimeBasedCPVChecks>"),
            format!("<sr:RemotePartyRole>Supplier</sr:RemotePartyRole>{CERTS}<sr:ApplyTimeBasedCPVChecks>maybe</sr:ApplyTimeBasedCPVChecks>"),
            format!("<sr:RemotePartyRole>Supplier</sr:RemotePartyRole>{CERTS}"),
            "<sr:RemotePartyRole>Supplier</sr:RemotePartyRole><sr:ReplacementCertificates><sr:SupplierOrNetworkOperatorCertificates><sr:DigitalSigningCertificate>%%</sr:DigitalSigningCertificate></sr:SupplierOrNetworkOperatorCertificates></sr:ReplacementCertificates><sr:CertificationPathCertificates><sr:Certificate>MAA=</sr:Certificate></sr:CertificationPathCertificates><sr:ApplyTimeBasedCPVChecks>true</sr:ApplyTimeBasedCPVChecks>".to_owned(),
        ] {
            assert!(krp(&bad).is_err(), "{bad}");
        }
    }
}

/// A parsed `RetrieveDeviceSecurityCredentialsKRP` body (DUIS 6.24.1): one to seven
/// `RemotePartyRole`s, in order, none twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrieveDeviceSecurityCredentialsKrp(pub Vec<CredentialsRole>);

impl RetrieveDeviceSecurityCredentialsKrp {
    /// Parses the body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "RetrieveDeviceSecurityCredentialsKRP";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let mut roles = Vec::new();
        while roles.len() < 7
            && let Some(e) = s.optional("RemotePartyRole")
        {
            let t = simple(e, "RemotePartyRole")?;
            let role =
                CredentialsRole::parse(t).ok_or_else(|| InvalidValue::new("RemotePartyRole", t))?;
            if roles.contains(&role) {
                return Err(InvalidValue::new("RemotePartyRole", t).into());
            }
            roles.push(role);
        }
        if roles.is_empty() {
            s.required("RemotePartyRole")?;
        }
        s.finish()?;
        Ok(Self(roles))
    }
}

/// The XSD `CredentialType` enumeration (DUIS 6.17 and 6.24.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialType {
    /// `Digital Signature`.
    DigitalSignature,
    /// `Key Agreement`.
    KeyAgreement,
}

impl CredentialType {
    /// Parses a body element `name` whose only child is a `CredentialType` (6.17's
    /// `IssueSecurityCredentials`, 6.24.2's `RetrieveDeviceSecurityCredentialsDevice`).
    fn parse_body(body: &Element, name: &'static str) -> Result<Self, BodyError> {
        expect(body, name)?;
        let mut s = Seq::new(body, name);
        let e = s.required("CredentialType")?;
        let t = simple(e, "CredentialType")?;
        // xs:string: the value is compared as written.
        let c = match t {
            "Digital Signature" => CredentialType::DigitalSignature,
            "Key Agreement" => CredentialType::KeyAgreement,
            _ => return Err(InvalidValue::new("CredentialType", t).into()),
        };
        s.finish()?;
        Ok(c)
    }
}

/// A parsed `IssueSecurityCredentials` body (DUIS 6.17): the `CredentialType` the device is to
/// generate a key pair for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssueSecurityCredentials {
    /// `CredentialType`.
    pub credential_type: CredentialType,
}

impl IssueSecurityCredentials {
    /// Parses the body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        let credential_type = CredentialType::parse_body(body, "IssueSecurityCredentials")?;
        Ok(Self { credential_type })
    }
}

/// A parsed `RetrieveDeviceSecurityCredentialsDevice` body (DUIS 6.24.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrieveDeviceSecurityCredentialsDevice(pub CredentialType);

impl RetrieveDeviceSecurityCredentialsDevice {
    /// Parses the body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        CredentialType::parse_body(body, "RetrieveDeviceSecurityCredentialsDevice").map(Self)
    }
}

/// A parsed `UpdateSecurityCredentialsDevice` body (DUIS 6.15.2): the Device certificate (DER)
/// to place on the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateSecurityCredentialsDevice {
    /// `DeviceCertificate` (DER).
    pub certificate: Vec<u8>,
}

impl UpdateSecurityCredentialsDevice {
    /// Parses the body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "UpdateSecurityCredentialsDevice";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let certificate = certificate(s.required("DeviceCertificate")?, "DeviceCertificate")?;
        s.finish()?;
        Ok(Self { certificate })
    }
}
