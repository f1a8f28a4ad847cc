//! Sample events in sandbox mode: the sandbox's simulated app sends one
//! event to a connection's own webhook URL, signed as the connection's form
//! says, so a team sees what a real one looks like without the real app.
//!
//! The connection's secret is opened here and goes only to the simulated
//! app, on this machine; nothing it answers that could hold the secret (the
//! headers it sent) is passed on.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{json, Value};

use super::connections::store::Connection;
use super::connections::Signing;
use crate::auth::vault::{Vault, VaultError};

/// The simulated app waits up to 10 s for the door; this leaves it room.
const TIMEOUT: Duration = Duration::from_secs(20);
/// Enough of an answer to read what it says.
const MAX_MESSAGE_CHARS: usize = 500;

/// Where to send, and which app sends.
pub struct SampleRequest<'a> {
    /// The sandbox's base URL (`{public url}/sandbox`).
    pub sandbox_base: &'a str,
    pub webhook_url: &'a str,
    pub connection: &'a Connection,
    pub event_type: &'a str,
}

/// What the door answered the simulated app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorAnswer {
    /// `None` when the simulated app could not reach the door.
    pub status: Option<u16>,
    /// The door's message, or why it could not be reached.
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    #[error("the connection's secret could not be opened: {0}")]
    Vault(#[from] VaultError),
    /// The simulated app could not be asked, or refused the request.
    #[error("{0}")]
    Sandbox(String),
}

/// Asks the simulated app of the connection's kind to send one event of
/// `event_type` to the connection's webhook URL.
pub async fn send(
    http: &reqwest::Client,
    vault: &Vault,
    request: &SampleRequest<'_>,
) -> Result<DoorAnswer, SampleError> {
    let secret = request.connection.secret(vault)?;
    let url = format!(
        "{}/_sandbox/apps/{}/send",
        request.sandbox_base, request.connection.app
    );
    let body = json!({
        "url": request.webhook_url,
        "eventType": request.event_type,
        "count": 1,
        "signing": signing(&request.connection.signing, &secret),
    });
    let response = http
        .post(&url)
        .timeout(TIMEOUT)
        .json(&body)
        .send()
        .await
        .map_err(|error| SampleError::Sandbox(format!("The sandbox did not answer: {error}.")))?;
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        let message = answer["message"]
            .as_str()
            .or_else(|| answer["error"].as_str())
            .unwrap_or("no reason given");
        return Err(SampleError::Sandbox(redacted(
            &format!("The simulated app refused to send ({status}): {message}"),
            &secret,
        )));
    }
    let delivery: Delivery = answer["deliveries"]
        .get(0)
        .cloned()
        .and_then(|delivery| serde_json::from_value(delivery).ok())
        .ok_or_else(|| SampleError::Sandbox("The simulated app sent nothing.".into()))?;
    Ok(delivery.into_answer(&secret))
}

/// `signing` of the simulated app's send request: the connection's own way.
fn signing(signing: &Signing, secret: &SecretString) -> Value {
    match signing {
        Signing::SecretHeader { header } => json!({
            "mode": "secret_header",
            "header": header,
            "secret": secret.expose_secret(),
        }),
        Signing::HmacSha256 {
            header,
            encoding,
            prefix,
        } => json!({
            "mode": "hmac_sha256",
            "header": header,
            "secret": secret.expose_secret(),
            "encoding": encoding.key(),
            "prefix": prefix,
        }),
    }
}

/// One delivery of the simulated app's answer; what it sent is left out.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Delivery {
    status: Option<u16>,
    response_body: Option<String>,
    error: Option<String>,
}

impl Delivery {
    fn into_answer(self, secret: &SecretString) -> DoorAnswer {
        let message = match (self.error, self.response_body) {
            (Some(error), _) => error,
            (None, Some(body)) => serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|answer| answer["message"].as_str().map(str::to_owned))
                .unwrap_or(body),
            (None, None) => String::new(),
        };
        DoorAnswer {
            status: self.status,
            message: redacted(&message, secret)
                .chars()
                .take(MAX_MESSAGE_CHARS)
                .collect(),
        }
    }
}

/// `text` with the secret, should it appear, blacked out: what is shown
/// must never carry it.
fn redacted(text: &str, secret: &SecretString) -> String {
    let secret = secret.expose_secret();
    if secret.is_empty() {
        return text.to_owned();
    }
    text.replace(secret, "••••")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apps::connections::Encoding;

    #[test]
    fn the_simulated_app_is_told_to_sign_as_the_form_says() {
        let secret = SecretString::from("s3cret");
        let hmac = Signing::HmacSha256 {
            header: "X-Clubworx-Signature".into(),
            encoding: Encoding::Base64,
            prefix: "sha256=".into(),
        };
        assert_eq!(
            signing(&hmac, &secret),
            json!({"mode": "hmac_sha256", "header": "X-Clubworx-Signature", "secret": "s3cret",
                   "encoding": "base64", "prefix": "sha256="})
        );
        let header = Signing::SecretHeader {
            header: "X-Token".into(),
        };
        assert_eq!(
            signing(&header, &secret),
            json!({"mode": "secret_header", "header": "X-Token", "secret": "s3cret"})
        );
    }

    #[test]
    fn an_answer_never_carries_the_secret_nor_what_was_sent() {
        let secret = SecretString::from("s3cret");
        let delivery = Delivery {
            status: Some(401),
            response_body: Some(r#"{"error":"bad_signature","message":"not s3cret"}"#.into()),
            error: None,
        };
        assert_eq!(
            delivery.into_answer(&secret),
            DoorAnswer {
                status: Some(401),
                message: "not ••••".into()
            }
        );
        let unreachable = Delivery {
            status: None,
            response_body: None,
            error: Some("connection refused".into()),
        };
        assert_eq!(
            unreachable.into_answer(&secret).message,
            "connection refused"
        );
    }
}
