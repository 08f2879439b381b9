//! GBZ: the GBCS container for ZigBee Smart Energy (ZCL) commands to gas devices.

use crate::codec::Reader;
use crate::codes::{AlertCode, MessageCode};
use crate::error::{DecodeError, EncodeError};

/// The GBZ profile id (`01 09`).
pub const GBZ_PROFILE: u16 = 0x0109;

/// Control bit: this is the last component.
pub const CONTROL_LAST: u8 = 0x01;
/// Control bit: the ZCL payload is encrypted.
pub const CONTROL_ENCRYPTED: u8 = 0x02;
/// Control bit: a 4-byte from-date-time precedes the ZCL header.
pub const CONTROL_FROM_DATE_TIME: u8 = 0x10;

/// A ZCL frame (header and payload) in a plaintext component.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ZclFrame {
    /// Frame control (`00` global, `01` cluster-specific client→server, `09` server→client…).
    pub frame_control: u8,
    /// Manufacturer code, present when frame-control bit 2 is set.
    pub manufacturer_code: Option<u16>,
    /// Transaction sequence number (GBCS: the component index).
    pub sequence: u8,
    /// Command identifier.
    pub command: u8,
    /// Command payload (ZCL types, little-endian).
    pub payload: Vec<u8>,
}

impl ZclFrame {
    /// Frame-control bit 2: manufacturer specific.
    pub const MANUFACTURER_SPECIFIC: u8 = 0x04;

    /// A global Read Attributes command (`00 seq 00` + attribute ids little-endian).
    pub fn read_attributes(sequence: u8, attributes: &[u16]) -> Self {
        Self {
            frame_control: 0x00,
            manufacturer_code: None,
            sequence,
            command: 0x00,
            payload: attributes.iter().flat_map(|a| a.to_le_bytes()).collect(),
        }
    }

    /// The attribute ids of a global Read Attributes command.
    pub fn read_attribute_ids(&self) -> Option<Vec<u16>> {
        if self.frame_control & 0x03 != 0
            || self.command != 0
            || !self.payload.len().is_multiple_of(2)
        {
            return None;
        }
        Some(
            self.payload
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect(),
        )
    }

    fn read_header(r: &mut Reader<'_>) -> Result<(u8, Option<u16>, u8, u8), DecodeError> {
        let fc = r.u8()?;
        let mc = if fc & Self::MANUFACTURER_SPECIFIC != 0 {
            Some(u16::from_le_bytes(r.array()?))
        } else {
            None
        };
        Ok((fc, mc, r.u8()?, r.u8()?))
    }

    fn write_header(out: &mut Vec<u8>, fc: u8, mc: Option<u16>, seq: u8, cmd: u8) {
        out.push(fc);
        if let Some(m) = mc {
            out.extend_from_slice(&m.to_le_bytes());
        }
        out.push(seq);
        out.push(cmd);
    }
}

/// The body of a GBZ component.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GbzBody {
    /// A plaintext ZCL frame, optionally preceded by a from-date-time.
    Plain {
        /// From-date-time (seconds since 2000-01-01 UTC; 0 = immediate, `FFFFFFFF` = cancel),
        /// present when control bit 0x10 is set.
        from_date_time: Option<u32>,
        /// The ZCL frame.
        zcl: ZclFrame,
    },
    /// An encrypted ZCL payload (control bit 0x02; responses and alerts only).
    Encrypted {
        /// Additional header control.
        additional_header_control: u8,
        /// Additional header frame counter.
        additional_frame_counter: u8,
        /// ZCL frame control.
        frame_control: u8,
        /// Manufacturer code when frame-control bit 2 is set.
        manufacturer_code: Option<u16>,
        /// ZCL sequence number.
        sequence: u8,
        /// ZCL command id.
        command: u8,
        /// Security header (`31` + IC), ciphertext and 12-byte tag.
        protected: Vec<u8>,
    },
}

/// One GBZ component.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GbzComponent {
    /// Extended header control byte (bits: 0x01 last, 0x02 encrypted, 0x10 from-date-time).
    pub control: u8,
    /// ZCL cluster id.
    pub cluster: u16,
    /// Header extension and ZCL frame.
    pub body: GbzBody,
}

