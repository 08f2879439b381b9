//! 8.13 Return Local Command Response (`sr:ReturnLocalCommandResponse`): the device's GBCS
//! response to a command the DCC returned for local delivery, and optionally the RequestID of
//! the request that command answered.

use super::{BodyError, Seq, decode_base64, expect, simple};
use crate::RequestId;
use crate::types::InvalidValue;
use crate::xml::is_xml_space;

/// 8.13 Return Local Command Response's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnLocalCommandResponse {
    /// `OriginalRequestID`: the request whose command was delivered locally (optional in the
    /// XSD; without it the response's own header names the request: its recipient, originator
    /// and counter).
    pub original_request_id: Option<RequestId>,
    /// `DeviceGBCSResponse`, base64-decoded.
    pub device_gbcs_response: Vec<u8>,
}

impl ReturnLocalCommandResponse {
    /// Parses a `ReturnLocalCommandResponse` body element.
    pub fn parse(body: &crate::xml::Element) -> Result<Self, BodyError> {
        const NAME: &str = "ReturnLocalCommandResponse";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let original_request_id = match s.optional("OriginalRequestID") {
            Some(e) => {
                let t = simple(e, "OriginalRequestID")?.trim_matches(is_xml_space);
                Some(
                    t.parse::<RequestId>()
                        .map_err(|_| InvalidValue::new("OriginalRequestID", t))?,
                )
            }
            None => None,
        };
        let r = s.required("DeviceGBCSResponse")?;
        let device_gbcs_response =
            decode_base64(simple(r, "DeviceGBCSResponse")?, "DeviceGBCSResponse")?;
        if device_gbcs_response.is_empty() {
            return Err(InvalidValue::new("DeviceGBCSResponse", "").into());
        }
        s.finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(NAME, &body.text).into());
        }
        Ok(Self {
            original_request_id,
            device_gbcs_response,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(inner: &str) -> crate::xml::Element {
        super::super::tests::body(inner)
    }

    #[test]
    fn the_template_body() {
        let b = body(
            "<sr:ReturnLocalCommandResponse><sr:OriginalRequestID>90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000</sr:OriginalRequestID><sr:DeviceGBCSResponse>3wkC\n AAAA</sr:DeviceGBCSResponse></sr:ReturnLocalCommandResponse>",
        );
        let r = ReturnLocalCommandResponse::parse(&b).unwrap();
        let rid = r.original_request_id.unwrap();
        assert_eq!(rid.counter, 1000);
        assert_eq!(rid.target.to_string(), "00-DB-12-34-56-78-90-A0");
        assert_eq!(r.device_gbcs_response, vec![0xDF, 0x09, 0x02, 0, 0, 0]);
        let b = body(
            "<sr:ReturnLocalCommandResponse><sr:DeviceGBCSResponse>3wkC</sr:DeviceGBCSResponse></sr:ReturnLocalCommandResponse>",
        );
        assert_eq!(
            ReturnLocalCommandResponse::parse(&b)
                .unwrap()
                .original_request_id,
            None
        );
    }

    #[test]
    fn refusals() {
        for bad in [
            "<sr:OriginalRequestID>nonsense</sr:OriginalRequestID><sr:DeviceGBCSResponse>3wkC</sr:DeviceGBCSResponse>",
            "<sr:DeviceGBCSResponse>not base64!</sr:DeviceGBCSResponse>",
            "<sr:DeviceGBCSResponse></sr:DeviceGBCSResponse>",
            "<sr:OriginalRequestID>90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000</sr:OriginalRequestID>",
            "<sr:DeviceGBCSResponse>3wkC</sr:DeviceGBCSResponse><sr:Extra/>",
        ] {
            let b = body(&format!(
                "<sr:ReturnLocalCommandResponse>{bad}</sr:ReturnLocalCommandResponse>"
            ));
            assert!(ReturnLocalCommandResponse::parse(&b).is_err(), "{bad}");
        }
    }
}
