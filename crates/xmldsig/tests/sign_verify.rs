//! Signing round trips and the pinned profile (every departure refused).

#![allow(clippy::unwrap_used)]

mod common;
mod xmlgen;

use common::{cert_der, read, read_str, template_names};
use proptest::prelude::*;
use xmldsig::{
    C14nMethod, DsigError, IssuerSerial, IssuerSerialProblem, ProfileViolation, SignedDocument,
    VerifyingKey, XmlSigner, canonicalize, remove_enveloped_signature, signature_info,
    verify_with_key,
};

fn supplier() -> (XmlSigner, VerifyingKey) {
    let signer = XmlSigner::from_pkcs8_der_with_certificate(
        &read("zaz1/Z1-supplier-ds.key"),
        &cert_der("Z1-supplier-ds.pem"),
    )
    .unwrap();
    let key = VerifyingKey::from_certificate_der(&cert_der("Z1-supplier-ds.pem")).unwrap();
    (signer, key)
}

const SMALL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sr:Request xmlns:sr=\"http://www.dccinterface.co.uk/ServiceUserGateway\" schemaVersion=\"5.4\">\n  <sr:Header><sr:RequestID>90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000</sr:RequestID></sr:Header>\n  <sr:Body><sr:ReadInstantaneousImportRegisters/></sr:Body>\n</sr:Request>\n";

#[test]
fn signer_writes_the_java_issuer_name_and_decimal_serial() {
    let (signer, key) = supplier();
    assert_eq!(signer.issuer_serial().issuer_name, "CN=Z1,OU=07");
    assert_eq!(
        signer.issuer_serial().serial,
        u128::from_str_radix("4FBC525201A1D7586C1BC1C4734DEB9F", 16)
            .unwrap()
            .to_string()
    );
    let signed = signer.sign(SMALL).unwrap();
    let info = verify_with_key(signed.as_bytes(), &key).unwrap();
    assert_eq!(&info.issuer_serial, signer.issuer_serial());
    assert_eq!(info.reference_c14n, C14nMethod::Inclusive);
    // Signature is the last child, declared with prefix ds, input kept byte for byte
    let span = info.signature_span;
    assert_eq!(
        &signed[..span.start],
        SMALL.strip_suffix("</sr:Request>\n").unwrap()
    );
    assert_eq!(&signed[span.end..], "</sr:Request>\n");
    assert!(signed[span].starts_with(
        "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo>"
    ));
}

#[test]
fn every_template_signs_and_verifies_and_is_canonical_stable() {
    let (signer, key) = supplier();
    for name in template_names() {
        let template = read_str(&format!("duis-templates/{name}"));
        let unsigned = remove_enveloped_signature(&template).unwrap();
        let signed = signer.sign(&unsigned).unwrap();
        verify_with_key(signed.as_bytes(), &key).unwrap_or_else(|e| panic!("{name}: {e}"));
        // the root declares xmlns:ds already: not repeated on the Signature
        assert!(signed.contains("<ds:Signature><ds:SignedInfo>"), "{name}");
        // canonical-stable: the inclusive canonical form of the signed
        // document still verifies, and signing a canonical document gives a
        // canonical document
        let c = canonicalize(signed.as_bytes(), C14nMethod::Inclusive).unwrap();
        verify_with_key(&c, &key).unwrap_or_else(|e| panic!("{name} canonicalized: {e}"));
        let canonical_input =
            String::from_utf8(canonicalize(unsigned.as_bytes(), C14nMethod::Inclusive).unwrap())
                .unwrap();
        let signed_canonical = signer.sign(&canonical_input).unwrap();
        let again = canonicalize(signed_canonical.as_bytes(), C14nMethod::Inclusive).unwrap();
        assert_eq!(
            String::from_utf8(again).unwrap(),
            signed_canonical,
            "{name}"
        );
        verify_with_key(signed_canonical.as_bytes(), &key).unwrap();
    }
}

