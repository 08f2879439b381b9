//! What every listener (DUIS, SMKI repository; TLS or plain) does against hostile or broken
//! clients: the limits on each connection ([`ListenerLimits`]), the back-off when `accept`
//! fails ([`AcceptBackoff`]), and the per-connection watchdog that closes connections idle or
//! slow beyond those limits ([`Activity`], [`Tracked`]).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// Limits on the connections of one listener. Both listeners of `opendcc demo` (DUIS and the
/// SMKI repository) apply them, over TLS and over plain HTTP alike.
///
/// | limit | default | on expiry |
/// | --- | --- | --- |
/// | `handshake_timeout`: TLS handshake, from accept | 10 s | connection closed |
/// | `header_timeout`: a request's headers, from the connection's start or from the first byte of a later request | 10 s | connection closed |
/// | `body_timeout`: a request's whole body, from the end of its headers | 30 s | `408 Request Timeout`, connection closed |
/// | `idle_timeout`: keep-alive connection with no request and no byte in either direction | 60 s | connection closed |
/// | `max_connections`: open connections (handshaking ones included) | 4,096 | a new connection beyond it is accepted and closed at once |
///
/// Beyond `max_connections` a new connection is accepted and closed at once rather than left
/// in the kernel's backlog: its client learns at once that it must retry, instead of waiting
/// for its own timeout behind connections that may never be accepted, and the listener keeps
/// draining its backlog. Keep `max_connections` below the process's file-descriptor limit
/// (`ulimit -n`), less what the DCC needs for itself (database, outgoing deliveries); when
/// `accept` fails anyway (out of file descriptors), [`AcceptBackoff`] paces the retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListenerLimits {
    pub handshake_timeout: Duration,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

impl Default for ListenerLimits {
    fn default() -> Self {
        Self {
            handshake_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_connections: 4096,
        }
    }
}

/// A source of connections: [`TcpListener`], or in tests one that fails on demand.
pub(crate) trait Listen: Send + Sync + 'static {
    fn accept(&self) -> impl Future<Output = io::Result<(TcpStream, SocketAddr)>> + Send;
}

impl Listen for TcpListener {
    fn accept(&self) -> impl Future<Output = io::Result<(TcpStream, SocketAddr)>> + Send {
        TcpListener::accept(self)
    }
}

/// First pause after a failed `accept`.
pub const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(10);
/// Longest pause between `accept` attempts while they fail.
pub const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

/// Paces `accept` while it fails (out of file descriptors, out of memory, …): a pause of
/// [`ACCEPT_BACKOFF_MIN`] after the first failure, doubling up to [`ACCEPT_BACKOFF_MAX`], back
/// to none on the first success. An episode (failures up to the next success) is logged twice:
/// at its first failure and when it ends, with the number of failures.
#[derive(Debug, Default)]
pub(crate) struct AcceptBackoff {
    failures: u64,
    pause: Duration,
    started: Option<Instant>,
}

/// What to do after a failed `accept`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct AfterFailure {
    /// Wait this long before accepting again.
    pub pause: Duration,
    /// This failure starts an episode: log it.
    pub first: bool,
}

impl AcceptBackoff {
    pub fn failed(&mut self, now: Instant) -> AfterFailure {
        self.failures += 1;
        let first = self.failures == 1;
        if first {
            self.started = Some(now);
            self.pause = ACCEPT_BACKOFF_MIN;
        } else {
            self.pause = (self.pause * 2).min(ACCEPT_BACKOFF_MAX);
        }
        AfterFailure {
            pause: self.pause,
            first,
        }
    }

    /// An `accept` succeeded: the failures of the episode it ends and how long it lasted, if
    /// one was under way.
    pub fn succeeded(&mut self, now: Instant) -> Option<(u64, Duration)> {
        let ended = (self.failures > 0).then(|| {
            (
                self.failures,
                self.started.map_or(Duration::ZERO, |s| now - s),
            )
        });
        *self = Self::default();
        ended
    }
}

/// Refusals of connections beyond [`ListenerLimits::max_connections`], counted per episode (so
/// that a flood logs two lines, not one per connection).
#[derive(Debug, Default)]
pub(crate) struct OverLimit {
    refused: u64,
}

