//! The connection, the layout (streams, durable consumers, the lease bucket), and publishing.

use async_nats::connection::State;
use async_nats::jetstream::{self, consumer, context, stream};
use eui::Eui64;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::{info, warn};

use crate::QueueError;
use crate::config::{Lane, Names, QueueConfig};
use crate::consumer::Consumer;
use crate::notice::{DeviceMessage, OutboxNotice, WanNotice};
use crate::setup::{Step, retrying};

/// What JetStream said about a publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    /// The message's sequence in its stream (for a duplicate: the original's).
    pub sequence: u64,
    /// The message id was seen within the duplicate window: nothing new was stored.
    pub duplicate: bool,
}

/// What a batch publish did ([`Queue::publish_wan_all`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Announced {
    /// Messages stored.
    pub stored: usize,
    /// Messages dropped as repeats of one still within the duplicate window.
    pub duplicates: usize,
}

/// A connection to NATS with the DCC's JetStream layout in place. Cheap to clone (the
/// connection is shared); every method may be called from any task.
#[derive(Clone)]
pub struct Queue {
    config: QueueConfig,
    names: Names,
    client: async_nats::Client,
    js: jetstream::Context,
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue")
            .field("url", &self.config.url)
            .field("prefix", &self.config.prefix)
            .field("state", &self.client.connection_state())
            .finish()
    }
}

impl Queue {
    /// Connects to `config.url` and creates, or checks, the streams, the durable consumers and
    /// the lease bucket (see the crate documentation for what each is). Fails with
    /// [`QueueError::Unavailable`] if no server answers within `connect_timeout` (nothing is
    /// retried here: the caller decides), or if the server has no JetStream; with
    /// [`QueueError::Config`] if what the server holds does not match `config`.
    ///
    /// Any number of processes may call this at the same moment on a fresh prefix: each step is
    /// create-or-get, and one that met another process half-way is read again and retried a
    /// few times after a short pause (`setup`), so that all of them succeed and agree.
    ///
    /// Once connected, a lost connection is re-established by async-nats on its own, for as
    /// long as the process runs; meanwhile calls fail with [`QueueError::Unavailable`].
    pub async fn connect(config: QueueConfig) -> Result<Self, QueueError> {
        config.validate()?;
        let url = config.url.clone();
        let events_url = url.clone();
        let client = async_nats::ConnectOptions::new()
            .name(format!("opendcc {}", config.prefix))
            .connection_timeout(config.connect_timeout)
            .request_timeout(Some(config.request_timeout))
            .event_callback(move |event| {
                let url = events_url.clone();
                async move {
                    match event {
                        async_nats::Event::Connected => info!(url, "NATS connected"),
                        async_nats::Event::Disconnected => warn!(url, "NATS disconnected"),
                        other => info!(url, event = %other, "NATS event"),
                    }
                }
            })
            .connect(url.as_str())
            .await
            .map_err(|e| QueueError::unavailable(&url, format!("cannot connect: {e}")))?;
        let js = context::ContextBuilder::new()
            .timeout(config.request_timeout)
            .build(client.clone());
        let queue = Self {
            names: config.names(),
            config,
            client,
            js,
        };
        queue.ensure_layout().await?;
        Ok(queue)
    }

    pub fn config(&self) -> &QueueConfig {
        &self.config
    }

    /// Whether the connection is up now.
    pub fn is_connected(&self) -> bool {
        self.client.connection_state() == State::Connected
    }

    /// [`QueueError::Unavailable`] if the connection is down now: what the gateway asks before
    /// it accepts a request that will need the broker (a cheap look at the client's state, no
    /// round trip).
    pub fn check_available(&self) -> Result<(), QueueError> {
        match self.client.connection_state() {
            State::Connected => Ok(()),
            other => Err(QueueError::unavailable(
                &self.config.url,
                format!("connection {other:?}"),
            )),
        }
    }