#[test]
fn signer_handles_root_shapes() {
    let (signer, key) = supplier();
    for doc in [
        "<r/>",
        "<r a='1' />",
        "\u{feff}<?xml version='1.0'?><r xmlns='urn:d'>x</r>\n<!-- after -->",
        "<p:r xmlns:p='urn:p' xmlns:ds='urn:not-dsig'><ds:x/></p:r>",
        "<r xmlns:ds='http://www.w3.org/2000/09/xmldsig#'><e>&amp;&lt;&#13;</e></r>",
    ] {
        let signed = signer.sign(doc).unwrap_or_else(|e| panic!("{doc}: {e}"));
        verify_with_key(signed.as_bytes(), &key)
            .unwrap_or_else(|e| panic!("{doc} -> {signed}: {e}"));
    }
    let signed = signer.sign("<r/>").unwrap();
    assert!(
        signed.starts_with("<r><ds:Signature xmlns:ds=") && signed.ends_with("</ds:Signature></r>")
    );
}

#[test]
fn signer_refuses_signed_or_bad_input() {
    let (signer, _) = supplier();
    let signed = signer.sign(SMALL).unwrap();
    assert_eq!(
        signer.sign(&signed),
        Err(DsigError::ProfileViolation(ProfileViolation::AlreadySigned))
    );
    assert!(matches!(
        signer.sign("<!DOCTYPE r><r/>"),
        Err(DsigError::DtdRefused { .. })
    ));
    assert!(matches!(
        signer.sign("<r>"),
        Err(DsigError::MalformedXml { .. })
    ));
}

#[test]
fn signer_construction_checks_inputs() {
    let key_der = read("zaz1/Z1-supplier-ds.key");
    let is = IssuerSerial::new("CN=Z1,OU=07", "12").unwrap();
    assert_eq!(
        XmlSigner::from_pkcs8_der(&key_der[1..], is.clone()).unwrap_err(),
        DsigError::InvalidPrivateKey
    );
    for (name, serial, problem) in [
        ("", "1", IssuerSerialProblem::IssuerName),
        ("CN=a\u{1}", "1", IssuerSerialProblem::IssuerName),
        ("CN=a", "01", IssuerSerialProblem::Serial),
        ("CN=a", "-1", IssuerSerialProblem::Serial),
        ("CN=a", "", IssuerSerialProblem::Serial),
    ] {
        assert_eq!(
            IssuerSerial::new(name, serial),
            Err(DsigError::InvalidIssuerSerial(problem)),
            "{name:?} {serial:?}"
        );
    }
    // PEM key (the DSP key is the one shipped as PEM)
    let pem = read_str("zaz1/dsp-xml-sign-90B3D51F30000002-ds.key.pem");
    let signer = XmlSigner::from_pkcs8_pem(&pem, is.clone()).unwrap();
    let dsp = VerifyingKey::from_certificate_der(&cert_der("dsp-xml-sign-90B3D51F30000002-ds.pem"))
        .unwrap();
    verify_with_key(signer.sign(SMALL).unwrap().as_bytes(), &dsp).unwrap();
    assert!(matches!(
        XmlSigner::from_pkcs8_pem("nothing", is),
        Err(DsigError::Pem(_))
    ));
    assert_eq!(
        XmlSigner::from_pkcs8_der_with_certificate(
            &key_der,
            &cert_der("Z1-networkOperator-ds.pem")
        )
        .unwrap_err(),
        DsigError::KeyCertificateMismatch
    );
    assert_eq!(
        VerifyingKey::from_sec1(&[4; 65]).unwrap_err(),
        DsigError::InvalidPublicKey
    );
    assert_eq!(
        xmldsig::verify(SMALL.as_bytes(), &[1, 2, 3]).unwrap_err(),
        DsigError::InvalidPublicKey
    );
}

fn edit(signed: &str, from: &str, to: &str) -> String {
    assert!(signed.contains(from), "{from} not in {signed}");
    signed.replacen(from, to, 1)
}

fn profile_error(xml: &str) -> ProfileViolation {
    match signature_info(xml.as_bytes()) {
        Err(DsigError::ProfileViolation(v)) => v,
        other => panic!("expected a profile violation, got {other:?} for\n{xml}"),
    }
}

