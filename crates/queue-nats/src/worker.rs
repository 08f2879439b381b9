//! A worker's view of a partitioned lane: the partitions it holds ([`Partitions`]) and their
//! consumers, taken from as one.

use std::collections::BTreeMap;
use std::future::poll_fn;
use std::task::Poll;
use std::time::Duration;

use futures_util::FutureExt as _;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::warn;

use crate::config::Lane;
use crate::consumer::{CONNECTION_CHECK, Consumer, Raw, Taken};
use crate::lease::{Change, Partitions};
use crate::notice::{DeviceMessage, WanNotice};
use crate::{Queue, QueueError};

/// The partitions of one lane this worker holds, and their durable consumers: [`take`] keeps
/// the leases (a round every [`Partitions::renew_every`]), opens the consumers of partitions it
/// gains, closes those of partitions it loses, and returns messages of held partitions only.
///
/// Within one partition, messages come in the order they were published, so a hub's notices
/// (all on its partition's subject) reach the one worker holding it in order. Messages of
/// different partitions interleave.
///
/// [`take`]: PartitionedConsumer::take
pub struct PartitionedConsumer<T> {
    queue: Queue,
    lane: Lane,
    partitions: Partitions,
    consumers: BTreeMap<u32, Consumer<T>>,
    next_round: Instant,
    /// Where the next look across the consumers starts (so that no partition is starved).
    rotate: usize,
}

impl<T> std::fmt::Debug for PartitionedConsumer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartitionedConsumer")
            .field("lane", &self.lane)
            .field("partitions", &self.partitions)
            .finish()
    }
}

impl PartitionedConsumer<WanNotice> {
    /// Joins as `worker` ([`Partitions::join`]) to take WAN notices.
    pub async fn wan(queue: &Queue, worker: impl Into<String>) -> Result<Self, QueueError> {
        Self::join(queue, Lane::Wan, worker).await
    }
}

impl PartitionedConsumer<DeviceMessage> {
    /// Joins as `worker` ([`Partitions::join`]) to take device responses and alerts.
    pub async fn device(queue: &Queue, worker: impl Into<String>) -> Result<Self, QueueError> {
        Self::join(queue, Lane::Device, worker).await
    }
}

impl<T: DeserializeOwned> PartitionedConsumer<T> {
    /// Joins as `worker` ([`Partitions::join`]) to take `lane` (a partitioned one).
    async fn join(
        queue: &Queue,
        lane: Lane,
        worker: impl Into<String>,
    ) -> Result<Self, QueueError> {
        Ok(Self {
            queue: queue.clone(),
            lane,
            partitions: Partitions::join(queue, lane, worker).await?,
            consumers: BTreeMap::new(),
            next_round: Instant::now(),
            rotate: 0,
        })
    }

    /// The leases.
    pub fn partitions(&self) -> &Partitions {
        &self.partitions
    }

    /// The partitions held now.
    pub fn held(&self) -> Vec<u32> {
        self.partitions.held()
    }

    /// A lease round now ([`Partitions::rebalance`]), and the consumers opened and closed to
    /// match; [`PartitionedConsumer::take`] does this on its own every
    /// [`Partitions::renew_every`].
    pub async fn rebalance(&mut self) -> Result<Change, QueueError> {
        self.next_round = Instant::now() + self.partitions.renew_every();
        let result = self.partitions.rebalance().await;
        let lost = self.partitions.drop_expired();
        self.sync().await?;
        let mut change = result?;
        change.lost.extend(lost);
        Ok(change)
    }

    /// Consumers exactly for the partitions held.
    async fn sync(&mut self) -> Result<(), QueueError> {
        let held = self.partitions.held();
        let lost: Vec<u32> = self
            .consumers
            .keys()
            .filter(|p| !held.contains(p))
            .copied()
            .collect();
        for p in lost {
            if let Some(c) = self.consumers.remove(&p) {
                c.hand_back().await;
            }
        }
        for p in held {
            if let std::collections::btree_map::Entry::Vacant(e) = self.consumers.entry(p) {
                e.insert(self.queue.consumer(self.lane, Some(p)).await?);
            }
        }
        Ok(())
    }

