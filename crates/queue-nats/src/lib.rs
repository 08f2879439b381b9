//! NATS JetStream for opendcc beyond one machine: it spreads the DCC's work (WAN jobs, device
//! responses and alerts, the delivery outbox) over processes, while the database stays the
//! source of truth.
//!
//! # The database is the truth; JetStream carries notices
//!
//! A WAN job or an outbox item is a row committed in the same transaction as the request (or
//! the attempt) that made it, exactly as with one process: an acknowledged request can never be
//! lost between the database and the broker, because nothing is acknowledged before the row is
//! durable. After the commit the producer publishes a **notice** naming the row
//! ([`WanNotice`], [`OutboxNotice`]: ids, the attempt, and what a consumer needs to route it:
//! the hub, the device, the recipient, the due time), with the JetStream message id
//! `wan-<job>-<attempt>` / `outbox-<item>-<attempt>`, so that JetStream's duplicate window drops
//! a re-publish of the same attempt. The documents (the GBCS command, the signed DUIS response)
//! stay in the database: a notice is small, and the row it names is what the consumer's
//! transaction must read anyway.
//!
//! Device responses and alerts ([`DeviceMessage`]) are the exception: they come from the SM
//! WAN, no row exists for them yet, so the message carries the GBCS frame, and JetStream (file
//! storage, explicit acknowledgement) keeps it until a worker has committed what it means.
//!
//! # Idempotent consumers
//!
//! Every message is delivered at least once; a consumer makes a second delivery harmless:
//!
//! 1. it takes a notice ([`Consumer::take`], [`PartitionedConsumer::take`]);
//! 2. in one database transaction it reads the row; a row finished, or attempted again since
//!    the notice was published (its `attempts` is no longer the notice's `attempt`: the
//!    successor notice carries the new count), makes the notice stale: it commits nothing and
//!    acknowledges. Otherwise it does the work and commits;
//! 3. it acknowledges after the commit ([`Taken::ack`]); a worker that dies before that leaves
//!    the message unacknowledged, and JetStream delivers it again after `ack_wait` (to the
//!    worker that holds the partition by then), whose transaction finds the work done or not;
//! 4. work that cannot be done yet is nak'ed with a delay ([`Taken::nak`]): a job not due (a
//!    retry's time), a device whose earlier command is still on the air; long work reports
//!    progress ([`Taken::in_progress`]) so that `ack_wait` does not run out; a notice that names
//!    nothing the consumer can act on is terminated ([`Taken::term`]);
//! 5. an attempt that ends in a retry commits the retry (attempts + 1, the next due time), then
//!    publishes the successor notice ([`WanNotice::next_attempt`]), then acknowledges.
//!
//! # The sweeper
//!
//! A producer can die between its commit and its publish, NATS can be down at that moment, and a
//! message can run out of deliveries (`max_deliver`). None of that loses work, because a
//! **sweeper** (one per deployment, or one per worker: re-publishing is harmless) regularly
//! re-publishes the notice of every open row whose due time is older than a bound (longer than
//! a publish normally takes to be consumed). Within the duplicate window JetStream drops the
//! repeat; after it, a second notice of the same attempt is stale by the rule above once the
//! first was acted on.
//!
//! The sweeper does not get round the duplicate window for a notice that a worker holds (it
//! cannot tell a worker that is gone from one still at work, and a second notice of the same
//! attempt under another id would let two delivery workers POST one document at once). Such a
//! notice comes back by itself: at once when its worker stops gracefully (the worker naks what
//! it holds and hands back what it prefetched: see *Shut-down* below), after `ack_wait` when
//! its worker was killed.
//!
//! # Partitions and per-hub order
//!
//! WAN notices and device messages go to `<prefix>.<lane>.<partition>.<chf>`, where the
//! partition is a stable hash of the Communications Hub Function's EUI-64 modulo the
//! deployment's partition count ([`partition_of`]). Each partition has one durable pull consumer
//! (`wan-<n>`, `device-<n>`), and a worker takes a partition's consumer only while it holds the
//! partition's lease ([`Partitions`]: leases in a JetStream key-value bucket with a TTL, each
//! worker claiming its fair share, a dead worker's partitions taken over when its leases
//! expire). So each hub's messages reach one worker at a time, in the order they were
//! published, while the hubs spread over the workers. The outbox needs no such order: its one
//! durable consumer is shared by every delivery worker.
//!
//! Order is ultimately the database's: after a redelivery, a nak or a takeover (the new holder
//! gets the old holder's unsettled messages after `ack_wait`, perhaps after later ones it was
//! never given) a later notice of a hub can come before an earlier one, and while a partition
//! moves its old holder may still be working on a notice the new holder's next one follows. So
//! the WAN consumer attempts a job only when it is its device's oldest unfinished command (and
//! naks it otherwise), as the single-process runner's poll does.
//!
//! # Retention and limits
//!
//! Streams use work-queue retention (a message is removed when acknowledged: the stream holds
//! exactly the work not yet done, and the server refuses a consumer whose subjects overlap a
//! partition's), file storage, a duplicate window (default 2 min), a maximum age as a backstop
//! (default 7 days). Consumers acknowledge explicitly, with `ack_wait` (default 30 s) and
//! `max_deliver` (default 100). See [`QueueConfig`].
//!
//! # NATS down
//!
//! Every call returns a [`QueueError`]; [`QueueError::is_unavailable`] says the broker is down
//! or not answering. Nothing panics. [`Queue::connect`] fails at once if no server answers (the
//! caller decides whether to retry); once connected, async-nats reconnects on its own. While the
//! connection is down, a publish fails at once ([`Queue::check_available`] is the same check,
//! for the gateway to refuse new requests with its DCC-fault answer before committing them); a
//! publish in flight when the connection drops either gets its acknowledgement after the
//! reconnection or fails with a time-out, and may then still be stored (a retry of it, or the
//! sweeper's, is dropped as a duplicate). Takes and acknowledgements fail likewise; an
//! acknowledgement that failed leaves the message to be delivered again.
//!
//! # Sync or async
//!
//! The API is async only. The callers that publish and consume are the server's tokio runners
//! and the DUIS handler; the store's transactions and the dispatcher's `Driver` are
//! synchronous, but a notice is published after a transaction commits, never inside it, so
//! nothing synchronous needs to publish (the runners already run the transactions on blocking
//! threads and await them).

