//! The one error type of the crate, and the one question a caller asks of it: is the broker
//! unavailable (the gateway refuses new work with its DCC-fault answer, a runner waits and tries
//! again), or is something else wrong (a configuration that does not match what the server
//! holds, a message that cannot be read)? Whether an error is transient is decided where it
//! happens, from async-nats's typed error kinds and the connection's state, never from text.

/// What went wrong talking to NATS JetStream.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    /// NATS could not be reached, or did not answer in time: the connection is down (async-nats
    /// is reconnecting), the server refused the connection, a request or a publish's
    /// acknowledgement timed out, or JetStream is not enabled on the server. Transient: the same
    /// call may succeed later. A publish that failed this way may still have been stored (the
    /// client sends what it buffered once it reconnects): publishing the same notice again is
    /// safe, its message id makes JetStream drop the repeat.
    #[error("NATS unavailable at {url}: {reason}")]
    Unavailable { url: String, reason: String },
    /// The server holds a stream, consumer or bucket whose configuration is not the one this
    /// crate needs (another retention, other subjects, another partition count), or refused a
    /// configuration. Not transient: an operator must look.
    #[error("NATS JetStream configuration: {0}")]
    Config(String),
    /// A message's payload is not the notice its subject says it is (logged when met: the
    /// message is terminated, never delivered again, and the database row it was meant to
    /// announce is announced again by the sweeper).
    #[error("unreadable message on {subject}: {reason}")]
    Malformed { subject: String, reason: String },
    /// Anything else JetStream answered with an error (it names it).
    #[error("NATS JetStream: {0}")]
    JetStream(String),
}

impl QueueError {
    /// Whether NATS is down or not answering (see [`QueueError::Unavailable`]): the gateway maps
    /// this to its DCC-fault refusal, a runner backs off and retries.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }

    pub(crate) fn unavailable(url: &str, reason: impl std::fmt::Display) -> Self {
        Self::Unavailable {
            url: url.to_string(),
            reason: reason.to_string(),
        }
    }

    /// An error of a JetStream call: [`QueueError::Unavailable`] if `transient` (the call's own
    /// typed error kind said time-out, no responders or broken pipe, or the connection was not
    /// up when it failed), else [`QueueError::JetStream`], with `what` in front either way.
    pub(crate) fn from_call(
        url: &str,
        what: &str,
        transient: bool,
        e: impl std::fmt::Display,
    ) -> Self {
        if transient {
            Self::unavailable(url, format!("{what}: {e}"))
        } else {
            Self::JetStream(format!("{what}: {e}"))
        }
    }
}
