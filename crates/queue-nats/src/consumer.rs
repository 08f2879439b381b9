//! Taking messages from one durable consumer, and settling each one: acknowledge, nak with a
//! delay, report progress, terminate.

use std::future::poll_fn;
use std::marker::PhantomData;
use std::task::{Context, Poll};
use std::time::Duration;

use async_nats::connection::State;
use async_nats::jetstream::{self, AckKind, consumer};
use futures_util::{FutureExt as _, StreamExt as _};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::warn;

use crate::QueueError;
use crate::config::{Lane, QueueConfig};

/// The longest a take waits without looking at the connection's state.
pub(crate) const CONNECTION_CHECK: Duration = Duration::from_secs(1);

/// What a pull subscription yields.
pub(crate) type Raw = Option<Result<jetstream::Message, consumer::pull::MessagesError>>;

/// One durable consumer (a partition's, or the outbox's), typed by what its messages carry.
///
/// It keeps one pull subscription open and asks JetStream for up to `prefetch` messages ahead,
/// so that [`Consumer::take`] returns as soon as a message arrives. Messages taken and never
/// settled (the worker died, or dropped them) are delivered again after `ack_wait`.
pub struct Consumer<T> {
    pull: consumer::PullConsumer,
    config: QueueConfig,
    lane: Lane,
    partition: Option<u32>,
    client: async_nats::Client,
    messages: Option<consumer::pull::Stream>,
    _notice: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Consumer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consumer")
            .field("lane", &self.lane)
            .field("partition", &self.partition)
            .finish()
    }
}

impl<T: DeserializeOwned> Consumer<T> {
    pub(crate) fn new(
        pull: consumer::PullConsumer,
        config: QueueConfig,
        lane: Lane,
        partition: Option<u32>,
        client: async_nats::Client,
    ) -> Self {
        Self {
            pull,
            config,
            lane,
            partition,
            client,
            messages: None,
            _notice: PhantomData,
        }
    }

    pub fn lane(&self) -> Lane {
        self.lane
    }

    /// The partition it takes, for a partitioned lane.
    pub fn partition(&self) -> Option<u32> {
        self.partition
    }

