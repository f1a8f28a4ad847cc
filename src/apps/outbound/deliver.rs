//! Sends one delivery: a signed JSON POST to a connection's base URL, and
//! what came of it in plain words. The client's resolver is the guard's,
//! redirects are never followed (a redirect could lead anywhere), and no
//! proxy from the environment is used, so the address checked is the
//! address connected to.

use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderName, HeaderValue, CONTENT_TYPE, LOCATION};
use reqwest::{Response, Url};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use super::base_url::BaseUrl;
use super::guard::{GuardedResolver, Reach, Refusal};
use super::model::DeliveryOutcome;
use crate::apps::connections::signing::sign;
use crate::apps::connections::Encoding;

/// The HMAC-SHA256 of the raw body, as `sha256=<hex>`.
pub const SIGNATURE_HEADER: &str = "x-switchboard-signature";
/// A new id for every delivery, so the app can tell repeats apart.
pub const DELIVERY_HEADER: &str = "x-switchboard-delivery";
/// The same key on every try of one delivery, so the app keeps it once.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
/// Most of an answer read; the rest is left unread.
const ANSWER_BYTES: usize = 64 * 1024;
/// How much of an answer is shown.
const EXCERPT_BYTES: usize = 2 * 1024;

/// How a delivery signs in to the app.
pub enum Auth {
    None,
    Bearer(SecretString),
    Header {
        name: HeaderName,
        value: SecretString,
    },
    /// `user:password`.
    Basic(SecretString),
}

/// Where and how one connection's deliveries go, secrets opened.
pub struct Target {
    pub base_url: BaseUrl,
    pub auth: Auth,
    pub signing_secret: SecretString,
    pub timeout: Duration,
}

/// Whether a delivery sets `name` itself, so that a sign-in header may not.
pub fn sets_header(name: &HeaderName) -> bool {
    [
        CONTENT_TYPE,
        reqwest::header::CONTENT_LENGTH,
        reqwest::header::HOST,
        reqwest::header::USER_AGENT,
        reqwest::header::TRANSFER_ENCODING,
        reqwest::header::CONNECTION,
    ]
    .contains(name)
        || [SIGNATURE_HEADER, DELIVERY_HEADER, IDEMPOTENCY_HEADER].contains(&name.as_str())
}

/// Sends deliveries, to the addresses its reach allows only.
#[derive(Debug, Clone)]
pub struct Courier {
    client: reqwest::Client,
    reach: Reach,
}

impl Courier {
    pub fn new(reach: Reach) -> reqwest::Result<Self> {
        crate::tls::install_crypto_provider();
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(GuardedResolver(reach)))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent("Switchboard")
            .build()?;
        Ok(Self { client, reach })
    }

    pub fn reach(&self) -> Reach {
        self.reach
    }

    /// POSTs `body` to the target's base URL + `path`.
    pub async fn deliver(&self, target: &Target, path: &str, body: &Value) -> DeliveryOutcome {
        self.deliver_keyed(target, path, body, None).await
    }

    /// [`deliver`](Self::deliver) with an `Idempotency-Key`, the same on
    /// every try of what is one delivery to the app.
    pub async fn deliver_once(
        &self,
        target: &Target,
        path: &str,
        body: &Value,
        key: &str,
    ) -> DeliveryOutcome {
        self.deliver_keyed(target, path, body, Some(key)).await
    }

    async fn deliver_keyed(
        &self,
        target: &Target,
        path: &str,
        body: &Value,
        key: Option<&str>,
    ) -> DeliveryOutcome {
        let started = Instant::now();
        let id = uuid::Uuid::new_v4();
        let outcome = match self.send(target, path, body, id, key).await {
            Ok(response) => answered(response, started).await,
            Err(problem) => failed(problem, started),
        };
        tracing::info!(
            delivery = %id,
            host = target.base_url.host(),
            status = outcome.status,
            duration_ms = outcome.duration_ms,
            delivered = outcome.delivered(),
            "sent a delivery to an app"
        );
        outcome
    }

    async fn send(
        &self,
        target: &Target,
        path: &str,
        body: &Value,
        id: uuid::Uuid,
        key: Option<&str>,
    ) -> Result<Response, String> {
        let url = target.base_url.join(path)?;
        // An address in the URL never reaches the resolver: check it here.
        if let Some(address) = target.base_url.ip() {
            self.reach
                .check(target.base_url.host(), address)
                .map_err(|refusal| refusal.to_string())?;
        }
        let body = serde_json::to_vec(body).map_err(|error| error.to_string())?;
        let request = self
            .client
            .post(url.clone())
            .timeout(target.timeout)
            .header(CONTENT_TYPE, "application/json")
            .header(
                SIGNATURE_HEADER,
                sign(
                    target.signing_secret.expose_secret(),
                    Encoding::Hex,
                    "sha256=",
                    &body,
                ),
            )
            .header(DELIVERY_HEADER, id.to_string())
            .body(body);
        let request = match key {
            Some(key) => request.header(IDEMPOTENCY_HEADER, key),
            None => request,
        };
        signed_in(request, &target.auth)?
            .send()
            .await
            .map_err(|error| why_not_sent(&error, &url, target.timeout))
    }
}