#[test]
fn profile_departures_are_refused() {
    let (signer, key) = supplier();
    let s = signer.sign(SMALL).unwrap();
    const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
    let reference = &s[s.find("<ds:Reference").unwrap()..s.find("</ds:SignedInfo>").unwrap()];

    // placement and count
    assert_eq!(
        profile_error(&edit(&s, "</sr:Request>", "<sr:Extra/></sr:Request>")),
        ProfileViolation::SignatureNotLastChildOfRoot
    );
    assert_eq!(
        profile_error(&edit(&s, "</sr:Request>", "tail</sr:Request>")),
        ProfileViolation::SignatureNotLastChildOfRoot
    );
    assert_eq!(
        profile_error(&edit(&s, "</sr:Request>", "<?pi?></sr:Request>")),
        ProfileViolation::SignatureNotLastChildOfRoot
    );
    let sig = &s[signature_info(s.as_bytes()).unwrap().signature_span];
    let wrapped = s.replace(sig, &format!("<sr:Wrap>{sig}</sr:Wrap>"));
    assert_eq!(
        profile_error(&wrapped),
        ProfileViolation::SignatureNotLastChildOfRoot
    );
    let doubled = edit(&s, "<sr:Body>", &format!("<sr:Body>{sig}"));
    assert_eq!(
        profile_error(&doubled),
        ProfileViolation::MultipleSignatures
    );
    let bare = format!("<ds:Signature xmlns:ds='{DS}'/>");
    assert_eq!(profile_error(&bare), ProfileViolation::SignatureIsRoot);

    // algorithms
    assert!(matches!(
        profile_error(&edit(
            &s,
            "xml-exc-c14n#\"></ds:Canon",
            "xml-exc-c14n#WithComments\"></ds:Canon"
        )),
        ProfileViolation::CanonicalizationMethod(_)
    ));
    assert!(matches!(
        profile_error(&edit(
            &s,
            "xmldsig-more#ecdsa-sha256",
            "xmldsig-more#ecdsa-sha384"
        )),
        ProfileViolation::SignatureMethod(_)
    ));
    assert!(matches!(
        profile_error(&edit(&s, "xmlenc#sha256", "xmldsig#sha1")),
        ProfileViolation::DigestMethod(_)
    ));
    assert!(matches!(
        profile_error(&edit(&s, "URI=\"\"", "URI=\"#body\"")),
        ProfileViolation::ReferenceUri(_)
    ));
    assert_eq!(
        profile_error(&edit(&s, "<ds:Reference URI=\"\">", "<ds:Reference>")),
        ProfileViolation::MissingAttribute {
            element: "Reference",
            attribute: "URI"
        }
    );
    assert_eq!(
        profile_error(&edit(
            &s,
            "</ds:SignedInfo>",
            &format!("{reference}</ds:SignedInfo>")
        )),
        ProfileViolation::MultipleReferences
    );

    // transforms
    let env = "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"></ds:Transform>";
    let xpath =
        "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\"></ds:Transform>";
    let inc = "<ds:Transform Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"></ds:Transform>";
    for bad in [
        String::new(),
        xpath.to_owned(),
        format!("{xpath}{env}"),
        format!("{env}{xpath}"),
        format!("{env}{inc}"),
        format!("{env}{env}"),
    ] {
        assert_eq!(
            profile_error(&edit(&s, env, &bad)),
            ProfileViolation::Transforms,
            "{bad}"
        );
    }
    assert_eq!(
        profile_error(&edit(&s, "<ds:Transforms>", "<ds:Transforms>\n<!-- c -->x")),
        ProfileViolation::UnexpectedContent("Transforms")
    );

    // structure
    assert_eq!(
        profile_error(&edit(
            &s,
            "</ds:KeyInfo>",
            "</ds:KeyInfo><ds:Object>evil</ds:Object>"
        )),
        ProfileViolation::UnexpectedElement {
            parent: "Signature",
            found: "Object".into()
        }
    );
    assert_eq!(
        profile_error(&edit(&s, "<ds:SignedInfo>", "<ds:SignedInfo Foo=\"1\">")),
        ProfileViolation::UnexpectedAttribute {
            element: "SignedInfo",
            attribute: "Foo".into()
        }
    );
    assert_eq!(
        profile_error(&edit(&s, "<ds:X509SerialNumber>", "<ds:X509SerialNumber>-")),
        ProfileViolation::InvalidSerialNumber
    );
    let ki_start = s.find("<ds:KeyInfo>").unwrap();
    let ki_end = s.find("</ds:KeyInfo>").unwrap() + "</ds:KeyInfo>".len();
    let no_ki = format!("{}{}", &s[..ki_start], &s[ki_end..]);
    assert_eq!(
        profile_error(&no_ki),
        ProfileViolation::MissingElement("KeyInfo")
    );
    // a look-alike in another namespace is not the signature element
    let other_ns = edit(
        &s,
        "<ds:SignedInfo>",
        "<ds:SignedInfo xmlns:ds=\"urn:fake\">",
    );
    assert!(matches!(
        profile_error(&other_ns),
        ProfileViolation::UnexpectedElement { .. }
    ));

    // whitespace and comments inside the signature are fine, the value too
    let airy = edit(
        &s,
        "<ds:SignedInfo>",
        "\n  <!-- note -->\n  <ds:SignedInfo>",
    );
    verify_with_key(airy.as_bytes(), &key).unwrap();
    let sv_at = s.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len() + 20;
    let wrapped_value = format!("{}&#13;\n {}", &s[..sv_at], &s[sv_at..]);
    verify_with_key(wrapped_value.as_bytes(), &key).unwrap();
}

