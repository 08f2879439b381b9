//! Whether a device's answer reports success or failure.
//!
//! The DCC passes a device's response to the user unread, but it must not tell the user `I0`
//! (success) over an answer in which the device says it did not do what was asked. The reading
//! is the GBCS use-case catalogue's ([`gbcs::classify_response`]: the use case's own response
//! decoder where the catalogue has it, else the generic DLMS and ZCL rules): a DLMS result other
//! than success, a ZCL Default Response or attribute record with a non-success status, a
//! use-case result such as GCS28's "outside the validity interval". Anything the DCC cannot read
//! (an encrypted payload, a frame it cannot decode, a use case the catalogue does not know) is
//! passed on as the device sent it: the DCC has no grounds to call it a failure.

use gbcs::Frame;
use gbcs::usecases::{Failure, ResponseClass};

/// What a device's answer says about the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Executed (or nothing in the answer says otherwise).
    Success,
    /// The device reports that it did not execute the command; the text says how.
    Failure(String),
}

/// Reads a device's response frame (general-signing or general-ciphering) for a failure report.
pub fn classify(response: &[u8]) -> Verdict {
    let Ok(frame) = Frame::decode(response) else {
        return Verdict::Success;
    };
    let apdu = frame.apdu();
    let code = apdu.other_info.message_code;
    match gbcs::classify_response(code, &apdu.content) {
        ResponseClass::Failure(f) if is_empty_period(code, &f) => Verdict::Success,
        ResponseClass::Failure(f) => Verdict::Failure(format!("{f:?}")),
        ResponseClass::Success | ResponseClass::Unknown => Verdict::Success,
    }
}

/// A GSME's profile or network data read (GCS17, GCS18: ZSE Get Sampled Data for a period)
/// answered NOT_FOUND has done what was asked: the period holds no sample (a period before the
/// meter logged anything, or in the future). As for an empty log, the user is told I0 with the
/// device's answer, which says NOT_FOUND in its own terms (parse and correlate shows it).
fn is_empty_period(code: gbcs::MessageCode, f: &Failure) -> bool {
    use gbcs::usecases::{gcs17, gcs18, logs_common::ZCL_NOT_FOUND};
    [gcs17::MESSAGE_CODE, gcs18::MESSAGE_CODE].contains(&code)
        && matches!(
            f,
            Failure::ZclDefaultResponse {
                status: ZCL_NOT_FOUND,
                ..
            }
        )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use gbcs::axdr::Data;
    use gbcs::dlms::{AccessResponse, ResponseSpec};
    use gbcs::frame::{GeneralSigning, OtherInfo, SignatureField};
    use gbcs::gbz::{GbzBody, GbzComponent, GbzPayload, ZclFrame};
    use gbcs::{Cra, Eui64, MessageCode};

    fn frame(content: Vec<u8>) -> Vec<u8> {
        GeneralSigning {
            cra: Cra::Response,
            counter: 7,
            originator: Eui64::from_u64(0x00DB_1234_5678_90A0),
            recipient: Eui64::from_u64(0x90B3_D51F_3001_0000),
            date_time: None,
            other_info: OtherInfo::code(MessageCode(0x0001)),
            content,
            signature: SignatureField::Absent,
        }
        .encode()
    }

    fn dlms(result: u8) -> Vec<u8> {
        AccessResponse {
            invoke_id: 7,
            date_time: Vec::new(),
            request_specs: None,
            data: vec![Data::Null],
            results: vec![ResponseSpec::Action(result)],
        }
        .encode()
    }

    fn zcl(command: u8, payload: Vec<u8>) -> Vec<u8> {
        GbzPayload::Components {
            profile: 0x0109,
            components: vec![GbzComponent {
                control: 0x01,
                cluster: 0x0702,
                body: GbzBody::Plain {
                    from_date_time: None,
                    zcl: ZclFrame {
                        frame_control: 0x08,
                        manufacturer_code: None,
                        sequence: 1,
                        command,
                        payload,
                    },
                },
            }],
        }
        .encode()
        .unwrap()
    }

    /// ZCL global command: Default Response.
    const ZCL_DEFAULT_RESPONSE: u8 = 0x0B;

    #[test]
    fn dlms_results() {
        assert_eq!(classify(&frame(dlms(0))), Verdict::Success);
        assert!(matches!(classify(&frame(dlms(1))), Verdict::Failure(_)));
    }

    #[test]
    fn zcl_default_response_status() {
        assert_eq!(
            classify(&frame(zcl(ZCL_DEFAULT_RESPONSE, vec![0x00, 0x00]))),
            Verdict::Success
        );
        match classify(&frame(zcl(ZCL_DEFAULT_RESPONSE, vec![0x00, 0xC0]))) {
            Verdict::Failure(why) => assert!(why.contains("status: 192"), "{why}"),
            v => panic!("{v:?}"),
        }
        // A Read Attributes Response record with a non-success status: that read failed.
        assert!(matches!(
            classify(&frame(zcl(0x01, vec![0x00, 0x00, 0x86]))),
            Verdict::Failure(_)
        ));
        // One whose records all succeeded is data.
        assert_eq!(
            classify(&frame(zcl(0x01, vec![0x00, 0x00, 0x00, 0x21, 0x01, 0x00]))),
            Verdict::Success
        );
    }

    #[test]
    fn use_case_results_are_read_by_the_catalogue() {
        // GCS28's ASN.1 answer: time stamp, then result 2 (outside the validity interval), as
        // the RTDS GCS28 ERROR response carries it.
        let mut content = vec![0x30, 0x14, 0x18, 0x0F];
        content.extend_from_slice(b"20150101000000Z");
        content.extend_from_slice(&[0x02, 0x01, 0x02]);
        let mut f = GeneralSigning::decode(&frame(content.clone())).unwrap();
        f.other_info = OtherInfo::code(MessageCode::GCS28);
        assert!(matches!(classify(&f.encode()), Verdict::Failure(_)));
        let mut ok = content;
        if let Some(last) = ok.last_mut() {
            *last = 0;
        }
        f.content = ok;
        assert_eq!(classify(&f.encode()), Verdict::Success);
    }

    #[test]
    fn a_gsme_period_read_answered_not_found_is_an_empty_period() {
        use gbcs::usecases::{gcs17, gcs18};
        let with_code = |code, status| {
            let mut f =
                GeneralSigning::decode(&frame(zcl(ZCL_DEFAULT_RESPONSE, vec![0x08, status])))
                    .unwrap();
            f.other_info = OtherInfo::code(code);
            classify(&f.encode())
        };
        for code in [gcs17::MESSAGE_CODE, gcs18::MESSAGE_CODE] {
            assert_eq!(with_code(code, 0x8B), Verdict::Success, "{code:?}");
            // Any other status is the device's failure.
            assert!(matches!(with_code(code, 0xC0), Verdict::Failure(_)));
        }
        // NOT_FOUND to anything else (a calendar the meter does not hold) is a failure.
        assert!(matches!(
            with_code(MessageCode(0x0001), 0x8B),
            Verdict::Failure(_)
        ));
    }

    #[test]
    fn what_cannot_be_read_is_passed_on() {
        assert_eq!(classify(&[0xDD, 0x00]), Verdict::Success);
        assert_eq!(classify(&frame(vec![0x30, 0x00])), Verdict::Success);
    }
}