    /// Waits until everything published so far has reached the server (a round trip).
    pub async fn flush(&self) -> Result<(), QueueError> {
        self.client
            .flush()
            .await
            .map_err(|e| QueueError::unavailable(&self.config.url, format!("flush: {e}")))
    }

    /// Announces a WAN job (after the transaction that queued or retried it committed), on its
    /// hub's partition, with message id `wan-<job>-<attempt>`.
    pub async fn publish_wan(&self, notice: &WanNotice) -> Result<Published, QueueError> {
        let p = self.config.partition_of(notice.chf);
        let subject = self.names.hub_subject(Lane::Wan, p, notice.chf);
        self.publish(subject, notice.message_id(), notice).await
    }

    /// Announces an outbox item (after the transaction that put it there, or recorded a failed
    /// delivery, committed), with message id `outbox-<item>-<attempt>`.
    pub async fn publish_outbox(&self, notice: &OutboxNotice) -> Result<Published, QueueError> {
        let subject = self.names.outbox_subject(notice.recipient);
        self.publish(subject, notice.message_id(), notice).await
    }

    /// Hands a device response or alert from the SM WAN to the DCC, on its hub's partition,
    /// with message id `device-<source_id>`. The network acknowledges the message to its
    /// sender only once this returns `Ok`.
    pub async fn publish_device(&self, message: &DeviceMessage) -> Result<Published, QueueError> {
        if message.source_id.is_empty()
            || message
                .source_id
                .bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return Err(QueueError::Config(format!(
                "device message source id {:?}: not empty, no whitespace",
                message.source_id
            )));
        }
        let p = self.config.partition_of(message.chf);
        let subject = self.names.hub_subject(Lane::Device, p, message.chf);
        self.publish(subject, message.message_id(), message).await
    }

    /// Announces many WAN jobs at once (the sweeper's re-announcement of open rows, or a
    /// runner's batch): every message is sent before any acknowledgement is awaited. Repeats
    /// of what is still within the duplicate window are counted, not stored. Stops at the
    /// first failure (what was not announced is announced by the next sweep).
    pub async fn publish_wan_all(&self, notices: &[WanNotice]) -> Result<Announced, QueueError> {
        let messages = notices.iter().map(|n| {
            let p = self.config.partition_of(n.chf);
            (
                self.names.hub_subject(Lane::Wan, p, n.chf),
                n.message_id(),
                n,
            )
        });
        self.publish_all(messages).await
    }

    /// [`Queue::publish_wan_all`] for outbox items.
    pub async fn publish_outbox_all(
        &self,
        notices: &[OutboxNotice],
    ) -> Result<Announced, QueueError> {
        let messages = notices
            .iter()
            .map(|n| (self.names.outbox_subject(n.recipient), n.message_id(), n));
        self.publish_all(messages).await
    }

    async fn publish_all<'a, T: Serialize + 'a>(
        &self,
        messages: impl Iterator<Item = (String, String, &'a T)>,
    ) -> Result<Announced, QueueError> {
        self.check_available()?;
        let mut pending = Vec::new();
        for (subject, id, body) in messages {
            let payload = serde_json::to_vec(body)
                .map_err(|e| QueueError::JetStream(format!("encoding a notice: {e}")))?;
            let what = format!("publish {id} on {subject}");
            let ack = self
                .js
                .send_publish(
                    subject,
                    jetstream::message::PublishMessage::build()
                        .payload(payload.into())
                        .message_id(id),
                )
                .await
                .map_err(|e| self.publish_error(&what, e))?;
            pending.push((what, ack));
        }
        let mut announced = Announced::default();
        for (what, ack) in pending {
            let ack = ack.await.map_err(|e| self.publish_error(&what, e))?;
            if ack.duplicate {
                announced.duplicates += 1;
            } else {
                announced.stored += 1;
            }
        }
        Ok(announced)
    }

    /// The partition of a Communications Hub.
    pub fn partition_of(&self, chf: Eui64) -> u32 {
        self.config.partition_of(chf)
    }

    async fn publish<T: Serialize>(
        &self,
        subject: String,
        id: String,
        body: &T,
    ) -> Result<Published, QueueError> {
        // While the connection is down a publish would sit in the client's buffer until the
        // acknowledgement times out: fail at once instead (the row is in the database; the
        // sweeper announces it once NATS is back).
        self.check_available()?;
        let payload = serde_json::to_vec(body)
            .map_err(|e| QueueError::JetStream(format!("encoding a notice: {e}")))?;
        let url = &self.config.url;
        let what = format!("publish {id} on {subject}");
        let ack = self
            .js
            .send_publish(
                subject,
                jetstream::message::PublishMessage::build()
                    .payload(payload.into())
                    .message_id(id),
            )
            .await
            .map_err(|e| self.publish_error(&what, e))?
            .await
            .map_err(|e| self.publish_error(&what, e))?;
        if ack.duplicate {
            tracing::debug!(url, what, "duplicate dropped by JetStream");
        }
        Ok(Published {
            sequence: ack.sequence,
            duplicate: ack.duplicate,
        })
    }

    fn publish_error(&self, what: &str, e: context::PublishError) -> QueueError {
        use context::PublishErrorKind as K;
        let transient = matches!(e.kind(), K::TimedOut | K::BrokenPipe) || !self.is_connected();
        if !transient && e.kind() == K::StreamNotFound {
            return QueueError::Config(format!("{what}: no stream takes this subject"));
        }
        QueueError::from_call(&self.config.url, what, transient, e)
    }

    /// The durable consumer of one partition of the WAN lane. Take from it only while holding
    /// the partition's lease ([`crate::Partitions`]); [`crate::PartitionedConsumer`] does both.
    pub async fn wan_partition(&self, partition: u32) -> Result<Consumer<WanNotice>, QueueError> {
        self.consumer(Lane::Wan, Some(partition)).await
    }

    /// The durable consumer of one partition of the device-message lane (same rule).
    pub async fn device_partition(
        &self,
        partition: u32,
    ) -> Result<Consumer<DeviceMessage>, QueueError> {
        self.consumer(Lane::Device, Some(partition)).await
    }

    /// The outbox's durable consumer, shared by every delivery worker (each message goes to one
    /// of them).
    pub async fn outbox(&self) -> Result<Consumer<OutboxNotice>, QueueError> {
        self.consumer(Lane::Outbox, None).await
    }

    /// The durable consumer of `lane` (a partition's, for a partitioned lane).
    pub(crate) async fn consumer<T: DeserializeOwned>(
        &self,
        lane: Lane,
        partition: Option<u32>,
    ) -> Result<Consumer<T>, QueueError> {
        match (lane.partitioned(), partition) {
            (true, Some(p)) if p < self.config.partitions => {}
            (false, None) => {}
            _ => {
                return Err(QueueError::Config(format!(
                    "no consumer {:?} partition {partition:?} (partitions: {})",
                    lane, self.config.partitions
                )));
            }
        }
        let name = self.names.consumer(lane, partition);
        let stream = self.names.stream(lane);
        let what = format!("consumer {name} of {stream}");
        let pull: consumer::PullConsumer = self
            .js
            .get_consumer_from_stream(&name, &stream)
            .await
            .map_err(|e| {
            let transient = !self.is_connected();
            QueueError::from_call(&self.config.url, &what, transient, e)
        })?;
        Ok(Consumer::new(
            pull,
            self.config.clone(),
            lane,
            partition,
            self.client.clone(),
        ))
    }

    pub(crate) fn js(&self) -> &jetstream::Context {
        &self.js
    }

    pub(crate) fn names(&self) -> &Names {
        &self.names
    }

    fn stream_config(&self, lane: Lane) -> stream::Config {
        stream::Config {
            name: self.names.stream(lane),
            description: Some(format!(
                "opendcc {}: {}",
                lane.token(),
                match lane {
                    Lane::Wan => "notices of WAN jobs, by partition and hub",
                    Lane::Device => "device responses and alerts, by partition and hub",
                    Lane::Outbox => "notices of outbox items, by recipient",
                }
            )),
            subjects: vec![self.names.stream_subjects(lane)],
            // Work-queue retention: a message is removed once acknowledged, so the stream holds
            // exactly the work not yet done (the database keeps the history). It also makes the
            // server refuse a second consumer whose subjects overlap a partition's.
            retention: stream::RetentionPolicy::WorkQueue,
            storage: stream::StorageType::File,
            num_replicas: 1,
            duplicate_window: self.config.duplicate_window,
            max_age: self.config.max_age,
            discard: stream::DiscardPolicy::Old,
            ..Default::default()
        }
    }

    fn consumer_config(&self, lane: Lane, partition: Option<u32>) -> consumer::pull::Config {
        let name = self.names.consumer(lane, partition);
        consumer::pull::Config {
            durable_name: Some(name),
            filter_subject: self.names.filter(lane, partition),
            ack_policy: consumer::AckPolicy::Explicit,
            deliver_policy: consumer::DeliverPolicy::All,
            ack_wait: self.config.ack_wait,
            max_deliver: self.config.max_deliver,
            max_ack_pending: self.config.max_ack_pending,
            ..Default::default()
        }
    }

    /// Creates what is missing; checks what exists.
    async fn ensure_layout(&self) -> Result<(), QueueError> {
        // (No account-information request first: async-nats 0.52 cannot read nats-server 2.9's
        // answer to it. A server without JetStream fails the first stream look-up below with
        // "no responders", an unavailable error.)
        for lane in [Lane::Wan, Lane::Device, Lane::Outbox] {
            self.ensure_stream(lane).await?;
            if lane.partitioned() {
                for p in 0..self.config.partitions {
                    self.ensure_consumer(lane, Some(p)).await?;
                }
            } else {
                self.ensure_consumer(lane, None).await?;
            }
        }
        crate::lease::ensure_bucket(self).await
    }

    /// A lane's stream: created if missing, checked (and its windows updated) if present;
    /// tried again while another process is creating it ([`crate::setup`]).
    async fn ensure_stream(&self, lane: Lane) -> Result<(), QueueError> {
        let what = format!("stream {}", self.names.stream(lane));
        retrying(&what, || self.ensure_stream_once(lane)).await
    }

    async fn ensure_stream_once(&self, lane: Lane) -> Result<(), Step> {
        let want = self.stream_config(lane);
        let what = format!("stream {}", want.name);
        let url = &self.config.url;
        match self.js.get_stream(&want.name).await {
            Ok(mut s) => {
                let have = s
                    .info()
                    .await
                    .map_err(|e| self.setup_error(&what, e))?
                    .config
                    .clone();
                if have.subjects != want.subjects
                    || have.retention != want.retention
                    || have.storage != want.storage
                {
                    return Err(Step::Fail(QueueError::Config(format!(
                        "{what} exists with subjects {:?}, retention {:?}, storage {:?}; \
                         opendcc needs {:?}, {:?}, {:?}",
                        have.subjects,
                        have.retention,
                        have.storage,
                        want.subjects,
                        want.retention,
                        want.storage
                    ))));
                }
                if have.duplicate_window != want.duplicate_window || have.max_age != want.max_age {
                    let mut updated = have;
                    updated.duplicate_window = want.duplicate_window;
                    updated.max_age = want.max_age;
                    self.js.update_stream(updated).await.map_err(|e| {
                        use context::UpdateStreamErrorKind as K;
                        if matches!(e.kind(), K::TimedOut) && self.is_connected() {
                            Step::Again(QueueError::unavailable(
                                url,
                                format!("{what}: updating its windows: {e}"),
                            ))
                        } else {
                            Step::Fail(QueueError::Config(format!(
                                "{what}: updating its windows: {e}"
                            )))
                        }
                    })?;
                }
                Ok(())
            }
            Err(e) => {
                let missing = matches!(
                    e.kind(),
                    context::GetStreamErrorKind::JetStream(ref j)
                        if j.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND
                );
                if !missing {
                    // Not a race: no responders (JetStream not enabled), or the connection is
                    // down.
                    let transient = matches!(e.kind(), context::GetStreamErrorKind::Request)
                        || !self.is_connected();
                    return Err(Step::Fail(QueueError::from_call(
                        url,
                        &format!("{what} (is JetStream enabled, nats-server -js?)"),
                        transient,
                        e,
                    )));
                }
                self.js
                    .create_stream(want)
                    .await
                    .map_err(|e| self.create_stream_error(&what, e))?;
                info!(url, what, "created");
                Ok(())
            }
        }
    }

    /// An error of creating a stream (a lane's, or a bucket's): another process created it
    /// first (re-read it), a time-out (try again), JetStream gone or the connection down
    /// (unavailable, at once), or a configuration the server refused.
    pub(crate) fn create_stream_error(&self, what: &str, e: context::CreateStreamError) -> Step {
        use context::CreateStreamErrorKind as K;
        let url = &self.config.url;
        if !self.is_connected() || matches!(e.kind(), K::JetStreamUnavailable) {
            return Step::Fail(QueueError::unavailable(
                url,
                format!("creating {what}: {e}"),
            ));
        }
        match e.kind() {
            K::TimedOut => Step::Again(QueueError::unavailable(
                url,
                format!("creating {what}: {e}"),
            )),
            // Created by another process between this one's look and its create (the server
            // says so either way, depending on how far the other's creation had got): read
            // again. A stream of another name taking these subjects fails the same way every
            // time, and ends as a configuration error.
            K::JetStream(j)
                if [
                    jetstream::ErrorCode::STREAM_NAME_EXIST,
                    jetstream::ErrorCode::STREAM_SUBJECT_OVERLAP,
                ]
                .contains(&j.error_code()) =>
            {
                Step::Again(QueueError::Config(format!("creating {what}: {e}")))
            }
            _ => Step::Fail(QueueError::Config(format!("creating {what}: {e}"))),
        }
    }

    /// An error of a request while setting the layout up, on something that exists: tried
    /// again while the connection is up (a time-out, a server busy with everyone's layout),
    /// unavailable at once when it is down.
    pub(crate) fn setup_error(&self, what: &str, e: impl std::fmt::Display) -> Step {
        let error = QueueError::unavailable(&self.config.url, format!("{what}: {e}"));
        if self.is_connected() {
            Step::Again(error)
        } else {
            Step::Fail(error)
        }
    }

    /// A durable consumer: created, or updated to this configuration (the same configuration
    /// is a no-op); tried again while another process is creating it or its stream.
    async fn ensure_consumer(&self, lane: Lane, partition: Option<u32>) -> Result<(), QueueError> {
        let what = format!(
            "consumer {} of {}",
            self.names.consumer(lane, partition),
            self.names.stream(lane)
        );
        retrying(&what, || self.ensure_consumer_once(lane, partition)).await
    }

    async fn ensure_consumer_once(&self, lane: Lane, partition: Option<u32>) -> Result<(), Step> {
        let want = self.consumer_config(lane, partition);
        let stream = self.names.stream(lane);
        let what = format!("consumer {:?} of {stream}", want.durable_name);
        // Create-or-update: the same configuration is a no-op, a changed ack_wait, max_deliver
        // or max_ack_pending is an update; anything the server cannot change is refused.
        let created = self
            .js
            .create_consumer_on_stream(want.clone(), &stream)
            .await
            .map_err(|e| {
                use stream::ConsumerErrorKind as K;
                let url = &self.config.url;
                if !self.is_connected() {
                    return Step::Fail(QueueError::unavailable(url, format!("{what}: {e}")));
                }
                match e.kind() {
                    K::TimedOut => {
                        Step::Again(QueueError::unavailable(url, format!("{what}: {e}")))
                    }
                    K::JetStream(j)
                        if [
                            jetstream::ErrorCode::STREAM_NOT_FOUND,
                            jetstream::ErrorCode::CONSUMER_NAME_EXIST,
                            jetstream::ErrorCode::CONSUMER_ALREADY_EXISTS,
                        ]
                        .contains(&j.error_code()) =>
                    {
                        Step::Again(QueueError::Config(format!("{what}: {e}")))
                    }
                    _ => Step::Fail(QueueError::Config(format!("{what}: {e}"))),
                }
            })?;
        let have = &created.cached_info().config;
        if have.filter_subject != want.filter_subject
            || have.ack_policy != consumer::AckPolicy::Explicit
        {
            return Err(Step::Fail(QueueError::Config(format!(
                "{what} takes {:?} with {:?}; opendcc needs {:?} with explicit acknowledgement",
                have.filter_subject, have.ack_policy, want.filter_subject
            ))));
        }
        Ok(())
    }

    /// Deletes this prefix's streams, their consumers and the lease bucket: everything the
    /// broker holds for the deployment (the database still holds the truth; a later
    /// [`Queue::connect`] sets the layout up again and the sweeper re-announces what is open).
    /// For tests, and for an operator starting over.
    pub async fn delete_layout(&self) -> Result<(), QueueError> {
        let mut names: Vec<String> = [Lane::Wan, Lane::Device, Lane::Outbox]
            .into_iter()
            .map(|l| self.names.stream(l))
            .collect();
        names.push(format!("KV_{}", self.names.lease_bucket()));
        names.push(format!("KV_{}", crate::lease::layout_bucket(self)));
        for name in names {
            match self.js.delete_stream(&name).await {
                Ok(_) => {}
                Err(e) => {
                    let missing = matches!(
                        e.kind(),
                        context::DeleteStreamErrorKind::JetStream(ref j)
                            if j.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND
                    );
                    if !missing {
                        return Err(QueueError::from_call(
                            &self.config.url,
                            &format!("deleting stream {name}"),
                            !self.is_connected(),
                            e,
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// How many messages a lane's stream holds (work not yet acknowledged), for tests and
    /// metrics.
    pub async fn pending(&self, lane: Lane) -> Result<u64, QueueError> {
        let name = self.names.stream(lane);
        let what = format!("stream {name}");
        let mut s =
            self.js.get_stream(&name).await.map_err(|e| {
                QueueError::from_call(&self.config.url, &what, !self.is_connected(), e)
            })?;
        let info = s
            .info()
            .await
            .map_err(|e| QueueError::from_call(&self.config.url, &what, !self.is_connected(), e))?;
        Ok(info.state.messages)
    }

    /// Which worker holds which partition of `lane` now (partition → worker name), as the
    /// lease bucket says: for operators, and for tests.
    pub async fn leases(
        &self,
        lane: Lane,
    ) -> Result<std::collections::BTreeMap<u32, String>, QueueError> {
        crate::lease::leases(self, lane).await
    }

    /// A durable consumer's counts as the server reports them (for tests and metrics).
    pub async fn consumer_state(
        &self,
        lane: Lane,
        partition: Option<u32>,
    ) -> Result<ConsumerState, QueueError> {
        let name = self.names.consumer(lane, partition);
        let stream = self.names.stream(lane);
        let what = format!("consumer {name} of {stream}");
        let mut c: consumer::PullConsumer = self
            .js
            .get_consumer_from_stream(&name, &stream)
            .await
            .map_err(|e| QueueError::from_call(&self.config.url, &what, !self.is_connected(), e))?;
        let info = c
            .info()
            .await
            .map_err(|e| QueueError::from_call(&self.config.url, &what, !self.is_connected(), e))?;
        Ok(ConsumerState {
            pending: info.num_pending,
            ack_pending: info.num_ack_pending,
            redelivered: info.num_redelivered,
        })
    }
}

/// A durable consumer's counts ([`Queue::consumer_state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsumerState {
    /// Messages not delivered yet.
    pub pending: u64,
    /// Messages delivered and not settled.
    pub ack_pending: usize,
    /// Messages delivered more than once and not settled.
    pub redelivered: usize,
}
