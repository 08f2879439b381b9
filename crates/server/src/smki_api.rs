//! The SMKI service interface for Authorised Subscribers, on the gateway's mutually
//! authenticated TLS listener under `/smki/v1/`.
//!
//! The subscriber is the party its DCCKI TLS client certificate names (as for DUIS). Over
//! `--plain-http` there is no authenticated identity, so these endpoints answer 403 and do
//! nothing: certificates are only issued to a party that proved who it is.
//!
//! | request | body | answer |
//! | --- | --- | --- |
//! | `POST /smki/v1/csr` | one CSR, PEM or DER (≤ 16 KiB) | 200, the certificate (PEM) |
//! | `POST /smki/v1/batch` | 1 to 49,999 device CSRs, concatenated PEM (≤ 48 MiB) | 202, `{"batch":ID,"total":N}` |
//! | `GET /smki/v1/batch/ID` | | progress `{"id","total","done","issued","refused","finished"}` |
//! | `GET /smki/v1/batch/ID/results` | | `[{"index":0,"serial":"…"} or {"index":1,"refused":"rule …"}]` |
//! | `GET /smki/v1/certificate/SERIAL` | | the certificate (PEM) |
//! | `GET /smki/v1/search?eui=EUI` | | the certificates whose subject is EUI (JSON) |
//! | `POST /smki/v1/forecast` | `{"months":[{"month":"2027-01","count":N},…]}` | 204 |
//! | `GET /smki/v1/forecast/report` | | demand against forecast (JSON) |
//!
//! Refusals are 4xx with the rule in the text; nothing is stored for them. A batch is only
//! visible to the subscriber that submitted it.

use std::sync::Arc;

use eui::Eui64;
use serde_json::{Value, json};
use smki::Serial;
use smki_service::batch::{self, ItemOutcome, SubmitError};
use smki_service::forecasts::{self, ForecastError, YearMonth};
use smki_service::issuance::{self, IssueError};
use smki_service::{Environment, SmkiStore, SmkiTx, StoreError};
use time::OffsetDateTime;
use tokio::sync::watch;
use tracing::{info, warn};

/// Largest single-CSR body.
pub const MAX_CSR_BODY: usize = 16 * 1024;
/// Largest batch body: 49,999 PEM CSRs of about 600 bytes, with room.
pub const MAX_BATCH_BODY: usize = 48 * 1024 * 1024;
/// CSRs processed per background transaction (see [`batch::CHUNK`]).
pub const CHUNK: usize = batch::CHUNK;

/// An answer: status, content type, body.
pub struct ApiAnswer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

fn text(status: u16, msg: impl std::fmt::Display) -> ApiAnswer {
    ApiAnswer {
        status,
        content_type: "text/plain; charset=utf-8",
        body: format!("{msg}\n").into_bytes(),
    }
}

fn json_answer(status: u16, v: &Value) -> ApiAnswer {
    ApiAnswer {
        status,
        content_type: "application/json",
        body: v.to_string().into_bytes(),
    }
}

fn pem(der: &[u8]) -> ApiAnswer {
    match smki::cert_to_pem(der) {
        Ok(p) => ApiAnswer {
            status: 200,
            content_type: "application/x-pem-file",
            body: p.into_bytes(),
        },
        Err(e) => text(500, e),
    }
}

/// What the listener hands SMKI requests to.
pub trait SmkiHandler: Send + Sync + 'static {
    /// The body limit for a request to `path`.
    fn body_limit(&self, path: &str) -> usize;
    /// Answers one request (blocking: call from a blocking thread).
    fn handle(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        identity: Option<Eui64>,
        body: &[u8],
    ) -> ApiAnswer;
}

/// The SMKI service of one environment on a store, answering under its own prefix
/// ([`LIVE_PREFIX`] or [`TEST_PREFIX`]).
pub struct SmkiApi<S: SmkiStore> {
    store: Arc<S>,
    env: Environment,
    prefix: &'static str,
}

impl<S: SmkiStore> SmkiApi<S> {
    pub fn new(store: Arc<S>, env: Environment) -> Self {
        let prefix = match env {
            Environment::Live => LIVE_PREFIX,
            Environment::Test => TEST_PREFIX,
        };
        Self { store, env, prefix }
    }
}

fn store_fail(e: &StoreError) -> ApiAnswer {
    warn!(error = %e, "SMKI store failure");
    text(
        503,
        "the SMKI service could not complete the request; try again",
    )
}

/// The live SMKI service under `/smki/v1/` and the SMKI test service under `/smki/test/v1/` (SEC
/// L: test certificates, chaining to the test roots, from a service of their own), on one
/// listener. Each answers only from its own environment's CAs and repository.
pub struct SmkiServices<S: SmkiStore> {
    live: SmkiApi<S>,
    test: SmkiApi<S>,
}

