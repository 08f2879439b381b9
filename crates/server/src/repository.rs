//! The SMKI repository over HTTP: the search and retrieve interface DCC Boxed serves on port
//! 8083, and the published material (CA certificates, CRL, ARL, SMKI documents, every
//! certificate by serial).
//!
//! | method | path | answer |
//! | --- | --- | --- |
//! | POST | `/services/certificatesearch` | `CertificateSearchResponse` (402: nothing found, 401: bad request) |
//! | POST | `/services/retrievecertificate` | `CertificateDataResponse` (402: no such certificate) |
//! | GET | `/ca/` | the CA certificates, one line each |
//! | GET | `/ca/<kind>.pem`, `/ca/<kind>.der` | the current CA certificate of that kind (`org-root`, `oca`, `device-root`, `dca`, `dccki-root`, `dccki-issuing`) |
//! | GET | `/crl`, `/arl` | the latest published list (DER); 404 until one is published |
//! | GET | `/documents/`, `/documents/<name>` | the SMKI documents |
//! | GET | `/certificates/<serial>` (`.pem` for PEM) | one certificate, DER |
//!
//! The same paths under `/test/` are the **test repository** (the SMKI test service's
//! certificates and CAs; SEC H4 keeps test and live apart).
//!
//! Read-only for everyone: there is no lodging endpoint. Certificates reach the repository
//! only inside the DCC's own process (issuance, world creation) and through the PMA's command
//! line on the DCC's host, which is how "only the DCC and the PMA can lodge" holds.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use smki_service::model::{ca_kind_name, canonical_serial_hex};
use smki_service::repository::{self, MAX_REQUEST_BYTES};
use smki_service::{Environment, ListKind, SmkiStore, SmkiTx, StoreError};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tracing::{info, warn};

use crate::listener::{self, BodyError, ListenerLimits};
use crate::{ServerError, Transport, accept_until_shutdown, serve_http1};

/// An SMKI document the repository publishes.
#[derive(Debug, Clone, Copy)]
pub struct Document {
    /// File name under `/documents/`.
    pub name: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

/// The SMKI documents of this implementation (docs/smki/).
pub const DOCUMENTS: &[Document] = &[
    Document {
        name: "repository-policy.md",
        title: "SMKI Repository policy",
        text: include_str!("../../../docs/smki/repository-policy.md"),
    },
    Document {
        name: "certificate-policy-summary.md",
        title: "SMKI Certificate Policy summary (organisation and device certificates)",
        text: include_str!("../../../docs/smki/certificate-policy-summary.md"),
    },
];

/// Clock for statuses (expired certificates): unix milliseconds.
pub type NowMs = fn() -> i64;

/// Unix milliseconds from the system clock.
pub fn system_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// TLS for the repository on a non-loopback address: the DCC's server certificate, no client
/// certificate asked (DCC Boxed's clients present none).
pub fn server_only_tls_config(
    cert_chain_pem: &str,
    key_pem: &str,
) -> Result<Arc<rustls::ServerConfig>, ServerError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let key = rustls_pemfile::private_key(&mut key_pem.as_bytes())
        .map_err(|e| ServerError::Tls(format!("server key: {e}")))?
        .ok_or_else(|| ServerError::Tls("no private key in server key PEM".into()))?;
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServerError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(crate::pem_certs(cert_chain_pem)?, key)
        .map_err(|e| ServerError::Tls(format!("server certificate: {e}")))?;
    Ok(Arc::new(config))
}

/// Serves the repository until `shutdown` turns true.
pub async fn serve<S: SmkiStore>(
    store: Arc<S>,
    listener: TcpListener,
    transport: Transport,
    now: NowMs,
    limits: ListenerLimits,
    shutdown: watch::Receiver<bool>,
) -> Result<(), ServerError> {
    accept_until_shutdown(
        listener,
        &transport,
        "SMKI repository",
        limits,
        shutdown,
        move |conn, peer, stop| {
            let store = store.clone();
            let handler = move |req| handle(store.clone(), req, now, limits.body_timeout);
            serve_http1(conn, handler, peer, "SMKI repository", limits, stop)
        },
    )
    .await;
    Ok(())
}