    /// Up to `max` messages from the partitions held: waits at most `wait` for the first (and
    /// keeps the leases meanwhile), then takes those that have arrived already. Empty if none
    /// came, or if this worker holds no partition (every partition is held by others).
    pub async fn take(&mut self, max: usize, wait: Duration) -> Result<Vec<Taken<T>>, QueueError> {
        let deadline = Instant::now() + wait;
        let mut out: Vec<Taken<T>> = Vec::new();
        loop {
            if Instant::now() >= self.next_round {
                self.rebalance().await?;
            } else if self.partitions.held().len() != self.consumers.len() {
                // A lease ran out between rounds.
                self.partitions.drop_expired();
                self.sync().await?;
            }
            for c in self.consumers.values_mut() {
                c.check_connected()?;
                c.open().await?;
            }
            // Waits in slices, so that a connection lost meanwhile is reported within one.
            let until = deadline
                .min(self.next_round)
                .min(Instant::now() + CONNECTION_CHECK);
            let first = if self.consumers.is_empty() {
                tokio::time::sleep_until(until).await;
                None
            } else {
                tokio::time::timeout_at(until, self.next_raw()).await.ok()
            };
            if let Some((p, raw)) = first {
                self.accept(p, raw, &mut out).await?;
                while out.len() < max.max(1) {
                    let Some((p, raw)) = self.next_raw().now_or_never() else {
                        break;
                    };
                    if let Err(e) = self.accept(p, raw, &mut out).await {
                        // Hand over what was taken; the next call meets the error afresh.
                        warn!(error = %e, "taking from a partition failed");
                        break;
                    }
                }
            }
            if !out.is_empty() || Instant::now() >= deadline {
                return Ok(out);
            }
        }
    }

    /// The next message of any consumer, looking at them in turn from `rotate`.
    async fn next_raw(&mut self) -> (u32, Raw) {
        let start = self.rotate;
        self.rotate = self.rotate.wrapping_add(1);
        let consumers = &mut self.consumers;
        poll_fn(|cx| {
            let n = consumers.len();
            for (i, (p, c)) in consumers.iter_mut().enumerate() {
                // Visit in rotated order: skip until the start, then wrap below.
                if n > 0 && i < start % n {
                    continue;
                }
                if let Poll::Ready(raw) = c.poll_raw(cx) {
                    return Poll::Ready((*p, raw));
                }
            }
            for (i, (p, c)) in consumers.iter_mut().enumerate() {
                if n > 0 && i >= start % n {
                    break;
                }
                if let Poll::Ready(raw) = c.poll_raw(cx) {
                    return Poll::Ready((*p, raw));
                }
            }
            Poll::Pending
        })
        .await
    }

    async fn accept(
        &mut self,
        p: u32,
        raw: Raw,
        out: &mut Vec<Taken<T>>,
    ) -> Result<(), QueueError> {
        let Some(consumer) = self.consumers.get_mut(&p) else {
            return Ok(());
        };
        if let Some(taken) = consumer.accept(raw).await? {
            if self.partitions.holds(p) {
                out.push(taken);
            } else if let Err(e) = taken.nak(Duration::ZERO).await {
                // Handed back at once to the partition's next holder; if that fails, it comes
                // again after `ack_wait`.
                warn!(partition = p, error = %e, "handing a message back failed");
            }
        }
        Ok(())
    }

    /// Gives the leases up ([`Partitions::leave`]) after closing the consumers, each handing
    /// back what it had prefetched ([`Consumer::hand_back`]): the others take the partitions
    /// and those messages at once. Messages taken and not settled are delivered again after
    /// `ack_wait`: nak them (no delay) once this returned, so that they too go at once.
    pub async fn leave(self) -> Result<(), QueueError> {
        for (_, c) in self.consumers {
            c.hand_back().await;
        }
        self.partitions.leave().await
    }
}