    /// Up to `max` messages: waits at most `wait` for the first, then takes those that have
    /// arrived already. Empty if none came within `wait`. A message whose payload cannot be
    /// read is terminated and logged, never returned.
    ///
    /// On an error (NATS down: [`QueueError::Unavailable`]) the subscription is dropped and
    /// opened again by the next call; the messages it had prefetched come again after
    /// `ack_wait`.
    pub async fn take(&mut self, max: usize, wait: Duration) -> Result<Vec<Taken<T>>, QueueError> {
        let deadline = Instant::now() + wait;
        let mut out = Vec::new();
        while out.len() < max.max(1) {
            self.check_connected()?;
            self.open().await?;
            let next = if out.is_empty() {
                // Waits in slices, so that a connection lost meanwhile is reported within one.
                let until = deadline.min(Instant::now() + CONNECTION_CHECK);
                match tokio::time::timeout_at(until, poll_fn(|cx| self.poll_raw(cx))).await {
                    Ok(next) => next,
                    Err(_) if until < deadline => continue,
                    Err(_) => break,
                }
            } else {
                match poll_fn(|cx| self.poll_raw(cx)).now_or_never() {
                    Some(next) => next,
                    None => break,
                }
            };
            match self.accept(next).await {
                Ok(Some(taken)) => out.push(taken),
                Ok(None) => {}
                // Hand over what was taken; the next call meets the error afresh.
                Err(_) if !out.is_empty() => break,
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Closes the consumer, handing back what it had prefetched and not handed out: the pull
    /// subscription is closed first (so that nothing handed back comes to it again), then each
    /// message it had buffered is nak'ed without delay, so that another worker (or the
    /// partition's next holder) gets it at once rather than after `ack_wait`. A message still
    /// on its way when the subscription closed is delivered again after `ack_wait`, as for a
    /// worker that died. For a clean shutdown, and for a partition given up: settle the
    /// messages taken and not finished after this ([`Taken::nak`] with no delay), for the same
    /// reason.
    pub async fn hand_back(mut self) {
        let mut buffered = Vec::new();
        while let Some(Some(Ok(message))) = poll_fn(|cx| self.poll_raw(cx)).now_or_never() {
            buffered.push(message);
        }
        // Unsubscribes; the naks below follow on the same connection, so the server has closed
        // the pull before it makes them available again.
        self.messages = None;
        for message in buffered {
            if let Err(e) = message.ack_with(AckKind::Nak(None)).await {
                warn!(error = %e, "handing a prefetched message back failed");
                break;
            }
        }
    }

    /// [`QueueError::Unavailable`] while the connection is down (the subscription is kept: it
    /// goes on once async-nats has reconnected, or fails and is opened again).
    pub(crate) fn check_connected(&self) -> Result<(), QueueError> {
        match self.client.connection_state() {
            State::Connected => Ok(()),
            other => Err(QueueError::unavailable(
                &self.config.url,
                format!("{}: connection {other:?}", self.what()),
            )),
        }
    }

    /// Opens the pull subscription if it is not open.
    pub(crate) async fn open(&mut self) -> Result<(), QueueError> {
        if self.messages.is_none() {
            let what = self.what();
            let stream = self
                .pull
                .stream()
                .max_messages_per_batch(self.config.prefetch)
                .expires(Duration::from_secs(30))
                .heartbeat(Duration::from_secs(5))
                .messages()
                .await
                .map_err(|e| {
                    let transient = matches!(e.kind(), consumer::StreamErrorKind::TimedOut)
                        || self.client.connection_state() != State::Connected;
                    QueueError::from_call(&self.config.url, &what, transient, e)
                })?;
            self.messages = Some(stream);
        }
        Ok(())
    }

    /// The next message of the open subscription (`Ready(None)` if none is open: call
    /// [`Consumer::open`] first).
    pub(crate) fn poll_raw(&mut self, cx: &mut Context<'_>) -> Poll<Raw> {
        match self.messages.as_mut() {
            Some(stream) => stream.poll_next_unpin(cx),
            None => Poll::Ready(None),
        }
    }

    /// What [`Consumer::poll_raw`] gave: a message as a [`Taken`]; `None` for one that was
    /// unreadable (terminated); an error (the subscription is then dropped).
    pub(crate) async fn accept(&mut self, next: Raw) -> Result<Option<Taken<T>>, QueueError> {
        match next {
            Some(Ok(message)) => Ok(self.read(message).await),
            Some(Err(e)) => {
                self.messages = None;
                Err(self.messages_error(e))
            }
            None => {
                self.messages = None;
                Err(QueueError::unavailable(
                    &self.config.url,
                    format!("{}: the pull subscription ended", self.what()),
                ))
            }
        }
    }

    fn what(&self) -> String {
        match self.partition {
            Some(p) => format!("{} partition {p}", self.lane.token()),
            None => self.lane.token().to_string(),
        }
    }

    fn messages_error(&self, e: consumer::pull::MessagesError) -> QueueError {
        use consumer::pull::MessagesErrorKind as K;
        let what = self.what();
        match e.kind() {
            K::ConsumerDeleted => QueueError::Config(format!("{what}: consumer deleted: {e}")),
            K::MissingHeartbeat | K::NoResponders => {
                QueueError::unavailable(&self.config.url, format!("{what}: {e}"))
            }
            _ => QueueError::from_call(
                &self.config.url,
                &what,
                self.client.connection_state() != State::Connected,
                e,
            ),
        }
    }

    /// The message as a [`Taken`], or `None` (terminated) if it cannot be read.
    async fn read(&self, message: jetstream::Message) -> Option<Taken<T>> {
        let subject = message.subject.to_string();
        let info = message
            .info()
            .map(|i| (i.delivered, i.stream_sequence))
            .map_err(|e| e.to_string());
        let decoded = serde_json::from_slice::<T>(&message.payload).map_err(|e| e.to_string());
        match (info, decoded) {
            (Ok((delivered, sequence)), Ok(notice)) => Some(Taken {
                notice,
                message,
                delivered,
                sequence,
                partition: self.partition,
                url: self.config.url.clone(),
                client: self.client.clone(),
            }),
            (info, decoded) => {
                let reason = info.err().or(decoded.err()).unwrap_or_default();
                let error = QueueError::Malformed {
                    subject: subject.clone(),
                    reason,
                };
                warn!(error = %error, "terminating an unreadable message");
                if let Err(e) = message.ack_with(AckKind::Term).await {
                    warn!(subject, error = %e, "terminating an unreadable message failed");
                }
                None
            }
        }
    }
}

/// A message taken from a consumer, not settled yet. Settle it once: [`Taken::ack`] after the
/// work's transaction committed, [`Taken::nak`] to have it again later, [`Taken::term`] to
/// drop it for good. Dropped unsettled, it is delivered again after `ack_wait`.
pub struct Taken<T> {
    notice: T,
    message: jetstream::Message,
    delivered: i64,
    sequence: u64,
    partition: Option<u32>,
    url: String,
    client: async_nats::Client,
}

impl<T: std::fmt::Debug> std::fmt::Debug for Taken<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Taken")
            .field("notice", &self.notice)
            .field("delivered", &self.delivered)
            .field("sequence", &self.sequence)
            .field("partition", &self.partition)
            .finish()
    }
}

impl<T> Taken<T> {
    /// What the message carries.
    pub fn notice(&self) -> &T {
        &self.notice
    }

