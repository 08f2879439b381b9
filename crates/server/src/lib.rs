//! The network shell around the gateway: HTTPS with client-certificate authentication (DCCKI),
//! or plain HTTP on loopback for tools built for DCC Boxed, serving the three DUIS endpoints.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use dcc::error::{DccError, TransportError};
use dcc::gateway::{Clock, Gateway, Inbound};
use dcc::store::Store;
use duis::Endpoint;
use eui::Eui64;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tracing::{info, warn};

pub mod delivery;
pub mod dispatch;
pub mod listener;
pub mod nats;
pub mod publication;
pub mod repository;
// The DCC's scheduler (5.1 schedules) in real time.
pub mod schedules;
pub mod smki_api;
pub mod wake;

pub use listener::ListenerLimits;
pub use wake::{Wake, Wakeups};

/// Errors setting up the listener.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("TLS configuration: {0}")]
    Tls(String),
    #[error("refusing to serve plain HTTP on {0}: plain HTTP is for loopback addresses only")]
    PlainHttpNotLoopback(SocketAddr),
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

/// PEM material for the TLS listener.
pub struct TlsMaterial {
    /// Server certificate chain (leaf first), PEM.
    pub cert_chain_pem: String,
    /// Server private key, PKCS#8 PEM.
    pub key_pem: String,
    /// The DCCKI CA(s) that client certificates must chain to, PEM.
    pub client_ca_pem: String,
}

fn pem_certs(pem: &str) -> Result<Vec<CertificateDer<'static>>, ServerError> {
    rustls_pemfile::certs(&mut pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ServerError::Tls(format!("reading certificates: {e}")))
}

