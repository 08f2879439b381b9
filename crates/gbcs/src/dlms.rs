//! DLMS/COSEM xDLMS APDUs used by GBCS: Access-Request (`D9`), Access-Response (`DA`) and
//! Data-Notification (`0F`), all in A-XDR.

use crate::axdr::Data;
use crate::codec::{Reader, write_length, write_length_prefixed};
use crate::error::DecodeError;

/// Access-Request tag.
pub const ACCESS_REQUEST_TAG: u8 = 0xD9;
/// Access-Response tag.
pub const ACCESS_RESPONSE_TAG: u8 = 0xDA;
/// Data-Notification tag.
pub const DATA_NOTIFICATION_TAG: u8 = 0x0F;

/// GBCS long-invoke-id-and-priority for a counter: `0x20` (self-descriptive off, priority normal,
/// service class confirmed…) followed by the low 24 bits of the counter.
pub const fn long_invoke_id(counter: u64) -> u32 {
    0x2000_0000 | (counter as u32 & 0x00FF_FFFF)
}

/// A COSEM object: class, logical name (OBIS) and attribute or method index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CosemDescriptor {
    /// Interface class.
    pub class_id: u16,
    /// Logical name (OBIS code).
    pub instance: [u8; 6],
    /// Attribute or method index.
    pub index: u8,
}

impl CosemDescriptor {
    /// Shorthand constructor.
    pub const fn new(class_id: u16, instance: [u8; 6], index: u8) -> Self {
        Self {
            class_id,
            instance,
            index,
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            class_id: r.u16_be()?,
            instance: r.array()?,
            index: r.u8()?,
        })
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.class_id.to_be_bytes());
        out.extend_from_slice(&self.instance);
        out.push(self.index);
    }
}

/// Selective access: selector and its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SelectiveAccess {
    /// Access selector (1 = range descriptor).
    pub selector: u8,
    /// Selector parameters.
    pub parameters: Data,
}

/// One access-request-specification.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RequestSpec {
    /// `[1]` GET an attribute.
    Get(CosemDescriptor),
    /// `[2]` SET an attribute.
    Set(CosemDescriptor),
    /// `[3]` ACTION (method invocation).
    Action(CosemDescriptor),
    /// `[4]` GET with selective access.
    GetWithSelection(CosemDescriptor, SelectiveAccess),
    /// `[5]` SET with selective access.
    SetWithSelection(CosemDescriptor, SelectiveAccess),
}

impl RequestSpec {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let off = r.offset();
        let choice = r.u8()?;
        let d = CosemDescriptor::read(r)?;
        let sel = |r: &mut Reader<'_>| -> Result<SelectiveAccess, DecodeError> {
            Ok(SelectiveAccess {
                selector: r.u8()?,
                parameters: Data::read(r, 0)?,
            })
        };
        Ok(match choice {
            1 => RequestSpec::Get(d),
            2 => RequestSpec::Set(d),
            3 => RequestSpec::Action(d),
            4 => RequestSpec::GetWithSelection(d, sel(r)?),
            5 => RequestSpec::SetWithSelection(d, sel(r)?),
            found => {
                return Err(DecodeError::UnexpectedTag {
                    offset: off,
                    expected: "access-request-specification choice 1..5",
                    found,
                });
            }
        })
    }

    fn write(&self, out: &mut Vec<u8>) {
        let (choice, d, sel) = match self {
            RequestSpec::Get(d) => (1, d, None),
            RequestSpec::Set(d) => (2, d, None),
            RequestSpec::Action(d) => (3, d, None),
            RequestSpec::GetWithSelection(d, s) => (4, d, Some(s)),
            RequestSpec::SetWithSelection(d, s) => (5, d, Some(s)),
        };
        out.push(choice);
        d.write(out);
        if let Some(s) = sel {
            out.push(s.selector);
            s.parameters.encode_into(out);
        }
    }
}

