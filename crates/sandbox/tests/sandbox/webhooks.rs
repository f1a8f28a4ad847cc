//! Webhooks of the sandbox: the documented events and payloads for every
//! change (checked against the schemas of the event documentation pages),
//! both signatures, retries on 429 only, and redirects never followed.

use crate::support as sandbox_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::routing::{any, post};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::Method;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::sha2::Sha256;
use rsa::signature::Verifier;
use serde_json::{json, Value};
use switchboard_sandbox::{self as sandbox, SandboxConfig};

use sandbox_support::*;

async fn start_with_receiver(script: Vec<u16>) -> (Api, Receiver) {
    let receiver = Receiver::start(script).await;
    let api = start_with(SandboxConfig {
        webhook_url: Some(receiver.url.clone()),
        ..test_config()
    })
    .await;
    (api, receiver)
}

fn verify_rsa(body: &[u8], signature: &str) -> bool {
    let key = rsa::RsaPublicKey::from_public_key_pem(sandbox::rsa_public_key_pem()).unwrap();
    let verifier = VerifyingKey::<Sha256>::new(key);
    let bytes = STANDARD.decode(signature).unwrap();
    let signature = Signature::try_from(bytes.as_slice()).unwrap();
    verifier.verify(body, &signature).is_ok()
}

fn verify_ed25519(body: &[u8], signature: &str) -> bool {
    let pem = sandbox::ed25519_public_key_pem();
    let der: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let spki = STANDARD.decode(der).unwrap();
    let raw = &spki[spki.len() - 32..];
    let signature = STANDARD.decode(signature).unwrap();
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, raw)
        .verify(body, &signature)
        .is_ok()
}

#[tokio::test]
async fn every_delivery_is_signed_with_both_sandbox_keys() {
    let (api, receiver) = start_with_receiver(Vec::new()).await;
    let token = api.full_token().await;
    api.post(
        "/contacts/",
        &token,
        json!({"locationId": api.location_id, "firstName": "Sig"}),
    )
    .await;
    eventually("the event arrives", || async {
        !receiver.received().is_empty()
    })
    .await;
    let delivery = &receiver.received()[0];
    let ed = delivery.headers["x-ghl-signature"].to_str().unwrap();
    let rsa = delivery.headers["x-wh-signature"].to_str().unwrap();
    assert!(verify_ed25519(&delivery.body, ed));
    assert!(verify_rsa(&delivery.body, rsa));
    assert!(!verify_ed25519(b"{\"tampered\":true}", ed));
    assert!(!verify_rsa(b"{\"tampered\":true}", rsa));
    let (_, keys) = api
        .control(Method::GET, "/_sandbox/webhook-keys", None)
        .await;
    assert_eq!(
        keys["ed25519PublicKeyPem"],
        sandbox::ed25519_public_key_pem()
    );
    assert_eq!(keys["rsaPublicKeyPem"], sandbox::rsa_public_key_pem());
}

