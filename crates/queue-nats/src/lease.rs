//! Which worker takes which partition: leases in a JetStream key-value bucket.
//!
//! nats-server 2.9 has no exclusive pull consumer (the "pinned client" priority groups came in
//! 2.11), and `max_ack_pending = 1` would make a partition's hubs wait for each other's every
//! command. So a partition's durable consumer is taken only by the worker holding the
//! partition's lease:
//!
//! - the bucket `<prefix>_leases` keeps one value per key (history 1) for at most `lease_ttl`
//!   (the bucket's `max_age`): `<lane>.p.<n>` names the worker holding partition `n` of a lane
//!   (`wan`, `device`), `<lane>.w.<worker>` says a worker of the lane is alive;
//! - a worker claims a free partition with a create (it succeeds only if the key does not
//!   exist: no two workers hold one partition), renews each lease every quarter of `lease_ttl`
//!   with an update conditional on the revision it holds (it fails if the lease expired or was
//!   taken meanwhile), and counts its lease valid until three quarters of `lease_ttl` after it
//!   sent the last renewal that succeeded; the server forgets the key `lease_ttl` after it
//!   stored it, so the worker stops taking a partition before anyone else can claim it;
//! - each worker aims at its fair share, ⌈partitions ÷ live workers⌉, claiming partitions in an
//!   order of its own (rendezvous hashing of its name and the partition: workers prefer
//!   different partitions, and a worker that restarts under the same name prefers the same
//!   ones) and giving up its least preferred when it holds more than its share (a worker
//!   joined);
//! - a worker that dies stops renewing: `lease_ttl` later its leases and its `w.` key are gone,
//!   the others' shares grow and they claim its partitions; the messages it had taken and not
//!   acknowledged are delivered again to the new holder after `ack_wait`.
//!
//! Correctness never rests on the lease alone: the database decides (a notice is acted on only
//! if its row is still open at the attempt it names, and a device's command only when it is the
//! device's oldest unfinished one). The lease makes the common case orderly and cheap: one
//! worker per hub, commands taken in the order they were published.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use async_nats::jetstream::{self, kv};
use futures_util::StreamExt as _;
use tokio::time::Instant;
use tracing::info;

use crate::config::Lane;
use crate::setup::{Step, retrying};
use crate::{Queue, QueueError};

/// The lease bucket and the layout bucket (the partition count, kept without expiry), each
/// step create-or-get and tried again while another process is at the same step
/// ([`crate::setup`]).
pub(crate) async fn ensure_bucket(queue: &Queue) -> Result<(), QueueError> {
    let leases = queue.names().lease_bucket();
    retrying(&format!("bucket {leases}"), || ensure_leases_once(queue)).await?;
    let layout = layout_bucket(queue);
    retrying(&format!("bucket {layout}"), || {
        record_partitions_once(queue, &layout)
    })
    .await
}

async fn ensure_leases_once(queue: &Queue) -> Result<(), Step> {
    let config = queue.config();
    let leases = queue.names().lease_bucket();
    let kv = match queue.js().get_key_value(&leases).await {
        Ok(kv) => kv,
        Err(_) => {
            create_bucket(
                queue,
                &leases,
                "opendcc: partition leases (<lane>.p.<n>) and live workers (<lane>.w.<name>)",
                config.lease_ttl,
            )
            .await?
        }
    };
    let status = kv
        .status()
        .await
        .map_err(|e| queue.setup_error(&format!("bucket {leases}"), e))?;
    if status.max_age() != config.lease_ttl {
        return Err(Step::Fail(QueueError::Config(format!(
            "bucket {leases} has leases of {:?}; this process is configured with {:?} \
             (every process of a deployment must use the same lease_ttl)",
            status.max_age(),
            config.lease_ttl
        ))));
    }
    Ok(())
}

/// The layout bucket, and in it the partition count: recorded by the first process, compared
/// by every other.
async fn record_partitions_once(queue: &Queue, layout: &str) -> Result<(), Step> {
    let config = queue.config();
    let kv = match queue.js().get_key_value(layout).await {
        Ok(kv) => kv,
        Err(_) => {
            create_bucket(
                queue,
                layout,
                "opendcc: the JetStream layout's fixed parameters",
                Duration::ZERO,
            )
            .await?
        }
    };
    let what = format!("bucket {layout}");
    let want = config.partitions.to_string();
    match kv.create("partitions", want.clone().into()).await {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => {
            let have = kv
                .get("partitions")
                .await
                .map_err(|e| queue.setup_error(&what, e))?
                // Written by another process and not readable yet: read again.
                .ok_or_else(|| {
                    queue.setup_error(&what, "the partition count is not readable yet")
                })?;
            if have.as_ref() == want.as_bytes() {
                Ok(())
            } else {
                Err(Step::Fail(QueueError::Config(format!(
                    "the deployment {:?} has {} partitions; this process is configured with {} \
                     (hubs would be split over two partitions)",
                    config.prefix,
                    String::from_utf8_lossy(&have),
                    want
                ))))
            }
        }
        // A time-out, or a bucket whose stream does not take its subjects yet (created by
        // another process a moment ago): try again.
        Err(e) => Err(queue.setup_error(&what, e)),
    }
}

