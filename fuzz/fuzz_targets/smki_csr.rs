//! The SMKI CSR parser (PKCS#10 with proof of possession and the SMKI profile checks): never
//! panics; whatever it accepts names a subject and a key that parse again from the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(req) = smki::CertificationRequest::from_der(data) {
        let again =
            smki::CertificationRequest::from_der(data).expect("accepted once, accepted again");
        assert_eq!(again.subject, req.subject);
        assert_eq!(again.usage, req.usage);
    }
});
