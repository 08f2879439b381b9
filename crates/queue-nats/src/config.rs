//! What the DCC's JetStream layout is made of: the configuration, the names of the streams,
//! consumers and lease bucket, the subjects, and the partition of a Communications Hub.

use std::time::Duration;

use eui::Eui64;

use crate::QueueError;

/// How to reach NATS and how the DCC's streams and consumers are set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueConfig {
    /// The server (`nats://host:port`, or a comma-separated list of them).
    pub url: String,
    /// What every name starts with: streams `<prefix>_wan`, `<prefix>_device`,
    /// `<prefix>_outbox`, the lease bucket `<prefix>_leases`, subjects `<prefix>.wan.…`. ASCII
    /// letters, digits, `-` and `_` only. One deployment uses one prefix; tests use one each.
    pub prefix: String,
    /// How many partitions the Communications Hubs are spread over (a hub's partition is a
    /// stable hash of its EUI-64 modulo this). Fixed for a deployment: the first process to set
    /// the layout up records it in the lease bucket, and a process configured with another
    /// count is refused ([`QueueError::Config`]), since a hub's notices would then be split over
    /// two partitions and could be taken out of order by two workers.
    pub partitions: u32,
    /// How long a worker has to acknowledge a message before JetStream delivers it again (to
    /// whichever worker then holds the partition). Longer than the longest piece of work a
    /// notice starts, or the worker reports progress ([`crate::Taken::in_progress`]). This,
    /// `max_deliver` and `max_ack_pending` are the durable consumers' settings: every process
    /// of a deployment should use the same, since the last to connect sets them.
    pub ack_wait: Duration,
    /// How many times JetStream delivers one message at most (the first delivery, redeliveries
    /// after `ack_wait`, and naks all count). A message past it stays unacknowledged in the
    /// stream until `max_age`; its database row is still open, and the sweeper announces it
    /// again once the duplicate window has passed.
    pub max_deliver: i64,
    /// Messages one consumer may have delivered and not yet acknowledged (a worker's
    /// concurrency on one partition, prefetch included).
    pub max_ack_pending: i64,
    /// Messages a worker asks JetStream for ahead, per consumer it has open. JetStream sends
    /// them to whoever asks first, and their `ack_wait` runs from then: keep it near what the
    /// worker can work on at once (its free slots), or one worker of several is sent the whole
    /// backlog while the others idle, and a long backlog can outlive `ack_wait` in its buffer.
    pub prefetch: usize,
    /// How long JetStream remembers a message id to drop a repeat of it (a re-publish by the
    /// sweeper, or by a producer that retried after a time-out).
    pub duplicate_window: Duration,
    /// The most a message stays in a stream (a backstop for messages nobody will take; the
    /// database keeps the truth).
    pub max_age: Duration,
    /// How long a partition's lease lasts without renewal: a worker that dies loses its
    /// partitions this long after its last renewal (plus the server's expiry scan). Renewed
    /// every third of it.
    pub lease_ttl: Duration,
    /// How long a JetStream request (and a publish's acknowledgement) may take.
    pub request_timeout: Duration,
    /// How long the first connection may take.
    pub connect_timeout: Duration,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            url: "nats://127.0.0.1:4222".into(),
            prefix: "opendcc".into(),
            partitions: 16,
            ack_wait: Duration::from_secs(30),
            max_deliver: 100,
            max_ack_pending: 1024,
            prefetch: 16,
            duplicate_window: Duration::from_secs(120),
            max_age: Duration::from_secs(7 * 24 * 3600),
            lease_ttl: Duration::from_secs(10),
            request_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(2),
        }
    }
}

impl QueueConfig {
    /// Checks what can be checked without a server.
    pub fn validate(&self) -> Result<(), QueueError> {
        let bad = |why: String| Err(QueueError::Config(why));
        if self.prefix.is_empty()
            || !self
                .prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return bad(format!(
                "prefix {:?}: ASCII letters, digits, '-' and '_' only, not empty",
                self.prefix
            ));
        }
        if self.partitions == 0 || self.partitions > 4096 {
            return bad(format!("partitions {}: 1 to 4096", self.partitions));
        }
        if self.ack_wait.is_zero() || self.lease_ttl < Duration::from_secs(1) {
            return bad("ack_wait must be positive and lease_ttl at least 1 s".into());
        }
        if self.max_deliver == 0 || self.max_ack_pending == 0 || self.prefetch == 0 {
            return bad("max_deliver, max_ack_pending and prefetch must not be 0".into());
        }
        if self.duplicate_window.is_zero() || self.duplicate_window > self.max_age {
            return bad("duplicate_window must be positive and at most max_age".into());
        }
        Ok(())
    }

    /// The partition of a Communications Hub ([`partition_of`]).
    pub fn partition_of(&self, chf: Eui64) -> u32 {
        partition_of(chf, self.partitions)
    }

    pub(crate) fn names(&self) -> Names {
        Names {
            prefix: self.prefix.clone(),
        }
    }
}

