//! Whether a device's answer reports success or failure.
//!
//! The DCC passes a device's response to the user unread, but it must not tell the user `I0`
//! (success) over an answer in which the device says it did not do what was asked. This is the
//! one place that reads an answer for that: a GBZ (ZCL) Default Response with a non-success
//! status, or a DLMS Access-Response with a non-zero result, is a failure. Anything the DCC
//! cannot read (an encrypted payload, ASN.1 responses, a frame it cannot decode) is passed on as
//! the device sent it: the DCC has no grounds to call it a failure.
//!
//! When `gbcs` grows its own classification of response payloads, [`classify`] is the one
//! function to re-point at it.

use gbcs::Frame;
use gbcs::Payload;
use gbcs::gbz::{GbzBody, GbzPayload};

/// ZCL global command: Default Response.
const ZCL_DEFAULT_RESPONSE: u8 = 0x0B;
/// ZCL status: SUCCESS.
const ZCL_SUCCESS: u8 = 0x00;

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
    match Payload::decode(apdu.cra, &apdu.content) {
        Payload::AccessResponse(r) => {
            let failed: Vec<u8> = r
                .results
                .iter()
                .map(|s| s.result())
                .filter(|&c| c != 0)
                .collect();
            if failed.is_empty() {
                Verdict::Success
            } else {
                Verdict::Failure(format!("DLMS Access-Response results {failed:?}"))
            }
        }
        Payload::Gbz(GbzPayload::Components { components, .. }) => {
            let failed: Vec<String> = components
                .iter()
                .filter_map(|c| match &c.body {
                    GbzBody::Plain { zcl, .. }
                        if zcl.frame_control & 0x03 == 0 && zcl.command == ZCL_DEFAULT_RESPONSE =>
                    {
                        match zcl.payload.as_slice() {
                            [cmd, status, ..] if *status != ZCL_SUCCESS => Some(format!(
                                "cluster {:04X} command {cmd:02X} status {status:02X}",
                                c.cluster
                            )),
                            _ => None,
                        }
                    }
                    _ => None,
                })
                .collect();
            if failed.is_empty() {
                Verdict::Success
            } else {
                Verdict::Failure(format!("ZCL Default Response: {}", failed.join(", ")))
            }
        }
        _ => Verdict::Success,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use gbcs::axdr::Data;
    use gbcs::dlms::{AccessResponse, ResponseSpec};
    use gbcs::frame::{GeneralSigning, OtherInfo, SignatureField};
    use gbcs::gbz::{GbzComponent, ZclFrame};
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
            Verdict::Failure(why) => assert!(why.contains("status C0"), "{why}"),
            v => panic!("{v:?}"),
        }
        // A Read Attributes Response is data, not a verdict.
        assert_eq!(
            classify(&frame(zcl(0x01, vec![0x00, 0x00, 0x86]))),
            Verdict::Success
        );
    }

    #[test]
    fn what_cannot_be_read_is_passed_on() {
        assert_eq!(classify(&[0xDD, 0x00]), Verdict::Success);
        assert_eq!(classify(&frame(vec![0x30, 0x00])), Verdict::Success);
    }
}
