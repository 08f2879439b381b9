//! CS02c Issue Security Credentials (DUIS 6.17) and CS02d Update Device Certificates on Device
//! (DUIS 6.15.2): the device generates a new P-256 digital signing key pair (the randomness
//! drawn from the operating system, as aws-lc-rs draws the ECDSA nonces), keeps it pending in
//! [`crate::config::credentials::CredentialsState`] and answers with its PKCS#10 certificate
//! signing request (`gbcs::usecases::cs02c`: empty subject, keyUsage, the device's EUI as
//! hardwareModuleName, signed with the new key); CS02d places the Device certificate the SMKI
//! service issued for it, after which every signed response and alert is signed with the new
//! key.
//!
//! Refusals answer their response code ([`cs02c::response_code`]) and change nothing: CS02c
//! for a key agreement pair `invalidKeyUsage` (the emulated device renews its signing key
//! only; the RTDS ERROR vector asks for keyAgreement and gets that code); CS02d with no
//! pending key pair `noCorrespondingKeyPairGenerated`, a certificate that is not an SMKI Device
//! certificate `invalidCertificate` (`invalidKeyUsage` when its keyUsage is not one usage, as
//! the RTDS ERROR vector), not this device's `wrongDeviceIdentity`, not for the pending pair's
//! key usage `invalidKeyUsage` or public key `wrongPublicKey`, not issued by one of the device
//! CAs the device knows (another PKI's) `invalidCertificate`.

use gbcs::SigningKey;
use gbcs::credentials::KEY_USAGE_DS;
use gbcs::usecases::cs02c::response_code as rc;
use gbcs::usecases::{cs02c, cs02d};
use std::sync::Arc;

use crate::EmulatedDevice;
use crate::config::credentials::{GeneratedKeyPair, PlacedCredentials};
use crate::exec::{Execution, done};

impl EmulatedDevice {
    /// Executes a decoded CS02c (module documentation).
    pub(crate) fn cs02c(&mut self, key_usage: u8) -> Option<Execution> {
        let refuse = |code| done(cs02c::failure_content(code), false);
        if key_usage != KEY_USAGE_DS {
            return refuse(rc::INVALID_KEY_USAGE);
        }
        let Ok(pair) = smki::KeyPair::generate_with_os_rng() else {
            return refuse(rc::KEY_PAIR_GENERATION_FAILED);
        };
        let (Ok(pkcs8), Ok(csr)) = (
            pair.to_pkcs8_der(),
            smki::csr::build_device_csr(&pair, self.identity.eui, smki::KeyUsage::DigitalSignature),
        ) else {
            return refuse(rc::CR_PRODUCTION_FAILED);
        };
        self.state.config.credentials.pending = Some(GeneratedKeyPair {
            key_usage,
            private_pkcs8: pkcs8.to_vec(),
            public_sec1: pair.public_key().to_sec1_uncompressed().to_vec(),
        });
        done(csr, true)
    }

    /// Executes a decoded CS02d (module documentation).
    pub(crate) fn cs02d(&mut self, certificate: &[u8]) -> Option<Execution> {
        let placed = match self.checked_placement(certificate) {
            Ok(p) => p,
            Err(code) => return done(cs02d::response_content(code), false),
        };
        self.placed_ds = Some(Arc::new(placed.1));
        let creds = &mut self.state.config.credentials;
        creds.pending = None;
        creds.signing = Some(placed.0);
        done(cs02d::response_content(cs02d::RESPONSE_CODE_SUCCESS), true)
    }

    /// The credentials `certificate` completes, or the response code refusing it.
    fn checked_placement(&self, certificate: &[u8]) -> Result<(PlacedCredentials, SigningKey), u8> {
        let creds = &self.state.config.credentials;
        let pending = creds
            .pending
            .as_ref()
            .ok_or(rc::NO_CORRESPONDING_KEY_PAIR_GENERATED)?;
        let cert = smki::DeviceCertificate::from_der(certificate).map_err(|e| match e {
            smki::SmkiError::Invalid {
                field: "keyUsage", ..
            } => rc::INVALID_KEY_USAGE,
            _ => rc::INVALID_CERTIFICATE,
        })?;
        if cert.eui() != self.identity.eui {
            return Err(rc::WRONG_DEVICE_IDENTITY);
        }
        if pending.key_usage != KEY_USAGE_DS || cert.key_usage() != smki::KeyUsage::DigitalSignature
        {
            return Err(rc::INVALID_KEY_USAGE);
        }
        if cert.public_key_sec1()[..] != pending.public_sec1[..] {
            return Err(rc::WRONG_PUBLIC_KEY);
        }
        if !creds.device_cas.is_empty()
            && !creds
                .device_cas
                .iter()
                .any(|ca| smki::verify_issued_by(certificate, &ca.0).is_ok())
        {
            return Err(rc::INVALID_CERTIFICATE);
        }
        let key = SigningKey::from_der(&pending.private_pkcs8)
            .map_err(|_| rc::PRIVATE_KEY_CHANGE_FAILED)?;
        Ok((
            PlacedCredentials {
                private_pkcs8: pending.private_pkcs8.clone(),
                certificate: certificate.to_vec(),
            },
            key,
        ))
    }
}