#[test]
fn value_encodings_are_checked() {
    let (signer, key) = supplier();
    let s = signer.sign(SMALL).unwrap();
    let dv = s.find("<ds:DigestValue>").unwrap() + "<ds:DigestValue>".len();
    let short = format!("{}{}", &s[..dv], &s[dv + 4..]);
    assert!(matches!(
        signature_info(short.as_bytes()),
        Err(DsigError::BadValueEncoding { .. })
    ));
    let bad = format!("{}*{}", &s[..dv], &s[dv + 1..]);
    assert!(matches!(
        signature_info(bad.as_bytes()),
        Err(DsigError::BadValueEncoding { .. })
    ));
    // a DER signature (not raw r||s) is refused as an encoding error
    let sv = s.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
    let sv_end = s.find("</ds:SignatureValue>").unwrap();
    let der_like = format!(
        "{}{}{}",
        &s[..sv],
        "MEUCIQ".to_owned() + &"A".repeat(90),
        &s[sv_end..]
    );
    assert!(matches!(
        signature_info(der_like.as_bytes()),
        Err(DsigError::BadValueEncoding { .. })
    ));
    // flipping a digest character is a digest mismatch
    let c = if &s[dv..=dv] == "A" { "B" } else { "A" };
    let flipped = format!("{}{c}{}", &s[..dv], &s[dv + 1..]);
    assert_eq!(
        verify_with_key(flipped.as_bytes(), &key).unwrap_err(),
        DsigError::DigestMismatch
    );
}

#[test]
fn signed_document_parses_once_for_lookup_then_verifies() {
    let (signer, key) = supplier();
    let s = signer.sign(SMALL).unwrap();
    let doc = SignedDocument::parse(s.as_bytes()).unwrap();
    assert_eq!(&doc.info().issuer_serial, signer.issuer_serial());
    doc.verify(&key).unwrap();
    doc.verify(&key).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any generated document signs, verifies, and stops verifying when any
    /// character of its signed text content changes.
    #[test]
    fn generated_documents_round_trip(doc in xmlgen::doc(), pick in any::<prop::sample::Index>()) {
        let (signer, key) = supplier();
        let xml = doc.to_xml(true);
        let signed = signer.sign(&xml).unwrap();
        verify_with_key(signed.as_bytes(), &key).unwrap();
        // change one letter or digit of the signed part
        // (comments are not signed: leave them alone)
        let sig_start = signature_info(signed.as_bytes()).unwrap().signature_span.start;
        let in_comment = |i: usize| {
            signed[..i].rfind("<!--").is_some_and(|open| signed[open..i].find("-->").is_none())
        };
        let candidates: Vec<usize> = signed[..sig_start]
            .char_indices()
            .filter(|&(i, c)| c.is_ascii_alphanumeric() && !in_comment(i))
            .map(|(i, _)| i)
            .collect();
        prop_assume!(!candidates.is_empty());
        let i = candidates[pick.index(candidates.len())];
        let replacement = if &signed[i..=i] == "q" { "w" } else { "q" };
        let mutated = format!("{}{replacement}{}", &signed[..i], &signed[i + 1..]);
        prop_assert!(verify_with_key(mutated.as_bytes(), &key).is_err(), "mutation at {} verified:\n{}", i, mutated);
    }
}