impl OverLimit {
    /// A connection was refused; true if it is the first of an episode.
    pub fn refused(&mut self) -> bool {
        self.refused += 1;
        self.refused == 1
    }

    /// A connection was admitted; the refusals of the episode it ends, if any.
    pub fn admitted(&mut self) -> Option<u64> {
        let n = std::mem::take(&mut self.refused);
        (n > 0).then_some(n)
    }
}

/// What one connection is doing, for its watchdog.
#[derive(Debug)]
pub(crate) struct Activity {
    state: Mutex<ActivityState>,
}

#[derive(Debug)]
struct ActivityState {
    /// Requests handed to the handler and not yet answered.
    in_flight: usize,
    /// When the headers of the next request began (the connection's start for the first).
    head_started: Option<Instant>,
    /// The last byte read or written, or the last request's start or end.
    last: Instant,
}

/// Why the watchdog closes a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expiry {
    Headers,
    Idle,
}

impl Activity {
    pub fn new(now: Instant) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(ActivityState {
                in_flight: 0,
                head_started: Some(now),
                last: now,
            }),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut ActivityState) -> T) -> T {
        let mut s = match self.state.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut s)
    }

    fn read(&self) {
        let now = Instant::now();
        self.with(|s| {
            s.last = now;
            if s.in_flight == 0 && s.head_started.is_none() {
                s.head_started = Some(now);
            }
        });
    }

    fn wrote(&self) {
        let now = Instant::now();
        self.with(|s| s.last = now);
    }

    /// A request's headers are in: it is the handler's until [`InFlight`] drops.
    pub fn request_started(self: &Arc<Self>) -> InFlight {
        let now = Instant::now();
        self.with(|s| {
            s.in_flight += 1;
            s.head_started = None;
            s.last = now;
        });
        InFlight(self.clone())
    }

    /// When the connection expires and why, unless a request is in flight (its body has
    /// [`ListenerLimits::body_timeout`]; its processing is the DCC's own).
    pub fn deadline(&self, limits: &ListenerLimits) -> Option<(Instant, Expiry)> {
        self.with(|s| {
            if s.in_flight > 0 {
                None
            } else if let Some(h) = s.head_started {
                Some((h + limits.header_timeout, Expiry::Headers))
            } else {
                Some((s.last + limits.idle_timeout, Expiry::Idle))
            }
        })
    }
}

/// A request in the handler's hands; its end (or its abandonment) on drop.
pub(crate) struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let now = Instant::now();
        self.0.with(|s| {
            s.in_flight = s.in_flight.saturating_sub(1);
            s.last = now;
        });
    }
}

/// A connection's byte stream, reporting every read and write to its [`Activity`].
pub(crate) struct Tracked<T> {
    inner: T,
    activity: Arc<Activity>,
}

impl<T> Tracked<T> {
    pub fn new(inner: T, activity: Arc<Activity>) -> Self {
        Self { inner, activity }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Tracked<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.read();
        }
        r
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Tracked<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.wrote();
        }
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.wrote();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Why a request body could not be had.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// Over the limit: declared so in `Content-Length` (the size declared), or found so as it
    /// arrived (`None`).
    TooLarge(Option<u64>),
    /// Not complete within [`ListenerLimits::body_timeout`].
    TimedOut,
    /// The client broke off, or sent a malformed body.
    Broken,
}