pub(crate) fn layout_bucket(queue: &Queue) -> String {
    format!("{}_layout", queue.config().prefix)
}

/// Creates a key-value bucket keeping one value per key for at most `max_age` (zero: for
/// ever). Its stream is made here as async-nats's `create_key_value` would make it (`KV_<name>`,
/// subjects `$KV.<name>.>`, rollups allowed, deletes denied, discard new, direct gets), because
/// that call first asks for the account's information, which async-nats 0.52 cannot read from
/// nats-server 2.9 (it expects the 2.10 fields `reserved_memory` and `reserved_storage`).
/// Another process creating it at the same moment is a [`Step::Again`]: the caller reads again.
async fn create_bucket(
    queue: &Queue,
    bucket: &str,
    description: &str,
    max_age: Duration,
) -> Result<kv::Store, Step> {
    use jetstream::stream;
    let config = stream::Config {
        name: format!("KV_{bucket}"),
        description: Some(description.into()),
        subjects: vec![format!("$KV.{bucket}.>")],
        max_messages_per_subject: 1,
        max_age,
        storage: stream::StorageType::File,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        num_replicas: 1,
        discard: stream::DiscardPolicy::New,
        ..Default::default()
    };
    let what = format!("bucket {bucket}");
    queue
        .js()
        .create_stream(config)
        .await
        .map_err(|e| queue.create_stream_error(&what, e))?;
    info!(url = queue.config().url, what, "created");
    queue
        .js()
        .get_key_value(bucket)
        .await
        .map_err(|e| queue.setup_error(&what, e))
}

/// A partition's lease as this worker holds it.
#[derive(Debug, Clone, Copy)]
struct Lease {
    /// The key's revision after this worker's last create or update.
    revision: u64,
    /// Until when this worker may take the partition (see the module documentation).
    valid_until: Instant,
}

/// What a [`Partitions::rebalance`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    /// Partitions this worker now holds that it did not.
    pub gained: Vec<u32>,
    /// Partitions it no longer holds (given up to a worker that joined, taken over after its
    /// lease expired, or expired here): stop taking their messages.
    pub lost: Vec<u32>,
}

/// One worker's share of the partitions (see the module documentation).
pub struct Partitions {
    kv: kv::Store,
    url: String,
    lane: Lane,
    worker: String,
    count: u32,
    ttl: Duration,
    request_timeout: Duration,
    held: BTreeMap<u32, Lease>,
}

