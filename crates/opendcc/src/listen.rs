//! `opendcc client listen`: a Receive Response Service for a DCC User. Every document the DCC
//! POSTs is checked (XML signature by the DCC's signing certificate, DUIS schema), printed, and
//! optionally saved; a delivery the DCC repeats after a crash is recognised by its delivery id
//! and shown once.

use std::collections::HashSet;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

use crate::client::element_text;

struct State {
    dcc_key: Vec<u8>,
    out: Option<PathBuf>,
    seen: Mutex<HashSet<String>>,
    count: Mutex<u64>,
}

/// What the listener concluded about one document.
pub fn check(dcc_key: &[u8], body: &[u8]) -> Result<(), String> {
    xmldsig::verify(body, dcc_key).map_err(|e| format!("signature: {e}"))?;
    duis_schema::validate_response(body).map_err(|e| format!("schema: {e}"))?;
    Ok(())
}

pub async fn run(
    listen: SocketAddr,
    dcc_cert_pem: &str,
    out: Option<PathBuf>,
) -> Result<(), String> {
    let der = crate::client::pem_cert_der(dcc_cert_pem)?;
    let (_, dcc_key) =
        xmldsig::issuer_serial_of_cert(&der).map_err(|e| format!("DCC certificate: {e}"))?;
    if let Some(dir) = &out {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    if !listen.ip().is_loopback() {
        return Err(format!(
            "{listen}: the listener serves plain HTTP and binds to loopback addresses only"
        ));
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("binding {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    crate::out(&format!("listening on http://{addr}/"))?;
    let state = Arc::new(State {
        dcc_key,
        out,
        seen: Mutex::new(HashSet::new()),
        count: Mutex::new(0),
    });
    loop {
        let (tcp, _) = tokio::select! {
            a = listener.accept() => a.map_err(|e| e.to_string())?,
            _ = tokio::signal::ctrl_c() => return Ok(()),
        };
        let state = state.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(receive(state, req).await) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(tcp), svc)
                .await;
        });
    }
}

async fn receive(state: Arc<State>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let delivery = req
        .headers()
        .get(server::delivery::DELIVERY_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = match Limited::new(req.into_body(), 4 * 1024 * 1024)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            let mut r = Response::new(Full::new(Bytes::from_static(b"too large\n")));
            *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return r;
        }
    };
    let repeated = match (&delivery, state.seen.lock()) {
        (Some(id), Ok(mut seen)) => !seen.insert(id.clone()),
        _ => false,
    };
    if !repeated {
        let text = String::from_utf8_lossy(&body);
        let verdict = match check(&state.dcc_key, &body) {
            Ok(()) => "VERIFIED".to_string(),
            Err(e) => format!("INVALID ({e})"),
        };
        let kind = if text.contains("DeviceAlertMessage") {
            "device-alert"
        } else if text.contains("DCCAlertMessage") {
            "dcc-alert"
        } else {
            "response"
        };
        let code = element_text(&text, "ResponseCode").unwrap_or("-");
        let rid = element_text(&text, "RequestID")
            .or_else(|| element_text(&text, "ResponseID"))
            .unwrap_or("-");
        let n = match state.count.lock() {
            Ok(mut c) => {
                *c += 1;
                *c
            }
            Err(_) => 0,
        };
        // The file is in place (renamed whole) before the line announcing it is printed, so
        // whoever reads the line finds the file.
        if let Some(dir) = &state.out {
            let name = format!("{n:06}-{}.xml", rid.replace(':', "_"));
            let partial = dir.join(format!(".{name}.partial"));
            let saved = std::fs::write(&partial, &body)
                .and_then(|()| std::fs::rename(&partial, dir.join(&name)));
            if let Err(e) = saved {
                eprintln!("could not save {name} in {}: {e}", dir.display());
            }
        }
        let _ = crate::out(&format!("{verdict} {kind} {code} {rid}"));
    }
    Response::new(Full::new(Bytes::from_static(b"")))
}