/// The partition of a Communications Hub among `partitions`: FNV-1a (64-bit) of its eight bytes,
/// modulo `partitions`. Written out here rather than taken from `std`'s hasher, whose output
/// may change between Rust releases: every process of a deployment, of any version, must put a
/// hub in the same partition.
pub fn partition_of(chf: Eui64, partitions: u32) -> u32 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    for b in chf.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    }
    // `partitions` is at least 1 once validated; 0 is treated as 1.
    let p = u64::from(partitions.max(1));
    u32::try_from(h % p).unwrap_or(0)
}

/// The names of one deployment's streams, consumers, subjects and bucket.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    prefix: String,
}

/// Which of the DCC's streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Notices of WAN jobs, by partition of their hub.
    Wan,
    /// Device responses and alerts coming back from the SM WAN, by partition of their hub.
    Device,
    /// Notices of outbox items, by recipient; one consumer shared by every delivery worker.
    Outbox,
}

impl Lane {
    pub(crate) fn token(self) -> &'static str {
        match self {
            Self::Wan => "wan",
            Self::Device => "device",
            Self::Outbox => "outbox",
        }
    }

    /// Whether the lane is partitioned by Communications Hub (one consumer per partition, held
    /// by one worker at a time).
    pub fn partitioned(self) -> bool {
        !matches!(self, Self::Outbox)
    }
}

impl Names {
    pub(crate) fn stream(&self, lane: Lane) -> String {
        format!("{}_{}", self.prefix, lane.token())
    }

    /// Every subject of a lane's stream.
    pub(crate) fn stream_subjects(&self, lane: Lane) -> String {
        format!("{}.{}.>", self.prefix, lane.token())
    }

    /// A partitioned lane's subject for one hub.
    pub(crate) fn hub_subject(&self, lane: Lane, partition: u32, chf: Eui64) -> String {
        format!(
            "{}.{}.{}.{}",
            self.prefix,
            lane.token(),
            partition,
            chf.to_hex()
        )
    }

    /// The outbox's subject for one recipient.
    pub(crate) fn outbox_subject(&self, recipient: Eui64) -> String {
        format!("{}.outbox.{}", self.prefix, recipient.to_hex())
    }

    /// The durable consumer of one partition of a partitioned lane, or of the outbox.
    pub(crate) fn consumer(&self, lane: Lane, partition: Option<u32>) -> String {
        match partition {
            Some(p) => format!("{}-{}", lane.token(), p),
            None => lane.token().to_string(),
        }
    }

    /// What that consumer takes.
    pub(crate) fn filter(&self, lane: Lane, partition: Option<u32>) -> String {
        match partition {
            Some(p) => format!("{}.{}.{}.*", self.prefix, lane.token(), p),
            None => self.stream_subjects(lane),
        }
    }

    pub(crate) fn lease_bucket(&self) -> String {
        format!("{}_leases", self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_are_stable_and_spread() {
        // Pinned (computed independently, FNV-1a 64 of the big-endian bytes): a change here
        // would move hubs between partitions in a running deployment.
        let chf: Eui64 = "00-DB-12-34-56-78-90-A0".parse().unwrap_or_default();
        assert_eq!(partition_of(chf, 16), 4);
        assert_eq!(partition_of(chf, 1024), 596);
        assert_eq!(partition_of(Eui64::from_u64(1), 16), 2);
        assert_eq!(partition_of(Eui64::from_u64(u64::MAX), 7), 6);
        assert_eq!(partition_of(chf, 1), 0);
        let mut counts = [0u32; 8];
        for i in 0..8000u64 {
            counts[partition_of(Eui64::from_u64(0x00db_0000_0000_0000 + i), 8) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (800..1200).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn names_and_validation() {
        let c = QueueConfig {
            prefix: "t1".into(),
            ..QueueConfig::default()
        };
        assert!(c.validate().is_ok());
        let n = c.names();
        assert_eq!(n.stream(Lane::Wan), "t1_wan");
        assert_eq!(n.filter(Lane::Wan, Some(3)), "t1.wan.3.*");
        assert_eq!(
            n.hub_subject(Lane::Device, 3, Eui64::from_u64(0xab)),
            "t1.device.3.00000000000000ab"
        );
        assert_eq!(n.consumer(Lane::Outbox, None), "outbox");
        assert_eq!(n.filter(Lane::Outbox, None), "t1.outbox.>");
        for bad in ["", "a.b", "a b", "a*"] {
            let c = QueueConfig {
                prefix: bad.into(),
                ..QueueConfig::default()
            };
            assert!(
                matches!(c.validate(), Err(QueueError::Config(_))),
                "{bad:?}"
            );
        }
    }
}
