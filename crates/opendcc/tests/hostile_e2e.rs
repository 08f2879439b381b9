//! The demo's listeners against hostile clients, with short configured limits (200 ms): a TLS
//! handshake or request headers that never finish, idle connections, a body declared over the
//! limit. Each wait is bounded ([`BOUND`], many times the limit) and each test asserts what the
//! client observes: the server closing the connection, or its answer.

mod common;

use std::time::Duration;

use common::*;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BOUND: Duration = Duration::from_secs(10);

fn demo_with_short_limits() -> Demo {
    Demo::start_with(DemoOptions {
        extra_args: [
            "--handshake-timeout-ms",
            "200",
            "--header-timeout-ms",
            "200",
            "--body-timeout-ms",
            "200",
            "--idle-timeout-ms",
            "200",
        ]
        .map(String::from)
        .to_vec(),
        ..DemoOptions::default()
    })
}

/// Reads until the server closes the connection, within [`BOUND`]; what was read before.
async fn closed_by_server<S: AsyncRead + Unpin>(s: &mut S, what: &str) -> String {
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
        Ok(got) => String::from_utf8_lossy(&got).into_owned(),
        Err(_) => panic!("{what}: the server did not close the connection within {BOUND:?}"),
    }
}

#[test]
fn slow_and_idle_connections_are_closed_on_both_listeners() {
    let demo = demo_with_short_limits();
    let duis = demo.duis_addr();
    let smki = demo
        .manifest()
        .smki_url
        .clone()
        .expect("demo.json names the SMKI repository")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    demo.block_on(async {
        // DUIS (TLS): a handshake that never starts, one that stalls.
        let mut c = TcpStream::connect(&duis).await.unwrap();
        closed_by_server(&mut c, "DUIS, no TLS handshake").await;
        let mut c = TcpStream::connect(&duis).await.unwrap();
        c.write_all(&[0x16, 0x03, 0x01]).await.unwrap();
        closed_by_server(&mut c, "DUIS, stalled TLS handshake").await;

        // DUIS (TLS): headers a byte at a time.
        let mut tls = demo.tls_connect("supplier-a").await;
        let head = b"POST /api/v1/serviceD HTTP/1.1\r\nHost: x\r\n";
        let drip = async {
            for b in head.iter().cycle() {
                if tls.write_all(&[*b]).await.is_err() || tls.flush().await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        tokio::time::timeout(BOUND, drip)
            .await
            .expect("DUIS: a slowloris connection is closed within the bound");

        // DUIS (TLS): a connection that sends nothing after the handshake.
        let mut tls = demo.tls_connect("supplier-a").await;
        closed_by_server(&mut tls, "DUIS, silent after the handshake").await;

        // SMKI repository (plain HTTP on loopback): idle after a request, and silent.
        let mut c = TcpStream::connect(&smki).await.unwrap();
        c.write_all(b"GET /ca/ HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let got = closed_by_server(&mut c, "SMKI repository, idle keep-alive").await;
        assert!(got.starts_with("HTTP/1.1 200"), "{got}");
        let mut c = TcpStream::connect(&smki).await.unwrap();
        closed_by_server(&mut c, "SMKI repository, silent").await;
    });
}

#[test]
fn a_declared_length_over_the_limit_is_refused_with_413_before_the_body() {
    let demo = Demo::start();
    demo.block_on(async {
        for path in ["/api/v1/serviceD", "/smki/v1/csr"] {
            let mut tls = demo.tls_connect("supplier-a").await;
            let head = format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\n\
                 Content-Length: 1000000000\r\n\r\n"
            );
            tls.write_all(head.as_bytes()).await.unwrap();
            tls.flush().await.unwrap();
            // No body is sent: the answer cannot wait for it.
            let got = closed_by_server(&mut tls, "a body declared over the limit").await;
            assert!(got.starts_with("HTTP/1.1 413"), "{path}: {got}");
        }
    });
}
