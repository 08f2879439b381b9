//! The listeners against hostile clients, on real loopback sockets: `accept` failing, slow and
//! idle connections, too many connections, a body declared over the limit. The limits are
//! short (200 ms) so that the tests are quick; every wait is bounded (by [`BOUND`], many times
//! the limit), and each test asserts what the client observes (an answer, the server closing
//! the connection), never that nothing happened in some time.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use smki::{KeyPair, PkiNames, Serial};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::listener::{ACCEPT_BACKOFF_MIN, Listen, ListenerLimits};
use crate::{Transport, repository};

/// The limits the tests configure.
const LIMIT: Duration = Duration::from_millis(200);
/// How long a test waits for what it expects (the server closing, an answer).
const BOUND: Duration = Duration::from_secs(5);

fn short_limits() -> ListenerLimits {
    ListenerLimits {
        handshake_timeout: LIMIT,
        header_timeout: LIMIT,
        body_timeout: LIMIT,
        idle_timeout: LIMIT,
        max_connections: 64,
    }
}

/// The SMKI repository (on an empty store) served on `listener` with `limits`.
struct Server {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn repository(transport: Transport, limits: ListenerLimits) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        Server::on(listener, addr, transport, limits)
    }

    fn on(
        listener: impl Listen,
        addr: SocketAddr,
        transport: Transport,
        limits: ListenerLimits,
    ) -> Server {
        let store = Arc::new(store::SqliteStore::in_memory().unwrap());
        let (stop, rx) = watch::channel(false);
        let task = tokio::spawn(async move {
            crate::accept_until_shutdown(
                listener,
                &transport,
                "test",
                limits,
                rx,
                move |conn, peer, stop| {
                    let store = store.clone();
                    let handler = move |req| {
                        repository::handle(store.clone(), req, || 0, limits.body_timeout)
                    };
                    crate::serve_http1(conn, handler, peer, "test", limits, stop)
                },
            )
            .await;
        });
        Server { addr, stop, task }
    }

    async fn shut(self) {
        let _ = self.stop.send(true);
        tokio::time::timeout(BOUND, self.task)
            .await
            .expect("the server stops")
            .unwrap();
    }
}

const GET: &[u8] = b"GET /ca/ HTTP/1.1\r\nHost: x\r\n\r\n";
const GET_CLOSE: &[u8] = b"GET /ca/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

/// Reads one HTTP response (headers and a `Content-Length` body) from a keep-alive
/// connection, within [`BOUND`].
async fn response<S: AsyncReadExt + Unpin>(s: &mut S) -> String {
    let read = async {
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let text = String::from_utf8_lossy(&got).into_owned();
            if let Some(end) = text.find("\r\n\r\n") {
                let len = text[..end]
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if got.len() >= end + 4 + len {
                    return text;
                }
            }
            let n = s.read(&mut buf).await.expect("reading the response");
            assert!(n > 0, "connection closed mid-response: {text:?}");
            got.extend_from_slice(&buf[..n]);
        }
    };
    tokio::time::timeout(BOUND, read)
        .await
        .expect("a response within the bound")
}