fn read_count(r: &mut Reader<'_>) -> Result<usize, DecodeError> {
    let n = r.length()?;
    if n > r.remaining() {
        return Err(DecodeError::Truncated {
            offset: r.offset(),
            needed: n - r.remaining(),
        });
    }
    Ok(n)
}

fn read_specs(r: &mut Reader<'_>) -> Result<Vec<RequestSpec>, DecodeError> {
    let n = read_count(r)?;
    (0..n).map(|_| RequestSpec::read(r)).collect()
}

fn read_data_list(r: &mut Reader<'_>) -> Result<Vec<Data>, DecodeError> {
    let n = read_count(r)?;
    (0..n).map(|_| Data::read(r, 0)).collect()
}

fn write_specs(out: &mut Vec<u8>, specs: &[RequestSpec]) {
    write_length(out, specs.len());
    for s in specs {
        s.write(out);
    }
}

fn write_data_list(out: &mut Vec<u8>, data: &[Data]) {
    write_length(out, data.len());
    for d in data {
        d.encode_into(out);
    }
}

/// An xDLMS Access-Request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccessRequest {
    /// long-invoke-id-and-priority (GBCS: `0x20` ‖ low 24 bits of the counter).
    pub invoke_id: u32,
    /// date-time octet-string (empty in every GBCS command).
    pub date_time: Vec<u8>,
    /// The request specifications.
    pub specs: Vec<RequestSpec>,
    /// The list of data, one per specification (null-data for GETs).
    pub data: Vec<Data>,
}

impl AccessRequest {
    /// Decodes an Access-Request; all bytes must be used.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        r.expect(ACCESS_REQUEST_TAG, "access-request tag D9")?;
        let invoke_id = r.u32_be()?;
        let date_time = r.length_prefixed()?.to_vec();
        let specs = read_specs(&mut r)?;
        let data = read_data_list(&mut r)?;
        r.finish()?;
        Ok(Self {
            invoke_id,
            date_time,
            specs,
            data,
        })
    }

    /// Encodes the request.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![ACCESS_REQUEST_TAG];
        out.extend_from_slice(&self.invoke_id.to_be_bytes());
        write_length_prefixed(&mut out, &self.date_time);
        write_specs(&mut out, &self.specs);
        write_data_list(&mut out, &self.data);
        out
    }
}

/// One access-response-specification: the result of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseSpec {
    /// `[1]` GET result (data-access-result; 0 = success).
    Get(u8),
    /// `[2]` SET result.
    Set(u8),
    /// `[3]` ACTION result (action-result; 0 = success).
    Action(u8),
}

impl ResponseSpec {
    /// The result code (0 = success).
    pub const fn result(self) -> u8 {
        match self {
            ResponseSpec::Get(r) | ResponseSpec::Set(r) | ResponseSpec::Action(r) => r,
        }
    }
}

/// An xDLMS Access-Response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccessResponse {
    /// long-invoke-id-and-priority, echoing the request.
    pub invoke_id: u32,
    /// date-time octet-string.
    pub date_time: Vec<u8>,
    /// Optional echo of the request specifications.
    pub request_specs: Option<Vec<RequestSpec>>,
    /// Returned data, one per request.
    pub data: Vec<Data>,
    /// Results, one per request.
    pub results: Vec<ResponseSpec>,
}

