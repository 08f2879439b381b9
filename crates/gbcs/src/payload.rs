//! Dispatch of GBCS content to the right payload codec.

use crate::asn1::Tlv;
use crate::codes::Cra;
use crate::dlms::{
    ACCESS_REQUEST_TAG, ACCESS_RESPONSE_TAG, AccessRequest, AccessResponse, DATA_NOTIFICATION_TAG,
    DataNotification,
};
use crate::error::EncodeError;
use crate::gbz::{GBZ_PROFILE, GbzPayload};

/// A decoded GBCS payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Payload {
    /// DLMS Access-Request (`D9`).
    AccessRequest(AccessRequest),
    /// DLMS Access-Response (`DA`).
    AccessResponse(AccessResponse),
    /// DLMS Data-Notification (`0F`): DLMS alerts.
    DataNotification(DataNotification),
    /// GBZ (`01 09`).
    Gbz(GbzPayload),
    /// ASN.1 DER elements.
    Asn1(Vec<Tlv>),
    /// Anything no codec accepted, kept verbatim.
    Raw(Vec<u8>),
}

impl Payload {
    /// Decodes `content`; `cra` tells GBZ alerts from GBZ commands/responses. Never fails: bytes
    /// that no codec accepts come back as [`Payload::Raw`].
    pub fn decode(cra: Cra, content: &[u8]) -> Self {
        Self::try_decode(cra, content).unwrap_or_else(|| Payload::Raw(content.to_vec()))
    }

    fn try_decode(cra: Cra, content: &[u8]) -> Option<Self> {
        match content.first().copied()? {
            ACCESS_REQUEST_TAG => AccessRequest::decode(content)
                .ok()
                .map(Payload::AccessRequest),
            ACCESS_RESPONSE_TAG => AccessResponse::decode(content)
                .ok()
                .map(Payload::AccessResponse),
            DATA_NOTIFICATION_TAG => DataNotification::decode(content)
                .ok()
                .map(Payload::DataNotification),
            _ if content.get(..2) == Some(&GBZ_PROFILE.to_be_bytes()[..]) => {
                let g = if cra == Cra::Alert {
                    GbzPayload::decode_alert(content)
                } else {
                    GbzPayload::decode(content)
                };
                g.ok().map(Payload::Gbz)
            }
            _ => Tlv::decode_all(content).ok().map(Payload::Asn1),
        }
    }

    /// Encodes the payload back to content bytes. Only hand-built GBZ payloads whose lengths
    /// overflow their fields can fail.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        Ok(match self {
            Payload::AccessRequest(a) => a.encode(),
            Payload::AccessResponse(a) => a.encode(),
            Payload::DataNotification(d) => d.encode(),
            Payload::Gbz(g) => g.encode()?,
            Payload::Asn1(v) => {
                let mut out = Vec::new();
                for t in v {
                    t.encode_into(&mut out);
                }
                out
            }
            Payload::Raw(b) => b.clone(),
        })
    }
}