impl GbzComponent {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let control = r.u8()?;
        let cluster = r.u16_be()?;
        let len = usize::from(r.u16_be()?);
        let inner = r.take(len)?;
        let mut b = Reader::new(inner);
        let body = if control & CONTROL_ENCRYPTED != 0 {
            let additional_header_control = b.u8()?;
            let additional_frame_counter = b.u8()?;
            let (frame_control, manufacturer_code, sequence, command) =
                ZclFrame::read_header(&mut b)?;
            let plen = usize::from(b.u16_be()?);
            let protected = b.take(plen)?.to_vec();
            GbzBody::Encrypted {
                additional_header_control,
                additional_frame_counter,
                frame_control,
                manufacturer_code,
                sequence,
                command,
                protected,
            }
        } else {
            let from_date_time = if control & CONTROL_FROM_DATE_TIME != 0 {
                Some(b.u32_be()?)
            } else {
                None
            };
            let (frame_control, manufacturer_code, sequence, command) =
                ZclFrame::read_header(&mut b)?;
            GbzBody::Plain {
                from_date_time,
                zcl: ZclFrame {
                    frame_control,
                    manufacturer_code,
                    sequence,
                    command,
                    payload: b.rest().to_vec(),
                },
            }
        };
        if let GbzBody::Encrypted { .. } = body {
            b.finish()?;
        }
        Ok(Self {
            control,
            cluster,
            body,
        })
    }

    fn write(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut inner = Vec::new();
        match &self.body {
            GbzBody::Plain {
                from_date_time,
                zcl,
            } => {
                if let Some(t) = from_date_time {
                    inner.extend_from_slice(&t.to_be_bytes());
                }
                ZclFrame::write_header(
                    &mut inner,
                    zcl.frame_control,
                    zcl.manufacturer_code,
                    zcl.sequence,
                    zcl.command,
                );
                inner.extend_from_slice(&zcl.payload);
            }
            GbzBody::Encrypted {
                additional_header_control,
                additional_frame_counter,
                frame_control,
                manufacturer_code,
                sequence,
                command,
                protected,
            } => {
                inner.push(*additional_header_control);
                inner.push(*additional_frame_counter);
                ZclFrame::write_header(
                    &mut inner,
                    *frame_control,
                    *manufacturer_code,
                    *sequence,
                    *command,
                );
                let plen = u16::try_from(protected.len())
                    .map_err(|_| EncodeError::TooLong("GBZ component"))?;
                inner.extend_from_slice(&plen.to_be_bytes());
                inner.extend_from_slice(protected);
            }
        }
        let len = u16::try_from(inner.len()).map_err(|_| EncodeError::TooLong("GBZ component"))?;
        out.push(self.control);
        out.extend_from_slice(&self.cluster.to_be_bytes());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&inner);
        Ok(())
    }
}

/// The fixed part of a GBZ future-dated outcome alert (8F66/8F67).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FutureDatedOutcome {
    /// Message code of the future-dated command.
    pub message_code: MessageCode,
    /// Originator counter of that command.
    pub originator_counter: u64,
    /// Cluster of the executed ZCL command.
    pub cluster: u16,
    /// Its frame control.
    pub frame_control: u8,
    /// Its command id.
    pub command: u8,
}

/// What follows the alert code and timestamp in a GBZ alert.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GbzAlertBody {
    /// Future-dated outcome (length-prefixed 14-byte block).
    FutureDated(FutureDatedOutcome),
    /// Ordinary GBZ components (as many as the header says).
    Components(Vec<GbzComponent>),
    /// Use-case specific bytes kept verbatim.
    Raw(Vec<u8>),
}

/// A GBZ payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GbzPayload {
    /// Commands and responses: profile id and components.
    Components {
        /// Profile id (`0x0109`).
        profile: u16,
        /// The components.
        components: Vec<GbzComponent>,
    },
    /// Alerts: profile id, component count, alert code, timestamp, body.
    Alert {
        /// Profile id (`0x0109`).
        profile: u16,
        /// The component count byte as sent.
        component_count: u8,
        /// Alert code.
        alert_code: AlertCode,
        /// Seconds since 2000-01-01 UTC.
        timestamp: u32,
        /// What follows.
        body: GbzAlertBody,
    },
}