/// Where the live SMKI service's interface starts.
pub const LIVE_PREFIX: &str = "/smki/v1/";
/// Where the SMKI test service's interface starts.
pub const TEST_PREFIX: &str = "/smki/test/v1/";

impl<S: SmkiStore> SmkiServices<S> {
    pub fn new(store: Arc<S>) -> Self {
        Self {
            live: SmkiApi::new(store.clone(), Environment::Live),
            test: SmkiApi::new(store, Environment::Test),
        }
    }

    /// The service a path belongs to.
    fn route(&self, path: &str) -> &SmkiApi<S> {
        if path.starts_with(TEST_PREFIX) {
            &self.test
        } else {
            &self.live
        }
    }
}

impl<S: SmkiStore> SmkiHandler for SmkiServices<S> {
    fn body_limit(&self, path: &str) -> usize {
        self.route(path).body_limit(path)
    }

    fn handle(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        identity: Option<Eui64>,
        body: &[u8],
    ) -> ApiAnswer {
        self.route(path).handle(method, path, query, identity, body)
    }
}

/// Splits concatenated PEM CSRs into DER; an unreadable block refuses the whole body.
pub fn split_pem_csrs(body: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let text =
        std::str::from_utf8(body).map_err(|_| "the batch body is not PEM text".to_string())?;
    let mut out = Vec::new();
    let mut rest = text;
    const END: &str = "-----END CERTIFICATE REQUEST-----";
    while let Some(start) = rest.find("-----BEGIN") {
        let tail = &rest[start..];
        let Some(end) = tail.find(END) else {
            return Err(format!("PEM block {} has no END line", out.len()));
        };
        let block = &tail[..end + END.len()];
        out.push(
            smki::csr::csr_from_pem(block).map_err(|e| format!("PEM block {}: {e}", out.len()))?,
        );
        if out.len() > batch::MAX_BATCH {
            return Err(format!(
                "rule batch-size: a batch holds 1 to {} CSRs; this one holds more",
                batch::MAX_BATCH
            ));
        }
        rest = &tail[end + END.len()..];
    }
    if !rest.trim().is_empty() {
        return Err("text after the last PEM block".into());
    }
    Ok(out)
}

impl<S: SmkiStore> SmkiHandler for SmkiApi<S> {
    fn body_limit(&self, path: &str) -> usize {
        if path.strip_prefix(self.prefix) == Some("batch") {
            MAX_BATCH_BODY
        } else {
            MAX_CSR_BODY
        }
    }

    fn handle(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        identity: Option<Eui64>,
        body: &[u8],
    ) -> ApiAnswer {
        let Some(who) = identity else {
            return text(
                403,
                "the SMKI service interface needs a DCCKI client certificate (mutually \
                 authenticated TLS); it is not offered over plain HTTP",
            );
        };
        let now = OffsetDateTime::now_utc();
        let parts: Vec<&str> = path.trim_start_matches(self.prefix).split('/').collect();
        let answer = match (method, parts.as_slice()) {
            ("POST", ["csr"]) => self.single(who, body, now),
            ("POST", ["batch"]) => self.submit_batch(who, body, now),
            ("GET", ["batch", id]) => self.batch_status(who, id),
            ("GET", ["batch", id, "results"]) => self.batch_results(who, id),
            ("GET", ["certificate", serial]) => self.fetch(serial),
            ("GET", ["search"]) => self.search(query),
            ("POST", ["forecast"]) => self.forecast(who, body, now),
            ("GET", ["forecast", "report"]) => self.report(who),
            (_, ["csr" | "batch" | "forecast" | "search" | "certificate", ..]) => {
                text(405, format!("{method} is not allowed on {path}"))
            }
            _ => text(404, format!("no SMKI endpoint {path}")),
        };
        info!(subscriber = %who, method, path, status = answer.status, "SMKI request");
        answer
    }
}

impl<S: SmkiStore> SmkiApi<S> {
    fn single(&self, who: Eui64, body: &[u8], now: OffsetDateTime) -> ApiAnswer {
        let der = match smki::csr::csr_der_of(body) {
            Ok(d) => d,
            Err(e) => return text(400, format!("rule csr: {e}")),
        };
        let serial = match Serial::random_with_os_rng() {
            Ok(s) => s,
            Err(e) => return text(500, e),
        };
        match self
            .store
            .smki_transaction(|tx| issuance::issue(tx, self.env, who, &der, serial, now))
        {
            Ok(i) => pem(&i.record.der),
            Err(IssueError::Store(e)) => store_fail(&e),
            Err(e @ IssueError::Refused(_)) => text(403, e),
            Err(e) if e.is_requesters_fault() => text(400, e),
            Err(e) => text(500, e),
        }
    }