/// Reads until the server closes the connection (end of stream or reset), within [`BOUND`];
/// what was read before.
async fn closed_by_server<S: AsyncReadExt + Unpin>(s: &mut S, what: &str) -> Vec<u8> {
    let read = async {
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return got,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    match tokio::time::timeout(BOUND, read).await {
        Ok(got) => got,
        Err(_) => panic!("{what}: the server did not close the connection within {BOUND:?}"),
    }
}

/// A listener whose `accept` fails (as with EMFILE) while `failing` is set, recording when.
struct Flaky {
    inner: TcpListener,
    failing: Arc<AtomicBool>,
    failures: Arc<Mutex<Vec<Instant>>>,
}

impl Listen for Flaky {
    async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        if self.failing.load(Ordering::SeqCst) {
            // A failing accept system call returns at once, but lets other tasks run.
            tokio::task::yield_now().await;
            self.failures.lock().unwrap().push(Instant::now());
            // EMFILE: "Too many open files".
            return Err(io::Error::from_raw_os_error(24));
        }
        self.inner.accept().await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_accept_backs_off_and_open_connections_keep_being_served() {
    let inner = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = inner.local_addr().unwrap();
    let failing = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let limits = ListenerLimits::default();
    let server = Server::on(
        Flaky {
            inner,
            failing: failing.clone(),
            failures: failures.clone(),
        },
        addr,
        Transport::PlainHttp,
        limits,
    );
    let mut open = TcpStream::connect(addr).await.unwrap();
    open.write_all(GET).await.unwrap();
    assert!(response(&mut open).await.starts_with("HTTP/1.1 200"));

    failing.store(true, Ordering::SeqCst);
    // The accept under way takes this connection; every later one fails.
    let mut second = TcpStream::connect(addr).await.unwrap();
    second.write_all(GET).await.unwrap();
    assert!(response(&mut second).await.starts_with("HTTP/1.1 200"));
    let deadline = Instant::now() + BOUND;
    while failures.lock().unwrap().len() < 6 {
        assert!(Instant::now() < deadline, "accept not retried");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Paced: 10 ms after the first failure, doubling.
    let times: Vec<Instant> = failures.lock().unwrap()[..6].to_vec();
    for (i, pair) in times.windows(2).enumerate() {
        let expected = ACCEPT_BACKOFF_MIN * 2u32.pow(u32::try_from(i).unwrap());
        assert!(
            pair[1] - pair[0] >= expected,
            "retry {} after {:?}, not after the {expected:?} back-off",
            i + 1,
            pair[1] - pair[0]
        );
    }
    // The connections already open are served throughout.
    open.write_all(GET).await.unwrap();
    assert!(response(&mut open).await.starts_with("HTTP/1.1 200"));

    // Once accept works again, new connections are served.
    failing.store(false, Ordering::SeqCst);
    let mut third = TcpStream::connect(addr).await.unwrap();
    third.write_all(GET).await.unwrap();
    assert!(response(&mut third).await.starts_with("HTTP/1.1 200"));
    drop((open, second, third));
    server.shut().await;
}

#[tokio::test]
async fn connections_beyond_the_limit_are_closed_at_once() {
    let limits = ListenerLimits {
        max_connections: 2,
        ..ListenerLimits::default()
    };
    let server = Server::repository(Transport::PlainHttp, limits).await;
    let mut a = TcpStream::connect(server.addr).await.unwrap();
    let mut b = TcpStream::connect(server.addr).await.unwrap();
    for c in [&mut a, &mut b] {
        c.write_all(GET).await.unwrap();
        assert!(response(c).await.starts_with("HTTP/1.1 200"));
    }
    let mut over = TcpStream::connect(server.addr).await.unwrap();
    let _ = over.write_all(GET).await;
    let got = closed_by_server(&mut over, "a third connection with a limit of two").await;
    assert!(got.is_empty(), "{}", String::from_utf8_lossy(&got));
    // A slot freed is a slot for the next connection.
    drop(a);
    let deadline = Instant::now() + BOUND;
    loop {
        let mut c = TcpStream::connect(server.addr).await.unwrap();
        let _ = c.write_all(GET_CLOSE).await;
        let got = closed_by_server(&mut c, "a request with Connection: close").await;
        if got.starts_with(b"HTTP/1.1 200") {
            break;
        }
        // The server may not have seen the first connection close yet.
        assert!(Instant::now() < deadline, "no slot freed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    drop(b);
    server.shut().await;
}

#[tokio::test]
async fn headers_sent_a_byte_at_a_time_are_cut_off() {
    let server = Server::repository(Transport::PlainHttp, short_limits()).await;
    let mut c = TcpStream::connect(server.addr).await.unwrap();
    let drip = async {
        for b in GET.iter().cycle() {
            if c.write_all(&[*b]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(BOUND, drip)
        .await
        .expect("the server closes a slowloris connection within the bound");
    server.shut().await;
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed() {
    let server = Server::repository(Transport::PlainHttp, short_limits()).await;
    let mut c = TcpStream::connect(server.addr).await.unwrap();
    assert!(
        closed_by_server(&mut c, "silent connection")
            .await
            .is_empty()
    );
    server.shut().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let server = Server::repository(Transport::PlainHttp, short_limits()).await;
    let mut c = TcpStream::connect(server.addr).await.unwrap();
    c.write_all(GET).await.unwrap();
    assert!(response(&mut c).await.starts_with("HTTP/1.1 200"));
    assert!(closed_by_server(&mut c, "idle keep-alive").await.is_empty());
    server.shut().await;
}

#[tokio::test]
async fn a_body_not_sent_in_time_is_answered_408() {
    let server = Server::repository(Transport::PlainHttp, short_limits()).await;
    let mut c = TcpStream::connect(server.addr).await.unwrap();
    c.write_all(
        b"POST /services/certificatesearch HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n<Cert",
    )
    .await
    .unwrap();
    let got = closed_by_server(&mut c, "a body that stops").await;
    let got = String::from_utf8_lossy(&got);
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    server.shut().await;
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_before_the_body() {
    let server = Server::repository(Transport::PlainHttp, ListenerLimits::default()).await;
    let mut c = TcpStream::connect(server.addr).await.unwrap();
    c.write_all(
        b"POST /services/certificatesearch HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n",
    )
    .await
    .unwrap();
    // No body is sent: the answer cannot wait for it.
    let got = response(&mut c).await;
    assert!(got.starts_with("HTTP/1.1 401"), "{got}");
    assert!(got.contains("exceeds the repository's limit"), "{got}");
    server.shut().await;
}

#[tokio::test]
async fn a_client_still_sending_a_refused_body_gets_its_answer() {
    // Refused at once, the body is still read (and thrown away) so that a client that sends
    // all of it, then reads, gets the answer rather than a reset ("broken pipe").
    let server = Server::repository(Transport::PlainHttp, ListenerLimits::default()).await;
    let mut c = TcpStream::connect(server.addr).await.unwrap();
    let size = 3 * 1024 * 1024;
    let head = format!(
        "POST /services/certificatesearch HTTP/1.1\r\nHost: x\r\nContent-Length: {size}\r\n\r\n"
    );
    let body = vec![b'x'; size];
    let send = async {
        c.write_all(head.as_bytes()).await?;
        // Paced, as a client on a real network sends: the server cannot find the whole body
        // already waiting in its socket buffer.
        for chunk in body.chunks(64 * 1024) {
            c.write_all(chunk).await?;
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        c.flush().await
    };
    tokio::time::timeout(BOUND, send)
        .await
        .expect("the body is taken within the bound")
        .expect("the server reads the whole refused body");
    let got = closed_by_server(&mut c, "a refused body").await;
    let got = String::from_utf8_lossy(&got);
    assert!(got.starts_with("HTTP/1.1 401"), "{got}");
    assert!(got.contains("exceeds the repository's limit"), "{got}");
    assert!(
        got.to_ascii_lowercase().contains("connection: close"),
        "{got}"
    );
    server.shut().await;
}

/// A TLS server configuration (server authentication only) with a fresh DCCKI certificate.
fn tls_transport() -> Transport {
    let now = time::OffsetDateTime::now_utc();
    let pki = smki::Pki::generate_with_os_rng(now, &PkiNames::default()).unwrap();
    let key = KeyPair::generate_with_os_rng().unwrap();
    let cert = pki
        .dccki_issuing
        .issue_tls_server(&smki::TlsServerCertRequest {
            common_name: "opendcc".into(),
            dns_names: vec!["localhost".into()],
            ip_addresses: vec![],
            public_key: key.public_key(),
            serial: Serial::random_with_os_rng().unwrap(),
            not_before: now - time::Duration::days(1),
            not_after: now + time::Duration::days(1),
        })
        .unwrap();
    let chain = format!(
        "{}{}",
        smki::cert_to_pem(&cert).unwrap(),
        pki.dccki_issuing.cert_pem().unwrap()
    );
    Transport::Tls(
        repository::server_only_tls_config(&chain, &key.to_pkcs8_pem().unwrap()).unwrap(),
    )
}

#[tokio::test]
async fn a_tls_handshake_that_stalls_is_cut_off() {
    let server = Server::repository(tls_transport(), short_limits()).await;
    // The start of a TLS record, then nothing more.
    let mut c = TcpStream::connect(server.addr).await.unwrap();
    c.write_all(&[0x16, 0x03, 0x01]).await.unwrap();
    closed_by_server(&mut c, "stalled TLS handshake").await;
    // Nothing at all.
    let mut c = TcpStream::connect(server.addr).await.unwrap();
    closed_by_server(&mut c, "no TLS handshake").await;
    server.shut().await;
}