impl GbzPayload {
    /// Decodes a command or response payload; all bytes must be used.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let profile = read_profile(&mut r)?;
        let n = r.u8()?;
        let components = (0..n)
            .map(|_| GbzComponent::read(&mut r))
            .collect::<Result<_, _>>()?;
        r.finish()?;
        Ok(GbzPayload::Components {
            profile,
            components,
        })
    }

    /// Decodes an alert payload; all bytes must be used.
    pub fn decode_alert(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let profile = read_profile(&mut r)?;
        let component_count = r.u8()?;
        let alert_code = AlertCode(r.u16_be()?);
        let timestamp = r.u32_be()?;
        let rest = r.rest();
        let body = if alert_code.is_future_dated_outcome()
            && rest.len() == 15
            && rest.first() == Some(&14)
        {
            let mut f = Reader::new(rest.get(1..).unwrap_or(&[]));
            GbzAlertBody::FutureDated(FutureDatedOutcome {
                message_code: MessageCode(f.u16_be()?),
                originator_counter: f.u64_be()?,
                cluster: f.u16_be()?,
                frame_control: f.u8()?,
                command: f.u8()?,
            })
        } else {
            let mut c = Reader::new(rest);
            let comps: Result<Vec<_>, _> = (0..component_count)
                .map(|_| GbzComponent::read(&mut c))
                .collect();
            match comps {
                Ok(v) if c.is_empty() && !rest.is_empty() => GbzAlertBody::Components(v),
                _ => GbzAlertBody::Raw(rest.to_vec()),
            }
        };
        Ok(GbzPayload::Alert {
            profile,
            component_count,
            alert_code,
            timestamp,
            body,
        })
    }

    /// Encodes the payload.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        match self {
            GbzPayload::Components {
                profile,
                components,
            } => {
                out.extend_from_slice(&profile.to_be_bytes());
                out.push(
                    u8::try_from(components.len())
                        .map_err(|_| EncodeError::TooLong("GBZ component count"))?,
                );
                for c in components {
                    c.write(&mut out)?;
                }
            }
            GbzPayload::Alert {
                profile,
                component_count,
                alert_code,
                timestamp,
                body,
            } => {
                out.extend_from_slice(&profile.to_be_bytes());
                out.push(*component_count);
                out.extend_from_slice(&alert_code.0.to_be_bytes());
                out.extend_from_slice(&timestamp.to_be_bytes());
                match body {
                    GbzAlertBody::FutureDated(f) => {
                        out.push(14);
                        out.extend_from_slice(&f.message_code.0.to_be_bytes());
                        out.extend_from_slice(&f.originator_counter.to_be_bytes());
                        out.extend_from_slice(&f.cluster.to_be_bytes());
                        out.push(f.frame_control);
                        out.push(f.command);
                    }
                    GbzAlertBody::Components(v) => {
                        for c in v {
                            c.write(&mut out)?;
                        }
                    }
                    GbzAlertBody::Raw(b) => out.extend_from_slice(b),
                }
            }
        }
        Ok(out)
    }

    /// Builds a command payload from plaintext ZCL frames, one component per frame: control bit
    /// "last" on the final one, from-date-time where given.
    pub fn command(frames: Vec<(u16, Option<u32>, ZclFrame)>) -> Self {
        let n = frames.len();
        let components = frames
            .into_iter()
            .enumerate()
            .map(|(i, (cluster, from, zcl))| {
                let mut control = if i + 1 == n { CONTROL_LAST } else { 0 };
                if from.is_some() {
                    control |= CONTROL_FROM_DATE_TIME;
                }
                GbzComponent {
                    control,
                    cluster,
                    body: GbzBody::Plain {
                        from_date_time: from,
                        zcl,
                    },
                }
            })
            .collect();
        GbzPayload::Components {
            profile: GBZ_PROFILE,
            components,
        }
    }
}

fn read_profile(r: &mut Reader<'_>) -> Result<u16, DecodeError> {
    let off = r.offset();
    let p = r.u16_be()?;
    if p == GBZ_PROFILE {
        Ok(p)
    } else {
        Err(DecodeError::InvalidValue {
            offset: off,
            field: "GBZ profile id",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcs13a_command() {
        let b = [
            0x01, 0x09, 0x01, 0x01, 0x07, 0x02, 0x00, 0x0B, 0x00, 0x00, 0x00, 0x02, 0x03, 0x01,
            0x03, 0x00, 0x03, 0x00, 0x00,
        ];
        let p = GbzPayload::decode(&b).unwrap();
        let GbzPayload::Components { components, .. } = &p else {
            panic!()
        };
        let GbzBody::Plain { zcl, .. } = &components[0].body else {
            panic!()
        };
        assert_eq!(
            zcl.read_attribute_ids(),
            Some(vec![0x0302, 0x0301, 0x0300, 0x0000])
        );
        assert_eq!(p.encode().unwrap(), b);
        let built = GbzPayload::command(vec![(
            0x0702,
            None,
            ZclFrame::read_attributes(0, &[0x0302, 0x0301, 0x0300, 0]),
        )]);
        assert_eq!(built, p);
    }

    #[test]
    fn alert_without_components() {
        let b = [0x01, 0x09, 0x00, 0x8F, 0x30, 0x1C, 0x37, 0x4A, 0x80];
        let p = GbzPayload::decode_alert(&b).unwrap();
        assert_eq!(p.encode().unwrap(), b);
        let GbzPayload::Alert {
            alert_code, body, ..
        } = p
        else {
            panic!()
        };
        assert_eq!(alert_code, AlertCode(0x8F30));
        assert_eq!(body, GbzAlertBody::Raw(vec![]));
    }
}
