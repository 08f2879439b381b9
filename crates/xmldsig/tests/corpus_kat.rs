//! Known-answer tests on the DCC Boxed sample responses and ZAZ1 certificates.

#![allow(clippy::unwrap_used)]

mod common;

use common::{cert_der, lookup, read, zaz1_certs};
use xmldsig::{
    C14nMethod, DsigError, EncodingProblem, ProfileViolation, SignedDocument, ValueField,
    VerifyingKey, signature_info, verify,
};

const DSP_PRE_141: &str = "dsp-xml-sign-90B3D51F30000002-ds-pre-1.4.1.pem";
const DSP: &str = "dsp-xml-sign-90B3D51F30000002-ds.pem";

fn key(file: &str) -> VerifyingKey {
    VerifyingKey::from_certificate_der(&cert_der(file)).unwrap()
}

#[test]
fn zaz1_certificates_give_java_issuer_names_and_decimal_serials() {
    let certs = zaz1_certs();
    assert_eq!(certs.len(), 19);
    for (file, is, pk) in &certs {
        assert_eq!(is.issuer_name, "CN=Z1,OU=07", "{file}");
        assert_eq!(pk.len(), 65, "{file}");
    }
    let serial_of = |f: &str| certs.iter().find(|c| c.0 == f).unwrap().1.serial.clone();
    // values as printed by `openssl x509 -serial`, converted to decimal
    assert_eq!(serial_of(DSP), "167048897159233642262001557408276884033");
    assert_eq!(
        serial_of(DSP_PRE_141),
        "50669612984035780968362471400449834504"
    );
    assert_eq!(
        serial_of("Z1-accessControlBroker-dSPXmlSign.pem"),
        "20315062944123339095836004026371736578"
    );
}

#[test]
fn readfw_response_verifies_with_the_dsp_xml_signing_cert() {
    let xml = read("duis-samples/readfw-response.xml");
    let info = verify(&xml, &cert_public_key(DSP_PRE_141)).unwrap();
    assert_eq!(info.issuer_serial.issuer_name, "CN=Z1,OU=07");
    assert_eq!(
        info.issuer_serial.serial,
        "50669612984035780968362471400449834504"
    );
    assert_eq!(info.reference_c14n, C14nMethod::Inclusive);
    let span = &xml[info.signature_span.clone()];
    assert!(span.starts_with(b"<ds:Signature ") && span.ends_with(b"</ds:Signature>"));
    // another key does not verify it
    assert_eq!(
        verify(&xml, &cert_public_key(DSP)),
        Err(DsigError::SignatureInvalid)
    );
}

fn cert_public_key(file: &str) -> Vec<u8> {
    xmldsig::issuer_serial_of_cert(&cert_der(file)).unwrap().1
}

#[test]
fn inventory_responses_verify_via_issuer_serial_lookup() {
    for f in [
        "read-inventory-response-5.4.xml",
        "read-inventory-response-4g.xml",
        "readfw-response-resigned.xml",
        "readfw-response.xml",
    ] {
        let xml = read(&format!("duis-samples/{f}"));
        let doc = SignedDocument::parse(&xml).unwrap();
        let k = lookup(doc.info())
            .unwrap_or_else(|| panic!("{f}: no certificate for {:?}", doc.info()));
        doc.verify(&k).unwrap_or_else(|e| panic!("{f}: {e}"));
    }
    // the 5.4 sample with the DSP XML signing certificate (same key pair)
    let xml = read("duis-samples/read-inventory-response-5.4.xml");
    verify(&xml, &cert_public_key(DSP)).unwrap();
}

#[test]
fn tampered_samples_fail() {
    let xml = read("duis-samples/readfw-response-badsignature.xml");
    assert_eq!(
        verify(&xml, &cert_public_key(DSP_PRE_141)),
        Err(DsigError::SignatureInvalid)
    );

    let xml = read("duis-samples/readfw-response-invalid.xml");
    let doc = SignedDocument::parse(&xml).unwrap();
    for (file, _, pk) in zaz1_certs() {
        let r = doc.verify(&VerifyingKey::from_sec1(&pk).unwrap());
        assert!(
            matches!(
                r,
                Err(DsigError::DigestMismatch | DsigError::SignatureInvalid)
            ),
            "{file}: {r:?}"
        );
    }
    assert_eq!(
        doc.verify(&key("Z1-accessControlBroker-ds.pem")),
        Err(DsigError::DigestMismatch)
    );

    assert_eq!(
        signature_info(&read("duis-samples/readfw-response-no-serial.xml")),
        Err(DsigError::ProfileViolation(
            ProfileViolation::MissingElement("KeyInfo")
        ))
    );
    for f in [
        "readfw-response-no-signature.xml",
        "acknowledgement-error.xml",
    ] {
        assert_eq!(
            signature_info(&read(&format!("duis-samples/{f}"))),
            Err(DsigError::NoSignature),
            "{f}"
        );
    }
    assert!(matches!(
        signature_info(&read("duis-samples/duis-xxe.xml")),
        Err(DsigError::DtdRefused { offset: 55 })
    ));
}

