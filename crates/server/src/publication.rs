//! The DCC's publication endpoint (seed 003 paras 289–290: the lists SEC Parties read on the
//! SEC website): the Certified Products List and the Deployed Products List, read-only, apart
//! from the SMKI repository (which holds SMKI material only).
//!
//! | method | path | answer |
//! | --- | --- | --- |
//! | GET | `/` | the index |
//! | GET | `/cpl`, `/cpl.json` | the CPL's entries (JSON) |
//! | GET | `/cpl.csv` | one line per firmware version of each entry |
//! | GET | `/dpl`, `/dpl.json` | the DPL's combinations (JSON) |
//! | GET | `/dpl.csv` | one line per combination |

use std::sync::Arc;

use bytes::Bytes;
use dcc::store::Store;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tracing::{info, warn};

use crate::listener::ListenerLimits;
use crate::{ServerError, Transport, accept_until_shutdown, serve_http1};

/// What the endpoint answers: the same shape as the SMKI repository's answers.
pub use crate::repository::Answer;

const INDEX: &str = "opendcc publications\n/cpl      Certified Products List (JSON)\n/cpl.csv  Certified Products List (CSV)\n/dpl      Deployed Products List (JSON)\n/dpl.csv  Deployed Products List (CSV)\n";

fn rendered(r: Result<String, String>, content_type: &'static str) -> Answer {
    match r {
        Ok(body) => Answer::new(200, content_type, body),
        Err(e) => Answer::text(500, &e),
    }
}

/// The whole routing of one request (pure but for the store's read).
pub fn answer<S: Store>(store: &S, method: &Method, path: &str) -> Answer {
    if *method != Method::GET && *method != Method::HEAD {
        return Answer::text(405, "the publications are read with GET");
    }
    let read = |f: fn(&mut dyn dcc::store::Tx) -> Result<Answer, dcc::DccError>| {
        store.read(f).unwrap_or_else(|e| {
            warn!(error = %e, "publication storage");
            Answer::text(503, "publication storage unavailable")
        })
    };
    const JSON: &str = "application/json";
    const CSV: &str = "text/csv; charset=utf-8";
    match path {
        "/" => Answer::new(200, "text/plain; charset=utf-8", INDEX),
        "/cpl" | "/cpl.json" => read(|tx| {
            let m = dcc::products::entries(tx)?;
            Ok(rendered(cpl::publish::cpl_json(&m), JSON))
        }),
        "/cpl.csv" => read(|tx| {
            let m = dcc::products::entries(tx)?;
            Ok(rendered(Ok(cpl::publish::cpl_csv(&m)), CSV))
        }),
        "/dpl" | "/dpl.json" => read(|tx| {
            let d = dcc::products::deployed(tx)?;
            Ok(rendered(cpl::publish::dpl_json(&d), JSON))
        }),
        "/dpl.csv" => read(|tx| {
            let d = dcc::products::deployed(tx)?;
            Ok(rendered(Ok(cpl::publish::dpl_csv(&d)), CSV))
        }),
        _ => Answer::text(404, "no such publication (see /)"),
    }
}

/// Serves the publications until `shutdown` turns true.
pub async fn serve<S: Store>(
    store: Arc<S>,
    listener: TcpListener,
    transport: Transport,
    limits: ListenerLimits,
    shutdown: watch::Receiver<bool>,
) -> Result<(), ServerError> {
    accept_until_shutdown(
        listener,
        &transport,
        "publications",
        limits,
        shutdown,
        move |conn, peer, stop| {
            let store = store.clone();
            let handler = move |req| handle(store.clone(), req);
            serve_http1(conn, handler, peer, "publications", limits, stop)
        },
    )
    .await;
    Ok(())
}

async fn handle<S: Store>(store: Arc<S>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let (m, p) = (method.clone(), path.clone());
    let a = tokio::task::spawn_blocking(move || answer(&*store, &m, &p))
        .await
        .unwrap_or_else(|e| {
            warn!(error = %e, "publication request failed");
            Answer::text(503, "internal error")
        });
    info!(method = %method, path, status = a.status, "publications");
    let mut r = Response::new(Full::new(Bytes::from(a.body)));
    *r.status_mut() = StatusCode::from_u16(a.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(a.content_type),
    );
    r
}
