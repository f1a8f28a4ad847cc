//! The sandbox's simulated apps send what the app's templates describe: for
//! every event type of every app the type is where the template says, every
//! field of the template is in the body, the app's starting mapping reads
//! every body without a problem, and the app signs the way the
//! template expects by default.

use crate::common;
use crate::sandbox_support::Receiver;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::hmac;
use serde_json::{json, Value};
use switchboard::apps::mapping::{self, MappingContext};
use switchboard::apps::templates::paths::values_at;
use switchboard::apps::templates::{template, AppKind, Encoding, EventTypeSource, Signing};
use switchboard_sandbox::{spawn, SandboxConfig};

async fn send(base: &str, app: AppKind, request: Value) -> Value {
    let response = common::http()
        .post(format!("{base}/_sandbox/apps/{}/send", app.key()))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", app.key());
    response.json().await.unwrap()
}

fn event_type_of(
    source: &EventTypeSource,
    headers: &axum::http::HeaderMap,
    body: &Value,
) -> Option<String> {
    match source {
        EventTypeSource::BodyField(path) => values_at(body, path)
            .first()
            .and_then(|value| value.as_str())
            .map(str::to_owned),
        EventTypeSource::Header(name) => headers
            .get(name.as_str())
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
        EventTypeSource::Fixed(name) => Some(name.clone()),
    }
}

#[tokio::test]
async fn simulated_apps_send_what_the_templates_describe() {
    let sandbox = spawn(SandboxConfig {
        contacts: 10,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let base = sandbox.base_url();
    // A team in the US: phone numbers without a country code read as American.
    let context = MappingContext {
        location_id: "loc".into(),
        country: Some("US".into()),
        ..MappingContext::default()
    };
    for kind in AppKind::ALL {
        let template = template(kind);
        for event in &template.events {
            let receiver = Receiver::start(Vec::new()).await;
            let what = format!("{} {}", kind.key(), event.key);
            send(
                &base,
                kind,
                json!({"url": receiver.url, "eventType": event.key, "count": 12}),
            )
            .await;
            let received = receiver.received();
            assert_eq!(received.len(), 12, "{what}");
            for got in received {
                let body = got.json();
                assert_eq!(
                    event_type_of(&template.event_type_from, &got.headers, &body).as_deref(),
                    Some(event.key.as_str()),
                    "{what}"
                );
                for field in &event.fields {
                    assert!(
                        !values_at(&body, &field.path).is_empty(),
                        "{what}: {} is not in {body}",
                        field.path
                    );
                }
                let preview = mapping::preview(&event.starting_mapping(), &body, &context);
                assert_eq!(
                    preview.problems,
                    [],
                    "{what}: the starting mapping over {body}"
                );
            }
        }
    }
}

/// The header value a request signed as `signing` with `secret` carries.
fn expected_signature(signing: &Signing, secret: &str, body: &[u8]) -> Option<(String, String)> {
    match signing {
        Signing::None => None,
        Signing::SecretHeader { header } => Some((header.clone(), secret.to_owned())),
        Signing::HmacSha256 {
            header,
            encoding,
            prefix,
        } => {
            let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
            let tag = hmac::sign(&key, body);
            let encoded = match encoding {
                Encoding::Hex => tag.as_ref().iter().map(|b| format!("{b:02x}")).collect(),
                Encoding::Base64 => STANDARD.encode(tag.as_ref()),
            };
            Some((header.clone(), format!("{prefix}{encoded}")))
        }
    }
}

#[tokio::test]
async fn simulated_apps_sign_as_the_templates_expect_by_default() {
    let sandbox = spawn(SandboxConfig {
        contacts: 10,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let base = sandbox.base_url();
    for kind in AppKind::ALL {
        let signing = template(kind).signing;
        let mode = serde_json::to_value(&signing).unwrap()["mode"].clone();
        let receiver = Receiver::start(Vec::new()).await;
        send(
            &base,
            kind,
            json!({"url": receiver.url, "signing": {"mode": mode, "secret": "shared-secret"}}),
        )
        .await;
        let got = &receiver.received()[0];
        let (header, value) = expected_signature(&signing, "shared-secret", &got.body)
            .unwrap_or_else(|| panic!("{} signs", kind.key()));
        assert_eq!(
            got.headers
                .get(header.as_str())
                .and_then(|v| v.to_str().ok()),
            Some(value.as_str()),
            "{}",
            kind.key()
        );
    }
}
