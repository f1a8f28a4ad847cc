//! [`HighLevelClient`]: sends the operations of the catalogue with the
//! token, `Version` header and budget each one needs, retries what may
//! succeed later, logs every attempt, and reads the answers into typed models.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::{HeaderMap, ACCEPT, RETRY_AFTER};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::error::HighLevelError;
use super::operations::{self, Body, Operation, LOCATION_ID};
use super::rate_limit::{RateBudget, RateHeaders, RateLimiter};
use super::request_log::{RequestLog, RequestRecord};
use super::retry::RetryPolicy;
use super::token::AccessToken;

/// The real service.
pub const DEFAULT_BASE_URL: &str = "https://services.leadconnectorhq.com";

/// How long one attempt may take, answer body included.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Path and query parameters of a call, by the names the document uses.
pub type Params = BTreeMap<String, String>;

/// Characters left as they are in a path segment; everything else is escaped
/// so that an id can never add a segment or a query to the path.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A HighLevel v2 client. Cheap to clone; clones share the connection pool,
/// the token source, the budget and the log.
#[derive(Clone)]
pub struct HighLevelClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    timeout: Duration,
    base_url: String,
    token: Arc<dyn AccessToken>,
    limiter: RateLimiter,
    log: Option<RequestLog>,
    retry: RetryPolicy,
}

impl std::fmt::Debug for HighLevelClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HighLevelClient")
            .field("base_url", &self.inner.base_url)
            .field("limiter", &self.inner.limiter)
            .field("request_log", &self.inner.log.is_some())
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// Settings of a [`HighLevelClient`] before it is built.
pub struct HighLevelClientBuilder {
    base_url: String,
    token: Arc<dyn AccessToken>,
    limiter: Option<RateLimiter>,
    log: Option<RequestLog>,
    retry: RetryPolicy,
    timeout: Duration,
    background: bool,
}

impl HighLevelClientBuilder {
    /// The budget to draw from; without one, an in-process budget with
    /// HighLevel's documented limits.
    pub fn rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Where to log every attempt; without one, nothing is logged.
    pub fn request_log(mut self, log: RequestLog) -> Self {
        self.log = Some(log);
        self
    }

    /// Shares through Postgres what every process must agree on: the
    /// location's rate budget (HighLevel's documented limits) and the
    /// request log.
    pub fn shared_through(self, pool: &sqlx::PgPool) -> Self {
        self.rate_limiter(RateLimiter::shared(pool.clone(), RateBudget::default()))
            .request_log(RequestLog::new(pool.clone()))
    }

    /// For work nobody waits on (syncs, polls): its requests leave the rate
    /// budget to people's requests whenever one is waiting.
    pub fn in_background(mut self) -> Self {
        self.background = true;
        self
    }

    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// How long one attempt may take.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn limiter(&self) -> RateLimiter {
        let limiter = self
            .limiter
            .clone()
            .unwrap_or_else(|| RateLimiter::in_process(RateBudget::default()));
        if self.background {
            limiter.in_background()
        } else {
            limiter
        }
    }

    pub fn build(self) -> Result<HighLevelClient, HighLevelError> {
        let limiter = self.limiter();
        Ok(HighLevelClient {
            inner: Arc::new(Inner {
                http: shared_http()?,
                timeout: self.timeout,
                base_url: self.base_url.trim_end_matches('/').to_owned(),
                token: self.token,
                limiter,
                log: self.log,
                retry: self.retry,
            }),
        })
    }
}