/// A rustls server configuration that demands a client certificate from the DCCKI CA.
pub fn tls_config(m: &TlsMaterial) -> Result<Arc<rustls::ServerConfig>, ServerError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for c in pem_certs(&m.client_ca_pem)? {
        roots
            .add(c)
            .map_err(|e| ServerError::Tls(format!("client CA: {e}")))?;
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .map_err(|e| ServerError::Tls(format!("client verifier: {e}")))?;
    let key = rustls_pemfile::private_key(&mut m.key_pem.as_bytes())
        .map_err(|e| ServerError::Tls(format!("server key: {e}")))?
        .ok_or_else(|| ServerError::Tls("no private key in server key PEM".into()))?;
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServerError::Tls(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(pem_certs(&m.cert_chain_pem)?, key as PrivateKeyDer<'static>)
        .map_err(|e| ServerError::Tls(format!("server certificate: {e}")))?;
    Ok(Arc::new(config))
}

/// How the listener authenticates clients.
#[derive(Clone)]
pub enum Transport {
    /// Mutually authenticated TLS (the default).
    Tls(Arc<rustls::ServerConfig>),
    /// Plain HTTP, loopback only, for DCC Boxed tooling.
    PlainHttp,
}

/// Binds the listener, refusing plain HTTP on anything but loopback.
pub async fn bind(addr: SocketAddr, transport: &Transport) -> Result<TcpListener, ServerError> {
    if matches!(transport, Transport::PlainHttp) && !addr.ip().is_loopback() {
        return Err(ServerError::PlainHttpNotLoopback(addr));
    }
    Ok(TcpListener::bind(addr).await?)
}

/// How the DUIS handler tells the WAN runner of the commands a request queued, once the
/// gateway's transaction committed.
#[derive(Debug, Clone)]
pub enum Announcer {
    /// The embedded runner in this process: its wake-up ([`Wakeups::wan`]).
    Wake(Wake),
    /// NATS JetStream: a notice per job ([`nats::announce_jobs`]), published after the answer
    /// without holding it up; one that fails is logged, and the sweeper announces the job.
    Queue(Box<queue_nats::Queue>),
}

impl From<Wake> for Announcer {
    fn from(w: Wake) -> Self {
        Self::Wake(w)
    }
}

impl Announcer {
    fn announce(&self, answer: &dcc::gateway::Answer) {
        match self {
            Self::Wake(w) => {
                if answer.wan_queued() {
                    // Committed: the dispatcher takes it now rather than on its safety tick.
                    w.signal();
                }
            }
            Self::Queue(q) => {
                if answer.wan_queued() {
                    let (q, jobs) = (q.clone(), answer.wan_jobs.clone());
                    tokio::spawn(async move { nats::announce_jobs(&q, &jobs).await });
                }
            }
        }
    }
}

/// Serves DUIS until `shutdown` turns true; in-flight requests finish first. `wan` is told of
/// each request the gateway accepted that queued a command for the SM WAN ([`Announcer`]).
pub async fn serve<S: Store, C: Clock>(
    gateway: Arc<Gateway<S, C>>,
    listener: TcpListener,
    transport: Transport,
    limits: ListenerLimits,
    wan: impl Into<Announcer>,
    shutdown: watch::Receiver<bool>,
) -> Result<(), ServerError> {
    serve_with_smki(gateway, listener, transport, None, limits, wan, shutdown).await
}

/// [`serve`], also answering the SMKI service interface (`/smki/v1/…`) with `smki`.
pub async fn serve_with_smki<S: Store, C: Clock>(
    gateway: Arc<Gateway<S, C>>,
    listener: TcpListener,
    transport: Transport,
    smki: Option<Arc<dyn smki_api::SmkiHandler>>,
    limits: ListenerLimits,
    wan: impl Into<Announcer>,
    shutdown: watch::Receiver<bool>,
) -> Result<(), ServerError> {
    let wan: Announcer = wan.into();
    accept_until_shutdown(
        listener,
        &transport,
        "DUIS",
        limits,
        shutdown,
        move |conn, peer, stop| {
            let gateway = gateway.clone();
            let smki = smki.clone();
            let wan = wan.clone();
            async move {
                // Over TLS, the client certificate names the DCC user; plain HTTP has none.
                let identity = match &conn {
                    Accepted::Tls(tls) => {
                        let cert = tls.get_ref().1.peer_certificates().and_then(|c| c.first());
                        match cert.map(|c| smki::tls_client_eui(c.as_ref())) {
                            Some(Ok(eui)) => Some(eui),
                            Some(Err(e)) => {
                                info!(%peer, error = %e, "client certificate names no DCC user");
                                return;
                            }
                            None => {
                                info!(%peer, "no client certificate");
                                return;
                            }
                        }
                    }
                    Accepted::Plain(_) => None,
                };
                let handler = move |req: Request<Incoming>| {
                    let gateway = gateway.clone();
                    let smki = smki.clone();
                    let wan = wan.clone();
                    async move {
                        if req.uri().path().starts_with("/smki/") {
                            return handle_smki(smki, req, identity, limits.body_timeout).await;
                        }
                        handle(gateway, req, identity, limits.body_timeout, &wan).await
                    }
                };
                serve_http1(conn, handler, peer, "DUIS", limits, stop).await;
            }
        },
    )
    .await;
    Ok(())
}

/// A connection the listener accepted: TLS done (for [`Transport::Tls`]) or plain TCP.
pub(crate) enum Accepted {
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
    Plain(TcpStream),
}

/// Accepts connections on `listener` until `shutdown` turns true, each in its own task: the
/// TLS handshake (a refused one is logged and dropped; one not done within
/// [`ListenerLimits::handshake_timeout`] is cut), then `serve` with the connection, its peer and
/// a shutdown receiver. At most [`ListenerLimits::max_connections`] are open at once: beyond
/// that a new connection is closed as soon as it is accepted. When `accept` itself fails (out of
/// file descriptors), the loop pauses ([`listener::AcceptBackoff`]) and logs the episode once
/// at its start and once at its end, while the open connections carry on. At shutdown the
/// connections get [`SHUTDOWN_GRACE`] to finish the requests in flight; whatever is still open
/// then is cut. `name` labels the log lines.
pub(crate) async fn accept_until_shutdown<L, F, Fut>(
    listener: L,
    transport: &Transport,
    name: &'static str,
    limits: ListenerLimits,
    mut shutdown: watch::Receiver<bool>,
    serve: F,
) where
    L: listener::Listen,
    F: Fn(Accepted, SocketAddr, watch::Receiver<bool>) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let acceptor = match transport {
        Transport::Tls(cfg) => Some(TlsAcceptor::from(cfg.clone())),
        Transport::PlainHttp => None,
    };
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let mut backoff = listener::AcceptBackoff::default();
    let mut over_limit = listener::OverLimit::default();
    // While `accept` fails: not before this instant.
    let mut resume_at: Option<tokio::time::Instant> = None;
    let mut conns = tokio::task::JoinSet::new();
    loop {
        let next = async {
            if let Some(at) = resume_at {
                tokio::time::sleep_until(at).await;
            }
            listener.accept().await
        };
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = next => {
                let now = tokio::time::Instant::now();
                let (tcp, peer) = match accepted {
                    Ok(x) => x,
                    Err(e) => {
                        let after = backoff.failed(now);
                        if after.first {
                            warn!(
                                listener = name,
                                error = %e,
                                open_connections = conns.len(),
                                "accept failed; retrying with back-off (logged again when it recovers)"
                            );
                        }
                        resume_at = Some(now + after.pause);
                        continue;
                    }
                };
                resume_at = None;
                if let Some((failures, lasted)) = backoff.succeeded(now) {
                    warn!(
                        listener = name,
                        failures,
                        lasted_ms = u64::try_from(lasted.as_millis()).unwrap_or(u64::MAX),
                        "accept recovered"
                    );
                }
                let Ok(slot) = slots.clone().try_acquire_owned() else {
                    if over_limit.refused() {
                        warn!(
                            listener = name,
                            max_connections = limits.max_connections,
                            "connection limit reached; closing new connections at once (logged again when one is admitted)"
                        );
                    }
                    drop(tcp);
                    continue;
                };
                if let Some(refused) = over_limit.admitted() {
                    warn!(listener = name, refused, "admitting connections again");
                }
                let _ = tcp.set_nodelay(true);
                let acceptor = acceptor.clone();
                let stop = shutdown.clone();
                let serve = serve.clone();
                conns.spawn(async move {
                    let _slot = slot;
                    let conn = match acceptor {
                        Some(acceptor) => {
                            match tokio::time::timeout(limits.handshake_timeout, acceptor.accept(tcp))
                                .await
                            {
                                Ok(Ok(tls)) => Accepted::Tls(Box::new(tls)),
                                Ok(Err(e)) => {
                                    info!(listener = name, %peer, error = %e, "TLS handshake refused");
                                    return;
                                }
                                Err(_) => {
                                    info!(listener = name, %peer, "TLS handshake timed out");
                                    return;
                                }
                            }
                        }
                        None => Accepted::Plain(tcp),
                    };
                    serve(conn, peer, stop).await;
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while conns.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        warn!(
            listener = name,
            "connections still open after the shutdown grace period; closing them"
        );
        conns.abort_all();
    }
}

/// How long in-flight requests get to finish at shutdown.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Serves HTTP/1.1 (keep-alive) on one accepted connection, each request answered by
/// `handler`, until the client closes, the connection outlives `limits` (headers too slow, idle
/// too long) or `shutdown` turns true. `name` labels the log lines.
pub(crate) async fn serve_http1<F, Fut>(
    conn: Accepted,
    handler: F,
    peer: SocketAddr,
    name: &'static str,
    limits: ListenerLimits,
    shutdown: watch::Receiver<bool>,
) where
    F: Fn(Request<Incoming>) -> Fut + Send + 'static,
    Fut: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    let activity = listener::Activity::new(tokio::time::Instant::now());
    let served = ServeOne {
        handler,
        peer,
        name,
        limits,
        activity: activity.clone(),
    };
    match conn {
        Accepted::Tls(tls) => {
            served
                .run(
                    TokioIo::new(listener::Tracked::new(tls, activity)),
                    shutdown,
                )
                .await
        }
        Accepted::Plain(tcp) => {
            served
                .run(
                    TokioIo::new(listener::Tracked::new(tcp, activity)),
                    shutdown,
                )
                .await
        }
    }
}

/// One connection's service and watchdog.
struct ServeOne<F> {
    handler: F,
    peer: SocketAddr,
    name: &'static str,
    limits: ListenerLimits,
    activity: Arc<listener::Activity>,
}

impl<F, Fut> ServeOne<F>
where
    F: Fn(Request<Incoming>) -> Fut + Send + 'static,
    Fut: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    async fn run<I>(self, io: I, mut shutdown: watch::Receiver<bool>)
    where
        I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    {
        let Self {
            handler,
            peer,
            name,
            limits,
            activity,
        } = self;
        let tracker = activity.clone();
        let svc = service_fn(move |req| {
            // Counts as in flight until answered (or abandoned): the watchdog leaves it be.
            let in_flight = tracker.request_started();
            let answer = handler(req);
            async move {
                let r = answer.await;
                drop(in_flight);
                Ok::<_, Infallible>(r)
            }
        });
        let conn = http1::Builder::new()
            .keep_alive(true)
            .serve_connection(io, svc);
        let mut conn = std::pin::pin!(conn);
        // Rechecked this often while a request is in flight (no deadline then).
        let recheck = limits.header_timeout.min(limits.idle_timeout);
        let result = loop {
            let deadline = activity.deadline(&limits);
            let wake = tokio::time::sleep_until(match deadline {
                Some((at, _)) => at,
                None => tokio::time::Instant::now() + recheck,
            });
            tokio::select! {
                r = conn.as_mut() => break r,
                _ = shutdown.changed() => {
                    // Finish the request in progress, if any, then close (idle keep-alive
                    // connections close at once).
                    conn.as_mut().graceful_shutdown();
                    break conn.as_mut().await;
                }
                _ = wake => {
                    if let Some((at, why)) = activity.deadline(&limits)
                        && at <= tokio::time::Instant::now()
                    {
                        let what = match why {
                            listener::Expiry::Headers => "request headers not received in time",
                            listener::Expiry::Idle => "idle keep-alive connection",
                        };
                        info!(listener = name, %peer, "closing connection: {what}");
                        return;
                    }
                }
            }
        };
        if let Err(e) = result {
            info!(listener = name, %peer, error = %e, "connection ended with an error");
        }
    }
}

/// `r`, marked as the last answer on its connection.
pub(crate) fn closing(mut r: Response<Full<Bytes>>) -> Response<Full<Bytes>> {
    r.headers_mut().insert(
        hyper::header::CONNECTION,
        hyper::header::HeaderValue::from_static("close"),
    );
    r
}

fn text(status: StatusCode, msg: &str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(format!("{msg}\n"))));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// A body that did not arrive within [`ListenerLimits::body_timeout`]: 408, and the connection
/// closes (what is left of the body is not read).
fn body_timed_out(timeout: std::time::Duration) -> Response<Full<Bytes>> {
    closing(text(
        StatusCode::REQUEST_TIMEOUT,
        &format!(
            "the request body did not arrive within {} ms",
            timeout.as_millis()
        ),
    ))
}

/// A refusal the listener makes itself, answered as the one mapping says.
fn refuse(e: DccError) -> Response<Full<Bytes>> {
    let status =
        StatusCode::from_u16(e.outcome().http_status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    info!(error = %e, http_status = status.as_u16(), "DUIS request refused");
    text(status, &e.to_string())
}

/// DUIS requests are XML; a request that says it is something else is refused. A request with
/// no Content-Type is accepted (some DCC Boxed tooling sends none).
fn is_xml_content_type(v: &str) -> bool {
    let essence = v
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/xml" || essence == "text/xml" || essence.ends_with("+xml")
}

async fn handle_smki(
    smki: Option<Arc<dyn smki_api::SmkiHandler>>,
    req: Request<Incoming>,
    identity: Option<Eui64>,
    body_timeout: std::time::Duration,
) -> Response<Full<Bytes>> {
    let Some(smki) = smki else {
        return text(
            StatusCode::NOT_FOUND,
            "this listener offers no SMKI service",
        );
    };
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_owned);
    let method = req.method().to_string();
    let limit = smki.body_limit(&path);
    let too_large = || {
        closing(text(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the request body is over the {limit}-byte limit for {path}"),
        ))
    };
    let body = match listener::read_body(req, limit, body_timeout).await {
        Ok(b) => b,
        Err(listener::BodyError::TimedOut) => return body_timed_out(body_timeout),
        Err(listener::BodyError::TooLarge(_) | listener::BodyError::Broken) => return too_large(),
    };
    let answer = tokio::task::spawn_blocking(move || {
        smki.handle(&method, &path, query.as_deref(), identity, &body)
    })
    .await;
    match answer {
        Ok(a) => {
            let mut r = Response::new(Full::new(Bytes::from(a.body)));
            *r.status_mut() =
                StatusCode::from_u16(a.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            r.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static(a.content_type),
            );
            r
        }
        Err(e) => {
            warn!(error = %e, "SMKI request processing failed");
            text(StatusCode::SERVICE_UNAVAILABLE, "internal error")
        }
    }
}

async fn handle<S: Store, C: Clock>(
    gateway: Arc<Gateway<S, C>>,
    req: Request<Incoming>,
    identity: Option<Eui64>,
    body_timeout: std::time::Duration,
    wan: &Announcer,
) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_string();
    let Some(endpoint) = Endpoint::from_path(&path) else {
        return refuse(TransportError::NotFound(path).into());
    };
    if req.method() != Method::POST {
        return refuse(TransportError::Method(req.method().to_string()).into());
    }
    if let Some(ct) = req.headers().get(hyper::header::CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or("(not text)");
        if !is_xml_content_type(ct) {
            return refuse(TransportError::ContentType(ct.to_string()).into());
        }
    }
    let limit = gateway.limits().max_body_bytes;
    let body = match listener::read_body(req, limit, body_timeout).await {
        Ok(b) => b,
        Err(listener::BodyError::TimedOut) => return body_timed_out(body_timeout),
        Err(e @ (listener::BodyError::TooLarge(_) | listener::BodyError::Broken)) => {
            // The size the client declared, when it declared one over the limit.
            let size = match e {
                listener::BodyError::TooLarge(Some(n)) => usize::try_from(n).unwrap_or(usize::MAX),
                _ => limit.saturating_add(1),
            };
            return closing(refuse(TransportError::BodyTooLarge { size, limit }.into()));
        }
    };
    let gw = gateway.clone();
    let answer = match tokio::task::spawn_blocking(move || {
        gw.handle(Inbound {
            endpoint,
            tls_identity: identity,
            body: &body,
        })
    })
    .await
    {
        Ok(a) => a,
        Err(e) => {
            warn!(error = %e, "request processing failed");
            return text(StatusCode::SERVICE_UNAVAILABLE, "internal error");
        }
    };
    wan.announce(&answer);
    info!(
        endpoint = path,
        request_id = answer.request_id.as_deref().unwrap_or("-"),
        http_status = answer.http_status,
        code = answer.code.map(|c| c.as_str()).unwrap_or("-"),
        error = answer
            .error
            .as_ref()
            .map(|e| e.to_string())
            .unwrap_or_default(),
        "DUIS request"
    );
    let mut r = Response::new(Full::new(Bytes::from(answer.body)));
    *r.status_mut() =
        StatusCode::from_u16(answer.http_status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(answer.content_type),
    );
    r
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod listener_tests;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod runner_tests;

#[cfg(test)]
mod tests {
    use super::is_xml_content_type;

    #[test]
    fn xml_content_types() {
        for ok in [
            "application/xml",
            "text/xml; charset=utf-8",
            "Application/XML",
            "application/soap+xml",
        ] {
            assert!(is_xml_content_type(ok), "{ok}");
        }
        for bad in [
            "application/json",
            "text/plain",
            "multipart/form-data; boundary=x",
            "",
        ] {
            assert!(!is_xml_content_type(bad), "{bad}");
        }
    }
}
