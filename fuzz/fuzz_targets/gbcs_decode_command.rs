#![no_main]
//! The service catalogue's command decoder and response classifier never panic. The first input
//! byte picks a catalogued use case (its message code), the rest is the command content; the
//! same bytes are also fed to the response decoder and the classifier, and as a whole frame.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, content)) = data.split_first() else {
        return;
    };
    let all = gbcs::usecases::ALL;
    let Some(spec) = all.get(usize::from(sel) % all.len()) else {
        return;
    };
    let apdu = gbcs::GeneralSigning {
        cra: gbcs::Cra::Command,
        counter: u64::from(sel),
        originator: gbcs::Eui64::from_u64(1),
        recipient: gbcs::Eui64::from_u64(2),
        date_time: None,
        other_info: gbcs::OtherInfo::code(spec.message_code),
        content: content.to_vec(),
        signature: gbcs::SignatureField::Unsigned,
    };
    let _ = gbcs::decode_command(&apdu);
    let _ = gbcs::usecases::decode_response(spec.message_code, content);
    let _ = gbcs::classify_response(spec.message_code, content);
    if let Ok(frame) = gbcs::Frame::decode(data) {
        let _ = gbcs::decode_command(frame.apdu());
    }
});
