//! The user side: sign DUIS requests with an SMKI organisation key and send them to the DCC
//! over mutually authenticated TLS.

use std::path::Path;
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
