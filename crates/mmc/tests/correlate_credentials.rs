//! 6.15.1 Update Security Credentials (KRP): every RTDS pre-command correlates with its DUIS
//! template (whose certificates are the vector's: the RTDS vectors carry re-issued ones), and a
//! pre-command replacing other certificates, another party's cells, or at another time is
//! refused.
#![allow(clippy::unwrap_used)]

#[path = "../../gbcs/tests/common/mod.rs"]
mod common;

use base64::Engine;
use common::{corpus_root, vector};
use duis::Request;
use gbcs::GeneralSigning;
use gbcs::usecases::{DecodedCommand, decode_command};
use mmc::correlate::correlate;

const ROWS: &[(&str, &str)] = &[
    (
        "6.15.1_CS02bSupplierBySupplier",
        "CS02bSupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS",
    ),
    (
        "6.15.1_CS02bSupplierBySupplier",
        "CS02bSupplierBySupplier_6.15.1_FUTURE_DATED_SUCCESS",
    ),
    (
        "6.15.1_CS02bSupplierBySupplier",
        "CS02bSupplierBySupplier_6.15.1_CANCELLATION_SUCCESS",
    ),
    ("6.15.1_CS02bNOByNO", "CS02bNOByNO_6.15.1_SUCCESS"),
    (
        "6.15.1_CS02gLoadControllerBySupplier",
        "CS02gLoadControllerBySupplier_6.15.1_IMMEDIATE_SUCCESS",
    ),
    (
        "6.15.1_CS02gLoadControllerBySupplier",
        "CS02gLoadControllerBySupplier_6.15.1_FUTURE_DATED_SUCCESS",
    ),
    (
        "6.15.1_CS02gLoadControllerBySupplier",
        "CS02gLoadControllerBySupplier_6.15.1_CANCELLATION_SUCCESS",
    ),
];

/// The template's XML with each certificate element's text replaced, in document order, by the
/// pre-command's certificates (replacements, then the certification path).
fn template_xml(stem: &str, pre: &GeneralSigning) -> String {
    let xml = std::fs::read_to_string(
        corpus_root()
            .join("duis-templates")
            .join(format!("{stem}_REQUEST_DUIS.XML")),
    )
    .unwrap();
    let DecodedCommand::Cs02b(u) = decode_command(pre).unwrap() else {
        panic!()
    };
    let mut certs: Vec<Vec<u8>> = u
        .content
        .replacements
        .iter()
        .map(|r| r.certificate.clone())
        .collect();
    certs.extend(u.content.certification_path.iter().cloned());
    let mut out = String::new();
    let mut rest = xml.as_str();
    let mut certs = certs.into_iter();
    for name in [
        "DigitalSigningCertificate",
        "KeyAgreementCertificate",
        "KeyAgreementTopUpCertificate",
        "Certificate",
    ] {
        let open = format!("<sr:{name}>");
        while let Some(i) = rest.find(&open) {
            let after = i + open.len();
            let end = after + rest[after..].find('<').unwrap();
            out.push_str(&rest[..after]);
            out.push_str(&base64::engine::general_purpose::STANDARD.encode(certs.next().unwrap()));
            rest = &rest[end..];
            if name != "Certificate" {
                break;
            }
        }
    }
    out.push_str(rest);
    assert!(certs.next().is_none());
    out
}

fn pre(dir: &str, stem: &str) -> GeneralSigning {
    GeneralSigning::decode(&vector(dir, &format!("{stem}_PRECOMMAND_GBCS.HEX"))).unwrap()
}

fn request(xml: &str) -> Request {
    duis::parse_request(xml.as_bytes()).unwrap()
}

#[test]
fn every_rtds_precommand_correlates_with_its_request() {
    for (dir, stem) in ROWS {
        let p = pre(dir, stem);
        let req = request(&template_xml(stem, &p));
        let rid = req.header.request_id;
        correlate(&req, Some(&rid), &p).unwrap_or_else(|e| panic!("{stem}: {e}"));
    }
}

#[test]
fn another_certificate_party_or_time_is_refused() {
    let (dir, stem) = ROWS[0];
    let p = pre(dir, stem);
    let xml = template_xml(stem, &p);
    // The template's own (other) certificates.
    let theirs = std::fs::read_to_string(
        corpus_root()
            .join("duis-templates")
            .join(format!("{stem}_REQUEST_DUIS.XML")),
    )
    .unwrap();
    assert!(correlate(&request(&theirs), None, &p).is_err());
    // Future dated.
    let dated = xml.replace(
        "<sr:RemotePartyRole>",
        "<sr:ExecutionDateTime>2030-01-15T00:00:00Z</sr:ExecutionDateTime><sr:RemotePartyRole>",
    );
    assert!(correlate(&request(&dated), None, &p).is_err());
    // Another floor.
    let floor = xml.replace(
        "<sr:RemotePartyFloorSeqNumber>0<",
        "<sr:RemotePartyFloorSeqNumber>5<",
    );
    assert!(correlate(&request(&floor), None, &p).is_err());
    // Time-based checks applied.
    let apply = xml.replace(
        "<sr:ApplyTimeBasedCPVChecks>false<",
        "<sr:ApplyTimeBasedCPVChecks>true<",
    );
    assert!(correlate(&request(&apply), None, &p).is_err());
    // The NO's pre-command for the supplier's request.
    let (d2, s2) = ROWS[3];
    assert!(correlate(&request(&xml), None, &pre(d2, s2)).is_err());
}

/// 6.24.2: the RTDS CS02e pre-commands correlate with the template's request for their key
/// usage (the SUCCESS one digital signing, the ERROR one key agreement); a pre-command asking
/// for the other certificate is refused.
#[test]
fn cs02e_precommands_correlate_with_the_requested_credential_type() {
    let xml = std::fs::read_to_string(
        corpus_root()
            .join("duis-templates")
            .join("CS02e_6.24.2_SUCCESS_REQUEST_DUIS.XML"),
    )
    .unwrap();
    let ka = xml.replace("Digital Signature", "Key Agreement");
    for (stem, ok, other) in [
        ("CS02e_6.24.2_SUCCESS", &xml, &ka),
        ("CS02e_6.24.2_ERROR", &ka, &xml),
    ] {
        let pre = GeneralSigning::decode(&vector(
            "6.24.2_CS02e",
            &format!("{stem}_PRECOMMAND_GBCS.HEX"),
        ))
        .unwrap();
        // The ERROR pre-command has its own counter: the request's RequestID follows it.
        let with_counter = |x: &str| {
            x.replace(
                ":1000</sr:RequestID>",
                &format!(":{}</sr:RequestID>", pre.counter),
            )
        };
        let req = duis::parse_request(with_counter(ok).as_bytes()).unwrap();
        let rid = req.header.request_id;
        let d = correlate(&req, Some(&rid), &pre).unwrap_or_else(|e| panic!("{stem}: {e}"));
        assert_eq!(d.spec().name, "CS02e");
        let req = duis::parse_request(with_counter(other).as_bytes()).unwrap();
        let rid = req.header.request_id;
        assert!(correlate(&req, Some(&rid), &pre).is_err(), "{stem}");
    }
}