/// The `Content-Length` a request declares, if it declares one it can be read as.
pub(crate) fn declared_length<B>(req: &hyper::Request<B>) -> Option<u64> {
    req.headers()
        .get(hyper::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// How much of a refused body the listener still reads, and throws away, after answering 413.
///
/// A client that is still sending when the server closes gets a TCP reset, and with it often
/// loses the 413 it was sent (it sees "broken pipe" instead). So a refused body of up to this
/// size is read and discarded in the background (within the body timeout) before the connection
/// closes; a larger one is cut off at once.
pub(crate) const LINGER_BYTES: u64 = 4 * 1024 * 1024;

/// Reads a request's body of at most `limit` bytes within `timeout`. A declared
/// `Content-Length` over the limit is refused before any of the body is read; a refused body is
/// drained in the background as [`LINGER_BYTES`] says, so the client gets its 413.
pub(crate) async fn read_body(
    req: hyper::Request<Incoming>,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, BodyError> {
    let limit64 = u64::try_from(limit).unwrap_or(u64::MAX);
    let declared = declared_length(&req);
    let mut body = req.into_body();
    if let Some(n) = declared
        && n > limit64
    {
        if n <= LINGER_BYTES {
            linger(body, n, timeout);
        }
        return Err(BodyError::TooLarge(Some(n)));
    }
    // Ok(body), or Err(bytes seen) once the body goes over the limit.
    let read = async {
        let mut got = bytes::BytesMut::new();
        while let Some(frame) = body.frame().await {
            let data = frame
                .map_err(|_| BodyError::Broken)?
                .into_data()
                .unwrap_or_default();
            if got.len().saturating_add(data.len()) > limit {
                let seen = got.len().saturating_add(data.len());
                return Ok(Err(u64::try_from(seen).unwrap_or(u64::MAX)));
            }
            got.extend_from_slice(&data);
        }
        Ok(Ok(got.freeze()))
    };
    match tokio::time::timeout(timeout, read).await {
        Err(_) => Err(BodyError::TimedOut),
        Ok(Err(e)) => Err(e),
        Ok(Ok(Ok(b))) => Ok(b),
        Ok(Ok(Err(seen))) => {
            let rest = declared.map_or(0, |n| n.saturating_sub(seen));
            // Without a declared length the rest is unknown: read on up to the same bound.
            if seen.saturating_add(rest) <= LINGER_BYTES {
                linger(body, LINGER_BYTES - seen, timeout);
            }
            Err(BodyError::TooLarge(None))
        }
    }
}

/// Reads and discards up to `max` more bytes of a refused body, within `timeout`, in the
/// background: the connection closes when it ends.
fn linger(mut body: Incoming, max: u64, timeout: Duration) {
    tokio::spawn(async move {
        let drain = async {
            let mut left = max;
            while let Some(Ok(frame)) = body.frame().await {
                let n = frame.data_ref().map_or(0, |d| d.len());
                left = left.saturating_sub(u64::try_from(n).unwrap_or(u64::MAX));
                if left == 0 {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(timeout, drain).await;
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn accept_backoff_doubles_to_its_cap_logs_once_and_resets() {
        let t0 = Instant::now();
        let mut b = AcceptBackoff::default();
        let pauses: Vec<_> = (0..10).map(|_| b.failed(t0)).collect();
        assert!(pauses[0].first);
        assert!(
            pauses[1..].iter().all(|p| !p.first),
            "one log line per episode"
        );
        let ms: Vec<u128> = pauses.iter().map(|p| p.pause.as_millis()).collect();
        assert_eq!(ms, [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
        assert_eq!(
            b.succeeded(t0 + Duration::from_secs(3)),
            Some((10, Duration::from_secs(3)))
        );
        assert_eq!(b.succeeded(t0), None, "no episode under way");
        assert_eq!(
            b.failed(t0),
            AfterFailure {
                pause: ACCEPT_BACKOFF_MIN,
                first: true
            }
        );
    }

    #[test]
    fn over_limit_episodes() {
        let mut o = OverLimit::default();
        assert_eq!(o.admitted(), None);
        assert!(o.refused());
        assert!(!o.refused());
        assert_eq!(o.admitted(), Some(2));
        assert!(o.refused());
    }

    #[test]
    fn watchdog_deadlines() {
        let limits = ListenerLimits::default();
        let t0 = Instant::now();
        let a = Activity::new(t0);
        // A new connection owes its first request's headers.
        assert_eq!(
            a.deadline(&limits),
            Some((t0 + limits.header_timeout, Expiry::Headers))
        );
        let req = a.request_started();
        assert_eq!(a.deadline(&limits), None, "a request in flight");
        drop(req);
        let (at, why) = a.deadline(&limits).unwrap();
        assert_eq!(why, Expiry::Idle);
        assert!(at >= t0 + limits.idle_timeout);
        // The first byte of the next request starts its header clock.
        a.read();
        assert_eq!(a.deadline(&limits).unwrap().1, Expiry::Headers);
    }
}
