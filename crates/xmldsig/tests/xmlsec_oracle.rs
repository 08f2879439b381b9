//! Interoperability with xmlsec1 (Debian xmlsec1, libxml2 + OpenSSL): our
//! signatures verify there, and its signatures (implicit inclusive or
//! explicit exclusive c14n, with InclusiveNamespaces prefix lists) verify
//! here.

#![allow(clippy::unwrap_used)]

mod common;
mod xmlgen;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{cert_der, corpus, read, read_str, require_tool, template_names};
use proptest::prelude::*;
use xmldsig::{
    C14nMethod, DsigError, VerifyingKey, XmlSigner, remove_enveloped_signature, verify_with_key,
};

fn supplier_pem() -> PathBuf {
    corpus().join("zaz1/Z1-supplier-ds.pem")
}

fn supplier_signer() -> XmlSigner {
    XmlSigner::from_pkcs8_der_with_certificate(
        &read("zaz1/Z1-supplier-ds.key"),
        &cert_der("Z1-supplier-ds.pem"),
    )
    .unwrap()
}

fn supplier_key() -> VerifyingKey {
    VerifyingKey::from_certificate_der(&cert_der("Z1-supplier-ds.pem")).unwrap()
}

/// `xmlsec1 --verify` with the certificate's key; true when it says OK.
fn xmlsec_verify(dir: &Path, xml: &str, cert_pem: &Path) -> bool {
    let file = dir.join("doc.xml");
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("xmlsec1")
        .arg("--verify")
        .arg("--pubkey-cert-pem")
        .arg(cert_pem)
        .arg(&file)
        .output()
        .unwrap();
    out.status.success()
}

/// `xmlsec1 --sign` of a template with the Z1 supplier private key.
fn xmlsec_sign(dir: &Path, template: &str) -> Result<String, String> {
    let file = dir.join("tmpl.xml");
    let out_file = dir.join("signed.xml");
    std::fs::write(&file, template).unwrap();
    let out = Command::new("xmlsec1")
        .arg("--sign")
        .arg("--privkey-der")
        .arg(corpus().join("zaz1/Z1-supplier-ds.key"))
        .arg("--output")
        .arg(&out_file)
        .arg(&file)
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(std::fs::read_to_string(out_file).unwrap())
}

#[test]
fn our_signatures_on_every_template_verify_with_xmlsec1() {
    if !require_tool("xmlsec1", "xmlsec1") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let signer = supplier_signer();
    for name in template_names() {
        let unsigned =
            remove_enveloped_signature(&read_str(&format!("duis-templates/{name}"))).unwrap();
        let signed = signer.sign(&unsigned).unwrap();
        assert!(
            xmlsec_verify(dir.path(), &signed, &supplier_pem()),
            "{name}: xmlsec1 rejects our signature"
        );
    }
}

#[test]
fn xmlsec1_rejects_tampering_and_other_keys() {
    if !require_tool("xmlsec1", "xmlsec1") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let name = &template_names()[0];
    let unsigned =
        remove_enveloped_signature(&read_str(&format!("duis-templates/{name}"))).unwrap();
    let signed = supplier_signer().sign(&unsigned).unwrap();
    assert!(xmlsec_verify(dir.path(), &signed, &supplier_pem()));
    let tampered = signed.replacen("<sr:CommandVariant>", "<sr:CommandVariant>1", 1);
    assert_ne!(tampered, signed);
    assert!(!xmlsec_verify(dir.path(), &tampered, &supplier_pem()));
    let other = corpus().join("zaz1/Z1-networkOperator-ds.pem");
    assert!(!xmlsec_verify(dir.path(), &signed, &other));
}

#[test]
fn canonicalized_signed_documents_still_verify_with_xmlsec1() {
    if !require_tool("xmlsec1", "xmlsec1") || !require_tool("xmllint", "libxml2-utils") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let signer = supplier_signer();
    for name in template_names().iter().step_by(25) {
        let unsigned =
            remove_enveloped_signature(&read_str(&format!("duis-templates/{name}"))).unwrap();
        let signed = signer.sign(&unsigned).unwrap();
        let c14n = common::xmllint("--c14n", common::strip_comments(&signed).as_bytes()).unwrap();
        let c14n = String::from_utf8(c14n).unwrap();
        assert!(xmlsec_verify(dir.path(), &c14n, &supplier_pem()), "{name}");
        verify_with_key(c14n.as_bytes(), &supplier_key()).unwrap();
    }
}

