//! The user's parse and correlate: `client decode --mmc` (a DUIS response or alert's GBCS
//! payload as MMC XML, opening sensitive responses with the user's key-agreement key) and the
//! check `client sign-precommand` makes before signing (the pre-command against the original
//! request). The rules are the pure `mmc` crate's; this is the file and key handling around it.

use std::path::{Path, PathBuf};

use duis::RequestId;

use crate::client::{element_text, pem_cert_der};
use crate::manifest::{Manifest, UserEntry};

/// Where the keys for opening sensitive responses come from.
#[derive(Debug, Clone, Default)]
pub struct KeySources<'a> {
    /// The manifest (device KA certificates: the DCC's record of the devices).
    pub manifest: Option<&'a Manifest>,
    /// The manifest user (their KA private key).
    pub user: Option<&'a UserEntry>,
    /// `--ka-key`: the user's KA private key, PKCS#8 PEM (overrides the user's).
    pub ka_key: Option<PathBuf>,
    /// `--device-ka-cert`: the device's KA certificate, PEM (overrides the manifest's).
    pub device_ka_cert: Option<PathBuf>,
}

/// One rendered document.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The MMC XML, if the document carried a GBCS payload.
    pub xml: Option<String>,
    /// What could not be opened or mapped (for standard error).
    pub notes: Vec<String>,
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))
}

fn ka_private(path: &Path) -> Result<gbcs::KaPrivateKey, String> {
    let pem = read(path)?;
    let der = smki::KeyPair::from_pkcs8_pem(&pem)
        .and_then(|k| k.to_pkcs8_der().map(|d| d.to_vec()))
        .map_err(|e| format!("{}: not a PKCS#8 EC private key: {e}", path.display()))?;
    gbcs::KaPrivateKey::from_der(&der)
        .map_err(|e| format!("{}: not a key-agreement key: {e}", path.display()))
}

fn ka_public(path: &Path) -> Result<gbcs::PublicKey, String> {
    let der = pem_cert_der(&read(path)?).map_err(|e| format!("{}: {e}", path.display()))?;
    gbcs::PublicKey::from_certificate_der(&der)
        .map_err(|e| format!("{}: no P-256 key in the certificate: {e}", path.display()))
}

fn b64(text: &str) -> Result<Vec<u8>, String> {
    use base64::Engine as _;
    let compact: String = text
        .replace("&#13;", "")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|e| format!("GBCSPayload is not base64: {e}"))
}

/// Renders one DUIS document (a response or an alert) as MMC.
pub fn decode_mmc(keys: &KeySources<'_>, document: &str) -> Result<Decoded, String> {
    let Some(payload) = element_text(document, "GBCSPayload") else {
        if let Some(code) = element_text(document, "DCCAlertCode") {
            return Ok(Decoded {
                xml: None,
                notes: vec![format!(
                    "DCC alert {}: a DCC alert carries no GBCS payload, so it has no MMC form; \
                     the DUIS document is its readable form",
                    code.trim()
                )],
            });
        }
        return Err(
            "the document carries no GBCSPayload (not a device response or alert)".to_string(),
        );
    };
    if element_text(document, "PreCommand").is_some() {
        return Err(
            "the document carries a pre-command (a command, not a response or an alert): sign it \
             with `client sign-precommand`"
                .to_string(),
        );
    }
    let bytes = b64(payload)?;
    let apdu = match gbcs::Frame::decode(&bytes).map_err(|e| format!("not a GBCS message: {e}"))? {
        gbcs::Frame::Ciphered(c) => c.apdu,
        gbcs::Frame::Signing(s) => s,
    };
    let mut notes = Vec::new();
    // The user's key: --ka-key, else the manifest user's.
    let user_key = match (&keys.ka_key, keys.user) {
        (Some(p), _) => Some(ka_private(p)?),
        (None, Some(u)) => match ka_private(&u.ka_key) {
            Ok(k) => Some(k),
            Err(e) => {
                notes.push(format!("the user's key-agreement key: {e}"));
                None
            }
        },
        (None, None) => None,
    };
    if let Some(u) = keys.user
        && keys.ka_key.is_none()
        && !u.eui.eq_ignore_ascii_case(&apdu.recipient.to_string())
        && apdu.cra == gbcs::Cra::Response
    {
        notes.push(format!(
            "the response is addressed to {}, not to user {} ({})",
            apdu.recipient, u.name, u.eui
        ));
    }
    // The device's KA certificate: --device-ka-cert, else the DCC's record in the manifest.
    let device = apdu.originator.to_string();
    let device_key = match &keys.device_ka_cert {
        Some(p) => Some(ka_public(p)?),
        None => keys
            .manifest
            .and_then(|m| m.device(&device))
            .and_then(|d| d.ka_cert.as_ref())
            .and_then(|p| ka_public(p).ok()),
    };
    let ctx = mmc::Context {
        service_reference: element_text(document, "ServiceReference").map(str::trim),
        service_reference_variant: element_text(document, "ServiceReferenceVariant").map(str::trim),
        keys: match (&user_key, &device_key) {
            (Some(k), Some(d)) => Some(mmc::Keys {
                requester_ka: k,
                device_ka: d,
            }),
            _ => None,
        },
    };
    let r = mmc::render_apdu(&apdu, matches!(bytes.first(), Some(0xDD)), &ctx)
        .map_err(|e| e.to_string())?;
    if r.sealed {
        if user_key.is_none() {
            notes.push(
                "no key-agreement private key: give --ka-key PEM (or --manifest and --user)"
                    .to_string(),
            );
        }
        if device_key.is_none() {
            notes.push(format!(
                "no key-agreement certificate for device {device}: give --device-ka-cert PEM (or \
                 a manifest that records it)"
            ));
        }
    }
    notes.extend(r.notes);
    Ok(Decoded {
        xml: Some(r.xml),
        notes,
    })
}

/// The documents `path` names: a file, `-` (standard input, read by the caller), or every file
/// in a directory (as `client listen --out` saves them), sorted.
pub fn documents(path: &Path) -> Result<Vec<PathBuf>, String> {
    if path.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        v.sort();
        Ok(v)
    } else {
        Ok(vec![path.to_path_buf()])
    }
}

/// Correlates the pre-command in `precommand_response` (the DCC's answer to the CV 4 request)
/// with `request` (the original request): `Ok` only if it is what the request asked.
pub fn check_precommand(request: &str, precommand_response: &str) -> Result<String, String> {
    let req = duis::parse_request(request.as_bytes())
        .map_err(|e| format!("--request is not a DUIS request: {e}"))?;
    let rid = element_text(precommand_response, "RequestID")
        .ok_or("the pre-command document has no RequestID")?
        .trim()
        .parse::<RequestId>()
        .map_err(|e| format!("the pre-command document's RequestID: {e}"))?;
    let payload = element_text(precommand_response, "GBCSPayload")
        .ok_or("the document carries no PreCommand GBCSPayload")?;
    let apdu = gbcs::GeneralSigning::decode(&b64(payload)?)
        .map_err(|e| format!("the pre-command is not a GBCS general-signing APDU: {e}"))?;
    let decoded = mmc::correlate::correlate(&req, Some(&rid), &apdu)
        .map_err(|e| format!("the pre-command does not match the request, not signing: {e}"))?;
    Ok(decoded.spec().name.to_string())
}
