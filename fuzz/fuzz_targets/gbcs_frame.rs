#![no_main]
//! GBCS framing: any input either fails to decode or re-encodes to itself, and the payload of a
//! decoded frame round-trips too.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(frame) = gbcs::Frame::decode(data) {
        assert_eq!(frame.encode(), data);
        let apdu = frame.apdu();
        let payload = apdu.payload();
        assert_eq!(payload.encode().ok().as_deref(), Some(&apdu.content[..]));
    }
});