/// What the repository answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Answer {
    pub(crate) fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            content_type,
            body: body.into(),
        }
    }
    pub(crate) fn text(status: u16, msg: &str) -> Self {
        Self::new(status, "text/plain; charset=utf-8", format!("{msg}\n"))
    }
    fn xml(body: String) -> Self {
        Self::new(200, "application/xml", body)
    }
}

pub(crate) async fn handle<S: SmkiStore>(
    store: Arc<S>,
    req: Request<Incoming>,
    now: NowMs,
    body_timeout: std::time::Duration,
) -> Response<Full<Bytes>> {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let body = if method == Method::POST {
        let too_large = || {
            crate::closing(to_response(Answer::text(
                401,
                &format!("request exceeds the repository's limit of {MAX_REQUEST_BYTES} bytes"),
            )))
        };
        match listener::read_body(req, MAX_REQUEST_BYTES, body_timeout).await {
            Ok(b) => b,
            Err(BodyError::TimedOut) => return crate::body_timed_out(body_timeout),
            Err(BodyError::TooLarge(_) | BodyError::Broken) => return too_large(),
        }
    } else {
        Bytes::new()
    };
    let (m, p) = (method.clone(), path.clone());
    let answer = tokio::task::spawn_blocking(move || answer(&*store, &m, &p, &body, now())).await;
    let answer = answer.unwrap_or_else(|e| {
        warn!(error = %e, "repository request failed");
        Answer::text(503, "internal error")
    });
    info!(method = %method, path, status = answer.status, "SMKI repository");
    to_response(answer)
}

fn to_response(a: Answer) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(a.body)));
    *r.status_mut() = StatusCode::from_u16(a.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(a.content_type),
    );
    r
}

const CA_KINDS: [smki::CaKind; 6] = [
    smki::CaKind::OrganisationRoot,
    smki::CaKind::Oca,
    smki::CaKind::DeviceRoot,
    smki::CaKind::Dca,
    smki::CaKind::DcckiRoot,
    smki::CaKind::DcckiIssuing,
];

fn in_tx<S: SmkiStore, T>(
    store: &S,
    f: impl FnOnce(&mut dyn SmkiTx) -> Result<T, StoreError>,
) -> Result<T, Answer> {
    store.smki_transaction(f).map_err(|e: StoreError| {
        warn!(error = %e, "repository storage");
        Answer::text(503, "repository storage unavailable")
    })
}

/// The whole routing of one request (pure but for the store).
pub fn answer<S: SmkiStore>(
    store: &S,
    method: &Method,
    path: &str,
    body: &[u8],
    now_ms: i64,
) -> Answer {
    match route(store, method, path, body, now_ms) {
        Ok(a) | Err(a) => a,
    }
}