/// The HTTP client every HighLevel client of the process sends through:
/// one pool of connections kept open to HighLevel, and its TLS set-up
/// (the root certificates) made once. Building a client for each page that
/// writes to HighLevel took about 18 M instructions, more than rendering it.
fn shared_http() -> Result<reqwest::Client, HighLevelError> {
    static HTTP: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    if let Some(http) = HTTP.get() {
        return Ok(http.clone());
    }
    let http = crate::tls::client_builder()
        .user_agent(concat!("switchboard/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| HighLevelError::Network(error.to_string()))?;
    Ok(HTTP.get_or_init(|| http).clone())
}

/// A call ready to send: the operation, its filled-in path, query and body.
struct Prepared {
    operation: &'static Operation,
    location_id: String,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<Value>,
}

/// An answer as it came, before it is judged.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl HighLevelClient {
    /// Starts a client for `base_url` (e.g. [`DEFAULT_BASE_URL`]) with a token source.
    pub fn builder(
        base_url: impl Into<String>,
        token: impl AccessToken + 'static,
    ) -> HighLevelClientBuilder {
        HighLevelClientBuilder {
            base_url: base_url.into(),
            token: Arc::new(token),
            limiter: None,
            log: None,
            retry: RetryPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
            background: false,
        }
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.inner.limiter
    }

    /// Sends any operation of the catalogue by its operationId. `params` fill
    /// the path placeholders and query parameters; `locationId` defaults to
    /// `location_id`, and so does the `locationId` of a body that needs one.
    pub async fn call(
        &self,
        operation_id: &str,
        location_id: &str,
        params: &Params,
        body: Option<Value>,
    ) -> Result<Value, HighLevelError> {
        let prepared = prepare(operation_id, location_id, params, body)?;
        self.execute(&prepared).await
    }

    /// [`call`](Self::call) with typed parameters, body and answer.
    pub(super) async fn typed<T: DeserializeOwned>(
        &self,
        operation_id: &'static str,
        location_id: &str,
        params: &[(&str, &str)],
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<T, HighLevelError> {
        let params: Params = params
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        let body = body
            .map(serde_json::to_value)
            .transpose()
            .map_err(|error| {
                HighLevelError::Usage(format!("the body of {operation_id}: {error}"))
            })?;
        let answer = self.call(operation_id, location_id, &params, body).await?;
        serde_json::from_value(answer).map_err(|error| HighLevelError::Decode {
            operation: operation_id.to_owned(),
            detail: error.to_string(),
        })
    }

    async fn execute(&self, call: &Prepared) -> Result<Value, HighLevelError> {
        let token = self.inner.token.bearer(&call.location_id).await?;
        let outcome = self.with_retries(call, &token).await;
        if !matches!(outcome, Err(HighLevelError::Unauthorized { .. })) {
            return outcome;
        }
        // A token source that can offer a fresh token (OAuth refresh) gets
        // one more chance; a static token fails right away.
        if !self.inner.token.rejected(&call.location_id).await? {
            return outcome;
        }
        let token = self.inner.token.bearer(&call.location_id).await?;
        self.with_retries(call, &token).await
    }

    async fn with_retries(
        &self,
        call: &Prepared,
        token: &SecretString,
    ) -> Result<Value, HighLevelError> {
        self.inner
            .retry
            .run(|attempt| self.attempt(call, token, attempt))
            .await
    }

    /// One attempt: budget, send, correct the budget, log, judge the answer.
    async fn attempt(
        &self,
        call: &Prepared,
        token: &SecretString,
        attempt: u32,
    ) -> Result<Value, HighLevelError> {
        let grant = self.inner.limiter.acquire(&call.location_id).await?;
        let started = Instant::now();
        let sent = self.send(call, token).await;
        let latency = started.elapsed();
        let reported = sent.as_ref().map_or_else(
            |_| RateHeaders::default(),
            |answer| RateHeaders::from_headers(&answer.headers),
        );
        if let Err(error) = self
            .inner
            .limiter
            .answered(&call.location_id, grant, &reported)
            .await
        {
            tracing::warn!(%error, location_id = %call.location_id, "could not record a HighLevel answer in the rate budget");
        }
        let (status, trace_id, outcome) = match sent {
            Ok(answer) => {
                let trace_id = trace_id(&answer);
                (Some(answer.status.as_u16()), trace_id, judge(call, answer))
            }
            Err(error) => (None, None, Err(error)),
        };
        self.log(RequestRecord {
            location_id: call.location_id.clone(),
            operation_id: call.operation.id.to_owned(),
            method: call.operation.method.to_string(),
            path: call.path.clone(),
            status,
            latency,
            attempt,
            trace_id,
            error_kind: outcome.as_ref().err().map(HighLevelError::kind),
        })
        .await;
        outcome
    }

    async fn send(&self, call: &Prepared, token: &SecretString) -> Result<Answer, HighLevelError> {
        let url = format!("{}{}", self.inner.base_url, call.path);
        let mut request = self
            .inner
            .http
            .request(call.operation.method.clone(), url)
            .bearer_auth(token.expose_secret())
            .header("Version", call.operation.version.as_str())
            .header(ACCEPT, "application/json")
            .timeout(self.inner.timeout);
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport_error)?.to_vec();
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    async fn log(&self, record: RequestRecord) {
        let Some(log) = &self.inner.log else { return };
        if let Err(error) = log.record(&record).await {
            tracing::warn!(%error, "could not write the HighLevel request log");
        }
    }
}

/// Success answers become JSON (an empty body is `null`); others become errors.
fn judge(call: &Prepared, answer: Answer) -> Result<Value, HighLevelError> {
    if !answer.status.is_success() {
        return Err(HighLevelError::from_response(
            answer.status,
            &answer.body,
            call.operation.id,
            call.operation.scope,
            retry_after(&answer.headers),
        ));
    }
    if answer.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&answer.body).map_err(|error| HighLevelError::Decode {
        operation: call.operation.id.to_owned(),
        detail: error.to_string(),
    })
}

/// `Retry-After` in seconds, when the server sends it (the documents do not
/// promise it).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

/// HighLevel's id of the request: a response header, or the body's `traceId`.
fn trace_id(answer: &Answer) -> Option<String> {
    let from_header = ["traceid", "x-trace-id", "trace-id", "x-request-id"]
        .iter()
        .find_map(|name| answer.headers.get(*name)?.to_str().ok());
    if let Some(id) = from_header {
        return Some(id.to_owned());
    }
    let body: Value = serde_json::from_slice(&answer.body).ok()?;
    body.get("traceId")?.as_str().map(str::to_owned)
}

/// Timeouts and connection failures; the URL is dropped from the message
/// because its query can carry an email or phone number.
fn transport_error(error: reqwest::Error) -> HighLevelError {
    if error.is_timeout() {
        return HighLevelError::Timeout;
    }
    let error = error.without_url();
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    HighLevelError::Network(reason)
}

/// Fills in an operation's path, query and body from named parameters,
/// refusing anything the operation does not take.
fn prepare(
    operation_id: &str,
    location_id: &str,
    params: &Params,
    body: Option<Value>,
) -> Result<Prepared, HighLevelError> {
    let operation = operations::find(operation_id).ok_or_else(|| {
        HighLevelError::Usage(format!(
            "{operation_id} is not an operation this client knows; `switchboard api --list` shows them"
        ))
    })?;
    let value_of = |name: &str| {
        params.get(name).cloned().or_else(|| {
            (name == LOCATION_ID && !location_id.is_empty()).then(|| location_id.to_owned())
        })
    };
    reject_unknown_params(operation, params)?;
    let mut path = String::with_capacity(operation.path.len());
    for (index, segment) in operation.path.split('/').enumerate() {
        if index > 0 {
            path.push('/');
        }
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => {
                let value = value_of(name).ok_or_else(|| missing(operation, name))?;
                path.extend(utf8_percent_encode(&value, PATH_SEGMENT));
            }
            None => path.push_str(segment),
        }
    }
    let mut query = Vec::new();
    for param in operation.query {
        match value_of(param.name) {
            Some(value) => query.push((param.name, value)),
            None if param.required => return Err(missing(operation, param.name)),
            None => {}
        }
    }
    Ok(Prepared {
        operation,
        location_id: location_id.to_owned(),
        path,
        query,
        body: prepare_body(operation, location_id, body)?,
    })
}

