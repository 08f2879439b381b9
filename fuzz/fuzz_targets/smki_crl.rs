//! The CRL/ARL parser: never panics on any bytes; a parsed list answers `lists` and
//! `verify_signed_by` (against the same bytes as a would-be issuer) without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(list) = smki::ParsedCrl::parse(data) {
        let _ = list.lists(data.get(..20).unwrap_or(data));
        let _ = list.verify_signed_by(data);
    }
});
