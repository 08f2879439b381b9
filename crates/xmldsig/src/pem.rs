//! Minimal PEM (RFC 7468) decoding for keys and certificates.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::error::{DsigError, PemError};

/// Decodes the first PEM block whose label is one of `labels`.
pub(crate) fn decode(pem: &str, labels: &[&'static str]) -> Result<Vec<u8>, DsigError> {
    let missing = DsigError::Pem(PemError::MissingBlock(
        labels.first().copied().unwrap_or(""),
    ));
    let mut best: Option<(usize, &str)> = None;
    for &label in labels {
        let begin = format!("-----BEGIN {label}-----");
        if let Some(at) = pem.find(&begin)
            && best.is_none_or(|(b, _)| at < b)
        {
            best = Some((at, label));
        }
    }
    let (at, label) = best.ok_or(missing)?;
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let body_start = at + begin.len();
    let rest = pem.get(body_start..).unwrap_or_default();
    let body_len = rest
        .find(&end)
        .ok_or(DsigError::Pem(PemError::Unterminated))?;
    let body: String = rest
        .get(..body_len)
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    B64.decode(body.as_bytes())
        .map_err(|_| DsigError::Pem(PemError::Base64))
}

/// Decodes a PEM `CERTIFICATE` block into DER.
///
/// # Errors
/// [`DsigError::Pem`].
pub fn certificate_pem_to_der(pem: &str) -> Result<Vec<u8>, DsigError> {
    decode(pem, &["CERTIFICATE"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_rejects() {
        let pem = "junk\n-----BEGIN PRIVATE KEY-----\nAQID\nBA==\n-----END PRIVATE KEY-----\n";
        assert_eq!(
            decode(pem, &["EC PRIVATE KEY", "PRIVATE KEY"]).unwrap(),
            vec![1, 2, 3, 4]
        );
        assert_eq!(
            decode(pem, &["CERTIFICATE"]),
            Err(DsigError::Pem(PemError::MissingBlock("CERTIFICATE")))
        );
        assert_eq!(
            decode("-----BEGIN CERTIFICATE-----\nAQID", &["CERTIFICATE"]),
            Err(DsigError::Pem(PemError::Unterminated))
        );
        assert_eq!(
            decode(
                "-----BEGIN CERTIFICATE-----\n*\n-----END CERTIFICATE-----",
                &["CERTIFICATE"]
            ),
            Err(DsigError::Pem(PemError::Base64))
        );
    }
}
