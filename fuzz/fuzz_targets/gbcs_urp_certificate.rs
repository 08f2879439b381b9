#![no_main]
//! The certificate checks on device- and user-supplied certificates: the unknown remote party
//! (URP) key-agreement certificate of CS02b/CS02c-style commands, certificate facts, and the
//! public key taken from a certificate, on arbitrary bytes: never panic; an accepted URP
//! certificate is exactly one DER SEQUENCE with keyAgreement usage, and its facts agree with
//! `certificate_facts` on the same bytes.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let facts = gbcs::credentials::certificate_facts(data);
    if let Ok(urp) = gbcs::credentials::unknown_remote_party_certificate(data) {
        assert_eq!(facts.ok(), Some(urp));
    }
    let _ = gbcs::PublicKey::from_certificate_der(data);
});