fn signed_in(
    request: reqwest::RequestBuilder,
    auth: &Auth,
) -> Result<reqwest::RequestBuilder, String> {
    Ok(match auth {
        Auth::None => request,
        Auth::Bearer(token) => request.bearer_auth(token.expose_secret()),
        Auth::Basic(pair) => {
            let (user, password) = pair
                .expose_secret()
                .split_once(':')
                .ok_or("The sign-in is not user:password.")?;
            request.basic_auth(user, Some(password))
        }
        Auth::Header { name, value } => {
            let mut value = HeaderValue::from_str(value.expose_secret())
                .map_err(|_| "The sign-in header's value cannot be sent in a header.")?;
            value.set_sensitive(true);
            request.header(name, value)
        }
    })
}

/// The app answered: its status and the start of its answer. Only a 2xx
/// status is a delivery.
async fn answered(mut response: Response, started: Instant) -> DeliveryOutcome {
    let status = response.status();
    let redirect = response
        .headers()
        .get(LOCATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let (kept, unread) = match read_start(&mut response).await {
        Ok(kept) => (kept, None),
        Err(error) => (Vec::new(), Some(error)),
    };
    let error = if status.is_redirection() {
        Some(format!(
            "The app answered {status} with a redirect{}; Switchboard does not follow redirects.",
            redirect.map(|to| format!(" to {to}")).unwrap_or_default()
        ))
    } else if !status.is_success() {
        Some(format!("The app answered {status}."))
    } else {
        unread.map(|error| {
            format!(
                "The app answered {status} but its answer could not be read: {}.",
                deepest(&error)
            )
        })
    };
    DeliveryOutcome {
        status: Some(status.as_u16()),
        body_excerpt: excerpt(&kept),
        duration_ms: milliseconds_since(started),
        error,
    }
}

fn failed(problem: String, started: Instant) -> DeliveryOutcome {
    DeliveryOutcome {
        status: None,
        body_excerpt: String::new(),
        duration_ms: milliseconds_since(started),
        error: Some(problem),
    }
}

fn milliseconds_since(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The answer's first [`ANSWER_BYTES`].
async fn read_start(response: &mut Response) -> reqwest::Result<Vec<u8>> {
    let mut kept = Vec::new();
    while kept.len() < ANSWER_BYTES {
        let Some(chunk) = response.chunk().await? else {
            break;
        };
        let room = ANSWER_BYTES - kept.len();
        kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok(kept)
}

/// The first [`EXCERPT_BYTES`] as text, not cutting a character in two.
fn excerpt(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(EXCERPT_BYTES)];
    let whole = match std::str::from_utf8(cut) {
        Err(error) if error.error_len().is_none() => &cut[..error.valid_up_to()],
        _ => cut,
    };
    String::from_utf8_lossy(whole).into_owned()
}

/// Why a request got no answer, in plain words.
fn why_not_sent(error: &reqwest::Error, url: &Url, timeout: Duration) -> String {
    let place = format!(
        "{}:{}",
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or_default()
    );
    if let Some(refusal) = causes(error).find_map(|cause| cause.downcast_ref::<Refusal>()) {
        return refusal.to_string();
    }
    if error.is_timeout() {
        return format!(
            "Timed out: the app did not answer within {} s.",
            timeout.as_secs()
        );
    }
    if let Some(tls) = causes(error).find_map(|cause| cause.downcast_ref::<rustls::Error>()) {
        return format!("The secure connection (TLS) to {place} failed: {tls}.");
    }
    let refused = causes(error).any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
    });
    if refused {
        return format!("Connection refused: nothing answers at {place}.");
    }
    if error.is_connect() {
        return format!(
            "Switchboard could not connect to {place}: {}.",
            deepest(error)
        );
    }
    format!("The delivery failed: {}.", deepest(error))
}

/// `error` and its causes, looking inside I/O errors, which hide theirs.
fn causes<'a>(error: &'a (dyn Error + 'static)) -> impl Iterator<Item = &'a (dyn Error + 'static)> {
    std::iter::successors(Some(error), |&error| {
        let inner = error
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .map(|inner| inner as &(dyn Error + 'static));
        inner.or_else(|| error.source())
    })
}

/// The innermost cause's words: the most specific.
fn deepest(error: &(dyn Error + 'static)) -> String {
    causes(error)
        .last()
        .map(ToString::to_string)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_is_two_kilobytes_of_whole_characters() {
        assert_eq!(excerpt(b"ok"), "ok");
        let long = "é".repeat(EXCERPT_BYTES);
        let cut = excerpt(long.as_bytes());
        assert_eq!(cut.len(), EXCERPT_BYTES);
        let odd = format!("a{long}");
        assert_eq!(excerpt(odd.as_bytes()).len(), EXCERPT_BYTES - 1);
        assert_eq!(excerpt(&[0xff, b'a']), "\u{fffd}a");
    }

    #[test]
    fn sign_in_headers_may_not_replace_what_a_delivery_sets() {
        for taken in [
            "content-type",
            "user-agent",
            "host",
            SIGNATURE_HEADER,
            DELIVERY_HEADER,
        ] {
            assert!(sets_header(&HeaderName::from_static(taken)), "{taken}");
        }
        assert!(!sets_header(&HeaderName::from_static("x-api-key")));
        assert!(!sets_header(&reqwest::header::AUTHORIZATION));
    }
}
