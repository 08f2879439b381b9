//! The SMKI repository's request parsers (DCC Boxed's certificatesearch / retrievecertificate
//! XML bodies): never panic, whatever the bytes; the one that fails says why.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = smki_service::repository::parse_search(data) {
        assert!(!e.to_string().is_empty());
    }
    if let Err(e) = smki_service::repository::parse_retrieve(data) {
        assert!(!e.to_string().is_empty());
    }
});