impl AccessResponse {
    /// Decodes an Access-Response; all bytes must be used.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        r.expect(ACCESS_RESPONSE_TAG, "access-response tag DA")?;
        let invoke_id = r.u32_be()?;
        let date_time = r.length_prefixed()?.to_vec();
        let off = r.offset();
        let request_specs = match r.u8()? {
            0 => None,
            1 => Some(read_specs(&mut r)?),
            found => {
                return Err(DecodeError::UnexpectedTag {
                    offset: off,
                    expected: "optional flag 00/01",
                    found,
                });
            }
        };
        let data = read_data_list(&mut r)?;
        let n = read_count(&mut r)?;
        let mut results = Vec::with_capacity(n);
        for _ in 0..n {
            let off = r.offset();
            let choice = r.u8()?;
            let res = r.u8()?;
            results.push(match choice {
                1 => ResponseSpec::Get(res),
                2 => ResponseSpec::Set(res),
                3 => ResponseSpec::Action(res),
                found => {
                    return Err(DecodeError::UnexpectedTag {
                        offset: off,
                        expected: "access-response-specification choice 1..3",
                        found,
                    });
                }
            });
        }
        r.finish()?;
        Ok(Self {
            invoke_id,
            date_time,
            request_specs,
            data,
            results,
        })
    }

    /// Encodes the response.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![ACCESS_RESPONSE_TAG];
        out.extend_from_slice(&self.invoke_id.to_be_bytes());
        write_length_prefixed(&mut out, &self.date_time);
        match &self.request_specs {
            None => out.push(0),
            Some(s) => {
                out.push(1);
                write_specs(&mut out, s);
            }
        }
        write_data_list(&mut out, &self.data);
        write_length(&mut out, self.results.len());
        for s in &self.results {
            let (c, r) = match *s {
                ResponseSpec::Get(r) => (1, r),
                ResponseSpec::Set(r) => (2, r),
                ResponseSpec::Action(r) => (3, r),
            };
            out.extend_from_slice(&[c, r]);
        }
        out
    }
}

/// An xDLMS Data-Notification (GBCS DLMS alerts).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DataNotification {
    /// long-invoke-id-and-priority.
    pub invoke_id: u32,
    /// date-time octet-string.
    pub date_time: Vec<u8>,
    /// The notification body.
    pub body: Data,
}

impl DataNotification {
    /// Decodes a Data-Notification; all bytes must be used.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        r.expect(DATA_NOTIFICATION_TAG, "data-notification tag 0F")?;
        let invoke_id = r.u32_be()?;
        let date_time = r.length_prefixed()?.to_vec();
        let body = Data::read(&mut r, 0)?;
        r.finish()?;
        Ok(Self {
            invoke_id,
            date_time,
            body,
        })
    }

    /// Encodes the notification.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![DATA_NOTIFICATION_TAG];
        out.extend_from_slice(&self.invoke_id.to_be_bytes());
        write_length_prefixed(&mut out, &self.date_time);
        self.body.encode_into(&mut out);
        out
    }

    /// The GBCS alert code: the first element of the body structure when it is a long-unsigned.
    pub fn alert_code(&self) -> Option<crate::codes::AlertCode> {
        match &self.body {
            Data::Structure(v) => match v.first() {
                Some(Data::LongUnsigned(c)) => Some(crate::codes::AlertCode(*c)),
                _ => None,
            },
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecs52_request() {
        let b = [
            0xD9, 0x20, 0x00, 0x03, 0xE8, 0x00, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
            0x01, 0xFF, 0x02, 0x01, 0x00,
        ];
        let a = AccessRequest::decode(&b).unwrap();
        assert_eq!(a.invoke_id, long_invoke_id(1000));
        assert_eq!(
            a.specs,
            vec![RequestSpec::Get(CosemDescriptor::new(
                1,
                [0, 0, 0, 2, 1, 0xFF],
                2
            ))]
        );
        assert_eq!(a.data, vec![Data::Null]);
        assert_eq!(a.encode(), b);
    }

    #[test]
    fn response_with_results() {
        let b = [
            0xDA, 0x20, 0, 0, 1, 0x00, 0x00, 0x01, 0x00, 0x02, 0x02, 0x00, 0x03, 0x01,
        ];
        let a = AccessResponse::decode(&b).unwrap();
        assert_eq!(
            a.results,
            vec![ResponseSpec::Set(0), ResponseSpec::Action(1)]
        );
        assert_eq!(a.encode(), b);
        assert!(AccessResponse::decode(&b[..b.len() - 1]).is_err());
    }
}
