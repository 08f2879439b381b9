//! The CS02b (Update Security Credentials) command and response codecs: never panic; whatever
//! decodes, encodes to bytes that decode to the same value.
#![no_main]

use gbcs::credentials::{UpdateSecurityCredentials, UpdateSecurityCredentialsResponse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = UpdateSecurityCredentials::decode(data) {
        let again =
            UpdateSecurityCredentials::decode(&c.encode()).expect("its own encoding decodes");
        assert_eq!(again, c);
    }
    if let Ok(r) = UpdateSecurityCredentialsResponse::decode(data) {
        let again = UpdateSecurityCredentialsResponse::decode(&r.encode())
            .expect("its own encoding decodes");
        assert_eq!(again, r);
    }
    let _ = gbcs::credentials::certificate_facts(data);
});