    fn submit_batch(&self, who: Eui64, body: &[u8], now: OffsetDateTime) -> ApiAnswer {
        let csrs = match split_pem_csrs(body) {
            Ok(c) => c,
            Err(e) => return text(400, e),
        };
        let at = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
        match self
            .store
            .smki_transaction(|tx| batch::submit(tx, self.env, who, &csrs, at))
        {
            Ok(b) => json_answer(202, &json!({"batch": b.id, "total": b.total})),
            Err(SubmitError::Store(e)) => store_fail(&e),
            Err(e @ SubmitError::Refused(_)) => text(403, e),
            Err(e) => text(400, e),
        }
    }

    fn own_batch(
        &self,
        tx: &mut dyn SmkiTx,
        who: Eui64,
        id: &str,
    ) -> Result<Option<batch::BatchRecord>, StoreError> {
        let Ok(id) = id.parse::<i64>() else {
            return Ok(None);
        };
        // A batch is the submitting subscriber's, in the service (live or test) it was sent to.
        Ok(tx
            .batch(id)?
            .filter(|b| b.subscriber == who && b.environment == self.env))
    }

    fn batch_status(&self, who: Eui64, id: &str) -> ApiAnswer {
        match self
            .store
            .smki_transaction(|tx| self.own_batch(tx, who, id))
        {
            Ok(Some(b)) => json_answer(
                200,
                &json!({"id": b.id, "total": b.total, "done": b.done, "issued": b.issued,
                        "refused": b.refused, "finished": b.finished()}),
            ),
            Ok(None) => text(404, format!("no batch {id} of {who}")),
            Err(e) => store_fail(&e),
        }
    }

    fn batch_results(&self, who: Eui64, id: &str) -> ApiAnswer {
        let r = self.store.smki_transaction(|tx| -> Result<_, StoreError> {
            match self.own_batch(tx, who, id)? {
                Some(b) => Ok(Some(tx.batch_results(b.id)?)),
                None => Ok(None),
            }
        });
        match r {
            Ok(Some(items)) => {
                let v: Vec<Value> = items
                    .iter()
                    .map(|i| match &i.outcome {
                        ItemOutcome::Issued(s) => json!({"index": i.index, "serial": s}),
                        ItemOutcome::Refused(r) => json!({"index": i.index, "refused": r}),
                        ItemOutcome::Pending => json!({"index": i.index, "pending": true}),
                    })
                    .collect();
                json_answer(200, &Value::Array(v))
            }
            Ok(None) => text(404, format!("no batch {id} of {who}")),
            Err(e) => store_fail(&e),
        }
    }

    fn fetch(&self, serial: &str) -> ApiAnswer {
        let Some(s) = smki_service::model::canonical_serial_hex(serial) else {
            return text(400, format!("{serial:?} is not a hex serial number"));
        };
        match self.store.smki_transaction(|tx| tx.certificate(&s)) {
            Ok(Some(c)) if c.environment == self.env => pem(&c.der),
            Ok(_) => text(404, format!("no {} certificate with serial {s}", self.env)),
            Err(e) => store_fail(&e),
        }
    }

    fn search(&self, query: Option<&str>) -> ApiAnswer {
        let eui = query
            .unwrap_or("")
            .split('&')
            .find_map(|kv| kv.strip_prefix("eui="))
            .and_then(|v| v.parse::<Eui64>().ok());
        let Some(eui) = eui else {
            return text(400, "give ?eui=<EUI-64>");
        };
        match self
            .store
            .smki_transaction(|tx| tx.certificates_by_subject(eui))
        {
            Ok(list) => {
                let v: Vec<Value> = list
                    .iter()
                    .filter(|c| c.environment == self.env)
                    .map(|c| {
                        json!({"serial": c.serial, "kind": c.kind.as_str(), "usage": c.usage.as_str(),
                           "status": c.status.as_str(), "subscriber": c.subscriber.map(|s| s.to_string()),
                           "issued_at": c.issued_at})
                    })
                    .collect();
                json_answer(200, &Value::Array(v))
            }
            Err(e) => store_fail(&e),
        }
    }