impl std::fmt::Debug for Partitions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Partitions")
            .field("worker", &self.worker)
            .field("held", &self.held.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Partitions {
    /// Joins the deployment as `worker` (unique among live workers: ASCII letters, digits, `-`
    /// and `_`; a host name and process id, say) to take partitions of `lane` (each
    /// partitioned lane is shared out on its own: a worker that takes both joins both under
    /// the same name, and its preferences, being the same, tend to give it the same partitions
    /// of each). Holds nothing until [`Partitions::rebalance`].
    pub async fn join(
        queue: &Queue,
        lane: Lane,
        worker: impl Into<String>,
    ) -> Result<Self, QueueError> {
        let worker = worker.into();
        if !lane.partitioned() {
            return Err(QueueError::Config(format!("{lane:?} is not partitioned")));
        }
        if worker.is_empty()
            || !worker
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(QueueError::Config(format!(
                "worker name {worker:?}: ASCII letters, digits, '-' and '_' only, not empty"
            )));
        }
        let config = queue.config();
        let bucket = queue.names().lease_bucket();
        let kv = queue.js().get_key_value(&bucket).await.map_err(|e| {
            QueueError::from_call(
                &config.url,
                &format!("bucket {bucket}"),
                !queue.is_connected(),
                e,
            )
        })?;
        Ok(Self {
            kv,
            url: config.url.clone(),
            lane,
            worker,
            count: config.partitions,
            ttl: config.lease_ttl,
            request_timeout: config.request_timeout,
            held: BTreeMap::new(),
        })
    }

    pub fn worker(&self) -> &str {
        &self.worker
    }

    /// How often to call [`Partitions::rebalance`]: a quarter of `lease_ttl`.
    pub fn renew_every(&self) -> Duration {
        self.ttl / 4
    }

    /// Whether this worker may take partition `p` now (its lease is held and still valid).
    pub fn holds(&self, p: u32) -> bool {
        self.held
            .get(&p)
            .is_some_and(|l| l.valid_until > Instant::now())
    }

    /// The partitions this worker may take now.
    pub fn held(&self) -> Vec<u32> {
        let now = Instant::now();
        self.held
            .iter()
            .filter(|(_, l)| l.valid_until > now)
            .map(|(p, _)| *p)
            .collect()
    }

    /// Forgets leases whose validity ran out here (renewals failed: NATS down or slow);
    /// returns them.
    pub fn drop_expired(&mut self) -> Vec<u32> {
        let now = Instant::now();
        let gone: Vec<u32> = self
            .held
            .iter()
            .filter(|(_, l)| l.valid_until <= now)
            .map(|(p, _)| *p)
            .collect();
        for p in &gone {
            self.held.remove(p);
        }
        gone
    }

    /// One round: says this worker is alive, renews its leases, gives up partitions beyond its
    /// fair share, and claims free ones up to it. Call every [`Partitions::renew_every`]. On an
    /// error the leases not renewed stay valid until they run out (see
    /// [`Partitions::drop_expired`]).
    pub async fn rebalance(&mut self) -> Result<Change, QueueError> {
        let mut change = Change {
            lost: self.drop_expired(),
            ..Change::default()
        };
        self.kv
            .put(
                worker_key(self.lane, &self.worker),
                self.worker.clone().into(),
            )
            .await
            .map_err(|e| self.error("heartbeat", e))?;
        // Renew.
        let held: Vec<(u32, Lease)> = self.held.iter().map(|(p, l)| (*p, *l)).collect();
        for (p, lease) in held {
            let sent = Instant::now();
            match self
                .kv
                .update(
                    key(self.lane, p),
                    self.worker.clone().into(),
                    lease.revision,
                )
                .await
            {
                Ok(revision) => {
                    self.held.insert(p, self.lease(revision, sent));
                }
                Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => {
                    // Expired on the server, or taken: no longer ours.
                    info!(worker = self.worker, partition = p, "lease lost");
                    self.held.remove(&p);
                    change.lost.push(p);
                }
                Err(e) => return Err(self.error(&format!("renewing partition {p}"), e)),
            }
        }
        // Who is alive, and which partitions are taken.
        let keys = self.keys().await?;
        let workers_prefix = worker_key(self.lane, "");
        let partition_prefix = key_prefix(self.lane);
        let workers = keys
            .iter()
            .filter(|k| k.starts_with(&workers_prefix))
            .count()
            .max(1);
        let taken: BTreeSet<u32> = keys
            .iter()
            .filter_map(|k| k.strip_prefix(&partition_prefix)?.parse().ok())
            .collect();
        let share = usize::try_from(self.count)
            .unwrap_or(usize::MAX)
            .div_ceil(workers);
        let order = self.preference();
        // Give up the least preferred beyond the share.
        for p in order.iter().rev() {
            if self.held.len() <= share {
                break;
            }
            if let Some(lease) = self.held.remove(p) {
                // Whatever the answer, the partition is no longer taken here; the key expires
                // anyway if the delete did not reach the server.
                let _ = self
                    .kv
                    .delete_expect_revision(key(self.lane, *p), Some(lease.revision))
                    .await;
                info!(
                    worker = self.worker,
                    partition = p,
                    "lease given up (share {share})"
                );
                change.lost.push(*p);
            }
        }
        // Claim free ones up to the share, most preferred first.
        for p in order {
            if self.held.len() >= share {
                break;
            }
            if self.held.contains_key(&p) || taken.contains(&p) {
                continue;
            }
            let sent = Instant::now();
            match self
                .kv
                .create(key(self.lane, p), self.worker.clone().into())
                .await
            {
                Ok(revision) => {
                    info!(worker = self.worker, partition = p, "lease taken");
                    self.held.insert(p, self.lease(revision, sent));
                    change.gained.push(p);
                }
                Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => {}
                Err(e) => return Err(self.error(&format!("claiming partition {p}"), e)),
            }
        }
        change.lost.retain(|p| !self.held.contains_key(p));
        Ok(change)
    }

    /// Gives every lease up and says this worker is gone (a clean shutdown: the others take its
    /// partitions at their next round instead of after `lease_ttl`).
    pub async fn leave(mut self) -> Result<(), QueueError> {
        let held: Vec<(u32, Lease)> = std::mem::take(&mut self.held).into_iter().collect();
        for (p, lease) in held {
            self.kv
                .delete_expect_revision(key(self.lane, p), Some(lease.revision))
                .await
                .map_err(|e| self.error(&format!("giving up partition {p}"), e))?;
        }
        self.kv
            .delete(worker_key(self.lane, &self.worker))
            .await
            .map_err(|e| self.error("leaving", e))
    }

    fn lease(&self, revision: u64, sent: Instant) -> Lease {
        Lease {
            revision,
            valid_until: sent + self.ttl * 3 / 4,
        }
    }

    /// Every partition, this worker's most preferred first (rendezvous hashing).
    fn preference(&self) -> Vec<u32> {
        let mut order: Vec<(u64, u32)> = (0..self.count)
            .map(|p| (weight(&self.worker, p), p))
            .collect();
        order.sort_unstable_by(|a, b| b.cmp(a));
        order.into_iter().map(|(_, p)| p).collect()
    }

    async fn keys(&self) -> Result<Vec<String>, QueueError> {
        let listing = async {
            let mut keys = Vec::new();
            let mut stream = self
                .kv
                .keys()
                .await
                .map_err(|e| self.error("listing leases", e))?;
            while let Some(k) = stream.next().await {
                keys.push(k.map_err(|e| self.error("listing leases", e))?);
            }
            Ok::<_, QueueError>(keys)
        };
        tokio::time::timeout(self.request_timeout * 2, listing)
            .await
            .map_err(|_| QueueError::unavailable(&self.url, "listing leases: timed out"))?
    }

    /// Errors of the bucket's calls: all of them are requests to the server, and a failure
    /// there is, for a worker, "NATS is not answering" (a wrong revision, the one answer that
    /// means something else, is handled where it can come).
    fn error(&self, what: &str, e: impl std::fmt::Display) -> QueueError {
        QueueError::unavailable(&self.url, format!("{what}: {e}"))
    }
}