#[tokio::test]
async fn api_changes_send_the_documented_events() {
    let (api, receiver) = start_with_receiver(Vec::new()).await;
    let token = api.full_token().await;
    let (_, created) = api
        .post(
            "/contacts/",
            &token,
            json!({"locationId": api.location_id, "firstName": "Hook", "email": "hook@example.com"}),
        )
        .await;
    let id = created["contact"]["id"].as_str().unwrap().to_owned();
    api.put(
        &format!("/contacts/{id}"),
        &token,
        json!({"city": "Austin"}),
    )
    .await;
    api.post(
        &format!("/contacts/{id}/tags"),
        &token,
        json!({"tags": ["hooked"]}),
    )
    .await;
    let (_, task) = api
        .post(
            &format!("/contacts/{id}/tasks"),
            &token,
            json!({"title": "T", "dueDate": "2026-07-01T00:00:00Z", "completed": false}),
        )
        .await;
    let task_path = format!(
        "/contacts/{id}/tasks/{}",
        task["task"]["id"].as_str().unwrap()
    );
    api.put(
        &format!("{task_path}/completed"),
        &token,
        json!({"completed": true}),
    )
    .await;
    api.delete(&task_path, &token, None).await;
    let (_, note) = api
        .post(
            &format!("/contacts/{id}/notes"),
            &token,
            json!({"body": "N"}),
        )
        .await;
    let note_path = format!(
        "/contacts/{id}/notes/{}",
        note["note"]["id"].as_str().unwrap()
    );
    api.put(&note_path, &token, json!({"body": "N2"})).await;
    api.delete(&note_path, &token, None).await;
    api.delete(&format!("/contacts/{id}"), &token, None).await;

    let expected = [
        "ContactCreate",
        "ContactUpdate",
        "ContactTagUpdate",
        "TaskCreate",
        "TaskComplete",
        "TaskDelete",
        "NoteCreate",
        "NoteUpdate",
        "NoteDelete",
        "ContactDelete",
    ];
    eventually("every event arrives", || async {
        receiver.received().len() >= expected.len()
    })
    .await;
    let kinds: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_owned())
        .collect();
    for kind in expected {
        assert_eq!(
            kinds.iter().filter(|k| *k == kind).count(),
            1,
            "{kind} once in {kinds:?}"
        );
    }
    for event in receiver.received().iter().map(Received::json) {
        assert_eq!(event["locationId"], api.location_id.as_str());
        assert!(event["webhookId"].as_str().is_some_and(|w| w.len() >= 16));
        assert!(event["timestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')));
    }
    let contact = &receiver.of_type("ContactCreate")[0];
    assert_eq!(contact["id"], id.as_str());
    assert_eq!(contact["email"], "hook@example.com");
    assert_eq!(contact["name"], "Hook");
    let tags = &receiver.of_type("ContactTagUpdate")[0];
    assert!(tags["tags"].as_array().unwrap().contains(&json!("hooked")));
    let task = &receiver.of_type("TaskCreate")[0];
    for field in ["id", "contactId", "title", "dueDate", "dateAdded"] {
        assert!(task[field].is_string(), "TaskCreate.{field}");
    }
    assert!(
        task.get("completed").is_none(),
        "task events carry no completed flag"
    );
    let note = &receiver.of_type("NoteUpdate")[0];
    assert_eq!(note["body"], "N2");
    assert_eq!(note["contactId"], id.as_str());
}

#[tokio::test]
async fn simulated_appointment_changes_send_nested_appointment_events() {
    let (api, receiver) = start_with_receiver(Vec::new()).await;
    for action in ["create", "update", "delete"] {
        let (status, done) = api
            .control(
                Method::POST,
                "/_sandbox/simulate",
                Some(json!({"entity": "appointments", "action": action, "count": 1})),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(done["done"], 1);
    }
    eventually("three appointment events", || async {
        receiver.received().len() >= 3
    })
    .await;
    for kind in [
        "AppointmentCreate",
        "AppointmentUpdate",
        "AppointmentDelete",
    ] {
        let events = receiver.of_type(kind);
        assert_eq!(events.len(), 1, "{kind}");
        let appointment = &events[0]["appointment"];
        for field in [
            "id",
            "calendarId",
            "contactId",
            "appointmentStatus",
            "startTime",
            "endTime",
        ] {
            assert!(appointment[field].is_string(), "{kind}.appointment.{field}");
        }
        assert!(appointment["startTime"]
            .as_str()
            .unwrap()
            .contains("+00:00"));
    }
}

#[tokio::test]
async fn a_429_is_retried_until_accepted_but_a_500_is_final() {
    let (api, receiver) = start_with_receiver(vec![429, 429]).await;
    let token = api.full_token().await;
    api.post(
        "/contacts/",
        &token,
        json!({"locationId": api.location_id, "firstName": "Retry"}),
    )
    .await;
    eventually("the third attempt succeeds", || async {
        api.deliveries()
            .await
            .first()
            .is_some_and(|d| d["status"] == "delivered")
    })
    .await;
    let attempts = receiver.received();
    assert_eq!(attempts.len(), 3);
    let ids: Vec<Value> = attempts
        .iter()
        .map(|r| r.json()["webhookId"].clone())
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "a retry resends the same event"
    );
    assert_eq!(api.deliveries().await[0]["attempts"], 3);

    let (api, receiver) = start_with_receiver(vec![500]).await;
    let token = api.full_token().await;
    api.post(
        "/contacts/",
        &token,
        json!({"locationId": api.location_id, "firstName": "Lost"}),
    )
    .await;
    eventually("the delivery fails", || async {
        api.deliveries()
            .await
            .first()
            .is_some_and(|d| d["status"] == "failed")
    })
    .await;
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn retries_stop_after_the_configured_number() {
    let receiver = Receiver::start(vec![429; 10]).await;
    let api = start_with(SandboxConfig {
        webhook_url: Some(receiver.url.clone()),
        webhook_max_retries: 2,
        ..test_config()
    })
    .await;
    let token = api.full_token().await;
    api.post(
        "/contacts/",
        &token,
        json!({"locationId": api.location_id, "firstName": "Busy"}),
    )
    .await;
    eventually("the delivery gives up", || async {
        api.deliveries()
            .await
            .first()
            .is_some_and(|d| d["status"] == "failed")
    })
    .await;
    assert_eq!(receiver.received().len(), 3, "one attempt and two retries");
}

/// A receiver that answers every delivery with `status` pointing at its own
/// `/landing`, and counts the requests that land there.
async fn redirecting_receiver(status: u16) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let landing = format!("http://{addr}/landing");
    let landed = Arc::new(AtomicUsize::new(0));
    let counter = landed.clone();
    let status = StatusCode::from_u16(status).unwrap();
    let app = axum::Router::new()
        .route(
            "/hook",
            post(move || {
                let location = landing.clone();
                async move { (status, [(header::LOCATION, location)]) }
            }),
        )
        .route(
            "/landing",
            any(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                async { StatusCode::OK }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), landed)
}

#[tokio::test]
async fn a_redirect_fails_the_delivery_and_is_not_followed() {
    for status in [301, 302, 307, 308] {
        let (url, landed) = redirecting_receiver(status).await;
        let api = start_with(SandboxConfig {
            webhook_url: Some(url),
            ..test_config()
        })
        .await;
        let token = api.full_token().await;
        api.post(
            "/contacts/",
            &token,
            json!({"locationId": api.location_id, "firstName": "Moved"}),
        )
        .await;
        eventually("the delivery is settled", || async {
            let deliveries = api.deliveries().await;
            !deliveries.is_empty() && deliveries.iter().all(|d| d["status"] != "queued")
        })
        .await;
        for delivery in api.deliveries().await {
            assert_eq!(delivery["status"], "failed", "{status}: {delivery}");
            assert_eq!(delivery["responseStatus"], status);
        }
        assert_eq!(
            landed.load(Ordering::SeqCst),
            0,
            "the {status} was followed"
        );
    }
}

#[tokio::test]
async fn a_do_not_disturb_change_sends_contact_dnd_update_with_its_settings() {
    let (api, receiver) = start_with_receiver(Vec::new()).await;
    let token = api.full_token().await;
    let id = &api.contact_ids(&token, 1).await[0];
    let settings = json!({"dnd": true, "dndSettings": {"Email": {"status": "active", "message": "asked", "code": "E1"}}});
    let (status, _) = api.put(&format!("/contacts/{id}"), &token, settings).await;
    assert_eq!(status, 200);
    eventually("the dnd event arrives", || async {
        !receiver.of_type("ContactDndUpdate").is_empty()
    })
    .await;
    let event = &receiver.of_type("ContactDndUpdate")[0];
    assert_eq!(event["dnd"], true);
    assert_eq!(event["dndSettings"]["Email"]["status"], "active");
    assert_eq!(event["dndSettings"]["SMS"]["status"], "inactive");
    assert_eq!(receiver.of_type("ContactUpdate").len(), 1);
}

/// The JSON schema published in an event's documentation page. The pages
/// type dates as `"Date"`, which is no JSON-Schema type: they are strings.
fn event_schema(kind: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/ghl-api/docs/webhook-events")
        .join(format!("{kind}.md"));
    let page = std::fs::read_to_string(path).unwrap();
    let start = page.find("```json json_schema").unwrap();
    let body = &page[start..];
    let body = &body[body.find('\n').unwrap()..];
    let end = body.find("```").unwrap();
    let text = body[..end].replace("\"Date\"", "\"string\"");
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn every_event_matches_the_schema_on_its_documentation_page() {
    let (api, receiver) = start_with_receiver(Vec::new()).await;
    let token = api.full_token().await;
    let (_, created) = api
        .post(
            "/contacts/",
            &token,
            json!({"locationId": api.location_id, "firstName": "Doc", "email": "doc@example.com"}),
        )
        .await;
    let id = created["contact"]["id"].as_str().unwrap().to_owned();
    let update = json!({"city": "Denver", "tags": ["doc"], "dnd": true});
    api.put(&format!("/contacts/{id}"), &token, update).await;
    for (entity, action) in [
        ("tasks", "create"),
        ("tasks", "update"),
        ("tasks", "delete"),
        ("notes", "create"),
        ("notes", "update"),
        ("notes", "delete"),
        ("appointments", "create"),
        ("appointments", "update"),
        ("appointments", "delete"),
    ] {
        let body = json!({"entity": entity, "action": action, "count": 1});
        api.control(Method::POST, "/_sandbox/simulate", Some(body))
            .await;
    }
    api.delete(&format!("/contacts/{id}"), &token, None).await;
    let kinds = [
        "ContactCreate",
        "ContactUpdate",
        "ContactTagUpdate",
        "ContactDndUpdate",
        "TaskCreate",
        "TaskComplete",
        "TaskDelete",
        "NoteCreate",
        "NoteUpdate",
        "NoteDelete",
        "AppointmentCreate",
        "AppointmentUpdate",
        "AppointmentDelete",
        "ContactDelete",
    ];
    eventually("every kind arrives", || async {
        kinds.iter().all(|kind| !receiver.of_type(kind).is_empty())
    })
    .await;
    for kind in kinds {
        let validator = jsonschema::validator_for(&event_schema(kind)).unwrap();
        for event in receiver.of_type(kind) {
            let problems: Vec<String> = validator
                .iter_errors(&event)
                .map(|e| e.to_string())
                .collect();
            assert!(problems.is_empty(), "{kind}: {problems:?}\n{event:#}");
        }
    }
    let wrong = json!({"type": "TaskCreate", "dueDate": 5});
    let validator = jsonschema::validator_for(&event_schema("TaskCreate")).unwrap();
    assert!(!validator.is_valid(&wrong), "the page's schema can fail");
}