fn route<S: SmkiStore>(
    store: &S,
    method: &Method,
    path: &str,
    body: &[u8],
    now_ms: i64,
) -> Result<Answer, Answer> {
    let (env, rest) = match path.strip_prefix("/test") {
        Some(r) if r.is_empty() || r.starts_with('/') => (Environment::Test, r),
        _ => (Environment::Live, path),
    };
    let rest = if rest.is_empty() { "/" } else { rest };
    let post = |m: &Method| {
        if *m == Method::POST {
            Ok(())
        } else {
            Err(Answer::text(405, "the repository's services are POSTed"))
        }
    };
    let get = |m: &Method| {
        if *m == Method::GET || *m == Method::HEAD {
            Ok(())
        } else {
            Err(Answer::text(
                405,
                "the repository's publications are read with GET",
            ))
        }
    };
    match rest {
        "/services/certificatesearch" => {
            post(method)?;
            let q =
                repository::parse_search(body).map_err(|e| Answer::text(401, &e.to_string()))?;
            let found = in_tx(store, |tx| repository::search(tx, env, &q, now_ms))?;
            if found.is_empty() {
                return Ok(Answer::new(402, "application/xml", Vec::new()));
            }
            Ok(Answer::xml(repository::search_response(&found, now_ms)))
        }
        "/services/retrievecertificate" => {
            post(method)?;
            let q =
                repository::parse_retrieve(body).map_err(|e| Answer::text(401, &e.to_string()))?;
            match in_tx(store, |tx| repository::retrieve(tx, env, &q))? {
                Some(c) => Ok(Answer::xml(repository::retrieve_response(&c))),
                None => Ok(Answer::new(402, "application/xml", Vec::new())),
            }
        }
        "/" => {
            get(method)?;
            Ok(Answer::text(
                200,
                &format!(
                    "opendcc SMKI {} repository\n\nPOST services/certificatesearch\n\
                     POST services/retrievecertificate\nGET  ca/\nGET  crl\nGET  arl\n\
                     GET  documents/\nGET  certificates/<serial>",
                    env.as_str()
                ),
            ))
        }
        "/ca" | "/ca/" => {
            get(method)?;
            let mut out = String::new();
            in_tx(store, |tx| {
                for kind in CA_KINDS {
                    for ca in tx.cas(kind, env)? {
                        let serial = serial_of_der(&ca.cert_der);
                        out.push_str(&format!(
                            "{} {} {}\n",
                            ca_kind_name(kind),
                            serial,
                            if ca.retired_at.is_some() {
                                "retired"
                            } else {
                                "current"
                            }
                        ));
                    }
                }
                Ok(())
            })?;
            Ok(Answer::new(200, "text/plain; charset=utf-8", out))
        }
        "/crl" | "/arl" | "/crl.der" | "/arl.der" => {
            get(method)?;
            let list = if rest.starts_with("/crl") {
                ListKind::Crl
            } else {
                ListKind::Arl
            };
            match in_tx(store, |tx| tx.latest_revocation_list(list, env))? {
                Some(published) => Ok(Answer::new(200, "application/pkix-crl", published.der)),
                None => Err(Answer::text(
                    404,
                    &format!("no {} has been published yet", list.as_str().to_uppercase()),
                )),
            }
        }
        "/documents" | "/documents/" => {
            get(method)?;
            let mut out = String::from("SMKI documents\n\n");
            for d in DOCUMENTS {
                out.push_str(&format!("{}  {}\n", d.name, d.title));
            }
            Ok(Answer::new(200, "text/plain; charset=utf-8", out))
        }
        _ => {
            if !["/documents/", "/ca/", "/certificates/"]
                .iter()
                .any(|p| rest.starts_with(p))
            {
                return Err(Answer::text(404, "no such repository resource"));
            }
            get(method)?;
            if let Some(name) = rest.strip_prefix("/documents/") {
                return DOCUMENTS
                    .iter()
                    .find(|d| d.name == name)
                    .map(|d| Answer::new(200, "text/markdown; charset=utf-8", d.text))
                    .ok_or_else(|| Answer::text(404, "no such document"));
            }
            if let Some(file) = rest.strip_prefix("/ca/") {
                let (name, pem) = split_ext(file)?;
                let kind = smki_service::model::ca_kind_from_name(name)
                    .map_err(|e| Answer::text(404, &e.to_string()))?;
                let cas = in_tx(store, |tx| tx.cas(kind, env))?;
                let ca = cas
                    .iter()
                    .rev()
                    .find(|c| c.retired_at.is_none())
                    .or(cas.last())
                    .ok_or_else(|| Answer::text(404, "no such CA in this repository"))?;
                return Ok(cert_answer(&ca.cert_der, pem));
            }
            if let Some(file) = rest.strip_prefix("/certificates/") {
                let (serial, pem) = split_ext(file)?;
                let serial = canonical_serial_hex(serial)
                    .ok_or_else(|| Answer::text(404, "not a hexadecimal serial"))?;
                let c = in_tx(store, |tx| tx.certificate(&serial))?
                    .filter(|c| c.environment == env)
                    .ok_or_else(|| Answer::text(404, "no such certificate in this repository"))?;
                return Ok(cert_answer(&c.der, pem));
            }
            Err(Answer::text(404, "no such repository resource"))
        }
    }
}

