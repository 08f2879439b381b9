#![no_main]
//! GBCS payload codecs (DLMS, GBZ, DER): decode never panics and decode → encode is the identity.
//! The first input byte picks the CRA flag (GBZ alerts differ from commands/responses).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, content)) = data.split_first() else {
        return;
    };
    let cra = match sel % 3 {
        0 => gbcs::Cra::Command,
        1 => gbcs::Cra::Response,
        _ => gbcs::Cra::Alert,
    };
    let payload = gbcs::Payload::decode(cra, content);
    assert_eq!(payload.encode().ok().as_deref(), Some(content));
});