const DS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// A signature template for xmlsec1; `exclusive` adds the explicit exc-c14n
/// transform, `prefixes` InclusiveNamespaces lists.
fn template(exclusive: bool, si_prefixes: &str, ref_prefixes: &str) -> String {
    let ec = |list: &str| {
        if list.is_empty() {
            String::new()
        } else {
            format!(
                "<ec:InclusiveNamespaces xmlns:ec=\"http://www.w3.org/2001/10/xml-exc-c14n#\" PrefixList=\"{list}\"/>"
            )
        }
    };
    let exc_transform = if exclusive {
        format!(
            "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\">{}</ds:Transform>",
            ec(ref_prefixes)
        )
    } else {
        String::new()
    };
    format!(
        "<ds:Signature xmlns:ds=\"{DS}\"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\">{}</ds:CanonicalizationMethod><ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256\"/><ds:Reference URI=\"\"><ds:Transforms><ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>{exc_transform}</ds:Transforms><ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>CN=Z1,OU=07</ds:X509IssuerName><ds:X509SerialNumber>1</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data></ds:KeyInfo></ds:Signature>",
        ec(si_prefixes)
    )
}

#[test]
fn xmlsec1_signatures_on_templates_verify_here() {
    if !require_tool("xmlsec1", "xmlsec1") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (i, name) in template_names().iter().enumerate().step_by(7) {
        let unsigned =
            remove_enveloped_signature(&read_str(&format!("duis-templates/{name}"))).unwrap();
        let exclusive = i % 2 == 0;
        let tmpl = template(
            exclusive,
            if exclusive { "sr xsi" } else { "" },
            if exclusive { "xsi #default" } else { "" },
        );
        let at = unsigned.rfind("</sr:Request>").unwrap();
        let doc = format!("{}{tmpl}{}", &unsigned[..at], &unsigned[at..]);
        let signed = xmlsec_sign(dir.path(), &doc).unwrap();
        let info = verify_with_key(signed.as_bytes(), &supplier_key())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected = if exclusive {
            C14nMethod::Exclusive
        } else {
            C14nMethod::Inclusive
        };
        assert_eq!(info.reference_c14n, expected);
        // and the tampered document is refused
        let tampered = signed.replacen("<sr:ServiceReference>", "<sr:ServiceReference>9", 1);
        assert_eq!(
            verify_with_key(tampered.as_bytes(), &supplier_key()),
            Err(DsigError::DigestMismatch)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// xmlsec1 signs generated documents (varied namespaces, escapes,
    /// prefix lists); we verify. We sign them; xmlsec1 verifies.
    #[test]
    fn generated_documents_interoperate(
        doc in xmlgen::doc(),
        exclusive in any::<bool>(),
        si_list in prop::sample::subsequence(vec!["a", "b", "ns3", "#default"], 0..3),
        ref_list in prop::sample::subsequence(vec!["a", "b", "ns3", "#default"], 0..3),
    ) {
        if !require_tool("xmlsec1", "xmlsec1") {
            return Ok(());
        }
        let dir = tempfile::tempdir().unwrap();
        let tmpl = template(exclusive, &si_list.join(" "), &ref_list.join(" "));
        let xml = doc.to_xml_with_last_child(true, &tmpl);
        let signed = xmlsec_sign(dir.path(), &xml).map_err(|e| TestCaseError::fail(format!("{e}\n{xml}")))?;
        let r = verify_with_key(signed.as_bytes(), &supplier_key());
        prop_assert!(r.is_ok(), "{:?} on xmlsec1-signed\n{}", r, signed);

        let ours = supplier_signer().sign(&doc.to_xml(true)).unwrap();
        prop_assert!(xmlsec_verify(dir.path(), &ours, &supplier_pem()), "xmlsec1 rejects\n{}", ours);
    }
}

#[test]
fn xmlsec1_signature_in_the_default_namespace_verifies_here() {
    if !require_tool("xmlsec1", "xmlsec1") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tmpl = template(false, "", "")
        .replace("ds:", "")
        .replace("xmlns:ds=", "xmlns=");
    for exclusive in [false, true] {
        let tmpl = if exclusive {
            tmpl.replace(
                "<Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>",
                "<Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/><Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
            )
        } else {
            tmpl.clone()
        };
        let doc = format!(
            "<r xmlns='urn:d' xmlns:p='urn:p' xmlns:ds='{DS}'><p:a x='1'>t</p:a><b xmlns=''><c/></b>{tmpl}</r>"
        );
        let signed = xmlsec_sign(dir.path(), &doc).unwrap();
        assert!(
            signed.contains("<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><SignedInfo>")
        );
        let info = verify_with_key(signed.as_bytes(), &supplier_key()).unwrap();
        assert_eq!(info.reference_c14n == C14nMethod::Exclusive, exclusive);
    }
}
