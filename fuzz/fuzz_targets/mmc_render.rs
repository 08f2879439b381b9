#![no_main]
//! Parse and correlate's MMC renderer (`client decode --mmc`) never panics: any bytes as a whole
//! GBCS message (`mmc::render`), and the bytes after a selector as the content of a response to
//! a catalogued use case (the selector picks its message code) and of a device alert, so that the
//! per-use-case response and alert renderers see them even when no frame would decode. Whatever
//! renders is a non-empty document.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ctx = mmc::Context::default();
    if let Ok(r) = mmc::render(data, &ctx) {
        assert!(!r.xml.is_empty());
    }
    let Some((&sel, content)) = data.split_first() else {
        return;
    };
    let all = gbcs::usecases::ALL;
    let Some(spec) = all.get(usize::from(sel) % all.len()) else {
        return;
    };
    let mut apdu = gbcs::GeneralSigning {
        cra: gbcs::Cra::Response,
        counter: u64::from(sel),
        originator: gbcs::Eui64::from_u64(2),
        recipient: gbcs::Eui64::from_u64(1),
        date_time: None,
        other_info: gbcs::OtherInfo::code(spec.message_code),
        content: content.to_vec(),
        signature: gbcs::SignatureField::Unsigned,
    };
    let sr = mmc::Context {
        service_reference: Some("4.1"),
        service_reference_variant: Some("4.1.1"),
        keys: None,
    };
    if let Ok(r) = mmc::render_apdu(&apdu, sel & 1 == 1, &sr) {
        assert!(!r.xml.is_empty());
    }
    apdu.cra = gbcs::Cra::Alert;
    apdu.other_info = gbcs::OtherInfo::code(gbcs::MessageCode(0x8F00 | u16::from(sel)));
    if let Ok(r) = mmc::render_apdu(&apdu, false, &ctx) {
        assert!(!r.xml.is_empty());
    }
});
