#![no_main]
//! XML parsing and canonicalization: any input is either refused with a
//! typed error or canonicalizes (both methods) to a fixed point.

use libfuzzer_sys::fuzz_target;
use xmldsig::{C14nMethod, canonicalize};

fuzz_target!(|data: &[u8]| {
    for method in [C14nMethod::Inclusive, C14nMethod::Exclusive] {
        if let Ok(once) = canonicalize(data, method) {
            let twice = canonicalize(&once, method).expect("canonical output must re-parse");
            assert_eq!(once, twice, "canonical form is not a fixed point");
        }
    }
});
