//! The user side: sign DUIS requests with an SMKI organisation key and send them to the DCC
//! over mutually authenticated TLS.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use duis::Endpoint;

use crate::manifest::{Manifest, UserEntry};

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))
}

/// Signs an unsigned DUIS document (any existing `ds:Signature` must have been removed) with the
/// key whose SMKI certificate is `cert_pem`.
pub fn sign(unsigned_xml: &str, key_pem: &str, cert_pem: &str) -> Result<String, String> {
    let cert_der = pem_cert_der(cert_pem)?;
    let (issuer_serial, _) = xmldsig::issuer_serial_of_cert(&cert_der)
        .map_err(|e| format!("signing certificate: {e}"))?;
    let signer = xmldsig::XmlSigner::from_pkcs8_pem(key_pem, issuer_serial)
        .map_err(|e| format!("signing key: {e}"))?;
    signer
        .sign(unsigned_xml)
        .map_err(|e| format!("signing: {e}"))
}

/// Signs with a manifest user's keys.
pub fn sign_as(user: &UserEntry, unsigned_xml: &str) -> Result<String, String> {
    sign(
        unsigned_xml,
        &read(&user.signing_key)?,
        &read(&user.signing_cert)?,
    )
}

pub fn pem_cert_der(pem: &str) -> Result<Vec<u8>, String> {
    rustls_pemfile::certs(&mut pem.as_bytes())
        .next()
        .ok_or_else(|| "no certificate in PEM".to_string())?
        .map(|c| c.as_ref().to_vec())
        .map_err(|e| format!("reading certificate PEM: {e}"))
}

/// An HTTP client that presents `user`'s DCCKI certificate and trusts only the DCC's TLS CA.
pub fn http_client(
    manifest: &Manifest,
    user: Option<&UserEntry>,
) -> Result<reqwest::Client, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    let ca_pem = read(&manifest.tls_ca)?;
    for c in rustls_pemfile::certs(&mut ca_pem.as_bytes()) {
        let c = c.map_err(|e| format!("TLS CA: {e}"))?;
        roots.add(c).map_err(|e| format!("TLS CA: {e}"))?;
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots);
    let config = match user {
        Some(u) => {
            let cert_pem = read(&u.tls_cert)?;
            let certs = rustls_pemfile::certs(&mut cert_pem.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("TLS client certificate: {e}"))?;
            let key_pem = read(&u.tls_key)?;
            let key = rustls_pemfile::private_key(&mut key_pem.as_bytes())
                .map_err(|e| format!("TLS client key: {e}"))?
                .ok_or("no private key in the TLS key file")?;
            builder
                .with_client_auth_cert(certs, key)
                .map_err(|e| format!("TLS client credentials: {e}"))?
        }
        None => builder.with_no_client_auth(),
    };
    reqwest::Client::builder()
        .use_preconfigured_tls(config)
        .build()
        .map_err(|e| e.to_string())
}

/// The endpoint a DUIS request goes to, from its command variant.
pub fn endpoint_for(xml: &[u8]) -> Result<Endpoint, String> {
    let req = duis::parse_request(xml).map_err(|e| format!("not a DUIS request: {e}"))?;
    Ok(req.header.command_variant.endpoint())
}

/// Posts a signed DUIS request; returns the HTTP status and the body.
pub async fn send(
    client: &reqwest::Client,
    base_url: &str,
    endpoint: Endpoint,
    body: String,
) -> Result<(u16, String), String> {
    let url = format!("{}{}", base_url.trim_end_matches('/'), endpoint.path());
    let resp = client
        .post(&url)
        .header("content-type", "application/xml")
        .body(body)
        .send()
        .await
        .map_err(|e| format!("POST {url}: {e}"))?;
    let status = resp.status().as_u16();
    let text = resp
        .text()
        .await
        .map_err(|e| format!("reading response: {e}"))?;
    Ok((status, text))
}