/// The partition leases of `lane` as the bucket holds them now: partition → worker
/// ([`Queue::leases`]).
pub(crate) async fn leases(queue: &Queue, lane: Lane) -> Result<BTreeMap<u32, String>, QueueError> {
    let config = queue.config();
    let bucket = queue.names().lease_bucket();
    let fail = |e: &dyn std::fmt::Display| {
        QueueError::unavailable(&config.url, format!("reading bucket {bucket}: {e}"))
    };
    let kv = queue
        .js()
        .get_key_value(&bucket)
        .await
        .map_err(|e| fail(&e))?;
    let listing = async {
        let mut keys = Vec::new();
        let mut stream = kv.keys().await.map_err(|e| fail(&e))?;
        while let Some(k) = stream.next().await {
            keys.push(k.map_err(|e| fail(&e))?);
        }
        Ok::<_, QueueError>(keys)
    };
    let keys = tokio::time::timeout(config.request_timeout * 2, listing)
        .await
        .map_err(|_| fail(&"timed out"))??;
    let mut out = BTreeMap::new();
    for k in keys {
        let Some(p) = k
            .strip_prefix(&key_prefix(lane))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some(worker) = kv.get(&k).await.map_err(|e| fail(&e))? {
            out.insert(p, String::from_utf8_lossy(&worker).into_owned());
        }
    }
    Ok(out)
}

/// The lease of partition `p` of `lane`: `<lane>.p.<p>`.
fn key(lane: Lane, p: u32) -> String {
    format!("{}{p}", key_prefix(lane))
}

fn key_prefix(lane: Lane) -> String {
    format!("{}.p.", lane.token())
}

/// A live worker of `lane`: `<lane>.w.<worker>`.
fn worker_key(lane: Lane, worker: &str) -> String {
    format!("{}.w.{worker}", lane.token())
}

/// The weight of partition `p` for `worker` (FNV-1a 64 of the name, a separator and the
/// partition, finished with a mixer so that neighbouring partitions weigh unrelated amounts).
fn weight(worker: &str, p: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in worker.bytes().chain([0]).chain(p.to_be_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // splitmix64's finaliser.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

#[cfg(test)]
mod tests {
    use super::weight;

    #[test]
    fn workers_prefer_different_partitions() {
        let first = |w: &str| (0..16u32).max_by_key(|&p| weight(w, p));
        let firsts: std::collections::BTreeSet<_> = ["a", "b", "c", "d", "e", "f"]
            .iter()
            .map(|w| first(w))
            .collect();
        assert!(firsts.len() >= 3, "{firsts:?}");
        assert_eq!(weight("a", 1), weight("a", 1));
        assert_ne!(weight("a", 1), weight("a", 2));
    }
}
