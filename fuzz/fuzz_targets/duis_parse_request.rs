//! Fuzzes the DUIS request parser and everything a caller does with a parsed request: it must
//! never panic, whatever the bytes.
#![no_main]

use duis::bodies::{
    DevicePrenotification, ReadInventory, RequestWanMatrix, SignedPreCommand, UpdateInventory,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = duis::ParseLimits {
        max_bytes: 256 * 1024,
        max_depth: 32,
    };
    if let Ok(r) = duis::parse_request_with_limits(data, &limits) {
        let _ = r.check();
        let _ = r.device_id();
        let _ = ReadInventory::parse(&r.body);
        let _ = UpdateInventory::parse(&r.body);
        let _ = RequestWanMatrix::parse(&r.body);
        let _ = DevicePrenotification::parse(&r.body);
        let _ = SignedPreCommand::parse(&r.body);
        // Whatever was accepted prints and re-parses to the same RequestID.
        let id = r.header.request_id;
        assert_eq!(id.to_string().parse::<duis::RequestId>().ok(), Some(id));
    }
});