/// The text of the first `<…:Name>` element in a document (for showing what arrived).
pub fn element_text<'a>(xml: &'a str, local: &str) -> Option<&'a str> {
    let mut rest = xml;
    loop {
        let start = rest.find('<')?;
        rest = rest.get(start + 1..)?;
        let end = rest.find('>')?;
        let tag = rest.get(..end)?;
        let name = tag.split_whitespace().next().unwrap_or("");
        let bare = name.rsplit(':').next().unwrap_or(name);
        if bare == local && !tag.ends_with('/') && !name.starts_with('/') {
            let body = rest.get(end + 1..)?;
            let close = body.find("</")?;
            return body.get(..close);
        }
        rest = rest.get(end + 1..)?;
    }
}

/// Builds the Signed Pre-Command (command variant 5) answering a critical request's pre-command:
/// the user's GBCS signature over the pre-command, in a DUIS request carrying the RequestID of the
/// original request. `precommand_response` is the DUIS response the DCC returned for CV 4.
pub fn signed_precommand_request(
    precommand_response: &str,
    gbcs_signing_key_pem: &str,
) -> Result<String, String> {
    use base64::Engine as _;
    let rid = element_text(precommand_response, "RequestID")
        .ok_or(
            "the document has no RequestID: is it the DCC's answer to a command variant 4 request?",
        )?
        .trim();
    let sr = element_text(precommand_response, "ServiceReference")
        .ok_or("the document has no ServiceReference")?
        .trim();
    let srv = element_text(precommand_response, "ServiceReferenceVariant")
        .ok_or("the document has no ServiceReferenceVariant")?
        .trim();
    let precommand = element_text(precommand_response, "GBCSPayload")
        .ok_or("the document carries no PreCommand GBCSPayload")?;
    let compact: String = precommand.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.replace("&#13;", ""))
        .map_err(|e| format!("the pre-command is not base64: {e}"))?;
    let apdu = gbcs::frame::GeneralSigning::decode(&bytes)
        .map_err(|e| format!("the pre-command is not a GBCS general-signing APDU: {e}"))?;
    let key_der = smki::KeyPair::from_pkcs8_pem(gbcs_signing_key_pem)
        .and_then(|k| k.to_pkcs8_der().map(|d| d.to_vec()))
        .map_err(|e| format!("signing key: {e}"))?;
    let key =
        gbcs::crypto::SigningKey::from_der(&key_der).map_err(|e| format!("signing key: {e}"))?;
    let signed = apdu
        .sign(&key)
        .map_err(|e| format!("signing the pre-command: {e}"))?;
    let payload = base64::engine::general_purpose::STANDARD.encode(signed.encode());
    Ok(format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4">"#,
            "<sr:Header><sr:RequestID>{rid}</sr:RequestID><sr:CommandVariant>5</sr:CommandVariant>",
            "<sr:ServiceReference>{sr}</sr:ServiceReference>",
            "<sr:ServiceReferenceVariant>{srv}</sr:ServiceReferenceVariant></sr:Header>",
            "<sr:Body><sr:SignedPreCommand><sr:GBCSPayload>{payload}</sr:GBCSPayload></sr:SignedPreCommand></sr:Body>",
            "</sr:Request>"
        ),
        rid = xml_text(rid),
        sr = xml_text(sr),
        srv = xml_text(srv),
        payload = payload
    ))
}

fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// What a user can read from a device's answer: who sent it, which use case, whether its MAC or
/// signature verifies with the user's and the device's keys, and the decoded payload.
pub fn decode_device_payload(
    manifest: &Manifest,
    user: &UserEntry,
    document: &str,
) -> Result<String, String> {
    use base64::Engine as _;
    use std::fmt::Write as _;
    let b64 = element_text(document, "GBCSPayload").ok_or("the document carries no GBCSPayload")?;
    let compact: String = b64
        .replace("&#13;", "")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|e| format!("GBCSPayload is not base64: {e}"))?;
    let frame =
        gbcs::frame::Frame::decode(&bytes).map_err(|e| format!("not a GBCS message: {e}"))?;
    let (apdu, ciphered) = match &frame {
        gbcs::frame::Frame::Ciphered(c) => (c.apdu.clone(), Some(c)),
        gbcs::frame::Frame::Signing(s) => (s.clone(), None),
    };
    let mut out = String::new();
    let code = apdu.message_code();
    let _ = writeln!(
        out,
        "{:?} {} counter {} from {} to {}",
        apdu.cra,
        code.use_case().unwrap_or("(unknown use case)"),
        apdu.counter,
        apdu.originator,
        apdu.recipient
    );
    let device = manifest.device(&apdu.originator.to_string());
    let cert_key = |p: &Option<PathBuf>| -> Option<gbcs::crypto::PublicKey> {
        let pem = std::fs::read_to_string(p.as_ref()?).ok()?;
        gbcs::crypto::PublicKey::from_certificate_der(&pem_cert_der(&pem).ok()?).ok()
    };
    if let Some(c) = ciphered {
        let verdict = match (
            device.and_then(|d| cert_key(&d.ka_cert)),
            std::fs::read_to_string(&user.ka_key),
        ) {
            (Some(device_ka), Ok(pem)) => {
                let der = smki::KeyPair::from_pkcs8_pem(&pem)
                    .and_then(|k| k.to_pkcs8_der().map(|d| d.to_vec()))
                    .map_err(|e| e.to_string())?;
                let mine = gbcs::crypto::KaPrivateKey::from_der(&der).map_err(|e| e.to_string())?;
                let key = mine
                    .derive(&device_ka, &gbcs::crypto::KdfContext::for_mac(&c.apdu))
                    .map_err(|e| e.to_string())?;
                if c.verify_mac(&key).is_ok() {
                    "MAC verified"
                } else {
                    "MAC DOES NOT VERIFY"
                }
            }
            _ => "MAC not checked (no key-agreement keys for this pair)",
        };
        let _ = writeln!(out, "{verdict}");
    }
    if let gbcs::frame::SignatureField::Signed(_) = apdu.signature {
        let verdict = match device.and_then(|d| cert_key(&d.ds_cert)) {
            Some(k) if apdu.verify_signature(&k).is_ok() => "device signature verified",
            Some(_) => "device signature DOES NOT VERIFY",
            None => "signature not checked (no device certificate)",
        };
        let _ = writeln!(out, "{verdict}");
    }
    let _ = writeln!(out, "{:#?}", gbcs::Payload::decode(apdu.cra, &apdu.content));
    Ok(out)
}

/// `opendcc client utrn`: the UTRN (`gbcs::utrn`) `user` issues for `device`: its number `n`
/// (counter `n` × 2³²), the value (pennies, or pounds), MAC'd with the user's key-agreement key
/// and the meter's key-agreement certificate from the manifest. Returns the UTRN and its
/// counter.
pub fn utrn(
    manifest: &Manifest,
    user: &UserEntry,
    device: &str,
    n: u32,
    value: u16,
    pounds: bool,
) -> Result<(String, u64), String> {
    let meter: eui::Eui64 = device.parse().map_err(|e| format!("{e}"))?;
    let originator: eui::Eui64 = user.eui.parse().map_err(|e| format!("{e}"))?;
    let entry = manifest
        .device(&meter.to_string())
        .ok_or_else(|| format!("{meter} is not in the manifest"))?;
    let cert = entry
        .ka_cert
        .as_ref()
        .ok_or_else(|| format!("the manifest has no key-agreement certificate for {meter}"))?;
    let pem = std::fs::read_to_string(cert).map_err(|e| format!("{}: {e}", cert.display()))?;
    let meter_ka = gbcs::crypto::PublicKey::from_certificate_der(&pem_cert_der(&pem)?)
        .map_err(|e| e.to_string())?;
    let pem = std::fs::read_to_string(&user.ka_key)
        .map_err(|e| format!("{}: {e}", user.ka_key.display()))?;
    let der = smki::KeyPair::from_pkcs8_pem(&pem)
        .and_then(|k| k.to_pkcs8_der().map(|d| d.to_vec()))
        .map_err(|e| e.to_string())?;
    let key = gbcs::crypto::KaPrivateKey::from_der(&der).map_err(|e| e.to_string())?;
    let counter = u64::from(n) << 32;
    let class = if pounds {
        gbcs::utrn::ValueClass::Pounds
    } else {
        gbcs::utrn::ValueClass::Pennies
    };
    let utrn = gbcs::utrn::build(&key, &meter_ka, originator, meter, counter, class, value)
        .map_err(|e| e.to_string())?;
    Ok((utrn, counter))
}
