//! What travels on the streams: notices that name a database row (a WAN job, an outbox item)
//! with what a consumer needs to route them and to recognise a stale one, and the device
//! messages that come back from the SM WAN. JSON, so that an operator can read them with the
//! `nats` tool.

use eui::Eui64;
use serde::{Deserialize, Serialize};

/// A WAN job is ready for its attempt number `attempt + 1`: "job `job`, whose `attempts` was
/// `attempt` when this was published, is due at `due_at`".
///
/// The command itself stays in the database (`wan_jobs`): the notice only names the row. A
/// consumer reads the job in its own transaction and acts only if it is still open with
/// `attempts == attempt` (a compare-and-set): a job finished, or already attempted again since
/// (its successor notice carries the new count), makes the notice stale, and a stale notice is
/// acknowledged and dropped. So two copies of one notice (a re-publish outside the duplicate
/// window, a redelivery to a worker that took over) never make two attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WanNotice {
    /// `WanJob::id`.
    pub job: i64,
    /// `WanJob::attempts` when the notice was published.
    pub attempt: u32,
    /// The Communications Hub Function that reaches the device: the partition key.
    pub chf: Eui64,
    /// The device the command is for (a worker keeps one command per device on the air).
    pub target: Eui64,
    /// When the attempt is due (unix milliseconds): a consumer that takes the notice earlier
    /// naks it with the delay left.
    pub due_at: i64,
}

impl WanNotice {
    /// The JetStream message id: `wan-<job>-<attempt>`. A re-publish of the same attempt within
    /// the duplicate window is dropped by the server.
    pub fn message_id(&self) -> String {
        format!("wan-{}-{}", self.job, self.attempt)
    }

    /// The notice of the job's next attempt, due at `due_at`, after this attempt was recorded as
    /// a retry (`WanQueue::retry_wan_job(job, attempt + 1, due_at)`).
    pub fn next_attempt(&self, due_at: i64) -> Self {
        Self {
            attempt: self.attempt.saturating_add(1),
            due_at,
            ..self.clone()
        }
    }
}

/// An outbox item is ready for its delivery attempt number `attempt + 1` (same rules as
/// [`WanNotice`]: the document stays in the database, the consumer acts only if the item is
/// undelivered with `attempts == attempt`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxNotice {
    /// `OutboxItem::id`.
    pub item: i64,
    /// `OutboxItem::attempts` when the notice was published.
    pub attempt: u32,
    /// The user whose Receive Response Service gets it (the subject's last token).
    pub recipient: Eui64,
    /// When the delivery is due (unix milliseconds; `OutboxItem::next_at`).
    pub next_at: i64,
}

impl OutboxNotice {
    /// The JetStream message id: `outbox-<item>-<attempt>`.
    pub fn message_id(&self) -> String {
        format!("outbox-{}-{}", self.item, self.attempt)
    }

    /// The notice of the next delivery attempt, due at `next_at`, after a failed one was recorded
    /// (`Outbox::outbox_retry(item, attempt + 1, next_at, …)`).
    pub fn next_attempt(&self, next_at: i64) -> Self {
        Self {
            attempt: self.attempt.saturating_add(1),
            next_at,
            ..self.clone()
        }
    }
}

/// What a device message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceMessageKind {
    /// A device's response to a command the DCC sent.
    Response,
    /// An alert a device raised (or a hub's report).
    Alert,
}

/// A device response or alert as the SM WAN hands it over, before the DCC has stored anything
/// of it. Unlike the notices it carries its payload (the GBCS frame, a few hundred bytes): there
/// is no database row yet, the message is the event, and JetStream (file storage, explicit
/// acknowledgement) keeps it until a worker has committed what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceMessage {
    /// The network's own id for the message (unique per message; a network that hands the same
    /// message over twice uses the same id): the JetStream message id is `device-<source_id>`.
    pub source_id: String,
    /// The hub it came through: the partition key, so that a hub's responses and alerts are
    /// taken in order by the worker that holds its WAN partition too.
    pub chf: Eui64,
    /// The device that sent it.
    pub device: Eui64,
    pub kind: DeviceMessageKind,
    /// The GBCS frame (hex in JSON).
    #[serde(with = "hex_bytes")]
    pub frame: Vec<u8>,
    /// When the network received it (unix milliseconds).
    pub received_at: i64,
}

impl DeviceMessage {
    /// The JetStream message id: `device-<source_id>`.
    pub fn message_id(&self) -> String {
        format!("device-{}", self.source_id)
    }
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(b))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_round_trip_and_name_their_attempt() -> Result<(), serde_json::Error> {
        let n = WanNotice {
            job: 7,
            attempt: 0,
            chf: Eui64::from_u64(1),
            target: Eui64::from_u64(2),
            due_at: 1_000,
        };
        assert_eq!(n.message_id(), "wan-7-0");
        let next = n.next_attempt(1_500);
        assert_eq!((next.message_id(), next.due_at), ("wan-7-1".into(), 1_500));
        let json = serde_json::to_string(&n)?;
        assert!(
            json.contains("\"chf\":\"00-00-00-00-00-00-00-01\""),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<WanNotice>(&json)?, n);

        let o = OutboxNotice {
            item: 9,
            attempt: 2,
            recipient: Eui64::from_u64(3),
            next_at: 5,
        };
        assert_eq!(o.message_id(), "outbox-9-2");
        assert_eq!(o.next_attempt(6).message_id(), "outbox-9-3");

        let d = DeviceMessage {
            source_id: "csp-1".into(),
            chf: Eui64::from_u64(1),
            device: Eui64::from_u64(2),
            kind: DeviceMessageKind::Alert,
            frame: vec![0xdd, 0x00, 0x01],
            received_at: 3,
        };
        let json = serde_json::to_string(&d)?;
        assert!(json.contains("\"frame\":\"dd0001\""), "{json}");
        assert!(json.contains("\"kind\":\"alert\""), "{json}");
        assert_eq!(serde_json::from_str::<DeviceMessage>(&json)?, d);
        assert_eq!(d.message_id(), "device-csp-1");
        Ok(())
    }
}