    /// Which delivery this is (1 for the first; more after redeliveries and naks).
    pub fn delivered(&self) -> i64 {
        self.delivered
    }

    /// The message's sequence in its stream.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// The partition it came from (partitioned lanes).
    pub fn partition(&self) -> Option<u32> {
        self.partition
    }

    /// The message's subject.
    pub fn subject(&self) -> &str {
        self.message.subject.as_str()
    }

    /// Done: JetStream removes the message. Call after the transaction that did the work (or
    /// found it done already, or the notice stale) committed. Waits for the server to confirm:
    /// once this returns `Ok` the message is not delivered again. If it fails, the message may
    /// still come again after `ack_wait`, and the consumer's transaction finds the work done.
    pub async fn ack(self) -> Result<(), QueueError> {
        self.settle(AckKind::Ack, "ack").await
    }

    /// Not now: JetStream delivers the message again after `delay` (to whichever worker holds
    /// the partition then). For work that is not due yet (a retry's time, a device's earlier
    /// command still on the air).
    pub async fn nak(self, delay: Duration) -> Result<(), QueueError> {
        self.settle(AckKind::Nak(Some(delay)), "nak").await
    }

    /// Still working: JetStream restarts the message's `ack_wait`. For work longer than it.
    pub async fn in_progress(&self) -> Result<(), QueueError> {
        self.message
            .double_ack_with(AckKind::Progress)
            .await
            .map_err(|e| self.ack_error("in progress", e))
    }

    /// Never: JetStream drops the message without delivering it again (a notice that names
    /// nothing the consumer can act on).
    pub async fn term(self) -> Result<(), QueueError> {
        self.settle(AckKind::Term, "term").await
    }

    async fn settle(self, kind: AckKind, what: &str) -> Result<(), QueueError> {
        self.message
            .double_ack_with(kind)
            .await
            .map_err(|e| self.ack_error(what, e))
    }

    fn ack_error(&self, what: &str, e: async_nats::Error) -> QueueError {
        // The server's confirmation did not come in time (typed by async-nats as an I/O
        // time-out), or the connection is down.
        let timed_out = e
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut);
        QueueError::from_call(
            &self.url,
            &format!("{what} of {} #{}", self.message.subject, self.sequence),
            timed_out || self.client.connection_state() != State::Connected,
            e,
        )
    }
}