//! # Wiring it into the server
//!
//! Done in `server::nats` (and `opendcc serve` with `queue = "nats://…"`), as follows; the
//! dcc side is `dcc::gateway::Answer::wan_jobs`, `dcc::gateway::WanAdmission` and
//! `dcc::dispatch::Driver::attempt_noticed`. The device lane is not used there: the emulated
//! devices answer inside the WAN attempt's transaction.
//!
//! - **Start-up**: [`Queue::connect`] once per process (on [`QueueError::Unavailable`] the
//!   binary retries or refuses to start); the partition count is the deployment's.
//! - **Gateway** (`server::handle`, around `Gateway::handle`): before a device request
//!   (`serviceS`, `serviceT`) is handed to the gateway, [`Queue::check_available`]; an error
//!   refuses it with the DCC-fault answer (`DccError::Internal`, HTTP 503 today) and nothing is
//!   committed. After the commit, [`Queue::publish_wan`] for each job the request queued —
//!   which needs `dcc::gateway::Answer` to carry the queued jobs (id, CHF, target, due time)
//!   instead of `wan_queued: bool`. A publish that fails after the commit is logged, not
//!   refused: the request is acknowledged and durable, and the sweeper announces it.
//! - **WAN runner** (`server::dispatch::run`): [`PartitionedConsumer::wan`] under a worker name
//!   of the process, [`PartitionedConsumer::take`] up to its free slots (instead of
//!   `Driver::poll`), and per notice: due later → [`Taken::nak`] with the time left; its device
//!   busy here → keep it in a per-device queue, lowest job first (reporting
//!   [`Taken::in_progress`]); else, after the transit time, the attempt in one transaction — which needs a
//!   `Driver::attempt` that takes the notice's `attempt` and answers "gone" unless the job is
//!   open with that attempt count and is its device's oldest unfinished job (today's attempt
//!   checks only that the job is open). Then: answered, failed, given up, gone → [`Taken::ack`],
//!   and [`Queue::publish_outbox`] for the outbox items the attempt created (their ids, which
//!   the attempt must return); retry → [`Queue::publish_wan`] of
//!   [`WanNotice::next_attempt`], then [`Taken::ack`]; not the device's oldest → keep it in
//!   the device's queue and ask again shortly (a nak would count against `max_deliver` while
//!   the oldest's notice is held by a killed worker until `ack_wait` runs out). Hub reports of the emulated WAN stay as they are
//!   (one process takes them); a real network's device messages come through
//!   [`Queue::publish_device`] and [`PartitionedConsumer::device`].
//! - **Delivery worker** (`server::delivery::run`): [`Queue::outbox`] (one consumer shared by
//!   every delivery worker), [`Consumer::take`] up to its free slots (instead of
//!   `due_outbox_ids`), and per notice: `next_at` later → nak with the time left; the item
//!   delivered, or `attempts` ≠ the notice's → ack (stale); else POST it, record the outcome as
//!   today (`record`), then ack if delivered, or publish [`OutboxNotice::next_attempt`] and ack
//!   if a retry was recorded.
//! - **Sweeper** (each process, every few seconds): the open jobs and undelivered items due
//!   more than a bound ago (`WanQueue::due_wan_jobs` / `Outbox::due_outbox` at `now − bound`),
//!   re-announced with [`Queue::publish_wan_all`] / [`Queue::publish_outbox_all`].
//! - **Shut-down**: [`PartitionedConsumer::leave`] (or [`Consumer::hand_back`] for the outbox),
//!   so that the others take the partitions and the prefetched messages at once, then
//!   [`Taken::nak`] with no delay for each message taken and not acted on, likewise.
//!
//! `tests/protocol.rs` runs this whole protocol against a real server with a stand-in for the
//! database.

#![forbid(unsafe_code)]

mod config;
mod consumer;
mod error;
mod lease;
mod notice;
mod queue;
mod setup;
mod worker;

pub use config::{Lane, QueueConfig, partition_of};
pub use consumer::{Consumer, Taken};
pub use error::QueueError;
pub use lease::{Change, Partitions};
pub use notice::{DeviceMessage, DeviceMessageKind, OutboxNotice, WanNotice};
pub use queue::{Announced, ConsumerState, Published, Queue};
pub use worker::PartitionedConsumer;