/// `name.pem` → (name, true); `name.der` or `name` → (name, false).
fn split_ext(file: &str) -> Result<(&str, bool), Answer> {
    if let Some(n) = file.strip_suffix(".pem") {
        Ok((n, true))
    } else if let Some(n) = file.strip_suffix(".der") {
        Ok((n, false))
    } else if file.contains('.') {
        Err(Answer::text(404, "certificates are served as .pem or .der"))
    } else {
        Ok((file, false))
    }
}

fn cert_answer(der: &[u8], pem: bool) -> Answer {
    if pem {
        match smki::cert_to_pem(der) {
            Ok(p) => Answer::new(200, "application/x-pem-file", p),
            Err(e) => Answer::text(500, &e.to_string()),
        }
    } else {
        Answer::new(200, "application/pkix-cert", der.to_vec())
    }
}

fn serial_of_der(der: &[u8]) -> String {
    smki_service::CertRecord::authority(
        der,
        smki_service::CertKind::Authority,
        Environment::Live,
        0,
    )
    .map(|c| c.serial)
    .unwrap_or_else(|_| "?".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use smki::{KeyPair, KeyUsage, OrgCertRequest, PkiNames, RemotePartyRole, Serial};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Off loopback the repository is HTTPS with the DCC's server certificate and asks for no
    /// client certificate (DCC Boxed's clients have none); a search works over it.
    #[tokio::test]
    async fn https_without_client_certificate_serves_a_search() {
        let now = time::OffsetDateTime::now_utc();
        let pki = smki::Pki::generate_with_os_rng(now, &PkiNames::default()).unwrap();
        let key = KeyPair::generate_with_os_rng().unwrap();
        let tls_cert = pki
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
            smki::cert_to_pem(&tls_cert).unwrap(),
            pki.dccki_issuing.cert_pem().unwrap()
        );
        let config = server_only_tls_config(&chain, &key.to_pkcs8_pem().unwrap()).unwrap();

        let eui = eui::Eui64::from_u64(0x90B3_D51F_3001_0000);
        let org_key = KeyPair::generate_with_os_rng().unwrap();
        let org = pki
            .oca
            .issue_organisation(&OrgCertRequest {
                common_name: None,
                eui,
                role: RemotePartyRole::Supplier,
                usage: KeyUsage::DigitalSignature,
                public_key: org_key.public_key(),
                serial: Serial::random_with_os_rng().unwrap(),
                not_before: now - time::Duration::days(1),
                not_after: now + time::Duration::days(1),
            })
            .unwrap();
        let rec = smki_service::CertRecord::organisation(&org, Environment::Live, 0).unwrap();
        let store = Arc::new(store::SqliteStore::in_memory().unwrap());
        store
            .smki_transaction(|tx| tx.put_certificate(&rec))
            .unwrap();

        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, rx) = watch::channel(false);
        let server = tokio::spawn(serve(
            store,
            listener,
            Transport::Tls(config),
            system_now_ms,
            ListenerLimits::default(),
            rx,
        ));

        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(rustls::pki_types::CertificateDer::from(
                pki.dccki_root.cert_der().to_vec(),
            ))
            .unwrap();
        let client = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut tls = tokio_rustls::TlsConnector::from(Arc::new(client))
            .connect("localhost".try_into().unwrap(), tcp)
            .await
            .expect("TLS without a client certificate");
        let body = "<CertificateSearchRequest><CertificateSubjectName>90-b3-d5-1f-30-01-00-00\
                    </CertificateSubjectName></CertificateSearchRequest>";
        let req = format!(
            "POST /services/certificatesearch?apikey=x HTTP/1.1\r\nHost: localhost\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        tls.write_all(req.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        let _ = tls.read_to_end(&mut answer).await;
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(
            answer.contains(&format!(
                "<CertificateSerial>{}</CertificateSerial>",
                rec.serial
            )),
            "{answer}"
        );
        let _ = stop.send(true);
        server.await.unwrap().unwrap();
    }
}