#[test]
fn unknown_serial_is_reported_and_finds_no_certificate() {
    // KeyInfo is not signed: the serial was edited, the signature itself
    // (by the Z1 ACB key) is intact. The certificate lookup must fail.
    let xml = read("duis-samples/readfw-response-nonexist-serial.xml");
    let doc = SignedDocument::parse(&xml).unwrap();
    assert_eq!(
        doc.info().issuer_serial.serial,
        "217636141832862931915946451229571981153"
    );
    assert!(lookup(doc.info()).is_none());
    assert_eq!(doc.verify(&key(DSP)), Err(DsigError::SignatureInvalid));
    doc.verify(&key("Z1-accessControlBroker-ds.pem")).unwrap();
}

#[test]
fn template_placeholders_are_bad_encodings() {
    let xml = read("duis-samples/ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS-signed.XML");
    assert_eq!(
        signature_info(&xml),
        Err(DsigError::BadValueEncoding {
            field: ValueField::DigestValue,
            problem: EncodingProblem::Length {
                expected: 32,
                actual: 7
            }
        })
    );
}

/// Every one-byte change to the signed part of a real response (the XML
/// declaration included) breaks verification.
#[test]
fn every_one_byte_change_in_signed_content_fails() {
    let xml = read("duis-samples/readfw-response.xml");
    let k = key(DSP_PRE_141);
    let sig_start = signature_info(&xml).unwrap().signature_span.start;
    let mut tried = 0;
    for i in 0..sig_start {
        for replacement in [b'x', b' ', b'"', b'1', b'<', b'&', 0x80] {
            if xml[i] == replacement {
                continue;
            }
            let mut m = xml.clone();
            m[i] = replacement;
            tried += 1;
            assert!(
                xmldsig::verify_with_key(&m, &k).is_err(),
                "byte {i} {:?} -> {replacement:?} still verified",
                xml[i] as char
            );
        }
    }
    assert!(tried > 5000);
}

#[test]
fn every_one_byte_change_in_signed_info_or_value_fails() {
    let xml = read("duis-samples/readfw-response.xml");
    let k = key(DSP_PRE_141);
    let span = signature_info(&xml).unwrap().signature_span;
    let text = std::str::from_utf8(&xml).unwrap();
    let key_info = text.find("<ds:KeyInfo>").unwrap();
    for i in span.start..key_info {
        let mut m = xml.clone();
        m[i] = if xml[i] == b'A' { b'B' } else { b'A' };
        assert!(
            xmldsig::verify_with_key(&m, &k).is_err(),
            "byte {i} changed and still verified"
        );
    }
}

#[test]
fn verify_with_certificate_checks_the_issuer_serial() {
    let xml = read("duis-samples/readfw-response.xml");
    let info = xmldsig::verify_with_certificate(&xml, &cert_der(DSP_PRE_141)).unwrap();
    assert_eq!(
        info.issuer_serial.serial,
        "50669612984035780968362471400449834504"
    );
    assert_eq!(
        xmldsig::verify_with_certificate(&xml, &cert_der(DSP)),
        Err(DsigError::CertificateNotReferenced)
    );
    // the signature is intact, but KeyInfo names another certificate
    let xml = read("duis-samples/readfw-response-nonexist-serial.xml");
    assert_eq!(
        xmldsig::verify_with_certificate(&xml, &cert_der("Z1-accessControlBroker-ds.pem")),
        Err(DsigError::CertificateNotReferenced)
    );
    let xml = read("duis-samples/read-inventory-response-5.4.xml");
    xmldsig::verify_with_certificate(&xml, &cert_der("Z1-accessControlBroker-dSPXmlSign.pem"))
        .unwrap();
    assert!(matches!(
        xmldsig::verify_with_certificate(&xml, b"not a certificate"),
        Err(DsigError::Certificate(_))
    ));
}