    fn forecast(&self, who: Eui64, body: &[u8], now: OffsetDateTime) -> ApiAnswer {
        let parsed: Result<Vec<(YearMonth, u64)>, String> = (|| {
            let v: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
            let months = v
                .get("months")
                .and_then(Value::as_array)
                .ok_or("expected {\"months\":[{\"month\":\"YYYY-MM\",\"count\":N},…]}")?;
            months
                .iter()
                .map(|m| {
                    let ym = m
                        .get("month")
                        .and_then(Value::as_str)
                        .and_then(YearMonth::parse)
                        .ok_or("each entry needs \"month\": \"YYYY-MM\"")?;
                    let n = m
                        .get("count")
                        .and_then(Value::as_u64)
                        .ok_or("each entry needs \"count\": a whole number")?;
                    Ok((ym, n))
                })
                .collect()
        })();
        let months = match parsed {
            Ok(m) => m,
            Err(e) => return text(400, format!("forecast: {e}")),
        };
        match self
            .store
            .smki_transaction(|tx| forecasts::submit(tx, who, &months, now))
        {
            Ok(()) => ApiAnswer {
                status: 204,
                content_type: "text/plain; charset=utf-8",
                body: Vec::new(),
            },
            Err(ForecastError::Store(e)) => store_fail(&e),
            Err(e @ ForecastError::NotDeviceSubscriber(_)) => text(403, e),
            Err(e) => text(400, e),
        }
    }

    fn report(&self, who: Eui64) -> ApiAnswer {
        match self
            .store
            .smki_transaction(|tx| forecasts::report(tx, self.env))
        {
            Ok(lines) => {
                let v: Vec<Value> = lines
                    .iter()
                    .filter(|l| l.subscriber == who)
                    .map(|l| {
                        json!({"month": l.month.to_string(), "forecast": l.forecast,
                               "issued": l.issued, "percent": l.percent()})
                    })
                    .collect();
                json_answer(200, &Value::Array(v))
            }
            Err(e) => store_fail(&e),
        }
    }
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// The background batch worker: processes pending batches in chunks of [`CHUNK`] CSRs, one
/// transaction each, until `shutdown` turns true. A batch interrupted by a stop resumes where it
/// was on the next start (its state is in the store).
pub async fn run_batch_worker<S: SmkiStore>(store: Arc<S>, mut shutdown: watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        let s = store.clone();
        let worked = tokio::task::spawn_blocking(move || -> Result<bool, StoreError> {
            let ids = s.smki_transaction(|tx| tx.unfinished_batches())?;
            let Some(id) = ids.first().copied() else {
                return Ok(false);
            };
            let mut serial = Serial::random_with_os_rng;
            let b = s.smki_transaction(|tx| {
                batch::process_chunk(
                    tx,
                    id,
                    CHUNK,
                    threads(),
                    &mut serial,
                    OffsetDateTime::now_utc(),
                )
            })?;
            if let Some(b) = b.filter(|b| b.finished()) {
                info!(
                    batch = b.id,
                    issued = b.issued,
                    refused = b.refused,
                    "SMKI batch finished"
                );
            }
            Ok(true)
        })
        .await;
        let busy = match worked {
            Ok(Ok(w)) => w,
            Ok(Err(e)) => {
                warn!(error = %e, "SMKI batch worker");
                false
            }
            Err(e) => {
                warn!(error = %e, "SMKI batch worker task failed");
                false
            }
        };
        if !busy {
            tokio::select! {
                _ = shutdown.changed() => {}
                () = tokio::time::sleep(std::time::Duration::from_millis(100)) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_splitting() {
        let k = smki::KeyPair::generate_with_os_rng().unwrap_or_else(|_| unreachable!());
        let der = smki::csr::build_device_csr(&k, Eui64::from_u64(7), smki::KeyUsage::KeyAgreement)
            .unwrap_or_default();
        let one = smki::csr::csr_to_pem(&der).unwrap_or_default();
        let body = format!("{one}\n{one}");
        assert_eq!(split_pem_csrs(body.as_bytes()).map(|v| v.len()), Ok(2));
        assert!(split_pem_csrs(b"junk").is_err());
        assert!(split_pem_csrs(format!("{one}junk").as_bytes()).is_err());
        assert!(split_pem_csrs(&one.as_bytes()[..one.len() - 20]).is_err());
        assert_eq!(split_pem_csrs(b"").map(|v| v.len()), Ok(0));
        // 49,999 is the most a batch holds; one more is refused with the rule.
        let most = format!("{one}\n").repeat(batch::MAX_BATCH);
        assert_eq!(
            split_pem_csrs(most.as_bytes()).map(|v| v.len()),
            Ok(batch::MAX_BATCH)
        );
        let over = format!("{most}{one}");
        let e = split_pem_csrs(over.as_bytes()).unwrap_err();
        assert!(e.contains("batch-size"), "{e}");
    }
}
