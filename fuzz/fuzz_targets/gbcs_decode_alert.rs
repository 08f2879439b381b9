#![no_main]
//! Device alert decoding never panics: any bytes as a whole alert frame, and the same bytes as the
//! content of an alert APDU (so that the payload decoders see them even when the frame would not
//! decode); a future-dated outcome's instruction position is asked of the same bytes as a command.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = gbcs::alerts::decode_alert(data);
    let apdu = gbcs::GeneralSigning {
        cra: gbcs::Cra::Alert,
        counter: 1,
        originator: gbcs::Eui64::from_u64(1),
        recipient: gbcs::Eui64::from_u64(2),
        date_time: None,
        other_info: gbcs::OtherInfo::code(gbcs::MessageCode(0x8F66)),
        content: data.to_vec(),
        signature: gbcs::SignatureField::Unsigned,
    };
    if let Ok(alert) = gbcs::alerts::decode_alert_apdu(&apdu, false)
        && let Some(outcome) = alert.future_dated
    {
        let command = gbcs::GeneralSigning {
            cra: gbcs::Cra::Command,
            ..apdu
        };
        let _ = outcome.instruction_position(&command);
    }
});