fn reject_unknown_params(operation: &Operation, params: &Params) -> Result<(), HighLevelError> {
    let known: Vec<&str> = operation
        .path_params()
        .chain(operation.query.iter().map(|param| param.name))
        .collect();
    match params.keys().find(|name| !known.contains(&name.as_str())) {
        None => Ok(()),
        Some(name) if known.is_empty() => Err(HighLevelError::Usage(format!(
            "{} takes no parameters, but {name} was given",
            operation.id
        ))),
        Some(name) => Err(HighLevelError::Usage(format!(
            "{} has no parameter {name}; it takes {}",
            operation.id,
            known.join(", ")
        ))),
    }
}

fn missing(operation: &Operation, name: &str) -> HighLevelError {
    HighLevelError::Usage(format!(
        "{} needs the parameter {name} (--param {name}=...)",
        operation.id
    ))
}

fn prepare_body(
    operation: &Operation,
    location_id: &str,
    body: Option<Value>,
) -> Result<Option<Value>, HighLevelError> {
    match (operation.body, body) {
        (Body::None, None) => Ok(None),
        (Body::None, Some(_)) => Err(HighLevelError::Usage(format!(
            "{} takes no body",
            operation.id
        ))),
        (Body::Json, body) => Ok(Some(
            body.unwrap_or_else(|| Value::Object(Default::default())),
        )),
        (Body::JsonWithLocation, body) => {
            let mut body = body.unwrap_or_else(|| Value::Object(Default::default()));
            let Some(object) = body.as_object_mut() else {
                return Err(HighLevelError::Usage(format!(
                    "the body of {} must be a JSON object",
                    operation.id
                )));
            };
            if !location_id.is_empty() {
                object
                    .entry(LOCATION_ID)
                    .or_insert_with(|| Value::String(location_id.to_owned()));
            }
            Ok(Some(body))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn path_placeholders_are_filled_and_escaped() {
        let prepared = prepare(
            "get-note",
            "loc",
            &params(&[("contactId", "c/1?x"), ("id", "n 2")]),
            None,
        );
        let prepared = prepared.map_err(|e| e.to_string());
        assert_eq!(
            prepared.map(|p| p.path),
            Ok("/contacts/c%2F1%3Fx/notes/n%202".to_owned())
        );
    }

    #[test]
    fn the_location_fills_query_path_and_body() {
        let listed = prepare("get-contacts", "loc-1", &Params::new(), None)
            .map(|p| p.query)
            .map_err(|e| e.to_string());
        assert_eq!(listed, Ok(vec![("locationId", "loc-1".to_owned())]));
        let tags = prepare("get-location-tags", "loc-1", &Params::new(), None)
            .map(|p| p.path)
            .map_err(|e| e.to_string());
        assert_eq!(tags, Ok("/locations/loc-1/tags".to_owned()));
        let created = prepare("create-contact", "loc-1", &Params::new(), None)
            .map(|p| p.body)
            .map_err(|e| e.to_string());
        assert_eq!(
            created,
            Ok(Some(serde_json::json!({"locationId": "loc-1"})))
        );
    }

    #[test]
    fn missing_and_unknown_parameters_are_named() {
        let missing = prepare("get-contact", "loc", &Params::new(), None).err();
        assert!(missing.is_some_and(|e| e.to_string().contains("contactId")));
        let unknown = prepare(
            "get-contact",
            "loc",
            &params(&[("contactId", "c"), ("bogus", "1")]),
            None,
        )
        .err();
        assert!(unknown.is_some_and(|e| e.to_string().contains("bogus")));
        let body = prepare(
            "get-contact",
            "loc",
            &params(&[("contactId", "c")]),
            Some(Value::Null),
        )
        .err();
        assert!(body.is_some_and(|e| e.to_string().contains("no body")));
    }
}
